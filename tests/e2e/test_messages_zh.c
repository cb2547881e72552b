/* test_messages_zh.c - every message a planner reads in Chinese with --lang zh: real failing commands of
 * analyze, map, export, site, query, report, plan and worker (a PostgreSQL server that refuses the
 * connection), each with its exit status and a Chinese message naming the file or option; the same command
 * without --lang in the English it always printed (ASCII only); the locale choosing as it does for the
 * summaries; usage errors in Chinese whichever option comes first; warnings and the stage times in Chinese
 * while timings.stage stays English; and the library's own formatting (sv_error, sv_warning, a worker's
 * messages) through the context's language.
 *
 * Every --help in Chinese with --lang zh (or the locale): the same options, the examples unchanged, the prose
 * translated and aligned; in English without it, unchanged.
 *
 * The problems of single features (skipped or repaired: an unclosed ring, a population that is no number, text
 * that is not UTF-8, a bad speed, a street of one point, a station far from the streets) printed in Chinese with
 * their numbers and field names, in English without --lang, and the issues table the same English either way.
 *
 * Usage: test_messages_zh GROUP  (commands, locale, usage, stage_times, library, help, feature_problems) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <math.h>

#include "svtest.h"

#include "svcov/sv_common.h"
#include "svcov/sv_lang.h"

#include <sys/stat.h>

#define G SVCOV_SOURCE_DIR "/geodata/"

static char demo_db[4200];

static const char *demo(void)
{
    if (!demo_db[0]) {
        snprintf(demo_db, sizeof demo_db, "%s", svt_path("demo.sqlite"));
        SVT_EXPECT(0, "analyze", "--stations", G "stations.geojson", "--districts", G "districts.geojson",
                   "--minutes", "10,15", "--mode", "walk", "--detour", "1.3", "--out", demo_db, "-q");
    }
    return demo_db;
}

static int group_setup(void **state)
{
    (void)state;
    unsetenv("LC_ALL");
    unsetenv("LC_MESSAGES");
    unsetenv("LANG");
    return svt_make_dir("messages_zh");
}

static int group_teardown(void **state)
{
    (void)state;
    svt_run_free();
    svt_remove_dir();
    return 0;
}

static int all_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return 0;
    return 1;
}

/* args (NULL-ended, at most 30) run twice: with --lang zh appended it exits status with zh on stderr (and
 * not en); as given it exits status with en on stderr, in ASCII only (not zh). */
static void both(int status, const char *zh, const char *en, const char *const *args)
{
    const char *argv[40];
    size_t n = 0;
    while (args[n] && n < 30) {
        argv[n] = args[n];
        n++;
    }
    argv[n] = "--lang";
    argv[n + 1] = "zh";
    argv[n + 2] = NULL;
    int st = svt_runv(argv);
    if (st != status)
        fail_msg("%s with --lang zh exited %d, expected %d:\n%s", args[0], st, status, svt_last.err);
    SVT_ERR_HAS(zh);
    if (strstr(svt_last.err, en))
        fail_msg("the Chinese run of %s still says \"%s\":\n%s", args[0], en, svt_last.err);
    argv[n] = NULL;
    st = svt_runv(argv);
    if (st != status)
        fail_msg("%s exited %d, expected %d:\n%s", args[0], st, status, svt_last.err);
    SVT_ERR_HAS(en);
    if (!all_ascii(svt_last.err))
        fail_msg("the English run of %s printed more than ASCII:\n%s", args[0], svt_last.err);
}

#define BOTH(status, zh, en, ...) both(status, zh, en, (const char *const[]){__VA_ARGS__, NULL})

