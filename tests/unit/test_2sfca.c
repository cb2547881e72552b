/* test_2sfca.c - the 2SFCA engine (sv_2sfca.h): the decay functions at
 * their defining points, and properties any correct 2SFCA has on random
 * instances: all the capacity of the stations that have demand within
 * reach is shared out (sum_i P_i A_i = sum_j S_j, Luo & Wang's identity),
 * a station of unknown capacity changes no ratio but its own, and doubling
 * every capacity doubles every A_i. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "svcov/sv_2sfca.h"

static void test_decay(void **state)
{
    (void)state;
    double e = exp(-0.5);
    assert_true(sv_decay_weight(SV_ACCESS_2SFCA, SV_DECAY_GAUSSIAN, 999.9, 1000) == 1.0);
    assert_true(sv_decay_weight(SV_ACCESS_2SFCA, SV_DECAY_GAUSSIAN, 1000, 1000) == 1.0); /* the edge is in */
    assert_true(sv_decay_weight(SV_ACCESS_2SFCA, SV_DECAY_GAUSSIAN, 1000.001, 1000) == 0.0);
    assert_true(sv_decay_weight(SV_ACCESS_E2SFCA, SV_DECAY_GAUSSIAN, 0, 1000) == 1.0);
    assert_true(fabs(sv_decay_weight(SV_ACCESS_E2SFCA, SV_DECAY_GAUSSIAN, 1000, 1000)) < 1e-15);
    assert_true(fabs(sv_decay_weight(SV_ACCESS_E2SFCA, SV_DECAY_GAUSSIAN, 500, 1000) - (exp(-0.125) - e) / (1 - e)) <
                1e-15);
    assert_true(sv_decay_weight(SV_ACCESS_E2SFCA, SV_DECAY_LINEAR, 250, 1000) == 0.75);
    assert_true(sv_decay_weight(SV_ACCESS_E2SFCA, SV_DECAY_STEP, 300, 900) == 1.0);
    assert_true(sv_decay_weight(SV_ACCESS_E2SFCA, SV_DECAY_STEP, 301, 900) == 0.68);
    assert_true(sv_decay_weight(SV_ACCESS_E2SFCA, SV_DECAY_STEP, 600, 900) == 0.68);
    assert_true(sv_decay_weight(SV_ACCESS_E2SFCA, SV_DECAY_STEP, 601, 900) == 0.22);
    assert_true(sv_decay_weight(SV_ACCESS_E2SFCA, SV_DECAY_STEP, 901, 900) == 0.0);
    assert_true(sv_decay_weight(SV_ACCESS_E2SFCA, SV_DECAY_LINEAR, INFINITY, 900) == 0.0);
    assert_true(sv_decay_weight(SV_ACCESS_E2SFCA, SV_DECAY_LINEAR, NAN, 900) == 0.0);
    sv_access_method m;
    sv_decay d;
    assert_int_equal(sv_access_method_parse("e2sfca", &m), 0);
    assert_int_equal(m, SV_ACCESS_E2SFCA);
    assert_int_equal(sv_access_method_parse("3sfca", &m), -1);
    assert_int_equal(sv_decay_parse("step", &d), 0);
    assert_int_equal(d, SV_DECAY_STEP);
    assert_int_equal(sv_decay_parse("exponential", &d), -1);
    assert_string_equal(sv_decay_name(SV_DECAY_LINEAR), "linear");
}

typedef struct {
    size_t ns, nd, np;
    double *S, *P, *cost, catch[2];
    size_t *ps, *pd;
} instance;

