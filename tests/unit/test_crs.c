/* test_crs.c - choosing and checking the analysis CRS (sv_crs.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "svcov/sv_common.h"
#include "svcov/sv_crs.h"
#include "svcov/sv_io.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* The CGCS2000 3-degree Gauss-Kruger zones without the zone prefix:
 * zone n = floor((lon + 1.5) / 3), CM 3n, EPSG:4509 + n; checked against
 * the names in PROJ's database for every zone. */
static void test_cgcs2000_zone(void **state)
{
    (void)state;
    assert_int_equal(sv_crs_auto_cgcs2000(114.0, 30.0), 4547);  /* Wuhan: CM 114E */
    assert_int_equal(sv_crs_auto_cgcs2000(113.95, 22.55), 4547); /* the demo city */
    assert_int_equal(sv_crs_auto_cgcs2000(116.4, 39.9), 4548);   /* Beijing: CM 117E */
    assert_int_equal(sv_crs_auto_cgcs2000(121.47, 31.23), 4549); /* Shanghai: CM 120E */
    /* zone edges at CM +- 1.5 degrees: the lower edge belongs to the zone */
    assert_int_equal(sv_crs_auto_cgcs2000(112.5, 30.0), 4547);
    assert_int_equal(sv_crs_auto_cgcs2000(112.4999, 30.0), 4546);
    assert_int_equal(sv_crs_auto_cgcs2000(115.4999, 30.0), 4547);
    assert_int_equal(sv_crs_auto_cgcs2000(115.5, 30.0), 4548);
    /* the first and last zones (CM 75E and 135E) and beyond */
    assert_int_equal(sv_crs_auto_cgcs2000(73.5, 39.0), 4534);
    assert_int_equal(sv_crs_auto_cgcs2000(73.4999, 39.0), 0);
    assert_int_equal(sv_crs_auto_cgcs2000(136.4999, 48.0), 4554);
    assert_int_equal(sv_crs_auto_cgcs2000(136.5, 48.0), 0);
    assert_int_equal(sv_crs_auto_cgcs2000(2.35, 48.85), 0);
    /* northern latitudes only; non-finite input */
    assert_int_equal(sv_crs_auto_cgcs2000(114.0, -0.1), 0);
    assert_int_equal(sv_crs_auto_cgcs2000(114.0, 60.1), 0);
    assert_int_equal(sv_crs_auto_cgcs2000(NAN, 30.0), 0);
    assert_int_equal(sv_crs_auto_cgcs2000(114.0, INFINITY), 0);

    sv_ctx *ctx = sv_ctx_create();
    for (int n = 25; n <= 45; n++) {
        double cm = 3.0 * n;
        int code = sv_crs_auto_cgcs2000(cm, 35.0);
        assert_int_equal(code, 4509 + n);
        char spec[32], want[64];
        snprintf(spec, sizeof spec, "EPSG:%d", code);
        snprintf(want, sizeof want, "CGCS2000 / 3-degree Gauss-Kruger CM %dE", 3 * n);
        sv_crs c;
        assert_int_equal(sv_crs_resolve(ctx, spec, cm, 35.0, &c), SV_OK);
        if (strcmp(c.name, want) != 0)
            fail_msg("EPSG:%d is '%s', expected '%s'", code, c.name, want);
    }
    sv_ctx_destroy(ctx);
}

