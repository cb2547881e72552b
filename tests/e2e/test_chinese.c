/* test_chinese.c - Chinese planning data as it comes (issue 13, items 1-4):
 * GCJ-02/BD-09 inputs, CGCS2000 inputs and zones, GBK shapefiles, the
 * GB 50180 life circles, and the refusals, on the demo city (113.95 E,
 * 22.55 N, Shenzhen's latitude).
 *
 * Usage: test_chinese GROUP  (coords, cgcs2000, encoding, preset, refused, output). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "svtest.h"
#include "svcov/sv_cncoords.h"

#define GEODATA SVCOV_SOURCE_DIR "/geodata"
#define STATIONS GEODATA "/stations.geojson"
#define DISTRICTS GEODATA "/districts.geojson"

static int group_setup(void **state)
{
    (void)state;
    return svt_make_dir("chinese");
}

static int group_teardown(void **state)
{
    (void)state;
    svt_run_free();
    svt_remove_dir();
    return 0;
}

/* A copy of a GeoJSON file with every coordinate pair "[ x, y ]" moved
 * from WGS 84 to the system to (with the published forward formulas). */
static const char *convert_geojson(const char *src, const char *name, sv_coords to)
{
    char *txt = svt_read(src, NULL);
    assert_non_null(txt);
    size_t cap = 2 * strlen(txt) + 1024, k = 0;
    char *out = malloc(cap);
    assert_non_null(out);
    size_t n_pairs = 0;
    for (const char *p = txt; *p;) {
        if (*p == '[') {
            const char *q = p + 1;
            while (*q == ' ')
                q++;
            char *e1 = NULL, *e2 = NULL;
            double x = strtod(q, &e1);
            if (e1 != q && *e1 == ',') {
                double y = strtod(e1 + 1, &e2);
                const char *r = e2;
                while (r && *r == ' ')
                    r++;
                if (e2 != e1 + 1 && *r == ']') {
                    double cx, cy;
                    assert_int_equal(sv_coords_convert(SV_COORDS_WGS84, to, x, y, &cx, &cy), 0);
                    assert_true(cap - k > 64);
                    k += (size_t)snprintf(out + k, cap - k, "[ %.10f, %.10f ]", cx, cy);
                    p = r + 1;
                    n_pairs++;
                    continue;
                }
            }
        }
        assert_true(cap - k > 2);
        out[k++] = *p++;
    }
    out[k] = '\0';
    assert_true(n_pairs > 100);
    const char *path = svt_write(name, out);
    free(out);
    free(txt);
    return path;
}

/* ogr2ogr ARGS (GDAL's own tool, as a user would convert a file). */
static void ogr2ogr(const char *args)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "ogr2ogr %s >/dev/null 2>&1", args);
    if (system(cmd) != 0)
        fail_msg("ogr2ogr failed (gdal-bin, installed by scripts/install-deps.sh): %s", cmd);
}

/* The largest difference of covered_pct between two runs, per district and
 * break and for the whole city, in percentage points. */
static double max_coverage_diff(const char *a, const char *b)
{
    sqlite3 *db = svt_db_open(a);
    char sql[4400];
    snprintf(sql, sizeof sql, "ATTACH DATABASE '%s' AS b", b);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM district_coverage") ,
                     svt_db_int(db, "SELECT count(*) FROM district_coverage x JOIN b.district_coverage y"
                                    " USING (district_id, radius_m)"));
    double d = svt_db_double(db, "SELECT max(abs(x.covered_pct - y.covered_pct)) FROM district_coverage x"
                                 " JOIN b.district_coverage y USING (district_id, radius_m)");
    double c = svt_db_double(db, "SELECT max(abs(x.covered_pct - y.covered_pct)) FROM city_coverage x"
                                 " JOIN b.city_coverage y USING (radius_m)");
    sqlite3_close(db);
    return fmax(d, c);
}

