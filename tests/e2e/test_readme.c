/* test_readme.c - every command README.md shows under "Using it" and "Maps
 * people can look at", run in order, as written, in a temporary folder that
 * holds the files the README names, made from the shared Andorra data
 * (../shared/realdata/andorra) and the demo city (geodata/).
 *
 * The commands are read from README.md itself. Every file a command reads
 * must be in `inputs` below (or be written by an earlier command): a new
 * README command that reads a file the table does not know fails the test
 * instead of being skipped. Skipped (exit 77) without ../shared. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>

#include "svtest.h"

#include <cpl_conv.h>
#include <gdal.h>
#include <gdal_utils.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#ifndef SVCOV_SHARED_DIR
#define SVCOV_SHARED_DIR "../shared"
#endif

static char andorra[4096];

/* How each file the README reads is made in the temporary folder. */
typedef enum {
    LINK,       /* a symbolic link to the shared file */
    GPKG,       /* the shared layer converted to a GeoPackage (layer name: `layer`, else the file's) */
    DEMO,       /* a link to the file of the same name in the source tree */
    POP_RASTER, /* a GeoTIFF of people over Andorra (lon/lat, 0.005 degree cells) */
} how;

static const struct {
    const char *readme_name;
    how how;
    const char *from;  /* under realdata/andorra (LINK, GPKG) or the source tree (DEMO) */
    const char *layer; /* GPKG: the layer name the README gives */
} inputs[] = {
    {"stations.geojson", LINK, "stations.geojson", NULL},
    {"districts.geojson", LINK, "districts.geojson", NULL},
    {"buildings.geojson", LINK, "buildings.geojson", NULL},
    {"andorra.osm.pbf", LINK, "andorra.osm.pbf", NULL},
    {"districts.gpkg", GPKG, "districts.geojson", "parishes"},
    {"stations.gpkg", GPKG, "stations.geojson", NULL},
    {"roads.gpkg", GPKG, "roads.geojson", NULL},
    {"sites.gpkg", GPKG, "siting/candidates.geojson", NULL},
    {"homes.gpkg", GPKG, "siting/demand.geojson", NULL},
    {"worldpop.tif", POP_RASTER, NULL, NULL},
    {"geodata/stations.geojson", DEMO, "geodata/stations.geojson", NULL},
    {"geodata/districts.geojson", DEMO, "geodata/districts.geojson", NULL},
};
#define N_INPUTS (sizeof inputs / sizeof inputs[0])

/* Options whose value is a file the command reads (PATH or PATH:LAYER). */
static const char *const reading_options[] = {"--stations", "--districts", "--network", "--demand",
                                              "--candidates", "--population", "--population-raster",
                                              "--speeds", "--db", NULL};
/* Options whose value is a file or folder the command writes. */
static const char *const writing_options[] = {"--out", "--html", "--atlas", "--all-districts", NULL};

static int in_list(const char *const *list, const char *s)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(list[i], s) == 0)
            return 1;
    return 0;
}

/* ---- the commands of README.md ---- */

#define MAX_CMDS 64
#define MAX_ARGS 48

typedef struct {
    char *line;             /* as the README shows it, continuation lines joined */
    char *argv[MAX_ARGS];   /* the words, quotes removed */
    int argc;
} command;

static command cmds[MAX_CMDS];
static size_t n_cmds;

/* Split a shell line into words: blanks separate, '...' and "..." quote,
 * a '#' that starts a word begins a comment. */
static void split_words(command *c)
{
    const char *p = c->line;
    while (*p) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p || *p == '#')
            break;
        char word[4096];
        size_t k = 0;
        while (*p && *p != ' ' && *p != '\t') {
            if (*p == '\'' || *p == '"') {
                char q = *p++;
                while (*p && *p != q && k + 1 < sizeof word)
                    word[k++] = *p++;
                if (*p != q)
                    fail_msg("README.md: unbalanced quote in: %s", c->line);
                p++;
            } else if (k + 1 < sizeof word) {
                word[k++] = *p++;
            }
        }
        word[k] = '\0';
        if (c->argc + 1 >= MAX_ARGS)
            fail_msg("README.md: more than %d words in: %s", MAX_ARGS - 1, c->line);
        c->argv[c->argc++] = strdup(word);
    }
    c->argv[c->argc] = NULL;
}

