/* site_network.c - svcov site along the streets: the network of a run or
 * of --network, candidates from the street graph, and the reach lists of
 * stations and candidates (engine/net_reach.c), which the siting models
 * then use as they use circles. */
#include "pipeline/site_stages.h"
#include "svcov/sv_lang.h"
#include "svcov/sv_analyze.h"
#include "svcov/sv_net_reach.h"
#include "svcov/sv_site.h"
#include "svcov/sv_store.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sv_site_net_free(sv_site_net *n)
{
    if (!n)
        return;
    sv_reach_lists_free(&n->stations);
    sv_reach_lists_free(&n->candidates);
    memset(n, 0, sizeof *n);
}

/* ---- the defaults of a network analysis (--db) ---- */

enum { RC_METHOD, RC_NETWORK, RC_MODE, RC_MINUTES, RC_RADII, RC_SNAP, RC_LEGS, RC_MAXSNAP, RC_SPEEDS, RC_N };
static const char *const run_cols[RC_N] = {"method", "network_path", "mode", "minutes", "radii_m",
                                           "snap", "access_legs", "max_snap_m", "speeds_path"};
typedef struct {
    int present[RC_N];
    char value[RC_N][1024];
    int have_row;
} run_row;

static int columns_row(void *ud, int ncol, const char *const *names, const char *const *values)
{
    run_row *r = ud;
    (void)names;
    for (int k = 0; values && ncol > 0 && values[0] && k < RC_N; k++)
        if (strcmp(values[0], run_cols[k]) == 0)
            r->present[k] = 1;
    return 0;
}

static int values_row(void *ud, int ncol, const char *const *names, const char *const *values)
{
    run_row *r = ud;
    (void)names;
    r->have_row = values != NULL;
    for (int k = 0; values && k < ncol && k < RC_N; k++)
        snprintf(r->value[k], sizeof r->value[k], "%s", values[k] ? values[k] : "");
    return values != NULL; /* the first row is enough */
}

/* The largest number of a comma-separated list, NAN when none. */
static double largest(const char *list)
{
    double best = NAN;
    for (const char *p = list; p && *p;) {
        char *end = NULL;
        double v = strtod(p, &end);
        if (end == p)
            break;
        if (isfinite(v) && (isnan(best) || v > best))
            best = v;
        p = *end == ',' ? end + 1 : end;
        if (*end != ',')
            break;
    }
    return best;
}

sv_status sv_site_network_defaults(sv_ctx *ctx, const char *db_path, sv_siting_opts *o, char *keep,
                                   size_t keep_size, int *is_network)
{
    *is_network = 0;
    run_row r;
    memset(&r, 0, sizeof r);
    sv_store_reader *rd = NULL;
    sv_status rc = sv_store_open_read(ctx, db_path, &rd);
    if (rc == SV_OK)
        rc = sv_store_read(ctx, rd, "SELECT name FROM pragma_table_info('runs')", NULL, NULL, 0, columns_row, &r);
    if (rc != SV_OK || !r.present[RC_METHOD]) {
        sv_store_close_read(rd);
        return rc;
    }
    char sql[512] = "SELECT ";
    for (int k = 0; k < RC_N; k++) {
        strcat(sql, r.present[k] ? run_cols[k] : "NULL");
        strcat(sql, k + 1 < RC_N ? ", " : " FROM runs ORDER BY rowid DESC LIMIT 1");
    }
    rc = sv_store_read(ctx, rd, sql, NULL, NULL, 0, values_row, &r);
    sv_store_close_read(rd);
    if (rc != SV_OK || !r.have_row)
        return rc;
    if (strcmp(r.value[RC_METHOD], "network") != 0 && !*r.value[RC_NETWORK])
        return SV_OK;
    *is_network = 1;
    /* the text kept for o: network path, mode, speeds file */
    size_t at = 0;
#define KEEP(dst, src)                                                                                              \
    do {                                                                                                            \
        size_t len_ = strlen(src) + 1;                                                                              \
        if (at + len_ > keep_size)                                                                                  \
            return sv_error(ctx, SV_ERR_INPUT, "%s: the network analysis's paths are too long", db_path);           \
        memcpy(keep + at, src, len_);                                                                               \
        (dst) = keep + at;                                                                                          \
        at += len_;                                                                                                 \
    } while (0)
    if (!o->network.spec) {
        if (!*r.value[RC_NETWORK])
            return sv_error(ctx, SV_ERR_INPUT, "--db %s is a network analysis that does not name its network; give "
                            "--network PATH[:LAYER]", db_path);
        KEEP(o->network.spec, r.value[RC_NETWORK]);
    }
    if (!o->mode && *r.value[RC_MODE])
        KEEP(o->mode, r.value[RC_MODE]);
    if (!o->speeds_csv && *r.value[RC_SPEEDS])
        KEEP(o->speeds_csv, r.value[RC_SPEEDS]);
#undef KEEP
    if (o->snap < 0 && *r.value[RC_SNAP])
        o->snap = strcmp(r.value[RC_SNAP], "node") == 0 ? SV_SNAP_NODE : SV_SNAP_EDGE;
    if (o->access_legs < 0 && *r.value[RC_LEGS])
        o->access_legs = strcmp(r.value[RC_LEGS], "0") != 0;
    if (isnan(o->max_snap_m) && *r.value[RC_MAXSNAP])
        o->max_snap_m = strtod(r.value[RC_MAXSNAP], NULL);
    if (!(o->minutes > 0) && !(o->radius_m > 0)) { /* the analysis's largest break */
        double m = largest(r.value[RC_MINUTES]), d = largest(r.value[RC_RADII]);
        if (*r.value[RC_MINUTES] && isfinite(m))
            o->minutes = m;
        else if (isfinite(d))
            o->radius_m = d;
    }
    return SV_OK;
}

