/* test_poster.c - svcov poster (issue 17), end to end: the places on a poster are exactly those within the largest
 * break from the entrance, checked against distances computed here (straight lines from the stored points on the
 * demo city; a Dijkstra of our own on Andorra's streets, read with GDAL, for a network analysis), in order of
 * time, with their services; the SVG's label boxes lie inside the page and meet no other; the PDF's text holds
 * the title, every listed name and its minutes; Chinese throughout with --lang zh; the QR code decodes (zbarimg);
 * a compound with no station in reach names the nearest; bad input is refused with exit 2 and nothing written. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>

#include "svtest.h"
#include "svtest_svg.h"

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <math.h>

#ifndef SVCOV_SHARED_DIR
#define SVCOV_SHARED_DIR "../shared"
#endif

static char demo_db[4200];

static const char *src(const char *rel)
{
    static char buf[4][4200];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", SVCOV_SOURCE_DIR, rel);
    return buf[k];
}

static const char *demo(void)
{
    if (!demo_db[0]) {
        snprintf(demo_db, sizeof demo_db, "%s", svt_path("demo.sqlite"));
        SVT_EXPECT(0, "analyze", "--stations", src("geodata/stations.geojson"), "--districts",
                   src("geodata/districts.geojson"), "--minutes", "10,15", "--mode", "walk", "--detour", "1.3",
                   "--no-redundancy", "--out", demo_db, "-q");
    }
    return demo_db;
}

static int setup(void **state)
{
    (void)state;
    return svt_make_dir("poster");
}

static int teardown(void **state)
{
    (void)state;
    svt_remove_dir();
    demo_db[0] = '\0';
    return 0;
}

static char *run_capture(const char *cmd)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t cap = 1 << 20, n = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    size_t r;
    while ((r = fread(buf + n, 1, cap - 1 - n, p)) > 0)
        n += r;
    buf[n] = '\0';
    pclose(p);
    return buf;
}

/* The text without blanks and line breaks (pdftotext breaks lines where the layout does). */
static void squeeze(char *s)
{
    char *o = s;
    for (; *s; s++)
        if (*s != ' ' && *s != '\n' && *s != '\r' && *s != '\t' && *s != '\f')
            *o++ = *s;
    *o = '\0';
}

/* ---- the CSV of svcov poster --csv ---- */

enum { C_COMPOUND, C_NO, C_KIND, C_ID, C_NAME, C_MINUTES, C_METRES, C_SERVICES, C_HOURS, C_N };

typedef struct {
    char f[C_N][256];
} place_row;

static size_t parse_csv(const char *text, place_row *rows, size_t cap)
{
    size_t n = 0;
    const char *s = strchr(text, '\n'); /* the header */
    assert_non_null(s);
    s++;
    while (*s && n < cap) {
        place_row *r = &rows[n];
        memset(r, 0, sizeof *r);
        for (int c = 0; c < C_N; c++) {
            size_t k = 0;
            if (*s == '"') {
                s++;
                while (*s && !(*s == '"' && s[1] != '"')) {
                    if (*s == '"')
                        s++;
                    if (k < 255)
                        r->f[c][k++] = *s;
                    s++;
                }
                if (*s == '"')
                    s++;
            } else
                while (*s && *s != ',' && *s != '\n') {
                    if (k < 255)
                        r->f[c][k++] = *s;
                    s++;
                }
            r->f[c][k] = '\0';
            if (*s == ',')
                s++;
        }
        while (*s && *s != '\n')
            s++;
        if (*s == '\n')
            s++;
        n++;
    }
    return n;
}

/* ---- stations as stored: SpatiaLite point blobs read without SpatiaLite ---- */

typedef struct {
    char id[64], name[256], services[128];
    double x, y, d;
} station_pt;

static size_t read_stations(const char *db_path, station_pt *out, size_t cap)
{
    sqlite3 *db = svt_db_open(db_path);
    sqlite3_stmt *s = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT s.station_id, s.name, coalesce(v.services, s.category, ''), "
                                            "s.geom FROM stations s LEFT JOIN station_services v USING (station_id)",
                                        -1, &s, NULL),
                     SQLITE_OK);
    size_t n = 0;
    while (sqlite3_step(s) == SQLITE_ROW && n < cap) {
        const unsigned char *b = sqlite3_column_blob(s, 3);
        int len = sqlite3_column_bytes(s, 3);
        /* 0x00, byte order 0x01, SRID, MBR (4 doubles), 0x7C, class 1 (point), x, y */
        assert_true(len >= 59 && b[0] == 0x00 && b[1] == 0x01 && b[38] == 0x7C);
        station_pt *p = &out[n++];
        snprintf(p->id, sizeof p->id, "%s", sqlite3_column_text(s, 0));
        snprintf(p->name, sizeof p->name, "%s", sqlite3_column_text(s, 1) ? (const char *)sqlite3_column_text(s, 1)
                                                                           : p->id);
        snprintf(p->services, sizeof p->services, "%s", sqlite3_column_text(s, 2));
        memcpy(&p->x, b + 43, 8);
        memcpy(&p->y, b + 51, 8);
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    return n;
}

static int by_d(const void *a, const void *b)
{
    const station_pt *x = a, *y = b;
    return x->d < y->d ? -1 : x->d > y->d;
}

/* ---- the SVG's label boxes (paths outlined in rgb(20%,20%,20%)) ---- */

