/* inputs.c - the inputs stage shared by svcov analyze and svcov site: opening the
 * sources, their common bounds, station and demand points, valid districts, unique
 * ids, the district finder, the run's time stamps and the provenance part of its run record. (Station plans, when they
 * come, are applied here: after the points are read, before any stage uses them.) */
#include "core/core.h"
#include "pipeline/inputs.h"
#include "svcov/sv_geom.h"
#include "svcov/sv_lang.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void sv_utc_now(char *buf, size_t size)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void sv_run_common_fill(sv_run_common *r, const char *started, const char *command, int epsg,
                        const char *const *names, const sv_source_opts *const *opts, size_t n)
{
    r->started = started;
    r->command = command;
    sv_utc_now(r->finished, sizeof r->finished);
    snprintf(r->epsg, sizeof r->epsg, "%d", epsg);
    sv_sources_describe(r->coords, sizeof r->coords, names, opts, n, 0);
    sv_sources_describe(r->encoding, sizeof r->encoding, names, opts, n, 1);
}

sv_status sv_run_record(sv_ctx *ctx, sv_store *db, sv_table table, const sv_run_common *r,
                        const char *const *keys, const char *const *vals, size_t n, long long *rowid)
{
    enum { N_COMMON = 7, N_MAX = 128 };
    if (n > N_MAX - N_COMMON)
        return sv_error(ctx, SV_ERR_INTERNAL, "internal: %zu run record columns", n);
    const char *k[N_MAX] = {"started_utc", "finished_utc", "svcov_version", "command",
                            "crs_epsg", "input_coords", "input_encoding"};
    const char *v[N_MAX] = {r->started, r->finished, SV_VERSION, r->command,
                            r->epsg, r->coords, r->encoding[0] ? r->encoding : NULL};
    for (size_t i = 0; i < n; i++) {
        k[N_COMMON + i] = keys[i];
        v[N_COMMON + i] = vals[i];
    }
    return sv_store_record(ctx, db, table, k, v, N_COMMON + n, rowid);
}

sv_status sv_input_open(sv_ctx *ctx, const sv_source_opts *given, int strict, const char *weight_field,
                        sv_role role, sv_source **out)
{
    sv_source_opts so = *given;
    so.strict = strict;
    if (weight_field)
        so.weight_field = weight_field;
    return sv_source_open(ctx, &so, role, out);
}

void sv_point_layer_free(sv_point_layer *l)
{
    sv_source_close(l->src);
    sv_featureset_free(&l->fs);
    free(l->x);
    free(l->y);
    free(l->keep);
    memset(l, 0, sizeof *l);
}

sv_status sv_inputs_open(sv_ctx *ctx, int strict, const sv_input_req *req, size_t n)
{
    sv_status rc = SV_OK;
    for (size_t i = 0; i < n && rc == SV_OK; i++)
        if (req[i].wanted)
            rc = sv_input_open(ctx, req[i].opts, strict, req[i].weight_field, req[i].role, req[i].out);
    return rc;
}

sv_status sv_input_grow_bounds(sv_ctx *ctx, sv_source *src, sv_env *all, int *have)
{
    sv_env e;
    sv_status st = sv_source_lonlat_bounds(ctx, src, &e);
    if (st == SV_ERR_DATA)
        return SV_OK; /* an empty layer adds nothing */
    if (st != SV_OK)
        return st;
    if (!*have) {
        *all = e;
        *have = 1;
    } else {
        sv_env_union(all, &e);
    }
    return SV_OK;
}

sv_status sv_input_points(sv_ctx *ctx, sv_geos *h, sv_point_layer *l, int epsg, int strict, int centroids)
{
    sv_status st = sv_source_project(ctx, l->src, epsg, &l->fs);
    if (st != SV_OK)
        return st;
    l->x = sv_malloc((l->fs.n + 1) * sizeof *l->x);
    l->y = sv_malloc((l->fs.n + 1) * sizeof *l->y);
    l->keep = sv_malloc((l->fs.n + 1) * sizeof *l->keep);
    if (!l->x || !l->y || !l->keep)
        return sv_error(ctx, SV_ERR_NOMEM, "out of memory");
    return sv_feature_points(ctx, h, &l->fs, strict, centroids, l->x, l->y, l->keep, &l->n);
}

/* A feature whose geometry GEOS refuses (a ring of fewer than 4 points...):
 * one feature, skipped with an issue like any other (an error under strict;
 * issue 18 item 4). */
