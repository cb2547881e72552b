/* cncoords.c - GCJ-02 and BD-09 to and from WGS 84 (pure arithmetic). */
#include "svcov/sv_cncoords.h"

#include <math.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

/* Krasovsky 1940, as in every published implementation. */
#define GCJ_A 6378245.0
#define GCJ_EE 0.00669342162296594323
/* Baidu's factor: pi * 3000 / 180 (some libraries wrongly use pi). */
#define BD_X_PI (M_PI * 3000.0 / 180.0)
#define BD_DLON 0.0065
#define BD_DLAT 0.006

/* Fixed-point inverses: the forward offsets change by well under 3% of a
 * step per step, so each iteration gains more than a digit and 1e-12
 * degrees (0.1 micrometre) takes about 5; 50 only bounds bad input. */
#define INV_TOL 1e-12
#define INV_MAX_ITER 50

static const struct {
    const char *name;
    sv_coords c;
} coord_names[] = {
    {"wgs84", SV_COORDS_WGS84},  {"wgs-84", SV_COORDS_WGS84}, {"wgs84ll", SV_COORDS_WGS84},
    {"gcj02", SV_COORDS_GCJ02},  {"gcj-02", SV_COORDS_GCJ02}, {"gcj02ll", SV_COORDS_GCJ02},
    {"amap", SV_COORDS_GCJ02},   {"gaode", SV_COORDS_GCJ02},  {"tencent", SV_COORDS_GCJ02},
    {"bd09", SV_COORDS_BD09},    {"bd-09", SV_COORDS_BD09},   {"bd09ll", SV_COORDS_BD09},
    {"baidu", SV_COORDS_BD09},
};

int sv_coords_parse(const char *name, sv_coords *out)
{
    if (!name)
        return -1;
    for (size_t i = 0; i < sizeof coord_names / sizeof coord_names[0]; i++)
        if (strcasecmp(name, coord_names[i].name) == 0) {
            if (out)
                *out = coord_names[i].c;
            return 0;
        }
    return -1;
}

const char *sv_coords_name(sv_coords c)
{
    switch (c) {
    case SV_COORDS_WGS84: return "wgs84";
    case SV_COORDS_GCJ02: return "gcj02";
    case SV_COORDS_BD09: return "bd09";
    }
    return "unknown";
}

int sv_coords_out_of_china(double lon, double lat)
{
    if (!isfinite(lon) || !isfinite(lat))
        return 1;
    return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271;
}

/* The published offset polynomials, x = lon - 105, y = lat - 35, in
 * (roughly) metres. */
static double gcj_trig_lat(double x, double y)
{
    double r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt(fabs(x));
    r += (20.0 * sin(6.0 * x * M_PI) + 20.0 * sin(2.0 * x * M_PI)) * 2.0 / 3.0;
    r += (20.0 * sin(y * M_PI) + 40.0 * sin(y / 3.0 * M_PI)) * 2.0 / 3.0;
    r += (160.0 * sin(y / 12.0 * M_PI) + 320.0 * sin(y * M_PI / 30.0)) * 2.0 / 3.0;
    return r;
}

static double gcj_trig_lon(double x, double y)
{
    double r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt(fabs(x));
    r += (20.0 * sin(6.0 * x * M_PI) + 20.0 * sin(2.0 * x * M_PI)) * 2.0 / 3.0;
    r += (20.0 * sin(x * M_PI) + 40.0 * sin(x / 3.0 * M_PI)) * 2.0 / 3.0;
    r += (150.0 * sin(x / 12.0 * M_PI) + 300.0 * sin(x / 30.0 * M_PI)) * 2.0 / 3.0;
    return r;
}

/* GCJ-02 minus WGS 84 at the WGS 84 point (lon, lat), in degrees. */
static void gcj_delta(double lon, double lat, double *dlon, double *dlat)
{
    double dy = gcj_trig_lat(lon - 105.0, lat - 35.0);
    double dx = gcj_trig_lon(lon - 105.0, lat - 35.0);
    double rad = lat / 180.0 * M_PI;
    double magic = sin(rad);
    magic = 1.0 - GCJ_EE * magic * magic;
    double sqrt_magic = sqrt(magic);
    *dlat = (dy * 180.0) / ((GCJ_A * (1.0 - GCJ_EE)) / (magic * sqrt_magic) * M_PI);
    *dlon = (dx * 180.0) / (GCJ_A / sqrt_magic * cos(rad) * M_PI);
}

void sv_coords_wgs84_to_gcj02_raw(double lon, double lat, double *out_lon, double *out_lat)
{
    double dlon, dlat;
    gcj_delta(lon, lat, &dlon, &dlat);
    *out_lon = lon + dlon;
    *out_lat = lat + dlat;
}

