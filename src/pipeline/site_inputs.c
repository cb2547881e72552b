/* site_inputs.c - the reach, inputs and places stages of svcov site: the reach
 * (the breaks rule shared with svcov analyze), the sources (an earlier analysis's
 * stations, districts and CRS with --db), the analysis CRS, the demand, candidate
 * and station points and the valid districts (pipeline/inputs.c, shared with analyze). */
#include "pipeline/site_stages.h"
#include "svcov/sv_breaks.h"
#include "svcov/sv_crs.h"
#include "svcov/sv_geom.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The reach (s->minutes, radius_m, mode) and the model's options checked. */
sv_status sv_siting_reach(sv_site_state *st)
{
    sv_ctx *ctx = st->ctx;
    sv_siting *s = st->s;
    sv_status rc = SV_OK;
    /* A network analysis as --db gives its network, mode, break and
     * snapping (site_network.c) before the reach is decided. */
    st->od = *st->o;
    if (st->o->db_path) {
        if ((rc = sv_store_check_db(ctx, st->o->db_path)) != SV_OK)
            return rc;
        int db_network = 0;
        if ((rc = sv_site_network_defaults(ctx, st->o->db_path, &st->od, st->net_keep, sizeof st->net_keep,
                                           &db_network)) != SV_OK)
            return rc;
    }
    const sv_siting_opts *o = st->o = &st->od;
    s->network = o->network.spec != NULL;
    if (!s->network && (o->candidates_from_nodes || o->snap >= 0 || o->access_legs >= 0 || !isnan(o->max_snap_m) ||
                        o->speeds_csv))
        return sv_error(ctx, SV_ERR_USAGE, "--candidates-from nodes, --snap, --access-legs, --max-snap and --speeds "
                        "measure reach along the streets: give --network PATH[:LAYER] (or --db of a network analysis)");
    if (!s->network && !(o->minutes > 0) && !(o->radius_m > 0))
        return sv_error(ctx, SV_ERR_USAGE, "give the reach as --radius M or --minutes N");
    if (o->capacity > 0 && o->candidates.weight_field)
        return sv_error(ctx, SV_ERR_USAGE, "give one capacity: --capacity C or --capacity-field FIELD, not both");
    if ((o->capacity > 0 || o->candidates.weight_field) && (o->model != SV_SITE_MCLP || o->min_district_share > 0))
        return sv_error(ctx, SV_ERR_USAGE, "--capacity and --capacity-field go with --model mclp (without "
                        "--min-district-share)");
    if (o->candidates.weight_field && !o->candidates.spec)
        return sv_error(ctx, SV_ERR_USAGE, "--capacity-field %s is read from --candidates; a grid or street "
                        "intersections have no fields: give --capacity C", o->candidates.weight_field);
    /* The reach: the same rule as analyze's breaks (sv_breaks_make); along
     * the streets the rule of analyze's network mode (site_network.c). */
    if (!s->network) {
        sv_breaks_spec sp = {&o->minutes, o->radius_m != 0 ? 0 : 1, &o->radius_m, o->radius_m != 0 ? 1 : 0,
                             o->mode, o->speed_kmh, o->detour};
        sv_breaks br;
        if ((rc = sv_breaks_make(ctx, &sp, &br)) != SV_OK)
            return rc;
        s->minutes = br.breaks[0].minutes;
        s->radius_m = br.breaks[0].radius_m;
        snprintf(s->mode, sizeof s->mode, "%s", br.mode);
        sv_breaks_free(&br);
    }
    if (o->model == SV_SITE_MCLP && o->k < 1)
        return sv_error(ctx, SV_ERR_USAGE, "--model mclp needs --k N (the number of new sites, at least 1)");
    if (o->min_district_share > 0 && !o->districts.spec && !o->db_path)
        return sv_error(ctx, SV_ERR_USAGE, "--min-district-share needs --districts");
    if (!o->candidates.spec && !o->candidates_from_nodes && !(o->grid_m > 0 && (o->districts.spec || o->db_path)))
        return sv_error(ctx, SV_ERR_USAGE, "give --candidates PATH, or --grid METRES with --districts to make them");
    return rc;
}

/* With --db: the earlier analysis checked and its tables as the default
 * stations, districts and CRS (st->od, st->o); every source opened. */
