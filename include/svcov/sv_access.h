/*
 * sv_access.h - who reaches what: network service areas (dissolved and per
 * station) and demand access (nearest station, distance, time, stations
 * within each break), over the road network or in straight lines.
 */
#ifndef SV_ACCESS_H
#define SV_ACCESS_H

#include "svcov/sv_common.h"
#include "svcov/sv_network.h"
#include "svcov/sv_geom.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Ownership: the network and the point arrays are borrowed for the call.
 * sv_net_areas_compute fills *out (zeroed first); every buffer in it is the
 * caller's, freed together by sv_net_areas_free (NULL ok), also after a
 * failure. sv_demand_access_network/_circles fill *out the same way, freed by
 * sv_demand_access_free (NULL ok). sv_net_reaches borrows lines and district. */

typedef struct {
    sv_cost_kind kind;     /* breaks in time (seconds) or length (metres) */
    const double *budget;  /* per break, ascending */
    size_t n_breaks;
    sv_snap snap;
    double max_snap_m;
    int access_legs;       /* count the straight walk to and from the network */
    double access_kmh;
    double trim_m;         /* off-street allowance around reached streets */
    int quad_segs;
    int per_station;       /* also one area per station and break */
    int per_station_lines; /* without per_station: each station's reached streets only (st_lines_wkb),
                              enough for who reaches what (sv_net_reaches) */
    int attach_only;       /* sv_net_areas_compute: attach the stations only, no search, no area (the
                              demand's nearest station needs no more) */
    int no_reach_count;    /* sv_demand_access_network: n_stations -1 (not counted: that is one bounded
                              search per station); nearest, distance and within as always */
} sv_access_opts;

typedef struct {
    sv_attach *attach;         /* per station */
    double *access, *access_len; /* per station: cost and metres of its access leg */
    unsigned char **area_wkb;  /* per break: dissolved service area (polygonal) */
    size_t *area_len;
    double *reached_m;         /* per break: network length reached */
    unsigned char **lines_wkb; /* per break: the reached streets (MultiLineString), NULL when none */
    size_t *lines_len;
    unsigned char **st_wkb;    /* per station and break (station-major), when per_station (else NULL) */
    size_t *st_len;
    double *st_reached_m;
    unsigned char **st_lines_wkb; /* per station and break: its reached streets */
    size_t *st_lines_len;
    size_t n_stations, n_breaks, n_unattached;
} sv_net_areas;

/* Attach the stations and build the service areas: reached edges (full and
 * partial) widened by trim_m; each break's area contains the smaller ones'. */
sv_status sv_net_areas_compute(sv_ctx *ctx, const sv_network *net, const double *xs, const double *ys, size_t ns,
                               const sv_access_opts *o, sv_net_areas *out);
void sv_net_areas_free(sv_net_areas *a);

/* Does the area built from a station's reached streets (widened by trim
 * with quad_segs, as sv_net_areas_compute does) meet the district? Decided
 * on the lines where that is certain (they enter it: yes; farther than
 * trim: no), else on the widened lines. 1 yes, 0 no, -1 failure. */
int sv_net_reaches(sv_geos *h, const sv_geom *lines, const sv_prep *district, double trim, int quad_segs);

typedef struct {
    size_t n, n_breaks;
    int *nearest;            /* station index, -1 none reachable */
    double *snap_m;          /* straight distance to the network (NAN in circle mode) */
    double *network_m;       /* to the nearest station along the network, access legs as asked; or straight */
    double *cost;            /* seconds (time) or metres (length) */
    double *euclid_m;        /* straight line to the nearest station */
    unsigned char *within;   /* n * n_breaks */
    int *n_stations;         /* n * n_breaks: stations within the break (-1: not counted, no_reach_count) */
} sv_demand_access;

/* Over the network (uses a's station attachments). */
sv_status sv_demand_access_network(sv_ctx *ctx, const sv_network *net, const sv_net_areas *a, const double *sx,
                                   const double *sy, size_t ns,
                                   const double *dx, const double *dy, size_t nd, const sv_access_opts *o,
                                   sv_demand_access *out);
/* In straight lines: within = distance <= radius[b]; cost in metres. */
sv_status sv_demand_access_circles(sv_ctx *ctx, const double *sx, const double *sy, size_t ns, const double *dx,
                                   const double *dy, size_t nd, const double *radius, size_t nb,
                                   sv_demand_access *out);
void sv_demand_access_free(sv_demand_access *d);

/* Every station-demand pair within the largest break, with its cost
 * (circles: straight metres; network: seconds or metres as o->kind, the
 * demand's access leg included), by the same rules as the counts of
 * sv_demand_access_*: for capacity-aware access (2SFCA). Free with
 * sv_reach_pairs_free (also on failure). */
typedef struct {
    size_t n, cap;
    size_t *demand, *station;
    double *cost;
} sv_reach_pairs;
sv_status sv_reach_pairs_circles(sv_ctx *ctx, const double *sx, const double *sy, size_t ns, const double *dx,
                                 const double *dy, size_t nd, double max_radius, sv_reach_pairs *out);
/* Over the network (uses a's station attachments; demand attached with o). */
sv_status sv_reach_pairs_network(sv_ctx *ctx, const sv_network *net, const sv_net_areas *a, size_t ns,
                                 const double *dx, const double *dy, size_t nd, const sv_access_opts *o,
                                 sv_reach_pairs *out);
void sv_reach_pairs_free(sv_reach_pairs *p);

#ifdef __cplusplus
}
#endif
#endif
