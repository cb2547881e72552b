/* test_compare.c - station plans (analyze --add-stations, --remove-stations,
 * --add-sites) and svcov compare (issue 15, items 2 and 3), on the demo city:
 * the change tables against the two runs' own tables, the gained polygons'
 * area (SpatiaLite's ST_Area of the stored polygons) against the change in
 * covered area, a plan removed again, a plan from a siting run against that
 * run's "after", the refusals, and map, report and query of a comparison. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "svtest.h"

#ifndef SVCOV_SHARED_DIR
#define SVCOV_SHARED_DIR "../shared"
#endif
#ifndef SVCOV_SOURCE_DIR
#error "SVCOV_SOURCE_DIR must name the source tree"
#endif

#define STATIONS SVCOV_SOURCE_DIR "/geodata/stations.geojson"
#define DISTRICTS SVCOV_SOURCE_DIR "/geodata/districts.geojson"

/* A new station in the largest 10-minute gap of the demo city (district D0013). */
#define N1_FEATURE                                                                                          \
    "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"N1\",\"name\":\"New one\",\"category\":"        \
    "\"charging\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[113.968,22.5639]}}"

static const char *base_db, *plan_db, *change_db;

static sqlite3 *open_spatial(const char *path)
{
    sqlite3 *db = svt_db_open(path);
    char *err = NULL;
    sqlite3_enable_load_extension(db, 1);
    if (sqlite3_load_extension(db, "mod_spatialite", NULL, &err) != SQLITE_OK)
        fail_msg("cannot load mod_spatialite: %s", err ? err : "?");
    return db;
}

static void attach(sqlite3 *db, const char *path, const char *as)
{
    char *sql = sqlite3_mprintf("ATTACH DATABASE %Q AS %s", path, as);
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("cannot attach %s: %s", path, err ? err : "?");
    sqlite3_free(sql);
}

