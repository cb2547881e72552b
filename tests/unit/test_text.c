/* test_text.c - the text helpers of maps and reports: escaping for HTML,
 * Markdown, CSV and JSON inside <script>, base64 (RFC 4648 test vectors),
 * the atomic file write (private temporary folder, links not followed,
 * leftovers of dead runs removed) and the output lock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "svcov/sv_text.h"
#include "svcov/sv_blob.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void expect(void (*fn)(sv_buf *, const char *), const char *in, const char *want)
{
    sv_buf b = {0};
    fn(&b, in);
    assert_false(b.failed);
    assert_string_equal(b.data ? b.data : "", want);
    sv_buf_free(&b);
}

static void test_escaping(void **state)
{
    (void)state;
    expect(sv_buf_html, "<script>alert(\"x\") & 'y'</script>",
           "&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;");
    expect(sv_buf_html, "骑手驿站·龙澄广场", "骑手驿站·龙澄广场");
    expect(sv_buf_md, "a|b\nc<d", "a\\|b c&lt;d");
    expect(sv_buf_csv, "plain", "plain");
    expect(sv_buf_csv, "a,b", "\"a,b\"");
    expect(sv_buf_csv, "say \"hi\"\n", "\"say \"\"hi\"\"\n\"");
    /* JSON inside <script>: no '<', '>', '&' or line/paragraph separators left */
    expect(sv_buf_json_script, "{\"n\":\"</script><b>&\xe2\x80\xa8\xe2\x80\xa9\xe2\x80\xa7\"}",
           "{\"n\":\"\\u003c/script\\u003e\\u003cb\\u003e\\u0026\\u2028\\u2029\xe2\x80\xa7\"}");
}

static void base64_of(const char *in, const char *want)
{
    sv_buf b = {0};
    sv_buf_base64(&b, (const unsigned char *)in, strlen(in));
    assert_string_equal(b.data ? b.data : "", want);
    sv_buf_free(&b);
}

static void test_base64(void **state)
{
    (void)state;
    base64_of("", "");
    base64_of("f", "Zg==");
    base64_of("fo", "Zm8=");
    base64_of("foo", "Zm9v");
    base64_of("foob", "Zm9vYg==");
    base64_of("fooba", "Zm9vYmE=");
    base64_of("foobar", "Zm9vYmFy");
}

static void test_buffer_growth(void **state)
{
    (void)state;
    sv_buf b = {0};
    for (int i = 0; i < 10000; i++)
        sv_buf_printf(&b, "%05d,", i);
    assert_int_equal(b.len, 60000);
    assert_memory_equal(b.data + 6 * 9999, "09999,", 6);
    char big[2000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    sv_buf_printf(&b, "%s", big); /* longer than the printf fast path */
    assert_int_equal(b.len, 60000 + 1999);
    sv_buf_free(&b);
    assert_null(b.data);
}

/* Entries of dir other than . and .. */
static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static void test_atomic_write(void **state)
{
    (void)state;
    char dir[] = "/tmp/svcov-text-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/out.txt", dir);
    sv_ctx *ctx = sv_ctx_create();
    assert_int_equal(sv_write_file_atomic(ctx, path, "first", 5), SV_OK);
    assert_int_equal(sv_write_file_atomic(ctx, path, "second", 6), SV_OK);
    FILE *f = fopen(path, "rb");
    char got[16] = "";
    assert_int_equal(fread(got, 1, sizeof got, f), 6);
    fclose(f);
    assert_memory_equal(got, "second", 6);
    /* no temporary file is left behind: the folder holds out.txt alone */
    assert_int_equal(count_entries(dir), 1);
    /* a folder that does not exist: an output error naming the path, nothing written */
    char bad[300];
    snprintf(bad, sizeof bad, "%s/no/such/out.txt", dir);
    assert_int_equal(sv_write_file_atomic(ctx, bad, "x", 1), SV_ERR_OUTPUT);
    assert_non_null(strstr(sv_ctx_errmsg(ctx), bad));
    sv_ctx_destroy(ctx);
    unlink(path);
    rmdir(dir);
}

