/* test_network.c - the road graph, snapping and shortest paths on small
 * hand-made networks whose answers are known. */
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

typedef struct {
    const char *highway, *oneway;
    size_t n;
    double xy[16];
} road;

/* A feature set from roads (WKB made with GEOS). */
static sv_featureset make_roads(const road *r, size_t n)
{
    sv_featureset fs;
    memset(&fs, 0, sizeof fs);
    fs.items = calloc(n, sizeof *fs.items);
    fs.n = n;
    fs.path = strdup("test");
    fs.layer = strdup("roads");
    sv_geos *h = sv_geos_create();
    for (size_t i = 0; i < n; i++) {
        char id[16];
        snprintf(id, sizeof id, "r%zu", i);
        fs.items[i].id = strdup(id);
        fs.items[i].name = strdup(id);
        fs.items[i].category = r[i].highway ? strdup(r[i].highway) : NULL;
        fs.items[i].oneway = r[i].oneway ? strdup(r[i].oneway) : NULL;
        sv_geom *g = sv_geom_linestring(h, r[i].xy, r[i].n);
        fs.items[i].wkb = sv_geom_to_wkb(h, g, &fs.items[i].wkb_len);
        sv_geom_destroy(h, g);
    }
    sv_geos_destroy(h);
    return fs;
}

static sv_network *build(sv_ctx *ctx, const road *r, size_t n, const char *mode)
{
    sv_featureset fs = make_roads(r, n);
    sv_travel_mode m;
    assert_int_equal(sv_travel_mode_load(ctx, mode, NULL, &m), SV_OK);
    sv_network *net = NULL;
    assert_int_equal(sv_network_build(ctx, &fs, &m, &net), SV_OK);
    sv_featureset_free(&fs);
    return net;
}

/* Network distance from one point to another (length metric, no legs). */
static double dist(sv_ctx *ctx, const sv_network *net, double sx, double sy, double px, double py, sv_snap snap)
{
    sv_attach s, p;
    assert_int_equal(sv_network_attach(ctx, net, &sx, &sy, 1, snap, 500, &s), SV_OK);
    assert_int_equal(sv_network_attach(ctx, net, &px, &py, 1, snap, 500, &p), SV_OK);
    sv_labels l;
    assert_int_equal(sv_labels_init(&l, net), SV_OK);
    assert_int_equal(sv_network_dijkstra(net, SV_COST_LENGTH, &s, NULL, NULL, 1, INFINITY, &l), SV_OK);
    double len;
    int which;
    double c = sv_network_point_cost(net, SV_COST_LENGTH, &l, &s, NULL, NULL, 1, &p, &len, &which);
    if (isfinite(c))
        assert_true(fabs(len - c) < 1e-9);
    sv_labels_free(&l);
    return c;
}

/* A 3 x 3 street grid of 100 m blocks: rows and columns share vertices. */
static const road grid[] = {
    {"residential", NULL, 3, {0, 0, 100, 0, 200, 0}},     {"residential", NULL, 3, {0, 100, 100, 100, 200, 100}},
    {"residential", NULL, 3, {0, 200, 100, 200, 200, 200}}, {"residential", NULL, 3, {0, 0, 0, 100, 0, 200}},
    {"residential", NULL, 3, {100, 0, 100, 100, 100, 200}}, {"residential", NULL, 3, {200, 0, 200, 100, 200, 200}},
};

static void test_grid(void **state)
{
    (void)state;
    sv_ctx *ctx = sv_ctx_create();
    sv_network *net = build(ctx, grid, 6, "walk");
    sv_network_info info;
    sv_network_get_info(net, &info);
    assert_int_equal(info.nodes, 9);
    assert_int_equal(info.edges, 12);
    assert_int_equal(info.components, 1);
    assert_true(fabs(info.length_m - 1200) < 1e-9);
    /* corner to corner: 400 m along the streets, 283 m as the crow flies */
    assert_true(fabs(dist(ctx, net, 0, 0, 200, 200, SV_SNAP_NODE) - 400) < 1e-9);
    /* points beside the streets: attached to the nearest point of the
     * nearest street (no access legs here) */
    assert_true(fabs(dist(ctx, net, 50, -10, 150, 210, SV_SNAP_EDGE) - 300) < 1e-9);
    /* on the same edge, straight along it */
    assert_true(fabs(dist(ctx, net, 20, 5, 70, -5, SV_SNAP_EDGE) - 50) < 1e-9);
    sv_network_destroy(net);
    sv_ctx_destroy(ctx);
}

/* Reached streets come back as runs along the input lines: a street
 * reached from end to end is one line, not a piece per vertex. */
