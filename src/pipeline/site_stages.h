/* site_stages.h - the stages of svcov site (sv_siting_run in pipeline/site.c) and
 * the state they hand on; each stage fills the fields named in its comment, the
 * state is freed once by sv_siting_state_free. */
#ifndef SV_PIPELINE_SITE_STAGES_H
#define SV_PIPELINE_SITE_STAGES_H

#include "pipeline/inputs.h"
#include "svcov/sv_site.h"

typedef struct {
    sv_ctx *ctx;
    const sv_siting_opts *o; /* the options; after the inputs stage, od (--db's tables as defaults) */
    sv_siting_opts od;
    char st_spec[4200], di_spec[4200], crs_spec[32];
    sv_siting *s; /* the result, handed to the caller on success */
    char started[32];
    /* inputs and places: demand, candidates, stations (optional) and districts (optional) */
    sv_point_layer dem, cand, sta, dis;
    sv_valid_district *vd;
    sv_district_finder finder;
    sv_geos *h;
    /* candidates: each demand point's weight and district */
    double *dw;
    int *ddistrict;
} sv_site_state;

sv_status sv_siting_reach(sv_site_state *st);      /* site_inputs.c: reach (breaks rule), model options */
sv_status sv_siting_inputs(sv_site_state *st);     /* site_inputs.c: --db defaults, target check, sources */
sv_status sv_siting_places(sv_site_state *st);     /* site_inputs.c: CRS, points, valid districts */
sv_status sv_siting_candidates(sv_site_state *st); /* site_solve.c: candidate sites (grid), demand weights */
sv_status sv_siting_solve(sv_site_state *st);      /* site_solve.c: the chosen sites (engine/siting.c) */
sv_status sv_siting_write(sv_site_state *st);      /* site_write.c: the result tables, commit */
void sv_siting_state_free(sv_site_state *st);

#endif