/* ---- candidates from the street graph ---- */

typedef struct {
    double x, y;
} xy;

static int cmp_xy(const void *a, const void *b)
{
    const xy *p = a, *q = b;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    return (p->y > q->y) - (p->y < q->y);
}

/* Grid nodes moved to where they attach to the street (merged when two
 * land on the same point); those beyond max_snap are dropped. */
static sv_status snap_grid(sv_ctx *ctx, const sv_network *net, sv_snap snap, double max_snap, double **cx,
                           double **cy, size_t *nc)
{
    sv_attach *at = sv_calloc(*nc + 1, sizeof *at);
    xy *p = sv_malloc((*nc + 1) * sizeof *p);
    if (!at || !p) {
        sv_free(at);
        sv_free(p);
        return sv_error(ctx, SV_ERR_NOMEM, "out of memory snapping the grid to the streets");
    }
    sv_status st = sv_network_attach(ctx, net, *cx, *cy, *nc, snap, max_snap, at);
    size_t n = 0;
    for (size_t j = 0; st == SV_OK && j < *nc; j++)
        if (at[j].ok) {
            sv_network_attach_xy(net, &at[j], &p[n].x, &p[n].y);
            n++;
        }
    qsort(p, n, sizeof *p, cmp_xy);
    size_t w = 0;
    for (size_t j = 0; j < n; j++)
        if (w == 0 || cmp_xy(&p[w - 1], &p[j]) != 0)
            p[w++] = p[j];
    /* northing, then easting, as the grid itself is ordered */
    for (size_t j = 0; j < w; j++) {
        double t = p[j].x;
        p[j].x = p[j].y;
        p[j].y = t;
    }
    qsort(p, w, sizeof *p, cmp_xy);
    for (size_t j = 0; j < w; j++) {
        (*cx)[j] = p[j].y;
        (*cy)[j] = p[j].x;
    }
    *nc = w;
    sv_free(at);
    sv_free(p);
    return st;
}

/* Street intersections (inside a district when there are districts),
 * thinned to a minimum spacing. */
static sv_status intersections(sv_ctx *ctx, const sv_network *net, sv_district_finder *f, double spacing,
                               double **cx, double **cy, size_t *nc)
{
    size_t *nodes = NULL, n = 0;
    if (sv_network_intersections(net, &nodes, &n) != SV_OK)
        return sv_error(ctx, SV_ERR_NOMEM, "out of memory listing street intersections");
    double *x = sv_malloc((n + 1) * sizeof *x), *y = sv_malloc((n + 1) * sizeof *y);
    size_t *keep = sv_malloc((n + 1) * sizeof *keep);
    if (!x || !y || !keep) {
        sv_free(nodes);
        sv_free(x);
        sv_free(y);
        sv_free(keep);
        return sv_error(ctx, SV_ERR_NOMEM, "out of memory listing street intersections");
    }
    size_t m = 0;
    for (size_t k = 0; k < n; k++) {
        sv_network_node_xy(net, nodes[k], &x[m], &y[m]);
        if (!f || f->n == 0 || sv_district_finder_find(f, x[m], y[m]) >= 0)
            m++;
    }
    sv_free(nodes);
    size_t nk = 0;
    sv_status st = sv_points_thin(x, y, m, spacing, keep, &nk);
    if (st == SV_OK) {
        double *nx = sv_realloc(*cx, (nk + 1) * sizeof *nx);
        if (nx)
            *cx = nx;
        double *ny = sv_realloc(*cy, (nk + 1) * sizeof *ny);
        if (ny)
            *cy = ny;
        if (!nx || !ny) {
            st = SV_ERR_NOMEM;
        } else {
            for (size_t k = 0; k < nk; k++) {
                (*cx)[k] = x[keep[k]];
                (*cy)[k] = y[keep[k]];
            }
            *nc = nk;
        }
    }
    sv_free(x);
    sv_free(y);
    sv_free(keep);
    return st == SV_OK ? SV_OK : sv_error(ctx, st, "out of memory thinning street intersections");
}

