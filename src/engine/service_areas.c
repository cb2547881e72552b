/* service_areas.c - network service areas and demand access. */
#include "svcov/sv_access.h"
#include "svcov/sv_geom.h"
#include "svcov/sv_net_reach.h"
#include "core/parallel.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void sv_net_areas_free(sv_net_areas *a)
{
    if (!a)
        return;
    for (size_t b = 0; b < a->n_breaks; b++) {
        if (a->area_wkb)
            free(a->area_wkb[b]);
        if (a->lines_wkb)
            free(a->lines_wkb[b]);
    }
    for (size_t k = 0; k < a->n_stations * a->n_breaks; k++) {
        if (a->st_wkb)
            free(a->st_wkb[k]);
        if (a->st_lines_wkb)
            free(a->st_lines_wkb[k]);
    }
    free(a->lines_wkb);
    free(a->lines_len);
    free(a->st_lines_wkb);
    free(a->st_lines_len);
    free(a->attach);
    free(a->access);
    free(a->access_len);
    free(a->area_wkb);
    free(a->area_len);
    free(a->reached_m);
    free(a->st_wkb);
    free(a->st_len);
    free(a->st_reached_m);
    memset(a, 0, sizeof *a);
}

int sv_net_reaches(sv_geos *h, const sv_geom *lines, const sv_prep *district, double trim, int quad_segs)
{
    int c = sv_prep_intersects(h, district, lines);
    if (c != 0)
        return c; /* 1: the streets themselves enter it; -1 */
    if (!(trim > 0))
        return 0;
    c = sv_prep_within_distance(h, district, lines, trim);
    if (c != 1)
        return c; /* farther than trim: the widened streets cannot meet it either */
    /* within trim of the edge: the polygonal widening decides, as in the
     * area. The widened streets meet the district when one widened piece
     * does, so the pieces are tested one by one (only those within trim),
     * never united. */
    sv_geom *merged = sv_geom_line_merge(h, lines);
    const sv_geom *src = merged ? merged : lines;
    int n = sv_geom_num_parts(h, src);
    c = n < 0 ? -1 : 0;
    for (int i = 0; i < n && c == 0; i++) {
        sv_geom *p = sv_geom_part(h, src, i);
        c = p ? sv_prep_within_distance(h, district, p, trim) : -1;
        if (c == 1) {
            sv_geom *w = sv_geom_buffer(h, p, trim, quad_segs);
            c = w ? sv_prep_intersects(h, district, w) : -1;
            sv_geom_destroy(h, w);
        }
        sv_geom_destroy(h, p);
    }
    sv_geom_destroy(h, merged);
    return c;
}

/* ---- the dissolved areas: the reached streets of every break widened and
 * united in tiles on all threads ----
 *
 * One buffer of a whole street grid nodes every offset curve against every
 * other and grows superlinearly; the ways (sewn from the two-point pieces)
 * widened one by one stay local. These pieces are dealt to square tiles; each tile
 * unites the pieces that meet it, each clipped to the tile, so no union
 * ever holds more than a tile's worth of outline; the tiles' results only
 * touch along the tile lines, and one last union per break joins them.
 * The tiling depends on the pieces only (not on the threads), so every run
 * gives the same polygons. Breaks with few pieces are one tile: no clip,
 * one cascaded union of the pieces. */
#define DISSOLVE_TILE_PIECES 128 /* pieces per tile, about */

typedef struct {
    unsigned char *wkb;
    size_t len;
    sv_env env;
} wkb_piece;

typedef struct {
    unsigned char *lines; /* the reached streets (the caller's) */
    size_t lines_len;
    wkb_piece *pieces; /* the sewn ways, then each widened */
    size_t n_pieces;
    size_t gx, gy;   /* tiles */
    double *tx, *ty; /* tile edges: gx + 1, gy + 1 (shared by neighbours, so their clips meet exactly) */
    size_t *tstart, *titem; /* pieces meeting each tile (CSR) */
    wkb_piece *tiles;
    unsigned char *area;
    size_t area_len;
    int failed;
} dissolve_break;

typedef struct {
    dissolve_break *br;
    size_t nb;
    double trim;
    int quad_segs;
    size_t *first; /* item ranges per break, nb + 1 (pieces or tiles) */
} dissolve_job;

/* fn(job, h, i) for i in [0, n): on the calling thread with h when threads
 * is 1 (a station's worker), else sv_parallel_for. 0 ok. */
static int run_items(int threads, sv_geos *h, size_t n, sv_parallel_fn fn, void *job)
{
    if (threads > 1 && n > 1)
        return sv_parallel_for(threads, n, fn, job);
    for (size_t i = 0; i < n; i++)
        if (fn(job, h, i) != 0)
            return -1;
    return 0;
}

static size_t item_break(const dissolve_job *j, size_t item)
{
    size_t b = 0;
    while (b + 1 < j->nb && item >= j->first[b + 1])
        b++;
    return b;
}

