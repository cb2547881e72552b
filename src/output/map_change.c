/* map_change.c - drawing an 'svcov compare' database: the coverage gained
 * (blue) and lost (purple, hatched) at one break, the stations added (blue
 * ring), removed (purple cross at the old place) and moved (a line from the
 * old place). */
#include "output/map_change.h"
#include "svcov/sv_text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const sv_rgba GAINED = {0.10, 0.38, 0.85, 0.62}, GAINED_EDGE = {0.05, 0.22, 0.60, 1},
                     LOST = {0.58, 0.12, 0.62, 0.45}, LOST_HATCH = {0.40, 0.02, 0.45, 0.9},
                     INK = {0.13, 0.13, 0.13, 1}, WHITE = {1, 1, 1, 1};

typedef struct {
    double *xy;
    size_t *starts, nparts;
} paths;

typedef struct {
    char change; /* 'a' added, 'r' removed, 'm' moved */
    double x, y, bx, by;
} moved_station;

struct sv_map_change {
    paths *gained, *lost;
    size_t ngained, nlost;
    moved_station *st;
    size_t nst;
    sv_geos *h;
    sv_ctx *ctx;
    sv_status rc;
    int brk; /* the break drawn */
};

static int read_change(void *ud, int ncol, const char *const *names, const char *const *v)
{
    (void)names;
    sv_map_change *c = ud;
    if (!v || ncol < 2 || !v[1])
        return 0;
    int lost = v[0] && strcmp(v[0], "lost") == 0;
    paths **arr = lost ? &c->lost : &c->gained;
    size_t *n = lost ? &c->nlost : &c->ngained;
    paths *a = sv_realloc(*arr, (*n + 1) * sizeof *a);
    if (!a) {
        c->rc = SV_ERR_NOMEM;
        return 1;
    }
    *arr = a;
    paths *p = &a[*n];
    memset(p, 0, sizeof *p);
    unsigned char *wkb = NULL;
    size_t len = 0;
    sv_geom *g = sv_unhex(v[1], &wkb, &len) == 0 ? sv_geom_from_wkb(c->h, wkb, len) : NULL;
    sv_free(wkb);
    if (!g || sv_geom_paths(c->h, g, &p->xy, &p->starts, &p->nparts) != 0) {
        sv_geom_destroy(c->h, g);
        c->rc = sv_error(c->ctx, SV_ERR_DATA, "the coverage_%s polygon cannot be read", lost ? "lost" : "gained");
        return 1;
    }
    sv_geom_destroy(c->h, g);
    (*n)++;
    return 0;
}

static int read_station(void *ud, int ncol, const char *const *names, const char *const *v)
{
    (void)names;
    sv_map_change *c = ud;
    if (!v || ncol < 5 || !v[0] || !v[1] || !v[2])
        return 0;
    moved_station *s = sv_realloc(c->st, (c->nst + 1) * sizeof *s);
    if (!s) {
        c->rc = SV_ERR_NOMEM;
        return 1;
    }
    c->st = s;
    s = &s[c->nst++];
    s->change = v[0][0];
    s->x = strtod(v[1], NULL);
    s->y = strtod(v[2], NULL);
    s->bx = v[3] ? strtod(v[3], NULL) : NAN;
    s->by = v[4] ? strtod(v[4], NULL) : NAN;
    return 0;
}

static int count_rows(void *ud, int ncol, const char *const *names, const char *const *v)
{
    (void)names;
    if (v && ncol > 0 && v[0])
        *(int *)ud = atoi(v[0]) > 0;
    return 0;
}

