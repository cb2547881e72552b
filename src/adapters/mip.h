/*
 * adapters/mip.h (private to src/) - exact coverage siting models through GLPK's or CBC's MIP solver.
 * Only adapters/mip_glpk.c includes GLPK, only adapters/mip_cbc.c includes CBC; sv_glpk_version and sv_cbc_version are in sv_site.h.
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

typedef enum {
    SV_MIP_GLPK = 0, /* GLPK's branch-and-bound */
    SV_MIP_CBC       /* COIN-OR CBC's C interface on the same model, in memory */
} sv_mip_solver;

typedef struct {
    sv_mip_kind kind;
    sv_mip_solver solver;
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
    /* Capacitated MCLP (kind SV_MIP_MCLP, no floors): candidate j serves at
     * most capacity[j] of the weight; y_gj >= 0 is the share of group g
     * assigned to j (sum_j y_gj <= 1, y_gj <= x_j, sum_g w_g y_gj <= C_j x_j),
     * and the objective is the weight assigned. NULL: uncapacitated. */
    const double *capacity;
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
    int lp_integral;  /* CBC: the LP relaxation's optimum was integral, so it is the answer (proven) and CBC's
                         search was not run */
    double objective; /* model objective of x */
    double bound;     /* best bound on the model objective, NAN when none */
    double seconds;
    double *load;     /* capacitated: weight assigned to each candidate (n_cands), else NULL; free */
    double *cover;    /* capacitated: share of each group assigned (n_groups), else NULL; free */
} sv_mip_solution;

/* SV_OK also when the model is infeasible (feasible = 0, timed_out = 0) or
 * the time ran out before a solution (feasible = 0, timed_out = 1): the
 * caller keeps its own answer. */

sv_status sv_mip_solve(sv_ctx *ctx, const sv_mip_problem *p, sv_mip_solution *out);

/* CBC (src/adapters/mip_cbc.c, the only file that includes it and Clp):
 * the model as compressed sparse columns (0-based), bounds as +-HUGE_VAL
 * where there are none. Solved in memory in a child process that
 * ^C/SIGTERM (sv_ctx_interrupted) stops within 20 ms: first its LP
 * relaxation by Clp (the same LP solve CBC starts with); when that optimum
 * is integral it is the answer, proven optimal, else CBC's C interface
 * solves the model. x gets the value of each of the ncols columns (full
 * double precision); objective is that of x in the model's sense, bound
 * the best possible objective (NAN when there is none). SV_ERR_INTERRUPTED
 * at ^C; SV_ERR_USAGE when this svcov was built without CBC. */
typedef enum { SV_CBC_NONE = 0, SV_CBC_OPTIMAL, SV_CBC_STOPPED, SV_CBC_INFEASIBLE } sv_cbc_status;
typedef struct {
    int ncols, nrows;
    const int *start;          /* ncols + 1 */
    const int *index;          /* row of each nonzero */
    const double *value;
    const double *collb, *colub, *obj, *rowlb, *rowub;
    const unsigned char *integer; /* per column */
    double obj_constant;
    int maximise;
    double time_limit_s;       /* <= 0: none */
} sv_cbc_model;
typedef struct {
    sv_cbc_status status;
    double objective, bound;
    int lp_done;               /* the LP relaxation was solved */
    int lp_integral;           /* and its optimum was integral: the answer, without CBC's search */
} sv_cbc_result;
sv_status sv_cbc_solve(sv_ctx *ctx, const sv_cbc_model *m, double *x, sv_cbc_result *res);

#ifdef __cplusplus
}
#endif
#endif
