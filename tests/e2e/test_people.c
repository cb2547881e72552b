/* test_people.c - who is covered: the population surface, dasymetric
 * mapping, redundancy classes and the fairness statistics (unit), and
 * end-to-end runs of svcov analyze with people from a districts field, from
 * rasters (checked against GDAL's own zonal sum of the same cells), from
 * buildings, and with bad population input.
 *
 * Usage: test_people GROUP  (unit, field, raster, buildings, errors). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "svtest.h"
#include "svfixtures.h"

#include "svcov/sv_people.h"

#include <cpl_conv.h>
#include <gdal.h>
#include <gdal_alg.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

static void assert_near(const char *what, double got, double want, double tol)
{
    if (!(fabs(got - want) <= tol))
        fail_msg("%s: got %.10g, want %.10g (tolerance %.3g)", what, got, want, tol);
}

/* ---- unit ---- */

static sv_geom *rect(sv_geos *h, double x0, double y0, double x1, double y1)
{
    sv_env e = {x0, y0, x1, y1};
    return sv_geom_rect(h, &e);
}

static void test_surface_areal_and_points(void **state)
{
    (void)state;
    sv_geos *h = sv_geos_create();
    sv_popsurf *p = sv_popsurf_create(h);
    assert_int_equal(sv_popsurf_add_piece(p, rect(h, 0, 0, 100, 100), 1000), 0);
    assert_int_equal(sv_popsurf_add_point(p, 25, 50, 7), 0);
    assert_int_equal(sv_popsurf_build(p), 0);
    sv_geom *left = rect(h, -10, -10, 50, 110), *out = rect(h, 200, 200, 300, 300), *all = rect(h, -1, -1, 101, 101);
    assert_near("left half", sv_popsurf_in(p, left), 507, 1e-9);
    assert_near("outside", sv_popsurf_in(p, out), 0, 0);
    assert_near("all", sv_popsurf_in(p, all), 1007, 1e-9);
    assert_near("total", sv_popsurf_total(p), 1007, 0);
    /* a circle of radius 30 at the centre: its area's share of the 1000
     * (128-gon), and the 7 at 25 m from its centre */
    sv_geom *c = sv_geom_circle(h, 50, 50, 30, 32);
    double a = sv_geom_area(h, c);
    assert_near("circle", sv_popsurf_in(p, c), 1000 * a / 1e4 + 7, 1e-9);
    sv_geom_destroy(h, c);
    sv_geom_destroy(h, left);
    sv_geom_destroy(h, out);
    sv_geom_destroy(h, all);
    sv_popsurf_destroy(p);
    sv_geos_destroy(h);
}

static void test_dasymetric(void **state)
{
    (void)state;
    sv_geos *h = sv_geos_create();
    sv_popsurf *p = sv_popsurf_create(h);
    sv_geom *blocks[2] = {rect(h, 0, 0, 100, 100), rect(h, 200, 0, 300, 100)};
    double people[2] = {1000, 100};
    double bx[3] = {10, 20, 500}, by[3] = {10, 20, 500}, bw[3] = {1, 3, 5}, got[3];
    size_t empty = 0;
    assert_int_equal(sv_popsurf_dasymetric(p, blocks, people, 2, bx, by, bw, 3, got, &empty), 0);
    assert_near("building 1", got[0], 250, 1e-9);
    assert_near("building 2", got[1], 750, 1e-9);
    assert_near("outside every block", got[2], 0, 0);
    assert_int_equal(empty, 1); /* the second block has no building: spread over it */
    assert_int_equal(sv_popsurf_build(p), 0);
    sv_geom *r = rect(h, 0, 0, 15, 15), *half2 = rect(h, 200, 0, 250, 100);
    assert_near("around building 1", sv_popsurf_in(p, r), 250, 1e-9);
    assert_near("half the empty block", sv_popsurf_in(p, half2), 50, 1e-9);
    assert_near("total", sv_popsurf_total(p), 1100, 1e-9);
    sv_geom_destroy(h, r);
    sv_geom_destroy(h, half2);
    sv_geom_destroy(h, blocks[0]);
    sv_geom_destroy(h, blocks[1]);
    sv_popsurf_destroy(p);
    sv_geos_destroy(h);
}

static void test_gini_and_quantiles(void **state)
{
    (void)state;
    double s1[] = {0, 1}, w1[] = {1, 1};
    assert_near("gini 0/1", sv_gini(s1, w1, 2), 0.5, 1e-12);
    double w2[] = {3, 1};
    assert_near("gini weighted", sv_gini(s1, w2, 2), 0.75, 1e-12);
    double s3[] = {0.4, 0.4, 0.4}, w3[] = {1, 5, 2};
    assert_near("gini equal", sv_gini(s3, w3, 3), 0, 1e-12);
    /* against the double sum on an uneven case */
    double s4[] = {0.2, 0.9, 0.5, NAN}, w4[] = {2, 1, 4, 9};
    double W = 7, mean = (0.4 + 0.9 + 2.0) / W, sum = 0;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            sum += w4[i] * w4[j] * fabs(s4[i] - s4[j]);
    assert_near("gini double sum", sv_gini(s4, w4, 4), sum / (2 * W * W * mean), 1e-12);
    double v[] = {100, 200, 300, 900}, w[] = {1, 1, 1, 1};
    assert_near("median", sv_weighted_quantile(v, w, 4, 0.5), 200, 0);
    assert_near("p90", sv_weighted_quantile(v, w, 4, 0.9), 900, 0);
    double wz[] = {0, 0, 5, 1};
    assert_near("weighted median", sv_weighted_quantile(v, wz, 4, 0.5), 300, 0);
    double vi[] = {100, INFINITY}, wi[] = {1, 1};
    assert_true(isinf(sv_weighted_quantile(vi, wi, 2, 0.9)));
    double none[] = {0, 0};
    assert_true(isnan(sv_weighted_quantile(v, none, 2, 0.5)));
}

/* Two circles of 500 m, 600 m apart, in a 4 km square: the classes are the
 * lens (2), the rest of both discs (1) and the remainder (0). */
