/*
 * sv_analyze.h - the whole analysis in one call: read stations and
 * districts, project, draw service circles, measure every district and
 * break, and write the result database.
 *
 * Ownership: sv_analyze_run borrows the options (their strings and arrays must live during the
 * call) and returns a new sv_analysis the caller frees with sv_analysis_destroy (NULL ok); every
 * array and string inside it belongs to it. sv_feature_points and sv_district_polygons fill arrays
 * the caller allocated; each sv_valid_district's WKB is then the caller's (free()). A district
 * finder parses its own copies of the districts (freed by sv_district_finder_free), so vd may go
 * after sv_district_finder_init.
 */
#ifndef SV_ANALYZE_H
#define SV_ANALYZE_H

#include "svcov/sv_common.h"
#include "svcov/sv_coverage.h"
#include "svcov/sv_crs.h"
#include "svcov/sv_geom.h"
#include "svcov/sv_access.h"
#include "svcov/sv_breaks.h"
#include "svcov/sv_network.h"
#include "svcov/sv_io.h"
#include "svcov/sv_people.h"
#include "svcov/sv_plan.h"

#include "svcov/sv_2sfca.h"
#include "svcov/sv_store.h"

#ifdef __cplusplus
extern "C" {
#endif


#define SV_DEFAULT_QUAD_SEGS 32

struct sv_analysis;
struct sv_analyze_opts;
/* inputs: stations, districts, network, demand, population polygons (NULL: not given). */
typedef sv_status (*sv_shard_hook_fn)(sv_ctx *ctx, void *userdata, const struct sv_analyze_opts *opts,
                                      const struct sv_analysis *a, sv_featureset *const inputs[5], int *stop);
typedef struct sv_analyze_opts {
    sv_source_opts stations, districts;
    const char *crs;         /* "auto" (default), "auto-cgcs2000" or "EPSG:n" */
    const char *preset;      /* named breaks (sv_presets(), e.g. "gb50180"); radii override its distances */
    const double *minutes;   /* breaks in minutes ... */
    size_t n_minutes;
    const double *radii;     /* ... or in metres (not both) */
    size_t n_radii;
    const char *mode;        /* walk (default), bike, ebike */
    double speed_kmh;        /* > 0: overrides the mode's speed */
    double detour;           /* network circuity, >= 1 (default 1) */
    int quad_segs;           /* circle vertices = 4 * quad_segs */
    sv_method method;
    int service_areas;       /* store a circle per station and break (default 1) */
    int strict;              /* feature problems are errors */
    const char *out_path;
    const char *command_line; /* recorded in runs */
    /* A sharded run (pipeline/shards.c): called once every input is in the analysis CRS, before anything
     * is computed; may drop features (one shard and its halo) or set *stop (svcov plan: the inputs read,
     * nothing computed or written; the run then ends with SV_OK and a partial analysis). NULL: none. */
    sv_shard_hook_fn shard_hook;
    void *shard_userdata;
    /* A sharded run's worker: the areas of responsibility of every station only within the districts for
     * which this returns 1 (the shard's own; called with shard_userdata); finish unites the pieces. NULL:
     * within all districts. */
    int (*resp_district)(void *userdata, const char *district_id);
    /* A sharded run's worker: the category values of every station of the run (one per station, "": none;
     * *values set, their count returned; called with shard_userdata), so the shard's coverage by category
     * has the run's categories, also those that no station it keeps offers. NULL: the stations analysed. */
    size_t (*run_categories)(void *userdata, const char *const **values);
    /* A sharded run's worker: read streets and population polygons only within this box (xmin, ymin,
     * xmax, ymax in EPSG:read_window_epsg, the plan's CRS); NULL: all. */
    const double *read_window;
    int read_window_epsg;
    /* ... and also the stations (bit 1 << 0), districts (1 << 1) and demand points (1 << 3) in it: the
     * inputs of a shard's filter that knows the run-wide facts from the plan (sv_shard_plan.facts) */
    unsigned read_window_more;
    /* Network mode (network.spec set): true service areas over the roads. */
    sv_source_opts network;
    const char *speeds_csv;  /* highway,speed_kmh rows replacing the mode's table */
    sv_snap snap;            /* attach to the nearest edge (default) or node */
    int access_legs;         /* count the walk to and from the network (default 1) */
    double max_snap_m;       /* farther is not reachable (default 500) */
    double trim_m;           /* off-street allowance around reached streets (default 50) */
    /* Demand points (households, buildings; polygons at their centroid). */
    sv_source_opts demand;
    /* People: at most one of a districts field (population_field without
     * population.spec), population polygons (population.spec with its
     * weight_field) or a population raster. With demand points the polygon
     * people are spread over them (dasymetric). */
    const char *population_field;
    sv_source_opts population;
    const char *population_raster;
    int redundancy;          /* area and people by number of stations reaching, critical stations (default 1) */
    int by_category;         /* coverage per station category (default 1, when stations have categories) */
    int demand_only;         /* --demand-only: the demand's access to the nearest station only (demand_access,
                                demand_reach without its station counts, district_demand); no service areas,
                                coverage, gaps or people (the caller also clears service_areas, redundancy and
                                by_category) */
    sv_plan_opts plan;       /* stations added and removed before the analysis (recorded in runs) */

    /* Capacity-aware access (analyze_access.c): stations.weight_field is the
     * capacity field (--capacity-field; alone it means 2SFCA). */
    sv_access_method access; /* SV_ACCESS_NONE (default), 2SFCA, E2SFCA */
    sv_decay decay;          /* E2SFCA's decay (default gaussian) */
    int decay_set;           /* --decay given */
    double min_access;       /* capacity per 1,000 people; NAN: none (default) */
    /* Coverage by time of day: stations.hours_field and the moments. */
    const char *at;          /* "Mo 12:00,Mo 22:00,Sa 03:00", or NULL */
    int force;               /* run even when the estimate exceeds the memory available (analyze_budget.c) */
} sv_analyze_opts;

/* Who is covered: filled when people were given (method != SV_POP_NONE);
 * redundancy and fairness also without. Arrays indexed by district (the
 * last row: the whole city) and break, district-major. */
typedef struct {
    sv_pop_method method;
    double *total, *covered;      /* (n_districts + 1) * n_breaks; NAN: unknown */
    size_t n_pop_unknown;         /* districts whose people are unknown: left out of the city's */
    double *gini;                 /* n_breaks */
    sv_redundancy *red;           /* (n_districts + 1) * n_breaks, NULL when not computed */
    double *crit_area, *crit_pop; /* n_breaks * n_stations: what each station alone covers */
    unsigned char **crit_wkb;     /* n_breaks * n_stations */
    size_t *crit_len;
    double *med_m, *p90_m, *med_min, *p90_min; /* n_districts + 1: distance to the nearest station */
    size_t *n_points;
    const char *points_source;    /* where the distances were measured from (static), NULL: nowhere */
    /* The points inside the districts, unless they are demand points (people_points): n_pt of them, each's
     * place, people, distance, minutes (INFINITY: none reachable), nearest station (-1: none) and district. */
    size_t n_pt;
    double *pt_x, *pt_y, *pt_w, *pt_m, *pt_min;
    long *pt_station;
    size_t *pt_district;
    double *resp_area, *resp_pop; /* n_stations: area of responsibility */
    size_t *resp_n;
    unsigned char **resp_wkb;
    size_t *resp_len;
    const char *resp_method;      /* "voronoi" or "network-nearest" (static) */
    size_t raster_cells, raster_nodata, raster_negative, raster_kept, n_pieces, n_blocks_empty;
    double raster_sum;
    /* Coverage by station category ("water;charging" lists several). */
    size_t n_categories;
    char **categories;            /* n_categories */
    size_t *cat_stations;         /* stations offering each */
    sv_cov_result *cat_cov;       /* per category: n_districts + 1 rows (the city last) */
    double *cat_total, *cat_covered; /* per category, (n_districts + 1) * n_breaks */
    size_t n_no_category;         /* stations without a category value */
    char **station_ids;           /* n_stations, for the summary */
} sv_people_result;

void sv_analyze_opts_init(sv_analyze_opts *o);

typedef struct sv_analysis {
    sv_crs crs;
    char mode[32];
    double speed_kmh; /* 0 for metre breaks */
    double fastest_kmh; /* network mode: the fastest speed of any road read (a sharded run's halo); 0: unknown */
    sv_break *breaks;
    size_t n_breaks;
    const sv_preset *preset;  /* the breaks' preset (labels), NULL: none */
    size_t n_stations, n_stations_read;
    size_t n_districts, n_districts_read;
    char **district_ids, **district_names; /* n_districts each */
    int districts_overlap; /* the districts' areas add up to more than the city's */
    sv_cov_result cov; /* n_districts + 1 rows: the last is the whole city
                          (the union of all districts) */
    int network;              /* network mode */
    sv_network_info net;      /* the graph, in network mode */
    size_t n_unattached;      /* stations beyond max_snap */
    size_t n_demand;          /* demand points used */
    double *demand_total, *demand_covered; /* (n_districts + 1) * n_breaks; the last row: all demand */
    sv_people_result people;
    sv_plan_info plan;        /* stations the plan added and removed */

    struct sv_access_stage *access; /* capacity-aware access and time of day (analyze_access.c), or NULL */
} sv_analysis;

/* The break columns (mode, minutes, radius_m) of break b, as sv_store
 * values. */
#define SV_ANALYSIS_BREAK(a, b) SV_BREAK((a)->mode, (a)->breaks[b].minutes, (a)->breaks[b].radius_m)



/* Input features as points in the analysis CRS: points as they are;
 * polygons at their centroid when centroids is set (demand), else at a
 * point on their surface with a "repaired" issue (stations). keep[k] is
 * the feature index of point k. Arrays hold fs->n entries. */
sv_status sv_feature_points(sv_ctx *ctx, sv_geos *h, const sv_featureset *fs, int strict, int centroids,
                            double *xs, double *ys, size_t *keep, size_t *n_keep);

/* Stations farther than sv_far_station_limit(reach_m) (twice the largest
 * reach, at least SV_FAR_STATION_MIN_M) from the box of the districts
 * (analysis CRS): one warning with their count and three examples in the
 * source's coordinates. Returns how many. points k of xs/ys are features
 * keep[k] of sfs (sv_feature_points). */
#define SV_FAR_STATION_MIN_M 50000.0
double sv_far_station_limit(double reach_m);
size_t sv_warn_far_stations(sv_ctx *ctx, const sv_featureset *sfs, const double *xs, const double *ys,
                            const size_t *keep, size_t n, const sv_env *districts, double reach_m);
/* No usable station: an error when features were read and all skipped; a
 * warning for an empty layer (an error with strict); nothing when a --where
 * was given (it warns on its own). */
sv_status sv_check_station_count(sv_ctx *ctx, const sv_featureset *sfs, size_t n_usable, int has_where,
                                 int strict);

/* A district made valid (GEOS MakeValid, polygons only) as WKB. */
typedef struct {
    unsigned char *wkb; /* owned: free() */
    size_t len;
    double area;
    int repaired;
    size_t src; /* index in the feature set */
} sv_valid_district;

/* Valid polygonal districts of fs (fs->n entries in out); features with
 * no area are skipped with an issue, invalid ones repaired. */
sv_status sv_district_polygons(sv_ctx *ctx, sv_geos *h, const sv_featureset *fs, int strict,
                               sv_valid_district *out, size_t *n_out);

/* --crs auto/auto-cgcs2000 (crs NULL: auto) take one zone: districts wider
 * or taller than SV_AUTO_CRS_MAX_DEG degrees of lon/lat, or beyond the UTM
 * latitudes, are an error asking for an equal-area CRS. */
#define SV_AUTO_CRS_MAX_DEG 12.0
sv_status sv_check_auto_extent(sv_ctx *ctx, const char *crs, const sv_env *lonlat, const char *districts);
/* The bounding box of n valid districts. 0 ok, -1 none readable. */
int sv_districts_box(sv_geos *h, const sv_valid_district *vd, size_t n, sv_env *out);

/* Which district a point lies in: the first (in file order) whose polygon
 * covers it, -1 none. */
typedef struct {
    sv_geos *h;
    sv_index *tree;
    sv_geom **geoms;
    sv_prep **preps;
    size_t n;
    size_t *ids, nids, cap;
} sv_district_finder;
int sv_district_finder_init(sv_district_finder *f, sv_geos *h, const sv_valid_district *vd, size_t n);
int sv_district_finder_find(sv_district_finder *f, double x, double y);
void sv_district_finder_free(sv_district_finder *f);

/* What the "who is covered" stage hands on to the access and time-of-day
 * stage: its population surface (on the caller's GEOS handle: destroy it
 * before the handle), each district's own people (n_districts + 1; see
 * sv_people_covered) and the points people are measured from. */
typedef struct {
    sv_popsurf *surf;  /* NULL without people */
    double *own;       /* free() */
    double *x, *y, *w; /* free() */
    size_t n;
    const char *source; /* static */
} sv_people_keep;

/* What sv_people_run has finished: the people per district and break (the coverage tables can be written),
 * the redundancy classes and critical stations, one category (its index). */
typedef enum { SV_PEOPLE_DONE_COVERAGE, SV_PEOPLE_DONE_REDUNDANCY, SV_PEOPLE_DONE_CATEGORY } sv_people_done;

/* The "who is covered" stage of sv_analyze_run (analyze_people.c). */
typedef struct {
    const sv_analyze_opts *o;
    const double *xs, *ys;                   /* stations */
    const sv_featureset *stations;           /* station features ... */
    const size_t *st_keep;                   /* ... of each station point */
    const sv_valid_district *vd;             /* n_districts */
    const unsigned char *const *dw;          /* n_districts + 1 (the city last) */
    const size_t *dl;
    const sv_featureset *districts, *population, *demand;
    const size_t *dem_keep;                  /* demand feature of each demand point */
    const double *dem_x, *dem_y;
    size_t n_demand;
    const sv_demand_access *dem_access;      /* NULL without demand */
    const sv_network *net;                   /* network mode */
    const sv_net_areas *areas;
    const sv_access_opts *access_opts;
    sv_people_keep *keep;                    /* NULL, or filled on success */
    /* NULL, or called as each group of results is complete, to write it and free its geometry (the numbers
       stay): memory then holds one group at a time, not all of them until the end */
    sv_status (*sink)(void *arg, sv_analysis *a, sv_people_done what, size_t index);
    void *sink_arg;
} sv_people_in;
sv_status sv_people_run(sv_ctx *ctx, sv_geos *h, const sv_people_in *in, sv_analysis *a);
/* People per district and break of a coverage result cov (the city last):
 * total and covered ((nd + 1) * nb, set to NAN by the caller) are filled
 * for the districts whose people are known. */
sv_status sv_people_covered(sv_ctx *ctx, sv_geos *h, sv_popsurf *surf, const double *own, const sv_cov_result *cov,
                            const unsigned char *const *dw, const size_t *dl, size_t nd, size_t nb, int overlap,
                            double *total, double *covered, size_t *n_unknown);
/* Write the rows of what is done: district_redundancy and critical_stations (SV_PEOPLE_DONE_REDUNDANCY),
 * category_coverage and category_gaps of category index (SV_PEOPLE_DONE_CATEGORY), then free their
 * geometry; sv_people_write writes district_fairness and responsibility. */
sv_status sv_people_write_done(sv_ctx *ctx, sv_store *db, sv_analysis *a, const sv_featureset *st_fs,
                               const size_t *st_keep, sv_people_done what, size_t index);
sv_status sv_people_write(sv_ctx *ctx, sv_store *db, const sv_analysis *a, const sv_featureset *st_fs,
                          const size_t *st_keep);
void sv_people_result_free(sv_people_result *p, size_t n_districts, size_t n_breaks, size_t n_stations);
/* Minutes for a demand cost of the analysis (seconds or metres in network
 * mode, straight metres at the mode's speed in circle mode). */
double sv_analysis_minutes(const sv_analysis *a, double cost);

/* Run the analysis and replace opts->out_path atomically. On failure the
 * previous file is untouched and *out is NULL. Free with
 * sv_analysis_destroy (NULL ok). */
sv_status sv_analyze_run(sv_ctx *ctx, const sv_analyze_opts *opts, sv_analysis **out);
/* The figures of capacity-aware access and coverage by time of day for a
 * summary (analyze_access.c). sv_analysis_access: 1 and the whole area's
 * access index (capacity per 1,000 people) at break b, the method's name
 * (static) and the station with the most demand per unit of capacity
 * (index into the stations, its load), 0 when not computed. */
int sv_analysis_access(const sv_analysis *a, size_t b, double *index, const char **method, size_t *most_loaded,
                       double *load);
/* Moments measured (0 without --at); moment m's label (owned by a), stations
 * open and the whole area's covered share of area and people (NAN without
 * people) at break b. */
size_t sv_analysis_moments(const sv_analysis *a);
const char *sv_analysis_moment(const sv_analysis *a, size_t m, size_t b, size_t *n_open, double *area_pct,
                               double *pop_pct);
void sv_analysis_destroy(sv_analysis *a);
/* The same with opts->out_path a PostgreSQL database ("PG:conninfo", sv_pg.h): checked before any input is
 * read, computed into a private SpatiaLite file, published as a new run of schema in one transaction
 * (*run_id gets its id), the file removed (analyze_pg.c). */
sv_status sv_analyze_pg(sv_ctx *ctx, const sv_analyze_opts *opts, const char *schema, sv_analysis **out,
                        long long *run_id);

#ifdef __cplusplus
}
#endif
#endif
