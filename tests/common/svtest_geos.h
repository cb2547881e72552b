/* svtest_geos.h - the unit tests' fixture of a GEOS handle and a context,
 * made before each test (or group) and freed after. Header-only; include
 * after <cmocka.h>. */
#ifndef SVTEST_GEOS_H
#define SVTEST_GEOS_H

#include "svcov/sv_common.h"
#include "svcov/sv_geom.h"

#include <stdlib.h>

typedef struct {
    sv_geos *h;
    sv_ctx *ctx;
} svt_geos_fixture;

static int svt_geos_setup(void **state)
{
    svt_geos_fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    f->h = sv_geos_create();
    f->ctx = sv_ctx_create();
    *state = f;
    return f->h && f->ctx ? 0 : -1;
}

static int svt_geos_teardown(void **state)
{
    svt_geos_fixture *f = *state;
    if (!f)
        return 0;
    if (f->h)
        sv_geos_destroy(f->h);
    if (f->ctx)
        sv_ctx_destroy(f->ctx);
    free(f);
    return 0;
}

#endif
