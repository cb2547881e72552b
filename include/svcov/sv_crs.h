/*
 * sv_crs.h - choosing and checking the analysis CRS (PROJ).
 * All metric work happens in a projected CRS with metre units.
 */
#ifndef SV_CRS_H
#define SV_CRS_H

#include "svcov/sv_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int epsg;        /* EPSG code of the analysis CRS */
    char name[256];  /* e.g. "WGS 84 / UTM zone 31N" */
} sv_crs;

/* The EPSG code of the WGS 84 UTM zone holding (lon, lat): 326zz north,
 * 327zz south. Returns 0 when lon/lat are out of range. */
int sv_crs_utm_epsg(double lon, double lat);

/* Resolve "auto" (the UTM zone of lon/lat, the data's centre) or "EPSG:n"
 * into a checked projected CRS with metre axes whose areal scale at
 * (lon, lat) is within 2% of true (NaN lon/lat skip that check). Errors are SV_ERR_USAGE
 * with a message saying what to pass instead. */
sv_status sv_crs_resolve(sv_ctx *ctx, const char *spec, double lon, double lat, sv_crs *out);

/* PROJ's version (static string). */
const char *sv_proj_version(void);

#ifdef __cplusplus
}
#endif
#endif
