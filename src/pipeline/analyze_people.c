/* analyze_people.c - the "who is covered" stage of svcov analyze: people per
 * district and break, redundancy, critical stations, fairness and areas of
 * responsibility. */
#include "svcov/sv_analyze.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double sv_analysis_minutes(const sv_analysis *a, double cost)
{
    double kmh = a->speed_kmh > 0 ? a->speed_kmh : 5.0;
    if (!isfinite(cost))
        return NAN;
    if (a->network) /* seconds (time breaks) or metres (distance breaks) */
        return isnan(a->breaks[0].minutes) ? cost / kmh * 0.06 : cost / 60.0;
    return cost / (kmh / 0.06); /* straight metres */
}

void sv_people_result_free(sv_people_result *p, size_t n_districts, size_t n_breaks, size_t n_stations)
{
    free(p->total);
    free(p->covered);
    free(p->gini);
    for (size_t k = 0; p->red && k < (n_districts + 1) * n_breaks; k++)
        sv_redundancy_free(&p->red[k]);
    free(p->red);
    free(p->crit_area);
    free(p->crit_pop);
    for (size_t k = 0; p->crit_wkb && k < n_breaks * n_stations; k++)
        sv_free(p->crit_wkb[k]);
    free(p->crit_wkb);
    free(p->crit_len);
    free(p->med_m);
    free(p->p90_m);
    free(p->med_min);
    free(p->p90_min);
    free(p->n_points);
    free(p->resp_area);
    free(p->resp_pop);
    free(p->resp_n);
    for (size_t k = 0; p->resp_wkb && k < n_stations; k++)
        sv_free(p->resp_wkb[k]);
    free(p->resp_wkb);
    free(p->resp_len);
    for (size_t c = 0; c < p->n_categories; c++) {
        free(p->categories ? p->categories[c] : NULL);
        if (p->cat_cov)
            sv_cov_result_free(&p->cat_cov[c]);
    }
    free(p->categories);
    for (size_t i = 0; p->station_ids && i < n_stations; i++)
        free(p->station_ids[i]);
    free(p->station_ids);
    free(p->cat_stations);
    free(p->cat_cov);
    free(p->cat_total);
    free(p->cat_covered);
    memset(p, 0, sizeof *p);
}

/* Where people live, as points with weights, for distances. */
typedef struct {
    double *x, *y, *w;
    size_t n;
    sv_demand_access acc; /* computed here unless borrowed */
    const sv_demand_access *use;
} people_points;

static void points_free(people_points *p)
{
    free(p->x);
    free(p->y);
    free(p->w);
    sv_demand_access_free(&p->acc);
    memset(p, 0, sizeof *p);
}

static int points_alloc(people_points *p, size_t n)
{
    p->x = malloc((n + 1) * sizeof *p->x);
    p->y = malloc((n + 1) * sizeof *p->y);
    p->w = malloc((n + 1) * sizeof *p->w);
    return p->x && p->y && p->w ? 0 : -1;
}

static sv_status points_access(sv_ctx *ctx, const sv_people_in *in, const sv_analysis *a, people_points *p)
{
    if (in->net)
        return sv_demand_access_network(ctx, in->net, in->areas, in->xs, in->ys, a->n_stations, p->x, p->y, p->n,
                                        in->access_opts, &p->acc);
    double *radius = malloc((a->n_breaks + 1) * sizeof *radius);
    if (!radius)
        return SV_ERR_NOMEM;
    for (size_t b = 0; b < a->n_breaks; b++)
        radius[b] = a->breaks[b].radius_m;
    sv_status rc = sv_demand_access_circles(ctx, in->xs, in->ys, a->n_stations, p->x, p->y, p->n, radius,
                                            a->n_breaks, &p->acc);
    free(radius);
    return rc;
}

/* People per district and break: all inside, minus those in the gap
 * polygon of cov (district nd: the whole city, the sum of the districts
 * unless they overlap). own[d] >= 0: a district's own people spread evenly
 * over it; NAN: unknown (counted in *n_unknown); -1: asked of surf. */
sv_status sv_people_covered(sv_ctx *ctx, sv_geos *h, sv_popsurf *surf, const double *own, const sv_cov_result *cov,
                            const unsigned char *const *dw, const size_t *dl, size_t nd, size_t nb, int overlap,
                            double *total, double *covered, size_t *n_unknown)
{
    sv_status rc = SV_OK;
    for (size_t d = 0; d <= nd && rc == SV_OK; d++) {
        sv_geom *D = NULL;
        double inside = NAN;
        if (d == nd && !overlap) { /* the city is the sum of its districts */
            /* districts with unknown people are left out (said in their
             * issue); none known: the city's people are unknown too */
            for (size_t b = 0; b < nb; b++) {
                double t = 0, c = 0;
                size_t known = 0;
                for (size_t k = 0; k < nd; k++) {
                    known += isfinite(total[k * nb + b]);
                    t += isfinite(total[k * nb + b]) ? total[k * nb + b] : 0;
                    c += isfinite(covered[k * nb + b]) ? covered[k * nb + b] : 0;
                }
                total[d * nb + b] = known ? t : NAN;
                covered[d * nb + b] = known ? c : NAN;
            }
            break;
        }
        if (d < nd && own[d] >= 0) {
            inside = own[d];
        } else if (d < nd && isnan(own[d])) {
            (*n_unknown)++;
            continue; /* unknown people */
        } else {
            D = sv_geom_from_wkb(h, dw[d], dl[d]);
            inside = D ? sv_popsurf_in(surf, D) : NAN;
        }
        sv_geom_destroy(h, D);
        for (size_t b = 0; b < nb && isfinite(inside); b++) {
            const sv_cov_cell *c = &cov->cells[d * nb + b];
            double gap = 0.0;
            if (d < nd && own[d] >= 0) {
                gap = c->area_m2 > 0 ? inside * c->gap_m2 / c->area_m2 : 0.0;
            } else if (c->gap_wkb) {
                sv_geom *G = sv_geom_from_wkb(h, c->gap_wkb, c->gap_len);
                gap = G ? sv_popsurf_in(surf, G) : NAN;
                sv_geom_destroy(h, G);
            } else if (c->gap_m2 > 0) {
                gap = NAN; /* no gap polygon kept for this row */
            }
            total[d * nb + b] = inside;
            covered[d * nb + b] = isfinite(gap) ? fmax(0.0, inside - gap) : NAN;
        }
        if (!isfinite(inside))
            rc = sv_error(ctx, SV_ERR_GEOM, "cannot count the people of a district: %s", sv_geos_errmsg(h));
        sv_progress(ctx, "people", 0.5 * (double)(d + 1) / (double)(nd + 1));
    }
    return rc;
}

