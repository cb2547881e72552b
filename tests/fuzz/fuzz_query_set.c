/* fuzz_query_set.c - libFuzzer target for what `svcov query` makes of its
 * outside input (src/cli/cmd_query.c, included here for its static parsers):
 * the parameter declarations of a query file's header ("-- param NAME TYPE
 * [percent]") and `--set NAME=VALUE` values typed by them. The input is a
 * query header, a line "@@", then one NAME=VALUE per line. A value accepted
 * for a declared INTEGER or REAL parameter is bound as that type (a finite
 * number), never as text; a refused one is EXIT_USAGE. The CLI's printing
 * helpers are stubbed: the messages are not the subject. Build and replay as
 * fuzz_hours.c says. */
#define cmd_query fuzz_cmd_query /* the command itself is not run */
#include "../../src/cli/cmd_query.c"

#define FUZZ_NAME "fuzz_query_set"
#include "replay.h"

#include <stdarg.h>


static int n_messages;

/* A message of the parsers: formatted (so a bad format or argument shows under the sanitizers), counted. */
static void message(const char *fmt, va_list ap)
{
    char buf[2048];
    CHECK(vsnprintf(buf, sizeof buf, fmt, ap) >= 0);
    n_messages++;
}

void cli_eprintf(const char *cmd, const char *fmt, ...)
{
    (void)cmd;
    va_list ap;
    va_start(ap, fmt);
    message(fmt, ap);
    va_end(ap);
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
    (void)cmd;
    va_list ap;
    va_start(ap, fmt);
    message(fmt, ap);
    va_end(ap);
    return EXIT_USAGE;
}

int cli_fail(sv_ctx *ctx, sv_status st, const char *cmd)
{
    (void)ctx;
    (void)cmd;
    return st == SV_OK ? EXIT_OK : EXIT_DATA;
}

void cli_catch_signals(sv_ctx *ctx)
{
    (void)ctx;
}

void cli_run_ctx_end(sv_ctx *ctx)
{
    sv_ctx_destroy(ctx);
}

/* The PostGIS reader is not fuzzed here: --run/--pg-schema accepted, a file --db used as it is. */
int cli_pg_arg(const char *cmd, const cli_arg *a, const char *arg)
{
    (void)cmd;
    (void)a;
    (void)arg;
    return 0;
}

int cli_pg_check(const char *cmd, const char *db, const cli_pg *pg)
{
    (void)cmd;
    (void)db;
    (void)pg;
    return 0;
}

sv_status cli_pg_fetch(sv_ctx *ctx, cli_pg *pg, const char **db)
{
    (void)ctx;
    (void)pg;
    (void)db;
    return SV_OK;
}

void cli_pg_done(cli_pg *pg)
{
    (void)pg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    char *sets = strstr(text, "\n@@\n");
    if (sets) {
        *sets = '\0';
        sets += 4;
    }
    param_decl d[32];
    size_t n = 0;
    n_messages = 0;
    int rc = read_decls(text, "fuzz.sql", d, 32, &n);
    CHECK(rc == 0 || rc == -1);
    CHECK(n <= 32);
    CHECK(rc == 0 || n_messages == 1);
    for (size_t i = 0; rc == 0 && i < n; i++) { /* after a refusal the caller uses none of them */
        CHECK(memchr(d[i].name, '\0', sizeof d[i].name) != NULL);
        CHECK(d[i].type == SV_PARAM_REAL || d[i].type == SV_PARAM_INTEGER || d[i].type == SV_PARAM_TEXT);
    }
    for (char *line = sets; rc == 0 && line && *line;) {
        char *eol = strchr(line, '\n');
        if (eol)
            *eol = '\0';
        char *eq = strchr(line, '=');
        if (eq) {
            *eq = '\0';
            const param_decl *pd = NULL;
            for (size_t i = 0; i < n && !pd; i++)
                if (strcmp(d[i].name, line) == 0)
                    pd = &d[i];
            sv_query_param p;
            n_messages = 0;
            int t = typed_value(pd, line, eq + 1, &p);
            CHECK(t == 0 || (t == EXIT_USAGE && n_messages == 1));
            if (t == 0) {
                CHECK(p.name == line);
                if (p.type == SV_PARAM_REAL)
                    CHECK(isfinite(p.d));
                if (pd && pd->type != SV_PARAM_TEXT)
                    CHECK(p.type == pd->type);
                if (p.type == SV_PARAM_TEXT)
                    CHECK(p.text == eq + 1);
            } else {
                CHECK(pd && pd->type != SV_PARAM_TEXT);
            }
        }
        line = eol ? eol + 1 : NULL;
    }
    free(text);
    return 0;
}
