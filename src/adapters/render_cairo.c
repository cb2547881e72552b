/* render_cairo.c - the only file that talks to cairo and Pango. */
#include "adapters/render.h"
#include "svcov/sv_lang.h"
#include "svcov/sv_text.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

struct sv_canvas {
    sv_canvas_format fmt;
    cairo_surface_t *surface;
    cairo_t *cr;
    PangoLayout *layout;
    char *font;
    char *path;
    char tmp[4600]; /* SVG/PDF: the file in its temporary folder (sv_tmp_create) */
    int fd;         /* SVG/PDF: tmp, written by to_file (-1 when not open) */
    int write_errno; /* the first failed write's errno (ENOSPC: a full disk is said so, not cairo's words) */
    int finished;
};

/* SVG/PDF pages into c->fd, keeping why a write failed (cairo's own files say only "error while writing"). */
static cairo_status_t to_file(void *closure, const unsigned char *data, unsigned int length)
{
    sv_canvas *c = closure;
    while (length > 0) {
        ssize_t w = write(c->fd, data, length);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (!c->write_errno)
                c->write_errno = w < 0 ? errno : ENOSPC;
            return CAIRO_STATUS_WRITE_ERROR;
        }
        data += w;
        length -= (unsigned int)w;
    }
    return CAIRO_STATUS_SUCCESS;
}

/* The end of the SVG/PDF file: closed, 0 or the errno of its first failed write (or of close). */
static int close_file(sv_canvas *c)
{
    if (c->fd >= 0 && close(c->fd) != 0 && !c->write_errno)
        c->write_errno = errno;
    c->fd = -1;
    return c->write_errno;
}

const char *sv_cairo_version(void)
{
    return cairo_version_string();
}

const char *sv_pango_version(void)
{
    return pango_version_string();
}

int sv_canvas_font_exists(const char *family)
{
    PangoFontMap *fm = pango_cairo_font_map_get_default(); /* borrowed */
    PangoFontFamily **fams = NULL;
    int n = 0, found = 0;
    pango_font_map_list_families(fm, &fams, &n);
    for (int i = 0; i < n && !found; i++)
        found = strcasecmp(pango_font_family_get_name(fams[i]), family) == 0;
    g_free(fams);
    return found;
}