/* Break b's reached streets sewn into ways (sv_parallel_fn over the breaks). */
static int sew_item(void *arg, sv_geos *h, size_t b)
{
    dissolve_break *d = &((dissolve_job *)arg)->br[b];
    if (!d->lines)
        return 0;
    sv_geom *lines = sv_geom_from_wkb(h, d->lines, d->lines_len);
    sv_geom *merged = lines ? sv_geom_line_merge(h, lines) : NULL;
    const sv_geom *src = merged ? merged : lines;
    int n = src ? sv_geom_num_parts(h, src) : -1;
    int ok = n >= 0 && (d->pieces = sv_calloc((size_t)n + 1, sizeof *d->pieces)) != NULL;
    for (int i = 0; ok && i < n; i++) {
        sv_geom *p = sv_geom_part(h, src, i);
        ok = p && (d->pieces[i].wkb = sv_geom_to_wkb(h, p, &d->pieces[i].len)) != NULL;
        sv_geom_destroy(h, p);
        d->n_pieces = (size_t)i + 1;
    }
    d->failed = !ok;
    sv_geom_destroy(h, merged);
    sv_geom_destroy(h, lines);
    return 0;
}

/* One sewn way widened by trim, in place (over the pieces of all breaks). */
static int widen_piece_item(void *arg, sv_geos *h, size_t item)
{
    dissolve_job *j = arg;
    dissolve_break *d = &j->br[item_break(j, item)];
    wkb_piece *p = &d->pieces[item - j->first[item_break(j, item)]];
    sv_geom *g = sv_geom_from_wkb(h, p->wkb, p->len);
    sv_geom *w = g ? sv_geom_buffer(h, g, j->trim, j->quad_segs) : NULL;
    free(p->wkb);
    p->wkb = NULL;
    if (w && sv_geom_envelope(h, w, &p->env) == 0)
        p->wkb = sv_geom_to_wkb(h, w, &p->len);
    if (!p->wkb)
        d->failed = 1;
    sv_geom_destroy(h, w);
    sv_geom_destroy(h, g);
    return 0;
}

/* Break d's tiles: about DISSOLVE_TILE_PIECES pieces each, square, over the
 * pieces' envelope, and the pieces meeting each. 0, or -1 out of memory. */
static int make_tiles(dissolve_break *d)
{
    size_t n = d->n_pieces;
    sv_env ext = d->pieces[0].env;
    for (size_t i = 1; i < n; i++)
        sv_env_union(&ext, &d->pieces[i].env);
    double w = ext.xmax - ext.xmin, hgt = ext.ymax - ext.ymin;
    size_t want = n / DISSOLVE_TILE_PIECES;
    d->gx = d->gy = 1;
    if (want > 1 && w > 0 && hgt > 0) {
        double side = sqrt(w * hgt / (double)want);
        d->gx = (size_t)ceil(w / side);
        d->gy = (size_t)ceil(hgt / side);
        if (d->gx < 1)
            d->gx = 1;
        if (d->gy < 1)
            d->gy = 1;
    }
    size_t nt = d->gx * d->gy;
    d->tx = sv_malloc((d->gx + 1) * sizeof *d->tx);
    d->ty = sv_malloc((d->gy + 1) * sizeof *d->ty);
    d->tstart = sv_calloc(nt + 1, sizeof *d->tstart);
    d->tiles = sv_calloc(nt, sizeof *d->tiles);
    if (!d->tx || !d->ty || !d->tstart || !d->tiles)
        return -1;
    for (size_t i = 0; i <= d->gx; i++)
        d->tx[i] = i == d->gx ? ext.xmax : ext.xmin + w * (double)i / (double)d->gx;
    for (size_t i = 0; i <= d->gy; i++)
        d->ty[i] = i == d->gy ? ext.ymax : ext.ymin + hgt * (double)i / (double)d->gy;
    /* two passes over the pieces: count, then fill, each tile's list by piece */
    size_t total = 0;
    for (int pass = 0; pass < 2; pass++) {
        size_t *fill = NULL;
        if (pass == 1) {
            for (size_t t = 0; t < nt; t++)
                d->tstart[t + 1] += d->tstart[t];
            total = d->tstart[nt];
            if (!(d->titem = sv_malloc((total + 1) * sizeof *d->titem)) ||
                !(fill = sv_malloc((nt + 1) * sizeof *fill))) {
                free(fill);
                return -1;
            }
            memcpy(fill, d->tstart, nt * sizeof *fill);
        }
        for (size_t i = 0; i < n; i++) {
            const sv_env *e = &d->pieces[i].env;
            for (size_t ty = 0; ty < d->gy; ty++) {
                if (e->ymin > d->ty[ty + 1] || e->ymax < d->ty[ty])
                    continue;
                for (size_t tx = 0; tx < d->gx; tx++) {
                    if (e->xmin > d->tx[tx + 1] || e->xmax < d->tx[tx])
                        continue;
                    size_t t = ty * d->gx + tx;
                    if (pass == 0)
                        d->tstart[t + 1]++;
                    else
                        d->titem[fill[t]++] = i;
                }
            }
        }
        free(fill);
    }
    return 0;
}

