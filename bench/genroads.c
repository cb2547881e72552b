/*
 * genroads.c - a deterministic synthetic street network for the network
 * benchmark (bench/bench_network.sh): a jittered grid of streets, some
 * missing, written as long ways (OSM-like lines that meet other ways at
 * shared vertices in their middle), with stations, demand points and
 * rectangular districts, all in EPSG:32649 (UTM 49N). Synthetic.
 *
 *   svcov-genroads --grid N --spacing M --stations S --demand D --seed X --out DIR
 */
#include <cpl_conv.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static uint64_t rng_state;

static uint64_t next(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double uniform(void)
{
    return (double)(next() >> 11) / 9007199254740992.0;
}

static OGRLayerH make_layer(GDALDatasetH *ds, const char *dir, const char *name, OGRwkbGeometryType t,
                            OGRSpatialReferenceH srs)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.gpkg", dir, name);
    remove(path);
    GDALDriverH drv = GDALGetDriverByName("GPKG");
    *ds = GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL);
    if (!*ds) {
        fprintf(stderr, "svcov-genroads: cannot create %s\n", path);
        exit(1);
    }
    OGRLayerH l = GDALDatasetCreateLayer(*ds, name, srs, t, NULL);
    if (!l) {
        fprintf(stderr, "svcov-genroads: cannot create layer %s\n", name);
        exit(1);
    }
    return l;
}

static void check(OGRErr e, const char *what)
{
    if (e != OGRERR_NONE) {
        fprintf(stderr, "svcov-genroads: %s failed\n", what);
        exit(1);
    }
}

static void add_field(OGRLayerH l, const char *name, OGRFieldType t)
{
    OGRFieldDefnH f = OGR_Fld_Create(name, t);
    OGR_L_CreateField(l, f, TRUE);
    OGR_Fld_Destroy(f);
}

