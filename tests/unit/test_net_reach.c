/* test_net_reach.c - reach lists along the network (engine/net_reach.c):
 * on a street grid with random stations and demand, the lists agree with
 * analyze's own demand access (sv_demand_access_network: the number of
 * stations within the break of each demand point), for edge and node
 * snapping, with and without access legs, in time and in metres, on one
 * thread and on four; street intersections and thinning against brute
 * force. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svcov/sv_access.h"
#include "svcov/sv_geom.h"
#include "svcov/sv_net_reach.h"
#include "svcov/sv_network.h"

enum { N = 9 }; /* N x N street nodes, 80 m apart */

static unsigned long long rng = 42;
static double rnd(void)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(rng >> 11) * (1.0 / 9007199254740992.0);
}

/* Rows and columns of a street grid, one line each, plus a diagonal that
 * shares no vertex with them (a bridge: not connected). */
static sv_network *grid_network(sv_ctx *ctx)
{
    sv_featureset fs;
    memset(&fs, 0, sizeof fs);
    fs.n = 2 * N + 1;
    fs.items = calloc(fs.n, sizeof *fs.items);
    fs.path = strdup("grid");
    fs.layer = strdup("roads");
    sv_geos *h = sv_geos_create();
    for (size_t i = 0; i < fs.n; i++) {
        double xy[2 * N];
        for (int k = 0; k < N; k++) {
            if (i < N) {
                xy[2 * k] = 80.0 * k;
                xy[2 * k + 1] = 80.0 * (double)i;
            } else if (i < 2 * N) {
                xy[2 * k] = 80.0 * (double)(i - N);
                xy[2 * k + 1] = 80.0 * k;
            } else {
                xy[2 * k] = 5 + 79.0 * k;
                xy[2 * k + 1] = 3 + 79.0 * k;
            }
        }
        char id[16];
        snprintf(id, sizeof id, "r%zu", i);
        fs.items[i].id = strdup(id);
        fs.items[i].name = strdup(id);
        fs.items[i].category = strdup(i == 2 * N ? "primary" : "residential");
        sv_geom *g = sv_geom_linestring(h, xy, N);
        fs.items[i].wkb = sv_geom_to_wkb(h, g, &fs.items[i].wkb_len);
        sv_geom_destroy(h, g);
    }
    sv_geos_destroy(h);
    sv_travel_mode m;
    assert_int_equal(sv_travel_mode_load(ctx, "walk", NULL, &m), SV_OK);
    sv_network *net = NULL;
    assert_int_equal(sv_network_build(ctx, &fs, &m, &net), SV_OK);
    sv_featureset_free(&fs);
    return net;
}

static void check_against_demand_access(sv_snap snap, int legs, sv_cost_kind kind, double budget, int threads)
{
    sv_ctx *ctx = sv_ctx_create();
    sv_ctx_set_threads(ctx, threads);
    sv_network *net = grid_network(ctx);
    enum { NS = 25, ND = 300 };
    double sx[NS], sy[NS], dx[ND], dy[ND];
    for (int i = 0; i < NS; i++) {
        sx[i] = -30 + 700 * rnd();
        sy[i] = -30 + 700 * rnd();
    }
    for (int i = 0; i < ND; i++) {
        dx[i] = -30 + 700 * rnd();
        dy[i] = -30 + 700 * rnd();
    }
    sv_access_opts o = {.kind = kind, .budget = &budget, .n_breaks = 1, .snap = snap, .max_snap_m = 35,
                        .access_legs = legs, .access_kmh = 5.0};
    /* the stations attached as sv_net_areas_compute does */
    sv_net_areas a;
    memset(&a, 0, sizeof a);
    a.attach = calloc(NS, sizeof *a.attach);
    a.access = calloc(NS, sizeof *a.access);
    a.access_len = calloc(NS, sizeof *a.access_len);
    assert_int_equal(sv_network_attach(ctx, net, sx, sy, NS, snap, o.max_snap_m, a.attach), SV_OK);
    for (int i = 0; i < NS; i++)
        if (a.attach[i].ok) {
            a.access_len[i] = legs ? a.attach[i].snap_m : 0;
            a.access[i] = !legs ? 0 : kind == SV_COST_LENGTH ? a.attach[i].snap_m : a.attach[i].snap_m / (5.0 / 3.6);
        }
    sv_demand_access da;
    assert_int_equal(sv_demand_access_network(ctx, net, &a, sx, sy, NS, dx, dy, ND, &o, &da), SV_OK);
    sv_attach dat[ND];
    assert_int_equal(sv_network_attach(ctx, net, dx, dy, ND, snap, o.max_snap_m, dat), SV_OK);
    sv_reach_lists r;
    unsigned char ok[NS];
    assert_int_equal(sv_net_reach_lists(ctx, net, &o, budget, sx, sy, NS, dat, ND, &r, ok), SV_OK);
    assert_int_equal(r.n, NS);
    int count[ND] = {0}, total = 0, unattached = 0;
    for (int j = 0; j < NS; j++) {
        assert_int_equal(ok[j], a.attach[j].ok);
        unattached += !ok[j];
        for (size_t t = r.start[j]; t < r.start[j + 1]; t++) {
            if (t > r.start[j])
                assert_true(r.item[t] > r.item[t - 1]); /* ascending, no repeats */
            count[r.item[t]]++;
            total++;
        }
    }
    for (int i = 0; i < ND; i++)
        if (count[i] != da.n_stations[i])
            fail_msg("demand %d: %d stations in the reach lists, demand access counts %d", i, count[i],
                     da.n_stations[i]);
    /* the test means something: some reached, some not, some stations off the streets */
    assert_true(total > ND / 4);
    assert_true(total < NS * ND / 2);
    printf("  snap %s, legs %d, %s %g, %d threads: %d pairs, %d stations beyond max-snap\n",
           snap == SV_SNAP_NODE ? "node" : "edge", legs, kind == SV_COST_TIME ? "seconds" : "metres", budget, threads,
           total, unattached);
    sv_reach_lists_free(&r);
    sv_demand_access_free(&da);
    free(a.attach);
    free(a.access);
    free(a.access_len);
    sv_network_destroy(net);
    sv_ctx_destroy(ctx);
}

