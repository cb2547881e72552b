/* test_mip.c - the exact siting models (adapters/mip_glpk.c) solved by GLPK
 * and by CBC (adapters/mip_cbc.c: Clp's LP relaxation first, CBC's search
 * only when its optimum is fractional) agree on the optimum.
 *
 * Random instances (fixed seeds): 24 candidates, 50 groups of weight 1-9,
 * each reached by 1-4 random candidates. Among them are models whose LP
 * relaxation is integral (CBC's answer then comes from the LP alone) and
 * models whose LP optimum is fractional (CBC must branch); the test asserts
 * that it met both kinds, so both ways are checked against GLPK: MCLP for
 * k = 2..6, LSCP with and without a target, MCLP with district floors and
 * the capacitated MCLP; and a model whose LP is fractional by construction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/mip.h"
#include "svcov/sv_site.h"

#define NC 24
#define NG 50

typedef struct {
    size_t gstart[NG + 1], gcand[NG * 4];
    double weight[NG], capacity[NC], floor_weight[4];
    int gdistrict[NG];
} instance;

static uint64_t rng = 1;
static unsigned rnd(unsigned n)
{
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((rng >> 33) % n);
}

static void make(instance *in, uint64_t seed)
{
    rng = seed;
    size_t t = 0;
    for (size_t g = 0; g < NG; g++) {
        in->gstart[g] = t;
        unsigned n = 1 + rnd(4);
        unsigned char used[NC] = {0};
        for (unsigned a = 0; a < n; a++) {
            unsigned c = rnd(NC);
            if (!used[c])
                used[c] = 1;
        }
        for (size_t c = 0; c < NC; c++) /* increasing, as siting.c makes them */
            if (used[c])
                in->gcand[t++] = c;
        in->weight[g] = 1 + rnd(9);
        in->gdistrict[g] = (int)rnd(4);
    }
    in->gstart[NG] = t;
    for (size_t c = 0; c < NC; c++)
        in->capacity[c] = 5 + rnd(20);
    for (size_t d = 0; d < 4; d++)
        in->floor_weight[d] = 5 + rnd(10);
}

/* Solve p with GLPK and with CBC; both proven, same objective. Returns
 * CBC's lp_integral. */
static int both_agree(sv_ctx *ctx, sv_mip_problem p, const char *what, uint64_t seed)
{
    sv_mip_solution g, c;
    p.solver = SV_MIP_GLPK;
    assert_int_equal(sv_mip_solve(ctx, &p, &g), SV_OK);
    p.solver = SV_MIP_CBC;
    assert_int_equal(sv_mip_solve(ctx, &p, &c), SV_OK);
    if (g.feasible != c.feasible || (g.feasible && (!g.proven || !c.proven)))
        fail_msg("%s, seed %llu: GLPK feasible %d proven %d, CBC feasible %d proven %d", what,
                 (unsigned long long)seed, g.feasible, g.proven, c.feasible, c.proven);
    if (g.feasible && fabs(g.objective - c.objective) > 1e-6 * fmax(1.0, fabs(g.objective)))
        fail_msg("%s, seed %llu: GLPK's optimum %.9g, CBC's %.9g (lp_integral %d)", what, (unsigned long long)seed,
                 g.objective, c.objective, c.lp_integral);
    if (c.feasible) { /* CBC's sites are a solution of that value */
        size_t n = 0;
        for (size_t j = 0; j < p.n_cands; j++)
            n += c.x[j];
        if (p.kind == SV_MIP_MCLP) {
            assert_true(n <= (size_t)p.k);
            if (!p.capacity && !p.gdistrict) {
                double cov = 0;
                for (size_t gg = 0; gg < p.n_groups; gg++)
                    for (size_t t = p.gstart[gg]; t < p.gstart[gg + 1]; t++)
                        if (c.x[p.gcand[t]]) {
                            cov += p.weight[gg];
                            break;
                        }
                assert_true(fabs(cov - c.objective) < 1e-6);
            }
        } else if (p.need_weight <= 0) {
            assert_true(fabs((double)n - c.objective) < 1e-6);
            for (size_t gg = 0; gg < p.n_groups; gg++) {
                int hit = 0;
                for (size_t t = p.gstart[gg]; t < p.gstart[gg + 1]; t++)
                    hit |= c.x[p.gcand[t]];
                assert_true(hit);
            }
        }
        assert_true(c.bound == c.objective);
    }
    int lpi = c.lp_integral;
    if (lpi) /* the LP's optimum is the answer, so the LP was done */
        assert_true(c.lp_done);
    free(g.x);
    free(g.load);
    free(g.cover);
    free(c.x);
    free(c.load);
    free(c.cover);
    return lpi;
}

