/* test_alloc.c - allocation failure, as h3's testH3Memory: the hook of core/core.h fails the
 * 1st, 2nd ... Nth allocation of svcov's own memory (sv_malloc/sv_calloc/sv_realloc/sv_strdup)
 * during one call of an entry point, until the call succeeds. Each failed call must return an
 * error (no crash, no half result reported as success), and the results of the succeeding call
 * must be the right ones; under `make sanitize` LeakSanitizer checks that no failure leaks.
 *
 * Entry points: the text buffers (sv_buf_printf, sv_buf_html, sv_buf_csv), opening hours
 * (sv_hours_parse), breaks (sv_breaks_make), issues on a context (sv_issue_add), coverage
 * (sv_coverage_compute, both methods, 1 and 2 threads), siting's greedy (sv_site_solve) and the
 * schema writer (sv_store_create, sv_store_insert_point, sv_store_commit: a failure leaves no file).
 * GEOS's, GDAL's and SQLite's own memory is not counted (it is theirs). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/core.h"
#include "svcov/sv_breaks.h"
#include "svcov/sv_common.h"
#include "svcov/sv_coverage.h"
#include "svcov/sv_geom.h"
#include "engine/hours.h"
#include "svcov/sv_lang.h"
#include "svcov/sv_site.h"
#include "svcov/sv_store.h"
#include "svcov/sv_text.h"
#include "svfixtures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_N 100000 /* a call needing more allocations than this fails the test */

/* The loop of every test: run(N) with the Nth allocation failing; returns 0 when the call
 * succeeded (the hook is off again), else checks that the failure was one we caused. */
#define EACH_FAILURE(n, ok_expr, on_fail)                                                                    \
    for (long n = 1;; n++) {                                                                                 \
        if (n > MAX_N)                                                                                       \
            fail_msg("still failing after %d allocations", MAX_N);                                          \
        sv_alloc_fail_at(n);                                                                                 \
        int ok_ = (ok_expr);                                                                                 \
        long used_ = sv_alloc_count();                                                                       \
        sv_alloc_fail_at(0);                                                                                 \
        if (ok_) {                                                                                           \
            if (n == 1)                                                                                      \
                fail_msg("the call made no allocation: the test shows nothing");                           \
            if (used_ >= n)                                                                                  \
                fail_msg("allocation %ld failed and the call still reported success", n);                  \
            failures = n - 1;                                                                                \
            print_message("%s: each of its %ld allocations failed once, all reported\n", __func__, failures);     \
            break;                                                                                           \
        }                                                                                                    \
        if (used_ < n)                                                                                       \
            fail_msg("the call failed with allocation %ld not yet reached (%ld made)", n, used_);           \
        on_fail;                                                                                             \
    }

static void test_text_buffers(void **state)
{
    (void)state;
    long failures = 0;
    sv_buf b = {0};
    /* 5000 bytes: past the first 4096-byte block, so the growth fails too */
    char big[5001];
    memset(big, 'a', 5000);
    big[5000] = 0;
    EACH_FAILURE(n,
                 (sv_buf_printf(&b, "%s", big), sv_buf_html(&b, "<b>&</b>"), sv_buf_csv(&b, "a,\"b\""),
                  !b.failed),
                 (sv_buf_free(&b), memset(&b, 0, sizeof b)));
    assert_int_equal(failures, 2);
    assert_int_equal(b.len, 5000 + strlen("&lt;b&gt;&amp;&lt;/b&gt;") + strlen("\"a,\"\"b\"\"\""));
    assert_string_equal(b.data + 5000, "&lt;b&gt;&amp;&lt;/b&gt;\"a,\"\"b\"\"\"");
    sv_buf_free(&b);
}

static void test_hours(void **state)
{
    (void)state;
    long failures = 0;
    sv_hours *h = NULL;
    sv_msg err;
    sv_msg_init(&err, SV_LANG_EN);
    EACH_FAILURE(n, sv_hours_parse("Mo-Fr 08:00-12:00,13:00-18:00; Sa 09:00-12:00; PH off", &h, &err) == 0,
                 (assert_null(h), assert_true(err.en[0] != 0)));
    assert_true(failures >= 1);
    assert_int_equal(sv_hours_minutes_open(h), 5 * 9 * 60 + 3 * 60);
    assert_int_equal(sv_hours_is_open(h, 0, 8 * 60), 1);
    assert_int_equal(sv_hours_is_open(h, 0, 12 * 60 + 30), 0);
    sv_hours_free(h);
}

