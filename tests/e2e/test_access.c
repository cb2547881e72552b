/* test_access.c - capacity-aware access (--capacity-field, --access
 * 2sfca|e2sfca) on a case computed by hand, in circle and network mode;
 * coverage by time of day (--hours-field, --at) against separate runs with
 * only the open stations; and the bad inputs of both. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "svtest.h"

#define CRS_32631 "\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"urn:ogc:def:crs:EPSG::32631\"}},"

/* The hand-made case, on the line y = 4700000 (metres, UTM 31N):
 *
 *   x:      499500   499700   500000   500300   500750        502000
 *           d1 (100) A (10)   d2 (50)  B (20)   d3 (200)      C (5)
 *
 * Stations A, B, C with capacity 10, 20, 5; demand d1, d2, d3 with weight
 * 100, 50, 200; one district (the 2 km square around 500000, 4700000) holds
 * all three demand points and A and B; C lies east of it. Distances:
 * A-d1 200, A-d2 300, A-d3 1050; B-d1 800, B-d2 300, B-d3 450; C-d3 1250.
 *
 * 2SFCA, 500 m: A reaches d1, d2: demand 150, R_A = 10/150 = 1/15.
 *               B reaches d2, d3: demand 250, R_B = 20/250 = 0.08.
 *               C reaches nothing: demand 0, no ratio.
 *               A_d1 = 1/15, A_d2 = 1/15 + 0.08, A_d3 = 0.08;
 *               index = 1000 (100/15 + 50 (1/15 + 0.08) + 200 x 0.08) / 350
 *                     = 1000 x 30 / 350 = 85.714285...
 *               (the 30 units of capacity within reach of someone, per
 *               1,000 of the 350 people: 2SFCA shares out all of it).
 * 2SFCA, 1000 m: A reaches d1, d2 (d3 is 1050 away): R_A = 1/15;
 *               B reaches all three: demand 350, R_B = 20/350 = 2/35;
 *               A_d1 = A_d2 = 1/15 + 2/35 = 0.1238095..., A_d3 = 2/35;
 *               index = 1000 (150 (1/15 + 2/35) + 200 x 2/35) / 350 = 85.714...
 *               median (weighted): d3 holds 200 of 350 > half, so 1000 x 2/35
 *               = 57.142857...; p90: 123.809523...; below --min-access 60:
 *               d3, 200/350 = 57.142857 %.
 * E2SFCA linear, 1000 m (W = 1 - d/1000):
 *               A: 100 x 0.8 + 50 x 0.7 = 115, R_A = 10/115;
 *               B: 100 x 0.2 + 50 x 0.7 + 200 x 0.55 = 165, R_B = 20/165;
 *               A_d1 = 0.8 R_A + 0.2 R_B, A_d2 = 0.7 R_A + 0.7 R_B,
 *               A_d3 = 0.55 R_B. */
static const char *stations_abc =
    "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"A\",\"cap\":10},"
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[499700,4700000]}},"
    "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"B\",\"cap\":20},"
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[500300,4700000]}},"
    "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"C\",\"cap\":5},"
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[502000,4700000]}}]}";

static const char *demand_3 =
    "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"demand_id\":\"d1\",\"weight\":100},"
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[499500,4700000]}},"
    "{\"type\":\"Feature\",\"properties\":{\"demand_id\":\"d2\",\"weight\":50},"
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[500000,4700000]}},"
    "{\"type\":\"Feature\",\"properties\":{\"demand_id\":\"d3\",\"weight\":200},"
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[500750,4700000]}}]}";

static const char *square =
    "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"district_id\":\"sq\",\"name\":\"Square\",\"population\":1000},"
    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[499000,4699000],[501000,4699000],"
    "[501000,4701000],[499000,4701000],[499000,4699000]]]}}]}";

/* One footway along the line, from 499000 to 502000: along it the
 * distances are the same as in straight lines. */
static const char *street =
    "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"highway\":\"footway\"},"
    "\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[499000,4700000],[499500,4700000],[500000,4700000],"
    "[500500,4700000],[501000,4700000],[501500,4700000],[502000,4700000]]}}]}";

static int group_setup(void **state)
{
    (void)state;
    return svt_make_dir("access");
}

