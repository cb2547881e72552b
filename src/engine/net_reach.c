/* net_reach.c - reach lists along the network for siting: one bounded
 * Dijkstra per candidate site or station, on all threads. */
#include "svcov/sv_net_reach.h"
#include "core/parallel.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void sv_reach_lists_free(sv_reach_lists *r)
{
    if (!r)
        return;
    sv_free(r->start);
    sv_free(r->item);
    memset(r, 0, sizeof *r);
}

typedef struct {
    const sv_network *net;
    const sv_access_opts *o;
    double budget;
    const sv_attach *src;
    const double *access, *access_len;
    size_t np;
    const sv_attach *dem;
    size_t nd;
    const size_t *nstart, *nitem; /* node -> demand attached on an edge at it (or at it) */
    size_t **list;                /* per point: its demand, ascending */
    size_t *len;
    sv_ctx *ctx;
    unsigned long gen;            /* this call, for the threads' own state */
    pthread_mutex_t lock;         /* guards workers */
    struct reach_worker *workers; /* one per thread that took a point, chained */
} reach_job;

typedef struct reach_worker {
    reach_job *j;
    sv_labels l;
    uint32_t *stamp; /* demand -> point + 1 last looked at */
    size_t *buf;
    size_t cap;
    struct reach_worker *next;
} reach_worker;

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* The demand at node v not yet looked at from point p: test and collect. */
static int look_at(reach_worker *w, size_t p, size_t v, size_t *n)
{
    reach_job *j = w->j;
    for (size_t t = j->nstart[v]; t < j->nstart[v + 1]; t++) {
        size_t i = j->nitem[t];
        if (w->stamp[i] == (uint32_t)(p + 1))
            continue;
        w->stamp[i] = (uint32_t)(p + 1);
        double len;
        int which;
        double c = sv_network_point_cost(j->net, j->o->kind, &w->l, &j->src[p], &j->access[p], &j->access_len[p], 1,
                                         &j->dem[i], &len, &which);
        if (j->o->access_legs && isfinite(c))
            c += j->o->kind == SV_COST_LENGTH ? j->dem[i].snap_m : j->dem[i].snap_m / (j->o->access_kmh / 3.6);
        if (!(c <= j->budget))
            continue;
        if (*n == w->cap) {
            size_t nc = w->cap ? 2 * w->cap : 256;
            size_t *b = sv_realloc(w->buf, nc * sizeof *b);
            if (!b)
                return -1;
            w->buf = b;
            w->cap = nc;
        }
        w->buf[(*n)++] = i;
    }
    return 0;
}

static int reach_one(reach_worker *w, size_t p)
{
    reach_job *j = w->j;
    j->list[p] = NULL;
    j->len[p] = 0;
    if (!j->src[p].ok)
        return 0;
    if (sv_network_dijkstra(j->net, j->o->kind, &j->src[p], &j->access[p], &j->access_len[p], 1, j->budget,
                            &w->l) != SV_OK)
        return -1;
    size_t n = 0, a, b;
    /* demand on the point's own edge is reached along it, whether or not
     * the search got to either end */
    sv_network_attach_ends(j->net, &j->src[p], &a, &b);
    if (look_at(w, p, a, &n) != 0 || look_at(w, p, b, &n) != 0)
        return -1;
    for (size_t k = 0; k < w->l.n_touched; k++) {
        size_t v = w->l.touched[k];
        if (w->l.cost[v] <= j->budget && look_at(w, p, v, &n) != 0)
            return -1;
    }
    if (n == 0)
        return 0;
    qsort(w->buf, n, sizeof *w->buf, cmp_size);
    if (!(j->list[p] = sv_malloc(n * sizeof *j->list[p])))
        return -1;
    memcpy(j->list[p], w->buf, n * sizeof *w->buf);
    j->len[p] = n;
    return 0;
}

/* Each thread of sv_parallel_for keeps its labels and marks for the whole
 * call (made at its first point, freed by the caller at the end): a
 * search's cost is its reach, not the network's size. */
static atomic_ulong reach_generation;
static _Thread_local struct {
    unsigned long gen;
    reach_worker *w;
} mine;

