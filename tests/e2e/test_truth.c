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
#include "svfixtures.h"


/* A 2 km square in UTM 31N and a station in its centre. */
static const char *square = SVT_SQUARE_DISTRICT;

static const char *centre = SVT_CENTRE_STATION;

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
 * reach in); e1 2530 m east of it (its 30 minutes, 2500 m, end 30 m short
 * of the edge: within --trim 50, so its area meets the square); x1 2560 m
 * east (60 m short: never). */
static const char *street_stations =
    "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"c1\"},"
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[500000,4700010]}},"
    "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"w1\"},"
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[498200,4700000]}},"
    "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"e1\"},"
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[503530,4700000]}},"
    "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"x1\"},"
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[503560,4700000]}}]}";

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
    /* 10 min walk (833 m): c1 and w1; 30 min (2.5 km): e1 too, not x1 */
    assert_int_equal(svt_db_int(a, q, 10), 2);
    assert_int_equal(svt_db_int(b, q, 10), 2);
    assert_int_equal(svt_db_int(a, q, 30), 3);
    assert_int_equal(svt_db_int(b, q, 30), 3);
    assert_int_equal(svt_db_int(b, "SELECT count(*) FROM service_areas"), 0);
    assert_int_equal(svt_db_int(a, "SELECT count(*) FROM service_areas"), 8);
    /* the stored areas say the same: e1's 30-minute area meets the square, x1's does not */
    assert_int_equal(sqlite3_enable_load_extension(a, 1), SQLITE_OK);
    assert_int_equal(sqlite3_exec(a, "SELECT load_extension('mod_spatialite')", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(svt_db_int(a, "SELECT count(*) FROM service_areas s, districts d WHERE s.minutes = 30 "
                                   "AND ST_Intersects(s.geom, d.geom)"),
                     3);
    sqlite3_close(a);
    sqlite3_close(b);
}

/* ---- item 10: no silent surprises ---- */

static void test_where_matching_no_station_warns_and_strict_fails(void **state)
{
    (void)state;
    const char *d = svt_write("w_districts.geojson", square);
    const char *s = svt_write("w_stations.geojson", centre);
    const char *out = svt_path("w.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--where", "category = 'bakery'", "--radius", "500",
               "--out", out, "-q");
    SVT_ERR_HAS("warning:");
    SVT_ERR_HAS("--where \"category = 'bakery'\" matches no station");
    SVT_EXPECT(1, "analyze", "--stations", s, "--districts", d, "--where", "category = 'bakery'", "--radius", "500",
               "--strict", "--out", svt_path("w_strict.sqlite"), "-q");
    SVT_ERR_HAS("matches no station");
    assert_false(svt_exists(svt_path("w_strict.sqlite")));
    /* a filter that matches says nothing */
    SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--where", "category = 'clinic'", "--radius", "500",
               "--out", out, "-q");
    assert_null(strstr(svt_last.err, "matches no station"));
}

/* Two stations with one id are kept apart ("c1#2", with an issue); two
 * districts with one id are refused (exit 2) naming both features. */