static int group_teardown(void **state)
{
    (void)state;
    svt_run_free();
    svt_remove_dir();
    return 0;
}

static void assert_rel(const char *what, double got, double want, double tol)
{
    if (!(fabs(got - want) <= tol * fmax(fabs(want), 1e-300)))
        fail_msg("%s: %.17g, expected %.17g", what, got, want);
}

static double ratio(sqlite3 *db, const char *st, double r)
{
    return svt_db_double(db, "SELECT ratio FROM station_load WHERE station_id = '%s' AND radius_m = %g", st, r);
}

static double dwithin(sqlite3 *db, const char *st, double r)
{
    return svt_db_double(db, "SELECT demand_within FROM station_load WHERE station_id = '%s' AND radius_m = %g", st,
                         r);
}

static double dacc(sqlite3 *db, const char *col, const char *district, double r)
{
    if (!district)
        return svt_db_double(db, "SELECT %s FROM district_access WHERE district_id IS NULL AND radius_m = %g", col, r);
    return svt_db_double(db, "SELECT %s FROM district_access WHERE district_id = '%s' AND radius_m = %g", col,
                         district, r);
}

/* The numbers of the comment above, for either mode. */
static void check_hand(const char *out)
{
    sqlite3 *db = svt_db_open(out);
    assert_rel("R_A 500", ratio(db, "A", 500), 10.0 / 150, 1e-12);
    assert_rel("R_B 500", ratio(db, "B", 500), 20.0 / 250, 1e-12);
    assert_true(isnan(ratio(db, "C", 500))); /* no demand within reach: NULL */
    assert_true(dwithin(db, "C", 500) == 0);
    assert_true(isnan(ratio(db, "C", 1000)));
    assert_rel("demand within A 500", dwithin(db, "A", 500), 150, 1e-12);
    assert_rel("demand within B 1000", dwithin(db, "B", 1000), 350, 1e-12);
    assert_rel("R_A 1000", ratio(db, "A", 1000), 10.0 / 150, 1e-12);
    assert_rel("R_B 1000", ratio(db, "B", 1000), 20.0 / 350, 1e-12);
    assert_rel("load of B 1000", svt_db_double(db, "SELECT demand_per_capacity FROM station_load WHERE station_id = "
                                                   "'B' AND radius_m = 1000"), 350.0 / 20, 1e-12);
    assert_rel("index 500", dacc(db, "access_index", "sq", 500), 1000.0 * 30 / 350, 1e-12);
    assert_rel("index 1000", dacc(db, "access_index", "sq", 1000), 1000.0 * 30 / 350, 1e-12);
    assert_rel("median 1000", dacc(db, "median", "sq", 1000), 1000.0 * 2 / 35, 1e-12);
    assert_rel("p90 1000", dacc(db, "p90", "sq", 1000), 1000.0 * (1.0 / 15 + 2.0 / 35), 1e-12);
    assert_rel("p10 500", dacc(db, "p10", "sq", 500), 1000.0 / 15, 1e-12);
    assert_rel("below 60 at 1000", dacc(db, "pop_below_pct", "sq", 1000), 100.0 * 200 / 350, 1e-12);
    assert_rel("below 60 at 500", dacc(db, "pop_below_pct", "sq", 500), 0, 1e-12);
    assert_rel("people", dacc(db, "pop_total", "sq", 500), 350, 1e-12);
    assert_int_equal(svt_db_int(db, "SELECT n_points FROM district_access WHERE district_id = 'sq' AND radius_m = 500"),
                     3);
    assert_rel("city index", dacc(db, "access_index", NULL, 1000), 1000.0 * 30 / 350, 1e-12);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM station_load"), 6);
    assert_string_equal(svt_db_text(db, "SELECT access_method FROM runs"), "2sfca");
    assert_string_equal(svt_db_text(db, "SELECT capacity_field FROM runs"), "cap");
    assert_string_equal(svt_db_text(db, "SELECT access_demand FROM runs"), "demand points");
    assert_rel("min_access", svt_db_double(db, "SELECT min_access FROM runs"), 60, 0);
    sqlite3_close(db);
}

