/* responsibility.c - areas of responsibility: each place to its nearest station,
 * by Voronoi cells (circles) or by the network distance of the people points. */
#include "engine/people_measures.h"
#include "svcov/sv_geom.h"
#include "core/parallel.h"

#include <pthread.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The clipping and uniting on the context's threads (core/parallel.c), in
 * two passes: each cell cut to the city, then each station's parts united.
 * Geometry crosses threads as WKB; every worker prepares the city outline
 * once. The parts of a station are united in the order of their cells, as
 * one thread would. */
typedef struct {
    const unsigned char *city_wkb;
    size_t city_len;
    unsigned char **cell_wkb; /* per site; NULL: no cell (a repeated site) */
    size_t *cell_len;
    const long *owner;        /* per site: its station, -1 none */
    unsigned char **part_wkb; /* per site: the cell inside the city, NULL: none */
    size_t *part_len;
    const size_t *first, *list; /* the sites of station i: list[first[i] .. first[i + 1]) */
    sv_people_result *P;
    pthread_mutex_t lock;
    int failed;
    char errmsg[256];
} resp_job;

typedef struct {
    sv_geom *city;
    sv_prep *prep;
} resp_worker;

static int resp_fail(resp_job *j, sv_geos *h, const char *what)
{
    pthread_mutex_lock(&j->lock);
    if (!j->failed) {
        j->failed = 1;
        snprintf(j->errmsg, sizeof j->errmsg, "%s: %s", what, sv_geos_errmsg(h));
    }
    pthread_mutex_unlock(&j->lock);
    return -1;
}

static int resp_init(void *job, sv_geos *h, void *state, size_t index)
{
    (void)index;
    resp_job *j = job;
    resp_worker *w = state;
    if (!(w->city = sv_geom_from_wkb(h, j->city_wkb, j->city_len)) || !(w->prep = sv_prep_create(h, w->city)))
        return resp_fail(j, h, "cannot prepare the city outline");
    return 0;
}

static void resp_fini(void *job, sv_geos *h, void *state)
{
    (void)job;
    resp_worker *w = state;
    sv_prep_destroy(h, w->prep);
    sv_geom_destroy(h, w->city);
}

/* Site k's cell inside the city. */
static int resp_clip(void *job, sv_geos *h, void *state, size_t k)
{
    resp_job *j = job;
    resp_worker *w = state;
    if (j->failed)
        return -1;
    if (!j->cell_wkb[k] || j->owner[k] < 0)
        return 0;
    sv_geom *cell = sv_geom_from_wkb(h, j->cell_wkb[k], j->cell_len[k]);
    if (!cell)
        return resp_fail(j, h, "cannot read a Voronoi cell");
    /* Most cells lie inside the city and are taken whole; an overlay
     * with the whole outline is for the cells on its edge. */
    int inside = sv_prep_contains(h, w->prep, cell);
    sv_geom *part = NULL;
    if (inside == 1) {
        part = cell;
        cell = NULL;
    } else if (inside == 0) {
        int meets = sv_prep_intersects(h, w->prep, cell);
        if (meets == 0) {
            sv_geom_destroy(h, cell);
            return 0;
        }
        part = meets == 1 ? sv_geom_intersection(h, cell, w->city) : NULL;
    }
    sv_geom_destroy(h, cell);
    if (!part)
        return resp_fail(j, h, "cannot clip an area of responsibility");
    j->part_wkb[k] = sv_geom_to_wkb(h, part, &j->part_len[k]);
    sv_geom_destroy(h, part);
    return j->part_wkb[k] ? 0 : resp_fail(j, h, "out of memory storing an area of responsibility");
}

/* Station i's parts united: its area of responsibility. */
static int resp_unite(void *job, sv_geos *h, void *state, size_t i)
{
    (void)state;
    resp_job *j = job;
    if (j->failed)
        return -1;
    size_t n = 0, m = j->first[i + 1] - j->first[i];
    sv_geom **parts = m ? sv_calloc(m, sizeof *parts) : NULL;
    if (m && !parts)
        return resp_fail(j, h, "out of memory uniting an area of responsibility");
    int ok = 1;
    for (size_t q = j->first[i]; q < j->first[i + 1] && ok; q++) {
        size_t k = j->list[q];
        if (j->part_wkb[k])
            ok = (parts[n++] = sv_geom_from_wkb(h, j->part_wkb[k], j->part_len[k])) != NULL;
    }
    int rc = 0;
    if (!ok) {
        rc = resp_fail(j, h, "cannot read an area of responsibility");
    } else if (n) {
        sv_geom *u = sv_geom_union_take(h, parts, n); /* one part: handed back as is */
        sv_geom *p = u ? sv_geom_without_slivers(h, u, SV_SLIVER_TOL_M, NULL) : NULL;
        sv_geom_destroy(h, u);
        n = 0;
        if (!p) {
            rc = resp_fail(j, h, "cannot unite an area of responsibility");
        } else {
            j->P->resp_area[i] = sv_geom_area(h, p);
            j->P->resp_wkb[i] = sv_geom_to_wkb(h, p, &j->P->resp_len[i]);
            sv_geom_destroy(h, p);
            if (!j->P->resp_wkb[i])
                rc = resp_fail(j, h, "out of memory storing an area of responsibility");
        }
    }
    for (size_t q = 0; q < n; q++)
        sv_geom_destroy(h, parts[q]);
    free(parts);
    return rc;
}

