/* population.c - population surface, redundancy classes, fairness statistics. */
#include "svcov/sv_people.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const char *sv_pop_method_name(sv_pop_method m)
{
    switch (m) {
    case SV_POP_DISTRICT_FIELD: return "district-field-areal";
    case SV_POP_AREAL: return "areal";
    case SV_POP_DASYMETRIC: return "dasymetric";
    case SV_POP_RASTER: return "raster";
    default: return "none";
    }
}

typedef struct {
    sv_geom *g;
    double people, area;
    sv_env env;
} piece;

struct sv_popsurf {
    sv_geos *h;
    piece *pieces;
    size_t n_pieces, cap_pieces;
    double *px, *py, *pw;
    size_t n_points, cap_points;
    sv_index *piece_tree, *point_tree;
    size_t *hits, n_hits, cap_hits;
    double total;
    unsigned char **wkb; /* the pieces as WKB for copies on other threads (sv_popsurf_share) */
    size_t *wkb_len;
};

sv_popsurf *sv_popsurf_create(sv_geos *h)
{
    sv_popsurf *p = sv_calloc(1, sizeof *p);
    if (p)
        p->h = h;
    return p;
}

void sv_popsurf_destroy(sv_popsurf *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_pieces; i++)
        sv_geom_destroy(p->h, p->pieces[i].g);
    free(p->pieces);
    free(p->px);
    free(p->py);
    free(p->pw);
    sv_index_destroy(p->h, p->piece_tree);
    sv_index_destroy(p->h, p->point_tree);
    sv_free(p->hits);
    for (size_t i = 0; p->wkb && i < p->n_pieces; i++)
        sv_free(p->wkb[i]);
    free(p->wkb);
    free(p->wkb_len);
    free(p);
}

int sv_popsurf_share(sv_popsurf *p)
{
    if (p->wkb)
        return 0;
    p->wkb = sv_calloc(p->n_pieces + 1, sizeof *p->wkb);
    p->wkb_len = sv_calloc(p->n_pieces + 1, sizeof *p->wkb_len);
    if (!p->wkb || !p->wkb_len)
        return -1;
    for (size_t i = 0; i < p->n_pieces; i++)
        if (!(p->wkb[i] = sv_geom_to_wkb(p->h, p->pieces[i].g, &p->wkb_len[i])))
            return -1;
    return 0;
}

/* Reads only src's WKB and plain arrays, so several threads may copy at
 * once; the copy's pieces, areas and index order are src's, so it counts
 * the same people to the last bit. */
sv_popsurf *sv_popsurf_copy(const sv_popsurf *src, sv_geos *h)
{
    if (!src->wkb)
        return NULL;
    sv_popsurf *p = sv_popsurf_create(h);
    if (!p)
        return NULL;
    p->pieces = sv_calloc(src->n_pieces + 1, sizeof *p->pieces);
    size_t np = src->n_points;
    p->px = sv_malloc((np + 1) * sizeof *p->px);
    p->py = sv_malloc((np + 1) * sizeof *p->py);
    p->pw = sv_malloc((np + 1) * sizeof *p->pw);
    if (!p->pieces || !p->px || !p->py || !p->pw)
        goto fail;
    p->cap_pieces = src->n_pieces + 1;
    for (size_t i = 0; i < src->n_pieces; i++) {
        p->pieces[i] = src->pieces[i];
        if (!(p->pieces[i].g = sv_geom_from_wkb(h, src->wkb[i], src->wkb_len[i])))
            goto fail;
        p->n_pieces = i + 1;
    }
    if (np) { /* no points: src's arrays may be NULL */
        memcpy(p->px, src->px, np * sizeof *p->px);
        memcpy(p->py, src->py, np * sizeof *p->py);
        memcpy(p->pw, src->pw, np * sizeof *p->pw);
    }
    p->n_points = np;
    p->cap_points = np + 1;
    p->total = src->total;
    if (sv_popsurf_build(p) != 0)
        goto fail;
    return p;
fail:
    sv_popsurf_destroy(p);
    return NULL;
}

int sv_popsurf_add_piece(sv_popsurf *p, sv_geom *g, double people)
{
    double area = g ? sv_geom_area(p->h, g) : -1;
    sv_env e;
    if (!g || !(area > 0) || sv_geom_envelope(p->h, g, &e) != 0) {
        sv_geom_destroy(p->h, g);
        return -1;
    }
    if (sv_grow(&p->pieces, &p->cap_pieces, p->n_pieces + 1, sizeof *p->pieces, 256) != 0) {
        sv_geom_destroy(p->h, g);
        return -1;
    }
    p->pieces[p->n_pieces++] = (piece){g, people, area, e};
    p->total += people;
    return 0;
}

