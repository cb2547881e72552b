/* test_cli.c - end-to-end runs of the real svcov binary on small files
 * written into a temporary folder; the numbers are read back from the
 * result database with SQLite, exports with OGR.
 *
 * Usage: test_cli GROUP  (analyze, breaks, empty, usage_errors, data_errors,
 * atomic, issues, export, export_valid, query, site, provenance); ctest runs each group as its own test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>

#include "svtest.h"
#include "svfixtures.h"

#include "svcov/sv_store.h"
#include "core/schema.h" /* src/: the result schema (test_run_record_types) */

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "svtest_export.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* 128-vertex circles (svcov's default 32 segments per quarter). */
static double polygon_circle_area(double r)
{
    return 0.5 * 128 * r * r * sin(2.0 * M_PI / 128);
}

static void assert_rel(const char *what, double got, double want, double rel)
{
    double err = fabs(got - want) / fabs(want);
    if (!(err <= rel))
        fail_msg("%s: got %.10g, want %.10g (relative error %.3g > %.3g)", what, got, want, err, rel);
}

/* ---- fixtures: a 2000 m x 2000 m square in UTM 31N (EPSG:32631) ---- */


static const char *square_districts = SVT_SQUARE_DISTRICT;

static const char *centre_station = SVT_CENTRE_STATION;

/* The square, a bow-tie (two triangles of 1 km2 each) and a feature without
 * geometry. */
static const char *problem_districts =
    "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"district_id\":\"sq\",\"name\":\"Square\"},"
    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[499000,4699000],[501000,4699000],"
    "[501000,4701000],[499000,4701000],[499000,4699000]]]}},"
    "{\"type\":\"Feature\",\"properties\":{\"district_id\":\"bowtie-7\",\"name\":\"Bow tie\"},"
    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[502000,4699000],[504000,4701000],"
    "[504000,4699000],[502000,4701000],[502000,4699000]]]}},"
    "{\"type\":\"Feature\",\"properties\":{\"district_id\":\"nogeom-3\",\"name\":\"Nowhere\"},"
    "\"geometry\":null}]}";

static const char *empty_layer = "{\"type\":\"FeatureCollection\",\"features\":[]}";

/* An analysis of the square with the centre station at --radius R. */
static const char *analyze_square(const char *out, const char *radius)
{
    const char *d = svt_write("districts.geojson", square_districts);
    const char *s = svt_write("stations.geojson", centre_station);
    SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--radius", radius, "--out", out, "-q");
    return out;
}

static int group_setup(void **state)
{
    (void)state;
    GDALAllRegister();
    return svt_make_dir("cli");
}

static int group_teardown(void **state)
{
    (void)state;
    svt_run_free();
    svt_remove_dir();
    return 0;
}

/* ---- analyze ---- */

static void check_square_db(const char *out, double r, int method_union)
{
    sqlite3 *db = svt_db_open(out);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM district_coverage"), 1);
    assert_string_equal(svt_db_text(db, "SELECT district_id FROM district_coverage"), "sq");
    assert_string_equal(svt_db_text(db, "SELECT district_name FROM district_coverage"), "Square");
    assert_string_equal(svt_db_text(db, "SELECT mode FROM district_coverage"), "distance");
    assert_int_equal(svt_db_int(db, "SELECT minutes IS NULL FROM district_coverage"), 1);
    assert_float_equal(svt_db_double(db, "SELECT radius_m FROM district_coverage"), r, 1e-9);
    double area = svt_db_double(db, "SELECT area_m2 FROM district_coverage");
    double cov = svt_db_double(db, "SELECT covered_m2 FROM district_coverage");
    double pct = svt_db_double(db, "SELECT covered_pct FROM district_coverage");
    double gap = svt_db_double(db, "SELECT gap_m2 FROM district_coverage");
    assert_rel("area", area, 4e6, 1e-9);
    assert_rel("covered = the 128-gon", cov, polygon_circle_area(r), 1e-9);
    assert_rel("covered share vs pi r^2 / area", pct / 100, M_PI * r * r / 4e6, 1e-3);
    assert_rel("covered_pct = 100 covered / area", pct, 100 * cov / area, 1e-12);
    assert_rel("gap = area - covered", gap, area - cov, 1e-12);
    assert_int_equal(svt_db_int(db, "SELECT n_gap_parts FROM district_coverage"), 1);
    assert_int_equal(svt_db_int(db, "SELECT n_stations_inside FROM district_coverage"), 1);
    assert_int_equal(svt_db_int(db, "SELECT n_stations_reaching FROM district_coverage"), 1);
    /* the whole area is the one district */
    assert_rel("city covered", svt_db_double(db, "SELECT covered_m2 FROM city_coverage"), cov, 1e-9);
    assert_int_equal(svt_db_int(db, "SELECT n_stations FROM city_coverage"), 1);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM stations"), 1);
    assert_string_equal(svt_db_text(db, "SELECT category FROM stations"), "clinic");
    assert_string_equal(svt_db_text(db, "SELECT crs_epsg FROM runs"), "32631");
    assert_string_equal(svt_db_text(db, "SELECT method FROM runs"), method_union ? "union" : "voronoi");
    svt_db_no_nan(db);

    /* the stored polygons have the stored areas (SpatiaLite loaded) */
    assert_int_equal(sqlite3_enable_load_extension(db, 1), SQLITE_OK);
    char *msg = NULL;
    if (sqlite3_exec(db, "SELECT load_extension('mod_spatialite')", NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("cannot load mod_spatialite: %s", msg ? msg : "?");
    assert_rel("coverage polygon", svt_db_double(db, "SELECT ST_Area(geom) FROM coverage"), cov, 1e-6);
    assert_rel("gap polygon", svt_db_double(db, "SELECT ST_Area(geom) FROM gaps"), gap, 1e-6);
    assert_rel("district polygon", svt_db_double(db, "SELECT ST_Area(geom) FROM districts"), 4e6, 1e-9);
    assert_rel("service area", svt_db_double(db, "SELECT ST_Area(geom) FROM service_areas"),
               polygon_circle_area(r), 1e-9);
    assert_int_equal(svt_db_int(db, "SELECT ST_Srid(geom) FROM districts"), 32631);
    sqlite3_close(db);
}

static void test_analyze_square(void **state)
{
    (void)state;
    const char *out = svt_path("square.sqlite");
    const char *d = svt_write("districts.geojson", square_districts);
    const char *s = svt_write("stations.geojson", centre_station);
    /* not quiet: the table goes to stdout, progress to stderr */
    SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--radius", "500", "--out", out);
    SVT_OUT_HAS("Square");
    SVT_OUT_HAS("19.63"); /* 785083 / 4e6 */
    assert_null(strstr(svt_last.err, "warning"));
    check_square_db(out, 500, 0);

    /* the textbook union method stores the same numbers */
    const char *out_u = svt_path("square_union.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--radius", "500", "--method", "union",
               "--threads", "1", "--out", out_u, "-q");
    assert_string_equal(svt_last.out, ""); /* -q: nothing on stdout */
    check_square_db(out_u, 500, 1);
}

/* The same square given in lon/lat (RFC 7946 GeoJSON without "crs") near
 * the equator, with the station in a CSV of lon/lat columns. The corners
 * are the exact images of UTM corners, so the area stays 4 km2. */
static void test_analyze_lonlat_and_csv(void **state)
{
    (void)state;
    OGRSpatialReferenceH utm = OSRNewSpatialReference(NULL), wgs = OSRNewSpatialReference(NULL);
    assert_int_equal(OSRImportFromEPSG(utm, 32631), OGRERR_NONE);
    assert_int_equal(OSRImportFromEPSG(wgs, 4326), OGRERR_NONE);
    OSRSetAxisMappingStrategy(utm, OAMS_TRADITIONAL_GIS_ORDER);
    OSRSetAxisMappingStrategy(wgs, OAMS_TRADITIONAL_GIS_ORDER);
    OGRCoordinateTransformationH ct = OCTNewCoordinateTransformation(utm, wgs);
    assert_non_null(ct);
    double xs[5] = {499000, 501000, 501000, 499000, 500000};
    double ys[5] = {99000, 99000, 101000, 101000, 100000};
    assert_true(OCTTransform(ct, 5, xs, ys, NULL));
    OCTDestroyCoordinateTransformation(ct);
    OSRDestroySpatialReference(utm);
    OSRDestroySpatialReference(wgs);
    assert_float_equal(xs[4], 3.0, 1e-9);
    assert_float_equal(ys[4], 0.9047306, 1e-6);

    char buf[2048];
    snprintf(buf, sizeof buf,
             "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
             "{\"district_id\":\"eq\",\"name\":\"Equator square\"},\"geometry\":{\"type\":\"Polygon\","
             "\"coordinates\":[[[%.12f,%.12f],[%.12f,%.12f],[%.12f,%.12f],[%.12f,%.12f],[%.12f,%.12f]]]}}]}",
             xs[0], ys[0], xs[1], ys[1], xs[2], ys[2], xs[3], ys[3], xs[0], ys[0]);
    const char *d = svt_write("equator.geojson", buf);
    snprintf(buf, sizeof buf, "station_id,name,lon,lat\nm1,Middle,%.12f,%.12f\nfar,Far away,%.12f,%.12f\n",
             xs[4], ys[4], xs[4] + 0.5, ys[4]);
    const char *s = svt_write("stations.csv", buf);
    const char *out = svt_path("equator.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--radius", "500,1500", "--out", out, "-q");
    sqlite3 *db = svt_db_open(out);
    assert_string_equal(svt_db_text(db, "SELECT crs_epsg FROM runs"), "32631"); /* auto: UTM 31N */
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM stations"), 2);
    assert_rel("area", svt_db_double(db, "SELECT area_m2 FROM district_coverage WHERE radius_m = 500"), 4e6, 1e-6);
    assert_rel("covered 500", svt_db_double(db, "SELECT covered_m2 FROM district_coverage WHERE radius_m = 500"),
               polygon_circle_area(500), 1e-6);
    assert_int_equal(svt_db_int(db, "SELECT n_stations_inside FROM district_coverage WHERE radius_m = 500"), 1);
    assert_int_equal(svt_db_int(db, "SELECT n_stations_reaching FROM district_coverage WHERE radius_m = 1500"),
                     1);
    /* 1500 m reaches past the square's edges: covered is below the square and
     * above the inscribed circle */
    double c15 = svt_db_double(db, "SELECT covered_m2 FROM district_coverage WHERE radius_m = 1500");
    assert_true(c15 < 4e6 && c15 > M_PI * 1e6);
    svt_db_no_nan(db);
    sqlite3_close(db);
}

/* A district the circle covers whole is 100% covered, not a hair more: with
 * this area 100 * a / a rounds to 100.00000000000001. */
static void test_analyze_full_coverage(void **state)
{
    (void)state;
    const char *d = svt_write("full.geojson",
                              "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
                              "{\"type\":\"Feature\",\"properties\":{\"district_id\":\"w3\"},"
                              "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[499000,4699000],"
                              "[500001.11,4699000],[500001.11,4699777.7],[499000,4699777.7],[499000,4699000]]]}}]}");
    const char *s = svt_write("stations.geojson", centre_station);
    const char *out = svt_path("full.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--radius", "3000", "--out", out, "-q");
    sqlite3 *db = svt_db_open(out);
    assert_int_equal(svt_db_int(db, "SELECT covered_m2 = area_m2 AND gap_m2 = 0 FROM district_coverage"), 1);
    double pct = svt_db_double(db, "SELECT covered_pct FROM district_coverage");
    if (pct != 100.0)
        fail_msg("a fully covered district stores covered_pct %.17g, not 100", pct);
    pct = svt_db_double(db, "SELECT covered_pct FROM city_coverage");
    if (!(pct <= 100.0 && pct > 100.0 - 1e-9))
        fail_msg("the fully covered city stores covered_pct %.17g", pct);
    assert_int_equal(svt_db_int(db, "SELECT n_gap_parts FROM district_coverage"), 0);
    svt_db_no_nan(db);
    sqlite3_close(db);
}

/* ---- breaks in minutes ---- */

static void test_breaks_minutes(void **state)
{
    (void)state;
    const char *d = svt_write("districts.geojson", square_districts);
    const char *s = svt_write("stations.geojson", centre_station);
    const char *out = svt_path("walk.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--minutes", "10,15", "--mode", "walk", "--out",
               out, "-q");
    sqlite3 *db = svt_db_open(out);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM district_coverage"), 2);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM district_coverage WHERE mode = 'walk'"), 2);
    /* 5 km/h: 10 min = 833.33 m, 15 min = 1250 m */
    assert_float_equal(svt_db_double(db, "SELECT radius_m FROM district_coverage WHERE minutes = 10"),
                       5000.0 / 6.0, 1e-9);
    assert_float_equal(svt_db_double(db, "SELECT radius_m FROM district_coverage WHERE minutes = 15"), 1250.0,
                       1e-9);
    assert_rel("10 min covered",
               svt_db_double(db, "SELECT covered_m2 FROM district_coverage WHERE minutes = 10"),
               polygon_circle_area(5000.0 / 6.0), 1e-9);
    /* 1250 m > the half-width 1000 m: the circle is cut by the square's
     * edges; analytic: circle minus 4 segments of height 250 */
    double r = 1250, h = 1000;
    double seg = r * r * acos(h / r) - h * sqrt(r * r - h * h);
    assert_rel("15 min covered", svt_db_double(db, "SELECT covered_m2 FROM district_coverage WHERE minutes = 15"),
               M_PI * r * r - 4 * seg, 1e-3);
    assert_int_equal(svt_db_int(db, "SELECT n_gap_parts FROM district_coverage WHERE minutes = 15"), 4);
    assert_float_equal(svt_db_double(db, "SELECT radius_m FROM city_coverage WHERE minutes = 15"), 1250.0, 1e-9);
    svt_db_no_nan(db);
    sqlite3_close(db);

    /* no breaks given: 10 and 15 minutes' walk */
    const char *out2 = svt_path("default.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--out", out2, "-q");
    db = svt_db_open(out2);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM district_coverage"), 2);
    assert_float_equal(svt_db_double(db, "SELECT max(radius_m) FROM district_coverage"), 1250.0, 1e-9);
    assert_string_equal(svt_db_text(db, "SELECT group_concat(DISTINCT mode) FROM district_coverage"), "walk");
    sqlite3_close(db);

    /* bike 15 km/h, 2 min = 500 m; a detour factor divides the radius */
    const char *out3 = svt_path("bike.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--minutes", "2", "--mode", "bike", "--detour",
               "1.25", "--out", out3, "-q");
    db = svt_db_open(out3);
    assert_float_equal(svt_db_double(db, "SELECT radius_m FROM district_coverage"), 400.0, 1e-9);
    assert_string_equal(svt_db_text(db, "SELECT mode FROM district_coverage"), "bike");
    assert_rel("bike covered", svt_db_double(db, "SELECT covered_m2 FROM district_coverage"),
               polygon_circle_area(400), 1e-9);
    sqlite3_close(db);
}

