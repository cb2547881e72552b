/* test_people_scale.c - the default outputs beside coverage and redundancy on a dense clustered city
 * (issue 19, item 3): coverage by category, areas of responsibility and fairness, each against a
 * computation of its own, and the same numbers (and polygons) on one thread and on two.
 *
 * The city comes from bench/gencity.c (svcov-gencity --clusters: 800 stations, 70% of them in three
 * Gaussian centres, 60 districts, 5,000 demand points), so hundreds of circles overlap downtown.
 *
 * Usage: test_people_scale GROUP  (clustered). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "svtest.h"

static const char *city_dir, *one, *two, *uni;

static sqlite3 *open_spatial(const char *path)
{
    sqlite3 *db = svt_db_open(path);
    assert_int_equal(sqlite3_enable_load_extension(db, 1), SQLITE_OK);
    char *msg = NULL;
    if (sqlite3_exec(db, "SELECT load_extension('mod_spatialite')", NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("cannot load mod_spatialite: %s", msg ? msg : "?");
    return db;
}

static void attach(sqlite3 *db, const char *path, const char *as)
{
    char sql[4300];
    snprintf(sql, sizeof sql, "ATTACH '%s' AS %s", path, as);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
}

/* The city, and svcov analyze on it with 1 and 2 threads (and --method union, whose areas of
 * responsibility come from Voronoi cells drawn by the responsibility step itself). */
static int group_setup(void **state)
{
    (void)state;
    if (svt_make_dir("people_scale") != 0)
        return -1;
    city_dir = svt_path("city");
    const char *argv[] = {SVCOV_GENCITY, "--stations", "800", "--districts", "60", "--seed", "7", "--clusters", "3",
                          "--demand", "5000", "--out", city_dir, "-q", NULL};
    if (svt_run_tool(argv) != 0)
        return -1;
    one = svt_path("one.sqlite");
    two = svt_path("two.sqlite");
    uni = svt_path("union.sqlite");
    char st[4200], di[4200], de[4200];
    snprintf(st, sizeof st, "%s/stations.gpkg", city_dir);
    snprintf(di, sizeof di, "%s/districts.gpkg", city_dir);
    snprintf(de, sizeof de, "%s/demand.gpkg", city_dir);
    const char *threads[] = {"1", "2"}, *outs[] = {one, two};
    for (int t = 0; t < 2; t++)
        if (SVT_RUN("analyze", "--stations", st, "--districts", di, "--demand", de, "--demand-weight", "weight",
                    "--radius", "500,1000", "--no-redundancy", "--threads", threads[t], "--out", outs[t], "-q") != 0) {
            fprintf(stderr, "analyze --threads %s failed: %s\n", threads[t], svt_last.err);
            return -1;
        }
    if (SVT_RUN("analyze", "--stations", st, "--districts", di, "--radius", "500,1000", "--no-redundancy",
                "--no-category-coverage", "--method", "union", "--threads", "2", "--out", uni, "-q") != 0) {
        fprintf(stderr, "analyze --method union failed: %s\n", svt_last.err);
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

/* One thread and two: every number and every polygon the same. */
static void test_threads_same(void **state)
{
    (void)state;
    sqlite3 *db = svt_db_open(one);
    attach(db, two, "t");
    long long rows = svt_db_int(db, "SELECT count(*) FROM category_coverage");
    assert_true(rows == 5 * 61 * 2 || rows == 4 * 61 * 2); /* the categories, 60 districts and the city, 2 breaks */
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM category_coverage a JOIN t.category_coverage b ON "
                                    "a.district_id IS b.district_id AND a.category = b.category AND "
                                    "a.radius_m = b.radius_m AND a.covered_m2 = b.covered_m2 AND a.gap_m2 = b.gap_m2 "
                                    "AND a.pop_covered IS b.pop_covered AND a.geom IS b.geom"),
                     rows);
    rows = svt_db_int(db, "SELECT count(*) FROM category_gaps");
    assert_true(rows > 100);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM category_gaps a JOIN t.category_gaps b ON "
                                    "a.district_id = b.district_id AND a.category = b.category AND "
                                    "a.radius_m = b.radius_m AND a.gap_m2 = b.gap_m2 AND a.geom IS b.geom"),
                     rows);
    rows = svt_db_int(db, "SELECT count(*) FROM responsibility");
    assert_true(rows > 700);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM responsibility a JOIN t.responsibility b ON "
                                    "a.station_id = b.station_id AND a.area_m2 = b.area_m2 AND "
                                    "a.pop_served IS b.pop_served AND a.n_points = b.n_points AND a.geom = b.geom"),
                     rows);
    rows = svt_db_int(db, "SELECT count(*) FROM district_fairness");
    assert_int_equal(rows, 61 * 2);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM district_fairness a JOIN t.district_fairness b ON "
                                    "a.district_id IS b.district_id AND a.radius_m = b.radius_m AND "
                                    "a.median_m IS b.median_m AND a.p90_m IS b.p90_m AND "
                                    "a.median_min IS b.median_min AND a.p90_min IS b.p90_min AND "
                                    "a.n_points = b.n_points"),
                     rows);
    /* each demand point's nearest station and the stations within reach (worked out in blocks of points) */
    rows = svt_db_int(db, "SELECT count(*) FROM demand_access");
    assert_int_equal(rows, 5000);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM demand_access a JOIN t.demand_access b USING (demand_id) "
                                    "WHERE a.nearest_station_id = b.nearest_station_id AND a.euclid_m = b.euclid_m"),
                     rows);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM demand_reach a JOIN t.demand_reach b USING (demand_id, "
                                    "radius_m) WHERE a.within = b.within AND a.n_stations = b.n_stations"),
                     2 * rows);
    sqlite3_close(db);
}

