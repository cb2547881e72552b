/* store_pg.c - the only file that talks to PostgreSQL (libpq): the PostGIS
 * writer of the result schema (schema.c) and the fetch of one run back into
 * a SpatiaLite file (see sv_pg.h). */
#include "svcov/sv_pg.h"
#include "svcov/sv_store.h"
#include "svcov/sv_text.h"

#include "core/schema.h"

#include <libpq-fe.h>

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sv_pg_is_uri(const char *path)
{
    return path && strncmp(path, "PG:", 3) == 0;
}

const char *sv_pg_libpq_version(void)
{
    static char v[32];
    int n = PQlibVersion();
    snprintf(v, sizeof v, "%d.%d", n / 10000, n % 10000);
    return v;
}

sv_status sv_pg_check_schema_name(sv_ctx *ctx, const char *schema)
{
    size_t n = schema ? strlen(schema) : 0;
    int ok = n > 0 && n <= 63 && (islower((unsigned char)schema[0]) || schema[0] == '_') &&
             strncmp(schema, "pg_", 3) != 0;
    for (size_t i = 0; ok && i < n; i++)
        ok = islower((unsigned char)schema[i]) || isdigit((unsigned char)schema[i]) || schema[i] == '_';
    if (!ok)
        return sv_error(ctx, SV_ERR_USAGE,
                        "--pg-schema %s: give a schema name of lower-case letters, digits and _ (at most 63, not "
                        "starting with a digit or pg_), e.g. --pg-schema svcov",
                        schema ? schema : "");
    return SV_OK;
}

/* Every password in s by its words, for what libpq cannot parse (a command line, a GDAL PG: string with its
 * own tables=, which GDAL cuts at blanks before libpq sees it): into out (size >= 2 * strlen(s) + 16), the
 * value of each keyword password after a blank (spaces around '=', a 'quoted value' with \' and \\ escapes,
 * else up to a blank; a password after an escaped blank too), the password of a URI's user:password@ and a
 * URI's password= parameter (up to &). */
static void mask_passwords(const char *s, char *out)
{
    char *o = out;
    int in_uri = 0; /* after a :// (its parameters end at &; to the end: libpq reads URIs with blanks too) */
    for (const char *p = s; *p;) {
        /* a URI only as libpq reads one: postgresql:// or postgres:// at the start of a word or after PG:
           (a :// inside another value, host=x://y, is not one; found by fuzz_pg) */
        int word = p == s || isspace((unsigned char)p[-1]) || (p - s >= 3 && strncmp(p - 3, "PG:", 3) == 0);
        if (word && (strncmp(p, "postgresql://", 13) == 0 || strncmp(p, "postgres://", 11) == 0)) {
            size_t k = p[8] == ':' ? 8 : 10; /* to the :// */
            memcpy(o, p, k);
            o += k;
            p += k;
            in_uri = 1;
        }
        if (in_uri && strncmp(p, "://", 3) == 0) { /* postgresql://user:secret@host: the user shown, the password not */
            const char *q = p + 3, *at = q + strcspn(q, "@/? \t'\""), *colon = memchr(q, ':', (size_t)(at - q));
            if (*at == '@' && colon) {
                memcpy(o, p, (size_t)(colon + 1 - p));
                o += colon + 1 - p;
                memcpy(o, "***", 3);
                o += 3;
                p = at;
                continue;
            }
        }
        /* a keyword starts the text, follows a blank, PG: or, in a URI, its ? or &; "password" inside another
           value (host=x`password=, host=x'password=, host=x?password=) is not one (found by fuzz_pg) */
        if (strncmp(p, "password", 8) == 0 &&
            (p == s || isspace((unsigned char)p[-1]) || (p - s >= 3 && strncmp(p - 3, "PG:", 3) == 0) ||
             (in_uri && (p[-1] == '?' || p[-1] == '&')))) {
            const char *q = p + 8;
            while (isspace((unsigned char)*q))
                q++;
            if (*q == '=') {
                q++;
                while (isspace((unsigned char)*q))
                    q++;
                memcpy(o, "password=***", 12);
                o += 12;
                if (*q == '\'') { /* a quoted value: to its closing quote */
                    for (q++; *q && *q != '\''; q++)
                        if (*q == '\\' && q[1])
                            q++;
                    if (*q == '\'')
                        q++;
                } else { /* unquoted: to a blank (\ escapes the next character); in a URI also to & */
                    for (; *q && !isspace((unsigned char)*q) && !(in_uri && *q == '&'); q++)
                        if (*q == '\\' && q[1])
                            q++;
                }
                p = q;
                continue;
            }
        }
        *o++ = *p++;
    }
    *o = '\0';
}

char *sv_pg_conninfo_password(const char *uri)
{
    char *err = NULL, *pw = NULL;
    PQconninfoOption *opts = sv_pg_is_uri(uri) ? PQconninfoParse(uri + 3, &err) : NULL;
    if (err)
        PQfreemem(err);
    for (PQconninfoOption *k = opts; k && k->keyword; k++)
        if (strcmp(k->keyword, "password") == 0 && k->val && *k->val && !pw)
            pw = sv_strdup(k->val);
    if (opts)
        PQconninfoFree(opts);
    return pw;
}

/* The connection string with any password hidden, for messages: as sv_pg_hide_password, and the password libpq
 * itself reads from it (its own parser, whatever the spelling) replaced wherever it still appears (when it has
 * 4 characters or more: a shorter one would mask letters all over the message). */
static void shown_uri(const char *uri, char *out, size_t size)
{
    char *m = sv_pg_hide_password(uri);
    if (!m) {
        snprintf(out, size, "PG:...");
        return;
    }
    char *pw = sv_pg_conninfo_password(uri);
    size_t pl = pw ? strlen(pw) : 0;
    for (char *at = m, *hit; pl >= 4 && (hit = strstr(at, pw)) != NULL; at = hit + 3) {
        memcpy(hit, "***", 3);
        memmove(hit + 3, hit + pl, strlen(hit + pl) + 1);
    }
    free(pw);
    snprintf(out, size, "%s", m);
    free(m);
}

char *sv_pg_shown_connection(const char *uri)
{
    if (!uri)
        return NULL;
    size_t size = 2 * strlen(uri) + 16;
    char *out = sv_malloc(size);
    if (out)
        shown_uri(uri, out, size);
    return out;
}

/* libpq's own reading of the connection string s (PQconninfoParse: no defaults, no environment): one line
 * "keyword=value" per option s sets, in libpq's order, the password's value as pw when pw is not NULL
 * (free(); NULL when libpq cannot parse s). */
static char *conninfo_lines(const char *s, const char *pw)
{
    char *err = NULL;
    PQconninfoOption *opts = PQconninfoParse(s, &err);
    if (err)
        PQfreemem(err);
    if (!opts)
        return NULL;
    sv_buf b = {0};
    for (PQconninfoOption *k = opts; k->keyword; k++)
        if (k->val)
            sv_buf_printf(&b, "%s=%s\n", k->keyword, pw && strcmp(k->keyword, "password") == 0 ? pw : k->val);
    PQconninfoFree(opts);
    if (b.failed) {
        sv_buf_free(&b);
        return NULL;
    }
    return b.data ? b.data : sv_strdup("");
}

char *sv_pg_conninfo_options(const char *uri, const char *password)
{
    return sv_pg_is_uri(uri) ? conninfo_lines(uri + 3, password) : NULL;
}

/* libpq's key = value grammar (fe-connect.c, conninfo_parse) over s into b, each keyword password with its
 * value as password=***: a keyword runs to '=' or a blank, blanks may surround the '=', a value is 'quoted'
 * (\ escapes the next character) or runs to the next blank (\ escapes that too: host=a\ password=x is the one
 * host "a password=x"). 0 where libpq refuses the grammar. */
static int mask_keyword_values(const char *s, sv_buf *b)
{
    for (const char *p = s; *p;) {
        if (isspace((unsigned char)*p)) {
            sv_buf_add(b, p++, 1);
            continue;
        }
        const char *name = p;
        while (*p && *p != '=' && !isspace((unsigned char)*p))
            p++;
        int is_password = p - name == 8 && strncmp(name, "password", 8) == 0;
        while (isspace((unsigned char)*p))
            p++;
        if (*p != '=')
            return 0;
        for (p++; isspace((unsigned char)*p); p++)
            ;
        if (*p != '\'') {
            while (*p && !isspace((unsigned char)*p))
                p += p[0] == '\\' && p[1] ? 2 : 1;
        } else {
            for (p++; *p != '\''; p += p[0] == '\\' && p[1] ? 2 : 1)
                if (!*p)
                    return 0; /* unterminated */
            p++;
        }
        if (is_password)
            sv_buf_puts(b, "password=***");
        else
            sv_buf_add(b, name, (size_t)(p - name));
    }
    return 1;
}

/* n bytes of a URI, %XX-decoded as libpq decodes them, are word. */
static int uri_part_is(const char *p, size_t n, const char *word)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++, w++) {
        int c = (unsigned char)p[i];
        if (c == '%' && i + 2 < n && sv_hex_digit(p[i + 1]) >= 0 && sv_hex_digit(p[i + 2]) >= 0) {
            c = sv_hex_digit(p[i + 1]) * 16 + sv_hex_digit(p[i + 2]);
            i += 2;
        }
        if (!word[w] || (unsigned char)word[w] != c)
            return 0;
    }
    return word[w] == '\0';
}

/* A URI postgresql://[user[:password]@][hosts][/dbname][?k=v&...] (fe-connect.c,
 * conninfo_uri_parse_options) into b with its user:PASSWORD@ and its password= parameter as ***. */
static void mask_uri(const char *s, sv_buf *b)
{
    size_t k = strncmp(s, "postgresql://", 13) == 0 ? 13 : 11;
    sv_buf_add(b, s, k);
    const char *start = s + k, *p = start + strcspn(start, "@/");
    if (*p == '@') { /* user info (to the first '@' before any '/', '?' or not): the user to the first ':', the
                        password from there to the '@' (found by fuzz_pg: a '?' in the user is not a parameter) */
        const char *colon = start + strcspn(start, ":@");
        if (*colon == ':') {
            sv_buf_add(b, start, (size_t)(colon + 1 - start));
            if (p > colon + 1)
                sv_buf_puts(b, "***");
        } else {
            sv_buf_add(b, start, (size_t)(p - start));
        }
        sv_buf_add(b, "@", 1);
        start = p + 1;
    }
    p = start + strcspn(start, "?");
    sv_buf_add(b, start, (size_t)(p - start));
    while (*p) { /* ? or & and a parameter key=value */
        sv_buf_add(b, p++, 1);
        size_t n = strcspn(p, "&"), key = strcspn(p, "=&");
        if (key < n && uri_part_is(p, key, "password"))
            sv_buf_printf(b, "%.*s=***", (int)key, p);
        else
            sv_buf_add(b, p, n);
        p += n;
    }
}

/* One connection string, PG:body, with its password hidden exactly where libpq reads one: NULL when libpq
 * cannot parse body (then the caller masks by the words). The masked text is checked with libpq: the same
 * options, the password ***; else (a spelling this scanner reads otherwise) it is written anew from libpq's
 * options, as keyword='value'. */
static char *mask_conninfo(const char *prefix, size_t prefix_len, const char *body)
{
    char *before = conninfo_lines(body, "***");
    if (!before)
        return NULL;
    sv_buf b = {0};
    sv_buf_add(&b, prefix, prefix_len);
    int ok = 1;
    if (strncmp(body, "postgresql://", 13) == 0 || strncmp(body, "postgres://", 11) == 0)
        mask_uri(body, &b);
    else
        ok = mask_keyword_values(body, &b);
    char *after = ok && !b.failed ? conninfo_lines(b.data ? b.data + prefix_len : "", NULL) : NULL;
    if (!after || strcmp(before, after) != 0) {
        sv_buf_free(&b);
        sv_buf_add(&b, prefix, prefix_len);
        char *err = NULL;
        PQconninfoOption *opts = PQconninfoParse(body, &err);
        if (err)
            PQfreemem(err);
        const char *sep = "";
        for (PQconninfoOption *o = opts; o && o->keyword; o++) {
            if (!o->val)
                continue;
            sv_buf_printf(&b, "%s%s='", sep, o->keyword);
            sep = " ";
            const char *v = strcmp(o->keyword, "password") == 0 ? "***" : o->val;
            for (; *v; v++) {
                if (*v == '\'' || *v == '\\')
                    sv_buf_add(&b, "\\", 1);
                sv_buf_add(&b, v, 1);
            }
            sv_buf_add(&b, "'", 1);
        }
        if (opts)
            PQconninfoFree(opts);
    }
    free(before);
    free(after);
    if (b.failed) {
        sv_buf_free(&b);
        return sv_strdup("PG:...");
    }
    return b.data ? b.data : sv_strdup("");
}

char *sv_pg_hide_password(const char *s)
{
    if (!s)
        return NULL;
    /* one connection string, PG:... or an option's --db=PG:...: as libpq reads it */
    const char *eq = strchr(s, '='), *body = NULL;
    if (sv_pg_is_uri(s))
        body = s + 3;
    else if (strncmp(s, "--", 2) == 0 && eq && sv_pg_is_uri(eq + 1))
        body = eq + 4;
    char *m = body ? mask_conninfo(s, (size_t)(body - s), body) : NULL;
    if (m)
        return m;
    /* a command line, or what libpq cannot parse (a GDAL connection string with its own tables=, schemas=) */
    char *out = sv_malloc(2 * strlen(s) + 16);
    if (out)
        mask_passwords(s, out);
    return out;
}

static void no_notices(void *arg, const char *message)
{
    (void)arg;
    (void)message; /* the library never prints ("relation exists, skipping") */
}

/* PQerrorMessage without its trailing line break. */
static const char *pg_msg(PGconn *c, char *buf, size_t size)
{
    snprintf(buf, size, "%s", c ? PQerrorMessage(c) : "no connection");
    for (char *p = buf; *p; p++) /* libpq's "...\n\tIs the server running ...": one line */
        if (*p == '\n' || *p == '\t')
            *p = ' ';
    size_t n = strlen(buf);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
        buf[--n] = '\0';
    return buf;
}

static sv_status pg_connect(sv_ctx *ctx, const char *uri, PGconn **out)
{
    *out = NULL;
    char shown[1024], m[1024];
    shown_uri(uri, shown, sizeof shown);
    PGconn *c = PQconnectdb(uri + 3);
    if (!c || PQstatus(c) != CONNECTION_OK) {
        sv_status rc = sv_error(ctx, SV_ERR_INPUT,
                                "cannot connect to PostgreSQL at %s: %s; check host, port, dbname and user (a libpq "
                                "connection string as psql takes it, e.g. PG:\"host=localhost dbname=gis\")",
                                shown, pg_msg(c, m, sizeof m));
        PQfinish(c);
        return rc;
    }
    PQsetNoticeProcessor(c, no_notices, NULL);
    PGresult *r = PQexec(c, "SET client_encoding = 'UTF8'; SET client_min_messages = warning; "
                            "SET extra_float_digits = 3");
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok) {
        sv_status rc = sv_error(ctx, SV_ERR_DB, "PostgreSQL at %s: %s", shown, pg_msg(c, m, sizeof m));
        PQfinish(c);
        return rc;
    }
    *out = c;
    return SV_OK;
}

/* Run sql (no parameters) expecting no rows. */
static sv_status pg_exec(sv_ctx *ctx, PGconn *c, const char *sql, const char *what)
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType s = PQresultStatus(r);
    PQclear(r);
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
        char m[1024];
        return sv_error(ctx, SV_ERR_DB, "PostgreSQL: %s: %s", what, pg_msg(c, m, sizeof m));
    }
    return SV_OK;
}

/* The first value of a one-parameter query into out ("" for NULL); 1 row, 0 none, -1 error. */
static int pg_value(PGconn *c, const char *sql, const char *param, char *out, size_t size)
{
    const char *p[1] = {param};
    PGresult *r = PQexecParams(c, sql, param ? 1 : 0, NULL, param ? p : NULL, NULL, NULL, 0);
    int k = -1;
    if (PQresultStatus(r) == PGRES_TUPLES_OK) {
        k = PQntuples(r) > 0;
        if (k && out)
            snprintf(out, size, "%s", PQgetisnull(r, 0, 0) ? "" : PQgetvalue(r, 0, 0));
    }
    PQclear(r);
    return k;
}

