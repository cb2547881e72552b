/* poster.c - the friendly map (友好地图): one printable poster per compound
 * with the stations and friendly merchants within the largest break from
 * its entrance (along the streets of a network analysis, else in a straight
 * line), numbered by walking time, a list beside the map in the same order,
 * service icons, a legend, the data's date and an optional QR code.
 *
 * Reading: the result database through sv_store.h (geometry as WKT), the
 * streets, merchants and compounds through sv_io.h; walking times through
 * the engine's network search (sv_network.h); drawing through adapters/render.h;
 * the QR code through sv_qr.h. Layout and labels: poster_layout.c. */
#include "output/poster_layout.h"

#include "adapters/qr.h"
#include "adapters/render.h"

#include "svcov/sv_network.h"
#include "svcov/sv_store.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- the services words ---- */

/* The words of each icon (matched anywhere in a services item, any case): English, Chinese and the OpenStreetMap
 * amenity values that say the same. README.md lists them. */
static const char *const icon_words[SV_POSTER_ICON_OTHER][24] = {
    [SV_POSTER_ICON_WATER] = {"water", "drinking", "热水", "开水", "饮水", "喝水", "饮用水", "茶水", "水", NULL},
    [SV_POSTER_ICON_CHARGING] = {"charg", "battery", "power", "充电", "换电", "电池", NULL},
    [SV_POSTER_ICON_MICROWAVE] = {"microwave", "heat food", "heating", "微波", "加热", "热饭", NULL},
    [SV_POSTER_ICON_REST] = {"rest", "seat", "bench", "shelter", "lounge", "sofa", "休息", "座椅", "歇脚", "驿站",
                             "桌椅", NULL},
    [SV_POSTER_ICON_FIRST_AID] = {"first aid", "first_aid", "firstaid", "medic", "pharmac", "defibrillator",
                                  "clinic", "doctor", "hospital", "急救", "药箱", "医药", "医疗", "药品", NULL},
    [SV_POSTER_ICON_TOILET] = {"toilet", "wc", "restroom", "lavator", "厕所", "卫生间", "洗手间", "公厕", NULL},
};

static int contains_ci(const char *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (strncasecmp(hay + i, needle, k) == 0)
            return 1;
    return 0;
}

/* Separators: ASCII ; , / | + and newline, and the Chinese 、 ， ； */
static size_t separator_len(const char *s)
{
    if (*s == ';' || *s == ',' || *s == '/' || *s == '|' || *s == '+' || *s == '\n')
        return 1;
    if (strncmp(s, "、", 3) == 0 || strncmp(s, "，", 3) == 0 || strncmp(s, "；", 3) == 0)
        return 3;
    return 0;
}

static unsigned item_icons(const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (!n)
        return 0;
    unsigned bits = 0;
    for (int k = 0; k < SV_POSTER_ICON_OTHER; k++)
        for (const char *const *w = icon_words[k]; *w; w++)
            /* a plain "rest" inside "restaurant" is a restaurant, not a rest place */
            if (contains_ci(s, n, *w) && !(k == SV_POSTER_ICON_REST && strcmp(*w, "rest") == 0 &&
                                           (contains_ci(s, n, "restaurant") || contains_ci(s, n, "restroom")))) {
                bits |= 1u << k;
                break;
            }
    return bits ? bits : 1u << SV_POSTER_ICON_OTHER;
}

unsigned sv_poster_parse_services(const char *text)
{
    unsigned bits = 0;
    if (!text)
        return 0;
    const char *start = text;
    for (const char *s = text;; ) {
        size_t sep = *s ? separator_len(s) : 1;
        if (sep || !*s) {
            bits |= item_icons(start, (size_t)(s - start));
            if (!*s)
                break;
            s += sep;
            start = s;
        } else
            s++;
    }
    return bits;
}

/* ---- loading ---- */

static void shape_free(pst_shape *s)
{
    sv_free(s->xy);
    sv_free(s->starts);
    memset(s, 0, sizeof *s);
}

static void warnf(const sv_poster *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warnf(const sv_poster *p, const char *fmt, ...)
{
    if (!p->warn)
        return;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, sv_tr(p->lang, fmt), ap); /* in the poster's language (the command's) */
    va_end(ap);
    p->warn(p->warn_ud, buf);
}

static int col(int ncol, const char *const *names, const char *want)
{
    for (int i = 0; i < ncol; i++)
        if (strcmp(names[i], want) == 0)
            return i;
    return -1;
}

