/* analyze.c - the analysis pipeline: inputs -> circles -> coverage -> store. */
#include "svcov/sv_analyze.h"
#include "svcov/sv_breaks.h"
#include "svcov/sv_geom.h"
#include "svcov/sv_store.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Walking 5 km/h is the usual planning pace (the 15-minute circle of about
 * 1.2 km); 15 km/h an ordinary city cyclist; 20 km/h a delivery rider on an
 * e-bike (China caps e-bikes at 25 km/h, GB 17761-2018; riders average less
 * with stops). */
static const sv_mode_info modes[] = {
    {"walk", 5.0, "walking, 5 km/h"},
    {"bike", 15.0, "cycling, 15 km/h"},
    {"ebike", 20.0, "e-bike (delivery riders), 20 km/h"},
    {NULL, 0, NULL},
};

const sv_mode_info *sv_modes(void)
{
    return modes;
}

void sv_analyze_opts_init(sv_analyze_opts *o)
{
    memset(o, 0, sizeof *o);
    o->crs = "auto";
    o->mode = "walk";
    o->detour = 1.0;
    o->quad_segs = SV_DEFAULT_QUAD_SEGS;
    o->method = SV_METHOD_VORONOI;
    o->service_areas = 1;
    o->snap = SV_SNAP_EDGE;
    o->access_legs = 1;
    o->max_snap_m = 500;
    o->trim_m = 50;
    o->redundancy = 1;
    o->by_category = 1;
}

void sv_analysis_destroy(sv_analysis *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n_districts; i++) {
        free(a->district_ids ? a->district_ids[i] : NULL);
        free(a->district_names ? a->district_names[i] : NULL);
    }
    free(a->district_ids);
    free(a->district_names);
    free(a->breaks);
    free(a->demand_total);
    free(a->demand_covered);
    sv_people_result_free(&a->people, a->n_districts, a->n_breaks, a->n_stations);
    sv_cov_result_free(&a->cov);
    free(a);
}

/* Breaks in network mode: minutes at the mode's speeds, or metres along
 * the streets (ascending, repeats merged by sv_breaks_values). radius_m of
 * a minutes break is the distance at the mode's default speed, for
 * reference only. budget[] holds at least as many entries as values given. */
static sv_status make_network_breaks(sv_ctx *ctx, const sv_analyze_opts *o, const sv_travel_mode *m, sv_analysis *a,
                                     double *budget)
{
    if (o->n_minutes && o->n_radii)
        return sv_error(ctx, SV_ERR_USAGE, "give breaks either as --minutes or as --radius, not both");
    if (o->detour != 1.0 || o->speed_kmh != 0)
        return sv_error(ctx, SV_ERR_USAGE, "--detour and --speed are for circles; on a network the speeds come "
                        "from the mode's table (--speeds FILE to change them)");
    if (!(o->trim_m >= 0) || !(o->max_snap_m >= 0) || o->trim_m > 10000 || o->max_snap_m > 100000)
        return sv_error(ctx, SV_ERR_USAGE, "--trim and --max-snap are distances in metres (0 or more)");
    double *v = NULL;
    size_t n = 0, merged = 0;
    sv_status st = o->n_radii ? sv_breaks_values(ctx, "--radius", o->radii, o->n_radii, 1e6, &v, &n, &merged)
                              : sv_breaks_values(ctx, "--minutes", o->minutes, o->n_minutes, 24 * 60, &v, &n, &merged);
    if (st != SV_OK)
        return st;
    if (!(a->breaks = calloc(n, sizeof *a->breaks))) {
        free(v);
        return SV_ERR_NOMEM;
    }
    a->n_breaks = n;
    snprintf(a->mode, sizeof a->mode, "%s", m->name);
    a->speed_kmh = o->n_radii ? 0 : m->default_kmh;
    for (size_t i = 0; i < n; i++) {
        a->breaks[i].minutes = o->n_radii ? NAN : v[i];
        a->breaks[i].radius_m = o->n_radii ? v[i] : m->default_kmh / 3.6 * 60.0 * v[i];
        budget[i] = o->n_radii ? v[i] : v[i] * 60.0;
    }
    free(v);
    return SV_OK;
}

/* Circle breaks: the one rule shared with svcov site (sv_breaks_make). */
static sv_status make_breaks(sv_ctx *ctx, const sv_analyze_opts *o, sv_analysis *a)
{
    if (o->quad_segs < 2 || o->quad_segs > 1000)
        return sv_error(ctx, SV_ERR_USAGE, "--quad-segs %d: use 2..1000 (32 gives 128-vertex circles)",
                        o->quad_segs);
    sv_breaks_spec sp = {o->minutes, o->n_minutes, o->radii, o->n_radii, o->mode, o->speed_kmh, o->detour};
    sv_breaks b;
    sv_status st = sv_breaks_make(ctx, &sp, &b);
    if (st != SV_OK)
        return st;
    a->breaks = b.breaks; /* taken over */
    a->n_breaks = b.n;
    a->speed_kmh = b.speed_kmh;
    snprintf(a->mode, sizeof a->mode, "%s", b.mode);
    return SV_OK;
}

sv_status sv_feature_points(sv_ctx *ctx, sv_geos *h, const sv_featureset *fs, int strict, int centroids,
                            double *xs, double *ys, size_t *keep, size_t *n_keep)
{
    *n_keep = 0;
    for (size_t i = 0; i < fs->n; i++) {
        const sv_feature *f = &fs->items[i];
        sv_geom *g = sv_geom_from_wkb(h, f->wkb, f->wkb_len);
        if (!g)
            return sv_error(ctx, SV_ERR_GEOM, "%s: layer '%s', feature %s: unreadable geometry: %s", fs->path,
                            fs->layer, f->id, sv_geos_errmsg(h));
        double x, y;
        sv_status st = SV_OK;
        if (centroids && sv_geom_point_xy(h, g, &x, &y) != 0) {
            /* demand drawn as buildings or blocks: taken at its centroid, as expected */
            sv_geom *p = sv_geom_centroid(h, g);
            int bad = !p || sv_geom_point_xy(h, p, &x, &y) != 0;
            sv_geom_destroy(h, p);
            if (bad) {
                sv_geom_destroy(h, g);
                st = strict ? sv_error(ctx, SV_ERR_DATA, "%s: layer '%s', feature %s: no usable centroid; fix or "
                                       "remove it", fs->path, fs->layer, f->id)
                            : sv_issue_add(ctx, fs->path, fs->layer, f->id, "no usable centroid", SV_ISSUE_SKIPPED);
                if (st != SV_OK)
                    return st;
                continue;
            }
        } else if (sv_geom_point_xy(h, g, &x, &y) != 0) {
            const char *what = sv_geom_is_polygonal(h, g) ? "polygon station: placed at a point on its surface"
                                                          : "multipoint station: placed at its centroid";
            sv_geom *p = sv_geom_is_polygonal(h, g) ? sv_geom_point_on_surface(h, g) : sv_geom_centroid(h, g);
            if (!p || sv_geom_point_xy(h, p, &x, &y) != 0) {
                sv_geom_destroy(h, p);
                sv_geom_destroy(h, g);
                st = strict ? sv_error(ctx, SV_ERR_DATA, "%s: layer '%s', feature %s: no usable point; fix or "
                                       "remove it", fs->path, fs->layer, f->id)
                            : sv_issue_add(ctx, fs->path, fs->layer, f->id, "no usable point", SV_ISSUE_SKIPPED);
                if (st != SV_OK)
                    return st;
                continue;
            }
            sv_geom_destroy(h, p);
            st = strict ? sv_error(ctx, SV_ERR_DATA, "%s: layer '%s', feature %s: %s; give points (without "
                                   "--strict it would be repaired)", fs->path, fs->layer, f->id, what)
                        : sv_issue_add(ctx, fs->path, fs->layer, f->id, what, SV_ISSUE_REPAIRED);
        }
        sv_geom_destroy(h, g);
        if (st != SV_OK)
            return st;
        xs[*n_keep] = x;
        ys[*n_keep] = y;
        keep[(*n_keep)++] = i;
    }
    return SV_OK;
}

