/* test_realdata_network.c - network mode on Andorra against the references
 * in ../shared/realdata/andorra (ref_network_buildings.csv,
 * ref_network_summary.csv: a plain Dijkstra checked against networkx, and
 * pgRouting, which agree exactly).
 *
 * The references snap buildings and stations to the nearest graph node,
 * without a distance limit, over the walking graph of the roads whose
 * highway is not motorway, trunk, construction, proposed, raceway or
 * bus_guideway. svcov reproduces that with --snap node --max-snap 100000:
 * with --access-legs off the per-building distance (netdist_m) to 1 cm and
 * the covered shares of the "network" variant (also with --demand-only, whose
 * distances must equal the full run's); with access legs on the
 * "network_with_snap" variant. Skipped (exit 77) without ../shared. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "svtest.h"

#include <gdal.h>
#include <ogr_api.h>

#ifndef SVCOV_SHARED_DIR
#define SVCOV_SHARED_DIR "../shared"
#endif

static char andorra[4096];

static const char *file(const char *name)
{
    static char bufs[8][4300];
    static int k = 0;
    char *b = bufs[k++ % 8];
    snprintf(b, sizeof bufs[0], "%s/%s", andorra, name);
    return b;
}

static int group_setup(void **state)
{
    (void)state;
    GDALAllRegister();
    return svt_make_dir("realnet");
}

static int group_teardown(void **state)
{
    (void)state;
    svt_run_free();
    svt_remove_dir();
    return 0;
}

/* The reference without its '#' definition lines, opened with OGR's CSV driver. */
static GDALDatasetH open_reference(const char *name)
{
    size_t len = 0;
    char *txt = svt_read(file(name), &len);
    assert_non_null(txt);
    char out[64];
    snprintf(out, sizeof out, "plain_%s", name);
    const char *path = svt_path(out);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (char *line = strtok(txt, "\n"); line; line = strtok(NULL, "\n"))
        if (line[0] != '#')
            fprintf(f, "%s\n", line);
    fclose(f);
    free(txt);
    const char *const drivers[] = {"CSV", NULL};
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers, NULL, NULL);
    assert_non_null(ds);
    return ds;
}

static void run(const char *out, const char *snap, const char *legs, const char *network)
{
    if (network && strcmp(network, "demand-only") == 0)
        SVT_EXPECT(0, "analyze", "--stations", file("stations.geojson"), "--districts", file("districts.geojson"),
                   "--district-id", "name", "--network", file("roads.geojson"), "--radius", "500,1000", "--snap",
                   snap, "--access-legs", legs, "--max-snap", "100000", "--demand", file("buildings.geojson"),
                   "--no-service-areas", "--demand-only", "--out", out, "-q");
    else if (network)
        SVT_EXPECT(0, "analyze", "--stations", file("stations.geojson"), "--districts", file("districts.geojson"),
                   "--district-id", "name", "--network", file("roads.geojson"), "--radius", "500,1000", "--snap",
                   snap, "--access-legs", legs, "--max-snap", "100000", "--demand", file("buildings.geojson"),
                   "--no-service-areas", "--out", out, "-q");
    else
        SVT_EXPECT(0, "analyze", "--stations", file("stations.geojson"), "--districts", file("districts.geojson"),
                   "--district-id", "name", "--radius", "500,1000", "--demand", file("buildings.geojson"),
                   "--no-service-areas", "--out", out, "-q");
}

/* Every district/all row of one variant of the summary against district_demand. */
static int compare_summary(const char *db_path, const char *variant)
{
    GDALDatasetH ds = open_reference("ref_network_summary.csv");
    OGRLayerH l = GDALDatasetGetLayer(ds, 0);
    sqlite3 *db = svt_db_open(db_path);
    OGRFeatureH f;
    int n = 0;
    while ((f = OGR_L_GetNextFeature(l)) != NULL) {
        const char *scope = OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "scope"));
        const char *var = OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "variant"));
        const char *id = OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "id"));
        double D = OGR_F_GetFieldAsDouble(f, OGR_F_GetFieldIndex(f, "D_m"));
        long total = (long)OGR_F_GetFieldAsInteger(f, OGR_F_GetFieldIndex(f, "n_buildings"));
        long covered = (long)OGR_F_GetFieldAsInteger(f, OGR_F_GetFieldIndex(f, "n_covered"));
        int all = strcmp(scope, "all") == 0, district = strcmp(scope, "district") == 0 && *id;
        if (strcmp(var, variant) == 0 && (all || district)) {
            long got_total, got_cov;
            if (all) {
                got_total = svt_db_int(db, "SELECT demand_total FROM district_demand WHERE district_id IS NULL"
                                           " AND radius_m = %g", D);
                got_cov = svt_db_int(db, "SELECT demand_covered FROM district_demand WHERE district_id IS NULL"
                                         " AND radius_m = %g", D);
            } else {
                got_total = svt_db_int(db, "SELECT demand_total FROM district_demand WHERE district_id = '%s'"
                                           " AND radius_m = %g", id, D);
                got_cov = svt_db_int(db, "SELECT demand_covered FROM district_demand WHERE district_id = '%s'"
                                         " AND radius_m = %g", id, D);
            }
            if (got_total != total || got_cov != covered)
                fail_msg("%s %s %s at %g m: svcov %ld of %ld, reference %ld of %ld", variant, scope, id, D, got_cov,
                         got_total, covered, total);
            n++;
        }
        OGR_F_Destroy(f);
    }
    sqlite3_close(db);
    GDALClose(ds);
    return n;
}