static int group_setup(void **state)
{
    (void)state;
    if (svt_make_dir("compare") != 0)
        return -1;
    base_db = svt_path("base.sqlite");
    plan_db = svt_path("plan.sqlite");
    change_db = svt_path("change.sqlite");
    svt_write("new.geojson", "{\"type\":\"FeatureCollection\",\"features\":[" N1_FEATURE "]}");
    /* the base run and the plan with one new station: every group starts from these */
    if (SVT_RUN("analyze", "--stations", STATIONS, "--districts", DISTRICTS, "--population-field", "population",
                "--out", base_db, "-q") != 0 ||
        SVT_RUN("analyze", "--stations", STATIONS, "--districts", DISTRICTS, "--population-field", "population",
                "--add-stations", svt_path("new.geojson"), "--out", plan_db, "-q") != 0 ||
        SVT_RUN("compare", "--base", base_db, "--plan", plan_db, "--out", change_db, "-q") != 0) {
        fprintf(stderr, "setup failed: %s\n", svt_last.err);
        return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    svt_run_free();
    svt_remove_dir();
    return 0;
}

/* district_change and city_change are the differences of the two runs' own tables (to 1e-9 pp); the gained
 * polygons' area is the change in covered area; nothing is lost by adding a station. */
static void test_add_one_station(void **state)
{
    (void)state;
    sqlite3 *db = open_spatial(change_db);
    attach(db, base_db, "a");
    attach(db, plan_db, "b");
    long long nd = svt_db_int(db, "SELECT count(*) FROM a.district_coverage");
    assert_int_equal(nd, 28); /* 14 districts, 2 breaks */
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM district_change"), nd);
    /* every row joined on (district, break), the change against the runs' tables */
    const char *join = "FROM district_change c JOIN a.district_coverage x ON x.district_id = c.district_id AND"
                       " abs(x.radius_m - c.radius_m) < 1e-9 JOIN b.district_coverage y ON y.district_id ="
                       " c.district_id AND abs(y.radius_m - c.radius_m) < 1e-9";
    assert_int_equal(svt_db_int(db, "SELECT count(*) %s", join), nd);
    double worst = svt_db_double(db, "SELECT max(abs(c.delta_pp - (y.covered_pct - x.covered_pct))) %s", join);
    assert_true(worst <= 1e-9);
    assert_true(svt_db_double(db, "SELECT max(abs(c.covered_pct_base - x.covered_pct) + abs(c.covered_pct_plan -"
                                  " y.covered_pct) + abs(c.gap_m2_base - x.gap_m2) + abs(c.gap_m2_plan - y.gap_m2))"
                                  " %s", join) <= 1e-9);
    assert_true(svt_db_double(db, "SELECT max(abs(c.delta_pop - (y.pop_covered - x.pop_covered))) %s", join) <= 1e-9);
    /* the new station lies in D0013's 10-minute gap: that district gains, no other changes */
    double d13 = svt_db_double(db, "SELECT c.delta_pp %s WHERE c.district_id = 'D0013' AND c.minutes = 10", join);
    double want = svt_db_double(db, "SELECT y.covered_pct - x.covered_pct %s WHERE c.district_id = 'D0013' AND"
                                    " c.minutes = 10", join);
    assert_true(d13 > 5 && fabs(d13 - want) <= 1e-9);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM district_change WHERE abs(delta_pp) > 1e-9"), 1);
    assert_true(svt_db_double(db, "SELECT delta_pop FROM district_change WHERE district_id = 'D0013' AND"
                                  " minutes = 10") > 1000);
    /* the whole city */
    assert_true(svt_db_double(db, "SELECT max(abs(c.delta_pp - (y.covered_pct - x.covered_pct)) + abs(c.delta_pop -"
                                  " (y.pop_covered - x.pop_covered))) FROM city_change c JOIN a.city_coverage x ON"
                                  " abs(x.radius_m - c.radius_m) < 1e-9 JOIN b.city_coverage y ON abs(y.radius_m -"
                                  " c.radius_m) < 1e-9") <= 1e-9);
    assert_int_equal(svt_db_int(db, "SELECT n_stations_plan - n_stations_base FROM city_change LIMIT 1"), 1);
    /* the gained polygon, measured by SpatiaLite on what is stored, against the covered areas of the two runs:
       to 1e-6 m2 (the stored coverage polygons leave out parts thinner than 1 cm, none here) */
    double gained = svt_db_double(db, "SELECT sum(ST_Area(geom)) FROM coverage_gained WHERE district_id = 'D0013' AND"
                                      " minutes = 10");
    double delta_m2 = svt_db_double(db, "SELECT y.covered_m2 - x.covered_m2 %s WHERE c.district_id = 'D0013' AND"
                                        " c.minutes = 10", join);
    if (!(fabs(gained - delta_m2) <= 1e-6))
        fail_msg("gained polygon %.9f m2, change in covered area %.9f m2", gained, delta_m2);
    assert_true(delta_m2 > 1e5);
    assert_true(svt_db_double(db, "SELECT max(abs(gained_m2 - lost_m2 - (covered_m2_plan - covered_m2_base))) FROM"
                                  " district_change") <= 1e-6);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM coverage_lost"), 0);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM coverage_gained"), 1);
    /* the station: added, once per break, at its place in the plan */
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM station_change WHERE station_id = 'N1' AND change = 'added'"),
                     2);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM station_change"), 2);
    assert_true(svt_db_double(db, "SELECT abs(ST_X(c.geom) - ST_X(s.geom)) + abs(ST_Y(c.geom) - ST_Y(s.geom)) FROM"
                                  " station_change c JOIN b.stations s ON s.station_id = c.station_id LIMIT 1") == 0);
    /* the people only it covers are the people the plan gains (a station alone in a gap) */
    double alone = svt_db_double(db, "SELECT pop_alone FROM station_change WHERE minutes = 10");
    double city_gain = svt_db_double(db, "SELECT delta_pop FROM city_change WHERE minutes = 10");
    if (!(fabs(alone - city_gain) <= 0.01))
        fail_msg("people only N1 covers %.6f, people gained %.6f", alone, city_gain);
    assert_int_equal(svt_db_int(db, "SELECT n_added * 100 + n_removed * 10 + n_moved FROM compare_runs"), 100);
    /* the plan is recorded in the plan's runs */
    assert_string_equal(svt_db_text(db, "SELECT plan_add_stations FROM b.runs"), svt_path("new.geojson"));
    assert_int_equal(svt_db_int(db, "SELECT n_stations_added FROM b.runs"), 1);
    assert_int_equal(svt_db_int(db, "SELECT n_stations - (SELECT n_stations FROM a.runs) FROM b.runs"), 1);
    assert_string_equal(svt_db_text(db, "SELECT coalesce(plan_add_stations, 'none') FROM a.runs"), "none");
    sqlite3_close(db);
}

