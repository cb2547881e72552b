/* cmd_map.c - svcov map: printable maps (PNG, SVG, PDF) and the interactive HTML map. */
#define _GNU_SOURCE
#include "cli.h"

#include "svcov/sv_map.h"
#include "svcov/sv_text.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* svcov map --help: every option with examples. */
static void help(void)
{
    cli_help("Usage: svcov map --db DB --out FILE.png|.svg|.pdf [--district ID] [options]\n"
             "       svcov map --db DB --all-districts DIR [--format png|svg|pdf] [options]\n"
             "       svcov map --db DB --atlas FILE.pdf [options]\n"
             "       svcov map --db DB --html FILE.html [--title TEXT]\n\n");
    cli_help("Draws maps from a result database: the districts, the areas within each break as\n"
             "translucent fills, the gaps hatched in red, stations as symbols by category with their\n"
             "names, the road network of a network analysis as context, a legend, a scale bar, a\n"
             "north arrow, a title and the coverage figures. The HTML map is one file that opens\n"
             "without a network (Leaflet %s inlined, BSD-2-Clause): layers and breaks can be\n"
             "switched on and off, clicking a station or district shows its figures.\n\n",
             sv_map_leaflet_version());
    cli_help("  --db DB              result database of 'svcov analyze'\n");
    cli_pg_help();
    cli_help("  --out FILE           the map of the city, or of --district; PNG, SVG or PDF by extension\n"
             "  --district ID        one district (its own stations labelled, the others greyed)\n"
             "  --all-districts DIR  one map per district, DIR/ID.png (the folder must exist; an id that\n"
             "                       is no safe file name, or equal to another but for case, gets a\n"
             "                       readable unique one, e.g. a/b -> a_b_2.png, printed)\n"
             "  --format FMT         png, svg or pdf for --all-districts (default png)\n"
             "  --atlas FILE.pdf     one PDF: the city, then a page per district, ready to print\n"
             "  --html FILE          the interactive map (may be given with --out)\n"
             "  --coords SYSTEM      --html: lon/lat in gcj02 (AMap/Gaode, Tencent) or bd09 (Baidu), for use\n"
             "                       over those maps' tiles (default wgs84)\n"
             "  --minutes N[,N]      the breaks to draw (default all); the gaps are the largest one's\n"
             "  --radius M[,M]       the same for distance breaks (svcov analyze --radius)\n"
             "  --page P             a4 (auto orientation, default), a4-portrait, a4-landscape\n"
             "  --size WxH           PNG size in pixels: the A4 layout scaled so the longer side fits\n"
             "  --dpi N              PNG resolution for A4 (default 150)\n"
             "  --title TEXT         the title instead of the district's or city's name\n"
             "  --labels WHICH       station names: auto (left out when over 80 stations show), all, none\n"
             "  --font FAMILY        a font family to use first (CJK falls back to Noto Sans CJK)\n"
             "  --lang LANG          en or zh (简体中文): titles, legend, figures; default from LANG/LC_ALL\n"
             "  --world-file         PNG: also write FILE.pgw so GIS software can place the image\n"
             "  --by coverage|access printable maps: the coverage (default), or the districts coloured by\n"
             "                       capacity per 1,000 people (district_access, 5 quantile classes) with the\n"
             "                       stations sized by demand per unit of capacity (station_load), at the\n"
             "                       largest break drawn (svcov analyze --capacity-field)\n"
             "  -q, --quiet          no 'wrote' messages (warnings about the data still show)\n\n");
    cli_help("Examples:\n"
             "  svcov map --db out/demo.sqlite --out out/demo_map.png\n"
             "  svcov map --db out/demo.sqlite --district D0013 --minutes 15 --out D0013.pdf\n"
             "  svcov map --db out/demo.sqlite --all-districts out/maps --format pdf\n"
             "  svcov map --db out/demo.sqlite --atlas out/atlas.pdf\n"
             "  svcov map --db out/demo.sqlite --html out/demo_map.html\n"
             "  svcov map --db access.sqlite --by access --minutes 10 --out access.pdf\n\n");
    cli_help("Exit status: 0 success, 1 data or runtime error, 2 usage error.\n");
}

static void on_warn(void *ud, const char *msg)
{
    (void)ud;
    cli_eprintf("map", "warning: %s", msg);
}

/* The file names of --all-districts, one per district in the map's order (cli_file_names). */
static char **district_file_names(const sv_map *m, size_t n)
{
    const char **ids = calloc(n ? n : 1, sizeof *ids);
    if (!ids)
        return NULL;
    for (size_t i = 0; i < n; i++)
        ids[i] = sv_map_district_id(m, i);
    char **names = cli_file_names(ids, n);
    free(ids);
    return names;
}

