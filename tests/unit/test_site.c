/* test_site.c - sv_site_solve on hand-made instances with known optima.
 *
 * On a line, radius 1: candidate c0 at 0 reaches demand at -0.8, -0.6,
 * 0.6, 0.8; c1 at -1 reaches -1.8, -0.8, -0.6; c2 at +1 reaches 0.6, 0.8,
 * 1.8. Greedy takes c0 first (4 points), then one side (5 in all); the
 * optimum for k = 2 is c1 + c2 (all 6), and 2 sites cover everything
 * where greedy needs 3. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "svcov/sv_site.h"
#include "svfixtures.h"

static void test_mclp_greedy_vs_exact(void **state)
{
    (void)state;
    sv_ctx *ctx = sv_ctx_create();
    sv_site_input in = svt_line_instance();
    in.model = SV_SITE_MCLP;
    in.k = 2;
    sv_site_result r;
    assert_int_equal(sv_site_solve(ctx, &in, &r), SV_OK);
    assert_string_equal(r.solver, "greedy");
    assert_int_equal(r.n_chosen, 2);
    assert_int_equal(r.chosen[0], 0); /* the middle first ... */
    assert_int_equal(r.chosen[1], 1); /* ... then the tie to the smaller index */
    assert_true(r.objective == 5.0 && r.greedy_objective == 5.0);
    assert_true(r.gain[0] == 4.0 && r.gain[1] == 1.0);
    sv_site_result_free(&r);

    in.exact = 1;
    assert_int_equal(sv_site_solve(ctx, &in, &r), SV_OK);
    assert_string_equal(r.solver, "glpk");
    assert_int_equal(r.proven_optimal, 1);
    assert_true(r.objective == 6.0);
    assert_true(r.greedy_objective == 5.0);
    assert_int_equal(r.n_chosen, 2);
    assert_true((r.chosen[0] == 1 && r.chosen[1] == 2) || (r.chosen[0] == 2 && r.chosen[1] == 1));
    assert_true(r.gap == 0.0);
    sv_site_result_free(&r);
    sv_ctx_destroy(ctx);
}

static void test_lscp(void **state)
{
    (void)state;
    sv_ctx *ctx = sv_ctx_create();
    sv_site_input in = svt_line_instance();
    in.model = SV_SITE_LSCP;
    sv_site_result r;
    assert_int_equal(sv_site_solve(ctx, &in, &r), SV_OK);
    assert_int_equal(r.n_chosen, 3); /* greedy */
    assert_true(r.objective == 6.0);
    sv_site_result_free(&r);
    in.exact = 1;
    assert_int_equal(sv_site_solve(ctx, &in, &r), SV_OK);
    assert_int_equal(r.proven_optimal, 1);
    assert_int_equal(r.n_chosen, 2);
    assert_int_equal(r.greedy_sites, 3);
    assert_true(r.objective == 6.0);
    sv_site_result_free(&r);

    /* a target share: 4 of 6 points is one site (c0) */
    in.target_share = 4.0 / 6.0;
    assert_int_equal(sv_site_solve(ctx, &in, &r), SV_OK);
    assert_int_equal(r.n_chosen, 1);
    assert_int_equal(r.chosen[0], 0);
    assert_true(r.objective == 4.0);
    sv_site_result_free(&r);
    sv_ctx_destroy(ctx);
}