/* The stations of the demo city plus N1 in one file (GeoJSON text: N1 appended to the features). */
static const char *stations_with_n1(void)
{
    char *t = svt_read(STATIONS, NULL);
    assert_non_null(t);
    char *end = strrchr(t, ']');
    assert_non_null(end);
    size_t n = strlen(t) + strlen(N1_FEATURE) + 8;
    char *w = malloc(n);
    assert_non_null(w);
    snprintf(w, n, "%.*s,\n%s\n%s", (int)(end - t), t, N1_FEATURE, end);
    const char *p = svt_write("with_n1.geojson", w);
    free(w);
    free(t);
    return p;
}

/* Removing the station again gives the base run back: no change at all; against the plan the same change with
 * the other sign. A moved station (same id, other place) and removal by a file of ids. */
static void test_remove_again_and_move(void **state)
{
    (void)state;
    const char *with = stations_with_n1(), *again = svt_path("again.sqlite"), *zero = svt_path("zero.sqlite"),
               *back = svt_path("back.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", with, "--districts", DISTRICTS, "--population-field", "population",
               "--remove-stations", "N1", "--out", again, "-q");
    SVT_EXPECT(0, "compare", "--base", base_db, "--plan", again, "--out", zero, "-q");
    sqlite3 *db = svt_db_open(zero);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM district_change"), 28);
    assert_true(svt_db_double(db, "SELECT max(abs(delta_pp) + abs(delta_pop) + gained_m2 + lost_m2) FROM"
                                  " district_change") == 0);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM coverage_gained") + svt_db_int(db, "SELECT count(*) FROM"
                                                                                         " coverage_lost"), 0);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM station_change"), 0);
    sqlite3_close(db);
    /* the plan against the plan without N1: removed, the change of adding it with the other sign */
    SVT_EXPECT(0, "compare", "--base", plan_db, "--plan", again, "--out", back, "-q");
    db = svt_db_open(back);
    attach(db, change_db, "c");
    assert_true(svt_db_double(db, "SELECT max(abs(x.delta_pp + y.delta_pp) + abs(x.lost_m2 - y.gained_m2)) FROM"
                                  " district_change x JOIN c.district_change y ON x.district_id = y.district_id AND"
                                  " x.radius_m = y.radius_m") <= 1e-9);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM station_change WHERE station_id = 'N1' AND change ="
                                    " 'removed'"), 2);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM coverage_lost"), 1);
    sqlite3_close(db);

    /* moving S000003: removed, then added 300 m east under the same id */
    sqlite3 *bd = open_spatial(base_db);
    double lon = svt_db_double(bd, "SELECT X(ST_Transform(geom, 4326)) FROM stations WHERE station_id = 'S000003'");
    double lat = svt_db_double(bd, "SELECT Y(ST_Transform(geom, 4326)) FROM stations WHERE station_id = 'S000003'");
    sqlite3_close(bd);
    char moved[512];
    snprintf(moved, sizeof moved, "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
             "{\"station_id\":\"S000003\",\"name\":\"Moved\",\"category\":\"charging\"},\"geometry\":{\"type\":"
             "\"Point\",\"coordinates\":[%.7f,%.7f]}}]}", lon + 0.003, lat);
    const char *mv = svt_write("moved.geojson", moved), *mdb = svt_path("moved.sqlite"),
               *mch = svt_path("moved_change.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", STATIONS, "--districts", DISTRICTS, "--remove-stations", "S000003",
               "--add-stations", mv, "--out", mdb, "-q");
    SVT_EXPECT(0, "compare", "--base", base_db, "--plan", mdb, "--out", mch, "-q");
    db = open_spatial(mch);
    attach(db, base_db, "a");
    attach(db, mdb, "b");
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM station_change WHERE change = 'moved' AND station_id ="
                                    " 'S000003'"), 2);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM station_change WHERE change != 'moved'"), 0);
    double d = svt_db_double(db, "SELECT ST_Distance(x.geom, y.geom) FROM a.stations x JOIN b.stations y ON"
                                 " x.station_id = y.station_id WHERE x.station_id = 'S000003'");
    assert_true(d > 250 && d < 350);
    assert_true(fabs(svt_db_double(db, "SELECT moved_m FROM station_change LIMIT 1") - d) < 1e-6);
    assert_int_equal(svt_db_int(db, "SELECT n_stations_added * 10 + n_stations_removed FROM b.runs"), 11);
    sqlite3_close(db);

    /* removal by a text file of ids (a comment and a blank line allowed) */
    const char *ids = svt_write("close.txt", "# closed next year\nS000003\n\nS000004\n"), *rdb = svt_path("closed.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", STATIONS, "--districts", DISTRICTS, "--remove-stations", ids, "--out",
               rdb, "-q");
    db = svt_db_open(rdb);
    attach(db, base_db, "a");
    assert_int_equal(svt_db_int(db, "SELECT (SELECT n_stations FROM a.runs) - n_stations FROM runs"), 2);
    assert_int_equal(svt_db_int(db, "SELECT n_stations_removed FROM runs"), 2);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM stations WHERE station_id IN ('S000003', 'S000004')"), 0);
    sqlite3_close(db);
    /* ... and by a layer of the stations to close (their ids; where they are does not matter) */
    const char *layer = svt_write("close.geojson", "{\"type\":\"FeatureCollection\",\"features\":["
                                  "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"S000005\"},\"geometry\":"
                                  "{\"type\":\"Point\",\"coordinates\":[113.95,22.53]}},"
                                  "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"S000006\"},\"geometry\":"
                                  "{\"type\":\"Point\",\"coordinates\":[113.95,22.53]}}]}");
    const char *ldb = svt_path("closed_layer.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", STATIONS, "--districts", DISTRICTS, "--remove-stations", layer, "--out",
               ldb, "-q");
    db = svt_db_open(ldb);
    assert_int_equal(svt_db_int(db, "SELECT n_stations_removed FROM runs"), 2);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM stations WHERE station_id IN ('S000005', 'S000006')"), 0);
    sqlite3_close(db);
}

