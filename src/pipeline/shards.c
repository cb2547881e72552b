/* shards.c - which districts, stations and demand points make one shard of a sharded run, and what a
 * worker reads and keeps (see sv_shards.h). */
#include "svcov/sv_shards.h"

#include "core/schema.h"
#include "pipeline/analyze_stages.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* (schema.h and sv_geom.h both name an sv_index: the envelope is read from the WKB here.) */
static int rd_u32(const unsigned char *p, int le, unsigned *v)
{
    *v = le ? (unsigned)p[0] | (unsigned)p[1] << 8 | (unsigned)p[2] << 16 | (unsigned)p[3] << 24
            : (unsigned)p[3] | (unsigned)p[2] << 8 | (unsigned)p[1] << 16 | (unsigned)p[0] << 24;
    return 0;
}

static double rd_f64(const unsigned char *p, int le)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = le ? p[i] : p[7 - i];
    double d;
    memcpy(&d, b, 8);
    return d;
}

/* Each vertex of a geometry, to visit. */
typedef void (*vertex_fn)(void *ud, double x, double y);

static void grow_env(void *ud, double x, double y)
{
    sv_env *e = ud;
    e->xmin = fmin(e->xmin, x), e->xmax = fmax(e->xmax, x);
    e->ymin = fmin(e->ymin, y), e->ymax = fmax(e->ymax, y);
}

/* Walk one 2-D ISO WKB geometry at *pos, visiting each vertex; 0 ok. */
static int wkb_walk(const unsigned char *w, size_t len, size_t *pos, vertex_fn visit, void *ud, int depth)
{
    if (depth > 8 || *pos + 5 > len)
        return -1;
    int le = w[*pos] == 1;
    unsigned type;
    rd_u32(w + *pos + 1, le, &type);
    *pos += 5;
    unsigned n = 1, rings = 1;
    type %= 1000;
    if (type == 1) { /* point */
    } else if (type == 2) {
        if (*pos + 4 > len)
            return -1;
        rd_u32(w + *pos, le, &n);
        *pos += 4;
    } else if (type == 3) {
        if (*pos + 4 > len)
            return -1;
        rd_u32(w + *pos, le, &rings);
        *pos += 4;
        for (unsigned r = 0; r < rings; r++) {
            if (*pos + 4 > len)
                return -1;
            rd_u32(w + *pos, le, &n);
            *pos += 4;
            if (*pos + 16 * (size_t)n > len)
                return -1;
            for (unsigned k = 0; k < n; k++, *pos += 16)
                visit(ud, rd_f64(w + *pos, le), rd_f64(w + *pos + 8, le));
        }
        return 0;
    } else if (type >= 4 && type <= 7) {
        if (*pos + 4 > len)
            return -1;
        rd_u32(w + *pos, le, &n);
        *pos += 4;
        for (unsigned k = 0; k < n; k++)
            if (wkb_walk(w, len, pos, visit, ud, depth + 1) != 0)
                return -1;
        return 0;
    } else {
        return -1;
    }
    if (*pos + 16 * (size_t)n > len)
        return -1;
    for (unsigned k = 0; k < n; k++, *pos += 16)
        visit(ud, rd_f64(w + *pos, le), rd_f64(w + *pos + 8, le));
    return 0;
}

/* The envelope of a WKB geometry; 0 ok, -1 none (empty or unreadable). */
static int wkb_env(void *unused, const unsigned char *wkb, size_t len, sv_env *e)
{
    (void)unused;
    *e = (sv_env){INFINITY, INFINITY, -INFINITY, -INFINITY};
    size_t pos = 0;
    if (!wkb || wkb_walk(wkb, len, &pos, grow_env, e, 0) != 0 || !(e->xmin <= e->xmax))
        return -1;
    return 0;
}

/* How far a break reaches along the streets, metres: its metres, or its minutes at the fastest road's speed
 * (radius_m of a minutes break is at the mode's default speed: a --speeds file's faster roads go farther). */
static double break_reach(const sv_analysis *a, size_t b)
{
    double r = a->breaks[b].radius_m;
    if (a->network && a->breaks[b].minutes > 0)
        r = fmax(r, a->breaks[b].minutes * a->fastest_kmh * 1000.0 / 60.0);
    return r;
}

static double reach_of(const sv_analyze_opts *o, const sv_analysis *a)
{
    double r = 0;
    for (size_t b = 0; b < a->n_breaks; b++)
        r = fmax(r, break_reach(a, b));
    if (o->network.spec) /* a station up to max snap off the streets, areas widened by trim */
        r += o->max_snap_m + o->trim_m;
    return r;
}

typedef struct {
    const char *v;
    size_t i;
} cat_at;

