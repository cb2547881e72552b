/* analyze_inputs.c - the inputs, crs and places stages of svcov analyze: open the
 * sources, choose the analysis CRS and project every layer into it, then the
 * station points, the valid districts and the city (their union). The rules
 * shared with svcov site (points, districts, ids, bounds) are in pipeline/inputs.c. */
#include "pipeline/analyze_access.h"
#include "pipeline/analyze_stages.h"
#include "pipeline/inputs.h"
#include "svcov/sv_crs.h"
#include "svcov/sv_geom.h"
#include "svcov/sv_lang.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* The target is writable and the people options agree; then every source
 * is opened: s->ssrc, s->dsrc, and as asked s->nsrc, s->msrc, s->psrc. */
sv_status sv_analyze_inputs(sv_analyze_state *s)
{
    sv_ctx *ctx = s->ctx;
    const sv_analyze_opts *o = s->o;
    sv_status rc;
    if ((rc = sv_access_stage_check(ctx, o)) != SV_OK || (rc = sv_store_check_target(ctx, o->out_path)) != SV_OK)
        return rc;
    if (!!o->population_raster + !!o->population.spec > 1 || (o->population_raster && o->population_field))
        return sv_error(ctx, SV_ERR_USAGE, "give people one way: --population-raster FILE, or --population-field "
                        "FIELD (on the districts, or with --population PATH for population polygons)");
    if (o->population.spec && !o->population_field)
        return sv_error(ctx, SV_ERR_USAGE, "--population %s: say which field holds the number of people with "
                        "--population-field FIELD", o->population.spec);
    sv_progress(ctx, "reading", 0.0);
    /* a shard's worker reads the streets and population polygons within its window only */
    sv_source_opts net = o->network, pop = o->population, sta = o->stations, dis = o->districts, dem = o->demand;
    if (o->read_window) {
        net.window = pop.window = o->read_window;
        net.window_epsg = pop.window_epsg = o->read_window_epsg;
        sv_source_opts *more[4] = {&sta, &dis, NULL, &dem};
        for (int k = 0; k < 4; k++) /* and the stations, districts, demand points the shard's filter asks for */
            if (more[k] && (o->read_window_more >> k & 1)) {
                more[k]->window = o->read_window;
                more[k]->window_epsg = o->read_window_epsg;
            }
    }
    const sv_input_req req[] = {
        {&sta, NULL, SV_ROLE_STATIONS, &s->ssrc, 1},
        {&dis, o->population_field && !o->population.spec ? o->population_field : NULL, SV_ROLE_DISTRICTS,
         &s->dsrc, 1},
        {&net, NULL, SV_ROLE_NETWORK, &s->nsrc, s->a->network},
        {&dem, NULL, SV_ROLE_DEMAND, &s->msrc, o->demand.spec != NULL},
        {&pop, o->population_field, SV_ROLE_POPULATION, &s->psrc, o->population.spec != NULL},
    };
    return sv_inputs_open(ctx, o->strict, req, sizeof req / sizeof req[0]);
}

/* The analysis CRS (a->crs): the UTM zone of the districts' centre unless
 * given (a stray station, lat/lon swapped, must not move it: issue 18 item
 * 3); every source projected into it (s->sfs, dfs, nfs, mfs, pfs) and closed. */