/* PostGIS is installed in the database. */
static sv_status check_postgis(sv_ctx *ctx, PGconn *c, const char *uri)
{
    char v[64], m[1024], shown[1024];
    int k = pg_value(c, "SELECT extversion FROM pg_extension WHERE extname = 'postgis'", NULL, v, sizeof v);
    shown_uri(uri, shown, sizeof shown);
    if (k < 0)
        return sv_error(ctx, SV_ERR_DB, "PostgreSQL at %s: %s", shown, pg_msg(c, m, sizeof m));
    if (k == 0) {
        char db[256];
        snprintf(db, sizeof db, "%s", PQdb(c));
        return sv_error(ctx, SV_ERR_INPUT,
                        "database %s (%s) has no PostGIS; run 'CREATE EXTENSION postgis;' in it (as its owner or a "
                        "superuser) or give another dbname; nothing was written",
                        db, shown);
    }
    return SV_OK;
}

/* The schema: 0 absent, 1 usable (we may create tables in it), or an error naming its owner. */
static sv_status check_schema(sv_ctx *ctx, PGconn *c, const char *schema, int *exists)
{
    *exists = 0;
    const char *p[1] = {schema};
    PGresult *r = PQexecParams(c,
                               "SELECT pg_get_userbyid(n.nspowner), has_schema_privilege(n.oid, 'CREATE'), "
                               "current_user FROM pg_namespace n WHERE n.nspname = $1",
                               1, NULL, p, NULL, NULL, 0);
    char m[1024];
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        PQclear(r);
        return sv_error(ctx, SV_ERR_DB, "PostgreSQL: cannot look up schema %s: %s", schema, pg_msg(c, m, sizeof m));
    }
    sv_status rc = SV_OK;
    if (PQntuples(r) > 0) {
        *exists = 1;
        if (strcmp(PQgetvalue(r, 0, 1), "t") != 0)
            rc = sv_error(ctx, SV_ERR_OUTPUT,
                          "schema %s in database %s belongs to %s, and %s may not create tables in it; give "
                          "--pg-schema NAME for a schema of your own, or ask its owner for "
                          "'GRANT CREATE, USAGE ON SCHEMA %s TO %s'; nothing was written",
                          schema, PQdb(c), PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 2), schema, PQgetvalue(r, 0, 2));
    } else {
        /* a new schema needs CREATE on the database */
        PGresult *q = PQexec(c, "SELECT has_database_privilege(current_database(), 'CREATE'), current_user");
        if (PQresultStatus(q) == PGRES_TUPLES_OK && PQntuples(q) > 0 && strcmp(PQgetvalue(q, 0, 0), "t") != 0)
            rc = sv_error(ctx, SV_ERR_OUTPUT,
                          "schema %s does not exist in database %s and %s may not create it; ask the database's "
                          "owner to create it for you or give --pg-schema NAME of an existing one; nothing was "
                          "written",
                          schema, PQdb(c), PQgetvalue(q, 0, 1));
        PQclear(q);
    }
    PQclear(r);
    return rc;
}

sv_status sv_pg_check_target(sv_ctx *ctx, const char *uri, const char *schema)
{
    sv_status rc = sv_pg_check_schema_name(ctx, schema);
    if (rc != SV_OK)
        return rc;
    PGconn *c = NULL;
    if ((rc = pg_connect(ctx, uri, &c)) != SV_OK)
        return rc;
    int exists = 0;
    if ((rc = check_postgis(ctx, c, uri)) == SV_OK)
        rc = check_schema(ctx, c, schema, &exists);
    PQfinish(c);
    return rc;
}

/* ---- the tables from the description ---- */

static const char *pg_type(sv_col_type t)
{
    /* the PostgreSQL-only types are named as in PostgreSQL by the description */
    return t == SV_COL_INTEGER ? "bigint" : t == SV_COL_REAL ? "double precision" : t == SV_COL_TEXT ? "text"
                                                                                                    : sv_col_type_name(t);
}

static const char *pg_geometry(const char *type)
{
    if (strcmp(type, "POINT") == 0)
        return "Point";
    if (strcmp(type, "POLYGON") == 0)
        return "Polygon";
    if (strcmp(type, "MULTILINESTRING") == 0)
        return "MultiLineString";
    return "MultiPolygon";
}

/* One table of the description. runs: run_id an identity (grows with every run); every other result table:
 * run_id referring to it, then its own key; a PostgreSQL-only table (the coordination of sharded runs,
 * svcov_meta): run_id referring to runs when per_run, then its columns, keyed by its primary_key. */
static void create_sql(sv_buf *b, const char *schema, const sv_table_desc *t, int srid)
{
    int runs = strcmp(t->name, "runs") == 0;
    sv_buf_printf(b, "CREATE TABLE IF NOT EXISTS \"%s\".%s (", schema, t->name);
    const char *sep = ", ";
    if (runs)
        sv_buf_printf(b, "run_id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY");
    else if (!t->pg_only || t->per_run) /* every result table, also site_runs and compare_runs: one run's */
        sv_buf_printf(b, "run_id integer NOT NULL REFERENCES \"%s\".runs (run_id) ON DELETE CASCADE", schema);
    else
        sep = "";
    if (t->key && !runs)
        sv_buf_printf(b, "%s%s bigint NOT NULL", sep, t->key), sep = ", ";
    for (size_t c = 0; c < t->n_columns; c++, sep = ", ") {
        const sv_column *col = &t->columns[c];
        if (col->type == SV_COL_POLYGON)
            sv_buf_printf(b, "%s\"%s\" geometry(Polygon, %d)", sep, col->name, srid);
        else
            sv_buf_printf(b, "%s\"%s\" %s", sep, col->name, pg_type(col->type));
        sv_buf_printf(b, "%s", col->not_null ? " NOT NULL" : "");
        if (col->default_sql)
            sv_buf_printf(b, " DEFAULT %s", col->default_sql);
        if (col->check_sql)
            sv_buf_printf(b, " CHECK (%s)", col->check_sql);
    }
    if (t->geometry)
        sv_buf_printf(b, ", %s geometry(%s, %d)", t->geometry_column, pg_geometry(t->geometry), srid);
    if (t->primary_key)
        sv_buf_printf(b, ", PRIMARY KEY (%s)", t->primary_key);
    else if (!runs)
        sv_buf_printf(b, ", PRIMARY KEY (run_id, %s)", t->key);
    sv_buf_printf(b, ");\n");
    for (size_t i = 0; i < t->n_indexes; i++)
        sv_buf_printf(b, "CREATE INDEX IF NOT EXISTS %s ON \"%s\".%s%s%s (%s%s);\n", t->indexes[i].name, schema,
                      t->name, t->indexes[i].method ? " USING " : "", t->indexes[i].method ? t->indexes[i].method : "",
                      t->pg_only ? "" : "run_id, ", t->indexes[i].columns);
    if (t->geometry)
        sv_buf_printf(b, "CREATE INDEX IF NOT EXISTS %s_%s_gist ON \"%s\".%s USING gist (%s);\n", t->name,
                      t->geometry_column, schema, t->name, t->geometry_column);
}

/* The schema, its svcov_meta (schema version, SRID) and every table, in this transaction. The SRID of an
 * existing schema must be the run's: a typed geometry column has one. */
static sv_status create_tables(sv_ctx *ctx, PGconn *c, const char *schema, int srid)
{
    sv_buf b = {0};
    sv_buf_printf(&b, "CREATE SCHEMA IF NOT EXISTS \"%s\";\n", schema);
    create_sql(&b, schema, sv_schema_pg_table(0), srid); /* svcov_meta */
    sv_buf_printf(&b, "INSERT INTO \"%s\".svcov_meta VALUES ('schema_version', '%d'), ('srid', '%d') "
                      "ON CONFLICT (key) DO NOTHING;\n",
                  schema, SV_STORE_SCHEMA_VERSION, srid);
    if (b.failed)
        return SV_ERR_NOMEM;
    sv_status rc = pg_exec(ctx, c, b.data, "cannot create the svcov schema");
    sv_buf_free(&b);
    if (rc != SV_OK)
        return rc;
    char sql[512], v[64], ver[64];
    snprintf(sql, sizeof sql, "SELECT value FROM \"%s\".svcov_meta WHERE key = $1", schema);
    if (pg_value(c, sql, "srid", v, sizeof v) != 1 || pg_value(c, sql, "schema_version", ver, sizeof ver) != 1)
        return sv_error(ctx, SV_ERR_DB, "PostgreSQL: cannot read %s.svcov_meta", schema);
    if (atoi(ver) != SV_STORE_SCHEMA_VERSION)
        return sv_error(ctx, SV_ERR_OUTPUT,
                        "schema %s holds svcov results of schema version %s, this svcov writes version %d; give "
                        "--pg-schema NAME for a new schema; nothing was written",
                        schema, ver, SV_STORE_SCHEMA_VERSION);
    if (atoi(v) != srid)
        return sv_error(ctx, SV_ERR_OUTPUT,
                        "schema %s holds results in EPSG:%s and this run is in EPSG:%d (its geometry columns have "
                        "one SRID); give --crs EPSG:%s to add to it, or --pg-schema NAME for another area; nothing "
                        "was written",
                        schema, v, srid, v);
    /* runs first: the others refer to it */
    create_sql(&b, schema, sv_schema_table(SV_TABLE_RUNS), srid);
    for (int t = 0; t < SV_TABLE_COUNT; t++)
        if (t != SV_TABLE_RUNS)
            create_sql(&b, schema, sv_schema_table((sv_table)t), srid);
    for (int t = 1; sv_schema_pg_table(t); t++) /* the coordination of sharded runs */
        create_sql(&b, schema, sv_schema_pg_table(t), srid);
    /* For QGIS and other readers of the tables themselves: each result table's rows of the latest complete run
     * (a sharded run only once svcov finish has marked it complete), the run svcov's own readers read without
     * --run. Made only where missing (CREATE OR REPLACE would lock out the view's readers until this
     * transaction ends); the publishing lock keeps two publishers from making one at once. */
    for (int t = 0; t < SV_TABLE_COUNT; t++) {
        const char *name = sv_schema_table((sv_table)t)->name;
        char view[160];
        snprintf(view, sizeof view, "\"%s\".%s_latest", schema, name);
        if (pg_value(c, "SELECT to_regclass($1) IS NULL", view, v, sizeof v) == 1 && strcmp(v, "f") == 0)
            continue;
        sv_buf_printf(&b,
                      "CREATE VIEW %s AS SELECT * FROM \"%s\".%s WHERE run_id = (SELECT max(r.run_id) FROM "
                      "\"%s\".runs r WHERE NOT EXISTS (SELECT 1 FROM \"%s\".shard_plans p WHERE p.run_id = "
                      "r.run_id AND p.status <> 'complete'));\n",
                      view, schema, name, schema, schema);
    }
    if (b.failed)
        return SV_ERR_NOMEM;
    rc = pg_exec(ctx, c, b.data, "cannot create the result tables");
    sv_buf_free(&b);
    return rc;
}

/* BEGIN, then the schema's publishing lock (until the end of the transaction: publishers of one schema take
 * turns, so two never race to create the tables) and the tables. */
static sv_status begin_tables(sv_ctx *ctx, PGconn *c, const char *schema, int srid)
{
    sv_status rc = pg_exec(ctx, c, "BEGIN", "cannot start a transaction");
    if (rc == SV_OK) {
        const char *p[1] = {schema};
        PGresult *r = PQexecParams(c, "SELECT pg_advisory_xact_lock(hashtext('svcov.publish.' || $1))", 1, NULL, p,
                                   NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            char m[1024];
            rc = sv_error(ctx, SV_ERR_DB, "PostgreSQL: cannot lock schema %s: %s", schema, pg_msg(c, m, sizeof m));
        }
        PQclear(r);
    }
    /* The geometries this transaction stores (most over TOAST's 2 kB: a circle of 129 vertices is 2,081 bytes
     * of EWKB) compressed with lz4 where the server has it (PostgreSQL 14+ built with lz4, as Debian's): a third
     * less of the server's CPU than its default pglz at 30k stations, the same size on disk. Readers need
     * nothing: each value records its own method. */
    char lz4[8] = "";
    if (rc == SV_OK && pg_value(c, "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = "
                                   "'default_toast_compression'", NULL, lz4, sizeof lz4) == 1 && strcmp(lz4, "t") == 0)
        rc = pg_exec(ctx, c, "SET LOCAL default_toast_compression = lz4", "cannot choose lz4 compression");
    return rc == SV_OK ? create_tables(ctx, c, schema, srid) : rc;
}

/* ---- publishing: rows of the SpatiaLite file, COPY binary format ----
 * Each row is a field count, then each field as its length (-1: NULL) and its bytes in the type's binary
 * form (network byte order): int4 run_id, int8 keys and INTEGER columns, float8 REAL columns, UTF-8 text,
 * and the geometry as EWKB (PostGIS's geometry_recv). The server parses no text: about a quarter less of
 * its time than hex EWKB in the text format on polygons (bench/README.md). */

static void put_be(sv_buf *b, unsigned long long v, int bytes)
{
    unsigned char o[8];
    for (int i = 0; i < bytes; i++)
        o[i] = (unsigned char)(v >> (8 * (bytes - 1 - i)));
    sv_buf_add(b, o, (size_t)bytes);
}

static void copy_null(sv_buf *b)
{
    put_be(b, 0xFFFFFFFFULL, 4);
}

static void copy_int8(sv_buf *b, long long v)
{
    put_be(b, 8, 4);
    put_be(b, (unsigned long long)v, 8);
}

static void copy_bytes(sv_buf *b, const void *p, size_t n)
{
    put_be(b, n, 4);
    sv_buf_add(b, p, n);
}

/* A value in its column's binary form; NULL for NULL, a NaN or an infinity (as the SpatiaLite file holds
 * them). A number in a TEXT column is sent as the text SQLite would give; a number in an INTEGER column must
 * be whole, text in a numeric column a number (-1: it is not). */
static int copy_value(sv_buf *b, const sv_value *v, sv_col_type type)
{
    int null = v->kind == SV_VALUE_NULL || (v->kind == SV_VALUE_TEXT && !v->text) ||
               (v->kind != SV_VALUE_TEXT && !isfinite(v->number));
    if (null) {
        copy_null(b);
        return 0;
    }
    if (type == SV_COL_TEXT) {
        char num[64];
        const char *text = v->text;
        if (v->kind != SV_VALUE_TEXT) {
            if (v->kind == SV_VALUE_INT)
                snprintf(num, sizeof num, "%lld", (long long)v->number);
            else
                snprintf(num, sizeof num, "%.17g", v->number);
            text = num;
        }
        copy_bytes(b, text, strlen(text));
        return 0;
    }
    double x = v->number;
    if (v->kind == SV_VALUE_TEXT) { /* (SQLite keeps text it cannot read as a number in a numeric column) */
        char *end = NULL;
        x = strtod(v->text, &end);
        if (end == v->text || *end)
            return -1;
    }
    if (type == SV_COL_INTEGER) {
        if (x != floor(x) || fabs(x) > 9.2e18)
            return -1;
        copy_int8(b, (long long)x);
        return 0;
    }
    unsigned long long bits;
    memcpy(&bits, &x, sizeof bits);
    put_be(b, 8, 4);
    put_be(b, bits, 8);
    return 0;
}

/* WKB as EWKB with the SRID (PostGIS's geometry input). */
static void copy_ewkb(sv_buf *b, const unsigned char *wkb, size_t len, int srid)
{
    if (!wkb || len < 5) {
        copy_null(b);
        return;
    }
    unsigned char head[9];
    int le = wkb[0] == 1;
    unsigned long type = le ? (unsigned long)wkb[1] | (unsigned long)wkb[2] << 8 | (unsigned long)wkb[3] << 16 |
                                  (unsigned long)wkb[4] << 24
                            : (unsigned long)wkb[4] | (unsigned long)wkb[3] << 8 | (unsigned long)wkb[2] << 16 |
                                  (unsigned long)wkb[1] << 24;
    type |= 0x20000000UL; /* EWKB: an SRID follows */
    unsigned long s = (unsigned long)srid;
    head[0] = wkb[0];
    for (int i = 0; i < 4; i++) {
        head[1 + i] = (unsigned char)(le ? type >> (8 * i) : type >> (8 * (3 - i)));
        head[5 + i] = (unsigned char)(le ? s >> (8 * i) : s >> (8 * (3 - i)));
    }
    put_be(b, len + 4, 4);
    sv_buf_add(b, head, sizeof head);
    sv_buf_add(b, wkb + 5, len - 5);
}

