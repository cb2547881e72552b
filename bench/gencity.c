/*
 * svcov-gencity: a deterministic generator of SYNTHETIC cities for svcov's
 * demo data, tests and benchmarks.
 *
 * Nothing here is real: the city, its districts, their names and populations
 * and the stations are invented. The city is only *placed* around
 * lon 113.95, lat 22.55 so that it lands in UTM zone 49N (EPSG:32649) and
 * looks at home on a web map.
 *
 * What it makes (all in EPSG:4326, x = longitude, y = latitude):
 *   DIR/districts.<ext>  layer "districts": polygons tiling a roughly round
 *                        city without overlap (Voronoi cells of jittered
 *                        seeds, clipped to the city boundary).
 *   DIR/stations.<ext>   layer "stations": points, clustered around hot spots
 *                        with a uniform background; about 1% lie just outside
 *                        the city boundary on purpose.
 *   with --clusters K    a city like a real one: most stations in K dense
 *                        centres, districts smaller and people denser there;
 *   with --demand N      DIR/demand.<ext>: buildings weighted by people;
 *   with --roads         DIR/roads.<ext>: a street grid over the city;
 *   with --population-raster FILE  a GeoTIFF of people per cell.
 *   (bench/README.md describes them all.)
 *
 * How: everything is laid out in metres in a local azimuthal equidistant
 * frame centred on the city (so "radius R km" means R km on the ground),
 * geometry is built and clipped with GEOS, then PROJ (through OGR) takes
 * every vertex to lon/lat and OGR writes the layers.
 *
 * Determinism: one xoshiro256** generator per purpose (boundary, district
 * seeds, populations, names, stations), each seeded by splitmix64 from
 * --seed. The same arguments give the same bytes on the same GDAL/GEOS/libm;
 * changing --stations leaves the districts untouched.
 *
 * Default radius: the city's area is about 1.5 km^2 per district, that is
 * R = sqrt(1.5 * M / pi) km (14 districts: 2.6 km; 10,000 districts: 69 km).
 * District seeds are denser towards the centre, so central districts are
 * smaller (about 0.8 km^2 on average) than outer ones (about 2 km^2);
 * population density falls from ~30,000/km^2 in the centre to ~8,000/km^2
 * near the edge (about 15,000/km^2 overall, a dense Chinese city).
 *
 * Exit status: 0 ok, 1 runtime error (GDAL/GEOS/IO), 2 usage error.
 */
#define _POSIX_C_SOURCE 200809L
#define _LARGEFILE64_SOURCE /* VSIStatBufL is a struct stat64 */
#define GEOS_USE_ONLY_R_API

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <gdal_alg.h>
#include <geos_c.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define CITY_LON 113.95
#define CITY_LAT 22.55

#define EXIT_RUNTIME 1
#define EXIT_USAGE 2

/* Vertices of the city boundary; chords are then within ~2 m of the curve
 * even for a 70 km city. */
#define BOUNDARY_VERTICES 720

/* Share of stations scattered uniformly (the rest sit in clusters) and share
 * deliberately placed just outside the city boundary. */
#define BACKGROUND_SHARE 0.20
#define OUTSIDE_SHARE 0.01

/* Clustered cities (--clusters K): the default spread of the stations around
 * a centre as a share of the city radius (4.1 km for the 69 km city of
 * 10,000 districts; the peak density, about 110 stations per km2 with 10
 * stations per district and K = 6, is then the same at every size). The
 * districts follow the stations: half the stations' share of the district
 * seeds lie in the same centres, 1.5 times as spread; people thin out around
 * the centres at twice the stations' spread. */
#define CLUSTER_SIGMA_OF_RADIUS 0.06
#define DISTRICT_SHARE_OF_CLUSTER 0.5
#define DISTRICT_SIGMA_FACTOR 1.5
#define PEOPLE_SIGMA_FACTOR 2.0
#define MAX_CLUSTERS 10000

/* Street grid (--roads), as svcov-genroads makes it: vertices jittered by
 * this share of the spacing, this share of block sides missing. */
#define ROAD_JITTER_SHARE 0.1875
#define ROAD_MISSING_SHARE 0.05

static const char *progname = "svcov-gencity";

/* ------------------------------------------------------------------------ */
/* Errors                                                                    */

static void die_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", progname);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry '%s --help'.\n", progname);
    exit(EXIT_USAGE);
}

/* Print an error and the last GDAL message, if any. */
static void report(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: error: ", progname);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static void report_gdal(const char *what)
{
    const char *msg = CPLGetLastErrorMsg();
    if (msg && *msg)
        report("%s: %s", what, msg);
    else
        report("%s", what);
}

typedef struct {
    char msg[1024];
} GeosErr;

static void geos_error_handler(const char *message, void *userdata)
{
    GeosErr *e = userdata;
    snprintf(e->msg, sizeof e->msg, "%s", message);
}

static void geos_notice_handler(const char *message, void *userdata)
{
    (void)userdata;
    fprintf(stderr, "%s: GEOS notice: %s\n", progname, message);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        report("out of memory (%zu bytes)", n);
        exit(EXIT_RUNTIME);
    }
    return p;
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) {
        report("out of memory (%zu x %zu bytes)", n, size);
        exit(EXIT_RUNTIME);
    }
    return p;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = xmalloc(n);
    memcpy(d, s, n);
    return d;
}

/* ------------------------------------------------------------------------ */
/* Random numbers: splitmix64 to seed xoshiro256** (Blackman & Vigna).      */

typedef struct {
    uint64_t s[4];
} Rng;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* One independent stream per purpose, so e.g. --stations does not shift the
 * districts. */
enum { STREAM_BOUNDARY = 1, STREAM_SEEDS, STREAM_POPULATION, STREAM_DISTRICT_NAMES,
       STREAM_STATIONS, STREAM_STATION_ATTRS, STREAM_CENTRES, STREAM_DEMAND, STREAM_ROADS };

