/*
 * sv_geom.h - the geometry engine: a thin, owned-handle layer over the GEOS
 * reentrant C API. Only src/geom_geos.c includes GEOS; the algorithms use
 * these opaque types.
 *
 * Ownership: every function returning sv_geom* returns a new geometry the
 * caller frees with sv_geom_destroy (NULL is a harmless no-op). Functions
 * taking "const sv_geom *" borrow. A prepared geometry (sv_prep) borrows
 * its base, which must outlive it. An sv_index owns none of its items.
 * A handle (sv_geos) belongs to one thread at a time; geometries may be
 * passed between handles of the same thread only.
 */
#ifndef SV_GEOM_H
#define SV_GEOM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sv_geos sv_geos;
typedef struct sv_geom sv_geom;
typedef struct sv_prep sv_prep;
typedef struct sv_index sv_index;

typedef struct {
    double xmin, ymin, xmax, ymax;
} sv_env;

/* Grow e to hold o (NaN sides of either are ignored, as fmin/fmax do). */
void sv_env_union(sv_env *e, const sv_env *o);
/* Grow e to hold the point (x, y). */
void sv_env_add_point(sv_env *e, double x, double y);

sv_geos *sv_geos_create(void);
void sv_geos_destroy(sv_geos *h);
/* Last GEOS error or notice text for this handle ("" when none). */
const char *sv_geos_errmsg(const sv_geos *h);
/* GEOS version string (static). */
const char *sv_geos_version(void);
/* Let sv_geos_interrupt stop long GEOS operations (they fail with an
 * "Interrupted" error); call once, before any signal can arrive. */
void sv_geos_interrupt_enable(void);
/* Ask every running and later GEOS operation to stop. Only sets a flag:
 * safe in a signal handler. */
void sv_geos_interrupt(void);

void sv_geom_destroy(sv_geos *h, sv_geom *g);
sv_geom *sv_geom_clone(sv_geos *h, const sv_geom *g);
/* The part of g inside the rectangle e (GEOS ClipByRect: no overlay, linear in g's vertices); the caller destroys
 * it. NULL on failure. */
sv_geom *sv_geom_clip_rect(sv_geos *h, const sv_geom *g, const sv_env *e);

/* Parse/write ISO WKB (little endian, 2-D). The returned buffer is freed
 * with sv_free. NULL on failure. */
sv_geom *sv_geom_from_wkb(sv_geos *h, const unsigned char *wkb, size_t len);
unsigned char *sv_geom_to_wkb(sv_geos *h, const sv_geom *g, size_t *len);
/* WKT, for tests and messages; freed with sv_free. */
sv_geom *sv_geom_from_wkt(sv_geos *h, const char *wkt);
char *sv_geom_to_wkt(sv_geos *h, const sv_geom *g);

sv_geom *sv_geom_point(sv_geos *h, double x, double y);
/* A circle as a polygon with 4*quad_segs vertices on the true circle (the
 * inscribed regular polygon; its area is below the circle's by a relative
 * 1 - sin(2*pi/n)*n/(2*pi), 0.04% for quad_segs = 32). */
sv_geom *sv_geom_circle(sv_geos *h, double x, double y, double radius, int quad_segs);
/* An axis-aligned rectangle. */
sv_geom *sv_geom_rect(sv_geos *h, const sv_env *e);

/* Returns 1 true, 0 false, -1 on error (the GEOS convention of 2 mapped). */
int sv_geom_is_empty(sv_geos *h, const sv_geom *g);
int sv_geom_is_valid(sv_geos *h, const sv_geom *g, char **reason /* sv_free; may be NULL */);
/* 1 if the geometry is a Polygon or MultiPolygon, 0 otherwise. */
int sv_geom_is_polygonal(sv_geos *h, const sv_geom *g);
int sv_geom_point_xy(sv_geos *h, const sv_geom *g, double *x, double *y);
/* A point inside a polygonal geometry (for labels and stations given as polygons). */
sv_geom *sv_geom_point_on_surface(sv_geos *h, const sv_geom *g);
sv_geom *sv_geom_centroid(sv_geos *h, const sv_geom *g);

/* Area in squared CRS units; -1 on error. */
double sv_geom_area(sv_geos *h, const sv_geom *g);
/* 0 ok, -1 on error or empty geometry. */
int sv_geom_envelope(sv_geos *h, const sv_geom *g, sv_env *out);
int sv_geom_num_parts(sv_geos *h, const sv_geom *g);
/* Part i of a collection (the geometry itself for i = 0 of a non-collection). */
sv_geom *sv_geom_part(sv_geos *h, const sv_geom *g, int i);

