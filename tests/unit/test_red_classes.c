/* test_red_classes.c - the class polygons of a district cut into pieces
 * (sv_redundancy_compute_pieces, engine/population.c), whichever class has
 * the most faces: a district no circle reaches is class 0 all over; where
 * class 0, 2 or 3+ has the most faces, or two classes tie, each stored
 * polygon has the area its faces give, lies where its class is (the
 * circle's class in the circle, the one below outside it), and the
 * polygons tile the district without overlapping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "svcov/sv_common.h"
#include "svcov/sv_geom.h"
#include "svcov/sv_people.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define QS 32
#define X0 500000.0
#define Y0 2500000.0

#include "svtest_geos.h"

typedef svt_geos_fixture fixture;

/* The stored polygon of class c (NULL when the class is empty). */
static sv_geom *class_geom(fixture *f, const sv_redundancy *r, int c)
{
    return r->wkb[c] ? sv_geom_from_wkb(f->h, r->wkb[c], r->len[c]) : NULL;
}

static double area_of(fixture *f, const sv_geom *g)
{
    return g ? sv_geom_area(f->h, g) : 0.0;
}

static double overlap(fixture *f, const sv_geom *a, const sv_geom *b)
{
    if (!a || !b)
        return 0.0;
    sv_geom *x = sv_geom_intersection(f->h, a, b);
    assert_non_null(x);
    double v = sv_geom_area(f->h, x);
    sv_geom_destroy(f->h, x);
    return v;
}

/* The district [X0, X0+2000] x [Y0, Y0+1000] as four pieces of 500 x 1000,
 * piece k with base[k] circles holding all of it; a circle of radius 200
 * around (X0+250, Y0+500) crosses piece 0 when cross is set (it lies
 * inside piece 0). Checks the stored polygons against want[] (the area of
 * each class, from the geometry, not from the faces) and returns nothing. */
static void run(fixture *f, const int base[4], int cross, const double want[SV_REDUNDANCY_CLASSES])
{
    sv_env de = {X0, Y0, X0 + 2000, Y0 + 1000};
    sv_geom *D = sv_geom_rect(f->h, &de);
    sv_geom *circle = sv_geom_circle(f->h, X0 + 250, Y0 + 500, 200, QS);
    sv_geom *piece[4];
    assert_non_null(D);
    assert_non_null(circle);
    const sv_geom *areas[1] = {circle};
    size_t ids[1] = {7};
    sv_red_piece pc[4];
    for (int k = 0; k < 4; k++) {
        sv_env e = {X0 + 500 * k, Y0, X0 + 500 * (k + 1), Y0 + 1000};
        piece[k] = sv_geom_rect(f->h, &e);
        assert_non_null(piece[k]);
        int n = k == 0 && cross;
        pc[k] = (sv_red_piece){piece[k], n ? areas : NULL, n ? ids : NULL, (size_t)n, base[k], 3};
    }
    sv_redundancy r;
    assert_int_equal(sv_redundancy_compute_pieces(f->ctx, f->h, D, pc, 4, NULL, -1, NULL, NULL, NULL, &r), SV_OK);
    sv_geom *g[SV_REDUNDANCY_CLASSES];
    double sum = 0;
    for (int c = 0; c < SV_REDUNDANCY_CLASSES; c++) {
        g[c] = class_geom(f, &r, c);
        double a = area_of(f, g[c]);
        if (!(fabs(r.area[c] - want[c]) <= 1e-6 * 2e6)) /* the faces' sums */
            fail_msg("class %d: faces %.6f, want %.6f", c, r.area[c], want[c]);
        if (!(fabs(a - want[c]) <= 1e-6 * 2e6))
            fail_msg("class %d: polygon area %.6f, want %.6f", c, a, want[c]);
        assert_int_equal(g[c] != NULL, want[c] > 0);
        sum += a;
    }
    assert_true(fabs(sum - 2e6) <= 1e-6 * 2e6);
    for (int c = 0; c < SV_REDUNDANCY_CLASSES; c++)
        for (int d = c + 1; d < SV_REDUNDANCY_CLASSES; d++)
            assert_true(overlap(f, g[c], g[d]) <= 1e-3);
    if (cross) { /* the circle's class is base[0] + 1 inside it, base[0] outside */
        int in = base[0] + 1 < 3 ? base[0] + 1 : 3, out = base[0] < 3 ? base[0] : 3;
        double ca = sv_geom_area(f->h, circle);
        if (in != out) {
            assert_true(fabs(overlap(f, g[in], circle) - ca) <= 1e-6 * ca);
            assert_true(overlap(f, g[out], circle) <= 1e-3);
        }
    }
    for (int c = 0; c < SV_REDUNDANCY_CLASSES; c++)
        sv_geom_destroy(f->h, g[c]);
    sv_redundancy_free(&r);
    for (int k = 0; k < 4; k++)
        sv_geom_destroy(f->h, piece[k]);
    sv_geom_destroy(f->h, circle);
    sv_geom_destroy(f->h, D);
}