static double num(const char *v)
{
    return v ? strtod(v, NULL) : NAN;
}

static sv_status query(sv_poster *p, const char *sql, sv_row_fn fn, void *ud)
{
    p->st_read = SV_OK;
    sv_status st = sv_store_read(p->ctx, p->rd, sql, NULL, NULL, 0, fn, ud);
    if (st == SV_OK && p->st_read != SV_OK)
        st = sv_error(p->ctx, p->st_read, "out of memory reading %s", sv_store_reader_path(p->rd));
    return st;
}

static int stop_nomem(sv_poster *p)
{
    p->st_read = SV_ERR_NOMEM;
    return 1;
}

static int read_run(void *ud, int ncol, const char *const *names, const char *const *v)
{
    sv_poster *p = ud;
    if (!v)
        return 0;
    int i;
    if ((i = col(ncol, names, "finished_utc")) >= 0 && v[i])
        snprintf(p->finished, sizeof p->finished, "%s", v[i]);
    if ((i = col(ncol, names, "mode")) >= 0 && v[i])
        snprintf(p->mode_name, sizeof p->mode_name, "%s", v[i]);
    if ((i = col(ncol, names, "method")) >= 0 && v[i])
        p->network_run = strcmp(v[i], "network") == 0;
    if ((i = col(ncol, names, "network_path")) >= 0 && v[i])
        p->run_network = sv_strdup(v[i]);
    if ((i = col(ncol, names, "speeds_path")) >= 0 && v[i])
        p->run_speeds = sv_strdup(v[i]);
    if ((i = col(ncol, names, "snap")) >= 0 && v[i])
        p->snap = strcmp(v[i], "node") == 0 ? SV_SNAP_NODE : SV_SNAP_EDGE;
    if ((i = col(ncol, names, "access_legs")) >= 0 && v[i])
        p->access_legs = atoi(v[i]);
    if ((i = col(ncol, names, "max_snap_m")) >= 0 && v[i])
        p->max_snap_m = num(v[i]);
    if ((i = col(ncol, names, "trim_m")) >= 0 && v[i])
        p->trim_m = num(v[i]);
    if ((i = col(ncol, names, "crs_epsg")) >= 0 && v[i])
        p->srid = atoi(v[i]);
    if ((i = col(ncol, names, "input_coords")) >= 0 && v[i]) {
        const char *n = strstr(v[i], "network=");
        char sys[16] = "";
        if (n && sscanf(n + 8, "%15[^,]", sys) == 1 && sv_coords_parse(sys, &p->network_coords) != 0)
            p->network_coords = SV_COORDS_WGS84;
    }
    return 0;
}

static int read_break(void *ud, int ncol, const char *const *names, const char *const *v)
{
    (void)names;
    sv_poster *p = ud;
    if (!v || ncol < 3)
        return 0;
    pst_break *b = sv_realloc(p->brks, (p->nb + 1) * sizeof *b);
    if (!b)
        return stop_nomem(p);
    p->brks = b;
    b = &p->brks[p->nb++];
    snprintf(b->mode, sizeof b->mode, "%s", v[0] ? v[0] : "");
    b->minutes = v[1] ? strtod(v[1], NULL) : NAN;
    b->radius = num(v[2]);
    return 0;
}

static int add_compound(sv_poster *p, const char *id, const char *name, sv_geom *g)
{
    pst_compound *c = sv_realloc(p->cmp, (p->ncmp + 1) * sizeof *c);
    if (!c) {
        sv_geom_destroy(p->h, g);
        return -1;
    }
    p->cmp = c;
    c = &p->cmp[p->ncmp];
    c->id = sv_strdup(id);
    c->name = sv_strdup(name && *name ? name : id);
    c->g = g;
    if (!c->id || !c->name) {
        sv_free(c->id);
        sv_free(c->name);
        sv_geom_destroy(p->h, g);
        return -1;
    }
    p->ncmp++;
    return 0;
}

static int read_district(void *ud, int ncol, const char *const *names, const char *const *v)
{
    (void)names;
    sv_poster *p = ud;
    if (!v || ncol < 3 || !v[0] || !v[2])
        return 0;
    sv_geom *g = sv_geom_from_wkt(p->h, v[2]);
    if (!g)
        return 0; /* an unreadable polygon is no compound */
    return add_compound(p, v[0], v[1], g) == 0 ? 0 : stop_nomem(p);
}

