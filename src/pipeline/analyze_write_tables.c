/* analyze_write_tables.c - the write stage's table groups of svcov analyze: the
 * network service areas and reached streets, the district coverage and gaps, the
 * city, the demand and the roads (the order sv_analyze_write calls them in is the
 * order the rows are stored in). A second writer (PostGIS) would take the same
 * values from the same state. */
#include "pipeline/analyze_stages.h"
#include "svcov/sv_geom.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Network mode with service areas: each station's area and reached streets
 * per break (service_areas, reached_streets). */
sv_status sv_write_network_areas(sv_analyze_state *s, sv_store *db, sv_write_progress *prog)
{
    sv_ctx *ctx = s->ctx;
    const sv_analysis *a = s->a;
    sv_status rc = SV_OK;
    const sv_analyze_opts *o = s->o;
    sv_geos *h = s->h;
    const sv_net_areas *areas = a->network ? &s->areas : NULL;
    const sv_featureset *st_fs = &s->sfs;
    const size_t *st_keep = s->keep;
    for (size_t k = 0; k < a->n_stations && rc == SV_OK && o->service_areas && areas; k++) {
        const sv_feature *f = &st_fs->items[st_keep[k]];
        for (size_t b = 0; b < a->n_breaks && rc == SV_OK; b++) {
            const sv_net_areas *na = areas;
            size_t kb = k * a->n_breaks + b;
            sv_geom *g = na->st_wkb && na->st_wkb[kb] ? sv_geom_from_wkb(h, na->st_wkb[kb], na->st_len[kb]) : NULL;
            double area = g ? sv_geom_area(h, g) : 0;
            sv_geom_destroy(h, g);
            sv_value v[] = {SV_TEXT(f->id), SV_ANALYSIS_BREAK(a, b), SV_REAL(area), SV_REAL(na->st_reached_m[kb])};
            if (na->st_wkb && na->st_wkb[kb])
                rc = sv_store_insert(ctx, db, SV_TABLE_SERVICE_AREAS, v, 6, na->st_wkb[kb], na->st_len[kb]);
            sv_value r[] = {SV_TEXT(f->id), SV_ANALYSIS_BREAK(a, b), SV_REAL(na->st_reached_m[kb])};
            if (rc == SV_OK && na->st_lines_wkb && na->st_lines_wkb[kb])
                rc = sv_store_insert(ctx, db, SV_TABLE_REACHED_STREETS, r, 5, na->st_lines_wkb[kb],
                                     na->st_lines_len[kb]);
        }
        if ((++prog->done & 1023) == 0) {
            sv_progress(ctx, "writing", (double)prog->done / (double)prog->total);
            if (sv_ctx_interrupted(ctx))
                rc = SV_ERR_INTERRUPTED;
        }
    }
    return rc;
}

/* Per district and break: district_coverage, coverage, gaps and each gap's
 * parts (gap_parts). */
