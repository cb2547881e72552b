/*
 * sv_report.h - the planner's report of a result database: the per-district
 * table (area and people covered per break, gaps, stations, and the
 * redundancy and fairness figures when the analysis has them), city-wide
 * totals, the run's parameters and versions. HTML (with the maps inlined as
 * PNG), Markdown or CSV.
 */
#ifndef SV_REPORT_H
#define SV_REPORT_H

#include "svcov/sv_common.h"
#include "svcov/sv_map.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Ownership: sv_report_write borrows ctx, the options and the paths for the
 * call; it writes path and keeps nothing. */

typedef enum { SV_REPORT_HTML = 0, SV_REPORT_MD, SV_REPORT_CSV } sv_report_format;

typedef struct {
    sv_report_format format;
    const sv_map_options *map; /* breaks to report, warnings (may be NULL) */
    int district_maps;         /* HTML: a small map per district too (1 default in the CLI) */
    const char *title;         /* NULL: "Service coverage report" */
    sv_lang lang;              /* headings, column names, notes and the maps (0: English; overrides map->lang) */
} sv_report_options;

/* Write the report to path (atomically). */
sv_status sv_report_write(sv_ctx *ctx, const char *db_path, const sv_report_options *opt, const char *path);

#ifdef __cplusplus
}
#endif
#endif
