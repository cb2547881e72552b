/* test_realdata.c - svcov analyze on real OpenStreetMap extracts (andorra,
 * monaco in ../shared/realdata) against the circle-coverage references
 * computed independently with GeoPandas/shapely (ref_euclid_*.csv).
 *
 * The data lives beside the project and is never copied into it: when the
 * folder is absent the test says so and exits 77 (ctest: skipped).
 * SVCOV_SHARED overrides the shared folder's location. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "svtest.h"

#include <cpl_conv.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "svtest_export.h"

#ifndef SVCOV_SHARED_DIR
#define SVCOV_SHARED_DIR "../shared"
#endif

#define TOLERANCE_PP 0.1 /* percentage points */

static char realdata[4096];

typedef struct {
    char district[256];
    double radius_m, area_m2, covered_m2, covered_pct;
    int matched;
} ref_row;

/* Read a reference CSV with OGR's CSV driver. */
static size_t read_reference(const char *path, ref_row *rows, size_t cap)
{
    const char *const drivers[] = {"CSV", NULL};
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers, NULL, NULL);
    if (!ds)
        fail_msg("cannot open the reference %s with OGR's CSV driver", path);
    OGRLayerH l = GDALDatasetGetLayer(ds, 0);
    OGRFeatureDefnH fd = OGR_L_GetLayerDefn(l);
    const char *names[] = {"district", "radius_m", "area_m2", "covered_m2", "covered_pct"};
    int idx[5];
    for (int k = 0; k < 5; k++) {
        idx[k] = OGR_FD_GetFieldIndex(fd, names[k]);
        if (idx[k] < 0)
            fail_msg("%s has no column '%s'", path, names[k]);
    }
    size_t n = 0;
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(l)) != NULL) {
        assert_true(n < cap);
        ref_row *r = &rows[n++];
        memset(r, 0, sizeof *r);
        snprintf(r->district, sizeof r->district, "%s", OGR_F_GetFieldAsString(f, idx[0]));
        r->radius_m = OGR_F_GetFieldAsDouble(f, idx[1]);
        r->area_m2 = OGR_F_GetFieldAsDouble(f, idx[2]);
        r->covered_m2 = OGR_F_GetFieldAsDouble(f, idx[3]);
        r->covered_pct = OGR_F_GetFieldAsDouble(f, idx[4]);
        assert_true(r->radius_m > 0 && r->area_m2 > 0);
        OGR_F_Destroy(f);
    }
    GDALClose(ds);
    return n;
}

/* Compare every district_coverage row of db with the reference (matched by
 * district name and radius; a name may appear in several rows, e.g. Monaco
 * the country and the commune); return the largest difference seen. */
static double compare(const char *db_path, ref_row *ref, size_t nref, const char *label)
{
    sqlite3 *db = svt_db_open(db_path);
    svt_db_no_nan(db);
    sqlite3_stmt *s = NULL;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT district_name, radius_m, area_m2, covered_pct FROM district_coverage"
                                        " ORDER BY district_name, radius_m",
                                        -1, &s, NULL),
                     SQLITE_OK);
    double max_diff = 0;
    size_t nrows = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(s, 0);
        double radius = sqlite3_column_double(s, 1), area = sqlite3_column_double(s, 2);
        double pct = sqlite3_column_double(s, 3);
        nrows++;
        int found = 0;
        for (size_t i = 0; i < nref; i++) {
            if (strcmp(ref[i].district, name) != 0 || fabs(ref[i].radius_m - radius) > 1e-6)
                continue;
            found++;
            ref[i].matched = 1;
            double diff = fabs(pct - ref[i].covered_pct);
            max_diff = fmax(max_diff, diff);
            if (diff > TOLERANCE_PP)
                fail_msg("%s: %s at %g m: svcov %.4f%%, reference %.4f%% (%.4f pp apart, more than %g)", label,
                         name, radius, pct, ref[i].covered_pct, diff, TOLERANCE_PP);
            /* same districts, same projection: the same area (the reference
             * is rounded to 0.1 m2) */
            if (fabs(area - ref[i].area_m2) > 0.06 + 1e-7 * area)
                fail_msg("%s: %s area %.1f m2, reference %.1f m2", label, name, area, ref[i].area_m2);
        }
        if (!found)
            fail_msg("%s: svcov row %s at %g m has no reference row", label, name, radius);
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    for (size_t i = 0; i < nref; i++)
        if (!ref[i].matched)
            fail_msg("%s: reference row %s at %g m has no svcov row", label, ref[i].district, ref[i].radius_m);
    assert_true(nrows >= 4);
    printf("%s: %zu rows, max |covered_pct - reference| = %.4f pp (tolerance %g)\n", label, nrows, max_diff,
           TOLERANCE_PP);
    fflush(stdout);
    return max_diff;
}

