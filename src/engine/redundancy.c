/* redundancy.c - how many stations reach each place: the redundancy classes of
 * each district and the city (people reached by 0, 1, 2, 3+ stations) and the
 * critical stations (what each station alone covers), by cutting the districts
 * into pieces along the station cells, on worker threads. */
#include "engine/people_measures.h"
#include "svcov/sv_geom.h"
#include "core/parallel.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* fmin and fmax for numbers that are never NaN here: libm's are calls, not
 * inlined, and they were 4% of the stage's instructions. */
static inline double dmin(double a, double b)
{
    return b < a ? b : a;
}

static inline double dmax(double a, double b)
{
    return b > a ? b : a;
}

/* Service areas of the stations that may reach a region, for one break. */
typedef struct {
    sv_geos *h;
    const sv_analysis *a;
    const sv_people_in *in;
    sv_index *tree; /* over station points (circles) or area envelopes (network) */
    sv_geom **net_areas; /* network: parsed per station for the current break */
    size_t b;
    sv_geom **got;
    size_t *ids, n_ids, cap_ids;
    size_t n_got;
} area_source;

static int areas_for_break(area_source *s, size_t b)
{
    sv_geos *h = s->h;
    const sv_analysis *a = s->a;
    sv_index_destroy(h, s->tree);
    s->tree = sv_index_create(h);
    s->b = b;
    if (!s->tree)
        return -1;
    for (size_t i = 0; i < a->n_stations; i++) {
        sv_env e;
        if (s->net_areas) {
            sv_geom_destroy(h, s->net_areas[i]);
            s->net_areas[i] = NULL;
            size_t kb = i * a->n_breaks + b;
            const sv_net_areas *na = s->in->areas;
            if (!na->st_wkb[kb])
                continue;
            if (!(s->net_areas[i] = sv_geom_from_wkb(h, na->st_wkb[kb], na->st_len[kb])) ||
                sv_geom_envelope(h, s->net_areas[i], &e) != 0)
                continue;
        } else {
            double r = a->breaks[b].radius_m;
            e = (sv_env){s->in->xs[i] - r, s->in->ys[i] - r, s->in->xs[i] + r, s->in->ys[i] + r};
        }
        if (sv_index_insert(h, s->tree, i, &e) != 0)
            return -1;
    }
    return 0;
}

static void areas_release(area_source *s)
{
    for (size_t k = 0; k < s->n_got; k++)
        if (!s->net_areas)
            sv_geom_destroy(s->h, s->got[k]);
    s->n_got = 0;
}

/* The areas meeting env: s->got[0..n_got), station s->ids[k]. */
static int areas_near(area_source *s, const sv_env *env)
{
    areas_release(s);
    s->n_ids = 0;
    if (sv_index_query(s->h, s->tree, env, &s->ids, &s->n_ids, &s->cap_ids) != 0)
        return -1;
    free(s->got);
    s->got = sv_calloc(s->n_ids + 1, sizeof *s->got);
    if (!s->got)
        return -1;
    for (size_t k = 0; k < s->n_ids; k++) {
        size_t i = s->ids[k];
        s->got[k] = s->net_areas ? s->net_areas[i]
                                 : sv_geom_circle(s->h, s->in->xs[i], s->in->ys[i], s->a->breaks[s->b].radius_m,
                                                  s->in->o->quad_segs);
        s->n_got = k + 1;
        if (!s->got[k])
            return -1;
    }
    return 0;
}

static void area_source_free(area_source *s)
{
    areas_release(s);
    for (size_t i = 0; s->net_areas && i < s->a->n_stations; i++)
        sv_geom_destroy(s->h, s->net_areas[i]);
    free(s->net_areas);
    free(s->got);
    sv_free(s->ids);
    sv_index_destroy(s->h, s->tree);
}

/* The Voronoi cells of the stations (circle mode), for cutting districts
 * into pieces in which few circles cross: a point covered by k circles
 * lies in a cell, and inside one small cell most circles either hold the
 * whole cell or miss it. The rings are read once, before the workers start,
 * and shared by all of them (read only): a worker makes a cell's polygon
 * and the circles when a district needs them, so that its memory does not
 * grow with the stations (issue 19, item 5). */
typedef struct {
    size_t n;
    /* every cell's exterior ring in one buffer (sv_free): one allocation per cell rounded up to
       sv_geom_paths' first 256 points took 4 KiB for a ring of about 7, 4 GB at a million stations */
    double *pts;
    double **xy; /* the cell's exterior ring in pts, x0,y0,... (NULL: no cell, a repeated station) */
    size_t *nv;
    sv_env *env;
    unsigned char *multi; /* the cell is not one ring: its polygon from the WKB */
} cell_rings;

static void cell_rings_free(cell_rings *c)
{
    sv_free(c->pts);
    free(c->xy);
    free(c->nv);
    free(c->env);
    free(c->multi);
    memset(c, 0, sizeof *c);
}

/* The rings of the coverage stage's cells; -1 on failure. */
static int cell_rings_init(cell_rings *c, sv_geos *h, const sv_cov_result *cov)
{
    size_t n = cov->n_cells;
    memset(c, 0, sizeof *c);
    c->n = n;
    c->xy = sv_calloc(n + 1, sizeof *c->xy);
    c->nv = sv_calloc(n + 1, sizeof *c->nv);
    c->env = sv_calloc(n + 1, sizeof *c->env);
    c->multi = sv_calloc(n + 1, 1);
    size_t *off = sv_calloc(n + 1, sizeof *off), used = 0, cap = 0; /* points */
    if (!c->xy || !c->nv || !c->env || !c->multi || !off) {
        free(off);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (!cov->cell_wkb[i])
            continue;
        size_t *starts = NULL, np = 0;
        double *xy = NULL;
        sv_geom *g = sv_geom_from_wkb(h, cov->cell_wkb[i], cov->cell_len[i]);
        int ok = g && sv_geom_paths(h, g, &xy, &starts, &np) == 0 && np >= 1 &&
                 sv_geom_envelope(h, g, &c->env[i]) == 0;
        if (ok) {
            size_t nv = starts[1] - starts[0]; /* the exterior ring */
            ok = sv_grow(&c->pts, &cap, 2 * (used + nv), sizeof *c->pts, 4096) == 0;
            if (ok) {
                memcpy(c->pts + 2 * used, xy + 2 * starts[0], 2 * nv * sizeof *c->pts);
                off[i] = used;
                used += nv;
                c->nv[i] = nv;
                c->multi[i] = np != 1;
            }
        }
        sv_free(xy);
        sv_free(starts);
        sv_geom_destroy(h, g);
        if (!ok) {
            free(off);
            return -1;
        }
    }
    double *fit = used ? sv_realloc(c->pts, 2 * used * sizeof *c->pts) : NULL;
    if (fit) /* else the larger buffer stays */
        c->pts = fit;
    for (size_t i = 0; i < n; i++)
        if (cov->cell_wkb[i])
            c->xy[i] = c->pts + 2 * off[i];
    free(off);
    return 0;
}

/* The closed ring xy[0..nv) of a circle around (cx, cy), its envelope, and
 * which of its nv - 1 segments are noded in the current district (mark:
 * NULL until one is). */
typedef struct {
    double *xy;
    size_t nv;
    double cx, cy;
    sv_env box;
    unsigned char *mark;
} circle_ring;

/* A worker's view of the cells: STR-trees over them and the station
 * points, and the circles of the current district. */
typedef struct {
    sv_geos *h;
    size_t n;
    const cell_rings *rings;
    const sv_cov_result *cov;
    sv_index *tree;     /* over the cells */
    sv_index *stations; /* over the station points */
    /* the station points in a grid of square cells of side gs from (gx, gy), gnx x gny cells, cell q's
     * stations gid[gfrom[q] .. gfrom[q + 1]) (in id order): for the many small queries of the edges and
     * faces, which need no order, cheaper than the STR-tree's */
    double gx, gy, gs;
    size_t gnx, gny, *gfrom, *gid;
    size_t *made, nmade, capmade;
    circle_ring *ring;  /* ring[t]: the points of the circle of station made[t] and its segments to node */
    size_t capring;
    size_t *slot;       /* per station: 1 + its index in made, 0 when not made */
    size_t *ids, n_ids, cap_ids;
    /* the circle of radius tR around (0, 0), GEOS's buffer of a point (sv_geom_circle): a station's circle
     * is these points plus the station's, the same doubles sv_geom_circle gives, without making it in GEOS;
     * vertex k lies at angle a0 + turn k 2 pi / (tnv - 1), and inside is where the edges' cross products
     * have the sign inside */
    double *txy, tR, a0;
    sv_env tbox;
    size_t tnv;
    int tqs, turn, inside;
    int sectors; /* the template's segment v is the sector of its middle (else every edge is tested) */
} cell_set;

/* The circles of the district just done, destroyed. */
static void cell_set_forget_circles(cell_set *c)
{
    for (size_t t = 0; t < c->nmade; t++) {
        c->slot[c->made[t]] = 0;
        sv_free(c->ring[t].xy);
        free(c->ring[t].mark);
    }
    c->nmade = 0;
}

/* The segment of the ring cr whose angular sector (from its centre) holds
 * (x, y): for a point between the inner radius and the radius, only this
 * segment and its two neighbours can be nearest to it or have it outside. */
static size_t ring_sector(const cell_set *c, const circle_ring *cr, double x, double y)
{
    size_t n = cr->nv - 1;
    double u = c->turn * (atan2(y - cr->cy, x - cr->cx) - c->a0) * ((double)n / (2 * M_PI));
    double k = floor(u);
    k -= (double)n * floor(k / (double)n);
    size_t s = (size_t)k;
    return s < n ? s : 0;
}

