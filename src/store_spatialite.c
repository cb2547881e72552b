/* store_spatialite.c - the only file that talks to SQLite and SpatiaLite. */
#include "svcov/sv_store.h"
#include "svcov/sv_cncoords.h"

#include <sqlite3.h>
#include <spatialite.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
    S_STATION,
    S_DISTRICT,
    S_SERVICE_AREA,
    S_DISTRICT_COVERAGE,
    S_COVERAGE,
    S_GAP,
    S_GAP_PART,
    S_ISSUE,
    S_CITY,
    S_SITE,
    S_SITE_DISTRICT,
    S_DEMAND_ACCESS,
    S_REACHED,
    S_DEMAND_REACH,
    S_DISTRICT_DEMAND,
    S_COUNT
};

struct sv_store {
    sqlite3 *db;
    void *cache; /* SpatiaLite connection cache */
    char *final_path, *tmp_path;
    int srid;
    int copied; /* a copy of an existing database: its spatial indexes exist */
    char finished[32]; /* geometry tables registered and indexed (by table number) */
    sqlite3_stmt *stmt[S_COUNT];
    sqlite3_stmt *rows[SV_TABLE_COUNT];
};

static const char *schema_sql =
    "CREATE TABLE stations (id INTEGER PRIMARY KEY, station_id TEXT NOT NULL, name TEXT,"
    " category TEXT, source_fid INTEGER);"
    "CREATE TABLE districts (id INTEGER PRIMARY KEY, district_id TEXT NOT NULL, district_name TEXT,"
    " source_fid INTEGER, area_m2 REAL NOT NULL, repaired INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE service_areas (id INTEGER PRIMARY KEY, station_id TEXT NOT NULL, mode TEXT NOT NULL,"
    " minutes REAL, radius_m REAL NOT NULL, area_m2 REAL NOT NULL, reached_m REAL);"
    "CREATE TABLE reached_streets (id INTEGER PRIMARY KEY, station_id TEXT, mode TEXT NOT NULL, minutes REAL,"
    " radius_m REAL NOT NULL, length_m REAL NOT NULL);"
    "CREATE TABLE district_coverage (id INTEGER PRIMARY KEY, district_id TEXT NOT NULL,"
    " district_name TEXT, mode TEXT NOT NULL, minutes REAL, radius_m REAL NOT NULL,"
    " area_m2 REAL NOT NULL, covered_m2 REAL NOT NULL, covered_pct REAL NOT NULL,"
    " gap_m2 REAL NOT NULL, n_gap_parts INTEGER NOT NULL, n_stations_inside INTEGER NOT NULL,"
    " n_stations_reaching INTEGER NOT NULL, pop_total REAL, pop_covered REAL, pop_covered_pct REAL);"
    "CREATE TABLE coverage (id INTEGER PRIMARY KEY, district_id TEXT NOT NULL, district_name TEXT,"
    " mode TEXT NOT NULL, minutes REAL, radius_m REAL NOT NULL, covered_m2 REAL NOT NULL,"
    " covered_pct REAL NOT NULL);"
    "CREATE TABLE gaps (id INTEGER PRIMARY KEY, district_id TEXT NOT NULL, district_name TEXT,"
    " mode TEXT NOT NULL, minutes REAL, radius_m REAL NOT NULL, gap_m2 REAL NOT NULL,"
    " gap_pct REAL NOT NULL, n_parts INTEGER NOT NULL);"
    "CREATE TABLE gap_parts (id INTEGER PRIMARY KEY, district_id TEXT NOT NULL, district_name TEXT,"
    " mode TEXT NOT NULL, minutes REAL, radius_m REAL NOT NULL, part_no INTEGER NOT NULL,"
    " area_m2 REAL NOT NULL);"
    "CREATE TABLE issues (id INTEGER PRIMARY KEY, file TEXT, layer TEXT, feature_id TEXT,"
    " problem TEXT, action TEXT);"
    "CREATE TABLE city_coverage (id INTEGER PRIMARY KEY, mode TEXT NOT NULL, minutes REAL,"
    " radius_m REAL NOT NULL, area_m2 REAL NOT NULL, covered_m2 REAL NOT NULL, covered_pct REAL NOT NULL,"
    " gap_m2 REAL NOT NULL, n_stations INTEGER NOT NULL, pop_total REAL, pop_covered REAL, pop_covered_pct REAL,"
    " gini REAL);"
    "CREATE TABLE sites (id INTEGER PRIMARY KEY, site_run_id INTEGER NOT NULL, rank INTEGER NOT NULL,"
    " candidate_id TEXT NOT NULL, marginal_gain REAL, cumulative_weight REAL, cumulative_share REAL,"
    " district_id TEXT);"
    "CREATE TABLE site_district_coverage (id INTEGER PRIMARY KEY, site_run_id INTEGER NOT NULL,"
    " district_id TEXT, district_name TEXT, demand_total REAL, covered_before REAL, covered_after REAL,"
    " share_before_pct REAL, share_after_pct REAL, floor_weight REAL, floor_met INTEGER);"
    "CREATE TABLE demand_access (id INTEGER PRIMARY KEY, demand_id TEXT NOT NULL, district_id TEXT,"
    " weight REAL NOT NULL, nearest_station_id TEXT, snap_m REAL, network_m REAL, minutes REAL, euclid_m REAL,"
    " method TEXT NOT NULL);"
    "CREATE TABLE demand_reach (id INTEGER PRIMARY KEY, demand_id TEXT NOT NULL, mode TEXT NOT NULL,"
    " minutes REAL, radius_m REAL NOT NULL, within INTEGER NOT NULL, n_stations INTEGER);"
    "CREATE TABLE district_demand (id INTEGER PRIMARY KEY, district_id TEXT, district_name TEXT,"
    " mode TEXT NOT NULL, minutes REAL, radius_m REAL NOT NULL, demand_total REAL NOT NULL,"
    " demand_covered REAL NOT NULL, covered_share REAL, n_points INTEGER NOT NULL);"
    "CREATE INDEX district_coverage_break ON district_coverage(radius_m, district_id);";

