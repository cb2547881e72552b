/* siting.c - siting new stations: coverage lists, lazy greedy, exact MIP. */
#include "svcov/sv_site.h"
#include "svcov/sv_geom.h"
#include "adapters/mip.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Compressed lists: item t of list j is item[start[j] .. start[j+1]). */
typedef struct {
    size_t *start, *item;
    size_t n, cap;
} lists;

static int lists_init(lists *l, size_t n)
{
    memset(l, 0, sizeof *l);
    l->start = sv_calloc(n + 1, sizeof *l->start);
    l->n = n;
    return l->start ? 0 : -1;
}

static int lists_push(lists *l, size_t v)
{
    size_t used = l->start[l->n];
    if (sv_grow(&l->item, &l->cap, used + 1, sizeof *l->item, 1024) != 0)
        return -1;
    l->item[used] = v;
    l->start[l->n]++; /* the running end lives in start[n] while filling */
    return 0;
}

static void lists_free(lists *l)
{
    free(l->start);
    free(l->item);
    memset(l, 0, sizeof *l);
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* For each query point, the demand points within r (optionally skipping
 * those already covered); list j holds demand indices in increasing order. */
static sv_status reach_lists(sv_ctx *ctx, sv_geos *h, sv_index *tree, const sv_site_input *in,
                             const double *qx, const double *qy, size_t nq, const unsigned char *skip,
                             lists *out)
{
    if (lists_init(out, nq) != 0)
        return SV_ERR_NOMEM;
    size_t *ids = NULL, nids = 0, cap = 0;
    double r = in->radius_m;
    for (size_t j = 0; j < nq; j++) {
        out->start[j] = out->start[nq];
        sv_env e = {qx[j] - r, qy[j] - r, qx[j] + r, qy[j] + r};
        nids = 0;
        if (sv_index_query(h, tree, &e, &ids, &nids, &cap) != 0) {
            free(ids);
            return SV_ERR_NOMEM;
        }
        if (nids > 1)
            qsort(ids, nids, sizeof *ids, cmp_size);
        for (size_t t = 0; t < nids; t++) {
            size_t i = ids[t];
            if (skip && skip[i])
                continue;
            /* inclusive: a point exactly at the radius is covered */
            if (hypot(in->dx[i] - qx[j], in->dy[i] - qy[j]) <= r && lists_push(out, i) != 0) {
                free(ids);
                return SV_ERR_NOMEM;
            }
        }
        if ((j & 4095) == 0) {
            sv_progress(ctx, "reach", (double)j / (double)(nq ? nq : 1));
            if (sv_ctx_interrupted(ctx)) {
                free(ids);
                return SV_ERR_INTERRUPTED;
            }
        }
    }
    /* shift: start[j] is where list j begins, start[nq] the total */
    free(ids);
    sv_progress(ctx, "reach", 1.0);
    return SV_OK;
}

/* Lists measured elsewhere (sv_net_reach_lists), copied without the
 * demand in skip. */
static sv_status given_lists(sv_ctx *ctx, const sv_reach_lists *g, size_t n, const unsigned char *skip, lists *out)
{
    if (lists_init(out, n) != 0)
        return sv_error(ctx, SV_ERR_NOMEM, "out of memory for the coverage lists");
    for (size_t j = 0; j < n; j++) {
        out->start[j] = out->start[n];
        for (size_t t = g->start[j]; t < g->start[j + 1]; t++)
            if ((!skip || !skip[g->item[t]]) && lists_push(out, g->item[t]) != 0)
                return sv_error(ctx, SV_ERR_NOMEM, "out of memory for the coverage lists");
    }
    return SV_OK;
}

/* ---- lazy greedy (CELF) ---- */

typedef struct {
    double gain;
    size_t j;
    size_t round;
} heap_item;

/* Max-heap on gain, ties to the smaller candidate index. */
static int above(const heap_item *a, const heap_item *b)
{
    return a->gain > b->gain || (a->gain == b->gain && a->j < b->j);
}

static void heap_push(heap_item *hp, size_t *n, heap_item it)
{
    size_t k = (*n)++;
    hp[k] = it;
    while (k > 0) {
        size_t p = (k - 1) / 2;
        if (!above(&hp[k], &hp[p]))
            break;
        heap_item t = hp[k];
        hp[k] = hp[p];
        hp[p] = t;
        k = p;
    }
}

static heap_item heap_pop(heap_item *hp, size_t *n)
{
    heap_item top = hp[0];
    hp[0] = hp[--(*n)];
    size_t k = 0;
    for (;;) {
        size_t l = 2 * k + 1, r = l + 1, m = k;
        if (l < *n && above(&hp[l], &hp[m]))
            m = l;
        if (r < *n && above(&hp[r], &hp[m]))
            m = r;
        if (m == k)
            break;
        heap_item t = hp[k];
        hp[k] = hp[m];
        hp[m] = t;
        k = m;
    }
    return top;
}

typedef struct {
    const sv_site_input *in;
    const lists *reach;        /* candidate -> uncovered demand */
    unsigned char *covered;    /* demand covered so far */
    double *deficit;           /* per district, floor phase; NULL otherwise */
    const unsigned char *allow; /* candidates allowed, or NULL for all */
} greedy_state;

static double gain_of(const greedy_state *g, size_t j)
{
    const lists *l = g->reach;
    if (!g->deficit) {
        double s = 0;
        for (size_t t = l->start[j]; t < l->start[j + 1]; t++)
            if (!g->covered[l->item[t]])
                s += g->in->dw[l->item[t]];
        return s;
    }
    /* Floor phase: only the part of the gain that closes a district's deficit. */
    double s = 0;
    size_t nd = g->in->n_districts;
    double small[64], *per = nd <= 64 ? small : sv_calloc(nd, sizeof *per);
    if (!per)
        return 0;
    memset(per, 0, nd * sizeof *per);
    for (size_t t = l->start[j]; t < l->start[j + 1]; t++) {
        size_t i = l->item[t];
        int d = g->in->ddistrict[i];
        if (!g->covered[i] && d >= 0)
            per[d] += g->in->dw[i];
    }
    for (size_t d = 0; d < nd; d++)
        s += fmin(per[d], fmax(0.0, g->deficit[d]));
    if (per != small)
        free(per);
    return s;
}

static void take(greedy_state *g, size_t j)
{
    const lists *l = g->reach;
    for (size_t t = l->start[j]; t < l->start[j + 1]; t++) {
        size_t i = l->item[t];
        if (!g->covered[i]) {
            g->covered[i] = 1;
            if (g->deficit && g->in->ddistrict[i] >= 0)
                g->deficit[g->in->ddistrict[i]] -= g->in->dw[i];
        }
    }
}

/* Pick up to max_picks candidates while the gain is positive and, when
 * stop_weight > 0, until that much weight is newly covered. Appends to
 * picks/gains and returns the number picked, or -1 when out of memory. */
static long greedy_run(greedy_state *g, size_t max_picks, double stop_weight, size_t *picks, double *gains,
                       size_t n_before)
{
    size_t nc = g->in->n_candidates, n = 0;
    heap_item *hp = sv_malloc((nc + 1) * sizeof *hp);
    if (!hp)
        return -1;
    for (size_t j = 0; j < nc; j++)
        if ((!g->allow || g->allow[j]) && g->reach->start[j + 1] > g->reach->start[j]) {
            heap_item it = {gain_of(g, j), j, 0};
            if (it.gain > 0)
                heap_push(hp, &n, it);
        }
    size_t picked = 0;
    double got = 0;
    while (n > 0 && picked < max_picks && !(stop_weight > 0 && got >= stop_weight - 1e-9)) {
        heap_item top = heap_pop(hp, &n);
        if (top.round != picked) { /* stale: re-evaluate and put back */
            top.gain = gain_of(g, top.j);
            top.round = picked;
            if (top.gain > 0)
                heap_push(hp, &n, top);
            continue;
        }
        take(g, top.j);
        picks[n_before + picked] = top.j;
        gains[n_before + picked] = top.gain;
        got += top.gain;
        picked++;
    }
    free(hp);
    return (long)picked;
}

/* Covered weight (and per district) with the stations and a set of sites; cov is scratch of
 * n_demand bytes (allocated once by the caller: this cannot fail). */
static double covered_with(const sv_site_input *in, const unsigned char *base, unsigned char *cov,
                           const lists *reach, const size_t *sites, size_t n_sites, double *per_district)
{
    memcpy(cov, base, in->n_demand);
    for (size_t k = 0; k < n_sites; k++)
        for (size_t t = reach->start[sites[k]]; t < reach->start[sites[k] + 1]; t++)
            cov[reach->item[t]] = 1;
    double s = 0;
    if (per_district)
        memset(per_district, 0, in->n_districts * sizeof *per_district);
    for (size_t i = 0; i < in->n_demand; i++)
        if (cov[i]) {
            s += in->dw[i];
            if (per_district && in->ddistrict && in->ddistrict[i] >= 0)
                per_district[in->ddistrict[i]] += in->dw[i];
        }
    return s;
}

/* The sites flagged in chosen, ranked by marginal gain as the greedy would
 * rank them, into picks/gains (at most max_picks); a chosen site that adds
 * nothing after the others still counts, last. cov is scratch of n_demand
 * bytes. Returns the count, or -1 when out of memory. */
static long rank_sites(const sv_site_input *in, const lists *reach, const unsigned char *base, unsigned char *cov,
                       const unsigned char *chosen, size_t max_picks, size_t *picks, double *gains)
{
    size_t nc = in->n_candidates;
    memcpy(cov, base, in->n_demand);
    greedy_state gg = {in, reach, cov, NULL, chosen};
    long n = greedy_run(&gg, nc, 0, picks, gains, 0);
    for (size_t j = 0; n >= 0 && j < nc; j++)
        if (chosen[j]) {
            int listed = 0;
            for (long k = 0; k < n && !listed; k++)
                listed = picks[k] == j;
            if (!listed && (size_t)n < max_picks) {
                picks[n] = j;
                gains[n++] = 0;
            }
        }
    return n;
}

/* ---- swap local search (Teitz & Bart's vertex substitution) ---- */

/* The state of the local search: cnt[i] chosen sites reaching demand i,
 * free_w[c] the weight candidate c would add as it stands, icand/istart
 * the demand -> candidates lists. */
typedef struct {
    const sv_site_input *in;
    const lists *reach;
    const size_t *istart, *icand;
    size_t *cnt;
    double *free_w;
    unsigned char *is_chosen;
} swap_state;

/* Site c out of the chosen set: the weight it alone covered, now free. */
static double swap_remove(swap_state *w, size_t c)
{
    double lost = 0;
    for (size_t t = w->reach->start[c]; t < w->reach->start[c + 1]; t++) {
        size_t i = w->reach->item[t];
        if (--w->cnt[i] == 0) {
            lost += w->in->dw[i];
            for (size_t u = w->istart[i]; u < w->istart[i + 1]; u++)
                w->free_w[w->icand[u]] += w->in->dw[i];
        }
    }
    w->is_chosen[c] = 0;
    return lost;
}

/* Site c into the chosen set: the weight it adds. */
static double swap_add(swap_state *w, size_t c)
{
    double added = 0;
    for (size_t t = w->reach->start[c]; t < w->reach->start[c + 1]; t++) {
        size_t i = w->reach->item[t];
        if (w->cnt[i]++ == 0) {
            added += w->in->dw[i];
            for (size_t u = w->istart[i]; u < w->istart[i + 1]; u++)
                w->free_w[w->icand[u]] -= w->in->dw[i];
        }
    }
    w->is_chosen[c] = 1;
    return added;
}

/* free_w recounted from cnt, so the increments of many tried moves leave no rounding behind. */
static void swap_recount(swap_state *w)
{
    size_t nc = w->in->n_candidates;
    for (size_t j = 0; j < nc; j++) {
        double f = 0;
        for (size_t t = w->reach->start[j]; t < w->reach->start[j + 1]; t++)
            if (w->cnt[w->reach->item[t]] == 0)
                f += w->in->dw[w->reach->item[t]];
        w->free_w[j] = f;
    }
}

/* The unchosen candidate adding the most now (ties to the smaller index), SIZE_MAX when none adds anything. */
static size_t swap_best_free(const swap_state *w)
{
    size_t best = SIZE_MAX;
    double best_w = 0;
    for (size_t c = 0; c < w->in->n_candidates; c++)
        if (!w->is_chosen[c] && w->free_w[c] > best_w) {
            best_w = w->free_w[c];
            best = c;
        }
    return best;
}

/* One round of the wider moves, tried when no single swap improves: r
 * chosen sites out together (r = 2, then 3; every such set of sites), the r
 * best sites in again one by one as the greedy would pick them. The first
 * move that raises the covered weight by more than tol is kept (picks
 * updated) and 1 returned; 0 when none does, or time_s since t0 ran out or
 * the run was interrupted (*stopped). */
static int swap_drop_add(sv_ctx *ctx, swap_state *w, size_t *picks, size_t np, double tol, double t0, double time_s,
                         int *stopped)
{
    for (size_t r = 2; r <= 3 && r <= np; r++) {
        size_t q[3] = {0, 1, 2}; /* positions in picks, increasing */
        for (;;) {
            if (sv_ctx_interrupted(ctx) || sv_clock_s() - t0 > time_s) {
                *stopped = 1;
                return 0;
            }
            size_t out[3], in_c[3], n_in = 0;
            double delta = 0;
            for (size_t a = 0; a < r; a++) {
                out[a] = picks[q[a]];
                delta -= swap_remove(w, out[a]);
            }
            for (; n_in < r; n_in++) {
                size_t c = swap_best_free(w);
                if (c == SIZE_MAX)
                    break;
                in_c[n_in] = c;
                delta += swap_add(w, c);
            }
            int same = n_in == r;
            for (size_t a = 0; same && a < r; a++) { /* the same sites back is no move */
                int found = 0;
                for (size_t b = 0; b < r; b++)
                    found |= in_c[a] == out[b];
                same = found;
            }
            if (n_in == r && !same && delta > tol) {
                for (size_t a = 0; a < r; a++)
                    picks[q[a]] = in_c[a];
                swap_recount(w);
                return 1;
            }
            for (size_t a = n_in; a-- > 0;) /* undo */
                swap_remove(w, in_c[a]);
            for (size_t a = 0; a < r; a++)
                swap_add(w, out[a]);
            /* the next set of r positions */
            size_t a = r;
            while (a-- > 0 && q[a] == np - r + a)
                ;
            if (a == SIZE_MAX)
                break;
            q[a]++;
            for (size_t b = a + 1; b < r; b++)
                q[b] = q[b - 1] + 1;
        }
        swap_recount(w);
    }
    return 0;
}

/* Improve the sites picks[0..np) in place: replace one chosen site with one
 * unchosen candidate while that raises the covered weight by more than tol;
 * when no single swap does, try the wider moves of swap_drop_add (2 or 3
 * sites out, the greedy's best back in) and, after one that improves, the
 * single swaps again; until no move improves, max_swaps were made, time_s
 * ran out or the run is interrupted. cnt[i] counts the chosen sites
 * reaching demand i and free_w[c] the weight candidate c would add as it
 * stands; removing site s frees the demand only s reaches, and what a
 * candidate would add then is free_w[c] plus its share of that demand
 * (found through the demand -> candidates lists), so a swap is weighed
 * without recounting anything. Returns the number of improving moves
 * made, or -1 when out of memory. */
static long swap_search(sv_ctx *ctx, const sv_site_input *in, const lists *reach, size_t *picks, size_t np,
                        double tol, size_t max_swaps, double time_s, int *stopped)
{
    size_t nd = in->n_demand, nc = in->n_candidates, total = reach->start[nc];
    *stopped = 0;
    if (np == 0 || np >= nc)
        return 0;
    size_t *cnt = sv_calloc(nd + 1, sizeof *cnt), *istart = sv_calloc(nd + 2, sizeof *istart);
    size_t *icand = sv_malloc((total + 1) * sizeof *icand), *touched = sv_malloc((nc + 1) * sizeof *touched);
    double *free_w = sv_calloc(nc + 1, sizeof *free_w), *extra = sv_calloc(nc + 1, sizeof *extra);
    unsigned char *is_chosen = sv_calloc(nc + 1, 1);
    long swaps = -1;
    if (!cnt || !istart || !icand || !touched || !free_w || !extra || !is_chosen)
        goto done;
    /* demand -> candidates (transpose of the coverage lists) */
    for (size_t t = 0; t < total; t++)
        istart[reach->item[t] + 1]++;
    for (size_t i = 0; i < nd; i++)
        istart[i + 1] += istart[i];
    for (size_t j = 0; j < nc; j++)
        for (size_t t = reach->start[j]; t < reach->start[j + 1]; t++)
            icand[istart[reach->item[t]] + cnt[reach->item[t]]++] = j;
    memset(cnt, 0, nd * sizeof *cnt);
    for (size_t q = 0; q < np; q++) {
        is_chosen[picks[q]] = 1;
        for (size_t t = reach->start[picks[q]]; t < reach->start[picks[q] + 1]; t++)
            cnt[reach->item[t]]++;
    }
    for (size_t j = 0; j < nc; j++)
        for (size_t t = reach->start[j]; t < reach->start[j + 1]; t++)
            if (cnt[reach->item[t]] == 0)
                free_w[j] += in->dw[reach->item[t]];
    double t0 = sv_clock_s();
    swaps = 0;
    swap_state ws = {in, reach, istart, icand, cnt, free_w, is_chosen};
    size_t since = 0; /* sites tried in vain since the last swap: np ends the single swaps */
    for (size_t q = 0;; q = (q + 1) % np) {
        if (since >= np) {
            if ((size_t)swaps >= max_swaps) {
                *stopped = 1;
                break;
            }
            if (!swap_drop_add(ctx, &ws, picks, np, tol, t0, time_s, stopped))
                break;
            swaps++;
            since = 0;
        }
        if (sv_ctx_interrupted(ctx) || (size_t)swaps >= max_swaps || sv_clock_s() - t0 > time_s) {
            *stopped = 1;
            break;
        }
        size_t s = picks[q], nt = 0;
        double loss = 0;
        for (size_t t = reach->start[s]; t < reach->start[s + 1]; t++) {
            size_t i = reach->item[t];
            if (cnt[i] != 1 || !(in->dw[i] > 0))
                continue;
            loss += in->dw[i];
            for (size_t u = istart[i]; u < istart[i + 1]; u++) {
                size_t c = icand[u];
                if (extra[c] == 0)
                    touched[nt++] = c;
                extra[c] += in->dw[i];
            }
        }
        /* the best replacement of s; ties to the smaller candidate index */
        size_t best = SIZE_MAX;
        double best_gain = tol;
        for (size_t c = 0; c < nc; c++) {
            if (is_chosen[c])
                continue;
            double gain = free_w[c] + extra[c] - loss;
            if (gain > best_gain) {
                best_gain = gain;
                best = c;
            }
        }
        for (size_t u = 0; u < nt; u++)
            extra[touched[u]] = 0;
        if (best == SIZE_MAX) {
            since++;
            continue;
        }
        /* out with s, in with best: counts and free weights follow */
        for (size_t t = reach->start[s]; t < reach->start[s + 1]; t++) {
            size_t i = reach->item[t];
            if (--cnt[i] == 0)
                for (size_t u = istart[i]; u < istart[i + 1]; u++)
                    free_w[icand[u]] += in->dw[i];
        }
        for (size_t t = reach->start[best]; t < reach->start[best + 1]; t++) {
            size_t i = reach->item[t];
            if (cnt[i]++ == 0)
                for (size_t u = istart[i]; u < istart[i + 1]; u++)
                    free_w[icand[u]] -= in->dw[i];
        }
        is_chosen[s] = 0;
        is_chosen[best] = 1;
        picks[q] = best;
        swaps++;
        since = 0;
    }
done:
    free(cnt);
    free(istart);
    free(icand);
    free(touched);
    free(free_w);
    free(extra);
    free(is_chosen);
    return swaps;
}

/* ---- exact model ---- */

typedef struct {
    uint64_t hash;
    size_t j;
} cand_key;

static int cmp_key(const void *a, const void *b)
{
    const cand_key *x = a, *y = b;
    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    return x->j < y->j ? -1 : x->j > y->j;
}

static uint64_t list_hash(const lists *l, size_t j)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t t = l->start[j]; t < l->start[j + 1]; t++) {
        h ^= (uint64_t)l->item[t] + 0x9e3779b97f4a7c15ull;
        h *= 1099511628211ull;
    }
    return h;
}