static const char *const label_style[] = {"stroke:rgb(20%,20%,20%)", NULL};

/* Every label box inside the page, none overlapping another; returns how many. */
static int check_labels(const char *svg)
{
    xmlDoc *doc = xmlReadFile(svg, NULL, XML_PARSE_NONET | XML_PARSE_HUGE);
    assert_non_null(doc);
    xmlNode *root = xmlDocGetRootElement(doc);
    xmlChar *w = xmlGetProp(root, (const xmlChar *)"width"), *h = xmlGetProp(root, (const xmlChar *)"height");
    double W = strtod((const char *)w, NULL), H = strtod((const char *)h, NULL);
    xmlFree(w);
    xmlFree(h);
    static bbox b[512];
    int n = 0;
    svt_path_boxes(root, label_style, b, &n, 512);
    xmlFreeDoc(doc);
    for (int i = 0; i < n; i++) {
        if (b[i].x0 < 0 || b[i].y0 < 0 || b[i].x1 > W || b[i].y1 > H)
            fail_msg("%s: label box %d [%.1f %.1f %.1f %.1f] leaves the %.0f x %.0f page", svg, i, b[i].x0, b[i].y0,
                     b[i].x1, b[i].y1, W, H);
        for (int j = i + 1; j < n; j++)
            if (b[i].x0 < b[j].x1 - 0.01 && b[j].x0 < b[i].x1 - 0.01 && b[i].y0 < b[j].y1 - 0.01 &&
                b[j].y0 < b[i].y1 - 0.01)
                fail_msg("%s: label boxes %d [%.1f %.1f %.1f %.1f] and %d [%.1f %.1f %.1f %.1f] overlap", svg, i,
                         b[i].x0, b[i].y0, b[i].x1, b[i].y1, j, b[j].x0, b[j].y0, b[j].x1, b[j].y1);
    }
    return n;
}

/* ---- checks shared by the demo city and Andorra ---- */

/* The rows are the expected places (exp, sorted by distance), in that order, with their metres and minutes
 * (min_per_m: the break's minutes per metre); ties within 0.05 m may come in either order. */
static void check_places(const place_row *rows, size_t nrows, station_pt *exp, size_t nexp, double min_per_m,
                         const char *what)
{
    size_t ns = 0;
    for (size_t i = 0; i < nrows; i++)
        ns += strcmp(rows[i].f[C_KIND], "station") == 0;
    if (ns != nexp) {
        char list[2048] = "";
        for (size_t i = 0; i < nexp && strlen(list) < 1900; i++)
            snprintf(list + strlen(list), sizeof list - strlen(list), " %s(%.1f)", exp[i].id, exp[i].d);
        fail_msg("%s: the poster has %zu stations, %zu are within reach:%s", what, ns, nexp, list);
    }
    size_t k = 0;
    double last = -1;
    for (size_t i = 0; i < nrows; i++) {
        const place_row *r = &rows[i];
        double minutes = strtod(r->f[C_MINUTES], NULL), metres = strtod(r->f[C_METRES], NULL);
        if (minutes + 1e-9 < last)
            fail_msg("%s: place %zu (%s, %.2f min) comes after one of %.2f min", what, i + 1, r->f[C_ID], minutes,
                     last);
        last = minutes;
        char no[16];
        snprintf(no, sizeof no, "%zu", i + 1);
        if (i < 12 && strcmp(r->f[C_NO], no) != 0)
            fail_msg("%s: place %zu is numbered '%s'", what, i + 1, r->f[C_NO]);
        if (i >= 12 && r->f[C_NO][0])
            fail_msg("%s: place %zu is listed, past the 12 a poster lists", what, i + 1);
        if (strcmp(r->f[C_KIND], "station") != 0)
            continue;
        const station_pt *e = &exp[k];
        if (strcmp(e->id, r->f[C_ID]) != 0) { /* a tie may swap two */
            size_t j;
            for (j = 0; j < nexp; j++)
                if (strcmp(exp[j].id, r->f[C_ID]) == 0)
                    break;
            if (j == nexp || fabs(exp[j].d - e->d) > 0.05)
                fail_msg("%s: station %zu should be %s (%.2f m), the poster has %s (%.2f m)", what, k + 1, e->id,
                         e->d, r->f[C_ID], metres);
            e = &exp[j];
        }
        if (fabs(metres - e->d) > 0.06)
            fail_msg("%s: %s is %.2f m away on the poster, %.2f m here", what, e->id, metres, e->d);
        if (fabs(minutes - e->d * min_per_m) > 0.006)
            fail_msg("%s: %s is %.3f min away on the poster, %.3f min here", what, e->id, minutes, e->d * min_per_m);
        k++;
    }
}

/* ---- the demo city: straight lines ---- */

static double max_radius(const char *db_path, double *minutes)
{
    sqlite3 *db = svt_db_open(db_path);
    double r = svt_db_double(db, "SELECT max(radius_m) FROM district_coverage");
    *minutes = svt_db_double(db, "SELECT minutes FROM district_coverage ORDER BY radius_m DESC LIMIT 1");
    sqlite3_close(db);
    return r;
}

