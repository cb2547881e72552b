/*
 * sv_compare.h - svcov compare: a base run against a plan run of the same
 * districts, breaks, CRS and mode, written as an svcov database: the
 * change per district and break, the areas gained and lost as polygons, the
 * stations added, removed and moved, next to the plan's own coverage tables
 * (so that map and report draw it).
 */
#ifndef SV_COMPARE_H
#define SV_COMPARE_H

#include "svcov/sv_common.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    const char *base_path, *plan_path, *out_path;
    const char *command_line; /* recorded in compare_runs */
} sv_compare_opts;

/* The whole area per break, for the summary. */
typedef struct {
    char mode[32];
    double minutes, radius_m;
    double pct_base, pct_plan, covered_base, covered_plan, pop_base, pop_plan; /* pop: NAN without people */
} sv_compare_city;

typedef struct {
    size_t n_districts, n_breaks, n_added, n_removed, n_moved;
    size_t n_improved, n_worse; /* district and break rows with delta_pp above / below +-1e-9 */
    sv_compare_city *city;      /* n_breaks */
    int srid;
} sv_compare;

/* Compare and write opts->out_path atomically (an earlier file there is
 * replaced only when all is written). Runs that cannot be compared (other
 * districts, CRS, breaks or mode; a database without an analysis) are
 * SV_ERR_USAGE saying what differs, and nothing is written. Free *out with
 * sv_compare_destroy (NULL ok). */
sv_status sv_compare_run(sv_ctx *ctx, const sv_compare_opts *o, sv_compare **out);
void sv_compare_destroy(sv_compare *c);

#ifdef __cplusplus
}
#endif
#endif
