/* store_spatialite.c - the only file that talks to SQLite and SpatiaLite:
 * the SpatiaLite writer of the result schema (schema.c) and the read-only
 * handle. */
#include "svcov/sv_store.h"
#include "svcov/sv_blob.h"
#include "svcov/sv_text.h"
#include "svcov/sv_cncoords.h"
#include "svcov/sv_lang.h"

#include "core/schema.h"

#include <sqlite3.h>
#include <spatialite.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Text values that were not UTF-8 when bound (U+FFFD stored in place of
 * the bad bytes), for the warning at commit. Inputs are made UTF-8 when
 * read; this catches the rest (a path or argument in another encoding). */
static size_t n_text_fixed;

/* The box of one written row, for its table's R*Tree (see index_fill). */
typedef struct {
    sqlite3_int64 rowid;
    double x0, y0, x1, y1;
} store_box;

struct sv_store {
    sqlite3 *db;
    void *cache; /* SpatiaLite connection cache */
    char *final_path, *tmp_path; /* tmp_path: in its own folder (sv_tmp_create) */
    int srid;
    int copied; /* a copy of an existing database: its spatial indexes exist */
    char finished[SV_TABLE_COUNT]; /* geometry column registered and indexed */
    sqlite3_stmt *ins[SV_TABLE_COUNT]; /* the insert of each table, prepared on first use */
    sqlite3_stmt *insk[SV_TABLE_COUNT]; /* the same with the key and a WKB geometry (sv_store_insert_keyed) */
    /* A geometry table is registered and given its (empty) spatial index when
     * created; SpatiaLite's triggers of it are kept aside (their SQL) while
     * its rows are written, with each row's box, and put back once the index
     * is filled from the boxes (finish_table): no geometry is read back. */
    char *triggers[SV_TABLE_COUNT];
    store_box *boxes[SV_TABLE_COUNT];
    size_t n_boxes[SV_TABLE_COUNT], cap_boxes[SV_TABLE_COUNT];
};

const char *sv_sqlite_version(void)
{
    return sqlite3_libversion();
}

const char *sv_spatialite_version(void)
{
    return spatialite_version();
}

/* The page cache of a result being written, KiB. */
#define STORE_PAGE_SIZE 16384
#define STORE_CACHE_KIB 32768

static sv_status db_error(sv_ctx *ctx, sqlite3 *db, const char *what)
{
    int code = db ? sqlite3_extended_errcode(db) & 0xff : 0;
    const char *file = db ? sqlite3_db_filename(db, "main") : NULL;
    if ((code == SQLITE_FULL || code == SQLITE_IOERR) && file && *file) {
        /* the file being written sits in its private folder beside the
         * output: name the output (".BASE.svcov-tmp-PID-X/BASE" -> "BASE") */
        char out[4600];
        const char *base = strrchr(file, '/');
        const char *tmp_dir_start = NULL;
        for (const char *p = file; base && p < base; p++)
            if (*p == '/')
                tmp_dir_start = p;
        if (base && tmp_dir_start && strstr(tmp_dir_start, ".svcov-tmp-"))
            snprintf(out, sizeof out, "%.*s%s", (int)(tmp_dir_start - file), file, base);
        else
            snprintf(out, sizeof out, "%s", file);
        if (code == SQLITE_FULL || errno == ENOSPC || errno == EFBIG)
            return sv_write_error(ctx, out, code == SQLITE_FULL && errno != EFBIG ? ENOSPC : errno);
    }
    return sv_error(ctx, SV_ERR_DB, "%s: %s", what, db ? sqlite3_errmsg(db) : "no database");
}

/* 1: an SQLite file svcov wrote, 0: something else, -1: cannot tell; why in the language L. */
static int is_svcov_db(sv_lang L, const char *path, char *why, size_t whylen)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        snprintf(why, whylen, sv_tr(L, "cannot be read (%s)"), strerror(errno));
        return -1;
    }
    unsigned char hdr[100];
    ssize_t n = read(fd, hdr, sizeof hdr);
    close(fd);
    if (n < 100 || memcmp(hdr, "SQLite format 3", 16) != 0) {
        snprintf(why, whylen, "%s", sv_tr(L, "is not an SQLite database"));
        return 0;
    }
    /* The application id is a big-endian integer at offset 68 of the header. */
    unsigned long app = ((unsigned long)hdr[68] << 24) | ((unsigned long)hdr[69] << 16) |
                        ((unsigned long)hdr[70] << 8) | hdr[71];
    if (app != SV_STORE_APPLICATION_ID) {
        snprintf(why, whylen, "%s", sv_tr(L, "is an SQLite database that svcov did not write"));
        return 0;
    }
    return 1;
}

sv_status sv_store_check_target(sv_ctx *ctx, const char *out_path)
{
    if (!out_path || !*out_path)
        return sv_error(ctx, SV_ERR_USAGE, "--out is required (e.g. --out results.sqlite)");
    char dir[4096];
    const char *slash = strrchr(out_path, '/');
    if (slash)
        snprintf(dir, sizeof dir, "%.*s", slash == out_path ? 1 : (int)(slash - out_path), out_path);
    else
        snprintf(dir, sizeof dir, ".");
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return sv_error(ctx, SV_ERR_OUTPUT, "--out %s: folder '%s' does not exist; create it or choose another path",
                        out_path, dir);
    if (access(dir, W_OK) != 0)
        return sv_error(ctx, SV_ERR_OUTPUT, "--out %s: folder '%s' is not writable", out_path, dir);
    if (stat(out_path, &sb) == 0) {
        if (S_ISDIR(sb.st_mode))
            return sv_error(ctx, SV_ERR_OUTPUT, "--out %s is a folder; give a file name such as %s/results.sqlite",
                            out_path, out_path);
        char why[256];
        if (is_svcov_db(sv_ctx_lang(ctx), out_path, why, sizeof why) != 1)
            return sv_error(ctx, SV_ERR_OUTPUT,
                            "--out %s already exists and %s; svcov only replaces its own result "
                            "databases: choose another --out or move that file away",
                            out_path, why);
    }
    return SV_OK;
}

/* The size an SQLite file's header promises (pages x page size), 0 when the header does not say
 * (its in-header size is valid only while the version-valid-for number equals the change counter). */
static long long header_size(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return 0;
    unsigned char h[100];
    ssize_t n = read(fd, h, sizeof h);
    close(fd);
    if (n < 100 || memcmp(h + 24, h + 92, 4) != 0)
        return 0;
    long long page = ((long long)h[16] << 8) | h[17];
    if (page == 1)
        page = 65536;
    long long pages = ((long long)h[28] << 24) | ((long long)h[29] << 16) | ((long long)h[30] << 8) | h[31];
    return page * pages;
}

/* A damaged database is a data error (exit 1), not the user's SQL: SV_ERR_INPUT naming the file. */
static sv_status damaged(sv_ctx *ctx, sqlite3 *db, const char *db_path)
{
    return sv_error(ctx, SV_ERR_INPUT,
                    "--db %s is damaged (%s); copy it again or rerun 'svcov analyze' to rebuild it", db_path,
                    db ? sqlite3_errmsg(db) : sv_tr(sv_ctx_lang(ctx), "cannot be read"));
}

static int is_damage(sqlite3 *db)
{
    int e = sqlite3_errcode(db) & 0xff;
    return e == SQLITE_CORRUPT || e == SQLITE_NOTADB || e == SQLITE_IOERR || e == SQLITE_FORMAT;
}

sv_status sv_store_check_db(sv_ctx *ctx, const char *db_path)
{
    struct stat sb;
    if (!db_path || stat(db_path, &sb) != 0)
        return sv_error(ctx, SV_ERR_INPUT, "--db %s not found; run 'svcov analyze --out %s' first",
                        db_path ? db_path : "(none)", db_path ? db_path : "results.sqlite");
    char why[256];
    if (is_svcov_db(sv_ctx_lang(ctx), db_path, why, sizeof why) != 1)
        return sv_error(ctx, SV_ERR_INPUT, "--db %s %s; give a result database written by 'svcov analyze'",
                        db_path, why);
    /* a copy cut short (a full stick, an interrupted download) is not an older schema */
    long long want = header_size(db_path);
    if (want > 0 && (long long)sb.st_size < want)
        return sv_error(ctx, SV_ERR_INPUT,
                        "--db %s is cut short: %lld bytes where its header says %lld bytes; copy it again or "
                        "rerun 'svcov analyze'",
                        db_path, (long long)sb.st_size, want);
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        sv_status rc = sv_error(ctx, SV_ERR_INPUT, "--db %s cannot be opened: %s", db_path, sqlite3_errmsg(db));
        sqlite3_close(db);
        return rc;
    }
    sqlite3_stmt *s = NULL;
    int version = -1;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        version = sqlite3_column_int(s, 0);
    else {
        sv_status rc = damaged(ctx, db, db_path);
        sqlite3_finalize(s);
        sqlite3_close(db);
        return rc;
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    if (version != SV_STORE_SCHEMA_VERSION)
        return sv_error(ctx, SV_ERR_INPUT,
                        "--db %s has result schema version %d, this svcov reads version %d; "
                        "rerun 'svcov analyze' to rebuild it",
                        db_path, version, SV_STORE_SCHEMA_VERSION);
    return SV_OK;
}

