/* test_realdata_access.c - capacity-aware access (2SFCA, E2SFCA) on the
 * Andorra extract in ../shared/realdata against an independent computation
 * written here: the formulas of Luo & Wang (2003) and Luo & Qi (2009) as
 * plain loops over every station and building.
 *
 * The inputs: Andorra's 195 stations with a synthetic capacity (1..7 from
 * the osm_id) and its 292 buildings with a synthetic weight (1..4), written
 * by ogr2ogr into the test's folder. This file reads them itself with OGR,
 * projects them to EPSG:32631 (the buildings at their centroid) and
 * measures the distances itself: straight lines in circle mode; in network
 * mode its own Dijkstra over the walking graph the references of
 * ../shared/realdata define (every road but construction and the like,
 * undirected, nodes = vertices on a 1 cm grid, points snapped to the nearest
 * node), which svcov reproduces with --snap node --access-legs off. Every
 * station ratio and every district's access index must agree to 1e-9
 * relative. Skipped (exit 77) without ../shared. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "svtest.h"

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#ifndef SVCOV_SHARED_DIR
#define SVCOV_SHARED_DIR "../shared"
#endif

static char andorra[4096];
static const char *stations_cap, *buildings_w;

static const char *file(const char *name)
{
    static char bufs[8][4300];
    static int k = 0;
    char *b = bufs[k++ % 8];
    snprintf(b, sizeof bufs[0], "%s/%s", andorra, name);
    return b;
}

/* ---- the inputs, read and projected here ---- */

typedef struct {
    double *x, *y, *v; /* v: the capacity or weight field */
    char **name;
    OGRGeometryH *geom; /* districts only */
    size_t n;
} layer_pts;

static OGRCoordinateTransformationH to_utm(OGRLayerH l)
{
    OGRSpatialReferenceH src = OSRClone(OGR_L_GetSpatialRef(l)), dst = OSRNewSpatialReference(NULL);
    assert_int_equal(OSRImportFromEPSG(dst, 32631), OGRERR_NONE);
    OSRSetAxisMappingStrategy(src, OAMS_TRADITIONAL_GIS_ORDER);
    OSRSetAxisMappingStrategy(dst, OAMS_TRADITIONAL_GIS_ORDER);
    OGRCoordinateTransformationH ct = OCTNewCoordinateTransformation(src, dst);
    assert_non_null(ct);
    OSRDestroySpatialReference(src);
    OSRDestroySpatialReference(dst);
    return ct;
}

/* Points (polygons at their centroid), field value; districts: keep the
 * polygons and the name. */
static layer_pts read_layer(const char *path, const char *field, int districts)
{
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH l = GDALDatasetGetLayer(ds, 0);
    OGRCoordinateTransformationH ct = to_utm(l);
    layer_pts p = {0};
    size_t cap = (size_t)OGR_L_GetFeatureCount(l, 1) + 1;
    p.x = calloc(cap, sizeof *p.x);
    p.y = calloc(cap, sizeof *p.y);
    p.v = calloc(cap, sizeof *p.v);
    p.name = calloc(cap, sizeof *p.name);
    p.geom = calloc(cap, sizeof *p.geom);
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(l)) != NULL) {
        OGRGeometryH g = OGR_G_Clone(OGR_F_GetGeometryRef(f));
        assert_int_equal(OGR_G_Transform(g, ct), OGRERR_NONE);
        if (districts) {
            if (!OGR_G_IsValid(g)) {
                OGRGeometryH v = OGR_G_MakeValid(g);
                OGR_G_DestroyGeometry(g);
                g = v;
            }
            p.geom[p.n] = g;
            p.name[p.n] = strdup(OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "name")));
        } else {
            OGRGeometryH c = OGR_G_CreateGeometry(wkbPoint);
            if (wkbFlatten(OGR_G_GetGeometryType(g)) == wkbPoint) {
                OGR_G_SetPoint_2D(c, 0, OGR_G_GetX(g, 0), OGR_G_GetY(g, 0));
            } else {
                assert_int_equal(OGR_G_Centroid(g, c), OGRERR_NONE);
            }
            p.x[p.n] = OGR_G_GetX(c, 0);
            p.y[p.n] = OGR_G_GetY(c, 0);
            p.v[p.n] = OGR_F_GetFieldAsDouble(f, OGR_F_GetFieldIndex(f, field));
            OGR_G_DestroyGeometry(c);
            OGR_G_DestroyGeometry(g);
        }
        p.n++;
        OGR_F_Destroy(f);
    }
    OCTDestroyCoordinateTransformation(ct);
    GDALClose(ds);
    return p;
}