static void test_existing_and_uncoverable(void **state)
{
    (void)state;
    sv_ctx *ctx = sv_ctx_create();
    sv_site_input in = svt_line_instance();
    /* a station at -2.5 already covers the first point; a far point no one
     * reaches counts as uncoverable. */
    double dx[] = {-1.8, -0.8, -0.6, 0.6, 0.8, 1.8, 50};
    double dy[] = {0, 0, 0, 0, 0, 0, 0};
    double dw[] = {1, 1, 1, 1, 1, 1, 7};
    double sx[] = {-2.5}, sy[] = {0}; /* reaches -1.8 only */
    in.dx = dx;
    in.dy = dy;
    in.dw = dw;
    in.n_demand = 7;
    in.sx = sx;
    in.sy = sy;
    in.n_stations = 1;
    in.model = SV_SITE_MCLP;
    in.k = 1;
    in.exact = 1;
    sv_site_result r;
    assert_int_equal(sv_site_solve(ctx, &in, &r), SV_OK);
    assert_true(r.existing_covered == 1.0);
    assert_int_equal(r.n_uncoverable, 1);
    assert_true(r.total_weight == 13.0 && r.coverable_weight == 6.0);
    assert_true(r.objective == 5.0); /* c0 adds 4 */
    sv_site_result_free(&r);

    double on_edge_x[] = {1.0}, on_edge_y[] = {0}, one[] = {1};
    double c0x[] = {0}, c0y[] = {0};
    sv_site_input e;
    memset(&e, 0, sizeof e);
    e.dx = on_edge_x;
    e.dy = on_edge_y;
    e.dw = one;
    e.n_demand = 1;
    e.cx = c0x;
    e.cy = c0y;
    e.n_candidates = 1;
    e.radius_m = 1.0;
    e.model = SV_SITE_MCLP;
    e.k = 1;
    assert_int_equal(sv_site_solve(ctx, &e, &r), SV_OK);
    assert_true(r.objective == 1.0); /* d == R counts */
    sv_site_result_free(&r);
    sv_ctx_destroy(ctx);
}

static void test_district_floor(void **state)
{
    (void)state;
    sv_ctx *ctx = sv_ctx_create();
    sv_site_input in = svt_line_instance();
    /* district 0: the four middle points, district 1: the two ends */
    int dd[] = {1, 0, 0, 0, 0, 1};
    in.ddistrict = dd;
    in.n_districts = 2;
    in.model = SV_SITE_MCLP;
    in.k = 2;
    in.min_district_share = 1.0;
    sv_site_result r;
    assert_int_equal(sv_site_solve(ctx, &in, &r), SV_OK);
    /* greedy closes district 0 first and then cannot close district 1 */
    assert_true(r.district_total[1] == 2.0 && r.district_floor[1] == 2.0);
    assert_int_equal(r.n_floor_unmet, 1);
    assert_non_null(strstr(r.note, "below the floor"));
    sv_site_result_free(&r);

    in.exact = 1;
    assert_int_equal(sv_site_solve(ctx, &in, &r), SV_OK);
    assert_int_equal(r.proven_optimal, 1);
    assert_int_equal(r.n_floor_unmet, 0);
    assert_true(r.district_after[0] == 4.0 && r.district_after[1] == 2.0);
    assert_true(r.objective == 6.0);
    sv_site_result_free(&r);

    /* k = 1 cannot reach both floors: the best achievable, with the reason */
    in.k = 1;
    assert_int_equal(sv_site_solve(ctx, &in, &r), SV_OK);
    assert_int_equal(r.n_chosen, 1);
    assert_true(r.n_floor_unmet >= 1);
    assert_true(strlen(r.note) > 0);
    sv_site_result_free(&r);
    sv_ctx_destroy(ctx);
}

static void test_bad_input(void **state)
{
    (void)state;
    sv_ctx *ctx = sv_ctx_create();
    sv_site_input in = svt_line_instance();
    sv_site_result r;
    in.model = SV_SITE_MCLP;
    in.k = 4; /* more than the 3 candidates */
    assert_int_equal(sv_site_solve(ctx, &in, &r), SV_ERR_USAGE);
    assert_non_null(strstr(sv_ctx_errmsg(ctx), "candidate"));
    sv_site_result_free(&r);
    in.k = 1;
    in.n_candidates = 0;
    assert_int_equal(sv_site_solve(ctx, &in, &r), SV_ERR_DATA);
    sv_site_result_free(&r);
    in.n_candidates = 3;
    in.radius_m = -1;
    assert_int_equal(sv_site_solve(ctx, &in, &r), SV_ERR_USAGE);
    sv_site_result_free(&r);
    sv_ctx_destroy(ctx);
}

/* Issue 11, item 5: an exact solve stopped by --time-limit keeps the best
 * answer found, here the greedy's (GLPK stops at its first check when the
 * limit is below a millisecond, after the LP relaxation of this tiny
 * model), with the LP bound, the gap and a true note. */