static int exec(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

/* Run "SELECT f(...)" and check that it returned 1 (SpatiaLite's success). */
static int select_ok(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *s = NULL;
    int ok = 0;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        ok = sqlite3_column_int(s, 0) == 1;
    sqlite3_finalize(s);
    return ok;
}

/* CREATE TABLE from the description: the key, the columns with their types,
 * and the geometry as a plain BLOB. The geometry column is registered
 * (RecoverGeometryColumn) once the rows are in, so SpatiaLite's per-row
 * triggers do not run for every insert. */
static sv_status create_table(sv_ctx *ctx, sqlite3 *db, const sv_table_desc *t)
{
    char sql[8192];
    size_t k = (size_t)snprintf(sql, sizeof sql, "CREATE TABLE %s%s (%s INTEGER PRIMARY KEY",
                                t->record ? "IF NOT EXISTS " : "", t->name, t->key);
    for (size_t c = 0; c < t->n_columns && k < sizeof sql; c++)
        k += (size_t)snprintf(sql + k, sizeof sql - k, ", \"%s\" %s%s", t->columns[c].name,
                              sv_col_type_name(t->columns[c].type), t->columns[c].not_null ? " NOT NULL" : "");
    if (t->geometry && k < sizeof sql)
        k += (size_t)snprintf(sql + k, sizeof sql - k, ", %s BLOB", t->geometry_column);
    if (k < sizeof sql)
        k += (size_t)snprintf(sql + k, sizeof sql - k, ")");
    for (size_t i = 0; i < t->n_indexes && k < sizeof sql; i++)
        k += (size_t)snprintf(sql + k, sizeof sql - k, "; CREATE INDEX %s%s ON %s(%s)", t->record ? "IF NOT EXISTS " : "",
                              t->indexes[i].name, t->name, t->indexes[i].columns);
    if (k >= sizeof sql)
        return sv_error(ctx, SV_ERR_INTERNAL, "internal: the description of %s is too long", t->name);
    if (exec(db, sql) != SQLITE_OK)
        return db_error(ctx, db, "cannot create the result tables");
    return SV_OK;
}

/* Register the geometry column of the new, empty table t with SpatiaLite and
 * create its spatial index, then keep SpatiaLite's triggers of the table
 * aside (dropped, their SQL kept) while the rows are written: with them each
 * insert would check the geometry and update the R*Tree through SQL (twice
 * the writing time). Registering a full table instead (RecoverGeometryColumn,
 * CreateSpatialIndex) reads every geometry back: 13 GB at 1M stations. */
static sv_status register_table(sv_ctx *ctx, sv_store *st, sv_table table)
{
    const sv_table_desc *t = sv_schema_table(table);
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT RecoverGeometryColumn('%s', '%s', %d, '%s', 'XY')", t->name,
             t->geometry_column, st->srid, t->geometry);
    if (!select_ok(st->db, sql))
        return db_error(ctx, st->db, "cannot register the geometry column of a result table");
    snprintf(sql, sizeof sql, "SELECT CreateSpatialIndex('%s', '%s')", t->name, t->geometry_column);
    if (!select_ok(st->db, sql))
        return db_error(ctx, st->db, "cannot create a spatial index");
    sqlite3_stmt *q = NULL;
    sv_buf trig = {0}, drop = {0};
    if (sqlite3_prepare_v2(st->db, "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? "
                           "ORDER BY rowid", -1, &q, NULL) != SQLITE_OK)
        return db_error(ctx, st->db, "cannot read the triggers of a result table");
    sqlite3_bind_text(q, 1, t->name, -1, SQLITE_STATIC);
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(q, 0), *tsql = (const char *)sqlite3_column_text(q, 1);
        if (!name || !tsql)
            continue;
        char *d = sqlite3_mprintf("DROP TRIGGER \"%w\";\n", name);
        sv_buf_puts(&drop, d ? d : "");
        sqlite3_free(d);
        sv_buf_printf(&trig, "%s;\n", tsql);
        if (!d)
            drop.failed = 1;
    }
    sqlite3_finalize(q);
    sv_status rc = SV_OK;
    if (trig.failed || drop.failed || !trig.len)
        rc = trig.failed || drop.failed ? SV_ERR_NOMEM
                                        : sv_error(ctx, SV_ERR_DB, "internal: SpatiaLite made no triggers for %s",
                                                   t->name);
    else if (exec(st->db, drop.data) != SQLITE_OK)
        rc = db_error(ctx, st->db, "cannot write a result table");
    sv_buf_free(&drop);
    if (rc != SV_OK) {
        sv_buf_free(&trig);
        return rc;
    }
    st->triggers[table] = trig.data;
    return SV_OK;
}

/* The SQL that turns the bound geometry into the column's type. */
static const char *geometry_sql(const char *type)
{
    if (strcmp(type, "POINT") == 0)
        return "MakePoint(?, ?, ?)";
    if (strcmp(type, "POLYGON") == 0)
        return "CastToPolygon(GeomFromWKB(?, ?))";
    if (strcmp(type, "MULTILINESTRING") == 0)
        return "CastToMultiLineString(GeomFromWKB(?, ?))";
    return "CastToMultiPolygon(GeomFromWKB(?, ?))";
}

/* INSERT INTO t ([key, ]columns in description order[, geom]) VALUES (?, ...). keyed: the key first and
 * the geometry always as WKB (a row copied from another store). */
static sv_status prepare_insert_(sv_ctx *ctx, sv_store *st, sv_table table, int keyed)
{
    const sv_table_desc *t = sv_schema_table(table);
    char sql[8192];
    size_t k = (size_t)snprintf(sql, sizeof sql, "INSERT INTO %s (%s%s", t->name, keyed ? t->key : "",
                                keyed && t->n_columns ? ", " : "");
    for (size_t c = 0; c < t->n_columns && k < sizeof sql; c++)
        k += (size_t)snprintf(sql + k, sizeof sql - k, "%s\"%s\"", c ? ", " : "", t->columns[c].name);
    if (t->geometry && k < sizeof sql)
        k += (size_t)snprintf(sql + k, sizeof sql - k, ", %s", t->geometry_column);
    if (k < sizeof sql)
        k += (size_t)snprintf(sql + k, sizeof sql - k, ") VALUES (%s", keyed ? "?, " : "");
    for (size_t c = 0; c < t->n_columns && k < sizeof sql; c++)
        k += (size_t)snprintf(sql + k, sizeof sql - k, c ? ", ?" : "?");
    if (t->geometry && k < sizeof sql)
        k += (size_t)snprintf(sql + k, sizeof sql - k, ", %s",
                              keyed && strcmp(t->geometry, "POINT") == 0 ? "CastToPoint(GeomFromWKB(?, ?))"
                                                                         : geometry_sql(t->geometry));
    if (k < sizeof sql)
        k += (size_t)snprintf(sql + k, sizeof sql - k, ")");
    if (k >= sizeof sql)
        return sv_error(ctx, SV_ERR_INTERNAL, "internal: the description of %s is too long", t->name);
    if (sqlite3_prepare_v2(st->db, sql, -1, keyed ? &st->insk[table] : &st->ins[table], NULL) != SQLITE_OK)
        return db_error(ctx, st->db, "cannot prepare the result inserts");
    return SV_OK;
}

static sv_status prepare_insert(sv_ctx *ctx, sv_store *st, sv_table table)
{
    return prepare_insert_(ctx, st, table, 0);
}

/* The file to write, in a new private folder beside out_path. */
static sv_status tmp_path_create(sv_ctx *ctx, sv_store *st, const char *out_path)
{
    size_t n = 2 * strlen(out_path) + 128;
    if (!st->final_path || !(st->tmp_path = sv_malloc(n)))
        return SV_ERR_NOMEM;
    sv_status rc = sv_tmp_create(ctx, out_path, st->tmp_path, n);
    if (rc != SV_OK) {
        free(st->tmp_path);
        st->tmp_path = NULL;
    }
    return rc;
}

static int interrupt_cb(void *ctx)
{
    return sv_ctx_interrupted(ctx);
}

/* Long statements (creating, a spatial index, COMMIT) stop soon after ^C.
 * Only while the call that passed ctx lasts: a store may outlive the
 * context it was made with (analyze's early writer thread). */
static void watch_interrupt(sv_ctx *ctx, sv_store *st)
{
    if (st->db)
        sqlite3_progress_handler(st->db, 10000, interrupt_cb, ctx);
}

static void unwatch_interrupt(sv_store *st)
{
    if (st->db)
        sqlite3_progress_handler(st->db, 0, NULL, NULL);
}

sv_status sv_store_create(sv_ctx *ctx, const char *out_path, int srid, sv_store **out)
{
    *out = NULL;
    sv_store *st = sv_calloc(1, sizeof *st);
    if (!st)
        return SV_ERR_NOMEM;
    st->srid = srid;
    st->final_path = sv_strdup(out_path);
    sv_status rc = tmp_path_create(ctx, st, out_path);
    if (rc != SV_OK)
        goto fail;
    char sql[512];
    if (sqlite3_open_v2(st->tmp_path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW,
                        NULL) != SQLITE_OK) {
        rc = sv_error(ctx, SV_ERR_OUTPUT, "cannot create %s: %s", st->tmp_path, sqlite3_errmsg(st->db));
        goto fail;
    }
    watch_interrupt(ctx, st);
    st->cache = spatialite_alloc_connection();
    spatialite_init_ex(st->db, st->cache, 0);
    spatialite_set_silent_mode(st->cache); /* GEOS's and RTTOPO's messages to the context, never to stderr */
    /* The file only becomes the result when renamed into place, so a
     * journal would protect nothing. */
    snprintf(sql, sizeof sql, "PRAGMA page_size=%d; PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; "
             "PRAGMA cache_size=-%d", STORE_PAGE_SIZE, STORE_CACHE_KIB);
    exec(st->db, sql);
    snprintf(sql, sizeof sql, "PRAGMA application_id=%d; PRAGMA user_version=%d", SV_STORE_APPLICATION_ID,
             SV_STORE_SCHEMA_VERSION);
    if (exec(st->db, sql) != SQLITE_OK || exec(st->db, "BEGIN") != SQLITE_OK) {
        rc = db_error(ctx, st->db, "cannot start the result database");
        goto fail;
    }
    if (!select_ok(st->db, "SELECT InitSpatialMetadata(0, 'NONE')")) {
        rc = db_error(ctx, st->db, "SpatiaLite InitSpatialMetadata failed");
        goto fail;
    }
    snprintf(sql, sizeof sql, "SELECT InsertEpsgSrid(%d)", srid);
    /* 4326 too, so queries can report lon/lat with Transform(). */
    if (!select_ok(st->db, sql) || (srid != 4326 && !select_ok(st->db, "SELECT InsertEpsgSrid(4326)"))) {
        rc = sv_error(ctx, SV_ERR_DB, "SpatiaLite does not know EPSG:%d; choose another --crs", srid);
        goto fail;
    }
    /* Every table but the run records, which are created with their first row. */
    for (int t = 0; t < SV_TABLE_COUNT; t++) {
        const sv_table_desc *d = sv_schema_table((sv_table)t);
        if (d->record)
            continue;
        if ((rc = create_table(ctx, st->db, d)) != SV_OK ||
            (d->geometry && (rc = register_table(ctx, st, (sv_table)t)) != SV_OK))
            goto fail;
    }
    unwatch_interrupt(st);
    *out = st;
    return SV_OK;
fail:
    sv_store_abort(st);
    return rc;
}


