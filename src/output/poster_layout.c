/* poster_layout.c - the poster's page: title, map with numbered labels
 * placed with collision checks, the list beside it in the same order, the
 * service icons (vector paths, legible in black and white), legend, footer
 * with the data's date, QR code. Every text block lies in a "label box"
 * (outlined in LABEL_EDGE) that is inside the page and meets no other. */
#include "output/poster_layout.h"

#include "adapters/render.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define A4_W 595.28
#define A4_H 841.89
#define A3_W 841.89
#define A3_H 1190.55
#define MAX_LISTED 12
/* The smallest text on an A4 poster, points; scaled with the page (13.4 pt on A3, legible from a metre). */
#define MIN_PT 9.5

static const sv_rgba INK = {0.1, 0.1, 0.1, 1}, WHITE = {1, 1, 1, 1}, GREY = {0.55, 0.55, 0.55, 1},
                     STREET = {0.62, 0.62, 0.62, 1}, OUTLINE = {0.75, 0.75, 0.75, 1},
                     /* every label box is outlined in this colour and no other drawing uses it (tests read it) */
                     LABEL_EDGE = {0.2, 0.2, 0.2, 1}, PAPER = {0.97, 0.97, 0.97, 1},
                     STATION = {0.05, 0.27, 0.55, 1}, MERCHANT = {0.93, 0.55, 0.1, 1},
                     TITLE_BG = {0.05, 0.27, 0.55, 1}, NOTE_BG = {1, 0.93, 0.8, 1},
                     REACH_FILL[2] = {{0.36, 0.66, 0.36, 0.42}, {0.55, 0.8, 0.55, 0.30}},
                     REACH_EDGE = {0.25, 0.5, 0.25, 1}, ENTRANCE = {0.8, 0.1, 0.1, 1};

typedef struct {
    double x0, y0, x1, y1;
} box;

typedef struct {
    sv_canvas *c;
    pst_view *v;
    sv_poster *p;
    sv_lang L;
    double W, H, k, M;
    double fmin; /* the minimum font size */
    int missing;  /* characters no font could draw */
    char missing_text[160];
    box labels[256];
    size_t nlabels;
    box obst[256];
    size_t nobst;
    /* world -> page */
    double sx, ox, oy, wx0, wy1;
    box frame;
} lay;

/* ---- boxes ---- */

static int meets(const box *a, const box *b, double gap)
{
    return a->x0 < b->x1 + gap && b->x0 < a->x1 + gap && a->y0 < b->y1 + gap && b->y0 < a->y1 + gap;
}

static int inside(const box *a, const box *outer)
{
    return a->x0 >= outer->x0 && a->y0 >= outer->y0 && a->x1 <= outer->x1 && a->y1 <= outer->y1;
}

static void label_box(lay *l, box b, const sv_rgba *fill)
{
    sv_canvas_rect(l->c, b.x0, b.y0, b.x1 - b.x0, b.y1 - b.y0, fill, &LABEL_EDGE, 0.6 * l->k);
    if (l->nlabels < sizeof l->labels / sizeof l->labels[0])
        l->labels[l->nlabels++] = b;
}

/* ---- text ---- */

static void measure(lay *l, const char *t, double size, int bold, double *w, double *h)
{
    int bad = sv_canvas_text_size(l->c, t, size, bold, w, h);
    if (bad > 0) {
        if (!l->missing)
            snprintf(l->missing_text, sizeof l->missing_text, "%s", t);
        l->missing += bad;
    }
}

static void text(lay *l, double x, double y, const char *t, double size, int bold, const sv_rgba *ink)
{
    sv_canvas_text(l->c, x, y, t, size, bold, ink, NULL);
}

/* Bytes of the UTF-8 character at s. */
static size_t u8len(const char *s)
{
    unsigned char c = (unsigned char)*s;
    return c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
}

#define MAX_LINES 4
typedef struct {
    char line[MAX_LINES][400];
    int n;
    double w, h; /* the widest line, one line's height */
} lines;

/* Break t into lines of at most max_w points (at spaces when a line has one, else between characters, as Chinese
 * is written); at most max_lines, the last one cut with an ellipsis when the text is longer still. */
static void wrap(lay *l, const char *t, double size, int bold, double max_w, int max_lines, lines *out)
{
    memset(out, 0, sizeof *out);
    double w, h;
    measure(l, "Ag国", size, bold, &w, &out->h);
    const char *s = t ? t : "";
    while (*s && out->n < max_lines) {
        while (*s == ' ')
            s++;
        char *ln = out->line[out->n];
        size_t n = 0, last_space = 0;
        const char *rest = s;
        while (*rest) {
            size_t k = u8len(rest);
            if (n + k >= sizeof out->line[0] - 4)
                break;
            memcpy(ln + n, rest, k);
            ln[n + k] = '\0';
            measure(l, ln, size, bold, &w, &h);
            if (w > max_w && n > 0) {
                ln[n] = '\0';
                if (*rest != ' ' && last_space > 0 && (unsigned char)*rest < 0x80) { /* back to the last space */
                    rest -= n - last_space;
                    ln[last_space] = '\0';
                }
                break;
            }
            if (*rest == ' ')
                last_space = n;
            n += k;
            rest += k;
        }
        /* the last line allowed and text left: end it with an ellipsis that fits */
        if (*rest && out->n == max_lines - 1) {
            size_t m = strlen(ln);
            for (;;) {
                char tmp[410];
                snprintf(tmp, sizeof tmp, "%s…", ln);
                measure(l, tmp, size, bold, &w, &h);
                if (w <= max_w || m == 0) {
                    snprintf(ln, sizeof out->line[0], "%s", tmp);
                    break;
                }
                do
                    m--;
                while (m > 0 && ((unsigned char)ln[m] & 0xC0) == 0x80);
                ln[m] = '\0';
            }
            rest = "";
        }
        measure(l, ln, size, bold, &w, &h);
        out->w = fmax(out->w, w);
        out->n++;
        s = rest;
    }
    if (out->n == 0)
        out->n = 1;
}