/* One tile's pieces, each clipped to the tile, united (over the tiles of all breaks). */
static int tile_item(void *arg, sv_geos *h, size_t item)
{
    dissolve_job *j = arg;
    size_t b = item_break(j, item), t = item - j->first[b];
    dissolve_break *d = &j->br[b];
    size_t lo = d->tstart[t], hi = d->tstart[t + 1], n = 0;
    int one = d->gx * d->gy == 1;
    sv_env te = {d->tx[t % d->gx], d->ty[t / d->gx], d->tx[t % d->gx + 1], d->ty[t / d->gx + 1]};
    sv_geom **parts = sv_calloc(hi - lo + 1, sizeof *parts);
    sv_geom *rect = one ? NULL : sv_geom_rect(h, &te);
    int ok = parts && (one || rect);
    for (size_t k = lo; ok && k < hi; k++) {
        const wkb_piece *p = &d->pieces[d->titem[k]];
        sv_geom *g = sv_geom_from_wkb(h, p->wkb, p->len);
        int inside = p->env.xmin >= te.xmin && p->env.xmax <= te.xmax && p->env.ymin >= te.ymin &&
                     p->env.ymax <= te.ymax;
        if (g && !one && !inside) {
            sv_geom *c = sv_geom_intersection(h, g, rect);
            sv_geom_destroy(h, g);
            g = c;
        }
        ok = g != NULL;
        if (ok && sv_geom_is_empty(h, g) == 1)
            sv_geom_destroy(h, g);
        else if (ok)
            parts[n++] = g;
    }
    sv_geom *u = ok ? sv_geom_union_take(h, parts, n) : NULL;
    sv_geom *poly = u ? sv_geom_polygons(h, u) : NULL;
    if (poly && sv_geom_is_empty(h, poly) == 0)
        d->tiles[t].wkb = sv_geom_to_wkb(h, poly, &d->tiles[t].len);
    if (!poly || (sv_geom_is_empty(h, poly) == 0 && !d->tiles[t].wkb))
        d->failed = 1;
    sv_geom_destroy(h, poly);
    sv_geom_destroy(h, u);
    sv_geom_destroy(h, rect);
    for (size_t k = 0; parts && k < n; k++)
        sv_geom_destroy(h, parts[k]);
    free(parts);
    return 0;
}

/* Break b's tiles joined into its area (sv_parallel_fn over the breaks). */
static int join_item(void *arg, sv_geos *h, size_t b)
{
    dissolve_break *d = &((dissolve_job *)arg)->br[b];
    if (!d->lines || d->failed)
        return 0;
    size_t nt = d->gx * d->gy, n = 0;
    sv_geom **parts = sv_calloc(nt + 1, sizeof *parts);
    int ok = parts != NULL;
    for (size_t t = 0; ok && t < nt; t++)
        if (d->tiles[t].wkb)
            ok = (parts[n++] = sv_geom_from_wkb(h, d->tiles[t].wkb, d->tiles[t].len)) != NULL;
    sv_geom *area = ok ? sv_geom_union_take(h, parts, n) : NULL;
    d->area = area ? sv_geom_to_wkb(h, area, &d->area_len) : NULL;
    d->failed = !d->area;
    sv_geom_destroy(h, area);
    for (size_t k = 0; parts && k < n; k++)
        sv_geom_destroy(h, parts[k]);
    free(parts);
    return 0;
}

static void dissolve_free(dissolve_break *d)
{
    for (size_t i = 0; d->pieces && i < d->n_pieces; i++)
        free(d->pieces[i].wkb);
    for (size_t t = 0; d->tiles && t < d->gx * d->gy; t++)
        free(d->tiles[t].wkb);
    free(d->pieces);
    free(d->tiles);
    free(d->tx);
    free(d->ty);
    free(d->tstart);
    free(d->titem);
    free(d->area);
}

/* Every break's reached streets (jobs[b].lines, NULL: none) widened and
 * united into jobs[b].area on up to threads threads (h: the calling
 * thread's handle, used when threads is 1). 0, or -1 out of memory; a
 * break whose area could not be made has failed set. */
static int dissolve(int threads, sv_geos *h, dissolve_break *br, size_t nb, double trim, int quad_segs)
{
    dissolve_job j = {br, nb, trim, quad_segs, sv_calloc(nb + 1, sizeof(size_t))};
    int rc = j.first ? 0 : -1;
    if (rc == 0)
        rc = run_items(threads, h, nb, sew_item, &j);
    for (size_t b = 0; rc == 0 && b < nb; b++)
        j.first[b + 1] = j.first[b] + (br[b].failed ? 0 : br[b].n_pieces);
    if (rc == 0)
        rc = run_items(threads, h, j.first[nb], widen_piece_item, &j);
    for (size_t b = 0; rc == 0 && b < nb; b++) {
        size_t nt = 0;
        if (br[b].lines && !br[b].failed && br[b].n_pieces > 0) {
            if (make_tiles(&br[b]) != 0)
                rc = -1;
            nt = br[b].gx * br[b].gy;
        }
        j.first[b + 1] = j.first[b] + nt;
    }
    if (rc == 0)
        rc = run_items(threads, h, j.first[nb], tile_item, &j);
    if (rc == 0)
        rc = run_items(threads, h, nb, join_item, &j);
    free(j.first);
    return rc;
}

/* Areas of every break from one labelling, the breaks widened on up to
 * threads threads, then nested by construction. ctx may be NULL (on a
 * worker thread): the status then comes without a message. */