sv_status sv_site_network(sv_ctx *ctx, const sv_siting_opts *o, int epsg, void *finder, const double *dx,
                          const double *dy, size_t nd, const double *sx, const double *sy, size_t ns,
                          int make_cands, double **cx, double **cy, size_t *nc, sv_site_net *out)
{
    memset(out, 0, sizeof *out);
    if (o->speed_kmh != 0 || o->detour != 1.0)
        return sv_error(ctx, SV_ERR_USAGE, "--detour and --speed are for circles; on a network the speeds come "
                        "from the mode's table (--speeds FILE to change them)");
    double max_snap = isnan(o->max_snap_m) ? 500.0 : o->max_snap_m;
    if (!(max_snap >= 0) || max_snap > 100000)
        return sv_error(ctx, SV_ERR_USAGE, "--max-snap is a distance in metres (0 to 100000)");
    sv_travel_mode mode;
    sv_status st = sv_travel_mode_load(ctx, o->mode ? o->mode : "walk", o->speeds_csv, &mode);
    if (st != SV_OK)
        return st;
    snprintf(out->mode, sizeof out->mode, "%s", mode.name);
    sv_access_opts ao = {
        .kind = o->radius_m > 0 ? SV_COST_LENGTH : SV_COST_TIME,
        .snap = o->snap == SV_SNAP_NODE ? SV_SNAP_NODE : SV_SNAP_EDGE,
        .max_snap_m = max_snap,
        .access_legs = o->access_legs != 0, /* unset: on, as in analyze */
        .access_kmh = mode.access_kmh,
    };
    if (o->radius_m > 0) {
        out->budget = out->radius_m = o->radius_m;
        out->minutes = NAN;
    } else if (o->minutes > 0 && o->minutes <= 24 * 60) {
        out->minutes = o->minutes;
        out->budget = 60.0 * o->minutes;
        out->radius_m = mode.default_kmh / 3.6 * out->budget;
    } else {
        return sv_error(ctx, SV_ERR_USAGE, "give the reach along the streets as --minutes N (at most 1440) or "
                        "--radius M (metres along the streets)");
    }
    ao.budget = &out->budget;
    ao.n_breaks = 1;

    sv_source_opts no = o->network;
    no.strict = o->strict;
    sv_source *src = NULL;
    sv_featureset fs;
    memset(&fs, 0, sizeof fs);
    sv_network *net = NULL;
    sv_attach *dat = NULL, *cat = NULL;
    sv_reach_lists gap = {0};
    if ((st = sv_source_open(ctx, &no, SV_ROLE_NETWORK, &src)) != SV_OK ||
        (st = sv_source_project(ctx, src, epsg, &fs)) != SV_OK || (st = sv_network_build(ctx, &fs, &mode, &net)) != SV_OK)
        goto done;
    sv_network_info info;
    sv_network_get_info(net, &info);
    out->nodes = info.nodes;
    out->edges = info.edges;
    if (make_cands == 1 && (st = snap_grid(ctx, net, ao.snap, max_snap, cx, cy, nc)) != SV_OK)
        goto done;
    if (make_cands == 2 &&
        (st = intersections(ctx, net, finder, o->min_spacing_m, cx, cy, nc)) != SV_OK)
        goto done;
    double t0 = sv_clock_s();
    if (make_cands == 1 && o->grid_in_gaps && ns > 0 && *nc > 0) {
        /* grid sites no station reaches along the streets */
        if (!(cat = sv_calloc(*nc + 1, sizeof *cat))) {
            st = SV_ERR_NOMEM;
            goto done;
        }
        unsigned char *reached = sv_calloc(*nc + 1, 1);
        if (!reached) {
            st = SV_ERR_NOMEM;
            goto done;
        }
        if ((st = sv_network_attach(ctx, net, *cx, *cy, *nc, ao.snap, max_snap, cat)) == SV_OK &&
            (st = sv_net_reach_lists(ctx, net, &ao, out->budget, sx, sy, ns, cat, *nc, &gap, NULL)) == SV_OK) {
            for (size_t t = 0; t < gap.start[ns]; t++)
                reached[gap.item[t]] = 1;
            size_t w = 0;
            for (size_t j = 0; j < *nc; j++)
                if (!reached[j]) {
                    (*cx)[w] = (*cx)[j];
                    (*cy)[w] = (*cy)[j];
                    w++;
                }
            *nc = w;
        }
        sv_free(reached);
        if (st != SV_OK)
            goto done;
    }
    if (*nc == 0) {
        st = sv_error(ctx, SV_ERR_DATA, "no candidate sites along the streets of %s%s; %s", o->network.spec,
                      make_cands == 1 && o->grid_in_gaps ? sv_tr(sv_ctx_lang(ctx), " (every grid site is reached by a station)") : "",
                      make_cands == 2 ? sv_tr(sv_ctx_lang(ctx), "lower --min-spacing or give --candidates")
                                      : sv_tr(sv_ctx_lang(ctx), "give other candidates, a finer --grid or a larger --max-snap"));
        goto done;
    }
    dat = sv_calloc(nd + 1, sizeof *dat);
    unsigned char *cand_ok = sv_calloc(*nc + 1, 1), *st_ok = sv_calloc(ns + 1, 1);
    if (!dat || !cand_ok || !st_ok) {
        sv_free(cand_ok);
        sv_free(st_ok);
        st = SV_ERR_NOMEM;
        goto done;
    }
    if ((st = sv_network_attach(ctx, net, dx, dy, nd, ao.snap, max_snap, dat)) == SV_OK &&
        (st = sv_net_reach_lists(ctx, net, &ao, out->budget, sx, sy, ns, dat, nd, &out->stations, st_ok)) == SV_OK)
        st = sv_net_reach_lists(ctx, net, &ao, out->budget, *cx, *cy, *nc, dat, nd, &out->candidates, cand_ok);
    for (size_t i = 0; i < nd; i++)
        out->dem_unattached += !dat[i].ok;
    for (size_t j = 0; j < *nc; j++)
        out->cand_unattached += !cand_ok[j];
    for (size_t k = 0; k < ns; k++)
        out->st_unattached += !st_ok[k];
    sv_free(cand_ok);
    sv_free(st_ok);
    out->reach_s = sv_clock_s() - t0;
done:
    if (st == SV_ERR_NOMEM && !*sv_ctx_errmsg(ctx))
        sv_error(ctx, st, "out of memory for siting along the network");
    if (st != SV_OK)
        sv_site_net_free(out);
    sv_reach_lists_free(&gap);
    sv_free(dat);
    sv_free(cat);
    sv_network_destroy(net);
    sv_featureset_free(&fs);
    sv_source_close(src);
    return st;
}

