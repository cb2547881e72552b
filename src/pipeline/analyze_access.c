/* analyze_access.c - the stage of svcov analyze after "who is covered":
 * capacity-aware access (2SFCA, E2SFCA: sv_2sfca.h) over the distances of
 * the demand-access engine, and coverage by time of day (the coverage engine
 * rerun on the stations open at each --at moment, engine/hours.h). */
#include "pipeline/analyze_access.h"
#include "svcov/sv_shards.h"
#include "pipeline/analyze_stages.h"
#include "engine/hours.h"
#include "svcov/sv_lang.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sv_access_stage {
    /* capacity-aware access */
    int have_access;
    sv_access_method method;
    size_t n_points;
    sv_2sfca_result r;
    double *capacity;                          /* n_stations */
    double *index, *p10, *med, *p90, *below, *pop; /* (n_districts + 1) * n_breaks */
    size_t *n_in;                              /* n_districts + 1 */
    double *px, *py, *pw;                      /* n_points: the demand */
    size_t *owner; /* n_points: the first district (input order) holding the point; nd: none (point_access) */
    const char *demand_what;                   /* static */
    char min_access_text[32];
    /* time of day */
    sv_moment *moments;
    size_t n_moments;
    size_t *n_open;        /* per moment */
    size_t *n_own_open;    /* per moment, in a shard of a sharded run: its own stations open */
    int is_shard;
    sv_cov_result *cov;    /* per moment: n_districts + 1 rows */
    double *total, *covered; /* per moment, (n_districts + 1) * n_breaks */
    size_t n_without_hours, n_unreadable;
    char without_text[32], unreadable_text[32];
};

int sv_access_stage_wanted(const sv_analyze_opts *o)
{
    return o->access != SV_ACCESS_NONE || o->stations.weight_field || o->at;
}

sv_status sv_access_stage_check(sv_ctx *ctx, const sv_analyze_opts *o)
{
    sv_access_method m = o->access;
    if (m == SV_ACCESS_NONE && o->stations.weight_field)
        m = SV_ACCESS_2SFCA;
    if (m != SV_ACCESS_NONE && !o->stations.weight_field)
        return sv_error(ctx, SV_ERR_USAGE, "--access %s: say which station field holds the capacity (seats, "
                        "chargers...) with --capacity-field FIELD", sv_access_method_name(m));
    if (o->decay_set && m != SV_ACCESS_E2SFCA)
        return sv_error(ctx, SV_ERR_USAGE, "--decay is for --access e2sfca (2SFCA counts everything within reach "
                        "fully)");
    if (!isnan(o->min_access) && m == SV_ACCESS_NONE)
        return sv_error(ctx, SV_ERR_USAGE, "--min-access is a threshold of the access index: give --access "
                        "2sfca|e2sfca and --capacity-field FIELD");
    if (!isnan(o->min_access) && !(o->min_access >= 0 && isfinite(o->min_access)))
        return sv_error(ctx, SV_ERR_USAGE, "--min-access %g: give capacity per 1,000 people, 0 or more",
                        o->min_access);
    if (m != SV_ACCESS_NONE && !o->demand.spec && !o->population_field && !o->population.spec &&
        !o->population_raster)
        return sv_error(ctx, SV_ERR_USAGE, "--access %s needs demand to share the capacity among: --demand PATH "
                        "(weights from --demand-weight FIELD) or people (--population-field, --population, "
                        "--population-raster)", sv_access_method_name(m));
    if (o->at && !o->stations.hours_field)
        return sv_error(ctx, SV_ERR_USAGE, "--at %s: say which station field holds the opening hours with "
                        "--hours-field FIELD (OpenStreetMap opening_hours syntax, e.g. \"Mo-Fr 08:00-18:00\")",
                        o->at);
    if (o->at) {
        sv_moment *mo = NULL;
        size_t n = 0;
        sv_msg why;
        sv_msg_init(&why, sv_ctx_lang(ctx));
        if (sv_moments_parse(o->at, &mo, &n, &why) != 0)
            return sv_error(ctx, SV_ERR_USAGE, "--at \"%s\": %s; give moments like \"Mo 12:00,Sa 03:00\" or "
                            "\"2026-12-07T12:00\", separated by commas", o->at, why.tr);
        free(mo);
    }
    return SV_OK;
}

