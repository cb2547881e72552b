/* map_layout.c - printable maps, the page's layout rules: world to page
 * coordinates, the boxes already taken (labels, symbols, scale bar, north arrow)
 * and whether a new label fits, text measured with a warning for missing glyphs,
 * the scale bar's round length. Used by output/map_draw.c. */
#include "output/map_internal.h"

#include <math.h>
#include <stdlib.h>

void sv_map_px(const page *p, double X, double Y, double *x, double *y)
{
    *x = p->ox + X * p->s;
    *y = p->oy - Y * p->s;
}

int sv_map_overlaps(const box *a, const box *b)
{
    return a->x0 < b->x1 && b->x0 < a->x1 && a->y0 < b->y1 && b->y0 < a->y1;
}

int sv_map_box_free(const page *p, const box *b)
{
    if (b->x0 < p->frame.x0 || b->y0 < p->frame.y0 || b->x1 > p->frame.x1 || b->y1 > p->frame.y1)
        return 0;
    for (size_t i = 0; i < p->nboxes; i++)
        if (sv_map_overlaps(b, &p->boxes[i]))
            return 0;
    return 1;
}

/* Free for a district name: inside the frame, clear of the labels, the scale bar and the north arrow, and clear
 * of the symbol boxes [from, to) grown by grow points (a symbol's points and stroke reach beyond the box that labels
 * beside it keep off, and the name's halo beyond its letters); grow < 0 lets the name lie over the symbols. */
int sv_map_name_box_free(const page *p, const box *b, size_t from, size_t to, double grow)
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
        if (sv_map_overlaps(b, &o))
            return 0;
    }
    return 1;
}

int sv_map_offset_cmp(const void *a, const void *b)
{
    double x = ((const offset *)a)->d2, y = ((const offset *)b)->d2;
    return x < y ? -1 : x > y;
}

void sv_map_box_add(page *p, box b)
{
    if (p->nboxes == p->capboxes) {
        size_t cap = p->capboxes ? 2 * p->capboxes : 256;
        box *nb = sv_realloc(p->boxes, cap * sizeof *nb);
        if (!nb)
            return;
        p->boxes = nb;
        p->capboxes = cap;
    }
    p->boxes[p->nboxes++] = b;
}

/* Measure text, warning once per text when glyphs are missing. */
void sv_map_measure(page *p, const char *text, double size, int bold, double *w, double *h)
{
    int unknown = sv_canvas_text_size(p->c, text, size, bold, w, h);
    if (unknown > 0) {
        p->n_missing++;
        sv_map_warnf(p->m, "no installed font has %d character%s of \"%s\"; drawn as boxes (install a font for that "
              "script, e.g. fonts-noto)", unknown, unknown == 1 ? "" : "s", text);
    }
}

void sv_map_nice_scale(double max_m, double *len_m)
{
    double e = pow(10, floor(log10(max_m)));
    double f = max_m / e;
    *len_m = (f >= 5 ? 5 : f >= 2 ? 2 : 1) * e;
}
