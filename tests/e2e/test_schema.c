/* test_schema - the result schema is described once (src/core/schema.c): a fresh
 * database matches the description exactly (tables, columns with declared
 * types and NOT NULL, geometry columns with type, SRID and spatial index,
 * indexes), and DESIGN.md's schema section lists the description. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "svtest.h"
#include "svfixtures.h"

#include "core/schema.h"
#include "svcov/sv_text.h"

#include <string.h>


/* SpatiaLite's own tables (InitSpatialMetadata), beside idx_* and sqlite_*. */
static const char *spatialite_tables[] = {
    "spatial_ref_sys", "spatial_ref_sys_aux", "spatialite_history", "geometry_columns",
    "views_geometry_columns", "virts_geometry_columns", "geometry_columns_statistics",
    "views_geometry_columns_statistics", "virts_geometry_columns_statistics", "geometry_columns_field_infos",
    "views_geometry_columns_field_infos", "virts_geometry_columns_field_infos", "geometry_columns_time",
    "geometry_columns_auth", "views_geometry_columns_auth", "virts_geometry_columns_auth", "data_licenses",
    "sql_statements_log", "SpatialIndex", "ElementaryGeometries", "KNN", "KNN2",
};

static int is_spatialite_table(const char *name)
{
    if (strncmp(name, "idx_", 4) == 0 || strncmp(name, "sqlite_", 7) == 0)
        return 1;
    for (size_t i = 0; i < sizeof spatialite_tables / sizeof spatialite_tables[0]; i++)
        if (strcmp(name, spatialite_tables[i]) == 0)
            return 1;
    return 0;
}

static int geometry_code(const char *type)
{
    return strcmp(type, "POINT") == 0             ? 1
           : strcmp(type, "POLYGON") == 0         ? 3
           : strcmp(type, "MULTILINESTRING") == 0 ? 5
           : strcmp(type, "MULTIPOLYGON") == 0    ? 6
                                                  : -1;
}

/* db matches the description: every table (the run records only where
 * present is 1), nothing else of svcov's, each column as described. */
