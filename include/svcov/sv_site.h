/*
 * sv_site.h - where to put the next stations: the maximal covering location
 * problem (MCLP), the location set covering problem (LSCP), and a coverage
 * floor per district. A lazy greedy (CELF) always runs; GLPK's MIP solver
 * gives the proven optimum with --exact; for MCLP a swap local search
 * can improve the greedy's sites (sv_site_input.swap).
 *
 * Demand point i is covered by a site f when their straight-line distance
 * in the analysis CRS is at most the radius (inclusive). Existing stations
 * are open and fixed; they never count in k.
 *
 * Ownership: sv_site_solve borrows every array of its input and fills a result whose arrays it owns;
 * the caller frees them with sv_site_result_free (also after a failure). sv_siting_run returns a
 * new sv_siting the caller frees with sv_siting_destroy (NULL ok); its option strings are borrowed.
 */
#ifndef SV_SITE_H
#define SV_SITE_H

#include "svcov/sv_common.h"
#include "svcov/sv_net_reach.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { SV_SITE_MCLP = 0, SV_SITE_LSCP } sv_site_model;

typedef struct {
    const double *dx, *dy, *dw;  /* demand points and weights (>= 0) */
    const int *ddistrict;        /* district of each demand point (-1 none), or NULL */
    size_t n_demand;
    size_t n_districts;
    const double *cx, *cy;       /* candidate sites, in preference order for ties */
    size_t n_candidates;
    const double *sx, *sy;       /* existing stations */
    size_t n_stations;
    double radius_m;
    sv_site_model model;
    int k;                       /* MCLP: new sites */
    double target_share;         /* LSCP: (0,1] of all demand weight; 0 = every coverable point (a share
                                    above the coverable one is capped to it: result.target_capped) */
    double min_district_share;   /* MCLP: (0,1] floor per district; 0 = none */
    int exact;                   /* also solve with GLPK */
    double time_limit_s;         /* for the exact solver; when it runs out, the better of GLPK's answer
                                    and the greedy's is kept (result.timed_out) */
    const char *mps_path;        /* write the exact model as MPS, or NULL */
    /* Reach measured elsewhere (along the network, sv_net_reach_lists):
     * list j of station_reach is what station j reaches, of cand_reach what
     * candidate j reaches. Both NULL: straight-line circles of radius_m. */
    const sv_reach_lists *station_reach, *cand_reach;
    /* Capacitated MCLP: candidate j serves at most capacity[j] demand
     * weight (demand may be split between sites); NULL: no limit. Not with
     * LSCP or district floors. */
    const double *capacity;
    int solver_cbc;              /* exact: CBC (its C interface) on the model instead of GLPK's search */
    int swap;                    /* MCLP without floors or capacities: after the greedy, swap one chosen
                                    site for one other candidate while that covers more (Teitz & Bart's
                                    vertex substitution); the result is the heuristic answer */
} sv_site_input;

typedef struct {
    size_t *chosen;      /* candidate indices in rank order (greedy pick order) */
    double *gain;        /* marginal covered weight of each rank */
    size_t n_chosen;
    double total_weight, existing_covered, coverable_weight, objective;
    double greedy_objective; /* covered weight (MCLP) or site count (LSCP) of greedy */
    size_t greedy_sites;
    double swap_objective;   /* covered weight after the swaps (in->swap), NAN when they did not run */
    size_t n_swaps;          /* swaps made */
    double swap_s;           /* their time, seconds */
    size_t n_uncoverable;    /* demand points no candidate or station reaches */
    const char *solver;      /* whose answer is reported: "greedy", "glpk" or "cbc" */
    int proven_optimal;      /* 1 when the exact solver proved it */
    double gap;              /* relative gap of the reported answer to the bound; NAN unknown */
    double bound;            /* upper (MCLP) / lower (LSCP) bound on the objective, NAN unknown */
    double greedy_s, exact_s;
    int timed_out;           /* --exact stopped at time_limit_s */
    double target_share;     /* LSCP: the target solved for (in->target_share, or the coverable share
                                when that was more than can be reached); 0 = every coverable point */
    int target_capped;       /* in->target_share was more than can be reached */
    double *district_total, *district_before, *district_after, *district_floor; /* n_districts */
    double *load;            /* capacitated: weight assigned to the site of each rank (= its gain), else NULL */
    size_t n_floor_unmet;
    char note[1024];         /* why an answer falls short (floors, k too small, time limit, target
                                capped), or ""; parts separated by "; " */
} sv_site_result;

/* The version of GLPK, the exact solver (a static string). */
const char *sv_glpk_version(void);

/* 1 when this svcov was built with COIN-OR CBC's library (coinor-libcbc-dev
 * found at build time), else 0. svcov site's exact solve uses CBC by default
 * when it is built in, GLPK otherwise. */
int sv_cbc_available(void);
/* CBC's version (a static string, e.g. "2.10.8"), or NULL when built without it. */
const char *sv_cbc_version(void);

sv_status sv_site_solve(sv_ctx *ctx, const sv_site_input *in, sv_site_result *out);
void sv_site_result_free(sv_site_result *r);

#ifdef __cplusplus
}
#endif
#endif

/* ---- the whole siting run (svcov site) ---- */
#ifndef SV_SITE_RUN_H
#define SV_SITE_RUN_H
#include "svcov/sv_crs.h"
#include "svcov/sv_io.h"