sv_status sv_store_open_copy(sv_ctx *ctx, const char *src_path, const char *out_path, sv_store **out)
{
    *out = NULL;
    sv_status rc = sv_store_check_db(ctx, src_path);
    if (rc != SV_OK)
        return rc;
    if (strcmp(src_path, out_path) != 0 && (rc = sv_store_check_target(ctx, out_path)) != SV_OK)
        return rc;
    sv_store *st = sv_calloc(1, sizeof *st);
    if (!st)
        return SV_ERR_NOMEM;
    st->copied = 1;
    st->final_path = sv_strdup(out_path);
    if ((rc = tmp_path_create(ctx, st, out_path)) != SV_OK)
        goto fail;
    /* Work on a copy, so the original stays whole until the rename. */
    FILE *in = fopen(src_path, "rb"), *cp = fopen(st->tmp_path, "wb");
    int ok = in && cp;
    char buf[65536];
    size_t k;
    while (ok && (k = fread(buf, 1, sizeof buf, in)) > 0 && !sv_ctx_interrupted(ctx))
        ok = fwrite(buf, 1, k, cp) == k;
    ok = ok && !ferror(in);
    if (in)
        fclose(in);
    if (cp && fclose(cp) != 0)
        ok = 0;
    if (!ok) {
        rc = sv_error(ctx, SV_ERR_OUTPUT, "cannot copy %s to %s: %s", src_path, st->tmp_path, strerror(errno));
        goto fail;
    }
    if (sv_ctx_interrupted(ctx)) {
        rc = sv_error(ctx, SV_ERR_INTERRUPTED, "interrupted; %s was left as it was", out_path);
        goto fail;
    }
    if (sqlite3_open_v2(st->tmp_path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL) != SQLITE_OK) {
        rc = sv_error(ctx, SV_ERR_OUTPUT, "cannot open %s: %s", st->tmp_path, sqlite3_errmsg(st->db));
        goto fail;
    }
    watch_interrupt(ctx, st);
    st->cache = spatialite_alloc_connection();
    spatialite_init_ex(st->db, st->cache, 0);
    spatialite_set_silent_mode(st->cache); /* GEOS's and RTTOPO's messages to the context, never to stderr */
    exec(st->db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF");
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db, "SELECT srid FROM geometry_columns WHERE f_table_name = 'stations'", -1, &q,
                           NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        st->srid = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    if (st->srid <= 0) {
        rc = sv_error(ctx, SV_ERR_INPUT, "--db %s has no registered stations geometry; rerun 'svcov analyze'",
                      src_path);
        goto fail;
    }
    if (exec(st->db, "BEGIN") != SQLITE_OK) {
        rc = db_error(ctx, st->db, "cannot start writing");
        goto fail;
    }
    unwatch_interrupt(st);
    *out = st;
    return SV_OK;
fail:
    sv_store_abort(st);
    return rc;
}


int sv_store_srid(const sv_store *st)
{
    return st->srid;
}

int sv_store_db_srid(const char *db_path)
{
    sqlite3 *db = NULL;
    int srid = 0;
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        sqlite3_stmt *q = NULL;
        if (sqlite3_prepare_v2(db, "SELECT srid FROM geometry_columns WHERE f_table_name = 'stations'", -1, &q,
                               NULL) == SQLITE_OK &&
            sqlite3_step(q) == SQLITE_ROW)
            srid = sqlite3_column_int(q, 0);
        sqlite3_finalize(q);
    }
    sqlite3_close(db);
    return srid;
}

static void store_close(sv_store *st)
{
    for (int i = 0; i < SV_TABLE_COUNT; i++) {
        sqlite3_finalize(st->ins[i]);
        sqlite3_finalize(st->insk[i]);
        st->ins[i] = st->insk[i] = NULL;
        free(st->triggers[i]);
        free(st->boxes[i]);
        st->triggers[i] = NULL;
        st->boxes[i] = NULL;
        st->n_boxes[i] = st->cap_boxes[i] = 0;
    }
    if (st->db)
        sqlite3_close(st->db);
    st->db = NULL;
    if (st->cache)
        spatialite_cleanup_ex(st->cache);
    st->cache = NULL;
}

void sv_store_abort(sv_store *st)
{
    if (!st)
        return;
    store_close(st);
    if (st->tmp_path)
        sv_tmp_remove(st->tmp_path);
    free(st->tmp_path);
    free(st->final_path);
    free(st);
}


/* The position of (x, y) on a Hilbert curve over a 65536 x 65536 grid. */
static uint64_t hilbert_d(uint32_t x, uint32_t y)
{
    const uint32_t n = 65536;
    uint64_t d = 0;
    for (uint32_t s = n / 2; s > 0; s /= 2) {
        uint32_t rx = (x & s) != 0, ry = (y & s) != 0;
        d += (uint64_t)s * s * ((3 * rx) ^ ry);
        if (ry == 0) {
            if (rx == 1) {
                x = n - 1 - x;
                y = n - 1 - y;
            }
            uint32_t tmp = x;
            x = y;
            y = tmp;
        }
    }
    return d;
}

typedef struct {
    uint64_t key;
    size_t i;
} box_order;

static int box_order_cmp(const void *a, const void *b)
{
    const box_order *p = a, *q = b;
    if (p->key != q->key)
        return p->key < q->key ? -1 : 1;
    return p->i < q->i ? -1 : p->i > q->i;
}

/* One coordinate as SpatiaLite writes it into an R*Tree: RTreeAlign (its
 * insert trigger, and CreateSpatialIndex) puts the value into an INSERT as
 * text (%1.12f), SQLite reads that text back as a double, and the R*Tree
 * keeps a float rounded outward (down for a minimum, up for a maximum) the
 * way SQLite's rtree.c rounds (rtreeValueDown / rtreeValueUp). From 1e4 on,
 * the twelve decimals are 17 significant digits, so the text reads back as
 * the very double and the text is skipped. */
static float rtree_coord(double d, int up)
{
    if (fabs(d) < 1e4) {
        char v[64];
        snprintf(v, sizeof v, "%1.12f", d);
        d = strtod(v, NULL);
    }
    const double towards = 1.0 - 1.0 / 8388608.0, away = 1.0 + 1.0 / 8388608.0;
    float f = (float)d;
    if (!up && f > d)
        f = (float)(d * (d < 0 ? away : towards));
    else if (up && f < d)
        f = (float)(d * (d < 0 ? towards : away));
    return f;
}

/* A node of an R*Tree being built: its box and where its cells start in the
 * level below (or in the sorted boxes, for a leaf). */
typedef struct {
    float c[4]; /* in the tree's column order: xmin, xmax, ymin, ymax */
    size_t first, n;
    sqlite3_int64 nodeno;
} rtree_node;

static void put_be64(unsigned char *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (unsigned char)v;
}

static void put_be32(unsigned char *p, uint32_t v)
{
    for (int i = 3; i >= 0; i--, v >>= 8)
        p[i] = (unsigned char)v;
}

static void put_cell(unsigned char *p, sqlite3_int64 id, const float c[4])
{
    put_be64(p, (uint64_t)id);
    for (int j = 0; j < 4; j++) {
        uint32_t u;
        memcpy(&u, &c[j], sizeof u);
        put_be32(p + 8 + 4 * j, u);
    }
}

/* Group the m items of a level (cells of a box each) into ceil(m / cap)
 * nodes of nearly equal size, in order; each node's box holds its items'. */
static rtree_node *rtree_level(const float (*item)[4], size_t m, size_t cap, size_t *n_out)
{
    size_t k = (m + cap - 1) / cap;
    rtree_node *lv = sv_malloc(k * sizeof *lv);
    if (!lv)
        return NULL;
    for (size_t j = 0; j < k; j++) {
        size_t a = j * m / k, b = (j + 1) * m / k;
        rtree_node *nd = &lv[j];
        nd->first = a;
        nd->n = b - a;
        nd->nodeno = 0;
        nd->c[0] = nd->c[2] = INFINITY;
        nd->c[1] = nd->c[3] = -INFINITY;
        for (size_t i = a; i < b; i++) {
            nd->c[0] = fminf(nd->c[0], item[i][0]);
            nd->c[1] = fmaxf(nd->c[1], item[i][1]);
            nd->c[2] = fminf(nd->c[2], item[i][2]);
            nd->c[3] = fmaxf(nd->c[3], item[i][3]);
        }
    }
    *n_out = k;
    return lv;
}

/* Fill the table's empty R*Tree from the boxes of its rows at once: the
 * boxes in Hilbert order of their centres, packed into leaves of nearly
 * equal size and those into the levels above (a packed Hilbert R-tree), the
 * nodes written straight into the R*Tree's own tables in SQLite's rtree
 * format (its rtree.c: a node is a depth and a count of cells, each cell a
 * 64-bit id and 4 floats, all big-endian; node 1 is the root; %_rowid gives
 * each row's leaf, %_parent each node's parent). SQLite's R*Tree has no
 * bulk load, and its one-row insert rewrites a leaf and its ancestors for
 * each row (about 5 us a row). The boxes are the very floats SpatiaLite's
 * own trigger would write (rtree_coord); SQLite's rtreecheck() and
 * SpatiaLite's CheckSpatialIndex accept the tree (test_scale_write). */