static void layer_free(layer_pts *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->name[i]);
        if (p->geom[i])
            OGR_G_DestroyGeometry(p->geom[i]);
    }
    free(p->x);
    free(p->y);
    free(p->v);
    free(p->name);
    free(p->geom);
}

/* ---- the walking graph of the references, and Dijkstra ---- */

typedef struct {
    size_t n_nodes, n_adj;
    double *nx, *ny;
    size_t *first, *to; /* CSR adjacency */
    double *len;
} graph;

typedef struct {
    int64_t ix, iy;
    size_t id;
} node_key;

static int cmp_key(const void *a, const void *b)
{
    const node_key *p = a, *q = b;
    if (p->ix != q->ix)
        return p->ix < q->ix ? -1 : 1;
    return (p->iy > q->iy) - (p->iy < q->iy);
}

static int walkable(const char *hw)
{
    static const char *const no[] = {"motorway", "motorway_link", "trunk", "trunk_link", "construction",
                                     "proposed", "raceway", "bus_guideway", NULL};
    if (!hw || !*hw)
        return 0;
    for (int k = 0; no[k]; k++)
        if (strcmp(hw, no[k]) == 0)
            return 0;
    return 1;
}

static graph read_graph(void)
{
    GDALDatasetH ds = GDALOpenEx(file("roads.geojson"), GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH l = GDALDatasetGetLayer(ds, 0);
    OGRCoordinateTransformationH ct = to_utm(l);
    /* every vertex of every walkable line on the 1 cm grid; segments */
    size_t nv = 0, cv = 1 << 16, ns = 0, cs = 1 << 16;
    node_key *keys = malloc(cv * sizeof *keys);
    size_t (*seg)[2] = malloc(cs * sizeof *seg);
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(l)) != NULL) {
        int hi = OGR_F_GetFieldIndex(f, "highway");
        const char *hw = hi >= 0 && OGR_F_IsFieldSetAndNotNull(f, hi) ? OGR_F_GetFieldAsString(f, hi) : NULL;
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        if (walkable(hw) && g) {
            g = OGR_G_Clone(g);
            assert_int_equal(OGR_G_Transform(g, ct), OGRERR_NONE);
            int parts = wkbFlatten(OGR_G_GetGeometryType(g)) == wkbMultiLineString ? OGR_G_GetGeometryCount(g) : 1;
            for (int p = 0; p < parts; p++) {
                OGRGeometryH line = parts > 1 || wkbFlatten(OGR_G_GetGeometryType(g)) == wkbMultiLineString
                                        ? OGR_G_GetGeometryRef(g, p)
                                        : g;
                int np = OGR_G_GetPointCount(line);
                for (int k = 0; k < np; k++) {
                    if (nv == cv)
                        keys = realloc(keys, (cv *= 2) * sizeof *keys);
                    keys[nv] = (node_key){llround(OGR_G_GetX(line, k) * 100.0), llround(OGR_G_GetY(line, k) * 100.0),
                                          nv};
                    if (k > 0) {
                        if (ns == cs)
                            seg = realloc(seg, (cs *= 2) * sizeof *seg);
                        seg[ns][0] = nv - 1;
                        seg[ns++][1] = nv;
                    }
                    nv++;
                }
            }
            OGR_G_DestroyGeometry(g);
        }
        OGR_F_Destroy(f);
    }
    OCTDestroyCoordinateTransformation(ct);
    GDALClose(ds);
    /* distinct vertices: sort, number */
    node_key *sorted = malloc(nv * sizeof *sorted);
    memcpy(sorted, keys, nv * sizeof *sorted);
    qsort(sorted, nv, sizeof *sorted, cmp_key);
    size_t *node_of = malloc(nv * sizeof *node_of);
    graph G = {0};
    G.nx = malloc(nv * sizeof *G.nx);
    G.ny = malloc(nv * sizeof *G.ny);
    for (size_t i = 0; i < nv; i++) {
        if (i == 0 || cmp_key(&sorted[i], &sorted[i - 1]) != 0) {
            G.nx[G.n_nodes] = (double)sorted[i].ix / 100.0;
            G.ny[G.n_nodes] = (double)sorted[i].iy / 100.0;
            G.n_nodes++;
        }
        node_of[sorted[i].id] = G.n_nodes - 1;
    }
    /* undirected adjacency */
    G.first = calloc(G.n_nodes + 1, sizeof *G.first);
    for (size_t s = 0; s < ns; s++) {
        size_t a = node_of[seg[s][0]], b = node_of[seg[s][1]];
        if (a != b) {
            G.first[a + 1]++;
            G.first[b + 1]++;
        }
    }
    for (size_t i = 0; i < G.n_nodes; i++)
        G.first[i + 1] += G.first[i];
    G.n_adj = G.first[G.n_nodes];
    G.to = malloc((G.n_adj + 1) * sizeof *G.to);
    G.len = malloc((G.n_adj + 1) * sizeof *G.len);
    size_t *fill = malloc((G.n_nodes + 1) * sizeof *fill);
    memcpy(fill, G.first, G.n_nodes * sizeof *fill);
    for (size_t s = 0; s < ns; s++) {
        size_t a = node_of[seg[s][0]], b = node_of[seg[s][1]];
        if (a == b)
            continue;
        double d = hypot(G.nx[a] - G.nx[b], G.ny[a] - G.ny[b]);
        G.to[fill[a]] = b;
        G.len[fill[a]++] = d;
        G.to[fill[b]] = a;
        G.len[fill[b]++] = d;
    }
    free(fill);
    free(node_of);
    free(sorted);
    free(keys);
    free(seg);
    return G;
}

