/* geom_geos.c - the only file that talks to GEOS (reentrant API only). */
#define GEOS_USE_ONLY_R_API
#include <geos_c.h>

#include "svcov/sv_common.h"
#include "svcov/sv_geom.h"
#include "core/parallel.h"

#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A circle of GEOS's buffer of the point (0, 0): its ring's offsets, to add to any centre (sv_geom_circle). */
#define CIRCLE_CACHE 4
typedef struct {
    double radius;
    int quad_segs;
    unsigned n;    /* vertices of the closed ring; 0: empty slot */
    double *xy;    /* n (dx, dy) pairs */
} circle_template;

struct sv_geos {
    GEOSContextHandle_t h;
    GEOSWKBReader *wkb_reader;
    GEOSWKBWriter *wkb_writer;
    char msg[512];
    circle_template circles[CIRCLE_CACHE];
    unsigned next_circle;
};

/* sv_geom, sv_prep and sv_index are GEOS objects under our names. */
#define G(g) ((GEOSGeometry *)(g))
#define CG(g) ((const GEOSGeometry *)(g))

static void on_message(const char *fmt, ...)
{
    (void)fmt; /* unused: the _r handlers below carry userdata */
}

static void on_error_r(const char *message, void *userdata)
{
    sv_geos *s = userdata;
    snprintf(s->msg, sizeof s->msg, "%s", message);
}

static void on_notice_r(const char *message, void *userdata)
{
    (void)message;
    (void)userdata; /* notices (e.g. "Self-intersection at ...") are
                       reported through validity checks instead */
}

sv_geos *sv_geos_create(void)
{
    sv_geos *s = sv_calloc(1, sizeof *s);
    if (!s)
        return NULL;
    (void)on_message;
    s->h = GEOS_init_r();
    if (!s->h) {
        free(s);
        return NULL;
    }
    GEOSContext_setErrorMessageHandler_r(s->h, on_error_r, s);
    GEOSContext_setNoticeMessageHandler_r(s->h, on_notice_r, s);
    s->wkb_reader = GEOSWKBReader_create_r(s->h);
    s->wkb_writer = GEOSWKBWriter_create_r(s->h);
    if (!s->wkb_reader || !s->wkb_writer) {
        sv_geos_destroy(s);
        return NULL;
    }
    GEOSWKBWriter_setOutputDimension_r(s->h, s->wkb_writer, 2);
    GEOSWKBWriter_setByteOrder_r(s->h, s->wkb_writer, GEOS_WKB_NDR);
    GEOSWKBWriter_setFlavor_r(s->h, s->wkb_writer, GEOS_WKB_ISO);
    return s;
}

void sv_geos_destroy(sv_geos *s)
{
    if (!s)
        return;
    if (s->wkb_reader)
        GEOSWKBReader_destroy_r(s->h, s->wkb_reader);
    if (s->wkb_writer)
        GEOSWKBWriter_destroy_r(s->h, s->wkb_writer);
    for (int i = 0; i < CIRCLE_CACHE; i++)
        free(s->circles[i].xy);
    GEOS_finish_r(s->h);
    free(s);
}

const char *sv_geos_errmsg(const sv_geos *s)
{
    return s ? s->msg : "";
}

/* GEOS checks for interruption inside long operations (a union of 200,000
 * circles, a district of a million vertices) and calls this each time;
 * GEOS clears its request after one throw, so while the stop is set every
 * check, in every thread, is asked to throw. */
static atomic_int geos_stop; /* lock-free, so a signal handler may set it */

static void geos_check_interrupt(void)
{
    if (geos_stop)
        GEOS_interruptRequest();
}

void sv_geos_interrupt_enable(void)
{
    GEOS_interruptRegisterCallback(geos_check_interrupt);
}

void sv_geos_interrupt(void)
{
    geos_stop = 1;
}

const char *sv_geos_version(void)
{
    return GEOSversion();
}

void sv_geom_destroy(sv_geos *s, sv_geom *g)
{
    if (g)
        GEOSGeom_destroy_r(s->h, G(g));
}

sv_geom *sv_geom_clone(sv_geos *s, const sv_geom *g)
{
    return (sv_geom *)GEOSGeom_clone_r(s->h, CG(g));
}

sv_geom *sv_geom_clip_rect(sv_geos *s, const sv_geom *g, const sv_env *e)
{
    return (sv_geom *)GEOSClipByRect_r(s->h, CG(g), e->xmin, e->ymin, e->xmax, e->ymax);
}

sv_geom *sv_geom_from_wkb(sv_geos *s, const unsigned char *wkb, size_t len)
{
    if (!wkb || len == 0)
        return NULL;
    return (sv_geom *)GEOSWKBReader_read_r(s->h, s->wkb_reader, wkb, len);
}

/* The ISO, little-endian, 2D WKB of a non-empty Polygon or MultiPolygon of
 * non-empty polygons written here from the coordinates (GEOS's writer goes
 * byte by byte through a stream: 5% of the redundancy stage); the same
 * bytes as GEOS's. NULL with *fallback set for anything else (GEOS writes
 * it), NULL alone when out of memory. */
static unsigned char *polygonal_wkb(sv_geos *s, const GEOSGeometry *g, size_t *len, int *fallback)
{
    static const uint32_t one = 1;
    *fallback = 1;
    int t = GEOSGeomTypeId_r(s->h, g);
    if ((t != GEOS_POLYGON && t != GEOS_MULTIPOLYGON) || *(const unsigned char *)&one != 1)
        return NULL; /* not polygonal, or a big-endian machine */
    int np = t == GEOS_POLYGON ? 1 : GEOSGetNumGeometries_r(s->h, g);
    if (np <= 0)
        return NULL;
    size_t n = t == GEOS_POLYGON ? 0 : 9, maxpts = 0;
    for (int i = 0; i < np; i++) {
        const GEOSGeometry *p = t == GEOS_POLYGON ? g : GEOSGetGeometryN_r(s->h, g, i);
        int nh = p ? GEOSGetNumInteriorRings_r(s->h, p) : -1;
        if (nh < 0 || GEOSisEmpty_r(s->h, p) != 0)
            return NULL;
        n += 9;
        for (int r = -1; r < nh; r++) {
            const GEOSGeometry *ring = r < 0 ? GEOSGetExteriorRing_r(s->h, p) : GEOSGetInteriorRingN_r(s->h, p, r);
            const GEOSCoordSequence *cs = ring ? GEOSGeom_getCoordSeq_r(s->h, ring) : NULL;
            unsigned int size = 0;
            if (!cs || !GEOSCoordSeq_getSize_r(s->h, cs, &size))
                return NULL;
            n += 4 + 16 * (size_t)size;
            maxpts = size > maxpts ? size : maxpts;
        }
    }
    *fallback = 0;
    unsigned char *out = sv_malloc(n);
    double *xy = sv_malloc((2 * maxpts + 1) * sizeof *xy);
    if (!out || !xy) {
        free(out);
        free(xy);
        *len = 0;
        return NULL;
    }
    unsigned char *w = out;
    uint32_t u;
#define PUT_U32(v) (u = (uint32_t)(v), memcpy(w, &u, 4), w += 4)
    if (t == GEOS_MULTIPOLYGON) {
        *w++ = 1;
        PUT_U32(6);
        PUT_U32(np);
    }
    for (int i = 0; i < np; i++) {
        const GEOSGeometry *p = t == GEOS_POLYGON ? g : GEOSGetGeometryN_r(s->h, g, i);
        int nh = GEOSGetNumInteriorRings_r(s->h, p);
        *w++ = 1;
        PUT_U32(3);
        PUT_U32(nh + 1);
        for (int r = -1; r < nh; r++) {
            const GEOSGeometry *ring = r < 0 ? GEOSGetExteriorRing_r(s->h, p) : GEOSGetInteriorRingN_r(s->h, p, r);
            const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(s->h, ring);
            unsigned int size = 0;
            if (!GEOSCoordSeq_getSize_r(s->h, cs, &size) || !GEOSCoordSeq_copyToBuffer_r(s->h, cs, xy, 0, 0)) {
                free(out);
                free(xy);
                *fallback = 1;
                return NULL;
            }
            PUT_U32(size);
            memcpy(w, xy, 16 * (size_t)size);
            w += 16 * (size_t)size;
        }
    }
#undef PUT_U32
    free(xy);
    *len = n;
    return out;
}

unsigned char *sv_geom_to_wkb(sv_geos *s, const sv_geom *g, size_t *len)
{
    int fallback = 0;
    unsigned char *fast = polygonal_wkb(s, CG(g), len, &fallback);
    if (fast || !fallback)
        return fast;
    size_t n = 0;
    unsigned char *buf = GEOSWKBWriter_write_r(s->h, s->wkb_writer, CG(g), &n);
    if (!buf)
        return NULL;
    unsigned char *out = sv_malloc(n ? n : 1);
    if (out)
        memcpy(out, buf, n);
    GEOSFree_r(s->h, buf);
    *len = out ? n : 0;
    return out;
}

sv_geom *sv_geom_from_wkt(sv_geos *s, const char *wkt)
{
    GEOSWKTReader *r = GEOSWKTReader_create_r(s->h);
    if (!r)
        return NULL;
    GEOSGeometry *g = GEOSWKTReader_read_r(s->h, r, wkt);
    GEOSWKTReader_destroy_r(s->h, r);
    return (sv_geom *)g;
}

char *sv_geom_to_wkt(sv_geos *s, const sv_geom *g)
{
    GEOSWKTWriter *w = GEOSWKTWriter_create_r(s->h);
    if (!w)
        return NULL;
    GEOSWKTWriter_setTrim_r(s->h, w, 1);
    char *txt = GEOSWKTWriter_write_r(s->h, w, CG(g));
    GEOSWKTWriter_destroy_r(s->h, w);
    char *out = sv_strdup(txt);
    if (txt)
        GEOSFree_r(s->h, txt);
    return out;
}