static void test_agrees_with_demand_access(void **state)
{
    (void)state;
    check_against_demand_access(SV_SNAP_EDGE, 1, SV_COST_TIME, 180, 1);
    check_against_demand_access(SV_SNAP_EDGE, 1, SV_COST_TIME, 180, 4);
    check_against_demand_access(SV_SNAP_NODE, 0, SV_COST_LENGTH, 200, 3);
    check_against_demand_access(SV_SNAP_EDGE, 0, SV_COST_LENGTH, 130, 2);
    check_against_demand_access(SV_SNAP_NODE, 1, SV_COST_TIME, 100, 1);
}

/* A point on a long edge reaches demand on the same edge without getting
 * to either end of it. */
static void test_same_edge(void **state)
{
    (void)state;
    sv_ctx *ctx = sv_ctx_create();
    sv_network *net = grid_network(ctx);
    double px = 40, py = 0, dx[2] = {20, 60}, dy[2] = {0, 0};
    double budget = 25;
    sv_access_opts o = {.kind = SV_COST_LENGTH, .snap = SV_SNAP_EDGE, .max_snap_m = 10, .access_legs = 0};
    sv_attach dat[2];
    assert_int_equal(sv_network_attach(ctx, net, dx, dy, 2, SV_SNAP_EDGE, 10, dat), SV_OK);
    sv_reach_lists r;
    assert_int_equal(sv_net_reach_lists(ctx, net, &o, budget, &px, &py, 1, dat, 2, &r, NULL), SV_OK);
    assert_int_equal(r.start[1], 2);
    sv_reach_lists_free(&r);
    budget = 19.9;
    assert_int_equal(sv_net_reach_lists(ctx, net, &o, budget, &px, &py, 1, dat, 2, &r, NULL), SV_OK);
    assert_int_equal(r.start[1], 0);
    sv_reach_lists_free(&r);
    sv_network_destroy(net);
    sv_ctx_destroy(ctx);
}

static void test_intersections_and_thinning(void **state)
{
    (void)state;
    sv_ctx *ctx = sv_ctx_create();
    sv_network *net = grid_network(ctx);
    size_t *nodes = NULL, n = 0;
    assert_int_equal(sv_network_intersections(net, &nodes, &n), SV_OK);
    /* (N-2)^2 inner nodes (4 streets) and 4 (N-2) border nodes (3); the
     * unconnected diagonal adds none */
    assert_int_equal(n, (size_t)((N - 2) * (N - 2) + 4 * (N - 2)));
    double x[N * N], y[N * N];
    for (size_t k = 0; k < n; k++) {
        sv_network_node_xy(net, nodes[k], &x[k], &y[k]);
        assert_true(fmod(x[k], 80.0) == 0 && fmod(y[k], 80.0) == 0);
        assert_false((x[k] == 0 || x[k] == 80.0 * (N - 1)) && (y[k] == 0 || y[k] == 80.0 * (N - 1)));
    }
    size_t keep[N * N], nk = 0;
    const double spacings[] = {0, 79.9, 80, 80.1, 150, 300};
    for (size_t si = 0; si < sizeof spacings / sizeof spacings[0]; si++) {
        double spacing = spacings[si];
        assert_int_equal(sv_points_thin(x, y, n, spacing, keep, &nk), SV_OK);
        /* brute force: the same greedy in the same order */
        size_t bk[N * N], nb = 0;
        for (size_t i = 0; i < n; i++) {
            int close = 0;
            for (size_t t = 0; t < nb && !close; t++)
                close = hypot(x[bk[t]] - x[i], y[bk[t]] - y[i]) < spacing;
            if (!close)
                bk[nb++] = i;
        }
        assert_int_equal(nk, nb);
        for (size_t t = 0; t < nk; t++)
            assert_int_equal(keep[t], bk[t]);
        if (spacing <= 80) /* 80 m apart is not closer than 80 m */
            assert_int_equal(nk, n);
        else
            assert_true(nk < n);
    }
    free(nodes);
    sv_network_destroy(net);
    sv_ctx_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_agrees_with_demand_access),
        cmocka_unit_test(test_same_edge),
        cmocka_unit_test(test_intersections_and_thinning),
    };
    return cmocka_run_group_tests_name("net_reach", tests, NULL, NULL);
}