/* Demand points over the demo city (a fixed pseudo-random pattern), weights 1 to 5. */
static const char *write_demand(void)
{
    size_t cap = 1 << 20, k = 0;
    char *b = malloc(cap);
    assert_non_null(b);
    k += (size_t)snprintf(b + k, cap - k, "{\"type\":\"FeatureCollection\",\"features\":[");
    uint32_t s = 12345;
    for (int i = 0; i < 1500; i++) {
        s = s * 1103515245u + 12345u;
        double x = 113.925 + 0.06 * ((s >> 8) & 0xffff) / 65536.0;
        s = s * 1103515245u + 12345u;
        double y = 22.515 + 0.06 * ((s >> 8) & 0xffff) / 65536.0;
        k += (size_t)snprintf(b + k, cap - k, "%s{\"type\":\"Feature\",\"properties\":{\"demand_id\":\"H%04d\","
                              "\"weight\":%d},\"geometry\":{\"type\":\"Point\",\"coordinates\":[%.7f,%.7f]}}",
                              i ? "," : "", i, 1 + i % 5, x, y);
    }
    snprintf(b + k, cap - k, "]}");
    const char *p = svt_write("demand.geojson", b);
    free(b);
    return p;
}

/* A plan of the sites a 'svcov site' run chose reproduces that run's "after": per district the demand covered
 * with the sites equals analyze's district_demand of the plan (and "before" the base run's). */
