/* test_map.c - svcov map and svcov report end to end, on the demo city
 * (geodata/) analysed into a temporary folder: the PNG decoded with cairo
 * and its pixels checked where the data's geometry says a station, a gap,
 * a covered area and the outside lie (through the world file); the SVG
 * parsed with libxml2; the PDF read with pdfinfo/pdftotext; the HTML map's
 * escaping; bad input. The HTML map in headless Chromium is the group
 * "browser" (exit 77, skipped, only when Chromium cannot run at all).
 *
 * Usage: test_map GROUP  (png, vector, errors, html, browser, report) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "svtest.h"
#include "svfixtures.h"
#include "svtest_svg.h"

#include "svcov/sv_store.h"

#include <cairo.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

static char demo_db[4200];

/* The demo analysis, as `make demo` runs it. */
static const char *demo(void)
{
    if (!demo_db[0]) {
        snprintf(demo_db, sizeof demo_db, "%s", svt_path("demo.sqlite"));
        SVT_EXPECT(0, "analyze", "--stations", SVCOV_SOURCE_DIR "/geodata/stations.geojson", "--districts",
                   SVCOV_SOURCE_DIR "/geodata/districts.geojson", "--minutes", "10,15", "--mode", "walk",
                   "--detour", "1.3", "--out", demo_db, "-q");
    }
    return demo_db;
}

/* Three stations in the demo city: one whose name is markup, one with a
 * character no font has (U+10FFFD), one plain. */
static const char *odd_stations =
    "{\"type\":\"FeatureCollection\",\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"X1\",\"name\":\"<script>document.title='pwned'</script>"
    "<img src=x onerror=\\\"document.title='pwned'\\\"> & \\u2028 </b>\",\"category\":\"<b>bold</b>\"},"
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[113.9533016,22.5387445]}},"
    "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"X2\",\"name\":\"Glyphless \xf4\x8f\xbf\xbd station\","
    "\"category\":\"rest\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[113.9440924,22.5366943]}},"
    "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"X3\",\"name\":\"骑手驿站·湾山地铁站\",\"category\":\"rest\"},"
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[113.933665,22.5376251]}}]}";

static const char *odd_db(void)
{
    static char path[4200];
    if (!path[0]) {
        snprintf(path, sizeof path, "%s", svt_path("odd.sqlite"));
        const char *s = svt_write("odd_stations.geojson", odd_stations);
        SVT_EXPECT(0, "analyze", "--stations", s, "--districts", SVCOV_SOURCE_DIR "/geodata/districts.geojson",
                   "--minutes", "10,15", "--mode", "walk", "--out", path, "-q");
    }
    return path;
}

static int group_setup(void **state)
{
    (void)state;
    return svt_make_dir("map");
}

static int group_teardown(void **state)
{
    (void)state;
    svt_run_free();
    svt_remove_dir();
    return 0;
}

/* The database with SpatiaLite loaded (for coordinates). */
static sqlite3 *spatial_open(const char *path, int writable)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, writable ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        fail_msg("cannot open %s", path);
    sqlite3_enable_load_extension(db, 1);
    char *err = NULL;
    if (sqlite3_load_extension(db, "mod_spatialite", NULL, &err) != SQLITE_OK)
        fail_msg("cannot load mod_spatialite: %s", err ? err : "?");
    return db;
}

/* ---- images ---- */

typedef struct {
    cairo_surface_t *s;
    int w, h, stride;
    unsigned char *data;
    double a, e, c, f; /* world file */
} image;

static void image_load(image *im, const char *png, const char *pgw)
{
    memset(im, 0, sizeof *im);
    im->s = cairo_image_surface_create_from_png(png);
    if (cairo_surface_status(im->s) != CAIRO_STATUS_SUCCESS)
        fail_msg("%s does not decode as PNG: %s", png, cairo_status_to_string(cairo_surface_status(im->s)));
    cairo_surface_flush(im->s);
    im->w = cairo_image_surface_get_width(im->s);
    im->h = cairo_image_surface_get_height(im->s);
    im->stride = cairo_image_surface_get_stride(im->s);
    im->data = cairo_image_surface_get_data(im->s);
    if (pgw) {
        FILE *f = fopen(pgw, "r");
        assert_non_null(f);
        double b, d;
        assert_int_equal(fscanf(f, "%lf %lf %lf %lf %lf %lf", &im->a, &d, &b, &im->e, &im->c, &im->f), 6);
        fclose(f);
        assert_true(im->a > 0 && im->e < 0);
    }
}

static void image_free(image *im)
{
    cairo_surface_destroy(im->s);
}

static void pixel(const image *im, int x, int y, int *r, int *g, int *b)
{
    assert_true(x >= 0 && y >= 0 && x < im->w && y < im->h);
    uint32_t v = *(const uint32_t *)(im->data + (size_t)y * (size_t)im->stride + 4 * (size_t)x);
    *r = (int)((v >> 16) & 255);
    *g = (int)((v >> 8) & 255);
    *b = (int)(v & 255);
}

static void world_pixel(const image *im, double X, double Y, int *x, int *y)
{
    *x = (int)lround((X - im->c) / im->a);
    *y = (int)lround((Y - im->f) / im->e);
}

/* ---- PNG ---- */