static void test_redundancy_two_circles(void **state)
{
    (void)state;
    sv_geos *h = sv_geos_create();
    sv_ctx *ctx = sv_ctx_create();
    sv_geom *region = rect(h, -2000, -2000, 2000, 2000);
    sv_geom *c[2] = {sv_geom_circle(h, -300, 0, 500, 32), sv_geom_circle(h, 300, 0, 500, 32)};
    sv_geom *lens = sv_geom_intersection(h, c[0], c[1]);
    double A = sv_geom_area(h, c[0]), L = sv_geom_area(h, lens);
    size_t ids[2] = {0, 1};
    double only_a[2] = {0, 0}, only_p[2] = {0, 0};
    sv_redundancy r;
    assert_int_equal(sv_redundancy_compute(ctx, h, region, (const sv_geom *const *)c, ids, 2, NULL, 16e6 * 1e-4,
                                           only_a, only_p, NULL, &r),
                     SV_OK);
    assert_near("class 2 = lens", r.area[2], L, 1e-3);
    assert_near("class 1", r.area[1], 2 * (A - L), 1e-3);
    assert_near("class 0", r.area[0], 16e6 - (2 * A - L), 1e-3);
    assert_near("class 3+", r.area[3], 0, 0);
    assert_near("people in the lens", r.people[2], L * 1e-4, 1e-6);
    assert_near("station 0 alone", only_a[0], A - L, 1e-3);
    assert_near("station 1 alone", only_a[1], A - L, 1e-3);
    assert_near("people station 0 alone", only_p[0], (A - L) * 1e-4, 1e-6);
    sv_geom *g2 = sv_geom_from_wkb(h, r.wkb[2], r.len[2]);
    assert_near("class 2 polygon", sv_geom_area(h, g2), L, 1e-3);
    /* the lens is pi r^2 - ... : sanity against the true circles, 0.1% */
    double d = 600, R = 500, lens_true = 2 * R * R * acos(d / (2 * R)) - d / 2 * sqrt(4 * R * R - d * d);
    assert_true(fabs(L - lens_true) / lens_true < 2e-3);
    sv_geom_destroy(h, g2);
    sv_redundancy_free(&r);
    sv_geom_destroy(h, lens);
    sv_geom_destroy(h, c[0]);
    sv_geom_destroy(h, c[1]);
    sv_geom_destroy(h, region);
    sv_ctx_destroy(ctx);
    sv_geos_destroy(h);
}

/* ---- end to end ---- */


/* The 2 km square with 4000 people, and two districts east of it whose
 * population cannot be used. */
static const char *districts_pop =
    "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"district_id\":\"sq\",\"name\":\"Square\",\"population\":4000},"
    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[499000,4699000],[501000,4699000],"
    "[501000,4701000],[499000,4701000],[499000,4699000]]]}},"
    "{\"type\":\"Feature\",\"properties\":{\"district_id\":\"txt\",\"name\":\"Text\",\"population\":\"many\"},"
    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[501000,4699000],[502000,4699000],"
    "[502000,4700000],[501000,4700000],[501000,4699000]]]}},"
    "{\"type\":\"Feature\",\"properties\":{\"district_id\":\"neg\",\"name\":\"Negative\",\"population\":-5},"
    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[501000,4700000],[502000,4700000],"
    "[502000,4701000],[501000,4701000],[501000,4700000]]]}}]}";

/* Two stations 600 m apart in the square. */
static const char *two_stations =
    "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"w\",\"name\":\"West\"},"
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[499700,4700000]}},"
    "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"e\",\"name\":\"East\"},"
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[500300,4700000]}}]}";

static const char *centre_station =
    "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"c1\",\"name\":\"Centre\"},"
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[500000,4700000]}}]}";

static const char *square_only =
    "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"district_id\":\"sq\",\"name\":\"Square\",\"population\":1000},"
    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[499000,4699000],[501000,4699000],"
    "[501000,4701000],[499000,4701000],[499000,4699000]]]}}]}";

static sqlite3 *open_spatial(const char *path)
{
    sqlite3 *db = svt_db_open(path);
    assert_int_equal(sqlite3_enable_load_extension(db, 1), SQLITE_OK);
    char *msg = NULL;
    if (sqlite3_exec(db, "SELECT load_extension('mod_spatialite')", NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("cannot load mod_spatialite: %s", msg ? msg : "?");
    return db;
}

static int group_setup(void **state)
{
    (void)state;
    GDALAllRegister();
    return svt_make_dir("people");
}

static int group_teardown(void **state)
{
    (void)state;
    svt_run_free();
    svt_remove_dir();
    return 0;
}

/* A district of known population, covered in part by two overlapping
 * circles: people follow the area; redundancy, critical stations and the
 * areas of responsibility are checked against SpatiaLite's own overlay of
 * the stored circles. */
static void test_field_two_stations(void **state)
{
    (void)state;
    const char *d = svt_write("districts.geojson", districts_pop);
    const char *s = svt_write("stations.geojson", two_stations);
    const char *out = svt_path("field.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--radius", "500", "--population-field",
               "population", "--out", out);
    SVT_OUT_HAS("people covered");
    SVT_ERR_HAS("population unknown");
    sqlite3 *db = open_spatial(out);
    double area = svt_db_double(db, "SELECT area_m2 FROM district_coverage WHERE district_id='sq'");
    double cov = svt_db_double(db, "SELECT covered_m2 FROM district_coverage WHERE district_id='sq'");
    assert_near("pop_total", svt_db_double(db, "SELECT pop_total FROM district_coverage WHERE district_id='sq'"),
                4000, 1e-9);
    assert_near("pop_covered = people x covered share",
                svt_db_double(db, "SELECT pop_covered FROM district_coverage WHERE district_id='sq'"),
                4000 * cov / area, 1e-6);
    assert_near("pop_covered_pct = covered_pct",
                svt_db_double(db, "SELECT pop_covered_pct - covered_pct FROM district_coverage WHERE district_id='sq'"),
                0, 1e-9);
    /* text and negative populations: NULL, with an issue each, district still measured */
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM district_coverage WHERE pop_total IS NULL"), 2);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM issues WHERE feature_id IN ('txt','neg') AND problem "
                                    "LIKE '%%population unknown%%'"),
                     2);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM district_coverage"), 3);
    assert_near("city people", svt_db_double(db, "SELECT pop_total FROM city_coverage"), 4000, 1e-6);
    assert_string_equal(svt_db_text(db, "SELECT population_method FROM runs"), "district-field-areal");

    /* redundancy in the square against SpatiaLite's intersection of the two stored circles */
    double lens = svt_db_double(db, "SELECT ST_Area(ST_Intersection(a.geom, b.geom)) FROM service_areas a, "
                                    "service_areas b WHERE a.station_id='w' AND b.station_id='e'");
    double disc = svt_db_double(db, "SELECT ST_Area(geom) FROM service_areas WHERE station_id='w'");
    assert_near("class 2", svt_db_double(db, "SELECT area_m2 FROM district_redundancy WHERE district_id='sq' AND "
                                             "n_cover=2"), lens, 1e-2);
    assert_near("class 1", svt_db_double(db, "SELECT area_m2 FROM district_redundancy WHERE district_id='sq' AND "
                                             "n_cover=1"), 2 * (disc - lens), 1e-2);
    assert_near("class 0 = gap", svt_db_double(db, "SELECT area_m2 FROM district_redundancy WHERE district_id='sq' AND "
                                                   "n_cover=0"),
                area - cov, 1e-2);
    assert_near("people in the lens", svt_db_double(db, "SELECT pop FROM district_redundancy WHERE "
                                                        "district_id='sq' AND n_cover=2"),
                4000 * lens / 4e6, 1e-6);
    assert_near("class polygon", svt_db_double(db, "SELECT ST_Area(geom) FROM district_redundancy WHERE "
                                                   "district_id='sq' AND n_cover=2"), lens, 1e-2);
    /* each station alone covers its disc minus the lens */
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM critical_stations"), 2);
    assert_near("critical area", svt_db_double(db, "SELECT area_lost_m2 FROM critical_stations WHERE station_id='w'"),
                disc - lens, 1e-2);
    assert_near("critical people", svt_db_double(db, "SELECT pop_lost FROM critical_stations WHERE station_id='e'"),
                4000 * (disc - lens) / 4e6, 1e-6);
    assert_near("critical polygon", svt_db_double(db, "SELECT ST_Area(geom) FROM critical_stations WHERE "
                                                      "station_id='e'"), disc - lens, 1e-2);
    /* areas of responsibility: the square splits at x = 500000; the other
     * districts (no known people) fall to the east station */
    assert_near("west area", svt_db_double(db, "SELECT area_m2 FROM responsibility WHERE station_id='w'"), 2e6, 1e-3);
    assert_near("east area", svt_db_double(db, "SELECT area_m2 FROM responsibility WHERE station_id='e'"), 4e6, 1e-3);
    assert_near("west people", svt_db_double(db, "SELECT pop_served FROM responsibility WHERE station_id='w'"), 2000,
                1e-6);
    assert_near("east people", svt_db_double(db, "SELECT pop_served FROM responsibility WHERE station_id='e'"), 2000,
                1e-6);
    sqlite3_close(db);

    /* --no-redundancy leaves the tables empty */
    const char *out2 = svt_path("nored.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--radius", "500", "--population-field",
               "population", "--no-redundancy", "--out", out2, "-q");
    db = svt_db_open(out2);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM district_redundancy"), 0);
    sqlite3_close(db);
}