void sv_access_stage_free(struct sv_access_stage *t)
{
    if (!t)
        return;
    sv_2sfca_free(&t->r);
    free(t->capacity);
    free(t->index);
    free(t->p10);
    free(t->med);
    free(t->p90);
    free(t->below);
    free(t->pop);
    free(t->n_in);
    free(t->px);
    free(t->py);
    free(t->pw);
    free(t->owner);
    for (size_t m = 0; t->cov && m < t->n_moments; m++)
        sv_cov_result_free(&t->cov[m]);
    free(t->cov);
    free(t->moments);
    free(t->n_open);
    free(t->n_own_open);
    free(t->total);
    free(t->covered);
    free(t);
}

/* ---- capacity-aware access ---- */

/* The district figures of the access index: the people-weighted mean,
 * quantiles and the share below --min-access of A_i x 1000 over the points
 * each district covers (the city: the union). */
static sv_status district_figures(sv_ctx *ctx, sv_geos *h, const sv_access_stage_in *in, const sv_analysis *a,
                                  struct sv_access_stage *t, const double *px, const double *py, const double *pw)
{
    size_t nd = a->n_districts, nb = a->n_breaks, np = t->n_points;
    double *v = sv_malloc((np + 1) * sizeof *v), *w = sv_malloc((np + 1) * sizeof *w);
    unsigned char *inside = sv_malloc(np + 1);
    sv_index *tree = sv_index_create(h);
    size_t *hits = NULL, nh = 0, ch = 0;
    t->owner = sv_malloc((np + 1) * sizeof *t->owner);
    sv_status rc = v && w && inside && tree && t->owner ? SV_OK : SV_ERR_NOMEM;
    for (size_t i = 0; rc == SV_OK && i < np; i++)
        t->owner[i] = nd;
    for (size_t i = 0; i < np && rc == SV_OK; i++) {
        sv_env e = {px[i], py[i], px[i], py[i]};
        if (sv_index_insert(h, tree, i, &e) != 0)
            rc = SV_ERR_NOMEM;
    }
    for (size_t d = 0; d <= nd && rc == SV_OK; d++) {
        sv_geom *D = sv_geom_from_wkb(h, in->dw[d], in->dl[d]);
        sv_prep *R = D ? sv_prep_create(h, D) : NULL;
        sv_env e;
        nh = 0;
        if (!R || sv_geom_envelope(h, D, &e) != 0 || (np && sv_index_query(h, tree, &e, &hits, &nh, &ch) != 0)) {
            rc = sv_error(ctx, SV_ERR_GEOM, "cannot find the demand points of a district: %s", sv_geos_errmsg(h));
        } else {
            memset(inside, 0, np + 1);
            for (size_t k = 0; k < nh; k++)
                if (sv_prep_covers_xy(h, R, px[hits[k]], py[hits[k]]) == 1)
                    inside[hits[k]] = 1;
            size_t n_in = 0;
            for (size_t i = 0; i < np; i++) {
                n_in += inside[i];
                if (inside[i] && d < nd && t->owner[i] == nd)
                    t->owner[i] = d;
            }
            t->n_in[d] = n_in;
            for (size_t b = 0; b < nb; b++) {
                double sw = 0, swa = 0, sbelow = 0;
                for (size_t i = 0; i < np; i++) {
                    double A = 1000.0 * t->r.access[i * nb + b];
                    v[i] = A;
                    w[i] = inside[i] && pw[i] > 0 ? pw[i] : 0;
                    sw += w[i];
                    swa += w[i] * A;
                    sbelow += !isnan(in->o->min_access) && A < in->o->min_access ? w[i] : 0;
                }
                size_t k = d * nb + b;
                t->pop[k] = n_in ? sw : NAN;
                t->index[k] = sw > 0 ? swa / sw : NAN;
                t->p10[k] = sv_weighted_quantile(v, w, np, 0.1);
                t->med[k] = sv_weighted_quantile(v, w, np, 0.5);
                t->p90[k] = sv_weighted_quantile(v, w, np, 0.9);
                t->below[k] = sw > 0 && !isnan(in->o->min_access) ? 100.0 * sbelow / sw : NAN;
            }
        }
        sv_prep_destroy(h, R);
        sv_geom_destroy(h, D);
    }
    if (rc == SV_ERR_NOMEM)
        sv_error(ctx, rc, "out of memory for the access index");
    free(v);
    free(w);
    free(inside);
    sv_free(hits);
    sv_index_destroy(h, tree);
    return rc;
}