static void test_png(void **state)
{
    (void)state;
    const char *db = demo();
    const char *png = svt_path("city.png"), *pgw = svt_path("city.pgw");
    SVT_EXPECT(0, "map", "--db", db, "--out", png, "--size", "1200x1700", "--world-file");
    SVT_ERR_HAS("wrote");
    assert_null(strstr(svt_last.err, "no installed font")); /* the Chinese names have glyphs */
    image im;
    image_load(&im, png, pgw);
    assert_int_equal(im.w, 1200);
    assert_int_equal(im.h, 1700);

    sqlite3 *sdb = spatial_open(db, 0);
    /* the most isolated station: its symbol is not covered by another's */
    sqlite3_stmt *q = NULL;
    assert_int_equal(sqlite3_prepare_v2(sdb,
                                        "SELECT s.station_id, s.category, ST_X(s.geom), ST_Y(s.geom),"
                                        " (SELECT min(ST_Distance(s.geom, t.geom)) FROM stations t"
                                        "  WHERE t.station_id != s.station_id) AS nn,"
                                        " (SELECT count(*) FROM stations c WHERE c.category = s.category) AS n"
                                        " FROM stations s ORDER BY nn DESC LIMIT 1",
                                        -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    double sx = sqlite3_column_double(q, 2), sy = sqlite3_column_double(q, 3);
    int cat_count = sqlite3_column_int(q, 5);
    sqlite3_finalize(q);
    /* the category's rank by station count decides its colour (svcov's palette) */
    int rank = (int)svt_db_int(sdb, "SELECT count(*) FROM (SELECT category, count(*) AS n FROM stations GROUP BY 1)"
                                    " WHERE n > %d", cat_count);
    static const int palette[][3] = {{31, 120, 181}, {255, 128, 0}, {107, 61, 153}, {140, 82, 10}};
    assert_true(rank < 4);
    int x, y, r, g, b;
    world_pixel(&im, sx, sy, &x, &y);
    pixel(&im, x, y, &r, &g, &b);
    if (abs(r - palette[rank][0]) > 12 || abs(g - palette[rank][1]) > 12 || abs(b - palette[rank][2]) > 12)
        fail_msg("station symbol at pixel (%d, %d): got rgb(%d,%d,%d), want the category colour rgb(%d,%d,%d)", x,
                 y, r, g, b, palette[rank][0], palette[rank][1], palette[rank][2]);
    /* beside the symbol: inside the 10-minute area, green */
    int greens = 0;
    for (int k = -1; k <= 1; k += 2) {
        pixel(&im, x + k * 14, y, &r, &g, &b);
        greens += g > r + 25 && g > b + 25;
    }
    assert_true(greens >= 1);

    /* the largest gap of the 15-minute break: red */
    double gx = svt_db_double(sdb, "SELECT ST_X(PointOnSurface(geom)) FROM gap_parts WHERE minutes = 15"
                                   " ORDER BY area_m2 DESC LIMIT 1");
    double gy = svt_db_double(sdb, "SELECT ST_Y(PointOnSurface(geom)) FROM gap_parts WHERE minutes = 15"
                                   " ORDER BY area_m2 DESC LIMIT 1");
    world_pixel(&im, gx, gy, &x, &y);
    int reds = 0;
    for (int dx = -2; dx <= 2; dx++)
        for (int dy = -2; dy <= 2; dy++) {
            pixel(&im, x + dx, y + dy, &r, &g, &b);
            reds += r > g + 60 && r > b + 60;
        }
    if (reds < 20)
        fail_msg("gap at pixel (%d, %d): only %d of 25 pixels around it are red", x, y, reds);

    /* left of every district: the light grey outside */
    double xmin = svt_db_double(sdb, "SELECT min(MbrMinX(geom)) FROM districts");
    double ymid = svt_db_double(sdb, "SELECT (min(MbrMinY(geom)) + max(MbrMaxY(geom))) / 2 FROM districts");
    double xmax = svt_db_double(sdb, "SELECT max(MbrMaxX(geom)) FROM districts");
    world_pixel(&im, xmin - 0.02 * (xmax - xmin), ymid, &x, &y);
    pixel(&im, x, y, &r, &g, &b);
    assert_true(abs(r - 229) <= 4 && abs(g - 232) <= 4 && abs(b - 235) <= 4);
    sqlite3_close(sdb);

    /* the title band has ink (dark pixels) */
    int ink = 0;
    for (int yy = 30; yy < 110; yy++)
        for (int xx = 30; xx < 700; xx++) {
            pixel(&im, xx, yy, &r, &g, &b);
            ink += r < 80 && g < 80 && b < 80;
        }
    assert_true(ink > 500);
    image_free(&im);

    /* a district map: the Chinese title draws without missing glyphs, and the A4 default size */
    const char *dpng = svt_path("d13.png");
    SVT_EXPECT(0, "map", "--db", db, "--district", "D0013", "--out", dpng, "--page", "a4-landscape", "--dpi", "100");
    assert_null(strstr(svt_last.err, "no installed font"));
    image_load(&im, dpng, NULL);
    assert_int_equal(im.w, 1169); /* 297 mm at 100 dpi */
    assert_int_equal(im.h, 827);
    ink = 0;
    for (int yy = 20; yy < 70; yy++)
        for (int xx = 25; xx < 200; xx++) {
            pixel(&im, xx, yy, &r, &g, &b);
            ink += r < 80 && g < 80 && b < 80;
        }
    assert_true(ink > 300); /* 祥清街道 in 17 pt bold */
    image_free(&im);

    /* one map per district */
    const char *dir = svt_path("maps");
    assert_int_equal(mkdir(dir, 0755), 0);
    SVT_EXPECT(0, "map", "--db", db, "--all-districts", dir, "--size", "600x500", "-q");
    char p[4400];
    snprintf(p, sizeof p, "%s/D0001.png", dir);
    assert_true(svt_exists(p));
    snprintf(p, sizeof p, "%s/D0014.png", dir);
    image_load(&im, p, NULL);
    assert_int_equal(im.w, 600);
    image_free(&im);
}

/* ---- SVG and PDF ---- */

static int count_elements(xmlNode *n, const char *name)
{
    int c = 0;
    for (; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE) {
            c += xmlStrcmp(n->name, (const xmlChar *)name) == 0;
            c += count_elements(n->children, name);
        }
    return c;
}


/* The label halos of a cairo SVG: paths with fill:none and a white stroke
 * at 0.85 opacity. */
static const char *const halo_style[] = {"fill:none", "stroke:rgb(100%,100%,100%)", "stroke-opacity:0.85", NULL};

static char *run_capture(const char *cmd)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char *buf = calloc(1, 65536);
    size_t n = fread(buf, 1, 65535, p);
    buf[n] = '\0';
    pclose(p);
    return buf;
}

static void test_vector(void **state)
{
    (void)state;
    const char *db = demo();
    const char *svg = svt_path("city.svg");
    SVT_EXPECT(0, "map", "--db", db, "--out", svg, "--page", "a4-landscape");
    xmlDoc *doc = xmlReadFile(svg, NULL, XML_PARSE_NONET | XML_PARSE_HUGE);
    assert_non_null(doc);
    xmlNode *root = xmlDocGetRootElement(doc);
    assert_string_equal((const char *)root->name, "svg");
    xmlChar *w = xmlGetProp(root, (const xmlChar *)"width"), *h = xmlGetProp(root, (const xmlChar *)"height");
    assert_non_null(w);
    assert_non_null(h);
    assert_float_equal(strtod((const char *)w, NULL), 841.89, 0.01); /* A4 landscape in points */
    assert_float_equal(strtod((const char *)h, NULL), 595.28, 0.01);
    xmlFree(w);
    xmlFree(h);
    /* districts, areas, gaps, 200 station symbols and the glyphs of the text are paths */
    int paths = count_elements(root, "path");
    if (paths < 250)
        fail_msg("the SVG has %d path elements, expected over 250", paths);
    xmlFreeDoc(doc);

    /* labels do not overlap: the district with the most stations, every name asked for */
    const char *lsvg = svt_path("d10.svg");
    SVT_EXPECT(0, "map", "--db", db, "--district", "D0010", "--labels", "all", "--out", lsvg);
    doc = xmlReadFile(lsvg, NULL, XML_PARSE_NONET | XML_PARSE_HUGE);
    assert_non_null(doc);
    static bbox boxes[512];
    int nb = 0;
    svt_path_boxes(xmlDocGetRootElement(doc), halo_style, boxes, &nb, 512);
    xmlFreeDoc(doc);
    if (nb < 30)
        fail_msg("only %d labels on the map of D0010 (45 stations inside)", nb);
    for (int i = 0; i < nb; i++)
        for (int j = i + 1; j < nb; j++) {
            /* the halo reaches 1 pt beyond the letters' box, which is what must not overlap */
            const double t = 1.2;
            if (boxes[i].x0 + t < boxes[j].x1 - t && boxes[j].x0 + t < boxes[i].x1 - t &&
                boxes[i].y0 + t < boxes[j].y1 - t && boxes[j].y0 + t < boxes[i].y1 - t)
                fail_msg("labels %d [%.1f %.1f %.1f %.1f] and %d [%.1f %.1f %.1f %.1f] overlap", i, boxes[i].x0,
                         boxes[i].y0, boxes[i].x1, boxes[i].y1, j, boxes[j].x0, boxes[j].y0, boxes[j].x1,
                         boxes[j].y1);
        }

    const char *pdf = svt_path("d13.pdf");
    SVT_EXPECT(0, "map", "--db", db, "--district", "D0013", "--minutes", "15", "--out", pdf);
    char cmd[4600];
    snprintf(cmd, sizeof cmd, "pdfinfo '%s' 2>&1", pdf);
    char *info = run_capture(cmd);
    const char *pages = strstr(info, "Pages:");
    if (!pages || atoi(pages + 6) != 1 || !strstr(info, "595.28 x 841.89 pts (A4)"))
        fail_msg("pdfinfo says:\n%s", info);
    free(info);
    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' - 2>&1", pdf);
    char *txt = run_capture(cmd);
    sqlite3 *sdb = svt_db_open(db);
    char pct[32];
    snprintf(pct, sizeof pct, "%.1f %%",
             svt_db_double(sdb, "SELECT covered_pct FROM district_coverage WHERE district_id = 'D0013'"
                                " AND minutes = 15"));
    const char *name = svt_db_text(sdb, "SELECT district_name FROM districts WHERE district_id = 'D0013'");
    if (!strstr(txt, name) || !strstr(txt, "D0013") || !strstr(txt, pct) || !strstr(txt, "15 min"))
        fail_msg("the PDF text lacks '%s', 'D0013', '%s' or '15 min':\n%s", name, pct, txt);
    /* only the 15-minute break was asked for */
    assert_null(strstr(txt, "Within 10 min"));
    free(txt);

    /* the atlas: the city, then a page per district, each titled with its name and id */
    const char *atlas = svt_path("atlas.pdf");
    SVT_EXPECT(0, "map", "--db", db, "--atlas", atlas);
    snprintf(cmd, sizeof cmd, "pdfinfo '%s' 2>&1", atlas);
    info = run_capture(cmd);
    pages = strstr(info, "Pages:");
    if (!pages || atoi(pages + 6) != 15)
        fail_msg("the atlas should have 15 pages; pdfinfo says:\n%s", info);
    free(info);
    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' - 2>&1", atlas);
    txt = run_capture(cmd);
    assert_non_null(strstr(txt, "Service coverage: 14 districts, 200 stations"));
    for (int i = 1; i <= 14; i++) {
        char id[16];
        snprintf(id, sizeof id, "D%04d", i);
        const char *nm = svt_db_text(sdb, "SELECT district_name FROM districts WHERE district_id = '%s'", id);
        char both[300];
        snprintf(both, sizeof both, "%s", nm);
        if (!strstr(txt, id) || !strstr(txt, both))
            fail_msg("the atlas lacks the page of %s (%s)", id, both);
    }
    free(txt);
    SVT_EXPECT(2, "map", "--db", db, "--atlas", svt_path("atlas.png"));
    sqlite3_close(sdb);
}

/* ---- district names: legible, never under a station symbol ---- */

/* What a map's SVG shows: the labels' halos (a path with fill:none and a white stroke at 0.85 opacity, its stroke
 * width a quarter of the text size; the glyphs follow as <use> elements in the next <g>) and the station symbols
 * (filled paths with a white 0.8 pt outline). District names are 8 pt and more, station names 6.5 pt. */
typedef struct {
    bbox b;
    double stroke;
    int glyphs;
} svg_label;

typedef struct {
    svg_label labels[512];
    int nl;
    bbox symbols[1024];
    int ns;
    double w, h;
} svg_map;

static void svg_walk(xmlNode *n, svg_map *s)
{
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (xmlStrcmp(n->name, (const xmlChar *)"path") == 0) {
            xmlChar *style = xmlGetProp(n, (const xmlChar *)"style"), *d = xmlGetProp(n, (const xmlChar *)"d");
            const char *st = (const char *)style;
            if (st && d && strstr(st, "fill:none") && strstr(st, "stroke:rgb(100%,100%,100%)") &&
                strstr(st, "stroke-opacity:0.85") && s->nl < 512) {
                svg_label *l = &s->labels[s->nl++];
                l->b = svt_path_bbox((const char *)d);
                l->stroke = strtod(strstr(st, "stroke-width:") + 13, NULL);
                l->glyphs = 0;
                xmlNode *g = n->next;
                while (g && g->type != XML_ELEMENT_NODE)
                    g = g->next;
                for (xmlNode *u = g ? g->children : NULL; u; u = u->next)
                    l->glyphs += u->type == XML_ELEMENT_NODE && xmlStrcmp(u->name, (const xmlChar *)"use") == 0;
            } else if (st && d && !strstr(st, "fill:none") && strstr(st, "stroke-width:0.8;") &&
                       strstr(st, "stroke:rgb(100%,100%,100%);stroke-opacity:1") && s->ns < 1024) {
                bbox b = svt_path_bbox((const char *)d);
                b.x0 -= 0.4; /* half the outline */
                b.y0 -= 0.4;
                b.x1 += 0.4;
                b.y1 += 0.4;
                s->symbols[s->ns++] = b;
            }
            xmlFree(style);
            xmlFree(d);
        }
        svg_walk(n->children, s);
    }
}

static svg_map *svg_read(const char *path)
{
    svg_map *s = calloc(1, sizeof *s);
    assert_non_null(s);
    xmlDoc *doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_HUGE);
    assert_non_null(doc);
    xmlNode *root = xmlDocGetRootElement(doc);
    xmlChar *w = xmlGetProp(root, (const xmlChar *)"width"), *h = xmlGetProp(root, (const xmlChar *)"height");
    s->w = strtod((const char *)w, NULL);
    s->h = strtod((const char *)h, NULL);
    xmlFree(w);
    xmlFree(h);
    svg_walk(root, s);
    xmlFreeDoc(doc);
    return s;
}

/* Every district name on the map: inside the page, over no station symbol, with all 4 characters of the demo's
 * names (街道 names) drawn; returns how many there are and the largest text size. */
