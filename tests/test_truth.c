/* test_truth.c - what svcov stores and prints must be true (issue 11, items
 * 8-11): one meaning per break in analyze and site, the network reach count
 * under every flag, warnings instead of silent surprises, stage times that
 * add up, explained responsibility rows, issue locations in the source CRS.
 *
 * Usage: test_truth GROUP  (breaks, reach, silent, printed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "svtest.h"

#define CRS_32631 "\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"urn:ogc:def:crs:EPSG::32631\"}},"

/* A 2 km square in UTM 31N and a station in its centre. */
static const char *square =
    "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"district_id\":\"sq\",\"name\":\"Square\"},"
    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[499000,4699000],[501000,4699000],"
    "[501000,4701000],[499000,4701000],[499000,4699000]]]}}]}";

static const char *centre =
    "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"c1\",\"name\":\"Centre\",\"category\":\"clinic\"},"
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[500000,4700000]}}]}";

static const char *homes =
    "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"demand_id\":\"h1\",\"weight\":2},"
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[499500,4699500]}},"
    "{\"type\":\"Feature\",\"properties\":{\"demand_id\":\"h2\",\"weight\":3},"
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[500500,4700500]}}]}";

static int group_setup(void **state)
{
    (void)state;
    return svt_make_dir("truth");
}

static int group_teardown(void **state)
{
    (void)state;
    svt_run_free();
    svt_remove_dir();
    return 0;
}

/* ---- item 9: one meaning per break ---- */

/* analyze and site with the same flags store the same mode, minutes and
 * radius: --speed replaces the mode's speed, so the mode is "custom". */
static void test_same_break_in_analyze_and_site(void **state)
{
    (void)state;
    const char *d = svt_write("b_districts.geojson", square);
    const char *s = svt_write("b_stations.geojson", centre);
    const char *dem = svt_write("b_homes.geojson", homes);
    const char *an = svt_path("b_analyze.sqlite"), *si = svt_path("b_site.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--minutes", "10", "--speed", "12", "--out", an,
               "-q");
    SVT_EXPECT(0, "site", "--demand", dem, "--districts", d, "--grid", "500", "--minutes", "10", "--speed", "12",
               "--model", "mclp", "--k", "1", "--out", si, "-q");
    sqlite3 *a = svt_db_open(an), *b = svt_db_open(si);
    assert_string_equal(svt_db_text(a, "SELECT mode FROM district_coverage"), "custom");
    assert_string_equal(svt_db_text(b, "SELECT mode FROM site_runs"), "custom");
    assert_string_equal(svt_db_text(a, "SELECT mode FROM runs"), "custom");
    assert_float_equal(svt_db_double(a, "SELECT speed_kmh FROM runs"), 12.0, 0);
    /* 12 km/h x 10 min = 2000 m */
    assert_float_equal(svt_db_double(a, "SELECT radius_m FROM district_coverage"), 2000.0, 1e-9);
    assert_float_equal(svt_db_double(b, "SELECT radius_m FROM site_runs"), 2000.0, 1e-9);
    assert_float_equal(svt_db_double(a, "SELECT minutes FROM district_coverage"), 10.0, 0);
    assert_float_equal(svt_db_double(b, "SELECT minutes FROM site_runs"), 10.0, 0);
    sqlite3_close(a);
    sqlite3_close(b);
    /* the mode's own speed keeps the mode's name, in both */
    SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--minutes", "10", "--mode", "bike", "--detour",
               "1.25", "--out", an, "-q");
    SVT_EXPECT(0, "site", "--demand", dem, "--districts", d, "--grid", "500", "--minutes", "10", "--mode", "bike",
               "--detour", "1.25", "--model", "mclp", "--k", "1", "--out", si, "-q");
    a = svt_db_open(an);
    b = svt_db_open(si);
    assert_string_equal(svt_db_text(a, "SELECT mode FROM district_coverage"), "bike");
    assert_string_equal(svt_db_text(b, "SELECT mode FROM site_runs"), "bike");
    assert_float_equal(svt_db_double(a, "SELECT radius_m FROM district_coverage"), 2000.0, 1e-9);
    assert_float_equal(svt_db_double(b, "SELECT radius_m FROM site_runs"), 2000.0, 1e-9);
    sqlite3_close(a);
    sqlite3_close(b);
}

