/* site.c - the svcov site pipeline: inputs -> coverage lists -> greedy / MIP -> store. */
#include "svcov/sv_analyze.h"
#include "svcov/sv_geom.h"
#include "svcov/sv_mip.h"
#include "svcov/sv_site.h"
#include "svcov/sv_breaks.h"
#include "svcov/sv_store.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

void sv_siting_opts_init(sv_siting_opts *o)
{
    memset(o, 0, sizeof *o);
    o->crs = "auto";
    o->mode = "walk";
    o->detour = 1.0;
    o->model = SV_SITE_MCLP;
    o->k = 0;
    o->time_limit_s = 60;
}

static void free_strings(char **v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void sv_siting_destroy(sv_siting *s)
{
    if (!s)
        return;
    free_strings(s->site_ids, s->res.n_chosen);
    free_strings(s->site_districts, s->res.n_chosen);
    free(s->site_x);
    free(s->site_y);
    free_strings(s->district_ids, s->n_districts);
    free_strings(s->district_names, s->n_districts);
    sv_site_result_free(&s->res);
    free(s);
}

typedef struct {
    sv_source *src;
    sv_featureset fs;
    double *x, *y;
    size_t *keep, n;
} input_layer;

static void layer_free(input_layer *l)
{
    sv_source_close(l->src);
    sv_featureset_free(&l->fs);
    free(l->x);
    free(l->y);
    free(l->keep);
    memset(l, 0, sizeof *l);
}

static sv_status grow_bounds(sv_ctx *ctx, sv_source *src, sv_env *all, int *have)
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
        all->xmin = fmin(all->xmin, e.xmin);
        all->ymin = fmin(all->ymin, e.ymin);
        all->xmax = fmax(all->xmax, e.xmax);
        all->ymax = fmax(all->ymax, e.ymax);
    }
    return SV_OK;
}

static sv_status layer_points(sv_ctx *ctx, sv_geos *h, input_layer *l, int epsg, int strict, int centroids)
{
    sv_status st = sv_source_project(ctx, l->src, epsg, &l->fs);
    if (st != SV_OK)
        return st;
    l->x = malloc((l->fs.n + 1) * sizeof *l->x);
    l->y = malloc((l->fs.n + 1) * sizeof *l->y);
    l->keep = malloc((l->fs.n + 1) * sizeof *l->keep);
    if (!l->x || !l->y || !l->keep)
        return sv_error(ctx, SV_ERR_NOMEM, "out of memory");
    return sv_feature_points(ctx, h, &l->fs, strict, centroids, l->x, l->y, l->keep, &l->n);
}

/* Grid nodes (i*step, j*step) inside or on a district; with gaps_only,
 * also farther than the radius from every station. */