sv_status sv_analyze_crs(sv_analyze_state *s)
{
    sv_ctx *ctx = s->ctx;
    const sv_analyze_opts *o = s->o;
    sv_analysis *a = s->a;
    sv_env dbox, sbox;
    sv_status rc = sv_source_lonlat_bounds(ctx, s->dsrc, &dbox);
    if (rc == SV_ERR_DATA)
        return sv_error(ctx, SV_ERR_DATA, "%s: no usable district (every feature was skipped; see the warnings)",
                        o->districts.spec);
    if (rc != SV_OK)
        return rc;
    rc = sv_source_lonlat_bounds(ctx, s->ssrc, &sbox);
    if (rc != SV_OK && rc != SV_ERR_DATA)
        return rc; /* an empty station layer is checked later (sv_check_station_count); a broken one stops here */
    if ((rc = sv_check_auto_extent(ctx, o->crs, &dbox, o->districts.spec)) != SV_OK ||
        (rc = sv_crs_resolve(ctx, o->crs, (dbox.xmin + dbox.xmax) / 2, (dbox.ymin + dbox.ymax) / 2, &a->crs)) !=
            SV_OK)
        return rc;
    sv_progress(ctx, "reading", 1.0);
    sv_progress(ctx, "projecting", 0.0);
    if ((rc = sv_source_project(ctx, s->ssrc, a->crs.epsg, &s->sfs)) != SV_OK ||
        (rc = sv_source_project(ctx, s->dsrc, a->crs.epsg, &s->dfs)) != SV_OK ||
        (s->nsrc && (rc = sv_source_project(ctx, s->nsrc, a->crs.epsg, &s->nfs)) != SV_OK) ||
        (s->msrc && (rc = sv_source_project(ctx, s->msrc, a->crs.epsg, &s->mfs)) != SV_OK) ||
        (s->psrc && (rc = sv_source_project(ctx, s->psrc, a->crs.epsg, &s->pfs)) != SV_OK))
        return rc;
    /* (a shard reading the stations in its window only: the plan checked the whole layer) */
    if (o->stations.where && s->sfs.n_read == 0 && !(o->read_window && (o->read_window_more & 1))) {
        /* a filter that lets nothing through is almost always a typo */
        if (o->strict)
            return sv_error(ctx, SV_ERR_DATA, "%s: layer '%s': --where \"%s\" matches no station (--strict stops "
                            "here); check the field names and values, e.g. with ogrinfo -al -where", s->sfs.path,
                            s->sfs.layer, o->stations.where);
        sv_warning(ctx, "%s: layer '%s': --where \"%s\" matches no station: every district is reported as not "
                   "covered; check the field names and values (--strict makes this an error)", s->sfs.path,
                   s->sfs.layer, o->stations.where);
    }
    sv_source_close(s->psrc);
    sv_source_close(s->nsrc);
    sv_source_close(s->msrc);
    sv_source_close(s->ssrc);
    sv_source_close(s->dsrc);
    s->psrc = s->nsrc = s->msrc = s->ssrc = s->dsrc = NULL;
    sv_progress(ctx, "projecting", 1.0);
    return SV_OK;
}

/* The city as a whole (s->dw[n], s->dl[n]): the union of the districts,
 * measured like one; a->districts_overlap when their areas add up to more. */
static sv_status city_union(sv_analyze_state *s)
{
    sv_analysis *a = s->a;
    sv_geos *h = s->h;
    sv_geom **parts = sv_calloc(a->n_districts, sizeof *parts);
    if (!parts)
        return sv_error(s->ctx, SV_ERR_NOMEM, "out of memory");
    double bytes = 0;
    for (size_t d = 0; d < a->n_districts; d++) {
        parts[d] = sv_geom_from_wkb(h, s->dw[d], s->dl[d]);
        bytes += (double)s->dl[d];
    }
    int long_work = bytes >= SV_WORK_BYTES || a->n_districts >= SV_WORK_FEATURES; /* one GEOS call: 0 and 100% */
    if (long_work)
        sv_work(s->ctx, SV_N_("uniting the districts of %s: %d%%"), s->dfs.path, 0.0);
    sv_geom *city = sv_geom_tiles_union_take(h, parts, a->n_districts);
    if (long_work && city)
        sv_work(s->ctx, SV_N_("uniting the districts of %s: %d%%"), s->dfs.path, 1.0);
    for (size_t d = 0; d < a->n_districts; d++)
        sv_geom_destroy(h, parts[d]);
    free(parts);
    s->dw[a->n_districts] = city ? sv_geom_to_wkb(h, city, &s->dl[a->n_districts]) : NULL;
    double sum = 0, city_area = city ? sv_geom_area(h, city) : 0;
    for (size_t d = 0; d < a->n_districts; d++)
        sum += s->vd[d].area;
    a->districts_overlap = sum > city_area * (1 + 1e-7) + 1e-3;
    sv_geom_destroy(h, city);
    if (!s->dw[a->n_districts])
        return sv_error(s->ctx, SV_ERR_GEOM, "cannot unite the districts: %s", sv_geos_errmsg(h));
    return SV_OK;
}