/* A process id that no longer exists: a child that has exited and been reaped. */
static long dead_pid(void)
{
    pid_t p = fork();
    assert_true(p >= 0);
    if (p == 0)
        _exit(0);
    int ws;
    waitpid(p, &ws, 0);
    return (long)p;
}

static void touch(const char *path)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("partial", f);
    fclose(f);
}

static int exists(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0;
}

static void test_tmp_private_folder(void **state)
{
    (void)state;
    char dir[] = "/tmp/svcov-text-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256], tmp[600];
    snprintf(path, sizeof path, "%s/map.svg", dir);
    sv_ctx *ctx = sv_ctx_create();
    assert_int_equal(sv_tmp_create(ctx, path, tmp, sizeof tmp), SV_OK);
    /* DIR/.map.svg.svcov-tmp-PID-XXXXXX/map.svg, the folder new and private */
    char want[300];
    snprintf(want, sizeof want, "%s/.map.svg.svcov-tmp-%ld-", dir, (long)getpid());
    assert_memory_equal(tmp, want, strlen(want));
    assert_string_equal(strrchr(tmp, '/'), "/map.svg");
    char folder[600];
    snprintf(folder, sizeof folder, "%.*s", (int)(strrchr(tmp, '/') - tmp), tmp);
    struct stat sb;
    assert_int_equal(stat(folder, &sb), 0);
    assert_true(S_ISDIR(sb.st_mode));
    assert_int_equal(sb.st_mode & 0777, 0700);
    assert_false(exists(tmp));
    touch(tmp);
    assert_int_equal(sv_commit_file(ctx, tmp, path, 1), SV_OK);
    assert_false(exists(folder));
    assert_int_equal(count_entries(dir), 1);
    /* an interrupted run does not replace the file and leaves nothing */
    assert_int_equal(sv_tmp_create(ctx, path, tmp, sizeof tmp), SV_OK);
    FILE *f = fopen(tmp, "wb");
    fputs("new", f);
    fclose(f);
    sv_ctx_interrupt(ctx);
    assert_int_equal(sv_commit_file(ctx, tmp, path, 1), SV_ERR_INTERRUPTED);
    assert_int_equal(count_entries(dir), 1);
    char got[16] = "";
    f = fopen(path, "rb");
    assert_int_equal(fread(got, 1, sizeof got, f), 7);
    fclose(f);
    assert_memory_equal(got, "partial", 7);
    sv_ctx_destroy(ctx);
    unlink(path);
    rmdir(dir);
}

/* Links planted where earlier versions put their temporary file
 * ("PATH.tmp-PID", for this and the next PIDs) are never written through. */
static void test_tmp_ignores_planted_links(void **state)
{
    (void)state;
    char dir[] = "/tmp/svcov-text-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256], victim[256], link[300];
    snprintf(path, sizeof path, "%s/report.html", dir);
    snprintf(victim, sizeof victim, "%s/victim.txt", dir);
    FILE *f = fopen(victim, "wb");
    fputs("precious", f);
    fclose(f);
    long me = (long)getpid();
    for (long p = me - 5; p < me + 50; p++) {
        snprintf(link, sizeof link, "%s.tmp-%ld", path, p);
        assert_int_equal(symlink(victim, link), 0);
    }
    sv_ctx *ctx = sv_ctx_create();
    assert_int_equal(sv_write_file_atomic(ctx, path, "<html>", 6), SV_OK);
    assert_int_equal(sv_write_file_atomic(ctx, path, "<html>2", 7), SV_OK);
    char got[32] = "";
    f = fopen(victim, "rb");
    assert_int_equal(fread(got, 1, sizeof got, f), 8);
    fclose(f);
    assert_memory_equal(got, "precious", 8);
    struct stat sb;
    assert_int_equal(lstat(path, &sb), 0);
    assert_true(S_ISREG(sb.st_mode));
    assert_int_equal(sb.st_size, 7);
    sv_ctx_destroy(ctx);
    for (long p = me - 5; p < me + 50; p++) {
        snprintf(link, sizeof link, "%s.tmp-%ld", path, p);
        unlink(link);
    }
    unlink(victim);
    unlink(path);
    rmdir(dir);
}