sv_geom *sv_geom_point(sv_geos *s, double x, double y)
{
    return (sv_geom *)GEOSGeom_createPointFromXY_r(s->h, x, y);
}

/* GEOS buffers a point into one ring whose vertex k is (x + r cos a_k, y + r sin a_k): the same ring for every
 * centre, moved. So the ring of (0, 0) is kept per radius and the circle of (x, y) is that ring plus (x, y),
 * the same doubles GEOS's buffer gives (checked against GEOSBuffer on 80,000 centres and 4 radii, and by
 * test_geom), without its noding and polygonizing for every circle. */
/* The kept ring of (radius, quad_segs) in *out (NULL when GEOS's circle is not one plain ring: buffer each
 * point then); -1 when out of memory. */
static int circle_of(sv_geos *s, double radius, int quad_segs, const circle_template **out)
{
    *out = NULL;
    for (int i = 0; i < CIRCLE_CACHE; i++)
        if (s->circles[i].n && s->circles[i].radius == radius && s->circles[i].quad_segs == quad_segs) {
            *out = &s->circles[i];
            return 0;
        }
    GEOSGeometry *o = GEOSGeom_createPointFromXY_r(s->h, 0, 0);
    GEOSGeometry *c = o ? GEOSBuffer_r(s->h, o, radius, quad_segs) : NULL;
    GEOSGeom_destroy_r(s->h, o);
    circle_template *t = &s->circles[s->next_circle++ % CIRCLE_CACHE];
    free(t->xy);
    memset(t, 0, sizeof *t);
    const GEOSGeometry *ring = c && GEOSGeomTypeId_r(s->h, c) == GEOS_POLYGON && GEOSGetNumInteriorRings_r(s->h, c) == 0
                                   ? GEOSGetExteriorRing_r(s->h, c)
                                   : NULL;
    const GEOSCoordSequence *cs = ring ? GEOSGeom_getCoordSeq_r(s->h, ring) : NULL;
    unsigned n = 0;
    int rc = 0;
    if (cs && GEOSCoordSeq_getSize_r(s->h, cs, &n) && n >= 4) {
        if (!(t->xy = sv_malloc(2 * n * sizeof *t->xy)))
            rc = -1;
        else if (GEOSCoordSeq_copyToBuffer_r(s->h, cs, t->xy, 0, 0)) {
            t->radius = radius;
            t->quad_segs = quad_segs;
            t->n = n;
            *out = t;
        }
    }
    GEOSGeom_destroy_r(s->h, c);
    return rc;
}

sv_geom *sv_geom_circle(sv_geos *s, double x, double y, double radius, int quad_segs)
{
    const circle_template *t = NULL;
    if (radius > 0 && isfinite(radius) && quad_segs > 0 && isfinite(x) && isfinite(y) &&
        circle_of(s, radius, quad_segs, &t) != 0)
        return NULL; /* out of memory */
    if (t) {
        double buf[2 * 520];
        double *xy = t->n <= sizeof buf / sizeof buf[0] / 2 ? buf : sv_malloc(2 * t->n * sizeof *xy);
        if (!xy)
            return NULL;
        for (unsigned i = 0; i < t->n; i++) {
            xy[2 * i] = x + t->xy[2 * i];
            xy[2 * i + 1] = y + t->xy[2 * i + 1];
        }
        GEOSCoordSequence *cs = GEOSCoordSeq_copyFromBuffer_r(s->h, xy, t->n, 0, 0);
        if (xy != buf)
            free(xy);
        GEOSGeometry *ring = cs ? GEOSGeom_createLinearRing_r(s->h, cs) : NULL;
        return ring ? (sv_geom *)GEOSGeom_createPolygon_r(s->h, ring, NULL, 0) : NULL;
    }
    GEOSGeometry *p = GEOSGeom_createPointFromXY_r(s->h, x, y);
    if (!p)
        return NULL;
    GEOSGeometry *c = GEOSBuffer_r(s->h, p, radius, quad_segs);
    GEOSGeom_destroy_r(s->h, p);
    return (sv_geom *)c;
}

sv_geom *sv_geom_rect(sv_geos *s, const sv_env *e)
{
    return (sv_geom *)GEOSGeom_createRectangle_r(s->h, e->xmin, e->ymin, e->xmax, e->ymax);
}

static int tri(char r)
{
    return r == 2 ? -1 : (r ? 1 : 0);
}

int sv_geom_is_empty(sv_geos *s, const sv_geom *g)
{
    return tri(GEOSisEmpty_r(s->h, CG(g)));
}

int sv_geom_is_valid(sv_geos *s, const sv_geom *g, char **reason)
{
    if (reason) {
        *reason = NULL;
        char *txt = GEOSisValidReason_r(s->h, CG(g));
        if (!txt)
            return -1;
        int ok = strcmp(txt, "Valid Geometry") == 0;
        if (!ok)
            *reason = sv_strdup(txt);
        GEOSFree_r(s->h, txt);
        return ok;
    }
    return tri(GEOSisValid_r(s->h, CG(g)));
}

int sv_geom_is_polygonal(sv_geos *s, const sv_geom *g)
{
    int t = GEOSGeomTypeId_r(s->h, CG(g));
    return t == GEOS_POLYGON || t == GEOS_MULTIPOLYGON;
}

int sv_geom_point_xy(sv_geos *s, const sv_geom *g, double *x, double *y)
{
    if (GEOSGeomTypeId_r(s->h, CG(g)) != GEOS_POINT || GEOSisEmpty_r(s->h, CG(g)))
        return -1;
    if (!GEOSGeomGetX_r(s->h, CG(g), x) || !GEOSGeomGetY_r(s->h, CG(g), y))
        return -1;
    return 0;
}

sv_geom *sv_geom_point_on_surface(sv_geos *s, const sv_geom *g)
{
    return (sv_geom *)GEOSPointOnSurface_r(s->h, CG(g));
}

sv_geom *sv_geom_centroid(sv_geos *s, const sv_geom *g)
{
    return (sv_geom *)GEOSGetCentroid_r(s->h, CG(g));
}

double sv_geom_area(sv_geos *s, const sv_geom *g)
{
    double a = 0;
    if (!GEOSArea_r(s->h, CG(g), &a))
        return -1;
    return a;
}

void sv_env_union(sv_env *e, const sv_env *o)
{
    e->xmin = fmin(e->xmin, o->xmin);
    e->ymin = fmin(e->ymin, o->ymin);
    e->xmax = fmax(e->xmax, o->xmax);
    e->ymax = fmax(e->ymax, o->ymax);
}

void sv_env_add_point(sv_env *e, double x, double y)
{
    sv_env p = {x, y, x, y};
    sv_env_union(e, &p);
}

int sv_geom_envelope(sv_geos *s, const sv_geom *g, sv_env *e)
{
    if (GEOSisEmpty_r(s->h, CG(g)))
        return -1;
    if (!GEOSGeom_getXMin_r(s->h, CG(g), &e->xmin) || !GEOSGeom_getYMin_r(s->h, CG(g), &e->ymin) ||
        !GEOSGeom_getXMax_r(s->h, CG(g), &e->xmax) || !GEOSGeom_getYMax_r(s->h, CG(g), &e->ymax))
        return -1;
    return 0;
}

int sv_geom_num_parts(sv_geos *s, const sv_geom *g)
{
    return GEOSGetNumGeometries_r(s->h, CG(g));
}

sv_geom *sv_geom_part(sv_geos *s, const sv_geom *g, int i)
{
    const GEOSGeometry *p = GEOSGetGeometryN_r(s->h, CG(g), i);
    return p ? (sv_geom *)GEOSGeom_clone_r(s->h, p) : NULL;
}

sv_geom *sv_geom_empty_polygon(sv_geos *s)
{
    return (sv_geom *)GEOSGeom_createEmptyPolygon_r(s->h);
}

/* Collect the polygons of g (recursing into collections) into parts. */
static int collect_polygons(sv_geos *s, const GEOSGeometry *g, GEOSGeometry ***parts,
                            size_t *n, size_t *cap)
{
    int t = GEOSGeomTypeId_r(s->h, g);
    if (t == GEOS_POLYGON) {
        if (GEOSisEmpty_r(s->h, g))
            return 0;
        if (sv_grow(parts, cap, *n + 1, sizeof **parts, 8) != 0)
            return -1;
        GEOSGeometry *c = GEOSGeom_clone_r(s->h, g);
        if (!c)
            return -1;
        (*parts)[(*n)++] = c;
        return 0;
    }
    if (t == GEOS_MULTIPOLYGON || t == GEOS_GEOMETRYCOLLECTION) {
        int k = GEOSGetNumGeometries_r(s->h, g);
        for (int i = 0; i < k; i++)
            if (collect_polygons(s, GEOSGetGeometryN_r(s->h, g, i), parts, n, cap) != 0)
                return -1;
    }
    return 0;
}

/* n polygons as one geometry: an empty polygon, the polygon, or a
 * MultiPolygon owning them. NULL on failure (the parts stay the caller's). */
static GEOSGeometry *polygon_or_multi(sv_geos *s, GEOSGeometry **parts, size_t n)
{
    if (n == 0)
        return GEOSGeom_createEmptyPolygon_r(s->h);
    if (n == 1)
        return parts[0];
    return GEOSGeom_createCollection_r(s->h, GEOS_MULTIPOLYGON, parts, (unsigned)n);
}