static const struct {
    const char *table, *type;
} geometry_columns[] = {
    {"stations", "POINT"},           {"districts", "MULTIPOLYGON"}, {"service_areas", "POLYGON"},
    {"coverage", "MULTIPOLYGON"},    {"gaps", "MULTIPOLYGON"},      {"gap_parts", "POLYGON"},
    {"sites", "POINT"},        {"demand_access", "POINT"}, {"reached_streets", "MULTILINESTRING"},
};
#define N_GEOMETRY_COLUMNS (sizeof geometry_columns / sizeof geometry_columns[0])

/* ---- tables written through sv_store_insert ---- */

static const struct {
    const char *name, *columns, *geometry; /* columns: "name TYPE, ..." */
} row_tables[SV_TABLE_COUNT] = {
    [SV_TABLE_REDUNDANCY] = {"district_redundancy",
                             "district_id TEXT, district_name TEXT, mode TEXT, minutes REAL, radius_m REAL,"
                             " n_cover INTEGER, area_m2 REAL, area_pct REAL, pop REAL, pop_pct REAL",
                             "MULTIPOLYGON"},
    [SV_TABLE_CRITICAL] = {"critical_stations",
                           "mode TEXT, minutes REAL, radius_m REAL, rank INTEGER, station_id TEXT, name TEXT,"
                           " pop_lost REAL, pop_lost_pct REAL, area_lost_m2 REAL",
                           "MULTIPOLYGON"},
    [SV_TABLE_FAIRNESS] = {"district_fairness",
                           "district_id TEXT, district_name TEXT, mode TEXT, minutes REAL, radius_m REAL,"
                           " pop_total REAL, pop_covered_pct REAL, median_m REAL, p90_m REAL, median_min REAL,"
                           " p90_min REAL, n_points INTEGER, source TEXT",
                           NULL},
    [SV_TABLE_CATEGORY] = {"category_coverage",
                           "district_id TEXT, district_name TEXT, category TEXT, mode TEXT, minutes REAL,"
                           " radius_m REAL, n_stations INTEGER, area_m2 REAL, covered_m2 REAL, covered_pct REAL,"
                           " gap_m2 REAL, pop_total REAL, pop_covered REAL, pop_covered_pct REAL",
                           "MULTIPOLYGON"},
    [SV_TABLE_CATEGORY_GAPS] = {"category_gaps",
                                "district_id TEXT, district_name TEXT, category TEXT, mode TEXT, minutes REAL,"
                                " radius_m REAL, gap_m2 REAL",
                                "MULTIPOLYGON"},
    [SV_TABLE_RESPONSIBILITY] = {"responsibility",
                                 "station_id TEXT, name TEXT, method TEXT, area_m2 REAL, pop_served REAL,"
                                 " pop_share_pct REAL, n_points INTEGER",
                                 "MULTIPOLYGON"},
    [SV_TABLE_ROADS] = {"roads", "road_id TEXT, highway TEXT, name TEXT", "MULTILINESTRING"},
};