static void check_linear(const char *out)
{
    sqlite3 *db = svt_db_open(out);
    double RA = 10.0 / 115, RB = 20.0 / 165;
    assert_rel("R_A linear", ratio(db, "A", 1000), RA, 1e-12);
    assert_rel("R_B linear", ratio(db, "B", 1000), RB, 1e-12);
    double a1 = 0.8 * RA + 0.2 * RB, a2 = 0.7 * RA + 0.7 * RB, a3 = 0.55 * RB;
    assert_rel("index linear", dacc(db, "access_index", "sq", 1000), 1000 * (100 * a1 + 50 * a2 + 200 * a3) / 350,
               1e-12);
    /* 500 m: A d1 0.6, d2 0.4: 60 + 20 = 80; B d2 0.4, d3 0.1: 20 + 20 = 40 */
    assert_rel("R_A linear 500", ratio(db, "A", 500), 10.0 / 80, 1e-12);
    assert_rel("R_B linear 500", ratio(db, "B", 500), 20.0 / 40, 1e-12);
    assert_string_equal(svt_db_text(db, "SELECT access_method || ' ' || access_decay FROM runs"), "e2sfca linear");
    sqlite3_close(db);
}

static void test_hand_circles(void **state)
{
    (void)state;
    const char *st = svt_write("abc.geojson", stations_abc), *dm = svt_write("d3.geojson", demand_3),
               *ds = svt_write("sq.geojson", square);
    const char *out = svt_path("hand.sqlite"), *lin = svt_path("hand_linear.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", st, "--districts", ds, "--radius", "500,1000", "--demand", dm,
               "--capacity-field", "cap", "--access", "2sfca", "--min-access", "60", "--out", out);
    SVT_OUT_HAS("Access (2sfca; tables station_load, district_access) within 500 m: 85.714 units of capacity per "
                "1,000 people; the most loaded station: A, 15.0 demand per unit of capacity");
    check_hand(out);
    SVT_EXPECT(0, "analyze", "--stations", st, "--districts", ds, "--radius", "500,1000", "--demand", dm,
               "--capacity-field", "cap", "--access", "e2sfca", "--decay", "linear", "--out", lin, "-q");
    check_linear(lin);
    /* the Gaussian of Dai (2010) at 500 m: W(200) for A-d1 and so on */
    const char *gau = svt_path("hand_gauss.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", st, "--districts", ds, "--radius", "500", "--demand", dm,
               "--capacity-field", "cap", "--access", "e2sfca", "--out", gau, "-q");
    sqlite3 *db = svt_db_open(gau);
    double e = exp(-0.5);
#define G(d) ((exp(-0.5 * (d) * (d) / (500.0 * 500.0)) - e) / (1 - e))
    assert_rel("R_A gaussian", ratio(db, "A", 500), 10 / (100 * G(200) + 50 * G(300)), 1e-12);
    assert_rel("R_B gaussian", ratio(db, "B", 500), 20 / (50 * G(300) + 200 * G(450)), 1e-12);
    assert_string_equal(svt_db_text(db, "SELECT access_decay FROM runs"), "gaussian");
    sqlite3_close(db);
#undef G
    /* Luo & Qi's zones at 1000 m: W = 1 to 333.3 m, 0.68 to 666.7 m, 0.22 to 1000 m.
     * A: d1 (200) 1, d2 (300) 1: 150, R_A = 10/150.
     * B: d1 (800) 0.22, d2 (300) 1, d3 (450) 0.68: 22 + 50 + 136 = 208, R_B = 20/208.
     * A_d3 = 0.68 R_B (A is 1050 m away). */
    const char *step = svt_path("hand_step.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", st, "--districts", ds, "--radius", "1000", "--demand", dm,
               "--capacity-field", "cap", "--access", "e2sfca", "--decay", "step", "--out", step, "-q");
    db = svt_db_open(step);
    assert_rel("R_A step", ratio(db, "A", 1000), 10.0 / 150, 1e-12);
    assert_rel("R_B step", ratio(db, "B", 1000), 20.0 / 208, 1e-12);
    double s1 = 10.0 / 150 + 0.22 * 20.0 / 208, s2 = 10.0 / 150 + 20.0 / 208, s3 = 0.68 * 20.0 / 208;
    assert_rel("index step", dacc(db, "access_index", "sq", 1000), 1000 * (100 * s1 + 50 * s2 + 200 * s3) / 350,
               1e-12);
    sqlite3_close(db);
}

