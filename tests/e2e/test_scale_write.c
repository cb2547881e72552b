/* test_scale_write.c - service areas at scale (issue 19, items 4-6): the circles are made on all cores in
 * rounds of stations and written in station order as they are made; the network areas are made over the
 * stations on all cores. One thread and two must give the same rows, byte for byte, and the rows must be
 * the circles and areas they stand for.
 *
 * The cities come from bench/gencity.c (svcov-gencity --clusters): 5,000 stations (more than one round of
 * 4,096) and 40 districts for the circles; 150 stations, 12 districts and a street grid for the network.
 *
 * indexes: every table's spatial index is SpatiaLite's own (CheckSpatialIndex), passes SQLite's rtreecheck,
 * is packed, and answers window queries as a scan does, on a default run of 600 stations and 30 districts (and
 * the three-level trees of the 5,000-station run in the circles group); each R*Tree row is the box SpatiaLite itself gives its row's geometry, and stays so through edits made after
 * the run; SpatiaLite prints nothing of its own during the run, nor GEOS's messages during a query.
 *
 * Usage: test_scale_write GROUP  (circles | network | indexes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "svtest.h"
#include "core/schema.h"
#include "svcov/sv_store.h"

static const char *one, *two;
static int network_group; /* the group given: network, else circles */
static int index_group;   /* indexes: one default run */
static char *index_err;   /* its stderr */

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

/* The city of the group, and svcov analyze on it with 1 and 2 threads. */
static int group_setup(void **state)
{
    (void)state;
    int network = network_group;
    if (svt_make_dir(network ? "scale_write_net" : index_group ? "scale_write_idx" : "scale_write") != 0)
        return -1;
    const char *city = svt_path("city");
    const char *circle_city[] = {SVCOV_GENCITY, "--stations", "5000", "--districts", "40", "--seed", "5",
                                 "--clusters", "3", "--out", city, "-q", NULL};
    const char *index_city[] = {SVCOV_GENCITY, "--stations", "600", "--districts", "30", "--seed", "7",
                                "--clusters", "2", "--out", city, "-q", NULL};
    const char *net_city[] = {SVCOV_GENCITY, "--stations", "150", "--districts", "12", "--seed", "11", "--clusters",
                              "3", "--roads", "--road-spacing", "150", "--out", city, "-q", NULL};
    if (svt_run_tool(network ? net_city : index_group ? index_city : circle_city) != 0)
        return -1;
    one = svt_path("one.sqlite");
    two = svt_path("two.sqlite");
    char st[4200], di[4200], ro[4200];
    snprintf(st, sizeof st, "%s/stations.gpkg", city);
    snprintf(di, sizeof di, "%s/districts.gpkg", city);
    snprintf(ro, sizeof ro, "%s/roads.gpkg", city);
    if (index_group) { /* all defaults: every table that has a geometry gets rows */
        if (SVT_RUN("analyze", "--stations", st, "--districts", di, "--radius", "500,1000", "--out", one, "-q") != 0) {
            fprintf(stderr, "analyze failed: %s\n", svt_last.err);
            return -1;
        }
        index_err = strdup(svt_last.err);
        return 0;
    }
    const char *threads[] = {"1", "2"}, *outs[] = {one, two};
    for (int t = 0; t < 2; t++) {
        int rc = network ? SVT_RUN("analyze", "--stations", st, "--districts", di, "--network", ro, "--radius",
                                   "400,800", "--no-redundancy", "--no-category-coverage", "--threads", threads[t],
                                   "--out", outs[t], "-q")
                         : SVT_RUN("analyze", "--stations", st, "--districts", di, "--radius", "500,1000",
                                   "--no-redundancy", "--no-category-coverage", "--threads", threads[t], "--out",
                                   outs[t], "-q");
        if (rc != 0) {
            fprintf(stderr, "analyze --threads %s failed: %s\n", threads[t], svt_last.err);
            return -1;
        }
    }
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    free(index_err);
    index_err = NULL;
    svt_run_free();
    svt_remove_dir();
    return 0;
}

/* One thread and two: the same service_areas rows in the same order (rowid), every value and every
 * geometry byte the same; the stations too. */