/* A point's district: the first (in file order) whose polygon covers it. */
int sv_district_finder_init(sv_district_finder *f, sv_geos *h, const sv_valid_district *vd, size_t n)
{
    memset(f, 0, sizeof *f);
    f->h = h;
    f->n = n;
    f->tree = sv_index_create(h);
    f->geoms = calloc(n + 1, sizeof *f->geoms);
    f->preps = calloc(n + 1, sizeof *f->preps);
    if (!f->tree || !f->geoms || !f->preps)
        return -1;
    for (size_t d = 0; d < n; d++) {
        sv_env e;
        if (!(f->geoms[d] = sv_geom_from_wkb(h, vd[d].wkb, vd[d].len)) || sv_geom_envelope(h, f->geoms[d], &e) != 0 ||
            !(f->preps[d] = sv_prep_create(h, f->geoms[d])) || sv_index_insert(h, f->tree, d, &e) != 0)
            return -1;
    }
    return 0;
}

int sv_district_finder_find(sv_district_finder *f, double x, double y)
{
    sv_env e = {x, y, x, y};
    f->nids = 0;
    if (f->n == 0 || sv_index_query(f->h, f->tree, &e, &f->ids, &f->nids, &f->cap) != 0)
        return -1;
    size_t best = SIZE_MAX;
    for (size_t k = 0; k < f->nids; k++)
        if (f->ids[k] < best && sv_prep_covers_xy(f->h, f->preps[f->ids[k]], x, y) == 1)
            best = f->ids[k];
    return best == SIZE_MAX ? -1 : (int)best;
}

void sv_district_finder_free(sv_district_finder *f)
{
    for (size_t d = 0; d < f->n; d++) {
        if (f->preps)
            sv_prep_destroy(f->h, f->preps[d]);
        if (f->geoms)
            sv_geom_destroy(f->h, f->geoms[d]);
    }
    free(f->preps);
    free(f->geoms);
    free(f->ids);
    sv_index_destroy(f->h, f->tree);
}

/* "invalid polygon (Self-intersection at X Y in EPSG:32631 = LON LAT in the
 * source's EPSG:4326): repaired ...": GEOS gives the place in the analysis
 * CRS; the file's own coordinates are what one looks up in it. */
static void describe_invalid(const sv_featureset *fs, const char *reason, char *buf, size_t size)
{
    const char *r = reason ? reason : "invalid";
    const char *br = strchr(r, '[');
    double x, y, sx, sy;
    if (br && sscanf(br, "[%lf %lf]", &x, &y) == 2) {
        char src[160] = "";
        if (sv_featureset_to_source(fs, x, y, &sx, &sy) == 0) {
            int deg = fabs(sx) <= 360 && fabs(sy) <= 90; /* lon/lat: 7 decimals, about 1 cm */
            snprintf(src, sizeof src, " = %.*f %.*f in the source's %s", deg ? 7 : 3, sx, deg ? 7 : 3, sy,
                     fs->srs_name ? fs->srs_name : "CRS");
        }
        snprintf(buf, size, "invalid polygon (%.*s at %.3f %.3f in EPSG:%d%s): repaired with GEOS MakeValid",
                 (int)(br - r), r, x, y, fs->epsg, src);
        return;
    }
    snprintf(buf, size, "invalid polygon (%s): repaired with GEOS MakeValid", r);
}

sv_status sv_district_polygons(sv_ctx *ctx, sv_geos *h, const sv_featureset *fs, int strict,
                               sv_valid_district *out, size_t *n_out)
{
    *n_out = 0;
    for (size_t i = 0; i < fs->n; i++) {
        const sv_feature *f = &fs->items[i];
        sv_geom *g = sv_geom_from_wkb(h, f->wkb, f->wkb_len);
        if (!g)
            return sv_error(ctx, SV_ERR_GEOM, "%s: layer '%s', feature %s: unreadable geometry: %s", fs->path,
                            fs->layer, f->id, sv_geos_errmsg(h));
        char *reason = NULL;
        int valid = sv_geom_is_valid(h, g, &reason);
        int repaired = 0;
        sv_geom *v = sv_geom_make_valid_polygonal(h, g, &repaired);
        sv_geom_destroy(h, g);
        double area = v ? sv_geom_area(h, v) : -1;
        const char *problem = NULL;
        char buf[600];
        sv_status st = SV_OK;
        if (!v) {
            problem = "invalid polygon that GEOS MakeValid cannot repair";
        } else if (!(area > 0)) {
            problem = "polygon has no area (after repair)";
        } else if (valid != 1) {
            describe_invalid(fs, reason, buf, sizeof buf);
            if (strict)
                st = sv_error(ctx, SV_ERR_DATA, "%s: layer '%s', feature %s: %s; fix the polygon (without "
                              "--strict it would be repaired)", fs->path, fs->layer, f->id, buf);
            else
                st = sv_issue_add(ctx, fs->path, fs->layer, f->id, buf, SV_ISSUE_REPAIRED);
        }
        free(reason);
        if (problem) {
            sv_geom_destroy(h, v);
            st = strict ? sv_error(ctx, SV_ERR_DATA, "%s: layer '%s', feature %s: %s; fix or remove it",
                                   fs->path, fs->layer, f->id, problem)
                        : sv_issue_add(ctx, fs->path, fs->layer, f->id, problem, SV_ISSUE_SKIPPED);
            if (st != SV_OK)
                return st;
            continue;
        }
        if (st != SV_OK) {
            sv_geom_destroy(h, v);
            return st;
        }
        sv_valid_district *d = &out[(*n_out)++];
        d->wkb = sv_geom_to_wkb(h, v, &d->len);
        d->area = area;
        d->repaired = repaired;
        d->src = i;
        sv_geom_destroy(h, v);
        if (!d->wkb)
            return SV_ERR_NOMEM;
    }
    return SV_OK;
}

/* ---- ids ---- */

typedef struct {
    const char *id;
    size_t k;
} id_ref;

static int cmp_id_ref(const void *x, const void *y)
{
    const id_ref *a = x, *b = y;
    int c = strcmp(a->id, b->id);
    return c ? c : (a->k > b->k) - (a->k < b->k);
}

/* The features' ids sorted (ties in feature order); free(). */
static id_ref *sorted_ids(const sv_featureset *fs, const size_t *idx, size_t n)
{
    id_ref *r = malloc((n + 1) * sizeof *r);
    if (!r)
        return NULL;
    for (size_t k = 0; k < n; k++)
        r[k] = (id_ref){fs->items[idx[k]].id, k};
    qsort(r, n, sizeof *r, cmp_id_ref);
    return r;
}

