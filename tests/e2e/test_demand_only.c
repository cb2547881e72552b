/* test_demand_only.c - svcov analyze --demand-only (issue 19 item 6): the demand's
 * access to its nearest station alone, as a router's distances give it.
 *
 * On a generated city with streets and demand points, along the network (edge
 * snapping with access legs, the defaults; and node snapping without legs, as
 * bench/bench_network.sh runs it) and in straight lines: demand_access and
 * district_demand equal the full run's row for row, demand_reach's within too
 * (along the streets with its n_stations NULL), the tables of the areas, coverage and people
 * empty, and the stages that make them not run (timings). Refused without
 * --demand and beside the people and capacity options (exit 2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <sys/wait.h>

#include "svtest.h"

static char st[4200], di[4200], ro[4200], dm[4200];

static int group_setup(void **state)
{
    (void)state;
    if (svt_make_dir("demand_only") != 0)
        return -1;
    const char *city = svt_path("city");
    const char *gen[] = {SVCOV_GENCITY, "--stations", "120", "--districts", "10", "--seed", "19", "--clusters", "3",
                         "--roads", "--road-spacing", "150", "--demand", "3000", "--out", city, "-q", NULL};
    if (svt_run_tool(gen) != 0)
        return -1;
    snprintf(st, sizeof st, "%s/stations.gpkg", city);
    snprintf(di, sizeof di, "%s/districts.gpkg", city);
    snprintf(ro, sizeof ro, "%s/roads.gpkg", city);
    snprintf(dm, sizeof dm, "%s/demand.gpkg", city);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    svt_run_free();
    svt_remove_dir();
    return 0;
}

/* Rows of main.t and o.t that the other lacks (every column, exact). */
static long long differ(sqlite3 *db, const char *t)
{
    return svt_db_int(db, "SELECT (SELECT count(*) FROM (SELECT * FROM main.%s EXCEPT SELECT * FROM o.%s)) + "
                          "(SELECT count(*) FROM (SELECT * FROM o.%s EXCEPT SELECT * FROM main.%s))",
                      t, t, t, t);
}

/* full (main) against --demand-only (o): the demand tables equal, the others empty there. */
static void check_pair(const char *full, const char *only, int network)
{
    sqlite3 *db = svt_db_open(full);
    char sql[4400];
    snprintf(sql, sizeof sql, "ATTACH '%s' AS o", only);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    long long n = svt_db_int(db, "SELECT count(*) FROM demand_access");
    assert_int_equal(n, 3000);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM o.demand_access"), n);
    assert_int_equal(differ(db, "demand_access"), 0);
    /* a real comparison: some points reached, their distances measured */
    assert_true(svt_db_int(db, "SELECT count(*) FROM o.demand_access WHERE network_m > 0 AND "
                               "nearest_station_id IS NOT NULL") > 1000);
    long long dd = svt_db_int(db, "SELECT count(*) FROM district_demand");
    assert_int_equal(dd, 2 * 11); /* 10 districts and all demand, 2 breaks */
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM o.district_demand"), dd);
    assert_int_equal(differ(db, "district_demand"), 0);
    assert_true(svt_db_double(db, "SELECT covered_share FROM o.district_demand WHERE district_id IS NULL "
                                  "AND radius_m = 1000") > 0);
    /* demand_reach: within as in the full run; the station counts not made along the streets (one search
     * per station), in straight lines the same */
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM o.demand_reach"), 2 * n);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM demand_reach a JOIN o.demand_reach b USING "
                                    "(demand_id, radius_m) WHERE a.within = b.within"),
                     2 * n);
    assert_int_equal(svt_db_int(db, "SELECT count(n_stations) FROM demand_reach"), 2 * n);
    if (network)
        assert_int_equal(svt_db_int(db, "SELECT count(n_stations) FROM o.demand_reach"), 0);
    else
        assert_int_equal(differ(db, "demand_reach"), 0);
    /* what it does not make: in the full run, not in --demand-only */
    const char *made[] = {"district_coverage", "city_coverage", "coverage", "gaps", "responsibility",
                          network ? "reached_streets" : "service_areas"};
    for (size_t k = 0; k < sizeof made / sizeof made[0]; k++) {
        assert_true(svt_db_int(db, "SELECT count(*) FROM main.%s", made[k]) > 0);
        assert_int_equal(svt_db_int(db, "SELECT count(*) FROM o.%s", made[k]), 0);
    }
    const char *empty[] = {"service_areas", "reached_streets", "gap_parts", "district_redundancy",
                           "critical_stations", "district_fairness", "category_coverage"};
    for (size_t k = 0; k < sizeof empty / sizeof empty[0]; k++)
        assert_int_equal(svt_db_int(db, "SELECT count(*) FROM o.%s", empty[k]), 0);
    /* the stages that make them did not run; the demand's did */
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM main.timings WHERE stage IN ('coverage', 'people')"), 2);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM o.timings WHERE stage IN ('network', 'coverage', "
                                    "'people')"),
                     0);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM o.timings WHERE stage = 'demand'"), 1);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM o.stations"), svt_db_int(db, "SELECT count(*) FROM stations"));
    sqlite3_close(db);
}

