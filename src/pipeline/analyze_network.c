/* analyze_network.c - the network stage of svcov analyze: the access options of
 * both modes; with --network the street graph (engine/network.c) and each
 * break's service areas along it (engine/service_areas.c). */
#include "pipeline/analyze_stages.h"
#include "svcov/sv_lang.h"

#include <stdio.h>

/* Fills s->ao; network mode: s->net, a->net, s->areas, a->n_unattached
 * (each station too far from the streets is an issue). */
sv_status sv_analyze_network(sv_analyze_state *s)
{
    sv_ctx *ctx = s->ctx;
    const sv_analyze_opts *o = s->o;
    sv_analysis *a = s->a;
    sv_status rc;
    if (a->network) {
        sv_progress(ctx, "graph", 0.0);
        if ((rc = sv_network_build(ctx, &s->nfs, &s->mode, &s->net)) != SV_OK)
            return rc;
        sv_network_get_info(s->net, &a->net);
        sv_progress(ctx, "graph", 1.0);
    }
    s->ao = (sv_access_opts){
        .kind = o->n_radii ? SV_COST_LENGTH : SV_COST_TIME,
        .budget = s->budget,
        .n_breaks = a->n_breaks,
        .snap = o->snap,
        .max_snap_m = o->max_snap_m,
        .access_legs = o->access_legs,
        .access_kmh = a->network ? s->mode.access_kmh : 5.0,
        .trim_m = o->trim_m,
        .quad_segs = 8,
        .per_station = o->service_areas,
        .per_station_lines = !o->demand_only, /* each station's streets: the reach count needs them */
        /* --demand-only: the demand's nearest station is one search from all stations at once (demand stage) */
        .attach_only = o->demand_only,
        .no_reach_count = o->demand_only,
    };
    if (!a->network)
        return SV_OK;
    if ((rc = sv_net_areas_compute(ctx, s->net, s->xs, s->ys, a->n_stations, &s->ao, &s->areas)) != SV_OK)
        return rc;
    a->n_unattached = s->areas.n_unattached;
    for (size_t i = 0; i < a->n_stations && rc == SV_OK; i++)
        if (!s->areas.attach[i].ok) {
            sv_msg what;
            sv_msg_init(&what, sv_ctx_lang(ctx));
            sv_msg_add(&what, "is farther than --max-snap %g m from any road the mode may use: not reachable over "
                       "the network", o->max_snap_m);
            rc = sv_issue_add_msg(ctx, s->sfs.path, s->sfs.layer, s->sfs.items[s->keep[i]].id, &what,
                                  SV_ISSUE_SKIPPED);
        }
    return rc;
}