/* One run's node-snapped distances without access legs against the reference, to 1 cm. */
static void check_node_distances(const char *out, const char *what)
{
    sqlite3 *db = svt_db_open(out);
    assert_int_equal(svt_db_int(db, "SELECT network_nodes FROM runs"), 38509);
    assert_int_equal(svt_db_int(db, "SELECT stations_unattached FROM runs"), 0);
    GDALDatasetH ds = open_reference("ref_network_buildings.csv");
    OGRLayerH l = GDALDatasetGetLayer(ds, 0);
    OGRFeatureH f;
    long row = 0, compared = 0, unreached = 0;
    double worst = 0, worst_snap = 0;
    sqlite3_stmt *s = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT network_m, snap_m, euclid_m FROM demand_access ORDER BY id", -1,
                                        &s, NULL),
                     SQLITE_OK);
    while ((f = OGR_L_GetNextFeature(l)) != NULL) {
        /* the reference lists the buildings in file order, as svcov reads them */
        assert_int_equal(sqlite3_step(s), SQLITE_ROW);
        row++;
        const char *nd = OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "netdist_m"));
        double snap = OGR_F_GetFieldAsDouble(f, OGR_F_GetFieldIndex(f, "snap_m"));
        double eu = OGR_F_GetFieldAsDouble(f, OGR_F_GetFieldIndex(f, "euclid_m"));
        worst_snap = fmax(worst_snap, fabs(sqlite3_column_double(s, 1) - snap));
        assert_true(fabs(sqlite3_column_double(s, 2) - eu) < 0.01);
        if (!*nd) {
            assert_int_equal(sqlite3_column_type(s, 0), SQLITE_NULL);
            unreached++;
        } else {
            double d = fabs(sqlite3_column_double(s, 0) - strtod(nd, NULL));
            worst = fmax(worst, d);
            if (d > 0.01)
                fail_msg("building %ld: network %.4f m, reference %s m", row, sqlite3_column_double(s, 0), nd);
            compared++;
        }
        OGR_F_Destroy(f);
    }
    assert_int_equal(sqlite3_step(s), SQLITE_DONE);
    sqlite3_finalize(s);
    GDALClose(ds);
    sqlite3_close(db);
    assert_int_equal(row, 292);
    printf("andorra network%s, node snap, no access legs: %ld buildings to 1 cm (largest difference %.2e m, snap "
           "%.2e m), %ld unreachable in both\n",
           what, compared, worst, worst_snap, unreached);
    int n = compare_summary(out, "network");
    assert_int_equal(n, 14); /* all + 6 parishes, 2 distances */
}

static void test_node_snap_distances(void **state)
{
    (void)state;
    const char *out = svt_path("node_nolegs.sqlite");
    run(out, "node", "off", "yes");
    check_node_distances(out, "");
}

/* --demand-only (issue 19 item 6): the same distances as the reference (pgRouting's and networkx's) and as the
 * full run, row for row, without the areas (no coverage rows). */
static void test_demand_only_distances(void **state)
{
    (void)state;
    const char *full = svt_path("node_nolegs.sqlite"), *out = svt_path("node_nolegs_demand_only.sqlite");
    run(out, "node", "off", "demand-only");
    check_node_distances(out, " --demand-only");
    sqlite3 *db = svt_db_open(out);
    char sql[4400];
    snprintf(sql, sizeof sql, "ATTACH '%s' AS f", full);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM (SELECT * FROM demand_access EXCEPT SELECT * FROM "
                                    "f.demand_access)"),
                     0);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM f.demand_access"), 292);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM district_coverage"), 0);
    assert_true(svt_db_int(db, "SELECT count(*) FROM f.district_coverage") > 0);
    sqlite3_close(db);
}

