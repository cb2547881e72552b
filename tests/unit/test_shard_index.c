/* test_shard_index.c - a sharded run's worker looks up the shard of each district (by id) and of each station
 * and demand point (the nearest district centre) through its index (sv_shard_worker_index): the same shard as
 * the scan of the plan (sv_shard_nearest) for every point, ties to the first district, inside the districts'
 * box and far outside it; every id found, an unknown one not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "svcov/sv_shards.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A plan of n districts at (x[i], y[i]); district i is the only one of shard i + 1, so a shard names the
 * district found. */
static void make_plan(sv_shard_plan *p, size_t n, const double *x, const double *y)
{
    memset(p, 0, sizeof *p);
    p->n = n;
    p->ids = calloc(n + 1, sizeof *p->ids);
    p->x = calloc(n + 1, sizeof *p->x);
    p->y = calloc(n + 1, sizeof *p->y);
    p->env = calloc(n + 1, sizeof *p->env);
    p->shard = calloc(n + 1, sizeof *p->shard);
    assert_non_null(p->ids);
    for (size_t i = 0; i < n; i++) {
        char id[32];
        snprintf(id, sizeof id, "D%07zu", (i * 7919) % (n + 13)); /* not in index order */
        p->ids[i] = strdup(id);
        p->x[i] = x[i], p->y[i] = y[i];
        p->env[i] = (sv_env){x[i] - 1, y[i] - 1, x[i] + 1, y[i] + 1};
        p->shard[i] = (int)i + 1;
    }
    p->n_shards = (int)n;
}

static unsigned long long rnd_state = 42;
static double rnd(void) /* 0 .. 1 */
{
    rnd_state = rnd_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(rnd_state >> 11) / 9007199254740992.0;
}

/* Every query point: the indexed look-up equals the scan; returns how many points were asked. */
static size_t same_as_scan(const sv_shard_plan *p, const double *qx, const double *qy, size_t nq)
{
    sv_ctx *ctx = sv_ctx_create();
    sv_shard_worker w = {.plan = p, .shard = 1, .scale = 1};
    assert_int_equal(sv_shard_worker_index(ctx, &w), SV_OK);
    assert_non_null(w.index);
    for (size_t k = 0; k < nq; k++) {
        int a = sv_shard_worker_nearest(&w, qx[k], qy[k]), b = sv_shard_nearest(p, qx[k], qy[k]);
        if (a != b)
            fail_msg("point %zu (%.17g, %.17g): district %d indexed, %d by the scan", k, qx[k], qy[k], a - 1, b - 1);
    }
    for (size_t i = 0; i < p->n; i++) /* the first district of an id: ids are unique in a plan */
        assert_int_equal(sv_shard_worker_district(&w, p->ids[i]), p->shard[i]);
    assert_int_equal(sv_shard_worker_district(&w, "no such district"), 0);
    assert_int_equal(sv_shard_worker_district(&w, NULL), 0);
    sv_shard_worker_free(&w);
    sv_ctx_destroy(ctx);
    return nq;
}

static void free_plan(sv_shard_plan *p)
{
    sv_shard_plan_free(p);
}

/* 3,000 districts scattered over 20 km, clustered in one corner; points inside, around and 100 km away. */
static void test_scattered(void **state)
{
    (void)state;
    enum { N = 3000, Q = 20000 };
    double *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y), *qx = malloc(Q * sizeof *qx),
           *qy = malloc(Q * sizeof *qy);
    for (size_t i = 0; i < N; i++) {
        double s = i % 3 ? 20000 : 2000; /* a third in a dense corner */
        x[i] = 400000 + s * rnd(), y[i] = 3000000 + s * rnd();
    }
    for (size_t k = 0; k < Q; k++) {
        double s = k % 10 == 0 ? 200000 : 24000; /* a tenth far outside the box */
        qx[k] = 400000 - s / 10 + s * rnd(), qy[k] = 3000000 - s / 10 + s * rnd();
    }
    qx[0] = x[17], qy[0] = y[17]; /* on a centre */
    sv_shard_plan p;
    make_plan(&p, N, x, y);
    assert_int_equal(same_as_scan(&p, qx, qy, Q), Q);
    /* on a centre: that district */
    sv_shard_worker w = {.plan = &p};
    sv_ctx *ctx = sv_ctx_create();
    assert_int_equal(sv_shard_worker_index(ctx, &w), SV_OK);
    assert_int_equal(sv_shard_worker_nearest(&w, x[17], y[17]), 18);
    sv_shard_worker_free(&w);
    sv_ctx_destroy(ctx);
    free_plan(&p);
    free(x), free(y), free(qx), free(qy);
}

