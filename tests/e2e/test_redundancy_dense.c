/* test_redundancy_dense.c - the redundancy classes and critical stations of
 * svcov analyze on a dense clustered city against an independent
 * construction: from the service areas svcov stores (circles, or network
 * areas along a street grid), the region covered at least k times is built
 * with plain boolean operations (G1 = union of all, G2 = union of pairwise
 * lenses, G3 = union of triple intersections), each class is G_k less
 * G_k+1 inside the district, and what a station alone covers is its area
 * less the union of all the others (inside the districts). Areas and people
 * (population blocks spread by area) agree to 1e-6 relative; one and two
 * worker threads give the same numbers.
 *
 * Usage: test_redundancy_dense GROUP  (circles, network). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "svtest.h"
#include "svfixtures.h"

#include "svcov/sv_geom.h"

#define NST 44
#define X0 500000.0
#define Y0 4700000.0
#define SIDE 2000.0 /* the city: 2 x 2 districts of 1 km */

static double lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*s >> 11) / 9007199254740992.0;
}

static void relnear(const char *what, const char *key, double got, double want)
{
    double tol = 1e-6 * fmax(fabs(want), 1.0);
    if (!(fabs(got - want) <= tol))
        fail_msg("%s (%s): got %.10g, want %.10g", what, key, got, want);
}

