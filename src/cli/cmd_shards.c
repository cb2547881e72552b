/* cmd_shards.c - one analysis split into shards that any number of machines compute together:
 * svcov plan, worker, finish and status (issue 14; sv_shards.h, store_pg.c). A shard is computed by
 * cmd_analyze itself, with the shard's filter as its hook. */
#define _GNU_SOURCE
#include "cli.h"
#include "table.h"

#include "svcov/sv_pg.h"
#include "svcov/sv_shards.h"
#include "svcov/sv_text.h"

#include <errno.h>
#include <math.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void rm_tree(const char *dir)
{
    if (dir && *dir)
        nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int make_tmp(char *dir, size_t size, const char *tag)
{
    const char *t = getenv("TMPDIR");
    snprintf(dir, size, "%s/svcov-%s-XXXXXX", t && *t ? t : "/tmp", tag);
    return mkdtemp(dir) ? 0 : -1;
}

/* The options of analyze that name an input file. */
static int is_input_option(const char *a)
{
    static const char *const opts[] = {"--stations", "--districts", "--network", "--demand", "--population",
                                       "--population-raster", "--speeds", NULL};
    for (size_t i = 0; opts[i]; i++)
        if (strcmp(a, opts[i]) == 0)
            return 1;
    return 0;
}

static void plan_help(void)
{
    cli_help("Usage: svcov plan ANALYZE-OPTIONS (--shards N | --shard-by FIELD) --out PG:\"CONN\" [--pg-schema NAME]\n\n");
    cli_help("Split one analysis into shards that 'svcov worker' computes, on any number of machines, into the\n"
             "PostGIS database: the inputs are read once (their districts, CRS and the largest reach), stored in\n"
             "the database with the plan, and a run with a 'shards' table is created; its id is printed.\n\n");
    cli_help("  --shards N          tiles of about equal numbers of districts (by their centres)\n"
             "  --shard-by FIELD    one shard per value of the districts' FIELD (e.g. a county code)\n"
             "  --out PG:\"CONN\"     the PostGIS database (libpq connection string)\n"
             "  --pg-schema NAME    its schema (default svcov)\n"
             "  every other option is analyze's (svcov analyze --help); give each as '--option VALUE'\n\n");
    cli_help("Then: svcov worker --db PG:... (as many as you like), svcov finish --db PG:... --run ID.\n\n");
    cli_help("Examples:\n"
             "  svcov plan --stations s.gpkg --districts d.gpkg --minutes 10,15 --shards 9 \\\n"
             "             --out PG:\"host=db dbname=gis\"\n"
             "  svcov plan --stations s.gpkg --districts d.gpkg:towns --shard-by county --network roads.gpkg \\\n"
             "             --out PG:\"host=db dbname=gis\" --pg-schema province\n\n");
    cli_help("Exit status: 0 success, 1 data or runtime error, 2 usage error, 130 interrupted.\n");
}

/* The path part of PATH[:LAYER] that exists, and the layer (NULL when none). */
static int split_input(const char *spec, char *path, size_t size, const char **layer)
{
    struct stat sb;
    *layer = NULL;
    if (stat(spec, &sb) == 0) {
        snprintf(path, size, "%s", spec);
        return 0;
    }
    const char *colon = strrchr(spec, ':');
    if (colon && colon != spec && colon[1]) {
        snprintf(path, size, "%.*s", (int)(colon - spec), spec);
        if (stat(path, &sb) == 0) {
            *layer = colon + 1;
            return 0;
        }
    }
    return -1;
}

int cmd_plan(int argc, char **argv)
{
    const char *out = NULL, *schema = NULL, *by = NULL;
    int shards = 0;
    char **rest = calloc((size_t)argc + 8, sizeof *rest);
    int *input_at = calloc((size_t)argc + 1, sizeof *input_at);
    size_t n_rest = 0, n_inputs = 0;
    int rc = EXIT_OK;
    char tmp[4096] = "";
    sv_shard_plan plan = {0};
    sv_ctx *ctx = NULL;
    sv_pg_input *inputs = NULL;
    char **files = NULL, *facts = NULL;
    size_t n_files = 0;
    if (!rest || !input_at) {
        rc = EXIT_DATA;
        goto done;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            plan_help();
            goto done;
        }
        int own = strcmp(a, "--shards") == 0 || strcmp(a, "--shard-by") == 0 || strcmp(a, "--out") == 0 ||
                  strcmp(a, "--pg-schema") == 0;
        if (own && i + 1 >= argc) {
            rc = cli_usage("plan", "%s needs a value", a);
            goto done;
        }
        if (strcmp(a, "--shards") == 0) {
            char *end = NULL;
            long n = strtol(argv[++i], &end, 10);
            if (end == argv[i] || *end || n < 1 || n > 100000) {
                rc = cli_usage("plan", "--shards %s: give a whole number of shards, 1 or more", argv[i]);
                goto done;
            }
            shards = (int)n;
        } else if (strcmp(a, "--shard-by") == 0) {
            by = argv[++i];
        } else if (strcmp(a, "--out") == 0) {
            out = argv[++i];
        } else if (strcmp(a, "--pg-schema") == 0) {
            schema = argv[++i];
        } else {
            if (is_input_option(a) && i + 1 < argc) {
                rest[n_rest++] = argv[i++];
                input_at[n_inputs++] = (int)n_rest;
            }
            rest[n_rest++] = argv[i];
        }
    }
    if (!out || !sv_pg_is_uri(out)) {
        rc = cli_usage("plan", "give --out PG:\"CONNECTION\": a sharded run lives in a PostGIS database");
        goto done;
    }
    if (!!shards + !!by != 1) {
        rc = cli_usage("plan", "give --shards N (tiles of equal district counts) or --shard-by FIELD (one shard per value)");
        goto done;
    }
    if (!(ctx = cli_ctx_create())) {
        rc = EXIT_DATA;
        goto done;
    }
    sv_status st = sv_pg_check_target(ctx, out, schema ? schema : SV_PG_DEFAULT_SCHEMA);
    if (st != SV_OK) {
        rc = cli_fail(ctx, st, "plan");
        goto done;
    }
    if (make_tmp(tmp, sizeof tmp, "plan") != 0) {
        cli_eprintf("plan", "cannot make a temporary folder: %s", strerror(errno));
        tmp[0] = '\0';
        rc = EXIT_DATA;
        goto done;
    }
    /* analyze reads the inputs (every check of analyze), the hook takes the districts and stops */
    {
        char outp[4200];
        snprintf(outp, sizeof outp, "%s/plan.sqlite", tmp);
        const char **av = calloc(n_rest + 8, sizeof *av);
        if (!av) {
            rc = EXIT_DATA;
            goto done;
        }
        int n = 0;
        av[n++] = "analyze";
        for (size_t i = 0; i < n_rest; i++)
            av[n++] = rest[i];
        if (by) {
            av[n++] = "--district-name";
            av[n++] = by;
        }
        av[n++] = "--out";
        av[n++] = outp;
        av[n++] = "-q";
        plan.by_field = by != NULL;
        cli_analyze_hook = sv_shard_capture;
        cli_analyze_hook_data = &plan;
        rc = cmd_analyze(n, (char **)av);
        cli_analyze_hook = NULL;
        cli_analyze_hook_data = NULL;
        free(av);
        if (rc != EXIT_OK)
            goto done;
    }
    cli_catch_signals(ctx);
    if ((st = sv_shard_assign(ctx, &plan, shards)) != SV_OK) {
        rc = cli_fail(ctx, st, "plan");
        goto done;
    }
    /* each input file (a shapefile with its companions) goes into the database; the plan's arguments name
     * them as @input:N@ */
    inputs = calloc(n_inputs + 1, sizeof *inputs);
    files = calloc(n_inputs * 10 + 1, sizeof *files);
    if (!inputs || !files) {
        rc = EXIT_DATA;
        goto done;
    }
    static const char *const companions[] = {".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", NULL};
    for (size_t k = 0; k < n_inputs; k++) {
        int i = input_at[k];
        char path[4096];
        const char *layer = NULL;
        if (split_input(rest[i], path, sizeof path, &layer) != 0) {
            rc = cli_usage("plan", "%s %s: no such file (a sharded run stores its inputs in the database; give "
                           "local files)", rest[i - 1], rest[i]);
            goto done;
        }
        inputs[k].arg = i;
        inputs[k].layer = layer;
        inputs[k].files = (const char **)files + n_files;
        files[n_files++] = strdup(path);
        inputs[k].n_files = 1;
        const char *dot = strrchr(path, '.');
        if (dot && strcasecmp(dot, ".shp") == 0)
            for (size_t c = 0; companions[c]; c++) {
                char sib[4200];
                struct stat sb;
                snprintf(sib, sizeof sib, "%.*s%s", (int)(dot - path), path, companions[c]);
                if (stat(sib, &sb) == 0) {
                    files[n_files++] = strdup(sib);
                    inputs[k].n_files++;
                }
            }
        char *ph = malloc(strlen(layer ? layer : "") + 64);
        if (!ph) {
            rc = EXIT_DATA;
            goto done;
        }
        sprintf(ph, "@input:%zu@%s%s", k, layer ? ":" : "", layer ? layer : "");
        rest[i] = ph; /* freed below: every replaced argument is at an input_at index */
    }
    /* the run-wide facts a shard reading only its window cannot count (sv_shard_plan.has_facts), as the
     * last of the plan's arguments: the coordination tables keep their columns */
    if ((st = sv_shard_plan_own(ctx, &plan)) != SV_OK || (st = sv_shard_facts_write(ctx, &plan, &facts)) != SV_OK) {
        rc = cli_fail(ctx, st, "plan");
        goto done;
    }
    rest[n_rest++] = facts;
    char *cmdline0 = cli_command_line(argc, argv), *cmdline = sv_pg_hide_password(cmdline0);
    free(cmdline0);
    long long run_id = 0;
    st = sv_pg_plan(ctx, out, schema ? schema : SV_PG_DEFAULT_SCHEMA, &plan, cmdline ? cmdline : "svcov plan",
                    (const char *const *)rest, n_rest, inputs, n_inputs, &run_id);
    free(cmdline);
    if (st != SV_OK) {
        rc = cli_fail(ctx, st, "plan");
        goto done;
    }
    cli_eprintf("plan", "run %lld: %d shards of %zu districts, halo %.0f m; now start 'svcov worker --db "
            "PG:... --run %lld' on any number of machines, then 'svcov finish'",
            run_id, plan.n_shards, plan.n, plan.halo_m, run_id);
    printf("%lld\n", run_id);
done:
    for (size_t k = 0; inputs && k < n_inputs; k++)
        if (inputs[k].arg)
            free(rest[inputs[k].arg]);
    for (size_t f = 0; files && f < n_files; f++)
        free(files[f]);
    free(files);
    free(inputs);
    free(rest);
    free(facts);
    free(input_at);
    sv_shard_plan_free(&plan);
    rm_tree(tmp);
    cli_run_ctx_end(ctx);
    return rc;
}