static sv_status areas_from_labels(sv_ctx *ctx, int threads, sv_geos *h, const sv_network *net, const sv_access_opts *o,
                                   const sv_labels *l, const sv_attach *src, const double *access, size_t nsrc,
                                   unsigned char **wkb, size_t *len, double *reached_m, unsigned char **lines_wkb,
                                   size_t *lines_len)
{
    size_t nb = o->n_breaks;
    dissolve_break *jobs = sv_calloc(nb + 1, sizeof *jobs);
    sv_status st = SV_OK;
    if (!jobs) {
        st = SV_ERR_NOMEM;
        goto done;
    }
    for (size_t b = 0; b < nb && st == SV_OK; b++) {
        sv_geom *lines = sv_network_reached(h, net, o->kind, l, src, access, nsrc, o->budget[b], &reached_m[b]);
        if (!lines) {
            st = SV_ERR_NOMEM;
            break;
        }
        if (sv_geom_is_empty(h, lines) == 0 && !(jobs[b].lines = sv_geom_to_wkb(h, lines, &jobs[b].lines_len)))
            st = SV_ERR_NOMEM;
        sv_geom_destroy(h, lines);
    }
    if (!wkb)
        goto done; /* the reached streets only */
    /* the breaks at once, as many as the context's threads */
    if (st == SV_OK && dissolve(threads, h, jobs, nb, o->trim_m, o->quad_segs) != 0)
        st = sv_error(ctx, SV_ERR_NOMEM, "out of memory widening the reached streets");
    for (size_t b = 0; b < nb && st == SV_OK; b++)
        if (jobs[b].lines && jobs[b].failed)
            st = sv_error(ctx, SV_ERR_GEOM, "cannot widen the reached streets into a service area");
    sv_geom *prev = NULL;
    for (size_t b = 0; b < nb && st == SV_OK; b++) {
        sv_geom *area = jobs[b].area ? sv_geom_from_wkb(h, jobs[b].area, jobs[b].area_len) : sv_geom_empty_polygon(h);
        if (area && prev && sv_geom_is_empty(h, prev) == 0) {
            /* a smaller break's area lies inside the larger one's, also to
             * the last bit of floating point */
            sv_geom *two[2] = {area, sv_geom_clone(h, prev)};
            area = two[1] ? sv_geom_union_take(h, two, 2) : NULL;
            sv_geom_destroy(h, two[0]);
            sv_geom_destroy(h, two[1]);
        }
        sv_geom *poly = area ? sv_geom_polygons(h, area) : NULL;
        sv_geom_destroy(h, area);
        if (!poly) {
            st = sv_error(ctx, SV_ERR_GEOM, "cannot build a network service area: %s", sv_geos_errmsg(h));
            if (!ctx)
                st = SV_ERR_GEOM;
            break;
        }
        wkb[b] = NULL;
        len[b] = 0;
        if (sv_geom_is_empty(h, poly) == 0 && !(wkb[b] = sv_geom_to_wkb(h, poly, &len[b])))
            st = SV_ERR_NOMEM;
        sv_geom_destroy(h, prev);
        prev = poly;
    }
    sv_geom_destroy(h, prev);
done:
    if (jobs)
        for (size_t b = 0; b < nb; b++) {
            /* the reached streets go to the caller */
            if (st == SV_OK) {
                lines_wkb[b] = jobs[b].lines;
                lines_len[b] = jobs[b].lines_len;
            } else {
                free(jobs[b].lines);
            }
            dissolve_free(&jobs[b]);
        }
    free(jobs);
    return st;
}

/* One search per station for its own streets (and areas), on the worker threads. */
typedef struct {
    sv_ctx *ctx;
    const sv_network *net;
    const sv_access_opts *o;
    sv_net_areas *out;
    double cutoff;
} station_job;

static int station_init(void *job, sv_geos *h, void *worker, size_t index)
{
    (void)h;
    (void)index;
    return sv_labels_init(worker, ((station_job *)job)->net) == SV_OK ? 0 : SV_ERR_NOMEM;
}

static void station_fini(void *job, sv_geos *h, void *worker)
{
    (void)job;
    (void)h;
    sv_labels_free(worker);
}

static int station_item(void *job, sv_geos *h, void *worker, size_t i)
{
    station_job *j = job;
    sv_net_areas *out = j->out;
    size_t nb = j->o->n_breaks;
    if (sv_ctx_interrupted(j->ctx))
        return SV_ERR_INTERRUPTED;
    if (!out->attach[i].ok)
        return 0;
    sv_status st = sv_network_dijkstra(j->net, j->o->kind, &out->attach[i], &out->access[i], &out->access_len[i], 1,
                                       j->cutoff, worker);
    if (st == SV_OK) /* each station's breaks on its own thread, one after the other */
        st = areas_from_labels(NULL, 1, h, j->net, j->o, worker, &out->attach[i], &out->access[i], 1,
                               out->st_wkb ? &out->st_wkb[i * nb] : NULL, out->st_len ? &out->st_len[i * nb] : NULL,
                               &out->st_reached_m[i * nb], &out->st_lines_wkb[i * nb], &out->st_lines_len[i * nb]);
    return (int)st;
}

static void station_progress(void *job, size_t done, size_t n)
{
    station_job *j = job;
    if ((done & 31) == 0)
        sv_progress(j->ctx, "network", (double)done / (double)n);
}