static void test_commands(void **state)
{
    (void)state;
    const char *db = demo();
    char out_exists[4300], folder[4300];
    snprintf(out_exists, sizeof out_exists, "%s", svt_path("exists.geojson"));
    snprintf(folder, sizeof folder, "%s", svt_path("folder"));
    FILE *f = fopen(out_exists, "w");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(mkdir(folder, 0755), 0);

    /* analyze: a missing input (data error), a bad number (usage), a folder at --out */
    BOTH(1, "svcov analyze: 未找到站点文件 '/nonexist/stations.csv'；请检查 --stations 给出的路径",
         "svcov analyze: stations file '/nonexist/stations.csv' not found; check the path given to --stations",
         "analyze", "--stations", "/nonexist/stations.csv", "--districts", G "districts.geojson", "--radius", "500",
         "--out", svt_path("x.sqlite"), "-q");
    BOTH(2, "svcov analyze: --speed abc：不是数字（见 svcov analyze --help）",
         "svcov analyze: --speed abc: not a number (svcov analyze --help)", "analyze", "--stations",
         G "stations.geojson", "--districts", G "districts.geojson", "--speed", "abc", "--out", svt_path("x.sqlite"));
    char zh[8600], en[8600];
    snprintf(zh, sizeof zh, "%s 是文件夹，不是文件：svcov 把结果写入专用的文件（它会被替换）；请给出一个文件名", folder);
    snprintf(en, sizeof en, "%s is a folder, not a file: svcov writes its results to a file of their own", folder);
    BOTH(1, zh, en, "analyze", "--stations", G "stations.geojson", "--districts", G "districts.geojson", "--radius",
         "500", "--out", folder, "-q");
    BOTH(2, "svcov analyze: 必须给出 --stations、--districts 和 --out（见 svcov analyze --help）",
         "svcov analyze: --stations, --districts and --out are required (svcov analyze --help)", "analyze",
         "--stations", G "stations.geojson", "--radius", "500", "-q");
    /* words put into a message (the input, the shape it must have) in the message's language */
    BOTH(1, "stations.geojson：图层 'stations' 中是 Point 几何；片区必须是多边形或多部件多边形",
         "stations.geojson: layer 'stations' holds Point geometries; districts must be polygons or multipolygons",
         "analyze", "--stations", G "stations.geojson", "--districts", G "stations.geojson", "--radius", "500",
         "--out", svt_path("x.sqlite"), "-q");

    /* map */
    BOTH(1, "svcov map: 未找到 --db /nonexist/demo.sqlite；请先运行 'svcov analyze --out /nonexist/demo.sqlite'",
         "svcov map: --db /nonexist/demo.sqlite not found; run 'svcov analyze --out /nonexist/demo.sqlite' first",
         "map", "--db", "/nonexist/demo.sqlite", "--out", svt_path("m.png"));
    BOTH(2, "--out m.bmp：文件名必须以 .png、.svg 或 .pdf 结尾（见 svcov map --help）",
         "--out m.bmp: the file name must end in .png, .svg or .pdf (svcov map --help)", "map", "--db", db, "--out",
         "m.bmp");

    /* export: an unknown layer (usage), an existing output (the CLI's own line) */
    BOTH(2, "svcov export: --layer nosuch：请使用以下之一：gaps, gap_parts",
         "svcov export: --layer nosuch: use one of gaps, gap_parts", "export", "--db", db, "--layer", "nosuch",
         "--out", svt_path("e.geojson"));
    snprintf(zh, sizeof zh, "svcov export: --out %s 已存在；加 --overwrite 可替换它，或另选文件", out_exists);
    snprintf(en, sizeof en, "svcov export: --out %s already exists; add --overwrite to replace it", out_exists);
    BOTH(1, zh, en, "export", "--db", db, "--layer", "gaps", "--minutes", "15", "--out", out_exists);

    /* site */
    BOTH(1, "svcov site: 未找到需求点文件 '/nonexist/homes.gpkg'；请检查 --demand 给出的路径",
         "svcov site: demand file '/nonexist/homes.gpkg' not found; check the path given to --demand", "site",
         "--demand", "/nonexist/homes.gpkg", "--stations", G "stations.geojson", "--grid", "200", "--districts",
         G "districts.geojson", "--radius", "500", "--model", "mclp", "--k", "1", "--out", svt_path("s.sqlite"));
    BOTH(2, "svcov site: --model mclp 需要 --k N（见 svcov site --help）",
         "svcov site: --model mclp needs --k N (svcov site --help)", "site", "--demand", G "stations.geojson",
         "--grid", "200", "--districts", G "districts.geojson", "--radius", "500", "--model", "mclp", "--out",
         svt_path("s.sqlite"));

    /* query */
    BOTH(2, "svcov query: 没有查询 'nosuchquery'：它不是文件，查询文件夹中也没有 nosuchquery.sql",
         "svcov query: no query 'nosuchquery': not a file, and no nosuchquery.sql in the query folders", "query",
         "--db", db, "nosuchquery");
    BOTH(2, "--set target=abc：target 是以 % 计的比例，例如 --set target=80 或 target=80%",
         "--set target=abc: target is a share in %, e.g. --set target=80 or target=80%", "query", "--db", db,
         "below_target", "--set", "target=abc");

    /* report */
    BOTH(1, "svcov report: 未找到 --db /nonexist/demo.sqlite；请先运行",
         "svcov report: --db /nonexist/demo.sqlite not found; run", "report", "--db", "/nonexist/demo.sqlite", "--out",
         svt_path("r.md"));
    BOTH(2, "svcov report: --out r.txt：文件名必须以 .html、.md 或 .csv 结尾",
         "svcov report: --out r.txt: the file name must end in .html, .md or .csv", "report", "--db", db, "--out",
         "r.txt");

    /* plan and worker: PostgreSQL refuses the connection (port 1); libpq's own words stay as libpq wrote them */
    BOTH(1, "svcov plan: 无法连接 PostgreSQL（PG:host=127.0.0.1 port=1 dbname=nosuch）：",
         "svcov plan: cannot connect to PostgreSQL at PG:host=127.0.0.1 port=1 dbname=nosuch: ", "plan", "--stations",
         G "stations.geojson", "--districts", G "districts.geojson", "--radius", "500", "--shards", "2", "--out",
         "PG:host=127.0.0.1 port=1 dbname=nosuch");
    SVT_ERR_HAS("check host, port, dbname and user");
    BOTH(1, "；请检查 host、port、dbname 和 user（与 psql 相同的 libpq 连接串，例如 PG:\"host=localhost dbname=gis\"）",
         "; check host, port, dbname and user (a libpq connection string as psql takes it", "worker", "--db",
         "PG:host=127.0.0.1 port=1 dbname=nosuch", "--run", "1");
    SVT_EXPECT(1, "worker", "--db", "PG:host=127.0.0.1 port=1 dbname=nosuch", "--run", "1", "--lang", "zh");
    SVT_ERR_HAS("svcov worker: 无法连接 PostgreSQL（PG:host=127.0.0.1 port=1 dbname=nosuch）：");
}