/* ---- svcov worker ---- */

static void worker_help(void)
{
    cli_help("Usage: svcov worker --db PG:\"CONN\" [--run ID] [--jobs K] [--lease SECONDS] [--pg-schema NAME] [-q]\n\n");
    cli_help("Compute the shards of a planned run (svcov plan): claim the largest free shard (one at a time per job,\n"
             "FOR UPDATE SKIP LOCKED), compute it with the normal analysis on its districts and what lies within the\n"
             "halo, and publish its rows with its status in one transaction. A shard's lease is renewed while it is\n"
             "computed; a worker that dies loses only its lease, and the shard is claimed again when the lease runs\n"
             "out. Waits while others hold shards; exits 0 when the run has nothing left to do.\n\n");
    cli_help("  --run ID         the planned run (default: the latest not finished)\n"
             "  --jobs K         shards computed at the same time by this worker (processes; default 1)\n"
             "  --lease SECONDS  how long a claimed shard stays ours without a renewal (default 60)\n\n");
    cli_help("Examples:\n"
             "  svcov worker --db PG:\"host=db dbname=gis\" --jobs 4\n"
             "  svcov worker --db PG:\"host=db dbname=gis\" --run 12 --lease 30\n\n");
    cli_help("Exit status: 0 nothing left to do (also after losing a shard's lease to another worker: it stops\n"
             "computing that shard at once and publishes nothing of it), 1 data or runtime error (a shard's analysis\n"
             "failed: tried again up to 3 times, then failed; the database lost: the shard is redone), 2 usage error,\n"
             "130 interrupted.\n");
}

