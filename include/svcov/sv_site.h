/*
 * sv_site.h - where to put the next stations: the maximal covering location
 * problem (MCLP), the location set covering problem (LSCP), and a coverage
 * floor per district. A lazy greedy (CELF) always runs; GLPK's MIP solver
 * gives the proven optimum with --exact.
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
} sv_site_input;

typedef struct {
    size_t *chosen;      /* candidate indices in rank order (greedy pick order) */
    double *gain;        /* marginal covered weight of each rank */
    size_t n_chosen;
    double total_weight, existing_covered, coverable_weight, objective;
    double greedy_objective; /* covered weight (MCLP) or site count (LSCP) of greedy */
    size_t greedy_sites;
    size_t n_uncoverable;    /* demand points no candidate or station reaches */
    const char *solver;      /* whose answer is reported: "greedy" or "glpk" */
    int proven_optimal;      /* 1 when the exact solver proved it */
    double gap;              /* relative gap of the reported answer to the bound; NAN unknown */
    double bound;            /* upper (MCLP) / lower (LSCP) bound on the objective, NAN unknown */
    double greedy_s, exact_s;
    int timed_out;           /* --exact stopped at time_limit_s */
    double target_share;     /* LSCP: the target solved for (in->target_share, or the coverable share
                                when that was more than can be reached); 0 = every coverable point */
    int target_capped;       /* in->target_share was more than can be reached */
    double *district_total, *district_before, *district_after, *district_floor; /* n_districts */
    size_t n_floor_unmet;
    char note[1024];         /* why an answer falls short (floors, k too small, time limit, target
                                capped), or ""; parts separated by "; " */
} sv_site_result;

/* The version of GLPK, the exact solver (a static string). */
const char *sv_glpk_version(void);

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
} sv_siting;

/* Read, solve, and write opts->out_path atomically (tables sites,
 * site_runs, site_district_coverage beside stations and districts). */
sv_status sv_siting_run(sv_ctx *ctx, const sv_siting_opts *opts, sv_siting **out);
void sv_siting_destroy(sv_siting *s);
#endif