/* The template circle of radius R (c->txy) and its layout; -1 on failure. */
static int circle_template_for(cell_set *c, double R, int qs)
{
    if (c->txy && c->tR == R && c->tqs == qs)
        return 0;
    sv_free(c->txy);
    c->txy = NULL;
    sv_geom *g = sv_geom_circle(c->h, 0, 0, R, qs);
    size_t *starts = NULL, np = 0;
    double *xy = NULL;
    int ok = g && sv_geom_paths(c->h, g, &xy, &starts, &np) == 0 && np == 1 && starts[1] >= 5;
    if (ok) {
        size_t nv = starts[1];
        double turn = xy[0] * xy[3] - xy[1] * xy[2]; /* > 0: counter-clockwise */
        double in0 = (xy[2] - xy[0]) * (0 - xy[1]) - (xy[3] - xy[1]) * (0 - xy[0]);
        c->txy = xy;
        xy = NULL;
        c->tnv = nv;
        c->tR = R;
        c->tqs = qs;
        c->a0 = atan2(c->txy[1], c->txy[0]);
        c->turn = turn > 0 ? 1 : -1;
        c->inside = in0 > 0 ? 1 : -1;
        c->tbox = (sv_env){INFINITY, INFINITY, -INFINITY, -INFINITY};
        for (size_t v = 0; v < nv; v++)
            sv_env_add_point(&c->tbox, c->txy[2 * v], c->txy[2 * v + 1]);
        circle_ring t = {.xy = c->txy, .nv = nv};
        c->sectors = 1;
        for (size_t v = 0; v + 1 < nv && c->sectors; v++)
            c->sectors = ring_sector(c, &t, 0.5 * (t.xy[2 * v] + t.xy[2 * v + 2]),
                                     0.5 * (t.xy[2 * v + 1] + t.xy[2 * v + 3])) == v;
    }
    sv_free(xy);
    sv_free(starts);
    sv_geom_destroy(c->h, g);
    return ok ? 0 : -1;
}

/* Station j's circle of radius R for the current district, its points made
 * the first time; NULL on failure. */
static const circle_ring *cell_circle(cell_set *c, size_t j, double x, double y, double R, int qs)
{
    if (c->slot[j])
        return &c->ring[c->slot[j] - 1];
    if (circle_template_for(c, R, qs) != 0 ||
        sv_grow(&c->made, &c->capmade, c->nmade + 1, sizeof *c->made, 64) != 0 ||
        sv_grow(&c->ring, &c->capring, c->nmade + 1, sizeof *c->ring, 64) != 0)
        return NULL;
    circle_ring cr = {.nv = c->tnv, .cx = x, .cy = y};
    if (!(cr.xy = sv_malloc(2 * cr.nv * sizeof *cr.xy)))
        return NULL;
    for (size_t v = 0; v < cr.nv; v++) {
        cr.xy[2 * v] = x + c->txy[2 * v];
        cr.xy[2 * v + 1] = y + c->txy[2 * v + 1];
    }
    /* rounding is monotonic: the least of x + t is x + the least t */
    cr.box = (sv_env){x + c->tbox.xmin, y + c->tbox.ymin, x + c->tbox.xmax, y + c->tbox.ymax};
    c->ring[c->nmade] = cr;
    c->made[c->nmade++] = j;
    c->slot[j] = c->nmade;
    return &c->ring[c->nmade - 1];
}

/* Is (x, y), between the inner radius of cr and its radius from its centre,
 * strictly inside cr's polygon? The same answer as the cross products of
 * all its edges: only the edge of the point's sector and its
 * two neighbours can have such a point outside or on them. With on, a
 * point on the boundary counts as inside (GEOS's covers). */
static int ring_holds_near(const cell_set *c, const circle_ring *cr, double x, double y, int on)
{
    size_t n = cr->nv - 1, k = c->sectors ? ring_sector(c, cr, x, y) : 0, ns = c->sectors ? 3 : n;
    for (size_t s = 0; s < ns; s++) {
        size_t m = c->sectors ? (k + n - 1 + s) % n : s;
        const double *a = cr->xy + 2 * m, *b = a + 2;
        double cp = (b[0] - a[0]) * (y - a[1]) - (b[1] - a[1]) * (x - a[0]);
        if (c->inside > 0 ? (on ? cp < 0 : cp <= 0) : (on ? cp > 0 : cp >= 0))
            return 0;
    }
    return 1;
}

static void cell_set_free(cell_set *c)
{
    if (c->slot)
        cell_set_forget_circles(c);
    sv_free(c->txy);
    free(c->made);
    free(c->ring);
    free(c->slot);
    sv_free(c->ids);
    sv_index_destroy(c->h, c->tree);
    sv_index_destroy(c->h, c->stations);
    free(c->gfrom);
    free(c->gid);
    memset(c, 0, sizeof *c);
}

/* The grid of the station points, cells of about side R; -1 when out of
 * memory. */
static int station_grid_init(cell_set *c, const double *xs, const double *ys, double R)
{
    size_t n = c->n;
    sv_env e = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    for (size_t i = 0; i < n; i++)
        if (isfinite(xs[i]) && isfinite(ys[i]))
            sv_env_add_point(&e, xs[i], ys[i]);
    if (!(e.xmin <= e.xmax))
        e = (sv_env){0, 0, 0, 0};
    double w = fmax(e.xmax - e.xmin, e.ymax - e.ymin), gs = R > 0 && isfinite(R) ? R : w + 1;
    /* at most about 4 cells a station */
    while ((floor((e.xmax - e.xmin) / gs) + 1) * (floor((e.ymax - e.ymin) / gs) + 1) > 4.0 * (double)n + 16)
        gs *= 2;
    c->gx = e.xmin;
    c->gy = e.ymin;
    c->gs = gs;
    c->gnx = (size_t)floor((e.xmax - e.xmin) / gs) + 1;
    c->gny = (size_t)floor((e.ymax - e.ymin) / gs) + 1;
    size_t nc = c->gnx * c->gny;
    c->gfrom = sv_calloc(nc + 2, sizeof *c->gfrom);
    c->gid = sv_malloc((n + 1) * sizeof *c->gid);
    if (!c->gfrom || !c->gid)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (isfinite(xs[i]) && isfinite(ys[i])) {
            size_t ix = (size_t)floor((xs[i] - c->gx) / gs), iy = (size_t)floor((ys[i] - c->gy) / gs);
            c->gfrom[(iy < c->gny ? iy : c->gny - 1) * c->gnx + (ix < c->gnx ? ix : c->gnx - 1) + 2]++;
        }
    for (size_t q = 0; q < nc; q++)
        c->gfrom[q + 2] += c->gfrom[q + 1];
    for (size_t i = 0; i < n; i++)
        if (isfinite(xs[i]) && isfinite(ys[i])) {
            size_t ix = (size_t)floor((xs[i] - c->gx) / gs), iy = (size_t)floor((ys[i] - c->gy) / gs);
            c->gid[c->gfrom[(iy < c->gny ? iy : c->gny - 1) * c->gnx + (ix < c->gnx ? ix : c->gnx - 1) + 1]++] = i;
        }
    return 0;
}

/* The stations whose point lies in the box (its edges too) into c->ids,
 * c->n_ids (the STR-tree's answer, in another order); -1 when out of
 * memory. */
static int stations_in(cell_set *c, const double *xs, const double *ys, const sv_env *b)
{
    c->n_ids = 0;
    double fx0 = floor((b->xmin - c->gx) / c->gs), fy0 = floor((b->ymin - c->gy) / c->gs);
    double fx1 = floor((b->xmax - c->gx) / c->gs), fy1 = floor((b->ymax - c->gy) / c->gs);
    if (fx1 < 0 || fy1 < 0 || fx0 >= (double)c->gnx || fy0 >= (double)c->gny)
        return 0;
    size_t ix0 = fx0 > 0 ? (size_t)fx0 : 0, iy0 = fy0 > 0 ? (size_t)fy0 : 0;
    size_t ix1 = fx1 < (double)c->gnx ? (size_t)fx1 : c->gnx - 1, iy1 = fy1 < (double)c->gny ? (size_t)fy1 : c->gny - 1;
    for (size_t iy = iy0; iy <= iy1; iy++)
        for (size_t ix = ix0; ix <= ix1; ix++) {
            size_t q = iy * c->gnx + ix;
            for (size_t u = c->gfrom[q]; u < c->gfrom[q + 1]; u++) {
                size_t i = c->gid[u];
                if (xs[i] < b->xmin || xs[i] > b->xmax || ys[i] < b->ymin || ys[i] > b->ymax)
                    continue;
                if (sv_grow(&c->ids, &c->cap_ids, c->n_ids + 1, sizeof *c->ids, 64) != 0)
                    return -1;
                c->ids[c->n_ids++] = i;
            }
        }
    return 0;
}

/* STR-trees over the shared rings and the stations, and the stations'
 * grid for circles of radius R; -1 on failure. */
static int cell_set_init(cell_set *c, sv_geos *h, const cell_rings *rings, const sv_cov_result *cov,
                         const double *xs, const double *ys, double R)
{
    size_t n = rings->n;
    memset(c, 0, sizeof *c);
    c->h = h;
    c->n = n;
    c->rings = rings;
    c->cov = cov;
    c->slot = sv_calloc(n + 1, sizeof *c->slot);
    c->tree = sv_index_create(h);
    c->stations = sv_index_create(h);
    if (!c->slot || !c->tree || !c->stations)
        return -1;
    for (size_t i = 0; i < n; i++) {
        sv_env pt = {xs[i], ys[i], xs[i], ys[i]};
        if (sv_index_insert(h, c->stations, i, &pt) != 0)
            return -1;
        if (rings->xy[i] && sv_index_insert(h, c->tree, i, &rings->env[i]) != 0)
            return -1;
    }
    return station_grid_init(c, xs, ys, R);
}