static void test_access_legs_and_straight(void **state)
{
    (void)state;
    const char *legs = svt_path("node_legs.sqlite");
    run(legs, "node", "on", "yes");
    assert_int_equal(compare_summary(legs, "network_with_snap"), 14);
    const char *straight = svt_path("straight.sqlite");
    run(straight, NULL, NULL, NULL);
    assert_int_equal(compare_summary(straight, "euclidean"), 14);

    /* The defaults attach to the nearest point of the nearest street and
     * count both access legs. That is neither reference variant: the walk
     * to the street is shorter than to the nearest vertex, but the path
     * then follows the street to the next vertex where the node variant
     * cuts the corner in a straight line. So the share stays close to the
     * "network_with_snap" variant, and never above the straight-line one
     * (a network path with its legs is never shorter than the straight line). */
    const char *def = svt_path("defaults.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", file("stations.geojson"), "--districts", file("districts.geojson"),
               "--district-id", "name", "--network", file("roads.geojson"), "--radius", "500,1000", "--demand",
               file("buildings.geojson"), "--no-service-areas", "--out", def, "-q");
    sqlite3 *d = svt_db_open(def), *w = svt_db_open(legs), *e = svt_db_open(straight);
    for (int k = 0; k < 2; k++) {
        double D = k ? 1000 : 500;
        const char *q = "SELECT covered_share FROM district_demand WHERE district_id IS NULL AND radius_m = %g";
        double sd = svt_db_double(d, q, D), sw = svt_db_double(w, q, D), se = svt_db_double(e, q, D);
        printf("andorra %g m, share of buildings covered: defaults %.4f, node+legs %.4f, straight %.4f\n", D, sd, sw,
               se);
        assert_true(fabs(sd - sw) <= 0.03);
        assert_true(sd <= se);
    }
    /* every building's default distance is at least its straight line */
    assert_int_equal(svt_db_int(d, "SELECT count(*) FROM demand_access WHERE network_m < euclid_m - 1e-6"), 0);
    sqlite3_close(d);
    sqlite3_close(w);
    sqlite3_close(e);
}

/* The OpenStreetMap file itself: its lines layer gives the same graph
 * (lines without a highway class, rivers and power lines, are no roads). */
static void test_osm_pbf(void **state)
{
    (void)state;
    const char *out = svt_path("pbf.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", file("stations.geojson"), "--districts", file("districts.geojson"),
               "--district-id", "name", "--network", file("andorra.osm.pbf"), "--radius", "500", "--snap", "node",
               "--access-legs", "off", "--max-snap", "100000", "--demand", file("buildings.geojson"),
               "--no-service-areas", "--out", out, "-q");
    sqlite3 *db = svt_db_open(out);
    assert_int_equal(svt_db_int(db, "SELECT network_nodes FROM runs"), 38509);
    assert_int_equal(svt_db_int(db, "SELECT network_edges FROM runs"), 38942);
    assert_int_equal(svt_db_int(db, "SELECT demand_covered FROM district_demand WHERE district_id IS NULL"), 169);
    sqlite3_close(db);
}

/* By car the ways' oneway and maxspeed tags count: read from the .pbf with
 * svcov's osmconf.ini they are fields, so the file gives exactly what the
 * GeoJSON extract of the same ways (highway, oneway, maxspeed) gives. With
 * GDAL's own osmconf.ini they hid in other_tags and were ignored. */
static void test_osm_pbf_car_tags(void **state)
{
    (void)state;
    const char *pbf = svt_path("car_pbf.sqlite"), *gj = svt_path("car_geojson.sqlite");
    const char *src[2] = {file("andorra.osm.pbf"), file("roads.geojson")}, *out[2] = {pbf, gj};
    for (int i = 0; i < 2; i++)
        SVT_EXPECT(0, "analyze", "--stations", file("stations.geojson"), "--districts", file("districts.geojson"),
                   "--district-id", "name", "--network", src[i], "--mode", "car", "--minutes", "5",
                   "--no-service-areas", "--no-redundancy", "--no-category-coverage", "--out", out[i], "-q");
    sqlite3 *a = svt_db_open(pbf), *b = svt_db_open(gj);
    assert_int_equal(svt_db_int(a, "SELECT network_edges FROM runs"), svt_db_int(b, "SELECT network_edges FROM runs"));
    double ca = svt_db_double(a, "SELECT covered_m2 FROM city_coverage");
    double cb = svt_db_double(b, "SELECT covered_m2 FROM city_coverage");
    printf("andorra by car, 5 min: %.3f m2 from the .pbf, %.3f m2 from roads.geojson\n", ca, cb);
    assert_true(cb > 1e7);
    assert_true(fabs(ca - cb) <= 1e-9 * cb);
    for (int d = 0; d < 6; d++) {
        const char *q = "SELECT covered_m2 FROM district_coverage ORDER BY district_id LIMIT 1 OFFSET %d";
        double da = svt_db_double(a, q, d), db = svt_db_double(b, q, d);
        assert_true(fabs(da - db) <= 1e-9 * (db + 1));
    }
    sqlite3_close(a);
    sqlite3_close(b);
}

