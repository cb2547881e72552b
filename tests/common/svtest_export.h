/* svtest_export.h - checks of the geometry a result database holds and of
 * what `svcov export` makes of it, for the tests that link GDAL. Include
 * after svtest.h and <ogr_api.h>.
 *
 * svt_check_no_slivers: no polygon part or hole of any result table is
 * thinner (2 x area / perimeter) than the tolerance the run recorded.
 * svt_check_exports: every geometry layer written in every format svcov
 * names, read back with OGR: each geometry valid (GEOS, through OGR) and,
 * in GeoJSON, wound as RFC 7946 asks (outer rings counter-clockwise, holes
 * clockwise; a shoelace on the coordinates as read). */
#ifndef SVTEST_EXPORT_H
#define SVTEST_EXPORT_H

#include <gdal.h>
#include <ogr_api.h>

/* Every layer `svcov export --layer` offers that has a geometry. */
static const char *const svt_geometry_layers[] = {
    "gaps", "gap_parts", "coverage", "service_areas", "stations", "districts", "sites", "district_redundancy",
    "critical_stations", "category_coverage", "category_gaps", "responsibility", "demand_access",
    "reached_streets", "roads", NULL};
/* Every format `svcov export --format` names. */
static const char *const svt_export_formats[] = {"geojson", "gpkg", "shp", "kml", "fgb", "csv", "gml", "sqlite",
                                                 NULL};

SVT_FN sqlite3 *svt_db_open_spatial(const char *path)
{
    sqlite3 *db = svt_db_open(path);
    char *msg = NULL;
    assert_int_equal(sqlite3_enable_load_extension(db, 1), SQLITE_OK);
    if (sqlite3_exec(db, "SELECT load_extension('mod_spatialite')", NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("cannot load mod_spatialite: %s", msg ? msg : "?");
    return db;
}

/* Polygon parts and holes of every polygon table thinner than runs.sliver_tol_m
 * (which must be tol); returns the number of parts looked at. */
SVT_FN long svt_check_no_slivers(const char *db_path, double tol, const char *label)
{
    sqlite3 *db = svt_db_open_spatial(db_path);
    sqlite3_stmt *s = NULL;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT f_table_name FROM geometry_columns WHERE geometry_type % 1000 IN (3, 6)"
                                        " ORDER BY 1",
                                        -1, &s, NULL),
                     SQLITE_OK);
    long parts = 0;
    int tables = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        char t[128];
        snprintf(t, sizeof t, "%s", (const char *)sqlite3_column_text(s, 0));
        if (strcmp(t, "districts") == 0)
            continue; /* the input, as given (made valid) */
        /* n counts up to the most parts of a row, then to the most holes of a part too */
        long most = svt_db_int(db, "SELECT coalesce(max(NumGeometries(geom)), 0) FROM \"%s\"", t);
        const char *with = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %ld),"
                           " p AS (SELECT rowid AS id, GeometryN(geom, i) AS g FROM \"%s\""
                           " JOIN n ON i <= NumGeometries(geom) WHERE geom IS NOT NULL),"
                           " h AS (SELECT id, MakePolygon(InteriorRingN(g, i)) AS g FROM p"
                           " JOIN n ON i <= NumInteriorRings(g))";
        char sql[1024];
        snprintf(sql, sizeof sql, with, most, t);
        long most_holes = svt_db_int(db, "%s SELECT coalesce(max(NumInteriorRings(g)), 0) FROM p", sql);
        snprintf(sql, sizeof sql, with, most > most_holes ? most : most_holes, t);
        long n = svt_db_int(db, "%s SELECT count(*) FROM p", sql);
        long thin = svt_db_int(db, "%s SELECT count(*) FROM p WHERE 2 * Area(g) < %.17g * Perimeter(g)", sql, tol);
        long thin_holes =
            svt_db_int(db, "%s SELECT count(*) FROM h WHERE 2 * Area(g) < %.17g * Perimeter(g)", sql, tol);
        if (thin || thin_holes)
            fail_msg("%s: %s has %ld polygon parts and %ld holes thinner than %g m (2 x area / perimeter), "
                     "the smallest of area %.3g m2",
                     label, t, thin, thin_holes, tol,
                     svt_db_double(db, "%s SELECT min(Area(g)) FROM p", sql));
        parts += n;
        tables++;
    }
    sqlite3_finalize(s);
    assert_float_equal(svt_db_double(db, "SELECT sliver_tol_m FROM runs ORDER BY run_id DESC LIMIT 1"), tol, 1e-12);
    sqlite3_close(db);
    printf("%s: %ld polygon parts in %d result tables, none thinner than %g m\n", label, parts, tables, tol);
    fflush(stdout);
    return parts;
}

