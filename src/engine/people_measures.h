/* people_measures.h - the measures of who is covered, computed for svcov analyze's
 * people stage (pipeline/analyze_people.c, sv_people_run): redundancy and critical
 * stations (engine/redundancy.c), coverage by station category (engine/categories.c),
 * fairness (engine/fairness.c) and areas of responsibility (engine/responsibility.c).
 * Each fills its part of a->people; surf is the population surface, own each
 * district's people (NULL without people). Private to src/. */
#ifndef SV_ENGINE_PEOPLE_MEASURES_H
#define SV_ENGINE_PEOPLE_MEASURES_H

#include "svcov/sv_analyze.h"
#include "svcov/sv_people.h"

/* Where people live, as points with weights, for distances. */
typedef struct {
    double *x, *y, *w;
    size_t n;
    sv_demand_access acc; /* computed here unless borrowed */
    const sv_demand_access *use;
} people_points;

sv_status sv_people_redundancy(sv_ctx *ctx, sv_geos *h, const sv_people_in *in, sv_analysis *a, sv_popsurf *surf,
                               const double *own);
/* Circle mode: of the crossing circles ids[0..n) of a piece lying in the
 * convex ring xy[0..nv) (closed), with base circles holding all of it, those
 * that cannot change its redundancy class or what a station alone covers
 * (three others hold every point of the piece they hold), left out: ids
 * compacted in place, the count kept returned (engine/redundancy.c). */
size_t sv_red_prune_dominated(const double *xs, const double *ys, size_t *ids, size_t n, int base, const double *xy,
                              size_t nv, double r, int quad_segs);
sv_status sv_people_categories(sv_ctx *ctx, sv_geos *h, const sv_people_in *in, sv_analysis *a, sv_popsurf *surf,
                               const double *own);
sv_status sv_people_fairness(sv_ctx *ctx, sv_geos *h, const sv_people_in *in, sv_analysis *a,
                             const people_points *pts);
sv_status sv_people_responsibility(sv_ctx *ctx, sv_geos *h, const sv_people_in *in, sv_analysis *a,
                                   sv_popsurf *surf, const people_points *pts);

#endif