static void graph_free(graph *G)
{
    free(G->nx);
    free(G->ny);
    free(G->first);
    free(G->to);
    free(G->len);
}

static size_t nearest_node(const graph *G, double x, double y)
{
    size_t best = 0;
    double bd = INFINITY;
    for (size_t i = 0; i < G->n_nodes; i++) {
        double d = hypot(G->nx[i] - x, G->ny[i] - y);
        if (d < bd) {
            bd = d;
            best = i;
        }
    }
    return best;
}

/* Bounded Dijkstra from node s (binary heap of (cost, node)). */
static void dijkstra(const graph *G, size_t s, double cutoff, double *dist)
{
    typedef struct {
        double c;
        size_t v;
    } item;
    size_t cap = 1024, n = 0;
    item *heap = malloc(cap * sizeof *heap);
    for (size_t i = 0; i < G->n_nodes; i++)
        dist[i] = INFINITY;
    dist[s] = 0;
    heap[n++] = (item){0, s};
    while (n) {
        item top = heap[0];
        heap[0] = heap[--n];
        for (size_t i = 0;;) { /* sift down */
            size_t l = 2 * i + 1, r = l + 1, m = i;
            if (l < n && heap[l].c < heap[m].c)
                m = l;
            if (r < n && heap[r].c < heap[m].c)
                m = r;
            if (m == i)
                break;
            item t = heap[i];
            heap[i] = heap[m];
            heap[m] = t;
            i = m;
        }
        if (top.c > dist[top.v])
            continue;
        for (size_t k = G->first[top.v]; k < G->first[top.v + 1]; k++) {
            double c = top.c + G->len[k];
            size_t v = G->to[k];
            if (c < dist[v] && c <= cutoff) {
                dist[v] = c;
                if (n == cap)
                    heap = realloc(heap, (cap *= 2) * sizeof *heap);
                size_t i = n++;
                heap[i] = (item){c, v};
                while (i > 0 && heap[(i - 1) / 2].c > heap[i].c) { /* sift up */
                    item t = heap[i];
                    heap[i] = heap[(i - 1) / 2];
                    heap[(i - 1) / 2] = t;
                    i = (i - 1) / 2;
                }
            }
        }
    }
    free(heap);
}