static int add_place(sv_poster *p, int merchant, const char *id, const char *name, const char *services,
                     const char *hours, double x, double y)
{
    if (sv_grow(&p->pl, &p->capl, p->npl + 1, sizeof *p->pl, 256) != 0)
        return -1;
    pst_place *q = &p->pl[p->npl];
    memset(q, 0, sizeof *q);
    q->merchant = merchant;
    q->id = sv_strdup(id);
    q->name = sv_strdup(name && *name ? name : id);
    q->services = sv_strdup(services);
    q->hours = sv_strdup(hours);
    q->x = x;
    q->y = y;
    q->icons = sv_poster_parse_services(services);
    if (!q->id || !q->name || (services && !q->services) || (hours && !q->hours)) {
        sv_free(q->id);
        sv_free(q->name);
        sv_free(q->services);
        sv_free(q->hours);
        return -1;
    }
    p->npl++;
    return 0;
}

/* station_id, name, category, services, opening_hours, x, y */
static int read_station(void *ud, int ncol, const char *const *names, const char *const *v)
{
    (void)names;
    sv_poster *p = ud;
    if (!v || ncol < 7 || !v[0] || !v[5] || !v[6])
        return 0;
    /* the services field when the stations had one, else the category (e.g. OSM's amenity) */
    const char *services = v[3] ? v[3] : v[2];
    return add_place(p, 0, v[0], v[1], services, v[4], num(v[5]), num(v[6])) == 0 ? 0 : stop_nomem(p);
}

static int read_xy(void *ud, int ncol, const char *const *names, const char *const *v)
{
    (void)names;
    double *xy = ud;
    if (v && ncol >= 2 && v[0] && v[1]) {
        xy[0] = num(v[0]);
        xy[1] = num(v[1]);
    }
    return 0;
}

/* 1 when the database has the table (0 also when the query fails: the caller's next query says why). */
static int has_table(sv_poster *p, const char *name)
{
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT count(*), 0 FROM sqlite_master WHERE type IN ('table', 'view') AND name = '%s'",
             name); /* names of svcov's own tables only */
    double xy[2] = {0, 0};
    return query(p, sql, read_xy, xy) == SV_OK && xy[0] > 0;
}

/* lon/lat (WGS 84) to the analysis CRS, by SpatiaLite's ST_Transform (PROJ) on the read handle. */
static sv_status to_analysis(sv_poster *p, const char *option, double lon, double lat, double *x, double *y)
{
    if (!(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90))
        return sv_error(p->ctx, SV_ERR_USAGE, "%s %.7g,%.7g: not a lon/lat (give LON,LAT in degrees, WGS 84, e.g. "
                        "113.95,22.54)", option, lon, lat);
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT ST_X(t), ST_Y(t) FROM (SELECT ST_Transform(MakePoint(%.10f, %.10f, 4326), %d)"
             " AS t)", lon, lat, p->srid);
    double xy[2] = {NAN, NAN};
    sv_status st = query(p, sql, read_xy, xy);
    if (st != SV_OK)
        return st;
    if (!isfinite(xy[0]) || !isfinite(xy[1]))
        return sv_error(p->ctx, SV_ERR_USAGE, "%s %.7g,%.7g: cannot be put into the analysis CRS (EPSG:%d)", option,
                        lon, lat, p->srid);
    *x = xy[0];
    *y = xy[1];
    return SV_OK;
}

/* A feature's point: itself, or a point on its surface. */
static int feature_xy(sv_geos *h, const sv_feature *f, double *x, double *y)
{
    sv_geom *g = sv_geom_from_wkb(h, f->wkb, f->wkb_len);
    if (!g)
        return -1;
    int rc = sv_geom_point_xy(h, g, x, y);
    if (rc != 0) {
        sv_geom *q = sv_geom_point_on_surface(h, g);
        rc = q ? sv_geom_point_xy(h, q, x, y) : -1;
        sv_geom_destroy(h, q);
    }
    sv_geom_destroy(h, g);
    return rc;
}

static sv_status read_layer(sv_poster *p, const sv_source_opts *o, sv_role role, sv_featureset *fs)
{
    sv_source *src = NULL;
    sv_status st = sv_source_open(p->ctx, o, role, &src);
    if (st == SV_OK)
        st = sv_source_project(p->ctx, src, p->srid, fs);
    sv_source_close(src);
    return st;
}

