/* gdal_raster.c - gridded population through GDAL: the cells of any raster GDAL
 * reads (WorldPop, GHS-POP...), in any CRS, over the districts' extent. GDAL is
 * included only by adapters/gdal_*.c. */
#include "adapters/gdal_shared.h"
#include "svcov/sv_io.h"
#include "svcov/sv_text.h"
#include "svcov/sv_geom.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <gdal_utils.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

void sv_raster_cells_free(sv_raster_cells *r)
{
    if (!r)
        return;
    free(r->corners);
    free(r->value);
    free(r->path);
    free(r->crs_name);
    memset(r, 0, sizeof *r);
}

static int cells_grow(sv_raster_cells *r, size_t *cap)
{
    if (r->n < *cap)
        return 0;
    size_t nc = *cap ? *cap * 2 : 4096;
    double *c = sv_realloc(r->corners, nc * 8 * sizeof *c);
    if (!c)
        return -1;
    r->corners = c;
    double *v = sv_realloc(r->value, nc * sizeof *v);
    if (!v)
        return -1;
    r->value = v;
    *cap = nc;
    return 0;
}

static sv_status raster_read(sv_ctx *ctx, const char *path, int epsg, const sv_env *extent, sv_raster_cells *out,
                             int window_only)
{
    memset(out, 0, sizeof *out);
    sv_status off = sv_gdal_check_offline(ctx, "--population-raster", path);
    if (off != SV_OK)
        return off;
    out->path = sv_strdup(path);
    if (!out->path)
        return SV_ERR_NOMEM;
    sv_gdal_init();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_RASTER | GDAL_OF_READONLY, NULL, NULL, NULL);
    CPLPopErrorHandler();
    if (!ds) { /* on failure nothing is left to free: out->path too (a 45-byte leak under make sanitize) */
        sv_raster_cells_free(out);
        return sv_error(ctx, SV_ERR_INPUT, "%s: cannot open as a raster (%s); give a population grid GDAL reads, "
                        "e.g. a GeoTIFF from WorldPop or GHS-POP", path, CPLGetLastErrorMsg());
    }
    sv_status st = SV_OK;
    OGRSpatialReferenceH rsrs = NULL, asrs = NULL;
    OGRCoordinateTransformationH to_raster = NULL, to_analysis = NULL;
    double *buf = NULL, *row = NULL;
    size_t cap = 0;
    double gt[6], inv[6];
    int W = GDALGetRasterXSize(ds), H = GDALGetRasterYSize(ds);
    if (GDALGetRasterCount(ds) < 1) {
        st = sv_error(ctx, SV_ERR_INPUT, "%s: the raster has no band", path);
        goto done;
    }
    out->n_bands = GDALGetRasterCount(ds);
    if (GDALGetGeoTransform(ds, gt) != CE_None || !GDALInvGeoTransform(gt, inv)) {
        st = sv_error(ctx, SV_ERR_INPUT, "%s: the raster has no georeferencing (no geotransform); give it one, "
                      "e.g. with gdal_translate -a_ullr and -a_srs", path);
        goto done;
    }
    const OGRSpatialReferenceH ds_srs = GDALGetSpatialRef(ds);
    if (ds_srs) {
        rsrs = OSRClone(ds_srs);
    } else {
        /* Like vector layers: lon/lat only when the whole grid fits. */
        double x0 = gt[0], y0 = gt[3], x1 = gt[0] + W * gt[1] + H * gt[2], y1 = gt[3] + W * gt[4] + H * gt[5];
        if (fmin(x0, x1) < -180 || fmax(x0, x1) > 180 || fmin(y0, y1) < -90 || fmax(y0, y1) > 90) {
            st = sv_error(ctx, SV_ERR_INPUT, "%s: the raster has no CRS and its coordinates are not lon/lat; "
                          "assign one with gdal_edit.py -a_srs EPSG:n", path);
            goto done;
        }
        rsrs = sv_gdal_srs_epsg(4326);
    }
    if (!rsrs || !(asrs = sv_gdal_srs_epsg(epsg))) {
        st = SV_ERR_NOMEM;
        goto done;
    }
    OSRSetAxisMappingStrategy(rsrs, OAMS_TRADITIONAL_GIS_ORDER);
    const char *name = OSRGetName(rsrs);
    out->crs_name = sv_strdup(name ? name : "?");
    to_raster = OCTNewCoordinateTransformation(asrs, rsrs);
    to_analysis = OCTNewCoordinateTransformation(rsrs, asrs);
    if (!to_raster || !to_analysis) {
        st = sv_error(ctx, SV_ERR_INPUT, "%s: no transformation between the raster's CRS (%s) and EPSG:%d", path,
                      out->crs_name, epsg);
        goto done;
    }
    /* The pixel window holding the extent (its edges densified, so a
     * curved image of a straight edge is not cut off). */
    double pxmin = INFINITY, pymin = INFINITY, pxmax = -INFINITY, pymax = -INFINITY;
    enum { K = 32 };
    for (int side = 0; side < 4; side++)
        for (int k = 0; k <= K; k++) {
            double t = (double)k / K;
            double x = side == 0 ? extent->xmin + t * (extent->xmax - extent->xmin)
                       : side == 1 ? extent->xmax
                       : side == 2 ? extent->xmax - t * (extent->xmax - extent->xmin)
                                   : extent->xmin;
            double y = side == 0 ? extent->ymin
                       : side == 1 ? extent->ymin + t * (extent->ymax - extent->ymin)
                       : side == 2 ? extent->ymax
                                   : extent->ymax - t * (extent->ymax - extent->ymin);
            double z = 0;
            if (!OCTTransform(to_raster, 1, &x, &y, &z) || !isfinite(x) || !isfinite(y))
                continue;
            double px = inv[0] + x * inv[1] + y * inv[2], py = inv[3] + x * inv[4] + y * inv[5];
            pxmin = fmin(pxmin, px);
            pxmax = fmax(pxmax, px);
            pymin = fmin(pymin, py);
            pymax = fmax(pymax, py);
        }
    int x0 = (int)fmax(0, floor(pxmin) - 1), x1 = (int)fmin(W, ceil(pxmax) + 1);
    int y0 = (int)fmax(0, floor(pymin) - 1), y1 = (int)fmin(H, ceil(pymax) + 1);
    if (!isfinite(pxmin) || x0 >= x1 || y0 >= y1) {
        st = sv_error(ctx, SV_ERR_DATA, "%s: the raster (%d x %d cells, %s) does not overlap the districts; "
                      "check that it covers the same place", path, W, H, out->crs_name);
        goto done;
    }
    out->window[0] = x0;
    out->window[1] = y0;
    out->window[2] = x1 - x0;
    out->window[3] = y1 - y0;
    if (window_only)
        goto done;
    GDALRasterBandH band = GDALGetRasterBand(ds, 1);
    int has_nodata = 0;
    double nodata = GDALGetRasterNoDataValue(band, &has_nodata);
    out->has_nodata = has_nodata;
    out->nodata = nodata;
    size_t w = (size_t)(x1 - x0);
    int rows = (int)fmax(1, fmin(256, (1 << 22) / (double)w)); /* a window of up to 4M cells at a time */
    buf = sv_malloc(w * (size_t)rows * sizeof *buf);
    row = sv_malloc((w + 1) * 2 * 3 * sizeof *row);
    if (!buf || !row) {
        st = SV_ERR_NOMEM;
        goto done;
    }
    /* Corner rows: top (xt, yt) and bottom (xb, yb), transformed once each. */
    double *xt = row, *yt = row + (w + 1), *zt = row + 2 * (w + 1);
    double *xb = row + 3 * (w + 1), *yb = row + 4 * (w + 1), *zb = row + 5 * (w + 1);
    int *okt = sv_calloc(2 * (w + 1), sizeof *okt), *okb = okt ? okt + (w + 1) : NULL;
    if (!okt) {
        st = SV_ERR_NOMEM;
        goto done;
    }