static void rng_init(Rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xd1b54a32d192ed03ULL);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t rng_next(Rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in [0, 1). */
static double rng_uniform(Rng *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }

/* Uniform integer in [0, n), n > 0 (Lemire's multiply-shift, bias < 2^-32
 * for the small n used here, which is fine for synthetic data). */
static uint32_t rng_below(Rng *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Standard normal (Box-Muller, one value per call; simple and deterministic). */
static double rng_normal(Rng *r)
{
    double u1 = rng_uniform(r), u2 = rng_uniform(r);
    if (u1 < 1e-300)
        u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* ------------------------------------------------------------------------ */
/* City shape: a wobbly circle, r(theta) = R * (1 + sum a_k sin(k theta + p_k))
 * with small amplitudes, so it is star-shaped around the centre.           */

typedef struct {
    double radius_m;
    double amp[3];
    int harmonic[3];
    double phase[3];
} CityShape;

static void city_shape_init(CityShape *c, double radius_m, Rng *r)
{
    static const int harmonics[3] = {2, 3, 5};
    static const double max_amp[3] = {0.07, 0.05, 0.03};
    c->radius_m = radius_m;
    for (int k = 0; k < 3; k++) {
        c->harmonic[k] = harmonics[k];
        c->amp[k] = max_amp[k] * (0.5 + 0.5 * rng_uniform(r));
        c->phase[k] = 2.0 * M_PI * rng_uniform(r);
    }
}

static double city_radius_at(const CityShape *c, double theta)
{
    double f = 1.0;
    for (int k = 0; k < 3; k++)
        f += c->amp[k] * sin(c->harmonic[k] * theta + c->phase[k]);
    return c->radius_m * f;
}

/* ------------------------------------------------------------------------ */
/* Centres of a clustered city (--clusters K): downtown near the middle, the
 * other K-1 spread in angle between a quarter and 70% of the way out.      */

typedef struct {
    long k;          /* 0: the default city */
    double share;    /* of the stations, in the centres */
    double sigma_m;  /* the stations' spread around a centre */
    double *x, *y;   /* metres */
} Centres;

static void centres_init(Centres *cs, const CityShape *c, long k, double share, double sigma_km,
                         uint64_t seed)
{
    memset(cs, 0, sizeof *cs);
    cs->k = k;
    if (k == 0)
        return;
    Rng r;
    rng_init(&r, seed, STREAM_CENTRES);
    cs->share = share;
    cs->sigma_m = sigma_km > 0.0 ? sigma_km * 1000.0 : CLUSTER_SIGMA_OF_RADIUS * c->radius_m;
    cs->x = xcalloc((size_t)k, sizeof *cs->x);
    cs->y = xcalloc((size_t)k, sizeof *cs->y);
    double phase = 2.0 * M_PI * rng_uniform(&r);
    for (long i = 0; i < k; i++) {
        double theta, rr;
        if (i == 0) {
            theta = 2.0 * M_PI * rng_uniform(&r);
            rr = 0.05 * c->radius_m * rng_uniform(&r);
        } else {
            double step = 2.0 * M_PI / (double)(k - 1);
            theta = phase + step * ((double)(i - 1) + 0.5 * (rng_uniform(&r) - 0.5));
            rr = (0.25 + 0.45 * rng_uniform(&r)) * city_radius_at(c, theta);
        }
        cs->x[i] = rr * cos(theta);
        cs->y[i] = rr * sin(theta);
    }
}

static void centres_free(Centres *cs)
{
    free(cs->x);
    free(cs->y);
}

/* Sum over the centres of exp(-d^2 / (2 sigma^2)): 1 on a lone centre. */
static double centres_bumps(const Centres *cs, double sigma, double x, double y)
{
    double sum = 0.0;
    for (long i = 0; i < cs->k; i++) {
        double dx = x - cs->x[i], dy = y - cs->y[i];
        sum += exp(-(dx * dx + dy * dy) / (2.0 * sigma * sigma));
    }
    return sum;
}

/* People per km2 before noise: falling from ~30,000 in the centre to
 * ~4,000 at the edge in the default city; ~30,000 in each centre of a
 * clustered one, ~3,000 far from them. */
static double people_density(const CityShape *c, const Centres *cs, double x, double y)
{
    if (cs->k == 0) {
        double theta = atan2(y, x);
        double rel = hypot(x, y) / city_radius_at(c, theta);
        return 4000.0 + 26000.0 * exp(-2.2 * rel * rel);
    }
    double b = centres_bumps(cs, PEOPLE_SIGMA_FACTOR * cs->sigma_m, x, y);
    return 3000.0 + 27000.0 * fmin(1.0, b);
}

/* ------------------------------------------------------------------------ */
/* Invented place names: two or three syllables from this table. Each pinyin
 * spelling appears once, so Chinese and English names are unique together.
 * The table avoids the syllable pairs that make Shenzhen's real district
 * names (see name_blocked), as the city is placed there.                  */

typedef struct {
    const char *hz;
    const char *py;
} Syllable;

static const Syllable SYLLABLES[] = {
    {"安", "an"},    {"宝", "bao"},   {"碧", "bi"},    {"滨", "bin"},   {"昌", "chang"},
    {"澄", "cheng"}, {"翠", "cui"},   {"丹", "dan"},   {"东", "dong"},  {"峰", "feng"},
    {"富", "fu"},    {"港", "gang"},  {"禾", "he"},    {"鸿", "hong"},  {"华", "hua"},
    {"汇", "hui"},   {"嘉", "jia"},   {"锦", "jin"},   {"景", "jing"},  {"康", "kang"},
    {"澜", "lan"},   {"乐", "le"},    {"黎", "li"},    {"莲", "lian"},  {"林", "lin"},
    {"龙", "long"},  {"鹭", "lu"},    {"梅", "mei"},   {"明", "ming"},  {"南", "nan"},
    {"宁", "ning"},  {"鹏", "peng"},  {"平", "ping"},  {"琪", "qi"},    {"桥", "qiao"},
    {"清", "qing"},  {"泉", "quan"},  {"瑞", "rui"},   {"山", "shan"},  {"盛", "sheng"},
    {"石", "shi"},   {"顺", "shun"},  {"松", "song"},  {"泰", "tai"},   {"塘", "tang"},
    {"田", "tian"},  {"湾", "wan"},   {"溪", "xi"},    {"霞", "xia"},   {"祥", "xiang"},
    {"新", "xin"},   {"秀", "xiu"},   {"雅", "ya"},    {"阳", "yang"},  {"怡", "yi"},
    {"银", "yin"},   {"榕", "rong"},  {"悦", "yue"},   {"云", "yun"},   {"泽", "ze"},
    {"樟", "zhang"}, {"洲", "zhou"},  {"竹", "zhu"},   {"紫", "zi"},
};
#define N_SYLLABLES (sizeof SYLLABLES / sizeof SYLLABLES[0])

/* Real names (Shenzhen's districts and some sub-districts, and a few famous
 * places) that the generator must not produce by chance. */
static const char *const BLOCKED_NAMES[] = {
    "福田", "罗湖", "南山", "宝安", "龙岗", "盐田", "龙华", "坪山", "光明", "大鹏",
    "前海", "蛇口", "华强", "莲花", "梅林", "华富", "香蜜", "沙头", "南园", "园岭",
    "福华", "新安", "西乡", "福永", "沙井", "松岗", "石岩", "布吉", "横岗", "平湖",
    "坂田", "民治", "观澜", "大浪", "葵涌", "南澳", "粤海", "桃源", "招商", "西丽",
    "龙城", "坪地", "宝龙", "南湾", "吉华", "园山", "清湖", "明治", "东晓", "东门",
    "翠竹", "莲塘", "东湖", "黄贝", "清水", "新桥", "燕罗", "航城", "石龙", "东莞",
    "香港", "澳门", "广州", "珠海", "惠州", "佛山", "中山", "江门", "安宁", "长安",
    "南宁", "泰山", "黄山", "华山", "昌平", "顺德", "阳山", "乐昌", "南昌", "宁波",
};

static int name_blocked(const char *hz2)
{
    for (size_t i = 0; i < sizeof BLOCKED_NAMES / sizeof BLOCKED_NAMES[0]; i++)
        if (strcmp(hz2, BLOCKED_NAMES[i]) == 0)
            return 1;
    return 0;
}

/* A small string set (open addressing, FNV-1a) to keep names unique. */
typedef struct {
    char **slot;
    size_t cap;
    size_t count;
} NameSet;

static void nameset_init(NameSet *s, size_t expected)
{
    size_t cap = 64;
    while (cap < expected * 2 + 16)
        cap <<= 1;
    s->slot = xcalloc(cap, sizeof *s->slot);
    s->cap = cap;
    s->count = 0;
}

static void nameset_free(NameSet *s)
{
    if (!s->slot)
        return;
    for (size_t i = 0; i < s->cap; i++)
        free(s->slot[i]);
    free(s->slot);
    s->slot = NULL;
}

static uint64_t fnv1a(const char *p)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *p; p++) {
        h ^= (unsigned char)*p;
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* Adds `name` if absent; returns 1 if added, 0 if it was already there. */
static int nameset_add(NameSet *s, const char *name)
{
    if (s->count * 2 >= s->cap) {
        NameSet bigger;
        nameset_init(&bigger, s->cap);
        for (size_t i = 0; i < s->cap; i++) {
            if (!s->slot[i])
                continue;
            size_t j = fnv1a(s->slot[i]) & (bigger.cap - 1);
            while (bigger.slot[j])
                j = (j + 1) & (bigger.cap - 1);
            bigger.slot[j] = s->slot[i];
            bigger.count++;
        }
        free(s->slot);
        *s = bigger;
    }
    size_t j = fnv1a(name) & (s->cap - 1);
    while (s->slot[j]) {
        if (strcmp(s->slot[j], name) == 0)
            return 0;
        j = (j + 1) & (s->cap - 1);
    }
    s->slot[j] = xstrdup(name);
    s->count++;
    return 1;
}

/* Builds an invented base name of `n` syllables: Chinese into hz, pinyin
 * (capitalised, with an apostrophe before a vowel-initial syllable, as in
 * "Xi'an") into py. Returns 0 if the name is blocked. */
static int make_base_name(Rng *r, int n, char *hz, size_t hzcap, char *py, size_t pycap)
{
    size_t prev = N_SYLLABLES;
    hz[0] = py[0] = '\0';
    for (int i = 0; i < n; i++) {
        size_t k;
        do
            k = rng_below(r, (uint32_t)N_SYLLABLES);
        while (k == prev);
        prev = k;
        const Syllable *sy = &SYLLABLES[k];
        strncat(hz, sy->hz, hzcap - strlen(hz) - 1);
        size_t len = strlen(py);
        if (i > 0 && strchr("aeo", sy->py[0]))
            strncat(py, "'", pycap - strlen(py) - 1);
        strncat(py, sy->py, pycap - strlen(py) - 1);
        if (i == 0)
            py[len] = (char)toupper((unsigned char)py[len]);
        if (i == 1 && name_blocked(hz))
            return 0;
    }
    return 1;
}

/* Draws a unique base name (unique by its pinyin, so also in Chinese):
 * two syllables while they are easy to find, then three. Returns 0 when
 * nothing unique came up (the caller then appends a number). */
static int unique_base_name(Rng *r, NameSet *set, const char *suffix_key, char *hz, size_t hzcap,
                            char *py, size_t pycap)
{
    char key[256];
    for (int attempt = 0; attempt < 64; attempt++) {
        int n = attempt < 12 ? 2 : 3;
        if (!make_base_name(r, n, hz, hzcap, py, pycap))
            continue;
        snprintf(key, sizeof key, "%s|%s", py, suffix_key);
        if (nameset_add(set, key))
            return 1;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Options                                                                   */

typedef enum { FMT_GPKG, FMT_GEOJSON } Format;

typedef struct {
    long n_stations;
    long n_districts;
    uint64_t seed;
    const char *out_dir;
    Format format;
    int demo;
    double radius_km; /* <= 0: default */
    int quiet;
    long clusters;          /* 0: the default city (hot spots around a dense core) */
    double cluster_share;   /* share of the stations in the centres */
    double cluster_sigma_km; /* <= 0: CLUSTER_SIGMA_OF_RADIUS of the radius */
    long n_demand;          /* demand points (buildings); 0: no demand layer */
    int roads;              /* write a street grid */
    double road_spacing_m;
    const char *pop_raster; /* population GeoTIFF, or NULL */
    double raster_arcsec;   /* its cell size */
} Options;

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: %s --stations N --districts M --seed S --out DIR\n"
            "                     [--format GPKG|GeoJSON] [--demo] [--radius-km R] [-q]\n"
            "                     [--clusters K [--cluster-share F] [--cluster-sigma-km S]]\n"
            "                     [--demand N] [--roads [--road-spacing M]]\n"
            "                     [--population-raster FILE.tif [--raster-cell-arcsec A]]\n"
            "\n"
            "Generates a deterministic SYNTHETIC city around lon %.2f, lat %.2f (EPSG:4326):\n"
            "  DIR/districts.<ext>  layer 'districts': M polygons (district_id, name, name_en,\n"
            "                       population) tiling a roughly round city\n"
            "  DIR/stations.<ext>   layer 'stations': N points (station_id, name, name_en,\n"
            "                       category, services), clustered, ~1%% just outside the city\n"
            "\n"
            "Options:\n"
            "  --stations N     number of stations (>= 0)\n"
            "  --districts M    number of districts (>= 1)\n"
            "  --seed S         random seed (unsigned 64-bit integer)\n"
            "  --out DIR        output folder (created if missing; files there are replaced)\n"
            "  --format F       GPKG (default, .gpkg) or GeoJSON (.geojson, RFC 7946)\n"
            "  --demo           Chinese names (name) with pinyin-style English (name_en)\n"
            "  --radius-km R    city radius in km (default sqrt(1.5 * M / pi): ~1.5 km2 per district)\n"
            "  -q, --quiet      no summary on stderr\n"
            "\n"
            "A city like a real one (each option adds to the default city; without them the\n"
            "output is the same as before they existed):\n"
            "  --clusters K     K dense centres (downtown and K-1 around it): a share of the stations\n"
            "                   in Gaussian centres, the rest uniform (1%% of all just outside);\n"
            "                   districts are smaller and people denser where the stations are\n"
            "  --cluster-share F  share of the stations in the centres (default 0.7)\n"
            "  --cluster-sigma-km S  spread of a centre (default 0.06 x the city radius)\n"
            "  --demand N       DIR/demand.<ext>, layer 'demand': N points (demand_id, district_id,\n"
            "                   weight = people there), placed by the districts' population, the\n"
            "                   weights of a district adding up to its population\n"
            "  --roads          DIR/roads.<ext>, layer 'roads': a jittered street grid over the city\n"
            "                   (osm_id, highway, oneway), as svcov-genroads makes it, cut at the boundary\n"
            "  --road-spacing M block side in metres (default 80)\n"
            "  --population-raster FILE  a GeoTIFF of people per cell (EPSG:4326, Float32, nodata\n"
            "                   -99999 outside the city), each district's cells adding up to its population\n"
            "  --raster-cell-arcsec A  cell size (default 3, about 90 m, like WorldPop's 100 m grid)\n"
            "  -h, --help       this help\n",
            progname, CITY_LON, CITY_LAT);
}

static long parse_long(const char *opt, const char *s, long min, long max)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        die_usage("%s expects an integer in [%ld, %ld], got '%s'", opt, min, max, s);
    return v;
}

/* A number in [min, max] (min itself allowed when min_ok, else > min). */
static double parse_double(const char *opt, const char *s, double min, double max, int min_ok)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(min_ok ? v >= min : v > min) || !(v <= max))
        die_usage("%s expects a number in %c%g, %g], got '%s'", opt, min_ok ? '[' : '(', min, max, s);
    return v;
}

