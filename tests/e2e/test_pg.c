/* test_pg.c - the PostgreSQL/PostGIS result store (issue 14) against a real
 * server that the test starts itself (tests/common/svtest_pg.h): the same run
 * into SpatiaLite and into PostGIS, equal table by table; the typed layers
 * as GDAL/QGIS read them; the readers on PG:; bad input. One server per
 * group (ctest runs each group as its own test). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <time.h>

#include "svtest.h"
#include "svtest_pg.h"

#include "core/schema.h"
#include "svtest_shards.h"

static svt_pg pg;
static int pg_skip;

#define STATIONS SVCOV_SOURCE_DIR "/geodata/stations.geojson"
#define DISTRICTS SVCOV_SOURCE_DIR "/geodata/districts.geojson"

static int setup(void **state)
{
    (void)state;
    return svt_pg_setup(&pg, "pg", &pg_skip);
}

static int teardown(void **state)
{
    (void)state;
    return svt_pg_teardown(&pg, "test_pg");
}

#define NEED_SERVER() SVT_NEED_SERVER(pg_skip)

/* psql's answer to one query on the database "svcov" (static buffer); fails the test on an error. */
#define psql(...) svt_psql(&pg, __VA_ARGS__)

/* A connection string on another database or user of the test server. */
static const char *conn(const char *extra)
{
    static char b[1024];
    snprintf(b, sizeof b, "PG:host=%s port=5432 %s", pg.dir, extra);
    return b;
}

/* The demo city with a station name that holds a tab, a backslash and a line break (COPY's escapes). */
static const char *stations_with_escapes(void)
{
    size_t n = 0;
    char *t = svt_read(STATIONS, &n);
    assert_non_null(t);
    const char *from = "\"骑手驿站·龙澄广场\"";
    char *at = strstr(t, from);
    assert_non_null(at);
    const char *to = "\"骑手\\t驿站\\\\龙澄\\n广场\"";
    size_t cap = n + strlen(to) + 1;
    char *u = malloc(cap);
    assert_non_null(u);
    snprintf(u, cap, "%.*s%s%s", (int)(at - t), t, to, at + strlen(from));
    const char *p = svt_write("stations.geojson", u);
    free(t);
    free(u);
    return p;
}

/* Every table of the description holds the same rows in a and b (the SpatiaLite files), geometry blobs
 * byte for byte; runs: every column but the times and the command line; timings: but the times and memory. */
static void assert_same_tables(const char *a, const char *b)
{
    sqlite3 *db = svt_db_open(a);
    char sql[4096];
    snprintf(sql, sizeof sql, "ATTACH '%s' AS b", b);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    int compared = 0;
    for (int t = 0; t < SV_TABLE_COUNT; t++) {
        const sv_table_desc *d = sv_schema_table((sv_table)t);
        char cols[4096] = "";
        for (size_t c = 0; c < d->n_columns; c++) {
            const char *n = d->columns[c].name;
            if (strcmp(n, "started_utc") == 0 || strcmp(n, "finished_utc") == 0 || strcmp(n, "command") == 0)
                continue;
            if (t == SV_TABLE_TIMINGS && (strcmp(n, "seconds") == 0 || strcmp(n, "cpu_seconds") == 0 ||
                                          strcmp(n, "peak_rss_mib") == 0))
                continue; /* measured: each run its own (the stages, parents and rows written are the same) */
            snprintf(cols + strlen(cols), sizeof cols - strlen(cols), "%s\"%s\"", *cols ? ", " : "", n);
        }
        if (d->geometry)
            snprintf(cols + strlen(cols), sizeof cols - strlen(cols), ", %s", d->geometry_column);
        long long in_a = svt_db_int(db, "SELECT count(*) FROM main.sqlite_master WHERE name = '%s'", d->name);
        long long in_b = svt_db_int(db, "SELECT count(*) FROM b.sqlite_master WHERE name = '%s'", d->name);
        assert_int_equal(in_a, in_b);
        if (!in_a)
            continue;
        long long na = svt_db_int(db, "SELECT count(*) FROM main.%s", d->name);
        long long nb = svt_db_int(db, "SELECT count(*) FROM b.%s", d->name);
        if (na != nb)
            fail_msg("%s: %lld rows in %s, %lld in %s", d->name, na, a, nb, b);
        /* the key too (it is the row's id in both), except runs' (the PostGIS run id) */
        const char *key = strcmp(d->name, "runs") == 0 ? "" : d->key;
        char q[10000];
        snprintf(q, sizeof q, "SELECT count(*) FROM (SELECT %s%s%s FROM main.%s EXCEPT SELECT %s%s%s FROM b.%s)",
                 key, *key ? ", " : "", cols, d->name, key, *key ? ", " : "", cols, d->name);
        sqlite3_stmt *s = NULL;
        if (sqlite3_prepare_v2(db, q, -1, &s, NULL) != SQLITE_OK || sqlite3_step(s) != SQLITE_ROW)
            fail_msg("SQL error in \"%s\": %s", q, sqlite3_errmsg(db));
        long long diff = sqlite3_column_int64(s, 0);
        sqlite3_finalize(s);
        if (diff != 0)
            fail_msg("%s: %lld rows of %s are not in %s", d->name, diff, a, b);
        compared += na > 0;
    }
    assert_true(compared >= 15); /* the demo city fills most tables */
    sqlite3_close(db);
}

/* The same run into SpatiaLite and into PostGIS, and back: equal table by table; typed columns, GiST
 * indexes, growing run ids, Chinese text and COPY's escapes intact. */
static void test_store(void **state)
{
    (void)state;
    NEED_SERVER();
    const char *st = stations_with_escapes();
    const char *ref = svt_path("ref.sqlite"), *back = svt_path("back.sqlite"), *back1 = svt_path("back1.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", st, "--districts", DISTRICTS, "--minutes", "10,15",
               "--population-field", "population", "--out", ref, "-q");
    SVT_EXPECT(0, "analyze", "--stations", st, "--districts", DISTRICTS, "--minutes", "10,15",
               "--population-field", "population", "--out", pg.pg, "-q");
    /* the run id alone on stdout */
    assert_string_equal(svt_last.out, "1\n");
    SVT_EXPECT(0, "export", "--db", pg.pg, "--run", "1", "--out", back1);
    assert_same_tables(ref, back1);

    /* a second run gets id 2; the first is still there as it was */
    SVT_EXPECT(0, "analyze", "--stations", st, "--districts", DISTRICTS, "--minutes", "5,10,15",
               "--population-field", "population", "--out", pg.pg, "-q");
    assert_string_equal(svt_last.out, "2\n");
    assert_string_equal(psql("SELECT string_agg(run_id::text, ',' ORDER BY run_id) FROM svcov.runs"), "1,2");
    assert_string_equal(psql("SELECT count(*) FROM svcov.district_coverage WHERE run_id = 1"), "28");
    assert_string_equal(psql("SELECT count(*) FROM svcov.district_coverage WHERE run_id = 2"), "42");
    SVT_EXPECT(0, "export", "--db", pg.pg, "--out", back); /* the latest */
    sqlite3 *b = svt_db_open(back);
    assert_int_equal(svt_db_int(b, "SELECT run_id FROM runs"), 2);
    assert_int_equal(svt_db_int(b, "SELECT count(*) FROM district_coverage"), 42);
    sqlite3_close(b);
    SVT_EXPECT(0, "export", "--db", pg.pg, "--run", "1", "--out", back1, "--overwrite");
    assert_same_tables(ref, back1);

    /* in PostGIS: typed columns, the analysis SRID, GiST indexes, NOT NULL as described */
    assert_string_equal(psql("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
                             "'svcov.gaps'::regclass AND attname = 'geom'"),
                        "geometry(MultiPolygon,32649)");
    assert_string_equal(psql("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
                             "'svcov.stations'::regclass AND attname = 'geom'"),
                        "geometry(Point,32649)");
    assert_string_equal(psql("SELECT format_type(atttypid, atttypmod) || ' ' || attnotnull FROM pg_attribute "
                             "WHERE attrelid = 'svcov.district_coverage'::regclass AND attname = 'covered_pct'"),
                        "double precision true");
    assert_string_equal(psql("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
                             "'svcov.district_coverage'::regclass AND attname = 'n_gap_parts'"),
                        "bigint");
    assert_string_equal(psql("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
                             "'svcov.runs'::regclass AND attname = 'svcov_version'"),
                        "text");
    int n_geom = 0;
    for (int t = 0; t < SV_TABLE_COUNT; t++) {
        const sv_table_desc *d = sv_schema_table((sv_table)t);
        if (!d->geometry)
            continue;
        n_geom++;
        assert_string_equal(psql("SELECT count(*) FROM pg_indexes WHERE schemaname = 'svcov' AND tablename = '%s' "
                                 "AND indexdef LIKE '%%USING gist (geom)%%'",
                                 d->name),
                            "1");
        /* every geometry valid and of the column's SRID */
        assert_string_equal(psql("SELECT count(*) FROM svcov.%s WHERE ST_SRID(geom) <> 32649 OR NOT "
                                 "ST_IsValid(geom)", d->name),
                            "0");
    }
    assert_true(n_geom >= 14);
    /* the geometry is the same as SpatiaLite's, to the bit: the areas agree exactly */
    sqlite3 *r = svt_db_open(ref);
    double gap = svt_db_double(r, "SELECT sum(gap_m2) FROM gaps WHERE minutes = 10");
    sqlite3_close(r);
    char want[64];
    snprintf(want, sizeof want, "%.17g", gap);
    assert_string_equal(psql("SET extra_float_digits = 3; SELECT sum(gap_m2) FROM svcov.gaps WHERE run_id = 1 "
                             "AND minutes = 10"),
                        want);
    /* Chinese text and COPY's escapes */
    assert_string_equal(psql("SELECT district_name FROM svcov.districts WHERE run_id = 1 AND district_id = "
                             "'D0001'"),
                        "滨银街道");
    assert_string_equal(psql("SELECT name = E'骑手\\t驿站\\\\龙澄\\n广场' FROM svcov.stations WHERE run_id = 1 AND "
                             "station_id = 'S000001'"),
                        "t");
    b = svt_db_open(back1);
    assert_string_equal(svt_db_text(b, "SELECT name FROM stations WHERE station_id = 'S000001'"),
                        "骑手\t驿站\\龙澄\n广场");
    sqlite3_close(b);
    /* the foreign key: deleting a run deletes its rows */
    psql("DELETE FROM svcov.runs WHERE run_id = 2");
    assert_string_equal(psql("SELECT count(*) FROM svcov.district_coverage WHERE run_id = 2"), "0");
    assert_string_equal(psql("SELECT count(*) FROM svcov.district_coverage"), "28");
}

/* ogrinfo (GDAL's PostgreSQL driver, as QGIS reads the database): every geometry table a layer with its type
 * and the analysis CRS. */
static void test_ogrinfo(void **state)
{
    (void)state;
    NEED_SERVER();
    SVT_EXPECT(0, "analyze", "--stations", STATIONS, "--districts", DISTRICTS, "--minutes", "10,15", "--out",
               pg.pg, "-q");
    static const struct {
        const char *geometry, *ogr;
    } names[] = {{"POINT", "Point"}, {"POLYGON", "Polygon"}, {"MULTIPOLYGON", "Multi Polygon"},
                 {"MULTILINESTRING", "Multi Line String"}};
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "ogrinfo -ro -q '%s' > '%s' 2>&1", pg.pg, svt_path("layers.txt"));
    assert_int_equal(system(cmd), 0);
    char *layers = svt_read(svt_path("layers.txt"), NULL);
    assert_non_null(layers);
    int n = 0;
    for (int t = 0; t < SV_TABLE_COUNT; t++) {
        const sv_table_desc *d = sv_schema_table((sv_table)t);
        if (!d->geometry)
            continue;
        const char *ogr = NULL;
        for (size_t i = 0; i < 4; i++)
            if (strcmp(names[i].geometry, d->geometry) == 0)
                ogr = names[i].ogr;
        assert_non_null(ogr);
        char line[256];
        snprintf(line, sizeof line, ": svcov.%s (%s)\n", d->name, ogr);
        if (!strstr(layers, line))
            fail_msg("ogrinfo does not list \"%s\":\n%s", line, layers);
        snprintf(line, sizeof line, ": svcov.%s_latest (%s)\n", d->name, ogr); /* and its latest run's view */
        if (!strstr(layers, line))
            fail_msg("ogrinfo does not list \"%s\":\n%s", line, layers);
        /* the CRS of the layer */
        snprintf(cmd, sizeof cmd, "ogrinfo -ro -so '%s' svcov.%s > '%s' 2>&1", pg.pg, d->name,
                 svt_path("layer.txt"));
        assert_int_equal(system(cmd), 0);
        char *info = svt_read(svt_path("layer.txt"), NULL);
        assert_non_null(info);
        if (!strstr(info, "ID[\"EPSG\",32649]") || !strstr(info, "WGS 84 / UTM zone 49N"))
            fail_msg("ogrinfo svcov.%s has not EPSG:32649:\n%s", d->name, info);
        free(info);
        n++;
    }
    free(layers);
    assert_true(n >= 14);
    /* GDAL reads the Chinese names as they were written */
    snprintf(cmd, sizeof cmd, "ogrinfo -ro -q '%s' -sql \"SELECT district_name FROM svcov.districts WHERE "
             "district_id = 'D0002'\" > '%s' 2>&1", pg.pg, svt_path("name.txt"));
    assert_int_equal(system(cmd), 0);
    char *name = svt_read(svt_path("name.txt"), NULL);
    assert_non_null(name);
    if (!strstr(name, "district_name (String) = 明丹街道"))
        fail_msg("ogrinfo: %s", name);
    free(name);
}

/* map, report, query, export and site read a run from PG: the same bytes as from the run's SpatiaLite copy
 * (named as the temporary copy is, since maps print the database's name). */