/* ---- an empty station layer ---- */

static void test_empty_stations(void **state)
{
    (void)state;
    const char *d = svt_write("districts.geojson", problem_districts);
    const char *s = svt_write("none.geojson", empty_layer);
    const char *out = svt_path("empty.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--radius", "300,900", "--out", out, "-q");
    sqlite3 *db = svt_db_open(out);
    assert_int_equal(svt_db_int(db, "PRAGMA application_id"), 0x53564356);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM stations"), 0);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM service_areas"), 0);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM district_coverage"), 4); /* 2 districts x 2 radii */
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM district_coverage WHERE covered_pct = 0"
                                    " AND covered_m2 = 0 AND gap_m2 = area_m2 AND n_stations_inside = 0"
                                    " AND n_stations_reaching = 0"),
                     4);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM city_coverage WHERE covered_pct = 0 AND n_stations = 0"),
                     2);
    assert_rel("city area = square + bow tie", svt_db_double(db, "SELECT max(area_m2) FROM city_coverage"), 6e6,
               1e-9);
    svt_db_no_nan(db);
    sqlite3_close(db);
}

/* ---- usage errors: exit 2, a message on stderr, no output file ---- */

static void expect_usage(const char *const *args, const char *needle)
{
    const char *out = svt_path("usage.sqlite");
    int st = svt_runv(args);
    if (st != 2)
        fail_msg("expected exit 2, got %d for argument %s\n--- stderr:\n%s", st, args[0], svt_last.err);
    if (!strstr(svt_last.err, needle))
        fail_msg("stderr does not contain \"%s\":\n%s", needle, svt_last.err);
    assert_string_equal(svt_last.out, "");
    assert_false(svt_exists(out));
}

static void test_usage_errors(void **state)
{
    (void)state;
    const char *d = svt_write("districts.geojson", square_districts);
    const char *s = svt_write("stations.geojson", centre_station);
    const char *out = svt_path("usage.sqlite");
#define U(needle, ...) expect_usage((const char *const[]){__VA_ARGS__, NULL}, needle)
    U("--radius", "analyze", "--stations", s, "--districts", d, "--radius", "-5", "--out", out);
    U("--radius", "analyze", "--stations", s, "--districts", d, "--radius", "0", "--out", out);
    U("--radius", "analyze", "--stations", s, "--districts", d, "--radius", "500,0", "--out", out);
    U("--radius", "analyze", "--stations", s, "--districts", d, "--radius", "abc", "--out", out);
    U("--radius", "analyze", "--stations", s, "--districts", d, "--radius", "500,", "--out", out);
    U("--radius", "analyze", "--stations", s, "--districts", d, "--radius", "", "--out", out);
    U("--radius", "analyze", "--stations", s, "--districts", d, "--radius", "nan", "--out", out);
    U("--minutes", "analyze", "--stations", s, "--districts", d, "--minutes", "-10", "--out", out);
    U("--bogus", "analyze", "--stations", s, "--districts", d, "--radius", "500", "--bogus", "--out", out);
    U("--out", "analyze", "--stations", s, "--districts", d, "--radius", "500");
    U("--stations", "analyze", "--districts", d, "--radius", "500", "--out", out);
    U("not both", "analyze", "--stations", s, "--districts", d, "--radius", "500", "--minutes", "10", "--out",
      out);
    U("--mode", "analyze", "--stations", s, "--districts", d, "--minutes", "10", "--mode", "fly", "--out", out);
    U("--method", "analyze", "--stations", s, "--districts", d, "--radius", "500", "--method", "magic", "--out",
      out);
    U("--threads", "analyze", "--stations", s, "--districts", d, "--radius", "500", "--threads", "0", "--out", out);
    U("--detour", "analyze", "--stations", s, "--districts", d, "--minutes", "10", "--detour", "0.5", "--out",
      out);
    U("not a projected CRS", "analyze", "--stations", s, "--districts", d, "--radius", "500", "--crs",
      "EPSG:4326", "--out", out);
    U("--crs", "analyze", "--stations", s, "--districts", d, "--radius", "500", "--crs", "garbage", "--out", out);
    U("unexpected argument", "analyze", "--stations", s, "--districts", d, "--radius", "500", "--out", out,
      "extra");
    U("unknown command", "analyse");
    /* a typo gets the nearest command; every command is listed (from the command table) */
    U("svcov: unknown command 'analyse'; did you mean 'analyze'? The commands are: analyze, export, query, site, "
      "map, report, compare, poster, plan, worker, finish, status (svcov --help)",
      "analyse");
    U("did you mean 'worker'?", "workers");
    U("svcov: unknown command 'frobnicate'; the commands are: analyze,", "frobnicate");
#undef U
}

/* ---- data errors: exit 1, a message naming the file ---- */

static void expect_data_error(const char *const *args, const char *n1, const char *n2)
{
    int st = svt_runv(args);
    if (st != 1)
        fail_msg("expected exit 1, got %d\n--- stderr:\n%s", st, svt_last.err);
    if (!strstr(svt_last.err, n1))
        fail_msg("stderr does not contain \"%s\":\n%s", n1, svt_last.err);
    if (n2 && !strstr(svt_last.err, n2))
        fail_msg("stderr does not contain \"%s\":\n%s", n2, svt_last.err);
    assert_string_equal(svt_last.out, "");
}