/* Squared distance from (x, y) to the convex ring xy[0..n) (0 inside):
 * squares, as hypot's care for overflow costs more than all the rest. */
static double convex_distance2(const double *xy, size_t n, double x, double y)
{
    double best = INFINITY;
    int pos = 0, neg = 0;
    for (size_t k = 0; k + 1 < n; k++) {
        double ax = xy[2 * k], ay = xy[2 * k + 1], bx = xy[2 * k + 2], by = xy[2 * k + 3];
        double dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
        double cr = dx * (y - ay) - dy * (x - ax);
        pos += cr > 0;
        neg += cr < 0;
        /* the clamped projection, dividing only inside the segment (the same t) */
        double num = (x - ax) * dx + (y - ay) * dy;
        double t = !(len2 > 0) || num <= 0 ? 0 : num >= len2 ? 1 : num / len2;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        double ex = x - ax - t * dx, ey = y - ay - t * dy;
        best = dmin(best, ex * ex + ey * ey);
    }
    return pos == 0 || neg == 0 ? 0.0 : best;
}

/* The pieces of a district: each with the circles crossing it (offsets
 * into cross until they are all known) and the count of circles holding
 * all of it. */
typedef struct {
    sv_geos *h;
    const double *xs, *ys;
    cell_set *cs;
    double R, r_in, r_out;
    int qs;
    sv_red_piece *pc; /* the pieces with circles to node (region unused) */
    sv_env *env;      /* their envelopes */
    size_t *start, np, cap, capstart, capenv;
    size_t *cross, ncross, capcross;
    /* piece q's convex ring (closed): rxy[2 rfrom[q] .. 2 rfrom[q + 1]) */
    double *rxy;
    size_t *rfrom, nr, caprxy, caprfrom;
} piece_sink;

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
    return sv_grow(p, cap, need, size, 64);
}

/* The convex ring xy[0..n) (closed) clipped to x <= m (keep_low) or x >= m
 * (axis 0; axis 1: y), into out (closed; n + 2 points at most). */
static size_t clip_half(const double *xy, size_t n, int axis, double m, int keep_low, double *out)
{
    size_t k = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        const double *p = xy + 2 * i, *q = xy + 2 * i + 2;
        double dp = keep_low ? m - p[axis] : p[axis] - m, dq = keep_low ? m - q[axis] : q[axis] - m;
        if (dp >= 0) {
            out[2 * k] = p[0];
            out[2 * k + 1] = p[1];
            k++;
        }
        if ((dp >= 0) != (dq >= 0) && dp != 0 && dq != 0) {
            double t = (m - p[axis]) / (q[axis] - p[axis]);
            out[2 * k + axis] = m;
            out[2 * k + 1 - axis] = p[1 - axis] + t * (q[1 - axis] - p[1 - axis]);
            k++;
        }
    }
    if (k) {
        out[2 * k] = out[0];
        out[2 * k + 1] = out[1];
        k++;
    }
    return k;
}

/* Does station x's circle hold every point of the convex ring xy[0..n) that
 * station m's circle holds, with a margin? See sv_red_prune_dominated. */
static int holds_for(const double *xs, const double *ys, size_t x, size_t m, const double *xy, size_t n,
                     double need)
{
    double ux = xs[m] - xs[x], uy = ys[m] - ys[x];
    double mx = 0.5 * (xs[m] + xs[x]), my = 0.5 * (ys[m] + ys[x]);
    for (size_t v = 0; v < n; v++)
        if (-((xy[2 * v] - mx) * ux + (xy[2 * v + 1] - my) * uy) < need)
            return 0;
    return 1;
}

/* Circles that cannot change the class in a piece, left out (exact).
 *
 * Every circle is the regular N-gon (N = 4 quad_segs) inscribed in the true
 * circle of radius r, so it holds the disk of radius r cos(pi/N) and lies in
 * the disk of radius r. For stations m, x at distance d apart and a point p
 * at signed distance t from their bisector on x's side,
 * |p-c_m|^2 - |p-c_x|^2 = 2 t d; so a point p of m's polygon with t >= 0 has
 * |p-c_m| - |p-c_x| >= t d / r. When every vertex of the convex ring (and so
 * every point of the piece inside it) has t d >= eps r with
 * eps = r (1 - cos(pi/N)) (plus a slack for rounding), every point of the
 * piece in m's polygon is within r cos(pi/N) of c_x, i.e. in x's polygon,
 * and x is strictly nearer to it than m. Circle m is dominated when the
 * base circles (holding the whole piece) and such x among the crossing ones
 * are three together; a dominated circle is dropped.
 *
 * Dropping all dominated circles at once is exact: at a point p, the
 * crossing circles holding p in order of distance from p, the first 3 - base
 * of them are never dominated (a dominated circle needs 3 - base crossing
 * circles holding p strictly nearer than itself), so a point in a dropped
 * circle keeps at least three circles (depth >= 4 before, >= 3 after: class
 * 3+ both times, and never depth 1, so what a station alone covers does not
 * move either), and a point in no dropped circle keeps its depth. The rule
 * needs equal polygons of one radius around the stations: network service
 * areas do not qualify (they are noded by the whole-district path).
 * Compacts ids[0..n) in place and returns how many are kept. */
size_t sv_red_prune_dominated(const double *xs, const double *ys, size_t *ids, size_t n, int base, const double *xy,
                              size_t nv, double r, int quad_segs)
{
    if (base >= SV_REDUNDANCY_CLASSES - 1 || n == 0 || nv == 0)
        return base >= SV_REDUNDANCY_CLASSES - 1 ? 0 : n;
    int want = SV_REDUNDANCY_CLASSES - 1 - base; /* witnesses among the crossing circles */
    double eps = r * (1 - cos(M_PI / (4.0 * quad_segs))) + 1e-9 * r;
    double need = eps * r;
    unsigned char *drop = sv_calloc(n + 1, 1);
    if (!drop)
        return n; /* keep them all: slower, still exact */
    for (size_t a = 0; a < n; a++) {
        int got = 0;
        for (size_t b = 0; b < n && got < want; b++)
            if (b != a && holds_for(xs, ys, ids[b], ids[a], xy, nv, need))
                got++;
        drop[a] = got >= want;
    }
    size_t kept = 0;
    for (size_t a = 0; a < n; a++)
        if (!drop[a])
            ids[kept++] = ids[a];
    free(drop);
    return kept;
}

#ifndef SPLIT_ABOVE
#define SPLIT_ABOVE 12 /* crossing circles: more are noded in halves */
#endif

/* The piece of a district in the convex ring xy of n points (closed) and
 * the rectangle clip (the district's envelope), with the candidate circles
 * cand[0..nc) of which base more hold all of it. Only the ring and the
 * envelope say what a piece is: the circles are sorted against the ring
 * (holding all of it, missing it, else crossing), which holds the piece, so
 * a circle is at worst kept where it need not be. A piece that many circles
 * cross is halved, so that few circles are kept in each part and most parts
 * are 3+ at once. */
static int split_piece(piece_sink *k, const double *xy, size_t n, const sv_env *clip, const size_t *cand, size_t nc,
                       int base, size_t base_only, int depth)
{
    sv_env pe = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    for (size_t v = 0; v < n; v++) {
        pe.xmin = dmin(pe.xmin, xy[2 * v]);
        pe.ymin = dmin(pe.ymin, xy[2 * v + 1]);
        pe.xmax = dmax(pe.xmax, xy[2 * v]);
        pe.ymax = dmax(pe.ymax, xy[2 * v + 1]);
    }
    pe.xmin = dmax(pe.xmin, clip->xmin);
    pe.ymin = dmax(pe.ymin, clip->ymin);
    pe.xmax = dmin(pe.xmax, clip->xmax);
    pe.ymax = dmin(pe.ymax, clip->ymax);
    if (!(pe.xmin <= pe.xmax && pe.ymin <= pe.ymax))
        return 0; /* away from the district */
    size_t first = k->ncross;
    for (size_t t = 0; t < nc; t++) {
        size_t j = cand[t];
        double x = k->xs[j], y = k->ys[j];
        double ex = dmax(0.0, dmax(pe.xmin - x, x - pe.xmax));
        double ey = dmax(0.0, dmax(pe.ymin - y, y - pe.ymax));
        double out2 = k->r_out * k->r_out;
        if (ex * ex + ey * ey > out2)
            continue; /* misses the piece */
        /* the vertices first: the ring is no farther than its nearest
         * vertex, so a circle holding one of them within the radius (or all
         * of them within the inner radius) meets the piece, and only the
         * others need the ring's distance */
        double far2 = 0, near2 = INFINITY, in2 = k->r_in * k->r_in;
        for (size_t v = 0; v < n; v++) {
            double vx = xy[2 * v] - x, vy = xy[2 * v + 1] - y, d2 = vx * vx + vy * vy;
            far2 = dmax(far2, d2);
            near2 = dmin(near2, d2);
        }
        if (near2 > out2 && far2 > in2 && convex_distance2(xy, n, x, y) > out2)
            continue; /* misses the piece */
        if (far2 <= in2) { /* holds the whole ring */
            base++;
            base_only = j;
            continue;
        }
        if (grow((void **)&k->cross, &k->capcross, k->ncross + 1, sizeof *k->cross) != 0)
            return -1;
        k->cross[k->ncross++] = j;
    }
    size_t ncross = k->ncross - first;
    if (base >= SV_REDUNDANCY_CLASSES - 1) { /* 3+ all over: the crossing circles change nothing */
        k->ncross = first;
        ncross = 0;
    }
    if (ncross > 0) { /* the circles three others hide here */
        ncross = sv_red_prune_dominated(k->xs, k->ys, k->cross + first, ncross, base, xy, n, k->R, k->qs);
        k->ncross = first + ncross;
    }
    if (ncross == 0) {
        k->ncross = first;
        return 0; /* one class all over: nothing to node */
    }
    if (ncross > SPLIT_ABOVE && depth < 12) {
        /* halve across the longer side of the piece's envelope */
        int axis = pe.ymax - pe.ymin > pe.xmax - pe.xmin;
        double m = axis ? 0.5 * (pe.ymin + pe.ymax) : 0.5 * (pe.xmin + pe.xmax);
        size_t *sub = sv_malloc(ncross * sizeof *sub);
        double *half = sv_malloc((2 * n + 8) * sizeof *half);
        int rc = sub && half ? 0 : -1;
        if (rc == 0)
            memcpy(sub, k->cross + first, ncross * sizeof *sub);
        k->ncross = first;
        for (int side = 0; side < 2 && rc == 0; side++) {
            size_t nh = clip_half(xy, n, axis, m, side == 0, half);
            if (nh >= 4)
                rc = split_piece(k, half, nh, clip, sub, ncross, base, base_only, depth + 1);
        }
        free(sub);
        free(half);
        return rc;
    }
    if (grow((void **)&k->pc, &k->cap, k->np + 1, sizeof *k->pc) != 0 ||
        grow((void **)&k->start, &k->capstart, k->np + 1, sizeof *k->start) != 0 ||
        grow((void **)&k->env, &k->capenv, k->np + 1, sizeof *k->env) != 0 ||
        grow((void **)&k->rfrom, &k->caprfrom, k->np + 2, sizeof *k->rfrom) != 0 ||
        sv_grow(&k->rxy, &k->caprxy, 2 * (k->nr + n), sizeof *k->rxy, 256) != 0)
        return -1;
    memcpy(k->rxy + 2 * k->nr, xy, 2 * n * sizeof *xy);
    k->rfrom[k->np] = k->nr;
    k->nr += n;
    k->rfrom[k->np + 1] = k->nr;
    k->start[k->np] = first;
    k->env[k->np] = pe;
    k->pc[k->np++] = (sv_red_piece){NULL, NULL, NULL, ncross, base, base_only};
    return 0;
}