sv_status sv_canvas_create(sv_ctx *ctx, sv_canvas_format fmt, const char *path, double page_w, double page_h,
                           double px_per_pt, const char *font, sv_canvas **out)
{
    *out = NULL;
    if (!(page_w > 0 && page_h > 0) || (fmt == SV_CANVAS_PNG && !(px_per_pt > 0)))
        return sv_error(ctx, SV_ERR_USAGE, "the page size %.1f x %.1f points is not usable", page_w, page_h);
    if (!path && fmt != SV_CANVAS_PNG)
        return sv_error(ctx, SV_ERR_INTERNAL, "SVG and PDF maps are written to a file");
    sv_canvas *c = sv_calloc(1, sizeof *c);
    if (!c)
        return SV_ERR_NOMEM;
    c->fmt = fmt;
    c->fd = -1;
    c->font = sv_strdup(font ? font : "Noto Sans CJK SC, DejaVu Sans, sans-serif");
    c->path = sv_strdup(path);
    if (path && fmt != SV_CANVAS_PNG) {
        sv_status st = sv_tmp_create(ctx, path, c->tmp, sizeof c->tmp);
        if (st != SV_OK) {
            sv_canvas_destroy(c);
            return st;
        }
        c->fd = open(c->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (c->fd < 0) {
            st = sv_write_error(ctx, path, errno);
            sv_canvas_destroy(c);
            return st;
        }
    }
    switch (fmt) {
    case SV_CANVAS_PNG: {
        int w = (int)lround(page_w * px_per_pt), h = (int)lround(page_h * px_per_pt);
        if (w < 16 || h < 16 || w > 20000 || h > 20000) {
            sv_canvas_destroy(c);
            return sv_error(ctx, SV_ERR_USAGE, "a %d x %d pixel image is out of range (16 to 20000 a side)", w, h);
        }
        c->surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
        break;
    }
    case SV_CANVAS_SVG:
        c->surface = cairo_svg_surface_create_for_stream(to_file, c, page_w, page_h);
        break;
    case SV_CANVAS_PDF:
        c->surface = cairo_pdf_surface_create_for_stream(to_file, c, page_w, page_h);
        if (cairo_surface_status(c->surface) == CAIRO_STATUS_SUCCESS)
            cairo_pdf_surface_set_metadata(c->surface, CAIRO_PDF_METADATA_CREATOR, "svcov " SV_VERSION);
        break;
    }
    if (!c->surface || cairo_surface_status(c->surface) != CAIRO_STATUS_SUCCESS) {
        sv_status st = sv_error(ctx, SV_ERR_OUTPUT, "cannot create %s: %s", path ? path : sv_tr(sv_ctx_lang(ctx), "the image"),
                                c->surface ? cairo_status_to_string(cairo_surface_status(c->surface)) : "?");
        sv_canvas_destroy(c);
        return st;
    }
    c->cr = cairo_create(c->surface);
    if (fmt == SV_CANVAS_PNG)
        cairo_scale(c->cr, px_per_pt, px_per_pt);
    /* a white page: PNG has no alpha, SVG/PDF viewers show white anyway */
    cairo_set_source_rgb(c->cr, 1, 1, 1);
    cairo_paint(c->cr);
    c->layout = pango_cairo_create_layout(c->cr);
    if (!c->cr || !c->layout || !c->font) {
        sv_canvas_destroy(c);
        return SV_ERR_NOMEM;
    }
    *out = c;
    return SV_OK;
}

void sv_canvas_destroy(sv_canvas *c)
{
    if (!c)
        return;
    if (c->layout)
        g_object_unref(c->layout);
    if (c->cr)
        cairo_destroy(c->cr);
    if (c->surface) {
        cairo_surface_finish(c->surface);
        cairo_surface_destroy(c->surface);
    }
    close_file(c);
    if (c->path && !c->finished && c->tmp[0])
        sv_tmp_remove(c->tmp);
    free(c->font);
    free(c->path);
    free(c);
}

static void set_rgba(cairo_t *cr, const sv_rgba *c)
{
    cairo_set_source_rgba(cr, c->r, c->g, c->b, c->a);
}

void sv_canvas_clip(sv_canvas *c, double x, double y, double w, double h)
{
    cairo_save(c->cr);
    cairo_rectangle(c->cr, x, y, w, h);
    cairo_clip(c->cr);
}

void sv_canvas_unclip(sv_canvas *c)
{
    cairo_restore(c->cr);
}

static void fill_stroke(cairo_t *cr, const sv_rgba *fill, const sv_rgba *stroke, double lw)
{
    if (fill) {
        set_rgba(cr, fill);
        if (stroke)
            cairo_fill_preserve(cr);
        else
            cairo_fill(cr);
    }
    if (stroke) {
        set_rgba(cr, stroke);
        cairo_set_line_width(cr, lw);
        cairo_stroke(cr);
    }
    cairo_new_path(cr);
}

void sv_canvas_rect(sv_canvas *c, double x, double y, double w, double h, const sv_rgba *fill,
                    const sv_rgba *stroke, double lw)
{
    cairo_rectangle(c->cr, x, y, w, h);
    fill_stroke(c->cr, fill, stroke, lw);
}

static void add_paths(cairo_t *cr, const double *xy, const size_t *starts, size_t nparts, int close)
{
    for (size_t p = 0; p < nparts; p++) {
        size_t a = starts[p], b = starts[p + 1];
        if (b <= a)
            continue;
        cairo_move_to(cr, xy[2 * a], xy[2 * a + 1]);
        for (size_t i = a + 1; i < b; i++)
            cairo_line_to(cr, xy[2 * i], xy[2 * i + 1]);
        if (close)
            cairo_close_path(cr);
    }
}

void sv_canvas_path(sv_canvas *c, const double *xy, const size_t *starts, size_t nparts, int close,
                    const sv_rgba *fill, const sv_rgba *stroke, double lw, const sv_rgba *hatch,
                    double hatch_spacing)
{
    cairo_t *cr = c->cr;
    if (nparts == 0)
        return;
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    add_paths(cr, xy, starts, nparts, close);
    if (fill) {
        set_rgba(cr, fill);
        cairo_fill_preserve(cr);
    }
    if (hatch && close && hatch_spacing > 0) {
        double x0, y0, x1, y1;
        cairo_save(cr);
        cairo_clip_preserve(cr);
        cairo_clip_extents(cr, &x0, &y0, &x1, &y1);
        cairo_new_path(cr);
        set_rgba(cr, hatch);
        cairo_set_line_width(cr, hatch_spacing / 6);
        /* lines x - y = k * spacing, in page space so the pattern does not drift */
        double kmin = floor((x0 - y1) / hatch_spacing), kmax = ceil((x1 - y0) / hatch_spacing);
        for (double k = kmin; k <= kmax; k++) {
            double d = k * hatch_spacing;
            cairo_move_to(cr, y0 + d, y0);
            cairo_line_to(cr, y1 + d, y1);
        }
        cairo_stroke(cr);
        cairo_restore(cr);
        add_paths(cr, xy, starts, nparts, close);
    }
    if (stroke) {
        set_rgba(cr, stroke);
        cairo_set_line_width(cr, lw);
        cairo_stroke(cr);
    }
    cairo_new_path(cr);
}

void sv_canvas_line(sv_canvas *c, double x0, double y0, double x1, double y1, const sv_rgba *stroke, double lw)
{
    cairo_move_to(c->cr, x0, y0);
    cairo_line_to(c->cr, x1, y1);
    fill_stroke(c->cr, NULL, stroke, lw);
}

void sv_canvas_symbol(sv_canvas *c, sv_symbol shape, double x, double y, double r, const sv_rgba *fill,
                      const sv_rgba *stroke, double lw)
{
    cairo_t *cr = c->cr;
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_MITER);
    switch (shape) {
    case SV_SYM_SQUARE:
        cairo_rectangle(cr, x - 0.85 * r, y - 0.85 * r, 1.7 * r, 1.7 * r);
        break;
    case SV_SYM_TRIANGLE:
        cairo_move_to(cr, x, y - 1.15 * r);
        cairo_line_to(cr, x + 1.05 * r, y + 0.75 * r);
        cairo_line_to(cr, x - 1.05 * r, y + 0.75 * r);
        cairo_close_path(cr);
        break;
    case SV_SYM_DIAMOND:
        cairo_move_to(cr, x, y - 1.2 * r);
        cairo_line_to(cr, x + 1.2 * r, y);
        cairo_line_to(cr, x, y + 1.2 * r);
        cairo_line_to(cr, x - 1.2 * r, y);
        cairo_close_path(cr);
        break;
    case SV_SYM_STAR:
        for (int i = 0; i < 10; i++) {
            double a = -M_PI / 2 + i * M_PI / 5, rr = (i % 2) ? 0.55 * r : 1.25 * r;
            if (i == 0)
                cairo_move_to(cr, x + rr * cos(a), y + rr * sin(a));
            else
                cairo_line_to(cr, x + rr * cos(a), y + rr * sin(a));
        }
        cairo_close_path(cr);
        break;
    default:
        cairo_new_sub_path(cr);
        cairo_arc(cr, x, y, r, 0, 2 * M_PI);
        break;
    }
    fill_stroke(cr, fill, stroke, lw);
}

