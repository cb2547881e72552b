/*
 * sv_io.h - reading input layers and exporting result layers (GDAL/OGR).
 * Only src/adapters/gdal_*.c include GDAL. Geometries leave this module as ISO WKB
 * in the analysis CRS.
 *
 * Ownership: a source (sv_source_open) is the caller's, closed with sv_source_close (NULL ok); the
 * option strings it was opened with are borrowed and must outlive it. A featureset
 * (sv_source_project) owns its features' ids, names and WKB until sv_featureset_free, which the
 * caller calls even after a failure; raster cells likewise with sv_raster_cells_free. Version
 * strings are static.
 */
#ifndef SV_IO_H
#define SV_IO_H

#include "svcov/sv_common.h"
#include "svcov/sv_cncoords.h"
#include "svcov/sv_geom.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { SV_ROLE_STATIONS = 0, SV_ROLE_DISTRICTS, SV_ROLE_DEMAND, SV_ROLE_CANDIDATES,
               SV_ROLE_NETWORK /* lines: road class in category, plus oneway and maxspeed */,
               SV_ROLE_POPULATION /* polygons with a number of people (weight_field, required) */,
               SV_ROLE_MERCHANTS /* points of the poster's friendly merchants: a name field is required,
                                    what they offer in services */ } sv_role;

/* Where a layer comes from and which fields to use. NULL fields take the
 * defaults (see sv_source_open). */
typedef struct {
    const char *spec;           /* PATH or PATH:LAYER */
    const char *id_field;       /* NULL: first of the role's usual names, else the FID */
    const char *name_field;     /* NULL: "name" when present */
    const char *category_field; /* stations only; NULL: "category"/"amenity" when present, "" none */
    const char *weight_field;   /* demand: NULL = "weight" when present, else 1 each; districts and
                                   population polygons: the number of people (population field);
                                   stations: the capacity (--capacity-field; NULL: none) */
    const char *levels_field;   /* demand: building levels (NULL: "building:levels"/"levels" when present) */
    const char *services_field; /* stations: what a station offers (NULL: "services" when present);
                                   merchants: NULL = "offers"/"offer"/"services"; "" none */
    const char *hours_field;    /* stations, merchants: opening hours (OSM opening_hours syntax); NULL =
                                   "opening_hours"/"hours" when present; "" none. analyze --at needs it given */
    const char *where;          /* OGR attribute filter, or NULL */
    int strict;                 /* a feature problem is an error */
    sv_coords coords;           /* the lon/lat system of the file (GCJ-02, BD-09: converted to WGS 84
                                   when read; refused for a projected layer); 0 = WGS 84 */
    const char *coords_option;  /* the option that set coords, for messages (NULL: "--coords") */
    const char *encoding;       /* text encoding of the attributes (any GDAL/iconv name, e.g. CP936),
                                   "auto" (GBK detected and decoded), NULL (the file's own; warns) */
    const char *encoding_option; /* the option that set encoding (NULL: "--encoding") */
    const double *window;       /* read only the features whose envelope meets this box (xmin, ymin, xmax,
                                   ymax in EPSG:window_epsg; the layer's spatial index, transformed to its
                                   CRS); NULL: every feature. A sharded run's worker reads so. */
    int window_epsg;
} sv_source_opts;

/* "stations=gcj02,districts=wgs84" (encoding 0) or "stations=CP936"
 * (encoding 1: only the inputs given one) for the inputs whose spec is
 * set; names[i] names opts[i] (NULL opts skipped). */
void sv_sources_describe(char *buf, size_t size, const char *const *names, const sv_source_opts *const *opts,
                         size_t n, int encoding);

/* One input feature after projection. */
typedef struct {
    char *id;       /* never NULL: the id field's text, else "fid N" */
    char *name;     /* never NULL */
    char *category; /* NULL when there is no category field or value */
    long long fid;
    double weight;  /* demand weight (1 without a weight field); people, a station's capacity (NAN: unknown) */
    double levels;  /* demand: building levels, NAN when unknown */
    char *oneway, *maxspeed; /* network only: the fields' text, or NULL */
    char *services, *hours;  /* stations, merchants: the services/offers and opening hours text, or NULL */
    unsigned char *wkb; /* 2-D ISO WKB, analysis CRS */
    size_t wkb_len;
} sv_feature;