static void test_locale(void **state)
{
    (void)state;
    /* LANG=zh_CN.UTF-8 without --lang: Chinese, as the summaries; --lang en forces English; LC_ALL first */
    setenv("LANG", "zh_CN.UTF-8", 1);
    SVT_EXPECT(1, "map", "--db", "/nonexist/demo.sqlite", "--out", svt_path("m.png"));
    SVT_ERR_HAS("svcov map: 未找到 --db /nonexist/demo.sqlite；请先运行 'svcov analyze --out /nonexist/demo.sqlite'");
    SVT_EXPECT(2, "export", "--db", "x.sqlite", "--bogus");
    SVT_ERR_HAS("svcov export: 未知或不完整的选项 '--bogus'（见 svcov export --help）");
    SVT_EXPECT(1, "map", "--db", "/nonexist/demo.sqlite", "--out", svt_path("m.png"), "--lang", "en");
    SVT_ERR_HAS("svcov map: --db /nonexist/demo.sqlite not found; run 'svcov analyze --out /nonexist/demo.sqlite' first");
    assert_true(all_ascii(svt_last.err));
    setenv("LC_ALL", "C.UTF-8", 1);
    SVT_EXPECT(1, "map", "--db", "/nonexist/demo.sqlite", "--out", svt_path("m.png"));
    SVT_ERR_HAS("--db /nonexist/demo.sqlite not found");
    assert_true(all_ascii(svt_last.err));
    unsetenv("LC_ALL");
    /* an unknown --lang is refused in the locale's language, naming the languages there are */
    SVT_EXPECT(2, "report", "--db", "x.sqlite", "--out", svt_path("r.md"), "--lang", "fr");
    SVT_ERR_HAS("--lang：未知语言 'fr'；svcov 支持 en（English，英文）和 zh（简体中文）");
    unsetenv("LANG");
    SVT_EXPECT(2, "report", "--db", "x.sqlite", "--out", svt_path("r.md"), "--lang", "fr");
    SVT_ERR_HAS("--lang: unknown language 'fr'; svcov speaks en (English) and zh");
}

static void test_usage(void **state)
{
    (void)state;
    /* --lang after the option that is wrong, or given as --lang=zh; a command whose table has no --lang */
    SVT_EXPECT(2, "export", "--bogus", "--lang", "zh");
    SVT_ERR_HAS("svcov export: 未知或不完整的选项 '--bogus'（见 svcov export --help）");
    SVT_EXPECT(2, "analyze", "--quad-segs", "x", "--lang=zh");
    SVT_ERR_HAS("svcov analyze: --quad-segs x：");
    SVT_ERR_HAS("（见 svcov analyze --help）");
    SVT_EXPECT(2, "analyze", "--max-snap", "-5", "--lang", "zh");
    SVT_ERR_HAS("--max-snap -5：请给出米数，0 到 100000（见 svcov analyze --help）"); /* the range message */
    SVT_EXPECT(2, "analyze", "--max-snap", "-5");
    SVT_ERR_HAS("--max-snap -5: give metres, 0 to 100000 (svcov analyze --help)");
    SVT_EXPECT(2, "status", "--lang", "zh");
    SVT_ERR_HAS("请给出 --db PG:\"CONNECTION\"");
    SVT_EXPECT(2, "status");
    SVT_ERR_HAS("give --db PG:\"CONNECTION\"");
    /* a wrong --lang of a command without its own --lang option */
    SVT_EXPECT(2, "query", "--lang", "xx");
    SVT_ERR_HAS("svcov query: --lang: unknown language 'xx'");
    SVT_EXPECT(2, "frobnicate", "--lang", "zh");
    SVT_ERR_HAS("svcov：未知命令 'frobnicate'；命令有：analyze, export, query, site, map, report, compare, poster, "
                "plan, worker, finish, status（svcov --help）");
}

/* the last line of stderr starts with, or contains, text */
static int last_line_is(const char *text)
{
    const char *e = svt_last.err;
    size_t n = strlen(e);
    while (n > 0 && e[n - 1] == '\n')
        n--;
    size_t s = n;
    while (s > 0 && e[s - 1] != '\n')
        s--;
    char line[2048];
    snprintf(line, sizeof line, "%.*s", (int)(n - s), e + s);
    if (!strstr(line, text))
        print_error("the last line of stderr is not the error (\"%s\"):\n%s\n", text, e);
    return strstr(line, text) != NULL;
}

static void test_stage_times(void **state)
{
    (void)state;
    const char *out = svt_path("zh_times.sqlite");
    /* a warning (--where matching no station) and the stage times, in Chinese; the summary on stdout too */
    SVT_EXPECT(0, "analyze", "--stations", G "stations.geojson", "--districts", G "districts.geojson", "--radius",
               "500", "--where", "name = 'nobody'", "--out", out, "--lang", "zh");
    SVT_ERR_HAS("svcov analyze: 警告：" SVCOV_SOURCE_DIR "/geodata/stations.geojson：图层 'stations'：--where \"name = "
                "'nobody'\" 没有匹配任何站点：所有片区都报告为未覆盖");
    SVT_ERR_HAS("\n读取 ");
    SVT_ERR_HAS("\n人口 > 重复覆盖 ");
    SVT_ERR_HAS("\n写入 > 索引 ");
    SVT_ERR_HAS("\n其他 ");
    SVT_ERR_HAS("\n合计 ");
    SVT_ERR_HAS(" 秒 CPU（整个运行）\n");
    assert_null(strstr(svt_last.err, "reading"));
    assert_null(strstr(svt_last.err, "(the whole run)"));
    /* the columns line up by display width: each line's " 秒" after the same number of columns */
    const char *a = strstr(svt_last.err, "\n读取 "), *b = strstr(svt_last.err, "\n合计 ");
    const char *sa = strstr(a, " 秒"), *sb = strstr(b, " 秒");
    assert_int_equal((sa - a - 1) - 2, (sb - b - 1) - 2); /* both names are 2 characters, 4 columns */
    /* the database keeps the stage names as data, in English */
    sqlite3 *db = svt_db_open(out);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM timings WHERE stage IN ('reading', 'total', "
                                    "'people > redundancy', 'writing > indexes')"),
                     4);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM timings WHERE stage GLOB '*[^ -~]*'"), 0);
    sqlite3_close(db);

    /* the same run in English: the lines as before */
    SVT_EXPECT(0, "analyze", "--stations", G "stations.geojson", "--districts", G "districts.geojson", "--radius",
               "500", "--where", "name = 'nobody'", "--out", svt_path("en_times.sqlite"));
    SVT_ERR_HAS("svcov analyze: warning: " SVCOV_SOURCE_DIR "/geodata/stations.geojson: layer 'stations': --where "
                "\"name = 'nobody'\" matches no station");
    SVT_ERR_HAS("\nreading ");
    SVT_ERR_HAS("\npeople > redundancy ");
    SVT_ERR_HAS(" s CPU (the whole run)\n");
    assert_true(all_ascii(svt_last.err));

    /* a failed run: the stage times first, the error on the last line (analyze, site), in either language */
    SVT_EXPECT(1, "analyze", "--stations", G "stations.geojson", "--districts", G "stations.geojson", "--radius", "500",
               "--out", svt_path("x.sqlite"), "--lang", "zh");
    SVT_ERR_HAS("\n合计 ");
    assert_true(last_line_is("片区必须是多边形或多部件多边形"));
    SVT_EXPECT(1, "analyze", "--stations", G "stations.geojson", "--districts", G "stations.geojson", "--radius", "500",
               "--out", svt_path("x.sqlite"));
    SVT_ERR_HAS("\ntotal ");
    assert_true(last_line_is("districts must be polygons or multipolygons"));
    SVT_EXPECT(2, "site", "--demand", G "stations.geojson", "--grid", "200", "--districts", G "districts.geojson",
               "--radius", "500", "--model", "mclp", "--k", "100000", "--out", svt_path("s.sqlite"), "--lang", "zh");
    SVT_ERR_HAS("\n合计 ");
    assert_true(last_line_is("svcov site: --k 100000 多于 "));
}

