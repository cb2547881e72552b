/* gdal_export.c - svcov export through GDAL: a result table to any vector format
 * (GDALVectorTranslate), geometry layers transformed, optionally to GCJ-02/BD-09, and
 * snapped to the output grid. GDAL is included only by adapters/gdal_*.c. */
#include "adapters/gdal_shared.h"
#include "svcov/sv_lang.h"
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

static const struct {
    const char *alias, *driver, *ext;
} formats[] = {
    {"geojson", "GeoJSON", "geojson"}, {"json", "GeoJSON", "json"},
    {"gpkg", "GPKG", "gpkg"},          {"geopackage", "GPKG", "gpkg"},
    {"shp", "ESRI Shapefile", "shp"},  {"shapefile", "ESRI Shapefile", "shp"},
    {"kml", "KML", "kml"},             {"fgb", "FlatGeobuf", "fgb"},
    {"flatgeobuf", "FlatGeobuf", "fgb"}, {"csv", "CSV", "csv"},
    {"gml", "GML", "gml"},             {"sqlite", "SQLite", "sqlite"},
};

static const char *driver_for(const char *format, const char *path)
{
    size_t nf = sizeof formats / sizeof formats[0];
    if (format) {
        for (size_t i = 0; i < nf; i++)
            if (strcasecmp(format, formats[i].alias) == 0 || strcasecmp(format, formats[i].driver) == 0)
                return formats[i].driver;
        GDALDriverH d = GDALGetDriverByName(format);
        if (d && GDALGetMetadataItem(d, GDAL_DCAP_VECTOR, NULL) &&
            GDALGetMetadataItem(d, GDAL_DCAP_CREATE, NULL))
            return GDALGetDriverShortName(d);
        return NULL;
    }
    for (size_t i = 0; i < nf; i++)
        if (sv_gdal_has_ext(path, formats[i].ext))
            return formats[i].driver;
    return "GeoJSON";
}

/* Move every file of the temporary folder of tmp_path (the export and its
 * sidecars) into dir, under the same names. */
static int move_outputs(const char *tmp_path, const char *dir)
{
    char tmp_dir[8192];
    snprintf(tmp_dir, sizeof tmp_dir, "%.*s", (int)(strrchr(tmp_path, '/') - tmp_path), tmp_path);
    DIR *d = opendir(tmp_dir);
    if (!d)
        return -1;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char from[8600], to[8600];
        snprintf(from, sizeof from, "%s/%s", tmp_dir, e->d_name);
        snprintf(to, sizeof to, "%s/%s", dir, e->d_name);
        if (rename(from, to) != 0)
            rc = -1;
    }
    closedir(d);
    return rc;
}

/* Every file GDAL wrote in mem_dir (the export and its sidecars) into the
 * folder of tmp_path under the same names, each write checked; a failure
 * names the file as it will be called in dir (out_dir). */
static sv_status write_out(sv_ctx *ctx, const char *mem_dir, const char *tmp_path, const char *out_dir,
                           const char *base, const char *out_path)
{
    char tmp_dir[8192];
    snprintf(tmp_dir, sizeof tmp_dir, "%.*s", (int)(strrchr(tmp_path, '/') - tmp_path), tmp_path);
    char **files = VSIReadDir(mem_dir);
    sv_status st = SV_OK;
    int n_written = 0;
    for (char **n = files; n && *n && st == SV_OK; n++) {
        if (strcmp(*n, ".") == 0 || strcmp(*n, "..") == 0)
            continue;
        char from[1700], to[8600], final_path[8600];
        snprintf(from, sizeof from, "%s/%s", mem_dir, *n);
        snprintf(to, sizeof to, "%s/%s", tmp_dir, *n);
        snprintf(final_path, sizeof final_path, "%s/%s", out_dir, *n);
        vsi_l_offset len = 0;
        GByte *data = VSIGetMemFileBuffer(from, &len, FALSE);
        if (!data && len)
            st = sv_error(ctx, SV_ERR_INTERNAL, "export: GDAL's in-memory file %s is missing", from);
        else
            st = sv_write_new_file(ctx, to, strcmp(*n, base) == 0 ? out_path : final_path,
                                   data ? data : (GByte *)"", (size_t)len);
        n_written++;
        if (sv_ctx_interrupted(ctx))
            st = sv_error(ctx, SV_ERR_INTERRUPTED, "interrupted; %s was left as it was", out_path);
    }
    CSLDestroy(files);
    if (st == SV_OK && n_written == 0)
        st = sv_error(ctx, SV_ERR_OUTPUT, "exporting to %s: GDAL wrote no file", out_path);
    return st;
}

