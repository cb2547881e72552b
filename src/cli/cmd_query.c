/* cmd_query.c - svcov query: the planner's SQL in queries/ on a result database. */
#define _GNU_SOURCE
#include "cli.h"
#include "svcov/sv_lang.h"
#include "table.h"

#include "svcov/sv_store.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#ifndef SVCOV_QUERY_DIRS
#define SVCOV_QUERY_DIRS "queries"
#endif

static void help(void)
{
    cli_help("Usage: svcov query --db DB NAME|FILE.sql [--set NAME=VALUE]... [--csv]\n"
             "       svcov query --list\n\n");
    cli_help("Runs SQL on a result database (read-only, SpatiaLite functions available) and prints a\n"
             "table, or CSV with --csv. NAME is a query shipped in queries/ (see --list); FILE.sql any\n"
             "file of your own. Named parameters (:target) take values from --set, typed as the query\n"
             "declares them in its leading comments ('-- param target REAL percent ...'; REAL, INTEGER or\n"
             "TEXT; a percent takes 80 or 80%%); a query that declares none gets numbers bound as numbers.\n"
             "A value that is not of its type, a NAME the query does not have or a repeated --set is a\n"
             "usage error before anything is printed.\n\n");
    cli_help("  --db DB            result database of 'svcov analyze'\n");
    cli_pg_help();
    cli_help("  --set NAME=VALUE   a value for :NAME in the query (repeatable)\n"
             "  --csv              CSV on stdout instead of a table\n"
             "  --list             the shipped queries and what they answer\n\n");
    cli_help("Examples:\n"
             "  svcov query --db out/results.sqlite below_target --set target=80 --set minutes=15\n"
             "  svcov query --db out/results.sqlite largest_gaps --csv > gaps.csv\n"
             "  svcov query --db out/results.sqlite my_question.sql\n\n");
    cli_help("Query folders searched: $SVCOV_QUERIES, then %s\n", SVCOV_QUERY_DIRS);
    cli_help("Exit status: 0 success, 1 data or runtime error, 2 usage error.\n");
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            char *p = realloc(buf, cap);
            if (!p) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = p;
        }
        size_t k = fread(buf + n, 1, 4096, f);
        n += k;
        if (k < 4096)
            break;
    }
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static int is_file(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* Find NAME.sql in $SVCOV_QUERIES, then the built-in folders. */
static int find_query(const char *name, char *path, size_t size)
{
    char dirs[4096];
    const char *env = getenv("SVCOV_QUERIES");
    snprintf(dirs, sizeof dirs, "%s%s%s", env ? env : "", env ? ":" : "", SVCOV_QUERY_DIRS);
    for (char *save = NULL, *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        snprintf(path, size, "%s/%s.sql", d, name);
        if (is_file(path))
            return 0;
    }
    return -1;
}

/* The first comment line of a query says what it answers. */
static void list_queries(void)
{
    char dirs[4096];
    const char *env = getenv("SVCOV_QUERIES");
    snprintf(dirs, sizeof dirs, "%s%s%s", env ? env : "", env ? ":" : "", SVCOV_QUERY_DIRS);
    for (char *save = NULL, *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        struct dirent **names = NULL;
        int n = scandir(d, &names, NULL, alphasort);
        if (n < 0)
            continue;
        printf("%s:\n", d);
        for (int i = 0; i < n; i++) {
            size_t len = strlen(names[i]->d_name);
            if (len > 4 && strcmp(names[i]->d_name + len - 4, ".sql") == 0) {
                char p[4096];
                snprintf(p, sizeof p, "%s/%s", d, names[i]->d_name);
                char *txt = read_file(p);
                char what[256] = "";
                if (txt && strncmp(txt, "-- ", 3) == 0)
                    sscanf(txt + 3, "%255[^\n]", what);
                printf("  %-22.*s %s\n", (int)(len - 4), names[i]->d_name, what);
                free(txt);
            }
            free(names[i]);
        }
        free(names);
        return; /* the first folder that exists is the one used */
    }
}

typedef struct {
    int csv;
    cli_table *t;
    long rows;
} printer;

static void flush_table(printer *p)
{
    if (p->t) {
        table_print(p->t, stdout);
        printf("(%ld row%s)\n", p->rows, p->rows == 1 ? "" : "s");
        table_destroy(p->t);
        p->t = NULL;
    }
}

static int on_row(void *ud, int ncol, const char *const *names, const char *const *values)
{
    printer *p = ud;
    if (!values) { /* a new result set */
        if (p->csv) {
            for (int c = 0; c < ncol; c++) {
                if (c)
                    putchar(',');
                csv_field(stdout, names[c]);
            }
            putchar('\n');
        } else {
            flush_table(p);
            char *align = calloc((size_t)ncol + 1, 1);
            if (!align)
                return 1;
            memset(align, 'l', (size_t)ncol);
            p->t = table_create(ncol, names, align);
            free(align);
            p->rows = 0;
        }
        return 0;
    }
    if (p->csv) {
        for (int c = 0; c < ncol; c++) {
            if (c)
                putchar(',');
            csv_field(stdout, values[c]);
        }
        putchar('\n');
    } else if (p->t) {
        table_add(p->t, values);
        p->rows++;
    }
    return 0;
}

/* The first column of the first row, as text. */
static int grab_first(void *ud, int ncol, const char *const *names, const char *const *values)
{
    (void)names;
    char *out = ud;
    if (values && ncol > 0 && !out[0])
        snprintf(out, 1024, "%s", values[0] ? values[0] : "");
    return 0;
}

/* --set minutes=N / radius=N must name a break the database has: a query
 * filtered on a break that is not there answers 0 rows, which reads as
 * "nothing below target". Usage error (2) naming the breaks it has. */
static int check_break(sv_ctx *ctx, sv_store_reader *rd, const char *name, const char *value)
{
    const char *db = sv_store_reader_path(rd);
    int minutes = strcmp(name, "minutes") == 0;
    if (!minutes && strcmp(name, "radius") != 0 && strcmp(name, "radius_m") != 0)
        return 0;
    char *end = NULL;
    double v = strtod(value, &end);
    if (end == value || *end || !isfinite(v))
        return cli_usage("query", "--set %s=%s: not a number", name, value);
    char has[1024] = "", list[1024] = "";
    const char *col = minutes ? "minutes" : "radius_m";
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM district_coverage WHERE abs(%s - :v) < 1e-9;", col);
    const char *pn[] = {"v"}, *pv[] = {value};
    if (sv_store_read(ctx, rd, sql, pn, pv, 1, grab_first, has) != SV_OK)
        return 0; /* no district_coverage (a siting database): nothing to check against */
    if (strcmp(has, "0") != 0)
        return 0;
    sv_store_read(ctx, rd,
                  "SELECT group_concat(b, ', ') FROM (SELECT DISTINCT CASE WHEN minutes IS NULL THEN "
                  "printf('%g m', radius_m) ELSE printf('%g min', minutes) END AS b FROM district_coverage "
                  "ORDER BY minutes IS NULL, minutes, radius_m);",
                  NULL, NULL, 0, grab_first, list);
    return cli_usage("query", "--set %s=%s: %s has no %g-%s break; its breaks: %s", name, value, db, v,
                     minutes ? sv_tr(cli_msg_lang(), "minute") : sv_tr(cli_msg_lang(), "metre"),
                     list[0] ? list : sv_tr(cli_msg_lang(), "none"));
}

/* A parameter a query declares in its leading comment lines:
 *   -- param NAME REAL|INTEGER|TEXT [percent] [what it means]
 * (percent: a share in % as the query compares it, "80" or "80%" both 80). */
typedef struct {
    char name[64];
    sv_param_type type;
    int percent;
} param_decl;

/* The declarations of sql's leading comments (*n of them, at most cap); -1 with a usage message for a
 * declaration that cannot be read. */
static int read_decls(const char *sql, const char *path, param_decl *d, size_t cap, size_t *n)
{
    *n = 0;
    for (const char *l = sql; l && *l;) {
        while (*l == ' ' || *l == '\t' || *l == '\r' || *l == '\n')
            l++;
        if (strncmp(l, "--", 2) != 0)
            break; /* the first line of SQL ends the header */
        const char *eol = strchr(l, '\n');
        size_t len = eol ? (size_t)(eol - l) : strlen(l);
        char line[512];
        snprintf(line, sizeof line, "%.*s", (int)(len < sizeof line ? len : sizeof line - 1), l);
        char name[64], type[16], extra[16] = "";
        int k = sscanf(line, "-- param %63s %15s %15s", name, type, extra);
        if (strncmp(line, "-- param ", 9) == 0) {
            if (k < 2 || *n >= cap) {
                cli_eprintf("query", "%s: cannot read '%s'; declare a parameter as "
                            "'-- param NAME REAL|INTEGER|TEXT [percent] description'", path, line);
                return -1;
            }
            param_decl *p = &d[(*n)++];
            snprintf(p->name, sizeof p->name, "%s", name[0] == ':' ? name + 1 : name);
            p->percent = k == 3 && strcasecmp(extra, "percent") == 0;
            if (strcasecmp(type, "REAL") == 0)
                p->type = SV_PARAM_REAL;
            else if (strcasecmp(type, "INTEGER") == 0)
                p->type = SV_PARAM_INTEGER;
            else if (strcasecmp(type, "TEXT") == 0)
                p->type = SV_PARAM_TEXT;
            else {
                cli_eprintf("query", "%s: parameter %s has type '%s'; use REAL, INTEGER or TEXT", path, name, type);
                return -1;
            }
        }
        l += len;
    }
    return 0;
}

/* value as the type of its declaration (d NULL: a number when the whole value is one, else text). */
static int typed_value(const param_decl *d, const char *name, const char *value, sv_query_param *out)
{
    *out = (sv_query_param){name, SV_PARAM_TEXT, value, 0, 0};
    char *end = NULL;
    if (!d || d->type == SV_PARAM_INTEGER) {
        errno = 0;
        long long i = strtoll(value, &end, 10);
        if (end != value && !*end && errno == 0) {
            out->type = SV_PARAM_INTEGER;
            out->i = i;
            return 0;
        }
        if (d)
            return cli_usage("query", "--set %s=%s: %s is a whole number, e.g. --set %s=20", name, value, name,
                             name);
    }
    if (!d || d->type == SV_PARAM_REAL) {
        double v = strtod(value, &end);
        int pct = d && d->percent && end != value && *end == '%' && !end[1];
        if (end != value && (!*end || pct) && isfinite(v)) {
            out->type = SV_PARAM_REAL;
            out->d = v;
            return 0;
        }
        if (d && d->percent)
            return cli_usage("query", "--set %s=%s: %s is a share in %%, e.g. --set %s=80 or %s=80%%", name,
                             value, name, name, name);
        if (d)
            return cli_usage("query", "--set %s=%s: %s is a number, e.g. --set %s=15", name, value, name, name);
    }
    return 0; /* TEXT, or an undeclared value that is no number */
}

typedef struct {
    char **names, **values; /* room for every argument */
    size_t n;
} query_params;

/* --set NAME=VALUE, each name once. */
static int parse_set(const char *cmd, const cli_arg *a, const char *arg)
{
    query_params *qp = a->ptr;
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg)
        return cli_usage(cmd, "--set %s: expected NAME=VALUE, e.g. --set target=80", arg);
    qp->names[qp->n] = strndup(arg, (size_t)(eq - arg));
    qp->values[qp->n] = strdup(eq + 1);
    qp->n++;
    if (!qp->names[qp->n - 1] || !qp->values[qp->n - 1])
        return EXIT_DATA;
    for (size_t i = 0; i + 1 < qp->n; i++)
        if (strcmp(qp->names[i], qp->names[qp->n - 1]) == 0)
            return cli_usage(cmd, "--set %s given twice (%s and %s); give each parameter once", qp->names[i],
                             qp->values[i], qp->values[qp->n - 1]);
    return 0;
}