/* --size WIDTHxHEIGHT into the page options. */
static int parse_size(const char *cmd, const cli_arg *a, const char *arg)
{
    sv_map_page_options *po = a->ptr;
    int w = 0, h = 0;
    char x = 0, extra = 0;
    if (sscanf(arg, "%d%c%d%c", &w, &x, &h, &extra) != 3 || (x != 'x' && x != 'X') || w < 300 || h < 200 ||
        w > 20000 || h > 20000)
        return cli_usage(cmd, "--size %s: give WIDTHxHEIGHT in pixels, e.g. 1600x1130 (300x200 to 20000x20000)",
                         arg);
    po->width_px = w;
    po->height_px = h;
    return 0;
}

int cmd_map(int argc, char **argv)
{
    const char *db = NULL, *out = NULL, *district = NULL, *all_dir = NULL, *format = "png", *html = NULL,
               *title = NULL, *font = NULL, *atlas = NULL;
    cli_list minutes = {0}, radii = {0};
    sv_map_page_options po = {0};
    const char *lang_arg = NULL;
    sv_lang lang = SV_LANG_EN;
    int world = 0, quiet = 0, rc = EXIT_OK, rest, page = po.page, labels = po.labels, by_access = 0;
    cli_pg pg = {0};
    sv_coords coords = SV_COORDS_WGS84;
    static const cli_choice pages[] = {{"a4", SV_MAP_PAGE_AUTO},
                                       {"auto", SV_MAP_PAGE_AUTO},
                                       {"a4-portrait", SV_MAP_PAGE_PORTRAIT},
                                       {"portrait", SV_MAP_PAGE_PORTRAIT},
                                       {"a4-landscape", SV_MAP_PAGE_LANDSCAPE},
                                       {"landscape", SV_MAP_PAGE_LANDSCAPE},
                                       {NULL, 0}};
    static const cli_choice by_words[] = {{"coverage", 0}, {"access", 1}, {NULL, 0}};
    static const cli_choice label_words[] = {
        {"auto", SV_MAP_LABELS_AUTO}, {"all", SV_MAP_LABELS_ALL}, {"none", SV_MAP_LABELS_NONE}, {NULL, 0}};
    const cli_arg args[] = {
        CLI_STR("db", &db),
        CLI_PG_ARGS(&pg),
        CLI_STR("out", &out),
        CLI_STR("district", &district),
        CLI_STR("all-districts", &all_dir),
        CLI_STR("format", &format),
        CLI_STR("html", &html),
        CLI_LIST("minutes", &minutes, "give breaks in minutes, e.g. 15 or 10,15"),
        CLI_LIST("radius", &radii, "give breaks in metres, e.g. 500"),
        CLI_CHOICE("page", &page, pages, "use a4, a4-portrait or a4-landscape"),
        CLI_FN("size", &po, parse_size, 0),
        CLI_NUM("dpi", &po.dpi, 36, 0, 1200, "give 36 to 1200, e.g. 150 or 300", NULL),
        CLI_STR("title", &title),
        CLI_CHOICE("labels", &labels, label_words, "use auto, all or none"),
        CLI_STR("font", &font),
        CLI_SET("world-file", 0, &world, 1),
        CLI_SET("quiet", 'q', &quiet, 1),
        CLI_STR("atlas", &atlas),
        CLI_STR("lang", &lang_arg),
        CLI_FN("coords", &coords, cli_coords_arg, 0),
        CLI_CHOICE("by", &by_access, by_words, "use coverage or access"),
        CLI_PRINT("help", help),
        CLI_END,
    };
    if ((rc = cli_args_parse("map", argc, argv, args, &rest)) != 0) {
        rc = rc == CLI_ARGS_DONE ? EXIT_OK : rc;
        goto done;
    }
    po.page = (sv_map_page)page;
    po.labels = (sv_map_labels)labels;
    if ((rc = cli_lang("map", lang_arg, &lang)) != 0)
        goto done;
    if (rest < argc) {
        rc = cli_usage("map", "unexpected argument '%s'", argv[rest]);
        goto done;
    }
    if (!db) {
        rc = cli_usage("map", "--db is required");
        goto done;
    }
    if ((rc = cli_pg_check("map", db, &pg)) != 0)
        goto done;
    if (!out && !all_dir && !html && !atlas) {
        rc = cli_usage("map", "give --out FILE.png|.svg|.pdf, --all-districts DIR, --atlas FILE.pdf or --html "
                       "FILE.html");
        goto done;
    }
    if (out && all_dir) {
        rc = cli_usage("map", "--out and --all-districts exclude each other");
        goto done;
    }
    if (district && all_dir) {
        rc = cli_usage("map", "--district and --all-districts exclude each other");
        goto done;
    }
    if (district && !out) {
        rc = cli_usage("map", "--district needs --out FILE.png|.svg|.pdf");
        goto done;
    }
    sv_canvas_format fmt = SV_CANVAS_PNG;
    if (out && cli_canvas_format(out, &fmt) != 0) {
        rc = cli_usage("map", "--out %s: the file name must end in .png, .svg or .pdf", out);
        goto done;
    }
    if (all_dir && cli_canvas_format(format, &fmt) != 0) {
        rc = cli_usage("map", "--format %s: use png, svg or pdf", format);
        goto done;
    }
    if (atlas) {
        const char *dot = strrchr(atlas, '.');
        if (!dot || strcasecmp(dot, ".pdf") != 0) {
            rc = cli_usage("map", "--atlas %s: the file name must end in .pdf", atlas);
            goto done;
        }
    }
    if (html) {
        const char *dot = strrchr(html, '.');
        if (!dot || (strcasecmp(dot, ".html") != 0 && strcasecmp(dot, ".htm") != 0)) {
            rc = cli_usage("map", "--html %s: the file name must end in .html", html);
            goto done;
        }
    }
    if (all_dir) {
        struct stat sb;
        if (stat(all_dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
            cli_eprintf("map", "--all-districts %s: no such folder; create it first", all_dir);
            rc = EXIT_DATA;
            goto done;
        }
    }
    if (world && fmt != SV_CANVAS_PNG) {
        rc = cli_usage("map", "--world-file goes with PNG maps");
        goto done;
    }

    sv_ctx *ctx = cli_ctx_create();
    if (!ctx) {
        rc = EXIT_DATA;
        goto done;
    }
    cli_catch_signals(ctx);
    /* warnings (a name no font can draw, an empty layer) show even with --quiet */
    sv_map_options mo = {minutes.v, minutes.n, radii.v, radii.n, font, on_warn, NULL, lang, coords, by_access};
    sv_map *m = NULL;
    sv_status st = cli_pg_fetch(ctx, &pg, &db);
    if (st == SV_OK && (out || all_dir || atlas))
        st = sv_map_load(ctx, db, &mo, &m);
    po.title = title;
    if (st == SV_OK && out) {
        char wf[4200];
        po.district_id = district;
        if (world) {
            const char *dot = strrchr(out, '.');
            snprintf(wf, sizeof wf, "%.*s.pgw", (int)(dot ? dot - out : (long)strlen(out)), out);
            po.world_file = wf;
        }
        st = sv_map_render(ctx, m, &po, fmt, out, NULL, NULL);
        if (st == SV_OK && !quiet)
        {
            if (world)
                cli_eprintf("map", "wrote %s and %s", out, po.world_file);
            else
                cli_eprintf("map", "wrote %s", out);
        }
    }
    if (st == SV_OK && all_dir) {
        const char *ext = fmt == SV_CANVAS_PNG ? "png" : fmt == SV_CANVAS_SVG ? "svg" : "pdf";
        size_t n = sv_map_district_count(m);
        char **files = district_file_names(m, n);
        if (!files)
            st = sv_error(ctx, SV_ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < n && st == SV_OK; i++) {
            const char *name = files[i];
            char path[4400], wf[4400];
            if (sv_ctx_interrupted(ctx)) {
                st = sv_error(ctx, SV_ERR_INTERRUPTED, "interrupted after %zu of %zu maps; the maps written are "
                              "complete", i, n);
                break;
            }
            snprintf(path, sizeof path, "%s/%s.%s", all_dir, name, ext);
            po.district_id = sv_map_district_id(m, i);
            if (world) {
                snprintf(wf, sizeof wf, "%s/%s.pgw", all_dir, name);
                po.world_file = wf;
            }
            st = sv_map_render(ctx, m, &po, fmt, path, NULL, NULL);
            if (st == SV_OK && !quiet && strcmp(name, sv_map_district_id(m, i)) != 0)
                cli_eprintf("map", "district %s: %s.%s", sv_map_district_id(m, i), name, ext);
        }
        for (size_t i = 0; files && i < n; i++)
            free(files[i]);
        free(files);
        if (st == SV_OK && !quiet)
            cli_eprintf("map", "wrote %zu maps to %s/", n, all_dir);
    }
    if (st == SV_OK && atlas) {
        st = sv_map_render_atlas(ctx, m, &po, atlas);
        if (st == SV_OK && !quiet)
            cli_eprintf("map", "wrote %s (the city and %zu districts)", atlas, sv_map_district_count(m));
    }
    if (st == SV_OK && html) {
        st = sv_map_write_html(ctx, db, &mo, title, html);
        if (st == SV_OK && !quiet)
            cli_eprintf("map", "wrote %s", html);
    }
    rc = st == SV_OK ? EXIT_OK : cli_fail(ctx, st, "map");
    sv_map_destroy(m);
    cli_pg_done(&pg);
    cli_run_ctx_end(ctx);
done:
    free(minutes.v);
    free(radii.v);
    return rc;
}