static void test_data_errors(void **state)
{
    (void)state;
    const char *d = svt_write("districts.geojson", square_districts);
    const char *s = svt_write("stations.geojson", centre_station);
    const char *out = svt_path("data.sqlite");
    const char *missing = svt_path("missing.geojson");
#define E(n1, n2, ...) expect_data_error((const char *const[]){__VA_ARGS__, NULL}, n1, n2)
    E(missing, "not found", "analyze", "--stations", missing, "--districts", d, "--radius", "500", "--out", out);
    E(missing, "not found", "analyze", "--stations", s, "--districts", missing, "--radius", "500", "--out", out);
    assert_false(svt_exists(out));

    /* an unknown layer: the message names the file and the layers there are */
    char spec[4300];
    snprintf(spec, sizeof spec, "%s:nope", d);
    E(d, "'nope'", "analyze", "--stations", s, "--districts", spec, "--radius", "500", "--out", out);
    /* ... while an existing layer name works */
    snprintf(spec, sizeof spec, "%s:districts", d);
    SVT_EXPECT(0, "analyze", "--stations", s, "--districts", spec, "--radius", "500", "--out", out, "-q");
    assert_true(svt_exists(out));
    unlink(out);

    /* an unknown field */
    E(d, "'zzz'", "analyze", "--stations", s, "--districts", d, "--district-id", "zzz", "--radius", "500", "--out",
      out);
    E(s, "'nada'", "analyze", "--stations", s, "--districts", d, "--station-name", "nada", "--radius", "500",
      "--out", out);
    /* districts that are points */
    E(s, "Point", "analyze", "--stations", s, "--districts", s, "--radius", "500", "--out", out);
    /* a file that is not vector data */
    const char *junk = svt_write("junk.geojson", "this is not JSON at all {");
    E(junk, "cannot be read", "analyze", "--stations", s, "--districts", junk, "--radius", "500", "--out", out);
    /* every district unusable */
    const char *nulls = svt_write("nulls.geojson",
                                  "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":[{\"type\":\"Feature\","
                                  "\"properties\":{\"district_id\":\"n1\"},\"geometry\":null}]}");
    E("no usable district", NULL, "analyze", "--stations", s, "--districts", nulls, "--radius", "500", "--out",
      out);
    /* the output folder is missing */
    const char *nodir = svt_path("no/such/folder/out.sqlite");
    E(nodir, "does not exist", "analyze", "--stations", s, "--districts", d, "--radius", "500", "--out", nodir);
    assert_false(svt_exists(out));

    /* an existing --out that svcov did not write is left byte for byte */
    const char *text = svt_write("notes.sqlite", "my own notes, not a database\n");
    svt_copy(text, svt_path("notes.copy"));
    E(text, "already exists", "analyze", "--stations", s, "--districts", d, "--radius", "500", "--out", text);
    assert_true(svt_same_bytes(text, svt_path("notes.copy")));

    /* ... and so is a foreign SQLite database */
    const char *foreign = svt_path("foreign.sqlite");
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(foreign, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES (42);", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    svt_copy(foreign, svt_path("foreign.copy"));
    E(foreign, "did not write", "analyze", "--stations", s, "--districts", d, "--radius", "500", "--out", foreign);
    assert_true(svt_same_bytes(foreign, svt_path("foreign.copy")));
    /* export and query refuse it too */
    E(foreign, NULL, "export", "--db", foreign, "--layer", "districts", "--out", svt_path("x.geojson"));
    E(foreign, NULL, "query", "--db", foreign, "break_summary");
    assert_true(svt_same_bytes(foreign, svt_path("foreign.copy")));
#undef E
}

/* ---- a failing run leaves the previous result as it was ---- */

static void test_atomic_replace(void **state)
{
    (void)state;
    const char *out = analyze_square(svt_path("result.sqlite"), "500");
    const char *copy = svt_path("result.copy");
    svt_copy(out, copy);
    const char *d = svt_path("districts.geojson"), *s = svt_path("stations.geojson");
    const char *bad = svt_write("bad.geojson", problem_districts);
    const char *missing = svt_path("missing.geojson");

    /* a missing input */
    SVT_EXPECT(1, "analyze", "--stations", missing, "--districts", d, "--radius", "700", "--out", out, "-q");
    assert_true(svt_same_bytes(out, copy));
    /* an unknown field */
    SVT_EXPECT(1, "analyze", "--stations", s, "--districts", d, "--district-id", "zzz", "--radius", "700", "--out",
               out, "-q");
    assert_true(svt_same_bytes(out, copy));
    /* --strict and a bad feature (found after the inputs were read) */
    SVT_EXPECT(1, "analyze", "--stations", s, "--districts", bad, "--strict", "--radius", "700", "--out", out, "-q");
    assert_true(svt_same_bytes(out, copy));
    /* a usage error */
    SVT_EXPECT(2, "analyze", "--stations", s, "--districts", d, "--radius", "-1", "--out", out, "-q");
    assert_true(svt_same_bytes(out, copy));
    /* a CRS PROJ cannot use for metres */
    SVT_EXPECT(2, "analyze", "--stations", s, "--districts", d, "--radius", "700", "--crs", "EPSG:4326", "--out",
               out, "-q");
    assert_true(svt_same_bytes(out, copy));

    /* no temporary file is left beside it */
    DIR *dir = opendir(svt_dir);
    assert_non_null(dir);
    struct dirent *ent;
    while ((ent = readdir(dir)) != NULL)
        if (strstr(ent->d_name, "tmp"))
            fail_msg("a temporary file was left behind: %s", ent->d_name);
    closedir(dir);

    /* a good run replaces it */
    SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--radius", "700", "--out", out, "-q");
    assert_false(svt_same_bytes(out, copy));
    sqlite3 *db = svt_db_open(out);
    assert_float_equal(svt_db_double(db, "SELECT radius_m FROM district_coverage"), 700.0, 1e-9);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM runs"), 1);
    sqlite3_close(db);
}

/* ---- feature problems: warnings naming the feature, --strict stops ---- */

static void test_issues_and_strict(void **state)
{
    (void)state;
    const char *d = svt_write("problems.geojson", problem_districts);
    const char *s = svt_write("stations.geojson", centre_station);
    const char *out = svt_path("issues.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--radius", "500", "--out", out, "-q");
    /* one warning line per problem, naming the file and the feature id */
    const char *line_nogeom = strstr(svt_last.err, "nogeom-3");
    const char *line_bow = strstr(svt_last.err, "bowtie-7");
    if (!line_nogeom || !line_bow)
        fail_msg("warnings do not name both features:\n%s", svt_last.err);
    int warnings = 0;
    for (const char *p = svt_last.err; (p = strstr(p, "warning")) != NULL; p++)
        warnings++;
    assert_int_equal(warnings, 2);
    SVT_ERR_HAS(d);
    SVT_ERR_HAS("skipped");
    SVT_ERR_HAS("repaired");
    assert_string_equal(svt_last.out, "");

    sqlite3 *db = svt_db_open(out);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM issues"), 2);
    assert_string_equal(svt_db_text(db, "SELECT action FROM issues WHERE feature_id = 'nogeom-3'"), "skipped");
    assert_string_equal(svt_db_text(db, "SELECT action FROM issues WHERE feature_id = 'bowtie-7'"), "repaired");
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM district_coverage"), 2);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM district_coverage WHERE district_id = 'nogeom-3'"), 0);
    /* the bow-tie is kept as its two triangles */
    assert_int_equal(svt_db_int(db, "SELECT repaired FROM districts WHERE district_id = 'bowtie-7'"), 1);
    assert_int_equal(svt_db_int(db, "SELECT repaired FROM districts WHERE district_id = 'sq'"), 0);
    assert_rel("bow-tie area", svt_db_double(db, "SELECT area_m2 FROM district_coverage WHERE district_id = 'bowtie-7'"),
               2e6, 1e-9);
    assert_int_equal(svt_db_int(db, "SELECT n_gap_parts FROM district_coverage WHERE district_id = 'bowtie-7'"), 2);
    assert_rel("square unaffected", svt_db_double(db, "SELECT covered_m2 FROM district_coverage WHERE district_id = 'sq'"),
               polygon_circle_area(500), 1e-9);
    assert_int_equal(svt_db_int(db, "SELECT n_issues FROM runs"), 2);
    svt_db_no_nan(db);
    sqlite3_close(db);

    /* --strict: exit 1, the message names the file and the feature, no file */
    const char *out2 = svt_path("strict.sqlite");
    SVT_EXPECT(1, "analyze", "--stations", s, "--districts", d, "--radius", "500", "--strict", "--out", out2, "-q");
    SVT_ERR_HAS(d);
    SVT_ERR_HAS("nogeom-3");
    assert_false(svt_exists(out2));
    /* and with the null feature gone, the bow-tie alone stops it */
    const char *bow_only = svt_write(
        "bow.geojson",
        "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
        "{\"type\":\"Feature\",\"properties\":{\"district_id\":\"bowtie-7\"},"
        "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[502000,4699000],[504000,4701000],"
        "[504000,4699000],[502000,4701000],[502000,4699000]]]}}]}");
    SVT_EXPECT(1, "analyze", "--stations", s, "--districts", bow_only, "--radius", "500", "--strict", "--out", out2,
               "-q");
    SVT_ERR_HAS("bowtie-7");
    SVT_ERR_HAS(bow_only);
    assert_false(svt_exists(out2));

    /* a station without geometry is skipped with a warning too */
    const char *st2 = svt_write(
        "stations2.geojson",
        "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
        "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"ghost-1\"},\"geometry\":null},"
        "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"c1\"},"
        "\"geometry\":{\"type\":\"Point\",\"coordinates\":[500000,4700000]}}]}");
    const char *sqd = svt_write("districts.geojson", square_districts);
    SVT_EXPECT(0, "analyze", "--stations", st2, "--districts", sqd, "--radius", "500", "--out", out2, "-q");
    SVT_ERR_HAS("ghost-1");
    SVT_ERR_HAS(st2);
    db = svt_db_open(out2);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM stations"), 1);
    assert_rel("one station left", svt_db_double(db, "SELECT covered_m2 FROM district_coverage"),
               polygon_circle_area(500), 1e-9);
    sqlite3_close(db);
    SVT_EXPECT(1, "analyze", "--stations", st2, "--districts", sqd, "--radius", "500", "--strict", "--out",
               svt_path("strict2.sqlite"), "-q");
    SVT_ERR_HAS("ghost-1");
}

/* ---- export ---- */

static void test_export(void **state)
{
    (void)state;
    const char *db = analyze_square(svt_path("export.sqlite"), "500,1250");

    /* GeoJSON: RFC 7946 lon/lat */
    const char *gj = svt_path("districts.out.geojson");
    SVT_EXPECT(0, "export", "--db", db, "--layer", "districts", "--out", gj);
    SVT_ERR_HAS(gj);
    GDALDatasetH ds = GDALOpenEx(gj, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    assert_non_null(ds);
    assert_int_equal(GDALDatasetGetLayerCount(ds), 1);
    OGRLayerH l = GDALDatasetGetLayer(ds, 0);
    assert_int_equal(OGR_L_GetFeatureCount(l, 1), 1);
    OGREnvelope e;
    assert_int_equal(OGR_L_GetExtent(l, &e, 1), OGRERR_NONE);
    /* the square around lon 3, lat 42.4523: about 0.0245 x 0.018 degrees */
    assert_float_equal((e.MinX + e.MaxX) / 2, 3.0, 1e-6);
    assert_float_equal((e.MinY + e.MaxY) / 2, 42.4523310, 1e-5);
    assert_in_range((long)((e.MaxX - e.MinX) * 1e4), 240, 250);
    assert_in_range((long)((e.MaxY - e.MinY) * 1e4), 178, 182);
    OGRFeatureH f = OGR_L_GetNextFeature(l);
    assert_non_null(f);
    assert_string_equal(OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "district_id")), "sq");
    assert_int_equal(wkbFlatten(OGR_G_GetGeometryType(OGR_F_GetGeometryRef(f))), wkbPolygon);
    OGR_F_Destroy(f);
    GDALClose(ds);

    /* the gaps of one break: one feature per district, lon/lat */
    const char *gaps = svt_path("gaps.geojson");
    SVT_EXPECT(0, "export", "--db", db, "--layer", "gaps", "--radius", "1250", "--out", gaps);
    ds = GDALOpenEx(gaps, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    assert_non_null(ds);
    l = GDALDatasetGetLayer(ds, 0);
    assert_int_equal(OGR_L_GetFeatureCount(l, 1), 1);
    f = OGR_L_GetNextFeature(l);
    assert_float_equal(OGR_F_GetFieldAsDouble(f, OGR_F_GetFieldIndex(f, "radius_m")), 1250.0, 1e-9);
    assert_int_equal(OGR_F_GetFieldAsInteger(f, OGR_F_GetFieldIndex(f, "n_parts")), 4);
    OGRGeometryH g = OGR_F_GetGeometryRef(f);
    OGR_G_GetEnvelope(g, &e);
    assert_true(e.MinX > 2.9 && e.MaxX < 3.1 && e.MinY > 42.4 && e.MaxY < 42.5);
    OGR_F_Destroy(f);
    GDALClose(ds);

    /* CSV of the numbers */
    const char *csv = svt_path("coverage.csv");
    SVT_EXPECT(0, "export", "--db", db, "--layer", "district_coverage", "--out", csv);
    ds = GDALOpenEx(csv, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    assert_non_null(ds);
    l = GDALDatasetGetLayer(ds, 0);
    assert_int_equal(OGR_L_GetFeatureCount(l, 1), 2);
    sqlite3 *sdb = svt_db_open(db);
    int rows = 0;
    while ((f = OGR_L_GetNextFeature(l)) != NULL) {
        double r = OGR_F_GetFieldAsDouble(f, OGR_F_GetFieldIndex(f, "radius_m"));
        double pct = OGR_F_GetFieldAsDouble(f, OGR_F_GetFieldIndex(f, "covered_pct"));
        assert_string_equal(OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "district_name")), "Square");
        double want = svt_db_double(sdb, "SELECT covered_pct FROM district_coverage WHERE radius_m = %.17g", r);
        assert_float_equal(pct, want, 1e-9);
        assert_true(r == 500 || r == 1250);
        rows++;
        OGR_F_Destroy(f);
    }
    sqlite3_close(sdb);
    assert_int_equal(rows, 2);
    GDALClose(ds);

    /* mistakes */
    SVT_EXPECT(2, "export", "--db", db, "--layer", "gaps", "--radius", "999", "--out", svt_path("x.geojson"));
    SVT_ERR_HAS("break");
    SVT_EXPECT(2, "export", "--db", db, "--layer", "nope", "--out", svt_path("x.geojson"));
    SVT_EXPECT(2, "export", "--db", db, "--layer", "districts");
    SVT_EXPECT(1, "export", "--db", db, "--layer", "districts", "--out", svt_path("nofolder/x.geojson"));
    SVT_ERR_HAS("nofolder");
    SVT_EXPECT(1, "export", "--db", svt_path("nothing.sqlite"), "--layer", "districts", "--out",
               svt_path("x.geojson"));
    SVT_ERR_HAS("nothing.sqlite");
    assert_false(svt_exists(svt_path("x.geojson")));
}

/* The demo city of `make demo`: no stored polygon part is a sliver, and every
 * geometry layer, exported in every format, is valid as read back (GeoJSON:
 * wound per RFC 7946). Rounding to 7 decimals used to fold the needles the
 * overlay left along district edges: 3 of 28 coverage polygons invalid and
 * one outer ring clockwise in out/coverage.geojson. */
static void test_export_demo_valid(void **state)
{
    (void)state;
    const char *db = svt_path("demo.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", SVCOV_SOURCE_DIR "/geodata/stations.geojson", "--districts",
               SVCOV_SOURCE_DIR "/geodata/districts.geojson", "--minutes", "10,15", "--mode", "walk", "--detour",
               "1.3", "--population-field", "population", "--out", db, "-q");
    svt_check_no_slivers(db, 0.01, "demo");
    sqlite3 *sdb = svt_db_open_spatial(db);
    /* the numbers still describe the stored polygons, to far below the tolerance */
    assert_true(svt_db_double(sdb, "SELECT max(abs(covered_m2 - coalesce(Area(geom), 0))) FROM coverage") < 1e-4);
    assert_true(svt_db_double(sdb, "SELECT max(abs(gap_m2 - coalesce(Area(geom), 0))) FROM gaps") < 1e-4);
    assert_int_equal(svt_db_int(sdb, "SELECT count(*) FROM gaps g WHERE n_parts !="
                                     " (SELECT count(*) FROM gap_parts p WHERE p.district_id = g.district_id"
                                     " AND p.radius_m = g.radius_m)"),
                     0);
    sqlite3_close(sdb);
    svt_export_counts c = svt_check_exports(db, "demo");
    assert_true(c.files >= 80); /* 10 geometry layers with rows x 8 formats */
    assert_int_equal(c.invalid, 0);
    assert_int_equal(c.wound_wrong, 0);
}

