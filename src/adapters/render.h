/*
 * adapters/render.h (private to src/) - a small 2-D canvas for maps: pages in points (1/72 inch),
 * PNG, SVG or PDF output, filled and hatched paths, station symbols, and
 * text shaped by Pango (CJK and other scripts, fontconfig's font fallback).
 * Only adapters/render_cairo.c includes cairo and Pango.
 *
 * Coordinates are page points, y down. A canvas is created, drawn on and
 * finished once; sv_canvas_destroy (NULL ok) frees it in any state.
 */
#ifndef SV_ADAPTERS_RENDER_H
#define SV_ADAPTERS_RENDER_H

#include "svcov/sv_common.h"
#include "svcov/sv_map.h" /* sv_canvas_format */

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    double r, g, b, a; /* 0..1 */
} sv_rgba;

/* Symbol shapes for station categories. */
typedef enum { SV_SYM_CIRCLE = 0, SV_SYM_SQUARE, SV_SYM_TRIANGLE, SV_SYM_DIAMOND, SV_SYM_STAR, SV_SYM_COUNT } sv_symbol;

typedef struct sv_canvas sv_canvas;

/* A canvas of page_w x page_h points. PNG: px_per_pt pixels per point (the
 * image is round(page * px_per_pt) pixels). path: the file that
 * sv_canvas_finish writes atomically; NULL (PNG only) keeps it in memory.
 * font: the Pango family list for all text, e.g. "Noto Sans CJK SC, DejaVu Sans".
 * Free with sv_canvas_destroy. */
sv_status sv_canvas_create(sv_ctx *ctx, sv_canvas_format fmt, const char *path, double page_w, double page_h,
                           double px_per_pt, const char *font, sv_canvas **out);
void sv_canvas_destroy(sv_canvas *c);

/* 1 when fontconfig knows the family (case-insensitive), else 0. */
int sv_canvas_font_exists(const char *family);

void sv_canvas_clip(sv_canvas *c, double x, double y, double w, double h);
void sv_canvas_unclip(sv_canvas *c);
/* fill and stroke may be NULL. */
void sv_canvas_rect(sv_canvas *c, double x, double y, double w, double h, const sv_rgba *fill,
                    const sv_rgba *stroke, double lw);
/* Paths (see sv_geom_paths) in page points; close: rings (filled with the
 * even-odd rule, so holes stay open). hatch: diagonal lines every
 * hatch_spacing points inside the fill (NULL: none). */
void sv_canvas_path(sv_canvas *c, const double *xy, const size_t *starts, size_t nparts, int close,
                    const sv_rgba *fill, const sv_rgba *stroke, double lw, const sv_rgba *hatch,
                    double hatch_spacing);
void sv_canvas_line(sv_canvas *c, double x0, double y0, double x1, double y1, const sv_rgba *stroke, double lw);
void sv_canvas_symbol(sv_canvas *c, sv_symbol shape, double x, double y, double r, const sv_rgba *fill,
                      const sv_rgba *stroke, double lw);
/* A north arrow of height h with its tip at (x, y). */
void sv_canvas_north_arrow(sv_canvas *c, double x, double y, double h, const sv_rgba *ink);

/* The size of text at size points (bold 0/1); returns the number of
 * characters no installed font could draw (0 = all drawn). */
int sv_canvas_text_size(sv_canvas *c, const char *text, double size, int bold, double *w, double *h);
/* Text with its top-left corner at (x, y); halo: an outline behind the
 * letters in that colour (NULL: none). max_w > 0 wraps at that width. */
void sv_canvas_text(sv_canvas *c, double x, double y, const char *text, double size, int bold,
                    const sv_rgba *ink, const sv_rgba *halo);

/* End the current page and start a blank one of page_w x page_h points
 * (PDF: multi-page documents; other formats keep their first size). */
void sv_canvas_next_page(sv_canvas *c, double page_w, double page_h);

/* Finish the drawing: write the file (temporary name, then rename), or for
 * an in-memory PNG return it in *png (freed with sv_free) and *len. */
sv_status sv_canvas_finish(sv_ctx *ctx, sv_canvas *c, unsigned char **png, size_t *len);

#ifdef __cplusplus
}
#endif
#endif
