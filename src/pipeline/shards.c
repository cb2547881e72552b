/* shards.c - which districts, stations and demand points make one shard of a sharded run, and what a
 * worker reads and keeps (see sv_shards.h). */
#include "svcov/sv_shards.h"

#include "core/schema.h"
#include "pipeline/analyze_stages.h"

#include <math.h>
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

/* Walk one 2-D ISO WKB geometry at *pos, growing e; 0 ok. */
static int wkb_walk(const unsigned char *w, size_t len, size_t *pos, sv_env *e, int depth)
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
            for (unsigned k = 0; k < n; k++, *pos += 16) {
                double x = rd_f64(w + *pos, le), y = rd_f64(w + *pos + 8, le);
                e->xmin = fmin(e->xmin, x), e->xmax = fmax(e->xmax, x);
                e->ymin = fmin(e->ymin, y), e->ymax = fmax(e->ymax, y);
            }
        }
        return 0;
    } else if (type >= 4 && type <= 7) {
        if (*pos + 4 > len)
            return -1;
        rd_u32(w + *pos, le, &n);
        *pos += 4;
        for (unsigned k = 0; k < n; k++)
            if (wkb_walk(w, len, pos, e, depth + 1) != 0)
                return -1;
        return 0;
    } else {
        return -1;
    }
    if (*pos + 16 * (size_t)n > len)
        return -1;
    for (unsigned k = 0; k < n; k++, *pos += 16) {
        double x = rd_f64(w + *pos, le), y = rd_f64(w + *pos + 8, le);
        e->xmin = fmin(e->xmin, x), e->xmax = fmax(e->xmax, x);
        e->ymin = fmin(e->ymin, y), e->ymax = fmax(e->ymax, y);
    }
    return 0;
}

/* The envelope of a WKB geometry; 0 ok, -1 none (empty or unreadable). */
static int wkb_env(void *unused, const unsigned char *wkb, size_t len, sv_env *e)
{
    (void)unused;
    *e = (sv_env){INFINITY, INFINITY, -INFINITY, -INFINITY};
    size_t pos = 0;
    if (!wkb || wkb_walk(wkb, len, &pos, e, 0) != 0 || !(e->xmin <= e->xmax))
        return -1;
    return 0;
}

static double reach_of(const sv_analyze_opts *o, const sv_analysis *a)
{
    double r = 0;
    for (size_t b = 0; b < a->n_breaks; b++)
        r = fmax(r, a->breaks[b].radius_m);
    if (o->network.spec) /* a station up to max snap off the streets, areas widened by trim */
        r += o->max_snap_m + o->trim_m;
    return r;
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
    }
}

/* ---- the worker ---- */

static int shard_of_district(const sv_shard_plan *p, const char *id)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->ids[i], id) == 0)
            return p->shard[i];
    return 0;
}

static int meets(const sv_env *a, const sv_env *b, double grow)
{
    return a->xmin <= b->xmax + grow && b->xmin - grow <= a->xmax && a->ymin <= b->ymax + grow &&
           b->ymin - grow <= a->ymax;
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
        sv_feature *f = &fs->items[i];
        free(f->id);
        free(f->name);
        free(f->category);
        free(f->oneway);
        free(f->maxspeed);
        free(f->wkb);
    }
    fs->n = k;
}