static char *append(char *buf, size_t *len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static char *append(char *buf, size_t *len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    buf = realloc(buf, *len + (size_t)n + 1);
    assert_non_null(buf);
    va_start(ap, fmt);
    vsnprintf(buf + *len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    *len += (size_t)n;
    return buf;
}

static const char *stations_file(void)
{
    uint64_t seed = 7;
    size_t len = 0;
    char *st = append(NULL, &len, "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":[");
    for (int i = 0; i < NST; i++) {
        double x, y;
        if (i < 32) { /* a dense centre: hundreds of overlaps, 3+ downtown */
            double u1 = fmax(lcg(&seed), 1e-12), u2 = lcg(&seed);
            x = X0 + 800 + 260 * sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
            y = Y0 + 900 + 260 * sqrt(-2 * log(u1)) * sin(2 * M_PI * u2);
        } else {
            x = X0 + SIDE * lcg(&seed);
            y = Y0 + SIDE * lcg(&seed);
        }
        st = append(st, &len,
                    "%s{\"type\":\"Feature\",\"properties\":{\"station_id\":\"s%02d\"},\"geometry\":{\"type\":"
                    "\"Point\",\"coordinates\":[%.3f,%.3f]}}",
                    i ? "," : "", i, x, y);
    }
    st = append(st, &len, "]}");
    const char *p = svt_write("dense_stations.geojson", st);
    free(st);
    return p;
}

static const char *squares_file(const char *name, int n, double side, int with_pop)
{
    size_t len = 0;
    char *s = append(NULL, &len, "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":[");
    for (int gy = 0; gy < n; gy++)
        for (int gx = 0; gx < n; gx++) {
            double x0 = X0 + side * gx, y0 = Y0 + side * gy, x1 = x0 + side, y1 = y0 + side;
            s = append(s, &len,
                       "%s{\"type\":\"Feature\",\"properties\":{\"district_id\":\"d%d%d\",\"pop\":%d},"
                       "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[%.0f,%.0f],[%.0f,%.0f],[%.0f,%.0f],"
                       "[%.0f,%.0f],[%.0f,%.0f]]]}}",
                       gx || gy ? "," : "", gx, gy, with_pop ? 100 + 173 * ((gx * 5 + gy * 3) % 7) : 0, x0, y0, x1,
                       y0, x1, y1, x0, y1, x0, y0);
        }
    s = append(s, &len, "]}");
    const char *p = svt_write(name, s);
    free(s);
    return p;
}

/* Streets every 250 m, running 500 m past the city. */
static const char *roads_file(void)
{
    size_t len = 0;
    char *s = append(NULL, &len, "{\"type\":\"FeatureCollection\"," CRS_32631 "\"features\":[");
    int k = 0;
    for (double t = -500; t <= SIDE + 500; t += 250)
        for (int dir = 0; dir < 2; dir++) {
            double ax = dir ? X0 - 500 : X0 + t, ay = dir ? Y0 + t : Y0 - 500;
            double bx = dir ? X0 + SIDE + 500 : X0 + t, by = dir ? Y0 + t : Y0 + SIDE + 500;
            s = append(s, &len,
                       "%s{\"type\":\"Feature\",\"properties\":{\"highway\":\"residential\"},\"geometry\":{\"type\":"
                       "\"LineString\",\"coordinates\":[[%.1f,%.1f],[%.1f,%.1f]]}}",
                       k++ ? "," : "", ax, ay, bx, by);
        }
    s = append(s, &len, "]}");
    const char *p = svt_write("dense_roads.geojson", s);
    free(s);
    return p;
}

static sqlite3 *open_spatial(const char *path)
{
    sqlite3 *db = svt_db_open(path);
    assert_int_equal(sqlite3_enable_load_extension(db, 1), SQLITE_OK);
    char *msg = NULL;
    if (sqlite3_exec(db, "SELECT load_extension('mod_spatialite')", NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("cannot load mod_spatialite: %s", msg ? msg : "?");
    return db;
}

/* Rows of sql (text key, geometry as WKB) into keys/geoms; returns the count. */
static size_t read_geoms(sv_geos *h, sqlite3 *db, const char *sql, char keys[][32], sv_geom **g, size_t max)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    size_t n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        assert_true(n < max);
        snprintf(keys[n], 32, "%s", (const char *)sqlite3_column_text(st, 0));
        g[n] = sv_geom_from_wkb(h, sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1));
        assert_non_null(g[n]);
        n++;
    }
    sqlite3_finalize(st);
    return n;
}

static sv_geom *unite(sv_geos *h, sv_geom **parts, size_t n)
{
    sv_geom *u = sv_geom_union_take(h, parts, n);
    assert_non_null(u);
    return u;
}

static sv_geom *inter(sv_geos *h, const sv_geom *a, const sv_geom *b)
{
    sv_geom *g = sv_geom_intersection(h, a, b);
    assert_non_null(g);
    return g;
}

static int meets(sv_geos *h, const sv_geom *a, const sv_geom *b)
{
    sv_env ea, eb;
    if (sv_geom_envelope(h, a, &ea) != 0 || sv_geom_envelope(h, b, &eb) != 0)
        return 0;
    return ea.xmin <= eb.xmax && eb.xmin <= ea.xmax && ea.ymin <= eb.ymax && eb.ymin <= ea.ymax;
}

/* G_k (k = 1..3): the part of the plane covered by at least k of areas. */
static void depth_regions(sv_geos *h, sv_geom *const *A, size_t n, sv_geom *G[4])
{
    size_t cap = n * n * n + n + 1, n1 = 0, n2 = 0, n3 = 0;
    sv_geom **one = calloc(cap, sizeof *one), **two = calloc(cap, sizeof *two), **three = calloc(cap, sizeof *three);
    assert_true(one && two && three);
    for (size_t i = 0; i < n; i++) {
        one[n1++] = sv_geom_clone(h, A[i]);
        for (size_t j = i + 1; j < n; j++) {
            if (!meets(h, A[i], A[j]))
                continue;
            sv_geom *lens = inter(h, A[i], A[j]);
            if (sv_geom_is_empty(h, lens) == 1) {
                sv_geom_destroy(h, lens);
                continue;
            }
            for (size_t l = j + 1; l < n; l++)
                if (meets(h, lens, A[l])) {
                    sv_geom *t = inter(h, lens, A[l]);
                    if (sv_geom_is_empty(h, t) == 1)
                        sv_geom_destroy(h, t);
                    else
                        three[n3++] = t;
                }
            two[n2++] = lens;
        }
    }
    G[1] = unite(h, one, n1);
    G[2] = unite(h, two, n2);
    G[3] = unite(h, three, n3);
    free(one);
    free(two);
    free(three);
}

/* People in region from the blocks (people spread over each block's area). */
static double people_in(sv_geos *h, sv_geom *const *blocks, const double *pop, size_t nb, const sv_geom *region)
{
    double sum = 0;
    for (size_t b = 0; b < nb; b++) {
        sv_geom *c = inter(h, blocks[b], region);
        sum += pop[b] * sv_geom_area(h, c) / sv_geom_area(h, blocks[b]);
        sv_geom_destroy(h, c);
    }
    return sum;
}

/* One run's tables checked against the independent construction. */
static void check_run(const char *db_path, int people, const char *blocks_path)
{
    sv_geos *h = sv_geos_create();
    assert_non_null(h);
    sqlite3 *db = open_spatial(db_path);
    static char dkeys[16][32], skeys[NST + 1][32], bkeys[64][32];
    sv_geom *D[16], *blk[64];
    double bpop[64];
    size_t nd = read_geoms(h, db, "SELECT district_id, ST_AsBinary(geom) FROM districts ORDER BY district_id", dkeys,
                           D, 16);
    assert_int_equal(nd, 4);
    size_t nb = 0;
    if (people) {
        sqlite3 *bdb = NULL;
        (void)bdb;
        /* the blocks are the 500 m squares of the population file, as written */
        for (int gy = 0; gy < 4; gy++)
            for (int gx = 0; gx < 4; gx++) {
                sv_env e = {X0 + 500 * gx, Y0 + 500 * gy, X0 + 500 * gx + 500, Y0 + 500 * gy + 500};
                blk[nb] = sv_geom_rect(h, &e);
                bpop[nb] = 100 + 173 * ((gx * 5 + gy * 3) % 7);
                snprintf(bkeys[nb], 32, "b%d%d", gx, gy);
                nb++;
            }
        (void)blocks_path;
    }
    sv_geom *parts[16];
    for (size_t d = 0; d < nd; d++)
        parts[d] = sv_geom_clone(h, D[d]);
    sv_geom *city = unite(h, parts, nd);
    int nbreaks = (int)svt_db_int(db, "SELECT count(DISTINCT radius_m) FROM service_areas");
    assert_int_equal(nbreaks, 2);
    double city_class[2][4] = {{0}};
    for (int b = 0; b < nbreaks; b++) {
        double R = svt_db_double(db, "SELECT DISTINCT radius_m FROM service_areas ORDER BY radius_m LIMIT 1 OFFSET %d",
                                 b);
        char sql[256];
        snprintf(sql, sizeof sql,
                 "SELECT station_id, ST_AsBinary(geom) FROM service_areas WHERE radius_m = %.17g ORDER BY station_id",
                 R);
        sv_geom *A[NST + 1];
        size_t na = read_geoms(h, db, sql, skeys, A, NST + 1);
        assert_true(na >= NST - 2);
        sv_geom *G[4];
        depth_regions(h, A, na, G);
        for (size_t d = 0; d < nd; d++) {
            sv_geom *in[4];
            for (int k = 1; k <= 3; k++)
                in[k] = inter(h, G[k], D[d]);
            double dA = sv_geom_area(h, D[d]);
            double g[5] = {dA, sv_geom_area(h, in[1]), sv_geom_area(h, in[2]), sv_geom_area(h, in[3]), 0};
            for (int c = 0; c < 4; c++) {
                char key[80];
                snprintf(key, sizeof key, "%s, %.0f m, class %d", dkeys[d], R, c);
                double want = g[c] - g[c + 1];
                city_class[b][c] += want;
                relnear("class area", key,
                        svt_db_double(db,
                                      "SELECT coalesce(sum(area_m2), 0) FROM district_redundancy WHERE district_id "
                                      "= '%s' AND radius_m = %.17g AND n_cover = %d",
                                      dkeys[d], R, c),
                        want);
                if (!people)
                    continue;
                /* the class polygon: D within G_c less G_c+1 */
                sv_geom *hi = c < 3 ? in[c + 1] : NULL;
                sv_geom *lo = c == 0 ? D[d] : in[c];
                sv_geom *cls = hi ? sv_geom_difference(h, lo, hi) : sv_geom_clone(h, lo);
                assert_non_null(cls);
                relnear("class people", key,
                        svt_db_double(db,
                                      "SELECT coalesce(sum(pop), 0) FROM district_redundancy WHERE district_id = "
                                      "'%s' AND radius_m = %.17g AND n_cover = %d",
                                      dkeys[d], R, c),
                        people_in(h, blk, bpop, nb, cls));
                sv_geom_destroy(h, cls);
            }
            for (int k = 1; k <= 3; k++)
                sv_geom_destroy(h, in[k]);
        }
        for (int c = 0; c < 4; c++) {
            char key[80];
            snprintf(key, sizeof key, "city, %.0f m, class %d", R, c);
            relnear("city class area", key,
                    svt_db_double(db,
                                  "SELECT coalesce(sum(area_m2), 0) FROM district_redundancy WHERE district_id IS "
                                  "NULL AND radius_m = %.17g AND n_cover = %d",
                                  R, c),
                    city_class[b][c]);
        }
        /* what each station alone covers: its area less all the others, in the city */
        size_t n_alone = 0;
        for (size_t i = 0; i < na; i++) {
            sv_geom **others = calloc(na, sizeof *others);
            size_t no = 0;
            for (size_t j = 0; j < na; j++)
                if (j != i && meets(h, A[i], A[j]))
                    others[no++] = sv_geom_clone(h, A[j]);
            sv_geom *u = unite(h, others, no);
            free(others);
            sv_geom *mine = inter(h, A[i], city);
            sv_geom *alone = sv_geom_difference(h, mine, u);
            assert_non_null(alone);
            double want = sv_geom_area(h, alone);
            char key[80];
            snprintf(key, sizeof key, "%s, %.0f m", skeys[i], R);
            double got = svt_db_double(db,
                                       "SELECT coalesce(sum(area_lost_m2), 0) FROM critical_stations WHERE station_id "
                                       "= '%s' AND radius_m = %.17g",
                                       skeys[i], R);
            relnear("alone area", key, got, want);
            n_alone += want > 1.0;
            if (people)
                relnear("alone people", key,
                        svt_db_double(db,
                                      "SELECT coalesce(sum(pop_lost), 0) FROM critical_stations WHERE station_id = "
                                      "'%s' AND radius_m = %.17g",
                                      skeys[i], R),
                        people_in(h, blk, bpop, nb, alone));
            sv_geom_destroy(h, alone);
            sv_geom_destroy(h, mine);
            sv_geom_destroy(h, u);
        }
        assert_true(n_alone >= 3); /* the spread stations cover parts alone */
        /* the dense centre makes every class occur */
        for (int c = 0; c < 4; c++)
            assert_true(city_class[b][c] > 1e3 || (b == 1 && c == 0));
        for (int k = 1; k <= 3; k++)
            sv_geom_destroy(h, G[k]);
        for (size_t i = 0; i < na; i++)
            sv_geom_destroy(h, A[i]);
    }
    for (size_t d = 0; d < nd; d++)
        sv_geom_destroy(h, D[d]);
    for (size_t k = 0; k < nb; k++)
        sv_geom_destroy(h, blk[k]);
    sv_geom_destroy(h, city);
    sqlite3_close(db);
    sv_geos_destroy(h);
}

/* The numbers of two runs are the same (1 and 2 threads). */
static void same_numbers(const char *a, const char *b)
{
    sqlite3 *db = svt_db_open(a);
    char sql[4200];
    snprintf(sql, sizeof sql, "ATTACH '%s' AS u", b);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM district_redundancy"),
                     svt_db_int(db, "SELECT count(*) FROM u.district_redundancy"));
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM district_redundancy x JOIN u.district_redundancy y ON "
                                    "x.district_id IS y.district_id AND x.radius_m = y.radius_m AND x.n_cover = "
                                    "y.n_cover WHERE x.area_m2 = y.area_m2 AND x.pop IS y.pop"),
                     svt_db_int(db, "SELECT count(*) FROM district_redundancy"));
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM critical_stations"),
                     svt_db_int(db, "SELECT count(*) FROM u.critical_stations"));
    /* a station's alone parts are summed per worker: the same to rounding */
    assert_true(svt_db_double(db, "SELECT coalesce(max(abs(x.area_lost_m2 - y.area_lost_m2) / max(x.area_lost_m2, 1) "
                                  "+ abs(coalesce(x.pop_lost, 0) - coalesce(y.pop_lost, 0)) / "
                                  "max(coalesce(x.pop_lost, 0), 1)), 1) FROM critical_stations x JOIN "
                                  "u.critical_stations y ON x.station_id = y.station_id AND x.radius_m = y.radius_m") <
                1e-12);
    /* and since the alone parts are added up per district in district
     * order, not per worker: the same bits, polygons included */
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM critical_stations x JOIN u.critical_stations y ON "
                                    "x.station_id = y.station_id AND x.radius_m = y.radius_m WHERE x.area_lost_m2 = "
                                    "y.area_lost_m2 AND x.pop_lost IS y.pop_lost AND x.geom = y.geom"),
                     svt_db_int(db, "SELECT count(*) FROM critical_stations"));
    sqlite3_close(db);
}