static void test_demo(void **state)
{
    (void)state;
    const char *db = demo();
    static station_pt st[256];
    size_t n = read_stations(db, st, 256);
    assert_int_equal(n, 200);
    /* the entrance: station S000100's own lon/lat (its stored point is the same place in the analysis CRS) */
    size_t e;
    for (e = 0; e < n && strcmp(st[e].id, "S000100") != 0; e++)
        ;
    assert_true(e < n);
    char *gj = svt_read(src("geodata/stations.geojson"), NULL);
    assert_non_null(gj);
    const char *f = strstr(gj, "\"S000100\"");
    assert_non_null(f);
    const char *co = strstr(f, "\"coordinates\": [");
    assert_non_null(co);
    double lon = strtod(co + 16, NULL), lat = strtod(strchr(co + 16, ',') + 1, NULL);
    free(gj);
    char ent[64];
    snprintf(ent, sizeof ent, "%.7f,%.7f", lon, lat);
    double minutes, R = max_radius(db, &minutes);
    double ex = st[e].x, ey = st[e].y;
    station_pt exp[256];
    size_t ne = 0;
    for (size_t i = 0; i < n; i++) {
        st[i].d = hypot(st[i].x - ex, st[i].y - ey);
        if (st[i].d <= R)
            exp[ne++] = st[i];
    }
    qsort(exp, ne, sizeof *exp, by_d);
    assert_true(ne >= 13); /* more than a poster lists: the rest are counted */

    const char *svg = svt_path("d5.svg");
    SVT_EXPECT(0, "poster", "--db", db, "--district", "D0005", "--entrance", ent, "--out", svg, "--csv", "-q");
    static place_row rows[256];
    size_t nr = parse_csv(svt_last.out, rows, 256);
    check_places(rows, nr, exp, ne, minutes / R, "demo D0005");
    /* services: the stations' words (water;charging...), each once */
    for (size_t i = 0; i < nr; i++) {
        size_t j;
        for (j = 0; j < ne && strcmp(exp[j].id, rows[i].f[C_ID]) != 0; j++)
            ;
        assert_true(j < ne);
        char want[128];
        snprintf(want, sizeof want, "%s", exp[j].services);
        int words = 0;
        for (char *w = strtok(want, ";"); w; w = strtok(NULL, ";"), words++)
            if (!strstr(rows[i].f[C_SERVICES], w))
                fail_msg("%s (%s) offers %s; the poster shows %s", exp[j].id, exp[j].services, w,
                         rows[i].f[C_SERVICES]);
        int shown = 1;
        for (const char *c = rows[i].f[C_SERVICES]; *c; c++)
            shown += *c == ';';
        if (shown != words)
            fail_msg("%s offers %s; the poster shows %s", exp[j].id, exp[j].services, rows[i].f[C_SERVICES]);
    }
    int nb = check_labels(svg);
    /* title, legend, footer, 12 rows, the count of the rest, 12 numbers and the entrance on the map */
    if (nb < 2 * 12 + 5)
        fail_msg("only %d label boxes in %s", nb, svg);

    /* the PDF's text: the title, every listed name and its minutes */
    const char *pdf = svt_path("d5.pdf");
    SVT_EXPECT(0, "poster", "--db", db, "--district", "D0005", "--entrance", ent, "--out", pdf, "-q");
    char cmd[4600];
    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' -", pdf);
    char *txt = run_capture(cmd);
    squeeze(txt);
    sqlite3 *sdb = svt_db_open(db);
    char title[400];
    snprintf(title, sizeof title, "%srider-friendlymap",
             svt_db_text(sdb, "SELECT district_name FROM districts WHERE district_id = 'D0005'"));
    sqlite3_close(sdb);
    if (!strstr(txt, title))
        fail_msg("the PDF lacks the title %s:\n%s", title, txt);
    for (size_t i = 0; i < 12; i++) {
        char want[400];
        snprintf(want, sizeof want, "%s", rows[i].f[C_NAME]);
        squeeze(want);
        char mins[32];
        snprintf(mins, sizeof mins, "%dmin", (int)ceil(strtod(rows[i].f[C_MINUTES], NULL) - 1e-9));
        const char *at = strstr(txt, want);
        if (!at || !strstr(at, mins))
            fail_msg("the PDF lacks %s followed by %s:\n%s", want, mins, txt);
    }
    char more[64];
    snprintf(more, sizeof more, "+%zumorewithin15min", ne - 12);
    if (!strstr(txt, more))
        fail_msg("the PDF does not count the %zu places not listed (%s):\n%s", ne - 12, more, txt);
    free(txt);
}

/* --lang zh: Chinese throughout, no missing glyph; the QR code decodes to the URL. */
static void test_chinese_qr(void **state)
{
    (void)state;
    const char *db = demo();
    const char *pdf = svt_path("d13_zh.pdf");
    const char *url = "https://example.org/svcov/map?district=D0013";
    SVT_EXPECT(0, "poster", "--db", db, "--district", "D0013", "--lang", "zh", "--page", "a3", "--qr-url", url,
               "--out", pdf);
    if (strstr(svt_last.err, "warning"))
        fail_msg("svcov warned:\n%s", svt_last.err);
    char cmd[4600];
    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' -", pdf);
    char *txt = run_capture(cmd);
    if (!strstr(txt, "骑手友好地图") || !strstr(txt, "分钟") || !strstr(txt, "入口") || !strstr(txt, "扫码"))
        fail_msg("the Chinese poster lacks its words:\n%s", txt);
    /* the demo's names are Chinese: no Latin letter may be left but the data's date digits */
    for (const char *c = txt; *c; c++)
        if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z'))
            fail_msg("a Latin letter in the Chinese poster at \"%.40s\":\n%s", c, txt);
    free(txt);
    snprintf(cmd, sizeof cmd, "pdfinfo '%s'", pdf);
    char *info = run_capture(cmd);
    if (!strstr(info, "841.89 x 1190.55 pts (A3)"))
        fail_msg("not an A3 page:\n%s", info);
    free(info);
    /* the QR code, scanned from a PNG of the poster */
    const char *png = svt_path("d13_zh.png");
    SVT_EXPECT(0, "poster", "--db", db, "--district", "D0013", "--lang", "zh", "--qr-url", url, "--out", png, "-q");
    snprintf(cmd, sizeof cmd, "zbarimg -q --raw '%s' 2>/dev/null", png);
    char *qr = run_capture(cmd);
    char *nl = strchr(qr, '\n');
    if (nl)
        *nl = '\0';
    assert_string_equal(qr, url);
    free(qr);
}

