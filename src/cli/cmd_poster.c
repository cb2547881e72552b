/* cmd_poster.c - svcov poster: the friendly map (友好地图) of a compound. */
#define _GNU_SOURCE
#include "cli.h"
#include "svcov/sv_lang.h"
#include "args.h"
#include "table.h"

#include "svcov/sv_cncoords.h"
#include "svcov/sv_poster.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static void help(void)
{
    cli_help("Usage: svcov poster --db DB --district ID --out FILE.pdf|.png|.svg [options]\n"
             "       svcov poster --db DB --at LON,LAT --name TEXT --out FILE [options]\n"
             "       svcov poster --db DB --all-districts DIR [--format pdf|png|svg] [options]\n\n");
    cli_help("The friendly map of a compound (友好地图), to print and post where riders see it: the\n"
             "compound outlined at the centre, the streets, the areas within each break of its\n"
             "entrance, every station (and friendly merchant) within the largest break numbered by\n"
             "walking time with its services as icons, a list beside the map in the same order (at\n"
             "most 12; the rest counted), a legend, the date of the data and an optional QR code.\n"
             "Times are along the streets of a network analysis (its network is read again from\n"
             "runs.network_path, once for all posters), else in a straight line (said so on the\n"
             "poster). The places are printed on stdout, nearest first.\n\n");
    cli_help("The compound:\n"
             "  --db DB               result database of 'svcov analyze'\n"
             "  --district ID         a district of the analysis (or of --compounds) as the compound\n"
             "  --at LON,LAT          a point (WGS 84 lon/lat, or --coords) as the compound\n"
             "  --name TEXT           its name in the title (XX小区 骑手友好地图); default the district's\n"
             "  --all-districts DIR   one poster per district (or per --compounds polygon): DIR/ID.pdf\n"
             "                        (the folder must exist; ids that are no safe file name get one)\n"
             "  --compounds PATH[:LAYER] compound polygons instead of the districts\n"
             "  --compound-id FIELD   default: district_id, id, code or osm_id\n"
             "  --compound-name FIELD default: name\n"
             "  --entrance LON,LAT    walk from here (default: the compound's centroid)\n"
             "Friendly merchants and scenes (drawn as diamonds, listed with the stations):\n"
             "  --merchants PATH[:LAYER] points (or polygons) with a name and what they offer\n"
             "  --merchant-id FIELD   default: merchant_id, id or osm_id\n"
             "  --merchant-name FIELD default: name (a layer without names is refused)\n"
             "  --merchant-offers FIELD what they offer, default: offers, offer or services\n"
             "  --merchant-hours FIELD default: opening_hours or hours\n"
             "  --coords SYSTEM       --at, --entrance, --merchants and --compounds are in wgs84\n"
             "                        (default), gcj02 (AMap/Gaode, Tencent) or bd09 (Baidu)\n"
             "  --encoding NAME       the text encoding of --merchants and --compounds (e.g. CP936)\n"
             "The page:\n"
             "  --out FILE            PDF, PNG or SVG by extension\n"
             "  --format FMT          pdf (default), png or svg for --all-districts\n"
             "  --page P              a4 or a3 (portrait), a4-landscape, a3-landscape, a4-portrait,\n"
             "                        a3-portrait (default a4)\n"
             "  --lang LANG           en or zh (简体中文); default from LANG/LC_ALL\n"
             "  --qr-url URL          a QR code of this link (e.g. the city's online map)\n"
             "  --network PATH[:LAYER] the streets, when the analysis's file has moved\n"
             "  --font FAMILY         a font family to use first (CJK falls back to Noto Sans CJK)\n"
             "  --dpi N               PNG resolution (default 150)\n"
             "  --csv                 the places on stdout as CSV\n"
             "  -q, --quiet           no 'wrote' and progress messages\n\n");
    cli_help("Services are read from the stations' services field (svcov analyze --services-field,\n"
             "else their category) and the merchants' offers; words (any case) for each icon:\n"
             "  water: water, drinking_water, 热水, 开水, 饮水    charging: charging, battery, 充电, 换电\n"
             "  microwave: microwave, 微波炉, 加热               rest: rest, seat, bench, shelter, 休息, 座椅\n"
             "  first aid: first aid, first_aid, pharmacy, 急救, 药箱   toilet: toilet(s), wc, 厕所, 卫生间\n"
             "  anything else: other. Items are separated by ; , / | + 、 ， or ；\n\n");
    cli_help("Examples:\n"
             "  svcov poster --db out/demo.sqlite --district D0013 --out D0013_poster.pdf --lang zh\n"
             "  svcov poster --db network.sqlite --at 1.5218,42.5075 --name \"Carrer Major\" \\\n"
             "               --merchants shops.geojson --qr-url https://example.org/map --out poster.pdf\n"
             "  svcov poster --db out/demo.sqlite --all-districts posters/ --page a3 --lang zh\n\n");
    cli_help("Exit status: 0 success, 1 data or runtime error, 2 usage error, 130 interrupted.\n");
}

