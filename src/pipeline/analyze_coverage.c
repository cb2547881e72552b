/* analyze_coverage.c - the coverage stage of svcov analyze: the covered part, the
 * gap and the stations reaching each district (and the city) at each break,
 * computed by engine/coverage.c from circles or from the network areas. */
#include "pipeline/analyze_stages.h"

/* Fills a->cov from s->xs/ys, s->dw/dl (the city last), a->breaks and, in
 * network mode, s->areas (the reach count from each station's streets). */
void sv_analyze_cov_input(const sv_analyze_state *s, const double *xs, const double *ys, size_t n,
                          const sv_net_areas *areas, sv_cov_input *out)
{
    const sv_analyze_opts *o = s->o;
    const sv_analysis *a = s->a;
    sv_cov_input in = {
        .xs = xs,
        .ys = ys,
        .n_stations = n,
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
        .area_wkb = (const unsigned char *const *)areas->area_wkb,
        .area_len = areas->area_len,
        .station_lines_wkb = (const unsigned char *const *)areas->st_lines_wkb,
        .station_lines_len = areas->st_lines_len,
        .trim_m = o->trim_m,
        .trim_quad_segs = s->ao.quad_segs,
    };
    *out = in;
}

sv_status sv_analyze_coverage(sv_analyze_state *s)
{
    if (s->o->demand_only)
        return SV_OK; /* no district coverage: a->cov stays empty */
    sv_cov_input in;
    sv_analyze_cov_input(s, s->xs, s->ys, s->a->n_stations, &s->areas, &in);
    in.want_gap_parts = 1; /* for gap_parts: cut on the workers, not by the writer */
    return sv_coverage_compute(s->ctx, &in, &s->a->cov);
}