static sv_status index_fill(sv_ctx *ctx, sv_store *st, sv_table table)
{
    const sv_table_desc *t = sv_schema_table(table);
    size_t n = st->n_boxes[table];
    const store_box *bx = st->boxes[table];
    if (n == 0)
        return SV_OK;
    char idx[300];
    snprintf(idx, sizeof idx, "idx_%s_%s", t->name, t->geometry_column);
    /* the tree's node size (SQLite sets it from the page size when the tree
     * is created) and its column order, as the tree declares them */
    sqlite3_stmt *s = NULL;
    char *sql = sqlite3_mprintf("SELECT length(data), substr(data, 3, 2) = x'0000' FROM \"%w_node\" WHERE nodeno = 1",
                                idx);
    int node_size = 0, empty = 0;
    if (sql && sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW) {
        node_size = sqlite3_column_int(s, 0);
        empty = sqlite3_column_int(s, 1);
    }
    sqlite3_finalize(s);
    sqlite3_free(sql);
    int col[4] = {-1, -1, -1, -1}; /* col[j]: the tree's j-th coordinate is 0 xmin, 1 xmax, 2 ymin, 3 ymax */
    sql = sqlite3_mprintf("SELECT cid, name FROM pragma_table_info('%q')", idx);
    s = NULL;
    if (sql && sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) == SQLITE_OK)
        while (sqlite3_step(s) == SQLITE_ROW) {
            int cid = sqlite3_column_int(s, 0);
            const char *name = (const char *)sqlite3_column_text(s, 1);
            static const char *const names[4] = {"xmin", "xmax", "ymin", "ymax"};
            for (int j = 0; j < 4 && name && cid >= 1 && cid <= 4; j++)
                if (strcmp(name, names[j]) == 0)
                    col[cid - 1] = j;
        }
    sqlite3_finalize(s);
    sqlite3_free(sql);
    const size_t cell = 8 + 4 * 4;
    size_t cap = node_size > 4 ? ((size_t)node_size - 4) / cell : 0;
    if (cap < 4 || !empty || col[0] < 0 || col[1] < 0 || col[2] < 0 || col[3] < 0)
        return sv_error(ctx, SV_ERR_INTERNAL, "internal: %s is not the empty 2-D R*Tree SpatiaLite creates", idx);

    /* the rows in Hilbert order of their centres */
    box_order *ord = sv_malloc(n * sizeof *ord);
    float (*leaf)[4] = sv_malloc(n * sizeof *leaf);
    sqlite3_int64 *leaf_of = sv_malloc(n * sizeof *leaf_of); /* in the boxes' own order */
    if (!ord || !leaf || !leaf_of) {
        free(ord);
        free(leaf);
        free(leaf_of);
        return SV_ERR_NOMEM;
    }
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        double cx = (bx[i].x0 + bx[i].x1) / 2, cy = (bx[i].y0 + bx[i].y1) / 2;
        x0 = fmin(x0, cx), y0 = fmin(y0, cy), x1 = fmax(x1, cx), y1 = fmax(y1, cy);
    }
    double sx = x1 > x0 ? 65535.0 / (x1 - x0) : 0, sy = y1 > y0 ? 65535.0 / (y1 - y0) : 0;
    for (size_t i = 0; i < n; i++) {
        double cx = (bx[i].x0 + bx[i].x1) / 2, cy = (bx[i].y0 + bx[i].y1) / 2;
        double gx = (cx - x0) * sx, gy = (cy - y0) * sy;
        ord[i].key = hilbert_d(isfinite(gx) ? (uint32_t)fmin(fmax(gx, 0), 65535) : 0,
                               isfinite(gy) ? (uint32_t)fmin(fmax(gy, 0), 65535) : 0);
        ord[i].i = i;
    }
    qsort(ord, n, sizeof *ord, box_order_cmp);
    for (size_t k = 0; k < n; k++) {
        const store_box *b = &bx[ord[k].i];
        leaf[k][0] = rtree_coord(b->x0, 0);
        leaf[k][1] = rtree_coord(b->x1, 1);
        leaf[k][2] = rtree_coord(b->y0, 0);
        leaf[k][3] = rtree_coord(b->y1, 1);
    }

    /* the levels, leaves first, up to one node: the root */
    rtree_node *lv[32];
    size_t n_lv[32], depth = 0;
    sv_status rc = SV_OK;
    const float (*items)[4] = (const float (*)[4])leaf;
    size_t m = n;
    float (*boxes_up)[4] = NULL;
    for (;;) {
        lv[depth] = rtree_level(items, m, cap, &n_lv[depth]);
        free(boxes_up);
        boxes_up = NULL;
        if (!lv[depth]) {
            rc = SV_ERR_NOMEM;
            break;
        }
        if (n_lv[depth] == 1 || depth + 1 == 32)
            break;
        m = n_lv[depth];
        boxes_up = sv_malloc(m * sizeof *boxes_up);
        if (!boxes_up) {
            depth++;
            lv[depth] = NULL;
            rc = SV_ERR_NOMEM;
            break;
        }
        for (size_t j = 0; j < m; j++)
            memcpy(boxes_up[j], lv[depth][j].c, sizeof boxes_up[j]);
        items = (const float (*)[4])boxes_up;
        depth++;
    }
    if (rc == SV_OK && n_lv[depth] != 1)
        rc = sv_error(ctx, SV_ERR_INTERNAL, "internal: %s would be more than 32 levels deep", idx);

    /* number the nodes: the root 1, the rest from the top down */
    sqlite3_int64 next = 2;
    for (size_t d = depth + 1; rc == SV_OK && d-- > 0;)
        for (size_t j = 0; j < n_lv[d]; j++)
            lv[d][j].nodeno = d == depth ? 1 : next++;

    /* write them */
    sqlite3_stmt *put_node = NULL, *put_root = NULL, *put_parent = NULL, *put_rowid = NULL;
    unsigned char *blob = rc == SV_OK ? sv_malloc((size_t)node_size) : NULL;
    if (rc == SV_OK && !blob)
        rc = SV_ERR_NOMEM;
    char *q[4] = {sqlite3_mprintf("INSERT INTO \"%w_node\" (nodeno, data) VALUES (?, ?)", idx),
                  sqlite3_mprintf("UPDATE \"%w_node\" SET data = ? WHERE nodeno = 1", idx),
                  sqlite3_mprintf("INSERT INTO \"%w_parent\" (nodeno, parentnode) VALUES (?, ?)", idx),
                  sqlite3_mprintf("INSERT INTO \"%w_rowid\" (rowid, nodeno) VALUES (?, ?)", idx)};
    sqlite3_stmt **qs[4] = {&put_node, &put_root, &put_parent, &put_rowid};
    for (int i = 0; i < 4 && rc == SV_OK; i++)
        if (!q[i] || sqlite3_prepare_v2(st->db, q[i], -1, qs[i], NULL) != SQLITE_OK)
            rc = db_error(ctx, st->db, "cannot fill a spatial index");
    for (int i = 0; i < 4; i++)
        sqlite3_free(q[i]);
    for (size_t d = depth + 1; rc == SV_OK && d-- > 0;)
        for (size_t j = 0; j < n_lv[d] && rc == SV_OK; j++) {
            const rtree_node *nd = &lv[d][j];
            memset(blob, 0, (size_t)node_size);
            if (nd->nodeno == 1) {
                blob[0] = (unsigned char)(depth >> 8);
                blob[1] = (unsigned char)depth;
            }
            blob[2] = (unsigned char)(nd->n >> 8);
            blob[3] = (unsigned char)nd->n;
            for (size_t i = 0; i < nd->n; i++) {
                size_t at = nd->first + i;
                float c[4];
                const float *src = d == 0 ? leaf[at] : lv[d - 1][at].c;
                for (int jj = 0; jj < 4; jj++)
                    c[jj] = src[col[jj]];
                put_cell(blob + 4 + i * cell, d == 0 ? bx[ord[at].i].rowid : lv[d - 1][at].nodeno, c);
                if (d == 0)
                    leaf_of[ord[at].i] = nd->nodeno;
            }
            int r;
            if (nd->nodeno == 1) {
                sqlite3_bind_blob(put_root, 1, blob, node_size, SQLITE_STATIC);
                r = sqlite3_step(put_root);
                sqlite3_reset(put_root);
            } else {
                sqlite3_bind_int64(put_node, 1, nd->nodeno);
                sqlite3_bind_blob(put_node, 2, blob, node_size, SQLITE_STATIC);
                r = sqlite3_step(put_node);
                sqlite3_reset(put_node);
            }
            for (size_t i = 0; i < nd->n && d > 0 && r == SQLITE_DONE; i++) {
                sqlite3_bind_int64(put_parent, 1, lv[d - 1][nd->first + i].nodeno);
                sqlite3_bind_int64(put_parent, 2, nd->nodeno);
                r = sqlite3_step(put_parent);
                sqlite3_reset(put_parent);
            }
            if (r != SQLITE_DONE)
                rc = db_error(ctx, st->db, "cannot fill a spatial index");
        }
    /* each row's leaf, in the rows' own order (mostly that of their rowids) */
    for (size_t i = 0; i < n && rc == SV_OK; i++) {
        sqlite3_bind_int64(put_rowid, 1, bx[i].rowid);
        sqlite3_bind_int64(put_rowid, 2, leaf_of[i]);
        int r = sqlite3_step(put_rowid);
        sqlite3_reset(put_rowid);
        if (r != SQLITE_DONE)
            rc = db_error(ctx, st->db, "cannot fill a spatial index");
    }
    for (int i = 0; i < 4; i++)
        sqlite3_finalize(*qs[i]);
    free(blob);
    for (size_t d = 0; d <= depth && d < 32; d++)
        free(lv[d]);
    free(ord);
    free(leaf);
    free(leaf_of);
    return rc;
}

/* Fill the spatial index of table t from its rows' boxes and give the table
 * back SpatiaLite's triggers (register_table), which keep the index true
 * through later edits. */