static instance random_instance(unsigned seed)
{
    srand(seed);
    instance I = {0};
    I.ns = 40;
    I.nd = 300;
    I.S = malloc(I.ns * sizeof *I.S);
    I.P = malloc(I.nd * sizeof *I.P);
    double *sx = malloc(I.ns * sizeof *sx), *sy = malloc(I.ns * sizeof *sy);
    for (size_t j = 0; j < I.ns; j++) {
        I.S[j] = 1 + rand() % 9;
        sx[j] = rand() % 5000;
        sy[j] = rand() % 5000;
    }
    I.ps = malloc(I.ns * I.nd * sizeof *I.ps);
    I.pd = malloc(I.ns * I.nd * sizeof *I.pd);
    I.cost = malloc(I.ns * I.nd * sizeof *I.cost);
    I.catch[0] = 500;
    I.catch[1] = 1000;
    for (size_t i = 0; i < I.nd; i++) {
        I.P[i] = rand() % 50;
        double x = rand() % 5000, y = rand() % 5000;
        for (size_t j = 0; j < I.ns; j++) {
            double d = hypot(sx[j] - x, sy[j] - y);
            if (d <= 1000) {
                I.ps[I.np] = j;
                I.pd[I.np] = i;
                I.cost[I.np++] = d;
            }
        }
    }
    free(sx);
    free(sy);
    return I;
}

static sv_2sfca_result run(const instance *I, sv_access_method m, sv_decay d, const double *S)
{
    sv_2sfca_input in = {m, d, I->ns, I->nd, S, I->P, I->np, I->ps, I->pd, I->cost, I->catch, 2};
    sv_2sfca_result r;
    sv_ctx *ctx = sv_ctx_create();
    assert_int_equal(sv_2sfca_compute(ctx, &in, &r), SV_OK);
    sv_ctx_destroy(ctx);
    return r;
}

static void test_properties(void **state)
{
    (void)state;
    for (unsigned seed = 1; seed <= 5; seed++) {
        instance I = random_instance(seed);
        for (int k = 0; k < 4; k++) {
            sv_access_method m = k == 0 ? SV_ACCESS_2SFCA : SV_ACCESS_E2SFCA;
            sv_decay d = k == 1 ? SV_DECAY_GAUSSIAN : k == 2 ? SV_DECAY_LINEAR : SV_DECAY_STEP;
            sv_2sfca_result r = run(&I, m, d, I.S);
            for (size_t b = 0; b < 2; b++) {
                /* all the capacity with demand within reach is shared out */
                double given = 0, taken = 0;
                for (size_t j = 0; j < I.ns; j++)
                    if (r.demand_within[j * 2 + b] > 0)
                        given += I.S[j];
                for (size_t i = 0; i < I.nd; i++)
                    taken += I.P[i] * r.access[i * 2 + b];
                assert_true(given > 0);
                if (fabs(given - taken) > 1e-9 * given)
                    fail_msg("seed %u, method %d, break %zu: %.12g capacity, %.12g shared out", seed, k, b, given,
                             taken);
            }
            /* doubling the capacities doubles every access */
            double *S2 = malloc(I.ns * sizeof *S2);
            for (size_t j = 0; j < I.ns; j++)
                S2[j] = 2 * I.S[j];
            sv_2sfca_result r2 = run(&I, m, d, S2);
            for (size_t i = 0; i < I.nd * 2; i++)
                assert_true(fabs(r2.access[i] - 2 * r.access[i]) <= 1e-12 * fmax(r.access[i], 1e-300));
            /* one capacity unknown: its ratio is gone, every other ratio stays */
            S2[7] = NAN;
            for (size_t j = 0; j < I.ns; j++)
                if (j != 7)
                    S2[j] = I.S[j];
            sv_2sfca_result r3 = run(&I, m, d, S2);
            for (size_t j = 0; j < I.ns * 2; j++) {
                if (j / 2 == 7)
                    assert_true(isnan(r3.ratio[j]));
                else if (isnan(r.ratio[j]))
                    assert_true(isnan(r3.ratio[j]));
                else
                    assert_true(r3.ratio[j] == r.ratio[j]);
                assert_true(r3.demand_within[j] == r.demand_within[j]);
            }
            free(S2);
            sv_2sfca_free(&r);
            sv_2sfca_free(&r2);
            sv_2sfca_free(&r3);
        }
        free(I.S);
        free(I.P);
        free(I.ps);
        free(I.pd);
        free(I.cost);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decay),
        cmocka_unit_test(test_properties),
    };
    return cmocka_run_group_tests_name("2sfca", tests, NULL, NULL);
}
