/*
 * sv_2sfca.h - capacity-aware access: the two-step floating catchment area
 * method (2SFCA, Luo & Wang 2003) and its enhanced form with distance decay
 * (E2SFCA, Luo & Qi 2009), over station-demand pairs within reach.
 *
 * For station j with capacity S_j and demand k with weight P_k at cost d_kj
 * (straight metres, or seconds / metres along the network), and the
 * catchment d0 (the break):
 *
 *   R_j = S_j / sum_k P_k W(d_kj)        over the demand within d0 of j
 *   A_i = sum_j R_j W(d_ij)              over the stations within d0 of i
 *
 * W(d) = 0 beyond d0; within d0:
 *   2SFCA                 W = 1
 *   E2SFCA gaussian       W = (exp(-d^2 / (2 d0^2)) - exp(-1/2)) / (1 - exp(-1/2))
 *                         (the Gaussian of Dai 2010 with the break as d0: 1 at
 *                         the station, 0 at the edge of the catchment)
 *   E2SFCA linear         W = 1 - d / d0
 *   E2SFCA step           W = 1, 0.68, 0.22 in the three equal thirds of d0
 *                         (Luo & Qi 2009's zone weights, from their Gaussian)
 *
 * A station without demand within reach has no ratio (NAN); one with an
 * unknown capacity (NAN) has no ratio either and adds nothing to A_i.
 * Pure C, no foreign API.
 */
#ifndef SV_2SFCA_H
#define SV_2SFCA_H

#include "svcov/sv_common.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { SV_ACCESS_NONE = 0, SV_ACCESS_2SFCA, SV_ACCESS_E2SFCA } sv_access_method;
typedef enum { SV_DECAY_GAUSSIAN = 0, SV_DECAY_LINEAR, SV_DECAY_STEP } sv_decay;

/* "2sfca", "e2sfca" / "gaussian", "linear", "step" (static; NULL for none). */
const char *sv_access_method_name(sv_access_method m);
const char *sv_decay_name(sv_decay d);
/* Parse those names: 0 ok, -1 unknown. */
int sv_access_method_parse(const char *s, sv_access_method *out);
int sv_decay_parse(const char *s, sv_decay *out);

/* W(d) for catchment d0 (see above); 0 for d > d0 or d not finite. */
double sv_decay_weight(sv_access_method m, sv_decay decay, double d, double d0);

typedef struct {
    sv_access_method method;
    sv_decay decay;                  /* E2SFCA only */
    size_t n_stations, n_demand;
    const double *capacity;          /* S_j, n_stations; NAN unknown */
    const double *weight;            /* P_k, n_demand */
    size_t n_pairs;                  /* station-demand pairs within the largest catchment */
    const size_t *pair_station, *pair_demand;
    const double *pair_cost;
    const double *catchment;         /* d0 per break (the cost's unit), ascending */
    size_t n_breaks;
} sv_2sfca_input;

typedef struct {
    size_t n_stations, n_demand, n_breaks;
    double *demand_within; /* station-major, n_stations * n_breaks: sum_k P_k W(d_kj) */
    double *ratio;         /* R_j, NAN without demand within reach or capacity */
    double *access;        /* demand-major, n_demand * n_breaks: A_i */
} sv_2sfca_result;

/* Compute both steps for every break. Free with sv_2sfca_free (also on
 * failure). */
sv_status sv_2sfca_compute(sv_ctx *ctx, const sv_2sfca_input *in, sv_2sfca_result *out);
void sv_2sfca_free(sv_2sfca_result *r);

#ifdef __cplusplus
}
#endif
#endif
