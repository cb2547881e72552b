/* fuzz_wkb.c - libFuzzer target for geometry as svcov receives it from GDAL
 * (WKB): the GCJ-02/BD-09 conversion of every vertex in place
 * (src/engine/cncoords.c, bounds-checked), then GEOS reading it, svcov's
 * MakeValid to polygons and the area, as sv_district_polygons does. The
 * first byte picks the conversion; the rest is the WKB. Build and replay as
 * fuzz_hours.c says. */
#include "svcov/sv_cncoords.h"
#include "svcov/sv_common.h"
#include "svcov/sv_geom.h"

#include <math.h>

#define FUZZ_NAME "fuzz_wkb"
#include "replay.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 1 << 16)
        return 0;
    static const sv_coords systems[] = {SV_COORDS_WGS84, SV_COORDS_GCJ02, SV_COORDS_BD09};
    sv_coords from = systems[data[0] % 3], to = systems[(data[0] / 3) % 3];
    size_t n = size - 1;
    unsigned char *wkb = malloc(n ? n : 1);
    if (!wkb)
        return 0;
    memcpy(wkb, data + 1, n);
    sv_ctx *ctx = sv_ctx_create();
    size_t moved = (size_t)-1;
    sv_status st = sv_coords_convert_wkb(ctx, from, to, wkb, n, "fuzz", &moved);
    CHECK(st == SV_OK || strlen(sv_ctx_errmsg(ctx)) > 0);
    if (st == SV_OK)
        CHECK(moved != (size_t)-1 && moved <= n / 16);
    sv_geos *h = sv_geos_create();
    sv_geom *g = h ? sv_geom_from_wkb(h, wkb, n) : NULL;
    if (g) {
        char *reason = NULL;
        int valid = sv_geom_is_valid(h, g, &reason);
        CHECK(valid == 0 || valid == 1 || valid == -1);
        sv_free(reason);
        int repaired = 0;
        sv_geom *v = sv_geom_make_valid_polygonal(h, g, &repaired);
        if (v) {
            double a = sv_geom_area(h, v);
            CHECK(!(a < 0));
            size_t len = 0;
            unsigned char *out = sv_geom_to_wkb(h, v, &len);
            CHECK(!out || len >= 5);
            sv_free(out);
            sv_geom_destroy(h, v);
        }
        sv_geom_destroy(h, g);
    }
    sv_geos_destroy(h);
    sv_ctx_destroy(ctx);
    free(wkb);
    return 0;
}