/* The commands inside ```sh blocks of the section headed `title`. */
static void read_section(const char *readme, const char *title)
{
    char head[256];
    snprintf(head, sizeof head, "\n## %s\n", title);
    const char *sec = strstr(readme, head);
    if (!sec)
        fail_msg("README.md has no section \"## %s\"", title);
    sec += strlen(head);
    const char *end = strstr(sec, "\n## ");
    if (!end)
        end = sec + strlen(sec);
    int in_code = 0;
    char joined[8192] = "";
    for (const char *p = sec; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        char line[4096];
        snprintf(line, sizeof line, "%.*s", (int)len, p);
        p += len + (nl ? 1 : 0);
        if (strncmp(line, "```", 3) == 0) {
            in_code = !in_code && strcmp(line, "```sh") == 0;
            continue;
        }
        if (!in_code)
            continue;
        size_t l = strlen(line);
        int more = l > 0 && line[l - 1] == '\\';
        if (more)
            line[l - 1] = '\0';
        const char *from = line;
        while (*joined && *from == ' ')
            from++; /* a continuation line's indent */
        strncat(joined, from, sizeof joined - strlen(joined) - 1);
        if (more)
            continue;
        const char *t = joined;
        while (*t == ' ')
            t++;
        if (*t && *t != '#') {
            assert_true(n_cmds < MAX_CMDS);
            command *c = &cmds[n_cmds++];
            c->line = strdup(t);
            split_words(c);
        }
        joined[0] = '\0';
    }
}

/* ---- the input files ---- */

static void make_pop_raster(const char *path)
{
    GDALDriverH drv = GDALGetDriverByName("GTiff");
    assert_non_null(drv);
    GDALDatasetH ds = GDALCreate(drv, path, 80, 50, 1, GDT_Float32, NULL);
    assert_non_null(ds);
    double gt[6] = {1.40, 0.005, 0, 42.66, 0, -0.005};
    assert_int_equal(GDALSetGeoTransform(ds, gt), CE_None);
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    assert_int_equal(OSRImportFromEPSG(srs, 4326), OGRERR_NONE);
    char *wkt = NULL;
    OSRExportToWkt(srs, &wkt);
    assert_int_equal(GDALSetProjection(ds, wkt), CE_None);
    CPLFree(wkt);
    OSRDestroySpatialReference(srs);
    float row[80];
    GDALRasterBandH b = GDALGetRasterBand(ds, 1);
    for (int y = 0; y < 50; y++) {
        for (int x = 0; x < 80; x++)
            row[x] = (float)(5 + (x * 7 + y * 3) % 40); /* 5..44 people a cell */
        assert_int_equal(GDALRasterIO(b, GF_Write, 0, y, 80, 1, row, 80, 1, GDT_Float32, 0, 0), CE_None);
    }
    GDALClose(ds);
}