static void on_warn(void *ud, const char *msg)
{
    (void)ud;
    cli_eprintf("poster", "warning: %s", msg);
}

static int parse_lonlat(const char *s, double *lon, double *lat)
{
    char *end = NULL;
    *lon = strtod(s, &end);
    if (end == s || (*end != ',' && *end != ' '))
        return -1;
    const char *t = end + 1;
    *lat = strtod(t, &end);
    return end == t || *end || !isfinite(*lon) || !isfinite(*lat) ? -1 : 0;
}

static const char *const icon_names[SV_POSTER_ICON_COUNT] = {"water", "charging", "microwave", "rest",
                                                             "first_aid", "toilet", "other"};

static void icons_text(unsigned icons, char *buf, size_t size)
{
    buf[0] = '\0';
    for (int k = 0; k < SV_POSTER_ICON_COUNT; k++)
        if ((icons >> k) & 1)
            snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", buf[0] ? ";" : "", icon_names[k]);
}

static void print_places(const char *compound, const sv_poster_result *r, int csv, cli_table *t)
{
    for (size_t i = 0; i < r->n_places; i++) {
        const sv_poster_place *q = &r->places[i];
        char no[16] = "", mins[32], m[32], icons[128];
        if (q->listed)
            snprintf(no, sizeof no, "%zu", i + 1);
        snprintf(mins, sizeof mins, "%.2f", q->minutes);
        snprintf(m, sizeof m, "%.1f", q->metres);
        icons_text(q->icons, icons, sizeof icons);
        const char *kind = q->merchant ? "merchant" : r->none_in_reach && i == 0 ? "nearest_station" : "station";
        const char *cells[] = {compound, no, kind, q->id, q->name, mins, m, icons, q->hours};
        if (csv) {
            for (size_t c = 0; c < sizeof cells / sizeof cells[0]; c++) {
                if (c)
                    fputc(',', stdout);
                csv_field(stdout, cells[c] ? cells[c] : "");
            }
            fputc('\n', stdout);
        } else if (t) {
            table_add(t, cells);
        }
    }
}

/* --page a4|a3[-portrait|-landscape]: the paper (value / 2) and the orientation (value % 2). */
static const cli_choice pages[] = {{"a4", 0},           {"a4-portrait", 0},  {"a4-landscape", 1}, {"a3", 2},
                                   {"a3-portrait", 2}, {"a3-landscape", 3}, {NULL, 0}};

/* --encoding NAME: the text encoding of the merchants and the compounds. */
static int parse_encoding(const char *cmd, const cli_arg *a, const char *arg)
{
    sv_source_opts *const *o = a->ptr;
    if (!*arg)
        return cli_usage(cmd, "--encoding: give an encoding name, e.g. CP936, or auto");
    o[0]->encoding = o[1]->encoding = arg;
    return 0;
}

