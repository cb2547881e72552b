/* inputs.h - the inputs stage shared by svcov analyze and svcov site (pipeline/inputs.c).
 * sv_feature_points, sv_district_polygons and the district finder, also defined
 * there, are declared in svcov/sv_analyze.h. */
#ifndef SV_PIPELINE_INPUTS_H
#define SV_PIPELINE_INPUTS_H

#include "svcov/sv_analyze.h"
#include "svcov/sv_io.h"
#include "svcov/sv_store.h"

/* The time now as "YYYY-MM-DDTHH:MM:SSZ" (the runs' started_utc/finished_utc). */
void sv_utc_now(char *buf, size_t size);

/* The run record's provenance columns that analyze's runs row and site's
 * site_runs row share: started_utc, finished_utc (now), svcov_version,
 * command, crs_epsg, input_coords, input_encoding (NULL when every input is
 * UTF-8). sv_run_record writes them with the pipeline's own columns. */
typedef struct {
    const char *started, *command;
    char finished[32], epsg[16], coords[512], encoding[512];
} sv_run_common;

/* Fill r from the run's start time and command line (both borrowed: they must
 * outlive r), its CRS and its n inputs (names[i] for opts[i]). */
void sv_run_common_fill(sv_run_common *r, const char *started, const char *command, int epsg,
                        const char *const *names, const sv_source_opts *const *opts, size_t n);

/* One row of table (SV_TABLE_RUNS or SV_TABLE_SITE_RUNS): the common columns
 * of r and the pipeline's own n columns keys[i] = vals[i] (NULL: SQL NULL),
 * by name (the types are in src/core/schema.c). *rowid (NULL ok) is the row's
 * id. Everything is borrowed. */
sv_status sv_run_record(sv_ctx *ctx, sv_store *db, sv_table table, const sv_run_common *r,
                        const char *const *keys, const char *const *vals, size_t n, long long *rowid);

/* One input a stage may open: opened into *out when wanted (with the
 * weight field weight_field, NULL for none). */
typedef struct {
    const sv_source_opts *opts;
    const char *weight_field;
    sv_role role;
    sv_source **out;
    int wanted;
} sv_input_req;

/* Open the wanted inputs of req[0..n) in order with the run's --strict
 * (sv_input_open); the first failure stops, and what was opened before it
 * stays in its *out for the caller to close. */
sv_status sv_inputs_open(sv_ctx *ctx, int strict, const sv_input_req *req, size_t n);

/* Open one input with the run's --strict (and, when not NULL, the field
 * holding each feature's weight); *out is closed with sv_source_close. */
sv_status sv_input_open(sv_ctx *ctx, const sv_source_opts *given, int strict, const char *weight_field,
                        sv_role role, sv_source **out);

/* Widen *all (lon/lat) by the source's bounds; *have says whether *all
 * holds any yet. An empty layer adds nothing. */
sv_status sv_input_grow_bounds(sv_ctx *ctx, sv_source *src, sv_env *all, int *have);

/* A point layer: the source, its features in the analysis CRS, and the
 * usable ones as points (keep[i] indexes fs.items). */
typedef struct {
    sv_source *src;
    sv_featureset fs;
    double *x, *y;
    size_t *keep, n;
} sv_point_layer;
void sv_point_layer_free(sv_point_layer *l);

/* Project l->src into epsg and take its points (sv_feature_points). */
sv_status sv_input_points(sv_ctx *ctx, sv_geos *h, sv_point_layer *l, int epsg, int strict, int centroids);

/* Stations sharing an id get "#2", "#3"... (an issue each; --strict: an error). */
sv_status sv_unique_station_ids(sv_ctx *ctx, sv_featureset *fs, const size_t *keep, size_t n, int strict);
/* Two valid districts with one id: refused, naming both features. */
sv_status sv_unique_district_ids(sv_ctx *ctx, const sv_featureset *fs, const sv_valid_district *vd, size_t n);

#endif
