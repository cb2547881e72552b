/* cmd_export.c - svcov export. */
#define _GNU_SOURCE
#include "cli.h"

#include "svcov/sv_io.h"
#include "svcov/sv_store.h"
#include "svcov/sv_pg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* The layers: every result table of the schema description (src/core/schema.c), so a new table is exported
 * without a second list here; SV_TABLE_COUNT when name is none of them. */
static sv_table layer_table(const char *name)
{
    int t = 0;
    while (t < SV_TABLE_COUNT && strcmp(sv_table_name((sv_table)t), name) != 0)
        t++;
    return (sv_table)t;
}

static int count_rows(void *ud, int ncol, const char *const *names, const char *const *values)
{
    (void)names;
    long *n = ud;
    if (values && ncol > 0 && values[0])
        *n = strtol(values[0], NULL, 10);
    return 0;
}

static void help(void)
{
    cli_help("Usage: svcov export --db DB --layer LAYER --out FILE [--format NAME] [--minutes N | --radius M]\n"
             "                    [--coords wgs84|gcj02|bd09] [--overwrite]\n\n");
    cli_help("Writes one layer of a result database to a file in any vector format GDAL writes.\n"
             "GeoJSON (the default) follows RFC 7946: WGS 84 lon/lat, right-hand rule. Other formats\n"
             "keep the analysis CRS (KML is always lon/lat). Geometry is snap-rounded to the precision\n"
             "the file keeps (1e-7 degrees in lon/lat, 1 um in metres), so it is valid as read back.\n"
             "The file appears only when complete.\n\n");
    cli_help("  --db DB          result database of 'svcov analyze'\n");
    cli_pg_help();
    cli_help("  (--db PG:... without --layer: --out RUN.sqlite gets the whole run as one SpatiaLite file)\n"
             "  --layer LAYER    gaps, gap_parts, coverage, service_areas, district_coverage,\n"
             "                   city_coverage, stations, districts, issues, runs; people and\n"
             "                   redundancy: district_redundancy, critical_stations, district_fairness,\n"
             "                   category_coverage, category_gaps, responsibility; demand_access,\n"
             "                   district_demand, reached_streets; capacity and time of day:\n"
             "                   station_load, district_access, time_coverage, time_gaps; from svcov site:\n"
             "                   sites, site_runs, site_district_coverage; from svcov compare:\n"
             "                   district_change, city_change, coverage_gained, coverage_lost,\n"
             "                   station_change, compare_runs; and every other table of the result\n"
             "                   schema (people_points, demand_reach, station_services, roads, breaks,\n"
             "                   timings; DESIGN.md lists them)\n"
             "  --out FILE       output file; the format follows its extension (.geojson .gpkg .shp .kml\n"
             "                   .fgb .csv) unless --format is given\n"
             "  --format NAME    geojson, gpkg, shp, kml, fgb, csv, or any GDAL vector driver name\n"
             "  --minutes N      only the break of N minutes\n"
             "  --radius M       only the break of radius M metres\n"
             "  --coords SYSTEM  write lon/lat in gcj02 (AMap/Gaode, Tencent) or bd09 (Baidu), to draw the\n"
             "                   layer over those maps' tiles (the file still says WGS 84: these systems have\n"
             "                   no EPSG code); any format is then lon/lat. Default wgs84\n"
             "  --overwrite      replace FILE when it exists (svcov cannot tell its own exports from\n"
             "                   other files, so without it an existing FILE is left alone: exit 1)\n\n");
    cli_help("Examples:\n"
             "  svcov export --db out/results.sqlite --layer gaps --minutes 15 --out out/gaps_15min.geojson\n"
             "  svcov export --db out/results.sqlite --layer district_coverage --out out/coverage.csv\n"
             "  svcov export --db out/results.sqlite --layer service_areas --format gpkg --out areas.gpkg\n\n");
    cli_help("Exit status: 0 success, 1 data or runtime error, 2 usage error, 130 interrupted.\n");
}

