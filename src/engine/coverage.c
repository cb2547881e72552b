/* coverage.c - per-district coverage of service circles (see sv_coverage.h). */
#include "svcov/sv_coverage.h"
#include "svcov/sv_geom.h"
#include "svcov/sv_access.h"
#include "core/parallel.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the circle of station i leaves of its Voronoi cell for break b: the
 * gap there, whichever district it falls in. */
typedef struct {
    unsigned char *wkb; /* NULL: the circle covers the whole cell (or a repeated station) */
    size_t len;
    double area;
    sv_env env;
} cell_gap;

typedef struct {
    sv_ctx *ctx;
    const sv_cov_input *in;
    sv_cov_result *out;
    sv_env *denv;        /* district envelopes */
    unsigned char **cell_wkb; /* Voronoi cell per station */
    size_t *cell_len;
    sv_env *cell_env;
    sv_env *st_area_env; /* SV_METHOD_AREAS: envelope of each station's reached streets grown by trim */
    unsigned char *st_area_has;
    cell_gap *gaps;      /* n_breaks * n_stations, break-major */
    int (*fn)(void *worker, size_t item);
    const char *stage; /* of the parallel run, for progress */
    pthread_mutex_t lock;
    sv_status status;
    char errmsg[512];
} job;

typedef struct {
    job *job;
    sv_geos *h;
    sv_index *stations; /* STR-tree of station points */
    sv_index *cells;    /* STR-tree of Voronoi cells (NULL without them) */
    sv_geom **points;   /* lazily built station points */
    sv_geom **uncov;    /* lazily parsed uncovered cell parts, n_breaks * n_stations */
    sv_geom **areas;    /* SV_METHOD_AREAS: the parsed area of each break */
    sv_geom **st_areas; /* SV_METHOD_AREAS: lazily parsed reached streets of each station, station-major */
    size_t *ids, nids, capids;
} worker;

static int measure_district(void *arg, size_t d);

static void fail(job *j, sv_status st, const char *fmt, const char *detail)
{
    pthread_mutex_lock(&j->lock);
    if (j->status == SV_OK) {
        j->status = st;
        snprintf(j->errmsg, sizeof j->errmsg, fmt, detail ? detail : "");
    }
    pthread_mutex_unlock(&j->lock);
}

static int env_intersects(const sv_env *a, const sv_env *b)
{
    return a->xmin <= b->xmax && b->xmin <= a->xmax && a->ymin <= b->ymax && b->ymin <= a->ymax;
}

static sv_env env_grow(sv_env e, double d)
{
    e.xmin -= d;
    e.ymin -= d;
    e.xmax += d;
    e.ymax += d;
    return e;
}

static void worker_free(worker *w)
{
    if (!w->h)
        return;
    size_t ns = w->job->in->n_stations, nb = w->job->in->n_breaks;
    if (w->points)
        for (size_t i = 0; i < ns; i++)
            sv_geom_destroy(w->h, w->points[i]);
    if (w->uncov)
        for (size_t i = 0; i < ns * nb; i++)
            sv_geom_destroy(w->h, w->uncov[i]);
    if (w->areas)
        for (size_t b = 0; b < nb; b++)
            sv_geom_destroy(w->h, w->areas[b]);
    if (w->st_areas)
        for (size_t k = 0; k < ns * nb; k++)
            sv_geom_destroy(w->h, w->st_areas[k]);
    free(w->st_areas);
    free(w->areas);
    free(w->points);
    free(w->uncov);
    sv_index_destroy(w->h, w->cells);
    free(w->ids);
    sv_index_destroy(w->h, w->stations);
    w->h = NULL; /* the parallel run's */
}

static int worker_init(worker *w, job *j, sv_geos *h)
{
    memset(w, 0, sizeof *w);
    w->job = j;
    w->h = h;
    size_t ns = j->in->n_stations, nb = j->in->n_breaks;
    w->points = sv_calloc(ns ? ns : 1, sizeof *w->points);
    w->uncov = sv_calloc(ns * nb + 1, sizeof *w->uncov);
    w->stations = sv_index_create(w->h);
    if (!w->points || !w->uncov || !w->stations)
        return -1;
    if (j->in->method == SV_METHOD_AREAS) {
        if (!(w->areas = sv_calloc(nb + 1, sizeof *w->areas)) ||
            (j->st_area_env && !(w->st_areas = sv_calloc(ns * nb + 1, sizeof *w->st_areas))))
            return -1;
        for (size_t b = 0; b < nb; b++)
            if (!(w->areas[b] = j->in->area_wkb[b] ? sv_geom_from_wkb(w->h, j->in->area_wkb[b], j->in->area_len[b])
                                                   : sv_geom_empty_polygon(w->h)))
                return -1;
    }
    for (size_t i = 0; i < ns; i++) {
        sv_env e = {j->in->xs[i], j->in->ys[i], j->in->xs[i], j->in->ys[i]};
        if (sv_index_insert(w->h, w->stations, i, &e) != 0)
            return -1;
    }
    if (j->cell_env) {
        if (!(w->cells = sv_index_create(w->h)))
            return -1;
        for (size_t i = 0; i < ns; i++)
            if (j->cell_wkb[i] && sv_index_insert(w->h, w->cells, i, &j->cell_env[i]) != 0)
                return -1;
    }
    return 0;
}

/* The parallel run's callbacks (core/parallel.h) over the job's worker. */
static int par_init(void *arg, sv_geos *h, void *state, size_t index)
{
    (void)index;
    job *j = arg;
    if (worker_init(state, j, h) != 0) {
        fail(j, SV_ERR_NOMEM, "out of memory preparing a worker%s", NULL);
        return -1;
    }
    return 0;
}

static int par_item(void *arg, sv_geos *h, void *state, size_t item)
{
    (void)h;
    job *j = arg;
    if (j->status != SV_OK)
        return -1;
    if (sv_ctx_interrupted(j->ctx)) {
        fail(j, SV_ERR_INTERRUPTED, "interrupted%s", NULL);
        return -1;
    }
    return j->fn(state, item) != 0 ? -1 : 0;
}

static void par_fini(void *arg, sv_geos *h, void *state)
{
    (void)arg;
    (void)h;
    worker_free(state);
}

/* The calling thread reports progress every 64 items. */
static void par_progress(void *arg, size_t done, size_t n)
{
    job *j = arg;
    if ((done & 63) == 0)
        sv_progress(j->ctx, j->stage, (double)done / (double)n);
}

/* Run fn over n items on the context's threads (sv_parallel_run); the
 * calling thread works too and reports progress. */
static sv_status run_parallel(job *j, size_t n, int (*fn)(void *, size_t), const char *stage)
{
    sv_progress(j->ctx, stage, 0.0);
    j->fn = fn;
    j->stage = stage;
    sv_parallel_spec spec = {.worker_size = sizeof(worker),
                             .init = par_init,
                             .item = par_item,
                             .fini = par_fini,
                             .progress = par_progress};
    if (sv_parallel_run(sv_ctx_threads(j->ctx), n, &spec, j) != 0 && j->status == SV_OK)
        /* in the job's message: the callers pass j->errmsg on */
        fail(j, SV_ERR_NOMEM, "out of memory starting the %s workers", stage);
    if (j->status == SV_OK)
        sv_progress(j->ctx, stage, 1.0);
    return j->status;
}

/* ---- stage 1: what each circle leaves of its cell ---- */

/* ---- a convex cell minus a convex circle, without an overlay ---- */

