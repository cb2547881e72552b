/* fairness.c - how far people live from a station: weighted distance quantiles
 * per district (district_fairness). */
#include "engine/people_measures.h"
#include "svcov/sv_geom.h"
#include "core/parallel.h"

#include <pthread.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_index(const void *x, const void *y)
{
    size_t i = *(const size_t *)x, j = *(const size_t *)y;
    return (i > j) - (i < j);
}

/* The districts on the context's threads (core/parallel.c), each worker with
 * its own tree of the points (GEOS handles are per thread); a district's
 * figures are its own, so any split gives the same. */
typedef struct {
    const sv_people_in *in;
    const people_points *pts;
    const double *dist, *mins;
    size_t *owner; /* each point's first district (nd: none), or NULL */
    sv_people_result *P;
    size_t nd;
    pthread_mutex_t lock;
    int failed;
    sv_status status;
    char errmsg[256];
} fair_job;

typedef struct {
    sv_index *tree;
    size_t *hits, ch;
    double *dd, *dm, *w;
} fair_worker;

static int fair_fail(fair_job *j, sv_geos *h, sv_status st, const char *what)
{
    pthread_mutex_lock(&j->lock);
    if (!j->failed) {
        j->failed = 1;
        j->status = st;
        snprintf(j->errmsg, sizeof j->errmsg, "%s: %s", what, sv_geos_errmsg(h));
    }
    pthread_mutex_unlock(&j->lock);
    return -1;
}

static int fair_init(void *job, sv_geos *h, void *state, size_t index)
{
    (void)index;
    fair_job *j = job;
    fair_worker *w = state;
    size_t n = j->pts->n;
    w->dd = sv_malloc((n + 1) * sizeof *w->dd);
    w->dm = sv_malloc((n + 1) * sizeof *w->dm);
    w->w = sv_malloc((n + 1) * sizeof *w->w);
    if (!w->dd || !w->dm || !w->w || !(w->tree = sv_index_create(h)))
        return fair_fail(j, h, SV_ERR_NOMEM, "out of memory for the people points");
    for (size_t i = 0; i < n; i++) {
        sv_env e = {j->pts->x[i], j->pts->y[i], j->pts->x[i], j->pts->y[i]};
        if (sv_index_insert(h, w->tree, i, &e) != 0)
            return fair_fail(j, h, SV_ERR_NOMEM, "out of memory for the people points");
    }
    return 0;
}

static void fair_fini(void *job, sv_geos *h, void *state)
{
    (void)job;
    fair_worker *w = state;
    sv_index_destroy(h, w->tree);
    sv_free(w->hits);
    free(w->dd);
    free(w->dm);
    free(w->w);
}

/* Item 0 is the whole area (the largest), then the districts in order. */
static int fair_district(void *job, sv_geos *h, void *state, size_t item)
{
    fair_job *j = job;
    fair_worker *w = state;
    const people_points *pts = j->pts;
    sv_people_result *P = j->P;
    size_t d = item == 0 ? j->nd : item - 1, nh = 0;
    if (j->failed)
        return -1;
    sv_geom *D = sv_geom_from_wkb(h, j->in->dw[d], j->in->dl[d]);
    sv_prep *R = D ? sv_prep_create(h, D) : NULL;
    sv_env e;
    int rc = 0;
    if (!R || sv_geom_envelope(h, D, &e) != 0 || sv_index_query(h, w->tree, &e, &w->hits, &nh, &w->ch) != 0) {
        rc = fair_fail(j, h, SV_ERR_GEOM, "cannot find the people of a district");
    } else {
        /* The district's own points only (in the order of all points, so
         * the sums are made in the same order as over all of them with
         * zero weights elsewhere): the work follows the points it holds,
         * not all points for every district. */
        qsort(w->hits, nh, sizeof *w->hits, cmp_index);
        size_t m = 0;
        for (size_t k = 0; k < nh; k++) {
            size_t i = w->hits[k];
            if (pts->w[i] > 0 && sv_prep_covers_xy(h, R, pts->x[i], pts->y[i]) == 1) {
                w->dd[m] = j->dist[i];
                w->dm[m] = j->mins[i];
                w->w[m++] = pts->w[i];
                P->n_points[d]++;
                if (j->owner && d < j->nd) { /* the lowest district holding it, whichever thread comes first */
                    size_t cur = __atomic_load_n(&j->owner[i], __ATOMIC_RELAXED);
                    while (d < cur && !__atomic_compare_exchange_n(&j->owner[i], &cur, d, 0, __ATOMIC_RELAXED,
                                                                   __ATOMIC_RELAXED))
                        ;
                }
            }
        }
        P->med_m[d] = sv_weighted_quantile(w->dd, w->w, m, 0.5);
        P->p90_m[d] = sv_weighted_quantile(w->dd, w->w, m, 0.9);
        P->med_min[d] = sv_weighted_quantile(w->dm, w->w, m, 0.5);
        P->p90_min[d] = sv_weighted_quantile(w->dm, w->w, m, 0.9);
    }
    sv_prep_destroy(h, R);
    sv_geom_destroy(h, D);
    return rc;
}

