/* test_red_prune.c - circles that three others hide in a piece
 * (sv_red_prune_dominated, engine/redundancy.c): the redundancy classes and
 * what each station alone covers with the kept circles equal those of the
 * full arrangement, on random dense sets where many circles are dropped,
 * and a circle nearly tied with another at their bisector (where the
 * polygons, not the true circles, decide) is kept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "svcov/sv_common.h"
#include "svcov/sv_geom.h"
#include "svcov/sv_people.h"
#include "engine/people_measures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define QS 32 /* quad_segs: 128-gons, svcov's default */
#define R 1000.0
#define MAXC 160

static uint64_t rng_state;
static double rng_uniform(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (double)((rng_state * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

#include "svtest_geos.h"

typedef svt_geos_fixture fixture;

/* The classes of region (a piece) with the circles ids[0..n) crossing it and
 * base more holding all of it (base_only: the one when base is 1), and what
 * each station alone covers (only[0..MAXC)). */
static void classes(fixture *f, const sv_geom *region, const double *xs, const double *ys, const size_t *ids, size_t n,
                    int base, size_t base_only, sv_redundancy *r, double *only)
{
    const sv_geom *areas[MAXC];
    sv_geom *own[MAXC];
    for (size_t k = 0; k < n; k++) {
        own[k] = sv_geom_circle(f->h, xs[ids[k]], ys[ids[k]], R, QS);
        assert_non_null(own[k]);
        areas[k] = own[k];
    }
    memset(only, 0, MAXC * sizeof *only);
    sv_red_piece p = {region, areas, ids, n, base, base_only};
    assert_int_equal(sv_redundancy_compute_pieces(f->ctx, f->h, region, &p, 1, NULL, -1, only, NULL, NULL, r), SV_OK);
    for (size_t k = 0; k < n; k++)
        sv_geom_destroy(f->h, own[k]);
}

/* Random convex ring: k points on a circle of radius rad around (cx, cy), closed. */
static size_t random_ring(double cx, double cy, double rad, double *xy)
{
    size_t k = 5 + (size_t)(rng_uniform() * 6);
    double a0 = rng_uniform() * 2 * M_PI;
    for (size_t v = 0; v < k; v++) {
        double a = a0 + 2 * M_PI * (double)v / (double)k + 0.3 * (rng_uniform() - 0.5) * 2 * M_PI / (double)k;
        xy[2 * v] = cx + rad * cos(a);
        xy[2 * v + 1] = cy + rad * sin(a);
    }
    xy[2 * k] = xy[0];
    xy[2 * k + 1] = xy[1];
    return k + 1;
}

/* Distance from (x, y) to the convex ring xy[0..n) (0 inside). */
static double near_ring(const double *xy, size_t n, double x, double y)
{
    double best = INFINITY;
    int pos = 0, neg = 0;
    for (size_t k = 0; k + 1 < n; k++) {
        double ax = xy[2 * k], ay = xy[2 * k + 1], dx = xy[2 * k + 2] - ax, dy = xy[2 * k + 3] - ay;
        double cr = dx * (y - ay) - dy * (x - ax);
        pos += cr > 0;
        neg += cr < 0;
        double t = ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy);
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        best = fmin(best, hypot(x - ax - t * dx, y - ay - t * dy));
    }
    return pos == 0 || neg == 0 ? 0.0 : best;
}

/* Dense random sets around and across a small piece: the circles holding all
 * of the ring are the base (as split_piece counts them), the others cross;
 * the pruned classes equal the full ones to 1e-9 of the piece's area, and
 * most crossing circles are dropped. */
static void test_random_dense_exact(void **state)
{
    fixture *f = *state;
    double xs[MAXC], ys[MAXC], xy[2 * 16], only_full[MAXC], only_kept[MAXC];
    size_t crossing_total = 0, kept_total = 0, mixed = 0;
    for (unsigned seed = 1; seed <= 60; seed++) {
        rng_state = 0x9E3779B97F4A7C15ULL * seed + 7;
        size_t nc = 20 + (size_t)(rng_uniform() * 130);
        double spread = 300 + 900 * rng_uniform();
        for (size_t i = 0; i < nc; i++) { /* a Gaussian-ish centre */
            double a = rng_uniform() * 2 * M_PI, d = spread * sqrt(-2 * log(1 - rng_uniform())) * 0.6;
            xs[i] = 500000 + d * cos(a);
            ys[i] = 2500000 + d * sin(a);
        }
        /* the piece from the centre out to the fringe, where few circles reach */
        double pd = (0.3 + 1.2 * rng_uniform()) * spread + (0.4 + 0.8 * rng_uniform()) * R;
        double pa = rng_uniform() * 2 * M_PI;
        size_t nv = random_ring(500000 + pd * cos(pa), 2500000 + pd * sin(pa), 60 + 240 * rng_uniform(), xy);
        sv_geom *region = sv_geom_polygon_xy(f->h, xy, nv);
        assert_non_null(region);
        double area = sv_geom_area(f->h, region);
        size_t all[MAXC], cross[MAXC], ncross = 0;
        int base = 0;
        size_t base_only = 0;
        double r_in = R * cos(M_PI / (4.0 * QS)) * (1 - 1e-9);
        for (size_t i = 0; i < nc; i++) {
            all[i] = i;
            double far2 = 0;
            for (size_t v = 0; v < nv; v++)
                far2 = fmax(far2, (xy[2 * v] - xs[i]) * (xy[2 * v] - xs[i]) +
                                      (xy[2 * v + 1] - ys[i]) * (xy[2 * v + 1] - ys[i]));
            if (far2 <= r_in * r_in && base < SV_REDUNDANCY_CLASSES - 1) {
                base++;
                base_only = i;
            } else if (near_ring(xy, nv, xs[i], ys[i]) <= R * (1 + 1e-9)) { /* else it misses the piece */
                cross[ncross++] = i;
            }
        }
        sv_redundancy full, kept;
        classes(f, region, xs, ys, all, nc, 0, 0, &full, only_full);
        size_t nk = sv_red_prune_dominated(xs, ys, cross, ncross, base, xy, nv, R, QS);
        assert_true(nk <= ncross);
        crossing_total += ncross;
        kept_total += nk;
        classes(f, region, xs, ys, cross, nk, base, base_only, &kept, only_kept);
        int classes_here = 0;
        for (int c = 0; c < SV_REDUNDANCY_CLASSES; c++) {
            if (fabs(full.area[c] - kept.area[c]) > 1e-9 * area)
                fail_msg("seed %u class %d: full %.9f m2, kept %.9f m2 (%zu of %zu crossing circles kept, base %d)",
                         seed, c, full.area[c], kept.area[c], nk, ncross, base);
            classes_here += full.area[c] > 1e-6 * area;
        }
        mixed += classes_here >= 2 && nk < ncross;
        for (size_t i = 0; i < nc; i++)
            if (fabs(only_full[i] - only_kept[i]) > 1e-9 * area)
                fail_msg("seed %u station %zu alone: full %.9f m2, kept %.9f m2", seed, i, only_full[i],
                         only_kept[i]);
        sv_redundancy_free(&full);
        sv_redundancy_free(&kept);
        sv_geom_destroy(f->h, region);
    }
    printf("random dense pieces: %zu crossing circles, %zu kept; %zu pieces of 2+ classes with drops\n",
           crossing_total, kept_total, mixed);
    fflush(stdout);
    assert_true(kept_total * 2 < crossing_total); /* many are dominated */
    assert_true(mixed >= 5);                      /* and not only where one class is all */
}

/* Station m and x nearly tied: the small piece around p lies on x's side of
 * their bisector (closer to x), inside m's 128-gon (just within a vertex)
 * but outside x's (beyond the middle of an edge, between its apothem and
 * the true circle). Two more circles hold all of it, so it is 3+ with m and
 * only 2 without: m must be kept, which only the margin eps ensures. */
static void test_tie_at_bisector_kept(void **state)
{
    fixture *f = *state;
    double xs[4], ys[4];
    double alpha = 2 * M_PI / (4.0 * QS);
    xs[0] = 500000; /* m */
    ys[0] = 2500000;
    /* the vertex of m's polygon farthest east, from the polygon itself */
    sv_geom *cm = sv_geom_circle(f->h, xs[0], ys[0], R, QS);
    double *pxy = NULL;
    size_t *starts = NULL, np = 0, best = 0;
    assert_non_null(cm);
    assert_int_equal(sv_geom_paths(f->h, cm, &pxy, &starts, &np), 0);
    for (size_t v = starts[0]; v < starts[1]; v++)
        if (pxy[2 * v] > pxy[2 * best])
            best = v;
    double th = atan2(pxy[2 * best + 1] - ys[0], pxy[2 * best] - xs[0]);
    sv_free(pxy);
    sv_free(starts);
    sv_geom_destroy(f->h, cm);
    double depth = 5e-5 * R; /* p inside m's polygon, 0.05 m behind the vertex */
    double px = xs[0] + (R - depth) * cos(th), py = ys[0] + (R - depth) * sin(th);
    double rho = R * (1 + cos(alpha / 2)) / 2; /* between x's apothem and radius */
    xs[1] = px - rho * cos(th + alpha / 2);      /* x: p in the direction of an edge's middle */
    ys[1] = py - rho * sin(th + alpha / 2);
    xs[2] = px - R / 2;
    ys[2] = py;
    xs[3] = px;
    ys[3] = py + R / 2;
    double s = 0.01; /* the piece: a square of 2 cm */
    double xy[] = {px - s, py - s, px + s, py - s, px + s, py + s, px - s, py + s, px - s, py - s};
    /* the premise: the whole piece is nearer to x than to m (so without the
     * margin x would pass for m), and x's true circle holds it */
    for (int v = 0; v < 4; v++) {
        double dm = hypot(xy[2 * v] - xs[0], xy[2 * v + 1] - ys[0]);
        double dx = hypot(xy[2 * v] - xs[1], xy[2 * v + 1] - ys[1]);
        assert_true(dx < dm);
        assert_true(dx < R);
    }
    sv_geom *region = sv_geom_polygon_xy(f->h, xy, 5);
    assert_non_null(region);
    double area = sv_geom_area(f->h, region);
    size_t all[4] = {0, 1, 2, 3}, ids[4] = {0, 1, 2, 3}, without_m[3] = {1, 2, 3};
    double only[MAXC];
    sv_redundancy full, kept, lost;
    classes(f, region, xs, ys, all, 4, 0, 0, &full, only);
    assert_true(fabs(full.area[3] - area) < 1e-9 * area); /* 3+ all over: m, and the two big ones */
    classes(f, region, xs, ys, without_m, 3, 0, 0, &lost, only);
    assert_true(lost.area[2] > 0.99 * area); /* x's polygon misses it: dropping m would make it 2 */
    size_t nk = sv_red_prune_dominated(xs, ys, ids, 4, 0, xy, 5, R, QS);
    int has_m = 0;
    for (size_t k = 0; k < nk; k++)
        has_m |= ids[k] == 0;
    assert_true(has_m);
    classes(f, region, xs, ys, ids, nk, 0, 0, &kept, only);
    assert_true(fabs(kept.area[3] - area) < 1e-9 * area);
    /* with a plain circle far behind the piece m is dropped, as it should be */
    double xs2[4] = {xs[0], px - R / 3, xs[2], xs[3]}, ys2[4] = {ys[0], py, ys[2], ys[3]};
    size_t ids2[4] = {0, 1, 2, 3};
    nk = sv_red_prune_dominated(xs2, ys2, ids2, 4, 0, xy, 5, R, QS);
    for (size_t k = 0; k < nk; k++)
        assert_true(ids2[k] != 0);
    sv_redundancy_free(&full);
    sv_redundancy_free(&kept);
    sv_redundancy_free(&lost);
    sv_geom_destroy(f->h, region);
}

/* Base circles count as witnesses: with two holding all of the piece one
 * nearer circle is enough to drop m; with none, three are needed. */
static void test_base_counts(void **state)
{
    (void)state;
    double xs[3] = {0, 0, 10}, ys[3] = {900, 100, 120};
    double xy[] = {-10, 0, 10, 0, 10, 20, -10, 20, -10, 0};
    size_t ids[2] = {0, 1};
    assert_int_equal(sv_red_prune_dominated(xs, ys, ids, 2, 2, xy, 5, R, QS), 1);
    assert_int_equal(ids[0], 1); /* the far one (m = 0) went, its witness stayed */
    size_t ids3[3] = {0, 1, 2};
    assert_int_equal(sv_red_prune_dominated(xs, ys, ids3, 3, 0, xy, 5, R, QS), 3); /* two witnesses only */
    size_t ids1[3] = {0, 1, 2};
    assert_int_equal(sv_red_prune_dominated(xs, ys, ids1, 3, 1, xy, 5, R, QS), 2);
    assert_int_equal(sv_red_prune_dominated(xs, ys, ids1, 3, 3, xy, 5, R, QS), 0); /* 3+ all over */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_random_dense_exact, svt_geos_setup, svt_geos_teardown),
        cmocka_unit_test_setup_teardown(test_tie_at_bisector_kept, svt_geos_setup, svt_geos_teardown),
        cmocka_unit_test_setup_teardown(test_base_counts, svt_geos_setup, svt_geos_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