static sv_status make_grid(sv_ctx *ctx, sv_geos *h, sv_district_finder *f, const sv_valid_district *vd,
                           const input_layer *stations, double step, double radius, int gaps_only,
                           input_layer *out)
{
    sv_env all = {0, 0, 0, 0};
    for (size_t d = 0; d < f->n; d++) {
        sv_env e;
        sv_geom_envelope(h, f->geoms[d], &e);
        if (d == 0)
            all = e;
        all.xmin = fmin(all.xmin, e.xmin);
        all.ymin = fmin(all.ymin, e.ymin);
        all.xmax = fmax(all.xmax, e.xmax);
        all.ymax = fmax(all.ymax, e.ymax);
    }
    (void)vd;
    double i0 = ceil(all.xmin / step), i1 = floor(all.xmax / step);
    double j0 = ceil(all.ymin / step), j1 = floor(all.ymax / step);
    double nodes = (i1 - i0 + 1) * (j1 - j0 + 1);
    if (!(nodes <= 5e7))
        return sv_error(ctx, SV_ERR_USAGE, "--grid %g m over these districts makes %.0f grid nodes; use a coarser "
                        "grid (at most 50 million nodes)", step, nodes);
    sv_index *st_tree = NULL;
    size_t *ids = NULL, nids = 0, cap = 0;
    if (gaps_only && stations->n > 0) {
        st_tree = sv_index_create(h);
        for (size_t k = 0; st_tree && k < stations->n; k++) {
            sv_env e = {stations->x[k], stations->y[k], stations->x[k], stations->y[k]};
            sv_index_insert(h, st_tree, k, &e);
        }
    }
    size_t capn = 1024, n = 0;
    out->x = malloc(capn * sizeof *out->x);
    out->y = malloc(capn * sizeof *out->y);
    sv_status st = SV_OK;
    for (double j = j0; j <= j1 && st == SV_OK; j++) {
        if (j1 > j0)
            sv_progress(ctx, "grid", (j - j0) / (j1 - j0));
        if (sv_ctx_interrupted(ctx)) {
            st = SV_ERR_INTERRUPTED;
            break;
        }
        for (double i = i0; i <= i1; i++) {
            double x = i * step, y = j * step;
            if (sv_district_finder_find(f, x, y) < 0)
                continue;
            if (st_tree) {
                sv_env e = {x - radius, y - radius, x + radius, y + radius};
                nids = 0;
                sv_index_query(h, st_tree, &e, &ids, &nids, &cap);
                int reached = 0;
                for (size_t t = 0; t < nids && !reached; t++)
                    reached = hypot(stations->x[ids[t]] - x, stations->y[ids[t]] - y) <= radius;
                if (reached)
                    continue;
            }
            if (n == capn) {
                capn *= 2;
                double *nx = realloc(out->x, capn * sizeof *nx), *ny = realloc(out->y, capn * sizeof *ny);
                if (nx)
                    out->x = nx;
                if (ny)
                    out->y = ny;
                if (!nx || !ny) {
                    st = sv_error(ctx, SV_ERR_NOMEM, "out of memory for grid candidates");
                    break;
                }
            }
            out->x[n] = x;
            out->y[n] = y;
            n++;
        }
    }
    out->n = n;
    free(ids);
    sv_index_destroy(h, st_tree);
    return st;
}

static void utc_now(char *buf, size_t size)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static char *fmt(const char *f, double v)
{
    char buf[64];
    if (!isfinite(v))
        return NULL;
    snprintf(buf, sizeof buf, f, v);
    return sv_strdup(buf);
}

/* The newest runs row of an earlier analysis, the columns that tell a
 * network analysis and where its inputs came from. A database without a
 * runs table (written by svcov site) or without a column gives "". */
enum { RUN_METHOD, RUN_NETWORK, RUN_STATIONS, RUN_STATIONS_LAYER, RUN_DISTRICTS, RUN_DISTRICTS_LAYER, RUN_N };
static const char *const run_cols[RUN_N] = {"method", "network_path", "stations_path", "stations_layer",
                                            "districts_path", "districts_layer"};
typedef struct {
    int present[RUN_N];
    char value[RUN_N][1024];
} run_row;

static int run_columns_row(void *ud, int ncol, const char *const *names, const char *const *values)
{
    run_row *r = ud;
    (void)names;
    for (int k = 0; values && ncol > 0 && values[0] && k < RUN_N; k++)
        if (strcmp(values[0], run_cols[k]) == 0)
            r->present[k] = 1;
    return 0;
}

static int run_values_row(void *ud, int ncol, const char *const *names, const char *const *values)
{
    run_row *r = ud;
    (void)names;
    for (int k = 0; values && k < ncol && k < RUN_N; k++)
        snprintf(r->value[k], sizeof r->value[k], "%s", values[k] ? values[k] : "");
    return values != NULL; /* the first row is enough */
}

/* Siting measures reach as straight-line circles; on a network analysis
 * its answer would silently disagree with the coverage stored beside it
 * (a circle of 833 m reaches more than 10 minutes along the streets). Until
 * siting along the network exists, such a --db is refused. */