/* What killed runs left for this path goes at the next write; what live
 * runs, other paths or other programs own stays. */
static void test_stale_temporary_files(void **state)
{
    (void)state;
    char dir[] = "/tmp/svcov-text-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256], p[600];
    snprintf(path, sizeof path, "%s/out.sqlite", dir);
    long dead = dead_pid();
    const char *gone[] = {"out.sqlite.tmp-%ld", "out.sqlite.tmp-%ld-journal", ".out.sqlite.svcov-tmp-%ld-a1B2c3"};
    const char *kept[] = {"out.sqlite.tmp-%ldx", "other.sqlite.tmp-%ld", ".other.sqlite.svcov-tmp-%ld-a1B2c3",
                          "out.sqlite.tmp-1", ".out.sqlite.svcov-tmp-1-a1B2c3", "out.sqlite.tmp--%ld"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s/", dir);
        snprintf(p + strlen(p), sizeof p - strlen(p), gone[i], dead);
        if (i == 2) {
            assert_int_equal(mkdir(p, 0700), 0);
            strcat(p, "/out.sqlite");
        }
        touch(p);
    }
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
        snprintf(p, sizeof p, "%s/", dir);
        snprintf(p + strlen(p), sizeof p - strlen(p), kept[i], dead);
        if (strstr(kept[i], "svcov-tmp"))
            assert_int_equal(mkdir(p, 0700), 0);
        else
            touch(p);
    }
    assert_int_equal(sv_tmp_clean_stale(path), 3);
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s/", dir);
        snprintf(p + strlen(p), sizeof p - strlen(p), gone[i], dead);
        assert_false(exists(p));
    }
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
        snprintf(p, sizeof p, "%s/", dir);
        snprintf(p + strlen(p), sizeof p - strlen(p), kept[i], dead);
        assert_true(exists(p));
        remove(p);
    }
    assert_int_equal(count_entries(dir), 0);
    rmdir(dir);
}

static void test_output_lock(void **state)
{
    (void)state;
    char dir[] = "/tmp/svcov-text-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256], lock_file[300];
    snprintf(path, sizeof path, "%s/results.sqlite", dir);
    snprintf(lock_file, sizeof lock_file, "%s/.results.sqlite.svcov-lock", dir);
    sv_ctx *ctx = sv_ctx_create();
    sv_lock *l = NULL;
    assert_int_equal(sv_lock_output(ctx, path, &l), SV_OK);
    assert_non_null(l);
    assert_true(exists(lock_file));
    /* another process is refused at once, told who holds it */
    pid_t c = fork();
    assert_true(c >= 0);
    if (c == 0) {
        sv_ctx *cc = sv_ctx_create();
        sv_lock *cl = NULL;
        sv_status st = sv_lock_output(cc, path, &cl);
        char want[64];
        snprintf(want, sizeof want, "(process %ld)", (long)getppid());
        int ok = st == SV_ERR_OUTPUT && !cl && strstr(sv_ctx_errmsg(cc), "is being written by another svcov run") &&
                 strstr(sv_ctx_errmsg(cc), want) && strstr(sv_ctx_errmsg(cc), "nothing was written");
        sv_ctx_destroy(cc); /* nothing left for make valgrind to call lost */
        _exit(ok ? 0 : 1);
    }
    int ws = 0;
    waitpid(c, &ws, 0);
    assert_true(WIFEXITED(ws));
    assert_int_equal(WEXITSTATUS(ws), 0);
    sv_unlock_output(l);
    assert_false(exists(lock_file));
    /* free again: another process gets it */
    c = fork();
    if (c == 0) {
        sv_ctx *cc = sv_ctx_create();
        sv_lock *cl = NULL;
        int ok = sv_lock_output(cc, path, &cl) == SV_OK && cl;
        sv_ctx_destroy(cc);
        _exit(ok ? 0 : 1);
    }
    waitpid(c, &ws, 0);
    assert_int_equal(WEXITSTATUS(ws), 0);
    sv_unlock_output(NULL);
    sv_ctx_destroy(ctx);
    unlink(lock_file); /* the child exited without letting go: a leftover */
    assert_int_equal(count_entries(dir), 0);
    rmdir(dir);
}

