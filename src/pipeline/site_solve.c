/* site_solve.c - the candidates and solve stages of svcov site: a grid of
 * candidate sites when none are given, then the sites chosen by the greedy and
 * MIP solvers of engine/siting.c (GLPK through adapters/mip_glpk.c, or CBC). Reach is
 * a straight-line circle, or along the streets the reach lists of the network stage
 * (site_network.c) in sv_siting_solve's input (sv_site_input). */
#include "pipeline/site_stages.h"
#include "svcov/sv_lang.h"
#include "svcov/sv_geom.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* Grid nodes (i*step, j*step) inside or on a district; with gaps_only,
 * also farther than the radius from every station. */
static sv_status make_grid(sv_ctx *ctx, sv_geos *h, sv_district_finder *f, const sv_valid_district *vd,
                           const sv_point_layer *stations, double step, double radius, int gaps_only,
                           sv_point_layer *out)
{
    sv_env all = {0, 0, 0, 0};
    for (size_t d = 0; d < f->n; d++) {
        sv_env e;
        sv_geom_envelope(h, f->geoms[d], &e);
        if (d == 0)
            all = e;
        sv_env_union(&all, &e);
    }
    (void)vd;
    double i0 = ceil(all.xmin / step), i1 = floor(all.xmax / step);
    double j0 = ceil(all.ymin / step), j1 = floor(all.ymax / step);
    double nodes = (i1 - i0 + 1) * (j1 - j0 + 1);
    if (!(nodes <= 5e7))
        return sv_error(ctx, SV_ERR_USAGE, "--grid %g m over these districts makes %.0f grid nodes; use a coarser "
                        "grid (at most 50 million nodes)", step, nodes);
    sv_index *st_tree = NULL;
    size_t *ids = NULL, nids = 0, cap = 0;
    if (gaps_only && stations->n > 0) {
        st_tree = sv_index_create(h);
        for (size_t k = 0; st_tree && k < stations->n; k++) {
            sv_env e = {stations->x[k], stations->y[k], stations->x[k], stations->y[k]};
            sv_index_insert(h, st_tree, k, &e);
        }
    }
    size_t capn = 1024, n = 0;
    out->x = sv_malloc(capn * sizeof *out->x);
    out->y = sv_malloc(capn * sizeof *out->y);
    sv_status st = SV_OK;
    for (double j = j0; j <= j1 && st == SV_OK; j++) {
        if (j1 > j0)
            sv_progress(ctx, "grid", (j - j0) / (j1 - j0));
        if (sv_ctx_interrupted(ctx)) {
            st = SV_ERR_INTERRUPTED;
            break;
        }
        for (double i = i0; i <= i1; i++) {
            double x = i * step, y = j * step;
            if (sv_district_finder_find(f, x, y) < 0)
                continue;
            if (st_tree) {
                sv_env e = {x - radius, y - radius, x + radius, y + radius};
                nids = 0;
                sv_index_query(h, st_tree, &e, &ids, &nids, &cap);
                int reached = 0;
                for (size_t t = 0; t < nids && !reached; t++)
                    reached = hypot(stations->x[ids[t]] - x, stations->y[ids[t]] - y) <= radius;
                if (reached)
                    continue;
            }
            if (n == capn) {
                capn *= 2;
                double *nx = sv_realloc(out->x, capn * sizeof *nx), *ny = sv_realloc(out->y, capn * sizeof *ny);
                if (nx)
                    out->x = nx;
                if (ny)
                    out->y = ny;
                if (!nx || !ny) {
                    st = sv_error(ctx, SV_ERR_NOMEM, "out of memory for grid candidates");
                    break;
                }
            }
            out->x[n] = x;
            out->y[n] = y;
            n++;
        }
    }
    out->n = n;
    free(ids);
    sv_index_destroy(h, st_tree);
    return st;
}

/* The candidate sites (st->cand; a grid from the districts when none are
 * given), each demand point's weight and district (st->dw, st->ddistrict). */
sv_status sv_siting_candidates(sv_site_state *st)
{
    sv_ctx *ctx = st->ctx;
    const sv_siting_opts *o = st->o;
    sv_siting *s = st->s;
    sv_status rc = SV_OK;
    if (!st->cand.src && !o->candidates_from_nodes) {
        double area = 0;
        for (size_t d = 0; d < s->n_districts; d++)
            area += st->vd[d].area;
        if ((rc = sv_site_grid_budget(ctx, o->grid_m, area, st->dem.n, s->radius_m, o->exact)) != SV_OK)
            return rc;
        /* along the streets the grid is snapped, and its gaps found, by the network stage */
        if ((rc = make_grid(ctx, st->h, &st->finder, st->vd, &st->sta, o->grid_m, s->radius_m,
                            !s->network && o->grid_in_gaps, &st->cand)) != SV_OK)
            return rc;
    }
    if (st->cand.n == 0 && !s->network)
        return sv_error(ctx, SV_ERR_DATA, "no candidate sites%s; give other candidates or a finer --grid",
                        o->grid_in_gaps ? sv_tr(sv_ctx_lang(ctx), " (every grid node is already reached by a station)") : "");
    st->dw = sv_malloc(st->dem.n * sizeof *st->dw);
    st->ddistrict = sv_malloc(st->dem.n * sizeof *st->ddistrict);
    if (!st->dw || !st->ddistrict)
        return SV_ERR_NOMEM;
    for (size_t i = 0; i < st->dem.n; i++) {
        st->dw[i] = st->dem.fs.items[st->dem.keep[i]].weight;
        st->ddistrict[i] = s->n_districts ? sv_district_finder_find(&st->finder, st->dem.x[i], st->dem.y[i]) : -1;
    }
    s->n_demand = st->dem.n;
    s->n_candidates = st->cand.n;
    s->n_stations = st->sta.n;

    return rc;
}