static sv_status load_merchants(sv_poster *p, const sv_source_opts *o)
{
    sv_featureset fs = {0};
    sv_status st = read_layer(p, o, SV_ROLE_MERCHANTS, &fs);
    for (size_t i = 0; i < fs.n && st == SV_OK; i++) {
        double x, y;
        if (feature_xy(p->h, &fs.items[i], &x, &y) != 0)
            continue;
        if (add_place(p, 1, fs.items[i].id, fs.items[i].name, fs.items[i].services, fs.items[i].hours, x, y) != 0)
            st = sv_error(p->ctx, SV_ERR_NOMEM, "out of memory");
        else
            p->n_merchants++;
    }
    sv_featureset_free(&fs);
    return st;
}

static int compound_cmp(const void *a, const void *b)
{
    return strcmp(((const pst_compound *)a)->id, ((const pst_compound *)b)->id);
}

static sv_status load_compounds(sv_poster *p, const sv_source_opts *o)
{
    sv_featureset fs = {0};
    sv_status st = read_layer(p, o, SV_ROLE_DISTRICTS, &fs);
    for (size_t i = 0; i < fs.n && st == SV_OK; i++) {
        sv_geom *g = sv_geom_from_wkb(p->h, fs.items[i].wkb, fs.items[i].wkb_len);
        int repaired = 0;
        sv_geom *v = g ? sv_geom_make_valid_polygonal(p->h, g, &repaired) : NULL;
        sv_geom_destroy(p->h, g);
        if (!v || sv_geom_is_empty(p->h, v)) {
            sv_geom_destroy(p->h, v);
            continue;
        }
        if (add_compound(p, fs.items[i].id, fs.items[i].name, v) != 0)
            st = sv_error(p->ctx, SV_ERR_NOMEM, "out of memory");
    }
    if (st == SV_OK && p->ncmp == 0)
        st = sv_error(p->ctx, SV_ERR_DATA, "%s: no compound polygon to draw a poster for", o->spec);
    sv_featureset_free(&fs);
    return st;
}

/* The streets of a network analysis, rebuilt once for every poster. */
static sv_status load_network(sv_poster *p, const char *spec)
{
    sv_status st = sv_travel_mode_load(p->ctx, p->mode_name[0] ? p->mode_name : "walk", p->run_speeds, &p->mode);
    if (st != SV_OK)
        return st;
    sv_source_opts o = {0};
    o.spec = spec;
    o.coords = p->network_coords;
    sv_featureset fs = {0};
    st = read_layer(p, &o, SV_ROLE_NETWORK, &fs);
    if (st != SV_OK) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", sv_ctx_errmsg(p->ctx));
        sv_featureset_free(&fs);
        return sv_error(p->ctx, st == SV_ERR_USAGE ? SV_ERR_USAGE : SV_ERR_INPUT,
                        "the streets of the analysis: %s (walking times need them; give --network PATH[:LAYER] "
                        "when the file has moved)", msg);
    }
    st = sv_network_build(p->ctx, &fs, &p->mode, &p->net);
    sv_featureset_free(&fs);
    if (st == SV_OK)
        st = sv_labels_init(&p->lab, p->net);
    if (st != SV_OK)
        return st;
    /* every place attached once, as analyze attached the stations */
    double *xs = sv_malloc((p->npl ? p->npl : 1) * sizeof *xs), *ys = sv_malloc((p->npl ? p->npl : 1) * sizeof *ys);
    sv_attach *at = sv_calloc(p->npl ? p->npl : 1, sizeof *at);
    if (!xs || !ys || !at) {
        sv_free(xs);
        sv_free(ys);
        sv_free(at);
        return sv_error(p->ctx, SV_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < p->npl; i++) {
        xs[i] = p->pl[i].x;
        ys[i] = p->pl[i].y;
    }
    st = p->npl ? sv_network_attach(p->ctx, p->net, xs, ys, p->npl, p->snap, p->max_snap_m, at) : SV_OK;
    for (size_t i = 0; i < p->npl && st == SV_OK; i++)
        p->pl[i].at = at[i];
    sv_free(xs);
    sv_free(ys);
    sv_free(at);
    p->kind = isnan(p->brks[p->nb - 1].minutes) ? SV_COST_LENGTH : SV_COST_TIME;
    return st;
}