static const char *run(const char *name, const char *const *extra)
{
    const char *out = svt_path(name);
    const char *args[40] = {"analyze", "--radius", "300,1000", "--out", out, "-q"};
    size_t n = 6;
    for (size_t i = 0; extra[i]; i++)
        args[n++] = extra[i];
    args[n] = NULL;
    if (svt_runv(args) != 0)
        fail_msg("svcov %s ... exited %d:\n%s", extra[0], svt_last.status, svt_last.err);
    return out;
}

#define RUN(name, ...) run(name, (const char *const[]){__VA_ARGS__, NULL})

static const char *wgs84_run(void)
{
    static char path[4200];
    if (!path[0] || !svt_exists(path))
        snprintf(path, sizeof path, "%s", RUN("wgs84.sqlite", "--stations", STATIONS, "--districts", DISTRICTS));
    return path;
}

/* ---- item 1: GCJ-02 and BD-09 inputs ---- */

/* The same city as WGS 84, as GCJ-02 and as BD-09 (stations and districts
 * moved by the forward formulas): the same coverage to 0.01 pp, whether
 * the system is given for all inputs (--coords) or per input. */
static void test_same_city_in_three_systems(void **state)
{
    (void)state;
    const char *w = wgs84_run();
    const char *gs = convert_geojson(STATIONS, "st_gcj.geojson", SV_COORDS_GCJ02);
    const char *gd = convert_geojson(DISTRICTS, "di_gcj.geojson", SV_COORDS_GCJ02);
    const char *bs = convert_geojson(STATIONS, "st_bd.geojson", SV_COORDS_BD09);
    const char *bd = convert_geojson(DISTRICTS, "di_bd.geojson", SV_COORDS_BD09);
    const char *g = RUN("gcj.sqlite", "--stations", gs, "--districts", gd, "--coords", "gcj02");
    const char *b = RUN("bd.sqlite", "--stations", bs, "--districts", bd, "--coords", "bd09");
    double dg = max_coverage_diff(w, g), db_ = max_coverage_diff(w, b);
    if (!(dg < 0.01) || !(db_ < 0.01))
        fail_msg("coverage differs from the WGS 84 run by %.4f pp (GCJ-02), %.4f pp (BD-09)", dg, db_);
    sqlite3 *db = svt_db_open(g);
    assert_string_equal(svt_db_text(db, "SELECT input_coords FROM runs"), "stations=gcj02,districts=gcj02");
    assert_int_equal(svt_db_int(db, "SELECT crs_epsg FROM runs"), 32649);
    sqlite3_close(db);
    /* districts (every polygon vertex) in BD-09, stations in WGS 84 */
    const char *m = RUN("mixed.sqlite", "--stations", STATIONS, "--districts", bd, "--districts-coords", "bd09");
    double dm = max_coverage_diff(w, m);
    if (!(dm < 0.01))
        fail_msg("BD-09 districts with WGS 84 stations: %.4f pp off", dm);
    db = svt_db_open(m);
    assert_string_equal(svt_db_text(db, "SELECT input_coords FROM runs"), "stations=wgs84,districts=bd09");
    sqlite3_close(db);
    /* ... and taken as WGS 84 (the bug this fixes) they are 600 m to 1.2 km off */
    const char *u = RUN("unconverted.sqlite", "--stations", STATIONS, "--districts", bd);
    double du = max_coverage_diff(w, u);
    if (!(du > 1.0))
        fail_msg("BD-09 districts read as WGS 84 should be far off, are %.4f pp", du);
}

/* A district layer in EPSG:4547 (CGCS2000 / 3-degree Gauss-Kruger CM 114E,
 * northing first) with GCJ-02 stations: the coverage of the all-WGS 84 run. */