/* Ties: a lattice of 40 x 40 centres 250 m apart, each twice (two districts, one centre): a point on a
 * centre goes to the first of its two districts, a point at the middle of four centres (exactly as far from
 * each) to the first of eight; also the midpoints of edges. */
static void test_ties(void **state)
{
    (void)state;
    enum { S = 40, N = 2 * S * S, Q = 3 * (S + 1) * (S + 1) };
    double *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y), *qx = malloc(Q * sizeof *qx),
           *qy = malloc(Q * sizeof *qy);
    size_t n = 0, q = 0;
    for (int copy = 0; copy < 2; copy++)
        for (int j = 0; j < S; j++)
            for (int i = 0; i < S; i++)
                x[n] = 500000 + 250.0 * i, y[n++] = 4000000 + 250.0 * j;
    for (int j = 0; j <= S; j++)
        for (int i = 0; i <= S; i++) {
            qx[q] = 500000 + 250.0 * i - 125, qy[q++] = 4000000 + 250.0 * j - 125;
            qx[q] = 500000 + 250.0 * i, qy[q++] = 4000000 + 250.0 * j;
            qx[q] = 500000 + 250.0 * i - 125, qy[q++] = 4000000 + 250.0 * j;
        }
    sv_shard_plan p;
    make_plan(&p, N, x, y);
    assert_int_equal(same_as_scan(&p, qx, qy, Q), Q);
    /* the middle of the first four centres: district 0, the first of the eight at the same distance */
    sv_shard_worker w = {.plan = &p};
    sv_ctx *ctx = sv_ctx_create();
    assert_int_equal(sv_shard_worker_index(ctx, &w), SV_OK);
    assert_int_equal(sv_shard_worker_nearest(&w, 500125, 4000125), 1);
    assert_int_equal(sv_shard_worker_nearest(&w, 500250, 4000250), 2 + S); /* on centre (1, 1): its first copy */
    sv_shard_worker_free(&w);
    sv_ctx_destroy(ctx);
    free_plan(&p);
    free(x), free(y), free(qx), free(qy);
}

/* Degenerate boxes: districts in one row (no height), one district, all at one point; a NaN point. */
static void test_degenerate(void **state)
{
    (void)state;
    enum { N = 500, Q = 2000 };
    double x[N], y[N], qx[Q], qy[Q];
    for (size_t i = 0; i < N; i++)
        x[i] = 600000 + 1000.0 * (double)(i % 97) + 3.0 * (double)i, y[i] = 2500000;
    for (size_t k = 0; k < Q; k++)
        qx[k] = 590000 + 120000 * rnd(), qy[k] = 2500000 + (k % 2 ? 5000 * (rnd() - 0.5) : 0);
    sv_shard_plan p;
    make_plan(&p, N, x, y);
    same_as_scan(&p, qx, qy, Q);
    free_plan(&p);
    make_plan(&p, 1, x, y);
    same_as_scan(&p, qx, qy, Q);
    free_plan(&p);
    for (size_t i = 0; i < 50; i++)
        x[i] = 700000, y[i] = 2600000;
    make_plan(&p, 50, x, y);
    same_as_scan(&p, qx, qy, Q);
    sv_shard_worker w = {.plan = &p};
    sv_ctx *ctx = sv_ctx_create();
    assert_int_equal(sv_shard_worker_index(ctx, &w), SV_OK);
    assert_int_equal(sv_shard_worker_nearest(&w, 0, 0), 1);
    assert_int_equal(sv_shard_worker_nearest(&w, NAN, 0), sv_shard_nearest(&p, NAN, 0));
    sv_shard_worker_free(&w);
    sv_ctx_destroy(ctx);
    free_plan(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scattered),
        cmocka_unit_test(test_ties),
        cmocka_unit_test(test_degenerate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
