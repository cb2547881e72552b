/* fairness.c - how far people live from a station: weighted distance quantiles
 * per district (district_fairness). */
#include "engine/people_measures.h"
#include "svcov/sv_geom.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_index(const void *x, const void *y)
{
    size_t i = *(const size_t *)x, j = *(const size_t *)y;
    return (i > j) - (i < j);
}

/* Median and 90th percentile distance (and minutes) from the people points to
 * their nearest station, per district and for the city (a->people.med_m ...). */
sv_status sv_people_fairness(sv_ctx *ctx, sv_geos *h, const sv_people_in *in, sv_analysis *a,
                             const people_points *pts)
{
    sv_people_result *P = &a->people;
    size_t nd = a->n_districts;
    P->med_m = sv_malloc((nd + 1) * sizeof *P->med_m);
    P->p90_m = sv_malloc((nd + 1) * sizeof *P->p90_m);
    P->med_min = sv_malloc((nd + 1) * sizeof *P->med_min);
    P->p90_min = sv_malloc((nd + 1) * sizeof *P->p90_min);
    P->n_points = sv_calloc(nd + 1, sizeof *P->n_points);
    double *dist = sv_malloc((pts->n + 1) * sizeof *dist), *mins = sv_malloc((pts->n + 1) * sizeof *mins);
    double *w = sv_malloc((pts->n + 1) * sizeof *w);
    double *dd = sv_malloc((pts->n + 1) * sizeof *dd), *dm = sv_malloc((pts->n + 1) * sizeof *dm);
    sv_index *tree = sv_index_create(h);
    size_t *hits = NULL, nh = 0, ch = 0;
    sv_status rc = SV_OK;
    if (!P->med_m || !P->p90_m || !P->med_min || !P->p90_min || !P->n_points || !dist || !mins || !w || !dd || !dm || !tree) {
        rc = SV_ERR_NOMEM;
        goto done;
    }
    for (size_t d = 0; d <= nd; d++)
        P->med_m[d] = P->p90_m[d] = P->med_min[d] = P->p90_min[d] = NAN;
    if (!pts->use || !pts->n)
        goto done;
    /* An unreachable place is infinitely far: it moves the quantiles up
     * (a p90 that is infinite is stored as NULL). */
    for (size_t i = 0; i < pts->n; i++) {
        double m = pts->use->network_m[i];
        dist[i] = isfinite(m) && pts->use->nearest[i] >= 0 ? m : INFINITY;
        double t = sv_analysis_minutes(a, pts->use->cost[i]);
        mins[i] = isfinite(t) && pts->use->nearest[i] >= 0 ? t : INFINITY;
        sv_env e = {pts->x[i], pts->y[i], pts->x[i], pts->y[i]};
        if (sv_index_insert(h, tree, i, &e) != 0) {
            rc = SV_ERR_NOMEM;
            goto done;
        }
    }
    for (size_t d = 0; d <= nd && rc == SV_OK; d++) {
        sv_geom *D = sv_geom_from_wkb(h, in->dw[d], in->dl[d]);
        sv_prep *R = D ? sv_prep_create(h, D) : NULL;
        sv_env e;
        nh = 0;
        if (!R || sv_geom_envelope(h, D, &e) != 0 || sv_index_query(h, tree, &e, &hits, &nh, &ch) != 0) {
            rc = sv_error(ctx, SV_ERR_GEOM, "cannot find the people of a district: %s", sv_geos_errmsg(h));
        } else {
            /* The district's own points only (in the order of all points, so
             * the sums are made in the same order as over all of them with
             * zero weights elsewhere): the work follows the points it holds,
             * not all points for every district. */
            qsort(hits, nh, sizeof *hits, cmp_index);
            size_t m = 0;
            for (size_t k = 0; k < nh; k++) {
                size_t i = hits[k];
                if (pts->w[i] > 0 && sv_prep_covers_xy(h, R, pts->x[i], pts->y[i]) == 1) {
                    dd[m] = dist[i];
                    dm[m] = mins[i];
                    w[m++] = pts->w[i];
                    P->n_points[d]++;
                }
            }
            P->med_m[d] = sv_weighted_quantile(dd, w, m, 0.5);
            P->p90_m[d] = sv_weighted_quantile(dd, w, m, 0.9);
            P->med_min[d] = sv_weighted_quantile(dm, w, m, 0.5);
            P->p90_min[d] = sv_weighted_quantile(dm, w, m, 0.9);
        }
        sv_prep_destroy(h, R);
        sv_geom_destroy(h, D);
    }
done:
    free(dist);
    free(mins);
    free(w);
    free(dd);
    free(dm);
    sv_free(hits);
    sv_index_destroy(h, tree);
    return rc;
}