static void assert_db_matches(const char *path, int srid, int with_runs, int with_site_runs)
{
    sqlite3 *db = svt_db_open(path);
    int n_tables = 0, n_geom = 0;
    for (int ti = 0; ti < SV_TABLE_COUNT; ti++) {
        const sv_table_desc *t = sv_schema_table((sv_table)ti);
        int want = ti == SV_TABLE_RUNS ? with_runs : ti == SV_TABLE_SITE_RUNS ? with_site_runs : 1;
        long long have = svt_db_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '%s'",
                                    t->name);
        if (have != want)
            fail_msg("%s: table %s %s", path, t->name, want ? "missing" : "present before its first record");
        if (!want)
            continue;
        n_tables++;
        /* columns: the key, the described columns in order, the geometry */
        sqlite3_stmt *s = NULL;
        char sql[256];
        snprintf(sql, sizeof sql, "SELECT name, type, \"notnull\", pk FROM pragma_table_info('%s') ORDER BY cid",
                 t->name);
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
        size_t c = 0, n = t->n_columns + 1 + (t->geometry ? 1 : 0);
        for (; sqlite3_step(s) == SQLITE_ROW; c++) {
            const char *name = (const char *)sqlite3_column_text(s, 0), *type = (const char *)sqlite3_column_text(s, 1);
            int notnull = sqlite3_column_int(s, 2), pk = sqlite3_column_int(s, 3);
            const char *want_name, *want_type;
            int want_nn = 0, want_pk = 0;
            if (c == 0) {
                want_name = t->key, want_type = "INTEGER", want_pk = 1;
            } else if (c <= t->n_columns) {
                want_name = t->columns[c - 1].name, want_type = sv_col_type_name(t->columns[c - 1].type);
                want_nn = t->columns[c - 1].not_null;
            } else if (c == t->n_columns + 1 && t->geometry) {
                /* a BLOB, registered in geometry_columns (checked below) */
                want_name = t->geometry_column, want_type = "BLOB";
            } else {
                fail_msg("%s: %s has a column %s the description does not list", path, t->name, name);
                return;
            }
            if (strcmp(name, want_name) != 0 || strcmp(type, want_type) != 0 || notnull != want_nn || pk != want_pk)
                fail_msg("%s: column %zu of %s is %s %s%s%s, the description says %s %s%s%s", path, c, t->name, name,
                         type, notnull ? " NOT NULL" : "", pk ? " PRIMARY KEY" : "", want_name, want_type,
                         want_nn ? " NOT NULL" : "", want_pk ? " PRIMARY KEY" : "");
        }
        sqlite3_finalize(s);
        if (c != n)
            fail_msg("%s: %s has %zu columns, the description %zu", path, t->name, c, n);
        /* geometry: registered with its type and SRID, spatially indexed */
        if (t->geometry) {
            n_geom++;
            assert_int_equal(svt_db_int(db,
                                        "SELECT geometry_type * 100000 + coord_dimension * 10000 + srid * 0 + "
                                        "spatial_index_enabled FROM geometry_columns WHERE f_table_name = '%s' AND "
                                        "f_geometry_column = '%s'",
                                        t->name, t->geometry_column),
                             geometry_code(t->geometry) * 100000 + 2 * 10000 + 1);
            assert_int_equal(svt_db_int(db, "SELECT srid FROM geometry_columns WHERE f_table_name = '%s'", t->name),
                             srid);
            assert_int_equal(svt_db_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'idx_%s_%s'", t->name,
                                        t->geometry_column),
                             1);
        } else {
            assert_int_equal(svt_db_int(db, "SELECT count(*) FROM geometry_columns WHERE f_table_name = '%s'",
                                        t->name),
                             0);
        }
        /* indexes: exactly the described ones, on the described columns */
        assert_int_equal(svt_db_int(db,
                                    "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = '%s' "
                                    "AND sql IS NOT NULL",
                                    t->name),
                         (long long)t->n_indexes);
        for (size_t i = 0; i < t->n_indexes; i++) {
            const char *cols = svt_db_text(db,
                                           "SELECT group_concat(name, ', ') FROM (SELECT name FROM "
                                           "pragma_index_info('%s') ORDER BY seqno)",
                                           t->indexes[i].name);
            assert_non_null(cols);
            assert_string_equal(cols, t->indexes[i].columns);
        }
    }
    /* nothing of svcov's beyond the description */
    sqlite3_stmt *s = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table'", -1, &s, NULL),
                     SQLITE_OK);
    int n_ours = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(s, 0);
        if (is_spatialite_table(name))
            continue;
        if (sv_schema_find(name) < 0)
            fail_msg("%s: table %s is not in the description", path, name);
        n_ours++;
    }
    sqlite3_finalize(s);
    assert_int_equal(n_ours, n_tables);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM geometry_columns"), n_geom);
    sqlite3_close(db);
}

/* The demo city with population, then siting on it (runs and site_runs). */
static void test_demo_db_matches(void **state)
{
    (void)state;
    const char *st = SVCOV_SOURCE_DIR "/geodata/stations.geojson", *d = SVCOV_SOURCE_DIR "/geodata/districts.geojson";
    const char *db = svt_path("demo.sqlite"), *site = svt_path("site.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", st, "--districts", d, "--minutes", "10,15", "--mode", "walk",
               "--population-field", "population", "--out", db, "-q");
    sqlite3 *sdb = svt_db_open(db);
    int srid = (int)svt_db_int(sdb, "SELECT crs_epsg FROM runs");
    assert_true(svt_db_int(sdb, "SELECT count(*) FROM district_redundancy") > 0); /* population tables written */
    sqlite3_close(sdb);
    assert_db_matches(db, srid, 1, 0);
    SVT_EXPECT(0, "site", "--db", db, "--demand", st, "--grid", "1000", "--radius", "500", "--model", "mclp", "--k",
               "2", "--out", site, "-q");
    assert_db_matches(site, srid, 1, 1);
}