static void make_input(size_t i)
{
    const char *dst = svt_path(inputs[i].readme_name);
    char src[8192];
    if (strchr(inputs[i].readme_name, '/')) {
        char dir[4300];
        snprintf(dir, sizeof dir, "%s", dst);
        *strrchr(dir, '/') = '\0';
        mkdir(dir, 0755);
    }
    switch (inputs[i].how) {
    case LINK:
        snprintf(src, sizeof src, "%s/%s", andorra, inputs[i].from);
        assert_int_equal(symlink(src, dst), 0);
        break;
    case DEMO:
        snprintf(src, sizeof src, "%s/%s", SVCOV_SOURCE_DIR, inputs[i].from);
        assert_int_equal(symlink(src, dst), 0);
        break;
    case GPKG: {
        snprintf(src, sizeof src, "%s/%s", andorra, inputs[i].from);
        GDALDatasetH in = GDALOpenEx(src, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
        assert_non_null(in);
        char *argv[] = {(char *)"-f", (char *)"GPKG", inputs[i].layer ? (char *)"-nln" : NULL,
                        (char *)inputs[i].layer, NULL};
        GDALVectorTranslateOptions *o = GDALVectorTranslateOptionsNew(argv, NULL);
        assert_non_null(o);
        int err = 0;
        GDALDatasetH out = GDALVectorTranslate(dst, NULL, 1, &in, o, &err);
        assert_non_null(out);
        assert_int_equal(err, 0);
        GDALClose(out);
        GDALVectorTranslateOptionsFree(o);
        GDALClose(in);
        break;
    }
    case POP_RASTER:
        make_pop_raster(dst);
        break;
    }
}

/* The file part of PATH[:LAYER] (a path that names a file as given wins). */
static void file_of(const char *value, char *buf, size_t len)
{
    snprintf(buf, len, "%s", value);
    char *colon = strrchr(buf, ':');
    for (size_t i = 0; colon && i < N_INPUTS; i++)
        if (strcmp(inputs[i].readme_name, buf) == 0)
            return;
    if (colon)
        *colon = '\0';
}

/* ---- the test ---- */

static int group_setup(void **state)
{
    (void)state;
    GDALAllRegister();
    return svt_make_dir("readme");
}

static int group_teardown(void **state)
{
    (void)state;
    svt_run_free();
    svt_remove_dir();
    return 0;
}

/* The number of stations the shared stations.geojson has under a --where
 * (the same amenity points GDAL reads from andorra.osm.pbf). */
static long long stations_where(const char *where)
{
    char path[4300];
    snprintf(path, sizeof path, "%s/stations.geojson", andorra);
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH l = GDALDatasetGetLayer(ds, 0);
    assert_int_equal(OGR_L_SetAttributeFilter(l, where), OGRERR_NONE);
    long long n = OGR_L_GetFeatureCount(l, 1);
    GDALClose(ds);
    return n;
}

static void test_readme_commands(void **state)
{
    (void)state;
    char *readme = svt_read(SVCOV_SOURCE_DIR "/README.md", NULL);
    assert_non_null(readme);
    read_section(readme, "Using it");
    size_t n_using = n_cmds;
    read_section(readme, "Maps people can look at");
    free(readme);
    /* what the README showed when this test was written: 12 + 7 */
    if (n_using < 10 || n_cmds - n_using < 6)
        fail_msg("found only %zu + %zu commands in README.md; did the sections or their ```sh blocks move?",
                 n_using, n_cmds - n_using);

    /* every file a command reads is known, before anything runs */
    char written[MAX_CMDS * 2][256];
    size_t n_written = 0;
    int made[N_INPUTS] = {0};
    for (size_t c = 0; c < n_cmds; c++) {
        command *k = &cmds[c];
        if (strcmp(k->argv[0], "mkdir") == 0 && k->argc == 3 && strcmp(k->argv[1], "-p") == 0)
            continue;
        if (strcmp(k->argv[0], "svcov") != 0)
            fail_msg("README.md shows a command this test cannot run (only svcov and mkdir -p): %s", k->line);
        for (int a = 1; a + 1 < k->argc; a++) {
            char f[4096];
            if (in_list(writing_options, k->argv[a]) && n_written < sizeof written / sizeof written[0]) {
                snprintf(written[n_written++], sizeof written[0], "%s", k->argv[a + 1]);
                continue;
            }
            if (!in_list(reading_options, k->argv[a]))
                continue;
            file_of(k->argv[a + 1], f, sizeof f);
            int known = 0;
            for (size_t i = 0; i < N_INPUTS && !known; i++)
                if (strcmp(inputs[i].readme_name, f) == 0)
                    known = made[i] = 1;
            for (size_t w = 0; w < n_written && !known; w++)
                known = strcmp(written[w], f) == 0;
            if (!known)
                fail_msg("README.md: \"%s\" reads %s, which no earlier command writes and the table `inputs` "
                         "of tests/test_readme.c does not make from the shared data; add it there",
                         k->line, f);
        }
    }
    for (size_t i = 0; i < N_INPUTS; i++)
        if (made[i])
            make_input(i);

    /* run them in order, in the temporary folder, as written */
    char cwd[4096];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(svt_dir), 0);
    for (size_t c = 0; c < n_cmds; c++) {
        command *k = &cmds[c];
        printf("README: %s\n", k->line);
        if (strcmp(k->argv[0], "mkdir") == 0) {
            assert_int_equal(mkdir(k->argv[2], 0755) == 0 || errno == EEXIST, 1);
            continue;
        }
        int st = svt_runv((const char *const *)k->argv + 1);
        if (st != 0)
            fail_msg("README.md's command exited %d:\n%s\n--- stderr:\n%s--- stdout:\n%s", st, k->line,
                     svt_last.err, svt_last.out);
        for (int a = 1; a + 1 < k->argc; a++) {
            if (!in_list(writing_options, k->argv[a]))
                continue;
            struct stat sb;
            const char *o = k->argv[a + 1];
            if (stat(o, &sb) != 0)
                fail_msg("README.md's command did not write %s: %s", o, k->line);
            if (S_ISDIR(sb.st_mode)) {
                DIR *d = opendir(o);
                int files = 0;
                for (struct dirent *e; d && (e = readdir(d)) != NULL;)
                    files += e->d_name[0] != '.';
                if (d)
                    closedir(d);
                if (files == 0)
                    fail_msg("README.md's command wrote nothing into %s: %s", o, k->line);
            } else if (sb.st_size == 0) {
                fail_msg("README.md's command wrote an empty %s: %s", o, k->line);
            }
        }
    }

    /* the OSM example picks the shelters and toilets of andorra.osm.pbf by
     * their amenity tag, as the GeoJSON extract of the same points has them */
    int osm = 0;
    for (size_t c = 0; c < n_cmds && !osm; c++) {
        command *k = &cmds[c];
        const char *out = NULL, *where = NULL;
        for (int a = 1; a + 1 < k->argc; a++) {
            if (strcmp(k->argv[a], "--stations") == 0 && strstr(k->argv[a + 1], ".osm.pbf"))
                osm = 1;
            if (strcmp(k->argv[a], "--where") == 0)
                where = k->argv[a + 1];
            if (strcmp(k->argv[a], "--out") == 0)
                out = k->argv[a + 1];
        }
        if (!osm)
            continue;
        assert_non_null(where);
        assert_non_null(out);
        long long want = stations_where(where);
        assert_true(want > 0);
        sqlite3 *db = svt_db_open(out);
        assert_int_equal(svt_db_int(db, "SELECT n_stations FROM runs"), want);
        assert_int_equal(svt_db_int(db, "SELECT count(*) FROM stations"), want);
        assert_string_equal(svt_db_text(db, "SELECT category_field FROM runs"), "amenity");
        assert_int_equal(svt_db_int(db, "SELECT count(*) FROM stations WHERE category IS NULL"), 0);
        printf("README's OSM example: %lld stations (%s)\n", want, where);
        sqlite3_close(db);
    }
    assert_true(osm);
    assert_int_equal(chdir(cwd), 0);
    for (size_t c = 0; c < n_cmds; c++) {
        for (int a = 0; a < cmds[c].argc; a++)
            free(cmds[c].argv[a]);
        free(cmds[c].line);
    }
}

int main(void)
{
    const char *env = getenv("SVCOV_SHARED");
    snprintf(andorra, sizeof andorra, "%s/realdata/andorra", env && *env ? env : SVCOV_SHARED_DIR);
    struct stat sb;
    if (stat(andorra, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        printf("SKIPPED: %s not found; set SVCOV_SHARED to the shared folder to run README.md's commands\n",
               andorra);
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_readme_commands),
    };
    return cmocka_run_group_tests_name("readme", tests, group_setup, group_teardown);
}