sv_status sv_poster_load(sv_ctx *ctx, const char *db_path, const sv_poster_options *opt, sv_poster **out)
{
    *out = NULL;
    sv_poster *p = sv_calloc(1, sizeof *p);
    if (!p)
        return sv_error(ctx, SV_ERR_NOMEM, "out of memory");
    p->ctx = ctx;
    p->snap = SV_SNAP_EDGE;
    p->access_legs = 1;
    p->max_snap_m = 500;
    p->trim_m = 50;
    sv_poster_options o0 = {0};
    const sv_poster_options *o = opt ? opt : &o0;
    p->lang = o->lang;
    p->paper = o->paper;
    p->landscape = o->landscape;
    p->dpi = o->dpi > 0 ? o->dpi : 150;
    p->warn = o->warn;
    p->warn_ud = o->warn_ud;
    char font[512];
    snprintf(font, sizeof font, "%s%sNoto Sans CJK SC, DejaVu Sans, sans-serif", o->font ? o->font : "",
             o->font ? ", " : "");
    p->font = sv_strdup(font);
    p->h = sv_geos_create();
    sv_status st = SV_OK;
    if (!p->font || !p->h) {
        st = sv_error(ctx, SV_ERR_NOMEM, "out of memory");
        goto done;
    }
    if (o->font && !sv_canvas_font_exists(o->font)) {
        st = sv_error(ctx, SV_ERR_USAGE, "--font '%s': fontconfig knows no such font family (see fc-list : family)",
                      o->font);
        goto done;
    }
    /* the QR code first: a link too long is a usage error before anything is read */
    if (o->qr_url) {
        double side = poster_qr_side(p);
        /* modules at least 0.5 mm (1.42 pt) with the 4-module quiet zone on each side */
        int max_w = (int)floor(side / 1.42) - 8;
        if ((st = sv_qr_encode(ctx, "--qr-url", o->qr_url, max_w, &p->qr, &p->qr_w)) != SV_OK)
            goto done;
        p->qr_url = sv_strdup(o->qr_url);
    }
    if ((st = sv_store_open_read(ctx, db_path, &p->rd)) != SV_OK)
        goto done;
    static const char *const need[] = {"districts", "stations", "district_coverage", "runs"};
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
        if (!has_table(p, need[i])) {
            st = sv_error(ctx, SV_ERR_INPUT, "%s has no table '%s': it was written by an older or another program; "
                          "rerun 'svcov analyze' to rebuild it", db_path, need[i]);
            goto done;
        }
    p->srid = sv_store_db_srid(db_path);
    if ((st = query(p, "SELECT * FROM runs ORDER BY rowid DESC LIMIT 1", read_run, p)) != SV_OK)
        goto done;
    if (p->srid <= 0) {
        st = sv_error(ctx, SV_ERR_INPUT, "%s: the analysis CRS is unknown (no runs row); rerun 'svcov analyze'",
                      db_path);
        goto done;
    }
    if ((st = query(p, "SELECT DISTINCT mode, minutes, radius_m FROM district_coverage ORDER BY radius_m", read_break,
                    p)) != SV_OK)
        goto done;
    if (p->nb == 0) {
        st = sv_error(ctx, SV_ERR_DATA, "%s: no breaks in district_coverage; there is nothing to put on a poster",
                      db_path);
        goto done;
    }
    if (o->compounds)
        st = load_compounds(p, o->compounds);
    else
        st = query(p, "SELECT district_id, district_name, ST_AsText(geom) FROM districts ORDER BY district_id",
                   read_district, p);
    if (st != SV_OK)
        goto done;
    qsort(p->cmp, p->ncmp, sizeof *p->cmp, compound_cmp);
    st = query(p, has_table(p, "station_services")
                      ? "SELECT s.station_id, s.name, s.category, v.services, v.opening_hours, ST_X(s.geom),"
                        " ST_Y(s.geom) FROM stations s LEFT JOIN station_services v ON v.station_id = s.station_id"
                        " ORDER BY s.station_id"
                      : "SELECT station_id, name, category, NULL, NULL, ST_X(geom), ST_Y(geom) FROM stations"
                        " ORDER BY station_id",
               read_station, p);
    if (st != SV_OK)
        goto done;
    p->n_stations = p->npl;
    if (o->merchants && (st = load_merchants(p, o->merchants)) != SV_OK)
        goto done;
    if (has_table(p, "roads")) { /* every table is created: the roads are there when it has rows */
        double xy[2] = {0, 0};
        if ((st = query(p, "SELECT count(*), 0 FROM (SELECT 1 FROM roads LIMIT 1)", read_xy, xy)) != SV_OK)
            goto done;
        p->has_roads = xy[0] > 0;
    }
    if (p->network_run || o->network) {
        const char *spec = o->network ? o->network : p->run_network;
        if (!spec) {
            st = sv_error(ctx, SV_ERR_INPUT, "%s: a network analysis without its network path in runs; give "
                          "--network PATH[:LAYER]", db_path);
            goto done;
        }
        if ((st = load_network(p, spec)) != SV_OK)
            goto done;
    }
done:
    if (st != SV_OK) {
        sv_poster_destroy(p);
        return st;
    }
    *out = p;
    return SV_OK;
}

