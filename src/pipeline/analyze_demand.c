/* analyze_demand.c - the demand stage of svcov analyze (--demand): each demand
 * point's district and its access to the stations (engine/service_areas.c along
 * the network, else straight lines), summed per district and for the city. */
#include "pipeline/analyze_stages.h"
#include "svcov/sv_geom.h"

#include <stdlib.h>

/* Without --demand nothing. Fills s->mx, my, mkeep (into s->mfs), s->mdist,
 * s->finder, s->access, a->n_demand, a->demand_total and a->demand_covered
 * ((n_districts + 1) x n_breaks, the city last). */
sv_status sv_analyze_demand(sv_analyze_state *s)
{
    sv_ctx *ctx = s->ctx;
    const sv_analyze_opts *o = s->o;
    sv_analysis *a = s->a;
    sv_status rc;
    if (!o->demand.spec)
        return SV_OK;
    size_t nm = s->mfs.n;
    s->mx = sv_malloc((nm + 1) * sizeof *s->mx);
    s->my = sv_malloc((nm + 1) * sizeof *s->my);
    s->mkeep = sv_malloc((nm + 1) * sizeof *s->mkeep);
    s->mdist = sv_malloc((nm + 1) * sizeof *s->mdist);
    a->demand_total = sv_calloc((a->n_districts + 1) * a->n_breaks, sizeof(double));
    a->demand_covered = sv_calloc((a->n_districts + 1) * a->n_breaks, sizeof(double));
    if (!s->mx || !s->my || !s->mkeep || !s->mdist || !a->demand_total || !a->demand_covered)
        return sv_error(ctx, SV_ERR_NOMEM, "out of memory");
    if ((rc = sv_feature_points(ctx, s->h, &s->mfs, o->strict, 1, s->mx, s->my, s->mkeep, &a->n_demand)) != SV_OK)
        return rc;
    if (sv_district_finder_init(&s->finder, s->h, s->vd, a->n_districts) != 0)
        return sv_error(ctx, SV_ERR_GEOM, "cannot index the districts: %s", sv_geos_errmsg(s->h));
    for (size_t i = 0; i < a->n_demand; i++)
        s->mdist[i] = sv_district_finder_find(&s->finder, s->mx[i], s->my[i]);
    double *radius = sv_malloc((a->n_breaks + 1) * sizeof *radius);
    if (!radius)
        return SV_ERR_NOMEM;
    for (size_t b = 0; b < a->n_breaks; b++)
        radius[b] = a->breaks[b].radius_m;
    sv_progress(ctx, "demand", 0.0);
    rc = a->network ? sv_demand_access_network(ctx, s->net, &s->areas, s->xs, s->ys, a->n_stations, s->mx, s->my,
                                               a->n_demand, &s->ao, &s->access)
                    : sv_demand_access_circles(ctx, s->xs, s->ys, a->n_stations, s->mx, s->my, a->n_demand, radius,
                                               a->n_breaks, &s->access);
    free(radius);
    if (rc != SV_OK)
        return rc;
    sv_progress(ctx, "demand", 1.0);
    for (size_t i = 0; i < a->n_demand; i++) {
        double w = s->mfs.items[s->mkeep[i]].weight;
        for (size_t b = 0; b < a->n_breaks; b++) {
            int in_b = s->access.within[i * a->n_breaks + b];
            size_t all = a->n_districts * a->n_breaks + b;
            a->demand_total[all] += w;
            a->demand_covered[all] += in_b ? w : 0;
            if (s->mdist[i] >= 0) {
                size_t k = (size_t)s->mdist[i] * a->n_breaks + b;
                a->demand_total[k] += w;
                a->demand_covered[k] += in_b ? w : 0;
            }
        }
    }
    return SV_OK;
}