static void test_plan_from_site_run(void **state)
{
    (void)state;
    const char *demand = write_demand(), *siting = svt_path("siting.sqlite"), *sbase = svt_path("sbase.sqlite"),
               *splan = svt_path("splan.sqlite");
    SVT_EXPECT(0, "site", "--demand", demand, "--stations", STATIONS, "--districts", DISTRICTS, "--grid", "150",
               "--grid-in", "gaps", "--radius", "400", "--model", "mclp", "--k", "4", "--out", siting, "-q");
    SVT_EXPECT(0, "analyze", "--stations", STATIONS, "--districts", DISTRICTS, "--radius", "400", "--demand", demand,
               "--out", sbase, "-q");
    SVT_EXPECT(0, "analyze", "--stations", STATIONS, "--districts", DISTRICTS, "--radius", "400", "--demand", demand,
               "--add-sites", siting, "--out", splan, "-q");
    sqlite3 *db = svt_db_open(splan);
    attach(db, siting, "s");
    attach(db, sbase, "a");
    assert_int_equal(svt_db_int(db, "SELECT n_new_sites FROM s.site_runs"), 4);
    assert_int_equal(svt_db_int(db, "SELECT n_stations - (SELECT n_stations FROM a.runs) FROM runs"), 4);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM stations WHERE station_id IN (SELECT candidate_id FROM"
                                    " s.sites)"), 4);
    const char *join = "FROM s.site_district_coverage c JOIN district_demand p ON p.district_id = c.district_id"
                       " JOIN a.district_demand b ON b.district_id = c.district_id";
    assert_int_equal(svt_db_int(db, "SELECT count(*) %s", join), 14);
    /* the sites add coverage somewhere, so the check below can fail */
    assert_true(svt_db_double(db, "SELECT sum(c.covered_after - c.covered_before) %s", join) > 50);
    double worst = svt_db_double(db, "SELECT max(abs(c.covered_after - p.demand_covered) + abs(c.covered_before -"
                                     " b.demand_covered) + abs(c.demand_total - p.demand_total) +"
                                     " abs(c.share_after_pct - 100 * p.covered_share)) %s", join);
    if (!(worst <= 1e-9))
        fail_msg("site_district_coverage and the plan's district_demand differ by %g", worst);
    assert_string_equal(svt_db_text(db, "SELECT plan_add_sites FROM runs"), siting);
    sqlite3_close(db);
    /* a siting run in another CRS (UTM 50N, the analysis in 49N): its sites are transformed; where they land, in
       lon/lat through SpatiaLite's ST_Transform of each database, agrees to 1e-8 degrees (about 1 mm) */
    const char *s50 = svt_path("siting50.sqlite"), *p50 = svt_path("splan50.sqlite");
    SVT_EXPECT(0, "site", "--demand", demand, "--stations", STATIONS, "--districts", DISTRICTS, "--grid", "150",
               "--grid-in", "gaps", "--radius", "400", "--model", "mclp", "--k", "4", "--crs", "EPSG:32650", "--out",
               s50, "-q");
    SVT_EXPECT(0, "analyze", "--stations", STATIONS, "--districts", DISTRICTS, "--radius", "400", "--add-sites", s50,
               "--out", p50, "-q");
    db = open_spatial(p50);
    attach(db, s50, "s");
    assert_int_equal(svt_db_int(db, "SELECT srid FROM s.geometry_columns WHERE f_table_name = 'sites'"), 32650);
    assert_int_equal(svt_db_int(db, "SELECT crs_epsg FROM runs"), 32649);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM stations t JOIN s.sites x ON x.candidate_id = t.station_id"), 4);
    sqlite3 *sd = open_spatial(s50); /* each database transforms with its own spatial_ref_sys */
    attach(sd, s50, "s");
    double far = 0;
    for (int k = 1; k <= 4; k++) {
        const char *q = "SELECT %s(ST_Transform(geom, 4326)) FROM %s WHERE %s = (SELECT candidate_id FROM s.sites"
                        " WHERE rank = %d)";
        double ax = svt_db_double(sd, q, "X", "sites", "candidate_id", k), ay = svt_db_double(sd, q, "Y", "sites",
                                                                                            "candidate_id", k);
        double bx = svt_db_double(db, q, "X", "stations", "station_id", k), by = svt_db_double(db, q, "Y", "stations",
                                                                                             "station_id", k);
        far = fmax(far, fabs(ax - bx) + fabs(ay - by));
    }
    sqlite3_close(sd);
    if (!(far < 1e-8))
        fail_msg("sites of a siting run in EPSG:32650 placed %g degrees off", far);
    sqlite3_close(db);
    /* a siting run by its number; one that does not exist is refused */
    char run1[4200], run9[4200];
    snprintf(run1, sizeof run1, "%s:1", siting);
    snprintf(run9, sizeof run9, "%s:9", siting);
    SVT_EXPECT(0, "analyze", "--stations", STATIONS, "--districts", DISTRICTS, "--radius", "400", "--add-sites", run1,
               "--out", svt_path("run1.sqlite"), "-q");
    SVT_EXPECT(2, "analyze", "--stations", STATIONS, "--districts", DISTRICTS, "--radius", "400", "--add-sites", run9,
               "--out", svt_path("run9.sqlite"), "-q");
    SVT_ERR_HAS("holds no chosen site of siting run 9");
    assert_false(svt_exists(svt_path("run9.sqlite")));
}

/* Bad input: exit 2 with a message naming the option and what differs, and nothing written (an earlier --out
 * stays as it was). */