static sv_status refuse_network_db(sv_ctx *ctx, const char *db_path)
{
    run_row r;
    memset(&r, 0, sizeof r);
    sv_store_reader *rd = NULL;
    sv_status rc = sv_store_open_read(ctx, db_path, &rd);
    if (rc == SV_OK)
        rc = sv_store_read(ctx, rd, "SELECT name FROM pragma_table_info('runs')", NULL, NULL, 0, run_columns_row, &r);
    if (rc != SV_OK || !r.present[RUN_METHOD]) {
        sv_store_close_read(rd);
        return rc;
    }
    char sql[512] = "SELECT ";
    for (int k = 0; k < RUN_N; k++) {
        strcat(sql, r.present[k] ? run_cols[k] : "NULL");
        strcat(sql, k + 1 < RUN_N ? ", " : " FROM runs ORDER BY rowid DESC LIMIT 1");
    }
    rc = sv_store_read(ctx, rd, sql, NULL, NULL, 0, run_values_row, &r);
    sv_store_close_read(rd);
    if (rc != SV_OK)
        return rc;
    if (strcmp(r.value[RUN_METHOD], "network") != 0 && !*r.value[RUN_NETWORK])
        return SV_OK;
    char inputs[4200];
    snprintf(inputs, sizeof inputs, "--stations %s%s%s --districts %s%s%s",
             *r.value[RUN_STATIONS] ? r.value[RUN_STATIONS] : "STATIONS", *r.value[RUN_STATIONS_LAYER] ? ":" : "",
             r.value[RUN_STATIONS_LAYER], *r.value[RUN_DISTRICTS] ? r.value[RUN_DISTRICTS] : "DISTRICTS",
             *r.value[RUN_DISTRICTS_LAYER] ? ":" : "", r.value[RUN_DISTRICTS_LAYER]);
    return sv_error(ctx, SV_ERR_USAGE,
                    "--db %s is a network analysis (service areas along the streets of %s), but siting along the "
                    "network is not available yet: svcov site measures reach as straight-line circles, which "
                    "would not match that analysis. Nothing was written. To site with straight-line reach "
                    "explicitly, give the inputs instead of --db: %s --out siting.sqlite",
                    db_path, *r.value[RUN_NETWORK] ? r.value[RUN_NETWORK] : "its network", inputs);
}