/* issue 18 item 16: text reaching a Markdown report, a CSV or a terminal is neutralised. */
static void test_markdown_csv_terminal_neutralised(void **state)
{
    (void)state;
    /* Markdown: no link, no emphasis, no code, no heading, no HTML, one cell */
    expect(sv_buf_md, "[click](http://evil) *big* _it_ `rm -rf` <b>&amp;</b> a|b",
           "\\[click\\](http://evil) \\*big\\* \\_it\\_ \\`rm -rf\\` &lt;b>&amp;amp;&lt;/b> a\\|b");
    expect(sv_buf_md, "# heading\r\nnext\\", "\\# heading  next\\\\");
    expect(sv_buf_md, "D#1", "D#1");
    /* CSV: formulas get a leading ' and quotes; numbers stay numbers */
    expect(sv_buf_csv, "=HYPERLINK(\"http://evil\",\"click\")", "\"'=HYPERLINK(\"\"http://evil\"\",\"\"click\"\")\"");
    expect(sv_buf_csv, "+cmd|' /C calc'!A0", "\"'+cmd|' /C calc'!A0\"");
    expect(sv_buf_csv, "@SUM(A1)", "\"'@SUM(A1)\"");
    expect(sv_buf_csv, "-2+3", "\"'-2+3\"");
    expect(sv_buf_csv, "\tx", "\"'\tx\"");
    expect(sv_buf_csv, "-3.5", "-3.5");
    expect(sv_buf_csv, "+12", "+12");
    expect(sv_buf_csv, "-1e-3", "-1e-3");
    expect(sv_buf_csv, "-", "\"'-\"");
    expect(sv_buf_csv, "a=b", "a=b");
    /* the terminal: ESC, other C0, DEL, C1 and stray bytes visible; UTF-8 kept */
    sv_buf b = {0};
    sv_buf_term(&b, "\x1b[2J\x1b]0;owned\x07 \x7f\xc2\x9b \x9b 北区\n\tx", 0);
    assert_string_equal(b.data, "\\x1b[2J\\x1b]0;owned\\x07 \\x7f\\u009b \\x9b 北区\\x0a\\x09x");
    sv_buf_free(&b);
    sv_buf_term(&b, "line\n\tnext\x1b", 1);
    assert_string_equal(b.data, "line\n\tnext\\x1b");
    sv_buf_free(&b);
}

