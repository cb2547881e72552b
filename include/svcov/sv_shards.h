/*
 * sv_shards.h - one analysis split into shards (svcov plan / worker / finish, pipeline/shards.c).
 *
 * A shard is a set of districts: tiles of about equal numbers of districts (--shards N, by the centres of
 * the districts' envelopes) or the districts sharing a field's value (--shard-by FIELD). A worker runs the
 * normal analysis on its districts plus every district, station, street, demand point and population
 * polygon within the halo (the largest reach) of them, and keeps the rows of its own: its districts, the
 * stations and demand points whose nearest district centre is one of its districts (a demand point inside a
 * district goes with that district). So every district, station and demand point belongs to one shard.
 */
#ifndef SV_SHARDS_H
#define SV_SHARDS_H

#include "svcov/sv_analyze.h"
#include "svcov/sv_store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    size_t n;         /* districts of the run */
    char **ids;       /* their ids */
    char **groups;    /* --shard-by: their field values (NULL otherwise) */
    double *x, *y;    /* centre of each district's envelope, analysis CRS */
    sv_env *env;      /* each district's envelope */
    int *shard;       /* its shard, 1..n_shards */
    int n_shards;
    int epsg;         /* the analysis CRS */
    double halo_m;    /* the largest reach (network: + max snap + trim) */
    int by_field;     /* capture: read groups from the districts' name field */
    /* The run-wide facts, which a shard reading only its window can no longer count itself: made by
     * sv_shard_capture and sv_shard_plan_own (svcov plan), written with sv_shard_facts_write into the plan's
     * inputs, read by the worker (sv_shard_facts_read). has_facts 0: a plan without them (every shard reads
     * every station, district and demand point). */
    int has_facts;
    int given[5];             /* which inputs the run has (stations, districts, streets, demand, population) */
    size_t n_items[5];        /* features of each input as read whole (before any shard's filter) */
    size_t n_read[5];         /* what its reader counted (sv_featureset.n_read) */
    size_t n_unusable[5];     /* of them without a usable envelope (empty geometry): that input is read whole */
    double max_size[5];       /* the largest envelope's side (0: points only) */
    size_t n_issues;          /* issues the reading reported (any: every input is read whole, as an issue
                               * may count the features of a layer) */
    sv_env *own;              /* [n_shards + 1]: each shard's own area (core, own stations and demand points) */
    char **cat_values;        /* the stations' category values ("": none), in the order of first appearance, */
    size_t *cat_counts;       /* how many stations have each */
    size_t n_cat;
    double *pt[2];            /* capture only: the envelope centres of the stations and demand points (x, y pairs) */
    size_t n_pt[2];
} sv_shard_plan;

/* The shard hook of `svcov plan`: records the districts (ids, envelopes, groups), the CRS and the halo,
 * and stops the analysis (userdata: sv_shard_plan). */
sv_status sv_shard_capture(sv_ctx *ctx, void *userdata, const sv_analyze_opts *opts, const sv_analysis *a,
                           sv_featureset *const inputs[5], int *stop);
/* Tiles of about equal numbers of districts (n_shards at most the districts), or one shard per group. */
sv_status sv_shard_assign(sv_ctx *ctx, sv_shard_plan *p, int n_shards);
/* The shard of the district centre nearest to x, y (ties: the first district). */
int sv_shard_nearest(const sv_shard_plan *p, double x, double y);
/* The envelope of shard s's districts. */
sv_env sv_shard_core(const sv_shard_plan *p, int s);
void sv_shard_plan_free(sv_shard_plan *p);
/* After sv_shard_assign: p->own of every shard from the points capture kept (a point whose nearest district
 * centres tie counts for each of their shards); SV_OK or SV_ERR_NOMEM. */
sv_status sv_shard_plan_own(sv_ctx *ctx, sv_shard_plan *p);
/* The facts of p (has_facts) as text (*text: the caller frees it), which the plan stores as the last of its
 * arguments (shard_plans.args; the worker takes it off before the analysis); sv_shard_facts_is says whether
 * an argument is such text, sv_shard_facts_read reads it back into p (a plan of sv_pg_plan_load) and sets
 * has_facts: SV_OK, SV_ERR_INPUT for text that cannot be read. */
sv_status sv_shard_facts_write(sv_ctx *ctx, const sv_shard_plan *p, char **text);
int sv_shard_facts_is(const char *text);
sv_status sv_shard_facts_read(sv_ctx *ctx, sv_shard_plan *p, const char *text);
/* The box a worker reads shard s in at a halo grown by scale: the shard's own area (core without facts) grown
 * by (2 x scale + 2) halos. */
sv_env sv_shard_window(const sv_shard_plan *p, int s, double scale);
/* Which of the stations (1), districts (2) and demand points (8) a worker of p reads within the window: those
 * the facts count whole and with a usable envelope each (0 without facts). */
unsigned sv_shard_window_inputs(const sv_shard_plan *p);