static int id_taken(const id_ref *r, size_t n, const char *id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(r[mid].id, id);
        if (c == 0)
            return 1;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* Stations sharing an id (common in OSM extracts) are kept apart: the
 * second and later get "#2", "#3"... (a suffix no other station has), each
 * with a "repaired" issue; under --strict it is an error. */
static sv_status unique_station_ids(sv_ctx *ctx, sv_featureset *fs, const size_t *keep, size_t n, int strict)
{
    id_ref *r = sorted_ids(fs, keep, n);
    if (!r)
        return sv_error(ctx, SV_ERR_NOMEM, "out of memory");
    char **fresh = calloc(n + 1, sizeof *fresh);
    sv_status st = fresh ? SV_OK : SV_ERR_NOMEM;
    for (size_t i = 1, run = 1; i < n && st == SV_OK; i++) {
        if (strcmp(r[i].id, r[i - 1].id) != 0) {
            run = 1;
            continue;
        }
        const sv_feature *first = &fs->items[keep[r[i - run].k]], *f = &fs->items[keep[r[i].k]];
        run++;
        if (strict) {
            st = sv_error(ctx, SV_ERR_DATA, "%s: layer '%s': station id '%s' is used by features %lld and %lld; ids "
                          "must be unique: pick a field with unique values with --station-id FIELD (without "
                          "--strict they are kept apart as '%s#2'...)", fs->path, fs->layer, f->id, first->fid,
                          f->fid, f->id);
            break;
        }
        size_t len = strlen(f->id) + 24;
        char *id = malloc(len);
        if (!id) {
            st = SV_ERR_NOMEM;
            break;
        }
        for (size_t m = run;; m++) { /* never an id another station has */
            snprintf(id, len, "%s#%zu", f->id, m);
            if (!id_taken(r, n, id))
                break;
        }
        char what[600];
        snprintf(what, sizeof what, "(fid %lld) shares its station id with fid %lld: kept apart as '%s' (pick a field "
                 "with unique values with --station-id FIELD)", f->fid, first->fid, id);
        st = sv_issue_add(ctx, fs->path, fs->layer, f->id, what, SV_ISSUE_REPAIRED);
        fresh[r[i].k] = id;
    }
    for (size_t k = 0; fresh && k < n; k++)
        if (fresh[k]) {
            if (st == SV_OK) {
                free(fs->items[keep[k]].id);
                fs->items[keep[k]].id = fresh[k];
            } else {
                free(fresh[k]);
            }
        }
    free(fresh);
    free(r);
    return st;
}

/* Two districts with one id cannot be told apart in the results (a map of
 * --district X would pick one): refused, naming both features. */
static sv_status unique_district_ids(sv_ctx *ctx, const sv_featureset *fs, const sv_valid_district *vd, size_t n)
{
    size_t *idx = malloc((n + 1) * sizeof *idx);
    if (!idx)
        return sv_error(ctx, SV_ERR_NOMEM, "out of memory");
    for (size_t d = 0; d < n; d++)
        idx[d] = vd[d].src;
    id_ref *r = sorted_ids(fs, idx, n);
    sv_status st = r ? SV_OK : sv_error(ctx, SV_ERR_NOMEM, "out of memory");
    for (size_t i = 1; r && i < n; i++)
        if (strcmp(r[i].id, r[i - 1].id) == 0) {
            const sv_feature *a = &fs->items[idx[r[i - 1].k]], *b = &fs->items[idx[r[i].k]];
            st = sv_error(ctx, SV_ERR_USAGE, "%s: layer '%s': district id '%s' is used by features %lld and %lld; "
                          "district ids must be unique: pick a field with unique values with --district-id FIELD%s",
                          fs->path, fs->layer, a->id, a->fid, b->fid,
                          fs->id_field ? "" : " (the default fields were tried)");
            break;
        }
    free(r);
    free(idx);
    return st;
}

static void fmt_list(char *buf, size_t size, const sv_break *b, size_t n, int minutes)
{
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t used = strlen(buf);
        snprintf(buf + used, size - used, "%s%.10g", i ? "," : "", minutes ? b[i].minutes : b[i].radius_m);
    }
}

static void utc_now(char *buf, size_t size)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* What network mode and demand add to the tables. */
typedef struct {
    const sv_net_areas *areas;     /* network mode, or NULL */
    const sv_featureset *dem_fs;   /* demand, or NULL */
    const size_t *dem_keep;
    const double *dem_x, *dem_y;
    const int *dem_district;
    const sv_demand_access *access;
    size_t n_demand;
    const sv_featureset *roads;    /* network mode: the road lines, stored as context for maps */
} extras;

/* ---- writing ---- */

/* The stations, the districts and (circle mode) the service circles do not
 * depend on the coverage: a second thread writes them, and builds their
 * spatial indexes, while the coverage is computed. */
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
} early_writer;

static void *early_write(void *arg)
{
    early_writer *w = arg;
    const sv_analyze_opts *o = w->o;
    const sv_analysis *a = w->a;
    sv_geos *h = sv_geos_create();
    sv_status rc = h ? sv_store_create(w->ctx, o->out_path, a->crs.epsg, &w->db) : SV_ERR_NOMEM;
    int circles = o->service_areas && !a->network;
    for (size_t k = 0; k < a->n_stations && rc == SV_OK; k++) {
        const sv_feature *f = &w->st_fs->items[w->st_keep[k]];
        sv_value sv[] = {SV_TEXT(f->id), SV_TEXT(f->name), SV_TEXT(f->category), SV_INT(f->fid)};
        rc = sv_store_insert_point(w->ctx, w->db, SV_TABLE_STATIONS, sv, 4, w->xs[k], w->ys[k]);
        for (size_t b = 0; b < a->n_breaks && rc == SV_OK && circles; b++) {
            sv_geom *c = sv_geom_circle(h, w->xs[k], w->ys[k], a->breaks[b].radius_m, o->quad_segs);
            size_t len = 0;
            unsigned char *wkb = c ? sv_geom_to_wkb(h, c, &len) : NULL;
            double area = c ? sv_geom_area(h, c) : 0;
            sv_geom_destroy(h, c);
            sv_value v[] = {SV_TEXT(f->id), SV_ANALYSIS_BREAK(a, b), SV_REAL(area), SV_REAL(NAN)};
            rc = wkb ? sv_store_insert(w->ctx, w->db, SV_TABLE_SERVICE_AREAS, v, 6, wkb, len)
                     : sv_error(w->ctx, SV_ERR_GEOM, "cannot draw a service circle: %s", sv_geos_errmsg(h));
            free(wkb);
        }
        if ((k & 1023) == 0 && (sv_ctx_interrupted(w->run) || atomic_load(&w->stop)))
            rc = SV_ERR_INTERRUPTED;
    }
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
    sv_geos_destroy(h);
    w->rc = rc;
    return NULL;
}

static sv_status early_writer_start(early_writer *w)
{
    if (!(w->ctx = sv_ctx_create()))
        return SV_ERR_NOMEM;
    w->running = pthread_create(&w->tid, NULL, early_write, w) == 0;
    if (!w->running) /* no thread: write now */
        early_write(w);
    return SV_OK;
}

/* Wait for the writer; its error, if any, becomes the run's. The store is
 * left in w->db (NULL once handed on or thrown away). */
static sv_status early_writer_join(sv_ctx *ctx, early_writer *w)
{
    if (w->running)
        pthread_join(w->tid, NULL);
    w->running = 0;
    sv_status rc = w->ctx ? w->rc : SV_OK;
    if (rc != SV_OK && rc != SV_ERR_INTERRUPTED && ctx)
        sv_error(ctx, rc, "%s", sv_ctx_errmsg(w->ctx));
    if (rc != SV_OK) {
        sv_store_abort(w->db);
        w->db = NULL;
    }
    sv_ctx_destroy(w->ctx);
    w->ctx = NULL;
    return rc;
}

/* Write every other table into db (begun by early_write), and commit it;
 * db is consumed either way. */