static void test_hand_network(void **state)
{
    (void)state;
    const char *st = svt_write("abc_n.geojson", stations_abc), *dm = svt_write("d3_n.geojson", demand_3),
               *ds = svt_write("sq_n.geojson", square), *net = svt_write("street.geojson", street);
    const char *out = svt_path("hand_net.sqlite"), *lin = svt_path("hand_net_linear.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", st, "--districts", ds, "--network", net, "--radius", "500,1000",
               "--demand", dm, "--capacity-field", "cap", "--min-access", "60", "--out", out, "-q");
    check_hand(out); /* --capacity-field alone means 2SFCA */
    sqlite3 *db = svt_db_open(out);
    assert_string_equal(svt_db_text(db, "SELECT method FROM runs"), "network");
    sqlite3_close(db);
    SVT_EXPECT(0, "analyze", "--stations", st, "--districts", ds, "--network", net, "--radius", "500,1000",
               "--demand", dm, "--capacity-field", "cap", "--access", "e2sfca", "--decay", "linear", "--out", lin,
               "-q");
    check_linear(lin);
}

/* ---- coverage by time of day ---- */

/* Three stations of the issue, 700 m apart in two districts with people. */
static const char *stations_hours =
    "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"h1\",\"hours\":\"24/7\"},"
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[499300,4700000]}},"
    "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"h2\",\"hours\":\"Mo-Fr 08:00-18:00\"},"
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[500000,4700300]}},"
    "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"h3\",\"hours\":\"Mo-Su 10:00-22:00; Tu off\"},"
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[500700,4699800]}}]}";

static const char *two_halves =
    "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"district_id\":\"west\",\"name\":\"West\",\"population\":3000},"
    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[499000,4699000],[500000,4699000],"
    "[500000,4701000],[499000,4701000],[499000,4699000]]]}},"
    "{\"type\":\"Feature\",\"properties\":{\"district_id\":\"east\",\"name\":\"East\",\"population\":5000},"
    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[500000,4699000],[501000,4699000],"
    "[501000,4701000],[500000,4701000],[500000,4699000]]]}}]}";

/* The same stations, only those listed (by index), without hours. */
static const char *subset(const char *name, const int *which, int n)
{
    static const char *const pts[] = {"[499300,4700000]", "[500000,4700300]", "[500700,4699800]"};
    static const char *const ids[] = {"h1", "h2", "h3"};
    char buf[4096];
    size_t k = (size_t)snprintf(buf, sizeof buf, "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":[");
    for (int i = 0; i < n; i++)
        k += (size_t)snprintf(buf + k, sizeof buf - k,
                              "%s{\"type\":\"Feature\",\"properties\":{\"station_id\":\"%s\"},"
                              "\"geometry\":{\"type\":\"Point\",\"coordinates\":%s}}",
                              i ? "," : "", ids[which[i]], pts[which[i]]);
    snprintf(buf + k, sizeof buf - k, "]}");
    return svt_write(name, buf);
}

/* Every row of time_coverage at moment equals the district_coverage row of
 * the separate run, exactly; and the gaps likewise. */
static void same_as_run(sqlite3 *db, const char *moment, const char *sep_path, int n_open)
{
    sqlite3 *sep = svt_db_open(sep_path);
    const char *districts[] = {"west", "east"};
    for (int d = 0; d < 2; d++)
        for (int r = 500; r <= 1000; r += 500) {
            const char *id = districts[d];
#define T(col) svt_db_double(db, "SELECT " col " FROM time_coverage WHERE district_id = '%s' AND radius_m = %d " \
                                 "AND moment = '%s'", id, r, moment)
#define S(col) svt_db_double(sep, "SELECT " col " FROM district_coverage WHERE district_id = '%s' AND radius_m = %d", \
                             id, r)
            if (T("covered_m2") != S("covered_m2") || T("covered_pct") != S("covered_pct") ||
                T("gap_m2") != S("gap_m2") || T("pop_covered") != S("pop_covered") ||
                T("pop_covered_pct") != S("pop_covered_pct") || T("n_stations_reaching") != S("n_stations_reaching"))
                fail_msg("%s, %s, %d m: time_coverage %.17g m2 / %.17g people / %g reaching, separate run %.17g m2 / "
                         "%.17g people / %g reaching", moment, id, r, T("covered_m2"), T("pop_covered"),
                         T("n_stations_reaching"), S("covered_m2"), S("pop_covered"), S("n_stations_reaching"));
            assert_true(T("stations_open") == n_open);
            double tg = svt_db_double(db, "SELECT gap_m2 + n_parts FROM time_gaps WHERE district_id = '%s' AND "
                                          "radius_m = %d AND moment = '%s'", id, r, moment);
            double sg = svt_db_double(sep, "SELECT gap_m2 + n_parts FROM gaps WHERE district_id = '%s' AND "
                                           "radius_m = %d", id, r);
            assert_true(tg == sg);
#undef T
#undef S
        }
    double tc = svt_db_double(db, "SELECT pop_covered FROM time_coverage WHERE district_id IS NULL AND radius_m = "
                                  "500 AND moment = '%s'", moment);
    double sc = svt_db_double(sep, "SELECT pop_covered FROM city_coverage WHERE radius_m = 500");
    assert_true(tc == sc);
    sqlite3_close(sep);
}