/* A ring's points without the closing one and without repeats, counter-clockwise, in out (2 * n doubles). */
static size_t ccw_ring(const double *xy, size_t n, double *out)
{
    if (n > 1 && xy[0] == xy[2 * (n - 1)] && xy[1] == xy[2 * (n - 1) + 1])
        n--;
    size_t m = 0;
    for (size_t k = 0; k < n; k++)
        if (m == 0 || xy[2 * k] != out[2 * (m - 1)] || xy[2 * k + 1] != out[2 * (m - 1) + 1]) {
            out[2 * m] = xy[2 * k];
            out[2 * m + 1] = xy[2 * k + 1];
            m++;
        }
    while (m > 1 && out[0] == out[2 * (m - 1)] && out[1] == out[2 * (m - 1) + 1])
        m--;
    double a2 = 0;
    for (size_t k = 0; k < m; k++) {
        size_t l = (k + 1) % m;
        a2 += out[2 * k] * out[2 * l + 1] - out[2 * l] * out[2 * k + 1];
    }
    if (a2 < 0)
        for (size_t k = 0; k < m / 2; k++) {
            double tx = out[2 * k], ty = out[2 * k + 1];
            out[2 * k] = out[2 * (m - 1 - k)];
            out[2 * k + 1] = out[2 * (m - 1 - k) + 1];
            out[2 * (m - 1 - k)] = tx;
            out[2 * (m - 1 - k) + 1] = ty;
        }
    return m;
}

typedef struct {
    size_t ka, kb; /* the edge of A (from point ka) and of B (from point kb) it lies on */
    double t, s;   /* where along them, 0..1 */
    double x, y;
    int exit; /* A's boundary leaves B here (else enters) */
} convex_cross;

/* Which side of the line a-b the point p lies on (> 0 left), with the scale its rounding is judged against. */
static double side_of(const double *a, const double *b, const double *p, double *scale)
{
    double ux = b[0] - a[0], uy = b[1] - a[1], vx = p[0] - a[0], vy = p[1] - a[1];
    *scale = (fabs(ux) + fabs(uy)) * (fabs(vx) + fabs(vy));
    return ux * vy - uy * vx;
}

/* A minus B for convex counter-clockwise rings a[0..na), b[0..nb) (no closing point; disk, unless NULL, the centre x,
 * y of B and radii within which all is inside it and beyond which all is outside): its rings in *xy (sv_free),
 * ring r the points st[r] .. st[r + 1] - 1, *nr rings, *hole 1 when the one ring of B is a hole in A (then the
 * rings are A and B). 0 done, 1 a case near a touch (left to the overlay), -1 out of memory. */
static int convex_minus(const double *a, size_t na, const double *b, size_t nb, const double *disk, double **xy,
                        size_t **st, size_t *nr, int *hole)
{
    const double rel = 1e-9; /* a side test within this of the rounding scale is a touch */
    *xy = NULL;
    *st = NULL;
    *nr = 0;
    *hole = 0;
    if (na < 3 || nb < 3)
        return 1;
    unsigned char *ina = sv_malloc(na);
    convex_cross *cr = sv_malloc((2 * na + 1) * sizeof *cr);
    size_t nc = 0;
    int rc = 1;
    if (!ina || !cr) {
        rc = -1;
        goto done;
    }
    /* A convex (a Voronoi cell; straight runs allowed) */
    for (size_t k = 0; k < na; k++) {
        double sc, o = side_of(a + 2 * ((k + na - 1) % na), a + 2 * k, a + 2 * ((k + 1) % na), &sc);
        if (o < -rel * sc)
            goto done;
    }
    /* each point of A strictly inside or strictly outside B */
    size_t n_in = 0;
    for (size_t k = 0; k < na; k++) {
        int in = 1;
        if (disk) { /* within the inner radius: inside; beyond the outer: outside */
            double dx = a[2 * k] - disk[0], dy = a[2 * k + 1] - disk[1], d2 = dx * dx + dy * dy;
            if (d2 < disk[2] * disk[2] || d2 > disk[3] * disk[3]) {
                in = d2 < disk[2] * disk[2];
                ina[k] = (unsigned char)in;
                n_in += (size_t)in;
                continue;
            }
        }
        for (size_t j = 0; j < nb; j++) {
            double sc, o = side_of(b + 2 * j, b + 2 * ((j + 1) % nb), a + 2 * k, &sc);
            if (fabs(o) <= rel * sc)
                goto done; /* on B's boundary */
            if (o < 0)
                in = 0;
        }
        ina[k] = (unsigned char)in;
        n_in += (size_t)in;
    }
    /* the crossings of each edge of A with B's boundary, in order along A */
    for (size_t k = 0; k < na; k++) {
        const double *p = a + 2 * k, *q = a + 2 * ((k + 1) % na);
        size_t first = nc;
        int scan = 1;
        if (disk) { /* an edge within the inner radius, or beyond the outer one, meets no edge of B */
            double ex = q[0] - p[0], ey = q[1] - p[1], px = disk[0] - p[0], py = disk[1] - p[1];
            double l2 = ex * ex + ey * ey, t = l2 > 0 ? (px * ex + py * ey) / l2 : 0;
            t = t < 0 ? 0 : t > 1 ? 1 : t;
            double nx = px - t * ex, ny = py - t * ey, qx = disk[0] - q[0], qy = disk[1] - q[1];
            double r2 = disk[2] * disk[2];
            if ((px * px + py * py < r2 && qx * qx + qy * qy < r2) || nx * nx + ny * ny > disk[3] * disk[3])
                scan = 0;
        }
        double bx0 = fmin(p[0], q[0]), bx1 = fmax(p[0], q[0]), by0 = fmin(p[1], q[1]), by1 = fmax(p[1], q[1]);
        for (size_t j = 0; scan && j < nb; j++) {
            const double *u = b + 2 * j, *v = b + 2 * ((j + 1) % nb);
            if (fmax(u[0], v[0]) < bx0 || fmin(u[0], v[0]) > bx1 || fmax(u[1], v[1]) < by0 || fmin(u[1], v[1]) > by1)
                continue;
            double s1, s2, s3, s4;
            double o1 = side_of(p, q, u, &s1), o2 = side_of(p, q, v, &s2);
            if ((o1 > 0 && o2 > 0) || (o1 < 0 && o2 < 0))
                continue;
            double o3 = side_of(u, v, p, &s3), o4 = side_of(u, v, q, &s4);
            if ((o3 > 0 && o4 > 0) || (o3 < 0 && o4 < 0))
                continue;
            if (fabs(o1) <= rel * s1 || fabs(o2) <= rel * s2 || fabs(o3) <= rel * s3 || fabs(o4) <= rel * s4)
                goto done; /* through a point of the other, or along it */
            if (nc >= 2 * na)
                goto done;
            double t = o3 / (o3 - o4), s = o1 / (o1 - o2);
            cr[nc++] = (convex_cross){k, j, t, s, p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1]), o3 > 0};
        }
        size_t m = nc - first;
        if (m > 2 || (m == 1) != (ina[k] != ina[(k + 1) % na]) || (m == 2 && ina[k]))
            goto done; /* not what two convex rings can do */
        if (m == 2 && cr[first].t > cr[first + 1].t) {
            convex_cross x = cr[first];
            cr[first] = cr[first + 1];
            cr[first + 1] = x;
        }
        if (m == 2 && (cr[first].exit || !cr[first + 1].exit))
            goto done;
    }
    if (nc == 0) {
        if (n_in == na) { /* A inside B: nothing left */
            rc = 0;
            goto done;
        }
        /* A outside B all round: B inside A (a hole) or apart (A whole) */
        int b_in = 1;
        for (size_t k = 0; k < na; k++) {
            double sc, o = side_of(a + 2 * k, a + 2 * ((k + 1) % na), b, &sc);
            if (fabs(o) <= rel * sc)
                goto done;
            if (o < 0)
                b_in = 0;
        }
        size_t n = b_in ? na + nb : na;
        if (!(*xy = sv_malloc(2 * n * sizeof **xy)) || !(*st = sv_malloc(3 * sizeof **st))) {
            rc = -1;
            goto done;
        }
        memcpy(*xy, a, 2 * na * sizeof **xy);
        for (size_t j = 0; b_in && j < nb; j++) { /* the hole clockwise */
            (*xy)[2 * (na + j)] = b[2 * (nb - 1 - j)];
            (*xy)[2 * (na + j) + 1] = b[2 * (nb - 1 - j) + 1];
        }
        (*st)[0] = 0;
        (*st)[1] = na;
        (*st)[2] = n;
        *nr = b_in ? 2 : 1;
        *hole = b_in;
        rc = 0;
        goto done;
    }
    /* one ring per exit: A from it to the next entry, then B back (clockwise) to the exit */
    if (nc % 2)
        goto done;
    for (size_t c = 0; c < nc; c++)
        if (cr[c].exit == cr[(c + 1) % nc].exit)
            goto done;
    size_t nrings = nc / 2, cap = 2 * (na + nb + 2 * nrings) + 2;
    if (!(*xy = sv_malloc(cap * sizeof **xy)) || !(*st = sv_malloc((nrings + 1) * sizeof **st))) {
        rc = -1;
        goto done;
    }
    size_t np = 0, r = 0;
    for (size_t c = 0; c < nc; c++) {
        if (!cr[c].exit)
            continue;
        const convex_cross *e = &cr[c], *n = &cr[(c + 1) % nc];
        (*st)[r++] = np;
        (*xy)[2 * np] = e->x;
        (*xy)[2 * np + 1] = e->y;
        np++;
        /* A's points after the exit's edge up to the entry's edge start (round the whole ring when both crossings
           lie on one edge, the entry before the exit) */
        if (n->ka == e->ka && !(n->t < e->t))
            goto fail;
        size_t k = e->ka, steps = 0;
        do {
            k = (k + 1) % na;
            if (steps++ >= na || ina[k] || 2 * (np + 1) > cap)
                goto fail;
            (*xy)[2 * np] = a[2 * k];
            (*xy)[2 * np + 1] = a[2 * k + 1];
            np++;
        } while (k != n->ka);
        (*xy)[2 * np] = n->x;
        (*xy)[2 * np + 1] = n->y;
        np++;
        /* B clockwise from the entry's edge start to the exit's edge end (none when both lie on one edge of B,
           the exit nearer its start; else round B) */
        if (!(n->kb == e->kb && e->s < n->s)) {
            size_t j = n->kb;
            steps = 0;
            for (;;) {
                if (steps++ >= nb || 2 * (np + 1) > cap)
                    goto fail;
                (*xy)[2 * np] = b[2 * j];
                (*xy)[2 * np + 1] = b[2 * j + 1];
                np++;
                if (j == (e->kb + 1) % nb)
                    break;
                j = (j + nb - 1) % nb;
            }
        }
    }
    (*st)[r] = np;
    *nr = r;
    rc = 0;
    goto done;