static sv_status write_results(sv_ctx *ctx, sv_geos *h, const sv_analyze_opts *o, sv_analysis *a,
                               sv_store *db, const sv_featureset *st_fs, const size_t *st_keep,
                               const sv_featureset *d_fs, const sv_valid_district *vd, const char *started,
                               const extras *x)
{
    sv_status rc = SV_OK;
    size_t total = (x->areas && o->service_areas ? a->n_stations : 0) + a->n_districts * a->n_breaks, done = 0;
    sv_progress(ctx, "writing", 0.0);
    for (size_t k = 0; k < a->n_stations && rc == SV_OK && o->service_areas && x->areas; k++) {
        const sv_feature *f = &st_fs->items[st_keep[k]];
        for (size_t b = 0; b < a->n_breaks && rc == SV_OK; b++) {
            const sv_net_areas *na = x->areas;
            size_t kb = k * a->n_breaks + b;
            sv_geom *g = na->st_wkb && na->st_wkb[kb] ? sv_geom_from_wkb(h, na->st_wkb[kb], na->st_len[kb]) : NULL;
            double area = g ? sv_geom_area(h, g) : 0;
            sv_geom_destroy(h, g);
            sv_value v[] = {SV_TEXT(f->id), SV_ANALYSIS_BREAK(a, b), SV_REAL(area), SV_REAL(na->st_reached_m[kb])};
            if (na->st_wkb && na->st_wkb[kb])
                rc = sv_store_insert(ctx, db, SV_TABLE_SERVICE_AREAS, v, 6, na->st_wkb[kb], na->st_len[kb]);
            sv_value r[] = {SV_TEXT(f->id), SV_ANALYSIS_BREAK(a, b), SV_REAL(na->st_reached_m[kb])};
            if (rc == SV_OK && na->st_lines_wkb && na->st_lines_wkb[kb])
                rc = sv_store_insert(ctx, db, SV_TABLE_REACHED_STREETS, r, 5, na->st_lines_wkb[kb],
                                     na->st_lines_len[kb]);
        }
        if ((++done & 1023) == 0) {
            sv_progress(ctx, "writing", (double)done / (double)total);
            if (sv_ctx_interrupted(ctx))
                rc = SV_ERR_INTERRUPTED;
        }
    }
    for (size_t d = 0; d < a->n_districts && rc == SV_OK; d++) {
        const sv_feature *f = &d_fs->items[vd[d].src];
        for (size_t b = 0; b < a->n_breaks && rc == SV_OK; b++) {
            const sv_cov_cell *c = &a->cov.cells[d * a->n_breaks + b];
            sv_geom *gap = c->gap_wkb ? sv_geom_from_wkb(h, c->gap_wkb, c->gap_len) : NULL;
            int nparts = gap ? sv_geom_num_parts(h, gap) : 0;
            double covered_pct = c->area_m2 > 0 ? 100.0 * (c->covered_m2 / c->area_m2) : 0.0; /* exactly 100 when whole */
            double pop_total = a->people.total ? a->people.total[d * a->n_breaks + b] : NAN;
            double pop_covered = a->people.covered ? a->people.covered[d * a->n_breaks + b] : NAN;
            sv_value dc[] = {
                SV_TEXT(f->id), SV_TEXT(f->name), SV_ANALYSIS_BREAK(a, b), SV_REAL(c->area_m2), SV_REAL(c->covered_m2),
                SV_REAL(covered_pct), SV_REAL(c->gap_m2), SV_INT(nparts), SV_INT(a->cov.n_inside[d]),
                SV_INT(c->n_reaching), SV_REAL(pop_total), SV_REAL(pop_covered),
                SV_REAL(pop_total > 0 ? 100.0 * (pop_covered / pop_total) : NAN),
            };
            sv_value cv[] = {SV_TEXT(f->id), SV_TEXT(f->name), SV_ANALYSIS_BREAK(a, b), SV_REAL(c->covered_m2),
                             SV_REAL(covered_pct)};
            sv_value gv[] = {SV_TEXT(f->id), SV_TEXT(f->name), SV_ANALYSIS_BREAK(a, b), SV_REAL(c->gap_m2),
                             SV_REAL(c->area_m2 > 0 ? 100.0 * c->gap_m2 / c->area_m2 : 0.0), SV_INT(nparts)};
            rc = sv_store_insert(ctx, db, SV_TABLE_DISTRICT_COVERAGE, dc, sizeof dc / sizeof dc[0], NULL, 0);
            if (rc == SV_OK)
                rc = sv_store_insert(ctx, db, SV_TABLE_COVERAGE, cv, sizeof cv / sizeof cv[0], c->covered_wkb,
                                     c->covered_len);
            if (rc == SV_OK)
                rc = sv_store_insert(ctx, db, SV_TABLE_GAPS, gv, sizeof gv / sizeof gv[0], c->gap_wkb, c->gap_len);
            for (int p = 0; p < nparts && rc == SV_OK; p++) {
                sv_geom *part = sv_geom_part(h, gap, p);
                size_t len = 0;
                unsigned char *wkb = part ? sv_geom_to_wkb(h, part, &len) : NULL;
                double area = part ? sv_geom_area(h, part) : 0;
                sv_geom_destroy(h, part);
                sv_value v[] = {SV_TEXT(f->id), SV_TEXT(f->name), SV_ANALYSIS_BREAK(a, b), SV_INT(p + 1), SV_REAL(area)};
                rc = wkb ? sv_store_insert(ctx, db, SV_TABLE_GAP_PARTS, v, 7, wkb, len) : SV_ERR_NOMEM;
                free(wkb);
            }
            sv_geom_destroy(h, gap);
            if ((++done & 255) == 0) {
                sv_progress(ctx, "writing", (double)done / (double)total);
                if (sv_ctx_interrupted(ctx))
                    rc = SV_ERR_INTERRUPTED;
            }
        }
    }
    for (size_t b = 0; x->areas && b < a->n_breaks && rc == SV_OK; b++) /* all stations together */
        if (x->areas->lines_wkb[b]) {
            sv_value v[] = {SV_NULL, SV_ANALYSIS_BREAK(a, b), SV_REAL(x->areas->reached_m[b])};
            rc = sv_store_insert(ctx, db, SV_TABLE_REACHED_STREETS, v, 5, x->areas->lines_wkb[b],
                                 x->areas->lines_len[b]);
        }
    for (size_t b = 0; b < a->n_breaks && rc == SV_OK; b++) {
        const sv_cov_cell *c = &a->cov.cells[a->n_districts * a->n_breaks + b];
        size_t k = a->n_districts * a->n_breaks + b;
        double pop_total = a->people.total ? a->people.total[k] : NAN;
        double pop_covered = a->people.covered ? a->people.covered[k] : NAN;
        sv_value v[] = {
            SV_ANALYSIS_BREAK(a, b), SV_REAL(c->area_m2), SV_REAL(c->covered_m2),
            SV_REAL(c->area_m2 > 0 ? 100.0 * (c->covered_m2 / c->area_m2) : 0.0), SV_REAL(c->area_m2 - c->covered_m2),
            SV_INT(a->n_stations), SV_REAL(pop_total), SV_REAL(pop_covered),
            SV_REAL(pop_total > 0 ? 100.0 * (pop_covered / pop_total) : NAN), SV_REAL(a->people.gini ? a->people.gini[b] : NAN),
        };
        rc = sv_store_insert(ctx, db, SV_TABLE_CITY_COVERAGE, v, sizeof v / sizeof v[0], NULL, 0);
    }
    for (size_t i = 0; x->access && i < x->n_demand && rc == SV_OK; i++) {
        const sv_feature *f = &x->dem_fs->items[x->dem_keep[i]];
        const sv_demand_access *da = x->access;
        int dd = x->dem_district[i];
        double mins = sv_analysis_minutes(a, da->cost[i]);
        sv_value v[] = {
            SV_TEXT(f->id),
            SV_TEXT(dd >= 0 ? a->district_ids[dd] : NULL),
            SV_REAL(f->weight),
            SV_TEXT(da->nearest[i] >= 0 ? st_fs->items[st_keep[da->nearest[i]]].id : NULL),
            SV_REAL(da->snap_m[i]),
            SV_REAL(isfinite(da->network_m[i]) ? da->network_m[i] : NAN),
            SV_REAL(isfinite(mins) ? mins : NAN),
            SV_REAL(da->euclid_m[i]),
            SV_TEXT(x->areas ? "network" : "straight"),
        };
        rc = sv_store_insert_point(ctx, db, SV_TABLE_DEMAND_ACCESS, v, sizeof v / sizeof v[0], x->dem_x[i],
                                   x->dem_y[i]);
        for (size_t b = 0; b < a->n_breaks && rc == SV_OK; b++) {
            int n_st = da->n_stations[i * a->n_breaks + b];
            sv_value r[] = {SV_TEXT(f->id), SV_ANALYSIS_BREAK(a, b), SV_INT(da->within[i * a->n_breaks + b]),
                            n_st >= 0 ? SV_INT(n_st) : SV_NULL};
            rc = sv_store_insert(ctx, db, SV_TABLE_DEMAND_REACH, r, 6, NULL, 0);
        }
    }
    for (size_t d = 0; x->access && d <= a->n_districts && rc == SV_OK; d++) {
        size_t n_points = 0;
        for (size_t i = 0; i < x->n_demand; i++)
            n_points += d == a->n_districts || x->dem_district[i] == (int)d;
        for (size_t b = 0; b < a->n_breaks && rc == SV_OK; b++) {
            size_t k = d * a->n_breaks + b;
            double weight = a->demand_total[k], covered = a->demand_covered[k];
            sv_value v[] = {
                SV_TEXT(d < a->n_districts ? a->district_ids[d] : NULL),
                SV_TEXT(d < a->n_districts ? a->district_names[d] : "(all demand)"),
                SV_ANALYSIS_BREAK(a, b), SV_REAL(weight), SV_REAL(covered), SV_REAL(weight > 0 ? covered / weight : NAN),
                SV_INT(n_points),
            };
            rc = sv_store_insert(ctx, db, SV_TABLE_DISTRICT_DEMAND, v, sizeof v / sizeof v[0], NULL, 0);
        }
    }
    if (rc == SV_OK)
        rc = sv_people_write(ctx, db, a, st_fs, st_keep);
    for (size_t i = 0; x->roads && i < x->roads->n && rc == SV_OK; i++) {
        const sv_feature *f = &x->roads->items[i];
        sv_value v[] = {SV_TEXT(f->id), SV_TEXT(f->category), SV_TEXT(strcmp(f->name, f->id) ? f->name : NULL)};
        rc = sv_store_insert(ctx, db, SV_TABLE_ROADS, v, 3, f->wkb, f->wkb_len);
    }
    for (size_t i = 0; i < sv_ctx_issue_count(ctx) && rc == SV_OK; i++)
        rc = sv_store_issue(ctx, db, sv_ctx_issue(ctx, i));

    if (rc == SV_OK) {
        char finished[32], mins[512], radii[512], epsg[16], quad[16], verts[16], speed[32], detour[32];
        char nst[32], nstr[32], nd[32], ndr[32], nis[32], thr[16];
        utc_now(finished, sizeof finished);
        fmt_list(mins, sizeof mins, a->breaks, a->n_breaks, 1);
        fmt_list(radii, sizeof radii, a->breaks, a->n_breaks, 0);
        snprintf(epsg, sizeof epsg, "%d", a->crs.epsg);
        snprintf(quad, sizeof quad, "%d", o->quad_segs);
        snprintf(verts, sizeof verts, "%d", 4 * o->quad_segs);
        snprintf(speed, sizeof speed, "%g", a->speed_kmh);
        snprintf(detour, sizeof detour, "%g", o->detour);
        snprintf(nst, sizeof nst, "%zu", a->n_stations);
        snprintf(nstr, sizeof nstr, "%zu", a->n_stations_read);
        snprintf(nd, sizeof nd, "%zu", a->n_districts);
        snprintf(ndr, sizeof ndr, "%zu", a->n_districts_read);
        snprintf(nis, sizeof nis, "%zu", sv_ctx_issue_count(ctx));
        snprintf(thr, sizeof thr, "%d", sv_ctx_threads(ctx));
        int metres = isnan(a->breaks[0].minutes);
        char nb_max_snap[32], nb_trim[32], nb_nodes[32], nb_edges[32], nb_comp[32], nb_len[32], nb_unatt[32],
            nb_dem[32];
        snprintf(nb_max_snap, sizeof nb_max_snap, "%g", o->max_snap_m);
        snprintf(nb_trim, sizeof nb_trim, "%g", o->trim_m);
        snprintf(nb_nodes, sizeof nb_nodes, "%zu", a->net.nodes);
        snprintf(nb_edges, sizeof nb_edges, "%zu", a->net.edges);
        snprintf(nb_comp, sizeof nb_comp, "%zu", a->net.components);
        snprintf(nb_len, sizeof nb_len, "%.3f", a->net.length_m);
        snprintf(nb_unatt, sizeof nb_unatt, "%zu", a->n_unattached);
        snprintf(nb_dem, sizeof nb_dem, "%zu", a->n_demand);
        /* by column name: the types are in src/schema.c (runs) */
        const char *keys[] = {
            "started_utc", "finished_utc", "svcov_version", "command", "stations_path",
            "stations_layer", "stations_where", "station_id_field", "station_name_field",
            "category_field", "districts_path", "districts_layer", "district_id_field",
            "district_name_field", "crs_requested", "crs_epsg", "crs_name", "method",
            "mode", "speed_kmh", "detour", "minutes", "radii_m", "quad_segs",
            "circle_vertices", "strict", "threads", "n_stations_read",
            "n_stations", "n_districts_read", "n_districts", "n_issues",
            "gdal_version", "geos_version", "proj_version", "spatialite_version",
            "sqlite_version", "network_path", "speeds_path", "snap", "access_legs",
            "max_snap_m", "trim_m", "network_nodes", "network_edges",
            "network_components", "network_length_m", "stations_unattached",
            "demand_path", "n_demand", "population_method", "population_path",
            "population_field", "population_raster", "raster_cells", "raster_nodata",
            "raster_negative", "raster_people", "population_pieces",
            "blocks_without_buildings", "distances_from", "responsibility_method",
            "redundancy", "preset", "input_coords", "input_encoding", "sliver_tol_m",
        };
        const char *in_names[] = {"stations", "districts", "network", "demand", "population"};
        const sv_source_opts *in_opts[] = {&o->stations, &o->districts, &o->network, &o->demand, &o->population};
        char in_coords[256], in_enc[512];
        sv_sources_describe(in_coords, sizeof in_coords, in_names, in_opts, 5, 0);
        sv_sources_describe(in_enc, sizeof in_enc, in_names, in_opts, 5, 1);
        const sv_people_result *pr = &a->people;
        char rc_cells[32], rc_nodata[32], rc_neg[32], rc_sum[32], rc_pieces[32], rc_empty[32];
        snprintf(rc_cells, sizeof rc_cells, "%zu", pr->raster_cells);
        snprintf(rc_nodata, sizeof rc_nodata, "%zu", pr->raster_nodata);
        snprintf(rc_neg, sizeof rc_neg, "%zu", pr->raster_negative);
        snprintf(rc_sum, sizeof rc_sum, "%.6f", pr->raster_sum);
        snprintf(rc_pieces, sizeof rc_pieces, "%zu", pr->n_pieces);
        snprintf(rc_empty, sizeof rc_empty, "%zu", pr->n_blocks_empty);
        char sliver_tol[32];
        snprintf(sliver_tol, sizeof sliver_tol, "%g", SV_SLIVER_TOL_M);
        int raster = pr->method == SV_POP_RASTER, people = pr->method != SV_POP_NONE;
        const char *vals[] = {
            started, finished, SV_VERSION, o->command_line, st_fs->path, st_fs->layer,
            o->stations.where, st_fs->id_field, st_fs->name_field, st_fs->category_field, d_fs->path,
            d_fs->layer, d_fs->id_field, d_fs->name_field, o->crs ? o->crs : "auto", epsg,
            a->crs.name, a->network ? "network" : o->method == SV_METHOD_UNION ? "union" : "voronoi", a->mode,
            metres ? NULL : speed, detour, metres ? NULL : mins, radii, quad,
            verts, o->strict ? "1" : "0", thr, nstr, nst, ndr,
            nd, nis, sv_gdal_version(), sv_geos_version(), sv_proj_version(), sv_spatialite_version(),
            sv_sqlite_version(), o->network.spec, o->speeds_csv, a->network ? (o->snap == SV_SNAP_NODE ? "node" : "edge") : NULL,
            a->network ? (o->access_legs ? "1" : "0") : NULL, a->network ? nb_max_snap : NULL,
            a->network ? nb_trim : NULL, a->network ? nb_nodes : NULL, a->network ? nb_edges : NULL,
            a->network ? nb_comp : NULL, a->network ? nb_len : NULL, a->network ? nb_unatt : NULL,
            o->demand.spec, x->access ? nb_dem : NULL, people ? sv_pop_method_name(pr->method) : NULL,
            o->population.spec, o->population_field, o->population_raster, raster ? rc_cells : NULL,
            raster ? rc_nodata : NULL, raster ? rc_neg : NULL, raster ? rc_sum : NULL, people ? rc_pieces : NULL,
            pr->method == SV_POP_DASYMETRIC ? rc_empty : NULL, pr->points_source, pr->resp_method,
            o->redundancy && pr->red ? "1" : "0", a->preset ? a->preset->name : NULL, in_coords,
            in_enc[0] ? in_enc : NULL, sliver_tol,
        };
        _Static_assert(sizeof keys / sizeof keys[0] == sizeof vals / sizeof vals[0], "one value per runs column");
        rc = sv_store_record(ctx, db, SV_TABLE_RUNS, keys, vals, sizeof keys / sizeof keys[0], NULL);
        /* one row per break, with the preset's names for maps and reports */
        for (size_t b = 0; rc == SV_OK && b < a->n_breaks; b++) {
            const sv_preset_break *pb = a->preset && b < a->preset->n ? &a->preset->breaks[b] : NULL;
            double bm = pb ? pb->minutes : a->breaks[b].minutes;
            const sv_value bv[] = {SV_INT(b + 1), SV_TEXT(a->mode), isnan(bm) ? SV_NULL : SV_REAL(bm),
                                   SV_REAL(a->breaks[b].radius_m), a->preset ? SV_TEXT(a->preset->name) : SV_NULL,
                                   pb ? SV_TEXT(pb->label) : SV_NULL, pb ? SV_TEXT(pb->label_zh) : SV_NULL};
            rc = sv_store_insert(ctx, db, SV_TABLE_BREAKS, bv, sizeof bv / sizeof bv[0], NULL, 0);
        }
    }
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

sv_status sv_analyze_run(sv_ctx *ctx, const sv_analyze_opts *o, sv_analysis **out)
{
    *out = NULL;
    char started[32];
    utc_now(started, sizeof started);
    sv_analysis *a = calloc(1, sizeof *a);
    if (!a)
        return SV_ERR_NOMEM;
    sv_source *ssrc = NULL, *dsrc = NULL;
    sv_featureset sfs = {0}, dfs = {0};
    sv_geos *h = NULL;
    double *xs = NULL, *ys = NULL;
    size_t *keep = NULL;
    sv_valid_district *vd = NULL;
    unsigned char **dw = NULL;
    size_t *dl = NULL, nd_valid = 0;
    sv_status rc;

    sv_travel_mode mode;
    double *budget = NULL;
    sv_source *nsrc = NULL, *msrc = NULL, *psrc = NULL;
    sv_featureset nfs = {0}, mfs = {0}, pfs = {0};
    sv_network *net = NULL;
    sv_net_areas areas = {0};
    sv_demand_access access = {0};
    double *mx = NULL, *my = NULL;
    size_t *mkeep = NULL;
    int *mdist = NULL;
    sv_district_finder finder;
    memset(&finder, 0, sizeof finder);
    early_writer ew;
    memset(&ew, 0, sizeof ew);
    sv_analyze_opts preset_opts;
    double preset_radii[SV_PRESET_MAX];
    if (o->preset) { /* the preset's distances (or the planner's) as metre breaks */
        if ((rc = sv_preset_resolve(ctx, o->preset, o->radii, o->n_radii, o->n_minutes, &a->preset, preset_radii)) !=
            SV_OK)
            goto done;
        preset_opts = *o;
        preset_opts.radii = preset_radii;
        preset_opts.n_radii = a->preset->n;
        preset_opts.minutes = NULL;
        preset_opts.n_minutes = 0;
        o = &preset_opts;
    }
    a->network = o->network.spec != NULL;
    if (a->network) {
        size_t n = o->n_radii ? o->n_radii : o->n_minutes;
        budget = calloc(n + 1, sizeof *budget);
        if (!budget) {
            rc = SV_ERR_NOMEM;
            goto done;
        }
        if ((rc = sv_travel_mode_load(ctx, o->mode, o->speeds_csv, &mode)) != SV_OK ||
            (rc = make_network_breaks(ctx, o, &mode, a, budget)) != SV_OK)
            goto done;
    } else if ((rc = make_breaks(ctx, o, a)) != SV_OK) {
        goto done;
    }
    if ((rc = sv_store_check_target(ctx, o->out_path)) != SV_OK)
        goto done;

    if (!!o->population_raster + !!o->population.spec > 1 ||
        (o->population_raster && o->population_field)) {
        rc = sv_error(ctx, SV_ERR_USAGE, "give people one way: --population-raster FILE, or --population-field "
                      "FIELD (on the districts, or with --population PATH for population polygons)");
        goto done;
    }
    if (o->population.spec && !o->population_field) {
        rc = sv_error(ctx, SV_ERR_USAGE, "--population %s: say which field holds the number of people with "
                      "--population-field FIELD", o->population.spec);
        goto done;
    }
    sv_source_opts so = o->stations, dso = o->districts;
    so.strict = dso.strict = o->strict;
    if (o->population_field && !o->population.spec)
        dso.weight_field = o->population_field;
    sv_progress(ctx, "reading", 0.0);
    if ((rc = sv_source_open(ctx, &so, SV_ROLE_STATIONS, &ssrc)) != SV_OK)
        goto done;
    if ((rc = sv_source_open(ctx, &dso, SV_ROLE_DISTRICTS, &dsrc)) != SV_OK)
        goto done;
    if (a->network) {
        sv_source_opts no = o->network;
        no.strict = o->strict;
        if ((rc = sv_source_open(ctx, &no, SV_ROLE_NETWORK, &nsrc)) != SV_OK)
            goto done;
    }
    if (o->demand.spec) {
        sv_source_opts mo = o->demand;
        mo.strict = o->strict;
        if ((rc = sv_source_open(ctx, &mo, SV_ROLE_DEMAND, &msrc)) != SV_OK)
            goto done;
    }
    if (o->population.spec) {
        sv_source_opts po = o->population;
        po.strict = o->strict;
        po.weight_field = o->population_field;
        if ((rc = sv_source_open(ctx, &po, SV_ROLE_POPULATION, &psrc)) != SV_OK)
            goto done;
    }

    /* The analysis CRS: the UTM zone of the data's centre unless given. */
    sv_env dbox, sbox;
    rc = sv_source_lonlat_bounds(ctx, dsrc, &dbox);
    if (rc == SV_ERR_DATA) {
        rc = sv_error(ctx, SV_ERR_DATA, "%s: no usable district (every feature was skipped; see the warnings)",
                      o->districts.spec);
        goto done;
    }
    if (rc != SV_OK)
        goto done;
    rc = sv_source_lonlat_bounds(ctx, ssrc, &sbox);
    if (rc == SV_OK) {
        dbox.xmin = fmin(dbox.xmin, sbox.xmin);
        dbox.xmax = fmax(dbox.xmax, sbox.xmax);
        dbox.ymin = fmin(dbox.ymin, sbox.ymin);
        dbox.ymax = fmax(dbox.ymax, sbox.ymax);
    } else if (rc != SV_ERR_DATA) {
        goto done; /* an empty station layer is fine; a broken one is not */
    }
    if ((rc = sv_crs_resolve(ctx, o->crs, (dbox.xmin + dbox.xmax) / 2, (dbox.ymin + dbox.ymax) / 2,
                             &a->crs)) != SV_OK)
        goto done;
    sv_progress(ctx, "reading", 1.0);
    sv_progress(ctx, "projecting", 0.0);
    if ((rc = sv_source_project(ctx, ssrc, a->crs.epsg, &sfs)) != SV_OK ||
        (rc = sv_source_project(ctx, dsrc, a->crs.epsg, &dfs)) != SV_OK ||
        (nsrc && (rc = sv_source_project(ctx, nsrc, a->crs.epsg, &nfs)) != SV_OK) ||
        (msrc && (rc = sv_source_project(ctx, msrc, a->crs.epsg, &mfs)) != SV_OK) ||
        (psrc && (rc = sv_source_project(ctx, psrc, a->crs.epsg, &pfs)) != SV_OK))
        goto done;
    if (o->stations.where && sfs.n_read == 0) {
        /* a filter that lets nothing through is almost always a typo */
        if (o->strict) {
            rc = sv_error(ctx, SV_ERR_DATA, "%s: layer '%s': --where \"%s\" matches no station (--strict stops "
                          "here); check the field names and values, e.g. with ogrinfo -al -where", sfs.path,
                          sfs.layer, o->stations.where);
            goto done;
        }
        sv_warning(ctx, "%s: layer '%s': --where \"%s\" matches no station: every district is reported as not "
                   "covered; check the field names and values (--strict makes this an error)", sfs.path, sfs.layer,
                   o->stations.where);
    }
    if (o->shard_hook) { /* one shard of a sharded run (svcov worker), or svcov plan */
        sv_featureset *const in[5] = {&sfs, &dfs, nsrc ? &nfs : NULL, msrc ? &mfs : NULL, psrc ? &pfs : NULL};
        int stop = 0;
        if ((rc = o->shard_hook(ctx, o->shard_userdata, o, a, in, &stop)) != SV_OK || stop)
            goto done;
    }
    sv_source_close(psrc);
    psrc = NULL;
    sv_source_close(nsrc);
    sv_source_close(msrc);
    nsrc = msrc = NULL;
    sv_source_close(ssrc);
    sv_source_close(dsrc);
    ssrc = dsrc = NULL;
    sv_progress(ctx, "projecting", 1.0);

    sv_progress(ctx, "districts", 0.0); /* points, valid polygons, the city */
    h = sv_geos_create();
    xs = malloc((sfs.n + 1) * sizeof *xs);
    ys = malloc((sfs.n + 1) * sizeof *ys);
    keep = malloc((sfs.n + 1) * sizeof *keep);
    vd = calloc(dfs.n + 1, sizeof *vd);
    if (!h || !xs || !ys || !keep || !vd) {
        rc = sv_error(ctx, SV_ERR_NOMEM, "out of memory");
        goto done;
    }
    if ((rc = sv_feature_points(ctx, h, &sfs, o->strict, 0, xs, ys, keep, &a->n_stations)) != SV_OK ||
        (rc = unique_station_ids(ctx, &sfs, keep, a->n_stations, o->strict)) != SV_OK)
        goto done;
    rc = sv_district_polygons(ctx, h, &dfs, o->strict, vd, &a->n_districts);
    nd_valid = a->n_districts;
    if (rc != SV_OK || (rc = unique_district_ids(ctx, &dfs, vd, a->n_districts)) != SV_OK)
        goto done;
    a->n_stations_read = sfs.n_read;
    a->n_districts_read = dfs.n_read;
    if (a->n_districts == 0) {
        rc = sv_error(ctx, SV_ERR_DATA,
                      "%s: layer '%s': no usable district (%zu read, all skipped; see the warnings)", dfs.path,
                      dfs.layer, dfs.n_read);
        goto done;
    }

    dw = calloc(a->n_districts + 1, sizeof *dw);
    dl = calloc(a->n_districts + 1, sizeof *dl);
    a->district_ids = calloc(a->n_districts, sizeof *a->district_ids);
    a->district_names = calloc(a->n_districts, sizeof *a->district_names);
    if (!dw || !dl || !a->district_ids || !a->district_names) {
        rc = sv_error(ctx, SV_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t d = 0; d < a->n_districts; d++) {
        dw[d] = vd[d].wkb;
        dl[d] = vd[d].len;
        a->district_ids[d] = sv_strdup(dfs.items[vd[d].src].id);
        a->district_names[d] = sv_strdup(dfs.items[vd[d].src].name);
        if (!a->district_ids[d] || !a->district_names[d]) {
            rc = sv_error(ctx, SV_ERR_NOMEM, "out of memory");
            goto done;
        }
    }
    /* The city as a whole: the union of the districts, measured like one. */
    {
        sv_geom **parts = calloc(a->n_districts, sizeof *parts);
        if (!parts) {
            rc = sv_error(ctx, SV_ERR_NOMEM, "out of memory");
            goto done;
        }
        for (size_t d = 0; d < a->n_districts; d++)
            parts[d] = sv_geom_from_wkb(h, dw[d], dl[d]);
        sv_geom *city = sv_geom_tiles_union_take(h, parts, a->n_districts);
        for (size_t d = 0; d < a->n_districts; d++)
            sv_geom_destroy(h, parts[d]);
        free(parts);
        dw[a->n_districts] = city ? sv_geom_to_wkb(h, city, &dl[a->n_districts]) : NULL;
        double sum = 0, city_area = city ? sv_geom_area(h, city) : 0;
        for (size_t d = 0; d < a->n_districts; d++)
            sum += vd[d].area;
        a->districts_overlap = sum > city_area * (1 + 1e-7) + 1e-3;
        sv_geom_destroy(h, city);
        if (!dw[a->n_districts]) {
            rc = sv_error(ctx, SV_ERR_GEOM, "cannot unite the districts: %s", sv_geos_errmsg(h));
            goto done;
        }
    }
    sv_progress(ctx, "districts", 1.0);
    ew = (early_writer){.run = ctx, .o = o, .a = a, .st_fs = &sfs, .d_fs = &dfs, .st_keep = keep,
                        .xs = xs, .ys = ys, .vd = vd};
    if ((rc = early_writer_start(&ew)) != SV_OK)
        goto done;
    if (a->network) {
        sv_progress(ctx, "graph", 0.0);
        if ((rc = sv_network_build(ctx, &nfs, &mode, &net)) != SV_OK)
            goto done;
        sv_network_get_info(net, &a->net);
        sv_progress(ctx, "graph", 1.0);
    }
    sv_access_opts ao = {
        .kind = o->n_radii ? SV_COST_LENGTH : SV_COST_TIME,
        .budget = budget,
        .n_breaks = a->n_breaks,
        .snap = o->snap,
        .max_snap_m = o->max_snap_m,
        .access_legs = o->access_legs,
        .access_kmh = a->network ? mode.access_kmh : 5.0,
        .trim_m = o->trim_m,
        .quad_segs = 8,
        .per_station = o->service_areas,
        .per_station_lines = 1, /* each station's streets: the reach count needs them */
    };
    if (a->network) {
        if ((rc = sv_net_areas_compute(ctx, net, xs, ys, a->n_stations, &ao, &areas)) != SV_OK)
            goto done;
        a->n_unattached = areas.n_unattached;
        for (size_t i = 0; i < a->n_stations && rc == SV_OK; i++)
            if (!areas.attach[i].ok) {
                char what[160];
                snprintf(what, sizeof what, "is farther than --max-snap %g m from any road the mode may use: not "
                         "reachable over the network", o->max_snap_m);
                rc = sv_issue_add(ctx, sfs.path, sfs.layer, sfs.items[keep[i]].id, what, SV_ISSUE_SKIPPED);
            }
        if (rc != SV_OK)
            goto done;
    }
    sv_cov_input in = {
        .xs = xs,
        .ys = ys,
        .n_stations = a->n_stations,
        .district_wkb = (const unsigned char *const *)dw,
        .district_wkb_len = dl,
        .n_districts = a->n_districts + 1,
        .breaks = a->breaks,
        .n_breaks = a->n_breaks,
        .quad_segs = o->quad_segs,
        .method = o->method,
        .want_geometry = 1,
        /* overlapping districts with people: the city gap polygon too (its people are counted in it) */
        .geometry_limit = a->districts_overlap && (o->population_raster || o->population.spec || o->population_field)
                              ? 0
                              : a->n_districts,
        .area_wkb = (const unsigned char *const *)areas.area_wkb,
        .area_len = areas.area_len,
        .station_lines_wkb = (const unsigned char *const *)areas.st_lines_wkb,
        .station_lines_len = areas.st_lines_len,
        .trim_m = o->trim_m,
        .trim_quad_segs = ao.quad_segs,
    };
    if (a->network)
        in.method = SV_METHOD_AREAS;
    if ((rc = sv_coverage_compute(ctx, &in, &a->cov)) != SV_OK)
        goto done;
    extras x = {0};
    if (o->demand.spec) {
        mx = malloc((mfs.n + 1) * sizeof *mx);
        my = malloc((mfs.n + 1) * sizeof *my);
        mkeep = malloc((mfs.n + 1) * sizeof *mkeep);
        mdist = malloc((mfs.n + 1) * sizeof *mdist);
        a->demand_total = calloc((a->n_districts + 1) * a->n_breaks, sizeof(double));
        a->demand_covered = calloc((a->n_districts + 1) * a->n_breaks, sizeof(double));
        if (!mx || !my || !mkeep || !mdist || !a->demand_total || !a->demand_covered) {
            rc = sv_error(ctx, SV_ERR_NOMEM, "out of memory");
            goto done;
        }
        if ((rc = sv_feature_points(ctx, h, &mfs, o->strict, 1, mx, my, mkeep, &a->n_demand)) != SV_OK)
            goto done;
        if (sv_district_finder_init(&finder, h, vd, a->n_districts) != 0) {
            rc = sv_error(ctx, SV_ERR_GEOM, "cannot index the districts: %s", sv_geos_errmsg(h));
            goto done;
        }
        for (size_t i = 0; i < a->n_demand; i++)
            mdist[i] = sv_district_finder_find(&finder, mx[i], my[i]);
        double *radius = malloc((a->n_breaks + 1) * sizeof *radius);
        if (!radius) {
            rc = SV_ERR_NOMEM;
            goto done;
        }
        for (size_t b = 0; b < a->n_breaks; b++)
            radius[b] = a->breaks[b].radius_m;
        sv_progress(ctx, "demand", 0.0);
        rc = a->network ? sv_demand_access_network(ctx, net, &areas, xs, ys, a->n_stations, mx, my, a->n_demand, &ao,
                                                   &access)
                        : sv_demand_access_circles(ctx, xs, ys, a->n_stations, mx, my, a->n_demand, radius,
                                                   a->n_breaks, &access);
        free(radius);
        if (rc != SV_OK)
            goto done;
        sv_progress(ctx, "demand", 1.0);
        for (size_t i = 0; i < a->n_demand; i++) {
            double w = mfs.items[mkeep[i]].weight;
            for (size_t b = 0; b < a->n_breaks; b++) {
                int in_b = access.within[i * a->n_breaks + b];
                size_t all = a->n_districts * a->n_breaks + b;
                a->demand_total[all] += w;
                a->demand_covered[all] += in_b ? w : 0;
                if (mdist[i] >= 0) {
                    size_t k = (size_t)mdist[i] * a->n_breaks + b;
                    a->demand_total[k] += w;
                    a->demand_covered[k] += in_b ? w : 0;
                }
            }
        }
        x = (extras){a->network ? &areas : NULL, &mfs, mkeep, mx, my, mdist, &access, a->n_demand, NULL};
    } else {
        x.areas = a->network ? &areas : NULL;
    }
    sv_people_in pin = {
        .o = o,
        .xs = xs,
        .ys = ys,
        .stations = &sfs,
        .st_keep = keep,
        .vd = vd,
        .dw = (const unsigned char *const *)dw,
        .dl = dl,
        .districts = &dfs,
        .population = &pfs,
        .demand = &mfs,
        .dem_keep = mkeep,
        .dem_x = mx,
        .dem_y = my,
        .n_demand = a->n_demand,
        .dem_access = o->demand.spec ? &access : NULL,
        .net = a->network ? net : NULL,
        .areas = a->network ? &areas : NULL,
        .access_opts = &ao,
    };
    if ((rc = sv_people_run(ctx, h, &pin, a)) != SV_OK)
        goto done;
    x.roads = a->network ? &nfs : NULL;
    if ((rc = early_writer_join(ctx, &ew)) != SV_OK)
        goto done;
    sv_store *db = ew.db;
    ew.db = NULL;
    rc = write_results(ctx, h, o, a, db, &sfs, keep, &dfs, vd, started, &x);

done:
    atomic_store(&ew.stop, 1);
    early_writer_join(NULL, &ew); /* after a failure elsewhere: stop it, keep the first error */
    sv_store_abort(ew.db);
    if (rc == SV_OK) {
        *out = a;
    } else {
        if (rc == SV_ERR_INTERRUPTED && !*sv_ctx_errmsg(ctx))
            sv_error(ctx, rc, "interrupted; %s was left as it was", o->out_path);
        if (rc == SV_ERR_NOMEM && !*sv_ctx_errmsg(ctx))
            sv_error(ctx, rc, "out of memory");
        sv_analysis_destroy(a);
    }
    if (vd)
        for (size_t d = 0; d < dfs.n; d++)
            free(vd[d].wkb);
    free(vd);
    if (dw)
        free(dw[nd_valid]); /* the city; the rest belong to vd */
    free(dw);
    free(dl);
    free(xs);
    free(ys);
    free(keep);
    sv_district_finder_free(&finder); /* before its GEOS handle */
    sv_geos_destroy(h);
    sv_featureset_free(&sfs);
    sv_featureset_free(&dfs);
    sv_featureset_free(&nfs);
    sv_featureset_free(&mfs);
    sv_featureset_free(&pfs);
    sv_source_close(psrc);
    sv_source_close(nsrc);
    sv_source_close(msrc);
    sv_network_destroy(net);
    sv_net_areas_free(&areas);
    sv_demand_access_free(&access);
    free(budget);
    free(mx);
    free(my);
    free(mkeep);
    free(mdist);
    sv_source_close(ssrc);
    sv_source_close(dsrc);
    return rc;
}