static void test_site_exact_timeout_keeps_greedy(void **state)
{
    (void)state;
    sv_ctx *ctx = sv_ctx_create();
    sv_site_input in = svt_line_instance();
    in.model = SV_SITE_MCLP;
    in.k = 2;
    in.exact = 1;
    in.time_limit_s = 1e-6;
    sv_site_result r;
    assert_int_equal(sv_site_solve(ctx, &in, &r), SV_OK);
    assert_int_equal(r.timed_out, 1);
    assert_int_equal(r.proven_optimal, 0);
    assert_string_equal(r.solver, "greedy");
    assert_int_equal(r.n_chosen, 2); /* the greedy's c0, then c1 */
    assert_int_equal(r.chosen[0], 0);
    assert_int_equal(r.chosen[1], 1);
    assert_true(r.objective == 5.0 && r.gain[0] == 4.0 && r.gain[1] == 1.0);
    assert_true(r.bound == 6.0);             /* the LP relaxation: all six */
    assert_float_equal(r.gap, 0.2, 1e-12);   /* (6 - 5) / 5 */
    assert_non_null(strstr(r.note, "exact solve stopped at the time limit (1e-06 s) during the branch-and-bound; "
                                   "the greedy answer is kept, within 20% of the bound"));
    sv_site_result_free(&r);

    /* set covering: greedy's 3 sites kept, the LP says at least 2 */
    in.model = SV_SITE_LSCP;
    assert_int_equal(sv_site_solve(ctx, &in, &r), SV_OK);
    assert_int_equal(r.timed_out, 1);
    assert_int_equal(r.proven_optimal, 0);
    assert_string_equal(r.solver, "greedy");
    assert_int_equal(r.n_chosen, 3);
    assert_true(r.objective == 6.0 && r.bound == 2.0);
    assert_non_null(strstr(r.note, "the greedy answer is kept"));
    sv_site_result_free(&r);

    /* with time enough, the optimum as before */
    in.time_limit_s = 30;
    assert_int_equal(sv_site_solve(ctx, &in, &r), SV_OK);
    assert_int_equal(r.timed_out, 0);
    assert_int_equal(r.proven_optimal, 1);
    assert_int_equal(r.n_chosen, 2);
    assert_string_equal(r.note, "");
    sv_site_result_free(&r);
    sv_ctx_destroy(ctx);
}

/* Issue 11, item 6: a target above the coverable share is capped at it
 * (every coverable point) and solved exactly: 2 sites, not the greedy's 3,
 * and the note says what happened, not "no solution within the time limit". */
static void test_site_lscp_target_capped(void **state)
{
    (void)state;
    sv_ctx *ctx = sv_ctx_create();
    sv_site_input in = svt_line_instance();
    double dx[] = {-1.8, -0.8, -0.6, 0.6, 0.8, 1.8, 50}; /* the last is out of every candidate's reach */
    double dy[] = {0, 0, 0, 0, 0, 0, 0};
    double dw[] = {1, 1, 1, 1, 1, 1, 1};
    in.dx = dx;
    in.dy = dy;
    in.dw = dw;
    in.n_demand = 7;
    in.model = SV_SITE_LSCP;
    in.target_share = 0.95; /* 6 of 7 (85.71%) can be covered */
    in.exact = 1;
    sv_site_result r;
    assert_int_equal(sv_site_solve(ctx, &in, &r), SV_OK);
    assert_int_equal(r.target_capped, 1);
    assert_float_equal(r.target_share, 6.0 / 7.0, 1e-15);
    assert_string_equal(r.solver, "glpk");
    assert_int_equal(r.proven_optimal, 1);
    assert_int_equal(r.timed_out, 0);
    assert_int_equal(r.n_chosen, 2);
    assert_int_equal(r.greedy_sites, 3);
    assert_true(r.objective == 6.0 && r.bound == 2.0 && r.gap == 0.0);
    assert_string_equal(r.note, "--target 95% is more than the 85.71% of the demand weight that any sites can reach "
                                "(1 demand point is out of reach of every candidate and station); the target was "
                                "capped at that share: every coverable point");
    sv_site_result_free(&r);

    /* greedy alone: capped the same way, every coverable point covered */
    in.exact = 0;
    assert_int_equal(sv_site_solve(ctx, &in, &r), SV_OK);
    assert_int_equal(r.target_capped, 1);
    assert_int_equal(r.n_chosen, 3);
    assert_true(r.objective == 6.0);
    assert_null(strstr(r.note, "time limit"));
    sv_site_result_free(&r);

    /* a reachable target is not touched: 4 of 7 is c0 alone */
    in.exact = 1;
    in.target_share = 4.0 / 7.0;
    assert_int_equal(sv_site_solve(ctx, &in, &r), SV_OK);
    assert_int_equal(r.target_capped, 0);
    assert_int_equal(r.n_chosen, 1);
    assert_int_equal(r.chosen[0], 0);
    assert_string_equal(r.note, "");
    sv_site_result_free(&r);
    sv_ctx_destroy(ctx);
}