static const char *data(const char *place, const char *file)
{
    static char bufs[8][4300];
    static int k = 0;
    char *b = bufs[k++ % 8];
    snprintf(b, sizeof bufs[0], "%s/%s/%s", realdata, place, file);
    return b;
}

static int group_setup(void **state)
{
    (void)state;
    GDALAllRegister();
    return svt_make_dir("realdata");
}

static int group_teardown(void **state)
{
    (void)state;
    svt_run_free();
    svt_remove_dir();
    return 0;
}

static void test_andorra(void **state)
{
    (void)state;
    ref_row ref[64];
    size_t nref = read_reference(data("andorra", "ref_euclid_500_1000.csv"), ref, 64);
    assert_int_equal(nref, 12); /* 6 parishes x 2 radii */
    const char *out = svt_path("andorra.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", data("andorra", "stations.geojson"), "--districts",
               data("andorra", "districts.geojson"), "--district-id", "name", "--radius", "500,1000", "--out", out,
               "-q");
    sqlite3 *db = svt_db_open(out);
    assert_string_equal(svt_db_text(db, "SELECT crs_epsg FROM runs"), "32631");
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM stations"), 195);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM district_coverage WHERE district_id = district_name"), 12);
    sqlite3_close(db);
    compare(out, ref, nref, "andorra voronoi");

    for (size_t i = 0; i < nref; i++)
        ref[i].matched = 0;
    const char *out_u = svt_path("andorra_union.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", data("andorra", "stations.geojson"), "--districts",
               data("andorra", "districts.geojson"), "--district-id", "name", "--radius", "500,1000", "--method",
               "union", "--out", out_u, "-q");
    compare(out_u, ref, nref, "andorra union");

    /* the two methods agree with each other far more closely */
    db = svt_db_open(out);
    char attach[4400];
    snprintf(attach, sizeof attach, "ATTACH '%s' AS u", out_u);
    assert_int_equal(sqlite3_exec(db, attach, NULL, NULL, NULL), SQLITE_OK);
    double d = svt_db_double(db, "SELECT max(abs(a.covered_pct - b.covered_pct)) FROM district_coverage a"
                                 " JOIN u.district_coverage b USING (district_id, radius_m)");
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM district_coverage a"
                                    " JOIN u.district_coverage b USING (district_id, radius_m)"),
                     12);
    printf("andorra: voronoi vs union, max difference %.2e pp\n", d);
    assert_true(d <= 1e-3);
    sqlite3_close(db);
}

static void test_monaco(void **state)
{
    (void)state;
    ref_row ref[64];
    size_t nref = read_reference(data("monaco", "ref_euclid_100_200.csv"), ref, 64);
    assert_int_equal(nref, 8); /* 4 districts (two named Monaco) x 2 radii */
    const char *out = svt_path("monaco.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", data("monaco", "stations.geojson"), "--districts",
               data("monaco", "districts.geojson"), "--radius", "100,200", "--out", out, "-q");
    sqlite3 *db = svt_db_open(out);
    assert_string_equal(svt_db_text(db, "SELECT crs_epsg FROM runs"), "32632");
    assert_string_equal(svt_db_text(db, "SELECT district_id_field FROM runs"), "osm_id");
    /* the two Monacos are two districts with their own ids */
    assert_int_equal(svt_db_int(db, "SELECT count(DISTINCT district_id) FROM district_coverage"
                                    " WHERE district_name = 'Monaco'"),
                     2);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM district_coverage"), 8);
    sqlite3_close(db);
    compare(out, ref, nref, "monaco voronoi");

    for (size_t i = 0; i < nref; i++)
        ref[i].matched = 0;
    const char *out_u = svt_path("monaco_union.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", data("monaco", "stations.geojson"), "--districts",
               data("monaco", "districts.geojson"), "--radius", "100,200", "--method", "union", "--out", out_u,
               "-q");
    compare(out_u, ref, nref, "monaco union");
}

/* A population grid over Andorra: 0.005 degree cells (about 400 m) of 100
 * people in EPSG:4326, like a WorldPop extract. */
