/* test_memory.c - what the redundancy stage adds to the peak memory of a run (issue 19, item 5): a city of
 * 20,000 stations spread evenly over 200 districts (svcov-gencity), short reach so that the stage is cheap,
 * analyzed with and without --no-redundancy; the difference of the peaks (the timings table's, getrusage)
 * is held to 3.5 KiB per station (most of what remains is the result: what each station alone covers, a
 * polygon of circle arcs per station, kept until the redundancy's tables are written).
 *
 * Seen failing before the cells' rings were kept in one buffer (each in a 4 KiB allocation of its own):
 * 203.7 MiB against 105.0 MiB without the redundancy, 5.05 KiB per station; after, 147.1 against 105.0 MiB,
 * 2.16 KiB per station (2026-12-03, mimalloc build).
 *
 * Not under the sanitizers (ctest label no_sanitize): their allocator and its red zones are not what a
 * run holds.
 *
 * Usage: test_memory GROUP  (redundancy). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "svtest.h"

#define STATIONS 20000

static const char *city_dir;

static int group_setup(void **state)
{
    (void)state;
    if (svt_make_dir("memory") != 0)
        return -1;
    city_dir = svt_path("city");
    const char *argv[] = {SVCOV_GENCITY, "--stations", "20000", "--districts", "200", "--seed", "7",
                          "--out", city_dir, "-q", NULL};
    return svt_run_tool(argv) == 0 ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    svt_run_free();
    svt_remove_dir();
    return 0;
}

/* The run's peak resident memory in MiB (the timings table's total row). */
static double run_peak(const char *out, int redundancy)
{
    char st[4200], di[4200];
    snprintf(st, sizeof st, "%s/stations.gpkg", city_dir);
    snprintf(di, sizeof di, "%s/districts.gpkg", city_dir);
    int rc = redundancy ? SVT_RUN("analyze", "--stations", st, "--districts", di, "--radius", "150",
                                  "--no-service-areas", "--no-category-coverage", "--threads", "1", "--out", out,
                                  "-q")
                        : SVT_RUN("analyze", "--stations", st, "--districts", di, "--radius", "150",
                                  "--no-service-areas", "--no-category-coverage", "--no-redundancy", "--threads",
                                  "1", "--out", out, "-q");
    if (rc != 0)
        fail_msg("analyze failed: %s", svt_last.err);
    sqlite3 *db = svt_db_open(out);
    double peak = svt_db_double(db, "SELECT peak_rss_mib FROM timings WHERE stage = 'total'");
    long long rows = svt_db_int(db, "SELECT count(*) FROM district_redundancy");
    sqlite3_close(db);
    assert_int_equal(rows, redundancy ? 4 * 201 : 0); /* four classes, each district and the city */
    return peak;
}

static void test_redundancy_peak(void **state)
{
    (void)state;
    double without = run_peak(svt_path("without.sqlite"), 0);
    double with = run_peak(svt_path("with.sqlite"), 1);
    double per_station_kib = (with - without) * 1024.0 / STATIONS;
    print_message("peak %.1f MiB with the redundancy, %.1f MiB without: %.2f KiB per station\n", with, without,
                  per_station_kib);
    assert_true(without > 0);
    assert_true(per_station_kib < 3.5);
}

int main(int argc, char **argv)
{
    static const svt_group groups[] = {
        {"redundancy", cmocka_unit_test(test_redundancy_peak)},
    };
    return svt_run_groups(argc, argv, "memory", groups, sizeof groups / sizeof groups[0], group_setup,
                          group_teardown);
}