static void test_hours(void **state)
{
    (void)state;
    const char *st = svt_write("hours.geojson", stations_hours), *ds = svt_write("halves.geojson", two_halves);
    const char *out = svt_path("hours.sqlite");
    /* Mo 12:00 all three; Mo 20:00 h1, h3 (h2 closes at 18:00, exclusive);
     * Tu 12:00 h1, h2 (h3 is off on Tuesdays); Sa 09:00 h1 (h3 opens at
     * 10:00); Sa 10:00 h1, h3 (a span includes its start) */
    SVT_EXPECT(0, "analyze", "--stations", st, "--districts", ds, "--population-field", "population", "--radius",
               "500,1000", "--hours-field", "hours", "--at", "Mo 12:00,Mo 20:00,Tu 12:00,Sa 09:00,Sa 10:00,Mo 18:00",
               "--out", out, "-q");
    const int all[] = {0, 1, 2}, h13[] = {0, 2}, h12[] = {0, 1}, h1[] = {0};
    const char *s_all = svt_path("sep_all.sqlite"), *s13 = svt_path("sep_13.sqlite"), *s12 = svt_path("sep_12.sqlite"),
               *s1 = svt_path("sep_1.sqlite");
    struct {
        const int *w;
        int n;
        const char *out, *file;
    } runs[] = {{all, 3, s_all, "sub_all.geojson"}, {h13, 2, s13, "sub_13.geojson"},
                {h12, 2, s12, "sub_12.geojson"}, {h1, 1, s1, "sub_1.geojson"}};
    for (int k = 0; k < 4; k++)
        SVT_EXPECT(0, "analyze", "--stations", subset(runs[k].file, runs[k].w, runs[k].n), "--districts", ds,
                   "--population-field", "population", "--radius", "500,1000", "--out", runs[k].out, "-q");
    sqlite3 *db = svt_db_open(out);
    same_as_run(db, "Mo 12:00", s_all, 3);
    same_as_run(db, "Mo 20:00", s13, 2);
    same_as_run(db, "Tu 12:00", s12, 2);
    same_as_run(db, "Sa 09:00", s1, 1);
    same_as_run(db, "Sa 10:00", s13, 2);
    same_as_run(db, "Mo 18:00", s13, 2);
    /* the moments differ: the evening loses people */
    assert_true(svt_db_double(db, "SELECT pop_covered FROM time_coverage WHERE district_id = 'east' AND radius_m = "
                                  "500 AND moment = 'Sa 09:00'") <
                svt_db_double(db, "SELECT pop_covered FROM time_coverage WHERE district_id = 'east' AND radius_m = "
                                  "500 AND moment = 'Mo 12:00'"));
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM time_coverage"), 6 * 3 * 2);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM time_gaps"), 6 * 2 * 2);
    assert_string_equal(svt_db_text(db, "SELECT moments FROM runs"), "Mo 12:00,Mo 20:00,Tu 12:00,Sa 09:00,Sa 10:00,"
                                                                     "Mo 18:00");
    assert_string_equal(svt_db_text(db, "SELECT hours_field FROM runs"), "hours");
    assert_int_equal(svt_db_int(db, "SELECT stations_without_hours FROM runs"), 0);
    /* the ordinary tables are those of all stations */
    assert_true(svt_db_double(db, "SELECT covered_m2 FROM district_coverage WHERE district_id = 'east' AND radius_m = "
                                  "500") ==
                svt_db_double(db, "SELECT covered_m2 FROM time_coverage WHERE district_id = 'east' AND radius_m = 500 "
                                  "AND moment = 'Mo 12:00'"));
    sqlite3_close(db);

    /* the same along a street: each moment's areas are the open stations' own */
    const char *net = svt_write("street_h.geojson", street), *nout = svt_path("hours_net.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", st, "--districts", ds, "--network", net, "--population-field",
               "population", "--radius", "500,1000", "--hours-field", "hours", "--at", "Mo 20:00,Tu 12:00,Sa 09:00",
               "--out", nout, "-q");
    const char *n13 = svt_path("nsep_13.sqlite"), *n12 = svt_path("nsep_12.sqlite"), *n1 = svt_path("nsep_1.sqlite");
    const char *nouts[] = {n13, n12, n1};
    for (int k = 1; k < 4; k++)
        SVT_EXPECT(0, "analyze", "--stations", subset(runs[k].file, runs[k].w, runs[k].n), "--districts", ds,
                   "--network", net, "--population-field", "population", "--radius", "500,1000", "--out",
                   nouts[k - 1], "-q");
    db = svt_db_open(nout);
    same_as_run(db, "Mo 20:00", n13, 2);
    same_as_run(db, "Tu 12:00", n12, 2);
    same_as_run(db, "Sa 09:00", n1, 1);
    sqlite3_close(db);
}

