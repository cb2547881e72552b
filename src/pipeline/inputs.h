/* inputs.h - the inputs stage shared by svcov analyze and svcov site (pipeline/inputs.c).
 * sv_feature_points, sv_district_polygons and the district finder, also defined
 * there, are declared in svcov/sv_analyze.h. */
#ifndef SV_PIPELINE_INPUTS_H
#define SV_PIPELINE_INPUTS_H

#include "svcov/sv_analyze.h"
#include "svcov/sv_io.h"

/* The time now as "YYYY-MM-DDTHH:MM:SSZ" (the runs' started_utc/finished_utc). */
void sv_utc_now(char *buf, size_t size);

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