fail:
    sv_free(*xy);
    sv_free(*st);
    *xy = NULL;
    *st = NULL;
    rc = 1;
done:
    free(ina);
    free(cr);
    return rc;
}

/* The ring a[0..na) (counter-clockwise, no closing point; convex) minus the convex single ring of c, with no
 * overlay: the polygons (an empty polygon when nothing is left); NULL with *fallback 1 for a case that is not that or
 * lies near a touch. */
static sv_geom *convex_ring_difference(sv_geos *h, const double *a, size_t na, const sv_geom *c, const double *disk,
                                       int *fallback)
{
    double *bxy = NULL, *oxy = NULL;
    size_t *bst = NULL, *ost = NULL, nbp = 0, nr = 0;
    sv_geom *out = NULL;
    *fallback = 1;
    if (sv_geom_paths(h, c, &bxy, &bst, &nbp) != 0 || nbp != 1)
        goto done;
    size_t nb0 = bst[1];
    double *b = sv_malloc((2 * nb0 + 2) * sizeof *b);
    if (!b)
        goto done;
    size_t nb = ccw_ring(bxy, nb0, b);
    int hole = 0;
    int rc = convex_minus(a, na, b, nb, disk, &oxy, &ost, &nr, &hole);
    free(b);
    if (rc != 0)
        goto done;
    if (nr == 0) {
        out = sv_geom_empty_polygon(h);
    } else if (hole || nr == 1) {
        out = sv_geom_polygon_rings(h, oxy, ost, nr);
    } else {
        sv_geom **p = sv_calloc(nr, sizeof *p);
        size_t k = 0;
        for (; p && k < nr; k++)
            if (!(p[k] = sv_geom_polygon_xy(h, oxy + 2 * ost[k], ost[k + 1] - ost[k])))
                break;
        out = p && k == nr ? sv_geom_collect_take(h, p, nr) : NULL;
        for (size_t q = 0; p && q < k; q++)
            sv_geom_destroy(h, p[q]);
        free(p);
    }
    *fallback = 0;
done:
    sv_free(bxy);
    sv_free(bst);
    sv_free(oxy);
    sv_free(ost);
    return out;
}

/* The counter-clockwise ring (no closing point, no repeats) of a single-ring polygon g in *ring (free), *n points;
 * 0, or -1 when g is not one ring or out of memory. */
static int ccw_ring_of(sv_geos *h, const sv_geom *g, double **ring, size_t *n)
{
    double *xy = NULL;
    size_t *st = NULL, np = 0;
    int rc = -1;
    *ring = NULL;
    *n = 0;
    if (sv_geom_paths(h, g, &xy, &st, &np) == 0 && np == 1 && sv_geom_is_polygonal(h, g) == 1 &&
        sv_geom_num_parts(h, g) == 1 && (*ring = sv_malloc((2 * st[1] + 2) * sizeof **ring)) != NULL) {
        *n = ccw_ring(xy, st[1], *ring);
        rc = 0;
    }
    sv_free(xy);
    sv_free(st);
    return rc;
}

/* cell minus c, both convex single rings, with no overlay: the polygons (an empty polygon when nothing is left);
 * NULL with *fallback 1 for a case that is not that or lies near a touch. */
static sv_geom *convex_difference(sv_geos *h, const sv_geom *cell, const sv_geom *c, const double *disk, int *fallback)
{
    double *a = NULL;
    size_t na = 0;
    *fallback = 1;
    if (ccw_ring_of(h, cell, &a, &na) != 0)
        return NULL;
    sv_geom *out = convex_ring_difference(h, a, na, c, disk, fallback);
    free(a);
    return out;
}

/* 1 when the counter-clockwise ring d[0..n) is convex (straight runs allowed, within the side tests' rounding). */
static int ring_is_convex(const double *d, size_t n)
{
    if (n < 3)
        return 0;
    for (size_t k = 0; k < n; k++) {
        double sc, o = side_of(d + 2 * ((k + n - 1) % n), d + 2 * k, d + 2 * ((k + 1) % n), &sc);
        if (o < -1e-9 * sc)
            return 0;
    }
    return 1;
}

/* The convex ring a[0..na) clipped to the convex counter-clockwise ring d[0..nd) (Sutherland-Hodgman, one
 * half-plane per edge of d) in out (room for 2 * (na + nd) points), its points counter-clockwise with no repeats;
 * the number of points (below 3: nothing of area left). */
