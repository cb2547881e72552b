/* map_load.c - printable maps, part 1: reading the layers of a result database
 * (districts, stations, breaks, coverage, gaps, streets, sites, figures) into an
 * sv_map through the read-only handle (sv_store.h), geometry decoded through
 * sv_geom.h (GEOS). Layout and drawing: output/map_draw.c. */
#include "output/map_internal.h"
#include "svcov/sv_lang.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void sv_map_warnf(const sv_map *m, const char *fmt, ...)
{
    if (!m->warn)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    /* in the map's language (the command's): the catalogue's translation takes the same conversions */
    vsnprintf(msg, sizeof msg, sv_tr(m->lang, fmt), ap);
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

/* Hex WKB to a shape (and optionally a label point); keep_wkb, when given, receives the WKB. */
static int decode(sv_map *m, const char *hex, shape *out, double *lx, double *ly, unsigned char **keep_wkb,
                  size_t *keep_len)
{
    memset(out, 0, sizeof *out);
    if (!hex || !*hex)
        return 1; /* NULL geometry: nothing to draw */
    size_t n;
    unsigned char *wkb;
    if (sv_unhex(hex, &wkb, &n) != 0)
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
    char *p = sv_realloc(*list, old + strlen(v[0]) + 3);
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
    brk *b = sv_realloc(m->brks, (size_t)(m->nb + 1) * sizeof *b);
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
    district *d = sv_realloc(m->d, (m->nd + 1) * sizeof *d);
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
    category *c = sv_realloc(m->cats, (size_t)(m->ncat + 1) * sizeof *c);
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
    station *s = sv_realloc(m->st, (m->ns + 1) * sizeof *s);
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

int sv_map_district_index(const sv_map *m, const char *id)
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
    int di = sv_map_district_index(m, v[0]), bi = break_index(m, v[1], v[3]);
    if (di < 0 || bi < 0)
        return 0; /* a break not shown */
    area *a = sv_realloc(*ar->arr, (*ar->n + 1) * sizeof *a);
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
    int di = sv_map_district_index(m, v[id]), bi = break_index(m, mo >= 0 ? v[mo] : NULL, v[ra]);
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
    double *xy = sv_realloc(r->xy, 2 * (old + npts + 1) * sizeof *xy);
    size_t *st = sv_realloc(r->starts, (r->nparts + s.nparts + 1) * sizeof *st);
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
    int di = v && ncol >= 2 ? sv_map_district_index(m, v[0]) : -1;
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
    site *s = sv_realloc(m->sites, (m->nsites + 1) * sizeof *s);
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
    int i = sv_map_district_index(m, v[0]);
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
    m->acc = sv_malloc((m->nd + 1) * sizeof *m->acc);
    m->load = sv_malloc((m->ns + 1) * sizeof *m->load);
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
    double *v = sv_malloc((m->nd + 1) * sizeof *v);
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

const char *sv_map_break_label_in(sv_lang L, const brk *b, char *buf, size_t size)
{
    return sv_break_label(L, b->minutes, b->radius, b->label, b->label_zh, buf, size);
}

/* In the messages of errors (English, like every diagnostic). */
static const char *break_label(const brk *b, char *buf, size_t size)
{
    return sv_map_break_label_in(SV_LANG_EN, b, buf, size);
}

/* Keep the breaks asked for with --minutes/--radius (all when none), refusing one the database lacks. */
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
    brk *keep = sv_calloc(nwant, sizeof *keep);
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
                            is_min ? sv_tr(sv_ctx_lang(ctx), "minutes (--minutes)") : sv_tr(sv_ctx_lang(ctx), "metres (--radius)"), all);
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
    sv_map *m = sv_calloc(1, sizeof *m);
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
        sv_map_warnf(m, "%s: the stations layer is empty: every district is drawn as a gap", db_path);
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
    m->dfig = sv_calloc(m->nd * (size_t)m->nb, sizeof *m->dfig);
    m->cfig = sv_calloc((size_t)m->nb, sizeof *m->cfig);
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
    if (st == SV_OK && has_word(m->tables, "compare_runs")) {
        double radii[64];
        int n = m->nb < 64 ? m->nb : 64;
        for (int i = 0; i < n; i++)
            radii[i] = m->brks[i].radius;
        st = sv_map_change_load(ctx, m->rd, m->geos, radii, n, &m->change);
    }
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
    sv_map_change_destroy(m->change);
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