/* ---- the two steps, as the papers write them ---- */

enum { M_2SFCA, M_GAUSSIAN, M_LINEAR };

/* Luo & Wang (2003): W = 1 within d0. Luo & Qi (2009) with a continuous
 * Gaussian (Dai 2010: W(d0) = 0, W(0) = 1) or a linear decay. */
static double W(int m, double d, double d0)
{
    if (!(d <= d0))
        return 0;
    if (m == M_GAUSSIAN)
        return (exp(-0.5 * d * d / (d0 * d0)) - exp(-0.5)) / (1 - exp(-0.5));
    if (m == M_LINEAR)
        return 1 - d / d0;
    return 1;
}

static void check_run(const char *db_path, int m, const double *dist /* station-major, ns x nb */,
                      const layer_pts *st, const layer_pts *bl, const layer_pts *dis, double d0)
{
    size_t ns = st->n, nb = bl->n;
    double *R = calloc(ns, sizeof *R), *D = calloc(ns, sizeof *D), *A = calloc(nb, sizeof *A);
    for (size_t j = 0; j < ns; j++) {
        for (size_t k = 0; k < nb; k++)
            D[j] += bl->v[k] * W(m, dist[j * nb + k], d0);
        R[j] = D[j] > 0 ? st->v[j] / D[j] : NAN;
    }
    for (size_t i = 0; i < nb; i++)
        for (size_t j = 0; j < ns; j++)
            if (isfinite(R[j]))
                A[i] += R[j] * W(m, dist[j * nb + i], d0);
    sqlite3 *db = svt_db_open(db_path);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM station_load WHERE radius_m = %g", d0), (long long)ns);
    sqlite3_stmt *s = NULL;
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT capacity, demand_within, ratio FROM station_load WHERE radius_m = %g ORDER BY id",
             d0);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
    size_t with_ratio = 0;
    double worst = 0;
    for (size_t j = 0; j < ns; j++) {
        assert_int_equal(sqlite3_step(s), SQLITE_ROW);
        assert_true(sqlite3_column_double(s, 0) == st->v[j]);
        double dw = sqlite3_column_double(s, 1);
        if (fabs(dw - D[j]) > 1e-9 * fmax(D[j], 1e-300))
            fail_msg("station %zu at %g m: demand_within %.17g, expected %.17g", j, d0, dw, D[j]);
        if (!isfinite(R[j])) {
            assert_int_equal(sqlite3_column_type(s, 2), SQLITE_NULL);
            assert_true(dw == 0);
            continue;
        }
        double r = sqlite3_column_double(s, 2);
        worst = fmax(worst, fabs(r - R[j]) / R[j]);
        if (fabs(r - R[j]) > 1e-9 * R[j])
            fail_msg("station %zu at %g m: ratio %.17g, expected %.17g", j, d0, r, R[j]);
        with_ratio++;
    }
    sqlite3_finalize(s);
    /* the districts: people-weighted mean of A_i x 1000 over the buildings inside */
    double worst_d = 0;
    for (size_t d = 0; d <= dis->n; d++) {
        double sw = 0, swa = 0;
        size_t n_in = 0;
        for (size_t i = 0; i < nb; i++) {
            int in = 0;
            OGRGeometryH p = OGR_G_CreateGeometry(wkbPoint);
            OGR_G_SetPoint_2D(p, 0, bl->x[i], bl->y[i]);
            for (size_t e = d < dis->n ? d : 0; e < (d < dis->n ? d + 1 : dis->n) && !in; e++)
                in = OGR_G_Intersects(dis->geom[e], p);
            OGR_G_DestroyGeometry(p);
            if (in) {
                n_in++;
                sw += bl->v[i];
                swa += bl->v[i] * 1000 * A[i];
            }
        }
        double idx = sw > 0 ? swa / sw : NAN;
        double got;
        long long got_n;
        if (d < dis->n) {
            got = svt_db_double(db, "SELECT access_index FROM district_access WHERE district_id = '%s' AND "
                                    "radius_m = %g", dis->name[d], d0);
            got_n = svt_db_int(db, "SELECT n_points FROM district_access WHERE district_id = '%s' AND radius_m = %g",
                               dis->name[d], d0);
        } else {
            got = svt_db_double(db, "SELECT access_index FROM district_access WHERE district_id IS NULL AND "
                                    "radius_m = %g", d0);
            got_n = svt_db_int(db, "SELECT n_points FROM district_access WHERE district_id IS NULL AND radius_m = %g",
                               d0);
        }
        assert_int_equal(got_n, (long long)n_in);
        if (isnan(idx)) {
            assert_true(isnan(got));
            continue;
        }
        worst_d = fmax(worst_d, fabs(got - idx) / fmax(idx, 1e-300));
        if (fabs(got - idx) > 1e-9 * fmax(idx, 1e-300))
            fail_msg("district %s at %g m: access_index %.17g, expected %.17g", d < dis->n ? dis->name[d] : "(all)",
                     d0, got, idx);
    }
    sqlite3_close(db);
    printf("%s, %g m: %zu station ratios (largest relative difference %.1e), %zu districts + city (%.1e)\n",
           m == M_2SFCA ? "2SFCA" : m == M_GAUSSIAN ? "E2SFCA gaussian" : "E2SFCA linear", d0, with_ratio, worst,
           dis->n, worst_d);
    assert_true(with_ratio > 20); /* the check has something to check */
    free(R);
    free(D);
    free(A);
}