/* Twice the signed area of a ring (shoelace): > 0 counter-clockwise. */
SVT_FN double svt_ring_area2(OGRGeometryH ring)
{
    int n = OGR_G_GetPointCount(ring);
    double a = 0;
    for (int i = 0; i + 1 < n; i++)
        a += OGR_G_GetX(ring, i) * OGR_G_GetY(ring, i + 1) - OGR_G_GetX(ring, i + 1) * OGR_G_GetY(ring, i);
    return a;
}

/* Rings of a (multi)polygon wound against RFC 7946. */
SVT_FN int svt_wrongly_wound(OGRGeometryH g)
{
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
    int bad = 0;
    if (t == wkbMultiPolygon || t == wkbGeometryCollection) {
        for (int i = 0; i < OGR_G_GetGeometryCount(g); i++)
            bad += svt_wrongly_wound(OGR_G_GetGeometryRef(g, i));
    } else if (t == wkbPolygon) {
        for (int r = 0; r < OGR_G_GetGeometryCount(g); r++) {
            double a = svt_ring_area2(OGR_G_GetGeometryRef(g, r));
            bad += r == 0 ? !(a > 0) : !(a < 0);
        }
    }
    return bad;
}

typedef struct {
    long files, features, invalid, wound_wrong;
} svt_export_counts;

/* Export every geometry layer of db with rows in every format, read each
 * file back and count its geometries, the invalid ones and (GeoJSON) the
 * rings wound the wrong way. Each file must hold the rows with geometry. */
SVT_FN svt_export_counts svt_check_exports(const char *db_path, const char *label)
{
    svt_export_counts c = {0, 0, 0, 0};
    sqlite3 *db = svt_db_open(db_path);
    for (const char *const *layer = svt_geometry_layers; *layer; layer++) {
        if (!svt_db_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '%s'", *layer))
            continue;
        long rows = svt_db_int(db, "SELECT count(*) FROM \"%s\" WHERE geom IS NOT NULL", *layer);
        if (rows == 0)
            continue;
        for (const char *const *fmt = svt_export_formats; *fmt; fmt++) {
            char name[256];
            snprintf(name, sizeof name, "%s-%s.%s", label, *layer, *fmt);
            const char *out = svt_path(name);
            SVT_EXPECT(0, "export", "--db", db_path, "--layer", *layer, "--out", out);
            GDALDatasetH ds = GDALOpenEx(out, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
            if (!ds)
                fail_msg("%s: cannot read back %s", label, out);
            OGRLayerH l = GDALDatasetGetLayerByName(ds, *layer);
            if (!l)
                l = GDALDatasetGetLayer(ds, 0);
            assert_non_null(l);
            long got = 0, invalid = 0, wound = 0;
            OGRFeatureH f;
            while ((f = OGR_L_GetNextFeature(l)) != NULL) {
                OGRGeometryH g = OGR_F_GetGeometryRef(f);
                if (g && !OGR_G_IsEmpty(g)) {
                    got++;
                    if (!OGR_G_IsValid(g)) {
                        if (invalid++ < 3)
                            fprintf(stderr, "%s: %s: feature " CPL_FRMT_GIB " is not valid\n", label, out,
                                    OGR_F_GetFID(f));
                    }
                    if (strcmp(*fmt, "geojson") == 0)
                        wound += svt_wrongly_wound(g);
                }
                OGR_F_Destroy(f);
            }
            GDALClose(ds);
            if (got != rows)
                fail_msg("%s: %s holds %ld geometries, the table %ld", label, out, got, rows);
            c.files++;
            c.features += got;
            c.invalid += invalid;
            c.wound_wrong += wound;
            if (invalid || wound)
                fprintf(stderr, "%s: %s: %ld of %ld geometries invalid, %ld rings wound against RFC 7946\n",
                        label, out, invalid, got, wound);
        }
    }
    sqlite3_close(db);
    printf("%s: %ld exported files, %ld geometries read back, %ld invalid, %ld rings wound the wrong way\n", label,
           c.files, c.features, c.invalid, c.wound_wrong);
    fflush(stdout);
    return c;
}

#endif