sv_status sv_net_areas_compute(sv_ctx *ctx, const sv_network *net, const double *xs, const double *ys, size_t ns,
                               const sv_access_opts *o, sv_net_areas *out)
{
    memset(out, 0, sizeof *out);
    size_t nb = o->n_breaks;
    out->n_stations = ns;
    out->n_breaks = nb;
    out->attach = sv_calloc(ns + 1, sizeof *out->attach);
    out->access = sv_calloc(ns + 1, sizeof *out->access);
    out->access_len = sv_calloc(ns + 1, sizeof *out->access_len);
    out->area_wkb = sv_calloc(nb + 1, sizeof *out->area_wkb);
    out->area_len = sv_calloc(nb + 1, sizeof *out->area_len);
    out->reached_m = sv_calloc(nb + 1, sizeof *out->reached_m);
    out->lines_wkb = sv_calloc(nb + 1, sizeof *out->lines_wkb);
    out->lines_len = sv_calloc(nb + 1, sizeof *out->lines_len);
    int per_station = o->per_station || o->per_station_lines;
    if (per_station) {
        out->st_lines_wkb = sv_calloc(ns * nb + 1, sizeof *out->st_lines_wkb);
        out->st_lines_len = sv_calloc(ns * nb + 1, sizeof *out->st_lines_len);
        out->st_reached_m = sv_calloc(ns * nb + 1, sizeof *out->st_reached_m);
    }
    if (o->per_station) {
        out->st_wkb = sv_calloc(ns * nb + 1, sizeof *out->st_wkb);
        out->st_len = sv_calloc(ns * nb + 1, sizeof *out->st_len);
    }
    sv_geos *h = sv_geos_create();
    sv_labels l = {0};
    sv_status st = SV_OK;
    if (!out->attach || !out->access || !out->access_len || !out->area_wkb || !out->area_len || !out->reached_m ||
        !out->lines_wkb || !out->lines_len ||
        (per_station && (!out->st_reached_m || !out->st_lines_wkb || !out->st_lines_len)) ||
        (o->per_station && (!out->st_wkb || !out->st_len)) ||
        !h ||
        sv_labels_init(&l, net) != SV_OK) {
        st = sv_error(ctx, SV_ERR_NOMEM, "out of memory for network service areas");
        goto done;
    }
    if ((st = sv_network_attach(ctx, net, xs, ys, ns, o->snap, o->max_snap_m, out->attach)) != SV_OK)
        goto done;
    for (size_t i = 0; i < ns; i++) {
        if (!out->attach[i].ok) {
            out->n_unattached++;
            continue;
        }
        double s = out->attach[i].snap_m;
        out->access_len[i] = o->access_legs ? s : 0;
        out->access[i] = !o->access_legs ? 0 : o->kind == SV_COST_LENGTH ? s : s / (o->access_kmh / 3.6);
    }
    double cutoff = nb ? o->budget[nb - 1] : 0;
    if (o->attach_only)
        goto done; /* the stations attached: all the demand's nearest station needs */
    sv_progress(ctx, "network", 0.0);
    if ((st = sv_network_dijkstra(net, o->kind, out->attach, out->access, out->access_len, ns, cutoff, &l)) != SV_OK ||
        (st = areas_from_labels(ctx, sv_ctx_threads(ctx), h, net, o, &l, out->attach, out->access, ns, out->area_wkb,
                                out->area_len, out->reached_m, out->lines_wkb, out->lines_len)) != SV_OK)
        goto done;
    if (per_station) {
        /* the stations on all cores, each worker with its own labels (a search costs its reach) */
        station_job job = {ctx, net, o, out, cutoff};
        sv_parallel_spec spec = {.worker_size = sizeof(sv_labels), .init = station_init, .item = station_item,
                                 .fini = station_fini, .progress = station_progress};
        int prc = sv_parallel_run(sv_ctx_threads(ctx), ns, &spec, &job);
        if (prc == SV_ERR_INTERRUPTED || sv_ctx_interrupted(ctx))
            st = SV_ERR_INTERRUPTED;
        else if (prc == SV_ERR_GEOM)
            st = sv_error(ctx, SV_ERR_GEOM, "cannot build a network service area of a station");
        else if (prc != 0)
            st = SV_ERR_NOMEM;
    }
    sv_progress(ctx, "network", 1.0);
done:
    if (st == SV_ERR_NOMEM)
        sv_error(ctx, st, "out of memory for network service areas");
    sv_labels_free(&l);
    sv_geos_destroy(h);
    return st;
}

void sv_demand_access_free(sv_demand_access *d)
{
    if (!d)
        return;
    free(d->nearest);
    free(d->snap_m);
    free(d->network_m);
    free(d->cost);
    free(d->euclid_m);
    free(d->within);
    free(d->n_stations);
    memset(d, 0, sizeof *d);
}

static int demand_alloc(sv_demand_access *d, size_t nd, size_t nb)
{
    memset(d, 0, sizeof *d);
    d->n = nd;
    d->n_breaks = nb;
    d->nearest = sv_malloc((nd + 1) * sizeof *d->nearest);
    d->snap_m = sv_malloc((nd + 1) * sizeof *d->snap_m);
    d->network_m = sv_malloc((nd + 1) * sizeof *d->network_m);
    d->cost = sv_malloc((nd + 1) * sizeof *d->cost);
    d->euclid_m = sv_malloc((nd + 1) * sizeof *d->euclid_m);
    d->within = sv_calloc(nd * nb + 1, 1);
    d->n_stations = sv_calloc(nd * nb + 1, sizeof *d->n_stations);
    return d->nearest && d->snap_m && d->network_m && d->cost && d->euclid_m && d->within && d->n_stations ? 0 : -1;
}