/* --minutes 10,10 is one break: one row per district, and a warning. */
static void test_repeated_break_merged_with_warning(void **state)
{
    (void)state;
    const char *d = svt_write("r_districts.geojson", square);
    const char *s = svt_write("r_stations.geojson", centre);
    const char *out = svt_path("r.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--minutes", "15,10,10", "--out", out, "-q");
    SVT_ERR_HAS("warning: --minutes: 10 given more than once");
    sqlite3 *db = svt_db_open(out);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM district_coverage"), 2);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM district_coverage WHERE minutes = 10"), 1);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM city_coverage"), 2);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM service_areas"), 2);
    assert_string_equal(svt_db_text(db, "SELECT minutes FROM runs"), "10,15");
    sqlite3_close(db);
    SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--radius", "500,500", "--out", out, "-q");
    SVT_ERR_HAS("warning: --radius: 500 given more than once");
    db = svt_db_open(out);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM district_coverage"), 1);
    sqlite3_close(db);
}

/* ---- item 8: the network reach count ---- */

/* A street along the square's middle, from 2 km west to 3 km east of it. */
static const char *street =
    "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"highway\":\"residential\"},"
    "\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[497000,4700000],[498000,4700000],"
    "[499000,4700000],[500000,4700000],[501000,4700000],[502000,4700000],[503000,4700000],[504000,4700000]]}}]}";

/* c1 in the square; w1 800 m west of its edge (its 10 minutes, 833 m,
 * reach in); e1 2.5 km east of it (reaches nothing of it). */
static const char *street_stations =
    "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"c1\"},"
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[500000,4700010]}},"
    "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"w1\"},"
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[498200,4700000]}},"
    "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"e1\"},"
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[503500,4700000]}}]}";

/* n_stations_reaching in network mode is the same with and without
 * --no-service-areas (it used to be 0 for every district without them). */
static void test_network_reach_count_without_service_areas(void **state)
{
    (void)state;
    const char *d = svt_write("n_districts.geojson", square);
    const char *s = svt_write("n_stations.geojson", street_stations);
    const char *r = svt_write("n_roads.geojson", street);
    const char *with = svt_path("n_with.sqlite"), *without = svt_path("n_without.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--network", r, "--minutes", "10,30", "--out", with,
               "-q");
    SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--network", r, "--minutes", "10,30",
               "--no-service-areas", "--out", without, "-q");
    sqlite3 *a = svt_db_open(with), *b = svt_db_open(without);
    const char *q = "SELECT n_stations_reaching FROM district_coverage WHERE minutes = %d";
    /* 10 min walk (833 m): c1 and w1; 30 min (2.5 km): e1 too */
    assert_int_equal(svt_db_int(a, q, 10), 2);
    assert_int_equal(svt_db_int(b, q, 10), 2);
    assert_int_equal(svt_db_int(a, q, 30), 3);
    assert_int_equal(svt_db_int(b, q, 30), 3);
    assert_int_equal(svt_db_int(b, "SELECT count(*) FROM service_areas"), 0);
    assert_int_equal(svt_db_int(a, "SELECT count(*) FROM service_areas"), 6);
    sqlite3_close(a);
    sqlite3_close(b);
}

int main(int argc, char **argv)
{
    static const svt_group groups[] = {
        {"breaks", cmocka_unit_test(test_same_break_in_analyze_and_site)},
        {"breaks", cmocka_unit_test(test_repeated_break_merged_with_warning)},
        {"reach", cmocka_unit_test(test_network_reach_count_without_service_areas)},
    };
    return svt_run_groups(argc, argv, "truth", groups, sizeof groups / sizeof groups[0], group_setup,
                          group_teardown);
}