static sv_status write_siting(sv_ctx *ctx, const sv_siting_opts *o, sv_siting *s, const input_layer *stations,
                              const input_layer *dist_layer, const sv_valid_district *vd, const char *started)
{
    sv_store *db = NULL;
    const char *out_path = o->out_path ? o->out_path : o->db_path;
    sv_status rc = o->db_path ? sv_store_open_copy(ctx, o->db_path, out_path, &db)
                              : sv_store_create(ctx, out_path, s->crs.epsg, &db);
    if (rc != SV_OK)
        return rc;
    /* An earlier analysis already holds its stations and districts. */
    for (size_t k = 0; k < stations->n && rc == SV_OK && !o->db_path; k++) {
        const sv_feature *f = &stations->fs.items[stations->keep[k]];
        sv_value v[] = {SV_TEXT(f->id), SV_TEXT(f->name), SV_TEXT(f->category), SV_INT(f->fid)};
        rc = sv_store_insert_point(ctx, db, SV_TABLE_STATIONS, v, 4, stations->x[k], stations->y[k]);
    }
    for (size_t d = 0; d < s->n_districts && rc == SV_OK && !o->db_path; d++) {
        const sv_feature *f = &dist_layer->fs.items[vd[d].src];
        sv_value v[] = {SV_TEXT(f->id), SV_TEXT(f->name), SV_INT(f->fid), SV_REAL(vd[d].area), SV_INT(vd[d].repaired)};
        rc = sv_store_insert(ctx, db, SV_TABLE_DISTRICTS, v, 5, vd[d].wkb, vd[d].len);
    }
    const sv_site_result *r = &s->res;
    const char *model = o->model == SV_SITE_MCLP ? "mclp" : "lscp";
    char finished[32];
    utc_now(finished, sizeof finished);
    char *vals[40] = {0};
    /* by column name: the types are in src/schema.c (site_runs) */
    const char *keys[] = {
        "started_utc", "finished_utc", "svcov_version", "command", "model", "k",
        "radius_m", "minutes", "mode", "objective", "existing_covered",
        "total_weight", "coverable_weight", "covered_share", "n_new_sites", "solver",
        "proven_optimal", "gap", "bound", "greedy_objective", "greedy_sites",
        "greedy_ratio", "target_share", "min_district_share", "n_floor_unmet",
        "n_demand", "n_candidates", "n_stations", "n_uncoverable", "greedy_s",
        "exact_s", "note", "demand_path", "candidates", "stations_path",
        "crs_epsg", "glpk_version", "input_coords", "input_encoding",
    };
    size_t nk = sizeof keys / sizeof keys[0];
    int i = 0;
    vals[i++] = sv_strdup(started);
    vals[i++] = sv_strdup(finished);
    vals[i++] = sv_strdup(SV_VERSION);
    vals[i++] = sv_strdup(o->command_line);
    vals[i++] = sv_strdup(model);
    vals[i++] = o->model == SV_SITE_MCLP ? fmt("%.0f", o->k) : NULL;
    vals[i++] = fmt("%.10g", s->radius_m);
    vals[i++] = fmt("%.10g", s->minutes);
    vals[i++] = sv_strdup(s->mode);
    vals[i++] = fmt("%.10g", r->objective);
    vals[i++] = fmt("%.10g", r->existing_covered);
    vals[i++] = fmt("%.10g", r->total_weight);
    vals[i++] = fmt("%.10g", r->coverable_weight);
    vals[i++] = fmt("%.6f", r->total_weight > 0 ? r->objective / r->total_weight : 0.0);
    vals[i++] = fmt("%.0f", (double)r->n_chosen);
    vals[i++] = sv_strdup(r->solver);
    vals[i++] = fmt("%.0f", (double)r->proven_optimal);
    vals[i++] = fmt("%.10g", r->gap);
    vals[i++] = fmt("%.10g", r->bound);
    vals[i++] = fmt("%.10g", o->model == SV_SITE_MCLP ? r->greedy_objective : (double)r->greedy_sites);
    vals[i++] = fmt("%.0f", (double)r->greedy_sites);
    vals[i++] = (o->exact && r->objective > 0 && o->model == SV_SITE_MCLP)
                    ? fmt("%.6f", r->greedy_objective / r->objective)
                    : (o->exact && o->model == SV_SITE_LSCP && r->greedy_sites > 0)
                          ? fmt("%.6f", (double)r->n_chosen / (double)r->greedy_sites)
                          : NULL;
    vals[i++] = o->target_share > 0 ? fmt("%.6g", o->target_share) : NULL;
    vals[i++] = o->min_district_share > 0 ? fmt("%.6g", o->min_district_share) : NULL;
    vals[i++] = fmt("%.0f", (double)r->n_floor_unmet);
    vals[i++] = fmt("%.0f", (double)s->n_demand);
    vals[i++] = fmt("%.0f", (double)s->n_candidates);
    vals[i++] = fmt("%.0f", (double)s->n_stations);
    vals[i++] = fmt("%.0f", (double)r->n_uncoverable);
    vals[i++] = fmt("%.6f", r->greedy_s);
    vals[i++] = o->exact ? fmt("%.6f", r->exact_s) : NULL;
    vals[i++] = *r->note ? sv_strdup(r->note) : NULL;
    vals[i++] = sv_strdup(o->demand.spec);
    if (o->candidates.spec) {
        vals[i++] = sv_strdup(o->candidates.spec);
    } else {
        char buf[96];
        snprintf(buf, sizeof buf, "grid %g m%s", o->grid_m, o->grid_in_gaps ? " in gaps" : "");
        vals[i++] = sv_strdup(buf);
    }
    vals[i++] = sv_strdup(o->stations.spec);
    vals[i++] = fmt("%.0f", (double)s->crs.epsg);
    vals[i++] = sv_strdup(sv_glpk_version());
    {
        const char *names[] = {"demand", "candidates", "stations", "districts"};
        const sv_source_opts *in[] = {&o->demand, &o->candidates, &o->stations, &o->districts};
        char buf[512];
        sv_sources_describe(buf, sizeof buf, names, in, 4, 0);
        vals[i++] = sv_strdup(buf);
        sv_sources_describe(buf, sizeof buf, names, in, 4, 1);
        vals[i++] = buf[0] ? sv_strdup(buf) : NULL;
    }
    long long run_id = 0;
    if (rc == SV_OK)
        rc = i == (int)nk ? sv_store_record(ctx, db, SV_TABLE_SITE_RUNS, keys, (const char *const *)vals, nk, &run_id)
                          : sv_error(ctx, SV_ERR_INTERNAL, "internal: %d values for %zu site_runs columns", i, nk);
    for (size_t k = 0; k < nk; k++)
        free(vals[k]);
    double cum = r->existing_covered;
    for (size_t k = 0; k < r->n_chosen && rc == SV_OK; k++) {
        cum += r->gain[k];
        sv_value v[] = {SV_INT(run_id), SV_INT(k + 1), SV_TEXT(s->site_ids[k]), SV_REAL(r->gain[k]), SV_REAL(cum),
                        SV_REAL(r->total_weight > 0 ? cum / r->total_weight : 0.0), SV_TEXT(s->site_districts[k])};
        rc = sv_store_insert_point(ctx, db, SV_TABLE_SITES, v, sizeof v / sizeof v[0], s->site_x[k], s->site_y[k]);
    }
    for (size_t d = 0; d < s->n_districts && rc == SV_OK; d++) {
        double total = r->district_total[d], before = r->district_before[d], after = r->district_after[d];
        double floor_weight = o->min_district_share > 0 ? r->district_floor[d] : 0;
        sv_value v[] = {
            SV_INT(run_id), SV_TEXT(s->district_ids[d]), SV_TEXT(s->district_names[d]), SV_REAL(total),
            SV_REAL(before), SV_REAL(after), SV_REAL(total > 0 ? 100.0 * (before / total) : 0.0),
            SV_REAL(total > 0 ? 100.0 * (after / total) : 0.0), SV_REAL(floor_weight),
            floor_weight > 0 ? SV_INT(after + 1e-9 >= floor_weight) : SV_NULL,
        };
        rc = sv_store_insert(ctx, db, SV_TABLE_SITE_DISTRICT_COVERAGE, v, sizeof v / sizeof v[0], NULL, 0);
    }
    for (size_t k = 0; k < sv_ctx_issue_count(ctx) && rc == SV_OK; k++)
        rc = sv_store_issue(ctx, db, sv_ctx_issue(ctx, k));
    if (rc != SV_OK) {
        sv_store_abort(db);
        return rc;
    }
    return sv_store_commit(ctx, db);
}

