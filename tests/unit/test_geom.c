/* test_geom.c - the GEOS wrapper (sv_geom.h): circles, repair, union,
 * Voronoi cells in site order, and the STR-tree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "svcov/sv_common.h"
#include "svcov/sv_geom.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* A small deterministic generator (xorshift64*), so runs are repeatable. */
static uint64_t rng_state;
static void rng_seed(uint64_t s) { rng_state = s ? s : 88172645463325252ULL; }
static double rng_uniform(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (double)((rng_state * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static int setup(void **state)
{
    sv_geos *h = sv_geos_create();
    if (!h)
        return -1;
    *state = h;
    return 0;
}

static int teardown(void **state)
{
    sv_geos_destroy(*state);
    return 0;
}

static void assert_rel(double got, double want, double rel)
{
    double err = fabs(got - want) / fabs(want);
    if (err > rel)
        fail_msg("got %.12g, want %.12g (relative error %.3g > %.3g)", got, want, err, rel);
}

/* Area of the regular n-gon inscribed in a circle of radius r. */
static double inscribed_area(double r, int n)
{
    return 0.5 * n * r * r * sin(2.0 * M_PI / n);
}

static void test_circle_area(void **state)
{
    sv_geos *h = *state;
    const double radii[] = {1.0, 500.0, 1250.0};
    const int segs[] = {32, 8, 2};
    for (size_t k = 0; k < sizeof segs / sizeof segs[0]; k++)
        for (size_t i = 0; i < sizeof radii / sizeof radii[0]; i++) {
            double r = radii[i];
            sv_geom *c = sv_geom_circle(h, 500000.0, 4700000.0, r, segs[k]);
            assert_non_null(c);
            double a = sv_geom_area(h, c);
            /* exactly the inscribed 4*quad_segs-gon ... */
            assert_rel(a, inscribed_area(r, 4 * segs[k]), 1e-9);
            /* ... which for 32 segments is within 0.1% (0.04%) of pi r^2, below it */
            if (segs[k] == 32) {
                assert_rel(a, M_PI * r * r, 1e-3);
                assert_true(a < M_PI * r * r);
                assert_true(a > M_PI * r * r * (1 - 5e-4));
            }
            sv_env e;
            assert_int_equal(sv_geom_envelope(h, c, &e), 0);
            assert_float_equal(e.xmin, 500000.0 - r, 1e-6 * r);
            assert_float_equal(e.xmax, 500000.0 + r, 1e-6 * r);
            assert_float_equal(e.ymin, 4700000.0 - r, 1e-6 * r);
            assert_float_equal(e.ymax, 4700000.0 + r, 1e-6 * r);
            assert_int_equal(sv_geom_is_valid(h, c, NULL), 1);
            sv_geom_destroy(h, c);
        }
}

/* sv_geom_circle moves one kept ring per radius (a cache of 4) instead of buffering each point: the same bytes as
 * GEOS's buffer of the point, for centres anywhere (UTM metres, whole numbers, near 0, negative), radii and
 * segment counts taken in turn (more of them than the cache holds). */
static void test_circle_same_as_buffer_of_point(void **state)
{
    sv_geos *h = *state;
    const double radii[] = {1.0, 500.0, 833.3333333333, 1000.0, 1250.5};
    const int segs[] = {32, 8, 2, 1};
    rng_seed(19);
    int differ = 0, n = 0;
    for (int k = 0; k < 20000; k++) {
        double r = radii[k % 5], x, y;
        int q = segs[(k / 5) % 4];
        switch (k % 4) {
        case 0: x = 166000 + 668000 * rng_uniform(), y = 10000000 * rng_uniform(); break;
        case 1: x = floor(1e6 * rng_uniform()), y = floor(5e6 * rng_uniform()); break;
        case 2: x = rng_uniform() - 0.5, y = 1e-3 * rng_uniform(); break;
        default: x = -1e5 * rng_uniform(), y = -3e6 * rng_uniform(); break;
        }
        sv_geom *c = sv_geom_circle(h, x, y, r, q);
        sv_geom *p = sv_geom_point(h, x, y);
        sv_geom *b = p ? sv_geom_buffer(h, p, r, q) : NULL;
        assert_non_null(c);
        assert_non_null(b);
        size_t lc = 0, lb = 0;
        unsigned char *wc = sv_geom_to_wkb(h, c, &lc), *wb = sv_geom_to_wkb(h, b, &lb);
        assert_non_null(wc);
        assert_non_null(wb);
        differ += lc != lb || memcmp(wc, wb, lc) != 0;
        n++;
        free(wc);
        free(wb);
        sv_geom_destroy(h, c);
        sv_geom_destroy(h, b);
        sv_geom_destroy(h, p);
    }
    if (differ)
        fail_msg("%d of %d circles differ from the buffer of their centre", differ, n);
}

static void test_wkb_roundtrip(void **state)
{
    sv_geos *h = *state;
    sv_geom *g = sv_geom_from_wkt(h, "POLYGON((0 0,10 0,10 5,0 5,0 0),(1 1,2 1,2 2,1 2,1 1))");
    assert_non_null(g);
    size_t len = 0;
    unsigned char *wkb = sv_geom_to_wkb(h, g, &len);
    assert_non_null(wkb);
    /* ISO WKB, little endian, 2-D polygon: 1 + 4 + 4 + 2 rings * (4 + 5 points * 16) */
    assert_int_equal(len, 1 + 4 + 4 + 2 * (4 + 5 * 16));
    assert_int_equal(wkb[0], 1);
    assert_int_equal(wkb[1], 3);
    sv_geom *back = sv_geom_from_wkb(h, wkb, len);
    assert_non_null(back);
    assert_float_equal(sv_geom_area(h, back), 49.0, 1e-12);
    assert_null(sv_geom_from_wkb(h, wkb, 0));
    sv_free(wkb);
    sv_geom_destroy(h, back);
    sv_geom_destroy(h, g);
}

static void test_make_valid_bowtie(void **state)
{
    sv_geos *h = *state;
    /* Two triangles of area 1 meeting at (1,1). */
    sv_geom *bow = sv_geom_from_wkt(h, "POLYGON((0 0,2 2,2 0,0 2,0 0))");
    assert_non_null(bow);
    char *reason = NULL;
    assert_int_equal(sv_geom_is_valid(h, bow, &reason), 0);
    assert_non_null(reason);
    assert_non_null(strstr(reason, "Self-intersection"));
    sv_free(reason);

    int repaired = -1;
    sv_geom *v = sv_geom_make_valid_polygonal(h, bow, &repaired);
    assert_non_null(v);
    assert_int_equal(repaired, 1);
    assert_int_equal(sv_geom_is_valid(h, v, NULL), 1);
    assert_int_equal(sv_geom_is_polygonal(h, v), 1);
    double a = sv_geom_area(h, v);
    assert_true(a > 0);
    assert_float_equal(a, 2.0, 1e-9); /* both lobes kept */
    assert_int_equal(sv_geom_num_parts(h, v), 2);
    sv_geom_destroy(h, v);
    sv_geom_destroy(h, bow);

    /* A valid polygon comes back as it was, not marked repaired. */
    sv_geom *sq = sv_geom_from_wkt(h, "POLYGON((0 0,3 0,3 3,0 3,0 0))");
    v = sv_geom_make_valid_polygonal(h, sq, &repaired);
    assert_non_null(v);
    assert_int_equal(repaired, 0);
    assert_float_equal(sv_geom_area(h, v), 9.0, 1e-12);
    sv_geom_destroy(h, v);
    sv_geom_destroy(h, sq);

    /* A square with a dangling spike: the spike (a line) is dropped, the
     * result stays polygonal with the square's area. */
    sv_geom *spike = sv_geom_from_wkt(h, "POLYGON((0 0,3 0,3 3,5 3,3 3,0 3,0 0))");
    assert_non_null(spike);
    v = sv_geom_make_valid_polygonal(h, spike, &repaired);
    assert_non_null(v);
    assert_int_equal(repaired, 1);
    assert_int_equal(sv_geom_is_polygonal(h, v), 1);
    assert_int_equal(sv_geom_is_valid(h, v, NULL), 1);
    assert_float_equal(sv_geom_area(h, v), 9.0, 1e-9);
    sv_geom_destroy(h, v);
    sv_geom_destroy(h, spike);

    /* A ring collapsed to a line has nothing polygonal left: empty. */
    sv_geom *flat = sv_geom_from_wkt(h, "POLYGON((0 0,4 0,2 0,0 0))");
    if (flat) { /* GEOS may refuse to build it at all */
        v = sv_geom_make_valid_polygonal(h, flat, &repaired);
        assert_non_null(v);
        assert_int_equal(repaired, 1);
        assert_int_equal(sv_geom_is_empty(h, v), 1);
        assert_float_equal(sv_geom_area(h, v), 0.0, 0.0);
        sv_geom_destroy(h, v);
        sv_geom_destroy(h, flat);
    }
}

static void test_union_take(void **state)
{
    sv_geos *h = *state;
    sv_env a = {0, 0, 2, 2}, b = {1, 1, 3, 3};
    sv_geom *parts[2] = {sv_geom_rect(h, &a), sv_geom_rect(h, &b)};
    assert_non_null(parts[0]);
    assert_non_null(parts[1]);
    sv_geom *u = sv_geom_union_take(h, parts, 2);
    assert_non_null(u);
    assert_null(parts[0]); /* ownership taken */
    assert_null(parts[1]);
    assert_float_equal(sv_geom_area(h, u), 4.0 + 4.0 - 1.0, 1e-12); /* overlap counted once */
    assert_int_equal(sv_geom_is_valid(h, u, NULL), 1);
    sv_geom_destroy(h, u);

    /* Three circles, two of them identical: the union is two circles' area. */
    sv_geom *c[3] = {sv_geom_circle(h, 0, 0, 10, 32), sv_geom_circle(h, 0, 0, 10, 32),
                     sv_geom_circle(h, 100, 0, 10, 32)};
    double one = sv_geom_area(h, c[0]);
    u = sv_geom_union_take(h, c, 3);
    assert_non_null(u);
    assert_rel(sv_geom_area(h, u), 2 * one, 1e-9);
    assert_int_equal(sv_geom_num_parts(h, u), 2);
    sv_geom_destroy(h, u);

    /* n = 1 hands the part back; n = 0 is an empty polygon. */
    sv_geom *one_part[1] = {sv_geom_rect(h, &a)};
    u = sv_geom_union_take(h, one_part, 1);
    assert_null(one_part[0]);
    assert_float_equal(sv_geom_area(h, u), 4.0, 1e-12);
    sv_geom_destroy(h, u);
    u = sv_geom_union_take(h, NULL, 0);
    assert_non_null(u);
    assert_int_equal(sv_geom_is_empty(h, u), 1);
    assert_float_equal(sv_geom_area(h, u), 0.0, 0.0);
    sv_geom_destroy(h, u);
}

static void test_intersection_difference(void **state)
{
    sv_geos *h = *state;
    sv_env a = {0, 0, 4, 4}, b = {2, -1, 6, 3};
    sv_geom *A = sv_geom_rect(h, &a), *B = sv_geom_rect(h, &b);
    sv_geom *i = sv_geom_intersection(h, A, B);
    sv_geom *d = sv_geom_difference(h, A, B);
    assert_float_equal(sv_geom_area(h, i), 2.0 * 3.0, 1e-12);
    assert_float_equal(sv_geom_area(h, d), 16.0 - 6.0, 1e-12);
    sv_geom_destroy(h, i);
    sv_geom_destroy(h, d);
    sv_geom_destroy(h, A);
    sv_geom_destroy(h, B);
}

/* Check the Voronoi contract for n sites: each kept site lies in its own
 * cell, the cells tile the (grown) clip box, repeated sites get NULL. */
static void check_voronoi(sv_geos *h, const double *xs, const double *ys, size_t n, const sv_env *clip)
{
    sv_geom **cells = calloc(n, sizeof *cells);
    assert_non_null(cells);
    assert_int_equal(sv_voronoi_cells(h, xs, ys, n, clip, cells), 0);
    sv_env box = *clip;
    for (size_t i = 0; i < n; i++) {
        box.xmin = fmin(box.xmin, xs[i]);
        box.xmax = fmax(box.xmax, xs[i]);
        box.ymin = fmin(box.ymin, ys[i]);
        box.ymax = fmax(box.ymax, ys[i]);
    }
    double box_area = (box.xmax - box.xmin) * (box.ymax - box.ymin);
    double sum = 0;
    sv_geom **kept = calloc(n, sizeof *kept);
    size_t nk = 0;
    for (size_t i = 0; i < n; i++) {
        int repeat = 0;
        for (size_t k = 0; k < i; k++)
            repeat |= xs[k] == xs[i] && ys[k] == ys[i];
        if (repeat) {
            if (cells[i])
                fail_msg("site %zu repeats an earlier site but got a cell", i);
            continue;
        }
        if (!cells[i])
            fail_msg("site %zu (%g, %g) has no cell", i, xs[i], ys[i]);
        sv_prep *p = sv_prep_create(h, cells[i]);
        assert_non_null(p);
        if (sv_prep_covers_xy(h, p, xs[i], ys[i]) != 1)
            fail_msg("site %zu (%g, %g) is not inside its own cell", i, xs[i], ys[i]);
        /* and no other distinct site is strictly closer to the cell's centroid */
        sv_geom *c = sv_geom_centroid(h, cells[i]);
        double cx, cy;
        assert_int_equal(sv_geom_point_xy(h, c, &cx, &cy), 0);
        double di = hypot(cx - xs[i], cy - ys[i]);
        for (size_t k = 0; k < n; k++)
            if (hypot(cx - xs[k], cy - ys[k]) < di - 1e-6 * (1 + di))
                fail_msg("cell of site %zu has its centroid nearer to site %zu", i, k);
        sv_geom_destroy(h, c);
        sv_prep_destroy(h, p);
        sv_env ce;
        assert_int_equal(sv_geom_envelope(h, cells[i], &ce), 0);
        assert_true(ce.xmin >= box.xmin - 1e-6 && ce.xmax <= box.xmax + 1e-6);
        assert_true(ce.ymin >= box.ymin - 1e-6 && ce.ymax <= box.ymax + 1e-6);
        sum += sv_geom_area(h, cells[i]);
        kept[nk++] = sv_geom_clone(h, cells[i]);
    }
    assert_rel(sum, box_area, 1e-6);
    /* no overlap either: the union has the same area as the sum */
    sv_geom *u = sv_geom_union_take(h, kept, nk);
    assert_non_null(u);
    assert_rel(sv_geom_area(h, u), box_area, 1e-6);
    sv_geom_destroy(h, u);
    free(kept);
    for (size_t i = 0; i < n; i++)
        sv_geom_destroy(h, cells[i]);
    free(cells);
}

static void test_voronoi_random(void **state)
{
    sv_geos *h = *state;
    rng_seed(20240601);
    enum { N = 200 };
    double xs[N], ys[N];
    for (int i = 0; i < N; i++) {
        xs[i] = 400000 + 5000 * rng_uniform();
        ys[i] = 4500000 + 3000 * rng_uniform();
    }
    sv_env clip = {399000, 4499000, 406000, 4504000};
    check_voronoi(h, xs, ys, N, &clip);
}

static void test_voronoi_duplicates(void **state)
{
    sv_geos *h = *state;
    const double xs[] = {0, 10, 0, 5, 10, 0, 5};
    const double ys[] = {0, 0, 0, 8, 0, 0, 8};
    sv_env clip = {-20, -20, 30, 30};
    check_voronoi(h, xs, ys, 7, &clip);
    sv_geom *cells[7];
    assert_int_equal(sv_voronoi_cells(h, xs, ys, 7, &clip, cells), 0);
    /* the first of each repeated site keeps the cell */
    assert_non_null(cells[0]);
    assert_non_null(cells[1]);
    assert_null(cells[2]);
    assert_non_null(cells[3]);
    assert_null(cells[4]);
    assert_null(cells[5]);
    assert_null(cells[6]);
    /* the three cells split 50 x 50 */
    double sum = 0;
    for (int i = 0; i < 7; i++) {
        if (cells[i])
            sum += sv_geom_area(h, cells[i]);
        sv_geom_destroy(h, cells[i]);
    }
    assert_float_equal(sum, 2500.0, 1e-6);
}

static void test_voronoi_single_and_all_same(void **state)
{
    sv_geos *h = *state;
    sv_env clip = {0, 0, 100, 50};
    double x = 30, y = 20;
    sv_geom *cell = NULL;
    assert_int_equal(sv_voronoi_cells(h, &x, &y, 1, &clip, &cell), 0);
    assert_non_null(cell);
    assert_float_equal(sv_geom_area(h, cell), 5000.0, 1e-9);
    sv_env e;
    assert_int_equal(sv_geom_envelope(h, cell, &e), 0);
    assert_float_equal(e.xmin, 0, 0);
    assert_float_equal(e.ymin, 0, 0);
    assert_float_equal(e.xmax, 100, 0);
    assert_float_equal(e.ymax, 50, 0);
    sv_geom_destroy(h, cell);

    /* one site outside the clip box: the box grows to hold it */
    x = 150;
    y = 25;
    assert_int_equal(sv_voronoi_cells(h, &x, &y, 1, &clip, &cell), 0);
    assert_non_null(cell);
    assert_float_equal(sv_geom_area(h, cell), 150.0 * 50.0, 1e-9);
    sv_geom_destroy(h, cell);

    /* three copies of one site: one cell (the box), two NULLs */
    double xs[3] = {7, 7, 7}, ys[3] = {9, 9, 9};
    sv_geom *cells[3];
    assert_int_equal(sv_voronoi_cells(h, xs, ys, 3, &clip, cells), 0);
    assert_non_null(cells[0]);
    assert_null(cells[1]);
    assert_null(cells[2]);
    assert_float_equal(sv_geom_area(h, cells[0]), 5000.0, 1e-9);
    sv_geom_destroy(h, cells[0]);

    /* n = 0 is fine and touches nothing */
    assert_int_equal(sv_voronoi_cells(h, NULL, NULL, 0, &clip, NULL), 0);
}

/* The cells as WKB, on 1, 2 and 3 threads: the bytes of sv_voronoi_cells' geometries and their envelopes, for
 * enough sites that the workers run (4096 cells or more), some repeated, some on a grid (ties). */
static void test_voronoi_wkb_threads(void **state)
{
    sv_geos *h = *state;
    enum { N = 9000 };
    double *xs = malloc(N * sizeof *xs), *ys = malloc(N * sizeof *ys);
    assert_non_null(xs);
    assert_non_null(ys);
    rng_seed(4242);
    for (int i = 0; i < N; i++) {
        xs[i] = i < 2500 ? 1000.0 * (i % 50) : 60000 * rng_uniform();
        ys[i] = i < 2500 ? 1000.0 * (i / 50) : 60000 * rng_uniform();
        if (i % 97 == 5) { /* a repeat of an earlier site */
            xs[i] = xs[i / 2];
            ys[i] = ys[i / 2];
        }
    }
    sv_env clip = {-500, -500, 61000, 61000};
    sv_geom **cells = calloc(N, sizeof *cells);
    assert_int_equal(sv_voronoi_cells(h, xs, ys, N, &clip, cells), 0);
    for (int t = 1; t <= 3; t++) {
        unsigned char **wkb = calloc(N, sizeof *wkb);
        size_t *len = calloc(N, sizeof *len), kept = 0;
        sv_env *env = calloc(N, sizeof *env);
        assert_int_equal(sv_voronoi_cells_wkb(h, t, xs, ys, N, &clip, wkb, len, env), 0);
        for (int i = 0; i < N; i++) {
            assert_int_equal(cells[i] == NULL, wkb[i] == NULL);
            if (!cells[i])
                continue;
            size_t l = 0;
            unsigned char *b = sv_geom_to_wkb(h, cells[i], &l);
            sv_env e;
            assert_int_equal(sv_geom_envelope(h, cells[i], &e), 0);
            assert_int_equal(l, len[i]);
            assert_memory_equal(b, wkb[i], l);
            assert_memory_equal(&e, &env[i], sizeof e);
            free(b);
            free(wkb[i]);
            kept++;
        }
        assert_true(kept > 8800 && kept < N);
        free(wkb);
        free(len);
        free(env);
    }
    for (int i = 0; i < N; i++)
        sv_geom_destroy(h, cells[i]);
    free(cells);
    free(xs);
    free(ys);
}

static void test_voronoi_collinear(void **state)
{
    sv_geos *h = *state;
    /* Five sites on a horizontal line, listed out of order: the cells are
     * vertical strips bounded by the midpoints. */
    const double xs[] = {40, 0, 10, 30, 20};
    const double ys[] = {5, 5, 5, 5, 5};
    sv_env clip = {-10, 0, 50, 10};
    check_voronoi(h, xs, ys, 5, &clip);
    sv_geom *cells[5];
    assert_int_equal(sv_voronoi_cells(h, xs, ys, 5, &clip, cells), 0);
    /* widths: site 0 at x=40 -> [35,50] = 15; site 1 at x=0 -> [-10,5] = 15;
     * the inner ones 10 each; height 10 */
    const double want[] = {150, 150, 100, 100, 100};
    for (int i = 0; i < 5; i++) {
        assert_non_null(cells[i]);
        assert_float_equal(sv_geom_area(h, cells[i]), want[i], 1e-6);
        sv_geom_destroy(h, cells[i]);
    }

    /* collinear on a diagonal, some repeated */
    const double dx[] = {0, 1, 2, 3, 1, 4};
    const double dy[] = {0, 1, 2, 3, 1, 4};
    sv_env clip2 = {-5, -5, 9, 9};
    check_voronoi(h, dx, dy, 6, &clip2);

    /* two sites only */
    const double tx[] = {0, 10}, ty[] = {0, 0};
    sv_env clip3 = {-10, -10, 20, 10};
    check_voronoi(h, tx, ty, 2, &clip3);
}

static void test_strtree_query(void **state)
{
    sv_geos *h = *state;
    rng_seed(7);
    enum { N = 500, Q = 60 };
    sv_env boxes[N];
    sv_index *t = sv_index_create(h);
    assert_non_null(t);
    for (size_t i = 0; i < N; i++) {
        double x = 1000 * rng_uniform(), y = 1000 * rng_uniform();
        double w = 30 * rng_uniform(), hh = 30 * rng_uniform();
        if (i % 7 == 0)
            w = hh = 0; /* points too */
        boxes[i] = (sv_env){x, y, x + w, y + hh};
        assert_int_equal(sv_index_insert(h, t, i, &boxes[i]), 0);
    }
    size_t *ids = NULL, n = 0, cap = 0;
    size_t total = 0;
    for (int q = 0; q < Q; q++) {
        double x = 1000 * rng_uniform(), y = 1000 * rng_uniform();
        double s = q == 0 ? 2000 : 150 * rng_uniform();
        sv_env e = {x - s, y - s, x + s, y + s};
        n = 0;
        assert_int_equal(sv_index_query(h, t, &e, &ids, &n, &cap), 0);
        char *seen = calloc(N, 1);
        assert_non_null(seen);
        for (size_t k = 0; k < n; k++) {
            assert_true(ids[k] < N);
            assert_int_equal(seen[ids[k]], 0); /* no id twice */
            seen[ids[k]] = 1;
        }
        size_t want = 0;
        for (size_t i = 0; i < N; i++) {
            int hit = boxes[i].xmin <= e.xmax && e.xmin <= boxes[i].xmax && boxes[i].ymin <= e.ymax &&
                      e.ymin <= boxes[i].ymax;
            want += hit;
            if (hit != seen[i])
                fail_msg("query %d: id %zu %s", q, i, hit ? "missing" : "returned but does not intersect");
        }
        assert_int_equal(n, want);
        if (q == 0)
            assert_int_equal(n, N); /* the big query finds every item, id 0 included */
        total += n;
        free(seen);
    }
    assert_true(total > N); /* the queries found something beyond the first */

    /* results append to what is already in the array */
    size_t before = n;
    sv_env pt = {boxes[3].xmin, boxes[3].ymin, boxes[3].xmin, boxes[3].ymin};
    assert_int_equal(sv_index_query(h, t, &pt, &ids, &n, &cap), 0);
    assert_true(n > before);
    int found = 0;
    for (size_t k = before; k < n; k++)
        found |= ids[k] == 3;
    assert_true(found);
    sv_free(ids);
    sv_index_destroy(h, t);
}

/* Tiles merge by CoverageUnion; overlapping polygons (which GEOS 3.11's
 * CoverageUnion can turn into an invalid polygon of the summed area) fall
 * back to an overlay union. */
/* Class areas (count capped at cap) and, per area, what it alone covers,
 * from the faces of region and areas. */
static void capped_classes(sv_geos *h, const sv_geom *region, sv_geom *const *areas, size_t n, int cap, double *cls,
                           double *only, size_t *nfaces)
{
    sv_face *f = NULL;
    size_t nf = 0;
    int rc = cap == INT_MAX ? sv_geom_overlay_faces(h, region, (const sv_geom *const *)areas, n, &f, &nf)
                            : sv_geom_overlay_faces_capped(h, region, (const sv_geom *const *)areas, n, cap, &f, &nf);
    assert_int_equal(rc, 0);
    for (size_t k = 0; k < nf; k++) {
        cls[f[k].count < 3 ? f[k].count : 3] += f[k].area;
        if (f[k].count == 1 && f[k].only >= 0)
            only[f[k].only] += f[k].area;
    }
    *nfaces = nf;
    sv_faces_free(h, f, nf);
}

/* Capped faces leave out the boundaries that only part "cap or more" from
 * "cap or more": the classes and what each circle alone covers stay those
 * of the full arrangement, also with repeated circles (two equal
 * boundaries: one of them must stay) and circles inside circles. */
static void test_overlay_faces_capped(void **state)
{
    sv_geos *h = *state;
    rng_seed(19);
    for (int round = 0; round < 12; round++) {
        sv_geom *areas[16];
        size_t n = 0;
        for (; n < 12; n++) {
            double x = 40 + 120 * rng_uniform(), y = 40 + 120 * rng_uniform(), r = 25 + 35 * rng_uniform();
            areas[n] = sv_geom_circle(h, x, y, r, 8);
            assert_non_null(areas[n]);
        }
        areas[n++] = sv_geom_circle(h, 100, 100, 30, 8); /* repeated: the same polygon twice */
        areas[n++] = sv_geom_circle(h, 100, 100, 30, 8);
        areas[n++] = sv_geom_circle(h, 100, 100, 10, 8); /* inside both */
        sv_geom *region = sv_geom_from_wkt(h, round % 2 ? "POLYGON((60 60,140 60,140 140,60 140,60 60))"
                                                        : "POLYGON((90 90,110 90,110 110,90 110,90 90))");
        assert_non_null(region);
        double full[4] = {0}, full_only[16] = {0};
        size_t nf_full = 0;
        capped_classes(h, region, areas, n, INT_MAX, full, full_only, &nf_full);
        for (int cap = 1; cap <= 3; cap++) {
            double cls[4] = {0}, only[16] = {0}, want[4] = {0};
            size_t nf = 0;
            capped_classes(h, region, areas, n, cap, cls, only, &nf);
            for (int c = 0; c < 4; c++)
                want[c < cap ? c : cap] += full[c];
            for (int c = 0; c < 4; c++)
                if (want[c] > 0 || cls[c] > 0)
                    assert_rel(cls[c], want[c], 1e-9);
            for (size_t i = 0; cap > 1 && i < n; i++)
                if (full_only[i] > 0 || only[i] > 0)
                    assert_rel(only[i], full_only[i], 1e-9);
            if (cap == 1) /* the deep boundaries are gone: fewer faces */
                assert_true(nf < nf_full);
        }
        for (size_t i = 0; i < n; i++)
            sv_geom_destroy(h, areas[i]);
        sv_geom_destroy(h, region);
    }
}

static void test_tiles_union(void **state)
{
    sv_geos *h = *state;
    const char *wkt[][2] = {
        {"POLYGON((0 0,10 0,10 10,0 10,0 0))", "POLYGON((10 0,20 0,20 10,10 10,10 0))"},  /* tiles */
        {"POLYGON((0 0,10 0,10 10,0 10,0 0))", "POLYGON((5 5,15 5,15 15,5 15,5 5))"},     /* crossing */
        {"POLYGON((0 0,10 0,10 10,0 10,0 0))", "POLYGON((2 2,8 2,8 8,2 8,2 2))"},         /* nested */
        {"POLYGON((0 0,5 0,10 0,10 10,5 10,0 10,0 0))", "POLYGON((0 0,5 0,5 10,0 10,0 0))"}, /* a quarter */
    };
    const double want[] = {200, 175, 100, 100};
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
        sv_geom *parts[2] = {sv_geom_from_wkt(h, wkt[k][0]), sv_geom_from_wkt(h, wkt[k][1])};
        sv_geom *u = sv_geom_tiles_union_take(h, parts, 2);
        assert_non_null(u);
        assert_null(parts[0]);
        assert_float_equal(sv_geom_area(h, u), want[k], 1e-9);
        assert_int_equal(sv_geom_is_valid(h, u, NULL), 1);
        sv_geom_destroy(h, u);
    }
}

static void test_prepared_predicates(void **state)
{
    sv_geos *h = *state;
    sv_env e = {0, 0, 10, 10};
    sv_geom *sq = sv_geom_rect(h, &e);
    sv_prep *p = sv_prep_create(h, sq);
    assert_non_null(p);
    assert_int_equal(sv_prep_covers_xy(h, p, 5, 5), 1);
    assert_int_equal(sv_prep_covers_xy(h, p, 10, 5), 1); /* the edge counts */
    assert_int_equal(sv_prep_covers_xy(h, p, 10.001, 5), 0);
    sv_geom *pt = sv_geom_point(h, 13, 5);
    assert_int_equal(sv_prep_within_distance(h, p, pt, 3.0001), 1);
    assert_int_equal(sv_prep_within_distance(h, p, pt, 2.9999), 0);
    sv_geom *c = sv_geom_circle(h, 5, 5, 2, 8);
    assert_int_equal(sv_prep_contains(h, p, c), 1);
    assert_int_equal(sv_prep_intersects(h, p, pt), 0);
    sv_geom_destroy(h, c);
    sv_geom_destroy(h, pt);
    sv_prep_destroy(h, p);
    sv_geom_destroy(h, sq);
}

/* Needle parts and holes (the overlay's leftovers) are dropped, what is
 * merely small is kept, and the result is valid. */
static void test_without_slivers(void **state)
{
    sv_geos *h = *state;
    sv_geom *g = sv_geom_from_wkt(h, "MULTIPOLYGON(((0 0,100 0,100 100,0 100,0 0),(10 10,20 10,20 20,10 20,10 10),"
                                     "(30 50,80 50,80 50.001,30 50.001,30 50)),"
                                     "((200 0,300 0,300 1e-9,200 0)),((400 0,400.5 0,400.5 0.5,400 0.5,400 0)))");
    assert_non_null(g);
    assert_int_equal(sv_geom_is_valid(h, g, NULL), 1);
    size_t dropped = 0;
    sv_geom *c = sv_geom_without_slivers(h, g, 0.01, &dropped);
    assert_non_null(c);
    assert_int_equal(dropped, 2); /* the 1 mm hole and the 1e-9 m needle */
    assert_int_equal(sv_geom_num_parts(h, c), 2);
    assert_float_equal(sv_geom_area(h, c), 10000.0 - 100.0 + 0.25, 1e-9);
    assert_int_equal(sv_geom_is_valid(h, c, NULL), 1);
    sv_geom_destroy(h, c);
    /* a finer tolerance keeps the 1 mm hole */
    dropped = 0;
    c = sv_geom_without_slivers(h, g, 1e-4, &dropped);
    assert_int_equal(dropped, 1);
    assert_float_equal(sv_geom_area(h, c), 10000.0 - 100.0 - 0.05 + 0.25, 1e-9);
    sv_geom_destroy(h, c);
    sv_geom_destroy(h, g);
    /* nothing left: an empty polygon */
    g = sv_geom_from_wkt(h, "POLYGON((200 0,300 0,300 1e-9,200 0))");
    c = sv_geom_without_slivers(h, g, 0.01, NULL);
    assert_non_null(c);
    assert_int_equal(sv_geom_is_empty(h, c), 1);
    sv_geom_destroy(h, c);
    sv_geom_destroy(h, g);
}

/* Every vertex of g lies on the grid. */
static int on_grid(sv_geos *h, const sv_geom *g, double grid)
{
    double *xy = NULL;
    size_t *starts = NULL, np = 0;
    assert_int_equal(sv_geom_paths(h, g, &xy, &starts, &np), 0);
    int ok = 1;
    for (size_t i = 0; i < starts[np] * 2; i++)
        ok &= fabs(xy[i] / grid - round(xy[i] / grid)) < 1e-6;
    sv_free(xy);
    sv_free(starts);
    return ok;
}

/* Rounding a hole 0.4 mm from its shell to a 1 mm grid puts it on the
 * shell (invalid); snap-rounding gives a valid polygon on the grid, also
 * from an invalid input. */
static void test_on_grid(void **state)
{
    sv_geos *h = *state;
    sv_geom *g = sv_geom_from_wkt(h, "POLYGON((0 0,10 0,10 10,0 10,0 0),(1 0.0004,9 0.0004,9 1,1 1,1 0.0004))");
    assert_int_equal(sv_geom_is_valid(h, g, NULL), 1);
    sv_geom *naive = sv_geom_from_wkt(h, "POLYGON((0 0,10 0,10 10,0 10,0 0),(1 0,9 0,9 1,1 1,1 0))");
    assert_int_equal(sv_geom_is_valid(h, naive, NULL), 0);
    sv_geom *r = sv_geom_on_grid(h, g, 0.001);
    assert_non_null(r);
    assert_int_equal(sv_geom_is_valid(h, r, NULL), 1);
    assert_true(on_grid(h, r, 0.001));
    assert_float_equal(sv_geom_area(h, r), 100.0 - 8.0, 1e-9); /* the hole now opens onto the edge */
    sv_geom_destroy(h, r);
    sv_geom_destroy(h, naive);
    sv_geom_destroy(h, g);

    g = sv_geom_from_wkt(h, "POLYGON((0 0,2 2,2 0,0 2,0 0))"); /* a bow tie */
    r = sv_geom_on_grid(h, g, 0.001);
    assert_non_null(r);
    assert_int_equal(sv_geom_is_valid(h, r, NULL), 1);
    assert_float_equal(sv_geom_area(h, r), 2.0, 1e-9);
    sv_geom_destroy(h, r);
    sv_geom_destroy(h, g);

    g = sv_geom_point(h, 1.23456789, 2.00000049);
    r = sv_geom_on_grid(h, g, 1e-7);
    double x = 0, y = 0;
    assert_int_equal(sv_geom_point_xy(h, r, &x, &y), 0);
    assert_float_equal(x, 1.2345679, 1e-12);
    assert_float_equal(y, 2.0000005, 1e-12);
    sv_geom_destroy(h, r);
    sv_geom_destroy(h, g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_circle_area, setup, teardown),
        cmocka_unit_test_setup_teardown(test_circle_same_as_buffer_of_point, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wkb_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_make_valid_bowtie, setup, teardown),
        cmocka_unit_test_setup_teardown(test_union_take, setup, teardown),
        cmocka_unit_test_setup_teardown(test_intersection_difference, setup, teardown),
        cmocka_unit_test_setup_teardown(test_voronoi_random, setup, teardown),
        cmocka_unit_test_setup_teardown(test_voronoi_duplicates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_voronoi_single_and_all_same, setup, teardown),
        cmocka_unit_test_setup_teardown(test_voronoi_collinear, setup, teardown),
        cmocka_unit_test_setup_teardown(test_voronoi_wkb_threads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_strtree_query, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tiles_union, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overlay_faces_capped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prepared_predicates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_without_slivers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_on_grid, setup, teardown),
    };
    return cmocka_run_group_tests_name("geom", tests, NULL, NULL);
}