/* Coverage by category against SpatiaLite's union of the category's own stored circles, clipped to
 * each district: to 1e-6 of the district's area (the two ways differ only by the polygonisation of
 * the circles along the Voronoi cell edges). */
static void test_categories_union(void **state)
{
    (void)state;
    sqlite3 *db = open_spatial(two);
    assert_int_equal(sqlite3_exec(db,
                                  "CREATE TEMP TABLE u AS SELECT c.district_id, c.category, c.radius_m, c.area_m2, "
                                  "c.covered_m2, c.gap_m2, (SELECT ST_Area(ST_Intersection(d.geom, ST_Union(sa.geom))) "
                                  "FROM districts d, service_areas sa JOIN stations s ON s.station_id = sa.station_id "
                                  "WHERE d.district_id = c.district_id AND s.category = c.category AND "
                                  "sa.radius_m = c.radius_m AND MbrIntersects(sa.geom, d.geom) AND "
                                  "ST_Intersects(sa.geom, d.geom)) AS sql_m2 FROM category_coverage c "
                                  "WHERE c.district_id IS NOT NULL",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM u"), svt_db_int(db, "SELECT count(*) FROM "
                                                                              "category_coverage WHERE district_id "
                                                                              "IS NOT NULL"));
    /* the case is dense and mixed: many districts partly covered by a category, some not at all */
    assert_true(svt_db_int(db, "SELECT count(*) FROM u WHERE covered_m2 > 1 AND gap_m2 > 1") > 150);
    assert_true(svt_db_int(db, "SELECT count(*) FROM u WHERE gap_m2 <= 1e-6 * area_m2") > 20);
    double worst = svt_db_double(db, "SELECT max(abs(covered_m2 - coalesce(sql_m2, 0)) / area_m2) FROM u");
    if (!(worst <= 1e-6))
        fail_msg("category coverage against the union of its circles: %.3g of a district's area", worst);
    /* covered and gap add up, and the gap polygons have the gap's area */
    assert_true(svt_db_double(db, "SELECT max(abs(covered_m2 + gap_m2 - area_m2) / area_m2) FROM u") <= 1e-9);
    double gaps = svt_db_double(db, "SELECT max(abs(ST_Area(g.geom) - g.gap_m2) / c.area_m2) FROM category_gaps g "
                                    "JOIN category_coverage c ON c.district_id = g.district_id AND "
                                    "c.category = g.category AND c.radius_m = g.radius_m WHERE g.geom IS NOT NULL");
    assert_true(gaps <= 1e-6);
    /* the whole area: the sum of the districts */
    double city = svt_db_double(db, "SELECT max(abs(c.covered_m2 - (SELECT sum(covered_m2) FROM category_coverage x "
                                    "WHERE x.district_id IS NOT NULL AND x.category = c.category AND "
                                    "x.radius_m = c.radius_m)) / c.area_m2) FROM category_coverage c "
                                    "WHERE c.district_id IS NULL");
    assert_true(city <= 1e-6);
    sqlite3_close(db);
}

/* Coverage by category against svcov analyze run on that category's stations alone (--remove-stations with all
 * the others): the category pass (its reach shortcuts, and its gap as one cut of the district by the united cell
 * parts) against the all-station pass with its own gap construction. Numbers to 1e-9 of the district's area,
 * covered and gap polygons to 1e-6 (their symmetric difference). */