/* The marked runs of segments of the circle ring cr as lines appended to
 * *lines (points of the ring as they are: no new vertex); -1 on failure. */
static int marked_lines(sv_geos *h, const circle_ring *cr, sv_geom ***lines, size_t *nl, size_t *cap)
{
    size_t m = cr->nv - 1, u = 0;
    while (u < m && cr->mark[u])
        u++;
    if (u == m) { /* the whole ring */
        if (sv_grow(lines, cap, *nl + 1, sizeof **lines, 64) != 0 ||
            !((*lines)[*nl] = sv_geom_linestring(h, cr->xy, cr->nv)))
            return -1;
        (*nl)++;
        return 0;
    }
    double *buf = sv_malloc((2 * cr->nv + 2) * sizeof *buf);
    if (!buf)
        return -1;
    int rc = 0;
    size_t np = 0;
    for (size_t s = 1; s <= m && rc == 0; s++) { /* from the segment after u round to u */
        size_t v = (u + s) % m;
        if (cr->mark[v]) {
            if (np == 0) {
                buf[0] = cr->xy[2 * v];
                buf[1] = cr->xy[2 * v + 1];
                np = 1;
            }
            buf[2 * np] = cr->xy[2 * (v + 1)];
            buf[2 * np + 1] = cr->xy[2 * (v + 1) + 1];
            np++;
        } else if (np) {
            if (sv_grow(lines, cap, *nl + 1, sizeof **lines, 64) != 0 || !((*lines)[*nl] = sv_geom_linestring(h, buf, np)))
                rc = -1;
            else
                (*nl)++;
            np = 0;
        }
    }
    free(buf);
    return rc;
}

/* Squared distance from (x, y) to the segment a-b. */
static double segment_distance2(const double *a, const double *b, double x, double y)
{
    double dx = b[0] - a[0], dy = b[1] - a[1], len2 = dx * dx + dy * dy;
    double t = len2 > 0 ? ((x - a[0]) * dx + (y - a[1]) * dy) / len2 : 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    double ex = x - a[0] - t * dx, ey = y - a[1] - t * dy;
    return ex * ex + ey * ey;
}

/* Squared distance from (x, y), between the inner radius of cr and its
 * radius from its centre, to cr's boundary: the nearest segment is that of
 * the point's sector or one of its two neighbours. */
static double ring_near2(const cell_set *c, const circle_ring *cr, double x, double y)
{
    size_t n = cr->nv - 1, k = c->sectors ? ring_sector(c, cr, x, y) : 0, ns = c->sectors ? 3 : n;
    double near2 = INFINITY;
    for (size_t s = 0; s < ns; s++) {
        size_t m = c->sectors ? (k + n - 1 + s) % n : s;
        near2 = dmin(near2, segment_distance2(cr->xy + 2 * m, cr->xy + 2 * m + 2, x, y));
    }
    return near2;
}

/* Scratch of parting_circles, kept across the pieces of a district. */
typedef struct {
    double *pts;          /* the clipped boundaries' points, x0,y0,... */
    size_t npts, cappts;
    size_t *from, capfrom; /* circle t's points: pts[2 from[t] .. 2 from[t + 1]) */
    size_t *seg, capseg;   /* the ring's segment of the pair of points pts[4 u .. 4 u + 4) */
    sv_env *lbox;
    size_t caplbox;
    unsigned char *cover, *dropped;
    size_t capcover, capdropped;
    int *slack;
    size_t capslack;
} parting_work;

static void parting_work_free(parting_work *w)
{
    free(w->pts);
    free(w->from);
    free(w->lbox);
    free(w->cover);
    free(w->dropped);
    free(w->slack);
    free(w->seg);
    memset(w, 0, sizeof *w);
}

/* A piece as half-planes nx x + ny y <= c: its convex ring's edges and
 * the sides of its envelope (the district's envelope cuts the ring), each
 * moved out by a pad. */
typedef struct {
    double *h; /* nx, ny, c per half-plane */
    size_t n, cap;
    sv_env box; /* the envelope, padded */
} piece_region;

/* Piece q of k as a region padded by clip_pad's pad of its envelope; -1
 * when out of memory. */
static int piece_region_of(const piece_sink *k, size_t q, piece_region *g)
{
    const sv_env *e = &k->env[q];
    const double *xy = k->rxy + 2 * k->rfrom[q];
    size_t n = k->rfrom[q + 1] - k->rfrom[q];
    double pad = 1e-6 * fmax(e->xmax - e->xmin, e->ymax - e->ymin) + 1e-3; /* clip_pad's */
    g->box = (sv_env){e->xmin - pad, e->ymin - pad, e->xmax + pad, e->ymax + pad};
    if (sv_grow(&g->h, &g->cap, 3 * (n + 4), sizeof *g->h, 64) != 0)
        return -1;
    double a2 = 0;
    for (size_t v = 0; v + 1 < n; v++)
        a2 += xy[2 * v] * xy[2 * v + 3] - xy[2 * v + 2] * xy[2 * v + 1];
    double side = a2 >= 0 ? 1 : -1; /* counter-clockwise: inside on the left */
    g->n = 0;
    for (size_t v = 0; v + 1 < n; v++) {
        double dx = xy[2 * v + 2] - xy[2 * v], dy = xy[2 * v + 3] - xy[2 * v + 1], L = hypot(dx, dy);
        if (!(L > 0))
            continue;
        double nx = side * dy / L, ny = -side * dx / L; /* outward */
        double *hp = g->h + 3 * g->n++;
        hp[0] = nx;
        hp[1] = ny;
        hp[2] = nx * xy[2 * v] + ny * xy[2 * v + 1] + pad;
    }
    const double sides[4][3] = {{-1, 0, -g->box.xmin}, {1, 0, g->box.xmax}, {0, -1, -g->box.ymin}, {0, 1, g->box.ymax}};
    memcpy(g->h + 3 * g->n, sides, sizeof sides);
    g->n += 4;
    return 0;
}

/* The part of the segment a-b in the region g (Cyrus-Beck) into q (x0, y0,
 * x1, y1; the segment's own points where they are in g); 0 when it misses
 * g. */
static int clip_segment(const double *a, const double *b, const piece_region *g, double *q)
{
    if (dmax(a[0], b[0]) < g->box.xmin || dmin(a[0], b[0]) > g->box.xmax || dmax(a[1], b[1]) < g->box.ymin ||
        dmin(a[1], b[1]) > g->box.ymax)
        return 0;
    double dx = b[0] - a[0], dy = b[1] - a[1], t0 = 0, t1 = 1;
    for (size_t i = 0; i < g->n; i++) {
        const double *hp = g->h + 3 * i;
        double num = hp[2] - (hp[0] * a[0] + hp[1] * a[1]), den = hp[0] * dx + hp[1] * dy;
        if (den == 0) {
            if (num < 0)
                return 0;
            continue;
        }
        double r = num / den;
        if (den < 0)
            t0 = dmax(t0, r);
        else
            t1 = dmin(t1, r);
        if (t0 > t1)
            return 0;
    }
    q[0] = t0 > 0 ? a[0] + t0 * dx : a[0];
    q[1] = t0 > 0 ? a[1] + t0 * dy : a[1];
    q[2] = t1 < 1 ? a[0] + t1 * dx : b[0];
    q[3] = t1 < 1 ? a[1] + t1 * dy : b[1];
    return 1;
}