#define CORNER_ROW(X, Y, Z, OK, r)                                                                       \
    do {                                                                                                 \
        for (size_t j = 0; j <= w; j++) {                                                                \
            double px = (double)(x0 + (int)j), py = (double)(r);                                         \
            X[j] = gt[0] + px * gt[1] + py * gt[2];                                                      \
            Y[j] = gt[3] + px * gt[4] + py * gt[5];                                                      \
            Z[j] = 0;                                                                                    \
        }                                                                                                \
        OCTTransformEx(to_analysis, (int)(w + 1), X, Y, Z, OK);                                          \
    } while (0)
    CORNER_ROW(xt, yt, zt, okt, y0);
    for (int r0 = y0; r0 < y1 && st == SV_OK; r0 += rows) {
        int nr = r0 + rows <= y1 ? rows : y1 - r0;
        if (GDALRasterIO(band, GF_Read, x0, r0, (int)w, nr, buf, (int)w, nr, GDT_Float64, 0, 0) != CE_None) {
            st = sv_error(ctx, SV_ERR_INPUT, "%s: cannot read rows %d-%d: %s", path, r0, r0 + nr - 1,
                          CPLGetLastErrorMsg());
            break;
        }
        for (int i = 0; i < nr && st == SV_OK; i++) {
            CORNER_ROW(xb, yb, zb, okb, r0 + i + 1);
            for (size_t j = 0; j < w; j++) {
                double v = buf[(size_t)i * w + j];
                out->n_cells++;
                if (!isfinite(v) || (has_nodata && v == nodata)) {
                    out->n_nodata++;
                    continue;
                }
                if (v < 0) {
                    out->n_negative++;
                    continue;
                }
                if (v == 0)
                    continue;
                if (!okt[j] || !okt[j + 1] || !okb[j] || !okb[j + 1]) {
                    out->n_untransformable++;
                    continue;
                }
                if (cells_grow(out, &cap) != 0) {
                    st = SV_ERR_NOMEM;
                    break;
                }
                double *c = out->corners + 8 * out->n;
                c[0] = xt[j], c[1] = yt[j], c[2] = xt[j + 1], c[3] = yt[j + 1];
                c[4] = xb[j + 1], c[5] = yb[j + 1], c[6] = xb[j], c[7] = yb[j];
                out->value[out->n++] = v;
                out->sum += v;
            }
            /* the bottom row becomes the next top row */
            memcpy(xt, xb, (w + 1) * sizeof *xt);
            memcpy(yt, yb, (w + 1) * sizeof *yt);
            memcpy(okt, okb, (w + 1) * sizeof *okt);
        }
        if (sv_ctx_interrupted(ctx))
            st = SV_ERR_INTERRUPTED;
    }
#undef CORNER_ROW
    free(okt);
done:
    free(buf);
    free(row);
    if (to_raster)
        OCTDestroyCoordinateTransformation(to_raster);
    if (to_analysis)
        OCTDestroyCoordinateTransformation(to_analysis);
    if (rsrs)
        OSRDestroySpatialReference(rsrs);
    if (asrs)
        OSRDestroySpatialReference(asrs);
    GDALClose(ds);
    if (st != SV_OK)
        sv_raster_cells_free(out);
    return st;
}

sv_status sv_raster_read(sv_ctx *ctx, const char *path, int epsg, const sv_env *extent, sv_raster_cells *out)
{
    return raster_read(ctx, path, epsg, extent, out, 0);
}

sv_status sv_raster_window(sv_ctx *ctx, const char *path, int epsg, const sv_env *extent, sv_raster_cells *out)
{
    return raster_read(ctx, path, epsg, extent, out, 1);
}
