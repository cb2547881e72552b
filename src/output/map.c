/* map.c - printable maps: reading the layers of a result database, page
 * layout, symbols, label placement, legend, scale bar and figures. Drawing
 * goes through sv_render.h (cairo), geometry decoding through sv_geom.h
 * (GEOS), the database through sv_store.h. */
#include "svcov/sv_map.h"
#include "svcov/sv_geom.h"
#include "svcov/sv_store.h"
#include "svcov/sv_text.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define A4_W 595.28
#define A4_H 841.89

typedef struct {
    double *xy;
    size_t *starts;
    size_t nparts;
    sv_env env;
} shape;

typedef struct {
    char *id, *name;
    double area_m2;
    shape s;
    double lx, ly; /* label point */
    unsigned char *wkb; /* the polygon, for placing the name inside it */
    size_t wkb_len;
    int n_off_network; /* stations inside farther than --max-snap from a usable street (network mode) */
} district;

typedef struct {
    char *id, *name, *category;
    double x, y;
    int cat;
} station;

typedef struct {
    char mode[32];
    double minutes; /* NAN for distance breaks */
    double radius;
    char label[64];     /* a preset's name for it (breaks.label), "" none */
    char label_zh[96];  /* its Chinese name (breaks.label_zh), "" none */
} brk;

typedef struct {
    int district, brk;
    shape s;
} area;

typedef struct {
    int ok;
    double area_m2, covered_m2, covered_pct, gap_m2;
    int n_gap_parts, inside, reaching;
    double pop_total, pop_covered, pop_pct; /* NAN when absent */
} figures;

typedef struct {
    char *name;
    int count;
} category;

/* A site proposed by 'svcov site' (the latest siting run in the database). */
typedef struct {
    int rank;
    char *id;
    double x, y;
} site;

struct sv_map {
    char *db;
    sv_store_reader *rd; /* open while loading */
    char *font;
    sv_map_warn_fn warn;
    void *warn_ud;
    sv_lang lang;
    brk *brks;
    int nb;
    district *d;
    size_t nd;
    station *st;
    size_t ns;
    area *cov, *gap;
    size_t ncov, ngap;
    figures *dfig; /* nd * nb */
    figures *cfig; /* nb */
    double city_gini;
    shape roads;
    const char *roads_what; /* "roads" or "reached streets" or NULL */
    category *cats;
    int ncat;
    site *sites;
    size_t nsites;
    char site_model[64];
    char mode[32], crs[160], finished[40];
    double speed, detour;
    int network;            /* the run was along a street network */
    double max_snap;        /* its --max-snap, metres */
    long n_off_network;     /* stations farther than that from a usable street (runs.stations_unattached) */
    int has_pop;
    /* --by access: the access index per district (NAN: no demand), its class limits, the load per station */
    int by_access;
    double *acc;          /* nd */
    double acc_lim[6];    /* class k: acc_lim[k] <= v <= acc_lim[k + 1] */
    int n_acc_classes;
    double *load;         /* ns, NAN: unknown */
    double load_max, load_min;
    /* reading state */
    sv_geos *geos;
    sv_status st_read;
    sv_ctx *ctx;
    char *tables; /* ",name,name," */
};