static void make_inputs(void)
{
    if (stations_cap)
        return;
    stations_cap = svt_path("stations_cap.geojson");
    buildings_w = svt_path("buildings_w.geojson");
    char cmd[16384];
    snprintf(cmd, sizeof cmd,
             "ogr2ogr -f GeoJSON '%s' '%s' -dialect sqlite -sql \"SELECT *, (CAST(substr(osm_id, -4) AS INTEGER) "
             "%% 7) + 1 AS cap FROM stations\" >/dev/null 2>&1",
             stations_cap, file("stations.geojson"));
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd,
             "ogr2ogr -f GeoJSON '%s' '%s' -dialect sqlite -sql \"SELECT *, (CAST(substr(coalesce(osm_way_id, "
             "osm_id), -3) AS INTEGER) %% 4) + 1 AS w FROM buildings\" >/dev/null 2>&1",
             buildings_w, file("buildings.geojson"));
    assert_int_equal(system(cmd), 0);
}

static void test_circles(void **state)
{
    (void)state;
    make_inputs();
    layer_pts st = read_layer(stations_cap, "cap", 0), bl = read_layer(buildings_w, "w", 0);
    layer_pts dis = read_layer(file("districts.geojson"), NULL, 1);
    assert_int_equal(st.n, 195);
    assert_int_equal(bl.n, 292);
    double *dist = malloc(st.n * bl.n * sizeof *dist);
    for (size_t j = 0; j < st.n; j++)
        for (size_t i = 0; i < bl.n; i++)
            dist[j * bl.n + i] = hypot(st.x[j] - bl.x[i], st.y[j] - bl.y[i]);
    const char *a = svt_path("circles_2sfca.sqlite"), *e = svt_path("circles_e2sfca.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", stations_cap, "--districts", file("districts.geojson"), "--district-id",
               "name", "--radius", "500,1000", "--demand", buildings_w, "--demand-weight", "w", "--capacity-field",
               "cap", "--access", "2sfca", "--no-redundancy", "--no-category-coverage", "--out", a, "-q");
    SVT_EXPECT(0, "analyze", "--stations", stations_cap, "--districts", file("districts.geojson"), "--district-id",
               "name", "--radius", "500,1000", "--demand", buildings_w, "--demand-weight", "w", "--capacity-field",
               "cap", "--access", "e2sfca", "--decay", "gaussian", "--no-redundancy", "--no-category-coverage", "--out",
               e, "-q");
    sqlite3 *db = svt_db_open(a);
    assert_int_equal(svt_db_int(db, "SELECT n_stations FROM runs"), 195);
    assert_string_equal(svt_db_text(db, "SELECT access_method FROM runs"), "2sfca");
    sqlite3_close(db);
    check_run(a, M_2SFCA, dist, &st, &bl, &dis, 500);
    check_run(a, M_2SFCA, dist, &st, &bl, &dis, 1000);
    check_run(e, M_GAUSSIAN, dist, &st, &bl, &dis, 500);
    check_run(e, M_GAUSSIAN, dist, &st, &bl, &dis, 1000);
    free(dist);
    layer_free(&st);
    layer_free(&bl);
    layer_free(&dis);
}