static sv_status geometry_refused(sv_ctx *ctx, sv_geos *h, const sv_featureset *fs, const sv_feature *f, int strict)
{
    sv_msg why;
    sv_msg_init(&why, sv_ctx_lang(ctx));
    sv_msg_add(&why, "has a geometry GEOS cannot read (%.500s)", sv_geos_errmsg(h));
    if (strict)
        return sv_error(ctx, SV_ERR_DATA, "%s: layer '%s', feature %s %s; fix or remove it", fs->path, fs->layer,
                        f->id, why.tr);
    return sv_issue_add_msg(ctx, fs->path, fs->layer, f->id, &why, SV_ISSUE_SKIPPED);
}

sv_status sv_feature_points(sv_ctx *ctx, sv_geos *h, const sv_featureset *fs, int strict, int centroids,
                            double *xs, double *ys, size_t *keep, size_t *n_keep)
{
    *n_keep = 0;
    sv_msg problem;
    for (size_t i = 0; i < fs->n; i++) {
        const sv_feature *f = &fs->items[i];
        sv_msg_init(&problem, sv_ctx_lang(ctx));
        sv_geom *g = sv_geom_from_wkb(h, f->wkb, f->wkb_len);
        if (!g) {
            sv_status gs = geometry_refused(ctx, h, fs, f, strict);
            if (gs != SV_OK)
                return gs;
            continue;
        }
        double x, y;
        sv_status st = SV_OK;
        if (centroids && sv_geom_point_xy(h, g, &x, &y) != 0) {
            /* demand drawn as buildings or blocks: taken at its centroid, as expected */
            sv_geom *p = sv_geom_centroid(h, g);
            int bad = !p || sv_geom_point_xy(h, p, &x, &y) != 0;
            sv_geom_destroy(h, p);
            if (bad) {
                sv_geom_destroy(h, g);
                sv_msg_put(&problem, SV_N_("no usable centroid"));
                st = sv_feature_problem(ctx, strict, fs->path, fs->layer, f->id, &problem, SV_ISSUE_SKIPPED,
                                        "fix or remove it");
                if (st != SV_OK)
                    return st;
                continue;
            }
        } else if (sv_geom_point_xy(h, g, &x, &y) != 0) {
            const char *what = sv_geom_is_polygonal(h, g) ? SV_N_("polygon station: placed at a point on its surface")
                                                          : SV_N_("multipoint station: placed at its centroid");
            sv_geom *p = sv_geom_is_polygonal(h, g) ? sv_geom_point_on_surface(h, g) : sv_geom_centroid(h, g);
            if (!p || sv_geom_point_xy(h, p, &x, &y) != 0) {
                sv_geom_destroy(h, p);
                sv_geom_destroy(h, g);
                sv_msg_put(&problem, SV_N_("no usable point"));
                st = sv_feature_problem(ctx, strict, fs->path, fs->layer, f->id, &problem, SV_ISSUE_SKIPPED,
                                        "fix or remove it");
                if (st != SV_OK)
                    return st;
                continue;
            }
            sv_geom_destroy(h, p);
            sv_msg_put(&problem, what);
            st = sv_feature_problem(ctx, strict, fs->path, fs->layer, f->id, &problem, SV_ISSUE_REPAIRED,
                                    "give points (without --strict it would be repaired)");
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
    f->geoms = sv_calloc(n + 1, sizeof *f->geoms);
    f->preps = sv_calloc(n + 1, sizeof *f->preps);
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
 * CRS; the file's own coordinates are what one looks up in it. GEOS's reason
 * stays in its own words. */
static void describe_invalid(const sv_featureset *fs, const char *reason, sv_msg *m)
{
    const char *r = reason ? reason : "invalid";
    const char *br = strchr(r, '[');
    double x, y, sx, sy;
    if (br && sscanf(br, "[%lf %lf]", &x, &y) == 2) {
        if (sv_featureset_to_source(fs, x, y, &sx, &sy) == 0) {
            int deg = fabs(sx) <= 360 && fabs(sy) <= 90; /* lon/lat: 7 decimals, about 1 cm */
            sv_msg_add(m, "invalid polygon (%.*s at %.3f %.3f in EPSG:%d = %.*f %.*f in the source's %s): repaired "
                       "with GEOS MakeValid", (int)(br - r), r, x, y, fs->epsg, deg ? 7 : 3, sx, deg ? 7 : 3, sy,
                       fs->srs_name ? fs->srs_name : "CRS");
        } else
            sv_msg_add(m, "invalid polygon (%.*s at %.3f %.3f in EPSG:%d): repaired with GEOS MakeValid",
                       (int)(br - r), r, x, y, fs->epsg);
        return;
    }
    sv_msg_add(m, "invalid polygon (%s): repaired with GEOS MakeValid", r);
}

sv_status sv_district_polygons(sv_ctx *ctx, sv_geos *h, const sv_featureset *fs, int strict,
                               sv_valid_district *out, size_t *n_out)
{
    *n_out = 0;
    /* large districts (a million vertices) show the repair's progress, by their bytes of geometry */
    double total = 0, done = 0, shown = 0;
    for (size_t i = 0; i < fs->n; i++)
        total += (double)fs->items[i].wkb_len;
    int long_work = total >= SV_WORK_BYTES || fs->n >= SV_WORK_FEATURES;
    for (size_t i = 0; i < fs->n; i++) {
        const sv_feature *f = &fs->items[i];
        if (long_work && (i == 0 || (done - shown) / total >= 0.01)) {
            sv_work(ctx, SV_N_("checking and repairing the districts of %s: %d%%"), fs->path, done / total);
            shown = done;
        }
        done += (double)f->wkb_len;
        if (sv_ctx_interrupted(ctx))
            return SV_ERR_INTERRUPTED;
        sv_geom *g = sv_geom_from_wkb(h, f->wkb, f->wkb_len);
        if (!g) {
            sv_status gs = geometry_refused(ctx, h, fs, f, strict);
            if (gs != SV_OK)
                return gs;
            continue;
        }
        char *reason = NULL;
        int valid = sv_geom_is_valid(h, g, &reason);
        int repaired = 0;
        sv_geom *v = sv_geom_make_valid_polygonal(h, g, &repaired);
        sv_geom_destroy(h, g);
        double area = v ? sv_geom_area(h, v) : -1;
        const char *problem = NULL;
        sv_msg m;
        sv_msg_init(&m, sv_ctx_lang(ctx));
        sv_status st = SV_OK;
        if (!v) {
            problem = SV_N_("invalid polygon that GEOS MakeValid cannot repair");
        } else if (!(area > 0)) {
            problem = SV_N_("polygon has no area (after repair)");
        } else if (valid != 1) {
            describe_invalid(fs, reason, &m);
            st = sv_feature_problem(ctx, strict, fs->path, fs->layer, f->id, &m, SV_ISSUE_REPAIRED,
                                    "fix the polygon (without --strict it would be repaired)");
        }
        free(reason);
        if (problem) {
            sv_geom_destroy(h, v);
            sv_msg_put(&m, problem);
            st = sv_feature_problem(ctx, strict, fs->path, fs->layer, f->id, &m, SV_ISSUE_SKIPPED,
                                    "fix or remove it");
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
    if (long_work)
        sv_work(ctx, SV_N_("checking and repairing the districts of %s: %d%%"), fs->path, 1.0);
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
    id_ref *r = sv_malloc((n + 1) * sizeof *r);
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
sv_status sv_unique_station_ids(sv_ctx *ctx, sv_featureset *fs, const size_t *keep, size_t n, int strict)
{
    id_ref *r = sorted_ids(fs, keep, n);
    if (!r)
        return sv_error(ctx, SV_ERR_NOMEM, "out of memory");
    char **fresh = sv_calloc(n + 1, sizeof *fresh);
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
        char *id = sv_malloc(len);
        if (!id) {
            st = SV_ERR_NOMEM;
            break;
        }
        for (size_t m = run;; m++) { /* never an id another station has */
            snprintf(id, len, "%s#%zu", f->id, m);
            if (!id_taken(r, n, id))
                break;
        }
        sv_msg what;
        sv_msg_init(&what, sv_ctx_lang(ctx));
        sv_msg_add(&what, "(fid %lld) shares its station id with fid %lld: kept apart as '%s' (pick a field with "
                   "unique values with --station-id FIELD)", f->fid, first->fid, id);
        st = sv_issue_add_msg(ctx, fs->path, fs->layer, f->id, &what, SV_ISSUE_REPAIRED);
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
sv_status sv_unique_district_ids(sv_ctx *ctx, const sv_featureset *fs, const sv_valid_district *vd, size_t n)
{
    size_t *idx = sv_calloc(n + 1, sizeof *idx);
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
                          fs->id_field ? "" : sv_tr(sv_ctx_lang(ctx), " (the default fields were tried)"));
            break;
        }
    free(r);
    free(idx);
    return st;
}