/* ---- bad input ---- */

static const char *stations_bad =
    "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"ok\",\"cap\":\"4\",\"hours\":\"Mo-Fr 08:00-18:00\"},"
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[499700,4700000]}},"
    "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"txt\",\"cap\":\"six seats\","
    "\"hours\":\"Mo-Fr 8am-6pm\"},"
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[500300,4700000]}},"
    "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"neg\",\"cap\":\"-2\"},"
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[500000,4700500]}},"
    "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"none\"},"
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[500000,4699500]}}]}";

static void test_errors(void **state)
{
    (void)state;
    const char *st = svt_write("bad.geojson", stations_bad), *dm = svt_write("d3_e.geojson", demand_3),
               *ds = svt_write("sq_e.geojson", square);
    const char *out = svt_path("bad.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", st, "--districts", ds, "--radius", "500", "--demand", dm,
               "--capacity-field", "cap", "--hours-field", "hours", "--at", "Mo 20:00", "--out", out, "-q");
    /* text, negative and missing capacities: issues naming the station and the value; the stations still cover */
    SVT_ERR_HAS("feature txt has cap 'six seats', not a number: capacity unknown (NULL)");
    SVT_ERR_HAS("feature neg has a negative cap (-2)");
    SVT_ERR_HAS("feature none has no cap value (NULL)");
    /* hours that cannot be read: an issue naming the station and the text; counted as open */
    SVT_ERR_HAS("feature txt has opening hours (hours) 'Mo-Fr 8am-6pm' that svcov cannot read");
    sqlite3 *db = svt_db_open(out);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM issues WHERE feature_id = 'txt' AND problem LIKE "
                                    "'%%six seats%%'"), 1);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM issues WHERE feature_id = 'txt' AND problem LIKE "
                                    "'%%8am-6pm%%always open%%'"), 1);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM station_load WHERE capacity IS NULL"), 3);
    assert_true(isnan(ratio(db, "txt", 500)));
    assert_rel("ok's ratio", ratio(db, "ok", 500), 4 / dwithin(db, "ok", 500), 1e-12);
    assert_int_equal(svt_db_int(db, "SELECT n_stations FROM runs"), 4);
    /* Mo 20:00: "ok" is closed, the unreadable one counts as open, the two without hours are always open */
    assert_int_equal(svt_db_int(db, "SELECT stations_open FROM time_coverage WHERE district_id = 'sq'"), 3);
    assert_int_equal(svt_db_int(db, "SELECT stations_without_hours FROM runs"), 2);
    assert_int_equal(svt_db_int(db, "SELECT hours_unreadable FROM runs"), 1);
    sqlite3_close(db);
    size_t before_len = 0;
    char *before = svt_read(out, &before_len);
    assert_non_null(before);
    /* a moment that is not a time: usage error naming it, --out as it was */
    SVT_EXPECT(2, "analyze", "--stations", st, "--districts", ds, "--radius", "500", "--hours-field", "hours", "--at",
               "Mo 12:00,Mo 25:00", "--out", out, "-q");
    SVT_ERR_HAS("Mo 25:00");
    SVT_EXPECT(2, "analyze", "--stations", st, "--districts", ds, "--radius", "500", "--hours-field", "hours", "--at",
               "lunchtime", "--out", out, "-q");
    SVT_ERR_HAS("lunchtime");
    SVT_EXPECT(2, "analyze", "--stations", st, "--districts", ds, "--radius", "500", "--at", "Mo 12:00", "--out", out,
               "-q");
    SVT_ERR_HAS("--hours-field");
    SVT_EXPECT(2, "analyze", "--stations", st, "--districts", ds, "--radius", "500", "--demand", dm, "--access",
               "2sfca", "--out", out, "-q");
    SVT_ERR_HAS("--capacity-field");
    SVT_EXPECT(2, "analyze", "--stations", st, "--districts", ds, "--radius", "500", "--demand", dm, "--access",
               "3sfca", "--out", out, "-q");
    SVT_ERR_HAS("--access 3sfca");
    SVT_EXPECT(2, "analyze", "--stations", st, "--districts", ds, "--radius", "500", "--demand", dm,
               "--capacity-field", "cap", "--decay", "linear", "--out", out, "-q");
    SVT_ERR_HAS("--decay is for --access e2sfca");
    SVT_EXPECT(2, "analyze", "--stations", st, "--districts", ds, "--radius", "500", "--capacity-field", "cap",
               "--out", out, "-q");
    SVT_ERR_HAS("needs demand");
    SVT_EXPECT(1, "analyze", "--stations", st, "--districts", ds, "--radius", "500", "--demand", dm,
               "--capacity-field", "seats", "--out", out, "-q"); /* a missing field, as for every input */
    SVT_ERR_HAS("seats");
    /* --strict: a capacity that is not a number stops the run (exit 1), naming the station */
    SVT_EXPECT(1, "analyze", "--stations", st, "--districts", ds, "--radius", "500", "--demand", dm,
               "--capacity-field", "cap", "--strict", "--out", out, "-q");
    SVT_ERR_HAS("feature txt");
    size_t after_len = 0;
    char *after = svt_read(out, &after_len);
    assert_non_null(after);
    assert_true(before_len == after_len && memcmp(before, after, before_len) == 0);
    free(before);
    free(after);
}