sv_status sv_write_district_coverage(sv_analyze_state *s, sv_ctx *ctx, sv_geos *h, sv_store *db,
                                     sv_write_progress *prog)
{
    const sv_analysis *a = s->a;
    sv_status rc = SV_OK;
    const sv_featureset *d_fs = &s->dfs;
    const sv_valid_district *vd = s->vd;
    for (size_t d = 0; d < a->n_districts && rc == SV_OK; d++) {
        const sv_feature *f = &d_fs->items[vd[d].src];
        for (size_t b = 0; b < a->n_breaks && rc == SV_OK; b++) {
            sv_cov_cell *c = &a->cov.cells[d * a->n_breaks + b];
            /* the parts as the coverage workers cut them; else cut here */
            int cut = c->gap_wkb && !c->gap_part_wkb;
            sv_geom *gap = cut ? sv_geom_from_wkb(h, c->gap_wkb, c->gap_len) : NULL;
            int nparts = cut ? (gap ? sv_geom_num_parts(h, gap) : 0) : c->n_gap_parts;
            double covered_pct = c->area_m2 > 0 ? 100.0 * (c->covered_m2 / c->area_m2) : 0.0; /* exactly 100 when whole */
            double pop_total = a->people.total ? a->people.total[d * a->n_breaks + b] : NAN;
            double pop_covered = a->people.covered ? a->people.covered[d * a->n_breaks + b] : NAN;
            sv_value dc[] = {
                SV_TEXT(f->id), SV_TEXT(f->name), SV_ANALYSIS_BREAK(a, b), SV_REAL(c->area_m2), SV_REAL(c->covered_m2),
                SV_REAL(covered_pct), SV_REAL(c->gap_m2), SV_INT(nparts), SV_INT(a->cov.n_inside[d]),
                SV_INT(c->n_reaching), SV_REAL(pop_total), SV_REAL(pop_covered),
                SV_REAL(pop_total > 0 ? 100.0 * (pop_covered / pop_total) : NAN),
            };
            sv_value cv[] = {SV_TEXT(f->id), SV_TEXT(f->name), SV_ANALYSIS_BREAK(a, b), SV_REAL(c->covered_m2),
                             SV_REAL(covered_pct)};
            sv_value gv[] = {SV_TEXT(f->id), SV_TEXT(f->name), SV_ANALYSIS_BREAK(a, b), SV_REAL(c->gap_m2),
                             SV_REAL(c->area_m2 > 0 ? 100.0 * c->gap_m2 / c->area_m2 : 0.0), SV_INT(nparts)};
            rc = sv_store_insert(ctx, db, SV_TABLE_DISTRICT_COVERAGE, dc, sizeof dc / sizeof dc[0], NULL, 0);
            if (rc == SV_OK)
                rc = sv_store_insert(ctx, db, SV_TABLE_COVERAGE, cv, sizeof cv / sizeof cv[0], c->covered_wkb,
                                     c->covered_len);
            if (rc == SV_OK)
                rc = sv_store_insert(ctx, db, SV_TABLE_GAPS, gv, sizeof gv / sizeof gv[0], c->gap_wkb, c->gap_len);
            for (int p = 0; p < nparts && rc == SV_OK && !cut; p++) {
                sv_value v[] = {SV_TEXT(f->id), SV_TEXT(f->name), SV_ANALYSIS_BREAK(a, b), SV_INT(p + 1),
                                SV_REAL(c->gap_part_area[p])};
                rc = sv_store_insert(ctx, db, SV_TABLE_GAP_PARTS, v, 7, c->gap_part_wkb[p], c->gap_part_len[p]);
            }
            sv_cov_cell_free_parts(c); /* written */
            for (int p = 0; p < nparts && rc == SV_OK && cut; p++) {
                sv_geom *part = sv_geom_part(h, gap, p);
                size_t len = 0;
                unsigned char *wkb = part ? sv_geom_to_wkb(h, part, &len) : NULL;
                double area = part ? sv_geom_area(h, part) : 0;
                sv_geom_destroy(h, part);
                sv_value v[] = {SV_TEXT(f->id), SV_TEXT(f->name), SV_ANALYSIS_BREAK(a, b), SV_INT(p + 1), SV_REAL(area)};
                rc = wkb ? sv_store_insert(ctx, db, SV_TABLE_GAP_PARTS, v, 7, wkb, len) : SV_ERR_NOMEM;
                free(wkb);
            }
            sv_geom_destroy(h, gap);
            if ((++prog->done & 255) == 0) {
                sv_progress(ctx, "writing", (double)prog->done / (double)prog->total);
                if (sv_ctx_interrupted(ctx))
                    rc = SV_ERR_INTERRUPTED;
            }
        }
    }
    return rc;
}

/* The city: the streets reached from all stations together (network mode)
 * and city_coverage per break. */
sv_status sv_write_city(sv_analyze_state *s, sv_ctx *ctx, sv_store *db)
{
    const sv_analysis *a = s->a;
    sv_status rc = SV_OK;
    const sv_net_areas *areas = a->network ? &s->areas : NULL;
    for (size_t b = 0; areas && b < a->n_breaks && rc == SV_OK; b++) /* all stations together */
        if (areas->lines_wkb[b]) {
            sv_value v[] = {SV_NULL, SV_ANALYSIS_BREAK(a, b), SV_REAL(areas->reached_m[b])};
            rc = sv_store_insert(ctx, db, SV_TABLE_REACHED_STREETS, v, 5, areas->lines_wkb[b],
                                 areas->lines_len[b]);
        }
    for (size_t b = 0; b < a->n_breaks && rc == SV_OK; b++) {
        const sv_cov_cell *c = &a->cov.cells[a->n_districts * a->n_breaks + b];
        size_t k = a->n_districts * a->n_breaks + b;
        double pop_total = a->people.total ? a->people.total[k] : NAN;
        double pop_covered = a->people.covered ? a->people.covered[k] : NAN;
        sv_value v[] = {
            SV_ANALYSIS_BREAK(a, b), SV_REAL(c->area_m2), SV_REAL(c->covered_m2),
            SV_REAL(c->area_m2 > 0 ? 100.0 * (c->covered_m2 / c->area_m2) : 0.0), SV_REAL(c->area_m2 - c->covered_m2),
            SV_INT(a->n_stations), SV_REAL(pop_total), SV_REAL(pop_covered),
            SV_REAL(pop_total > 0 ? 100.0 * (pop_covered / pop_total) : NAN), SV_REAL(a->people.gini ? a->people.gini[b] : NAN),
        };
        rc = sv_store_insert(ctx, db, SV_TABLE_CITY_COVERAGE, v, sizeof v / sizeof v[0], NULL, 0);
    }
    return rc;
}

