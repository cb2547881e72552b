/* poster_layout.h - private to poster.c and poster_layout.c: the poster set
 * as loaded, and one poster's view (places, entrance, reach) to be laid out
 * and drawn. */
#ifndef SV_POSTER_LAYOUT_H
#define SV_POSTER_LAYOUT_H

#include "svcov/sv_geom.h"
#include "svcov/sv_network.h"
#include "svcov/sv_poster.h"
#include "svcov/sv_store.h"

typedef struct {
    double *xy;
    size_t *starts;
    size_t nparts;
} pst_shape;

typedef struct {
    char *id, *name;
    sv_geom *g; /* valid polygons, analysis CRS */
} pst_compound;

typedef struct {
    int merchant;
    char *id, *name, *services, *hours;
    double x, y;
    unsigned icons;
    sv_attach at; /* on the street network (network analyses) */
} pst_place;

typedef struct {
    char mode[32];
    double minutes; /* NAN: a distance break */
    double radius;
} pst_break;

struct sv_poster {
    sv_ctx *ctx;
    sv_store_reader *rd;
    sv_geos *h;
    sv_status st_read;
    char *font;
    sv_lang lang;
    sv_poster_paper paper;
    int landscape;
    double dpi;
    sv_poster_warn_fn warn;
    void *warn_ud;
    int srid;
    char finished[64], mode_name[32];
    int network_run, has_roads;
    char *run_network, *run_speeds;
    sv_coords network_coords;
    sv_snap snap;
    int access_legs;
    double max_snap_m, trim_m;
    pst_break *brks;
    size_t nb;
    pst_compound *cmp;
    size_t ncmp;
    pst_place *pl; /* the stations, then the merchants */
    size_t npl, capl, n_stations, n_merchants;
    sv_network *net;
    sv_travel_mode mode;
    sv_cost_kind kind;
    sv_labels lab;
    double acc, acc_len; /* the entrance's access leg */
    unsigned char *qr;
    int qr_w;
    char *qr_url;
    sv_poster_place *out; /* the last render's places */
};

typedef struct {
    sv_poster *p;
    sv_poster_place *places;
    size_t n, n_listed;
    int none_in_reach, along;
    double ex, ey;
    sv_attach entrance_attach;
    const sv_geom *area; /* the compound, NULL for a point */
    const char *name, *compound_id;
    double max_minutes, max_metres;
    char title[512];
    pst_shape streets;
    int streets_are_roads;
} pst_view;

/* The side of the QR code on the page, points. */
double poster_qr_side(const sv_poster *p);
/* Lay out and draw one poster (poster_layout.c). */
sv_status poster_draw(sv_ctx *ctx, pst_view *v, sv_canvas_format fmt, const char *path);
/* The area within break b from the entrance (poster.c; the caller destroys it; NULL: none). */
sv_geom *poster_reach_area(pst_view *v, size_t b);
/* The streets (or district outlines) meeting e into v->streets (poster.c). */
sv_status poster_read_streets(pst_view *v, const sv_env *e);
void poster_view_free(pst_view *v);

#endif
