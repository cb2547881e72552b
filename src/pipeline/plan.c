/* plan.c - a station plan applied in the inputs stage of svcov analyze:
 * stations closed, opened from a file, opened at the sites of a siting run. */
#include "svcov/sv_plan.h"
#include "svcov/sv_lang.h"
#include "svcov/sv_crs.h"
#include "svcov/sv_store.h"
#include "svcov/sv_text.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int sv_plan_given(const sv_plan_opts *p)
{
    return p && (p->add_stations || p->remove_stations || p->add_sites);
}

static int file_exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* PATH of PATH:LAYER when PATH exists (a layer name never holds '/'). */
static int spec_is_file(const char *spec)
{
    if (file_exists(spec))
        return 1;
    const char *colon = strrchr(spec, ':');
    if (!colon || strchr(colon, '/'))
        return 0;
    char path[4096];
    snprintf(path, sizeof path, "%.*s", (int)(colon - spec), spec);
    return file_exists(path);
}

/* An input error of a plan file as a usage error of its option (the message copied first: sv_error writes the
 * buffer it would read). */
static sv_status as_usage(sv_ctx *ctx, sv_status rc, const char *opt, const char *arg)
{
    if (rc == SV_OK || rc == SV_ERR_NOMEM || rc == SV_ERR_INTERRUPTED)
        return rc;
    char msg[2048];
    snprintf(msg, sizeof msg, "%s", sv_ctx_errmsg(ctx));
    return sv_error(ctx, SV_ERR_USAGE, "%s %s: %s", opt, arg, msg);
}

typedef struct {
    char **v;
    size_t n, cap;
} idlist;

static int idlist_add(idlist *l, const char *s, size_t len)
{
    while (len && isspace((unsigned char)*s))
        s++, len--;
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    if (!len)
        return 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        char **v = sv_realloc(l->v, cap * sizeof *v);
        if (!v)
            return -1;
        l->v = v;
        l->cap = cap;
    }
    if (!(l->v[l->n] = sv_malloc(len + 1)))
        return -1;
    memcpy(l->v[l->n], s, len);
    l->v[l->n++][len] = 0;
    return 0;
}

static void idlist_free(idlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        sv_free(l->v[i]);
    sv_free(l->v);
}

/* The ids to remove: a comma list, a text file of one id per line (# starts
 * a comment), or a layer of stations (their ids, read with the stations'
 * --station-id field). */
static sv_status removal_ids(sv_ctx *ctx, const char *arg, const sv_source_opts *stations, idlist *out)
{
    size_t len = strlen(arg);
    if (!spec_is_file(arg)) {
        if (strchr(arg, '/') || (len > 4 && (strcmp(arg + len - 4, ".txt") == 0 || strcmp(arg + len - 4, ".csv") == 0 ||
                                             strstr(arg, ".geojson") || strstr(arg, ".gpkg"))))
            return sv_error(ctx, SV_ERR_USAGE, "--remove-stations %s: no such file; give station ids separated by "
                            "commas (e.g. --remove-stations S001,S002) or an existing file", arg);
        for (const char *s = arg;;) {
            const char *e = strchr(s, ',');
            if (idlist_add(out, s, e ? (size_t)(e - s) : strlen(s)) != 0)
                return SV_ERR_NOMEM;
            if (!e)
                break;
            s = e + 1;
        }
    } else if (len > 4 && strcmp(arg + len - 4, ".txt") == 0) {
        FILE *f = fopen(arg, "r");
        if (!f)
            return sv_error(ctx, SV_ERR_USAGE, "--remove-stations %s cannot be read", arg);
        char line[1024];
        while (fgets(line, sizeof line, f)) {
            char *hash = strchr(line, '#');
            if (hash)
                *hash = 0;
            if (idlist_add(out, line, strlen(line)) != 0) {
                fclose(f);
                return SV_ERR_NOMEM;
            }
        }
        fclose(f);
    } else {
        sv_source_opts so = *stations;
        so.spec = arg;
        so.where = NULL;
        sv_source *src = NULL;
        sv_featureset fs = {0};
        sv_status rc = sv_source_open(ctx, &so, SV_ROLE_STATIONS, &src);
        if (rc == SV_OK)
            rc = sv_source_project(ctx, src, 4326, &fs);
        for (size_t i = 0; rc == SV_OK && i < fs.n; i++)
            if (idlist_add(out, fs.items[i].id, strlen(fs.items[i].id)) != 0)
                rc = SV_ERR_NOMEM;
        sv_featureset_free(&fs);
        sv_source_close(src);
        if (rc != SV_OK)
            return as_usage(ctx, rc, "--remove-stations", arg);
    }
    if (out->n == 0)
        return sv_error(ctx, SV_ERR_USAGE, "--remove-stations %s names no station id; give ids separated by commas "
                        "or a file of them", arg);
    return SV_OK;
}