sv_status sv_siting_inputs(sv_site_state *st)
{
    sv_ctx *ctx = st->ctx;
    const sv_siting_opts *o = st->o;
    sv_status rc = SV_OK;
    /* An earlier analysis provides the stations, districts and CRS. */
    if (o->db_path) { /* checked, and a network analysis's defaults taken, by sv_siting_reach */
        if (!st->od.stations.spec) {
            snprintf(st->st_spec, sizeof st->st_spec, "%s:stations", o->db_path);
            st->od.stations.spec = st->st_spec;
            st->od.stations.id_field = st->od.stations.id_field ? st->od.stations.id_field : "station_id";
            st->od.stations.coords = SV_COORDS_WGS84; /* svcov's own table, already converted */
            st->od.stations.encoding = NULL;
        }
        if (!st->od.districts.spec) {
            snprintf(st->di_spec, sizeof st->di_spec, "%s:districts", o->db_path);
            st->od.districts.spec = st->di_spec;
            st->od.districts.id_field = st->od.districts.id_field ? st->od.districts.id_field : "district_id";
            st->od.districts.name_field = st->od.districts.name_field ? st->od.districts.name_field : "district_name";
            st->od.districts.coords = SV_COORDS_WGS84; /* svcov's own table, already converted */
            st->od.districts.encoding = NULL;
        }
        int srid = sv_store_db_srid(o->db_path);
        if ((!o->crs || strcasecmp(o->crs, "auto") == 0) && srid > 0) {
            snprintf(st->crs_spec, sizeof st->crs_spec, "EPSG:%d", srid);
            st->od.crs = st->crs_spec;
        }
    } else if ((rc = sv_store_check_target(ctx, o->out_path)) != SV_OK) {
        return rc;
    }
    o = st->o = &st->od;

    const sv_input_req req[] = {
        {&o->demand, NULL, SV_ROLE_DEMAND, &st->dem.src, 1},
        {&o->candidates, NULL, SV_ROLE_CANDIDATES, &st->cand.src, o->candidates.spec != NULL},
        {&o->stations, NULL, SV_ROLE_STATIONS, &st->sta.src, o->stations.spec != NULL},
        {&o->districts, NULL, SV_ROLE_DISTRICTS, &st->dis.src, o->districts.spec != NULL},
    };
    return sv_inputs_open(ctx, o->strict, req, sizeof req / sizeof req[0]);
}

/* The analysis CRS (s->crs), the demand, candidate and station points,
 * the valid districts (st->vd, st->finder, s->district_ids/names). */
sv_status sv_siting_places(sv_site_state *st)
{
    sv_ctx *ctx = st->ctx;
    const sv_siting_opts *o = st->o;
    sv_siting *s = st->s;
    sv_status rc = SV_OK;
    sv_env box = {0, 0, 0, 0};
    int have = 0;
    /* The zone from where the demand and districts are: a stray station or
     * candidate (lat/lon swapped) must not move it (issue 18 item 3). */
    sv_point_layer *all[] = {&st->dem, &st->dis};
    for (int k = 0; k < 2; k++)
        if (all[k]->src && (rc = sv_input_grow_bounds(ctx, all[k]->src, &box, &have)) != SV_OK)
            return rc;
    if (!have)
        return sv_error(ctx, SV_ERR_DATA, "%s: no usable demand point (see the warnings)", o->demand.spec);
    if ((rc = sv_crs_resolve(ctx, o->crs, (box.xmin + box.xmax) / 2, (box.ymin + box.ymax) / 2, &s->crs)) != SV_OK)
        return rc;
    if (!(st->h = sv_geos_create()))
        return SV_ERR_NOMEM;
    if ((rc = sv_input_points(ctx, st->h, &st->dem, s->crs.epsg, o->strict, 1)) != SV_OK)
        return rc;
    if (st->cand.src && (rc = sv_input_points(ctx, st->h, &st->cand, s->crs.epsg, o->strict, 1)) != SV_OK)
        return rc;
    if (st->sta.src && (rc = sv_input_points(ctx, st->h, &st->sta, s->crs.epsg, o->strict, 0)) != SV_OK)
        return rc;
    if (st->dem.n == 0)
        return sv_error(ctx, SV_ERR_DATA, "%s: no usable demand point (%zu read; see the warnings)", st->dem.fs.path,
                        st->dem.fs.n_read);
    if (st->dis.src) {
        if ((rc = sv_source_project(ctx, st->dis.src, s->crs.epsg, &st->dis.fs)) != SV_OK)
            return rc;
        st->vd = sv_calloc(st->dis.fs.n + 1, sizeof *st->vd);
        if (!st->vd)
            return SV_ERR_NOMEM;
        if ((rc = sv_district_polygons(ctx, st->h, &st->dis.fs, o->strict, st->vd, &s->n_districts)) != SV_OK)
            return rc;
        if (s->n_districts == 0)
            return sv_error(ctx, SV_ERR_DATA, "%s: no usable district (see the warnings)", st->dis.fs.path);
        if (sv_district_finder_init(&st->finder, st->h, st->vd, s->n_districts) != 0)
            return sv_error(ctx, SV_ERR_GEOM, "cannot index the districts: %s", sv_geos_errmsg(st->h));
        s->district_ids = sv_calloc(s->n_districts, sizeof(char *));
        s->district_names = sv_calloc(s->n_districts, sizeof(char *));
        if (!s->district_ids || !s->district_names)
            return SV_ERR_NOMEM;
        for (size_t d = 0; d < s->n_districts; d++) {
            s->district_ids[d] = sv_strdup(st->dis.fs.items[st->vd[d].src].id);
            s->district_names[d] = sv_strdup(st->dis.fs.items[st->vd[d].src].name);
        }
    }
    return rc;
}