static sv_status access_run(sv_ctx *ctx, sv_geos *h, const sv_access_stage_in *in, sv_analysis *a,
                            struct sv_access_stage *t)
{
    const sv_analyze_opts *o = in->o;
    size_t ns = a->n_stations, nd = a->n_districts, nb = a->n_breaks;
    const sv_people_keep *pk = in->people;
    double *px = NULL, *py = NULL, *pw = NULL, *catch = NULL;
    sv_reach_pairs pairs = {0};
    sv_status rc = SV_OK;
    size_t np = 0;
    /* The demand: the points the people stage measures distances from
     * (buildings with people, demand points, raster cells, population
     * polygons); with people in a districts field and nothing finer, a point
     * inside each district with its people (as Luo & Wang used tract
     * centroids). */
    if (pk && pk->n) {
        np = pk->n;
        px = sv_malloc((np + 1) * sizeof *px);
        py = sv_malloc((np + 1) * sizeof *py);
        pw = sv_malloc((np + 1) * sizeof *pw);
        if (px && py && pw) {
            memcpy(px, pk->x, np * sizeof *px);
            memcpy(py, pk->y, np * sizeof *py);
            memcpy(pw, pk->w, np * sizeof *pw);
        }
        t->demand_what = pk->source;
    } else if (pk && pk->own && a->people.method == SV_POP_DISTRICT_FIELD) {
        px = sv_malloc((nd + 1) * sizeof *px);
        py = sv_malloc((nd + 1) * sizeof *py);
        pw = sv_malloc((nd + 1) * sizeof *pw);
        for (size_t d = 0; px && py && pw && d < nd; d++) {
            if (!(pk->own[d] > 0))
                continue;
            sv_geom *D = sv_geom_from_wkb(h, in->dw[d], in->dl[d]);
            sv_geom *c = D ? sv_geom_point_on_surface(h, D) : NULL;
            if (c && sv_geom_point_xy(h, c, &px[np], &py[np]) == 0)
                pw[np++] = pk->own[d];
            sv_geom_destroy(h, c);
            sv_geom_destroy(h, D);
        }
        t->demand_what = "districts (a point inside each, with its people)";
    } else { /* no points with people (every block empty): no ratios, no index */
        px = sv_malloc(sizeof *px);
        py = sv_malloc(sizeof *py);
        pw = sv_malloc(sizeof *pw);
        t->demand_what = pk && pk->source ? pk->source : "none";
    }
    t->n_points = np;
    t->capacity = sv_malloc((ns + 1) * sizeof *t->capacity);
    catch = sv_malloc((nb + 1) * sizeof *catch);
    t->index = sv_malloc((nd + 1) * nb * sizeof(double));
    t->p10 = sv_malloc((nd + 1) * nb * sizeof(double));
    t->med = sv_malloc((nd + 1) * nb * sizeof(double));
    t->p90 = sv_malloc((nd + 1) * nb * sizeof(double));
    t->below = sv_malloc((nd + 1) * nb * sizeof(double));
    t->pop = sv_malloc((nd + 1) * nb * sizeof(double));
    t->n_in = sv_calloc(nd + 1, sizeof *t->n_in);
    if (!px || !py || !pw || !t->capacity || !catch || !t->index || !t->p10 || !t->med || !t->p90 || !t->below ||
        !t->pop || !t->n_in) {
        rc = sv_error(ctx, SV_ERR_NOMEM, "out of memory for the access index");
        goto done;
    }
    for (size_t j = 0; j < ns; j++)
        t->capacity[j] = in->stations->items[in->st_keep[j]].weight;
    /* the catchments are the breaks, in the unit of the costs */
    for (size_t b = 0; b < nb; b++)
        catch[b] = a->network ? in->access_opts->budget[b] : a->breaks[b].radius_m;
    rc = a->network ? sv_reach_pairs_network(ctx, in->net, in->areas, ns, px, py, np, in->access_opts, &pairs)
                    : sv_reach_pairs_circles(ctx, in->xs, in->ys, ns, px, py, np, nb ? catch[nb - 1] : 0, &pairs);
    if (rc != SV_OK)
        goto done;
    sv_access_method m = o->access != SV_ACCESS_NONE ? o->access : SV_ACCESS_2SFCA;
    t->method = m;
    sv_2sfca_input si = {
        .method = m,
        .decay = o->decay,
        .n_stations = ns,
        .n_demand = np,
        .capacity = t->capacity,
        .weight = pw,
        .n_pairs = pairs.n,
        .pair_station = pairs.station,
        .pair_demand = pairs.demand,
        .pair_cost = pairs.cost,
        .catchment = catch,
        .n_breaks = nb,
    };
    if ((rc = sv_2sfca_compute(ctx, &si, &t->r)) != SV_OK)
        goto done;
    t->have_access = 1;
    rc = district_figures(ctx, h, in, a, t, px, py, pw);
done:
    sv_reach_pairs_free(&pairs);
    t->px = px; /* point_access writes them */
    t->py = py;
    t->pw = pw;
    free(catch);
    return rc;
}