/* The network stage of svcov site (between the candidates and the solve):
 * the graph, the street candidates when asked and the reach lists of the
 * stations and candidates (st->snet), which sv_siting_solve hands on. */
sv_status sv_siting_network(sv_site_state *st)
{
    sv_ctx *ctx = st->ctx;
    const sv_siting_opts *o = st->o;
    sv_siting *s = st->s;
    int make = st->cand.src ? 0 : o->candidates_from_nodes ? 2 : 1;
    sv_status rc = sv_site_network(ctx, o, s->crs.epsg, s->n_districts ? &st->finder : NULL, st->dem.x, st->dem.y,
                                   st->dem.n, st->sta.x, st->sta.y, st->sta.n, make, &st->cand.x, &st->cand.y,
                                   &st->cand.n, &st->snet);
    if (rc != SV_OK)
        return rc;
    sv_site_net *n = &st->snet;
    s->minutes = n->minutes;
    s->radius_m = n->radius_m;
    snprintf(s->mode, sizeof s->mode, "%s", n->mode);
    s->reach_s = n->reach_s;
    s->n_demand_unattached = n->dem_unattached;
    s->n_candidates_unattached = n->cand_unattached;
    s->n_stations_unattached = n->st_unattached;
    s->network_nodes = n->nodes;
    s->network_edges = n->edges;
    s->n_candidates = st->cand.n;
    if (n->dem_unattached)
        sv_warning(ctx, "%zu of the %zu demand points are farther than --max-snap from any street the mode may use: "
                   "no site reaches them", n->dem_unattached, st->dem.n);
    if (n->st_unattached)
        sv_warning(ctx, "%zu of the %zu existing stations are farther than --max-snap from any street the mode may "
                   "use: they reach nothing along the streets", n->st_unattached, st->sta.n);
    if (n->cand_unattached)
        sv_warning(ctx, "%zu of the %zu candidate sites are farther than --max-snap from any street the mode may "
                   "use: they reach nothing", n->cand_unattached, st->cand.n);
    return SV_OK;
}
