/* cmd_report.c - svcov report: the per-district table, city totals and the run's parameters. */
#define _GNU_SOURCE
#include "cli.h"

#include "svcov/sv_report.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void help(void)
{
    printf("Usage: svcov report --db DB --out FILE.html|.md|.csv [--minutes N[,N] | --radius M[,M]]\n\n"
           "Writes the planner's report of a result database: per district the area (and, when the\n"
           "analysis had a population, the people) covered per break, the gaps, the stations inside and\n"
           "reaching, the redundancy and fairness figures when present; city-wide totals; the run's\n"
           "parameters and library versions. The HTML report is one file with the maps inlined (the\n"
           "city and one per district); Markdown suits a wiki, CSV a spreadsheet (one row per\n"
           "district and break, plus the city's rows with district_id \"(city)\").\n\n"
           "  --db DB            result database of 'svcov analyze'\n"
           "  --out FILE         .html, .md or .csv (the format follows the extension)\n"
           "  --minutes N[,N]    only these breaks (default all)\n"
           "  --radius M[,M]     the same for distance breaks\n"
           "  --title TEXT       the report's title\n"
           "  --no-district-maps HTML: only the city map (a smaller file)\n"
           "  --lang LANG        en or zh (简体中文): headings, column names, notes, maps; default from\n"
           "                     LANG/LC_ALL (zh... gives Chinese); CSV columns stay the database's names\n"
           "  -q, --quiet        no messages but errors\n\n"
           "Examples:\n"
           "  svcov report --db out/demo.sqlite --out out/report.html\n"
           "  svcov report --db out/demo.sqlite --minutes 15 --out report.md\n"
           "  svcov report --db out/demo.sqlite --out coverage.csv\n\n"
           "Exit status: 0 success, 1 data or runtime error, 2 usage error.\n");
}

static void on_warn(void *ud, const char *msg)
{
    (void)ud;
    cli_eprintf("report", "warning: %s", msg);
}

int cmd_report(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},      {"out", required_argument, NULL, 'o'},
        {"minutes", required_argument, NULL, 'm'}, {"radius", required_argument, NULL, 'r'},
        {"title", required_argument, NULL, 't'},   {"no-district-maps", no_argument, NULL, 'N'},
        {"quiet", no_argument, NULL, 'q'},         {"lang", required_argument, NULL, 'l'},
        {"help", no_argument, NULL, 'h'},         CLI_PG_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL, *out = NULL, *title = NULL;
    double *minutes = NULL, *radii = NULL;
    size_t n_minutes = 0, n_radii = 0;
    const char *lang_arg = NULL;
    sv_lang lang = SV_LANG_EN;
    int quiet = 0, district_maps = 1, c, rc = EXIT_OK;
    cli_pg pg = {0};
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "q", longopts, NULL)) != -1) {
        int pk = cli_pg_option("report", c, optarg, &pg);
        if (pk == EXIT_USAGE) {
            rc = pk;
            goto done;
        }
        if (pk)
            continue;
        switch (c) {
        case 'd': db = optarg; break;
        case 'o': out = optarg; break;
        case 't': title = optarg; break;
        case 'N': district_maps = 0; break;
        case 'q': quiet = 1; break;
        case 'm':
            free(minutes);
            if (cli_parse_list(optarg, &minutes, &n_minutes) != 0) {
                rc = cli_usage("report", "--minutes %s: give breaks in minutes, e.g. 15 or 10,15", optarg);
                goto done;
            }
            break;
        case 'r':
            free(radii);
            if (cli_parse_list(optarg, &radii, &n_radii) != 0) {
                rc = cli_usage("report", "--radius %s: give breaks in metres, e.g. 500", optarg);
                goto done;
            }
            break;
        case 'l': lang_arg = optarg; break;
        case 'h': help(); goto done;
        default: rc = cli_usage("report", "unknown or incomplete option '%s'", argv[optind - 1]); goto done;
        }
    }
    if ((rc = cli_lang("report", lang_arg, &lang)) != 0)
        goto done;
    if (optind < argc) {
        rc = cli_usage("report", "unexpected argument '%s'", argv[optind]);
        goto done;
    }
    if (!db || !out) {
        rc = cli_usage("report", "--db and --out are required");
        goto done;
    }
    if ((rc = cli_pg_check("report", db, &pg)) != 0)
        goto done;
    sv_report_options ro = {0};
    const char *dot = strrchr(out, '.');
    if (dot && (strcasecmp(dot, ".html") == 0 || strcasecmp(dot, ".htm") == 0))
        ro.format = SV_REPORT_HTML;
    else if (dot && strcasecmp(dot, ".md") == 0)
        ro.format = SV_REPORT_MD;
    else if (dot && strcasecmp(dot, ".csv") == 0)
        ro.format = SV_REPORT_CSV;
    else {
        rc = cli_usage("report", "--out %s: the file name must end in .html, .md or .csv", out);
        goto done;
    }
    sv_map_options mo = {minutes, n_minutes, radii, n_radii, NULL, on_warn, NULL, lang, SV_COORDS_WGS84};
    ro.map = &mo;
    ro.district_maps = district_maps;
    ro.title = title;
    ro.lang = lang;
    sv_ctx *ctx = sv_ctx_create();
    if (!ctx) {
        rc = EXIT_DATA;
        goto done;
    }
    cli_catch_signals(ctx);
    sv_status st = cli_pg_fetch(ctx, &pg, &db);
    if (st == SV_OK)
        st = sv_report_write(ctx, db, &ro, out);
    cli_pg_done(&pg);
    rc = st == SV_OK ? EXIT_OK : cli_fail(ctx, st, "report");
    if (st == SV_OK && !quiet)
        fprintf(stderr, "svcov report: wrote %s\n", out);
    sv_ctx_destroy(ctx);
done:
    free(minutes);
    free(radii);
    return rc;
}