static void parse_options(int argc, char **argv, Options *o)
{
    static const struct option longopts[] = {
        {"stations", required_argument, NULL, 's'}, {"districts", required_argument, NULL, 'd'},
        {"seed", required_argument, NULL, 'S'},     {"out", required_argument, NULL, 'o'},
        {"format", required_argument, NULL, 'f'},   {"demo", no_argument, NULL, 'D'},
        {"radius-km", required_argument, NULL, 'r'}, {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"clusters", required_argument, NULL, 'K'}, {"cluster-share", required_argument, NULL, 'F'},
        {"cluster-sigma-km", required_argument, NULL, 'G'}, {"demand", required_argument, NULL, 'N'},
        {"roads", no_argument, NULL, 'R'},          {"road-spacing", required_argument, NULL, 'P'},
        {"population-raster", required_argument, NULL, 'T'},
        {"raster-cell-arcsec", required_argument, NULL, 'A'},
        {NULL, 0, NULL, 0},
    };
    int have_stations = 0, have_districts = 0, have_seed = 0;
    memset(o, 0, sizeof *o);
    o->format = FMT_GPKG;
    o->radius_km = -1.0;
    o->cluster_share = 0.7;
    o->cluster_sigma_km = -1.0;
    o->road_spacing_m = 80.0;
    o->raster_arcsec = 3.0;
    int have_share = 0, have_sigma = 0, have_spacing = 0, have_arcsec = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":qh", longopts, NULL)) != -1) {
        switch (c) {
        case 's':
            o->n_stations = parse_long("--stations", optarg, 0, 50000000L);
            have_stations = 1;
            break;
        case 'd':
            o->n_districts = parse_long("--districts", optarg, 1, 1000000L);
            have_districts = 1;
            break;
        case 'S': {
            char *end;
            errno = 0;
            if (optarg[0] == '-')
                die_usage("--seed expects an unsigned integer, got '%s'", optarg);
            unsigned long long v = strtoull(optarg, &end, 10);
            if (errno || end == optarg || *end)
                die_usage("--seed expects an unsigned integer, got '%s'", optarg);
            o->seed = (uint64_t)v;
            have_seed = 1;
            break;
        }
        case 'o':
            o->out_dir = optarg;
            break;
        case 'f':
            if (strcasecmp(optarg, "GPKG") == 0)
                o->format = FMT_GPKG;
            else if (strcasecmp(optarg, "GeoJSON") == 0)
                o->format = FMT_GEOJSON;
            else
                die_usage("--format must be GPKG or GeoJSON, got '%s'", optarg);
            break;
        case 'D':
            o->demo = 1;
            break;
        case 'r': {
            char *end;
            errno = 0;
            double v = strtod(optarg, &end);
            if (errno || end == optarg || *end || !(v > 0.0) || v > 1000.0)
                die_usage("--radius-km expects a number in (0, 1000], got '%s'", optarg);
            o->radius_km = v;
            break;
        }
        case 'q':
            o->quiet = 1;
            break;
        case 'K':
            o->clusters = parse_long("--clusters", optarg, 1, MAX_CLUSTERS);
            break;
        case 'F':
            o->cluster_share = parse_double("--cluster-share", optarg, 0.0, 1.0, 1);
            have_share = 1;
            break;
        case 'G':
            o->cluster_sigma_km = parse_double("--cluster-sigma-km", optarg, 0.0, 1000.0, 0);
            have_sigma = 1;
            break;
        case 'N':
            o->n_demand = parse_long("--demand", optarg, 1, 50000000L);
            break;
        case 'R':
            o->roads = 1;
            break;
        case 'P':
            o->road_spacing_m = parse_double("--road-spacing", optarg, 1.0, 100000.0, 1);
            have_spacing = 1;
            break;
        case 'T':
            o->pop_raster = optarg;
            break;
        case 'A':
            o->raster_arcsec = parse_double("--raster-cell-arcsec", optarg, 0.01, 3600.0, 1);
            have_arcsec = 1;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        case ':':
            die_usage("option '%s' needs a value", argv[optind - 1]);
            break;
        default:
            die_usage("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        die_usage("unexpected argument '%s'", argv[optind]);
    if (!have_stations || !have_districts || !have_seed || !o->out_dir)
        die_usage("--stations, --districts, --seed and --out are required");
    if ((have_share || have_sigma) && !o->clusters)
        die_usage("--cluster-share and --cluster-sigma-km need --clusters K");
    if (have_spacing && !o->roads)
        die_usage("--road-spacing needs --roads");
    if (have_arcsec && !o->pop_raster)
        die_usage("--raster-cell-arcsec needs --population-raster FILE");
    if (o->radius_km <= 0.0)
        o->radius_km = sqrt(1.5 * (double)o->n_districts / M_PI);
}

/* ------------------------------------------------------------------------ */
/* Geometry (GEOS, metres in the local frame)                                */

typedef struct {
    GEOSContextHandle_t h;
    GeosErr err;
} Geos;

static void report_geos(Geos *g, const char *what)
{
    if (g->err.msg[0])
        report("%s: GEOS: %s", what, g->err.msg);
    else
        report("%s: GEOS failed", what);
    g->err.msg[0] = '\0';
}

static GEOSGeometry *make_point(Geos *g, double x, double y)
{
    GEOSCoordSequence *cs = GEOSCoordSeq_create_r(g->h, 1, 2);
    if (!cs)
        return NULL;
    if (!GEOSCoordSeq_setXY_r(g->h, cs, 0, x, y)) {
        GEOSCoordSeq_destroy_r(g->h, cs);
        return NULL;
    }
    return GEOSGeom_createPoint_r(g->h, cs); /* takes cs, even on failure */
}

static GEOSGeometry *make_city_boundary(Geos *g, const CityShape *c)
{
    GEOSCoordSequence *cs = GEOSCoordSeq_create_r(g->h, BOUNDARY_VERTICES + 1, 2);
    if (!cs)
        return NULL;
    for (int i = 0; i <= BOUNDARY_VERTICES; i++) {
        int k = i % BOUNDARY_VERTICES; /* close the ring exactly */
        double t = 2.0 * M_PI * k / BOUNDARY_VERTICES;
        double r = city_radius_at(c, t);
        if (!GEOSCoordSeq_setXY_r(g->h, cs, (unsigned)i, r * cos(t), r * sin(t))) {
            GEOSCoordSeq_destroy_r(g->h, cs);
            return NULL;
        }
    }
    GEOSGeometry *ring = GEOSGeom_createLinearRing_r(g->h, cs);
    if (!ring)
        return NULL;
    return GEOSGeom_createPolygon_r(g->h, ring, NULL, 0);
}

/* Keeps only the polygonal parts of an overlay result (an intersection may
 * in principle return touching points or lines too). Takes ownership of
 * `in`; returns a Polygon or MultiPolygon, or NULL with an error or if
 * nothing polygonal is left (then *empty is set). */
static GEOSGeometry *polygonal_only(Geos *g, GEOSGeometry *in, int *empty)
{
    *empty = 0;
    int type = GEOSGeomTypeId_r(g->h, in);
    if (type == GEOS_POLYGON || type == GEOS_MULTIPOLYGON) {
        if (GEOSisEmpty_r(g->h, in) == 1) {
            GEOSGeom_destroy_r(g->h, in);
            *empty = 1;
            return NULL;
        }
        return in;
    }
    int n = GEOSGetNumGeometries_r(g->h, in);
    if (n < 0) {
        GEOSGeom_destroy_r(g->h, in);
        return NULL;
    }
    GEOSGeometry **parts = xmalloc(sizeof *parts * (size_t)(n ? n : 1));
    int np = 0;
    for (int i = 0; i < n; i++) {
        const GEOSGeometry *p = GEOSGetGeometryN_r(g->h, in, i);
        if (p && GEOSGeomTypeId_r(g->h, p) == GEOS_POLYGON && GEOSisEmpty_r(g->h, p) == 0) {
            GEOSGeometry *c = GEOSGeom_clone_r(g->h, p);
            if (!c) {
                for (int j = 0; j < np; j++)
                    GEOSGeom_destroy_r(g->h, parts[j]);
                free(parts);
                GEOSGeom_destroy_r(g->h, in);
                return NULL;
            }
            parts[np++] = c;
        }
    }
    GEOSGeom_destroy_r(g->h, in);
    GEOSGeometry *out = NULL;
    if (np == 0)
        *empty = 1;
    else if (np == 1)
        out = parts[0];
    else
        out = GEOSGeom_createCollection_r(g->h, GEOS_MULTIPOLYGON, parts, (unsigned)np);
    free(parts);
    return out;
}

typedef struct {
    GEOSGeometry *geom; /* clipped cell, metres */
    double cx, cy;      /* centroid */
    double order;       /* sort key */
    long population;
    char *name, *name_en;
} District;

static int cmp_district(const void *a, const void *b)
{
    const District *x = a, *y = b;
    if (x->order < y->order)
        return -1;
    if (x->order > y->order)
        return 1;
    if (x->cy != y->cy)
        return x->cy > y->cy ? -1 : 1;
    return (x->cx > y->cx) - (x->cx < y->cx);
}

/* Seeds: a sunflower (Vogel) spiral scaled to the city's shape, densified
 * towards the centre (exponent 0.6 instead of 0.5) and jittered by about a
 * third of the local spacing. Exactly M well-spread, distinct points. */
static GEOSGeometry *make_district_seeds(Geos *g, const CityShape *c,
                                         const GEOSPreparedGeometry *city, long m, Rng *r)
{
    const double golden = M_PI * (3.0 - sqrt(5.0));
    const double p = 0.6;
    GEOSGeometry **pts = xcalloc((size_t)m, sizeof *pts);
    GEOSGeometry *out = NULL;
    long made = 0;
    for (long i = 0; i < m; i++) {
        double u = ((double)i + 0.5) / (double)m;
        double theta = fmod((double)i * golden, 2.0 * M_PI);
        double rr = 0.96 * pow(u, p); /* fraction of the boundary radius */
        /* local density of seeds per unit (boundary-scaled) area */
        double dens = (double)m / (2.0 * M_PI * p) * pow(rr / 0.96, 1.0 / p - 2.0) / (0.96 * 0.96);
        double spacing = 1.0 / sqrt(dens); /* in units of the local radius */
        GEOSGeometry *pt = NULL;
        for (int attempt = 0; attempt < 100 && !pt; attempt++) {
            double jx = 0.33 * spacing * rng_normal(r), jy = 0.33 * spacing * rng_normal(r);
            if (attempt == 99)
                jx = jy = 0.0;
            double R = city_radius_at(c, theta);
            double x = R * (rr * cos(theta) + jx), y = R * (rr * sin(theta) + jy);
            GEOSGeometry *cand = make_point(g, x, y);
            if (!cand) {
                report_geos(g, "creating a district seed");
                goto done;
            }
            char in = GEOSPreparedContainsProperly_r(g->h, city, cand);
            if (in == 2) {
                GEOSGeom_destroy_r(g->h, cand);
                report_geos(g, "testing a district seed");
                goto done;
            }
            if (in)
                pt = cand;
            else
                GEOSGeom_destroy_r(g->h, cand);
        }
        if (!pt) {
            report("could not place district seed %ld inside the city", i + 1);
            goto done;
        }
        pts[made++] = pt;
    }
    out = GEOSGeom_createCollection_r(g->h, GEOS_MULTIPOINT, pts, (unsigned)made);
    if (!out)
        report_geos(g, "collecting district seeds");
    made = 0; /* the collection owns them now (or destroyed them on failure) */
done:
    for (long i = 0; i < made; i++)
        GEOSGeom_destroy_r(g->h, pts[i]);
    free(pts);
    return out;
}

static int city_contains(Geos *g, const GEOSPreparedGeometry *pcity, double x, double y);
static int city_point_uniform(Geos *g, const CityShape *c, const GEOSPreparedGeometry *pcity,
                              Rng *r, double *x, double *y);
static int place_near(Geos *g, const CityShape *c, const GEOSPreparedGeometry *pcity, Rng *r,
                      double cx, double cy, double sigma, double *x, double *y);

/* District seeds per m2 in a clustered city: DISTRICT_SHARE_OF_CLUSTER of
 * the stations' share in the centres, the rest uniform. */
static double seed_density(const Centres *cs, double m, double city_m2, double x, double y)
{
    double share = DISTRICT_SHARE_OF_CLUSTER * cs->share;
    double sigma = DISTRICT_SIGMA_FACTOR * cs->sigma_m;
    double peak = (double)m / (double)cs->k / (2.0 * M_PI * sigma * sigma);
    return (1.0 - share) * (double)m / city_m2 + share * peak * centres_bumps(cs, sigma, x, y);
}

/* Seeds of a clustered city: drawn from the mixture of seed_density and
 * kept at least half the local spacing from each other (dart throwing on a
 * grid; after 30 rejected draws the last one is taken), so the cells are
 * well shaped at every density. Exactly M distinct points inside the city. */
static GEOSGeometry *make_district_seeds_clustered(Geos *g, const CityShape *c,
                                                   const GEOSPreparedGeometry *city,
                                                   const Centres *cs, long m, Rng *r)
{
    double share = DISTRICT_SHARE_OF_CLUSTER * cs->share;
    double sigma = DISTRICT_SIGMA_FACTOR * cs->sigma_m;
    double city_m2 = M_PI * c->radius_m * c->radius_m;
    double half = 1.2 * c->radius_m; /* every point of the city lies within */
    double densest = 0.0;
    for (long i = 0; i < cs->k; i++)
        densest = fmax(densest, seed_density(cs, (double)m, city_m2, cs->x[i], cs->y[i]));
    double h = 0.5 / sqrt(densest);
    if (2.0 * half / h > 4096.0)
        h = 2.0 * half / 4096.0;
    long nx = (long)ceil(2.0 * half / h);
    long *head = xmalloc(sizeof *head * (size_t)(nx * nx));
    long *next = xmalloc(sizeof *next * (size_t)m);
    double *px = xmalloc(sizeof *px * (size_t)m), *py = xmalloc(sizeof *py * (size_t)m);
    for (long i = 0; i < nx * nx; i++)
        head[i] = -1;
    GEOSGeometry **pts = xcalloc((size_t)m, sizeof *pts);
    GEOSGeometry *out = NULL;
    long made = 0;
    for (long i = 0; i < m; i++) {
        double x = 0, y = 0;
        for (int attempt = 0; attempt < 30; attempt++) {
            if (rng_uniform(r) < share) {
                long j = (long)rng_below(r, (uint32_t)cs->k);
                if (place_near(g, c, city, r, cs->x[j], cs->y[j], sigma, &x, &y) < 0)
                    goto done;
            } else if (city_point_uniform(g, c, city, r, &x, &y) < 0) {
                goto done;
            }
            double min_d = 0.5 / sqrt(seed_density(cs, (double)m, city_m2, x, y));
            long gx = (long)floor((x + half) / h), gy = (long)floor((y + half) / h);
            long reach = (long)ceil(min_d / h);
            int clear = 1;
            for (long yy = gy - reach; yy <= gy + reach && clear; yy++)
                for (long xx = gx - reach; xx <= gx + reach && clear; xx++) {
                    if (xx < 0 || yy < 0 || xx >= nx || yy >= nx)
                        continue;
                    for (long q = head[yy * nx + xx]; q >= 0; q = next[q])
                        if (hypot(px[q] - x, py[q] - y) < min_d) {
                            clear = 0;
                            break;
                        }
                }
            if (clear)
                break;
        }
        long gx = (long)floor((x + half) / h), gy = (long)floor((y + half) / h);
        gx = gx < 0 ? 0 : gx >= nx ? nx - 1 : gx;
        gy = gy < 0 ? 0 : gy >= nx ? nx - 1 : gy;
        px[i] = x;
        py[i] = y;
        next[i] = head[gy * nx + gx];
        head[gy * nx + gx] = i;
        pts[made] = make_point(g, x, y);
        if (!pts[made]) {
            report_geos(g, "creating a district seed");
            goto done;
        }
        made++;
    }
    out = GEOSGeom_createCollection_r(g->h, GEOS_MULTIPOINT, pts, (unsigned)made);
    if (!out)
        report_geos(g, "collecting district seeds");
    made = 0; /* the collection owns them now (or destroyed them on failure) */
done:
    for (long i = 0; i < made; i++)
        GEOSGeom_destroy_r(g->h, pts[i]);
    free(pts);
    free(head);
    free(next);
    free(px);
    free(py);
    return out;
}

/* Builds the M districts: Voronoi cells of the seeds, clipped to the city.
 * Returns 0 on success; fills *out (M entries) and *any_multi. */
static int make_districts(Geos *g, const CityShape *c, const Centres *cs, const GEOSGeometry *city,
                          const GEOSPreparedGeometry *pcity, long m, uint64_t seed,
                          District **out, int *any_multi)
{
    Rng r;
    rng_init(&r, seed, STREAM_SEEDS);
    int ok = 0;
    GEOSGeometry *seeds = NULL, *env = NULL, *vor = NULL;
    District *d = xcalloc((size_t)m, sizeof *d);
    long nd = 0;
    *any_multi = 0;

    seeds = cs->k > 0 ? make_district_seeds_clustered(g, c, pcity, cs, m, &r)
                      : make_district_seeds(g, c, pcity, m, &r);
    if (!seeds)
        goto done;
    env = GEOSEnvelope_r(g->h, city);
    if (!env) {
        report_geos(g, "city envelope");
        goto done;
    }
    vor = GEOSVoronoiDiagram_r(g->h, seeds, env, 0.0, 0);
    if (!vor) {
        report_geos(g, "Voronoi diagram of the district seeds");
        goto done;
    }
    int ncell = GEOSGetNumGeometries_r(g->h, vor);
    if (ncell != m) {
        report("Voronoi diagram has %d cells for %ld seeds", ncell, m);
        goto done;
    }
    for (int i = 0; i < ncell; i++) {
        const GEOSGeometry *cell = GEOSGetGeometryN_r(g->h, vor, i);
        if (!cell) {
            report_geos(g, "reading a Voronoi cell");
            goto done;
        }
        /* Most cells lie wholly inside: no overlay needed for those. */
        char inside = GEOSPreparedContains_r(g->h, pcity, cell);
        if (inside == 2) {
            report_geos(g, "testing a Voronoi cell");
            goto done;
        }
        GEOSGeometry *clipped;
        if (inside) {
            clipped = GEOSGeom_clone_r(g->h, cell);
        } else {
            int empty;
            GEOSGeometry *x = GEOSIntersection_r(g->h, city, cell);
            if (!x) {
                report_geos(g, "clipping a Voronoi cell to the city");
                goto done;
            }
            clipped = polygonal_only(g, x, &empty);
            if (!clipped && empty) {
                report("a Voronoi cell lies outside the city (seed outside?)");
                goto done;
            }
        }
        if (!clipped) {
            report_geos(g, "clipping a Voronoi cell");
            goto done;
        }
        if (GEOSGeomTypeId_r(g->h, clipped) == GEOS_MULTIPOLYGON)
            *any_multi = 1;
        d[nd].geom = clipped;
        nd++;
        GEOSGeometry *cen = GEOSGetCentroid_r(g->h, clipped);
        if (!cen || !GEOSGeomGetX_r(g->h, cen, &d[nd - 1].cx) ||
            !GEOSGeomGetY_r(g->h, cen, &d[nd - 1].cy)) {
            if (cen)
                GEOSGeom_destroy_r(g->h, cen);
            report_geos(g, "district centroid");
            goto done;
        }
        GEOSGeom_destroy_r(g->h, cen);
    }
    /* GEOS 3.11 does not keep the seeds' order; number the districts from
     * the centre outwards instead (in rings about one district wide, then
     * by angle), which is deterministic and reads well on a map. */
    double ring_w = c->radius_m / sqrt((double)m);
    for (long i = 0; i < nd; i++) {
        double dist = hypot(d[i].cx, d[i].cy);
        double ang = atan2(d[i].cy, d[i].cx); /* [-pi, pi] */
        d[i].order = floor(dist / ring_w) * 10.0 + (ang + M_PI) / (2.0 * M_PI) * 9.999;
    }
    qsort(d, (size_t)nd, sizeof *d, cmp_district);
    ok = 1;
done:
    if (vor)
        GEOSGeom_destroy_r(g->h, vor);
    if (env)
        GEOSGeom_destroy_r(g->h, env);
    if (seeds)
        GEOSGeom_destroy_r(g->h, seeds);
    if (!ok) {
        for (long i = 0; i < nd; i++)
            GEOSGeom_destroy_r(g->h, d[i].geom);
        free(d);
        return -1;
    }
    *out = d;
    return 0;
}

/* Population from area and distance to the centre (dense core, thinner
 * edge) with log-normal noise. */
static int assign_populations(Geos *g, const CityShape *c, const Centres *cs, District *d, long m,
                              uint64_t seed)
{
    Rng r;
    rng_init(&r, seed, STREAM_POPULATION);
    for (long i = 0; i < m; i++) {
        double area_m2;
        if (!GEOSArea_r(g->h, d[i].geom, &area_m2)) {
            report_geos(g, "district area");
            return -1;
        }
        double density = people_density(c, cs, d[i].cx, d[i].cy); /* per km^2 */
        density *= exp(0.25 * rng_normal(&r) - 0.03125);           /* mean 1 */
        d[i].population = lround(density * area_m2 / 1e6);
    }
    return 0;
}

static void name_districts(District *d, long m, uint64_t seed, int demo)
{
    Rng r;
    NameSet set;
    rng_init(&r, seed, STREAM_DISTRICT_NAMES);
    nameset_init(&set, (size_t)m);
    char hz[64], py[64], buf[160];
    for (long i = 0; i < m; i++) {
        int ok = unique_base_name(&r, &set, "", hz, sizeof hz, py, sizeof py);
        if (ok) {
            snprintf(buf, sizeof buf, "%s Subdistrict", py);
            d[i].name_en = xstrdup(buf);
            snprintf(buf, sizeof buf, "%s街道", hz);
            d[i].name = xstrdup(demo ? buf : d[i].name_en);
        } else { /* could not find a fresh name: number it */
            snprintf(buf, sizeof buf, "%s %ld Subdistrict", py, i + 1);
            d[i].name_en = xstrdup(buf);
            snprintf(buf, sizeof buf, "%s%ld街道", hz, i + 1);
            d[i].name = xstrdup(demo ? buf : d[i].name_en);
        }
    }
    nameset_free(&set);
}

/* ------------------------------------------------------------------------ */
/* Stations                                                                  */

typedef struct {
    double x, y; /* metres, then lon/lat after transformation */
} Station;

typedef struct {
    double x, y, sigma, cum_weight;
} Cluster;

static const char *const CATEGORIES[] = {"water", "charging", "microwave", "rest"};
static const double CATEGORY_WEIGHTS[] = {0.30, 0.35, 0.15, 0.20};

typedef struct {
    const char *hz, *en;
} PlaceKind;

static const PlaceKind PLACE_KINDS[] = {
    {"路", "Road"},       {"街", "Street"},         {"广场", "Plaza"},  {"公园", "Park"},
    {"社区", "Community"}, {"地铁站", "Metro Station"}, {"市场", "Market"}, {"大厦", "Tower"},
    {"工业园", "Industrial Park"}, {"花园", "Garden"},
};
#define N_PLACE_KINDS (sizeof PLACE_KINDS / sizeof PLACE_KINDS[0])

/* Tests whether (x, y) is inside the city: 1 yes, 0 no, -1 error. */
static int city_contains(Geos *g, const GEOSPreparedGeometry *pcity, double x, double y)
{
    GEOSGeometry *pt = make_point(g, x, y);
    if (!pt) {
        report_geos(g, "creating a station point");
        return -1;
    }
    char in = GEOSPreparedContainsProperly_r(g->h, pcity, pt);
    GEOSGeom_destroy_r(g->h, pt);
    if (in == 2) {
        report_geos(g, "testing a station point");
        return -1;
    }
    return in ? 1 : 0;
}

/* A point in the city: uniformly (rejection in the bounding disc). */
static int city_point_uniform(Geos *g, const CityShape *c, const GEOSPreparedGeometry *pcity,
                              Rng *r, double *x, double *y)
{
    double rmax = c->radius_m * 1.2; /* amplitudes sum to <= 0.15 */
    for (int attempt = 0; attempt < 10000; attempt++) {
        double px = (2.0 * rng_uniform(r) - 1.0) * rmax, py = (2.0 * rng_uniform(r) - 1.0) * rmax;
        if (px * px + py * py > rmax * rmax)
            continue;
        int in = city_contains(g, pcity, px, py);
        if (in < 0)
            return -1;
        if (in) {
            *x = px;
            *y = py;
            return 0;
        }
    }
    report("could not place a point inside the city");
    return -1;
}

/* A point just outside the city: 20 to 20 + min(500 m, 5% R) beyond the
 * boundary. */
static int place_outside(Geos *g, const CityShape *c, const GEOSPreparedGeometry *pcity, Rng *r,
                         double *x, double *y)
{
    for (int attempt = 0; attempt < 100; attempt++) {
        double theta = 2.0 * M_PI * rng_uniform(r);
        double extra = 20.0 + rng_uniform(r) * fmin(500.0, 0.05 * c->radius_m);
        double rr = city_radius_at(c, theta) + extra;
        *x = rr * cos(theta);
        *y = rr * sin(theta);
        int in = city_contains(g, pcity, *x, *y);
        if (in < 0)
            return -1;
        if (!in)
            return 0;
    }
    report("could not place a station just outside the city");
    return -1;
}

/* A point in the city, Gaussian around (cx, cy); uniform in the city when
 * 50 draws fell outside. */
static int place_near(Geos *g, const CityShape *c, const GEOSPreparedGeometry *pcity, Rng *r,
                      double cx, double cy, double sigma, double *x, double *y)
{
    for (int attempt = 0; attempt < 50; attempt++) {
        *x = cx + sigma * rng_normal(r);
        *y = cy + sigma * rng_normal(r);
        int in = city_contains(g, pcity, *x, *y);
        if (in < 0)
            return -1;
        if (in)
            return 0;
    }
    return city_point_uniform(g, c, pcity, r, x, y);
}

/* Default city: stations around hot spots with a uniform background.
 * Clustered city (cs->k > 0): cs->share of them in the centres, the rest
 * uniform. About 1% just outside the city in both. */
static int place_stations(Geos *g, const CityShape *c, const Centres *cs,
                          const GEOSPreparedGeometry *pcity, long n, uint64_t seed, Station *st,
                          long *n_outside)
{
    Rng r;
    rng_init(&r, seed, STREAM_STATIONS);
    *n_outside = 0;
    if (n == 0)
        return 0;
    /* About sqrt(N) hot spots (14 for 200 stations, 316 for 100,000), placed
     * like the district seeds (denser in the centre), with log-normal
     * weights and a spread of a quarter of their typical spacing. */
    long k = 0;
    Cluster *cl = NULL;
    double cum = 0.0;
    if (cs->k == 0) {
        k = lround(sqrt((double)n));
        if (k < 1)
            k = 1;
        double area = M_PI * c->radius_m * c->radius_m;
        double base_sigma = 0.25 * sqrt(area / (double)k);
        cl = xcalloc((size_t)k, sizeof *cl);
        for (long i = 0; i < k; i++) {
            double theta = 2.0 * M_PI * rng_uniform(&r);
            double rr = 0.9 * pow(rng_uniform(&r), 0.6) * city_radius_at(c, theta);
            cl[i].x = rr * cos(theta);
            cl[i].y = rr * sin(theta);
            cl[i].sigma = base_sigma * exp(0.3 * rng_normal(&r));
            cum += exp(0.5 * rng_normal(&r));
            cl[i].cum_weight = cum;
        }
    }
    double uniform_below = cs->k == 0 ? OUTSIDE_SHARE + BACKGROUND_SHARE : 1.0 - cs->share;
    int rc = -1;
    for (long i = 0; i < n; i++) {
        double u = rng_uniform(&r);
        double x = 0, y = 0;
        if (u < OUTSIDE_SHARE) {
            if (place_outside(g, c, pcity, &r, &x, &y) < 0)
                goto done;
            (*n_outside)++;
        } else if (u < uniform_below) {
            if (city_point_uniform(g, c, pcity, &r, &x, &y) < 0)
                goto done;
        } else if (cs->k > 0) {
            long j = (long)rng_below(&r, (uint32_t)cs->k);
            if (place_near(g, c, pcity, &r, cs->x[j], cs->y[j], cs->sigma_m, &x, &y) < 0)
                goto done;
        } else {
            double w = rng_uniform(&r) * cum;
            long lo = 0, hi = k - 1; /* first cluster with cum_weight > w */
            while (lo < hi) {
                long mid = (lo + hi) / 2;
                if (cl[mid].cum_weight > w)
                    hi = mid;
                else
                    lo = mid + 1;
            }
            if (place_near(g, c, pcity, &r, cl[lo].x, cl[lo].y, cl[lo].sigma, &x, &y) < 0)
                goto done;
        }
        st[i].x = x;
        st[i].y = y;
    }
    rc = 0;
done:
    free(cl);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Output (OGR)                                                              */

typedef struct {
    GDALDriverH drv;
    const char *ext;
    Format format;
} Writer;

/* Creates DIR/<name>.<ext> with one layer `name`. Replaces an existing
 * file. Returns the dataset, or NULL after reporting. */
static GDALDatasetH create_dataset(const Writer *w, const char *dir, const char *name,
                                   OGRSpatialReferenceH srs, OGRwkbGeometryType gtype,
                                   OGRLayerH *layer)
{
    char *path = xstrdup(CPLFormFilename(dir, name, w->ext));
    VSIStatBufL sb;
    GDALDatasetH ds = NULL;
    if (VSIStatL(path, &sb) == 0 && VSIUnlink(path) != 0) {
        report("cannot remove the old %s", path);
        goto fail;
    }
    CPLErrorReset();
    ds = GDALCreate(w->drv, path, 0, 0, 0, GDT_Unknown, NULL);
    if (!ds) {
        report_gdal("cannot create the output file");
        fprintf(stderr, "  (%s)\n", path);
        goto fail;
    }
    char **lco = NULL;
    if (w->format == FMT_GEOJSON)
        lco = CSLSetNameValue(lco, "RFC7946", "YES");
    *layer = GDALDatasetCreateLayer(ds, name, srs, gtype, lco);
    CSLDestroy(lco);
    if (!*layer) {
        report_gdal("cannot create the layer");
        fprintf(stderr, "  (layer %s in %s)\n", name, path);
        goto fail;
    }
    free(path);
    return ds;
fail:
    if (ds)
        GDALClose(ds);
    free(path);
    return NULL;
}

static int add_field(OGRLayerH layer, const char *name, OGRFieldType type, int width)
{
    OGRFieldDefnH f = OGR_Fld_Create(name, type);
    if (width > 0)
        OGR_Fld_SetWidth(f, width);
    OGRErr e = OGR_L_CreateField(layer, f, TRUE);
    OGR_Fld_Destroy(f);
    if (e != OGRERR_NONE) {
        report_gdal("cannot create a field");
        fprintf(stderr, "  (field %s)\n", name);
        return -1;
    }
    return 0;
}

static int begin(const Writer *w, GDALDatasetH ds)
{
    if (w->format == FMT_GPKG && GDALDatasetStartTransaction(ds, FALSE) != OGRERR_NONE) {
        report_gdal("cannot start a transaction");
        return -1;
    }
    return 0;
}

static int finish(const Writer *w, GDALDatasetH ds, const char *what)
{
    int rc = 0;
    if (w->format == FMT_GPKG && GDALDatasetCommitTransaction(ds) != OGRERR_NONE) {
        report_gdal("cannot commit");
        rc = -1;
    }
    CPLErrorReset();
    GDALClose(ds); /* writes a GeoJSON file's tail; errors show as CE_Failure */
    if (CPLGetLastErrorType() == CE_Failure || CPLGetLastErrorType() == CE_Fatal) {
        report_gdal("error while closing the output");
        fprintf(stderr, "  (%s)\n", what);
        rc = -1;
    }
    return rc;
}

/* GEOS geometry (metres) -> OGR geometry (lon/lat), through WKB. */
static OGRGeometryH to_ogr(Geos *g, GEOSWKBWriter *wkbw, const GEOSGeometry *geom,
                           OGRCoordinateTransformationH ct, int force_multi)
{
    size_t size = 0;
    unsigned char *wkb = GEOSWKBWriter_write_r(g->h, wkbw, geom, &size);
    if (!wkb) {
        report_geos(g, "encoding a district as WKB");
        return NULL;
    }
    OGRGeometryH og = NULL;
    OGRErr e = OGR_G_CreateFromWkbEx(wkb, NULL, &og, size);
    GEOSFree_r(g->h, wkb);
    if (e != OGRERR_NONE || !og) {
        report_gdal("decoding a district's WKB");
        return NULL;
    }
    if (OGR_G_Transform(og, ct) != OGRERR_NONE) {
        report_gdal("transforming a district to lon/lat");
        OGR_G_DestroyGeometry(og);
        return NULL;
    }
    if (force_multi)
        og = OGR_G_ForceToMultiPolygon(og);
    return og;
}

/* "D0001", "S000123": a prefix and a zero-padded number (width <= 15). */
static void format_id(char *buf, size_t cap, char prefix, long num, int width)
{
    snprintf(buf, cap, "%c%0*ld", prefix, width & 15, num);
}

static int write_districts(const Writer *w, Geos *g, const char *dir, OGRSpatialReferenceH wgs84,
                           OGRCoordinateTransformationH ct, const District *d, long m, int multi)
{
    OGRLayerH layer;
    GDALDatasetH ds = create_dataset(w, dir, "districts", wgs84,
                                     multi ? wkbMultiPolygon : wkbPolygon, &layer);
    if (!ds)
        return -1;
    GEOSWKBWriter *wkbw = GEOSWKBWriter_create_r(g->h);
    int rc = -1;
    if (!wkbw) {
        report_geos(g, "creating a WKB writer");
        GDALClose(ds);
        return -1;
    }
    int idw = m >= 10000 ? (int)floor(log10((double)m)) + 1 : 4;
    if (add_field(layer, "district_id", OFTString, idw + 1) || add_field(layer, "name", OFTString, 0) ||
        add_field(layer, "name_en", OFTString, 0) || add_field(layer, "population", OFTInteger, 0) ||
        begin(w, ds))
        goto done;
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    for (long i = 0; i < m; i++) {
        char id[32];
        format_id(id, sizeof id, 'D', i + 1, idw);
        OGRGeometryH og = to_ogr(g, wkbw, d[i].geom, ct, multi);
        if (!og)
            goto done;
        OGRFeatureH f = OGR_F_Create(defn);
        OGR_F_SetFieldString(f, 0, id);
        OGR_F_SetFieldString(f, 1, d[i].name);
        OGR_F_SetFieldString(f, 2, d[i].name_en);
        OGR_F_SetFieldInteger(f, 3, (int)d[i].population);
        OGR_F_SetGeometryDirectly(f, og);
        OGRErr e = OGR_L_CreateFeature(layer, f);
        OGR_F_Destroy(f);
        if (e != OGRERR_NONE) {
            report_gdal("cannot write a district");
            goto done;
        }
    }
    rc = 0;
done:
    GEOSWKBWriter_destroy_r(g->h, wkbw);
    if (rc == 0)
        return finish(w, ds, "districts");
    GDALClose(ds);
    return rc;
}

static void station_names(Rng *r, NameSet *set, int demo, const char *id, char *name,
                          size_t ncap, char *name_en, size_t ecap)
{
    char hz[64], py[64];
    const PlaceKind *k = &PLACE_KINDS[rng_below(r, (uint32_t)N_PLACE_KINDS)];
    if (unique_base_name(r, set, k->en, hz, sizeof hz, py, sizeof py)) {
        snprintf(name_en, ecap, "Rider station %s %s", py, k->en);
        if (demo)
            snprintf(name, ncap, "骑手驿站·%s%s", hz, k->hz);
        else
            snprintf(name, ncap, "%s", name_en);
    } else { /* out of fresh names: add the station number */
        snprintf(name_en, ecap, "Rider station %s %s %s", py, k->en, id);
        if (demo)
            snprintf(name, ncap, "骑手驿站·%s%s%s", hz, k->hz, id);
        else
            snprintf(name, ncap, "%s", name_en);
    }
}

static int write_stations(const Writer *w, const char *dir, OGRSpatialReferenceH wgs84,
                          const Station *st, long n, uint64_t seed, int demo)
{
    OGRLayerH layer;
    GDALDatasetH ds = create_dataset(w, dir, "stations", wgs84, wkbPoint, &layer);
    if (!ds)
        return -1;
    int rc = -1;
    Rng r;
    NameSet set;
    rng_init(&r, seed, STREAM_STATION_ATTRS);
    nameset_init(&set, (size_t)n);
    int idw = n >= 1000000 ? (int)floor(log10((double)n)) + 1 : 6;
    if (add_field(layer, "station_id", OFTString, idw + 1) || add_field(layer, "name", OFTString, 0) ||
        add_field(layer, "name_en", OFTString, 0) || add_field(layer, "category", OFTString, 16) ||
        add_field(layer, "services", OFTString, 0) || begin(w, ds))
        goto done;
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    for (long i = 0; i < n; i++) {
        char id[32], name[256], name_en[256], services[64] = "";
        format_id(id, sizeof id, 'S', i + 1, idw);
        station_names(&r, &set, demo, id, name, sizeof name, name_en, sizeof name_en);
        /* main category by weight; each other service with probability 0.3 */
        double u = rng_uniform(&r), acc = 0.0;
        int cat = 3;
        for (int c = 0; c < 4; c++) {
            acc += CATEGORY_WEIGHTS[c];
            if (u < acc) {
                cat = c;
                break;
            }
        }
        for (int c = 0; c < 4; c++) {
            int has = (c == cat) | (rng_uniform(&r) < 0.3);
            if (has) {
                if (services[0])
                    strcat(services, ";");
                strcat(services, CATEGORIES[c]);
            }
        }
        OGRFeatureH f = OGR_F_Create(defn);
        OGR_F_SetFieldString(f, 0, id);
        OGR_F_SetFieldString(f, 1, name);
        OGR_F_SetFieldString(f, 2, name_en);
        OGR_F_SetFieldString(f, 3, CATEGORIES[cat]);
        OGR_F_SetFieldString(f, 4, services);
        OGRGeometryH pt = OGR_G_CreateGeometry(wkbPoint);
        OGR_G_SetPoint_2D(pt, 0, st[i].x, st[i].y);
        OGR_F_SetGeometryDirectly(f, pt);
        OGRErr e = OGR_L_CreateFeature(layer, f);
        OGR_F_Destroy(f);
        if (e != OGRERR_NONE) {
            report_gdal("cannot write a station");
            goto done;
        }
    }
    rc = 0;
done:
    nameset_free(&set);
    if (rc == 0)
        return finish(w, ds, "stations");
    GDALClose(ds);
    return rc;
}

/* Points from the local frame to lon/lat in place, in one call. */
static int points_to_lonlat(OGRCoordinateTransformationH ct, Station *p, long n, const char *what)
{
    if (n == 0)
        return 0;
    double *xs = xmalloc(sizeof *xs * (size_t)n), *ys = xmalloc(sizeof *ys * (size_t)n);
    int *ok = xmalloc(sizeof *ok * (size_t)n);
    for (long i = 0; i < n; i++) {
        xs[i] = p[i].x;
        ys[i] = p[i].y;
    }
    int all = OCTTransformEx(ct, (int)n, xs, ys, NULL, ok);
    for (long i = 0; i < n && all; i++)
        all = ok[i];
    for (long i = 0; i < n; i++) {
        p[i].x = xs[i];
        p[i].y = ys[i];
    }
    free(xs);
    free(ys);
    free(ok);
    if (!all) {
        report_gdal("cannot transform to lon/lat");
        fprintf(stderr, "  (%s)\n", what);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Demand points (--demand): buildings where the people are. A district is
 * drawn with probability proportional to its population, the point
 * uniformly inside it; each point gets a log-normal size, and the weights of
 * a district's points are scaled to add up to its population.               */

typedef struct {
    Station at;
    long district; /* index into the districts */
    double weight;
} Demand;

static int place_demand(Geos *g, const District *d, long m, long n, uint64_t seed, Demand *dm)
{
    Rng r;
    rng_init(&r, seed, STREAM_DEMAND);
    double *cum = xmalloc(sizeof *cum * (size_t)m), *wsum = xcalloc((size_t)m, sizeof *wsum);
    const GEOSPreparedGeometry **prep = xcalloc((size_t)m, sizeof *prep);
    int rc = -1;
    double total = 0.0;
    for (long i = 0; i < m; i++) {
        total += (double)d[i].population;
        cum[i] = total;
    }
    if (!(total > 0.0)) {
        report("no district has people, so there is nowhere to put demand points");
        goto done;
    }
    for (long i = 0; i < n; i++) {
        double w = rng_uniform(&r) * total;
        long lo = 0, hi = m - 1; /* first district with cum > w */
        while (lo < hi) {
            long mid = (lo + hi) / 2;
            if (cum[mid] > w)
                hi = mid;
            else
                lo = mid + 1;
        }
        if (!prep[lo] && !(prep[lo] = GEOSPrepare_r(g->h, d[lo].geom))) {
            report_geos(g, "preparing a district");
            goto done;
        }
        double x0, y0, x1, y1;
        if (!GEOSGeom_getXMin_r(g->h, d[lo].geom, &x0) || !GEOSGeom_getYMin_r(g->h, d[lo].geom, &y0) ||
            !GEOSGeom_getXMax_r(g->h, d[lo].geom, &x1) || !GEOSGeom_getYMax_r(g->h, d[lo].geom, &y1)) {
            report_geos(g, "district extent");
            goto done;
        }
        int placed = 0;
        for (int attempt = 0; attempt < 10000 && !placed; attempt++) {
            double x = x0 + (x1 - x0) * rng_uniform(&r), y = y0 + (y1 - y0) * rng_uniform(&r);
            int in = city_contains(g, prep[lo], x, y);
            if (in < 0)
                goto done;
            if (in) {
                dm[i].at.x = x;
                dm[i].at.y = y;
                placed = 1;
            }
        }
        if (!placed) {
            report("could not place a demand point in district %ld", lo + 1);
            goto done;
        }
        dm[i].district = lo;
        dm[i].weight = exp(0.5 * rng_normal(&r));
        wsum[lo] += dm[i].weight;
    }
    for (long i = 0; i < n; i++)
        dm[i].weight *= (double)d[dm[i].district].population / wsum[dm[i].district];
    rc = 0;
done:
    for (long i = 0; i < m; i++)
        if (prep[i])
            GEOSPreparedGeom_destroy_r(g->h, prep[i]);
    free(prep);
    free(cum);
    free(wsum);
    return rc;
}

static int write_demand(const Writer *w, const char *dir, OGRSpatialReferenceH wgs84, const Demand *dm,
                        long n, long m)
{
    OGRLayerH layer;
    GDALDatasetH ds = create_dataset(w, dir, "demand", wgs84, wkbPoint, &layer);
    if (!ds)
        return -1;
    int rc = -1;
    int idw = n >= 1000000 ? (int)floor(log10((double)n)) + 1 : 6;
    int didw = m >= 10000 ? (int)floor(log10((double)m)) + 1 : 4; /* as write_districts */
    if (add_field(layer, "demand_id", OFTString, idw + 1) ||
        add_field(layer, "district_id", OFTString, didw + 1) || add_field(layer, "weight", OFTReal, 0) ||
        begin(w, ds))
        goto done;
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    for (long i = 0; i < n; i++) {
        char id[32], did[32];
        format_id(id, sizeof id, 'B', i + 1, idw);
        format_id(did, sizeof did, 'D', dm[i].district + 1, didw);
        OGRFeatureH f = OGR_F_Create(defn);
        OGR_F_SetFieldString(f, 0, id);
        OGR_F_SetFieldString(f, 1, did);
        OGR_F_SetFieldDouble(f, 2, dm[i].weight);
        OGRGeometryH pt = OGR_G_CreateGeometry(wkbPoint);
        OGR_G_SetPoint_2D(pt, 0, dm[i].at.x, dm[i].at.y);
        OGR_F_SetGeometryDirectly(f, pt);
        OGRErr e = OGR_L_CreateFeature(layer, f);
        OGR_F_Destroy(f);
        if (e != OGRERR_NONE) {
            report_gdal("cannot write a demand point");
            goto done;
        }
    }
    rc = 0;
done:
    if (rc == 0)
        return finish(w, ds, "demand");
    GDALClose(ds);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Streets (--roads): svcov-genroads' grid (vertices jittered, some block
 * sides missing, a primary street every 8th line, some footways and one-way
 * streets) laid over the whole city and cut where it leaves the city, so
 * the streets cover the same area as the districts and stations. The grid
 * is drawn from a hash of (line, vertex), so it needs no memory at any size. */

static double road_uniform(uint64_t seed, uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t x = seed ^ ((uint64_t)STREAM_ROADS * 0xd1b54a32d192ed03ULL);
    x ^= splitmix64(&x) ^ a;
    x ^= splitmix64(&x) ^ b;
    x ^= splitmix64(&x) ^ c;
    return (double)(splitmix64(&x) >> 11) * 0x1.0p-53;
}

static void road_vertex(uint64_t seed, double origin, double spacing, long i, long j, double *x, double *y)
{
    double jitter = ROAD_JITTER_SHARE * spacing;
    *x = origin + (double)i * spacing + (2.0 * road_uniform(seed, 0, (uint64_t)i, (uint64_t)j) - 1.0) * jitter;
    *y = origin + (double)j * spacing + (2.0 * road_uniform(seed, 1, (uint64_t)i, (uint64_t)j) - 1.0) * jitter;
}

static int write_roads(const Writer *w, const char *dir, OGRSpatialReferenceH wgs84,
                       OGRCoordinateTransformationH ct, const CityShape *c, double spacing, uint64_t seed,
                       long *n_ways, long *n_segments)
{
    OGRLayerH layer;
    GDALDatasetH ds = create_dataset(w, dir, "roads", wgs84, wkbLineString, &layer);
    if (!ds)
        return -1;
    int rc = -1;
    OGRGeometryH line = NULL;
    double rmax = 0.0;
    for (int i = 0; i < BOUNDARY_VERTICES; i++)
        rmax = fmax(rmax, city_radius_at(c, 2.0 * M_PI * i / BOUNDARY_VERTICES));
    long n = (long)ceil(2.0 * rmax / spacing) + 1;
    double origin = -0.5 * (double)(n - 1) * spacing;
    *n_ways = *n_segments = 0;
    if (add_field(layer, "osm_id", OFTInteger64, 0) || add_field(layer, "highway", OFTString, 0) ||
        add_field(layer, "oneway", OFTString, 0) || begin(w, ds))
        goto done;
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    for (int dir_ = 0; dir_ < 2; dir_++)
        for (long k = 0; k < n; k++) {
            const char *cls = k % 8 == 0 ? "primary" : (k % 17 == 5 ? "footway" : "residential");
            const char *oneway = (k % 11 == 3 && strcmp(cls, "residential") == 0) ? "yes" : NULL;
            for (long s = 0; s < n; s++) {
                double x, y;
                road_vertex(seed, origin, spacing, dir_ == 0 ? s : k, dir_ == 0 ? k : s, &x, &y);
                int inside = hypot(x, y) < city_radius_at(c, atan2(y, x));
                int gap = s + 1 < n && road_uniform(seed, 2 + (uint64_t)dir_, (uint64_t)k, (uint64_t)s) <
                                           ROAD_MISSING_SHARE;
                if (inside) {
                    if (!line)
                        line = OGR_G_CreateGeometry(wkbLineString);
                    OGR_G_AddPoint_2D(line, x, y);
                }
                if (line && (!inside || gap || s + 1 == n)) {
                    int np = OGR_G_GetPointCount(line);
                    if (np >= 2) {
                        if (OGR_G_Transform(line, ct) != OGRERR_NONE) {
                            report_gdal("transforming a street to lon/lat");
                            goto done;
                        }
                        OGRFeatureH f = OGR_F_Create(defn);
                        OGR_F_SetFieldInteger64(f, 0, ++*n_ways);
                        OGR_F_SetFieldString(f, 1, cls);
                        if (oneway)
                            OGR_F_SetFieldString(f, 2, oneway);
                        OGR_F_SetGeometryDirectly(f, line);
                        line = NULL;
                        OGRErr e = OGR_L_CreateFeature(layer, f);
                        OGR_F_Destroy(f);
                        if (e != OGRERR_NONE) {
                            report_gdal("cannot write a street");
                            goto done;
                        }
                        *n_segments += np - 1;
                    } else {
                        OGR_G_DestroyGeometry(line);
                        line = NULL;
                    }
                }
            }
        }
    rc = 0;
done:
    if (line)
        OGR_G_DestroyGeometry(line);
    if (rc == 0)
        return finish(w, ds, "roads");
    GDALClose(ds);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Population raster (--population-raster): people per cell of a lon/lat
 * grid, like WorldPop's. Each cell belongs to the district holding its
 * centre (GDAL rasterizes the districts); within a district the people
 * follow people_density() times the cell's area, scaled so that the cells
 * of a district add up to its population (a district smaller than a cell
 * may hold no cell centre: its people are then missing from the raster).   */

static int write_population_raster(const char *path, double arcsec, Geos *g, const CityShape *c,
                                   const Centres *cs, const GEOSGeometry *city, const District *d, long m,
                                   OGRSpatialReferenceH wgs84, OGRCoordinateTransformationH ct,
                                   OGRCoordinateTransformationH back, double *people, long *cells)
{
    const double nodata = -99999.0;
    const double earth_r = 6371007.2; /* authalic radius, m */
    int rc = -1;
    GEOSWKBWriter *wkbw = GEOSWKBWriter_create_r(g->h);
    OGRGeometryH *geoms = xcalloc((size_t)m, sizeof *geoms);
    double *burn = xmalloc(sizeof *burn * (size_t)m), *wsum = xcalloc((size_t)m, sizeof *wsum);
    GInt32 *idx = NULL;
    float *val = NULL;
    double *lon = NULL, *lat = NULL;
    int *ok = NULL;
    GDALDatasetH mem = NULL, tif = NULL;
    char *wkt = NULL;
    OGRGeometryH outline = NULL;
    *people = 0.0;
    *cells = 0;
    if (!wkbw) {
        report_geos(g, "creating a WKB writer");
        goto done;
    }
    OGREnvelope env;
    if (!(outline = to_ogr(g, wkbw, city, ct, 0)))
        goto done;
    OGR_G_GetEnvelope(outline, &env);
    double cell = arcsec / 3600.0;
    double x0 = floor(env.MinX / cell) * cell, y1 = ceil(env.MaxY / cell) * cell;
    long cols = (long)ceil((env.MaxX - x0) / cell), rows = (long)ceil((y1 - env.MinY) / cell);
    if (cols < 1)
        cols = 1;
    if (rows < 1)
        rows = 1;
    if ((double)cols * (double)rows > 500e6) {
        report("the population raster would have %ld x %ld cells; give a larger --raster-cell-arcsec",
               cols, rows);
        goto done;
    }
    double gt[6] = {x0, cell, 0.0, y1, 0.0, -cell};
    if (OSRExportToWkt(wgs84, &wkt) != OGRERR_NONE) {
        report_gdal("cannot describe EPSG:4326");
        goto done;
    }
    CPLErrorReset();
    mem = GDALCreate(GDALGetDriverByName("MEM"), "", (int)cols, (int)rows, 1, GDT_Int32, NULL);
    if (!mem || GDALSetGeoTransform(mem, gt) != CE_None || GDALSetProjection(mem, wkt) != CE_None) {
        report_gdal("cannot create the in-memory district grid");
        goto done;
    }
    for (long i = 0; i < m; i++) {
        if (!(geoms[i] = to_ogr(g, wkbw, d[i].geom, ct, 0)))
            goto done;
        burn[i] = (double)(i + 1);
    }
    int band = 1;
    if (GDALRasterizeGeometries(mem, 1, &band, (int)m, geoms, NULL, NULL, burn, NULL, NULL, NULL) != CE_None) {
        report_gdal("cannot rasterize the districts");
        goto done;
    }
    idx = xmalloc(sizeof *idx * (size_t)(cols * rows));
    val = xmalloc(sizeof *val * (size_t)(cols * rows));
    if (GDALRasterIO(GDALGetRasterBand(mem, 1), GF_Read, 0, 0, (int)cols, (int)rows, idx, (int)cols,
                     (int)rows, GDT_Int32, 0, 0) != CE_None) {
        report_gdal("cannot read the district grid");
        goto done;
    }
    /* Weights: density at the cell centre (in the local frame) times the
     * cell's area on the sphere. */
    lon = xmalloc(sizeof *lon * (size_t)cols);
    lat = xmalloc(sizeof *lat * (size_t)cols);
    ok = xmalloc(sizeof *ok * (size_t)cols);
    for (long row = 0; row < rows; row++) {
        double top = y1 - (double)row * cell, bottom = top - cell;
        double area = earth_r * earth_r * (cell * M_PI / 180.0) *
                      fabs(sin(top * M_PI / 180.0) - sin(bottom * M_PI / 180.0));
        for (long col = 0; col < cols; col++) {
            lon[col] = x0 + ((double)col + 0.5) * cell;
            lat[col] = top - 0.5 * cell;
        }
        if (!OCTTransformEx(back, (int)cols, lon, lat, NULL, ok)) {
            report_gdal("cannot transform the grid to the local frame");
            goto done;
        }
        for (long col = 0; col < cols; col++) {
            long k = row * cols + col;
            if (idx[k] <= 0 || idx[k] > m) {
                val[k] = (float)nodata;
                continue;
            }
            double wgt = people_density(c, cs, lon[col], lat[col]) * area;
            val[k] = (float)wgt;
            wsum[idx[k] - 1] += wgt;
        }
    }
    for (long k = 0; k < cols * rows; k++) {
        if (idx[k] <= 0 || idx[k] > m)
            continue;
        val[k] = (float)((double)val[k] / wsum[idx[k] - 1] * (double)d[idx[k] - 1].population);
        *people += val[k];
        (*cells)++;
    }
    VSIStatBufL sb;
    if (VSIStatL(path, &sb) == 0 && VSIUnlink(path) != 0) {
        report("cannot remove the old %s", path);
        goto done;
    }
    char **co = CSLSetNameValue(NULL, "COMPRESS", "DEFLATE");
    co = CSLSetNameValue(co, "TILED", "YES");
    CPLErrorReset();
    tif = GDALCreate(GDALGetDriverByName("GTiff"), path, (int)cols, (int)rows, 1, GDT_Float32, co);
    CSLDestroy(co);
    if (!tif || GDALSetGeoTransform(tif, gt) != CE_None || GDALSetProjection(tif, wkt) != CE_None ||
        GDALSetRasterNoDataValue(GDALGetRasterBand(tif, 1), nodata) != CE_None ||
        GDALRasterIO(GDALGetRasterBand(tif, 1), GF_Write, 0, 0, (int)cols, (int)rows, val, (int)cols,
                     (int)rows, GDT_Float32, 0, 0) != CE_None) {
        report_gdal("cannot write the population raster");
        fprintf(stderr, "  (%s)\n", path);
        goto done;
    }
    CPLErrorReset();
    GDALClose(tif);
    tif = NULL;
    if (CPLGetLastErrorType() == CE_Failure || CPLGetLastErrorType() == CE_Fatal) {
        report_gdal("error while closing the population raster");
        fprintf(stderr, "  (%s)\n", path);
        goto done;
    }
    rc = 0;
done:
    if (tif)
        GDALClose(tif);
    if (mem)
        GDALClose(mem);
    for (long i = 0; i < m; i++)
        if (geoms[i])
            OGR_G_DestroyGeometry(geoms[i]);
    if (outline)
        OGR_G_DestroyGeometry(outline);
    if (wkbw)
        GEOSWKBWriter_destroy_r(g->h, wkbw);
    CPLFree(wkt);
    free(geoms);
    free(burn);
    free(wsum);
    free(idx);
    free(val);
    free(lon);
    free(lat);
    free(ok);
    return rc;
}

/* ------------------------------------------------------------------------ */

int main(int argc, char **argv)
{
    Options o;
    parse_options(argc, argv, &o);

    int status = EXIT_RUNTIME;
    Geos g = {0};
    GEOSGeometry *city = NULL;
    const GEOSPreparedGeometry *pcity = NULL;
    District *d = NULL;
    Station *st = NULL;
    OGRSpatialReferenceH local = NULL, wgs84 = NULL;
    OGRCoordinateTransformationH ct = NULL, back = NULL;
    long m = o.n_districts, n = o.n_stations, n_outside = 0;
    int any_multi = 0;
    Centres centres = {0};
    Demand *dm = NULL;

    /* A fixed GeoPackage timestamp (gpkg_contents.last_change), so the same
     * arguments give the same bytes. The caller may still set their own. */
    if (!CPLGetConfigOption("OGR_CURRENT_DATE", NULL))
        CPLSetConfigOption("OGR_CURRENT_DATE", "2000-01-01T00:00:00.000Z");
    GDALAllRegister();

    Writer w = {0};
    w.format = o.format;
    w.ext = o.format == FMT_GPKG ? "gpkg" : "geojson";
    w.drv = GDALGetDriverByName(o.format == FMT_GPKG ? "GPKG" : "GeoJSON");
    if (!w.drv) {
        report("GDAL has no %s driver", o.format == FMT_GPKG ? "GPKG" : "GeoJSON");
        goto done;
    }
    /* GDAL 3.6 cannot create a relative folder without a parent part. */
    char *out_abs = CPLIsFilenameRelative(o.out_dir)
                        ? xstrdup(CPLFormFilename(CPLGetCurrentDir(), o.out_dir, NULL))
                        : NULL;
    int made_dir = VSIMkdirRecursive(out_abs ? out_abs : o.out_dir, 0755);
    free(out_abs);
    if (made_dir != 0) {
        VSIStatBufL sb;
        int err = errno;
        if (VSIStatL(o.out_dir, &sb) != 0) {
            report("cannot create the folder %s: %s", o.out_dir, strerror(err));
            goto done;
        }
        if (!VSI_ISDIR(sb.st_mode)) {
            report("%s exists and is not a folder", o.out_dir);
            goto done;
        }
    }

    /* The local metric frame and its way to lon/lat. */
    char proj4[160];
    snprintf(proj4, sizeof proj4, "+proj=aeqd +lat_0=%.2f +lon_0=%.2f +datum=WGS84 +units=m +no_defs",
             CITY_LAT, CITY_LON);
    local = OSRNewSpatialReference(NULL);
    wgs84 = OSRNewSpatialReference(NULL);
    if (!local || !wgs84 || OSRImportFromProj4(local, proj4) != OGRERR_NONE) {
        report_gdal("cannot set up the local frame");
        goto done;
    }
    if (OSRImportFromEPSG(wgs84, 4326) != OGRERR_NONE) {
        report_gdal("cannot set up EPSG:4326 (is PROJ's database installed?)");
        goto done;
    }
    OSRSetAxisMappingStrategy(local, OAMS_TRADITIONAL_GIS_ORDER);
    OSRSetAxisMappingStrategy(wgs84, OAMS_TRADITIONAL_GIS_ORDER);
    ct = OCTNewCoordinateTransformation(local, wgs84);
    back = o.pop_raster ? OCTNewCoordinateTransformation(wgs84, local) : NULL;
    if (!ct || (o.pop_raster && !back)) {
        report_gdal("cannot transform from the local frame to EPSG:4326");
        goto done;
    }

    g.h = GEOS_init_r();
    if (!g.h) {
        report("cannot start GEOS");
        goto done;
    }
    GEOSContext_setErrorMessageHandler_r(g.h, geos_error_handler, &g.err);
    GEOSContext_setNoticeMessageHandler_r(g.h, geos_notice_handler, NULL);

    CityShape shape;
    {
        Rng r;
        rng_init(&r, o.seed, STREAM_BOUNDARY);
        city_shape_init(&shape, o.radius_km * 1000.0, &r);
    }
    centres_init(&centres, &shape, o.clusters, o.cluster_share, o.cluster_sigma_km, o.seed);
    city = make_city_boundary(&g, &shape);
    if (!city) {
        report_geos(&g, "building the city boundary");
        goto done;
    }
    pcity = GEOSPrepare_r(g.h, city);
    if (!pcity) {
        report_geos(&g, "preparing the city boundary");
        goto done;
    }

    if (make_districts(&g, &shape, &centres, city, pcity, m, o.seed, &d, &any_multi) < 0 ||
        assign_populations(&g, &shape, &centres, d, m, o.seed) < 0)
        goto done;
    name_districts(d, m, o.seed, o.demo);

    st = xcalloc((size_t)(n ? n : 1), sizeof *st);
    if (place_stations(&g, &shape, &centres, pcity, n, o.seed, st, &n_outside) < 0)
        goto done;
    if (points_to_lonlat(ct, st, n, "stations") < 0)
        goto done;
    if (o.n_demand > 0) {
        dm = xcalloc((size_t)o.n_demand, sizeof *dm);
        if (place_demand(&g, d, m, o.n_demand, o.seed, dm) < 0)
            goto done;
        /* to lon/lat through a plain array of points */
        Station *at = xmalloc(sizeof *at * (size_t)o.n_demand);
        for (long i = 0; i < o.n_demand; i++)
            at[i] = dm[i].at;
        int rc = points_to_lonlat(ct, at, o.n_demand, "demand points");
        for (long i = 0; i < o.n_demand; i++)
            dm[i].at = at[i];
        free(at);
        if (rc < 0)
            goto done;
    }

    if (write_districts(&w, &g, o.out_dir, wgs84, ct, d, m, any_multi) < 0 ||
        write_stations(&w, o.out_dir, wgs84, st, n, o.seed, o.demo) < 0)
        goto done;
    if (o.n_demand > 0 && write_demand(&w, o.out_dir, wgs84, dm, o.n_demand, m) < 0)
        goto done;
    long n_ways = 0, n_segments = 0;
    if (o.roads && write_roads(&w, o.out_dir, wgs84, ct, &shape, o.road_spacing_m, o.seed, &n_ways,
                               &n_segments) < 0)
        goto done;
    double raster_people = 0.0;
    long raster_cells = 0;
    if (o.pop_raster &&
        write_population_raster(o.pop_raster, o.raster_arcsec, &g, &shape, &centres, city, d, m, wgs84, ct,
                                back, &raster_people, &raster_cells) < 0)
        goto done;

    if (!o.quiet) {
        long pop = 0;
        for (long i = 0; i < m; i++)
            pop += d[i].population;
        double area_km2;
        GEOSArea_r(g.h, city, &area_km2);
        area_km2 /= 1e6;
        fprintf(stderr,
                "%s: synthetic city (seed %" PRIu64 "): radius %.2f km, area %.1f km2, "
                "%ld districts (population %ld), %ld stations (%ld just outside) -> %s/{districts,stations}.%s\n",
                progname, o.seed, o.radius_km, area_km2, m, pop, n, n_outside, o.out_dir, w.ext);
        if (centres.k > 0)
            fprintf(stderr, "%s: %ld centres, %.0f%% of the stations in them, spread %.2f km\n", progname,
                    centres.k, 100.0 * centres.share, centres.sigma_m / 1000.0);
        if (o.n_demand > 0)
            fprintf(stderr, "%s: %ld demand points -> %s/demand.%s\n", progname, o.n_demand, o.out_dir, w.ext);
        if (o.roads)
            fprintf(stderr, "%s: %ld streets, %ld segments (%.0f m grid) -> %s/roads.%s\n", progname, n_ways,
                    n_segments, o.road_spacing_m, o.out_dir, w.ext);
        if (o.pop_raster)
            fprintf(stderr, "%s: population raster: %ld cells holding %.0f people -> %s\n", progname,
                    raster_cells, raster_people, o.pop_raster);
    }
    status = 0;
done:
    if (d) {
        for (long i = 0; i < m; i++) {
            if (d[i].geom)
                GEOSGeom_destroy_r(g.h, d[i].geom);
            free(d[i].name);
            free(d[i].name_en);
        }
        free(d);
    }
    free(st);
    free(dm);
    centres_free(&centres);
    if (pcity)
        GEOSPreparedGeom_destroy_r(g.h, pcity);
    if (city)
        GEOSGeom_destroy_r(g.h, city);
    if (g.h)
        GEOS_finish_r(g.h);
    if (ct)
        OCTDestroyCoordinateTransformation(ct);
    if (back)
        OCTDestroyCoordinateTransformation(back);
    if (local)
        OSRDestroySpatialReference(local);
    if (wgs84)
        OSRDestroySpatialReference(wgs84);
    return status;
}