typedef struct {
    PGconn *c;
    const char *schema;
    long long run_id;
    int srid;
    int n_runs;
    sv_buf row;
    /* site runs added to a stored run: only the local site runs above site_from, renumbered by
     * site_offset; site_col is the site_run_id column (-1: the key, site_runs) */
    int site;
    long long site_from, site_offset;
    int site_col;
    long long n_rows;
    /* one shard of a sharded run: rows kept by keep, keys offset (shard_no << 32) */
    sv_pg_keep_fn keep;
    void *keep_ud;
    sv_table table;
    long long key_offset;
    /* text starting with from[i] (a worker's copy of an input) is published with to[i] instead */
    const char *const *from, *const *to;
    size_t n_rewrite;
    sv_buf text;
} publish_state;

/* v, or v with a worker's input path replaced by the plan's (in ps->text); NULL for NULL. */
static const char *rewritten(publish_state *ps, const char *v)
{
    for (size_t i = 0; v && i < ps->n_rewrite; i++) {
        size_t n = ps->from[i] ? strlen(ps->from[i]) : 0;
        if (n && strncmp(v, ps->from[i], n) == 0) {
            ps->text.len = 0;
            sv_buf_puts(&ps->text, ps->to[i]);
            sv_buf_puts(&ps->text, v + n);
            return ps->text.failed ? v : ps->text.data;
        }
    }
    return v;
}

static sv_status pg_copy_put(sv_ctx *ctx, publish_state *ps)
{
    if (ps->row.failed)
        return SV_ERR_NOMEM;
    if (PQputCopyData(ps->c, ps->row.data, (int)ps->row.len) != 1) {
        char m[1024];
        return sv_error(ctx, SV_ERR_DB, "PostgreSQL: cannot send result rows: %s", pg_msg(ps->c, m, sizeof m));
    }
    ps->row.len = 0;
    return SV_OK;
}

/* One row of a table: run_id, key, the values, the geometry. Sent in pieces of about 1 MB. */
static sv_status copy_row_(sv_ctx *ctx, publish_state *ps, long long key, const sv_value *values, size_t n,
                           int geom, const unsigned char *wkb, size_t len)
{
    sv_value site_id;
    if (ps->keep && !ps->keep(ps->keep_ud, ps->table, values, n, geom ? wkb : NULL, geom ? len : 0))
        return SV_OK;
    key += ps->key_offset;
    if (ps->site) {
        long long s = ps->site_col < 0 ? key : (long long)values[ps->site_col].number;
        if (s <= ps->site_from)
            return SV_OK; /* a site run the store already has */
        if (ps->site_col < 0)
            key = s + ps->site_offset;
        else
            site_id = SV_INT(s + ps->site_offset);
    }
    const sv_table_desc *t = sv_schema_table(ps->table);
    if (n > t->n_columns)
        return sv_error(ctx, SV_ERR_INPUT, "the result's table %s has %zu columns, not %zu as this svcov writes; "
                        "rerun 'svcov analyze'", t->name, n, t->n_columns);
    put_be(&ps->row, 2 + n + (geom ? 1 : 0), 2);
    put_be(&ps->row, 4, 4);
    put_be(&ps->row, (unsigned long long)ps->run_id, 4);
    copy_int8(&ps->row, key);
    for (size_t i = 0; i < n; i++) {
        sv_value v = ps->site && (int)i == ps->site_col ? site_id : values[i];
        if (v.kind == SV_VALUE_TEXT && ps->n_rewrite)
            v.text = rewritten(ps, v.text);
        if (copy_value(&ps->row, &v, t->columns[i].type) != 0)
            return sv_error(ctx, SV_ERR_INPUT, "the result's %s.%s in row %lld is not a number of its type; "
                            "rerun 'svcov analyze'", t->name, t->columns[i].name, key);
    }
    if (geom)
        copy_ewkb(&ps->row, wkb, len, ps->srid);
    ps->n_rows++;
    if (sv_ctx_interrupted(ctx))
        return sv_error(ctx, SV_ERR_INTERRUPTED, "interrupted; nothing of this run was published");
    return ps->row.len > (1 << 20) ? pg_copy_put(ctx, ps) : SV_OK;
}

static sv_status copy_row(sv_ctx *ctx, void *userdata, long long key, const sv_value *values, size_t n,
                          const unsigned char *wkb, size_t len)
{
    return copy_row_(ctx, userdata, key, values, n, 0, wkb, len);
}

/* A table with a geometry column: a NULL geometry is \N. */
static sv_status copy_row_geom(sv_ctx *ctx, void *userdata, long long key, const sv_value *values, size_t n,
                               const unsigned char *wkb, size_t len)
{
    return copy_row_(ctx, userdata, key, values, n, 1, wkb, len);
}

/* The run record: INSERT ... RETURNING run_id (the new run's id). */
static sv_status insert_run(sv_ctx *ctx, void *userdata, long long key, const sv_value *values, size_t n,
                            const unsigned char *wkb, size_t len)
{
    (void)key;
    (void)wkb;
    (void)len;
    publish_state *ps = userdata;
    if (++ps->n_runs > 1)
        return sv_error(ctx, SV_ERR_INPUT, "the result holds more than one run; publish one analyze run at a time");
    const sv_table_desc *t = sv_schema_table(SV_TABLE_RUNS);
    sv_buf sql = {0};
    sv_buf_printf(&sql, "INSERT INTO \"%s\".runs (", ps->schema);
    for (size_t c = 0; c < n; c++)
        sv_buf_printf(&sql, "%s\"%s\"", c ? ", " : "", t->columns[c].name);
    sv_buf_puts(&sql, ") VALUES (");
    for (size_t c = 0; c < n; c++)
        sv_buf_printf(&sql, "%s$%zu", c ? ", " : "", c + 1);
    sv_buf_puts(&sql, ") RETURNING run_id");
    char **text = sv_calloc(n ? n : 1, sizeof *text);
    sv_status rc = sql.failed || !text ? SV_ERR_NOMEM : SV_OK;
    for (size_t c = 0; rc == SV_OK && c < n; c++) {
        if (values[c].kind == SV_VALUE_NULL || (values[c].kind == SV_VALUE_TEXT && !values[c].text) ||
            (values[c].kind != SV_VALUE_TEXT && !isfinite(values[c].number)))
            continue;
        char num[64];
        if (values[c].kind == SV_VALUE_INT)
            snprintf(num, sizeof num, "%lld", (long long)values[c].number);
        else if (values[c].kind == SV_VALUE_REAL)
            snprintf(num, sizeof num, "%.17g", values[c].number);
        if (!(text[c] = sv_strdup(values[c].kind == SV_VALUE_TEXT ? values[c].text : num)))
            rc = SV_ERR_NOMEM;
    }
    if (rc == SV_OK) {
        PGresult *r = PQexecParams(ps->c, sql.data, (int)n, NULL, (const char *const *)text, NULL, NULL, 0);
        if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
            ps->run_id = atoll(PQgetvalue(r, 0, 0));
        } else {
            char m[1024];
            rc = sv_error(ctx, SV_ERR_DB, "PostgreSQL: cannot record the run: %s", pg_msg(ps->c, m, sizeof m));
        }
        PQclear(r);
    }
    for (size_t c = 0; text && c < n; c++)
        free(text[c]);
    free(text);
    sv_buf_free(&sql);
    return rc;
}

static sv_status copy_table(sv_ctx *ctx, sv_store_reader *rd, publish_state *ps, sv_table table)
{
    const sv_table_desc *t = sv_schema_table(table);
    sv_buf sql = {0};
    sv_buf_printf(&sql, "COPY \"%s\".%s (run_id, %s", ps->schema, t->name, t->key);
    for (size_t c = 0; c < t->n_columns; c++)
        sv_buf_printf(&sql, ", \"%s\"", t->columns[c].name);
    if (t->geometry)
        sv_buf_printf(&sql, ", %s", t->geometry_column);
    sv_buf_puts(&sql, ") FROM STDIN WITH (FORMAT binary)");
    if (sql.failed)
        return SV_ERR_NOMEM;
    char m[1024];
    PGresult *r = PQexec(ps->c, sql.data);
    sv_buf_free(&sql);
    int ok = PQresultStatus(r) == PGRES_COPY_IN;
    PQclear(r);
    if (!ok)
        return sv_error(ctx, SV_ERR_DB, "PostgreSQL: cannot write %s.%s: %s", ps->schema, t->name,
                        pg_msg(ps->c, m, sizeof m));
    ps->row.len = 0;
    ps->table = table;
    sv_buf_add(&ps->row, "PGCOPY\n\377\r\n\0", 11); /* the binary format's signature, flags, extension */
    put_be(&ps->row, 0, 4);
    put_be(&ps->row, 0, 4);
    sv_status rc = sv_store_scan(ctx, rd, table, t->geometry ? copy_row_geom : copy_row, ps);
    if (rc == SV_OK) {
        put_be(&ps->row, 0xFFFF, 2); /* the trailer */
        rc = pg_copy_put(ctx, ps);
    }
    if (PQputCopyEnd(ps->c, rc == SV_OK ? NULL : "svcov stopped") != 1 && rc == SV_OK)
        rc = sv_error(ctx, SV_ERR_DB, "PostgreSQL: cannot end the copy of %s: %s", t->name,
                      pg_msg(ps->c, m, sizeof m));
    while ((r = PQgetResult(ps->c)) != NULL) {
        if (rc == SV_OK && PQresultStatus(r) != PGRES_COMMAND_OK)
            rc = sv_error(ctx, SV_ERR_DB, "PostgreSQL: cannot write %s.%s: %s", ps->schema, t->name,
                          pg_msg(ps->c, m, sizeof m));
        PQclear(r);
    }
    return rc;
}

sv_status sv_pg_publish(sv_ctx *ctx, const char *uri, const char *schema, const char *db_path, long long *run_id)
{
    sv_status rc = sv_pg_check_schema_name(ctx, schema);
    if (rc != SV_OK)
        return rc;
    int srid = sv_store_db_srid(db_path);
    sv_store_reader *rd = NULL;
    if ((rc = sv_store_open_read(ctx, db_path, &rd)) != SV_OK)
        return rc;
    publish_state ps = {.schema = schema, .srid = srid};
    int exists = 0;
    if (srid <= 0)
        rc = sv_error(ctx, SV_ERR_INPUT, "%s has no registered geometry (SRID); rerun 'svcov analyze'", db_path);
    if (rc == SV_OK && (rc = pg_connect(ctx, uri, &ps.c)) == SV_OK && (rc = check_postgis(ctx, ps.c, uri)) == SV_OK)
        rc = check_schema(ctx, ps.c, schema, &exists);
    /* One transaction: a reader sees the run whole or not at all. Publishers of one schema take turns
     * (the lock ends with the transaction), so two runs never race to create the tables. */
    if (rc == SV_OK)
        rc = begin_tables(ctx, ps.c, schema, srid);
    if (rc == SV_OK)
        rc = sv_store_scan(ctx, rd, SV_TABLE_RUNS, insert_run, &ps);
    if (rc == SV_OK && ps.n_runs != 1)
        rc = sv_error(ctx, SV_ERR_INPUT, "%s holds no run record; rerun 'svcov analyze'", db_path);
    for (int t = 0; rc == SV_OK && t < SV_TABLE_COUNT; t++)
        if (t != SV_TABLE_RUNS)
            rc = copy_table(ctx, rd, &ps, (sv_table)t);
    if (rc == SV_OK && sv_ctx_interrupted(ctx))
        rc = sv_error(ctx, SV_ERR_INTERRUPTED, "interrupted; nothing of this run was published");
    if (rc == SV_OK)
        rc = pg_exec(ctx, ps.c, "COMMIT", "cannot commit the run");
    /* on failure the transaction dies with the connection: nothing of the run stays */
    sv_buf_free(&ps.row);
    PQfinish(ps.c);
    sv_store_close_read(rd);
    if (rc == SV_OK && run_id)
        *run_id = ps.run_id;
    return rc;
}

/* ---- fetching one run into a SpatiaLite file ---- */

/* The run ids of the schema, as "1, 2, 5" (at most the last 20). */
static void run_list(PGconn *c, const char *schema, char *out, size_t size)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT string_agg(run_id::text, ', ' ORDER BY run_id) FROM (SELECT run_id FROM \"%s\".runs "
             "ORDER BY run_id DESC LIMIT 20) r",
             schema);
    if (pg_value(c, sql, NULL, out, size) != 1 || !*out)
        snprintf(out, size, "none");
}

static sv_status fetch_table(sv_ctx *ctx, PGconn *c, const char *schema, sv_table table, long long run,
                             sv_store *st)
{
    const sv_table_desc *t = sv_schema_table(table);
    int runs = table == SV_TABLE_RUNS;
    char reg[256], v[256];
    snprintf(reg, sizeof reg, "\"%s\".%s", schema, t->name);
    if (pg_value(c, "SELECT to_regclass($1) IS NOT NULL", reg, v, sizeof v) != 1 || strcmp(v, "t") != 0)
        return SV_OK; /* a table of an older store with none of its rows */
    sv_buf sql = {0};
    sv_buf_printf(&sql, "SELECT %s", runs ? "run_id" : t->key);
    for (size_t i = 0; i < t->n_columns; i++)
        sv_buf_printf(&sql, ", \"%s\"", t->columns[i].name);
    if (t->geometry)
        sv_buf_printf(&sql, ", encode(ST_AsBinary(%s), 'hex')", t->geometry_column);
    sv_buf_printf(&sql, " FROM \"%s\".%s WHERE run_id = $1 ORDER BY %s", schema, t->name, runs ? "run_id" : t->key);
    if (sql.failed)
        return SV_ERR_NOMEM;
    char runs_text[32], m[1024];
    snprintf(runs_text, sizeof runs_text, "%lld", run);
    const char *p[1] = {runs_text};
    sv_status rc = SV_OK;
    if (!PQsendQueryParams(c, sql.data, 1, NULL, p, NULL, NULL, 0) || !PQsetSingleRowMode(c))
        rc = sv_error(ctx, SV_ERR_DB, "PostgreSQL: cannot read %s.%s: %s", schema, t->name, pg_msg(c, m, sizeof m));
    sv_buf_free(&sql);
    sv_value *vals = sv_calloc(t->n_columns ? t->n_columns : 1, sizeof *vals);
    unsigned char *wkb = NULL;
    size_t wcap = 0;
    PGresult *r;
    while ((r = PQgetResult(c)) != NULL) {
        ExecStatusType s = PQresultStatus(r);
        if (rc == SV_OK && !vals)
            rc = SV_ERR_NOMEM;
        if (rc == SV_OK && s == PGRES_SINGLE_TUPLE) {
            for (size_t i = 0; i < t->n_columns && rc == SV_OK; i++) {
                int col = (int)i + 1;
                const char *x = PQgetvalue(r, 0, col);
                if (PQgetisnull(r, 0, col))
                    vals[i] = SV_NULL;
                else if (t->columns[i].type == SV_COL_TEXT)
                    vals[i] = SV_TEXT(x);
                else if (t->columns[i].type == SV_COL_INTEGER)
                    vals[i] = SV_INT(strtoll(x, NULL, 10));
                else
                    vals[i] = SV_REAL(strtod(x, NULL));
            }
            size_t len = 0;
            if (t->geometry && !PQgetisnull(r, 0, (int)t->n_columns + 1)) {
                const char *hx = PQgetvalue(r, 0, (int)t->n_columns + 1);
                size_t hl = strlen(hx);
                if (hl / 2 > wcap) {
                    unsigned char *w = sv_realloc(wkb, hl / 2);
                    if (!w)
                        rc = SV_ERR_NOMEM;
                    else
                        wkb = w, wcap = hl / 2;
                }
                for (size_t i = 0; rc == SV_OK && i + 1 < hl; i += 2)
                    wkb[len++] = (unsigned char)(sv_hex_digit(hx[i]) << 4 | sv_hex_digit(hx[i + 1]));
            }
            if (rc == SV_OK)
                rc = sv_store_insert_keyed(ctx, st, table, strtoll(PQgetvalue(r, 0, 0), NULL, 10), vals,
                                           t->n_columns, len ? wkb : NULL, len);
            if (rc == SV_OK && sv_ctx_interrupted(ctx))
                rc = sv_error(ctx, SV_ERR_INTERRUPTED, "interrupted");
        } else if (rc == SV_OK && s != PGRES_TUPLES_OK) {
            rc = sv_error(ctx, SV_ERR_DB, "PostgreSQL: cannot read %s.%s: %s", schema, t->name,
                          pg_msg(c, m, sizeof m));
        }
        PQclear(r);
    }
    free(vals);
    free(wkb);
    return rc;
}