/* One worker process: claim, compute, publish until nothing is left. */
typedef struct {
    const char *const *from, *const *to; /* a worker's input files, and their paths on the plan's machine */
    size_t n;
} path_map;

/* What needed a wider halo (sv_shard_check), in the command's language. */
static const char *check_what(const sv_shard_worker *w, char *buf, size_t size)
{
    sv_lang L = cli_msg_lang();
    const char *why = w->check_why ? w->check_why : "";
    if (strcmp(why, "window") == 0)
        snprintf(buf, size, "%s", sv_tr(L, "window of the shard"));
    else if (strcmp(why, "demand") == 0)
        snprintf(buf, size, sv_tr(L, "demand %s"), w->check_id);
    else if (strcmp(why, "people point") == 0)
        snprintf(buf, size, sv_tr(L, "people point in %s"), w->check_id);
    else
        snprintf(buf, size, sv_tr(L, "responsibility %s"), w->check_id);
    return buf;
}

/* The lease of the shard being computed was lost (its renewal found another worker holding it): stop the
 * analysis at once (called from the lease's thread; ud is the worker's context). */
static void lease_lost(void *ud)
{
    cli_interrupt_nested(ud);
}

static int work(const char *uri, const char *schema, long long run_id, const sv_shard_plan *plan, char **args,
                size_t n_args, const char *dir, int lease_s, int quiet, const path_map *pm)
{
    char name[300], host[256] = "";
    gethostname(host, sizeof host - 1);
    snprintf(name, sizeof name, "%s:%ld", host, (long)getpid());
    sv_ctx *ctx = cli_ctx_create();
    if (!ctx)
        return EXIT_DATA;
    cli_catch_signals(ctx);
    int rc = EXIT_OK;
    for (;;) {
        if (sv_ctx_interrupted(ctx)) {
            rc = EXIT_INTERRUPTED;
            break;
        }
        int shard = 0, attempt = 0, state = 0;
        sv_status st = sv_pg_claim(ctx, uri, schema, run_id, name, lease_s, &shard, &attempt, &state);
        if (st != SV_OK) {
            rc = cli_fail(ctx, st, "worker");
            break;
        }
        if (state == 0)
            break;
        if (state == 2) { /* others hold the rest: one of them may die */
            for (int i = 0; i < 10 && !sv_ctx_interrupted(ctx); i++)
                nanosleep(&(struct timespec){0, 100 * 1000000L}, NULL);
            continue;
        }
        double t0 = sv_clock_s();
        sv_pg_lease *lease = sv_pg_lease_start(uri, schema, run_id, shard, name, attempt, lease_s, lease_lost, ctx);
        char outp[4200], crs[32];
        snprintf(outp, sizeof outp, "%s/shard-%d-%d.sqlite", dir, shard, attempt);
        snprintf(crs, sizeof crs, "EPSG:%d", plan->epsg);
        const char **av = calloc(n_args + 8, sizeof *av);
        int n = 0, arc = EXIT_DATA;
        sv_shard_worker w = {.plan = plan, .shard = shard, .scale = 1};
        if (av) {
            av[n++] = "analyze";
            for (size_t i = 0; i < n_args; i++)
                av[n++] = args[i];
            av[n++] = "--crs";
            av[n++] = crs;
            av[n++] = "--out";
            av[n++] = outp;
            av[n++] = "-q";
        }
        /* computed again with a wider halo while a kept row may depend on what lies beyond it (a demand
         * point's nearest station farther than the stations kept); at most until everything is kept */
        for (int pass = 0; av && sv_pg_lease_lost(lease, NULL) != 1; pass++) {
            /* streets and population polygons are read within what the filter can keep of them: the core
             * grown by 2H x scale (stations) + H (their streets) + H (own stations outside the core) */
            /* with the plan's facts, also the stations, districts and demand points, around the shard's own
             * area (its core and own stations and demand) instead of the core; the reader gets the box grown
             * a little, as the box is transformed to each layer's CRS by its corners and sides */
            w.window = sv_shard_window(plan, shard, w.scale);
            w.window_more = sv_shard_window_inputs(plan);
            double m = 10 + 0.01 * plan->halo_m;
            double box[4] = {w.window.xmin - m, w.window.ymin - m, w.window.xmax + m, w.window.ymax + m};
            cli_analyze_hook = sv_shard_filter;
            cli_analyze_hook_data = &w;
            cli_analyze_resp_district = sv_shard_own_district;
            cli_analyze_run_categories = sv_shard_run_categories;
            cli_analyze_window = box;
            cli_analyze_window_epsg = plan->epsg;
            cli_analyze_window_more = w.window_more;
            arc = cmd_analyze(n, (char **)av);
            cli_analyze_window_more = 0;
            cli_analyze_hook = NULL;
            cli_analyze_hook_data = NULL;
            cli_analyze_window = NULL;
            cli_analyze_resp_district = NULL;
            cli_analyze_run_categories = NULL;
            double wider = 0;
            if (arc != EXIT_OK)
                break;
            if ((st = sv_shard_check(ctx, outp, &w, &wider)) != SV_OK) {
                arc = cli_fail(ctx, st, "worker");
                break;
            }
            if (wider <= 0 || (w.all_stations && w.all_districts && !w.window_short) || pass >= 40)
                break;
            double scale = fmax(2 * w.scale, wider / (2 * plan->halo_m) * 1.01);
            char what[300];
            if (!quiet)
                cli_eprintf("worker", "shard %d: %s needs %.0f m around the shard (%.0f m kept); "
                        "computing it again with %.1f x the halo", shard, check_what(&w, what, sizeof what), wider,
                        w.known_m, scale);
            w.scale = scale;
            unlink(outp);
        }
        free(av);
        sv_pg_holder now;
        if (sv_pg_lease_lost(lease, &now) == 1 && !sv_ctx_interrupted(ctx)) {
            /* another worker has the shard: nothing of this attempt may be published; the next shard */
            sv_lang L = cli_msg_lang();
            sv_pg_lease_stop(lease);
            unlink(outp);
            sv_shard_worker_free(&w);
            cli_eprintf("worker", "shard %d: lost its lease of %d s (now %s by %s, attempt %d): stopped computing "
                    "it after %.1f s; nothing of attempt %d by %s was published", shard, lease_s,
                    sv_trp(L, "shard status", now.status), *now.worker ? now.worker : "-", now.attempt,
                    sv_clock_s() - t0, attempt, name);
            continue;
        }
        if (!quiet && arc == EXIT_OK)
            cli_eprintf("worker", "shard %d read %zu stations, %zu districts, %zu streets, %zu demand "
                    "points, %zu population polygons; kept %zu, %zu, %zu, %zu, %zu", shard, w.n_read[0],
                    w.n_read[1], w.n_read[2], w.n_read[3], w.n_read[4], w.n_used[0], w.n_used[1], w.n_used[2],
                    w.n_used[3], w.n_used[4]);
        long long rows = 0;
        if (arc == EXIT_OK) {
            st = sv_pg_publish_shard(ctx, uri, schema, run_id, shard, name, attempt, outp, sv_shard_keep_row, &w,
                                     pm->from, pm->to, pm->n, &rows);
        } else {
            char msg[128];
            snprintf(msg, sizeof msg, "the analysis of the shard failed (exit %d) on %s; see its stderr", arc, name);
            st = arc == EXIT_INTERRUPTED ? SV_ERR_INTERRUPTED
                                         : sv_pg_fail_shard(ctx, uri, schema, run_id, shard, name, attempt, msg);
        }
        sv_pg_lease_stop(lease); /* lost meanwhile: the publish refused (hold_shard) */
        unlink(outp);
        sv_shard_worker_free(&w);
        if (arc == EXIT_INTERRUPTED || st == SV_ERR_INTERRUPTED) {
            rc = EXIT_INTERRUPTED;
            break;
        }
        if (st == SV_ERR_OUTPUT) { /* the lease was lost: another worker has the shard */
            cli_fail(ctx, st, "worker");
            continue;
        }
        if (st != SV_OK) {
            rc = cli_fail(ctx, st, "worker");
            break;
        }
        if (arc != EXIT_OK) {
            if (attempt >= 3)
                cli_eprintf("worker", "shard %d failed (attempt %d): it is now failed, and 'svcov finish' refuses "
                        "the run; 'svcov status --run %lld' shows why", shard, attempt, run_id);
            else
                cli_eprintf("worker", "shard %d failed (attempt %d); it is tried again up to 3 times", shard,
                        attempt);
            rc = EXIT_DATA;
            continue;
        }
        if (!quiet)
            cli_eprintf("worker", "shard %d done by %s (attempt %d, %lld rows, %.1f s)", shard, name,
                    attempt, rows, sv_clock_s() - t0);
    }
    cli_run_ctx_end(ctx);
    return rc;
}