/* GDALVectorTranslate stops when this returns FALSE. */
static int CPL_STDCALL export_progress(double done, const char *msg, void *ctx)
{
    (void)done;
    (void)msg;
    return !sv_ctx_interrupted(ctx);
}

/* Drivers that write lon/lat whatever the layer's CRS (they reproject on
 * their own, after which their rounding could break a geometry). */
static int writes_lonlat(const char *drv)
{
    static const char *const lonlat_drivers[] = {"GeoJSON", "GeoJSONSeq", "KML", "LIBKML", "GPX", NULL};
    for (const char *const *n = lonlat_drivers; *n; n++)
        if (strcmp(drv, *n) == 0)
            return 1;
    return 0;
}

/* The grids exported coordinates are snap-rounded to, so that what a file
 * holds is valid as read back: the 7 decimals of a degree GeoJSON (RFC 7946)
 * and KML write, and 1 um in the analysis CRS, which the 15 significant
 * digits of the WKT in CSV and of GML hold exactly (as binary formats do). */
#define EXPORT_GRID_DEG 1e-7
#define EXPORT_GRID_M 1e-6

/* g (owned) transformed by ct (may be NULL), moved from WGS 84 lon/lat to
 * the web-map system coords (when not WGS 84) and snap-rounded to grid, as
 * multi as the layer's type when that is a multi type. NULL on error. */
static OGRGeometryH geom_on_grid(sv_geos *h, OGRGeometryH g, OGRCoordinateTransformationH ct, sv_coords coords,
                                 double grid, OGRwkbGeometryType layer_type)
{
    OGRGeometryH out = NULL;
    unsigned char *wkb = NULL, *snapped_wkb = NULL;
    size_t snapped_len = 0;
    sv_geom *sg = NULL, *snapped = NULL;
    int size = 0;
    if (ct && OGR_G_Transform(g, ct) != OGRERR_NONE)
        goto done;
    OGR_G_FlattenTo2D(g);
    size = OGR_G_WkbSize(g);
    if (size <= 0 || !(wkb = sv_malloc((size_t)size)) || OGR_G_ExportToIsoWkb(g, wkbNDR, wkb) != OGRERR_NONE)
        goto done;
    if (coords != SV_COORDS_WGS84 &&
        sv_coords_convert_wkb(NULL, SV_COORDS_WGS84, coords, wkb, (size_t)size, "export", NULL) != SV_OK)
        goto done;
    if (!(sg = sv_geom_from_wkb(h, wkb, (size_t)size)) || !(snapped = sv_geom_on_grid(h, sg, grid)) ||
        !(snapped_wkb = sv_geom_to_wkb(h, snapped, &snapped_len)))
        goto done;
    if (OGR_G_CreateFromWkbEx(snapped_wkb, NULL, &out, snapped_len) != OGRERR_NONE) {
        out = NULL;
        goto done;
    }
    OGRwkbGeometryType want = wkbFlatten(layer_type), got = wkbFlatten(OGR_G_GetGeometryType(out));
    if (want != got && OGR_GT_IsSubClassOf(want, wkbGeometryCollection) && OGR_GT_GetCollection(got) == want)
        out = OGR_G_ForceTo(out, want, NULL);
done:
    OGR_G_DestroyGeometry(g);
    sv_geom_destroy(h, snapped);
    sv_geom_destroy(h, sg);
    free(snapped_wkb);
    free(wkb);
    return out;
}

/* The rows of layer sl (matching where) in an in-memory layer of the same
 * name and fields, each geometry transformed to lon/lat (lonlat, or coords
 * other than WGS 84: then in that web-map system, for drawing over AMap or
 * Baidu tiles) and snap-rounded to the output grid. */