/* The run to read in this transaction: run, or the latest when 0; SV_ERR_USAGE for one that is not there. */
static sv_status resolve_run(sv_ctx *ctx, PGconn *c, const char *uri, const char *schema, long long run,
                             long long *id)
{
    char v[256], sql[512], shown[1024], have[8] = "";
    shown_uri(uri, shown, sizeof shown);
    snprintf(v, sizeof v, "\"%s\".runs", schema);
    if (pg_value(c, "SELECT to_regclass($1) IS NOT NULL", v, have, sizeof have) != 1 || strcmp(have, "t") != 0)
        return sv_error(ctx, SV_ERR_INPUT,
                        "%s has no svcov results in schema %s; write a run with 'svcov analyze ... --out %s' (or "
                        "give --pg-schema NAME)",
                        shown, schema, shown);
    *id = run;
    if (run <= 0) {
        snprintf(sql, sizeof sql,
                 "SELECT max(run_id) FROM \"%s\".runs r WHERE NOT EXISTS (SELECT 1 FROM \"%s\".shard_plans p "
                 "WHERE p.run_id = r.run_id AND p.status <> 'complete')",
                 schema, schema);
        if (pg_value(c, sql, NULL, v, sizeof v) != 1 || !*v)
            return sv_error(ctx, SV_ERR_INPUT,
                            "schema %s of %s holds no run yet; write one with 'svcov analyze ... --out %s'", schema,
                            shown, shown);
        *id = atoll(v);
        return SV_OK;
    }
    char rt[32], list[512];
    snprintf(rt, sizeof rt, "%lld", run);
    snprintf(sql, sizeof sql, "SELECT 1 FROM \"%s\".runs WHERE run_id = $1", schema);
    if (pg_value(c, sql, rt, v, sizeof v) != 1) {
        run_list(c, schema, list, sizeof list);
        return sv_error(ctx, SV_ERR_USAGE, "--run %lld: no such run in schema %s of %s; its runs: %s", run, schema,
                        shown, list);
    }
    snprintf(sql, sizeof sql, "SELECT 1 FROM \"%s\".shard_plans WHERE run_id = $1 AND status <> 'complete'", schema);
    if (pg_value(c, sql, rt, v, sizeof v) == 1)
        return sv_error(ctx, SV_ERR_INPUT,
                        "run %lld of schema %s is a sharded run that is not finished; see 'svcov status --db %s "
                        "--run %lld', run 'svcov worker' and 'svcov finish' first",
                        run, schema, shown, run);
    return SV_OK;
}

sv_status sv_pg_run_id(sv_ctx *ctx, const char *uri, const char *schema, long long run, long long *run_id)
{
    sv_status rc = sv_pg_check_schema_name(ctx, schema);
    PGconn *c = NULL;
    if (rc == SV_OK && (rc = pg_connect(ctx, uri, &c)) == SV_OK)
        rc = resolve_run(ctx, c, uri, schema, run, run_id);
    PQfinish(c);
    return rc;
}

sv_status sv_pg_fetch(sv_ctx *ctx, const char *uri, const char *schema, long long run, const char *out_path,
                      long long *run_id)
{
    sv_status rc = sv_pg_check_schema_name(ctx, schema);
    if (rc != SV_OK)
        return rc;
    PGconn *c = NULL;
    if ((rc = pg_connect(ctx, uri, &c)) != SV_OK)
        return rc;
    char v[256], sql[512], shown[1024];
    shown_uri(uri, shown, sizeof shown);
    sv_store *st = NULL;
    /* one snapshot for every table: a run published meanwhile does not mix in */
    rc = pg_exec(ctx, c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "cannot start a transaction");
    long long id = run;
    if (rc == SV_OK)
        rc = resolve_run(ctx, c, uri, schema, run, &id);
    int srid = 0;
    if (rc == SV_OK) {
        snprintf(sql, sizeof sql, "SELECT value FROM \"%s\".svcov_meta WHERE key = 'srid'", schema);
        if (pg_value(c, sql, NULL, v, sizeof v) != 1 || (srid = atoi(v)) <= 0)
            rc = sv_error(ctx, SV_ERR_INPUT, "schema %s of %s has no svcov_meta SRID; it was not written by svcov",
                          schema, shown);
    }
    if (rc == SV_OK)
        rc = sv_store_create(ctx, out_path, srid, &st);
    for (int t = 0; rc == SV_OK && t < SV_TABLE_COUNT; t++)
        rc = fetch_table(ctx, c, schema, (sv_table)t, id, st);
    if (rc == SV_OK) {
        rc = sv_store_commit(ctx, st);
        st = NULL;
    }
    sv_store_abort(st);
    PQfinish(c);
    if (rc == SV_OK && run_id)
        *run_id = id;
    return rc;
}

/* ---- site runs added to a stored run (svcov site --db PG:...) ---- */

static int max_row(void *userdata, int ncol, const char *const *names, const char *const *values)
{
    (void)names;
    if (values && ncol > 0 && values[0])
        *(long long *)userdata = atoll(values[0]);
    return 0;
}

sv_status sv_pg_publish_site(sv_ctx *ctx, const char *uri, const char *schema, long long run_id, const char *db_path,
                             long long *site_run_id)
{
    sv_status rc = sv_pg_check_schema_name(ctx, schema);
    if (rc != SV_OK)
        return rc;
    sv_store_reader *rd = NULL;
    if ((rc = sv_store_open_read(ctx, db_path, &rd)) != SV_OK)
        return rc;
    /* svcov site added one site run to the copy: the newest */
    long long newest = 0;
    rc = sv_store_read(ctx, rd, "SELECT max(site_run_id) FROM site_runs", NULL, NULL, 0, max_row, &newest);
    if (rc == SV_OK && newest <= 0)
        rc = sv_error(ctx, SV_ERR_INTERNAL, "internal: %s holds no site run to publish", db_path);
    publish_state ps = {.schema = schema, .srid = sv_store_db_srid(db_path), .run_id = run_id, .site = 1,
                        .site_from = newest - 1};
    long long site_from = newest - 1;
    if (rc != SV_OK) {
        sv_store_close_read(rd);
        return rc;
    }
    if ((rc = pg_connect(ctx, uri, &ps.c)) == SV_OK)
        rc = begin_tables(ctx, ps.c, schema, ps.srid);
    char sql[512], v[64];
    /* site runs published by others since the fetch: ours come after them */
    snprintf(sql, sizeof sql, "SELECT coalesce(max(site_run_id), 0) FROM \"%s\".site_runs WHERE run_id = %lld",
             schema, run_id);
    if (rc == SV_OK && pg_value(ps.c, sql, NULL, v, sizeof v) != 1)
        rc = sv_error(ctx, SV_ERR_DB, "PostgreSQL: cannot read %s.site_runs", schema);
    if (rc == SV_OK) {
        long long have = atoll(v);
        ps.site_offset = have > site_from ? have - site_from : 0;
    }
    static const sv_table site_tables[] = {SV_TABLE_SITE_RUNS, SV_TABLE_SITES, SV_TABLE_SITE_DISTRICT_COVERAGE};
    for (size_t i = 0; rc == SV_OK && i < 3; i++) {
        const sv_table_desc *t = sv_schema_table(site_tables[i]);
        ps.site_col = -1;
        for (size_t c = 0; c < t->n_columns; c++)
            if (strcmp(t->columns[c].name, "site_run_id") == 0)
                ps.site_col = (int)c;
        rc = copy_table(ctx, rd, &ps, site_tables[i]);
    }
    if (rc == SV_OK)
        rc = pg_exec(ctx, ps.c, "COMMIT", "cannot commit the site run");
    sv_buf_free(&ps.row);
    PQfinish(ps.c);
    sv_store_close_read(rd);
    if (rc == SV_OK && site_run_id)
        *site_run_id = site_from + 1 + ps.site_offset;
    return rc;
}

/* ---- sharded runs ---- */

#include "svcov/sv_people.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* PQexecParams with text parameters; the result must be ok (tuples or command), else an SV_ERR_DB. */
static sv_status pg_params(sv_ctx *ctx, PGconn *c, const char *sql, int n, const char *const *p, PGresult **out,
                           const char *what)
{
    PGresult *r = PQexecParams(c, sql, n, NULL, p, NULL, NULL, 0);
    ExecStatusType s = PQresultStatus(r);
    if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) {
        char m[1024];
        PQclear(r);
        if (out)
            *out = NULL;
        return sv_error(ctx, SV_ERR_DB, "PostgreSQL: %s: %s", what, pg_msg(c, m, sizeof m));
    }
    if (out)
        *out = r;
    else
        PQclear(r);
    return SV_OK;
}

/* A text[] literal of strings ("{\"a\",\"b\"}"). */
static void array_literal(sv_buf *b, const char *const *s, size_t n)
{
    sv_buf_puts(b, "{");
    for (size_t i = 0; i < n; i++) {
        sv_buf_puts(b, i ? ",\"" : "\"");
        for (const char *p = s[i]; *p; p++) {
            if (*p == '"' || *p == '\\')
                sv_buf_puts(b, "\\");
            sv_buf_add(b, p, 1);
        }
        sv_buf_puts(b, "\"");
    }
    sv_buf_puts(b, "}");
}

static sv_status read_whole(sv_ctx *ctx, const char *path, unsigned char **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return sv_error(ctx, SV_ERR_INPUT, "%s cannot be read: %s", path, strerror(errno));
    sv_buf b = {0};
    char buf[65536];
    size_t k;
    while ((k = fread(buf, 1, sizeof buf, f)) > 0)
        sv_buf_add(&b, buf, k);
    int bad = ferror(f);
    fclose(f);
    if (bad || b.failed) {
        sv_buf_free(&b);
        return sv_error(ctx, SV_ERR_INPUT, "%s cannot be read", path);
    }
    *data = (unsigned char *)b.data;
    *len = b.len;
    return SV_OK;
}

sv_status sv_pg_plan(sv_ctx *ctx, const char *uri, const char *schema, const sv_shard_plan *p, const char *command,
                     const char *const *args, size_t n_args, const sv_pg_input *inputs, size_t n_inputs,
                     long long *run_id)
{
    sv_status rc = sv_pg_check_schema_name(ctx, schema);
    PGconn *c = NULL;
    int exists = 0;
    if (rc == SV_OK && (rc = pg_connect(ctx, uri, &c)) == SV_OK && (rc = check_postgis(ctx, c, uri)) == SV_OK)
        rc = check_schema(ctx, c, schema, &exists);
    if (rc == SV_OK)
        rc = begin_tables(ctx, c, schema, p->epsg);
    char sql[2048], num[64], epsg[32];
    long long id = 0;
    PGresult *r = NULL;
    if (rc == SV_OK) {
        snprintf(sql, sizeof sql,
                 "INSERT INTO \"%s\".runs (started_utc, svcov_version, command, crs_epsg) VALUES "
                 "(to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), $1, $2, $3) RETURNING run_id",
                 schema);
        snprintf(epsg, sizeof epsg, "%d", p->epsg);
        const char *pp[3] = {SV_VERSION, command, epsg};
        if ((rc = pg_params(ctx, c, sql, 3, pp, &r, "cannot record the run")) == SV_OK)
            id = atoll(PQgetvalue(r, 0, 0));
        PQclear(r);
    }
    char rid[32];
    snprintf(rid, sizeof rid, "%lld", id);
    if (rc == SV_OK) {
        sv_buf a = {0};
        array_literal(&a, args, n_args);
        char ns[32], halo[64];
        snprintf(ns, sizeof ns, "%d", p->n_shards);
        snprintf(halo, sizeof halo, "%.17g", p->halo_m);
        snprintf(sql, sizeof sql,
                 "INSERT INTO \"%s\".shard_plans (run_id, status, args, n_shards, halo_m) VALUES ($1, 'planned', $2, "
                 "$3, $4)",
                 schema);
        const char *pp[4] = {rid, a.data ? a.data : "{}", ns, halo};
        rc = a.failed ? SV_ERR_NOMEM : pg_params(ctx, c, sql, 4, pp, NULL, "cannot record the plan");
        sv_buf_free(&a);
    }
    for (int s = 1; rc == SV_OK && s <= p->n_shards; s++) {
        sv_env e = sv_shard_core(p, s);
        int nd = 0;
        for (size_t i = 0; i < p->n; i++)
            nd += p->shard[i] == s;
        char sn[32], nds[32], b[4][64], halo[64];
        snprintf(sn, sizeof sn, "%d", s);
        snprintf(nds, sizeof nds, "%d", nd);
        snprintf(b[0], 64, "%.17g", e.xmin);
        snprintf(b[1], 64, "%.17g", e.ymin);
        snprintf(b[2], 64, "%.17g", e.xmax);
        snprintf(b[3], 64, "%.17g", e.ymax);
        snprintf(halo, sizeof halo, "%.17g", p->halo_m);
        snprintf(sql, sizeof sql,
                 "INSERT INTO \"%s\".shards (run_id, shard_no, n_districts, work, core, halo) SELECT $1, $2, $3::int, $3::int, "
                 "e, ST_Expand(e, $8::float8) FROM (SELECT ST_MakeEnvelope($4, $5, $6, $7, %d) AS e) x",
                 schema, p->epsg);
        const char *pp[8] = {rid, sn, nds, b[0], b[1], b[2], b[3], halo};
        rc = pg_params(ctx, c, sql, 8, pp, NULL, "cannot record the shards");
    }
    for (size_t i = 0; rc == SV_OK && i < p->n; i++) {
        char sn[32], b[4][64];
        snprintf(sn, sizeof sn, "%d", p->shard[i]);
        snprintf(b[0], 64, "%.17g", p->env[i].xmin);
        snprintf(b[1], 64, "%.17g", p->env[i].ymin);
        snprintf(b[2], 64, "%.17g", p->env[i].xmax);
        snprintf(b[3], 64, "%.17g", p->env[i].ymax);
        snprintf(sql, sizeof sql,
                 "INSERT INTO \"%s\".shard_districts (run_id, district_id, shard_no, x_min, y_min, x_max, y_max) VALUES "
                 "($1, $2, $3, $4, $5, $6, $7)",
                 schema);
        const char *pp[7] = {rid, p->ids[i], sn, b[0], b[1], b[2], b[3]};
        rc = pg_params(ctx, c, sql, 7, pp, NULL, "cannot record the districts of the shards");
    }
    /* the inputs, once: every worker reads them from here */
    for (size_t i = 0; rc == SV_OK && i < n_inputs; i++)
        for (size_t f = 0; rc == SV_OK && f < inputs[i].n_files; f++) {
            unsigned char *data = NULL;
            size_t len = 0;
            if ((rc = read_whole(ctx, inputs[i].files[f], &data, &len)) != SV_OK)
                break;
            char in[32], fn[32];
            snprintf(in, sizeof in, "%zu", i);
            snprintf(fn, sizeof fn, "%zu", f);
            const char *base = strrchr(inputs[i].files[f], '/');
            base = base ? base + 1 : inputs[i].files[f];
            snprintf(sql, sizeof sql,
                     "INSERT INTO \"%s\".shard_inputs (run_id, input_no, file_no, file_name, path, data) VALUES ($1, "
                     "$2, $3, $4, $5, $6)",
                     schema);
            const char *pp[6] = {rid, in, fn, base, inputs[i].files[f], (const char *)data};
            int lens[6] = {0, 0, 0, 0, 0, (int)len}, fmts[6] = {0, 0, 0, 0, 0, 1};
            PGresult *q = PQexecParams(c, sql, 6, NULL, pp, lens, fmts, 0);
            if (PQresultStatus(q) != PGRES_COMMAND_OK) {
                char m[1024];
                rc = sv_error(ctx, SV_ERR_DB, "PostgreSQL: cannot store the input %s: %s", inputs[i].files[f],
                              pg_msg(c, m, sizeof m));
            }
            PQclear(q);
            free(data);
        }
    if (rc == SV_OK)
        rc = pg_exec(ctx, c, "COMMIT", "cannot commit the plan");
    PQfinish(c);
    if (rc == SV_OK && run_id)
        *run_id = id;
    (void)num;
    return rc;
}

