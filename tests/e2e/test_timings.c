/* test_timings.c - the timings table (issue 19, item 4): one row per stage
 * and sub-stage of the run, as printed on stderr, adding up to the run's
 * total, with the rows each stage wrote. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <time.h>

#include "svtest.h"
#include "svfixtures.h"

static const char *square = SVT_SQUARE_DISTRICT;

/* Three stations of three categories: redundancy, categories (with their own coverage sub-stages), people. */
static const char *three =
    "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"a\",\"category\":\"clinic\"},"
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[499500,4700000]}},"
    "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"b\",\"category\":\"water\"},"
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[500500,4700000]}},"
    "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"c\",\"category\":\"toilets\"},"
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[500000,4700500]}}]}";

static int group_setup(void **state)
{
    (void)state;
    return svt_make_dir("timings");
}

static int group_teardown(void **state)
{
    (void)state;
    svt_run_free();
    svt_remove_dir();
    return 0;
}

typedef struct {
    char name[256];
    double secs;
} printed_line;

/* The stage lines of stderr: "NAME   1.23 s   0.98 s CPU" (the name may hold spaces and '>'). */
static int printed_lines(const char *err, printed_line *out, int cap)
{
    int n = 0;
    for (const char *line = err; line && *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        char buf[512];
        snprintf(buf, sizeof buf, "%.*s", (int)len, line);
        line = nl ? nl + 1 : NULL;
        char *sec = strstr(buf, " s ");
        if (!sec || !strstr(buf, " s CPU") || strstr(buf, "warning"))
            continue;
        char *num = sec;
        while (num > buf && num[-1] != ' ')
            num--;
        double v = strtod(num, NULL);
        while (num > buf && num[-1] == ' ')
            num--;
        *num = '\0';
        assert_true(n < cap);
        snprintf(out[n].name, sizeof out[n].name, "%s", buf);
        out[n++].secs = v;
    }
    return n;
}

static double wall_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Every printed stage has its row with the same seconds (to the printed 0.01 s; "writing" and "total" also
 * hold the commit, which follows the table), the rows add up to the total, each sub-stage's parent is a row
 * and its path; the rows counted are the rows in the tables. */
