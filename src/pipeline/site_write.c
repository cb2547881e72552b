/* site_write.c - the write stage of svcov site: the stations and districts (unless
 * --db holds them already), the site_runs record, the chosen sites, the coverage
 * per district before and after, and the issues; into a new database or a copy of
 * the --db analysis. */
#include "pipeline/site_stages.h"
#include "pipeline/inputs.h"
#include "adapters/mip.h"
#include "svcov/sv_store.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static char *fmt(const char *f, double v)
{
    char buf[64];
    if (!isfinite(v))
        return NULL;
    snprintf(buf, sizeof buf, f, v);
    return sv_strdup(buf);
}

/* The site_runs row (columns named here, types in src/core/schema.c) and the
 * rows of sites and site_district_coverage. */
static sv_status write_siting(sv_ctx *ctx, const sv_siting_opts *o, sv_siting *s, const sv_point_layer *stations,
                              const sv_point_layer *dist_layer, const sv_valid_district *vd, const char *started)
{
    sv_store *db = NULL;
    const char *out_path = o->out_path ? o->out_path : o->db_path;
    sv_status rc = o->db_path ? sv_store_open_copy(ctx, o->db_path, out_path, &db)
                              : sv_store_create(ctx, out_path, s->crs.epsg, &db);
    if (rc != SV_OK)
        return rc;
    /* An earlier analysis already holds its stations and districts. */
    for (size_t k = 0; k < stations->n && rc == SV_OK && !o->db_path; k++) {
        const sv_feature *f = &stations->fs.items[stations->keep[k]];
        sv_value v[] = {SV_TEXT(f->id), SV_TEXT(f->name), SV_TEXT(f->category), SV_INT(f->fid)};
        rc = sv_store_insert_point(ctx, db, SV_TABLE_STATIONS, v, 4, stations->x[k], stations->y[k]);
    }
    for (size_t d = 0; d < s->n_districts && rc == SV_OK && !o->db_path; d++) {
        const sv_feature *f = &dist_layer->fs.items[vd[d].src];
        sv_value v[] = {SV_TEXT(f->id), SV_TEXT(f->name), SV_INT(f->fid), SV_REAL(vd[d].area), SV_INT(vd[d].repaired)};
        rc = sv_store_insert(ctx, db, SV_TABLE_DISTRICTS, v, 5, vd[d].wkb, vd[d].len);
    }
    const sv_site_result *r = &s->res;
    const char *model = o->model == SV_SITE_MCLP ? "mclp" : "lscp";
    char *vals[56] = {0};
    /* by column name: the types are in src/core/schema.c (site_runs); the
     * provenance columns both run records share are sv_run_common's */
    const char *keys[] = {
        "model", "k",
        "radius_m", "minutes", "mode", "objective", "existing_covered",
        "total_weight", "coverable_weight", "covered_share", "n_new_sites", "solver",
        "proven_optimal", "gap", "bound", "greedy_objective", "greedy_sites",
        "greedy_ratio", "target_share", "min_district_share", "n_floor_unmet",
        "n_demand", "n_candidates", "n_stations", "n_uncoverable", "greedy_s",
        "exact_s", "note", "demand_path", "candidates", "stations_path",
        "glpk_version", "reach",
        "network_path", "snap", "access_legs", "max_snap_m", "n_demand_unattached",
        "network_nodes", "network_edges", "reach_s", "capacity", "capacity_field",
        "swap_objective", "n_swaps", "cbc_version",
    };
    size_t nk = sizeof keys / sizeof keys[0];
    int i = 0;
    vals[i++] = sv_strdup(model);
    vals[i++] = o->model == SV_SITE_MCLP ? fmt("%.0f", o->k) : NULL;
    vals[i++] = fmt("%.10g", s->radius_m);
    vals[i++] = fmt("%.10g", s->minutes);
    vals[i++] = sv_strdup(s->mode);
    vals[i++] = fmt("%.10g", r->objective);
    vals[i++] = fmt("%.10g", r->existing_covered);
    vals[i++] = fmt("%.10g", r->total_weight);
    vals[i++] = fmt("%.10g", r->coverable_weight);
    vals[i++] = fmt("%.6f", r->total_weight > 0 ? r->objective / r->total_weight : 0.0);
    vals[i++] = fmt("%.0f", (double)r->n_chosen);
    vals[i++] = sv_strdup(r->solver);
    vals[i++] = fmt("%.0f", (double)r->proven_optimal);
    vals[i++] = fmt("%.10g", r->gap);
    vals[i++] = fmt("%.10g", r->bound);
    vals[i++] = fmt("%.10g", o->model == SV_SITE_MCLP ? r->greedy_objective : (double)r->greedy_sites);
    vals[i++] = fmt("%.0f", (double)r->greedy_sites);
    vals[i++] = (o->exact && r->objective > 0 && o->model == SV_SITE_MCLP)
                    ? fmt("%.6f", r->greedy_objective / r->objective)
                    : (o->exact && o->model == SV_SITE_LSCP && r->greedy_sites > 0)
                          ? fmt("%.6f", (double)r->n_chosen / (double)r->greedy_sites)
                          : NULL;
    vals[i++] = o->target_share > 0 ? fmt("%.6g", o->target_share) : NULL;
    vals[i++] = o->min_district_share > 0 ? fmt("%.6g", o->min_district_share) : NULL;
    vals[i++] = fmt("%.0f", (double)r->n_floor_unmet);
    vals[i++] = fmt("%.0f", (double)s->n_demand);
    vals[i++] = fmt("%.0f", (double)s->n_candidates);
    vals[i++] = fmt("%.0f", (double)s->n_stations);
    vals[i++] = fmt("%.0f", (double)r->n_uncoverable);
    vals[i++] = fmt("%.6f", r->greedy_s);
    vals[i++] = o->exact ? fmt("%.6f", r->exact_s) : NULL;
    vals[i++] = *r->note ? sv_strdup(r->note) : NULL;
    vals[i++] = sv_strdup(o->demand.spec);
    if (o->candidates.spec) {
        vals[i++] = sv_strdup(o->candidates.spec);
    } else {
        char buf[96];
        if (o->candidates_from_nodes)
            snprintf(buf, sizeof buf, "street intersections, min spacing %g m", o->min_spacing_m);
        else
            snprintf(buf, sizeof buf, "grid %g m%s%s", o->grid_m, s->network ? " snapped to the streets" : "",
                     o->grid_in_gaps ? " in gaps" : "");
        vals[i++] = sv_strdup(buf);
    }
    vals[i++] = sv_strdup(o->stations.spec);
    vals[i++] = sv_strdup(sv_glpk_version());
    vals[i++] = sv_strdup(s->network ? "network" : "circle");
    vals[i++] = s->network ? sv_strdup(o->network.spec) : NULL;
    vals[i++] = s->network ? sv_strdup(o->snap == SV_SNAP_NODE ? "node" : "edge") : NULL;
    vals[i++] = s->network ? fmt("%.0f", o->access_legs != 0 ? 1.0 : 0.0) : NULL;
    vals[i++] = s->network ? fmt("%.10g", isnan(o->max_snap_m) ? 500.0 : o->max_snap_m) : NULL;
    vals[i++] = s->network ? fmt("%.0f", (double)s->n_demand_unattached) : NULL;
    vals[i++] = s->network ? fmt("%.0f", (double)s->network_nodes) : NULL;
    vals[i++] = s->network ? fmt("%.0f", (double)s->network_edges) : NULL;
    vals[i++] = s->network ? fmt("%.6f", s->reach_s) : NULL;
    vals[i++] = o->capacity > 0 ? fmt("%.10g", o->capacity) : NULL;
    vals[i++] = o->candidates.weight_field ? sv_strdup(o->candidates.weight_field) : NULL;
    vals[i++] = isnan(r->swap_objective) ? NULL : fmt("%.10g", r->swap_objective);
    vals[i++] = isnan(r->swap_objective) ? NULL : fmt("%.0f", (double)r->n_swaps);
    vals[i++] = sv_cbc_version() ? sv_strdup(sv_cbc_version()) : NULL;
    const char *names[] = {"demand", "candidates", "stations", "districts"};
    const sv_source_opts *in[] = {&o->demand, &o->candidates, &o->stations, &o->districts};
    sv_run_common common;
    sv_run_common_fill(&common, started, o->command_line, s->crs.epsg, names, in, 4);
    long long run_id = 0;
    if (rc == SV_OK)
        rc = i == (int)nk ? sv_run_record(ctx, db, SV_TABLE_SITE_RUNS, &common, keys, (const char *const *)vals, nk,
                                          &run_id)
                          : sv_error(ctx, SV_ERR_INTERNAL, "internal: %d values for %zu site_runs columns", i, nk);
    for (size_t k = 0; k < nk; k++)
        free(vals[k]);
    double cum = r->existing_covered;
    for (size_t k = 0; k < r->n_chosen && rc == SV_OK; k++) {
        cum += r->gain[k];
        sv_value v[] = {SV_INT(run_id), SV_INT(k + 1), SV_TEXT(s->site_ids[k]), SV_REAL(r->gain[k]), SV_REAL(cum),
                        SV_REAL(r->total_weight > 0 ? cum / r->total_weight : 0.0), SV_TEXT(s->site_districts[k]),
                        r->load ? SV_REAL(r->load[k]) : SV_NULL,
                        s->site_capacity ? SV_REAL(s->site_capacity[k]) : SV_NULL};
        rc = sv_store_insert_point(ctx, db, SV_TABLE_SITES, v, sizeof v / sizeof v[0], s->site_x[k], s->site_y[k]);
    }
    for (size_t d = 0; d < s->n_districts && rc == SV_OK; d++) {
        double total = r->district_total[d], before = r->district_before[d], after = r->district_after[d];
        double floor_weight = o->min_district_share > 0 ? r->district_floor[d] : 0;
        sv_value v[] = {
            SV_INT(run_id), SV_TEXT(s->district_ids[d]), SV_TEXT(s->district_names[d]), SV_REAL(total),
            SV_REAL(before), SV_REAL(after), SV_REAL(total > 0 ? 100.0 * (before / total) : 0.0),
            SV_REAL(total > 0 ? 100.0 * (after / total) : 0.0), SV_REAL(floor_weight),
            floor_weight > 0 ? SV_INT(after + 1e-9 >= floor_weight) : SV_NULL,
        };
        rc = sv_store_insert(ctx, db, SV_TABLE_SITE_DISTRICT_COVERAGE, v, sizeof v / sizeof v[0], NULL, 0);
    }
    for (size_t k = 0; k < sv_ctx_issue_count(ctx) && rc == SV_OK; k++)
        rc = sv_store_issue(ctx, db, sv_ctx_issue(ctx, k));
    if (rc != SV_OK) {
        sv_store_abort(db);
        return rc;
    }
    return sv_store_commit(ctx, db);
}


/* The write stage: everything the run found, committed in one transaction. */
sv_status sv_siting_write(sv_site_state *st)
{
    return write_siting(st->ctx, st->o, st->s, &st->sta, &st->dis, st->vd, st->started);
}