static sv_status finish_table(sv_ctx *ctx, sv_store *st, sv_table table)
{
    const sv_table_desc *t = sv_schema_table(table);
    if (!t->geometry || st->copied || st->finished[table])
        return SV_OK;
    if (!st->triggers[table])
        return sv_error(ctx, SV_ERR_INTERNAL, "internal: %s was not registered", t->name);
    sv_status rc = index_fill(ctx, st, table);
    if (rc == SV_OK && exec(st->db, st->triggers[table]) != SQLITE_OK)
        rc = db_error(ctx, st->db, "cannot restore the spatial index triggers");
    if (rc != SV_OK)
        return rc;
    free(st->boxes[table]);
    free(st->triggers[table]);
    st->boxes[table] = NULL;
    st->triggers[table] = NULL;
    st->n_boxes[table] = st->cap_boxes[table] = 0;
    st->finished[table] = 1;
    return SV_OK;
}

sv_status sv_store_finish_table(sv_ctx *ctx, sv_store *st, sv_table table)
{
    if (!sv_schema_table(table) || !sv_schema_table(table)->geometry)
        return sv_error(ctx, SV_ERR_INTERNAL, "internal: no geometry table %d", (int)table);
    watch_interrupt(ctx, st);
    sv_status rc = finish_table(ctx, st, table);
    unwatch_interrupt(st);
    return rc;
}

sv_status sv_store_commit(sv_ctx *ctx, sv_store *st)
{
    sv_status rc = SV_OK;
    size_t fixed = __atomic_exchange_n(&n_text_fixed, 0, __ATOMIC_RELAXED);
    if (fixed)
        sv_warning(ctx, "%zu text value%s written to %s %s not UTF-8 (a file name, layer or argument in another "
                   "encoding?): stored with U+FFFD in place of the bytes that were not, so every output stays "
                   "valid UTF-8", fixed, fixed == 1 ? "" : "s", st->final_path, fixed == 1 ? "was" : "were");
    watch_interrupt(ctx, st); /* until store_close */
    for (int t = 0; t < SV_TABLE_COUNT; t++)
        if ((rc = finish_table(ctx, st, (sv_table)t)) != SV_OK)
            goto fail;
    if (exec(st->db, "COMMIT") != SQLITE_OK) {
        rc = db_error(ctx, st->db, "cannot commit the result database");
        goto fail;
    }
    store_close(st);
    /* The last moment to honour ^C (or a run that ignored it): after the
     * rename the earlier result is gone. */
    if (sv_ctx_interrupted(ctx))
        goto fail;
    int fd = open(st->tmp_path, O_RDONLY | O_NOFOLLOW);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    if (rename(st->tmp_path, st->final_path) != 0) {
        rc = sv_error(ctx, SV_ERR_OUTPUT, "cannot move the result into place at %s: %s", st->final_path,
                      strerror(errno));
        goto fail;
    }
    sv_store_abort(st); /* removes the emptied temporary folder */
    return SV_OK;
fail:
    if (sv_ctx_interrupted(ctx))
        rc = sv_error(ctx, SV_ERR_INTERRUPTED, "interrupted; %s was left as it was", st->final_path);
    sv_store_abort(st);
    return rc;
}


/* ---- binding helpers ---- */

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
    char *fixed = v ? sv_utf8_fix(v) : NULL;
    if (fixed) {
        __atomic_add_fetch(&n_text_fixed, 1, __ATOMIC_RELAXED);
        sqlite3_bind_text(s, i, fixed, -1, free);
    } else if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s, i);
}

static void bind_real(sqlite3_stmt *s, int i, double v)
{
    if (isfinite(v))
        sqlite3_bind_double(s, i, v);
    else
        sqlite3_bind_null(s, i); /* never store NaN */
}

static void bind_blob(sqlite3_stmt *s, int i, const unsigned char *wkb, size_t len)
{
    if (wkb && len)
        sqlite3_bind_blob(s, i, wkb, (int)len, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

/* The geometry of a row being written, as the writer has it. */
typedef struct {
    enum { ROW_NONE, ROW_POINT, ROW_WKB, ROW_BLOB } kind;
    const unsigned char *p; /* WKB, or a SpatiaLite blob (a copied row) */
    size_t n;
    double x, y; /* ROW_POINT */
} row_geom;

typedef struct {
    const unsigned char *p;
    size_t n, pos;
    int swap, any;
    double x0, y0, x1, y1;
} wkb_box;

static int wb_u32(wkb_box *w, uint32_t *v)
{
    if (w->n - w->pos < 4)
        return -1;
    unsigned char b[4];
    memcpy(b, w->p + w->pos, 4);
    if (w->swap) {
        unsigned char t = b[0];
        b[0] = b[3], b[3] = t, t = b[1], b[1] = b[2], b[2] = t;
    }
    memcpy(v, b, 4);
    w->pos += 4;
    return 0;
}

static double wb_f64(const wkb_box *w, size_t at)
{
    unsigned char b[8];
    memcpy(b, w->p + at, 8);
    if (w->swap)
        for (int i = 0; i < 4; i++) {
            unsigned char t = b[i];
            b[i] = b[7 - i], b[7 - i] = t;
        }
    double v;
    memcpy(&v, b, 8);
    return v;
}

/* n 2-D points; counted into the box when use (a polygon's holes are not: SpatiaLite's MBR of a polygon is its
 * exterior ring's). */
static int wb_points(wkb_box *w, uint32_t n, int use)
{
    if (n > (w->n - w->pos) / 16)
        return -1;
    for (uint32_t i = 0; use && i < n; i++) {
        double x = wb_f64(w, w->pos + 16 * (size_t)i), y = wb_f64(w, w->pos + 16 * (size_t)i + 8);
        if (!isfinite(x) || !isfinite(y))
            return -1;
        w->x0 = fmin(w->x0, x), w->y0 = fmin(w->y0, y), w->x1 = fmax(w->x1, x), w->y1 = fmax(w->y1, y);
        w->any = 1;
    }
    w->pos += 16 * (size_t)n;
    return 0;
}

/* One 2-D WKB Point, LineString, Polygon or Multi* of them; its type code in *type. */
static int wb_geometry(wkb_box *w, int depth, uint32_t *type)
{
    if (depth > 1 || w->pos >= w->n || w->p[w->pos] > 1)
        return -1;
    const uint16_t one = 1;
    unsigned char le;
    memcpy(&le, &one, 1);
    w->swap = (w->p[w->pos++] == 1) != (le == 1);
    uint32_t t, n;
    if (wb_u32(w, &t) != 0)
        return -1;
    *type = t;
    if (t == 1)
        return wb_points(w, 1, 1);
    if (wb_u32(w, &n) != 0)
        return -1;
    if (t == 2)
        return wb_points(w, n, 1);
    if (t == 3) {
        if (n > (w->n - w->pos) / 4)
            return -1;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t np;
            if (wb_u32(w, &np) != 0 || wb_points(w, np, i == 0) != 0)
                return -1;
        }
        return 0;
    }
    if (t < 4 || t > 6 || n > (w->n - w->pos) / 9)
        return -1;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t member;
        if (wb_geometry(w, depth + 1, &member) != 0 || member != t - 3)
            return -1;
    }
    *type = t | (n == 1 ? 0x100u : 0); /* a Multi* of one: CastToPolygon takes it too */
    return 0;
}

/* The box SpatiaLite gives the geometry the insert of g stores (CastToPolygon / CastToMultiPolygon /
 * CastToMultiLineString of it, or the point): 1 with the box, 0 when nothing is stored (no geometry), -1 when
 * it cannot be told from the bytes here (another type, empty, malformed: read back from the row). */
static int row_box(const sv_table_desc *t, const row_geom *g, store_box *b)
{
    if (g->kind == ROW_NONE)
        return 0;
    if (g->kind == ROW_POINT) {
        if (!isfinite(g->x) || !isfinite(g->y))
            return 0; /* bound as NULL: MakePoint gives NULL */
        b->x0 = b->x1 = g->x, b->y0 = b->y1 = g->y;
        return 1;
    }
    if (g->kind == ROW_BLOB) {
        /* a SpatiaLite blob: its MBR at bytes 6-37, in the byte order of byte 1 */
        if (g->n < 45 || g->p[0] != 0x00 || g->p[1] > 1 || g->p[38] != 0x7C || g->p[g->n - 1] != 0xFE)
            return -1;
        const uint16_t one = 1;
        unsigned char le;
        memcpy(&le, &one, 1);
        wkb_box w = {g->p, g->n, 0, (g->p[1] == 1) != (le == 1), 0, 0, 0, 0, 0};
        b->x0 = wb_f64(&w, 6), b->y0 = wb_f64(&w, 14), b->x1 = wb_f64(&w, 22), b->y1 = wb_f64(&w, 30);
        return 1;
    }
    wkb_box w = {g->p, g->n, 0, 0, 0, INFINITY, INFINITY, -INFINITY, -INFINITY};
    uint32_t type;
    if (wb_geometry(&w, 0, &type) != 0 || w.pos != w.n || !w.any)
        return -1;
    uint32_t base = type & 0xFF;
    int fits = strcmp(t->geometry, "POLYGON") == 0           ? base == 3 || type == (6 | 0x100u)
               : strcmp(t->geometry, "MULTIPOLYGON") == 0    ? base == 3 || base == 6
               : strcmp(t->geometry, "MULTILINESTRING") == 0 ? base == 2 || base == 5
                                                             : 0;
    if (!fits)
        return -1;
    b->x0 = w.x0, b->y0 = w.y0, b->x1 = w.x1, b->y1 = w.y1;
    return 1;
}

/* The box of the row just written, read back from it (what row_box cannot tell): 1, or 0 when its geometry is
 * NULL. */
static int stored_box(sv_store *st, const sv_table_desc *t, sqlite3_int64 rowid, store_box *b)
{
    const char *g = t->geometry_column;
    char *sql = sqlite3_mprintf("SELECT MbrMinX(\"%w\"), MbrMinY(\"%w\"), MbrMaxX(\"%w\"), MbrMaxY(\"%w\") FROM \"%w\" "
                                "WHERE rowid = %lld", g, g, g, g, t->name, (long long)rowid);
    sqlite3_stmt *q = NULL;
    int found = 0;
    if (sql && sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW &&
        sqlite3_column_type(q, 0) != SQLITE_NULL) {
        b->x0 = sqlite3_column_double(q, 0), b->y0 = sqlite3_column_double(q, 1);
        b->x1 = sqlite3_column_double(q, 2), b->y1 = sqlite3_column_double(q, 3);
        found = 1;
    }
    sqlite3_finalize(q);
    sqlite3_free(sql);
    return found;
}