static void test_duplicate_ids_stations_kept_apart_districts_refused(void **state)
{
    (void)state;
    const char *twins =
        "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
        "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"c1\"},"
        "\"geometry\":{\"type\":\"Point\",\"coordinates\":[500000,4700000]}},"
        "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"c1\"},"
        "\"geometry\":{\"type\":\"Point\",\"coordinates\":[500500,4700000]}}]}";
    const char *halves =
        "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
        "{\"type\":\"Feature\",\"properties\":{\"district_id\":\"h\",\"code\":\"west\"},"
        "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[499000,4699000],[500000,4699000],"
        "[500000,4701000],[499000,4701000],[499000,4699000]]]}},"
        "{\"type\":\"Feature\",\"properties\":{\"district_id\":\"h\",\"code\":\"east\"},"
        "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[500000,4699000],[501000,4699000],"
        "[501000,4701000],[500000,4701000],[500000,4699000]]]}}]}";
    const char *d = svt_write("u_districts.geojson", square);
    const char *s = svt_write("u_stations.geojson", twins);
    const char *h = svt_write("u_halves.geojson", halves);
    const char *out = svt_path("u.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--radius", "500", "--out", out, "-q");
    SVT_ERR_HAS("shares its station id with fid 0: kept apart as 'c1#2'");
    sqlite3 *db = svt_db_open(out);
    assert_string_equal(svt_db_text(db, "SELECT group_concat(station_id, ' ') FROM stations"), "c1 c1#2");
    assert_int_equal(svt_db_int(db, "SELECT count(DISTINCT station_id) FROM service_areas"), 2);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM issues WHERE feature_id = 'c1' AND action = 'repaired' "
                                    "AND problem LIKE '%%kept apart as ''c1#2''%%'"),
                     1);
    sqlite3_close(db);
    SVT_EXPECT(1, "analyze", "--stations", s, "--districts", d, "--radius", "500", "--strict", "--out", out, "-q");
    SVT_ERR_HAS("station id 'c1' is used by features 0 and 1");
    SVT_EXPECT(2, "analyze", "--stations", s, "--districts", h, "--radius", "500", "--out", out, "-q");
    SVT_ERR_HAS("u_halves.geojson: layer 'u_halves': district id 'h' is used by features 0 and 1");
    SVT_ERR_HAS("--district-id FIELD");
    /* the hint works */
    SVT_EXPECT(0, "analyze", "--stations", s, "--districts", h, "--district-id", "code", "--radius", "500", "--out",
               out, "-q");
}

/* A district without people is measured, its people are NULL, and the
 * city's people are the other districts' (said in the issue and the
 * summary); when no district has people the city's are NULL, not 0. */
static void test_null_population_district_kept_city_counts_the_others(void **state)
{
    (void)state;
    const char *halves =
        "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
        "{\"type\":\"Feature\",\"properties\":{\"district_id\":\"w\",\"population\":1000},"
        "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[499000,4699000],[500000,4699000],"
        "[500000,4701000],[499000,4701000],[499000,4699000]]]}},"
        "{\"type\":\"Feature\",\"properties\":{\"district_id\":\"e\",\"population\":null},"
        "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[500000,4699000],[501000,4699000],"
        "[501000,4701000],[500000,4701000],[500000,4699000]]]}}]}";
    const char *none =
        "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
        "{\"type\":\"Feature\",\"properties\":{\"district_id\":\"sq\",\"population\":null},"
        "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[499000,4699000],[501000,4699000],"
        "[501000,4701000],[499000,4701000],[499000,4699000]]]}}]}";
    const char *d = svt_write("p_halves.geojson", halves);
    const char *d0 = svt_write("p_none.geojson", none);
    const char *s = svt_write("p_stations.geojson", centre);
    const char *out = svt_path("p.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--population-field", "population", "--radius",
               "500", "--out", out);
    SVT_ERR_HAS("feature e has no population value (NULL): population unknown (NULL); the district is measured, "
                "and the city's people count the other districts only");
    SVT_ERR_HAS("kept it");
    SVT_OUT_HAS("1 district with unknown people (see issues) is measured but left out of the people above");
    sqlite3 *db = svt_db_open(out);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM district_coverage"), 2);
    assert_int_equal(svt_db_int(db, "SELECT pop_total IS NULL FROM district_coverage WHERE district_id = 'e'"), 1);
    assert_float_equal(svt_db_double(db, "SELECT pop_total FROM city_coverage"), 1000.0, 1e-9);
    assert_string_equal(svt_db_text(db, "SELECT action FROM issues WHERE feature_id = 'e'"), "repaired");
    sqlite3_close(db);
    SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d0, "--population-field", "population", "--radius",
               "500", "--out", out, "-q");
    db = svt_db_open(out);
    assert_int_equal(svt_db_int(db, "SELECT pop_total IS NULL AND pop_covered IS NULL FROM city_coverage"), 1);
    sqlite3_close(db);
}

/* --set minutes=15 on a database without a 15-minute break is a usage
 * error naming the breaks it has, not 0 rows. */
