/* responsibility.c - areas of responsibility: each place to its nearest station,
 * by Voronoi cells (circles) or by the network distance of the people points. */
#include "engine/people_measures.h"
#include "svcov/sv_geom.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Each place to its nearest station: Voronoi cells (circles) or the places
 * nearest by network (the Voronoi cells of the people points, grouped). */
sv_status sv_people_responsibility(sv_ctx *ctx, sv_geos *h, const sv_people_in *in, sv_analysis *a,
                                   sv_popsurf *surf, const people_points *pts)
{
    sv_people_result *P = &a->people;
    size_t ns = a->n_stations, nd = a->n_districts;
    if (ns == 0)
        return SV_OK;
    P->resp_area = sv_calloc(ns, sizeof *P->resp_area);
    P->resp_pop = sv_calloc(ns, sizeof *P->resp_pop);
    P->resp_n = sv_calloc(ns, sizeof *P->resp_n);
    P->resp_wkb = sv_calloc(ns, sizeof *P->resp_wkb);
    P->resp_len = sv_calloc(ns, sizeof *P->resp_len);
    if (!P->resp_area || !P->resp_pop || !P->resp_n || !P->resp_wkb || !P->resp_len)
        return SV_ERR_NOMEM;
    sv_geom *city = sv_geom_from_wkb(h, in->dw[nd], in->dl[nd]);
    sv_env e;
    if (!city || sv_geom_envelope(h, city, &e) != 0) {
        sv_geom_destroy(h, city);
        return sv_error(ctx, SV_ERR_GEOM, "cannot read the city outline: %s", sv_geos_errmsg(h));
    }
    sv_status rc = SV_OK;
    sv_prep *city_prep = NULL;
    int network = in->net != NULL;
    P->resp_method = network ? "network-nearest" : "voronoi";
    /* Sites of the cells: the stations, or (network) the people points. */
    const double *sx = network ? pts->x : in->xs, *sy = network ? pts->y : in->ys;
    size_t n = network ? pts->n : ns;
    sv_geom **cells = sv_calloc(n + 1, sizeof *cells);
    sv_geom ***groups = sv_calloc(ns, sizeof *groups);
    size_t *ng = sv_calloc(ns, sizeof *ng);
    if (!cells || !groups || !ng) {
        rc = SV_ERR_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < ns; i++)
        P->resp_pop[i] = surf ? 0.0 : NAN;
    if (network && (!pts->use || !pts->n))
        goto done; /* no places to assign */
    if (!network && a->cov.n_cells == n) { /* the cells the coverage was measured with */
        for (size_t k = 0; k < n && rc == SV_OK; k++)
            if (a->cov.cell_wkb[k] && !(cells[k] = sv_geom_from_wkb(h, a->cov.cell_wkb[k], a->cov.cell_len[k])))
                rc = sv_error(ctx, SV_ERR_GEOM, "cannot read a Voronoi cell: %s", sv_geos_errmsg(h));
    } else if (n && sv_voronoi_cells(h, sx, sy, n, &e, cells) != 0) {
        rc = sv_error(ctx, SV_ERR_GEOM, "cannot draw the areas of responsibility: %s", sv_geos_errmsg(h));
    }
    if (rc == SV_OK && !(city_prep = sv_prep_create(h, city)))
        rc = sv_error(ctx, SV_ERR_GEOM, "cannot prepare the city outline: %s", sv_geos_errmsg(h));
    for (size_t k = 0; k < n && rc == SV_OK; k++) {
        long owner = network ? pts->use->nearest[k] : (long)k;
        /* places outside the districts are not counted: area, people and
         * places of an area of responsibility all lie inside them */
        if (network && owner >= 0 && sv_prep_covers_xy(h, city_prep, pts->x[k], pts->y[k]) == 1) {
            P->resp_n[owner]++;
            if (!surf)
                P->resp_pop[owner] = (isnan(P->resp_pop[owner]) ? 0 : P->resp_pop[owner]) + pts->w[k];
        }
        if (!cells[k] || owner < 0)
            continue;
        /* Most cells lie inside the city and are taken whole; an overlay
         * with the whole outline is for the cells on its edge. */
        int inside = sv_prep_contains(h, city_prep, cells[k]);
        sv_geom *part = NULL;
        if (inside == 1) {
            part = cells[k];
            cells[k] = NULL;
        } else if (inside == 0) {
            int meets = sv_prep_intersects(h, city_prep, cells[k]);
            if (meets == 0)
                continue;
            part = meets == 1 ? sv_geom_intersection(h, cells[k], city) : NULL;
        }
        if (!part) {
            rc = sv_error(ctx, SV_ERR_GEOM, "cannot clip an area of responsibility: %s", sv_geos_errmsg(h));
            break;
        }
        sv_geom **grown = sv_realloc(groups[owner], (ng[owner] + 1) * sizeof *grown);
        if (!grown) {
            sv_geom_destroy(h, part);
            rc = SV_ERR_NOMEM;
            break;
        }
        groups[owner] = grown;
        groups[owner][ng[owner]++] = part;
    }
    for (size_t i = 0; i < ns && rc == SV_OK; i++) {
        if (!ng[i])
            continue;
        sv_geom *u = sv_geom_union_take(h, groups[i], ng[i]); /* one part: handed back as is */
        sv_geom *p = u ? sv_geom_without_slivers(h, u, SV_SLIVER_TOL_M, NULL) : NULL;
        sv_geom_destroy(h, u);
        ng[i] = 0;
        if (!p) {
            rc = sv_error(ctx, SV_ERR_GEOM, "cannot unite an area of responsibility: %s", sv_geos_errmsg(h));
            break;
        }
        P->resp_area[i] = sv_geom_area(h, p);
        if (surf)
            P->resp_pop[i] = sv_popsurf_in(surf, p);
        P->resp_wkb[i] = sv_geom_to_wkb(h, p, &P->resp_len[i]);
        sv_geom_destroy(h, p);
    }
    if (!network && pts->use && rc == SV_OK) /* places counted by their nearest station in straight lines */
        for (size_t k = 0; k < pts->n; k++) {
            int owner = pts->use->nearest[k];
            if (owner < 0 || sv_prep_covers_xy(h, city_prep, pts->x[k], pts->y[k]) != 1)
                continue; /* outside the districts, like the cells */
            P->resp_n[owner]++;
            if (!surf) /* no people given: the demand weights */
                P->resp_pop[owner] = (isnan(P->resp_pop[owner]) ? 0 : P->resp_pop[owner]) + pts->w[k];
        }
done:
    for (size_t k = 0; cells && k < n; k++)
        sv_geom_destroy(h, cells[k]);
    for (size_t i = 0; groups && i < ns; i++) {
        for (size_t k = 0; ng && k < ng[i]; k++)
            sv_geom_destroy(h, groups[i][k]);
        free(groups[i]);
    }
    free(cells);
    free(groups);
    free(ng);
    sv_prep_destroy(h, city_prep);
    sv_geom_destroy(h, city);
    return rc;
}