void sv_canvas_north_arrow(sv_canvas *c, double x, double y, double h, const sv_rgba *ink)
{
    cairo_t *cr = c->cr;
    double w = h * 0.32;
    cairo_move_to(cr, x, y);
    cairo_line_to(cr, x + w, y + h);
    cairo_line_to(cr, x, y + 0.72 * h);
    cairo_close_path(cr);
    fill_stroke(cr, ink, ink, 0.8);
    cairo_move_to(cr, x, y);
    cairo_line_to(cr, x - w, y + h);
    cairo_line_to(cr, x, y + 0.72 * h);
    cairo_close_path(cr);
    sv_rgba white = {1, 1, 1, 1};
    fill_stroke(cr, &white, ink, 0.8);
}

static void layout_set(sv_canvas *c, const char *text, double size, int bold)
{
    PangoFontDescription *fd = pango_font_description_from_string(c->font);
    pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
    pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(c->layout, fd);
    pango_font_description_free(fd);
    pango_layout_set_text(c->layout, text ? text : "", -1);
}

int sv_canvas_text_size(sv_canvas *c, const char *text, double size, int bold, double *w, double *h)
{
    layout_set(c, text, size, bold);
    int pw = 0, ph = 0;
    pango_layout_get_size(c->layout, &pw, &ph);
    *w = (double)pw / PANGO_SCALE;
    *h = (double)ph / PANGO_SCALE;
    return pango_layout_get_unknown_glyphs_count(c->layout);
}

