/* gdal_vector.c - vector input through GDAL/OGR: open PATH[:LAYER], pick fields, read
 * features, check coordinates and text, project them. GDAL is included only by
 * adapters/gdal_vector.c, gdal_raster.c and gdal_export.c (adapters/gdal_shared.h). */
#include "adapters/gdal_shared.h"
#include "svcov/sv_io.h"
#include "svcov/sv_lang.h"
#include "svcov/sv_text.h"
#include "svcov/sv_geom.h"
#include "core/core.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <gdal_utils.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include <dirent.h>
#include <pthread.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

typedef struct {
    OGRGeometryH geom; /* owned, source CRS */
    char *id, *name, *category;
    char *oneway, *maxspeed;
    char *services, *hours;
    long long fid;
    size_t seq; /* in the order read (ties of fid keep it) */
    double weight, levels;
} raw_feature;

/* What each kind of input is called and which fields it usually has. */
typedef struct {
    const char *word, *option, *id_option, *name_option;
    const char *const *ids;
    int points;            /* 1 points (polygons taken at a point), 0 polygons, 2 lines */
    const char *osm_layer; /* default layer of an OSM file */
} role_info;

static const char *const station_ids[] = {"station_id", "id", "osm_id", NULL};
static const char *const district_ids[] = {"district_id", "id", "code", "osm_id", NULL};
static const char *const demand_ids[] = {"demand_id", "id", "osm_id", "osm_way_id", NULL};
static const char *const candidate_ids[] = {"cand_id", "candidate_id", "site_id", "id", NULL};
static const char *const road_ids[] = {"osm_id", "id", "fid", NULL};
static const char *const population_ids[] = {"block_id", "geoid", "id", "code", NULL};
static const char *const merchant_ids[] = {"merchant_id", "id", "osm_id", NULL};

static const role_info roles[] = {
    [SV_ROLE_STATIONS] = {SV_NP_("input", "stations"), "--stations", "--station-id", "--station-name", station_ids, 1, "points"},
    [SV_ROLE_DISTRICTS] = {SV_NP_("input", "districts"), "--districts", "--district-id", "--district-name", district_ids, 0,
                           "multipolygons"},
    [SV_ROLE_DEMAND] = {SV_NP_("input", "demand"), "--demand", "--demand-id", "--demand-name", demand_ids, 1, "multipolygons"},
    [SV_ROLE_CANDIDATES] = {SV_NP_("input", "candidates"), "--candidates", "--candidate-id", "--candidate-name", candidate_ids, 1,
                            "points"},
    [SV_ROLE_NETWORK] = {SV_NP_("input", "network"), "--network", "--network-id", "--network-name", road_ids, 2, "lines"},
    [SV_ROLE_POPULATION] = {SV_NP_("input", "population polygons"), "--population", "--population-id", "--population-name",
                            population_ids, 0, "multipolygons"},
    [SV_ROLE_MERCHANTS] = {SV_NP_("input", "merchants"), "--merchants", "--merchant-id", "--merchant-name", merchant_ids, 1, "points"},
};

void sv_sources_describe(char *buf, size_t size, const char *const *names, const sv_source_opts *const *opts,
                         size_t n, int encoding)
{
    size_t k = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && k < size; i++) {
        if (!opts[i] || !opts[i]->spec || (encoding && !opts[i]->encoding))
            continue;
        int w = snprintf(buf + k, size - k, "%s%s=%s", k ? "," : "", names[i],
                         encoding ? opts[i]->encoding : sv_coords_name(opts[i]->coords));
        k += w > 0 ? (size_t)w : 0;
    }
}

/* The words of messages about an input, in the context's language. */
static const char *input_word(const sv_ctx *ctx, const char *word)
{
    return sv_trp(sv_ctx_lang(ctx), "input", word);
}

static const char *role_shape(const sv_ctx *ctx, sv_role r)
{
    return input_word(ctx, roles[r].points == 1 ? SV_NP_("input", "points")
                           : roles[r].points == 2 ? SV_NP_("input", "lines") : SV_NP_("input", "polygons"));
}

struct sv_source {
    sv_role role;
    int strict;
    char *path, *layer_name;
    char *id_field, *name_field, *category_field, *weight_field, *oneway_field, *maxspeed_field;
    char *levels_field;
    char *services_field, *hours_field;
    const char *weight_option; /* the option that named weight_field */
    OGRSpatialReferenceH srs; /* owned clone, NULL when the layer has none */
    raw_feature *feat;
    size_t n, cap;
    size_t n_read;
    sv_coords coords;          /* the lon/lat system the file is in (converted when read) */
    const char *coords_option, *encoding_option;
    char *recode_from;         /* every text is recoded from this encoding (GDAL did not) */
    int enc_auto;              /* --encoding auto: GBK found is decoded as GBK */
    int latin1;                /* GDAL decoded the text as ISO-8859-1 (the .dbf said so) */
    char enc_how[320];         /* how GDAL chose the encoding, for messages (in the context's language) */
    struct {
        size_t n_bad, n_gbk, n_decoded, n_repaired;
        char example[80];
        int repaired_now;
    } text[3];                 /* id, name, category */
};

static int cmp_fid(const void *a, const void *b)
{
    const raw_feature *p = a, *q = b;
    return p->fid != q->fid ? (p->fid < q->fid ? -1 : 1) : (p->seq > q->seq) - (p->seq < q->seq);
}

static const char *role_word(const sv_ctx *ctx, sv_role r)
{
    return input_word(ctx, roles[r].word);
}

/* A GDAL error handler keeping the first failure's message in the
 * 1024-byte buffer CPLGetErrorHandlerUserData() gives. */
static void CPL_STDCALL first_failure(CPLErr cls, CPLErrorNum no, const char *msg)
{
    (void)no;
    char *buf = CPLGetErrorHandlerUserData();
    if (cls >= CE_Failure && buf && !buf[0] && msg)
        snprintf(buf, 1024, "%s", msg);
}

/* A message GDAL gave while opening a file that is about its CRS. */
static int crs_message(const char *msg)
{
    static const char *const words[] = {"PROJ", "crs", "SRS", "EPSG", "prj", "projection", "coordinate system",
                                        NULL};
    if (!msg || !*msg)
        return 0;
    for (const char *const *w = words; *w; w++)
        if (strcasestr(msg, *w))
            return 1;
    return 0;
}

static void gdal_register(void)
{
    GDALAllRegister();
    /* The library never prints: GDAL's messages are read back where svcov
     * checks for them (CPLGetLastErrorMsg), never sent to stderr (GDAL's
     * default handler does, e.g. for a damaged GeoPackage). */
    CPLSetErrorHandler(CPLQuietErrorHandler);
}

/* The drivers, registered once whichever thread reads first. */
static void gdal_init(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, gdal_register);
}

const char *sv_gdal_version(void)
{
    return GDALVersionInfo("RELEASE_NAME");
}

static int path_exists(const char *p)
{
    VSIStatBufL st;
    return VSIStatL(p, &st) == 0;
}

static int has_ext(const char *path, const char *ext)
{
    size_t n = strlen(path), m = strlen(ext);
    return n > m && path[n - m - 1] == '.' && strcasecmp(path + n - m, ext) == 0;
}

#ifndef SVCOV_DATA_DIRS
#define SVCOV_DATA_DIRS "data"
#endif

/* svcov's osmconf.ini, which makes amenity, shop, oneway, maxspeed,
 * building:levels... fields of GDAL's OSM layers (GDAL's own keeps them in
 * other_tags, where --where and the network cannot see them). NULL when
 * the user chose a file with GDAL's OSM_CONFIG_FILE, or none is installed. */
static const char *osm_config_file(char *buf, size_t len)
{
    if (CPLGetConfigOption("OSM_CONFIG_FILE", NULL))
        return NULL;
    char dirs[4096];
    snprintf(dirs, sizeof dirs, "%s", SVCOV_DATA_DIRS);
    for (char *save = NULL, *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        snprintf(buf, len, "%s/osmconf.ini", d);
        if (path_exists(buf))
            return buf;
    }
    return NULL;
}

/* PATH or PATH:LAYER; a path that exists as given wins over a split. */
static OGRSpatialReferenceH srs_epsg(int epsg);

