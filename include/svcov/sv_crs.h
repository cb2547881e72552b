/*
 * sv_crs.h - choosing and checking the analysis CRS (PROJ).
 * All metric work happens in a projected CRS with metre units.
 */
#ifndef SV_CRS_H
#define SV_CRS_H

#include "svcov/sv_common.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Ownership: sv_crs_resolve fills the caller's *out (a value, no heap
 * memory) and borrows spec; sv_proj_version's string is static. */

typedef struct {
    int epsg;        /* EPSG code of the analysis CRS */
    char name[256];  /* e.g. "WGS 84 / UTM zone 31N" */
} sv_crs;

/* The EPSG code of the WGS 84 UTM zone holding (lon, lat): 326zz north,
 * 327zz south. Returns 0 when lon/lat are out of range. */
int sv_crs_utm_epsg(double lon, double lat);

/* The EPSG code of the CGCS2000 3-degree Gauss-Kruger zone holding
 * (lon, lat), in the series without the zone prefix in the false easting
 * (x_0 = 500000): zone n = floor((lon + 1.5) / 3), central meridian 3n,
 * EPSG:4509 + n, so EPSG:4534 (CM 75E, n = 25) .. EPSG:4554 (CM 135E,
 * n = 45); e.g. 114E -> EPSG:4547 "CGCS2000 / 3-degree Gauss-Kruger CM 114E".
 * (The series with the zone prefix, x_0 = n * 1e6 + 500000, is
 * EPSG:4488 + n = 4513..4533.) These CRSs list northing first; svcov's
 * transformations use GDAL's traditional GIS order, so x stays the easting.
 * Returns 0 outside zones 25..45 (lon < 73.5 or lon >= 136.5), for a
 * latitude outside 0..60 N, or non-finite input. */
int sv_crs_auto_cgcs2000(double lon, double lat);

/* Resolve "auto" (the UTM zone of lon/lat, the data's centre),
 * "auto-cgcs2000" (the CGCS2000 3-degree zone, sv_crs_auto_cgcs2000) or "EPSG:n"
 * into a checked projected CRS with metre axes whose areal scale at
 * (lon, lat) is within 2% of true (NaN lon/lat skip that check). Errors are SV_ERR_USAGE
 * with a message saying what to pass instead. */
sv_status sv_crs_resolve(sv_ctx *ctx, const char *spec, double lon, double lat, sv_crs *out);

/* Points (xs[i], ys[i]) of EPSG:from_epsg to EPSG:to_epsg in place, x the
 * easting whatever the CRS's axis order. SV_ERR_INPUT when PROJ cannot. */
sv_status sv_crs_transform_xy(sv_ctx *ctx, int from_epsg, int to_epsg, double *xs, double *ys, size_t n);

/* PROJ's version (static string). */
const char *sv_proj_version(void);

#ifdef __cplusplus
}
#endif
#endif