/* The chosen sites (s->res, s->site_ids, site_x/y, site_districts); a
 * --target that cannot be met is capped (an issue) or, --strict, an error. */
sv_status sv_siting_solve(sv_site_state *st)
{
    sv_ctx *ctx = st->ctx;
    const sv_siting_opts *o = st->o;
    sv_siting *s = st->s;
    sv_status rc = SV_OK;
    sv_site_input in = {
        .dx = st->dem.x, .dy = st->dem.y, .dw = st->dw, .ddistrict = s->n_districts ? st->ddistrict : NULL,
        .n_demand = st->dem.n, .n_districts = s->n_districts, .cx = st->cand.x, .cy = st->cand.y,
        .n_candidates = st->cand.n, .sx = st->sta.x, .sy = st->sta.y, .n_stations = st->sta.n,
        .radius_m = s->radius_m, .model = o->model, .k = o->k, .target_share = o->target_share,
        .min_district_share = o->min_district_share, .exact = o->exact, .time_limit_s = o->time_limit_s,
        .mps_path = o->mps_path,
        .station_reach = s->network ? &st->snet.stations : NULL, .cand_reach = s->network ? &st->snet.candidates : NULL,
        /* the swap search improves the answer given without --exact and is GLPK's MIP start; CBC takes no
         * start (adapters/mip_glpk.c) and, stopped without an answer, the greedy's is kept: so --exact with
         * CBC skips it (on bench_site.sh's 90,000-candidate instance about 0.9 s of the run's CPU) */
        .solver_cbc = o->solver_cbc, .swap = !(o->exact && o->solver_cbc),
    };
    if (o->capacity > 0 || o->candidates.weight_field) {
        if (!(st->capacity = sv_malloc((st->cand.n + 1) * sizeof *st->capacity)))
            return SV_ERR_NOMEM;
        for (size_t j = 0; j < st->cand.n; j++)
            st->capacity[j] = o->capacity > 0 ? o->capacity : st->cand.fs.items[st->cand.keep[j]].weight;
        in.capacity = st->capacity;
    }
    if ((rc = sv_site_solve(ctx, &in, &s->res)) != SV_OK)
        return rc;
    if (s->res.target_capped) {
        /* a warning on stderr and in the issues table, or with --strict an error */
        /* the error in the run's language; the issue (data) in English */
        sv_msg what;
        sv_msg_init(&what, sv_ctx_lang(ctx));
        sv_msg_addn(&what, "has %zu point out of reach of every candidate and station: --target %.4g%% is more than "
                    "the %.4g%% of its weight that can be covered",
                    "has %zu points out of reach of every candidate and station: --target %.4g%% is more than the "
                    "%.4g%% of its weight that can be covered",
                    (unsigned long)s->res.n_uncoverable, s->res.n_uncoverable, 100.0 * o->target_share,
                    100.0 * s->res.target_share);
        if (o->strict)
            return sv_error(ctx, SV_ERR_DATA, "%s: layer '%s' %s; lower --target to at most %.4g%% (--strict refuses to "
                            "cap it)", st->dem.fs.path, st->dem.fs.layer, what.tr, 100.0 * s->res.target_share);
        sv_msg_add(&what, ", so the target was capped at %.4g%% (every coverable point)", 100.0 * s->res.target_share);
        if ((rc = sv_issue_add_msg(ctx, st->dem.fs.path, st->dem.fs.layer, "(layer)", &what, SV_ISSUE_REPAIRED)) != SV_OK)
            return rc;
    }

    size_t n = s->res.n_chosen;
    s->site_ids = sv_calloc(n + 1, sizeof(char *));
    s->site_districts = sv_calloc(n + 1, sizeof(char *));
    s->site_x = sv_calloc(n + 1, sizeof(double));
    s->site_y = sv_calloc(n + 1, sizeof(double));
    s->site_capacity = st->capacity ? sv_calloc(n + 1, sizeof(double)) : NULL;
    if (!s->site_ids || !s->site_districts || !s->site_x || !s->site_y || (st->capacity && !s->site_capacity))
        return SV_ERR_NOMEM;
    for (size_t k = 0; k < n; k++) {
        size_t j = s->res.chosen[k];
        s->site_x[k] = st->cand.x[j];
        s->site_y[k] = st->cand.y[j];
        if (st->cand.src) {
            s->site_ids[k] = sv_strdup(st->cand.fs.items[st->cand.keep[j]].id);
        } else {
            char buf[64];
            snprintf(buf, sizeof buf, "%s E%.0f N%.0f", o->candidates_from_nodes ? "node" : "grid", st->cand.x[j],
                     st->cand.y[j]);
            s->site_ids[k] = sv_strdup(buf);
        }
        if (st->capacity)
            s->site_capacity[k] = st->capacity[j];
        int d = s->n_districts ? sv_district_finder_find(&st->finder, st->cand.x[j], st->cand.y[j]) : -1;
        s->site_districts[k] = d >= 0 ? sv_strdup(s->district_ids[d]) : NULL;
    }
    return rc;
}