/* Median and 90th percentile distance (and minutes) from the people points to
 * their nearest station, per district and for the city (a->people.med_m ...). */
sv_status sv_people_fairness(sv_ctx *ctx, sv_geos *h, const sv_people_in *in, sv_analysis *a,
                             const people_points *pts)
{
    (void)h;
    sv_people_result *P = &a->people;
    size_t nd = a->n_districts;
    P->med_m = sv_malloc((nd + 1) * sizeof *P->med_m);
    P->p90_m = sv_malloc((nd + 1) * sizeof *P->p90_m);
    P->med_min = sv_malloc((nd + 1) * sizeof *P->med_min);
    P->p90_min = sv_malloc((nd + 1) * sizeof *P->p90_min);
    P->n_points = sv_calloc(nd + 1, sizeof *P->n_points);
    double *dist = sv_malloc((pts->n + 1) * sizeof *dist), *mins = sv_malloc((pts->n + 1) * sizeof *mins);
    sv_status rc = SV_OK;
    if (!P->med_m || !P->p90_m || !P->med_min || !P->p90_min || !P->n_points || !dist || !mins) {
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
    }
    /* the points for people_points (demand points with their own weights are in demand_access already) */
    size_t *owner = NULL;
    if (P->points_source && strcmp(P->points_source, "demand points") != 0 && !(owner = sv_malloc((pts->n + 1) * sizeof *owner))) {
        rc = SV_ERR_NOMEM;
        goto done;
    }
    for (size_t i = 0; owner && i < pts->n; i++)
        owner[i] = nd;
    fair_job j = {.in = in, .pts = pts, .dist = dist, .mins = mins, .owner = owner, .P = P, .nd = nd};
    pthread_mutex_init(&j.lock, NULL);
    sv_parallel_spec spec = {.worker_size = sizeof(fair_worker), .init = fair_init, .item = fair_district,
                             .fini = fair_fini};
    if (sv_parallel_run(sv_ctx_threads(ctx), nd + 1, &spec, &j) != 0)
        rc = j.failed ? sv_error(ctx, j.status, "%s", j.errmsg)
                      : sv_error(ctx, SV_ERR_NOMEM, "out of memory starting the fairness workers");
    pthread_mutex_destroy(&j.lock);
    if (rc == SV_OK && owner) {
        size_t m = 0;
        for (size_t i = 0; i < pts->n; i++)
            m += owner[i] < nd;
        P->pt_x = sv_malloc((m + 1) * sizeof *P->pt_x);
        P->pt_y = sv_malloc((m + 1) * sizeof *P->pt_y);
        P->pt_w = sv_malloc((m + 1) * sizeof *P->pt_w);
        P->pt_m = sv_malloc((m + 1) * sizeof *P->pt_m);
        P->pt_min = sv_malloc((m + 1) * sizeof *P->pt_min);
        P->pt_station = sv_malloc((m + 1) * sizeof *P->pt_station);
        P->pt_district = sv_malloc((m + 1) * sizeof *P->pt_district);
        if (!P->pt_x || !P->pt_y || !P->pt_w || !P->pt_m || !P->pt_min || !P->pt_station || !P->pt_district) {
            rc = SV_ERR_NOMEM;
        } else {
            for (size_t i = 0; i < pts->n; i++)
                if (owner[i] < nd) {
                    size_t k = P->n_pt++;
                    P->pt_x[k] = pts->x[i], P->pt_y[k] = pts->y[i], P->pt_w[k] = pts->w[i];
                    P->pt_m[k] = dist[i], P->pt_min[k] = mins[i];
                    P->pt_station[k] = isfinite(dist[i]) ? (long)pts->use->nearest[i] : -1;
                    P->pt_district[k] = owner[i];
                }
        }
    }
    free(owner);
done:
    free(dist);
    free(mins);
    return rc;
}
