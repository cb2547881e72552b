/* test_text.c - the text helpers of maps and reports: escaping for HTML,
 * Markdown, CSV and JSON inside <script>, base64 (RFC 4648 test vectors),
 * and the atomic file write. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "svcov/sv_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
    /* no temporary file is left behind */
    char tmp[300];
    sv_tmp_name(path, tmp, sizeof tmp);
    struct stat sb;
    assert_int_not_equal(stat(tmp, &sb), 0);
    /* a folder that does not exist: an output error naming the path, nothing written */
    char bad[300];
    snprintf(bad, sizeof bad, "%s/no/such/out.txt", dir);
    assert_int_equal(sv_write_file_atomic(ctx, bad, "x", 1), SV_ERR_OUTPUT);
    assert_non_null(strstr(sv_ctx_errmsg(ctx), bad));
    sv_ctx_destroy(ctx);
    unlink(path);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_base64),
        cmocka_unit_test(test_buffer_growth),
        cmocka_unit_test(test_atomic_write),
        cmocka_unit_test(test_markdown_csv_terminal_neutralised),
        cmocka_unit_test(test_file_name_part),
    };
    return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