/* Straight line to the nearest of the points in tree: widen until found. */
static double nearest_straight(sv_geos *h, sv_index *tree, const double *sx, const double *sy, size_t ns, double x,
                               double y, int *which, size_t **ids, size_t *cap)
{
    *which = -1;
    if (ns == 0)
        return INFINITY;
    double best = INFINITY;
    for (double r = 100.0;; r *= 2) {
        sv_env e = {x - r, y - r, x + r, y + r};
        size_t n = 0;
        if (sv_index_query(h, tree, &e, ids, &n, cap) != 0)
            return NAN;
        for (size_t k = 0; k < n; k++) {
            size_t i = (*ids)[k];
            double d = hypot(sx[i] - x, sy[i] - y);
            if (d < best || (d == best && (int)i < *which)) {
                best = d;
                *which = (int)i;
            }
        }
        if (best <= r || r > 4e7)
            return best;
    }
}

static sv_index *point_tree(sv_geos *h, const double *x, const double *y, size_t n)
{
    sv_index *t = sv_index_create(h);
    for (size_t i = 0; t && i < n; i++) {
        sv_env e = {x[i], y[i], x[i], y[i]};
        if (sv_index_insert(h, t, i, &e) != 0) {
            sv_index_destroy(h, t);
            return NULL;
        }
    }
    return t;
}

/* The stations within r of (x, y), straight: ids[0..*n) (the one rule of
 * "within" in circle mode, shared by the counts and the pairs). 0 ok. */
static int stations_within(sv_geos *h, sv_index *tree, const double *sx, const double *sy, double x, double y,
                           double r, size_t **ids, size_t *n, size_t *cap)
{
    sv_env e = {x - r, y - r, x + r, y + r};
    size_t m = 0;
    *n = 0;
    if (sv_index_query(h, tree, &e, ids, &m, cap) != 0)
        return -1;
    for (size_t k = 0; k < m; k++)
        if (hypot(sx[(*ids)[k]] - x, sy[(*ids)[k]] - y) <= r)
            (*ids)[(*n)++] = (*ids)[k];
    return 0;
}

/* The demand points in blocks of DEMAND_BLOCK on the context's threads,
 * each worker with its own tree of the stations (GEOS handles are per
 * thread); every point's answer is its own, so any split gives the same. */
#define DEMAND_BLOCK 512

typedef struct {
    const double *sx, *sy, *dx, *dy, *radius;
    size_t ns, nd, nb;
    sv_demand_access *out;
} demand_job;

typedef struct {
    sv_index *tree;
    size_t *ids, cap;
} demand_worker;

static int demand_init(void *job, sv_geos *h, void *state, size_t index)
{
    (void)index;
    demand_job *j = job;
    demand_worker *w = state;
    return (w->tree = point_tree(h, j->sx, j->sy, j->ns)) ? 0 : -1;
}

static void demand_fini(void *job, sv_geos *h, void *state)
{
    (void)job;
    demand_worker *w = state;
    free(w->ids);
    sv_index_destroy(h, w->tree);
}

static int demand_block(void *job, sv_geos *h, void *state, size_t item)
{
    demand_job *j = job;
    demand_worker *w = state;
    sv_demand_access *out = j->out;
    size_t end = (item + 1) * DEMAND_BLOCK < j->nd ? (item + 1) * DEMAND_BLOCK : j->nd;
    for (size_t i = item * DEMAND_BLOCK; i < end; i++) {
        int which;
        double d = nearest_straight(h, w->tree, j->sx, j->sy, j->ns, j->dx[i], j->dy[i], &which, &w->ids, &w->cap);
        out->nearest[i] = which;
        out->snap_m[i] = NAN;
        out->network_m[i] = out->euclid_m[i] = out->cost[i] = d;
        for (size_t b = 0; b < j->nb; b++) {
            size_t n = 0;
            if (stations_within(h, w->tree, j->sx, j->sy, j->dx[i], j->dy[i], j->radius[b], &w->ids, &n, &w->cap) !=
                0)
                return -1;
            int c = (int)n;
            out->n_stations[i * j->nb + b] = c;
            out->within[i * j->nb + b] = c > 0;
        }
    }
    return 0;
}

sv_status sv_demand_access_circles(sv_ctx *ctx, const double *sx, const double *sy, size_t ns, const double *dx,
                                   const double *dy, size_t nd, const double *radius, size_t nb,
                                   sv_demand_access *out)
{
    if (demand_alloc(out, nd, nb) != 0)
        return sv_error(ctx, SV_ERR_NOMEM, "out of memory for demand access");
    demand_job j = {sx, sy, dx, dy, radius, ns, nd, nb, out};
    sv_parallel_spec spec = {.worker_size = sizeof(demand_worker), .init = demand_init, .item = demand_block,
                             .fini = demand_fini};
    if (sv_parallel_run(sv_ctx_threads(ctx), (nd + DEMAND_BLOCK - 1) / DEMAND_BLOCK, &spec, &j) != 0)
        return sv_error(ctx, SV_ERR_NOMEM, "out of memory for demand access");
    return SV_OK;
}

