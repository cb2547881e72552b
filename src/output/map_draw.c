/* map_draw.c - printable maps, part 2: page layout (panels, legend, scale bar,
 * figures), label placement without overlaps, symbols, and rendering to PNG, PDF,
 * SVG or an atlas through adapters/render.h (cairo). Reading: output/map_load.c. */
#include "output/map_internal.h"
#include "svcov/sv_lang.h"
#include "adapters/render.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

static void text(page *p, double x, double y, const char *t, double size, int bold, const sv_rgba *ink,
                 const sv_rgba *halo, double *w, double *h)
{
    double tw, th;
    sv_map_measure(p, t, size, bold, &tw, &th);
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
    if (!sv_map_overlaps(&e, &p->frame) && s->nparts)
        return;
    size_t n = s->starts[s->nparts];
    double *xy = sv_malloc(2 * (n ? n : 1) * sizeof *xy);
    if (!xy)
        return;
    for (size_t i = 0; i < n; i++)
        sv_map_px(p, s->xy[2 * i], s->xy[2 * i + 1], &xy[2 * i], &xy[2 * i + 1]);
    sv_canvas_path(p->c, xy, s->starts, s->nparts, close, fill, stroke, lw, hatch, spacing);
    free(xy);
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
    sv_map_nice_scale(frame_w * 0.25 / p->s, &len_m);
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
    sv_map_measure(p, half, 7, 0, &tw, &th);
    sv_canvas_text(p->c, x + w / 2 - tw / 2, y - 12, half, 7, 0, &INK, NULL);
    sv_map_measure(p, lbl, 7, 0, &tw, &th);
    sv_canvas_text(p->c, x + w - tw / 2, y - 12, lbl, 7, 0, &INK, NULL);
    const char *unit = sv_tr(L, "metres in the map's projection");
    sv_map_measure(p, unit, 5.5, 0, &tw, &th);
    sv_canvas_text(p->c, x, y + 5, unit, 5.5, 0, &GREY, NULL);
}