static void test_categories_alone(void **state)
{
    (void)state;
    sqlite3 *db = open_spatial(two);
    /* one value per station in this city, so "the others" are the stations of every other value */
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM stations WHERE category LIKE '%%;%%' OR category LIKE '%%,%%' "
                                    "OR category IS NULL"),
                     0);
    sqlite3_stmt *cats = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT DISTINCT category FROM category_coverage ORDER BY category", -1,
                                        &cats, NULL),
                     SQLITE_OK);
    char st[4200], di[4200];
    snprintf(st, sizeof st, "%s/stations.gpkg", city_dir);
    snprintf(di, sizeof di, "%s/districts.gpkg", city_dir);
    int n_cats = 0;
    long long partial = 0;
    while (sqlite3_step(cats) == SQLITE_ROW) {
        char cat[64], sql[1024], name[96];
        snprintf(cat, sizeof cat, "%s", (const char *)sqlite3_column_text(cats, 0));
        /* the ids of the stations of the other categories, one a line */
        snprintf(sql, sizeof sql, "SELECT group_concat(station_id, char(10)) FROM stations WHERE category <> '%s'",
                 cat);
        sqlite3_stmt *q = NULL;
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(q), SQLITE_ROW);
        snprintf(name, sizeof name, "others_%d.txt", n_cats);
        const char *ids = svt_write(name, (const char *)sqlite3_column_text(q, 0));
        sqlite3_finalize(q);
        snprintf(name, sizeof name, "alone_%d.sqlite", n_cats);
        const char *alone = svt_path(name);
        if (SVT_RUN("analyze", "--stations", st, "--districts", di, "--radius", "500,1000", "--remove-stations", ids,
                    "--no-redundancy", "--no-category-coverage", "--no-service-areas", "--threads", "2", "--out",
                    alone, "-q") != 0)
            fail_msg("analyze with the stations of %s alone: %s", cat, svt_last.err);
        char as[16];
        snprintf(as, sizeof as, "a%d", n_cats);
        attach(db, alone, as);
        snprintf(sql, sizeof sql,
                 "CREATE TEMP TABLE j%d AS SELECT c.area_m2, c.covered_m2 AS c_cov, d.covered_m2 AS d_cov, "
                 "c.gap_m2 AS c_gap, d.gap_m2 AS d_gap, c.geom AS c_geom, v.geom AS d_geom, g.geom AS cg_geom, "
                 "e.geom AS dg_geom FROM category_coverage c JOIN %s.district_coverage d ON "
                 "d.district_id = c.district_id AND d.radius_m = c.radius_m LEFT JOIN %s.coverage v ON "
                 "v.district_id = c.district_id AND v.radius_m = c.radius_m LEFT JOIN category_gaps g ON "
                 "g.district_id = c.district_id AND g.category = c.category AND g.radius_m = c.radius_m LEFT JOIN "
                 "%s.gaps e ON e.district_id = c.district_id AND e.radius_m = c.radius_m WHERE c.category = '%s'",
                 n_cats, as, as, as, cat);
        if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
            fail_msg("%s: %s", sql, sqlite3_errmsg(db));
        snprintf(sql, sizeof sql, "SELECT count(*) FROM j%d", n_cats);
        assert_int_equal(svt_db_int(db, sql), 60 * 2);
        snprintf(sql, sizeof sql, "SELECT count(*) FROM j%d WHERE c_cov > 1 AND c_gap > 1", n_cats);
        partial += svt_db_int(db, sql);
        snprintf(sql, sizeof sql, "SELECT max(max(abs(c_cov - d_cov), abs(c_gap - d_gap)) / area_m2) FROM j%d",
                 n_cats);
        double worst = svt_db_double(db, sql);
        if (!(worst <= 1e-9))
            fail_msg("%s: category coverage against its stations alone: %.3g of a district's area", cat, worst);
        /* the same polygons (a missing one is empty): their symmetric difference (NULL in SpatiaLite when it is
           empty, as it is for every row when both passes cut a district the same way: 0, not NULL for max()) */
        snprintf(sql, sizeof sql,
                 "SELECT max(max(CASE WHEN c_geom IS NULL THEN coalesce(ST_Area(d_geom), 0) WHEN d_geom IS NULL "
                 "THEN ST_Area(c_geom) ELSE coalesce(ST_Area(ST_SymDifference(c_geom, d_geom)), 0) END, CASE WHEN "
                 "cg_geom IS NULL THEN coalesce(ST_Area(dg_geom), 0) WHEN dg_geom IS NULL THEN ST_Area(cg_geom) ELSE "
                 "coalesce(ST_Area(ST_SymDifference(cg_geom, dg_geom)), 0) END) / area_m2) FROM j%d",
                 n_cats);
        worst = svt_db_double(db, sql);
        if (!(worst <= 1e-6))
            fail_msg("%s: category polygons against its stations alone: %.3g of a district's area", cat, worst);
        n_cats++;
    }
    sqlite3_finalize(cats);
    assert_true(n_cats >= 4);
    assert_true(partial > 150); /* the cut districts, where the two constructions differ */
    sqlite3_close(db);
}

/* Areas of responsibility: they tile the city, each holds its own station when that lies inside, and
 * they equal the cells drawn by the responsibility step itself (--method union keeps no coverage cells). */