/* The population surface and the people points, as the options say. */
static sv_status build_surface(sv_ctx *ctx, sv_geos *h, const sv_people_in *in, sv_analysis *a, sv_popsurf *surf,
                               double *own, people_points *pts)
{
    const sv_analyze_opts *o = in->o;
    sv_people_result *P = &a->people;
    sv_status rc = SV_OK;
    size_t nd = a->n_districts;
    for (size_t d = 0; d < nd; d++)
        own[d] = -1;
    if (o->population_raster) {
        sv_env e;
        sv_geom *city = sv_geom_from_wkb(h, in->dw[nd], in->dl[nd]);
        int ok = city && sv_geom_envelope(h, city, &e) == 0;
        sv_geom_destroy(h, city);
        if (!ok)
            return sv_error(ctx, SV_ERR_GEOM, "cannot take the extent of the districts: %s", sv_geos_errmsg(h));
        sv_raster_cells cells;
        if ((rc = sv_raster_read(ctx, o->population_raster, a->crs.epsg, &e, &cells)) != SV_OK)
            return rc;
        P->method = SV_POP_RASTER;
        P->raster_cells = cells.n_cells;
        P->raster_nodata = cells.n_nodata;
        P->raster_negative = cells.n_negative;
        P->raster_kept = cells.n;
        P->raster_sum = cells.sum;
        if (cells.n_negative)
            rc = sv_issue_add(ctx, o->population_raster, "band 1", "(cells)",
                              "has negative cell values; they are not people (counted in runs.raster_negative)",
                              SV_ISSUE_SKIPPED);
        if (rc == SV_OK && !o->demand.spec && points_alloc(pts, cells.n) != 0)
            rc = SV_ERR_NOMEM;
        for (size_t i = 0; i < cells.n && rc == SV_OK; i++) {
            const double *c = cells.corners + 8 * i;
            if (sv_popsurf_add_piece(surf, sv_geom_polygon_xy(h, c, 4), cells.value[i]) != 0)
                continue; /* a cell that collapsed in the transformation holds no area */
            if (!o->demand.spec) {
                pts->x[pts->n] = (c[0] + c[2] + c[4] + c[6]) / 4;
                pts->y[pts->n] = (c[1] + c[3] + c[5] + c[7]) / 4;
                pts->w[pts->n++] = cells.value[i];
            }
        }
        sv_raster_cells_free(&cells);
        if (rc == SV_OK && pts->n) {
            a->people.points_source = "raster cell centres";
            rc = points_access(ctx, in, a, pts);
            pts->use = &pts->acc;
        }
        return rc;
    }

    /* Polygons with people: a population layer, or the districts' field. */
    const sv_featureset *blocks_fs = o->population.spec ? in->population : in->districts;
    int from_districts = !o->population.spec;
    size_t nb = from_districts ? nd : blocks_fs->n;
    sv_geom **blocks = calloc(nb + 1, sizeof *blocks);
    double *bp = calloc(nb + 1, sizeof *bp);
    if (!blocks || !bp) {
        free(blocks);
        free(bp);
        return SV_ERR_NOMEM;
    }
    if (from_districts && a->districts_overlap)
        rc = sv_issue_add(ctx, blocks_fs->path, blocks_fs->layer, "(layer)",
                          "has overlapping districts: each district's own figures use its own people, but the "
                          "city-wide people count the overlaps twice (give non-overlapping population polygons "
                          "with --population)",
                          SV_ISSUE_REPAIRED);
    for (size_t i = 0; i < nb && rc == SV_OK; i++) {
        if (from_districts) {
            blocks[i] = sv_geom_from_wkb(h, in->vd[i].wkb, in->vd[i].len);
            bp[i] = in->districts->items[in->vd[i].src].weight;
            own[i] = isfinite(bp[i]) ? bp[i] : NAN;
        } else {
            const sv_feature *f = &blocks_fs->items[i];
            sv_geom *g = sv_geom_from_wkb(h, f->wkb, f->wkb_len);
            int repaired = 0;
            blocks[i] = g ? sv_geom_make_valid_polygonal(h, g, &repaired) : NULL;
            sv_geom_destroy(h, g);
            bp[i] = f->weight;
            if (repaired && blocks[i])
                rc = sv_issue_add(ctx, blocks_fs->path, blocks_fs->layer, f->id,
                                  "is not a valid polygon; repaired (GEOS MakeValid)", SV_ISSUE_REPAIRED);
        }
        if (!blocks[i])
            rc = sv_error(ctx, SV_ERR_GEOM, "cannot read a population polygon: %s", sv_geos_errmsg(h));
        if (!isfinite(bp[i]))
            bp[i] = 0; /* unknown: no people spread (the district shows NULL) */
    }
    if (rc == SV_OK && o->demand.spec) {
        /* Dasymetric: the people go to the buildings, weighted by footprint
         * area x levels (points weigh 1 x levels). */
        size_t n = in->n_demand;
        double *bw = malloc((n + 1) * sizeof *bw), *bpeople = malloc((n + 1) * sizeof *bpeople);
        if (!bw || !bpeople || points_alloc(pts, n) != 0) {
            rc = SV_ERR_NOMEM;
        } else {
            for (size_t i = 0; i < n; i++) {
                const sv_feature *f = &in->demand->items[in->dem_keep[i]];
                sv_geom *g = sv_geom_from_wkb(h, f->wkb, f->wkb_len);
                double area = g && sv_geom_is_polygonal(h, g) == 1 ? sv_geom_area(h, g) : 1.0;
                sv_geom_destroy(h, g);
                bw[i] = fmax(area, 0.0) * (isfinite(f->levels) ? f->levels : 1.0);
            }
            if (sv_popsurf_dasymetric(surf, blocks, bp, nb, in->dem_x, in->dem_y, bw, n, bpeople,
                                      &P->n_blocks_empty) != 0) {
                rc = sv_error(ctx, SV_ERR_GEOM, "cannot spread the people over the buildings: %s",
                              sv_geos_errmsg(h));
            } else {
                for (size_t i = 0; i < n; i++) {
                    pts->x[i] = in->dem_x[i];
                    pts->y[i] = in->dem_y[i];
                    pts->w[i] = bpeople[i];
                }
                pts->n = n;
                pts->use = in->dem_access;
                P->points_source = "buildings (people from dasymetric mapping)";
                P->method = SV_POP_DASYMETRIC;
            }
        }
        free(bw);
        free(bpeople);
        if (from_districts)
            for (size_t d = 0; d < nd; d++)
                own[d] = -1; /* people follow the buildings now */
    } else if (rc == SV_OK) {
        P->method = from_districts ? SV_POP_DISTRICT_FIELD : SV_POP_AREAL;
        if (!from_districts && points_alloc(pts, nb) != 0)
            rc = SV_ERR_NOMEM;
        for (size_t i = 0; i < nb && rc == SV_OK; i++) {
            if (!from_districts && bp[i] > 0) { /* distances from each block's centroid */
                sv_geom *c = sv_geom_point_on_surface(h, blocks[i]);
                if (c && sv_geom_point_xy(h, c, &pts->x[pts->n], &pts->y[pts->n]) == 0)
                    pts->w[pts->n++] = bp[i];
                sv_geom_destroy(h, c);
            }
            if (bp[i] > 0 && sv_popsurf_add_piece(surf, blocks[i], bp[i]) != 0 && !from_districts)
                rc = sv_issue_add(ctx, blocks_fs->path, blocks_fs->layer, blocks_fs->items[i].id,
                                  "has people but no area; its people are not counted", SV_ISSUE_SKIPPED);
            if (bp[i] > 0)
                blocks[i] = NULL; /* the surface took it */
        }
        if (rc == SV_OK && pts->n) {
            P->points_source = "population polygons (a point inside each)";
            rc = points_access(ctx, in, a, pts);
            pts->use = &pts->acc;
        }
    }
    for (size_t i = 0; i < nb; i++)
        sv_geom_destroy(h, blocks[i]);
    free(blocks);
    free(bp);
    return rc;
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
    s->got = calloc(s->n_ids + 1, sizeof *s->got);
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
 * whole cell or miss it. */
typedef struct {
    sv_geos *h;
    size_t n;
    sv_geom **g;      /* per station; NULL for a repeated station */
    double **xy;      /* the cell's ring, x0,y0,...; sv_free */
    size_t *nv;
    sv_index *tree;     /* over the cells */
    sv_index *stations; /* over the station points */
    sv_geom **circle;   /* per station, for the current break (lazily made) */
    size_t *ids, n_ids, cap_ids;
} cell_set;

static void cell_set_free(cell_set *c)
{
    for (size_t i = 0; i < c->n; i++) {
        sv_geom_destroy(c->h, c->g ? c->g[i] : NULL);
        sv_geom_destroy(c->h, c->circle ? c->circle[i] : NULL);
        sv_free(c->xy ? c->xy[i] : NULL);
    }
    free(c->g);
    free(c->xy);
    free(c->nv);
    free(c->circle);
    sv_free(c->ids);
    sv_index_destroy(c->h, c->tree);
    sv_index_destroy(c->h, c->stations);
    memset(c, 0, sizeof *c);
}

static int cell_set_init(cell_set *c, sv_geos *h, const sv_cov_result *cov, const double *xs, const double *ys)
{
    size_t n = cov->n_cells;
    memset(c, 0, sizeof *c);
    c->h = h;
    c->n = n;
    c->g = calloc(n + 1, sizeof *c->g);
    c->xy = calloc(n + 1, sizeof *c->xy);
    c->nv = calloc(n + 1, sizeof *c->nv);
    c->circle = calloc(n + 1, sizeof *c->circle);
    c->tree = sv_index_create(h);
    c->stations = sv_index_create(h);
    if (!c->g || !c->xy || !c->nv || !c->circle || !c->tree || !c->stations)
        return -1;
    for (size_t i = 0; i < n; i++) {
        sv_env pt = {xs[i], ys[i], xs[i], ys[i]};
        if (sv_index_insert(h, c->stations, i, &pt) != 0)
            return -1;
        if (!cov->cell_wkb[i])
            continue;
        size_t *starts = NULL, np = 0;
        sv_env e;
        if (!(c->g[i] = sv_geom_from_wkb(h, cov->cell_wkb[i], cov->cell_len[i])) ||
            sv_geom_paths(h, c->g[i], &c->xy[i], &starts, &np) != 0 || np < 1 ||
            sv_geom_envelope(h, c->g[i], &e) != 0 || sv_index_insert(h, c->tree, i, &e) != 0) {
            sv_free(starts);
            return -1;
        }
        c->nv[i] = starts[1] - starts[0]; /* the exterior ring */
        sv_free(starts);
    }
    return 0;
}

/* Distance from (x, y) to the convex ring xy[0..n) (0 inside). */
static double convex_distance(const double *xy, size_t n, double x, double y)
{
    double best = INFINITY;
    int pos = 0, neg = 0;
    for (size_t k = 0; k + 1 < n; k++) {
        double ax = xy[2 * k], ay = xy[2 * k + 1], bx = xy[2 * k + 2], by = xy[2 * k + 3];
        double dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
        double cr = dx * (y - ay) - dy * (x - ax);
        pos += cr > 0;
        neg += cr < 0;
        double t = len2 > 0 ? ((x - ax) * dx + (y - ay) * dy) / len2 : 0;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        best = fmin(best, hypot(x - ax - t * dx, y - ay - t * dy));
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
    sv_red_piece *pc;
    size_t *start, np, cap, capstart;
    sv_geom **owned;
    size_t nown, capown;
    size_t *cross, ncross, capcross;
} piece_sink;

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t nc = *cap ? *cap : 64;
    while (nc < need)
        nc *= 2;
    void *n = realloc(*p, nc * size);
    if (!n)
        return -1;
    *p = n;
    *cap = nc;
    return 0;
}

static int sink_own(piece_sink *k, sv_geom *g)
{
    if (grow((void **)&k->owned, &k->capown, k->nown + 1, sizeof *k->owned) != 0) {
        sv_geom_destroy(k->h, g);
        return -1;
    }
    k->owned[k->nown++] = g;
    return 0;
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

#ifndef SPLIT_ABOVE
#define SPLIT_ABOVE 12 /* crossing circles: more are noded in halves */
#endif

/* Piece g (owned by the sink or borrowed), lying in the convex ring xy of
 * n points (whole: g is that ring), with the candidate circles cand[0..nc) of which base more hold
 * all of it. A piece that many circles cross is halved, so that noding
 * happens in small parts with few circles and most parts are 3+ at once. */
static int split_piece(piece_sink *k, const sv_geom *g, int whole, const double *xy, size_t n, const size_t *cand,
                       size_t nc, int base, size_t base_only, int depth)
{
    sv_env pe;
    if (sv_geom_envelope(k->h, g, &pe) != 0)
        return sv_geom_is_empty(k->h, g) == 1 ? 0 : -1;
    size_t first = k->ncross;
    for (size_t t = 0; t < nc; t++) {
        size_t j = cand[t];
        double x = k->xs[j], y = k->ys[j];
        double ex = fmax(0.0, fmax(pe.xmin - x, x - pe.xmax));
        double ey = fmax(0.0, fmax(pe.ymin - y, y - pe.ymax));
        if (hypot(ex, ey) > k->r_out || convex_distance(xy, n, x, y) > k->r_out)
            continue; /* misses the piece */
        double far = 0;
        for (size_t v = 0; v < n; v++)
            far = fmax(far, hypot(xy[2 * v] - x, xy[2 * v + 1] - y));
        if (far <= k->r_in) { /* holds the whole ring */
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
    if (ncross > SPLIT_ABOVE && depth < 12) {
        /* halve across the longer side of the piece's envelope (within the ring's) */
        double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
        for (size_t v = 0; v < n; v++) {
            x0 = fmin(x0, xy[2 * v]);
            x1 = fmax(x1, xy[2 * v]);
            y0 = fmin(y0, xy[2 * v + 1]);
            y1 = fmax(y1, xy[2 * v + 1]);
        }
        x0 = fmax(x0, pe.xmin);
        y0 = fmax(y0, pe.ymin);
        x1 = fmin(x1, pe.xmax);
        y1 = fmin(y1, pe.ymax);
        int axis = y1 - y0 > x1 - x0;
        double m = axis ? 0.5 * (y0 + y1) : 0.5 * (x0 + x1);
        size_t *sub = malloc(ncross * sizeof *sub);
        double *half = malloc((2 * n + 8) * sizeof *half);
        int rc = sub && half ? 0 : -1;
        if (rc == 0)
            memcpy(sub, k->cross + first, ncross * sizeof *sub);
        k->ncross = first;
        for (int side = 0; side < 2 && rc == 0; side++) {
            size_t nh = clip_half(xy, n, axis, m, side == 0, half);
            if (nh < 4)
                continue;
            sv_env box = {pe.xmin - 1, pe.ymin - 1, pe.xmax + 1, pe.ymax + 1};
            double *lo = axis ? &box.ymin : &box.xmin, *hi = axis ? &box.ymax : &box.xmax;
            if (side == 0)
                *hi = m;
            else
                *lo = m;
            sv_geom *part = NULL;
            if (whole) { /* the half ring itself, no overlay */
                part = sv_geom_polygon_xy(k->h, half, nh);
            } else {
                sv_geom *rect = sv_geom_rect(k->h, &box);
                sv_geom *cut = rect ? sv_geom_intersection(k->h, g, rect) : NULL;
                part = cut ? sv_geom_polygons(k->h, cut) : NULL;
                sv_geom_destroy(k->h, rect);
                sv_geom_destroy(k->h, cut);
            }
            if (!part || sink_own(k, part) != 0) {
                rc = -1;
                break;
            }
            if (sv_geom_is_empty(k->h, part) != 1)
                rc = split_piece(k, part, whole, half, nh, sub, ncross, base, base_only, depth + 1);
        }
        free(sub);
        free(half);
        return rc;
    }
    if (grow((void **)&k->pc, &k->cap, k->np + 1, sizeof *k->pc) != 0 ||
        grow((void **)&k->start, &k->capstart, k->np + 1, sizeof *k->start) != 0)
        return -1;
    k->start[k->np] = first;
    k->pc[k->np++] = (sv_red_piece){g, NULL, NULL, ncross, base, base_only};
    return 0;
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
    const sv_geom **areas = NULL;
    sv_status rc = SV_OK;
    cs->n_ids = 0;
    if (!P || sv_geom_envelope(h, D, &e) != 0 || sv_index_query(h, cs->tree, &e, &cs->ids, &cs->n_ids, &cs->cap_ids) != 0)
        goto geom_fail;
    ncells = cs->n_ids;
    if (!(cells = malloc((ncells + 1) * sizeof *cells))) {
        rc = SV_ERR_NOMEM;
        goto done;
    }
    memcpy(cells, cs->ids, ncells * sizeof *cells);
    for (size_t q = 0; q < ncells; q++) {
        size_t c = cells[q];
        const sv_geom *cell = cs->g[c];
        int inside = sv_prep_contains(h, P, cell);
        const sv_geom *piece = cell;
        if (inside < 0)
            goto geom_fail;
        if (inside == 0) {
            int meets = sv_prep_intersects(h, P, cell);
            if (meets < 0)
                goto geom_fail;
            if (!meets)
                continue;
            sv_geom *cut = sv_geom_intersection(h, cell, D);
            sv_geom *poly = cut ? sv_geom_polygons(h, cut) : NULL;
            sv_geom_destroy(h, cut);
            if (!poly || sink_own(&k, poly) != 0)
                goto geom_fail;
            if (sv_geom_is_empty(h, poly) == 1)
                continue;
            piece = poly;
        }
        sv_env pe;
        if (sv_geom_envelope(h, piece, &pe) != 0)
            goto geom_fail;
        sv_env grown = {pe.xmin - R, pe.ymin - R, pe.xmax + R, pe.ymax + R};
        cs->n_ids = 0;
        if (sv_index_query(h, cs->stations, &grown, &cs->ids, &cs->n_ids, &cs->cap_ids) != 0)
            goto geom_fail;
        size_t *nc = realloc(cand, (cs->n_ids + 1) * sizeof *cand);
        if (!nc) {
            rc = SV_ERR_NOMEM;
            goto done;
        }
        cand = nc;
        memcpy(cand, cs->ids, cs->n_ids * sizeof *cand);
        if (split_piece(&k, piece, piece == cell, cs->xy[c], cs->nv[c], cand, cs->n_ids, 0, 0, 0) != 0)
            goto geom_fail;
    }
    areas = malloc((k.ncross + 1) * sizeof *areas);
    if (!areas) {
        rc = SV_ERR_NOMEM;
        goto done;
    }
    for (size_t t = 0; t < k.ncross; t++) {
        size_t j = k.cross[t];
        if (!cs->circle[j] && !(cs->circle[j] = sv_geom_circle(h, in->xs[j], in->ys[j], R, qs)))
            goto geom_fail;
        areas[t] = cs->circle[j];
    }
    for (size_t q = 0; q < k.np; q++) {
        k.pc[q].areas = areas + k.start[q];
        k.pc[q].ids = k.cross + k.start[q];
    }
    rc = sv_redundancy_compute_pieces(ctx, h, D, k.pc, k.np, use, own_people, oa, op, L, r);
    goto done;
geom_fail:
    rc = sv_error(ctx, SV_ERR_GEOM, "cannot cut a district by the Voronoi cells: %s", sv_geos_errmsg(h));
done:
    for (size_t q = 0; q < k.nown; q++)
        sv_geom_destroy(h, k.owned[q]);
    free(k.owned);
    free(k.pc);
    free(k.start);
    free(k.cross);
    free(cells);
    free(cand);
    free(areas);
    sv_prep_destroy(h, P);
    return rc;
}

/* Redundancy by cells on the worker threads: one item per district (and
 * the city when districts overlap) of one break. Each worker has its own
 * GEOS handle, cells and sums of what each station alone covers; the
 * population surface belongs to the caller's handle, so with one the
 * caller's thread does all the work. */
typedef struct red_job red_job;

typedef struct {
    red_job *j;
    sv_ctx *ctx; /* this worker's messages */
    sv_geos *h;  /* own handle (worker 0: the caller's) */
    int own_h;
    cell_set cs;
    double *oa, *op;         /* what each station alone covers: area, people */
    sv_face_lists L;         /* ... and its faces */
    unsigned char **only_wkb; /* ... united, after the break */
    size_t *only_len;
} red_worker;

struct red_job {
    sv_ctx *ctx;
    const sv_people_in *in;
    sv_analysis *a;
    sv_popsurf *surf;
    const double *own;
    size_t b, n_items;
    atomic_size_t next, done;
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

static void red_worker_free(red_worker *w, size_t ns)
{
    cell_set_free(&w->cs);
    for (size_t i = 0; i < ns; i++) {
        for (size_t k = 0; w->L.n && w->L.geoms && k < w->L.n[i]; k++)
            sv_geom_destroy(w->h, w->L.geoms[i][k]);
        free(w->L.geoms ? w->L.geoms[i] : NULL);
        sv_free(w->only_wkb ? w->only_wkb[i] : NULL);
    }
    free(w->L.geoms);
    free(w->L.n);
    free(w->L.cap);
    free(w->only_wkb);
    free(w->only_len);
    free(w->oa);
    free(w->op);
    if (w->own_h)
        sv_geos_destroy(w->h);
    sv_ctx_destroy(w->ctx);
    memset(w, 0, sizeof *w);
}

static int red_worker_init(red_worker *w, red_job *j, sv_geos *caller_h)
{
    size_t ns = j->a->n_stations;
    memset(w, 0, sizeof *w);
    w->j = j;
    w->own_h = caller_h == NULL;
    w->h = caller_h ? caller_h : sv_geos_create();
    w->ctx = sv_ctx_create();
    w->oa = calloc(ns + 1, sizeof *w->oa);
    w->op = calloc(ns + 1, sizeof *w->op);
    w->L = (sv_face_lists){calloc(ns + 1, sizeof(sv_geom **)), calloc(ns + 1, sizeof(size_t)),
                           calloc(ns + 1, sizeof(size_t))};
    w->only_wkb = calloc(ns + 1, sizeof *w->only_wkb);
    w->only_len = calloc(ns + 1, sizeof *w->only_len);
    if (!w->h || !w->ctx || !w->oa || !w->op || !w->L.geoms || !w->L.n || !w->L.cap || !w->only_wkb || !w->only_len)
        return -1;
    return cell_set_init(&w->cs, w->h, &j->a->cov, j->in->xs, j->in->ys);
}

/* Item d of the break: district d, or the city (d = n_districts). */
static int red_item(red_worker *w, size_t d)
{
    red_job *j = w->j;
    const sv_people_in *in = j->in;
    sv_analysis *a = j->a;
    size_t nd = a->n_districts, nb = a->n_breaks;
    int city = d == nd, acc = city || !a->districts_overlap; /* where "what a station alone covers" is counted */
    /* A districts field spreads each district's own people over it;
     * otherwise the surface says (no surface: no people). */
    sv_popsurf *use = j->surf;
    double own_people = -1;
    if (!city && j->own[d] >= 0) {
        use = NULL;
        own_people = j->own[d];
    } else if (!city && isnan(j->own[d])) {
        use = NULL; /* unknown */
    }
    sv_geom *D = sv_geom_from_wkb(w->h, in->dw[d], in->dl[d]);
    sv_status rc = D ? district_by_cells(w->ctx, w->h, &w->cs, in, a, j->b, D, use, own_people, acc ? w->oa : NULL,
                                         acc ? w->op : NULL, acc ? &w->L : NULL, &a->people.red[d * nb + j->b])
                     : sv_error(w->ctx, SV_ERR_GEOM, "cannot read a district: %s", sv_geos_errmsg(w->h));
    sv_geom_destroy(w->h, D);
    if (rc != SV_OK)
        red_fail(j, rc, sv_ctx_errmsg(w->ctx));
    return rc == SV_OK ? 0 : -1;
}

/* What each station alone covers in this worker's districts, as one
 * polygon's WKB (in the worker's thread: its faces belong to its handle). */
static int red_worker_unite(red_worker *w)
{
    for (size_t i = 0; i < w->j->a->n_stations; i++) {
        if (!w->L.n[i])
            continue;
        sv_geom *u = sv_geom_tiles_union_take(w->h, w->L.geoms[i], w->L.n[i]);
        sv_geom *p = u ? sv_geom_without_slivers(w->h, u, SV_SLIVER_TOL_M, NULL) : NULL;
        sv_geom_destroy(w->h, u);
        w->only_wkb[i] = p ? sv_geom_to_wkb(w->h, p, &w->only_len[i]) : NULL;
        sv_geom_destroy(w->h, p);
        for (size_t k = 0; k < w->L.n[i]; k++)
            sv_geom_destroy(w->h, w->L.geoms[i][k]);
        w->L.n[i] = 0;
        if (!w->only_wkb[i]) {
            red_fail(w->j, SV_ERR_GEOM, "cannot unite what a station alone covers");
            return -1;
        }
    }
    return 0;
}

static size_t red_work_one(red_worker *w)
{
    red_job *j = w->j;
    if (j->status != SV_OK)
        return 0;
    if (sv_ctx_interrupted(j->ctx)) {
        red_fail(j, SV_ERR_INTERRUPTED, "interrupted");
        return 0;
    }
    size_t item = atomic_fetch_add(&j->next, 1);
    if (item >= j->n_items || red_item(w, item) != 0)
        return 0;
    return atomic_fetch_add(&j->done, 1) + 1;
}

static void *red_worker_main(void *arg)
{
    while (red_work_one(arg) != 0)
        ;
    red_worker_unite(arg);
    return NULL;
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

static sv_status redundancy_by_cells(sv_ctx *ctx, sv_geos *h, const sv_people_in *in, sv_analysis *a,
                                     sv_popsurf *surf, const double *own)
{
    sv_people_result *P = &a->people;
    size_t nd = a->n_districts, nb = a->n_breaks, ns = a->n_stations;
    int overlap = a->districts_overlap;
    red_job j = {.ctx = ctx, .in = in, .a = a, .surf = surf, .own = own, .n_items = nd + (overlap ? 1 : 0)};
    pthread_mutex_init(&j.lock, NULL);
    /* the surface's handle is the caller's: with a surface, one thread */
    int nt = surf ? 1 : sv_ctx_threads(ctx);
    if (nt < 1)
        nt = 1;
    if ((size_t)nt > j.n_items)
        nt = j.n_items > 0 ? (int)j.n_items : 1;
    red_worker *ws = calloc((size_t)nt, sizeof *ws);
    pthread_t *tid = calloc((size_t)nt, sizeof *tid);
    sv_geom **parts = calloc((size_t)nt, sizeof *parts);
    sv_status rc = SV_OK;
    if (!ws || !tid || !parts) {
        rc = SV_ERR_NOMEM;
        goto done;
    }
    for (int t = 0; t < nt; t++)
        if (red_worker_init(&ws[t], &j, t == 0 ? h : NULL) != 0) {
            rc = sv_error(ctx, SV_ERR_GEOM, "cannot prepare a worker for the redundancy classes: %s",
                          sv_geos_errmsg(ws[t].h ? ws[t].h : h));
            goto done;
        }
    sv_progress(ctx, "redundancy", 0.0);
    for (size_t b = 0; b < nb && rc == SV_OK; b++) {
        j.b = b;
        atomic_store(&j.next, 0);
        atomic_store(&j.done, 0);
        for (int t = 0; t < nt; t++) {
            red_worker *w = &ws[t];
            for (size_t i = 0; i < ns; i++) {
                w->oa[i] = w->op[i] = 0;
                sv_free(w->only_wkb[i]);
                w->only_wkb[i] = NULL;
                sv_geom_destroy(w->h, w->cs.circle[i]); /* circles of the previous break */
                w->cs.circle[i] = NULL;
            }
        }
        int started = 0;
        for (int t = 1; t < nt; t++) {
            if (pthread_create(&tid[t], NULL, red_worker_main, &ws[t]) != 0)
                break;
            started = t;
        }
        size_t dn;
        while ((dn = red_work_one(&ws[0])) != 0)
            if ((dn & 7) == 0)
                sv_progress(ctx, "redundancy", ((double)b + (double)dn / (double)j.n_items) / (double)nb);
        red_worker_unite(&ws[0]);
        for (int t = 1; t <= started; t++)
            pthread_join(tid[t], NULL);
        if (j.status != SV_OK) {
            rc = j.status == SV_ERR_INTERRUPTED ? SV_ERR_INTERRUPTED : sv_error(ctx, j.status, "%s", j.errmsg);
            break;
        }
        if (!overlap) /* the city is the sum of the districts */
            city_classes_from_districts(P, nd, nb, b, surf != NULL);
        /* What each station alone covers: the workers' parts together. */
        double *oa = P->crit_area + b * ns, *op = P->crit_pop + b * ns;
        for (size_t i = 0; i < ns && rc == SV_OK; i++) {
            size_t np = 0, last = 0;
            for (int t = 0; t < nt; t++) {
                oa[i] += ws[t].oa[i];
                op[i] += ws[t].op[i];
                if (ws[t].only_wkb[i]) {
                    np++;
                    last = (size_t)t;
                }
            }
            if (!surf)
                op[i] = NAN;
            if (np == 1) { /* one worker's polygon as it is */
                P->crit_wkb[b * ns + i] = ws[last].only_wkb[i];
                P->crit_len[b * ns + i] = ws[last].only_len[i];
                ws[last].only_wkb[i] = NULL;
                continue;
            }
            np = 0;
            for (int t = 0; t < nt; t++)
                if (ws[t].only_wkb[i] && !(parts[np++] = sv_geom_from_wkb(h, ws[t].only_wkb[i], ws[t].only_len[i])))
                    rc = SV_ERR_GEOM;
            sv_geom *u = rc == SV_OK && np ? sv_geom_tiles_union_take(h, parts, np) : NULL;
            for (size_t k = 0; k < np; k++)
                sv_geom_destroy(h, parts[k]);
            sv_geom *pg = u ? sv_geom_without_slivers(h, u, SV_SLIVER_TOL_M, NULL) : NULL;
            sv_geom_destroy(h, u);
            if (np && !(P->crit_wkb[b * ns + i] = pg ? sv_geom_to_wkb(h, pg, &P->crit_len[b * ns + i]) : NULL))
                rc = sv_error(ctx, SV_ERR_GEOM, "cannot unite what a station alone covers: %s", sv_geos_errmsg(h));
            sv_geom_destroy(h, pg);
        }
    }
    sv_progress(ctx, "redundancy", 1.0);
done:
    for (int t = 0; ws && t < nt; t++)
        red_worker_free(&ws[t], ns);
    free(ws);
    free(tid);
    free(parts);
    pthread_mutex_destroy(&j.lock);
    return rc;
}

static sv_status redundancy(sv_ctx *ctx, sv_geos *h, const sv_people_in *in, sv_analysis *a, sv_popsurf *surf,
                            const double *own)
{
    sv_people_result *P = &a->people;
    size_t nd = a->n_districts, nb = a->n_breaks, ns = a->n_stations;
    if (in->net && !in->areas->st_wkb)
        return SV_OK; /* no per-station areas (--no-service-areas) */
    P->red = calloc((nd + 1) * nb, sizeof *P->red);
    P->crit_area = calloc(nb * ns + 1, sizeof *P->crit_area);
    P->crit_pop = calloc(nb * ns + 1, sizeof *P->crit_pop);
    P->crit_wkb = calloc(nb * ns + 1, sizeof *P->crit_wkb);
    P->crit_len = calloc(nb * ns + 1, sizeof *P->crit_len);
    sv_face_lists L = {calloc(ns + 1, sizeof(sv_geom **)), calloc(ns + 1, sizeof(size_t)),
                       calloc(ns + 1, sizeof(size_t))};
    area_source src = {.h = h, .a = a, .in = in};
    if (in->net)
        src.net_areas = calloc(ns + 1, sizeof *src.net_areas);
    sv_status rc = SV_OK;
    if (!P->red || !P->crit_area || !P->crit_pop || !P->crit_wkb || !P->crit_len || !L.geoms || !L.n || !L.cap ||
        (in->net && !src.net_areas)) {
        rc = SV_ERR_NOMEM;
        goto done;
    }
    /* Circles and the Voronoi cells of the coverage: each district is cut
     * cell by cell on the worker threads (--method union: all circles of a
     * district at once, here). */
    if (!in->net && ns > 0 && a->cov.n_cells == ns) {
        rc = redundancy_by_cells(ctx, h, in, a, surf, own);
        goto done;
    }
    /* Districts that do not overlap add up to the city; otherwise the city
     * is cut on its own. */
    int overlap = a->districts_overlap;
    size_t done_steps = 0, steps = (nd + (overlap ? 1 : 0)) * nb;
    for (size_t b = 0; b < nb && rc == SV_OK; b++) {
        if (areas_for_break(&src, b) != 0) {
            rc = sv_error(ctx, SV_ERR_GEOM, "cannot index the service areas: %s", sv_geos_errmsg(h));
            break;
        }
        double *oa = P->crit_area + b * ns, *op = P->crit_pop + b * ns;
        for (size_t d = 0; d <= nd && rc == SV_OK; d++) {
            int city = d == nd;
            if (city && !overlap) { /* the sum of the districts */
                city_classes_from_districts(P, nd, nb, b, surf != NULL);
                continue;
            }
            sv_geom *D = sv_geom_from_wkb(h, in->dw[d], in->dl[d]);
            sv_env e;
            if (!D || sv_geom_envelope(h, D, &e) != 0 || areas_near(&src, &e) != 0) {
                sv_geom_destroy(h, D);
                rc = sv_error(ctx, SV_ERR_GEOM, "cannot find the service areas near a district: %s",
                              sv_geos_errmsg(h));
                break;
            }
            int acc = city || !overlap; /* where "what a station alone covers" is counted */
            /* A districts field spreads each district's own people over it;
             * otherwise the surface says (no surface: no people). */
            sv_popsurf *use = surf;
            double own_people = -1;
            if (!city && own[d] >= 0) {
                use = NULL;
                own_people = own[d];
            } else if (!city && isnan(own[d])) {
                use = NULL; /* unknown */
            }
            rc = sv_redundancy_compute(ctx, h, D, (const sv_geom *const *)src.got, src.ids, src.n_got, use,
                                       own_people, acc ? oa : NULL, acc ? op : NULL, acc ? &L : NULL,
                                       &P->red[d * nb + b]);
            sv_geom_destroy(h, D);
            if (++done_steps % 8 == 0)
                sv_progress(ctx, "redundancy", (double)done_steps / (double)steps);
            if (sv_ctx_interrupted(ctx))
                rc = SV_ERR_INTERRUPTED;
        }
        /* What each station alone covers, as one polygon. */
        for (size_t i = 0; i < ns && rc == SV_OK; i++) {
            if (L.n[i]) {
                sv_geom *u = sv_geom_coverage_union_take(h, L.geoms[i], L.n[i]);
                sv_geom *p = u ? sv_geom_without_slivers(h, u, SV_SLIVER_TOL_M, NULL) : NULL;
                sv_geom_destroy(h, u);
                P->crit_wkb[b * ns + i] = p ? sv_geom_to_wkb(h, p, &P->crit_len[b * ns + i]) : NULL;
                sv_geom_destroy(h, p);
                if (!P->crit_wkb[b * ns + i])
                    rc = sv_error(ctx, SV_ERR_GEOM, "cannot unite what a station alone covers: %s",
                                  sv_geos_errmsg(h));
            }
            for (size_t k = 0; k < L.n[i]; k++)
                sv_geom_destroy(h, L.geoms[i][k]);
            L.n[i] = 0;
        }
        if (!surf)
            for (size_t i = 0; i < ns; i++)
                op[i] = NAN;
    }
    sv_progress(ctx, "redundancy", 1.0);
done:
    for (size_t i = 0; L.geoms && i < ns; i++) {
        for (size_t k = 0; L.n && k < L.n[i]; k++)
            sv_geom_destroy(h, L.geoms[i][k]);
        free(L.geoms[i]);
    }
    free(L.geoms);
    free(L.n);
    free(L.cap);
    area_source_free(&src);
    return rc;
}

static sv_status fairness(sv_ctx *ctx, sv_geos *h, const sv_people_in *in, sv_analysis *a, const people_points *pts)
{
    sv_people_result *P = &a->people;
    size_t nd = a->n_districts;
    P->med_m = malloc((nd + 1) * sizeof *P->med_m);
    P->p90_m = malloc((nd + 1) * sizeof *P->p90_m);
    P->med_min = malloc((nd + 1) * sizeof *P->med_min);
    P->p90_min = malloc((nd + 1) * sizeof *P->p90_min);
    P->n_points = calloc(nd + 1, sizeof *P->n_points);
    double *dist = malloc((pts->n + 1) * sizeof *dist), *mins = malloc((pts->n + 1) * sizeof *mins);
    double *w = malloc((pts->n + 1) * sizeof *w);
    sv_index *tree = sv_index_create(h);
    size_t *hits = NULL, nh = 0, ch = 0;
    sv_status rc = SV_OK;
    if (!P->med_m || !P->p90_m || !P->med_min || !P->p90_min || !P->n_points || !dist || !mins || !w || !tree) {
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
            for (size_t k = 0; k < pts->n; k++)
                w[k] = 0;
            for (size_t k = 0; k < nh; k++) {
                size_t i = hits[k];
                if (pts->w[i] > 0 && sv_prep_covers_xy(h, R, pts->x[i], pts->y[i]) == 1) {
                    w[i] = pts->w[i];
                    P->n_points[d]++;
                }
            }
            P->med_m[d] = sv_weighted_quantile(dist, w, pts->n, 0.5);
            P->p90_m[d] = sv_weighted_quantile(dist, w, pts->n, 0.9);
            P->med_min[d] = sv_weighted_quantile(mins, w, pts->n, 0.5);
            P->p90_min[d] = sv_weighted_quantile(mins, w, pts->n, 0.9);
        }
        sv_prep_destroy(h, R);
        sv_geom_destroy(h, D);
    }
done:
    free(dist);
    free(mins);
    free(w);
    sv_free(hits);
    sv_index_destroy(h, tree);
    return rc;
}

/* Each place to its nearest station: Voronoi cells (circles) or the places
 * nearest by network (the Voronoi cells of the people points, grouped). */
static sv_status responsibility(sv_ctx *ctx, sv_geos *h, const sv_people_in *in, sv_analysis *a,
                                sv_popsurf *surf, const people_points *pts)
{
    sv_people_result *P = &a->people;
    size_t ns = a->n_stations, nd = a->n_districts;
    if (ns == 0)
        return SV_OK;
    P->resp_area = calloc(ns, sizeof *P->resp_area);
    P->resp_pop = calloc(ns, sizeof *P->resp_pop);
    P->resp_n = calloc(ns, sizeof *P->resp_n);
    P->resp_wkb = calloc(ns, sizeof *P->resp_wkb);
    P->resp_len = calloc(ns, sizeof *P->resp_len);
    if (!P->resp_area || !P->resp_pop || !P->resp_n || !P->resp_wkb || !P->resp_len)
        return SV_ERR_NOMEM;
    sv_geom *city = sv_geom_from_wkb(h, in->dw[nd], in->dl[nd]);
    sv_env e;
    if (!city || sv_geom_envelope(h, city, &e) != 0) {
        sv_geom_destroy(h, city);
        return sv_error(ctx, SV_ERR_GEOM, "cannot read the city outline: %s", sv_geos_errmsg(h));
    }
    sv_status rc = SV_OK;
    sv_prep *city_prep = NULL;
    int network = in->net != NULL;
    P->resp_method = network ? "network-nearest" : "voronoi";
    /* Sites of the cells: the stations, or (network) the people points. */
    const double *sx = network ? pts->x : in->xs, *sy = network ? pts->y : in->ys;
    size_t n = network ? pts->n : ns;
    sv_geom **cells = calloc(n + 1, sizeof *cells);
    sv_geom ***groups = calloc(ns, sizeof *groups);
    size_t *ng = calloc(ns, sizeof *ng);
    if (!cells || !groups || !ng) {
        rc = SV_ERR_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < ns; i++)
        P->resp_pop[i] = surf ? 0.0 : NAN;
    if (network && (!pts->use || !pts->n))
        goto done; /* no places to assign */
    if (!network && a->cov.n_cells == n) { /* the cells the coverage was measured with */
        for (size_t k = 0; k < n && rc == SV_OK; k++)
            if (a->cov.cell_wkb[k] && !(cells[k] = sv_geom_from_wkb(h, a->cov.cell_wkb[k], a->cov.cell_len[k])))
                rc = sv_error(ctx, SV_ERR_GEOM, "cannot read a Voronoi cell: %s", sv_geos_errmsg(h));
    } else if (n && sv_voronoi_cells(h, sx, sy, n, &e, cells) != 0) {
        rc = sv_error(ctx, SV_ERR_GEOM, "cannot draw the areas of responsibility: %s", sv_geos_errmsg(h));
    }
    if (rc == SV_OK && !(city_prep = sv_prep_create(h, city)))
        rc = sv_error(ctx, SV_ERR_GEOM, "cannot prepare the city outline: %s", sv_geos_errmsg(h));
    for (size_t k = 0; k < n && rc == SV_OK; k++) {
        long owner = network ? pts->use->nearest[k] : (long)k;
        /* places outside the districts are not counted: area, people and
         * places of an area of responsibility all lie inside them */
        if (network && owner >= 0 && sv_prep_covers_xy(h, city_prep, pts->x[k], pts->y[k]) == 1) {
            P->resp_n[owner]++;
            if (!surf)
                P->resp_pop[owner] = (isnan(P->resp_pop[owner]) ? 0 : P->resp_pop[owner]) + pts->w[k];
        }
        if (!cells[k] || owner < 0)
            continue;
        /* Most cells lie inside the city and are taken whole; an overlay
         * with the whole outline is for the cells on its edge. */
        int inside = sv_prep_contains(h, city_prep, cells[k]);
        sv_geom *part = NULL;
        if (inside == 1) {
            part = cells[k];
            cells[k] = NULL;
        } else if (inside == 0) {
            int meets = sv_prep_intersects(h, city_prep, cells[k]);
            if (meets == 0)
                continue;
            part = meets == 1 ? sv_geom_intersection(h, cells[k], city) : NULL;
        }
        if (!part) {
            rc = sv_error(ctx, SV_ERR_GEOM, "cannot clip an area of responsibility: %s", sv_geos_errmsg(h));
            break;
        }
        sv_geom **grown = realloc(groups[owner], (ng[owner] + 1) * sizeof *grown);
        if (!grown) {
            sv_geom_destroy(h, part);
            rc = SV_ERR_NOMEM;
            break;
        }
        groups[owner] = grown;
        groups[owner][ng[owner]++] = part;
    }
    for (size_t i = 0; i < ns && rc == SV_OK; i++) {
        if (!ng[i])
            continue;
        sv_geom *u = sv_geom_union_take(h, groups[i], ng[i]); /* one part: handed back as is */
        sv_geom *p = u ? sv_geom_without_slivers(h, u, SV_SLIVER_TOL_M, NULL) : NULL;
        sv_geom_destroy(h, u);
        ng[i] = 0;
        if (!p) {
            rc = sv_error(ctx, SV_ERR_GEOM, "cannot unite an area of responsibility: %s", sv_geos_errmsg(h));
            break;
        }
        P->resp_area[i] = sv_geom_area(h, p);
        if (surf)
            P->resp_pop[i] = sv_popsurf_in(surf, p);
        P->resp_wkb[i] = sv_geom_to_wkb(h, p, &P->resp_len[i]);
        sv_geom_destroy(h, p);
    }
    if (!network && pts->use && rc == SV_OK) /* places counted by their nearest station in straight lines */
        for (size_t k = 0; k < pts->n; k++) {
            int owner = pts->use->nearest[k];
            if (owner < 0 || sv_prep_covers_xy(h, city_prep, pts->x[k], pts->y[k]) != 1)
                continue; /* outside the districts, like the cells */
            P->resp_n[owner]++;
            if (!surf) /* no people given: the demand weights */
                P->resp_pop[owner] = (isnan(P->resp_pop[owner]) ? 0 : P->resp_pop[owner]) + pts->w[k];
        }
done:
    for (size_t k = 0; cells && k < n; k++)
        sv_geom_destroy(h, cells[k]);
    for (size_t i = 0; groups && i < ns; i++) {
        for (size_t k = 0; ng && k < ng[i]; k++)
            sv_geom_destroy(h, groups[i][k]);
        free(groups[i]);
    }
    free(cells);
    free(groups);
    free(ng);
    sv_prep_destroy(h, city_prep);
    sv_geom_destroy(h, city);
    return rc;
}

#define MAX_CATEGORIES 32

/* The category values of a station: "water; charging,microwave" gives three. */
static size_t split_categories(const char *text, char out[][64], size_t max)
{
    size_t n = 0;
    const char *p = text;
    while (p && *p && n < max) {
        while (*p == ' ' || *p == ';' || *p == ',')
            p++;
        size_t k = strcspn(p, ";,");
        size_t e = k;
        while (e > 0 && p[e - 1] == ' ')
            e--;
        if (e > 0) {
            snprintf(out[n], 64, "%.*s", (int)(e < 63 ? e : 63), p);
            int dup = 0;
            for (size_t j = 0; j < n; j++)
                dup |= strcmp(out[j], out[n]) == 0;
            n += !dup;
        }
        p += k;
    }
    return n;
}

static int cmp_count_desc(const void *x, const void *y, void *counts)
{
    const size_t *c = counts;
    size_t i = *(const size_t *)x, j = *(const size_t *)y;
    return c[i] != c[j] ? (c[i] < c[j] ? 1 : -1) : (i > j) - (i < j);
}

/* Coverage (and people) of the stations of each category. */
static sv_status categories(sv_ctx *ctx, sv_geos *h, const sv_people_in *in, sv_analysis *a, sv_popsurf *surf,
                            const double *own)
{
    sv_people_result *P = &a->people;
    size_t ns = a->n_stations, nd = a->n_districts, nb = a->n_breaks;
    const sv_featureset *fs = in->stations;
    if (!fs || !fs->category_field || ns == 0)
        return SV_OK;
    /* distinct values, most common first */
    char (*vals)[64] = malloc(8 * 64);
    char **names = NULL;
    size_t n_names = 0, *count = NULL, *order = NULL;
    sv_status rc = SV_OK;
    if (!vals)
        return SV_ERR_NOMEM;
    for (size_t i = 0; i < ns && rc == SV_OK; i++) {
        const sv_feature *f = &fs->items[in->st_keep[i]];
        size_t k = split_categories(f->category, vals, 8);
        if (k == 0) {
            P->n_no_category++;
            rc = sv_issue_add(ctx, fs->path, fs->layer, f->id, "has no category value: counted with all stations only",
                              SV_ISSUE_REPAIRED);
        }
        for (size_t j = 0; j < k && rc == SV_OK; j++) {
            size_t c = 0;
            while (c < n_names && strcmp(names[c], vals[j]) != 0)
                c++;
            if (c == n_names) {
                char **nn = realloc(names, (n_names + 1) * sizeof *nn);
                size_t *nc = realloc(count, (n_names + 1) * sizeof *nc);
                if (nn)
                    names = nn;
                if (nc)
                    count = nc;
                if (!nn || !nc || !(names[n_names] = sv_strdup(vals[j]))) {
                    rc = SV_ERR_NOMEM;
                    break;
                }
                count[n_names++] = 0;
            }
            count[c]++;
        }
    }
    order = malloc((n_names + 1) * sizeof *order);
    if (rc == SV_OK && !order)
        rc = SV_ERR_NOMEM;
    if (rc != SV_OK || n_names == 0)
        goto done;
    for (size_t c = 0; c < n_names; c++)
        order[c] = c;
    qsort_r(order, n_names, sizeof *order, cmp_count_desc, count);
    P->n_categories = n_names < MAX_CATEGORIES ? n_names : MAX_CATEGORIES;
    if (n_names > MAX_CATEGORIES) {
        char what[160];
        snprintf(what, sizeof what, "has %zu category values; coverage by category is kept for the %d most common",
                 n_names, MAX_CATEGORIES);
        rc = sv_issue_add(ctx, fs->path, fs->layer, fs->category_field, what, SV_ISSUE_REPAIRED);
    }
    P->categories = calloc(P->n_categories, sizeof *P->categories);
    P->cat_stations = calloc(P->n_categories, sizeof *P->cat_stations);
    P->cat_cov = calloc(P->n_categories, sizeof *P->cat_cov);
    P->cat_total = malloc(P->n_categories * (nd + 1) * nb * sizeof *P->cat_total);
    P->cat_covered = malloc(P->n_categories * (nd + 1) * nb * sizeof *P->cat_covered);
    double *sx = malloc((ns + 1) * sizeof *sx), *sy = malloc((ns + 1) * sizeof *sy);
    if (!P->categories || !P->cat_stations || !P->cat_cov || !P->cat_total || !P->cat_covered || !sx || !sy) {
        free(sx);
        free(sy);
        P->n_categories = 0;
        rc = SV_ERR_NOMEM;
        goto done;
    }
    sv_progress(ctx, "categories", 0.0);
    for (size_t c = 0; c < P->n_categories && rc == SV_OK; c++) {
        P->categories[c] = names[order[c]];
        names[order[c]] = NULL;
        size_t m = 0;
        for (size_t i = 0; i < ns; i++) {
            size_t k = split_categories(fs->items[in->st_keep[i]].category, vals, 8);
            for (size_t j = 0; j < k; j++)
                if (strcmp(vals[j], P->categories[c]) == 0) {
                    sx[m] = in->xs[i];
                    sy[m++] = in->ys[i];
                    break;
                }
        }
        P->cat_stations[c] = m;
        sv_net_areas na = {0};
        if (in->net) {
            sv_access_opts ao = *in->access_opts;
            ao.per_station = 0;
            if ((rc = sv_net_areas_compute(ctx, in->net, sx, sy, m, &ao, &na)) != SV_OK)
                break;
        }
        sv_cov_input ci = {
            .xs = sx,
            .ys = sy,
            .n_stations = m,
            .district_wkb = in->dw,
            .district_wkb_len = in->dl,
            .n_districts = nd + 1,
            .breaks = a->breaks,
            .n_breaks = nb,
            .quad_segs = in->o->quad_segs,
            .method = in->net ? SV_METHOD_AREAS : in->o->method,
            .want_geometry = 1,
            .geometry_limit = surf && a->districts_overlap ? 0 : nd,
            .area_wkb = (const unsigned char *const *)na.area_wkb,
            .area_len = na.area_len,
        };
        rc = sv_coverage_compute(ctx, &ci, &P->cat_cov[c]);
        sv_net_areas_free(&na);
        double *tot = P->cat_total + c * (nd + 1) * nb, *cov = P->cat_covered + c * (nd + 1) * nb;
        for (size_t k = 0; k < (nd + 1) * nb; k++) {
            tot[k] = a->people.total ? a->people.total[k] : NAN;
            cov[k] = NAN;
        }
        for (size_t d = 0; surf && rc == SV_OK && d <= nd; d++)
            for (size_t b = 0; b < nb && rc == SV_OK; b++) {
                const sv_cov_cell *cell = &P->cat_cov[c].cells[d * nb + b];
                double t = tot[d * nb + b], gap = NAN;
                if (!isfinite(t))
                    continue;
                if (d == nd && !a->districts_overlap) { /* the sum of the districts */
                    double sum = 0;
                    for (size_t k = 0; k < nd; k++)
                        sum += isfinite(cov[k * nb + b]) ? cov[k * nb + b] : 0;
                    cov[d * nb + b] = sum;
                    continue;
                }
                if (d < nd && own[d] >= 0) {
                    gap = cell->area_m2 > 0 ? t * cell->gap_m2 / cell->area_m2 : 0;
                } else if (cell->gap_wkb) {
                    sv_geom *G = sv_geom_from_wkb(h, cell->gap_wkb, cell->gap_len);
                    gap = G ? sv_popsurf_in(surf, G) : NAN;
                    sv_geom_destroy(h, G);
                } else if (!(cell->gap_m2 > 0)) {
                    gap = 0;
                }
                cov[d * nb + b] = isfinite(gap) ? fmax(0, t - gap) : NAN;
            }
        sv_progress(ctx, "categories", (double)(c + 1) / (double)P->n_categories);
    }
    free(sx);
    free(sy);
done:
    for (size_t c = 0; c < n_names; c++)
        free(names[c]);
    free(names);
    free(count);
    free(order);
    free(vals);
    return rc;
}

sv_status sv_people_run(sv_ctx *ctx, sv_geos *h, const sv_people_in *in, sv_analysis *a)
{
    const sv_analyze_opts *o = in->o;
    sv_people_result *P = &a->people;
    size_t nd = a->n_districts, nb = a->n_breaks;
    int want_people = o->population_raster || o->population.spec || o->population_field;
    sv_popsurf *surf = NULL;
    people_points pts = {0};
    double *own = calloc(nd + 1, sizeof *own);
    sv_status rc = SV_OK;
    if (!own)
        return SV_ERR_NOMEM;
    for (size_t d = 0; d <= nd; d++)
        own[d] = -1;
    if (in->stations && a->n_stations && (P->station_ids = calloc(a->n_stations, sizeof *P->station_ids)))
        for (size_t i = 0; i < a->n_stations; i++)
            P->station_ids[i] = sv_strdup(in->stations->items[in->st_keep[i]].id);
    sv_progress(ctx, "people", 0.0);
    if (want_people) {
        if (!(surf = sv_popsurf_create(h))) {
            rc = SV_ERR_NOMEM;
            goto done;
        }
        if ((rc = build_surface(ctx, h, in, a, surf, own, &pts)) != SV_OK)
            goto done;
        if (sv_popsurf_build(surf) != 0) {
            rc = sv_error(ctx, SV_ERR_GEOM, "cannot index the population: %s", sv_geos_errmsg(h));
            goto done;
        }
        P->n_pieces = sv_popsurf_pieces(surf);
    }
    if (in->dem_access && in->n_demand && P->method != SV_POP_DASYMETRIC) {
        /* Distances from the demand points where they are given (with
         * buildings, dasymetric mapping has set the points already). */
        points_free(&pts);
        if (points_alloc(&pts, in->n_demand) != 0) {
            rc = SV_ERR_NOMEM;
            goto done;
        }
        for (size_t i = 0; i < in->n_demand; i++) {
            pts.x[i] = in->dem_x[i];
            pts.y[i] = in->dem_y[i];
            pts.w[i] = in->demand->items[in->dem_keep[i]].weight;
        }
        pts.n = in->n_demand;
        pts.use = in->dem_access;
        P->points_source = "demand points";
    }

    /* People per district and break: all inside, minus those in the gap. */
    P->total = malloc((nd + 1) * nb * sizeof *P->total);
    P->covered = malloc((nd + 1) * nb * sizeof *P->covered);
    P->gini = malloc((nb + 1) * sizeof *P->gini);
    if (!P->total || !P->covered || !P->gini) {
        rc = SV_ERR_NOMEM;
        goto done;
    }
    for (size_t k = 0; k < (nd + 1) * nb; k++)
        P->total[k] = P->covered[k] = NAN;
    for (size_t b = 0; b < nb; b++)
        P->gini[b] = NAN;
    if (surf)
        rc = sv_people_covered(ctx, h, surf, own, &a->cov, in->dw, in->dl, nd, nb, a->districts_overlap, P->total,
                               P->covered, &P->n_pop_unknown);
    if (rc != SV_OK)
        goto done;
    /* Inequality across districts: population-weighted Gini of covered shares. */
    for (size_t b = 0; surf && b < nb; b++) {
        double *share = malloc((nd + 1) * sizeof *share), *w = malloc((nd + 1) * sizeof *w);
        if (!share || !w) {
            free(share);
            free(w);
            rc = SV_ERR_NOMEM;
            goto done;
        }
        for (size_t d = 0; d < nd; d++) {
            double t = P->total[d * nb + b], c = P->covered[d * nb + b];
            share[d] = t > 0 && isfinite(c) ? c / t : NAN;
            w[d] = isfinite(t) ? t : 0;
        }
        P->gini[b] = sv_gini(share, w, nd);
        free(share);
        free(w);
    }
    if (o->redundancy && (rc = redundancy(ctx, h, in, a, surf, own)) != SV_OK)
        goto done;
    if (o->by_category && (rc = categories(ctx, h, in, a, surf, own)) != SV_OK)
        goto done;
    if ((rc = fairness(ctx, h, in, a, &pts)) != SV_OK)
        goto done;
    rc = responsibility(ctx, h, in, a, surf, &pts);
    sv_progress(ctx, "people", 1.0);
    if (rc == SV_OK && in->keep) { /* for the access and time-of-day stage */
        *in->keep = (sv_people_keep){surf, own, pts.x, pts.y, pts.w, pts.n, P->points_source};
        surf = NULL;
        own = NULL;
        pts.x = pts.y = pts.w = NULL;
    }
done:
    points_free(&pts);
    sv_popsurf_destroy(surf);
    free(own);
    return rc;
}

/* ---- writing ---- */

/* The leading columns of the per-district and per-break tables (district
 * nd is the whole area). */
#define DISTRICT_VALUES(a, d)                                                                              \
    SV_TEXT((d) < (a)->n_districts ? (a)->district_ids[d] : NULL),                                         \
        SV_TEXT((d) < (a)->n_districts ? (a)->district_names[d] : "(whole area)")

typedef struct {
    size_t i;
    double pop, area;
} crit_rank;

static int cmp_crit(const void *x, const void *y)
{
    const crit_rank *a = x, *b = y;
    double pa = isfinite(a->pop) ? a->pop : -1, pb = isfinite(b->pop) ? b->pop : -1;
    if (pa != pb)
        return pa < pb ? 1 : -1;
    if (a->area != b->area)
        return a->area < b->area ? 1 : -1;
    return (a->i > b->i) - (a->i < b->i);
}

sv_status sv_people_write(sv_ctx *ctx, sv_store *db, const sv_analysis *a, const sv_featureset *st_fs,
                          const size_t *st_keep)
{
    const sv_people_result *P = &a->people;
    size_t nd = a->n_districts, nb = a->n_breaks, ns = a->n_stations;
    sv_status rc = SV_OK;
    for (size_t d = 0; P->red && d <= nd && rc == SV_OK; d++)
        for (size_t b = 0; b < nb && rc == SV_OK; b++) {
            const sv_redundancy *r = &P->red[d * nb + b];
            double area = a->cov.cells[d * nb + b].area_m2, pop = 0;
            for (int c = 0; c < SV_REDUNDANCY_CLASSES; c++)
                pop += r->people[c];
            for (int c = 0; c < SV_REDUNDANCY_CLASSES && rc == SV_OK; c++) {
                sv_value v[] = {
                    DISTRICT_VALUES(a, d),
                    SV_ANALYSIS_BREAK(a, b),
                    SV_INT(c),
                    SV_REAL(r->area[c]),
                    SV_REAL(area > 0 ? 100.0 * r->area[c] / area : NAN),
                    SV_REAL(r->people[c]),
                    SV_REAL(pop > 0 ? 100.0 * r->people[c] / pop : NAN),
                };
                rc = sv_store_insert(ctx, db, SV_TABLE_REDUNDANCY, v, sizeof v / sizeof v[0], r->wkb[c], r->len[c]);
            }
        }
    crit_rank *order = ns ? malloc(ns * sizeof *order) : NULL;
    if (ns && !order)
        return SV_ERR_NOMEM;
    for (size_t b = 0; P->crit_area && b < nb && rc == SV_OK; b++) {
        size_t m = 0;
        for (size_t i = 0; i < ns; i++)
            if (P->crit_area[b * ns + i] > 0)
                order[m++] = (crit_rank){i, P->crit_pop[b * ns + i], P->crit_area[b * ns + i]};
        qsort(order, m, sizeof *order, cmp_crit);
        double city_pop = P->total ? P->total[nd * nb + b] : NAN;
        for (size_t k = 0; k < m && rc == SV_OK; k++) {
            size_t i = order[k].i;
            const sv_feature *f = &st_fs->items[st_keep[i]];
            sv_value v[] = {
                SV_ANALYSIS_BREAK(a, b),
                SV_INT(k + 1),
                SV_TEXT(f->id),
                SV_TEXT(f->name),
                SV_REAL(order[k].pop),
                SV_REAL(city_pop > 0 ? 100.0 * order[k].pop / city_pop : NAN),
                SV_REAL(order[k].area),
            };
            rc = sv_store_insert(ctx, db, SV_TABLE_CRITICAL, v, sizeof v / sizeof v[0], P->crit_wkb[b * ns + i],
                                 P->crit_len[b * ns + i]);
        }
    }
    free(order);
    for (size_t d = 0; P->med_m && d <= nd && rc == SV_OK; d++)
        for (size_t b = 0; b < nb && rc == SV_OK; b++) {
            double t = P->total ? P->total[d * nb + b] : NAN, c = P->covered ? P->covered[d * nb + b] : NAN;
            sv_value v[] = {
                DISTRICT_VALUES(a, d),
                SV_ANALYSIS_BREAK(a, b),
                SV_REAL(t),
                SV_REAL(t > 0 ? 100.0 * c / t : NAN),
                SV_REAL(P->med_m[d]),
                SV_REAL(P->p90_m[d]),
                SV_REAL(P->med_min[d]),
                SV_REAL(P->p90_min[d]),
                SV_INT(P->n_points[d]),
                SV_TEXT(P->points_source),
            };
            rc = sv_store_insert(ctx, db, SV_TABLE_FAIRNESS, v, sizeof v / sizeof v[0], NULL, 0);
        }
    for (size_t c = 0; c < P->n_categories && rc == SV_OK; c++)
        for (size_t d = 0; d <= nd && rc == SV_OK; d++)
            for (size_t b = 0; b < nb && rc == SV_OK; b++) {
                size_t k = d * nb + b;
                const sv_cov_cell *cell = &P->cat_cov[c].cells[k];
                double t = P->cat_total[c * (nd + 1) * nb + k], cv = P->cat_covered[c * (nd + 1) * nb + k];
                sv_value v[] = {
                    DISTRICT_VALUES(a, d),
                    SV_TEXT(P->categories[c]),
                    SV_ANALYSIS_BREAK(a, b),
                    SV_INT(P->cat_stations[c]),
                    SV_REAL(cell->area_m2),
                    SV_REAL(cell->covered_m2),
                    SV_REAL(cell->area_m2 > 0 ? 100.0 * (cell->covered_m2 / cell->area_m2) : 0.0),
                    SV_REAL(cell->gap_m2),
                    SV_REAL(t),
                    SV_REAL(cv),
                    SV_REAL(t > 0 && isfinite(cv) ? 100.0 * cv / t : NAN),
                };
                rc = sv_store_insert(ctx, db, SV_TABLE_CATEGORY, v, sizeof v / sizeof v[0],
                                     d < nd ? cell->covered_wkb : NULL, d < nd ? cell->covered_len : 0);
                if (rc != SV_OK || d == nd)
                    continue;
                sv_value g[] = {
                    DISTRICT_VALUES(a, d), SV_TEXT(P->categories[c]), SV_ANALYSIS_BREAK(a, b),
                    SV_REAL(cell->gap_m2),
                };
                rc = sv_store_insert(ctx, db, SV_TABLE_CATEGORY_GAPS, g, sizeof g / sizeof g[0], cell->gap_wkb,
                                     cell->gap_len);
            }
    double served = 0;
    for (size_t i = 0; P->resp_pop && i < ns; i++)
        served += isfinite(P->resp_pop[i]) ? P->resp_pop[i] : 0;
    for (size_t i = 0; P->resp_area && i < ns && rc == SV_OK; i++) {
        if (!P->resp_wkb[i] && P->resp_n[i] == 0 && !(P->resp_pop[i] > 0))
            continue; /* responsible for nothing inside the districts: no row */
        const sv_feature *f = &st_fs->items[st_keep[i]];
        sv_value v[] = {
            SV_TEXT(f->id),
            SV_TEXT(f->name),
            SV_TEXT(P->resp_method),
            SV_REAL(P->resp_wkb[i] ? P->resp_area[i] : NAN),
            SV_REAL(P->resp_pop[i]),
            SV_REAL(served > 0 && isfinite(P->resp_pop[i]) ? 100.0 * P->resp_pop[i] / served : NAN),
            SV_INT(P->resp_n[i]),
        };
        rc = sv_store_insert(ctx, db, SV_TABLE_RESPONSIBILITY, v, sizeof v / sizeof v[0], P->resp_wkb[i],
                             P->resp_len[i]);
    }
    return rc;
}