/* Does circle cr's polygon cover (x, y) (on its boundary too)? */
static int ring_covers(const cell_set *c, const piece_sink *k, const circle_ring *cr, double x, double y)
{
    double dx = x - cr->cx, dy = y - cr->cy, d2 = dx * dx + dy * dy;
    if (d2 <= k->r_in * k->r_in)
        return 1;
    if (d2 > k->r_out * k->r_out)
        return 0;
    return ring_holds_near(c, cr, x, y, 1);
}

/* The crossing circles of piece p (region g) whose boundary may part two
 * classes below cap there, their segments meeting g marked to be noded
 * (keep: scratch of p->n). The rule of sv_geom_parting_boundaries, on the
 * circles' own rings in C and on the piece's padded ring rather than its
 * envelope: a boundary none of whose segments meets g is not kept, and one
 * whose part in g lies in cap other circles, each of whose own boundary is
 * kept, is dropped (greedy in input order, each drop checked against the
 * boundaries already dropped; a polyline lies in a convex polygon when its
 * points do). Where a boundary parts two classes in the district, the
 * piece of the cell holding the place keeps it and marks its segment
 * there; what a piece marks beyond its cell only adds nodes. -1 when out of
 * memory. */
static int parting_circles(cell_set *cs, const piece_sink *k, const sv_red_piece *p, const piece_region *g, int cap,
                           unsigned char *keep, parting_work *w)
{
    size_t n = p->n;
    if (sv_grow(&w->from, &w->capfrom, n + 1, sizeof *w->from, 64) != 0 ||
        sv_grow(&w->lbox, &w->caplbox, n + 1, sizeof *w->lbox, 64) != 0)
        return -1;
    w->npts = 0;
    for (size_t t = 0; t < n; t++) {
        const circle_ring *cr = &cs->ring[cs->slot[p->ids[t]] - 1];
        w->from[t] = w->npts;
        w->lbox[t] = (sv_env){INFINITY, INFINITY, -INFINITY, -INFINITY};
        for (size_t v = 0; v + 1 < cr->nv; v++) {
            const double *a = cr->xy + 2 * v;
            double q[4];
            if (!clip_segment(a, a + 2, g, q))
                continue;
            if (sv_grow(&w->pts, &w->cappts, 2 * (w->npts + 2), sizeof *w->pts, 256) != 0 ||
                sv_grow(&w->seg, &w->capseg, w->npts / 2 + 1, sizeof *w->seg, 128) != 0)
                return -1;
            memcpy(w->pts + 2 * w->npts, q, sizeof q);
            w->seg[w->npts / 2] = v;
            w->npts += 2;
            sv_env *lb = &w->lbox[t];
            lb->xmin = dmin(lb->xmin, dmin(q[0], q[2]));
            lb->ymin = dmin(lb->ymin, dmin(q[1], q[3]));
            lb->xmax = dmax(lb->xmax, dmax(q[0], q[2]));
            lb->ymax = dmax(lb->ymax, dmax(q[1], q[3]));
        }
        keep[t] = w->npts > w->from[t];
    }
    w->from[n] = w->npts;
    if (n > (size_t)cap) {
        if (sv_grow(&w->cover, &w->capcover, n * n, 1, 256) != 0 ||
            sv_grow(&w->dropped, &w->capdropped, n, 1, 64) != 0 ||
            sv_grow(&w->slack, &w->capslack, n, sizeof *w->slack, 64) != 0)
            return -1;
        memset(w->cover, 0, n * n);
        memset(w->dropped, 0, n);
        memset(w->slack, 0, n * sizeof *w->slack);
    }
    for (size_t j = 0; j < n && n > (size_t)cap; j++) {
        if (!keep[j])
            continue;
        const sv_env *lb = &w->lbox[j];
        int nc = 0;
        for (size_t m = 0; m < n; m++) {
            const circle_ring *cr = &cs->ring[cs->slot[p->ids[m]] - 1];
            const sv_env *e = &cr->box;
            if (m == j || lb->xmin < e->xmin || lb->ymin < e->ymin || lb->xmax > e->xmax || lb->ymax > e->ymax)
                continue;
            int c = 1;
            for (size_t u = w->from[j]; u < w->from[j + 1] && c; u++)
                c = ring_covers(cs, k, cr, w->pts[2 * u], w->pts[2 * u + 1]);
            w->cover[j * n + m] = (unsigned char)c;
            nc += c;
        }
        if (nc < cap)
            continue;
        /* the circles covering boundary j that are kept, beyond cap; j may
         * go if no dropped boundary then lacks a kept circle covering it */
        int kept = 0;
        for (size_t m = 0; m < n; m++)
            kept += w->cover[j * n + m] && !w->dropped[m];
        int ok = kept >= cap;
        for (size_t i = 0; ok && i < j; i++)
            if (w->dropped[i] && w->cover[i * n + j] && w->slack[i] < 1)
                ok = 0;
        if (!ok)
            continue;
        for (size_t i = 0; i < j; i++)
            if (w->dropped[i] && w->cover[i * n + j])
                w->slack[i]--;
        w->slack[j] = kept - cap;
        w->dropped[j] = 1;
        keep[j] = 0;
    }
    for (size_t t = 0; t < n; t++) {
        circle_ring *cr = &cs->ring[cs->slot[p->ids[t]] - 1];
        if (!keep[t])
            continue;
        if (!cr->mark && !(cr->mark = sv_calloc(cr->nv, 1)))
            return -1;
        for (size_t u = w->from[t]; u < w->from[t + 1]; u += 2)
            cr->mark[w->seg[u / 2]] = 1;
    }
    return 0;
}

/* Does the noded edge p[0..n) part two classes (or lie on the district's
 * boundary: its rings dxy, path q the points dst[q] .. dst[q + 1] - 1)? Decided at the middle of its
 * longest segment: the circles whose boundary passes there (within a tenth
 * of the margins split_piece sorts by) on its left and right, and the
 * others holding it. Between two nodes the other circles holding the edge
 * do not change (one that crossed it would part classes there and so be
 * noded). An edge on two circles' boundaries, or on none and away from the
 * district's boundary, is kept and *unsure set. 1 part, 0 not, -1 error. */
static int edge_parts(sv_geos *h, cell_set *cs, const sv_people_in *in, const piece_sink *k, const double *p,
                      size_t n, const double *dxy, const size_t *dst, size_t ndp, int *unsure)
{
    (void)h;
    size_t best = 0;
    double blen = -1;
    for (size_t v = 0; v + 1 < n; v++) {
        double dx = p[2 * v + 2] - p[2 * v], dy = p[2 * v + 3] - p[2 * v + 1], l2 = dx * dx + dy * dy;
        if (l2 > blen) {
            blen = l2;
            best = v;
        }
    }
    const double *a = p + 2 * best, *b = a + 2;
    double x = 0.5 * (a[0] + b[0]), y = 0.5 * (a[1] + b[1]);
    double tol = 2.5e-10 * k->R, tol2 = tol * tol;
    double in2 = k->r_in * k->r_in, out2 = k->r_out * k->r_out;
    sv_env box = {x - k->r_out, y - k->r_out, x + k->r_out, y + k->r_out};
    if (stations_in(cs, in->xs, in->ys, &box) != 0)
        return -1;
    int others = 0, left = 0, right = 0;
    for (size_t t = 0; t < cs->n_ids; t++) {
        size_t j = cs->ids[t];
        double cx = in->xs[j], cy = in->ys[j], dx = cx - x, dy = cy - y, d2 = dx * dx + dy * dy;
        if (d2 > out2)
            continue;
        if (d2 < in2) {
            others++;
            continue;
        }
        const circle_ring *cr = cell_circle(cs, j, cx, cy, k->R, k->qs);
        if (!cr)
            return -1;
        double near2 = ring_near2(cs, cr, x, y);
        if (near2 <= tol2) { /* on its boundary: inside on the centre's side */
            if ((b[0] - a[0]) * (cy - a[1]) - (b[1] - a[1]) * (cx - a[0]) > 0)
                left++;
            else
                right++;
        } else if (ring_holds_near(cs, cr, x, y, 0)) {
            others++;
        }
    }
    if (left + right == 1) {
        int top = SV_REDUNDANCY_CLASSES - 1;
        int cl = others + left < top ? others + left : top, crr = others + right < top ? others + right : top;
        return cl != crr;
    }
    if (left + right == 0) { /* the district's boundary, else in doubt */
        double near2 = INFINITY;
        for (size_t q = 0; q < ndp; q++)
            for (size_t v = dst[q]; v + 1 < dst[q + 1]; v++)
                near2 = dmin(near2, segment_distance2(dxy + 2 * v, dxy + 2 * v + 2, x, y));
        if (near2 > tol2)
            *unsure = 1;
        return 1;
    }
    *unsure = 1;
    return 1;
}

/* The classes of district D from its pieces (k) in one arrangement: in each
 * piece the boundaries of its crossing circles that may part two classes
 * below 3+ there are kept (the segments meeting the piece's envelope), all
 * of them noded at once with D's boundary, and each face counted at a point
 * inside it against every circle (up to 3). On the far side of a piece's
 * edge a kept boundary parts nothing the classes there do not (it only adds
 * faces), and where the classes change some piece keeps the boundary, so
 * the faces are each of one class and share their edges exactly. */