static void test_reached_runs(void **state)
{
    (void)state;
    sv_ctx *ctx = sv_ctx_create();
    sv_network *net = build(ctx, grid, 6, "walk");
    sv_geos *h = sv_geos_create();
    double x = 0, y = 0;
    sv_attach s;
    assert_int_equal(sv_network_attach(ctx, net, &x, &y, 1, SV_SNAP_NODE, 500, &s), SV_OK);
    sv_labels l;
    assert_int_equal(sv_labels_init(&l, net), SV_OK);
    assert_int_equal(sv_network_dijkstra(net, SV_COST_LENGTH, &s, NULL, NULL, 1, INFINITY, &l), SV_OK);
    const struct {
        double budget, length;
        int parts, points;
    } want[] = {
        {1000, 1200, 6, 18}, /* everything: the six streets whole, three points each */
        {150, 400, 6, 12},   /* two whole edges and four 50 m pieces, two points each */
    };
    for (size_t k = 0; k < 2; k++) {
        double len = 0;
        sv_geom *g = sv_network_reached(h, net, SV_COST_LENGTH, &l, &s, NULL, 1, want[k].budget, &len);
        assert_non_null(g);
        assert_true(fabs(len - want[k].length) < 1e-9);
        int n = sv_geom_num_parts(h, g), points = 0;
        assert_int_equal(n, want[k].parts);
        double total = 0;
        for (int i = 0; i < n; i++) {
            sv_geom *p = sv_geom_part(h, g, i);
            double *xy = NULL;
            size_t np = 0;
            assert_int_equal(sv_geom_line_coords(h, p, 0, &xy, &np), 0);
            points += (int)np;
            for (size_t j = 1; j < np; j++)
                total += hypot(xy[2 * j] - xy[2 * j - 2], xy[2 * j + 1] - xy[2 * j - 1]);
            free(xy);
            sv_geom_destroy(h, p);
        }
        assert_int_equal(points, want[k].points);
        assert_true(fabs(total - want[k].length) < 1e-9);
        sv_geom_destroy(h, g);
    }
    sv_labels_free(&l);
    sv_geos_destroy(h);
    sv_network_destroy(net);
    sv_ctx_destroy(ctx);
}

static void test_bridge_and_island(void **state)
{
    (void)state;
    /* a bridge crosses a street at (100, 100) without a shared vertex, and
     * an island street far away */
    const road r[] = {
        {"primary", NULL, 2, {0, 100, 200, 100}},
        {"primary", NULL, 2, {100, 0, 100, 200}},
        {"residential", NULL, 2, {5000, 5000, 5100, 5000}},
    };
    sv_ctx *ctx = sv_ctx_create();
    sv_network *net = build(ctx, r, 3, "walk");
    sv_network_info info;
    sv_network_get_info(net, &info);
    assert_int_equal(info.components, 3);
    assert_int_equal(info.nodes, 6);
    assert_true(isinf(dist(ctx, net, 0, 100, 100, 200, SV_SNAP_NODE)));     /* no way across */
    assert_true(fabs(dist(ctx, net, 0, 100, 200, 100, SV_SNAP_NODE) - 200) < 1e-9);
    assert_true(isinf(dist(ctx, net, 0, 100, 5100, 5000, SV_SNAP_NODE)));   /* the island */
    /* a point 600 m from every street is not attached with max_snap 500 */
    double x = 700, y = 700;
    sv_attach a;
    assert_int_equal(sv_network_attach(ctx, net, &x, &y, 1, SV_SNAP_EDGE, 500, &a), SV_OK);
    assert_int_equal(a.ok, 0);
    sv_network_destroy(net);
    sv_ctx_destroy(ctx);
}

static void test_oneway_loop(void **state)
{
    (void)state;
    /* a one-way square loop drawn counter-clockwise, 100 m sides */
    const road loop[] = {{"residential", "yes", 5, {0, 0, 100, 0, 100, 100, 0, 100, 0, 0}}};
    sv_ctx *ctx = sv_ctx_create();
    sv_network *car = build(ctx, loop, 1, "car");
    sv_network *walk = build(ctx, loop, 1, "walk");
    /* from (100, 0) back to (0, 0): a car goes round (300 m), a walker not */
    assert_true(fabs(dist(ctx, car, 100, 0, 0, 0, SV_SNAP_NODE) - 300) < 1e-9);
    assert_true(fabs(dist(ctx, walk, 100, 0, 0, 0, SV_SNAP_NODE) - 100) < 1e-9);
    assert_true(fabs(dist(ctx, car, 0, 0, 100, 0, SV_SNAP_NODE) - 100) < 1e-9);
    /* on the same edge against the flow: round the loop */
    assert_true(fabs(dist(ctx, car, 70, 0, 20, 0, SV_SNAP_EDGE) - 350) < 1e-9);
    sv_network_destroy(car);
    sv_network_destroy(walk);
    sv_ctx_destroy(ctx);
}