static void split_spec(const char *spec, char **path, char **layer)
{
    *path = NULL;
    *layer = NULL;
    if (path_exists(spec)) {
        *path = sv_strdup(spec);
        return;
    }
    const char *colon = strrchr(spec, ':');
    if (colon && colon != spec && colon[1]) {
        char *p = sv_strdup(spec);
        if (!p)
            return;
        p[colon - spec] = '\0';
        if (path_exists(p)) {
            *path = p;
            *layer = sv_strdup(colon + 1);
            return;
        }
        free(p);
    }
    *path = sv_strdup(spec);
}

static void list_layers(GDALDatasetH ds, char *buf, size_t size)
{
    buf[0] = '\0';
    int n = GDALDatasetGetLayerCount(ds);
    for (int i = 0; i < n; i++) {
        OGRLayerH l = GDALDatasetGetLayer(ds, i);
        size_t used = strlen(buf);
        snprintf(buf + used, size - used, "%s%s", i ? ", " : "", OGR_L_GetName(l));
    }
}

static void list_fields(OGRFeatureDefnH fd, char *buf, size_t size)
{
    buf[0] = '\0';
    int n = OGR_FD_GetFieldCount(fd);
    for (int i = 0; i < n; i++) {
        size_t used = strlen(buf);
        snprintf(buf + used, size - used, "%s%s", i ? ", " : "",
                 OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fd, i)));
    }
    if (n == 0)
        snprintf(buf, size, "(none)");
}

/* Resolve a field: explicit names must exist; defaults are tried in order. */
static sv_status pick_field(sv_ctx *ctx, sv_source *s, OGRFeatureDefnH fd, const char *explicit_name,
                            const char *const *defaults, const char *option, char **out)
{
    *out = NULL;
    if (explicit_name && *explicit_name) {
        int i = OGR_FD_GetFieldIndex(fd, explicit_name);
        if (i < 0) {
            char fields[1024];
            list_fields(fd, fields, sizeof fields);
            return sv_error(ctx, SV_ERR_INPUT,
                            "%s: layer '%s' has no field '%s' (%s); fields are: %s",
                            s->path, s->layer_name, explicit_name, option, fields);
        }
        *out = sv_strdup(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fd, i)));
        return *out ? SV_OK : SV_ERR_NOMEM;
    }
    if (explicit_name) /* "" asks for no field */
        return SV_OK;
    for (const char *const *d = defaults; d && *d; d++) {
        int i = OGR_FD_GetFieldIndex(fd, *d);
        if (i >= 0) {
            *out = sv_strdup(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fd, i)));
            return *out ? SV_OK : SV_ERR_NOMEM;
        }
    }
    return SV_OK;
}

/* ---- text encodings ---- */

static int utf8_valid(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    while (*u) {
        int n = *u < 0x80 ? 0 : (*u & 0xE0) == 0xC0 ? 1 : (*u & 0xF0) == 0xE0 ? 2 : (*u & 0xF8) == 0xF0 ? 3 : -1;
        if (n < 0 || (n == 1 && *u < 0xC2) || (n == 3 && *u > 0xF4))
            return 0;
        for (int k = 1; k <= n; k++)
            if ((u[k] & 0xC0) != 0x80)
                return 0;
        if ((n == 2 && ((*u == 0xE0 && u[1] < 0xA0) || (*u == 0xED && u[1] > 0x9F))) ||
            (n == 3 && ((*u == 0xF0 && u[1] < 0x90) || (*u == 0xF4 && u[1] > 0x8F))))
            return 0; /* overlong, surrogate or beyond U+10FFFF */
        u += n + 1;
    }
    return 1;
}

/* p with every byte that does not start a valid UTF-8 sequence replaced by
 * U+FFFD (free()). */
static char *utf8_repair(const char *p)
{
    size_t n = strlen(p);
    char *out = sv_malloc(3 * n + 1), *o = out;
    if (!out)
        return NULL;
    char one[5];
    for (const char *q = p; *q;) {
        const unsigned char *u = (const unsigned char *)q;
        int len = *u < 0x80 ? 1 : (*u & 0xE0) == 0xC0 ? 2 : (*u & 0xF0) == 0xE0 ? 3 : (*u & 0xF8) == 0xF0 ? 4 : 0;
        int ok = len > 0;
        for (int k = 1; ok && k < len; k++)
            ok = u[k] != 0 && (u[k] & 0xC0) == 0x80;
        if (ok) {
            memcpy(one, q, (size_t)len);
            one[len] = '\0';
            ok = utf8_valid(one);
        }
        if (ok) {
            memcpy(o, q, (size_t)len);
            o += len;
            q += len;
        } else {
            memcpy(o, "\xEF\xBF\xBD", 3);
            o += 3;
            q++;
        }
    }
    *o = '\0';
    return out;
}

static int is_ascii(const char *p)
{
    for (; *p; p++)
        if ((unsigned char)*p >= 0x80)
            return 0;
    return 1;
}

/* Bytes that are GBK (lead 0x81-0xFE, trail 0x40-0xFE but 0x7F) with at
 * least one character from GB 2312's hanzi rows (lead 0xB0-0xF7, trail
 * 0xA1-0xFE): Chinese text written in CP936. */
static int looks_gbk(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    int hanzi = 0;
    while (*u) {
        if (*u < 0x80) {
            u++;
            continue;
        }
        if (*u < 0x81 || *u > 0xFE || u[1] < 0x40 || u[1] > 0xFE || u[1] == 0x7F)
            return 0;
        if (*u >= 0xB0 && *u <= 0xF7 && u[1] >= 0xA1)
            hanzi = 1;
        u += 2;
    }
    return hanzi;
}

/* CPLRecode that says whether iconv knew the encodings. */
static char *recode(const char *v, const char *from, const char *to, int *ok)
{
    CPLErrorReset();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    char *r = CPLRecode(v, from, to);
    CPLPopErrorHandler();
    if (ok)
        *ok = CPLGetLastErrorType() == CE_None;
    char *out = sv_strdup(r);
    CPLFree(r);
    return out;
}

static int encoding_known(const char *enc)
{
    int ok = 0;
    free(recode("svcov", enc, CPL_ENC_UTF8, &ok));
    return ok;
}

/* A field's text as UTF-8 (see sv_source_opts.encoding); v is taken over. */
static char *fix_text(sv_source *s, int slot, char *v, const char *fid)
{
    if (!v || is_ascii(v))
        return v;
    char *fixed = NULL;
    if (s->recode_from) {
        /* formats without an encoding setting: text that is UTF-8 already
         * (a GeoJSON, a GeoPackage) stays as it is */
        if (!utf8_valid(v))
            fixed = recode(v, s->recode_from, CPL_ENC_UTF8, NULL);
    } else if (slot >= 0) {
        char *raw = s->latin1 ? recode(v, CPL_ENC_UTF8, CPL_ENC_ISO8859_1, NULL) : NULL;
        int mojibake = raw && looks_gbk(raw);
        int bad = !mojibake && !utf8_valid(v);
        int gbk = mojibake || (bad && looks_gbk(v));
        if (gbk || bad) {
            s->text[slot].n_bad++;
            s->text[slot].n_gbk += gbk;
            if (!s->text[slot].example[0])
                snprintf(s->text[slot].example, sizeof s->text[slot].example, "%s", fid);
            if (gbk && s->enc_auto) {
                fixed = recode(mojibake ? raw : v, "CP936", CPL_ENC_UTF8, NULL);
                s->text[slot].n_decoded++;
            }
        }
        free(raw);
    }
    if (fixed) {
        free(v);
        v = fixed;
    }
    if (v && !utf8_valid(v)) {
        char *r = utf8_repair(v);
        free(v);
        v = r;
        if (slot >= 0) {
            s->text[slot].n_repaired++;
            s->text[slot].repaired_now = 1;
        }
    }
    return v;
}

static char *field_text(sv_source *s, OGRFeatureH f, const char *field, int slot, const char *fid)
{
    if (!field)
        return NULL;
    int i = OGR_F_GetFieldIndex(f, field);
    if (i < 0 || !OGR_F_IsFieldSetAndNotNull(f, i))
        return NULL;
    const char *v = OGR_F_GetFieldAsString(f, i);
    if (!v || !*v)
        return NULL;
    return fix_text(s, slot, sv_strdup(v), fid);
}