int main(int argc, char **argv)
{
    int n = 230, stations = 1000, demand = 20000, districts = 4;
    double spacing = 80, jitter = 15, missing = 0.05;
    uint64_t seed = 1;
    const char *out = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--grid")) n = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--spacing")) spacing = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--stations")) stations = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--demand")) demand = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--seed")) seed = strtoull(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--out")) out = argv[i + 1];
        else {
            fprintf(stderr, "usage: svcov-genroads --grid N --spacing M --stations S --demand D --seed X --out DIR\n");
            return 2;
        }
    }
    if (!out || n < 2 || spacing <= 0 || stations < 1 || demand < 1) {
        fprintf(stderr, "usage: svcov-genroads --grid N --spacing M --stations S --demand D --seed X --out DIR\n");
        return 2;
    }
    mkdir(out, 0777);
    rng_state = seed;
    GDALAllRegister();
    CPLSetConfigOption("OGR_CURRENT_DATE", "2000-01-01T00:00:00.000Z");
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(srs, 32649);
    double x0 = 800000, y0 = 2490000;
    /* jittered vertices; a missing block side leaves a gap in the way */
    double *vx = malloc(sizeof(double) * (size_t)n * (size_t)n), *vy = malloc(sizeof(double) * (size_t)n * (size_t)n);
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            vx[j * n + i] = x0 + i * spacing + (uniform() * 2 - 1) * jitter;
            vy[j * n + i] = y0 + j * spacing + (uniform() * 2 - 1) * jitter;
        }
    GDALDatasetH ds;
    OGRLayerH roads = make_layer(&ds, out, "roads", wkbLineString, srs);
    add_field(roads, "osm_id", OFTInteger64);
    add_field(roads, "highway", OFTString);
    add_field(roads, "oneway", OFTString);
    check(OGR_L_StartTransaction(roads), "a transaction");
    long id = 0, segments = 0;
    for (int dir = 0; dir < 2; dir++)
        for (int k = 0; k < n; k++) {
            const char *cls = k % 8 == 0 ? "primary" : (k % 17 == 5 ? "footway" : "residential");
            const char *oneway = (k % 11 == 3 && strcmp(cls, "residential") == 0) ? "yes" : NULL;
            OGRGeometryH line = NULL;
            for (int s = 0; s < n; s++) {
                int idx = dir == 0 ? k * n + s : s * n + k;
                int gap = s + 1 < n && uniform() < missing;
                if (!line)
                    line = OGR_G_CreateGeometry(wkbLineString);
                OGR_G_AddPoint_2D(line, vx[idx], vy[idx]);
                if (gap || s + 1 == n) {
                    if (OGR_G_GetPointCount(line) >= 2) {
                        OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(roads));
                        OGR_F_SetFieldInteger64(f, 0, ++id);
                        OGR_F_SetFieldString(f, 1, cls);
                        if (oneway)
                            OGR_F_SetFieldString(f, 2, oneway);
                        OGR_F_SetGeometryDirectly(f, line);
                        check(OGR_L_CreateFeature(roads, f), "writing a feature");
                        segments += OGR_G_GetPointCount(line) - 1;
                        OGR_F_Destroy(f);
                    } else {
                        OGR_G_DestroyGeometry(line);
                    }
                    line = NULL;
                }
            }
        }
    check(OGR_L_CommitTransaction(roads), "a commit");
    GDALClose(ds);

    double w = (n - 1) * spacing, h = w;
    const char *names[2] = {"stations", "demand"};
    int counts[2] = {stations, demand};
    for (int k = 0; k < 2; k++) {
        OGRLayerH l = make_layer(&ds, out, names[k], wkbPoint, srs);
        add_field(l, k ? "demand_id" : "station_id", OFTString);
        check(OGR_L_StartTransaction(l), "a transaction");
        for (int i = 0; i < counts[k]; i++) {
            OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
            char sid[32];
            snprintf(sid, sizeof sid, "%s%06d", k ? "H" : "S", i + 1);
            OGR_F_SetFieldString(f, 0, sid);
            OGRGeometryH p = OGR_G_CreateGeometry(wkbPoint);
            OGR_G_SetPoint_2D(p, 0, x0 + uniform() * w, y0 + uniform() * h);
            OGR_F_SetGeometryDirectly(f, p);
            check(OGR_L_CreateFeature(l, f), "writing a feature");
            OGR_F_Destroy(f);
        }
        check(OGR_L_CommitTransaction(l), "a commit");
        GDALClose(ds);
    }
    OGRLayerH dl = make_layer(&ds, out, "districts", wkbPolygon, srs);
    add_field(dl, "district_id", OFTString);
    for (int j = 0; j < districts; j++)
        for (int i = 0; i < districts; i++) {
            OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(dl));
            char did[16];
            snprintf(did, sizeof did, "D%02d", j * districts + i + 1);
            OGR_F_SetFieldString(f, 0, did);
            OGRGeometryH ring = OGR_G_CreateGeometry(wkbLinearRing), poly = OGR_G_CreateGeometry(wkbPolygon);
            double ax = x0 + i * w / districts, ay = y0 + j * h / districts, bx = ax + w / districts,
                   by = ay + h / districts;
            OGR_G_AddPoint_2D(ring, ax, ay);
            OGR_G_AddPoint_2D(ring, bx, ay);
            OGR_G_AddPoint_2D(ring, bx, by);
            OGR_G_AddPoint_2D(ring, ax, by);
            OGR_G_AddPoint_2D(ring, ax, ay);
            OGR_G_AddGeometryDirectly(poly, ring);
            OGR_F_SetGeometryDirectly(f, poly);
            check(OGR_L_CreateFeature(dl, f), "writing a feature");
            OGR_F_Destroy(f);
        }
    GDALClose(ds);
    OSRDestroySpatialReference(srs);
    free(vx);
    free(vy);
    printf("svcov-genroads: %ld ways, %ld segments, %d stations, %d demand points -> %s\n", id, segments, stations,
           demand, out);
    return 0;
}
