/*
 * sv_cncoords.h - the coordinate systems of Chinese web maps: GCJ-02 (AMap,
 * Tencent, Google China) and BD-09 (Baidu), to and from WGS 84 lon/lat.
 *
 * PROJ deliberately does not know these systems: they are WGS 84 lon/lat
 * with a published, deterministic offset (a few hundred metres). The
 * forward formulas are the ones in circulation (googollee/eviltransform,
 * wandergis/coordtransform): GCJ-02 on the Krasovsky ellipsoid
 * (a = 6378245 m, e^2 = 0.00669342162296594323), BD-09 from GCJ-02 with
 * the factor 3000*pi/180. The inverses are iterative (fixed point on the
 * forward offset), to 1e-12 degrees, not the one-step inverse in
 * circulation that is up to about 5 m off.
 *
 * Outside China's bounding rectangle (sv_coords_out_of_china) the published
 * algorithm leaves points unchanged, and so does every conversion here.
 * Coordinates are always x = longitude, y = latitude, in degrees.
 * Pure arithmetic: no foreign API, no state, safe from any thread.
 */
#ifndef SV_CNCOORDS_H
#define SV_CNCOORDS_H

#include "svcov/sv_common.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Ownership: nothing here allocates. sv_coords_name's string is static;
 * sv_coords_convert_wkb rewrites the caller's buffer in place (same size). */

typedef enum {
    SV_COORDS_WGS84 = 0, /* plain WGS 84 lon/lat (GPS, OpenStreetMap, EPSG:4326) */
    SV_COORDS_GCJ02,     /* GCJ-02 "Mars coordinates": AMap/Gaode, Tencent, Google China */
    SV_COORDS_BD09       /* BD-09 lon/lat of Baidu (not Baidu's BD-09 Mercator metres) */
} sv_coords;

/* Parse a system name, case-insensitive: "wgs84", "wgs-84", "wgs84ll";
 * "gcj02", "gcj-02", "gcj02ll", "amap", "gaode", "tencent"; "bd09",
 * "bd-09", "bd09ll", "baidu". ("bd09ll"/"gcj02ll"/"wgs84ll" are the
 * names Baidu's own APIs use.) "bd09mc" (Baidu's Mercator metres) is not
 * accepted. Returns 0 and sets *out, or -1 (and leaves *out alone). */
int sv_coords_parse(const char *name, sv_coords *out);

/* The canonical name: "wgs84", "gcj02" or "bd09" (static; "unknown" for a
 * value outside the enum). */
const char *sv_coords_name(sv_coords c);

/* The published rectangle outside which nothing is shifted (the one of
 * googollee/eviltransform): 1 when lon < 72.004 or lon > 137.8347 or
 * lat < 0.8293 or lat > 55.8271, or a coordinate is not finite; else 0.
 * (wandergis/coordtransform uses a smaller, open one: 73.66..135.05,
 * 3.86..53.55; both hold all of mainland China.) */
int sv_coords_out_of_china(double lon, double lat);

/* The raw forward formulas, applied without the rectangle test (which
 * belongs to the conversions below). */
void sv_coords_wgs84_to_gcj02_raw(double lon, double lat, double *out_lon, double *out_lat);
void sv_coords_gcj02_to_bd09_raw(double lon, double lat, double *out_lon, double *out_lat);

/* Convert one point from one system to another (through WGS 84). The
 * rectangle test is made on the point as given: outside it the point is
 * unchanged. Non-finite coordinates are passed through unchanged.
 * Returns 0, or -1 when an inverse did not converge (not seen inside the
 * rectangle; the last iterate is stored) or from/to is not an sv_coords
 * value (the point is copied). The caller makes sure the coordinates are
 * lon/lat: a projected layer said to be GCJ-02 is the caller's error to
 * report (metres are far outside the rectangle and would pass unchanged). */
int sv_coords_convert(sv_coords from, sv_coords to, double lon, double lat, double *out_lon,
                      double *out_lat);

/* Convert every vertex of a WKB geometry in place: Point, LineString,
 * Polygon, Multi*, GeometryCollection (nested), and the curve/surface types
 * (CircularString, CompoundCurve, CurvePolygon, MultiCurve, MultiSurface,
 * PolyhedralSurface, TIN, Triangle); either byte order; 2-D, Z, M and ZM
 * as ISO codes (+1000/+2000/+3000) or EWKB flags (with an optional SRID);
 * z and m are left as they are. The whole buffer must be one geometry.
 * Malformed WKB (truncated, an unknown type, a count beyond the buffer,
 * trailing bytes, nesting deeper than 64) is SV_ERR_DATA with a message
 * that names `what` (e.g. "stations.gpkg layer 'stations' feature 12";
 * NULL: "geometry") and the byte offset; the buffer may then be partly
 * converted. n_moved (NULL ok) receives the number of vertices that changed.
 * from == to leaves the buffer alone, after checking it. A vertex that
 * cannot be converted (sv_coords_convert returns -1) is SV_ERR_DATA. */
sv_status sv_coords_convert_wkb(sv_ctx *ctx, sv_coords from, sv_coords to, unsigned char *wkb,
                                size_t len, const char *what, size_t *n_moved);

#ifdef __cplusplus
}
#endif
#endif