static void test_projected_districts_with_gcj02_stations(void **state)
{
    (void)state;
    const char *w = wgs84_run();
    const char *gs = convert_geojson(STATIONS, "st_gcj2.geojson", SV_COORDS_GCJ02);
    const char *d4547 = svt_path("districts_4547.gpkg");
    char args[8400];
    snprintf(args, sizeof args, "-t_srs EPSG:4547 '%s' '%s'", d4547, DISTRICTS);
    ogr2ogr(args);
    const char *g = RUN("gcj_4547.sqlite", "--stations", gs, "--stations-coords", "gcj02", "--districts", d4547);
    double d = max_coverage_diff(w, g);
    if (!(d < 0.01))
        fail_msg("EPSG:4547 districts with GCJ-02 stations: %.4f pp off the WGS 84 run", d);
    sqlite3 *db = svt_db_open(g);
    assert_string_equal(svt_db_text(db, "SELECT input_coords FROM runs"), "stations=gcj02,districts=wgs84");
    sqlite3_close(db);
    /* without --stations-coords the stations sit about 550 m off */
    const char *u = RUN("gcj_4547_unconverted.sqlite", "--stations", gs, "--districts", d4547);
    double du = max_coverage_diff(w, u);
    if (!(du > 1.0))
        fail_msg("GCJ-02 stations read as WGS 84 should be far off, are %.4f pp", du);
}

/* ---- item 2: CGCS2000 ---- */

static void test_cgcs2000_inputs_and_zone(void **state)
{
    (void)state;
    const char *w = wgs84_run();
    /* EPSG:4490 (CGCS2000 lon/lat) districts work as WGS 84 ones */
    const char *d4490 = svt_path("districts_4490.gpkg");
    char args[8400];
    snprintf(args, sizeof args, "-t_srs EPSG:4490 '%s' '%s'", d4490, DISTRICTS);
    ogr2ogr(args);
    const char *c = RUN("cgcs_lonlat.sqlite", "--stations", STATIONS, "--districts", d4490);
    double d = max_coverage_diff(w, c);
    if (!(d < 0.01))
        fail_msg("EPSG:4490 districts: %.4f pp off the WGS 84 run", d);
    /* --crs auto-cgcs2000 at 113.95 E: zone 38, CM 114 E, EPSG:4547 */
    const char *z = RUN("cgcs_zone.sqlite", "--stations", STATIONS, "--districts", d4490, "--crs", "auto-cgcs2000");
    sqlite3 *db = svt_db_open(z);
    assert_int_equal(svt_db_int(db, "SELECT crs_epsg FROM runs"), 4547);
    assert_string_equal(svt_db_text(db, "SELECT crs_requested FROM runs"), "auto-cgcs2000");
    if (!strstr(svt_db_text(db, "SELECT crs_name FROM runs"), "CM 114E"))
        fail_msg("crs_name: %s", svt_db_text(db, "SELECT crs_name FROM runs"));
    /* nothing transposed: the stations stored in EPSG:4547 are eastings
     * near 495 km and northings near 2494 km */
    double x = svt_db_double(db, "SELECT avg(xmin) FROM idx_stations_geom"); /* SpatiaLite's R-tree */
    double y = svt_db_double(db, "SELECT avg(ymin) FROM idx_stations_geom");
    sqlite3_close(db);
    if (!(fabs(x - 495000) < 5000 && fabs(y - 2494000) < 5000))
        fail_msg("stations in EPSG:4547 at mean (%.0f, %.0f): transposed?", x, y);
}

/* The axis order end to end (EPSG:4547 lists northing first): EPSG:4547
 * and the UTM zone give the same coverage to 0.01 pp for the whole city.
 * A district's share may differ by a few hundredths of a point: at
 * 113.95 E the UTM zone (CM 111 E) has a scale of 1.00073, the CGCS2000
 * zone (CM 114 E) 1.0000, so the same circle covers 0.15% more or less of
 * a district's measured area. With the zone-prefixed twin EPSG:4526 (the
 * same projection, false easting 38 500 000) every share is the same. */