static int reach_item(void *job, sv_geos *h, size_t p)
{
    (void)h; /* the searches need no geometry */
    reach_job *j = job;
    if (sv_ctx_interrupted(j->ctx))
        return 2;
    if (mine.gen != j->gen || !mine.w) {
        reach_worker *w = sv_calloc(1, sizeof *w);
        if (!w)
            return 1;
        w->j = j;
        if (sv_labels_init(&w->l, j->net) != SV_OK || !(w->stamp = sv_calloc(j->nd + 1, sizeof *w->stamp))) {
            sv_labels_free(&w->l);
            sv_free(w);
            return 1;
        }
        pthread_mutex_lock(&j->lock);
        w->next = j->workers;
        j->workers = w;
        pthread_mutex_unlock(&j->lock);
        mine.gen = j->gen;
        mine.w = w;
    }
    return reach_one(mine.w, p) != 0;
}

sv_status sv_demand_by_node(const sv_network *net, const sv_attach *dem, size_t nd, sv_reach_lists *out)
{
    size_t nn = sv_network_node_count(net);
    memset(out, 0, sizeof *out);
    size_t *start = sv_calloc(nn + 2, sizeof *start), *item = sv_malloc((2 * nd + 1) * sizeof *item);
    size_t *fill = sv_calloc(nn + 1, sizeof *fill);
    if (!start || !item || !fill) {
        sv_free(start);
        sv_free(item);
        sv_free(fill);
        return SV_ERR_NOMEM;
    }
    for (size_t i = 0; i < nd; i++) {
        if (!dem[i].ok)
            continue;
        size_t a, b;
        sv_network_attach_ends(net, &dem[i], &a, &b);
        start[a + 1]++;
        if (b != a)
            start[b + 1]++;
    }
    for (size_t v = 0; v < nn; v++)
        start[v + 1] += start[v];
    for (size_t i = 0; i < nd; i++) {
        if (!dem[i].ok)
            continue;
        size_t a, b;
        sv_network_attach_ends(net, &dem[i], &a, &b);
        item[start[a] + fill[a]++] = i;
        if (b != a)
            item[start[b] + fill[b]++] = i;
    }
    sv_free(fill);
    out->start = start;
    out->item = item;
    out->n = nn;
    return SV_OK;
}

sv_status sv_net_reach_lists(sv_ctx *ctx, const sv_network *net, const sv_access_opts *o, double budget,
                             const double *px, const double *py, size_t np, const sv_attach *dem, size_t nd,
                             sv_reach_lists *out, unsigned char *attached)
{
    memset(out, 0, sizeof *out);
    if (np >= UINT32_MAX)
        return sv_error(ctx, SV_ERR_USAGE, "%zu sites or stations are too many for one reach computation", np);
    reach_job j = {.net = net, .o = o, .budget = budget, .np = np, .dem = dem, .nd = nd, .ctx = ctx};
    sv_attach *src = sv_calloc(np + 1, sizeof *src);
    double *access = sv_calloc(np + 1, sizeof *access), *access_len = sv_calloc(np + 1, sizeof *access_len);
    sv_reach_lists by_node = {0};
    j.list = sv_calloc(np + 1, sizeof *j.list);
    j.len = sv_calloc(np + 1, sizeof *j.len);
    sv_status st = SV_OK;
    if (!src || !access || !access_len || !j.list || !j.len || sv_demand_by_node(net, dem, nd, &by_node) != SV_OK) {
        st = SV_ERR_NOMEM;
        goto done;
    }
    /* attached as analyze attaches stations (sv_net_areas_compute) */
    if ((st = sv_network_attach(ctx, net, px, py, np, o->snap, o->max_snap_m, src)) != SV_OK)
        goto done;
    for (size_t p = 0; p < np; p++) {
        if (attached)
            attached[p] = (unsigned char)src[p].ok;
        if (!src[p].ok)
            continue;
        double s = src[p].snap_m;
        access_len[p] = o->access_legs ? s : 0;
        access[p] = !o->access_legs ? 0 : o->kind == SV_COST_LENGTH ? s : s / (o->access_kmh / 3.6);
    }
    j.src = src;
    j.access = access;
    j.access_len = access_len;
    j.nstart = by_node.start;
    j.nitem = by_node.item;
    j.gen = atomic_fetch_add(&reach_generation, 1) + 1;
    pthread_mutex_init(&j.lock, NULL);
    sv_progress(ctx, "reach", 0.0);
    int prc = sv_parallel_for(sv_ctx_threads(ctx), np, reach_item, &j);
    while (j.workers) {
        reach_worker *w = j.workers;
        j.workers = w->next;
        sv_labels_free(&w->l);
        sv_free(w->stamp);
        sv_free(w->buf);
        sv_free(w);
    }
    pthread_mutex_destroy(&j.lock);
    if (prc == 2 || sv_ctx_interrupted(ctx)) {
        st = SV_ERR_INTERRUPTED;
        goto done;
    }
    if (prc != 0) {
        st = SV_ERR_NOMEM;
        goto done;
    }
    /* concatenate */
    size_t total = 0;
    for (size_t p = 0; p < np; p++)
        total += j.len[p];
    out->start = sv_malloc((np + 1) * sizeof *out->start);
    out->item = sv_malloc((total + 1) * sizeof *out->item);
    if (!out->start || !out->item) {
        st = SV_ERR_NOMEM;
        goto done;
    }
    out->n = np;
    size_t at = 0;
    for (size_t p = 0; p < np; p++) {
        out->start[p] = at;
        if (j.len[p])
            memcpy(&out->item[at], j.list[p], j.len[p] * sizeof *out->item);
        at += j.len[p];
    }
    out->start[np] = at;
    sv_progress(ctx, "reach", 1.0);
done:
    if (st != SV_OK) {
        sv_reach_lists_free(out);
        if (st == SV_ERR_NOMEM)
            sv_error(ctx, st, "out of memory for the reach lists along the network");
        else if (st == SV_ERR_INTERRUPTED)
            sv_error(ctx, st, "interrupted while measuring reach along the network");
    }
    if (j.list)
        for (size_t p = 0; p < np; p++)
            sv_free(j.list[p]);
    sv_free(j.list);
    sv_free(j.len);
    sv_free(src);
    sv_free(access);
    sv_free(access_len);
    sv_reach_lists_free(&by_node);
    return st;
}

