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

#define SV_STORE_APPLICATION_ID 0x53564356 /* "SVCV" */
#define SV_STORE_SCHEMA_VERSION 3

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
sv_status sv_store_finish_table(sv_ctx *ctx, sv_store *st, const char *table);
/* Throw the temporary database away (NULL ok). */
void sv_store_abort(sv_store *st);

/* minutes: NAN stores NULL. wkb may be NULL (stores a NULL geometry). */
typedef struct {
    const char *mode;
    double minutes;
    double radius_m;
} sv_store_break;

sv_status sv_store_station(sv_ctx *ctx, sv_store *st, const char *id, const char *name,
                           const char *category, long long fid, double x, double y);
sv_status sv_store_district(sv_ctx *ctx, sv_store *st, const char *id, const char *name,
                            long long fid, double area_m2, int repaired,
                            const unsigned char *wkb, size_t len);
/* reached_m: the street length reached (network mode), NAN otherwise. */
sv_status sv_store_service_area(sv_ctx *ctx, sv_store *st, const char *station_id,
                                const sv_store_break *b, double area_m2, double reached_m,
                                const unsigned char *wkb, size_t len);
/* The streets reached from one station (station_id) or all (NULL). */
sv_status sv_store_reached(sv_ctx *ctx, sv_store *st, const char *station_id, const sv_store_break *b,
                           double length_m, const unsigned char *wkb, size_t len);

typedef struct {
    const char *district_id, *district_name;
    sv_store_break brk;
    double area_m2, covered_m2, covered_pct, gap_m2;
    int n_stations_inside, n_stations_reaching;
    int n_gap_parts;
    double pop_total, pop_covered; /* people; NAN stores NULL (no population given) */
    const unsigned char *covered_wkb; size_t covered_len;
    const unsigned char *gap_wkb; size_t gap_len;
} sv_store_coverage_row;

/* One district and break: the district_coverage row, the coverage and gaps
 * polygons. */
sv_status sv_store_coverage(sv_ctx *ctx, sv_store *st, const sv_store_coverage_row *row);
/* One polygon of a gap (for "largest gaps"). */
sv_status sv_store_gap_part(sv_ctx *ctx, sv_store *st, const char *district_id,
                            const char *district_name, const sv_store_break *b, int part_no,
                            double area_m2, const unsigned char *wkb, size_t len);
sv_status sv_store_issue(sv_ctx *ctx, sv_store *st, const sv_issue *is);

/* City-wide figures for one break, over the union of all districts (so
 * overlapping districts are not counted twice). */
sv_status sv_store_city(sv_ctx *ctx, sv_store *st, const sv_store_break *b, double area_m2,
                        double covered_m2, int n_stations, double pop_total, double pop_covered, double gini);

/* Tables of "who is covered", written row by row with sv_store_insert:
 * values in the order of the columns listed in DESIGN.md, then the
 * geometry (WKB, NULL for none) for tables that have one. */
typedef enum {
    SV_TABLE_REDUNDANCY = 0, /* district_redundancy */
    SV_TABLE_CRITICAL,       /* critical_stations */
    SV_TABLE_FAIRNESS,       /* district_fairness (no geometry) */
    SV_TABLE_CATEGORY,       /* category_coverage */
    SV_TABLE_CATEGORY_GAPS,  /* category_gaps */
    SV_TABLE_RESPONSIBILITY, /* responsibility */
    SV_TABLE_ROADS,          /* roads: the network of a network-mode run */
    SV_TABLE_COUNT
} sv_table;
typedef enum { SV_VALUE_REAL = 0, SV_VALUE_TEXT, SV_VALUE_INT } sv_value_kind;
typedef struct {
    sv_value_kind kind;
    const char *text; /* SV_VALUE_TEXT (NULL stores NULL) */
    double number;    /* REAL (NAN stores NULL) or INT */
} sv_value;
#define SV_TEXT(s) ((sv_value){SV_VALUE_TEXT, (s), 0.0})
#define SV_REAL(x) ((sv_value){SV_VALUE_REAL, NULL, (x)})
#define SV_INT(x) ((sv_value){SV_VALUE_INT, NULL, (double)(x)})
sv_status sv_store_insert(sv_ctx *ctx, sv_store *st, sv_table table, const sv_value *values, size_t n,
                          const unsigned char *wkb, size_t len);