static void test_modes_and_speeds(void **state)
{
    (void)state;
    sv_ctx *ctx = sv_ctx_create();
    sv_travel_mode m;
    assert_int_equal(sv_travel_mode_load(ctx, "walk", NULL, &m), SV_OK);
    assert_true(sv_travel_mode_speed(&m, "motorway", NULL) == 0);
    assert_true(sv_travel_mode_speed(&m, "footway", NULL) == 5);
    assert_true(sv_travel_mode_speed(&m, "no_such_class", NULL) == 5); /* the documented default */
    assert_true(sv_travel_mode_speed(&m, NULL, NULL) == 0);            /* no class: not a road */
    assert_int_equal(sv_travel_mode_load(ctx, "car", NULL, &m), SV_OK);
    assert_true(sv_travel_mode_speed(&m, "footway", NULL) == 0);
    assert_true(sv_travel_mode_speed(&m, "residential", "50") == 50);   /* maxspeed honoured */
    assert_true(fabs(sv_travel_mode_speed(&m, "residential", "20 mph") - 32.18688) < 1e-9);
    assert_true(sv_travel_mode_speed(&m, "residential", "signals") == 30);
    assert_int_equal(sv_travel_mode_load(ctx, "boat", NULL, &m), SV_ERR_USAGE);

    /* a speeds file: good rows replace the table, bad rows are issues */
    char path[] = "/tmp/svcov-speeds-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    fputs("highway,speed_kmh\nfootway,3\nsteps,abc\nprimary\nmotorway,2\n", f);
    fclose(f);
    sv_ctx *c2 = sv_ctx_create();
    assert_int_equal(sv_travel_mode_load(c2, "walk", path, &m), SV_OK);
    assert_true(sv_travel_mode_speed(&m, "footway", NULL) == 3);
    assert_true(sv_travel_mode_speed(&m, "motorway", NULL) == 2);
    assert_int_equal(sv_ctx_issue_count(c2), 2);
    assert_string_equal(sv_ctx_issue(c2, 0)->feature_id, "row 3");
    assert_string_equal(sv_ctx_issue(c2, 1)->feature_id, "row 4");
    remove(path);
    sv_ctx_destroy(c2);

    /* no usable road: a clear error */
    const road mw[] = {{"motorway", NULL, 2, {0, 0, 100, 0}}};
    sv_featureset fs = make_roads(mw, 1);
    assert_int_equal(sv_travel_mode_load(ctx, "walk", NULL, &m), SV_OK);
    sv_network *net = NULL;
    assert_int_equal(sv_network_build(ctx, &fs, &m, &net), SV_ERR_DATA);
    assert_non_null(strstr(sv_ctx_errmsg(ctx), "no road"));
    sv_featureset_free(&fs);
    sv_ctx_destroy(ctx);
}