static void test_refused(void **state)
{
    (void)state;
    const char *out = svt_path("refused.sqlite"), *kept = svt_path("kept.sqlite");
    /* an earlier result at --out that must survive every refusal */
    svt_copy(change_db, kept);
    const char *radius = svt_path("radius.sqlite"), *crs = svt_path("crs.sqlite"), *ids = svt_path("ids.sqlite"),
               *one = svt_path("one.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", STATIONS, "--districts", DISTRICTS, "--radius", "500", "--out", radius, "-q");
    SVT_EXPECT(0, "analyze", "--stations", STATIONS, "--districts", DISTRICTS, "--crs", "EPSG:32650", "--out", crs, "-q");
    SVT_EXPECT(0, "analyze", "--stations", STATIONS, "--districts", DISTRICTS, "--district-id", "name", "--out", ids,
               "-q");
    SVT_EXPECT(0, "analyze", "--stations", STATIONS, "--districts", DISTRICTS, "--minutes", "10", "--out", one, "-q");
    static const struct {
        const char *what;
        int db;
    } cases[] = {{"the plan in circles (mode distance)", 0}, {"the base run is in EPSG:32649, the plan in EPSG:32650", 1},
                 {"is not a district of the plan", 2}, {"the breaks differ", 3}};
    const char *plans[] = {radius, crs, ids, one};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        SVT_EXPECT(2, "compare", "--base", base_db, "--plan", plans[cases[i].db], "--out", out, "-q");
        SVT_ERR_HAS("cannot be compared");
        SVT_ERR_HAS(cases[i].what);
        assert_false(svt_exists(out));
        svt_copy(kept, svt_path("before.sqlite"));
        SVT_EXPECT(2, "compare", "--base", base_db, "--plan", plans[cases[i].db], "--out", kept, "-q");
        assert_true(svt_same_bytes(kept, svt_path("before.sqlite")));
    }
    /* a database of 'svcov site' alone holds no analysis */
    const char *siting = svt_path("only_site.sqlite");
    SVT_EXPECT(0, "site", "--demand", STATIONS, "--candidates", STATIONS, "--radius", "300", "--model", "mclp", "--k",
               "1", "--out", siting, "-q");
    SVT_EXPECT(2, "compare", "--base", siting, "--plan", plan_db, "--out", out, "-q");
    SVT_ERR_HAS("holds no run of 'svcov analyze'");
    SVT_EXPECT(2, "compare", "--base", base_db, "--plan", plan_db, "--out", base_db, "-q");
    SVT_ERR_HAS("would replace a database being compared");
    char dotted[4200];
    snprintf(dotted, sizeof dotted, "%s/./plan.sqlite", svt_dir); /* another name of the plan */
    SVT_EXPECT(2, "compare", "--base", base_db, "--plan", plan_db, "--out", dotted, "-q");
    SVT_ERR_HAS("would replace a database being compared");
    assert_false(svt_exists(out));

    /* plans: an unknown id, a file without points (lines; no features), an id that stays */
    const char *lines = svt_write("lines.geojson", "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                                  "\"properties\":{\"station_id\":\"L1\"},\"geometry\":{\"type\":\"LineString\","
                                  "\"coordinates\":[[113.96,22.56],[113.97,22.57]]}}]}");
    const char *empty = svt_write("empty.geojson", "{\"type\":\"FeatureCollection\",\"features\":[]}");
    const char *clash = svt_write("clash.geojson", "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":"
                                  "\"Feature\",\"properties\":{\"station_id\":\"S000001\"},\"geometry\":{\"type\":"
                                  "\"Point\",\"coordinates\":[113.96,22.56]}}]}");
    static const struct {
        const char *opt, *arg, *msg;
    } plans2[] = {
        {"--remove-stations", "S000003,NOPE", "--remove-stations: no station has the id 'NOPE'"},
        {"--add-stations", NULL, "stations must be points"},
        {"--add-stations", NULL, "has no station points (0 features read)"},
        {"--add-stations", NULL, "the new station 'S000001' has the id of a station that stays"},
        {"--add-sites", NULL, "holds no chosen site"},
    };
    const char *args[] = {NULL, lines, empty, clash, base_db};
    for (size_t i = 0; i < sizeof plans2 / sizeof plans2[0]; i++) {
        const char *arg = plans2[i].arg ? plans2[i].arg : args[i];
        SVT_EXPECT(2, "analyze", "--stations", STATIONS, "--districts", DISTRICTS, plans2[i].opt, arg, "--out", out,
                   "-q");
        SVT_ERR_HAS(plans2[i].msg);
        assert_false(svt_exists(out));
        svt_copy(kept, svt_path("before.sqlite"));
        SVT_EXPECT(2, "analyze", "--stations", STATIONS, "--districts", DISTRICTS, plans2[i].opt, arg, "--out", kept,
                   "-q");
        assert_true(svt_same_bytes(kept, svt_path("before.sqlite")));
    }
}

