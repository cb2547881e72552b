/* test_lang.c - the message catalogue: lookups in the embedded .mo (plain,
 * plural, context), English untouched, the --lang names, the locale
 * variables in POSIX order, dates for Chinese readers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "svcov/sv_lang.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef SVCOV_MO
#error "SVCOV_MO must name the compiled catalogue (build/po/zh_CN.mo)"
#endif

static void test_lookup(void **state)
{
    (void)state;
    /* English is the msgid itself, the same pointer */
    const char *legend = "Legend";
    assert_ptr_equal(sv_tr(SV_LANG_EN, legend), legend);
    assert_string_equal(sv_tr(SV_LANG_ZH, "Legend"), "图例");
    assert_string_equal(sv_tr(SV_LANG_ZH, "N"), "北");
    assert_string_equal(sv_tr(SV_LANG_ZH, "%g min"), "%g 分钟");
    assert_string_equal(sv_tr(SV_LANG_ZH, "Area %.2f km²"), "面积 %.2f 平方公里");
    /* the first and last msgids in strcmp order: the binary search reaches both ends */
    assert_string_equal(sv_tr(SV_LANG_ZH, "\nResults: %s\n"), "\n结果：%s\n");
    assert_string_equal(sv_tr(SV_LANG_ZH, "{} min"), "{} 分钟");
    /* not in the catalogue: the English text */
    assert_string_equal(sv_tr(SV_LANG_ZH, "no such text in the catalogue"), "no such text in the catalogue");
    /* plurals: English by n, Chinese one form */
    assert_string_equal(sv_trn(SV_LANG_EN, "and %d more category", "and %d more categories", 1),
                        "and %d more category");
    assert_string_equal(sv_trn(SV_LANG_EN, "and %d more category", "and %d more categories", 2),
                        "and %d more categories");
    assert_string_equal(sv_trn(SV_LANG_ZH, "and %d more category", "and %d more categories", 2), "另有 %d 个类别");
    /* contexts: the same word, looked up by use */
    assert_string_equal(sv_trp(SV_LANG_ZH, "mode", "walk"), "步行");
    assert_string_equal(sv_trp(SV_LANG_ZH, "runs column", "mode"), "出行方式");
    assert_string_equal(sv_trp(SV_LANG_EN, "mode", "walk"), "walk");
    assert_string_equal(sv_trp(SV_LANG_ZH, "mode", "hovercraft"), "hovercraft");
}

static uint32_t u32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* Every message msgfmt compiled is found by the lookup (so the binary search and the .mo's order agree). */
static void test_every_message(void **state)
{
    (void)state;
    FILE *f = fopen(SVCOV_MO, "rb");
    assert_non_null(f);
    static unsigned char mo[1 << 20];
    size_t len = fread(mo, 1, sizeof mo, f);
    fclose(f);
    assert_true(len > 28 && len < sizeof mo);
    assert_int_equal(u32(mo), 0x950412deu);
    uint32_t n = u32(mo + 8), oo = u32(mo + 12), to = u32(mo + 16);
    assert_true(n > 200);
    size_t checked = 0;
    for (uint32_t i = 0; i < n; i++) {
        const char *orig = (const char *)mo + u32(mo + oo + 8 * i + 4);
        const char *tr = (const char *)mo + u32(mo + to + 8 * i + 4);
        if (!*orig)
            continue; /* the header */
        const char *eot = strchr(orig, '\004');
        const char *got;
        if (eot) {
            char ctx[64];
            snprintf(ctx, sizeof ctx, "%.*s", (int)(eot - orig), orig);
            got = sv_trp(SV_LANG_ZH, ctx, eot + 1);
        } else
            got = sv_trn(SV_LANG_ZH, orig, orig + strlen(orig) + 1, 5);
        if (strcmp(got, tr) != 0)
            fail_msg("message %u \"%s\": got \"%s\", want \"%s\"", i, orig, got, tr);
        checked++;
    }
    assert_int_equal(checked, n - 1);
}

static void test_names(void **state)
{
    (void)state;
    sv_ctx *ctx = sv_ctx_create();
    sv_lang l = SV_LANG_EN;
    assert_int_equal(sv_lang_parse(ctx, "zh", &l), SV_OK);
    assert_int_equal(l, SV_LANG_ZH);
    assert_int_equal(sv_lang_parse(ctx, "en", &l), SV_OK);
    assert_int_equal(l, SV_LANG_EN);
    assert_int_equal(sv_lang_parse(ctx, "zh_CN.UTF-8", &l), SV_OK);
    assert_int_equal(l, SV_LANG_ZH);
    assert_int_equal(sv_lang_parse(ctx, "zh-CN", &l), SV_OK);
    assert_int_equal(sv_lang_parse(ctx, "fr", &l), SV_ERR_USAGE);
    assert_non_null(strstr(sv_ctx_errmsg(ctx), "'fr'"));
    assert_non_null(strstr(sv_ctx_errmsg(ctx), "en (English) and zh"));
    assert_int_equal(sv_lang_parse(ctx, "zhx", &l), SV_ERR_USAGE);
    assert_int_equal(sv_lang_parse(ctx, "", &l), SV_ERR_USAGE);
    sv_ctx_destroy(ctx);
    /* LC_ALL, then LC_MESSAGES, then LANG; empty counts as unset */
    assert_int_equal(sv_lang_from_locale(NULL, NULL, "zh_CN.UTF-8"), SV_LANG_ZH);
    assert_int_equal(sv_lang_from_locale("zh_TW.UTF-8", NULL, "en_US.UTF-8"), SV_LANG_ZH);
    assert_int_equal(sv_lang_from_locale("C.UTF-8", NULL, "zh_CN.UTF-8"), SV_LANG_EN);
    assert_int_equal(sv_lang_from_locale("", "zh_CN", "C"), SV_LANG_ZH);
    assert_int_equal(sv_lang_from_locale(NULL, NULL, NULL), SV_LANG_EN);
    assert_int_equal(sv_lang_from_locale(NULL, NULL, "C.UTF-8"), SV_LANG_EN);
    assert_string_equal(sv_lang_tag(SV_LANG_ZH), "zh-CN");
    assert_string_equal(sv_lang_tag(SV_LANG_EN), "en");
}

static void test_date(void **state)
{
    (void)state;
    char b[64];
    sv_lang_date(SV_LANG_ZH, "2026-12-01T09:05:33Z", b, sizeof b);
    assert_string_equal(b, "2026年12月1日 17:05（北京时间）");
    sv_lang_date(SV_LANG_ZH, "2026-12-31T16:30:00Z", b, sizeof b); /* already the next year in Beijing */
    assert_string_equal(b, "2027年1月1日 00:30（北京时间）");
    sv_lang_date(SV_LANG_EN, "2026-12-01T09:05:33Z", b, sizeof b);
    assert_string_equal(b, "2026-12-01T09:05:33Z");
    sv_lang_date(SV_LANG_ZH, "yesterday", b, sizeof b); /* not a timestamp: as it is */
    assert_string_equal(b, "yesterday");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_every_message),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_date),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
