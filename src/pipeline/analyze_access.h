/* analyze_access.h - the capacity-aware access (2SFCA/E2SFCA) and the
 * time-of-day stage of svcov analyze (private to src/pipeline). */
#ifndef SV_ANALYZE_ACCESS_H
#define SV_ANALYZE_ACCESS_H

#include "svcov/sv_analyze.h"

/* The options of the stage make sense together (--access needs a capacity
 * field and demand or people; --decay is for e2sfca; --at needs
 * --hours-field and moments that parse). SV_ERR_USAGE naming the option
 * otherwise. Called before anything is read. */
sv_status sv_access_stage_check(sv_ctx *ctx, const sv_analyze_opts *o);

/* 1 when the options ask for the stage. */
int sv_access_stage_wanted(const sv_analyze_opts *o);

typedef struct {
    const sv_analyze_opts *o;
    const double *xs, *ys;                 /* stations */
    const sv_featureset *stations;         /* station features (capacity, hours) ... */
    const size_t *st_keep;                 /* ... of each station point */
    const unsigned char *const *dw;        /* n_districts + 1 (the city last) */
    const size_t *dl;
    const sv_cov_input *cov_in;            /* the coverage of all stations, rerun on the open ones */
    const sv_network *net;                 /* network mode, else NULL */
    const sv_net_areas *areas;
    const sv_access_opts *access_opts;     /* budgets: the catchments in network mode */
    sv_people_keep *people;                /* from sv_people_run */
} sv_access_stage_in;

/* Compute what the options ask for into a->access. */
sv_status sv_access_stage_run(sv_ctx *ctx, sv_geos *h, const sv_access_stage_in *in, sv_analysis *a);
/* Write station_load, district_access, time_coverage and time_gaps. */
sv_status sv_access_stage_write(sv_ctx *ctx, sv_geos *h, sv_store *db, const sv_analysis *a,
                                const sv_featureset *st_fs, const size_t *st_keep);
/* The runs columns of the stage: names and values (text, NULL = NULL), as
 * many as SV_ACCESS_RUNS_COLUMNS; the values live in a (and o). */
#define SV_ACCESS_RUNS_COLUMNS 9
void sv_access_stage_runs(const sv_analysis *a, const sv_analyze_opts *o, const char **keys, const char **vals);
void sv_access_stage_free(struct sv_access_stage *t);

#endif
