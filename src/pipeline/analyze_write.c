/* analyze_write.c - the write stage of svcov analyze: a thread writes the
 * stations, the districts and the service circles while the coverage is computed;
 * then every other table group (analyze_write_tables.c, analyze_write_run.c), the
 * issues and the commit, into the one SpatiaLite result database. */
#include "pipeline/analyze_access.h"
#include "pipeline/analyze_stages.h"
#include "svcov/sv_geom.h"
#include "core/parallel.h"
#include "core/schema.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* The service circles of one round of stations, made on all cores: each item is a block of
 * CIRCLE_BLOCK stations whose circles (WKB and area) go into their own slots, so the rows, written
 * by the writer's thread in station order, are the same bytes on any number of threads; a round is
 * written, and its WKB freed, before the next is made (nothing is held for the whole city). */
#define CIRCLE_BLOCK 256
#define CIRCLE_ROUND (16 * CIRCLE_BLOCK)

typedef struct {
    const double *xs, *ys;
    const sv_analysis *a;
    int quad_segs;
    size_t first, n; /* this round's stations: [first, first + n) */
    unsigned char **wkb; /* [(k - first) * n_breaks + b]; NULL: not made */
    size_t *len;
    double *area;
    atomic_int failed;
    char msg[512];         /* the first failure's GEOS message */
    atomic_llong other_cpu_ns; /* CPU of the workers beside the writer's thread (timings) */
} circle_round;

typedef struct {
    double cpu0;
    int beside; /* a worker thread of its own, not the writer's */
} circle_worker;

static int circle_init(void *job, sv_geos *h, void *worker, size_t index)
{
    (void)job;
    (void)h;
    circle_worker *cw = worker;
    cw->beside = index != 0;
    cw->cpu0 = cw->beside ? sv_ctx_thread_cpu_s() : 0;
    return 0;
}

static int circle_finish(void *job, sv_geos *h, void *worker)
{
    (void)h;
    circle_worker *cw = worker;
    if (cw->beside)
        atomic_fetch_add(&((circle_round *)job)->other_cpu_ns,
                         (long long)((sv_ctx_thread_cpu_s() - cw->cpu0) * 1e9));
    return 0;
}

static int circle_block(void *job, sv_geos *h, void *worker, size_t item)
{
    (void)worker;
    circle_round *r = job;
    size_t nb = r->a->n_breaks, end = (item + 1) * CIRCLE_BLOCK < r->n ? (item + 1) * CIRCLE_BLOCK : r->n;
    for (size_t i = item * CIRCLE_BLOCK; i < end; i++)
        for (size_t b = 0; b < nb; b++) {
            size_t k = r->first + i;
            sv_geom *c = sv_geom_circle(h, r->xs[k], r->ys[k], r->a->breaks[b].radius_m, r->quad_segs);
            r->wkb[i * nb + b] = c ? sv_geom_to_wkb(h, c, &r->len[i * nb + b]) : NULL;
            r->area[i * nb + b] = c ? sv_geom_area(h, c) : 0;
            sv_geom_destroy(h, c);
            if (!r->wkb[i * nb + b]) {
                int zero = 0;
                if (atomic_compare_exchange_strong(&r->failed, &zero, 1))
                    snprintf(r->msg, sizeof r->msg, "%s", sv_geos_errmsg(h));
                return SV_ERR_GEOM;
            }
        }
    return 0;
}

/* The circles of stations [first, first + n) into r's slots, on threads threads. */
static sv_status circle_round_make(sv_ctx *ctx, int threads, circle_round *r, size_t first, size_t n)
{
    r->first = first;
    r->n = n;
    atomic_store(&r->failed, 0);
    sv_parallel_spec spec = {.worker_size = sizeof(circle_worker), .init = circle_init, .item = circle_block,
                             .finish = circle_finish, .striped = 1};
    int prc = sv_parallel_run(threads, (n + CIRCLE_BLOCK - 1) / CIRCLE_BLOCK, &spec, r);
    if (atomic_load(&r->failed))
        return sv_error(ctx, SV_ERR_GEOM, "cannot draw a service circle: %s", r->msg);
    return prc == 0 ? SV_OK : sv_error(ctx, SV_ERR_NOMEM, "out of memory drawing the service circles");
}

