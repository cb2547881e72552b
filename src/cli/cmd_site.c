/* cmd_site.c - svcov site: where to put the next stations. */
#define _GNU_SOURCE
#include "cli.h"
#include "table.h"

#include "svcov/sv_site.h"
#include "svcov/sv_text.h"
#include "svcov/sv_pg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* svcov site --help: models, solvers, inputs, with examples. */
static void help(void)
{
    cli_help("Usage: svcov site --demand PATH[:LAYER] (--candidates PATH[:LAYER] | --grid M --districts PATH)\n"
             "                  (--radius M | --minutes N [--mode walk|bike|ebike]) --model mclp|lscp --out DB\n\n");
    cli_help("Chooses sites for new stations from candidate sites so that demand (households, buildings,\n"
             "addresses; polygons at their centroid) is within reach. Existing stations stay open and are not\n"
             "counted. A point is covered when a station or site is within the radius (straight line, inclusive),\n"
             "or with --network when it is within the time or distance along the streets.\n\n");
    cli_help("Models:\n"
             "  --model mclp --k N             maximal coverage: the N new sites covering the most demand weight\n"
             "  --model lscp                   set covering: the fewest new sites covering every coverable point\n"
             "  --target P                     lscp: cover the share P of all demand weight instead (more than the\n"
             "                                 candidates can reach is capped at every coverable point, with a warning)\n"
             "  --min-district-share P         mclp: first bring every district to P where it can, then the most\n"
             "  A share P is a percentage (90%%) or a fraction (0.9); a bare number above 1 is refused.\n\n");
    cli_help("Solvers: a lazy greedy always runs; --exact also solves the model exactly and reports the proven\n"
             "optimum, by default with COIN-OR CBC (its library, built into svcov when coinor-libcbc-dev was\n"
             "installed), else with GLPK's MIP solver; --solver glpk|cbc chooses (CBC was 6.6x faster on\n"
             "bench_site.sh's model). Ctrl-C stops either within a second.\n"
             "--time-limit S (seconds, default 60, fractions allowed) bounds the whole exact\n"
             "solve; when it runs out the best answer found (the greedy's at least) is kept, with proven_optimal 0,\n"
             "the bound and gap when the LP relaxation finished, and a note.\n\n");
    cli_help("Inputs:\n"
             "  --demand PATH[:LAYER]     --demand-id FIELD   --demand-weight FIELD (default: weight, else 1)\n"
             "  --candidates PATH[:LAYER] --candidate-id FIELD\n"
             "  --grid M                  candidates on a grid of M metres inside --districts\n"
             "  --grid-in gaps            ... only where no existing station reaches\n"
             "  --stations PATH[:LAYER]   existing stations (--station-id, --where)\n"
             "  --districts PATH[:LAYER]  for grids, floors and the before/after table (--district-id, --district-name)\n"
             "  --radius M | --minutes N --mode walk|bike|ebike [--speed KMH] [--detour F]\n"
             "  --crs auto|auto-cgcs2000|EPSG:n  --strict\n"
             "  --allow-network           read inputs given as URLs or /vsicurl/ ... paths (else refused)\n"
             "  --write-mps FILE          the exact model as free MPS for other solvers, always a minimisation (MCLP:\n"
             "                            of minus the covered weight, so its optimum is the negative of the new\n"
             "                            coverage); glpsol --freemps FILE and cbc FILE solve it as written\n"
             "  --out DB                  result database: tables sites, site_runs, site_district_coverage\n"
             "  --db DB                   an earlier 'svcov analyze' result: its stations, districts and CRS are\n"
             "                            used, and the siting tables are added to it (or to a copy at --out);\n"
             "                            on a network analysis reach is measured along its streets with its\n"
             "                            network, mode, snapping and (without --minutes/--radius) largest break;\n"
             "                            --db PG:\"CONN\" [--run ID] [--pg-schema NAME]: a run in PostGIS, the\n"
             "                            siting tables added to that run (or written to --out FILE.sqlite)\n\n");
    cli_help("Along the streets (the engine of 'svcov analyze --network'; one bounded search per site, all cores):\n"
             "  --network PATH[:LAYER]    road lines; --mode walk|bike|ebike|car, --speeds FILE.csv,\n"
             "                            --highway-field FIELD as for analyze; --minutes N at the mode's speeds or\n"
             "                            --radius M metres along the streets\n"
             "  --snap edge|node  --access-legs on|off  --max-snap M (default 500)   as for analyze\n"
             "  --grid M                  grid nodes moved to the nearest street point (repeats merged)\n"
             "  --candidates-from nodes   street intersections (3 or more streets meet) inside the districts,\n"
             "  --min-spacing M           ... none closer than M metres to another (default 0: all)\n\n");
    cli_help("Capacity (--model mclp without --min-district-share):\n"
             "  --capacity C              each new site serves at most C demand weight; demand is assigned to open\n"
             "                            sites within reach (split where needed); greedy with an assignment step,\n"
             "                            --exact the capacitated model (GLPK or CBC); sites.load: the loads\n"
             "  --capacity-field FIELD    a capacity per candidate from --candidates (a bad value skips the site)\n"
             "\n"
             "  --lang LANG   en or zh (简体中文): the summary; default from LANG/LC_ALL\n"
             "  -q, --quiet\n\n");
    cli_inputs_help();
    cli_help("Examples:\n"
             "  svcov site --demand buildings.geojson --stations stations.geojson --candidates sites.gpkg \\\n"
             "             --radius 500 --model mclp --k 10 --exact --out siting.sqlite\n"
             "  svcov site --demand homes.gpkg --districts districts.geojson --grid 100 --grid-in gaps \\\n"
             "             --minutes 15 --mode walk --model mclp --k 20 --min-district-share 80%% --out s.sqlite\n"
             "  svcov site --demand homes.gpkg --candidates sites.gpkg --radius 1000 --model lscp --target 95%% \\\n"
             "             --out s.sqlite\n"
             "  svcov site --db out/demo.sqlite --demand homes.gpkg --grid 200 --grid-in gaps --radius 641 \\\n"
             "             --model mclp --k 5 --exact\n"
             "  svcov site --demand homes.gpkg --stations stations.geojson --network roads.geojson --mode walk \\\n"
             "             --minutes 10 --candidates-from nodes --min-spacing 100 --districts districts.geojson \\\n"
             "             --model mclp --k 10 --exact --out net_siting.sqlite\n"
             "  svcov site --demand homes.gpkg --candidates sites.gpkg --radius 500 --model mclp --k 5 \\\n"
             "             --capacity 40 --exact --out capacitated.sqlite\n\n");
    cli_help("Exit status: 0 success, 1 data or runtime error, 2 usage error, 130 interrupted.\n");
}