/* A point in the analysis CRS, from lon/lat, with GDAL (PROJ). */
static void project(int epsg, double *x, double *y)
{
    OGRSpatialReferenceH wgs = OSRNewSpatialReference(NULL), to = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(wgs, 4326);
    OSRImportFromEPSG(to, epsg);
    OSRSetAxisMappingStrategy(wgs, OAMS_TRADITIONAL_GIS_ORDER);
    OSRSetAxisMappingStrategy(to, OAMS_TRADITIONAL_GIS_ORDER);
    OGRCoordinateTransformationH ct = OCTNewCoordinateTransformation(wgs, to);
    assert_non_null(ct);
    assert_true(OCTTransform(ct, 1, x, y, NULL));
    OCTDestroyCoordinateTransformation(ct);
    OSRDestroySpatialReference(wgs);
    OSRDestroySpatialReference(to);
}

/* A compound with no station within reach says so and names the nearest one (computed here). */
static void test_none_in_reach(void **state)
{
    (void)state;
    const char *db = demo();
    static station_pt st[256];
    size_t n = read_stations(db, st, 256);
    sqlite3 *sdb = svt_db_open(db);
    int epsg = (int)svt_db_int(sdb, "SELECT crs_epsg FROM runs");
    sqlite3_close(sdb);
    double x = 114.08, y = 22.54; /* east of the demo city */
    project(epsg, &x, &y);
    size_t best = 0;
    for (size_t i = 0; i < n; i++) {
        st[i].d = hypot(st[i].x - x, st[i].y - y);
        if (st[i].d < st[best].d)
            best = i;
    }
    double minutes, R = max_radius(db, &minutes);
    assert_true(st[best].d > R);
    const char *pdf = svt_path("far.pdf");
    SVT_EXPECT(0, "poster", "--db", db, "--at", "114.08,22.54", "--name", "远方小区", "--out", pdf, "--csv", "-q");
    static place_row rows[8];
    size_t nr = parse_csv(svt_last.out, rows, 8);
    assert_int_equal(nr, 1);
    assert_string_equal(rows[0].f[C_KIND], "nearest_station");
    assert_string_equal(rows[0].f[C_ID], st[best].id);
    assert_float_equal(strtod(rows[0].f[C_METRES], NULL), st[best].d, 0.06);
    char cmd[4600];
    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' -", pdf);
    char *txt = run_capture(cmd);
    squeeze(txt);
    char want[512], mins[32];
    snprintf(mins, sizeof mins, "%d", (int)ceil(st[best].d * minutes / R - 1e-9));
    snprintf(want, sizeof want, "Nostationwithin15minoftheentrance.Thenearestone:%s,%smin", st[best].name, mins);
    squeeze(want);
    if (!strstr(txt, want))
        fail_msg("the poster does not say '%s':\n%s", want, txt);
    free(txt);
}

/* --compounds: one poster per polygon of a layer (ids kept readable, unsafe ones renamed), each walked from the
 * polygon's centre; here squares centred on two stations, so the places are those within the break of them. */
