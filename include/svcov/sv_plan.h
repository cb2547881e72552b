/*
 * sv_plan.h - a station plan (scenario) applied to the station layer of
 * svcov analyze: stations closed (--remove-stations), stations opened
 * (--add-stations, --add-sites from a 'svcov site' run).
 */
#ifndef SV_PLAN_H
#define SV_PLAN_H

#include "svcov/sv_common.h"
#include "svcov/sv_geom.h"
#include "svcov/sv_io.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    const char *add_stations;    /* PATH[:LAYER]: new stations (fields as for --stations), or NULL */
    const char *remove_stations; /* "ID,ID,..", or an existing file: a layer of stations (their ids)
                                    or a .txt file with one id per line; NULL: none */
    const char *add_sites;       /* DB[:RUN]: the sites of a 'svcov site' run (the latest without RUN) */
} sv_plan_opts;

typedef struct {
    size_t n_added, n_removed;
} sv_plan_info;

/* 1 when the plan changes anything. */
int sv_plan_given(const sv_plan_opts *p);

/* Apply the plan to fs (the stations, projected to EPSG:epsg): remove the
 * stations whose id is listed (every feature of that id), then append the
 * added stations and sites. stations gives the field names used for the
 * added stations' files. An unknown id, a plan file or site run without
 * points, an added id that is already a station are SV_ERR_USAGE naming the
 * option and what to do; fs is then unchanged in the parts that matter (the
 * caller stops). */
sv_status sv_plan_apply(sv_ctx *ctx, sv_geos *h, const sv_plan_opts *p, const sv_source_opts *stations, int epsg,
                        sv_featureset *fs, sv_plan_info *info);

#ifdef __cplusplus
}
#endif
#endif
