/*
 * sv_network.h - the road network: graph, travel modes, attaching points,
 * shortest paths and reached edges.
 *
 * The graph is built in the analysis CRS from line features: every vertex,
 * rounded to 1 cm, is a node, so ways that share a vertex are joined there
 * (OSM ways meet at shared nodes in their middle) and lines that merely
 * cross (bridges, tunnels) are not. Each pair of consecutive vertices is an
 * edge whose length is the straight distance between the rounded nodes.
 */
#ifndef SV_NETWORK_H
#define SV_NETWORK_H

#include "svcov/sv_common.h"
#include "svcov/sv_geom.h"
#include "svcov/sv_io.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Ownership: sv_travel_mode_load fills the caller's *out (no heap memory).
 * sv_network_build's *out (NULL on failure) is the caller's, freed with
 * sv_network_destroy (NULL ok); it copies what it needs from the borrowed
 * lines. sv_network_attach writes into the caller's out[0..np).
 * sv_labels_init allocates l's arrays, freed by sv_labels_free (l not NULL;
 * it leaves l zeroed, so freeing twice is harmless). sv_network_reached
 * returns a new geometry the caller frees with sv_geom_destroy(h, ...), NULL
 * on failure. Everything else is borrowed. */

#define SV_MODE_MAX_CLASSES 64

/* Who may use which road class, how fast (km/h; 0 = not allowed). */
typedef struct {
    char name[16];
    double default_kmh;    /* classes not in the table (0: not allowed) */
    double access_kmh;     /* walking between a point and the network */
    int obey_oneway;
    int use_maxspeed;      /* honour a maxspeed attribute (cars) */
    size_t n_classes;
    char cls[SV_MODE_MAX_CLASSES][32];
    double kmh[SV_MODE_MAX_CLASSES];
} sv_travel_mode;

/* The built-in table of mode (walk, bike, ebike, car), replaced class by
 * class by speeds_csv (columns highway,speed_kmh; 0 forbids) when given.
 * A bad row is an issue naming the file and row, skipped. */
sv_status sv_travel_mode_load(sv_ctx *ctx, const char *mode, const char *speeds_csv, sv_travel_mode *out);
/* km/h on a road of this class (and maxspeed text), 0 when not allowed. */
double sv_travel_mode_speed(const sv_travel_mode *m, const char *highway, const char *maxspeed);

typedef struct sv_network sv_network;

typedef struct {
    size_t nodes, edges, components, main_nodes;
    double length_m;
    size_t lines_used, lines_skipped_mode, segments_zero;
} sv_network_info;

/* Build from projected line features. Lines the mode may not use are left
 * out (counted); unusable features are issues. Free with sv_network_destroy. */
sv_status sv_network_build(sv_ctx *ctx, const sv_featureset *lines, const sv_travel_mode *mode,
                           sv_network **out);
void sv_network_destroy(sv_network *n);
void sv_network_get_info(const sv_network *n, sv_network_info *info);

typedef enum { SV_SNAP_EDGE = 0, SV_SNAP_NODE } sv_snap;

/* A point attached to the network. */
typedef struct {
    int ok;         /* within max_snap */
    double snap_m;  /* straight distance to the attach point */
    int on_edge;    /* 1: edge/t, 0: node */
    size_t edge;
    double t;       /* fraction along the edge from its first node */
    size_t node;
} sv_attach;

sv_status sv_network_attach(sv_ctx *ctx, const sv_network *n, const double *xs, const double *ys, size_t np,
                            sv_snap snap, double max_snap_m, sv_attach *out);

typedef enum { SV_COST_TIME = 0, SV_COST_LENGTH } sv_cost_kind;

/* Shortest-path labels from a set of sources (multi-source when nsrc > 1). */
typedef struct {
    double *cost;   /* per node: seconds (time) or metres (length); INFINITY unreached */
    double *len;    /* metres along the path, access legs included when counted */
    int32_t *src;   /* which source */
    size_t *touched; /* nodes labelled, for a cheap reset */
    size_t n_touched;
    /* The sources of the last search (borrowed) and the indices of those on
     * an edge sorted by (edge, index), so that sv_network_point_cost and
     * sv_network_reached find the sources on an edge without a scan of all
     * of them when given the same sources. */
    const sv_attach *from;
    size_t n_from;
    size_t *on_edge, n_on_edge, cap_on_edge;
} sv_labels;

sv_status sv_labels_init(sv_labels *l, const sv_network *n);
void sv_labels_free(sv_labels *l);

/* Dijkstra from sources (their access legs cost access[i] seconds/metres
 * and access_len[i] metres; NULL: 0), stopping past cutoff (INFINITY: all). */
sv_status sv_network_dijkstra(const sv_network *n, sv_cost_kind kind, const sv_attach *src, const double *access,
                              const double *access_len, size_t nsrc, double cutoff, sv_labels *l);

/* Cost (and length, source) to reach an attached point, not counting its
 * own access leg; INFINITY when unreached. Sources on the same edge count. */
double sv_network_point_cost(const sv_network *n, sv_cost_kind kind, const sv_labels *l, const sv_attach *src,
                             const double *access, const double *access_len, size_t nsrc, const sv_attach *p,
                             double *len, int *which);

/* The network reached within budget: full and partial edges as a
 * MultiLineString (empty when nothing). */
sv_geom *sv_network_reached(sv_geos *h, const sv_network *n, sv_cost_kind kind, const sv_labels *l,
                            const sv_attach *src, const double *access, size_t nsrc, double budget,
                            double *reached_len);

/* Graph queries (for siting along the network). */
size_t sv_network_node_count(const sv_network *n);
void sv_network_node_xy(const sv_network *n, size_t node, double *x, double *y);
/* The nodes an attached point is reached through: its edge's two ends, or
 * its node twice. */
void sv_network_attach_ends(const sv_network *n, const sv_attach *p, size_t *a, size_t *b);
/* Where an attached point sits on the street. */
void sv_network_attach_xy(const sv_network *n, const sv_attach *p, double *x, double *y);
/* Street intersections: nodes where three or more edges meet, ascending.
 * The caller frees *nodes. */
sv_status sv_network_intersections(const sv_network *n, size_t **nodes, size_t *count);

#ifdef __cplusplus
}
#endif
#endif