static void record_warning(const char *text, void *userdata)
{
    snprintf(userdata, 512, "%s", text);
}

static void test_library(void **state)
{
    (void)state;
    sv_ctx *ctx = sv_ctx_create();
    assert_non_null(ctx);
    assert_int_equal(sv_ctx_lang(ctx), SV_LANG_EN);
    assert_int_equal(sv_error(ctx, SV_ERR_INPUT, "%s file '%s' not found; check the path given to %s", "stations",
                              "a.csv", "--stations"),
                     SV_ERR_INPUT);
    assert_string_equal(sv_ctx_errmsg(ctx), "stations file 'a.csv' not found; check the path given to --stations");
    sv_ctx_set_lang(ctx, SV_LANG_ZH);
    assert_int_equal(sv_ctx_lang(ctx), SV_LANG_ZH);
    /* the format is translated, the values go in unchanged, in their order */
    sv_error(ctx, SV_ERR_INPUT, "%s file '%s' not found; check the path given to %s", "x", "a.csv", "--stations");
    assert_string_equal(sv_ctx_errmsg(ctx), "未找到x文件 'a.csv'；请检查 --stations 给出的路径");
    sv_error(ctx, SV_ERR_USAGE, "--k %d is more than the %zu candidate sites; lower --k or add candidates", 12,
             (size_t)7);
    assert_string_equal(sv_ctx_errmsg(ctx), "--k 12 多于 7 个候选点；请降低 --k 或增加候选点");
    /* a plural ending the Chinese has no use for is taken and left out (%.0s) */
    sv_error(ctx, SV_ERR_DATA, "--db %s: %zu damaged geometr%s (the first: %s); the database was damaged or changed "
             "after svcov wrote it: rerun the analyze (or site) that made it; nothing was written", "d.sqlite",
             (size_t)3, "ies", "districts 4");
    assert_non_null(strstr(sv_ctx_errmsg(ctx), "--db d.sqlite：3 个几何已损坏（第一个：districts 4）"));
    assert_null(strstr(sv_ctx_errmsg(ctx), "ies"));
    /* a message the catalogue does not have stays as it is */
    sv_error(ctx, SV_ERR_DATA, "no such message %d", 5);
    assert_string_equal(sv_ctx_errmsg(ctx), "no such message 5");
    /* warnings too */
    char warned[512] = "";
    sv_ctx_set_warning(ctx, record_warning, warned);
    sv_warning(ctx, "SVCOV_MEM_LIMIT=%s is not a size (bytes, or with k, M, G or T, e.g. 8G); ignored", "lots");
    assert_string_equal(warned, "SVCOV_MEM_LIMIT=lots 不是大小（字节数，或带 k、M、G、T，例如 8G）；已忽略");
    /* the status words */
    assert_string_equal(sv_tr(SV_LANG_ZH, sv_status_str(SV_ERR_DB)), "数据库错误");
    assert_string_equal(sv_status_str(SV_ERR_DB), "database error");
    sv_ctx_set_lang(NULL, SV_LANG_ZH); /* NULL is harmless */
    assert_int_equal(sv_ctx_lang(NULL), SV_LANG_EN);
    sv_ctx_destroy(ctx);
}

/* ---- the problems of single features (group feature_problems) ---- */

/* Every row of the issues table, one line each in their order (malloc'd). */
static char *issue_rows(const char *path)
{
    sqlite3 *db = svt_db_open(path);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT file, layer, feature_id, problem, action FROM issues ORDER BY "
                                            "rowid", -1, &st, NULL),
                     SQLITE_OK);
    size_t cap = 1 << 16, len = 0;
    char *out = malloc(cap);
    assert_non_null(out);
    out[0] = '\0';
    while (sqlite3_step(st) == SQLITE_ROW) {
        int n = snprintf(out + len, cap - len, "%s|%s|%s|%s|%s\n", sqlite3_column_text(st, 0),
                         sqlite3_column_text(st, 1), sqlite3_column_text(st, 2), sqlite3_column_text(st, 3),
                         sqlite3_column_text(st, 4));
        assert_true(n > 0 && (size_t)n < cap - len);
        len += (size_t)n;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
}