static int same_list(const lists *l, size_t a, size_t b)
{
    size_t na = l->start[a + 1] - l->start[a], nb = l->start[b + 1] - l->start[b];
    return na == nb && memcmp(&l->item[l->start[a]], &l->item[l->start[b]], na * sizeof *l->item) == 0;
}

/* Demand points reached by exactly the same columns (and in the same
 * district when floors apply) are one row of the model with their weights
 * summed: the optimum is unchanged and the model smaller. Rewrites groups,
 * gw and gd in place and returns the new number of groups. */
static size_t merge_groups(lists *groups, double *gw, int *gd, size_t ng, int by_district)
{
    cand_key *keys = sv_malloc((ng + 1) * sizeof *keys);
    size_t *rep = sv_malloc((ng + 1) * sizeof *rep);
    if (!keys || !rep) {
        free(keys);
        free(rep);
        return ng; /* merging is only an optimisation */
    }
    for (size_t g = 0; g < ng; g++) {
        keys[g] = (cand_key){list_hash(groups, g) ^ (by_district ? (uint64_t)(gd[g] + 2) * 0x100000001b3ull : 0), g};
        rep[g] = SIZE_MAX;
    }
    qsort(keys, ng, sizeof *keys, cmp_key);
    for (size_t a = 0; a < ng;) {
        size_t b = a;
        while (b < ng && keys[b].hash == keys[a].hash)
            b++;
        for (size_t u = a; u < b; u++) {
            size_t gu = keys[u].j;
            if (rep[gu] != SIZE_MAX)
                continue;
            rep[gu] = gu;
            for (size_t v = u + 1; v < b; v++) {
                size_t gv = keys[v].j;
                if (rep[gv] == SIZE_MAX && same_list(groups, gu, gv) && (!by_district || gd[gu] == gd[gv])) {
                    rep[gv] = gu;
                    gw[gu] += gw[gv];
                }
            }
        }
        a = b;
    }
    /* compact, keeping the original order of the representatives */
    size_t n = 0, at = 0;
    for (size_t g = 0; g < ng; g++) {
        if (rep[g] != g)
            continue;
        size_t len = groups->start[g + 1] - groups->start[g];
        memmove(&groups->item[at], &groups->item[groups->start[g]], len * sizeof *groups->item);
        gw[n] = gw[g];
        gd[n] = gd[g];
        groups->start[n] = at;
        at += len;
        n++;
    }
    groups->start[n] = at;
    groups->n = n;
    free(keys);
    free(rep);
    return n;
}