static size_t convex_clip(const double *a, size_t na, const double *d, size_t nd, double *out, double *tmp)
{
    size_t n = na;
    memcpy(out, a, 2 * na * sizeof *out);
    for (size_t e = 0; e < nd && n >= 3; e++) {
        const double *p = d + 2 * e, *q = d + 2 * ((e + 1) % nd);
        double ux = q[0] - p[0], uy = q[1] - p[1];
        size_t m = 0;
        for (size_t k = 0; k < n; k++) {
            const double *s = out + 2 * k, *t = out + 2 * ((k + 1) % n);
            double os = ux * (s[1] - p[1]) - uy * (s[0] - p[0]), ot = ux * (t[1] - p[1]) - uy * (t[0] - p[0]);
            if (os >= 0) {
                tmp[2 * m] = s[0];
                tmp[2 * m + 1] = s[1];
                m++;
            }
            if ((os >= 0) != (ot >= 0) && os != ot) {
                double f = os / (os - ot);
                tmp[2 * m] = s[0] + f * (t[0] - s[0]);
                tmp[2 * m + 1] = s[1] + f * (t[1] - s[1]);
                m++;
            }
        }
        n = ccw_ring(tmp, m, out);
    }
    return n < 3 ? 0 : n;
}

/* convex_districts: what the circle of station i for break b leaves of its cell within the convex district ring
 * d[0..nd), with no overlay: the cell clipped to the district, then the circle taken out. NULL with *fallback 1 for
 * a case left to the overlay, NULL alone when out of memory; *empty 1 when nothing is left. */
static sv_geom *district_piece(worker *w, size_t i, size_t b, const double *d, size_t nd, int *fallback, int *empty)
{
    job *j = w->job;
    const sv_cov_input *in = j->in;
    double r = in->breaks[b].radius_m, x = in->xs[i], y = in->ys[i];
    double *a = NULL, *k = NULL, *tmp = NULL;
    size_t na = 0;
    sv_geom *out = NULL;
    *fallback = 1;
    *empty = 0;
    sv_geom *cell = sv_geom_from_wkb(w->h, j->cell_wkb[i], j->cell_len[i]);
    if (!cell || ccw_ring_of(w->h, cell, &a, &na) != 0 || na < 3)
        goto done;
    k = sv_malloc(2 * (na + nd + 2) * sizeof *k);
    tmp = sv_malloc(2 * (na + nd + 2) * sizeof *tmp);
    if (!k || !tmp) {
        *fallback = 0;
        goto done;
    }
    size_t nk = convex_clip(a, na, d, nd, k, tmp);
    if (nk == 0) {
        *fallback = 0;
        *empty = 1;
        goto done;
    }
    sv_geom *c = sv_geom_circle(w->h, x, y, r, in->quad_segs);
    if (!c)
        goto done;
    double inner = r * cos(M_PI / (4.0 * in->quad_segs));
    double disk[4] = {x, y, inner * (1 - 1e-9), r * (1 + 1e-9)};
    out = convex_ring_difference(w->h, k, nk, c, disk, fallback);
    sv_geom_destroy(w->h, c);
    if (out && sv_geom_is_empty(w->h, out) == 1) {
        sv_geom_destroy(w->h, out);
        out = NULL;
        *empty = 1;
    }
done:
    sv_geom_destroy(w->h, cell);
    free(a);
    free(k);
    free(tmp);
    return out;
}

/* Item b * n_stations + i: what circle i of break b leaves of its Voronoi cell (j->gaps[item]). */
static int make_uncovered(void *arg, size_t item)
{
    worker *w = arg;
    job *j = w->job;
    const sv_cov_input *in = j->in;
    size_t ns = in->n_stations;
    size_t b = item / ns, i = item % ns;
    cell_gap *p = &j->gaps[item];
    if (!j->cell_wkb[i])
        return 0; /* a repeated station: its twin holds the cell */
    double r = in->breaks[b].radius_m;
    double x = in->xs[i], y = in->ys[i];
    const sv_env *ce = &j->cell_env[i];
    /* The polygonal circle contains every point within r*cos(pi/n) of its
     * centre: a cell whose envelope lies inside that is fully covered. */
    double inner = r * cos(M_PI / (4.0 * in->quad_segs));
    double dx = fmax(fabs(ce->xmin - x), fabs(ce->xmax - x));
    double dy = fmax(fabs(ce->ymin - y), fabs(ce->ymax - y));
    if (dx * dx + dy * dy <= inner * inner)
        return 0;
    sv_geom *cell = sv_geom_from_wkb(w->h, j->cell_wkb[i], j->cell_len[i]);
    sv_geom *c = cell ? sv_geom_circle(w->h, x, y, r, in->quad_segs) : NULL;
    sv_geom *u = NULL, *up = NULL;
    int fallback = 1;
    if (c && in->convex_cuts) {
        /* the circle's polygon holds every point within r*cos(pi/n) of the station and none beyond r (margins
           far above the rounding, far below any real distance) */
        double disk[4] = {x, y, inner * (1 - 1e-9), r * (1 + 1e-9)};
        up = convex_difference(w->h, cell, c, disk, &fallback);
    }
    if (c && fallback) {
        u = sv_geom_difference(w->h, cell, c);
        up = u ? sv_geom_polygons(w->h, u) : NULL;
    }
    sv_geom_destroy(w->h, u);
    sv_geom_destroy(w->h, c);
    sv_geom_destroy(w->h, cell);
    if (!up) {
        fail(j, SV_ERR_GEOM, "cannot cut a service circle out of its Voronoi cell: %s", sv_geos_errmsg(w->h));
        return -1;
    }
    int rc = 0;
    if (sv_geom_is_empty(w->h, up) == 0) {
        p->area = sv_geom_area(w->h, up);
        sv_geom_envelope(w->h, up, &p->env);
        p->wkb = sv_geom_to_wkb(w->h, up, &p->len);
        if (!p->wkb) {
            fail(j, SV_ERR_NOMEM, "out of memory storing cell parts%s", NULL);
            rc = -1;
        }
    }
    sv_geom_destroy(w->h, up);
    return rc;
}

/* ---- stage 2: districts ---- */

static const sv_geom *worker_point(worker *w, size_t i)
{
    if (!w->points[i])
        w->points[i] = sv_geom_point(w->h, w->job->in->xs[i], w->job->in->ys[i]);
    return w->points[i];
}

static const sv_geom *worker_uncov(worker *w, size_t b, size_t i)
{
    job *j = w->job;
    size_t k = b * j->in->n_stations + i;
    if (!w->uncov[k] && j->gaps[k].wkb)
        w->uncov[k] = sv_geom_from_wkb(w->h, j->gaps[k].wkb, j->gaps[k].len);
    return w->uncov[k];
}

/* The gap of district D for break b: the parts of the Voronoi cells that
 * meet D which their station's circle does not reach. They never overlap,
 * so their areas add up; the union is built only when *gap is asked for.
 * With unite_then_cut the parts that D does not contain are clipped to D's
 * envelope (no overlay), united with the others, and D cut from that once. */