/* Label candidates around a symbol: right, left, above, below, diagonals. */
static int place_label(page *p, double x, double y, double r, const char *t, double size, const sv_rgba *ink)
{
    double w, h;
    sv_map_measure(p, t, size, 0, &w, &h);
    const double g = r + 1.5;
    const double cand[][2] = {{x + g, y - h / 2},         {x - g - w, y - h / 2},     {x - w / 2, y - g - h},
                              {x - w / 2, y + g},         {x + g * 0.7, y - g - h * 0.8}, {x + g * 0.7, y + g * 0.2},
                              {x - g * 0.7 - w, y - g - h * 0.8}, {x - g * 0.7 - w, y + g * 0.2}};
    for (size_t i = 0; i < sizeof cand / sizeof cand[0]; i++) {
        box b = {cand[i][0], cand[i][1], cand[i][0] + w, cand[i][1] + h};
        if (sv_map_box_free(p, &b)) {
            sv_canvas_text(p->c, b.x0, b.y0, t, size, 0, ink, &HALO);
            sv_map_box_add(p, b);
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
                 sv_map_break_label_in(L, &m->brks[m->nb - 1], lb, sizeof lb));
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
        snprintf(buf, sizeof buf, sv_tr(L, "Within %s of a station"), sv_map_break_label_in(L, &m->brks[i], lb, sizeof lb));
        text(p, x + 24, y - 1, buf, 8, 0, &INK, NULL, NULL, NULL);
        y += 14;
    }
    legend_swatch(p, x, y, &GAP, NULL, &HATCH, 0);
    snprintf(buf, sizeof buf, sv_tr(L, "Gap: beyond %s"), sv_map_break_label_in(L, &m->brks[m->nb - 1], lb, sizeof lb));
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
    y += 14;
    if (m->change)
        y += sv_map_change_legend(m->change, p->c, L, x, y,
                                  sv_map_break_label_in(L, &m->brks[sv_map_change_break(m->change)], lb, sizeof lb));
    y += 4;
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
        snprintf(buf, sizeof buf, sv_tr(L, "%s: %.1f %% of the area"), sv_map_break_label_in(L, &m->brks[i], lb, sizeof lb),
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
        snprintf(buf + o, size - o, sv_tr(L, "; gaps beyond %s"), sv_map_break_label_in(L, &m->brks[m->nb - 1], lb, sizeof lb));
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
        di = sv_map_district_index(m, po->district_id);
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
        sv_env_union(&e, d);
    }
    if (!(e.xmax > e.xmin) || !(e.ymax > e.ymin))
        return sv_error(ctx, SV_ERR_DATA, "%s: %s has no area to draw", m->db,
                        di >= 0 ? m->d[di].name : sv_tr(sv_ctx_lang(ctx), "the districts layer"));
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
    else if (m->change)
        snprintf(title, sizeof title, sv_tr(m->lang, "Station plan against the base run: %zu districts, %zu stations"),
                 m->nd, m->ns);
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
    sv_map_change_draw_areas(m->change, p.c, p.s, p.ox, p.oy);
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
    sv_map_box_add(&p, (box){p.frame.x1 - 30, p.frame.y0 + 6, p.frame.x1 - 6, p.frame.y0 + 46});
    sv_map_box_add(&p, (box){p.frame.x0, p.frame.y1 - 36, p.frame.x0 + 8 + 0.25 * fw + 60, p.frame.y1});
    /* stations: symbols first (labels keep clear of them), then labels */
    const double r = 3.8;
    size_t n_in_view = 0;
    for (size_t i = 0; i < m->ns; i++) {
        double x, y;
        sv_map_px(&p, m->st[i].x, m->st[i].y, &x, &y);
        box b = {x - r - 1, y - r - 1, x + r + 1, y + r + 1};
        if (!sv_map_overlaps(&b, &p.frame))
            continue;
        n_in_view++;
        sv_map_box_add(&p, b); /* district names keep clear of these */
    }
    const double rs = 6.5;
    for (size_t i = 0; i < m->nsites; i++) {
        double x, y;
        sv_map_px(&p, m->sites[i].x, m->sites[i].y, &x, &y);
        sv_map_box_add(&p, (box){x - rs, y - rs, x + rs, y + rs});
    }
    size_t n_symbol_boxes = p.nboxes, n_station_boxes = n_symbol_boxes - m->nsites;
    for (size_t i = 0; i < m->ns; i++) {
        double x, y;
        sv_map_px(&p, m->st[i].x, m->st[i].y, &x, &y);
        box b = {x - r - 1, y - r - 1, x + r + 1, y + r + 1};
        if (sv_map_overlaps(&b, &p.frame) && m->by_access) /* sized by the demand on each unit of capacity */
            sv_canvas_symbol(p.c, SV_SYM_CIRCLE, x, y, load_radius(m, m->load[i]),
                             isfinite(m->load[i]) ? &LOAD : &GREY, &WHITE, 0.8);
        else if (sv_map_overlaps(&b, &p.frame))
            sv_canvas_symbol(p.c, (sv_symbol)(m->st[i].cat % SV_SYM_COUNT), x, y, r,
                             &CAT_COLOURS[m->st[i].cat % (int)N_CAT_COLOURS], &WHITE, 0.8);
    }
    for (size_t i = 0; i < m->nsites; i++) {
        double x, y;
        sv_map_px(&p, m->sites[i].x, m->sites[i].y, &x, &y);
        sv_canvas_symbol(p.c, SV_SYM_STAR, x, y, rs, &SITE, &INK, 1.2);
    }
    sv_map_change_draw_stations(m->change, p.c, p.s, p.ox, p.oy);
    /* district names, over the symbols: at the place nearest the label point, inside the district, whose box meets
       no symbol, no placed label, the scale bar or the north arrow; smaller only when no place fits; failing that
       at the label point over the symbols, where the halo keeps it legible (never over another label) */
    sv_geos *gh = sv_geos_create();
    enum { NOFF = 17 * 17 };
    offset off[NOFF];
    for (size_t i = 0; i < m->nd; i++) {
        double x, y, w, h;
        sv_map_px(&p, m->d[i].lx, m->d[i].ly, &x, &y);
        int main_d = di < 0 || (int)i == di;
        double size = main_d ? (di >= 0 ? 13 : 9.5) : 8;
        const sv_rgba *ink = main_d ? &INK : &GREY;
        sv_map_measure(&p, m->d[i].name, size, 1, &w, &h);
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
            qsort(off, no, sizeof off[0], sv_map_offset_cmp);
            double grow = fs / 8 + 1; /* the halo, and a diamond's points past its box */
            for (int whole = 1; whole >= 0 && !placed_d; whole--)
                for (size_t c = 0; c < no && !placed_d; c++) {
                    box b = {x + off[c].dx - w / 2, y + off[c].dy - h / 2, x + off[c].dx + w / 2,
                             y + off[c].dy + h / 2};
                    if (!sv_map_name_box_free(&p, &b, 2, n_station_boxes, grow) ||
                        !sv_map_name_box_free(&p, &b, n_station_boxes, n_symbol_boxes, grow + 3))
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
                    sv_map_box_add(&p, b);
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
            if (sv_map_name_box_free(&p, &b, 2, n_symbol_boxes, -1)) {
                sv_canvas_text(p.c, b.x0, b.y0, m->d[i].name, size, 1, ink, &HALO);
                sv_map_box_add(&p, b);
                placed_d = 1;
            }
        }
    }
    sv_geos_destroy(gh);
    for (size_t i = 0; i < m->nsites; i++) {
        double x, y;
        char lbl[32];
        sv_map_px(&p, m->sites[i].x, m->sites[i].y, &x, &y);
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
                sv_map_px(&p, m->st[i].x, m->st[i].y, &x, &y);
                box b = {x, y, x, y};
                if (!sv_map_overlaps(&b, &p.frame))
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
    sv_map_measure(&p, north, 9, 1, &tw, &th);
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