int cmd_poster(int argc, char **argv)
{
    const char *db = NULL, *district = NULL, *all_dir = NULL, *at = NULL, *name = NULL, *entrance = NULL,
               *out = NULL, *format = "pdf", *lang_arg = NULL;
    sv_source_opts merchants = {0}, compounds = {0};
    sv_source_opts *const both[2] = {&merchants, &compounds};
    sv_poster_options po = {0};
    sv_coords coords = SV_COORDS_WGS84;
    int quiet = 0, csv = 0, rc = EXIT_OK, rest, page = 0;
    const cli_arg args[] = {
        CLI_STR("db", &db),
        CLI_STR("district", &district),
        CLI_STR("all-districts", &all_dir),
        CLI_STR("at", &at),
        CLI_STR("name", &name),
        CLI_STR("compounds", &compounds.spec),
        CLI_STR("compound-id", &compounds.id_field),
        CLI_STR("compound-name", &compounds.name_field),
        CLI_STR("entrance", &entrance),
        CLI_STR("merchants", &merchants.spec),
        CLI_STR("merchant-id", &merchants.id_field),
        CLI_STR("merchant-name", &merchants.name_field),
        CLI_STR("merchant-offers", &merchants.services_field),
        CLI_STR("merchant-hours", &merchants.hours_field),
        CLI_FN("coords", &coords, cli_coords_arg, 0),
        CLI_FN("encoding", (void *)both, parse_encoding, 0),
        CLI_STR("out", &out),
        CLI_STR("format", &format),
        CLI_CHOICE("page", &page, pages, "use a4, a3, a4-landscape, a3-landscape (a4-portrait, a3-portrait)"),
        CLI_STR("lang", &lang_arg),
        CLI_STR("qr-url", &po.qr_url),
        CLI_STR("network", &po.network),
        CLI_STR("font", &po.font),
        CLI_NUM("dpi", &po.dpi, 36, 0, 1200, "give 36 to 1200, e.g. 150 or 300", NULL),
        CLI_SET("csv", 0, &csv, 1),
        CLI_SET("quiet", 'q', &quiet, 1),
        CLI_PRINT("help", help),
        CLI_END,
    };
    if ((rc = cli_args_parse("poster", argc, argv, args, &rest)) != 0)
        return rc == CLI_ARGS_DONE ? EXIT_OK : rc;
    po.paper = page / 2 ? SV_POSTER_A3 : SV_POSTER_A4;
    po.landscape = page % 2;
    if ((rc = cli_lang("poster", lang_arg, &po.lang)) != 0)
        return rc;
    if (rest < argc)
        return cli_usage("poster", "unexpected argument '%s'", argv[rest]);
    if (!db)
        return cli_usage("poster", "--db is required");
    if (!!district + !!all_dir + !!at != 1)
        return cli_usage("poster", "give the compound: --district ID, --at LON,LAT (with --name) or --all-districts "
                         "DIR, one of them");
    if (all_dir && (entrance || name))
        return cli_usage("poster", "--%s is for one poster, not --all-districts", entrance ? "entrance" : "name");
    if (at && compounds.spec)
        return cli_usage("poster", "--compounds goes with --district ID or --all-districts, not --at");
    if (!all_dir && !out)
        return cli_usage("poster", "--out FILE.pdf|.png|.svg is required");
    if (all_dir && out)
        return cli_usage("poster", "--out and --all-districts exclude each other");
    sv_canvas_format fmt = SV_CANVAS_PDF;
    if (out && cli_canvas_format(out, &fmt) != 0)
        return cli_usage("poster", "--out %s: the file name must end in .pdf, .png or .svg", out);
    if (all_dir && cli_canvas_format(format, &fmt) != 0)
        return cli_usage("poster", "--format %s: use pdf, png or svg", format);
    sv_poster_target t = {.compound = -1, .name = name};
    if (at && parse_lonlat(at, &t.at_lon, &t.at_lat) != 0)
        return cli_usage("poster", "--at %s: give LON,LAT in degrees, e.g. 113.95,22.54", at);
    if (entrance && parse_lonlat(entrance, &t.ent_lon, &t.ent_lat) != 0)
        return cli_usage("poster", "--entrance %s: give LON,LAT in degrees, e.g. 113.95,22.54", entrance);
    t.has_entrance = entrance != NULL;
    if (coords != SV_COORDS_WGS84) {
        if (at)
            sv_coords_convert(coords, SV_COORDS_WGS84, t.at_lon, t.at_lat, &t.at_lon, &t.at_lat);
        if (entrance)
            sv_coords_convert(coords, SV_COORDS_WGS84, t.ent_lon, t.ent_lat, &t.ent_lon, &t.ent_lat);
        merchants.coords = compounds.coords = coords;
    }
    if (all_dir) {
        struct stat sb;
        if (stat(all_dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
            cli_eprintf("poster", "--all-districts %s: no such folder; create it first", all_dir);
            return EXIT_DATA;
        }
    }
    po.merchants = merchants.spec ? &merchants : NULL;
    po.compounds = compounds.spec ? &compounds : NULL;
    po.warn = on_warn;

    sv_ctx *ctx = cli_ctx_create();
    if (!ctx)
        return EXIT_DATA;
    cli_catch_signals(ctx);
    sv_ctx_set_warning(ctx, cli_warning, "poster");
    sv_poster *p = NULL;
    sv_status st = sv_poster_load(ctx, db, &po, &p);
    cli_print_issues(ctx, "poster"); /* the merchants' and compounds' feature problems */
    static const char *const header[] = {"compound", "no", "kind", "id", "name", "minutes", "metres", "services",
                                         "hours"};
    cli_table *table = NULL;
    if (st == SV_OK && !csv)
        table = table_create(9, header, "lrlllrrll");
    if (st == SV_OK && csv) {
        for (size_t i = 0; i < 9; i++)
            printf("%s%s", i ? "," : "", header[i]);
        printf("\n");
    }
    sv_poster_result res;
    if (st == SV_OK && !all_dir) {
        size_t idx = 0;
        if (district && (st = sv_poster_find(ctx, p, district, &idx)) == SV_OK)
            t.compound = (long)idx;
        if (st == SV_OK)
            st = sv_poster_render(ctx, p, &t, fmt, out, &res);
        if (st == SV_OK) {
            print_places(district ? district : "", &res, csv, table);
            if (!quiet)
                cli_eprintf("poster", "wrote %s: %zu places listed of %zu within %.0f min%s", out, res.n_listed,
                            res.none_in_reach ? res.n_places - (res.n_places > 0) : res.n_places, res.max_minutes,
                            res.along_streets ? sv_tr(cli_msg_lang(), " along the streets")
                                               : sv_tr(cli_msg_lang(), " (straight line)"));
        }
    }
    if (st == SV_OK && all_dir) {
        const char *ext = fmt == SV_CANVAS_PNG ? "png" : fmt == SV_CANVAS_SVG ? "svg" : "pdf";
        size_t n = sv_poster_compound_count(p);
        const char **ids = calloc(n ? n : 1, sizeof *ids);
        for (size_t i = 0; ids && i < n; i++)
            ids[i] = sv_poster_compound_id(p, i);
        char **files = ids ? cli_file_names(ids, n) : NULL;
        if (!files)
            st = sv_error(ctx, SV_ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < n && st == SV_OK; i++) {
            if (sv_ctx_interrupted(ctx)) {
                st = sv_error(ctx, SV_ERR_INTERRUPTED, "interrupted after %zu of %zu posters; the posters written "
                              "are complete", i, n);
                break;
            }
            char path[4400];
            snprintf(path, sizeof path, "%s/%s.%s", all_dir, files[i], ext);
            sv_poster_target ti = {.compound = (long)i};
            st = sv_poster_render(ctx, p, &ti, fmt, path, &res);
            if (st == SV_OK) {
                print_places(ids[i], &res, csv, table);
                if (!quiet)
                    cli_eprintf("poster", "poster %zu of %zu: %s (%zu places listed)", i + 1, n, path, res.n_listed);
            }
        }
        for (size_t i = 0; files && i < n; i++)
            free(files[i]);
        free(files);
        free(ids);
        if (st == SV_OK && !quiet)
            cli_eprintf("poster", "wrote %zu posters to %s/", n, all_dir);
    }
    if (st == SV_OK && table)
        table_print(table, stdout);
    table_destroy(table);
    rc = st == SV_OK ? EXIT_OK : cli_fail(ctx, st, "poster");
    sv_poster_destroy(p);
    cli_run_ctx_end(ctx);
    return rc;
}