static void draw_lines(lay *l, const lines *ls, double x, double y, double size, int bold, const sv_rgba *ink)
{
    for (int i = 0; i < ls->n; i++)
        text(l, x, y + i * ls->h, ls->line[i], size, bold, ink);
}

/* ---- words ---- */

static void fmt_minutes(sv_lang L, double minutes, char *buf, size_t size)
{
    int m = (int)ceil(minutes - 1e-9);
    snprintf(buf, size, sv_tr(L, "%d min"), m < 0 ? 0 : m);
}

static void fmt_metres(sv_lang L, double m, char *buf, size_t size)
{
    if (m < 1000)
        snprintf(buf, size, sv_tr(L, "%.0f m"), round(m / 10) * 10);
    else
        snprintf(buf, size, sv_tr(L, "%.1f km"), m / 1000);
}

static void fmt_reach(lay *l, char *buf, size_t size)
{
    const pst_view *v = l->v;
    const pst_break *b = &l->p->brks[l->p->nb - 1];
    if (isnan(b->minutes))
        fmt_metres(l->L, v->max_metres, buf, size);
    else
        snprintf(buf, size, sv_tr(l->L, "%d min"), (int)round(b->minutes));
}

static const char *icon_word(sv_lang L, int k)
{
    switch (k) {
    case SV_POSTER_ICON_WATER: return sv_tr(L, "Water");
    case SV_POSTER_ICON_CHARGING: return sv_tr(L, "Charging");
    case SV_POSTER_ICON_MICROWAVE: return sv_tr(L, "Microwave");
    case SV_POSTER_ICON_REST: return sv_tr(L, "Rest");
    case SV_POSTER_ICON_FIRST_AID: return sv_tr(L, "First aid");
    case SV_POSTER_ICON_TOILET: return sv_tr(L, "Toilet");
    default: return sv_tr(L, "Other");
    }
}

/* ---- icons: vector paths in a square of side s at (x, y) ---- */

static void poly(lay *l, double x, double y, double s, const double *pts, size_t n, const sv_rgba *fill,
                 const sv_rgba *stroke, double lw)
{
    double xy[64];
    size_t starts[2] = {0, n};
    for (size_t i = 0; i < n && i < 32; i++) {
        xy[2 * i] = x + pts[2 * i] * s;
        xy[2 * i + 1] = y + pts[2 * i + 1] * s;
    }
    sv_canvas_path(l->c, xy, starts, 1, 1, fill, stroke, lw, NULL, 0);
}

static void rect01(lay *l, double x, double y, double s, double x0, double y0, double x1, double y1)
{
    const double r[] = {x0, y0, x1, y0, x1, y1, x0, y1};
    poly(l, x, y, s, r, 4, &INK, NULL, 0);
}

static void disc01(lay *l, double x, double y, double s, double cx, double cy, double r)
{
    sv_canvas_symbol(l->c, SV_SYM_CIRCLE, x + cx * s, y + cy * s, r * s, &INK, NULL, 0);
}

static void draw_icon(lay *l, int kind, double x, double y, double s)
{
    sv_canvas_rect(l->c, x, y, s, s, &WHITE, &INK, 0.07 * s);
    switch (kind) {
    case SV_POSTER_ICON_WATER: { /* a drop */
        double pts[48];
        size_t n = 0;
        pts[n++] = 0.5;
        pts[n++] = 0.13;
        for (int i = 0; i <= 18; i++) {
            double a = (-28 + i * (236.0 / 18)) * M_PI / 180;
            pts[n++] = 0.5 + 0.24 * cos(a);
            pts[n++] = 0.62 + 0.24 * sin(a);
        }
        poly(l, x, y, s, pts, n / 2, &INK, NULL, 0);
        break;
    }
    case SV_POSTER_ICON_CHARGING: { /* a lightning bolt */
        static const double b[] = {0.6, 0.1, 0.25, 0.56, 0.47, 0.56, 0.38, 0.9, 0.76, 0.42, 0.54, 0.42, 0.66, 0.1};
        poly(l, x, y, s, b, 7, &INK, NULL, 0);
        break;
    }
    case SV_POSTER_ICON_MICROWAVE: { /* the oven, its window and two knobs */
        static const double o[] = {0.12, 0.26, 0.88, 0.26, 0.88, 0.74, 0.12, 0.74};
        poly(l, x, y, s, o, 4, NULL, &INK, 0.07 * s);
        rect01(l, x, y, s, 0.2, 0.34, 0.62, 0.66);
        disc01(l, x, y, s, 0.75, 0.41, 0.05);
        disc01(l, x, y, s, 0.75, 0.59, 0.05);
        break;
    }
    case SV_POSTER_ICON_REST: /* a chair */
        rect01(l, x, y, s, 0.26, 0.16, 0.36, 0.6);
        rect01(l, x, y, s, 0.26, 0.5, 0.76, 0.6);
        rect01(l, x, y, s, 0.26, 0.6, 0.34, 0.86);
        rect01(l, x, y, s, 0.68, 0.6, 0.76, 0.86);
        break;
    case SV_POSTER_ICON_FIRST_AID: { /* a cross, one outline (the even-odd fill of two bars would leave a hole) */
        static const double c[] = {0.39, 0.16, 0.61, 0.16, 0.61, 0.39, 0.84, 0.39, 0.84, 0.61, 0.61, 0.61,
                                   0.61, 0.84, 0.39, 0.84, 0.39, 0.61, 0.16, 0.61, 0.16, 0.39, 0.39, 0.39};
        poly(l, x, y, s, c, 12, &INK, NULL, 0);
        break;
    }
    case SV_POSTER_ICON_TOILET: { /* a man and a woman */
        disc01(l, x, y, s, 0.3, 0.22, 0.08);
        rect01(l, x, y, s, 0.22, 0.33, 0.38, 0.6);
        rect01(l, x, y, s, 0.23, 0.6, 0.29, 0.85);
        rect01(l, x, y, s, 0.31, 0.6, 0.37, 0.85);
        disc01(l, x, y, s, 0.7, 0.22, 0.08);
        static const double d[] = {0.7, 0.32, 0.84, 0.66, 0.56, 0.66};
        poly(l, x, y, s, d, 3, &INK, NULL, 0);
        rect01(l, x, y, s, 0.64, 0.66, 0.68, 0.85);
        rect01(l, x, y, s, 0.72, 0.66, 0.76, 0.85);
        sv_canvas_line(l->c, x + 0.5 * s, y + 0.14 * s, x + 0.5 * s, y + 0.86 * s, &INK, 0.04 * s);
        break;
    }
    default: /* three dots: something else */
        disc01(l, x, y, s, 0.27, 0.5, 0.08);
        disc01(l, x, y, s, 0.5, 0.5, 0.08);
        disc01(l, x, y, s, 0.73, 0.5, 0.08);
        break;
    }
}

