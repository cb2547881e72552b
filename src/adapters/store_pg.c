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

/* The connection string with any password hidden, for messages. */
static void shown_uri(const char *uri, char *out, size_t size)
{
    snprintf(out, size, "%s", uri);
    char *p = strstr(out, "password=");
    if (p) {
        p += strlen("password=");
        char *end = p;
        while (*end && *end != ' ')
            end++;
        memmove(p + 3, end, strlen(end) + 1);
        memcpy(p, "***", 3);
    }
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
    return t == SV_COL_INTEGER ? "bigint" : t == SV_COL_REAL ? "double precision" : "text";
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

/* runs: run_id an identity (grows with every run); every other table: run_id, then its own key. */
static void create_sql(sv_buf *b, const char *schema, const sv_table_desc *t, int srid)
{
    int runs = strcmp(t->name, "runs") == 0;
    sv_buf_printf(b, "CREATE TABLE IF NOT EXISTS \"%s\".%s (", schema, t->name);
    if (runs)
        sv_buf_printf(b, "run_id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY");
    else
        sv_buf_printf(b, "run_id integer NOT NULL REFERENCES \"%s\".runs (run_id) ON DELETE CASCADE, %s bigint "
                         "NOT NULL",
                      schema, t->key);
    for (size_t c = 0; c < t->n_columns; c++)
        sv_buf_printf(b, ", \"%s\" %s%s", t->columns[c].name, pg_type(t->columns[c].type),
                      t->columns[c].not_null ? " NOT NULL" : "");
    if (t->geometry)
        sv_buf_printf(b, ", %s geometry(%s, %d)", t->geometry_column, pg_geometry(t->geometry), srid);
    if (!runs)
        sv_buf_printf(b, ", PRIMARY KEY (run_id, %s)", t->key);
    sv_buf_printf(b, ");\n");
    for (size_t i = 0; i < t->n_indexes; i++)
        sv_buf_printf(b, "CREATE INDEX IF NOT EXISTS %s ON \"%s\".%s (run_id, %s);\n", t->indexes[i].name, schema,
                      t->name, t->indexes[i].columns);
    if (t->geometry)
        sv_buf_printf(b, "CREATE INDEX IF NOT EXISTS %s_%s_gist ON \"%s\".%s USING gist (%s);\n", t->name,
                      t->geometry_column, schema, t->name, t->geometry_column);
}

/* The schema, its svcov_meta (schema version, SRID) and every table, in this transaction. The SRID of an
 * existing schema must be the run's: a typed geometry column has one. */
static sv_status create_tables(sv_ctx *ctx, PGconn *c, const char *schema, int srid)
{
    sv_buf b = {0};
    sv_buf_printf(&b, "CREATE SCHEMA IF NOT EXISTS \"%s\";\n"
                      "CREATE TABLE IF NOT EXISTS \"%s\".svcov_meta (key text PRIMARY KEY, value text NOT NULL);\n"
                      "INSERT INTO \"%s\".svcov_meta VALUES ('schema_version', '%d'), ('srid', '%d') "
                      "ON CONFLICT (key) DO NOTHING;\n",
                  schema, schema, schema, SV_STORE_SCHEMA_VERSION, srid);
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
    if (b.failed)
        return SV_ERR_NOMEM;
    rc = pg_exec(ctx, c, b.data, "cannot create the result tables");
    sv_buf_free(&b);
    return rc;
}

/* ---- publishing: rows of the SpatiaLite file, COPY text format ---- */

static void copy_text(sv_buf *b, const char *s)
{
    const char *start = s;
    for (; *s; s++) {
        const char *esc = *s == '\\' ? "\\\\" : *s == '\n' ? "\\n" : *s == '\r' ? "\\r" : *s == '\t' ? "\\t" : NULL;
        if (esc) {
            sv_buf_add(b, start, (size_t)(s - start));
            sv_buf_puts(b, esc);
            start = s + 1;
        }
    }
    sv_buf_add(b, start, (size_t)(s - start));
}

/* A value as COPY text (\N for NULL); numbers exact (17 digits). */
static void copy_value(sv_buf *b, const sv_value *v)
{
    if (v->kind == SV_VALUE_NULL || (v->kind == SV_VALUE_TEXT && !v->text) ||
        (v->kind != SV_VALUE_TEXT && !isfinite(v->number)))
        sv_buf_puts(b, "\\N");
    else if (v->kind == SV_VALUE_TEXT)
        copy_text(b, v->text);
    else if (v->kind == SV_VALUE_INT)
        sv_buf_printf(b, "%lld", (long long)v->number);
    else
        sv_buf_printf(b, "%.17g", v->number);
}

/* WKB as hex EWKB with the SRID (PostGIS's geometry input). */
static void copy_ewkb(sv_buf *b, const unsigned char *wkb, size_t len, int srid)
{
    static const char hex[] = "0123456789ABCDEF";
    if (!wkb || len < 5) {
        sv_buf_puts(b, "\\N");
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
    char pair[2];
    for (size_t i = 0; i < 9; i++) {
        pair[0] = hex[head[i] >> 4];
        pair[1] = hex[head[i] & 15];
        sv_buf_add(b, pair, 2);
    }
    for (size_t i = 5; i < len; i++) {
        pair[0] = hex[wkb[i] >> 4];
        pair[1] = hex[wkb[i] & 15];
        sv_buf_add(b, pair, 2);
    }
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
} publish_state;

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
    if (ps->site) {
        long long s = ps->site_col < 0 ? key : (long long)values[ps->site_col].number;
        if (s <= ps->site_from)
            return SV_OK; /* a site run the store already has */
        if (ps->site_col < 0)
            key = s + ps->site_offset;
        else
            site_id = SV_INT(s + ps->site_offset);
    }
    sv_buf_printf(&ps->row, "%lld\t%lld", ps->run_id, key);
    for (size_t i = 0; i < n; i++) {
        sv_buf_puts(&ps->row, "\t");
        copy_value(&ps->row, ps->site && (int)i == ps->site_col ? &site_id : &values[i]);
    }
    if (geom) {
        sv_buf_puts(&ps->row, "\t");
        copy_ewkb(&ps->row, wkb, len, ps->srid);
    }
    sv_buf_puts(&ps->row, "\n");
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
    char **text = calloc(n ? n : 1, sizeof *text);
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
    sv_buf_puts(&sql, ") FROM STDIN");
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
    sv_status rc = sv_store_scan(ctx, rd, table, t->geometry ? copy_row_geom : copy_row, ps);
    if (rc == SV_OK && ps->row.len)
        rc = pg_copy_put(ctx, ps);
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
        rc = pg_exec(ctx, ps.c, "BEGIN", "cannot start a transaction");
    if (rc == SV_OK) {
        char sql[256];
        snprintf(sql, sizeof sql, "SELECT pg_advisory_xact_lock(hashtext('svcov.publish.' || %s))", "$1");
        const char *p[1] = {schema};
        PGresult *r = PQexecParams(ps.c, sql, 1, NULL, p, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            char m[1024];
            rc = sv_error(ctx, SV_ERR_DB, "PostgreSQL: cannot lock schema %s: %s", schema, pg_msg(ps.c, m, sizeof m));
        }
        PQclear(r);
    }
    if (rc == SV_OK)
        rc = create_tables(ctx, ps.c, schema, srid);
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

static int unhex(int ch)
{
    return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
}

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
    sv_value *vals = calloc(t->n_columns ? t->n_columns : 1, sizeof *vals);
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
                    unsigned char *w = realloc(wkb, hl / 2);
                    if (!w)
                        rc = SV_ERR_NOMEM;
                    else
                        wkb = w, wcap = hl / 2;
                }
                for (size_t i = 0; rc == SV_OK && i + 1 < hl; i += 2)
                    wkb[len++] = (unsigned char)(unhex(hx[i]) << 4 | unhex(hx[i + 1]));
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
        snprintf(sql, sizeof sql, "SELECT max(run_id) FROM \"%s\".runs", schema);
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
        rc = pg_exec(ctx, ps.c, "BEGIN", "cannot start a transaction");
    char sql[512], v[64];
    if (rc == SV_OK) {
        const char *p[1] = {schema};
        PGresult *r = PQexecParams(ps.c, "SELECT pg_advisory_xact_lock(hashtext('svcov.publish.' || $1))", 1, NULL,
                                   p, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_TUPLES_OK)
            rc = sv_error(ctx, SV_ERR_DB, "PostgreSQL: cannot lock schema %s", schema);
        PQclear(r);
    }
    if (rc == SV_OK)
        rc = create_tables(ctx, ps.c, schema, ps.srid);
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