/* ---- time of day ---- */

static sv_status time_run(sv_ctx *ctx, sv_geos *h, const sv_access_stage_in *in, sv_analysis *a,
                          struct sv_access_stage *t)
{
    const sv_analyze_opts *o = in->o;
    const sv_featureset *fs = in->stations;
    size_t ns = a->n_stations, nd = a->n_districts, nb = a->n_breaks;
    sv_msg why;
    sv_msg_init(&why, sv_ctx_lang(ctx));
    if (sv_moments_parse(o->at, &t->moments, &t->n_moments, &why) != 0)
        return sv_error(ctx, SV_ERR_USAGE, "--at \"%s\": %s", o->at, why.tr);
    size_t nm = t->n_moments;
    sv_hours **hours = sv_calloc(ns + 1, sizeof *hours);
    double *sx = sv_malloc((ns + 1) * sizeof *sx), *sy = sv_malloc((ns + 1) * sizeof *sy);
    t->n_open = sv_calloc(nm, sizeof *t->n_open);
    t->n_own_open = sv_calloc(nm + 1, sizeof *t->n_own_open);
    /* a worker's shard (svcov worker): which stations are its own, for the whole area's count */
    const sv_shard_worker *sw = o->shard_hook == sv_shard_filter ? o->shard_userdata : NULL;
    t->is_shard = sw != NULL;
    t->cov = sv_calloc(nm, sizeof *t->cov);
    t->total = sv_malloc((nd + 1) * nb * nm * sizeof(double));
    t->covered = sv_malloc((nd + 1) * nb * nm * sizeof(double));
    sv_status rc = SV_OK;
    if (!hours || !sx || !sy || !t->n_open || !t->n_own_open || !t->cov || !t->total || !t->covered) {
        rc = sv_error(ctx, SV_ERR_NOMEM, "out of memory for coverage by time of day");
        goto done;
    }
    for (size_t k = 0; k < (nd + 1) * nb * nm; k++)
        t->total[k] = t->covered[k] = NAN;
    /* Each station's week; without hours, or with hours svcov cannot read,
     * it counts as always open (a NULL week). */
    for (size_t j = 0; j < ns && rc == SV_OK; j++) {
        const sv_feature *f = &fs->items[in->st_keep[j]];
        if (!f->hours) {
            t->n_without_hours++;
            continue;
        }
        if (sv_hours_parse(f->hours, &hours[j], &why) == 0) /* (it empties why first) */
            continue;
        t->n_unreadable++;
        sv_msg what;
        sv_msg_init(&what, sv_ctx_lang(ctx));
        sv_msg_add(&what, "has opening hours (%s) '%.200s' that svcov cannot read (", o->stations.hours_field,
                   f->hours);
        sv_msg_cat(&what, &why);
        sv_msg_put(&what, "): counted as always open (the syntax svcov reads is in the README)");
        rc = o->strict ? sv_error(ctx, SV_ERR_DATA, "%s: layer '%s', feature %s %s", fs->path, fs->layer, f->id,
                                  what.tr)
                       : sv_issue_add_msg(ctx, fs->path, fs->layer, f->id, &what, SV_ISSUE_REPAIRED);
    }
    sv_progress(ctx, "time of day", 0.0);
    for (size_t m = 0; m < nm && rc == SV_OK; m++) {
        size_t n = 0;
        for (size_t j = 0; j < ns; j++)
            if (sv_hours_is_open(hours[j], t->moments[m].weekday, t->moments[m].minute) == 1) {
                sx[n] = in->xs[j];
                sy[n++] = in->ys[j];
                t->n_own_open[m] += sw && in->st_keep[j] < sw->n_own_station && sw->own_station[in->st_keep[j]];
            }
        t->n_open[m] = n;
        sv_cov_input ci = *in->cov_in;
        ci.xs = sx;
        ci.ys = sy;
        ci.n_stations = n;
        sv_net_areas sub = {0};
        if (a->network) { /* the open stations' own service areas, as for all of them */
            sv_access_opts ao = *in->access_opts;
            ao.per_station = 0;
            ao.per_station_lines = 1;
            if ((rc = sv_net_areas_compute(ctx, in->net, sx, sy, n, &ao, &sub)) != SV_OK) {
                sv_net_areas_free(&sub);
                break;
            }
            ci.area_wkb = (const unsigned char *const *)sub.area_wkb;
            ci.area_len = sub.area_len;
            ci.station_lines_wkb = (const unsigned char *const *)sub.st_lines_wkb;
            ci.station_lines_len = sub.st_lines_len;
        }
        rc = sv_coverage_compute(ctx, &ci, &t->cov[m]);
        sv_net_areas_free(&sub);
        if (rc == SV_OK && in->people && in->people->surf) {
            size_t unknown = 0;
            rc = sv_people_covered(ctx, h, in->people->surf, in->people->own, &t->cov[m], in->dw, in->dl, nd, nb,
                                   a->districts_overlap, t->total + m * (nd + 1) * nb,
                                   t->covered + m * (nd + 1) * nb, &unknown);
        }
        sv_progress(ctx, "time of day", (double)(m + 1) / (double)(nm + 1));
    }
    sv_progress(ctx, "time of day", 1.0);
done:
    for (size_t j = 0; hours && j < ns; j++)
        sv_hours_free(hours[j]);
    free(hours);
    free(sx);
    free(sy);
    return rc;
}