static void test_areas_valid_and_nested(void **state)
{
    (void)state;
    const char *out = svt_path("areas.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", file("stations.geojson"), "--districts", file("districts.geojson"),
               "--district-id", "name", "--network", file("roads.geojson"), "--minutes", "10,15", "--out", out, "-q");
    sqlite3 *db = svt_db_open(out);
    assert_int_equal(sqlite3_enable_load_extension(db, 1), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "SELECT load_extension('mod_spatialite')", NULL, NULL, NULL), SQLITE_OK);
    long n = svt_db_int(db, "SELECT count(*) FROM service_areas");
    assert_true(n > 300); /* about 164 attached stations x 2 breaks */
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM service_areas WHERE ST_IsValid(geom) = 1"), n);
    /* the 10-minute area of every station lies inside its 15-minute one */
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM service_areas a JOIN service_areas b"
                                    " ON a.station_id = b.station_id AND a.minutes = 10 AND b.minutes = 15"
                                    " WHERE ST_Area(ST_Difference(a.geom, b.geom)) > 1e-3"),
                     0);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM coverage WHERE geom IS NOT NULL AND ST_IsValid(geom) = 0"),
                     0);
    /* shares stay within 0..100 */
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM district_coverage WHERE covered_pct > 100"), 0);
    assert_string_equal(svt_db_text(db, "SELECT method FROM runs"), "network");
    svt_db_no_nan(db);
    sqlite3_close(db);
}

/* A district sheet in network mode says why fewer stations reach the district than lie in it: Encamp has 37
 * stations, 9 of them mountain refuges over 500 m (--max-snap) from any walkable road, which 'analyze' lists in
 * issues; the sheet names them. */
static void test_district_sheet_off_network(void **state)
{
    (void)state;
    const char *out = svt_path("sheet.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", file("stations.geojson"), "--districts", file("districts.geojson"),
               "--district-id", "name", "--network", file("roads.geojson"), "--minutes", "15", "--no-redundancy",
               "--out", out, "-q");
    sqlite3 *db = svt_db_open(out);
    assert_int_equal(sqlite3_enable_load_extension(db, 1), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "SELECT load_extension('mod_spatialite')", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(svt_db_int(db, "SELECT stations_unattached FROM runs"), 31);
    long inside = svt_db_int(db, "SELECT n_stations_inside FROM district_coverage WHERE district_id = 'Encamp'");
    long reach = svt_db_int(db, "SELECT n_stations_reaching FROM district_coverage WHERE district_id = 'Encamp'");
    long off = svt_db_int(db, "SELECT count(*) FROM stations s, districts d WHERE d.district_id = 'Encamp'"
                              " AND ST_Within(s.geom, d.geom) AND s.station_id IN (SELECT feature_id FROM issues"
                              " WHERE problem LIKE '%%max-snap 500 m%%')");
    sqlite3_close(db);
    assert_int_equal(inside, 37);
    assert_int_equal(off, 9);
    const char *pdf = svt_path("encamp.pdf"), *txt = svt_path("encamp.txt");
    SVT_EXPECT(0, "map", "--db", out, "--district", "Encamp", "--out", pdf, "-q");
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' '%s'", pdf, txt);
    assert_int_equal(system(cmd), 0);
    char *t = svt_read(txt, NULL);
    assert_non_null(t);
    for (char *p = t; *p; p++)
        if (*p == '\n')
            *p = ' ';
    char want[256];
    snprintf(want, sizeof want,
             "%ld stations inside, %ld reach it along the streets; %ld inside are over 500 m from a usable street "
             "(see issues)", inside, reach, off);
    if (!strstr(t, want))
        fail_msg("the Encamp sheet lacks \"%s\":\n%s", want, t);
    free(t);
}

int main(void)
{
    const char *env = getenv("SVCOV_SHARED");
    snprintf(andorra, sizeof andorra, "%s/realdata/andorra", env && *env ? env : SVCOV_SHARED_DIR);
    struct stat sb;
    if (stat(andorra, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        printf("SKIPPED: %s not found; set SVCOV_SHARED to the shared folder to check the network references\n",
               andorra);
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_node_snap_distances),
        cmocka_unit_test(test_demand_only_distances),
        cmocka_unit_test(test_access_legs_and_straight),
        cmocka_unit_test(test_osm_pbf),
        cmocka_unit_test(test_osm_pbf_car_tags),
        cmocka_unit_test(test_areas_valid_and_nested),
        cmocka_unit_test(test_district_sheet_off_network),
    };
    return cmocka_run_group_tests_name("realdata_network", tests, group_setup, group_teardown);
}