/* Demand points at known distances: the weighted median and 90th
 * percentile; two districts for a Gini read back against its formula. */
static void test_fairness(void **state)
{
    (void)state;
    const char *d = svt_write("districts2.geojson",
                              "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
                              "{\"type\":\"Feature\",\"properties\":{\"district_id\":\"a\",\"population\":1000},"
                              "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[499000,4699000],[500000,4699000],"
                              "[500000,4701000],[499000,4701000],[499000,4699000]]]}},"
                              "{\"type\":\"Feature\",\"properties\":{\"district_id\":\"b\",\"population\":3000},"
                              "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[500000,4699000],[503000,4699000],"
                              "[503000,4701000],[500000,4701000],[500000,4699000]]]}}]}");
    const char *s = svt_write("west.geojson",
                              "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
                              "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"w\"},"
                              "\"geometry\":{\"type\":\"Point\",\"coordinates\":[499500,4700000]}}]}");
    /* in district a: 100, 200, 300 m and 900 m (outside, 600 m east: district b) */
    const char *dem = svt_write("demand.geojson",
                                "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
                                "{\"type\":\"Feature\",\"properties\":{\"demand_id\":\"p1\"},"
                                "\"geometry\":{\"type\":\"Point\",\"coordinates\":[499600,4700000]}},"
                                "{\"type\":\"Feature\",\"properties\":{\"demand_id\":\"p2\"},"
                                "\"geometry\":{\"type\":\"Point\",\"coordinates\":[499500,4700200]}},"
                                "{\"type\":\"Feature\",\"properties\":{\"demand_id\":\"p3\"},"
                                "\"geometry\":{\"type\":\"Point\",\"coordinates\":[499200,4700000]}},"
                                "{\"type\":\"Feature\",\"properties\":{\"demand_id\":\"p4\"},"
                                "\"geometry\":{\"type\":\"Point\",\"coordinates\":[499500,4699100]}},"
                                "{\"type\":\"Feature\",\"properties\":{\"demand_id\":\"p5\"},"
                                "\"geometry\":{\"type\":\"Point\",\"coordinates\":[500400,4700000]}}]}");
    const char *out = svt_path("fair.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--radius", "500", "--population-field",
               "population", "--demand", dem, "--out", out, "-q");
    sqlite3 *db = svt_db_open(out);
    /* with --demand, the district people follow the demand points (each weight 1): dasymetric */
    assert_string_equal(svt_db_text(db, "SELECT population_method FROM runs"), "dasymetric");
    assert_near("a people", svt_db_double(db, "SELECT pop_total FROM district_coverage WHERE district_id='a'"), 1000,
                1e-9);
    /* p1..p4 in a get 250 each; p4 (900 m) is outside the 500 m circle */
    assert_near("a covered", svt_db_double(db, "SELECT pop_covered FROM district_coverage WHERE district_id='a'"), 750,
                1e-9);
    assert_near("median", svt_db_double(db, "SELECT median_m FROM district_fairness WHERE district_id='a'"), 200, 1e-6);
    assert_near("p90", svt_db_double(db, "SELECT p90_m FROM district_fairness WHERE district_id='a'"), 900, 1e-6);
    assert_near("p90 minutes at 5 km/h", svt_db_double(db, "SELECT p90_min FROM district_fairness WHERE "
                                                            "district_id='a'"), 900 / (5000.0 / 60), 1e-6);
    assert_int_equal(svt_db_int(db, "SELECT n_points FROM district_fairness WHERE district_id='a'"), 4);
    /* b: all 3000 people on p5, 900 m away: not covered */
    assert_near("b covered", svt_db_double(db, "SELECT pop_covered FROM district_coverage WHERE district_id='b'"), 0,
                1e-9);
    /* shares 0.75 (1000 people) and 0 (3000): G = 2*1000*3000*0.75 / (2 * 4000^2 * mean) */
    double mean = 750.0 / 4000;
    assert_near("gini", svt_db_double(db, "SELECT gini FROM city_coverage"),
                2 * 1000.0 * 3000 * 0.75 / (2 * 4000.0 * 4000 * mean), 1e-9);
    sqlite3_close(db);
}

/* Coverage by category: "water;charging" counts for both, a station
 * without a value counts with all stations only. */