/* Where the areas are drawn: the city (dw[nd]), or with o->resp_district (a sharded run's worker) the union
 * of the districts it picks, as WKB (*own_wkb: NULL when it is the city, else sv_free); *none: it picks no
 * district. */
static sv_status resp_outline(sv_ctx *ctx, sv_geos *h, const sv_people_in *in, const sv_analysis *a,
                              unsigned char **own_wkb, size_t *own_len, int *none)
{
    const sv_analyze_opts *o = in->o;
    size_t nd = a->n_districts, n_own = 0;
    *own_wkb = NULL;
    *none = 0;
    if (!o->resp_district)
        return SV_OK;
    for (size_t d = 0; d < nd; d++)
        n_own += o->resp_district(o->shard_userdata, a->district_ids[d]) != 0;
    if (n_own == nd)
        return SV_OK;
    if (n_own == 0) {
        *none = 1;
        return SV_OK;
    }
    sv_geom **parts = sv_calloc(n_own, sizeof *parts);
    if (!parts)
        return SV_ERR_NOMEM;
    size_t k = 0;
    int ok = 1;
    for (size_t d = 0; d < nd && ok; d++)
        if (o->resp_district(o->shard_userdata, a->district_ids[d]))
            ok = (parts[k++] = sv_geom_from_wkb(h, in->dw[d], in->dl[d])) != NULL;
    sv_geom *u = ok ? sv_geom_tiles_union_take(h, parts, k) : NULL;
    for (size_t q = 0; q < k; q++)
        sv_geom_destroy(h, parts[q]);
    free(parts);
    *own_wkb = u ? sv_geom_to_wkb(h, u, own_len) : NULL;
    sv_geom_destroy(h, u);
    if (!*own_wkb)
        return sv_error(ctx, SV_ERR_GEOM, "cannot unite the shard's own districts: %s", sv_geos_errmsg(h));
    return SV_OK;
}

/* Each place to its nearest station: Voronoi cells (circles) or the places
 * nearest by network (the Voronoi cells of the people points, grouped); in a
 * sharded run's worker only within its own districts (resp_outline): svcov
 * finish unites the pieces. */