sv_status sv_shard_filter(sv_ctx *ctx, void *userdata, const sv_analyze_opts *opts, const sv_analysis *a,
                          sv_featureset *const inputs[5], int *stop)
{
    (void)opts;
    (void)a;
    sv_shard_worker *w = userdata;
    const sv_shard_plan *p = w->plan;
    *stop = 0;
    sv_env core = sv_shard_core(p, w->shard);
    if (!(core.xmin <= core.xmax))
        return sv_error(ctx, SV_ERR_INTERNAL, "internal: shard %d has no district", w->shard);
    double H = p->halo_m;
    void *h = NULL;
    sv_status rc = SV_OK;
    /* the area whose streets a kept station may use: grown as stations and demand are kept */
    sv_env reach = core;
    for (int k = 0; k < 5 && rc == SV_OK; k++) {
        sv_featureset *fs = inputs[k];
        if (!fs || k == 2)
            continue; /* the network last, once the stations are known */
        unsigned char *keep = sv_calloc(fs->n + 1, 1);
        if (!keep) {
            rc = sv_error(ctx, SV_ERR_NOMEM, "out of memory");
            break;
        }
        for (size_t i = 0; i < fs->n; i++) {
            const sv_feature *f = &fs->items[i];
            sv_env e;
            if (wkb_env(h, f->wkb, f->wkb_len, &e) != 0) {
                keep[i] = k != 1; /* the analysis reports it as it does without shards */
                continue;
            }
            if (k == 1) /* districts: the shard's, and their neighbours as context */
                keep[i] = shard_of_district(p, f->id) == w->shard || meets(&e, &core, H);
            else if (k == 0 || k == 3) /* stations, demand: within reach, or the shard's own */
                keep[i] = meets(&e, &core, H) ||
                          sv_shard_nearest(p, (e.xmin + e.xmax) / 2, (e.ymin + e.ymax) / 2) == w->shard;
            else /* population polygons */
                keep[i] = meets(&e, &core, H);
            if (keep[i] && (k == 0 || k == 3)) {
                reach.xmin = fmin(reach.xmin, e.xmin);
                reach.ymin = fmin(reach.ymin, e.ymin);
                reach.xmax = fmax(reach.xmax, e.xmax);
                reach.ymax = fmax(reach.ymax, e.ymax);
            }
        }
        keep_features(fs, keep);
        free(keep);
    }
    if (rc == SV_OK && inputs[2]) { /* streets within reach of the stations and demand kept */
        sv_featureset *fs = inputs[2];
        unsigned char *keep = sv_calloc(fs->n + 1, 1);
        if (!keep)
            rc = sv_error(ctx, SV_ERR_NOMEM, "out of memory");
        for (size_t i = 0; keep && i < fs->n; i++) {
            sv_env e;
            keep[i] = wkb_env(h, fs->items[i].wkb, fs->items[i].wkb_len, &e) != 0 || meets(&e, &reach, H);
        }
        if (keep)
            keep_features(fs, keep);
        free(keep);
    }
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
    case SV_TABLE_CRITICAL:      /* ranked over the whole city */
    case SV_TABLE_RESPONSIBILITY:
    case SV_TABLE_RUNS:
        return 0;
    case SV_TABLE_ISSUES: /* every worker reads every feature: the same rows; finish keeps one of each */
    case SV_TABLE_ROADS:
    case SV_TABLE_BREAKS:
        return 1;
    case SV_TABLE_STATIONS: {
        const char *id = text_of(t, values, n, "station_id");
        if (wkb_point(wkb, len, &x, &y) != 0 || sv_shard_nearest(w->plan, x, y) != w->shard)
            return 0;
        w->sorted = 0;
        return add_id(&w->stations, &w->n_stations, &w->cap_stations, id) == 0;
    }
    case SV_TABLE_DEMAND_ACCESS: {
        const char *id = text_of(t, values, n, "demand_id"), *d = text_of(t, values, n, "district_id");
        int mine = d ? shard_of_district(w->plan, d) == w->shard
                     : wkb_point(wkb, len, &x, &y) == 0 && sv_shard_nearest(w->plan, x, y) == w->shard;
        if (!mine)
            return 0;
        w->sorted = 0;
        return add_id(&w->demand, &w->n_demand, &w->cap_demand, id) == 0;
    }
    default:
        break;
    }
    if (!w->sorted) {
        qsort(w->stations, w->n_stations, sizeof *w->stations, cmp_str);
        qsort(w->demand, w->n_demand, sizeof *w->demand, cmp_str);
        w->sorted = 1;
    }
    if (table == SV_TABLE_DEMAND_REACH)
        return in_set(w->demand, w->n_demand, text_of(t, values, n, "demand_id"));
    if (table == SV_TABLE_SERVICE_AREAS || table == SV_TABLE_REACHED_STREETS)
        return in_set(w->stations, w->n_stations, text_of(t, values, n, "station_id"));
    if (has_column(t, "district_id")) { /* NULL: the whole area, computed by finish */
        const char *d = text_of(t, values, n, "district_id");
        int mine = d && shard_of_district(w->plan, d) == w->shard;
        if (mine && table == SV_TABLE_DISTRICTS)
            w->n_kept_districts++;
        return mine;
    }
    return 0; /* site tables: not part of an analysis */
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
    return o->shard_hook(s->ctx, o->shard_userdata, o, s->a, in, &s->stop);
}