static void test_responsibility(void **state)
{
    (void)state;
    sqlite3 *db = open_spatial(two);
    attach(db, uni, "u");
    double city = svt_db_double(db, "SELECT sum(area_m2) FROM districts");
    double sum = svt_db_double(db, "SELECT sum(area_m2) FROM responsibility");
    if (!(fabs(sum - city) <= 1e-6 * city))
        fail_msg("areas of responsibility add up to %.6f m2, the districts to %.6f", sum, city);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM responsibility r JOIN stations s USING (station_id) "
                                    "WHERE ST_Covers((SELECT ST_Union(geom) FROM districts), s.geom) = 1 AND "
                                    "ST_Covers(r.geom, s.geom) != 1"),
                     0);
    long long rows = svt_db_int(db, "SELECT count(*) FROM responsibility");
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM u.responsibility"), rows);
    double worst = svt_db_double(db, "SELECT max(abs(a.area_m2 - b.area_m2) / max(b.area_m2, 1)) FROM "
                                     "responsibility a JOIN u.responsibility b USING (station_id)");
    if (!(worst <= 1e-6))
        fail_msg("areas of responsibility against cells of their own: %.3g relative", worst);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM responsibility a JOIN u.responsibility b USING "
                                    "(station_id)"),
                     rows);
    sqlite3_close(db);
}

typedef struct {
    double v, w;
} vw;

static int cmp_vw(const void *x, const void *y)
{
    double a = ((const vw *)x)->v, b = ((const vw *)y)->v;
    return (a > b) - (a < b);
}

/* The smallest value whose cumulative weight reaches q of the total. */
static double quantile(vw *p, size_t n, double q)
{
    qsort(p, n, sizeof *p, cmp_vw);
    double total = 0, acc = 0;
    for (size_t i = 0; i < n; i++)
        total += p[i].w;
    for (size_t i = 0; i < n; i++)
        if ((acc += p[i].w) >= q * total * (1 - 1e-12))
            return p[i].v;
    return n ? p[n - 1].v : NAN;
}

/* Fairness: each district's weighted median and 90th percentile of the distance to the nearest
 * station, recomputed here from the demand points' own rows (their district from the demand stage,
 * their distance and weight). */
static void test_fairness(void **state)
{
    (void)state;
    sqlite3 *db = svt_db_open(two);
    sqlite3_stmt *d = NULL, *p = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT district_id, median_m, p90_m, n_points FROM district_fairness "
                                            "WHERE radius_m = 500 AND district_id IS NOT NULL",
                                        -1, &d, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT euclid_m, weight FROM demand_access WHERE district_id = ?1 AND "
                                            "weight > 0",
                                        -1, &p, NULL),
                     SQLITE_OK);
    vw *buf = calloc(6000, sizeof *buf);
    assert_non_null(buf);
    int districts = 0, points = 0;
    while (sqlite3_step(d) == SQLITE_ROW) {
        size_t n = 0;
        sqlite3_bind_text(p, 1, (const char *)sqlite3_column_text(d, 0), -1, SQLITE_TRANSIENT);
        while (sqlite3_step(p) == SQLITE_ROW && n < 6000)
            buf[n++] = (vw){sqlite3_column_double(p, 0), sqlite3_column_double(p, 1)};
        sqlite3_reset(p);
        assert_int_equal(sqlite3_column_int(d, 3), (int)n);
        if (n == 0) {
            assert_int_equal(sqlite3_column_type(d, 1), SQLITE_NULL);
            continue;
        }
        double med = quantile(buf, n, 0.5), p90 = quantile(buf, n, 0.9);
        double got_med = sqlite3_column_double(d, 1), got_p90 = sqlite3_column_double(d, 2);
        if (!(fabs(got_med - med) <= 1e-6 * med) || !(fabs(got_p90 - p90) <= 1e-6 * p90))
            fail_msg("district %s: median %.9g / p90 %.9g, recomputed %.9g / %.9g", sqlite3_column_text(d, 0),
                     got_med, got_p90, med, p90);
        districts++;
        points += (int)n;
    }
    free(buf);
    sqlite3_finalize(d);
    sqlite3_finalize(p);
    assert_true(districts > 50);
    assert_true(points > 4500);
    sqlite3_close(db);
}

int main(int argc, char **argv)
{
    static const svt_group groups[] = {
        {"clustered", cmocka_unit_test(test_threads_same)},
        {"clustered", cmocka_unit_test(test_categories_union)},
        {"clustered", cmocka_unit_test(test_categories_alone)},
        {"clustered", cmocka_unit_test(test_responsibility)},
        {"clustered", cmocka_unit_test(test_fairness)},
    };
    return svt_run_groups(argc, argv, "people_scale", groups, sizeof groups / sizeof groups[0], group_setup,
                          group_teardown);
}