static void test_circles_threads_same(void **state)
{
    (void)state;
    sqlite3 *db = svt_db_open(one);
    attach(db, two, "t");
    long long n_st = svt_db_int(db, "SELECT count(*) FROM stations");
    assert_true(n_st > 4096); /* more than one round of circles */
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM service_areas"), 2 * n_st);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM t.service_areas"), 2 * n_st);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM service_areas a JOIN t.service_areas b ON a.rowid = b.rowid "
                                    "WHERE a.station_id = b.station_id AND a.radius_m = b.radius_m AND "
                                    "a.minutes IS b.minutes AND a.area_m2 = b.area_m2 AND "
                                    "a.reached_m IS b.reached_m AND a.geom = b.geom"),
                     2 * n_st);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM stations a JOIN t.stations b ON a.rowid = b.rowid "
                                    "WHERE a.station_id = b.station_id AND a.geom = b.geom"),
                     n_st);
    /* the spatial index holds every circle */
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM idx_service_areas_geom"), 2 * n_st);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM t.idx_service_areas_geom"), 2 * n_st);
    sqlite3_close(db);
}

/* The rows are the circles of the stations, in station order: station k's circles are rows 2k+1 (500 m)
 * and 2k+2 (1000 m); each is a ring of 4 x 32 + 1 vertices at the radius from its station (1e-6 m), its
 * area_m2 SpatiaLite's area of the stored polygon (1e-9 relative), the true circle's area less 0.040%. */
static void test_circles_rows(void **state)
{
    (void)state;
    sqlite3 *db = open_spatial(two);
    long long n = svt_db_int(db, "SELECT count(*) FROM service_areas");
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM service_areas c JOIN stations s USING (station_id) "
                                    "WHERE c.rowid = 2 * (s.rowid - 1) + (c.radius_m = 1000) + 1"),
                     n);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM service_areas WHERE NumPoints(ExteriorRing(geom)) = 129 "
                                    "AND NumInteriorRings(geom) = 0"),
                     n);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM service_areas c JOIN stations s USING (station_id) "
                                    "WHERE abs(MbrMaxX(c.geom) - X(s.geom) - c.radius_m) < 1e-6 "
                                    "AND abs(X(s.geom) - MbrMinX(c.geom) - c.radius_m) < 1e-6 "
                                    "AND abs(MbrMaxY(c.geom) - Y(s.geom) - c.radius_m) < 1e-6 "
                                    "AND abs(Y(s.geom) - MbrMinY(c.geom) - c.radius_m) < 1e-6"),
                     n);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM service_areas WHERE abs(area_m2 - ST_Area(geom)) "
                                    "<= 1e-9 * area_m2"),
                     n);
    double worst = svt_db_double(db, "SELECT max(abs(area_m2 / (pi() * radius_m * radius_m) - (1 - 0.000401))) "
                                     "FROM service_areas");
    assert_true(worst < 2e-6);
    sqlite3_close(db);
}

/* Network mode: each station's area and reached streets per break, the same rows and bytes on 1 and 2
 * threads; each area holds its station's reached streets (the streets widened by --trim). */
static void test_network_threads_same(void **state)
{
    (void)state;
    sqlite3 *db = open_spatial(one);
    attach(db, two, "t");
    long long n = svt_db_int(db, "SELECT count(*) FROM service_areas");
    assert_true(n > 250); /* 150 stations, 2 breaks, a few without streets near */
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM t.service_areas"), n);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM service_areas a JOIN t.service_areas b ON a.rowid = b.rowid "
                                    "WHERE a.station_id = b.station_id AND a.radius_m = b.radius_m AND "
                                    "a.area_m2 = b.area_m2 AND a.reached_m = b.reached_m AND a.geom = b.geom"),
                     n);
    long long r = svt_db_int(db, "SELECT count(*) FROM reached_streets");
    assert_true(r >= n);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM reached_streets a JOIN t.reached_streets b ON "
                                    "a.rowid = b.rowid WHERE a.station_id IS b.station_id AND "
                                    "a.radius_m = b.radius_m AND a.length_m = b.length_m AND a.geom = b.geom"),
                     r);
    /* the coverage built from the areas too */
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM district_coverage a JOIN t.district_coverage b USING "
                                    "(district_id, radius_m) WHERE a.covered_m2 = b.covered_m2"),
                     2 * 12);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM service_areas a JOIN reached_streets s USING "
                                    "(station_id, radius_m) WHERE ST_Covers(a.geom, s.geom) = 1"),
                     n);
    assert_true(svt_db_double(db, "SELECT min(area_m2) FROM service_areas") > 0);
    sqlite3_close(db);
}

