/* crs_proj.c - the only file that talks to PROJ directly. */
#include "svcov/sv_crs.h"

#include <proj.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int sv_crs_utm_epsg(double lon, double lat)
{
    if (!isfinite(lon) || !isfinite(lat) || lon < -180 || lon > 180 || lat < -80 || lat > 84)
        return 0;
    int zone = (int)floor((lon + 180.0) / 6.0) + 1;
    if (zone > 60)
        zone = 60;
    return (lat >= 0 ? 32600 : 32700) + zone;
}

int sv_crs_auto_cgcs2000(double lon, double lat)
{
    if (!isfinite(lon) || !isfinite(lat) || lat < 0 || lat > 60)
        return 0;
    double n = floor((lon + 1.5) / 3.0);
    if (n < 25 || n > 45)
        return 0;
    return 4509 + (int)n;
}

const char *sv_proj_version(void)
{
    return proj_info().version;
}

/* Check that code names a projected CRS whose axes are in metres. */
static sv_status check_projected(sv_ctx *ctx, PJ_CONTEXT *pc, int code, const char *spec, double lon,
                                 double lat, sv_crs *out)
{
    char auth_code[32];
    snprintf(auth_code, sizeof auth_code, "%d", code);
    PJ *crs = proj_create_from_database(pc, "EPSG", auth_code, PJ_CATEGORY_CRS, 0, NULL);
    if (!crs)
        return sv_error(ctx, SV_ERR_USAGE,
                        "--crs %s: PROJ does not know EPSG:%d; give a projected CRS such as EPSG:32650 or 'auto'",
                        spec, code);
    sv_status st = SV_OK;
    PJ_TYPE t = proj_get_type(crs);
    PJ *cs = NULL;
    if (t != PJ_TYPE_PROJECTED_CRS) {
        st = sv_error(ctx, SV_ERR_USAGE,
                      "--crs %s: EPSG:%d (%s) is not a projected CRS; distances need metres: "
                      "use 'auto' (the local UTM zone) or a projected EPSG code",
                      spec, code, proj_get_name(crs));
        goto done;
    }
    cs = proj_crs_get_coordinate_system(pc, crs);
    int naxes = cs ? proj_cs_get_axis_count(pc, cs) : 0;
    for (int i = 0; i < naxes; i++) {
        double factor = 0;
        const char *unit = NULL;
        if (!proj_cs_get_axis_info(pc, cs, i, NULL, NULL, NULL, &factor, &unit, NULL, NULL) ||
            fabs(factor - 1.0) > 1e-12) {
            st = sv_error(ctx, SV_ERR_USAGE,
                          "--crs %s: EPSG:%d (%s) is not in metres (axis unit %s); "
                          "use a metric projected CRS or 'auto'",
                          spec, code, proj_get_name(crs), unit ? unit : "unknown");
            goto done;
        }
    }
    /* Metres only mean metres near where the projection is true to scale:
     * Web Mercator at 42N would inflate areas 1.84 times. */
    if (isfinite(lon) && isfinite(lat)) {
        PJ_FACTORS f = proj_factors(crs, proj_coord(proj_torad(lon), proj_torad(lat), 0, 0));
        if (proj_errno(crs) == 0 && f.areal_scale > 0 && fabs(f.areal_scale - 1.0) > 0.02) {
            st = sv_error(ctx, SV_ERR_USAGE,
                          "--crs %s: EPSG:%d (%s) distorts areas by a factor of %.3f at the data's centre "
                          "(%.4f, %.4f), so circles and coverage would be wrong; use 'auto' (the local UTM "
                          "zone) or a projected CRS made for this area",
                          spec, code, proj_get_name(crs), f.areal_scale, lon, lat);
            goto done;
        }
        proj_errno_reset(crs);
    }
    out->epsg = code;
    snprintf(out->name, sizeof out->name, "%s", proj_get_name(crs));
done:
    proj_destroy(cs);
    proj_destroy(crs);
    return st;
}

sv_status sv_crs_resolve(sv_ctx *ctx, const char *spec, double lon, double lat, sv_crs *out)
{
    memset(out, 0, sizeof *out);
    int code = 0;
    if (!spec || strcasecmp(spec, "auto") == 0) {
        code = sv_crs_utm_epsg(lon, lat);
        if (!code)
            return sv_error(ctx, SV_ERR_USAGE,
                            "--crs auto: the data's centre (%.4f, %.4f) has no UTM zone "
                            "(polar or invalid); give --crs EPSG:n",
                            lon, lat);
    } else if (strcasecmp(spec, "auto-cgcs2000") == 0) {
        code = sv_crs_auto_cgcs2000(lon, lat);
        if (!code)
            return sv_error(ctx, SV_ERR_USAGE,
                            "--crs auto-cgcs2000: the data's centre (%.4f, %.4f) is outside the CGCS2000 "
                            "3-degree Gauss-Kruger zones (73.5E..136.5E, 0..60N); use --crs auto (the UTM "
                            "zone) or give --crs EPSG:n",
                            lon, lat);
    } else {
        const char *p = spec;
        if (strncasecmp(p, "EPSG:", 5) == 0)
            p += 5;
        char *end = NULL;
        long v = strtol(p, &end, 10);
        if (end == p || *end != '\0' || v <= 0 || v > 999999)
            return sv_error(ctx, SV_ERR_USAGE,
                            "--crs %s: expected 'auto', 'auto-cgcs2000' or EPSG:n (e.g. EPSG:32650)", spec);
        code = (int)v;
    }
    PJ_CONTEXT *pc = proj_context_create();
    if (!pc)
        return sv_error(ctx, SV_ERR_NOMEM, "cannot create a PROJ context");
    proj_log_level(pc, PJ_LOG_NONE);
    sv_status st = check_projected(ctx, pc, code, spec ? spec : "auto", lon, lat, out);
    proj_context_destroy(pc);
    return st;
}

sv_status sv_crs_transform_xy(sv_ctx *ctx, int from_epsg, int to_epsg, double *xs, double *ys, size_t n)
{
    if (from_epsg == to_epsg || n == 0)
        return SV_OK;
    PJ_CONTEXT *pc = proj_context_create();
    if (!pc)
        return SV_ERR_NOMEM;
    proj_log_level(pc, PJ_LOG_NONE);
    char a[32], b[32];
    snprintf(a, sizeof a, "EPSG:%d", from_epsg);
    snprintf(b, sizeof b, "EPSG:%d", to_epsg);
    PJ *raw = proj_create_crs_to_crs(pc, a, b, NULL);
    /* x easting, y northing whatever the CRS's axis order (CGCS2000 zones list northing first) */
    PJ *t = raw ? proj_normalize_for_visualization(pc, raw) : NULL;
    proj_destroy(raw);
    sv_status rc = SV_OK;
    if (!t)
        rc = sv_error(ctx, SV_ERR_INPUT, "PROJ cannot transform EPSG:%d to EPSG:%d", from_epsg, to_epsg);
    for (size_t i = 0; rc == SV_OK && i < n; i++) {
        PJ_COORD c = proj_trans(t, PJ_FWD, proj_coord(xs[i], ys[i], 0, 0));
        if (!isfinite(c.xy.x) || !isfinite(c.xy.y) || c.xy.x == HUGE_VAL)
            rc = sv_error(ctx, SV_ERR_INPUT, "the point %.3f %.3f of EPSG:%d has no place in EPSG:%d", xs[i], ys[i],
                          from_epsg, to_epsg);
        xs[i] = c.xy.x;
        ys[i] = c.xy.y;
    }
    proj_destroy(t);
    proj_context_destroy(pc);
    return rc;
}