/* Coordinate checks over every vertex. */
static void scan_coords(OGRGeometryH g, int *nonfinite, int *not_lonlat)
{
    int k = OGR_G_GetGeometryCount(g);
    if (k > 0) {
        for (int i = 0; i < k; i++)
            scan_coords(OGR_G_GetGeometryRef(g, i), nonfinite, not_lonlat);
        return;
    }
    int n = OGR_G_GetPointCount(g);
    for (int i = 0; i < n; i++) {
        double x = OGR_G_GetX(g, i), y = OGR_G_GetY(g, i);
        if (!isfinite(x) || !isfinite(y))
            *nonfinite = 1;
        else if (x < -180 || x > 180 || y < -90 || y > 90)
            *not_lonlat = 1;
    }
}

static sv_status feature_issue(sv_ctx *ctx, sv_source *s, const char *id, const sv_msg *problem,
                               sv_issue_action action)
{
    return sv_feature_problem(ctx, s->strict, s->path, s->layer_name, id, problem, action,
                              action == SV_ISSUE_SKIPPED
                                  ? SV_N_("fix or remove the feature (without --strict it would be skipped)")
                                  : SV_N_("fix or remove the feature (without --strict it would be repaired)"));
}

static int geom_kind_ok(sv_role role, OGRwkbGeometryType t)
{
    t = wkbFlatten(t);
    if (roles[role].points == 2)
        return t == wkbLineString || t == wkbMultiLineString || t == wkbCompoundCurve || t == wkbCircularString ||
               t == wkbMultiCurve;
    if (roles[role].points)
        return t == wkbPoint || t == wkbMultiPoint || t == wkbPolygon || t == wkbMultiPolygon ||
               t == wkbCurvePolygon || t == wkbMultiSurface;
    return t == wkbPolygon || t == wkbMultiPolygon || t == wkbCurvePolygon ||
           t == wkbMultiSurface || t == wkbGeometryCollection;
}

/* Rings of g (polygons, at any depth) whose last point is not their first. */
static int unclosed_rings(OGRGeometryH g)
{
    int n = 0;
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
    if (t == wkbLinearRing || (t == wkbLineString && OGR_G_GetPointCount(g) > 0)) {
        int k = OGR_G_GetPointCount(g);
        return k > 0 && (OGR_G_GetX(g, 0) != OGR_G_GetX(g, k - 1) || OGR_G_GetY(g, 0) != OGR_G_GetY(g, k - 1));
    }
    if (t == wkbPolygon || t == wkbMultiPolygon || t == wkbGeometryCollection)
        for (int i = 0; i < OGR_G_GetGeometryCount(g); i++)
            n += unclosed_rings(OGR_G_GetGeometryRef(g, i));
    return n;
}

/* Take one feature into the source, or record why not. gdal_msg: a failure
 * GDAL reported while reading it (a WKT it could not parse), or NULL. */
static sv_status take_feature(sv_ctx *ctx, sv_source *s, OGRFeatureH f, const char *gdal_msg)
{
    s->n_read++;
    char idbuf[64];
    long long fid = (long long)OGR_F_GetFID(f);
    snprintf(idbuf, sizeof idbuf, "fid %lld", fid);
    for (int k = 0; k < 3; k++)
        s->text[k].repaired_now = 0;
    char *id = field_text(s, f, s->id_field, 0, idbuf);
    if (!id)
        id = sv_strdup(idbuf);
    if (!id)
        return SV_ERR_NOMEM;
    sv_status st = SV_OK;
    OGRGeometryH g = OGR_F_GetGeometryRef(f);
    sv_msg problem; /* none while problem.en is empty */
    sv_msg_init(&problem, sv_ctx_lang(ctx));
    if (!g && gdal_msg && *gdal_msg)
        sv_msg_add(&problem, "has no geometry GDAL could read (%.500s)", gdal_msg);
    else if (!g)
        sv_msg_put(&problem, SV_N_("has no geometry"));
    else if (OGR_G_IsEmpty(g))
        sv_msg_put(&problem, SV_N_("has an empty geometry"));
    else if (!geom_kind_ok(s->role, OGR_G_GetGeometryType(g)))
        sv_msg_put(&problem, roles[s->role].points == 2 ? SV_N_("is not a line")
                             : roles[s->role].points   ? SV_N_("is not a point or polygon (lines are not places)")
                                                       : SV_N_("is not a polygon"));
    if (!problem.en[0]) {
        int nonfinite = 0, not_lonlat = 0;
        scan_coords(g, &nonfinite, &not_lonlat);
        if (nonfinite)
            sv_msg_put(&problem, SV_N_("has coordinates that are not finite numbers (NaN or infinity)"));
        else if (not_lonlat && s->srs && OSRIsGeographic(s->srs))
            sv_msg_put(&problem, SV_N_("has coordinates outside the lon/lat range of its geographic CRS"));
    }
    double weight = 1.0;
    if (!problem.en[0] && s->weight_field) {
        int i = OGR_F_GetFieldIndex(f, s->weight_field);
        const char *txt = OGR_F_IsFieldSetAndNotNull(f, i) ? OGR_F_GetFieldAsString(f, i) : NULL;
        char *end = NULL;
        weight = txt ? strtod(txt, &end) : NAN;
        if (!txt)
            sv_msg_add(&problem, "has no %s value (NULL)", s->weight_field);
        else if (end == txt || *end || !isfinite(weight))
            sv_msg_add(&problem, "has %s '%.60s', not a number", s->weight_field, txt);
        else if (weight < 0)
            sv_msg_add(&problem, "has a negative %s (%g)", s->weight_field, weight);
        /* a demand point or population polygon of unknown weight is skipped (below) */
        if (problem.en[0] && (s->role == SV_ROLE_STATIONS || s->role == SV_ROLE_DISTRICTS)) {
            if (s->role == SV_ROLE_STATIONS) /* the station still covers; its capacity is unknown */
                sv_msg_put(&problem, SV_N_(": capacity unknown (NULL); the station counts for coverage but adds no "
                                           "capacity to access (fix the --capacity-field value)"));
            else /* the district is still measured; its people are unknown */
                sv_msg_add(&problem, ": population unknown (NULL); the district is measured, and the city's "
                           "people count the other districts only (fix the %s value)",
                           s->weight_option ? s->weight_option : "population");
            if ((st = feature_issue(ctx, s, id, &problem, SV_ISSUE_REPAIRED)) != SV_OK) {
                free(id);
                return st;
            }
            weight = NAN;
            sv_msg_init(&problem, sv_ctx_lang(ctx));
        }
    }
    double levels = NAN;
    if (!problem.en[0] && s->levels_field) {
        int i = OGR_F_GetFieldIndex(f, s->levels_field);
        const char *txt = OGR_F_IsFieldSetAndNotNull(f, i) ? OGR_F_GetFieldAsString(f, i) : NULL;
        char *end = NULL;
        levels = txt ? strtod(txt, &end) : NAN;
        if (!txt || end == txt || !isfinite(levels) || levels <= 0)
            levels = NAN; /* unknown: one level */
    }
    if (problem.en[0]) {
        st = feature_issue(ctx, s, id, &problem, SV_ISSUE_SKIPPED);
        free(id);
        return st;
    }
    int unclosed = roles[s->role].points == 2 ? 0 : unclosed_rings(g);
    if (unclosed) {
        /* GEOS would refuse the whole geometry; a ring meant to be closed is */
        sv_msg_addn(&problem, "has %d unclosed ring: closed by repeating its first point",
                    "has %d unclosed rings: closed by repeating its first point", (unsigned long)unclosed, unclosed);
        if ((st = feature_issue(ctx, s, id, &problem, SV_ISSUE_REPAIRED)) != SV_OK) {
            free(id);
            return st;
        }
        OGR_G_CloseRings(g);
    }
    if (s->n == s->cap) {
        if (sv_grow(&s->feat, &s->cap, s->n + 1, sizeof *s->feat, 256) != 0) {
            free(id);
            return SV_ERR_NOMEM;
        }
    }
    raw_feature *r = &s->feat[s->n];
    r->seq = s->n;
    r->geom = OGR_F_StealGeometry(f);
    r->id = id;
    r->name = field_text(s, f, s->name_field, 1, id);
    if (!r->name)
        r->name = sv_strdup(id);
    r->category = field_text(s, f, s->category_field, 2, id);
    r->oneway = field_text(s, f, s->oneway_field, -1, id);
    r->maxspeed = field_text(s, f, s->maxspeed_field, -1, id);
    r->services = field_text(s, f, s->services_field, -1, id);
    r->hours = field_text(s, f, s->hours_field, -1, id);
    r->weight = weight;
    r->levels = levels;
    r->fid = fid;
    if (!r->geom || !r->name) {
        OGR_G_DestroyGeometry(r->geom);
        free(r->id);
        free(r->name);
        free(r->category);
        free(r->services);
        free(r->hours);
        return SV_ERR_NOMEM;
    }
    s->n++;
    /* xgettext:c-format */
    static const char *const not_utf8[] = {SV_N_("has id text that is not UTF-8 (the bytes that are not were "
                                                 "replaced by U+FFFD); give the file's encoding with %s-encoding NAME"),
                                           /* xgettext:c-format */
                                           SV_N_("has name text that is not UTF-8 (the bytes that are not were "
                                                 "replaced by U+FFFD); give the file's encoding with %s-encoding NAME"),
                                           /* xgettext:c-format */
                                           SV_N_("has category text that is not UTF-8 (the bytes that are not were "
                                                 "replaced by U+FFFD); give the file's encoding with %s-encoding NAME")};
    for (int k = 0; k < 3 && st == SV_OK; k++)
        if (s->text[k].repaired_now) {
            sv_msg_init(&problem, sv_ctx_lang(ctx));
            sv_msg_add(&problem, not_utf8[k], roles[s->role].option);
            st = sv_issue_add_msg(ctx, s->path, s->layer_name, id, &problem, SV_ISSUE_REPAIRED);
        }
    return st;
}