static void test_categories(void **state)
{
    (void)state;
    const char *d = svt_write("cat_districts.geojson", districts_pop);
    const char *s = svt_write("cat_stations.geojson",
                              "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
                              "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"w\",\"services\":\"water; charging\"},"
                              "\"geometry\":{\"type\":\"Point\",\"coordinates\":[499700,4700000]}},"
                              "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"e\",\"services\":\"charging\"},"
                              "\"geometry\":{\"type\":\"Point\",\"coordinates\":[500300,4700000]}},"
                              "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"x\",\"services\":null},"
                              "\"geometry\":{\"type\":\"Point\",\"coordinates\":[501500,4700500]}}]}");
    const char *out = svt_path("cat.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--radius", "500", "--category", "services",
               "--population-field", "population", "--out", out);
    SVT_OUT_HAS("by category");
    sqlite3 *db = open_spatial(out);
    assert_int_equal(svt_db_int(db, "SELECT count(DISTINCT category) FROM category_coverage"), 2);
    assert_int_equal(svt_db_int(db, "SELECT n_stations FROM category_coverage WHERE category='charging' LIMIT 1"), 2);
    assert_int_equal(svt_db_int(db, "SELECT n_stations FROM category_coverage WHERE category='water' LIMIT 1"), 1);
    /* water: the west circle alone; charging: the union of both */
    double disc = svt_db_double(db, "SELECT ST_Area(geom) FROM service_areas WHERE station_id='w'");
    double both = svt_db_double(db, "SELECT ST_Area(ST_Union(a.geom, b.geom)) FROM service_areas a, service_areas b "
                                    "WHERE a.station_id='w' AND b.station_id='e'");
    assert_near("water", svt_db_double(db, "SELECT covered_m2 FROM category_coverage WHERE category='water' AND "
                                           "district_id='sq'"), disc, 1e-2);
    assert_near("charging", svt_db_double(db, "SELECT covered_m2 FROM category_coverage WHERE category='charging' AND "
                                              "district_id='sq'"), both, 1e-2);
    assert_near("water people", svt_db_double(db, "SELECT pop_covered FROM category_coverage WHERE category='water' "
                                                  "AND district_id='sq'"), 4000 * disc / 4e6, 1e-6);
    assert_near("water gap polygon", svt_db_double(db, "SELECT ST_Area(geom) FROM category_gaps WHERE "
                                                       "category='water' AND district_id='sq'"), 4e6 - disc, 1e-2);
    /* all stations (x included) reach more than charging alone in the Text district */
    assert_true(svt_db_double(db, "SELECT covered_m2 FROM district_coverage WHERE district_id='neg'") >
                svt_db_double(db, "SELECT covered_m2 FROM category_coverage WHERE category='charging' AND "
                                  "district_id='neg'"));
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM issues WHERE feature_id='x' AND problem LIKE "
                                    "'%%no category%%'"), 1);
    sqlite3_close(db);
}

/* Network mode: places go to the station nearest along the road. */
static void test_network_responsibility(void **state)
{
    (void)state;
    const char *d = svt_write("net_sq.geojson", square_only);
    const char *s = svt_write("net_st.geojson", two_stations);
    const char *roads = svt_write("net_roads.geojson",
                                  "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
                                  "{\"type\":\"Feature\",\"properties\":{\"highway\":\"residential\"},"
                                  "\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[499000,4700000],"
                                  "[499700,4700000],[500300,4700000],[501000,4700000]]}}]}");
    const char *dem = svt_write("net_dem.geojson",
                                "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
                                "{\"type\":\"Feature\",\"properties\":{\"demand_id\":\"a\"},"
                                "\"geometry\":{\"type\":\"Point\",\"coordinates\":[499100,4700010]}},"
                                "{\"type\":\"Feature\",\"properties\":{\"demand_id\":\"b\"},"
                                "\"geometry\":{\"type\":\"Point\",\"coordinates\":[499900,4700010]}},"
                                "{\"type\":\"Feature\",\"properties\":{\"demand_id\":\"c\"},"
                                "\"geometry\":{\"type\":\"Point\",\"coordinates\":[500100,4699990]}},"
                                "{\"type\":\"Feature\",\"properties\":{\"demand_id\":\"e\"},"
                                "\"geometry\":{\"type\":\"Point\",\"coordinates\":[500900,4699990]}}]}");
    const char *out = svt_path("net.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--network", roads, "--radius", "500,1000",
               "--demand", dem, "--population-field", "population", "--out", out, "-q");
    sqlite3 *db = svt_db_open(out);
    assert_string_equal(svt_db_text(db, "SELECT method FROM responsibility LIMIT 1"), "network-nearest");
    /* the road network is kept as map context */
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM roads"), 1);
    assert_string_equal(svt_db_text(db, "SELECT highway FROM roads"), "residential");
    assert_int_equal(svt_db_int(db, "SELECT n_points FROM responsibility WHERE station_id='w'"), 2);
    assert_int_equal(svt_db_int(db, "SELECT n_points FROM responsibility WHERE station_id='e'"), 2);
    /* 1000 people on each building (dasymetric over four points) */
    assert_near("west people", svt_db_double(db, "SELECT pop_served FROM responsibility WHERE station_id='w'"), 500,
                1e-6);
    assert_near("all people", svt_db_double(db, "SELECT sum(pop_served) FROM responsibility"), 1000, 1e-6);
    /* along the road plus the 10 m walk to it (the stations are on it): 210, 610, 210, 610 m */
    assert_near("median", svt_db_double(db, "SELECT median_m FROM district_fairness WHERE district_id='sq' LIMIT 1"),
                210, 1e-6);
    assert_near("p90", svt_db_double(db, "SELECT p90_m FROM district_fairness WHERE district_id='sq' LIMIT 1"), 610,
                1e-6);
    sqlite3_close(db);
}

/* ---- rasters ---- */

/* A GeoTIFF of n x n cells of size cell from (x0, y0top) in EPSG:epsg, all
 * value v, nodata -9999 in the cells listed. */
static void write_raster(const char *path, int epsg, double x0, double ytop, double cell, int n, double v,
                         const int *nodata_cells, int n_nodata)
{
    GDALDriverH drv = GDALGetDriverByName("GTiff");
    assert_non_null(drv);
    GDALDatasetH ds = GDALCreate(drv, path, n, n, 1, GDT_Float32, NULL);
    assert_non_null(ds);
    double gt[6] = {x0, cell, 0, ytop, 0, -cell};
    GDALSetGeoTransform(ds, gt);
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(srs, epsg);
    char *wkt = NULL;
    OSRExportToWkt(srs, &wkt);
    GDALSetProjection(ds, wkt);
    CPLFree(wkt);
    OSRDestroySpatialReference(srs);
    float *buf = malloc((size_t)n * n * sizeof *buf);
    for (int i = 0; i < n * n; i++)
        buf[i] = (float)v;
    for (int k = 0; k < n_nodata; k++)
        buf[nodata_cells[k]] = -9999;
    GDALRasterBandH b = GDALGetRasterBand(ds, 1);
    GDALSetRasterNoDataValue(b, -9999);
    assert_int_equal(GDALRasterIO(b, GF_Write, 0, 0, n, n, buf, n, n, GDT_Float32, 0, 0), CE_None);
    free(buf);
    GDALClose(ds);
}