static sv_status district_faces(sv_ctx *ctx, sv_geos *h, cell_set *cs, const sv_people_in *in,
                                const piece_sink *k, const sv_geom *D, sv_popsurf *use, double own_people,
                                double *oa, double *op, sv_face_lists *L, sv_redundancy *r)
{
    unsigned char *keep = NULL;
    size_t capkeep = 0, nl = 0, capl = 0, nf = 0;
    sv_geom **lines = NULL;
    sv_face *faces = NULL;
    double *xy = NULL, *exy = NULL, *dxy = NULL;
    size_t *owner = NULL, *est = NULL, *dst = NULL, ne = 0, ndp = 0;
    sv_geom *noded = NULL;
    parting_work pw = {0};
    piece_region pg = {0};
    int unsure = 0;
    sv_status rc = SV_OK;
    for (size_t q = 0; q < k->np; q++) {
        const sv_red_piece *p = &k->pc[q];
        if (sv_grow(&keep, &capkeep, p->n, 1, 64) != 0) {
            rc = SV_ERR_NOMEM;
            goto done;
        }
        if (piece_region_of(k, q, &pg) != 0 ||
            parting_circles(cs, k, p, &pg, SV_REDUNDANCY_CLASSES - 1 - p->base, keep, &pw) != 0) {
            rc = SV_ERR_NOMEM;
            goto done;
        }
    }
    for (size_t t = 0; t < cs->nmade; t++)
        if (cs->ring[t].mark && marked_lines(h, &cs->ring[t], &lines, &nl, &capl) != 0)
            goto geom_fail;
    /* noded once; of the edges only those between two classes (and the
     * district's boundary) are polygonized, so that each face is a whole
     * connected part of one class */
    noded = sv_geom_node_lines(h, D, lines, nl);
    nl = 0;
    if (!noded || sv_geom_paths(h, noded, &exy, &est, &ne) != 0 || sv_geom_paths(h, D, &dxy, &dst, &ndp) != 0)
        goto geom_fail;
    sv_geom_destroy(h, noded);
    noded = NULL;
    for (size_t q = 0; q < ne; q++) {
        int part = edge_parts(h, cs, in, k, exy + 2 * est[q], est[q + 1] - est[q], dxy, dst, ndp, &unsure);
        if (part < 0)
            goto geom_fail;
        if (!part)
            continue;
        if (sv_grow(&lines, &capl, nl + 1, sizeof *lines, 64) != 0) {
            rc = SV_ERR_NOMEM;
            goto done;
        }
        if (!(lines[nl] = sv_geom_linestring(h, exy + 2 * est[q], est[q + 1] - est[q])))
            goto geom_fail;
        nl++;
    }
    if (sv_geom_region_faces(h, D, lines, nl, &faces, &xy, &nf) != 0)
        goto geom_fail;
    if (!(owner = sv_malloc((nf + 1) * sizeof *owner))) {
        rc = SV_ERR_NOMEM;
        goto done;
    }
    double R = k->R, in2 = k->r_in * k->r_in, out2 = k->r_out * k->r_out;
    for (size_t f = 0; f < nf; f++) {
        double x = xy[2 * f], y = xy[2 * f + 1];
        sv_env box = {x - k->r_out, y - k->r_out, x + k->r_out, y + k->r_out};
        if (stations_in(cs, in->xs, in->ys, &box) != 0) {
            rc = SV_ERR_NOMEM;
            goto done;
        }
        int count = 0;
        size_t only = SIZE_MAX;
        for (size_t t = 0; t < cs->n_ids && count < SV_REDUNDANCY_CLASSES - 1; t++) {
            size_t j = cs->ids[t];
            double dx = in->xs[j] - x, dy = in->ys[j] - y, d2 = dx * dx + dy * dy;
            if (d2 > out2)
                continue;
            if (d2 > in2) { /* near the circle's edge: its polygon says */
                const circle_ring *cr = cell_circle(cs, j, in->xs[j], in->ys[j], R, k->qs);
                if (!cr)
                    goto geom_fail;
                if (!ring_holds_near(cs, cr, x, y, 0))
                    continue;
            }
            count++;
            only = count == 1 ? j : SIZE_MAX;
        }
        faces[f].count = count;
        owner[f] = count == 1 ? only : SIZE_MAX;
    }
    /* the faces of a class meet at most at points, unless an edge was in doubt */
    rc = sv_redundancy_from_faces(ctx, h, D, faces, owner, nf, unsure ? 1 : 2, use, own_people, oa, op, L, r);
    faces = NULL;
    owner = NULL;
    goto done;
geom_fail:
    rc = sv_error(ctx, SV_ERR_GEOM, "cannot cut a district by the service areas: %s", sv_geos_errmsg(h));
done:
    for (size_t t = 0; t < nl; t++)
        sv_geom_destroy(h, lines[t]);
    free(lines);
    free(keep);
    parting_work_free(&pw);
    free(pg.h);
    sv_geom_destroy(h, noded);
    sv_free(exy);
    sv_free(est);
    sv_free(dxy);
    sv_free(dst);
    sv_faces_free(h, faces, nf);
    sv_free(xy);
    free(owner);
    return rc;
}

/* District D cut into its pieces in the cells, each with the circles of
 * break b that cross it; circles that hold a whole piece are only counted,
 * those that miss it are left out (both decided with margins so that a
 * doubtful circle is cut like a crossing one). */
static sv_status district_by_cells(sv_ctx *ctx, sv_geos *h, cell_set *cs, const sv_people_in *in,
                                   const sv_analysis *a, size_t b, const sv_geom *D, sv_popsurf *use,
                                   double own_people, double *oa, double *op, sv_face_lists *L, sv_redundancy *r)
{
    double R = a->breaks[b].radius_m;
    int qs = in->o->quad_segs;
    /* the circle is the regular 4*qs-gon on the true circle: its inner
     * radius holds for sure, outside the radius misses for sure */
    piece_sink k = {.h = h, .xs = in->xs, .ys = in->ys, .cs = cs, .R = R, .qs = qs,
                    .r_in = R * cos(M_PI / (4.0 * qs)) * (1 - 1e-9), .r_out = R * (1 + 1e-9)};
    sv_env e;
    sv_prep *P = sv_prep_create(h, D);
    size_t *cells = NULL, *cand = NULL, ncells = 0;
    sv_status rc = SV_OK;
    cs->n_ids = 0;
    if (!P || sv_geom_envelope(h, D, &e) != 0 || sv_index_query(h, cs->tree, &e, &cs->ids, &cs->n_ids, &cs->cap_ids) != 0)
        goto geom_fail;
    ncells = cs->n_ids;
    if (!(cells = sv_malloc((ncells + 1) * sizeof *cells))) {
        rc = SV_ERR_NOMEM;
        goto done;
    }
    memcpy(cells, cs->ids, ncells * sizeof *cells);
    for (size_t q = 0; q < ncells; q++) {
        size_t c = cells[q];
        const cell_rings *cr = cs->rings;
        sv_geom *cell = cr->multi[c] ? sv_geom_from_wkb(h, cs->cov->cell_wkb[c], cs->cov->cell_len[c])
                                     : sv_geom_polygon_xy(h, cr->xy[c], cr->nv[c]);
        int meets = cell ? sv_prep_intersects(h, P, cell) : -1;
        sv_geom_destroy(h, cell);
        if (meets < 0)
            goto geom_fail;
        if (!meets)
            continue;
        /* a cell of more than one ring: its envelope as the ring */
        const sv_env *ce = &cr->env[c];
        double box[10] = {ce->xmin, ce->ymin, ce->xmax, ce->ymin, ce->xmax, ce->ymax, ce->xmin, ce->ymax,
                          ce->xmin, ce->ymin};
        const double *ring = cr->multi[c] ? box : cr->xy[c];
        size_t nring = cr->multi[c] ? 5 : cr->nv[c];
        sv_env pe = {fmax(ce->xmin, e.xmin), fmax(ce->ymin, e.ymin), fmin(ce->xmax, e.xmax), fmin(ce->ymax, e.ymax)};
        sv_env grown = {pe.xmin - R, pe.ymin - R, pe.xmax + R, pe.ymax + R};
        cs->n_ids = 0;
        if (sv_index_query(h, cs->stations, &grown, &cs->ids, &cs->n_ids, &cs->cap_ids) != 0)
            goto geom_fail;
        size_t *nc = sv_realloc(cand, (cs->n_ids + 1) * sizeof *cand);
        if (!nc) {
            rc = SV_ERR_NOMEM;
            goto done;
        }
        cand = nc;
        memcpy(cand, cs->ids, cs->n_ids * sizeof *cand);
        if (split_piece(&k, ring, nring, &e, cand, cs->n_ids, 0, 0, 0) != 0)
            goto geom_fail;
    }
    for (size_t t = 0; t < k.ncross; t++) { /* the crossing circles' rings, in this order */
        size_t j = k.cross[t];
        if (!cell_circle(cs, j, in->xs[j], in->ys[j], R, qs)) {
            rc = SV_ERR_NOMEM;
            goto done;
        }
    }
    for (size_t q = 0; q < k.np; q++)
        k.pc[q].ids = k.cross + k.start[q];
    rc = district_faces(ctx, h, cs, in, &k, D, use, own_people, oa, op, L, r);
    goto done;
geom_fail:
    rc = sv_error(ctx, SV_ERR_GEOM, "cannot cut a district by the Voronoi cells: %s", sv_geos_errmsg(h));
done:
    cell_set_forget_circles(cs);
    free(k.pc);
    free(k.env);
    free(k.start);
    free(k.cross);
    sv_free(k.rxy);
    free(k.rfrom);
    free(cells);
    free(cand);
    sv_prep_destroy(h, P);
    return rc;
}

/* Redundancy on the worker threads (sv_parallel_run), break by break: one
 * item per district (and the city when districts overlap). Each worker has
 * its own GEOS handle, its cells (circles) or service areas (network,
 * --method union) and its own copy of the population surface (worker 0,
 * the calling thread, uses the caller's); what each station alone covers
 * is kept per item (district), and the caller adds the items up in item
 * order, the polygons of a station in several items united on the workers
 * (alone_item): the same numbers and bytes with any number of threads. */
typedef struct red_job red_job;