/* After reading: say by field what was found in text that is not UTF-8. */
static void encoding_warnings(sv_ctx *ctx, sv_source *s)
{
    const char *fields[3] = {s->id_field, s->name_field, s->category_field};
    for (int k = 0; k < 3; k++) {
        if (!s->text[k].n_bad || !fields[k])
            continue;
        size_t n = s->text[k].n_bad;
        if (s->text[k].n_decoded)
            sv_warning(ctx, "%s: layer '%s', field '%s': %zu value%s read as GBK (CP936) Chinese (--encoding auto; "
                       "%s)", s->path, s->layer_name, fields[k], s->text[k].n_decoded,
                       s->text[k].n_decoded == 1 ? "" : "s", s->enc_how);
        else if (s->text[k].n_gbk && s->latin1)
            sv_warning(ctx, "%s: layer '%s', field '%s': %zu value%s (e.g. feature %s) were decoded as ISO-8859-1 "
                       "(%s) but the bytes are GBK Chinese; give %s-encoding CP936 (or --encoding auto) to read "
                       "them as Chinese", s->path, s->layer_name, fields[k], n, n == 1 ? "" : "s",
                       s->text[k].example, s->enc_how, roles[s->role].option);
        else if (s->text[k].n_gbk)
            sv_warning(ctx, "%s: layer '%s', field '%s': %zu value%s (e.g. feature %s) are not UTF-8 (%s) and read "
                       "as GBK Chinese; give %s-encoding CP936 (or --encoding auto) to read them as Chinese; without "
                       "it the bytes that are not UTF-8 are stored as U+FFFD", s->path, s->layer_name, fields[k], n,
                       n == 1 ? "" : "s", s->text[k].example, s->enc_how, roles[s->role].option);
        else
            sv_warning(ctx, "%s: layer '%s', field '%s': %zu value%s (e.g. feature %s) are not UTF-8 (%s); give "
                       "the file's encoding with %s-encoding NAME (e.g. CP1252, BIG5); the bytes that are not "
                       "UTF-8 are stored as U+FFFD", s->path, s->layer_name, fields[k], n, n == 1 ? "" : "s",
                       s->text[k].example, s->enc_how, roles[s->role].option);
    }
}

/* GCJ-02/BD-09 lon/lat to WGS 84, every vertex, before anything looks at
 * the coordinates (the lon/lat bounds that choose the CRS, projection). */
static sv_status convert_coords(sv_ctx *ctx, sv_source *s)
{
    const char *opt = s->coords_option ? s->coords_option : "--coords";
    const char *sys = sv_coords_name(s->coords);
    if (s->srs && !OSRIsGeographic(s->srs)) {
        const char *auth = OSRGetAuthorityName(s->srs, NULL), *code = OSRGetAuthorityCode(s->srs, NULL);
        const char *name = OSRGetName(s->srs);
        return sv_error(ctx, SV_ERR_USAGE,
                        "%s %s: %s file '%s' (layer '%s') is in %s%s%s%s%s, a projected CRS, not lon/lat; %s and "
                        "BD-09 are lon/lat systems of web maps: give %s-coords wgs84 for this file, or the lon/lat "
                        "file as it came from the map",
                        opt, sys, role_word(ctx, s->role), s->path, s->layer_name, auth && code ? auth : "",
                        auth && code ? ":" : "", auth && code ? code : "", auth && code ? " " : "",
                        name ? name : sv_tr(sv_ctx_lang(ctx), "its CRS"), s->coords == SV_COORDS_GCJ02 ? "GCJ-02" : "BD-09",
                        roles[s->role].option);
    }
    sv_status st = SV_OK;
    for (size_t i = 0; i < s->n && st == SV_OK; i++) {
        raw_feature *r = &s->feat[i];
        int nonfinite = 0, not_lonlat = 0;
        scan_coords(r->geom, &nonfinite, &not_lonlat);
        if (not_lonlat)
            return sv_error(ctx, SV_ERR_USAGE,
                            "%s %s: %s file '%s' (layer '%s') has no CRS and feature %s is not lon/lat (outside "
                            "-180..180, -90..90); give %s-coords wgs84 for this file, or assign its CRS",
                            opt, sys, role_word(ctx, s->role), s->path, s->layer_name, r->id, roles[s->role].option);
        int size = OGR_G_WkbSize(r->geom);
        unsigned char *wkb = sv_malloc(size > 0 ? (size_t)size : 1);
        if (!wkb)
            return SV_ERR_NOMEM;
        OGR_G_ExportToIsoWkb(r->geom, wkbNDR, wkb);
        char what[512];
        snprintf(what, sizeof what, "%s layer '%s' feature %s", s->path, s->layer_name, r->id);
        st = sv_coords_convert_wkb(ctx, s->coords, SV_COORDS_WGS84, wkb, (size_t)size, what, NULL);
        OGRGeometryH g = NULL;
        if (st == SV_OK && OGR_G_CreateFromWkb(wkb, NULL, &g, size) != OGRERR_NONE)
            st = sv_error(ctx, SV_ERR_INTERNAL, "%s: the converted geometry cannot be read back", what);
        free(wkb);
        if (st == SV_OK) {
            OGR_G_DestroyGeometry(r->geom);
            r->geom = g;
        }
    }
    return st;
}

static const char *const names[] = {"name", NULL};
static const char *const categories[] = {"category", "services", "amenity", NULL};
static const char *const weights[] = {"weight", NULL};
static const char *const levels[] = {"building:levels", "levels", "building_levels", NULL};
static const char *const highways[] = {"highway", NULL};
static const char *const oneways[] = {"oneway", NULL};
static const char *const maxspeeds[] = {"maxspeed", NULL};
static const char *const station_services[] = {"services", NULL};
static const char *const merchant_offers[] = {"offers", "offer", "services", NULL};
static const char *const hours[] = {"opening_hours", "hours", NULL};

/* A path GDAL would fetch over the network: its virtual file systems for URLs and cloud storage
 * (also inside /vsizip/ and the like) and plain URLs (which GDAL opens through /vsicurl/). */
static const char *network_path(const char *path)
{
    static const char *const vsi[] = {"/vsicurl",  "/vsis3",    "/vsigs",      "/vsiaz",   "/vsiadls",
                                      "/vsioss",   "/vsiswift", "/vsiwebhdfs", "/vsihdfs", "http://",
                                      "https://",  "ftp://",    "ftps://",     NULL};
    for (const char *p = path; p && *p; p++)
        for (size_t i = 0; vsi[i]; i++) {
            size_t n = strlen(vsi[i]);
            if (strncasecmp(p, vsi[i], n) != 0)
                continue;
            /* /vsis3/ or /vsis3_streaming/, not a folder /data/vsis3backup/ */
            if (vsi[i][0] != '/' || p[n] == '/' || strncmp(p + n, "_streaming/", 11) == 0)
                return vsi[i];
        }
    return NULL;
}