/* The early writer's thread: stations, districts and (circle mode, with
 * service areas) the circles, each table finished with its spatial index. */
static void *early_write(void *arg)
{
    sv_early_writer *w = arg;
    const sv_analyze_opts *o = w->o;
    const sv_analysis *a = w->a;
    double t0 = sv_clock_s(), cpu0 = sv_ctx_thread_cpu_s();
    sv_status rc = sv_store_create(w->ctx, o->out_path, a->crs.epsg, &w->db);
    int circles = o->service_areas && !a->network && !o->demand_only;
    size_t nb = a->n_breaks, slots = circles ? (size_t)CIRCLE_ROUND * nb : 0;
    circle_round r = {.xs = w->xs, .ys = w->ys, .a = a, .quad_segs = o->quad_segs};
    atomic_init(&r.failed, 0);
    atomic_init(&r.other_cpu_ns, 0);
    if (rc == SV_OK && circles) {
        r.wkb = sv_calloc(slots, sizeof *r.wkb);
        r.len = sv_calloc(slots, sizeof *r.len);
        r.area = sv_calloc(slots, sizeof *r.area);
        if (!r.wkb || !r.len || !r.area)
            rc = sv_error(w->ctx, SV_ERR_NOMEM, "out of memory drawing the service circles");
    }
    for (size_t k = 0; k < a->n_stations && rc == SV_OK; k++) {
        size_t i = k % CIRCLE_ROUND;
        if (circles && i == 0) /* the next round's circles, on all cores */
            rc = circle_round_make(w->ctx, sv_ctx_threads(w->run), &r, k,
                                   a->n_stations - k < CIRCLE_ROUND ? a->n_stations - k : CIRCLE_ROUND);
        const sv_feature *f = &w->st_fs->items[w->st_keep[k]];
        sv_value sv[] = {SV_TEXT(f->id), SV_TEXT(f->name), SV_TEXT(f->category), SV_INT(f->fid)};
        if (rc == SV_OK)
            rc = sv_store_insert_point(w->ctx, w->db, SV_TABLE_STATIONS, sv, 4, w->xs[k], w->ys[k]);
        if (rc == SV_OK && (f->services || f->hours)) {
            sv_value ss[] = {SV_TEXT(f->id), SV_TEXT(f->services), SV_TEXT(f->hours)};
            rc = sv_store_insert(w->ctx, w->db, SV_TABLE_STATION_SERVICES, ss, 3, NULL, 0);
        }
        for (size_t b = 0; b < nb && rc == SV_OK && circles; b++) {
            sv_value v[] = {SV_TEXT(f->id), SV_ANALYSIS_BREAK(a, b), SV_REAL(r.area[i * nb + b]), SV_REAL(NAN)};
            rc = sv_store_insert(w->ctx, w->db, SV_TABLE_SERVICE_AREAS, v, 6, r.wkb[i * nb + b], r.len[i * nb + b]);
            free(r.wkb[i * nb + b]); /* written */
            r.wkb[i * nb + b] = NULL;
        }
        if ((k & 1023) == 0 && (sv_ctx_interrupted(w->run) || atomic_load(&w->stop)))
            rc = SV_ERR_INTERRUPTED;
    }
    for (size_t q = 0; r.wkb && q < slots; q++)
        free(r.wkb[q]); /* a round given up */
    free(r.wkb);
    free(r.len);
    free(r.area);
    for (size_t d = 0; d < a->n_districts && rc == SV_OK && !atomic_load(&w->stop); d++) {
        const sv_feature *f = &w->d_fs->items[w->vd[d].src];
        sv_value v[] = {SV_TEXT(f->id), SV_TEXT(f->name), SV_INT(f->fid), SV_REAL(w->vd[d].area),
                        SV_INT(w->vd[d].repaired)};
        rc = sv_store_insert(w->ctx, w->db, SV_TABLE_DISTRICTS, v, 5, w->vd[d].wkb, w->vd[d].len);
    }
    if (rc == SV_OK && atomic_load(&w->stop))
        rc = SV_ERR_INTERRUPTED;
    if (rc == SV_OK)
        rc = sv_store_finish_table(w->ctx, w->db, SV_TABLE_STATIONS);
    if (rc == SV_OK)
        rc = sv_store_finish_table(w->ctx, w->db, SV_TABLE_DISTRICTS);
    if (rc == SV_OK && circles)
        rc = sv_store_finish_table(w->ctx, w->db, SV_TABLE_SERVICE_AREAS);
    w->rc = rc;
    /* its own line in the timings: it runs beside the stages of the main thread */
    sv_timing total;
    sv_ctx_timings_update(w->ctx);
    sv_ctx_timing_totals(w->ctx, NULL, &total);
    w->seconds = sv_clock_s() - t0;
    w->cpu_seconds = sv_ctx_thread_cpu_s() - cpu0 + (double)atomic_load(&r.other_cpu_ns) / 1e9;
    w->rows = total.rows;
    return NULL;
}