static sv_status grid_copy(sv_ctx *ctx, const char *db_path, OGRLayerH sl, const char *table, const char *where,
                           int lonlat, sv_coords coords, GDALDatasetH *out)
{
    *out = NULL;
    sv_status st = SV_OK;
    OGRFeatureDefnH sd = OGR_L_GetLayerDefn(sl);
    OGRGeomFieldDefnH sg = OGR_FD_GetGeomFieldDefn(sd, 0);
    OGRwkbGeometryType type = OGR_GFld_GetType(sg);
    OGRSpatialReferenceH lsrs = OGR_L_GetSpatialRef(sl); /* borrowed */
    OGRSpatialReferenceH from = lsrs ? OSRClone(lsrs) : NULL;
    OGRSpatialReferenceH to = lonlat ? sv_gdal_srs_epsg(4326) : from ? OSRClone(from) : NULL;
    OGRCoordinateTransformationH ct = NULL;
    OGRFeatureH f = NULL, mf = NULL;
    sv_geos *h = sv_geos_create();
    GDALDriverH md = GDALGetDriverByName("Memory");
    GDALDatasetH mem = md ? GDALCreate(md, "", 0, 0, 0, GDT_Unknown, NULL) : NULL;
    OGRLayerH ml = mem ? GDALDatasetCreateLayer(mem, table, NULL, wkbNone, NULL) : NULL;
    if (!h || !ml || (lsrs && (!from || !to))) {
        st = sv_error(ctx, SV_ERR_NOMEM, "out of memory preparing the export of '%s'", table);
        goto done;
    }
    if (from)
        OSRSetAxisMappingStrategy(from, OAMS_TRADITIONAL_GIS_ORDER);
    if (lonlat && !(ct = from ? OCTNewCoordinateTransformation(from, to) : NULL)) {
        st = sv_error(ctx, SV_ERR_INPUT, "--db %s: layer '%s' has no CRS that transforms to lon/lat", db_path,
                      table);
        goto done;
    }
    for (int i = 0; i < OGR_FD_GetFieldCount(sd) && st == SV_OK; i++)
        if (OGR_L_CreateField(ml, OGR_FD_GetFieldDefn(sd, i), TRUE) != OGRERR_NONE)
            st = sv_error(ctx, SV_ERR_INTERNAL, "export of '%s': cannot copy the fields: %s", table,
                          CPLGetLastErrorMsg());
    OGRGeomFieldDefnH gd = OGR_GFld_Create(OGR_GFld_GetNameRef(sg), type);
    if (gd)
        OGR_GFld_SetSpatialRef(gd, to);
    if (st == SV_OK && (!gd || OGR_L_CreateGeomField(ml, gd, TRUE) != OGRERR_NONE))
        st = sv_error(ctx, SV_ERR_INTERNAL, "export of '%s': cannot create the geometry field: %s", table,
                      CPLGetLastErrorMsg());
    if (gd)
        OGR_GFld_Destroy(gd);
    if (st == SV_OK && OGR_L_SetAttributeFilter(sl, where && *where ? where : NULL) != OGRERR_NONE)
        st = sv_error(ctx, SV_ERR_INTERNAL, "export of '%s': filter '%s' rejected: %s", table, where,
                      CPLGetLastErrorMsg());
    OGR_L_ResetReading(sl);
    double grid = lonlat ? EXPORT_GRID_DEG : EXPORT_GRID_M;
    while (st == SV_OK && (f = OGR_L_GetNextFeature(sl)) != NULL) {
        if (!(mf = OGR_F_Create(OGR_L_GetLayerDefn(ml))) || OGR_F_SetFrom(mf, f, TRUE) != OGRERR_NONE) {
            st = sv_error(ctx, SV_ERR_NOMEM, "out of memory exporting '%s'", table);
            break;
        }
        OGR_F_SetFID(mf, OGR_F_GetFID(f));
        OGRGeometryH g = OGR_F_StealGeometry(mf);
        if (g && !OGR_G_IsEmpty(g)) {
            OGRGeometryH gg = geom_on_grid(h, g, ct, lonlat ? coords : SV_COORDS_WGS84, grid, type);
            if (!gg) {
                st = sv_error(ctx, SV_ERR_GEOM, "--db %s: layer '%s', feature %lld: its geometry cannot be %s"
                              "rounded to the output precision: %s%s", db_path, table, (long long)OGR_F_GetFID(f),
                              lonlat ? sv_tr(sv_ctx_lang(ctx), "transformed to lon/lat and ") : "", sv_geos_errmsg(h), CPLGetLastErrorMsg());
                break;
            }
            OGR_F_SetGeometryDirectly(mf, gg);
        } else if (g) {
            OGR_F_SetGeometryDirectly(mf, g);
        }
        if (OGR_L_CreateFeature(ml, mf) != OGRERR_NONE) {
            st = sv_error(ctx, SV_ERR_NOMEM, "out of memory exporting '%s'", table);
            break;
        }
        OGR_F_Destroy(mf);
        OGR_F_Destroy(f);
        mf = f = NULL;
    }
done:
    if (mf)
        OGR_F_Destroy(mf);
    if (f)
        OGR_F_Destroy(f);
    if (ct)
        OCTDestroyCoordinateTransformation(ct);
    if (to)
        OSRDestroySpatialReference(to);
    if (from)
        OSRDestroySpatialReference(from);
    sv_geos_destroy(h);
    if (st == SV_OK)
        *out = mem;
    else if (mem)
        GDALClose(mem);
    return st;
}