/* ---- query ---- */

static void test_query(void **state)
{
    (void)state;
    const char *db = analyze_square(svt_path("query.sqlite"), "500,1250");
    setenv("SVCOV_QUERIES", SVCOV_SOURCE_DIR "/queries", 1);

    /* the shipped break_summary: a table, one row per break */
    SVT_EXPECT(0, "query", "--db", db, "break_summary");
    SVT_OUT_HAS("(2 rows)");
    SVT_OUT_HAS("500");
    SVT_OUT_HAS("1250");
    SVT_OUT_HAS("19.63"); /* the square's share at 500 m */
    assert_null(strstr(svt_last.out, "nan"));

    /* --list names it */
    SVT_EXPECT(0, "query", "--list");
    SVT_OUT_HAS("break_summary");

    /* a query of one's own, with a parameter, as CSV */
    const char *sql = svt_write("mine.sql", "SELECT district_id, radius_m, round(covered_pct, 3) AS pct\n"
                                            "FROM district_coverage WHERE radius_m = :r;\n");
    SVT_EXPECT(0, "query", "--db", db, sql, "--set", "r=500", "--csv");
    char want[128];
    snprintf(want, sizeof want, "sq,500.0,%.3f", 100 * polygon_circle_area(500) / 4e6);
    SVT_OUT_HAS("district_id,radius_m,pct");
    SVT_OUT_HAS(want);
    SVT_EXPECT(0, "query", "--db", db, sql, "--set", "r=1250");
    SVT_OUT_HAS("(1 row)");

    /* mistakes */
    SVT_EXPECT(2, "query", "--db", db, "no_such_query");
    SVT_ERR_HAS("no_such_query");
    SVT_EXPECT(2, "query", "break_summary");
    SVT_EXPECT(1, "query", "--db", svt_path("nothing.sqlite"), "break_summary");
    SVT_ERR_HAS("nothing.sqlite");
    const char *broken = svt_write("broken.sql", "SELECT nope FROM nowhere;\n");
    SVT_EXPECT(2, "query", "--db", db, broken); /* the user's SQL is their input: a usage error */
    SVT_ERR_HAS("nowhere");
    /* read-only: a query cannot change the result */
    svt_copy(db, svt_path("query.copy"));
    const char *drop = svt_write("drop.sql", "DELETE FROM district_coverage;\n");
    int st = SVT_RUN("query", "--db", db, drop);
    assert_int_not_equal(st, 0);
    assert_true(svt_same_bytes(db, svt_path("query.copy")));
}

/* ---- svcov site ---- */

/* Three homes in the square, weight 6 in all. */
#define SITE_HOMES                                                                    \
    "{\"type\":\"Feature\",\"properties\":{\"demand_id\":\"h1\",\"weight\":2},"       \
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[499500,4699500]}},"            \
    "{\"type\":\"Feature\",\"properties\":{\"demand_id\":\"h2\",\"weight\":3},"       \
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[500500,4700500]}},"            \
    "{\"type\":\"Feature\",\"properties\":{\"demand_id\":\"h3\",\"weight\":1},"       \
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[500400,4700400]}}"

static const char *site_demand =
    "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":[" SITE_HOMES ","
    "{\"type\":\"Feature\",\"properties\":{\"demand_id\":\"bad-w\",\"weight\":-5},"
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[500000,4700000]}}]}";

static void test_site(void **state)
{
    (void)state;
    const char *d = svt_write("site_districts.geojson", square_districts);
    const char *dem = svt_write("site_demand.geojson", site_demand);
    const char *out = svt_path("site.sqlite");
    /* a 500 m grid in the square: 25 nodes; the node at the h2 corner
     * reaches h2 and h3 (weight 4); h1 needs a second site */
    SVT_EXPECT(0, "site", "--demand", dem, "--districts", d, "--grid", "500", "--radius", "300", "--model", "mclp",
               "--k", "1", "--exact", "--solver", "glpk", "--out", out);
    SVT_ERR_HAS("bad-w");
    SVT_ERR_HAS("negative weight");
    SVT_OUT_HAS("proven optimal");
    sqlite3 *db = svt_db_open(out);
    assert_int_equal(svt_db_int(db, "SELECT n_candidates FROM site_runs"), 25);
    assert_int_equal(svt_db_int(db, "SELECT n_demand FROM site_runs"), 3);
    assert_true(svt_db_double(db, "SELECT objective FROM site_runs") == 4.0);
    assert_true(svt_db_double(db, "SELECT total_weight FROM site_runs") == 6.0);
    assert_string_equal(svt_db_text(db, "SELECT model FROM site_runs"), "mclp");
    assert_string_equal(svt_db_text(db, "SELECT solver FROM site_runs"), "glpk");
    assert_int_equal(svt_db_int(db, "SELECT proven_optimal FROM site_runs"), 1);
    assert_true(svt_db_double(db, "SELECT radius_m FROM site_runs") == 300.0);
    assert_string_equal(svt_db_text(db, "SELECT candidate_id FROM sites WHERE rank = 1"), "grid E500500 N4700500");
    assert_string_equal(svt_db_text(db, "SELECT district_id FROM sites WHERE rank = 1"), "sq");
    assert_int_equal(sqlite3_enable_load_extension(db, 1), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "SELECT load_extension('mod_spatialite')", NULL, NULL, NULL), SQLITE_OK);
    assert_true(svt_db_double(db, "SELECT ST_X(geom) FROM sites") == 500500.0);
    assert_int_equal(svt_db_int(db, "SELECT ST_Srid(geom) FROM sites"), 32631);
    assert_true(svt_db_double(db, "SELECT covered_after FROM site_district_coverage WHERE district_id = 'sq'") ==
                4.0);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM issues WHERE feature_id = 'bad-w'"), 1);
    sqlite3_close(db);

    /* set covering: two sites cover all three points */
    SVT_EXPECT(0, "site", "--demand", dem, "--districts", d, "--grid", "500", "--radius", "300", "--model", "lscp",
               "--exact", "--out", out, "-q");
    db = svt_db_open(out);
    assert_int_equal(svt_db_int(db, "SELECT n_new_sites FROM site_runs"), 2);
    assert_true(svt_db_double(db, "SELECT objective FROM site_runs") == 6.0);
    sqlite3_close(db);

    /* added to an earlier analysis: its stations, districts and CRS; the
     * analysis stays, and a failing run leaves the file as it was */
    const char *an = analyze_square(svt_path("site_an.sqlite"), "300");
    SVT_EXPECT(0, "site", "--db", an, "--demand", dem, "--grid", "500", "--radius", "300", "--model", "mclp", "--k",
               "1", "-q");
    db = svt_db_open(an);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM district_coverage"), 1);
    assert_int_equal(svt_db_int(db, "SELECT n_stations FROM site_runs"), 1);
    assert_string_equal(svt_db_text(db, "SELECT crs_epsg FROM site_runs"), "32631");
    /* the centre station already reaches nothing within 300 m; the grid node
     * at the h2 corner still wins */
    assert_true(svt_db_double(db, "SELECT objective FROM site_runs") == 4.0);
    sqlite3_close(db);
    const char *keep = svt_path("site_an_copy.sqlite");
    svt_copy(an, keep);
    SVT_EXPECT(2, "site", "--db", an, "--demand", dem, "--grid", "500", "--radius", "300", "--model", "mclp", "--k",
               "99", "-q");
    assert_true(svt_same_bytes(an, keep));

    /* exported like every layer */
    const char *gj = svt_path("sites.geojson");
    SVT_EXPECT(0, "export", "--db", out, "--layer", "sites", "--out", gj);
    char *txt = svt_read(gj, NULL);
    assert_non_null(strstr(txt, "grid E500500 N4700500"));
    free(txt);
}

static void test_site_errors(void **state)
{
    (void)state;
    const char *d = svt_write("se_districts.geojson", square_districts);
    const char *dem = svt_write("se_demand.geojson", site_demand);
    const char *empty = svt_write("se_empty.geojson", empty_layer);
    const char *st = svt_write("se_station.geojson", centre_station);
    const char *out = svt_path("se.sqlite");
    /* usage: k beyond the candidates, a floor without districts, no model */
    SVT_EXPECT(2, "site", "--demand", dem, "--districts", d, "--grid", "500", "--radius", "300", "--model", "mclp",
               "--k", "26", "--out", out, "-q");
    SVT_ERR_HAS("more than the 25 candidate sites");
    SVT_EXPECT(2, "site", "--demand", dem, "--candidates", dem, "--radius", "300", "--model", "mclp", "--k", "1",
               "--min-district-share", "80%", "--out", out, "-q");
    SVT_EXPECT(2, "site", "--demand", dem, "--candidates", dem, "--radius", "300", "--out", out, "-q");
    SVT_EXPECT(2, "site", "--demand", dem, "--candidates", dem, "--radius", "-3", "--model", "lscp", "--out", out);
    /* data: no candidates, a missing weight field */
    SVT_EXPECT(1, "site", "--demand", dem, "--candidates", empty, "--radius", "300", "--model", "lscp", "--out",
               out, "-q");
    SVT_ERR_HAS("no candidate sites");
    SVT_EXPECT(1, "site", "--demand", dem, "--demand-weight", "households", "--candidates", dem, "--radius", "300",
               "--model", "lscp", "--out", out, "-q");
    SVT_ERR_HAS("households");
    /* a station reaching the whole square leaves no grid node in a gap */
    SVT_EXPECT(1, "site", "--demand", dem, "--stations", st, "--districts", d, "--grid", "500", "--grid-in", "gaps",
               "--radius", "2000", "--model", "lscp", "--out", out, "-q");
    SVT_ERR_HAS("already reached");
    assert_false(svt_exists(out));
    /* --strict turns the negative weight into an error */
    SVT_EXPECT(1, "site", "--demand", dem, "--districts", d, "--grid", "500", "--radius", "300", "--model", "lscp",
               "--strict", "--out", out, "-q");
    SVT_ERR_HAS("bad-w");
}

/* ---- provenance: runs and site_runs as GDAL, QGIS and export read them ---- */

/* The standard output of a program found in PATH; fails the test when it
 * cannot run or exits with a status other than 0. */
static char *tool_output(const char *const *argv)
{
    char outp[4200];
    snprintf(outp, sizeof outp, "%s/.tool-stdout", svt_dir);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int o = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (o < 0)
            _exit(126);
        dup2(o, 1);
        close(o);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    int ws = 0;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
        ;
    char *out = svt_read(outp, NULL);
    unlink(outp);
    if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0)
        fail_msg("%s exited with status %d", argv[0], WIFEXITED(ws) ? WEXITSTATUS(ws) : -1);
    assert_non_null(out);
    return out;
}

/* The word after "what " in svcov --version ("GDAL 3.6.2, GEOS ..."). */
static const char *version_of(const char *text, const char *what, char *buf, size_t len)
{
    char key[64];
    snprintf(key, sizeof key, "%s ", what);
    const char *p = strstr(text, key);
    if (!p)
        fail_msg("svcov --version does not name %s:\n%s", what, text);
    p += strlen(key);
    size_t n = strcspn(p, ",\n");
    snprintf(buf, len, "%.*s", (int)n, p);
    return buf;
}

/* ogrinfo -al shows field `name` of the first feature of `layer` as
 * "  name (type) = value". */
static void assert_ogrinfo_shows(const char *info, const char *layer, const char *name, const char *type,
                                 const char *value)
{
    char head[128], line[4096];
    snprintf(head, sizeof head, "OGRFeature(%s):", layer);
    const char *sec = strstr(info, head);
    if (!sec)
        fail_msg("ogrinfo shows no feature of %s:\n%s", layer, info);
    const char *next = strstr(sec, "Layer name:");
    snprintf(line, sizeof line, "\n  %s (%s) = %s\n", name, type, value);
    const char *at = strstr(sec, line);
    if (!at || (next && at > next))
        fail_msg("ogrinfo does not show \"%s (%s) = %s\" in %s:\n%.*s", name, type, value, layer,
                 next ? (int)(next - sec) : (int)strlen(sec), sec);
}

/* Every column of `table` declares TEXT, INTEGER or REAL and every stored
 * value has that storage class. */
