/* categories.c - coverage (and people) of the stations of each category
 * (category_coverage, category_gaps): a station with "water; charging" counts in both. */
#include "engine/people_measures.h"
#include "svcov/sv_lang.h"
#include "svcov/sv_geom.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CATEGORIES 32

/* The category values of a station: "water; charging,microwave" gives three. */
static size_t split_categories(const char *text, char out[][64], size_t max)
{
    size_t n = 0;
    const char *p = text;
    while (p && *p && n < max) {
        while (*p == ' ' || *p == ';' || *p == ',')
            p++;
        size_t k = strcspn(p, ";,");
        size_t e = k;
        while (e > 0 && p[e - 1] == ' ')
            e--;
        if (e > 0) {
            snprintf(out[n], 64, "%.*s", (int)(e < 63 ? e : 63), p);
            int dup = 0;
            for (size_t j = 0; j < n; j++)
                dup |= strcmp(out[j], out[n]) == 0;
            n += !dup;
        }
        p += k;
    }
    return n;
}

static int cmp_count_desc(const void *x, const void *y, void *counts)
{
    const size_t *c = counts;
    size_t i = *(const size_t *)x, j = *(const size_t *)y;
    return c[i] != c[j] ? (c[i] < c[j] ? 1 : -1) : (i > j) - (i < j);
}