/* ---- the map ---- */

static void to_page(const lay *l, double X, double Y, double *x, double *y)
{
    *x = l->ox + (X - l->wx0) * l->sx;
    *y = l->oy + (l->wy1 - Y) * l->sx;
}

static void draw_paths(lay *l, const double *wxy, const size_t *starts, size_t np, int close, const sv_rgba *fill,
                       const sv_rgba *stroke, double lw)
{
    if (!np)
        return;
    size_t npt = starts[np];
    double *xy = sv_malloc(2 * (npt ? npt : 1) * sizeof *xy);
    if (!xy)
        return;
    for (size_t i = 0; i < npt; i++)
        to_page(l, wxy[2 * i], wxy[2 * i + 1], &xy[2 * i], &xy[2 * i + 1]);
    sv_canvas_path(l->c, xy, starts, np, close, fill, stroke, lw, NULL, 0);
    sv_free(xy);
}

static void draw_geom(lay *l, const sv_geom *g, int close, const sv_rgba *fill, const sv_rgba *stroke, double lw)
{
    double *xy = NULL;
    size_t *starts = NULL, np = 0;
    if (g && sv_geom_paths(l->p->h, g, &xy, &starts, &np) == 0)
        draw_paths(l, xy, starts, np, close, fill, stroke, lw);
    sv_free(xy);
    sv_free(starts);
}

static void nice_length(double max_m, double *len)
{
    double p = pow(10, floor(log10(max_m)));
    *len = max_m >= 5 * p ? 5 * p : max_m >= 2 * p ? 2 * p : p;
}

/* b meets no obstacle and no label placed before (by gap). */
static int spot_free(const lay *l, const box *b, double gap)
{
    for (size_t i = 0; i < l->nobst; i++)
        if (meets(b, &l->obst[i], gap))
            return 0;
    for (size_t i = 0; i < l->nlabels; i++)
        if (meets(b, &l->labels[i], gap))
            return 0;
    return 1;
}

/* The first free spot for a label box of w x h near the marker at (x, y) of radius r: rings of 8, 12, 16...
 * positions farther and farther out, inside the frame, meeting no marker, symbol or label placed before. */
static int place_near(lay *l, double x, double y, double r, double w, double h, box *out)
{
    box in = {l->frame.x0 + 2 * l->k, l->frame.y0 + 2 * l->k, l->frame.x1 - 2 * l->k, l->frame.y1 - 2 * l->k};
    double gap = 1.5 * l->k;
    for (int ring = 0; ring < 40; ring++) {
        double d = r + 1.5 * l->k + ring * 0.6 * h;
        int npos = 8 + 4 * ring;
        for (int j = 0; j < npos; j++) {
            double a = -M_PI / 4 + 2 * M_PI * j / npos; /* up-right first, as labels are read */
            double ca = cos(a), sa = sin(a);
            /* the box's centre so that its edge is d from the marker's centre along direction a */
            double t = fmin(fabs(ca) > 1e-9 ? w / 2 / fabs(ca) : INFINITY, fabs(sa) > 1e-9 ? h / 2 / fabs(sa) : INFINITY);
            double cx = x + ca * (d + t), cy = y + sa * (d + t);
            box b = {cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2};
            if (!inside(&b, &in))
                continue;
            if (spot_free(l, &b, gap)) {
                *out = b;
                return 1;
            }
        }
    }
    /* a crowded frame: any free spot on a grid, with a leader line */
    for (double yy = in.y0; yy + h <= in.y1; yy += h / 2)
        for (double xx = in.x0; xx + w <= in.x1; xx += w / 2) {
            box b = {xx, yy, xx + w, yy + h};
            if (spot_free(l, &b, gap)) {
                *out = b;
                return 1;
            }
        }
    return 0;
}

static void obstacle(lay *l, double x0, double y0, double x1, double y1)
{
    if (l->nobst < sizeof l->obst / sizeof l->obst[0])
        l->obst[l->nobst++] = (box){x0, y0, x1, y1};
}

static void badge_size(lay *l, size_t i, double size, double *w, double *h)
{
    char t[16];
    snprintf(t, sizeof t, "%zu", i + 1);
    double tw, th;
    measure(l, "88", size, 1, &tw, &th);
    *w = tw + 0.7 * size;
    *h = th + 0.3 * size;
}

/* A number in a box: on the map a label box of its own; in a list row (in_row) part of the row's. */
static void draw_badge(lay *l, box b, size_t i, int merchant, double size, int in_row)
{
    char t[16];
    snprintf(t, sizeof t, "%zu", i + 1);
    double tw, th;
    measure(l, t, size, 1, &tw, &th);
    if (in_row)
        sv_canvas_rect(l->c, b.x0, b.y0, b.x1 - b.x0, b.y1 - b.y0, merchant ? &WHITE : &STATION, &INK, 0.6 * l->k);
    else
        label_box(l, b, merchant ? &WHITE : &STATION);
    text(l, (b.x0 + b.x1 - tw) / 2, (b.y0 + b.y1 - th) / 2, t, size, 1, merchant ? &INK : &WHITE);
}

static void marker(lay *l, int merchant, double x, double y, double r)
{
    if (merchant)
        sv_canvas_symbol(l->c, SV_SYM_DIAMOND, x, y, r * 1.15, &MERCHANT, &INK, 0.8 * l->k);
    else
        sv_canvas_symbol(l->c, SV_SYM_CIRCLE, x, y, r, &STATION, &WHITE, 1.0 * l->k);
}