static void test_readers(void **state)
{
    (void)state;
    NEED_SERVER();
    SVT_EXPECT(0, "analyze", "--stations", STATIONS, "--districts", DISTRICTS, "--minutes", "10,15",
               "--population-field", "population", "--out", pg.pg, "-q");
    SVT_EXPECT(0, "analyze", "--stations", STATIONS, "--districts", DISTRICTS, "--radius", "500",
               "--out", pg.pg, "-q");
    assert_string_equal(svt_last.out, "2\n");
    mkdir(svt_path("copy"), 0755);
    const char *file = svt_path("copy/svcov-run1.sqlite");
    SVT_EXPECT(0, "export", "--db", pg.pg, "--run", "1", "--out", file);
    static const char *const outs[] = {"map.png", "map.svg", "report.html", "report.md", "report.csv", "map.html"};
    for (size_t i = 0; i < sizeof outs / sizeof outs[0]; i++) {
        char a[64], b[64];
        snprintf(a, sizeof a, "pg_%s", outs[i]);
        snprintf(b, sizeof b, "file_%s", outs[i]);
        const char *pa = svt_path(a), *pb = svt_path(b);
        int report = strncmp(outs[i], "report", 6) == 0, html = strcmp(outs[i], "map.html") == 0;
        const char *cmd = report ? "report" : "map", *opt = html ? "--html" : "--out";
        SVT_EXPECT(0, cmd, "--db", pg.pg, "--run", "1", opt, pa, "-q");
        SVT_EXPECT(0, cmd, "--db", file, opt, pb, "-q");
        size_t la = 0;
        char *t = svt_read(pa, &la);
        assert_non_null(t);
        assert_true(la > 1000);
        free(t);
        if (!svt_same_bytes(pa, pb))
            fail_msg("%s from PG: differs from the one from its SpatiaLite copy", outs[i]);
    }
    /* the report names the districts in Chinese, as stored */
    char *md = svt_read(svt_path("pg_report.md"), NULL);
    assert_non_null(md);
    assert_non_null(strstr(md, "滨银街道"));
    free(md);
    /* query: the latest run by default (radius 500), --run 1 the first */
    SVT_EXPECT(0, "query", "--db", pg.pg, "--csv", "break_summary");
    SVT_OUT_HAS("500");
    assert_null(strstr(svt_last.out, "833.3"));
    SVT_EXPECT(0, "query", "--db", pg.pg, "--run", "1", "--csv", "break_summary");
    SVT_OUT_HAS("833.3");
    SVT_OUT_HAS("1250");
    /* export of one layer from PG is the export from the file */
    SVT_EXPECT(0, "export", "--db", pg.pg, "--run", "1", "--layer", "district_coverage", "--out",
               svt_path("pg_dc.csv"));
    SVT_EXPECT(0, "export", "--db", file, "--layer", "district_coverage", "--out", svt_path("file_dc.csv"));
    assert_true(svt_same_bytes(svt_path("pg_dc.csv"), svt_path("file_dc.csv")));
    /* site --db PG:: the siting tables added to that run, in the database */
    SVT_EXPECT(0, "site", "--db", pg.pg, "--run", "1", "--demand", DISTRICTS, "--grid", "300", "--radius", "200",
               "--model", "mclp", "--k", "3", "-q");
    assert_string_equal(psql("SELECT run_id || ':' || site_run_id || ':' || k FROM svcov.site_runs"), "1:1:3");
    assert_string_equal(psql("SELECT count(*) FROM svcov.sites WHERE run_id = 1 AND site_run_id = 1"), "3");
    assert_string_equal(psql("SELECT count(*) FROM svcov.sites WHERE run_id = 2"), "0");
    /* the same from the run's file: the same sites */
    SVT_EXPECT(0, "site", "--db", file, "--demand", DISTRICTS, "--grid", "300", "--radius", "200", "--model",
               "mclp", "--k", "3", "--out", svt_path("site_file.sqlite"), "-q");
    sqlite3 *sf = svt_db_open(svt_path("site_file.sqlite"));
    char want[512];
    snprintf(want, sizeof want, "%s", svt_db_text(sf, "SELECT group_concat(candidate_id || '@' || rank, ';') FROM "
                                                      "(SELECT * FROM sites ORDER BY rank)"));
    sqlite3_close(sf);
    assert_string_equal(psql("SELECT string_agg(candidate_id || '@' || rank, ';' ORDER BY rank) FROM svcov.sites"),
                        want);
    /* a second one gets the next site run id; with --out FILE the store is left alone */
    SVT_EXPECT(0, "site", "--db", pg.pg, "--run", "1", "--demand", DISTRICTS, "--grid", "300", "--radius", "150",
               "--model", "mclp", "--k", "2", "-q");
    assert_string_equal(psql("SELECT string_agg(site_run_id || ':' || k, ',' ORDER BY site_run_id) FROM "
                             "svcov.site_runs WHERE run_id = 1"),
                        "1:3,2:2");
    SVT_EXPECT(0, "site", "--db", pg.pg, "--run", "1", "--demand", DISTRICTS, "--grid", "300", "--radius", "150",
               "--model", "mclp", "--k", "2", "--out", svt_path("site2.sqlite"), "-q");
    assert_string_equal(psql("SELECT count(*) FROM svcov.site_runs"), "2");
    sf = svt_db_open(svt_path("site2.sqlite"));
    assert_int_equal(svt_db_int(sf, "SELECT count(*) FROM site_runs"), 3); /* the two from PG and this one */
    sqlite3_close(sf);
    SVT_EXPECT(2, "site", "--db", file, "--demand", DISTRICTS, "--grid", "300", "--radius", "150", "--model",
               "mclp", "--k", "2", "--out", pg.pg, "-q");
    SVT_ERR_HAS("site adds its tables to the run of --db PG:");

    /* no temporary copy is left behind (svcov's TMPDIR is the test's tmp/) */
    DIR *d = opendir(svt_path("tmp"));
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, ".."))
            fail_msg("left in TMPDIR: %s", e->d_name);
    closedir(d);
}

/* Bad input: clear message, exit 1 or 2, nothing half-written. */
static void test_bad(void **state)
{
    (void)state;
    NEED_SERVER();
    /* a server that is not there: at once, before any input is read */
    SVT_EXPECT(1, "analyze", "--stations", STATIONS, "--districts", DISTRICTS, "--radius", "500", "--out",
               "PG:host=/nonexistent port=5432 dbname=svcov", "-q");
    SVT_ERR_HAS("cannot connect to PostgreSQL at PG:host=/nonexistent port=5432 dbname=svcov");
    SVT_ERR_HAS("check host, port, dbname and user");
    SVT_EXPECT(1, "map", "--db", "PG:host=/nonexistent dbname=svcov", "--out", svt_path("m.png"));
    SVT_ERR_HAS("cannot connect to PostgreSQL");
    assert_false(svt_exists(svt_path("m.png")));
    /* a password is never printed */
    SVT_EXPECT(1, "query", "--db", "PG:host=/nonexistent dbname=svcov password=geheim", "break_summary");
    assert_null(strstr(svt_last.err, "geheim"));
    SVT_ERR_HAS("password=***");

    /* nor stored: runs.command of a run written with a password in its connection string */
    psql("ALTER ROLE postgres PASSWORD 'geheim'");
    char withpw[1024];
    snprintf(withpw, sizeof withpw, "%s password=geheim", pg.pg);
    SVT_EXPECT(0, "analyze", "--stations", STATIONS, "--districts", DISTRICTS, "--radius", "500", "--out", withpw,
               "--pg-schema", "pw", "-q");
    assert_string_equal(psql("SELECT count(*) FROM pw.runs WHERE command LIKE '%%password=***%%' AND command NOT "
                             "LIKE '%%geheim%%'"),
                        "1");
    psql("DROP SCHEMA pw CASCADE");

    /* a database without PostGIS */
    psql("CREATE DATABASE plain");
    SVT_EXPECT(1, "analyze", "--stations", STATIONS, "--districts", DISTRICTS, "--radius", "500", "--out",
               conn("user=postgres dbname=plain"), "-q");
    SVT_ERR_HAS("database plain");
    SVT_ERR_HAS("has no PostGIS; run 'CREATE EXTENSION postgis;'");
    char out[256];
    assert_int_equal(svt_pg_psql(&pg, "plain", "SELECT count(*) FROM pg_namespace WHERE nspname = 'svcov'", out,
                                 sizeof out), 0);
    assert_string_equal(out, "0");

    /* a schema owned by someone else, written by a user who may not create in it */
    psql("CREATE ROLE owner_x; CREATE ROLE planner LOGIN; CREATE SCHEMA theirs AUTHORIZATION owner_x; "
         "GRANT USAGE ON SCHEMA theirs TO planner; GRANT CREATE ON DATABASE svcov TO planner");
    SVT_EXPECT(1, "analyze", "--stations", STATIONS, "--districts", DISTRICTS, "--radius", "500", "--out",
               conn("user=planner dbname=svcov"), "--pg-schema", "theirs", "-q");
    SVT_ERR_HAS("schema theirs in database svcov belongs to owner_x, and planner may not create tables in it");
    SVT_ERR_HAS("--pg-schema NAME");
    assert_string_equal(psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'theirs'"), "0");
    /* the same user in a schema of its own works */
    SVT_EXPECT(0, "analyze", "--stations", STATIONS, "--districts", DISTRICTS, "--radius", "500", "--out",
               conn("user=planner dbname=svcov"), "--pg-schema", "planning", "-q");
    assert_string_equal(psql("SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'planning'"),
                        "planner");
    assert_string_equal(psql("SELECT count(*) FROM planning.districts"), "14");

    /* a run of another CRS into the same schema: refused, nothing of it written */
    SVT_EXPECT(1, "analyze", "--stations", STATIONS, "--districts", DISTRICTS, "--radius", "500", "--crs",
               "EPSG:4547", "--out", conn("user=planner dbname=svcov"), "--pg-schema", "planning", "-q");
    SVT_ERR_HAS("schema planning holds results in EPSG:32649 and this run is in EPSG:4547");
    assert_string_equal(psql("SELECT count(*) FROM planning.runs"), "1");
    assert_string_equal(psql("SELECT count(*) FROM planning.districts"), "14");

    /* a publish that fails half-way (the 8th table refuses its rows): nothing of the run is visible, the
     * run id is not reused as a half run, and the next run publishes whole */
    psql("ALTER TABLE planning.gap_parts ADD CONSTRAINT no_parts CHECK (area_m2 < 0) NOT VALID");
    SVT_EXPECT(1, "analyze", "--stations", STATIONS, "--districts", DISTRICTS, "--radius", "300", "--out",
               conn("user=planner dbname=svcov"), "--pg-schema", "planning", "-q");
    SVT_ERR_HAS("cannot write planning.gap_parts");
    SVT_ERR_HAS("no_parts");
    assert_string_equal(psql("SELECT count(*) FROM planning.runs"), "1");
    assert_string_equal(psql("SELECT count(*) FROM planning.districts"), "14");
    assert_string_equal(psql("SELECT count(*) FROM planning.district_coverage WHERE radius_m = 300"), "0");
    psql("ALTER TABLE planning.gap_parts DROP CONSTRAINT no_parts");
    SVT_EXPECT(0, "analyze", "--stations", STATIONS, "--districts", DISTRICTS, "--radius", "300", "--out",
               conn("user=planner dbname=svcov"), "--pg-schema", "planning", "-q");
    assert_string_equal(svt_last.out, "3\n"); /* identity values are not given back on rollback */
    assert_string_equal(psql("SELECT count(*) FROM planning.district_coverage WHERE radius_m = 300"), "14");
    psql("DELETE FROM planning.runs WHERE run_id = 3");

    /* a run id that does not exist: a usage error listing the runs */
    SVT_EXPECT(2, "report", "--db", conn("user=planner dbname=svcov"), "--pg-schema", "planning", "--run", "9",
               "--out", svt_path("r.html"));
    SVT_ERR_HAS("--run 9: no such run in schema planning");
    SVT_ERR_HAS("its runs: 1");
    assert_false(svt_exists(svt_path("r.html")));
    SVT_EXPECT(2, "map", "--db", pg.pg, "--run", "0", "--out", svt_path("m.png"));
    SVT_ERR_HAS("--run 0: give a run id");
    /* a schema without results */
    SVT_EXPECT(1, "export", "--db", pg.pg, "--pg-schema", "nothing_here", "--out", svt_path("x.sqlite"));
    SVT_ERR_HAS("has no svcov results in schema nothing_here");
    assert_false(svt_exists(svt_path("x.sqlite")));
    /* option mistakes */
    SVT_EXPECT(2, "analyze", "--stations", STATIONS, "--districts", DISTRICTS, "--radius", "500", "--out", pg.pg,
               "--pg-schema", "Bad-Name", "-q");
    SVT_ERR_HAS("--pg-schema Bad-Name: give a schema name");
    SVT_EXPECT(2, "analyze", "--stations", STATIONS, "--districts", DISTRICTS, "--radius", "500", "--out",
               svt_path("a.sqlite"), "--pg-schema", "svcov", "-q");
    SVT_ERR_HAS("--pg-schema is for --out PG:");
    assert_false(svt_exists(svt_path("a.sqlite")));
    SVT_EXPECT(2, "query", "--db", svt_path("a.sqlite"), "--run", "1", "break_summary");
    SVT_ERR_HAS("--run and --pg-schema are for --db PG:");
    /* export into PostgreSQL: pointed to analyze --out PG: */
    SVT_EXPECT(0, "export", "--db", conn("user=planner dbname=svcov"), "--pg-schema", "planning", "--out",
               svt_path("p.sqlite"));
    SVT_EXPECT(2, "export", "--db", svt_path("p.sqlite"), "--layer", "gaps", "--out", pg.pg);
    SVT_ERR_HAS("export writes files; to put results into PostgreSQL/PostGIS run 'svcov analyze ... --out PG:");
    SVT_EXPECT(2, "export", "--db", svt_path("p.sqlite"), "--layer", "gaps", "--format", "PostgreSQL", "--out",
               svt_path("g"));
    SVT_ERR_HAS("export writes files");
    /* nothing of the failed runs reached the default schema either */
    assert_string_equal(psql("SELECT count(*) FROM pg_namespace WHERE nspname = 'svcov'"), "0");
}

/* A reader never sees half a run: while a publish is held up at a late table (another session holds a
 * lock on it), the rows of its earlier tables are invisible to others; after the commit all are there. */
static void test_atomic(void **state)
{
    (void)state;
    NEED_SERVER();
    SVT_EXPECT(0, "analyze", "--stations", STATIONS, "--districts", DISTRICTS, "--radius", "500", "--out", pg.pg,
               "-q");
    /* a session that holds the roads table (copied after district_coverage) until the test cancels it */
    fflush(stdout);
    fflush(stderr);
    pid_t holder = fork();
    assert_true(holder >= 0);
    if (holder == 0) {
        close(pg.guard_fd); /* only the test program keeps the server's guard waiting */
        char out[256];
        _exit(svt_pg_psql(&pg, "svcov", "BEGIN; LOCK TABLE svcov.roads IN SHARE MODE; "
                                        "SELECT pg_sleep(300); COMMIT;", out, sizeof out));
    }
    /* wait until the lock is held */
    for (int i = 0; i < 1200; i++) {
        if (strcmp(psql("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = "
                        "'roads' AND l.mode = 'ShareLock' AND l.granted"),
                   "1") == 0)
            break;
        usleep(100000);
    }
    const char *args[] = {"analyze", "--stations", STATIONS, "--districts", DISTRICTS, "--radius", "700", "--out",
                          pg.pg, "-q", NULL};
    const char *argv[32];
    svt_argv(args, argv, 32);
    pid_t pub = svt_spawn(argv, svt_path("pub.out"), svt_path("pub.err"), 0);
    /* the publisher is in its transaction, waiting for roads */
    int waiting = 0;
    for (int i = 0; i < 1800 && !waiting; i++) { /* the analysis first: slow on a busy machine */
        usleep(100000);
        waiting = strcmp(psql("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query "
                              "LIKE 'COPY \"svcov\".roads%%'"),
                         "1") == 0;
    }
    if (!waiting)
        fail_msg("the publisher is not waiting for roads: %s",
                 psql("SELECT string_agg(coalesce(wait_event_type, '-') || ' ' || state || ' ' || left(query, 60), "
                      "' | ') FROM pg_stat_activity WHERE datname = 'svcov'"));
    /* what a reader sees meanwhile: the first run only */
    assert_string_equal(psql("SELECT count(*) FROM svcov.runs"), "1");
    assert_string_equal(psql("SELECT count(*) FROM svcov.district_coverage WHERE radius_m = 700"), "0");
    assert_string_equal(psql("SELECT count(*) FROM svcov.districts"), "14");
    SVT_EXPECT(0, "query", "--db", pg.pg, "--csv", "break_summary");
    SVT_OUT_HAS("500");
    assert_null(strstr(svt_last.out, "700"));
    /* the holder gives up its lock; the publisher goes on and commits */
    psql("SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE '%%pg_sleep(300)%%' AND pid <> "
         "pg_backend_pid()");
    int ws = 0;
    assert_int_equal(waitpid(holder, &ws, 0), holder);
    assert_int_equal(waitpid(pub, &ws, 0), pub);
    assert_true(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
    assert_string_equal(psql("SELECT count(*) FROM svcov.district_coverage WHERE radius_m = 700 AND run_id = 2"),
                        "14");
    assert_string_equal(psql("SELECT count(*) FROM svcov.districts"), "28");
}

/* ---- sharded runs ---- */

/* The demo city once into SpatiaLite, once as 9 shards computed by 3 workers at once into PostGIS: the same
 * numbers per district, every district, station and service area once. */
static void test_shards(void **state)
{
    (void)state;
    NEED_SERVER();
    const char *ref = svt_path("ref.sqlite"), *sh = svt_path("sharded.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", STATIONS, "--districts", DISTRICTS, "--minutes", "10,15",
               "--population-field", "population", "--out", ref, "-q");
    SVT_EXPECT(0, "plan", "--stations", STATIONS, "--districts", DISTRICTS, "--minutes", "10,15",
               "--population-field", "population", "--shards", "9", "--out", pg.pg);
    assert_string_equal(svt_last.out, "1\n");
    SVT_ERR_HAS("run 1: 9 shards of 14 districts, halo 1250 m");
    assert_string_equal(psql("SELECT count(*) || ' ' || sum(n_districts) || ' ' || min(n_districts) || ' ' || "
                             "max(n_districts) FROM svcov.shards WHERE run_id = 1 AND status = 'todo'"),
                        "9 14 1 2");
    /* core and halo as geometry: the halo is the core grown by the largest reach */
    assert_string_equal(psql("SELECT count(*) FROM svcov.shards WHERE abs(ST_XMin(core) - ST_XMin(halo) - 1250) "
                             "< 1e-6 AND ST_SRID(core) = 32649"),
                        "9");
    /* not finished: readers do not see it */
    SVT_EXPECT(1, "query", "--db", pg.pg, "break_summary");
    SVT_ERR_HAS("holds no run yet");
    SVT_EXPECT(1, "export", "--db", pg.pg, "--run", "1", "--out", sh);
    SVT_ERR_HAS("run 1 of schema svcov is a sharded run that is not finished");
    SVT_EXPECT(1, "finish", "--db", pg.pg, "--run", "1");
    SVT_ERR_HAS("run 1: 9 of 9 shards are not done (9 todo, 0 running, 0 failed)");
    svt_run_workers(&pg, 3, "svcov", "30");
    /* each shard claimed once, by one of the workers; three workers took part */
    assert_string_equal(psql("SELECT count(*) FROM svcov.shards WHERE run_id = 1 AND status = 'done' AND attempt = 1"),
                        "9");
    assert_string_equal(psql("SELECT count(DISTINCT worker) FROM svcov.shards WHERE run_id = 1"), "3");
    SVT_EXPECT(0, "status", "--db", pg.pg, "--run", "1");
    SVT_OUT_HAS("done");
    SVT_EXPECT(0, "status", "--db", pg.pg);
    SVT_OUT_HAS("planned");
    SVT_OUT_HAS("9/9");
    /* what QGIS opens: the _latest views show no row of a run that is not finished, though its tables hold them */
    assert_string_equal(psql("SELECT (SELECT count(*) FROM svcov.district_coverage WHERE run_id = 1) || ' ' || "
                             "(SELECT count(*) FROM svcov.district_coverage_latest) || ' ' || "
                             "(SELECT count(*) FROM svcov.runs_latest)"),
                        "28 0 0");
    SVT_EXPECT(0, "finish", "--db", pg.pg, "--run", "1");
    /* finished: every row of the run, in every table (the whole-area rows finish wrote too), and nothing else */
    for (int t = 0; t < SV_TABLE_COUNT; t++) {
        const char *name = sv_schema_table((sv_table)t)->name;
        char q[512];
        snprintf(q, sizeof q, "SELECT (SELECT count(*) FROM svcov.%s WHERE run_id = 1) = (SELECT count(*) FROM "
                 "svcov.%s_latest) AND NOT EXISTS (SELECT 1 FROM svcov.%s_latest WHERE run_id <> 1)", name, name, name);
        if (strcmp(psql("%s", q), "t") != 0)
            fail_msg("svcov.%s_latest is not run 1's rows", name);
    }
    assert_string_equal(psql("SELECT count(*) > 0 FROM svcov.district_redundancy_latest WHERE district_id IS NULL"),
                        "t");
    SVT_EXPECT(0, "status", "--db", pg.pg);
    SVT_OUT_HAS("complete");
    assert_null(strstr(svt_last.out, "planned"));
    SVT_EXPECT(2, "finish", "--db", pg.pg, "--run", "1");
    SVT_ERR_HAS("already finished");
    SVT_EXPECT(0, "export", "--db", pg.pg, "--out", sh); /* now the latest complete run */
    sqlite3 *db = svt_db_open(sh);
    char at[4200];
    snprintf(at, sizeof at, "ATTACH '%s' AS r", ref);
    assert_int_equal(sqlite3_exec(db, at, NULL, NULL, NULL), SQLITE_OK);
    /* shares to 1e-9 percentage points, areas to 1e-6 m2 (of 1e5 m2 and more), counts exactly */
    svt_same_rows(db, "district_coverage", "district_id, radius_m",
              "covered_pct, pop_covered_pct, n_gap_parts, n_stations_inside, n_stations_reaching", 1e-9, "1");
    svt_same_rows(db, "district_coverage", "district_id, radius_m", "area_m2, covered_m2, gap_m2, pop_total, pop_covered",
              1e-6, "1");
    svt_same_rows(db, "districts", "district_id", "area_m2, repaired", 1e-6, "1");
    svt_same_rows(db, "stations", "station_id", "source_fid", 0, "1");
    svt_same_rows(db, "service_areas", "station_id, radius_m", "area_m2", 1e-6, "1");
    svt_same_rows(db, "gaps", "district_id, radius_m", "gap_pct, n_parts", 1e-9, "1");
    svt_same_rows(db, "gaps", "district_id, radius_m", "gap_m2", 1e-6, "1");
    svt_same_rows(db, "district_redundancy", "district_id, radius_m, n_cover", "area_pct, pop_pct", 1e-9,
              "district_id IS NOT NULL");
    svt_same_rows(db, "district_fairness", "district_id, radius_m", "pop_covered_pct, pop_total", 1e-9,
              "district_id IS NOT NULL");
    svt_same_rows(db, "city_coverage", "radius_m", "covered_pct, pop_covered_pct, gini, n_stations", 1e-9, "1");
    svt_same_rows(db, "breaks", "break_no", "radius_m", 0, "1");
    /* every other table the single run wrote, the whole-area rows too (svcov finish) */
    svt_same_rows(db, "district_redundancy", "district_id, radius_m, n_cover", "area_pct, pop_pct", 1e-9,
              "district_id IS NULL");
    svt_same_rows(db, "district_redundancy", "district_id, radius_m, n_cover", "area_m2, pop", 1e-6, "1");
    svt_same_rows(db, "district_fairness", "district_id, radius_m", "pop_covered_pct, pop_total, n_points", 1e-9,
              "district_id IS NULL");
    svt_same_rows(db, "coverage", "district_id, radius_m", "covered_pct", 1e-9, "1");
    svt_same_rows(db, "coverage", "district_id, radius_m", "covered_m2", 1e-6, "1");
    svt_same_rows(db, "gap_parts", "district_id, radius_m, part_no", "area_m2", 1e-6, "1");
    svt_same_rows(db, "category_coverage", "district_id, category, radius_m",
              "n_stations, covered_pct, pop_covered_pct", 1e-9, "1");
    svt_same_rows(db, "category_coverage", "district_id, category, radius_m",
              "area_m2, covered_m2, gap_m2, pop_total, pop_covered", 1e-6, "1");
    svt_same_rows(db, "category_gaps", "district_id, category, radius_m", "gap_m2", 1e-6, "1");
    svt_same_rows(db, "critical_stations", "radius_m, rank", "pop_lost_pct", 1e-9, "1");
    svt_same_rows(db, "critical_stations", "radius_m, rank", "pop_lost, area_lost_m2", 1e-6, "1");
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM main.critical_stations a JOIN r.critical_stations b "
                                    "USING (radius_m, rank) WHERE a.station_id IS NOT b.station_id"),
                     0);
    svt_same_rows(db, "responsibility", "station_id", "pop_share_pct, n_points", 1e-9, "1");
    svt_same_rows(db, "responsibility", "station_id", "area_m2, pop_served", 1e-6, "1");
    svt_same_rows(db, "station_services", "station_id", "id", 1e300, "1"); /* ids differ: counts and keys */
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM main.station_services a JOIN r.station_services b USING "
                                    "(station_id) WHERE a.services IS NOT b.services OR a.opening_hours IS NOT "
                                    "b.opening_hours"),
                     0);
    svt_same_tables(db);
    /* the stage times: each of the 9 shards' (keys shard_no << 32 | line), every stage of the single run in each,
     * their lines adding up to the shard's total; and the finish's own (keys below 2^32) */
    assert_int_equal(svt_db_int(db, "SELECT count(DISTINCT id >> 32) FROM main.timings WHERE stage = 'total' AND "
                                    "(id >> 32) BETWEEN 1 AND 9"),
                     9);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM (SELECT DISTINCT id >> 32 AS sh FROM main.timings WHERE "
                                    "id >> 32 > 0) s, r.timings b WHERE NOT EXISTS (SELECT 1 FROM main.timings a "
                                    "WHERE a.id >> 32 = s.sh AND a.stage = b.stage)"),
                     0);
    assert_true(svt_db_int(db, "SELECT count(*) FROM r.timings") > 5);
    assert_true(svt_db_double(db, "SELECT max(abs(t.seconds - l.s)) FROM main.timings t JOIN (SELECT id >> 32 AS sh, "
                                  "sum(seconds) AS s FROM main.timings WHERE stage <> 'total' AND beside = 0 GROUP BY "
                                  "id >> 32) l ON l.sh = t.id >> 32 WHERE t.stage = 'total'") < 1e-6);
    assert_string_equal(svt_db_text(db, "SELECT group_concat(stage, ', ') FROM (SELECT stage FROM main.timings WHERE "
                                        "id < 4294967296 ORDER BY id)"),
                        "finish, finish > checks, finish > city coverage, finish > whole area");
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM main.timings WHERE id < 4294967296 AND seconds >= 0 AND "
                                    "(parent IS NULL) = (stage = 'finish')"),
                     4);
    /* the inputs are named as the plan read them, not as a worker's copies */
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM main.runs a, r.runs b WHERE a.stations_path = "
                                    "b.stations_path AND a.districts_path = b.districts_path AND a.crs_epsg = "
                                    "b.crs_epsg AND a.radii_m IS b.radii_m AND a.population_method = "
                                    "b.population_method"),
                     1);
    assert_int_equal(svt_db_int(db, "SELECT n_districts FROM runs"), 14);
    assert_int_equal(svt_db_int(db, "SELECT n_stations FROM runs"), 200);
    sqlite3_close(db);
    /* the map of the sharded run draws the same districts */
    SVT_EXPECT(0, "map", "--db", pg.pg, "--out", svt_path("sharded.png"), "-q");
}

