/* main.c - the svcov command: subcommand dispatch and shared helpers. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "table.h"

#include "svcov/sv_crs.h"
#include "svcov/sv_geom.h"
#include "svcov/sv_io.h"
#include "svcov/sv_map.h"
#include "svcov/sv_pg.h"
#include "svcov/sv_poster.h"
#include "svcov/sv_site.h"
#include "svcov/sv_store.h"
#include "svcov/sv_text.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const struct {
    const char *name;
    int (*fn)(int, char **);
    const char *what;
} commands[] = {
    {"analyze", cmd_analyze, SV_N_("service circles and per-district coverage into a SpatiaLite database")},
    {"export", cmd_export, SV_N_("write a result layer as GeoJSON, GeoPackage, Shapefile, KML, FlatGeobuf or CSV")},
    {"query", cmd_query, SV_N_("run a planner's SQL query (queries/*.sql) on a result database")},
    {"site", cmd_site, SV_N_("where to put the next stations (maximal coverage, fewest stations, district floors)")},
    {"map", cmd_map, SV_N_("draw printable maps (PNG, SVG, PDF; per district) and an interactive HTML map")},
    {"report", cmd_report, SV_N_("the per-district table, city totals and run parameters as HTML, Markdown or CSV")},
    {"compare", cmd_compare, SV_N_("a station plan against the base run: change per district, areas gained and lost")},

    {"poster", cmd_poster, SV_N_("the friendly map of a compound: stations and merchants within reach, to print")},
    {"plan", cmd_plan, SV_N_("split one analysis into shards computed by workers into PostGIS (--shards N, --shard-by)")},
    {"worker", cmd_worker, SV_N_("compute the shards of a planned run (any number, on any machines)")},
    {"finish", cmd_finish, SV_N_("complete a sharded run: check it, the whole-area rows, mark it complete")},
    {"status", cmd_status, SV_N_("the runs of a PostGIS store, or the shards and progress of one")},
};

/* Edits (insert, delete, replace one letter) from a to b, at most 3 counted: a typo's distance. */
static int edits(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    if (na > 32 || nb > 32)
        return 3;
    int row[33];
    for (size_t j = 0; j <= nb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= na; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= nb; j++) {
            int up = row[j], best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            diag = up;
            row[j] = best;
        }
    }
    return row[nb] < 3 ? row[nb] : 3;
}

/* An unknown command: every command named (from the table), and the nearest one when it is a typo
 * (one or two letters off). */
static void unknown_command(const char *name)
{
    char list[256] = "";
    size_t used = 0;
    const char *near = NULL;
    int near_d = 3;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        int n = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", commands[i].name);
        if (n > 0 && (size_t)n < sizeof list - used)
            used += (size_t)n;
        int d = edits(name, commands[i].name);
        if (d < near_d) {
            near_d = d;
            near = commands[i].name;
        }
    }
    sv_lang L = cli_msg_lang();
    sv_buf text = {0}, out = {0};
    if (near)
        sv_buf_printf(&text, sv_tr(L, "svcov: unknown command '%s'; did you mean '%s'? The commands are: %s (svcov --help)"),
                      name, near, list);
    else
        sv_buf_printf(&text, sv_tr(L, "svcov: unknown command '%s'; the commands are: %s (svcov --help)"), name, list);
    if (text.data && !text.failed)
        sv_buf_term(&out, text.data, 1); /* the name as typed, control characters made visible */
    fprintf(stderr, "%s\n", out.data && !out.failed ? out.data : "svcov: unknown command (svcov --help)");
    sv_buf_free(&text);
    sv_buf_free(&out);
}

static void print_version(void)
{
    printf("svcov %s\n", SV_VERSION);
    printf("  GDAL %s, GEOS %s, PROJ %s, SpatiaLite %s, SQLite %s, GLPK %s\n", sv_gdal_version(),
           sv_geos_version(), sv_proj_version(), sv_spatialite_version(), sv_sqlite_version(), sv_glpk_version());
    printf("  cairo %s, Pango %s, Leaflet %s (inlined in HTML maps), libqrencode %s (posters)\n", sv_cairo_version(),
           sv_pango_version(), sv_map_leaflet_version(), sv_qrencode_version());
}

