/* cli.h - shared pieces of the svcov command line. */
#ifndef SVCOV_CLI_H
#define SVCOV_CLI_H

#include "svcov/sv_common.h"
#include "svcov/sv_lang.h"

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

/* Feature problems on stderr: one line each up to a limit, then a count. */
void cli_print_issues(const sv_ctx *ctx, const char *cmd);

/* Status to exit code, after printing the context's message. */
int cli_fail(sv_ctx *ctx, sv_status st, const char *cmd);
/* Usage error: print "svcov CMD: msg" and a hint, return EXIT_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The language of what the command prints for people: --lang ARG (en or zh), or with ARG NULL the locale
 * (LC_ALL, LC_MESSAGES, LANG starting with zh: Chinese). 0 ok; an unknown ARG prints why and gives EXIT_USAGE. */
int cli_lang(const char *cmd, const char *arg, sv_lang *out);
/* Parse "10,15" into a new array (free()); 0 ok, -1 bad number. */
int cli_parse_list(const char *s, double **out, size_t *n);
/* "svcov ARGS..." for the runs table (free()); NULL when out of memory. */
char *cli_command_line(int argc, char **argv);
/* Install SIGINT/SIGTERM handlers that interrupt ctx. */
void cli_catch_signals(sv_ctx *ctx);
/* A run warning on stderr: "svcov CMD: warning: TEXT" (userdata: the command name). */
void cli_warning(const char *text, void *userdata);
/* Progress on stderr (one updating line on a terminal), and the time of
 * every stage, each once, adding up to the total, at cli_progress_end.
 * cli_progress_begin starts the clock (else the first event does). */
void cli_progress(const char *stage, double fraction, void *userdata);
void cli_progress_begin(void);
void cli_progress_end(void);

#endif