sv_status sv_map_change_load(sv_ctx *ctx, sv_store_reader *rd, sv_geos *h, const double *radii, int n,
                             sv_map_change **out)
{
    *out = NULL;
    int is_compare = 0;
    sv_status rc = sv_store_read(ctx, rd, "SELECT count(*) FROM compare_runs", NULL, NULL, 0, count_rows, &is_compare);
    if (rc != SV_OK || !is_compare || n < 1)
        return rc; /* an analysis, not a comparison */
    sv_map_change *c = sv_calloc(1, sizeof *c);
    if (!c)
        return SV_ERR_NOMEM;
    c->h = h;
    c->ctx = ctx;
    char r[64];
    const char *names[] = {"r"}, *vals[] = {r};
    /* the largest break with a change: a plan that fills the 10-minute gaps changes nothing at 15 minutes */
    c->brk = n - 1;
    for (int b = n - 1; b >= 0 && rc == SV_OK; b--) {
        int any = 0;
        snprintf(r, sizeof r, "%.17g", radii[b]);
        rc = sv_store_read(ctx, rd,
                           "SELECT (SELECT count(*) FROM coverage_gained WHERE abs(radius_m - :r) < 1e-6) +"
                           " (SELECT count(*) FROM coverage_lost WHERE abs(radius_m - :r) < 1e-6)",
                           names, vals, 1, count_rows, &any);
        if (any) {
            c->brk = b;
            break;
        }
    }
    snprintf(r, sizeof r, "%.17g", radii[c->brk]);
    if (rc == SV_OK)
        rc = sv_store_read(ctx, rd,
                       "SELECT 'gained', hex(ST_AsBinary(geom)) FROM coverage_gained WHERE abs(radius_m - :r) < 1e-6"
                       " UNION ALL SELECT 'lost', hex(ST_AsBinary(geom)) FROM coverage_lost"
                       " WHERE abs(radius_m - :r) < 1e-6",
                       names, vals, 1, read_change, c);
    if (rc == SV_OK && c->rc == SV_OK)
        rc = sv_store_read(ctx, rd,
                           "SELECT change, printf('%!.17g', ST_X(geom)), printf('%!.17g', ST_Y(geom)), base_x, base_y"
                           " FROM station_change WHERE abs(radius_m - :r) < 1e-6 ORDER BY station_id",
                           names, vals, 1, read_station, c);
    if (rc == SV_OK)
        rc = c->rc;
    if (rc != SV_OK) {
        sv_map_change_destroy(c);
        return rc;
    }
    *out = c;
    return SV_OK;
}

void sv_map_change_destroy(sv_map_change *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->ngained; i++) {
        sv_free(c->gained[i].xy);
        sv_free(c->gained[i].starts);
    }
    for (size_t i = 0; i < c->nlost; i++) {
        sv_free(c->lost[i].xy);
        sv_free(c->lost[i].starts);
    }
    sv_free(c->gained);
    sv_free(c->lost);
    sv_free(c->st);
    sv_free(c);
}

static void draw_paths(const paths *p, sv_canvas *cv, double s, double ox, double oy, const sv_rgba *fill,
                       const sv_rgba *stroke, const sv_rgba *hatch)
{
    if (!p->nparts)
        return;
    size_t n = p->starts[p->nparts];
    double *xy = sv_malloc(2 * (n ? n : 1) * sizeof *xy);
    if (!xy)
        return;
    for (size_t i = 0; i < n; i++) {
        xy[2 * i] = ox + p->xy[2 * i] * s;
        xy[2 * i + 1] = oy - p->xy[2 * i + 1] * s;
    }
    sv_canvas_path(cv, xy, p->starts, p->nparts, 1, fill, stroke, 0.9, hatch, 3.5);
    sv_free(xy);
}

void sv_map_change_draw_areas(const sv_map_change *c, sv_canvas *cv, double s, double ox, double oy)
{
    for (size_t i = 0; c && i < c->nlost; i++)
        draw_paths(&c->lost[i], cv, s, ox, oy, &LOST, &LOST_HATCH, &LOST_HATCH);
    for (size_t i = 0; c && i < c->ngained; i++)
        draw_paths(&c->gained[i], cv, s, ox, oy, &GAINED, &GAINED_EDGE, NULL);
}