static void print_help(void)
{
    cli_help("svcov - service-coverage analysis: how much of each district, and who, lies within\n"
             "10/15-minute reach of a station; stored in one SpatiaLite database.\n\n");
    cli_help("Usage: svcov COMMAND [OPTIONS]   (svcov COMMAND --help for its options)\n\n");
    cli_help("Commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        printf("  %-9s %s\n", commands[i].name, sv_tr(cli_msg_lang(), commands[i].what));
    cli_help("\nExamples:\n"
             "  svcov analyze --stations stations.geojson --districts districts.geojson \\\n"
             "                --minutes 10,15 --mode walk --out results.sqlite\n"
             "  svcov export --db results.sqlite --layer gaps --minutes 15 --out gaps.geojson\n"
             "  svcov query --db results.sqlite below_target --set target=80\n"
             "  svcov site --demand homes.gpkg --stations stations.geojson --candidates sites.gpkg \\\n"
             "             --radius 500 --model mclp --k 10 --exact --out siting.sqlite\n"
             "  svcov map --db results.sqlite --district D0013 --out D0013.pdf\n"
             "  svcov map --db results.sqlite --html map.html\n"
             "  svcov report --db results.sqlite --out report.html\n"
             "  svcov compare --base results.sqlite --plan plan.sqlite --out change.sqlite\n\n");
    cli_help("Exit status: 0 success, 1 data or runtime error, 2 usage error, 130 interrupted.\n"
             "After any failure an earlier result database is left exactly as it was.\n");
    cli_help("  --version   print svcov's and its libraries' versions\n"
             "  --lang zh   (any command) messages, errors, stage times, maps and reports in Chinese (简体中文);\n"
             "              --lang en: English; default from LC_ALL/LC_MESSAGES/LANG\n");
}

int main(int argc, char **argv)
{
    /* Widths of CJK names in tables; numbers stay in the C locale. */
    /* ^C from the first moment: a run stops with 130 and leaves nothing */
    cli_catch_signals(NULL);
    if (!setlocale(LC_CTYPE, "C.UTF-8"))
        setlocale(LC_CTYPE, "");
    /* the language of every message (usage errors too, whichever option comes first): --lang, else the
       locale; the command's own parse refuses a wrong name */
    cli_set_msg_lang(sv_lang_from_locale(getenv("LC_ALL"), getenv("LC_MESSAGES"), getenv("LANG")));
    for (int i = 2; i < argc; i++) {
        const char *v = strncmp(argv[i], "--lang=", 7) == 0 ? argv[i] + 7
                        : strcmp(argv[i], "--lang") == 0 && i + 1 < argc ? argv[i + 1] : NULL;
        sv_lang L;
        if (strcmp(argv[i], "--") == 0)
            break;
        if (v && sv_lang_parse(NULL, v, &L) == SV_OK)
            cli_set_msg_lang(L);
    }
    if (argc < 2) {
        print_help();
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        print_help();
        return EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        print_version();
        return EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    unknown_command(argv[1]);
    return EXIT_USAGE;
}

/* Messages carry ids and names from the data and the command line: control characters (an ESC
 * sequence in an id recolours or rewrites the terminal) are printed as visible escapes. */
static void eputs_term(const char *cmd, const char *text, const char *tail)
{
    sv_buf b = {0};
    sv_buf_printf(&b, "svcov %s: ", cmd);
    sv_buf_term(&b, text, 1);
    sv_buf_puts(&b, tail);
    if (b.data && !b.failed)
        fputs(b.data, stderr);
    else
        fprintf(stderr, "svcov %s: %s%s", cmd, text, tail);
    sv_buf_free(&b);
}

static void veprintf_term(const char *cmd, const char *tail, const char *fmt, va_list ap)
{
    va_list aq;
    va_copy(aq, ap);
    int n = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    char *text = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (text) {
        vsnprintf(text, (size_t)n + 1, fmt, ap);
        eputs_term(cmd, text, tail);
    }
    free(text);
}

void cli_eprintf(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    veprintf_term(cmd, "\n", sv_tr(cli_msg_lang(), fmt), ap);
    va_end(ap);
}

/* The context a signal interrupts. Atomic: the handler reads it while a command nested in another (the
 * worker's analysis of a shard) hands it back before its own context is destroyed (cli_run_ctx_end). */
static sv_ctx *_Atomic signal_ctx;
#define SIGNAL_NEST 8
static sv_ctx *signal_outer[SIGNAL_NEST], *signal_inner[SIGNAL_NEST];
static int signal_depth;
static volatile sig_atomic_t signal_pending; /* arrived before the run's context existed */
/* The nesting, for cli_interrupt_nested from another thread (the signal handler reads signal_ctx only). */
static pthread_mutex_t nest_mutex = PTHREAD_MUTEX_INITIALIZER;
static sv_ctx *nested_stopped; /* interrupted by cli_interrupt_nested, not by a signal: cli_fail is silent */
static sem_t watchdog_sem;
static int watchdog_on;

int cli_fail(sv_ctx *ctx, sv_status st, const char *cmd)
{
    const char *msg = sv_ctx_errmsg(ctx);
    sv_lang L = cli_msg_lang();
    pthread_mutex_lock(&nest_mutex);
    int nested = ctx && ctx == nested_stopped && !signal_pending;
    pthread_mutex_unlock(&nest_mutex);
    if (nested)
        return EXIT_INTERRUPTED; /* the command that stopped it says why (a worker's lost lease) */
    if (st == SV_ERR_INTERRUPTED || sv_ctx_interrupted(ctx)) {
        /* not the error of a step that ^C stopped (GEOS, SQLite, GDAL); the context's messages are in the
           command's language (cli_run_ctx, cli_ctx_create), and so is the word they start with */
        const char *word = sv_tr(L, "interrupted");
        eputs_term(cmd, strncmp(msg, word, strlen(word)) == 0 ? msg
                                                                : sv_tr(L, "interrupted; earlier results were left as they were"),
                   "\n");
        return EXIT_INTERRUPTED;
    }
    eputs_term(cmd, *msg ? msg : sv_tr(L, sv_status_str(st)), "\n");
    if (st == SV_ERR_USAGE)
        return EXIT_USAGE;
    if (st == SV_ERR_INTERRUPTED)
        return EXIT_INTERRUPTED;
    return EXIT_DATA;
}

/* The command's --lang (or the locale's) is the language of its messages (cli_msg_lang, chosen in main()
 * already): the summaries, the progress of long steps and the errors. */
int cli_lang(const char *cmd, const char *arg, sv_lang *out)
{
    if (!arg) {
        *out = cli_msg_lang(); /* the locale's; a worker's shards in the worker's */
        return 0;
    }
    sv_ctx *ctx = cli_ctx_create();
    if (!ctx)
        return EXIT_DATA;
    sv_status st = sv_lang_parse(ctx, arg, out);
    if (st == SV_OK)
        cli_set_msg_lang(*out);
    int rc = st == SV_OK ? 0 : cli_usage(cmd, "%s", sv_ctx_errmsg(ctx));
    sv_ctx_destroy(ctx);
    return rc;
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char tail[64];
    snprintf(tail, sizeof tail, sv_tr(cli_msg_lang(), " (svcov %s --help)\n"), cmd);
    veprintf_term(cmd, tail, sv_tr(cli_msg_lang(), fmt), ap);
    va_end(ap);
    return EXIT_USAGE;
}

char *cli_command_line(int argc, char **argv)
{
    /* stored in runs/site_runs.command: a password (PG:... of --out, --db, or a GDAL input) never is; each
       argument masked by itself, so a PG: argument is read as libpq reads it */
    sv_buf b = {0};
    sv_buf_puts(&b, "svcov");
    for (int i = 0; i < argc; i++) {
        char *arg = sv_pg_hide_password(argv[i]);
        sv_buf_puts(&b, " ");
        sv_buf_puts(&b, arg ? arg : "***");
        free(arg);
    }
    if (b.failed) {
        sv_buf_free(&b);
        return NULL;
    }
    return b.data;
}


/* Most work stops by itself soon after ^C. A library call that cannot be
 * stopped (GDAL parsing a 25 MB polygon, PROJ on a million vertices, GLPK's
 * simplex) would keep the run going: this thread waits for the signal, gives
 * the run 0.6 s, then removes its temporary folders and lock files and ends
 * the process. Nothing was renamed: the rename checks the interrupt first. */
static void *watchdog(void *arg)
{
    (void)arg;
    while (sem_wait(&watchdog_sem) != 0)
        ;
    struct timespec t = {0, 600000000L};
    while (nanosleep(&t, &t) != 0)
        ;
    sv_tmp_abandon_all();
    /* a thread, not the handler: it may look the text up */
    const char *msg = sv_tr(cli_msg_lang(), "svcov: interrupted; stopped at once, earlier results were left as they were\n");
    if (write(STDERR_FILENO, msg, strlen(msg)) < 0) { /* nothing more to do */
    }
    _exit(EXIT_INTERRUPTED);
    return NULL;
}

static void on_signal(int sig)
{
    signal_pending = 1;
    if (watchdog_on)
        sem_post(&watchdog_sem);
    sv_ctx *c = atomic_load(&signal_ctx);
    if (c)
        sv_ctx_interrupt(c);
    sv_geos_interrupt();
    signal(sig, SIG_DFL); /* a second ^C ends at once (its temporary folder goes at the next run) */
}

void cli_catch_signals(sv_ctx *ctx)
{
    atomic_store(&signal_ctx, ctx);
    if (ctx && signal_pending)
        sv_ctx_interrupt(ctx);
    if (ctx)
        return; /* the handlers are in place since main() began */
    sv_geos_interrupt_enable();
    pthread_t tid;
    if (sem_init(&watchdog_sem, 0, 0) == 0 && pthread_create(&tid, NULL, watchdog, NULL) == 0) {
        pthread_detach(tid);
        watchdog_on = 1;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

void cli_warning(const char *text, void *userdata)
{
    cli_eprintf(userdata ? (const char *)userdata : "", "warning: %s", text);
}

/* Progress on a terminal; the stage times are the context's (sv_timing: every moment of the run belongs to
 * exactly one line, so the lines add up to the total), printed once at the end. */
static struct {
    int started, tty, last_pct;
    sv_ctx *ctx; /* the progress callback's userdata */
} pg;

/* A stage's path ("people > redundancy") for people: each name in the command's language (po/db_values.c
 * lists them; timings.stage keeps the English, as data). */
static const char *stage_text(const char *path, char *buf, size_t size)
{
    sv_lang L = cli_msg_lang();
    size_t n = 0;
    buf[0] = 0;
    while (path && *path && n + 1 < size) {
        const char *sep = strstr(path, " > ");
        size_t len = sep ? (size_t)(sep - path) : strlen(path);
        char name[40];
        snprintf(name, sizeof name, "%.*s", (int)len, path);
        int k = snprintf(buf + n, size - n, "%s%s", n ? " > " : "", len < sizeof name ? sv_trp(L, "stage", name) : name);
        n = k < 0 || (size_t)k >= size - n ? size - 1 : n + (size_t)k;
        path = sep ? sep + 3 : NULL;
    }
    return buf;
}

/* fprintf's %-*s by display width (a Chinese character takes two columns) */
static void eprint_padded(const char *text, int width)
{
    int pad = width - utf8_width(text);
    fprintf(stderr, "%s%*s", text, pad > 0 ? pad : 0, "");
}

void cli_progress_begin(void)
{
    memset(&pg, 0, sizeof pg);
    pg.started = 1;
    pg.tty = isatty(STDERR_FILENO);
    pg.last_pct = -1;
}

void cli_progress(const char *stage, double fraction, void *userdata)
{
    if (!pg.started)
        cli_progress_begin();
    pg.ctx = userdata;
    if (!pg.tty)
        return; /* off a terminal: the times once, at the end */
    int pct = fraction >= 1.0 ? 100 : (int)(fraction * 100.0);
    if (pct == pg.last_pct)
        return;
    pg.last_pct = pct;
    char name[SV_TIMING_NAME];
    fprintf(stderr, "\r\033[K");
    eprint_padded(stage_text(stage, name, sizeof name), 24);
    fprintf(stderr, " %3d%%", pct);
    fflush(stderr);
}

/* A long step's progress (sv_work: a GDAL read of a large layer, the repair and union of large districts): a
 * line at each tenth, on a terminal or not, in the command's language; none with --quiet. */
static struct {
    const char *what;
    char item[256];
    int tenth;
} work;

static void cli_work(const char *what, const char *item, double fraction, void *userdata)
{
    int pct = fraction >= 1.0 ? 100 : (int)(fraction * 100.0), tenth = pct / 10;
    int same = work.what == what && strncmp(work.item, item, sizeof work.item - 1) == 0;
    if (same && tenth == work.tenth)
        return;
    work.what = what;
    snprintf(work.item, sizeof work.item, "%s", item);
    work.tenth = tenth;
    if (pg.tty)
        fprintf(stderr, "\r\033[K");
    cli_eprintf(userdata ? (const char *)userdata : "", sv_tr(cli_msg_lang(), what), item, tenth * 10);
}

sv_ctx *cli_run_ctx(const char *cmd, int allow_network, int threads, int quiet)
{
    sv_ctx *ctx = cli_ctx_create();
    if (!ctx)
        return NULL;
    sv_ctx_set_allow_network(ctx, allow_network);
    if (threads)
        sv_ctx_set_threads(ctx, threads);
    sv_ctx_set_warning(ctx, cli_warning, (void *)cmd);
    if (!quiet) {
        sv_ctx_set_progress(ctx, cli_progress, ctx);
        sv_ctx_set_work(ctx, cli_work, (void *)cmd);
        memset(&work, 0, sizeof work);
        cli_progress_begin();
    }
    pthread_mutex_lock(&nest_mutex);
    if (signal_depth < SIGNAL_NEST) { /* the context signals go to until this one ends */
        signal_outer[signal_depth] = atomic_load(&signal_ctx);
        signal_inner[signal_depth++] = ctx;
    }
    pthread_mutex_unlock(&nest_mutex);
    cli_catch_signals(ctx);
    return ctx;
}

void cli_interrupt_nested(sv_ctx *outer)
{
    pthread_mutex_lock(&nest_mutex);
    for (int i = 0; outer && i < signal_depth; i++)
        if (signal_outer[i] == outer) {
            nested_stopped = signal_inner[i];
            sv_ctx_interrupt(signal_inner[i]);
        }
    pthread_mutex_unlock(&nest_mutex);
}

void cli_run_ctx_end(sv_ctx *ctx)
{
    pthread_mutex_lock(&nest_mutex);
    if (ctx && nested_stopped == ctx)
        nested_stopped = NULL;
    if (signal_depth > 0 && signal_inner[signal_depth - 1] == ctx) {
        sv_ctx *outer = signal_outer[--signal_depth];
        /* signals go to the outer context before this one is freed; one that came during this command
         * interrupts the outer one too (cli_catch_signals sees signal_pending) */
        atomic_store(&signal_ctx, outer);
        if (outer && signal_pending)
            sv_ctx_interrupt(outer);
    } else if (atomic_load(&signal_ctx) == ctx) {
        atomic_store(&signal_ctx, NULL);
    }
    pthread_mutex_unlock(&nest_mutex);
    sv_ctx_destroy(ctx);
}

void cli_progress_end(void)
{
    if (!pg.started)
        return;
    pg.started = 0;
    if (pg.tty)
        fprintf(stderr, "\r\033[K");
    sv_ctx *ctx = pg.ctx;
    if (!ctx)
        return;
    sv_ctx_timings_update(ctx);
    sv_timing other, total;
    sv_ctx_timing_totals(ctx, &other, &total);
    sv_lang L = cli_msg_lang();
    char name[SV_TIMING_NAME];
    const char *other_name = sv_trp(L, "stage", "other"), *total_name = sv_trp(L, "stage", "total");
    int w = 10;
    w = utf8_width(other_name) > w ? utf8_width(other_name) : w;
    w = utf8_width(total_name) > w ? utf8_width(total_name) : w;
    size_t n = sv_ctx_timing_count(ctx);
    for (size_t i = 0; i < n; i++) {
        int wi = utf8_width(stage_text(sv_ctx_timing(ctx, i)->stage, name, sizeof name));
        w = wi > w ? wi : w;
    }
    /* the lines of other threads (the early writer) are in the timings table, not here: these add up */
    for (size_t i = 0; i < n; i++) {
        const sv_timing *t = sv_ctx_timing(ctx, i);
        if (t->beside)
            continue;
        eprint_padded(stage_text(t->stage, name, sizeof name), w);
        fprintf(stderr, sv_tr(L, " %8.2f s %8.2f s CPU\n"), t->seconds, t->cpu_seconds);
    }
    eprint_padded(other_name, w);
    fprintf(stderr, sv_tr(L, " %8.2f s %8.2f s CPU\n"), other.seconds, other.cpu_seconds);
    eprint_padded(total_name, w);
    fprintf(stderr, sv_tr(L, " %8.2f s %8.2f s CPU (the whole run)\n"), total.seconds, total.cpu_seconds);
    fflush(stderr);
}