static void test_network_edge_snap(void **state)
{
    (void)state;
    const char *full = svt_path("edge_full.sqlite"), *only = svt_path("edge_only.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", st, "--districts", di, "--network", ro, "--radius", "500,1000",
               "--demand", dm, "--out", full, "-q");
    SVT_EXPECT(0, "analyze", "--stations", st, "--districts", di, "--network", ro, "--radius", "500,1000",
               "--demand", dm, "--demand-only", "--out", only, "-q");
    check_pair(full, only, 1);
    /* the summary: the network and the demand, no coverage table */
    SVT_EXPECT(0, "analyze", "--stations", st, "--districts", di, "--network", ro, "--radius", "500,1000",
               "--demand", dm, "--demand-only", "--out", svt_path("edge_only2.sqlite"));
    assert_non_null(strstr(svt_last.out, "Demand: 3000 points"));
    assert_non_null(strstr(svt_last.out, "Network: "));
    assert_null(strstr(svt_last.out, "covered %"));
}

static void test_network_node_snap(void **state)
{
    (void)state;
    const char *full = svt_path("node_full.sqlite"), *only = svt_path("node_only.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", st, "--districts", di, "--network", ro, "--radius", "500,1000",
               "--snap", "node", "--access-legs", "off", "--max-snap", "100000", "--demand", dm,
               "--no-service-areas", "--no-category-coverage", "--out", full, "-q");
    SVT_EXPECT(0, "analyze", "--stations", st, "--districts", di, "--network", ro, "--radius", "500,1000",
               "--snap", "node", "--access-legs", "off", "--max-snap", "100000", "--demand", dm,
               "--no-service-areas", "--no-category-coverage", "--demand-only", "--out", only, "-q");
    check_pair(full, only, 1);
}

static void test_circles(void **state)
{
    (void)state;
    const char *full = svt_path("circ_full.sqlite"), *only = svt_path("circ_only.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", st, "--districts", di, "--radius", "500,1000", "--demand", dm,
               "--out", full, "-q");
    SVT_EXPECT(0, "analyze", "--stations", st, "--districts", di, "--radius", "500,1000", "--demand", dm,
               "--demand-only", "--out", only, "-q");
    check_pair(full, only, 0);
}

static void test_refused(void **state)
{
    (void)state;
    const char *out = svt_path("refused.sqlite");
    SVT_EXPECT(2, "analyze", "--stations", st, "--districts", di, "--network", ro, "--demand-only", "--out", out);
    assert_non_null(strstr(svt_last.err, "--demand-only needs --demand"));
    SVT_EXPECT(2, "analyze", "--stations", st, "--districts", di, "--demand", dm, "--population-field",
               "population", "--demand-only", "--out", out);
    assert_non_null(strstr(svt_last.err, "leave out --population"));
    SVT_EXPECT(2, "analyze", "--stations", st, "--districts", di, "--demand", dm, "--capacity-field", "seats",
               "--demand-only", "--out", out);
    assert_true(access(out, F_OK) != 0); /* nothing written */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_network_edge_snap),
        cmocka_unit_test(test_network_node_snap),
        cmocka_unit_test(test_circles),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests_name("demand_only", tests, group_setup, group_teardown);
}