static void test_cgcs2000_zone_as_utm(void **state)
{
    (void)state;
    const char *u = svt_path("utm.sqlite"), *c = svt_path("zone.sqlite"), *p = svt_path("zone38.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", STATIONS, "--districts", DISTRICTS, "--out", u, "-q");
    SVT_EXPECT(0, "analyze", "--stations", STATIONS, "--districts", DISTRICTS, "--crs", "EPSG:4547", "--out", c,
               "-q");
    SVT_EXPECT(0, "analyze", "--stations", STATIONS, "--districts", DISTRICTS, "--crs", "EPSG:4526", "--out", p,
               "-q");
    sqlite3 *db = svt_db_open(u);
    char sql[4400];
    snprintf(sql, sizeof sql, "ATTACH DATABASE '%s' AS b", c);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    double city = svt_db_double(db, "SELECT max(abs(x.covered_pct - y.covered_pct)) FROM city_coverage x"
                                    " JOIN b.city_coverage y USING (radius_m)");
    double area = svt_db_double(db, "SELECT x.area_m2 / y.area_m2 FROM city_coverage x JOIN b.city_coverage y"
                                    " USING (radius_m) LIMIT 1");
    sqlite3_close(db);
    double d = max_coverage_diff(u, c), z = max_coverage_diff(c, p);
    if (!(city < 0.01) || !(d < 0.1) || !(z < 1e-6) || !(fabs(area - 1.00146) < 0.0002))
        fail_msg("EPSG:4547 vs UTM 49N: city %.4f pp, districts %.4f pp, area ratio %.5f; vs EPSG:4526 %.2g pp",
                 city, d, area, z);
}

/* ---- item 3: GBK shapefiles ---- */

static const char *gbk_names =
    "{\"type\":\"FeatureCollection\",\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"A1\",\"name\":\"骑手驿站·龙澄广场\"},"
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[113.95,22.55]}},"
    "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"A2\",\"name\":\"南山区科技园\"},"
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[113.96,22.54]}}]}";

/* The station names of a run, "|"-separated, in id order. */
static const char *names_of(const char *db_path)
{
    sqlite3 *db = svt_db_open(db_path);
    const char *t = svt_db_text(db, "SELECT group_concat(name, '|') FROM (SELECT name FROM stations ORDER BY "
                                    "station_id)");
    sqlite3_close(db);
    return t;
}

static void set_codepage(const char *dbf, unsigned char byte)
{
    FILE *f = fopen(dbf, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, 29, SEEK_SET), 0);
    assert_int_equal(fputc(byte, f), byte);
    fclose(f);
}