static void test_breaks(void **state)
{
    (void)state;
    long failures = 0;
    sv_ctx *ctx = sv_ctx_create();
    assert_non_null(ctx);
    const double minutes[] = {15, 10, 15};
    sv_breaks_spec spec = {minutes, 3, NULL, 0, "walk", 0, 1.3};
    sv_breaks b;
    EACH_FAILURE(n, sv_breaks_make(ctx, &spec, &b) == SV_OK,
                 (assert_true(sv_ctx_errmsg(ctx)[0] != 0), sv_breaks_free(&b)));
    assert_true(failures >= 1);
    assert_int_equal(b.n, 2);
    assert_int_equal(b.n_merged, 1);
    assert_string_equal(b.mode, "walk");
    assert_true(fabs(b.breaks[0].radius_m - 5000.0 / 60 * 10 / 1.3) < 1e-9);
    assert_true(fabs(b.breaks[1].radius_m - 5000.0 / 60 * 15 / 1.3) < 1e-9);
    sv_breaks_free(&b);
    sv_ctx_destroy(ctx);
}

static void test_issues(void **state)
{
    (void)state;
    long failures = 0;
    sv_ctx *ctx = sv_ctx_create();
    assert_non_null(ctx);
    /* the 17th issue grows the list past its first 16 */
    EACH_FAILURE(n, ({
                     sv_status st_ = SV_OK;
                     char problem_[32];
                     for (int i = 0; st_ == SV_OK && i < 17; i++) {
                         snprintf(problem_, sizeof problem_, "bad ring %d", i);
                         st_ = sv_issue_add(ctx, "d.geojson", "d", "F1", problem_, SV_ISSUE_SKIPPED);
                     }
                     st_ == SV_OK;
                 }),
                 (sv_ctx_destroy(ctx), ctx = sv_ctx_create(), assert_non_null(ctx)));
    assert_true(failures >= 2);
    assert_int_equal(sv_ctx_issue_count(ctx), 17);
    assert_string_equal(sv_ctx_issue(ctx, 16)->problem, "bad ring 16");
    sv_ctx_destroy(ctx);
}

/* Two 1 km squares side by side, stations at their centres and a corner. */
static void test_coverage(void **state)
{
    (void)state;
    sv_geos *h = sv_geos_create();
    assert_non_null(h);
    unsigned char *wkb[2];
    size_t len[2];
    for (int i = 0; i < 2; i++) {
        sv_env e = {1000.0 * i, 0, 1000.0 * (i + 1), 1000};
        sv_geom *g = sv_geom_rect(h, &e);
        assert_non_null(g);
        wkb[i] = sv_geom_to_wkb(h, g, &len[i]);
        assert_non_null(wkb[i]);
        sv_geom_destroy(h, g);
    }
    const double xs[] = {500, 1500, 2000}, ys[] = {500, 500, 1000};
    sv_break br[2] = {{NAN, 300}, {NAN, 600}};
    for (int method = 0; method < 2; method++)
        for (int threads = 1; threads <= 2; threads++) {
            sv_ctx *ctx = sv_ctx_create();
            assert_non_null(ctx);
            sv_ctx_set_threads(ctx, threads);
            sv_cov_input in = {.xs = xs, .ys = ys, .n_stations = 3,
                               .district_wkb = (const unsigned char *const *)wkb, .district_wkb_len = len,
                               .n_districts = 2, .breaks = br, .n_breaks = 2, .quad_segs = 16,
                               .method = method ? SV_METHOD_UNION : SV_METHOD_VORONOI, .want_geometry = 1};
            sv_cov_result r;
            long failures = 0;
            EACH_FAILURE(n, (memset(&r, 0, sizeof r), sv_coverage_compute(ctx, &in, &r) == SV_OK),
                         (assert_true(sv_ctx_errmsg(ctx)[0] != 0), sv_cov_result_free(&r)));
            assert_true(failures >= 3);
            /* district 0: the 300 m circle of its centre station lies inside it (a 64-gon) */
            double circle = 0.5 * 64 * 300.0 * 300 * sin(2 * M_PI / 64);
            assert_true(fabs(r.cells[0].covered_m2 - circle) < 1e-3);
            assert_true(fabs(r.cells[0].area_m2 - 1e6) < 1e-6);
            assert_int_equal(r.n_inside[0], 1);
            assert_int_equal(r.n_inside[1], 2); /* the corner station is on its edge */
            assert_non_null(r.cells[0].gap_wkb);
            sv_cov_result_free(&r);
            sv_ctx_destroy(ctx);
        }
    sv_free(wkb[0]);
    sv_free(wkb[1]);
    sv_geos_destroy(h);
}