typedef struct {
    sv_source_opts demand;     /* required */
    sv_source_opts candidates; /* spec NULL: a grid (grid_m) */
    sv_source_opts stations;   /* spec NULL: no existing stations */
    sv_source_opts districts;  /* spec NULL: none (needed for a grid and floors) */
    const char *crs;
    double radius_m;           /* > 0: metres; else minutes at the mode's speed */
    double minutes;
    const char *mode;
    double speed_kmh, detour;
    double grid_m;             /* candidate grid spacing when no candidates layer */
    int grid_in_gaps;          /* keep grid nodes no station reaches */
    sv_site_model model;
    int k;
    double target_share, min_district_share;
    int exact;
    double time_limit_s;
    const char *mps_path;
    int strict;
    const char *db_path;       /* an earlier analysis: its stations, districts and CRS are the
                                  defaults, and the results are added to a copy of it */
    const char *out_path;      /* NULL with db_path: db_path itself, replaced atomically */
    const char *command_line;
    /* Reach along the streets (network.spec set, or a --db of a network
     * analysis: its network, mode, largest break and snapping unless given).
     * The unset values (-1, NAN, NULL) take the analysis's or analyze's
     * defaults (edge, on, 500 m). */
    sv_source_opts network;
    const char *speeds_csv;
    int snap;                  /* sv_snap, -1 unset */
    int access_legs;           /* 0/1, -1 unset */
    double max_snap_m;         /* NAN unset */
    int candidates_from_nodes; /* street intersections as candidates */
    double min_spacing_m;      /* thin those to this spacing (0: all) */
    /* Capacitated siting: each new site serves at most this demand weight
     * (> 0), or the candidates' capacity field (candidates.weight_field). */
    double capacity;
    int solver_cbc;            /* 1 CBC, 0 GLPK (--solver); sv_siting_opts_init sets
                                  sv_cbc_available(): CBC where it is built in */
} sv_siting_opts;

void sv_siting_opts_init(sv_siting_opts *o);

typedef struct {
    sv_crs crs;
    char mode[32];
    double minutes, radius_m;
    sv_site_result res;
    char **site_ids, **site_districts; /* res.n_chosen each */
    double *site_x, *site_y;
    char **district_ids, **district_names;
    size_t n_districts, n_demand, n_candidates, n_stations;
    double *site_capacity;     /* capacitated: per rank, else NULL */
    int network;               /* reach along the streets */
    double reach_s;            /* time of the reach lists (network), seconds */
    size_t n_demand_unattached, n_candidates_unattached, n_stations_unattached;
    size_t network_nodes, network_edges;
} sv_siting;

/* Siting along the streets (site_network.c): the network, breaks and
 * snapping of o (after sv_site_network_defaults), the graph built in the
 * analysis CRS, candidates made from it when asked (grid nodes snapped to
 * the streets and merged, or street intersections thinned to
 * o->min_spacing_m, kept inside a district when districts are given), and
 * the reach lists of the stations and candidates. */
typedef struct {
    sv_reach_lists stations, candidates;
    double budget;             /* seconds (minutes breaks) or metres */
    double minutes, radius_m;  /* radius_m of a minutes break: at the mode's default speed, for reference */
    char mode[16];
    size_t nodes, edges;
    size_t dem_unattached, cand_unattached, st_unattached;
    double reach_s;
} sv_site_net;

/* Where a --db is a network analysis, fill o's unset network, mode, break
 * and snapping from its newest runs row (buffers for the text it needs are
 * in keep, keep_size bytes). Sets *is_network. */
sv_status sv_site_network_defaults(sv_ctx *ctx, const char *db_path, sv_siting_opts *o, char *keep,
                                   size_t keep_size, int *is_network);
/* make_cands: 0 candidates as given, 1 a grid to snap (and filter by
 * gaps when o->grid_in_gaps), 2 street intersections; *cx, *cy (malloc'd)
 * are replaced for 1 and 2. finder: NULL or the districts. */
sv_status sv_site_network(sv_ctx *ctx, const sv_siting_opts *o, int epsg, void *finder, const double *dx,
                          const double *dy, size_t nd, const double *sx, const double *sy, size_t ns,
                          int make_cands, double **cx, double **cy, size_t *nc, sv_site_net *out);
void sv_site_net_free(sv_site_net *n);

/* Read, solve, and write opts->out_path atomically (tables sites,
 * site_runs, site_district_coverage beside stations and districts). */
sv_status sv_siting_run(sv_ctx *ctx, const sv_siting_opts *opts, sv_siting **out);
void sv_siting_destroy(sv_siting *s);

/* SVCOV_MEM_LIMIT when it is set but not a size (then ignored; for a warning), else NULL. */
const char *sv_mem_limit_invalid(void);
/* bytes as "1.2 GB" or "340 MB" */
void sv_human_bytes(double bytes, char *buf, size_t size);
/* The memory a --grid of step metres over area_m2 of districts needs, with
 * n_demand points spread evenly and radius_m of reach (exact: with the GLPK
 * model); the estimated nodes and candidate-demand pairs too. */
double sv_site_grid_bytes(double step, double area_m2, double n_demand, double radius_m, int exact,
                          double *n_nodes, double *n_pairs);
/* Refuse (SV_ERR_USAGE, with the figures and a step that fits) a grid whose
 * estimate exceeds 80% of the available memory; warn above a quarter of it
 * or a million nodes. */
sv_status sv_site_grid_budget(sv_ctx *ctx, double step, double area_m2, size_t n_demand, double radius_m,
                              int exact);
#endif