static void test_gbk_shapefile_three_ways(void **state)
{
    (void)state;
    const char *src = svt_write("gbk_src.geojson", gbk_names);
    const char *want = "骑手驿站·龙澄广场|南山区科技园";
    const char *shp = svt_path("gbk.shp"), *dbf = svt_path("gbk.dbf"), *cpg = svt_path("gbk.cpg");
    char args[8400];
    snprintf(args, sizeof args, "-f 'ESRI Shapefile' -lco ENCODING=CP936 '%s' '%s'", shp, src);
    ogr2ogr(args);
    /* the names are GBK bytes in the .dbf */
    size_t len = 0;
    char *bytes = svt_read(dbf, &len);
    assert_non_null(bytes);
    assert_non_null(memmem(bytes, len, "\xC4\xCF\xC9\xBD", 4)); /* 南山 in GBK */
    free(bytes);
    char *c = svt_read(cpg, NULL);
    assert_non_null(c);
    assert_non_null(strstr(c, "936"));
    free(c);

    /* case 1: the .cpg says CP936: read right, no warning */
    const char *o1 = svt_path("gbk1.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", shp, "--districts", DISTRICTS, "--out", o1, "-q");
    assert_string_equal(names_of(o1), want);
    assert_null(strstr(svt_last.err, "GBK"));
    SVT_EXPECT(0, "analyze", "--stations", shp, "--districts", DISTRICTS, "--encoding", "CP936", "--out", o1, "-q");
    assert_string_equal(names_of(o1), want);

    /* case 2: no .cpg, code-page byte 0: the bytes come through raw */
    unlink(cpg);
    set_codepage(dbf, 0);
    const char *o2 = svt_path("gbk2.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", shp, "--districts", DISTRICTS, "--out", o2, "-q");
    SVT_ERR_HAS("gbk.shp: layer 'gbk', field 'name': 2 values (e.g. feature A1) are not UTF-8");
    SVT_ERR_HAS("read as GBK Chinese; give --stations-encoding CP936 (or --encoding auto)");
    /* stored as UTF-8 all the same (U+FFFD), with an issue row per feature */
    sqlite3 *db = svt_db_open(o2);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM stations WHERE instr(name, char(65533)) > 0"), 2);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM issues WHERE problem LIKE '%%name text that is not "
                                    "UTF-8%%' AND action = 'repaired'"), 2);
    sqlite3_close(db);
    SVT_EXPECT(0, "analyze", "--stations", shp, "--districts", DISTRICTS, "--encoding", "CP936", "--out", o2, "-q");
    assert_string_equal(names_of(o2), want);
    assert_null(strstr(svt_last.err, "not UTF-8"));
    /* the districts (UTF-8 GeoJSON) are untouched by the global --encoding */
    db = svt_db_open(o2);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM districts WHERE district_name LIKE '%%街道'"),
                     svt_db_int(db, "SELECT count(*) FROM districts"));
    assert_string_equal(svt_db_text(db, "SELECT input_encoding FROM runs"), "stations=CP936,districts=CP936");
    sqlite3_close(db);
    SVT_EXPECT(0, "analyze", "--stations", shp, "--districts", DISTRICTS, "--encoding", "auto", "--out", o2, "-q");
    assert_string_equal(names_of(o2), want);
    SVT_ERR_HAS("2 values read as GBK (CP936) Chinese (--encoding auto");

    /* case 3: code-page byte 87, which GDAL takes as ISO-8859-1: mojibake */
    set_codepage(dbf, 87);
    const char *o3 = svt_path("gbk3.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", shp, "--districts", DISTRICTS, "--out", o3, "-q");
    SVT_ERR_HAS("field 'name': 2 values (e.g. feature A1) were decoded as ISO-8859-1");
    SVT_ERR_HAS("but the bytes are GBK Chinese; give --stations-encoding CP936");
    assert_string_not_equal(names_of(o3), want);
    SVT_EXPECT(0, "analyze", "--stations", shp, "--districts", DISTRICTS, "--stations-encoding", "CP936", "--out",
               o3, "-q");
    assert_string_equal(names_of(o3), want);
    assert_null(strstr(svt_last.err, "ISO-8859-1"));
    SVT_EXPECT(0, "analyze", "--stations", shp, "--districts", DISTRICTS, "--encoding", "auto", "--out", o3, "-q");
    assert_string_equal(names_of(o3), want);
    /* and exported as UTF-8 */
    const char *gj = svt_path("gbk3.geojson");
    SVT_EXPECT(0, "export", "--db", o3, "--layer", "stations", "--out", gj);
    char *txt = svt_read(gj, NULL);
    assert_non_null(txt);
    assert_non_null(strstr(txt, "南山区科技园"));
    free(txt);
}

/* ---- item 4: the GB 50180 life circles ---- */