static void assert_columns_typed(sqlite3 *db, const char *table)
{
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT name, type FROM pragma_table_info('%s')", table);
    sqlite3_stmt *s = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
    int ncol = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(s, 0), *type = (const char *)sqlite3_column_text(s, 1);
        if (strcmp(type, "TEXT") != 0 && strcmp(type, "INTEGER") != 0 && strcmp(type, "REAL") != 0)
            fail_msg("%s.%s is declared '%s', not TEXT, INTEGER or REAL", table, name, type);
        long long bad = svt_db_int(db, "SELECT count(*) FROM \"%s\" WHERE typeof(\"%s\") NOT IN ('null', lower('%s'))",
                                   table, name, type);
        if (bad)
            fail_msg("%s.%s (%s) holds %lld values of another type", table, name, type, bad);
        ncol++;
    }
    sqlite3_finalize(s);
    assert_true(ncol > 20);
}

/* The exported layer's first feature has field `name` = value. */
static void assert_export_keeps(const char *path, const char *name, const char *value)
{
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH l = GDALDatasetGetLayer(ds, 0);
    OGRFeatureH f = OGR_L_GetNextFeature(l);
    assert_non_null(f);
    int i = OGR_F_GetFieldIndex(f, name);
    if (i < 0)
        fail_msg("%s has no field %s", path, name);
    if (strcmp(OGR_F_GetFieldAsString(f, i), value) != 0)
        fail_msg("%s: %s = \"%s\", svcov stored \"%s\"", path, name, OGR_F_GetFieldAsString(f, i), value);
    OGR_F_Destroy(f);
    GDALClose(ds);
}

static void test_provenance_through_gdal(void **state)
{
    (void)state;
    const char *d = svt_write("prov_districts.geojson", square_districts);
    const char *s = svt_write("prov_stations.geojson", centre_station);
    const char *dem = svt_write("prov_demand.geojson", site_demand);
    const char *db = svt_path("prov.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--minutes", "10,15", "--mode", "walk", "--out",
               db, "-q");
    SVT_EXPECT(0, "site", "--db", db, "--demand", dem, "--grid", "500", "--radius", "300", "--model", "mclp",
               "--k", "1", "--exact", "-q");
    char analyze_cmd[8192], site_cmd[8192];
    snprintf(analyze_cmd, sizeof analyze_cmd,
             "svcov analyze --stations %s --districts %s --minutes 10,15 --mode walk --out %s -q", s, d, db);
    snprintf(site_cmd, sizeof site_cmd,
             "svcov site --db %s --demand %s --grid 500 --radius 300 --model mclp --k 1 --exact -q", db, dem);
    SVT_EXPECT(0, "--version");
    char *versions = strdup(svt_last.out);
    assert_non_null(versions);
    char vbuf[7][64];
    static const char *const libs[] = {"GDAL", "GEOS", "PROJ", "SpatiaLite", "SQLite", "GLPK"};
    static const char *const lib_columns[] = {"gdal_version", "geos_version", "proj_version", "spatialite_version",
                                              "sqlite_version", "glpk_version"};
    char svcov_version[64];
    version_of(versions, "svcov", svcov_version, sizeof svcov_version);

    /* what svcov stored, as SQLite reads it */
    sqlite3 *sdb = svt_db_open(db);
    static const char *const text_columns[] = {"started_utc", "finished_utc", "svcov_version", "command"};
    char runs_text[4][8192], site_text[4][8192], lib_text[6][64];
    for (size_t i = 0; i < 4; i++) {
        snprintf(runs_text[i], sizeof runs_text[i], "%s", svt_db_text(sdb, "SELECT %s FROM runs", text_columns[i]));
        snprintf(site_text[i], sizeof site_text[i], "%s",
                 svt_db_text(sdb, "SELECT %s FROM site_runs", text_columns[i]));
    }
    assert_string_equal(runs_text[3], analyze_cmd);
    assert_string_equal(site_text[3], site_cmd);
    assert_string_equal(runs_text[2], svcov_version);
    assert_string_equal(site_text[2], svcov_version);
    for (size_t i = 0; i < 2; i++) {
        int y, mo, da, h, mi, se;
        char z = 0;
        assert_int_equal(sscanf(runs_text[i], "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &da, &h, &mi, &se, &z), 7);
        assert_int_equal(z, 'Z');
        assert_int_equal(strlen(runs_text[i]), 20);
        assert_int_equal(strlen(site_text[i]), 20);
        assert_true(y >= 2024);
    }
    for (size_t i = 0; i < 6; i++) {
        const char *t = i < 5 ? "runs" : "site_runs";
        snprintf(lib_text[i], sizeof lib_text[i], "%s", svt_db_text(sdb, "SELECT %s FROM %s", lib_columns[i], t));
        assert_string_equal(lib_text[i], version_of(versions, libs[i], vbuf[i], sizeof vbuf[i]));
        assert_string_equal(svt_db_text(sdb, "SELECT typeof(%s) FROM %s", lib_columns[i], t), "text");
    }
    /* "5.0" and "0.1.0" are text, never 5 or 0.1 */
    assert_non_null(strchr(lib_text[5], '.'));
    assert_string_equal(svt_db_text(sdb, "SELECT typeof(speed_kmh) FROM runs"), "real");
    assert_string_equal(svt_db_text(sdb, "SELECT typeof(crs_epsg) FROM runs"), "integer");
    assert_string_equal(svt_db_text(sdb, "SELECT typeof(k) FROM site_runs"), "integer");
    assert_columns_typed(sdb, "runs");
    assert_columns_typed(sdb, "site_runs");
    /* no table declares NUMERIC (or leaves a column untyped) */
    sqlite3_stmt *q = NULL;
    assert_int_equal(sqlite3_prepare_v2(sdb,
                                        "SELECT name FROM sqlite_master WHERE type = 'table'"
                                        " AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%'"
                                        " AND name NOT LIKE 'idx_%'",
                                        -1, &q, NULL),
                     SQLITE_OK);
    int ntables = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(q, 0);
        long long bad = svt_db_int(sdb,
                                   "SELECT count(*) FROM pragma_table_info('%s') WHERE type = ''"
                                   " OR upper(type) LIKE '%%NUM%%'",
                                   t);
        if (bad)
            fail_msg("table %s declares %lld columns NUMERIC or without a type", t, bad);
        ntables++;
    }
    sqlite3_finalize(q);
    assert_true(ntables > 20);
    sqlite3_close(sdb);

    /* ogrinfo -al, as QGIS and ogr2ogr read it */
    const char *argv[] = {"ogrinfo", "-ro", "-al", "-q", db, "runs", "site_runs", NULL};
    char *info = tool_output(argv);
    for (size_t i = 0; i < 4; i++) {
        assert_ogrinfo_shows(info, "runs", text_columns[i], "String", runs_text[i]);
        assert_ogrinfo_shows(info, "site_runs", text_columns[i], "String", site_text[i]);
    }
    for (size_t i = 0; i < 6; i++)
        assert_ogrinfo_shows(info, i < 5 ? "runs" : "site_runs", lib_columns[i], "String", lib_text[i]);
    assert_ogrinfo_shows(info, "runs", "crs_epsg", "Integer", "32631");
    assert_ogrinfo_shows(info, "runs", "speed_kmh", "Real", "5");
    assert_ogrinfo_shows(info, "site_runs", "k", "Integer", "1");
    assert_ogrinfo_shows(info, "site_runs", "objective", "Real", "4");
    free(info);

    /* svcov export keeps them too (CSV: every field as text; GeoPackage: typed) */
    const char *csv = svt_path("runs.csv"), *site_csv = svt_path("site_runs.csv"), *gpkg = svt_path("runs.gpkg");
    SVT_EXPECT(0, "export", "--db", db, "--layer", "runs", "--out", csv);
    SVT_EXPECT(0, "export", "--db", db, "--layer", "site_runs", "--out", site_csv);
    SVT_EXPECT(0, "export", "--db", db, "--layer", "runs", "--out", gpkg);
    for (size_t i = 0; i < 4; i++) {
        assert_export_keeps(csv, text_columns[i], runs_text[i]);
        assert_export_keeps(gpkg, text_columns[i], runs_text[i]);
        assert_export_keeps(site_csv, text_columns[i], site_text[i]);
    }
    for (size_t i = 0; i < 5; i++) {
        assert_export_keeps(csv, lib_columns[i], lib_text[i]);
        assert_export_keeps(gpkg, lib_columns[i], lib_text[i]);
    }
    assert_export_keeps(site_csv, "glpk_version", lib_text[5]);
    GDALDatasetH ds = GDALOpenEx(gpkg, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(GDALDatasetGetLayer(ds, 0));
    assert_int_equal(OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, OGR_FD_GetFieldIndex(defn, "command"))), OFTString);
    assert_int_equal(OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, OGR_FD_GetFieldIndex(defn, "speed_kmh"))), OFTReal);
    OGRFieldType et = OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, OGR_FD_GetFieldIndex(defn, "crs_epsg")));
    assert_true(et == OFTInteger || et == OFTInteger64);
    GDALClose(ds);
    free(versions);
}

/* sv_store_record itself: a column the schema does not describe, or a
 * number column given text, is refused (never stored NUMERIC); text stays
 * text. */
static void test_run_record_types(void **state)
{
    (void)state;
    sv_ctx *ctx = sv_ctx_create();
    assert_non_null(ctx);
    sv_store *st = NULL;
    const char *db = svt_path("record.sqlite");
    assert_int_equal(sv_store_create(ctx, db, 32631, &st), SV_OK);
    /* every site_runs column by name, all NULL but three */
    const sv_table_desc *t = sv_schema_table(SV_TABLE_SITE_RUNS);
    const char *cols[64], *good[64] = {0}, *bad[64] = {0};
    for (size_t i = 0; i < t->n_columns; i++)
        cols[i] = t->columns[i].name;
    for (size_t i = 0; i < t->n_columns; i++) {
        if (strcmp(cols[i], "svcov_version") == 0)
            good[i] = bad[i] = "5.0";
        else if (strcmp(cols[i], "k") == 0)
            good[i] = "42", bad[i] = "many";
        else if (strcmp(cols[i], "radius_m") == 0)
            good[i] = "0.50", bad[i] = "1";
    }
    assert_int_equal(sv_store_record(ctx, st, SV_TABLE_SITE_RUNS, cols, good, t->n_columns, NULL), SV_OK);
    assert_int_equal(sv_store_record(ctx, st, SV_TABLE_SITE_RUNS, cols, bad, t->n_columns, NULL), SV_ERR_INTERNAL);
    assert_non_null(strstr(sv_ctx_errmsg(ctx), "site_runs.k = 'many' is not an INTEGER"));
    const char *untyped[] = {"version"};
    assert_int_equal(sv_store_record(ctx, st, SV_TABLE_RUNS, untyped, good, 1, NULL), SV_ERR_INTERNAL);
    assert_non_null(strstr(sv_ctx_errmsg(ctx), "runs has no column 'version'"));
    assert_int_equal(sv_store_record(ctx, st, SV_TABLE_SITE_RUNS, cols, good, t->n_columns - 1, NULL),
                     SV_ERR_INTERNAL);
    char missing[128]; /* the last column is the one left without a value */
    snprintf(missing, sizeof missing, "no value for site_runs.%s", cols[t->n_columns - 1]);
    assert_non_null(strstr(sv_ctx_errmsg(ctx), missing));
    assert_int_equal(sv_store_commit(ctx, st), SV_OK);
    sv_ctx_destroy(ctx);
    sqlite3 *sdb = svt_db_open(db);
    assert_int_equal(svt_db_int(sdb, "SELECT count(*) FROM site_runs"), 1);
    assert_string_equal(svt_db_text(sdb, "SELECT svcov_version || ' ' || typeof(svcov_version) FROM site_runs"),
                        "5.0 text");
    assert_string_equal(svt_db_text(sdb, "SELECT k || ' ' || typeof(k) FROM site_runs"), "42 integer");
    assert_string_equal(svt_db_text(sdb, "SELECT radius_m || ' ' || typeof(radius_m) FROM site_runs"), "0.5 real");
    assert_int_equal(svt_db_int(sdb, "SELECT count(*) FROM sqlite_master WHERE name = 'runs'"), 0);
    sqlite3_close(sdb);
}

/* ---- svcov site: issue 11 regressions ---- */

/* Issue 11, item 4, then issue 15, item 1: on a network analysis siting
 * no longer uses circles (it refused while only circles existed): it
 * measures reach along the analysis's streets, with its mode, break and
 * snapping, and says so in site_runs. */