/* Keep the box of the row just written, for its table's R*Tree (finish_table). */
static int box_keep(sv_store *st, sv_table table, const row_geom *g)
{
    const sv_table_desc *t = sv_schema_table(table);
    store_box b;
    b.rowid = sqlite3_last_insert_rowid(st->db);
    int k = row_box(t, g, &b);
    if (k < 0)
        k = stored_box(st, t, b.rowid, &b);
    if (k == 0)
        return 0; /* no geometry: no entry, as with SpatiaLite's trigger */
    if (st->n_boxes[table] == st->cap_boxes[table]) {
        size_t cap = st->cap_boxes[table] ? st->cap_boxes[table] + st->cap_boxes[table] / 2 : 1024;
        store_box *nb = sv_realloc(st->boxes[table], cap * sizeof *nb);
        if (!nb)
            return -1;
        st->boxes[table] = nb;
        st->cap_boxes[table] = cap;
    }
    st->boxes[table][st->n_boxes[table]++] = b;
    return 0;
}

/* Write one row (g: its geometry); while its table's index is not filled, keep the row's box. */
static sv_status step_row(sv_ctx *ctx, sv_store *st, sv_table table, sqlite3_stmt *s, const row_geom *g)
{
    int r = sqlite3_step(s);
    sqlite3_reset(s);
    if (r == SQLITE_DONE && st->triggers[table] && box_keep(st, table, g) != 0) {
        sqlite3_clear_bindings(s);
        return SV_ERR_NOMEM;
    }
    sqlite3_clear_bindings(s);
    if (r != SQLITE_DONE)
        return db_error(ctx, st->db, "cannot write a result row");
    sv_ctx_add_rows(ctx, 1);
    return SV_OK;
}

static sv_status step_stmt(sv_ctx *ctx, sv_store *st, sqlite3_stmt *s)
{
    int r = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (r != SQLITE_DONE)
        return db_error(ctx, st->db, "cannot write a result row");
    sv_ctx_add_rows(ctx, 1);
    return SV_OK;
}


/* ---- the one insert path ---- */

/* Bind the values of one row in description order, then the geometry
 * (wkb/len, or the point x, y), and write it. A value of another kind than
 * its column's declared type is an internal error, not a silent cast. */
static sv_status insert_row_(sv_ctx *ctx, sv_store *st, sv_table table, const long long *key, const sv_value *v,
                             size_t n, int point, const unsigned char *wkb, size_t len, double x, double y)
{
    const sv_table_desc *t = sv_schema_table(table);
    if (!t || (t->record && !key) || n != t->n_columns)
        return sv_error(ctx, SV_ERR_INTERNAL, "internal: %zu values for the %zu columns of %s", n,
                        t ? t->n_columns : 0, t ? t->name : "an unknown table");
    if (t->geometry && !key && point != (strcmp(t->geometry, "POINT") == 0))
        return sv_error(ctx, SV_ERR_INTERNAL, "internal: %s takes a %s geometry", t->name, t->geometry);
    sv_status rc;
    sqlite3_stmt **sp = key ? &st->insk[table] : &st->ins[table];
    if (!*sp && key && t->record && !st->ins[table] && (rc = create_table(ctx, st->db, t)) != SV_OK)
        return rc;
    if (!*sp && (rc = prepare_insert_(ctx, st, table, key != NULL)) != SV_OK)
        return rc;
    sqlite3_stmt *s = *sp;
    int p0 = key ? 1 : 0;
    if (key)
        sqlite3_bind_int64(s, 1, *key);
    for (size_t i = 0; i < n; i++) {
        int p = p0 + (int)i + 1;
        sv_col_type type = t->columns[i].type;
        if (v[i].kind == SV_VALUE_NULL || (v[i].kind == SV_VALUE_TEXT && type == SV_COL_TEXT)) {
            bind_text(s, p, v[i].text);
        } else if (v[i].kind == SV_VALUE_REAL && type == SV_COL_REAL) {
            bind_real(s, p, v[i].number);
        } else if (v[i].kind == SV_VALUE_INT && type == SV_COL_INTEGER) {
            if (isfinite(v[i].number))
                sqlite3_bind_int64(s, p, (long long)v[i].number);
            else
                sqlite3_bind_null(s, p);
        } else {
            sqlite3_clear_bindings(s);
            return sv_error(ctx, SV_ERR_INTERNAL, "internal: %s.%s is %s, given another kind of value", t->name,
                            t->columns[i].name, sv_col_type_name(type));
        }
    }
    if (t->geometry && point) {
        bind_real(s, p0 + (int)n + 1, x);
        bind_real(s, p0 + (int)n + 2, y);
        sqlite3_bind_int(s, p0 + (int)n + 3, st->srid);
    } else if (t->geometry) {
        bind_blob(s, p0 + (int)n + 1, wkb, len);
        sqlite3_bind_int(s, p0 + (int)n + 2, st->srid);
    }
    row_geom g = {ROW_NONE, NULL, 0, x, y};
    if (t->geometry && point)
        g.kind = ROW_POINT;
    else if (t->geometry && wkb && len)
        g = (row_geom){ROW_WKB, wkb, len, 0, 0};
    return step_row(ctx, st, table, s, &g);
}

static sv_status insert_row(sv_ctx *ctx, sv_store *st, sv_table table, const sv_value *v, size_t n, int point,
                            const unsigned char *wkb, size_t len, double x, double y)
{
    return insert_row_(ctx, st, table, NULL, v, n, point, wkb, len, x, y);
}

sv_status sv_store_insert_keyed(sv_ctx *ctx, sv_store *st, sv_table table, long long key, const sv_value *values,
                                size_t n, const unsigned char *wkb, size_t len)
{
    return insert_row_(ctx, st, table, &key, values, n, 0, wkb, len, 0, 0);
}

sv_status sv_store_insert(sv_ctx *ctx, sv_store *st, sv_table table, const sv_value *values, size_t n,
                          const unsigned char *wkb, size_t len)
{
    return insert_row(ctx, st, table, values, n, 0, wkb, len, 0, 0);
}

sv_status sv_store_insert_point(sv_ctx *ctx, sv_store *st, sv_table table, const sv_value *values, size_t n,
                                double x, double y)
{
    return insert_row(ctx, st, table, values, n, 1, NULL, 0, x, y);
}

sv_status sv_store_issue(sv_ctx *ctx, sv_store *st, const sv_issue *is)
{
    sv_value v[] = {SV_TEXT(is->file), SV_TEXT(is->layer), SV_TEXT(is->feature_id), SV_TEXT(is->problem),
                    SV_TEXT(is->action == SV_ISSUE_SKIPPED ? "skipped" : "repaired")};
    return sv_store_insert(ctx, st, SV_TABLE_ISSUES, v, sizeof v / sizeof v[0], NULL, 0);
}

/* Bind a run record's text value as its column's declared type; 0 when a
 * number column gets something that is not a number. */
static int bind_typed(sqlite3_stmt *s, int i, sv_col_type type, const char *v)
{
    char *end = NULL;
    if (!v) {
        sqlite3_bind_null(s, i);
    } else if (type == SV_COL_INTEGER) {
        errno = 0;
        long long n = strtoll(v, &end, 10);
        if (end == v || *end || errno)
            return 0;
        sqlite3_bind_int64(s, i, n);
    } else if (type == SV_COL_REAL) {
        double x = strtod(v, &end);
        if (end == v || *end)
            return 0;
        bind_real(s, i, x);
    } else {
        bind_text(s, i, v); /* TEXT: "5.0" or "3.11.1" stays as written */
    }
    return 1;
}

sv_status sv_store_record(sv_ctx *ctx, sv_store *st, sv_table table, const char *const *names,
                          const char *const *values, size_t n, long long *rowid)
{
    const sv_table_desc *t = sv_schema_table(table);
    if (!t || !t->record)
        return sv_error(ctx, SV_ERR_INTERNAL, "internal: table %d is not a run record", (int)table);
    /* Every column of the description exactly once, and nothing else. */
    for (size_t i = 0; i < n; i++) {
        size_t c = 0;
        while (c < t->n_columns && strcmp(t->columns[c].name, names[i]) != 0)
            c++;
        if (c == t->n_columns)
            return sv_error(ctx, SV_ERR_INTERNAL, "internal: %s has no column '%s' (add it to src/core/schema.c)",
                            t->name, names[i]);
        for (size_t j = 0; j < i; j++)
            if (strcmp(names[j], names[i]) == 0)
                return sv_error(ctx, SV_ERR_INTERNAL, "internal: %s.%s given twice", t->name, names[i]);
    }
    if (n != t->n_columns)
        for (size_t c = 0; c < t->n_columns; c++) {
            size_t i = 0;
            while (i < n && strcmp(t->columns[c].name, names[i]) != 0)
                i++;
            if (i == n)
                return sv_error(ctx, SV_ERR_INTERNAL, "internal: no value for %s.%s", t->name, t->columns[c].name);
        }
    sv_status rc = SV_OK;
    if (!st->ins[table] && ((rc = create_table(ctx, st->db, t)) != SV_OK || (rc = prepare_insert(ctx, st, table)) != SV_OK))
        return rc;
    sqlite3_stmt *s = st->ins[table];
    for (size_t c = 0; c < t->n_columns && rc == SV_OK; c++) {
        size_t i = 0;
        while (strcmp(t->columns[c].name, names[i]) != 0)
            i++;
        if (!bind_typed(s, (int)c + 1, t->columns[c].type, values[i]))
            rc = sv_error(ctx, SV_ERR_INTERNAL, "internal: %s.%s = '%s' is not %s", t->name, t->columns[c].name,
                          values[i], t->columns[c].type == SV_COL_INTEGER ? "an INTEGER" : "a REAL");
    }
    if (rc != SV_OK) {
        sqlite3_clear_bindings(s);
        return rc;
    }
    if ((rc = step_stmt(ctx, st, s)) == SV_OK && rowid)
        *rowid = sqlite3_last_insert_rowid(st->db);
    return rc;
}