static void test_compounds(void **state)
{
    (void)state;
    const char *db = demo();
    static station_pt st[256];
    size_t n = read_stations(db, st, 256);
    const char *ids[2] = {"S000100", "S000150"};
    const char *names[2] = {"阳光小区", "B/2"};
    char gj[4096] = "{\"type\":\"FeatureCollection\",\"features\":[";
    char *g = svt_read(src("geodata/stations.geojson"), NULL);
    assert_non_null(g);
    for (int k = 0; k < 2; k++) {
        char key[32];
        snprintf(key, sizeof key, "\"%s\"", ids[k]);
        const char *co = strstr(strstr(g, key), "\"coordinates\": [");
        double lon = strtod(co + 16, NULL), lat = strtod(strchr(co + 16, ',') + 1, NULL), e = 0.001;
        snprintf(gj + strlen(gj), sizeof gj - strlen(gj),
                 "%s{\"type\":\"Feature\",\"properties\":{\"id\":\"%s\",\"name\":\"%s\"},\"geometry\":"
                 "{\"type\":\"Polygon\",\"coordinates\":[[[%.7f,%.7f],[%.7f,%.7f],[%.7f,%.7f],[%.7f,%.7f],"
                 "[%.7f,%.7f]]]}}", k ? "," : "", names[k], names[k], lon - e, lat - e, lon + e, lat - e, lon + e,
                 lat + e, lon - e, lat + e, lon - e, lat - e);
    }
    free(g);
    strcat(gj, "]}");
    const char *layer = svt_write("compounds.geojson", gj);
    const char *dir = svt_path("posters");
    assert_int_equal(mkdir(dir, 0755), 0);
    SVT_EXPECT(0, "poster", "--db", db, "--compounds", layer, "--all-districts", dir, "--format", "svg", "--csv");
    SVT_ERR_HAS("poster 2 of 2");
    static place_row rows[256];
    size_t nr = parse_csv(svt_last.out, rows, 256);
    double minutes, R = max_radius(db, &minutes);
    for (int k = 0; k < 2; k++) {
        size_t c;
        for (c = 0; c < n && strcmp(st[c].id, ids[k]) != 0; c++)
            ;
        assert_true(c < n);
        station_pt exp[256];
        size_t ne = 0;
        for (size_t i = 0; i < n; i++) {
            st[i].d = hypot(st[i].x - st[c].x, st[i].y - st[c].y);
            if (st[i].d <= R)
                exp[ne++] = st[i];
        }
        qsort(exp, ne, sizeof *exp, by_d);
        place_row mine[256];
        size_t nm = 0;
        for (size_t i = 0; i < nr; i++)
            if (strcmp(rows[i].f[C_COMPOUND], names[k]) == 0)
                mine[nm++] = rows[i];
        /* the entrance, the square's centroid, lies within a few cm of the station in the analysis CRS */
        check_places(mine, nm, exp, ne, minutes / R, names[k]);
    }
    char path[4600];
    snprintf(path, sizeof path, "%s/阳光小区.svg", dir);
    check_labels(path);
    snprintf(path, sizeof path, "%s/B_2.svg", dir);
    assert_int_equal(access(path, R_OK), 0);
}

/* analyze --services-field/--hours-field store what each station offers and when (station_services); the
 * poster shows them, Chinese words read as the same icons as English ones. */
static void test_station_services(void **state)
{
    (void)state;
    const char *gj =
        "{\"type\":\"FeatureCollection\",\"features\":["
        "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"A\",\"name\":\"甲站\",\"kinds\":\"热水、充电、卫生间\","
        "\"hours\":\"Mo-Su 08:00-22:00\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[113.9533,22.5387]}},"
        "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"B\",\"name\":\"乙站\",\"kinds\":\"microwave, First Aid\"},"
        "\"geometry\":{\"type\":\"Point\",\"coordinates\":[113.9540,22.5390]}},"
        "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"C\",\"name\":\"丙站\"},"
        "\"geometry\":{\"type\":\"Point\",\"coordinates\":[113.9545,22.5380]}}]}";
    const char *stations = svt_write("kinds.geojson", gj);
    const char *db = svt_path("kinds.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", stations, "--districts", src("geodata/districts.geojson"), "--minutes",
               "10,15", "--services-field", "kinds", "--hours-field", "hours", "--no-redundancy", "--out", db, "-q");
    sqlite3 *sdb = svt_db_open(db);
    assert_int_equal(svt_db_int(sdb, "SELECT count(*) FROM station_services"), 2);
    assert_string_equal(svt_db_text(sdb, "SELECT services || '|' || opening_hours FROM station_services"
                                         " WHERE station_id = 'A'"), "热水、充电、卫生间|Mo-Su 08:00-22:00");
    sqlite3_close(sdb);
    SVT_EXPECT(0, "poster", "--db", db, "--at", "113.9533,22.5387", "--name", "测试小区", "--out",
               svt_path("kinds.pdf"), "--csv", "-q");
    static place_row rows[8];
    size_t nr = parse_csv(svt_last.out, rows, 8);
    assert_int_equal(nr, 3);
    for (size_t i = 0; i < nr; i++) {
        const char *id = rows[i].f[C_ID];
        const char *want = strcmp(id, "A") == 0 ? "water;charging;toilet"
                           : strcmp(id, "B") == 0 ? "microwave;first_aid" : "";
        assert_string_equal(rows[i].f[C_SERVICES], want);
        assert_string_equal(rows[i].f[C_HOURS], strcmp(id, "A") == 0 ? "Mo-Su 08:00-22:00" : "");
    }
    SVT_EXPECT(1, "analyze", "--stations", stations, "--districts", src("geodata/districts.geojson"),
               "--services-field", "nope", "--out", svt_path("nope.sqlite"), "-q");
    SVT_ERR_HAS("has no field 'nope' (--services-field)");
}