void sv_poster_destroy(sv_poster *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->ncmp; i++) {
        sv_free(p->cmp[i].id);
        sv_free(p->cmp[i].name);
        sv_geom_destroy(p->h, p->cmp[i].g);
    }
    sv_free(p->cmp);
    for (size_t i = 0; i < p->npl; i++) {
        sv_free(p->pl[i].id);
        sv_free(p->pl[i].name);
        sv_free(p->pl[i].services);
        sv_free(p->pl[i].hours);
    }
    sv_free(p->pl);
    sv_free(p->brks);
    sv_free(p->out);
    sv_free(p->run_network);
    sv_free(p->run_speeds);
    sv_free(p->font);
    sv_free(p->qr_url);
    sv_free(p->qr);
    sv_labels_free(&p->lab);
    sv_network_destroy(p->net);
    sv_store_close_read(p->rd);
    sv_geos_destroy(p->h);
    sv_free(p);
}

size_t sv_poster_compound_count(const sv_poster *p)
{
    return p ? p->ncmp : 0;
}

const char *sv_poster_compound_id(const sv_poster *p, size_t i)
{
    return p && i < p->ncmp ? p->cmp[i].id : NULL;
}

sv_status sv_poster_find(sv_ctx *ctx, const sv_poster *p, const char *id, size_t *index)
{
    for (size_t i = 0; i < p->ncmp; i++)
        if (strcmp(p->cmp[i].id, id) == 0) {
            *index = i;
            return SV_OK;
        }
    char some[512] = "";
    for (size_t i = 0; i < p->ncmp && i < 8; i++)
        snprintf(some + strlen(some), sizeof some - strlen(some), "%s%s", i ? ", " : "", p->cmp[i].id);
    return sv_error(ctx, SV_ERR_USAGE, "--district %s: no such compound among the %zu there are (e.g. %s%s)", id,
                    p->ncmp, some, p->ncmp > 8 ? ", ..." : "");
}

/* ---- walking times ---- */

static int place_cmp(const void *a, const void *b)
{
    const sv_poster_place *x = a, *y = b;
    if (x->minutes != y->minutes)
        return x->minutes < y->minutes ? -1 : 1;
    if (x->merchant != y->merchant)
        return x->merchant - y->merchant;
    return strcmp(x->id, y->id);
}

/* Minutes and metres from the entrance to every place; 1 when along the streets. */
static int reach(sv_poster *p, double ex, double ey, sv_attach *ea, double *cost_min, double *metres)
{
    const pst_break *big = &p->brks[p->nb - 1];
    int along = 0;
    if (p->net) {
        sv_network_attach(p->ctx, p->net, &ex, &ey, 1, p->snap, p->max_snap_m, ea);
        if (!ea->ok)
            warnf(p, "the entrance lies farther than %g m (--max-snap of the analysis) from any street the mode may "
                  "use: distances on this poster are in a straight line", p->max_snap_m);
    }
    if (p->net && ea->ok) {
        p->acc = !p->access_legs ? 0 : p->kind == SV_COST_LENGTH ? ea->snap_m : ea->snap_m / (p->mode.access_kmh / 3.6);
        p->acc_len = p->access_legs ? ea->snap_m : 0;
        if (sv_network_dijkstra(p->net, p->kind, ea, &p->acc, &p->acc_len, 1, INFINITY, &p->lab) == SV_OK) {
            along = 1;
            for (size_t i = 0; i < p->npl; i++) {
                const pst_place *q = &p->pl[i];
                double len = INFINITY, c = INFINITY;
                int which = -1;
                if (q->at.ok)
                    c = sv_network_point_cost(p->net, p->kind, &p->lab, ea, &p->acc, &p->acc_len, 1, &q->at, &len,
                                              &which);
                if (isfinite(c) && p->access_legs) {
                    c += p->kind == SV_COST_LENGTH ? q->at.snap_m : q->at.snap_m / (p->mode.access_kmh / 3.6);
                    len += q->at.snap_m;
                }
                metres[i] = len;
                cost_min[i] = p->kind == SV_COST_TIME ? c / 60.0 : len / (p->mode.default_kmh / 3.6) / 60.0;
            }
        }
    }
    if (!along)
        for (size_t i = 0; i < p->npl; i++) {
            double d = hypot(p->pl[i].x - ex, p->pl[i].y - ey);
            metres[i] = d;
            /* a time break's own pace (speed / detour), else walking at 5 km/h */
            cost_min[i] = isnan(big->minutes) ? d / (5.0 / 3.6) / 60.0 : d * big->minutes / big->radius;
        }
    return along;
}