/* issue 18 item 13: district ids as file names, readable and safe. */
static void test_file_name_part(void **state)
{
    (void)state;
    char out[256];
    static const char *const cases[][2] = {
        {"D0013", "D0013"},          {"a/b", "a_b"},         {"a?b", "a_b"},
        {"a\\b:c*d\"e<f>g|h", "a_b_c_d_e_f_g_h"}, {"北区一", "北区一"}, {"..", "__"},
        {".hidden", "_hidden"},      {"end.", "end_"},       {"x\x1b[31m", "x_[31m"},
        {"bad\xff\xfeutf8", "bad__utf8"}, {"", "district"}, {"con", "con_"},
        {"COM1.txt", "COM1_.txt"},   {"console", "console"}, {"\xc2\x85nel", "_nel"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sv_file_name_part(cases[i][0], out, sizeof out, 200);
        assert_string_equal(out, cases[i][1]);
    }
    /* 300 characters of 3 bytes: cut at a character's boundary within 200 bytes */
    char id[1000] = "";
    for (int i = 0; i < 300; i++)
        strcat(id, "区");
    sv_file_name_part(id, out, sizeof out, 200);
    assert_int_equal(strlen(out), 198);
    assert_memory_equal(out, id, 198);
    sv_file_name_part(id, out, 10, 200); /* the buffer's size bounds too */
    assert_string_equal(out, "区区区");
}

/* Issue 18 item 11: text that is not UTF-8 gets U+FFFD per bad byte; valid text is left alone (NULL). */
static void test_utf8_fix(void **state)
{
    (void)state;
    assert_null(sv_utf8_fix("plain ascii"));
    assert_null(sv_utf8_fix("南山区 café"));
    assert_null(sv_utf8_fix(NULL));
    char *f = sv_utf8_fix("Caf\xe9");
    assert_string_equal(f, "Caf\xEF\xBF\xBD");
    free(f);
    f = sv_utf8_fix("\xC0\xAF/"); /* overlong '/' */
    assert_string_equal(f, "\xEF\xBF\xBD\xEF\xBF\xBD/");
    free(f);
    f = sv_utf8_fix("\xE5\x8D"); /* a CJK character cut short */
    assert_string_equal(f, "\xEF\xBF\xBD\xEF\xBF\xBD");
    free(f);
    f = sv_utf8_fix("\xED\xA0\x80x"); /* a surrogate */
    assert_string_equal(f, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDx");
    free(f);
}

/* Issue 18 item 1: a full disk and the file size limit are "no space left on FILE". */
static void test_write_errors_named(void **state)
{
    (void)state;
    sv_ctx *ctx = sv_ctx_create();
    assert_int_equal(sv_write_error(ctx, "out/c.geojson", ENOSPC), SV_ERR_OUTPUT);
    assert_non_null(strstr(sv_ctx_errmsg(ctx), "no space left on out/c.geojson"));
    assert_int_equal(sv_write_error(ctx, "out/c.kml", EFBIG), SV_ERR_OUTPUT);
    assert_non_null(strstr(sv_ctx_errmsg(ctx), "no space left on out/c.kml: the file size limit (ulimit -f)"));
    assert_int_equal(sv_write_error(ctx, "out/c.gml", EACCES), SV_ERR_OUTPUT);
    assert_non_null(strstr(sv_ctx_errmsg(ctx), "cannot write out/c.gml: Permission denied"));
    sv_ctx_destroy(ctx);

    /* a real short write: 64 KiB under a file size limit of 4 KiB, in a child */
    char dir[] = "/tmp/svcov-text-fsize-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%s/c.geojson", dir);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = {4096, 4096};
        setrlimit(RLIMIT_FSIZE, &rl);
        static char data[65536];
        memset(data, 'x', sizeof data);
        sv_ctx *c = sv_ctx_create();
        sv_status st = sv_write_new_file(c, tmp, "out/c.geojson", data, sizeof data);
        int ok = st == SV_ERR_OUTPUT && strstr(sv_ctx_errmsg(c), "no space left on out/c.geojson") &&
                 access(tmp, F_OK) != 0; /* nothing half-written left */
        _exit(ok ? 0 : 1);
    }
    int ws = 0;
    waitpid(pid, &ws, 0);
    assert_true(WIFEXITED(ws));
    assert_int_equal(WEXITSTATUS(ws), 0);
    /* and without the limit the same write succeeds and is whole */
    static char data[65536];
    memset(data, 'y', sizeof data);
    sv_ctx *c = sv_ctx_create();
    assert_int_equal(sv_write_new_file(c, tmp, "out/c.geojson", data, sizeof data), SV_OK);
    struct stat sb;
    assert_int_equal(stat(tmp, &sb), 0);
    assert_int_equal(sb.st_size, sizeof data);
    assert_int_equal(sv_write_new_file(c, tmp, "out/c.geojson", data, 1), SV_ERR_OUTPUT); /* O_EXCL */
    sv_ctx_destroy(c);
    unlink(tmp);
    rmdir(dir);
}

/* A SpatiaLite blob, little-endian: header, class, body, end marker. */
static size_t blob_put(unsigned char *b, uint32_t cls, const uint32_t *ints, size_t n_ints, size_t n_doubles)
{
    size_t k = 0;
    b[k++] = 0x00;
    b[k++] = 0x01;
    memset(b + k, 0, 36); /* SRID and MBR */
    k += 36;
    b[k++] = 0x7C;
    memcpy(b + k, &cls, 4);
    k += 4;
    for (size_t i = 0; i < n_ints; i++, k += 4)
        memcpy(b + k, &ints[i], 4);
    memset(b + k, 0, n_doubles * 8);
    k += n_doubles * 8;
    b[k++] = 0xFE;
    return k;
}

