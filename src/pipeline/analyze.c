/* analyze.c - svcov analyze: its options, its result, and sv_analyze_run, the list
 * of its stages (pipeline/analyze_stages.h; DESIGN.md, "Stages"). */
#include "pipeline/analyze_access.h"
#include "pipeline/analyze_stages.h"
#include "pipeline/inputs.h"
#include "svcov/sv_geom.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void sv_analyze_opts_init(sv_analyze_opts *o)
{
    memset(o, 0, sizeof *o);
    o->crs = SV_DEFAULT_CRS;
    o->mode = SV_DEFAULT_MODE;
    o->detour = SV_DEFAULT_DETOUR;
    o->quad_segs = SV_DEFAULT_QUAD_SEGS;
    o->method = SV_METHOD_VORONOI;
    o->service_areas = 1;
    o->snap = SV_SNAP_EDGE;
    o->access_legs = 1;
    o->max_snap_m = 500;
    o->trim_m = 50;
    o->redundancy = 1;
    o->by_category = 1;
    o->min_access = NAN;
}

void sv_analysis_destroy(sv_analysis *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n_districts; i++) {
        free(a->district_ids ? a->district_ids[i] : NULL);
        free(a->district_names ? a->district_names[i] : NULL);
    }
    free(a->district_ids);
    free(a->district_names);
    free(a->breaks);
    free(a->demand_total);
    free(a->demand_covered);
    sv_people_result_free(&a->people, a->n_districts, a->n_breaks, a->n_stations);
    sv_access_stage_free(a->access);
    sv_cov_result_free(&a->cov);
    free(a);
}

/* Everything the stages made, freed; the people writer and the early writer stopped first (their
 * errors, after a failure elsewhere, are not the run's). */
void sv_analyze_state_free(sv_analyze_state *s)
{
    sv_people_writer_join(NULL, s, 1); /* before the early writer: it may be joining it */
    atomic_store(&s->ew.stop, 1);
    sv_early_writer_join(NULL, &s->ew);
    sv_store_abort(s->ew.db);
    s->ew.db = NULL;
    if (s->vd)
        for (size_t d = 0; d < s->dfs.n; d++)
            free(s->vd[d].wkb);
    free(s->vd);
    if (s->dw)
        free(s->dw[s->nd_valid]); /* the city; the rest belong to vd */
    free(s->dw);
    free(s->dl);
    free(s->xs);
    free(s->ys);
    free(s->keep);
    sv_district_finder_free(&s->finder); /* before its GEOS handle */
    sv_popsurf_destroy(s->pkeep.surf);   /* likewise */
    free(s->pkeep.own);
    free(s->pkeep.x);
    free(s->pkeep.y);
    free(s->pkeep.w);
    sv_geos_destroy(s->h);
    sv_featureset_free(&s->sfs);
    sv_featureset_free(&s->dfs);
    sv_featureset_free(&s->nfs);
    sv_featureset_free(&s->mfs);
    sv_featureset_free(&s->pfs);
    sv_source_close(s->psrc);
    sv_source_close(s->nsrc);
    sv_source_close(s->msrc);
    sv_network_destroy(s->net);
    sv_net_areas_free(&s->areas);
    sv_demand_access_free(&s->access);
    free(s->budget);
    free(s->mx);
    free(s->my);
    free(s->mkeep);
    free(s->mdist);
    sv_source_close(s->ssrc);
    sv_source_close(s->dsrc);
}

/* The stages in order; the first failure stops the run and leaves --out as it was. */
sv_status sv_analyze_run(sv_ctx *ctx, const sv_analyze_opts *o, sv_analysis **out)
{
    *out = NULL;
    sv_analyze_state s;
    memset(&s, 0, sizeof s);
    s.ctx = ctx;
    s.o = o;
    sv_utc_now(s.started, sizeof s.started);
    if (!(s.a = sv_calloc(1, sizeof *s.a)))
        return SV_ERR_NOMEM;
    sv_status rc;
    if ((rc = sv_analyze_breaks(&s)) == SV_OK &&  /* minutes or metres, mode, speed */
        (rc = sv_analyze_inputs(&s)) == SV_OK &&  /* every source opened */
        (rc = sv_analyze_crs(&s)) == SV_OK &&     /* the analysis CRS, every layer projected into it */
        (rc = sv_analyze_shard(&s)) == SV_OK && !s.stop && /* svcov worker: one shard; plan: stop here */
        (rc = sv_analyze_budget(&s)) == SV_OK &&  /* memory and time estimated: refused above what there is */
        (rc = sv_analyze_places(&s)) == SV_OK &&  /* station points, valid districts, the city */
        (rc = sv_analyze_write_start(&s)) == SV_OK && /* stations, districts, circles: written on a thread */
        (rc = sv_analyze_network(&s)) == SV_OK && /* network mode: the graph and its service areas */
        (rc = sv_analyze_coverage(&s)) == SV_OK && /* covered part, gap, stations reaching: per district */
        (rc = sv_analyze_demand(&s)) == SV_OK &&  /* --demand: each point's access, sums per district */
        (rc = sv_analyze_people(&s)) == SV_OK &&  /* people, redundancy, fairness, responsibility */
        (rc = sv_analyze_access(&s)) == SV_OK)    /* capacity (2SFCA), coverage by time of day */
        rc = sv_analyze_write(&s);                /* every other table, the run record; commit */
    sv_analyze_state_free(&s); /* the early writer stopped before any message is set */
    if (rc == SV_OK) {
        *out = s.a;
        return SV_OK;
    }
    o = s.o; /* with --preset, its breaks */
    if (rc == SV_ERR_INTERRUPTED && !*sv_ctx_errmsg(ctx))
        sv_error(ctx, rc, "interrupted; %s was left as it was", o->out_path);
    if (rc == SV_ERR_NOMEM && !*sv_ctx_errmsg(ctx))
        sv_error(ctx, rc, "out of memory");
    sv_analysis_destroy(s.a);
    return rc;
}