static sv_status early_writer_start(sv_early_writer *w)
{
    if (!(w->ctx = sv_ctx_create()))
        return SV_ERR_NOMEM;
    sv_ctx_set_lang(w->ctx, sv_ctx_lang(w->run)); /* its messages in the run's language */
    w->running = pthread_create(&w->tid, NULL, early_write, w) == 0;
    if (!w->running) /* no thread: write now */
        early_write(w);
    return SV_OK;
}

/* Wait for the writer; its error, if any, becomes the run's. The store is
 * left in w->db (NULL once handed on or thrown away). */
sv_status sv_early_writer_join(sv_ctx *ctx, sv_early_writer *w)
{
    if (w->running)
        pthread_join(w->tid, NULL);
    w->running = 0;
    sv_status rc = w->ctx ? w->rc : SV_OK;
    if (rc != SV_OK && rc != SV_ERR_INTERRUPTED && ctx)
        sv_error(ctx, rc, "%s", sv_ctx_errmsg(w->ctx));
    if (rc == SV_OK && ctx && w->ctx)
        sv_ctx_timing_beside(ctx, "early writer (thread)", w->seconds, w->cpu_seconds, w->rows);
    if (rc != SV_OK) {
        sv_store_abort(w->db);
        w->db = NULL;
    }
    sv_ctx_destroy(w->ctx);
    w->ctx = NULL;
    return rc;
}

/* Start the early writer on the state's stations and districts (s->ew; it
 * creates the result database in s->ew.db). */
sv_status sv_analyze_write_start(sv_analyze_state *s)
{
    s->ew = (sv_early_writer){.run = s->ctx, .o = s->o, .a = s->a, .st_fs = &s->sfs, .d_fs = &s->dfs,
                              .st_keep = s->keep, .xs = s->xs, .ys = s->ys, .vd = s->vd};
    return early_writer_start(&s->ew);
}

/* The run's database, for a stage writing its results as it makes them: the early writer joined the first
 * time (its error becomes the run's); the store stays in s->ew.db until the write stage commits it. */
sv_status sv_analyze_store(sv_analyze_state *s, sv_store **db)
{
    *db = NULL;
    if (s->ew.running || s->ew.ctx) {
        sv_progress(s->ctx, "early writer", 0.0); /* waiting for it */
        sv_status rc = sv_early_writer_join(s->ctx, &s->ew);
        sv_progress(s->ctx, "early writer", 1.0);
        if (rc != SV_OK)
            return rc;
    }
    if (!s->ew.db)
        return sv_error(s->ctx, SV_ERR_INTERNAL, "the result database is not open");
    *db = s->ew.db;
    return SV_OK;
}