static int is_subset(const size_t *a, size_t na, const size_t *b, size_t nb)
{
    size_t j = 0;
    for (size_t i = 0; i < na; i++) {
        while (j < nb && b[j] < a[i])
            j++;
        if (j == nb || b[j] != a[i])
            return 0;
    }
    return 1;
}

/* A column that reaches only groups another column reaches too is never
 * needed: an optimum can always swap it for the other. Drops those
 * columns, renumbers the rest in groups and cand_of, and sets remap[c] to
 * the new column standing for old column c. Returns the new column count,
 * or ncol unchanged when memory is short (dropping is an optimisation). */
static size_t drop_dominated(lists *groups, size_t ng, size_t ncol, size_t *cand_of, size_t *remap)
{
    lists cols;
    size_t *dom = sv_malloc((ncol + 1) * sizeof *dom), *fill = sv_calloc(ncol + 1, sizeof *fill);
    if (!dom || !fill || lists_init(&cols, ncol) != 0) {
        free(dom);
        free(fill);
        for (size_t c = 0; c < ncol; c++)
            remap[c] = c;
        return ncol;
    }
    size_t total = groups->start[ng];
    for (size_t t = 0; t < total; t++)
        fill[groups->item[t]]++;
    size_t at = 0;
    for (size_t c = 0; c < ncol; c++) {
        cols.start[c] = at;
        at += fill[c];
        fill[c] = 0;
    }
    cols.start[ncol] = at;
    cols.item = sv_malloc((at + 1) * sizeof *cols.item);
    if (!cols.item) {
        free(dom);
        free(fill);
        lists_free(&cols);
        for (size_t c = 0; c < ncol; c++)
            remap[c] = c;
        return ncol;
    }
    for (size_t g = 0; g < ng; g++) /* groups in order: column lists come out sorted */
        for (size_t t = groups->start[g]; t < groups->start[g + 1]; t++) {
            size_t c = groups->item[t];
            cols.item[cols.start[c] + fill[c]++] = g;
        }
    for (size_t c = 0; c < ncol; c++) {
        dom[c] = SIZE_MAX;
        size_t lc = cols.start[c + 1] - cols.start[c];
        if (lc == 0)
            continue;
        /* only columns in c's smallest group can hold all of c's groups */
        size_t gstar = cols.item[cols.start[c]];
        for (size_t t = cols.start[c]; t < cols.start[c + 1]; t++) {
            size_t g = cols.item[t];
            if (groups->start[g + 1] - groups->start[g] < groups->start[gstar + 1] - groups->start[gstar])
                gstar = g;
        }
        for (size_t t = groups->start[gstar]; t < groups->start[gstar + 1]; t++) {
            size_t o = groups->item[t];
            size_t lo = cols.start[o + 1] - cols.start[o];
            /* strictly larger, or as large and earlier: no cycles */
            if (o == c || lo < lc || (lo == lc && o > c))
                continue;
            if (is_subset(&cols.item[cols.start[c]], lc, &cols.item[cols.start[o]], lo)) {
                dom[c] = o;
                break;
            }
        }
    }
    size_t n = 0;
    for (size_t c = 0; c < ncol; c++)
        fill[c] = (dom[c] == SIZE_MAX && cols.start[c + 1] > cols.start[c]) ? n++ : SIZE_MAX;
    for (size_t c = 0; c < ncol; c++) {
        size_t x = c;
        while (dom[x] != SIZE_MAX)
            x = dom[x];
        remap[c] = fill[x];
    }
    for (size_t c = 0; c < ncol; c++)
        if (fill[c] != SIZE_MAX)
            cand_of[fill[c]] = cand_of[c];
    size_t w = 0;
    for (size_t g = 0; g < ng; g++) {
        size_t from = groups->start[g], to = groups->start[g + 1];
        groups->start[g] = w;
        for (size_t t = from; t < to; t++)
            if (fill[groups->item[t]] != SIZE_MAX)
                groups->item[w++] = fill[groups->item[t]];
    }
    groups->start[ng] = w;
    free(dom);
    free(fill);
    lists_free(&cols);
    return n;
}

