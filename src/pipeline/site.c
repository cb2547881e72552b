/* site.c - the svcov site pipeline: inputs -> coverage lists -> greedy / MIP -> store. */
#include "pipeline/site_stages.h"
#include "pipeline/inputs.h"
#include "svcov/sv_analyze.h"
#include "svcov/sv_geom.h"
#include "adapters/mip.h"
#include "svcov/sv_site.h"
#include "svcov/sv_breaks.h"
#include "svcov/sv_store.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void sv_siting_opts_init(sv_siting_opts *o)
{
    memset(o, 0, sizeof *o);
    o->crs = SV_DEFAULT_CRS;
    o->mode = NULL; /* walk, or a network analysis's mode */
    o->snap = -1;
    o->access_legs = -1;
    o->max_snap_m = NAN;
    o->detour = SV_DEFAULT_DETOUR;
    o->model = SV_SITE_MCLP;
    o->k = 0;
    o->time_limit_s = 60;
    o->solver_cbc = sv_cbc_available(); /* the faster exact solver where both are installed */
}

static void free_strings(char **v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void sv_siting_destroy(sv_siting *s)
{
    if (!s)
        return;
    free_strings(s->site_ids, s->res.n_chosen);
    free_strings(s->site_districts, s->res.n_chosen);
    free(s->site_x);
    free(s->site_y);
    sv_free(s->site_capacity);
    free_strings(s->district_ids, s->n_districts);
    free_strings(s->district_names, s->n_districts);
    sv_site_result_free(&s->res);
    free(s);
}

/* Everything the stages made, freed. */
void sv_siting_state_free(sv_site_state *st)
{
    sv_site_net_free(&st->snet);
    sv_free(st->capacity);
    if (st->vd)
        for (size_t d = 0; d < st->dis.fs.n; d++)
            free(st->vd[d].wkb);
    free(st->vd);
    free(st->dw);
    free(st->ddistrict);
    sv_district_finder_free(&st->finder);
    sv_point_layer_free(&st->dem);
    sv_point_layer_free(&st->cand);
    sv_point_layer_free(&st->sta);
    sv_point_layer_free(&st->dis);
    sv_geos_destroy(st->h);
}

/* The stages in order; the first failure stops the run and leaves --out (or --db) as it was. */
sv_status sv_siting_run(sv_ctx *ctx, const sv_siting_opts *opts, sv_siting **out)
{
    *out = NULL;
    sv_site_state st;
    memset(&st, 0, sizeof st);
    st.ctx = ctx;
    st.o = opts;
    sv_utc_now(st.started, sizeof st.started);
    if (!(st.s = sv_calloc(1, sizeof *st.s)))
        return SV_ERR_NOMEM;
    sv_status rc;
    if ((rc = sv_siting_reach(&st)) == SV_OK &&      /* the reach and the model's options */
        (rc = sv_siting_inputs(&st)) == SV_OK &&     /* --db defaults; every source opened */
        (rc = sv_siting_places(&st)) == SV_OK &&     /* the CRS; demand, candidate, station points; districts */
        (rc = sv_siting_candidates(&st)) == SV_OK && /* a grid when no candidates are given; demand weights */
        (!st.s->network || (rc = sv_siting_network(&st)) == SV_OK) && /* along the streets: reach lists */
        (rc = sv_siting_solve(&st)) == SV_OK)        /* greedy and MIP: the chosen sites */
        rc = sv_siting_write(&st);                   /* the site tables, the run record; commit */
    if (rc != SV_OK) {
        if (rc == SV_ERR_NOMEM && !*sv_ctx_errmsg(ctx))
            sv_error(ctx, rc, "out of memory");
        sv_siting_destroy(st.s);
    } else {
        *out = st.s;
    }
    sv_siting_state_free(&st);
    return rc;
}
