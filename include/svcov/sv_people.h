/*
 * sv_people.h - who is covered: a population surface (people spread over
 * polygons, carried by buildings, or in raster cells), the people inside any
 * polygon, redundancy (area and people covered by 0, 1, 2, 3+ stations), and
 * the statistics of fairness (weighted quantiles, Gini).
 *
 * The surface holds "pieces" (polygons whose people are spread evenly over
 * their area: census blocks, districts, raster cells) and "points" (people at
 * a place: buildings after dasymetric mapping). The people inside a region R
 * are sum(piece people * area(piece & R) / area(piece)) + sum(points in R):
 * a raster cell cut by a boundary counts by the fraction inside.
 */
#ifndef SV_PEOPLE_H
#define SV_PEOPLE_H

#include "svcov/sv_common.h"
#include "svcov/sv_geom.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Ownership: sv_popsurf_create's surface is the caller's, freed with
 * sv_popsurf_destroy (NULL ok); it borrows the GEOS handle h, which must
 * outlive it. sv_popsurf_add_piece takes g (freed by the surface, also when
 * it fails); sv_popsurf_dasymetric borrows the blocks and buildings.
 * sv_popsurf_in borrows region. sv_redundancy_compute(_pieces) borrow region,
 * areas and pieces; the faces they append to only_geoms belong to the caller
 * (sv_geom_destroy each, then free the arrays), and r's WKB buffers are freed
 * with sv_redundancy_free (r itself is the caller's; not NULL).
 * sv_pop_method_name returns a static string. */

typedef enum {
    SV_POP_NONE = 0,
    SV_POP_DISTRICT_FIELD, /* a field of the districts, spread over each district's area */
    SV_POP_AREAL,          /* population polygons, spread over their area */
    SV_POP_DASYMETRIC,     /* population polygons spread over the buildings inside them */
    SV_POP_RASTER          /* a population grid, cells cut by a boundary counted by their share */
} sv_pop_method;

/* "district-field-areal", "areal", "dasymetric", "raster" (static). */
const char *sv_pop_method_name(sv_pop_method m);

typedef struct sv_popsurf sv_popsurf;

/* A new, empty surface working with handle h (the caller keeps h alive). */
sv_popsurf *sv_popsurf_create(sv_geos *h);
void sv_popsurf_destroy(sv_popsurf *p);
/* Add people spread over polygon g (taken: the surface frees it), or at a
 * point. 0 ok, -1 out of memory or a polygon without area (g is freed). */
int sv_popsurf_add_piece(sv_popsurf *p, sv_geom *g, double people);
int sv_popsurf_add_point(sv_popsurf *p, double x, double y, double people);
/* Index the surface; call once after the last add. 0 ok, -1 error. */
int sv_popsurf_build(sv_popsurf *p);
/* People inside region (NAN on a GEOS error; see sv_geos_errmsg). */
double sv_popsurf_in(sv_popsurf *p, const sv_geom *region);
double sv_popsurf_total(const sv_popsurf *p);
size_t sv_popsurf_pieces(const sv_popsurf *p);
size_t sv_popsurf_points(const sv_popsurf *p);
/* For worker threads, each with its own GEOS handle: sv_popsurf_share
 * (once, in p's thread, after sv_popsurf_build; 0 ok, -1 out of memory)
 * keeps p's pieces as WKB; then sv_popsurf_copy (in any thread, several at
 * once) makes an independent built surface working with handle h that
 * counts exactly the same people, or NULL (not shared, out of memory). The
 * copy is the caller's (sv_popsurf_destroy); p must outlive the copying. */
int sv_popsurf_share(sv_popsurf *p);
sv_popsurf *sv_popsurf_copy(const sv_popsurf *src, sv_geos *h);

/* Dasymetric mapping: the people of each block (polygon, people) go to the
 * buildings whose point lies in it, in proportion to bweight (footprint
 * area x levels). A block without buildings keeps its people spread over
 * its area (counted in *n_blocks_empty). bpeople[i] gets building i's
 * people (0 outside every block). Adds everything to surf.
 * 0 ok, -1 error. */
int sv_popsurf_dasymetric(sv_popsurf *surf, sv_geom *const *blocks, const double *block_people, size_t nb,
                          const double *bx, const double *by, const double *bweight, size_t nbld,
                          double *bpeople, size_t *n_blocks_empty);

/* Redundancy inside one region (a district) for one break: the region cut
 * by the station areas (sv_geom_overlay_faces), faces grouped by how many
 * stations cover them: class 0, 1, 2 and 3 (3 or more). */
#define SV_REDUNDANCY_CLASSES 4
typedef struct {
    double area[SV_REDUNDANCY_CLASSES];
    double people[SV_REDUNDANCY_CLASSES]; /* NAN without a surface */
    unsigned char *wkb[SV_REDUNDANCY_CLASSES]; /* MultiPolygon or NULL when empty; free() */
    size_t len[SV_REDUNDANCY_CLASSES];
} sv_redundancy;

/* areas[i] (borrowed) is the service area of station ids[i]. surf may be
 * NULL (no people), or own_people >= 0 spreads that many people evenly over
 * region instead of asking the surface. When only_area/only_people/
 * only_geoms are given (indexed by ids[i]), each adds what station ids[i]
 * alone covers: area, people and the faces themselves (appended to
 * only_geoms[ids[i]], a growing array of sv_geom* owned by the caller).
 * Free r's buffers with sv_redundancy_free. */
typedef struct {
    sv_geom ***geoms;
    size_t *n, *cap;
    size_t *touched, n_touched, cap_touched; /* the ids whose list became non-empty, in that order (sv_free) */
    int apart; /* the last region's faces of one station meet at most at points (no union needed) */
} sv_face_lists;
sv_status sv_redundancy_compute(sv_ctx *ctx, sv_geos *h, const sv_geom *region, const sv_geom *const *areas,
                                const size_t *ids, size_t n, sv_popsurf *surf, double own_people,
                                double *only_area, double *only_people, sv_face_lists *only_geoms,
                                sv_redundancy *r);
/* The same for a region given as pieces that do not overlap (a district
 * cut by the Voronoi cells of the stations): each piece with the areas
 * crossing it (areas[i] of station ids[i]) and base areas covering all of
 * it, which are not in areas (base_only: the station of the one covering
 * area when base is 1). A piece with base >= 3 is class 3+ without any
 * noding. The class polygons are the union of the pieces' faces (3+: region
 * less the other classes). */
typedef struct {
    const sv_geom *region;
    const sv_geom *const *areas;
    const size_t *ids;
    size_t n;
    int base;
    size_t base_only;
} sv_red_piece;
sv_status sv_redundancy_compute_pieces(sv_ctx *ctx, sv_geos *h, const sv_geom *region, const sv_red_piece *pieces,
                                       size_t np, sv_popsurf *surf, double own_people,
                                       double *only_area, double *only_people, sv_face_lists *only_geoms,
                                       sv_redundancy *r);
void sv_redundancy_free(sv_redundancy *r);
/* The classes from the faces of a region (faces[f].count: the areas
 * covering face f, any count >= 3 as 3; owner[f]: the station of a count-1
 * face, SIZE_MAX when not counted as anyone's), which take: faces and
 * owner are freed here. shared_edges: the faces come from one noding
 * (their class unions need no check); else 3+ is the region less the
 * other classes. Free r's buffers with sv_redundancy_free. */
sv_status sv_redundancy_from_faces(sv_ctx *ctx, sv_geos *h, const sv_geom *region, sv_face *faces, size_t *owner,
                                   size_t nf, int shared_edges, sv_popsurf *surf, double own_people,
                                   double *only_area, double *only_people, sv_face_lists *only_geoms,
                                   sv_redundancy *r);

/* The weighted q-quantile (0..1) of values (NAN entries ignored), the
 * smallest value whose cumulative weight reaches q of the total. NAN when
 * there is no weight. */
double sv_weighted_quantile(const double *values, const double *weights, size_t n, double q);

/* The population-weighted Gini coefficient of shares (0 equal .. 1), over
 * the entries with weight > 0 and a finite share; NAN when there are none
 * or the weighted mean is 0. */
double sv_gini(const double *shares, const double *weights, size_t n);

#ifdef __cplusplus
}
#endif
#endif