static int cmp_index(const void *x, const void *y)
{
    size_t a = *(const size_t *)x, b = *(const size_t *)y;
    return a < b ? -1 : a > b;
}

/* The demand of node v's list (by_node) not yet seen from station s, into buf. */
static void demand_at(const sv_reach_lists *by_node, size_t v, size_t s, size_t *stamp, size_t *buf, size_t *n)
{
    for (size_t t = by_node->start[v]; t < by_node->start[v + 1]; t++) {
        size_t i = by_node->item[t];
        if (stamp[i] != s + 1) {
            stamp[i] = s + 1;
            buf[(*n)++] = i;
        }
    }
}

/* The cost from each station to each attached demand point within the
 * largest break: one bounded search per station, the demand's access leg
 * added as for the nearest station. visit(u, s, i, c) gets every pair with
 * c <= the largest budget, station by station, demand ascending. Only the
 * demand at the nodes a search reached within the budget (and at the ends
 * of the station's own edge) is looked at: a search costs its reach, not
 * the whole demand. */
typedef void (*pair_visit)(void *u, size_t s, size_t i, double c);
static sv_status station_costs(sv_ctx *ctx, const sv_network *net, const sv_net_areas *a, size_t ns,
                               const sv_attach *at, size_t nd, const sv_access_opts *o, sv_labels *l,
                               pair_visit visit, void *u)
{
    size_t nb = o->n_breaks;
    double cutoff = nb ? o->budget[nb - 1] : 0;
    sv_status st = SV_OK;
    sv_reach_lists by_node = {0};
    size_t *stamp = sv_calloc(nd + 1, sizeof *stamp), *buf = sv_malloc((nd + 1) * sizeof *buf);
    if (!stamp || !buf || sv_demand_by_node(net, at, nd, &by_node) != SV_OK)
        st = SV_ERR_NOMEM;
    for (size_t s = 0; s < ns && st == SV_OK; s++) {
        if (!a->attach[s].ok)
            continue;
        if ((st = sv_network_dijkstra(net, o->kind, &a->attach[s], &a->access[s], &a->access_len[s], 1, cutoff,
                                      l)) != SV_OK)
            break;
        size_t n = 0, ea, eb;
        sv_network_attach_ends(net, &a->attach[s], &ea, &eb);
        demand_at(&by_node, ea, s, stamp, buf, &n);
        demand_at(&by_node, eb, s, stamp, buf, &n);
        for (size_t k = 0; k < l->n_touched; k++)
            if (l->cost[l->touched[k]] <= cutoff)
                demand_at(&by_node, l->touched[k], s, stamp, buf, &n);
        qsort(buf, n, sizeof *buf, cmp_index);
        for (size_t q = 0; q < n; q++) {
            size_t i = buf[q];
            if (!at[i].ok)
                continue;
            double len;
            int which;
            double c = sv_network_point_cost(net, o->kind, l, &a->attach[s], &a->access[s], &a->access_len[s], 1,
                                             &at[i], &len, &which);
            if (o->access_legs && isfinite(c))
                c += o->kind == SV_COST_LENGTH ? at[i].snap_m : at[i].snap_m / (o->access_kmh / 3.6);
            if (c <= cutoff)
                visit(u, s, i, c);
        }
        if ((s & 63) == 0 && sv_ctx_interrupted(ctx))
            st = SV_ERR_INTERRUPTED;
    }
    sv_reach_lists_free(&by_node);
    free(stamp);
    free(buf);
    return st;
}

typedef struct {
    sv_demand_access *out;
    const double *budget;
} count_job;

static void count_within(void *u, size_t s, size_t i, double c)
{
    (void)s;
    count_job *j = u;
    for (size_t b = 0; b < j->out->n_breaks; b++)
        j->out->n_stations[i * j->out->n_breaks + b] += c <= j->budget[b];
}

