/*
 * sv_store.h - the SpatiaLite result database (SQLite + mod_spatialite).
 * Only src/store_spatialite.c includes SQLite/SpatiaLite.
 *
 * A run writes a fresh database beside the target under a temporary name,
 * in one transaction, and renames it over the target only when complete:
 * a failure or an interrupt leaves the previous result exactly as it was.
 * An existing target is replaced only if svcov wrote it (its SQLite
 * application_id is SV_STORE_APPLICATION_ID).
 */
#ifndef SV_STORE_H
#define SV_STORE_H

#include "svcov/sv_common.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Ownership: sv_store_create and sv_store_open_copy give the caller a store
 * (*out, NULL on failure) that ends in exactly one of sv_store_commit (which
 * frees it whether it succeeds or not) or sv_store_abort (NULL ok).
 * sv_store_open_read's reader is the caller's, closed with
 * sv_store_close_read (NULL ok); sv_store_reader_path's string belongs to
 * the reader. Values, names, WKB and SQL passed in are borrowed for the call
 * (the store copies what it keeps); row callbacks see strings valid only
 * during the call. Version strings are static. */

#define SV_STORE_APPLICATION_ID 0x53564356 /* "SVCV" */
#define SV_STORE_SCHEMA_VERSION 3

/* The result tables, in creation order (described in src/core/schema.c). */
typedef enum {
    SV_TABLE_STATIONS = 0,
    SV_TABLE_DISTRICTS,
    SV_TABLE_SERVICE_AREAS,
    SV_TABLE_REACHED_STREETS,
    SV_TABLE_DISTRICT_COVERAGE,
    SV_TABLE_COVERAGE,
    SV_TABLE_GAPS,
    SV_TABLE_GAP_PARTS,
    SV_TABLE_ISSUES,
    SV_TABLE_CITY_COVERAGE,
    SV_TABLE_SITES,
    SV_TABLE_SITE_DISTRICT_COVERAGE,
    SV_TABLE_DEMAND_ACCESS,
    SV_TABLE_DEMAND_REACH,
    SV_TABLE_DISTRICT_DEMAND,
    SV_TABLE_REDUNDANCY,     /* district_redundancy */
    SV_TABLE_CRITICAL,       /* critical_stations */
    SV_TABLE_FAIRNESS,       /* district_fairness (no geometry) */
    SV_TABLE_PEOPLE_POINTS,  /* people_points: the points district_fairness measures from (not demand points) */
    SV_TABLE_CATEGORY,       /* category_coverage */
    SV_TABLE_CATEGORY_GAPS,  /* category_gaps */
    SV_TABLE_RESPONSIBILITY, /* responsibility */
    SV_TABLE_STATION_LOAD,   /* station_load: 2SFCA step 1 */
    SV_TABLE_DISTRICT_ACCESS, /* district_access: 2SFCA step 2 */
    SV_TABLE_POINT_ACCESS,   /* point_access: each point's access index per break */
    SV_TABLE_TIME_COVERAGE,  /* time_coverage: coverage at each --at moment */
    SV_TABLE_TIME_GAPS,      /* time_gaps */
    SV_TABLE_ROADS,          /* roads: the network of a network-mode run */
    SV_TABLE_BREAKS,         /* the run's breaks with a preset's labels */
    SV_TABLE_STATION_SERVICES, /* station_services: services and opening hours (posters) */
    SV_TABLE_RUNS,           /* one record per analyze */
    SV_TABLE_SITE_RUNS,      /* one record per site */
    SV_TABLE_DISTRICT_CHANGE, /* svcov compare: per district and break, base against plan */
    SV_TABLE_CITY_CHANGE,     /* svcov compare: the whole area per break */
    SV_TABLE_COVERAGE_GAINED, /* svcov compare: area covered by the plan only */
    SV_TABLE_COVERAGE_LOST,   /* svcov compare: area covered by the base only */
    SV_TABLE_STATION_CHANGE,  /* svcov compare: stations added, removed, moved */
    SV_TABLE_COMPARE_RUNS,    /* one record per compare */
    SV_TABLE_TIMINGS,         /* the stage times of the run */
    SV_TABLE_COUNT
} sv_table;