/* The vertices of line part i of a LineString or MultiLineString, as
 * x0,y0,x1,y1,... in *xy (freed with sv_free), *n points. 0 ok, -1 error. */
int sv_geom_line_coords(sv_geos *h, const sv_geom *g, int part, double **xy, size_t *n);
/* A line string from n points (x0,y0,x1,y1,...). */
sv_geom *sv_geom_linestring(sv_geos *h, const double *xy, size_t n);
/* Lines sewn together where they meet end to end (GEOS LineMerge). */
sv_geom *sv_geom_line_merge(sv_geos *h, const sv_geom *g);
/* A buffer of g (round caps and joins, quad_segs segments per quarter). */
sv_geom *sv_geom_buffer(sv_geos *h, const sv_geom *g, double distance, int quad_segs);
/* A collection (MultiLineString, MultiPolygon...) taking ownership of the parts. */
sv_geom *sv_geom_collect_take(sv_geos *h, sv_geom **parts, size_t n);

/* A valid polygonal geometry from g: MakeValid, keeping only polygons
 * (a collapsed ring or a dangling line is dropped). *repaired is set to 1
 * when the input was not valid. The result may be empty. */
sv_geom *sv_geom_make_valid_polygonal(sv_geos *h, const sv_geom *g, int *repaired);

/* The polygons of g (dropping points and lines an overlay may leave), as a
 * Polygon or MultiPolygon; an empty polygon when there are none. */
sv_geom *sv_geom_polygons(sv_geos *h, const sv_geom *g);

/* Results leave out slivers: polygon parts and holes whose mean width
 * (2 x area / perimeter) is below 1 cm. Overlays of nearly coincident
 * boundaries leave needles of 1e-12 m and less; nothing real is that thin
 * (input coordinates at 1e-7 degrees, 7-decimal GeoJSON and the circles'
 * polygonisation are all about 1 cm). Recorded as runs.sliver_tol_m. */
#define SV_SLIVER_TOL_M 0.01

/* The polygons of g without slivers: parts whose mean width 2*area/perimeter
 * is below tol are dropped and holes as thin are filled (a valid input stays
 * valid). A Polygon, a MultiPolygon or an empty polygon. *n_dropped (may be
 * NULL) grows by the parts and holes removed. NULL on error. */
sv_geom *sv_geom_without_slivers(sv_geos *h, const sv_geom *g, double tol, size_t *n_dropped);

/* g with every coordinate on a grid of cell size grid (GEOS snap-rounding;
 * polygons thinner than a cell collapse and are dropped, so the result may
 * be empty or a multi type). Polygons come out valid: an invalid one is
 * repaired (MakeValid) first. NULL on error. */
sv_geom *sv_geom_on_grid(sv_geos *h, const sv_geom *g, double grid);

sv_geom *sv_geom_intersection(sv_geos *h, const sv_geom *a, const sv_geom *b);
sv_geom *sv_geom_difference(sv_geos *h, const sv_geom *a, const sv_geom *b);
/* Union of n geometries; takes ownership of parts[0..n-1] (each set to NULL).
 * n = 0 gives an empty polygon. */
sv_geom *sv_geom_union_take(sv_geos *h, sv_geom **parts, size_t n);
/* An empty polygon. */
sv_geom *sv_geom_empty_polygon(sv_geos *h);

sv_prep *sv_prep_create(sv_geos *h, const sv_geom *base);
void sv_prep_destroy(sv_geos *h, sv_prep *p);
int sv_prep_contains(sv_geos *h, const sv_prep *p, const sv_geom *g);
int sv_prep_intersects(sv_geos *h, const sv_prep *p, const sv_geom *g);
int sv_prep_covers_xy(sv_geos *h, const sv_prep *p, double x, double y);
int sv_prep_within_distance(sv_geos *h, const sv_prep *p, const sv_geom *g, double d);

/* STR-tree over integer ids with envelopes. Query results are appended to a
 * growing array. */
sv_index *sv_index_create(sv_geos *h);
void sv_index_destroy(sv_geos *h, sv_index *t);
int sv_index_insert(sv_geos *h, sv_index *t, size_t id, const sv_env *e);
/* Ids whose envelope intersects e, in *ids (realloc'ed, caller frees with
 * sv_free) with *n entries and *cap capacity. 0 ok, -1 error. */
int sv_index_query(sv_geos *h, sv_index *t, const sv_env *e,
                   size_t **ids, size_t *n, size_t *cap);

/* The Voronoi cell of each site, clipped to clip (grown to hold every
 * site). cells[i] is NULL for a site that repeats an earlier one (the first
 * gets the cell). For n = 1 the cell is the clip rectangle.
 * 0 ok, -1 on error (the handle's message says why). */