/* Station points (s->xs, ys, keep; a->n_stations, unique ids), valid
 * districts (s->vd, s->dw, s->dl; a->n_districts, a->district_ids/names)
 * and the city; s->h is the run's GEOS handle from here on. */
sv_status sv_analyze_places(sv_analyze_state *s)
{
    sv_ctx *ctx = s->ctx;
    const sv_analyze_opts *o = s->o;
    sv_analysis *a = s->a;
    sv_status rc;
    sv_progress(ctx, "districts", 0.0); /* points, valid polygons, the city */
    s->h = sv_geos_create();
    /* a station plan (scenario): stations closed and opened, after the CRS was chosen from the stations as they
       are, before the station points and unique ids */
    sv_source_opts so = o->stations;
    so.strict = o->strict;
    if (s->h && sv_plan_given(&o->plan) &&
        (rc = sv_plan_apply(ctx, s->h, &o->plan, &so, a->crs.epsg, &s->sfs, &a->plan)) != SV_OK)
        return rc;
    s->xs = sv_malloc((s->sfs.n + 1) * sizeof *s->xs);
    s->ys = sv_malloc((s->sfs.n + 1) * sizeof *s->ys);
    s->keep = sv_malloc((s->sfs.n + 1) * sizeof *s->keep);
    s->vd = sv_calloc(s->dfs.n + 1, sizeof *s->vd);
    if (!s->h || !s->xs || !s->ys || !s->keep || !s->vd)
        return sv_error(ctx, SV_ERR_NOMEM, "out of memory");
    if ((rc = sv_feature_points(ctx, s->h, &s->sfs, o->strict, 0, s->xs, s->ys, s->keep, &a->n_stations)) != SV_OK ||
        (rc = sv_unique_station_ids(ctx, &s->sfs, s->keep, a->n_stations, o->strict)) != SV_OK)
        return rc;
    rc = sv_district_polygons(ctx, s->h, &s->dfs, o->strict, s->vd, &a->n_districts);
    s->nd_valid = a->n_districts;
    if (rc != SV_OK || (rc = sv_unique_district_ids(ctx, &s->dfs, s->vd, a->n_districts)) != SV_OK)
        return rc;
    a->n_stations_read = s->sfs.n_read;
    a->n_districts_read = s->dfs.n_read;
    if (a->n_districts == 0)
        return sv_error(ctx, SV_ERR_DATA, "%s: layer '%s': no usable district (%zu read, all skipped; see the "
                        "warnings)", s->dfs.path, s->dfs.layer, s->dfs.n_read);
    if ((rc = sv_check_station_count(ctx, &s->sfs, a->n_stations, o->stations.where != NULL, o->strict)) != SV_OK)
        return rc;
    sv_env dbox_crs;
    if (a->n_stations && a->n_breaks && sv_districts_box(s->h, s->vd, a->n_districts, &dbox_crs) == 0)
        sv_warn_far_stations(ctx, &s->sfs, s->xs, s->ys, s->keep, a->n_stations, &dbox_crs,
                             a->breaks[a->n_breaks - 1].radius_m);
    s->dw = sv_calloc(a->n_districts + 1, sizeof *s->dw);
    s->dl = sv_calloc(a->n_districts + 1, sizeof *s->dl);
    a->district_ids = sv_calloc(a->n_districts, sizeof *a->district_ids);
    a->district_names = sv_calloc(a->n_districts, sizeof *a->district_names);
    if (!s->dw || !s->dl || !a->district_ids || !a->district_names)
        return sv_error(ctx, SV_ERR_NOMEM, "out of memory");
    for (size_t d = 0; d < a->n_districts; d++) {
        s->dw[d] = s->vd[d].wkb;
        s->dl[d] = s->vd[d].len;
        a->district_ids[d] = sv_strdup(s->dfs.items[s->vd[d].src].id);
        a->district_names[d] = sv_strdup(s->dfs.items[s->vd[d].src].name);
        if (!a->district_ids[d] || !a->district_names[d])
            return sv_error(ctx, SV_ERR_NOMEM, "out of memory");
    }
    if ((rc = city_union(s)) != SV_OK)
        return rc;
    sv_progress(ctx, "districts", 1.0);
    return SV_OK;
}