/* Network mode with demand points: roads, reached streets, demand tables. */
static void test_network_db_matches(void **state)
{
    (void)state;
    const char *d = svt_write("districts.geojson",
                              "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
                              "{\"type\":\"Feature\",\"properties\":{\"district_id\":\"sq\",\"name\":\"Square\"},"
                              "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[499000,4699000],[501000,4699000],"
                              "[501000,4701000],[499000,4701000],[499000,4699000]]]}}]}");
    const char *st = svt_write("stations.geojson",
                               "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
                               "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"c1\",\"name\":\"Centre\"},"
                               "\"geometry\":{\"type\":\"Point\",\"coordinates\":[500000,4700000]}}]}");
    const char *dem = svt_write("demand.geojson",
                                "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
                                "{\"type\":\"Feature\",\"properties\":{\"demand_id\":\"h1\"},"
                                "\"geometry\":{\"type\":\"Point\",\"coordinates\":[500300,4700010]}}]}");
    const char *roads = svt_write("roads.geojson",
                                  "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
                                  "{\"type\":\"Feature\",\"properties\":{\"highway\":\"residential\"},"
                                  "\"geometry\":{\"type\":\"LineString\",\"coordinates\":"
                                  "[[499000,4700000],[501000,4700000]]}}]}");
    const char *db = svt_path("network.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", st, "--districts", d, "--network", roads, "--demand", dem, "--mode", "walk",
               "--minutes", "5,10", "--out", db, "-q");
    sqlite3 *sdb = svt_db_open(db);
    assert_int_equal(svt_db_int(sdb, "SELECT count(*) FROM roads"), 1);
    assert_true(svt_db_int(sdb, "SELECT count(*) FROM reached_streets") > 0);
    assert_int_equal(svt_db_int(sdb, "SELECT count(*) FROM demand_reach"), 2);
    sqlite3_close(sdb);
    assert_db_matches(db, 32631, 1, 0);
}


/* The line DESIGN.md gives each table: "- `name(columns, geom TYPE)`:
 * meaning"; the key is listed when it is not the plain "id". */
static void design_text(sv_buf *b)
{
    /* the result tables, then those only in PostgreSQL (their run_id and key columns listed, geometry
     * columns with their type) */
    int n_pg = 0;
    while (sv_schema_pg_table(n_pg))
        n_pg++;
    for (int ti = 0; ti < SV_TABLE_COUNT + n_pg; ti++) {
        const sv_table_desc *t = ti < SV_TABLE_COUNT ? sv_schema_table((sv_table)ti)
                                                     : sv_schema_pg_table(ti - SV_TABLE_COUNT);
        sv_buf_puts(b, "- `");
        sv_buf_puts(b, t->name);
        sv_buf_puts(b, "(");
        int first = 1;
        if (t->pg_only && t->per_run) {
            sv_buf_puts(b, "run_id");
            first = 0;
        } else if (t->key && strcmp(t->key, "id") != 0) {
            sv_buf_puts(b, t->key);
            first = 0;
        }
        for (size_t c = 0; c < t->n_columns; c++) {
            sv_buf_puts(b, first ? "" : ", ");
            sv_buf_puts(b, t->columns[c].name);
            if (t->columns[c].type == SV_COL_POLYGON)
                sv_buf_puts(b, " POLYGON");
            first = 0;
        }
        if (t->geometry) {
            sv_buf_puts(b, ", ");
            sv_buf_puts(b, t->geometry_column);
            sv_buf_puts(b, " ");
            sv_buf_puts(b, t->geometry);
        }
        sv_buf_puts(b, ")`: ");
        sv_buf_puts(b, t->meaning);
        if (t->primary_key) {
            sv_buf_puts(b, "; key (");
            sv_buf_puts(b, t->primary_key);
            sv_buf_puts(b, ")");
        }
        sv_buf_puts(b, "\n");
    }
}

/* DESIGN.md's schema section lists every table of the description with its
 * columns in order (the "- `table(...)`" lines; on a mismatch the test
 * prints the lines to paste). */