static void warnf(const sv_map *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warnf(const sv_map *m, const char *fmt, ...)
{
    if (!m->warn)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    m->warn(m->warn_ud, msg);
}

static void shape_free(shape *s)
{
    free(s->xy);
    free(s->starts);
    memset(s, 0, sizeof *s);
}

static int has_word(const char *list, const char *w)
{
    char pat[128];
    snprintf(pat, sizeof pat, ",%s,", w);
    return list && strstr(list, pat) != NULL;
}

static double num(const char *v)
{
    return v ? strtod(v, NULL) : NAN;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Hex to bytes (NULL on a bad digit or no memory). */
static unsigned char *unhex(const char *hex, size_t *n)
{
    *n = strlen(hex) / 2;
    unsigned char *wkb = malloc(*n ? *n : 1);
    if (!wkb)
        return NULL;
    for (size_t i = 0; i < *n; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            free(wkb);
            return NULL;
        }
        wkb[i] = (unsigned char)(hi << 4 | lo);
    }
    return wkb;
}

/* Hex WKB to a shape (and optionally a label point); keep_wkb, when given, receives the WKB. */
static int decode(sv_map *m, const char *hex, shape *out, double *lx, double *ly, unsigned char **keep_wkb,
                  size_t *keep_len)
{
    memset(out, 0, sizeof *out);
    if (!hex || !*hex)
        return 1; /* NULL geometry: nothing to draw */
    size_t n;
    unsigned char *wkb = unhex(hex, &n);
    if (!wkb)
        return -1;
    sv_geom *g = sv_geom_from_wkb(m->geos, wkb, n);
    if (keep_wkb && g) {
        *keep_wkb = wkb;
        *keep_len = n;
    } else
        free(wkb);
    if (!g)
        return -1;
    int rc = sv_geom_paths(m->geos, g, &out->xy, &out->starts, &out->nparts);
    if (rc == 0 && out->nparts > 0 && sv_geom_envelope(m->geos, g, &out->env) != 0)
        rc = -1;
    if (rc == 0 && lx && ly) {
        sv_geom *p = sv_geom_point_on_surface(m->geos, g);
        if (!p || sv_geom_point_xy(m->geos, p, lx, ly) != 0) {
            *lx = (out->env.xmin + out->env.xmax) / 2;
            *ly = (out->env.ymin + out->env.ymax) / 2;
        }
        sv_geom_destroy(m->geos, p);
    }
    sv_geom_destroy(m->geos, g);
    return rc;
}

/* A row callback's allocation failure: stop the query and report it. */
static int nomem(sv_map *m)
{
    m->st_read = SV_ERR_NOMEM;
    return 1;
}

static int col(int ncol, const char *const *names, const char *want)
{
    for (int i = 0; i < ncol; i++)
        if (strcmp(names[i], want) == 0)
            return i;
    return -1;
}

/* ---- reading ---- */

static int append_word(void *ud, int ncol, const char *const *names, const char *const *v)
{
    (void)names;
    char **list = ud;
    if (!v || ncol < 1 || !v[0])
        return 0;
    size_t old = *list ? strlen(*list) : 0;
    char *p = realloc(*list, old + strlen(v[0]) + 3);
    if (!p)
        return 1;
    if (old == 0)
        strcpy(p, ",");
    strcat(p, v[0]);
    strcat(p, ",");
    *list = p;
    return 0;
}

static int read_break(void *ud, int ncol, const char *const *names, const char *const *v)
{
    (void)names;
    sv_map *m = ud;
    if (!v || ncol < 3)
        return 0;
    brk *b = realloc(m->brks, (size_t)(m->nb + 1) * sizeof *b);
    if (!b)
        return nomem(m);
    m->brks = b;
    b = &m->brks[m->nb++];
    snprintf(b->mode, sizeof b->mode, "%s", v[0] ? v[0] : "");
    b->minutes = v[1] ? strtod(v[1], NULL) : NAN;
    b->radius = num(v[2]);
    snprintf(b->label, sizeof b->label, "%s", ncol > 3 && v[3] ? v[3] : "");
    snprintf(b->label_zh, sizeof b->label_zh, "%s", ncol > 4 && v[4] ? v[4] : "");
    return 0;
}

static int read_district(void *ud, int ncol, const char *const *names, const char *const *v)
{
    (void)names;
    sv_map *m = ud;
    if (!v || ncol < 4)
        return 0;
    district *d = realloc(m->d, (m->nd + 1) * sizeof *d);
    if (!d)
        return nomem(m);
    m->d = d;
    d = &m->d[m->nd];
    memset(d, 0, sizeof *d);
    d->id = sv_strdup(v[0] ? v[0] : "");
    d->name = sv_strdup(v[1] ? v[1] : (v[0] ? v[0] : ""));
    d->area_m2 = num(v[2]);
    m->nd++;
    if (decode(m, v[3], &d->s, &d->lx, &d->ly, &d->wkb, &d->wkb_len) < 0) {
        m->st_read = sv_error(m->ctx, SV_ERR_DATA, "%s: district '%s' has a geometry that cannot be read",
                              m->db, d->id);
        return 1;
    }
    return 0;
}

static int category_index(sv_map *m, const char *name)
{
    const char *n = name && *name ? name : "(none)";
    for (int i = 0; i < m->ncat; i++)
        if (strcmp(m->cats[i].name, n) == 0) {
            m->cats[i].count++;
            return i;
        }
    category *c = realloc(m->cats, (size_t)(m->ncat + 1) * sizeof *c);
    if (!c)
        return -1;
    m->cats = c;
    m->cats[m->ncat].name = sv_strdup(n);
    m->cats[m->ncat].count = 1;
    return m->ncat++;
}

static int read_station(void *ud, int ncol, const char *const *names, const char *const *v)
{
    (void)names;
    sv_map *m = ud;
    if (!v || ncol < 5 || !v[3] || !v[4])
        return 0;
    station *s = realloc(m->st, (m->ns + 1) * sizeof *s);
    if (!s)
        return nomem(m);
    m->st = s;
    s = &m->st[m->ns++];
    s->id = sv_strdup(v[0] ? v[0] : "");
    s->name = sv_strdup(v[1] && *v[1] ? v[1] : s->id);
    s->category = sv_strdup(v[2] && *v[2] ? v[2] : "(none)");
    s->x = num(v[3]);
    s->y = num(v[4]);
    s->cat = category_index(m, v[2]);
    return s->cat < 0 || !s->id || !s->name || !s->category ? nomem(m) : 0;
}

/* The shown break with this mode and radius (-1: not shown). */
static int break_index(const sv_map *m, const char *mode, const char *radius)
{
    double r = num(radius);
    for (int i = 0; i < m->nb; i++)
        if (fabs(m->brks[i].radius - r) < 1e-6 && (!mode || strcmp(mode, m->brks[i].mode) == 0))
            return i;
    return -1;
}

static int district_index(const sv_map *m, const char *id)
{
    for (size_t i = 0; id && i < m->nd; i++)
        if (strcmp(m->d[i].id, id) == 0)
            return (int)i;
    return -1;
}

typedef struct {
    sv_map *m;
    area **arr;
    size_t *n;
    const char *what;
} area_reader;

static int read_area(void *ud, int ncol, const char *const *names, const char *const *v)
{
    (void)names;
    area_reader *ar = ud;
    sv_map *m = ar->m;
    if (!v || ncol < 5)
        return 0;
    int di = district_index(m, v[0]), bi = break_index(m, v[1], v[3]);
    if (di < 0 || bi < 0)
        return 0; /* a break not shown */
    area *a = realloc(*ar->arr, (*ar->n + 1) * sizeof *a);
    if (!a)
        return nomem(m);
    *ar->arr = a;
    a = &a[(*ar->n)++];
    a->district = di;
    a->brk = bi;
    if (decode(m, v[4], &a->s, NULL, NULL, NULL, NULL) < 0) {
        m->st_read = sv_error(m->ctx, SV_ERR_DATA, "%s: the %s polygon of district '%s' cannot be read", m->db,
                              ar->what, v[0]);
        return 1;
    }
    return 0;
}

static void fill_figures(figures *f, int ncol, const char *const *names, const char *const *v)
{
    int i;
    f->ok = 1;
    f->area_m2 = (i = col(ncol, names, "area_m2")) >= 0 ? num(v[i]) : NAN;
    f->covered_m2 = (i = col(ncol, names, "covered_m2")) >= 0 ? num(v[i]) : NAN;
    f->covered_pct = (i = col(ncol, names, "covered_pct")) >= 0 ? num(v[i]) : NAN;
    f->gap_m2 = (i = col(ncol, names, "gap_m2")) >= 0 ? num(v[i]) : NAN;
    f->n_gap_parts = (i = col(ncol, names, "n_gap_parts")) >= 0 && v[i] ? atoi(v[i]) : -1;
    f->inside = (i = col(ncol, names, "n_stations_inside")) >= 0 && v[i] ? atoi(v[i]) : -1;
    f->reaching = (i = col(ncol, names, "n_stations_reaching")) >= 0 && v[i] ? atoi(v[i]) : -1;
    if (f->reaching < 0)
        f->reaching = (i = col(ncol, names, "n_stations")) >= 0 && v[i] ? atoi(v[i]) : -1;
    f->pop_total = (i = col(ncol, names, "pop_total")) >= 0 ? num(v[i]) : NAN;
    f->pop_covered = (i = col(ncol, names, "pop_covered")) >= 0 ? num(v[i]) : NAN;
    f->pop_pct = (i = col(ncol, names, "pop_covered_pct")) >= 0 ? num(v[i]) : NAN;
}

static int read_dcov(void *ud, int ncol, const char *const *names, const char *const *v)
{
    sv_map *m = ud;
    if (!v)
        return 0;
    int id = col(ncol, names, "district_id"), mo = col(ncol, names, "mode"), ra = col(ncol, names, "radius_m");
    if (id < 0 || ra < 0)
        return 0;
    int di = district_index(m, v[id]), bi = break_index(m, mo >= 0 ? v[mo] : NULL, v[ra]);
    if (di < 0 || bi < 0)
        return 0;
    fill_figures(&m->dfig[(size_t)di * (size_t)m->nb + (size_t)bi], ncol, names, v);
    if (!isnan(m->dfig[(size_t)di * (size_t)m->nb + (size_t)bi].pop_total))
        m->has_pop = 1;
    return 0;
}

static int read_city(void *ud, int ncol, const char *const *names, const char *const *v)
{
    sv_map *m = ud;
    if (!v)
        return 0;
    int mo = col(ncol, names, "mode"), ra = col(ncol, names, "radius_m"), gi = col(ncol, names, "gini");
    if (ra < 0)
        return 0;
    int bi = break_index(m, mo >= 0 ? v[mo] : NULL, v[ra]);
    if (bi < 0)
        return 0;
    fill_figures(&m->cfig[bi], ncol, names, v);
    if (gi >= 0 && v[gi] && bi == m->nb - 1)
        m->city_gini = num(v[gi]);
    return 0;
}

static int read_run(void *ud, int ncol, const char *const *names, const char *const *v)
{
    sv_map *m = ud;
    if (!v)
        return 0;
    int i;
    if ((i = col(ncol, names, "mode")) >= 0 && v[i])
        snprintf(m->mode, sizeof m->mode, "%s", v[i]);
    if ((i = col(ncol, names, "crs_name")) >= 0 && v[i])
        snprintf(m->crs, sizeof m->crs, "%s", v[i]);
    if ((i = col(ncol, names, "finished_utc")) >= 0 && v[i])
        snprintf(m->finished, sizeof m->finished, "%s", v[i]);
    m->speed = (i = col(ncol, names, "speed_kmh")) >= 0 ? num(v[i]) : NAN;
    m->detour = (i = col(ncol, names, "detour")) >= 0 ? num(v[i]) : NAN;
    m->network = (i = col(ncol, names, "method")) >= 0 && v[i] && strcmp(v[i], "network") == 0;
    m->max_snap = (i = col(ncol, names, "max_snap_m")) >= 0 ? num(v[i]) : NAN;
    m->n_off_network = (i = col(ncol, names, "stations_unattached")) >= 0 && v[i] ? atol(v[i]) : 0;
    return 0;
}

static int read_lines(void *ud, int ncol, const char *const *names, const char *const *v)
{
    (void)names;
    sv_map *m = ud;
    if (!v || ncol < 1 || !v[0])
        return 0;
    shape s;
    if (decode(m, v[0], &s, NULL, NULL, NULL, NULL) < 0)
        return 0; /* context only: an unreadable road is left out */
    shape *r = &m->roads;
    size_t npts = s.nparts ? s.starts[s.nparts] : 0, old = r->nparts ? r->starts[r->nparts] : 0;
    double *xy = realloc(r->xy, 2 * (old + npts + 1) * sizeof *xy);
    size_t *st = realloc(r->starts, (r->nparts + s.nparts + 1) * sizeof *st);
    if (xy)
        r->xy = xy;
    if (st)
        r->starts = st;
    if (!xy || !st) {
        shape_free(&s);
        return nomem(m);
    }
    if (npts)
        memcpy(r->xy + 2 * old, s.xy, 2 * npts * sizeof *xy);
    for (size_t i = 0; i < s.nparts; i++)
        r->starts[r->nparts + i] = old + s.starts[i];
    r->nparts += s.nparts;
    r->starts[r->nparts] = old + npts;
    shape_free(&s);
    return 0;
}

static int read_off_network(void *ud, int ncol, const char *const *names, const char *const *v)
{
    (void)names;
    sv_map *m = ud;
    int di = v && ncol >= 2 ? district_index(m, v[0]) : -1;
    if (di >= 0)
        m->d[di].n_off_network = atoi(v[1] ? v[1] : "0");
    return 0;
}

static int read_site(void *ud, int ncol, const char *const *names, const char *const *v)
{
    (void)names;
    sv_map *m = ud;
    if (!v || ncol < 6 || !v[2] || !v[3])
        return 0;
    site *s = realloc(m->sites, (m->nsites + 1) * sizeof *s);
    if (!s)
        return nomem(m);
    m->sites = s;
    s = &m->sites[m->nsites++];
    s->rank = v[0] ? atoi(v[0]) : (int)m->nsites;
    s->id = sv_strdup(v[1] ? v[1] : "");
    s->x = num(v[2]);
    s->y = num(v[3]);
    if (v[4])
        snprintf(m->site_model, sizeof m->site_model, "%s%s%s", v[4], v[5] ? " k=" : "", v[5] ? v[5] : "");
    return s->id ? 0 : nomem(m);
}

static int read_access(void *ud, int ncol, const char *const *names, const char *const *v)
{
    (void)names;
    sv_map *m = ud;
    if (!v || ncol < 2)
        return 0;
    int i = district_index(m, v[0]);
    if (i >= 0)
        m->acc[i] = num(v[1]);
    return 0;
}

static int read_load(void *ud, int ncol, const char *const *names, const char *const *v)
{
    (void)names;
    sv_map *m = ud;
    if (!v || ncol < 2 || !v[0])
        return 0;
    for (size_t i = 0; i < m->ns; i++)
        if (strcmp(m->st[i].id, v[0]) == 0) {
            m->load[i] = num(v[1]);
            break;
        }
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static sv_status query(sv_map *m, const char *sql, sv_row_fn fn, void *ud);

/* The access index and the loads at the largest break drawn, and five
 * classes of the districts' index with about as many districts in each. */
static sv_status load_access(sv_ctx *ctx, sv_map *m)
{
    if (!has_word(m->tables, "district_access") || !has_word(m->tables, "station_load"))
        return sv_error(ctx, SV_ERR_DATA, "%s has no access tables: it was written by an older svcov; rerun "
                        "'svcov analyze' with --capacity-field FIELD", m->db);
    m->acc = malloc((m->nd + 1) * sizeof *m->acc);
    m->load = malloc((m->ns + 1) * sizeof *m->load);
    if (!m->acc || !m->load)
        return SV_ERR_NOMEM;
    for (size_t i = 0; i < m->nd; i++)
        m->acc[i] = NAN;
    for (size_t i = 0; i < m->ns; i++)
        m->load[i] = NAN;
    char sql[320];
    double r = m->brks[m->nb - 1].radius;
    snprintf(sql, sizeof sql, "SELECT district_id, access_index FROM district_access WHERE district_id IS NOT NULL"
             " AND abs(radius_m - %.10g) < 1e-6", r);
    sv_status st = query(m, sql, read_access, m);
    snprintf(sql, sizeof sql, "SELECT station_id, demand_per_capacity FROM station_load WHERE abs(radius_m - %.10g)"
             " < 1e-6", r);
    if (st == SV_OK)
        st = query(m, sql, read_load, m);
    if (st != SV_OK)
        return st;
    double *v = malloc((m->nd + 1) * sizeof *v);
    if (!v)
        return SV_ERR_NOMEM;
    size_t n = 0;
    for (size_t i = 0; i < m->nd; i++)
        if (isfinite(m->acc[i]))
            v[n++] = m->acc[i];
    if (n == 0) {
        free(v);
        return sv_error(ctx, SV_ERR_DATA, "%s has no access index for its districts (district_access is empty): "
                        "run 'svcov analyze' with --capacity-field FIELD and demand or people", m->db);
    }
    qsort(v, n, sizeof *v, cmp_double);
    /* quantile limits, without repeats */
    m->n_acc_classes = 0;
    m->acc_lim[0] = v[0];
    for (int k = 1; k <= 5; k++) {
        double q = v[(size_t)((double)k / 5 * (double)(n - 1) + 0.5)];
        if (q > m->acc_lim[m->n_acc_classes])
            m->acc_lim[++m->n_acc_classes] = q;
    }
    if (m->n_acc_classes == 0) /* every district alike: one class */
        m->acc_lim[++m->n_acc_classes] = v[0];
    free(v);
    m->load_max = 0;
    m->load_min = INFINITY;
    for (size_t i = 0; i < m->ns; i++)
        if (isfinite(m->load[i])) {
            m->load_max = fmax(m->load_max, m->load[i]);
            m->load_min = fmin(m->load_min, m->load[i]);
        }
    return SV_OK;
}

static sv_status query(sv_map *m, const char *sql, sv_row_fn fn, void *ud)
{
    m->st_read = SV_OK;
    sv_status st = sv_store_read(m->ctx, m->rd, sql, NULL, NULL, 0, fn, ud);
    if (st == SV_OK && m->st_read != SV_OK)
        st = m->st_read;
    return st;
}

static const char *break_label_in(sv_lang L, const brk *b, char *buf, size_t size)
{
    const char *lab = L == SV_LANG_ZH && b->label_zh[0] ? b->label_zh : b->label;
    if (lab[0])
        snprintf(buf, size, sv_tr(L, "%s (%g m)"), lab, b->radius);
    else if (!isnan(b->minutes))
        snprintf(buf, size, sv_tr(L, "%g min"), b->minutes);
    else
        snprintf(buf, size, sv_tr(L, "%g m"), b->radius);
    return buf;
}

/* In the messages of errors (English, like every diagnostic). */
static const char *break_label(const brk *b, char *buf, size_t size)
{
    return break_label_in(SV_LANG_EN, b, buf, size);
}

static sv_status select_breaks(sv_ctx *ctx, sv_map *m, const sv_map_options *opt)
{
    if (m->nb == 0 && has_word(m->tables, "site_runs"))
        return sv_error(ctx, SV_ERR_INPUT,
                        "%s holds a siting result ('svcov site --out') without a coverage analysis; map the "
                        "database of 'svcov analyze', or add the sites to it with 'svcov site --db ANALYSIS.sqlite'",
                        m->db);
    if (m->nb == 0)
        return sv_error(ctx, SV_ERR_DATA, "%s has no coverage rows (district_coverage is empty); rerun 'svcov "
                        "analyze'", m->db);
    size_t nwant = opt ? opt->n_minutes + opt->n_radii : 0;
    if (nwant == 0)
        return SV_OK;
    brk *keep = calloc(nwant, sizeof *keep);
    if (!keep)
        return SV_ERR_NOMEM;
    int nk = 0;
    for (size_t w = 0; w < nwant; w++) {
        int is_min = w < opt->n_minutes;
        double want = is_min ? opt->minutes[w] : opt->radii[w - opt->n_minutes];
        int found = -1;
        for (int i = 0; i < m->nb && found < 0; i++)
            if (is_min ? (!isnan(m->brks[i].minutes) && fabs(m->brks[i].minutes - want) < 1e-9)
                       : fabs(m->brks[i].radius - want) < 1e-6)
                found = i;
        if (found < 0) {
            char all[512] = "", lb[64];
            for (int i = 0; i < m->nb; i++)
                snprintf(all + strlen(all), sizeof all - strlen(all), "%s%s", i ? ", " : "",
                         break_label(&m->brks[i], lb, sizeof lb));
            free(keep);
            return sv_error(ctx, SV_ERR_USAGE, "%s has no break of %g %s; it holds %s", m->db, want,
                            is_min ? "minutes (--minutes)" : "metres (--radius)", all);
        }
        int dup = 0;
        for (int k = 0; k < nk; k++)
            dup |= fabs(keep[k].radius - m->brks[found].radius) < 1e-9;
        if (!dup)
            keep[nk++] = m->brks[found];
    }
    /* ascending radius */
    for (int i = 1; i < nk; i++)
        for (int j = i; j > 0 && keep[j].radius < keep[j - 1].radius; j--) {
            brk t = keep[j];
            keep[j] = keep[j - 1];
            keep[j - 1] = t;
        }
    free(m->brks);
    m->brks = keep;
    m->nb = nk;
    return SV_OK;
}

sv_status sv_map_load(sv_ctx *ctx, const char *db_path, const sv_map_options *opt, sv_map **out)
{
    *out = NULL;
    sv_store_reader *rd = NULL;
    sv_status st = sv_store_open_read(ctx, db_path, &rd);
    if (st != SV_OK)
        return st;
    sv_map *m = calloc(1, sizeof *m);
    if (!m) {
        sv_store_close_read(rd);
        return SV_ERR_NOMEM;
    }
    m->rd = rd;
    m->db = sv_strdup(db_path);
    m->ctx = ctx;
    m->city_gini = NAN;
    m->speed = m->detour = NAN;
    if (opt) {
        m->warn = opt->warn;
        m->warn_ud = opt->warn_ud;
        m->lang = opt->lang;
    }
    char font[512];
    snprintf(font, sizeof font, "%s%sNoto Sans CJK SC, DejaVu Sans, sans-serif",
             opt && opt->font ? opt->font : "", opt && opt->font ? ", " : "");
    m->font = sv_strdup(font);
    if (opt && opt->font && !sv_canvas_font_exists(opt->font)) {
        st = sv_error(ctx, SV_ERR_USAGE, "--font '%s': fontconfig knows no such font family (see fc-list : family)",
                      opt->font);
        goto done;
    }
    m->geos = sv_geos_create();
    if (!m->geos || !m->db || !m->font) {
        st = SV_ERR_NOMEM;
        goto done;
    }
    st = query(m, "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')", append_word, &m->tables);
    if (st != SV_OK)
        goto done;
    static const char *const need[] = {"districts", "stations", "coverage", "gaps", "district_coverage",
                                       "city_coverage"};
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
        if (!has_word(m->tables, need[i])) {
            st = sv_error(ctx, SV_ERR_INPUT,
                          "%s has no table '%s': it was written by an older or another program; rerun "
                          "'svcov analyze' to rebuild it",
                          db_path, need[i]);
            goto done;
        }
    st = query(m, has_word(m->tables, "breaks")
                      ? "SELECT DISTINCT c.mode, c.minutes, c.radius_m, (SELECT label FROM breaks b WHERE b.radius_m ="
                        " c.radius_m), (SELECT label_zh FROM breaks b WHERE b.radius_m = c.radius_m)"
                        " FROM district_coverage c ORDER BY c.radius_m"
                      : "SELECT DISTINCT mode, minutes, radius_m FROM district_coverage ORDER BY radius_m",
               read_break, m);
    if (st == SV_OK)
        st = select_breaks(ctx, m, opt);
    if (st == SV_OK)
        st = query(m, "SELECT district_id, district_name, area_m2, hex(ST_AsBinary(geom)) FROM districts"
                      " ORDER BY district_id", read_district, m);
    if (st != SV_OK)
        goto done;
    if (m->nd == 0) {
        st = sv_error(ctx, SV_ERR_DATA, "%s: the districts layer is empty; there is nothing to map", db_path);
        goto done;
    }
    st = query(m, "SELECT station_id, name, category, ST_X(geom), ST_Y(geom) FROM stations ORDER BY station_id",
               read_station, m);
    if (st != SV_OK)
        goto done;
    if (m->ns == 0)
        warnf(m, "%s: the stations layer is empty: every district is drawn as a gap", db_path);
    /* categories: the most common first, so the first symbols go to them */
    for (int i = 1; i < m->ncat; i++)
        for (int j = i; j > 0 && m->cats[j].count > m->cats[j - 1].count; j--) {
            category t = m->cats[j];
            m->cats[j] = m->cats[j - 1];
            m->cats[j - 1] = t;
        }
    for (size_t i = 0; i < m->ns; i++)
        for (int k = 0; k < m->ncat; k++)
            if (strcmp(m->cats[k].name, m->st[i].category) == 0)
                m->st[i].cat = k;
    area_reader ar = {m, &m->cov, &m->ncov, "coverage"};
    st = query(m, "SELECT district_id, mode, minutes, radius_m, hex(ST_AsBinary(geom)) FROM coverage", read_area,
               &ar);
    area_reader gr = {m, &m->gap, &m->ngap, "gap"};
    if (st == SV_OK)
        st = query(m, "SELECT district_id, mode, minutes, radius_m, hex(ST_AsBinary(geom)) FROM gaps", read_area,
                   &gr);
    m->dfig = calloc(m->nd * (size_t)m->nb, sizeof *m->dfig);
    m->cfig = calloc((size_t)m->nb, sizeof *m->cfig);
    if (st == SV_OK && (!m->dfig || !m->cfig))
        st = SV_ERR_NOMEM;
    if (st == SV_OK)
        st = query(m, "SELECT * FROM district_coverage", read_dcov, m);
    if (st == SV_OK)
        st = query(m, "SELECT * FROM city_coverage", read_city, m);
    if (st == SV_OK && has_word(m->tables, "runs"))
        st = query(m, "SELECT * FROM runs ORDER BY rowid DESC LIMIT 1", read_run, m);
    /* network mode: the stations inside each district that are not on the network, as 'analyze' listed them in
       issues (farther than --max-snap from a usable street) */
    if (st == SV_OK && m->network && m->n_off_network > 0 && has_word(m->tables, "issues"))
        st = query(m, "SELECT d.district_id, count(*) FROM districts d JOIN stations s ON ST_Covers(d.geom, s.geom)"
                      " WHERE s.station_id IN (SELECT i.feature_id FROM issues i JOIN (SELECT stations_path,"
                      " stations_layer FROM runs ORDER BY rowid DESC LIMIT 1) r ON i.file IS r.stations_path"
                      " AND i.layer IS r.stations_layer WHERE i.problem LIKE '%--max-snap%')"
                      " GROUP BY d.district_id", read_off_network, m);
    if (st != SV_OK)
        goto done;
    if (has_word(m->tables, "roads")) {
        st = query(m, "SELECT hex(ST_AsBinary(geom)) FROM roads", read_lines, m);
        m->roads_what = SV_N_("Roads");
    }
    if (st == SV_OK && m->roads.nparts == 0 && has_word(m->tables, "reached_streets")) {
        char sql[256];
        snprintf(sql, sizeof sql,
                 "SELECT hex(ST_AsBinary(geom)) FROM reached_streets WHERE station_id IS NULL"
                 " AND abs(radius_m - %.10g) < 1e-6",
                 m->brks[m->nb - 1].radius);
        st = query(m, sql, read_lines, m);
        m->roads_what = SV_N_("Streets reached");
    }
    if (m->roads.nparts == 0)
        m->roads_what = NULL;
    /* the sites of the latest 'svcov site --db' run, when there is one */
    if (st == SV_OK && has_word(m->tables, "sites") && has_word(m->tables, "site_runs"))
        st = query(m, "SELECT s.rank, s.candidate_id, ST_X(s.geom), ST_Y(s.geom), r.model, r.k FROM sites s"
                      " JOIN site_runs r ON r.site_run_id = s.site_run_id"
                      " WHERE s.site_run_id = (SELECT max(site_run_id) FROM sites) AND s.geom IS NOT NULL"
                      " ORDER BY s.rank", read_site, m);
    if (st == SV_OK && opt && opt->by_access) {
        m->by_access = 1;
        st = load_access(ctx, m);
    }
    if (st == SV_OK && m->ncov == 0 && m->ngap == 0 && m->ns > 0)
        st = sv_error(ctx, SV_ERR_DATA, "%s: the coverage and gaps layers are empty; rerun 'svcov analyze'",
                      db_path);
done:
    if (m->geos) {
        sv_geos_destroy(m->geos);
        m->geos = NULL;
    }
    m->ctx = NULL;
    sv_store_close_read(m->rd); /* every layer is read */
    m->rd = NULL;
    if (st != SV_OK) {
        sv_map_destroy(m);
        return st;
    }
    *out = m;
    return SV_OK;
}

void sv_map_destroy(sv_map *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nd; i++) {
        free(m->d[i].id);
        free(m->d[i].name);
        free(m->d[i].wkb);
        shape_free(&m->d[i].s);
    }
    for (size_t i = 0; i < m->ns; i++) {
        free(m->st[i].id);
        free(m->st[i].name);
        free(m->st[i].category);
    }
    for (size_t i = 0; i < m->ncov; i++)
        shape_free(&m->cov[i].s);
    for (size_t i = 0; i < m->ngap; i++)
        shape_free(&m->gap[i].s);
    for (int i = 0; i < m->ncat; i++)
        free(m->cats[i].name);
    for (size_t i = 0; i < m->nsites; i++)
        free(m->sites[i].id);
    free(m->sites);
    shape_free(&m->roads);
    free(m->d);
    free(m->st);
    free(m->cov);
    free(m->gap);
    free(m->cats);
    free(m->brks);
    free(m->dfig);
    free(m->cfig);
    free(m->acc);
    free(m->load);
    free(m->tables);
    free(m->font);
    free(m->db);
    sv_store_close_read(m->rd);
    if (m->geos)
        sv_geos_destroy(m->geos);
    free(m);
}

size_t sv_map_district_count(const sv_map *m)
{
    return m->nd;
}

const char *sv_map_district_id(const sv_map *m, size_t i)
{
    return i < m->nd ? m->d[i].id : NULL;
}

const char *sv_map_district_name(const sv_map *m, size_t i)
{
    return i < m->nd ? m->d[i].name : NULL;
}

/* ---- drawing ---- */

static const sv_rgba INK = {0.13, 0.13, 0.13, 1}, GREY = {0.45, 0.45, 0.45, 1}, WHITE = {1, 1, 1, 1},
                     HALO = {1, 1, 1, 0.85}, OUTSIDE = {0.90, 0.91, 0.92, 1},
                     BOUNDARY = {0.25, 0.25, 0.25, 1}, ROAD = {0.55, 0.55, 0.58, 0.8},
                     GAP = {0.89, 0.29, 0.20, 0.75}, HATCH = {0.60, 0.0, 0.05, 0.9}, VEIL = {1, 1, 1, 0.6},
                     SITE = {1.0, 0.93, 0.25, 1};

/* Station categories: colour-blind-safe-ish hues away from the greens and reds of the areas. */
static const sv_rgba CAT_COLOURS[] = {
    {0.12, 0.47, 0.71, 1}, {1.00, 0.50, 0.00, 1}, {0.42, 0.24, 0.60, 1}, {0.55, 0.32, 0.04, 1},
    {0.77, 0.11, 0.49, 1}, {0.00, 0.40, 0.37, 1}, {0.25, 0.25, 0.25, 1}, {0.75, 0.56, 0.00, 1},
};
#define N_CAT_COLOURS (sizeof CAT_COLOURS / sizeof CAT_COLOURS[0])

/* The access classes, low to high (ColorBrewer YlGnBu, 5 classes); no demand: grey. */
static const sv_rgba ACCESS_COLOURS[5] = {
    {1.00, 1.00, 0.80, 1}, {0.63, 0.85, 0.71, 1}, {0.25, 0.71, 0.77, 1}, {0.17, 0.50, 0.72, 1}, {0.15, 0.20, 0.58, 1},
};
static const sv_rgba NO_ACCESS = {0.80, 0.80, 0.80, 1}, LOAD = {0.80, 0.15, 0.10, 0.85};

static const sv_rgba *access_colour(const sv_map *m, double v)
{
    if (!isfinite(v))
        return &NO_ACCESS;
    int k = 0;
    while (k < m->n_acc_classes - 1 && v > m->acc_lim[k + 1])
        k++;
    /* spread over the palette when there are fewer classes */
    int c = m->n_acc_classes > 1 ? k * 4 / (m->n_acc_classes - 1) : 2;
    return &ACCESS_COLOURS[c];
}

/* A station's symbol radius by its load: area in proportion, 2.5 to 9 pt. */
static double load_radius(const sv_map *m, double load)
{
    if (!isfinite(load) || !(m->load_max > 0))
        return 2.5;
    return 2.5 + 6.5 * sqrt(fmax(load, 0) / m->load_max);
}

static sv_rgba area_colour(int i, int n)
{
    /* the smallest break darkest: drawn over the larger ones, nested areas deepen */
    double t = n <= 1 ? 1.0 : (double)i / (n - 1);
    sv_rgba c = {(35 + t * (116 - 35)) / 255.0, (139 + t * (196 - 139)) / 255.0, (69 + t * (118 - 69)) / 255.0,
                 0.5};
    return c;
}

typedef struct {
    double x0, y0, x1, y1;
} box;

typedef struct {
    sv_map *m;
    sv_canvas *c;
    sv_ctx *ctx;
    /* world -> page */
    double s, ox, oy; /* page x = ox + X*s, page y = oy - Y*s */
    box frame;
    box *boxes;
    size_t nboxes, capboxes;
    int n_missing;
} page;

static void px(const page *p, double X, double Y, double *x, double *y)
{
    *x = p->ox + X * p->s;
    *y = p->oy - Y * p->s;
}

static int overlaps(const box *a, const box *b)
{
    return a->x0 < b->x1 && b->x0 < a->x1 && a->y0 < b->y1 && b->y0 < a->y1;
}

static int box_free(const page *p, const box *b)
{
    if (b->x0 < p->frame.x0 || b->y0 < p->frame.y0 || b->x1 > p->frame.x1 || b->y1 > p->frame.y1)
        return 0;
    for (size_t i = 0; i < p->nboxes; i++)
        if (overlaps(b, &p->boxes[i]))
            return 0;
    return 1;
}

/* Free for a district name: inside the frame, clear of the labels, the scale bar and the north arrow, and clear
 * of the symbol boxes [from, to) grown by grow points (a symbol's points and stroke reach beyond the box that labels
 * beside it keep off, and the name's halo beyond its letters); grow < 0 lets the name lie over the symbols. */
static int name_box_free(const page *p, const box *b, size_t from, size_t to, double grow)
{
    if (b->x0 < p->frame.x0 || b->y0 < p->frame.y0 || b->x1 > p->frame.x1 || b->y1 > p->frame.y1)
        return 0;
    for (size_t i = 0; i < p->nboxes; i++) {
        int symbol = i >= from && i < to;
        if (symbol && grow < 0)
            continue;
        box o = p->boxes[i];
        if (symbol) {
            o.x0 -= grow;
            o.y0 -= grow;
            o.x1 += grow;
            o.y1 += grow;
        }
        if (overlaps(b, &o))
            return 0;
    }
    return 1;
}

typedef struct {
    double dx, dy, d2;
} offset;

static int offset_cmp(const void *a, const void *b)
{
    double x = ((const offset *)a)->d2, y = ((const offset *)b)->d2;
    return x < y ? -1 : x > y;
}

static void box_add(page *p, box b)
{
    if (p->nboxes == p->capboxes) {
        size_t cap = p->capboxes ? 2 * p->capboxes : 256;
        box *nb = realloc(p->boxes, cap * sizeof *nb);
        if (!nb)
            return;
        p->boxes = nb;
        p->capboxes = cap;
    }
    p->boxes[p->nboxes++] = b;
}

/* Measure text, warning once per text when glyphs are missing. */
static void measure(page *p, const char *text, double size, int bold, double *w, double *h)
{
    int unknown = sv_canvas_text_size(p->c, text, size, bold, w, h);
    if (unknown > 0) {
        p->n_missing++;
        warnf(p->m, "no installed font has %d character%s of \"%s\"; drawn as boxes (install a font for that "
              "script, e.g. fonts-noto)", unknown, unknown == 1 ? "" : "s", text);
    }
}

static void text(page *p, double x, double y, const char *t, double size, int bold, const sv_rgba *ink,
                 const sv_rgba *halo, double *w, double *h)
{
    double tw, th;
    measure(p, t, size, bold, &tw, &th);
    sv_canvas_text(p->c, x, y, t, size, bold, ink, halo);
    if (w)
        *w = tw;
    if (h)
        *h = th;
}

static void draw_shape(page *p, const shape *s, int close, const sv_rgba *fill, const sv_rgba *stroke, double lw,
                       const sv_rgba *hatch, double spacing)
{
    if (s->nparts == 0)
        return;
    /* outside the frame: nothing to draw */
    box e = {p->ox + s->env.xmin * p->s, p->oy - s->env.ymax * p->s, p->ox + s->env.xmax * p->s,
             p->oy - s->env.ymin * p->s};
    if (!overlaps(&e, &p->frame) && s->nparts)
        return;
    size_t n = s->starts[s->nparts];
    double *xy = malloc(2 * (n ? n : 1) * sizeof *xy);
    if (!xy)
        return;
    for (size_t i = 0; i < n; i++)
        px(p, s->xy[2 * i], s->xy[2 * i + 1], &xy[2 * i], &xy[2 * i + 1]);
    sv_canvas_path(p->c, xy, s->starts, s->nparts, close, fill, stroke, lw, hatch, spacing);
    free(xy);
}

static void nice_scale(double max_m, double *len_m)
{
    double e = pow(10, floor(log10(max_m)));
    double f = max_m / e;
    *len_m = (f >= 5 ? 5 : f >= 2 ? 2 : 1) * e;
}

static void fmt_len(sv_lang L, double m, char *buf, size_t size)
{
    if (m >= 1000)
        snprintf(buf, size, sv_tr(L, "%g km"), m / 1000);
    else
        snprintf(buf, size, sv_tr(L, "%g m"), m);
}

static void fmt_thousands(double v, char *buf, size_t size)
{
    char raw[64];
    snprintf(raw, sizeof raw, "%.0f", v);
    size_t n = strlen(raw), o = 0;
    for (size_t i = 0; i < n && o + 2 < size; i++) {
        buf[o++] = raw[i];
        size_t left = n - i - 1;
        if (left > 0 && left % 3 == 0 && raw[i] != '-')
            buf[o++] = ',';
    }
    buf[o] = '\0';
}

static void scale_bar(page *p, double x, double y)
{
    double frame_w = p->frame.x1 - p->frame.x0;
    double len_m;
    nice_scale(frame_w * 0.25 / p->s, &len_m);
    double w = len_m * p->s;
    char lbl[32], half[32];
    sv_lang L = p->m->lang;
    fmt_len(L, len_m, lbl, sizeof lbl);
    fmt_len(L, len_m / 2, half, sizeof half);
    sv_canvas_rect(p->c, x - 6, y - 16, w + 40, 30, &HALO, NULL, 0);
    for (int i = 0; i < 4; i++)
        sv_canvas_rect(p->c, x + i * w / 4, y, w / 4, 4, i % 2 ? &WHITE : &INK, &INK, 0.5);
    double tw, th;
    sv_canvas_text(p->c, x - 2, y - 12, "0", 7, 0, &INK, NULL);
    /* measured like every label, so a unit no font has is reported too */
    measure(p, half, 7, 0, &tw, &th);
    sv_canvas_text(p->c, x + w / 2 - tw / 2, y - 12, half, 7, 0, &INK, NULL);
    measure(p, lbl, 7, 0, &tw, &th);
    sv_canvas_text(p->c, x + w - tw / 2, y - 12, lbl, 7, 0, &INK, NULL);
    const char *unit = sv_tr(L, "metres in the map's projection");
    measure(p, unit, 5.5, 0, &tw, &th);
    sv_canvas_text(p->c, x, y + 5, unit, 5.5, 0, &GREY, NULL);
}

/* Label candidates around a symbol: right, left, above, below, diagonals. */
static int place_label(page *p, double x, double y, double r, const char *t, double size, const sv_rgba *ink)
{
    double w, h;
    measure(p, t, size, 0, &w, &h);
    const double g = r + 1.5;
    const double cand[][2] = {{x + g, y - h / 2},         {x - g - w, y - h / 2},     {x - w / 2, y - g - h},
                              {x - w / 2, y + g},         {x + g * 0.7, y - g - h * 0.8}, {x + g * 0.7, y + g * 0.2},
                              {x - g * 0.7 - w, y - g - h * 0.8}, {x - g * 0.7 - w, y + g * 0.2}};
    for (size_t i = 0; i < sizeof cand / sizeof cand[0]; i++) {
        box b = {cand[i][0], cand[i][1], cand[i][0] + w, cand[i][1] + h};
        if (box_free(p, &b)) {
            sv_canvas_text(p->c, b.x0, b.y0, t, size, 0, ink, &HALO);
            box_add(p, b);
            return 1;
        }
    }
    return 0;
}

static void legend_swatch(page *p, double x, double y, const sv_rgba *fill, const sv_rgba *stroke,
                          const sv_rgba *hatch, int line)
{
    if (line) {
        sv_canvas_line(p->c, x, y + 5, x + 18, y + 5, stroke, line == 2 ? 1.6 : 0.8);
        return;
    }
    double xy[] = {x, y, x + 18, y, x + 18, y + 10, x, y + 10, x, y};
    size_t st[] = {0, 5};
    sv_canvas_rect(p->c, x, y, 18, 10, &WHITE, NULL, 0);
    sv_canvas_path(p->c, xy, st, 1, 1, fill, stroke, 0.5, hatch, 4);
}

/* The legend and the figures, in the panel box; returns the height used. */
static void draw_panel(page *p, box pb, int di, int portrait)
{
    sv_map *m = p->m;
    /* portrait: three columns (areas, stations, figures); landscape: one */
    double x = pb.x0, y = pb.y0, colw = portrait ? (pb.x1 - pb.x0) / 3 : pb.x1 - pb.x0;
    char buf[512], lb[64];
    const sv_lang L = m->lang;
    text(p, x, y, sv_tr(L, "Legend"), 10, 1, &INK, NULL, NULL, NULL);
    y += 16;
    if (m->by_access) {
        snprintf(buf, sizeof buf, sv_tr(L, "Capacity per 1,000 people within %s"),
                 break_label_in(L, &m->brks[m->nb - 1], lb, sizeof lb));
        text(p, x, y - 1, buf, 8, 1, &INK, NULL, NULL, NULL);
        y += 13;
        for (int k = m->n_acc_classes - 1; k >= 0; k--) {
            double mid = (m->acc_lim[k] + m->acc_lim[k + 1]) / 2;
            legend_swatch(p, x, y, access_colour(m, m->n_acc_classes > 1 ? mid : m->acc_lim[0]), NULL, NULL, 0);
            snprintf(buf, sizeof buf, "%.*f – %.*f", m->acc_lim[k + 1] >= 100 ? 0 : 2, m->acc_lim[k],
                     m->acc_lim[k + 1] >= 100 ? 0 : 2, m->acc_lim[k + 1]);
            text(p, x + 24, y - 1, buf, 8, 0, &INK, NULL, NULL, NULL);
            y += 14;
        }
        legend_swatch(p, x, y, &NO_ACCESS, NULL, NULL, 0);
        text(p, x + 24, y - 1, sv_tr(L, "No demand"), 8, 0, &INK, NULL, NULL, NULL);
        y += 16;
        if (m->load_max > 0) {
            text(p, x, y - 1, sv_tr(L, "Stations: demand per unit of capacity"), 8, 1, &INK, NULL, NULL, NULL);
            y += 14;
            double lo = isfinite(m->load_min) ? m->load_min : 0;
            double vals[2] = {lo, m->load_max};
            for (int k = 0; k < 2; k++) {
                double rr = load_radius(m, vals[k]);
                sv_canvas_symbol(p->c, SV_SYM_CIRCLE, x + 9, y + 5, rr, &LOAD, &WHITE, 0.8);
                snprintf(buf, sizeof buf, "%.*f", vals[k] >= 100 ? 0 : 2, vals[k]);
                text(p, x + 24, y - 1, buf, 8, 0, &INK, NULL, NULL, NULL);
                y += fmax(14, 2 * rr + 4);
            }
        }
        legend_swatch(p, x, y, NULL, &BOUNDARY, NULL, 2);
        text(p, x + 24, y - 1, sv_tr(L, "District boundary"), 8, 0, &INK, NULL, NULL, NULL);
        y += 18;
        goto figures;
    }
    for (int i = m->nb - 1; i >= 0; i--) {
        sv_rgba c = area_colour(i, m->nb);
        sv_rgba c2 = c;
        /* nested: inner areas look darker on the map, show them so */
        if (i < m->nb - 1) {
            c2.r *= 0.8;
            c2.g *= 0.85;
            c2.b *= 0.8;
            c2.a = 0.7;
        }
        legend_swatch(p, x, y, &c2, NULL, NULL, 0);
        snprintf(buf, sizeof buf, sv_tr(L, "Within %s of a station"), break_label_in(L, &m->brks[i], lb, sizeof lb));
        text(p, x + 24, y - 1, buf, 8, 0, &INK, NULL, NULL, NULL);
        y += 14;
    }
    legend_swatch(p, x, y, &GAP, NULL, &HATCH, 0);
    snprintf(buf, sizeof buf, sv_tr(L, "Gap: beyond %s"), break_label_in(L, &m->brks[m->nb - 1], lb, sizeof lb));
    text(p, x + 24, y - 1, buf, 8, 0, &INK, NULL, NULL, NULL);
    y += 14;
    legend_swatch(p, x, y, NULL, &BOUNDARY, NULL, 2);
    text(p, x + 24, y - 1, sv_tr(L, "District boundary"), 8, 0, &INK, NULL, NULL, NULL);
    y += 14;
    if (m->roads_what) {
        legend_swatch(p, x, y, NULL, &ROAD, NULL, 1);
        text(p, x + 24, y - 1, sv_tr(L, m->roads_what), 8, 0, &INK, NULL, NULL, NULL);
        y += 14;
    }
    legend_swatch(p, x, y, &OUTSIDE, NULL, NULL, 0);
    text(p, x + 24, y - 1, sv_tr(L, "Outside the districts"), 8, 0, &INK, NULL, NULL, NULL);
    y += 18;
    if (portrait) {
        x = pb.x0 + colw;
        y = pb.y0;
    }
    text(p, x, y, portrait ? sv_tr(L, "Stations") : sv_tr(L, "Stations by category"), portrait ? 10 : 9, 1, &INK, NULL, NULL, NULL);
    y += portrait ? 16 : 14;
    /* as many categories as fit (landscape keeps room for the figures) */
    int fit = (int)((pb.y1 - y - (portrait ? 0 : 150 + 36.0 * m->nb) - (m->nsites ? 13 : 0)) / 13);
    int shown = m->ncat <= fit ? m->ncat : (fit > 1 ? fit - 1 : 0);
    if (shown > 12)
        shown = m->ncat <= 12 ? m->ncat : 11;
    for (int k = 0; k < shown; k++) {
        const sv_rgba *cc = &CAT_COLOURS[k % N_CAT_COLOURS];
        sv_canvas_symbol(p->c, (sv_symbol)(k % SV_SYM_COUNT), x + 9, y + 5, 4, cc, &WHITE, 0.8);
        snprintf(buf, sizeof buf, "%s (%d)", m->cats[k].name, m->cats[k].count);
        text(p, x + 24, y - 1, buf, 8, 0, &INK, NULL, NULL, NULL);
        y += 13;
    }
    if (m->nsites > 0) {
        sv_canvas_symbol(p->c, SV_SYM_STAR, x + 9, y + 5, 5, &SITE, &INK, 1.2);
        snprintf(buf, sizeof buf, sv_tr(L, "Proposed site (svcov site %s)"), m->site_model);
        text(p, x + 24, y - 1, buf, 8, 0, &INK, NULL, NULL, NULL);
        y += 13;
    }
    if (m->ncat > shown) {
        snprintf(buf, sizeof buf,
                 sv_trn(L, "and %d more category", "and %d more categories", (unsigned long)(m->ncat - shown)),
                 m->ncat - shown);
        text(p, x + 24, y - 1, buf, 7, 0, &GREY, NULL, NULL, NULL);
        y += 13;
    }
figures:
    if (portrait) {
        x = pb.x0 + 2 * colw;
        y = pb.y0;
    } else
        y += 10;
    text(p, x, y, di >= 0 ? sv_tr(L, "This district") : sv_tr(L, "The whole city"), 10, 1, &INK, NULL, NULL, NULL);
    y += 16;
    for (int i = 0; i < m->nb; i++) {
        const figures *f = di >= 0 ? &m->dfig[(size_t)di * (size_t)m->nb + (size_t)i] : &m->cfig[i];
        if (!f->ok)
            continue;
        snprintf(buf, sizeof buf, sv_tr(L, "%s: %.1f %% of the area"), break_label_in(L, &m->brks[i], lb, sizeof lb),
                 f->covered_pct);
        text(p, x, y, buf, 8.5, 1, &INK, NULL, NULL, NULL);
        y += 12;
        if (!isnan(f->pop_pct)) {
            char a[32], b[32];
            fmt_thousands(f->pop_covered, a, sizeof a);
            fmt_thousands(f->pop_total, b, sizeof b);
            if (isfinite(f->pop_covered) && isfinite(f->pop_total))
                snprintf(buf, sizeof buf, sv_tr(L, "  people: %s of %s (%.1f %%)"), a, b, f->pop_pct);
            else
                snprintf(buf, sizeof buf, sv_tr(L, "  people covered: %.1f %%"), f->pop_pct);
            text(p, x, y, buf, 8, 0, &INK, NULL, NULL, NULL);
            y += 11;
        }
        if (f->n_gap_parts >= 0)
            snprintf(buf, sizeof buf,
                     sv_trn(L, "  gap %.3f km² in %d part", "  gap %.3f km² in %d parts",
                            (unsigned long)f->n_gap_parts),
                     f->gap_m2 / 1e6, f->n_gap_parts);
        else
            snprintf(buf, sizeof buf, sv_tr(L, "  gap %.3f km²"), f->gap_m2 / 1e6);
        text(p, x, y, buf, 8, 0, &INK, NULL, NULL, NULL);
        y += 13;
    }
    const figures *last = di >= 0 ? &m->dfig[(size_t)di * (size_t)m->nb + (size_t)(m->nb - 1)] : &m->cfig[m->nb - 1];
    if (di >= 0) {
        snprintf(buf, sizeof buf, sv_tr(L, "Area %.2f km²"), m->d[di].area_m2 / 1e6);
        text(p, x, y, buf, 8, 0, &INK, NULL, NULL, NULL);
        y += 12;
        /* along a network a station inside may not be on it: say how many and why */
        int off = m->network ? m->d[di].n_off_network : 0;
        /* three pieces, each with its own count (a plural each in English) */
        size_t o = (size_t)snprintf(buf, sizeof buf,
                                    sv_trn(L, "%d station inside, ", "%d stations inside, ",
                                           (unsigned long)last->inside),
                                    last->inside);
        if (o < sizeof buf && off > 0)
            o += (size_t)snprintf(buf + o, sizeof buf - o, sv_tr(L, "%d reach it along\nthe streets; "),
                                  last->reaching);
        else if (o < sizeof buf)
            o += (size_t)snprintf(buf + o, sizeof buf - o,
                                  m->network ? sv_tr(L, "%d reach it along\nthe streets") : sv_tr(L, "%d reach it"),
                                  last->reaching);
        if (o < sizeof buf && off > 0)
            snprintf(buf + o, sizeof buf - o,
                     sv_trn(L, "%d inside is over %g m\nfrom a usable street (see issues)",
                            "%d inside are over %g m\nfrom a usable street (see issues)", (unsigned long)off),
                     off, m->max_snap);
        double th;
        int lines = off > 0 ? 3 : m->network ? 2 : 1;
        text(p, x, y, buf, 8, 0, &INK, NULL, NULL, &th);
        y += 12 + th * (lines - 1) / lines;
    } else {
        snprintf(buf, sizeof buf, sv_tr(L, "%zu districts, %.2f km²"), m->nd, last->area_m2 / 1e6);
        text(p, x, y, buf, 8, 0, &INK, NULL, NULL, NULL);
        y += 12;
        if (m->network && m->n_off_network > 0)
            snprintf(buf, sizeof buf, sv_tr(L, "%zu stations; %ld over %g m from a\nusable street, not on it (see issues)"),
                     m->ns, m->n_off_network, m->max_snap);
        else
            snprintf(buf, sizeof buf, sv_tr(L, "%zu stations"), m->ns);
        double th;
        int lines = m->network && m->n_off_network > 0 ? 2 : 1;
        text(p, x, y, buf, 8, 0, &INK, NULL, NULL, &th);
        y += 12 + th * (lines - 1) / lines;
        if (!isnan(m->city_gini)) {
            snprintf(buf, sizeof buf, sv_tr(L, "Gini of district shares: %.3f"), m->city_gini);
            text(p, x, y, buf, 8, 0, &INK, NULL, NULL, NULL);
            y += 12;
        }
    }
    y += 6;
    const char *base = strrchr(m->db, '/');
    char when[64];
    sv_lang_date(L, m->finished, when, sizeof when);
    snprintf(buf, sizeof buf, "%s%s%s\nsvcov %s%s%s", base ? base + 1 : m->db, *m->crs ? " · " : "", m->crs,
             SV_VERSION, *m->finished ? sv_tr(L, " · run ") : "", when);
    if (y < pb.y1 - 20)
        y = pb.y1 - 20;
    text(p, x, y, buf, 6.5, 0, &GREY, NULL, NULL, NULL);
}

static void subtitle(const sv_map *m, char *buf, size_t size)
{
    const sv_lang L = m->lang;
    char lb[64], list[256], how[256] = "";
    size_t o = 0;
    int timed = !isnan(m->brks[0].minutes);
    /* "10, 15 and 20" */
    list[0] = '\0';
    for (int i = 0; i < m->nb && o < sizeof list; i++)
        o += (size_t)snprintf(list + o, sizeof list - o, "%s%g",
                              i == 0 ? "" : i == m->nb - 1 ? sv_tr(L, " and ") : sv_tr(L, ", "),
                              timed ? m->brks[i].minutes : m->brks[i].radius);
    if (timed) {
        /* " (walk, 5 km/h, detour 1.3)" */
        o = (size_t)snprintf(how, sizeof how, sv_tr(L, " (%s"), sv_trp(L, "mode", m->brks[0].mode));
        if (!isnan(m->speed) && o < sizeof how)
            o += (size_t)snprintf(how + o, sizeof how - o, sv_tr(L, ", %g km/h"), m->speed);
        if (!isnan(m->detour) && m->detour != 1 && o < sizeof how)
            o += (size_t)snprintf(how + o, sizeof how - o, sv_tr(L, ", detour %g"), m->detour);
        if (o < sizeof how)
            snprintf(how + o, sizeof how - o, "%s", sv_tr(L, ")"));
        o = (size_t)snprintf(buf, size, sv_tr(L, "Areas within %s minutes%s of a station"), list, how);
    } else
        o = (size_t)snprintf(buf, size, sv_tr(L, "Areas within %s m of a station"), list);
    if (o < size)
        snprintf(buf + o, size - o, sv_tr(L, "; gaps beyond %s"), break_label_in(L, &m->brks[m->nb - 1], lb, sizeof lb));
}

static sv_status write_world_file(sv_ctx *ctx, const page *p, double px_per_pt, const char *path)
{
    double a = 1.0 / (p->s * px_per_pt);
    /* page point (x, y) is world ((x - ox)/s, (oy - y)/s); pixel centre (0.5, 0.5) */
    double c = (0.5 / px_per_pt - p->ox) / p->s, f = (p->oy - 0.5 / px_per_pt) / p->s;
    char buf[256];
    int n = snprintf(buf, sizeof buf, "%.10f\n0.0\n0.0\n%.10f\n%.6f\n%.6f\n", a, -a, c, f);
    return sv_write_file_atomic(ctx, path, buf, (size_t)n);
}

/* One page: a new canvas (atlas == NULL), or the next page of *atlas (created on the first page). */
static sv_status render(sv_ctx *ctx, sv_map *m, const sv_map_page_options *po, sv_canvas_format fmt,
                        const char *path, unsigned char **png, size_t *len, sv_canvas **atlas)
{
    sv_map_page_options defaults = {0};
    if (!po)
        po = &defaults;
    int di = -1;
    if (po->district_id) {
        di = district_index(m, po->district_id);
        if (di < 0) {
            char some[400] = "";
            for (size_t i = 0; i < m->nd && i < 6; i++)
                snprintf(some + strlen(some), sizeof some - strlen(some), "%s%s (%s)", i ? ", " : "", m->d[i].id,
                         m->d[i].name);
            return sv_error(ctx, SV_ERR_DATA, "%s has no district '%s'; it has %zu: %s%s", m->db, po->district_id,
                            m->nd, some, m->nd > 6 ? ", ..." : "");
        }
    }
    /* the extent: the district or all districts, with a margin */
    sv_env e = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    for (size_t i = 0; i < m->nd; i++) {
        if (di >= 0 && (int)i != di)
            continue;
        const sv_env *d = &m->d[i].s.env;
        if (m->d[i].s.nparts == 0)
            continue;
        e.xmin = fmin(e.xmin, d->xmin);
        e.ymin = fmin(e.ymin, d->ymin);
        e.xmax = fmax(e.xmax, d->xmax);
        e.ymax = fmax(e.ymax, d->ymax);
    }
    if (!(e.xmax > e.xmin) || !(e.ymax > e.ymin))
        return sv_error(ctx, SV_ERR_DATA, "%s: %s has no area to draw", m->db,
                        di >= 0 ? m->d[di].name : "the districts layer");
    double mx = 0.05 * (e.xmax - e.xmin), my = 0.05 * (e.ymax - e.ymin);
    double mm = fmax(mx, my);
    e.xmin -= mm;
    e.xmax += mm;
    e.ymin -= mm;
    e.ymax += mm;
    double ew = e.xmax - e.xmin, eh = e.ymax - e.ymin;

    const double margin = 22, title_h = 48, panel_w = 190, panel_h = 200;
    double dpi = po->dpi > 0 ? po->dpi : 150;
    double px_per_pt = dpi / 72.0;
    double pw, ph;
    int portrait;
    if (po->width_px > 0 && po->height_px > 0) {
        /* the A4 layout scaled to the pixels: the longer side is 297 mm */
        px_per_pt = (po->width_px > po->height_px ? po->width_px : po->height_px) / A4_H;
        pw = po->width_px / px_per_pt;
        ph = po->height_px / px_per_pt;
        portrait = ph > pw;
    } else {
        /* the orientation giving the larger map scale */
        double sl = fmin((A4_H - 2 * margin - panel_w) / ew, (A4_W - 2 * margin - title_h) / eh);
        double sp = fmin((A4_W - 2 * margin) / ew, (A4_H - 2 * margin - title_h - panel_h) / eh);
        portrait = po->page == SV_MAP_PAGE_PORTRAIT || (po->page == SV_MAP_PAGE_AUTO && sp > sl);
        pw = portrait ? A4_W : A4_H;
        ph = portrait ? A4_H : A4_W;
    }
    page p = {0};
    p.m = m;
    p.ctx = ctx;
    p.frame.x0 = margin;
    p.frame.y0 = margin + title_h;
    p.frame.x1 = portrait ? pw - margin : pw - margin - panel_w;
    p.frame.y1 = portrait ? ph - margin - panel_h : ph - margin;
    if (p.frame.x1 - p.frame.x0 < 60 || p.frame.y1 - p.frame.y0 < 60)
        return sv_error(ctx, SV_ERR_USAGE, "the page is too small for a map (at least about 500 x 400 pixels at "
                        "150 dpi)");
    double fw = p.frame.x1 - p.frame.x0, fh = p.frame.y1 - p.frame.y0;
    p.s = fmin(fw / ew, fh / eh);
    double cx = (e.xmin + e.xmax) / 2, cy = (e.ymin + e.ymax) / 2;
    p.ox = (p.frame.x0 + p.frame.x1) / 2 - cx * p.s;
    p.oy = (p.frame.y0 + p.frame.y1) / 2 + cy * p.s;

    sv_status st = SV_OK;
    if (atlas && *atlas) {
        p.c = *atlas;
        sv_canvas_next_page(p.c, pw, ph);
    } else {
        st = sv_canvas_create(ctx, fmt, path, pw, ph, px_per_pt, m->font, &p.c);
        if (st != SV_OK)
            return st;
        if (atlas)
            *atlas = p.c;
    }

    /* title */
    char title[512], sub[512];
    if (po->title)
        snprintf(title, sizeof title, "%s", po->title);
    else if (di >= 0 && strcmp(m->d[di].name, m->d[di].id) != 0)
        snprintf(title, sizeof title, "%s  ·  %s", m->d[di].name, m->d[di].id);
    else if (di >= 0)
        snprintf(title, sizeof title, "%s", m->d[di].name);
    else
        snprintf(title, sizeof title, sv_tr(m->lang, "Service coverage: %zu districts, %zu stations"), m->nd, m->ns);
    subtitle(m, sub, sizeof sub);
    text(&p, margin, margin - 4, title, 17, 1, &INK, NULL, NULL, NULL);
    text(&p, margin, margin + 22, sub, 9, 0, &GREY, NULL, NULL, NULL);

    /* the map */
    sv_canvas_clip(p.c, p.frame.x0, p.frame.y0, fw, fh);
    sv_canvas_rect(p.c, p.frame.x0, p.frame.y0, fw, fh, &OUTSIDE, NULL, 0);
    for (size_t i = 0; i < m->nd; i++)
        draw_shape(&p, &m->d[i].s, 1, m->by_access ? access_colour(m, m->acc[i]) : &WHITE, NULL, 0, NULL, 0);
    for (int b = m->nb - 1; b >= 0 && !m->by_access; b--) {
        sv_rgba c = area_colour(b, m->nb);
        for (size_t i = 0; i < m->ncov; i++)
            if (m->cov[i].brk == b)
                draw_shape(&p, &m->cov[i].s, 1, &c, NULL, 0, NULL, 0);
    }
    for (size_t i = 0; i < m->ngap && !m->by_access; i++)
        if (m->gap[i].brk == m->nb - 1)
            draw_shape(&p, &m->gap[i].s, 1, &GAP, NULL, 0, &HATCH, 4.5);
    /* streets over the fills: thin, so the colours stay readable and the streets give orientation */
    if (m->roads_what)
        draw_shape(&p, &m->roads, 0, NULL, &ROAD, 0.45, NULL, 0);
    if (di >= 0)
        for (size_t i = 0; i < m->nd; i++)
            if ((int)i != di)
                draw_shape(&p, &m->d[i].s, 1, &VEIL, NULL, 0, NULL, 0);
    for (size_t i = 0; i < m->nd; i++)
        if ((int)i != di)
            draw_shape(&p, &m->d[i].s, 1, NULL, &BOUNDARY, 0.8, NULL, 0);
    if (di >= 0)
        draw_shape(&p, &m->d[di].s, 1, NULL, &INK, 2.2, NULL, 0);

    /* the north arrow and scale bar go on top later: keep labels off them */
    box_add(&p, (box){p.frame.x1 - 30, p.frame.y0 + 6, p.frame.x1 - 6, p.frame.y0 + 46});
    box_add(&p, (box){p.frame.x0, p.frame.y1 - 36, p.frame.x0 + 8 + 0.25 * fw + 60, p.frame.y1});
    /* stations: symbols first (labels keep clear of them), then labels */
    const double r = 3.8;
    size_t n_in_view = 0;
    for (size_t i = 0; i < m->ns; i++) {
        double x, y;
        px(&p, m->st[i].x, m->st[i].y, &x, &y);
        box b = {x - r - 1, y - r - 1, x + r + 1, y + r + 1};
        if (!overlaps(&b, &p.frame))
            continue;
        n_in_view++;
        box_add(&p, b); /* district names keep clear of these */
    }
    const double rs = 6.5;
    for (size_t i = 0; i < m->nsites; i++) {
        double x, y;
        px(&p, m->sites[i].x, m->sites[i].y, &x, &y);
        box_add(&p, (box){x - rs, y - rs, x + rs, y + rs});
    }
    size_t n_symbol_boxes = p.nboxes, n_station_boxes = n_symbol_boxes - m->nsites;
    for (size_t i = 0; i < m->ns; i++) {
        double x, y;
        px(&p, m->st[i].x, m->st[i].y, &x, &y);
        box b = {x - r - 1, y - r - 1, x + r + 1, y + r + 1};
        if (overlaps(&b, &p.frame) && m->by_access) /* sized by the demand on each unit of capacity */
            sv_canvas_symbol(p.c, SV_SYM_CIRCLE, x, y, load_radius(m, m->load[i]),
                             isfinite(m->load[i]) ? &LOAD : &GREY, &WHITE, 0.8);
        else if (overlaps(&b, &p.frame))
            sv_canvas_symbol(p.c, (sv_symbol)(m->st[i].cat % SV_SYM_COUNT), x, y, r,
                             &CAT_COLOURS[m->st[i].cat % (int)N_CAT_COLOURS], &WHITE, 0.8);
    }
    for (size_t i = 0; i < m->nsites; i++) {
        double x, y;
        px(&p, m->sites[i].x, m->sites[i].y, &x, &y);
        sv_canvas_symbol(p.c, SV_SYM_STAR, x, y, rs, &SITE, &INK, 1.2);
    }
    /* district names, over the symbols: at the place nearest the label point, inside the district, whose box meets
       no symbol, no placed label, the scale bar or the north arrow; smaller only when no place fits; failing that
       at the label point over the symbols, where the halo keeps it legible (never over another label) */
    sv_geos *gh = sv_geos_create();
    enum { NOFF = 17 * 17 };
    offset off[NOFF];
    for (size_t i = 0; i < m->nd; i++) {
        double x, y, w, h;
        px(&p, m->d[i].lx, m->d[i].ly, &x, &y);
        int main_d = di < 0 || (int)i == di;
        double size = main_d ? (di >= 0 ? 13 : 9.5) : 8;
        const sv_rgba *ink = main_d ? &INK : &GREY;
        measure(&p, m->d[i].name, size, 1, &w, &h);
        sv_geom *dg = gh && m->d[i].wkb ? sv_geom_from_wkb(gh, m->d[i].wkb, m->d[i].wkb_len) : NULL;
        sv_prep *dp = dg ? sv_prep_create(gh, dg) : NULL;
        int placed_d = 0;
        static const double shrink[] = {1, 0.85, 0.72};
        for (size_t k = 0; k < sizeof shrink / sizeof shrink[0] && dp && !placed_d; k++) {
            double fs = size * shrink[k];
            if (k > 0 && fs < 7)
                break;
            if (k > 0)
                sv_canvas_text_size(p.c, m->d[i].name, fs, 1, &w, &h);
            /* a grid of places up to two widths across and four heights up or down, nearest first */
            size_t no = 0;
            for (int gx = -8; gx <= 8; gx++)
                for (int gy = -8; gy <= 8; gy++, no++)
                    off[no] = (offset){gx * w / 4, gy * h / 2, (gx * w / 4) * (gx * w / 4) + (gy * h / 2) * (gy * h / 2)};
            qsort(off, no, sizeof off[0], offset_cmp);
            double grow = fs / 8 + 1; /* the halo, and a diamond's points past its box */
            for (int whole = 1; whole >= 0 && !placed_d; whole--)
                for (size_t c = 0; c < no && !placed_d; c++) {
                    box b = {x + off[c].dx - w / 2, y + off[c].dy - h / 2, x + off[c].dx + w / 2,
                             y + off[c].dy + h / 2};
                    if (!name_box_free(&p, &b, 2, n_station_boxes, grow) ||
                        !name_box_free(&p, &b, n_station_boxes, n_symbol_boxes, grow + 3))
                        continue;
                    int in;
                    if (whole) {
                        /* the whole box inside the district */
                        sv_env we = {(b.x0 - p.ox) / p.s, (p.oy - b.y1) / p.s, (b.x1 - p.ox) / p.s,
                                     (p.oy - b.y0) / p.s};
                        sv_geom *rect = sv_geom_rect(gh, &we);
                        in = rect ? sv_prep_contains(gh, dp, rect) == 1 : 0;
                        sv_geom_destroy(gh, rect);
                    } else
                        in = sv_prep_covers_xy(gh, dp, (x + off[c].dx - p.ox) / p.s, (p.oy - y - off[c].dy) / p.s) == 1;
                    if (!in)
                        continue;
                    sv_canvas_text(p.c, b.x0, b.y0, m->d[i].name, fs, 1, ink, &HALO);
                    box_add(&p, b);
                    placed_d = 1;
                }
        }
        sv_prep_destroy(gh, dp);
        sv_geom_destroy(gh, dg);
        if (!placed_d)
            sv_canvas_text_size(p.c, m->d[i].name, size, 1, &w, &h);
        const double shifts[][2] = {{0, 0}, {0, -1}, {0, 1}, {-0.6, 0}, {0.6, 0}};
        for (size_t k = 0; k < 5 && !placed_d; k++) {
            box b = {x - w / 2 + shifts[k][0] * w, y - h / 2 + shifts[k][1] * h, x + w / 2 + shifts[k][0] * w,
                     y + h / 2 + shifts[k][1] * h};
            if (name_box_free(&p, &b, 2, n_symbol_boxes, -1)) {
                sv_canvas_text(p.c, b.x0, b.y0, m->d[i].name, size, 1, ink, &HALO);
                box_add(&p, b);
                placed_d = 1;
            }
        }
    }
    sv_geos_destroy(gh);
    for (size_t i = 0; i < m->nsites; i++) {
        double x, y;
        char lbl[32];
        px(&p, m->sites[i].x, m->sites[i].y, &x, &y);
        snprintf(lbl, sizeof lbl, "#%d", m->sites[i].rank);
        place_label(&p, x, y, rs, lbl, 8, &INK);
    }
    int label_stations = po->labels == SV_MAP_LABELS_ALL || (po->labels == SV_MAP_LABELS_AUTO && n_in_view <= 80);
    size_t placed = 0, tried = 0;
    if (label_stations) {
        /* the district's own stations first */
        for (int pass = 0; pass < 2; pass++)
            for (size_t i = 0; i < m->ns; i++) {
                double x, y;
                px(&p, m->st[i].x, m->st[i].y, &x, &y);
                box b = {x, y, x, y};
                if (!overlaps(&b, &p.frame))
                    continue;
                int inside = di < 0 || (m->st[i].x >= m->d[di].s.env.xmin &&
                                        m->st[i].x <= m->d[di].s.env.xmax && m->st[i].y >= m->d[di].s.env.ymin &&
                                        m->st[i].y <= m->d[di].s.env.ymax);
                if (inside != (pass == 0))
                    continue;
                tried++;
                placed += (size_t)place_label(&p, x, y, r, m->st[i].name, 6.5, pass == 0 ? &INK : &GREY);
            }
    }
    sv_canvas_unclip(p.c);
    sv_canvas_rect(p.c, p.frame.x0, p.frame.y0, fw, fh, NULL, &INK, 0.8);

    /* north arrow (grid north of the projection) and scale bar inside the frame */
    sv_canvas_rect(p.c, p.frame.x1 - 30, p.frame.y0 + 6, 24, 40, &HALO, NULL, 0);
    sv_canvas_north_arrow(p.c, p.frame.x1 - 18, p.frame.y0 + 10, 22, &INK);
    double tw, th;
    /* TRANSLATORS: the north arrow's letter; Chinese maps write 北 */
    const char *north = sv_tr(m->lang, "N");
    measure(&p, north, 9, 1, &tw, &th);
    sv_canvas_text(p.c, p.frame.x1 - 18 - tw / 2, p.frame.y0 + 33, north, 9, 1, &INK, NULL);
    scale_bar(&p, p.frame.x0 + 14, p.frame.y1 - 18);

    box pb = portrait ? (box){margin, p.frame.y1 + 14, pw - margin, ph - margin}
                      : (box){p.frame.x1 + 16, p.frame.y0, pw - margin, ph - margin};
    draw_panel(&p, pb, di, portrait);
    (void)placed; /* labels that would overlap another are left out on purpose */
    (void)tried;

    if (atlas) {
        free(p.boxes);
        return SV_OK;
    }
    st = sv_canvas_finish(ctx, p.c, png, len);
    sv_canvas_destroy(p.c);
    if (st == SV_OK && po->world_file && fmt == SV_CANVAS_PNG)
        st = write_world_file(ctx, &p, px_per_pt, po->world_file);
    free(p.boxes);
    return st;
}

sv_status sv_map_render(sv_ctx *ctx, sv_map *m, const sv_map_page_options *po, sv_canvas_format fmt,
                        const char *path, unsigned char **png, size_t *len)
{
    return render(ctx, m, po, fmt, path, png, len, NULL);
}

sv_status sv_map_render_atlas(sv_ctx *ctx, sv_map *m, const sv_map_page_options *po, const char *path)
{
    sv_map_page_options one = po ? *po : (sv_map_page_options){0};
    one.world_file = NULL;
    one.width_px = one.height_px = 0;
    sv_canvas *c = NULL;
    one.district_id = NULL;
    sv_status st = render(ctx, m, &one, SV_CANVAS_PDF, path, NULL, NULL, &c);
    for (size_t i = 0; i < m->nd && st == SV_OK; i++) {
        if (sv_ctx_interrupted(ctx)) {
            st = sv_error(ctx, SV_ERR_INTERRUPTED, "interrupted; %s was not written", path);
            break;
        }
        one.district_id = m->d[i].id;
        one.title = NULL; /* each page is titled by its district */
        st = render(ctx, m, &one, SV_CANVAS_PDF, path, NULL, NULL, &c);
    }
    if (st == SV_OK && c)
        st = sv_canvas_finish(ctx, c, NULL, NULL);
    sv_canvas_destroy(c);
    return st;
}

char *sv_map_break_filter(const sv_map_options *o, const char *prefix)
{
    /* a growing buffer: 35 breaks overflowed the fixed 1,024 bytes this was written into */
    sv_buf b = {0};
    size_t n = o ? o->n_minutes + o->n_radii : 0;
    sv_buf_puts(&b, n ? "(" : "1");
    for (size_t i = 0; i < n; i++) {
        if (i < o->n_minutes)
            sv_buf_printf(&b, "%sabs(%sminutes - %.10g) < 1e-9", i ? " OR " : "", prefix, o->minutes[i]);
        else
            sv_buf_printf(&b, "%sabs(%sradius_m - %.10g) < 1e-6", i ? " OR " : "", prefix,
                          o->radii[i - o->n_minutes]);
    }
    if (n)
        sv_buf_puts(&b, ")");
    if (b.failed) {
        sv_buf_free(&b);
        return NULL;
    }
    return b.data;
}
