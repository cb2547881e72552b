/*
 * sv_coverage.h - per-district coverage of service circles.
 *
 * Every district is measured on its own (districts may overlap), using
 * only the stations whose circle can reach it (an STR-tree query), so the
 * work spreads over threads. Two methods give the same numbers:
 *
 *  - SV_METHOD_VORONOI (default): a point is covered iff its nearest station
 *    is within reach, so inside the Voronoi cell of station i the gap is the
 *    cell minus circle i. Those parts never overlap: a district's gap area is
 *    the sum of (cell_i - circle_i) clipped to it, its gap polygon their
 *    union, and the covered polygon the district minus the gap. A cell well
 *    inside its circle has no gap and costs no overlay at all.
 *  - SV_METHOD_UNION: the textbook way (union the circles near the district,
 *    intersect), kept as a cross-check.
 *
 * The two differ only by the polygonisation of the circles (a few cm along
 * the cell edges), far below 0.001 percentage points.
 */
#ifndef SV_COVERAGE_H
#define SV_COVERAGE_H

#include "svcov/sv_common.h"
#include "svcov/sv_geom.h" /* sv_env */

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Ownership: sv_coverage_compute borrows ctx and in (and everything in points
 * to) for the call only; it fills *out, whose buffers (cells, their WKB,
 * n_inside, cell_wkb) belong to the caller and are freed together by
 * sv_cov_result_free, also after a failure (out is zeroed first).
 * sv_cov_result_free(NULL) is a no-op, and it leaves *r zeroed. */

typedef enum {
    SV_METHOD_VORONOI = 0,
    SV_METHOD_UNION,
    SV_METHOD_AREAS /* given service areas (network mode): each district cut by area_wkb[break] */
} sv_method;

typedef struct {
    double minutes;  /* NAN when the break was given in metres */
    double radius_m; /* straight-line reach */
} sv_break;

/* Voronoi cells of one input's stations made ahead (sv_coverage_cells), as sv_cov_result's cell_wkb, with
 * their envelopes; n 0: none. */
typedef struct {
    unsigned char **wkb;
    size_t *len;
    sv_env *env;
    size_t n;
} sv_cov_cells;

typedef struct {
    const double *xs, *ys; /* station points, analysis CRS */
    size_t n_stations;
    const unsigned char *const *district_wkb; /* valid polygonal districts */
    const size_t *district_wkb_len;
    size_t n_districts;
    const sv_break *breaks;
    size_t n_breaks;
    int quad_segs;     /* circle vertices = 4 * quad_segs */
    sv_method method;
    int want_geometry; /* also build the covered and gap polygons ... */
    size_t geometry_limit; /* ... for districts below this index (0: all) */
    const unsigned char *const *area_wkb; /* SV_METHOD_AREAS: the dissolved area of each break */
    const size_t *area_len;
    /* SV_METHOD_AREAS: each station's reached streets per break
     * (station-major, NULL entry: none), widened by trim_m with
     * trim_quad_segs into its own area, for n_reaching (sv_net_reaches);
     * without them n_reaching is 0. */
    const unsigned char *const *station_lines_wkb;
    const size_t *station_lines_len;
    double trim_m;
    int trim_quad_segs;
    int want_gap_parts; /* with the gap polygon, each of its polygons as WKB and its area (on the workers) */
    /* 1: n_inside and n_reaching are not wanted (left 0; the coverage by
     * category does not store them): no per-station test per district */
    int no_counts;
    /* SV_METHOD_VORONOI, 1: a district and break that no circle reaches is all gap, and one that a single circle
     * reaches is covered by that circle alone (it lies in the station's cell there), with no look at the cells: the
     * same areas to rounding (1e-12), far cheaper for a category of few stations, whose huge cells meet every
     * district. n_reaching stays 0 with no_counts. With no_counts too, a district whose envelope lies within
     * r*cos(pi/(4*quad_segs)) of one station (inside that station's polygonal circle) is all covered, its covered
     * polygon the district itself, with no within-distance test and no overlay; and with unite_then_cut the one
     * circle that reaches a district is first clipped to the district's envelope grown by 1 m. */
    int reach_shortcuts;
    /* SV_METHOD_VORONOI, 1: a district's gap polygon is built as one intersection of the district with the union of
     * the uncovered cell parts that meet it, each first clipped to the district's envelope (grown by 1 m), instead of
     * one intersection per part before the union: the same areas to rounding (1e-12 of the district), k - 1 fewer
     * overlays for a district that k parts cross. Its gap_m2 is then the area of that polygon, and the covered
     * polygon is the district minus that union (not minus the gap: no gap edges along the district's to node). The
     * coverage by category uses it (the all-station stage does not: its gap_parts counts would move). */
    int unite_then_cut;
    /* SV_METHOD_VORONOI, 1: a cell's part outside its circle (both convex) is cut by walking their rings, not by an
     * overlay (an overlay still where a point of one lies near the other's boundary): the same polygons to rounding.
     * The coverage by category uses it. */
    int convex_cuts;
    /* SV_METHOD_VORONOI with unite_then_cut, 1: in a convex district (one ring), each uncovered cell part that
     * crosses it is cut to it without an overlay (the cell clipped to the district, both convex, then the circle
     * taken out as convex_cuts does); the gap polygon is then the union of those pieces and of the parts inside,
     * with no intersection of the district and the union (a part near a touch still goes the overlay's way). */
    int convex_districts;
    /* With no_counts, 1: the last district is the union of the others (the city), measured without geometry: when
     * their areas add up to its area to 1e-12 (they tile it) its gap is the sum of theirs, with no look at the cells
     * (the same areas to rounding); else it is measured as the others. The coverage by category uses it. */
    int sum_last;
    /* SV_METHOD_VORONOI: the stations' cells made ahead by sv_coverage_cells for this same input (taken over: left
     * empty), or NULL to draw them here */
    sv_cov_cells *cells;
} sv_cov_input;