void sv_pg_strings_free(char **s, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        free(s[i]);
    free(s);
}

/* A planned run: run, or the latest one not finished. */
static sv_status plan_run(sv_ctx *ctx, PGconn *c, const char *uri, const char *schema, long long run,
                          long long *id, int *complete)
{
    char sql[512], v[64], shown[1024];
    shown_uri(uri, shown, sizeof shown);
    snprintf(v, sizeof v, "\"%s\".shard_plans", schema);
    char have[8] = "";
    if (pg_value(c, "SELECT to_regclass($1) IS NOT NULL", v, have, sizeof have) != 1 || strcmp(have, "t") != 0) {
        /* a schema there that this user may not look into: say so, not "no results" */
        const char *pp[1] = {schema};
        PGresult *q = PQexecParams(c, "SELECT pg_get_userbyid(nspowner), current_user FROM pg_namespace WHERE "
                                      "nspname = $1 AND NOT has_schema_privilege(oid, 'USAGE')",
                                   1, NULL, pp, NULL, NULL, 0);
        sv_status rc = SV_OK;
        if (PQresultStatus(q) == PGRES_TUPLES_OK && PQntuples(q) == 1)
            rc = sv_error(ctx, SV_ERR_INPUT, "schema %s of %s belongs to %s, and %s may not use it: ask its owner "
                          "for 'GRANT USAGE ON SCHEMA %s TO %s' (and the rights on its tables), or give "
                          "--pg-schema NAME; nothing was changed",
                          schema, shown, PQgetvalue(q, 0, 0), PQgetvalue(q, 0, 1), schema, PQgetvalue(q, 0, 1));
        PQclear(q);
        if (rc != SV_OK)
            return rc;
        return sv_error(ctx, SV_ERR_INPUT, "%s has no svcov results in schema %s; plan a run with 'svcov plan ... "
                        "--out %s' (or give --pg-schema NAME)", shown, schema, shown);
    }
    if (run <= 0) {
        snprintf(sql, sizeof sql, "SELECT max(run_id) FROM \"%s\".shard_plans WHERE status = 'planned'", schema);
        if (pg_value(c, sql, NULL, v, sizeof v) != 1 || !*v)
            return sv_error(ctx, SV_ERR_INPUT, "schema %s of %s has no sharded run waiting to be computed; plan one "
                            "with 'svcov plan ... --out %s'", schema, shown, shown);
        *id = atoll(v);
        if (complete)
            *complete = 0;
        return SV_OK;
    }
    char rt[32];
    snprintf(rt, sizeof rt, "%lld", run);
    snprintf(sql, sizeof sql, "SELECT status FROM \"%s\".shard_plans WHERE run_id = $1", schema);
    if (pg_value(c, sql, rt, v, sizeof v) != 1) {
        char list[512];
        snprintf(sql, sizeof sql,
                 "SELECT string_agg(run_id::text, ', ' ORDER BY run_id) FROM \"%s\".shard_plans", schema);
        if (pg_value(c, sql, NULL, list, sizeof list) != 1 || !*list)
            snprintf(list, sizeof list, "none");
        return sv_error(ctx, SV_ERR_USAGE, "--run %lld: no sharded run of that id in schema %s of %s; its sharded "
                        "runs: %s", run, schema, shown, list);
    }
    *id = run;
    if (complete)
        *complete = strcmp(v, "complete") == 0;
    return SV_OK;
}

sv_status sv_pg_plan_load(sv_ctx *ctx, const char *uri, const char *schema, long long run, long long *run_id,
                          sv_shard_plan *p, char ***args, size_t *n_args)
{
    memset(p, 0, sizeof *p);
    *args = NULL;
    *n_args = 0;
    PGconn *c = NULL;
    sv_status rc = sv_pg_check_schema_name(ctx, schema);
    long long id = 0;
    int complete = 0;
    if (rc == SV_OK && (rc = pg_connect(ctx, uri, &c)) == SV_OK)
        rc = plan_run(ctx, c, uri, schema, run, &id, &complete);
    char sql[512], rid[32];
    snprintf(rid, sizeof rid, "%lld", id);
    const char *pp[1] = {rid};
    PGresult *r = NULL;
    if (rc == SV_OK) {
        snprintf(sql, sizeof sql,
                 "SELECT unnest(args), n_shards, halo_m, (SELECT value FROM \"%s\".svcov_meta WHERE key = 'srid') "
                 "FROM \"%s\".shard_plans WHERE run_id = $1",
                 schema, schema);
        if ((rc = pg_params(ctx, c, sql, 1, pp, &r, "cannot read the plan")) == SV_OK) {
            int n = PQntuples(r);
            *args = sv_calloc((size_t)n + 1, sizeof **args);
            if (!*args)
                rc = SV_ERR_NOMEM;
            for (int i = 0; rc == SV_OK && i < n; i++) {
                if (!((*args)[i] = sv_strdup(PQgetvalue(r, i, 0))))
                    rc = SV_ERR_NOMEM;
                *n_args = (size_t)i + 1;
            }
            if (n > 0) {
                p->n_shards = atoi(PQgetvalue(r, 0, 1));
                p->halo_m = strtod(PQgetvalue(r, 0, 2), NULL);
                p->epsg = atoi(PQgetvalue(r, 0, 3));
            }
            PQclear(r);
        }
    }
    if (rc == SV_OK) {
        snprintf(sql, sizeof sql,
                 "SELECT district_id, shard_no, x_min, y_min, x_max, y_max FROM \"%s\".shard_districts WHERE run_id = $1 "
                 "ORDER BY district_id",
                 schema);
        if ((rc = pg_params(ctx, c, sql, 1, pp, &r, "cannot read the districts of the plan")) == SV_OK) {
            size_t n = (size_t)PQntuples(r);
            p->ids = sv_calloc(n + 1, sizeof *p->ids);
            p->x = sv_calloc(n + 1, sizeof *p->x);
            p->y = sv_calloc(n + 1, sizeof *p->y);
            p->env = sv_calloc(n + 1, sizeof *p->env);
            p->shard = sv_calloc(n + 1, sizeof *p->shard);
            if (!p->ids || !p->x || !p->y || !p->env || !p->shard)
                rc = SV_ERR_NOMEM;
            for (size_t i = 0; rc == SV_OK && i < n; i++) {
                if (!(p->ids[i] = sv_strdup(PQgetvalue(r, (int)i, 0))))
                    rc = SV_ERR_NOMEM;
                p->n = i + 1;
                p->shard[i] = atoi(PQgetvalue(r, (int)i, 1));
                p->env[i] = (sv_env){strtod(PQgetvalue(r, (int)i, 2), NULL), strtod(PQgetvalue(r, (int)i, 3), NULL),
                                     strtod(PQgetvalue(r, (int)i, 4), NULL), strtod(PQgetvalue(r, (int)i, 5), NULL)};
                p->x[i] = (p->env[i].xmin + p->env[i].xmax) / 2;
                p->y[i] = (p->env[i].ymin + p->env[i].ymax) / 2;
            }
            PQclear(r);
        }
    }
    PQfinish(c);
    if (rc == SV_OK && run_id)
        *run_id = id;
    return rc;
}

sv_status sv_pg_inputs_fetch(sv_ctx *ctx, const char *uri, const char *schema, long long run_id, const char *dir,
                             char ***paths, size_t *n_paths, char ***originals, size_t *n_originals)
{
    *paths = NULL;
    *n_paths = 0;
    if (originals) {
        *originals = NULL;
        *n_originals = 0;
    }
    PGconn *c = NULL;
    sv_status rc = pg_connect(ctx, uri, &c);
    char sql[512], rid[32];
    snprintf(rid, sizeof rid, "%lld", run_id);
    snprintf(sql, sizeof sql,
             "SELECT input_no, file_no, file_name, data, path FROM \"%s\".shard_inputs WHERE run_id = $1 ORDER BY input_no, "
             "file_no",
             schema);
    const char *pp[1] = {rid};
    PGresult *r = NULL;
    if (rc == SV_OK) {
        int fmts[1] = {0};
        r = PQexecParams(c, sql, 1, NULL, pp, NULL, fmts, 1); /* binary: the bytes as stored */
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            char m[1024];
            rc = sv_error(ctx, SV_ERR_DB, "PostgreSQL: cannot read the inputs of run %lld: %s", run_id,
                          pg_msg(c, m, sizeof m));
        }
    }
    int n = rc == SV_OK ? PQntuples(r) : 0;
    size_t cap = 0;
    for (int i = 0; rc == SV_OK && i < n; i++) {
        /* binary integers are big-endian */
        const unsigned char *a = (const unsigned char *)PQgetvalue(r, i, 0), *b = (const unsigned char *)PQgetvalue(r, i, 1);
        unsigned in = (unsigned)a[0] << 24 | (unsigned)a[1] << 16 | (unsigned)a[2] << 8 | a[3];
        unsigned fn = (unsigned)b[0] << 24 | (unsigned)b[1] << 16 | (unsigned)b[2] << 8 | b[3];
        const char *name = PQgetvalue(r, i, 2);
        if (strchr(name, '/') || strcmp(name, "..") == 0 || strcmp(name, ".") == 0) {
            rc = sv_error(ctx, SV_ERR_INPUT, "run %lld: input file name '%s' is not a plain name", run_id, name);
            break;
        }
        char folder[4200], path[4600];
        snprintf(folder, sizeof folder, "%s/%u", dir, in);
        mkdir(folder, 0700);
        snprintf(path, sizeof path, "%s/%s", folder, name);
        FILE *f = fopen(path, "wb");
        size_t len = (size_t)PQgetlength(r, i, 3);
        if (!f || fwrite(PQgetvalue(r, i, 3), 1, len, f) != len || fclose(f) != 0) {
            if (f)
                fclose(f);
            rc = sv_error(ctx, SV_ERR_OUTPUT, "cannot write %s: %s", path, strerror(errno));
            break;
        }
        if (in >= cap) {
            size_t nc = in + 8;
            char **np = sv_realloc(*paths, nc * sizeof *np);
            if (!np) {
                rc = SV_ERR_NOMEM;
                break;
            }
            memset(np + cap, 0, (nc - cap) * sizeof *np);
            *paths = np;
            cap = nc;
        }
        if (fn == 0 && !((*paths)[in] = sv_strdup(path)))
            rc = SV_ERR_NOMEM;
        /* the path on the plan's machine, to name the input in what is published */
        if (fn == 0 && originals && rc == SV_OK) {
            char **op = sv_realloc(*originals, cap * sizeof *op);
            if (!op) {
                rc = SV_ERR_NOMEM;
                break;
            }
            for (size_t z = *n_originals; z < cap; z++)
                op[z] = NULL;
            *originals = op;
            *n_originals = cap;
            free(op[in]);
            if (!(op[in] = sv_strdup(PQgetvalue(r, i, 4))))
                rc = SV_ERR_NOMEM;
        }
        if (in + 1 > *n_paths)
            *n_paths = in + 1;
    }
    PQclear(r);
    PQfinish(c);
    return rc;
}

sv_status sv_pg_claim(sv_ctx *ctx, const char *uri, const char *schema, long long run_id, const char *worker,
                      int lease_s, int *shard_no, int *attempt, int *state)
{
    *state = 0;
    PGconn *c = NULL;
    sv_status rc = pg_connect(ctx, uri, &c);
    char sql[1024], rid[32], lease[32];
    snprintf(rid, sizeof rid, "%lld", run_id);
    snprintf(lease, sizeof lease, "%d", lease_s);
    if (rc == SV_OK)
        rc = pg_exec(ctx, c, "BEGIN", "cannot start a transaction");
    PGresult *r = NULL;
    if (rc == SV_OK) {
        /* the largest free shard; one that another worker is claiming right now is skipped, not waited for */
        snprintf(sql, sizeof sql,
                 "SELECT shard_no FROM \"%s\".shards WHERE run_id = $1 AND (status = 'todo' OR (status = 'running' "
                 "AND lease_until < now())) ORDER BY work DESC, shard_no LIMIT 1 FOR UPDATE SKIP LOCKED",
                 schema);
        const char *pp[1] = {rid};
        rc = pg_params(ctx, c, sql, 1, pp, &r, "cannot look for a shard");
    }
    if (rc == SV_OK && PQntuples(r) == 1) {
        char sn[32];
        snprintf(sn, sizeof sn, "%s", PQgetvalue(r, 0, 0));
        PQclear(r);
        snprintf(sql, sizeof sql,
                 "UPDATE \"%s\".shards SET status = 'running', worker = $2, attempt = attempt + 1, lease_until = "
                 "now() + $3 * interval '1 second', started_utc = now(), finished_utc = NULL, message = NULL WHERE "
                 "run_id = $1 AND shard_no = $4 RETURNING attempt",
                 schema);
        const char *pp[4] = {rid, worker, lease, sn};
        if ((rc = pg_params(ctx, c, sql, 4, pp, &r, "cannot claim a shard")) == SV_OK) {
            *shard_no = atoi(sn);
            *attempt = atoi(PQgetvalue(r, 0, 0));
            *state = 1;
            PQclear(r);
        }
    } else if (rc == SV_OK) {
        PQclear(r);
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM \"%s\".shards WHERE run_id = $1 AND status IN ('todo', 'running')", schema);
        char v[32];
        if (pg_value(c, sql, rid, v, sizeof v) == 1 && atoll(v) > 0)
            *state = 2;
    }
    if (rc == SV_OK)
        rc = pg_exec(ctx, c, "COMMIT", "cannot commit the claim");
    PQfinish(c);
    return rc;
}

struct sv_pg_lease {
    pthread_t thread;
    char *uri, *schema, *worker;
    long long run_id;
    int shard_no, attempt, lease_s;
    void (*on_lost)(void *);
    void *userdata;
    sv_pg_holder now; /* written before lost is set to 1 */
    atomic_int stop, lost;
};

static void *lease_main(void *arg)
{
    sv_pg_lease *l = arg;
    sv_ctx *ctx = sv_ctx_create();
    PGconn *c = NULL;
    if (!ctx || pg_connect(ctx, l->uri, &c) != SV_OK) {
        atomic_store(&l->lost, 2);
        sv_ctx_destroy(ctx);
        return NULL;
    }
    char sql[512], who[512], rid[32], sn[32], at[32], lease[32];
    snprintf(rid, sizeof rid, "%lld", l->run_id);
    snprintf(sn, sizeof sn, "%d", l->shard_no);
    snprintf(at, sizeof at, "%d", l->attempt);
    snprintf(lease, sizeof lease, "%d", l->lease_s);
    snprintf(sql, sizeof sql,
             "UPDATE \"%s\".shards SET lease_until = now() + $5 * interval '1 second' WHERE run_id = $1 AND shard_no = "
             "$2 AND worker = $3 AND attempt = $4 AND status = 'running'",
             l->schema);
    snprintf(who, sizeof who,
             "SELECT status, coalesce(worker, ''), attempt FROM \"%s\".shards WHERE run_id = $1 AND shard_no = $2",
             l->schema);
    long step_ms = l->lease_s * 1000L / 3;
    if (step_ms < 200)
        step_ms = 200;
    while (!atomic_load(&l->stop)) {
        for (long t = 0; t < step_ms && !atomic_load(&l->stop); t += 50)
            nanosleep(&(struct timespec){0, 50 * 1000000L}, NULL);
        if (atomic_load(&l->stop))
            break;
        const char *pp[5] = {rid, sn, l->worker, at, lease};
        PGresult *r = PQexecParams(c, sql, 5, NULL, pp, NULL, NULL, 0);
        int ok = PQresultStatus(r) == PGRES_COMMAND_OK, renewed = ok && atoi(PQcmdTuples(r)) == 1;
        PQclear(r);
        if (!ok) { /* the database did not answer: the lease may run out; the publish checks it */
            atomic_store(&l->lost, 2);
            break;
        }
        if (!renewed) { /* the shard is no longer ours: who has it now */
            r = PQexecParams(c, who, 2, NULL, pp, NULL, NULL, 0);
            snprintf(l->now.status, sizeof l->now.status, "gone");
            if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
                snprintf(l->now.status, sizeof l->now.status, "%s", PQgetvalue(r, 0, 0));
                snprintf(l->now.worker, sizeof l->now.worker, "%s", PQgetvalue(r, 0, 1));
                l->now.attempt = atoi(PQgetvalue(r, 0, 2));
            }
            PQclear(r);
            atomic_store(&l->lost, 1);
            if (l->on_lost)
                l->on_lost(l->userdata);
            break;
        }
    }
    PQfinish(c);
    sv_ctx_destroy(ctx);
    return NULL;
}

