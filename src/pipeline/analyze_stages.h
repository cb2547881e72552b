/* analyze_stages.h - the stages of svcov analyze (sv_analyze_run in pipeline/analyze.c)
 * and the state they hand on. Each stage reads the fields filled by the
 * stages before it and fills its own (named in its comment); the state is
 * freed once, by sv_analyze_state_free. A new stage (e.g. access by opening
 * hours) is one function here, one file, one line in sv_analyze_run. */
#ifndef SV_PIPELINE_ANALYZE_STAGES_H
#define SV_PIPELINE_ANALYZE_STAGES_H

#include "svcov/sv_access.h"
#include "svcov/sv_analyze.h"
#include "svcov/sv_breaks.h"
#include "svcov/sv_network.h"
#include "svcov/sv_store.h"

#include <pthread.h>
#include <stdatomic.h>

/* The stations, the districts and (circle mode) the service circles do not
 * depend on the coverage: a second thread writes them, and builds their
 * spatial indexes, while the coverage is computed (analyze_write.c). */
typedef struct {
    const sv_ctx *run;  /* read only: its interrupt flag */
    sv_ctx *ctx;        /* this thread's errors */
    const sv_analyze_opts *o;
    const sv_analysis *a; /* read only: crs, mode, breaks, counts (set before the thread starts) */
    const sv_featureset *st_fs, *d_fs;
    const size_t *st_keep;
    const double *xs, *ys;
    const sv_valid_district *vd;
    sv_store *db;
    sv_status rc;
    atomic_int stop; /* the run failed elsewhere: give up */
    pthread_t tid;
    int running;
    double seconds, cpu_seconds; /* its own time (a timings line beside the others) */
    long long rows;
} sv_early_writer;

/* The people stage's groups of results (the coverage tables with their people, the redundancy and critical
 * stations, each category) are written by a thread of their own while the next group is computed
 * (analyze_people.c): one job at a time in the order the groups were finished, into the one database, which
 * only this thread touches from its first job until it is joined (it joins the early writer first). A group is
 * handed on only once the jobs of the groups before it are written (the coverage tables and the redundancy,
 * finished together, go together), so no more is held than when each was written at once. */
#define SV_PEOPLE_WRITER_JOBS 4
typedef struct {
    sv_ctx *ctx; /* this thread's errors and rows */
    sv_geos *h;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct {
        sv_people_done what;
        size_t index;
    } job[SV_PEOPLE_WRITER_JOBS];
    size_t queued, done; /* jobs handed on, jobs written (both only grow; under mu) */
    int closed, stop;    /* no more jobs; give up the rest (under mu) */
    sv_status rc;        /* the first failure (under mu) */
    int ew_joined;       /* it joined the early writer, whose line the run's timings then get at the join */
    pthread_t tid;
    int running, started, threaded;
    double seconds, cpu_seconds; /* its time writing (the wall of its jobs, its CPU): a timings line beside */
    long long rows;
} sv_people_writer;

typedef struct {
    sv_ctx *ctx;
    const sv_analyze_opts *o; /* the options; with --preset, preset_opts (the preset's breaks as radii) */
    sv_analysis *a;           /* the result, handed to the caller on success */
    char started[32];
    sv_analyze_opts preset_opts;
    double preset_radii[SV_PRESET_MAX];
    /* breaks: a->breaks, a->mode, a->speed_kmh, a->preset; network mode: the mode's speeds, each break's budget */
    sv_travel_mode mode;
    double *budget;
    /* inputs: the open sources (closed by the crs stage), then their features in the analysis CRS */
    sv_source *ssrc, *dsrc, *nsrc, *msrc, *psrc;
    sv_featureset sfs, dfs, nfs, mfs, pfs;
    /* places: station points (xs, ys, keep into sfs), valid districts (vd), their WKB (dw, dl) with the
       city as their union at dw[n_districts] */
    sv_geos *h;
    double *xs, *ys;
    size_t *keep;
    sv_valid_district *vd;
    unsigned char **dw;
    size_t *dl, nd_valid;
    /* network: the access options (both modes); network mode: the graph and the service areas */
    sv_access_opts ao;
    sv_network *net;
    sv_net_areas areas;
    /* demand: points (mx, my, mkeep into mfs), their districts (mdist), their access to the stations */
    sv_demand_access access;
    double *mx, *my;
    size_t *mkeep;
    int *mdist;
    sv_district_finder finder;
    /* people: what the people stage hands on to the access stage (surface, own people, people points) */
    sv_people_keep pkeep;
    /* write: the thread writing stations, districts and circles */
    sv_early_writer ew;
    /* people: the thread writing the people stage's groups of results */
    sv_people_writer pw;
    /* shard: the shard hook ended the run (svcov plan): nothing more is computed or written */
    int stop;
} sv_analyze_state;