int sv_popsurf_add_point(sv_popsurf *p, double x, double y, double people)
{
    if (p->n_points == p->cap_points) {
        size_t nc = p->cap_points ? 2 * p->cap_points : 1024;
        double *nx = sv_realloc(p->px, nc * sizeof *nx);
        if (!nx)
            return -1;
        p->px = nx;
        double *ny = sv_realloc(p->py, nc * sizeof *ny);
        if (!ny)
            return -1;
        p->py = ny;
        double *nw = sv_realloc(p->pw, nc * sizeof *nw);
        if (!nw)
            return -1;
        p->pw = nw;
        p->cap_points = nc;
    }
    p->px[p->n_points] = x;
    p->py[p->n_points] = y;
    p->pw[p->n_points++] = people;
    p->total += people;
    return 0;
}

int sv_popsurf_build(sv_popsurf *p)
{
    p->piece_tree = sv_index_create(p->h);
    p->point_tree = sv_index_create(p->h);
    if (!p->piece_tree || !p->point_tree)
        return -1;
    for (size_t i = 0; i < p->n_pieces; i++)
        if (sv_index_insert(p->h, p->piece_tree, i, &p->pieces[i].env) != 0)
            return -1;
    for (size_t i = 0; i < p->n_points; i++) {
        sv_env e = {p->px[i], p->py[i], p->px[i], p->py[i]};
        if (sv_index_insert(p->h, p->point_tree, i, &e) != 0)
            return -1;
    }
    return 0;
}

double sv_popsurf_total(const sv_popsurf *p)
{
    return p->total;
}

size_t sv_popsurf_pieces(const sv_popsurf *p)
{
    return p->n_pieces;
}

size_t sv_popsurf_points(const sv_popsurf *p)
{
    return p->n_points;
}

double sv_popsurf_in(sv_popsurf *p, const sv_geom *region)
{
    sv_env e;
    if (!region || sv_geom_is_empty(p->h, region) == 1 || sv_geom_envelope(p->h, region, &e) != 0)
        return 0.0;
    sv_prep *R = sv_prep_create(p->h, region);
    if (!R)
        return NAN;
    double sum = 0.0;
    p->n_hits = 0;
    if (p->n_pieces && sv_index_query(p->h, p->piece_tree, &e, &p->hits, &p->n_hits, &p->cap_hits) != 0)
        goto fail;
    for (size_t k = 0; k < p->n_hits; k++) {
        const piece *pc = &p->pieces[p->hits[k]];
        if (pc->env.xmin >= e.xmin && pc->env.xmax <= e.xmax && pc->env.ymin >= e.ymin && pc->env.ymax <= e.ymax) {
            int in = sv_prep_contains(p->h, R, pc->g);
            if (in < 0)
                goto fail;
            if (in) {
                sum += pc->people;
                continue;
            }
        }
        int meets = sv_prep_intersects(p->h, R, pc->g);
        if (meets < 0)
            goto fail;
        if (!meets)
            continue;
        sv_geom *cut = sv_geom_intersection(p->h, pc->g, region);
        double a = cut ? sv_geom_area(p->h, cut) : -1;
        sv_geom_destroy(p->h, cut);
        if (a < 0)
            goto fail;
        sum += pc->people * fmin(1.0, a / pc->area);
    }
    p->n_hits = 0;
    if (p->n_points && sv_index_query(p->h, p->point_tree, &e, &p->hits, &p->n_hits, &p->cap_hits) != 0)
        goto fail;
    for (size_t k = 0; k < p->n_hits; k++) {
        size_t i = p->hits[k];
        int in = sv_prep_covers_xy(p->h, R, p->px[i], p->py[i]);
        if (in < 0)
            goto fail;
        sum += in ? p->pw[i] : 0.0;
    }
    sv_prep_destroy(p->h, R);
    return sum;
fail:
    sv_prep_destroy(p->h, R);
    return NAN;
}

