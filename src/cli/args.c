/* args.c - the table-driven option parser of every command (args.h). */
#define _GNU_SOURCE
#include "args.h"
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Here, not in main.c, so that the fuzz targets of the parser link without the commands. */
static sv_lang msg_lang;

sv_lang cli_msg_lang(void)
{
    return msg_lang;
}

void cli_set_msg_lang(sv_lang lang)
{
    msg_lang = lang;
}

void cli_help(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(sv_tr(msg_lang, fmt), ap);
    va_end(ap);
}

/* Here, not in pg_db.c: the fuzz target of query --set links without it. */void cli_pg_help(void)
{
    cli_help("  --db PG:\"CONN\"     a PostGIS result store (libpq connection string, e.g. PG:\"host=db dbname=gis\")\n"
             "  --run ID           the run of --db PG:... to read (default: the latest)\n"
             "  --pg-schema NAME   its PostgreSQL schema (default svcov)\n");
}

sv_ctx *cli_ctx_create(void)
{
    sv_ctx *ctx = sv_ctx_create();
    sv_ctx_set_lang(ctx, msg_lang);
    return ctx;
}

const cli_choice cli_snap_words[] = {{"edge", SV_SNAP_EDGE}, {"node", SV_SNAP_NODE}, {NULL, 0}};
const cli_choice cli_on_off[] = {{"on", 1}, {"off", 0}, {NULL, 0}};

/* The lists of --minutes and --radius (declared in cli.h; moved here from main.c so that the fuzz
 * target of the option parser links without the commands). */
int cli_parse_list(const char *s, double **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    size_t cap = 1;
    for (const char *p = s; *p; p++)
        cap += *p == ',';
    double *v = malloc(cap * sizeof *v);
    if (!v)
        return -1;
    const char *p = s;
    while (*p) {
        char *end = NULL;
        errno = 0;
        double x = strtod(p, &end);
        if (end == p || errno == ERANGE || !isfinite(x) || (*end && *end != ',')) {
            free(v);
            *n = 0; /* no count without its array (fuzz_options) */
            return -1;
        }
        v[(*n)++] = x;
        p = *end == ',' ? end + 1 : end;
        if (*end == ',' && !*p) {
            free(v);
            *n = 0;
            return -1;
        }
    }
    if (*n == 0) {
        free(v);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_number(const char *s, double *v)
{
    char *end = NULL;
    double x = strtod(s, &end);
    if (end == s || *end || !isfinite(x))
        return -1;
    *v = x;
    return 0;
}

int cli_whole(const char *s, long min, long max, long *v)
{
    char *end = NULL;
    long x = strtol(s, &end, 10);
    if (end == s || *end || x < min || x > max)
        return -1;
    *v = x;
    return 0;
}

/* One option's argument into its pointer; 0 or EXIT_USAGE. */
static int take(const char *cmd, const cli_arg *a, const char *arg)
{
    switch (a->kind) {
    case CLI_ARG_STRING:
        *(const char **)a->ptr = arg;
        return 0;
    case CLI_ARG_SET:
        *(int *)a->ptr = a->value;
        return 0;
    case CLI_ARG_NUMBER: {
        double x;
        if (cli_number(arg, &x) != 0)
            return cli_usage(cmd, "--%s %s: %s", a->name, arg, sv_tr(msg_lang, a->bad));
        if (x < a->min || (a->above_min && x == a->min) || x > a->max)
            return cli_usage(cmd, "--%s %s: %s", a->name, arg, sv_tr(msg_lang, a->range ? a->range : a->bad));
        *(double *)a->ptr = x;
        return 0;
    }
    case CLI_ARG_WHOLE: {
        long x;
        if (cli_whole(arg, (long)a->min, (long)a->max, &x) != 0)
            return cli_usage(cmd, "--%s %s: %s", a->name, arg, sv_tr(msg_lang, a->bad));
        *(int *)a->ptr = (int)x;
        return 0;
    }
    case CLI_ARG_LIST: {
        cli_list *l = a->ptr;
        free(l->v);
        if (cli_parse_list(arg, &l->v, &l->n) != 0)
            return cli_usage(cmd, "--%s %s: %s", a->name, arg, sv_tr(msg_lang, a->bad));
        return 0;
    }
    case CLI_ARG_CHOICE:
        for (const cli_choice *c = a->choices; c->word; c++)
            if (strcmp(arg, c->word) == 0) {
                *(int *)a->ptr = c->value;
                return 0;
            }
        return cli_usage(cmd, "--%s %s: %s", a->name, arg, sv_tr(msg_lang, a->bad));
    case CLI_ARG_FN:
        return a->fn(cmd, a, arg);
    case CLI_ARG_PRINT:
        a->print();
        return CLI_ARGS_DONE;
    }
    return EXIT_USAGE;
}

int cli_args_parse(const char *cmd, int argc, char **argv, const cli_arg *args, int *rest)
{
    size_t n = 0;
    while (args[n].name)
        n++;
    /* every command takes --lang (the language of its messages), also one whose table has none */
    int own_lang = 0;
    for (size_t i = 0; i < n; i++)
        own_lang |= strcmp(args[i].name, "lang") == 0;
    struct option *lo = calloc(n + 2, sizeof *lo);
    if (!lo)
        return EXIT_DATA;
    if (!own_lang)
        lo[n] = (struct option){"lang", required_argument, NULL, 1};
    char shorts[64] = "";
    size_t ns = 0;
    for (size_t i = 0; i < n; i++) {
        int has_arg = args[i].kind != CLI_ARG_SET && args[i].kind != CLI_ARG_PRINT;
        lo[i] = (struct option){args[i].name, has_arg ? required_argument : no_argument, NULL, args[i].letter ? args[i].letter : 256 + (int)i};
        if (args[i].letter && ns + 3 < sizeof shorts) {
            shorts[ns++] = args[i].letter;
            if (has_arg)
                shorts[ns++] = ':';
            shorts[ns] = 0;
        }
    }
    int c, rc = 0;
    /* 0, not 1: glibc then forgets where it was inside the previous argv's cluster of letters (-qx stopped at
       x): with 1 the next parse went on reading that freed argument (make valgrind, fuzz_options' replay) */
    optind = 0;
    opterr = 0;
    while (rc == 0 && (c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
        const cli_arg *a = NULL;
        if (c >= 256 && (size_t)(c - 256) < n)
            a = &args[c - 256];
        for (size_t i = 0; !a && c > 0 && c < 256 && i < n; i++)
            if (args[i].letter == c)
                a = &args[i];
        if (!a && c == 1 && !own_lang) {
            /* main() took the language from argv already; here only a wrong name is refused */
            sv_lang lang;
            sv_ctx *ctx = cli_ctx_create();
            if (!ctx)
                rc = EXIT_DATA;
            else if (sv_lang_parse(ctx, optarg, &lang) != SV_OK)
                rc = cli_usage(cmd, "%s", sv_ctx_errmsg(ctx));
            sv_ctx_destroy(ctx);
        } else if (!a)
            rc = cli_usage(cmd, "unknown or incomplete option '%s'", argv[optind - 1]);
        else
            rc = take(cmd, a, optarg);
    }
    free(lo);
    *rest = optind;
    return rc;
}