/* GDAL's own zonal sum: the district burnt into a mask on the raster's
 * grid (cells whose centre is inside), then the valid cells under it added. */
static double gdal_zonal_sum(const char *raster, const char *districts_path, const char *district_id)
{
    GDALDatasetH r = GDALOpen(raster, GA_ReadOnly);
    assert_non_null(r);
    int w = GDALGetRasterXSize(r), hgt = GDALGetRasterYSize(r);
    double gt[6];
    GDALGetGeoTransform(r, gt);
    GDALDatasetH mask = GDALCreate(GDALGetDriverByName("MEM"), "", w, hgt, 1, GDT_Byte, NULL);
    GDALSetGeoTransform(mask, gt);
    GDALSetProjection(mask, GDALGetProjectionRef(r));
    GDALDatasetH v = GDALOpenEx(districts_path, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(v);
    OGRLayerH layer = GDALDatasetGetLayer(v, 0);
    char filter[128];
    snprintf(filter, sizeof filter, "district_id = '%s'", district_id);
    OGR_L_SetAttributeFilter(layer, filter);
    int band = 1;
    double burn = 1;
    assert_int_equal(GDALRasterizeLayers(mask, 1, &band, 1, &layer, NULL, NULL, &burn, NULL, NULL, NULL), CE_None);
    unsigned char *m = malloc((size_t)w * hgt);
    float *val = malloc((size_t)w * hgt * sizeof *val);
    assert_int_equal(GDALRasterIO(GDALGetRasterBand(mask, 1), GF_Read, 0, 0, w, hgt, m, w, hgt, GDT_Byte, 0, 0),
                     CE_None);
    GDALRasterBandH rb = GDALGetRasterBand(r, 1);
    int has = 0;
    double nd = GDALGetRasterNoDataValue(rb, &has);
    assert_int_equal(GDALRasterIO(rb, GF_Read, 0, 0, w, hgt, val, w, hgt, GDT_Float32, 0, 0), CE_None);
    double sum = 0;
    for (int i = 0; i < w * hgt; i++)
        if (m[i] && !(has && val[i] == (float)nd))
            sum += val[i];
    free(m);
    free(val);
    GDALClose(v);
    GDALClose(mask);
    GDALClose(r);
    return sum;
}

static void test_raster(void **state)
{
    (void)state;
    const char *d = svt_write("square.geojson", square_only);
    const char *s = svt_write("centre.geojson", centre_station);
    /* 100 m cells of 1 person over 4 x 4 km around the square (cell-aligned),
     * nodata in 4 cells of the square's north-west corner (outside the circle) */
    const char *tif = svt_path("ones.tif");
    int nodata[4] = {10 * 40 + 10, 10 * 40 + 11, 11 * 40 + 10, 11 * 40 + 11};
    write_raster(tif, 32631, 498000, 4702000, 100, 40, 1.0, nodata, 4);
    const char *out = svt_path("raster.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--radius", "500", "--population-raster", tif,
               "--out", out);
    SVT_OUT_HAS("raster");
    sqlite3 *db = svt_db_open(out);
    double cov = svt_db_double(db, "SELECT covered_m2 FROM district_coverage");
    double total = svt_db_double(db, "SELECT pop_total FROM district_coverage");
    assert_near("400 cells minus 4 nodata", total, 396, 1e-6);
    assert_near("GDAL's zonal sum", total, gdal_zonal_sum(tif, d, "sq"), 1e-6);
    /* the circle cuts cells: each counts by the share inside */
    assert_near("covered people = covered area / cell area",
                svt_db_double(db, "SELECT pop_covered FROM district_coverage"), cov / 1e4, 1e-6);
    assert_string_equal(svt_db_text(db, "SELECT population_method FROM runs"), "raster");
    assert_int_equal(svt_db_int(db, "SELECT raster_nodata FROM runs"), 4);
    assert_string_equal(svt_db_text(db, "SELECT distances_from FROM runs"), "raster cell centres");
    /* the cell centres nearest first: 50 m (4 cells at the centre) */
    assert_true(svt_db_double(db, "SELECT median_m FROM district_fairness WHERE district_id='sq'") > 300);
    sqlite3_close(db);

    /* The same people in a lon/lat raster (another CRS): GDAL's zonal sum
     * of the cells whose centre falls in the square agrees within the
     * boundary cells. */
    const char *tif2 = svt_path("lonlat.tif");
    write_raster(tif2, 4326, 2.985, 42.47, 0.0005, 120, 2.0, NULL, 0);
    const char *out2 = svt_path("raster2.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--radius", "500", "--population-raster", tif2,
               "--out", out2, "-q");
    db = svt_db_open(out2);
    double t2 = svt_db_double(db, "SELECT pop_total FROM district_coverage");
    double z2 = gdal_zonal_sum(tif2, d, "sq");
    fprintf(stderr, "lon/lat raster: svcov %.3f people, GDAL zonal sum (cell centres) %.3f\n", t2, z2);
    /* a 0.0005 deg cell is ~41 x 56 m: 4e6 m2 hold ~1750 cells of 2 people */
    assert_true(z2 > 3000);
    assert_true(fabs(t2 - z2) / z2 < 0.03);
    sqlite3_close(db);

    /* a raster somewhere else */
    const char *far = svt_path("far.tif");
    write_raster(far, 32631, 300000, 4500000, 100, 10, 1.0, NULL, 0);
    const char *out3 = svt_path("far.sqlite");
    SVT_EXPECT(1, "analyze", "--stations", s, "--districts", d, "--radius", "500", "--population-raster", far,
               "--out", out3, "-q");
    SVT_ERR_HAS("does not overlap the districts");
    assert_false(svt_exists(out3));
}

/* Population polygons spread over buildings (footprint x levels). */
static void test_buildings(void **state)
{
    (void)state;
    const char *d = svt_write("sq_nopop.geojson",
                              "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
                              "{\"type\":\"Feature\",\"properties\":{\"district_id\":\"sq\"},"
                              "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[499000,4699000],[501000,4699000],"
                              "[501000,4701000],[499000,4701000],[499000,4699000]]]}}]}");
    /* one census block (the west half, 1000 people) and one (east, 600) */
    const char *blocks = svt_write("blocks.geojson",
                                   "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
                                   "{\"type\":\"Feature\",\"properties\":{\"block_id\":\"B1\",\"pop\":1000},"
                                   "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[499000,4699000],[500000,"
                                   "4699000],[500000,4701000],[499000,4701000],[499000,4699000]]]}},"
                                   "{\"type\":\"Feature\",\"properties\":{\"block_id\":\"B2\",\"pop\":600},"
                                   "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[500000,4699000],[501000,"
                                   "4699000],[501000,4701000],[500000,4701000],[500000,4699000]]]}}]}");
    /* two 10 x 10 m buildings in B1: 1 level near the station, 3 levels far */
    const char *bld = svt_write("buildings.geojson",
                                "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
                                "{\"type\":\"Feature\",\"properties\":{\"demand_id\":\"near\",\"building:levels\":1},"
                                "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[499800,4700000],[499810,4700000],"
                                "[499810,4700010],[499800,4700010],[499800,4700000]]]}},"
                                "{\"type\":\"Feature\",\"properties\":{\"demand_id\":\"far\",\"building:levels\":3},"
                                "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[499100,4699100],[499110,4699100],"
                                "[499110,4699110],[499100,4699110],[499100,4699100]]]}}]}");
    const char *s = svt_write("centre2.geojson", centre_station);
    const char *out = svt_path("dasy.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--radius", "500", "--population", blocks,
               "--population-field", "pop", "--demand", bld, "--out", out, "-q");
    sqlite3 *db = svt_db_open(out);
    assert_near("people", svt_db_double(db, "SELECT pop_total FROM district_coverage"), 1600, 1e-9);
    /* near: 1000 * 100 / 400 = 250 covered; far: 750 not; B2 has no building:
     * its 600 people stay spread over it, covered by the circle's share of it */
    double half_circle = svt_db_double(db, "SELECT covered_m2 FROM district_coverage") / 2;
    assert_near("covered", svt_db_double(db, "SELECT pop_covered FROM district_coverage"),
                250 + 600 * half_circle / 2e6, 1e-6);
    assert_string_equal(svt_db_text(db, "SELECT population_method FROM runs"), "dasymetric");
    assert_int_equal(svt_db_int(db, "SELECT blocks_without_buildings FROM runs"), 1);
    sqlite3_close(db);

    /* the same blocks spread over their area (no buildings): areal weighting */
    const char *out2 = svt_path("areal.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--radius", "500", "--population", blocks,
               "--population-field", "pop", "--out", out2, "-q");
    db = svt_db_open(out2);
    assert_near("areal covered", svt_db_double(db, "SELECT pop_covered FROM district_coverage"),
                (1000 + 600) * half_circle / 2e6, 1e-6);
    assert_string_equal(svt_db_text(db, "SELECT population_method FROM runs"), "areal");
    sqlite3_close(db);
}

/* Overlapping districts (the square and its west half) with population
 * polygons: each district has its own people, the city counts them once. */
static void test_overlap(void **state)
{
    (void)state;
    const char *d = svt_write("overlap.geojson",
                              "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
                              "{\"type\":\"Feature\",\"properties\":{\"district_id\":\"sq\"},"
                              "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[499000,4699000],[501000,4699000],"
                              "[501000,4701000],[499000,4701000],[499000,4699000]]]}},"
                              "{\"type\":\"Feature\",\"properties\":{\"district_id\":\"west\"},"
                              "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[499000,4699000],[500000,4699000],"
                              "[500000,4701000],[499000,4701000],[499000,4699000]]]}}]}");
    const char *blocks = svt_write("halves.geojson",
                                   "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
                                   "{\"type\":\"Feature\",\"properties\":{\"pop\":1000},"
                                   "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[499000,4699000],[500000,"
                                   "4699000],[500000,4701000],[499000,4701000],[499000,4699000]]]}},"
                                   "{\"type\":\"Feature\",\"properties\":{\"pop\":3000},"
                                   "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[500000,4699000],[501000,"
                                   "4699000],[501000,4701000],[500000,4701000],[500000,4699000]]]}}]}");
    const char *s = svt_write("ov_station.geojson", centre_station);
    const char *out = svt_path("overlap.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--radius", "500", "--population", blocks,
               "--population-field", "pop", "--out", out, "-q");
    sqlite3 *db = svt_db_open(out);
    double cov = svt_db_double(db, "SELECT covered_m2 FROM district_coverage WHERE district_id='sq'");
    assert_near("square", svt_db_double(db, "SELECT pop_total FROM district_coverage WHERE district_id='sq'"), 4000,
                1e-6);
    assert_near("west", svt_db_double(db, "SELECT pop_total FROM district_coverage WHERE district_id='west'"), 1000,
                1e-6);
    assert_near("city once", svt_db_double(db, "SELECT pop_total FROM city_coverage"), 4000, 1e-6);
    /* the circle is centred on the line between the blocks: half of it in each */
    assert_near("city covered", svt_db_double(db, "SELECT pop_covered FROM city_coverage"),
                (1000 + 3000) * (cov / 2) / 2e6, 1e-6);
    assert_near("west covered", svt_db_double(db, "SELECT pop_covered FROM district_coverage WHERE district_id='west'"),
                1000 * (cov / 2) / 2e6, 1e-6);
    /* redundancy of the city is cut on its own: class 1 = the circle */
    assert_near("city class 1", svt_db_double(db, "SELECT area_m2 FROM district_redundancy WHERE district_id IS NULL "
                                                  "AND n_cover=1"), cov, 1e-2);
    assert_near("critical people", svt_db_double(db, "SELECT pop_lost FROM critical_stations"),
                4000 * (cov / 2) / 2e6, 1e-6);
    sqlite3_close(db);
}

/* ---- redundancy cut cell by cell against the whole-district cut ---- */

static char *cat(char *buf, size_t *len, size_t *cap, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static char *cat(char *buf, size_t *len, size_t *cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (*len + (size_t)n + 1 > *cap) {
        *cap = 2 * (*len + (size_t)n + 1);
        buf = realloc(buf, *cap);
        assert_non_null(buf);
    }
    va_start(ap, fmt);
    vsnprintf(buf + *len, *cap - *len, fmt, ap);
    va_end(ap);
    *len += (size_t)n;
    return buf;
}

static double lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*s >> 11) / 9007199254740992.0;
}