/* Demand access: one row per demand point (demand_access), one per point
 * and break (demand_reach), one per district and break (district_demand;
 * covered_share is a fraction, NULL without demand). */
typedef struct {
    const char *demand_id, *district_id, *nearest_station_id, *method;
    double weight, snap_m, network_m, minutes, euclid_m, x, y;
} sv_store_demand_row;
sv_status sv_store_demand(sv_ctx *ctx, sv_store *st, const sv_store_demand_row *row);
sv_status sv_store_demand_reach(sv_ctx *ctx, sv_store *st, const char *demand_id, const sv_store_break *b,
                                int within, int n_stations);
sv_status sv_store_district_demand(sv_ctx *ctx, sv_store *st, const char *district_id, const char *district_name,
                                   const sv_store_break *b, double total, double covered, int n_points);

/* A record in a run table ("runs", "site_runs"), created on first use with
 * the given columns, each "name TYPE" with TYPE TEXT, INTEGER or REAL;
 * *rowid (may be NULL) gets its id. Values are text (NULL = NULL) and are
 * stored as their column's type: a TEXT value is never turned into a number
 * ("5.0" stays "5.0"), an INTEGER or REAL value must be a number
 * (SV_ERR_INTERNAL otherwise). */
sv_status sv_store_record(sv_ctx *ctx, sv_store *st, const char *table, const char *const *columns,
                          const char *const *values, size_t n, long long *rowid);

typedef struct {
    long long site_run_id;
    int rank;
    const char *candidate_id;
    double marginal_gain, cumulative_weight, cumulative_share;
    const char *district_id;
    double x, y;
} sv_store_site_row;

/* One chosen site, and the before/after coverage of one district. */
sv_status sv_store_site(sv_ctx *ctx, sv_store *st, const sv_store_site_row *row);
sv_status sv_store_site_district(sv_ctx *ctx, sv_store *st, long long site_run_id, const char *district_id,
                                 const char *district_name, double total, double before, double after,
                                 double floor_weight);

/* Run the statements of sql against db_path (read-only, SpatiaLite loaded),
 * binding named parameters (":name") from names/values; a parameter with no
 * value is NULL, a value no statement uses is an SV_ERR_USAGE. Each row is
 * passed to fn (a non-zero return stops). A statement that starts a new
 * result set calls fn with values == NULL first (column names only). */
typedef int (*sv_row_fn)(void *userdata, int ncol, const char *const *names,
                         const char *const *values);
sv_status sv_store_query(sv_ctx *ctx, const char *db_path, const char *sql,
                         const char *const *names, const char *const *values, size_t nparams,
                         sv_row_fn fn, void *userdata);

/* A typed value for a named parameter (the values of 'svcov query --set'). */
typedef enum { SV_PARAM_TEXT, SV_PARAM_INTEGER, SV_PARAM_REAL } sv_param_type;
typedef struct {
    const char *name; /* without the ':' */
    sv_param_type type;
    const char *text; /* SV_PARAM_TEXT */
    long long i;      /* SV_PARAM_INTEGER */
    double d;         /* SV_PARAM_REAL */
} sv_query_param;

/* sv_store_query with typed values, each bound as its type. Every statement
 * is prepared before the first one runs, so that SQL errors and a value no
 * statement uses (SV_ERR_USAGE) come before any row reaches fn (unless a
 * statement can only be prepared after an earlier one ran). */
sv_status sv_store_query_typed(sv_ctx *ctx, const char *db_path, const char *sql, const sv_query_param *params,
                               size_t nparams, sv_row_fn fn, void *userdata);

/* Versions (static strings). */
const char *sv_sqlite_version(void);
const char *sv_spatialite_version(void);

#ifdef __cplusplus
}
#endif
#endif