static int voronoi_gap(worker *w, const sv_geom *D, const sv_prep *P, const sv_env *env, const double *dring,
                       size_t ndring, size_t b, double *gap_area, sv_geom **gap, sv_geom **covered)
{
    job *j = w->job;
    *gap_area = 0;
    w->nids = 0;
    if (sv_index_query(w->h, w->cells, env, &w->ids, &w->nids, &w->capids) != 0)
        return -1;
    sv_geom **parts = gap ? sv_calloc(w->nids + 1, sizeof *parts) : NULL;
    if (gap && !parts)
        return -1;
    size_t n = 0, cut = 0;
    int ok = 1, unite = gap && j->in->unite_then_cut;
    /* a margin, so that no clipped edge runs along an edge of D */
    sv_env clip = env_grow(*env, 1.0);
    for (size_t k = 0; k < w->nids && ok; k++) {
        size_t i = w->ids[k];
        const cell_gap *pc = &j->gaps[b * j->in->n_stations + i];
        if (!pc->wkb || !env_intersects(&pc->env, env))
            continue;
        const sv_geom *u = worker_uncov(w, b, i);
        if (!u) {
            ok = 0;
            break;
        }
        int c = sv_prep_contains(w->h, P, u);
        if (unite) {
            if (c < 0) {
                ok = 0;
            } else if (c == 1) {
                ok = (parts[n++] = sv_geom_clone(w->h, u)) != NULL;
            } else if (sv_prep_intersects(w->h, P, u) == 1) {
                int fallback = 1, empty = 0;
                sv_geom *piece = dring ? district_piece(w, i, b, dring, ndring, &fallback, &empty) : NULL;
                if (!fallback) { /* cut to D already (or nothing of it left in D) */
                    ok = piece || empty;
                    if (piece)
                        parts[n++] = piece;
                    continue;
                }
                ok = (parts[n++] = sv_geom_clip_rect(w->h, u, &clip)) != NULL;
                cut++;
            }
            continue;
        }
        if (c == 1) {
            *gap_area += pc->area;
            if (gap)
                ok = (parts[n++] = sv_geom_clone(w->h, u)) != NULL;
        } else if (c == 0 && sv_prep_intersects(w->h, P, u) == 1) {
            sv_geom *x = sv_geom_intersection(w->h, D, u);
            sv_geom *xp = x ? sv_geom_polygons(w->h, x) : NULL;
            sv_geom_destroy(w->h, x);
            if (!xp) {
                ok = 0;
                break;
            }
            *gap_area += sv_geom_area(w->h, xp);
            if (gap)
                parts[n++] = xp;
            else
                sv_geom_destroy(w->h, xp);
        } else if (c < 0) {
            ok = 0;
        }
    }
    if (unite) {
        sv_geom *U = ok ? sv_geom_union_take(w->h, parts, n) : NULL;
        *gap = U && cut ? sv_geom_intersection(w->h, D, U) : U;
        /* D minus U, not D minus the gap: the same polygon, without the gap's edges along D's to node */
        if (covered && *gap && !(*covered = sv_geom_difference(w->h, D, U)))
            ok = 0;
        if (cut)
            sv_geom_destroy(w->h, U);
        if (*gap)
            *gap_area = sv_geom_area(w->h, *gap);
    } else if (gap) {
        *gap = ok ? sv_geom_union_take(w->h, parts, n) : NULL;
    }
    if (gap) {
        for (size_t k = 0; k < n; k++)
            sv_geom_destroy(w->h, parts[k]);
        free(parts);
        if (!*gap)
            ok = 0;
    }
    return ok ? 0 : -1;
}

/* The polygons of the gap g, as the gap_parts table has them: WKB and area of each, in g's order. */
static int keep_parts(worker *w, const sv_geom *g, sv_cov_cell *c)
{
    int n = sv_geom_num_parts(w->h, g);
    if (n <= 0)
        return n < 0 ? -1 : 0;
    c->gap_part_wkb = sv_calloc((size_t)n, sizeof *c->gap_part_wkb);
    c->gap_part_len = sv_calloc((size_t)n, sizeof *c->gap_part_len);
    c->gap_part_area = sv_calloc((size_t)n, sizeof *c->gap_part_area);
    if (!c->gap_part_wkb || !c->gap_part_len || !c->gap_part_area)
        return -1;
    c->n_gap_parts = n;
    for (int i = 0; i < n; i++) {
        sv_geom *part = sv_geom_part(w->h, g, i);
        c->gap_part_wkb[i] = part ? sv_geom_to_wkb(w->h, part, &c->gap_part_len[i]) : NULL;
        c->gap_part_area[i] = part ? sv_geom_area(w->h, part) : 0;
        sv_geom_destroy(w->h, part);
        if (!c->gap_part_wkb[i])
            return -1;
    }
    return 0;
}

/* Store the polygons of g (owned) as WKB in *wkb unless they are empty;
 * lines an overlay leaves where edges touch and the needles of nearly
 * coincident boundaries (district minus gap) are left out. */
static int keep_wkb(worker *w, sv_geom *g, unsigned char **wkb, size_t *len, sv_cov_cell *parts)
{
    *wkb = NULL;
    *len = 0;
    if (!g)
        return -1;
    sv_geom *p = sv_geom_without_slivers(w->h, g, SV_SLIVER_TOL_M, NULL);
    sv_geom_destroy(w->h, g);
    if (!(g = p))
        return -1;
    int empty = sv_geom_is_empty(w->h, g);
    if (empty == 0)
        *wkb = sv_geom_to_wkb(w->h, g, len);
    int rc = (empty == 0 && !*wkb) ? -1 : 0;
    if (rc == 0 && empty == 0 && parts && keep_parts(w, g, parts) != 0)
        rc = -1;
    sv_geom_destroy(w->h, g);
    return rc;
}

/* The last "district" (the whole area, when the caller appends it) is the
 * largest job: start it first so the other threads work beside it. */
static int measure_item(void *arg, size_t item)
{
    worker *w = arg;
    size_t nd = w->job->in->n_districts;
    return measure_district(arg, item == 0 ? nd - 1 : item - 1);
}

/* sum_last: the districts but the last, in order (the last is summed from them after). */
static int measure_first(void *arg, size_t item)
{
    return measure_district(arg, item);
}

/* sum_last, when the areas did not add up: the last district measured itself. */
static int measure_last(void *arg, size_t item)
{
    worker *w = arg;
    (void)item;
    return measure_district(arg, w->job->in->n_districts - 1);
}

/* sum_last: the last district's areas as the sums of the others', when their areas add up to its own to 1e-12
 * (they tile it); 1 done, 0 not (it is to be measured), -1 on error. */
static int sum_last_district(job *j, sv_geos *h)
{
    const sv_cov_input *in = j->in;
    size_t nd = in->n_districts, nb = in->n_breaks;
    sv_geom *city = sv_geom_from_wkb(h, in->district_wkb[nd - 1], in->district_wkb_len[nd - 1]);
    double area = city ? sv_geom_area(h, city) : -1;
    sv_geom_destroy(h, city);
    if (!(area >= 0))
        return -1;
    double sum = 0;
    for (size_t d = 0; d + 1 < nd; d++)
        sum += j->out->cells[d * nb].area_m2;
    if (!(fabs(sum - area) <= 1e-12 * area))
        return 0;
    for (size_t b = 0; b < nb; b++) {
        double gap = 0;
        for (size_t d = 0; d + 1 < nd; d++)
            gap += j->out->cells[d * nb + b].gap_m2;
        sv_cov_cell *cell = &j->out->cells[(nd - 1) * nb + b];
        double covered = area - gap;
        if (covered > area)
            covered = area;
        if (covered < 0)
            covered = 0;
        cell->area_m2 = area;
        cell->covered_m2 = covered;
        cell->gap_m2 = area - covered;
    }
    return 1;
}