static void test_site_refuses_network_db(void **state)
{
    (void)state;
    const char *d = svt_write("nw_districts.geojson", square_districts);
    const char *st = svt_write("nw_station.geojson", centre_station);
    const char *dem = svt_write("nw_demand.geojson", site_demand);
    const char *roads = svt_write("nw_roads.geojson",
                                  "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
                                  "{\"type\":\"Feature\",\"properties\":{\"highway\":\"residential\"},"
                                  "\"geometry\":{\"type\":\"LineString\",\"coordinates\":"
                                  "[[499000,4700000],[501000,4700000]]}}]}");
    const char *net = svt_path("nw_network.sqlite"), *keep = svt_path("nw_network.copy");
    SVT_EXPECT(0, "analyze", "--stations", st, "--districts", d, "--network", roads, "--mode", "walk", "--minutes",
               "10", "--out", net, "-q");
    svt_copy(net, keep);
    /* with --out elsewhere the analysis stays as it was */
    const char *other = svt_path("nw_other.sqlite");
    SVT_EXPECT(0, "site", "--db", net, "--demand", dem, "--grid", "500", "--model", "mclp", "--k", "1", "--out",
               other, "-q");
    assert_true(svt_same_bytes(net, keep));
    sqlite3 *db = svt_db_open(other);
    assert_string_equal(svt_db_text(db, "SELECT reach FROM site_runs"), "network");
    assert_true(strstr(svt_db_text(db, "SELECT network_path FROM site_runs"), "nw_roads.geojson") != NULL);
    assert_string_equal(svt_db_text(db, "SELECT mode FROM site_runs"), "walk");
    assert_true(svt_db_double(db, "SELECT minutes FROM site_runs") == 10.0);
    assert_string_equal(svt_db_text(db, "SELECT snap || access_legs FROM site_runs"), "edge1");
    assert_true(svt_db_double(db, "SELECT reach_s FROM site_runs") >= 0);
    sqlite3_close(db);
    /* --radius is metres along the streets; set covering works too */
    const char *lscp = svt_path("nw_lscp.sqlite");
    SVT_EXPECT(0, "site", "--db", net, "--demand", dem, "--grid", "500", "--radius", "300", "--model", "lscp",
               "--exact", "--out", lscp, "-q");
    db = svt_db_open(lscp);
    assert_string_equal(svt_db_text(db, "SELECT reach FROM site_runs"), "network");
    assert_true(svt_db_double(db, "SELECT radius_m FROM site_runs") == 300.0);
    assert_string_equal(svt_db_text(db, "SELECT minutes FROM site_runs"), "(null)");
    sqlite3_close(db);
    /* the explicit straight-line run works, and says circle */
    SVT_EXPECT(0, "site", "--stations", st, "--districts", d, "--demand", dem, "--grid", "500", "--minutes", "10",
               "--model", "mclp", "--k", "1", "--out", other, "-q");
    db = svt_db_open(other);
    assert_string_equal(svt_db_text(db, "SELECT reach FROM site_runs ORDER BY site_run_id DESC LIMIT 1"), "circle");
    sqlite3_close(db);
    /* a circle analysis is still taken (see test_site) */
    const char *circles = analyze_square(svt_path("nw_circles.sqlite"), "300");
    SVT_EXPECT(0, "site", "--db", circles, "--demand", dem, "--grid", "500", "--radius", "300", "--model", "mclp",
               "--k", "1", "-q");
}

/* n pseudo-random demand points (a fixed LCG) in the 2 km square. */
static const char *write_many_homes(const char *name, int n)
{
    size_t cap = (size_t)n * 128 + 256, len = 0;
    char *b = malloc(cap);
    assert_non_null(b);
    len += (size_t)snprintf(b + len, cap - len, "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":[");
    unsigned long long x = 12345;
    for (int i = 0; i < n; i++) {
        double u[2];
        for (int k = 0; k < 2; k++) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            u[k] = (double)(x >> 11) / 9007199254740992.0;
        }
        len += (size_t)snprintf(b + len, cap - len,
                                "%s{\"type\":\"Feature\",\"properties\":{\"demand_id\":\"h%d\"},\"geometry\":"
                                "{\"type\":\"Point\",\"coordinates\":[%.3f,%.3f]}}",
                                i ? "," : "", i, 499000 + 2000 * u[0], 4699000 + 2000 * u[1]);
    }
    snprintf(b + len, cap - len, "]}");
    const char *p = svt_write(name, b);
    free(b);
    return p;
}

/* Issue 11, item 5: GLPK's LP relaxation of 2,000 homes and 1,681 grid
 * sites takes far more than the 1 ms allowed here (over 0.1 s on any
 * machine); the run still succeeds and stores the greedy answer, not
 * proven, without a bound, with a note that says where it stopped. */
static void test_site_exact_timeout_keeps_greedy(void **state)
{
    (void)state;
    const char *d = svt_write("to_districts.geojson", square_districts);
    const char *dem = write_many_homes("to_homes.geojson", 2000);
    const char *out = svt_path("to.sqlite");
    SVT_EXPECT(0, "site", "--demand", dem, "--districts", d, "--grid", "50", "--radius", "300", "--model", "mclp",
               "--k", "10", "--exact", "--solver", "glpk", "--time-limit", "0.001", "--out", out);
    SVT_OUT_HAS("exact (GLPK ");
    SVT_OUT_HAS("stopped at the time limit, the greedy answer is kept");
    SVT_OUT_HAS("note: exact solve stopped at the time limit (0.001 s) during the LP relaxation; the greedy answer "
                "is kept");
    sqlite3 *db = svt_db_open(out);
    assert_int_equal(svt_db_int(db, "SELECT n_candidates FROM site_runs"), 1681);
    assert_int_equal(svt_db_int(db, "SELECT n_demand FROM site_runs"), 2000);
    assert_string_equal(svt_db_text(db, "SELECT solver FROM site_runs"), "greedy");
    assert_int_equal(svt_db_int(db, "SELECT proven_optimal FROM site_runs"), 0);
    assert_int_equal(svt_db_int(db, "SELECT bound IS NULL AND gap IS NULL FROM site_runs"), 1);
    assert_int_equal(svt_db_int(db, "SELECT exact_s IS NOT NULL FROM site_runs"), 1);
    assert_string_equal(svt_db_text(db, "SELECT note FROM site_runs"),
                        "exact solve stopped at the time limit (0.001 s) during the LP relaxation; the greedy answer "
                        "is kept");
    assert_int_equal(svt_db_int(db, "SELECT n_new_sites FROM site_runs"), 10);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM sites"), 10);
    double obj = svt_db_double(db, "SELECT objective FROM site_runs");
    assert_true(obj > 0 && obj == svt_db_double(db, "SELECT greedy_objective FROM site_runs"));
    assert_true(obj == svt_db_double(db, "SELECT max(cumulative_weight) FROM sites"));
    sqlite3_close(db);
}

/* Three homes in the square (weight 6) and one far east of it (weight 4):
 * at most 60% can be covered from the grid. */
static const char *site_demand_far =
    "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":[" SITE_HOMES ","
    "{\"type\":\"Feature\",\"properties\":{\"demand_id\":\"far\",\"weight\":4},"
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[503000,4700000]}}]}";

/* Issue 11, item 6: --target 95% where 60% can be reached is capped at
 * 60% with a warning (stderr and issues), solved exactly (2 sites), and
 * the note and the printed lines are true; --strict refuses. */
static void test_site_lscp_target_capped(void **state)
{
    (void)state;
    const char *d = svt_write("tc_districts.geojson", square_districts);
    const char *dem = svt_write("tc_demand.geojson", site_demand_far);
    const char *out = svt_path("tc.sqlite");
    SVT_EXPECT(0, "site", "--demand", dem, "--districts", d, "--grid", "500", "--radius", "300", "--model", "lscp",
               "--target", "95%", "--exact", "--solver", "glpk", "--out", out);
    SVT_ERR_HAS("warning: ");
    SVT_ERR_HAS("has 1 point out of reach of every candidate and station: --target 95% is more than the 60% of "
                "its weight that can be covered, so the target was capped at 60% (every coverable point)");
    SVT_OUT_HAS("proven optimal");
    SVT_OUT_HAS("note: --target 95% is more than the 60% of the demand weight that any sites can reach");
    assert_null(strstr(svt_last.out, "add --exact"));
    assert_null(strstr(svt_last.out, "time limit"));
    sqlite3 *db = svt_db_open(out);
    assert_int_equal(svt_db_int(db, "SELECT n_new_sites FROM site_runs"), 2);
    assert_int_equal(svt_db_int(db, "SELECT proven_optimal FROM site_runs"), 1);
    assert_string_equal(svt_db_text(db, "SELECT solver FROM site_runs"), "glpk");
    assert_true(svt_db_double(db, "SELECT objective FROM site_runs") == 6.0);
    assert_true(svt_db_double(db, "SELECT target_share FROM site_runs") == 0.95); /* what was asked */
    assert_true(svt_db_double(db, "SELECT covered_share FROM site_runs") == 0.6);
    assert_non_null(strstr(svt_db_text(db, "SELECT note FROM site_runs"), "the target was capped at that share"));
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM issues WHERE problem LIKE '%%target was capped at 60%%%%'"),
                     1);
    sqlite3_close(db);
    /* --strict stops instead, and writes nothing */
    const char *strict = svt_path("tc_strict.sqlite");
    SVT_EXPECT(1, "site", "--demand", dem, "--districts", d, "--grid", "500", "--radius", "300", "--model", "lscp",
               "--target", "95%", "--strict", "--out", strict, "-q");
    SVT_ERR_HAS("--target 95% is more than the 60% of its weight that can be covered; lower --target to at most 60% "
                "(--strict refuses to cap it)");
    assert_false(svt_exists(strict));
}

/* The optimum of an MPS file as solved by glpsol or cbc (NAN when the
 * tool's output has none). */
static double external_optimum(const char *tool, const char *mps)
{
    char cmd[8500];
    const char *log = svt_path(strcmp(tool, "glpsol") == 0 ? "mps_glpsol.txt" : "mps_cbc.txt");
    if (strcmp(tool, "glpsol") == 0)
        snprintf(cmd, sizeof cmd, "glpsol --freemps '%s' -o '%s' >/dev/null 2>&1", mps, log);
    else
        snprintf(cmd, sizeof cmd, "cbc '%s' solve >'%s' 2>&1", mps, log);
    if (system(cmd) != 0)
        fail_msg("%s failed (installed by scripts/install-deps.sh: glpk-utils, coinor-cbc): %s", tool, cmd);
    char *txt = svt_read(log, NULL);
    assert_non_null(txt);
    /* glpsol: "Objective:  R0000000 = -4 (MINimum)"; cbc: "Objective value:   -4.00000000", or for a
     * model without columns "Optimal - objective value 0" */
    double v = NAN;
    const char *at = NULL;
    if (strcmp(tool, "glpsol") == 0) {
        if ((at = strstr(txt, "Objective:")) && (at = strchr(at, '=')))
            v = strtod(at + 1, NULL);
    } else if ((at = strstr(txt, "Objective value:"))) {
        v = strtod(at + strlen("Objective value:"), NULL);
    } else if ((at = strstr(txt, "Optimal - objective value "))) {
        v = strtod(at + strlen("Optimal - objective value "), NULL);
    }
    if (!(v == v))
        fail_msg("no optimum in the output of %s:\n%s", tool, txt);
    free(txt);
    return v;
}

/* Issue 11, item 7: glpsol and cbc minimise an MPS file and take no
 * objective sense from it, so the written maximal coverage model is the
 * minimisation of minus the new coverage: both solve it, as written, to
 * minus svcov's optimum (not to 0). */