sv_status sv_siting_run(sv_ctx *ctx, const sv_siting_opts *opts, sv_siting **out)
{
    *out = NULL;
    const sv_siting_opts *o = opts;
    char started[32];
    utc_now(started, sizeof started);
    sv_siting *s = calloc(1, sizeof *s);
    if (!s)
        return SV_ERR_NOMEM;
    input_layer dem = {0}, cand = {0}, sta = {0}, dis = {0};
    sv_valid_district *vd = NULL;
    sv_district_finder finder;
    memset(&finder, 0, sizeof finder);
    int *ddistrict = NULL;
    double *dw = NULL;
    sv_geos *h = NULL;
    sv_status rc = SV_OK;

    /* The reach: the same rule as analyze's breaks (sv_breaks_make). */
    {
        sv_breaks_spec sp = {&o->minutes, o->radius_m != 0 ? 0 : 1, &o->radius_m, o->radius_m != 0 ? 1 : 0,
                             o->mode, o->speed_kmh, o->detour};
        sv_breaks br;
        if ((rc = sv_breaks_make(ctx, &sp, &br)) != SV_OK)
            goto done;
        s->minutes = br.breaks[0].minutes;
        s->radius_m = br.breaks[0].radius_m;
        snprintf(s->mode, sizeof s->mode, "%s", br.mode);
        sv_breaks_free(&br);
    }
    if (o->model == SV_SITE_MCLP && o->k < 1) {
        rc = sv_error(ctx, SV_ERR_USAGE, "--model mclp needs --k N (the number of new sites, at least 1)");
        goto done;
    }
    if (o->min_district_share > 0 && !o->districts.spec && !o->db_path) {
        rc = sv_error(ctx, SV_ERR_USAGE, "--min-district-share needs --districts");
        goto done;
    }
    if (!o->candidates.spec && !(o->grid_m > 0 && (o->districts.spec || o->db_path))) {
        rc = sv_error(ctx, SV_ERR_USAGE, "give --candidates PATH, or --grid METRES with --districts to make them");
        goto done;
    }
    /* An earlier analysis provides the stations, districts and CRS. */
    sv_siting_opts od = *o;
    char st_spec[4200], di_spec[4200], crs_spec[32];
    if (o->db_path) {
        if ((rc = sv_store_check_db(ctx, o->db_path)) != SV_OK)
            goto done;
        if ((rc = refuse_network_db(ctx, o->db_path)) != SV_OK)
            goto done;
        if (!od.stations.spec) {
            snprintf(st_spec, sizeof st_spec, "%s:stations", o->db_path);
            od.stations.spec = st_spec;
            od.stations.id_field = od.stations.id_field ? od.stations.id_field : "station_id";
            od.stations.coords = SV_COORDS_WGS84; /* svcov's own table, already converted */
            od.stations.encoding = NULL;
        }
        if (!od.districts.spec) {
            snprintf(di_spec, sizeof di_spec, "%s:districts", o->db_path);
            od.districts.spec = di_spec;
            od.districts.id_field = od.districts.id_field ? od.districts.id_field : "district_id";
            od.districts.name_field = od.districts.name_field ? od.districts.name_field : "district_name";
            od.districts.coords = SV_COORDS_WGS84; /* svcov's own table, already converted */
            od.districts.encoding = NULL;
        }
        int srid = sv_store_db_srid(o->db_path);
        if ((!o->crs || strcasecmp(o->crs, "auto") == 0) && srid > 0) {
            snprintf(crs_spec, sizeof crs_spec, "EPSG:%d", srid);
            od.crs = crs_spec;
        }
    } else if ((rc = sv_store_check_target(ctx, o->out_path)) != SV_OK) {
        goto done;
    }
    o = &od;

    sv_source_opts so;
    so = o->demand;
    so.strict = o->strict;
    if ((rc = sv_source_open(ctx, &so, SV_ROLE_DEMAND, &dem.src)) != SV_OK)
        goto done;
    if (o->candidates.spec) {
        so = o->candidates;
        so.strict = o->strict;
        if ((rc = sv_source_open(ctx, &so, SV_ROLE_CANDIDATES, &cand.src)) != SV_OK)
            goto done;
    }
    if (o->stations.spec) {
        so = o->stations;
        so.strict = o->strict;
        if ((rc = sv_source_open(ctx, &so, SV_ROLE_STATIONS, &sta.src)) != SV_OK)
            goto done;
    }
    if (o->districts.spec) {
        so = o->districts;
        so.strict = o->strict;
        if ((rc = sv_source_open(ctx, &so, SV_ROLE_DISTRICTS, &dis.src)) != SV_OK)
            goto done;
    }
    sv_env box = {0, 0, 0, 0};
    int have = 0;
    /* The zone from where the demand and districts are: a stray station or
     * candidate (lat/lon swapped) must not move it (issue 18 item 3). */
    input_layer *all[] = {&dem, &dis};
    for (int k = 0; k < 2; k++)
        if (all[k]->src && (rc = grow_bounds(ctx, all[k]->src, &box, &have)) != SV_OK)
            goto done;
    if (!have) {
        rc = sv_error(ctx, SV_ERR_DATA, "%s: no usable demand point (see the warnings)", o->demand.spec);
        goto done;
    }
    if ((rc = sv_crs_resolve(ctx, o->crs, (box.xmin + box.xmax) / 2, (box.ymin + box.ymax) / 2, &s->crs)) != SV_OK)
        goto done;
    if (!(h = sv_geos_create())) {
        rc = SV_ERR_NOMEM;
        goto done;
    }
    if ((rc = layer_points(ctx, h, &dem, s->crs.epsg, o->strict, 1)) != SV_OK)
        goto done;
    if (cand.src && (rc = layer_points(ctx, h, &cand, s->crs.epsg, o->strict, 1)) != SV_OK)
        goto done;
    if (sta.src && (rc = layer_points(ctx, h, &sta, s->crs.epsg, o->strict, 0)) != SV_OK)
        goto done;
    if (dem.n == 0) {
        rc = sv_error(ctx, SV_ERR_DATA, "%s: no usable demand point (%zu read; see the warnings)", dem.fs.path,
                      dem.fs.n_read);
        goto done;
    }
    if (dis.src) {
        if ((rc = sv_source_project(ctx, dis.src, s->crs.epsg, &dis.fs)) != SV_OK)
            goto done;
        vd = calloc(dis.fs.n + 1, sizeof *vd);
        if (!vd) {
            rc = SV_ERR_NOMEM;
            goto done;
        }
        if ((rc = sv_district_polygons(ctx, h, &dis.fs, o->strict, vd, &s->n_districts)) != SV_OK)
            goto done;
        if (s->n_districts == 0) {
            rc = sv_error(ctx, SV_ERR_DATA, "%s: no usable district (see the warnings)", dis.fs.path);
            goto done;
        }
        if (sv_district_finder_init(&finder, h, vd, s->n_districts) != 0) {
            rc = sv_error(ctx, SV_ERR_GEOM, "cannot index the districts: %s", sv_geos_errmsg(h));
            goto done;
        }
        s->district_ids = calloc(s->n_districts, sizeof(char *));
        s->district_names = calloc(s->n_districts, sizeof(char *));
        if (!s->district_ids || !s->district_names) {
            rc = SV_ERR_NOMEM;
            goto done;
        }
        for (size_t d = 0; d < s->n_districts; d++) {
            s->district_ids[d] = sv_strdup(dis.fs.items[vd[d].src].id);
            s->district_names[d] = sv_strdup(dis.fs.items[vd[d].src].name);
        }
    }
    if (!cand.src) {
        double area = 0;
        for (size_t d = 0; d < s->n_districts; d++)
            area += vd[d].area;
        if ((rc = sv_site_grid_budget(ctx, o->grid_m, area, dem.n, s->radius_m, o->exact)) != SV_OK)
            goto done;
        if ((rc = make_grid(ctx, h, &finder, vd, &sta, o->grid_m, s->radius_m, o->grid_in_gaps, &cand)) != SV_OK)
            goto done;
    }
    if (cand.n == 0) {
        rc = sv_error(ctx, SV_ERR_DATA, "no candidate sites%s; give other candidates or a finer --grid",
                      o->grid_in_gaps ? " (every grid node is already reached by a station)" : "");
        goto done;
    }
    dw = malloc(dem.n * sizeof *dw);
    ddistrict = malloc(dem.n * sizeof *ddistrict);
    if (!dw || !ddistrict) {
        rc = SV_ERR_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < dem.n; i++) {
        dw[i] = dem.fs.items[dem.keep[i]].weight;
        ddistrict[i] = s->n_districts ? sv_district_finder_find(&finder, dem.x[i], dem.y[i]) : -1;
    }
    s->n_demand = dem.n;
    s->n_candidates = cand.n;
    s->n_stations = sta.n;

    sv_site_input in = {
        .dx = dem.x, .dy = dem.y, .dw = dw, .ddistrict = s->n_districts ? ddistrict : NULL, .n_demand = dem.n,
        .n_districts = s->n_districts, .cx = cand.x, .cy = cand.y, .n_candidates = cand.n, .sx = sta.x, .sy = sta.y,
        .n_stations = sta.n, .radius_m = s->radius_m, .model = o->model, .k = o->k, .target_share = o->target_share,
        .min_district_share = o->min_district_share, .exact = o->exact, .time_limit_s = o->time_limit_s,
        .mps_path = o->mps_path,
    };
    if ((rc = sv_site_solve(ctx, &in, &s->res)) != SV_OK)
        goto done;
    if (s->res.target_capped) {
        /* a warning on stderr and in the issues table, or with --strict an error */
        char what[512];
        int len = snprintf(what, sizeof what,
                           "has %zu point%s out of reach of every candidate and station: --target %.4g%% is more "
                           "than the %.4g%% of its weight that can be covered",
                           s->res.n_uncoverable, s->res.n_uncoverable == 1 ? "" : "s", 100.0 * o->target_share,
                           100.0 * s->res.target_share);
        if (o->strict) {
            rc = sv_error(ctx, SV_ERR_DATA, "%s: layer '%s' %s; lower --target to at most %.4g%% (--strict refuses to "
                          "cap it)", dem.fs.path, dem.fs.layer, what, 100.0 * s->res.target_share);
            goto done;
        }
        snprintf(what + len, sizeof what - (size_t)len, ", so the target was capped at %.4g%% (every coverable point)",
                 100.0 * s->res.target_share);
        if ((rc = sv_issue_add(ctx, dem.fs.path, dem.fs.layer, "(layer)", what, SV_ISSUE_REPAIRED)) != SV_OK)
            goto done;
    }

    size_t n = s->res.n_chosen;
    s->site_ids = calloc(n + 1, sizeof(char *));
    s->site_districts = calloc(n + 1, sizeof(char *));
    s->site_x = calloc(n + 1, sizeof(double));
    s->site_y = calloc(n + 1, sizeof(double));
    if (!s->site_ids || !s->site_districts || !s->site_x || !s->site_y) {
        rc = SV_ERR_NOMEM;
        goto done;
    }
    for (size_t k = 0; k < n; k++) {
        size_t j = s->res.chosen[k];
        s->site_x[k] = cand.x[j];
        s->site_y[k] = cand.y[j];
        if (cand.src) {
            s->site_ids[k] = sv_strdup(cand.fs.items[cand.keep[j]].id);
        } else {
            char buf[64];
            snprintf(buf, sizeof buf, "grid E%.0f N%.0f", cand.x[j], cand.y[j]);
            s->site_ids[k] = sv_strdup(buf);
        }
        int d = s->n_districts ? sv_district_finder_find(&finder, cand.x[j], cand.y[j]) : -1;
        s->site_districts[k] = d >= 0 ? sv_strdup(s->district_ids[d]) : NULL;
    }
    rc = write_siting(ctx, o, s, &sta, &dis, vd, started);
done:
    if (rc != SV_OK) {
        if (rc == SV_ERR_NOMEM && !*sv_ctx_errmsg(ctx))
            sv_error(ctx, rc, "out of memory");
        sv_siting_destroy(s);
    } else {
        *out = s;
    }
    if (vd)
        for (size_t d = 0; d < dis.fs.n; d++)
            free(vd[d].wkb);
    free(vd);
    free(dw);
    free(ddistrict);
    sv_district_finder_free(&finder);
    layer_free(&dem);
    layer_free(&cand);
    layer_free(&sta);
    layer_free(&dis);
    sv_geos_destroy(h);
    return rc;
}