/* One line per stage, in the order sv_analyze_run calls them. */
sv_status sv_analyze_breaks(sv_analyze_state *s);   /* analyze_breaks.c: preset, minutes/radii, speed, mode */
sv_status sv_analyze_inputs(sv_analyze_state *s);   /* analyze_inputs.c: target check, open every source */
sv_status sv_analyze_crs(sv_analyze_state *s);
sv_status sv_analyze_shard(sv_analyze_state *s);    /* shards.c: one shard's features (svcov worker) or stop (plan) */      /* analyze_inputs.c: the analysis CRS, every layer projected */
sv_status sv_analyze_budget(sv_analyze_state *s);   /* analyze_budget.c: memory and time estimated before places, refused/warned */
sv_status sv_analyze_places(sv_analyze_state *s);   /* analyze_inputs.c: station points, districts, the city */
sv_status sv_analyze_write_start(sv_analyze_state *s); /* analyze_write.c: stations/districts/circles, a thread */
sv_status sv_analyze_network(sv_analyze_state *s);  /* analyze_network.c: graph, network service areas */
sv_status sv_analyze_coverage(sv_analyze_state *s); /* analyze_coverage.c: per district and break (engine) */
sv_status sv_analyze_demand(sv_analyze_state *s);   /* analyze_demand.c: demand points' access, per district */
sv_status sv_analyze_people(sv_analyze_state *s);   /* analyze_people.c: people, redundancy, fairness... */
sv_status sv_analyze_access(sv_analyze_state *s);   /* analyze_access.c: capacity (2SFCA), time of day */
sv_status sv_analyze_write(sv_analyze_state *s);    /* analyze_write.c: every other table, then commit */
void sv_analyze_state_free(sv_analyze_state *s);

/* analyze_budget.c: what drives an analysis' memory and time, and the estimate made from it. */
typedef struct {
    double n_stations, n_breaks, circle_vertices; /* circle vertices: 4 * quad_segs + 1 */
    double n_districts, district_vertices, network_vertices, demand_points, population_vertices, raster_cells;
    int redundancy, categories, service_areas; /* the stages the run will do (--no-* turn them off) */
    double bytes, seconds; /* the estimate (sv_analyze_estimate) */
    /* its parts: what is held from the coverage on (inputs, coverage and its results), and the peak of each stage
       on top of it (0 when the stage is off): the service areas' early writer beside the coverage, the redundancy
       and the categories after it; bytes = held + the larger of service_areas and the larger of the other two (with
       what stays of the writer beside them) */
    double bytes_held, bytes_redundancy, bytes_categories, bytes_service_areas;
} sv_analyze_counts;
void sv_analyze_counts_init(sv_analyze_counts *e);
/* e->bytes and e->seconds from the counts, the coverage spread over threads. */
void sv_analyze_estimate(sv_analyze_counts *e, int threads);
/* Above the memory available (sv_mem_available): SV_ERR_DATA with the figures, unless force (then a warning);
   above half of it, or over a minute: a warning with the figures. */
sv_status sv_analyze_budget_check(sv_ctx *ctx, const sv_analyze_counts *e, int force);

/* analyze_coverage.c: the coverage engine's input for the stations xs/ys (n of them) and, in network mode,
   their areas: the coverage stage's for all stations, the access stage's for those open at a moment. */
void sv_analyze_cov_input(const sv_analyze_state *s, const double *xs, const double *ys, size_t n,
                          const sv_net_areas *areas, sv_cov_input *in);

/* analyze_write.c: the early writer's thread, joined (its error becomes the run's, when ctx is given). */
sv_status sv_early_writer_join(sv_ctx *ctx, sv_early_writer *w);
/* analyze_write.c: the run's database for a stage that writes as it goes (the early writer joined first). */
sv_status sv_analyze_store(sv_analyze_state *s, sv_store **db);
/* analyze_people.c: the people writer stopped (stop: its remaining jobs given up) and joined; its error becomes
   the run's and its time (and the early writer's, when it joined it) a line beside the others, when ctx is
   given. SV_OK when it never started. */
sv_status sv_people_writer_join(sv_ctx *ctx, sv_analyze_state *s, int stop);

/* The write stage's table groups (analyze_write_tables.c, analyze_write_run.c), in the order written;
   each adds what it wrote to *done (progress out of total). */
typedef struct {
    size_t done, total;
} sv_write_progress;
sv_status sv_write_network_areas(sv_analyze_state *s, sv_store *db, sv_write_progress *p);
sv_status sv_write_district_coverage(sv_analyze_state *s, sv_ctx *ctx, sv_geos *h, sv_store *db,
                                     sv_write_progress *p); /* ctx, h: the writing thread's */
sv_status sv_write_city(sv_analyze_state *s, sv_ctx *ctx, sv_store *db);
sv_status sv_write_demand(sv_analyze_state *s, sv_store *db);
sv_status sv_write_roads(sv_analyze_state *s, sv_store *db);
sv_status sv_write_run_record(sv_analyze_state *s, sv_store *db);
sv_status sv_write_timings(sv_ctx *ctx, sv_store *db); /* analyze_write.c: the timings table, last */

#endif