static void test_site_mps_objsense(void **state)
{
    (void)state;
    const char *d = svt_write("mps_districts.geojson", square_districts);
    const char *dem = svt_write("mps_demand.geojson", site_demand);
    const char *out = svt_path("mps.sqlite"), *mps = svt_path("mclp.mps"), *lscp = svt_path("lscp.mps");
    SVT_EXPECT(0, "site", "--demand", dem, "--districts", d, "--grid", "500", "--radius", "300", "--model", "mclp",
               "--k", "1", "--exact", "--write-mps", mps, "--out", out, "-q");
    sqlite3 *db = svt_db_open(out);
    double gain = svt_db_double(db, "SELECT objective - existing_covered FROM site_runs");
    sqlite3_close(db);
    assert_true(gain == 4.0);
    char *txt = svt_read(mps, NULL);
    assert_non_null(txt);
    assert_non_null(strstr(txt, "* Problem:    svcov_mclp_minimise_minus_new_covered_weight\n"));
    free(txt);
    assert_true(external_optimum("glpsol", mps) == -gain);
    assert_true(external_optimum("cbc", mps) == -gain);
    /* set covering is a minimisation already: the number of new sites */
    SVT_EXPECT(0, "site", "--demand", dem, "--districts", d, "--grid", "500", "--radius", "300", "--model", "lscp",
               "--exact", "--write-mps", lscp, "--out", out, "-q");
    txt = svt_read(lscp, NULL);
    assert_non_null(strstr(txt, "* Problem:    svcov_lscp_minimise_new_sites\n"));
    free(txt);
    assert_true(external_optimum("glpsol", lscp) == 2.0);
    assert_true(external_optimum("cbc", lscp) == 2.0);
    /* nothing left to decide (the station reaches every home): still a file, the empty model */
    const char *st = svt_write("mps_station.geojson", centre_station), *empty = svt_path("empty.mps");
    SVT_EXPECT(0, "site", "--demand", dem, "--stations", st, "--districts", d, "--grid", "500", "--radius", "2000",
               "--model", "lscp", "--exact", "--write-mps", empty, "--out", out, "-q");
    assert_true(external_optimum("glpsol", empty) == 0.0);
    assert_true(external_optimum("cbc", empty) == 0.0);
}

/* Issue 10, --target part: a share is "90%" or "0.9"; a bare number above
 * 1 is refused instead of being read as a fraction of a percent. The same
 * for --min-district-share. */
static void test_site_target_fraction(void **state)
{
    (void)state;
    const char *d = svt_write("tf_districts.geojson", square_districts);
    const char *dem = svt_write("tf_demand.geojson", site_demand);
    const char *pct = svt_path("tf_pct.sqlite"), *frac = svt_path("tf_frac.sqlite");
    /* 4 of 6 (one site at the h2 corner) */
    SVT_EXPECT(0, "site", "--demand", dem, "--districts", d, "--grid", "500", "--radius", "300", "--model", "lscp",
               "--target", "60%", "--exact", "--out", pct, "-q");
    SVT_EXPECT(0, "site", "--demand", dem, "--districts", d, "--grid", "500", "--radius", "300", "--model", "lscp",
               "--target", "0.6", "--exact", "--out", frac, "-q");
    sqlite3 *a = svt_db_open(pct), *b = svt_db_open(frac);
    assert_true(svt_db_double(a, "SELECT target_share FROM site_runs") == 0.6);
    assert_true(svt_db_double(b, "SELECT target_share FROM site_runs") == 0.6);
    assert_int_equal(svt_db_int(a, "SELECT n_new_sites FROM site_runs"), 1);
    assert_int_equal(svt_db_int(b, "SELECT n_new_sites FROM site_runs"), 1);
    assert_true(svt_db_double(b, "SELECT objective FROM site_runs") == 4.0);
    sqlite3_close(a);
    sqlite3_close(b);
    const char *no = svt_path("tf_no.sqlite");
    SVT_EXPECT(2, "site", "--demand", dem, "--districts", d, "--grid", "500", "--radius", "300", "--model", "lscp",
               "--target", "60", "--out", no, "-q");
    SVT_ERR_HAS("--target 60: a number without % is a fraction, at most 1; write 60% or 0.6");
    SVT_EXPECT(2, "site", "--demand", dem, "--districts", d, "--grid", "500", "--radius", "300", "--model", "lscp",
               "--target", "120%", "--out", no, "-q");
    SVT_ERR_HAS("at most 100%");
    SVT_EXPECT(2, "site", "--demand", dem, "--districts", d, "--grid", "500", "--radius", "300", "--model", "lscp",
               "--target", "0", "--out", no, "-q");
    SVT_ERR_HAS("give a share as a percentage such as 90% or a fraction such as 0.9");
    /* district floors read the same way */
    SVT_EXPECT(0, "site", "--demand", dem, "--districts", d, "--grid", "500", "--radius", "300", "--model", "mclp",
               "--k", "1", "--min-district-share", "0.8", "--out", pct, "-q");
    a = svt_db_open(pct);
    assert_true(svt_db_double(a, "SELECT min_district_share FROM site_runs") == 0.8);
    sqlite3_close(a);
    SVT_EXPECT(2, "site", "--demand", dem, "--districts", d, "--grid", "500", "--radius", "300", "--model", "mclp",
               "--k", "1", "--min-district-share", "80", "--out", no, "-q");
    SVT_ERR_HAS("--min-district-share 80: a number without % is a fraction, at most 1; write 80% or 0.8");
    assert_false(svt_exists(no));
}

/* issue 18 item 12: --set values are typed by the query's declarations and
 * checked before anything is printed ("80%" was bound as text, and every
 * row was below a text target). */
static void test_query_set_typed(void **state)
{
    (void)state;
    const char *db = analyze_square(svt_path("typed.sqlite"), "500,1250");
    setenv("SVCOV_QUERIES", SVCOV_SOURCE_DIR "/queries", 1);
    /* the square is 19.63% covered at 500 m, more at 1250 m: one row below 50% */
    SVT_EXPECT(0, "query", "--db", db, "below_target", "--set", "target=50%");
    SVT_OUT_HAS("(1 row)");
    SVT_OUT_HAS("19.63");
    char *pct = strdup(svt_last.out);
    SVT_EXPECT(0, "query", "--db", db, "below_target", "--set", "target=50");
    assert_string_equal(svt_last.out, pct);
    free(pct);
    SVT_EXPECT(0, "query", "--db", db, "below_target", "--set", "target=19", "--csv");
    assert_string_equal(svt_last.out, "district_id,district_name,brk,covered_pct,short_by_pp,gap_km2,"
                                      "n_stations_inside\n");
    /* values that are not of the declared type, before any output */
    static const char *const bad[] = {"target=50 OR 1=1", "target=\"50\"", "target='50'", "target=",
                                      "target=50%%", "target=inf", "target=abc"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        SVT_EXPECT(2, "query", "--db", db, "below_target", "--set", bad[i]);
        SVT_ERR_HAS("target is a share in %, e.g. --set target=80 or target=80%");
        assert_string_equal(svt_last.out, "");
    }
    SVT_EXPECT(2, "query", "--db", db, "largest_gaps", "--set", "limit=5.5");
    SVT_ERR_HAS("limit is a whole number");
    SVT_EXPECT(2, "query", "--db", db, "largest_gaps", "--set", "minutes=ten");
    SVT_ERR_HAS("minutes is a number");
    /* unknown and repeated names */
    SVT_EXPECT(2, "query", "--db", db, "below_target", "--set", "tagret=50");
    SVT_ERR_HAS("below_target has no parameter tagret; its parameters: target, minutes");
    assert_string_equal(svt_last.out, "");
    SVT_EXPECT(2, "query", "--db", db, "below_target", "--set", "target=50", "--set", "target=60");
    SVT_ERR_HAS("--set target given twice (50 and 60)");
    assert_string_equal(svt_last.out, "");
    /* a query of one's own without declarations: numbers bound as numbers; a name no statement has
     * stops before the first statement prints */
    const char *own = svt_write("own.sql", "SELECT 1 AS one;\nSELECT typeof(:r) AS t, :r + 0 AS v;\n");
    SVT_EXPECT(0, "query", "--db", db, own, "--set", "r=500", "--csv");
    assert_string_equal(svt_last.out, "one\n1\nt,v\ninteger,500\n");
    SVT_EXPECT(0, "query", "--db", db, own, "--set", "r=0.5", "--csv");
    assert_string_equal(svt_last.out, "one\n1\nt,v\nreal,0.5\n");
    SVT_EXPECT(0, "query", "--db", db, own, "--set", "r=abc", "--csv");
    assert_string_equal(svt_last.out, "one\n1\nt,v\ntext,0\n");
    SVT_EXPECT(2, "query", "--db", db, own, "--set", "x=1");
    SVT_ERR_HAS("the query has no parameter :x");
    assert_string_equal(svt_last.out, "");
    /* a declaration svcov cannot read */
    const char *decl = svt_write("decl.sql", "-- what\n-- param n NUMBER\nSELECT :n;\n");
    SVT_EXPECT(2, "query", "--db", db, decl, "--set", "n=1");
    SVT_ERR_HAS("parameter n has type 'NUMBER'; use REAL, INTEGER or TEXT");
}

/* issue 18 item 18: what svcov says about a damaged database, a bad break,
 * an existing export and a network input. */
static void test_messages_damaged_db_export_network(void **state)
{
    (void)state;
    const char *db = analyze_square(svt_path("msg.sqlite"), "500,1250");
    size_t n = 0;
    char *bytes = svt_read(db, &n);
    assert_non_null(bytes);
    /* a copy cut to a third: cut short, not "schema version -1" */
    const char *cut = svt_path("cut.sqlite");
    FILE *f = fopen(cut, "wb");
    assert_int_equal(fwrite(bytes, 1, n / 3, f), n / 3);
    fclose(f);
    SVT_EXPECT(1, "query", "--db", cut, "break_summary");
    SVT_ERR_HAS("is cut short");
    assert_null(strstr(svt_last.err, "schema version"));
    SVT_EXPECT(1, "map", "--db", cut, "--out", svt_path("cut.png"), "-q");
    SVT_ERR_HAS("is cut short");
    /* every page but the header's with a broken b-tree header: damaged, exit 1 (not 2) */
    unsigned page = ((unsigned char)bytes[16] << 8) | (unsigned char)bytes[17];
    for (size_t p = page; p + 16 <= n; p += page)
        memset(bytes + p, 0xff, 16);
    const char *bad = svt_path("damaged.sqlite");
    f = fopen(bad, "wb");
    assert_int_equal(fwrite(bytes, 1, n, f), n);
    fclose(f);
    free(bytes);
    setenv("SVCOV_QUERIES", SVCOV_SOURCE_DIR "/queries", 1);
    SVT_EXPECT(1, "query", "--db", bad, "break_summary");
    SVT_ERR_HAS("is damaged (database disk image is malformed); copy it again or rerun 'svcov analyze'");
    SVT_EXPECT(1, "report", "--db", bad, "--out", svt_path("damaged.md"));
    SVT_ERR_HAS("is damaged");
    SVT_EXPECT(1, "map", "--db", bad, "--html", svt_path("damaged.html"), "-q");
    SVT_ERR_HAS("is damaged");
    /* the user's own SQL with a mistake stays a usage error */
    const char *typo = svt_write("typo.sql", "SELEC 1;\n");
    SVT_EXPECT(2, "query", "--db", db, typo);

    /* export: a break that is no number */
    static const char *const breaks[] = {"inf", "1e999", "-inf", "nan", "15min"};
    for (size_t i = 0; i < sizeof breaks / sizeof breaks[0]; i++) {
        SVT_EXPECT(2, "export", "--db", db, "--layer", "gaps", "--minutes", breaks[i], "--out",
                   svt_path("inf.geojson"));
        SVT_ERR_HAS("give a break in minutes, e.g. 15");
        SVT_EXPECT(2, "export", "--db", db, "--layer", "gaps", "--radius", breaks[i], "--out",
                   svt_path("inf.geojson"));
        SVT_ERR_HAS("give a break in metres, e.g. 500");
    }
    assert_null(strstr(svt_last.err, "no such column"));
    /* export: an existing file is replaced only with --overwrite, the database never */
    const char *mine = svt_write("mine.geojson", "{\"a planner's\": \"own file\"}");
    SVT_EXPECT(1, "export", "--db", db, "--layer", "districts", "--out", mine);
    SVT_ERR_HAS("--out");
    SVT_ERR_HAS("mine.geojson already exists; add --overwrite to replace it");
    char *kept = svt_read(mine, NULL);
    assert_string_equal(kept, "{\"a planner's\": \"own file\"}");
    free(kept);
    SVT_EXPECT(0, "export", "--db", db, "--layer", "districts", "--out", mine, "--overwrite");
    kept = svt_read(mine, NULL);
    assert_non_null(strstr(kept, "\"district_id\": \"sq\""));
    free(kept);
    svt_copy(db, svt_path("msg.copy"));
    SVT_EXPECT(1, "export", "--db", db, "--layer", "districts", "--format", "gpkg", "--out", db, "--overwrite");
    SVT_ERR_HAS("is the result database itself");
    assert_true(svt_same_bytes(db, svt_path("msg.copy")));

    /* inputs on the network: refused before anything is fetched */
    const char *sq = svt_write("msg_districts.geojson", square_districts);
    const char *st = svt_write("msg_stations.geojson", centre_station);
    static const char *const urls[] = {"/vsicurl/http://127.0.0.1:9/s.geojson", "https://127.0.0.1:9/s.geojson",
                                       "/vsizip//vsis3/bucket/s.zip/s.shp", "HTTP://127.0.0.1:9/s.geojson:layer"};
    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
        SVT_EXPECT(2, "analyze", "--stations", urls[i], "--districts", sq, "--radius", "500", "--out",
                   svt_path("net.sqlite"), "-q");
        SVT_ERR_HAS("reads from the network, and svcov works offline; download the file and give its local path, "
                    "or add --allow-network");
    }
    SVT_EXPECT(2, "analyze", "--stations", st, "--districts", "/vsigs/b/d.geojson", "--radius", "500", "--out",
               svt_path("net.sqlite"), "-q");
    SVT_ERR_HAS("--districts /vsigs/b/d.geojson: /vsigs reads from the network");
    SVT_EXPECT(2, "site", "--demand", "/vsicurl/http://127.0.0.1:9/d.geojson", "--stations", st, "--districts", sq,
               "--grid", "500", "--radius", "500", "--model", "mclp", "--k", "1", "--out", svt_path("net_site.sqlite"),
               "-q");
    SVT_ERR_HAS("--demand /vsicurl/http://127.0.0.1:9/d.geojson: /vsicurl reads from the network");
    /* asked for: GDAL tries (a closed local port: a read error, not the refusal) */
    SVT_EXPECT(1, "analyze", "--stations", "/vsicurl/http://127.0.0.1:9/s.geojson", "--districts", sq, "--radius",
               "500", "--out", svt_path("net.sqlite"), "-q", "--allow-network");
    assert_null(strstr(svt_last.err, "works offline"));
    assert_false(svt_exists(svt_path("net.sqlite")));
    /* a local folder that only looks like one */
    assert_int_equal(mkdir(svt_path("vsis3backup"), 0755), 0);
    const char *local = svt_write("vsis3backup/s.geojson", centre_station);
    SVT_EXPECT(0, "analyze", "--stations", local, "--districts", sq, "--radius", "500", "--out",
               svt_path("net.sqlite"), "-q");
}