sv_status sv_access_stage_run(sv_ctx *ctx, sv_geos *h, const sv_access_stage_in *in, sv_analysis *a)
{
    const sv_analyze_opts *o = in->o;
    if (!sv_access_stage_wanted(o))
        return SV_OK;
    struct sv_access_stage *t = sv_calloc(1, sizeof *t);
    if (!t)
        return sv_error(ctx, SV_ERR_NOMEM, "out of memory");
    a->access = t;
    sv_status rc = SV_OK;
    if (o->access != SV_ACCESS_NONE || o->stations.weight_field) {
        sv_progress(ctx, "access", 0.0);
        rc = access_run(ctx, h, in, a, t);
        sv_progress(ctx, "access", 1.0);
    }
    if (rc == SV_OK && o->at)
        rc = time_run(ctx, h, in, a, t);
    return rc;
}

/* The stage of sv_analyze_run: after the people stage, which handed on s->pkeep. */
sv_status sv_analyze_access(sv_analyze_state *s)
{
    sv_analysis *a = s->a;
    sv_cov_input cov_in;
    sv_analyze_cov_input(s, s->xs, s->ys, a->n_stations, &s->areas, &cov_in);
    sv_access_stage_in in = {s->o, s->xs, s->ys, &s->sfs, s->keep, (const unsigned char *const *)s->dw, s->dl,
                             &cov_in, a->network ? s->net : NULL, a->network ? &s->areas : NULL, &s->ao, &s->pkeep};
    return sv_access_stage_run(s->ctx, s->h, &in, a);
}

/* ---- writing ---- */