/* District d for every break: area, covered and gap area and polygons, stations inside and reaching it. */
static int measure_district(void *arg, size_t d)
{
    worker *w = arg;
    job *j = w->job;
    const sv_cov_input *in = j->in;
    size_t nb = in->n_breaks;
    int want_geometry = in->want_geometry && (in->geometry_limit == 0 || d < in->geometry_limit);
    sv_geom *D = sv_geom_from_wkb(w->h, in->district_wkb[d], in->district_wkb_len[d]);
    sv_prep *P = D ? sv_prep_create(w->h, D) : NULL;
    sv_geom **parts = NULL;
    size_t nparts = 0;
    int *reach_count = NULL;
    double *dring = NULL; /* convex_districts: D's ring */
    size_t ndring = 0;
    int rc = -1;
    if (!P) {
        fail(j, SV_ERR_GEOM, "cannot read a district geometry: %s", sv_geos_errmsg(w->h));
        goto done;
    }
    double area = sv_geom_area(w->h, D);
    sv_env env = j->denv[d];
    /* convex_districts: D's ring, counter-clockwise, when D is one convex ring */
    if (in->convex_districts && in->unite_then_cut && want_geometry && in->method == SV_METHOD_VORONOI &&
        (ccw_ring_of(w->h, D, &dring, &ndring) != 0 || !ring_is_convex(dring, ndring))) {
        free(dring);
        dring = NULL;
    }

    /* Stations inside: the tree gives candidates, covers() decides (a
     * station on the boundary counts as inside). */
    w->nids = 0;
    if (!in->no_counts && sv_index_query(w->h, w->stations, &env, &w->ids, &w->nids, &w->capids) != 0)
        goto nomem;
    int inside = 0;
    for (size_t k = 0; k < w->nids; k++)
        inside += sv_prep_covers_xy(w->h, P, in->xs[w->ids[k]], in->ys[w->ids[k]]) == 1;
    j->out->n_inside[d] = inside;

    /* Network: a station reaches the district when its own area (its
     * streets widened) meets it; areas nest, so once reached it stays
     * reached at the larger breaks. */
    if (in->method == SV_METHOD_AREAS && j->st_area_env && !in->no_counts) {
        free(reach_count);
        if (!(reach_count = sv_calloc(nb + 1, sizeof *reach_count)))
            goto nomem;
        for (size_t i = 0; i < in->n_stations; i++) {
            int reached = 0;
            for (size_t b = 0; b < nb; b++) {
                size_t kb = i * nb + b;
                if (!reached && j->st_area_has[kb] && env_intersects(&j->st_area_env[kb], &env)) {
                    if (!w->st_areas[kb] && !(w->st_areas[kb] = sv_geom_from_wkb(w->h, in->station_lines_wkb[kb],
                                                                                 in->station_lines_len[kb])))
                        goto geomfail;
                    int c = sv_net_reaches(w->h, w->st_areas[kb], P, in->trim_m, in->trim_quad_segs);
                    if (c < 0)
                        goto geomfail;
                    reached = c == 1;
                }
                reach_count[b] += reached;
            }
        }
    }
    for (size_t b = 0; b < nb; b++) {
        sv_cov_cell *cell = &j->out->cells[d * nb + b];
        double r = in->breaks[b].radius_m;
        sv_env q = env_grow(env, r);
        w->nids = 0;
        /* the stations near: counted, and (union) their circles united */
        int shortcuts = in->reach_shortcuts && in->method == SV_METHOD_VORONOI && w->cells;
        if ((in->method == SV_METHOD_UNION || !in->no_counts || shortcuts) &&
            sv_index_query(w->h, w->stations, &q, &w->ids, &w->nids, &w->capids) != 0)
            goto nomem;
        free(parts);
        parts = sv_calloc(w->nids + 1, sizeof *parts);
        nparts = 0;
        if (!parts)
            goto nomem;
        int reaching = reach_count ? reach_count[b] : 0;
        size_t last_reaching = 0;
        int inside_one = 0; /* D lies inside one circle: all covered */
        /* The polygonal circle contains every point within r*cos(pi/n) of its centre: a district whose envelope
           lies inside that disk of one station is all covered, with no within-distance test and no overlay. */
        double inner = r * cos(M_PI / (4.0 * in->quad_segs));
        for (size_t k = 0; shortcuts && in->no_counts && k < w->nids; k++) {
            double x = in->xs[w->ids[k]], y = in->ys[w->ids[k]];
            double dx = fmax(fabs(env.xmin - x), fabs(env.xmax - x));
            double dy = fmax(fabs(env.ymin - y), fabs(env.ymax - y));
            if (dx * dx + dy * dy <= inner * inner) {
                inside_one = 1;
                w->nids = 0;
                break;
            }
        }
        for (size_t k = 0; k < w->nids; k++) {
            size_t i = w->ids[k];
            const sv_geom *pt = worker_point(w, i);
            if (!pt)
                goto nomem;
            if (in->method == SV_METHOD_AREAS || sv_prep_within_distance(w->h, P, pt, r) != 1)
                continue; /* network areas: counted above from each station's own area */
            reaching++;
            last_reaching = i;
            if (shortcuts && in->no_counts && in->method == SV_METHOD_VORONOI && reaching > 1)
                break; /* only 0, 1 or more matters */
            if (in->method == SV_METHOD_UNION &&
                !(parts[nparts++] = sv_geom_circle(w->h, in->xs[i], in->ys[i], r, in->quad_segs)))
                goto geomfail;
        }
        cell->n_reaching = in->no_counts ? 0 : reaching;
        cell->area_m2 = area;
        double covered = 0;
        sv_geom *cov = NULL, *gap = NULL;
        if (inside_one) {
            covered = area;
            if (want_geometry && (!(cov = sv_geom_clone(w->h, D)) || !(gap = sv_geom_empty_polygon(w->h)))) {
                sv_geom_destroy(w->h, cov);
                goto geomfail;
            }
        } else if (shortcuts && reaching == 0) { /* all gap */
            if (want_geometry && (!(cov = sv_geom_empty_polygon(w->h)) || !(gap = sv_geom_clone(w->h, D)))) {
                sv_geom_destroy(w->h, cov);
                goto geomfail;
            }
        } else if (shortcuts && reaching == 1) {
            /* A point of D in the circle of i nearer to another station would be within r of it: that one
               would reach D too. So D's covered part lies in i's cell, and is D and the circle. */
            sv_geom *c = sv_geom_circle(w->h, in->xs[last_reaching], in->ys[last_reaching], r, in->quad_segs);
            if (c && in->unite_then_cut) { /* only its arc over D's envelope (grown by 1 m) can cut D */
                sv_env box = env_grow(env, 1.0);
                sv_geom *cc = sv_geom_clip_rect(w->h, c, &box);
                sv_geom_destroy(w->h, c);
                c = cc;
            }
            cov = c ? sv_geom_intersection(w->h, D, c) : NULL;
            gap = cov && want_geometry ? sv_geom_difference(w->h, D, c) : NULL;
            sv_geom_destroy(w->h, c);
            if (!cov || (want_geometry && !gap)) {
                sv_geom_destroy(w->h, cov);
                goto geomfail;
            }
            covered = sv_geom_area(w->h, cov);
        } else if (in->method == SV_METHOD_AREAS) {
            cov = sv_geom_intersection(w->h, D, w->areas[b]);
            if (!cov)
                goto geomfail;
            covered = sv_geom_area(w->h, cov);
            if (want_geometry && !(gap = sv_geom_difference(w->h, D, w->areas[b]))) {
                sv_geom_destroy(w->h, cov);
                goto geomfail;
            }
        } else if (in->method == SV_METHOD_UNION) {
            sv_geom *u = sv_geom_union_take(w->h, parts, nparts);
            cov = u ? sv_geom_intersection(w->h, D, u) : NULL;
            sv_geom_destroy(w->h, u);
            if (!cov)
                goto geomfail;
            covered = sv_geom_area(w->h, cov);
        } else if (w->cells) {
            double gap_area = 0;
            if (voronoi_gap(w, D, P, &env, dring, ndring, b, &gap_area, want_geometry ? &gap : NULL,
                            want_geometry ? &cov : NULL) != 0) {
                sv_geom_destroy(w->h, gap);
                sv_geom_destroy(w->h, cov);
                goto geomfail;
            }
            /* convex_districts: pieces cut to D leave their edges along D's for D minus their union to node, and
               a needle there can join a thin covered lens that the sliver filter then drops with it; should the
               filtered polygons lose more than 1e-9 of D, the district is cut as without convex_districts. */
            /* and a gap or covered part under 1e-4 of D, whose area the pieces' other rounding of the same points
               could move by more than 1e-9 of itself, is cut as before too */
            int redo = dring && gap && cov && ((gap_area > 0 && gap_area < 1e-4 * area) ||
                                               (area - gap_area > 0 && area - gap_area < 1e-4 * area));
            for (int k = 0; dring && gap && cov && k < 2 && !redo; k++) {
                sv_geom **g = k ? &cov : &gap;
                sv_geom *f = sv_geom_without_slivers(w->h, *g, SV_SLIVER_TOL_M, NULL);
                double kept = f ? sv_geom_area(w->h, f) : -1;
                redo = !(fabs(kept - (k ? area - gap_area : gap_area)) <= 1e-9 * area);
                sv_geom_destroy(w->h, *g);
                *g = f;
            }
            if (redo) {
                sv_geom_destroy(w->h, gap);
                sv_geom_destroy(w->h, cov);
                gap = cov = NULL;
                if (voronoi_gap(w, D, P, &env, NULL, 0, b, &gap_area, &gap, &cov) != 0) {
                    sv_geom_destroy(w->h, gap);
                    sv_geom_destroy(w->h, cov);
                    goto geomfail;
                }
            }
            covered = area - gap_area;
            if (want_geometry && !cov && !(cov = sv_geom_difference(w->h, D, gap))) {
                sv_geom_destroy(w->h, gap);
                goto geomfail;
            }
        } else { /* no station at all */
            covered = 0;
            if (want_geometry && (!(cov = sv_geom_empty_polygon(w->h)) || !(gap = sv_geom_clone(w->h, D)))) {
                sv_geom_destroy(w->h, cov);
                goto geomfail;
            }
        }
        nparts = 0;
        if (covered > area)
            covered = area; /* rounding of a fully covered district */
        if (covered < 0)
            covered = 0;
        cell->covered_m2 = covered;
        cell->gap_m2 = area - covered;
        if (want_geometry) {
            if (!gap)
                gap = sv_geom_difference(w->h, D, cov);
            if (!gap) {
                sv_geom_destroy(w->h, cov);
                goto geomfail;
            }
            /* both calls, always: each takes its geometry (a failed first one leaked the gap) */
            int kc = keep_wkb(w, cov, &cell->covered_wkb, &cell->covered_len, NULL);
            int kg = keep_wkb(w, gap, &cell->gap_wkb, &cell->gap_len, in->want_gap_parts ? cell : NULL);
            if (kc != 0 || kg != 0)
                goto nomem;
        } else {
            sv_geom_destroy(w->h, cov);
            sv_geom_destroy(w->h, gap);
        }
    }
    rc = 0;
    goto done;
nomem:
    fail(j, SV_ERR_NOMEM, "out of memory measuring districts%s", NULL);
    goto done;
geomfail:
    fail(j, SV_ERR_GEOM, "a geometry operation failed while measuring a district: %s", sv_geos_errmsg(w->h));
done:
    if (parts)
        for (size_t k = 0; k < nparts; k++)
            sv_geom_destroy(w->h, parts[k]);
    free(parts);
    free(reach_count);
    free(dring);
    sv_prep_destroy(w->h, P);
    sv_geom_destroy(w->h, D);
    return rc;
}