static sv_status check_offline(sv_ctx *ctx, const char *option, const char *path)
{
    const char *how = network_path(path);
    if (!how || sv_ctx_allow_network(ctx))
        return SV_OK;
    return sv_error(ctx, SV_ERR_USAGE,
                    "%s %s: %s reads from the network, and svcov works offline; download the file and "
                    "give its local path, or add --allow-network", option, path, how);
}

sv_status sv_source_open(sv_ctx *ctx, const sv_source_opts *o, sv_role role, sv_source **out)
{
    *out = NULL;
    gdal_init();
    sv_source *s = sv_calloc(1, sizeof *s);
    if (!s)
        return SV_ERR_NOMEM;
    s->role = role;
    s->strict = o->strict;
    s->coords = o->coords;
    s->coords_option = o->coords_option;
    s->encoding_option = o->encoding_option;
    snprintf(s->enc_how, sizeof s->enc_how, "%s", sv_tr(sv_ctx_lang(ctx), "the file declares no encoding"));
    sv_status st = SV_OK;
    GDALDatasetH ds = NULL;
    char **open_opts = NULL;

    if (!o->spec || !*o->spec) {
        st = sv_error(ctx, SV_ERR_USAGE, "%s is required (a file GDAL reads, e.g. %s.geojson)",
                      roles[role].option, roles[role].word);
        goto done;
    }
    /* before anything stats the path: VSIStatL on a URL already fetches it */
    if ((st = check_offline(ctx, roles[role].option, o->spec)) != SV_OK)
        goto done;
    split_spec(o->spec, &s->path, &s->layer_name);
    if (!s->path) {
        st = SV_ERR_NOMEM;
        goto done;
    }
    if (!path_exists(s->path) && strncmp(s->path, "/vsi", 4) != 0) {
        st = sv_error(ctx, SV_ERR_INPUT, "%s file '%s' not found; check the path given to %s",
                      role_word(ctx, role), s->path, roles[role].option);
        goto done;
    }
    int shapefile = has_ext(s->path, "shp") || has_ext(s->path, "dbf") || has_ext(s->path, "shz") ||
                    has_ext(s->path, "shp.zip");
    if (o->encoding && strcasecmp(o->encoding, "auto") == 0) {
        s->enc_auto = 1;
    } else if (o->encoding) {
        if (!encoding_known(o->encoding)) {
            st = sv_error(ctx, SV_ERR_USAGE, "%s %s: not an encoding GDAL (iconv) knows; give e.g. CP936 (GBK), "
                          "GB18030, BIG5, CP1252 or UTF-8 (iconv -l lists them), or auto",
                          o->encoding_option ? o->encoding_option : "--encoding", o->encoding);
            goto done;
        }
        char cpg[4200];
        snprintf(cpg, sizeof cpg, "%.*s.cpg", (int)(strlen(s->path) - 4), s->path);
        int global = !o->encoding_option || strcmp(o->encoding_option, "--encoding") == 0;
        if (shapefile && !(global && has_ext(s->path, "shp") && path_exists(cpg)))
            open_opts = CSLSetNameValue(open_opts, "ENCODING", o->encoding); /* else the .cpg says it */
        else if (strcasecmp(o->encoding, "UTF-8") != 0 && strcasecmp(o->encoding, "UTF8") != 0 &&
                 !(s->recode_from = sv_strdup(o->encoding))) {
            st = SV_ERR_NOMEM;
            goto done;
        }
    }
    if (has_ext(s->path, "csv")) {
        open_opts = CSLAddString(open_opts, "X_POSSIBLE_NAMES=lon,lng,long,longitude,x");
        open_opts = CSLAddString(open_opts, "Y_POSSIBLE_NAMES=lat,latitude,y");
        open_opts = CSLAddString(open_opts, "GEOM_POSSIBLE_NAMES=wkt,geom,geometry,the_geom");
        open_opts = CSLAddString(open_opts, "KEEP_GEOM_COLUMNS=NO");
    }
    char osmconf[4200];
    if ((has_ext(s->path, "pbf") || has_ext(s->path, "osm")) && osm_config_file(osmconf, sizeof osmconf))
        open_opts = CSLSetNameValue(open_opts, "CONFIG_FILE", osmconf);
    CPLErrorReset();
    /* A CRS the file declares that PROJ cannot use (GeoJSON "crs" EPSG:999999)
     * is reported while opening, then GDAL clears the error and goes on as if
     * the file said WGS 84: only a handler sees it. */
    char open_error[1024] = "";
    CPLPushErrorHandlerEx(first_failure, open_error);
    ds = GDALOpenEx(s->path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL,
                    (const char *const *)open_opts, NULL);
    CPLPopErrorHandler();
    if (ds && !open_error[0] && CPLGetLastErrorType() >= CE_Failure)
        snprintf(open_error, sizeof open_error, "%s", CPLGetLastErrorMsg());
    if (!ds) {
        const char *why = CPLGetLastErrorMsg();
        st = sv_error(ctx, SV_ERR_INPUT,
                      "%s file '%s' cannot be read as vector data%s%s; give a file in a format GDAL "
                      "reads (GeoJSON, GeoPackage, Shapefile, CSV with lon/lat, KML, FlatGeobuf, OSM .pbf)",
                      role_word(ctx, role), s->path, *why ? ": " : "", why);
        goto done;
    }
    const char *driver = GDALGetDriverShortName(GDALGetDatasetDriver(ds));
    int is_osm = strcmp(driver, "OSM") == 0;
    if (strcmp(driver, "ESRI Shapefile") == 0 && o->encoding && !s->enc_auto && !shapefile) {
        /* a folder of shapefiles, found only now: recode ourselves */
        if (!(s->recode_from = sv_strdup(o->encoding))) {
            st = SV_ERR_NOMEM;
            goto done;
        }
    }
    OGRLayerH layer = NULL;
    if (s->layer_name) {
        layer = GDALDatasetGetLayerByName(ds, s->layer_name);
        if (!layer) {
            char layers[1024];
            list_layers(ds, layers, sizeof layers);
            st = sv_error(ctx, SV_ERR_INPUT, "%s: no layer '%s'; layers are: %s (pick one with %s:LAYER)",
                          s->path, s->layer_name, layers, s->path);
            goto done;
        }
    } else if (is_osm) {
        layer = GDALDatasetGetLayerByName(ds, roles[role].osm_layer);
    } else if (GDALDatasetGetLayerCount(ds) == 1) {
        layer = GDALDatasetGetLayer(ds, 0);
    } else {
        char layers[1024];
        list_layers(ds, layers, sizeof layers);
        st = sv_error(ctx, SV_ERR_INPUT, "%s has %d layers (%s); pick one with %s:LAYER",
                      s->path, GDALDatasetGetLayerCount(ds), layers, s->path);
        goto done;
    }
    if (!layer) {
        st = sv_error(ctx, SV_ERR_INPUT, "%s has no layer to read", s->path);
        goto done;
    }
    free(s->layer_name);
    s->layer_name = sv_strdup(OGR_L_GetName(layer));
    if (strcmp(driver, "ESRI Shapefile") == 0 && (!o->encoding || s->enc_auto)) {
        /* what GDAL decoded the .dbf as, and why */
        const char *src_enc = GDALGetMetadataItem((GDALMajorObjectH)layer, "SOURCE_ENCODING", "SHAPEFILE");
        const char *cpg = GDALGetMetadataItem((GDALMajorObjectH)layer, "ENCODING_FROM_CPG", "SHAPEFILE");
        const char *ldid = GDALGetMetadataItem((GDALMajorObjectH)layer, "ENCODING_FROM_LDID", "SHAPEFILE");
        sv_lang L = sv_ctx_lang(ctx);
        /* xgettext:c-format */
        const char *how = cpg && *cpg    ? SV_N_("GDAL decoded them as %s, as the .cpg file says")
                          /* xgettext:c-format */
                          : ldid && *ldid ? SV_N_("GDAL decoded them as %s, as the .dbf code-page byte says")
                                          /* xgettext:c-format */
                                          : SV_N_("GDAL decoded them as %s, as the file says");
        if (src_enc && *src_enc)
            snprintf(s->enc_how, sizeof s->enc_how, sv_tr(L, how), src_enc);
        else
            snprintf(s->enc_how, sizeof s->enc_how, "%s",
                     sv_tr(L, "no .cpg file and the .dbf code-page byte is 0: GDAL passes the bytes as they are"));
        s->latin1 = src_enc && (strcasecmp(src_enc, CPL_ENC_ISO8859_1) == 0 || strcasecmp(src_enc, "LATIN1") == 0);
    }

    OGRwkbGeometryType lt = wkbFlatten(OGR_L_GetGeomType(layer));
    if (lt == wkbNone) {
        st = sv_error(ctx, SV_ERR_INPUT, "%s: layer '%s' has no geometry; %s need %s",
                      s->path, s->layer_name, role_word(ctx, role),
                      roles[role].points == 1 ? input_word(ctx, SV_NP_("input", "points (or lon/lat columns in a CSV)"))
                                               : role_shape(ctx, role));
        goto done;
    }
    if (lt != wkbUnknown && !geom_kind_ok(role, lt)) {
        st = sv_error(ctx, SV_ERR_INPUT, "%s: layer '%s' holds %s geometries; %s must be %s",
                      s->path, s->layer_name, OGRGeometryTypeToName(lt), role_word(ctx, role),
                      input_word(ctx, roles[role].points == 1   ? SV_NP_("input", "points")
                                      : roles[role].points == 2 ? SV_NP_("input", "lines")
                                                                : SV_NP_("input", "polygons or multipolygons")));
        goto done;
    }

    OGRFeatureDefnH fd = OGR_L_GetLayerDefn(layer);
    if ((st = pick_field(ctx, s, fd, o->id_field, roles[role].ids, roles[role].id_option, &s->id_field)) != SV_OK)
        goto done;
    if ((st = pick_field(ctx, s, fd, o->name_field, names,
                         roles[role].name_option, &s->name_field)) != SV_OK)
        goto done;
    if (role == SV_ROLE_STATIONS &&
        (st = pick_field(ctx, s, fd, o->category_field, categories, "--category", &s->category_field)) != SV_OK)
        goto done;
    if ((role == SV_ROLE_STATIONS || role == SV_ROLE_MERCHANTS) &&
        ((st = pick_field(ctx, s, fd, o->services_field, role == SV_ROLE_STATIONS ? station_services : merchant_offers,
                          role == SV_ROLE_STATIONS ? "--services-field" : "--merchant-offers", &s->services_field)) !=
             SV_OK ||
         (st = pick_field(ctx, s, fd, o->hours_field, hours,
                          role == SV_ROLE_STATIONS ? "--hours-field" : "--merchant-hours", &s->hours_field)) != SV_OK))
        goto done;
    if (role == SV_ROLE_MERCHANTS && !s->name_field) {
        char fields[1024];
        list_fields(fd, fields, sizeof fields);
        st = sv_error(ctx, SV_ERR_USAGE, "%s: layer '%s' has no 'name' field, and a merchant on a poster needs its "
                      "name: name the field with --merchant-name FIELD (fields are: %s)", s->path, s->layer_name,
                      fields);
        goto done;
    }
    if (role == SV_ROLE_DEMAND &&
        ((st = pick_field(ctx, s, fd, o->weight_field, weights, "--demand-weight", &s->weight_field)) != SV_OK ||
         (st = pick_field(ctx, s, fd, o->levels_field, levels, "--levels-field", &s->levels_field)) != SV_OK))
        goto done;
    if (role == SV_ROLE_STATIONS && o->weight_field &&
        (st = pick_field(ctx, s, fd, o->weight_field, NULL, "--capacity-field", &s->weight_field)) != SV_OK)
        goto done;
    /* siting's candidates: a capacity per site (a bad value skips the site, as a bad weight does) */
    if (role == SV_ROLE_CANDIDATES && o->weight_field &&
        (st = pick_field(ctx, s, fd, o->weight_field, NULL, "--capacity-field", &s->weight_field)) != SV_OK)
        goto done;
    s->weight_option = role == SV_ROLE_DEMAND                                   ? "--demand-weight"
                       : role == SV_ROLE_STATIONS || role == SV_ROLE_CANDIDATES ? "--capacity-field"
                                                                                : "--population-field";
    if ((role == SV_ROLE_DISTRICTS || role == SV_ROLE_POPULATION) && o->weight_field &&
        (st = pick_field(ctx, s, fd, o->weight_field, NULL, "--population-field", &s->weight_field)) != SV_OK)
        goto done;
    if (role == SV_ROLE_POPULATION && !s->weight_field) {
        char fields[1024];
        list_fields(fd, fields, sizeof fields);
        st = sv_error(ctx, SV_ERR_USAGE, "%s: layer '%s': say which field holds the number of people with "
                      "--population-field FIELD; fields are: %s", s->path, s->layer_name, fields);
        goto done;
    }
    if (role == SV_ROLE_NETWORK) {
        if ((st = pick_field(ctx, s, fd, o->category_field, highways, "--highway-field", &s->category_field)) != SV_OK ||
            (st = pick_field(ctx, s, fd, NULL, oneways, "oneway", &s->oneway_field)) != SV_OK ||
            (st = pick_field(ctx, s, fd, NULL, maxspeeds, "maxspeed", &s->maxspeed_field)) != SV_OK)
            goto done;
        if (!s->category_field) {
            char fields[1024];
            list_fields(fd, fields, sizeof fields);
            st = sv_error(ctx, SV_ERR_INPUT,
                          "%s: layer '%s' has no 'highway' field, so road classes (and who may use them) are "
                          "unknown; name the class field with --highway-field (fields are: %s)",
                          s->path, s->layer_name, fields);
            goto done;
        }
    }

    if (o->where && *o->where) {
        CPLErrorReset();
        CPLPushErrorHandler(CPLQuietErrorHandler);
        OGRErr e = OGR_L_SetAttributeFilter(layer, o->where);
        CPLPopErrorHandler();
        if (e != OGRERR_NONE) {
            st = sv_error(ctx, SV_ERR_USAGE, "--where \"%s\" is not a valid filter for %s layer '%s': %s%s",
                          o->where, s->path, s->layer_name, CPLGetLastErrorMsg(),
                          /* xgettext:no-c-format */
                          is_osm ? sv_tr(sv_ctx_lang(ctx),
                                         " (OSM tags that are not fields of the layer are in other_tags: filter with "
                                         "other_tags LIKE '%\"KEY\"=>\"VALUE\"%', or make KEY a field in an "
                                         "osmconf.ini named by OSM_CONFIG_FILE)")
                                 : "");
            goto done;
        }
    }

    CPLErrorReset();
    OGRSpatialReferenceH lsrs = OGR_L_GetSpatialRef(layer); /* a .prj is read now */
    char srs_error[1024] = "";
    if (CPLGetLastErrorType() >= CE_Failure)
        snprintf(srs_error, sizeof srs_error, "%s", CPLGetLastErrorMsg());
    else if (crs_message(open_error))
        snprintf(srs_error, sizeof srs_error, "%s", open_error);
    if (srs_error[0]) {
        char prj[4200] = "";
        if (strcmp(driver, "ESRI Shapefile") == 0 && has_ext(s->path, "shp"))
            snprintf(prj, sizeof prj, " (its .prj file)");
        st = sv_error(ctx, SV_ERR_INPUT,
                      "%s file '%s', layer '%s': the CRS it declares%s cannot be used: %s; svcov will not guess "
                      "(taking the coordinates as lon/lat could put them anywhere): fix the CRS, e.g. ogr2ogr "
                      "-a_srs EPSG:XXXX fixed.gpkg %s",
                      role_word(ctx, role), s->path, s->layer_name, prj, srs_error, s->path);
        goto done;
    }
    if (lsrs) {
        s->srs = OSRClone(lsrs);
        OSRSetAxisMappingStrategy(s->srs, OAMS_TRADITIONAL_GIS_ORDER);
    }

    /* A window (a sharded run's worker): only the features that meet it, through the layer's spatial index,
     * the box transformed to the layer's CRS (densified edges). Lon/lat in GCJ-02 or BD-09 is off from WGS 84
     * by up to a kilometre: grown by 0.02 degrees. When the box cannot be transformed, every feature is read. */
    int windowed = 0;
    if (o->window && !is_osm) {
        windowed = 1;
        OGRSpatialReferenceH from = srs_epsg(o->window_epsg), to = s->srs ? s->srs : srs_epsg(4326);
        OGRCoordinateTransformationH wct = from && to ? OCTNewCoordinateTransformation(from, to) : NULL;
        double x0, y0, x1, y1;
        if (wct && OCTTransformBounds(wct, o->window[0], o->window[1], o->window[2], o->window[3], &x0, &y0, &x1,
                                      &y1, 21)) {
            double g = o->coords ? 0.02 : 0;
            OGR_L_SetSpatialFilterRect(layer, x0 - g, y0 - g, x1 + g, y1 + g);
        }
        if (wct)
            OCTDestroyCoordinateTransformation(wct);
        OSRDestroySpatialReference(from);
        if (to != s->srs)
            OSRDestroySpatialReference(to);
    }

    /* A failure GDAL reports while fetching a feature (a filter the driver
     * only runs on the first read, a damaged page) ends the reading early:
     * it is an error, never a shorter layer. */
    char read_error[1024] = "";
    CPLPushErrorHandler(CPLQuietErrorHandler);
    if (is_osm) {
        /* The OSM driver reads the file once for all layers: walk the dataset. */
        GDALDatasetResetReading(ds);
        OGRLayerH fl = NULL;
        OGRFeatureH f;
        for (;;) {
            CPLErrorReset();
            f = GDALDatasetGetNextFeature(ds, &fl, NULL, NULL, NULL);
            int failed = CPLGetLastErrorType() >= CE_Failure;
            if (!f) {
                if (failed)
                    snprintf(read_error, sizeof read_error, "%s", CPLGetLastErrorMsg());
                break;
            }
            if (fl == layer)
                st = take_feature(ctx, s, f, failed ? CPLGetLastErrorMsg() : NULL);
            OGR_F_Destroy(f);
            if (st != SV_OK)
                break;
        }
    } else {
        OGR_L_ResetReading(layer);
        OGRFeatureH f;
        /* a long read (many features, a big file) shows its progress, in steps of 1% */
        GIntBig count = OGR_L_GetFeatureCount(layer, FALSE);
        VSIStatBufL vst;
        int long_read = count >= SV_WORK_FEATURES ||
                        (VSIStatL(s->path, &vst) == 0 && (double)vst.st_size >= (double)SV_WORK_BYTES);
        size_t step = count > 100 ? (size_t)(count / 100) : 1, next = 0;
        for (;;) {
            if (long_read && s->n_read >= next) {
                sv_work(ctx, SV_N_("reading %s: %d%%"), s->path, count > 0 ? (double)s->n_read / (double)count : 0);
                next = s->n_read + step;
            }
            CPLErrorReset();
            f = OGR_L_GetNextFeature(layer);
            int failed = CPLGetLastErrorType() >= CE_Failure;
            if (!f) { /* the reading ended on an error: the rest is lost */
                if (failed)
                    snprintf(read_error, sizeof read_error, "%s", CPLGetLastErrorMsg());
                break;
            }
            st = take_feature(ctx, s, f, failed ? CPLGetLastErrorMsg() : NULL);
            OGR_F_Destroy(f);
            if (st != SV_OK)
                break;
            if ((s->n_read & 4095) == 0 && sv_ctx_interrupted(ctx)) {
                st = SV_ERR_INTERRUPTED;
                break;
            }
        }
        if (long_read && st == SV_OK && !read_error[0])
            sv_work(ctx, SV_N_("reading %s: %d%%"), s->path, 1.0);
    }
    CPLPopErrorHandler();
    /* A spatial index gives the features in its own order (a GeoPackage's R-tree): back to the layer's, as
     * without a window, so a shard sees its features in the order of the single run (the order breaks ties,
     * e.g. between stations at the same distance) */
    if (windowed && s->n > 1)
        qsort(s->feat, s->n, sizeof *s->feat, cmp_fid);
    if (st == SV_OK && read_error[0])
        st = sv_error(ctx, SV_ERR_INPUT, "%s file '%s', layer '%s': GDAL failed to read it after %zu features%s%s%s: "
                      "%s; %s", role_word(ctx, role), s->path, s->layer_name, s->n_read,
                      o->where && *o->where ? " with --where \"" : "", o->where && *o->where ? o->where : "",
                      o->where && *o->where ? "\"" : "", read_error,
                      o->where && *o->where
                          ? sv_tr(sv_ctx_lang(ctx), "check the filter's field names and quoting (a text value in "
                                                    "'single quotes'), or the file may be damaged")
                          : sv_tr(sv_ctx_lang(ctx), "the file is damaged or cut short: get a good copy (for a "
                                                    "GeoPackage, `sqlite3 FILE 'PRAGMA integrity_check'` shows the "
                                                    "damage)"));
    if (st == SV_ERR_NOMEM)
        sv_error(ctx, st, "out of memory reading %s", s->path);
    if (st == SV_OK)
        encoding_warnings(ctx, s);
    if (st == SV_OK && s->coords != SV_COORDS_WGS84)
        st = convert_coords(ctx, s);

done:
    CSLDestroy(open_opts);
    if (ds)
        GDALClose(ds);
    if (st != SV_OK) {
        sv_source_close(s);
        return st;
    }
    *out = s;
    return SV_OK;
}

