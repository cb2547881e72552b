/* test_net_exact.c - network demand distances against an independent
 * Dijkstra written here: a jittered street grid, 40 stations and 400 demand
 * points placed on its street segments (some sharing a segment with a
 * station, so the sources on a demand point's own edge count), snapped to
 * the edges. svcov's demand access (sv_demand_access_network: the nearest
 * station along the streets, and the number of stations within each break)
 * must give every demand point the distance and counts of a plain Dijkstra
 * on the grid whose segments are split at the points, to 1e-6 m, on one
 * thread and on two. */
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
#include "svcov/sv_network.h"

enum { G = 12, NS = 40, ND = 400, NSEG = 2 * G * (G - 1), NV = G * G + NS + ND };

static unsigned long long rng = 7;
static double rnd(void)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(rng >> 11) * (1.0 / 9007199254740992.0);
}

static double vx[G * G], vy[G * G];

/* Segment s: horizontal ones first (row r, from column c to c + 1), then vertical ones. */
static void seg_ends(int s, int *a, int *b)
{
    if (s < G * (G - 1)) {
        int r = s / (G - 1), c = s % (G - 1);
        *a = r * G + c;
        *b = r * G + c + 1;
    } else {
        s -= G * (G - 1);
        int c = s / (G - 1), r = s % (G - 1);
        *a = r * G + c;
        *b = (r + 1) * G + c;
    }
}

