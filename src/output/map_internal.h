/* map_internal.h - what the printable-map files share: the layers read from a
 * result database (output/map_load.c) and drawn (output/map_draw.c). Private to
 * src/output/. */
#ifndef SV_OUTPUT_MAP_INTERNAL_H
#define SV_OUTPUT_MAP_INTERNAL_H

#include "svcov/sv_map.h"
#include "svcov/sv_breaks.h"
#include "svcov/sv_geom.h"
#include "svcov/sv_store.h"
#include "svcov/sv_text.h"
#include "adapters/render.h"

#define A4_W 595.28
#define A4_H 841.89

typedef struct {
    double *xy;
    size_t *starts;
    size_t nparts;
    sv_env env;
} shape;

typedef struct {
    char *id, *name;
    double area_m2;
    shape s;
    double lx, ly; /* label point */
    unsigned char *wkb; /* the polygon, for placing the name inside it */
    size_t wkb_len;
    int n_off_network; /* stations inside farther than --max-snap from a usable street (network mode) */
} district;

typedef struct {
    char *id, *name, *category;
    double x, y;
    int cat;
} station;

typedef struct {
    char mode[32];
    double minutes; /* NAN for distance breaks */
    double radius;
    char label[64];     /* a preset's name for it (breaks.label), "" none */
    char label_zh[96];  /* its Chinese name (breaks.label_zh), "" none */
} brk;

typedef struct {
    int district, brk;
    shape s;
} area;

typedef struct {
    int ok;
    double area_m2, covered_m2, covered_pct, gap_m2;
    int n_gap_parts, inside, reaching;
    double pop_total, pop_covered, pop_pct; /* NAN when absent */
} figures;

typedef struct {
    char *name;
    int count;
} category;

/* A site proposed by 'svcov site' (the latest siting run in the database). */
typedef struct {
    int rank;
    char *id;
    double x, y;
} site;

struct sv_map {
    char *db;
    sv_store_reader *rd; /* open while loading */
    char *font;
    sv_map_warn_fn warn;
    void *warn_ud;
    sv_lang lang;
    brk *brks;
    int nb;
    district *d;
    size_t nd;
    station *st;
    size_t ns;
    area *cov, *gap;
    size_t ncov, ngap;
    figures *dfig; /* nd * nb */
    figures *cfig; /* nb */
    double city_gini;
    shape roads;
    const char *roads_what; /* "roads" or "reached streets" or NULL */
    category *cats;
    int ncat;
    site *sites;
    size_t nsites;
    char site_model[64];
    char mode[32], crs[160], finished[40];
    double speed, detour;
    int network;            /* the run was along a street network */
    double max_snap;        /* its --max-snap, metres */
    long n_off_network;     /* stations farther than that from a usable street (runs.stations_unattached) */
    int has_pop;
    /* reading state */
    sv_geos *geos;
    sv_status st_read;
    sv_ctx *ctx;
    char *tables; /* ",name,name," */
};

/* map_load.c: a warning through the map's handler; a break's label in L
 * (into buf); the index of district id, or -1. */
void sv_map_warnf(const sv_map *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *sv_map_break_label_in(sv_lang L, const brk *b, char *buf, size_t size);
int sv_map_district_index(const sv_map *m, const char *id);

/* ---- the page (output/map_layout.c) ---- */

typedef struct {
    double x0, y0, x1, y1;
} box;

typedef struct {
    sv_map *m;
    sv_canvas *c;
    sv_ctx *ctx;
    /* world -> page */
    double s, ox, oy; /* page x = ox + X*s, page y = oy - Y*s */
    box frame;
    box *boxes;
    size_t nboxes, capboxes;
    int n_missing;
} page;

typedef struct {
    double dx, dy, d2;
} offset;

/* World (analysis CRS) to page points. */
void sv_map_px(const page *p, double X, double Y, double *x, double *y);
int sv_map_overlaps(const box *a, const box *b);
/* Inside the frame and clear of every box taken. */
int sv_map_box_free(const page *p, const box *b);
int sv_map_name_box_free(const page *p, const box *b, size_t from, size_t to, double grow);
/* qsort order of offsets by d2. */
int sv_map_offset_cmp(const void *a, const void *b);
/* Take box b (dropped when out of memory: labels may then overlap). */
void sv_map_box_add(page *p, box b);
void sv_map_measure(page *p, const char *text, double size, int bold, double *w, double *h);
/* The largest 1, 2 or 5 x 10^n metres not above max_m. */
void sv_map_nice_scale(double max_m, double *len_m);

#endif