/* Issue 15: the swap search after the greedy. Four candidates given as
 * coverage lists over six demand points of weight 1: A = {0,1,2,3},
 * B = {0,1,4}, C = {2,3,5}, D = {5}. The greedy takes A (4), then B (5, the
 * tie to the smaller index); swapping A for C covers all 6, the optimum of
 * k = 2 found by trying every pair. */
static double brute_best(const sv_reach_lists *l, const double *w, size_t nd, size_t nc, int k, size_t *best_set)
{
    double best = -1;
    size_t set[8];
    /* every k-subset, in lexicographic order */
    for (int q = 0; q < k; q++)
        set[q] = (size_t)q;
    for (;;) {
        unsigned char cov[64] = {0};
        for (int q = 0; q < k; q++)
            for (size_t t = l->start[set[q]]; t < l->start[set[q] + 1]; t++)
                cov[l->item[t]] = 1;
        double s = 0;
        for (size_t i = 0; i < nd; i++)
            s += cov[i] ? w[i] : 0;
        if (s > best) {
            best = s;
            if (best_set)
                memcpy(best_set, set, (size_t)k * sizeof *set);
        }
        int q = k - 1;
        while (q >= 0 && set[q] == nc - (size_t)k + (size_t)q)
            q--;
        if (q < 0)
            break;
        set[q]++;
        for (int u = q + 1; u < k; u++)
            set[u] = set[u - 1] + 1;
    }
    return best;
}

static double covered_by(const sv_reach_lists *l, const double *w, size_t nd, const size_t *set, size_t n)
{
    unsigned char cov[64] = {0};
    for (size_t q = 0; q < n; q++)
        for (size_t t = l->start[set[q]]; t < l->start[set[q] + 1]; t++)
            cov[l->item[t]] = 1;
    double s = 0;
    for (size_t i = 0; i < nd; i++)
        s += cov[i] ? w[i] : 0;
    return s;
}

static void test_site_swap(void **state)
{
    (void)state;
    sv_ctx *ctx = sv_ctx_create();
    double xy[6] = {0, 1, 2, 3, 4, 5}, w[6] = {1, 1, 1, 1, 1, 1}, cxy[4] = {0, 0, 0, 0};
    size_t start[5] = {0, 4, 7, 10, 11}, item[11] = {0, 1, 2, 3, 0, 1, 4, 2, 3, 5, 5};
    sv_reach_lists lists = {start, item, 4};
    sv_site_input in;
    memset(&in, 0, sizeof in);
    in.dx = xy;
    in.dy = xy;
    in.dw = w;
    in.n_demand = 6;
    in.cx = cxy;
    in.cy = cxy;
    in.n_candidates = 4;
    in.radius_m = 1;
    in.cand_reach = &lists;
    in.model = SV_SITE_MCLP;
    in.k = 2;
    in.time_limit_s = 30;
    size_t best_set[2];
    double best = brute_best(&lists, w, 6, 4, 2, best_set);
    assert_true(best == 6.0);
    assert_true(best_set[0] == 1 && best_set[1] == 2); /* B + C, the only pair covering all */

    sv_site_result r;
    /* without the swaps: the greedy's A, B */
    assert_int_equal(sv_site_solve(ctx, &in, &r), SV_OK);
    assert_true(r.objective == 5.0 && r.greedy_objective == 5.0);
    assert_true(isnan(r.swap_objective));
    assert_int_equal(r.n_swaps, 0);
    sv_site_result_free(&r);

    in.swap = 1;
    assert_int_equal(sv_site_solve(ctx, &in, &r), SV_OK);
    assert_string_equal(r.solver, "greedy");
    assert_true(r.greedy_objective == 5.0); /* the greedy's answer stays recorded */
    assert_int_equal(r.greedy_sites, 2);
    assert_int_equal(r.n_swaps, 1);          /* A out, C in */
    assert_true(r.swap_objective == best && r.objective == best);
    assert_int_equal(r.n_chosen, 2);
    assert_int_equal(r.chosen[0], 1); /* ranked by marginal gain: B (3), then C (3) */
    assert_int_equal(r.chosen[1], 2);
    assert_true(r.gain[0] == 3.0 && r.gain[1] == 3.0);
    assert_string_equal(r.note, "");
    sv_site_result_free(&r);

    /* --exact starts from the swapped answer and proves it */
    in.exact = 1;
    assert_int_equal(sv_site_solve(ctx, &in, &r), SV_OK);
    assert_int_equal(r.proven_optimal, 1);
    assert_true(r.objective == best && r.swap_objective == best && r.greedy_objective == 5.0);
    sv_site_result_free(&r);

    /* no swaps for the set covering (it counts sites) */
    in.exact = 0;
    in.model = SV_SITE_LSCP;
    assert_int_equal(sv_site_solve(ctx, &in, &r), SV_OK);
    assert_true(isnan(r.swap_objective));
    sv_site_result_free(&r);
    sv_ctx_destroy(ctx);
}

