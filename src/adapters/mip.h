/*
 * adapters/mip.h (private to src/) - exact coverage siting models through GLPK's MIP solver.
 * Only adapters/mip_glpk.c includes GLPK; sv_glpk_version is in sv_site.h.
 *
 * Groups are demand to be covered (rows), candidates are columns. The
 * caller reduces the model first (only demand not yet covered, only
 * candidates that cover some of it).
 */
#ifndef SV_ADAPTERS_MIP_H
#define SV_ADAPTERS_MIP_H

#include "svcov/sv_common.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    SV_MIP_MCLP = 0, /* max covered weight with at most k candidates */
    SV_MIP_LSCP      /* fewest candidates covering every group (or need_weight) */
} sv_mip_kind;

typedef struct {
    sv_mip_kind kind;
    size_t n_groups, n_cands;
    const double *weight;                  /* per group */
    const size_t *gstart, *gcand;          /* group g: candidates gcand[gstart[g] .. gstart[g+1]) */
    int k;                                 /* MCLP */
    double need_weight;                    /* LSCP: > 0 covers at least this weight, else every group */
    /* MCLP district floors: reaching floor_weight[d] of new coverage in
     * district d comes first (lexicographically), then the total. */
    const int *gdistrict;                  /* per group, -1 none; NULL: no floors */
    size_t n_districts;
    const double *floor_weight;
    const unsigned char *start;            /* a feasible start (e.g. greedy), n_cands, or NULL */
    double time_limit_s;                   /* for the LP relaxation and the branch-and-bound together; <= 0: none */
    const char *mps_path;                  /* also write the model as free MPS, or NULL: always as a
                                              minimisation (MCLP with the objective negated), since MPS
                                              readers (glpsol, cbc) minimise and ignore or refuse OBJSENSE */
} sv_mip_problem;

typedef struct {
    unsigned char *x; /* chosen candidates (n_cands), free with sv_free */
    int feasible;     /* a solution was found */
    int proven;       /* it is proven optimal */
    int timed_out;    /* time_limit_s ran out (feasible: the best solution found by then) */
    int lp_done;      /* the LP relaxation was solved, so bound is finite */
    double objective; /* model objective of x */
    double bound;     /* best bound on the model objective, NAN when none */
    double seconds;
} sv_mip_solution;

/* SV_OK also when the model is infeasible (feasible = 0, timed_out = 0) or
 * the time ran out before a solution (feasible = 0, timed_out = 1): the
 * caller keeps its own answer. */

sv_status sv_mip_solve(sv_ctx *ctx, const sv_mip_problem *p, sv_mip_solution *out);

#ifdef __cplusplus
}
#endif
#endif