/* map, report and query of a comparison: the legend of the change (and not on an analysis's map), the report's
 * before/after row of D0013 as the two runs give it, the people gained by the new station. */
static void test_map_report_query(void **state)
{
    (void)state;
    const char *pdf = svt_path("change.pdf"), *base_pdf = svt_path("base.pdf"), *md = svt_path("change.md");
    /* all breaks: the change is drawn at the largest one that has any (10 minutes; nothing changes at 15) */
    SVT_EXPECT(0, "map", "--db", change_db, "--out", pdf, "-q");
    SVT_EXPECT(0, "map", "--db", base_db, "--minutes", "10", "--out", base_pdf, "-q");
    char cmd[4400], text[65536];
    for (int k = 0; k < 2; k++) {
        snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' -", k ? base_pdf : pdf);
        FILE *p = popen(cmd, "r");
        assert_non_null(p);
        size_t n = fread(text, 1, sizeof text - 1, p);
        text[n] = 0;
        pclose(p);
        if (k == 0) {
            assert_non_null(strstr(text, "Coverage gained by the plan (10 min)"));
            assert_non_null(strstr(text, "Station added or moved (1, 0)"));
            assert_non_null(strstr(text, "Station plan against the base run: 14 districts, 201 stations"));
        } else
            assert_null(strstr(text, "Coverage gained"));
    }
    SVT_EXPECT(0, "map", "--db", change_db, "--minutes", "10", "--lang", "zh", "--out", svt_path("change_zh.png"),
               "-q");
    SVT_EXPECT(0, "report", "--db", change_db, "--out", md, "-q");
    char *r = svt_read(md, NULL);
    assert_non_null(r);
    assert_non_null(strstr(r, "## Before and after the plan (svcov compare)"));
    sqlite3 *db = svt_db_open(base_db);
    attach(db, plan_db, "b");
    char row[256], name[128];
    snprintf(name, sizeof name, "%s", svt_db_text(db, "SELECT district_name FROM district_coverage WHERE"
                                                      " district_id = 'D0013' LIMIT 1"));
    snprintf(row, sizeof row, "| D0013 | %s | 10 min | %s |", name,
             svt_db_text(db, "SELECT printf('%%.1f | %%.1f | %%+.2f', x.covered_pct, y.covered_pct, y.covered_pct -"
                             " x.covered_pct) FROM district_coverage x JOIN b.district_coverage y ON y.district_id ="
                             " x.district_id AND y.radius_m = x.radius_m WHERE x.district_id = 'D0013' AND"
                             " x.minutes = 10"));
    if (!strstr(r, row))
        fail_msg("the report has no row \"%s\":\n%s", row, r);
    assert_non_null(strstr(r, "| N1 | New one | added | 10 min |"));
    free(r);
    SVT_EXPECT(0, "query", "--db", change_db, "people_gained_per_station", "--set", "minutes=10", "--csv");
    char want[128];
    snprintf(want, sizeof want, "N1,New one,added,10 min,%.1f,", round(svt_db_double(db, "SELECT pop_lost FROM"
                                                                                         " b.critical_stations WHERE"
                                                                                         " station_id = 'N1' AND"
                                                                                         " minutes = 10")));
    SVT_OUT_HAS(want);
    sqlite3_close(db);
    SVT_EXPECT(0, "query", "--db", change_db, "plan_district_change", "--set", "minutes=10", "--csv");
    SVT_OUT_HAS("D0013,");
    assert_null(strstr(svt_last.out, "D0001,"));
}

static char andorra[4096];

/* Network mode on the shared Andorra extract: a new station on a street in a gap of district 2804758. The change
 * is again the difference of the runs' tables; the other districts' coverage, rebuilt from the dissolved street
 * areas, moves by far less than 1e-9 pp and leaves no stored gained or lost polygon. Network against circles is
 * refused. */