/* "id1, id2, id3 ..." of fs for a message. */
static void some_ids(const sv_featureset *fs, char *buf, size_t size)
{
    size_t k = 0;
    buf[0] = 0;
    for (size_t i = 0; i < fs->n && i < 5 && k < size; i++)
        k += (size_t)snprintf(buf + k, size - k, "%s'%s'", i ? ", " : "", fs->items[i].id);
    if (fs->n > 5 && k < size)
        snprintf(buf + k, size - k, " ...");
}

static sv_status remove_stations(sv_ctx *ctx, const sv_plan_opts *p, const sv_source_opts *stations,
                                 sv_featureset *fs, sv_plan_info *info)
{
    idlist ids = {0};
    sv_status rc = removal_ids(ctx, p->remove_stations, stations, &ids);
    char *hit = rc == SV_OK ? sv_calloc(fs->n + 1, 1) : NULL;
    if (rc == SV_OK && !hit)
        rc = SV_ERR_NOMEM;
    /* every id must name a station: a typo would otherwise compare a plan that closes nothing */
    for (size_t k = 0; rc == SV_OK && k < ids.n; k++) {
        int found = 0;
        for (size_t i = 0; i < fs->n; i++)
            if (strcmp(fs->items[i].id, ids.v[k]) == 0)
                hit[i] = 1, found = 1;
        if (!found) {
            char some[256];
            some_ids(fs, some, sizeof some);
            rc = sv_error(ctx, SV_ERR_USAGE, "--remove-stations: no station has the id '%s' in %s (layer '%s'%s%s); "
                          "the ids are those of --station-id (%s), e.g. %s", ids.v[k], fs->path, fs->layer,
                          stations->where ? ", --where " : "", stations->where ? stations->where : "",
                          fs->id_field ? fs->id_field : sv_tr(sv_ctx_lang(ctx), "the feature id"),
                          some[0] ? some : sv_tr(sv_ctx_lang(ctx), "(no stations)"));
        }
    }
    if (rc == SV_OK) {
        size_t w = 0;
        for (size_t i = 0; i < fs->n; i++) {
            if (!hit[i]) {
                fs->items[w++] = fs->items[i];
                continue;
            }
            sv_feature_clear(&fs->items[i]);
        }
        info->n_removed = fs->n - w;
        fs->n = w;
    }
    sv_free(hit);
    idlist_free(&ids);
    return rc;
}

/* Room for n more features in fs. */
static int reserve(sv_featureset *fs, size_t n)
{
    sv_feature *v = sv_realloc(fs->items, (fs->n + n + 1) * sizeof *v);
    if (!v)
        return -1;
    fs->items = v;
    return 0;
}

static const char *taken_id(const sv_featureset *fs, size_t before, const char *id)
{
    for (size_t i = 0; i < before; i++)
        if (strcmp(fs->items[i].id, id) == 0)
            return fs->items[i].id;
    return NULL;
}