/* The timings table: every line of ctx up to now, then "other" and "total" (the commit that follows is not in
 * it: COMMIT, fsync and rename, after every index is built). */
sv_status sv_write_timings(sv_ctx *ctx, sv_store *db)
{
    sv_ctx_timings_update(ctx);
    sv_timing other, total;
    sv_ctx_timing_totals(ctx, &other, &total);
    size_t n = sv_ctx_timing_count(ctx);
    sv_status rc = SV_OK;
    for (size_t i = 0; i <= n + 1 && rc == SV_OK; i++) {
        const sv_timing *t = i < n ? sv_ctx_timing(ctx, i) : i == n ? &other : &total;
        sv_value v[] = {SV_TEXT(t->stage), SV_TEXT(t->parent), SV_REAL(t->seconds), SV_REAL(t->cpu_seconds),
                        SV_INT(t->rows), SV_INT(t->beside), SV_REAL(t->beside ? NAN : t->peak_mib)};
        rc = sv_store_insert(ctx, db, SV_TABLE_TIMINGS, v, sizeof v / sizeof v[0], NULL, 0);
    }
    return rc;
}

/* Join the early writer, write every other table into its database and
 * commit; the database is consumed either way. */
sv_status sv_analyze_write(sv_analyze_state *s)
{
    sv_ctx *ctx = s->ctx;
    const sv_analyze_opts *o = s->o;
    const sv_analysis *a = s->a;
    sv_progress(ctx, "writing", 0.0);
    sv_progress(ctx, "people tables", 0.0); /* the people stage's writer finishing its last groups */
    sv_status rc = sv_people_writer_join(ctx, s, 0);
    sv_progress(ctx, "people tables", 1.0);
    if (rc != SV_OK)
        return rc;
    sv_store *db = NULL;
    rc = sv_analyze_store(s, &db); /* the people stage wrote into it already */
    if (rc != SV_OK)
        return rc;
    s->ew.db = NULL;
    /* the district coverage and the city were written by the people stage, once their people were known */
    sv_write_progress p = {0, a->network && o->service_areas ? a->n_stations : 0};
    sv_progress(ctx, "coverage tables", 0.0);
    rc = sv_write_network_areas(s, db, &p);
    sv_progress(ctx, "coverage tables", 1.0);
    if (rc == SV_OK)
        rc = sv_write_demand(s, db);
    sv_progress(ctx, "people tables", 0.0);
    if (rc == SV_OK)
        rc = sv_people_write(ctx, db, a, &s->sfs, s->keep);
    sv_progress(ctx, "people tables", 1.0);
    if (rc == SV_OK)
        rc = sv_access_stage_write(ctx, s->h, db, a, &s->sfs, s->keep);
    if (rc == SV_OK)
        rc = sv_write_roads(s, db);
    for (size_t i = 0; i < sv_ctx_issue_count(ctx) && rc == SV_OK; i++)
        rc = sv_store_issue(ctx, db, sv_ctx_issue(ctx, i));
    if (rc == SV_OK)
        rc = sv_write_run_record(s, db);
    sv_progress(ctx, "indexes", 0.0);
    for (int t = 0; t < SV_TABLE_COUNT && rc == SV_OK; t++)
        if (sv_schema_table((sv_table)t)->geometry)
            rc = sv_store_finish_table(ctx, db, (sv_table)t);
    sv_progress(ctx, "indexes", 1.0);
    if (rc == SV_OK)
        rc = sv_write_timings(ctx, db);
    if (rc == SV_OK && sv_ctx_interrupted(ctx))
        rc = SV_ERR_INTERRUPTED;
    if (rc != SV_OK) {
        if (rc == SV_ERR_INTERRUPTED)
            sv_error(ctx, rc, "interrupted; %s was left as it was", o->out_path);
        sv_store_abort(db);
        return rc;
    }
    rc = sv_store_commit(ctx, db);
    sv_progress(ctx, "writing", 1.0);
    return rc;
}