static void cross(sv_canvas *cv, double x, double y, double r)
{
    sv_canvas_line(cv, x - r, y - r, x + r, y + r, &WHITE, 4);
    sv_canvas_line(cv, x - r, y + r, x + r, y - r, &WHITE, 4);
    sv_canvas_line(cv, x - r, y - r, x + r, y + r, &LOST_HATCH, 2.2);
    sv_canvas_line(cv, x - r, y + r, x + r, y - r, &LOST_HATCH, 2.2);
}

void sv_map_change_draw_stations(const sv_map_change *c, sv_canvas *cv, double s, double ox, double oy)
{
    for (size_t i = 0; c && i < c->nst; i++) {
        const moved_station *m = &c->st[i];
        double x = ox + m->x * s, y = oy - m->y * s;
        if (m->change == 'r') {
            cross(cv, x, y, 5);
            continue;
        }
        if (m->change == 'm' && isfinite(m->bx) && isfinite(m->by)) {
            double bx = ox + m->bx * s, by = oy - m->by * s;
            sv_canvas_line(cv, bx, by, x, y, &GAINED_EDGE, 1.4);
            cross(cv, bx, by, 3);
        }
        sv_canvas_symbol(cv, SV_SYM_CIRCLE, x, y, 7.5, NULL, &WHITE, 3.5);
        sv_canvas_symbol(cv, SV_SYM_CIRCLE, x, y, 7.5, NULL, &GAINED_EDGE, 2.2);
    }
}

int sv_map_change_break(const sv_map_change *c)
{
    return c ? c->brk : -1;
}

double sv_map_change_legend(const sv_map_change *c, sv_canvas *cv, sv_lang L, double x, double y,
                            const char *break_label)
{
    if (!c)
        return 0;
    double y0 = y;
    double xy[] = {x, y, x + 18, y, x + 18, y + 10, x, y + 10, x, y};
    size_t st[] = {0, 5};
    sv_canvas_rect(cv, x, y, 18, 10, &WHITE, NULL, 0);
    sv_canvas_path(cv, xy, st, 1, 1, &GAINED, &GAINED_EDGE, 0.5, NULL, 4);
    char buf[160];
    snprintf(buf, sizeof buf, sv_tr(L, "Coverage gained by the plan (%s)"), break_label);
    sv_canvas_text(cv, x + 24, y - 1, buf, 8, 0, &INK, NULL);
    y += 14;
    for (int k = 0; k < 10; k += 2)
        xy[k + 1] += 14;
    sv_canvas_rect(cv, x, y, 18, 10, &WHITE, NULL, 0);
    sv_canvas_path(cv, xy, st, 1, 1, &LOST, &LOST_HATCH, 0.5, &LOST_HATCH, 3.5);
    snprintf(buf, sizeof buf, sv_tr(L, "Coverage lost by the plan (%s)"), break_label);
    sv_canvas_text(cv, x + 24, y - 1, buf, 8, 0, &INK, NULL);
    y += 14;
    size_t na, nr, nm;
    sv_map_change_counts(c, &na, &nr, &nm);
    sv_canvas_symbol(cv, SV_SYM_CIRCLE, x + 9, y + 5, 5, NULL, &GAINED_EDGE, 2);
    snprintf(buf, sizeof buf, sv_tr(L, "Station added or moved (%zu, %zu)"), na, nm);
    sv_canvas_text(cv, x + 24, y - 1, buf, 8, 0, &INK, NULL);
    y += 14;
    cross(cv, x + 9, y + 5, 4);
    snprintf(buf, sizeof buf, sv_tr(L, "Station removed (%zu)"), nr);
    sv_canvas_text(cv, x + 24, y - 1, buf, 8, 0, &INK, NULL);
    y += 14;
    return y - y0;
}

void sv_map_change_counts(const sv_map_change *c, size_t *added, size_t *removed, size_t *moved)
{
    *added = *removed = *moved = 0;
    for (size_t i = 0; c && i < c->nst; i++)
        *(c->st[i].change == 'a' ? added : c->st[i].change == 'r' ? removed : moved) += 1;
}