int cmd_worker(int argc, char **argv)
{
    const char *db = NULL;
    int jobs = 1, lease = 60, quiet = 0, rc = EXIT_OK, rest;
    cli_pg pg = {0};
    const cli_arg opts[] = {
        CLI_STR("db", &db),
        CLI_PG_ARGS(&pg),
        CLI_WHOLE("jobs", &jobs, 1, 256, "give a whole number from 1 to 256"),
        CLI_WHOLE("lease", &lease, 1, 86400, "give whole seconds, 1 or more"),
        CLI_SET("quiet", 'q', &quiet, 1),
        CLI_PRINT("help", worker_help),
        CLI_END,
    };
    int prc = cli_args_parse("worker", argc, argv, opts, &rest);
    if (prc != 0)
        return prc == CLI_ARGS_DONE ? EXIT_OK : prc;
    if (rest < argc)
        return cli_usage("worker", "unexpected argument '%s'", argv[rest]);
    if (!db || !sv_pg_is_uri(db))
        return cli_usage("worker", "give --db PG:\"CONNECTION\" (the database of 'svcov plan')");
    const char *schema = pg.schema ? pg.schema : SV_PG_DEFAULT_SCHEMA;
    sv_ctx *ctx = cli_ctx_create();
    if (!ctx)
        return EXIT_DATA;
    cli_catch_signals(ctx);
    sv_shard_plan plan;
    char **args = NULL, **paths = NULL, **originals = NULL;
    size_t n_args = 0, n_paths = 0, n_originals = 0;
    long long run_id = 0;
    char dir[4096] = "";
    sv_status st = sv_pg_plan_load(ctx, db, schema, pg.run, &run_id, &plan, &args, &n_args);
    if (st == SV_OK && make_tmp(dir, sizeof dir, "worker") != 0) {
        dir[0] = '\0';
        st = sv_error(ctx, SV_ERR_OUTPUT, "cannot make a temporary folder: %s", strerror(errno));
    }
    if (st == SV_OK)
        st = sv_pg_inputs_fetch(ctx, db, schema, run_id, dir, &paths, &n_paths, &originals, &n_originals);
    path_map pm = {(const char *const *)paths, (const char *const *)originals,
                   n_paths < n_originals ? n_paths : n_originals};
    /* the plan's facts: its last argument (a plan made before them has none), not one of analyze's */
    if (st == SV_OK && n_args > 0 && sv_shard_facts_is(args[n_args - 1])) {
        st = sv_shard_facts_read(ctx, &plan, args[n_args - 1]);
        free(args[--n_args]);
        args[n_args] = NULL;
    }
    /* the plan's @input:N@ arguments become the files just written */
    for (size_t i = 0; st == SV_OK && i < n_args; i++) {
        unsigned k;
        int used = 0;
        if (sscanf(args[i], "@input:%u@%n", &k, &used) == 1 && used > 0) {
            if (k >= n_paths || !paths[k]) {
                st = sv_error(ctx, SV_ERR_INPUT, "run %lld: input %u of the plan is missing", run_id, k);
                break;
            }
            char *a = malloc(strlen(paths[k]) + strlen(args[i] + used) + 1);
            if (!a) {
                st = SV_ERR_NOMEM;
                break;
            }
            sprintf(a, "%s%s", paths[k], args[i] + used);
            free(args[i]);
            args[i] = a;
        }
    }
    if (st != SV_OK) {
        rc = cli_fail(ctx, st, "worker");
    } else {
        pid_t *kids = calloc((size_t)jobs, sizeof *kids);
        for (int j = 1; kids && j < jobs; j++) {
            fflush(stdout);
            fflush(stderr);
            pid_t p = fork();
            if (p == 0)
                _exit(work(db, schema, run_id, &plan, args, n_args, dir, lease, quiet, &pm));
            kids[j] = p;
        }
        rc = work(db, schema, run_id, &plan, args, n_args, dir, lease, quiet, &pm);
        for (int j = 1; kids && j < jobs; j++) {
            int ws = 0;
            if (kids[j] > 0 && waitpid(kids[j], &ws, 0) == kids[j]) {
                int krc = WIFEXITED(ws) ? WEXITSTATUS(ws) : EXIT_DATA;
                if (krc > rc)
                    rc = krc;
            }
        }
        free(kids);
        if (rc == EXIT_OK && !quiet)
            cli_eprintf("worker", "run %lld has nothing left to do; run 'svcov finish --db PG:... --run "
                    "%lld' once every shard is done", run_id, run_id);
    }
    sv_pg_strings_free(args, n_args);
    sv_pg_strings_free(paths, n_paths);
    sv_pg_strings_free(originals, n_originals);
    sv_shard_plan_free(&plan);
    rm_tree(dir);
    cli_run_ctx_end(ctx);
    return rc;
}