static void test_network(void **state)
{
    (void)state;
    char st[4200], di[4200], ro[4200];
    snprintf(st, sizeof st, "%s/stations.geojson", andorra);
    snprintf(di, sizeof di, "%s/districts.geojson", andorra);
    snprintf(ro, sizeof ro, "%s/roads.geojson", andorra);
    const char *add = svt_write("andorra_new.geojson", "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":"
                                "\"Feature\",\"properties\":{\"id\":\"NEW1\",\"name\":\"Plan station\"},"
                                "\"geometry\":{\"type\":\"Point\",\"coordinates\":[1.5190758,42.5822713]}}]}");
    const char *nb = svt_path("nbase.sqlite"), *np = svt_path("nplan.sqlite"), *nc = svt_path("nchange.sqlite"),
               *circ = svt_path("ncircles.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", st, "--districts", di, "--network", ro, "--mode", "walk", "--minutes", "10",
               "--out", nb, "-q");
    SVT_EXPECT(0, "analyze", "--stations", st, "--districts", di, "--network", ro, "--mode", "walk", "--minutes", "10",
               "--add-stations", add, "--out", np, "-q");
    SVT_EXPECT(0, "compare", "--base", nb, "--plan", np, "--out", nc, "-q");
    sqlite3 *db = open_spatial(nc);
    attach(db, nb, "a");
    attach(db, np, "b");
    const char *join = "FROM district_change c JOIN a.district_coverage x ON x.district_id = c.district_id AND"
                       " abs(x.radius_m - c.radius_m) < 1e-9 JOIN b.district_coverage y ON y.district_id ="
                       " c.district_id AND abs(y.radius_m - c.radius_m) < 1e-9";
    assert_int_equal(svt_db_int(db, "SELECT count(*) %s", join), 6);
    assert_true(svt_db_double(db, "SELECT max(abs(c.delta_pp - (y.covered_pct - x.covered_pct))) %s", join) <= 1e-9);
    double d = svt_db_double(db, "SELECT delta_pp FROM district_change WHERE district_id = '2804758'");
    assert_true(d > 0.1);
    assert_true(svt_db_double(db, "SELECT max(abs(delta_pp)) FROM district_change WHERE district_id != '2804758'") <
                1e-9);
    double gained = svt_db_double(db, "SELECT sum(ST_Area(geom)) FROM coverage_gained WHERE district_id = '2804758'");
    double delta_m2 = svt_db_double(db, "SELECT y.covered_m2 - x.covered_m2 %s WHERE c.district_id = '2804758'", join);
    if (!(fabs(gained - delta_m2) <= 1e-6))
        fail_msg("network: gained polygon %.9f m2, change in covered area %.9f m2", gained, delta_m2);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM coverage_gained WHERE district_id != '2804758'") +
                         svt_db_int(db, "SELECT count(*) FROM coverage_lost"), 0);
    assert_string_equal(svt_db_text(db, "SELECT change FROM station_change WHERE station_id = 'NEW1'"), "added");
    assert_string_equal(svt_db_text(db, "SELECT method FROM compare_runs"), "network");
    sqlite3_close(db);
    SVT_EXPECT(0, "analyze", "--stations", st, "--districts", di, "--mode", "walk", "--minutes", "10", "--out", circ,
               "-q");
    SVT_EXPECT(2, "compare", "--base", nb, "--plan", circ, "--out", svt_path("nrefused.sqlite"), "-q");
    SVT_ERR_HAS("the base run is along a street network (mode walk), the plan in circles (mode walk)");
}

int main(int argc, char **argv)
{
    const char *env = getenv("SVCOV_SHARED");
    snprintf(andorra, sizeof andorra, "%s/realdata/andorra", env && *env ? env : SVCOV_SHARED_DIR);
    struct stat sb;
    if (argc > 1 && strcmp(argv[1], "network") == 0 && (stat(andorra, &sb) != 0 || !S_ISDIR(sb.st_mode))) {
        printf("SKIPPED: %s not found; set SVCOV_SHARED to the shared folder to compare network runs\n", andorra);
        return 77;
    }
    static const svt_group groups[] = {
        {"add", cmocka_unit_test(test_add_one_station)},
        {"remove", cmocka_unit_test(test_remove_again_and_move)},
        {"sites", cmocka_unit_test(test_plan_from_site_run)},
        {"refused", cmocka_unit_test(test_refused)},
        {"output", cmocka_unit_test(test_map_report_query)},
        {"network", cmocka_unit_test(test_network)},
    };
    return svt_run_groups(argc, argv, "compare", groups, sizeof groups / sizeof groups[0], group_setup,
                          group_teardown);
}