static sv_status already_station(sv_ctx *ctx, const char *opt, const char *arg, const char *id)
{
    return sv_error(ctx, SV_ERR_USAGE, "%s %s: the new station '%s' has the id of a station that stays; to move "
                    "that station add --remove-stations %s, else give the new station another id", opt, arg, id, id);
}

static sv_status add_stations(sv_ctx *ctx, const sv_plan_opts *p, const sv_source_opts *stations, int epsg,
                              sv_featureset *fs, sv_plan_info *info)
{
    sv_source_opts so = *stations;
    so.spec = p->add_stations;
    so.where = NULL;
    sv_source *src = NULL;
    sv_featureset add = {0};
    size_t before = fs->n;
    sv_status rc = sv_source_open(ctx, &so, SV_ROLE_STATIONS, &src);
    if (rc == SV_OK)
        rc = sv_source_project(ctx, src, epsg, &add);
    sv_source_close(src);
    rc = as_usage(ctx, rc, "--add-stations", p->add_stations);
    if (rc == SV_OK && add.n == 0)
        rc = sv_error(ctx, SV_ERR_USAGE, "--add-stations %s: layer '%s' has no station points (%zu features read); "
                      "give a layer of points, one per new station", p->add_stations, add.layer ? add.layer : "?",
                      add.n_read);
    for (size_t i = 0; rc == SV_OK && i < add.n; i++)
        if (taken_id(fs, before, add.items[i].id))
            rc = already_station(ctx, "--add-stations", p->add_stations, add.items[i].id);
    if (rc == SV_OK && reserve(fs, add.n) != 0)
        rc = SV_ERR_NOMEM;
    if (rc == SV_OK) {
        /* the features move over: their strings now belong to fs */
        memcpy(fs->items + fs->n, add.items, add.n * sizeof *add.items);
        fs->n += add.n;
        info->n_added += add.n;
        add.n = 0;
    }
    sv_featureset_free(&add);
    return rc;
}

typedef struct {
    char **ids;
    double *x, *y;
    int *srid;
    size_t n, cap;
    int failed;
} site_list;

static int read_site(void *ud, int ncol, const char *const *names, const char *const *v)
{
    (void)names;
    site_list *l = ud;
    if (!v || ncol < 4 || !v[0] || !v[1] || !v[2])
        return 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        char **ids = sv_realloc(l->ids, cap * sizeof *ids);
        if (ids)
            l->ids = ids;
        double *x = sv_realloc(l->x, cap * sizeof *x);
        if (x)
            l->x = x;
        double *y = sv_realloc(l->y, cap * sizeof *y);
        if (y)
            l->y = y;
        int *srid = sv_realloc(l->srid, cap * sizeof *srid);
        if (srid)
            l->srid = srid;
        if (!ids || !x || !y || !srid) {
            l->failed = 1;
            return 1;
        }
        l->cap = cap;
    }
    if (!(l->ids[l->n] = sv_strdup(v[0]))) {
        l->failed = 1;
        return 1;
    }
    l->x[l->n] = strtod(v[1], NULL);
    l->y[l->n] = strtod(v[2], NULL);
    l->srid[l->n] = v[3] ? atoi(v[3]) : 0;
    l->n++;
    return 0;
}

static void site_list_free(site_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        sv_free(l->ids[i]);
    sv_free(l->ids);
    sv_free(l->x);
    sv_free(l->y);
    sv_free(l->srid);
}

/* A point station from a site (id and name the candidate's), appended to fs. */
static sv_status append_site(sv_ctx *ctx, sv_geos *h, sv_featureset *fs, const char *id, double x, double y)
{
    sv_geom *g = sv_geom_point(h, x, y);
    size_t len = 0;
    unsigned char *wkb = g ? sv_geom_to_wkb(h, g, &len) : NULL;
    sv_geom_destroy(h, g);
    sv_feature f = {0};
    f.id = sv_strdup(id);
    f.name = sv_strdup(id);
    f.fid = -1; /* not a feature of the stations file */
    f.weight = 1;
    f.levels = NAN;
    if (wkb && (f.wkb = sv_malloc(len)))
        memcpy(f.wkb, wkb, len);
    f.wkb_len = len;
    sv_free(wkb);
    if (!f.id || !f.name || !f.wkb || reserve(fs, 1) != 0) {
        sv_free(f.id);
        sv_free(f.name);
        sv_free(f.wkb);
        return sv_error(ctx, SV_ERR_NOMEM, "out of memory");
    }
    fs->items[fs->n++] = f;
    return SV_OK;
}