/* Table t's R*Tree passes SQLite's own structure check (rtreecheck: every parent box holds its children, the
 * %_rowid and %_parent tables agree with the nodes) and is packed: its nodes at most ceil(rows / 51) leaves plus
 * the levels above (SpatiaLite's one-row inserts leave nodes about 70% full: about rows / 35). Returns the
 * tree's depth (0: the root is the one leaf). */
static int check_tree(sqlite3 *db, const sv_table_desc *t, long long rows)
{
    const char *g = t->geometry_column;
    const char *ok = svt_db_text(db, "SELECT rtreecheck('idx_%s_%s')", t->name, g);
    if (!ok || strcmp(ok, "ok") != 0)
        fail_msg("rtreecheck('idx_%s_%s'): %s", t->name, g, ok ? ok : "(null)");
    long long nodes = svt_db_int(db, "SELECT count(*) FROM idx_%s_%s_node", t->name, g);
    long long leaves = (rows + 50) / 51, most = leaves > 1 ? leaves + (leaves + 50) / 51 + 1 : 1;
    if (rows > 0 && nodes > most)
        fail_msg("idx_%s_%s: %lld nodes for %lld rows, a packed tree has at most %lld", t->name, g, nodes, rows,
                 most);
    const char *depth = svt_db_text(db, "SELECT hex(substr(data, 1, 2)) FROM idx_%s_%s_node WHERE nodeno = 1",
                                    t->name, g); /* the root's first 2 bytes, big-endian */
    assert_non_null(depth);
    return (int)strtol(depth, NULL, 16);
}

/* Nine windows of a third of table t's extent: the rows a window query through SpatiaLite's SpatialIndex
 * table finds are those a scan finds. Returns how many windows took some rows and left others. */
static int check_windows(sqlite3 *db, const sv_table_desc *t, long long rows)
{
    const char *g = t->geometry_column;
    int n_split = 0;
    double x0 = svt_db_double(db, "SELECT min(MbrMinX(%s)) FROM %s", g, t->name);
    double x1 = svt_db_double(db, "SELECT max(MbrMaxX(%s)) FROM %s", g, t->name);
    double y0 = svt_db_double(db, "SELECT min(MbrMinY(%s)) FROM %s", g, t->name);
    double y1 = svt_db_double(db, "SELECT max(MbrMaxY(%s)) FROM %s", g, t->name);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            /* windows of a third of the extent's side, a little apart from the grid of thirds */
            double wx = x0 + (x1 - x0) * (0.05 + 0.3 * i), wy = y0 + (y1 - y0) * (0.07 + 0.3 * j);
            double wx1 = wx + (x1 - x0) / 3, wy1 = wy + (y1 - y0) / 3;
            long long scan = svt_db_int(db, "SELECT count(*) FROM %s WHERE MbrIntersects(%s, BuildMbr(%.17g, "
                                            "%.17g, %.17g, %.17g)) = 1", t->name, g, wx, wy, wx1, wy1);
            long long idx = svt_db_int(db, "SELECT count(*) FROM %s WHERE MbrIntersects(%s, BuildMbr(%.17g, "
                                           "%.17g, %.17g, %.17g)) = 1 AND ROWID IN (SELECT ROWID FROM SpatialIndex "
                                           "WHERE f_table_name = '%s' AND f_geometry_column = '%s' AND "
                                           "search_frame = BuildMbr(%.17g, %.17g, %.17g, %.17g))",
                                      t->name, g, wx, wy, wx1, wy1, t->name, g, wx, wy, wx1, wy1);
            if (idx != scan)
                fail_msg("%s: the window (%g %g, %g %g) finds %lld rows by the index, %lld by a scan", t->name,
                         wx, wy, wx1, wy1, idx, scan);
            n_split += scan > 0 && scan < rows;
        }
    return n_split;
}

