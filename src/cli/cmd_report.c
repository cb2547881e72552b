/* cmd_report.c - svcov report: the per-district table, city totals and the run's parameters. */
#define _GNU_SOURCE
#include "cli.h"

#include "svcov/sv_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void help(void)
{
    cli_help("Usage: svcov report --db DB --out FILE.html|.md|.csv [--minutes N[,N] | --radius M[,M]]\n\n");
    cli_help("Writes the planner's report of a result database: per district the area (and, when the\n"
             "analysis had a population, the people) covered per break, the gaps, the stations inside and\n"
             "reaching, the redundancy and fairness figures when present; city-wide totals; the run's\n"
             "parameters and library versions. The HTML report is one file with the maps inlined (the\n"
             "city and one per district); Markdown suits a wiki, CSV a spreadsheet (one row per\n"
             "district and break, plus the city's rows with district_id \"(city)\").\n\n");
    cli_help("  --db DB            result database of 'svcov analyze'\n");
    cli_pg_help();
    cli_help("  --out FILE         .html, .md or .csv (the format follows the extension)\n"
             "  --minutes N[,N]    only these breaks (default all)\n"
             "  --radius M[,M]     the same for distance breaks\n"
             "  --title TEXT       the report's title\n"
             "  --no-district-maps HTML: only the city map (a smaller file)\n"
             "  --lang LANG        en or zh (简体中文): headings, column names, notes, maps; default from\n"
             "                     LANG/LC_ALL (zh... gives Chinese); CSV columns stay the database's names\n"
             "  -q, --quiet        no messages but errors\n\n");
    cli_help("Examples:\n"
             "  svcov report --db out/demo.sqlite --out out/report.html\n"
             "  svcov report --db out/demo.sqlite --minutes 15 --out report.md\n"
             "  svcov report --db out/demo.sqlite --out coverage.csv\n\n");
    cli_help("Exit status: 0 success, 1 data or runtime error, 2 usage error.\n");
}

static void on_warn(void *ud, const char *msg)
{
    (void)ud;
    cli_eprintf("report", "warning: %s", msg);
}

int cmd_report(int argc, char **argv)
{
    const char *db = NULL, *out = NULL, *title = NULL;
    cli_list minutes = {0}, radii = {0};
    const char *lang_arg = NULL;
    sv_lang lang = SV_LANG_EN;
    int quiet = 0, district_maps = 1, rc = EXIT_OK, rest;
    cli_pg pg = {0};
    const cli_arg args[] = {
        CLI_PG_ARGS(&pg),
        CLI_STR("db", &db),
        CLI_STR("out", &out),
        CLI_LIST("minutes", &minutes, "give breaks in minutes, e.g. 15 or 10,15"),
        CLI_LIST("radius", &radii, "give breaks in metres, e.g. 500"),
        CLI_STR("title", &title),
        CLI_SET("no-district-maps", 0, &district_maps, 0),
        CLI_SET("quiet", 'q', &quiet, 1),
        CLI_STR("lang", &lang_arg),
        CLI_PRINT("help", help),
        CLI_END,
    };
    if ((rc = cli_args_parse("report", argc, argv, args, &rest)) != 0) {
        rc = rc == CLI_ARGS_DONE ? EXIT_OK : rc;
        goto done;
    }
    if ((rc = cli_lang("report", lang_arg, &lang)) != 0)
        goto done;
    if (rest < argc) {
        rc = cli_usage("report", "unexpected argument '%s'", argv[rest]);
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
    sv_map_options mo = {minutes.v, minutes.n, radii.v, radii.n, NULL, on_warn, NULL, lang, SV_COORDS_WGS84, 0};
    ro.map = &mo;
    ro.district_maps = district_maps;
    ro.title = title;
    ro.lang = lang;
    sv_ctx *ctx = cli_ctx_create();
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
        cli_eprintf("report", "wrote %s", out);
    cli_run_ctx_end(ctx);
done:
    free(minutes.v);
    free(radii.v);
    return rc;
}