static void run_mode(int network)
{
    const char *s = stations_file();
    const char *d = squares_file("dense_districts.geojson", 2, 1000, 0);
    const char *blocks = squares_file("dense_blocks.geojson", 4, 500, 1);
    const char *roads = network ? roads_file() : NULL;
    const char *radius = network ? "350,700" : "300,600";
    for (int people = 0; people < 2; people++) {
        char p1[64], p2[64];
        snprintf(p1, sizeof p1, "dense_%d_%d_t1.sqlite", network, people);
        snprintf(p2, sizeof p2, "dense_%d_%d_t2.sqlite", network, people);
        const char *o1 = svt_path(p1);
        char o1c[4096];
        snprintf(o1c, sizeof o1c, "%s", o1);
        const char *o2 = svt_path(p2);
        for (int t = 1; t <= 2; t++) {
            const char *out = t == 1 ? o1c : o2;
            const char *threads = t == 1 ? "1" : "2";
            if (network && people)
                SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--network", roads, "--radius", radius,
                           "--population", blocks, "--population-field", "pop", "--threads", threads, "--out", out,
                           "-q");
            else if (network)
                SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--network", roads, "--radius", radius,
                           "--threads", threads, "--out", out, "-q");
            else if (people)
                SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--radius", radius, "--population",
                           blocks, "--population-field", "pop", "--threads", threads, "--out", out, "-q");
            else
                SVT_EXPECT(0, "analyze", "--stations", s, "--districts", d, "--radius", radius, "--threads", threads,
                           "--out", out, "-q");
        }
        check_run(o1c, people, blocks);
        same_numbers(o1c, o2);
    }
}

static void test_circles(void **state)
{
    (void)state;
    run_mode(0);
}

static void test_network(void **state)
{
    (void)state;
    run_mode(1);
}

static int group_setup(void **state)
{
    (void)state;
    return svt_make_dir("redundancy_dense");
}

static int group_teardown(void **state)
{
    (void)state;
    svt_run_free();
    svt_remove_dir();
    return 0;
}

int main(int argc, char **argv)
{
    static const svt_group groups[] = {
        {"circles", cmocka_unit_test(test_circles)},
        {"network", cmocka_unit_test(test_network)},
    };
    return svt_run_groups(argc, argv, "redundancy_dense", groups, sizeof groups / sizeof groups[0], group_setup,
                          group_teardown);
}