static const char *write_population_raster(const char *name)
{
    const char *path = svt_path(name);
    GDALDriverH drv = GDALGetDriverByName("GTiff");
    assert_non_null(drv);
    GDALDatasetH ds = GDALCreate(drv, path, 78, 48, 1, GDT_Float32, NULL);
    assert_non_null(ds);
    double gt[6] = {1.40, 0.005, 0, 42.66, 0, -0.005};
    GDALSetGeoTransform(ds, gt);
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    assert_int_equal(OSRImportFromEPSG(srs, 4326), OGRERR_NONE);
    char *wkt = NULL;
    OSRExportToWkt(srs, &wkt);
    GDALSetProjection(ds, wkt);
    CPLFree(wkt);
    OSRDestroySpatialReference(srs);
    assert_int_equal(GDALFillRaster(GDALGetRasterBand(ds, 1), 100, 0), CE_None);
    GDALClose(ds);
    return path;
}

/* A raster-population run of Andorra (redundancy, critical stations,
 * categories, responsibility): no stored polygon part is a sliver (the
 * overlay of district minus gap left needles down to 3.5e-10 m2 in
 * coverage), the areas are those of the stored polygons, the coverage
 * still agrees with the reference, and every geometry layer exported in
 * every format is valid as read back (the redundancy GeoJSON had 20 invalid
 * geometries of 72). */
static void test_andorra_slivers_and_exports(void **state)
{
    (void)state;
    const char *pop = write_population_raster("andorra_pop.tif");
    const char *out = svt_path("andorra_raster.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", data("andorra", "stations.geojson"), "--districts",
               data("andorra", "districts.geojson"), "--district-id", "name", "--radius", "500,1000",
               "--population-raster", pop, "--out", out, "-q");
    assert_true(svt_check_no_slivers(out, 0.01, "andorra raster") > 1000);
    sqlite3 *db = svt_db_open_spatial(out);
    assert_string_equal(svt_db_text(db, "SELECT population_method FROM runs"), "raster");
    assert_true(svt_db_int(db, "SELECT count(*) FROM category_coverage") > 0);
    /* areas are those of the stored polygons, far closer than the tolerance */
    assert_true(svt_db_double(db, "SELECT max(abs(covered_m2 - coalesce(Area(geom), 0))) FROM coverage") < 1e-4);
    assert_true(svt_db_double(db, "SELECT max(abs(gap_m2 - coalesce(Area(geom), 0))) FROM gaps") < 1e-4);
    assert_true(svt_db_double(db, "SELECT max(abs(covered_m2 - coalesce(Area(geom), 0))) FROM category_coverage"
                                  " WHERE district_id IS NOT NULL") < 1e-4); /* city rows have no polygon */
    /* redundancy is cut cell by cell: the needles (under 1 cm wide) along the cells' seams that the sliver rule
     * removes from the class polygons come to at most 8.2e-4 m2 (of 6.8 km2; 4.5e-4 m2 in critical_stations)
     * on this run: the areas are the exact overlay's, the polygons match them to 1e-3 m2 */
    assert_true(svt_db_double(db, "SELECT max(abs(area_m2 - Area(geom))) FROM district_redundancy"
                                  " WHERE geom IS NOT NULL") < 1e-3);
    assert_true(svt_db_double(db, "SELECT max(abs(area_lost_m2 - Area(geom))) FROM critical_stations"
                                  " WHERE geom IS NOT NULL") < 1e-3);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM district_coverage c JOIN gaps g USING (district_id, radius_m)"
                                    " WHERE c.n_gap_parts != g.n_parts OR g.n_parts != (SELECT count(*) FROM gap_parts p"
                                    " WHERE p.district_id = g.district_id AND p.radius_m = g.radius_m)"),
                     0);
    sqlite3_close(db);
    ref_row ref[64];
    size_t nref = read_reference(data("andorra", "ref_euclid_500_1000.csv"), ref, 64);
    compare(out, ref, nref, "andorra raster");

    svt_export_counts c = svt_check_exports(out, "andorra");
    assert_true(c.files >= 80);
    assert_int_equal(c.invalid, 0);
    assert_int_equal(c.wound_wrong, 0);
}

int main(void)
{
    const char *env = getenv("SVCOV_SHARED");
    snprintf(realdata, sizeof realdata, "%s/realdata", env && *env ? env : SVCOV_SHARED_DIR);
    struct stat sb;
    if (stat(realdata, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        printf("SKIPPED: ../shared/realdata not found (looked for %s); set SVCOV_SHARED to the shared folder "
               "to run the comparison with the reference results\n",
               realdata);
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_andorra),
        cmocka_unit_test(test_monaco),
        cmocka_unit_test(test_andorra_slivers_and_exports),
    };
    return cmocka_run_group_tests_name("realdata", tests, group_setup, group_teardown);
}