/* What one station alone covers in one item: area, people and the united
 * polygon's WKB (sv_free). */
typedef struct {
    size_t id;
    double area, people;
    unsigned char *wkb;
    size_t len;
} red_rec;

typedef struct {
    red_rec *r;
    size_t n;
} red_recs;

typedef struct {
    red_job *j;
    sv_ctx *ctx; /* this worker's messages */
    sv_geos *h;  /* the parallel run's (worker 0: the caller's) */
    cell_set cs;     /* by cells */
    area_source src; /* otherwise: the areas of the break */
    sv_popsurf *surf; /* this worker's population surface (NULL: none) */
    int own_surf;     /* surf is a copy this worker frees */
    sv_face_lists L; /* the faces of what each station alone covers, in the current item */
    double *oa, *op;  /* the current item's alone area and people per station (zero between items) */
} red_worker;

struct red_job {
    sv_ctx *ctx;
    const sv_people_in *in;
    sv_analysis *a;
    sv_popsurf *surf;
    const double *own;
    red_recs *recs; /* per item: what its stations alone cover */
    int cells;     /* districts cut along the cells (circles), else all areas at once */
    cell_rings rings; /* cells: shared by the workers, read only */
    size_t b, n_items;
    pthread_mutex_t lock;
    sv_status status;
    char errmsg[512];
};

static void red_fail(red_job *j, sv_status st, const char *msg)
{
    pthread_mutex_lock(&j->lock);
    if (j->status == SV_OK) {
        j->status = st;
        snprintf(j->errmsg, sizeof j->errmsg, "%s", msg);
    }
    pthread_mutex_unlock(&j->lock);
}

static void red_recs_clear(red_recs *rs)
{
    for (size_t k = 0; k < rs->n; k++)
        sv_free(rs->r[k].wkb);
    free(rs->r);
    rs->r = NULL;
    rs->n = 0;
}

/* fini of the parallel run: frees what red_worker_init made. */
static void red_worker_free(void *job, sv_geos *h, void *state)
{
    (void)h;
    red_worker *w = state;
    size_t ns = ((red_job *)job)->a->n_stations;
    cell_set_free(&w->cs);
    if (w->src.h)
        area_source_free(&w->src);
    if (w->own_surf)
        sv_popsurf_destroy(w->surf);
    for (size_t i = 0; i < ns; i++) {
        for (size_t k = 0; w->L.n && w->L.geoms && k < w->L.n[i]; k++)
            sv_geom_destroy(w->h, w->L.geoms[i][k]);
        free(w->L.geoms ? w->L.geoms[i] : NULL);
    }
    free(w->L.geoms);
    free(w->L.n);
    free(w->L.cap);
    sv_free(w->L.touched);
    free(w->oa);
    free(w->op);
    sv_ctx_destroy(w->ctx);
    memset(w, 0, sizeof *w);
}

static int red_worker_init(void *job, sv_geos *h, void *state, size_t index)
{
    red_job *j = job;
    red_worker *w = state;
    size_t ns = j->a->n_stations;
    w->j = j;
    w->h = h;
    w->ctx = sv_ctx_create();
    sv_ctx_set_lang(w->ctx, sv_ctx_lang(j->ctx)); /* its messages in the run's language */
    w->L = (sv_face_lists){.geoms = sv_calloc(ns + 1, sizeof(sv_geom **)), .n = sv_calloc(ns + 1, sizeof(size_t)),
                           .cap = sv_calloc(ns + 1, sizeof(size_t))};
    w->oa = sv_calloc(ns + 1, sizeof *w->oa);
    w->op = sv_calloc(ns + 1, sizeof *w->op);
    int ok = w->ctx && w->L.geoms && w->L.n && w->L.cap && w->oa && w->op;
    if (ok && j->cells) {
        ok = cell_set_init(&w->cs, w->h, &j->rings, &j->a->cov, j->in->xs, j->in->ys, j->a->breaks[j->b].radius_m) == 0;
    } else if (ok) {
        w->src = (area_source){.h = h, .a = j->a, .in = j->in};
        if (j->in->net && !(w->src.net_areas = sv_calloc(ns + 1, sizeof *w->src.net_areas)))
            ok = 0;
        ok = ok && areas_for_break(&w->src, j->b) == 0;
    }
    if (ok && j->surf) { /* the surface's geometries belong to the caller's handle */
        w->own_surf = index != 0;
        ok = (w->surf = w->own_surf ? sv_popsurf_copy(j->surf, h) : j->surf) != NULL;
    }
    if (!ok) {
        char msg[400];
        snprintf(msg, sizeof msg, sv_tr(sv_ctx_lang(j->ctx), "cannot prepare a worker for the redundancy classes: %s"),
                 sv_geos_errmsg(h));
        red_fail(j, SV_ERR_GEOM, msg);
        return -1;
    }
    return 0;
}

/* What each station alone covers in the item just done, from the worker's
 * faces, areas and people into rs (in the order the stations were met):
 * one polygon per station, a coverage union of its faces (the faces of an
 * item come from one noding and share their edges exactly), or only their
 * collection when they meet at most at points (L->apart). The worker's
 * lists and sums are left empty for the next item. */
static sv_status red_item_keep(red_worker *w, red_recs *rs)
{
    sv_face_lists *L = &w->L;
    sv_status rc = SV_OK;
    rs->r = L->n_touched ? sv_calloc(L->n_touched, sizeof *rs->r) : NULL;
    if (L->n_touched && !rs->r)
        rc = sv_error(w->ctx, SV_ERR_NOMEM, "out of memory keeping what each station alone covers");
    for (size_t t = 0; t < L->n_touched; t++) {
        size_t i = L->touched[t];
        if (rc == SV_OK) {
            sv_geom *u = L->apart ? sv_geom_collect_take(w->h, L->geoms[i], L->n[i])
                                  : sv_geom_coverage_union_take(w->h, L->geoms[i], L->n[i]);
            sv_geom *p = u ? sv_geom_without_slivers(w->h, u, SV_SLIVER_TOL_M, NULL) : NULL;
            red_rec *r = &rs->r[rs->n];
            *r = (red_rec){.id = i, .area = w->oa[i], .people = w->op[i]};
            r->wkb = p ? sv_geom_to_wkb(w->h, p, &r->len) : NULL;
            sv_geom_destroy(w->h, u);
            sv_geom_destroy(w->h, p);
            if (!r->wkb)
                rc = sv_error(w->ctx, SV_ERR_GEOM, "cannot unite what a station alone covers: %s",
                              sv_geos_errmsg(w->h));
            else
                rs->n++;
        }
        for (size_t k = 0; k < L->n[i]; k++)
            sv_geom_destroy(w->h, L->geoms[i][k]);
        L->n[i] = 0;
        w->oa[i] = w->op[i] = 0;
    }
    L->n_touched = 0;
    return rc;
}

/* Item d of the break: district d, or the city (d = n_districts). */
static int red_item(void *job, sv_geos *h, void *state, size_t d)
{
    (void)h;
    red_job *j = job;
    red_worker *w = state;
    if (j->status != SV_OK)
        return -1;
    if (sv_ctx_interrupted(j->ctx)) {
        red_fail(j, SV_ERR_INTERRUPTED, "interrupted");
        return -1;
    }
    const sv_people_in *in = j->in;
    sv_analysis *a = j->a;
    size_t nd = a->n_districts, nb = a->n_breaks;
    int city = d == nd, acc = city || !a->districts_overlap; /* where "what a station alone covers" is counted */
    /* A districts field spreads each district's own people over it;
     * otherwise the surface says (no surface: no people). */
    sv_popsurf *use = w->surf;
    double own_people = -1;
    if (!city && j->own[d] >= 0) {
        use = NULL;
        own_people = j->own[d];
    } else if (!city && isnan(j->own[d])) {
        use = NULL; /* unknown */
    }
    sv_geom *D = sv_geom_from_wkb(w->h, in->dw[d], in->dl[d]);
    double *oa = acc ? w->oa : NULL, *op = acc ? w->op : NULL;
    sv_face_lists *L = acc ? &w->L : NULL;
    sv_redundancy *r = &a->people.red[d * nb + j->b];
    sv_status rc = SV_OK;
    sv_env e;
    if (!D)
        rc = sv_error(w->ctx, SV_ERR_GEOM, "cannot read a district: %s", sv_geos_errmsg(w->h));
    else if (j->cells)
        rc = district_by_cells(w->ctx, w->h, &w->cs, in, a, j->b, D, use, own_people, oa, op, L, r);
    else if (sv_geom_envelope(w->h, D, &e) != 0 || areas_near(&w->src, &e) != 0)
        rc = sv_error(w->ctx, SV_ERR_GEOM, "cannot find the service areas near a district: %s",
                      sv_geos_errmsg(w->h));
    else /* every area reaching the district noded at once */
        rc = sv_redundancy_compute(w->ctx, w->h, D, (const sv_geom *const *)w->src.got, w->src.ids, w->src.n_got,
                                   use, own_people, oa, op, L, r);
    sv_geom_destroy(w->h, D);
    if (rc == SV_OK && acc)
        rc = red_item_keep(w, &j->recs[d]);
    if (rc != SV_OK)
        red_fail(j, rc, sv_ctx_errmsg(w->ctx));
    return rc == SV_OK ? 0 : -1;
}

/* The calling thread reports progress every 8 districts. */
static void red_progress(void *job, size_t dn, size_t n)
{
    red_job *j = job;
    if ((dn & 7) == 0)
        sv_progress(j->ctx, "redundancy", ((double)j->b + (double)dn / (double)n) / (double)j->a->n_breaks);
}

/* The whole area's redundancy classes at break b as the sum of the
 * districts' (when they do not overlap); people NULL (NaN) without a
 * population surface, and districts of unknown people add none. */