static void test_timings_rows_add_up_and_match_what_is_printed(void **state)
{
    (void)state;
    const char *d = svt_write("t_districts.geojson", square);
    const char *s = svt_write("t_stations.geojson", three);
    const char *out = svt_path("t.sqlite");
    double t0 = wall_s();
    SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--minutes", "10,15", "--out", out);
    double wall = wall_s() - t0;
    printed_line lines[64];
    int n = printed_lines(svt_last.err, lines, 64);
    sqlite3 *db = svt_db_open(out);
    double total = svt_db_double(db, "SELECT seconds FROM timings WHERE stage = 'total'");
    double printed_total = -1, printed_writing = -1;
    for (int k = 0; k < n; k++) {
        if (strcmp(lines[k].name, "total") == 0) {
            printed_total = lines[k].secs;
            continue;
        }
        if (strcmp(lines[k].name, "writing") == 0)
            printed_writing = lines[k].secs;
        if (svt_db_int(db, "SELECT count(*) FROM timings WHERE stage = '%s' AND beside = 0", lines[k].name) != 1)
            fail_msg("printed stage '%s' has no timings row:\n%s", lines[k].name, svt_last.err);
        double v = svt_db_double(db, "SELECT seconds FROM timings WHERE stage = '%s'", lines[k].name);
        if (strcmp(lines[k].name, "writing") == 0 ? !(v <= lines[k].secs + 0.006) : !(fabs(v - lines[k].secs) <= 0.006))
            fail_msg("stage '%s': %.4f s in the table, %.2f s printed", lines[k].name, v, lines[k].secs);
    }
    assert_true(printed_total >= 0 && printed_writing >= 0);
    /* the stages asked for by name: reading, projecting and writing are in the run's time */
    const char *must[] = {"reading", "projecting", "districts", "voronoi", "circles", "coverage", "people",
                          "people > redundancy", "people > categories > coverage", "writing",
                          "writing > coverage tables", "writing > people tables", "writing > indexes", "other"};
    for (size_t k = 0; k < sizeof must / sizeof must[0]; k++)
        if (svt_db_int(db, "SELECT count(*) FROM timings WHERE stage = '%s'", must[k]) != 1)
            fail_msg("no timings row '%s'", must[k]);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM timings"), n + 2); /* and the two writers' */
    /* the lines of the main thread add up to the total; the writers' are beside them */
    double sum = svt_db_double(db, "SELECT sum(seconds) FROM timings WHERE beside = 0 AND stage != 'total'");
    assert_float_equal(sum, total, 1e-9 + 1e-9 * total);
    double cpu = svt_db_double(db, "SELECT sum(cpu_seconds) FROM timings WHERE beside = 0 AND stage != 'total'");
    assert_float_equal(cpu, svt_db_double(db, "SELECT cpu_seconds FROM timings WHERE stage = 'total'"),
                       1e-9 + 1e-9 * cpu);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM timings WHERE seconds < 0 OR cpu_seconds < 0 OR "
                                    "cpu_seconds IS NULL OR rows_written < 0"), 0);
    /* peak memory: the process's so far, for every line of the main thread (none for the writers') */
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM timings WHERE beside = 0 AND NOT (peak_rss_mib > 0)"), 0);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM timings WHERE beside = 1 AND peak_rss_mib IS NOT NULL"), 0);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM timings WHERE peak_rss_mib > (SELECT peak_rss_mib FROM "
                                    "timings WHERE stage = 'total')"), 0);
    /* the table's total is the printed one less the commit (inside the printed "writing"), and within the
     * process's own wall time */
    if (!(total <= printed_total + 0.006 && printed_total - total <= printed_writing + 0.011))
        fail_msg("total %.4f s in the table, %.2f s printed (writing %.2f s)", total, printed_total,
                 printed_writing);
    assert_true(total <= wall);
    /* a sub-stage is its parent's path and one more name; every parent is a row */
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM timings t WHERE parent IS NOT NULL AND (NOT EXISTS "
                                    "(SELECT 1 FROM timings p WHERE p.stage = t.parent) OR substr(t.stage, 1, "
                                    "length(t.parent) + 3) != t.parent || ' > ')"), 0);
    assert_string_equal(svt_db_text(db, "SELECT parent FROM timings WHERE stage = 'people > categories > coverage'"),
                        "people > categories");
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM timings WHERE parent IS NULL AND stage LIKE '%% > %%'"),
                     0);
    /* the writers: their own threads, beside the others, and the rows they wrote */
    assert_int_equal(svt_db_int(db, "SELECT beside FROM timings WHERE stage = 'early writer (thread)'"), 1);
    assert_int_equal(svt_db_int(db, "SELECT beside FROM timings WHERE stage = 'people writer (thread)'"), 1);
    assert_int_equal(svt_db_int(db, "SELECT sum(beside) FROM timings"), 2);
    assert_int_equal(svt_db_int(db, "SELECT rows_written FROM timings WHERE stage = 'early writer (thread)'"),
                     svt_db_int(db, "SELECT (SELECT count(*) FROM stations) + (SELECT count(*) FROM districts) + "
                                    "(SELECT count(*) FROM service_areas) + (SELECT count(*) FROM "
                                    "station_services)"));
    /* the people stage's writer: the coverage tables, the redundancy, critical stations and categories, written
     * beside the stages that follow; the main thread's "writing" lines only wait for it (and write the rest) */
    assert_int_equal(svt_db_int(db, "SELECT rows_written FROM timings WHERE stage = 'people writer (thread)'"),
                     svt_db_int(db, "SELECT (SELECT count(*) FROM district_coverage) + (SELECT count(*) FROM "
                                    "coverage) + (SELECT count(*) FROM gaps) + (SELECT count(*) FROM gap_parts) + "
                                    "(SELECT count(*) FROM city_coverage) + (SELECT count(*) FROM "
                                    "district_redundancy) + (SELECT count(*) FROM critical_stations) + (SELECT "
                                    "count(*) FROM category_coverage) + (SELECT count(*) FROM category_gaps)"));
    assert_int_equal(svt_db_int(db, "SELECT rows_written FROM timings WHERE stage = 'writing > coverage tables'"), 0);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM district_coverage"), 2);
    assert_true(svt_db_int(db, "SELECT rows_written FROM timings WHERE stage = 'writing > people tables'") >=
                svt_db_int(db, "SELECT (SELECT count(*) FROM district_fairness) + (SELECT count(*) FROM "
                               "responsibility)"));
    /* nothing is written before the writer starts */
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM timings WHERE stage IN ('reading', 'projecting', "
                                    "'coverage') AND rows_written != 0"), 0);
    /* the total counts every row the main thread wrote: the tables but the writers' and this one */
    assert_int_equal(svt_db_int(db, "SELECT rows_written FROM timings WHERE stage = 'total'"),
                     svt_db_int(db, "SELECT sum(rows_written) FROM timings WHERE beside = 0 AND stage != 'total'"));
    sqlite3_close(db);
}