static void test_resolve_auto_cgcs2000(void **state)
{
    (void)state;
    sv_ctx *ctx = sv_ctx_create();
    sv_crs c;
    assert_int_equal(sv_crs_resolve(ctx, "auto-cgcs2000", 114.0, 30.0, &c), SV_OK);
    assert_int_equal(c.epsg, 4547);
    assert_string_equal(c.name, "CGCS2000 / 3-degree Gauss-Kruger CM 114E");
    assert_int_equal(sv_crs_resolve(ctx, "AUTO-CGCS2000", 87.6, 43.8, &c), SV_OK); /* Urumqi */
    assert_int_equal(c.epsg, 4538);
    assert_string_equal(c.name, "CGCS2000 / 3-degree Gauss-Kruger CM 87E");
    /* outside China's zones: a usage error naming the option and the way out */
    assert_int_equal(sv_crs_resolve(ctx, "auto-cgcs2000", 2.35, 48.85, &c), SV_ERR_USAGE);
    assert_int_equal(c.epsg, 0);
    assert_non_null(strstr(sv_ctx_errmsg(ctx), "--crs auto-cgcs2000"));
    assert_non_null(strstr(sv_ctx_errmsg(ctx), "--crs auto"));
    /* a near miss is not taken for it */
    assert_int_equal(sv_crs_resolve(ctx, "auto-cgcs", 114.0, 30.0, &c), SV_ERR_USAGE);
    sv_ctx_destroy(ctx);
}

/* EPSG:4547 lists northing first. Through svcov's reader (GDAL with the
 * traditional GIS order on both CRSs) a point at 114E 30N comes out with
 * x = easting = 500000 m on the central meridian and y = northing, not
 * transposed. */
static void test_cgcs2000_axis_order(void **state)
{
    (void)state;
    char dir[] = "/tmp/svcov-crs-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/st.geojson", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"type\":\"FeatureCollection\",\"features\":["
          "{\"type\":\"Feature\",\"properties\":{\"id\":\"a\"},"
          "\"geometry\":{\"type\":\"Point\",\"coordinates\":[114.0,30.0]}},"
          "{\"type\":\"Feature\",\"properties\":{\"id\":\"b\"},"
          "\"geometry\":{\"type\":\"Point\",\"coordinates\":[114.01,30.0]}}]}",
          f);
    fclose(f);
    sv_ctx *ctx = sv_ctx_create();
    sv_source_opts o = {.spec = path};
    sv_source *src = NULL;
    assert_int_equal(sv_source_open(ctx, &o, SV_ROLE_STATIONS, &src), SV_OK);
    sv_featureset fs;
    assert_int_equal(sv_source_project(ctx, src, 4547, &fs), SV_OK);
    assert_int_equal(fs.n, 2);
    double xy[2][2];
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(fs.items[i].wkb_len, 21); /* 2-D ISO point, little endian */
        assert_int_equal(fs.items[i].wkb[0], 1);
        memcpy(&xy[i][0], fs.items[i].wkb + 5, 8);
        memcpy(&xy[i][1], fs.items[i].wkb + 13, 8);
    }
    /* PROJ (cs2cs EPSG:4490 EPSG:4547): 30N 114E -> N 3320113.398, E 500000.000 */
    assert_true(fabs(xy[0][0] - 500000.0) < 0.01);
    assert_true(fabs(xy[0][1] - 3320113.398) < 0.01);
    /* 0.01 degree east is about 963 m further east, same northing band */
    assert_true(xy[1][0] - xy[0][0] > 950.0 && xy[1][0] - xy[0][0] < 975.0);
    assert_true(fabs(xy[1][1] - xy[0][1]) < 1.0);
    sv_featureset_free(&fs);
    /* and the centre handed to --crs auto-cgcs2000 is lon, lat */
    sv_env box;
    assert_int_equal(sv_source_lonlat_bounds(ctx, src, &box), SV_OK);
    sv_crs c;
    assert_int_equal(sv_crs_resolve(ctx, "auto-cgcs2000", (box.xmin + box.xmax) / 2, (box.ymin + box.ymax) / 2, &c),
                     SV_OK);
    assert_int_equal(c.epsg, 4547);
    sv_source_close(src);
    sv_ctx_destroy(ctx);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utm_epsg),
        cmocka_unit_test(test_resolve_auto),
        cmocka_unit_test(test_resolve_explicit),
        cmocka_unit_test(test_resolve_rejects),
        cmocka_unit_test(test_cgcs2000_zone),
        cmocka_unit_test(test_resolve_auto_cgcs2000),
        cmocka_unit_test(test_cgcs2000_axis_order),
    };
    return cmocka_run_group_tests_name("crs", tests, NULL, NULL);
}