/* A share: "90%" (a percentage, above 0 and at most 100) or "0.9" (a
 * fraction, above 0 and at most 1). A bare number above 1 is refused: "90"
 * could mean either, and reading "0.9" as 0.9% would be a silent surprise. */
static int parse_share(const char *cmd, const cli_arg *a, const char *s)
{
    char opt[64];
    snprintf(opt, sizeof opt, "--%s", a->name);
    double *v = a->ptr;
    char *end = NULL;
    double x = strtod(s, &end);
    int percent = end != s && strcmp(end, "%") == 0;
    if (end == s || (*end && !percent) || !isfinite(x) || !(x > 0))
        return cli_usage(cmd, "%s %s: give a share as a percentage such as 90%% or a fraction such as 0.9", opt,
                         s);
    if (percent && x > 100)
        return cli_usage(cmd, "%s %s: a share is at most 100%%", opt, s);
    if (!percent && x > 1)
        return cli_usage(cmd, "%s %s: a number without %% is a fraction, at most 1; write %g%% or %g", opt, s, x,
                         x / 100.0);
    *v = percent ? x / 100.0 : x;
    return 0;
}

int cmd_site(int argc, char **argv)
{
    sv_siting_opts o;
    sv_siting_opts_init(&o);
    int quiet = 0, model = -1, allow_network = 0, solver = -1, rest;
    cli_pg pg = {0};
    const char *lang_arg = NULL;
    sv_lang L = SV_LANG_EN;
    cli_inputs inputs;
    memset(&inputs, 0, sizeof inputs);
    static const cli_choice grid_in[] = {{"districts", 0}, {"gaps", 1}, {NULL, 0}};
    static const cli_choice models[] = {{"mclp", SV_SITE_MCLP}, {"lscp", SV_SITE_LSCP}, {NULL, 0}};
    static const cli_choice cand_from[] = {{"nodes", 1}, {NULL, 0}};
    static const cli_choice solvers[] = {{"glpk", 0}, {"cbc", 1}, {NULL, 0}};
#define POSITIVE(name, ptr) CLI_NUM(name, ptr, 0, 1, INFINITY, "give a number above 0", NULL)
    const cli_arg args[] = {
        CLI_STR("demand", &o.demand.spec),
        CLI_STR("demand-id", &o.demand.id_field),
        CLI_STR("demand-weight", &o.demand.weight_field),
        CLI_STR("candidates", &o.candidates.spec),
        CLI_STR("candidate-id", &o.candidates.id_field),
        POSITIVE("grid", &o.grid_m),
        CLI_CHOICE("grid-in", &o.grid_in_gaps, grid_in, "use districts or gaps"),
        CLI_STR("stations", &o.stations.spec),
        CLI_STR("station-id", &o.stations.id_field),
        CLI_STR("where", &o.stations.where),
        CLI_STR("districts", &o.districts.spec),
        CLI_STR("district-id", &o.districts.id_field),
        CLI_STR("district-name", &o.districts.name_field),
        POSITIVE("radius", &o.radius_m),
        POSITIVE("minutes", &o.minutes),
        CLI_STR("mode", &o.mode),
        POSITIVE("speed", &o.speed_kmh),
        POSITIVE("detour", &o.detour),
        CLI_CHOICE("model", &model, models, "use mclp (maximal coverage) or lscp (set covering)"),
        CLI_WHOLE("k", &o.k, 1, 1000000, "give a whole number of new sites, at least 1"),
        CLI_FN("target", &o.target_share, parse_share, 0),
        CLI_FN("min-district-share", &o.min_district_share, parse_share, 0),
        CLI_SET("exact", 0, &o.exact, 1),
        POSITIVE("time-limit", &o.time_limit_s),
        CLI_STR("write-mps", &o.mps_path),
        CLI_STR("crs", &o.crs),
        CLI_SET("strict", 0, &o.strict, 1),
        CLI_SET("allow-network", 0, &allow_network, 1),
        CLI_STR("out", &o.out_path),
        CLI_STR("db", &o.db_path),
        CLI_PG_ARGS(&pg),
        CLI_SET("quiet", 'q', &quiet, 1),
        CLI_PRINT("help", help),
        CLI_STR("lang", &lang_arg),
        CLI_STR("network", &o.network.spec),
        CLI_STR("highway-field", &o.network.category_field),
        CLI_STR("speeds", &o.speeds_csv),
        CLI_SNAP_OPTIONS(&o.snap, &o.access_legs, &o.max_snap_m),
        CLI_CHOICE("candidates-from", &o.candidates_from_nodes, cand_from, "use nodes (the street intersections)"),
        CLI_NUM("min-spacing", &o.min_spacing_m, 0, 0, INFINITY, "not a number", SV_N_("give metres, 0 or more")),
        POSITIVE("capacity", &o.capacity),
        CLI_STR("capacity-field", &o.candidates.weight_field),
        CLI_CHOICE("solver", &solver, solvers, "use glpk or cbc (COIN-OR CBC, built in)"),
        CLI_INPUT_ARGS(&inputs),
        CLI_END,
    };
#undef POSITIVE
    int prc = cli_args_parse("site", argc, argv, args, &rest);
    if (prc != 0)
        return prc == CLI_ARGS_DONE ? EXIT_OK : prc;
    int have_model = model >= 0, have_solver = solver >= 0;
    if (have_solver)
        o.solver_cbc = solver == 1;
    if (have_model)
        o.model = (sv_site_model)model;
    int lang_rc = cli_lang("site", lang_arg, &L);
    if (lang_rc != 0)
        return lang_rc;
    if (rest < argc)
        return cli_usage("site", "unexpected argument '%s'", argv[rest]);
    sv_source_opts *const srcs[CLI_INPUTS] = {[SV_ROLE_STATIONS] = &o.stations, [SV_ROLE_DISTRICTS] = &o.districts,
                                              [SV_ROLE_DEMAND] = &o.demand, [SV_ROLE_CANDIDATES] = &o.candidates};
    if (cli_inputs_apply("site", &inputs, srcs) != 0)
        return EXIT_USAGE;
    if (!o.demand.spec || (!o.out_path && !o.db_path) || !have_model)
        return cli_usage("site", "--demand, --model and --out (or --db) are required");
    if (o.radius_m > 0 && o.minutes > 0)
        return cli_usage("site", "give --radius or --minutes, not both");
    if (!(o.radius_m > 0) && !(o.minutes > 0) && !o.db_path)
        return cli_usage("site", "give the reach as --radius M or --minutes N");
    if (o.model == SV_SITE_MCLP && o.k < 1)
        return cli_usage("site", "--model mclp needs --k N");
    if (o.model == SV_SITE_LSCP && (o.k > 0 || o.min_district_share > 0))
        return cli_usage("site", "--k and --min-district-share go with --model mclp");
    if (o.model == SV_SITE_MCLP && o.target_share > 0)
        return cli_usage("site", "--target goes with --model lscp");
    if (!!o.candidates.spec + (o.grid_m > 0) + o.candidates_from_nodes > 1)
        return cli_usage("site", "give one of --candidates, --grid and --candidates-from nodes");
    if (have_solver && !o.exact)
        return cli_usage("site", "--solver goes with --exact");
    if (o.min_spacing_m > 0 && !o.candidates_from_nodes)
        return cli_usage("site", "--min-spacing goes with --candidates-from nodes");
    if (o.db_path && cli_pg_check("site", o.db_path, &pg) != 0)
        return EXIT_USAGE;
    /* --db PG:...: the run is read from a temporary copy; without --out (or with --out the same PG:) the
     * siting tables are added to that run in the database */
    const char *pg_uri = o.db_path && sv_pg_is_uri(o.db_path) ? o.db_path : NULL;
    if (o.out_path && sv_pg_is_uri(o.out_path)) {
        if (!pg_uri || strcmp(o.out_path, pg_uri) != 0)
            return cli_usage("site", "--out %s: site adds its tables to the run of --db PG:...; give --db %s (and "
                             "leave --out out), or --out FILE.sqlite", o.out_path, o.out_path);
        o.out_path = NULL;
    }

    char *cmdline = cli_command_line(argc, argv);
    o.command_line = cmdline;
    sv_ctx *ctx = cli_run_ctx("site", allow_network, 0, quiet);
    if (!ctx) {
        free(cmdline);
        return EXIT_DATA;
    }
    sv_siting *s = NULL;
    /* One writer at a time: site --db X reads X, copies it and renames the
     * copy over X, all under the lock, so a second run cannot lose either. */
    sv_lock *lock = NULL;
    long long site_run_id = 0;
    sv_status st = cli_pg_fetch(ctx, &pg, &o.db_path);
    if (st == SV_OK)
        st = sv_lock_output(ctx, o.out_path ? o.out_path : o.db_path, &lock);
    if (st == SV_OK)
        st = sv_siting_run(ctx, &o, &s);
    if (st == SV_OK && pg_uri && !o.out_path)
        st = sv_pg_publish_site(ctx, pg_uri, pg.schema ? pg.schema : SV_PG_DEFAULT_SCHEMA, pg.run_id, o.db_path,
                                &site_run_id);
    sv_unlock_output(lock);
    cli_pg_done(&pg);
    cli_progress_end();
    cli_print_issues(ctx, "site");
    int rc = EXIT_OK;
    if (st != SV_OK) {
        rc = cli_fail(ctx, st, "site");
    } else if (!quiet) {
        const sv_site_result *r = &s->res;
        const char *hdr[] = {sv_tr(L, "rank"), sv_tr(L, "site"),    sv_tr(L, "district"),
                             sv_tr(L, "gain"), sv_tr(L, "covered"), sv_tr(L, "share %")};
        cli_table *t = table_create(6, hdr, "rllrrr");
        double cum = r->existing_covered;
        for (size_t k = 0; t && k < r->n_chosen; k++) {
            char rank[16], gain[32], covd[32], pct[32];
            cum += r->gain[k];
            snprintf(rank, sizeof rank, "%zu", k + 1);
            snprintf(gain, sizeof gain, "%.6g", r->gain[k]);
            snprintf(covd, sizeof covd, "%.6g", cum);
            snprintf(pct, sizeof pct, "%.2f", r->total_weight > 0 ? 100.0 * cum / r->total_weight : 0.0);
            const char *row[] = {rank, s->site_ids[k], s->site_districts[k] ? s->site_districts[k] : "", gain,
                                 covd, pct};
            table_add(t, row);
        }
        if (t) {
            table_print(t, stdout);
            table_destroy(t);
        }
        if (s->network && !isnan(s->minutes))
            printf(sv_tr(L, "\n%s, reach %g minutes along the streets, %zu demand points (weight %.6g), %zu "
                            "candidates, %zu existing stations\n"),
                   o.model == SV_SITE_MCLP ? sv_tr(L, "Maximal coverage") : sv_tr(L, "Set covering"), s->minutes,
                   s->n_demand, r->total_weight, s->n_candidates, s->n_stations);
        else if (s->network)
            printf(sv_tr(L, "\n%s, reach %.0f m along the streets, %zu demand points (weight %.6g), %zu candidates, "
                            "%zu existing stations\n"),
                   o.model == SV_SITE_MCLP ? sv_tr(L, "Maximal coverage") : sv_tr(L, "Set covering"), s->radius_m,
                   s->n_demand, r->total_weight, s->n_candidates, s->n_stations);
        else
            printf(sv_tr(L, "\n%s, reach %.0f m, %zu demand points (weight %.6g), %zu candidates, %zu existing "
                            "stations\n"),
                   o.model == SV_SITE_MCLP ? sv_tr(L, "Maximal coverage") : sv_tr(L, "Set covering"), s->radius_m,
                   s->n_demand,
                   r->total_weight, s->n_candidates, s->n_stations);
        if (s->network)
            printf(sv_tr(L, "reach lists along the streets in %.3f s\n"), s->reach_s);
        printf(sv_tr(L, "covered before: %.6g (%.2f%%), after: %.6g (%.2f%%) with %zu new sites; %zu points out of "
                        "reach\n"),
               r->existing_covered, r->total_weight > 0 ? 100.0 * r->existing_covered / r->total_weight : 0.0,
               r->objective, r->total_weight > 0 ? 100.0 * r->objective / r->total_weight : 0.0, r->n_chosen,
               r->n_uncoverable);
        int glpk = strcmp(r->solver, "glpk") == 0 || strcmp(r->solver, "cbc") == 0; /* the exact solver's answer */
        if (o.exact)
            printf(o.solver_cbc ? sv_tr(L, "exact (CBC %.2f s): %s; greedy %s %.6g in %.3f s\n")
                                : sv_tr(L, "exact (GLPK %.2f s): %s; greedy %s %.6g in %.3f s\n"),
                   r->exact_s,
                   r->proven_optimal ? sv_tr(L, "proven optimal")
                   : glpk            ? (r->timed_out ? sv_tr(L, "not proven optimal (time limit)")
                                                     : sv_tr(L, "not proven optimal"))
                   : r->timed_out    ? sv_tr(L, "stopped at the time limit, the greedy answer is kept")
                                     : sv_tr(L, "no solution, the greedy answer is kept"),
                   o.model == SV_SITE_MCLP ? sv_tr(L, "covers") : sv_tr(L, "needs"),
                   o.model == SV_SITE_MCLP ? r->greedy_objective : (double)r->greedy_sites, r->greedy_s);
        else
            printf(sv_tr(L, "greedy in %.3f s (add --exact for the proven optimum)\n"), r->greedy_s);
        if (!isnan(r->swap_objective))
            printf(sv_tr(L, "greedy covers %.6g; after %zu swaps of a site %.6g (%.3f s)\n"), r->greedy_objective,
                   r->n_swaps, r->swap_objective, r->swap_s);
        if (*r->note)
            printf(sv_tr(L, "note: %s\n"), r->note);
        char shown[1200];
        if (site_run_id)
            snprintf(shown, sizeof shown, "site run %lld of run %lld in %s", site_run_id, pg.run_id, pg_uri);
        printf(sv_tr(L, "Results: %s (tables sites, site_runs, site_district_coverage)\n"),
               site_run_id ? shown : o.out_path ? o.out_path : o.db_path);
    }
    sv_siting_destroy(s);
    cli_run_ctx_end(ctx);
    free(cmdline);
    return rc;
}