static sv_network *grid(sv_ctx *ctx)
{
    for (int r = 0; r < G; r++)
        for (int c = 0; c < G; c++) { /* whole centimetres: the graph's 1 cm grid keeps them as they are */
            vx[r * G + c] = 100.0 * c + floor(rnd() * 3000 - 1500) / 100.0;
            vy[r * G + c] = 100.0 * r + floor(rnd() * 3000 - 1500) / 100.0;
        }
    sv_featureset fs;
    memset(&fs, 0, sizeof fs);
    fs.n = 2 * G;
    fs.items = calloc(fs.n, sizeof *fs.items);
    fs.path = strdup("grid");
    fs.layer = strdup("roads");
    sv_geos *h = sv_geos_create();
    for (size_t i = 0; i < fs.n; i++) {
        double xy[2 * G];
        for (int k = 0; k < G; k++) {
            int v = i < G ? (int)i * G + k : k * G + (int)(i - G);
            xy[2 * k] = vx[v];
            xy[2 * k + 1] = vy[v];
        }
        char id[16];
        snprintf(id, sizeof id, "r%zu", i);
        fs.items[i].id = strdup(id);
        fs.items[i].name = strdup(id);
        fs.items[i].category = strdup("residential");
        sv_geom *g = sv_geom_linestring(h, xy, G);
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

typedef struct {
    int seg;
    double t;
    int node; /* in the split graph */
} onseg;

static int cmp_t(const void *x, const void *y)
{
    const onseg *const *p = x, *const *q = y;
    if ((*p)->seg != (*q)->seg)
        return (*p)->seg - (*q)->seg;
    return (*p)->t < (*q)->t ? -1 : (*p)->t > (*q)->t;
}

/* The split graph: grid vertices, then the points; each segment a chain through its points by t. */
static double w[NV][8];
static int nb[NV][8], deg[NV];

static void link(int a, int b, double len)
{
    nb[a][deg[a]] = b;
    w[a][deg[a]++] = len;
    nb[b][deg[b]] = a;
    w[b][deg[b]++] = len;
}

static void dijkstra(int from, double *d)
{
    static unsigned char done[NV];
    for (int v = 0; v < NV; v++) {
        d[v] = INFINITY;
        done[v] = 0;
    }
    d[from] = 0;
    for (;;) {
        int u = -1;
        for (int v = 0; v < NV; v++)
            if (!done[v] && isfinite(d[v]) && (u < 0 || d[v] < d[u]))
                u = v;
        if (u < 0)
            break;
        done[u] = 1;
        for (int k = 0; k < deg[u]; k++)
            if (d[u] + w[u][k] < d[nb[u][k]])
                d[nb[u][k]] = d[u] + w[u][k];
    }
}

static void check(int threads)
{
    sv_ctx *ctx = sv_ctx_create();
    sv_ctx_set_threads(ctx, threads);
    rng = 7;
    sv_network *net = grid(ctx);
    static onseg pts[NS + ND];
    static onseg *order[NS + ND];
    double sx[NS], sy[NS], dx[ND], dy[ND];
    for (int i = 0; i < NS + ND; i++) {
        /* every fifth demand point on a station's segment */
        pts[i].seg = i >= NS && i % 5 == 0 ? pts[i % NS].seg : (int)(rnd() * NSEG);
        pts[i].t = 0.05 + 0.9 * rnd();
        pts[i].node = G * G + i;
        int a, b;
        seg_ends(pts[i].seg, &a, &b);
        double x = vx[a] + pts[i].t * (vx[b] - vx[a]), y = vy[a] + pts[i].t * (vy[b] - vy[a]);
        if (i < NS) {
            sx[i] = x;
            sy[i] = y;
        } else {
            dx[i - NS] = x;
            dy[i - NS] = y;
        }
        order[i] = &pts[i];
    }
    memset(deg, 0, sizeof deg);
    qsort(order, NS + ND, sizeof *order, cmp_t);
    for (int s = 0, k = 0; s < NSEG; s++) {
        int a, b;
        seg_ends(s, &a, &b);
        double len = hypot(vx[b] - vx[a], vy[b] - vy[a]), t = 0;
        int prev = a;
        for (; k < NS + ND && order[k]->seg == s; k++) {
            link(prev, order[k]->node, (order[k]->t - t) * len);
            prev = order[k]->node;
            t = order[k]->t;
        }
        link(prev, b, (1 - t) * len);
    }
    static double d[NS][NV];
    for (int s = 0; s < NS; s++)
        dijkstra(G * G + s, d[s]);

    double budget[2] = {250, 400};
    sv_access_opts o = {.kind = SV_COST_LENGTH, .budget = budget, .n_breaks = 2, .snap = SV_SNAP_EDGE,
                        .max_snap_m = 1, .access_legs = 0, .access_kmh = 5.0};
    sv_net_areas a;
    memset(&a, 0, sizeof a);
    a.attach = calloc(NS, sizeof *a.attach);
    a.access = calloc(NS, sizeof *a.access);
    a.access_len = calloc(NS, sizeof *a.access_len);
    assert_int_equal(sv_network_attach(ctx, net, sx, sy, NS, SV_SNAP_EDGE, 1, a.attach), SV_OK);
    for (int s = 0; s < NS; s++)
        assert_true(a.attach[s].ok && a.attach[s].on_edge && a.attach[s].snap_m < 1e-6);
    sv_demand_access da;
    assert_int_equal(sv_demand_access_network(ctx, net, &a, sx, sy, NS, dx, dy, ND, &o, &da), SV_OK);
    double worst = 0;
    int pairs = 0, shared = 0;
    for (int i = 0; i < ND; i++) {
        int v = G * G + NS + i, within[2] = {0, 0};
        double best = INFINITY;
        for (int s = 0; s < NS; s++) {
            best = fmin(best, d[s][v]);
            for (int b = 0; b < 2; b++)
                within[b] += d[s][v] <= budget[b];
            shared += pts[s].seg == pts[NS + i].seg;
        }
        double diff = fabs(da.network_m[i] - best);
        worst = fmax(worst, diff);
        if (!(diff < 1e-6))
            fail_msg("demand %d: svcov %.9f m, the independent Dijkstra %.9f m", i, da.network_m[i], best);
        for (int b = 0; b < 2; b++) {
            if (da.n_stations[i * 2 + b] != within[b])
                fail_msg("demand %d, break %g m: svcov counts %d stations, the independent Dijkstra %d", i, budget[b],
                         da.n_stations[i * 2 + b], within[b]);
            pairs += within[b];
        }
    }
    printf("  %d thread(s): %d demand points, largest difference %.3g m, %d station-demand pairs within the breaks, "
           "%d demand points sharing a segment with a station\n", threads, ND, worst, pairs, shared);
    assert_true(pairs > ND && shared >= ND / 5); /* the test means something */
    sv_demand_access_free(&da);
    free(a.attach);
    free(a.access);
    free(a.access_len);
    sv_network_destroy(net);
    sv_ctx_destroy(ctx);
}

static void test_exact_one_thread(void **state)
{
    (void)state;
    check(1);
}

static void test_exact_two_threads(void **state)
{
    (void)state;
    check(2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_one_thread),
        cmocka_unit_test(test_exact_two_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
