/*
 * sv_map.h - maps people can look at: a printable map of the whole city or
 * of one district (PNG, SVG or PDF through the cairo adapter) and a self-contained
 * interactive HTML map (Leaflet), both drawn from a result database.
 *
 * A map is loaded once (sv_map_load reads every layer it needs) and can
 * then be rendered many times (one page per district, the report's
 * figures). The library never prints: warnings (a label no font can draw,
 * an empty layer) go to the warn callback.
 *
 * Ownership: sv_map_load returns a new map the caller frees with sv_map_destroy (NULL ok); the
 * options' arrays are copied, the strings returned by sv_map_district_id/_name are borrowed from
 * the map. An in-memory PNG (sv_map_render with path NULL) is the caller's, freed with sv_free;
 * sv_map_break_filter's string with free(). Version strings are static.
 */
#ifndef SV_MAP_H
#define SV_MAP_H

#include "svcov/sv_common.h"
#include "svcov/sv_lang.h"
#include "svcov/sv_cncoords.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef void (*sv_map_warn_fn)(void *userdata, const char *message);

/* The file formats of printable maps. */
typedef enum { SV_CANVAS_PNG = 0, SV_CANVAS_SVG, SV_CANVAS_PDF } sv_canvas_format;

/* The versions of cairo and Pango, which draw the maps (static strings). */
const char *sv_cairo_version(void);
const char *sv_pango_version(void);

typedef enum { SV_MAP_PAGE_AUTO = 0, SV_MAP_PAGE_PORTRAIT, SV_MAP_PAGE_LANDSCAPE } sv_map_page;
typedef enum { SV_MAP_LABELS_AUTO = 0, SV_MAP_LABELS_ALL, SV_MAP_LABELS_NONE } sv_map_labels;

typedef struct {
    /* The breaks to draw: minutes (time breaks) or radii (distance breaks);
     * none given: every break of the analysis. Gaps are the largest one's. */
    const double *minutes;
    size_t n_minutes;
    const double *radii;
    size_t n_radii;
    const char *font;   /* a font family to put first (NULL: Noto Sans CJK SC) */
    sv_map_warn_fn warn; /* may be NULL */
    void *warn_ud;
    sv_lang lang;        /* the language of titles, legend and figures (0: English) */
    sv_coords coords;   /* HTML map: lon/lat in this system (GCJ-02, BD-09 for their tiles); 0 WGS 84 */
} sv_map_options;

typedef struct {
    const char *district_id;  /* NULL: the whole city */
    sv_map_page page;         /* A4, portrait or landscape (auto: the larger map) */
    double dpi;               /* PNG pixels per inch (0: 150) */
    int width_px, height_px;  /* PNG size in pixels (0: A4 at dpi) */
    const char *title;        /* NULL: the district's or the city's name */
    sv_map_labels labels;     /* station labels: auto leaves them out of crowded maps */
    const char *world_file;   /* PNG: also write an ESRI world file (.pgw) here (NULL: none) */
} sv_map_page_options;

typedef struct sv_map sv_map;

/* Read an svcov result database for drawing. SV_ERR_INPUT for a database
 * of another schema, SV_ERR_USAGE for a break it does not hold, SV_ERR_DATA
 * when it has no districts. Free with sv_map_destroy (NULL ok). */
sv_status sv_map_load(sv_ctx *ctx, const char *db_path, const sv_map_options *opt, sv_map **out);
void sv_map_destroy(sv_map *m);

/* Districts in id order; strings owned by the map. */
size_t sv_map_district_count(const sv_map *m);
const char *sv_map_district_id(const sv_map *m, size_t i);
const char *sv_map_district_name(const sv_map *m, size_t i);

/* Draw one page into path (written atomically), or for a PNG with
 * path == NULL into *png (freed with sv_free) and *len. An unknown
 * district id is SV_ERR_DATA naming some that exist. */
sv_status sv_map_render(sv_ctx *ctx, sv_map *m, const sv_map_page_options *po, sv_canvas_format fmt,
                        const char *path, unsigned char **png, size_t *len);

/* An atlas: one PDF with the city's page, then one page per district (each
 * A4 in its own orientation), written atomically to path. po's district,
 * pixel size and world file are ignored. */
sv_status sv_map_render_atlas(sv_ctx *ctx, sv_map *m, const sv_map_page_options *po, const char *path);

/* The interactive map: one HTML file with the layers as GeoJSON (WGS 84),
 * Leaflet and its stylesheet inlined, no network needed to open it. */
sv_status sv_map_write_html(sv_ctx *ctx, const char *db_path, const sv_map_options *opt, const char *title,
                            const char *path);

/* The Leaflet version inlined into HTML maps (static string). */
const char *sv_map_leaflet_version(void);

/* An SQL condition selecting the breaks asked for in o (--minutes/--radius),
 * on columns named PREFIX minutes / PREFIX radius_m; "1" when none was asked.
 * Any number of breaks; the caller frees the string with free(); NULL when out of memory. */
char *sv_map_break_filter(const sv_map_options *o, const char *prefix);

#ifdef __cplusplus
}
#endif
#endif