static void test_areas_nested_and_valid(void **state)
{
    (void)state;
    sv_ctx *ctx = sv_ctx_create();
    sv_network *net = build(ctx, grid, 6, "walk");
    /* breaks in metres: 50, 150, 250 from a station beside the middle */
    double budget[] = {50, 150, 250};
    sv_access_opts o = {.kind = SV_COST_LENGTH, .budget = budget, .n_breaks = 3, .snap = SV_SNAP_EDGE,
                        .max_snap_m = 500, .access_legs = 0, .access_kmh = 5, .trim_m = 10, .quad_segs = 8,
                        .per_station = 1};
    double sx[] = {100, -400}, sy[] = {100, -400}; /* the second is 566 m away: too far */
    sv_net_areas a;
    assert_int_equal(sv_net_areas_compute(ctx, net, sx, sy, 2, &o, &a), SV_OK);
    assert_int_equal(a.n_unattached, 1);
    /* reached street length from the centre: 4 spokes x 50 m; at 150 m the
     * spokes (400) and 50 m both ways along the rim from each spoke's end
     * (400); at 250 m the whole grid (1200) */
    assert_true(fabs(a.reached_m[0] - 200) < 1e-6);
    assert_true(fabs(a.reached_m[1] - 800) < 1e-6);
    assert_true(fabs(a.reached_m[2] - 1200) < 1e-6);
    sv_geos *h = sv_geos_create();
    sv_geom *prev = NULL;
    for (int b = 0; b < 3; b++) {
        sv_geom *g = sv_geom_from_wkb(h, a.area_wkb[b], a.area_len[b]);
        assert_non_null(g);
        assert_int_equal(sv_geom_is_valid(h, g, NULL), 1);
        assert_true(sv_geom_is_polygonal(h, g));
        if (prev) { /* nested: the smaller break lies inside */
            sv_geom *d = sv_geom_difference(h, prev, g);
            assert_true(sv_geom_area(h, d) < 1e-6);
            sv_geom_destroy(h, d);
        }
        sv_geom_destroy(h, prev);
        prev = g;
    }
    /* at 250 m the whole grid is reached: its area is the grid widened by
     * 10 m with rounded outer corners, the four blocks (less 10 m each
     * side) kept as holes */
    double want = 220.0 * 220.0 - 4 * 80.0 * 80.0 - 4 * (100.0 - M_PI * 100.0 / 4);
    assert_true(fabs(sv_geom_area(h, prev) - want) / want < 0.001);
    sv_geom_destroy(h, prev);
    /* per station: the attached one equals the dissolved area; the far one has none */
    assert_non_null(a.st_wkb[0]);
    assert_null(a.st_wkb[3]);
    sv_geos_destroy(h);
    sv_net_areas_free(&a);

    /* demand access: nearest station, distance with access legs, counts */
    double t2[] = {120};
    sv_access_opts od = o;
    od.budget = t2;
    od.n_breaks = 1;
    od.access_legs = 1;
    od.per_station = 0;
    double ssx[] = {0, 200}, ssy[] = {-10, 210}; /* 10 m off two corners */
    assert_int_equal(sv_net_areas_compute(ctx, net, ssx, ssy, 2, &od, &a), SV_OK);
    double dx[] = {100, 190}, dy[] = {-20, 100};
    sv_demand_access da;
    assert_int_equal(sv_demand_access_network(ctx, net, &a, ssx, ssy, 2, dx, dy, 2, &od, &da), SV_OK);
    assert_int_equal(da.nearest[0], 0);
    assert_true(fabs(da.network_m[0] - (10 + 100 + 20)) < 1e-9); /* legs of 10 and 20 m */
    assert_true(fabs(da.snap_m[0] - 20) < 1e-9);
    assert_int_equal(da.nearest[1], 1);
    assert_true(fabs(da.network_m[1] - (10 + 100 + 10)) < 1e-9);
    assert_int_equal(da.within[0], 0); /* 130 > 120 */
    assert_int_equal(da.within[1], 1);
    assert_int_equal(da.n_stations[1], 1);
    assert_true(fabs(da.euclid_m[1] - hypot(10, 110)) < 1e-9);
    sv_demand_access_free(&da);
    sv_net_areas_free(&a);
    sv_network_destroy(net);
    sv_ctx_destroy(ctx);
}

/* issue 19 item 6: a break with many reached ways is widened and united in
 * tiles (each way clipped to the tiles it meets, the tiles joined): the
 * area is the one cascaded union of the widened ways would give, to 1e-9
 * of it, and the same bytes on 1 and 2 threads. A 20 x 20 street grid
 * 100 m apart, each block side its own way (760 ways, several tiles), all
 * reached from the middle; trim 30 m leaves a 40 x 40 m hole in each block. */