static void test_glpk_and_cbc_agree(void **state)
{
    (void)state;
    if (!sv_cbc_available())
        skip();
    sv_ctx *ctx = sv_ctx_create();
    int n_integral = 0, n_fractional = 0, n_models = 0;
    for (uint64_t seed = 1; seed <= 12; seed++) {
        instance in;
        make(&in, seed);
        sv_mip_problem p = {.kind = SV_MIP_MCLP, .n_groups = NG, .n_cands = NC, .weight = in.weight,
                            .gstart = in.gstart, .gcand = in.gcand};
        for (int k = 2; k <= 6; k += 2) {
            p.k = k;
            int lpi = both_agree(ctx, p, "MCLP", seed);
            n_integral += lpi;
            n_fractional += !lpi;
            n_models++;
        }
        sv_mip_problem f = p; /* district floors */
        f.k = 4;
        f.gdistrict = in.gdistrict;
        f.n_districts = 4;
        f.floor_weight = in.floor_weight;
        both_agree(ctx, f, "MCLP with floors", seed);
        sv_mip_problem cap = p; /* capacities */
        cap.k = 4;
        cap.capacity = in.capacity;
        both_agree(ctx, cap, "capacitated MCLP", seed);
        sv_mip_problem l = p; /* every group, then 60% of the weight */
        l.kind = SV_MIP_LSCP;
        int lpi = both_agree(ctx, l, "LSCP", seed);
        n_integral += lpi;
        n_fractional += !lpi;
        n_models++;
        double all = 0;
        for (size_t g = 0; g < NG; g++)
            all += in.weight[g];
        l.need_weight = 0.6 * all;
        both_agree(ctx, l, "LSCP with a target", seed);
        l.need_weight = all + 1; /* more than there is: infeasible for both */
        both_agree(ctx, l, "LSCP with a target above the total", seed);
    }
    fprintf(stderr, "glpk_and_cbc_agree: %d MCLP/LSCP models, LP optimum integral in %d, fractional in %d\n",
            n_models, n_integral, n_fractional);
    assert_true(n_integral > 0);   /* the LP alone answered ... */
    assert_true(n_fractional > 0); /* ... and CBC branched */
    sv_ctx_destroy(ctx);
}

/* A model whose LP is fractional by construction: candidates 0..3, one
 * group of weight 1 for each pair of them (reached by those two), k = 2.
 * Two sites leave one pair unreached: the optimum is 5. The LP takes every
 * x = 1/2 and covers all six: 6, so no LP optimum is integral and CBC must
 * search. */
static void test_fractional_lp(void **state)
{
    (void)state;
    if (!sv_cbc_available())
        skip();
    sv_ctx *ctx = sv_ctx_create();
    size_t gstart[7], gcand[12], t = 0, g = 0;
    double w[6];
    for (size_t a = 0; a < 4; a++)
        for (size_t b = a + 1; b < 4; b++) {
            gstart[g] = t;
            gcand[t++] = a;
            gcand[t++] = b;
            w[g++] = 1.0;
        }
    gstart[6] = t;
    sv_mip_problem p = {.kind = SV_MIP_MCLP, .n_groups = 6, .n_cands = 4, .weight = w, .gstart = gstart,
                        .gcand = gcand, .k = 2, .solver = SV_MIP_CBC};
    sv_mip_solution c;
    assert_int_equal(sv_mip_solve(ctx, &p, &c), SV_OK);
    assert_true(c.feasible && c.proven);
    assert_false(c.lp_integral);
    assert_true(fabs(c.objective - 5.0) < 1e-9);
    assert_int_equal(c.x[0] + c.x[1] + c.x[2] + c.x[3], 2);
    free(c.x);
    assert_int_equal(both_agree(ctx, p, "pairs of four", 0), 0);
    sv_ctx_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_glpk_and_cbc_agree),
        cmocka_unit_test(test_fractional_lp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