void sv_canvas_text(sv_canvas *c, double x, double y, const char *text, double size, int bold,
                    const sv_rgba *ink, const sv_rgba *halo)
{
    cairo_t *cr = c->cr;
    layout_set(c, text, size, bold);
    cairo_move_to(cr, x, y);
    if (halo) {
        pango_cairo_layout_path(cr, c->layout);
        set_rgba(cr, halo);
        cairo_set_line_width(cr, size / 4);
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
        cairo_stroke(cr);
        cairo_move_to(cr, x, y);
    }
    set_rgba(cr, ink);
    pango_cairo_show_layout(cr, c->layout);
    cairo_new_path(cr);
}

void sv_canvas_next_page(sv_canvas *c, double page_w, double page_h)
{
    cairo_show_page(c->cr);
    if (c->fmt == SV_CANVAS_PDF)
        cairo_pdf_surface_set_size(c->surface, page_w, page_h);
    cairo_set_source_rgb(c->cr, 1, 1, 1);
    cairo_paint(c->cr);
}

static cairo_status_t to_buf(void *closure, const unsigned char *data, unsigned int length)
{
    sv_buf *b = closure;
    sv_buf_add(b, data, length);
    return b->failed ? CAIRO_STATUS_NO_MEMORY : CAIRO_STATUS_SUCCESS;
}

sv_status sv_canvas_finish(sv_ctx *ctx, sv_canvas *c, unsigned char **png, size_t *len)
{
    if (png)
        *png = NULL;
    if (len)
        *len = 0;
    cairo_status_t cs = cairo_status(c->cr);
    if (cs == CAIRO_STATUS_WRITE_ERROR && c->write_errno) /* a page of an atlas on a full disk */
        return sv_write_error(ctx, c->path, c->write_errno);
    if (cs != CAIRO_STATUS_SUCCESS)
        return sv_error(ctx, SV_ERR_INTERNAL, "drawing %s failed: %s", c->path ? c->path : sv_tr(sv_ctx_lang(ctx), "the map"),
                        cairo_status_to_string(cs));
    g_object_unref(c->layout);
    c->layout = NULL;
    cairo_destroy(c->cr);
    c->cr = NULL;
    if (c->fmt == SV_CANVAS_PNG) {
        sv_buf b = {0};
        cairo_surface_flush(c->surface);
        cs = cairo_surface_write_to_png_stream(c->surface, to_buf, &b);
        if (cs != CAIRO_STATUS_SUCCESS || b.failed) {
            sv_buf_free(&b);
            return sv_error(ctx, SV_ERR_OUTPUT, "cannot encode the PNG image: %s", cairo_status_to_string(cs));
        }
        sv_status st = SV_OK;
        if (c->path) {
            st = sv_write_file_atomic(ctx, c->path, b.data, b.len);
            sv_buf_free(&b);
        } else if (png && len) {
            *png = (unsigned char *)b.data;
            *len = b.len;
        } else
            sv_buf_free(&b);
        c->finished = 1;
        return st;
    }
    cairo_surface_finish(c->surface);
    cs = cairo_surface_status(c->surface);
    int e = close_file(c);
    if (cs != CAIRO_STATUS_SUCCESS || e) {
        sv_tmp_remove(c->tmp);
        c->finished = 1;
        if (e)
            return sv_write_error(ctx, c->path, e);
        return sv_error(ctx, SV_ERR_OUTPUT, "cannot write %s: %s", c->path, cairo_status_to_string(cs));
    }
    c->finished = 1;
    return sv_commit_file(ctx, c->tmp, c->path, 1);
}