/* Bad input: exit 2, a clear message, nothing written (an earlier file stays as it was). */
static void test_bad_input(void **state)
{
    (void)state;
    const char *db = demo();
    const char *out = svt_write("bad.pdf", "earlier");
    SVT_EXPECT(2, "poster", "--db", db, "--district", "D9999", "--out", out);
    SVT_ERR_HAS("--district D9999: no such compound");
    SVT_ERR_HAS("D0001");
    const char *gj = "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
                     "{\"offers\":\"hot water\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[113.95,22.54]}}]}";
    const char *nonames = svt_write("merchants.geojson", gj);
    SVT_EXPECT(2, "poster", "--db", db, "--district", "D0013", "--merchants", nonames, "--out", out);
    SVT_ERR_HAS("has no 'name' field");
    SVT_ERR_HAS("--merchant-name");
    /* a merchant without geometry: the poster is made without it, and the problem is said (in Chinese too) */
    const char *nogeom = svt_write("merchants2.geojson",
        "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{\"merchant_id\":"
        "\"m1\",\"name\":\"Tea\",\"offers\":\"hot water\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":"
        "[113.95,22.54]}},{\"type\":\"Feature\",\"properties\":{\"merchant_id\":\"m2\",\"name\":\"Noodles\"},"
        "\"geometry\":null}]}");
    const char *ok = svt_path("merchants2.pdf");
    SVT_EXPECT(0, "poster", "--db", db, "--district", "D0013", "--merchants", nogeom, "--out", ok, "-q");
    SVT_ERR_HAS("feature m2 has no geometry; skipped it");
    SVT_EXPECT(0, "poster", "--db", db, "--district", "D0013", "--merchants", nogeom, "--out", ok, "-q", "--lang",
               "zh");
    SVT_ERR_HAS("要素 m2 没有几何；已跳过");
    static char url[3200];
    memcpy(url, "https://example.org/", 20);
    memset(url + 20, 'a', 3000);
    url[3020] = '\0';
    SVT_EXPECT(2, "poster", "--db", db, "--district", "D0013", "--qr-url", url, "--out", out);
    SVT_ERR_HAS("--qr-url: 3020 bytes are too long for a QR code");
    SVT_EXPECT(2, "poster", "--db", db, "--district", "D0013", "--out", svt_path("x.jpg"));
    SVT_EXPECT(2, "poster", "--db", db, "--at", "200,22", "--out", out);
    SVT_ERR_HAS("--at 200,22: not a lon/lat");
    size_t len = 0;
    char *t = svt_read(out, &len);
    assert_non_null(t);
    assert_int_equal(len, 7);
    assert_memory_equal(t, "earlier", 7);
    free(t);
    assert_int_equal(access(svt_path("x.jpg"), F_OK), -1);
}

/* ---- Andorra: along the streets, against a Dijkstra of our own ---- */

static char andorra[4200];

typedef struct {
    double x, y;
} node;

static int node_cmp(const void *a, const void *b)
{
    const node *p = a, *q = b;
    return p->x < q->x ? -1 : p->x > q->x ? 1 : p->y < q->y ? -1 : p->y > q->y;
}

typedef struct {
    node *nodes;
    size_t n;
    size_t *off, *adj;
    double *w;
} graph;

/* The walking graph of the shared references' definition: every way whose highway is not motorway(_link),
 * trunk(_link), construction, proposed, raceway or bus_guideway, undirected, vertices in UTM 31N rounded to 1 cm,
 * edges between consecutive vertices with their straight length. */
static void build_graph(graph *g, OGRCoordinateTransformationH ct)
{
    static const char *const no[] = {"motorway", "motorway_link", "trunk", "trunk_link", "construction",
                                     "proposed", "raceway", "bus_guideway", NULL};
    char path[4400];
    snprintf(path, sizeof path, "%s/roads.geojson", andorra);
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH l = GDALDatasetGetLayer(ds, 0);
    size_t cap = 1 << 16, nv = 0, ne = 0, ecap = 1 << 16;
    node *v = malloc(cap * sizeof *v);
    node (*ed)[2] = malloc(ecap * sizeof *ed);
    assert_true(v && ed);
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(l)) != NULL) {
        int hi = OGR_F_GetFieldIndex(f, "highway");
        const char *hw = hi >= 0 && OGR_F_IsFieldSetAndNotNull(f, hi) ? OGR_F_GetFieldAsString(f, hi) : NULL;
        int ok = hw != NULL;
        for (const char *const *x = no; ok && *x; x++)
            ok = strcmp(hw, *x) != 0;
        OGRGeometryH geom = OGR_F_GetGeometryRef(f);
        if (ok && geom) {
            OGRGeometryH c = OGR_G_Clone(geom);
            OGR_G_Transform(c, ct);
            int parts = wkbFlatten(OGR_G_GetGeometryType(c)) == wkbMultiLineString ? OGR_G_GetGeometryCount(c) : 1;
            for (int p = 0; p < parts; p++) {
                OGRGeometryH line = parts > 1 || wkbFlatten(OGR_G_GetGeometryType(c)) == wkbMultiLineString
                                        ? OGR_G_GetGeometryRef(c, p)
                                        : c;
                int np = OGR_G_GetPointCount(line);
                node prev = {0, 0};
                for (int i = 0; i < np; i++) {
                    node q = {round(OGR_G_GetX(line, i) * 100) / 100, round(OGR_G_GetY(line, i) * 100) / 100};
                    if (nv == cap)
                        v = realloc(v, (cap *= 2) * sizeof *v);
                    v[nv++] = q;
                    if (i > 0 && (q.x != prev.x || q.y != prev.y)) {
                        if (ne == ecap)
                            ed = realloc(ed, (ecap *= 2) * sizeof *ed);
                        ed[ne][0] = prev;
                        ed[ne][1] = q;
                        ne++;
                    }
                    prev = q;
                }
            }
            OGR_G_DestroyGeometry(c);
        }
        OGR_F_Destroy(f);
    }
    GDALClose(ds);
    qsort(v, nv, sizeof *v, node_cmp);
    size_t u = 0;
    for (size_t i = 0; i < nv; i++)
        if (u == 0 || node_cmp(&v[u - 1], &v[i]) != 0)
            v[u++] = v[i];
    g->nodes = v;
    g->n = u;
    g->off = calloc(u + 1, sizeof *g->off);
    size_t *a = malloc(ne * sizeof *a), *b = malloc(ne * sizeof *b);
    assert_true(g->off && a && b);
    for (size_t i = 0; i < ne; i++) {
        a[i] = (node *)bsearch(&ed[i][0], v, u, sizeof *v, node_cmp) - v;
        b[i] = (node *)bsearch(&ed[i][1], v, u, sizeof *v, node_cmp) - v;
        g->off[a[i] + 1]++;
        g->off[b[i] + 1]++;
    }
    for (size_t i = 0; i < u; i++)
        g->off[i + 1] += g->off[i];
    g->adj = malloc(2 * ne * sizeof *g->adj);
    g->w = malloc(2 * ne * sizeof *g->w);
    size_t *fill = calloc(u, sizeof *fill);
    assert_true(g->adj && g->w && fill);
    for (size_t i = 0; i < ne; i++) {
        double len = hypot(v[a[i]].x - v[b[i]].x, v[a[i]].y - v[b[i]].y);
        g->adj[g->off[a[i]] + fill[a[i]]] = b[i];
        g->w[g->off[a[i]] + fill[a[i]]++] = len;
        g->adj[g->off[b[i]] + fill[b[i]]] = a[i];
        g->w[g->off[b[i]] + fill[b[i]]++] = len;
    }
    free(fill);
    free(a);
    free(b);
    free(ed);
}