static void test_preset_gb50180(void **state)
{
    (void)state;
    const char *out = svt_path("preset.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", STATIONS, "--districts", DISTRICTS, "--preset", "gb50180", "--out", out,
               "-q");
    sqlite3 *db = svt_db_open(out);
    assert_string_equal(svt_db_text(db, "SELECT group_concat(radius_m, ',') FROM (SELECT DISTINCT radius_m FROM "
                                        "district_coverage ORDER BY radius_m)"),
                        "300.0,500.0,1000.0");
    assert_string_equal(svt_db_text(db, "SELECT group_concat(minutes || '|' || radius_m || '|' || label || '|' || "
                                        "label_zh, ';') FROM (SELECT * FROM breaks ORDER BY break_no)"),
                        "5.0|300.0|5-minute life circle|5分钟生活圈;10.0|500.0|10-minute life circle|10分钟生活圈;"
                        "15.0|1000.0|15-minute life circle|15分钟生活圈");
    assert_string_equal(svt_db_text(db, "SELECT preset || ' ' || mode || ' ' || radii_m FROM runs"),
                        "gb50180 distance 300,500,1000");
    sqlite3_close(db);
    /* the report names the life circles */
    const char *md = svt_path("preset.md");
    SVT_EXPECT(0, "report", "--db", out, "--out", md);
    char *txt = svt_read(md, NULL);
    assert_non_null(txt);
    assert_non_null(strstr(txt, "5-minute life circle (300 m)"));
    assert_non_null(strstr(txt, "15-minute life circle (1000 m)"));
    free(txt);
    /* one distance changed, the labels kept */
    SVT_EXPECT(0, "analyze", "--stations", STATIONS, "--districts", DISTRICTS, "--preset", "gb50180", "--radius",
               "300,500,800", "--out", out, "-q");
    db = svt_db_open(out);
    assert_string_equal(svt_db_text(db, "SELECT label FROM breaks WHERE radius_m = 800"), "15-minute life circle");
    sqlite3_close(db);
    /* help lists the presets and says what the distances are */
    SVT_EXPECT(0, "analyze", "--help");
    SVT_OUT_HAS("gb50180    GB 50180-2018 life circles: 5, 10, 15 minutes at 300, 500, 1000 m");
    SVT_OUT_HAS("800-1000 m for the 15-minute circle");
    SVT_OUT_HAS("not speed x time");
    /* overrides that do not fit */
    SVT_EXPECT(2, "analyze", "--stations", STATIONS, "--districts", DISTRICTS, "--preset", "gb50180", "--radius",
               "300,500", "--out", out, "-q");
    SVT_ERR_HAS("--preset gb50180 --radius: give 3 distances");
    SVT_EXPECT(2, "analyze", "--stations", STATIONS, "--districts", DISTRICTS, "--preset", "gb50180", "--minutes",
               "5,10,15", "--out", out, "-q");
    SVT_ERR_HAS("not --minutes");
}

/* ---- bad input: exit 2, the option named, nothing written ---- */

static void expect_refused(const char *out, const char *const *args, const char *msg1, const char *msg2)
{
    const char *before = svt_path("before.sqlite");
    svt_copy(out, before);
    if (svt_runv(args) != 2)
        fail_msg("exit %d, expected 2:\n%s", svt_last.status, svt_last.err);
    SVT_ERR_HAS(msg1);
    SVT_ERR_HAS(msg2);
    assert_true(svt_same_bytes(out, before));
}

static void test_refused(void **state)
{
    (void)state;
    const char *out = svt_path("kept.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", STATIONS, "--districts", DISTRICTS, "--out", out, "-q");
    expect_refused(out,
                   (const char *const[]){"analyze", "--stations", STATIONS, "--districts", DISTRICTS, "--coords",
                                         "mars", "--out", out, NULL},
                   "--coords mars: not a coordinate system svcov knows", "wgs84 (GPS, OpenStreetMap), gcj02");
    expect_refused(out,
                   (const char *const[]){"analyze", "--stations", STATIONS, "--districts", DISTRICTS,
                                         "--districts-coords", "bd-9", "--out", out, NULL},
                   "--districts-coords bd-9: not a coordinate system", "bd09 (Baidu lon/lat)");
    const char *d4547 = svt_path("refused_4547.gpkg");
    char args[8400];
    snprintf(args, sizeof args, "-t_srs EPSG:4547 '%s' '%s'", d4547, DISTRICTS);
    ogr2ogr(args);
    expect_refused(out,
                   (const char *const[]){"analyze", "--stations", STATIONS, "--districts", d4547, "--coords", "gcj02",
                                         "--out", out, NULL},
                   "--coords gcj02: districts file", "is in EPSG:4547 CGCS2000 / 3-degree Gauss-Kruger CM 114E, a "
                   "projected CRS, not lon/lat; GCJ-02 and BD-09 are lon/lat systems of web maps: give "
                   "--districts-coords wgs84 for this file");
    expect_refused(out,
                   (const char *const[]){"analyze", "--stations", STATIONS, "--districts", DISTRICTS,
                                         "--stations-encoding", "GBK-NOPE", "--out", out, NULL},
                   "--stations-encoding GBK-NOPE: not an encoding GDAL (iconv) knows", "CP936 (GBK)");
    expect_refused(out,
                   (const char *const[]){"analyze", "--stations", STATIONS, "--districts", DISTRICTS, "--preset",
                                         "gb50081", "--out", out, NULL},
                   "--preset gb50081: no such preset; presets are: gb50180", "svcov analyze --help");
    expect_refused(out,
                   (const char *const[]){"analyze", "--stations", STATIONS, "--districts", DISTRICTS,
                                         "--candidates-coords", "gcj02", "--out", out, NULL},
                   "--candidates-coords: svcov analyze has no such input", "analyze");
    /* site shares the options */
    SVT_EXPECT(2, "site", "--demand", STATIONS, "--candidates", STATIONS, "--radius", "500", "--model", "mclp",
               "--k", "2", "--candidates-coords", "wgs-84x", "--out", svt_path("site.sqlite"));
    SVT_ERR_HAS("svcov site: --candidates-coords wgs-84x: not a coordinate system svcov knows");
    assert_false(svt_exists(svt_path("site.sqlite")));
}