/* A worker's shard. */
typedef struct {
    const sv_shard_plan *plan;
    int shard;
    /* filled while rows are kept (stations, demand_access come before the tables keyed by them) */
    char **stations, **demand;
    size_t n_stations, n_demand, cap_stations, cap_demand;
    int sorted;
    size_t n_kept_districts;
    /* set by the worker: how far the halo is widened (1: the plan's; sv_shard_check says when more is
     * needed), and by sv_shard_filter: */
    double scale;
    sv_env own;           /* the core and the shard's own stations and demand points */
    double known_m;       /* every station within this distance of own is in the shard's analysis */
    double max_snap_m, m_per_min;
    int network, all_stations, all_districts;
    size_t n_read[5], n_used[5]; /* features of each input (stations, districts, streets, demand,
                                  * population) read, and kept for the shard */
    sv_env window;           /* set by the worker: streets and population polygons were read within it
                              * (analysis CRS); the filter says when what it keeps needs more */
    unsigned window_more;    /* set by the worker: also the stations (1), districts (2), demand points (8) */
    sv_env stations_known;   /* stations read in the window: each one inside this box is kept or in left_xy
                              * (the window, grown when sv_shard_check reads more of them) */
    sv_source_opts stations_src; /* set by sv_shard_filter: how the analysis read the stations (its
                                  * strings are the worker's arguments), for sv_shard_check */
    int stations_strict, epsg;
    size_t n_more_reads;     /* how many times sv_shard_check read more stations (not the analysis again) */
    int window_short;
    double window_need;      /* how far (metres) it fell short */
    const char *check_why;   /* sv_shard_check: "demand", "people point", "responsibility" or "window", NULL: exact */
    char check_id[128];      /* the first demand point, station or district (of a people point) that needed more */
    /* set by sv_shard_filter for sv_shard_check: the stations left out (x, y pairs); freed by
     * sv_shard_worker_free */
    double *left_xy;
    size_t n_left;
    /* set by sv_shard_filter: 1 for each station kept (in the order kept) that is the shard's own; the
     * time-of-day stage counts the own stations open for finish */
    unsigned char *own_station;
    size_t n_own_station;
    /* the plan's districts by id and their centres in a grid (sv_shard_worker_index; NULL: not built, the
     * look-ups scan the plan); freed by sv_shard_worker_free */
    struct sv_shard_index *index;
    /* set by sv_shard_filter: the category value of every station of the run ("": none), n_run_categories
     * of them; freed by sv_shard_worker_free */
    char **run_categories;
    size_t n_run_categories;
} sv_shard_worker;

/* Builds w->index for w->plan (again when the plan changed; sv_shard_filter calls it): SV_OK or
 * SV_ERR_NOMEM. */
sv_status sv_shard_worker_index(sv_ctx *ctx, sv_shard_worker *w);
/* As sv_shard_nearest(w->plan, x, y), the same shard for every point (ties: the first district), through
 * w->index when it is built. */
int sv_shard_worker_nearest(const sv_shard_worker *w, double x, double y);
/* The shard of the plan's district id, 0 when none. */
int sv_shard_worker_district(const sv_shard_worker *w, const char *id);

/* The shard hook of `svcov worker`: keeps the shard's districts and what lies within the halo of them
 * (userdata: sv_shard_worker). */
sv_status sv_shard_filter(sv_ctx *ctx, void *userdata, const sv_analyze_opts *opts, const sv_analysis *a,
                          sv_featureset *const inputs[5], int *stop);
/* 1 when district_id is one of the shard's own (userdata: sv_shard_worker): sv_analyze_opts.resp_district,
 * so the shard computes every station's area of responsibility within its own districts. */
int sv_shard_own_district(void *userdata, const char *district_id);
/* w->run_categories (userdata: sv_shard_worker): sv_analyze_opts.run_categories, so a shard's coverage by
 * category has the run's categories (a shard keeping no station of one had no rows of it). */
size_t sv_shard_run_categories(void *userdata, const char *const **values);
/* 1 when a row of the shard's analysis belongs to the shard (called in table order), 0 when it belongs to
 * another or is computed by svcov finish (city_coverage, the whole-area rows; critical_stations is kept for
 * the own stations, finish ranks them; responsibility for every station: the pieces of its area in the
 * shard's own districts, which finish unites). */
int sv_shard_keep_row(void *userdata, sv_table table, const sv_value *values, size_t n, const unsigned char *wkb,
                      size_t len);
/* After the shard's analysis into db_path: *wider = 0 when every row the shard keeps is exact, else the
 * distance (metres) the stations must be known to around the shard's own area for the first row that is not
 * (a demand point whose nearest station may lie beyond the stations kept, an area of responsibility that
 * reaches beyond the halo): the worker computes the shard again with scale grown to cover it. */
sv_status sv_shard_check(sv_ctx *ctx, const char *db_path, sv_shard_worker *w, double *wider);
/* Forget the stations and demand points kept (before the shard is computed or published again). */
void sv_shard_worker_reset(sv_shard_worker *w);
void sv_shard_worker_free(sv_shard_worker *w);

#ifdef __cplusplus
}
#endif
#endif