/* Cells of a hash grid of spacing-sized squares, open addressing. */
typedef struct {
    int64_t cx, cy;
    size_t first; /* a kept point in the cell; chains through next[] */
    int used;
} cell;

static uint64_t cell_hash(int64_t x, int64_t y)
{
    uint64_t h = (uint64_t)x * 0x9E3779B97F4A7C15ull ^ ((uint64_t)y * 0xC2B2AE3D27D4EB4Full);
    return h ^ (h >> 29);
}

static cell *cell_find(cell *t, size_t cap, int64_t x, int64_t y)
{
    size_t k = (size_t)(cell_hash(x, y) & (cap - 1));
    while (t[k].used && (t[k].cx != x || t[k].cy != y))
        k = (k + 1) & (cap - 1);
    return &t[k];
}

sv_status sv_points_thin(const double *x, const double *y, size_t n, double spacing_m, size_t *keep,
                         size_t *n_keep)
{
    *n_keep = 0;
    if (!(spacing_m > 0)) {
        for (size_t i = 0; i < n; i++)
            keep[i] = i;
        *n_keep = n;
        return SV_OK;
    }
    size_t cap = 16;
    while (cap < 2 * n + 2)
        cap *= 2;
    cell *t = sv_calloc(cap, sizeof *t);
    size_t *next = sv_malloc((n + 1) * sizeof *next);
    if (!t || !next) {
        sv_free(t);
        sv_free(next);
        return SV_ERR_NOMEM;
    }
    size_t nk = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t cx = (int64_t)floor(x[i] / spacing_m), cy = (int64_t)floor(y[i] / spacing_m);
        int close = 0;
        for (int64_t a = cx - 1; a <= cx + 1 && !close; a++)
            for (int64_t b = cy - 1; b <= cy + 1 && !close; b++) {
                cell *c = cell_find(t, cap, a, b);
                for (size_t k = c->used ? c->first : SIZE_MAX; k != SIZE_MAX && !close; k = next[k])
                    close = hypot(x[k] - x[i], y[k] - y[i]) < spacing_m;
            }
        if (close)
            continue;
        cell *c = cell_find(t, cap, cx, cy);
        if (!c->used) {
            c->used = 1;
            c->cx = cx;
            c->cy = cy;
            c->first = SIZE_MAX;
        }
        next[i] = c->first;
        c->first = i;
        keep[nk++] = i;
    }
    *n_keep = nk;
    sv_free(t);
    sv_free(next);
    return SV_OK;
}