/* The largest relative difference (floor 1 m2 / 1 person) of the rows of
 * table in db and in the attached database u, joined on the key columns. */
static double worst(sqlite3 *db, const char *table, const char *on, const char *col)
{
    return svt_db_double(db,
                         "SELECT coalesce(max(abs(coalesce(a.%s,0) - coalesce(b.%s,0)) / max(abs(coalesce(a.%s,0)), "
                         "abs(coalesce(b.%s,0)), 1.0)), 0) FROM %s a JOIN u.%s b ON %s",
                         col, col, col, col, table, table, on);
}

/* The store cells (a default run) against whole (the same with --method
 * union): the same rows of district_redundancy and critical_stations, areas
 * and people to 1e-6 relative, and valid polygons with the areas of their
 * rows. Returns cells opened, whole attached as u. */
static sqlite3 *same_as_union(const char *cells, const char *whole)
{
    const char *red = "a.district_id IS b.district_id AND a.radius_m = b.radius_m AND a.n_cover = b.n_cover";
    const char *crit = "a.station_id = b.station_id AND a.radius_m = b.radius_m";
    sqlite3 *db = open_spatial(cells);
    char sql[512];
    snprintf(sql, sizeof sql, "ATTACH '%s' AS u", whole);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    long long rows = svt_db_int(db, "SELECT count(*) FROM district_redundancy");
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM u.district_redundancy"), rows);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM district_redundancy a JOIN u.district_redundancy b ON %s",
                                red),
                     rows);
    assert_near("class areas", worst(db, "district_redundancy", red, "area_m2"), 0, 1e-6);
    assert_near("class people", worst(db, "district_redundancy", red, "pop"), 0, 1e-6);
    long long ncrit = svt_db_int(db, "SELECT count(*) FROM critical_stations");
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM u.critical_stations"), ncrit);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM critical_stations a JOIN u.critical_stations b ON %s", crit),
                     ncrit);
    assert_near("alone areas", worst(db, "critical_stations", crit, "area_lost_m2"), 0, 1e-6);
    assert_near("alone people", worst(db, "critical_stations", crit, "pop_lost"), 0, 1e-6);
    /* the polygons: valid, with the area of their row */
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM district_redundancy WHERE geom IS NOT NULL AND "
                                    "ST_IsValid(geom) != 1"),
                     0);
    assert_near("class polygons", svt_db_double(db, "SELECT max(abs(ST_Area(geom) - area_m2) / max(area_m2, 1)) "
                                                    "FROM district_redundancy WHERE geom IS NOT NULL"),
                0, 1e-6);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM critical_stations WHERE ST_IsValid(geom) != 1"), 0);
    assert_near("alone polygons", svt_db_double(db, "SELECT max(abs(ST_Area(geom) - area_lost_m2) / "
                                                    "max(area_lost_m2, 1)) FROM critical_stations"),
                0, 1e-6);
    return db;
}
/* A clustered city (two dense centres and a thin spread of stations, the
 * way stations lie in real cities), 36 districts of 1 km and an L-shaped
 * one, population blocks of different people: the redundancy classes and
 * critical stations of the default run (each district cut in the Voronoi
 * cells of the stations, on two threads without a population surface) are
 * those of --method union (every circle reaching a district noded at once)
 * to 1e-6 relative, and the stored class polygons are valid with the
 * areas of their rows. */