/* Issue 18 item 10: the blob walk accepts SpatiaLite's layout and refuses counts beyond the bytes. */
static void test_spatialite_blob_check(void **state)
{
    (void)state;
    unsigned char b[512];
    char why[200];
    size_t n = blob_put(b, 1, NULL, 0, 2); /* POINT */
    assert_int_equal(sv_spatialite_blob_check(b, n, why, sizeof why), 0);
    assert_string_equal(why, "");
    n = blob_put(b, 1001, NULL, 0, 3); /* POINT Z */
    assert_int_equal(sv_spatialite_blob_check(b, n, why, sizeof why), 0);
    uint32_t poly[] = {1, 4}; /* one ring of 4 points */
    n = blob_put(b, 3, poly, 2, 8);
    assert_int_equal(sv_spatialite_blob_check(b, n, why, sizeof why), 0);
    uint32_t rings[] = {0x3a000000u, 4};
    n = blob_put(b, 3, rings, 2, 8);
    assert_int_equal(sv_spatialite_blob_check(b, n, why, sizeof why), -1);
    assert_non_null(strstr(why, "polygon rings: 973078528 declared"));
    uint32_t points[] = {1, 1000000};
    n = blob_put(b, 3, points, 2, 8);
    assert_int_equal(sv_spatialite_blob_check(b, n, why, sizeof why), -1);
    assert_non_null(strstr(why, "ring points: 1000000 declared"));
    n = blob_put(b, 99, NULL, 0, 2);
    assert_int_equal(sv_spatialite_blob_check(b, n, why, sizeof why), -1);
    assert_non_null(strstr(why, "unknown geometry class 99"));
    n = blob_put(b, 1, NULL, 0, 3); /* a POINT with 8 bytes too many */
    assert_int_equal(sv_spatialite_blob_check(b, n, why, sizeof why), -1);
    assert_non_null(strstr(why, "bytes after the geometry"));
    n = blob_put(b, 1, NULL, 0, 2);
    b[n - 1] = 0x00;
    assert_int_equal(sv_spatialite_blob_check(b, n, why, sizeof why), -1);
    b[n - 1] = 0xFE;
    b[38] = 0x00;
    assert_int_equal(sv_spatialite_blob_check(b, n, why, sizeof why), -1);
    assert_non_null(strstr(why, "MBR"));
    /* MULTIPOLYGON of one POLYGON: the part's 0x69 marker and class */
    unsigned char m[512];
    size_t k = 0;
    uint32_t cls = 6, one = 1, pcls = 3, four = 4;
    m[k++] = 0x00;
    m[k++] = 0x01;
    memset(m + k, 0, 36);
    k += 36;
    m[k++] = 0x7C;
    memcpy(m + k, &cls, 4), k += 4;
    memcpy(m + k, &one, 4), k += 4;
    m[k++] = 0x69;
    memcpy(m + k, &pcls, 4), k += 4;
    memcpy(m + k, &one, 4), k += 4;
    memcpy(m + k, &four, 4), k += 4;
    memset(m + k, 0, 64), k += 64;
    m[k++] = 0xFE;
    assert_int_equal(sv_spatialite_blob_check(m, k, why, sizeof why), 0);
    m[47] = 0x00; /* the part marker */
    assert_int_equal(sv_spatialite_blob_check(m, k, why, sizeof why), -1);
    assert_non_null(strstr(why, "0x69"));
    assert_int_equal(sv_spatialite_blob_check(m, 20, why, sizeof why), -1);
    assert_int_equal(sv_spatialite_blob_check(NULL, 0, NULL, 0), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_base64),
        cmocka_unit_test(test_buffer_growth),
        cmocka_unit_test(test_atomic_write),
        cmocka_unit_test(test_tmp_private_folder),
        cmocka_unit_test(test_tmp_ignores_planted_links),
        cmocka_unit_test(test_stale_temporary_files),
        cmocka_unit_test(test_output_lock),
        cmocka_unit_test(test_markdown_csv_terminal_neutralised),
        cmocka_unit_test(test_file_name_part),
        cmocka_unit_test(test_utf8_fix),
        cmocka_unit_test(test_write_errors_named),
        cmocka_unit_test(test_spatialite_blob_check),
    };
    return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