/* Network mode: 16 districts of a street grid as 9 shards (streets and stations cross the shards' edges), by
 * 3 workers at once: district coverage, demand access, reach and per-district demand as the SpatiaLite run. */
static void test_shards_network(void **state)
{
    (void)state;
    NEED_SERVER();
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "%s --grid 30 --spacing 80 --stations 12 --demand 300 --seed 3 --out %s >/dev/null",
             SVCOV_GENROADS, svt_path("net"));
    assert_int_equal(system(cmd), 0);
    const char *st = svt_path("net/stations.gpkg"), *di = svt_path("net/districts.gpkg"),
               *ro = svt_path("net/roads.gpkg"), *de = svt_path("net/demand.gpkg");
    const char *ref = svt_path("netref.sqlite"), *sh = svt_path("netsh.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", st, "--districts", di, "--network", ro, "--mode", "walk", "--minutes",
               "5,10", "--demand", de, "--out", ref, "-q");
    SVT_EXPECT(0, "plan", "--stations", st, "--districts", di, "--network", ro, "--mode", "walk", "--minutes",
               "5,10", "--demand", de, "--shards", "9", "--out", pg.pg, "--pg-schema", "net");
    svt_run_workers(&pg, 3, "net", "30");
    SVT_EXPECT(0, "finish", "--db", pg.pg, "--pg-schema", "net", "--run", "1");
    /* streets and service areas that cross the edge of a shard's core */
    assert_true(atoi(psql("SELECT count(*) FROM net.roads r JOIN net.shards s USING (run_id) WHERE "
                          "ST_Crosses(r.geom, ST_Boundary(s.core))")) > 0);
    assert_true(atoi(psql("SELECT count(*) FROM net.service_areas a JOIN net.stations t ON t.run_id = a.run_id "
                          "AND t.station_id = a.station_id JOIN net.shards s ON s.run_id = a.run_id WHERE "
                          "ST_Crosses(a.geom, ST_Boundary(s.core)) AND ST_Intersects(t.geom, s.core)")) > 0);
    SVT_EXPECT(0, "export", "--db", pg.pg, "--pg-schema", "net", "--out", sh);
    sqlite3 *db = svt_db_open(sh);
    char at[4200];
    snprintf(at, sizeof at, "ATTACH '%s' AS r", ref);
    assert_int_equal(sqlite3_exec(db, at, NULL, NULL, NULL), SQLITE_OK);
    svt_same_rows(db, "district_coverage", "district_id, radius_m",
              "covered_pct, n_gap_parts, n_stations_inside, n_stations_reaching", 1e-9, "1");
    svt_same_rows(db, "district_coverage", "district_id, radius_m", "area_m2, covered_m2, gap_m2", 1e-6, "1");
    svt_same_rows(db, "stations", "station_id", "source_fid", 0, "1");
    svt_same_rows(db, "service_areas", "station_id, radius_m", "area_m2, reached_m", 1e-6, "1");
    svt_same_rows(db, "demand_access", "demand_id", "weight, snap_m, network_m, minutes, euclid_m", 1e-9, "1");
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM main.demand_access a JOIN r.demand_access b USING "
                                    "(demand_id) WHERE a.nearest_station_id IS NOT b.nearest_station_id OR "
                                    "a.district_id IS NOT b.district_id"),
                     0);
    svt_same_rows(db, "demand_reach", "demand_id, radius_m", "within, n_stations", 0, "1");
    svt_same_rows(db, "district_demand", "district_id, radius_m", "demand_total, demand_covered, covered_share, n_points",
              1e-9, "district_id IS NOT NULL");
    svt_same_rows(db, "city_coverage", "radius_m", "covered_pct", 1e-9, "1");
    svt_same_rows(db, "roads", "road_id", "road_id", 0, "1");
    /* the whole-area rows (finish) and what depends on stations of other shards */
    svt_same_rows(db, "district_demand", "district_id, radius_m", "demand_total, demand_covered, covered_share, n_points",
              1e-9, "district_id IS NULL");
    svt_same_rows(db, "district_fairness", "district_id, radius_m",
              "pop_total, pop_covered_pct, median_m, p90_m, median_min, p90_min, n_points", 1e-9, "1");
    svt_same_rows(db, "district_redundancy", "district_id, radius_m, n_cover", "area_pct, pop_pct", 1e-9, "1");
    svt_same_rows(db, "district_redundancy", "district_id, radius_m, n_cover", "area_m2", 1e-6, "1");
    svt_same_rows(db, "critical_stations", "radius_m, rank", "pop_lost, pop_lost_pct", 1e-9, "1");
    svt_same_rows(db, "critical_stations", "radius_m, rank", "area_lost_m2", 1e-6, "1");
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM main.critical_stations a JOIN r.critical_stations b "
                                    "USING (radius_m, rank) WHERE a.station_id IS NOT b.station_id"),
                     0);
    svt_same_rows(db, "responsibility", "station_id", "pop_served, pop_share_pct, n_points", 1e-9, "1");
    svt_same_rows(db, "responsibility", "station_id", "area_m2", 1e-6, "1");
    svt_same_rows(db, "coverage", "district_id, radius_m", "covered_pct", 1e-9, "1");
    svt_same_rows(db, "gap_parts", "district_id, radius_m, part_no", "area_m2", 1e-6, "1");
    svt_same_rows(db, "reached_streets", "station_id, radius_m", "length_m", 1e-6, "1");
    svt_same_tables(db);
    assert_int_equal(svt_db_int(db, "SELECT (SELECT count(*) FROM main.issues) - (SELECT count(*) FROM r.issues)"),
                     0);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM main.runs a, r.runs b WHERE a.network_path = "
                                    "b.network_path AND a.demand_path = b.demand_path AND a.n_demand = b.n_demand"),
                     1);
    sqlite3_close(db);
}

/* A row of 8 districts of 1 km, 3 stations in the first, a demand point in each district and a street along
 * them; 4 shards: the farthest shard's demand points have their nearest station 6-7 km away, far beyond its
 * halo. Their nearest station, distances and the districts' distance quantiles are the single run's, in
 * circle mode (the nearest station by straight line is always kept) and along the street (the shard is
 * computed again with a wider halo, as the worker says); station C's area of responsibility too, from a
 * piece of each shard. */