/* ---- one poster ---- */

sv_status sv_poster_render(sv_ctx *ctx, sv_poster *p, const sv_poster_target *t, sv_canvas_format fmt,
                           const char *path, sv_poster_result *res)
{
    p->ctx = ctx;
    sv_status st = SV_OK;
    double ex = 0, ey = 0;
    sv_geom *area = NULL;
    const char *name = t->name;
    pst_view v = {0};
    if (t->compound >= 0) {
        if ((size_t)t->compound >= p->ncmp)
            return sv_error(ctx, SV_ERR_INTERNAL, "no compound %ld", t->compound);
        area = p->cmp[t->compound].g;
        if (!name)
            name = p->cmp[t->compound].name;
        v.compound_id = p->cmp[t->compound].id;
    } else if ((st = to_analysis(p, "--at", t->at_lon, t->at_lat, &ex, &ey)) != SV_OK) {
        return st;
    }
    if (!name)
        name = sv_tr(p->lang, "This place");
    if (t->has_entrance) {
        if ((st = to_analysis(p, "--entrance", t->ent_lon, t->ent_lat, &ex, &ey)) != SV_OK)
            return st;
    } else if (area) {
        sv_geom *c = sv_geom_centroid(p->h, area);
        sv_prep *pr = c ? sv_prep_create(p->h, area) : NULL;
        if (c && pr && !sv_prep_contains(p->h, pr, c)) { /* a crescent: its centroid is outside */
            sv_geom_destroy(p->h, c);
            c = sv_geom_point_on_surface(p->h, area);
        }
        sv_prep_destroy(p->h, pr);
        int rc = c ? sv_geom_point_xy(p->h, c, &ex, &ey) : -1;
        sv_geom_destroy(p->h, c);
        if (rc != 0)
            return sv_error(ctx, SV_ERR_GEOM, "compound %s: no centre to walk from: %s", v.compound_id,
                            sv_geos_errmsg(p->h));
    }
    double *cost = sv_malloc((p->npl ? p->npl : 1) * sizeof *cost), *metres = sv_malloc((p->npl ? p->npl : 1) * sizeof *metres);
    sv_free(p->out);
    p->out = sv_calloc(p->npl ? p->npl : 1, sizeof *p->out);
    if (!cost || !metres || !p->out) {
        sv_free(cost);
        sv_free(metres);
        return sv_error(ctx, SV_ERR_NOMEM, "out of memory");
    }
    sv_attach ea = {0};
    int along = reach(p, ex, ey, &ea, cost, metres);
    const pst_break *big = &p->brks[p->nb - 1];
    double max_min = isnan(big->minutes) ? big->radius / (5.0 / 3.6) / 60.0 : big->minutes;
    size_t n = 0;
    for (size_t i = 0; i < p->npl; i++) {
        int within = isfinite(cost[i]) && (along ? (p->kind == SV_COST_TIME ? cost[i] <= big->minutes + 1e-9
                                                                              : metres[i] <= big->radius + 1e-9)
                                                 : metres[i] <= big->radius + 1e-9);
        if (!within)
            continue;
        sv_poster_place *o = &p->out[n++];
        o->merchant = p->pl[i].merchant;
        o->id = p->pl[i].id;
        o->name = p->pl[i].name;
        o->services = p->pl[i].services;
        o->hours = p->pl[i].hours;
        o->icons = p->pl[i].icons;
        o->minutes = cost[i];
        o->metres = metres[i];
        o->src = i;
    }
    qsort(p->out, n, sizeof *p->out, place_cmp);
    size_t n_st_in = 0;
    for (size_t i = 0; i < n; i++)
        n_st_in += !p->out[i].merchant;
    int none = n_st_in == 0;
    if (none) { /* no station within reach: name the nearest one (first in the list) */
        size_t best = SIZE_MAX;
        for (size_t i = 0; i < p->n_stations; i++)
            if (isfinite(cost[i]) && (best == SIZE_MAX || cost[i] < cost[best]))
                best = i;
        if (best != SIZE_MAX) {
            memmove(p->out + 1, p->out, n * sizeof *p->out);
            sv_poster_place *o = &p->out[0];
            memset(o, 0, sizeof *o);
            o->id = p->pl[best].id;
            o->name = p->pl[best].name;
            o->services = p->pl[best].services;
            o->hours = p->pl[best].hours;
            o->icons = p->pl[best].icons;
            o->minutes = cost[best];
            o->metres = metres[best];
            o->src = best;
            n++;
        }
    }
    sv_free(cost);
    sv_free(metres);

    v.p = p;
    v.places = p->out;
    v.n = n;
    v.none_in_reach = none;
    v.along = along;
    v.ex = ex;
    v.ey = ey;
    v.entrance_attach = ea;
    v.area = area;
    v.name = name;
    v.max_minutes = max_min;
    v.max_metres = big->radius;
    st = poster_draw(ctx, &v, fmt, path);
    if (st == SV_OK && res) {
        memset(res, 0, sizeof *res);
        res->places = p->out;
        res->n_places = n;
        res->n_listed = v.n_listed;
        for (size_t i = v.n_listed; i < n; i++) {
            if (p->out[i].merchant)
                res->n_more_merchants++;
            else
                res->n_more_stations++;
        }
        res->none_in_reach = none;
        res->along_streets = along;
        res->max_minutes = max_min;
        res->max_metres = big->radius;
        snprintf(res->title, sizeof res->title, "%s", v.title);
    }
    return st;
}