static void test_network(void **state)
{
    (void)state;
    make_inputs();
    layer_pts st = read_layer(stations_cap, "cap", 0), bl = read_layer(buildings_w, "w", 0);
    layer_pts dis = read_layer(file("districts.geojson"), NULL, 1);
    graph G = read_graph();
    assert_int_equal(G.n_nodes, 38509); /* the references' graph (runs.network_nodes in test_realdata_network) */
    double *dist = malloc(st.n * bl.n * sizeof *dist), *lab = malloc(G.n_nodes * sizeof *lab);
    size_t *bnode = malloc(bl.n * sizeof *bnode);
    for (size_t i = 0; i < bl.n; i++)
        bnode[i] = nearest_node(&G, bl.x[i], bl.y[i]);
    for (size_t j = 0; j < st.n; j++) {
        dijkstra(&G, nearest_node(&G, st.x[j], st.y[j]), 1000, lab);
        for (size_t i = 0; i < bl.n; i++)
            dist[j * bl.n + i] = lab[bnode[i]];
    }
    const char *a = svt_path("net_2sfca.sqlite"), *e = svt_path("net_e2sfca.sqlite");
    SVT_EXPECT(0, "analyze", "--stations", stations_cap, "--districts", file("districts.geojson"), "--district-id",
               "name", "--network", file("roads.geojson"), "--radius", "500,1000", "--snap", "node", "--access-legs",
               "off", "--max-snap", "100000", "--demand", buildings_w, "--demand-weight", "w", "--capacity-field", "cap",
               "--access", "2sfca", "--no-service-areas", "--no-category-coverage", "--out", a, "-q");
    SVT_EXPECT(0, "analyze", "--stations", stations_cap, "--districts", file("districts.geojson"), "--district-id",
               "name", "--network", file("roads.geojson"), "--radius", "500,1000", "--snap", "node", "--access-legs",
               "off", "--max-snap", "100000", "--demand", buildings_w, "--demand-weight", "w", "--capacity-field", "cap",
               "--access", "e2sfca", "--decay", "linear", "--no-service-areas", "--no-category-coverage", "--out", e,
               "-q");
    check_run(a, M_2SFCA, dist, &st, &bl, &dis, 500);
    check_run(a, M_2SFCA, dist, &st, &bl, &dis, 1000);
    check_run(e, M_LINEAR, dist, &st, &bl, &dis, 500);
    check_run(e, M_LINEAR, dist, &st, &bl, &dis, 1000);
    free(dist);
    free(lab);
    free(bnode);
    graph_free(&G);
    layer_free(&st);
    layer_free(&bl);
    layer_free(&dis);
}

static int group_setup(void **state)
{
    (void)state;
    GDALAllRegister();
    return svt_make_dir("realaccess");
}

static int group_teardown(void **state)
{
    (void)state;
    svt_run_free();
    svt_remove_dir();
    return 0;
}

int main(void)
{
    const char *env = getenv("SVCOV_SHARED");
    snprintf(andorra, sizeof andorra, "%s/realdata/andorra", env && *env ? env : SVCOV_SHARED_DIR);
    struct stat sb;
    if (stat(andorra, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        printf("SKIPPED: %s not found; set SVCOV_SHARED to the shared folder to check 2SFCA on Andorra\n", andorra);
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_circles),
        cmocka_unit_test(test_network),
    };
    return cmocka_run_group_tests_name("realdata_access", tests, group_setup, group_teardown);
}