#define CRS_UTM "\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"urn:ogc:def:crs:EPSG::32631\"}},"
static void test_shards_far(void **state)
{
    (void)state;
    NEED_SERVER();
    char d[8192] = "{\"type\":\"FeatureCollection\"," CRS_UTM "\"features\":[";
    char m[8192] = "{\"type\":\"FeatureCollection\"," CRS_UTM "\"features\":[";
    for (int i = 0; i < 8; i++) {
        int x = 500000 + 1000 * i;
        snprintf(d + strlen(d), sizeof d - strlen(d),
                 "%s{\"type\":\"Feature\",\"properties\":{\"district_id\":\"D%d\",\"population\":%d},"
                 "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[%d,4699000],[%d,4699000],[%d,4700000],"
                 "[%d,4700000],[%d,4699000]]]}}",
                 i ? "," : "", i, 100 * (i + 1), x, x + 1000, x + 1000, x, x);
        snprintf(m + strlen(m), sizeof m - strlen(m),
                 "%s{\"type\":\"Feature\",\"properties\":{\"demand_id\":\"P%d\",\"weight\":%d},"
                 "\"geometry\":{\"type\":\"Point\",\"coordinates\":[%d,4699500]}}",
                 i ? "," : "", i, i + 1, x + 500);
    }
    strcat(d, "]}");
    strcat(m, "]}");
    const char *di = svt_write("far_d.geojson", d), *de = svt_write("far_m.geojson", m);
    const char *st = svt_write("far_s.geojson",
                               "{\"type\":\"FeatureCollection\"," CRS_UTM "\"features\":["
                               "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"A\"},\"geometry\":"
                               "{\"type\":\"Point\",\"coordinates\":[500200,4699500]}},"
                               "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"B\"},\"geometry\":"
                               "{\"type\":\"Point\",\"coordinates\":[500600,4699500]}},"
                               "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"C\"},\"geometry\":"
                               "{\"type\":\"Point\",\"coordinates\":[500900,4699500]}}]}");
    const char *ro = svt_write("far_r.geojson",
                               "{\"type\":\"FeatureCollection\"," CRS_UTM "\"features\":["
                               "{\"type\":\"Feature\",\"properties\":{\"highway\":\"footway\"},\"geometry\":"
                               "{\"type\":\"LineString\",\"coordinates\":[[500000,4699500],[501000,4699500],"
                               "[502000,4699500],[503000,4699500],[504000,4699500],[505000,4699500],[506000,4699500],"
                               "[507000,4699500],[508000,4699500]]}}]}");
    for (int net = 0; net < 2; net++) {
        const char *schema = net ? "far_net" : "far";
        char ref[64], sh[64];
        snprintf(ref, sizeof ref, "%s_ref.sqlite", schema);
        snprintf(sh, sizeof sh, "%s_sh.sqlite", schema);
        const char *refp = svt_path(ref), *shp = svt_path(sh);
        const char *base[] = {"--stations", st, "--districts", di, "--demand", de,
                              net ? "--network" : "--radius", net ? ro : "300",
                              net ? "--minutes" : NULL, "2", NULL};
        const char *av[40];
        int n = 0;
        av[n++] = "analyze";
        for (int i = 0; base[i]; i++)
            av[n++] = base[i];
        av[n++] = "--out";
        av[n++] = refp;
        av[n++] = "-q";
        av[n] = NULL;
        svt_runv(av);
        assert_int_equal(svt_last.status, 0);
        n = 0;
        av[n++] = "plan";
        for (int i = 0; base[i]; i++)
            av[n++] = base[i];
        const char *tail[] = {"--shards", "4", "--out", pg.pg, "--pg-schema", schema, NULL};
        for (int i = 0; tail[i]; i++)
            av[n++] = tail[i];
        av[n] = NULL;
        svt_runv(av);
        assert_int_equal(svt_last.status, 0);
        SVT_EXPECT(0, "worker", "--db", pg.pg, "--pg-schema", schema);
        /* the far shards needed stations beyond their halo: computed again, wider (along the street for
         * the demand points' nearest station; by straight line for the window that station C, their nearest,
         * needs). Station C's area of responsibility reaches the last district: each shard's piece of it is exact
         * without a wider halo (before, a shard was computed again for it: "responsibility C") */
        SVT_ERR_HAS(net ? "demand P" : "window of the shard");
        SVT_ERR_HAS("computing it again with");
        assert_null(strstr(svt_last.err, "responsibility"));
        SVT_EXPECT(0, "finish", "--db", pg.pg, "--pg-schema", schema, "--run", "1");
        SVT_EXPECT(0, "export", "--db", pg.pg, "--pg-schema", schema, "--out", shp);
        sqlite3 *db = svt_db_open(shp);
        char at[4200];
        snprintf(at, sizeof at, "ATTACH '%s' AS r", refp);
        assert_int_equal(sqlite3_exec(db, at, NULL, NULL, NULL), SQLITE_OK);
        /* the farthest point: its nearest station is C, 6.6 km away */
        assert_string_equal(svt_db_text(db, "SELECT nearest_station_id FROM main.demand_access WHERE demand_id = "
                                            "'P7'"),
                            "C");
        assert_true(svt_db_double(db, "SELECT euclid_m FROM main.demand_access WHERE demand_id = 'P7'") > 6000);
        assert_int_equal(svt_db_int(db, "SELECT count(*) FROM main.demand_access a JOIN r.demand_access b USING "
                                        "(demand_id) WHERE a.nearest_station_id IS NOT b.nearest_station_id"),
                         0);
        svt_same_rows(db, "demand_access", "demand_id", "euclid_m, network_m, minutes, snap_m", 1e-9, "1");
        svt_same_rows(db, "district_fairness", "district_id, radius_m", "median_m, p90_m, median_min, p90_min, n_points",
                  1e-9, "1");
        svt_same_rows(db, "district_demand", "district_id, radius_m", "demand_total, demand_covered, n_points", 1e-9,
                  "1");
        svt_same_rows(db, "district_coverage", "district_id, radius_m", "covered_pct", 1e-9, "1");
        svt_same_rows(db, "responsibility", "station_id", "area_m2, pop_served, pop_share_pct, n_points", 1e-6, "1");
        svt_same_tables(db);
        sqlite3_close(db);
    }
}

/* Workers read only the inputs near their shard: 8 districts of 1 km in a row, a station at the centre of
 * each and two demand points 250 m from it, the street along them in 8 pieces of 1 km, 4 shards along the
 * street (2 districts each; halo 800 m: 3 minutes' walk + max snap + trim). The first shard's worker reads the
 * features within its window (its own area, x 500,000-502,000, + 4 halos: to x 505,200): 6 of the 8 pieces of
 * street and districts, 5 of the 8 stations, 10 of the 16 demand points; the results are the single run's.
 * (Before the plan recorded the run-wide facts, every shard read all 8 stations, 8 districts and 16 demand
 * points: this line read "read 8 stations, 8 districts, 6 streets, 16 demand points".) */
static void test_shards_read(void **state)
{
    (void)state;
    NEED_SERVER();
    char d[8192] = "{\"type\":\"FeatureCollection\"," CRS_UTM "\"features\":[";
    char m[8192] = "{\"type\":\"FeatureCollection\"," CRS_UTM "\"features\":[";
    char t[8192] = "{\"type\":\"FeatureCollection\"," CRS_UTM "\"features\":[";
    char r[8192] = "{\"type\":\"FeatureCollection\"," CRS_UTM "\"features\":[";
    for (int i = 0; i < 8; i++) {
        int x = 500000 + 1000 * i;
        const char *c = i ? "," : "";
        snprintf(d + strlen(d), sizeof d - strlen(d),
                 "%s{\"type\":\"Feature\",\"properties\":{\"district_id\":\"D%d\"},\"geometry\":{\"type\":"
                 "\"Polygon\",\"coordinates\":[[[%d,4699000],[%d,4699000],[%d,4700000],[%d,4700000],[%d,4699000]]]}}",
                 c, i, x, x + 1000, x + 1000, x, x);
        for (int k = 0; k < 2; k++)
            snprintf(m + strlen(m), sizeof m - strlen(m),
                     "%s{\"type\":\"Feature\",\"properties\":{\"demand_id\":\"P%d%c\"},\"geometry\":{\"type\":"
                     "\"Point\",\"coordinates\":[%d,4699500]}}",
                     i || k ? "," : "", i, "ab"[k], x + 250 + 500 * k);
        snprintf(t + strlen(t), sizeof t - strlen(t),
                 "%s{\"type\":\"Feature\",\"properties\":{\"station_id\":\"S%d\"},\"geometry\":{\"type\":"
                 "\"Point\",\"coordinates\":[%d,4699500]}}",
                 c, i, x + 500);
        snprintf(r + strlen(r), sizeof r - strlen(r),
                 "%s{\"type\":\"Feature\",\"properties\":{\"highway\":\"footway\"},\"geometry\":{\"type\":"
                 "\"LineString\",\"coordinates\":[[%d,4699500],[%d,4699500],[%d,4699500]]}}",
                 c, x, x + 500, x + 1000);
    }
    strcat(d, "]}");
    strcat(m, "]}");
    strcat(t, "]}");
    strcat(r, "]}");
    const char *di = svt_write("rd_d.geojson", d), *de = svt_write("rd_m.geojson", m),
               *st = svt_write("rd_s.geojson", t), *ro = svt_write("rd_r.geojson", r);
    const char *ref = svt_path("rd_ref.sqlite"), *sh = svt_path("rd_sh.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", st, "--districts", di, "--demand", de, "--network", ro, "--minutes", "3",
               "--out", ref, "-q");
    SVT_EXPECT(0, "plan", "--stations", st, "--districts", di, "--demand", de, "--network", ro, "--minutes", "3",
               "--shards", "4", "--out", pg.pg, "--pg-schema", "rd");
    assert_string_equal(psql("SELECT string_agg(district_id, ',' ORDER BY district_id) FROM rd.shard_districts WHERE "
                             "shard_no = 1"),
                        "D0,D1");
    SVT_EXPECT(0, "worker", "--db", pg.pg, "--pg-schema", "rd");
    /* the first shard read 6 of the 8 pieces of street and districts, 5 of the 8 stations */
    SVT_ERR_HAS("svcov worker: shard 1 read 5 stations, 6 districts, 6 streets, 10 demand points");
    assert_null(strstr(svt_last.err, "computing it again"));
    SVT_EXPECT(0, "finish", "--db", pg.pg, "--pg-schema", "rd", "--run", "1");
    SVT_EXPECT(0, "export", "--db", pg.pg, "--pg-schema", "rd", "--out", sh);
    sqlite3 *db = svt_db_open(sh);
    char at[4200];
    snprintf(at, sizeof at, "ATTACH '%s' AS r", ref);
    assert_int_equal(sqlite3_exec(db, at, NULL, NULL, NULL), SQLITE_OK);
    svt_same_rows(db, "district_coverage", "district_id, radius_m", "covered_pct", 1e-9, "1");
    svt_same_rows(db, "demand_access", "demand_id", "network_m, minutes, snap_m", 1e-9, "1");
    svt_same_rows(db, "roads", "road_id", "road_id", 0, "1");
    svt_same_rows(db, "reached_streets", "station_id, radius_m", "length_m", 1e-6, "1");
    svt_same_tables(db);
    sqlite3_close(db);
}

/* A shard whose own demand points' nearest station lies outside its first window: 8 districts of 1 km in a
 * row, 4 stations at the centres of the first four (S3 at x 503,500), a demand point at each district's centre,
 * people from the districts' field; radius 300 m, 4 shards of 2 districts. The last shard (D6, D7) reads the
 * stations within its own area + 4 halos (x 504,800 and beyond): none, so it cannot prove a nearest station and
 * is computed again with a wider window; at 4 x the halo it reads S3, but P7's distance to it (4,000 m) exceeds
 * the window's side above and below P7 (3,524 m: a station there, not read, could be nearer), so once more; at
 * 8.1 x it reads S1-S3 (not S0) and its rows are the single run's: P7's nearest station is S3, 4 km away. Fails
 * before the worker read in a window (the last shard read all 4 stations; it was computed again too, for the
 * streets' window). */
static void test_shards_window(void **state)
{
    (void)state;
    NEED_SERVER();
    char d[8192] = "{\"type\":\"FeatureCollection\"," CRS_UTM "\"features\":[";
    char m[8192] = "{\"type\":\"FeatureCollection\"," CRS_UTM "\"features\":[";
    char t[8192] = "{\"type\":\"FeatureCollection\"," CRS_UTM "\"features\":[";
    for (int i = 0; i < 8; i++) {
        int x = 500000 + 1000 * i;
        const char *c = i ? "," : "";
        snprintf(d + strlen(d), sizeof d - strlen(d),
                 "%s{\"type\":\"Feature\",\"properties\":{\"district_id\":\"D%d\",\"population\":%d},"
                 "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[%d,4699000],[%d,4699000],[%d,4700000],"
                 "[%d,4700000],[%d,4699000]]]}}",
                 c, i, 100 * (i + 1), x, x + 1000, x + 1000, x, x);
        snprintf(m + strlen(m), sizeof m - strlen(m),
                 "%s{\"type\":\"Feature\",\"properties\":{\"demand_id\":\"P%d\"},\"geometry\":{\"type\":"
                 "\"Point\",\"coordinates\":[%d,4699500]}}",
                 c, i, x + 500);
        if (i < 4)
            snprintf(t + strlen(t), sizeof t - strlen(t),
                     "%s{\"type\":\"Feature\",\"properties\":{\"station_id\":\"S%d\"},\"geometry\":{\"type\":"
                     "\"Point\",\"coordinates\":[%d,4699500]}}",
                     c, i, x + 500);
    }
    strcat(d, "]}");
    strcat(m, "]}");
    strcat(t, "]}");
    const char *di = svt_write("wi_d.geojson", d), *de = svt_write("wi_m.geojson", m),
               *st = svt_write("wi_s.geojson", t);
    const char *ref = svt_path("wi_ref.sqlite"), *sh = svt_path("wi_sh.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", st, "--districts", di, "--demand", de, "--population-field",
               "population", "--radius", "300", "--out", ref, "-q");
    SVT_EXPECT(0, "plan", "--stations", st, "--districts", di, "--demand", de, "--population-field", "population",
               "--radius", "300", "--shards", "4", "--out", pg.pg, "--pg-schema", "wi");
    assert_string_equal(psql("SELECT string_agg(district_id, ',' ORDER BY district_id) FROM wi.shard_districts WHERE "
                             "shard_no = 4"),
                        "D6,D7");
    SVT_EXPECT(0, "worker", "--db", pg.pg, "--pg-schema", "wi");
    /* the last shard: no station in its first window, computed again wider (three times); then it read 3 */
    SVT_ERR_HAS("svcov worker: shard 4: window of the shard needs 1200 m around the shard (600 m kept)");
    SVT_ERR_HAS("svcov worker: shard 4: window of the shard needs 3376 m around the shard (2424 m kept)");
    SVT_ERR_HAS("svcov worker: shard 4 read 3 stations, 8 districts, 0 streets, 7 demand points");
    SVT_EXPECT(0, "finish", "--db", pg.pg, "--pg-schema", "wi", "--run", "1");
    SVT_EXPECT(0, "export", "--db", pg.pg, "--pg-schema", "wi", "--out", sh);
    sqlite3 *db = svt_db_open(sh);
    char at[4200];
    snprintf(at, sizeof at, "ATTACH '%s' AS r", ref);
    assert_int_equal(sqlite3_exec(db, at, NULL, NULL, NULL), SQLITE_OK);
    assert_string_equal(svt_db_text(db, "SELECT nearest_station_id FROM main.demand_access WHERE demand_id = 'P7'"),
                        "S3");
    assert_true(fabs(svt_db_double(db, "SELECT euclid_m FROM main.demand_access WHERE demand_id = 'P7'") - 4000) < 1e-6);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM main.demand_access a JOIN r.demand_access b USING "
                                    "(demand_id) WHERE a.nearest_station_id IS NOT b.nearest_station_id"),
                     0);
    svt_same_rows(db, "demand_access", "demand_id", "euclid_m", 1e-9, "1");
    svt_same_rows(db, "district_fairness", "district_id, radius_m", "pop_total, median_m, p90_m, n_points", 1e-9, "1");
    svt_same_rows(db, "district_coverage", "district_id, radius_m", "covered_pct, pop_covered_pct", 1e-9, "1");
    svt_same_rows(db, "responsibility", "station_id", "area_m2, pop_served, pop_share_pct, n_points", 1e-6, "1");
    svt_same_tables(db);
    sqlite3_close(db);
}

/* The halo in network mode is the fastest road's reach: 8 districts of 1 km in a row, the street along them,
 * station A near the west end and B in D4, 2 minutes on foot, but --speeds lets the footway go 60 km/h: A
 * reaches 2 km along it, into the second shard (D2, D3), 1.8 km from its core; at the walking speed's halo
 * (167 m + max snap + trim = 717 m) that shard would leave A out and see D2 reached by B alone. */