/* ---- driver ---- */

static sv_status voronoi_stage(job *j, sv_geos *h, const sv_env *all)
{
    const sv_cov_input *in = j->in;
    size_t n = in->n_stations;
    if (in->cells && in->cells->n == n) { /* made ahead */
        j->cell_wkb = in->cells->wkb;
        j->cell_len = in->cells->len;
        j->cell_env = in->cells->env;
        *in->cells = (sv_cov_cells){0};
        goto circles;
    }
    j->cell_wkb = sv_calloc(n, sizeof *j->cell_wkb);
    j->cell_len = sv_calloc(n, sizeof *j->cell_len);
    j->cell_env = sv_calloc(n, sizeof *j->cell_env);
    if (!j->cell_wkb || !j->cell_len || !j->cell_env)
        return sv_error(j->ctx, SV_ERR_NOMEM, "out of memory for Voronoi cells");
    sv_progress(j->ctx, "voronoi", 0.0);
    if (sv_voronoi_cells_wkb(h, sv_ctx_threads(j->ctx), in->xs, in->ys, n, all, j->cell_wkb, j->cell_len,
                             j->cell_env) != 0)
        return sv_error(j->ctx, SV_ERR_GEOM, "the Voronoi diagram of the stations failed (%s); "
                        "rerun with --method union", sv_geos_errmsg(h));
    sv_progress(j->ctx, "voronoi", 1.0);
circles:
    j->gaps = sv_calloc(n * in->n_breaks, sizeof *j->gaps);
    if (!j->gaps)
        return sv_error(j->ctx, SV_ERR_NOMEM, "out of memory for the uncovered cell parts");
    sv_status st = run_parallel(j, n * in->n_breaks, make_uncovered, "circles");
    if (st != SV_OK)
        return sv_error(j->ctx, st, "%s", j->errmsg);
    return SV_OK;
}

/* The district envelopes (into denv, n_districts of them) and the extent everything lies in: every district and
 * station, grown by the widest circle's diameter and 1 m. Returns n_districts, or the first district that cannot
 * be read. */
static size_t coverage_extent(sv_geos *h, const sv_cov_input *in, sv_env *denv, sv_env *all)
{
    size_t nd = in->n_districts, ns = in->n_stations;
    *all = (sv_env){0, 0, 0, 0};
    int have = 0;
    double rmax = 0;
    for (size_t b = 0; b < in->n_breaks; b++)
        rmax = fmax(rmax, in->breaks[b].radius_m);
    for (size_t d = 0; d < nd; d++) {
        sv_geom *g = sv_geom_from_wkb(h, in->district_wkb[d], in->district_wkb_len[d]);
        if (!g || sv_geom_envelope(h, g, &denv[d]) != 0) {
            sv_geom_destroy(h, g);
            return d;
        }
        sv_geom_destroy(h, g);
        if (!have) {
            *all = denv[d];
            have = 1;
        } else {
            sv_env_union(all, &denv[d]);
        }
    }
    for (size_t i = 0; i < ns; i++) {
        if (!have) {
            *all = (sv_env){in->xs[i], in->ys[i], in->xs[i], in->ys[i]};
            have = 1;
        }
        sv_env_add_point(all, in->xs[i], in->ys[i]);
    }
    *all = env_grow(*all, 2 * rmax + 1);
    return nd;
}