void sv_coords_gcj02_to_bd09_raw(double lon, double lat, double *out_lon, double *out_lat)
{
    double z = sqrt(lon * lon + lat * lat) + 0.00002 * sin(lat * BD_X_PI);
    double theta = atan2(lat, lon) + 0.000003 * cos(lon * BD_X_PI);
    *out_lon = z * cos(theta) + BD_DLON;
    *out_lat = z * sin(theta) + BD_DLAT;
}

typedef void (*forward_fn)(double, double, double *, double *);

/* Solve f(x, y) = (tx, ty) by x -= f(x, y) - tx: f is the identity plus a
 * small, slowly varying offset, so this contracts fast. Returns 0 when the
 * residual is below INV_TOL in both coordinates. */
static int invert(forward_fn f, double tx, double ty, double *ox, double *oy)
{
    double x = tx, y = ty;
    for (int i = 0; i < INV_MAX_ITER; i++) {
        double fx, fy;
        f(x, y, &fx, &fy);
        double rx = fx - tx, ry = fy - ty;
        if (!isfinite(rx) || !isfinite(ry))
            break;
        if (fabs(rx) < INV_TOL && fabs(ry) < INV_TOL) {
            *ox = x;
            *oy = y;
            return 0;
        }
        x -= rx;
        y -= ry;
    }
    *ox = x;
    *oy = y;
    return -1;
}

static int to_wgs84(sv_coords from, double lon, double lat, double *olon, double *olat)
{
    if (from == SV_COORDS_WGS84 || sv_coords_out_of_china(lon, lat)) {
        *olon = lon;
        *olat = lat;
        return 0;
    }
    int rc = 0;
    if (from == SV_COORDS_BD09) {
        rc = invert(sv_coords_gcj02_to_bd09_raw, lon, lat, &lon, &lat);
        if (rc != 0) {
            *olon = lon;
            *olat = lat;
            return rc;
        }
    }
    return invert(sv_coords_wgs84_to_gcj02_raw, lon, lat, olon, olat);
}

static void from_wgs84(sv_coords to, double lon, double lat, double *olon, double *olat)
{
    if (to == SV_COORDS_WGS84 || sv_coords_out_of_china(lon, lat)) {
        *olon = lon;
        *olat = lat;
        return;
    }
    sv_coords_wgs84_to_gcj02_raw(lon, lat, &lon, &lat);
    if (to == SV_COORDS_BD09)
        sv_coords_gcj02_to_bd09_raw(lon, lat, &lon, &lat);
    *olon = lon;
    *olat = lat;
}

int sv_coords_convert(sv_coords from, sv_coords to, double lon, double lat, double *out_lon,
                      double *out_lat)
{
    if ((unsigned)from > SV_COORDS_BD09 || (unsigned)to > SV_COORDS_BD09) {
        *out_lon = lon;
        *out_lat = lat;
        return -1;
    }
    if (from == to || !isfinite(lon) || !isfinite(lat)) {
        *out_lon = lon;
        *out_lat = lat;
        return 0;
    }
    double x, y;
    int rc = to_wgs84(from, lon, lat, &x, &y);
    from_wgs84(to, x, y, out_lon, out_lat);
    return rc;
}

/* ---- WKB ---------------------------------------------------------------- */

#define WKB_MAX_DEPTH 64

typedef struct {
    sv_ctx *ctx;
    const char *what;
    unsigned char *p;
    size_t len, pos;
    sv_coords from, to;
    size_t moved;
} wkb_walk;