static size_t nearest_node(const graph *g, double x, double y, double *d)
{
    size_t best = 0;
    *d = INFINITY;
    for (size_t i = 0; i < g->n; i++) {
        double e = hypot(g->nodes[i].x - x, g->nodes[i].y - y);
        if (e < *d) {
            *d = e;
            best = i;
        }
    }
    return best;
}

/* Plain Dijkstra with a binary heap. */
static double *dijkstra(const graph *g, size_t s)
{
    double *dist = malloc(g->n * sizeof *dist);
    size_t *heap = malloc((g->off[g->n] + 1) * sizeof *heap);
    double *key = malloc((g->off[g->n] + 1) * sizeof *key);
    assert_true(dist && heap && key);
    for (size_t i = 0; i < g->n; i++)
        dist[i] = INFINITY;
    size_t hn = 0;
    dist[s] = 0;
    heap[hn] = s;
    key[hn++] = 0;
    while (hn) {
        size_t u = heap[0];
        double k = key[0];
        hn--;
        heap[0] = heap[hn];
        key[0] = key[hn];
        for (size_t i = 0;;) { /* sift down */
            size_t c = 2 * i + 1, m = i;
            if (c < hn && key[c] < key[m])
                m = c;
            if (c + 1 < hn && key[c + 1] < key[m])
                m = c + 1;
            if (m == i)
                break;
            size_t th = heap[i];
            double tk = key[i];
            heap[i] = heap[m];
            key[i] = key[m];
            heap[m] = th;
            key[m] = tk;
            i = m;
        }
        if (k > dist[u])
            continue;
        for (size_t e = g->off[u]; e < g->off[u + 1]; e++) {
            size_t w = g->adj[e];
            double nd = k + g->w[e];
            if (nd < dist[w]) {
                dist[w] = nd;
                size_t i = hn++;
                heap[i] = w;
                key[i] = nd;
                while (i > 0 && key[(i - 1) / 2] > key[i]) { /* sift up */
                    size_t p = (i - 1) / 2, th = heap[i];
                    double tk = key[i];
                    heap[i] = heap[p];
                    key[i] = key[p];
                    heap[p] = th;
                    key[p] = tk;
                    i = p;
                }
            }
        }
    }
    free(heap);
    free(key);
    return dist;
}