/* the valid UTF-8 of s (every character whole) */
static int utf8_whole(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        size_t k = *p < 0x80 ? 1 : *p >= 0xF0 ? 4 : *p >= 0xE0 ? 3 : *p >= 0xC2 ? 2 : 0;
        if (!k)
            return 0;
        for (size_t j = 1; j < k; j++)
            if ((p[j] & 0xC0) != 0x80)
                return 0;
        p += k;
    }
    return 1;
}

static void test_feature_problems(void **state)
{
    (void)state;
    /* a station whose name is Latin-1 (not UTF-8), one without geometry, one far from every street; districts with
       two unclosed rings, a population that is text and one that is negative; a street of one point; a --speeds
       row that is no number */
    const char *st = svt_write("fp_stations.geojson",
        "{\"type\":\"FeatureCollection\",\"features\":[\n"
        "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"s1\",\"name\":\"Caf\xe9\"},"
        "\"geometry\":{\"type\":\"Point\",\"coordinates\":[113.945,22.535]}},\n"
        "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"s2\",\"name\":\"Two\"},"
        "\"geometry\":{\"type\":\"Point\",\"coordinates\":[113.955,22.535]}},\n"
        "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"s3\",\"name\":\"Three\"},\"geometry\":null},\n"
        "{\"type\":\"Feature\",\"properties\":{\"station_id\":\"far\",\"name\":\"Far\"},"
        "\"geometry\":{\"type\":\"Point\",\"coordinates\":[113.99,22.60]}}]}\n");
    const char *di = svt_write("fp_districts.geojson",
        "{\"type\":\"FeatureCollection\",\"features\":[\n"
        "{\"type\":\"Feature\",\"properties\":{\"district_id\":\"A\",\"pop\":100},\"geometry\":{\"type\":"
        "\"MultiPolygon\",\"coordinates\":[[[[113.94,22.53],[113.945,22.53],[113.945,22.54],[113.94,22.54]]],"
        "[[[113.946,22.53],[113.95,22.53],[113.95,22.54],[113.946,22.54]]]]}},\n"
        "{\"type\":\"Feature\",\"properties\":{\"district_id\":\"B\",\"pop\":\"x\"},\"geometry\":{\"type\":\"Polygon\","
        "\"coordinates\":[[[113.95,22.53],[113.96,22.53],[113.96,22.54],[113.95,22.54],[113.95,22.53]]]}},\n"
        "{\"type\":\"Feature\",\"properties\":{\"district_id\":\"C\",\"pop\":-5},\"geometry\":{\"type\":\"Polygon\","
        "\"coordinates\":[[[113.96,22.53],[113.97,22.53],[113.97,22.54],[113.96,22.54],[113.96,22.53]]]}}]}\n");
    const char *roads = svt_write("fp_roads.geojson",
        "{\"type\":\"FeatureCollection\",\"features\":[\n"
        "{\"type\":\"Feature\",\"properties\":{\"id\":\"r1\",\"highway\":\"residential\"},\"geometry\":{\"type\":"
        "\"LineString\",\"coordinates\":[[113.94,22.535],[113.97,22.535]]}},\n"
        "{\"type\":\"Feature\",\"properties\":{\"id\":\"r2\",\"highway\":\"service\"},\"geometry\":{\"type\":"
        "\"LineString\",\"coordinates\":[[113.95,22.53],[113.95,22.54]]}},\n"
        "{\"type\":\"Feature\",\"properties\":{\"id\":\"r3\",\"highway\":\"residential\"},\"geometry\":{\"type\":"
        "\"LineString\",\"coordinates\":[[113.96,22.531],[113.96,22.531]]}}]}\n");
    const char *speeds = svt_write("fp_speeds.csv", "highway,speed_kmh\nresidential,20\nservice,fast\n");

    /* each problem: the English the issues table and the English run print, and the Chinese line */
    static const struct {
        const char *en, *zh;
    } lines[] = {
        {"layer 'speeds', feature row 3 speed_kmh is not a number from 0 to 300 (\"service,fast\"); skipped it (fix "
         "or remove the feature; --strict stops here)",
         "图层 'speeds'，要素 row 3 的 speed_kmh 不是 0 到 300 之间的数（“service,fast”）；已跳过（请修正或删除该要素；"
         "--strict 会在此停止）"},
        {"layer 'fp_stations', feature s1 has name text that is not UTF-8 (the bytes that are not were replaced by "
         "U+FFFD); give the file's encoding with --stations-encoding NAME; kept it (check the result; --strict stops "
         "here)",
         "图层 'fp_stations'，要素 s1 的名称文本不是 UTF-8（不是 UTF-8 的字节已替换为 U+FFFD）；请用 --stations-encoding "
         "NAME 给出文件的编码；已保留（请检查结果；--strict 会在此停止）"},
        {"layer 'fp_stations', feature s3 has no geometry; skipped it",
         "图层 'fp_stations'，要素 s3 没有几何；已跳过（请修正或删除该要素；--strict 会在此停止）"},
        {"layer 'fp_districts', feature A has 2 unclosed rings: closed by repeating its first point; kept it",
         "图层 'fp_districts'，要素 A 有 2 个未闭合的环：已重复其首点使之闭合；已保留"},
        {"layer 'fp_districts', feature B has pop 'x', not a number: population unknown (NULL); the district is "
         "measured, and the city's people count the other districts only (fix the --population-field value); kept it",
         "图层 'fp_districts'，要素 B 的 pop 为 'x'，不是数字：人口未知（NULL）；该片区照常计算，全市人口只计其他片区"
         "（请修正 --population-field 的值）；已保留"},
        {"layer 'fp_districts', feature C has a negative pop (-5): population unknown (NULL);",
         "图层 'fp_districts'，要素 C 的 pop 为负数（-5）：人口未知（NULL）；"},
        {"layer 'fp_roads', feature r3 has no usable segment (fewer than two distinct points); skipped it",
         "图层 'fp_roads'，要素 r3 没有可用的路段（不同的点少于两个）；已跳过"},
        {"layer 'fp_stations', feature far is farther than --max-snap 200 m from any road the mode may use: not "
         "reachable over the network; skipped it",
         "图层 'fp_stations'，要素 far 距该出行方式可用的任何道路都超过 --max-snap 200 米：无法经路网到达；已跳过"},
    };
    /* the English problems, none of which the Chinese run may print */
    static const char *const en_words[] = {"speed_kmh is not a number", "text that is not UTF-8", "has no geometry",
                                           "unclosed ring", "not a number", "has a negative", "population unknown",
                                           "no usable segment", "is farther than", "skipped it", "kept it",
                                           "the file declares no encoding", NULL};
    char *rows[2];
    for (int zh = 1; zh >= 0; zh--) {
        const char *out = svt_path(zh ? "fp_zh.sqlite" : "fp_en.sqlite");
        SVT_EXPECT(0, "analyze", "--stations", st, "--districts", di, "--population-field", "pop", "--network", roads,
                   "--speeds", speeds, "--minutes", "10", "--max-snap", "200", "--out", out, "-q", "--lang",
                   zh ? "zh" : "en");
        for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
            SVT_ERR_HAS(zh ? lines[i].zh : lines[i].en);
        if (zh) {
            SVT_ERR_HAS("svcov analyze: 警告：");
            SVT_ERR_HAS("不是 UTF-8（文件未声明编码）"); /* the encoding warning's own words */
            for (size_t i = 0; en_words[i]; i++)
                if (strstr(svt_last.err, en_words[i]))
                    fail_msg("the Chinese run still says \"%s\":\n%s", en_words[i], svt_last.err);
        } else if (!all_ascii(svt_last.err)) {
            fail_msg("the English run printed more than ASCII:\n%s", svt_last.err);
        }
        rows[zh] = issue_rows(out);
    }
    /* the issues table is the same in both languages, in English, as it always was */
    assert_string_equal(rows[1], rows[0]);
    char want[8192];
    snprintf(want, sizeof want,
             "%s|speeds|row 3|speed_kmh is not a number from 0 to 300 (\"service,fast\")|skipped\n"
             "%s|fp_stations|s1|has name text that is not UTF-8 (the bytes that are not were replaced by U+FFFD); "
             "give the file's encoding with --stations-encoding NAME|repaired\n"
             "%s|fp_stations|s3|has no geometry|skipped\n"
             "%s|fp_districts|A|has 2 unclosed rings: closed by repeating its first point|repaired\n"
             "%s|fp_districts|B|has pop 'x', not a number: population unknown (NULL); the district is measured, and "
             "the city's people count the other districts only (fix the --population-field value)|repaired\n"
             "%s|fp_districts|C|has a negative pop (-5): population unknown (NULL); the district is measured, and the "
             "city's people count the other districts only (fix the --population-field value)|repaired\n"
             "%s|fp_roads|r3|has no usable segment (fewer than two distinct points)|skipped\n"
             "%s|fp_stations|far|is farther than --max-snap 200 m from any road the mode may use: not reachable over "
             "the network|skipped\n",
             speeds, st, st, di, di, di, roads, st);
    assert_string_equal(rows[0], want);
    free(rows[0]);
    free(rows[1]);

    /* one unclosed ring (the plural's other form), and --strict: the error's problem and advice in Chinese */
    const char *one = svt_write("fp_one.geojson",
        "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{\"district_id\":\"D\"},"
        "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[113.94,22.53],[113.95,22.53],[113.95,22.54],"
        "[113.94,22.54]]]}}]}\n");
    SVT_EXPECT(0, "analyze", "--stations", G "stations.geojson", "--districts", one, "--radius", "500", "--out",
               svt_path("fp_one.sqlite"), "-q", "--lang", "zh");
    SVT_ERR_HAS("要素 D 有 1 个未闭合的环：已重复其首点使之闭合；已保留");
    SVT_EXPECT(0, "analyze", "--stations", G "stations.geojson", "--districts", one, "--radius", "500", "--out",
               svt_path("fp_one_en.sqlite"), "-q");
    SVT_ERR_HAS("feature D has 1 unclosed ring: closed by repeating its first point; kept it");
    SVT_EXPECT(1, "analyze", "--stations", G "stations.geojson", "--districts", di, "--population-field", "pop",
               "--radius", "500", "--strict", "--out", svt_path("fp_strict.sqlite"), "--lang", "zh");
    SVT_ERR_HAS("图层 'fp_districts'，要素 A：有 2 个未闭合的环：已重复其首点使之闭合；请修正或删除该要素（不加 --strict "
                "时会修复它）");
    SVT_EXPECT(1, "analyze", "--stations", G "stations.geojson", "--districts", di, "--population-field", "pop",
               "--radius", "500", "--strict", "--out", svt_path("fp_strict.sqlite"));
    SVT_ERR_HAS("layer 'fp_districts', feature A: has 2 unclosed rings: closed by repeating its first point; fix or "
                "remove the feature (without --strict it would be repaired)");

    /* the library: both texts from one msgid, a plural by n, values unchanged; a text too long is cut before the
       character it would split */
    sv_msg m;
    sv_msg_init(&m, SV_LANG_ZH);
    sv_msg_addn(&m, "has %d unclosed ring: closed by repeating its first point",
                "has %d unclosed rings: closed by repeating its first point", 3, 3);
    assert_string_equal(m.en, "has 3 unclosed rings: closed by repeating its first point");
    assert_string_equal(m.tr, "有 3 个未闭合的环：已重复其首点使之闭合");
    sv_msg_init(&m, SV_LANG_EN);
    sv_msg_add(&m, "has %s '%.60s', not a number", "pop", "x%s");
    assert_string_equal(m.en, "has pop 'x%s', not a number");
    assert_string_equal(m.tr, m.en);
    for (size_t pad = 0; pad < 3; pad++) {
        sv_msg_init(&m, SV_LANG_ZH);
        char ascii[8] = "";
        snprintf(ascii, sizeof ascii, "%.*s", (int)pad, "xxx");
        sv_msg_add(&m, "%s", ascii);
        for (int k = 0; k < 400; k++)
            sv_msg_add(&m, "has no %s value (NULL)", "人口");
        assert_true(strlen(m.tr) < SV_MSG_SIZE && strlen(m.tr) > SV_MSG_SIZE - 8);
        assert_true(utf8_whole(m.tr));
        assert_true(utf8_whole(m.en));
    }
    /* an issue carries both: the problem (English, the data) and the message (the context's language) */
    sv_ctx *ctx = sv_ctx_create();
    assert_non_null(ctx);
    sv_ctx_set_lang(ctx, SV_LANG_ZH);
    sv_msg_init(&m, sv_ctx_lang(ctx));
    sv_msg_add(&m, "is farther than --max-snap %g m from any road the mode may use: not reachable over the network",
               250.0);
    assert_int_equal(sv_issue_add_msg(ctx, "s.geojson", "s", "S9", &m, SV_ISSUE_SKIPPED), SV_OK);
    assert_int_equal(sv_issue_add(ctx, "r.geojson", "r", "R1", "has no usable segment (fewer than two distinct "
                                  "points)", SV_ISSUE_SKIPPED), SV_OK);
    assert_string_equal(sv_ctx_issue(ctx, 0)->problem, "is farther than --max-snap 250 m from any road the mode may "
                                                       "use: not reachable over the network");
    assert_string_equal(sv_ctx_issue(ctx, 0)->message, "距该出行方式可用的任何道路都超过 --max-snap 250 米：无法经路网到达");
    assert_string_equal(sv_ctx_issue(ctx, 1)->problem, "has no usable segment (fewer than two distinct points)");
    assert_string_equal(sv_ctx_issue(ctx, 1)->message, "没有可用的路段（不同的点少于两个）");
    sv_ctx_destroy(ctx);
}