/* The isochrones from the entrance: the streets reached within each break widened by the analysis's --trim, or
 * circles. The caller destroys them. */
sv_geom *poster_reach_area(pst_view *v, size_t b)
{
    sv_poster *p = v->p;
    const pst_break *br = &p->brks[b];
    if (v->along) {
        double budget = p->kind == SV_COST_TIME ? br->minutes * 60 : br->radius;
        double len = 0;
        sv_geom *lines = sv_network_reached(p->h, p->net, p->kind, &p->lab, &v->entrance_attach, &p->acc, 1, budget,
                                            &len);
        if (!lines)
            return NULL;
        sv_geom *a = sv_geom_is_empty(p->h, lines) ? NULL : sv_geom_buffer(p->h, lines, p->trim_m > 0 ? p->trim_m : 50, 4);
        sv_geom_destroy(p->h, lines);
        return a;
    }
    return sv_geom_circle(p->h, v->ex, v->ey, br->radius, 32);
}

/* The streets within env (the roads of a network analysis), else NULL. */
static int read_line(void *ud, int ncol, const char *const *names, const char *const *v)
{
    (void)names;
    pst_view *w = ud;
    if (!v || ncol < 1 || !v[0])
        return 0;
    sv_geom *g = sv_geom_from_wkt(w->p->h, v[0]);
    if (!g)
        return 0;
    double *xy = NULL;
    size_t *starts = NULL, np = 0;
    if (sv_geom_paths(w->p->h, g, &xy, &starts, &np) == 0 && np > 0) {
        pst_shape *s = &w->streets;
        size_t add = starts[np], old = s->nparts ? s->starts[s->nparts] : 0;
        double *nxy = sv_realloc(s->xy, 2 * (old + add + 1) * sizeof *nxy);
        if (nxy)
            s->xy = nxy;
        size_t *nst = sv_realloc(s->starts, (s->nparts + np + 1) * sizeof *nst);
        if (nst)
            s->starts = nst;
        if (nxy && nst) {
            memcpy(s->xy + 2 * old, xy, 2 * add * sizeof *xy);
            for (size_t i = 0; i < np; i++)
                s->starts[s->nparts + i] = old + starts[i];
            s->nparts += np;
            s->starts[s->nparts] = old + add;
        }
    }
    sv_free(xy);
    sv_free(starts);
    sv_geom_destroy(w->p->h, g);
    return 0;
}

sv_status poster_read_streets(pst_view *v, const sv_env *e)
{
    sv_poster *p = v->p;
    char sql[512];
    const char *table = p->has_roads ? "roads" : "districts";
    snprintf(sql, sizeof sql,
             "SELECT ST_AsText(%s) FROM %s WHERE MbrIntersects(geom, BuildMbr(%.3f, %.3f, %.3f, %.3f, %d))",
             p->has_roads ? "geom" : "ST_Boundary(geom)", table, e->xmin, e->ymin, e->xmax, e->ymax, p->srid);
    v->streets_are_roads = p->has_roads;
    return query(p, sql, read_line, v);
}

void poster_view_free(pst_view *v)
{
    shape_free(&v->streets);
}