static const char *insert_sql[S_COUNT] = {
    [S_STATION] = "INSERT INTO stations (station_id, name, category, source_fid, geom)"
                  " VALUES (?, ?, ?, ?, MakePoint(?, ?, ?))",
    [S_DISTRICT] = "INSERT INTO districts (district_id, district_name, source_fid, area_m2, repaired, geom)"
                   " VALUES (?, ?, ?, ?, ?, CastToMultiPolygon(GeomFromWKB(?, ?)))",
    [S_SERVICE_AREA] = "INSERT INTO service_areas (station_id, mode, minutes, radius_m, area_m2, reached_m, geom)"
                       " VALUES (?, ?, ?, ?, ?, ?, CastToPolygon(GeomFromWKB(?, ?)))",
    [S_REACHED] = "INSERT INTO reached_streets (station_id, mode, minutes, radius_m, length_m, geom)"
                  " VALUES (?, ?, ?, ?, ?, CastToMultiLineString(GeomFromWKB(?, ?)))",
    [S_DISTRICT_COVERAGE] =
        "INSERT INTO district_coverage (district_id, district_name, mode, minutes, radius_m, area_m2,"
        " covered_m2, covered_pct, gap_m2, n_gap_parts, n_stations_inside, n_stations_reaching, pop_total,"
        " pop_covered, pop_covered_pct) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [S_COVERAGE] = "INSERT INTO coverage (district_id, district_name, mode, minutes, radius_m, covered_m2,"
                   " covered_pct, geom) VALUES (?, ?, ?, ?, ?, ?, ?, CastToMultiPolygon(GeomFromWKB(?, ?)))",
    [S_GAP] = "INSERT INTO gaps (district_id, district_name, mode, minutes, radius_m, gap_m2, gap_pct, n_parts,"
              " geom) VALUES (?, ?, ?, ?, ?, ?, ?, ?, CastToMultiPolygon(GeomFromWKB(?, ?)))",
    [S_GAP_PART] = "INSERT INTO gap_parts (district_id, district_name, mode, minutes, radius_m, part_no, area_m2,"
                   " geom) VALUES (?, ?, ?, ?, ?, ?, ?, GeomFromWKB(?, ?))",
    [S_ISSUE] = "INSERT INTO issues (file, layer, feature_id, problem, action) VALUES (?, ?, ?, ?, ?)",
    [S_SITE] = "INSERT INTO sites (site_run_id, rank, candidate_id, marginal_gain, cumulative_weight,"
               " cumulative_share, district_id, geom) VALUES (?, ?, ?, ?, ?, ?, ?, MakePoint(?, ?, ?))",
    [S_SITE_DISTRICT] = "INSERT INTO site_district_coverage (site_run_id, district_id, district_name, demand_total,"
                        " covered_before, covered_after, share_before_pct, share_after_pct, floor_weight, floor_met)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [S_DEMAND_ACCESS] = "INSERT INTO demand_access (demand_id, district_id, weight, nearest_station_id, snap_m,"
                        " network_m, minutes, euclid_m, method, geom) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,"
                        " MakePoint(?, ?, ?))",
    [S_DEMAND_REACH] = "INSERT INTO demand_reach (demand_id, mode, minutes, radius_m, within, n_stations)"
                       " VALUES (?, ?, ?, ?, ?, ?)",
    [S_DISTRICT_DEMAND] = "INSERT INTO district_demand (district_id, district_name, mode, minutes, radius_m,"
                          " demand_total, demand_covered, covered_share, n_points) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [S_CITY] = "INSERT INTO city_coverage (mode, minutes, radius_m, area_m2, covered_m2, covered_pct, gap_m2,"
               " n_stations, pop_total, pop_covered, pop_covered_pct, gini) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
};

const char *sv_sqlite_version(void)
{
    return sqlite3_libversion();
}

const char *sv_spatialite_version(void)
{
    return spatialite_version();
}

static sv_status db_error(sv_ctx *ctx, sqlite3 *db, const char *what)
{
    return sv_error(ctx, SV_ERR_DB, "%s: %s", what, db ? sqlite3_errmsg(db) : "no database");
}

/* 1: an SQLite file svcov wrote, 0: something else, -1: cannot tell. */
static int is_svcov_db(const char *path, char *why, size_t whylen)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        snprintf(why, whylen, "cannot be read (%s)", strerror(errno));
        return -1;
    }
    unsigned char hdr[100];
    ssize_t n = read(fd, hdr, sizeof hdr);
    close(fd);
    if (n < 100 || memcmp(hdr, "SQLite format 3", 16) != 0) {
        snprintf(why, whylen, "is not an SQLite database");
        return 0;
    }
    /* The application id is a big-endian integer at offset 68 of the header. */
    unsigned long app = ((unsigned long)hdr[68] << 24) | ((unsigned long)hdr[69] << 16) |
                        ((unsigned long)hdr[70] << 8) | hdr[71];
    if (app != SV_STORE_APPLICATION_ID) {
        snprintf(why, whylen, "is an SQLite database that svcov did not write");
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
        if (is_svcov_db(out_path, why, sizeof why) != 1)
            return sv_error(ctx, SV_ERR_OUTPUT,
                            "--out %s already exists and %s; svcov only replaces its own result "
                            "databases: choose another --out or move that file away",
                            out_path, why);
    }
    return SV_OK;
}

sv_status sv_store_check_db(sv_ctx *ctx, const char *db_path)
{
    struct stat sb;
    if (!db_path || stat(db_path, &sb) != 0)
        return sv_error(ctx, SV_ERR_INPUT, "--db %s not found; run 'svcov analyze --out %s' first",
                        db_path ? db_path : "(none)", db_path ? db_path : "results.sqlite");
    char why[256];
    if (is_svcov_db(db_path, why, sizeof why) != 1)
        return sv_error(ctx, SV_ERR_INPUT, "--db %s %s; give a result database written by 'svcov analyze'",
                        db_path, why);
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return sv_error(ctx, SV_ERR_INPUT, "--db %s cannot be opened", db_path);
    }
    sqlite3_stmt *s = NULL;
    int version = -1;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        version = sqlite3_column_int(s, 0);
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

static sv_status prepare_row_inserts(sv_ctx *ctx, sv_store *st);
static sv_status create_row_tables(sv_ctx *ctx, sv_store *st);

static sv_status prepare_inserts(sv_ctx *ctx, sv_store *st)
{
    for (int i = 0; i < S_COUNT; i++)
        if (sqlite3_prepare_v2(st->db, insert_sql[i], -1, &st->stmt[i], NULL) != SQLITE_OK)
            return db_error(ctx, st->db, "cannot prepare the result inserts");
    return prepare_row_inserts(ctx, st);
}

sv_status sv_store_create(sv_ctx *ctx, const char *out_path, int srid, sv_store **out)
{
    *out = NULL;
    sv_store *st = calloc(1, sizeof *st);
    if (!st)
        return SV_ERR_NOMEM;
    st->srid = srid;
    st->final_path = sv_strdup(out_path);
    size_t n = strlen(out_path) + 64;
    st->tmp_path = malloc(n);
    if (!st->final_path || !st->tmp_path) {
        sv_store_abort(st);
        return SV_ERR_NOMEM;
    }
    snprintf(st->tmp_path, n, "%s.tmp-%ld", out_path, (long)getpid());
    unlink(st->tmp_path);
    sv_status rc = SV_OK;
    char sql[512];
    if (sqlite3_open_v2(st->tmp_path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        rc = sv_error(ctx, SV_ERR_OUTPUT, "cannot create %s: %s", st->tmp_path, sqlite3_errmsg(st->db));
        goto fail;
    }
    st->cache = spatialite_alloc_connection();
    spatialite_init_ex(st->db, st->cache, 0);
    /* The file only becomes the result when renamed into place, so a
     * journal would protect nothing. */
    exec(st->db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-131072");
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
    if (exec(st->db, schema_sql) != SQLITE_OK) {
        rc = db_error(ctx, st->db, "cannot create the result tables");
        goto fail;
    }
    /* Plain BLOB columns while writing: the geometry columns are registered
     * (RecoverGeometryColumn) once the rows are in, so SpatiaLite's
     * per-row triggers do not run for every insert. */
    for (size_t i = 0; i < N_GEOMETRY_COLUMNS; i++) {
        snprintf(sql, sizeof sql, "ALTER TABLE %s ADD COLUMN geom BLOB", geometry_columns[i].table);
        if (exec(st->db, sql) != SQLITE_OK) {
            rc = db_error(ctx, st->db, "cannot create the result tables");
            goto fail;
        }
    }
    if ((rc = create_row_tables(ctx, st)) != SV_OK || (rc = prepare_inserts(ctx, st)) != SV_OK)
        goto fail;
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
    sv_store *st = calloc(1, sizeof *st);
    if (!st)
        return SV_ERR_NOMEM;
    st->copied = 1;
    st->final_path = sv_strdup(out_path);
    size_t n = strlen(out_path) + 64;
    st->tmp_path = malloc(n);
    if (!st->final_path || !st->tmp_path) {
        sv_store_abort(st);
        return SV_ERR_NOMEM;
    }
    snprintf(st->tmp_path, n, "%s.tmp-%ld", out_path, (long)getpid());
    /* Work on a copy, so the original stays whole until the rename. */
    FILE *in = fopen(src_path, "rb"), *cp = fopen(st->tmp_path, "wb");
    int ok = in && cp;
    char buf[65536];
    size_t k;
    while (ok && (k = fread(buf, 1, sizeof buf, in)) > 0)
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
    if (sqlite3_open_v2(st->tmp_path, &st->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        rc = sv_error(ctx, SV_ERR_OUTPUT, "cannot open %s: %s", st->tmp_path, sqlite3_errmsg(st->db));
        goto fail;
    }
    st->cache = spatialite_alloc_connection();
    spatialite_init_ex(st->db, st->cache, 0);
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
    if ((rc = prepare_inserts(ctx, st)) != SV_OK)
        goto fail;
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
    for (int i = 0; i < S_COUNT; i++) {
        sqlite3_finalize(st->stmt[i]);
        st->stmt[i] = NULL;
    }
    for (int i = 0; i < SV_TABLE_COUNT; i++) {
        sqlite3_finalize(st->rows[i]);
        st->rows[i] = NULL;
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
        unlink(st->tmp_path);
    free(st->tmp_path);
    free(st->final_path);
    free(st);
}

_Static_assert(N_GEOMETRY_COLUMNS + SV_TABLE_COUNT <= sizeof ((sv_store *)0)->finished, "sv_store.finished");

/* Geometry table i (geometry_columns, then row_tables): its name and type,
 * or NULL for a table without geometry. */
static const char *geometry_table(size_t i, const char **type)
{
    size_t r = i - N_GEOMETRY_COLUMNS;
    *type = i < N_GEOMETRY_COLUMNS ? geometry_columns[i].type : row_tables[r].geometry;
    return i < N_GEOMETRY_COLUMNS ? geometry_columns[i].table : row_tables[r].geometry ? row_tables[r].name : NULL;
}

/* Register the geometry column of table i and build its spatial index. */
static sv_status finish_table(sv_ctx *ctx, sv_store *st, size_t i)
{
    char sql[256];
    const char *type, *table = geometry_table(i, &type);
    if (!table || st->copied || st->finished[i])
        return SV_OK;
    snprintf(sql, sizeof sql, "SELECT RecoverGeometryColumn('%s', 'geom', %d, '%s', 'XY')", table, st->srid, type);
    if (!select_ok(st->db, sql))
        return sv_error(ctx, SV_ERR_DB, "cannot register the geometry column of %s (a geometry of another type "
                        "or SRID than %s, EPSG:%d): %s", table, type, st->srid, sqlite3_errmsg(st->db));
    snprintf(sql, sizeof sql, "SELECT CreateSpatialIndex('%s', 'geom')", table);
    if (!select_ok(st->db, sql))
        return db_error(ctx, st->db, "cannot build a spatial index");
    st->finished[i] = 1;
    return SV_OK;
}

sv_status sv_store_finish_table(sv_ctx *ctx, sv_store *st, const char *name)
{
    for (size_t i = 0; i < N_GEOMETRY_COLUMNS + SV_TABLE_COUNT; i++) {
        const char *type, *table = geometry_table(i, &type);
        if (table && strcmp(table, name) == 0)
            return finish_table(ctx, st, i);
    }
    return sv_error(ctx, SV_ERR_DB, "internal: no geometry table %s", name);
}

sv_status sv_store_commit(sv_ctx *ctx, sv_store *st)
{
    sv_status rc = SV_OK;
    for (size_t i = 0; i < N_GEOMETRY_COLUMNS + SV_TABLE_COUNT; i++)
        if ((rc = finish_table(ctx, st, i)) != SV_OK)
            goto fail;
    if (exec(st->db, "COMMIT") != SQLITE_OK) {
        rc = db_error(ctx, st->db, "cannot commit the result database");
        goto fail;
    }
    store_close(st);
    int fd = open(st->tmp_path, O_RDONLY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    if (rename(st->tmp_path, st->final_path) != 0) {
        rc = sv_error(ctx, SV_ERR_OUTPUT, "cannot move the result into place at %s: %s", st->final_path,
                      strerror(errno));
        goto fail;
    }
    free(st->tmp_path);
    st->tmp_path = NULL; /* nothing left to remove */
    sv_store_abort(st);
    return SV_OK;
fail:
    sv_store_abort(st);
    return rc;
}

/* ---- binding helpers ---- */

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v)
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

static int bind_break(sqlite3_stmt *s, int i, const sv_store_break *b)
{
    bind_text(s, i, b->mode);
    bind_real(s, i + 1, b->minutes);
    bind_real(s, i + 2, b->radius_m);
    return i + 3;
}

static sv_status step_stmt(sv_ctx *ctx, sv_store *st, sqlite3_stmt *s)
{
    int r = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (r != SQLITE_DONE)
        return db_error(ctx, st->db, "cannot write a result row");
    return SV_OK;
}

static sv_status step(sv_ctx *ctx, sv_store *st, int which)
{
    return step_stmt(ctx, st, st->stmt[which]);
}

sv_status sv_store_station(sv_ctx *ctx, sv_store *st, const char *id, const char *name,
                           const char *category, long long fid, double x, double y)
{
    sqlite3_stmt *s = st->stmt[S_STATION];
    bind_text(s, 1, id);
    bind_text(s, 2, name);
    bind_text(s, 3, category);
    sqlite3_bind_int64(s, 4, fid);
    bind_real(s, 5, x);
    bind_real(s, 6, y);
    sqlite3_bind_int(s, 7, st->srid);
    return step(ctx, st, S_STATION);
}

sv_status sv_store_district(sv_ctx *ctx, sv_store *st, const char *id, const char *name,
                            long long fid, double area_m2, int repaired,
                            const unsigned char *wkb, size_t len)
{
    sqlite3_stmt *s = st->stmt[S_DISTRICT];
    bind_text(s, 1, id);
    bind_text(s, 2, name);
    sqlite3_bind_int64(s, 3, fid);
    bind_real(s, 4, area_m2);
    sqlite3_bind_int(s, 5, repaired);
    bind_blob(s, 6, wkb, len);
    sqlite3_bind_int(s, 7, st->srid);
    return step(ctx, st, S_DISTRICT);
}

sv_status sv_store_service_area(sv_ctx *ctx, sv_store *st, const char *station_id,
                                const sv_store_break *b, double area_m2, double reached_m,
                                const unsigned char *wkb, size_t len)
{
    sqlite3_stmt *s = st->stmt[S_SERVICE_AREA];
    bind_text(s, 1, station_id);
    int i = bind_break(s, 2, b);
    bind_real(s, i, area_m2);
    bind_real(s, i + 1, reached_m);
    bind_blob(s, i + 2, wkb, len);
    sqlite3_bind_int(s, i + 3, st->srid);
    return step(ctx, st, S_SERVICE_AREA);
}

sv_status sv_store_reached(sv_ctx *ctx, sv_store *st, const char *station_id, const sv_store_break *b,
                           double length_m, const unsigned char *wkb, size_t len)
{
    sqlite3_stmt *s = st->stmt[S_REACHED];
    bind_text(s, 1, station_id);
    int i = bind_break(s, 2, b);
    bind_real(s, i, length_m);
    bind_blob(s, i + 1, wkb, len);
    sqlite3_bind_int(s, i + 2, st->srid);
    return step(ctx, st, S_REACHED);
}

sv_status sv_store_coverage(sv_ctx *ctx, sv_store *st, const sv_store_coverage_row *r)
{
    sqlite3_stmt *s = st->stmt[S_DISTRICT_COVERAGE];
    bind_text(s, 1, r->district_id);
    bind_text(s, 2, r->district_name);
    int i = bind_break(s, 3, &r->brk);
    bind_real(s, i++, r->area_m2);
    bind_real(s, i++, r->covered_m2);
    bind_real(s, i++, r->covered_pct);
    bind_real(s, i++, r->gap_m2);
    sqlite3_bind_int(s, i++, r->n_gap_parts);
    sqlite3_bind_int(s, i++, r->n_stations_inside);
    sqlite3_bind_int(s, i++, r->n_stations_reaching);
    bind_real(s, i++, r->pop_total);
    bind_real(s, i++, r->pop_covered);
    bind_real(s, i++, r->pop_total > 0 ? 100.0 * (r->pop_covered / r->pop_total) : NAN);
    sv_status rc = step(ctx, st, S_DISTRICT_COVERAGE);
    if (rc != SV_OK)
        return rc;

    s = st->stmt[S_COVERAGE];
    bind_text(s, 1, r->district_id);
    bind_text(s, 2, r->district_name);
    i = bind_break(s, 3, &r->brk);
    bind_real(s, i++, r->covered_m2);
    bind_real(s, i++, r->covered_pct);
    bind_blob(s, i++, r->covered_wkb, r->covered_len);
    sqlite3_bind_int(s, i, st->srid);
    if ((rc = step(ctx, st, S_COVERAGE)) != SV_OK)
        return rc;

    s = st->stmt[S_GAP];
    bind_text(s, 1, r->district_id);
    bind_text(s, 2, r->district_name);
    i = bind_break(s, 3, &r->brk);
    bind_real(s, i++, r->gap_m2);
    bind_real(s, i++, r->area_m2 > 0 ? 100.0 * r->gap_m2 / r->area_m2 : 0.0);
    sqlite3_bind_int(s, i++, r->n_gap_parts);
    bind_blob(s, i++, r->gap_wkb, r->gap_len);
    sqlite3_bind_int(s, i, st->srid);
    return step(ctx, st, S_GAP);
}

sv_status sv_store_gap_part(sv_ctx *ctx, sv_store *st, const char *district_id,
                            const char *district_name, const sv_store_break *b, int part_no,
                            double area_m2, const unsigned char *wkb, size_t len)
{
    sqlite3_stmt *s = st->stmt[S_GAP_PART];
    bind_text(s, 1, district_id);
    bind_text(s, 2, district_name);
    int i = bind_break(s, 3, b);
    sqlite3_bind_int(s, i++, part_no);
    bind_real(s, i++, area_m2);
    bind_blob(s, i++, wkb, len);
    sqlite3_bind_int(s, i, st->srid);
    return step(ctx, st, S_GAP_PART);
}

sv_status sv_store_issue(sv_ctx *ctx, sv_store *st, const sv_issue *is)
{
    sqlite3_stmt *s = st->stmt[S_ISSUE];
    bind_text(s, 1, is->file);
    bind_text(s, 2, is->layer);
    bind_text(s, 3, is->feature_id);
    bind_text(s, 4, is->problem);
    bind_text(s, 5, is->action == SV_ISSUE_SKIPPED ? "skipped" : "repaired");
    return step(ctx, st, S_ISSUE);
}

sv_status sv_store_city(sv_ctx *ctx, sv_store *st, const sv_store_break *b, double area_m2,
                        double covered_m2, int n_stations, double pop_total, double pop_covered, double gini)
{
    sqlite3_stmt *s = st->stmt[S_CITY];
    int i = bind_break(s, 1, b);
    bind_real(s, i++, area_m2);
    bind_real(s, i++, covered_m2);
    bind_real(s, i++, area_m2 > 0 ? 100.0 * (covered_m2 / area_m2) : 0.0);
    bind_real(s, i++, area_m2 - covered_m2);
    sqlite3_bind_int(s, i++, n_stations);
    bind_real(s, i++, pop_total);
    bind_real(s, i++, pop_covered);
    bind_real(s, i++, pop_total > 0 ? 100.0 * (pop_covered / pop_total) : NAN);
    bind_real(s, i, gini);
    return step(ctx, st, S_CITY);
}

static size_t count_columns(const char *cols)
{
    size_t n = 1;
    for (const char *c = cols; *c; c++)
        n += *c == ',';
    return n;
}

static sv_status create_row_tables(sv_ctx *ctx, sv_store *st)
{
    char sql[1024];
    for (int t = 0; t < SV_TABLE_COUNT; t++) {
        snprintf(sql, sizeof sql, "CREATE TABLE %s (id INTEGER PRIMARY KEY, %s%s)", row_tables[t].name,
                 row_tables[t].columns, row_tables[t].geometry ? ", geom BLOB" : "");
        if (exec(st->db, sql) != SQLITE_OK)
            return db_error(ctx, st->db, "cannot create the result tables");
    }
    return SV_OK;
}

static sv_status prepare_row_inserts(sv_ctx *ctx, sv_store *st)
{
    char sql[1024];
    for (int t = 0; t < SV_TABLE_COUNT; t++) {
        /* the column names, without their types */
        char names[512];
        size_t k = 0;
        int in_name = 1;
        for (const char *c = row_tables[t].columns; *c && k + 2 < sizeof names; c++) {
            if (*c == ',') {
                names[k++] = ',';
                in_name = 1;
            } else if (*c == ' ') {
                if (in_name && k && names[k - 1] != ',')
                    in_name = 0;
            } else if (in_name) {
                names[k++] = *c;
            }
        }
        names[k] = 0;
        size_t n = count_columns(row_tables[t].columns);
        int len = snprintf(sql, sizeof sql, "INSERT INTO %s (%s%s) VALUES (", row_tables[t].name, names,
                           row_tables[t].geometry ? ", geom" : "");
        for (size_t i = 0; i < n; i++)
            len += snprintf(sql + len, sizeof sql - (size_t)len, i ? ", ?" : "?");
        if (row_tables[t].geometry)
            len += snprintf(sql + len, sizeof sql - (size_t)len, ", CastToMulti(GeomFromWKB(?, ?))");
        snprintf(sql + len, sizeof sql - (size_t)len, ")");
        if (sqlite3_prepare_v2(st->db, sql, -1, &st->rows[t], NULL) != SQLITE_OK)
            return db_error(ctx, st->db, "cannot prepare the result inserts");
    }
    return SV_OK;
}

sv_status sv_store_insert(sv_ctx *ctx, sv_store *st, sv_table table, const sv_value *v, size_t n,
                          const unsigned char *wkb, size_t len)
{
    sqlite3_stmt *s = st->rows[table];
    size_t want = count_columns(row_tables[table].columns);
    if (n != want)
        return sv_error(ctx, SV_ERR_DB, "internal: %zu values for the %zu columns of %s", n, want,
                        row_tables[table].name);
    for (size_t i = 0; i < n; i++) {
        if (v[i].text || v[i].kind == SV_VALUE_TEXT)
            bind_text(s, (int)i + 1, v[i].text);
        else if (v[i].kind == SV_VALUE_INT)
            sqlite3_bind_int64(s, (int)i + 1, (long long)v[i].number);
        else
            bind_real(s, (int)i + 1, v[i].number);
    }
    if (row_tables[table].geometry) {
        bind_blob(s, (int)n + 1, wkb, len);
        sqlite3_bind_int(s, (int)n + 2, st->srid);
    }
    return step_stmt(ctx, st, s);
}

/* Bind a run record's text value as its column's declared type; 0 when a
 * number column gets something that is not a number. */
static int bind_typed(sqlite3_stmt *s, int i, const char *type, const char *v)
{
    char *end = NULL;
    if (!v) {
        sqlite3_bind_null(s, i);
    } else if (strcmp(type, "INTEGER") == 0) {
        errno = 0;
        long long n = strtoll(v, &end, 10);
        if (end == v || *end || errno)
            return 0;
        sqlite3_bind_int64(s, i, n);
    } else if (strcmp(type, "REAL") == 0) {
        double x = strtod(v, &end);
        if (end == v || *end)
            return 0;
        bind_real(s, i, x);
    } else {
        bind_text(s, i, v); /* TEXT: "5.0" or "3.11.1" stays as written */
    }
    return 1;
}

sv_status sv_store_record(sv_ctx *ctx, sv_store *st, const char *table, const char *const *columns,
                          const char *const *values, size_t n, long long *rowid)
{
    /* table and columns come from svcov's own code, never from the user. */
    size_t cap = 160 + 2 * strlen(table);
    for (size_t i = 0; i < n; i++)
        cap += strlen(columns[i]) + 16;
    char *create = malloc(cap), *insert = malloc(cap);
    const char **types = calloc(n ? n : 1, sizeof *types);
    if (!create || !insert || !types) {
        free(create);
        free(insert);
        free(types);
        return SV_ERR_NOMEM;
    }
    snprintf(create, cap, "CREATE TABLE IF NOT EXISTS \"%s\" (%s_id INTEGER PRIMARY KEY", table,
             strcmp(table, "runs") == 0 ? "run" : strcmp(table, "site_runs") == 0 ? "site_run" : "row");
    snprintf(insert, cap, "INSERT INTO \"%s\" (", table);
    sv_status rc = SV_OK;
    for (size_t i = 0; i < n && rc == SV_OK; i++) {
        /* "name TYPE": every column declares its type, so GDAL and QGIS
         * read text as text (NUMERIC made "svcov analyze ..." a 0). */
        const char *sp = strchr(columns[i], ' ');
        types[i] = sp ? sp + 1 : "";
        if (strcmp(types[i], "TEXT") != 0 && strcmp(types[i], "INTEGER") != 0 && strcmp(types[i], "REAL") != 0) {
            rc = sv_error(ctx, SV_ERR_INTERNAL, "internal: column '%s' of %s needs a type (TEXT, INTEGER or REAL)",
                          columns[i], table);
            break;
        }
        int len = (int)(sp - columns[i]);
        size_t c = strlen(create), k = strlen(insert);
        snprintf(create + c, cap - c, ", \"%.*s\" %s", len, columns[i], types[i]);
        snprintf(insert + k, cap - k, "%s\"%.*s\"", i ? ", " : "", len, columns[i]);
    }
    strcat(create, ")");
    strcat(insert, ") VALUES (");
    for (size_t i = 0; i < n; i++)
        strcat(insert, i ? ", ?" : "?");
    strcat(insert, ")");
    sqlite3_stmt *s = NULL;
    if (rc == SV_OK &&
        (exec(st->db, create) != SQLITE_OK || sqlite3_prepare_v2(st->db, insert, -1, &s, NULL) != SQLITE_OK))
        rc = db_error(ctx, st->db, "cannot write a run record");
    for (size_t i = 0; i < n && rc == SV_OK; i++)
        if (!bind_typed(s, (int)i + 1, types[i], values[i]))
            rc = sv_error(ctx, SV_ERR_INTERNAL, "internal: %s.%.*s = '%s' is not %s", table,
                          (int)(types[i] - 1 - columns[i]), columns[i], values[i],
                          types[i][0] == 'I' ? "an INTEGER" : "a REAL");
    if (rc == SV_OK && sqlite3_step(s) != SQLITE_DONE)
        rc = db_error(ctx, st->db, "cannot write a run record");
    else if (rc == SV_OK && rowid)
        *rowid = sqlite3_last_insert_rowid(st->db);
    sqlite3_finalize(s);
    free(create);
    free(insert);
    free(types);
    return rc;
}

sv_status sv_store_site(sv_ctx *ctx, sv_store *st, const sv_store_site_row *r)
{
    sqlite3_stmt *s = st->stmt[S_SITE];
    sqlite3_bind_int64(s, 1, r->site_run_id);
    sqlite3_bind_int(s, 2, r->rank);
    bind_text(s, 3, r->candidate_id);
    bind_real(s, 4, r->marginal_gain);
    bind_real(s, 5, r->cumulative_weight);
    bind_real(s, 6, r->cumulative_share);
    bind_text(s, 7, r->district_id);
    bind_real(s, 8, r->x);
    bind_real(s, 9, r->y);
    sqlite3_bind_int(s, 10, st->srid);
    return step(ctx, st, S_SITE);
}

sv_status sv_store_site_district(sv_ctx *ctx, sv_store *st, long long site_run_id, const char *district_id,
                                 const char *district_name, double total, double before, double after,
                                 double floor_weight)
{
    sqlite3_stmt *s = st->stmt[S_SITE_DISTRICT];
    sqlite3_bind_int64(s, 1, site_run_id);
    bind_text(s, 2, district_id);
    bind_text(s, 3, district_name);
    bind_real(s, 4, total);
    bind_real(s, 5, before);
    bind_real(s, 6, after);
    bind_real(s, 7, total > 0 ? 100.0 * (before / total) : 0.0);
    bind_real(s, 8, total > 0 ? 100.0 * (after / total) : 0.0);
    bind_real(s, 9, floor_weight);
    if (floor_weight > 0)
        sqlite3_bind_int(s, 10, after + 1e-9 >= floor_weight);
    else
        sqlite3_bind_null(s, 10);
    return step(ctx, st, S_SITE_DISTRICT);
}

sv_status sv_store_demand(sv_ctx *ctx, sv_store *st, const sv_store_demand_row *r)
{
    sqlite3_stmt *s = st->stmt[S_DEMAND_ACCESS];
    bind_text(s, 1, r->demand_id);
    bind_text(s, 2, r->district_id);
    bind_real(s, 3, r->weight);
    bind_text(s, 4, r->nearest_station_id);
    bind_real(s, 5, r->snap_m);
    bind_real(s, 6, r->network_m);
    bind_real(s, 7, r->minutes);
    bind_real(s, 8, r->euclid_m);
    bind_text(s, 9, r->method);
    bind_real(s, 10, r->x);
    bind_real(s, 11, r->y);
    sqlite3_bind_int(s, 12, st->srid);
    return step(ctx, st, S_DEMAND_ACCESS);
}

sv_status sv_store_demand_reach(sv_ctx *ctx, sv_store *st, const char *demand_id, const sv_store_break *b,
                                int within, int n_stations)
{
    sqlite3_stmt *s = st->stmt[S_DEMAND_REACH];
    bind_text(s, 1, demand_id);
    int i = bind_break(s, 2, b);
    sqlite3_bind_int(s, i++, within);
    if (n_stations >= 0)
        sqlite3_bind_int(s, i, n_stations);
    else
        sqlite3_bind_null(s, i);
    return step(ctx, st, S_DEMAND_REACH);
}

sv_status sv_store_district_demand(sv_ctx *ctx, sv_store *st, const char *district_id, const char *district_name,
                                   const sv_store_break *b, double total, double covered, int n_points)
{
    sqlite3_stmt *s = st->stmt[S_DISTRICT_DEMAND];
    bind_text(s, 1, district_id);
    bind_text(s, 2, district_name);
    int i = bind_break(s, 3, b);
    bind_real(s, i++, total);
    bind_real(s, i++, covered);
    bind_real(s, i++, total > 0 ? covered / total : NAN);
    sqlite3_bind_int(s, i, n_points);
    return step(ctx, st, S_DISTRICT_DEMAND);
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
    unsigned char *wkb = n > 0 ? malloc((size_t)n) : NULL;
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

sv_status sv_store_query(sv_ctx *ctx, const char *db_path, const char *sql, const char *const *names,
                         const char *const *values, size_t nparams, sv_row_fn fn, void *userdata)
{
    sqlite3 *db = NULL;
    void *cache = NULL;
    sv_status rc = SV_OK;
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        rc = sv_error(ctx, SV_ERR_INPUT, "--db %s cannot be opened: %s", db_path, sqlite3_errmsg(db));
        sqlite3_close(db);
        return rc;
    }
    cache = spatialite_alloc_connection();
    spatialite_init_ex(db, cache, 0);
    sqlite3_create_function(db, "svcov_lonlat", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, ctx, sql_lonlat, NULL, NULL);
    char *used = nparams ? calloc(nparams, 1) : NULL;
    const char *tail = sql;
    while (rc == SV_OK && tail && *tail) {
        sqlite3_stmt *s = NULL;
        const char *next = NULL;
        if (sqlite3_prepare_v2(db, tail, -1, &s, &next) != SQLITE_OK) {
            rc = sv_error(ctx, SV_ERR_USAGE, "the query does not run on %s: %s", db_path, sqlite3_errmsg(db));
            break;
        }
        tail = next;
        if (!s)
            continue; /* whitespace or a comment */
        int np = sqlite3_bind_parameter_count(s);
        for (int p = 1; p <= np && rc == SV_OK; p++) {
            const char *pname = sqlite3_bind_parameter_name(s, p);
            const char *bare = pname ? pname + 1 : "";
            size_t k = 0;
            for (; k < nparams; k++)
                if (strcmp(names[k], bare) == 0)
                    break;
            if (k < nparams) {
                sqlite3_bind_text(s, p, values[k], -1, SQLITE_TRANSIENT);
                if (used)
                    used[k] = 1;
            } /* else NULL: queries give defaults with coalesce() */
        }
        int ncol = sqlite3_column_count(s);
        const char **cn = NULL, **cv = NULL;
        if (rc == SV_OK && ncol > 0) {
            cn = calloc((size_t)ncol, sizeof *cn);
            cv = calloc((size_t)ncol, sizeof *cv);
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
        if (rc == SV_OK && r != SQLITE_ROW && r != SQLITE_DONE)
            rc = sv_error(ctx, SV_ERR_USAGE, "the query failed on %s: %s", db_path, sqlite3_errmsg(db));
        free(cn);
        free(cv);
        sqlite3_finalize(s);
    }
    for (size_t k = 0; rc == SV_OK && used && k < nparams; k++)
        if (!used[k])
            rc = sv_error(ctx, SV_ERR_USAGE, "the query has no parameter :%s (from --set %s=...)", names[k],
                          names[k]);
    free(used);
    sqlite3_close(db);
    spatialite_cleanup_ex(cache);
    return rc;
}
