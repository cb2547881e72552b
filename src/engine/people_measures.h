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
sv_status sv_people_categories(sv_ctx *ctx, sv_geos *h, const sv_people_in *in, sv_analysis *a, sv_popsurf *surf,
                               const double *own);
sv_status sv_people_fairness(sv_ctx *ctx, sv_geos *h, const sv_people_in *in, sv_analysis *a,
                             const people_points *pts);
sv_status sv_people_responsibility(sv_ctx *ctx, sv_geos *h, const sv_people_in *in, sv_analysis *a,
                                   sv_popsurf *surf, const people_points *pts);

#endif