typedef struct {
    sv_feature *items;
    size_t n;
    char *path, *layer;                          /* as opened */
    char *id_field, *name_field, *category_field, *weight_field; /* used; NULL = none/FID */
    size_t n_read;                               /* features the filter let through */
    int epsg;                                    /* the analysis CRS the features are in */
    char *srs_wkt;                               /* the source's own CRS (WKT), for locations */
    char *srs_name;                              /* e.g. "EPSG:4326", else its name */
} sv_featureset;

typedef struct sv_source sv_source;

/* Open PATH[:LAYER], check the layer, fields, filter and geometry type for
 * the role, and read every feature (in its own CRS). Feature problems are
 * recorded as issues (and are errors under strict). Free with
 * sv_source_close (NULL ok). */
sv_status sv_source_open(sv_ctx *ctx, const sv_source_opts *opts, sv_role role, sv_source **out);
void sv_source_close(sv_source *src);

/* The lon/lat bounding box of the features read. A source without a CRS
 * is taken as EPSG:4326 when every coordinate is a valid lon/lat, and is an
 * error otherwise. Returns SV_ERR_DATA when there is no feature. */
sv_status sv_source_lonlat_bounds(sv_ctx *ctx, sv_source *src, sv_env *out);

/* Transform every feature to EPSG:epsg and hand it out as WKB. The set is
 * filled even when empty; free it with sv_featureset_free. */
sv_status sv_source_project(sv_ctx *ctx, sv_source *src, int epsg, sv_featureset *out);
void sv_featureset_free(sv_featureset *fs);
/* Frees what one feature of a featureset owns (its texts and WKB), for code that drops features from a set
 * before sv_featureset_free; the feature is left zeroed. */
void sv_feature_clear(sv_feature *f);

/* A point of fs (analysis CRS) in the source's own CRS, so an issue can
 * say where to look in the original file. 0 ok, -1 no transformation. */
int sv_featureset_to_source(const sv_featureset *fs, double x, double y, double *sx, double *sy);

/* Export a table of a result database to a file in any OGR vector format.
 * format: a GDAL driver name or alias (geojson, gpkg, shp, kml, fgb, csv),
 * NULL to infer from out_path's extension (GeoJSON when unknown).
 * where: an SQL filter on the table, or NULL. GeoJSON is written per
 * RFC 7946 (WGS 84 lon/lat, right-hand rule). coords GCJ-02 or BD-09:
 * geometries are written as lon/lat in that system (the file's CRS says
 * WGS 84: these systems have no EPSG code), to draw over AMap or Baidu
 * tiles; WGS 84: as stored (GeoJSON in WGS 84). Geometry is snap-rounded to
 * the grid the output keeps (1e-7 degrees for lon/lat formats, 1e-6 in the
 * layer's CRS otherwise), valid as written. The file appears atomically. */
sv_status sv_export_table(sv_ctx *ctx, const char *db_path, const char *table,
                          const char *where, const char *out_path, const char *format, sv_coords coords);

/* The populated cells of a population grid (any GDAL raster, any CRS; band
 * 1) inside the window that holds extent (analysis CRS), read a block of
 * rows at a time. Cells are quadrilaterals in the analysis CRS: corners[8*i]
 * = x0,y0,...,x3,y3. Nodata, NaN and negative cells are counted, never
 * taken as people; cells with 0 are left out. SV_ERR_DATA when the raster
 * does not overlap extent. Free with sv_raster_cells_free (also on error). */
typedef struct {
    double *corners, *value;
    size_t n;
    double sum;                 /* people in the cells kept */
    size_t n_cells, n_nodata, n_negative, n_untransformable; /* in the window */
    int window[4];              /* x, y, width, height in pixels */
    int n_bands, has_nodata;
    double nodata;
    char *path, *crs_name;
} sv_raster_cells;
sv_status sv_raster_read(sv_ctx *ctx, const char *path, int epsg, const sv_env *extent, sv_raster_cells *out);
/* As sv_raster_read, without reading a cell: out->window (and the CRS name) only, the same errors. */
sv_status sv_raster_window(sv_ctx *ctx, const char *path, int epsg, const sv_env *extent, sv_raster_cells *out);
void sv_raster_cells_free(sv_raster_cells *r);

/* GDAL's release name (static). */
const char *sv_gdal_version(void);

#ifdef __cplusplus
}
#endif
#endif