int sv_popsurf_dasymetric(sv_popsurf *surf, sv_geom *const *blocks, const double *block_people, size_t nb,
                          const double *bx, const double *by, const double *bweight, size_t nbld,
                          double *bpeople, size_t *n_blocks_empty)
{
    sv_geos *h = surf->h;
    *n_blocks_empty = 0;
    int rc = -1;
    sv_index *tree = sv_index_create(h);
    int *owner = sv_malloc((nbld + 1) * sizeof *owner);
    double *wsum = sv_calloc(nb + 1, sizeof *wsum);
    size_t *hits = NULL, nh = 0, ch = 0;
    if (!tree || !owner || !wsum)
        goto done;
    for (size_t i = 0; i < nb; i++) {
        sv_env e;
        if (blocks[i] && sv_geom_envelope(h, blocks[i], &e) == 0 && sv_index_insert(h, tree, i, &e) != 0)
            goto done;
    }
    /* Each building belongs to the first block (in input order) that covers it. */
    for (size_t j = 0; j < nbld; j++) {
        owner[j] = -1;
        bpeople[j] = 0.0;
        sv_env e = {bx[j], by[j], bx[j], by[j]};
        nh = 0;
        if (sv_index_query(h, tree, &e, &hits, &nh, &ch) != 0)
            goto done;
        size_t best = (size_t)-1;
        for (size_t k = 0; k < nh; k++) {
            if (hits[k] >= best)
                continue;
            sv_prep *P = sv_prep_create(h, blocks[hits[k]]);
            int in = P ? sv_prep_covers_xy(h, P, bx[j], by[j]) : -1;
            sv_prep_destroy(h, P);
            if (in < 0)
                goto done;
            if (in)
                best = hits[k];
        }
        if (best != (size_t)-1) {
            owner[j] = (int)best;
            wsum[best] += bweight[j];
        }
    }
    for (size_t j = 0; j < nbld; j++)
        if (owner[j] >= 0 && wsum[owner[j]] > 0) {
            bpeople[j] = block_people[owner[j]] * bweight[j] / wsum[owner[j]];
            if (bpeople[j] > 0 && sv_popsurf_add_point(surf, bx[j], by[j], bpeople[j]) != 0)
                goto done;
        }
    for (size_t i = 0; i < nb; i++)
        if (!(wsum[i] > 0) && block_people[i] > 0) {
            (*n_blocks_empty)++;
            sv_geom *g = sv_geom_clone(h, blocks[i]);
            if (!g || sv_popsurf_add_piece(surf, g, block_people[i]) != 0)
                goto done;
        }
    rc = 0;
done:
    sv_index_destroy(h, tree);
    sv_free(hits);
    free(owner);
    free(wsum);
    return rc;
}

void sv_redundancy_free(sv_redundancy *r)
{
    for (int c = 0; c < SV_REDUNDANCY_CLASSES; c++) {
        sv_free(r->wkb[c]);
        r->wkb[c] = NULL;
    }
}

static int list_push(sv_face_lists *L, size_t id, sv_geom *g)
{
    if (L->n[id] == 0) {
        if (sv_grow(&L->touched, &L->cap_touched, L->n_touched + 1, sizeof *L->touched, 16) != 0)
            return -1;
        L->touched[L->n_touched++] = id;
    }
    if (L->n[id] == L->cap[id]) {
        if (sv_grow(&L->geoms[id], &L->cap[id], L->n[id] + 1, sizeof *L->geoms[id], 4) != 0)
            return -1;
    }
    L->geoms[id][L->n[id]++] = g;
    return 0;
}

sv_status sv_redundancy_compute(sv_ctx *ctx, sv_geos *h, const sv_geom *region, const sv_geom *const *areas,
                                const size_t *ids, size_t n, sv_popsurf *surf, double own_people,
                                double *only_area, double *only_people, sv_face_lists *only_geoms,
                                sv_redundancy *r)
{
    sv_red_piece one = {region, areas, ids, n, 0, 0};
    return sv_redundancy_compute_pieces(ctx, h, region, &one, 1, surf, own_people, only_area, only_people, only_geoms,
                                        r);
}

/* The faces of one piece appended to *all, with the counts of the areas
 * covering the whole piece added and the station of a count-1 face in
 * owner (SIZE_MAX: none). */
