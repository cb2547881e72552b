/*
 * sv_poster.h - the friendly map (友好地图): a printable poster for one
 * compound (a district, a point with a name, or a polygon of a compounds
 * layer) showing the stations and friendly merchants within the largest
 * break from its entrance, numbered by walking time, with their services as
 * icons, a list beside the map in the same order, a legend, the date of the
 * data and an optional QR code. Drawn by the cairo/Pango canvas (src/adapters/render.h).
 *
 * A poster set is loaded once (sv_poster_load: the result database, the
 * street network of a network analysis rebuilt once, the merchants, the
 * compounds) and rendered for as many compounds as asked. The library
 * never prints: warnings go to the warn callback.
 */
#ifndef SV_POSTER_H
#define SV_POSTER_H

#include "svcov/sv_common.h"
#include "svcov/sv_io.h"
#include "svcov/sv_lang.h"
#include "svcov/sv_map.h" /* sv_canvas_format */

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef void (*sv_poster_warn_fn)(void *userdata, const char *message);

typedef enum { SV_POSTER_A4 = 0, SV_POSTER_A3 } sv_poster_paper;

typedef struct {
    sv_lang lang;
    const char *font;              /* a family to put first (NULL: Noto Sans CJK SC) */
    sv_poster_paper paper;
    int landscape;                 /* 0 portrait */
    const char *qr_url;            /* NULL: no QR code */
    const char *network;           /* PATH[:LAYER] of the streets; NULL: the analysis's (runs.network_path) */
    const sv_source_opts *merchants;  /* NULL: none */
    const sv_source_opts *compounds;  /* polygons; NULL: the districts of the database are the compounds */
    double dpi;                    /* PNG (0: 150) */
    sv_poster_warn_fn warn;
    void *warn_ud;
} sv_poster_options;

typedef struct sv_poster sv_poster;

/* Read what posters need. SV_ERR_INPUT for a database of another schema or
 * a street network that cannot be read; SV_ERR_USAGE for bad options (a QR
 * text too long, a merchants layer without names). Free with
 * sv_poster_destroy (NULL ok). */
sv_status sv_poster_load(sv_ctx *ctx, const char *db_path, const sv_poster_options *opt, sv_poster **out);
void sv_poster_destroy(sv_poster *p);

/* The compounds (the districts, or the --compounds polygons) in id order. */
size_t sv_poster_compound_count(const sv_poster *p);
const char *sv_poster_compound_id(const sv_poster *p, size_t i);
/* The index of a compound id, or SV_ERR_USAGE naming some that exist. */
sv_status sv_poster_find(sv_ctx *ctx, const sv_poster *p, const char *id, size_t *index);

/* One poster: a compound (index) or a point (at_lon/at_lat, with a name). */
typedef struct {
    long compound;        /* index, or -1 for the point */
    double at_lon, at_lat; /* WGS 84, compound -1 only */
    const char *name;     /* NULL: the compound's name (or "the point" for --at) */
    int has_entrance;     /* else the centroid (a point on the surface when the centroid lies outside) */
    double ent_lon, ent_lat;
} sv_poster_target;

/* A place on a poster, in the order of walking time. */
typedef struct {
    int merchant;         /* 0 station, 1 merchant */
    const char *id, *name, *services, *hours; /* owned by the poster, valid until the next render */
    unsigned icons;       /* bit i: SV_POSTER_ICON_* */
    double minutes, metres;
    int listed;           /* 1: numbered on the map and in the list (number = index + 1) */
    size_t src;           /* the poster set's own index of the place */
} sv_poster_place;

typedef enum {
    SV_POSTER_ICON_WATER = 0,
    SV_POSTER_ICON_CHARGING,
    SV_POSTER_ICON_MICROWAVE,
    SV_POSTER_ICON_REST,
    SV_POSTER_ICON_FIRST_AID,
    SV_POSTER_ICON_TOILET,
    SV_POSTER_ICON_OTHER,
    SV_POSTER_ICON_COUNT
} sv_poster_icon;

/* The icons of a services text: words separated by ; , / | + 、 ， ； or
 * spaces, each matched (any case) against the documented words in English
 * and Chinese (water, hot water, drinking_water, 热水, 开水, 饮水 ...); a word
 * none matches is SV_POSTER_ICON_OTHER. */
unsigned sv_poster_parse_services(const char *text);

typedef struct {
    const sv_poster_place *places; /* within reach, nearest first; then the nearest one outside when none is */
    size_t n_places, n_listed;
    size_t n_more_stations, n_more_merchants; /* within reach but not listed */
    int none_in_reach;             /* places[0] (if any) is the nearest station, outside the break */
    int along_streets;             /* 0: straight-line distances */
    double max_minutes, max_metres; /* the largest break */
    char title[512];
} sv_poster_result;

/* Draw one poster into path (written atomically). *res (may be NULL)
 * describes it; valid until the next render. */
sv_status sv_poster_render(sv_ctx *ctx, sv_poster *p, const sv_poster_target *t, sv_canvas_format fmt,
                           const char *path, sv_poster_result *res);

/* libqrencode's version (static string). */
const char *sv_qrencode_version(void);

#ifdef __cplusplus
}
#endif
#endif