sv_geom *sv_geom_make_valid_polygonal(sv_geos *s, const sv_geom *g, int *repaired)
{
    *repaired = 0;
    char v = GEOSisValid_r(s->h, CG(g));
    if (v == 2)
        return NULL;
    if (v == 1 && sv_geom_is_polygonal(s, g))
        return sv_geom_clone(s, g);

    GEOSGeometry *fixed = NULL;
    if (v == 1) {
        fixed = GEOSGeom_clone_r(s->h, CG(g));
    } else {
        *repaired = 1;
        /* "structure" keeps the area a planner drew (a bow-tie stays two
         * lobes) and drops collapsed parts. */
        GEOSMakeValidParams *par = GEOSMakeValidParams_create_r(s->h);
        if (!par)
            return NULL;
        GEOSMakeValidParams_setMethod_r(s->h, par, GEOS_MAKE_VALID_STRUCTURE);
        GEOSMakeValidParams_setKeepCollapsed_r(s->h, par, 0);
        fixed = GEOSMakeValidWithParams_r(s->h, CG(g), par);
        GEOSMakeValidParams_destroy_r(s->h, par);
    }
    if (!fixed)
        return NULL;
    if (GEOSGeomTypeId_r(s->h, fixed) == GEOS_POLYGON ||
        GEOSGeomTypeId_r(s->h, fixed) == GEOS_MULTIPOLYGON)
        return (sv_geom *)fixed;

    GEOSGeometry *out = (GEOSGeometry *)sv_geom_polygons(s, (const sv_geom *)fixed);
    GEOSGeom_destroy_r(s->h, fixed);
    return (sv_geom *)out;
}

sv_geom *sv_geom_polygons(sv_geos *s, const sv_geom *g)
{
    int t = GEOSGeomTypeId_r(s->h, CG(g));
    if (t == GEOS_POLYGON || t == GEOS_MULTIPOLYGON)
        return sv_geom_clone(s, g);
    GEOSGeometry **parts = NULL;
    size_t n = 0, cap = 0;
    GEOSGeometry *out = NULL;
    if (collect_polygons(s, CG(g), &parts, &n, &cap) == 0 && (out = polygon_or_multi(s, parts, n)) != NULL)
        n = 0; /* the result owns the parts now */
    for (size_t i = 0; i < n; i++)
        GEOSGeom_destroy_r(s->h, parts[i]);
    free(parts);
    return (sv_geom *)out;
}

/* 2 * area / perimeter: the width of a thin strip or needle; -1 on error. */
static double mean_width(sv_geos *s, const GEOSGeometry *poly)
{
    double a = 0, l = 0;
    if (!GEOSArea_r(s->h, poly, &a) || !GEOSLength_r(s->h, poly, &l))
        return -1;
    return l > 0 ? 2.0 * a / l : 0.0;
}

/* poly (owned) without the holes thinner than tol (a valid polygon stays
 * valid: the shell and the other holes are unchanged). NULL on error. */
static GEOSGeometry *fill_thin_holes(sv_geos *s, GEOSGeometry *poly, double tol, size_t *dropped)
{
    int nh = GEOSGetNumInteriorRings_r(s->h, poly);
    if (nh <= 0)
        return poly;
    char *thin = sv_calloc((size_t)nh, 1);
    GEOSGeometry **keep = sv_calloc((size_t)nh, sizeof *keep);
    GEOSGeometry *shell = NULL, *out = NULL;
    int nthin = 0, nk = 0, ok = thin && keep;
    for (int i = 0; i < nh && ok; i++) {
        GEOSGeometry *r = GEOSGeom_clone_r(s->h, GEOSGetInteriorRingN_r(s->h, poly, i));
        GEOSGeometry *hole = r ? GEOSGeom_createPolygon_r(s->h, r, NULL, 0) : NULL;
        double w = hole ? mean_width(s, hole) : -1;
        if (hole)
            GEOSGeom_destroy_r(s->h, hole);
        else if (r)
            GEOSGeom_destroy_r(s->h, r);
        ok = w >= 0;
        nthin += (thin[i] = ok && w < tol);
    }
    if (ok && nthin == 0) {
        out = poly;
        poly = NULL;
    }
    for (int i = 0; i < nh && ok && poly; i++)
        if (!thin[i])
            ok = (keep[nk++] = GEOSGeom_clone_r(s->h, GEOSGetInteriorRingN_r(s->h, poly, i))) != NULL;
    if (ok && poly && (shell = GEOSGeom_clone_r(s->h, GEOSGetExteriorRing_r(s->h, poly))) != NULL &&
        (out = GEOSGeom_createPolygon_r(s->h, shell, keep, (unsigned)nk)) != NULL) {
        nk = 0; /* out owns the shell and the holes */
        *dropped += (size_t)nthin;
    } else if (shell && !out) {
        GEOSGeom_destroy_r(s->h, shell);
    }
    for (int i = 0; keep && i < nk; i++)
        if (keep[i])
            GEOSGeom_destroy_r(s->h, keep[i]);
    free(keep);
    free(thin);
    if (poly)
        GEOSGeom_destroy_r(s->h, poly);
    return out;
}

sv_geom *sv_geom_without_slivers(sv_geos *s, const sv_geom *g, double tol, size_t *n_dropped)
{
    size_t dropped = 0;
    GEOSGeometry **parts = NULL;
    size_t n = 0, cap = 0, k = 0;
    GEOSGeometry *out = NULL;
    int ok = collect_polygons(s, CG(g), &parts, &n, &cap) == 0;
    for (size_t i = 0; i < n && ok; i++) {
        GEOSGeometry *p = parts[i];
        double w = mean_width(s, p);
        if (w < 0) {
            ok = 0; /* p stays in parts[i] and is freed below */
            break;
        }
        parts[i] = NULL;
        if (w < tol) {
            dropped++;
            GEOSGeom_destroy_r(s->h, p);
        } else if ((p = fill_thin_holes(s, p, tol, &dropped)) != NULL) {
            parts[k++] = p;
        } else {
            ok = 0;
        }
    }
    if (ok && (out = polygon_or_multi(s, parts, k)) != NULL)
        n = 0; /* the result owns the parts now */
    for (size_t i = 0; i < n; i++)
        if (parts[i])
            GEOSGeom_destroy_r(s->h, parts[i]);
    free(parts);
    if (out && n_dropped)
        *n_dropped += dropped;
    return (sv_geom *)out;
}

sv_geom *sv_geom_on_grid(sv_geos *s, const sv_geom *g, double grid)
{
    if (!sv_geom_is_polygonal(s, g))
        return (sv_geom *)GEOSGeom_setPrecision_r(s->h, CG(g), grid, 0);
    /* Snap-rounding (flags 0: through the overlay) gives a valid result
     * only from a valid input, and a transformation to lon/lat can make a
     * hole that touched its shell cross it: repair first, and should the
     * result still not be valid, round, repair and snap-round again. */
    int repaired = 0;
    sv_geom *in = sv_geom_make_valid_polygonal(s, g, &repaired);
    GEOSGeometry *r = in ? GEOSGeom_setPrecision_r(s->h, CG(in), grid, 0) : NULL;
    for (int attempt = 0; attempt < 3 && (!r || GEOSisValid_r(s->h, r) != 1); attempt++) {
        GEOSGeometry *rounded = GEOSGeom_setPrecision_r(s->h, CG(r ? (sv_geom *)r : in ? in : g), grid,
                                                        GEOS_PREC_NO_TOPO);
        sv_geom *v = rounded ? sv_geom_make_valid_polygonal(s, (const sv_geom *)rounded, &repaired) : NULL;
        if (r)
            GEOSGeom_destroy_r(s->h, r);
        r = v ? GEOSGeom_setPrecision_r(s->h, CG(v), grid, 0) : NULL;
        sv_geom_destroy(s, v);
        if (rounded)
            GEOSGeom_destroy_r(s->h, rounded);
    }
    sv_geom_destroy(s, in);
    if (r && GEOSisValid_r(s->h, r) != 1) {
        snprintf(s->msg, sizeof s->msg, "no valid polygon on a grid of %g", grid);
        GEOSGeom_destroy_r(s->h, r);
        r = NULL;
    }
    return (sv_geom *)r;
}

sv_geom *sv_geom_intersection(sv_geos *s, const sv_geom *a, const sv_geom *b)
{
    return (sv_geom *)GEOSIntersection_r(s->h, CG(a), CG(b));
}

sv_geom *sv_geom_difference(sv_geos *s, const sv_geom *a, const sv_geom *b)
{
    return (sv_geom *)GEOSDifference_r(s->h, CG(a), CG(b));
}

sv_geom *sv_geom_union_take(sv_geos *s, sv_geom **parts, size_t n)
{
    if (n == 0)
        return sv_geom_empty_polygon(s);
    if (n == 1) {
        sv_geom *g = parts[0];
        parts[0] = NULL;
        return g;
    }
    GEOSGeometry *coll = GEOSGeom_createCollection_r(s->h, GEOS_GEOMETRYCOLLECTION,
                                                     (GEOSGeometry **)parts, (unsigned)n);
    if (!coll)
        return NULL;
    for (size_t i = 0; i < n; i++)
        parts[i] = NULL;
    GEOSGeometry *u = GEOSUnaryUnion_r(s->h, coll);
    GEOSGeom_destroy_r(s->h, coll);
    return (sv_geom *)u;
}

sv_prep *sv_prep_create(sv_geos *s, const sv_geom *base)
{
    return (sv_prep *)GEOSPrepare_r(s->h, CG(base));
}

void sv_prep_destroy(sv_geos *s, sv_prep *p)
{
    if (p)
        GEOSPreparedGeom_destroy_r(s->h, (const GEOSPreparedGeometry *)p);
}

int sv_prep_contains(sv_geos *s, const sv_prep *p, const sv_geom *g)
{
    return tri(GEOSPreparedContains_r(s->h, (const GEOSPreparedGeometry *)p, CG(g)));
}

int sv_prep_intersects(sv_geos *s, const sv_prep *p, const sv_geom *g)
{
    return tri(GEOSPreparedIntersects_r(s->h, (const GEOSPreparedGeometry *)p, CG(g)));
}

int sv_prep_covers_xy(sv_geos *s, const sv_prep *p, double x, double y)
{
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(s->h, x, y);
    if (!pt)
        return -1;
    int r = tri(GEOSPreparedCovers_r(s->h, (const GEOSPreparedGeometry *)p, pt));
    GEOSGeom_destroy_r(s->h, pt);
    return r;
}