static int check_district_names(const char *what, const svg_map *s, double *largest)
{
    int n = 0;
    *largest = 0;
    if (s->ns < 10)
        fail_msg("%s: only %d station symbols found in the SVG", what, s->ns);
    for (int i = 0; i < s->nl; i++) {
        const svg_label *l = &s->labels[i];
        if (l->stroke < 1.9)
            continue; /* a station's name */
        n++;
        *largest = fmax(*largest, 4 * l->stroke);
        if (l->glyphs != 4)
            fail_msg("%s: a district name is drawn with %d glyphs, not its 4 characters", what, l->glyphs);
        if (l->b.x0 < 0 || l->b.y0 < 0 || l->b.x1 > s->w || l->b.y1 > s->h)
            fail_msg("%s: the district name [%.1f %.1f %.1f %.1f] leaves the %.0f x %.0f page", what, l->b.x0, l->b.y0,
                     l->b.x1, l->b.y1, s->w, s->h);
        for (int k = 0; k < s->ns; k++) {
            const bbox *y = &s->symbols[k];
            if (l->b.x0 < y->x1 && y->x0 < l->b.x1 && l->b.y0 < y->y1 && y->y0 < l->b.y1)
                fail_msg("%s: the district name [%.1f %.1f %.1f %.1f] lies over the station symbol "
                         "[%.1f %.1f %.1f %.1f]", what, l->b.x0, l->b.y0, l->b.x1, l->b.y1, y->x0, y->y0, y->x1,
                         y->y1);
        }
    }
    return n;
}

static void test_district_names(void **state)
{
    (void)state;
    const char *db = demo();
    double largest;
    /* the city: all 14 names, on both page orientations */
    static const char *const pages[] = {"a4-portrait", "a4-landscape"};
    for (size_t i = 0; i < 2; i++) {
        const char *svg = svt_path("names_city.svg");
        SVT_EXPECT(0, "map", "--db", db, "--out", svg, "--page", pages[i], "-q");
        svg_map *s = svg_read(svg);
        assert_int_equal(check_district_names(pages[i], s, &largest), 14);
        free(s);
    }
    /* district sheets: the district's own name (13 pt, or a little smaller when crowded) and its neighbours' */
    static const char *const sheets[] = {"D0010", "D0013", "D0001", "D0002", "D0007"};
    for (size_t i = 0; i < sizeof sheets / sizeof sheets[0]; i++) {
        const char *svg = svt_path("names_sheet.svg");
        SVT_EXPECT(0, "map", "--db", db, "--district", sheets[i], "--labels", "all", "--out", svg, "-q");
        svg_map *s = svg_read(svg);
        int n = check_district_names(sheets[i], s, &largest);
        if (n < 2 || largest < 9)
            fail_msg("%s: %d district names, the largest %.1f pt", sheets[i], n, largest);
        free(s);
    }
}

/* ---- bad input ---- */

