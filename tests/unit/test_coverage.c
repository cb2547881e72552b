/* test_coverage.c - sv_coverage_compute on districts built with sv_geom,
 * against analytic areas, and the Voronoi method against the union method. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "svcov/sv_common.h"
#include "svcov/sv_coverage.h"
#include "svcov/sv_geom.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define QS 32 /* quad_segs: 128-vertex circles */

static uint64_t rng_state;
static void rng_seed(uint64_t s) { rng_state = s; }
static double rng_uniform(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (double)((rng_state * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

/* ---- helpers ---- */

#include "svtest_geos.h"

typedef svt_geos_fixture fixture;

/* A set of districts as WKB. */
typedef struct {
    unsigned char *wkb[64];
    size_t len[64];
    size_t n;
} districts;

static void add_district(sv_geos *h, districts *d, sv_geom *g /* taken */)
{
    assert_non_null(g);
    assert_true(d->n < 64);
    assert_int_equal(sv_geom_is_valid(h, g, NULL), 1);
    d->wkb[d->n] = sv_geom_to_wkb(h, g, &d->len[d->n]);
    assert_non_null(d->wkb[d->n]);
    d->n++;
    sv_geom_destroy(h, g);
}

static void add_rect(sv_geos *h, districts *d, double x0, double y0, double x1, double y1)
{
    sv_env e = {x0, y0, x1, y1};
    add_district(h, d, sv_geom_rect(h, &e));
}

static void free_districts(districts *d)
{
    for (size_t i = 0; i < d->n; i++)
        sv_free(d->wkb[i]);
    d->n = 0;
}

static sv_status compute(fixture *f, const double *xs, const double *ys, size_t ns, const districts *d,
                         const double *radii, size_t nb, sv_method method, int want_geometry,
                         sv_cov_result *out)
{
    sv_break br[8];
    assert_true(nb <= 8);
    for (size_t b = 0; b < nb; b++) {
        br[b].minutes = NAN;
        br[b].radius_m = radii[b];
    }
    sv_cov_input in = {
        .xs = xs,
        .ys = ys,
        .n_stations = ns,
        .district_wkb = (const unsigned char *const *)d->wkb,
        .district_wkb_len = d->len,
        .n_districts = d->n,
        .breaks = br,
        .n_breaks = nb,
        .quad_segs = QS,
        .method = method,
        .want_geometry = want_geometry,
        .geometry_limit = 0,
    };
    return sv_coverage_compute(f->ctx, &in, out);
}

static const sv_cov_cell *cell(const sv_cov_result *r, size_t d, size_t b)
{
    assert_true(d < r->n_districts && b < r->n_breaks);
    return &r->cells[d * r->n_breaks + b];
}

static void assert_rel(const char *what, double got, double want, double rel)
{
    double err = fabs(got - want) / fabs(want);
    if (!(err <= rel))
        fail_msg("%s: got %.10g, want %.10g (relative error %.3g > %.3g)", what, got, want, err, rel);
}

static double polygon_circle_area(double r)
{
    int n = 4 * QS;
    return 0.5 * n * r * r * sin(2.0 * M_PI / n);
}

/* Area of WKB (0 for NULL). */
static double wkb_area(sv_geos *h, const unsigned char *wkb, size_t len)
{
    if (!wkb)
        return 0;
    sv_geom *g = sv_geom_from_wkb(h, wkb, len);
    assert_non_null(g);
    double a = sv_geom_area(h, g);
    sv_geom_destroy(h, g);
    return a;
}

/* Covered + gap = area, and the stored polygons have the stated areas. */
static void check_cell_geometry(sv_geos *h, const sv_cov_cell *c)
{
    assert_rel("covered + gap", c->covered_m2 + c->gap_m2, c->area_m2, 1e-12);
    assert_true(c->covered_m2 >= 0 && c->gap_m2 >= 0);
    double ca = wkb_area(h, c->covered_wkb, c->covered_len);
    double ga = wkb_area(h, c->gap_wkb, c->gap_len);
    if (c->covered_m2 > 0)
        assert_rel("covered polygon area", ca, c->covered_m2, 1e-6);
    else
        assert_null(c->covered_wkb);
    if (c->gap_m2 > 1e-6 * c->area_m2)
        assert_rel("gap polygon area", ga, c->gap_m2, 1e-6);
}

/* ---- analytic cases ---- */

/* 2000 m x 2000 m square, one station at its centre, radius 500. */
static void test_square_centre_station(void **state)
{
    fixture *f = *state;
    districts d = {0};
    add_rect(f->h, &d, 499000, 4699000, 501000, 4701000);
    double x = 500000, y = 4700000, r = 500;
    const sv_method methods[] = {SV_METHOD_VORONOI, SV_METHOD_UNION};
    for (int m = 0; m < 2; m++) {
        sv_cov_result res;
        assert_int_equal(compute(f, &x, &y, 1, &d, &r, 1, methods[m], 1, &res), SV_OK);
        const sv_cov_cell *c = cell(&res, 0, 0);
        assert_float_equal(c->area_m2, 4e6, 1e-6);
        /* the 128-gon exactly, and pi r^2 to 0.1% */
        assert_rel("covered vs polygon circle", c->covered_m2, polygon_circle_area(r), 1e-9);
        assert_rel("covered vs pi r^2", c->covered_m2, M_PI * r * r, 1e-3);
        double share = c->covered_m2 / c->area_m2;
        assert_rel("covered share", share, M_PI * r * r / 4e6, 1e-3);
        assert_float_equal(c->gap_m2, 4e6 - c->covered_m2, 1e-6);
        assert_int_equal(res.n_inside[0], 1);
        assert_int_equal(c->n_reaching, 1);
        check_cell_geometry(f->h, c);
        /* the gap is one polygon with a hole */
        sv_geom *gap = sv_geom_from_wkb(f->h, c->gap_wkb, c->gap_len);
        assert_non_null(gap);
        assert_int_equal(sv_geom_num_parts(f->h, gap), 1);
        sv_geom_destroy(f->h, gap);
        sv_cov_result_free(&res);
    }
    free_districts(&d);
}

/* Two circles whose centres are 600 m apart, radius 500: the union counts
 * the lens once. */
static void test_two_overlapping_circles(void **state)
{
    fixture *f = *state;
    districts d = {0};
    add_rect(f->h, &d, 0, 0, 2000, 2000);
    const double xs[] = {700, 1300}, ys[] = {1000, 1000};
    double r = 500, dist = 600;
    double lens = 2 * r * r * acos(dist / (2 * r)) - 0.5 * dist * sqrt(4 * r * r - dist * dist);
    double want = 2 * M_PI * r * r - lens;
    const sv_method methods[] = {SV_METHOD_VORONOI, SV_METHOD_UNION};
    for (int m = 0; m < 2; m++) {
        sv_cov_result res;
        assert_int_equal(compute(f, xs, ys, 2, &d, &r, 1, methods[m], 1, &res), SV_OK);
        const sv_cov_cell *c = cell(&res, 0, 0);
        assert_rel("two circles vs analytic union", c->covered_m2, want, 1e-3);
        /* clearly below the sum of the two circles */
        assert_true(c->covered_m2 < 2 * polygon_circle_area(r) - 0.9 * lens);
        assert_int_equal(res.n_inside[0], 2);
        assert_int_equal(c->n_reaching, 2);
        check_cell_geometry(f->h, c);
        sv_cov_result_free(&res);
    }
    free_districts(&d);
}

/* A station 300 m outside the square: its 500 m circle reaches 200 m in. */
static void test_station_outside_reaching_in(void **state)
{
    fixture *f = *state;
    districts d = {0};
    add_rect(f->h, &d, 0, 0, 2000, 2000);
    double x = 2300, y = 1000, r = 500, off = 300;
    double seg = r * r * acos(off / r) - off * sqrt(r * r - off * off);
    /* and a second radius that does not reach: 250 m */
    const double radii[] = {r, 250};
    const sv_method methods[] = {SV_METHOD_VORONOI, SV_METHOD_UNION};
    for (int m = 0; m < 2; m++) {
        sv_cov_result res;
        assert_int_equal(compute(f, &x, &y, 1, &d, radii, 2, methods[m], 1, &res), SV_OK);
        assert_int_equal(res.n_inside[0], 0);
        const sv_cov_cell *c = cell(&res, 0, 0);
        assert_int_equal(c->n_reaching, 1);
        assert_true(c->covered_m2 > 0);
        assert_rel("circular segment", c->covered_m2, seg, 5e-3);
        check_cell_geometry(f->h, c);
        const sv_cov_cell *c2 = cell(&res, 0, 1);
        assert_int_equal(c2->n_reaching, 0);
        assert_float_equal(c2->covered_m2, 0.0, 0.0);
        assert_float_equal(c2->gap_m2, 4e6, 1e-6);
        sv_cov_result_free(&res);
    }
    free_districts(&d);
}

static void test_zero_stations(void **state)
{
    fixture *f = *state;
    districts d = {0};
    add_rect(f->h, &d, 0, 0, 2000, 2000);
    add_rect(f->h, &d, 5000, 5000, 5100, 5300);
    const double radii[] = {500, 1000};
    const sv_method methods[] = {SV_METHOD_VORONOI, SV_METHOD_UNION};
    for (int m = 0; m < 2; m++) {
        sv_cov_result res;
        assert_int_equal(compute(f, NULL, NULL, 0, &d, radii, 2, methods[m], 1, &res), SV_OK);
        for (size_t k = 0; k < 2; k++) {
            assert_int_equal(res.n_inside[k], 0);
            for (size_t b = 0; b < 2; b++) {
                const sv_cov_cell *c = cell(&res, k, b);
                double area = k == 0 ? 4e6 : 100.0 * 300.0;
                assert_float_equal(c->area_m2, area, 1e-6);
                assert_float_equal(c->covered_m2, 0.0, 0.0);
                assert_float_equal(c->gap_m2, area, 1e-6);
                assert_int_equal(c->n_reaching, 0);
                assert_null(c->covered_wkb);
                assert_non_null(c->gap_wkb);
                assert_rel("gap polygon = district", wkb_area(f->h, c->gap_wkb, c->gap_len), area, 1e-12);
            }
        }
        sv_cov_result_free(&res);
    }
    free_districts(&d);
}

/* Overlapping districts are each measured on their own: a station on a
 * district's edge counts as inside it, and each district gets its own part
 * of every circle. */
static void test_overlapping_districts(void **state)
{
    fixture *f = *state;
    districts d = {0};
    add_rect(f->h, &d, 0, 0, 2000, 2000);    /* A */
    add_rect(f->h, &d, 1000, 0, 3000, 2000); /* B overlaps A by half */
    add_rect(f->h, &d, 0, 0, 3000, 2000);    /* C = A u B */
    /* station 0 is inside A and on B's left edge; station 1 is on A's right
     * edge and inside B; their 500 m circles only touch */
    const double xs[] = {1000, 2000}, ys[] = {1000, 1000};
    double r = 500, full = polygon_circle_area(r);
    const double want[3] = {1.5 * full, 1.5 * full, 2 * full};
    const sv_method methods[] = {SV_METHOD_VORONOI, SV_METHOD_UNION};
    for (int m = 0; m < 2; m++) {
        sv_cov_result res;
        assert_int_equal(compute(f, xs, ys, 2, &d, &r, 1, methods[m], 1, &res), SV_OK);
        for (size_t k = 0; k < 3; k++) {
            char what[64];
            snprintf(what, sizeof what, "district %zu method %d", k, m);
            assert_rel(what, cell(&res, k, 0)->covered_m2, want[k], 1e-9);
            assert_int_equal(res.n_inside[k], 2);
            assert_int_equal(cell(&res, k, 0)->n_reaching, 2);
            check_cell_geometry(f->h, cell(&res, k, 0));
        }
        assert_float_equal(cell(&res, 0, 0)->area_m2, 4e6, 1e-6);
        assert_float_equal(cell(&res, 2, 0)->area_m2, 6e6, 1e-6);
        /* A and B together count the middle strip twice: more than C */
        assert_rel("A + B - C = what they share", cell(&res, 0, 0)->covered_m2 + cell(&res, 1, 0)->covered_m2 -
                   cell(&res, 2, 0)->covered_m2, full, 1e-9);
        sv_cov_result_free(&res);
    }
    free_districts(&d);
}

/* Bad parameters are usage errors. */
static void test_bad_parameters(void **state)
{
    fixture *f = *state;
    districts d = {0};
    add_rect(f->h, &d, 0, 0, 10, 10);
    double x = 5, y = 5;
    const double bad[] = {0, -1, NAN, INFINITY};
    for (size_t i = 0; i < 4; i++) {
        sv_cov_result res;
        assert_int_equal(compute(f, &x, &y, 1, &d, &bad[i], 1, SV_METHOD_VORONOI, 0, &res), SV_ERR_USAGE);
        sv_cov_result_free(&res);
    }
    free_districts(&d);
}

/* Only the first geometry_limit districts get polygons. */
static void test_geometry_limit(void **state)
{
    fixture *f = *state;
    districts d = {0};
    add_rect(f->h, &d, 0, 0, 2000, 2000);
    add_rect(f->h, &d, 0, 0, 2000, 2000);
    double x = 1000, y = 1000, r = 300;
    sv_break br = {NAN, r};
    sv_cov_input in = {
        .xs = &x, .ys = &y, .n_stations = 1,
        .district_wkb = (const unsigned char *const *)d.wkb, .district_wkb_len = d.len, .n_districts = 2,
        .breaks = &br, .n_breaks = 1, .quad_segs = QS, .method = SV_METHOD_VORONOI,
        .want_geometry = 1, .geometry_limit = 1,
    };
    sv_cov_result res;
    assert_int_equal(sv_coverage_compute(f->ctx, &in, &res), SV_OK);
    assert_non_null(res.cells[0].covered_wkb);
    assert_non_null(res.cells[0].gap_wkb);
    assert_null(res.cells[1].covered_wkb);
    assert_null(res.cells[1].gap_wkb);
    assert_float_equal(res.cells[0].covered_m2, res.cells[1].covered_m2, 0.0);
    assert_rel("limited district still measured", res.cells[1].covered_m2, polygon_circle_area(r), 1e-9);
    sv_cov_result_free(&res);
    free_districts(&d);
}

/* ---- randomized: Voronoi pieces vs the union of circles ---- */

/* A star-shaped polygon around (cx, cy). */
static sv_geom *random_star(sv_geos *h, double cx, double cy, double rmin, double rmax)
{
    int n = 6 + (int)(rng_uniform() * 12);
    char *wkt = malloc(64 * (size_t)(n + 2) + 32);
    size_t used = (size_t)sprintf(wkt, "POLYGON((");
    double x0 = 0, y0 = 0;
    for (int i = 0; i < n; i++) {
        double a = 2 * M_PI * (i + 0.8 * rng_uniform()) / n;
        double rr = rmin + (rmax - rmin) * rng_uniform();
        double x = cx + rr * cos(a), y = cy + rr * sin(a);
        if (i == 0) {
            x0 = x;
            y0 = y;
        }
        used += (size_t)sprintf(wkt + used, "%.3f %.3f,", x, y);
    }
    sprintf(wkt + used, "%.3f %.3f))", x0, y0);
    sv_geom *g = sv_geom_from_wkt(h, wkt);
    free(wkt);
    return g;
}

static void test_random_methods_agree(void **state)
{
    fixture *f = *state;
    rng_seed(0x5eed2024);
    enum { NS = 300, ND = 20 };
    double xs[NS], ys[NS];
    for (int i = 0; i < NS; i++) {
        if (i % 37 == 36) { /* a few repeated stations */
            xs[i] = xs[i / 2];
            ys[i] = ys[i / 2];
            continue;
        }
        /* over the 10 km city and 1 km beyond */
        xs[i] = 300000 - 1000 + 12000 * rng_uniform();
        ys[i] = 2500000 - 1000 + 12000 * rng_uniform();
    }
    districts d = {0};
    for (int k = 0; k < ND; k++) {
        double cx = 300000 + 10000 * rng_uniform(), cy = 2500000 + 10000 * rng_uniform();
        sv_geom *g = random_star(f->h, cx, cy, 300, 2500);
        if (k % 5 == 4) { /* some districts in two parts */
            sv_geom *parts[2] = {g, random_star(f->h, cx + 4000, cy - 3000, 200, 900)};
            g = sv_geom_union_take(f->h, parts, 2);
        }
        int repaired = 0;
        sv_geom *v = sv_geom_make_valid_polygonal(f->h, g, &repaired);
        sv_geom_destroy(f->h, g);
        add_district(f->h, &d, v);
    }
    const double radii[] = {300, 800};
    sv_cov_result res[2][2]; /* [method][threads-1] */
    const sv_method methods[] = {SV_METHOD_VORONOI, SV_METHOD_UNION};
    for (int m = 0; m < 2; m++)
        for (int t = 1; t <= 2; t++) {
            sv_ctx_set_threads(f->ctx, t);
            assert_int_equal(sv_ctx_threads(f->ctx), t);
            assert_int_equal(compute(f, xs, ys, NS, &d, radii, 2, methods[m], 1, &res[m][t - 1]), SV_OK);
        }
    double max_pp = 0, sum_cov = 0;
    int partial = 0;
    for (size_t k = 0; k < d.n; k++)
        for (size_t b = 0; b < 2; b++) {
            const sv_cov_cell *v = cell(&res[0][0], k, b), *u = cell(&res[1][0], k, b);
            assert_float_equal(v->area_m2, u->area_m2, 1e-6);
            double pv = 100 * v->covered_m2 / v->area_m2, pu = 100 * u->covered_m2 / u->area_m2;
            double diff = fabs(pv - pu);
            max_pp = fmax(max_pp, diff);
            if (diff > 1e-3)
                fail_msg("district %zu radius %g: voronoi %.6f%% vs union %.6f%%", k, radii[b], pv, pu);
            assert_int_equal(v->n_reaching, u->n_reaching);
            assert_int_equal(res[0][0].n_inside[k], res[1][0].n_inside[k]);
            partial += pv > 1 && pv < 99;
            sum_cov += v->covered_m2;
            check_cell_geometry(f->h, v);
            check_cell_geometry(f->h, u);
            /* one thread or two: the same numbers */
            for (int m = 0; m < 2; m++) {
                const sv_cov_cell *a = cell(&res[m][0], k, b), *c = cell(&res[m][1], k, b);
                assert_float_equal(a->covered_m2, c->covered_m2, 1e-9 * (1 + a->covered_m2));
                assert_float_equal(a->gap_m2, c->gap_m2, 1e-9 * (1 + a->gap_m2));
                assert_int_equal(a->n_reaching, c->n_reaching);
                assert_int_equal(a->covered_len, c->covered_len);
                assert_int_equal(res[m][0].n_inside[k], res[m][1].n_inside[k]);
            }
        }
    /* a bigger radius never covers less */
    for (size_t k = 0; k < d.n; k++) {
        assert_true(cell(&res[0][0], k, 1)->covered_m2 >= cell(&res[0][0], k, 0)->covered_m2);
        assert_true(cell(&res[0][0], k, 1)->n_reaching >= cell(&res[0][0], k, 0)->n_reaching);
        assert_true(cell(&res[0][0], k, 0)->n_reaching >= res[0][0].n_inside[k]);
    }
    /* the test data is not degenerate: most cells are partly covered */
    assert_true(partial > (int)d.n);
    assert_true(sum_cov > 0);
    print_message("voronoi vs union over %zu districts x 2 radii: max difference %.2e percentage points\n",
                  d.n, max_pp);
    for (int m = 0; m < 2; m++)
        for (int t = 0; t < 2; t++)
            sv_cov_result_free(&res[m][t]);
    free_districts(&d);
}

/* Issue 19 item 2: reach_shortcuts (the category coverage's) gives the Voronoi method's numbers. Few stations
 * over many districts, as a small category: districts no circle reaches, districts one circle reaches and
 * districts several reach all occur; areas and polygons' areas agree to 1e-9 of the district's area with the plain
 * Voronoi run, and 1 and 2 threads give the same bytes. */
static void test_reach_shortcuts_same(void **state)
{
    fixture *f = *state;
    rng_seed(0xca7e6042);
    enum { NS = 14, ND = 40 };
    double xs[NS], ys[NS];
    for (int i = 0; i < NS; i++) {
        xs[i] = 300000 + 10000 * rng_uniform();
        ys[i] = 2500000 + 10000 * rng_uniform();
    }
    districts d = {0};
    for (int k = 0; k < ND; k++) {
        double cx = 300000 + 10000 * rng_uniform(), cy = 2500000 + 10000 * rng_uniform();
        int repaired = 0;
        sv_geom *g = random_star(f->h, cx, cy, 150, 900);
        sv_geom *v = sv_geom_make_valid_polygonal(f->h, g, &repaired);
        sv_geom_destroy(f->h, g);
        add_district(f->h, &d, v);
    }
    sv_break br[3] = {{NAN, 300}, {NAN, 800}, {NAN, 1500}};
    sv_cov_result plain, fast[2];
    sv_cov_input in = {
        .xs = xs, .ys = ys, .n_stations = NS,
        .district_wkb = (const unsigned char *const *)d.wkb, .district_wkb_len = d.len, .n_districts = d.n,
        .breaks = br, .n_breaks = 3, .quad_segs = QS, .method = SV_METHOD_VORONOI, .want_geometry = 1,
    };
    sv_ctx_set_threads(f->ctx, 1);
    assert_int_equal(sv_coverage_compute(f->ctx, &in, &plain), SV_OK);
    in.no_counts = 1;
    in.reach_shortcuts = 1;
    for (int t = 1; t <= 2; t++) {
        sv_ctx_set_threads(f->ctx, t);
        assert_int_equal(sv_coverage_compute(f->ctx, &in, &fast[t - 1]), SV_OK);
    }
    int seen[3] = {0, 0, 0}; /* no circle, one, several */
    double worst = 0;
    for (size_t k = 0; k < d.n; k++)
        for (size_t b = 0; b < 3; b++) {
            const sv_cov_cell *p = cell(&plain, k, b), *q = cell(&fast[0], k, b), *q2 = cell(&fast[1], k, b);
            seen[p->n_reaching < 2 ? p->n_reaching : 2]++;
            double a = p->area_m2;
            worst = fmax(worst, fabs(p->covered_m2 - q->covered_m2) / a);
            if (!(fabs(p->covered_m2 - q->covered_m2) <= 1e-9 * a && fabs(p->gap_m2 - q->gap_m2) <= 1e-9 * a))
                fail_msg("district %zu, %g m, %d reaching: covered %.9f / %.9f, gap %.9f / %.9f", k,
                         br[b].radius_m, p->n_reaching, p->covered_m2, q->covered_m2, p->gap_m2, q->gap_m2);
            assert_true(fabs(wkb_area(f->h, p->gap_wkb, p->gap_len) - wkb_area(f->h, q->gap_wkb, q->gap_len)) <=
                        1e-9 * a);
            assert_true(fabs(wkb_area(f->h, p->covered_wkb, p->covered_len) -
                             wkb_area(f->h, q->covered_wkb, q->covered_len)) <= 1e-9 * a);
            check_cell_geometry(f->h, q);
            assert_int_equal(q->n_reaching, 0); /* no_counts */
            assert_int_equal(q->covered_len, q2->covered_len);
            assert_int_equal(q->gap_len, q2->gap_len);
            assert_true(q->covered_len == 0 || memcmp(q->covered_wkb, q2->covered_wkb, q->covered_len) == 0);
            assert_true(q->gap_len == 0 || memcmp(q->gap_wkb, q2->gap_wkb, q->gap_len) == 0);
        }
    if (!(seen[0] > 0 && seen[1] > 0 && seen[2] > 0))
        fail_msg("cases not all seen: %d without a circle, %d with one, %d with several", seen[0], seen[1], seen[2]);
    print_message("reach shortcuts: %d districts x radii without a circle, %d with one, %d with several; largest "
                  "difference %.2e of the area\n", seen[0], seen[1], seen[2], worst);
    sv_cov_result_free(&plain);
    sv_cov_result_free(&fast[0]);
    sv_cov_result_free(&fast[1]);
    free_districts(&d);
}

/* Issue 19 item 3 (cat6): with the category pass's settings (no_counts, reach_shortcuts, unite_then_cut) a district
 * whose envelope lies within r*cos(pi/n) of one station is all covered with no overlay, and one that a single circle
 * reaches is cut by that circle clipped to the district's envelope grown by 1 m. Circles of 16 vertices (quad_segs
 * 4: inscribed disk 980.8 m for 1000 m, so the gaps are metres wide, not slivers); squares of 20 m whose far corner
 * lies at 975 m (inside the inscribed disk) or at 995 m (between it and the circle: inside the 16-gon near a
 * vertex, outside it between two) from the station, at 30 directions: every number agrees with the union of
 * circles (an independent way) to 1e-9 of the district, the first ring is all covered exactly with no gap polygon,
 * and some squares of the second ring have a gap, so a containment test against the circle of radius r instead of
 * the inscribed disk fails here. */
static void test_category_shortcuts_exact(void **state)
{
    fixture *f = *state;
    const double x0 = 500000, y0 = 4700000, r = 1000, side = 20;
    const double xs[2] = {x0, x0 + 6000}, ys[2] = {y0, y0 + 5000}; /* the second far from every square */
    const double rho[2] = {975, 995};
    districts d = {0};
    for (int ring = 0; ring < 2; ring++)
        for (int k = 0; k < 30; k++) {
            double a = (5.0 + 80.0 * (k + 0.37) / 30.0) * M_PI / 180.0;
            double cx = x0 + rho[ring] * cos(a), cy = y0 + rho[ring] * sin(a); /* the far corner */
            add_rect(f->h, &d, cx - side, cy - side, cx, cy);
        }
    sv_break br[1] = {{NAN, r}};
    sv_cov_input in = {
        .xs = xs, .ys = ys, .n_stations = 2,
        .district_wkb = (const unsigned char *const *)d.wkb, .district_wkb_len = d.len, .n_districts = d.n,
        .breaks = br, .n_breaks = 1, .quad_segs = 4, .method = SV_METHOD_UNION, .want_geometry = 1,
    };
    sv_cov_result ref, fast;
    assert_int_equal(sv_coverage_compute(f->ctx, &in, &ref), SV_OK);
    in.method = SV_METHOD_VORONOI;
    in.no_counts = 1;
    in.reach_shortcuts = 1;
    in.unite_then_cut = 1;
    assert_int_equal(sv_coverage_compute(f->ctx, &in, &fast), SV_OK);
    int with_gap = 0;
    for (size_t k = 0; k < d.n; k++) {
        const sv_cov_cell *u = cell(&ref, k, 0), *q = cell(&fast, k, 0);
        double a = u->area_m2;
        if (!(fabs(u->covered_m2 - q->covered_m2) <= 1e-9 * a && fabs(u->gap_m2 - q->gap_m2) <= 1e-9 * a))
            fail_msg("square %zu (corner at %.2f m): covered %.9f (union) / %.9f, gap %.9f / %.9f", k, rho[k / 30],
                     u->covered_m2, q->covered_m2, u->gap_m2, q->gap_m2);
        assert_true(fabs(wkb_area(f->h, u->covered_wkb, u->covered_len) -
                         wkb_area(f->h, q->covered_wkb, q->covered_len)) <= 1e-9 * a);
        assert_true(fabs(wkb_area(f->h, u->gap_wkb, u->gap_len) - wkb_area(f->h, q->gap_wkb, q->gap_len)) <= 1e-9 * a);
        check_cell_geometry(f->h, q);
        check_cell_geometry(f->h, u);
        if (k < 30) { /* inside the inscribed disk: the district itself, exactly */
            assert_true(q->covered_m2 == q->area_m2);
            assert_true(q->gap_m2 == 0);
            assert_null(q->gap_wkb);
            assert_rel("covered polygon", wkb_area(f->h, q->covered_wkb, q->covered_len), a, 1e-12);
        } else {
            with_gap += u->gap_m2 > 1e-6;
        }
    }
    if (with_gap < 3 || with_gap > 27)
        fail_msg("%d of the 30 squares at 995 m have a gap: the test does not separate the disks", with_gap);
    print_message("category shortcuts: 30 squares inside the inscribed disk, %d of 30 beyond it with a gap\n",
                  with_gap);
    sv_cov_result_free(&ref);
    sv_cov_result_free(&fast);
    free_districts(&d);
}

/* Issue 19 item 3 (cat6): unite_then_cut with the station counts (the all-station pass's settings since cat6):
 * the same areas as the plain Voronoi pass to 1e-9 of the district, the same counts, the covered polygon (district
 * minus the union of the cell parts) and the gap polygon with the areas of their numbers, the two adding up to the
 * district, on 1 and 2 threads with the same bytes. */
static void test_unite_then_cut_all_stations(void **state)
{
    fixture *f = *state;
    rng_seed(0xa11c0de6);
    enum { NS = 400, ND = 30 };
    double xs[NS], ys[NS];
    for (int i = 0; i < NS; i++) {
        double u = rng_uniform();
        if (i % 3 == 0) { /* a dense centre, as in a clustered city */
            xs[i] = 304000 + 2000 * u;
            ys[i] = 2504000 + 2000 * rng_uniform();
        } else {
            xs[i] = 300000 - 1000 + 12000 * u;
            ys[i] = 2500000 - 1000 + 12000 * rng_uniform();
        }
    }
    districts d = {0};
    for (int k = 0; k < ND; k++) {
        double cx = 300000 + 10000 * rng_uniform(), cy = 2500000 + 10000 * rng_uniform();
        int repaired = 0;
        sv_geom *g = random_star(f->h, cx, cy, 200, 1500);
        sv_geom *v = sv_geom_make_valid_polygonal(f->h, g, &repaired);
        sv_geom_destroy(f->h, g);
        add_district(f->h, &d, v);
    }
    sv_break br[2] = {{NAN, 250}, {NAN, 600}};
    sv_cov_input in = {
        .xs = xs, .ys = ys, .n_stations = NS,
        .district_wkb = (const unsigned char *const *)d.wkb, .district_wkb_len = d.len, .n_districts = d.n,
        .breaks = br, .n_breaks = 2, .quad_segs = QS, .method = SV_METHOD_VORONOI, .want_geometry = 1,
        .want_gap_parts = 1,
    };
    sv_cov_result plain, cut[2];
    sv_ctx_set_threads(f->ctx, 1);
    assert_int_equal(sv_coverage_compute(f->ctx, &in, &plain), SV_OK);
    in.unite_then_cut = 1;
    for (int t = 1; t <= 2; t++) {
        sv_ctx_set_threads(f->ctx, t);
        assert_int_equal(sv_coverage_compute(f->ctx, &in, &cut[t - 1]), SV_OK);
    }
    int partial = 0;
    for (size_t k = 0; k < d.n; k++) {
        assert_int_equal(plain.n_inside[k], cut[0].n_inside[k]);
        for (size_t b = 0; b < 2; b++) {
            const sv_cov_cell *p = cell(&plain, k, b), *q = cell(&cut[0], k, b), *q2 = cell(&cut[1], k, b);
            double a = p->area_m2;
            if (!(fabs(p->covered_m2 - q->covered_m2) <= 1e-9 * a && fabs(p->gap_m2 - q->gap_m2) <= 1e-9 * a))
                fail_msg("district %zu, %g m: covered %.9f / %.9f, gap %.9f / %.9f", k, br[b].radius_m,
                         p->covered_m2, q->covered_m2, p->gap_m2, q->gap_m2);
            assert_int_equal(p->n_reaching, q->n_reaching);
            double qc = wkb_area(f->h, q->covered_wkb, q->covered_len), qg = wkb_area(f->h, q->gap_wkb, q->gap_len);
            assert_true(fabs(qc - q->covered_m2) <= 1e-9 * a);
            assert_true(fabs(qg - q->gap_m2) <= 1e-9 * a);
            assert_true(fabs(qc + qg - a) <= 1e-9 * a);
            double parts = 0;
            for (int i = 0; i < q->n_gap_parts; i++)
                parts += q->gap_part_area[i];
            assert_true(fabs(parts - qg) <= 1e-9 * a);
            partial += q->covered_m2 > 0.01 * a && q->gap_m2 > 0.01 * a;
            assert_int_equal(q->covered_len, q2->covered_len);
            assert_int_equal(q->gap_len, q2->gap_len);
            assert_true(q->covered_len == 0 || memcmp(q->covered_wkb, q2->covered_wkb, q->covered_len) == 0);
            assert_true(q->gap_len == 0 || memcmp(q->gap_wkb, q2->gap_wkb, q->gap_len) == 0);
        }
    }
    if (partial < (int)d.n / 2)
        fail_msg("only %d of %zu district-breaks partly covered", partial, 2 * d.n);
    print_message("unite then cut, all stations: %d of %zu district-breaks partly covered\n", partial, 2 * d.n);
    sv_cov_result_free(&plain);
    sv_cov_result_free(&cut[0]);
    sv_cov_result_free(&cut[1]);
    free_districts(&d);
}

/* n stations for the convex-cut tests: a third in a 2 km centre, the rest over 12 km. */
static void centre_stations(double *xs, double *ys, int n)
{
    for (int i = 0; i < n; i++) {
        double w = i % 3 == 0 ? 2000 : 12000, o = i % 3 == 0 ? 304000 : 299000;
        xs[i] = o + w * rng_uniform();
        ys[i] = o + 2200000 + w * rng_uniform();
    }
}

/* 30 overlapping stars, made valid, into parts (room for 30): the districts of the convex-cut tests' last layout. */
static size_t star_parts(sv_geos *h, sv_geom **parts)
{
    for (int k = 0; k < 30; k++) {
        int repaired = 0;
        sv_geom *g = random_star(h, 300000 + 10000 * rng_uniform(), 2500000 + 10000 * rng_uniform(), 300, 2000);
        parts[k] = sv_geom_make_valid_polygonal(h, g, &repaired);
        assert_non_null(parts[k]);
        sv_geom_destroy(h, g);
    }
    return 30;
}

/* The convex-cut tests' check of fast (on 1 and 2 threads) against plain, three breaks: every area and polygon
 * area to 1e-9 of the district, valid polygons, the same bytes on both thread counts. Returns the district-breaks
 * partly covered; counts in *moved (when given) the gap polygons whose bytes differ from plain's. */
static int same_cuts(sv_geos *h, const districts *d, const sv_cov_result *plain, const sv_cov_result fast[2],
                     const sv_break *br, int layout, int *moved)
{
    int partial = 0;
    for (size_t k = 0; k < d->n; k++)
        for (size_t b = 0; b < 3; b++) {
            const sv_cov_cell *p = cell(plain, k, b), *q = cell(&fast[0], k, b), *q2 = cell(&fast[1], k, b);
            double a = p->area_m2;
            if (!(fabs(p->area_m2 - q->area_m2) <= 1e-12 * a && fabs(p->covered_m2 - q->covered_m2) <= 1e-9 * a &&
                  fabs(p->gap_m2 - q->gap_m2) <= 1e-9 * a))
                fail_msg("layout %d, district %zu, %g m: covered %.9f / %.9f, gap %.9f / %.9f", layout, k,
                         br[b].radius_m, p->covered_m2, q->covered_m2, p->gap_m2, q->gap_m2);
            assert_true(fabs(wkb_area(h, p->covered_wkb, p->covered_len) - wkb_area(h, q->covered_wkb, q->covered_len)) <=
                        1e-9 * a);
            assert_true(fabs(wkb_area(h, p->gap_wkb, p->gap_len) - wkb_area(h, q->gap_wkb, q->gap_len)) <= 1e-9 * a);
            if (k + 1 < d->n) /* the city has no polygons */
                check_cell_geometry(h, q);
            partial += k + 1 < d->n && q->covered_m2 > 0.01 * a && q->gap_m2 > 0.01 * a;
            if (moved)
                *moved += p->gap_len != q->gap_len || (p->gap_len && memcmp(p->gap_wkb, q->gap_wkb, p->gap_len) != 0);
            assert_true(q->covered_m2 == q2->covered_m2 && q->gap_m2 == q2->gap_m2);
            assert_int_equal(q->covered_len, q2->covered_len);
            assert_int_equal(q->gap_len, q2->gap_len);
            assert_true(q->covered_len == 0 || memcmp(q->covered_wkb, q2->covered_wkb, q->covered_len) == 0);
            assert_true(q->gap_len == 0 || memcmp(q->gap_wkb, q2->gap_wkb, q->gap_len) == 0);
        }
    return partial;
}

/* Issue 19 item 3 (cat11): the category pass's convex cuts (each cell's part outside its circle by walking the two
 * rings, no overlay) and its city as the sum of the districts (sum_last) against the same pass without them: a
 * 5 x 5 grid of 2 km squares and their union last (they tile it: summed), then 30 overlapping stars and their
 * union last (their areas do not add up: measured); 150 stations (a third in a 2 km centre), radii 250 m (circles
 * inside big cells: parts with a hole), 600 m (cells cut at corners: parts of several polygons) and 1,500 m. Every
 * area to 1e-9 of the district, the polygons' areas likewise, the same bytes on 1 and 2 threads. */
static void test_convex_cuts_same(void **state)
{
    fixture *f = *state;
    rng_seed(0xc0ffee11);
    enum { NS = 150 };
    double xs[NS], ys[NS];
    centre_stations(xs, ys, NS);
    for (int layout = 0; layout < 2; layout++) {
        districts d = {0};
        sv_geom **parts = calloc(32, sizeof *parts);
        size_t np = 0;
        assert_non_null(parts);
        if (layout == 0) {
            for (int gx = 0; gx < 5; gx++)
                for (int gy = 0; gy < 5; gy++) {
                    sv_env e = {300000 + 2000 * gx, 2500000 + 2000 * gy, 302000 + 2000 * gx, 2502000 + 2000 * gy};
                    parts[np++] = sv_geom_rect(f->h, &e);
                }
        } else {
            np = star_parts(f->h, parts);
        }
        for (size_t k = 0; k < np; k++)
            add_district(f->h, &d, sv_geom_clone(f->h, parts[k]));
        add_district(f->h, &d, sv_geom_union_take(f->h, parts, np)); /* the city, last */
        sv_break br[3] = {{NAN, 250}, {NAN, 600}, {NAN, 1500}};
        sv_cov_input in = {
            .xs = xs, .ys = ys, .n_stations = NS,
            .district_wkb = (const unsigned char *const *)d.wkb, .district_wkb_len = d.len, .n_districts = d.n,
            .breaks = br, .n_breaks = 3, .quad_segs = QS, .method = SV_METHOD_VORONOI, .want_geometry = 1,
            .geometry_limit = d.n - 1, .no_counts = 1, .reach_shortcuts = 1, .unite_then_cut = 1,
        };
        sv_cov_result plain, fast[2];
        sv_ctx_set_threads(f->ctx, 1);
        assert_int_equal(sv_coverage_compute(f->ctx, &in, &plain), SV_OK);
        in.convex_cuts = 1;
        in.sum_last = 1;
        for (int t = 1; t <= 2; t++) {
            sv_ctx_set_threads(f->ctx, t);
            assert_int_equal(sv_coverage_compute(f->ctx, &in, &fast[t - 1]), SV_OK);
        }
        int partial = same_cuts(f->h, &d, &plain, fast, br, layout, NULL);
        if (partial < (int)(d.n - 1))
            fail_msg("layout %d: only %d of %zu district-breaks partly covered", layout, partial, 3 * (d.n - 1));
        print_message("convex cuts, layout %d: %d of %zu district-breaks partly covered\n", layout, partial,
                      3 * (d.n - 1));
        sv_cov_result_free(&plain);
        sv_cov_result_free(&fast[0]);
        sv_cov_result_free(&fast[1]);
        free_districts(&d);
        free(parts);
    }
}

/* convex_districts: the same areas and polygons (to 1e-9 of the district) as without it, in axis-parallel and turned
 * convex districts and in star-shaped ones (most not convex: cut as before), the same bytes on 1 and 2 threads. */
static void test_convex_districts_same(void **state)
{
    fixture *f = *state;
    rng_seed(0xc0ffee12);
    enum { NS = 150 };
    double xs[NS], ys[NS];
    centre_stations(xs, ys, NS);
    for (int layout = 0; layout < 3; layout++) {
        districts d = {0};
        sv_geom **parts = calloc(32, sizeof *parts);
        size_t np = 0;
        assert_non_null(parts);
        if (layout < 2) { /* squares of 2 km, turned by 0 or 0.5 rad about the middle of the area */
            double c = cos(layout ? 0.5 : 0), sn = sin(layout ? 0.5 : 0), mx = 305000, my = 2505000;
            for (int gx = 0; gx < 5; gx++)
                for (int gy = 0; gy < 5; gy++) {
                    double xy[8], cx[4] = {0, 2000, 2000, 0}, cy[4] = {0, 0, 2000, 2000};
                    for (int k = 0; k < 4; k++) {
                        double x = 300000 + 2000 * gx + cx[k] - mx, y = 2500000 + 2000 * gy + cy[k] - my;
                        xy[2 * k] = mx + c * x - sn * y;
                        xy[2 * k + 1] = my + sn * x + c * y;
                    }
                    parts[np++] = sv_geom_polygon_xy(f->h, xy, 4);
                    assert_non_null(parts[np - 1]);
                }
        } else {
            np = star_parts(f->h, parts);
        }
        for (size_t k = 0; k < np; k++)
            add_district(f->h, &d, sv_geom_clone(f->h, parts[k]));
        add_district(f->h, &d, sv_geom_union_take(f->h, parts, np)); /* the city, last */
        sv_break br[3] = {{NAN, 250}, {NAN, 600}, {NAN, 1500}};
        sv_cov_input in = {
            .xs = xs, .ys = ys, .n_stations = NS,
            .district_wkb = (const unsigned char *const *)d.wkb, .district_wkb_len = d.len, .n_districts = d.n,
            .breaks = br, .n_breaks = 3, .quad_segs = QS, .method = SV_METHOD_VORONOI, .want_geometry = 1,
            .geometry_limit = d.n - 1, .no_counts = 1, .reach_shortcuts = 1, .unite_then_cut = 1, .convex_cuts = 1,
            .sum_last = 1,
        };
        sv_cov_result plain, fast[2];
        sv_ctx_set_threads(f->ctx, 1);
        assert_int_equal(sv_coverage_compute(f->ctx, &in, &plain), SV_OK);
        in.convex_districts = 1;
        for (int t = 1; t <= 2; t++) {
            sv_ctx_set_threads(f->ctx, t);
            assert_int_equal(sv_coverage_compute(f->ctx, &in, &fast[t - 1]), SV_OK);
        }
        int moved = 0, partial = same_cuts(f->h, &d, &plain, fast, br, layout, &moved);
        if (partial < (int)(d.n - 1))
            fail_msg("layout %d: only %d of %zu district-breaks partly covered", layout, partial, 3 * (d.n - 1));
        if (layout < 2 && moved == 0) /* convex: the pieces were cut without the overlay (other vertices) */
            fail_msg("layout %d: no gap polygon made another way", layout);
        print_message("convex districts, layout %d: %d of %zu district-breaks partly covered, %d gap polygons made "
                      "another way\n", layout, partial, 3 * (d.n - 1), moved);
        sv_cov_result_free(&plain);
        sv_cov_result_free(&fast[0]);
        sv_cov_result_free(&fast[1]);
        free_districts(&d);
        free(parts);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_square_centre_station, svt_geos_setup, svt_geos_teardown),
        cmocka_unit_test_setup_teardown(test_two_overlapping_circles, svt_geos_setup, svt_geos_teardown),
        cmocka_unit_test_setup_teardown(test_station_outside_reaching_in, svt_geos_setup, svt_geos_teardown),
        cmocka_unit_test_setup_teardown(test_zero_stations, svt_geos_setup, svt_geos_teardown),
        cmocka_unit_test_setup_teardown(test_overlapping_districts, svt_geos_setup, svt_geos_teardown),
        cmocka_unit_test_setup_teardown(test_bad_parameters, svt_geos_setup, svt_geos_teardown),
        cmocka_unit_test_setup_teardown(test_geometry_limit, svt_geos_setup, svt_geos_teardown),
        cmocka_unit_test_setup_teardown(test_random_methods_agree, svt_geos_setup, svt_geos_teardown),
        cmocka_unit_test_setup_teardown(test_reach_shortcuts_same, svt_geos_setup, svt_geos_teardown),
        cmocka_unit_test_setup_teardown(test_category_shortcuts_exact, svt_geos_setup, svt_geos_teardown),
        cmocka_unit_test_setup_teardown(test_unite_then_cut_all_stations, svt_geos_setup, svt_geos_teardown),
        cmocka_unit_test_setup_teardown(test_convex_cuts_same, svt_geos_setup, svt_geos_teardown),
        cmocka_unit_test_setup_teardown(test_convex_districts_same, svt_geos_setup, svt_geos_teardown),
    };
    return cmocka_run_group_tests_name("coverage", tests, NULL, NULL);
}