void sv_source_close(sv_source *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        OGR_G_DestroyGeometry(s->feat[i].geom);
        free(s->feat[i].id);
        free(s->feat[i].name);
        free(s->feat[i].category);
        free(s->feat[i].oneway);
        free(s->feat[i].maxspeed);
        free(s->feat[i].services);
        free(s->feat[i].hours);
    }
    free(s->feat);
    if (s->srs)
        OSRDestroySpatialReference(s->srs);
    free(s->path);
    free(s->layer_name);
    free(s->id_field);
    free(s->name_field);
    free(s->category_field);
    free(s->weight_field);
    free(s->levels_field);
    free(s->oneway_field);
    free(s->maxspeed_field);
    free(s->services_field);
    free(s->hours_field);
    free(s->recode_from);
    free(s);
}

static OGRSpatialReferenceH srs_epsg(int epsg)
{
    OGRSpatialReferenceH r = OSRNewSpatialReference(NULL);
    if (r && OSRImportFromEPSG(r, epsg) != OGRERR_NONE) {
        OSRDestroySpatialReference(r);
        return NULL;
    }
    if (r)
        OSRSetAxisMappingStrategy(r, OAMS_TRADITIONAL_GIS_ORDER);
    return r;
}

/* A source without a CRS is lon/lat only if every coordinate says so. */
static sv_status ensure_srs(sv_ctx *ctx, sv_source *s)
{
    if (s->srs)
        return SV_OK;
    for (size_t i = 0; i < s->n; i++) {
        int nonfinite = 0, not_lonlat = 0;
        scan_coords(s->feat[i].geom, &nonfinite, &not_lonlat);
        if (not_lonlat)
            return sv_error(ctx, SV_ERR_INPUT,
                            "%s: layer '%s' has no CRS and its coordinates are not lon/lat "
                            "(feature %s is outside -180..180, -90..90; latitude and longitude swapped?); "
                            "assign the CRS, e.g. "
                            "ogr2ogr -a_srs EPSG:XXXX out.gpkg %s",
                            s->path, s->layer_name, s->feat[i].id, s->path);
    }
    s->srs = srs_epsg(4326);
    return s->srs ? SV_OK : sv_error(ctx, SV_ERR_INTERNAL, "cannot create EPSG:4326 (PROJ database missing?)");
}