int sv_prep_within_distance(sv_geos *s, const sv_prep *p, const sv_geom *g, double d)
{
    /* GEOS 3.11's PreparedDistanceWithin tests polygons without their
     * index; PreparedDistance uses the point locator and facet index. */
    double dist = 0;
    if (!GEOSPreparedDistance_r(s->h, (const GEOSPreparedGeometry *)p, CG(g), &dist))
        return -1;
    return dist <= d;
}

/* ---- STR-tree over ids ---- */

sv_index *sv_index_create(sv_geos *s)
{
    return (sv_index *)GEOSSTRtree_create_r(s->h, 10);
}

void sv_index_destroy(sv_geos *s, sv_index *t)
{
    if (t)
        GEOSSTRtree_destroy_r(s->h, (GEOSSTRtree *)t);
}

int sv_index_insert(sv_geos *s, sv_index *t, size_t id, const sv_env *e)
{
    GEOSGeometry *r = GEOSGeom_createRectangle_r(s->h, e->xmin, e->ymin, e->xmax, e->ymax);
    if (!r)
        return -1;
    /* ids are stored as id + 1 so that id 0 is not a NULL item; the tree
     * keeps the envelope by value, so the rectangle can go. */
    GEOSSTRtree_insert_r(s->h, (GEOSSTRtree *)t, r, (void *)(uintptr_t)(id + 1));
    GEOSGeom_destroy_r(s->h, r);
    return 0;
}

typedef struct {
    size_t **ids;
    size_t *n, *cap;
    int failed;
} query_acc;

static void on_hit(void *item, void *userdata)
{
    query_acc *q = userdata;
    if (q->failed)
        return;
    if (sv_grow(q->ids, q->cap, *q->n + 1, sizeof **q->ids, 64) != 0) {
        q->failed = 1;
        return;
    }
    (*q->ids)[(*q->n)++] = (size_t)(uintptr_t)item - 1;
}

int sv_index_query(sv_geos *s, sv_index *t, const sv_env *e, size_t **ids, size_t *n, size_t *cap)
{
    GEOSGeometry *r = GEOSGeom_createRectangle_r(s->h, e->xmin, e->ymin, e->xmax, e->ymax);
    if (!r)
        return -1;
    query_acc q = {ids, n, cap, 0};
    GEOSSTRtree_query_r(s->h, (GEOSSTRtree *)t, r, on_hit, &q);
    GEOSGeom_destroy_r(s->h, r);
    return q.failed ? -1 : 0;
}

/* ---- Voronoi cells in site order ---- */