sv_status sv_demand_access_network(sv_ctx *ctx, const sv_network *net, const sv_net_areas *a, const double *sx,
                                   const double *sy, size_t ns,
                                   const double *dx, const double *dy, size_t nd, const sv_access_opts *o,
                                   sv_demand_access *out)
{
    size_t nb = o->n_breaks;
    if (demand_alloc(out, nd, nb) != 0)
        return sv_error(ctx, SV_ERR_NOMEM, "out of memory for demand access");
    sv_attach *at = sv_calloc(nd + 1, sizeof *at);
    sv_labels l = {0};
    sv_status st = SV_OK;
    sv_geos *h = sv_geos_create();
    sv_index *tree = h ? point_tree(h, sx, sy, ns) : NULL;
    size_t *ids = NULL, cap = 0;
    if (!at || !tree || sv_labels_init(&l, net) != SV_OK) {
        st = sv_error(ctx, SV_ERR_NOMEM, "out of memory for demand access");
        goto done;
    }
    if ((st = sv_network_attach(ctx, net, dx, dy, nd, o->snap, o->max_snap_m, at)) != SV_OK)
        goto done;
    /* nearest station: one search from every station, to any distance */
    if ((st = sv_network_dijkstra(net, o->kind, a->attach, a->access, a->access_len, ns, INFINITY, &l)) != SV_OK)
        goto done;
    for (size_t i = 0; i < nd; i++) {
        double len = INFINITY;
        int which = -1;
        double c = sv_network_point_cost(net, o->kind, &l, a->attach, a->access, a->access_len, ns, &at[i], &len,
                                         &which);
        out->snap_m[i] = at[i].ok ? at[i].snap_m : NAN;
        int w;
        out->euclid_m[i] = nearest_straight(h, tree, sx, sy, ns, dx[i], dy[i], &w, &ids, &cap);
        if (at[i].ok && o->access_legs && isfinite(c)) {
            double s = at[i].snap_m;
            c += o->kind == SV_COST_LENGTH ? s : s / (o->access_kmh / 3.6);
            len += s;
        }
        out->cost[i] = c;
        out->network_m[i] = len;
        out->nearest[i] = isfinite(c) ? which : -1;
        for (size_t b = 0; b < nb; b++)
            out->within[i * nb + b] = c <= o->budget[b];
    }
    /* stations within each break: one bounded search per station (not
     * counted with no_reach_count) */
    count_job cj = {out, o->budget};
    if (o->no_reach_count)
        for (size_t k = 0; k < nd * nb; k++)
            out->n_stations[k] = -1;
    else if (st == SV_OK)
        st = station_costs(ctx, net, a, ns, at, nd, o, &l, count_within, &cj);
    if (st == SV_ERR_NOMEM)
        sv_error(ctx, st, "out of memory for demand access");
done:
    free(ids);
    sv_index_destroy(h, tree);
    sv_geos_destroy(h);
    free(at);
    sv_labels_free(&l);
    return st;
}

/* ---- station-demand pairs within reach (capacity-aware access) ---- */

void sv_reach_pairs_free(sv_reach_pairs *p)
{
    if (!p)
        return;
    free(p->demand);
    free(p->station);
    free(p->cost);
    memset(p, 0, sizeof *p);
}

typedef struct {
    sv_reach_pairs *p;
    int failed;
} pair_job;

static void add_pair(void *u, size_t s, size_t i, double c)
{
    pair_job *j = u;
    sv_reach_pairs *p = j->p;
    if (j->failed)
        return;
    if (p->n == p->cap) {
        size_t nc = p->cap ? 2 * p->cap : 1024;
        size_t *d = sv_realloc(p->demand, nc * sizeof *d);
        if (d)
            p->demand = d;
        size_t *st = sv_realloc(p->station, nc * sizeof *st);
        if (st)
            p->station = st;
        double *co = sv_realloc(p->cost, nc * sizeof *co);
        if (co)
            p->cost = co;
        if (!d || !st || !co) {
            j->failed = 1;
            return;
        }
        p->cap = nc;
    }
    p->demand[p->n] = i;
    p->station[p->n] = s;
    p->cost[p->n++] = c;
}

sv_status sv_reach_pairs_circles(sv_ctx *ctx, const double *sx, const double *sy, size_t ns, const double *dx,
                                 const double *dy, size_t nd, double max_radius, sv_reach_pairs *out)
{
    memset(out, 0, sizeof *out);
    sv_geos *h = sv_geos_create();
    sv_index *tree = h ? point_tree(h, sx, sy, ns) : NULL;
    size_t *ids = NULL, cap = 0;
    pair_job j = {out, 0};
    sv_status st = (h && tree) ? SV_OK : SV_ERR_NOMEM;
    for (size_t i = 0; i < nd && st == SV_OK && ns; i++) {
        size_t n = 0;
        if (stations_within(h, tree, sx, sy, dx[i], dy[i], max_radius, &ids, &n, &cap) != 0) {
            st = SV_ERR_NOMEM;
            break;
        }
        for (size_t k = 0; k < n; k++)
            add_pair(&j, ids[k], i, hypot(sx[ids[k]] - dx[i], sy[ids[k]] - dy[i]));
        if (j.failed)
            st = SV_ERR_NOMEM;
        if ((i & 4095) == 0 && sv_ctx_interrupted(ctx))
            st = SV_ERR_INTERRUPTED;
    }
    free(ids);
    sv_index_destroy(h, tree);
    sv_geos_destroy(h);
    if (st == SV_ERR_NOMEM)
        sv_error(ctx, st, "out of memory for the station-demand pairs");
    return st;
}

sv_status sv_reach_pairs_network(sv_ctx *ctx, const sv_network *net, const sv_net_areas *a, size_t ns,
                                 const double *dx, const double *dy, size_t nd, const sv_access_opts *o,
                                 sv_reach_pairs *out)
{
    memset(out, 0, sizeof *out);
    sv_attach *at = sv_calloc(nd + 1, sizeof *at);
    sv_labels l = {0};
    pair_job j = {out, 0};
    sv_status st = SV_OK;
    if (!at || sv_labels_init(&l, net) != SV_OK)
        st = SV_ERR_NOMEM;
    if (st == SV_OK)
        st = sv_network_attach(ctx, net, dx, dy, nd, o->snap, o->max_snap_m, at);
    if (st == SV_OK)
        st = station_costs(ctx, net, a, ns, at, nd, o, &l, add_pair, &j);
    if (st == SV_OK && j.failed)
        st = SV_ERR_NOMEM;
    if (st == SV_ERR_NOMEM)
        sv_error(ctx, st, "out of memory for the station-demand pairs");
    free(at);
    sv_labels_free(&l);
    return st;
}