sv_pg_lease *sv_pg_lease_start(const char *uri, const char *schema, long long run_id, int shard_no,
                               const char *worker, int attempt, int lease_s, void (*on_lost)(void *userdata),
                               void *userdata)
{
    sv_pg_lease *l = sv_calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->uri = sv_strdup(uri);
    l->schema = sv_strdup(schema);
    l->worker = sv_strdup(worker);
    l->run_id = run_id;
    l->shard_no = shard_no;
    l->attempt = attempt;
    l->lease_s = lease_s;
    l->on_lost = on_lost;
    l->userdata = userdata;
    if (!l->uri || !l->schema || !l->worker || pthread_create(&l->thread, NULL, lease_main, l) != 0) {
        free(l->uri);
        free(l->schema);
        free(l->worker);
        free(l);
        return NULL;
    }
    return l;
}

int sv_pg_lease_lost(sv_pg_lease *l, sv_pg_holder *now)
{
    int lost = l ? atomic_load(&l->lost) : 0;
    if (now)
        *now = lost == 1 ? l->now : (sv_pg_holder){{0}, {0}, 0};
    return lost;
}

int sv_pg_lease_stop(sv_pg_lease *l)
{
    if (!l)
        return 2;
    atomic_store(&l->stop, 1);
    pthread_join(l->thread, NULL);
    int lost = atomic_load(&l->lost);
    free(l->uri);
    free(l->schema);
    free(l->worker);
    free(l);
    return lost;
}

/* The shard is still ours (running, our worker name and attempt), locked for this transaction. */
static sv_status hold_shard(sv_ctx *ctx, PGconn *c, const char *schema, const char *rid, const char *sn,
                            const char *worker, const char *at)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT status, coalesce(worker, ''), attempt FROM \"%s\".shards WHERE run_id = $1 AND shard_no = $2 "
             "FOR UPDATE",
             schema);
    const char *pp[2] = {rid, sn};
    PGresult *r = NULL;
    sv_status rc = pg_params(ctx, c, sql, 2, pp, &r, "cannot read the shard");
    if (rc != SV_OK)
        return rc;
    if (PQntuples(r) != 1 || strcmp(PQgetvalue(r, 0, 0), "running") != 0 || strcmp(PQgetvalue(r, 0, 1), worker) != 0 ||
        strcmp(PQgetvalue(r, 0, 2), at) != 0)
        rc = sv_error(ctx, SV_ERR_OUTPUT,
                      "shard %s lost its lease (now %s by %s, attempt %s; this was attempt %s by %s): nothing of "
                      "this attempt was published",
                      sn, PQntuples(r) ? PQgetvalue(r, 0, 0) : "gone", PQntuples(r) ? PQgetvalue(r, 0, 1) : "-",
                      PQntuples(r) ? PQgetvalue(r, 0, 2) : "-", at, worker);
    PQclear(r);
    return rc;
}

/* runs: the record of the shard's analysis, without what belongs to the whole run (start, command). */
static sv_status update_run(sv_ctx *ctx, void *userdata, long long key, const sv_value *values, size_t n,
                            const unsigned char *wkb, size_t len)
{
    (void)key;
    (void)wkb;
    (void)len;
    publish_state *ps = userdata;
    const sv_table_desc *t = sv_schema_table(SV_TABLE_RUNS);
    sv_buf sql = {0};
    sv_buf_printf(&sql, "UPDATE \"%s\".runs SET ", ps->schema);
    char **text = sv_calloc(n + 1, sizeof *text);
    const char **pp = sv_calloc(n + 2, sizeof *pp);
    int k = 0;
    sv_status rc = !text || !pp ? SV_ERR_NOMEM : SV_OK;
    for (size_t c = 0; rc == SV_OK && c < n; c++) {
        const char *name = t->columns[c].name;
        if (strcmp(name, "started_utc") == 0 || strcmp(name, "command") == 0 || strcmp(name, "finished_utc") == 0)
            continue;
        char num[64];
        const char *v = NULL;
        if (values[c].kind == SV_VALUE_TEXT)
            v = rewritten(ps, values[c].text);
        else if (values[c].kind == SV_VALUE_INT && isfinite(values[c].number))
            snprintf(num, sizeof num, "%lld", (long long)values[c].number), v = num;
        else if (values[c].kind == SV_VALUE_REAL && isfinite(values[c].number))
            snprintf(num, sizeof num, "%.17g", values[c].number), v = num;
        text[k] = v ? sv_strdup(v) : NULL;
        pp[k] = text[k];
        k++;
        sv_buf_printf(&sql, "%s\"%s\" = $%d", k > 1 ? ", " : "", name, k);
    }
    sv_buf_printf(&sql, " WHERE run_id = %lld", ps->run_id);
    if (rc == SV_OK)
        rc = sql.failed ? SV_ERR_NOMEM : pg_params(ctx, ps->c, sql.data, k, pp, NULL, "cannot record the run");
    for (int i = 0; text && i < k; i++)
        free(text[i]);
    free(text);
    free(pp);
    sv_buf_free(&sql);
    return rc;
}

sv_status sv_pg_publish_shard(sv_ctx *ctx, const char *uri, const char *schema, long long run_id, int shard_no,
                              const char *worker, int attempt, const char *db_path, sv_pg_keep_fn keep,
                              void *keep_ud, const char *const *from, const char *const *to, size_t n_rewrite,
                              long long *n_rows)
{
    sv_store_reader *rd = NULL;
    sv_status rc = sv_store_open_read(ctx, db_path, &rd);
    if (rc != SV_OK)
        return rc;
    publish_state ps = {.schema = schema, .srid = sv_store_db_srid(db_path), .run_id = run_id, .keep = keep,
                        .keep_ud = keep_ud, .key_offset = (long long)shard_no << 32,
                        .from = from, .to = to, .n_rewrite = n_rewrite};
    char rid[32], sn[32], at[32], sql[1024];
    snprintf(rid, sizeof rid, "%lld", run_id);
    snprintf(sn, sizeof sn, "%d", shard_no);
    snprintf(at, sizeof at, "%d", attempt);
    if ((rc = pg_connect(ctx, uri, &ps.c)) == SV_OK)
        rc = pg_exec(ctx, ps.c, "BEGIN", "cannot start a transaction");
    if (rc == SV_OK)
        rc = hold_shard(ctx, ps.c, schema, rid, sn, worker, at);
    /* what an earlier attempt of this shard left (its keys carry the shard number) */
    for (int t = 0; rc == SV_OK && t < SV_TABLE_COUNT; t++) {
        const sv_table_desc *d = sv_schema_table((sv_table)t);
        if (t == SV_TABLE_RUNS)
            continue;
        snprintf(sql, sizeof sql, "DELETE FROM \"%s\".%s WHERE run_id = $1 AND (%s >> 32) = $2", schema, d->name,
                 d->key);
        const char *pp[2] = {rid, sn};
        rc = pg_params(ctx, ps.c, sql, 2, pp, NULL, "cannot remove an earlier attempt's rows");
    }
    if (rc == SV_OK)
        rc = sv_store_scan(ctx, rd, SV_TABLE_RUNS, update_run, &ps);
    for (int t = 0; rc == SV_OK && t < SV_TABLE_COUNT; t++)
        if (t != SV_TABLE_RUNS && t != SV_TABLE_SITE_RUNS)
            rc = copy_table(ctx, rd, &ps, (sv_table)t);
    if (rc == SV_OK) {
        char nr[32];
        snprintf(nr, sizeof nr, "%lld", ps.n_rows);
        snprintf(sql, sizeof sql,
                 "UPDATE \"%s\".shards SET status = 'done', finished_utc = now(), lease_until = NULL, n_rows = $3 "
                 "WHERE run_id = $1 AND shard_no = $2",
                 schema);
        const char *pp[3] = {rid, sn, nr};
        rc = pg_params(ctx, ps.c, sql, 3, pp, NULL, "cannot mark the shard done");
    }
    if (rc == SV_OK)
        rc = pg_exec(ctx, ps.c, "COMMIT", "cannot commit the shard");
    sv_buf_free(&ps.row);
    sv_buf_free(&ps.text);
    PQfinish(ps.c);
    sv_store_close_read(rd);
    if (rc == SV_OK && n_rows)
        *n_rows = ps.n_rows;
    return rc;
}

sv_status sv_pg_fail_shard(sv_ctx *ctx, const char *uri, const char *schema, long long run_id, int shard_no,
                           const char *worker, int attempt, const char *message)
{
    PGconn *c = NULL;
    sv_status rc = pg_connect(ctx, uri, &c);
    char sql[512], rid[32], sn[32], at[32];
    snprintf(rid, sizeof rid, "%lld", run_id);
    snprintf(sn, sizeof sn, "%d", shard_no);
    snprintf(at, sizeof at, "%d", attempt);
    snprintf(sql, sizeof sql,
             "UPDATE \"%s\".shards SET status = CASE WHEN attempt >= 3 THEN 'failed' ELSE 'todo' END, lease_until = "
             "NULL, finished_utc = now(), message = $5 WHERE run_id = $1 AND shard_no = $2 AND worker = $3 AND "
             "attempt = $4 AND status = 'running'",
             schema);
    const char *pp[5] = {rid, sn, worker, at, message};
    if (rc == SV_OK)
        rc = pg_params(ctx, c, sql, 5, pp, NULL, "cannot record the failed shard");
    PQfinish(c);
    return rc;
}

/* The weighted median and 90th percentile of the distances (and minutes) of the demand points inside the
 * districts to their nearest station, as engine/fairness.c computes them for the whole area: a point
 * without a station is infinitely far. */
/* The whole area's distance quantiles from every point the shards published with its distance: the demand
 * points (demand_access), or the other people points (people_points: population polygons, raster cells,
 * buildings), each inside a district, as analyze takes them over the union of the districts. */
static sv_status finish_fairness_points(sv_ctx *ctx, PGconn *c, const char *schema, const char *rid, int demand)
{
    char sql[1024];
    snprintf(sql, sizeof sql,
             "SELECT coalesce(%s::text, 'inf'), coalesce(minutes::text, 'inf'), weight, nearest_station_id IS "
             "NULL FROM \"%s\".%s WHERE run_id = $1 AND district_id IS NOT NULL AND weight > 0 ORDER BY "
             "id",
             demand ? "network_m" : "distance_m", schema, demand ? "demand_access" : "people_points");
    const char *pp[1] = {rid};
    PGresult *r = NULL;
    sv_status rc = pg_params(ctx, c, sql, 1, pp, &r, "cannot read the demand points");
    if (rc != SV_OK)
        return rc;
    size_t n = (size_t)PQntuples(r);
    double *m = sv_calloc(n + 1, sizeof *m), *t = sv_calloc(n + 1, sizeof *t), *w = sv_calloc(n + 1, sizeof *w);
    if (!m || !t || !w)
        rc = SV_ERR_NOMEM;
    for (size_t i = 0; rc == SV_OK && i < n; i++) {
        int none = strcmp(PQgetvalue(r, (int)i, 3), "t") == 0;
        m[i] = none ? INFINITY : strtod(PQgetvalue(r, (int)i, 0), NULL);
        t[i] = none ? INFINITY : strtod(PQgetvalue(r, (int)i, 1), NULL);
        w[i] = strtod(PQgetvalue(r, (int)i, 2), NULL);
    }
    PQclear(r);
    if (rc == SV_OK && n) {
        double q[4] = {sv_weighted_quantile(m, w, n, 0.5), sv_weighted_quantile(m, w, n, 0.9),
                       sv_weighted_quantile(t, w, n, 0.5), sv_weighted_quantile(t, w, n, 0.9)};
        char b[4][64];
        const char *v[6] = {rid, NULL, NULL, NULL, NULL, NULL};
        for (int k = 0; k < 4; k++) {
            snprintf(b[k], 64, "%.17g", q[k]);
            v[k + 1] = isfinite(q[k]) ? b[k] : NULL; /* infinite: stored as NULL, as analyze does */
        }
        char nn[32];
        snprintf(nn, sizeof nn, "%zu", n);
        v[5] = nn;
        snprintf(sql, sizeof sql,
                 "UPDATE \"%s\".district_fairness SET median_m = $2, p90_m = $3, median_min = $4, p90_min = $5, "
                 "n_points = $6 WHERE run_id = $1 AND district_id IS NULL",
                 schema);
        rc = pg_params(ctx, c, sql, 6, v, NULL, "cannot write the whole area's distances");
    }
    free(m);
    free(t);
    free(w);
    return rc;
}

/* The whole area's p10, median and p90 of the access index (district_access), as analyze_access.c computes
 * them over the points inside the union of the districts: from point_access, which holds each such point
 * once (its first district's shard wrote it), per break. */
static sv_status finish_access_points(sv_ctx *ctx, PGconn *c, const char *schema, const char *rid)
{
    char sql[1024];
    snprintf(sql, sizeof sql,
             "SELECT radius_m::text, coalesce(access::text, 'NaN'), weight FROM \"%s\".point_access WHERE run_id = "
             "$1 ORDER BY radius_m, id",
             schema);
    const char *pp[1] = {rid};
    PGresult *r = NULL;
    sv_status rc = pg_params(ctx, c, sql, 1, pp, &r, "cannot read the points' access");
    if (rc != SV_OK)
        return rc;
    size_t n = (size_t)PQntuples(r);
    double *a = sv_calloc(n + 1, sizeof *a), *w = sv_calloc(n + 1, sizeof *w);
    if (!a || !w)
        rc = sv_error(ctx, SV_ERR_NOMEM, "out of memory for the points' access");
    snprintf(sql, sizeof sql,
             "UPDATE \"%s\".district_access SET p10 = $3, median = $4, p90 = $5 WHERE run_id = $1 AND district_id "
             "IS NULL AND radius_m = $2",
             schema);
    for (size_t i = 0, j; rc == SV_OK && i < n; i = j) { /* one break after the other */
        const char *radius = PQgetvalue(r, (int)i, 0);
        for (j = i; j < n && strcmp(PQgetvalue(r, (int)j, 0), radius) == 0; j++) {
            a[j - i] = strtod(PQgetvalue(r, (int)j, 1), NULL);
            w[j - i] = strtod(PQgetvalue(r, (int)j, 2), NULL);
        }
        double q[3] = {sv_weighted_quantile(a, w, j - i, 0.1), sv_weighted_quantile(a, w, j - i, 0.5),
                       sv_weighted_quantile(a, w, j - i, 0.9)};
        char b[3][64];
        const char *v[5] = {rid, radius, NULL, NULL, NULL};
        for (int k = 0; k < 3; k++) {
            snprintf(b[k], 64, "%.17g", q[k]);
            v[k + 2] = isfinite(q[k]) ? b[k] : NULL;
        }
        rc = pg_params(ctx, c, sql, 5, v, NULL, "cannot write the whole area's access quantiles");
    }
    PQclear(r);
    free(a);
    free(w);
    return rc;
}

