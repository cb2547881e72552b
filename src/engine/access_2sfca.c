/* access_2sfca.c - 2SFCA and E2SFCA over station-demand pairs (sv_2sfca.h). */
#include "svcov/sv_2sfca.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *sv_access_method_name(sv_access_method m)
{
    return m == SV_ACCESS_2SFCA ? "2sfca" : m == SV_ACCESS_E2SFCA ? "e2sfca" : NULL;
}

const char *sv_decay_name(sv_decay d)
{
    return d == SV_DECAY_GAUSSIAN ? "gaussian" : d == SV_DECAY_LINEAR ? "linear" : d == SV_DECAY_STEP ? "step" : NULL;
}

int sv_access_method_parse(const char *s, sv_access_method *out)
{
    if (s && strcmp(s, "2sfca") == 0)
        *out = SV_ACCESS_2SFCA;
    else if (s && strcmp(s, "e2sfca") == 0)
        *out = SV_ACCESS_E2SFCA;
    else
        return -1;
    return 0;
}

int sv_decay_parse(const char *s, sv_decay *out)
{
    if (s && strcmp(s, "gaussian") == 0)
        *out = SV_DECAY_GAUSSIAN;
    else if (s && strcmp(s, "linear") == 0)
        *out = SV_DECAY_LINEAR;
    else if (s && strcmp(s, "step") == 0)
        *out = SV_DECAY_STEP;
    else
        return -1;
    return 0;
}

double sv_decay_weight(sv_access_method m, sv_decay decay, double d, double d0)
{
    if (!isfinite(d) || !(d <= d0) || d < 0)
        return 0.0;
    if (m != SV_ACCESS_E2SFCA)
        return 1.0;
    switch (decay) {
    case SV_DECAY_LINEAR:
        return d0 > 0 ? 1.0 - d / d0 : 1.0;
    case SV_DECAY_STEP: /* Luo & Qi (2009): zones of 0-10, 10-20, 20-30 minutes */
        return d <= d0 / 3 ? 1.0 : d <= 2 * d0 / 3 ? 0.68 : 0.22;
    case SV_DECAY_GAUSSIAN:
    default: {
        if (!(d0 > 0))
            return 1.0;
        double e = exp(-0.5);
        return (exp(-0.5 * (d / d0) * (d / d0)) - e) / (1.0 - e);
    }
    }
}

void sv_2sfca_free(sv_2sfca_result *r)
{
    if (!r)
        return;
    free(r->demand_within);
    free(r->ratio);
    free(r->access);
    memset(r, 0, sizeof *r);
}

sv_status sv_2sfca_compute(sv_ctx *ctx, const sv_2sfca_input *in, sv_2sfca_result *out)
{
    memset(out, 0, sizeof *out);
    size_t ns = in->n_stations, nd = in->n_demand, nb = in->n_breaks;
    out->n_stations = ns;
    out->n_demand = nd;
    out->n_breaks = nb;
    out->demand_within = sv_calloc(ns * nb + 1, sizeof *out->demand_within);
    out->ratio = sv_calloc(ns * nb + 1, sizeof *out->ratio);
    out->access = sv_calloc(nd * nb + 1, sizeof *out->access);
    if (!out->demand_within || !out->ratio || !out->access)
        return sv_error(ctx, SV_ERR_NOMEM, "out of memory for capacity-aware access");
    for (size_t b = 0; b < nb; b++) {
        double d0 = in->catchment[b];
        /* step 1: the demand each station's capacity is shared by */
        for (size_t p = 0; p < in->n_pairs; p++) {
            double w = sv_decay_weight(in->method, in->decay, in->pair_cost[p], d0);
            double P = in->weight[in->pair_demand[p]];
            if (w > 0 && P > 0)
                out->demand_within[in->pair_station[p] * nb + b] += P * w;
        }
        for (size_t j = 0; j < ns; j++) {
            double D = out->demand_within[j * nb + b], S = in->capacity[j];
            out->ratio[j * nb + b] = D > 0 && isfinite(S) ? S / D : NAN;
        }
        /* step 2: each demand point sums the ratios of the stations it reaches */
        for (size_t p = 0; p < in->n_pairs; p++) {
            double w = sv_decay_weight(in->method, in->decay, in->pair_cost[p], d0);
            double R = out->ratio[in->pair_station[p] * nb + b];
            if (w > 0 && isfinite(R))
                out->access[in->pair_demand[p] * nb + b] += R * w;
        }
        if (sv_ctx_interrupted(ctx))
            return SV_ERR_INTERRUPTED;
    }
    return SV_OK;
}