/* --db PG:... without --layer: the whole run as one SpatiaLite result database at out. */
static int export_run(const char *db, cli_pg *pg, const char *out, int overwrite)
{
    const char *dot = strrchr(out, '.');
    if (!dot || (strcasecmp(dot, ".sqlite") != 0 && strcasecmp(dot, ".db") != 0))
        return cli_usage("export", "--out %s: without --layer, --db PG:... gives the whole run as one SpatiaLite "
                         "file: name it FILE.sqlite (or give --layer LAYER for one layer in any format)", out);
    struct stat so;
    int exists = stat(out, &so) == 0;
    if (exists && (S_ISDIR(so.st_mode) || !overwrite)) {
        if (S_ISDIR(so.st_mode))
            cli_eprintf("export", "--out %s is a folder; give a file name such as run.sqlite", out);
        else
            cli_eprintf("export", "--out %s already exists; add --overwrite to replace it, or choose another file", out);
        return EXIT_DATA;
    }
    sv_ctx *ctx = cli_ctx_create();
    if (!ctx)
        return EXIT_DATA;
    cli_catch_signals(ctx);
    /* --overwrite replaces any file (as export does); else the folder must exist and be writable */
    sv_status st = exists ? SV_OK : sv_store_check_target(ctx, out);
    if (st == SV_OK)
        st = sv_pg_fetch(ctx, db, pg->schema ? pg->schema : SV_PG_DEFAULT_SCHEMA, pg->run, out, &pg->run_id);
    int rc = st == SV_OK ? EXIT_OK : cli_fail(ctx, st, "export");
    if (st == SV_OK)
        cli_eprintf("export", "wrote run %lld to %s", pg->run_id, out);
    cli_run_ctx_end(ctx);
    return rc;
}

