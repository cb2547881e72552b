/* analyze_people.c - the people stage of svcov analyze ("who is covered"): the
 * population surface and people points, people per district and break, then the
 * measures of engine/redundancy.c, categories.c, fairness.c and responsibility.c
 * (engine/people_measures.h), and the writing of their tables. */
#include "core/core.h"
#include "engine/people_measures.h"
#include "pipeline/analyze_stages.h"
#include "svcov/sv_analyze.h"
#include "svcov/sv_geom.h"

#include <math.h>
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
    free(p->pt_x);
    free(p->pt_y);
    free(p->pt_w);
    free(p->pt_m);
    free(p->pt_min);
    free(p->pt_station);
    free(p->pt_district);
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
    p->x = sv_malloc((n + 1) * sizeof *p->x);
    p->y = sv_malloc((n + 1) * sizeof *p->y);
    p->w = sv_malloc((n + 1) * sizeof *p->w);
    return p->x && p->y && p->w ? 0 : -1;
}

static sv_status points_access(sv_ctx *ctx, const sv_people_in *in, const sv_analysis *a, people_points *p)
{
    if (in->net)
        return sv_demand_access_network(ctx, in->net, in->areas, in->xs, in->ys, a->n_stations, p->x, p->y, p->n,
                                        in->access_opts, &p->acc);
    double *radius = sv_malloc((a->n_breaks + 1) * sizeof *radius);
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
    sv_geom **blocks = sv_calloc(nb + 1, sizeof *blocks);
    double *bp = sv_calloc(nb + 1, sizeof *bp);
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
        double *bw = sv_malloc((n + 1) * sizeof *bw), *bpeople = sv_malloc((n + 1) * sizeof *bpeople);
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

sv_status sv_people_run(sv_ctx *ctx, sv_geos *h, const sv_people_in *in, sv_analysis *a)
{
    const sv_analyze_opts *o = in->o;
    sv_people_result *P = &a->people;
    size_t nd = a->n_districts, nb = a->n_breaks;
    int want_people = o->population_raster || o->population.spec || o->population_field;
    sv_popsurf *surf = NULL;
    people_points pts = {0};
    double *own = sv_calloc(nd + 1, sizeof *own);
    sv_status rc = SV_OK;
    if (!own)
        return SV_ERR_NOMEM;
    for (size_t d = 0; d <= nd; d++)
        own[d] = -1;
    if (in->stations && a->n_stations && (P->station_ids = sv_calloc(a->n_stations, sizeof *P->station_ids)))
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
    P->total = sv_malloc((nd + 1) * nb * sizeof *P->total);
    P->covered = sv_malloc((nd + 1) * nb * sizeof *P->covered);
    P->gini = sv_malloc((nb + 1) * sizeof *P->gini);
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
        double *share = sv_malloc((nd + 1) * sizeof *share), *w = sv_malloc((nd + 1) * sizeof *w);
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
    if (o->redundancy && (rc = sv_people_redundancy(ctx, h, in, a, surf, own)) != SV_OK)
        goto done;
    /* the coverage tables have their people now: written, their polygons freed. Not before the redundancy:
       the early writer (stations, districts, circles) goes on beside it, and writing first would wait for it */
    if (in->sink && (rc = in->sink(in->sink_arg, a, SV_PEOPLE_DONE_COVERAGE, 0)) != SV_OK)
        goto done;
    if (o->redundancy && in->sink && (rc = in->sink(in->sink_arg, a, SV_PEOPLE_DONE_REDUNDANCY, 0)) != SV_OK)
        goto done;
    if (o->by_category && (rc = sv_people_categories(ctx, h, in, a, surf, own)) != SV_OK)
        goto done;
    if ((rc = sv_people_fairness(ctx, h, in, a, &pts)) != SV_OK)
        goto done;
    rc = sv_people_responsibility(ctx, h, in, a, surf, &pts);
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

/* district_redundancy and critical_stations, then their geometry freed (the numbers stay). */
static sv_status write_redundancy(sv_ctx *ctx, sv_store *db, sv_analysis *a, const sv_featureset *st_fs,
                                  const size_t *st_keep)
{
    sv_people_result *P = &a->people;
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
    crit_rank *order = ns ? sv_malloc(ns * sizeof *order) : NULL;
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
    for (size_t k = 0; P->red && k < (nd + 1) * nb; k++)
        sv_redundancy_free(&P->red[k]); /* written */
    for (size_t k = 0; P->crit_wkb && k < nb * ns; k++) {
        sv_free(P->crit_wkb[k]);
        P->crit_wkb[k] = NULL;
        P->crit_len[k] = 0;
    }
    return rc;
}

/* category_coverage and category_gaps of category c, then its geometry freed (the numbers stay). */
static sv_status write_category(sv_ctx *ctx, sv_store *db, sv_analysis *a, size_t c)
{
    sv_people_result *P = &a->people;
    size_t nd = a->n_districts, nb = a->n_breaks;
    sv_status rc = SV_OK;
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
    for (size_t k = 0; k < (nd + 1) * nb; k++)
        sv_cov_cell_free_geometry(&P->cat_cov[c].cells[k]); /* written */
    return rc;
}

sv_status sv_people_write_done(sv_ctx *ctx, sv_store *db, sv_analysis *a, const sv_featureset *st_fs,
                               const size_t *st_keep, sv_people_done what, size_t index)
{
    if (what == SV_PEOPLE_DONE_REDUNDANCY)
        return write_redundancy(ctx, db, a, st_fs, st_keep);
    if (what == SV_PEOPLE_DONE_CATEGORY && index < a->people.n_categories && a->people.cat_cov)
        return write_category(ctx, db, a, index);
    return SV_OK;
}

sv_status sv_people_write(sv_ctx *ctx, sv_store *db, const sv_analysis *a, const sv_featureset *st_fs,
                          const size_t *st_keep)
{
    const sv_people_result *P = &a->people;
    size_t nd = a->n_districts, nb = a->n_breaks, ns = a->n_stations;
    sv_status rc = SV_OK;
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
    for (size_t k = 0; k < P->n_pt && rc == SV_OK; k++) {
        long j = P->pt_station[k];
        sv_value v[] = {
            SV_TEXT(a->district_ids[P->pt_district[k]]),
            SV_REAL(P->pt_w[k]),
            SV_TEXT(j >= 0 ? st_fs->items[st_keep[j]].id : NULL),
            SV_REAL(isfinite(P->pt_m[k]) ? P->pt_m[k] : NAN),
            SV_REAL(isfinite(P->pt_min[k]) ? P->pt_min[k] : NAN),
        };
        rc = sv_store_insert_point(ctx, db, SV_TABLE_PEOPLE_POINTS, v, sizeof v / sizeof v[0], P->pt_x[k],
                                   P->pt_y[k]);
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

/* One group of results written into db on ctx and h (the writing thread's), its geometry freed. */
static sv_status write_group(sv_analyze_state *s, sv_ctx *ctx, sv_geos *h, sv_store *db, sv_people_done what,
                             size_t index)
{
    sv_analysis *a = s->a;
    sv_status rc;
    if (what == SV_PEOPLE_DONE_COVERAGE) {
        sv_write_progress p = {0, a->n_districts * a->n_breaks};
        rc = sv_write_district_coverage(s, ctx, h, db, &p);
        if (rc == SV_OK)
            rc = sv_write_city(s, ctx, db);
        for (size_t k = 0; rc == SV_OK && k < (a->n_districts + 1) * a->n_breaks; k++)
            sv_cov_cell_free_geometry(&a->cov.cells[k]); /* written */
    } else {
        rc = sv_people_write_done(ctx, db, a, &s->sfs, s->keep, what, index);
    }
    if (rc == SV_OK && sv_ctx_interrupted(ctx))
        rc = SV_ERR_INTERRUPTED;
    return rc;
}

/* The people writer's thread: the jobs in the order handed on, the early writer joined before the first. */
static void *people_write(void *arg)
{
    sv_analyze_state *s = arg;
    sv_people_writer *w = &s->pw;
    double cpu0 = sv_ctx_thread_cpu_s();
    sv_store *db = NULL;
    sv_status rc = SV_OK;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (w->done == w->queued && !w->closed && !w->stop)
            pthread_cond_wait(&w->cv, &w->mu);
        if (w->done == w->queued || w->stop || w->rc != SV_OK)
            break;
        sv_people_done what = w->job[w->done % SV_PEOPLE_WRITER_JOBS].what;
        size_t index = w->job[w->done % SV_PEOPLE_WRITER_JOBS].index;
        pthread_mutex_unlock(&w->mu);
        double t0 = sv_clock_s();
        if (sv_ctx_interrupted(s->ctx))
            sv_ctx_interrupt(w->ctx);
        if (!db) { /* the database: the early writer's, once it is done (its error becomes this one's) */
            if (s->ew.running || s->ew.ctx) {
                rc = sv_early_writer_join(w->ctx, &s->ew);
                w->ew_joined = rc == SV_OK;
            }
            if (rc == SV_OK && !(db = s->ew.db))
                rc = sv_error(w->ctx, SV_ERR_INTERNAL, "the result database is not open");
        }
        if (rc == SV_OK)
            rc = write_group(s, w->ctx, w->h, db, what, index);
        w->seconds += sv_clock_s() - t0;
        pthread_mutex_lock(&w->mu);
        if (rc != SV_OK && w->rc == SV_OK)
            w->rc = rc;
        w->done++;
        pthread_cond_broadcast(&w->cv);
        if (rc != SV_OK)
            break;
    }
    pthread_mutex_unlock(&w->mu);
    sv_timing total;
    sv_ctx_timings_update(w->ctx);
    sv_ctx_timing_totals(w->ctx, NULL, &total);
    w->rows = total.rows;
    w->cpu_seconds = sv_ctx_thread_cpu_s() - cpu0;
    return NULL;
}

/* The people writer started, once (w->running 0 when no thread could be made: the groups are then written on
 * the calling thread, as they come). */
static sv_status people_writer_start(sv_analyze_state *s)
{
    sv_people_writer *w = &s->pw;
    if (w->started)
        return SV_OK;
    w->started = 1;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    if (!(w->ctx = sv_ctx_create()) || !(w->h = sv_geos_create()))
        return SV_ERR_NOMEM;
    sv_ctx_set_lang(w->ctx, sv_ctx_lang(s->ctx)); /* its messages in the run's language */
    w->running = pthread_create(&w->tid, NULL, people_write, s) == 0;
    w->threaded = w->running;
    return SV_OK;
}

sv_status sv_people_writer_join(sv_ctx *ctx, sv_analyze_state *s, int stop)
{
    sv_people_writer *w = &s->pw;
    if (!w->started)
        return SV_OK;
    if (w->running) {
        pthread_mutex_lock(&w->mu);
        w->closed = 1;
        w->stop = w->stop || stop;
        pthread_cond_broadcast(&w->cv);
        pthread_mutex_unlock(&w->mu);
        if (stop)
            sv_ctx_interrupt(w->ctx); /* the job it is writing given up too */
        pthread_join(w->tid, NULL);
        w->running = 0;
    }
    sv_status rc = w->rc;
    if (rc != SV_OK && rc != SV_ERR_INTERRUPTED && ctx && w->ctx)
        sv_error(ctx, rc, "%s", sv_ctx_errmsg(w->ctx));
    if (rc == SV_OK && ctx && w->ew_joined)
        sv_ctx_timing_beside(ctx, "early writer (thread)", s->ew.seconds, s->ew.cpu_seconds, s->ew.rows);
    if (rc == SV_OK && ctx && w->threaded)
        sv_ctx_timing_beside(ctx, "people writer (thread)", w->seconds, w->cpu_seconds, w->rows);
    sv_ctx_destroy(w->ctx);
    sv_geos_destroy(w->h);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    memset(w, 0, sizeof *w);
    return rc;
}

/* sv_people_run's sink: each group of results handed to the people writer as soon as it is complete (the
 * rows in the order the write stage would write them; the same database and transaction), once the groups
 * before it are written; the wait, if any, is timed under "writing > coverage tables" or "writing > people
 * tables", the writing itself on the writer's line beside. Without the thread, written here. */
static sv_status write_done(void *arg, sv_analysis *a, sv_people_done what, size_t index)
{
    (void)a;
    sv_analyze_state *s = arg;
    sv_people_writer *w = &s->pw;
    sv_timing_stack open;
    sv_ctx_timing_set_aside(s->ctx, &open);
    sv_progress(s->ctx, "writing", 0.0);
    sv_progress(s->ctx, what == SV_PEOPLE_DONE_COVERAGE ? "coverage tables" : "people tables", 0.0);
    sv_status rc = people_writer_start(s);
    if (rc == SV_OK && !w->running) {
        sv_store *db = NULL;
        rc = sv_analyze_store(s, &db);
        if (rc == SV_OK)
            rc = write_group(s, s->ctx, s->h, db, what, index);
    } else if (rc == SV_OK) {
        pthread_mutex_lock(&w->mu);
        /* the groups finished before written first; the redundancy goes with the coverage tables, finished
           together (both in memory already) */
        while (w->rc == SV_OK && (what == SV_PEOPLE_DONE_REDUNDANCY ? w->queued - w->done >= SV_PEOPLE_WRITER_JOBS
                                                                     : w->done != w->queued))
            pthread_cond_wait(&w->cv, &w->mu);
        rc = w->rc;
        if (rc == SV_OK) {
            w->job[w->queued % SV_PEOPLE_WRITER_JOBS].what = what;
            w->job[w->queued % SV_PEOPLE_WRITER_JOBS].index = index;
            w->queued++;
            pthread_cond_broadcast(&w->cv);
        }
        pthread_mutex_unlock(&w->mu);
        if (rc != SV_OK) /* its error becomes the run's */
            rc = sv_people_writer_join(s->ctx, s, 1);
    }
    if (rc == SV_OK && sv_ctx_interrupted(s->ctx))
        rc = SV_ERR_INTERRUPTED;
    sv_progress(s->ctx, "writing", 1.0);
    sv_ctx_timing_put_back(s->ctx, &open);
    return rc;
}

/* The people stage of svcov analyze: the inputs the earlier stages made,
 * handed to sv_people_run (fills a->people). */
sv_status sv_analyze_people(sv_analyze_state *s)
{
    const sv_analyze_opts *o = s->o;
    sv_analysis *a = s->a;
    if (o->demand_only)
        return SV_OK; /* no coverage, so no people covered, no district_coverage or city_coverage rows */
    sv_people_in pin = {
        .o = o,
        .xs = s->xs,
        .ys = s->ys,
        .stations = &s->sfs,
        .st_keep = s->keep,
        .vd = s->vd,
        .dw = (const unsigned char *const *)s->dw,
        .dl = s->dl,
        .districts = &s->dfs,
        .population = &s->pfs,
        .demand = &s->mfs,
        .dem_keep = s->mkeep,
        .dem_x = s->mx,
        .dem_y = s->my,
        .n_demand = a->n_demand,
        .dem_access = o->demand.spec ? &s->access : NULL,
        .net = a->network ? s->net : NULL,
        .areas = a->network ? &s->areas : NULL,
        .access_opts = &s->ao,
        .keep = &s->pkeep,
        .sink = write_done,
        .sink_arg = s,
    };
    return sv_people_run(s->ctx, s->h, &pin, a);
}