/* The sites of a siting run, transformed to the analysis CRS when the siting ran in another. */
static sv_status add_sites(sv_ctx *ctx, sv_geos *h, const sv_plan_opts *p, int epsg, sv_featureset *fs,
                           sv_plan_info *info)
{
    char path[4096], run[32] = "";
    snprintf(path, sizeof path, "%s", p->add_sites);
    char *colon = strrchr(path, ':');
    if (colon && colon[1] && strspn(colon + 1, "0123456789") == strlen(colon + 1) && !file_exists(path)) {
        snprintf(run, sizeof run, "%s", colon + 1);
        *colon = 0;
    }
    sv_store_reader *rd = NULL;
    sv_status rc = as_usage(ctx, sv_store_open_read(ctx, path, &rd), "--add-sites", p->add_sites);
    site_list l = {0};
    const char *names[] = {"run"};
    const char *vals[] = {run[0] ? run : NULL};
    if (rc == SV_OK)
        rc = sv_store_read(ctx, rd,
                           "SELECT candidate_id, printf('%!.17g', X(geom)), printf('%!.17g', Y(geom)), SRID(geom)"
                           " FROM sites WHERE site_run_id = coalesce(CAST(:run AS INTEGER), (SELECT max(site_run_id)"
                           " FROM sites)) AND geom IS NOT NULL ORDER BY rank",
                           names, vals, 1, read_site, &l);
    sv_store_close_read(rd);
    if (rc == SV_OK && l.failed)
        rc = sv_error(ctx, SV_ERR_NOMEM, "out of memory");
    if (rc != SV_OK && rc != SV_ERR_USAGE)
        rc = as_usage(ctx, rc, "--add-sites", p->add_sites);
    if (rc == SV_OK && l.n == 0)
        rc = sv_error(ctx, SV_ERR_USAGE, "--add-sites %s: %s holds no chosen site%s%s; give a database written by "
                      "'svcov site' (and the number of one of its site_runs)", p->add_sites, path,
                      run[0] ? sv_tr(sv_ctx_lang(ctx), " of siting run ") : "", run);
    /* one siting run is in one CRS */
    if (rc == SV_OK && l.srid[0] > 0)
        rc = as_usage(ctx, sv_crs_transform_xy(ctx, l.srid[0], epsg, l.x, l.y, l.n), "--add-sites", p->add_sites);
    size_t before = fs->n;
    for (size_t i = 0; rc == SV_OK && i < l.n; i++)
        rc = taken_id(fs, before, l.ids[i]) ? already_station(ctx, "--add-sites", p->add_sites, l.ids[i])
                                            : append_site(ctx, h, fs, l.ids[i], l.x[i], l.y[i]);
    if (rc == SV_OK)
        info->n_added += l.n;
    site_list_free(&l);
    return rc;
}

sv_status sv_plan_apply(sv_ctx *ctx, sv_geos *h, const sv_plan_opts *p, const sv_source_opts *stations, int epsg,
                        sv_featureset *fs, sv_plan_info *info)
{
    memset(info, 0, sizeof *info);
    sv_status rc = SV_OK;
    if (p->remove_stations)
        rc = remove_stations(ctx, p, stations, fs, info);
    if (rc == SV_OK && p->add_stations)
        rc = add_stations(ctx, p, stations, epsg, fs, info);
    if (rc == SV_OK && p->add_sites)
        rc = add_sites(ctx, h, p, epsg, fs, info);
    return rc;
}
