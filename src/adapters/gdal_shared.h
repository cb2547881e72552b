/* gdal_shared.h - what the three GDAL adapter files share (defined in
 * adapters/gdal_vector.c). Private to src/adapters/. */
#ifndef SV_ADAPTERS_GDAL_SHARED_H
#define SV_ADAPTERS_GDAL_SHARED_H

#include "svcov/sv_common.h"

#include <ogr_srs_api.h>

/* Register GDAL's drivers once. */
void sv_gdal_init(void);
/* Does path end in "." ext (case-insensitive)? */
int sv_gdal_has_ext(const char *path, const char *ext);
/* A new spatial reference for EPSG code epsg, x = longitude (traditional
 * GIS order); NULL if unknown. The caller destroys it (OSRDestroySpatialReference). */
OGRSpatialReferenceH sv_gdal_srs_epsg(int epsg);
/* SV_OK, or a usage error when path reads from the network without --allow-network. */
sv_status sv_gdal_check_offline(sv_ctx *ctx, const char *option, const char *path);

#endif