static int cmp_ids(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* The sites of a diagram by grid square, for the sites within a cell's envelope: the same ones an STR-tree of
 * their points would give (the envelope's edges included), without a rectangle per insert and per query. */
typedef struct {
    double x0, y0, inv;
    size_t gx, gy;
    size_t *start; /* gx * gy + 1 */
    size_t *ids;   /* by square, each square's in ascending order */
} site_grid;

static size_t grid_col(const site_grid *g, double x)
{
    double f = floor((x - g->x0) * g->inv);
    return f < 0 ? 0 : f >= (double)g->gx ? g->gx - 1 : (size_t)f;
}

static size_t grid_row(const site_grid *g, double y)
{
    double f = floor((y - g->y0) * g->inv);
    return f < 0 ? 0 : f >= (double)g->gy ? g->gy - 1 : (size_t)f;
}

static void grid_free(site_grid *g)
{
    free(g->start);
    free(g->ids);
}

static int grid_build(site_grid *g, const double *xs, const double *ys, size_t n, const char *use, size_t m)
{
    memset(g, 0, sizeof *g);
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    for (size_t i = 0; i < n; i++)
        if (use[i]) {
            x0 = fmin(x0, xs[i]);
            y0 = fmin(y0, ys[i]);
            x1 = fmax(x1, xs[i]);
            y1 = fmax(y1, ys[i]);
        }
    /* about two sites a square (no more squares along a line of sites than sites); at most 2^22 squares */
    double w = fmax(x1 - x0, 0), hgt = fmax(y1 - y0, 0), sites = (double)(m ? m : 1);
    double side = 1.4 * fmax(sqrt(w * hgt / sites), fmax(w, hgt) / sites);
    if (!(side > 0) || !isfinite(side))
        side = 1;
    while ((w / side + 1) * (hgt / side + 1) > 4194304.0)
        side *= 2;
    g->x0 = x0;
    g->y0 = y0;
    g->inv = 1 / side;
    g->gx = (size_t)(w / side) + 1;
    g->gy = (size_t)(hgt / side) + 1;
    g->start = sv_calloc(g->gx * g->gy + 1, sizeof *g->start);
    g->ids = sv_malloc((m ? m : 1) * sizeof *g->ids);
    if (!g->start || !g->ids)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (use[i])
            g->start[grid_row(g, ys[i]) * g->gx + grid_col(g, xs[i]) + 1]++;
    for (size_t k = 0; k < g->gx * g->gy; k++)
        g->start[k + 1] += g->start[k];
    size_t *fill = sv_malloc((g->gx * g->gy + 1) * sizeof *fill);
    if (!fill)
        return -1;
    memcpy(fill, g->start, (g->gx * g->gy + 1) * sizeof *fill);
    for (size_t i = 0; i < n; i++)
        if (use[i])
            g->ids[fill[grid_row(g, ys[i]) * g->gx + grid_col(g, xs[i])]++] = i;
    free(fill);
    return 0;
}

/* The sites with xmin <= x <= xmax and ymin <= y <= ymax into *ids (grown as sv_index_query does). */
static int grid_query(const site_grid *g, const double *xs, const double *ys, const sv_env *e, size_t **ids,
                      size_t *n, size_t *cap)
{
    *n = 0;
    size_t c0 = grid_col(g, e->xmin), c1 = grid_col(g, e->xmax), r0 = grid_row(g, e->ymin), r1 = grid_row(g, e->ymax);
    for (size_t r = r0; r <= r1; r++)
        for (size_t k = g->start[r * g->gx + c0]; k < g->start[r * g->gx + c1 + 1]; k++) {
            size_t i = g->ids[k];
            if (xs[i] < e->xmin || xs[i] > e->xmax || ys[i] < e->ymin || ys[i] > e->ymax)
                continue;
            if (sv_grow(ids, cap, *n + 1, sizeof **ids, 64) != 0)
                return -1;
            (*ids)[(*n)++] = i;
        }
    return 0;
}

#define VOR_NONE ((size_t)-1)

/* One diagram's cells matched to their sites: the matching of each cell (on the workers), then which site keeps
 * which cell (in the cells' order, as one thread would), then each site's cell cut to the clip (on the workers). */
typedef struct {
    const double *xs, *ys;
    size_t n;
    const char *is_first;
    const site_grid *grid;
    const GEOSGeometry *diagram;
    sv_env big;
    /* per cell: the site nearest its centroid, or (tie) the sites inside it, in ascending order: the first
     * n_in[c] (at most 2) of them in in[2 c], in[2 c + 1]; n_in[c] 3: more, found again by one thread */
    size_t *best;
    unsigned char *tie, *n_in;
    size_t *in;
    size_t *cell_of; /* per site: its cell, or VOR_NONE */
    /* what becomes of each site's cell: geoms (sv_voronoi_cells) or WKB and envelopes */
    sv_geom **cells;
    unsigned char **wkb;
    size_t *len;
    sv_env *env;
    atomic_int failed;
    pthread_mutex_t lock;
    char msg[512];
} vor_job;

typedef struct {
    size_t *ids, nids, capids;
} vor_worker;

static int vor_fail(vor_job *j, sv_geos *s, const char *what)
{
    pthread_mutex_lock(&j->lock);
    if (!atomic_load(&j->failed))
        snprintf(j->msg, sizeof j->msg, "%s%s%s", what, s->msg[0] ? ": " : "", s->msg);
    atomic_store(&j->failed, 1);
    pthread_mutex_unlock(&j->lock);
    return -1;
}

static void vor_fini(void *job, sv_geos *s, void *worker)
{
    (void)job;
    (void)s;
    free(((vor_worker *)worker)->ids);
}

/* The sites inside cell (prepared), among the candidates ids (ascending), that no earlier cell took
 * (taken NULL: any): the first into *first (VOR_NONE: none); with in, up to max of all of them into in, their
 * count (up to max + 1) returned. -1 on error. */
static int vor_sites_inside(sv_geos *s, const vor_job *j, const GEOSGeometry *cell, const size_t *ids, size_t nids,
                            const size_t *taken, size_t *first, size_t *in, int max)
{
    const GEOSPreparedGeometry *pc = GEOSPrepare_r(s->h, cell);
    if (!pc)
        return -1;
    int count = 0;
    *first = VOR_NONE;
    for (size_t k = 0; k < nids && count <= max; k++) {
        size_t i = ids[k];
        if (!j->is_first[i] || (taken && taken[i] != VOR_NONE))
            continue;
        GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(s->h, j->xs[i], j->ys[i]);
        if (pt && GEOSPreparedContains_r(s->h, pc, pt) == 1) {
            if (*first == VOR_NONE)
                *first = i;
            if (count < max)
                in[count] = i;
            count++;
            if (!in)
                k = nids; /* the first is enough */
        }
        if (pt)
            GEOSGeom_destroy_r(s->h, pt);
    }
    GEOSPreparedGeom_destroy_r(s->h, pc);
    return count;
}

/* 1 when (x, y) lies on one side of every edge of the cell's ring (a polygon without holes), each time by far more
 * than the rounding of the test (1e-9 of its scale): inside it, as GEOS's exact point location would find;
 * 0 when not sure (GEOS is asked then). */
static int surely_inside(sv_geos *s, const GEOSGeometry *cell, double x, double y)
{
    if (GEOSGeomTypeId_r(s->h, cell) != GEOS_POLYGON || GEOSGetNumInteriorRings_r(s->h, cell) != 0)
        return 0;
    const GEOSGeometry *ring = GEOSGetExteriorRing_r(s->h, cell);
    const GEOSCoordSequence *cs = ring ? GEOSGeom_getCoordSeq_r(s->h, ring) : NULL;
    unsigned int n = 0;
    if (!cs || !GEOSCoordSeq_getSize_r(s->h, cs, &n) || n < 4)
        return 0;
    int left = 0, right = 0;
    double ax, ay, bx, by;
    if (!GEOSCoordSeq_getXY_r(s->h, cs, 0, &ax, &ay))
        return 0;
    for (unsigned int k = 1; k < n; k++, ax = bx, ay = by) {
        if (!GEOSCoordSeq_getXY_r(s->h, cs, k, &bx, &by))
            return 0;
        double ux = bx - ax, uy = by - ay, vx = x - ax, vy = y - ay;
        double o = ux * vy - uy * vx, scale = (fabs(ux) + fabs(uy)) * (fabs(vx) + fabs(vy));
        if (o > 1e-9 * scale && scale > 0)
            left = 1;
        else if (o < -1e-9 * scale && scale > 0)
            right = 1;
        else
            return 0;
        if (left && right)
            return 0;
    }
    return 1;
}

/* Cell c: the site nearest its centroid among the sites in its envelope; near ties (also a single candidate),
 * the sites inside it. Every point of a cell is nearer to its site than to any other, so that is its site. */
static int vor_match(void *job, sv_geos *s, void *worker, size_t c)
{
    vor_job *j = job;
    vor_worker *w = worker;
    const GEOSGeometry *cell = GEOSGetGeometryN_r(s->h, j->diagram, (int)c);
    sv_env ce;
    j->best[c] = VOR_NONE;
    if (!cell)
        return vor_fail(j, s, "cannot read a Voronoi cell");
    if (sv_geom_envelope(s, (const sv_geom *)cell, &ce) != 0)
        return 0;
    if (grid_query(j->grid, j->xs, j->ys, &ce, &w->ids, &w->nids, &w->capids) != 0)
        return vor_fail(j, s, "out of memory");
    GEOSGeometry *cen = GEOSGetCentroid_r(s->h, cell);
    double cx = 0, cy = 0;
    int ok = cen && GEOSGeomGetX_r(s->h, cen, &cx) && GEOSGeomGetY_r(s->h, cen, &cy);
    if (cen)
        GEOSGeom_destroy_r(s->h, cen);
    if (!ok)
        return vor_fail(j, s, "cannot find the centroid of a Voronoi cell");
    size_t best = VOR_NONE;
    double d1 = INFINITY, d2 = INFINITY;
    for (size_t k = 0; k < w->nids; k++) {
        size_t i = w->ids[k];
        double d = (j->xs[i] - cx) * (j->xs[i] - cx) + (j->ys[i] - cy) * (j->ys[i] - cy);
        if (d < d1) {
            d2 = d1;
            d1 = d;
            best = i;
        } else if (d < d2) {
            d2 = d;
        }
    }
    j->best[c] = best;
    if (best != VOR_NONE && !(d2 - d1 > 1e-9 * d2)) {
        j->tie[c] = 1;
        if (w->nids == 1 && surely_inside(s, cell, j->xs[best], j->ys[best])) { /* the one candidate, inside */
            j->n_in[c] = 1;
            j->in[2 * c] = best;
            return 0;
        }
        qsort(w->ids, w->nids, sizeof *w->ids, cmp_ids);
        size_t first;
        int m = vor_sites_inside(s, j, cell, w->ids, w->nids, NULL, &first, j->in + 2 * c, 2);
        if (m < 0)
            return vor_fail(j, s, "cannot prepare a Voronoi cell");
        j->n_in[c] = (unsigned char)m;
    }
    return 0;
}

/* Which site keeps which cell, in the cells' order: a site keeps the first cell that chose it. */
static int vor_assign(vor_job *j, sv_geos *s, size_t ncell)
{
    size_t *ids = NULL, nids = 0, capids = 0;
    int rc = 0;
    for (size_t c = 0; c < ncell && rc == 0; c++) {
        size_t best = j->best[c];
        if (best != VOR_NONE && j->tie[c]) {
            best = VOR_NONE;
            if (j->n_in[c] <= 2) {
                for (int k = 0; k < j->n_in[c] && best == VOR_NONE; k++)
                    if (j->cell_of[j->in[2 * c + k]] == VOR_NONE)
                        best = j->in[2 * c + k];
            } else { /* more than two sites inside: ask again, now knowing which are taken */
                const GEOSGeometry *cell = GEOSGetGeometryN_r(s->h, j->diagram, (int)c);
                sv_env ce;
                if (!cell || sv_geom_envelope(s, (const sv_geom *)cell, &ce) != 0 ||
                    grid_query(j->grid, j->xs, j->ys, &ce, &ids, &nids, &capids) != 0) {
                    rc = -1;
                    break;
                }
                qsort(ids, nids, sizeof *ids, cmp_ids);
                if (vor_sites_inside(s, j, cell, ids, nids, j->cell_of, &best, NULL, 0) < 0)
                    rc = -1;
            }
        }
        if (best != VOR_NONE && j->cell_of[best] == VOR_NONE)
            j->cell_of[best] = c;
    }
    free(ids);
    return rc;
}

/* Site i's cell cut to the clip: as a geometry, or as WKB and its envelope. */
static int vor_clip(void *job, sv_geos *s, void *worker, size_t i)
{
    (void)worker;
    vor_job *j = job;
    if (j->cell_of[i] == VOR_NONE)
        return 0;
    const GEOSGeometry *cell = GEOSGetGeometryN_r(s->h, j->diagram, (int)j->cell_of[i]);
    GEOSGeometry *cut = cell ? GEOSClipByRect_r(s->h, cell, j->big.xmin, j->big.ymin, j->big.xmax, j->big.ymax)
                             : NULL;
    if (!cut)
        return vor_fail(j, s, "cannot cut a Voronoi cell to the area");
    if (j->cells) {
        j->cells[i] = (sv_geom *)cut;
        return 0;
    }
    if (j->env)
        sv_geom_envelope(s, (const sv_geom *)cut, &j->env[i]);
    j->wkb[i] = sv_geom_to_wkb(s, (const sv_geom *)cut, &j->len[i]);
    GEOSGeom_destroy_r(s->h, cut);
    return j->wkb[i] ? 0 : vor_fail(j, s, "out of memory for the Voronoi cells");
}

static int cmp_sites(const void *a, const void *b, void *arg)
{
    const double *const *xy = arg;
    size_t i = *(const size_t *)a, k = *(const size_t *)b;
    if (xy[0][i] != xy[0][k])
        return xy[0][i] < xy[0][k] ? -1 : 1;
    if (xy[1][i] != xy[1][k])
        return xy[1][i] < xy[1][k] ? -1 : 1;
    return i < k ? -1 : i > k;
}

/* The diagram of the distinct sites, each matched cell cut and handed out per site (into j->cells, or j->wkb,
 * j->len and j->env). */
static int voronoi_run(sv_geos *s, int threads, const double *xs, const double *ys, size_t n, const sv_env *clip,
                       vor_job *j)
{
    s->msg[0] = '\0';
    if (n == 0)
        return 0;
    sv_env big = *clip;
    for (size_t i = 0; i < n; i++)
        sv_env_add_point(&big, xs[i], ys[i]);
    int rc = -1;
    GEOSGeometry **pts = NULL, *mp = NULL, *env = NULL, *diagram = NULL;
    site_grid grid = {0};
    size_t *order = sv_malloc(n * sizeof *order);
    char *is_first = sv_calloc(n, 1);
    j->xs = xs;
    j->ys = ys;
    j->n = n;
    j->big = big;
    j->is_first = is_first;
    j->grid = &grid;
    atomic_init(&j->failed, 0);
    pthread_mutex_init(&j->lock, NULL);
    if (!order || !is_first)
        goto done;
    /* Repeated sites: only the first of each keeps a cell. */
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    const double *xy[2] = {xs, ys};
    qsort_r(order, n, sizeof *order, cmp_sites, (void *)xy);
    size_t distinct = 0;
    for (size_t k = 0; k < n; k++) {
        size_t i = order[k];
        int first = k == 0 || xs[order[k - 1]] != xs[i] || ys[order[k - 1]] != ys[i];
        is_first[i] = (char)first;
        distinct += (size_t)first;
    }
    free(order);
    order = NULL;

    if (distinct == 1) {
        for (size_t i = 0; i < n; i++)
            if (is_first[i]) {
                GEOSGeometry *r = GEOSGeom_createRectangle_r(s->h, big.xmin, big.ymin, big.xmax, big.ymax);
                if (!r)
                    goto done;
                if (j->cells) {
                    j->cells[i] = (sv_geom *)r;
                } else {
                    if (j->env)
                        sv_geom_envelope(s, (const sv_geom *)r, &j->env[i]);
                    j->wkb[i] = sv_geom_to_wkb(s, (const sv_geom *)r, &j->len[i]);
                    GEOSGeom_destroy_r(s->h, r);
                    if (!j->wkb[i])
                        goto done;
                }
            }
        rc = 0;
        goto done;
    }

    pts = sv_malloc(distinct * sizeof *pts);
    if (!pts)
        goto done;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (is_first[i]) {
            if (!(pts[m] = GEOSGeom_createPointFromXY_r(s->h, xs[i], ys[i]))) {
                for (size_t k = 0; k < m; k++)
                    GEOSGeom_destroy_r(s->h, pts[k]);
                goto done;
            }
            m++;
        }
    mp = GEOSGeom_createCollection_r(s->h, GEOS_MULTIPOINT, pts, (unsigned)m);
    if (!mp) {
        for (size_t k = 0; k < m; k++)
            GEOSGeom_destroy_r(s->h, pts[k]);
        goto done;
    }
    if (!(env = GEOSGeom_createRectangle_r(s->h, big.xmin, big.ymin, big.xmax, big.ymax)) ||
        !(diagram = GEOSVoronoiDiagram_r(s->h, mp, env, 0.0, 0)))
        goto done;
    GEOSGeom_destroy_r(s->h, mp); /* the sites are not needed beside the diagram */
    mp = NULL;
    int ncell = GEOSGetNumGeometries_r(s->h, diagram);
    if (ncell < 0 || grid_build(&grid, xs, ys, n, is_first, distinct) != 0)
        goto done;
    size_t nc = (size_t)ncell;
    j->diagram = diagram;
    j->best = sv_malloc((nc + 1) * sizeof *j->best);
    j->tie = sv_calloc(nc + 1, 1);
    j->n_in = sv_calloc(nc + 1, 1);
    j->in = sv_malloc((2 * nc + 1) * sizeof *j->in);
    j->cell_of = sv_malloc(n * sizeof *j->cell_of);
    if (!j->best || !j->tie || !j->n_in || !j->in || !j->cell_of)
        goto done;
    for (size_t i = 0; i < n; i++)
        j->cell_of[i] = VOR_NONE;
    sv_parallel_spec match = {.worker_size = sizeof(vor_worker), .item = vor_match, .fini = vor_fini,
                              .caller_h = s};
    sv_parallel_spec cut = {.item = vor_clip, .caller_h = s};
    if (nc < 4096)
        threads = 1; /* not worth a thread */
    if (sv_parallel_run(threads, nc, &match, j) != 0 || atomic_load(&j->failed))
        goto done;
    if (vor_assign(j, s, nc) != 0)
        goto done;
    for (size_t i = 0; i < n; i++)
        if (is_first[i] && j->cell_of[i] == VOR_NONE) {
            snprintf(j->msg, sizeof j->msg, "Voronoi diagram has no cell for site %zu", i);
            atomic_store(&j->failed, 1);
            goto done;
        }
    if (sv_parallel_run(threads, n, &cut, j) != 0 || atomic_load(&j->failed))
        goto done;
    rc = 0;

done:
    if (atomic_load(&j->failed))
        snprintf(s->msg, sizeof s->msg, "%s", j->msg);
    free(order);
    free(is_first);
    free(pts);
    grid_free(&grid);
    free(j->best);
    free(j->tie);
    free(j->n_in);
    free(j->in);
    free(j->cell_of);
    if (mp)
        GEOSGeom_destroy_r(s->h, mp);
    if (env)
        GEOSGeom_destroy_r(s->h, env);
    if (diagram)
        GEOSGeom_destroy_r(s->h, diagram);
    pthread_mutex_destroy(&j->lock);
    return rc;
}

int sv_voronoi_cells(sv_geos *s, const double *xs, const double *ys, size_t n,
                     const sv_env *clip, sv_geom **cells)
{
    for (size_t i = 0; i < n; i++)
        cells[i] = NULL;
    vor_job j = {.cells = cells};
    int rc = voronoi_run(s, 1, xs, ys, n, clip, &j);
    if (rc != 0)
        for (size_t i = 0; i < n; i++) {
            sv_geom_destroy(s, cells[i]);
            cells[i] = NULL;
        }
    return rc;
}

int sv_voronoi_cells_wkb(sv_geos *s, int threads, const double *xs, const double *ys, size_t n, const sv_env *clip,
                         unsigned char **wkb, size_t *len, sv_env *env)
{
    for (size_t i = 0; i < n; i++) {
        wkb[i] = NULL;
        len[i] = 0;
    }
    vor_job j = {.wkb = wkb, .len = len, .env = env};
    int rc = voronoi_run(s, threads, xs, ys, n, clip, &j);
    if (rc != 0)
        for (size_t i = 0; i < n; i++) {
            free(wkb[i]);
            wkb[i] = NULL;
            len[i] = 0;
        }
    return rc;
}

int sv_geom_line_coords(sv_geos *s, const sv_geom *g, int part, double **xy, size_t *n)
{
    *xy = NULL;
    *n = 0;
    const GEOSGeometry *line = CG(g);
    int t = GEOSGeomTypeId_r(s->h, line);
    if (t == GEOS_MULTILINESTRING)
        line = GEOSGetGeometryN_r(s->h, line, part);
    else if (part != 0)
        return -1;
    if (!line || (GEOSGeomTypeId_r(s->h, line) != GEOS_LINESTRING && GEOSGeomTypeId_r(s->h, line) != GEOS_LINEARRING))
        return -1;
    const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(s->h, line);
    unsigned int size = 0;
    if (!cs || !GEOSCoordSeq_getSize_r(s->h, cs, &size))
        return -1;
    double *v = sv_malloc(2 * (size_t)size * sizeof *v + 1);
    if (!v)
        return -1;
    for (unsigned int i = 0; i < size; i++)
        if (!GEOSCoordSeq_getXY_r(s->h, cs, i, &v[2 * i], &v[2 * i + 1])) {
            free(v);
            return -1;
        }
    *xy = v;
    *n = size;
    return 0;
}

sv_geom *sv_geom_linestring(sv_geos *s, const double *xy, size_t n)
{
    GEOSCoordSequence *cs = GEOSCoordSeq_create_r(s->h, (unsigned)n, 2);
    if (!cs)
        return NULL;
    for (size_t i = 0; i < n; i++)
        GEOSCoordSeq_setXY_r(s->h, cs, (unsigned)i, xy[2 * i], xy[2 * i + 1]);
    return (sv_geom *)GEOSGeom_createLineString_r(s->h, cs);
}

sv_geom *sv_geom_buffer(sv_geos *s, const sv_geom *g, double distance, int quad_segs)
{
    return (sv_geom *)GEOSBuffer_r(s->h, CG(g), distance, quad_segs);
}

sv_geom *sv_geom_collect_take(sv_geos *s, sv_geom **parts, size_t n)
{
    if (n == 0)
        return (sv_geom *)GEOSGeom_createEmptyCollection_r(s->h, GEOS_GEOMETRYCOLLECTION);
    int t = GEOSGeomTypeId_r(s->h, CG(parts[0]));
    int kind = t == GEOS_LINESTRING ? GEOS_MULTILINESTRING
               : t == GEOS_POLYGON  ? GEOS_MULTIPOLYGON
               : t == GEOS_POINT    ? GEOS_MULTIPOINT
                                    : GEOS_GEOMETRYCOLLECTION;
    for (size_t i = 1; i < n; i++)
        if (GEOSGeomTypeId_r(s->h, CG(parts[i])) != t)
            kind = GEOS_GEOMETRYCOLLECTION;
    GEOSGeometry *c = GEOSGeom_createCollection_r(s->h, kind, (GEOSGeometry **)parts, (unsigned)n);
    if (c)
        for (size_t i = 0; i < n; i++)
            parts[i] = NULL;
    return (sv_geom *)c;
}

sv_geom *sv_geom_line_merge(sv_geos *s, const sv_geom *g)
{
    return (sv_geom *)GEOSLineMerge_r(s->h, CG(g));
}

sv_geom *sv_geom_polygon_xy(sv_geos *s, const double *xy, size_t n)
{
    if (n < 3)
        return NULL;
    int closed = xy[0] == xy[2 * (n - 1)] && xy[1] == xy[2 * (n - 1) + 1];
    size_t m = closed ? n : n + 1;
    GEOSCoordSequence *cs = GEOSCoordSeq_create_r(s->h, (unsigned)m, 2);
    if (!cs)
        return NULL;
    for (size_t i = 0; i < m; i++) {
        size_t k = i % n;
        GEOSCoordSeq_setXY_r(s->h, cs, (unsigned)i, xy[2 * k], xy[2 * k + 1]);
    }
    GEOSGeometry *ring = GEOSGeom_createLinearRing_r(s->h, cs);
    return ring ? (sv_geom *)GEOSGeom_createPolygon_r(s->h, ring, NULL, 0) : NULL;
}

sv_geom *sv_geom_polygon_rings(sv_geos *s, const double *xy, const size_t *starts, size_t nrings)
{
    if (nrings == 0)
        return NULL;
    GEOSGeometry **rings = sv_calloc(nrings, sizeof *rings);
    if (!rings)
        return NULL;
    int ok = 1;
    for (size_t r = 0; r < nrings && ok; r++) {
        size_t n = starts[r + 1] - starts[r];
        const double *p = xy + 2 * starts[r];
        int closed = n >= 1 && p[0] == p[2 * (n - 1)] && p[1] == p[2 * (n - 1) + 1];
        size_t m = closed ? n : n + 1;
        GEOSCoordSequence *cs = n >= 3 ? GEOSCoordSeq_create_r(s->h, (unsigned)m, 2) : NULL;
        for (size_t i = 0; cs && i < m; i++)
            GEOSCoordSeq_setXY_r(s->h, cs, (unsigned)i, p[2 * (i % n)], p[2 * (i % n) + 1]);
        ok = cs && (rings[r] = GEOSGeom_createLinearRing_r(s->h, cs)) != NULL;
    }
    GEOSGeometry *poly = ok ? GEOSGeom_createPolygon_r(s->h, rings[0], rings + 1, (unsigned)(nrings - 1)) : NULL;
    if (!poly)
        for (size_t r = 0; r < nrings; r++)
            GEOSGeom_destroy_r(s->h, rings[r]);
    free(rings);
    return (sv_geom *)poly;
}

/* ---- the arrangement of overlapping areas ---- */

void sv_faces_free(sv_geos *s, sv_face *f, size_t n)
{
    for (size_t i = 0; f && i < n; i++)
        GEOSGeom_destroy_r(s->h, G(f[i].geom));
    free(f);
}

int sv_geom_overlay_faces(sv_geos *s, const sv_geom *region, const sv_geom *const *areas, size_t n,
                          sv_face **faces, size_t *nfaces)
{
    return sv_geom_overlay_faces_capped(s, region, areas, n, INT_MAX, faces, nfaces);
}

/* The boundaries lines[0..n) of areas (NULL: none near the region) whose
 * every point lies in at least cap other areas, each of whose own boundary
 * is kept or away from the region, are dropped (destroyed, set NULL): on both sides of such a line
 * the count is cap or more (or a kept boundary through the same points
 * still parts the faces), so the faces it would part are of one capped
 * class and need no noding. Greedy in input order, each drop checked
 * against the lines already dropped: the same lines in every run. */
static int drop_deep_lines(sv_geos *s, const sv_geom *const *areas, const GEOSPreparedGeometry **prep,
                           GEOSGeometry **lines, size_t n, int cap)
{
    unsigned char *cover = sv_calloc(n * n + 1, 1); /* cover[j * n + k]: area k covers line j */
    int *slack = sv_calloc(n + 1, sizeof *slack);      /* kept covering areas beyond cap, of a dropped line */
    unsigned char *dropped = sv_calloc(n + 1, 1);
    double *env = sv_malloc((4 * n + 1) * sizeof *env);
    int rc = -1;
    if (!cover || !slack || !env || !dropped)
        goto done;
    for (size_t k = 0; k < n; k++) {
        double *e = env + 4 * k;
        if (!GEOSGeom_getXMin_r(s->h, CG(areas[k]), &e[0]) || !GEOSGeom_getYMin_r(s->h, CG(areas[k]), &e[1]) ||
            !GEOSGeom_getXMax_r(s->h, CG(areas[k]), &e[2]) || !GEOSGeom_getYMax_r(s->h, CG(areas[k]), &e[3]))
            goto done;
    }
    for (size_t j = 0; j < n; j++) {
        if (!lines[j])
            continue;
        double lx0, ly0, lx1, ly1;
        if (!GEOSGeom_getXMin_r(s->h, lines[j], &lx0) || !GEOSGeom_getYMin_r(s->h, lines[j], &ly0) ||
            !GEOSGeom_getXMax_r(s->h, lines[j], &lx1) || !GEOSGeom_getYMax_r(s->h, lines[j], &ly1))
            goto done;
        int nc = 0;
        for (size_t k = 0; k < n; k++) {
            const double *e = env + 4 * k;
            if (k == j || lx0 < e[0] || ly0 < e[1] || lx1 > e[2] || ly1 > e[3])
                continue;
            char c = GEOSPreparedCovers_r(s->h, prep[k], lines[j]);
            if (c == 2)
                goto done;
            cover[j * n + k] = c == 1;
            nc += c == 1;
        }
        if (nc < cap)
            continue;
        /* the areas covering line j that are kept, beyond cap; line j may
         * go if no dropped line then lacks a kept area covering it */
        int kept = 0;
        for (size_t k = 0; k < n; k++)
            kept += cover[j * n + k] && !dropped[k];
        int ok = kept >= cap;
        for (size_t i = 0; ok && i < j; i++)
            if (dropped[i] && cover[i * n + j] && slack[i] < 1)
                ok = 0;
        if (!ok)
            continue;
        for (size_t i = 0; i < j; i++)
            if (dropped[i] && cover[i * n + j])
                slack[i]--;
        slack[j] = kept - cap;
        GEOSGeom_destroy_r(s->h, lines[j]);
        lines[j] = NULL;
        dropped[j] = 1;
    }
    rc = 0;
done:
    free(cover);
    free(slack);
    free(env);
    free(dropped);
    return rc;
}

/* The boundaries of areas[0..n) clipped to the rectangle x0..x1, y0..y1
 * (lines[i], NULL where none is near) less those drop_deep_lines leaves out
 * for cap; prep[i] the prepared areas (all with prep_all, else only where
 * the pruning needs them). 0 ok, -1 on error (what is made stays in lines
 * and prep for the caller to free). */
static int parting_lines(sv_geos *s, double x0, double y0, double x1, double y1, const sv_geom *const *areas,
                         size_t n, int cap, int prep_all, GEOSGeometry **lines, const GEOSPreparedGeometry **prep)
{
    int deep = cap < INT_MAX && n > (size_t)cap;
    for (size_t i = 0; i < n; i++) {
        GEOSGeometry *b = GEOSBoundary_r(s->h, CG(areas[i]));
        GEOSGeometry *c = b ? GEOSClipByRect_r(s->h, b, x0, y0, x1, y1) : NULL;
        GEOSGeom_destroy_r(s->h, b);
        if (!c)
            return -1;
        if (GEOSisEmpty_r(s->h, c) == 1)
            GEOSGeom_destroy_r(s->h, c);
        else
            lines[i] = c;
        if ((prep_all || deep) && !(prep[i] = GEOSPrepare_r(s->h, CG(areas[i]))))
            return -1;
    }
    return deep ? drop_deep_lines(s, areas, prep, lines, n, cap) : 0;
}

static void free_parting_lines(sv_geos *s, GEOSGeometry **lines, const GEOSPreparedGeometry **prep, size_t n)
{
    for (size_t i = 0; lines && i < n; i++)
        GEOSGeom_destroy_r(s->h, lines[i]);
    for (size_t i = 0; prep && i < n; i++)
        if (prep[i])
            GEOSPreparedGeom_destroy_r(s->h, prep[i]);
    free(lines);
    free(prep);
}

/* What a face's areas are, from a point inside it (count 0, only -1 when NULL). */
typedef void (*face_count_fn)(sv_geos *s, void *ud, const GEOSGeometry *pt, double x, double y, sv_face *f);

/* The faces the edges (noded linework) make inside region: each with its
 * area, counted by count, and with xy a point inside it (xy[2k],
 * xy[2k + 1]). 0 ok, -1 on error (nothing returned). */
static int faces_of_edges(sv_geos *s, const sv_geom *region, const GEOSGeometry *edges, face_count_fn count,
                          void *ud, sv_face **faces, double **xy, size_t *nfaces)
{
    int rc = -1;
    GEOSGeometry *polys = NULL;
    const GEOSPreparedGeometry *preg = NULL;
    sv_face *out = NULL;
    double *pts = NULL;
    size_t k = 0;
    const GEOSGeometry *in[1] = {edges};
    if (!(polys = GEOSPolygonize_r(s->h, in, 1)) || !(preg = GEOSPrepare_r(s->h, CG(region))))
        goto done;
    int np = GEOSGetNumGeometries_r(s->h, polys);
    if (np < 0 || !(out = sv_calloc((size_t)np + 1, sizeof *out)) ||
        (xy && !(pts = sv_malloc((2 * (size_t)np + 1) * sizeof *pts))))
        goto done;
    for (int i = 0; i < np; i++) {
        const GEOSGeometry *p = GEOSGetGeometryN_r(s->h, polys, i);
        GEOSGeometry *pt = GEOSPointOnSurface_r(s->h, p);
        if (!pt)
            goto done;
        double x = 0, y = 0;
        GEOSGeomGetX_r(s->h, pt, &x);
        GEOSGeomGetY_r(s->h, pt, &y);
        int inside = GEOSPreparedContains_r(s->h, preg, pt);
        sv_face f = {NULL, 0, 0, -1};
        if (inside == 1 && count)
            count(s, ud, pt, x, y, &f);
        GEOSGeom_destroy_r(s->h, pt);
        if (inside == 2)
            goto done;
        if (inside != 1)
            continue;
        GEOSArea_r(s->h, p, &f.area);
        if (!(f.geom = (sv_geom *)GEOSGeom_clone_r(s->h, p)))
            goto done;
        out[k] = f;
        if (pts) {
            pts[2 * k] = x;
            pts[2 * k + 1] = y;
        }
        k++;
    }
    *faces = out;
    if (xy)
        *xy = pts;
    *nfaces = k;
    out = NULL;
    pts = NULL;
    rc = 0;
done:
    sv_faces_free(s, out, k);
    free(pts);
    if (preg)
        GEOSPreparedGeom_destroy_r(s->h, preg);
    GEOSGeom_destroy_r(s->h, polys);
    return rc;
}

typedef struct {
    const sv_geom *const *areas;
    const GEOSPreparedGeometry **prep;
    size_t n;
    int cap;
} capped_count;

/* How many areas hold the point, up to cap, and the one when it is one. */
static void count_capped(sv_geos *s, void *ud, const GEOSGeometry *pt, double x, double y, sv_face *f)
{
    const capped_count *c = ud;
    int count = 0, only = -1;
    for (size_t a = 0; a < c->n && count < c->cap; a++) {
        double ax0, ay0, ax1, ay1;
        if (!GEOSGeom_getXMin_r(s->h, CG(c->areas[a]), &ax0) || !GEOSGeom_getYMin_r(s->h, CG(c->areas[a]), &ay0) ||
            !GEOSGeom_getXMax_r(s->h, CG(c->areas[a]), &ax1) || !GEOSGeom_getYMax_r(s->h, CG(c->areas[a]), &ay1))
            continue;
        if (x < ax0 || x > ax1 || y < ay0 || y > ay1)
            continue;
        if (GEOSPreparedContains_r(s->h, c->prep[a], pt) == 1) {
            count++;
            only = count == 1 ? (int)a : -1;
        }
    }
    f->count = count;
    f->only = only;
}

/* The pad of the clip to a region's envelope: what meets it on its edge takes part. */
static double clip_pad(double x0, double y0, double x1, double y1)
{
    return 1e-6 * fmax(x1 - x0, y1 - y0) + 1e-3;
}

int sv_geom_overlay_faces_capped(sv_geos *s, const sv_geom *region, const sv_geom *const *areas, size_t n, int cap,
                                 sv_face **faces, size_t *nfaces)
{
    *faces = NULL;
    *nfaces = 0;
    double rx0, ry0, rx1, ry1;
    if (GEOSisEmpty_r(s->h, CG(region)) == 1)
        return 0;
    if (!GEOSGeom_getXMin_r(s->h, CG(region), &rx0) || !GEOSGeom_getYMin_r(s->h, CG(region), &ry0) ||
        !GEOSGeom_getXMax_r(s->h, CG(region), &rx1) || !GEOSGeom_getYMax_r(s->h, CG(region), &ry1))
        return -1;
    double pad = clip_pad(rx0, ry0, rx1, ry1);
    int rc = -1;
    GEOSGeometry **lines = sv_calloc(n + 1, sizeof *lines);
    const GEOSPreparedGeometry **prep = sv_calloc(n + 1, sizeof *prep);
    sv_geom *noded = NULL;
    if (!lines || !prep ||
        parting_lines(s, rx0 - pad, ry0 - pad, rx1 + pad, ry1 + pad, areas, n, cap, 1, lines, prep) != 0)
        goto done;
    size_t nl = 0;
    for (size_t i = 0; i < n; i++) /* the kept boundaries, packed */
        if (lines[i]) {
            GEOSGeometry *c = lines[i];
            lines[i] = NULL;
            lines[nl++] = c;
        }
    /* only the part of each boundary near the region takes part, noded with the region's own */
    if (!(noded = sv_geom_node_lines(s, region, (sv_geom **)lines, nl)))
        goto done;
    capped_count cc = {areas, prep, n, cap};
    rc = faces_of_edges(s, region, CG(noded), count_capped, &cc, faces, NULL, nfaces);
done:
    GEOSGeom_destroy_r(s->h, G(noded));
    free_parting_lines(s, lines, prep, n);
    return rc;
}

int sv_geom_parting_boundaries(sv_geos *s, const sv_env *env, const sv_geom *const *areas, size_t n, int cap,
                               unsigned char *keep, sv_env *grown)
{
    double pad = clip_pad(env->xmin, env->ymin, env->xmax, env->ymax);
    *grown = (sv_env){env->xmin - pad, env->ymin - pad, env->xmax + pad, env->ymax + pad};
    int rc = -1;
    GEOSGeometry **lines = sv_calloc(n + 1, sizeof *lines);
    const GEOSPreparedGeometry **prep = sv_calloc(n + 1, sizeof *prep);
    if (lines && prep &&
        parting_lines(s, grown->xmin, grown->ymin, grown->xmax, grown->ymax, areas, n, cap, 0, lines, prep) == 0) {
        for (size_t i = 0; i < n; i++)
            keep[i] = lines[i] != NULL;
        rc = 0;
    }
    free_parting_lines(s, lines, prep, n);
    return rc;
}

sv_geom *sv_geom_node_lines(sv_geos *s, const sv_geom *region, sv_geom **lines, size_t nl)
{
    GEOSGeometry **all = sv_calloc(nl + 2, sizeof *all);
    GEOSGeometry *coll = NULL, *noded = NULL;
    if (!all || !(all[0] = GEOSBoundary_r(s->h, CG(region))))
        goto done;
    for (size_t i = 0; i < nl; i++) {
        all[1 + i] = G(lines[i]);
        lines[i] = NULL;
    }
    if (!(coll = GEOSGeom_createCollection_r(s->h, GEOS_GEOMETRYCOLLECTION, all, (unsigned)(nl + 1))))
        goto done;
    memset(all, 0, (nl + 2) * sizeof *all); /* the collection owns them now */
    noded = GEOSUnaryUnion_r(s->h, coll); /* nodes every crossing */
done:
    for (size_t i = 0; all && i < nl + 1; i++)
        GEOSGeom_destroy_r(s->h, all[i]);
    for (size_t i = 0; i < nl; i++) {
        GEOSGeom_destroy_r(s->h, G(lines[i]));
        lines[i] = NULL;
    }
    GEOSGeom_destroy_r(s->h, coll);
    free(all);
    return (sv_geom *)noded;
}

int sv_geom_region_faces(sv_geos *s, const sv_geom *region, sv_geom **edges, size_t nl, sv_face **faces, double **xy,
                         size_t *nfaces)
{
    *faces = NULL;
    *xy = NULL;
    *nfaces = 0;
    GEOSGeometry **all = sv_calloc(nl + 1, sizeof *all);
    for (size_t i = 0; all && i < nl; i++) {
        all[i] = G(edges[i]);
        edges[i] = NULL;
    }
    GEOSGeometry *coll = all ? GEOSGeom_createCollection_r(s->h, GEOS_GEOMETRYCOLLECTION, all, (unsigned)nl) : NULL;
    int rc = -1;
    if (coll) {
        memset(all, 0, (nl + 1) * sizeof *all); /* the collection owns them now */
        rc = GEOSisEmpty_r(s->h, CG(region)) == 1 ? 0 : faces_of_edges(s, region, coll, NULL, NULL, faces, xy, nfaces);
    }
    for (size_t i = 0; i < nl; i++) {
        GEOSGeom_destroy_r(s->h, all ? all[i] : G(edges[i]));
        edges[i] = NULL;
    }
    GEOSGeom_destroy_r(s->h, coll);
    free(all);
    return rc;
}

/* CoverageUnion, else UnaryUnion. With check, a CoverageUnion result is
 * kept only when it is valid and its area is the sum of the parts' areas:
 * GEOS 3.11 may return an invalid polygon for parts that overlap. */
static sv_geom *coverage_union(sv_geos *s, sv_geom **parts, size_t n, int check)
{
    if (n == 0)
        return sv_geom_empty_polygon(s);
    double sum = 0;
    for (size_t i = 0; check && i < n; i++) {
        double a = 0;
        if (GEOSArea_r(s->h, CG(parts[i]), &a))
            sum += a;
    }
    GEOSGeometry *c = GEOSGeom_createCollection_r(s->h, GEOS_GEOMETRYCOLLECTION, (GEOSGeometry **)parts, (unsigned)n);
    if (!c)
        return NULL;
    for (size_t i = 0; i < n; i++)
        parts[i] = NULL;
    /* Edges shared exactly: merged without an overlay. */
    GEOSGeometry *u = GEOSCoverageUnion_r(s->h, c);
    double area = 0;
    if (u && check &&
        (GEOSisValid_r(s->h, u) != 1 || !GEOSArea_r(s->h, u, &area) || fabs(area - sum) > 1e-9 * sum)) {
        GEOSGeom_destroy_r(s->h, u);
        u = NULL;
    }
    if (!u)
        u = GEOSUnaryUnion_r(s->h, c);
    GEOSGeom_destroy_r(s->h, c);
    return (sv_geom *)u;
}

sv_geom *sv_geom_coverage_union_take(sv_geos *s, sv_geom **parts, size_t n)
{
    return coverage_union(s, parts, n, 0);
}

sv_geom *sv_geom_tiles_union_take(sv_geos *s, sv_geom **parts, size_t n)
{
    return coverage_union(s, parts, n, 1);
}

/* ---- map drawing: every ring, line and point of a geometry as paths ---- */

typedef struct {
    double *xy;
    size_t n, cap;
    size_t *starts;
    size_t nparts, capparts;
} path_buf;

static int path_add_seq(sv_geos *s, path_buf *pb, const GEOSCoordSequence *cs)
{
    unsigned int size = 0;
    if (!cs || !GEOSCoordSeq_getSize_r(s->h, cs, &size))
        return -1;
    if (size == 0)
        return 0;
    if (pb->n + size > pb->cap) {
        size_t cap = pb->cap ? pb->cap : 256;
        while (cap < pb->n + size)
            cap *= 2;
        double *v = sv_realloc(pb->xy, 2 * cap * sizeof *v);
        if (!v)
            return -1;
        pb->xy = v;
        pb->cap = cap;
    }
    if (sv_grow(&pb->starts, &pb->capparts, pb->nparts + 2, sizeof *pb->starts, 16) != 0)
        return -1;
    pb->starts[pb->nparts++] = pb->n;
    for (unsigned int i = 0; i < size; i++, pb->n++)
        if (!GEOSCoordSeq_getXY_r(s->h, cs, i, &pb->xy[2 * pb->n], &pb->xy[2 * pb->n + 1]))
            return -1;
    pb->starts[pb->nparts] = pb->n;
    return 0;
}

static int path_add_geom(sv_geos *s, path_buf *pb, const GEOSGeometry *g, int depth)
{
    if (depth > 8)
        return -1;
    switch (GEOSGeomTypeId_r(s->h, g)) {
    case GEOS_POINT:
    case GEOS_LINESTRING:
    case GEOS_LINEARRING:
        if (GEOSisEmpty_r(s->h, g) == 1)
            return 0;
        return path_add_seq(s, pb, GEOSGeom_getCoordSeq_r(s->h, g));
    case GEOS_POLYGON: {
        if (GEOSisEmpty_r(s->h, g) == 1)
            return 0;
        if (path_add_geom(s, pb, GEOSGetExteriorRing_r(s->h, g), depth + 1) != 0)
            return -1;
        int nh = GEOSGetNumInteriorRings_r(s->h, g);
        for (int i = 0; i < nh; i++)
            if (path_add_geom(s, pb, GEOSGetInteriorRingN_r(s->h, g, i), depth + 1) != 0)
                return -1;
        return 0;
    }
    case GEOS_MULTIPOINT:
    case GEOS_MULTILINESTRING:
    case GEOS_MULTIPOLYGON:
    case GEOS_GEOMETRYCOLLECTION: {
        int n = GEOSGetNumGeometries_r(s->h, g);
        for (int i = 0; i < n; i++)
            if (path_add_geom(s, pb, GEOSGetGeometryN_r(s->h, g, i), depth + 1) != 0)
                return -1;
        return 0;
    }
    default:
        return -1;
    }
}

int sv_geom_paths(sv_geos *s, const sv_geom *g, double **xy, size_t **starts, size_t *nparts)
{
    path_buf pb = {0};
    *xy = NULL;
    *starts = NULL;
    *nparts = 0;
    if (path_add_geom(s, &pb, CG(g), 0) != 0) {
        free(pb.xy);
        free(pb.starts);
        return -1;
    }
    if (!pb.starts) { /* empty: one terminating start so starts[0] == 0 */
        pb.starts = sv_calloc(1, sizeof *pb.starts);
        if (!pb.starts) {
            free(pb.xy);
            return -1;
        }
    }
    *xy = pb.xy;
    *starts = pb.starts;
    *nparts = pb.nparts;
    return 0;
}