static void test_design_lists_schema(void **state)
{
    (void)state;
    size_t len = 0;
    char *md = svt_read(SVCOV_SOURCE_DIR "/DESIGN.md", &len);
    assert_non_null(md);
    char *sec = strstr(md, "\n## Result database schema");
    assert_non_null(sec);
    char *end = strstr(sec + 1, "\n## ");
    if (end)
        *end = 0;
    sv_buf have = {0}, want = {0};
    for (char *line = sec + 1; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = 0;
        if (strncmp(line, "- `", 3) == 0) {
            sv_buf_puts(&have, line);
            sv_buf_puts(&have, "\n");
        }
        line = nl ? nl + 1 : NULL;
    }
    design_text(&want);
    if (!have.data || strcmp(have.data, want.data) != 0) {
        fprintf(stderr, "DESIGN.md's schema section does not list the schema of src/core/schema.c; its table lines "
                "should read:\n%s", want.data);
        fail_msg("DESIGN.md's schema section differs from src/core/schema.c (expected lines above)");
    }
    sv_buf_free(&have);
    sv_buf_free(&want);
    free(md);
}

/* The one insert path refuses a row that does not fit the description: a
 * wrong count, a value of another kind than its column, a geometry of the
 * wrong form; a fitting row is stored with its column's types. */
static void test_insert_checks_rows(void **state)
{
    (void)state;
    sv_ctx *ctx = sv_ctx_create();
    assert_non_null(ctx);
    sv_store *st = NULL;
    const char *db = svt_path("insert.sqlite");
    assert_int_equal(sv_store_create(ctx, db, 32631, &st), SV_OK);
    sv_value v[] = {SV_TEXT("s1"), SV_TEXT("North"), SV_NULL, SV_INT(7)};
    assert_int_equal(sv_store_insert_point(ctx, st, SV_TABLE_STATIONS, v, 4, 500000, 4700000), SV_OK);
    assert_int_equal(sv_store_insert_point(ctx, st, SV_TABLE_STATIONS, v, 3, 500000, 4700000), SV_ERR_INTERNAL);
    assert_non_null(strstr(sv_ctx_errmsg(ctx), "3 values for the 4 columns of stations"));
    sv_value bad[] = {SV_TEXT("s2"), SV_TEXT("South"), SV_NULL, SV_REAL(7)};
    assert_int_equal(sv_store_insert_point(ctx, st, SV_TABLE_STATIONS, bad, 4, 500000, 4700000), SV_ERR_INTERNAL);
    assert_non_null(strstr(sv_ctx_errmsg(ctx), "stations.source_fid is INTEGER"));
    assert_int_equal(sv_store_insert(ctx, st, SV_TABLE_STATIONS, v, 4, NULL, 0), SV_ERR_INTERNAL);
    assert_non_null(strstr(sv_ctx_errmsg(ctx), "stations takes a POINT geometry"));
    assert_int_equal(sv_store_insert(ctx, st, SV_TABLE_RUNS, v, 4, NULL, 0), SV_ERR_INTERNAL);
    assert_int_equal(sv_store_commit(ctx, st), SV_OK);
    sv_ctx_destroy(ctx);
    sqlite3 *sdb = svt_db_open(db);
    assert_int_equal(svt_db_int(sdb, "SELECT count(*) FROM stations"), 1);
    assert_string_equal(svt_db_text(sdb, "SELECT typeof(station_id) || typeof(category) || typeof(source_fid) || "
                                         "typeof(geom) FROM stations"),
                        "textnullintegerblob");
    sqlite3_close(sdb);
}

static int setup(void **state)
{
    (void)state;
    return svt_make_dir("schema");
}

static int teardown(void **state)
{
    (void)state;
    svt_run_free();
    svt_remove_dir();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_design_lists_schema),
        cmocka_unit_test(test_demo_db_matches),
        cmocka_unit_test(test_network_db_matches),
        cmocka_unit_test(test_insert_checks_rows),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