/* ---- output for AMap and Baidu tiles ---- */

static void test_export_and_map_in_gcj02(void **state)
{
    (void)state;
    const char *w = wgs84_run();
    const char *gj = svt_path("stations_gcj.geojson");
    SVT_EXPECT(0, "export", "--db", w, "--layer", "stations", "--coords", "gcj02", "--out", gj);
    char *txt = svt_read(gj, NULL);
    assert_non_null(txt);
    /* S000001 is at 113.9533016, 22.5387445 in WGS 84 */
    double gx, gy;
    assert_int_equal(sv_coords_convert(SV_COORDS_WGS84, SV_COORDS_GCJ02, 113.9533016, 22.5387445, &gx, &gy), 0);
    const char *at = strstr(txt, "\"S000001\"");
    assert_non_null(at);
    const char *co = strstr(at, "\"coordinates\": [ ");
    assert_non_null(co);
    double x = strtod(co + 17, NULL), y = strtod(strchr(co + 17, ',') + 1, NULL);
    if (!(fabs(x - gx) < 2e-7 && fabs(y - gy) < 2e-7))
        fail_msg("exported S000001 at %.7f %.7f, GCJ-02 is %.7f %.7f", x, y, gx, gy);
    free(txt);
    SVT_EXPECT(2, "export", "--db", w, "--layer", "stations", "--coords", "gcj", "--out", gj);
    SVT_ERR_HAS("--coords gcj: not a coordinate system svcov knows");
    /* the HTML map's stations likewise */
    const char *html = svt_path("map_gcj.html");
    SVT_EXPECT(0, "map", "--db", w, "--html", html, "--coords", "gcj02", "-q");
    txt = svt_read(html, NULL);
    assert_non_null(txt);
    char want[64];
    snprintf(want, sizeof want, "\"coordinates\":[%.6f,%.6f]", gx, gy);
    if (!strstr(txt, want))
        fail_msg("%s not in the HTML map", want);
    assert_null(strstr(txt, "\"coordinates\":[113.953302,22.538745]"));
    free(txt);
}

int main(int argc, char **argv)
{
    static const svt_group groups[] = {
        {"coords", cmocka_unit_test(test_same_city_in_three_systems)},
        {"coords", cmocka_unit_test(test_projected_districts_with_gcj02_stations)},
        {"cgcs2000", cmocka_unit_test(test_cgcs2000_inputs_and_zone)},
        {"cgcs2000", cmocka_unit_test(test_cgcs2000_zone_as_utm)},
        {"encoding", cmocka_unit_test(test_gbk_shapefile_three_ways)},
        {"preset", cmocka_unit_test(test_preset_gb50180)},
        {"refused", cmocka_unit_test(test_refused)},
        {"output", cmocka_unit_test(test_export_and_map_in_gcj02)},
    };
    return svt_run_groups(argc, argv, "chinese", groups, sizeof groups / sizeof groups[0], group_setup,
                          group_teardown);
}