static void test_areas_tiled(void **state)
{
    (void)state;
    enum { N = 20 };
    road r[2 * N * (N - 1)];
    size_t n = 0;
    for (int i = 0; i < N; i++)
        for (int k = 0; k + 1 < N; k++) {
            r[n++] = (road){"residential", NULL, 2, {k * 100.0, i * 100.0, (k + 1) * 100.0, i * 100.0}};
            r[n++] = (road){"residential", NULL, 2, {i * 100.0, k * 100.0, i * 100.0, (k + 1) * 100.0}};
        }
    sv_ctx *ctx = sv_ctx_create();
    sv_network *net = build(ctx, r, n, "walk");
    double budget[] = {600, 5000};
    sv_access_opts o = {.kind = SV_COST_LENGTH, .budget = budget, .n_breaks = 2, .snap = SV_SNAP_NODE,
                        .max_snap_m = 500, .access_legs = 0, .access_kmh = 5, .trim_m = 30, .quad_segs = 8};
    double sx[] = {1000}, sy[] = {1000};
    sv_net_areas a[2];
    for (int t = 0; t < 2; t++) {
        sv_ctx_set_threads(ctx, t + 1);
        assert_int_equal(sv_net_areas_compute(ctx, net, sx, sy, 1, &o, &a[t]), SV_OK);
    }
    sv_geos *h = sv_geos_create();
    for (int b = 0; b < 2; b++) {
        assert_int_equal(a[0].area_len[b], a[1].area_len[b]);
        assert_memory_equal(a[0].area_wkb[b], a[1].area_wkb[b], a[0].area_len[b]);
        /* the reference: every reached way widened, one cascaded union */
        sv_geom *lines = sv_geom_from_wkb(h, a[0].lines_wkb[b], a[0].lines_len[b]);
        sv_geom *merged = sv_geom_line_merge(h, lines);
        int np = sv_geom_num_parts(h, merged);
        if (b == 1)
            assert_true(np >= 256); /* more than one tile (the smaller break: one) */
        sv_geom **parts = calloc((size_t)np, sizeof *parts);
        for (int i = 0; i < np; i++) {
            sv_geom *p = sv_geom_part(h, merged, i);
            parts[i] = sv_geom_buffer(h, p, o.trim_m, o.quad_segs);
            sv_geom_destroy(h, p);
        }
        sv_geom *ref = sv_geom_union_take(h, parts, (size_t)np);
        sv_geom *g = sv_geom_from_wkb(h, a[0].area_wkb[b], a[0].area_len[b]);
        assert_int_equal(sv_geom_is_valid(h, g, NULL), 1);
        double ra = sv_geom_area(h, ref), ga = sv_geom_area(h, g);
        sv_geom *d1 = sv_geom_difference(h, ref, g), *d2 = sv_geom_difference(h, g, ref);
        assert_true(fabs(ga - ra) <= 1e-9 * ra);
        assert_true(sv_geom_area(h, d1) + sv_geom_area(h, d2) <= 1e-9 * ra);
        if (b == 1) { /* all of the grid: 1,960 m square widened by 30, rounded corners, 361 holes of 40 x 40 */
            double want = 1960.0 * 1960.0 - 361 * 40.0 * 40.0 - 4 * (900.0 - M_PI * 900.0 / 4);
            assert_true(fabs(ga - want) / want < 1e-3);
        }
        for (int i = 0; i < np; i++)
            sv_geom_destroy(h, parts[i]);
        free(parts);
        sv_geom_destroy(h, d1);
        sv_geom_destroy(h, d2);
        sv_geom_destroy(h, g);
        sv_geom_destroy(h, ref);
        sv_geom_destroy(h, merged);
        sv_geom_destroy(h, lines);
    }
    sv_geos_destroy(h);
    sv_net_areas_free(&a[0]);
    sv_net_areas_free(&a[1]);
    sv_network_destroy(net);
    sv_ctx_destroy(ctx);
}

/* issue 18 item 14: a line longer than the old 512-byte buffer is one line.
 * A comment of 524 bytes ending in "residential,1" used to be split and its
 * tail read as a row (residential at 1 km/h); a long bad row is one issue
 * naming its own line number. */
static void test_speeds_long_lines(void **state)
{
    (void)state;
    char path[] = "/tmp/svcov-speeds-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    fputs("highway,speed_kmh\n# ", f);
    for (int i = 0; i < 509; i++) /* the old buffer's 511 bytes end just before "residential" */
        fputc('x', f);
    fputs("residential,1\nfootway,4\nsteps,", f);
    for (int i = 0; i < 700; i++)
        fputc('9', f);
    fputs("\nprimary,7", f); /* no final newline */
    fclose(f);
    sv_ctx *ctx = sv_ctx_create();
    sv_travel_mode m;
    assert_int_equal(sv_travel_mode_load(ctx, "walk", path, &m), SV_OK);
    assert_true(sv_travel_mode_speed(&m, "residential", NULL) == 5); /* the default, not 1 */
    assert_true(sv_travel_mode_speed(&m, "footway", NULL) == 4);
    assert_true(sv_travel_mode_speed(&m, "primary", NULL) == 7);
    assert_int_equal(sv_ctx_issue_count(ctx), 1); /* steps,999...: over 300 km/h */
    assert_string_equal(sv_ctx_issue(ctx, 0)->feature_id, "row 4");
    remove(path);
    sv_ctx_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grid), cmocka_unit_test(test_reached_runs), cmocka_unit_test(test_bridge_and_island), cmocka_unit_test(test_oneway_loop),
        cmocka_unit_test(test_modes_and_speeds), cmocka_unit_test(test_areas_nested_and_valid),
        cmocka_unit_test(test_speeds_long_lines), cmocka_unit_test(test_areas_tiled),
    };
    return cmocka_run_group_tests_name("network", tests, NULL, NULL);
}