sv_status sv_coverage_compute(sv_ctx *ctx, const sv_cov_input *in, sv_cov_result *out)
{
    memset(out, 0, sizeof *out);
    size_t nd = in->n_districts, nb = in->n_breaks, ns = in->n_stations;
    out->n_districts = nd;
    out->n_breaks = nb;
    out->cells = sv_calloc(nd * nb + 1, sizeof *out->cells);
    out->n_inside = sv_calloc(nd ? nd : 1, sizeof *out->n_inside);
    if (!out->cells || !out->n_inside)
        return sv_error(ctx, SV_ERR_NOMEM, "out of memory for coverage results");
    for (size_t b = 0; b < nb; b++)
        if (!(in->breaks[b].radius_m > 0) || !isfinite(in->breaks[b].radius_m))
            return sv_error(ctx, SV_ERR_USAGE, "radius %g m is not a positive distance", in->breaks[b].radius_m);
    if (in->quad_segs < 1)
        return sv_error(ctx, SV_ERR_USAGE, "quad_segs must be at least 1");

    job j;
    memset(&j, 0, sizeof j);
    j.ctx = ctx;
    j.in = in;
    j.out = out;
    pthread_mutex_init(&j.lock, NULL);
    sv_status st = SV_OK;
    sv_geos *h = sv_geos_create();
    j.denv = sv_calloc(nd ? nd : 1, sizeof *j.denv);
    if (!h || !j.denv) {
        st = sv_error(ctx, SV_ERR_NOMEM, "out of memory");
        goto done;
    }
    sv_env all;
    size_t bad = coverage_extent(h, in, j.denv, &all);
    if (bad < nd) {
        st = sv_error(ctx, SV_ERR_GEOM, "district %zu has no readable geometry", bad);
        goto done;
    }

    if (in->method == SV_METHOD_AREAS && in->station_lines_wkb && ns > 0) {
        j.st_area_env = sv_calloc(ns * nb + 1, sizeof *j.st_area_env);
        j.st_area_has = sv_calloc(ns * nb + 1, 1);
        if (!j.st_area_env || !j.st_area_has) {
            st = sv_error(ctx, SV_ERR_NOMEM, "out of memory");
            goto done;
        }
        for (size_t k = 0; k < ns * nb; k++) {
            if (!in->station_lines_wkb[k])
                continue;
            sv_geom *g = sv_geom_from_wkb(h, in->station_lines_wkb[k], in->station_lines_len[k]);
            int ok = g && sv_geom_envelope(h, g, &j.st_area_env[k]) == 0;
            sv_geom_destroy(h, g);
            if (!ok) {
                st = sv_error(ctx, SV_ERR_GEOM, "cannot read the reached streets of station %zu: %s", k / nb,
                              sv_geos_errmsg(h));
                goto done;
            }
            j.st_area_env[k] = env_grow(j.st_area_env[k], in->trim_m > 0 ? in->trim_m : 0);
            j.st_area_has[k] = 1;
        }
    }
    if (in->method == SV_METHOD_VORONOI && ns > 0 && nd > 0) {
        st = voronoi_stage(&j, h, &all);
        if (st != SV_OK)
            goto done;
    }
    int sum_last = in->sum_last && in->no_counts && nd >= 2 &&
                   !(in->want_geometry && (in->geometry_limit == 0 || in->geometry_limit >= nd));
    if (nd > 0 && sum_last) {
        st = run_parallel(&j, nd - 1, measure_first, "coverage");
        int summed = st == SV_OK ? sum_last_district(&j, h) : 1;
        if (summed < 0)
            st = sv_error(ctx, SV_ERR_GEOM, "district %zu has no readable geometry", nd - 1);
        else if (st == SV_OK && summed == 0)
            st = run_parallel(&j, 1, measure_last, "coverage");
        if (st != SV_OK && j.status != SV_OK)
            st = sv_error(ctx, st, "%s", j.errmsg);
    } else if (nd > 0) {
        st = run_parallel(&j, nd, measure_item, "coverage");
        if (st != SV_OK)
            st = sv_error(ctx, st, "%s", j.errmsg);
    }
done:
    out->cell_wkb = j.cell_wkb; /* kept for the areas of responsibility */
    out->cell_len = j.cell_len;
    out->n_cells = j.cell_wkb ? ns : 0;
    free(j.cell_env);
    free(j.st_area_env);
    free(j.st_area_has);
    if (j.gaps)
        for (size_t k = 0; k < ns * nb; k++)
            free(j.gaps[k].wkb);
    free(j.gaps);
    free(j.denv);
    sv_geos_destroy(h);
    pthread_mutex_destroy(&j.lock);
    return st;
}

void sv_cov_cell_free_parts(sv_cov_cell *c)
{
    if (c->gap_part_wkb)
        for (int i = 0; i < c->n_gap_parts; i++)
            free(c->gap_part_wkb[i]);
    free(c->gap_part_wkb);
    free(c->gap_part_len);
    free(c->gap_part_area);
    c->gap_part_wkb = NULL;
    c->gap_part_len = NULL;
    c->gap_part_area = NULL;
    c->n_gap_parts = 0;
}

void sv_cov_cell_free_geometry(sv_cov_cell *c)
{
    sv_cov_cell_free_parts(c);
    free(c->covered_wkb);
    free(c->gap_wkb);
    c->covered_wkb = NULL;
    c->gap_wkb = NULL;
    c->covered_len = 0;
    c->gap_len = 0;
}

void sv_cov_result_free(sv_cov_result *r)
{
    if (!r)
        return;
    if (r->cells)
        for (size_t k = 0; k < r->n_districts * r->n_breaks; k++) {
            free(r->cells[k].covered_wkb);
            free(r->cells[k].gap_wkb);
            sv_cov_cell_free_parts(&r->cells[k]);
        }
    for (size_t i = 0; r->cell_wkb && i < r->n_cells; i++)
        free(r->cell_wkb[i]);
    free(r->cell_wkb);
    free(r->cell_len);
    free(r->cells);
    free(r->n_inside);
    memset(r, 0, sizeof *r);
}

void sv_cov_cells_free(sv_cov_cells *c)
{
    if (!c)
        return;
    for (size_t i = 0; c->wkb && i < c->n; i++)
        free(c->wkb[i]);
    free(c->wkb);
    free(c->len);
    free(c->env);
    memset(c, 0, sizeof *c);
}

/* sv_coverage_cells: input k's diagram on the worker that takes item k. */
typedef struct {
    const sv_cov_input *inputs;
    sv_cov_cells *out;
    atomic_int failed;
    pthread_mutex_t lock;
    sv_status status;
    char errmsg[512];
} cells_job;

static int cells_fail(cells_job *j, sv_status st, const char *msg)
{
    pthread_mutex_lock(&j->lock);
    if (!atomic_load(&j->failed)) {
        j->status = st;
        snprintf(j->errmsg, sizeof j->errmsg, "%s", msg);
    }
    atomic_store(&j->failed, 1);
    pthread_mutex_unlock(&j->lock);
    return -1;
}

static int cells_item(void *arg, sv_geos *h, size_t k)
{
    cells_job *j = arg;
    const sv_cov_input *in = &j->inputs[k];
    sv_cov_cells *c = &j->out[k];
    size_t n = in->n_stations, nd = in->n_districts;
    if (atomic_load(&j->failed) || in->method != SV_METHOD_VORONOI || n == 0 || nd == 0)
        return 0;
    sv_env *denv = sv_malloc(nd * sizeof *denv), all;
    c->wkb = sv_calloc(n, sizeof *c->wkb);
    c->len = sv_calloc(n, sizeof *c->len);
    c->env = sv_calloc(n, sizeof *c->env);
    if (!denv || !c->wkb || !c->len || !c->env) {
        free(denv);
        return cells_fail(j, SV_ERR_NOMEM, "out of memory for Voronoi cells");
    }
    c->n = n;
    char msg[512];
    size_t bad = coverage_extent(h, in, denv, &all);
    free(denv);
    if (bad < nd) {
        snprintf(msg, sizeof msg, "district %zu has no readable geometry", bad);
        return cells_fail(j, SV_ERR_GEOM, msg);
    }
    if (sv_voronoi_cells_wkb(h, 1, in->xs, in->ys, n, &all, c->wkb, c->len, c->env) != 0) {
        snprintf(msg, sizeof msg, "the Voronoi diagram of the stations failed (%s); rerun with --method union",
                 sv_geos_errmsg(h));
        return cells_fail(j, SV_ERR_GEOM, msg);
    }
    return 0;
}

sv_status sv_coverage_cells(sv_ctx *ctx, const sv_cov_input *inputs, size_t n, sv_cov_cells *out)
{
    for (size_t k = 0; k < n; k++)
        out[k] = (sv_cov_cells){0};
    cells_job j = {.inputs = inputs, .out = out};
    atomic_init(&j.failed, 0);
    pthread_mutex_init(&j.lock, NULL);
    sv_progress(ctx, "voronoi", 0.0);
    int rc = sv_parallel_for(sv_ctx_threads(ctx), n, cells_item, &j);
    sv_status st = SV_OK;
    if (atomic_load(&j.failed))
        st = sv_error(ctx, j.status, "%s", j.errmsg);
    else if (rc != 0)
        st = sv_error(ctx, SV_ERR_NOMEM, "out of memory starting the Voronoi workers");
    pthread_mutex_destroy(&j.lock);
    if (st == SV_OK)
        sv_progress(ctx, "voronoi", 1.0);
    return st;
}
