/* input_checks.c - what the inputs of analyze say about themselves before
 * any work: stations too far from the districts to matter (lat/lon swapped,
 * a stray point on another continent), and no usable station at all. */
#include "svcov/sv_analyze.h"
#include "svcov/sv_lang.h"
#include "svcov/sv_geom.h"
#include "svcov/sv_io.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The distance from (x, y) to the box e (0 inside). */
static double box_distance(const sv_env *e, double x, double y)
{
    double dx = x < e->xmin ? e->xmin - x : x > e->xmax ? x - e->xmax : 0;
    double dy = y < e->ymin ? e->ymin - y : y > e->ymax ? y - e->ymax : 0;
    return hypot(dx, dy);
}

double sv_far_station_limit(double reach_m)
{
    double limit = 2 * reach_m;
    return limit > SV_FAR_STATION_MIN_M ? limit : SV_FAR_STATION_MIN_M;
}

size_t sv_warn_far_stations(sv_ctx *ctx, const sv_featureset *sfs, const double *xs, const double *ys,
                            const size_t *keep, size_t n, const sv_env *districts, double reach_m)
{
    double limit = sv_far_station_limit(reach_m);
    size_t n_far = 0;
    char examples[1024] = "";
    double worst = 0;
    for (size_t k = 0; k < n; k++) {
        double d = box_distance(districts, xs[k], ys[k]);
        if (!(d > limit) && isfinite(d))
            continue;
        worst = fmax(worst, d);
        if (n_far++ < 3) {
            const sv_feature *f = &sfs->items[keep[k]];
            double sx, sy;
            size_t used = strlen(examples);
            if (sv_featureset_to_source(sfs, xs[k], ys[k], &sx, &sy) == 0)
                snprintf(examples + used, sizeof examples - used, "%s%s at %.6g, %.6g (%s), %.0f km away",
                         used ? "; " : "", f->id, sx, sy, sfs->srs_name ? sfs->srs_name : "its CRS", d / 1000);
            else
                snprintf(examples + used, sizeof examples - used, "%s%s, %.0f km away", used ? "; " : "", f->id,
                         d / 1000);
        }
    }
    if (n_far)
        sv_warning(ctx,
                   "%s: layer '%s': %zu of %zu stations lie more than %.0f km outside the districts (e.g. %s%s; "
                   "the farthest %.0f km): they cover nothing there and the analysis CRS was taken from the "
                   "districts; check their coordinates (latitude and longitude swapped? a wrong CRS?)",
                   sfs->path, sfs->layer, n_far, n, limit / 1000, examples, n_far > 3 ? ", ..." : "",
                   worst / 1000);
    return n_far;
}

sv_status sv_check_station_count(sv_ctx *ctx, const sv_featureset *sfs, size_t n_usable, int has_where,
                                 int strict)
{
    if (n_usable > 0 || has_where) /* a filter matching nothing: said where it is applied */
        return SV_OK;
    if (sfs->n_read > 0)
        return sv_error(ctx, SV_ERR_DATA,
                        "%s: layer '%s': no usable station: all %zu read were skipped (see the warnings: "
                        "coordinates outside -180..180/-90..90 are often latitude and longitude swapped); fix "
                        "the layer, nothing was written",
                        sfs->path, sfs->layer, sfs->n_read);
    if (strict)
        return sv_error(ctx, SV_ERR_DATA,
                        "%s: layer '%s' holds no station (--strict stops here); nothing was written", sfs->path,
                        sfs->layer);
    sv_warning(ctx, "%s: layer '%s' holds no station: every district is reported as not covered (--strict makes "
               "this an error)", sfs->path, sfs->layer);
    return SV_OK;
}

int sv_districts_box(sv_geos *h, const sv_valid_district *vd, size_t n, sv_env *out)
{
    int have = 0;
    for (size_t d = 0; d < n; d++) {
        sv_geom *g = sv_geom_from_wkb(h, vd[d].wkb, vd[d].len);
        sv_env e;
        if (g && sv_geom_envelope(h, g, &e) == 0) {
            if (!have)
                *out = e;
            else {
                out->xmin = fmin(out->xmin, e.xmin);
                out->ymin = fmin(out->ymin, e.ymin);
                out->xmax = fmax(out->xmax, e.xmax);
                out->ymax = fmax(out->ymax, e.ymax);
            }
            have = 1;
        }
        sv_geom_destroy(h, g);
    }
    return have ? 0 : -1;
}

sv_status sv_check_auto_extent(sv_ctx *ctx, const char *crs, const sv_env *lonlat, const char *districts)
{
    if (crs && strncasecmp(crs, "auto", 4) != 0)
        return SV_OK; /* a CRS given by the user is theirs to choose */
    double w = lonlat->xmax - lonlat->xmin, ht = lonlat->ymax - lonlat->ymin;
    if (w <= SV_AUTO_CRS_MAX_DEG && ht <= SV_AUTO_CRS_MAX_DEG && lonlat->ymin >= -80 && lonlat->ymax <= 84)
        return SV_OK;
    return sv_error(ctx, SV_ERR_INPUT,
                    "%s: the districts span %.1f x %.1f degrees (lon %.2f..%.2f, lat %.2f..%.2f): --crs %s takes "
                    "one %s zone, which measures areas only within a few degrees of its centre (here they would "
                    "be wrong or zero); give an equal-area CRS that holds them all, e.g. --crs EPSG:6933 (world) "
                    "or EPSG:3035 (Europe), or analyse the cities one at a time",
                    districts, w, ht, lonlat->xmin, lonlat->xmax, lonlat->ymin, lonlat->ymax, crs ? crs : "auto",
                    crs && strcasecmp(crs, "auto-cgcs2000") == 0 ? sv_tr(sv_ctx_lang(ctx), "CGCS2000 Gauss-Kruger") : "UTM");
}