/* ---- svcov finish, svcov status ---- */

static void finish_help(void)
{
    cli_help("Usage: svcov finish --db PG:\"CONN\" --run ID [--pg-schema NAME]\n\n");
    cli_help("Complete a sharded run once every shard is done: check that every district is there exactly\n"
             "once, compute the whole-area rows (city_coverage, its Gini), keep one of the rows every shard\n"
             "wrote alike (issues, roads, breaks), complete the runs record, mark the run complete; one\n"
             "transaction. Readers (map, report, query, export) then see the run.\n\n");
    cli_help("Example:\n  svcov finish --db PG:\"host=db dbname=gis\" --run 12\n\n");
    cli_help("Exit status: 0 success, 1 a shard not done or failed, or a district missing or there twice (nothing\n"
             "changed, the run stays unfinished), 2 usage error.\n");
}

static void status_help(void)
{
    cli_help("Usage: svcov status --db PG:\"CONN\" [--run ID] [--pg-schema NAME]\n\n");
    cli_help("Without --run: every run of the schema, complete or planned, with its shards done. With --run:\n"
             "the run's shards (status todo/running/done/failed, districts, attempt, worker, lease, rows,\n"
             "seconds, message).\n\n");
    cli_help("Examples:\n  svcov status --db PG:\"host=db dbname=gis\"\n"
             "  svcov status --db PG:\"host=db dbname=gis\" --run 12\n\n");
    cli_help("Exit status: 0 success, 1 data or runtime error, 2 usage error.\n");
}