/* On random instances (20 candidates, 40 demand points, k = 2..4): the swapped answer is no worse than the
 * greedy's, no better than the optimum found by trying every k-subset, and no single swap (tried here by
 * brute force) improves it. */
static int one_swap_improves(const sv_reach_lists *l, const double *w, size_t nd, size_t nc, const size_t *set,
                             size_t n, double value)
{
    size_t s[8];
    for (size_t q = 0; q < n; q++)
        for (size_t c = 0; c < nc; c++) {
            memcpy(s, set, n * sizeof *s);
            s[q] = c;
            if (covered_by(l, w, nd, s, n) > value + 1e-9)
                return 1;
        }
    return 0;
}

/* Random instances (20 candidates, 40 demand points, k = 3..5) on which the
 * greedy's answer is below the optimum (by trying every k-subset) and yet
 * no single swap improves it (tried by brute force): the single swaps stop
 * there, so whatever the search gains on them comes from the wider moves
 * (2 or 3 sites out, the best back in). */
static void test_site_swap_wider_moves(void **state)
{
    (void)state;
    sv_ctx *ctx = sv_ctx_create();
    enum { ND = 40, NC = 20 };
    double xy[ND] = {0}, w[ND], cxy[NC] = {0};
    size_t start[NC + 1], item[NC * ND];
    uint32_t seed = 777;
    int stuck = 0, escaped = 0, optimal = 0;
    for (int round = 0; round < 300; round++) {
        size_t n = 0;
        for (size_t j = 0; j < NC; j++) {
            start[j] = n;
            for (size_t i = 0; i < ND; i++) {
                seed = seed * 1664525u + 1013904223u;
                if ((seed >> 24) < 40)
                    item[n++] = i;
            }
        }
        start[NC] = n;
        for (size_t i = 0; i < ND; i++) {
            seed = seed * 1664525u + 1013904223u;
            w[i] = 1 + (seed >> 28);
        }
        sv_reach_lists lists = {start, item, NC};
        sv_site_input in;
        memset(&in, 0, sizeof in);
        in.dx = xy;
        in.dy = xy;
        in.dw = w;
        in.n_demand = ND;
        in.cx = cxy;
        in.cy = cxy;
        in.n_candidates = NC;
        in.radius_m = 1;
        in.cand_reach = &lists;
        in.model = SV_SITE_MCLP;
        in.k = 3 + round % 3;
        sv_site_result g, r;
        assert_int_equal(sv_site_solve(ctx, &in, &g), SV_OK); /* the plain greedy */
        double best = brute_best(&lists, w, ND, NC, in.k, NULL);
        if (g.objective < best - 1e-9 && !one_swap_improves(&lists, w, ND, NC, g.chosen, g.n_chosen, g.objective)) {
            stuck++;
            in.swap = 1;
            assert_int_equal(sv_site_solve(ctx, &in, &r), SV_OK);
            double got = covered_by(&lists, w, ND, r.chosen, r.n_chosen);
            assert_true(fabs(got - r.objective) < 1e-9 && r.objective == r.swap_objective);
            assert_true(r.objective >= g.objective && r.objective <= best + 1e-9);
            assert_true(r.greedy_objective == g.objective);
            /* what it ends on: no single swap improves it either */
            assert_false(one_swap_improves(&lists, w, ND, NC, r.chosen, r.n_chosen, r.objective));
            escaped += r.objective > g.objective + 1e-9;
            optimal += r.objective > best - 1e-9;
            sv_site_result_free(&r);
        }
        sv_site_result_free(&g);
    }
    printf("wider moves: %d instances where no single swap improves the greedy's answer, below the optimum; "
           "%d improved, %d to the optimum\n", stuck, escaped, optimal);
    assert_true(stuck > 0);
    assert_true(escaped > 0 && optimal > 0); /* single swaps alone leave every one of them where it was */
    sv_ctx_destroy(ctx);
}