static void test_errors(void **state)
{
    (void)state;
    const char *db = demo();
    const char *out = svt_path("bad.png");
    SVT_EXPECT(1, "map", "--db", db, "--district", "NOPE", "--out", out);
    SVT_ERR_HAS("no district 'NOPE'");
    SVT_ERR_HAS("D0001");
    assert_false(svt_exists(out));
    SVT_EXPECT(2, "map", "--db", db, "--minutes", "20", "--out", out);
    SVT_ERR_HAS("10 min, 15 min");
    SVT_EXPECT(2, "map", "--db", db, "--out", svt_path("bad.jpg"));
    SVT_ERR_HAS(".png, .svg or .pdf");
    SVT_EXPECT(2, "map", "--db", db, "--out", out, "--size", "12x8");
    SVT_EXPECT(2, "map", "--db", db);
    SVT_EXPECT(2, "map", "--db", db, "--out", out, "--font", "No Such Font Family 42");
    SVT_ERR_HAS("No Such Font Family 42");
    SVT_EXPECT(1, "map", "--db", svt_path("missing.sqlite"), "--out", out);
    SVT_ERR_HAS("not found");
    SVT_EXPECT(1, "map", "--db", db, "--all-districts", svt_path("no-such-dir"));
    SVT_ERR_HAS("no such folder");

    /* a foreign SQLite file, an older svcov schema, a svcov file without the tables */
    sqlite3 *f = NULL;
    const char *foreign = svt_path("foreign.sqlite");
    assert_int_equal(sqlite3_open(foreign, &f), SQLITE_OK);
    assert_int_equal(sqlite3_exec(f, "CREATE TABLE t(x); INSERT INTO t VALUES (1)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(f);
    SVT_EXPECT(1, "map", "--db", foreign, "--out", out);
    SVT_ERR_HAS("did not write");
    const char *old = svt_path("old.sqlite");
    assert_int_equal(sqlite3_open(old, &f), SQLITE_OK);
    assert_int_equal(sqlite3_exec(f, "PRAGMA application_id = 1398162262; PRAGMA user_version = 1;"
                                     " CREATE TABLE stations(x)", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(f);
    SVT_EXPECT(1, "map", "--db", old, "--out", out);
    SVT_ERR_HAS("schema version 1");
    const char *partial = svt_path("partial.sqlite");
    assert_int_equal(sqlite3_open(partial, &f), SQLITE_OK);
    char sql[256];
    snprintf(sql, sizeof sql, "PRAGMA application_id = 1398162262; PRAGMA user_version = %d;"
                              " CREATE TABLE stations(x); CREATE TABLE districts(x)", SV_STORE_SCHEMA_VERSION);
    assert_int_equal(sqlite3_exec(f, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(f);
    SVT_EXPECT(1, "map", "--db", partial, "--out", out);
    SVT_ERR_HAS("has no table 'coverage'");
    SVT_EXPECT(1, "report", "--db", partial, "--out", svt_path("r.html"));
    SVT_ERR_HAS("has no table");
    assert_false(svt_exists(out));

    /* a siting result without an analysis */
    const char *demand = svt_write("one_point.geojson",
                                   "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                                   "\"properties\":{\"id\":\"p\"},\"geometry\":{\"type\":\"Point\","
                                   "\"coordinates\":[113.95,22.54]}}]}");
    const char *siting = svt_path("siting_only.sqlite");
    SVT_EXPECT(0, "site", "--demand", demand, "--candidates", demand, "--radius", "300", "--model", "mclp", "--k",
               "1", "--out", siting, "-q");
    SVT_EXPECT(1, "map", "--db", siting, "--out", out);
    SVT_ERR_HAS("siting result");
    assert_false(svt_exists(out));

    /* empty layers: no coverage, then no districts: an error, not a blank image */
    const char *empty = svt_path("empty.sqlite");
    svt_copy(db, empty);
    sqlite3 *e = spatial_open(empty, 1);
    assert_int_equal(sqlite3_exec(e, "DELETE FROM coverage; DELETE FROM gaps", NULL, NULL, NULL), SQLITE_OK);
    SVT_EXPECT(1, "map", "--db", empty, "--out", out);
    SVT_ERR_HAS("coverage and gaps layers are empty");
    assert_int_equal(sqlite3_exec(e, "DELETE FROM districts", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(e);
    SVT_EXPECT(1, "map", "--db", empty, "--out", out);
    SVT_ERR_HAS("districts layer is empty");
    assert_false(svt_exists(out));

    /* a label no font can draw: a warning naming it, and the map is still made */
    const char *odd = odd_db();
    SVT_EXPECT(0, "map", "--db", odd, "--out", out, "--labels", "all");
    SVT_ERR_HAS("no installed font has 1 character of \"Glyphless");
    assert_true(svt_exists(out));
}

/* ---- HTML (without a browser) ---- */

static size_t count_str(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

static void test_html(void **state)
{
    (void)state;
    const char *odd = odd_db();
    const char *html = svt_path("odd.html");
    SVT_EXPECT(0, "map", "--db", odd, "--html", html, "--title", "Title </title><script>x</script>");
    char *t = svt_read(html, NULL);
    assert_non_null(t);
    /* exactly our three scripts (Leaflet, the data, the page) and no markup from the data */
    assert_int_equal(count_str(t, "<script"), 3);
    assert_int_equal(count_str(t, "</script"), 3);
    assert_null(strstr(t, "<img"));
    assert_null(strstr(t, "<b>bold"));
    assert_non_null(strstr(t, "\\u003cscript\\u003edocument.title"));
    assert_non_null(strstr(t, "\\u2028")); /* the line separator in a name, escaped */
    assert_non_null(strstr(t, "<title>Title &lt;/title&gt;&lt;script&gt;x&lt;/script&gt;</title>"));
    /* self-contained: nothing fetched from elsewhere */
    assert_null(strstr(t, "<link"));
    assert_null(strstr(t, "src=\"http"));
    assert_null(strstr(t, "src='http"));
    assert_non_null(strstr(t, "Leaflet 1.9.4"));
    /* lon/lat GeoJSON of the demo city (113.9 E, 22.5 N) */
    assert_non_null(strstr(t, "[113.9"));
    free(t);
}

/* ---- the HTML map in headless Chromium ---- */

static const char *chromium(void)
{
    static const char *const names[] = {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"};
    const char *env = getenv("SVCOV_CHROMIUM");
    if (env && *env)
        return env;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (access(names[i], X_OK) == 0)
            return names[i];
    return NULL;
}

/* Run Chromium headless on url; --dump-dom output (or a screenshot). */
static char *browse(const char *bin, const char *url, const char *screenshot)
{
    char cmd[9000], prof[4300];
    snprintf(prof, sizeof prof, "%s/chrome-profile", svt_dir);
    if (screenshot)
        snprintf(cmd, sizeof cmd,
                 "timeout 60 '%s' --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run"
                 " --user-data-dir='%s' --window-size=1200,900 --virtual-time-budget=10000 --screenshot='%s' '%s'"
                 " 2>&1",
                 bin, prof, screenshot, url);
    else
        snprintf(cmd, sizeof cmd,
                 "timeout 60 '%s' --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir='%s'"
                 " --window-size=1200,900 --virtual-time-budget=10000 --dump-dom '%s' 2>/dev/null",
                 bin, prof, url);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t cap = 1 << 20, n = 0, k;
    char *buf = malloc(cap);
    assert_non_null(buf);
    while ((k = fread(buf + n, 1, cap - n - 1, p)) > 0) {
        n += k;
        if (cap - n - 1 == 0) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
    }
    buf[n] = '\0';
    pclose(p);
    return buf;
}

/* The JSON the page's test hook writes, as text. */
static const char *hook_result(const char *dom)
{
    const char *p = strstr(dom, "id=\"svcov-test-result\">");
    if (!p)
        fail_msg("the page's test hook did not run; the DOM was:\n%.2000s", dom);
    return p + strlen("id=\"svcov-test-result\">");
}

static int json_int(const char *json, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *p = strstr(json, pat);
    if (!p)
        fail_msg("no %s in %s", key, json);
    return atoi(p + strlen(pat));
}

static void test_browser(void **state)
{
    (void)state;
    const char *bin = chromium();
    if (!bin) {
        fprintf(stderr, "SKIPPED: no Chromium found (scripts/install-deps.sh installs Debian's chromium)\n");
        exit(77);
    }
    /* can it run at all? */
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "timeout 30 '%s' --headless --no-sandbox --version >/dev/null 2>&1", bin);
    if (system(cmd) != 0) {
        fprintf(stderr, "SKIPPED: %s does not start here\n", bin);
        exit(77);
    }
    const char *db = demo();
    const char *html = svt_path("demo_map.html");
    SVT_EXPECT(0, "map", "--db", db, "--html", html);
    char url[4400];
    snprintf(url, sizeof url, "file://%s#svcov-test=D0013", html);
    char *dom = browse(bin, url, NULL);
    const char *res = hook_result(dom);
    assert_int_equal(json_int(res, "districts"), 14);
    assert_int_equal(json_int(res, "stations"), 200);
    /* districts, outlines, 2 coverage breaks, the gaps and 200 station circles as SVG paths */
    int paths = json_int(res, "paths");
    if (paths < 14 * 2 + 200)
        fail_msg("only %d paths drawn", paths);
    /* the popup shows the district's figures */
    sqlite3 *sdb = svt_db_open(db);
    char pct10[32], pct15[32];
    snprintf(pct10, sizeof pct10, "%.1f",
             svt_db_double(sdb, "SELECT covered_pct FROM district_coverage WHERE district_id = 'D0013' AND minutes = 10"));
    snprintf(pct15, sizeof pct15, "%.1f",
             svt_db_double(sdb, "SELECT covered_pct FROM district_coverage WHERE district_id = 'D0013' AND minutes = 15"));
    const char *name = svt_db_text(sdb, "SELECT district_name FROM districts WHERE district_id = 'D0013'");
    const char *pop = strstr(res, "\"popup\":\"");
    assert_non_null(pop);
    if (!strstr(pop, pct10) || !strstr(pop, pct15) || !strstr(pop, name))
        fail_msg("the popup lacks %s, %s %% or %s: %.600s", name, pct10, pct15, pop);
    sqlite3_close(sdb);
    free(dom);

    /* the screenshot: the map drew (green areas, station colours), not a blank page */
    const char *shot = svt_path("shot.png");
    snprintf(url, sizeof url, "file://%s#svcov-test=D0013", html);
    free(browse(bin, url, shot));
    image im;
    image_load(&im, shot, NULL);
    assert_int_equal(im.w, 1200);
    long green = 0, blue = 0, other = 0;
    for (int y = 0; y < im.h; y++)
        for (int x = 0; x < im.w; x++) {
            int r, g, b;
            pixel(&im, x, y, &r, &g, &b);
            if (g > r + 40 && g > b + 30)
                green++;
            else if (abs(r - 31) < 20 && abs(g - 120) < 20 && abs(b - 180) < 20)
                blue++;
            if (abs(r - 229) > 6 || abs(g - 232) > 6 || abs(b - 235) > 6)
                other++;
        }
    image_free(&im);
    if (green < 100000 || blue < 300 || other < 200000)
        fail_msg("the screenshot has %ld green, %ld station-blue and %ld non-background pixels", green, blue, other);

    /* markup in names stays text: no <img> element, no script ran */
    const char *odd = odd_db();
    const char *ohtml = svt_path("odd_map.html");
    SVT_EXPECT(0, "map", "--db", odd, "--html", ohtml);
    snprintf(url, sizeof url, "file://%s#svcov-test", ohtml);
    dom = browse(bin, url, NULL);
    res = hook_result(dom);
    assert_int_equal(json_int(res, "marked"), 1);
    assert_int_equal(json_int(res, "imgs"), 0);
    assert_int_equal(json_int(res, "scripts"), 3);
    assert_non_null(strstr(res, "\"title\":\"Service coverage\""));
    /* the tooltip shows the name as text */
    assert_non_null(strstr(res, "&lt;script&gt;document.title='pwned'&lt;/script&gt;&lt;img"));
    free(dom);
}

/* ---- distance breaks and a network analysis ---- */


static void test_kinds(void **state)
{
    (void)state;
    const char *d = svt_write("sq_districts.geojson",
                              "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
                              "{\"type\":\"Feature\",\"properties\":{\"district_id\":\"sq\",\"name\":\"Square\"},"
                              "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[499000,4699000],[501000,4699000],"
                              "[501000,4701000],[499000,4701000],[499000,4699000]]]}}]}");
    const char *s = svt_write("sq_station.geojson",
                              "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
                              "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"c1\",\"name\":\"Centre\","
                              "\"category\":\"clinic\"},\"geometry\":{\"type\":\"Point\","
                              "\"coordinates\":[500000,4700000]}}]}");
    /* distance breaks: --radius picks them, --minutes is refused with the breaks there are */
    const char *db = svt_path("radius.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--radius", "300,600", "--out", db, "-q");
    const char *png = svt_path("radius.png"), *pgw = svt_path("radius.pgw");
    SVT_EXPECT(0, "map", "--db", db, "--radius", "300", "--out", png, "--size", "800x800", "--world-file");
    SVT_EXPECT(2, "map", "--db", db, "--minutes", "15", "--out", png);
    SVT_ERR_HAS("300 m, 600 m");
    image im;
    image_load(&im, png, pgw);
    int x, y, r, g, b;
    /* 200 m east of the station: inside the 300 m circle; 450 m: in the gap of the 300 m break */
    world_pixel(&im, 500200, 4700000, &x, &y);
    pixel(&im, x, y, &r, &g, &b);
    assert_true(g > r + 25 && g > b + 25);
    int reds = 0;
    for (int dy = -2; dy <= 2; dy++) {
        world_pixel(&im, 500450, 4700000 + dy * 10, &x, &y);
        pixel(&im, x, y, &r, &g, &b);
        reds += r > g + 60 && r > b + 60;
    }
    assert_true(reds >= 4);
    image_free(&im);
    const char *pdf = svt_path("radius.pdf");
    SVT_EXPECT(0, "map", "--db", db, "--out", pdf);
    char cmd[4600];
    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' - 2>&1", pdf);
    char *t = run_capture(cmd);
    if (!strstr(t, "Areas within 300 and 600 m of a station") || !strstr(t, "Gap: beyond 600 m"))
        fail_msg("the distance map's text:\n%s", t);
    free(t);

    /* a network analysis: the streets reached are drawn and in the legend */
    const char *roads = svt_write(
        "sq_roads.geojson",
        "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":["
        "{\"type\":\"Feature\",\"properties\":{\"highway\":\"residential\"},\"geometry\":{\"type\":\"LineString\","
        "\"coordinates\":[[499000,4700000],[500000,4700000],[501000,4700000]]}},"
        "{\"type\":\"Feature\",\"properties\":{\"highway\":\"residential\"},\"geometry\":{\"type\":\"LineString\","
        "\"coordinates\":[[500000,4699000],[500000,4700000],[500000,4701000]]}}]}");
    const char *ndb = svt_path("network.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--network", roads, "--mode", "walk", "--minutes",
               "5", "--out", ndb, "-q");
    /* the road lines when the analysis stored them (table roads), else the streets reached */
    sqlite3 *ndbh = svt_db_open(ndb);
    int has_roads = svt_db_int(ndbh, "SELECT count(*) FROM sqlite_master WHERE name = 'roads'") > 0 &&
                    svt_db_int(ndbh, "SELECT count(*) FROM (SELECT 1 FROM roads LIMIT 1)") > 0;
    sqlite3_close(ndbh);
    const char *label = has_roads ? "Roads" : "Streets reached";
    const char *npdf = svt_path("network.pdf");
    SVT_EXPECT(0, "map", "--db", ndb, "--out", npdf);
    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' - 2>&1", npdf);
    t = run_capture(cmd);
    if (!strstr(t, label) || !strstr(t, "Areas within 5 minutes (walk"))
        fail_msg("the network map's text lacks '%s':\n%s", label, t);
    free(t);
    const char *nhtml = svt_path("network.html");
    SVT_EXPECT(0, "map", "--db", ndb, "--html", nhtml);
    t = svt_read(nhtml, NULL);
    char want_label[64];
    snprintf(want_label, sizeof want_label, "\"roads_label\":\"%s\"", label);
    assert_non_null(strstr(t, want_label));
    assert_non_null(strstr(t, "\"roads\":{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                              "\"geometry\":{\"type\":\"MultiLineString\""));
    free(t);
}

/* ---- sites proposed by svcov site, on the maps and in the report ---- */

static void test_sites(void **state)
{
    (void)state;
    const char *db = svt_path("sites.sqlite");
    svt_copy(demo(), db);
    /* demand where the 15-minute gaps are, as lon/lat */
    sqlite3 *sdb = spatial_open(db, 0);
    char dem[1024] = "{\"type\":\"FeatureCollection\",\"features\":[";
    sqlite3_stmt *q = NULL;
    assert_int_equal(sqlite3_prepare_v2(sdb,
                                        "SELECT X(ST_Transform(PointOnSurface(geom), 4326)),"
                                        " Y(ST_Transform(PointOnSurface(geom), 4326)) FROM gap_parts"
                                        " WHERE minutes = 15 ORDER BY area_m2 DESC LIMIT 2",
                                        -1, &q, NULL),
                     SQLITE_OK);
    for (int i = 0; sqlite3_step(q) == SQLITE_ROW; i++)
        snprintf(dem + strlen(dem), sizeof dem - strlen(dem),
                 "%s{\"type\":\"Feature\",\"properties\":{\"id\":\"h%d\",\"weight\":100},\"geometry\":"
                 "{\"type\":\"Point\",\"coordinates\":[%.9f,%.9f]}}",
                 i ? "," : "", i, sqlite3_column_double(q, 0), sqlite3_column_double(q, 1));
    sqlite3_finalize(q);
    sqlite3_close(sdb);
    strcat(dem, "]}");
    const char *demand = svt_write("gap_demand.geojson", dem);
    SVT_EXPECT(0, "site", "--db", db, "--demand", demand, "--grid", "100", "--grid-in", "gaps", "--minutes", "15",
               "--mode", "walk", "--detour", "1.3", "--model", "mclp", "--k", "1", "--out", db, "-q");

    /* the printed map: a yellow star where the site is */
    const char *png = svt_path("sites.png"), *pgw = svt_path("sites.pgw");
    SVT_EXPECT(0, "map", "--db", db, "--district", "D0013", "--out", png, "--world-file");
    sdb = spatial_open(db, 0);
    double sx = svt_db_double(sdb, "SELECT ST_X(geom) FROM sites WHERE rank = 1");
    double sy = svt_db_double(sdb, "SELECT ST_Y(geom) FROM sites WHERE rank = 1");
    char cand[128];
    snprintf(cand, sizeof cand, "%s", svt_db_text(sdb, "SELECT candidate_id FROM sites WHERE rank = 1"));
    sqlite3_close(sdb);
    image im;
    image_load(&im, png, pgw);
    int x, y, r, g, b;
    world_pixel(&im, sx, sy, &x, &y);
    pixel(&im, x, y, &r, &g, &b);
    if (!(r > 230 && g > 210 && b < 110))
        fail_msg("the proposed site at pixel (%d, %d) is rgb(%d,%d,%d), not the yellow star", x, y, r, g, b);
    image_free(&im);

    /* the report lists it, the HTML map has the layer */
    const char *md = svt_path("sites.md");
    SVT_EXPECT(0, "report", "--db", db, "--out", md);
    char *t = svt_read(md, NULL);
    char want[256];
    snprintf(want, sizeof want, "| 1 | %s | D0013 |", cand);
    if (!strstr(t, "## Proposed sites") || !strstr(t, want))
        fail_msg("the report lacks the site \"%s\":\n%s", want, t);
    free(t);
    const char *html = svt_path("sites.html");
    SVT_EXPECT(0, "map", "--db", db, "--html", html);
    t = svt_read(html, NULL);
    assert_non_null(strstr(t, "\"sites\":{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\""));
    assert_non_null(strstr(t, cand));
    free(t);
}

/* ---- svcov report ---- */

/* Field k (0-based) of a CSV line without quotes. */
static double csv_field(const char *line, int k)
{
    const char *p = line;
    for (int i = 0; i < k; i++) {
        p = strchr(p, ',');
        assert_non_null(p);
        p++;
    }
    return strtod(p, NULL);
}

static int csv_index(const char *header, const char *name)
{
    int k = 0;
    size_t n = strlen(name);
    for (const char *p = header; p && *p; k++) {
        if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == '\r' || p[n] == '\n'))
            return k;
        p = strchr(p, ',');
        if (p)
            p++;
    }
    fail_msg("no column %s in %s", name, header);
    return -1;
}

/* A copy of the demo database with the tables and columns of the other analyses (population, redundancy,
 * fairness, critical stations): the report at its widest. */
static const char *rich_db(void)
{
    static char rich[4200];
    if (rich[0])
        return rich;
    snprintf(rich, sizeof rich, "%s", svt_path("rich.sqlite"));
    svt_copy(demo(), rich);
    /* newer analyses create these tables and columns themselves; add what this database lacks */
    sqlite3 *e = spatial_open(rich, 1);
    static const char *const cols[][2] = {{"district_coverage", "pop_total"},
                                          {"district_coverage", "pop_covered"},
                                          {"district_coverage", "pop_covered_pct"},
                                          {"city_coverage", "gini"}};
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        if (svt_db_int(e, "SELECT count(*) FROM pragma_table_info('%s') WHERE name = '%s'", cols[i][0],
                       cols[i][1]) == 0) {
            char alter[256];
            snprintf(alter, sizeof alter, "ALTER TABLE %s ADD COLUMN %s REAL", cols[i][0], cols[i][1]);
            assert_int_equal(sqlite3_exec(e, alter, NULL, NULL, NULL), SQLITE_OK);
        }
    char *err = NULL;
    int rc = sqlite3_exec(
        e,
        "UPDATE district_coverage SET pop_total = 20000, pop_covered = 20000 * covered_pct / 100,"
        " pop_covered_pct = covered_pct - 0.25;"
        "UPDATE city_coverage SET gini = 0.0421;"
        "CREATE TABLE IF NOT EXISTS district_redundancy (district_id TEXT, district_name TEXT, mode TEXT,"
        " minutes REAL, radius_m REAL, n_cover INTEGER, area_m2 REAL, area_pct REAL, pop REAL, pop_pct REAL);"
        "DELETE FROM district_redundancy;"
        "INSERT INTO district_redundancy (district_id, district_name, mode, minutes, radius_m, n_cover, area_m2,"
        " area_pct, pop, pop_pct) SELECT district_id, district_name, mode, minutes, radius_m, 2, 0, 31.5, 0, 12.25"
        " FROM district_coverage;"
        "INSERT INTO district_redundancy (district_id, district_name, mode, minutes, radius_m, n_cover, area_m2,"
        " area_pct, pop, pop_pct) SELECT district_id, district_name, mode, minutes, radius_m, 3, 0, 40, 0, 50"
        " FROM district_coverage;"
        "CREATE TABLE IF NOT EXISTS district_fairness (district_id TEXT, district_name TEXT, mode TEXT,"
        " minutes REAL, radius_m REAL, pop_total REAL, pop_covered_pct REAL, median_m REAL, p90_m REAL,"
        " median_min REAL, p90_min REAL, source TEXT);"
        "DELETE FROM district_fairness;"
        "INSERT INTO district_fairness (district_id, district_name, mode, minutes, radius_m, pop_total,"
        " pop_covered_pct, median_m, p90_m, median_min, p90_min, source) SELECT district_id, district_name, mode,"
        " minutes, radius_m, 1, 1, 300, 700, 4.75, 11.25, 'demand' FROM district_coverage;"
        "CREATE TABLE IF NOT EXISTS critical_stations (mode TEXT, minutes REAL, radius_m REAL, rank INTEGER,"
        " station_id TEXT, name TEXT, pop_lost REAL, area_lost_m2 REAL);"
        "DELETE FROM critical_stations;"
        "INSERT INTO critical_stations (mode, minutes, radius_m, rank, station_id, name, pop_lost, area_lost_m2)"
        " VALUES ('walk', 15, 961.538461538462, 1, 'S000042', 'Critical <one>', 1234, 5678);",
        NULL, NULL, &err);
    if (rc != SQLITE_OK)
        fail_msg("cannot add the population tables: %s", err ? err : "?");
    sqlite3_close(e);
    return rich;
}

static void test_report(void **state)
{
    (void)state;
    const char *db = demo();
    sqlite3 *sdb = svt_db_open(db);
    double pct15 = svt_db_double(sdb, "SELECT covered_pct FROM district_coverage WHERE district_id = 'D0013'"
                                      " AND minutes = 15");
    double city10 = svt_db_double(sdb, "SELECT covered_pct FROM city_coverage WHERE minutes = 10");
    char name[256];
    snprintf(name, sizeof name, "%s", svt_db_text(sdb, "SELECT district_name FROM districts WHERE district_id = 'D0013'"));
    sqlite3_close(sdb);
    char want[128];

    /* CSV: one row per district and break, then the city's */
    const char *csv = svt_path("report.csv");
    SVT_EXPECT(0, "report", "--db", db, "--out", csv);
    char *t = svt_read(csv, NULL);
    assert_non_null(t);
    int ci = csv_index(t, "covered_pct");
    assert_int_equal(csv_index(t, "district_id"), 0);
    int rows = 0, found = 0, city = 0;
    for (char *line = strchr(t, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
        const char *l = line + 1;
        rows++;
        if (strncmp(l, "D0013,", 6) == 0 && csv_field(l, 3) == 15) {
            assert_float_equal(csv_field(l, ci), pct15, 1e-9);
            found = 1;
        }
        if (strncmp(l, "(city),", 7) == 0 && csv_field(l, 3) == 10) {
            assert_float_equal(csv_field(l, ci), city10, 1e-9);
            city = 1;
        }
    }
    assert_int_equal(rows, 14 * 2 + 2);
    assert_true(found && city);
    free(t);

    /* Markdown: one line per district, both breaks */
    const char *md = svt_path("report.md");
    SVT_EXPECT(0, "report", "--db", db, "--out", md);
    t = svt_read(md, NULL);
    assert_int_equal(count_str(t, "\n| D00"), 14);
    snprintf(want, sizeof want, "| D0013 | %s | 2.505 | 74.8 | %.1f |", name, pct15);
    if (!strstr(t, want))
        fail_msg("the Markdown lacks \"%s\":\n%s", want, t);
    assert_non_null(strstr(t, "| detour | 1.3 |"));
    assert_non_null(strstr(t, "; mode walk at 5 km/h;")); /* runs.speed_kmh is REAL: 5.0 */
    free(t);
    SVT_EXPECT(0, "report", "--db", db, "--out", md, "--minutes", "15");
    t = svt_read(md, NULL);
    assert_null(strstr(t, "10 min"));
    assert_non_null(strstr(t, "15 min covered %"));
    free(t);

    /* HTML: the tables and the maps inlined as PNG */
    const char *html = svt_path("report.html");
    SVT_EXPECT(0, "report", "--db", db, "--out", html);
    t = svt_read(html, NULL);
    assert_int_equal(count_str(t, "src=\"data:image/png;base64,iVBORw0KGgo"), 1 + 14);
    assert_int_equal(count_str(t, "<script"), 0);
    snprintf(want, sizeof want, "<td>%.1f</td>", pct15);
    assert_non_null(strstr(t, want));
    assert_non_null(strstr(t, name));
    free(t);
    SVT_EXPECT(2, "report", "--db", db, "--out", svt_path("report.txt"));
    SVT_ERR_HAS(".html, .md or .csv");

    /* the other analyses' tables and columns, when a database has them */
    const char *rich = rich_db();
    SVT_EXPECT(0, "report", "--db", rich, "--out", md);
    t = svt_read(md, NULL);
    snprintf(want, sizeof want, "| %.1f |", pct15 - 0.25);
    assert_non_null(strstr(t, "15 min people covered %"));
    assert_non_null(strstr(t, want));
    assert_non_null(strstr(t, "15 min area by 2+ stations %"));
    assert_non_null(strstr(t, "| 71.5 |"));   /* 31.5 + 40 */
    assert_non_null(strstr(t, "| 62.2 |"));   /* 12.25 + 50, people */
    assert_non_null(strstr(t, "| 4.8 | 11.2 |") ? t : strstr(t, "| 4.8 | 11.3 |"));
    assert_non_null(strstr(t, "| 0.0421 |")); /* the city's Gini */
    assert_non_null(strstr(t, "Critical &lt;one>"));
    free(t);
    /* and the printed map gives the people covered */
    const char *pdf = svt_path("rich.pdf");
    SVT_EXPECT(0, "map", "--db", rich, "--district", "D0013", "--out", pdf);
    char cmd[4600];
    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' - 2>&1", pdf);
    t = run_capture(cmd);
    snprintf(want, sizeof want, "people: %.0f of 20,000", 20000 * pct15 / 100);
    if (!strstr(t, "people:") || !strstr(t, "of 20,000"))
        fail_msg("the map of a database with population lacks \"%s\":\n%s", want, t);
    free(t);
}

/* ---- the HTML report printed on A4 (headless Chromium) ---- */

/* Whitespace removed: pdftotext breaks wrapped table headers and drops some spaces. */
static char *squeeze(const char *t)
{
    char *o = malloc(strlen(t) + 1);
    assert_non_null(o);
    size_t k = 0;
    for (const char *p = t; *p; p++)
        if (*p != ' ' && *p != '\n' && *p != '\t' && *p != '\r' && *p != '\f')
            o[k++] = *p;
    o[k] = '\0';
    return o;
}

static void test_report_print(void **state)
{
    (void)state;
    const char *bin = chromium();
    char cmd[9000];
    if (bin)
        snprintf(cmd, sizeof cmd, "timeout 30 '%s' --headless --no-sandbox --version >/dev/null 2>&1", bin);
    if (!bin || system(cmd) != 0) {
        fprintf(stderr, "SKIPPED: no Chromium that runs here (scripts/install-deps.sh installs Debian's chromium)\n");
        exit(77);
    }
    /* the widest report: people, redundancy and distance columns for two breaks */
    const char *rich = rich_db();
    const char *html = svt_path("print.html"), *md = svt_path("print.md"), *pdf = svt_path("print.pdf");
    SVT_EXPECT(0, "report", "--db", rich, "--out", html, "-q");
    SVT_EXPECT(0, "report", "--db", rich, "--out", md, "-q");
    snprintf(cmd, sizeof cmd,
             "timeout 120 '%s' --headless --no-sandbox --disable-gpu --disable-background-networking --no-first-run"
             " --disable-component-update --disable-sync --user-data-dir='%s/chrome-print' --print-to-pdf='%s'"
             " 'file://%s' >/dev/null 2>&1",
             bin, svt_dir, pdf, html);
    assert_int_equal(system(cmd), 0);
    assert_true(svt_exists(pdf));

    /* A4 across: 297 x 210 mm */
    snprintf(cmd, sizeof cmd, "pdfinfo '%s' 2>&1", pdf);
    char *info = run_capture(cmd);
    const char *size = strstr(info, "Page size:");
    double pw = 0, ph = 0;
    if (!size || sscanf(size, "Page size: %lf x %lf", &pw, &ph) != 2 || fabs(pw - 841.89) > 1.5 ||
        fabs(ph - 595.28) > 1.5)
        fail_msg("the printed report is not A4 landscape (841.89 x 595.28 pt); pdfinfo says:\n%s", info);
    free(info);

    /* every heading of the district table(s) is printed */
    const char *txt = svt_path("print.txt"), *lay = svt_path("print_layout.txt");
    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 -raw '%s' '%s' && pdftotext -enc UTF-8 -layout '%s' '%s'", pdf,
             txt, pdf, lay);
    assert_int_equal(system(cmd), 0);
    char *raw = svt_read(txt, NULL), *flat = squeeze(raw);
    free(raw);
    char *h = svt_read(html, NULL);
    const char *from = strstr(h, "<h2>Districts</h2>"), *to = from ? strstr(from, "<h2>Critical") : NULL;
    assert_non_null(from);
    assert_non_null(to);
    int nheads = 0, wide = 0;
    for (const char *p = strstr(from, "<th>"); p && p < to; p = strstr(p + 4, "<th>")) {
        const char *e = strstr(p, "</th>");
        assert_non_null(e);
        char head[256];
        snprintf(head, sizeof head, "%.*s", (int)(e - p - 4), p + 4);
        wide += strcmp(head, "90th pct m to a station") == 0 || strcmp(head, "15 min stations reaching") == 0 ||
                strcmp(head, "stations inside") == 0;
        char *want = squeeze(head);
        if (!strstr(flat, want))
            fail_msg("the printed report lacks the district table's column \"%s\"", head);
        free(want);
        nheads++;
    }
    /* the columns that used to be cut off, after "people by 2+ stations" */
    assert_int_equal(wide, 3);
    if (nheads < 22)
        fail_msg("only %d district columns in the HTML report", nheads);
    free(h);
    free(flat);

    /* the last district's values, every one of them, on its printed row(s) */
    char *m = svt_read(md, NULL);
    const char *row = strstr(m, "\n| D0014 |");
    assert_non_null(row);
    char vals[64][64];
    int nv = 0;
    for (const char *p = row + 2; *p && *p != '\n' && nv < 64;) {
        const char *e = strchr(p, '|');
        if (!e || e[0] == '\n')
            break;
        while (*p == ' ')
            p++;
        int n = (int)(e - p);
        while (n > 0 && p[n - 1] == ' ')
            n--;
        if (n > 0)
            snprintf(vals[nv++], sizeof vals[0], "%.*s", n, p);
        p = e + 1;
        if (*p == '\n')
            break;
    }
    free(m);
    assert_true(nv >= 22);
    char *l = svt_read(lay, NULL), printed[4096] = " ";
    for (char *line = strtok(l, "\n"); line; line = strtok(NULL, "\n"))
        if (strstr(line, "D0014") && !strstr(line, "·"))
            snprintf(printed + strlen(printed), sizeof printed - strlen(printed), "%s ", line);
    free(l);
    for (char *p = printed; *p; p++)
        if (*p == '\t' || *p == '\f')
            *p = ' ';
    for (int i = 0; i < nv; i++) {
        char tok[80];
        snprintf(tok, sizeof tok, " %s ", vals[i]);
        char *at = strstr(printed, tok);
        if (!at)
            fail_msg("the printed row of D0014 lacks \"%s\" (value %d of %d); printed:%s", vals[i], i + 1, nv,
                     printed);
        memset(at + 1, '#', strlen(vals[i])); /* each value once */
    }
}

/* ---- issue 18: hostile ids and names, many breaks ---- */

/* 14 districts of 500 m x 500 m in UTM 31N whose ids collide as file names
 * (a/b, a?b, a_b, A_B, a_b_2), are Chinese, 300 characters long, a Windows
 * device (con), an ESC sequence or a formula; names with Markdown and a
 * spreadsheet formula. A station in each. */
static const char *hostile_db(const char *name, const char *minutes)
{
    static const char *const ids[] = {"a/b", "a_b", "a?b", "A_B", "a_b_2", "北区一", "北区二", NULL /* 300 x */,
                                      "\\u001b[31mred", "=1+1", "md", "con", "D1", "D2"};
    static const char *const names[] = {"slash", "under", "query", "upper", "two", "北区一", "北区二", "long",
                                        "esc", "=HYPERLINK(\\\"http://evil.example\\\",\\\"click\\\")",
                                        "*bold* | [x](http://evil.example) `code`", "device", "D1", "D2"};
    char x300[301];
    memset(x300, 'x', 300);
    x300[300] = '\0';
    size_t cap = 20000;
    char *d = malloc(cap), *st = malloc(cap);
    assert_true(d && st);
    snprintf(d, cap, "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":"
                     "\"urn:ogc:def:crs:EPSG::32631\"}},\"features\":[");
    snprintf(st, cap, "%s", d);
    for (int i = 0; i < 14; i++) {
        double x0 = 499000 + 600.0 * i, y0 = 4699000;
        snprintf(d + strlen(d), cap - strlen(d),
                 "%s{\"type\":\"Feature\",\"properties\":{\"district_id\":\"%s\",\"name\":\"%s\"},\"geometry\":"
                 "{\"type\":\"Polygon\",\"coordinates\":[[[%.0f,%.0f],[%.0f,%.0f],[%.0f,%.0f],[%.0f,%.0f],"
                 "[%.0f,%.0f]]]}}",
                 i ? "," : "", ids[i] ? ids[i] : x300, names[i], x0, y0, x0 + 500, y0, x0 + 500, y0 + 500, x0,
                 y0 + 500, x0, y0);
        snprintf(st + strlen(st), cap - strlen(st),
                 "%s{\"type\":\"Feature\",\"properties\":{\"station_id\":\"s%d\",\"name\":\"S%d\"},"
                 "\"geometry\":{\"type\":\"Point\",\"coordinates\":[%.0f,%.0f]}}",
                 i ? "," : "", i, i, x0 + 250, y0 + 250);
    }
    strcat(d, "]}");
    strcat(st, "]}");
    const char *dp = svt_write("hostile_districts.geojson", d), *sp = svt_write("hostile_stations.geojson", st);
    free(d);
    free(st);
    const char *db = svt_path(name);
    if (!svt_exists(db))
        SVT_EXPECT(0, "analyze", "--stations", sp, "--districts", dp, "--minutes", minutes, "--mode", "walk",
                   "--out", db, "-q");
    return db;
}

static int count_files(const char *dir, const char *ext)
{
    char cmd[4400];
    snprintf(cmd, sizeof cmd, "ls -1 '%s' | grep -c '\\.%s$'", dir, ext);
    char *out = run_capture(cmd);
    int n = atoi(out);
    free(out);
    return n;
}

/* item 13: one readable, safe, unique file per district, in a fixed order */
static void test_all_districts_unique_names(void **state)
{
    (void)state;
    const char *db = hostile_db("hostile.sqlite", "5,10");
    const char *dir = svt_path("sheets");
    assert_int_equal(mkdir(dir, 0755), 0);
    SVT_EXPECT(0, "map", "--db", db, "--all-districts", dir, "--size", "300x200", "--world-file");
    assert_int_equal(count_files(dir, "png"), 14); /* before: 11 files, or exit 1 for the long id */
    assert_int_equal(count_files(dir, "pgw"), 14);
    char x200[201];
    memset(x200, 'x', 200);
    x200[200] = '\0';
    /* ids that are safe names keep them; the others, in district_id order, take the first free */
    const char *const want[][2] = {
        {"A_B", "A_B"}, {"a_b_2", "a_b_2"}, {"北区一", "北区一"}, {"北区二", "北区二"}, {"=1+1", "=1+1"},
        {"md", "md"},   {"D1", "D1"},       {"\x1b[31mred", "_[31mred"}, {"a/b", "a_b_3"}, {"a?b", "a_b_4"},
        {"a_b", "a_b_5"}, {"con", "con_"},  {NULL, x200},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char f[4600];
        snprintf(f, sizeof f, "%s/%s.png", dir, want[i][1]);
        if (!svt_exists(f))
            fail_msg("no %s for district %s; svcov said:\n%s", f, want[i][0] ? want[i][0] : "x*300",
                     svt_last.err);
        if (want[i][0] && strcmp(want[i][0], want[i][1]) != 0) { /* renamed: said on stderr, ESC visible */
            char line[300];
            snprintf(line, sizeof line, "district %s: %s.png",
                     want[i][0][0] == '\x1b' ? "\\x1b[31mred" : want[i][0], want[i][1]);
            SVT_ERR_HAS(line);
        }
    }
    assert_null(strchr(svt_last.err, '\x1b'));
    /* a second run gives the same names */
    SVT_EXPECT(0, "map", "--db", db, "--all-districts", dir, "--size", "300x200", "-q");
    assert_int_equal(count_files(dir, "png"), 14);
}

static void break_list(char *out, size_t size, int n)
{
    out[0] = '\0';
    for (int i = 1; i <= n; i++)
        snprintf(out + strlen(out), size - strlen(out), "%s%d", i > 1 ? "," : "", i);
}

/* item 15: 40 breaks asked for by --minutes (the filter overflowed 1,024 bytes at 35) */
static void test_forty_breaks(void **state)
{
    (void)state;
    char list[200];
    break_list(list, sizeof list, 40);
    const char *db = hostile_db("forty.sqlite", list);
    const char *html = svt_path("forty.html");
    SVT_EXPECT(0, "map", "--db", db, "--html", html, "--minutes", list, "-q");
    char *t = svt_read(html, NULL);
    assert_non_null(t);
    assert_non_null(strstr(t, "{\"mode\":\"walk\",\"minutes\":1.0,"));
    assert_non_null(strstr(t, "{\"mode\":\"walk\",\"minutes\":40.0,"));
    free(t);
    const char *md = svt_path("forty.md");
    SVT_EXPECT(0, "report", "--db", db, "--out", md, "--minutes", list);
    t = svt_read(md, NULL);
    assert_non_null(strstr(t, ", 40 breaks;"));
    assert_non_null(strstr(t, "40 min covered %"));
    free(t);
    const char *html_r = svt_path("forty_report.html");
    SVT_EXPECT(0, "report", "--db", db, "--out", html_r, "--minutes", list);
    /* and 60 breaks asked for, of which the database has 40: the usual message, not an SQL error */
    char sixty[300];
    break_list(sixty, sizeof sixty, 60);
    SVT_EXPECT(2, "map", "--db", db, "--html", html, "--minutes", sixty, "-q");
    SVT_ERR_HAS("has no break of 41 minutes");
}

/* item 16: the Markdown report, the CSVs and the terminal are neutralised */
static void test_hostile_text_neutralised(void **state)
{
    (void)state;
    const char *db = hostile_db("hostile.sqlite", "5,10");
    const char *md = svt_path("hostile.md");
    SVT_EXPECT(0, "report", "--db", db, "--out", md);
    char *t = svt_read(md, NULL);
    assert_non_null(strstr(t, "| \\*bold\\* \\| \\[x\\](http://evil.example) \\`code\\` |"));
    assert_null(strstr(t, "*bold*"));
    assert_null(strchr(t, '\x1b'));
    free(t);
    const char *csv = svt_path("hostile.csv");
    SVT_EXPECT(0, "report", "--db", db, "--out", csv);
    t = svt_read(csv, NULL);
    assert_non_null(strstr(t, "\r\n\"'=1+1\",\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\",walk,"));
    assert_null(strstr(t, ",=HYPERLINK"));
    free(t);
    const char *q = svt_write("names.sql", "SELECT district_id, district_name, -3.5 AS x FROM districts"
                                            " WHERE district_id IN ('=1+1', char(27) || '[31mred')"
                                            " ORDER BY district_id;");
    SVT_EXPECT(0, "query", "--db", db, q, "--csv");
    assert_string_equal(svt_last.out, "district_id,district_name,x\n"
                                      "\x1b[31mred,esc,-3.5\n"
                                      "\"'=1+1\",\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\",-3.5\n");
    /* the table on the terminal: the ESC made visible */
    SVT_EXPECT(0, "query", "--db", db, q);
    assert_null(strchr(svt_last.out, '\x1b'));
    SVT_OUT_HAS("\\x1b[31mred");
    /* and messages naming an id */
    SVT_EXPECT(1, "map", "--db", db, "--district", "\x1b]0;owned\x07", "--out", svt_path("x.png"));
    assert_null(strchr(svt_last.err, '\x1b'));
    assert_null(strchr(svt_last.err, '\x07'));
    SVT_ERR_HAS("\\x1b]0;owned\\x07");
}

/* ---- Chinese output (--lang zh) ---- */

/* Every run of ASCII letters in text is one of the words of allowed (space-separated): names, ids, units. */
static void only_allowed_words(const char *what, const char *text, const char *allowed)
{
    for (const char *p = text; *p;) {
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == '_')) {
            p++;
            continue;
        }
        const char *e = p;
        while ((*e >= 'A' && *e <= 'Z') || (*e >= 'a' && *e <= 'z') || *e == '_')
            e++;
        char w[128], pad[140];
        snprintf(w, sizeof w, "%.*s", (int)(e - p), p);
        snprintf(pad, sizeof pad, " %s ", w);
        if (!strstr(allowed, pad))
            fail_msg("%s: English word \"%s\" left in the Chinese text:\n%s", what, w, text);
        p = e;
    }
}

/* The words of the data that a Chinese text may show: category names, the CRS name, station ids. */
static void data_words(const char *db, char *out, size_t size)
{
    sqlite3 *sdb = svt_db_open(db);
    snprintf(out, size, " %s ",
             svt_db_text(sdb, "SELECT group_concat(c, ' ') FROM (SELECT DISTINCT category AS c FROM stations)"));
    size_t n = strlen(out);
    snprintf(out + n, size - n, "%s ", svt_db_text(sdb, "SELECT crs_name FROM runs ORDER BY rowid DESC LIMIT 1"));
    sqlite3_close(sdb);
    /* words as only_allowed_words cuts them: "49N" gives "N" */
    for (char *c = out; *c; c++)
        if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || *c == '_'))
            *c = ' ';
}

static void test_lang(void **state)
{
    (void)state;
    const char *db = demo();
    char words[2048], allowed[4096], cmd[4400];
    data_words(db, words, sizeof words);

    /* the city map and a district sheet as PDF: Chinese title, legend, scale bar, north arrow, figures, footer */
    const char *pdf = svt_path("zh_city.pdf"), *dpdf = svt_path("zh_D0013.pdf"), *svg = svt_path("zh_city.svg");
    SVT_EXPECT(0, "map", "--db", db, "--out", pdf, "--lang", "zh");
    assert_null(strstr(svt_last.err, "warning")); /* no glyph missing: Pango found them all */
    SVT_EXPECT(0, "map", "--db", db, "--district", "D0013", "--out", dpdf, "--lang", "zh");
    assert_null(strstr(svt_last.err, "warning"));
    SVT_EXPECT(0, "map", "--db", db, "--out", svg, "--lang", "zh");
    assert_null(strstr(svt_last.err, "warning"));
    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' - 2>&1", pdf);
    char *city = run_capture(cmd);
    static const char *const city_has[] = {"服务覆盖：14 个片区，200 个站点",
                                           "距站点 10、15 分钟（步行，5 公里/小时，绕行系数 1.3）以内的范围",
                                           "图例", "距站点 10 分钟以内", "空白区：15 分钟以外", "片区边界",
                                           "片区以外", "站点", "全市", "10 分钟：面积覆盖率 ", "平方公里",
                                           "14 个片区，21.09 平方公里", "站点 200 个", "单位：米（地图投影）",
                                           "500 米", "1 公里", "北", "分析于 20", "（北京时间）"};
    for (size_t i = 0; i < sizeof city_has / sizeof city_has[0]; i++)
        if (!strstr(city, city_has[i]))
            fail_msg("the Chinese city map has no \"%s\":\n%s", city_has[i], city);
    /* footer: the database's file name, the CRS's name and svcov stay; nothing else in Latin letters */
    snprintf(allowed, sizeof allowed, "%s demo sqlite svcov ", words);
    only_allowed_words("city map", city, allowed);
    assert_null(strstr(city, "\nN\n")); /* the north arrow says 北 */
    free(city);
    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' - 2>&1", dpdf);
    char *sheet = run_capture(cmd);
    static const char *const sheet_has[] = {"D0013", "本片区", "面积 2.51 平方公里", "片区内站点 3 个，",
                                            "空白区 0.632 平方公里，共 2 处"};
    for (size_t i = 0; i < sizeof sheet_has / sizeof sheet_has[0]; i++)
        if (!strstr(sheet, sheet_has[i]))
            fail_msg("the Chinese district sheet has no \"%s\":\n%s", sheet_has[i], sheet);
    snprintf(allowed, sizeof allowed, "%s demo sqlite svcov D ", words);
    only_allowed_words("district sheet", sheet, allowed);
    free(sheet);

    /* the missing-glyph check has teeth: with only DejaVu (no CJK font) the same map warns */
    char conf[4400];
    snprintf(conf, sizeof conf,
             "<?xml version=\"1.0\"?><!DOCTYPE fontconfig SYSTEM \"fonts.dtd\"><fontconfig>"
             "<dir>/usr/share/fonts/truetype/dejavu</dir><cachedir>%s/fc-cache</cachedir></fontconfig>",
             svt_dir);
    setenv("FONTCONFIG_FILE", svt_write("latin-only.conf", conf), 1);
    SVT_RUN("map", "--db", db, "--out", svt_path("zh_boxes.pdf"), "--lang", "zh");
    unsetenv("FONTCONFIG_FILE");
    SVT_ERR_HAS("已安装的字体缺少 "); /* the warning in the map's language, with the count and the text */
    SVT_ERR_HAS(" 个字符的字形（“");
    assert_null(strstr(svt_last.err, "no installed font has"));

    /* the report: Markdown and HTML headings, column names and notes in Chinese */
    const char *md = svt_path("zh.md"), *html = svt_path("zh.html");
    SVT_EXPECT(0, "report", "--db", db, "--out", md, "--lang", "zh");
    char *t = svt_read(md, NULL);
    assert_non_null(t);
    static const char *const md_has[] = {"# 服务覆盖报告\n", "\n## 全市\n", "\n## 各片区\n",
                                         "| 时距档 | 半径（米） | 面积（平方公里） | 覆盖面积（平方公里） | 覆盖率 % |",
                                         "| 片区 | 名称 | 面积（平方公里） | 10 分钟 覆盖率 % |",
                                         "覆盖率：片区面积中位于站点服务范围内的比例",
                                         "\n## 分析参数与软件版本\n", "| 出行方式 | 步行 |",
                                         "| 结束时间 | 20", "数据问题：跳过要素 0 个"};
    for (size_t i = 0; i < sizeof md_has / sizeof md_has[0]; i++)
        if (!strstr(t, md_has[i]))
            fail_msg("the Chinese Markdown report has no \"%s\":\n%s", md_has[i], t);
    /* up to the run's parameters (whose values are paths and a command line) only names and units */
    char *params = strstr(t, "\n## 分析参数与软件版本\n");
    *params = '\0';
    snprintf(allowed, sizeof allowed, "%s demo sqlite D S ", words); /* ids: D0013, S000041 */
    only_allowed_words("Markdown report", t, allowed);
    /* the parameters' names are Chinese (library names excepted) */
    for (char *line = strstr(params + 1, "\n| "); line; line = strstr(line + 1, "\n| ")) {
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)strcspn(line + 3, "|"), line + 3);
        only_allowed_words("a run parameter's name", name, " svcov GDAL GEOS PROJ SpatiaLite SQLite EPSG ");
    }
    free(t);
    SVT_EXPECT(0, "report", "--db", db, "--out", html, "--lang", "zh");
    assert_null(strstr(svt_last.err, "warning"));
    t = svt_read(html, NULL);
    static const char *const html_has[] = {"<html lang=\"zh-CN\">", "<title>服务覆盖报告</title>",
                                           "<h1>服务覆盖报告</h1>", "<h2>全市</h2>", "<h2>各片区</h2>",
                                           "<h3>面积与站点</h3>", "<th>片区</th><th>名称</th>",
                                           "<h2>关键站点（关闭后损失最大的站点）</h2>", "<h2>各片区地图</h2>",
                                           "<figcaption>全市</figcaption>"};
    for (size_t i = 0; i < sizeof html_has / sizeof html_has[0]; i++)
        if (!strstr(t, html_has[i]))
            fail_msg("the Chinese HTML report has no \"%s\"", html_has[i]);
    static const char *const english[] = {"Service coverage", "The whole city", ">Districts<", "District maps",
                                          "Run parameters", "Critical stations", ">Parameter<", "covered %",
                                          "Data issues", "Area and stations", "Covered: the share"};
    for (size_t i = 0; i < sizeof english / sizeof english[0]; i++)
        if (strstr(t, english[i]))
            fail_msg("the Chinese HTML report still says \"%s\"", english[i]);
    free(t);

    /* the interactive map: the page's words in Chinese */
    const char *hmap = svt_path("zh_map.html");
    SVT_EXPECT(0, "map", "--db", db, "--html", hmap, "--lang", "zh");
    t = svt_read(hmap, NULL);
    assert_non_null(strstr(t, "<html lang=\"zh-CN\">"));
    assert_non_null(strstr(t, "<title>服务覆盖</title>"));
    assert_non_null(strstr(t, "\"Within {}\":\"距站点 {}以内\""));
    assert_non_null(strstr(t, "\"Legend\":\"图例\""));
    free(t);

    /* the locale chooses when --lang is not given; --lang en forces English; LC_ALL comes before LANG */
    setenv("LANG", "zh_CN.UTF-8", 1);
    unsetenv("LC_ALL");
    unsetenv("LC_MESSAGES");
    const char *auto_md = svt_path("auto.md"), *en_md = svt_path("en.md"), *c_md = svt_path("c.md");
    SVT_EXPECT(0, "report", "--db", db, "--out", auto_md);
    SVT_EXPECT(0, "report", "--db", db, "--out", en_md, "--lang", "en");
    setenv("LC_ALL", "C.UTF-8", 1);
    SVT_EXPECT(0, "report", "--db", db, "--out", c_md);
    unsetenv("LC_ALL");
    unsetenv("LANG");
    t = svt_read(auto_md, NULL);
    assert_non_null(strstr(t, "# 服务覆盖报告\n"));
    free(t);
    const char *plain = svt_path("plain.md");
    SVT_EXPECT(0, "report", "--db", db, "--out", plain);
    assert_true(svt_same_bytes(plain, en_md)); /* forced English is the English of no locale */
    assert_true(svt_same_bytes(plain, c_md));
    t = svt_read(plain, NULL);
    assert_non_null(strstr(t, "# Service coverage report\n"));
    free(t);

    /* the summary of analyze in Chinese */
    SVT_EXPECT(0, "analyze", "--stations", SVCOV_SOURCE_DIR "/geodata/stations.geojson", "--districts",
               SVCOV_SOURCE_DIR "/geodata/districts.geojson", "--minutes", "10,15", "--mode", "walk", "--detour",
               "1.3", "--out", svt_path("zh_analyze.sqlite"), "--lang", "zh");
    static const char *const sum_has[] = {"片区", "时距档", "半径（米）", "覆盖率 %", "空白区（平方公里）",
                                          "片区内站点", "祥清街道  10 分钟", "\n全域（14 个片区合并，200 个站点，步行，EPSG:32649）：\n",
                                          "\n结果："};
    for (size_t i = 0; i < sizeof sum_has / sizeof sum_has[0]; i++)
        SVT_OUT_HAS(sum_has[i]);
    /* up to the results' path: names, table names and ids only */
    char *sum = strdup(svt_last.out);
    *strstr(sum, "\n结果：") = '\0';
    snprintf(allowed, sizeof allowed, "%s category_coverage district_redundancy critical_stations EPSG S ", words);
    only_allowed_words("analyze summary", sum, allowed);
    free(sum);

    /* the summary of site in Chinese */
    const char *sdb = svt_path("zh_site.sqlite");
    svt_copy(db, sdb);
    const char *demand = svt_write("zh_demand.geojson",
                                   "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
                                   "{\"id\":\"h1\",\"weight\":100},\"geometry\":{\"type\":\"Point\",\"coordinates\":"
                                   "[113.9440924,22.5366943]}}]}");
    SVT_EXPECT(0, "site", "--db", sdb, "--demand", demand, "--grid", "200", "--minutes", "15", "--mode", "walk",
               "--model", "mclp", "--k", "1", "--out", sdb, "--lang", "zh");
    SVT_OUT_HAS("排名");
    SVT_OUT_HAS("最大覆盖模型，服务半径 ");
    SVT_OUT_HAS("选址前覆盖：");
    SVT_OUT_HAS("结果：");
    assert_null(strstr(svt_last.out, "covered before"));

    /* an unknown language is a usage error, and nothing is written */
    const char *fr = svt_path("fr.pdf");
    SVT_EXPECT(2, "map", "--db", db, "--out", fr, "--lang", "fr");
    SVT_ERR_HAS("--lang: unknown language 'fr'; svcov speaks en (English) and zh");
    assert_false(svt_exists(fr));
    SVT_EXPECT(2, "report", "--db", db, "--out", svt_path("fr.md"), "--lang", "fr");
    SVT_ERR_HAS("unknown language 'fr'");
    assert_false(svt_exists(svt_path("fr.md")));
    SVT_EXPECT(2, "analyze", "--stations", SVCOV_SOURCE_DIR "/geodata/stations.geojson", "--districts",
               SVCOV_SOURCE_DIR "/geodata/districts.geojson", "--out", svt_path("fr.sqlite"), "--lang", "fr");
    SVT_ERR_HAS("unknown language 'fr'");
    assert_false(svt_exists(svt_path("fr.sqlite")));
    SVT_EXPECT(2, "site", "--db", sdb, "--demand", demand, "--grid", "200", "--minutes", "15", "--model", "mclp",
               "--k", "1", "--lang", "fr");
    SVT_ERR_HAS("unknown language 'fr'");
}

int main(int argc, char **argv)
{
    static const svt_group groups[] = {
        {"png", cmocka_unit_test(test_png)},
        {"vector", cmocka_unit_test(test_vector)},
        {"district_names", cmocka_unit_test(test_district_names)},
        {"errors", cmocka_unit_test(test_errors)},
        {"html", cmocka_unit_test(test_html)},
        {"browser", cmocka_unit_test(test_browser)},
        {"report", cmocka_unit_test(test_report)},
        {"report_print", cmocka_unit_test(test_report_print)},
        {"kinds", cmocka_unit_test(test_kinds)},
        {"sites", cmocka_unit_test(test_sites)},
        {"all_districts_unique_names", cmocka_unit_test(test_all_districts_unique_names)},
        {"forty_breaks", cmocka_unit_test(test_forty_breaks)},
        {"hostile_text_neutralised", cmocka_unit_test(test_hostile_text_neutralised)},
        {"lang", cmocka_unit_test(test_lang)},
    };
    return svt_run_groups(argc, argv, "map", groups, sizeof groups / sizeof groups[0], group_setup,
                          group_teardown);
}