sv_status sv_source_lonlat_bounds(sv_ctx *ctx, sv_source *s, sv_env *out)
{
    sv_status st = ensure_srs(ctx, s);
    if (st != SV_OK)
        return st;
    if (s->n == 0)
        return SV_ERR_DATA;
    OGREnvelope all = {0}, e;
    for (size_t i = 0; i < s->n; i++) {
        OGR_G_GetEnvelope(s->feat[i].geom, &e);
        if (i == 0)
            all = e;
        else {
            all.MinX = fmin(all.MinX, e.MinX);
            all.MinY = fmin(all.MinY, e.MinY);
            all.MaxX = fmax(all.MaxX, e.MaxX);
            all.MaxY = fmax(all.MaxY, e.MaxY);
        }
    }
    OGRSpatialReferenceH wgs = srs_epsg(4326);
    OGRCoordinateTransformationH ct = wgs ? OCTNewCoordinateTransformation(s->srs, wgs) : NULL;
    if (!ct) {
        if (wgs)
            OSRDestroySpatialReference(wgs);
        return sv_error(ctx, SV_ERR_INPUT, "%s: layer '%s': its CRS cannot be transformed to lon/lat",
                        s->path, s->layer_name);
    }
    double xs[5] = {all.MinX, all.MaxX, all.MinX, all.MaxX, (all.MinX + all.MaxX) / 2};
    double ys[5] = {all.MinY, all.MinY, all.MaxY, all.MaxY, (all.MinY + all.MaxY) / 2};
    int ok[5] = {0};
    OCTTransformEx(ct, 5, xs, ys, NULL, ok);
    int any = 0;
    for (int i = 0; i < 5; i++) {
        if (!ok[i] || !isfinite(xs[i]) || !isfinite(ys[i]))
            continue;
        if (!any) {
            out->xmin = out->xmax = xs[i];
            out->ymin = out->ymax = ys[i];
            any = 1;
        } else {
            sv_env_add_point(out, xs[i], ys[i]);
        }
    }
    OCTDestroyCoordinateTransformation(ct);
    OSRDestroySpatialReference(wgs);
    if (!any)
        return sv_error(ctx, SV_ERR_INPUT, "%s: layer '%s': its extent cannot be transformed to lon/lat",
                        s->path, s->layer_name);
    return SV_OK;
}

