/*
 * sv_net_reach.h - who reaches which demand along the streets, for siting:
 * one bounded Dijkstra per candidate site or station, on all threads, with
 * the attachment, access legs and reach test of svcov analyze (network.c,
 * service_areas.c); and candidate sites from the street graph.
 */
#ifndef SV_NET_REACH_H
#define SV_NET_REACH_H

#include "svcov/sv_access.h"
#include "svcov/sv_network.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Compressed lists: list j is item[start[j] .. start[j+1]), demand indices
 * ascending. */
typedef struct {
    size_t *start; /* n + 1 */
    size_t *item;
    size_t n;
} sv_reach_lists;

void sv_reach_lists_free(sv_reach_lists *r);

/* Node -> demand: list v holds the attached demand points (dem, nd) at
 * node v or on an edge ending at v, ascending: what a search from anywhere
 * must touch to reach them. out->n is the network's node count; free with
 * sv_reach_lists_free. SV_ERR_NOMEM (no message) when out of memory. */
sv_status sv_demand_by_node(const sv_network *net, const sv_attach *dem, size_t nd, sv_reach_lists *out);

/* For each point (px, py), the demand points within budget (seconds or
 * metres, o->kind) along the network. The points are attached as stations
 * are in analyze (o->snap, o->max_snap_m; with o->access_legs their walk to
 * the street costs at o->access_kmh); demand is attached already (dem, nd:
 * sv_network_attach with the same options). A demand point is reached when
 * sv_network_point_cost from the point plus the demand's own access leg is
 * at most budget: the test of sv_demand_access_network. A point beyond
 * max_snap reaches nothing (attached[j] = 0 when attached is given).
 * The searches run on the context's threads. Free with sv_reach_lists_free. */
sv_status sv_net_reach_lists(sv_ctx *ctx, const sv_network *net, const sv_access_opts *o, double budget,
                             const double *px, const double *py, size_t np, const sv_attach *dem, size_t nd,
                             sv_reach_lists *out, unsigned char *attached);

/* Thin points to a minimum spacing: in the given order, a point is kept
 * when no kept point lies closer than spacing_m. keep (n entries) gets the
 * indices kept, *n_keep their count. */
sv_status sv_points_thin(const double *x, const double *y, size_t n, double spacing_m, size_t *keep,
                         size_t *n_keep);

#ifdef __cplusplus
}
#endif
#endif