static void test_redundancy_cells(void **state)
{
    (void)state;
    uint64_t seed = 19;
    size_t len = 0, cap = 0;
    char *st = cat(NULL, &len, &cap, "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":[");
    for (int i = 0; i < 200; i++) {
        double x, y;
        if (i < 140) { /* Gaussian centres at (1.5, 1.5) and (4.2, 4.0) km, 350 m */
            double cx = i % 2 ? 501500 : 504200, cy = i % 2 ? 4701500 : 4704000;
            double u1 = fmax(lcg(&seed), 1e-12), u2 = lcg(&seed);
            x = cx + 350 * sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
            y = cy + 350 * sqrt(-2 * log(u1)) * sin(2 * M_PI * u2);
        } else {
            x = 500000 + 6000 * lcg(&seed);
            y = 4700000 + 6000 * lcg(&seed);
        }
        st = cat(st, &len, &cap,
                 "%s{\"type\":\"Feature\",\"properties\":{\"station_id\":\"s%d\"},\"geometry\":{\"type\":\"Point\","
                 "\"coordinates\":[%.3f,%.3f]}}",
                 i ? "," : "", i, x, y);
    }
    st = cat(st, &len, &cap, "]}");
    size_t dlen = 0, dcap = 0, blen = 0, bcap = 0;
    char *dj = cat(NULL, &dlen, &dcap, "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":[");
    char *bj = cat(NULL, &blen, &bcap, "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":[");
    int nd = 0;
    for (int gy = 0; gy < 6; gy++)
        for (int gx = 0; gx < 6; gx++) {
            double x0 = 500000 + 1000 * gx, y0 = 4700000 + 1000 * gy, x1 = x0 + 1000, y1 = y0 + 1000;
            if (gx >= 4 && gy >= 4)
                continue; /* the L-shaped district below */
            const char *ring = "[[[%.0f,%.0f],[%.0f,%.0f],[%.0f,%.0f],[%.0f,%.0f],[%.0f,%.0f]]]";
            char r[256];
            snprintf(r, sizeof r, ring, x0, y0, x1, y0, x1, y1, x0, y1, x0, y0);
            dj = cat(dj, &dlen, &dcap,
                     "%s{\"type\":\"Feature\",\"properties\":{\"district_id\":\"d%d%d\"},\"geometry\":{\"type\":"
                     "\"Polygon\",\"coordinates\":%s}}",
                     nd ? "," : "", gx, gy, r);
            bj = cat(bj, &blen, &bcap,
                     "%s{\"type\":\"Feature\",\"properties\":{\"pop\":%d},\"geometry\":{\"type\":\"Polygon\","
                     "\"coordinates\":%s}}",
                     nd ? "," : "", 100 + 97 * ((gx * 7 + gy * 3) % 11), r);
            nd++;
        }
    /* an L of three of the four north-east squares, with a notch */
    dj = cat(dj, &dlen, &dcap,
             ",{\"type\":\"Feature\",\"properties\":{\"district_id\":\"L\"},\"geometry\":{\"type\":\"Polygon\","
             "\"coordinates\":[[[504000,4704000],[506000,4704000],[506000,4705000],[505000,4705000],[504700,"
             "4705600],[505000,4706000],[504000,4706000],[504000,4704000]]]}}]}");
    bj = cat(bj, &blen, &bcap,
             ",{\"type\":\"Feature\",\"properties\":{\"pop\":5000},\"geometry\":{\"type\":\"Polygon\","
             "\"coordinates\":[[[504000,4704000],[506000,4704000],[506000,4706000],[504000,4706000],[504000,"
             "4704000]]]}}]}");
    const char *s = svt_write("cells_stations.geojson", st);
    const char *d = svt_write("cells_districts.geojson", dj);
    const char *b = svt_write("cells_blocks.geojson", bj);
    free(st);
    free(dj);
    free(bj);
    for (int people = 0; people < 2; people++) {
        const char *cells = svt_path(people ? "cells_pop.sqlite" : "cells.sqlite");
        const char *whole = svt_path(people ? "whole_pop.sqlite" : "whole.sqlite");
        if (people) {
            SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--radius", "500,1000", "--population", b,
                       "--population-field", "pop", "--out", cells, "-q");
            SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--radius", "500,1000", "--population", b,
                       "--population-field", "pop", "--method", "union", "--out", whole, "-q");
        } else {
            SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--radius", "500,1000", "--threads", "2",
                       "--out", cells, "-q");
            SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--radius", "500,1000", "--method", "union",
                       "--out", whole, "-q");
        }
        sqlite3 *db = same_as_union(cells, whole);
        long long rows = svt_db_int(db, "SELECT count(*) FROM district_redundancy");
        assert_true(rows > 37 * 2 * 3);
        /* every class occurs, the clusters are 3+ downtown */
        for (int c = 0; c <= 3; c++)
            assert_true(svt_db_double(db, "SELECT sum(area_m2) FROM district_redundancy WHERE n_cover = %d AND "
                                          "radius_m = 500",
                                      c) > 1e4);
        if (people)
            assert_true(svt_db_double(db, "SELECT sum(pop) FROM district_redundancy WHERE n_cover = 2") > 100);
        assert_true(svt_db_int(db, "SELECT count(*) FROM critical_stations") > 20);
        sqlite3_close(db);
    }
}

/* Stations given twice (one circle on another: edges on two boundaries,
 * whose classes the one-point test of an edge leaves in doubt, so the
 * district's faces are united as before) among single ones: the classes
 * and critical stations of the default run are those of --method union. */
static void test_redundancy_cells_twice(void **state)
{
    (void)state;
    uint64_t seed = 23;
    size_t len = 0, cap = 0;
    char *st = cat(NULL, &len, &cap, "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":[");
    double x = 0, y = 0;
    for (int i = 0; i < 90; i++) {
        if (i % 3 != 2) { /* every third repeats the station before it */
            double u1 = fmax(lcg(&seed), 1e-12), u2 = lcg(&seed);
            x = 501000 + 400 * sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
            y = 4701000 + 400 * sqrt(-2 * log(u1)) * sin(2 * M_PI * u2);
        }
        st = cat(st, &len, &cap,
                 "%s{\"type\":\"Feature\",\"properties\":{\"station_id\":\"t%d\"},\"geometry\":{\"type\":\"Point\","
                 "\"coordinates\":[%.3f,%.3f]}}",
                 i ? "," : "", i, x, y);
    }
    st = cat(st, &len, &cap, "]}");
    const char *s = svt_write("twice_stations.geojson", st);
    free(st);
    const char *d = svt_write(
        "twice_districts.geojson",
        "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
        "{\"type\":\"Feature\",\"properties\":{\"district_id\":\"w\"},\"geometry\":{\"type\":\"Polygon\","
        "\"coordinates\":[[[500000,4700000],[501000,4700000],[501000,4702000],[500000,4702000],[500000,4700000]]]}},"
        "{\"type\":\"Feature\",\"properties\":{\"district_id\":\"e\"},\"geometry\":{\"type\":\"Polygon\","
        "\"coordinates\":[[[501000,4700000],[502000,4700000],[502000,4702000],[501000,4702000],[501000,4700000]]]}}]}");
    const char *cells = svt_path("twice.sqlite"), *whole = svt_path("twice_whole.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--radius", "300,700", "--out", cells, "-q");
    SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--radius", "300,700", "--method", "union", "--out",
               whole, "-q");
    sqlite3 *db = same_as_union(cells, whole);
    for (int c = 0; c <= 3; c++)
        assert_true(svt_db_double(db, "SELECT sum(area_m2) FROM district_redundancy WHERE n_cover = %d", c) > 1e3);
    assert_true(svt_db_int(db, "SELECT count(*) FROM critical_stations WHERE area_lost_m2 > 0") > 3);
    sqlite3_close(db);
}

static void test_errors(void **state)
{
    (void)state;
    const char *d = svt_write("districts_e.geojson", districts_pop);
    const char *s = svt_write("stations_e.geojson", centre_station);
    const char *out = svt_path("err.sqlite");
    /* a field that is not there: the fields are listed */
    SVT_EXPECT(1, "analyze", "--stations", s, "--districts", d, "--radius", "500", "--population-field", "people",
               "--out", out, "-q");
    SVT_ERR_HAS("no field 'people'");
    SVT_ERR_HAS("population");
    assert_false(svt_exists(out));
    /* population polygons without a field */
    SVT_EXPECT(2, "analyze", "--stations", s, "--districts", d, "--radius", "500", "--population", d, "--out", out,
               "-q");
    SVT_ERR_HAS("--population-field");
    /* two sources of people */
    SVT_EXPECT(2, "analyze", "--stations", s, "--districts", d, "--radius", "500", "--population-field", "population",
               "--population-raster", d, "--out", out, "-q");
    SVT_ERR_HAS("one way");
    /* not a raster */
    SVT_EXPECT(1, "analyze", "--stations", s, "--districts", d, "--radius", "500", "--population-raster", d, "--out",
               out, "-q");
    SVT_ERR_HAS("cannot open as a raster");
    /* --strict: the bad population values stop the run */
    SVT_EXPECT(1, "analyze", "--stations", s, "--districts", d, "--radius", "500", "--population-field",
               "population", "--strict", "--out", out, "-q");
    SVT_ERR_HAS("txt");
    assert_false(svt_exists(out));
}

int main(int argc, char **argv)
{
    static const svt_group groups[] = {
        {"unit", cmocka_unit_test(test_surface_areal_and_points)},
        {"unit", cmocka_unit_test(test_dasymetric)},
        {"unit", cmocka_unit_test(test_gini_and_quantiles)},
        {"unit", cmocka_unit_test(test_redundancy_two_circles)},
        {"field", cmocka_unit_test(test_field_two_stations)},
        {"field", cmocka_unit_test(test_fairness)},
        {"field", cmocka_unit_test(test_categories)},
        {"field", cmocka_unit_test(test_network_responsibility)},
        {"raster", cmocka_unit_test(test_raster)},
        {"buildings", cmocka_unit_test(test_buildings)},
        {"buildings", cmocka_unit_test(test_overlap)},
        {"errors", cmocka_unit_test(test_errors)},
        {"cells", cmocka_unit_test(test_redundancy_cells)},
        {"cells", cmocka_unit_test(test_redundancy_cells_twice)},
    };
    return svt_run_groups(argc, argv, "people", groups, sizeof groups / sizeof groups[0], group_setup,
                          group_teardown);
}
