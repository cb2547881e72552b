/* test_pg_schema.c - the tables only in PostgreSQL (svcov_meta and the coordination of sharded runs:
 * shard_plans, shards, shard_districts, shard_inputs) are created from the one schema description
 * (src/core/schema.c) by the PostGIS writer, and are the same tables the hand-written statements of
 * store_pg.c made before (up to c9b5d4b): psql's \d of each, and its columns, defaults, checks, keys and
 * indexes from the catalogue, equal those of the old statements run in another schema; and a schema whose
 * coordination tables the old statements made still takes a sharded run. Against a server the test starts
 * itself (tests/common/svtest_pg.h); skipped (77, with a notice) where it is not installed. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "svtest.h"
#include "svtest_pg.h"

#include "core/schema.h"

static svt_pg pg;
static int pg_skip;

#define STATIONS SVCOV_SOURCE_DIR "/geodata/stations.geojson"
#define DISTRICTS SVCOV_SOURCE_DIR "/geodata/districts.geojson"

static int setup(void **state)
{
    (void)state;
    return svt_pg_setup(&pg, "pg_schema", &pg_skip);
}

static int teardown(void **state)
{
    (void)state;
    return svt_pg_teardown(&pg, "test_pg_schema");
}

/* psql's answer (static buffer, of its own: two answers are compared); fails the test on an error. */
static char *psql_into(char *out, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static char *psql_into(char *out, size_t size, const char *fmt, ...)
{
    char sql[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    if (svt_pg_psql(&pg, "svcov", sql, out, size) != 0)
        fail_msg("psql failed on \"%s\": %s", sql, out);
    return out;
}

/* s with every "schema." and "\"schema\"." replaced by "S." (in place). */
static char *unqualified(char *s, const char *schema)
{
    char a[64], b[64];
    snprintf(a, sizeof a, "\"%s\".", schema);
    snprintf(b, sizeof b, "%s.", schema);
    for (int k = 0; k < 2; k++) {
        const char *pat = k ? b : a;
        size_t n = strlen(pat);
        char *p;
        while ((p = strstr(s, pat)) != NULL) {
            p[0] = 'S', p[1] = '.';
            memmove(p + 2, p + n, strlen(p + n) + 1);
        }
    }
    return s;
}

/* The statements store_pg.c's shard_tables_sql and create_tables ran by hand before the tables were in the
 * description (commit c9b5d4b), for schema s and SRID srid. */
static void old_statements(char *out, size_t size, const char *s, int srid)
{
    snprintf(out, size,
             "CREATE TABLE IF NOT EXISTS \"%s\".svcov_meta (key text PRIMARY KEY, value text NOT NULL);\n"
             "CREATE TABLE IF NOT EXISTS \"%s\".shard_plans (run_id integer PRIMARY KEY REFERENCES \"%s\".runs "
             "(run_id) ON DELETE CASCADE, status text NOT NULL CHECK (status IN ('planned', 'complete')), "
             "args text[] NOT NULL, n_shards integer NOT NULL, halo_m double precision NOT NULL, "
             "planned_utc timestamptz NOT NULL DEFAULT now(), completed_utc timestamptz);\n"
             "CREATE TABLE IF NOT EXISTS \"%s\".shards (run_id integer NOT NULL REFERENCES \"%s\".runs (run_id) "
             "ON DELETE CASCADE, shard_no integer NOT NULL, status text NOT NULL DEFAULT 'todo' CHECK (status "
             "IN ('todo', 'running', 'done', 'failed')), n_districts integer NOT NULL, work double precision "
             "NOT NULL, worker text, lease_until timestamptz, attempt integer NOT NULL DEFAULT 0, started_utc "
             "timestamptz, finished_utc timestamptz, n_rows bigint, message text, core geometry(Polygon, %d), "
             "halo geometry(Polygon, %d), PRIMARY KEY (run_id, shard_no));\n"
             "CREATE INDEX IF NOT EXISTS shards_core_gist ON \"%s\".shards USING gist (core);\n"
             "CREATE TABLE IF NOT EXISTS \"%s\".shard_districts (run_id integer NOT NULL REFERENCES \"%s\".runs "
             "(run_id) ON DELETE CASCADE, district_id text NOT NULL, shard_no integer NOT NULL, x_min double "
             "precision NOT NULL, y_min double precision NOT NULL, x_max double precision NOT NULL, y_max double "
             "precision NOT NULL, PRIMARY KEY (run_id, district_id));\n"
             "CREATE TABLE IF NOT EXISTS \"%s\".shard_inputs (run_id integer NOT NULL REFERENCES \"%s\".runs "
             "(run_id) ON DELETE CASCADE, input_no integer NOT NULL, file_no integer NOT NULL, file_name text "
             "NOT NULL, path text NOT NULL, data bytea NOT NULL, PRIMARY KEY (run_id, input_no, file_no));\n",
             s, s, s, s, s, srid, srid, s, s, s, s, s);
}

/* What the catalogue says of table s.t: columns (number, name, type, NOT NULL, default), constraints (name,
 * kind, definition) and indexes (name, definition), schema names taken out. */
static char *catalogue(char *out, size_t size, const char *s, const char *t)
{
    psql_into(out, size,
              "SELECT a.attnum || ' ' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || "
              "CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END || coalesce(' DEFAULT ' || "
              "pg_get_expr(d.adbin, d.adrelid), '') FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = "
              "a.attrelid AND d.adnum = a.attnum WHERE a.attrelid = '\"%s\".%s'::regclass AND a.attnum > 0 AND "
              "NOT a.attisdropped ORDER BY a.attnum;\n"
              "SELECT conname || ' ' || contype::text || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE "
              "conrelid = '\"%s\".%s'::regclass ORDER BY conname;\n"
              "SELECT indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = '%s' AND tablename = '%s' "
              "ORDER BY indexname",
              s, t, s, t, s, t);
    return unqualified(out, s);
}

static void test_schema_coord(void **state)
{
    (void)state;
    if (pg_skip)
        skip();
    /* "new": made by svcov from the description */
    SVT_EXPECT(0, "analyze", "--stations", STATIONS, "--districts", DISTRICTS, "--radius", "700", "--out", pg.pg,
               "--pg-schema", "new", "-q");
    char a[65536], b[65536], sql[8192];
    int srid = atoi(psql_into(a, sizeof a, "SELECT value FROM new.svcov_meta WHERE key = 'srid'"));
    assert_int_equal(srid, 32649);
    /* "old": the same results, then the coordination tables and svcov_meta made again by the old statements
     * (CASCADE: the _latest views, which read shard_plans, go too, as a schema of then had none) */
    SVT_EXPECT(0, "analyze", "--stations", STATIONS, "--districts", DISTRICTS, "--radius", "700", "--out", pg.pg,
               "--pg-schema", "old", "-q");
    old_statements(sql, sizeof sql, "old", srid);
    psql_into(a, sizeof a,
              "BEGIN; DROP TABLE old.shard_inputs, old.shard_districts, old.shards, old.shard_plans, "
              "old.svcov_meta CASCADE; %s INSERT INTO old.svcov_meta SELECT * FROM new.svcov_meta; COMMIT",
              sql);
    /* every PostgreSQL-only table of the description: the same in both */
    int n = 0;
    for (const sv_table_desc *t; (t = sv_schema_pg_table(n)) != NULL; n++) {
        assert_true(t->pg_only);
        assert_int_equal(sv_schema_find(t->name), -1); /* not a result table: never published or exported */
        catalogue(a, sizeof a, "new", t->name);
        catalogue(b, sizeof b, "old", t->name);
        if (strcmp(a, b) != 0) {
            fprintf(stderr, "%s: the description makes\n%s\nthe old statements made\n%s\n", t->name, a, b);
            fail_msg("%s differs from what the old statements made (above)", t->name);
        }
        /* psql's \d (description, columns, indexes, checks, foreign keys) */
        char dn[64];
        snprintf(dn, sizeof dn, "\\d new.%s", t->name);
        unqualified(psql_into(a, sizeof a, "%s", dn), "new");
        snprintf(dn, sizeof dn, "\\d old.%s", t->name);
        unqualified(psql_into(b, sizeof b, "%s", dn), "old");
        if (strcmp(a, b) != 0) {
            fprintf(stderr, "\\d %s: the description makes\n%s\nthe old statements made\n%s\n", t->name, a, b);
            fail_msg("\\d %s differs from what the old statements made (above)", t->name);
        }
    }
    assert_int_equal(n, 5);
    /* what they are, spelt out (both empty would compare equal) */
    catalogue(a, sizeof a, "new", "shards");
    static const char *const shards_has[] = {
        "1 run_id integer NOT NULL",
        "2 shard_no integer NOT NULL",
        "3 status text NOT NULL DEFAULT 'todo'::text",
        "8 attempt integer NOT NULL DEFAULT 0",
        "9 started_utc timestamp with time zone",
        "11 n_rows bigint",
        "13 core geometry(Polygon,32649)",
        "14 halo geometry(Polygon,32649)",
        "shards_pkey p PRIMARY KEY (run_id, shard_no)",
        "shards_run_id_fkey f FOREIGN KEY (run_id) REFERENCES S.runs(run_id) ON DELETE CASCADE",
        "shards_status_check c CHECK ((status = ANY (ARRAY['todo'::text, 'running'::text, 'done'::text, "
        "'failed'::text])))",
        "shards_core_gist CREATE INDEX shards_core_gist ON S.shards USING gist (core)",
    };
    for (size_t i = 0; i < sizeof shards_has / sizeof shards_has[0]; i++)
        if (!strstr(a, shards_has[i]))
            fail_msg("shards lacks \"%s\":\n%s", shards_has[i], a);
    assert_null(strstr(a, "\n15 ")); /* nothing more */
    catalogue(a, sizeof a, "new", "shard_plans");
    assert_non_null(strstr(a, "3 args text[] NOT NULL"));
    assert_non_null(strstr(a, "6 planned_utc timestamp with time zone NOT NULL DEFAULT now()"));
    assert_non_null(strstr(a, "shard_plans_pkey p PRIMARY KEY (run_id)"));
    assert_non_null(strstr(a, "CHECK ((status = ANY (ARRAY['planned'::text, 'complete'::text])))"));
    catalogue(a, sizeof a, "new", "shard_inputs");
    assert_non_null(strstr(a, "6 data bytea NOT NULL"));
    assert_non_null(strstr(a, "shard_inputs_pkey p PRIMARY KEY (run_id, input_no, file_no)"));
    catalogue(a, sizeof a, "new", "svcov_meta");
    assert_non_null(strstr(a, "svcov_meta_pkey p PRIMARY KEY (key)"));
    assert_string_equal(psql_into(b, sizeof b, "SELECT string_agg(key || '=' || value, ' ' ORDER BY key) FROM "
                                               "new.svcov_meta"),
                        "schema_version=3 srid=32649");

    /* the schema the old statements made takes a sharded run: plan (CREATE ... IF NOT EXISTS over them),
     * one worker, finish; every district once */
    SVT_EXPECT(0, "plan", "--stations", STATIONS, "--districts", DISTRICTS, "--radius", "700", "--shards", "2",
               "--out", pg.pg, "--pg-schema", "old");
    int run = atoi(svt_last.out);
    assert_true(run >= 2);
    char rs[32];
    snprintf(rs, sizeof rs, "%d", run);
    SVT_EXPECT(0, "worker", "--db", pg.pg, "--pg-schema", "old", "--run", rs, "--lease", "30", "-q");
    SVT_EXPECT(0, "finish", "--db", pg.pg, "--pg-schema", "old", "--run", rs);
    assert_string_equal(psql_into(a, sizeof a,
                                  "SELECT count(*) || ' ' || count(*) FILTER (WHERE status = 'done' AND attempt = 1) "
                                  "FROM old.shards WHERE run_id = %d",
                                  run),
                        "2 2");
    assert_string_equal(psql_into(a, sizeof a,
                                  "SELECT (SELECT count(*) FROM old.district_coverage WHERE run_id = %d) || ' ' || "
                                  "(SELECT count(DISTINCT district_id) FROM old.district_coverage WHERE run_id = %d) "
                                  "|| ' ' || (SELECT count(*) FROM old.district_coverage WHERE run_id = 1)",
                                  run, run),
                        "14 14 14");
    assert_string_equal(psql_into(a, sizeof a, "SELECT status FROM old.shard_plans WHERE run_id = %d", run),
                        "complete");
}

int main(int argc, char **argv)
{
    const svt_group groups[] = {
        {"schema_coord", cmocka_unit_test(test_schema_coord)},
    };
    int rc = svt_run_groups(argc, argv, "test_pg_schema", groups, sizeof groups / sizeof groups[0], setup, teardown);
    return pg_skip && rc == 0 ? 77 : rc;
}