static int piece_faces(sv_geos *h, const sv_red_piece *p, sv_face **all, size_t **owner, size_t *n, size_t *cap)
{
    sv_face *faces = NULL;
    size_t nf = 0;
    if (sv_geom_is_empty(h, p->region) == 1)
        return 0;
    if (p->n == 0 || p->base >= SV_REDUNDANCY_CLASSES - 1) { /* one class all over: no noding */
        sv_geom *g = sv_geom_clone(h, p->region);
        double area = g ? sv_geom_area(h, g) : -1;
        if (area < 0 || !(faces = sv_malloc(sizeof *faces))) {
            sv_geom_destroy(h, g);
            return -1;
        }
        faces[0] = (sv_face){g, area, 0, -1};
        nf = 1;
    } else if (sv_geom_overlay_faces_capped(h, p->region, p->areas, p->n, SV_REDUNDANCY_CLASSES - 1 - p->base, &faces,
                                            &nf) != 0) {
        return -1;
    }
    if (*n + nf > *cap) {
        size_t nc = *cap ? 2 * *cap : 64;
        while (nc < *n + nf)
            nc *= 2;
        sv_face *na = sv_realloc(*all, nc * sizeof *na);
        if (na)
            *all = na;
        size_t *no = na ? sv_realloc(*owner, nc * sizeof *no) : NULL;
        if (no)
            *owner = no;
        if (!na || !no) {
            sv_faces_free(h, faces, nf);
            return -1;
        }
        *cap = nc;
    }
    for (size_t f = 0; f < nf; f++) {
        sv_face fc = faces[f];
        size_t who = SIZE_MAX;
        if (fc.count == 0 && p->base == 1)
            who = p->base_only;
        else if (fc.count == 1 && p->base == 0 && fc.only >= 0)
            who = p->ids[fc.only];
        fc.count += p->base;
        (*all)[*n] = fc;
        (*owner)[(*n)++] = who;
    }
    free(faces); /* the geometries moved to *all */
    return 0;
}

sv_status sv_redundancy_compute_pieces(sv_ctx *ctx, sv_geos *h, const sv_geom *region, const sv_red_piece *pieces,
                                       size_t np, sv_popsurf *surf, double own_people,
                                       double *only_area, double *only_people, sv_face_lists *only_geoms,
                                       sv_redundancy *r)
{
    memset(r, 0, sizeof *r);
    sv_face *faces = NULL;
    size_t *owner = NULL, nf = 0, capf = 0;
    for (size_t k = 0; k < np; k++) {
        if (piece_faces(h, &pieces[k], &faces, &owner, &nf, &capf) != 0) {
            sv_faces_free(h, faces, nf);
            free(owner);
            return sv_error(ctx, SV_ERR_GEOM, "cannot cut a district by the service areas: %s", sv_geos_errmsg(h));
        }
    }
    return sv_redundancy_from_faces(ctx, h, region, faces, owner, nf, np == 1, surf, own_people, only_area,
                                    only_people, only_geoms, r);
}

sv_status sv_redundancy_from_faces(sv_ctx *ctx, sv_geos *h, const sv_geom *region, sv_face *faces, size_t *owner,
                                   size_t nf, int shared_edges, sv_popsurf *surf, double own_people,
                                   double *only_area, double *only_people, sv_face_lists *only_geoms,
                                   sv_redundancy *r)
{
    memset(r, 0, sizeof *r);
    double region_area = sv_geom_area(h, region);
    sv_status rc = SV_OK;
    if (only_geoms)
        only_geoms->apart = shared_edges == 2;
    sv_geom **cls[SV_REDUNDANCY_CLASSES] = {0};
    size_t ncls[SV_REDUNDANCY_CLASSES] = {0};
    for (int c = 0; c < SV_REDUNDANCY_CLASSES; c++) {
        cls[c] = sv_calloc(nf + 1, sizeof *cls[c]);
        if (!cls[c])
            rc = SV_ERR_NOMEM;
        r->people[c] = surf || own_people >= 0 ? 0.0 : NAN;
    }
    for (size_t f = 0; f < nf && rc == SV_OK; f++) {
        int c = faces[f].count < SV_REDUNDANCY_CLASSES - 1 ? faces[f].count : SV_REDUNDANCY_CLASSES - 1;
        double people = NAN;
        if (own_people >= 0)
            people = region_area > 0 ? own_people * faces[f].area / region_area : 0.0;
        else if (surf && !isfinite(people = sv_popsurf_in(surf, faces[f].geom)))
            rc = sv_error(ctx, SV_ERR_GEOM, "cannot count the people in a redundancy face: %s", sv_geos_errmsg(h));
        r->area[c] += faces[f].area;
        if (isfinite(people))
            r->people[c] += people;
        if (faces[f].count == 1 && owner[f] != SIZE_MAX) {
            size_t id = owner[f];
            if (only_area)
                only_area[id] += faces[f].area;
            if (only_people && isfinite(people))
                only_people[id] += people;
            if (only_geoms) {
                sv_geom *g = sv_geom_clone(h, faces[f].geom);
                if (!g || list_push(only_geoms, id, g) != 0) {
                    sv_geom_destroy(h, g);
                    rc = SV_ERR_NOMEM;
                }
            }
        }
        cls[c][ncls[c]++] = faces[f].geom;
        faces[f].geom = NULL; /* the class's union takes it */
    }
    for (int c = 0; c < SV_REDUNDANCY_CLASSES; c++) {
        if (rc == SV_OK && ncls[c]) {
            sv_geom *u = NULL;
            if (shared_edges == 2) { /* the class's faces meet at most at points */
                u = sv_geom_collect_take(h, cls[c], ncls[c]);
            } else if (shared_edges) {
                u = sv_geom_coverage_union_take(h, cls[c], ncls[c]);
            } else if (c == SV_REDUNDANCY_CLASSES - 1) {
                /* 3+ is most of a district in many pieces: the region
                 * less the few faces of the other classes */
                sv_geom *low[SV_REDUNDANCY_CLASSES - 1];
                size_t nl = 0;
                for (int l = 0; l < SV_REDUNDANCY_CLASSES - 1; l++)
                    if (r->wkb[l] && !(low[nl++] = sv_geom_from_wkb(h, r->wkb[l], r->len[l])))
                        rc = SV_ERR_GEOM;
                sv_geom *lu = rc == SV_OK && nl ? sv_geom_tiles_union_take(h, low, nl) : NULL;
                for (size_t l = 0; l < nl; l++)
                    sv_geom_destroy(h, low[l]);
                u = rc != SV_OK ? NULL : nl ? (lu ? sv_geom_difference(h, region, lu) : NULL) : sv_geom_clone(h, region);
                sv_geom_destroy(h, lu);
            } else {
                /* all the class's faces in one checked coverage union: the
                 * faces of one piece share their edges exactly, those of
                 * neighbouring pieces need not (then GEOS overlays them);
                 * merging each piece's faces first cost more than it saved */
                u = sv_geom_tiles_union_take(h, cls[c], ncls[c]);
            }
            sv_geom *p = u ? sv_geom_without_slivers(h, u, SV_SLIVER_TOL_M, NULL) : NULL;
            sv_geom_destroy(h, u);
            r->wkb[c] = p ? sv_geom_to_wkb(h, p, &r->len[c]) : NULL;
            sv_geom_destroy(h, p);
            if (!r->wkb[c])
                rc = sv_error(ctx, SV_ERR_GEOM, "cannot unite redundancy faces: %s", sv_geos_errmsg(h));
        }
        for (size_t q = 0; cls[c] && q < ncls[c]; q++)
            sv_geom_destroy(h, cls[c][q]);
        free(cls[c]);
    }
    sv_faces_free(h, faces, nf);
    free(owner);

    if (rc != SV_OK)
        sv_redundancy_free(r);
    return rc;
}