int cmd_query(int argc, char **argv)
{
    const char *db = NULL;
    int csv = 0, rc = EXIT_OK, rest;
    char **names = calloc((size_t)argc + 1, sizeof *names), **values = calloc((size_t)argc + 1, sizeof *values);
    query_params qp = {names, values, 0};
    char *sql = NULL;
    sv_query_param *typed = NULL;
    sv_ctx *ctx = NULL;
    sv_store_reader *rd = NULL;
    cli_pg pg = {0};
    if (!names || !values) {
        rc = EXIT_DATA;
        goto done;
    }
    const cli_arg args[] = {
        CLI_STR("db", &db),
        CLI_PG_ARGS(&pg),
        CLI_FN("set", &qp, parse_set, 0),
        CLI_SET("csv", 0, &csv, 1),
        CLI_PRINT("list", list_queries),
        CLI_PRINT("help", help),
        CLI_END,
    };
    rc = cli_args_parse("query", argc, argv, args, &rest);
    if (rc != 0) {
        rc = rc == CLI_ARGS_DONE ? EXIT_OK : rc;
        goto done;
    }
    size_t nparams = qp.n;
    if (!db || rest != argc - 1) {
        rc = cli_usage("query", "give --db DB and one query NAME or FILE.sql");
        goto done;
    }
    if ((rc = cli_pg_check("query", db, &pg)) != 0)
        goto done;
    const char *q = argv[rest];
    char path[4096];
    if (is_file(q)) {
        snprintf(path, sizeof path, "%s", q);
    } else if (find_query(q, path, sizeof path) != 0) {
        rc = cli_usage("query", "no query '%s': not a file, and no %s.sql in the query folders "
                       "(svcov query --list)", q, q);
        goto done;
    }
    sql = read_file(path);
    if (!sql) {
        cli_eprintf("query", "cannot read %s", path);
        rc = EXIT_DATA;
        goto done;
    }
    /* each value checked against the query's declarations before anything runs */
    param_decl decls[32];
    size_t ndecls = 0;
    if (read_decls(sql, path, decls, sizeof decls / sizeof decls[0], &ndecls) != 0) {
        rc = EXIT_USAGE;
        goto done;
    }
    typed = nparams ? calloc(nparams, sizeof *typed) : NULL;
    if (nparams && !typed) {
        rc = EXIT_DATA;
        goto done;
    }
    for (size_t i = 0; i < nparams; i++) {
        const param_decl *d = NULL;
        for (size_t k = 0; k < ndecls && !d; k++)
            if (strcmp(decls[k].name, names[i]) == 0)
                d = &decls[k];
        if (ndecls && !d) {
            char list[1024] = "";
            for (size_t k = 0; k < ndecls; k++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", k ? ", " : "", decls[k].name);
            rc = cli_usage("query", "--set %s: %s has no parameter %s; its parameters: %s", names[i], q, names[i],
                           list);
            goto done;
        }
        if ((rc = typed_value(d, names[i], values[i], &typed[i])) != 0)
            goto done;
    }
    ctx = cli_ctx_create();
    if (!ctx) {
        rc = EXIT_DATA;
        goto done;
    }
    cli_catch_signals(ctx);
    sv_status st = cli_pg_fetch(ctx, &pg, &db);
    if (st == SV_OK)
        st = sv_store_open_read(ctx, db, &rd);
    for (size_t i = 0; st == SV_OK && i < nparams; i++)
        if ((rc = check_break(ctx, rd, names[i], values[i])) != 0)
            goto done;
    printer p = {csv, NULL, 0};
    if (st == SV_OK)
        st = sv_store_read_typed(ctx, rd, sql, typed, nparams, on_row, &p);
    flush_table(&p);
    if (st != SV_OK)
        rc = cli_fail(ctx, st, "query");
done:
    for (size_t i = 0; i < qp.n; i++) {
        free(names[i]);
        free(values[i]);
    }
    free(names);
    free(values);
    free(typed);
    free(sql);
    sv_store_close_read(rd);
    cli_pg_done(&pg);
    cli_run_ctx_end(ctx);
    return rc;
}