static double circle_area(fixture *f)
{
    sv_geom *c = sv_geom_circle(f->h, X0 + 250, Y0 + 500, 200, QS);
    double a = sv_geom_area(f->h, c);
    sv_geom_destroy(f->h, c);
    return a;
}

/* No circle reaches the district: it is class 0 all over, one polygon. */
static void test_uncovered(void **state)
{
    fixture *f = *state;
    int base[4] = {0, 0, 0, 0};
    double want[SV_REDUNDANCY_CLASSES] = {2e6, 0, 0, 0};
    run(f, base, 0, want);
}

/* One circle inside piece 0, nothing else: class 0 has the most faces
 * (four against one) and is the district less the circle; with a piece of
 * 3+ it is the district less both. */
static void test_class0_most(void **state)
{
    fixture *f = *state;
    int base[4] = {0, 0, 0, 0};
    double ca = circle_area(f);
    double want[SV_REDUNDANCY_CLASSES] = {2e6 - ca, ca, 0, 0};
    run(f, base, 1, want);
    /* and a piece of 3+ beside them, which class 0 must leave out */
    int b3[4] = {0, 0, 3, 0};
    double w3[SV_REDUNDANCY_CLASSES] = {1.5e6 - ca, ca, 0, 5e5};
    run(f, b3, 1, w3);
}

/* Downtown: 3+ has the most faces (the district less class 2's ring around
 * the circle in piece 0). */
static void test_class3_most(void **state)
{
    fixture *f = *state;
    int base[4] = {2, 3, 3, 3};
    double ca = circle_area(f);
    double want[SV_REDUNDANCY_CLASSES] = {0, 0, 5e5 - ca, 1.5e6 + ca};
    run(f, base, 1, want);
}

/* Class 2 has the most faces (three pieces), class 0 one piece and the
 * circle's class 1 in it: class 2 is the district less both. */
static void test_class2_most(void **state)
{
    fixture *f = *state;
    int base[4] = {0, 2, 2, 2};
    double ca = circle_area(f);
    double want[SV_REDUNDANCY_CLASSES] = {5e5 - ca, ca, 1.5e6, 0};
    run(f, base, 1, want);
}

/* Classes 1 and 3+ tie (two faces each): 3+ is the complement, class 1
 * the union of its faces; and a tie of 0 and 1 with nothing above. */
static void test_ties(void **state)
{
    fixture *f = *state;
    int b13[4] = {1, 3, 1, 3};
    double w13[SV_REDUNDANCY_CLASSES] = {0, 1e6, 0, 1e6};
    run(f, b13, 0, w13);
    int b01[4] = {0, 1, 1, 0};
    double w01[SV_REDUNDANCY_CLASSES] = {1e6, 1e6, 0, 0};
    run(f, b01, 0, w01);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uncovered),   cmocka_unit_test(test_class0_most), cmocka_unit_test(test_class3_most),
        cmocka_unit_test(test_class2_most), cmocka_unit_test(test_ties),
    };
    return cmocka_run_group_tests(tests, svt_geos_setup, svt_geos_teardown);
}