/* One district and break. WKB buffers are NULL when empty or not asked for. */
typedef struct {
    double area_m2, covered_m2, gap_m2;
    int n_reaching; /* stations whose circle (or own network area) reaches the district */
    unsigned char *covered_wkb;
    size_t covered_len;
    unsigned char *gap_wkb;
    size_t gap_len;
    /* want_gap_parts: the polygons of gap_wkb in its order (n_gap_parts of them; 0 without a gap) */
    int n_gap_parts;
    unsigned char **gap_part_wkb;
    size_t *gap_part_len;
    double *gap_part_area;
} sv_cov_cell;

typedef struct {
    sv_cov_cell *cells; /* n_districts * n_breaks, district-major */
    int *n_inside;      /* stations inside (or on the edge of) each district */
    size_t n_districts, n_breaks;
    /* SV_METHOD_VORONOI: the Voronoi cell of each station as WKB (NULL for
     * a repeated station), clipped to an extent holding every district and
     * circle; the areas of responsibility are these cells. */
    unsigned char **cell_wkb;
    size_t *cell_len, n_cells;
} sv_cov_result;

/* Compute coverage. Uses sv_ctx_threads(ctx) threads, reports progress as
 * stage "coverage", stops early when interrupted. Free the result with
 * sv_cov_result_free even on failure. */
sv_status sv_coverage_compute(sv_ctx *ctx, const sv_cov_input *in, sv_cov_result *out);
void sv_cov_result_free(sv_cov_result *r);
/* The Voronoi cells of n inputs (SV_METHOD_VORONOI; the others get none), as sv_coverage_compute would draw them,
 * for inputs[k].cells: each diagram on one of sv_ctx_threads(ctx) threads, several at once, reported as stage
 * "voronoi". Free each with sv_cov_cells_free even on failure (out zeroed first). */
sv_status sv_coverage_cells(sv_ctx *ctx, const sv_cov_input *inputs, size_t n, sv_cov_cells *out);
void sv_cov_cells_free(sv_cov_cells *c);
/* The gap parts of one cell, freed (once written: the write stage frees them as it goes). */
void sv_cov_cell_free_parts(sv_cov_cell *c);
/* The polygons of one cell (covered, gap and its parts), freed once written; its numbers stay. */
void sv_cov_cell_free_geometry(sv_cov_cell *c);

#ifdef __cplusplus
}
#endif
#endif