sv_status sv_people_responsibility(sv_ctx *ctx, sv_geos *h, const sv_people_in *in, sv_analysis *a,
                                   sv_popsurf *surf, const people_points *pts)
{
    sv_people_result *P = &a->people;
    size_t ns = a->n_stations, nd = a->n_districts;
    if (ns == 0)
        return SV_OK;
    P->resp_area = sv_calloc(ns, sizeof *P->resp_area);
    P->resp_pop = sv_calloc(ns, sizeof *P->resp_pop);
    P->resp_n = sv_calloc(ns, sizeof *P->resp_n);
    P->resp_wkb = sv_calloc(ns, sizeof *P->resp_wkb);
    P->resp_len = sv_calloc(ns, sizeof *P->resp_len);
    if (!P->resp_area || !P->resp_pop || !P->resp_n || !P->resp_wkb || !P->resp_len)
        return SV_ERR_NOMEM;
    sv_geom *city = sv_geom_from_wkb(h, in->dw[nd], in->dl[nd]);
    sv_env e; /* the cells' extent: the whole city's, in a shard too */
    if (!city || sv_geom_envelope(h, city, &e) != 0) {
        sv_geom_destroy(h, city);
        return sv_error(ctx, SV_ERR_GEOM, "cannot read the city outline: %s", sv_geos_errmsg(h));
    }
    unsigned char *own_wkb = NULL;
    size_t own_len = 0;
    int own_none = 0;
    sv_status rc = resp_outline(ctx, h, in, a, &own_wkb, &own_len, &own_none);
    if (rc == SV_OK && own_wkb) { /* clip to the own districts, count only what lies in them */
        sv_geom_destroy(h, city);
        if (!(city = sv_geom_from_wkb(h, own_wkb, own_len)))
            rc = sv_error(ctx, SV_ERR_GEOM, "cannot read the shard's own districts: %s", sv_geos_errmsg(h));
    }
    if (rc != SV_OK) {
        sv_geom_destroy(h, city);
        sv_free(own_wkb);
        return rc;
    }
    sv_prep *city_prep = NULL;
    int network = in->net != NULL;
    P->resp_method = network ? "network-nearest" : "voronoi";
    /* Sites of the cells: the stations, or (network) the people points. */
    const double *sx = network ? pts->x : in->xs, *sy = network ? pts->y : in->ys;
    size_t n = network ? pts->n : ns;
    int own_cells = !(!network && a->cov.n_cells == n); /* else the cells the coverage was measured with */
    resp_job j = {.city_wkb = own_wkb ? own_wkb : in->dw[nd], .city_len = own_wkb ? own_len : in->dl[nd], .P = P};
    pthread_mutex_init(&j.lock, NULL);
    long *owner = sv_malloc((n + 1) * sizeof *owner);
    size_t *first = sv_calloc(ns + 2, sizeof *first), *list = sv_malloc((n + 1) * sizeof *list);
    j.cell_wkb = own_cells ? sv_calloc(n + 1, sizeof *j.cell_wkb) : a->cov.cell_wkb;
    j.cell_len = own_cells ? sv_calloc(n + 1, sizeof *j.cell_len) : a->cov.cell_len;
    j.part_wkb = sv_calloc(n + 1, sizeof *j.part_wkb);
    j.part_len = sv_calloc(n + 1, sizeof *j.part_len);
    if (!owner || !first || !list || !j.cell_wkb || !j.cell_len || !j.part_wkb ||
        !j.part_len) {
        rc = SV_ERR_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < ns; i++)
        P->resp_pop[i] = surf ? 0.0 : NAN;
    if (own_none || (network && (!pts->use || !pts->n)))
        goto done; /* no places to assign (or none in the shard's own districts) */
    if (own_cells && n &&
        sv_voronoi_cells_wkb(h, sv_ctx_threads(ctx), sx, sy, n, &e, j.cell_wkb, j.cell_len, NULL) != 0)
        rc = sv_error(ctx, SV_ERR_GEOM, "cannot draw the areas of responsibility: %s", sv_geos_errmsg(h));
    if (rc == SV_OK && !(city_prep = sv_prep_create(h, city)))
        rc = sv_error(ctx, SV_ERR_GEOM, "cannot prepare the city outline: %s", sv_geos_errmsg(h));
    for (size_t k = 0; k < n && rc == SV_OK; k++) {
        owner[k] = network ? pts->use->nearest[k] : (long)k;
        /* places outside the districts are not counted: area, people and
         * places of an area of responsibility all lie inside them */
        if (network && owner[k] >= 0 && sv_prep_covers_xy(h, city_prep, pts->x[k], pts->y[k]) == 1) {
            P->resp_n[owner[k]]++;
            if (!surf)
                P->resp_pop[owner[k]] = (isnan(P->resp_pop[owner[k]]) ? 0 : P->resp_pop[owner[k]]) + pts->w[k];
        }
        if (owner[k] >= 0)
            first[owner[k] + 2]++;
    }
    /* the sites of each station, in their order */
    for (size_t i = 0; i < ns && rc == SV_OK; i++)
        first[i + 2] += first[i + 1];
    for (size_t k = 0; k < n && rc == SV_OK; k++)
        if (owner[k] >= 0)
            list[first[owner[k] + 1]++] = k;
    j.owner = owner;
    j.first = first;
    j.list = list;
    int threads = sv_ctx_threads(ctx);
    sv_parallel_spec clip = {.worker_size = sizeof(resp_worker), .init = resp_init, .item = resp_clip,
                             .fini = resp_fini};
    sv_parallel_spec unite = {.item = resp_unite};
    if (rc == SV_OK && (sv_parallel_run(threads, n, &clip, &j) != 0 || sv_parallel_run(threads, ns, &unite, &j) != 0))
        rc = j.failed ? sv_error(ctx, SV_ERR_GEOM, "%s", j.errmsg)
                      : sv_error(ctx, SV_ERR_NOMEM, "out of memory starting the areas of responsibility");
    for (size_t i = 0; surf && i < ns && rc == SV_OK; i++) {
        if (!P->resp_wkb[i])
            continue;
        sv_geom *p = sv_geom_from_wkb(h, P->resp_wkb[i], P->resp_len[i]);
        P->resp_pop[i] = p ? sv_popsurf_in(surf, p) : NAN;
        sv_geom_destroy(h, p);
        if (!p)
            rc = sv_error(ctx, SV_ERR_GEOM, "cannot read an area of responsibility: %s", sv_geos_errmsg(h));
    }
    if (!network && pts->use && rc == SV_OK) /* places counted by their nearest station in straight lines */
        for (size_t k = 0; k < pts->n; k++) {
            int ow = pts->use->nearest[k];
            if (ow < 0 || sv_prep_covers_xy(h, city_prep, pts->x[k], pts->y[k]) != 1)
                continue; /* outside the districts, like the cells */
            P->resp_n[ow]++;
            if (!surf) /* no people given: the demand weights */
                P->resp_pop[ow] = (isnan(P->resp_pop[ow]) ? 0 : P->resp_pop[ow]) + pts->w[k];
        }
done:
    for (size_t k = 0; own_cells && j.cell_wkb && k < n; k++)
        sv_free(j.cell_wkb[k]);
    if (own_cells) {
        sv_free(j.cell_wkb);
        sv_free(j.cell_len);
    }
    for (size_t k = 0; j.part_wkb && k < n; k++)
        sv_free(j.part_wkb[k]);
    sv_free(j.part_wkb);
    sv_free(j.part_len);
    free(owner);
    free(first);
    free(list);
    pthread_mutex_destroy(&j.lock);
    sv_prep_destroy(h, city_prep);
    sv_geom_destroy(h, city);
    sv_free(own_wkb);
    return rc;
}