static void test_shards_speeds(void **state)
{
    (void)state;
    NEED_SERVER();
    char d[8192] = "{\"type\":\"FeatureCollection\"," CRS_UTM "\"features\":[";
    char r[8192] = "{\"type\":\"FeatureCollection\"," CRS_UTM "\"features\":[";
    for (int i = 0; i < 8; i++) {
        int x = 500000 + 1000 * i;
        const char *c = i ? "," : "";
        snprintf(d + strlen(d), sizeof d - strlen(d),
                 "%s{\"type\":\"Feature\",\"properties\":{\"district_id\":\"D%d\"},\"geometry\":{\"type\":"
                 "\"Polygon\",\"coordinates\":[[[%d,4699000],[%d,4699000],[%d,4700000],[%d,4700000],[%d,4699000]]]}}",
                 c, i, x, x + 1000, x + 1000, x, x);
        snprintf(r + strlen(r), sizeof r - strlen(r),
                 "%s{\"type\":\"Feature\",\"properties\":{\"highway\":\"footway\"},\"geometry\":{\"type\":"
                 "\"LineString\",\"coordinates\":[[%d,4699500],[%d,4699500],[%d,4699500]]}}",
                 c, x, x + 500, x + 1000);
    }
    strcat(d, "]}");
    strcat(r, "]}");
    const char *di = svt_write("sp_d.geojson", d), *ro = svt_write("sp_r.geojson", r);
    const char *st = svt_write("sp_s.geojson",
                               "{\"type\":\"FeatureCollection\"," CRS_UTM "\"features\":["
                               "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"A\"},\"geometry\":"
                               "{\"type\":\"Point\",\"coordinates\":[500200,4699500]}},"
                               "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"B\"},\"geometry\":"
                               "{\"type\":\"Point\",\"coordinates\":[504500,4699500]}}]}");
    const char *sp = svt_write("sp_speeds.csv", "highway,speed_kmh\nfootway,60\n");
    const char *ref = svt_path("sp_ref.sqlite"), *sh = svt_path("sp_sh.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", st, "--districts", di, "--network", ro, "--speeds", sp, "--minutes", "2",
               "--out", ref, "-q");
    SVT_EXPECT(0, "plan", "--stations", st, "--districts", di, "--network", ro, "--speeds", sp, "--minutes", "2",
               "--shards", "4", "--out", pg.pg, "--pg-schema", "sp");
    /* 2 minutes at 60 km/h = 2,000 m, + max snap 500 + trim 50 */
    SVT_ERR_HAS("halo 2550 m");
    assert_string_equal(psql("SELECT halo_m FROM sp.shard_plans"), "2550");
    assert_string_equal(psql("SELECT string_agg(district_id, ',' ORDER BY district_id) FROM sp.shard_districts WHERE "
                             "shard_no = 2"),
                        "D2,D3");
    SVT_EXPECT(0, "worker", "--db", pg.pg, "--pg-schema", "sp");
    SVT_EXPECT(0, "finish", "--db", pg.pg, "--pg-schema", "sp", "--run", "1");
    SVT_EXPECT(0, "export", "--db", pg.pg, "--pg-schema", "sp", "--out", sh);
    sqlite3 *db = svt_db_open(sh);
    char at[4200];
    snprintf(at, sizeof at, "ATTACH '%s' AS r", ref);
    assert_int_equal(sqlite3_exec(db, at, NULL, NULL, NULL), SQLITE_OK);
    /* D2 is reached by A in the single run (its first 200 m of street, 2.2 km from A) and by B (its last 500 m) */
    assert_int_equal(svt_db_int(db, "SELECT n_stations_reaching FROM r.district_coverage WHERE district_id = 'D2'"),
                     2);
    assert_int_equal(svt_db_int(db, "SELECT n_stations_reaching FROM main.district_coverage WHERE district_id = "
                                    "'D2'"),
                     2);
    svt_same_rows(db, "district_coverage", "district_id, radius_m", "covered_pct, n_stations_reaching", 1e-9, "1");
    svt_same_rows(db, "city_coverage", "radius_m", "covered_pct", 1e-9, "1");
    svt_same_rows(db, "service_areas", "station_id, radius_m", "area_m2, reached_m", 1e-6, "1");
    sqlite3_close(db);
}

/* The check of the areas of responsibility is exact, and rare: 8 districts of 1 km in a row, a station at the
 * centre of each, circles of 300 m, 4 shards. Each station's Voronoi cell is its district, whose corners lie
 * 707 m from it, beyond the shard's 600 m of stations (the test before, "within the halo of the station",
 * computed every shard twice); but no station left out is nearer to a corner, so each shard is computed once
 * and its areas are the single run's. */
static void test_shards_check(void **state)
{
    (void)state;
    NEED_SERVER();
    char d[8192] = "{\"type\":\"FeatureCollection\"," CRS_UTM "\"features\":[";
    char t[8192] = "{\"type\":\"FeatureCollection\"," CRS_UTM "\"features\":[";
    for (int i = 0; i < 8; i++) {
        int x = 500000 + 1000 * i;
        const char *c = i ? "," : "";
        snprintf(d + strlen(d), sizeof d - strlen(d),
                 "%s{\"type\":\"Feature\",\"properties\":{\"district_id\":\"D%d\",\"population\":%d},\"geometry\":"
                 "{\"type\":\"Polygon\",\"coordinates\":[[[%d,4699000],[%d,4699000],[%d,4700000],[%d,4700000],"
                 "[%d,4699000]]]}}",
                 c, i, 100 * (i + 1), x, x + 1000, x + 1000, x, x);
        snprintf(t + strlen(t), sizeof t - strlen(t),
                 "%s{\"type\":\"Feature\",\"properties\":{\"station_id\":\"S%d\"},\"geometry\":{\"type\":"
                 "\"Point\",\"coordinates\":[%d,4699500]}}",
                 c, i, x + 500);
    }
    strcat(d, "]}");
    strcat(t, "]}");
    const char *di = svt_write("ck_d.geojson", d), *st = svt_write("ck_s.geojson", t);
    const char *ref = svt_path("ck_ref.sqlite"), *sh = svt_path("ck_sh.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", st, "--districts", di, "--radius", "300", "--population-field",
               "population", "--out", ref, "-q");
    SVT_EXPECT(0, "plan", "--stations", st, "--districts", di, "--radius", "300", "--population-field",
               "population", "--shards", "4", "--out", pg.pg, "--pg-schema", "ck");
    SVT_EXPECT(0, "worker", "--db", pg.pg, "--pg-schema", "ck");
    /* every shard left stations out (4 or 5 of 8 kept) and was computed once; it reads the stations and
     * districts of its window only (before the plan recorded the run-wide facts: "read 8 stations, 8
     * districts" in both lines, the same kept) */
    SVT_ERR_HAS("svcov worker: shard 1 read 3 stations, 4 districts, 0 streets, 0 demand points, 0 population "
                "polygons; kept 3, 3, 0, 0, 0");
    SVT_ERR_HAS("shard 2 read 4 stations, 6 districts, 0 streets, 0 demand points, 0 population polygons; kept 4, 4");
    assert_null(strstr(svt_last.err, "computing it again"));
    assert_string_equal(psql("SELECT count(*) FROM ck.shards WHERE attempt = 1 AND status = 'done'"), "4");
    SVT_EXPECT(0, "finish", "--db", pg.pg, "--pg-schema", "ck", "--run", "1");
    SVT_EXPECT(0, "export", "--db", pg.pg, "--pg-schema", "ck", "--out", sh);
    sqlite3 *db = svt_db_open(sh);
    char at[4200];
    snprintf(at, sizeof at, "ATTACH '%s' AS r", ref);
    assert_int_equal(sqlite3_exec(db, at, NULL, NULL, NULL), SQLITE_OK);
    /* each area of responsibility is its district: 1 km2 */
    assert_true(fabs(svt_db_double(db, "SELECT min(area_m2) FROM main.responsibility") - 1e6) < 1e-3);
    assert_true(fabs(svt_db_double(db, "SELECT max(area_m2) FROM main.responsibility") - 1e6) < 1e-3);
    svt_same_rows(db, "responsibility", "station_id", "area_m2, pop_served, pop_share_pct", 1e-6, "1");
    svt_same_rows(db, "district_coverage", "district_id, radius_m", "covered_pct, n_stations_reaching", 1e-9, "1");
    svt_same_rows(db, "critical_stations", "radius_m, rank", "pop_lost, area_lost_m2", 1e-6, "1");
    svt_same_tables(db);
    sqlite3_close(db);
}

/* Capacities (2SFCA) in a sharded run: 8 districts of 1 km in a row with 100 .. 800 people, a station at the
 * centre of each with a capacity of 10 .. 80, circles of 1,200 m (each station reaches its neighbours'
 * people), 4 shards. station_load of every station and district_access of every district are the single
 * run's; the whole area's row has the single run's people-weighted mean, people, points and share below
 * --min-access (its quantiles need every point's access, which no table holds: NULL). */
static void test_shards_capacity(void **state)
{
    (void)state;
    NEED_SERVER();
    char d[8192] = "{\"type\":\"FeatureCollection\"," CRS_UTM "\"features\":[";
    char t[8192] = "{\"type\":\"FeatureCollection\"," CRS_UTM "\"features\":[";
    for (int i = 0; i < 8; i++) {
        int x = 500000 + 1000 * i;
        const char *c = i ? "," : "";
        snprintf(d + strlen(d), sizeof d - strlen(d),
                 "%s{\"type\":\"Feature\",\"properties\":{\"district_id\":\"D%d\",\"population\":%d},\"geometry\":"
                 "{\"type\":\"Polygon\",\"coordinates\":[[[%d,4699000],[%d,4699000],[%d,4700000],[%d,4700000],"
                 "[%d,4699000]]]}}",
                 c, i, 100 * (i + 1), x, x + 1000, x + 1000, x, x);
        snprintf(t + strlen(t), sizeof t - strlen(t),
                 "%s{\"type\":\"Feature\",\"properties\":{\"station_id\":\"S%d\",\"capacity\":%d},\"geometry\":"
                 "{\"type\":\"Point\",\"coordinates\":[%d,4699500]}}",
                 c, i, 10 * (i + 1), x + 500);
    }
    strcat(d, "]}");
    strcat(t, "]}");
    const char *di = svt_write("cap_d.geojson", d), *st = svt_write("cap_s.geojson", t);
    const char *ref = svt_path("cap_ref.sqlite"), *sh = svt_path("cap_sh.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", st, "--districts", di, "--radius", "1200", "--population-field",
               "population", "--capacity-field", "capacity", "--min-access", "90", "--out", ref, "-q");
    SVT_EXPECT(0, "plan", "--stations", st, "--districts", di, "--radius", "1200", "--population-field",
               "population", "--capacity-field", "capacity", "--min-access", "90", "--shards", "4", "--out", pg.pg,
               "--pg-schema", "cap");
    SVT_EXPECT(0, "worker", "--db", pg.pg, "--pg-schema", "cap");
    SVT_EXPECT(0, "finish", "--db", pg.pg, "--pg-schema", "cap", "--run", "1");
    SVT_EXPECT(0, "export", "--db", pg.pg, "--pg-schema", "cap", "--out", sh);
    sqlite3 *db = svt_db_open(sh);
    char at[4200];
    snprintf(at, sizeof at, "ATTACH '%s' AS r", ref);
    assert_int_equal(sqlite3_exec(db, at, NULL, NULL, NULL), SQLITE_OK);
    /* the middle stations share their capacity with both neighbours: not a district's own people alone */
    assert_true(svt_db_double(db, "SELECT demand_within FROM r.station_load WHERE station_id = 'S3'") > 400);
    svt_same_rows(db, "station_load", "station_id, radius_m", "capacity, demand_within, ratio, demand_per_capacity", 1e-9,
              "1");
    svt_same_rows(db, "district_access", "district_id, radius_m",
              "access_index, p10, median, p90, pop_below_pct, pop_total, n_points", 1e-9, "district_id IS NOT NULL");
    svt_same_rows(db, "district_access", "district_id, radius_m",
              "access_index, p10, median, p90, pop_below_pct, pop_total, n_points", 1e-9, "district_id IS NULL");
    svt_same_rows(db, "point_access", "district_id, radius_m", "access, weight", 1e-9, "1");
    /* below 90 per 1,000: D0 (2/3 of S0 and S1's ratios) and D7, 900 of the 3,600 people */
    assert_true(fabs(svt_db_double(db, "SELECT pop_below_pct FROM main.district_access WHERE district_id IS NULL") -
                     25) < 1e-9);
    /* the whole area's quantiles (finish, from point_access): 8 points of 100 ... 800 people */
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM main.point_access"), 8);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM main.district_access WHERE district_id IS NULL AND p10 IS "
                                    "NOT NULL AND median IS NOT NULL AND p90 IS NOT NULL AND p10 < p90"),
                     1);
    svt_same_rows(db, "district_coverage", "district_id, radius_m", "covered_pct, n_stations_reaching", 1e-9, "1");
    svt_same_tables(db);
    sqlite3_close(db);
}

/* People from population polygons (no demand points), along the streets: district D0 (300 m square, station S
 * at its centre) holds a block whose point is 100 m from S but 1,800 m from it by the street (a loop north),
 * 750 m from station T in D1 by a straight street; T lies 700 m beyond D0, outside the stations shard 1
 * keeps (2 x (2 minutes' walk + max snap 50 + trim 10) = 453 m), and D0 is so small that S's area of
 * responsibility lies within the halo (its check does not see it). The point's nearest station and distance
 * (people_points), its district's distance quantiles and the whole area's are the single run's: the worker
 * computes shard 1 again wider (without the check of people points: median 1,800 m against 750); so is T's
 * area of responsibility, from a piece of each shard. */
static void test_shards_people(void **state)
{
    (void)state;
    NEED_SERVER();
#define SQ(x0, y0, x1, y1) "[[[" #x0 "," #y0 "],[" #x1 "," #y0 "],[" #x1 "," #y1 "],[" #x0 "," #y1 "],[" #x0 "," #y0 "]]]"
#define FEAT(props, type, coords) "{\"type\":\"Feature\",\"properties\":{" props "},\"geometry\":{\"type\":\"" type "\",\"coordinates\":" coords "}}"
#define FC(...) "{\"type\":\"FeatureCollection\"," CRS_UTM "\"features\":[" __VA_ARGS__ "]}"
    const char *di = svt_write("pp_d.geojson", FC(FEAT("\"district_id\":\"D0\"", "Polygon", SQ(500000, 4699000, 500300, 4699300)) ","
                                                 FEAT("\"district_id\":\"D1\"", "Polygon", SQ(500900, 4699000, 501200, 4699300))));
    const char *po = svt_write("pp_p.geojson", FC(FEAT("\"block\":\"B0\",\"pop\":100", "Polygon", SQ(500230, 4699130, 500270, 4699170)) ","
                                                 FEAT("\"block\":\"B1\",\"pop\":50", "Polygon", SQ(500980, 4699130, 501020, 4699170))));
    const char *st = svt_write("pp_s.geojson", FC(FEAT("\"station_id\":\"S\"", "Point", "[500150,4699150]") ","
                                                 FEAT("\"station_id\":\"T\"", "Point", "[501000,4699150]")));
    const char *ro = svt_write("pp_r.geojson", FC(FEAT("\"highway\":\"footway\"", "LineString", "[[500250,4699150],[501000,4699150]]") ","
                                                 FEAT("\"highway\":\"footway\"", "LineString", "[[500150,4699150],[500150,4700000],[500250,4700000],[500250,4699150]]")));
#undef SQ
#undef FEAT
#undef FC
    const char *args[] = {"--stations", st, "--districts", di, "--network", ro, "--mode", "walk", "--minutes", "2",
                          "--max-snap", "50", "--trim", "10", "--population", po, "--population-field", "pop", NULL};
    sqlite3 *db = svt_sharded_pair(&pg, "pp", args, "2", 2, svt_path("pp_ref.sqlite"), svt_path("pp_sh.sqlite"));
    /* the single run: the block's point 750 m from T along the street */
    assert_true(fabs(svt_db_double(db, "SELECT median_m FROM r.district_fairness WHERE district_id = 'D0'") - 750) <
                1e-6);
    svt_same_rows(db, "district_fairness", "district_id, radius_m",
              "pop_total, pop_covered_pct, median_m, p90_m, median_min, p90_min, n_points", 1e-9, "1");
    svt_same_rows(db, "people_points", "district_id, weight", "distance_m, minutes", 1e-9, "1");
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM main.people_points a JOIN r.people_points b USING "
                                    "(district_id, weight) WHERE a.nearest_station_id IS NOT b.nearest_station_id"),
                     0);
    assert_string_equal(svt_db_text(db, "SELECT nearest_station_id FROM main.people_points WHERE weight = 100"), "T");
    /* S is responsible for nothing in both. T's area of responsibility holds D0's block too (150 people, 2
     * points, both districts), across the 600 m between the districts that T's shard never reads: shard 1
     * publishes T's piece in D0, shard 2 the piece in D1, finish unites them (before, 50 and 1 point) */
    assert_int_equal(svt_db_int(db, "SELECT (SELECT count(*) FROM main.responsibility WHERE station_id = 'S') + "
                                    "(SELECT count(*) FROM r.responsibility WHERE station_id = 'S')"),
                     0);
    assert_true(fabs(svt_db_double(db, "SELECT pop_served FROM r.responsibility WHERE station_id = 'T'") - 150) < 1e-9);
    assert_int_equal(svt_db_int(db, "SELECT n_points FROM r.responsibility WHERE station_id = 'T'"), 2);
    assert_true(fabs(svt_db_double(db, "SELECT area_m2 FROM r.responsibility WHERE station_id = 'T'") - 180000) < 1e-6);
    svt_same_rows(db, "responsibility", "station_id", "pop_served, pop_share_pct, n_points", 1e-9, "1");
    svt_same_rows(db, "responsibility", "station_id", "area_m2", 1e-6, "1");
    /* one row per station once finished, its polygon the union of the pieces (both districts) */
    assert_string_equal(svt_psql(&pg, "SELECT count(*) FROM pp.responsibility"), "1");
    assert_string_equal(svt_psql(&pg, "SELECT round(ST_Area(geom)::numeric, 3) || ' ' || "
                                      "ST_NumGeometries(geom) FROM pp.responsibility"),
                        "180000.000 2");
    svt_same_rows(db, "district_coverage", "district_id, radius_m", "covered_pct, pop_covered_pct", 1e-9, "1");
    svt_same_tables(db);
    sqlite3_close(db);
}