static void test_query_break_the_database_does_not_have(void **state)
{
    (void)state;
    const char *d = svt_write("q_districts.geojson", square);
    const char *s = svt_write("q_stations.geojson", centre);
    const char *out = svt_path("q.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--minutes", "5,10", "--out", out, "-q");
    SVT_EXPECT(2, "query", "--db", out, "below_target", "--set", "minutes=15");
    SVT_ERR_HAS("has no 15-minute break; its breaks: 5 min, 10 min");
    assert_string_equal(svt_last.out, "");
    SVT_EXPECT(0, "query", "--db", out, "below_target", "--set", "minutes=10", "--set", "target=101");
    SVT_OUT_HAS("(1 row)");
}

/* ---- item 11: what is printed must be true ---- */

/* Off a terminal every stage is printed once, at the end, and the stage
 * lines add up to the total (the coverage of each category is one line
 * under "categories", not one line per category). */
static void test_stage_times_once_and_add_up_to_the_total(void **state)
{
    (void)state;
    const char *three =
        "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
        "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"a\",\"category\":\"clinic\"},"
        "\"geometry\":{\"type\":\"Point\",\"coordinates\":[499500,4700000]}},"
        "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"b\",\"category\":\"water\"},"
        "\"geometry\":{\"type\":\"Point\",\"coordinates\":[500500,4700000]}},"
        "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"c\",\"category\":\"toilets\"},"
        "\"geometry\":{\"type\":\"Point\",\"coordinates\":[500000,4700500]}}]}";
    const char *d = svt_write("t_districts.geojson", square);
    const char *s = svt_write("t_stations.geojson", three);
    SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--minutes", "10,15", "--out",
               svt_path("t.sqlite"));
    char names[64][128];
    double sum = 0, total = -1;
    int n = 0;
    for (char *line = svt_last.err; line && *line;) {
        char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        char buf[512];
        snprintf(buf, sizeof buf, "%.*s", (int)len, line);
        line = nl ? nl + 1 : NULL;
        /* "NAME   1.23 s" (the name may hold spaces and '>') */
        char *sec = strstr(buf, " s");
        if (!sec || strstr(buf, "warning"))
            continue;
        char *num = sec;
        while (num > buf && num[-1] != ' ')
            num--;
        double v = strtod(num, NULL);
        while (num > buf && num[-1] == ' ')
            num--;
        *num = '\0';
        if (strcmp(buf, "total") == 0) {
            total = v;
            continue;
        }
        for (int k = 0; k < n; k++)
            if (strcmp(names[k], buf) == 0)
                fail_msg("stage '%s' printed twice:\n%s", buf, svt_last.err);
        assert_true(n < 64);
        snprintf(names[n++], sizeof names[0], "%s", buf);
        sum += v;
    }
    assert_true(total >= 0);
    int seen_cov = 0, seen_cat = 0, seen_other = 0;
    for (int k = 0; k < n; k++) {
        seen_cov += strcmp(names[k], "coverage") == 0;
        seen_cat += strcmp(names[k], "people > categories > coverage") == 0;
        seen_other += strcmp(names[k], "other") == 0;
    }
    assert_int_equal(seen_cov, 1);
    assert_int_equal(seen_cat, 1);
    assert_int_equal(seen_other, 1);
    /* each line is rounded to 0.01 s */
    if (!(fabs(sum - total) <= 0.005 * (n + 1) + 1e-9))
        fail_msg("stage lines add up to %.2f s, the total is %.2f s:\n%s", sum, total, svt_last.err);
    assert_null(strstr(svt_last.err, "done in"));
}

/* A station whose places all lie outside the districts gets no
 * responsibility row (it used to get NULL area, 0 people, n_points > 0);
 * places outside the districts are not counted for anyone. */