/* The line of svfixtures.h: greedy takes the middle candidate, then the left one (5 of 6 points). */
static void test_site_greedy(void **state)
{
    (void)state;
    static const int DD[] = {0, 0, 0, 1, 1, 1};
    sv_site_input in = svt_line_instance();
    in.ddistrict = DD;
    in.n_districts = 2;
    in.model = SV_SITE_MCLP;
    in.k = 2;
    sv_ctx *ctx = sv_ctx_create();
    assert_non_null(ctx);
    sv_site_result r;
    long failures = 0;
    EACH_FAILURE(n, (memset(&r, 0, sizeof r), sv_site_solve(ctx, &in, &r) == SV_OK),
                 (assert_true(sv_ctx_errmsg(ctx)[0] != 0), sv_site_result_free(&r)));
    assert_true(failures >= 2);
    assert_int_equal(r.n_chosen, 2);
    assert_int_equal(r.chosen[0], 0);
    assert_int_equal(r.chosen[1], 1);
    assert_true(r.objective == 5.0);
    assert_true(r.district_after[0] == 3.0 && r.district_after[1] == 2.0);
    sv_site_result_free(&r);
    sv_ctx_destroy(ctx);
}

/* The schema writer: a new database with one station, committed; a failed call leaves no file. */
static sv_status write_store(sv_ctx *ctx, const char *db)
{
    sv_store *st = NULL;
    sv_status rc = sv_store_create(ctx, db, 32631, &st);
    sv_value v[] = {SV_TEXT("s1"), SV_TEXT("North"), SV_NULL, SV_INT(7)};
    if (rc == SV_OK)
        rc = sv_store_insert_point(ctx, st, SV_TABLE_STATIONS, v, 4, 500000, 4700000);
    if (rc == SV_OK)
        return sv_store_commit(ctx, st); /* frees st either way */
    sv_store_abort(st);
    return rc;
}

static void test_store_writer(void **state)
{
    (void)state;
    char dir[] = "/tmp/svcov-alloc-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char db[64];
    snprintf(db, sizeof db, "%s/r.sqlite", dir);
    sv_ctx *ctx = sv_ctx_create();
    assert_non_null(ctx);
    long failures = 0;
    struct stat sb;
    sv_status last = SV_OK;
    /* a bare SV_ERR_NOMEM is reported by its status text ("out of memory") */
    EACH_FAILURE(n, (last = write_store(ctx, db)) == SV_OK,
                 (assert_true(last == SV_ERR_NOMEM || sv_ctx_errmsg(ctx)[0] != 0),
                  assert_int_not_equal(stat(db, &sb), 0)));
    assert_true(failures >= 1);
    assert_int_equal(sv_store_check_db(ctx, db), SV_OK);
    assert_int_equal(sv_store_db_srid(db), 32631);
    sv_ctx_destroy(ctx);
    unlink(db);
    assert_int_equal(rmdir(dir), 0); /* no temporary folder left behind by a failed run */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_buffers), cmocka_unit_test(test_hours),    cmocka_unit_test(test_breaks),
        cmocka_unit_test(test_issues),       cmocka_unit_test(test_coverage), cmocka_unit_test(test_site_greedy),
        cmocka_unit_test(test_store_writer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