/* --db, --run, --pg-schema and --help of finish and status: -1 go on, else the exit status. */
static int db_options(const char *cmd, void (*help)(void), int argc, char **argv, const char **db, cli_pg *pg)
{
    int rest;
    const cli_arg args[] = {
        CLI_STR("db", db),
        CLI_PG_ARGS(pg),
        CLI_PRINT("help", help),
        CLI_END,
    };
    int prc = cli_args_parse(cmd, argc, argv, args, &rest);
    if (prc != 0)
        return prc == CLI_ARGS_DONE ? EXIT_OK : prc;
    if (rest < argc)
        return cli_usage(cmd, "unexpected argument '%s'", argv[rest]);
    return -1;
}

int cmd_finish(int argc, char **argv)
{
    const char *db = NULL;
    cli_pg pg = {0};
    int k = db_options("finish", finish_help, argc, argv, &db, &pg);
    if (k >= 0)
        return k;
    if (!db || !sv_pg_is_uri(db) || pg.run <= 0)
        return cli_usage("finish", "give --db PG:\"CONNECTION\" and --run ID (the id 'svcov plan' printed)");
    sv_ctx *ctx = cli_ctx_create();
    if (!ctx)
        return EXIT_DATA;
    sv_status st = sv_pg_finish(ctx, db, pg.schema ? pg.schema : SV_PG_DEFAULT_SCHEMA, pg.run);
    int rc = st == SV_OK ? EXIT_OK : cli_fail(ctx, st, "finish");
    if (st == SV_OK)
        cli_eprintf("finish", "run %lld is complete", pg.run);
    cli_run_ctx_end(ctx);
    return rc;
}