/* Column c of table t exists in the source database (PRAGMA table_info). */
static int src_has_column(sqlite3 *src, const char *table, const char *column)
{
    char sql[256];
    snprintf(sql, sizeof sql, "PRAGMA table_info(\"%s\")", table);
    sqlite3_stmt *q = NULL;
    int found = 0;
    if (sqlite3_prepare_v2(src, sql, -1, &q, NULL) == SQLITE_OK)
        while (!found && sqlite3_step(q) == SQLITE_ROW)
            found = sqlite3_column_text(q, 1) && strcmp((const char *)sqlite3_column_text(q, 1), column) == 0;
    sqlite3_finalize(q);
    return found;
}

sv_status sv_store_copy_rows(sv_ctx *ctx, sv_store *st, const char *src_path, sv_table table, const char *suffix,
                             size_t *n_copied)
{
    const sv_table_desc *t = sv_schema_table(table);
    if (n_copied)
        *n_copied = 0;
    if (!t)
        return sv_error(ctx, SV_ERR_INTERNAL, "internal: no table %d", (int)table);
    sv_status rc = sv_store_check_db(ctx, src_path);
    if (rc != SV_OK)
        return rc;
    sqlite3 *src = NULL;
    sqlite3_stmt *sel = NULL, *ins = NULL;
    sv_buf cols = {0}, marks = {0};
    if (sqlite3_open_v2(src_path, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        rc = sv_error(ctx, SV_ERR_INPUT, "%s cannot be opened: %s", src_path, sqlite3_errmsg(src));
        goto done;
    }
    if (!src_has_column(src, t->name, t->key))
        goto done; /* a run record never written there, or a table of a later svcov: nothing to copy */
    /* the columns both have, in the description's order (an older database may lack the newest) */
    for (size_t c = 0; c < t->n_columns; c++)
        if (src_has_column(src, t->name, t->columns[c].name)) {
            sv_buf_printf(&cols, "%s\"%s\"", cols.len ? ", " : "", t->columns[c].name);
            sv_buf_puts(&marks, marks.len ? ", ?" : "?");
        }
    if (t->geometry && src_has_column(src, t->name, t->geometry_column)) {
        sv_buf_printf(&cols, "%s%s", cols.len ? ", " : "", t->geometry_column);
        sv_buf_puts(&marks, marks.len ? ", ?" : "?");
    }
    if (!cols.len)
        goto done;
    if (t->record && (rc = create_table(ctx, st->db, t)) != SV_OK)
        goto done;
    char *sql = sqlite3_mprintf("SELECT %s FROM \"%s\" %s", cols.data, t->name, suffix ? suffix : "");
    int ok = sql && sqlite3_prepare_v2(src, sql, -1, &sel, NULL) == SQLITE_OK;
    sqlite3_free(sql);
    if (!ok) {
        rc = is_damage(src) ? damaged(ctx, src, src_path) : db_error(ctx, src, "cannot read the table to copy");
        goto done;
    }
    int geom_col = t->geometry && src_has_column(src, t->name, t->geometry_column) ? sqlite3_column_count(sel) - 1
                                                                                     : -1;
    sql = sqlite3_mprintf("INSERT INTO \"%s\" (%s) VALUES (%s)", t->name, cols.data, marks.data);
    ok = sql && sqlite3_prepare_v2(st->db, sql, -1, &ins, NULL) == SQLITE_OK;
    sqlite3_free(sql);
    if (!ok) {
        rc = db_error(ctx, st->db, "cannot prepare the copy");
        goto done;
    }
    int step;
    /* values as stored (a REAL keeps every bit, geometry blobs stay SpatiaLite blobs of the same SRID) */
    while ((step = sqlite3_step(sel)) == SQLITE_ROW && rc == SV_OK) {
        for (int i = 0; i < sqlite3_column_count(sel); i++)
            sqlite3_bind_value(ins, i + 1, sqlite3_column_value(sel, i));
        row_geom g = {ROW_NONE, NULL, 0, 0, 0};
        if (geom_col >= 0 && sqlite3_column_type(sel, geom_col) == SQLITE_BLOB)
            g = (row_geom){ROW_BLOB, sqlite3_column_blob(sel, geom_col), (size_t)sqlite3_column_bytes(sel, geom_col),
                           0, 0};
        if ((rc = step_row(ctx, st, table, ins, &g)) == SV_OK && n_copied)
            (*n_copied)++;
        sqlite3_clear_bindings(ins);
        if (sv_ctx_interrupted(ctx))
            rc = sv_error(ctx, SV_ERR_INTERRUPTED, "interrupted");
    }
    if (rc == SV_OK && step != SQLITE_DONE && step != SQLITE_ROW)
        rc = is_damage(src) ? damaged(ctx, src, src_path) : db_error(ctx, src, "cannot read the table to copy");
done:
    sqlite3_finalize(sel);
    sqlite3_finalize(ins);
    sqlite3_close(src);
    sv_buf_free(&cols);
    sv_buf_free(&marks);
    return rc;
}

/* ---- queries ---- */

/* svcov_lonlat(WKB, 'gcj02'|'bd09'|'wgs84'): WGS 84 lon/lat WKB with every
 * vertex in that system (maps drawn over AMap or Baidu tiles). */
static void sql_lonlat(sqlite3_context *sc, int argc, sqlite3_value **argv)
{
    (void)argc;
    sv_coords to;
    const char *name = (const char *)sqlite3_value_text(argv[1]);
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(sc);
        return;
    }
    if (!name || sv_coords_parse(name, &to) != 0) {
        sqlite3_result_error(sc, "svcov_lonlat: use wgs84, gcj02 or bd09", -1);
        return;
    }
    int n = sqlite3_value_bytes(argv[0]);
    unsigned char *wkb = n > 0 ? sv_malloc((size_t)n) : NULL;
    if (!wkb) {
        sqlite3_result_error_nomem(sc);
        return;
    }
    memcpy(wkb, sqlite3_value_blob(argv[0]), (size_t)n);
    if (sv_coords_convert_wkb(sqlite3_user_data(sc), SV_COORDS_WGS84, to, wkb, (size_t)n, NULL, NULL) != SV_OK) {
        free(wkb);
        sqlite3_result_error(sc, "svcov_lonlat: not a WKB geometry", -1);
        return;
    }
    sqlite3_result_blob(sc, wkb, n, free);
}

struct sv_store_reader {
    sqlite3 *db;
    void *cache;
    char *path;
};

/* Every geometry of the schema's tables walked by sv_spatialite_blob_check
 * before SpatiaLite sees one: a crafted or damaged blob is reported (table,
 * row, what is wrong) instead of crashing libspatialite or going missing. */
static sv_status check_blobs(sv_ctx *ctx, sqlite3 *db, const char *db_path)
{
    sv_status rc = SV_OK;
    size_t n_bad = 0;
    char first[1200] = "";
    for (int t = 0; t < SV_TABLE_COUNT && rc == SV_OK; t++) {
        const sv_table_desc *d = sv_schema_table((sv_table)t);
        if (!d->geometry)
            continue;
        char sql[512];
        snprintf(sql, sizeof sql, "SELECT rowid, \"%s\" FROM \"%s\"", d->geometry_column, d->name);
        sqlite3_stmt *s = NULL;
        if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
            sqlite3_finalize(s); /* no such table (older or partial database): nothing to check */
            continue;
        }
        int step;
        long long k = 0;
        while ((step = sqlite3_step(s)) == SQLITE_ROW) {
            if ((++k & 1023) == 0 && sv_ctx_interrupted(ctx)) {
                rc = SV_ERR_INTERRUPTED;
                break;
            }
            int type = sqlite3_column_type(s, 1);
            if (type == SQLITE_NULL)
                continue;
            char why[300] = "not a geometry blob";
            if (type == SQLITE_BLOB &&
                sv_spatialite_blob_check(sqlite3_column_blob(s, 1), (size_t)sqlite3_column_bytes(s, 1), why,
                                         sizeof why) == 0)
                continue;
            if (n_bad++ == 0)
                snprintf(first, sizeof first, "table %s, row %lld: %s", d->name, sqlite3_column_int64(s, 0), why);
        }
        if (rc == SV_OK && step != SQLITE_DONE)
            rc = sv_error(ctx, SV_ERR_DB, "--db %s: reading table %s failed: %s; the database is damaged: rerun "
                          "the command that wrote it", db_path, d->name, sqlite3_errmsg(db));
        sqlite3_finalize(s);
    }
    if (rc == SV_OK && n_bad)
        rc = sv_error(ctx, SV_ERR_DATA,
                      "--db %s: %zu damaged geometr%s (the first: %s); the database was damaged or changed after "
                      "svcov wrote it: rerun the analyze (or site) that made it; nothing was written",
                      db_path, n_bad, n_bad == 1 ? "y" : "ies", first);
    return rc;
}