/* The R*Trees of a larger run (5,000 stations: three levels) pass SQLite's check, are packed, and answer
 * window queries as a scan does. */
static void test_circles_trees(void **state)
{
    (void)state;
    sqlite3 *db = open_spatial(one);
    int deepest = 0, n_split = 0;
    for (int k = 0; k < SV_TABLE_COUNT; k++) {
        const sv_table_desc *t = sv_schema_table((sv_table)k);
        if (!t || !t->geometry)
            continue;
        long long rows = svt_db_int(db, "SELECT count(*) FROM %s WHERE %s IS NOT NULL", t->name, t->geometry_column);
        int depth = check_tree(db, t, rows);
        deepest = depth > deepest ? depth : deepest;
        if (rows > 0)
            n_split += check_windows(db, t, rows);
    }
    assert_true(deepest >= 2);
    assert_true(n_split >= 20);
    sqlite3_close(db);
}

/* Every geometry table of the schema is registered with a spatial index that SpatiaLite itself accepts
 * (CheckSpatialIndex, as QGIS relies on) and that holds every row; a window query through SpatiaLite's
 * SpatialIndex table finds the same rows as a scan of the table, for nine windows over each table's extent. */
static void test_indexes_spatialite(void **state)
{
    (void)state;
    sqlite3 *db = open_spatial(one);
    int n_tables = 0, n_filled = 0, n_split = 0;
    for (int k = 0; k < SV_TABLE_COUNT; k++) {
        const sv_table_desc *t = sv_schema_table((sv_table)k);
        if (!t || !t->geometry)
            continue;
        n_tables++;
        const char *g = t->geometry_column;
        assert_int_equal(svt_db_int(db, "SELECT spatial_index_enabled FROM geometry_columns WHERE f_table_name = '%s' "
                                        "AND f_geometry_column = '%s'", t->name, g), 1);
        if (svt_db_int(db, "SELECT CheckSpatialIndex('%s', '%s')", t->name, g) != 1)
            fail_msg("CheckSpatialIndex('%s', '%s') is not 1", t->name, g);
        long long rows = svt_db_int(db, "SELECT count(*) FROM %s WHERE %s IS NOT NULL", t->name, g);
        assert_int_equal(svt_db_int(db, "SELECT count(*) FROM idx_%s_%s", t->name, g), rows);
        check_tree(db, t, rows);
        if (rows == 0)
            continue;
        n_filled++;
        n_split += check_windows(db, t, rows);
    }
    assert_true(n_tables >= 8);  /* stations, districts, service areas, gaps, ... */
    assert_true(n_filled >= 6);  /* a default run fills most of them */
    assert_true(n_split >= 20);  /* windows that take some rows and leave others */
    sqlite3_close(db);
}

/* Table t's R*Tree against the boxes SpatiaLite gives its geometries: the same rows as an R*Tree that
 * SpatiaLite's RTreeAlign (what its insert trigger and CreateSpatialIndex call) fills from the table, both
 * ways, and every box holds its geometry's ST_MinX/MaxX/MinY/MaxY within a float's rounding. Returns the rows. */