int cmd_export(int argc, char **argv)
{
    const char *db = NULL, *layer = NULL, *out = NULL, *format = NULL;
    double minutes = NAN, radius = NAN;
    sv_coords coords = SV_COORDS_WGS84;
    int overwrite = 0, rest;
    cli_pg pg = {0};
    /* inf would be "no such column" in the filter */
    const cli_arg args[] = {
        CLI_STR("db", &db),
        CLI_PG_ARGS(&pg),
        CLI_STR("layer", &layer),
        CLI_STR("out", &out),
        CLI_STR("format", &format),
        CLI_NUM("minutes", &minutes, 0, 1, INFINITY, "give a break in minutes, e.g. 15", NULL),
        CLI_NUM("radius", &radius, 0, 1, INFINITY, "give a break in metres, e.g. 500", NULL),
        CLI_SET("overwrite", 0, &overwrite, 1),
        CLI_PRINT("help", help),
        CLI_FN("coords", &coords, cli_coords_arg, 0),
        CLI_END,
    };
    int prc = cli_args_parse("export", argc, argv, args, &rest);
    if (prc != 0)
        return prc == CLI_ARGS_DONE ? EXIT_OK : prc;
    if (rest < argc)
        return cli_usage("export", "unexpected argument '%s'", argv[rest]);
    if (out && (sv_pg_is_uri(out) || (format && (strcasecmp(format, "PostgreSQL") == 0 ||
                                                 strcasecmp(format, "PG") == 0 || strcasecmp(format, "PGDump") == 0))))
        return cli_usage("export", "--out %s%s%s: export writes files; to put results into PostgreSQL/PostGIS run "
                         "'svcov analyze ... --out PG:\"host=... dbname=...\"' (every table, typed geometry, GiST "
                         "indexes, one transaction per run), then read them with --db PG:...", out,
                         format ? " --format " : "", format ? format : "");
    if (db && cli_pg_check("export", db, &pg) != 0)
        return EXIT_USAGE;
    if (db && !layer && out && sv_pg_is_uri(db))
        return export_run(db, &pg, out, overwrite);
    if (!db || !layer || !out)
        return cli_usage("export", "--db, --layer and --out are required");
    sv_table table = layer_table(layer);
    if (table == SV_TABLE_COUNT) {
        /* the layers planners export most first, then the others in the schema's order */
        static const char *const first[] = {"gaps", "gap_parts", "coverage", "service_areas", "district_coverage"};
        const size_t n_first = sizeof first / sizeof first[0];
        char all[1536] = "";
        for (size_t i = 0; i < n_first; i++)
            snprintf(all + strlen(all), sizeof all - strlen(all), "%s%s", i ? ", " : "", first[i]);
        for (int t = 0; t < SV_TABLE_COUNT; t++) {
            const char *name = sv_table_name((sv_table)t);
            size_t i = 0;
            while (i < n_first && strcmp(first[i], name) != 0)
                i++;
            if (i == n_first)
                snprintf(all + strlen(all), sizeof all - strlen(all), ", %s", name);
        }
        return cli_usage("export", "--layer %s: use one of %s", layer, all);
    }
    /* layers with a break: its minutes and radius_m columns */
    if ((!isnan(minutes) || !isnan(radius)) && !sv_table_has_column(table, "mode"))
        return cli_usage("export", "--minutes/--radius filter layers that have breaks; '%s' has none", layer);
    if ((!isnan(minutes) && !sv_table_has_column(table, "minutes")) ||
        (!isnan(radius) && !sv_table_has_column(table, "radius_m")))
        return cli_usage("export", "--minutes/--radius filter layers that have breaks; '%s' has none", layer);
    char where[128] = "";
    /* Breaks are stored as given; compare with a tolerance for decimals. */
    if (!isnan(minutes))
        snprintf(where, sizeof where, "abs(minutes - %.10g) < 1e-9", minutes);
    else if (!isnan(radius))
        snprintf(where, sizeof where, "abs(radius_m - %.10g) < 1e-6", radius);

    /* analyze replaces only its own databases; an export cannot be told from any other file of its
     * format, so an existing one is replaced only when asked for, and never the database itself */
    struct stat so, sd;
    if (stat(out, &so) == 0) {
        if (S_ISDIR(so.st_mode)) {
            cli_eprintf("export", "--out %s is a folder; give a file name such as %s/%s.geojson", out, out, layer);
            return EXIT_DATA;
        }
        if (stat(db, &sd) == 0 && sd.st_dev == so.st_dev && sd.st_ino == so.st_ino) {
            cli_eprintf("export", "--out %s is the result database itself; choose another file", out);
            return EXIT_DATA;
        }
        if (!overwrite) {
            cli_eprintf("export", "--out %s already exists; add --overwrite to replace it, or choose another file", out);
            return EXIT_DATA;
        }
    }

    sv_ctx *ctx = cli_ctx_create();
    if (!ctx)
        return EXIT_DATA;
    cli_catch_signals(ctx);
    sv_store_reader *rd = NULL;
    sv_status st = cli_pg_fetch(ctx, &pg, &db);
    if (st == SV_OK)
        st = sv_store_open_read(ctx, db, &rd);
    if (st == SV_OK && *where) {
        /* A break that is not in the database is a usage error, not an empty file. */
        char sql[256];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE %s", layer, where);
        long n = 0;
        st = sv_store_read(ctx, rd, sql, NULL, NULL, 0, count_rows, &n);
        if (st == SV_OK && n == 0)
            st = sv_error(ctx, SV_ERR_USAGE, "%s has no '%s' rows for that break; see 'svcov query --db %s "
                          "break_summary' for the breaks it holds", db, layer, db);
    }
    sv_store_close_read(rd); /* GDAL opens the database for the export itself */
    if (st == SV_OK)
        st = sv_export_table(ctx, db, layer, *where ? where : NULL, out, format, coords);
    int rc = st == SV_OK ? EXIT_OK : cli_fail(ctx, st, "export");
    cli_pg_done(&pg);
    if (st == SV_OK)
        cli_eprintf("export", "wrote %s", out);
    cli_run_ctx_end(ctx);
    return rc;
}