static void test_responsibility_rows_only_for_places_inside_districts(void **state)
{
    (void)state;
    const char *two =
        "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
        "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"in\"},"
        "\"geometry\":{\"type\":\"Point\",\"coordinates\":[500000,4700000]}},"
        "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"far\"},"
        "\"geometry\":{\"type\":\"Point\",\"coordinates\":[506000,4700000]}}]}";
    const char *dem =
        "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
        "{\"type\":\"Feature\",\"properties\":{\"demand_id\":\"i1\"},"
        "\"geometry\":{\"type\":\"Point\",\"coordinates\":[500200,4700200]}},"
        "{\"type\":\"Feature\",\"properties\":{\"demand_id\":\"o1\"},"
        "\"geometry\":{\"type\":\"Point\",\"coordinates\":[506100,4700000]}},"
        "{\"type\":\"Feature\",\"properties\":{\"demand_id\":\"o2\"},"
        "\"geometry\":{\"type\":\"Point\",\"coordinates\":[501500,4700000]}}]}";
    const char *d = svt_write("x_districts.geojson", square);
    const char *s = svt_write("x_stations.geojson", two);
    const char *m = svt_write("x_demand.geojson", dem);
    const char *out = svt_path("x.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--demand", m, "--radius", "500", "--out", out, "-q");
    sqlite3 *db = svt_db_open(out);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM responsibility"), 1);
    assert_string_equal(svt_db_text(db, "SELECT station_id FROM responsibility"), "in");
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM responsibility WHERE area_m2 IS NULL"), 0);
    /* i1 only: o2 is nearest to "in" but outside the square */
    assert_int_equal(svt_db_int(db, "SELECT n_points FROM responsibility"), 1);
    assert_float_equal(svt_db_double(db, "SELECT area_m2 FROM responsibility"), 4e6, 1e-3);
    sqlite3_close(db);
}

/* A self-intersection is located in the analysis CRS and in the file's own
 * coordinates (here lon/lat). */
static void test_self_intersection_located_in_source_coordinates(void **state)
{
    (void)state;
    const char *bowtie =
        "{\"type\":\"FeatureCollection\",\"features\":["
        "{\"type\":\"Feature\",\"properties\":{\"district_id\":\"bt\"},\"geometry\":{\"type\":\"Polygon\","
        "\"coordinates\":[[[1.50,42.50],[1.52,42.52],[1.52,42.50],[1.50,42.52],[1.50,42.50]]]}}]}";
    const char *st =
        "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{\"station_id\":\"c1\"},"
        "\"geometry\":{\"type\":\"Point\",\"coordinates\":[1.51,42.51]}}]}";
    const char *d = svt_write("l_districts.geojson", bowtie);
    const char *s = svt_write("l_stations.geojson", st);
    const char *out = svt_path("l.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--radius", "500", "--out", out, "-q");
    sqlite3 *db = svt_db_open(out);
    const char *p = svt_db_text(db, "SELECT problem FROM issues WHERE feature_id = 'bt'");
    /* the crossing of the two diagonals: 1.51 E, 42.51 N (0.2 m off in
     * latitude, where the projected straight edges cross) */
    if (!strstr(p, "Self-intersection at 377590.") || !strstr(p, "in EPSG:32631 = 1.5100000 42.51000") ||
        !strstr(p, "in the source's EPSG:4326"))
        fail_msg("issue: %s", p);
    sqlite3_close(db);
}

int main(int argc, char **argv)
{
    static const svt_group groups[] = {
        {"breaks", cmocka_unit_test(test_same_break_in_analyze_and_site)},
        {"breaks", cmocka_unit_test(test_repeated_break_merged_with_warning)},
        {"reach", cmocka_unit_test(test_network_reach_count_without_service_areas)},
        {"silent", cmocka_unit_test(test_where_matching_no_station_warns_and_strict_fails)},
        {"silent", cmocka_unit_test(test_duplicate_ids_stations_kept_apart_districts_refused)},
        {"silent", cmocka_unit_test(test_null_population_district_kept_city_counts_the_others)},
        {"silent", cmocka_unit_test(test_query_break_the_database_does_not_have)},
        {"printed", cmocka_unit_test(test_stage_times_once_and_add_up_to_the_total)},
        {"printed", cmocka_unit_test(test_responsibility_rows_only_for_places_inside_districts)},
        {"printed", cmocka_unit_test(test_self_intersection_located_in_source_coordinates)},
    };
    return svt_run_groups(argc, argv, "truth", groups, sizeof groups / sizeof groups[0], group_setup,
                          group_teardown);
}