/* -q prints nothing, and the table is written all the same. */
static void test_timings_written_when_quiet(void **state)
{
    (void)state;
    const char *d = svt_write("q_districts.geojson", square);
    const char *s = svt_write("q_stations.geojson", three);
    const char *out = svt_path("q.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--radius", "500", "--no-redundancy",
               "--no-category-coverage", "--out", out, "-q");
    assert_null(strstr(svt_last.err, " s CPU"));
    sqlite3 *db = svt_db_open(out);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM timings WHERE stage IN ('reading', 'projecting', "
                                    "'coverage', 'writing', 'other', 'total')"), 6);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM timings WHERE stage LIKE 'people > redundancy%%'"), 0);
    double sum = svt_db_double(db, "SELECT sum(seconds) FROM timings WHERE beside = 0 AND stage != 'total'");
    double total = svt_db_double(db, "SELECT seconds FROM timings WHERE stage = 'total'");
    assert_float_equal(sum, total, 1e-9 + 1e-9 * total);
    sqlite3_close(db);
}

/* Issue 19 item 5: results are written as they are made, not all at the end. The timings lines come in the
 * order their stages first ran: the coverage tables (with their people) and the redundancy and critical stations
 * are written after the redundancy is computed (the early writer goes on beside it) and before the categories
 * are, and each category as it is done;
 * the published rows are the ones the end-of-run writer wrote (each table in its order, one row per district,
 * category and break). */
static void test_timings_results_written_as_they_are_made(void **state)
{
    (void)state;
    const char *d = svt_write("s_districts.geojson", square);
    const char *s = svt_write("s_stations.geojson", three);
    const char *out = svt_path("s.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--radius", "500,1000", "--out", out, "-q");
    sqlite3 *db = svt_db_open(out);
    long long cov = svt_db_int(db, "SELECT rowid FROM timings WHERE stage = 'writing > coverage tables'");
    long long red = svt_db_int(db, "SELECT rowid FROM timings WHERE stage = 'people > redundancy'");
    long long ppl = svt_db_int(db, "SELECT rowid FROM timings WHERE stage = 'writing > people tables'");
    long long cat = svt_db_int(db, "SELECT rowid FROM timings WHERE stage = 'people > categories'");
    if (!(red > 0 && red < cov && cov < ppl && ppl < cat))
        fail_msg("timings lines in order redundancy %lld, coverage tables %lld, people tables %lld, categories %lld",
                 red, cov, ppl, cat);
    /* the rows that left memory early: all there, in the order of category, district, break */
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM district_coverage"), 2);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM gaps"), 2);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM city_coverage"), 2);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM district_redundancy"), 2 * 2 * 4);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM category_coverage"), 3 * 2 * 2);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM category_gaps"), 3 * 2);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM category_coverage a JOIN category_coverage b ON "
                                    "b.rowid = a.rowid + 1 WHERE a.category = b.category AND "
                                    "(coalesce(a.district_id, '~') > coalesce(b.district_id, '~') OR "
                                    "(coalesce(a.district_id, '~') = coalesce(b.district_id, '~') AND "
                                    "a.radius_m >= b.radius_m))"),
                     0);
    /* a category's polygons were written before they were freed: the water station's 500 m circle, all
     * inside the square (129 vertices of 16 bytes in its blob), 0.04% less than the true circle */
    assert_true(svt_db_int(db, "SELECT length(geom) FROM category_coverage WHERE category = 'water' AND "
                               "district_id = 'sq' AND radius_m = 500") > 129 * 16);
    double area = svt_db_double(db, "SELECT covered_m2 FROM category_coverage WHERE category = 'water' AND "
                                    "district_id = 'sq' AND radius_m = 500");
    assert_float_equal(area, M_PI * 500 * 500, 0.001 * M_PI * 500 * 500);
    assert_true(svt_db_int(db, "SELECT count(*) FROM category_gaps WHERE geom IS NULL") == 0);
    sqlite3_close(db);
}

int main(int argc, char **argv)
{
    static const svt_group groups[] = {
        {"table", cmocka_unit_test(test_timings_rows_add_up_and_match_what_is_printed)},
        {"table", cmocka_unit_test(test_timings_written_when_quiet)},
        {"streaming", cmocka_unit_test(test_timings_results_written_as_they_are_made)},
    };
    return svt_run_groups(argc, argv, "timings", groups, sizeof groups / sizeof groups[0], group_setup,
                          group_teardown);
}