/* Solve the reduced model with GLPK: demand not yet covered that some
 * candidate reaches, one column per distinct coverage list (the first
 * candidate of equal lists stands for all, which keeps ties to the smaller
 * index). Sets chosen[j] for the picked candidates. */
static sv_status exact_solve(sv_ctx *ctx, const sv_site_input *in, const lists *reach,
                             const unsigned char *base, const unsigned char *reachable, const double *floor_new,
                             double target_share, const size_t *greedy_picks, size_t n_greedy,
                             unsigned char *chosen, sv_mip_solution *sol)
{
    size_t nc = in->n_candidates, nd = in->n_demand;
    sv_status st = SV_OK;
    cand_key *keys = sv_malloc((nc + 1) * sizeof *keys);
    size_t *col_of = sv_malloc((nc + 1) * sizeof *col_of), *cand_of = sv_malloc((nc + 1) * sizeof *cand_of);
    size_t *group_of = sv_malloc((nd + 1) * sizeof *group_of);
    lists groups = {0};
    double *gw = sv_malloc((nd + 1) * sizeof *gw);
    int *gd = sv_malloc((nd + 1) * sizeof *gd);
    unsigned char *start = sv_calloc(nc + 1, 1);
    if (!keys || !col_of || !cand_of || !group_of || !gw || !gd || !start) {
        st = SV_ERR_NOMEM;
        goto done;
    }
    size_t nk = 0;
    for (size_t j = 0; j < nc; j++) {
        col_of[j] = SIZE_MAX;
        if (reach->start[j + 1] > reach->start[j])
            keys[nk++] = (cand_key){list_hash(reach, j), j};
    }
    qsort(keys, nk, sizeof *keys, cmp_key);
    size_t ncol = 0;
    for (size_t a = 0; a < nk;) {
        size_t b = a;
        while (b < nk && keys[b].hash == keys[a].hash)
            b++;
        /* within a hash run, equal lists share a column (rarely, different
         * lists share a hash: compare) */
        for (size_t u = a; u < b; u++) {
            if (col_of[keys[u].j] != SIZE_MAX)
                continue;
            col_of[keys[u].j] = ncol;
            cand_of[ncol] = keys[u].j;
            for (size_t v = u + 1; v < b; v++)
                if (col_of[keys[v].j] == SIZE_MAX && same_list(reach, keys[u].j, keys[v].j))
                    col_of[keys[v].j] = ncol;
            ncol++;
        }
        a = b;
    }
    /* groups: uncovered, reachable demand with weight */
    size_t ng = 0;
    for (size_t i = 0; i < nd; i++) {
        group_of[i] = SIZE_MAX;
        if (!base[i] && reachable[i] && in->dw[i] > 0) {
            group_of[i] = ng;
            gw[ng] = in->dw[i];
            gd[ng] = in->ddistrict ? in->ddistrict[i] : -1;
            ng++;
        }
    }
    /* transpose: group -> columns */
    size_t *count = sv_calloc(ng + 1, sizeof *count);
    if (!count || lists_init(&groups, ng) != 0) {
        free(count);
        st = SV_ERR_NOMEM;
        goto done;
    }
    for (size_t c = 0; c < ncol; c++) {
        size_t j = cand_of[c];
        for (size_t t = reach->start[j]; t < reach->start[j + 1]; t++)
            if (group_of[reach->item[t]] != SIZE_MAX)
                count[group_of[reach->item[t]]]++;
    }
    size_t total = 0;
    for (size_t g = 0; g < ng; g++) {
        groups.start[g] = total;
        total += count[g];
    }
    groups.start[ng] = total;
    groups.item = sv_malloc((total + 1) * sizeof *groups.item);
    if (!groups.item) {
        free(count);
        st = SV_ERR_NOMEM;
        goto done;
    }
    memset(count, 0, (ng + 1) * sizeof *count);
    for (size_t c = 0; c < ncol; c++) {
        size_t j = cand_of[c];
        for (size_t t = reach->start[j]; t < reach->start[j + 1]; t++) {
            size_t g = group_of[reach->item[t]];
            if (g != SIZE_MAX)
                groups.item[groups.start[g] + count[g]++] = c;
        }
    }
    free(count);
    ng = merge_groups(&groups, gw, gd, ng, floor_new != NULL);
    size_t *remap = sv_malloc((ncol + 1) * sizeof *remap);
    if (!remap) {
        st = SV_ERR_NOMEM;
        goto done;
    }
    ncol = drop_dominated(&groups, ng, ncol, cand_of, remap);
    for (size_t k = 0; k < n_greedy; k++) /* a dominated pick gives way to its dominator */
        if (col_of[greedy_picks[k]] != SIZE_MAX && remap[col_of[greedy_picks[k]]] != SIZE_MAX)
            start[remap[col_of[greedy_picks[k]]]] = 1;
    free(remap);

    sv_mip_problem p = {
        .kind = in->model == SV_SITE_MCLP ? SV_MIP_MCLP : SV_MIP_LSCP,
        .n_groups = ng,
        .n_cands = ncol,
        .weight = gw,
        .gstart = groups.start,
        .gcand = groups.item,
        .k = in->k,
        .gdistrict = floor_new ? gd : NULL,
        .n_districts = in->n_districts,
        .floor_weight = floor_new,
        .start = start,
        .time_limit_s = in->time_limit_s,
        .mps_path = in->mps_path,
        .solver = in->solver_cbc ? SV_MIP_CBC : SV_MIP_GLPK,
    };
    if (in->model == SV_SITE_LSCP && target_share > 0) {
        double all = 0, have = 0;
        for (size_t i = 0; i < nd; i++) {
            all += in->dw[i];
            if (base[i])
                have += in->dw[i];
        }
        p.need_weight = fmax(0.0, target_share * all - have);
        if (p.need_weight <= 0)
            p.n_groups = 0; /* the stations already reach the target */
    }
    st = sv_mip_solve(ctx, &p, sol);
    if (st == SV_OK && sol->feasible)
        for (size_t c = 0; c < ncol; c++)
            if (sol->x[c])
                chosen[cand_of[c]] = 1;
done:
    free(keys);
    free(col_of);
    free(cand_of);
    free(group_of);
    free(gw);
    free(gd);
    free(start);
    lists_free(&groups);
    if (st == SV_ERR_NOMEM)
        sv_error(ctx, st, "out of memory building the exact siting model");
    return st;
}