/* What no shard can compute alone, from the rows of all of them (districts partition the area, as
 * city_coverage assumes): the whole-area rows of district_redundancy, district_fairness, category_coverage
 * and district_demand, the streets reached from all stations; the stations of each category; critical_stations ranked over the whole run and their
 * share of all people; each station's area of responsibility united from the shards' pieces, and its share of
 * all people served. Keys of the rows made here
 * are below 2^32 (no shard's). */
static sv_status finish_whole_area(sv_ctx *ctx, PGconn *c, const char *schema, const char *rid)
{
    const char *S = schema;
    sv_buf b = {0};
    /* redundancy: per break and class the districts' sums; shares of the whole area and its people */
    sv_buf_printf(&b,
                  "INSERT INTO \"%s\".district_redundancy (run_id, id, district_id, district_name, mode, minutes, "
                  "radius_m, n_cover, area_m2, area_pct, pop, pop_pct) SELECT $1, row_number() OVER (ORDER BY "
                  "x.radius_m, x.n_cover), NULL, '(whole area)', x.mode, x.minutes, x.radius_m, x.n_cover, x.area, "
                  "CASE WHEN c.area_m2 > 0 THEN 100 * x.area / c.area_m2 END, x.pop, CASE WHEN sum(x.pop) OVER w > 0 "
                  "AND count(x.pop) OVER w = count(*) OVER w THEN 100 * x.pop / sum(x.pop) OVER w END FROM (SELECT "
                  "mode, minutes, radius_m, n_cover, sum(area_m2) AS area, CASE WHEN count(pop) = count(*) THEN "
                  "sum(pop) END AS pop FROM \"%s\".district_redundancy WHERE run_id = $1 AND district_id IS NOT NULL "
                  "GROUP BY mode, minutes, radius_m, n_cover) x JOIN \"%s\".city_coverage c ON c.run_id = $1 AND "
                  "c.radius_m = x.radius_m WINDOW w AS (PARTITION BY x.radius_m);\n",
                  S, S, S);
    /* fairness: the whole area's people as city_coverage; distances below (demand points) */
    sv_buf_printf(&b,
                  "INSERT INTO \"%s\".district_fairness (run_id, id, district_id, district_name, mode, minutes, "
                  "radius_m, pop_total, pop_covered_pct, n_points, source) SELECT $1, row_number() OVER (ORDER BY "
                  "c.radius_m), NULL, '(whole area)', c.mode, c.minutes, c.radius_m, c.pop_total, CASE WHEN "
                  "c.pop_total > 0 THEN 100 * c.pop_covered / c.pop_total END, f.n, f.source FROM "
                  "\"%s\".city_coverage c JOIN (SELECT radius_m, sum(n_points) AS n, min(source) AS source FROM "
                  "\"%s\".district_fairness WHERE run_id = $1 AND district_id IS NOT NULL GROUP BY radius_m) f ON "
                  "f.radius_m = c.radius_m WHERE c.run_id = $1;\n",
                  S, S, S);
    /* categories: the stations of each in the whole run (counted once, not once per row: districts x
     * categories x breaks rows, each scanning every station, took 27 s at 10k stations and grew with the square),
     * then the whole area's sums */
    sv_buf_printf(&b,
                  "WITH o AS MATERIALIZED (SELECT category, count(*) AS n FROM \"%s\".stations WHERE run_id = $1 "
                  "GROUP BY category) UPDATE \"%s\".category_coverage x SET n_stations = coalesce((SELECT o.n FROM o "
                  "WHERE o.category IS NOT DISTINCT FROM x.category), 0) WHERE x.run_id = $1;\n"
                  "INSERT INTO \"%s\".category_coverage (run_id, id, district_id, district_name, category, mode, "
                  "minutes, radius_m, n_stations, area_m2, covered_m2, covered_pct, gap_m2, pop_total, pop_covered, "
                  "pop_covered_pct) SELECT $1, row_number() OVER (ORDER BY category, radius_m), NULL, '(whole area)', "
                  "category, mode, minutes, radius_m, max(n_stations), sum(area_m2), sum(covered_m2), CASE WHEN "
                  "sum(area_m2) > 0 THEN 100 * (sum(covered_m2) / sum(area_m2)) ELSE 0 END, sum(gap_m2), CASE WHEN "
                  "count(pop_total) = count(*) THEN sum(pop_total) END, CASE WHEN count(pop_covered) = count(*) THEN "
                  "sum(pop_covered) END, CASE WHEN count(pop_total) = count(*) AND count(pop_covered) = count(*) AND "
                  "sum(pop_total) > 0 THEN 100 * sum(pop_covered) / sum(pop_total) END FROM \"%s\".category_coverage "
                  "WHERE run_id = $1 AND district_id IS NOT NULL GROUP BY category, mode, minutes, radius_m;\n",
                  S, S, S, S);
    /* demand: every point (inside a district or not), per break */
    sv_buf_printf(&b,
                  "INSERT INTO \"%s\".district_demand (run_id, id, district_id, district_name, mode, minutes, "
                  "radius_m, demand_total, demand_covered, covered_share, n_points) SELECT $1, row_number() OVER "
                  "(ORDER BY r.radius_m), NULL, '(all demand)', r.mode, r.minutes, r.radius_m, sum(a.weight), "
                  "coalesce(sum(a.weight) FILTER (WHERE r.within <> 0), 0), CASE WHEN sum(a.weight) > 0 THEN "
                  "coalesce(sum(a.weight) FILTER (WHERE r.within <> 0), 0) / sum(a.weight) END, count(*) FROM "
                  "\"%s\".demand_access a JOIN \"%s\".demand_reach r ON r.run_id = $1 AND r.demand_id = a.demand_id "
                  "WHERE a.run_id = $1 GROUP BY r.mode, r.minutes, r.radius_m;\n",
                  S, S, S);
    /* critical stations: ranked over the whole run as analyze ranks them (people lost, then area, then the
     * stations' order), their share of all people */
    sv_buf_printf(&b,
                  "UPDATE \"%s\".critical_stations x SET rank = o.rank, pop_lost_pct = CASE WHEN c.pop_total > 0 "
                  "THEN 100 * x.pop_lost / c.pop_total END FROM (SELECT k.id, row_number() OVER (PARTITION BY "
                  "k.radius_m ORDER BY coalesce(k.pop_lost, -1) DESC, k.area_lost_m2 DESC, s.source_fid, s.id) AS "
                  "rank FROM \"%s\".critical_stations k LEFT JOIN \"%s\".stations s ON s.run_id = $1 AND "
                  "s.station_id = k.station_id WHERE k.run_id = $1) o, \"%s\".city_coverage c WHERE x.run_id = $1 "
                  "AND o.id = x.id AND c.run_id = $1 AND c.radius_m = x.radius_m;\n",
                  S, S, S, S);
    /* the streets reached from all stations together (network mode): each shard's (its multi-source reach,
     * exact around its own area) within the shard's part of the plane (the Voronoi cells of its districts'
     * centres), united */
    sv_buf_printf(&b,
                  "INSERT INTO \"%s\".reached_streets (run_id, id, station_id, mode, minutes, radius_m, length_m, "
                  "geom) WITH c AS (SELECT shard_no, ST_SetSRID(ST_MakePoint((x_min + x_max) / 2, (y_min + y_max) / "
                  "2), ST_SRID(s.core)) AS p FROM \"%s\".shard_districts d JOIN \"%s\".shards s USING (run_id, "
                  "shard_no) WHERE d.run_id = $1), r AS (SELECT * FROM \"%s\".reached_streets WHERE run_id = $1 AND "
                  "station_id IS NULL), v AS (SELECT (ST_Dump(ST_VoronoiPolygons(ST_Collect(p), 0, (SELECT "
                  "ST_Expand(ST_Collect(ST_Envelope(geom)), 1) FROM r)))).geom AS g FROM c), cell AS (SELECT "
                  "c.shard_no, ST_Union(v.g) AS g FROM v JOIN c ON ST_Intersects(v.g, c.p) GROUP BY c.shard_no), "
                  "piece AS (SELECT r.mode, r.minutes, r.radius_m, ST_CollectionExtract(ST_Intersection(r.geom, "
                  "cell.g), 2) AS g FROM r JOIN cell ON cell.shard_no = (r.id >> 32)), u AS (SELECT mode, minutes, "
                  "radius_m, ST_Multi(ST_Union(g)) AS g FROM piece GROUP BY mode, minutes, radius_m) SELECT $1, "
                  "row_number() OVER (ORDER BY radius_m), NULL, mode, minutes, radius_m, ST_Length(g), g FROM u;\n"
                  "DELETE FROM \"%s\".reached_streets WHERE run_id = $1 AND station_id IS NULL AND (id >> 32) > 0;\n",
                  S, S, S, S, S);
    /* capacity-aware access (2SFCA): the whole area's people-weighted mean and share below --min-access from
     * the districts' (which partition it); its quantiles from every point's access (finish_access_points) */
    sv_buf_printf(&b,
                  "INSERT INTO \"%s\".district_access (run_id, id, district_id, district_name, mode, minutes, "
                  "radius_m, access_index, p10, median, p90, pop_below_pct, pop_total, n_points) SELECT $1, "
                  "row_number() OVER (ORDER BY radius_m), NULL, '(whole area)', mode, minutes, radius_m, CASE WHEN "
                  "sum(pop_total) FILTER (WHERE access_index IS NOT NULL) > 0 THEN sum(access_index * pop_total) "
                  "FILTER (WHERE access_index IS NOT NULL) / sum(pop_total) FILTER (WHERE access_index IS NOT NULL) "
                  "END, NULL, NULL, NULL, CASE WHEN count(pop_below_pct) > 0 AND sum(pop_total) FILTER (WHERE "
                  "pop_below_pct IS NOT NULL) > 0 THEN sum(pop_below_pct * pop_total) FILTER (WHERE pop_below_pct IS "
                  "NOT NULL) / sum(pop_total) FILTER (WHERE pop_below_pct IS NOT NULL) END, sum(pop_total), "
                  "sum(n_points) FROM \"%s\".district_access WHERE run_id = $1 AND district_id IS NOT NULL GROUP BY "
                  "mode, minutes, radius_m;\n",
                  S, S);
    /* time of day (--at): each shard's whole-area rows count its own stations open; their sum is the run's, in
     * every row of the moment; the whole area's rows are the districts' sums (as city_coverage), the shards'
     * removed */
    sv_buf_printf(&b,
                  "UPDATE \"%s\".time_coverage x SET stations_open = o.n FROM (SELECT moment, radius_m, "
                  "sum(stations_open) AS n FROM \"%s\".time_coverage WHERE run_id = $1 AND district_id IS NULL "
                  "GROUP BY moment, radius_m) o WHERE x.run_id = $1 AND x.district_id IS NOT NULL AND x.moment = "
                  "o.moment AND x.radius_m = o.radius_m;\n"
                  "INSERT INTO \"%s\".time_coverage (run_id, id, district_id, district_name, mode, minutes, "
                  "radius_m, moment, stations_open, area_m2, covered_m2, covered_pct, gap_m2, n_stations_reaching, "
                  "pop_total, pop_covered, pop_covered_pct) SELECT $1, row_number() OVER (ORDER BY min(id)), NULL, "
                  "'(whole area)', mode, minutes, radius_m, moment, max(stations_open), sum(area_m2), "
                  "sum(covered_m2), CASE WHEN sum(area_m2) > 0 THEN 100 * (sum(covered_m2) / sum(area_m2)) ELSE 0 "
                  "END, sum(area_m2) - sum(covered_m2), max(stations_open), sum(pop_total), sum(pop_covered), CASE "
                  "WHEN sum(pop_total) > 0 THEN 100 * (sum(pop_covered) / sum(pop_total)) END FROM "
                  "\"%s\".time_coverage WHERE run_id = $1 AND district_id IS NOT NULL GROUP BY mode, minutes, "
                  "radius_m, moment;\n"
                  "DELETE FROM \"%s\".time_coverage WHERE run_id = $1 AND district_id IS NULL AND (id >> 32) > 0;\n",
                  S, S, S, S, S);
    /* responsibility: each shard published every station's piece of its area in the shard's own districts
     * (which do not overlap); a station's area is the union of its pieces, its area, people and points their
     * sums; then the share of all people served */
    sv_buf_printf(&b,
                  "INSERT INTO \"%s\".responsibility (run_id, id, station_id, name, method, area_m2, pop_served, "
                  "pop_share_pct, n_points, geom) SELECT $1, row_number() OVER (ORDER BY min(id)), station_id, "
                  "min(name), min(method), sum(area_m2), sum(pop_served), NULL, sum(n_points), "
                  "ST_Multi(ST_Union(geom)) FROM \"%s\".responsibility WHERE run_id = $1 AND (id >> 32) > 0 GROUP BY "
                  "station_id;\n"
                  "DELETE FROM \"%s\".responsibility WHERE run_id = $1 AND (id >> 32) > 0;\n",
                  S, S, S);
    sv_buf_printf(&b,
                  "UPDATE \"%s\".responsibility x SET pop_share_pct = CASE WHEN t.served > 0 AND x.pop_served IS NOT "
                  "NULL THEN 100 * x.pop_served / t.served END FROM (SELECT sum(pop_served) AS served FROM "
                  "\"%s\".responsibility WHERE run_id = $1) t WHERE x.run_id = $1;\n",
                  S, S);
    if (b.failed)
        return SV_ERR_NOMEM;
    /* one statement at a time: PQexecParams takes one */
    sv_status rc = SV_OK;
    const char *pp[1] = {rid};
    for (char *q = b.data, *end; rc == SV_OK && q && *q; q = end + 1) {
        end = strchr(q, '\n');
        *end = '\0';
        rc = pg_params(ctx, c, q, 1, pp, NULL, "cannot compute the whole area's rows");
    }
    sv_buf_free(&b);
    if (rc == SV_OK)
        rc = finish_access_points(ctx, c, schema, rid);
    char sql[512], v[256] = "";
    snprintf(sql, sizeof sql, "SELECT min(source) FROM \"%s\".district_fairness WHERE run_id = $1", schema);
    if (rc == SV_OK && pg_value(c, sql, rid, v, sizeof v) == 1 && *v)
        rc = finish_fairness_points(ctx, c, schema, rid, strcmp(v, "demand points") == 0);
    return rc;
}

/* The finish's own stage times (the lines of ctx under "finish"), keys below 2^32 as every row finish makes;
 * each shard's are its worker's timings rows, their keys shard_no << 32 | line. */
static sv_status finish_timings(sv_ctx *ctx, PGconn *c, const char *schema, const char *rid)
{
    sv_ctx_timings_update(ctx);
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO \"%s\".timings (run_id, id, stage, parent, seconds, cpu_seconds, rows_written, beside, "
             "peak_rss_mib) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
             schema);
    sv_status rc = SV_OK;
    long long key = 0;
    for (size_t i = 0; rc == SV_OK && i < sv_ctx_timing_count(ctx); i++) {
        const sv_timing *t = sv_ctx_timing(ctx, i);
        if (!t || strncmp(t->stage, "finish", 6) != 0)
            continue;
        char k[32], sec[64], cpu[64], rows[32], bes[8], mib[64];
        snprintf(k, sizeof k, "%lld", ++key);
        snprintf(sec, sizeof sec, "%.17g", t->seconds);
        snprintf(cpu, sizeof cpu, "%.17g", t->cpu_seconds);
        snprintf(rows, sizeof rows, "%lld", t->rows);
        snprintf(bes, sizeof bes, "%d", t->beside);
        snprintf(mib, sizeof mib, "%.17g", t->peak_mib);
        const char *pp[9] = {rid, k, t->stage, t->parent, sec, cpu, rows, bes, isfinite(t->peak_mib) ? mib : NULL};
        rc = pg_params(ctx, c, sql, 9, pp, NULL, "cannot write the finish's timings");
    }
    return rc;
}