/* ---- every --help in Chinese (group help) ---- */

/* display columns of a UTF-8 line: a CJK character (and a full-width sign) takes two */
static int line_width(const char *s, size_t len)
{
    int w = 0;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        unsigned cp = c;
        size_t k = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        if (k > 1) {
            cp = c & (0xFF >> (k + 1));
            for (size_t j = 1; j < k && i + j < len; j++)
                cp = (cp << 6) | ((unsigned char)s[i + j] & 0x3F);
        }
        w += cp >= 0x2E80 && cp != 0xFFFD ? 2 : 1;
        i += k;
    }
    return w;
}

/* the n-th line of text (no newline) into buf; 0 when there is none */
static int nth_line(const char *text, size_t n, char *buf, size_t size)
{
    const char *p = text;
    for (size_t i = 0; i < n; i++) {
        p = strchr(p, '\n');
        if (!p)
            return 0;
        p++;
    }
    if (!*p)
        return 0;
    const char *e = strchr(p, '\n');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    snprintf(buf, size, "%.*s", (int)(len < size ? len : size - 1), p);
    return 1;
}

static int has_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = text; (p = strstr(p, line)); p++)
        if ((p == text || p[-1] == '\n') && (p[n] == '\n' || !p[n]))
            return 1;
    return 0;
}