typedef enum { SV_VALUE_REAL = 0, SV_VALUE_TEXT, SV_VALUE_INT, SV_VALUE_NULL } sv_value_kind;
typedef struct {
    sv_value_kind kind;
    const char *text; /* SV_VALUE_TEXT (NULL stores NULL) */
    double number;    /* REAL or INT; not finite stores NULL */
} sv_value;
#define SV_TEXT(s) ((sv_value){SV_VALUE_TEXT, (s), 0.0})
#define SV_REAL(x) ((sv_value){SV_VALUE_REAL, NULL, (x)})
#define SV_INT(x) ((sv_value){SV_VALUE_INT, NULL, (double)(x)})
#define SV_NULL ((sv_value){SV_VALUE_NULL, NULL, 0.0})
/* The three break columns (mode, minutes, radius_m). */
#define SV_BREAK(mode, minutes, radius_m) SV_TEXT(mode), SV_REAL(minutes), SV_REAL(radius_m)

/* The name of result table t ("gaps"; NULL past SV_TABLE_COUNT), and whether it has the column name: what
 * the CLI lists and filters (svcov export --layer), from the one schema description (src/core/schema.c). */
const char *sv_table_name(sv_table t);
int sv_table_has_column(sv_table t, const char *name);

typedef struct sv_store sv_store;

/* The target's folder exists and is writable, and an existing file there
 * is an svcov database. SV_ERR_OUTPUT otherwise. */
sv_status sv_store_check_target(sv_ctx *ctx, const char *out_path);

/* An existing svcov result database (for export, query, map). */
sv_status sv_store_check_db(sv_ctx *ctx, const char *db_path);

/* Start a new database for out_path with geometry in EPSG:srid. */
sv_status sv_store_create(sv_ctx *ctx, const char *out_path, int srid, sv_store **out);
/* Add to a copy of the svcov database src_path (which may be out_path
 * itself); the copy replaces out_path on commit. */
sv_status sv_store_open_copy(sv_ctx *ctx, const char *src_path, const char *out_path, sv_store **out);
/* The SRID of the store's geometry; of a database file's (0 when unknown). */
int sv_store_srid(const sv_store *st);
int sv_store_db_srid(const char *db_path);
/* Build the spatial indexes, commit, and move the database into place. */
sv_status sv_store_commit(sv_ctx *ctx, sv_store *st);
/* Register the geometry column of a table whose rows are all written and
 * build its spatial index now instead of at commit (a fresh database writes
 * geometries into plain BLOB columns until then). No more rows may follow. */
sv_status sv_store_finish_table(sv_ctx *ctx, sv_store *st, sv_table table);
/* Throw the temporary database away (NULL ok). */
void sv_store_abort(sv_store *st);

/* Writing rows. The tables, their columns (declared types, NOT NULL) and
 * geometry are described once in src/core/schema.c (listed in DESIGN.md); a row
 * is its values in the description's column order, then the geometry. A
 * value's kind must be its column's type (TEXT, INTEGER, REAL) or NULL, and
 * the count must match: anything else is SV_ERR_INTERNAL. */
sv_status sv_store_insert(sv_ctx *ctx, sv_store *st, sv_table table, const sv_value *values, size_t n,
                          const unsigned char *wkb, size_t len);
/* The same for a table with a POINT geometry, given as x, y. */
sv_status sv_store_insert_point(sv_ctx *ctx, sv_store *st, sv_table table, const sv_value *values, size_t n,
                                double x, double y);

/* One feature issue (a row of issues). */
sv_status sv_store_issue(sv_ctx *ctx, sv_store *st, const sv_issue *is);

/* A record in a run table (SV_TABLE_RUNS, SV_TABLE_SITE_RUNS), created on
 * first use; *rowid (may be NULL) gets its id. Values are text by column name
 * (NULL = NULL); every column of the description must be given exactly once
 * (a missing, unknown or repeated name is SV_ERR_INTERNAL). A value is stored
 * as its column's type: a TEXT value is never turned into a number ("5.0"
 * stays "5.0"), an INTEGER or REAL value must be a number. */
sv_status sv_store_record(sv_ctx *ctx, sv_store *st, sv_table table, const char *const *names,
                          const char *const *values, size_t n, long long *rowid);