sv_status sv_access_stage_write(sv_ctx *ctx, sv_geos *h, sv_store *db, const sv_analysis *a,
                                const sv_featureset *st_fs, const size_t *st_keep)
{
    const struct sv_access_stage *t = a->access;
    if (!t)
        return SV_OK;
    size_t ns = a->n_stations, nd = a->n_districts, nb = a->n_breaks;
    sv_status rc = SV_OK;
    for (size_t j = 0; t->have_access && j < ns && rc == SV_OK; j++)
        for (size_t b = 0; b < nb && rc == SV_OK; b++) {
            double S = t->capacity[j], D = t->r.demand_within[j * nb + b];
            sv_value v[] = {SV_TEXT(st_fs->items[st_keep[j]].id), SV_ANALYSIS_BREAK(a, b), SV_REAL(S), SV_REAL(D),
                            SV_REAL(t->r.ratio[j * nb + b]), SV_REAL(S > 0 ? D / S : NAN)};
            rc = sv_store_insert(ctx, db, SV_TABLE_STATION_LOAD, v, sizeof v / sizeof v[0], NULL, 0);
        }
    for (size_t d = 0; t->have_access && d <= nd && rc == SV_OK; d++)
        for (size_t b = 0; b < nb && rc == SV_OK; b++) {
            size_t k = d * nb + b;
            sv_value v[] = {SV_TEXT(d < nd ? a->district_ids[d] : NULL),
                            SV_TEXT(d < nd ? a->district_names[d] : "(whole area)"),
                            SV_ANALYSIS_BREAK(a, b),
                            SV_REAL(t->index[k]),
                            SV_REAL(t->p10[k]),
                            SV_REAL(t->med[k]),
                            SV_REAL(t->p90[k]),
                            SV_REAL(t->below[k]),
                            SV_REAL(t->pop[k]),
                            SV_INT(t->n_in[d])};
            rc = sv_store_insert(ctx, db, SV_TABLE_DISTRICT_ACCESS, v, sizeof v / sizeof v[0], NULL, 0);
        }
    /* each point with people inside a district, once (its first district's): the whole area's quantiles of a
     * sharded run are over the shards' rows (svcov finish) */
    for (size_t i = 0; t->have_access && t->owner && i < t->n_points && rc == SV_OK; i++)
        for (size_t b = 0; t->owner[i] < nd && t->pw[i] > 0 && b < nb && rc == SV_OK; b++) {
            sv_value v[] = {SV_TEXT(a->district_ids[t->owner[i]]), SV_ANALYSIS_BREAK(a, b),
                            SV_REAL(1000.0 * t->r.access[i * nb + b]), SV_REAL(t->pw[i])};
            rc = sv_store_insert_point(ctx, db, SV_TABLE_POINT_ACCESS, v, sizeof v / sizeof v[0], t->px[i], t->py[i]);
        }
    for (size_t m = 0; t->cov && m < t->n_moments && rc == SV_OK; m++) {
        const sv_cov_result *cov = &t->cov[m];
        for (size_t d = 0; d <= nd && rc == SV_OK; d++)
            for (size_t b = 0; b < nb && rc == SV_OK; b++) {
                const sv_cov_cell *c = &cov->cells[d * nb + b];
                size_t k = m * (nd + 1) * nb + d * nb + b;
                double pct = c->area_m2 > 0 ? 100.0 * (c->covered_m2 / c->area_m2) : 0.0;
                double pt = t->total[k], pc = t->covered[k];
                sv_value v[] = {SV_TEXT(d < nd ? a->district_ids[d] : NULL),
                                SV_TEXT(d < nd ? a->district_names[d] : "(whole area)"),
                                SV_ANALYSIS_BREAK(a, b),
                                SV_TEXT(t->moments[m].label),
                                SV_INT(d == nd && t->is_shard ? t->n_own_open[m] : t->n_open[m]),
                                SV_REAL(c->area_m2),
                                SV_REAL(c->covered_m2),
                                SV_REAL(pct),
                                SV_REAL(c->area_m2 - c->covered_m2),
                                SV_INT(d < nd ? c->n_reaching : (int)t->n_open[m]),
                                SV_REAL(pt),
                                SV_REAL(pc),
                                SV_REAL(pt > 0 ? 100.0 * (pc / pt) : NAN)};
                rc = sv_store_insert(ctx, db, SV_TABLE_TIME_COVERAGE, v, sizeof v / sizeof v[0], NULL, 0);
                if (rc != SV_OK || d == nd)
                    continue;
                sv_geom *gap = c->gap_wkb ? sv_geom_from_wkb(h, c->gap_wkb, c->gap_len) : NULL;
                int nparts = gap ? sv_geom_num_parts(h, gap) : 0;
                sv_geom_destroy(h, gap);
                sv_value g[] = {SV_TEXT(a->district_ids[d]), SV_TEXT(a->district_names[d]), SV_ANALYSIS_BREAK(a, b),
                                SV_TEXT(t->moments[m].label), SV_REAL(c->gap_m2),
                                SV_REAL(c->area_m2 > 0 ? 100.0 * c->gap_m2 / c->area_m2 : 0.0), SV_INT(nparts)};
                rc = sv_store_insert(ctx, db, SV_TABLE_TIME_GAPS, g, sizeof g / sizeof g[0], c->gap_wkb, c->gap_len);
            }
    }
    return rc;
}