static void test_andorra(void **state)
{
    (void)state;
    if (!andorra[0])
        skip();
    char stations[4400], districts[4400], roads[4400];
    snprintf(stations, sizeof stations, "%s/stations.geojson", andorra);
    snprintf(districts, sizeof districts, "%s/districts.geojson", andorra);
    snprintf(roads, sizeof roads, "%s/roads.geojson", andorra);
    const char *db = svt_path("andorra.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", stations, "--districts", districts, "--district-id", "name", "--network",
               roads, "--mode", "walk", "--minutes", "10,15", "--snap", "node", "--access-legs", "off",
               "--no-redundancy", "--no-category-coverage", "--out", db, "-q");
    const double lon = 1.5218, lat = 42.5075; /* Andorra la Vella, Carrer Major */
    const char *gj = "{\"type\":\"FeatureCollection\",\"features\":["
                     "{\"type\":\"Feature\",\"properties\":{\"name\":\"Forn Pa Calent\",\"offers\":\"free hot water;"
                     " toilet\",\"opening_hours\":\"Mo-Sa 07:00-20:00\"},\"geometry\":{\"type\":\"Point\","
                     "\"coordinates\":[1.5225,42.5080]}},"
                     "{\"type\":\"Feature\",\"properties\":{\"name\":\"Bar Central\",\"offers\":\"骑手优先取餐、"
                     "免费热水、充电\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[1.5200,42.5060]}}]}";
    const char *merch = svt_write("merchants.geojson", gj);
    const char *svg = svt_path("andorra.svg");
    SVT_EXPECT(0, "poster", "--db", db, "--at", "1.5218,42.5075", "--name", "Carrer Major", "--merchants", merch,
               "--qr-url", "https://example.org/andorra", "--out", svg, "--csv", "-q");
    static place_row rows[256];
    size_t nr = parse_csv(svt_last.out, rows, 256);

    OGRSpatialReferenceH wgs = OSRNewSpatialReference(NULL), utm = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(wgs, 4326);
    OSRImportFromEPSG(utm, 32631);
    OSRSetAxisMappingStrategy(wgs, OAMS_TRADITIONAL_GIS_ORDER);
    OSRSetAxisMappingStrategy(utm, OAMS_TRADITIONAL_GIS_ORDER);
    OGRCoordinateTransformationH ct = OCTNewCoordinateTransformation(wgs, utm);
    assert_non_null(ct);
    graph g = {0};
    build_graph(&g, ct);
    double ex = lon, ey = lat;
    assert_true(OCTTransform(ct, 1, &ex, &ey, NULL));
    double snap;
    size_t en = nearest_node(&g, ex, ey, &snap);
    double *dist = dijkstra(&g, en);
    static station_pt st[256];
    size_t n = read_stations(db, st, 256);
    station_pt exp[256];
    size_t ne = 0;
    const double R = 15 * 60 * 5 / 3.6; /* 15 minutes at 5 km/h along the streets: 1250 m */
    for (size_t i = 0; i < n; i++) {
        size_t k = nearest_node(&g, st[i].x, st[i].y, &snap);
        st[i].d = snap <= 500 ? dist[k] : INFINITY; /* --max-snap 500 m */
        if (st[i].d <= R)
            exp[ne++] = st[i];
    }
    qsort(exp, ne, sizeof *exp, by_d);
    if (ne < 5)
        fail_msg("only %zu stations within 15 minutes of Carrer Major", ne);
    check_places(rows, nr, exp, ne, 1 / (5 / 3.6) / 60, "Andorra");
    /* the merchants: their own street distances, their offers as icons and text */
    int seen = 0;
    for (size_t i = 0; i < nr; i++) {
        if (strcmp(rows[i].f[C_KIND], "merchant") != 0)
            continue;
        double mx = strcmp(rows[i].f[C_NAME], "Forn Pa Calent") == 0 ? 1.5225 : 1.5200,
               my = strcmp(rows[i].f[C_NAME], "Forn Pa Calent") == 0 ? 42.5080 : 42.5060;
        assert_true(OCTTransform(ct, 1, &mx, &my, NULL));
        double d = dist[nearest_node(&g, mx, my, &snap)];
        if (fabs(strtod(rows[i].f[C_METRES], NULL) - d) > 0.06)
            fail_msg("merchant %s: %s m on the poster, %.2f m here", rows[i].f[C_NAME], rows[i].f[C_METRES], d);
        int forn = strcmp(rows[i].f[C_NAME], "Forn Pa Calent") == 0;
        assert_string_equal(rows[i].f[C_SERVICES], forn ? "water;toilet" : "water;charging;other");
        assert_string_equal(rows[i].f[C_HOURS], forn ? "Mo-Sa 07:00-20:00" : "");
        seen++;
    }
    assert_int_equal(seen, 2);
    check_labels(svg);
    free(dist);
    free(g.nodes);
    free(g.off);
    free(g.adj);
    free(g.w);
    OCTDestroyCoordinateTransformation(ct);
    OSRDestroySpatialReference(wgs);
    OSRDestroySpatialReference(utm);

    /* one poster per parish, the network built once, with progress */
    const char *dir = svt_path("posters");
    assert_int_equal(mkdir(dir, 0755), 0);
    SVT_EXPECT(0, "poster", "--db", db, "--all-districts", dir, "--format", "pdf");
    sqlite3 *sdb = svt_db_open(db);
    long nd = svt_db_int(sdb, "SELECT count(*) FROM districts");
    char first[128];
    snprintf(first, sizeof first, "%s", svt_db_text(sdb, "SELECT district_id FROM districts ORDER BY district_id"));
    sqlite3_close(sdb);
    char want[256];
    snprintf(want, sizeof want, "poster 1 of %ld", nd);
    SVT_ERR_HAS(want);
    snprintf(want, sizeof want, "wrote %ld posters", nd);
    SVT_ERR_HAS(want);
    char pdf[4600];
    snprintf(pdf, sizeof pdf, "%s/%s.pdf", dir, first);
    assert_int_equal(access(pdf, R_OK), 0);
}

int main(int argc, char **argv)
{
    GDALAllRegister();
    const char *env = getenv("SVCOV_SHARED");
    snprintf(andorra, sizeof andorra, "%s/realdata/andorra", env && *env ? env : SVCOV_SHARED_DIR);
    struct stat sb;
    if (argc > 1 && strcmp(argv[1], "andorra") == 0 && (stat(andorra, &sb) != 0 || !S_ISDIR(sb.st_mode))) {
        printf("SKIPPED: %s not found; set SVCOV_SHARED to the shared folder to check posters on Andorra\n",
               andorra);
        return 77;
    }
    const svt_group groups[] = {
        {"demo", cmocka_unit_test(test_demo)},
        {"chinese_qr", cmocka_unit_test(test_chinese_qr)},
        {"none_in_reach", cmocka_unit_test(test_none_in_reach)},
        {"bad_input", cmocka_unit_test(test_bad_input)},
        {"compounds", cmocka_unit_test(test_compounds)},
        {"station_services", cmocka_unit_test(test_station_services)},
        {"andorra", cmocka_unit_test(test_andorra)},
    };
    return svt_run_groups(argc, argv, "poster", groups, sizeof groups / sizeof groups[0], setup, teardown);
}