typedef struct {
    cli_table *t;
} status_state;

static int status_row(void *userdata, int ncol, const char *const *names, const char *const *values)
{
    status_state *s = userdata;
    sv_lang L = cli_msg_lang();
    const char *shown[32];
    if (ncol > 32)
        ncol = 32;
    if (!values) { /* the headings, in the command's language */
        char align[33];
        for (int i = 0; i < ncol; i++) {
            align[i] = 'l';
            shown[i] = sv_trp(L, "status column", names[i]);
        }
        align[ncol] = '\0';
        s->t = table_create(ncol, shown, align);
        return s->t == NULL;
    }
    for (int i = 0; i < ncol; i++) /* a run's or shard's state in words (the database keeps the English) */
        shown[i] = strcmp(names[i], "status") == 0 ? sv_trp(L, "shard status", values[i]) : values[i];
    return table_add(s->t, shown) != 0;
}

int cmd_status(int argc, char **argv)
{
    const char *db = NULL;
    cli_pg pg = {0};
    int k = db_options("status", status_help, argc, argv, &db, &pg);
    if (k >= 0)
        return k;
    if (!db || !sv_pg_is_uri(db))
        return cli_usage("status", "give --db PG:\"CONNECTION\"");
    sv_ctx *ctx = cli_ctx_create();
    if (!ctx)
        return EXIT_DATA;
    status_state s = {0};
    sv_status st = sv_pg_status(ctx, db, pg.schema ? pg.schema : SV_PG_DEFAULT_SCHEMA, pg.run, status_row, &s);
    int rc = st == SV_OK ? EXIT_OK : cli_fail(ctx, st, "status");
    if (st == SV_OK && s.t)
        table_print(s.t, stdout);
    table_destroy(s.t);
    cli_run_ctx_end(ctx);
    return rc;
}