/* ---- driver ---- */

/* Append to the result's note, "; " between parts. */
static void note_add(sv_site_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note_add(sv_site_result *r, const char *fmt, ...)
{
    size_t n = strlen(r->note);
    if (n > 0 && n + 2 < sizeof r->note) {
        memcpy(r->note + n, "; ", 3);
        n += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->note + n, sizeof r->note - n, fmt, ap);
    va_end(ap);
}

/* Whether the greedy sites g beat the sites e (by more than tol): with
 * floors, the weight of the floors reached first, then the covered weight;
 * for LSCP (every answer meets the target) the fewer sites. per_district
 * is scratch. */
static int greedy_is_better(const sv_site_input *in, const unsigned char *base, unsigned char *scratch,
                            const lists *reach,
                            const double *floor, const size_t *e, size_t ne, const size_t *g, size_t ng,
                            double tol, double *per_district)
{
    if (in->model == SV_SITE_LSCP)
        return ng < ne;
    if (floor) {
        double fe = 0, fg = 0;
        covered_with(in, base, scratch, reach, e, ne, per_district);
        for (size_t d = 0; d < in->n_districts; d++)
            fe += fmin(per_district[d], floor[d]);
        covered_with(in, base, scratch, reach, g, ng, per_district);
        for (size_t d = 0; d < in->n_districts; d++)
            fg += fmin(per_district[d], floor[d]);
        if (fabs(fe - fg) > tol)
            return fg > fe;
    }
    return covered_with(in, base, scratch, reach, g, ng, NULL) > covered_with(in, base, scratch, reach, e, ne, NULL) + tol;
}

/* ---- capacitated MCLP ---- */

/* Demand is assigned to open sites within reach, each site serving at most
 * its capacity. The greedy opens the site with the largest assignable
 * weight (its capacity, or the unassigned weight it reaches when less) and
 * assigns the demand it reaches, the points the fewest candidates reach
 * first (they have the fewest other chances), until it is full; gains only
 * shrink as demand is assigned, so the lazy evaluation stays exact. */
typedef struct {
    const sv_site_input *in;
    const lists *reach;
    double *remaining;     /* unassigned weight per demand point */
    const size_t *n_reach; /* candidates reaching each demand point */
} cap_state;

static double cap_gain(const cap_state *c, size_t j)
{
    double s = 0;
    for (size_t t = c->reach->start[j]; t < c->reach->start[j + 1]; t++)
        s += c->remaining[c->reach->item[t]];
    return fmin(s, fmax(0.0, c->in->capacity[j]));
}

static int cmp_flex(const void *a, const void *b, void *arg)
{
    const size_t *nr = arg;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    if (nr[x] != nr[y])
        return nr[x] < nr[y] ? -1 : 1;
    return x < y ? -1 : x > y;
}

static double cap_take(cap_state *c, size_t j, size_t *buf)
{
    size_t n = 0;
    for (size_t t = c->reach->start[j]; t < c->reach->start[j + 1]; t++)
        if (c->remaining[c->reach->item[t]] > 0)
            buf[n++] = c->reach->item[t];
    qsort_r(buf, n, sizeof *buf, cmp_flex, (void *)c->n_reach);
    double left = fmax(0.0, c->in->capacity[j]);
    for (size_t k = 0; k < n && left > 0; k++) {
        double a = fmin(c->remaining[buf[k]], left);
        c->remaining[buf[k]] = a >= c->remaining[buf[k]] ? 0.0 : c->remaining[buf[k]] - a;
        left -= a;
    }
    return fmax(0.0, c->in->capacity[j]) - fmax(0.0, left);
}

/* Greedy picks into out->chosen/out->load; returns the count or -1. */
static long cap_greedy(cap_state *c, size_t max_picks, size_t *picks, double *loads)
{
    size_t nc = c->in->n_candidates, n = 0, longest = 0;
    heap_item *hp = sv_malloc((nc + 1) * sizeof *hp);
    for (size_t j = 0; j < nc; j++)
        if (c->reach->start[j + 1] - c->reach->start[j] > longest)
            longest = c->reach->start[j + 1] - c->reach->start[j];
    size_t *buf = sv_malloc((longest + 1) * sizeof *buf);
    if (!hp || !buf) {
        free(hp);
        free(buf);
        return -1;
    }
    for (size_t j = 0; j < nc; j++) {
        heap_item it = {cap_gain(c, j), j, 0};
        if (it.gain > 0)
            heap_push(hp, &n, it);
    }
    size_t picked = 0;
    while (n > 0 && picked < max_picks) {
        heap_item top = heap_pop(hp, &n);
        if (top.round != picked) {
            top.gain = cap_gain(c, top.j);
            top.round = picked;
            if (top.gain > 0)
                heap_push(hp, &n, top);
            continue;
        }
        picks[picked] = top.j;
        loads[picked] = cap_take(c, top.j, buf);
        picked++;
    }
    free(hp);
    free(buf);
    return (long)picked;
}

typedef struct {
    size_t j;
    double load;
} ranked_site;

static int cmp_ranked(const void *a, const void *b)
{
    const ranked_site *x = a, *y = b;
    if (x->load != y->load)
        return x->load > y->load ? -1 : 1;
    return x->j < y->j ? -1 : x->j > y->j;
}

static sv_status capacitated_solve(sv_ctx *ctx, const sv_site_input *in, const lists *reach,
                                   const unsigned char *base, sv_site_result *out)
{
    size_t nd = in->n_demand, nc = in->n_candidates, ndist = in->n_districts, k = (size_t)in->k;
    sv_status st = SV_OK;
    double *remaining = sv_malloc((nd + 1) * sizeof *remaining);
    size_t *n_reach = sv_calloc(nd + 1, sizeof *n_reach);
    size_t *group_of = NULL, *col_of = NULL, *cand_of = NULL, *fill = NULL;
    double *gw = NULL, *capcol = NULL;
    int *gd = NULL;
    ranked_site *rk = NULL;
    sv_mip_solution sol = {0};
    lists groups = {0};
    out->load = sv_calloc(k + 1, sizeof *out->load);
    if (!remaining || !n_reach || !out->load) {
        st = SV_ERR_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < nd; i++)
        remaining[i] = base[i] ? 0.0 : in->dw[i];
    for (size_t t = 0; t < reach->start[nc]; t++)
        n_reach[reach->item[t]]++;
    double t0 = sv_clock_s();
    cap_state c = {in, reach, remaining, n_reach};
    long picked = cap_greedy(&c, k, out->chosen, out->load);
    if (picked < 0) {
        st = SV_ERR_NOMEM;
        goto done;
    }
    out->greedy_s = sv_clock_s() - t0;
    out->n_chosen = out->greedy_sites = (size_t)picked;
    double greedy_new = 0;
    for (size_t r = 0; r < out->n_chosen; r++)
        greedy_new += out->load[r];
    out->greedy_objective = out->existing_covered + greedy_new;
    double chosen_new = greedy_new;
    for (size_t d = 0; d < ndist; d++)
        out->district_after[d] = out->district_before[d];
    for (size_t i = 0; i < nd && in->ddistrict; i++)
        if (!base[i] && in->ddistrict[i] >= 0)
            out->district_after[in->ddistrict[i]] += in->dw[i] - remaining[i];

    if (in->exact) {
        /* Groups: demand not covered yet that some candidate reaches, with
         * its candidates; the same candidates and district make one group
         * (demand may be split, so the optimum is unchanged). Columns:
         * every candidate reaching something (with capacities, neither
         * equal nor dominated columns can be dropped). */
        group_of = sv_malloc((nd + 1) * sizeof *group_of);
        gw = sv_malloc((nd + 1) * sizeof *gw);
        gd = sv_malloc((nd + 1) * sizeof *gd);
        col_of = sv_malloc((nc + 1) * sizeof *col_of);
        cand_of = sv_malloc((nc + 1) * sizeof *cand_of);
        capcol = sv_malloc((nc + 1) * sizeof *capcol);
        if (!group_of || !gw || !gd || !col_of || !cand_of || !capcol) {
            st = SV_ERR_NOMEM;
            goto done;
        }
        size_t ng = 0, ncol = 0;
        for (size_t i = 0; i < nd; i++) {
            group_of[i] = SIZE_MAX;
            if (!base[i] && n_reach[i] > 0 && in->dw[i] > 0) {
                group_of[i] = ng;
                gw[ng] = in->dw[i];
                gd[ng] = in->ddistrict ? in->ddistrict[i] : -1;
                ng++;
            }
        }
        for (size_t j = 0; j < nc; j++) {
            col_of[j] = SIZE_MAX;
            if (reach->start[j + 1] > reach->start[j]) {
                col_of[j] = ncol;
                cand_of[ncol] = j;
                capcol[ncol] = fmax(0.0, in->capacity[j]);
                ncol++;
            }
        }
        if (lists_init(&groups, ng) != 0 || !(fill = sv_calloc(ng + 1, sizeof *fill))) {
            st = SV_ERR_NOMEM;
            goto done;
        }
        size_t total = 0;
        for (size_t t = 0; t < reach->start[nc]; t++)
            if (group_of[reach->item[t]] != SIZE_MAX)
                fill[group_of[reach->item[t]]]++;
        for (size_t g = 0; g < ng; g++) {
            groups.start[g] = total;
            total += fill[g];
            fill[g] = 0;
        }
        groups.start[ng] = total;
        if (!(groups.item = sv_malloc((total + 1) * sizeof *groups.item))) {
            st = SV_ERR_NOMEM;
            goto done;
        }
        for (size_t j = 0; j < nc; j++) /* ascending columns in each group */
            for (size_t t = reach->start[j]; t < reach->start[j + 1]; t++) {
                size_t g = group_of[reach->item[t]];
                if (g != SIZE_MAX)
                    groups.item[groups.start[g] + fill[g]++] = col_of[j];
            }
        ng = merge_groups(&groups, gw, gd, ng, 1);
        sv_mip_problem p = {
            .kind = SV_MIP_MCLP, .n_groups = ng, .n_cands = ncol, .weight = gw, .gstart = groups.start,
            .gcand = groups.item, .k = in->k, .capacity = capcol, .time_limit_s = in->time_limit_s,
            .mps_path = in->mps_path, .solver = in->solver_cbc ? SV_MIP_CBC : SV_MIP_GLPK,
        };
        st = sv_mip_solve(ctx, &p, &sol);
        out->exact_s = sol.seconds;
        out->timed_out = sol.timed_out;
        if (st != SV_OK)
            goto done;
        double tol = 1e-9 * fmax(1.0, out->total_weight);
        int use = sol.feasible && sol.load && (sol.proven || sol.objective > greedy_new + tol);
        if (use) {
            rk = sv_malloc((ncol + 1) * sizeof *rk);
            if (!rk) {
                st = SV_ERR_NOMEM;
                goto done;
            }
            size_t n = 0;
            for (size_t cc = 0; cc < ncol; cc++)
                if (sol.x[cc] && sol.load[cc] > tol) /* an open site serving nobody is not proposed */
                    rk[n++] = (ranked_site){cand_of[cc], sol.load[cc]};
            qsort(rk, n, sizeof *rk, cmp_ranked);
            chosen_new = 0;
            for (size_t r = 0; r < n && r < k; r++) {
                out->chosen[r] = rk[r].j;
                out->load[r] = rk[r].load;
                chosen_new += rk[r].load;
            }
            out->n_chosen = n < k ? n : k;
            for (size_t d = 0; d < ndist; d++)
                out->district_after[d] = out->district_before[d];
            for (size_t g = 0; g < ng; g++)
                if (gd[g] >= 0 && (size_t)gd[g] < ndist)
                    out->district_after[gd[g]] += gw[g] * fmin(1.0, sol.cover[g]);
        }
        out->solver = use ? (in->solver_cbc ? "cbc" : "glpk") : "greedy";
        out->proven_optimal = use && sol.proven;
        if (out->proven_optimal) {
            out->gap = 0;
            out->bound = out->existing_covered + sol.objective;
        } else if (isfinite(sol.bound)) {
            out->bound = out->existing_covered + sol.bound;
            if (chosen_new > 0)
                out->gap = fabs(sol.bound - chosen_new) / chosen_new;
        }
        if (sol.timed_out)
            note_add(out, "exact solve stopped at the time limit (%g s); %s is kept", in->time_limit_s,
                     use ? "the best answer it found" : "the greedy answer");
        else if (!sol.feasible)
            note_add(out, "the exact model has no solution; the greedy answer is kept");
    }
    for (size_t r = 0; r < out->n_chosen; r++)
        out->gain[r] = out->load[r];
    out->objective = out->existing_covered + chosen_new;
    if (out->n_chosen < k)
        note_add(out, "only %zu of the %d new sites serve demand; the others would add nothing", out->n_chosen,
                 in->k);
done:
    if (st == SV_ERR_NOMEM)
        sv_error(ctx, st, "out of memory for the capacitated siting model");
    free(remaining);
    free(n_reach);
    free(group_of);
    free(col_of);
    free(cand_of);
    free(fill);
    free(gw);
    free(capcol);
    free(gd);
    free(rk);
    free(sol.x);
    free(sol.load);
    free(sol.cover);
    lists_free(&groups);
    return st;
}

void sv_site_result_free(sv_site_result *r)
{
    if (!r)
        return;
    free(r->chosen);
    free(r->gain);
    free(r->district_total);
    free(r->district_before);
    free(r->district_after);
    free(r->district_floor);
    free(r->load);
    memset(r, 0, sizeof *r);
}

sv_status sv_site_solve(sv_ctx *ctx, const sv_site_input *in, sv_site_result *out)
{
    memset(out, 0, sizeof *out);
    out->gap = NAN;
    out->bound = NAN;
    out->swap_objective = NAN;
    out->solver = "greedy";
    size_t nd = in->n_demand, nc = in->n_candidates, ndist = in->n_districts;
    if (!(in->radius_m > 0) || !isfinite(in->radius_m))
        return sv_error(ctx, SV_ERR_USAGE, "the siting radius must be a positive distance in metres");
    if (nc == 0)
        return sv_error(ctx, SV_ERR_DATA, "there are no candidate sites; give --candidates or a --grid spacing");
    if (in->model == SV_SITE_MCLP && in->k < 1)
        return sv_error(ctx, SV_ERR_USAGE, "--k must be at least 1 for the maximal coverage model");
    if (in->capacity && (in->model != SV_SITE_MCLP || in->min_district_share > 0))
        return sv_error(ctx, SV_ERR_USAGE, "a site capacity goes with --model mclp without --min-district-share");
    if ((in->station_reach && in->station_reach->n != in->n_stations) ||
        (in->cand_reach && in->cand_reach->n != nc))
        return sv_error(ctx, SV_ERR_INTERNAL, "internal: reach lists for %zu stations and %zu candidates, not %zu "
                        "and %zu", in->station_reach ? in->station_reach->n : 0, in->cand_reach ? in->cand_reach->n : 0,
                        in->n_stations, nc);
    if (in->model == SV_SITE_MCLP && (size_t)in->k > nc)
        return sv_error(ctx, SV_ERR_USAGE, "--k %d is more than the %zu candidate sites; lower --k or add candidates",
                        in->k, nc);

    sv_status st = SV_OK;
    sv_geos *h = sv_geos_create();
    sv_index *tree = h ? sv_index_create(h) : NULL;
    unsigned char *base = sv_calloc(nd + 1, 1), *reachable = sv_calloc(nd + 1, 1), *cov = sv_calloc(nd + 1, 1);
    unsigned char *chosen = sv_calloc(nc + 1, 1), *scratch = sv_malloc(nd + 1);
    lists from_stations = {0}, reach = {0};
    size_t max_picks = in->model == SV_SITE_MCLP ? (size_t)in->k : nc;
    out->chosen = sv_calloc(max_picks + 1, sizeof *out->chosen);
    out->gain = sv_calloc(max_picks + 1, sizeof *out->gain);
    out->district_total = sv_calloc(ndist + 1, sizeof(double));
    out->district_before = sv_calloc(ndist + 1, sizeof(double));
    out->district_after = sv_calloc(ndist + 1, sizeof(double));
    out->district_floor = sv_calloc(ndist + 1, sizeof(double));
    double *deficit = sv_calloc(ndist + 1, sizeof *deficit), *floor_new = sv_calloc(ndist + 1, sizeof *floor_new);
    double *reach_d = sv_calloc(ndist + 1, sizeof *reach_d);
    size_t *greedy_chosen = NULL; /* the greedy answer, kept beside the exact one */
    double *greedy_gain = NULL;
    if (!tree || !base || !reachable || !cov || !chosen || !scratch || !out->chosen || !out->gain || !out->district_total ||
        !out->district_before || !out->district_after || !out->district_floor || !deficit || !floor_new ||
        !reach_d) {
        st = sv_error(ctx, SV_ERR_NOMEM, "out of memory for the siting model");
        goto done;
    }
    for (size_t i = 0; i < nd; i++) {
        sv_env e = {in->dx[i], in->dy[i], in->dx[i], in->dy[i]};
        if (sv_index_insert(h, tree, i, &e) != 0) {
            st = sv_error(ctx, SV_ERR_NOMEM, "out of memory indexing demand");
            goto done;
        }
        out->total_weight += in->dw[i];
    }
    /* What the existing stations already cover. */
    st = in->station_reach ? given_lists(ctx, in->station_reach, in->n_stations, NULL, &from_stations)
                           : reach_lists(ctx, h, tree, in, in->sx, in->sy, in->n_stations, NULL, &from_stations);
    if (st != SV_OK)
        goto done;
    for (size_t t = 0; t < from_stations.start[in->n_stations]; t++)
        base[from_stations.item[t]] = 1;
    /* What each candidate would add. */
    st = in->cand_reach ? given_lists(ctx, in->cand_reach, nc, base, &reach)
                        : reach_lists(ctx, h, tree, in, in->cx, in->cy, nc, base, &reach);
    if (st != SV_OK)
        goto done;
    for (size_t t = 0; t < reach.start[nc]; t++)
        reachable[reach.item[t]] = 1;
    for (size_t i = 0; i < nd; i++) {
        int d = in->ddistrict ? in->ddistrict[i] : -1;
        if (base[i])
            out->existing_covered += in->dw[i];
        if (base[i] || reachable[i])
            out->coverable_weight += in->dw[i];
        else
            out->n_uncoverable++;
        if (d >= 0) {
            out->district_total[d] += in->dw[i];
            if (base[i])
                out->district_before[d] += in->dw[i];
            if (base[i] || reachable[i])
                reach_d[d] += in->dw[i];
        }
    }

    if (in->capacity) {
        st = capacitated_solve(ctx, in, &reach, base, out);
        goto done;
    }

    /* LSCP: a target above what any choice of sites can reach cannot be
     * met; it is capped at every coverable point (as without --target),
     * and the note says so. Within rounding of that, it is the same. */
    double target = in->model == SV_SITE_LSCP ? in->target_share : 0;
    out->target_share = target;
    if (target > 0 && out->total_weight > 0) {
        double tol = 1e-9 * out->total_weight;
        if (target * out->total_weight > out->coverable_weight + tol) {
            out->target_capped = 1;
            out->target_share = out->coverable_weight / out->total_weight;
            note_add(out,
                     "--target %.4g%% is more than the %.4g%% of the demand weight that any sites can reach "
                     "(%zu demand point%s out of reach of every candidate and station); the target was capped "
                     "at that share: every coverable point",
                     100.0 * target, 100.0 * out->target_share, out->n_uncoverable,
                     out->n_uncoverable == 1 ? " is" : "s are");
        }
        if (target * out->total_weight >= out->coverable_weight - tol)
            target = 0;
    }

    /* Greedy. */
    double t0 = sv_clock_s();
    memcpy(cov, base, nd);
    greedy_state g = {in, &reach, cov, NULL, NULL};
    long picked = 0;
    int floors = in->model == SV_SITE_MCLP && in->min_district_share > 0 && in->ddistrict && ndist > 0;
    if (floors) {
        /* The floor of a district is the share asked for, or all it can get. */
        for (size_t d = 0; d < ndist; d++) {
            out->district_floor[d] = fmin(in->min_district_share * out->district_total[d], reach_d[d]);
            floor_new[d] = fmax(0.0, out->district_floor[d] - out->district_before[d]);
            deficit[d] = floor_new[d];
        }
        g.deficit = deficit;
        picked = greedy_run(&g, max_picks, 0, out->chosen, out->gain, 0);
        g.deficit = NULL;
    }
    if (picked >= 0 && (size_t)picked < max_picks) {
        double stop = 0;
        if (target > 0)
            stop = fmax(0.0, target * out->total_weight - out->existing_covered);
        long more = (target > 0 && stop <= 0)
                        ? 0
                        : greedy_run(&g, max_picks - (size_t)picked, stop, out->chosen, out->gain, (size_t)picked);
        picked = more < 0 ? -1 : picked + more;
    }
    if (picked < 0) {
        st = sv_error(ctx, SV_ERR_NOMEM, "out of memory in the greedy search");
        goto done;
    }
    out->greedy_s = sv_clock_s() - t0;
    /* Floor phase gains count only deficits; report plain marginal gains. */
    out->n_chosen = (size_t)picked;
    out->greedy_sites = out->n_chosen;
    out->greedy_objective = covered_with(in, base, scratch, &reach, out->chosen, out->n_chosen, NULL);
    for (size_t k = 0; k < out->n_chosen; k++) {
        double before = covered_with(in, base, scratch, &reach, out->chosen, k, NULL);
        out->gain[k] = covered_with(in, base, scratch, &reach, out->chosen, k + 1, NULL) - before;
    }
    size_t n_greedy = out->n_chosen;
    if (in->exact) {
        /* The greedy answer stays unless GLPK brings a better one (the swapped sites are its start). */
        greedy_chosen = sv_malloc((n_greedy + 1) * sizeof *greedy_chosen);
        greedy_gain = sv_malloc((n_greedy + 1) * sizeof *greedy_gain);
        if (!greedy_chosen || !greedy_gain) {
            st = sv_error(ctx, SV_ERR_NOMEM, "out of memory for the siting model");
            goto done;
        }
        memcpy(greedy_chosen, out->chosen, n_greedy * sizeof *greedy_chosen);
        memcpy(greedy_gain, out->gain, n_greedy * sizeof *greedy_gain);
    }
    if (in->swap && in->model == SV_SITE_MCLP && !floors && out->n_chosen > 0) {
        /* The work is bounded: a few moves per site and ten times the greedy's time (ten seconds at least). */
        double t1 = sv_clock_s(), limit_s = fmax(10.0, 10.0 * out->greedy_s);
        size_t max_swaps = 50 * out->n_chosen;
        int stopped = 0;
        long ns = swap_search(ctx, in, &reach, out->chosen, out->n_chosen, 1e-9 * fmax(1.0, out->total_weight),
                              max_swaps, limit_s, &stopped);
        if (ns < 0) {
            st = sv_error(ctx, SV_ERR_NOMEM, "out of memory in the swap search");
            goto done;
        }
        if (sv_ctx_interrupted(ctx)) {
            st = sv_error(ctx, SV_ERR_INTERRUPTED, "interrupted during the swap search after the greedy");
            goto done;
        }
        if (ns > 0) {
            memset(chosen, 0, nc);
            for (size_t k = 0; k < out->n_chosen; k++)
                chosen[out->chosen[k]] = 1;
            long n = rank_sites(in, &reach, base, cov, chosen, max_picks, out->chosen, out->gain);
            if (n < 0) {
                st = sv_error(ctx, SV_ERR_NOMEM, "out of memory ranking sites");
                goto done;
            }
            out->n_chosen = (size_t)n;
        }
        out->n_swaps = (size_t)ns;
        out->swap_s = sv_clock_s() - t1;
        out->swap_objective = covered_with(in, base, scratch, &reach, out->chosen, out->n_chosen, NULL);
        if (stopped)
            note_add(out, "the swap search after the greedy stopped at its limit (%zu swaps or %.3g s) after %zu "
                     "swaps; more may improve the answer (--exact gives the optimum)",
                     max_swaps, limit_s, out->n_swaps);
        for (size_t k = 0; k < out->n_chosen; k++) {
            double before = covered_with(in, base, scratch, &reach, out->chosen, k, NULL);
            out->gain[k] = covered_with(in, base, scratch, &reach, out->chosen, k + 1, NULL) - before;
        }
    }

    if (in->exact) {
        sv_mip_solution sol = {0};
        memset(chosen, 0, nc);
        st = exact_solve(ctx, in, &reach, base, reachable, floors ? floor_new : NULL, target, out->chosen,
                         out->n_chosen, chosen, &sol);
        out->exact_s = sol.seconds;
        out->timed_out = sol.timed_out;
        int use_glpk = 0;
        if (st == SV_OK && sol.feasible) {
            long n = rank_sites(in, &reach, base, cov, chosen, max_picks, out->chosen, out->gain);
            if (n < 0) {
                st = sv_error(ctx, SV_ERR_NOMEM, "out of memory ranking sites");
            } else {
                out->n_chosen = (size_t)n;
                /* an answer found before the time ran out may be worse than
                 * the greedy's (GLPK had not taken it in yet) */
                use_glpk = sol.proven || !greedy_is_better(in, base, scratch, &reach, floors ? out->district_floor : NULL,
                                                           out->chosen, out->n_chosen, greedy_chosen, n_greedy,
                                                           1e-9 * fmax(1.0, out->total_weight), out->district_after);
            }
        }
        if (st == SV_OK) {
            if (!use_glpk) {
                memcpy(out->chosen, greedy_chosen, n_greedy * sizeof *out->chosen);
                memcpy(out->gain, greedy_gain, n_greedy * sizeof *out->gain);
                out->n_chosen = n_greedy;
            }
            out->solver = use_glpk ? (in->solver_cbc ? "cbc" : "glpk") : "greedy";
            out->proven_optimal = use_glpk && sol.proven;
            /* The bound in the result's units, and the gap of the answer
             * reported (in the model's units: new coverage or sites). */
            double model_obj = use_glpk ? sol.objective
                               : in->model == SV_SITE_LSCP ? (double)n_greedy
                               : floors ? NAN : out->greedy_objective - out->existing_covered;
            if (out->proven_optimal) {
                out->gap = 0.0;
                out->bound = in->model == SV_SITE_LSCP ? (double)out->n_chosen
                             : floors ? NAN : out->existing_covered + sol.bound;
            } else if (isfinite(sol.bound)) {
                if (in->model == SV_SITE_MCLP && !floors)
                    out->bound = out->existing_covered + sol.bound;
                else if (in->model == SV_SITE_LSCP)
                    out->bound = ceil(sol.bound - 1e-9);
                if (isfinite(model_obj) && model_obj != 0)
                    out->gap = fabs(sol.bound - model_obj) / fabs(model_obj);
            }
            char gap[64] = "";
            if (isfinite(out->gap))
                snprintf(gap, sizeof gap, ", within %.3g%% of the bound", 100.0 * out->gap);
            if (sol.timed_out)
                note_add(out, "exact solve stopped at the time limit (%g s) during the %s; %s is kept%s",
                         in->time_limit_s, sol.lp_done ? "branch-and-bound" : "LP relaxation",
                         use_glpk ? "the best answer it found" : "the greedy answer", gap);
            else if (!sol.feasible)
                note_add(out, "the exact model has no solution (%s found it infeasible after %.2f s); the greedy "
                         "answer is kept", in->solver_cbc ? "CBC" : "GLPK", sol.seconds);
            else if (!out->proven_optimal)
                note_add(out, "the exact solve ended without proving optimality; %s is kept%s",
                         use_glpk ? "the best answer it found" : "the greedy answer", gap);
        }
        free(sol.x);
        if (st != SV_OK)
            goto done;
    }
    out->objective = covered_with(in, base, scratch, &reach, out->chosen, out->n_chosen, out->district_after);
    if (ndist > 0 && in->ddistrict) {
        size_t unmet = 0;
        for (size_t d = 0; d < ndist; d++)
            if (floors && out->district_after[d] + 1e-9 < out->district_floor[d])
                unmet++;
        out->n_floor_unmet = unmet;
        /* "too few" only when proven; a heuristic answer may just miss */
        if (unmet && out->proven_optimal)
            note_add(out, "%zu district(s) stay below the floor of %.0f%%: %d new sites are too few; the answer "
                     "closes as much of each floor as they can, then covers the most demand",
                     unmet, 100.0 * in->min_district_share, in->k);
        else if (unmet)
            note_add(out, "%zu district(s) stay below the floor of %.0f%% with these %d new sites, an answer not "
                     "proven optimal (%s may close more); it closes as much of each floor as it can, then covers "
                     "the most demand",
                     unmet, 100.0 * in->min_district_share, in->k,
                     in->exact ? "a longer --time-limit" : "--exact");
    }
    if (in->model == SV_SITE_MCLP && out->n_chosen < (size_t)in->k &&
        out->objective >= out->coverable_weight - 1e-9 * fmax(1.0, out->total_weight))
        note_add(out, "only %zu of the %d new sites add coverage; every coverable demand point is covered with them",
                 out->n_chosen, in->k);
done:
    free(greedy_chosen);
    free(greedy_gain);
    lists_free(&from_stations);
    lists_free(&reach);
    free(base);
    free(reachable);
    free(cov);
    free(chosen);
    free(scratch);
    free(deficit);
    free(floor_new);
    free(reach_d);
    sv_index_destroy(h, tree);
    sv_geos_destroy(h);
    return st;
}