sv_status sv_store_open_read(sv_ctx *ctx, const char *db_path, sv_store_reader **out)
{
    *out = NULL;
    sv_status rc = sv_store_check_db(ctx, db_path);
    if (rc != SV_OK)
        return rc;
    sv_store_reader *rd = sv_calloc(1, sizeof *rd);
    if (!rd || !(rd->path = sv_strdup(db_path))) {
        free(rd);
        return SV_ERR_NOMEM;
    }
    if (sqlite3_open_v2(db_path, &rd->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        rc = sv_error(ctx, SV_ERR_INPUT, "--db %s cannot be opened: %s", db_path, sqlite3_errmsg(rd->db));
        sv_store_close_read(rd);
        return rc;
    }
    rd->cache = spatialite_alloc_connection();
    spatialite_init_ex(rd->db, rd->cache, 0);
    spatialite_set_silent_mode(rd->cache);
    sqlite3_create_function(rd->db, "svcov_lonlat", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, ctx, sql_lonlat, NULL,
                            NULL);
    if ((rc = check_blobs(ctx, rd->db, db_path)) != SV_OK) {
        sv_store_close_read(rd);
        return rc;
    }
    *out = rd;
    return SV_OK;
}

const char *sv_store_reader_path(const sv_store_reader *rd)
{
    return rd->path;
}

void sv_store_close_read(sv_store_reader *rd)
{
    if (!rd)
        return;
    sqlite3_close(rd->db);
    if (rd->cache)
        spatialite_cleanup_ex(rd->cache);
    free(rd->path);
    free(rd);
}

static void bind_param(sqlite3_stmt *s, int i, const sv_query_param *p)
{
    if (p->type == SV_PARAM_INTEGER)
        sqlite3_bind_int64(s, i, p->i);
    else if (p->type == SV_PARAM_REAL)
        sqlite3_bind_double(s, i, p->d);
    else
        sqlite3_bind_text(s, i, p->text, -1, SQLITE_TRANSIENT);
}

/* The index of the parameter named like the statement's i-th, nparams when none. */
static size_t param_index(sqlite3_stmt *s, int i, const sv_query_param *params, size_t nparams)
{
    const char *pname = sqlite3_bind_parameter_name(s, i);
    const char *bare = pname ? pname + 1 : "";
    size_t k = 0;
    while (k < nparams && strcmp(params[k].name, bare) != 0)
        k++;
    return k;
}

sv_status sv_store_read(sv_ctx *ctx, sv_store_reader *rd, const char *sql, const char *const *names,
                        const char *const *values, size_t nparams, sv_row_fn fn, void *userdata)
{
    sv_query_param *p = nparams ? sv_calloc(nparams, sizeof *p) : NULL;
    if (nparams && !p)
        return sv_error(ctx, SV_ERR_NOMEM, "out of memory");
    for (size_t k = 0; k < nparams; k++)
        p[k] = (sv_query_param){names[k], SV_PARAM_TEXT, values[k], 0, 0};
    sv_status rc = sv_store_read_typed(ctx, rd, sql, p, nparams, fn, userdata);
    free(p);
    return rc;
}

sv_status sv_store_read_typed(sv_ctx *ctx, sv_store_reader *rd, const char *sql, const sv_query_param *params,
                              size_t nparams, sv_row_fn fn, void *userdata)
{
    sqlite3 *db = rd->db;
    const char *db_path = rd->path;
    sv_status rc = SV_OK;
    sqlite3_progress_handler(db, 10000, interrupt_cb, ctx); /* for this call only */
    char *used = nparams ? sv_calloc(nparams, 1) : NULL;
    /* first every statement prepared, not run: a syntax error or a --set no statement uses is told
     * before any row is printed (a statement that needs an earlier one run ends this check) */
    int all_prepared = 1;
    for (const char *tail = sql; tail && *tail && rc == SV_OK;) {
        sqlite3_stmt *s = NULL;
        const char *next = NULL;
        if (sqlite3_prepare_v2(db, tail, -1, &s, &next) != SQLITE_OK) {
            all_prepared = 0;
            break;
        }
        tail = next;
        for (int p = 1; s && p <= sqlite3_bind_parameter_count(s); p++) {
            size_t k = param_index(s, p, params, nparams);
            if (k < nparams && used)
                used[k] = 1;
        }
        sqlite3_finalize(s);
    }
    for (size_t k = 0; rc == SV_OK && all_prepared && used && k < nparams; k++)
        if (!used[k])
            rc = sv_error(ctx, SV_ERR_USAGE, "the query has no parameter :%s (from --set %s=...)", params[k].name,
                          params[k].name);
    const char *tail = sql;
    while (rc == SV_OK && tail && *tail) {
        sqlite3_stmt *s = NULL;
        const char *next = NULL;
        if (sqlite3_prepare_v2(db, tail, -1, &s, &next) != SQLITE_OK) {
            rc = is_damage(db) ? damaged(ctx, db, db_path)
                               : sv_error(ctx, SV_ERR_USAGE, "the query does not run on %s: %s", db_path,
                                          sqlite3_errmsg(db));
            break;
        }
        tail = next;
        if (!s)
            continue; /* whitespace or a comment */
        int np = sqlite3_bind_parameter_count(s);
        for (int p = 1; p <= np && rc == SV_OK; p++) {
            size_t k = param_index(s, p, params, nparams);
            if (k < nparams) {
                bind_param(s, p, &params[k]);
                if (used)
                    used[k] = 1;
            } /* else NULL: queries give defaults with coalesce() */
        }
        int ncol = sqlite3_column_count(s);
        const char **cn = NULL, **cv = NULL;
        if (rc == SV_OK && ncol > 0) {
            cn = sv_calloc((size_t)ncol, sizeof *cn);
            cv = sv_calloc((size_t)ncol, sizeof *cv);
            if (!cn || !cv)
                rc = SV_ERR_NOMEM;
            for (int c = 0; rc == SV_OK && c < ncol; c++)
                cn[c] = sqlite3_column_name(s, c);
            if (rc == SV_OK && fn && fn(userdata, ncol, cn, NULL) != 0)
                ncol = -1;
        }
        int r = SQLITE_DONE;
        while (rc == SV_OK && (r = sqlite3_step(s)) == SQLITE_ROW) {
            if (ncol <= 0)
                continue;
            for (int c = 0; c < ncol; c++)
                cv[c] = (const char *)sqlite3_column_text(s, c);
            if (fn && fn(userdata, ncol, cn, cv) != 0)
                break;
        }
        if (rc == SV_OK && r == SQLITE_INTERRUPT && sv_ctx_interrupted(ctx))
            rc = sv_error(ctx, SV_ERR_INTERRUPTED, "interrupted");
        else if (rc == SV_OK && r != SQLITE_ROW && r != SQLITE_DONE)
            rc = is_damage(db) ? damaged(ctx, db, db_path)
                               : sv_error(ctx, SV_ERR_USAGE, "the query failed on %s: %s", db_path,
                                          sqlite3_errmsg(db));
        free(cn);
        free(cv);
        sqlite3_finalize(s);
    }
    for (size_t k = 0; rc == SV_OK && used && k < nparams; k++)
        if (!used[k])
            rc = sv_error(ctx, SV_ERR_USAGE, "the query has no parameter :%s (from --set %s=...)", params[k].name,
                          params[k].name);
    free(used);
    sqlite3_progress_handler(db, 0, NULL, NULL);
    return rc;
}

/* ---- copying rows to and from another store (store_pg.c) ---- */

sv_status sv_store_scan(sv_ctx *ctx, sv_store_reader *rd, sv_table table, sv_store_row_fn fn, void *userdata)
{
    const sv_table_desc *t = sv_schema_table(table);
    if (!t)
        return sv_error(ctx, SV_ERR_INTERNAL, "internal: no table %d", (int)table);
    sqlite3_stmt *q = NULL;
    int exists = 0;
    if (sqlite3_prepare_v2(rd->db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", -1, &q, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_text(q, 1, t->name, -1, SQLITE_STATIC);
        exists = sqlite3_step(q) == SQLITE_ROW;
    }
    sqlite3_finalize(q);
    if (!exists)
        return SV_OK; /* a run record never written, a table of a later svcov */
    char sql[8192];
    size_t k = (size_t)snprintf(sql, sizeof sql, "SELECT %s", t->key);
    for (size_t c = 0; c < t->n_columns && k < sizeof sql; c++)
        k += (size_t)snprintf(sql + k, sizeof sql - k, ", \"%s\"", t->columns[c].name);
    if (t->geometry && k < sizeof sql)
        k += (size_t)snprintf(sql + k, sizeof sql - k, ", AsBinary(%s)", t->geometry_column);
    if (k < sizeof sql)
        k += (size_t)snprintf(sql + k, sizeof sql - k, " FROM %s ORDER BY %s", t->name, t->key);
    if (k >= sizeof sql)
        return sv_error(ctx, SV_ERR_INTERNAL, "internal: the description of %s is too long", t->name);
    if (sqlite3_prepare_v2(rd->db, sql, -1, &q, NULL) != SQLITE_OK)
        return is_damage(rd->db) ? damaged(ctx, rd->db, rd->path)
                                 : sv_error(ctx, SV_ERR_INPUT, "--db %s: table %s does not have the columns of this "
                                            "svcov (%s); rerun 'svcov analyze'", rd->path, t->name,
                                            sqlite3_errmsg(rd->db));
    sv_value *v = sv_calloc(t->n_columns ? t->n_columns : 1, sizeof *v);
    if (!v) {
        sqlite3_finalize(q);
        return SV_ERR_NOMEM;
    }
    sqlite3_progress_handler(rd->db, 10000, interrupt_cb, ctx);
    sv_status rc = SV_OK;
    int r;
    while (rc == SV_OK && (r = sqlite3_step(q)) == SQLITE_ROW) {
        for (size_t c = 0; c < t->n_columns; c++) {
            int col = (int)c + 1;
            if (sqlite3_column_type(q, col) == SQLITE_NULL)
                v[c] = SV_NULL;
            else if (t->columns[c].type == SV_COL_TEXT)
                v[c] = SV_TEXT((const char *)sqlite3_column_text(q, col));
            else if (t->columns[c].type == SV_COL_INTEGER)
                v[c] = SV_INT(sqlite3_column_int64(q, col));
            else
                v[c] = SV_REAL(sqlite3_column_double(q, col));
        }
        const unsigned char *wkb = NULL;
        size_t len = 0;
        if (t->geometry) {
            int col = (int)t->n_columns + 1;
            wkb = sqlite3_column_blob(q, col);
            len = wkb ? (size_t)sqlite3_column_bytes(q, col) : 0;
        }
        rc = fn(ctx, userdata, sqlite3_column_int64(q, 0), v, t->n_columns, wkb, len);
    }
    if (rc == SV_OK && r == SQLITE_INTERRUPT && sv_ctx_interrupted(ctx))
        rc = sv_error(ctx, SV_ERR_INTERRUPTED, "interrupted");
    else if (rc == SV_OK && r != SQLITE_DONE)
        rc = damaged(ctx, rd->db, rd->path);
    sqlite3_progress_handler(rd->db, 0, NULL, NULL);
    free(v);
    sqlite3_finalize(q);
    return rc;
}