static long long check_boxes(sqlite3 *db, const sv_table_desc *t)
{
    const char *g = t->geometry_column;
    char sql[512];
    snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS temp.chk_tree; CREATE VIRTUAL TABLE temp.chk_tree USING "
             "rtree(pkid, xmin, xmax, ymin, ymax)");
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    long long rows = svt_db_int(db, "SELECT count(*) FROM %s WHERE %s IS NOT NULL", t->name, g);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM (SELECT RTreeAlign('chk_tree', rowid, %s) AS ok FROM %s "
                                    "WHERE %s IS NOT NULL) WHERE ok = 1", g, t->name, g), rows);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM temp.chk_tree"), rows);
    long long extra = svt_db_int(db, "SELECT count(*) FROM (SELECT * FROM idx_%s_%s EXCEPT SELECT * FROM "
                                     "temp.chk_tree)", t->name, g);
    long long missing = svt_db_int(db, "SELECT count(*) FROM (SELECT * FROM temp.chk_tree EXCEPT SELECT * FROM "
                                       "idx_%s_%s)", t->name, g);
    if (extra || missing)
        fail_msg("idx_%s_%s: %lld rows SpatiaLite would not write, %lld it would are missing", t->name, g, extra,
                 missing);
    long long wrong = svt_db_int(db, "SELECT count(*) FROM idx_%s_%s i JOIN %s t ON t.rowid = i.pkid WHERE "
                                     "i.xmin > ST_MinX(t.%s) OR i.xmax < ST_MaxX(t.%s) OR i.ymin > ST_MinY(t.%s) OR "
                                     "i.ymax < ST_MaxY(t.%s) OR ST_MinX(t.%s) - i.xmin > 3e-7 * abs(i.xmin) + 1e-9 "
                                     "OR i.xmax - ST_MaxX(t.%s) > 3e-7 * abs(i.xmax) + 1e-9 OR ST_MinY(t.%s) - i.ymin "
                                     "> 3e-7 * abs(i.ymin) + 1e-9 OR i.ymax - ST_MaxY(t.%s) > 3e-7 * abs(i.ymax) + 1e-9",
                                t->name, g, t->name, g, g, g, g, g, g, g, g);
    if (wrong)
        fail_msg("idx_%s_%s: %lld boxes do not hold their geometry's extent", t->name, g, wrong);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM idx_%s_%s i JOIN %s t ON t.rowid = i.pkid", t->name, g,
                                t->name),
                     rows);
    assert_int_equal(sqlite3_exec(db, "DROP TABLE temp.chk_tree", NULL, NULL, NULL), SQLITE_OK);
    return rows;
}

/* Every geometry table's R*Tree holds exactly the boxes SpatiaLite would give its rows; and the run did not
 * let SpatiaLite's own messages (its "updateTableTriggers: ..." or "... error:" lines) reach stderr. */
static void test_indexes_boxes(void **state)
{
    (void)state;
    sqlite3 *db = open_spatial(one);
    int n_filled = 0;
    for (int k = 0; k < SV_TABLE_COUNT; k++) {
        const sv_table_desc *t = sv_schema_table((sv_table)k);
        if (t && t->geometry)
            n_filled += check_boxes(db, t) > 0;
    }
    assert_true(n_filled >= 6);
    sqlite3_close(db);
    assert_non_null(index_err);
    if (strstr(index_err, "updateTableTriggers") || strstr(index_err, "SpatialIndex") ||
        strstr(index_err, "already exists") || strstr(index_err, "Geometry"))
        fail_msg("SpatiaLite's messages on stderr:\n%s", index_err);
}

/* Edits after the run through SpatiaLite (a station and a circle moved by UPDATE, a district deleted, a
 * circle inserted): SpatiaLite's triggers keep every index true (CheckSpatialIndex, the boxes), and a window
 * query through the index finds the moved station at its new place and no longer at its old one. */