/* Copy the rows of table from the svcov database src_path into st, values
 * and geometry blobs exactly as stored (the same SRID is the caller's
 * check); suffix ("WHERE ...", "ORDER BY run_id DESC LIMIT 1", NULL) selects
 * them. Columns the source lacks (an older database) stay NULL; a run record
 * table is created as needed. *n_copied (may be NULL) gets the row count. */
sv_status sv_store_copy_rows(sv_ctx *ctx, sv_store *st, const char *src_path, sv_table table, const char *suffix,
                             size_t *n_copied);

/* The read-only handle of map, report, query and export: an svcov result
 * database (checked as sv_store_check_db does), opened read-only with
 * SpatiaLite loaded. Close with sv_store_close_read (NULL ok). */
typedef struct sv_store_reader sv_store_reader;
sv_status sv_store_open_read(sv_ctx *ctx, const char *db_path, sv_store_reader **out);
void sv_store_close_read(sv_store_reader *rd);
/* The database's path (owned by the handle). */
const char *sv_store_reader_path(const sv_store_reader *rd);

/* Run the statements of sql, binding named parameters (":name") from
 * names/values; a parameter with no value is NULL, a value no statement uses
 * is an SV_ERR_USAGE. Each row is passed to fn (a non-zero return stops). A
 * statement that starts a new result set calls fn with values == NULL first
 * (column names only). Stops with SV_ERR_INTERRUPTED soon after ctx is
 * interrupted (SQLite's progress handler, for this call only). */
typedef int (*sv_row_fn)(void *userdata, int ncol, const char *const *names,
                         const char *const *values);
sv_status sv_store_read(sv_ctx *ctx, sv_store_reader *rd, const char *sql, const char *const *names,
                        const char *const *values, size_t nparams, sv_row_fn fn, void *userdata);

/* A typed value for a named parameter (the values of 'svcov query --set'). */
typedef enum { SV_PARAM_TEXT, SV_PARAM_INTEGER, SV_PARAM_REAL } sv_param_type;
typedef struct {
    const char *name; /* without the ':' */
    sv_param_type type;
    const char *text; /* SV_PARAM_TEXT */
    long long i;      /* SV_PARAM_INTEGER */
    double d;         /* SV_PARAM_REAL */
} sv_query_param;

/* sv_store_read with typed values, each bound as its type (sv_store_read binds
 * its values as text through it). Every statement is prepared before the first
 * one runs, so that SQL errors and a value no statement uses (SV_ERR_USAGE)
 * come before any row reaches fn (unless a statement can only be prepared
 * after an earlier one ran). A damaged database is an SV_ERR_INPUT naming it. */
sv_status sv_store_read_typed(sv_ctx *ctx, sv_store_reader *rd, const char *sql, const sv_query_param *params,
                              size_t nparams, sv_row_fn fn, void *userdata);

/* Copying a run between stores (the PostGIS store, store_pg.c). sv_store_scan calls fn with every row of
 * table in the reader's database in key order: the key (id, run_id, site_run_id), the values in the
 * description's column order, each of its column's kind or SV_VALUE_NULL (texts valid during the call), and
 * the geometry as WKB (NULL, 0: none). A table the database does not have (a run record never written)
 * has no rows. A status other than SV_OK from fn stops the scan and is returned. */
typedef sv_status (*sv_store_row_fn)(sv_ctx *ctx, void *userdata, long long key, const sv_value *values, size_t n,
                                     const unsigned char *wkb, size_t len);
sv_status sv_store_scan(sv_ctx *ctx, sv_store_reader *rd, sv_table table, sv_store_row_fn fn, void *userdata);
/* sv_store_insert with the row's key, every geometry (POINT too) as WKB; run records too (created on first
 * use), so a copied run keeps its ids. */
sv_status sv_store_insert_keyed(sv_ctx *ctx, sv_store *st, sv_table table, long long key, const sv_value *values,
                                size_t n, const unsigned char *wkb, size_t len);

/* Versions (static strings). */
const char *sv_sqlite_version(void);
const char *sv_spatialite_version(void);

#ifdef __cplusplus
}
#endif
#endif