void sv_access_stage_runs(const sv_analysis *a, const sv_analyze_opts *o, const char **keys, const char **vals)
{
    static const char *const names[SV_ACCESS_RUNS_COLUMNS] = {
        "access_method", "access_decay", "capacity_field", "min_access", "access_demand",
        "hours_field", "moments", "stations_without_hours", "hours_unreadable",
    };
    struct sv_access_stage *t = a->access;
    for (int k = 0; k < SV_ACCESS_RUNS_COLUMNS; k++) {
        keys[k] = names[k];
        vals[k] = NULL;
    }
    if (!t)
        return;
    if (t->have_access) {
        sv_access_method m = o->access != SV_ACCESS_NONE ? o->access : SV_ACCESS_2SFCA;
        vals[0] = sv_access_method_name(m);
        vals[1] = m == SV_ACCESS_E2SFCA ? sv_decay_name(o->decay) : NULL;
        vals[2] = o->stations.weight_field;
        if (!isnan(o->min_access)) {
            snprintf(t->min_access_text, sizeof t->min_access_text, "%.17g", o->min_access);
            vals[3] = t->min_access_text;
        }
        vals[4] = t->demand_what;
    }
    if (t->cov) {
        vals[5] = o->stations.hours_field;
        vals[6] = o->at;
        snprintf(t->without_text, sizeof t->without_text, "%zu", t->n_without_hours);
        snprintf(t->unreadable_text, sizeof t->unreadable_text, "%zu", t->n_unreadable);
        vals[7] = t->without_text;
        vals[8] = t->unreadable_text;
    }
}

/* ---- figures for the summary ---- */

int sv_analysis_access(const sv_analysis *a, size_t b, double *index, const char **method, size_t *most_loaded,
                       double *load)
{
    const struct sv_access_stage *t = a->access;
    if (!t || !t->have_access || b >= a->n_breaks)
        return 0;
    size_t nb = a->n_breaks;
    *index = t->index[a->n_districts * nb + b];
    *method = sv_access_method_name(t->method);
    *most_loaded = (size_t)-1;
    *load = NAN;
    for (size_t j = 0; j < a->n_stations; j++) {
        double S = t->capacity[j], D = t->r.demand_within[j * nb + b];
        if (S > 0 && (isnan(*load) || D / S > *load)) {
            *load = D / S;
            *most_loaded = j;
        }
    }
    return 1;
}

size_t sv_analysis_moments(const sv_analysis *a)
{
    return a->access && a->access->cov ? a->access->n_moments : 0;
}

const char *sv_analysis_moment(const sv_analysis *a, size_t m, size_t b, size_t *n_open, double *area_pct,
                               double *pop_pct)
{
    const struct sv_access_stage *t = a->access;
    if (m >= sv_analysis_moments(a) || b >= a->n_breaks)
        return NULL;
    size_t nd = a->n_districts, nb = a->n_breaks;
    const sv_cov_cell *c = &t->cov[m].cells[nd * nb + b];
    size_t k = m * (nd + 1) * nb + nd * nb + b;
    *n_open = t->n_open[m];
    *area_pct = c->area_m2 > 0 ? 100.0 * c->covered_m2 / c->area_m2 : 0.0;
    *pop_pct = t->total[k] > 0 ? 100.0 * t->covered[k] / t->total[k] : NAN;
    return t->moments[m].label;
}
