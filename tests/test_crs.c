/* test_crs.c - choosing and checking the analysis CRS (sv_crs.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "svcov/sv_common.h"
#include "svcov/sv_crs.h"

#include <math.h>
#include <string.h>

static void test_utm_epsg(void **state)
{
    (void)state;
    assert_int_equal(sv_crs_utm_epsg(1.5, 42.5), 32631);   /* Andorra */
    assert_int_equal(sv_crs_utm_epsg(7.42, 43.74), 32632);  /* Monaco */
    assert_int_equal(sv_crs_utm_epsg(113.95, 22.55), 32649); /* the demo city */
    assert_int_equal(sv_crs_utm_epsg(0.0, 0.0), 32631);     /* lat 0 counts as north */
    assert_int_equal(sv_crs_utm_epsg(-0.0001, 0.0), 32630);
    /* southern hemisphere: 327zz */
    assert_int_equal(sv_crs_utm_epsg(-70.6, -33.4), 32719); /* Santiago */
    assert_int_equal(sv_crs_utm_epsg(151.2, -33.9), 32756); /* Sydney */
    assert_int_equal(sv_crs_utm_epsg(18.4, -0.0001), 32734);
    /* zone edges: 6-degree zones starting at -180 */
    assert_int_equal(sv_crs_utm_epsg(-180.0, 10.0), 32601);
    assert_int_equal(sv_crs_utm_epsg(-174.0, 10.0), 32602);
    assert_int_equal(sv_crs_utm_epsg(-174.0000001, 10.0), 32601);
    assert_int_equal(sv_crs_utm_epsg(6.0, 10.0), 32632);
    assert_int_equal(sv_crs_utm_epsg(179.9999, 10.0), 32660);
    assert_int_equal(sv_crs_utm_epsg(180.0, 10.0), 32660); /* lon 180 stays in zone 60 */
    assert_int_equal(sv_crs_utm_epsg(180.0, -10.0), 32760);
    /* UTM's latitude range: 80S .. 84N */
    assert_int_equal(sv_crs_utm_epsg(10.0, 84.0), 32632);
    assert_int_equal(sv_crs_utm_epsg(10.0, -80.0), 32732);
    assert_int_equal(sv_crs_utm_epsg(10.0, 84.01), 0);
    assert_int_equal(sv_crs_utm_epsg(10.0, -80.01), 0);
    /* out of range and non-finite */
    assert_int_equal(sv_crs_utm_epsg(180.01, 10.0), 0);
    assert_int_equal(sv_crs_utm_epsg(-180.01, 10.0), 0);
    assert_int_equal(sv_crs_utm_epsg(NAN, 10.0), 0);
    assert_int_equal(sv_crs_utm_epsg(10.0, INFINITY), 0);
}

static void test_resolve_auto(void **state)
{
    (void)state;
    sv_ctx *ctx = sv_ctx_create();
    sv_crs c;
    assert_int_equal(sv_crs_resolve(ctx, "auto", 1.5, 42.5, &c), SV_OK);
    assert_int_equal(c.epsg, 32631);
    assert_non_null(strstr(c.name, "UTM zone 31N"));
    assert_non_null(strstr(c.name, "WGS 84"));
    /* NULL means auto; case does not matter */
    assert_int_equal(sv_crs_resolve(ctx, NULL, -70.6, -33.4, &c), SV_OK);
    assert_int_equal(c.epsg, 32719);
    assert_non_null(strstr(c.name, "UTM zone 19S"));
    assert_int_equal(sv_crs_resolve(ctx, "AUTO", 7.42, 43.74, &c), SV_OK);
    assert_int_equal(c.epsg, 32632);
    /* no UTM zone near a pole: a usage error that says to give --crs */
    assert_int_equal(sv_crs_resolve(ctx, "auto", 0.0, 89.0, &c), SV_ERR_USAGE);
    assert_int_equal(c.epsg, 0);
    assert_non_null(strstr(sv_ctx_errmsg(ctx), "--crs"));
    sv_ctx_destroy(ctx);
}