int sv_voronoi_cells(sv_geos *h, const double *xs, const double *ys, size_t n,
                     const sv_env *clip, sv_geom **cells);

/* The same cells as WKB (wkb[i], len[i]: the caller frees each wkb[i]; NULL for a repeated site) and, unless env
 * is NULL, their envelopes, matched and written on up to threads threads (each with its own GEOS handle; the
 * same bytes on any number). 0 ok, -1 on error (the handle's message says why; nothing is left allocated). */
int sv_voronoi_cells_wkb(sv_geos *h, int threads, const double *xs, const double *ys, size_t n,
                         const sv_env *clip, unsigned char **wkb, size_t *len, sv_env *env);

/* A polygon from one ring of n points (x0,y0,x1,y1,...; closed if not). */
sv_geom *sv_geom_polygon_xy(sv_geos *h, const double *xy, size_t n);
/* A polygon from nrings rings, ring r the points starts[r] .. starts[r + 1] - 1 of xy (x0,y0,...; each closed
 * if not): the first its shell, the others its holes. NULL on failure (a ring of fewer than 3 points). */
sv_geom *sv_geom_polygon_rings(sv_geos *h, const double *xy, const size_t *starts, size_t nrings);

/* The arrangement of overlapping areas inside a region: the region cut into
 * faces by every area boundary, each face with the number of areas covering
 * it (count) and, when exactly one does, its index (only; else -1). The
 * faces partition the region. *faces is freed with sv_faces_free (which
 * also frees each face's geometry). 0 ok, -1 on error. */
typedef struct {
    sv_geom *geom;
    double area;
    int count;
    int only;
} sv_face;
int sv_geom_overlay_faces(sv_geos *h, const sv_geom *region, const sv_geom *const *areas, size_t n,
                          sv_face **faces, size_t *nfaces);
/* The same, counting each face's areas only up to cap (a face covered by
 * more has count cap): where only "cap or more" matters. */
int sv_geom_overlay_faces_capped(sv_geos *h, const sv_geom *region, const sv_geom *const *areas, size_t n, int cap,
                                 sv_face **faces, size_t *nfaces);
void sv_faces_free(sv_geos *h, sv_face *faces, size_t n);
/* Which boundaries of areas[0..n) near the rectangle env may part two
 * classes below cap there (the pruning of sv_geom_overlay_faces_capped):
 * keep[i] = 1 for those, 0 for the rest; *grown is env with the pad the
 * boundaries were clipped to. 0 ok, -1 on error. */
int sv_geom_parting_boundaries(sv_geos *h, const sv_env *env, const sv_geom *const *areas, size_t n, int cap,
                               unsigned char *keep, sv_env *grown);
/* The boundary of region and lines[0..nl) (taken, set NULL) noded at once:
 * their edges between nodes (a MultiLineString); NULL on failure. */
sv_geom *sv_geom_node_lines(sv_geos *h, const sv_geom *region, sv_geom **lines, size_t nl);
/* The faces of region cut by edges[0..nl) (taken, set NULL): the edges of
 * sv_geom_node_lines, region's boundary among them, so that neighbouring
 * faces share their edges exactly. The faces inside region with their
 * areas (count 0, only -1) and a point inside each, xy[2k], xy[2k + 1]
 * (freed with sv_free). *faces is freed with sv_faces_free. 0 ok, -1 on
 * error. */
int sv_geom_region_faces(sv_geos *h, const sv_geom *region, sv_geom **edges, size_t nl, sv_face **faces, double **xy,
                         size_t *nfaces);
/* The union of polygons that meet only along shared edges (faces of one
 * arrangement): GEOS CoverageUnion, no overlay. Takes ownership of parts
 * like sv_geom_union_take. */
sv_geom *sv_geom_coverage_union_take(sv_geos *h, sv_geom **parts, size_t n);
/* The union of polygons that may or may not tile (districts): CoverageUnion
 * when they meet only along shared edges (checked), else an overlay union.
 * Takes ownership of parts like sv_geom_union_take. */
sv_geom *sv_geom_tiles_union_take(sv_geos *h, sv_geom **parts, size_t n);

/* Map drawing: every ring (exterior then holes), line and point of g as
 * paths. Path i has the points starts[i] .. starts[i+1]-1 of xy (x0,y0,...);
 * starts has nparts + 1 entries. Both arrays are freed with sv_free (xy may
 * be NULL for an empty geometry). 0 ok, -1 on error. */
int sv_geom_paths(sv_geos *h, const sv_geom *g, double **xy, size_t **starts, size_t *nparts);

#ifdef __cplusplus
}
#endif
#endif