static void test_indexes_edit(void **state)
{
    (void)state;
    const char *edit = svt_path("edit.sqlite");
    svt_copy(one, edit);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(edit, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_enable_load_extension(db, 1), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "SELECT load_extension('mod_spatialite')", NULL, NULL, NULL), SQLITE_OK);
    long long sid = svt_db_int(db, "SELECT min(rowid) FROM stations");
    double x = svt_db_double(db, "SELECT X(geom) FROM stations WHERE rowid = %lld", sid);
    double y = svt_db_double(db, "SELECT Y(geom) FROM stations WHERE rowid = %lld", sid);
    const char *sql[] = {
        "UPDATE stations SET geom = MakePoint(X(geom) + 7777, Y(geom) + 3333, ST_SRID(geom)) "
        "WHERE rowid = (SELECT min(rowid) FROM stations)",
        "UPDATE service_areas SET geom = ST_Translate(geom, 7777, 3333, 0) "
        "WHERE rowid = (SELECT min(rowid) FROM service_areas)",
        "DELETE FROM districts WHERE rowid = (SELECT min(rowid) FROM districts)",
        "CREATE TEMP TABLE one_area AS SELECT * FROM service_areas WHERE rowid = (SELECT max(rowid) FROM "
        "service_areas); UPDATE temp.one_area SET id = (SELECT max(id) + 1 FROM service_areas), "
        "geom = ST_Translate(geom, -9999, 0, 0); INSERT INTO service_areas SELECT * FROM temp.one_area",
    };
    for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++) {
        char *msg = NULL;
        if (sqlite3_exec(db, sql[i], NULL, NULL, &msg) != SQLITE_OK)
            fail_msg("%s: %s", sql[i], msg ? msg : "?");
        if (sqlite3_changes(db) != 1)
            fail_msg("%s: %d rows changed, not 1", sql[i], sqlite3_changes(db));
    }
    const sv_table_desc *edited[] = {sv_schema_table(SV_TABLE_STATIONS), sv_schema_table(SV_TABLE_SERVICE_AREAS),
                                     sv_schema_table(SV_TABLE_DISTRICTS)};
    for (size_t i = 0; i < 3; i++) {
        if (svt_db_int(db, "SELECT CheckSpatialIndex('%s', 'geom')", edited[i]->name) != 1)
            fail_msg("CheckSpatialIndex('%s', 'geom') is not 1 after the edit", edited[i]->name);
        check_boxes(db, edited[i]);
    }
    const char *win = "SELECT count(*) FROM stations WHERE rowid = %lld AND rowid IN (SELECT ROWID FROM SpatialIndex "
                      "WHERE f_table_name = 'stations' AND f_geometry_column = 'geom' AND "
                      "search_frame = BuildMbr(%.17g, %.17g, %.17g, %.17g))";
    assert_int_equal(svt_db_int(db, win, sid, x + 7776, y + 3332, x + 7778, y + 3334), 1);
    assert_int_equal(svt_db_int(db, win, sid, x - 1, y - 1, x + 1, y + 1), 0);
    sqlite3_close(db);
}

/* SpatiaLite's own GEOS messages ("GEOS error: TopologyException ...", printed by default) do not reach
 * stderr from a query of the result (a self-intersecting polygon united); the query still answers. */
static void test_spatialite_silent(void **state)
{
    (void)state;
    const char *q = svt_write("bow.sql", "SELECT ST_Union(GeomFromText('POLYGON((0 0,10 10,10 0,0 10,0 0))'), "
                                         "GeomFromText('POLYGON((0 0,1 0,1 1,0 1,0 0))')) IS NULL AS failed;\n");
    assert_int_equal(SVT_RUN("query", "--db", one, q, "--csv"), 0);
    if (strstr(svt_last.err, "GEOS") || strstr(svt_last.err, "TopologyException"))
        fail_msg("SpatiaLite's messages on stderr:\n%s", svt_last.err);
    if (!strstr(svt_last.out, "failed") || !strstr(svt_last.out, "1"))
        fail_msg("the query did not answer as expected:\n%s", svt_last.out);
}

int main(int argc, char **argv)
{
    if (argc < 2) { /* each group makes its own city */
        fprintf(stderr, "usage: test_scale_write circles|network|indexes\n");
        return 2;
    }
    network_group = strcmp(argv[1], "network") == 0;
    index_group = strcmp(argv[1], "indexes") == 0;
    static const svt_group groups[] = {
        {"circles", cmocka_unit_test(test_circles_threads_same)},
        {"circles", cmocka_unit_test(test_circles_rows)},
        {"circles", cmocka_unit_test(test_circles_trees)},
        {"network", cmocka_unit_test(test_network_threads_same)},
        {"indexes", cmocka_unit_test(test_indexes_spatialite)},
        {"indexes", cmocka_unit_test(test_indexes_boxes)},
        {"indexes", cmocka_unit_test(test_indexes_edit)},
        {"indexes", cmocka_unit_test(test_spatialite_silent)},
    };
    return svt_run_groups(argc, argv, "scale_write", groups, sizeof groups / sizeof groups[0], group_setup,
                          group_teardown);
}