static void test_resolve_explicit(void **state)
{
    (void)state;
    sv_ctx *ctx = sv_ctx_create();
    sv_crs c;
    assert_int_equal(sv_crs_resolve(ctx, "EPSG:32631", 0, 0, &c), SV_OK);
    assert_int_equal(c.epsg, 32631);
    assert_non_null(strstr(c.name, "UTM zone 31N"));
    assert_int_equal(sv_crs_resolve(ctx, "epsg:2154", 2.5, 46.5, &c), SV_OK); /* Lambert-93, metres */
    assert_int_equal(c.epsg, 2154);
    assert_non_null(strstr(c.name, "Lambert-93"));
    assert_int_equal(sv_crs_resolve(ctx, "27700", -1.5, 52.5, &c), SV_OK); /* a bare code is taken too */
    assert_int_equal(c.epsg, 27700);

    /* Web Mercator is projected with metre axes, but its metres are true
     * only near the equator: accepted there, refused at 42.5 N where areas
     * come out 1.84 times too large. */
    assert_int_equal(sv_crs_resolve(ctx, "EPSG:3857", 1.5, 0.5, &c), SV_OK);
    assert_int_equal(c.epsg, 3857);
    assert_non_null(strstr(c.name, "Pseudo-Mercator"));
    assert_int_equal(sv_crs_resolve(ctx, "EPSG:3857", 1.5, 42.5, &c), SV_ERR_USAGE);
    assert_non_null(strstr(sv_ctx_errmsg(ctx), "distorts areas"));
    /* A UTM zone far from the data is refused the same way. */
    assert_int_equal(sv_crs_resolve(ctx, "EPSG:32649", 1.5, 42.5, &c), SV_ERR_USAGE);
    sv_ctx_destroy(ctx);
}

static void test_resolve_rejects(void **state)
{
    (void)state;
    sv_ctx *ctx = sv_ctx_create();
    sv_crs c;
    /* geographic: not projected */
    assert_int_equal(sv_crs_resolve(ctx, "EPSG:4326", 1.5, 42.5, &c), SV_ERR_USAGE);
    assert_int_equal(c.epsg, 0);
    assert_non_null(strstr(sv_ctx_errmsg(ctx), "not a projected CRS"));
    assert_non_null(strstr(sv_ctx_errmsg(ctx), "EPSG:4326"));
    /* geocentric: not projected either */
    assert_int_equal(sv_crs_resolve(ctx, "EPSG:4978", 1.5, 42.5, &c), SV_ERR_USAGE);
    /* projected in US survey feet: not metres */
    assert_int_equal(sv_crs_resolve(ctx, "EPSG:2263", 1.5, 42.5, &c), SV_ERR_USAGE);
    assert_non_null(strstr(sv_ctx_errmsg(ctx), "metres"));
    /* a code PROJ does not know */
    assert_int_equal(sv_crs_resolve(ctx, "EPSG:999999", 1.5, 42.5, &c), SV_ERR_USAGE);
    assert_non_null(strstr(sv_ctx_errmsg(ctx), "999999"));
    /* garbage */
    const char *bad[] = {"garbage", "EPSG:", "EPSG:abc", "EPSG:32631x", "EPSG:-5", "EPSG:0", "", "utm"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sv_status st = sv_crs_resolve(ctx, bad[i], 1.5, 42.5, &c);
        if (st != SV_ERR_USAGE)
            fail_msg("--crs '%s' gave status %d, expected SV_ERR_USAGE", bad[i], st);
        assert_int_equal(c.epsg, 0);
        assert_non_null(strstr(sv_ctx_errmsg(ctx), "--crs"));
    }
    sv_ctx_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utm_epsg),
        cmocka_unit_test(test_resolve_auto),
        cmocka_unit_test(test_resolve_explicit),
        cmocka_unit_test(test_resolve_rejects),
    };
    return cmocka_run_group_tests_name("crs", tests, NULL, NULL);
}