typedef struct {
    double v, w;
} vw;

static int cmp_vw(const void *a, const void *b)
{
    double x = ((const vw *)a)->v, y = ((const vw *)b)->v;
    return (x > y) - (x < y);
}

static vw *sorted_pairs(const double *values, const double *weights, size_t n, size_t *m, double *total)
{
    vw *p = sv_malloc((n + 1) * sizeof *p);
    *m = 0;
    *total = 0.0;
    if (!p)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!isnan(values[i]) && weights[i] > 0) {
            p[(*m)++] = (vw){values[i], weights[i]};
            *total += weights[i];
        }
    qsort(p, *m, sizeof *p, cmp_vw);
    return p;
}

double sv_weighted_quantile(const double *values, const double *weights, size_t n, double q)
{
    size_t m;
    double total;
    vw *p = sorted_pairs(values, weights, n, &m, &total);
    double r = NAN;
    if (p && m && total > 0) {
        double acc = 0.0, want = q * total;
        r = p[m - 1].v;
        for (size_t i = 0; i < m; i++) {
            acc += p[i].w;
            if (acc >= want * (1 - 1e-12)) {
                r = p[i].v;
                break;
            }
        }
    }
    free(p);
    return r;
}

double sv_gini(const double *shares, const double *weights, size_t n)
{
    /* G = sum_i sum_j w_i w_j |s_i - s_j| / (2 W^2 mean), computed in
     * O(n log n) on the sorted shares. */
    size_t m;
    double W;
    vw *p = sorted_pairs(shares, weights, n, &m, &W);
    double g = NAN;
    if (p && m && W > 0) {
        double mean = 0.0;
        for (size_t i = 0; i < m; i++)
            mean += p[i].w * p[i].v;
        mean /= W;
        if (mean > 0) {
            double acc_w = 0.0, acc_ws = 0.0, sum = 0.0;
            for (size_t i = 0; i < m; i++) { /* pairs (j < i): w_i w_j (s_i - s_j) */
                sum += p[i].w * (p[i].v * acc_w - acc_ws);
                acc_w += p[i].w;
                acc_ws += p[i].w * p[i].v;
            }
            g = 2.0 * sum / (2.0 * W * W * mean);
        }
    }
    free(p);
    return g;
}