/* every "--option" token of a, as " --option " words in out (sorted input not needed: each checked in b) */
static void options_in(const char *a, const char *b, const char *what, const char *cmd)
{
    for (const char *p = a; (p = strstr(p, "--")); p += 2) {
        if (p > a && (isalnum((unsigned char)p[-1]) || p[-1] == '-'))
            continue;
        size_t n = 2;
        while (isalnum((unsigned char)p[n]) || p[n] == '-')
            n++;
        if (n == 2)
            continue;
        char tok[64];
        snprintf(tok, sizeof tok, "%.*s", (int)(n < 63 ? n : 63), p);
        int found = 0;
        for (const char *q = b; !found && (q = strstr(q, tok)); q++)
            found = (q == b || !(isalnum((unsigned char)q[-1]) || q[-1] == '-')) &&
                    !(isalnum((unsigned char)q[n]) || q[n] == '-');
        if (!found)
            fail_msg("svcov %s --help: %s lists %s, the other does not", cmd, what, tok);
    }
}

/* The Chinese words the English help itself shows (language names, service words, the poster's title). */
static void strip_known(char *s)
{
    static const char *const words[] = {"简体中文", "热水", "充电", "开水", "饮水", "换电", "微波炉", "加热",
                                        "休息", "座椅", "急救", "药箱", "厕所", "卫生间", "友好地图", "XX小区",
                                        "骑手", "、", "，", "；", NULL};
    for (size_t i = 0; words[i]; i++)
        for (char *p; (p = strstr(s, words[i]));)
            memset(p, 'x', strlen(words[i]));
}