static int host_is_le(void)
{
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

static sv_status wkb_fail(wkb_walk *w, const char *problem)
{
    return sv_error(w->ctx, SV_ERR_DATA,
                    "%s: malformed WKB (%s at byte %zu of %zu); the geometry cannot be converted "
                    "between coordinate systems: check the input layer",
                    w->what, problem, w->pos, w->len);
}

static void swap_bytes(unsigned char *b, size_t n)
{
    for (size_t i = 0; i < n / 2; i++) {
        unsigned char t = b[i];
        b[i] = b[n - 1 - i];
        b[n - 1 - i] = t;
    }
}

static sv_status read_u32(wkb_walk *w, int swap, uint32_t *v)
{
    if (w->len - w->pos < 4)
        return wkb_fail(w, "truncated");
    unsigned char b[4];
    memcpy(b, w->p + w->pos, 4);
    if (swap)
        swap_bytes(b, 4);
    memcpy(v, b, 4);
    w->pos += 4;
    return SV_OK;
}

static double get_f64(const unsigned char *at, int swap)
{
    unsigned char b[8];
    memcpy(b, at, 8);
    if (swap)
        swap_bytes(b, 8);
    double v;
    memcpy(&v, b, 8);
    return v;
}

static void put_f64(unsigned char *at, double v, int swap)
{
    unsigned char b[8];
    memcpy(b, &v, 8);
    if (swap)
        swap_bytes(b, 8);
    memcpy(at, b, 8);
}

/* n points of ndim doubles each; the count was checked against the buffer. */
static sv_status wkb_points(wkb_walk *w, int swap, uint32_t n, int ndim)
{
    size_t stride = (size_t)ndim * 8;
    if (n > (w->len - w->pos) / stride)
        return wkb_fail(w, "point count beyond the end of the buffer");
    for (uint32_t i = 0; i < n; i++, w->pos += stride) {
        if (w->from == w->to)
            continue;
        unsigned char *at = w->p + w->pos;
        double x = get_f64(at, swap), y = get_f64(at + 8, swap);
        if (!isfinite(x) || !isfinite(y)) /* an empty point is NaN NaN */
            continue;
        double nx, ny;
        if (sv_coords_convert(w->from, w->to, x, y, &nx, &ny) != 0)
            return sv_error(w->ctx, SV_ERR_DATA,
                            "%s: the vertex (%.9f, %.9f) cannot be converted from %s to %s "
                            "(the inverse did not converge); check the coordinates",
                            w->what, x, y, sv_coords_name(w->from), sv_coords_name(w->to));
        if (nx != x || ny != y) {
            put_f64(at, nx, swap);
            put_f64(at + 8, ny, swap);
            w->moved++;
        }
    }
    return SV_OK;
}

/* Convert one WKB geometry in place at w->pos (collections recursively, up to WKB_MAX_DEPTH), checking every length. */
static sv_status wkb_geometry(wkb_walk *w, int depth)
{
    if (depth > WKB_MAX_DEPTH)
        return wkb_fail(w, "collections nested too deep");
    if (w->pos >= w->len)
        return wkb_fail(w, "truncated");
    unsigned char bo = w->p[w->pos];
    if (bo > 1)
        return wkb_fail(w, "byte-order mark neither 0 nor 1");
    w->pos++;
    int swap = (bo == 1) != host_is_le();
    uint32_t type;
    sv_status st = read_u32(w, swap, &type);
    if (st != SV_OK)
        return st;
    /* EWKB flags in the high bits, or ISO thousands: never both. */
    int ez = (type & 0x80000000u) != 0, em = (type & 0x40000000u) != 0;
    int srid = (type & 0x20000000u) != 0;
    uint32_t code = type & 0x1FFFFFFFu; /* an unknown high bit makes code huge */
    uint32_t iso = code / 1000, base = code % 1000;
    if (iso > 3 || ((ez || em || srid) && iso != 0)) {
        w->pos -= 4;
        return wkb_fail(w, "unknown geometry type code");
    }
    int ndim = 2 + (ez || iso == 1 || iso == 3) + (em || iso == 2 || iso == 3);
    if (srid) {
        uint32_t dummy;
        if ((st = read_u32(w, swap, &dummy)) != SV_OK)
            return st;
    }
    uint32_t n;
    switch (base) {
    case 1: /* Point */
        return wkb_points(w, swap, 1, ndim);
    case 2: /* LineString */
    case 8: /* CircularString */
        if ((st = read_u32(w, swap, &n)) != SV_OK)
            return st;
        return wkb_points(w, swap, n, ndim);
    case 3:  /* Polygon */
    case 17: /* Triangle */
        if ((st = read_u32(w, swap, &n)) != SV_OK)
            return st;
        if (n > (w->len - w->pos) / 4)
            return wkb_fail(w, "ring count beyond the end of the buffer");
        for (uint32_t i = 0; i < n && st == SV_OK; i++) {
            uint32_t np;
            if ((st = read_u32(w, swap, &np)) == SV_OK)
                st = wkb_points(w, swap, np, ndim);
        }
        return st;
    case 4: case 5: case 6: case 7:     /* Multi*, GeometryCollection */
    case 9: case 10: case 11: case 12:  /* CompoundCurve, CurvePolygon, MultiCurve, MultiSurface */
    case 15: case 16:                   /* PolyhedralSurface, TIN */
        if ((st = read_u32(w, swap, &n)) != SV_OK)
            return st;
        if (n > (w->len - w->pos) / 9) /* the smallest member: an empty one, 9 bytes */
            return wkb_fail(w, "member count beyond the end of the buffer");
        for (uint32_t i = 0; i < n && st == SV_OK; i++)
            st = wkb_geometry(w, depth + 1);
        return st;
    default:
        w->pos -= 4;
        return wkb_fail(w, "unknown geometry type code");
    }
}

sv_status sv_coords_convert_wkb(sv_ctx *ctx, sv_coords from, sv_coords to, unsigned char *wkb,
                                size_t len, const char *what, size_t *n_moved)
{
    wkb_walk w = {ctx, what ? what : "geometry", wkb, len, 0, from, to, 0};
    if (n_moved)
        *n_moved = 0;
    if (!wkb || len == 0)
        return wkb_fail(&w, "empty buffer");
    sv_status st = wkb_geometry(&w, 0);
    if (st == SV_OK && w.pos != w.len)
        st = wkb_fail(&w, "trailing bytes after the geometry");
    if (n_moved)
        *n_moved = w.moved;
    return st;
}
