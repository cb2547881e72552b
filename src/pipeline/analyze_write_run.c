/* analyze_write_run.c - the run record of svcov analyze: one runs row (what was
 * asked, what was read, the library versions, the provenance of each input) and
 * one breaks row per break. */
#include "pipeline/analyze_access.h"
#include "pipeline/analyze_stages.h"
#include "pipeline/inputs.h"
#include "svcov/sv_crs.h"
#include "svcov/sv_geom.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void fmt_list(char *buf, size_t size, const sv_break *b, size_t n, int minutes)
{
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t used = strlen(buf);
        snprintf(buf + used, size - used, "%s%.10g", i ? "," : "", minutes ? b[i].minutes : b[i].radius_m);
    }
}

/* The runs row and the breaks rows; the runs columns are named here, their
 * types are in src/core/schema.c. */
sv_status sv_write_run_record(sv_analyze_state *s, sv_store *db)
{
    sv_ctx *ctx = s->ctx;
    const sv_analyze_opts *o = s->o;
    const sv_analysis *a = s->a;
    const sv_featureset *st_fs = &s->sfs, *d_fs = &s->dfs;
    const sv_demand_access *access = o->demand.spec ? &s->access : NULL;
    sv_status rc = SV_OK;
    char mins[512], radii[512], quad[16], verts[16], speed[32], detour[32];
    char nst[32], nstr[32], nd[32], ndr[32], nis[32], thr[16];
    fmt_list(mins, sizeof mins, a->breaks, a->n_breaks, 1);
    fmt_list(radii, sizeof radii, a->breaks, a->n_breaks, 0);
    snprintf(quad, sizeof quad, "%d", o->quad_segs);
    snprintf(verts, sizeof verts, "%d", 4 * o->quad_segs);
    snprintf(speed, sizeof speed, "%g", a->speed_kmh);
    snprintf(detour, sizeof detour, "%g", o->detour);
    snprintf(nst, sizeof nst, "%zu", a->n_stations);
    snprintf(nstr, sizeof nstr, "%zu", a->n_stations_read);
    snprintf(nd, sizeof nd, "%zu", a->n_districts);
    snprintf(ndr, sizeof ndr, "%zu", a->n_districts_read);
    snprintf(nis, sizeof nis, "%zu", sv_ctx_issue_count(ctx));
    snprintf(thr, sizeof thr, "%d", sv_ctx_threads(ctx));
    int metres = isnan(a->breaks[0].minutes);
    char nb_max_snap[32], nb_trim[32], nb_nodes[32], nb_edges[32], nb_comp[32], nb_len[32], nb_unatt[32],
        nb_dem[32];
    snprintf(nb_max_snap, sizeof nb_max_snap, "%g", o->max_snap_m);
    snprintf(nb_trim, sizeof nb_trim, "%g", o->trim_m);
    snprintf(nb_nodes, sizeof nb_nodes, "%zu", a->net.nodes);
    snprintf(nb_edges, sizeof nb_edges, "%zu", a->net.edges);
    snprintf(nb_comp, sizeof nb_comp, "%zu", a->net.components);
    snprintf(nb_len, sizeof nb_len, "%.3f", a->net.length_m);
    snprintf(nb_unatt, sizeof nb_unatt, "%zu", a->n_unattached);
    snprintf(nb_dem, sizeof nb_dem, "%zu", a->n_demand);
    /* by column name: the types are in src/core/schema.c (runs); the
     * provenance columns both run records share are sv_run_common's */
    const char *keys[] = {
        "stations_path",
        "stations_layer", "stations_where", "station_id_field", "station_name_field",
        "category_field", "districts_path", "districts_layer", "district_id_field",
        "district_name_field", "crs_requested", "crs_name", "method",
        "mode", "speed_kmh", "detour", "minutes", "radii_m", "quad_segs",
        "circle_vertices", "strict", "threads", "n_stations_read",
        "n_stations", "n_districts_read", "n_districts", "n_issues",
        "gdal_version", "geos_version", "proj_version", "spatialite_version",
        "sqlite_version", "network_path", "speeds_path", "snap", "access_legs",
        "max_snap_m", "trim_m", "network_nodes", "network_edges",
        "network_components", "network_length_m", "stations_unattached",
        "demand_path", "n_demand", "population_method", "population_path",
        "population_field", "population_raster", "raster_cells", "raster_nodata",
        "raster_negative", "raster_people", "population_pieces",
        "blocks_without_buildings", "distances_from", "responsibility_method",
        "redundancy", "preset", "sliver_tol_m",
        "plan_add_stations", "plan_remove_stations", "plan_add_sites", "n_stations_added", "n_stations_removed",
    };
    const char *in_names[] = {"stations", "districts", "network", "demand", "population"};
    const sv_source_opts *in_opts[] = {&o->stations, &o->districts, &o->network, &o->demand, &o->population};
    sv_run_common common;
    sv_run_common_fill(&common, s->started, o->command_line, a->crs.epsg, in_names, in_opts, 5);
    const sv_people_result *pr = &a->people;
    char rc_cells[32], rc_nodata[32], rc_neg[32], rc_sum[32], rc_pieces[32], rc_empty[32];
    snprintf(rc_cells, sizeof rc_cells, "%zu", pr->raster_cells);
    snprintf(rc_nodata, sizeof rc_nodata, "%zu", pr->raster_nodata);
    snprintf(rc_neg, sizeof rc_neg, "%zu", pr->raster_negative);
    snprintf(rc_sum, sizeof rc_sum, "%.6f", pr->raster_sum);
    snprintf(rc_pieces, sizeof rc_pieces, "%zu", pr->n_pieces);
    snprintf(rc_empty, sizeof rc_empty, "%zu", pr->n_blocks_empty);
    char sliver_tol[32], plan_added[32], plan_removed[32];
    snprintf(sliver_tol, sizeof sliver_tol, "%g", SV_SLIVER_TOL_M);
    snprintf(plan_added, sizeof plan_added, "%zu", a->plan.n_added);
    snprintf(plan_removed, sizeof plan_removed, "%zu", a->plan.n_removed);
    int raster = pr->method == SV_POP_RASTER, people = pr->method != SV_POP_NONE;
    const char *vals[] = {
        st_fs->path, st_fs->layer,
        o->stations.where, st_fs->id_field, st_fs->name_field, st_fs->category_field, d_fs->path,
        d_fs->layer, d_fs->id_field, d_fs->name_field, o->crs ? o->crs : "auto",
        a->crs.name, a->network ? "network" : o->method == SV_METHOD_UNION ? "union" : "voronoi", a->mode,
        metres ? NULL : speed, detour, metres ? NULL : mins, radii, quad,
        verts, o->strict ? "1" : "0", thr, nstr, nst, ndr,
        nd, nis, sv_gdal_version(), sv_geos_version(), sv_proj_version(), sv_spatialite_version(),
        sv_sqlite_version(), o->network.spec, o->speeds_csv, a->network ? (o->snap == SV_SNAP_NODE ? "node" : "edge") : NULL,
        a->network ? (o->access_legs ? "1" : "0") : NULL, a->network ? nb_max_snap : NULL,
        a->network ? nb_trim : NULL, a->network ? nb_nodes : NULL, a->network ? nb_edges : NULL,
        a->network ? nb_comp : NULL, a->network ? nb_len : NULL, a->network ? nb_unatt : NULL,
        o->demand.spec, access ? nb_dem : NULL, people ? sv_pop_method_name(pr->method) : NULL,
        o->population.spec, o->population_field, o->population_raster, raster ? rc_cells : NULL,
        raster ? rc_nodata : NULL, raster ? rc_neg : NULL, raster ? rc_sum : NULL, people ? rc_pieces : NULL,
        pr->method == SV_POP_DASYMETRIC ? rc_empty : NULL, pr->points_source, pr->resp_method,
        o->redundancy && pr->red ? "1" : "0", a->preset ? a->preset->name : NULL, sliver_tol,
        o->plan.add_stations, o->plan.remove_stations, o->plan.add_sites,
        sv_plan_given(&o->plan) ? plan_added : NULL, sv_plan_given(&o->plan) ? plan_removed : NULL,
    };
    _Static_assert(sizeof keys / sizeof keys[0] == sizeof vals / sizeof vals[0], "one value per runs column");
    enum { N_RUNS = sizeof keys / sizeof keys[0] };
    const char *all_keys[N_RUNS + SV_ACCESS_RUNS_COLUMNS], *all_vals[N_RUNS + SV_ACCESS_RUNS_COLUMNS];
    memcpy(all_keys, keys, sizeof keys);
    memcpy(all_vals, vals, sizeof vals);
    sv_access_stage_runs(a, o, all_keys + N_RUNS, all_vals + N_RUNS); /* capacity and hours */
    rc = sv_run_record(ctx, db, SV_TABLE_RUNS, &common, all_keys, all_vals, N_RUNS + SV_ACCESS_RUNS_COLUMNS, NULL);
    /* one row per break, with the preset's names for maps and reports */
    for (size_t b = 0; rc == SV_OK && b < a->n_breaks; b++) {
        const sv_preset_break *pb = a->preset && b < a->preset->n ? &a->preset->breaks[b] : NULL;
        double bm = pb ? pb->minutes : a->breaks[b].minutes;
        const sv_value bv[] = {SV_INT(b + 1), SV_TEXT(a->mode), isnan(bm) ? SV_NULL : SV_REAL(bm),
                               SV_REAL(a->breaks[b].radius_m), a->preset ? SV_TEXT(a->preset->name) : SV_NULL,
                               pb ? SV_TEXT(pb->label) : SV_NULL, pb ? SV_TEXT(pb->label_zh) : SV_NULL};
        rc = sv_store_insert(ctx, db, SV_TABLE_BREAKS, bv, sizeof bv / sizeof bv[0], NULL, 0);
    }
    return rc;
}