/* The exact solver by default: CBC where its library is built into svcov
 * (SVCOV_HAVE_CBC, as CMake found coinor-libcbc-dev), else GLPK; --solver
 * overrides either way. Whether a cbc program is on PATH no longer matters:
 * the svcov child runs with a PATH that has none. Both solvers prove the
 * same optimum; built without CBC, --solver cbc is a usage error. */
static void test_site_default_solver(void **state)
{
    (void)state;
    const char *path = getenv("PATH");
    char *saved = strdup(path ? path : "/usr/bin:/bin");
    assert_non_null(saved);
    const char *d = svt_write("ds_districts.geojson", square_districts);
    const char *dem = svt_write("ds_demand.geojson", site_demand);
    const char *without = svt_path("ds_without");
    assert_int_equal(mkdir(without, 0755), 0);
#ifdef SVCOV_HAVE_CBC
    const char *builtin = "cbc", *builtin_printed = "exact (CBC ";
#else
    const char *builtin = "glpk", *builtin_printed = "exact (GLPK ";
#endif
    struct {
        const char *solver_arg, *want, *printed;
    } cases[] = {
        {NULL, builtin, builtin_printed},
        {"glpk", "glpk", "exact (GLPK "},
#ifdef SVCOV_HAVE_CBC
        {"cbc", "cbc", "exact (CBC "},
#endif
    };
    double objective[3] = {0};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char name[32];
        snprintf(name, sizeof name, "ds%zu.sqlite", c);
        const char *out = svt_path(name);
        setenv("PATH", without, 1);
        if (cases[c].solver_arg)
            SVT_EXPECT(0, "site", "--demand", dem, "--districts", d, "--grid", "500", "--radius", "300", "--model",
                       "mclp", "--k", "1", "--exact", "--solver", cases[c].solver_arg, "--out", out);
        else
            SVT_EXPECT(0, "site", "--demand", dem, "--districts", d, "--grid", "500", "--radius", "300", "--model",
                       "mclp", "--k", "1", "--exact", "--out", out);
        setenv("PATH", saved, 1);
        SVT_OUT_HAS(cases[c].printed);
        SVT_OUT_HAS("proven optimal");
        sqlite3 *db = svt_db_open(out);
        assert_string_equal(svt_db_text(db, "SELECT solver FROM site_runs"), cases[c].want);
        assert_int_equal(svt_db_int(db, "SELECT proven_optimal FROM site_runs"), 1);
        objective[c] = svt_db_double(db, "SELECT objective FROM site_runs");
        assert_true(objective[c] == 4.0);
        sqlite3_close(db);
    }
#ifndef SVCOV_HAVE_CBC
    SVT_EXPECT(2, "site", "--demand", dem, "--districts", d, "--grid", "500", "--radius", "300", "--model", "mclp",
               "--k", "1", "--exact", "--solver", "cbc", "--out", svt_path("ds_nocbc.sqlite"));
    SVT_ERR_HAS("built without COIN-OR CBC");
#endif
    /* and without --exact the choice does not matter: the greedy answers */
    setenv("PATH", without, 1);
    SVT_EXPECT(0, "site", "--demand", dem, "--districts", d, "--grid", "500", "--radius", "300", "--model", "mclp",
               "--k", "1", "--out", svt_path("ds_greedy.sqlite"));
    setenv("PATH", saved, 1);
    SVT_OUT_HAS("add --exact");
    free(saved);
}

/* site_runs.cbc_version: the version of the CBC library svcov was built with (pkg-config's, passed in by
 * tests/CMakeLists.txt), NULL without CBC; stored whichever solver ran, and kept by the CSV export. */
static void test_site_cbc_version(void **state)
{
    (void)state;
    const char *d = svt_write("cv_districts.geojson", square_districts);
    const char *dem = svt_write("cv_demand.geojson", site_demand);
    static const char *const solvers[] = {NULL, "glpk"};
    for (size_t c = 0; c < 2; c++) {
        char name[32];
        snprintf(name, sizeof name, "cv%zu.sqlite", c);
        const char *out = svt_path(name);
        if (solvers[c])
            SVT_EXPECT(0, "site", "--demand", dem, "--districts", d, "--grid", "500", "--radius", "300", "--model",
                       "mclp", "--k", "1", "--exact", "--solver", solvers[c], "--out", out, "-q");
        else
            SVT_EXPECT(0, "site", "--demand", dem, "--districts", d, "--grid", "500", "--radius", "300", "--model",
                       "mclp", "--k", "1", "--out", out, "-q");
        sqlite3 *db = svt_db_open(out);
#ifdef SVCOV_HAVE_CBC
        assert_string_equal(svt_db_text(db, "SELECT cbc_version FROM site_runs"), SVT_CBC_VERSION);
        assert_int_equal(svt_db_int(db, "SELECT count(*) FROM site_runs WHERE cbc_version = glpk_version"), 0);
#else
        assert_int_equal(svt_db_int(db, "SELECT count(*) FROM site_runs WHERE cbc_version IS NULL"), 1);
#endif
        sqlite3_close(db);
    }
#ifdef SVCOV_HAVE_CBC
    const char *csv = svt_path("cv_site_runs.csv");
    SVT_EXPECT(0, "export", "--db", svt_path("cv0.sqlite"), "--layer", "site_runs", "--out", csv);
    assert_export_keeps(csv, "cbc_version", SVT_CBC_VERSION);
#endif
}

/* --exact with CBC (no MIP start) skips the swap search: site_runs.swap_objective and n_swaps are NULL and
 * no swap line is printed, the optimum is GLPK's (which still swaps for its start, as without --exact). */
static void test_site_exact_cbc_no_swap(void **state)
{
    (void)state;
#ifndef SVCOV_HAVE_CBC
    skip();
#else
    const char *d = svt_write("ns_districts.geojson", square_districts);
    const char *dem = svt_write("ns_demand.geojson", site_demand);
    static const char *const solver[] = {"cbc", "glpk", NULL};
    double obj[3], swapped[3];
    long long nulls[3];
    for (size_t c = 0; c < 3; c++) {
        char name[32];
        snprintf(name, sizeof name, "ns%zu.sqlite", c);
        const char *out = svt_path(name);
        if (solver[c])
            SVT_EXPECT(0, "site", "--demand", dem, "--districts", d, "--grid", "500", "--radius", "300", "--model",
                       "mclp", "--k", "2", "--exact", "--solver", solver[c], "--out", out);
        else
            SVT_EXPECT(0, "site", "--demand", dem, "--districts", d, "--grid", "500", "--radius", "300", "--model",
                       "mclp", "--k", "2", "--out", out);
        if (c == 0 && strstr(svt_last.out, "swaps of a site"))
            fail_msg("--exact with CBC printed a swap search:\n%s", svt_last.out);
        if (c > 0)
            SVT_OUT_HAS("swaps of a site");
        sqlite3 *db = svt_db_open(out);
        obj[c] = svt_db_double(db, "SELECT objective FROM site_runs");
        swapped[c] = svt_db_double(db, "SELECT coalesce(swap_objective, -1) FROM site_runs");
        nulls[c] = svt_db_int(db, "SELECT (swap_objective IS NULL) + (n_swaps IS NULL) FROM site_runs");
        if (c < 2)
            assert_int_equal(svt_db_int(db, "SELECT proven_optimal FROM site_runs"), 1);
        sqlite3_close(db);
    }
    assert_int_equal(nulls[0], 2);
    assert_int_equal(nulls[1], 0);
    assert_int_equal(nulls[2], 0);
    assert_true(obj[0] == 6.0 && obj[1] == obj[0]); /* h1 (2) and h2 + h3 (4): all three homes */
    assert_true(swapped[1] == swapped[2] && swapped[2] == obj[2]);
#endif
}

int main(int argc, char **argv)
{
    static const svt_group groups[] = {
        {"analyze", cmocka_unit_test(test_analyze_square)},
        {"analyze", cmocka_unit_test(test_analyze_lonlat_and_csv)},
        {"analyze", cmocka_unit_test(test_analyze_full_coverage)},
        {"breaks", cmocka_unit_test(test_breaks_minutes)},
        {"empty", cmocka_unit_test(test_empty_stations)},
        {"usage_errors", cmocka_unit_test(test_usage_errors)},
        {"data_errors", cmocka_unit_test(test_data_errors)},
        {"atomic", cmocka_unit_test(test_atomic_replace)},
        {"issues", cmocka_unit_test(test_issues_and_strict)},
        {"export", cmocka_unit_test(test_export)},
        {"export_valid", cmocka_unit_test(test_export_demo_valid)},
        {"query", cmocka_unit_test(test_query)},
        {"site", cmocka_unit_test(test_site)},
        {"site", cmocka_unit_test(test_site_errors)},
        {"provenance", cmocka_unit_test(test_provenance_through_gdal)},
        {"provenance", cmocka_unit_test(test_run_record_types)},

        {"site_refuses_network_db", cmocka_unit_test(test_site_refuses_network_db)},
        {"site_exact_timeout_keeps_greedy", cmocka_unit_test(test_site_exact_timeout_keeps_greedy)},
        {"site_lscp_target_capped", cmocka_unit_test(test_site_lscp_target_capped)},
        {"site_mps_objsense", cmocka_unit_test(test_site_mps_objsense)},
        {"site_target_fraction", cmocka_unit_test(test_site_target_fraction)},
        {"site_default_solver", cmocka_unit_test(test_site_default_solver)},
        {"site_cbc_version", cmocka_unit_test(test_site_cbc_version)},
        {"site_exact_cbc_no_swap", cmocka_unit_test(test_site_exact_cbc_no_swap)},
        {"query_set_typed", cmocka_unit_test(test_query_set_typed)},
        {"messages_damaged_db_export_network", cmocka_unit_test(test_messages_damaged_db_export_network)},
    };
    return svt_run_groups(argc, argv, "cli", groups, sizeof groups / sizeof groups[0], group_setup,
                          group_teardown);
}
