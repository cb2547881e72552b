/* cli.h - shared pieces of the svcov command line. */
#ifndef SVCOV_CLI_H
#define SVCOV_CLI_H

#include "svcov/sv_common.h"
#include "svcov/sv_lang.h"
#include "svcov/sv_io.h"
#include "svcov/sv_map.h" /* sv_canvas_format */

#include "args.h"

/* Exit statuses (documented in --help and the README). */
enum {
    EXIT_OK = 0,
    EXIT_DATA = 1,        /* runtime or data error */
    EXIT_USAGE = 2,       /* bad command line */
    EXIT_INTERRUPTED = 130 /* SIGINT/SIGTERM; previous results intact */
};

int cmd_analyze(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_query(int argc, char **argv);
int cmd_site(int argc, char **argv);
int cmd_map(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_compare(int argc, char **argv);

int cmd_poster(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_worker(int argc, char **argv);
int cmd_finish(int argc, char **argv);
int cmd_status(int argc, char **argv);

/* Feature problems on stderr: one line each up to a limit, then a count. */
void cli_print_issues(const sv_ctx *ctx, const char *cmd);

/* Status to exit code, after printing the context's message. */
int cli_fail(sv_ctx *ctx, sv_status st, const char *cmd);
/* "svcov CMD: TEXT" on stderr, control characters of TEXT (ids, names) made visible. */
void cli_eprintf(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Usage error: print "svcov CMD: msg" and a hint, return EXIT_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The language of what the command prints for people: --lang ARG (en or zh), or with ARG NULL the locale
 * (LC_ALL, LC_MESSAGES, LANG starting with zh: Chinese). 0 ok; an unknown ARG prints why and gives EXIT_USAGE. */
int cli_lang(const char *cmd, const char *arg, sv_lang *out);
/* The language of every message the command prints (errors, warnings, usage errors, stage times): main()
 * sets it from --lang (any command takes it) or else the locale, before the command parses its options. */
sv_lang cli_msg_lang(void);
void cli_set_msg_lang(sv_lang lang);
/* sv_ctx_create with the messages in cli_msg_lang() (NULL when out of memory). */
sv_ctx *cli_ctx_create(void);
/* The file names of one output per id (map/poster --all-districts; free each, then the array), in the ids'
 * order: readable (UTF-8 kept), safe on Linux, Windows and in a zip (sv_file_name_part), at most 200 bytes
 * so that NAME_2.pgw stays under NAME_MAX, and unique even on a case-insensitive disk. An id that is
 * already a safe name keeps it; the others take the first free of NAME, NAME_2, NAME_3 ... in the
 * order given, so the same ids always give the same names. NULL when out of memory. */
char **cli_file_names(const char *const *ids, size_t n);
/* The drawing format of a file name's extension (or of a bare "png", "svg", "pdf", any case); 0 ok, -1 none. */
int cli_canvas_format(const char *path, sv_canvas_format *fmt);
/* Parse "10,15" into a new array (free()); 0 ok, -1 bad number. */
int cli_parse_list(const char *s, double **out, size_t *n);
/* "svcov ARGS..." for the runs table (free()); NULL when out of memory. */
char *cli_command_line(int argc, char **argv);
/* cli_catch_signals(NULL), at the start of main(), installs the SIGINT/SIGTERM
 * handlers; cli_catch_signals(ctx) makes them interrupt ctx (at once when a
 * signal came earlier). */
void cli_catch_signals(sv_ctx *ctx);
/* The end of every command's context (made by cli_run_ctx, or given to cli_catch_signals): signals go back
 * to the context they went to before it (a worker's, around the analysis of each shard; else none), then it
 * is destroyed (NULL ok). A context freed otherwise would be written by a late signal's handler. */
void cli_run_ctx_end(sv_ctx *ctx);
/* Stop the command running nested in outer's (made by cli_run_ctx while signals went to outer: a worker's
 * analysis of a shard) as an interrupt would, from any thread, without a message from it (cli_fail) and
 * without interrupting outer; nothing when none runs. */
void cli_interrupt_nested(sv_ctx *outer);
/* A run warning on stderr: "svcov CMD: warning: TEXT" (userdata: the command name). */
void cli_warning(const char *text, void *userdata);
/* Progress on stderr (one updating line on a terminal), and the time of
 * every stage, each once, adding up to the total, at cli_progress_end.
 * cli_progress_begin starts the clock (else the first event does). */
void cli_progress(const char *stage, double fraction, void *userdata);
void cli_progress_begin(void);
void cli_progress_end(void);
/* The context of a command that runs a pipeline (analyze, site): inputs as
 * URLs only with allow_network, threads worker threads (0: all cores),
 * warnings as cli_warning for cmd, progress on stderr (and its clock
 * started) unless quiet, signals interrupting it. NULL when out of memory;
 * the caller destroys it (sv_ctx_destroy) after cli_progress_end. */
sv_ctx *cli_run_ctx(const char *cmd, int allow_network, int threads, int quiet);

/* --coords, --encoding and their per-input forms, one table for analyze
 * and site (inputs.c). Put CLI_INPUT_ARGS(&inputs) in the command's option
 * table (args.h), then apply. */
#define CLI_INPUTS 6 /* the sv_role values */
enum { CLI_O_COORDS = 1000, CLI_O_ENCODING = 1010 };
#define CLI_INPUT_ARGS_(word, k, in)                                                                        \
    CLI_FN(word "coords", in, cli_input_arg, CLI_O_COORDS + (k)),                                           \
    CLI_FN(word "encoding", in, cli_input_arg, CLI_O_ENCODING + (k))
#define CLI_INPUT_ARGS(in)                                                                                   \
    CLI_INPUT_ARGS_("", 0, in), CLI_INPUT_ARGS_("stations-", 1 + SV_ROLE_STATIONS, in),                      \
    CLI_INPUT_ARGS_("districts-", 1 + SV_ROLE_DISTRICTS, in),                                                \
    CLI_INPUT_ARGS_("demand-", 1 + SV_ROLE_DEMAND, in),                                                      \
    CLI_INPUT_ARGS_("candidates-", 1 + SV_ROLE_CANDIDATES, in),                                              \
    CLI_INPUT_ARGS_("network-", 1 + SV_ROLE_NETWORK, in),                                                    \
    CLI_INPUT_ARGS_("population-", 1 + SV_ROLE_POPULATION, in)
typedef struct {
    sv_coords coords[CLI_INPUTS + 1]; /* [0]: every input; [1 + role]: one */
    int coords_set[CLI_INPUTS + 1];
    const char *encoding[CLI_INPUTS + 1];
} cli_inputs;
/* The CLI_ARG_FN of those options (a->ptr: the cli_inputs, a->value: which option): 0 or EXIT_USAGE
 * (the message is printed). */
int cli_input_arg(const char *cmd, const cli_arg *a, const char *arg);
/* Set coords/encoding of each source (indexed by sv_role; NULL: the
 * command has no such input, and its options are a usage error). Returns
 * 0 or EXIT_USAGE (the message is printed). */
int cli_inputs_apply(const char *cmd, const cli_inputs *in, sv_source_opts *const src[CLI_INPUTS]);
/* --coords of map and export (one lon/lat system for what is written; a->ptr: an sv_coords). */
int cli_coords_arg(const char *cmd, const cli_arg *a, const char *arg);
/* The help section for these options. */
void cli_inputs_help(void);

/* --db PG:"CONNECTION" of the commands that read a result database (pg_db.c): --run ID (default the
 * latest run) and --pg-schema NAME (default svcov). Put CLI_PG_ARGS(&pg) in the option table (args.h);
 * cli_pg_check after
 * parsing (0 or EXIT_USAGE: --run without PG:); cli_pg_fetch replaces *db by a private temporary
 * SpatiaLite copy of the run (SV_OK and nothing done for a file); cli_pg_done removes it. */
enum { CLI_O_RUN = 1100, CLI_O_PG_SCHEMA };
#define CLI_PG_ARGS(pg) CLI_FN("run", pg, cli_pg_arg, CLI_O_RUN), CLI_FN("pg-schema", pg, cli_pg_arg, CLI_O_PG_SCHEMA)
typedef struct {
    long long run;      /* --run, 0: the latest */
    const char *schema; /* --pg-schema, NULL: svcov */
    long long run_id;   /* the run fetched */
    char local[4600];   /* the temporary copy ("" when none) */
} cli_pg;
int cli_pg_arg(const char *cmd, const cli_arg *a, const char *arg);
int cli_pg_check(const char *cmd, const char *db, const cli_pg *pg);
sv_status cli_pg_fetch(sv_ctx *ctx, cli_pg *pg, const char **db);
void cli_pg_done(cli_pg *pg);
/* Set by the shard commands (cmd_shards.c) around a call of cmd_analyze: the analysis's shard_hook. */
#include "svcov/sv_analyze.h"
extern sv_shard_hook_fn cli_analyze_hook;
extern void *cli_analyze_hook_data;
extern int (*cli_analyze_resp_district)(void *userdata, const char *district_id);
extern size_t (*cli_analyze_run_categories)(void *userdata, const char *const **values);
/* svcov worker: the box (analysis CRS EPSG:cli_analyze_window_epsg) analyze reads streets and population
 * polygons in; NULL: all. */
extern const double *cli_analyze_window;
extern int cli_analyze_window_epsg;
/* ... and which of the stations (1), districts (2) and demand points (8) it reads there too */
extern unsigned cli_analyze_window_more;

/* The help lines of --db PG:, --run and --pg-schema (pg_db.c), in cli_msg_lang(). */
void cli_pg_help(void);
/* One paragraph of a --help on stdout, in cli_msg_lang() (the catalogue's translation of fmt; the keyword
 * cli_help marks it for xgettext, so po_catalogue fails on a paragraph without its Chinese). */
void cli_help(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
