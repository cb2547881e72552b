/* cmd_compare.c - svcov compare: a plan run against its base run. */
#define _GNU_SOURCE
#include "cli.h"
#include "table.h"
#include "args.h"

#include "svcov/sv_breaks.h"
#include "svcov/sv_compare.h"
#include "svcov/sv_lang.h"
#include "svcov/sv_text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void help(void)
{
    cli_help("Usage: svcov compare --base A.sqlite --plan B.sqlite --out C.sqlite\n\n");
    cli_help("Compares two results of 'svcov analyze' of the same districts, breaks, CRS and mode: the base\n"
             "(stations as they are) and a plan (e.g. 'svcov analyze ... --add-stations new.geojson\n"
             "--remove-stations S000003'). Writes an svcov database with district_change (covered share,\n"
             "gap and people before and after, per district and break), city_change, the areas gained and\n"
             "lost as polygons (coverage_gained, coverage_lost) and the stations added, removed and moved\n"
             "(station_change: same id over 1 cm apart is moved), next to the plan's own coverage tables.\n"
             "'svcov map --db C.sqlite' draws the change, 'svcov report --db C.sqlite' writes the\n"
             "before/after table, 'svcov query --db C.sqlite people_gained_per_station' ranks the new stations.\n"
             "Runs that cannot be compared (other districts, CRS, breaks or mode) are refused, exit 2.\n\n");
    cli_help("  --base DB          the run before the plan\n"
             "  --plan DB          the run with the plan\n"
             "  --out DB           the comparison (.sqlite; replaced only when complete, only if svcov wrote it)\n"
             "  --lang LANG        en or zh (简体中文): the summary; default from LANG/LC_ALL\n"
             "  -q, --quiet        no progress, no summary\n\n");
    cli_help("Examples:\n"
             "  svcov analyze --stations geodata/stations.geojson --districts geodata/districts.geojson \\\n"
             "                --out base.sqlite\n"
             "  svcov analyze --stations geodata/stations.geojson --districts geodata/districts.geojson \\\n"
             "                --add-stations new.geojson --out plan.sqlite\n"
             "  svcov compare --base base.sqlite --plan plan.sqlite --out change.sqlite\n"
             "  svcov map --db change.sqlite --out change.png\n\n");
    cli_help("Exit status: 0 success, 1 data or runtime error, 2 usage error (also: runs not comparable),\n"
             "130 interrupted.\n");
}

static void print_summary(sv_lang L, const sv_compare *c, const char *out)
{
    printf(sv_tr(L, "%zu districts compared; stations: %zu added, %zu removed, %zu moved\n"), c->n_districts,
           c->n_added, c->n_removed, c->n_moved);
    const char *hdr[] = {sv_tr(L, "break"), sv_tr(L, "covered % before"), sv_tr(L, "covered % after"),
                         sv_tr(L, "change pp"), sv_tr(L, "people covered change")};
    cli_table *t = table_create(5, hdr, "lrrrr");
    if (!t)
        return;
    for (size_t b = 0; b < c->n_breaks; b++) {
        const sv_compare_city *x = &c->city[b];
        char brk[64], pa[32], pb[32], d[32], dp[32] = "?";
        sv_break_label(L, x->minutes, x->radius_m, NULL, NULL, brk, sizeof brk);
        snprintf(pa, sizeof pa, "%.2f", x->pct_base);
        snprintf(pb, sizeof pb, "%.2f", x->pct_plan);
        snprintf(d, sizeof d, "%+.2f", x->pct_plan - x->pct_base);
        if (isfinite(x->pop_base) && isfinite(x->pop_plan))
            snprintf(dp, sizeof dp, "%+.0f", x->pop_plan - x->pop_base);
        const char *row[] = {brk, pa, pb, d, dp};
        table_add(t, row);
    }
    table_print(t, stdout);
    table_destroy(t);
    printf(sv_tr(L, "%zu district rows better, %zu worse (district_change)\nResults: %s\n"), c->n_improved, c->n_worse,
           out);
}

int cmd_compare(int argc, char **argv)
{
    sv_compare_opts o = {0};
    const char *lang_arg = NULL;
    sv_lang lang = SV_LANG_EN;
    int quiet = 0, rest;
    const cli_arg args[] = {
        CLI_STR("base", &o.base_path),
        CLI_STR("plan", &o.plan_path),
        CLI_STR("out", &o.out_path),
        CLI_STR("lang", &lang_arg),
        CLI_SET("quiet", 'q', &quiet, 1),
        CLI_PRINT("help", help),
        CLI_END,
    };
    int rc = cli_args_parse("compare", argc, argv, args, &rest);
    if (rc != 0)
        return rc == CLI_ARGS_DONE ? EXIT_OK : rc;
    if ((rc = cli_lang("compare", lang_arg, &lang)) != 0)
        return rc;
    if (rest < argc)
        return cli_usage("compare", "unexpected argument '%s'", argv[rest]);
    if (!o.base_path || !o.plan_path || !o.out_path)
        return cli_usage("compare", "--base, --plan and --out are required");
    char *cmdline = cli_command_line(argc, argv);
    o.command_line = cmdline;
    sv_ctx *ctx = cli_ctx_create();
    if (!ctx) {
        free(cmdline);
        return EXIT_DATA;
    }
    sv_ctx_set_warning(ctx, cli_warning, (void *)"compare");
    if (!quiet) {
        sv_ctx_set_progress(ctx, cli_progress, ctx);
        cli_progress_begin();
    }
    cli_catch_signals(ctx);
    sv_compare *cmp = NULL;
    sv_lock *lock = NULL;
    sv_status st = sv_lock_output(ctx, o.out_path, &lock);
    if (st == SV_OK)
        st = sv_compare_run(ctx, &o, &cmp);
    sv_unlock_output(lock);
    if (!quiet)
        cli_progress_end();
    if (st != SV_OK)
        rc = cli_fail(ctx, st, "compare");
    else if (!quiet)
        print_summary(lang, cmp, o.out_path);
    sv_compare_destroy(cmp);
    cli_run_ctx_end(ctx);
    free(cmdline);
    return rc;
}