/* Coverage (and people) of the stations of each category. */
sv_status sv_people_categories(sv_ctx *ctx, sv_geos *h, const sv_people_in *in, sv_analysis *a, sv_popsurf *surf,
                               const double *own)
{
    sv_people_result *P = &a->people;
    size_t ns = a->n_stations, nd = a->n_districts, nb = a->n_breaks;
    const sv_featureset *fs = in->stations;
    if (!fs || !fs->category_field || ns == 0)
        return SV_OK;
    /* distinct values, most common first */
    char (*vals)[64] = sv_malloc(8 * 64);
    char **names = NULL;
    size_t n_names = 0, *count = NULL, *order = NULL;
    sv_status rc = SV_OK;
    if (!vals)
        return SV_ERR_NOMEM;
    /* a sharded run's worker counts the values of every station of the run: the run's categories in the
     * run's order, also one that no station the shard keeps offers (its rows: nothing covered) */
    const char *const *run = NULL;
    size_t n_run = in->o && in->o->run_categories ? in->o->run_categories(in->o->shard_userdata, &run) : 0;
    for (size_t i = 0; i < (run ? ns + n_run : ns) && rc == SV_OK; i++) {
        const sv_feature *f = i < ns ? &fs->items[in->st_keep[i]] : NULL;
        size_t k = split_categories(f ? f->category : run[i - ns], vals, 8);
        if (k == 0 && f) {
            P->n_no_category++;
            rc = sv_issue_add(ctx, fs->path, fs->layer, f->id, "has no category value: counted with all stations only",
                              SV_ISSUE_REPAIRED);
        }
        if (run && f)
            continue; /* counted from the run's */
        for (size_t j = 0; j < k && rc == SV_OK; j++) {
            size_t c = 0;
            while (c < n_names && strcmp(names[c], vals[j]) != 0)
                c++;
            if (c == n_names) {
                char **nn = sv_realloc(names, (n_names + 1) * sizeof *nn);
                size_t *nc = sv_realloc(count, (n_names + 1) * sizeof *nc);
                if (nn)
                    names = nn;
                if (nc)
                    count = nc;
                if (!nn || !nc || !(names[n_names] = sv_strdup(vals[j]))) {
                    rc = SV_ERR_NOMEM;
                    break;
                }
                count[n_names++] = 0;
            }
            count[c]++;
        }
    }
    order = sv_malloc((n_names + 1) * sizeof *order);
    if (rc == SV_OK && !order)
        rc = SV_ERR_NOMEM;
    if (rc != SV_OK || n_names == 0)
        goto done;
    for (size_t c = 0; c < n_names; c++)
        order[c] = c;
    qsort_r(order, n_names, sizeof *order, cmp_count_desc, count);
    P->n_categories = n_names < MAX_CATEGORIES ? n_names : MAX_CATEGORIES;
    if (n_names > MAX_CATEGORIES) {
        sv_msg what;
        sv_msg_init(&what, sv_ctx_lang(ctx));
        sv_msg_add(&what, "has %zu category values; coverage by category is kept for the %d most common", n_names,
                   MAX_CATEGORIES);
        rc = sv_issue_add_msg(ctx, fs->path, fs->layer, fs->category_field, &what, SV_ISSUE_REPAIRED);
    }
    P->categories = sv_calloc(P->n_categories, sizeof *P->categories);
    P->cat_stations = sv_calloc(P->n_categories, sizeof *P->cat_stations);
    P->cat_cov = sv_calloc(P->n_categories, sizeof *P->cat_cov);
    P->cat_total = sv_malloc(P->n_categories * (nd + 1) * nb * sizeof *P->cat_total);
    P->cat_covered = sv_malloc(P->n_categories * (nd + 1) * nb * sizeof *P->cat_covered);
    size_t nc = P->n_categories;
    /* each category's stations, for all their Voronoi diagrams at once */
    double **sx = sv_calloc(nc, sizeof *sx), **sy = sv_calloc(nc, sizeof *sy);
    sv_cov_input *ci = sv_calloc(nc, sizeof *ci);
    sv_cov_cells *cells = sv_calloc(nc, sizeof *cells);
    int ok = P->categories && P->cat_stations && P->cat_cov && P->cat_total && P->cat_covered && sx && sy && ci &&
             cells;
    for (size_t c = 0; ok && c < nc; c++) {
        P->categories[c] = names[order[c]];
        names[order[c]] = NULL;
    }
    for (size_t i = 0; ok && i < ns; i++) {
        size_t k = split_categories(fs->items[in->st_keep[i]].category, vals, 8);
        for (size_t c = 0; c < nc; c++)
            for (size_t j = 0; j < k; j++)
                if (strcmp(vals[j], P->categories[c]) == 0) {
                    P->cat_stations[c]++;
                    break;
                }
    }
    for (size_t c = 0; ok && c < nc; c++) {
        ok = (sx[c] = sv_malloc((P->cat_stations[c] + 1) * sizeof **sx)) &&
             (sy[c] = sv_malloc((P->cat_stations[c] + 1) * sizeof **sy));
        P->cat_stations[c] = 0; /* counted again as they are copied */
    }
    if (!ok) {
        for (size_t c = 0; c < nc && sx && sy; c++) {
            free(sx[c]);
            free(sy[c]);
        }
        for (size_t c = 0; c < nc && P->categories; c++) {
            free(P->categories[c]);
            P->categories[c] = NULL;
        }
        free(sx);
        free(sy);
        free(ci);
        free(cells);
        P->n_categories = 0;
        rc = SV_ERR_NOMEM;
        goto done;
    }
    sv_progress(ctx, "categories", 0.0);
    for (size_t i = 0; i < ns; i++) {
        size_t k = split_categories(fs->items[in->st_keep[i]].category, vals, 8);
        for (size_t c = 0; c < nc; c++)
            for (size_t j = 0; j < k; j++)
                if (strcmp(vals[j], P->categories[c]) == 0) {
                    sx[c][P->cat_stations[c]] = in->xs[i];
                    sy[c][P->cat_stations[c]++] = in->ys[i];
                    break;
                }
    }
    for (size_t c = 0; c < nc; c++)
        ci[c] = (sv_cov_input){
            .xs = sx[c],
            .ys = sy[c],
            .n_stations = P->cat_stations[c],
            .district_wkb = in->dw,
            .district_wkb_len = in->dl,
            .n_districts = nd + 1,
            .breaks = a->breaks,
            .n_breaks = nb,
            .quad_segs = in->o->quad_segs,
            .method = in->net ? SV_METHOD_AREAS : in->o->method,
            .want_geometry = 1,
            .geometry_limit = surf && a->districts_overlap ? 0 : nd,
            .no_counts = 1, /* the category tables have no station counts */
            .reach_shortcuts = 1,
            .unite_then_cut = 1,
            .convex_cuts = 1,
            .convex_districts = 1,
            .sum_last = !a->districts_overlap, /* the city: the sum of its districts */
            .cells = &cells[c],
        };
    if (rc == SV_OK && !in->net && in->o->method == SV_METHOD_VORONOI) /* the diagrams side by side, one a thread */
        rc = sv_coverage_cells(ctx, ci, nc, cells);
    for (size_t c = 0; c < nc && rc == SV_OK; c++) {
        size_t m = P->cat_stations[c];
        sv_net_areas na = {0};
        if (in->net) {
            sv_access_opts ao = *in->access_opts;
            ao.per_station = 0;
            if ((rc = sv_net_areas_compute(ctx, in->net, sx[c], sy[c], m, &ao, &na)) != SV_OK)
                break;
        }
        ci[c].area_wkb = (const unsigned char *const *)na.area_wkb;
        ci[c].area_len = na.area_len;
        rc = sv_coverage_compute(ctx, &ci[c], &P->cat_cov[c]);
        sv_cov_cells_free(&cells[c]); /* taken over, unless it failed first */
        sv_net_areas_free(&na);
        sv_cov_result *cr = &P->cat_cov[c];
        for (size_t i = 0; cr->cell_wkb && i < cr->n_cells; i++)
            sv_free(cr->cell_wkb[i]); /* the category's Voronoi cells are not kept */
        sv_free(cr->cell_wkb);
        sv_free(cr->cell_len);
        cr->cell_wkb = NULL;
        cr->cell_len = NULL;
        cr->n_cells = 0;
        double *tot = P->cat_total + c * (nd + 1) * nb, *cov = P->cat_covered + c * (nd + 1) * nb;
        for (size_t k = 0; k < (nd + 1) * nb; k++) {
            tot[k] = a->people.total ? a->people.total[k] : NAN;
            cov[k] = NAN;
        }
        for (size_t d = 0; surf && rc == SV_OK && d <= nd; d++)
            for (size_t b = 0; b < nb && rc == SV_OK; b++) {
                const sv_cov_cell *cell = &P->cat_cov[c].cells[d * nb + b];
                double t = tot[d * nb + b], gap = NAN;
                if (!isfinite(t))
                    continue;
                if (d == nd && !a->districts_overlap) { /* the sum of the districts */
                    double sum = 0;
                    for (size_t k = 0; k < nd; k++)
                        sum += isfinite(cov[k * nb + b]) ? cov[k * nb + b] : 0;
                    cov[d * nb + b] = sum;
                    continue;
                }
                if (d < nd && own[d] >= 0) {
                    gap = cell->area_m2 > 0 ? t * cell->gap_m2 / cell->area_m2 : 0;
                } else if (cell->gap_wkb) {
                    sv_geom *G = sv_geom_from_wkb(h, cell->gap_wkb, cell->gap_len);
                    gap = G ? sv_popsurf_in(surf, G) : NAN;
                    sv_geom_destroy(h, G);
                } else if (!(cell->gap_m2 > 0)) {
                    gap = 0;
                }
                cov[d * nb + b] = isfinite(gap) ? fmax(0, t - gap) : NAN;
            }
        if (rc == SV_OK && in->sink) /* written now, its polygons freed */
            rc = in->sink(in->sink_arg, a, SV_PEOPLE_DONE_CATEGORY, c);
        sv_progress(ctx, "categories", (double)(c + 1) / (double)P->n_categories);
    }
    for (size_t c = 0; c < nc; c++) {
        sv_cov_cells_free(&cells[c]);
        free(sx[c]);
        free(sy[c]);
    }
    free(sx);
    free(sy);
    free(ci);
    free(cells);
done:
    for (size_t c = 0; c < n_names; c++)
        free(names[c]);
    free(names);
    free(count);
    free(order);
    free(vals);
    return rc;
}