static sv_status draw_map(lay *l, box fr)
{
    pst_view *v = l->v;
    sv_poster *p = l->p;
    sv_geos *h = p->h;
    l->frame = fr;
    sv_geom *reach[2] = {NULL, NULL};
    size_t nr = p->nb >= 2 ? 2 : 1;
    for (size_t i = 0; i < nr; i++) /* the largest break, then the one below */
        reach[i] = poster_reach_area(v, p->nb - 1 - i);
    sv_env e = {v->ex, v->ey, v->ex, v->ey};
    sv_env ge;
    if (reach[0] && sv_geom_envelope(h, reach[0], &ge) == 0)
        sv_env_union(&e, &ge);
    if (v->area && sv_geom_envelope(h, v->area, &ge) == 0)
        sv_env_union(&e, &ge);
    for (size_t i = 0; i < v->n; i++)
        sv_env_add_point(&e, p->pl[v->places[i].src].x, p->pl[v->places[i].src].y);
    double ew = fmax(e.xmax - e.xmin, 50), eh = fmax(e.ymax - e.ymin, 50);
    double pad = 0.07;
    double fw = fr.x1 - fr.x0, fh = fr.y1 - fr.y0;
    l->sx = fmin(fw / (ew * (1 + 2 * pad)), fh / (eh * (1 + 2 * pad)));
    double cx = (e.xmin + e.xmax) / 2, cy = (e.ymin + e.ymax) / 2;
    l->wx0 = cx - fw / 2 / l->sx;
    l->wy1 = cy + fh / 2 / l->sx;
    l->ox = fr.x0;
    l->oy = fr.y0;
    sv_env view = {l->wx0, l->wy1 - fh / l->sx, l->wx0 + fw / l->sx, l->wy1};
    sv_status st = poster_read_streets(v, &view);
    if (st != SV_OK) {
        sv_geom_destroy(h, reach[0]);
        sv_geom_destroy(h, reach[1]);
        return st;
    }

    sv_canvas_clip(l->c, fr.x0, fr.y0, fw, fh);
    sv_canvas_rect(l->c, fr.x0, fr.y0, fw, fh, &WHITE, NULL, 0);
    for (size_t i = 0; i < nr; i++)
        draw_geom(l, reach[i], 1, &REACH_FILL[nr - 1 - i == 0 ? 1 : 0], &REACH_EDGE, (i == 0 ? 1.0 : 0.6) * l->k);
    if (v->streets.nparts)
        draw_paths(l, v->streets.xy, v->streets.starts, v->streets.nparts, 0, NULL,
                   v->streets_are_roads ? &STREET : &OUTLINE, (v->streets_are_roads ? 0.8 : 1.2) * l->k);
    if (v->area)
        draw_geom(l, v->area, 1, NULL, &INK, 2.4 * l->k);
    double r = 5.0 * l->k;
    /* the places within reach that are not listed: small dots */
    for (size_t i = v->n_listed; i < v->n; i++) {
        double x, y;
        to_page(l, p->pl[v->places[i].src].x, p->pl[v->places[i].src].y, &x, &y);
        sv_canvas_symbol(l->c, v->places[i].merchant ? SV_SYM_DIAMOND : SV_SYM_CIRCLE, x, y, 2.2 * l->k, &GREY,
                         &WHITE, 0.5 * l->k);
    }
    double px[MAX_LISTED], py[MAX_LISTED];
    for (size_t i = 0; i < v->n_listed; i++) {
        to_page(l, p->pl[v->places[i].src].x, p->pl[v->places[i].src].y, &px[i], &py[i]);
        marker(l, v->places[i].merchant, px[i], py[i], r);
        obstacle(l, px[i] - r * 1.2, py[i] - r * 1.2, px[i] + r * 1.2, py[i] + r * 1.2);
    }
    double ex, ey, rs = 8.5 * l->k;
    to_page(l, v->ex, v->ey, &ex, &ey);
    sv_canvas_symbol(l->c, SV_SYM_STAR, ex, ey, rs, &ENTRANCE, &WHITE, 1.0 * l->k);
    obstacle(l, ex - rs, ey - rs, ex + rs, ey + rs);
    /* north arrow (top right) and scale bar (bottom left) */
    double na = 26 * l->k;
    sv_canvas_north_arrow(l->c, fr.x1 - 14 * l->k, fr.y0 + 8 * l->k, na, &INK);
    obstacle(l, fr.x1 - 26 * l->k, fr.y0 + 4 * l->k, fr.x1 - 2 * l->k, fr.y0 + 12 * l->k + na);
    double len;
    nice_length(fw / 4 / l->sx, &len);
    double bl = len * l->sx, bx = fr.x0 + 10 * l->k, by = fr.y1 - 10 * l->k;
    char lbl[32];
    fmt_metres(l->L, len, lbl, sizeof lbl);
    if (len >= 1000)
        snprintf(lbl, sizeof lbl, sv_tr(l->L, "%.0f km"), len / 1000);
    double tw, th, fs = l->fmin;
    measure(l, lbl, fs, 0, &tw, &th);
    sv_canvas_rect(l->c, bx - 3 * l->k, by - th - 8 * l->k, fmax(bl, tw) + 6 * l->k, th + 11 * l->k, &WHITE, NULL, 0);
    sv_canvas_rect(l->c, bx, by - 3 * l->k, bl, 3 * l->k, &INK, NULL, 0);
    text(l, bx, by - th - 6 * l->k, lbl, fs, 0, &INK);
    obstacle(l, bx - 3 * l->k, by - th - 8 * l->k, bx + fmax(bl, tw) + 3 * l->k, by + 3 * l->k);

    /* numbered labels, in the list's order, then the entrance's */
    double bs = fmax(l->fmin, 11 * l->k);
    for (size_t i = 0; i < v->n_listed; i++) {
        double w, hh;
        badge_size(l, i, bs, &w, &hh);
        box b;
        if (!place_near(l, px[i], py[i], r * 1.2, w, hh, &b))
            continue; /* cannot happen on a page this size: the list still shows it */
        double bcx = (b.x0 + b.x1) / 2, bcy = (b.y0 + b.y1) / 2;
        sv_canvas_line(l->c, px[i], py[i], bcx, bcy, &INK, 0.7 * l->k);
        marker(l, v->places[i].merchant, px[i], py[i], r); /* over the leader's start */
        draw_badge(l, b, i, v->places[i].merchant, bs, 0);
    }
    const char *ent = sv_tr(l->L, "Entrance");
    measure(l, ent, l->fmin, 1, &tw, &th);
    box b;
    if (place_near(l, ex, ey, rs, tw + 0.8 * l->fmin, th + 0.4 * l->fmin, &b)) {
        sv_canvas_line(l->c, ex, ey, (b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2, &ENTRANCE, 0.7 * l->k);
        sv_canvas_symbol(l->c, SV_SYM_STAR, ex, ey, rs, &ENTRANCE, &WHITE, 1.0 * l->k);
        label_box(l, b, &WHITE);
        text(l, b.x0 + 0.4 * l->fmin, b.y0 + 0.2 * l->fmin, ent, l->fmin, 1, &ENTRANCE);
    }
    sv_canvas_unclip(l->c);
    sv_canvas_rect(l->c, fr.x0, fr.y0, fw, fh, NULL, &GREY, 0.8 * l->k);
    sv_geom_destroy(h, reach[0]);
    sv_geom_destroy(h, reach[1]);
    return SV_OK;
}

/* ---- the list ---- */

typedef struct {
    lines name, detail2; /* name; hours or offers */
    char line2[160];     /* minutes and metres */
    double l2w, l2h, h;  /* width of line2's text, its height, the row's height */
    int icons_own_line;
    int one_line;        /* name, minutes and icons fit on one line */
} row;

typedef struct {
    double f_name, f_detail, icon, badge, pad;
    int compact; /* a row on one line where it fits (tried when two-line rows do not all fit) */
} fonts;

static void row_layout(lay *l, const sv_poster_place *q, const fonts *f, double w, row *r)
{
    memset(r, 0, sizeof *r);
    double bw, bh;
    badge_size(l, 0, f->badge, &bw, &bh);
    double tx = f->pad + bw + f->pad, tw = w - tx - f->pad;
    wrap(l, q->name, f->f_name, 1, tw, 2, &r->name);
    char mins[32], dist[32];
    fmt_minutes(l->L, q->minutes, mins, sizeof mins);
    fmt_metres(l->L, q->metres, dist, sizeof dist);
    snprintf(r->line2, sizeof r->line2, "%s · %s", mins, dist);
    measure(l, r->line2, f->f_detail, 1, &r->l2w, &r->l2h);
    int nic = 0;
    for (int k = 0; k < SV_POSTER_ICON_COUNT; k++)
        nic += (q->icons >> k) & 1;
    double icw = nic * (f->icon + 0.25 * f->icon);
    r->icons_own_line = nic && r->l2w + f->pad + icw > tw;
    r->one_line = f->compact && r->name.n == 1 && r->name.w + 1.5 * f->pad + r->l2w + (nic ? f->pad + icw : 0) <= tw;
    if (r->one_line)
        r->icons_own_line = 0;
    char extra[600] = "";
    if (q->merchant && q->services)
        snprintf(extra, sizeof extra, "%s", q->services);
    if (q->hours)
        snprintf(extra + strlen(extra), sizeof extra - strlen(extra), "%s%s%s", extra[0] ? " · " : "",
                 sv_tr(l->L, "Open: "), q->hours);
    if (extra[0])
        wrap(l, extra, f->f_detail, 0, tw, 2, &r->detail2);
    else
        r->detail2.n = 0;
    double line2h = fmax(r->l2h, nic ? f->icon : 0);
    if (r->one_line)
        r->h = f->pad * 0.6 + fmax(r->name.h, line2h) + (r->detail2.n ? 0.15 * f->f_name + r->detail2.n * r->detail2.h : 0) +
               f->pad * 0.6;
    else
    r->h = f->pad * 0.6 + r->name.n * r->name.h + 0.15 * f->f_name + line2h +
           (r->icons_own_line ? f->icon + 0.2 * f->f_detail : 0) + (r->detail2.n ? r->detail2.n * r->detail2.h : 0) +
           f->pad * 0.6;
    r->h = fmax(r->h, bh + 1.2 * f->pad);
}

static void row_draw(lay *l, const sv_poster_place *q, size_t i, const fonts *f, const row *r, double x, double y,
                     double w)
{
    label_box(l, (box){x, y, x + w, y + r->h}, q->merchant ? &NOTE_BG : &PAPER);
    double bw, bh;
    badge_size(l, i, f->badge, &bw, &bh);
    draw_badge(l, (box){x + f->pad, y + f->pad * 0.6, x + f->pad + bw, y + f->pad * 0.6 + bh}, i, q->merchant,
               f->badge, 1);
    double tx = x + f->pad + bw + f->pad, ty = y + f->pad * 0.6;
    if (r->one_line) { /* name, then minutes and icons on the same line */
        double lh = fmax(r->name.h, fmax(r->l2h, q->icons ? f->icon : 0));
        text(l, tx, ty + (lh - r->name.h) / 2, r->name.line[0], f->f_name, 1, &INK);
        double lx = tx + r->name.w + 1.5 * f->pad;
        text(l, lx, ty + (lh - r->l2h) / 2, r->line2, f->f_detail, 1, &INK);
        int k2 = 0;
        for (int k = 0; k < SV_POSTER_ICON_COUNT; k++)
            if ((q->icons >> k) & 1)
                draw_icon(l, k, lx + r->l2w + f->pad + 1.25 * f->icon * k2++, ty + (lh - f->icon) / 2, f->icon);
        if (r->detail2.n)
            draw_lines(l, &r->detail2, tx, ty + lh + 0.15 * f->f_name, f->f_detail, 0, &INK);
        return;
    }
    draw_lines(l, &r->name, tx, ty, f->f_name, 1, &INK);
    ty += r->name.n * r->name.h + 0.15 * f->f_name;
    text(l, tx, ty, r->line2, f->f_detail, 1, &INK);
    double ix = r->icons_own_line ? tx : tx + r->l2w + f->pad, iy = r->icons_own_line ? ty + r->l2h + 0.2 * f->f_detail
                                                                                       : ty + (r->l2h - f->icon) / 2;
    int nic = 0;
    for (int k = 0; k < SV_POSTER_ICON_COUNT; k++)
        if ((q->icons >> k) & 1) {
            draw_icon(l, k, ix + nic * 1.25 * f->icon, iy, f->icon);
            nic++;
        }
    ty += fmax(r->l2h, nic && !r->icons_own_line ? f->icon : 0) + (r->icons_own_line ? f->icon + 0.2 * f->f_detail : 0);
    if (r->detail2.n)
        draw_lines(l, &r->detail2, tx, ty, f->f_detail, 0, &INK);
}

/* Lay the rows into ncol columns of the box; returns how many fit (all of n when they do). */
static size_t list_fit(lay *l, const fonts *f, box region, int ncol, size_t n, double top, row *rows, double *colx,
                       double *rowy, double colw)
{
    const pst_view *v = l->v;
    double gap = 4 * l->k;
    int col = 0;
    double y = region.y0 + top;
    size_t i;
    for (i = 0; i < n; i++) {
        row_layout(l, &v->places[i], f, colw, &rows[i]);
        if (y + rows[i].h > region.y1) {
            if (++col >= ncol)
                break;
            y = region.y0 + top;
            if (y + rows[i].h > region.y1)
                break;
        }
        colx[i] = region.x0 + col * (colw + gap * 2);
        rowy[i] = y;
        y += rows[i].h + gap;
    }
    return i;
}

/* The list: a note when no station is in reach, the rows, the count of the others. dry: only how many rows fit
 * at the full text size (nothing drawn). */
static size_t draw_list(lay *l, box region, int ncol, int dry)
{
    pst_view *v = l->v;
    double gap = 4 * l->k, colw = (region.x1 - region.x0 - (ncol - 1) * gap * 2) / ncol;
    char note[800] = "", more[300] = "", reach[32];
    fmt_reach(l, reach, sizeof reach);
    if (v->none_in_reach) {
        if (v->n > 0) {
            char mins[32], dist[32];
            fmt_minutes(l->L, v->places[0].minutes, mins, sizeof mins);
            fmt_metres(l->L, v->places[0].metres, dist, sizeof dist);
            snprintf(note, sizeof note, sv_tr(l->L, "No station within %s of the entrance. The nearest one: %s, %s "
                                                    "(%s)."), reach, v->places[0].name, mins, dist);
        } else
            snprintf(note, sizeof note, sv_tr(l->L, "No station within %s of the entrance, and none can be reached."),
                     reach);
    }
    fonts f0 = {12 * l->k, 10.5 * l->k, 13 * l->k, 11 * l->k, 5 * l->k, 0};
    size_t want = v->n < MAX_LISTED ? v->n : MAX_LISTED;
    row rows[MAX_LISTED];
    double colx[MAX_LISTED], rowy[MAX_LISTED];
    lines nl = {0}, ml = {0};
    double top = 0, bottom = 0;
    fonts f = f0;
    size_t fit = 0;
    for (int step = -1;; step++) { /* -1: rows of two lines at the full size; then compact rows, smaller */
        double s = fmax(1 - 0.07 * (step < 0 ? 0 : step), 0);
        f = (fonts){fmax(f0.f_name * s, l->fmin), fmax(f0.f_detail * s, l->fmin), fmax(f0.icon * s, l->fmin * 1.2),
                    fmax(f0.badge * s, l->fmin), fmax(f0.pad * s, 3 * l->k), step >= 0};
        top = 0;
        if (note[0]) {
            wrap(l, note, f.f_detail, 1, region.x1 - region.x0 - 2 * f.pad, MAX_LINES, &nl);
            top = nl.n * nl.h + 2 * f.pad + gap;
        }
        fit = list_fit(l, &f, (box){region.x0, region.y0, region.x1, region.y1 - 3 * f.f_detail}, ncol, want, top,
                       rows, colx, rowy, colw);
        int at_min = f.f_detail <= l->fmin + 1e-9 && f.f_name <= l->fmin + 1e-9;
        if (fit == want || at_min || dry)
            break;
    }
    if (dry)
        return fit == want;
    v->n_listed = fit;
    for (size_t i = 0; i < v->n; i++)
        v->places[i].listed = i < fit;
    size_t n_st = 0, n_me = 0;
    for (size_t i = fit; i < v->n; i++) {
        if (v->places[i].merchant)
            n_me++;
        else
            n_st++;
    }
    if (n_st || n_me)
        snprintf(more, sizeof more, sv_tr(l->L, "+ %zu more within %s, not listed: %zu stations, %zu merchants"),
                 n_st + n_me, reach, n_st, n_me);
    if (note[0]) {
        box b = {region.x0, region.y0, region.x1, region.y0 + nl.n * nl.h + 2 * f.pad};
        label_box(l, b, &NOTE_BG);
        draw_lines(l, &nl, b.x0 + f.pad, b.y0 + f.pad, f.f_detail, 1, &INK);
    }
    for (size_t i = 0; i < fit; i++)
        row_draw(l, &v->places[i], i, &f, &rows[i], colx[i], rowy[i], colw);
    if (more[0]) {
        double yb = region.y0 + top;
        for (size_t i = 0; i < fit; i++)
            if (colx[i] == region.x0 || ncol == 1)
                yb = fmax(yb, rowy[i] + rows[i].h);
        for (size_t i = 0; i < fit; i++)
            yb = fmax(yb, rowy[i] + rows[i].h);
        wrap(l, more, f.f_detail, 0, region.x1 - region.x0 - 2 * f.pad, 2, &ml);
        box b = {region.x0, yb + gap, region.x1, yb + gap + ml.n * ml.h + f.pad};
        if (b.y1 <= region.y1 + 1e-6) {
            label_box(l, b, &WHITE);
            draw_lines(l, &ml, b.x0 + f.pad, b.y0 + f.pad / 2, f.f_detail, 0, &INK);
        }
    }
    (void)bottom;
    return fit;
}

/* ---- legend, footer, QR ---- */

double poster_qr_side(const sv_poster *p)
{
    return (p->paper == SV_POSTER_A3 ? A3_W / A4_W : 1.0) * 92;
}

typedef struct {
    int kind; /* 0 station, 1 merchant, 2 entrance, 3 compound, 4 inner area, 5 outer area, 10+ icon */
    char word[160];
    double w;
} legend_item;

static double legend_layout(lay *l, legend_item *it, size_t n, double width, double f, int draw, double x0,
                            double y0)
{
    double sym = f * 1.3, gap = f * 0.9, lh = fmax(sym, f * 1.35) + f * 0.35;
    double x = x0, y = y0;
    for (size_t i = 0; i < n; i++) {
        double tw, th;
        measure(l, it[i].word, f, 0, &tw, &th);
        double w = sym + f * 0.4 + tw;
        if (x > x0 && x + w > x0 + width) {
            x = x0;
            y += lh;
        }
        if (draw) {
            double cx = x + sym / 2, cy = y + lh / 2 - f * 0.15;
            switch (it[i].kind) {
            case 0: marker(l, 0, cx, cy, sym * 0.38); break;
            case 1: marker(l, 1, cx, cy, sym * 0.38); break;
            case 2: sv_canvas_symbol(l->c, SV_SYM_STAR, cx, cy, sym * 0.5, &ENTRANCE, &WHITE, 0.8 * l->k); break;
            case 3: sv_canvas_rect(l->c, x + 1, cy - sym * 0.35, sym - 2, sym * 0.7, NULL, &INK, 2 * l->k); break;
            case 4:
            case 5:
                sv_canvas_rect(l->c, x, cy - sym * 0.35, sym, sym * 0.7, &WHITE, NULL, 0);
                sv_canvas_rect(l->c, x, cy - sym * 0.35, sym, sym * 0.7, &REACH_FILL[1], &REACH_EDGE, 0.6 * l->k);
                if (it[i].kind == 4)
                    sv_canvas_rect(l->c, x, cy - sym * 0.35, sym, sym * 0.7, &REACH_FILL[0], NULL, 0);
                break;
            default: draw_icon(l, it[i].kind - 10, x, cy - sym / 2, sym); break;
            }
            text(l, x + sym + f * 0.4, cy - th / 2, it[i].word, f, 0, &INK);
        }
        x += w + gap;
    }
    return y + lh - y0;
}

/* ---- the page ---- */

sv_status poster_draw(sv_ctx *ctx, pst_view *v, sv_canvas_format fmt, const char *path)
{
    sv_poster *p = v->p;
    lay *l = sv_calloc(1, sizeof *l);
    if (!l)
        return sv_error(ctx, SV_ERR_NOMEM, "out of memory");
    l->v = v;
    l->p = p;
    l->L = p->lang;
    l->k = p->paper == SV_POSTER_A3 ? A3_W / A4_W : 1.0;
    double w0 = p->paper == SV_POSTER_A3 ? A3_W : A4_W, h0 = p->paper == SV_POSTER_A3 ? A3_H : A4_H;
    l->W = p->landscape ? h0 : w0;
    l->H = p->landscape ? w0 : h0;
    l->M = 22 * l->k;
    l->fmin = MIN_PT * l->k;
    sv_status st = sv_canvas_create(ctx, fmt, path, l->W, l->H, p->dpi / 72.0, p->font, &l->c);
    if (st != SV_OK) {
        sv_free(l);
        return st;
    }
    const double M = l->M, k = l->k, gap = 10 * k;
    sv_canvas_rect(l->c, 0, 0, l->W, l->H, &WHITE, NULL, 0);

    /* title */
    char reach[32], sub[600];
    fmt_reach(l, reach, sizeof reach);
    snprintf(v->title, sizeof v->title, sv_tr(l->L, "%s rider-friendly map"), v->name);
    snprintf(sub, sizeof sub, v->along ? sv_tr(l->L, "Rider stations and friendly merchants within %s of the "
                                                     "entrance along the streets, nearest first")
                                       : sv_tr(l->L, "Rider stations and friendly merchants within %s of the "
                                                     "entrance in a straight line (no street network), nearest first"),
             reach);
    double tf = 24 * k, sf = fmax(11 * k, l->fmin), pad = 8 * k;
    lines tl, sl;
    wrap(l, v->title, tf, 1, l->W - 2 * M - 2 * pad, 2, &tl);
    if (tl.n > 1) {
        tf = 19 * k;
        wrap(l, v->title, tf, 1, l->W - 2 * M - 2 * pad, 2, &tl);
    }
    wrap(l, sub, sf, 0, l->W - 2 * M - 2 * pad, 2, &sl);
    box tb = {M, M, l->W - M, M + pad + tl.n * tl.h + 2 * k + sl.n * sl.h + pad};
    label_box(l, tb, &TITLE_BG);
    draw_lines(l, &tl, tb.x0 + pad, tb.y0 + pad, tf, 1, &WHITE);
    draw_lines(l, &sl, tb.x0 + pad, tb.y0 + pad + tl.n * tl.h + 2 * k, sf, 0, &WHITE);

    /* bottom band: legend and footer on the left, the QR code on the right */
    double qs = p->qr ? poster_qr_side(p) : 0, qcap = 0;
    lines ql = {0};
    if (p->qr) {
        wrap(l, sv_tr(l->L, "Scan for the online map"), l->fmin, 0, qs, 2, &ql);
        qcap = ql.n * ql.h + 4 * k;
    }
    double lw = l->W - 2 * M - (p->qr ? qs + 2 * pad + gap : 0);
    legend_item items[16];
    size_t ni = 0;
    const pst_break *big = &p->brks[p->nb - 1], *small = p->nb >= 2 ? &p->brks[p->nb - 2] : NULL;
    items[ni++] = (legend_item){0, "", 0};
    snprintf(items[ni - 1].word, sizeof items[0].word, "%s", sv_tr(l->L, "Rider station (number: order of time)"));
    if (p->n_merchants) {
        items[ni++] = (legend_item){1, "", 0};
        snprintf(items[ni - 1].word, sizeof items[0].word, "%s", sv_tr(l->L, "Friendly merchant"));
    }
    items[ni++] = (legend_item){2, "", 0};
    snprintf(items[ni - 1].word, sizeof items[0].word, "%s", sv_tr(l->L, "Entrance"));
    if (v->area) {
        items[ni++] = (legend_item){3, "", 0};
        snprintf(items[ni - 1].word, sizeof items[0].word, "%s", sv_tr(l->L, "Compound"));
    }
    char bw[32];
    if (small) {
        if (isnan(small->minutes))
            fmt_metres(l->L, small->radius, bw, sizeof bw);
        else
            snprintf(bw, sizeof bw, sv_tr(l->L, "%d min"), (int)round(small->minutes));
        items[ni++] = (legend_item){4, "", 0};
        snprintf(items[ni - 1].word, sizeof items[0].word, sv_tr(l->L, "Within %s"), bw);
    }
    (void)big;
    items[ni++] = (legend_item){5, "", 0};
    snprintf(items[ni - 1].word, sizeof items[0].word, sv_tr(l->L, "Within %s"), reach);
    for (int kk = 0; kk < SV_POSTER_ICON_COUNT; kk++) {
        items[ni++] = (legend_item){10 + kk, "", 0};
        snprintf(items[ni - 1].word, sizeof items[0].word, "%s", icon_word(l->L, kk));
    }
    double lf = l->fmin;
    double legend_h = legend_layout(l, items, ni, lw - 2 * pad, lf, 0, 0, 0);
    char date[96] = "", foot[900];
    if (p->finished[0])
        sv_lang_date(l->L, p->finished, date, sizeof date);
    snprintf(foot, sizeof foot, sv_tr(l->L, "Data of %s. %s Times are upper bounds, rounded up to the minute."),
             date[0] ? date : "?", v->along ? sv_tr(l->L, "Walking times along the streets.")
                                            : sv_tr(l->L, "Distances in a straight line: this analysis has no street "
                                                          "network."));
    lines fl;
    wrap(l, foot, lf, 0, lw - 2 * pad, 3, &fl);
    double foot_h = fl.n * fl.h + pad;
    double band_h = fmax(legend_h + 2 * pad + 4 * k + foot_h, p->qr ? qs + 2 * pad + qcap : 0);
    double band_y = l->H - M - band_h;
    box lb = {M, band_y, M + lw, band_y + legend_h + 2 * pad};
    label_box(l, lb, &WHITE);
    legend_layout(l, items, ni, lw - 2 * pad, lf, 1, lb.x0 + pad, lb.y0 + pad);
    box fb = {M, l->H - M - foot_h, M + lw, l->H - M};
    if (fb.y0 < lb.y1 + 4 * k)
        fb.y0 = lb.y1 + 4 * k;
    label_box(l, fb, &WHITE);
    draw_lines(l, &fl, fb.x0 + pad, fb.y0 + pad / 2, lf, 0, &INK);
    if (p->qr) {
        box qb = {l->W - M - qs - 2 * pad, band_y, l->W - M, band_y + qs + 2 * pad + qcap};
        label_box(l, qb, &WHITE);
        double m = qs / (p->qr_w + 8); /* the quiet zone: 4 modules each side */
        double qx = qb.x0 + pad + 4 * m, qy = qb.y0 + pad + 4 * m;
        for (int yy = 0; yy < p->qr_w; yy++)
            for (int xx = 0; xx < p->qr_w; xx++)
                if (p->qr[yy * p->qr_w + xx]) {
                    /* runs of dark modules as one rectangle: fewer paths, no hairline seams */
                    int x1 = xx;
                    while (x1 + 1 < p->qr_w && p->qr[yy * p->qr_w + x1 + 1])
                        x1++;
                    sv_canvas_rect(l->c, qx + xx * m, qy + yy * m, (x1 - xx + 1) * m, m, &INK, NULL, 0);
                    xx = x1;
                }
        draw_lines(l, &ql, qb.x0 + pad, qb.y0 + pad + qs + 2 * k, l->fmin, 0, &INK);
    }

    /* the middle: map and list */
    box mid = {M, tb.y1 + gap, l->W - M, band_y - gap};
    box map, list;
    int ncol;
    if (p->landscape) {
        double mw = (mid.x1 - mid.x0) * 0.58;
        map = (box){mid.x0, mid.y0, mid.x0 + mw, mid.y1};
        list = (box){mid.x0 + mw + gap, mid.y0, mid.x1, mid.y1};
        ncol = 1;
    } else {
        /* the map as large as the list leaves room for at the full text size, between 40% and 62% */
        double share = 0.62;
        ncol = 2;
        for (; share > 0.40; share -= 0.02) {
            double mh = (mid.y1 - mid.y0) * share;
            if (draw_list(l, (box){mid.x0, mid.y0 + mh + gap, mid.x1, mid.y1}, ncol, 1))
                break;
        }
        double mh = (mid.y1 - mid.y0) * share;
        map = (box){mid.x0, mid.y0, mid.x1, mid.y0 + mh};
        list = (box){mid.x0, mid.y0 + mh + gap, mid.x1, mid.y1};
    }
    draw_list(l, list, ncol, 0); /* first: it decides how many places are numbered */
    st = draw_map(l, map);
    if (st == SV_OK && l->missing)
        if (p->warn) {
            char msg[400];
            snprintf(msg, sizeof msg, "%d character%s on the poster no installed font can draw (e.g. in \"%s\"); "
                     "install fonts-noto-cjk or name a font with --font", l->missing, l->missing == 1 ? "" : "s",
                     l->missing_text);
            p->warn(p->warn_ud, msg);
        }
    poster_view_free(v);
    if (st == SV_OK)
        st = sv_canvas_finish(ctx, l->c, NULL, NULL);
    sv_canvas_destroy(l->c);
    sv_free(l);
    return st;
}