sv_status sv_source_project(sv_ctx *ctx, sv_source *s, int epsg, sv_featureset *out)
{
    memset(out, 0, sizeof *out);
    sv_status st = ensure_srs(ctx, s);
    if (st != SV_OK)
        return st;
    out->path = sv_strdup(s->path);
    out->layer = sv_strdup(s->layer_name);
    out->id_field = sv_strdup(s->id_field);
    out->name_field = sv_strdup(s->name_field);
    out->category_field = sv_strdup(s->category_field);
    out->weight_field = sv_strdup(s->weight_field);
    out->n_read = s->n_read;
    out->epsg = epsg;
    {
        char *wkt = NULL;
        if (OSRExportToWkt(s->srs, &wkt) == OGRERR_NONE && wkt)
            out->srs_wkt = sv_strdup(wkt);
        CPLFree(wkt);
        const char *auth = OSRGetAuthorityName(s->srs, NULL), *code = OSRGetAuthorityCode(s->srs, NULL);
        const char *name = OSRGetName(s->srs);
        char buf[256];
        if (auth && code)
            snprintf(buf, sizeof buf, "%s:%s", auth, code);
        else
            snprintf(buf, sizeof buf, "%s", name && *name ? name : "its own CRS");
        out->srs_name = sv_strdup(buf);
    }
    out->items = sv_calloc(s->n ? s->n : 1, sizeof *out->items);
    if (!out->path || !out->layer || !out->items)
        return SV_ERR_NOMEM;

    OGRSpatialReferenceH dst = srs_epsg(epsg);
    OGRCoordinateTransformationH ct = dst ? OCTNewCoordinateTransformation(s->srs, dst) : NULL;
    if (!ct) {
        if (dst)
            OSRDestroySpatialReference(dst);
        return sv_error(ctx, SV_ERR_INPUT, "%s: layer '%s': no transformation from its CRS to EPSG:%d",
                        s->path, s->layer_name, epsg);
    }
    CPLPushErrorHandler(CPLQuietErrorHandler);
    for (size_t i = 0; i < s->n && st == SV_OK; i++) {
        raw_feature *r = &s->feat[i];
        OGRGeometryH g = OGR_G_Clone(r->geom);
        if (!g) {
            st = SV_ERR_NOMEM;
            break;
        }
        OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
        if (s->role == SV_ROLE_NETWORK) {
            if (t != wkbLineString && t != wkbMultiLineString)
                g = OGR_G_ForceTo(g, wkbMultiLineString, NULL);
        } else if (t == wkbCurvePolygon || t == wkbMultiSurface || t == wkbGeometryCollection) {
            g = OGR_G_ForceTo(g, wkbMultiPolygon, NULL);
        }
        const char *problem = NULL;
        if (!g || OGR_G_IsEmpty(g))
            problem = s->role == SV_ROLE_NETWORK ? SV_N_("has no line part") : SV_N_("has no polygon part");
        else if (OGR_G_Transform(g, ct) != OGRERR_NONE)
            problem = SV_N_("cannot be transformed to the analysis CRS (coordinates out of the projection's range)");
        if (!problem) {
            int nonfinite = 0, dummy = 0;
            scan_coords(g, &nonfinite, &dummy);
            if (nonfinite)
                problem = SV_N_("transforms to non-finite coordinates");
        }
        if (problem) {
            sv_msg m;
            sv_msg_init(&m, sv_ctx_lang(ctx));
            sv_msg_put(&m, problem);
            st = feature_issue(ctx, s, r->id, &m, SV_ISSUE_SKIPPED);
            if (g)
                OGR_G_DestroyGeometry(g);
            continue;
        }
        OGR_G_FlattenTo2D(g);
        int size = OGR_G_WkbSize(g);
        sv_feature *f = &out->items[out->n];
        f->wkb = sv_malloc(size > 0 ? (size_t)size : 1);
        f->id = sv_strdup(r->id);
        f->name = sv_strdup(r->name);
        f->category = sv_strdup(r->category);
        f->fid = r->fid;
        f->weight = r->weight;
        f->levels = r->levels;
        f->oneway = sv_strdup(r->oneway);
        f->maxspeed = sv_strdup(r->maxspeed);
        f->services = sv_strdup(r->services);
        f->hours = sv_strdup(r->hours);
        f->wkb_len = (size_t)size;
        if (!f->wkb || !f->id || !f->name || (r->category && !f->category) || (r->services && !f->services) ||
            (r->hours && !f->hours)) {
            free(f->wkb);
            free(f->id);
            free(f->name);
            free(f->category);
            free(f->services);
            free(f->hours);
            OGR_G_DestroyGeometry(g);
            st = SV_ERR_NOMEM;
            break;
        }
        OGR_G_ExportToIsoWkb(g, wkbNDR, f->wkb);
        OGR_G_DestroyGeometry(g);
        out->n++;
    }
    CPLPopErrorHandler();
    OCTDestroyCoordinateTransformation(ct);
    OSRDestroySpatialReference(dst);
    return st;
}

int sv_featureset_to_source(const sv_featureset *fs, double x, double y, double *sx, double *sy)
{
    if (!fs->srs_wkt || fs->epsg <= 0)
        return -1;
    OGRSpatialReferenceH from = srs_epsg(fs->epsg), to = OSRNewSpatialReference(fs->srs_wkt);
    OGRCoordinateTransformationH ct = NULL;
    if (from && to) {
        OSRSetAxisMappingStrategy(to, OAMS_TRADITIONAL_GIS_ORDER);
        CPLPushErrorHandler(CPLQuietErrorHandler);
        ct = OCTNewCoordinateTransformation(from, to);
        CPLPopErrorHandler();
    }
    int ok = ct && OCTTransform(ct, 1, &x, &y, NULL) && isfinite(x) && isfinite(y);
    if (ok) {
        *sx = x;
        *sy = y;
    }
    if (ct)
        OCTDestroyCoordinateTransformation(ct);
    if (from)
        OSRDestroySpatialReference(from);
    if (to)
        OSRDestroySpatialReference(to);
    return ok ? 0 : -1;
}

void sv_feature_clear(sv_feature *f)
{
    free(f->id);
    free(f->name);
    free(f->category);
    free(f->oneway);
    free(f->maxspeed);
    free(f->services);
    free(f->hours);
    free(f->wkb);
    memset(f, 0, sizeof *f);
}

void sv_featureset_free(sv_featureset *fs)
{
    if (!fs)
        return;
    free(fs->srs_wkt);
    free(fs->srs_name);
    for (size_t i = 0; i < fs->n; i++)
        sv_feature_clear(&fs->items[i]);
    free(fs->items);
    free(fs->path);
    free(fs->layer);
    free(fs->id_field);
    free(fs->name_field);
    free(fs->category_field);
    free(fs->weight_field);
    memset(fs, 0, sizeof *fs);
}

/* ---- for gdal_export.c and gdal_raster.c (adapters/gdal_shared.h) ---- */

void sv_gdal_init(void)
{
    gdal_init();
}

int sv_gdal_has_ext(const char *path, const char *ext)
{
    return has_ext(path, ext);
}

OGRSpatialReferenceH sv_gdal_srs_epsg(int epsg)
{
    return srs_epsg(epsg);
}

sv_status sv_gdal_check_offline(sv_ctx *ctx, const char *option, const char *path)
{
    return check_offline(ctx, option, path);
}