sv_status sv_pg_finish(sv_ctx *ctx, const char *uri, const char *schema, long long run_id)
{
    PGconn *c = NULL;
    sv_status rc = sv_pg_check_schema_name(ctx, schema);
    long long id = 0;
    int complete = 0;
    char shown[1024];
    shown_uri(uri, shown, sizeof shown);
    if (rc == SV_OK && (rc = pg_connect(ctx, uri, &c)) == SV_OK)
        rc = plan_run(ctx, c, uri, schema, run_id, &id, &complete);
    if (rc == SV_OK && complete)
        rc = sv_error(ctx, SV_ERR_USAGE, "run %lld is already finished", id);
    sv_progress(ctx, "finish", 0);
    sv_progress(ctx, "checks", 0);
    if (rc == SV_OK)
        rc = pg_exec(ctx, c, "BEGIN", "cannot start a transaction");
    char sql[2048], rid[32], v[256];
    snprintf(rid, sizeof rid, "%lld", id);
    const char *pp[1] = {rid};
    PGresult *r = NULL;
    if (rc == SV_OK) { /* no worker publishes while we look */
        snprintf(sql, sizeof sql, "SELECT status FROM \"%s\".shard_plans WHERE run_id = $1 FOR UPDATE", schema);
        rc = pg_params(ctx, c, sql, 1, pp, NULL, "cannot lock the plan");
    }
    if (rc == SV_OK) {
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FILTER (WHERE status <> 'done'), count(*) FILTER (WHERE status = 'todo'), count(*) "
                 "FILTER (WHERE status = 'running'), count(*) FILTER (WHERE status = 'failed'), count(*), "
                 "coalesce(string_agg(shard_no || ': ' || message, '; ') FILTER (WHERE status = 'failed'), '') FROM "
                 "\"%s\".shards WHERE run_id = $1",
                 schema);
        if ((rc = pg_params(ctx, c, sql, 1, pp, &r, "cannot read the shards")) == SV_OK) {
            if (atoll(PQgetvalue(r, 0, 0)) > 0)
                rc = sv_error(ctx, SV_ERR_DATA,
                              "run %lld: %s of %s shards are not done (%s todo, %s running, %s failed%s%s); start "
                              "'svcov worker --db %s --run %lld' and finish when 'svcov status' shows every shard "
                              "done; nothing was changed",
                              id, PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 4), PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2),
                              PQgetvalue(r, 0, 3), *PQgetvalue(r, 0, 5) ? ": " : "", PQgetvalue(r, 0, 5), shown, id);
            PQclear(r);
            r = NULL;
        }
    }
    if (rc == SV_OK) { /* every district of the plan exactly once */
        snprintf(sql, sizeof sql,
                 "SELECT count(*), coalesce(string_agg(d.district_id || ' x' || coalesce(x.n, 0), ', '), '') FROM "
                 "\"%s\".shard_districts d LEFT JOIN (SELECT district_id, count(*) AS n FROM \"%s\".districts WHERE "
                 "run_id = $1 GROUP BY district_id) x USING (district_id) WHERE d.run_id = $1 AND coalesce(x.n, 0) <> 1",
                 schema, schema);
        if ((rc = pg_params(ctx, c, sql, 1, pp, &r, "cannot check the districts")) == SV_OK) {
            if (atoll(PQgetvalue(r, 0, 0)) > 0)
                rc = sv_error(ctx, SV_ERR_DATA, "run %lld: %s districts are not there exactly once (%.300s); nothing "
                              "was changed", id, PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1));
            PQclear(r);
            r = NULL;
        }
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM \"%s\".districts x WHERE run_id = $1 AND NOT EXISTS (SELECT 1 FROM "
                 "\"%s\".shard_districts d WHERE d.run_id = $1 AND d.district_id = x.district_id)",
                 schema, schema);
        if (rc == SV_OK && (pg_value(c, sql, rid, v, sizeof v) != 1 || atoll(v) != 0))
            rc = sv_error(ctx, SV_ERR_DATA, "run %lld: districts that are not in the plan", id);
    }
    if (rc == SV_OK) { /* and once per break in district_coverage, which city_coverage sums */
        snprintf(sql, sizeof sql,
                 "WITH b AS (SELECT DISTINCT mode, minutes, radius_m FROM \"%s\".district_coverage WHERE run_id = $1), "
                 "x AS (SELECT d.district_id, b.minutes, b.radius_m, count(c.id) AS n FROM \"%s\".shard_districts d "
                 "CROSS JOIN b LEFT JOIN \"%s\".district_coverage c ON c.run_id = $1 AND c.district_id = "
                 "d.district_id AND c.mode = b.mode AND c.minutes IS NOT DISTINCT FROM b.minutes AND c.radius_m = "
                 "b.radius_m WHERE d.run_id = $1 GROUP BY 1, 2, 3) SELECT count(*), coalesce(string_agg("
                 "district_id || ' at ' || coalesce(minutes::text || ' min', radius_m::text || ' m') || ' x' || n, "
                 "', ' ORDER BY district_id, radius_m), '') FROM x WHERE n <> 1",
                 schema, schema, schema);
        if ((rc = pg_params(ctx, c, sql, 1, pp, &r, "cannot check the district coverage")) == SV_OK) {
            if (atoll(PQgetvalue(r, 0, 0)) > 0)
                rc = sv_error(ctx, SV_ERR_DATA, "run %lld: %s rows of district_coverage are not there exactly once "
                              "(%.300s); nothing was changed", id, PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1));
            PQclear(r);
            r = NULL;
        }
    }
    /* the rows every shard wrote alike: one of each */
    static const char *const dedupe[][2] = {{"issues", "file, layer, feature_id, problem, action"},
                                            {"roads", "road_id"},
                                            {"breaks", "break_no"}};
    for (size_t i = 0; rc == SV_OK && i < 3; i++) {
        snprintf(sql, sizeof sql,
                 "DELETE FROM \"%s\".%s a USING \"%s\".%s b WHERE a.run_id = $1 AND b.run_id = $1 AND a.id > b.id AND "
                 "(a.%s) IS NOT DISTINCT FROM (b.%s)",
                 schema, dedupe[i][0], schema, dedupe[i][0], dedupe[i][1], dedupe[i][1]);
        /* a row constructor needs the columns prefixed one by one */
        char cols_a[256] = "", cols_b[256] = "";
        char list[256];
        snprintf(list, sizeof list, "%s", dedupe[i][1]);
        for (char *tok = strtok(list, ", "); tok; tok = strtok(NULL, ", ")) {
            snprintf(cols_a + strlen(cols_a), sizeof cols_a - strlen(cols_a), "%sa.%s", *cols_a ? ", " : "", tok);
            snprintf(cols_b + strlen(cols_b), sizeof cols_b - strlen(cols_b), "%sb.%s", *cols_b ? ", " : "", tok);
        }
        snprintf(sql, sizeof sql,
                 "DELETE FROM \"%s\".%s a USING \"%s\".%s b WHERE a.run_id = $1 AND b.run_id = $1 AND a.id > b.id AND "
                 "ROW(%s, 0) IS NOT DISTINCT FROM ROW(%s, 0)",
                 schema, dedupe[i][0], schema, dedupe[i][0], cols_a, cols_b);
        rc = pg_params(ctx, c, sql, 1, pp, NULL, "cannot remove repeated rows");
    }
    sv_progress(ctx, "checks", 1);
    sv_progress(ctx, "city coverage", 0);
    /* the whole area per break: the sums of the districts (which partition it), the Gini over them */
    if (rc == SV_OK) {
        snprintf(sql, sizeof sql,
                 "SELECT mode, minutes, radius_m, sum(area_m2), sum(covered_m2), sum(gap_m2), sum(pop_total), "
                 "sum(pop_covered), string_agg(coalesce(pop_total::text, 'NaN'), ' ' ORDER BY district_id), "
                 "string_agg(coalesce(pop_covered::text, 'NaN'), ' ' ORDER BY district_id), count(*) FROM "
                 "\"%s\".district_coverage WHERE run_id = $1 GROUP BY mode, minutes, radius_m ORDER BY radius_m",
                 schema);
        rc = pg_params(ctx, c, sql, 1, pp, &r, "cannot sum the districts");
    }
    char n_st[32] = "0";
    snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\".stations WHERE run_id = $1", schema);
    if (rc == SV_OK && pg_value(c, sql, rid, n_st, sizeof n_st) != 1)
        rc = sv_error(ctx, SV_ERR_DB, "PostgreSQL: cannot count the stations");
    for (int i = 0; rc == SV_OK && r && i < PQntuples(r); i++) {
        size_t nd = (size_t)atoll(PQgetvalue(r, i, 10));
        double *share = sv_calloc(nd + 1, sizeof *share), *w = sv_calloc(nd + 1, sizeof *w);
        if (!share || !w) {
            free(share);
            free(w);
            rc = SV_ERR_NOMEM;
            break;
        }
        char *pt = PQgetvalue(r, i, 8), *pc = PQgetvalue(r, i, 9);
        int any = 0;
        for (size_t d = 0; d < nd; d++) { /* as analyze_people.c: share of the people covered, weight the people */
            double t = strtod(pt, &pt), cv = strtod(pc, &pc);
            share[d] = t > 0 && isfinite(cv) ? cv / t : NAN;
            w[d] = isfinite(t) ? t : 0;
            any |= isfinite(t);
        }
        double gini = any ? sv_gini(share, w, nd) : NAN;
        free(share);
        free(w);
        double area = strtod(PQgetvalue(r, i, 3), NULL), cov = strtod(PQgetvalue(r, i, 4), NULL);
        const char *ptot = PQgetisnull(r, i, 6) ? NULL : PQgetvalue(r, i, 6);
        const char *pcov = PQgetisnull(r, i, 7) ? NULL : PQgetvalue(r, i, 7);
        char b[8][64], key[32];
        snprintf(key, sizeof key, "%d", i + 1);
        snprintf(b[0], 64, "%.17g", area > 0 ? 100.0 * (cov / area) : 0.0);
        snprintf(b[1], 64, "%.17g", area - cov);
        double t = ptot ? strtod(ptot, NULL) : NAN, pcv = pcov ? strtod(pcov, NULL) : NAN;
        snprintf(b[2], 64, "%.17g", t > 0 ? 100.0 * (pcv / t) : NAN);
        snprintf(b[3], 64, "%.17g", gini);
        const char *q[13] = {rid, key, PQgetvalue(r, i, 0), PQgetisnull(r, i, 1) ? NULL : PQgetvalue(r, i, 1),
                             PQgetvalue(r, i, 2), PQgetvalue(r, i, 3), PQgetvalue(r, i, 4), b[0], n_st, ptot, pcov,
                             t > 0 ? b[2] : NULL, isfinite(gini) ? b[3] : NULL};
        (void)b[1];
        snprintf(sql, sizeof sql,
                 "INSERT INTO \"%s\".city_coverage (run_id, id, mode, minutes, radius_m, area_m2, covered_m2, "
                 "covered_pct, gap_m2, n_stations, pop_total, pop_covered, pop_covered_pct, gini) VALUES ($1, $2, $3, "
                 "$4, $5, $6, $7, $8, $6::float8 - $7::float8, $9, $10, $11, $12, $13)",
                 schema);
        rc = pg_params(ctx, c, sql, 13, q, NULL, "cannot write city_coverage");
    }
    PQclear(r);
    r = NULL;
    sv_progress(ctx, "city coverage", 1);
    sv_progress(ctx, "whole area", 0);
    if (rc == SV_OK)
        rc = finish_whole_area(ctx, c, schema, rid);
    sv_progress(ctx, "whole area", 1);
    sv_progress(ctx, "finish", 1);
    if (rc == SV_OK)
        rc = finish_timings(ctx, c, schema, rid);
    if (rc == SV_OK) {
        snprintf(sql, sizeof sql,
                 "UPDATE \"%s\".runs SET finished_utc = to_char(now() AT TIME ZONE 'UTC', "
                 "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), n_stations = (SELECT count(*) FROM \"%s\".stations WHERE run_id = "
                 "$1), n_districts = (SELECT count(*) FROM \"%s\".districts WHERE run_id = $1), n_issues = (SELECT "
                 "count(*) FROM \"%s\".issues WHERE run_id = $1), n_demand = CASE WHEN demand_path IS NULL THEN NULL "
                 "ELSE (SELECT count(*) FROM \"%s\".demand_access WHERE run_id = $1) END WHERE run_id = $1",
                 schema, schema, schema, schema, schema);
        rc = pg_params(ctx, c, sql, 1, pp, NULL, "cannot complete the runs record");
    }
    if (rc == SV_OK) {
        snprintf(sql, sizeof sql,
                 "UPDATE \"%s\".shard_plans SET status = 'complete', completed_utc = now() WHERE run_id = $1", schema);
        rc = pg_params(ctx, c, sql, 1, pp, NULL, "cannot mark the run complete");
    }
    if (rc == SV_OK)
        rc = pg_exec(ctx, c, "COMMIT", "cannot commit");
    PQfinish(c);
    return rc;
}

sv_status sv_pg_status(sv_ctx *ctx, const char *uri, const char *schema, long long run, sv_row_fn fn,
                       void *userdata)
{
    PGconn *c = NULL;
    sv_status rc = sv_pg_check_schema_name(ctx, schema);
    if (rc == SV_OK)
        rc = pg_connect(ctx, uri, &c);
    char sql[2048], rid[32];
    long long id = 0;
    if (rc == SV_OK && run > 0)
        rc = plan_run(ctx, c, uri, schema, run, &id, NULL);
    if (rc == SV_OK && run <= 0) {
        char v[8] = "", reg[256];
        snprintf(reg, sizeof reg, "\"%s\".runs", schema);
        if (pg_value(c, "SELECT to_regclass($1) IS NOT NULL", reg, v, sizeof v) != 1 || strcmp(v, "t") != 0)
            rc = sv_error(ctx, SV_ERR_INPUT, "no svcov results in schema %s (give --pg-schema NAME)", schema);
    }
    if (rc == SV_OK && run > 0)
        snprintf(sql, sizeof sql,
                 "SELECT shard_no AS shard, status, n_districts AS districts, attempt, coalesce(worker, '') AS worker, "
                 "coalesce(to_char(lease_until, 'HH24:MI:SS'), '') AS lease_until, coalesce(n_rows::text, '') AS rows, "
                 "coalesce(round(extract(epoch FROM finished_utc - started_utc)::numeric, 1)::text, '') AS seconds, "
                 "coalesce(message, '') AS message FROM \"%s\".shards WHERE run_id = $1 ORDER BY shard_no",
                 schema);
    else if (rc == SV_OK)
        snprintf(sql, sizeof sql,
                 "SELECT r.run_id AS run, coalesce(r.started_utc, '') AS started_utc, coalesce(p.status, 'complete') "
                 "AS status, coalesce((SELECT count(*) FILTER (WHERE s.status = 'done') || '/' || count(*) FROM "
                 "\"%s\".shards s WHERE s.run_id = r.run_id), '') AS shards_done, (SELECT count(*) FROM "
                 "\"%s\".districts d WHERE d.run_id = r.run_id) AS districts, coalesce(r.command, '') AS command "
                 "FROM \"%s\".runs r LEFT JOIN \"%s\".shard_plans p USING (run_id) WHERE $1::int IS NULL OR TRUE "
                 "ORDER BY r.run_id",
                 schema, schema, schema, schema);
    snprintf(rid, sizeof rid, "%lld", id);
    const char *pp[1] = {rid};
    PGresult *r = NULL;
    if (rc == SV_OK)
        rc = pg_params(ctx, c, sql, 1, pp, &r, "cannot read the status");
    if (rc == SV_OK) {
        int nc = PQnfields(r), nr = PQntuples(r);
        const char **names = sv_calloc((size_t)nc + 1, sizeof *names), **vals = sv_calloc((size_t)nc + 1, sizeof *vals);
        if (!names || !vals)
            rc = SV_ERR_NOMEM;
        for (int k = 0; rc == SV_OK && k < nc; k++)
            names[k] = PQfname(r, k);
        if (rc == SV_OK && fn(userdata, nc, names, NULL) == 0)
            for (int i = 0; i < nr; i++) {
                for (int k = 0; k < nc; k++)
                    vals[k] = PQgetvalue(r, i, k);
                if (fn(userdata, nc, names, vals) != 0)
                    break;
            }
        free(names);
        free(vals);
        PQclear(r);
    }
    PQfinish(c);
    return rc;
}