/* With --demand: each point's access (demand_access), its reach per break
 * (demand_reach) and the sums per district (district_demand). */
sv_status sv_write_demand(sv_analyze_state *s, sv_store *db)
{
    sv_ctx *ctx = s->ctx;
    const sv_analysis *a = s->a;
    sv_status rc = SV_OK;
    const sv_net_areas *areas = a->network ? &s->areas : NULL;
    const sv_demand_access *access = s->o->demand.spec ? &s->access : NULL;
    const sv_featureset *st_fs = &s->sfs;
    const size_t *st_keep = s->keep;
    for (size_t i = 0; access && i < a->n_demand && rc == SV_OK; i++) {
        const sv_feature *f = &(&s->mfs)->items[s->mkeep[i]];
        const sv_demand_access *da = access;
        int dd = s->mdist[i];
        double mins = sv_analysis_minutes(a, da->cost[i]);
        sv_value v[] = {
            SV_TEXT(f->id),
            SV_TEXT(dd >= 0 ? a->district_ids[dd] : NULL),
            SV_REAL(f->weight),
            SV_TEXT(da->nearest[i] >= 0 ? st_fs->items[st_keep[da->nearest[i]]].id : NULL),
            SV_REAL(da->snap_m[i]),
            SV_REAL(isfinite(da->network_m[i]) ? da->network_m[i] : NAN),
            SV_REAL(isfinite(mins) ? mins : NAN),
            SV_REAL(da->euclid_m[i]),
            SV_TEXT(areas ? "network" : "straight"),
        };
        rc = sv_store_insert_point(ctx, db, SV_TABLE_DEMAND_ACCESS, v, sizeof v / sizeof v[0], s->mx[i],
                                   s->my[i]);
        for (size_t b = 0; b < a->n_breaks && rc == SV_OK; b++) {
            int n_st = da->n_stations[i * a->n_breaks + b];
            sv_value r[] = {SV_TEXT(f->id), SV_ANALYSIS_BREAK(a, b), SV_INT(da->within[i * a->n_breaks + b]),
                            n_st >= 0 ? SV_INT(n_st) : SV_NULL};
            rc = sv_store_insert(ctx, db, SV_TABLE_DEMAND_REACH, r, 6, NULL, 0);
        }
    }
    for (size_t d = 0; access && d <= a->n_districts && rc == SV_OK; d++) {
        size_t n_points = 0;
        for (size_t i = 0; i < a->n_demand; i++)
            n_points += d == a->n_districts || s->mdist[i] == (int)d;
        for (size_t b = 0; b < a->n_breaks && rc == SV_OK; b++) {
            size_t k = d * a->n_breaks + b;
            double weight = a->demand_total[k], covered = a->demand_covered[k];
            sv_value v[] = {
                SV_TEXT(d < a->n_districts ? a->district_ids[d] : NULL),
                SV_TEXT(d < a->n_districts ? a->district_names[d] : "(all demand)"),
                SV_ANALYSIS_BREAK(a, b), SV_REAL(weight), SV_REAL(covered), SV_REAL(weight > 0 ? covered / weight : NAN),
                SV_INT(n_points),
            };
            rc = sv_store_insert(ctx, db, SV_TABLE_DISTRICT_DEMAND, v, sizeof v / sizeof v[0], NULL, 0);
        }
    }
    return rc;
}

/* Network mode: the road lines, stored as context for maps (roads). */
sv_status sv_write_roads(sv_analyze_state *s, sv_store *db)
{
    sv_ctx *ctx = s->ctx;
    sv_status rc = SV_OK;
    const sv_featureset *roads = s->a->network ? &s->nfs : NULL;
    for (size_t i = 0; roads && i < roads->n && rc == SV_OK; i++) {
        const sv_feature *f = &roads->items[i];
        sv_value v[] = {SV_TEXT(f->id), SV_TEXT(f->category), SV_TEXT(strcmp(f->name, f->id) ? f->name : NULL)};
        rc = sv_store_insert(ctx, db, SV_TABLE_ROADS, v, 3, f->wkb, f->wkb_len);
    }
    return rc;
}