static int cmp_cat(const void *a, const void *b)
{
    const cat_at *x = a, *y = b;
    int c = strcmp(x->v, y->v);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

static int cmp_cat_first(const void *a, const void *b)
{
    const cat_at *x = a, *y = b;
    return (x->i > y->i) - (x->i < y->i);
}

/* The run-wide facts of the inputs as read whole (sv_shard_plan): counts, the stations' and demand points'
 * centres (for sv_shard_plan_own), the stations' category values with their counts. */
static sv_status capture_facts(sv_ctx *ctx, sv_shard_plan *p, sv_featureset *const inputs[5])
{
    p->n_issues = sv_ctx_issue_count(ctx);
    for (int k = 0; k < 5; k++) {
        const sv_featureset *fs = inputs[k];
        if (!(p->given[k] = fs != NULL))
            continue;
        p->n_items[k] = fs->n;
        p->n_read[k] = fs->n_read;
        int q = k == 0 ? 0 : k == 3 ? 1 : -1;
        if (q >= 0 && !(p->pt[q] = sv_malloc((fs->n + 1) * 2 * sizeof *p->pt[q])))
            return sv_error(ctx, SV_ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < fs->n; i++) {
            sv_env e;
            if (wkb_env(NULL, fs->items[i].wkb, fs->items[i].wkb_len, &e) != 0) {
                p->n_unusable[k]++;
                continue;
            }
            p->max_size[k] = fmax(p->max_size[k], fmax(e.xmax - e.xmin, e.ymax - e.ymin));
            if (q >= 0) {
                p->pt[q][2 * p->n_pt[q]] = (e.xmin + e.xmax) / 2;
                p->pt[q][2 * p->n_pt[q]++ + 1] = (e.ymin + e.ymax) / 2;
            }
        }
    }
    /* the category values of the stations with an envelope (as sv_shard_filter counted them), grouped: the
     * values in the order they first appear, with their counts */
    const sv_featureset *st = inputs[0];
    cat_at *c = st ? sv_malloc((st->n + 1) * sizeof *c) : NULL;
    if (st && !c)
        return sv_error(ctx, SV_ERR_NOMEM, "out of memory");
    size_t m = 0;
    for (size_t i = 0; st && i < st->n; i++) {
        sv_env e;
        if (wkb_env(NULL, st->items[i].wkb, st->items[i].wkb_len, &e) == 0)
            c[m].v = st->items[i].category ? st->items[i].category : "", c[m].i = i, m++;
    }
    if (m)
        qsort(c, m, sizeof *c, cmp_cat);
    size_t g = 0;
    for (size_t i = 0; i < m; i++) /* the first of each value, and its count in .i of the next slot's... */
        if (i == 0 || strcmp(c[i].v, c[i - 1].v) != 0)
            c[g++] = c[i];
    size_t *count = sv_calloc(g + 1, sizeof *count);
    if (!count) {
        free(c);
        return sv_error(ctx, SV_ERR_NOMEM, "out of memory");
    }
    qsort(c, g, sizeof *c, cmp_cat_first);
    p->cat_values = sv_calloc(g + 1, sizeof *p->cat_values);
    p->cat_counts = count;
    sv_status rc = p->cat_values ? SV_OK : SV_ERR_NOMEM;
    for (size_t i = 0; rc == SV_OK && i < g; i++)
        if (!(p->cat_values[i] = sv_strdup(c[i].v)))
            rc = SV_ERR_NOMEM;
        else
            p->n_cat = i + 1;
    free(c);
    /* the counts: each station's value found among the groups (sorted copies, bsearch) */
    cat_at *sorted = rc == SV_OK ? sv_malloc((g + 1) * sizeof *sorted) : NULL;
    if (rc == SV_OK && !sorted)
        rc = SV_ERR_NOMEM;
    for (size_t i = 0; rc == SV_OK && i < g; i++)
        sorted[i] = (cat_at){p->cat_values[i], i};
    if (rc == SV_OK && g)
        qsort(sorted, g, sizeof *sorted, cmp_cat);
    for (size_t i = 0; rc == SV_OK && st && i < st->n; i++) {
        sv_env e;
        if (wkb_env(NULL, st->items[i].wkb, st->items[i].wkb_len, &e) != 0)
            continue;
        size_t lo = 0, hi = g;
        const char *v = st->items[i].category ? st->items[i].category : "";
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            int cm = strcmp(sorted[mid].v, v);
            if (cm == 0) {
                count[sorted[mid].i]++;
                break;
            }
            if (cm < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
    }
    free(sorted);
    if (rc != SV_OK)
        return sv_error(ctx, SV_ERR_NOMEM, "out of memory");
    p->has_facts = 1;
    return SV_OK;
}

sv_status sv_shard_capture(sv_ctx *ctx, void *userdata, const sv_analyze_opts *opts, const sv_analysis *a,
                           sv_featureset *const inputs[5], int *stop)
{
    sv_shard_plan *p = userdata;
    const sv_featureset *d = inputs[1];
    *stop = 1;
    p->epsg = a->crs.epsg;
    p->halo_m = reach_of(opts, a);
    p->ids = sv_calloc(d->n + 1, sizeof *p->ids);
    p->groups = sv_calloc(d->n + 1, sizeof *p->groups);
    p->x = sv_calloc(d->n + 1, sizeof *p->x);
    p->y = sv_calloc(d->n + 1, sizeof *p->y);
    p->env = sv_calloc(d->n + 1, sizeof *p->env);
    p->shard = sv_calloc(d->n + 1, sizeof *p->shard);
    void *h = NULL;
    if (!p->ids || !p->groups || !p->x || !p->y || !p->env || !p->shard) {
        return sv_error(ctx, SV_ERR_NOMEM, "out of memory");
    }
    sv_status rc = SV_OK;
    for (size_t i = 0; i < d->n && rc == SV_OK; i++) {
        const sv_feature *f = &d->items[i];
        sv_env e;
        if (wkb_env(h, f->wkb, f->wkb_len, &e) != 0)
            continue; /* an empty district: the analysis skips it too */
        for (size_t k = 0; k < p->n; k++)
            if (strcmp(p->ids[k], f->id) == 0)
                rc = sv_error(ctx, SV_ERR_DATA, "%s: district id '%s' is given twice; pick a unique field with "
                              "--district-id", d->path, f->id);
        size_t k = p->n;
        p->ids[k] = sv_strdup(f->id);
        p->groups[k] = p->by_field ? sv_strdup(f->name ? f->name : "") : NULL;
        p->env[k] = e;
        p->x[k] = (e.xmin + e.xmax) / 2;
        p->y[k] = (e.ymin + e.ymax) / 2;
        p->n++;
        if (!p->ids[k] || (p->by_field && !p->groups[k]))
            rc = sv_error(ctx, SV_ERR_NOMEM, "out of memory");
    }
    if (rc == SV_OK && p->n == 0)
        rc = sv_error(ctx, SV_ERR_DATA, "%s: no usable district to plan shards for", d->path);
    if (rc == SV_OK)
        rc = capture_facts(ctx, p, inputs);
    return rc;
}

static const sv_shard_plan *sort_plan;
static int by_x(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    double d = sort_plan->x[i] - sort_plan->x[j];
    return d < 0 ? -1 : d > 0 ? 1 : strcmp(sort_plan->ids[i], sort_plan->ids[j]);
}
static int by_y(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    double d = sort_plan->y[i] - sort_plan->y[j];
    return d < 0 ? -1 : d > 0 ? 1 : strcmp(sort_plan->ids[i], sort_plan->ids[j]);
}
static int by_group(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    int c = strcmp(sort_plan->groups[i], sort_plan->groups[j]);
    return c ? c : strcmp(sort_plan->ids[i], sort_plan->ids[j]);
}

sv_status sv_shard_assign(sv_ctx *ctx, sv_shard_plan *p, int n_shards)
{
    size_t *ord = sv_malloc((p->n + 1) * sizeof *ord);
    if (!ord)
        return sv_error(ctx, SV_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < p->n; i++)
        ord[i] = i;
    sort_plan = p; /* qsort has no userdata; plan is single-threaded */
    if (p->by_field) {
        qsort(ord, p->n, sizeof *ord, by_group);
        int s = 0;
        for (size_t k = 0; k < p->n; k++) {
            if (k == 0 || strcmp(p->groups[ord[k]], p->groups[ord[k - 1]]) != 0)
                s++;
            p->shard[ord[k]] = s;
        }
        p->n_shards = s;
        free(ord);
        return SV_OK;
    }
    if (n_shards < 1)
        n_shards = 1;
    if ((size_t)n_shards > p->n)
        n_shards = (int)p->n;
    /* columns of about equal counts by x, then in each column rows by y: cols x rows >= n tiles */
    int cols = (int)ceil(sqrt((double)n_shards));
    qsort(ord, p->n, sizeof *ord, by_x);
    int s = 0;
    size_t start = 0;
    for (int c = 0; c < cols; c++) {
        /* this column's share of the tiles and of the districts */
        int tiles = n_shards / cols + (c < n_shards % cols);
        size_t end = (size_t)((double)p->n * (c + 1) / cols + 0.5);
        if (c == cols - 1)
            end = p->n;
        if (tiles < 1 || end <= start)
            continue;
        qsort(ord + start, end - start, sizeof *ord, by_y);
        size_t m = end - start;
        for (int r = 0; r < tiles; r++) {
            size_t a = start + (size_t)((double)m * r / tiles + 0.5), b = start + (size_t)((double)m * (r + 1) / tiles + 0.5);
            if (b <= a)
                continue;
            s++;
            for (size_t k = a; k < b; k++)
                p->shard[ord[k]] = s;
        }
        start = end;
    }
    p->n_shards = s;
    free(ord);
    return SV_OK;
}

int sv_shard_nearest(const sv_shard_plan *p, double x, double y)
{
    double best = INFINITY;
    int s = 0;
    for (size_t i = 0; i < p->n; i++) {
        double dx = p->x[i] - x, dy = p->y[i] - y, d = dx * dx + dy * dy;
        if (d < best) {
            best = d;
            s = p->shard[i];
        }
    }
    return s;
}

sv_env sv_shard_core(const sv_shard_plan *p, int s)
{
    sv_env e = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    for (size_t i = 0; i < p->n; i++)
        if (p->shard[i] == s) {
            e.xmin = fmin(e.xmin, p->env[i].xmin);
            e.ymin = fmin(e.ymin, p->env[i].ymin);
            e.xmax = fmax(e.xmax, p->env[i].xmax);
            e.ymax = fmax(e.ymax, p->env[i].ymax);
        }
    return e;
}

void sv_shard_plan_free(sv_shard_plan *p)
{
    for (size_t i = 0; p && i < p->n; i++) {
        free(p->ids[i]);
        if (p->groups)
            free(p->groups[i]);
    }
    if (p) {
        free(p->ids);
        free(p->groups);
        free(p->x);
        free(p->y);
        free(p->env);
        free(p->shard);
        free(p->own);
        for (size_t i = 0; i < p->n_cat; i++)
            free(p->cat_values[i]);
        free(p->cat_values);
        free(p->cat_counts);
        free(p->pt[0]);
        free(p->pt[1]);
    }
}

/* ---- the worker ---- */

/* The worker's look-ups in the plan: every district, station and demand point asks for its shard, each
 * a scan of all districts before (quadratic in the city). The districts by id (bsearch), and their centres
 * in a grid of cells of about one centre each, searched ring by ring around the point's cell. */
struct sv_shard_index {
    const sv_shard_plan *plan;
    size_t *by_id;         /* district indices, sorted by id */
    size_t *first, *items; /* cell c holds items[first[c] .. first[c + 1]), in district order */
    long nx, ny;
    double x0, y0, cell;
};

static void index_free(struct sv_shard_index *ix)
{
    if (ix) {
        free(ix->by_id);
        free(ix->first);
        free(ix->items);
        free(ix);
    }
}

static const sv_shard_plan *sort_ids;
static int by_id(const void *a, const void *b)
{
    return strcmp(sort_ids->ids[*(const size_t *)a], sort_ids->ids[*(const size_t *)b]);
}

static long cell_of(double v, double v0, double cell, long n)
{
    double c = floor((v - v0) / cell);
    return c < 0 ? 0 : c >= (double)n ? n - 1 : (long)c;
}

sv_status sv_shard_worker_index(sv_ctx *ctx, sv_shard_worker *w)
{
    const sv_shard_plan *p = w->plan;
    if (w->index && w->index->plan == p)
        return SV_OK;
    index_free(w->index);
    w->index = NULL;
    struct sv_shard_index *ix = sv_calloc(1, sizeof *ix);
    if (!ix || !(ix->by_id = sv_malloc((p->n + 1) * sizeof *ix->by_id))) {
        index_free(ix);
        return sv_error(ctx, SV_ERR_NOMEM, "out of memory");
    }
    ix->plan = p;
    sv_env b = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    for (size_t i = 0; i < p->n; i++) {
        ix->by_id[i] = i;
        grow_env(&b, p->x[i], p->y[i]);
    }
    sort_ids = p; /* qsort has no userdata; the worker builds its index before any thread starts */
    qsort(ix->by_id, p->n, sizeof *ix->by_id, by_id);
    /* about one centre per cell, at most 4096 x 4096 cells */
    double wx = b.xmax - b.xmin, wy = b.ymax - b.ymin, side = fmax(wx, wy);
    ix->cell = p->n ? fmax(sqrt(fmax(wx * wy, side * side / (double)p->n) / (double)p->n), side / 4096) : 1;
    if (!(ix->cell > 0) || !isfinite(ix->cell))
        ix->cell = 1;
    ix->x0 = p->n ? b.xmin : 0, ix->y0 = p->n ? b.ymin : 0;
    ix->nx = p->n ? (long)(wx / ix->cell) + 1 : 1;
    ix->ny = p->n ? (long)(wy / ix->cell) + 1 : 1;
    size_t nc = (size_t)ix->nx * (size_t)ix->ny;
    ix->first = sv_calloc(nc + 2, sizeof *ix->first);
    ix->items = sv_malloc((p->n + 1) * sizeof *ix->items);
    if (!ix->first || !ix->items) {
        index_free(ix);
        return sv_error(ctx, SV_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < p->n; i++) /* counted, then placed in district order */
        ix->first[cell_of(p->y[i], ix->y0, ix->cell, ix->ny) * ix->nx + cell_of(p->x[i], ix->x0, ix->cell, ix->nx) + 2]++;
    for (size_t c = 0; c < nc; c++)
        ix->first[c + 2] += ix->first[c + 1];
    for (size_t i = 0; i < p->n; i++)
        ix->items[ix->first[cell_of(p->y[i], ix->y0, ix->cell, ix->ny) * ix->nx +
                            cell_of(p->x[i], ix->x0, ix->cell, ix->nx) + 1]++] = i;
    w->index = ix;
    return SV_OK;
}

/* The districts of the index in rings of cells around (x, y), the nearest ring first, until a ring lies farther
 * than *bound (a squared distance, which the visitor may lower): visit(ud, k, d2, bound) for each district k at
 * squared distance d2. Every centre of ring r (and beyond) lies at least r - 1 cells from (x, y); r - 2 is taken
 * (one more ring than needed, against rounding at the cells' edges). */
static void ring_search(const struct sv_shard_index *ix, const sv_shard_plan *p, double x, double y, double *bound,
                        void (*visit)(void *ud, size_t k, double d2, double *bound), void *ud)
{
    long cx = cell_of(x, ix->x0, ix->cell, ix->nx), cy = cell_of(y, ix->y0, ix->cell, ix->ny);
    for (long r = 0; r <= ix->nx + ix->ny; r++) {
        double lb = (double)(r - 2) * ix->cell;
        if (r > 2 && lb * lb > *bound)
            break;
        for (long j = cy - r; j <= cy + r; j++) {
            if (j < 0 || j >= ix->ny)
                continue;
            long step = (j == cy - r || j == cy + r) ? 1 : 2 * r;
            for (long i = cx - r; i <= cx + r; i += step) {
                if (i < 0 || i >= ix->nx)
                    continue;
                size_t c = (size_t)j * (size_t)ix->nx + (size_t)i;
                for (size_t q = ix->first[c]; q < ix->first[c + 1]; q++) {
                    size_t k = ix->items[q];
                    double dx = p->x[k] - x, dy = p->y[k] - y;
                    visit(ud, k, dx * dx + dy * dy, bound);
                }
            }
        }
    }
}

typedef struct {
    size_t k;
} nearest_best;

/* The nearest district so far; ties go to the first district, as the scan. */
static void visit_nearest(void *ud, size_t k, double d2, double *bound)
{
    nearest_best *n = ud;
    if (d2 < *bound || (d2 == *bound && k < n->k)) {
        *bound = d2;
        n->k = k;
    }
}

int sv_shard_worker_nearest(const sv_shard_worker *w, double x, double y)
{
    const struct sv_shard_index *ix = w->index;
    const sv_shard_plan *p = w->plan;
    if (!ix || ix->plan != p || !isfinite(x) || !isfinite(y) || p->n == 0)
        return sv_shard_nearest(p, x, y);
    double best = INFINITY;
    nearest_best n = {(size_t)-1};
    ring_search(ix, p, x, y, &best, visit_nearest, &n);
    return n.k == (size_t)-1 ? 0 : p->shard[n.k];
}

int sv_shard_worker_district(const sv_shard_worker *w, const char *id)
{
    const sv_shard_plan *p = w->plan;
    const struct sv_shard_index *ix = w->index;
    if (!id)
        return 0;
    if (!ix || ix->plan != p) {
        for (size_t i = 0; i < p->n; i++)
            if (strcmp(p->ids[i], id) == 0)
                return p->shard[i];
        return 0;
    }
    size_t lo = 0, hi = p->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(p->ids[ix->by_id[mid]], id);
        if (c == 0)
            return p->shard[ix->by_id[mid]];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* Each shard whose district centre is nearest to (x, y), ties included (a worker's plan lists the districts
 * in another order, so a tie may go to either): fn(ud, shard) for each such district. */
typedef struct {
    const sv_shard_plan *p;
    double best;
    void (*fn)(void *ud, int shard);
    void *ud;
} nearest_ties;

static void visit_least(void *ud, size_t k, double d2, double *bound)
{
    (void)ud;
    (void)k;
    if (d2 < *bound)
        *bound = d2;
}

static void visit_tied(void *ud, size_t k, double d2, double *bound)
{
    nearest_ties *t = ud;
    (void)bound;
    if (d2 == t->best)
        t->fn(t->ud, t->p->shard[k]);
}

static void nearest_all(const sv_shard_worker *w, double x, double y, void (*fn)(void *ud, int shard), void *ud)
{
    nearest_ties t = {w->plan, INFINITY, fn, ud};
    ring_search(w->index, w->plan, x, y, &t.best, visit_least, NULL);
    double bound = t.best;
    ring_search(w->index, w->plan, x, y, &bound, visit_tied, &t);
}

typedef struct {
    sv_shard_plan *p;
    double x, y;
} own_grow;

static void grow_own(void *ud, int shard)
{
    own_grow *g = ud;
    if (shard >= 1 && shard <= g->p->n_shards)
        grow_env(&g->p->own[shard], g->x, g->y);
}

sv_status sv_shard_plan_own(sv_ctx *ctx, sv_shard_plan *p)
{
    free(p->own);
    if (!(p->own = sv_calloc((size_t)p->n_shards + 1, sizeof *p->own)))
        return sv_error(ctx, SV_ERR_NOMEM, "out of memory");
    for (int s = 1; s <= p->n_shards; s++)
        p->own[s] = sv_shard_core(p, s);
    sv_shard_worker w = {.plan = p};
    sv_status rc = sv_shard_worker_index(ctx, &w);
    for (int q = 0; rc == SV_OK && q < 2; q++)
        for (size_t i = 0; i < p->n_pt[q]; i++) {
            own_grow g = {p, p->pt[q][2 * i], p->pt[q][2 * i + 1]};
            if (isfinite(g.x) && isfinite(g.y))
                nearest_all(&w, g.x, g.y, grow_own, &g);
        }
    index_free(w.index);
    return rc;
}

/* The facts: a first line naming them, then one fact a line (numbers in %.17g; a category value with
 * its backslashes and line ends escaped). */
#define FACTS_HEAD "svcov shard facts 1"

static void put_escaped(FILE *f, const char *v)
{
    for (; *v; v++)
        if (*v == '\\')
            fputs("\\\\", f);
        else if (*v == '\n')
            fputs("\\n", f);
        else if (*v == '\r')
            fputs("\\r", f);
        else
            fputc(*v, f);
}

sv_status sv_shard_facts_write(sv_ctx *ctx, const sv_shard_plan *p, char **text)
{
    size_t size = 0;
    *text = NULL;
    FILE *f = open_memstream(text, &size);
    if (!f)
        return sv_error(ctx, SV_ERR_NOMEM, "out of memory");
    fprintf(f, "%s\nissues %zu\n", FACTS_HEAD, p->n_issues);
    for (int k = 0; k < 5; k++)
        fprintf(f, "input %d %d %zu %zu %zu %.17g\n", k, p->given[k], p->n_items[k], p->n_read[k], p->n_unusable[k],
                p->max_size[k]);
    for (int s = 1; p->own && s <= p->n_shards; s++)
        fprintf(f, "own %d %.17g %.17g %.17g %.17g\n", s, p->own[s].xmin, p->own[s].ymin, p->own[s].xmax,
                p->own[s].ymax);
    for (size_t i = 0; i < p->n_cat; i++) {
        fprintf(f, "category %zu ", p->cat_counts[i]);
        put_escaped(f, p->cat_values[i]);
        fputc('\n', f);
    }
    fputs("end\n", f);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad || !*text) {
        free(*text);
        *text = NULL;
        return sv_error(ctx, SV_ERR_NOMEM, "out of memory");
    }
    return SV_OK;
}

int sv_shard_facts_is(const char *text)
{
    return text && strncmp(text, FACTS_HEAD "\n", sizeof FACTS_HEAD) == 0;
}

sv_status sv_shard_facts_read(sv_ctx *ctx, sv_shard_plan *p, const char *text)
{
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    if (!f)
        return sv_error(ctx, SV_ERR_NOMEM, "out of memory");
    size_t cap = 0, len = 0;
    char *line = NULL;
    ssize_t got;
    int ok = 0, n = 0, ended = 0;
    sv_status rc = SV_OK;
    free(p->own);
    p->own = sv_calloc((size_t)p->n_shards + 1, sizeof *p->own);
    if (!p->own)
        rc = SV_ERR_NOMEM;
    for (int s = 1; p->own && s <= p->n_shards; s++)
        p->own[s] = sv_shard_core(p, s); /* (each is in the file) */
    while (rc == SV_OK && (got = getline(&line, &cap, f)) > 0) {
        len = (size_t)got;
        if (len && line[len - 1] == '\n')
            line[--len] = '\0';
        int used = 0, k, g, s;
        size_t a, b, c;
        double x0, y0, x1, y1;
        if (n++ == 0) {
            ok = strcmp(line, FACTS_HEAD) == 0;
            if (!ok)
                break;
        } else if (sscanf(line, "issues %zu", &a) == 1) {
            p->n_issues = a;
        } else if (sscanf(line, "input %d %d %zu %zu %zu %lf", &k, &g, &a, &b, &c, &x0) == 6 && k >= 0 && k < 5) {
            p->given[k] = g, p->n_items[k] = a, p->n_read[k] = b, p->n_unusable[k] = c, p->max_size[k] = x0;
        } else if (sscanf(line, "own %d %lf %lf %lf %lf", &s, &x0, &y0, &x1, &y1) == 5 && s >= 1 &&
                   s <= p->n_shards) {
            p->own[s] = (sv_env){x0, y0, x1, y1};
        } else if (sscanf(line, "category %zu %n", &a, &used) == 1 && used > 0) {
            char **v = sv_realloc(p->cat_values, (p->n_cat + 1) * sizeof *v);
            size_t *cn = v ? sv_realloc(p->cat_counts, (p->n_cat + 1) * sizeof *cn) : NULL;
            if (v)
                p->cat_values = v;
            if (cn)
                p->cat_counts = cn;
            char *t = cn ? sv_malloc(len + 1) : NULL;
            if (!t) {
                rc = SV_ERR_NOMEM;
                break;
            }
            size_t o = 0;
            for (const char *q = line + used; *q; q++)
                if (*q == '\\' && q[1])
                    q++, t[o++] = *q == 'n' ? '\n' : *q == 'r' ? '\r' : *q;
                else
                    t[o++] = *q;
            t[o] = '\0';
            p->cat_values[p->n_cat] = t;
            p->cat_counts[p->n_cat++] = a;
        } else if (strcmp(line, "end") == 0) {
            ended = 1;
        } else {
            ok = 0;
            break;
        }
    }
    free(line);
    fclose(f);
    if (rc != SV_OK)
        return sv_error(ctx, rc, "out of memory");
    if (!ok || !ended)
        return sv_error(ctx, SV_ERR_INPUT, "the plan's facts cannot be read (line %d); plan the run again with "
                        "this svcov", n);
    p->has_facts = 1;
    return SV_OK;
}

sv_env sv_shard_window(const sv_shard_plan *p, int s, double scale)
{
    sv_env e = p->has_facts && p->own && s >= 1 && s <= p->n_shards ? p->own[s] : sv_shard_core(p, s);
    double g = (2 * (scale > 1 ? scale : 1) + 2) * p->halo_m;
    return (sv_env){e.xmin - g, e.ymin - g, e.xmax + g, e.ymax + g};
}

unsigned sv_shard_window_inputs(const sv_shard_plan *p)
{
    if (!p->has_facts || p->n_issues)
        return 0;
    unsigned m = 0;
    for (int k = 0; k < 4; k++)
        if (k != 2 && p->given[k] && p->n_items[k] > 0 && p->n_unusable[k] == 0 && p->n_items[k] == p->n_read[k] &&
            (k == 1 || p->max_size[k] == 0)) /* stations and demand: points (a point meets the box or not) */
            m |= 1u << k;
    return m;
}

static int shard_of_district(const sv_shard_worker *w, const char *id)
{
    return sv_shard_worker_district(w, id);
}

static void free_run_categories(sv_shard_worker *w)
{
    for (size_t i = 0; w->run_categories && i < w->n_run_categories; i++)
        free(w->run_categories[i]);
    free(w->run_categories);
    w->run_categories = NULL;
    w->n_run_categories = 0;
}

size_t sv_shard_run_categories(void *userdata, const char *const **values)
{
    const sv_shard_worker *w = userdata;
    *values = (const char *const *)w->run_categories;
    return w->n_run_categories;
}

int sv_shard_own_district(void *userdata, const char *district_id)
{
    const sv_shard_worker *w = userdata;
    return district_id && shard_of_district(w, district_id) == w->shard;
}

static int meets(const sv_env *a, const sv_env *b, double grow)
{
    return a->xmin <= b->xmax + grow && b->xmin - grow <= a->xmax && a->ymin <= b->ymax + grow &&
           b->ymin - grow <= a->ymax;
}

/* Boxes binned into a grid of square cells (each box in every cell it meets): which of them meets a box. */
typedef struct {
    const sv_env *env;
    double x0, y0, cell;
    long nx, ny;
    size_t *first, *items; /* cell c holds items[first[c] .. first[c + 1]) */
} env_grid;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void env_grid_free(env_grid *g)
{
    free(g->first);
    free(g->items);
    memset(g, 0, sizeof *g);
}

/* The boxes env[i] with use[i] (and not NaN), all within box; 0 ok, -1 out of memory. Cells of the median
 * box's size (at most 1024 across), so a box meets a few of them. */
static int env_grid_build(env_grid *g, const sv_env *env, const unsigned char *use, size_t n, const sv_env *box)
{
    memset(g, 0, sizeof *g);
    g->env = env;
    double *size = sv_malloc((n + 1) * sizeof *size);
    if (!size)
        return -1;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (use[i] && !isnan(env[i].xmin))
            size[m++] = fmax(env[i].xmax - env[i].xmin, env[i].ymax - env[i].ymin);
    double side = fmax(box->xmax - box->xmin, box->ymax - box->ymin);
    if (m)
        qsort(size, m, sizeof *size, cmp_double);
    g->cell = fmax(m ? size[m / 2] : 0, side / 1024);
    free(size);
    if (!(g->cell > 0) || !isfinite(g->cell))
        g->cell = 1;
    g->x0 = box->xmin, g->y0 = box->ymin;
    g->nx = (long)((box->xmax - box->xmin) / g->cell) + 1;
    g->ny = (long)((box->ymax - box->ymin) / g->cell) + 1;
    size_t nc = (size_t)g->nx * (size_t)g->ny;
    if (!(g->first = sv_calloc(nc + 2, sizeof *g->first)))
        return -1;
    for (int pass = 0; pass < 2; pass++) { /* counted, then placed */
        for (size_t i = 0; i < n; i++) {
            if (!use[i] || isnan(env[i].xmin))
                continue;
            long x0 = cell_of(env[i].xmin, g->x0, g->cell, g->nx), x1 = cell_of(env[i].xmax, g->x0, g->cell, g->nx);
            long y0 = cell_of(env[i].ymin, g->y0, g->cell, g->ny), y1 = cell_of(env[i].ymax, g->y0, g->cell, g->ny);
            for (long y = y0; y <= y1; y++)
                for (long x = x0; x <= x1; x++) {
                    size_t c = (size_t)y * (size_t)g->nx + (size_t)x;
                    if (pass == 0)
                        g->first[c + 2]++;
                    else
                        g->items[g->first[c + 1]++] = i;
                }
        }
        if (pass == 0) {
            for (size_t c = 0; c < nc; c++)
                g->first[c + 2] += g->first[c + 1];
            if (!(g->items = sv_malloc((g->first[nc + 1] + 1) * sizeof *g->items)))
                return -1;
        }
    }
    return 0;
}

/* Does a box of the grid meet e? (A common point of the two lies in a cell of both: cell_of is monotone.) */
static int env_grid_meets(const env_grid *g, const sv_env *e)
{
    if (!g->first)
        return 0;
    long x0 = cell_of(e->xmin, g->x0, g->cell, g->nx), x1 = cell_of(e->xmax, g->x0, g->cell, g->nx);
    long y0 = cell_of(e->ymin, g->y0, g->cell, g->ny), y1 = cell_of(e->ymax, g->y0, g->cell, g->ny);
    for (long y = y0; y <= y1; y++)
        for (long x = x0; x <= x1; x++) {
            size_t c = (size_t)y * (size_t)g->nx + (size_t)x;
            for (size_t q = g->first[c]; q < g->first[c + 1]; q++)
                if (meets(e, &g->env[g->items[q]], 0))
                    return 1;
        }
    return 0;
}

/* Keep the features of fs for which keep_fn says so; the others are freed. */
static void keep_features(sv_featureset *fs, const unsigned char *keep)
{
    size_t k = 0;
    for (size_t i = 0; i < fs->n; i++) {
        if (keep[i]) {
            fs->items[k++] = fs->items[i];
            continue;
        }
        sv_feature_clear(&fs->items[i]);
    }
    fs->n = k;
}

static void grow(sv_env *a, const sv_env *e)
{
    a->xmin = fmin(a->xmin, e->xmin);
    a->ymin = fmin(a->ymin, e->ymin);
    a->xmax = fmax(a->xmax, e->xmax);
    a->ymax = fmax(a->ymax, e->ymax);
}

/* How far (x, y) lies inside box (the nearest side; negative outside). */
static double room_in(const sv_env *box, double x, double y)
{
    return fmin(fmin(x - box->xmin, box->xmax - x), fmin(y - box->ymin, box->ymax - y));
}

/* What the filter keeps needs more than the window holds, by need metres. */
static void short_by(sv_shard_worker *w, double need)
{
    w->window_short = 1;
    w->window_need = fmax(w->window_need, isfinite(need) && need > 0 ? need : w->plan->halo_m);
}

/* The nearest station (straight line, among those read; first of ties) to (x, y); -1 none. When the stations
 * were read in the window only, one left unread may be nearer unless it lies no farther than the window's
 * side: else the window is short. */
static size_t nearest_read(sv_shard_worker *w, const sv_featureset *st, const sv_env *senv, double x, double y)
{
    double best = INFINITY;
    size_t bi = (size_t)-1;
    for (size_t j = 0; j < st->n; j++) {
        const sv_env *s = &senv[j];
        if (isnan(s->xmin))
            continue;
        double dx = (s->xmin + s->xmax) / 2 - x, dy = (s->ymin + s->ymax) / 2 - y, d = dx * dx + dy * dy;
        if (d < best)
            best = d, bi = j;
    }
    if (w->window_more & 1) {
        double room = room_in(&w->window, x, y);
        if (bi == (size_t)-1)
            short_by(w, w->plan->halo_m);
        else if (!(sqrt(best) <= room))
            short_by(w, sqrt(best) - room);
    }
    return bi;
}

/* Which features a shard computes with. Its own: its districts, and the stations and demand points whose
 * nearest district centre is one of them; "own" = the envelope of all of those. Then districts and population
 * polygons within the halo H of own (all that an own station's areas or an own district's coverage can
 * meet; H x scale once the worker widened it); stations within 2H x scale of own (every station whose areas overlap an own station's: what it alone
 * covers, critical_stations), and always each own demand point's nearest station; streets within H of the
 * stations and demand points kept. sv_shard_check tells the worker when a wider scale is needed. */
sv_status sv_shard_filter(sv_ctx *ctx, void *userdata, const sv_analyze_opts *opts, const sv_analysis *a,
                          sv_featureset *const inputs[5], int *stop)
{
    sv_shard_worker *w = userdata;
    const sv_shard_plan *p = w->plan;
    *stop = 0;
    sv_status irc = sv_shard_worker_index(ctx, w);
    if (irc != SV_OK)
        return irc;
    sv_env core = sv_shard_core(p, w->shard);
    if (!(core.xmin <= core.xmax))
        return sv_error(ctx, SV_ERR_INTERNAL, "internal: shard %d has no district", w->shard);
    double H = p->halo_m, scale = w->scale > 1 ? w->scale : 1;
    w->known_m = 2 * H * scale;
    w->window_short = 0;
    w->window_need = 0;
    if (!p->has_facts || !(w->window.xmin < w->window.xmax))
        w->window_more = 0; /* stations, districts and demand points read whole */
    w->stations_known = w->window;
    w->stations_src = opts->stations;
    w->stations_src.window = NULL;
    w->stations_strict = opts->strict;
    w->epsg = a->crs.epsg;
    w->max_snap_m = opts->network.spec ? opts->max_snap_m : 0;
    w->network = opts->network.spec != NULL;
    w->m_per_min = 0;
    for (size_t b = 0; b < a->n_breaks; b++)
        if (a->breaks[b].minutes > 0)
            w->m_per_min = fmax(w->m_per_min, break_reach(a, b) / a->breaks[b].minutes);
    void *h = NULL;
    sv_status rc = SV_OK;
    unsigned char *keep[5] = {0};
    sv_env *env[5] = {0};
    for (int k = 0; k < 5 && rc == SV_OK; k++) {
        sv_featureset *fs = inputs[k];
        if (!fs)
            continue;
        keep[k] = sv_calloc(fs->n + 1, 1);
        env[k] = sv_calloc(fs->n + 1, sizeof *env[k]);
        if (!keep[k] || !env[k])
            rc = sv_error(ctx, SV_ERR_NOMEM, "out of memory");
        for (size_t i = 0; rc == SV_OK && i < fs->n; i++)
            if (wkb_env(h, fs->items[i].wkb, fs->items[i].wkb_len, &env[k][i]) != 0)
                env[k][i].xmin = NAN; /* empty: the analysis reports it as it does without shards */
    }
    /* own: the core, and the stations and demand points that belong to the shard */
    sv_env own = core;
    for (int k = 0; k < 5 && rc == SV_OK; k += 3)
        for (size_t i = 0; inputs[k] && i < inputs[k]->n; i++) {
            sv_env *e = &env[k][i];
            if (!isnan(e->xmin) &&
                sv_shard_worker_nearest(w, (e->xmin + e->xmax) / 2, (e->ymin + e->ymax) / 2) == w->shard) {
                keep[k][i] = 2;
                grow(&own, e);
            }
        }
    /* each own demand point's nearest station (straight line), wherever it is */
    for (size_t i = 0; rc == SV_OK && inputs[3] && i < inputs[3]->n; i++) {
        const sv_env *e = &env[3][i];
        if (isnan(e->xmin) || !(keep[3][i] == 2 || meets(e, &core, 0)))
            continue;
        size_t bi = nearest_read(w, inputs[0], env[0], (e->xmin + e->xmax) / 2, (e->ymin + e->ymax) / 2);
        if (bi != (size_t)-1 && !keep[0][bi])
            keep[0][bi] = 1;
    }
    /* districts, demand and population polygons: within H x scale of own (what an own district's coverage
     * or an own station's areas meet); with capacities (2SFCA) within 2H x scale: an own point's access sums
     * the ratios R_j of the stations within H of it, and each R_j the demand within H of station j */
    double around = opts->stations.weight_field ? w->known_m : H * scale;
    size_t n_stations = 0;
    sv_env reach = own;
    for (int k = 0; k < 5 && rc == SV_OK; k++) {
        sv_featureset *fs = inputs[k];
        if (!fs || k == 2)
            continue; /* the network last, once the stations are known */
        for (size_t i = 0; i < fs->n; i++) {
            const sv_feature *f = &fs->items[i];
            const sv_env *e = &env[k][i];
            if (isnan(e->xmin)) {
                keep[k][i] = k != 1;
                continue;
            }
            if (k == 1) /* districts: the shard's, and their neighbours as context */
                keep[k][i] = shard_of_district(w, f->id) == w->shard || meets(e, &own, around);
            else if (k == 0)
                keep[k][i] = keep[k][i] || meets(e, &own, w->known_m);
            else if (k == 3) /* demand: also the places an own station's area of responsibility counts */
                keep[k][i] = keep[k][i] || meets(e, &own, around);
            else /* population polygons */
                keep[k][i] = meets(e, &own, around);
            if (keep[k][i] && (k == 0 || k == 3))
                grow(&reach, e);
        }
    }
    /* dasymetric mapping (--demand with people from a districts field or population polygons): the people of a
     * district or polygon are spread over all the buildings inside it, so one that is kept keeps every demand
     * point inside its box (else those kept weigh more: an own station's area of responsibility counted the
     * buildings of a neighbouring district with their people wrong, test pg_equiv_demand) */
    int k_people = opts->population.spec ? 4 : opts->population_field ? 1 : 0;
    if (rc == SV_OK && inputs[3] && k_people && inputs[k_people]) {
        const sv_featureset *fs = inputs[k_people];
        sv_env box = {INFINITY, INFINITY, -INFINITY, -INFINITY};
        for (size_t i = 0; i < fs->n; i++)
            if (keep[k_people][i] && !isnan(env[k_people][i].xmin))
                grow(&box, &env[k_people][i]);
        /* the kept polygons' boxes in a grid: each demand point asks the polygons of its cells, not all */
        env_grid g = {0};
        if (box.xmin <= box.xmax && env_grid_build(&g, env[k_people], keep[k_people], fs->n, &box) != 0)
            rc = sv_error(ctx, SV_ERR_NOMEM, "out of memory");
        /* read in the window: every demand point inside the kept boxes is there when they lie in it */
        if ((w->window_more & 8) && box.xmin <= box.xmax && room_in(&w->window, box.xmin, box.ymin) < 0)
            short_by(w, -room_in(&w->window, box.xmin, box.ymin));
        if ((w->window_more & 8) && box.xmin <= box.xmax && room_in(&w->window, box.xmax, box.ymax) < 0)
            short_by(w, -room_in(&w->window, box.xmax, box.ymax));
        for (size_t j = 0; rc == SV_OK && box.xmin <= box.xmax && j < inputs[3]->n; j++) {
            if (keep[3][j] || isnan(env[3][j].xmin) || !meets(&env[3][j], &box, 0))
                continue;
            if (env_grid_meets(&g, &env[3][j])) {
                keep[3][j] = 1;
                grow(&reach, &env[3][j]);
            }
        }
        env_grid_free(&g);
    }
    /* no station reaches the shard: keep the one nearest to it (what the shard's districts' distances and an
     * analysis need; it is not the shard's own, so none of its rows is published) */
    size_t n_kept = 0;
    for (size_t i = 0; rc == SV_OK && inputs[0] && i < inputs[0]->n; i++)
        n_kept += keep[0][i] != 0;
    if (rc == SV_OK && inputs[0] && (inputs[0]->n || (w->window_more & 1)) && n_kept == 0) {
        size_t bi = nearest_read(w, inputs[0], env[0], (own.xmin + own.xmax) / 2, (own.ymin + own.ymax) / 2);
        if (bi != (size_t)-1) {
            keep[0][bi] = 1;
            grow(&reach, &env[0][bi]);
        }
    }
    if (rc == SV_OK && inputs[2]) /* streets within reach of the stations and demand kept */
        for (size_t i = 0; i < inputs[2]->n; i++)
            keep[2][i] = isnan(env[2][i].xmin) || meets(&env[2][i], &reach, H);
    /* read within a window (the worker's): what the streets and population polygons must cover lies in it */
    if (w->window.xmin < w->window.xmax) {
        sv_env need = reach;
        grow(&need, &(sv_env){own.xmin - around, own.ymin - around, own.xmax + around, own.ymax + around});
        if (need.xmin - H < w->window.xmin || need.ymin - H < w->window.ymin || need.xmax + H > w->window.xmax ||
            need.ymax + H > w->window.ymax)
            short_by(w, fmax(fmax(w->window.xmin - (need.xmin - H), (need.xmax + H) - w->window.xmax),
                             fmax(w->window.ymin - (need.ymin - H), (need.ymax + H) - w->window.ymax)));
    }
    /* districts read in the window: every district of the plan the shard keeps (its own, those within around
     * of own) must have been read; a district's envelope meeting the box is not its polygon meeting it */
    if (rc == SV_OK && (w->window_more & 2)) {
        size_t want = 0, got = 0;
        double over = 0;
        for (size_t i = 0; i < p->n; i++)
            if (p->shard[i] == w->shard || meets(&p->env[i], &own, around)) {
                want++;
                over = fmax(over, -fmin(room_in(&w->window, p->env[i].xmin, p->env[i].ymin),
                                        room_in(&w->window, p->env[i].xmax, p->env[i].ymax)));
            }
        for (size_t i = 0; i < inputs[1]->n; i++)
            got += keep[1][i] != 0;
        if (got != want && over > 0) /* (every one's box inside: its polygon meets the window, it was read) */
            short_by(w, over);
    }
    /* the stations left out, for the checks of people points and areas of responsibility */
    free(w->left_xy);
    w->left_xy = NULL, w->n_left = 0;
    if (rc == SV_OK && !(w->left_xy = sv_malloc((inputs[0]->n + 1) * 2 * sizeof *w->left_xy)))
        rc = sv_error(ctx, SV_ERR_NOMEM, "out of memory");
    for (size_t i = 0; rc == SV_OK && i < inputs[0]->n; i++)
        if (!keep[0][i] && !isnan(env[0][i].xmin)) {
            w->left_xy[2 * w->n_left] = (env[0][i].xmin + env[0][i].xmax) / 2;
            w->left_xy[2 * w->n_left++ + 1] = (env[0][i].ymin + env[0][i].ymax) / 2;
        }
    free(w->own_station);
    w->n_own_station = 0;
    if (rc == SV_OK && !(w->own_station = sv_calloc(inputs[0]->n + 1, 1)))
        rc = sv_error(ctx, SV_ERR_NOMEM, "out of memory");
    /* the category values of every station, before most are left out (the run's categories); read in the
     * window: the plan's, each value as many times as it has stations, in the order they first appear (the
     * same counts, and the same order of first appearance of every value a station lists) */
    free_run_categories(w);
    size_t n_cat = inputs[0]->n;
    if (w->window_more & 1) {
        n_cat = 0;
        for (size_t c = 0; c < p->n_cat; c++)
            n_cat += p->cat_counts[c];
    }
    if (rc == SV_OK && !(w->run_categories = sv_calloc(n_cat + 1, sizeof *w->run_categories)))
        rc = sv_error(ctx, SV_ERR_NOMEM, "out of memory");
    for (size_t c = 0; rc == SV_OK && (w->window_more & 1) && c < p->n_cat; c++)
        for (size_t j = 0; rc == SV_OK && j < p->cat_counts[c]; j++)
            if (!(w->run_categories[w->n_run_categories++] = sv_strdup(p->cat_values[c])))
                rc = sv_error(ctx, SV_ERR_NOMEM, "out of memory");
    for (size_t i = 0; rc == SV_OK && !(w->window_more & 1) && i < inputs[0]->n; i++)
        if (!isnan(env[0][i].xmin) && /* (an empty one is not analysed) */
            !(w->run_categories[w->n_run_categories++] =
                  sv_strdup(inputs[0]->items[i].category ? inputs[0]->items[i].category : "")))
            rc = sv_error(ctx, SV_ERR_NOMEM, "out of memory");
    for (size_t i = 0; rc == SV_OK && i < inputs[0]->n; i++) /* own: as sv_shard_keep_row tells stations */
        if (keep[0][i])
            w->own_station[w->n_own_station++] =
                !isnan(env[0][i].xmin) && sv_shard_worker_nearest(w, (env[0][i].xmin + env[0][i].xmax) / 2,
                                                                  (env[0][i].ymin + env[0][i].ymax) / 2) == w->shard;
    for (int k = 0; k < 5 && rc == SV_OK; k++) {
        if (!inputs[k])
            continue;
        size_t before = inputs[k]->n;
        keep_features(inputs[k], keep[k]);
        w->n_read[k] = before;
        w->n_used[k] = inputs[k]->n;
        if (k == 0)
            n_stations = inputs[k]->n;
        if (w->window_more >> k & 1) /* the run's count, as the single run records it (runs, messages) */
            inputs[k]->n_read = p->n_read[k];
    }
    /* all of the run's: read whole, or as many as the plan counted */
    w->all_stations = inputs[0] && n_stations == ((w->window_more & 1) ? p->n_items[0] : w->n_read[0]);
    w->all_districts = inputs[1] && inputs[1]->n == ((w->window_more & 2) ? p->n_items[1] : w->n_read[1]);
    for (int k = 0; k < 5; k++) {
        free(keep[k]);
        free(env[k]);
    }
    w->own = own;
    /* the window is short: the worker computes the shard again with a wider one, so nothing is computed now */
    if (rc == SV_OK && w->window_short)
        *stop = 1;
    return rc;
}

static int add_id(char ***set, size_t *n, size_t *cap, const char *id)
{
    if (*n == *cap) {
        size_t c = *cap ? 2 * *cap : 256;
        char **s = sv_realloc(*set, c * sizeof *s);
        if (!s)
            return -1;
        *set = s;
        *cap = c;
    }
    if (!((*set)[*n] = sv_strdup(id)))
        return -1;
    (*n)++;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int in_set(char **set, size_t n, const char *id)
{
    return id && n && bsearch(&id, set, n, sizeof *set, cmp_str) != NULL;
}

/* x, y of a WKB point (ISO, either byte order); 0 ok. */
static int wkb_point(const unsigned char *wkb, size_t len, double *x, double *y)
{
    if (!wkb || len < 21)
        return -1;
    unsigned char b[16];
    memcpy(b, wkb + 5, 16);
    if (wkb[0] == 0) /* big endian: reverse each double */
        for (int k = 0; k < 2; k++)
            for (int i = 0; i < 4; i++) {
                unsigned char t = b[8 * k + i];
                b[8 * k + i] = b[8 * k + 7 - i];
                b[8 * k + 7 - i] = t;
            }
    memcpy(x, b, 8);
    memcpy(y, b + 8, 8);
    return 0;
}

static const char *text_of(const sv_table_desc *t, const sv_value *v, size_t n, const char *name)
{
    for (size_t c = 0; c < n && c < t->n_columns; c++)
        if (strcmp(t->columns[c].name, name) == 0)
            return v[c].kind == SV_VALUE_TEXT ? v[c].text : NULL;
    return NULL;
}

static int has_column(const sv_table_desc *t, const char *name)
{
    for (size_t c = 0; c < t->n_columns; c++)
        if (strcmp(t->columns[c].name, name) == 0)
            return 1;
    return 0;
}

int sv_shard_keep_row(void *userdata, sv_table table, const sv_value *values, size_t n, const unsigned char *wkb,
                      size_t len)
{
    sv_shard_worker *w = userdata;
    const sv_table_desc *t = sv_schema_table(table);
    double x, y;
    switch (table) {
    case SV_TABLE_CITY_COVERAGE: /* the whole area: svcov finish */
    case SV_TABLE_RUNS:
        return 0;
    case SV_TABLE_TIMINGS: /* the shard's stage times, told apart by their keys (shard_no << 32 | line) */
        return 1;
    case SV_TABLE_ISSUES: /* every worker reads every feature: the same rows; finish keeps one of each */
    case SV_TABLE_ROADS:
    case SV_TABLE_BREAKS:
        return 1;
    case SV_TABLE_STATIONS: {
        const char *id = text_of(t, values, n, "station_id");
        if (wkb_point(wkb, len, &x, &y) != 0 || sv_shard_worker_nearest(w, x, y) != w->shard)
            return 0;
        w->sorted = 0;
        return add_id(&w->stations, &w->n_stations, &w->cap_stations, id) == 0;
    }
    case SV_TABLE_DEMAND_ACCESS: {
        const char *id = text_of(t, values, n, "demand_id"), *d = text_of(t, values, n, "district_id");
        int mine = d ? shard_of_district(w, d) == w->shard
                     : wkb_point(wkb, len, &x, &y) == 0 && sv_shard_worker_nearest(w, x, y) == w->shard;
        if (!mine)
            return 0;
        w->sorted = 0;
        return add_id(&w->demand, &w->n_demand, &w->cap_demand, id) == 0;
    }
    default:
        break;
    }
    if (!w->sorted) {
        if (w->n_stations)
            qsort(w->stations, w->n_stations, sizeof *w->stations, cmp_str);
        if (w->n_demand)
            qsort(w->demand, w->n_demand, sizeof *w->demand, cmp_str);
        w->sorted = 1;
    }
    if (table == SV_TABLE_DEMAND_REACH)
        return in_set(w->demand, w->n_demand, text_of(t, values, n, "demand_id"));
    /* critical_stations: the own stations' rows (exact from the wider station halo); svcov finish ranks them
     * over the whole run. responsibility: every station's piece of its area in the own districts (the
     * analysis drew them only there, sv_shard_own_district); finish unites the pieces of each station */
    if (table == SV_TABLE_REACHED_STREETS && !text_of(t, values, n, "station_id"))
        return 1; /* from all stations together: finish takes each shard's part of the plane */
    if (table == SV_TABLE_RESPONSIBILITY)
        return 1;
    if (table == SV_TABLE_SERVICE_AREAS || table == SV_TABLE_REACHED_STREETS || table == SV_TABLE_CRITICAL ||
        table == SV_TABLE_STATION_SERVICES || table == SV_TABLE_STATION_LOAD)
        return in_set(w->stations, w->n_stations, text_of(t, values, n, "station_id"));
    if (table == SV_TABLE_TIME_COVERAGE && !text_of(t, values, n, "district_id"))
        return 1; /* its stations_open: the own stations open; finish sums them, and makes the whole area's */
    if (has_column(t, "district_id")) { /* NULL: the whole area, computed by finish */
        const char *d = text_of(t, values, n, "district_id");
        int mine = d && shard_of_district(w, d) == w->shard;
        if (mine && table == SV_TABLE_DISTRICTS)
            w->n_kept_districts++;
        return mine;
    }
    return 0; /* site tables: not part of an analysis */
}

typedef struct {
    const char *id;
    double x, y;
} station_at;

typedef struct {
    sv_shard_worker *w;
    const char *why; /* the first row that needs a wider halo */
    char id[128];
    double need;
    station_at *at; /* every station's place, by id (ids owned) */
    size_t n_at;
    double maybe; /* > 0: a row is exact if no station beyond stations_known lies this much nearer */
} check_state;

static double col_num(const sv_table_desc *t, const sv_value *v, size_t n, const char *name)
{
    for (size_t c = 0; c < n && c < t->n_columns; c++)
        if (strcmp(t->columns[c].name, name) == 0)
            return v[c].kind == SV_VALUE_INT || v[c].kind == SV_VALUE_REAL ? v[c].number : NAN;
    return NAN;
}

/* A demand point of the shard: its nearest station is right when every station (and street) it could be
 * nearer to by travel was kept: within known_m of the shard's own area. */
static sv_status check_demand(sv_ctx *ctx, void *userdata, long long key, const sv_value *values, size_t n,
                              const unsigned char *wkb, size_t len)
{
    (void)ctx;
    (void)key;
    check_state *cs = userdata;
    sv_shard_worker *w = cs->w;
    const sv_table_desc *t = sv_schema_table(SV_TABLE_DEMAND_ACCESS);
    const char *id = text_of(t, values, n, "demand_id"), *d = text_of(t, values, n, "district_id");
    double x, y;
    int mine = d ? shard_of_district(w, d) == w->shard
                 : wkb_point(wkb, len, &x, &y) == 0 && sv_shard_worker_nearest(w, x, y) == w->shard;
    if (!mine || cs->why)
        return SV_OK;
    if (!w->network)
        return SV_OK; /* by straight line: its nearest station is always kept (sv_shard_filter) */
    double need;
    { /* along the streets: the path and the station lie within its length of the point */
        double m = col_num(t, values, n, "network_m"), mins = col_num(t, values, n, "minutes"),
               snap = col_num(t, values, n, "snap_m");
        need = fmax(m, isfinite(mins) ? mins * w->m_per_min : NAN) + (isfinite(snap) ? snap : 0) + w->max_snap_m;
    }
    if (!(need <= w->known_m)) { /* also NaN: no station found at all */
        cs->why = "demand";
        snprintf(cs->id, sizeof cs->id, "%s", id ? id : "?");
        cs->need = need;
    }
    return SV_OK;
}

/* Is a station left out strictly nearer to (x, y) than d? Fast first: every station left out lies outside
 * own grown by known_m, so with g = how far (x, y) lies outside own (the largest of the four side distances,
 * negative inside) each of them is farther than known_m - g; only beyond that are they tested one by one. */
static int left_nearer(const sv_shard_worker *w, double x, double y, double d)
{
    double g = fmax(fmax(w->own.xmin - x, x - w->own.xmax), fmax(w->own.ymin - y, y - w->own.ymax));
    if (d + g <= w->known_m)
        return 0;
    for (size_t i = 0; i < w->n_left; i++)
        if (hypot(x - w->left_xy[2 * i], y - w->left_xy[2 * i + 1]) < d)
            return 1;
    /* stations read in the window only: those not known lie beyond the sides of stations_known, and one of
     * them may be nearer (2: sv_shard_check reads more of them and asks again) */
    if ((w->window_more & 1) && !(d <= room_in(&w->stations_known, x, y)))
        return 2;
    return 0;
}

/* How far beyond stations_known the stations must be known for a distance d at (x, y). */
static double known_short(const sv_shard_worker *w, double x, double y, double d)
{
    return d - room_in(&w->stations_known, x, y);
}

/* A people point of an own district (people_points: population polygons, raster cells): its distance is
 * right when no station left out could be nearer. By straight line: none of them lies nearer than its
 * distance (or than infinity: none kept). Along the streets, as a demand point: the path and the station lie
 * within its length (+ its snap and the station's, each at most --max-snap) of the point. */
static sv_status check_people(sv_ctx *ctx, void *userdata, long long key, const sv_value *values, size_t n,
                              const unsigned char *wkb, size_t len)
{
    (void)ctx;
    (void)key;
    check_state *cs = userdata;
    sv_shard_worker *w = cs->w;
    const sv_table_desc *t = sv_schema_table(SV_TABLE_PEOPLE_POINTS);
    const char *d = text_of(t, values, n, "district_id");
    double x, y, m = col_num(t, values, n, "distance_m");
    if (cs->why || !d || shard_of_district(w, d) != w->shard || wkb_point(wkb, len, &x, &y) != 0)
        return SV_OK;
    double need = 0;
    if (w->network) {
        double mins = col_num(t, values, n, "minutes");
        need = fmax(m, isfinite(mins) ? mins * w->m_per_min : NAN) + 2 * w->max_snap_m;
        if (need <= w->known_m)
            return SV_OK; /* also NaN: no station found at all, below */
    } else if (isfinite(m)) {
        int ln = left_nearer(w, x, y, m);
        if (ln == 2)
            cs->maybe = fmax(cs->maybe, known_short(w, x, y, m));
        if (ln != 1)
            return SV_OK;
        need = m * (1 + 1e-9) + 1e-6;
    } else { /* no station kept: a wider halo must reach the nearest left out */
        double nearest_left = INFINITY;
        for (size_t i = 0; i < w->n_left; i++)
            nearest_left = fmin(nearest_left, hypot(x - w->left_xy[2 * i], y - w->left_xy[2 * i + 1]));
        if (!isfinite(nearest_left))
            return SV_OK;
        need = nearest_left * (1 + 1e-9) + 1e-6;
    }
    cs->why = "people point";
    snprintf(cs->id, sizeof cs->id, "%s", d);
    cs->need = need;
    return SV_OK;
}

static int cmp_station_at(const void *a, const void *b)
{
    return strcmp(((const station_at *)a)->id, ((const station_at *)b)->id);
}

/* The pieces of the areas of responsibility (each station's, kept or context, within the shard's own
 * districts: sv_shard_own_district). A piece is exact when every place of it has its station as the nearest
 * of all stations, not only of those kept; finish unites the pieces of a station, which do not overlap (own
 * districts do not), into its area: the single run's, as each place of every district lies in exactly one
 * shard's pieces. Circles (Voronoi cells of the stations, cut to the own districts): the part of the plane
 * nearer to s than to a station u is a half-plane, which holds the piece when it holds its vertices, so each
 * vertex v is tested against the stations left out. Fast first: every station left out lies outside own
 * grown by known_m (2H x scale), and with g(v) = how far v lies outside own (the largest of the four side
 * distances, negative inside) v is nearer to s than to all of them when |v - s| + g(v) <= known_m; only the
 * vertices beyond are tested station by station. A district the shard does not read needs no test: its
 * places are another shard's pieces (pg_equiv_gap_cell: G's cell reaches a district across a gap wider than
 * the halo, which only the other shard reads). Network mode (the Voronoi cells of the people points, grouped
 * by their nearest station along the streets): each own point's nearest station is exact by the checks of
 * demand and people points, and the points left out lie beyond H x scale of own; no widening for the areas
 * (pg_shards_people: station T's pieces in D0, across a gap that T's shard never reads, and in D1). The cells
 * are the single run's where some kept point is nearer than H x scale; a place of an own district farther than
 * that from every people point (a district of sparse buildings or blocks, at the shard's edge) could lie in the
 * cell of a point left out, and is not tested. */
typedef struct {
    const station_at *s;
    const sv_shard_worker *w;
    double need; /* > known_m: the piece needs a wider halo */
    double maybe; /* > 0: as check_state.maybe */
} resp_need;

static void vertex_need(void *ud, double x, double y)
{
    resp_need *r = ud;
    const sv_shard_worker *w = r->w;
    double g = fmax(fmax(w->own.xmin - x, x - w->own.xmax), fmax(w->own.ymin - y, y - w->own.ymax));
    double d = hypot(x - r->s->x, y - r->s->y);
    int ln = r->need <= w->known_m ? left_nearer(w, x, y, d) : 0;
    if (ln == 1)
        r->need = d + g; /* > known_m: else no station left out could be nearer */
    else if (ln == 2)
        r->maybe = fmax(r->maybe, known_short(w, x, y, d));
}

static sv_status check_responsibility(sv_ctx *ctx, void *userdata, long long key, const sv_value *values,
                                      size_t n, const unsigned char *wkb, size_t len)
{
    (void)ctx;
    (void)key;
    check_state *cs = userdata;
    const sv_shard_worker *w = cs->w;
    const sv_table_desc *t = sv_schema_table(SV_TABLE_RESPONSIBILITY);
    station_at k = {text_of(t, values, n, "station_id"), 0, 0};
    const station_at *s = k.id && cs->n_at ? bsearch(&k, cs->at, cs->n_at, sizeof *cs->at, cmp_station_at) : NULL;
    if (cs->why || !s || !wkb || w->network)
        return SV_OK;
    resp_need r = {.s = s, .w = w, .need = 0};
    size_t pos = 0;
    wkb_walk(wkb, len, &pos, vertex_need, &r, 0);
    cs->maybe = fmax(cs->maybe, r.maybe);
    if (r.need > w->known_m) {
        cs->why = "responsibility";
        snprintf(cs->id, sizeof cs->id, "%s", k.id);
        cs->need = r.need;
    }
    return SV_OK;
}

/* Every station of the shard's analysis, by id and place (the own ones also into w->stations). */
static sv_status note_station(sv_ctx *ctx, void *userdata, long long key, const sv_value *values, size_t n,
                              const unsigned char *wkb, size_t len)
{
    (void)key;
    check_state *cs = userdata;
    sv_shard_worker *w = cs->w;
    const char *id = text_of(sv_schema_table(SV_TABLE_STATIONS), values, n, "station_id");
    if (!id)
        return SV_OK;
    sv_shard_keep_row(w, SV_TABLE_STATIONS, values, n, wkb, len);
    station_at *at = sv_realloc(cs->at, (cs->n_at + 1) * sizeof *at);
    char *copy = sv_strdup(id);
    if (at)
        cs->at = at;
    if (!at || !copy) {
        free(copy);
        return sv_error(ctx, SV_ERR_NOMEM, "out of memory");
    }
    at[cs->n_at].id = copy;
    if (wkb_point(wkb, len, &at[cs->n_at].x, &at[cs->n_at].y) != 0)
        at[cs->n_at].x = at[cs->n_at].y = NAN;
    cs->n_at++;
    return SV_OK;
}

/* The stations within stations_known grown by g, read as the analysis read them: those beyond
 * stations_known join the stations left out, and stations_known is the larger box. */
static sv_status more_stations(sv_ctx *ctx, sv_shard_worker *w, double g)
{
    const sv_env *k = &w->stations_known;
    sv_env box = {k->xmin - g, k->ymin - g, k->xmax + g, k->ymax + g};
    double m = 10 + 0.01 * w->plan->halo_m; /* as the worker's window: the reader's box a little larger */
    double rbox[4] = {box.xmin - m, box.ymin - m, box.xmax + m, box.ymax + m};
    sv_source_opts o = w->stations_src;
    o.window = rbox;
    o.window_epsg = w->epsg;
    o.strict = w->stations_strict;
    sv_source *src = NULL;
    sv_featureset fs = {0};
    sv_status rc = sv_source_open(ctx, &o, SV_ROLE_STATIONS, &src);
    if (rc == SV_OK)
        rc = sv_source_project(ctx, src, w->epsg, &fs);
    sv_source_close(src);
    double *xy = rc == SV_OK ? sv_realloc(w->left_xy, (w->n_left + fs.n + 1) * 2 * sizeof *xy) : NULL;
    if (rc == SV_OK && !xy)
        rc = sv_error(ctx, SV_ERR_NOMEM, "out of memory");
    if (xy)
        w->left_xy = xy;
    for (size_t i = 0; rc == SV_OK && i < fs.n; i++) {
        sv_env e;
        if (wkb_env(NULL, fs.items[i].wkb, fs.items[i].wkb_len, &e) != 0)
            continue;
        double x = (e.xmin + e.xmax) / 2, y = (e.ymin + e.ymax) / 2;
        if (room_in(k, x, y) >= 0)
            continue; /* known already: kept or left out */
        w->left_xy[2 * w->n_left] = x;
        w->left_xy[2 * w->n_left++ + 1] = y;
    }
    sv_featureset_free(&fs);
    if (rc == SV_OK) {
        w->stations_known = box;
        w->n_more_reads++;
    }
    return rc;
}

sv_status sv_shard_check(sv_ctx *ctx, const char *db_path, sv_shard_worker *w, double *wider)
{
    *wider = 0;
    w->check_why = NULL;
    w->check_id[0] = '\0';
    if (w->window_short) { /* read more streets and population polygons */
        w->check_why = "window";
        *wider = w->known_m + 2 * w->window_need;
        return SV_OK;
    }
    if (w->all_stations && w->all_districts)
        return SV_OK; /* every station and district was there: the whole analysis */
    sv_store_reader *rd = NULL;
    sv_status rc = sv_store_open_read(ctx, db_path, &rd);
    check_state cs = {.w = w};
    if (rc == SV_OK)
        rc = sv_store_scan(ctx, rd, SV_TABLE_STATIONS, note_station, &cs);
    if (rc == SV_OK && cs.n_at)
        qsort(cs.at, cs.n_at, sizeof *cs.at, cmp_station_at);
    if (rc == SV_OK && !w->all_stations) /* else nothing can be nearer */
        rc = sv_store_scan(ctx, rd, SV_TABLE_DEMAND_ACCESS, check_demand, &cs);
    if (rc == SV_OK && !cs.why && !w->all_stations)
        rc = sv_store_scan(ctx, rd, SV_TABLE_PEOPLE_POINTS, check_people, &cs);
    if (rc == SV_OK && !cs.why)
        rc = sv_store_scan(ctx, rd, SV_TABLE_RESPONSIBILITY, check_responsibility, &cs);
    /* stations read in the window: a row that a station not read could change is asked again with the
     * stations read as far as it needs (only them, not the analysis again); a few rounds, then a wider halo */
    for (int round = 0; rc == SV_OK && !cs.why && cs.maybe > 0; round++) {
        if (round == 4) {
            cs.why = "window";
            cs.need = w->known_m + 2 * cs.maybe;
            break;
        }
        double g = cs.maybe * (1 + 1e-9) + 1e-6;
        if ((rc = more_stations(ctx, w, g)) != SV_OK)
            break;
        cs.maybe = 0;
        if (!w->all_stations)
            rc = sv_store_scan(ctx, rd, SV_TABLE_PEOPLE_POINTS, check_people, &cs);
        if (rc == SV_OK && !cs.why)
            rc = sv_store_scan(ctx, rd, SV_TABLE_RESPONSIBILITY, check_responsibility, &cs);
    }
    sv_store_close_read(rd);
    for (size_t i = 0; i < cs.n_at; i++)
        free((char *)cs.at[i].id);
    free(cs.at);
    sv_shard_worker_reset(w); /* publishing fills the sets again */
    if (rc == SV_OK && cs.why)
        *wider = cs.need;
    w->check_why = cs.why;
    snprintf(w->check_id, sizeof w->check_id, "%s", cs.id);
    return rc;
}

void sv_shard_worker_reset(sv_shard_worker *w)
{
    for (size_t i = 0; i < w->n_stations; i++)
        free(w->stations[i]);
    for (size_t i = 0; i < w->n_demand; i++)
        free(w->demand[i]);
    w->n_stations = w->n_demand = 0;
    w->sorted = 0;
    w->n_kept_districts = 0;
}

void sv_shard_worker_free(sv_shard_worker *w)
{
    for (size_t i = 0; w && i < w->n_stations; i++)
        free(w->stations[i]);
    for (size_t i = 0; w && i < w->n_demand; i++)
        free(w->demand[i]);
    if (w) {
        free(w->stations);
        free(w->demand);
        free(w->left_xy);
        free(w->own_station);
        index_free(w->index);
        w->index = NULL;
        free_run_categories(w);
    }
}

/* The stage of sv_analyze_run after the inputs are projected: the shard hook, when one is set. */
sv_status sv_analyze_shard(sv_analyze_state *s)
{
    const sv_analyze_opts *o = s->o;
    if (!o->shard_hook)
        return SV_OK;
    sv_featureset *const in[5] = {&s->sfs, &s->dfs, o->network.spec ? &s->nfs : NULL,
                                  o->demand.spec ? &s->mfs : NULL, o->population.spec ? &s->pfs : NULL};
    if (o->network.spec) { /* the fastest road of the mode's table (or --speeds, maxspeed) among those read */
        s->a->fastest_kmh = s->mode.default_kmh;
        for (size_t i = 0; i < s->nfs.n; i++)
            s->a->fastest_kmh = fmax(s->a->fastest_kmh, sv_travel_mode_speed(&s->mode, s->nfs.items[i].category,
                                                                             s->nfs.items[i].maxspeed));
    }
    return o->shard_hook(s->ctx, o->shard_userdata, o, s->a, in, &s->stop);
}
