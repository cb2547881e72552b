/* test_gencity.c - the benchmark's city generator (bench/gencity.c): the
 * demo data still comes out byte for byte, and a clustered city with demand,
 * streets and a population raster is deterministic and adds up.
 *
 * Usage: test_gencity GROUP  (demo, clustered, usage); ctest runs each group. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "svtest.h" /* SVCOV_BIN is svcov-gencity here */

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

static int group_setup(void **state)
{
    (void)state;
    GDALAllRegister();
    return svt_make_dir("gencity");
}

static int group_teardown(void **state)
{
    (void)state;
    svt_run_free();
    svt_remove_dir();
    return 0;
}

/* The arguments of scripts/make-demo-data.sh give the committed geodata/. */
static void test_demo_data_unchanged(void **state)
{
    (void)state;
    SVT_EXPECT(0, "--stations", "200", "--districts", "14", "--seed", "1", "--format", "GeoJSON", "--demo",
               "--out", svt_path("demo"), "-q");
    assert_true(svt_same_bytes(svt_path("demo/stations.geojson"), SVCOV_SOURCE_DIR "/geodata/stations.geojson"));
    assert_true(svt_same_bytes(svt_path("demo/districts.geojson"), SVCOV_SOURCE_DIR "/geodata/districts.geojson"));
    assert_false(svt_exists(svt_path("demo/demand.geojson")));
    assert_false(svt_exists(svt_path("demo/roads.geojson")));
}

typedef struct {
    long n;
    double sum;           /* of the numeric field asked for */
    OGREnvelope env;
} LayerSum;

static LayerSum layer_sum(const char *path, const char *field)
{
    LayerSum s = {0};
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH l = GDALDatasetGetLayer(ds, 0);
    assert_non_null(l);
    int fi = field ? OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(l), field) : -1;
    if (field)
        assert_true(fi >= 0);
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(l))) {
        s.n++;
        if (fi >= 0)
            s.sum += OGR_F_GetFieldAsDouble(f, fi);
        OGR_F_Destroy(f);
    }
    assert_int_equal(OGR_L_GetExtent(l, &s.env, TRUE), OGRERR_NONE);
    GDALClose(ds);
    return s;
}

/* Sums a numeric field per district_id ("D0001" is index 0). */
static void per_district(const char *path, const char *field, double *sum, long m)
{
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH l = GDALDatasetGetLayer(ds, 0);
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(l);
    int fid = OGR_FD_GetFieldIndex(defn, "district_id"), fv = OGR_FD_GetFieldIndex(defn, field);
    assert_true(fid >= 0 && fv >= 0);
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(l))) {
        const char *id = OGR_F_GetFieldAsString(f, fid);
        long i = strtol(id + 1, NULL, 10) - 1;
        assert_true(id[0] == 'D' && i >= 0 && i < m);
        sum[i] += OGR_F_GetFieldAsDouble(f, fv);
        OGR_F_Destroy(f);
    }
    GDALClose(ds);
}

/* Areas (m2 in the local UTM zone) of the districts and how many stations
 * lie in each. */