/* Opening hours (--at) in a sharded run: 8 districts of 1 km in a row with people, a station at the centre of
 * each, every other one open on weekdays only, circles of 1,200 m, 4 shards by 2 workers. time_coverage and
 * time_gaps are the single run's: stations_open counts the run's stations open (4 on Sunday, not the shard's
 * kept ones), the whole area's rows too (finish). */
static void test_shards_hours(void **state)
{
    (void)state;
    NEED_SERVER();
    char d[8192] = "{\"type\":\"FeatureCollection\"," CRS_UTM "\"features\":[";
    char t[8192] = "{\"type\":\"FeatureCollection\"," CRS_UTM "\"features\":[";
    for (int i = 0; i < 8; i++) {
        int x = 500000 + 1000 * i;
        const char *c = i ? "," : "";
        snprintf(d + strlen(d), sizeof d - strlen(d),
                 "%s{\"type\":\"Feature\",\"properties\":{\"district_id\":\"D%d\",\"population\":%d},\"geometry\":"
                 "{\"type\":\"Polygon\",\"coordinates\":[[[%d,4699000],[%d,4699000],[%d,4700000],[%d,4700000],"
                 "[%d,4699000]]]}}",
                 c, i, 100 * (i + 1), x, x + 1000, x + 1000, x, x);
        snprintf(t + strlen(t), sizeof t - strlen(t),
                 "%s{\"type\":\"Feature\",\"properties\":{\"station_id\":\"S%d\",\"opening_hours\":\"%s\"},"
                 "\"geometry\":{\"type\":\"Point\",\"coordinates\":[%d,4699500]}}",
                 c, i, i % 2 ? "Mo-Fr 08:00-18:00" : "24/7", x + 500);
    }
    strcat(d, "]}");
    strcat(t, "]}");
    const char *di = svt_write("hr_d.geojson", d), *st = svt_write("hr_s.geojson", t);
    const char *args[] = {"--stations", st, "--districts", di, "--radius", "1200", "--population-field",
                          "population", "--hours-field", "opening_hours", "--at", "Mo 12:00,Su 12:00", NULL};
    sqlite3 *db = svt_sharded_pair(&pg, "hr", args, "4", 2, svt_path("hr_ref.sqlite"), svt_path("hr_sh.sqlite"));
    assert_int_equal(svt_db_int(db, "SELECT min(stations_open) FROM r.time_coverage WHERE moment = 'Su 12:00'"), 4);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM r.time_coverage WHERE district_id IS NULL"), 2);
    svt_same_rows(db, "time_coverage", "district_id, radius_m, moment",
              "stations_open, covered_pct, n_stations_reaching, pop_total, pop_covered, pop_covered_pct", 1e-9, "1");
    svt_same_rows(db, "time_coverage", "district_id, radius_m, moment", "area_m2, covered_m2, gap_m2", 1e-6, "1");
    svt_same_rows(db, "time_gaps", "district_id, radius_m, moment", "gap_pct, n_parts", 1e-9, "1");
    svt_same_rows(db, "time_gaps", "district_id, radius_m, moment", "gap_m2", 1e-6, "1");
    svt_same_rows(db, "district_coverage", "district_id, radius_m", "covered_pct, pop_covered_pct", 1e-9, "1");
    svt_same_tables(db);
    sqlite3_close(db);
}

/* A worker killed with SIGKILL in the middle of a shard (short lease): another finishes it, the totals are
 * the SpatiaLite run's, nothing is there twice. */
static void test_shards_kill(void **state)
{
    (void)state;
    NEED_SERVER();
    const char *ref = svt_path("ref.sqlite"), *sh = svt_path("sharded.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", STATIONS, "--districts", DISTRICTS, "--radius", "600,900", "--out", ref,
               "-q");
    SVT_EXPECT(0, "plan", "--stations", STATIONS, "--districts", DISTRICTS, "--radius", "600,900", "--shards", "4",
               "--out", pg.pg);
    const char *args[] = {"worker", "--db", pg.pg, "--lease", "2", "-q", NULL};
    const char *argv[32];
    svt_argv(args, argv, 32);
    pid_t a = svt_spawn(argv, svt_path("a.out"), svt_path("a.err"), 0);
    char like[64];
    snprintf(like, sizeof like, "%%:%d", (int)a);
    int running = 0;
    for (int i = 0; i < 6000 && !running; i++) { /* up to 2 minutes on a busy machine */
        running = atoi(psql("SELECT count(*) FROM svcov.shards WHERE status = 'running' AND worker LIKE '%s'",
                            like)) == 1;
        if (!running)
            usleep(20000);
    }
    assert_true(running);
    const char *held = psql("SELECT shard_no FROM svcov.shards WHERE status = 'running' AND worker LIKE '%s'", like);
    int killed_shard = atoi(held);
    assert_int_equal(kill(a, SIGKILL), 0);
    int ws = 0;
    assert_int_equal(waitpid(a, &ws, 0), a);
    assert_true(WIFSIGNALED(ws));
    /* its shard is still 'running' under the dead worker's lease */
    assert_string_equal(psql("SELECT status FROM svcov.shards WHERE shard_no = %d", killed_shard), "running");
    svt_run_workers(&pg, 1, "svcov", "2");
    assert_string_equal(psql("SELECT attempt || ' ' || status FROM svcov.shards WHERE shard_no = %d", killed_shard),
                        "2 done");
    assert_null(strstr(psql("SELECT worker FROM svcov.shards WHERE shard_no = %d", killed_shard), like + 1));
    assert_string_equal(psql("SELECT count(*) FROM svcov.shards WHERE status = 'done'"), "4");
    SVT_EXPECT(0, "finish", "--db", pg.pg, "--run", "1");
    SVT_EXPECT(0, "export", "--db", pg.pg, "--out", sh);
    sqlite3 *db = svt_db_open(sh);
    char at[4200];
    snprintf(at, sizeof at, "ATTACH '%s' AS r", ref);
    assert_int_equal(sqlite3_exec(db, at, NULL, NULL, NULL), SQLITE_OK);
    svt_same_rows(db, "district_coverage", "district_id, radius_m", "covered_pct, n_stations_reaching", 1e-9, "1");
    svt_same_rows(db, "district_coverage", "district_id, radius_m", "covered_m2", 1e-6, "1");
    svt_same_rows(db, "stations", "station_id", "source_fid", 0, "1");
    svt_same_rows(db, "service_areas", "station_id, radius_m", "area_m2", 1e-6, "1");
    svt_same_rows(db, "city_coverage", "radius_m", "covered_pct", 1e-9, "1");
    sqlite3_close(db);
}

/* A worker that loses the database (its connections ended, new ones refused) exits 1 with a clear message;
 * its shard is redone by another once the lease runs out, and the run completes whole. */
static void test_shards_conn(void **state)
{
    (void)state;
    NEED_SERVER();
    SVT_EXPECT(0, "plan", "--stations", STATIONS, "--districts", DISTRICTS, "--radius", "600", "--shards", "2",
               "--out", pg.pg);
    psql("CREATE ROLE w1 LOGIN; GRANT USAGE ON SCHEMA svcov TO w1; GRANT ALL ON ALL TABLES IN SCHEMA svcov TO w1");
    const char *args[] = {"worker", "--db", conn("user=w1 dbname=svcov"), "--lease", "2", NULL};
    const char *argv[32];
    svt_argv(args, argv, 32);
    pid_t w = svt_spawn(argv, svt_path("w1.out"), svt_path("w1.err"), 0);
    char like[64];
    snprintf(like, sizeof like, "%%:%d", (int)w);
    int running = 0;
    for (int i = 0; i < 6000 && !running; i++) {
        running = atoi(psql("SELECT count(*) FROM svcov.shards WHERE status = 'running' AND worker LIKE '%s'",
                            like)) == 1;
        if (!running)
            usleep(20000);
    }
    assert_true(running);
    int lost_shard = atoi(psql("SELECT shard_no FROM svcov.shards WHERE status = 'running' AND worker LIKE '%s'",
                               like));
    psql("ALTER ROLE w1 CONNECTION LIMIT 0; SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
         "usename = 'w1'");
    int ws = 0;
    assert_int_equal(waitpid(w, &ws, 0), w);
    char *err = svt_read(svt_path("w1.err"), NULL);
    assert_non_null(err);
    if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 1 || !strstr(err, "svcov worker: ") || !strstr(err, "PostgreSQL"))
        fail_msg("the worker that lost the database exited %d: %s", WIFEXITED(ws) ? WEXITSTATUS(ws) : -1, err);
    free(err);
    assert_string_equal(psql("SELECT status FROM svcov.shards WHERE shard_no = %d", lost_shard), "running");
    psql("ALTER ROLE w1 CONNECTION LIMIT -1");
    svt_run_workers(&pg, 1, "svcov", "2");
    assert_string_equal(psql("SELECT attempt || ' ' || status FROM svcov.shards WHERE shard_no = %d", lost_shard),
                        "2 done");
    SVT_EXPECT(0, "finish", "--db", pg.pg, "--run", "1");
    assert_string_equal(psql("SELECT count(*) || ' ' || count(DISTINCT district_id) FROM svcov.district_coverage"),
                        "14 14");
}

/* Sharded runs, bad input: clear messages, nothing half-done. */
static void test_shards_bad(void **state)
{
    (void)state;
    NEED_SERVER();
    SVT_EXPECT(2, "plan", "--stations", STATIONS, "--districts", DISTRICTS, "--shards", "4", "--out",
               svt_path("x.sqlite"));
    SVT_ERR_HAS("give --out PG:");
    SVT_EXPECT(2, "plan", "--stations", STATIONS, "--districts", DISTRICTS, "--out", pg.pg);
    SVT_ERR_HAS("give --shards N");
    SVT_EXPECT(2, "plan", "--stations", STATIONS, "--districts", DISTRICTS, "--shards", "0", "--out", pg.pg);
    SVT_ERR_HAS("--shards 0");
    SVT_EXPECT(1, "plan", "--stations", STATIONS, "--districts", DISTRICTS, "--shards", "2", "--out",
               "PG:host=/nonexistent dbname=x");
    SVT_ERR_HAS("cannot connect to PostgreSQL");
    SVT_EXPECT(1, "worker", "--db", pg.pg);
    SVT_ERR_HAS("no svcov results in schema svcov");
    /* --shard-by: one shard per value */
    SVT_EXPECT(0, "plan", "--stations", STATIONS, "--districts", DISTRICTS, "--radius", "500", "--shard-by",
               "district_id", "--out", pg.pg);
    assert_string_equal(psql("SELECT count(*) FROM svcov.shards WHERE run_id = 1"), "14");
    SVT_EXPECT(2, "worker", "--db", pg.pg, "--run", "7");
    SVT_ERR_HAS("--run 7: no sharded run of that id");
    SVT_EXPECT(2, "finish", "--db", pg.pg);
    SVT_ERR_HAS("give --db PG:");
    /* the inputs live in the database: the worker needs no file of the plan's machine */
    assert_string_equal(psql("SELECT string_agg(file_name, ',' ORDER BY input_no) FROM svcov.shard_inputs"),
                        "stations.geojson,districts.geojson");
    /* the issue's bad input for the sharded commands: a run id that does not exist (usage, listing the runs) */
    SVT_EXPECT(2, "finish", "--db", pg.pg, "--run", "7");
    SVT_ERR_HAS("--run 7: no sharded run of that id in schema svcov");
    SVT_ERR_HAS("its sharded runs: 1");
    SVT_EXPECT(2, "status", "--db", pg.pg, "--run", "7");
    SVT_ERR_HAS("--run 7: no sharded run of that id");
    assert_string_equal(psql("SELECT status FROM svcov.shard_plans WHERE run_id = 1"), "planned");
    /* a connection that does not connect: the worker and finish say so, exit 1 */
    SVT_EXPECT(1, "worker", "--db", "PG:host=/nonexistent dbname=x");
    SVT_ERR_HAS("cannot connect to PostgreSQL");
    SVT_EXPECT(1, "finish", "--db", "PG:host=/nonexistent dbname=x", "--run", "1");
    SVT_ERR_HAS("cannot connect to PostgreSQL");
    /* a database without PostGIS: plan refuses before reading the inputs, nothing written there */
    psql("CREATE DATABASE plain");
    SVT_EXPECT(1, "plan", "--stations", STATIONS, "--districts", DISTRICTS, "--shards", "2", "--out",
               conn("user=postgres dbname=plain"));
    SVT_ERR_HAS("database plain");
    SVT_ERR_HAS("has no PostGIS; run 'CREATE EXTENSION postgis;'");
    char out[256];
    assert_int_equal(svt_pg_psql(&pg, "plain", "SELECT count(*) FROM pg_namespace WHERE nspname = 'svcov'", out,
                                 sizeof out), 0);
    assert_string_equal(out, "0");
    /* a schema owned by someone else, where the planner may not create tables: refused, nothing written */
    psql("CREATE ROLE owner_x; CREATE ROLE planner LOGIN; CREATE SCHEMA theirs AUTHORIZATION owner_x; "
         "GRANT USAGE ON SCHEMA theirs TO planner; GRANT CREATE ON DATABASE svcov TO planner");
    SVT_EXPECT(1, "plan", "--stations", STATIONS, "--districts", DISTRICTS, "--shards", "2", "--out",
               conn("user=planner dbname=svcov"), "--pg-schema", "theirs");
    SVT_ERR_HAS("schema theirs in database svcov belongs to owner_x, and planner may not create tables in it");
    assert_string_equal(psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'theirs'"), "0");
    /* and a worker of a user who may not write the plan's schema: a clear message, the shards untouched */
    SVT_EXPECT(1, "worker", "--db", conn("user=planner dbname=svcov"), "--run", "1");
    SVT_ERR_HAS("schema svcov of PG:");
    SVT_ERR_HAS("belongs to postgres, and planner may not use it: ask its owner for 'GRANT USAGE ON SCHEMA svcov TO "
                "planner'");
    assert_string_equal(psql("SELECT count(*) FROM svcov.shards WHERE run_id = 1 AND status = 'todo' AND attempt = 0"),
                        "14");
}

/* The harness itself: the server runs as an unprivileged user on a socket only, PostGIS is there. */
static void test_harness(void **state)
{
    (void)state;
    NEED_SERVER();
    assert_string_equal(psql("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"), "t");
    assert_string_equal(psql("SHOW listen_addresses"), "");
    assert_string_equal(psql("SELECT extversion >= '3' FROM pg_extension WHERE extname = 'postgis'"), "t");
    long pm = svt_pg_postmaster(&pg);
    assert_true(pm > 0);
    char p[64];
    snprintf(p, sizeof p, "/proc/%ld/status", pm);
    char *st = svt_read(p, NULL);
    assert_non_null(st);
    char *uid = strstr(st, "\nUid:");
    assert_non_null(uid);
    assert_int_not_equal(atoi(uid + 5), 0); /* never root */
    free(st);
}

/* Issue 18: a wrong password (the server asks for one: scram-sha-256 for the user pwuser) is refused with
 * libpq's reason, exit 1, and the password given, in any of libpq's spellings, appears in no message. */
static void test_wrong_password(void **state)
{
    (void)state;
    NEED_SERVER();
    psql("DROP ROLE IF EXISTS pwuser");
    psql("CREATE ROLE pwuser LOGIN PASSWORD 'Right-Pw-42'");
    char hba[1024];
    snprintf(hba, sizeof hba, "%s/data/pg_hba.conf", pg.dir);
    char *old = svt_read(hba, NULL);
    assert_non_null(old);
    FILE *f = fopen(hba, "w");
    assert_non_null(f);
    fprintf(f, "local all pwuser scram-sha-256\n%s", old);
    fclose(f);
    psql("SELECT pg_reload_conf()");
    usleep(300000);
    char uri[1200];
    static const char *const wrong[] = {"user=pwuser dbname=svcov password=Wrong-Pw-77",
                                        "user=pwuser dbname=svcov password = 'Wrong Pw 77'",
                                        "user=pwuser password\t=\tWrong-Pw-77 dbname=svcov"};
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        SVT_EXPECT(1, "query", "--db", conn(wrong[i]), "break_summary");
        SVT_ERR_HAS("password authentication failed for user \"pwuser\"");
        SVT_ERR_HAS("password=***");
        if (strstr(svt_last.err, "Wrong-Pw-77") || strstr(svt_last.err, "Pw 77"))
            fail_msg("the password shows in: %s", svt_last.err);
    }
    /* the URI spelling: postgresql://user:password@/db?host=... */
    snprintf(uri, sizeof uri, "PG:postgresql://pwuser:Wrong-Pw-77@/svcov?host=%s&port=5432", pg.dir);
    SVT_EXPECT(1, "export", "--db", uri, "--layer", "districts", "--out", svt_path("d.geojson"));
    SVT_ERR_HAS("password authentication failed");
    SVT_ERR_HAS("postgresql://pwuser:***@/svcov");
    assert_null(strstr(svt_last.err, "Wrong-Pw-77"));
    assert_false(svt_exists(svt_path("d.geojson")));
    snprintf(uri, sizeof uri, "PG:postgresql:///svcov?host=%s&port=5432&user=pwuser&password=Wrong-Pw-77", pg.dir);
    SVT_EXPECT(1, "query", "--db", uri, "break_summary");
    SVT_ERR_HAS("password authentication failed");
    assert_null(strstr(svt_last.err, "Wrong-Pw-77"));
    /* the right one passes the server's check: what fails then is the missing schema, not the password */
    snprintf(uri, sizeof uri, "PG:postgresql://pwuser:Right-Pw-42@/svcov?host=%s&port=5432", pg.dir);
    SVT_RUN("query", "--db", uri, "--pg-schema", "nosuchschema", "break_summary");
    assert_int_not_equal(svt_last.status, 0);
    assert_null(strstr(svt_last.err, "password authentication failed"));
    assert_null(strstr(svt_last.err, "Right-Pw-42"));
    f = fopen(hba, "w");
    assert_non_null(f);
    fputs(old, f);
    fclose(f);
    free(old);
    psql("SELECT pg_reload_conf()");
    psql("DROP ROLE pwuser");
}