/* ---- maps and the report ---- */

/* The text of a PDF (pdftotext), malloc'd. */
static char *pdf_text(const char *pdf)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' - 2>&1", pdf);
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    size_t cap = 1 << 16, n = 0, k;
    char *buf = malloc(cap);
    while ((k = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += k;
        if (n + 1 == cap)
            buf = realloc(buf, cap *= 2);
    }
    buf[n] = '\0';
    pclose(f);
    return buf;
}

static const char *stations_cap_hours =
    "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"h1\",\"cap\":3},"
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[499300,4700000]}},"
    "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"h2\",\"cap\":8},"
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[500000,4700300]}},"
    "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"h3\",\"cap\":2},"
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[500700,4699800]}}]}";

static void test_map_report(void **state)
{
    (void)state;
    const char *st = svt_write("caph.geojson", stations_cap_hours), *ds = svt_write("halves_m.geojson", two_halves);
    const char *out = svt_path("maprep.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", st, "--districts", ds, "--population-field", "population", "--radius",
               "500,1000", "--capacity-field", "cap", "--out", out, "-q");
    sqlite3 *db = svt_db_open(out);
    double lo = svt_db_double(db, "SELECT min(access_index) FROM district_access WHERE district_id IS NOT NULL AND "
                                  "radius_m = 1000");
    double hi = svt_db_double(db, "SELECT max(access_index) FROM district_access WHERE district_id IS NOT NULL AND "
                                  "radius_m = 1000");
    char top[64];
    snprintf(top, sizeof top, "%s", svt_db_text(db, "SELECT station_id FROM station_load WHERE radius_m = 1000 "
                                                    "ORDER BY demand_per_capacity DESC LIMIT 1"));
    double top_load = svt_db_double(db, "SELECT demand_per_capacity FROM station_load WHERE radius_m = 1000 ORDER BY "
                                        "demand_per_capacity DESC LIMIT 1");
    sqlite3_close(db);
    assert_true(lo < hi); /* two classes to tell apart */
    const char *pdf = svt_path("access.pdf");
    SVT_EXPECT(0, "map", "--db", out, "--by", "access", "--out", pdf, "-q");
    char *txt = pdf_text(pdf);
    char want[128];
    snprintf(want, sizeof want, "%.2f – %.2f", lo, hi);
    if (!strstr(txt, "Capacity per 1,000 people within 1000 m") || !strstr(txt, want) ||
        !strstr(txt, "Stations: demand per unit of capacity"))
        fail_msg("the access map's legend lacks \"%s\":\n%s", want, txt);
    free(txt);
    SVT_EXPECT(0, "map", "--db", out, "--by", "access", "--radius", "500", "--lang", "zh", "--out", pdf, "-q");
    txt = pdf_text(pdf);
    if (!strstr(txt, "每千人容量"))
        fail_msg("the Chinese access map's legend lacks 每千人容量:\n%s", txt);
    free(txt);
    /* a database without access: refused, naming what to run */
    const char *plain = svt_path("plain.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", st, "--districts", ds, "--radius", "500", "--out", plain, "-q");
    SVT_EXPECT(1, "map", "--db", plain, "--by", "access", "--out", pdf, "-q");
    SVT_ERR_HAS("--capacity-field");
    SVT_EXPECT(2, "map", "--db", out, "--by", "people", "--out", pdf, "-q");
    /* the report lists the most loaded stations */
    const char *md = svt_path("report.md");
    SVT_EXPECT(0, "report", "--db", out, "--out", md, "-q");
    char *rep = svt_read(md, NULL);
    char row[160];
    snprintf(row, sizeof row, "| 1000 | 1 | %s |", top);
    char num[32];
    snprintf(num, sizeof num, "| %.1f |", top_load);
    const char *sec = strstr(rep, "## Most loaded stations (demand per unit of capacity)");
    if (!sec || !strstr(sec, row) || !strstr(sec, num))
        fail_msg("the report does not list %s (%s) first at 1000 m:\n%s", top, num, rep);
    free(rep);
    SVT_EXPECT(0, "report", "--db", out, "--lang", "zh", "--out", md, "-q");
    rep = svt_read(md, NULL);
    assert_non_null(strstr(rep, "负荷最重的站点"));
    free(rep);
    /* the new tables export like the others */
    const char *csv = svt_path("access.csv");
    SVT_EXPECT(0, "export", "--db", out, "--layer", "district_access", "--radius", "1000", "--out", csv);
    char *c = svt_read(csv, NULL);
    assert_non_null(strstr(c, "district_id,district_name,mode,minutes,radius_m,access_index,p10,median,p90,"));
    assert_non_null(strstr(c, "west,West,distance,,1000,"));
    free(c);
    SVT_EXPECT(0, "export", "--db", out, "--layer", "station_load", "--out", csv, "--overwrite");
}

int main(int argc, char **argv)
{
    static const svt_group groups[] = {
        {"hand", cmocka_unit_test(test_hand_circles)},
        {"hand", cmocka_unit_test(test_hand_network)},
        {"hours", cmocka_unit_test(test_hours)},
        {"errors", cmocka_unit_test(test_errors)},
        {"output", cmocka_unit_test(test_map_report)},
    };
    return svt_run_groups(argc, argv, "access", groups, sizeof groups / sizeof groups[0], group_setup,
                          group_teardown);
}