static void test_site_swap_local_optimum(void **state)
{
    (void)state;
    sv_ctx *ctx = sv_ctx_create();
    enum { ND = 40, NC = 20 };
    double xy[ND] = {0}, w[ND], cxy[NC] = {0};
    size_t start[NC + 1], item[NC * ND];
    uint32_t seed = 12345;
    int improved = 0;
    for (int round = 0; round < 30; round++) {
        size_t n = 0;
        for (size_t j = 0; j < NC; j++) {
            start[j] = n;
            for (size_t i = 0; i < ND; i++) {
                seed = seed * 1664525u + 1013904223u;
                if ((seed >> 24) < 40) /* about 1 in 6 */
                    item[n++] = i;
            }
        }
        start[NC] = n;
        for (size_t i = 0; i < ND; i++) {
            seed = seed * 1664525u + 1013904223u;
            w[i] = 1 + (seed >> 28);
        }
        sv_reach_lists lists = {start, item, NC};
        sv_site_input in;
        memset(&in, 0, sizeof in);
        in.dx = xy;
        in.dy = xy;
        in.dw = w;
        in.n_demand = ND;
        in.cx = cxy;
        in.cy = cxy;
        in.n_candidates = NC;
        in.radius_m = 1;
        in.cand_reach = &lists;
        in.model = SV_SITE_MCLP;
        in.k = 2 + round % 3;
        in.swap = 1;
        sv_site_result r;
        assert_int_equal(sv_site_solve(ctx, &in, &r), SV_OK);
        double best = brute_best(&lists, w, ND, NC, in.k, NULL);
        double got = covered_by(&lists, w, ND, r.chosen, r.n_chosen);
        assert_true(fabs(got - r.objective) < 1e-9 && r.objective == r.swap_objective);
        assert_true(r.objective >= r.greedy_objective && r.objective <= best);
        if (r.objective > r.greedy_objective)
            improved++;
        /* no single swap improves it */
        size_t set[8];
        for (size_t q = 0; q < r.n_chosen; q++)
            for (size_t c = 0; c < NC; c++) {
                memcpy(set, r.chosen, r.n_chosen * sizeof *set);
                set[q] = c;
                if (covered_by(&lists, w, ND, set, r.n_chosen) > r.objective + 1e-9)
                    fail_msg("round %d: swapping site %zu for %zu improves %g", round, r.chosen[q], c, r.objective);
            }
        sv_site_result_free(&r);
    }
    printf("swap search: better than the greedy on %d of 30 random instances\n", improved);
    assert_true(improved > 0);
    sv_ctx_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mclp_greedy_vs_exact), cmocka_unit_test(test_lscp),
        cmocka_unit_test(test_existing_and_uncoverable), cmocka_unit_test(test_district_floor),
        cmocka_unit_test(test_bad_input), cmocka_unit_test(test_site_exact_timeout_keeps_greedy),
        cmocka_unit_test(test_site_lscp_target_capped), cmocka_unit_test(test_site_swap),
        cmocka_unit_test(test_site_swap_local_optimum), cmocka_unit_test(test_site_swap_wider_moves),
    };
    return cmocka_run_group_tests_name("site", tests, NULL, NULL);
}