/* The shard commands' progress and summaries in Chinese with --lang zh, in English (ASCII) without it. */
static void test_shards_zh(void **state)
{
    (void)state;
    NEED_SERVER();
    SVT_EXPECT(0, "plan", "--stations", STATIONS, "--districts", DISTRICTS, "--minutes", "10", "--shards", "2",
               "--out", pg.pg, "--lang", "zh");
    SVT_ERR_HAS("svcov plan: 运行 1：2 个分片，共 14 个片区，缓冲带 ");
    SVT_ERR_HAS("；现在可在任意多台机器上启动 'svcov worker --db PG:... --run 1'，然后运行 'svcov finish'\n");
    SVT_EXPECT(0, "worker", "--db", pg.pg, "--lang", "zh");
    SVT_ERR_HAS(" 个站点、");
    SVT_ERR_HAS(" 个人口多边形；保留 ");
    SVT_ERR_HAS("（第 1 次尝试，");
    SVT_ERR_HAS("svcov worker: 运行 1 已没有剩余工作；待每个分片完成后，运行 'svcov finish --db PG:... --run 1'\n");
    assert_null(strstr(svt_last.err, "shard "));
    SVT_EXPECT(0, "finish", "--db", pg.pg, "--run", "1", "--lang", "zh");
    SVT_ERR_HAS("svcov finish: 运行 1 已完成\n");
    /* svcov status: headings and states in Chinese, the rest as stored */
    SVT_EXPECT(0, "status", "--db", pg.pg, "--run", "1", "--lang", "zh");
    SVT_OUT_HAS("分片");
    SVT_OUT_HAS("尝试次数");
    SVT_OUT_HAS("已完成");
    assert_null(strstr(svt_last.out, "done"));
    assert_null(strstr(svt_last.out, "attempt"));
    SVT_EXPECT(0, "status", "--db", pg.pg, "--lang", "zh");
    SVT_OUT_HAS("已完成分片");
    SVT_OUT_HAS("全部完成");
    SVT_OUT_HAS("2/2");
    /* English, as it always was */
    SVT_EXPECT(0, "plan", "--stations", STATIONS, "--districts", DISTRICTS, "--minutes", "10", "--shards", "2",
               "--out", pg.pg);
    SVT_ERR_HAS("svcov plan: run 2: 2 shards of 14 districts, halo ");
    SVT_EXPECT(0, "worker", "--db", pg.pg);
    SVT_ERR_HAS(" stations, ");
    SVT_ERR_HAS(" population polygons; kept ");
    SVT_ERR_HAS(" (attempt 1, ");
    SVT_ERR_HAS("svcov worker: run 2 has nothing left to do; run 'svcov finish --db PG:... --run 2' once every shard "
                "is done\n");
    for (const char *p = svt_last.err; *p; p++)
        assert_true((unsigned char)*p < 0x80);
    SVT_EXPECT(0, "finish", "--db", pg.pg, "--run", "2");
    SVT_ERR_HAS("svcov finish: run 2 is complete\n");
    SVT_EXPECT(0, "status", "--db", pg.pg, "--run", "2");
    SVT_OUT_HAS("attempt");
    SVT_OUT_HAS("done");
}

/* ---- issue 14's audit: leases, waiting, --shard-by, finish's refusals, --jobs and the claim order ---- */

/* 72 breaks from 300 to 1152 m, circles of 2,048 segments (--quad-segs 512), on one thread: the demo city's one
 * shard takes about 10 s on a quiet 2-core machine (measured: 2.0 s with the default 32, 3.4 s with 128: too short
 * for twice a lease of 2 s once the redundancy got faster) */
#define LONG_BREAKS "--threads", "1", "--quad-segs", "512", "--radius", "300,312,324,336,348,360,372,384,396,408,420,432,444,456,468,480,492,504,516,528,540,552,564,576,588,600,612,624,636,648,660,672,684,696,708,720,732,744,756,768,780,792,804,816,828,840,852,864,876,888,900,912,924,936,948,960,972,984,996,1008,1020,1032,1044,1056,1068,1080,1092,1104,1116,1128,1140,1152"

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* A worker on schema svcov with extra arguments (NULL-terminated), its stdout and stderr in TAG.out, .err. */
static pid_t start_worker(const char *tag, const char *const *extra)
{
    const char *args[32] = {"worker", "--db", pg.pg};
    int n = 3;
    for (int i = 0; extra[i] && n < 30; i++)
        args[n++] = extra[i];
    args[n] = NULL;
    const char *argv[40];
    svt_argv(args, argv, 40);
    char o[64], e[64];
    snprintf(o, sizeof o, "%s.out", tag);
    snprintf(e, sizeof e, "%s.err", tag);
    return svt_spawn(argv, svt_path(o), svt_path(e), 0);
}

/* The worker name's end (":PID") as a LIKE pattern. */
static const char *like_pid(pid_t pid)
{
    static char b[4][32];
    static int i;
    i = (i + 1) % 4;
    snprintf(b[i], sizeof b[i], "%%:%d", (int)pid);
    return b[i];
}

/* Wait until worker pid holds a shard of schema's run (status running); its shard number. */
static int wait_running(const char *schema, int run, pid_t pid)
{
    for (int i = 0; i < 6000; i++) { /* up to 2 minutes on a busy machine */
        const char *v = psql("SELECT coalesce(min(shard_no), 0) FROM \"%s\".shards WHERE run_id = %d AND status = "
                             "'running' AND worker LIKE '%s'", schema, run, like_pid(pid));
        if (atoi(v) > 0)
            return atoi(v);
        usleep(20000);
    }
    fail_msg("worker %d never held a shard", (int)pid);
    return 0;
}

/* pid's exit status once it ends (at most seconds; -1 when a signal ended it); fails after that. */
static int wait_exit(pid_t pid, double seconds)
{
    double t0 = now_s();
    for (;;) {
        int ws = 0;
        pid_t r = waitpid(pid, &ws, WNOHANG);
        if (r == pid)
            return WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
        assert_int_equal(r, 0);
        if (now_s() - t0 > seconds) {
            kill(pid, SIGKILL);
            waitpid(pid, &ws, 0);
            fail_msg("process %d still runs after %.0f s", (int)pid, seconds);
        }
        usleep(20000);
    }
}

/* A file of the test's folder (static buffer; a copy for a second one at once). */
static const char *text_of(const char *name)
{
    static char *t;
    free(t);
    t = svt_read(svt_path(name), NULL);
    return t ? t : "";
}

/* Eight districts of 1 km in a row, D0 .. D7 with 100 .. 800 people, in three counties: C1 holds D0-D2, C2
 * D3-D6, C3 D7; a station at each district's centre and one on each county border (S12 at 503000, S23 at
 * 507000), circles of 700 m (reaching across the borders). */
static void county_city(const char **districts, const char **stations)
{
    char d[8192] = "{\"type\":\"FeatureCollection\"," CRS_UTM "\"features\":[";
    char t[8192] = "{\"type\":\"FeatureCollection\"," CRS_UTM "\"features\":[";
    for (int i = 0; i < 8; i++) {
        int x = 500000 + 1000 * i;
        snprintf(d + strlen(d), sizeof d - strlen(d),
                 "%s{\"type\":\"Feature\",\"properties\":{\"district_id\":\"D%d\",\"county\":\"%s\",\"population\":"
                 "%d},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[%d,4699000],[%d,4699000],[%d,4700000],"
                 "[%d,4700000],[%d,4699000]]]}}",
                 i ? "," : "", i, i < 3 ? "C1" : i < 7 ? "C2" : "C3", 100 * (i + 1), x, x + 1000, x + 1000, x, x);
        snprintf(t + strlen(t), sizeof t - strlen(t),
                 "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"S%d\"},\"geometry\":{\"type\":\"Point\","
                 "\"coordinates\":[%d,4699500]}},",
                 i, x + 500);
    }
    strcat(d, "]}");
    strcat(t, "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"S12\"},\"geometry\":{\"type\":\"Point\","
              "\"coordinates\":[503000,4699300]}},"
              "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"S23\"},\"geometry\":{\"type\":\"Point\","
              "\"coordinates\":[507000,4699700]}}]}");
    *districts = svt_write("county_d.geojson", d);
    *stations = svt_write("county_s.geojson", t);
}

/* The sharded run of schema (finished, exported to sh) against the single run ref: district coverage,
 * stations, areas of responsibility, the whole area, every table's row count. */
static void same_as_single(const char *schema, int run, const char *ref, const char *sh)
{
    char r[32];
    snprintf(r, sizeof r, "%d", run);
    SVT_EXPECT(0, "export", "--db", pg.pg, "--pg-schema", schema, "--run", r, "--out", sh);
    sqlite3 *db = svt_db_open(sh);
    char at[4200];
    snprintf(at, sizeof at, "ATTACH '%s' AS r", ref);
    assert_int_equal(sqlite3_exec(db, at, NULL, NULL, NULL), SQLITE_OK);
    svt_same_rows(db, "district_coverage", "district_id, radius_m",
                  "covered_pct, pop_covered_pct, n_stations_inside, n_stations_reaching", 1e-9, "1");
    svt_same_rows(db, "district_coverage", "district_id, radius_m", "covered_m2, gap_m2, pop_covered", 1e-6, "1");
    svt_same_rows(db, "districts", "district_id", "area_m2", 1e-6, "1");
    svt_same_rows(db, "stations", "station_id", "source_fid", 0, "1");
    svt_same_rows(db, "responsibility", "station_id", "area_m2, pop_served", 1e-6, "1");
    svt_same_rows(db, "responsibility", "station_id", "pop_share_pct", 1e-9, "1");
    svt_same_rows(db, "city_coverage", "radius_m", "covered_pct, pop_covered_pct, gini, n_stations", 1e-9, "1");
    svt_same_tables(db);
    sqlite3_close(db);
}

/* A plan of one shard that takes several seconds (the demo city's 200 stations, LONG_BREAKS), into the
 * schema svcov; its run id. */
static int plan_long(void)
{
    SVT_EXPECT(0, "plan", "--stations", STATIONS, "--districts", DISTRICTS, LONG_BREAKS, "--shards", "1", "--out",
               pg.pg);
    return atoi(svt_last.out);
}

/* The shard's seconds from its last claim to its publication. */
static double shard_seconds(int run)
{
    return atof(psql("SELECT extract(epoch FROM finished_utc - started_utc) FROM svcov.shards WHERE run_id = %d", run));
}

/* The lease (--lease 2): a shard that takes longer than it while a second worker waits keeps its first
 * claim (renewed, attempt 1); a worker stopped (SIGSTOP) past it loses the shard to the waiting one, and
 * continued (SIGCONT) it stops computing at once (sooner than half the shard's time), says so, publishes
 * nothing (the other's publication stays as it was) and exits 0. */
static void test_shards_lease(void **state)
{
    (void)state;
    NEED_SERVER();
    int run = plan_long();
    char rs[32];
    snprintf(rs, sizeof rs, "%d", run);
    pid_t a = start_worker("la", (const char *const[]){"--run", rs, "--lease", "2", NULL});
    wait_running("svcov", run, a);
    pid_t b = start_worker("lb", (const char *const[]){"--run", rs, "--lease", "2", NULL});
    /* while the first computes, the shard stays its first claim (without renewals the two would take it from
     * each other every 2 s) */
    int ws = 0;
    for (double t0 = now_s(); waitpid(a, &ws, WNOHANG) == 0; usleep(100000)) {
        int at = atoi(psql("SELECT attempt FROM svcov.shards WHERE run_id = %d", run));
        if (at != 1) {
            kill(a, SIGKILL);
            kill(b, SIGKILL);
            waitpid(a, NULL, 0);
            waitpid(b, NULL, 0);
            fail_msg("the shard was claimed again (attempt %d) %.1f s after the second worker started: its lease was "
                     "not renewed", at, now_s() - t0);
        }
    }
    int ra = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1, rb = wait_exit(b, 60);
    if (ra != 0 || rb != 0)
        fail_msg("the workers exited %d and %d: %s", ra, rb, text_of("la.err"));
    double took = shard_seconds(run);
    if (took < 4)
        fail_msg("the shard took %.1f s, not twice the lease of 2 s: too short to test the renewal", took);
    assert_string_equal(psql("SELECT status || ' ' || attempt || ' ' || (worker LIKE '%s')::int FROM svcov.shards WHERE "
                             "run_id = %d", like_pid(a), run),
                        "done 1 1");
    assert_null(strstr(text_of("lb.err"), "done by"));
    /* stopped past the lease */
    run = plan_long();
    snprintf(rs, sizeof rs, "%d", run);
    a = start_worker("sa", (const char *const[]){"--run", rs, "--lease", "2", NULL});
    wait_running("svcov", run, a);
    assert_int_equal(kill(a, SIGSTOP), 0);
    b = start_worker("sb", (const char *const[]){"--run", rs, "--lease", "2", NULL});
    rb = wait_exit(b, 300);
    if (rb != 0)
        fail_msg("the second worker exited %d: %s", rb, text_of("sb.err"));
    char row[512];
    snprintf(row, sizeof row, "%s",
             psql("SELECT status || ' ' || attempt || ' ' || (worker LIKE '%s')::int || ' ' || n_rows || ' ' || "
                  "finished_utc FROM svcov.shards WHERE run_id = %d", like_pid(b), run));
    assert_memory_equal(row, "done 2 1 ", 9);
    double took_b = shard_seconds(run), t0 = now_s();
    assert_int_equal(kill(a, SIGCONT), 0);
    ra = wait_exit(a, 300);
    double after = now_s() - t0;
    if (ra != 0)
        fail_msg("the stopped worker exited %d: %s", ra, text_of("sa.err"));
    char want[512];
    snprintf(want, sizeof want, "svcov worker: shard 1: lost its lease of 2 s (now done by ");
    const char *aerr = text_of("sa.err");
    if (!strstr(aerr, want) || !strstr(aerr, "attempt 2): stopped computing it after ") ||
        !strstr(aerr, "; nothing of attempt 1 by "))
        fail_msg("the stopped worker said: %s", aerr);
    assert_null(strstr(aerr, "interrupted"));
    if (after > took_b / 2)
        fail_msg("continued, the worker that lost its lease took %.1f s to stop (the shard takes %.1f s)", after,
                 took_b);
    assert_string_equal(psql("SELECT status || ' ' || attempt || ' ' || (worker LIKE '%s')::int || ' ' || n_rows || ' ' || "
                             "finished_utc FROM svcov.shards WHERE run_id = %d", like_pid(b), run),
                        row);
    SVT_EXPECT(0, "finish", "--db", pg.pg, "--run", rs);
    assert_string_equal(psql("SELECT count(*) = count(DISTINCT district_id || '/' || radius_m) AND count(*) = 14 * "
                             "(SELECT count(*) FROM svcov.breaks WHERE run_id = %d) FROM svcov.district_coverage "
                             "WHERE run_id = %d", run, run),
                        "t");
    printf("pg_shards_lease: the shard took %.1f s and %.1f s; the worker that lost its lease stopped %.2f s after "
           "SIGCONT\n", took, took_b, after);
}