/* a line of English prose: three lowercase words in a row ("the run before"), not a list of names */
static int prose(const char *line)
{
    int run = 0;
    for (const char *p = line; *p;) {
        size_t n = 0;
        while (p[n] >= 'a' && p[n] <= 'z')
            n++;
        if (n > 0 && (p[n] == ' ' || !p[n]) && (p == line || p[-1] == ' ')) {
            if (++run >= 3)
                return 1;
            p += n + (p[n] == ' ');
            if (p[-1] == ' ' && *p == ' ')
                run = 0;
            continue;
        }
        run = 0;
        p += n ? n : 1;
    }
    return 0;
}

static void test_help(void **state)
{
    (void)state;
    static const char *const cmds[] = {"", "analyze", "export", "query", "site", "map", "report", "compare",
                                       "poster", "plan", "worker", "finish", "status", NULL};
    for (size_t c = 0; cmds[c]; c++) {
        const char *cmd = cmds[c];
        const char *argv_en[4] = {NULL}, *argv_zh[6] = {NULL};
        size_t k = 0;
        if (*cmd)
            argv_en[k++] = cmd;
        argv_en[k++] = "--help";
        memcpy(argv_zh, argv_en, sizeof argv_en);
        argv_zh[k] = "--lang";
        argv_zh[k + 1] = "zh";
        if (svt_runv(argv_en) != 0)
            fail_msg("svcov %s --help exited %d", cmd, svt_last.status);
        char *en = strdup(svt_last.out);
        assert_non_null(en);
        /* English: the same with --lang en and in the C locale; ASCII but for the Chinese words it shows */
        setenv("LC_ALL", "C", 1);
        assert_int_equal(svt_runv(argv_en), 0);
        assert_string_equal(svt_last.out, en);
        unsetenv("LC_ALL");
        argv_zh[k + 1] = "en";
        assert_int_equal(svt_runv(argv_zh), 0);
        assert_string_equal(svt_last.out, en);
        char *stripped = strdup(en);
        assert_non_null(stripped);
        strip_known(stripped);
        if (!all_ascii(stripped))
            fail_msg("svcov %s --help in English has text that is not ASCII:\n%s", cmd, en);
        free(stripped);

        argv_zh[k + 1] = "zh";
        if (svt_runv(argv_zh) != 0)
            fail_msg("svcov %s --help --lang zh exited %d:\n%s", cmd, svt_last.status, svt_last.err);
        char *zh = strdup(svt_last.out);
        assert_non_null(zh);
        /* the locale gives the same Chinese */
        setenv("LANG", "zh_CN.UTF-8", 1);
        assert_int_equal(svt_runv(argv_en), 0);
        assert_string_equal(svt_last.out, zh);
        unsetenv("LANG");
        if (!strstr(zh, *cmd ? "用法：" : "命令：") || !strstr(zh, "退出码："))
            fail_msg("svcov %s --help --lang zh is not in Chinese:\n%s", cmd, zh);
        /* the same options, both ways */
        options_in(en, zh, "the English help", cmd);
        options_in(zh, en, "the Chinese help", cmd);

        /* lines of the English help: examples kept verbatim; prose (three lowercase words in a row) translated:
           at most a tenth of those lines the same in both (none in fact); the Chinese lines no
           wider than the widest English one, their continuation indents ones the English uses */
        char line[1024];
        int examples = 0, max_en = 0, same = 0, other = 0, indents[64] = {0};
        for (size_t i = 0; nth_line(en, i, line, sizeof line); i++) {
            int w = line_width(line, strlen(line)), ind = (int)strspn(line, " ");
            max_en = w > max_en ? w : max_en;
            if (ind < 64 && ind >= 8)
                indents[ind] = 1;
            if (!*line) {
                examples = 0;
                continue;
            }
            if (strcmp(line, "Examples:") == 0 || strcmp(line, "Example:") == 0) {
                examples = 1;
                continue;
            }
            if (examples) {
                if (!has_line(zh, line))
                    fail_msg("svcov %s --help --lang zh lacks the example line\n%s", cmd, line);
                continue;
            }
            if (prose(line)) {
                other++;
                same += has_line(zh, line);
            }
        }
        if (other == 0 || same * 10 > other)
            fail_msg("svcov %s --help --lang zh: %d of its %d lines are the English ones:\n%s", cmd, same, other, zh);
        for (size_t i = 0; nth_line(zh, i, line, sizeof line); i++) {
            int w = line_width(line, strlen(line)), ind = (int)strspn(line, " ");
            if (w > max_en)
                fail_msg("svcov %s --help --lang zh: a line of %d columns, wider than the English %d:\n%s", cmd, w,
                         max_en, line);
            if (ind >= 8 && line[ind] && (ind >= 64 || !indents[ind]))
                fail_msg("svcov %s --help --lang zh: a continuation line indented %d, not as the English:\n%s", cmd,
                         ind, line);
        }
        free(en);
        free(zh);
    }
}

int main(int argc, char **argv)
{
    static const svt_group groups[] = {
        {"commands", cmocka_unit_test(test_commands)},
        {"locale", cmocka_unit_test(test_locale)},
        {"usage", cmocka_unit_test(test_usage)},
        {"stage_times", cmocka_unit_test(test_stage_times)},
        {"library", cmocka_unit_test(test_library)},
        {"help", cmocka_unit_test(test_help)},
        {"feature_problems", cmocka_unit_test(test_feature_problems)},
    };
    return svt_run_groups(argc, argv, "messages_zh", groups, sizeof groups / sizeof groups[0], group_setup,
                          group_teardown);
}