static void city_classes_from_districts(sv_people_result *P, size_t nd, size_t nb, size_t b, int have_people)
{
    sv_redundancy *r = &P->red[nd * nb + b];
    for (int c = 0; c < SV_REDUNDANCY_CLASSES; c++) {
        r->people[c] = 0;
        for (size_t k = 0; k < nd; k++) {
            r->area[c] += P->red[k * nb + b].area[c];
            if (isfinite(P->red[k * nb + b].people[c]))
                r->people[c] += P->red[k * nb + b].people[c];
        }
        if (!have_people)
            r->people[c] = NAN;
    }
}

/* What the stations in several items alone cover, united on the workers:
 * item k is station multi[k], its parts byst[start[i] .. start[i + 1]) in
 * item order, its polygon's WKB into wkb[i], len[i]. */
typedef struct {
    red_job *j;
    const red_rec *const *byst;
    const size_t *start, *multi;
    unsigned char **wkb;
    size_t *len;
} alone_job;

static int alone_item(void *job, sv_geos *h, size_t k)
{
    alone_job *aj = job;
    red_job *j = aj->j;
    if (j->status != SV_OK)
        return -1;
    size_t i = aj->multi[k], n0 = aj->start[i], n1 = aj->start[i + 1], np = 0;
    sv_geom *stack[16], **parts = n1 - n0 <= 16 ? stack : sv_calloc(n1 - n0, sizeof *parts);
    int ok = parts != NULL;
    for (size_t q = n0; q < n1 && ok; q++)
        ok = (parts[np++] = sv_geom_from_wkb(h, aj->byst[q]->wkb, aj->byst[q]->len)) != NULL;
    sv_geom *u = ok ? sv_geom_tiles_union_take(h, parts, np) : NULL;
    for (size_t q = 0; q < np; q++)
        sv_geom_destroy(h, parts[q]);
    if (parts != stack)
        free(parts);
    sv_geom *pg = u ? sv_geom_without_slivers(h, u, SV_SLIVER_TOL_M, NULL) : NULL;
    sv_geom_destroy(h, u);
    aj->wkb[i] = pg ? sv_geom_to_wkb(h, pg, &aj->len[i]) : NULL;
    sv_geom_destroy(h, pg);
    if (!aj->wkb[i]) {
        char msg[400];
        snprintf(msg, sizeof msg, sv_tr(sv_ctx_lang(j->ctx), "cannot unite what a station alone covers: %s"),
                 sv_geos_errmsg(h));
        red_fail(j, SV_ERR_GEOM, msg);
        return -1;
    }
    return 0;
}

/* The redundancy classes and critical stations on the worker threads,
 * break by break: each district cut along the cells (cells), else by all
 * the areas reaching it at once. */
static sv_status redundancy_parallel(sv_ctx *ctx, sv_geos *h, const sv_people_in *in, sv_analysis *a,
                                     sv_popsurf *surf, const double *own, int cells)
{
    sv_people_result *P = &a->people;
    size_t nd = a->n_districts, nb = a->n_breaks, ns = a->n_stations;
    int overlap = a->districts_overlap;
    red_job j = {.ctx = ctx, .in = in, .a = a, .surf = surf, .own = own, .cells = cells,
                 .n_items = nd + (overlap ? 1 : 0)};
    pthread_mutex_init(&j.lock, NULL);
    int threads = sv_ctx_threads(ctx);
    size_t nt = sv_parallel_workers(threads, j.n_items);
    j.recs = sv_calloc(j.n_items + 1, sizeof *j.recs);
    size_t *start = sv_calloc(ns + 1, sizeof *start), *at = sv_calloc(ns + 1, sizeof *at);
    size_t *multi = sv_calloc(ns + 1, sizeof *multi); /* the stations whose parts come from several items */
    const red_rec **byst = NULL; /* the records of station i: byst[start[i] .. start[i + 1]), in item order */
    sv_status rc = SV_OK;
    if (!j.recs || !start || !at || !multi) {
        rc = SV_ERR_NOMEM;
        goto done;
    }
    if (surf && nt > 1 && sv_popsurf_share(surf) != 0) { /* for the workers' copies */
        rc = sv_error(ctx, SV_ERR_NOMEM, "out of memory sharing the population with the redundancy workers");
        goto done;
    }
    sv_parallel_spec spec = {.worker_size = sizeof(red_worker),
                             .init = red_worker_init,
                             .item = red_item,
                             .fini = red_worker_free,
                             .progress = red_progress,
                             .caller_h = h,
                             /* what each station alone covers is kept per item */
                             .striped = 1};
    if (cells && cell_rings_init(&j.rings, h, &a->cov) != 0) {
        rc = sv_error(ctx, SV_ERR_GEOM, "cannot read the Voronoi cells for the redundancy classes: %s",
                      sv_geos_errmsg(h));
        goto done;
    }
    sv_progress(ctx, "redundancy", 0.0);
    for (size_t b = 0; b < nb && rc == SV_OK; b++) {
        j.b = b;
        for (size_t d = 0; d < j.n_items; d++)
            red_recs_clear(&j.recs[d]);
        if (sv_parallel_run(threads, j.n_items, &spec, &j) != 0 && j.status == SV_OK)
            red_fail(&j, SV_ERR_NOMEM, "out of memory starting the redundancy workers");
        if (j.status != SV_OK) {
            rc = j.status == SV_ERR_INTERRUPTED ? SV_ERR_INTERRUPTED : sv_error(ctx, j.status, "%s", j.errmsg);
            break;
        }
        if (!overlap) /* the city is the sum of the districts */
            city_classes_from_districts(P, nd, nb, b, surf != NULL);
        /* What each station alone covers: its items' parts together, in
         * item order. */
        size_t total = 0;
        memset(start, 0, (ns + 1) * sizeof *start);
        for (size_t d = 0; d < j.n_items; d++)
            for (size_t q = 0; q < j.recs[d].n; q++)
                start[j.recs[d].r[q].id + 1]++;
        for (size_t i = 0; i < ns; i++)
            start[i + 1] += start[i];
        total = start[ns];
        free(byst);
        byst = sv_malloc((total + 1) * sizeof *byst);
        if (!byst) {
            rc = SV_ERR_NOMEM;
            break;
        }
        memcpy(at, start, ns * sizeof *at);
        for (size_t d = 0; d < j.n_items; d++)
            for (size_t q = 0; q < j.recs[d].n; q++)
                byst[at[j.recs[d].r[q].id]++] = &j.recs[d].r[q];
        double *oa = P->crit_area + b * ns, *op = P->crit_pop + b * ns;
        size_t nm = 0;
        for (size_t i = 0; i < ns; i++) {
            size_t n0 = start[i], n1 = start[i + 1];
            for (size_t q = n0; q < n1; q++) {
                oa[i] += byst[q]->area;
                op[i] += byst[q]->people;
            }
            if (!surf)
                op[i] = NAN;
            if (n1 - n0 == 1) { /* one item's polygon as it is */
                red_rec *r = (red_rec *)byst[n0];
                P->crit_wkb[b * ns + i] = r->wkb;
                P->crit_len[b * ns + i] = r->len;
                r->wkb = NULL;
            } else if (n1 > n0) {
                multi[nm++] = i;
            }
        }
        /* the stations in several items: their parts united on the
         * workers, each station's in item order (the same bytes on any
         * number of threads) */
        alone_job aj = {.j = &j, .byst = byst, .start = start, .multi = multi,
                        .wkb = P->crit_wkb + b * ns, .len = P->crit_len + b * ns};
        if (nm && sv_parallel_for(threads, nm, alone_item, &aj) != 0 && j.status == SV_OK)
            red_fail(&j, SV_ERR_NOMEM, "out of memory starting the redundancy workers");
        if (j.status != SV_OK)
            rc = sv_error(ctx, j.status, "%s", j.errmsg);
    }
    sv_progress(ctx, "redundancy", 1.0);
done:
    for (size_t d = 0; j.recs && d < j.n_items; d++)
        red_recs_clear(&j.recs[d]);
    free(j.recs);
    free(start);
    free(at);
    free(multi);
    free(byst);
    cell_rings_free(&j.rings);
    pthread_mutex_destroy(&j.lock);
    return rc;
}

/* Redundancy classes (a->people.red) and critical stations (crit_*): by
 * cells with circles, else by noding the areas reaching each district. */
sv_status sv_people_redundancy(sv_ctx *ctx, sv_geos *h, const sv_people_in *in, sv_analysis *a, sv_popsurf *surf,
                               const double *own)
{
    sv_people_result *P = &a->people;
    size_t nd = a->n_districts, nb = a->n_breaks, ns = a->n_stations;
    if (in->net && !in->areas->st_wkb)
        return SV_OK; /* no per-station areas (--no-service-areas) */
    P->red = sv_calloc((nd + 1) * nb, sizeof *P->red);
    P->crit_area = sv_calloc(nb * ns + 1, sizeof *P->crit_area);
    P->crit_pop = sv_calloc(nb * ns + 1, sizeof *P->crit_pop);
    P->crit_wkb = sv_calloc(nb * ns + 1, sizeof *P->crit_wkb);
    P->crit_len = sv_calloc(nb * ns + 1, sizeof *P->crit_len);
    if (!P->red || !P->crit_area || !P->crit_pop || !P->crit_wkb || !P->crit_len)
        return SV_ERR_NOMEM;
    /* Circles and the Voronoi cells of the coverage: each district is cut
     * cell by cell (--method union, network: all areas of a district at
     * once); districts that do not overlap add up to the city, otherwise
     * the city is cut on its own. */
    return redundancy_parallel(ctx, h, in, a, surf, own, !in->net && ns > 0 && a->cov.n_cells == ns);
}