static void districts_and_stations(const char *dir, double *area, long *count, long m)
{
    char dpath[4300], spath[4300];
    snprintf(dpath, sizeof dpath, "%s/districts.gpkg", dir);
    snprintf(spath, sizeof spath, "%s/stations.gpkg", dir);
    GDALDatasetH dd = GDALOpenEx(dpath, GDAL_OF_VECTOR, NULL, NULL, NULL);
    GDALDatasetH sd = GDALOpenEx(spath, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(dd);
    assert_non_null(sd);
    OGRLayerH dl = GDALDatasetGetLayer(dd, 0), sl = GDALDatasetGetLayer(sd, 0);
    OGRSpatialReferenceH utm = OSRNewSpatialReference(NULL);
    assert_int_equal(OSRImportFromEPSG(utm, 32649), OGRERR_NONE);
    OSRSetAxisMappingStrategy(utm, OAMS_TRADITIONAL_GIS_ORDER);
    OGRFeatureH f;
    long i = 0;
    while ((f = OGR_L_GetNextFeature(dl))) {
        assert_true(i < m);
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        OGR_L_SetSpatialFilter(sl, g); /* exact test for a polygon filter */
        count[i] = (long)OGR_L_GetFeatureCount(sl, TRUE);
        OGRGeometryH p = OGR_G_Clone(g);
        assert_int_equal(OGR_G_TransformTo(p, utm), OGRERR_NONE);
        area[i] = OGR_G_Area(p);
        OGR_G_DestroyGeometry(p);
        OGR_F_Destroy(f);
        i++;
    }
    assert_int_equal(i, m);
    OSRDestroySpatialReference(utm);
    GDALClose(dd);
    GDALClose(sd);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void test_clustered_city(void **state)
{
    (void)state;
    const char *const names[] = {"stations.gpkg", "districts.gpkg", "demand.gpkg", "roads.gpkg", "pop.tif"};
    for (int run = 0; run < 2; run++) {
        char dir[32], tif[32];
        snprintf(dir, sizeof dir, "city%d", run);
        snprintf(tif, sizeof tif, "city%d/pop.tif", run);
        SVT_EXPECT(0, "--stations", "2000", "--districts", "200", "--seed", "42", "--clusters", "6", "--demand",
                   "3000", "--roads", "--road-spacing", "160", "--population-raster", svt_path(tif), "--out",
                   svt_path(dir));
        SVT_ERR_HAS("6 centres, 70% of the stations in them, spread 0.59 km");
    }
    char a[64], b[64];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(a, sizeof a, "city0/%s", names[i]);
        snprintf(b, sizeof b, "city1/%s", names[i]);
        if (!svt_same_bytes(svt_path(a), svt_path(b)))
            fail_msg("%s differs between two runs with the same arguments", names[i]);
    }

    LayerSum st = layer_sum(svt_path("city0/stations.gpkg"), NULL);
    LayerSum di = layer_sum(svt_path("city0/districts.gpkg"), "population");
    LayerSum dm = layer_sum(svt_path("city0/demand.gpkg"), "weight");
    LayerSum rd = layer_sum(svt_path("city0/roads.gpkg"), NULL);
    assert_int_equal(st.n, 2000);
    assert_int_equal(di.n, 200);
    assert_int_equal(dm.n, 3000);
    /* the people of a district's buildings are the people of the district */
    assert_true(di.sum > 1e6);
    assert_true(dm.sum > 0.9 * di.sum && dm.sum <= di.sum * (1 + 1e-9));
    double pop[200] = {0}, weight[200] = {0};
    per_district(svt_path("city0/districts.gpkg"), "population", pop, 200);
    per_district(svt_path("city0/demand.gpkg"), "weight", weight, 200);
    int with_demand = 0;
    for (int i = 0; i < 200; i++) {
        if (weight[i] > 0.0) {
            with_demand++;
            if (fabs(weight[i] - pop[i]) > 1e-6 * pop[i])
                fail_msg("district %d: buildings hold %.3f people, the district %.0f", i + 1, weight[i], pop[i]);
        }
    }
    assert_true(with_demand > 150);
    /* the streets cover the city, not more */
    assert_true(rd.n > 1000);
    double w = di.env.MaxX - di.env.MinX, h = di.env.MaxY - di.env.MinY;
    assert_true(rd.env.MinX >= di.env.MinX && rd.env.MaxX <= di.env.MaxX);
    assert_true(rd.env.MinY >= di.env.MinY && rd.env.MaxY <= di.env.MaxY);
    assert_true(rd.env.MaxX - rd.env.MinX > 0.95 * w && rd.env.MaxY - rd.env.MinY > 0.95 * h);

    /* the raster's cells hold the districts' people */
    GDALDatasetH r = GDALOpenEx(svt_path("city0/pop.tif"), GDAL_OF_RASTER, NULL, NULL, NULL);
    assert_non_null(r);
    GDALRasterBandH band = GDALGetRasterBand(r, 1);
    int has_nodata = 0;
    assert_true(GDALGetRasterNoDataValue(band, &has_nodata) == -99999.0 && has_nodata);
    int cols = GDALGetRasterXSize(r), rows = GDALGetRasterYSize(r);
    float *v = malloc(sizeof *v * (size_t)cols * (size_t)rows);
    assert_non_null(v);
    assert_int_equal(GDALRasterIO(band, GF_Read, 0, 0, cols, rows, v, cols, rows, GDT_Float32, 0, 0), CE_None);
    double people = 0.0;
    for (long k = 0; k < (long)cols * rows; k++)
        if (v[k] != -99999.0f)
            people += v[k];
    free(v);
    GDALClose(r);
    assert_true(fabs(people - di.sum) < 1e-4 * di.sum);

    /* stations gather: hundreds of 1000 m circles over the busiest spot, and
     * the districts holding the most stations are the small ones */
    double *area = calloc(200, sizeof *area), *busy = calloc(200, sizeof *busy);
    long *count = calloc(200, sizeof *count);
    assert_true(area && busy && count);
    districts_and_stations(svt_path("city0"), area, count, 200);
    long most = 0, empty = 0, nb = 0;
    for (int i = 0; i < 200; i++) {
        most = count[i] > most ? count[i] : most;
        empty += count[i] == 0;
    }
    for (int i = 0; i < 200; i++)
        if (count[i] >= most / 2)
            busy[nb++] = area[i];
    qsort(busy, (size_t)nb, sizeof *busy, cmp_double);
    double busy_median = busy[nb / 2];
    qsort(area, 200, sizeof *area, cmp_double);
    double median = area[100];
    if (!(most >= 40 && nb >= 5 && busy_median < 0.6 * median && empty > 0))
        fail_msg("not clustered: at most %ld stations in a district, %ld districts with half that, of median "
                 "area %.0f m2 against %.0f m2 overall, %ld without any",
                 most, nb, busy_median, median, empty);
    free(area);
    free(busy);
    free(count);
}

static void test_usage(void **state)
{
    (void)state;
    SVT_EXPECT(2, "--stations", "10", "--districts", "3", "--seed", "1", "--cluster-share", "0.5", "--out",
               svt_path("u"));
    SVT_ERR_HAS("--cluster-share and --cluster-sigma-km need --clusters K");
    SVT_EXPECT(2, "--stations", "10", "--districts", "3", "--seed", "1", "--clusters", "2", "--cluster-share",
               "1.5", "--out", svt_path("u"));
    SVT_ERR_HAS("--cluster-share expects a number in [0, 1], got '1.5'");
    SVT_EXPECT(2, "--stations", "10", "--districts", "3", "--seed", "1", "--road-spacing", "50", "--out",
               svt_path("u"));
    SVT_ERR_HAS("--road-spacing needs --roads");
    assert_false(svt_exists(svt_path("u")));
}

int main(int argc, char **argv)
{
    static const svt_group groups[] = {
        {"demo", cmocka_unit_test(test_demo_data_unchanged)},
        {"clustered", cmocka_unit_test(test_clustered_city)},
        {"usage", cmocka_unit_test(test_usage)},
    };
    return svt_run_groups(argc, argv, "gencity", groups, sizeof groups / sizeof groups[0], group_setup,
                          group_teardown);
}