sv_status sv_export_table(sv_ctx *ctx, const char *db_path, const char *table, const char *where,
                          const char *out_path, const char *format, sv_coords coords)
{
    sv_gdal_init();
    const char *drv = driver_for(format, out_path);
    if (!drv)
        return sv_error(ctx, SV_ERR_USAGE,
                        "--format %s: not a vector format GDAL can write; use geojson, gpkg, shp, kml, fgb or csv",
                        format);

    /* The export and its sidecar files are written in a private temporary
     * folder beside out_path, under out_path's name, then moved out. */
    char dir[4096], base[1024];
    const char *slash = strrchr(out_path, '/');
    if (slash) {
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - out_path), out_path);
        if (!dir[0])
            snprintf(dir, sizeof dir, "/");
        snprintf(base, sizeof base, "%s", slash + 1);
    } else {
        snprintf(dir, sizeof dir, ".");
        snprintf(base, sizeof base, "%s", out_path);
    }
    if (!base[0])
        return sv_error(ctx, SV_ERR_USAGE, "--out %s: give a file name", out_path);
    VSIStatBufL stbuf;
    if (VSIStatL(dir, &stbuf) != 0 || !VSI_ISDIR(stbuf.st_mode))
        return sv_error(ctx, SV_ERR_OUTPUT, "--out %s: folder '%s' does not exist; create it first",
                        out_path, dir);
    char tmp_path[8192] = "", mem_dir[256] = "", mem_path[1400];

    sv_status st = SV_OK;
    char **argv = NULL;
    GDALVectorTranslateOptions *vopts = NULL;
    GDALDatasetH dst = NULL, mem = NULL;
    CPLErrorReset();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    GDALDatasetH src = GDALOpenEx(db_path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!src) {
        st = sv_error(ctx, SV_ERR_INPUT, "--db %s cannot be opened: %s", db_path, CPLGetLastErrorMsg());
        goto done;
    }
    OGRLayerH sl = GDALDatasetGetLayerByName(src, table);
    if (!sl) {
        st = sv_error(ctx, SV_ERR_INPUT, "--db %s has no layer '%s'; is it an svcov result database?",
                      db_path, table);
        goto done;
    }
    /* Geometry goes through a copy on the output grid (in lon/lat for the
     * lon/lat formats and for --coords); tables without one are translated
     * as they are. */
    if (OGR_FD_GetGeomFieldCount(OGR_L_GetLayerDefn(sl)) > 0 &&
        (st = grid_copy(ctx, db_path, sl, table, where, writes_lonlat(drv) || coords != SV_COORDS_WGS84, coords,
                        &mem)) != SV_OK)
        goto done;
    argv = CSLAddString(argv, "-f");
    argv = CSLAddString(argv, drv);
    argv = CSLAddString(argv, "-nln");
    argv = CSLAddString(argv, table);
    if (where && *where && !mem) {
        argv = CSLAddString(argv, "-where");
        argv = CSLAddString(argv, where);
    }
    const char *fid = OGR_L_GetFIDColumn(sl);
    const char *lcos = GDALGetMetadataItem(GDALGetDriverByName(drv), GDAL_DS_LAYER_CREATIONOPTIONLIST, NULL);
    if (mem && fid && *fid && lcos && strstr(lcos, "name='FID'")) { /* the copy forgot its name */
        argv = CSLAddString(argv, "-lco");
        argv = CSLAddString(argv, CPLSPrintf("FID=%s", fid));
    }
    if (strcmp(drv, "GeoJSON") == 0) {
        argv = CSLAddString(argv, "-lco");
        argv = CSLAddString(argv, "RFC7946=YES");
        argv = CSLAddString(argv, "-lco");
        argv = CSLAddString(argv, "WRITE_NAME=NO");
    } else if (strcmp(drv, "CSV") == 0) {
        argv = CSLAddString(argv, "-lco");
        argv = CSLAddString(argv, "GEOMETRY=AS_WKT");
    } else if (strcmp(drv, "ESRI Shapefile") == 0) {
        argv = CSLAddString(argv, "-lco");
        argv = CSLAddString(argv, "ENCODING=UTF-8");
    }
    argv = CSLAddString(argv, table);
    vopts = GDALVectorTranslateOptionsNew(argv, NULL);
    if (!vopts) {
        st = sv_error(ctx, SV_ERR_INTERNAL, "export options rejected: %s", CPLGetLastErrorMsg());
        goto done;
    }
    GDALVectorTranslateOptionsSetProgress(vopts, export_progress, ctx);
    /* GDAL's drivers write into memory (/vsimem/): some (GeoJSON, KML, GML) ignore failed writes and
     * would leave a truncated file on a full disk; svcov then writes every file out itself, each
     * write checked ("no space left on ..."). */
    static unsigned export_seq;
    snprintf(mem_dir, sizeof mem_dir, "/vsimem/svcov-export-%ld-%u", (long)getpid(),
             __atomic_add_fetch(&export_seq, 1, __ATOMIC_RELAXED));
    snprintf(mem_path, sizeof mem_path, "%s/%s", mem_dir, base);
    VSIMkdir(mem_dir, 0700);
    int usage_error = 0;
    dst = GDALVectorTranslate(mem_path, NULL, 1, mem ? &mem : &src, vopts, &usage_error);
    if (sv_ctx_interrupted(ctx)) {
        st = sv_error(ctx, SV_ERR_INTERRUPTED, "interrupted; %s was left as it was", out_path);
        goto done;
    }
    if (!dst) {
        st = sv_error(ctx, SV_ERR_OUTPUT, "exporting '%s' to %s (%s) failed: %s", table, out_path, drv,
                      CPLGetLastErrorMsg());
        goto done;
    }
    GDALClose(dst);
    dst = NULL;
    if (CPLGetLastErrorType() >= CE_Failure) {
        st = sv_error(ctx, SV_ERR_OUTPUT, "exporting '%s' to %s (%s) failed: %s", table, out_path, drv,
                      CPLGetLastErrorMsg());
        goto done;
    }
    if ((st = sv_tmp_create(ctx, out_path, tmp_path, sizeof tmp_path)) != SV_OK) {
        tmp_path[0] = '\0';
        goto done;
    }
    if ((st = write_out(ctx, mem_dir, tmp_path, dir, base, out_path)) != SV_OK)
        goto done;
    if (sv_ctx_interrupted(ctx))
        st = sv_error(ctx, SV_ERR_INTERRUPTED, "interrupted; %s was left as it was", out_path);
    else if (move_outputs(tmp_path, dir) != 0)
        st = sv_error(ctx, SV_ERR_OUTPUT, "cannot move the export into place at %s: %s", out_path,
                      strerror(errno));
done:
    CPLPopErrorHandler();
    if (dst)
        GDALClose(dst);
    if (mem_dir[0])
        VSIRmdirRecursive(mem_dir);
    if (tmp_path[0])
        sv_tmp_remove(tmp_path); /* what is left: nothing after a success */
    GDALVectorTranslateOptionsFree(vopts);
    CSLDestroy(argv);
    if (mem)
        GDALClose(mem);
    if (src)
        GDALClose(src);
    return st;
}

