/* analyze_coverage.c - the coverage stage of svcov analyze: the covered part, the
 * gap and the stations reaching each district (and the city) at each break,
 * computed by engine/coverage.c from circles or from the network areas. */
#include "pipeline/analyze_stages.h"

/* Fills a->cov from s->xs/ys, s->dw/dl (the city last), a->breaks and, in
 * network mode, s->areas (the reach count from each station's streets). */
sv_status sv_analyze_coverage(sv_analyze_state *s)
{
    const sv_analyze_opts *o = s->o;
    sv_analysis *a = s->a;
    sv_cov_input in = {
        .xs = s->xs,
        .ys = s->ys,
        .n_stations = a->n_stations,
        .district_wkb = (const unsigned char *const *)s->dw,
        .district_wkb_len = s->dl,
        .n_districts = a->n_districts + 1,
        .breaks = a->breaks,
        .n_breaks = a->n_breaks,
        .quad_segs = o->quad_segs,
        .method = a->network ? SV_METHOD_AREAS : o->method,
        .want_geometry = 1,
        /* overlapping districts with people: the city gap polygon too (its people are counted in it) */
        .geometry_limit = a->districts_overlap && (o->population_raster || o->population.spec || o->population_field)
                              ? 0
                              : a->n_districts,
        .area_wkb = (const unsigned char *const *)s->areas.area_wkb,
        .area_len = s->areas.area_len,
        .station_lines_wkb = (const unsigned char *const *)s->areas.st_lines_wkb,
        .station_lines_len = s->areas.st_lines_len,
        .trim_m = o->trim_m,
        .trim_quad_segs = s->ao.quad_segs,
    };
    return sv_coverage_compute(s->ctx, &in, &a->cov);
}