/* hold_shard, the last guard: a worker whose renewals fail (its user may no longer update lease_until) goes
 * on computing; its lease runs out, a second worker claims the shard (then the first may update again); at
 * its publication the first one finds the shard no longer its own and publishes nothing; the second one's
 * publication is the run's. */
static void test_shards_stale(void **state)
{
    (void)state;
    NEED_SERVER();
    int run = plan_long();
    char rs[32];
    snprintf(rs, sizeof rs, "%d", run);
    psql("CREATE ROLE w1 LOGIN; GRANT USAGE ON SCHEMA svcov TO w1; GRANT ALL ON ALL TABLES IN SCHEMA svcov TO w1");
    const char *args[] = {"worker", "--db", conn("user=w1 dbname=svcov"), "--run", rs, "--lease", "2", NULL};
    const char *argv[32];
    svt_argv(args, argv, 32);
    pid_t a = svt_spawn(argv, svt_path("ta.out"), svt_path("ta.err"), 0);
    wait_running("svcov", run, a);
    psql("REVOKE UPDATE ON svcov.shards FROM w1; GRANT UPDATE (status, worker, attempt, started_utc, finished_utc, "
         "message, n_rows) ON svcov.shards TO w1");
    pid_t b = start_worker("tb", (const char *const[]){"--run", rs, "--lease", "2", NULL});
    /* once the second has claimed the shard, the first may write again: its publication is refused by the
     * check in its transaction alone */
    for (int i = 0; i < 3000 && atoi(psql("SELECT attempt FROM svcov.shards WHERE run_id = %d", run)) < 2; i++)
        usleep(20000);
    assert_string_equal(psql("SELECT attempt || ' ' || status FROM svcov.shards WHERE run_id = %d", run),
                        "2 running");
    psql("GRANT UPDATE ON svcov.shards TO w1");
    int ra = wait_exit(a, 300), rb = wait_exit(b, 300);
    if (rb != 0)
        fail_msg("the second worker exited %d: %s", rb, text_of("tb.err"));
    const char *aerr = text_of("ta.err");
    if (ra != 0 || !strstr(aerr, "svcov worker: shard 1 lost its lease (now running by ") ||
        !strstr(aerr, ", attempt 2; this was attempt 1 by ") || !strstr(aerr, "): nothing of this attempt was published"))
        fail_msg("the first worker exited %d: %s", ra, aerr);
    assert_non_null(strstr(text_of("tb.err"), "shard 1 done by "));
    assert_string_equal(psql("SELECT status || ' ' || attempt || ' ' || (worker LIKE '%s')::int FROM svcov.shards WHERE "
                             "run_id = %d", like_pid(b), run),
                        "done 2 1");
    SVT_EXPECT(0, "finish", "--db", pg.pg, "--run", rs);
}

/* A worker started while the only shard left is held by another waits: still running 1.5 s later (the
 * holder stopped meanwhile with SIGSTOP, its lease of 60 s still good), the shard untouched; once the holder
 * goes on and publishes, it exits 0 without having computed the shard (attempt 1, the holder's). */
static void test_shards_wait(void **state)
{
    (void)state;
    NEED_SERVER();
    SVT_EXPECT(0, "plan", "--stations", STATIONS, "--districts", DISTRICTS, "--radius", "600", "--shards", "1",
               "--out", pg.pg);
    pid_t a = start_worker("a", (const char *const[]){"--run", "1", NULL});
    assert_int_equal(wait_running("svcov", 1, a), 1);
    assert_int_equal(kill(a, SIGSTOP), 0);
    pid_t b = start_worker("b", (const char *const[]){"--run", "1", NULL});
    usleep(1500000);
    int ws = 0;
    if (waitpid(b, &ws, WNOHANG) != 0)
        fail_msg("the second worker did not wait (exit %d): %s", WIFEXITED(ws) ? WEXITSTATUS(ws) : -1,
                 text_of("b.err"));
    assert_string_equal(psql("SELECT status || ' ' || attempt || ' ' || (worker LIKE '%s')::int FROM svcov.shards",
                             like_pid(a)),
                        "running 1 1");
    assert_int_equal(kill(a, SIGCONT), 0);
    assert_int_equal(wait_exit(a, 120), 0);
    int rb = wait_exit(b, 30);
    if (rb != 0)
        fail_msg("the waiting worker exited %d: %s", rb, text_of("b.err"));
    assert_string_equal(psql("SELECT status || ' ' || attempt || ' ' || (worker LIKE '%s')::int FROM svcov.shards",
                             like_pid(a)),
                        "done 1 1");
    const char *berr = text_of("b.err");
    assert_null(strstr(berr, "done by"));
    assert_null(strstr(berr, " read "));
    assert_non_null(strstr(berr, "svcov worker: run 1 has nothing left to do"));
    assert_non_null(strstr(text_of("a.err"), "shard 1 done by"));
}

/* --shard-by FIELD end to end: a shard per county (3, 4 and 1 districts), 3 workers at once, finished: every
 * table the single run's. */
static void test_shards_by(void **state)
{
    (void)state;
    NEED_SERVER();
    const char *di, *st;
    county_city(&di, &st);
    const char *ref = svt_path("by_ref.sqlite"), *sh = svt_path("by_sh.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", st, "--districts", di, "--radius", "700", "--population-field",
               "population", "--out", ref, "-q");
    SVT_EXPECT(0, "plan", "--stations", st, "--districts", di, "--radius", "700", "--population-field",
               "population", "--shard-by", "county", "--out", pg.pg);
    SVT_ERR_HAS("run 1: 3 shards of 8 districts");
    assert_string_equal(psql("SELECT string_agg(shard_no || ':' || n_districts, ' ' ORDER BY shard_no) FROM "
                             "svcov.shards WHERE run_id = 1"),
                        "1:3 2:4 3:1");
    assert_string_equal(psql("SELECT string_agg(district_id || ':' || shard_no, ' ' ORDER BY district_id) FROM "
                             "svcov.shard_districts WHERE run_id = 1"),
                        "D0:1 D1:1 D2:1 D3:2 D4:2 D5:2 D6:2 D7:3");
    svt_run_workers(&pg, 3, "svcov", "30");
    assert_string_equal(psql("SELECT count(*) FROM svcov.shards WHERE status = 'done' AND attempt = 1"), "3");
    SVT_EXPECT(0, "finish", "--db", pg.pg, "--run", "1");
    same_as_single("svcov", 1, ref, sh);
    /* the border stations reach into both counties: each kept once, by the shard of its nearest district */
    assert_string_equal(psql("SELECT count(*) FROM svcov.stations WHERE run_id = 1"), "10");
    assert_string_equal(psql("SELECT count(*) FROM svcov.district_coverage WHERE run_id = 1 AND n_stations_reaching "
                             "> 1"),
                        "8");
}

/* finish refuses (exit 1, nothing changed, the run still planned and unseen by readers) a district missing
 * or twice, a district's coverage row missing, and a shard failed after 3 attempts (its stored stations file made unreadable: each claim's
 * analysis fails), saying which; once the district is there once it finishes. */
static void test_shards_finish(void **state)
{
    (void)state;
    NEED_SERVER();
    const char *di, *st;
    county_city(&di, &st);
    SVT_EXPECT(0, "plan", "--stations", st, "--districts", di, "--radius", "700", "--population-field",
               "population", "--shards", "2", "--out", pg.pg);
    svt_run_workers(&pg, 1, "svcov", "30");
    psql("CREATE TABLE svcov.saved AS SELECT * FROM svcov.districts WHERE run_id = 1 AND district_id = 'D3'; "
         "DELETE FROM svcov.districts WHERE run_id = 1 AND district_id = 'D3'");
    SVT_EXPECT(1, "finish", "--db", pg.pg, "--run", "1");
    SVT_ERR_HAS("svcov finish: run 1: 1 districts are not there exactly once (D3 x0); nothing was changed");
    const char *unfinished = "SELECT status || ' ' || (SELECT count(*) FROM svcov.city_coverage WHERE run_id = 1) || "
                             "' ' || (SELECT finished_utc IS NULL FROM svcov.runs WHERE run_id = 1) FROM "
                             "svcov.shard_plans WHERE run_id = 1";
    assert_string_equal(psql("%s", unfinished), "planned 0 true");
    SVT_EXPECT(1, "query", "--db", pg.pg, "break_summary");
    SVT_ERR_HAS("holds no run yet");
    /* twice: the row back, and a copy under another key */
    psql("INSERT INTO svcov.districts SELECT * FROM svcov.saved; UPDATE svcov.saved SET id = id + 1000000; "
         "INSERT INTO svcov.districts SELECT * FROM svcov.saved");
    SVT_EXPECT(1, "finish", "--db", pg.pg, "--run", "1");
    SVT_ERR_HAS("run 1: 1 districts are not there exactly once (D3 x2); nothing was changed");
    assert_string_equal(psql("%s", unfinished), "planned 0 true");
    psql("DELETE FROM svcov.districts WHERE run_id = 1 AND id IN (SELECT id FROM svcov.saved); DROP TABLE "
         "svcov.saved");
    /* a district's coverage row missing (city_coverage would sum the others) */
    psql("CREATE TABLE svcov.saved AS SELECT * FROM svcov.district_coverage WHERE run_id = 1 AND district_id = 'D5'; "
         "DELETE FROM svcov.district_coverage WHERE run_id = 1 AND district_id = 'D5'");
    SVT_EXPECT(1, "finish", "--db", pg.pg, "--run", "1");
    SVT_ERR_HAS("run 1: 1 rows of district_coverage are not there exactly once (D5 at 700 m x0); nothing was changed");
    assert_string_equal(psql("%s", unfinished), "planned 0 true");
    psql("INSERT INTO svcov.district_coverage SELECT * FROM svcov.saved; DROP TABLE svcov.saved");
    SVT_EXPECT(0, "finish", "--db", pg.pg, "--run", "1");
    assert_string_equal(psql("SELECT status || ' ' || (SELECT count(*) FROM svcov.city_coverage WHERE run_id = 1) "
                             "FROM svcov.shard_plans WHERE run_id = 1"),
                        "complete 1");
    /* a shard that fails: the stations file the workers read is no GeoJSON any more */
    SVT_EXPECT(0, "plan", "--stations", st, "--districts", di, "--radius", "700", "--shards", "2", "--out", pg.pg);
    assert_string_equal(svt_last.out, "2\n");
    psql("UPDATE svcov.shard_inputs SET data = convert_to('{\"type\": \"FeatureCollection\", broken', 'UTF8') "
         "WHERE run_id = 2 AND input_no = 0");
    SVT_EXPECT(1, "worker", "--db", pg.pg, "--run", "2");
    SVT_ERR_HAS("svcov worker: shard 1 failed (attempt 1); it is tried again up to 3 times");
    SVT_ERR_HAS("svcov worker: shard 1 failed (attempt 3): it is now failed, and 'svcov finish' refuses the run; "
                "'svcov status --run 2' shows why");
    SVT_ERR_HAS("shard 2 failed (attempt 3): it is now failed");
    assert_string_equal(psql("SELECT string_agg(status || ' ' || attempt, ', ' ORDER BY shard_no) FROM svcov.shards "
                             "WHERE run_id = 2"),
                        "failed 3, failed 3");
    assert_string_equal(psql("SELECT count(*) FROM svcov.shards WHERE run_id = 2 AND message LIKE 'the analysis of "
                             "the shard failed (exit _) on %%'"),
                        "2");
    /* a worker started now has nothing to do: failed shards are not claimed again */
    SVT_EXPECT(0, "worker", "--db", pg.pg, "--run", "2");
    SVT_EXPECT(1, "finish", "--db", pg.pg, "--run", "2");
    SVT_ERR_HAS("svcov finish: run 2: 2 of 2 shards are not done (0 todo, 0 running, 2 failed: 1: the analysis of "
                "the shard failed (exit ");
    assert_string_equal(psql("SELECT status || ' ' || (SELECT count(*) FROM svcov.city_coverage WHERE run_id = 2) "
                             "FROM svcov.shard_plans WHERE run_id = 2"),
                        "planned 0");
}

/* Claims go largest first: a shard per county (3, 4 and 1 districts), one worker, the shards started in the
 * order of their work (2, 1, 3). --jobs 2: every shard of 4 computed once, by the worker's two processes,
 * the single run's rows. */
static void test_shards_jobs(void **state)
{
    (void)state;
    NEED_SERVER();
    const char *di, *st;
    county_city(&di, &st);
    SVT_EXPECT(0, "plan", "--stations", st, "--districts", di, "--radius", "700", "--shard-by", "county", "--out",
               pg.pg);
    SVT_EXPECT(0, "worker", "--db", pg.pg, "--run", "1");
    assert_string_equal(psql("SELECT string_agg(shard_no || ':' || work, ' ' ORDER BY started_utc) FROM svcov.shards "
                             "WHERE run_id = 1 AND attempt = 1 AND status = 'done'"),
                        "2:4 1:3 3:1");
    const char *ref = svt_path("jobs_ref.sqlite"), *sh = svt_path("jobs_sh.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", st, "--districts", di, "--radius", "700", "--population-field",
               "population", "--out", ref, "-q");
    SVT_EXPECT(0, "plan", "--stations", st, "--districts", di, "--radius", "700", "--population-field",
               "population", "--shards", "4", "--out", pg.pg);
    assert_string_equal(svt_last.out, "2\n");
    SVT_EXPECT(0, "worker", "--db", pg.pg, "--run", "2", "--jobs", "2");
    assert_string_equal(psql("SELECT count(*) || ' ' || count(DISTINCT worker) FROM svcov.shards WHERE run_id = 2 AND "
                             "status = 'done' AND attempt = 1"),
                        "4 2");
    int done_lines = 0;
    for (const char *p = svt_last.err; (p = strstr(p, " done by ")); p++)
        done_lines++;
    assert_int_equal(done_lines, 4);
    SVT_EXPECT(0, "finish", "--db", pg.pg, "--run", "2");
    same_as_single("svcov", 2, ref, sh);
}


int main(int argc, char **argv)
{
    const svt_group groups[] = {
        {"harness", cmocka_unit_test(test_harness)}, {"store", cmocka_unit_test(test_store)},
        {"ogrinfo", cmocka_unit_test(test_ogrinfo)}, {"readers", cmocka_unit_test(test_readers)},
        {"bad", cmocka_unit_test(test_bad)},         {"atomic", cmocka_unit_test(test_atomic)},
        {"shards", cmocka_unit_test(test_shards)},   {"shards_network", cmocka_unit_test(test_shards_network)},
        {"shards_kill", cmocka_unit_test(test_shards_kill)}, {"shards_bad", cmocka_unit_test(test_shards_bad)},
        {"shards_conn", cmocka_unit_test(test_shards_conn)}, {"shards_far", cmocka_unit_test(test_shards_far)},
        {"shards_read", cmocka_unit_test(test_shards_read)},
        {"shards_window", cmocka_unit_test(test_shards_window)},
        {"shards_zh", cmocka_unit_test(test_shards_zh)},
        {"shards_speeds", cmocka_unit_test(test_shards_speeds)},
        {"shards_check", cmocka_unit_test(test_shards_check)},
        {"shards_capacity", cmocka_unit_test(test_shards_capacity)},
        {"shards_people", cmocka_unit_test(test_shards_people)},
        {"shards_hours", cmocka_unit_test(test_shards_hours)},
        {"wrong_password", cmocka_unit_test(test_wrong_password)},
        {"shards_lease", cmocka_unit_test(test_shards_lease)},
        {"shards_stale", cmocka_unit_test(test_shards_stale)},
        {"shards_wait", cmocka_unit_test(test_shards_wait)},
        {"shards_by", cmocka_unit_test(test_shards_by)},
        {"shards_finish", cmocka_unit_test(test_shards_finish)},
        {"shards_jobs", cmocka_unit_test(test_shards_jobs)},
    };
    int rc = svt_run_groups(argc, argv, "test_pg", groups, sizeof groups / sizeof groups[0], setup, teardown);
    return pg_skip && rc == 0 ? 77 : rc;
}
