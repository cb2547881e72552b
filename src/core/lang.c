/* lang.c - translated text from the message catalogue (po/zh_CN.po).
 *
 * The build compiles the .po with GNU msgfmt (which checks it, format
 * strings included) and embeds the .mo bytes (cmake/embed_mo.cmake). This
 * file reads that documented format as libintl does, but without libintl's
 * process-wide state (setlocale, textdomain, LANGUAGE): the language is an
 * argument, so one process can draw a Chinese map and an English report at
 * once, and no installed locale is needed (many machines only have C.UTF-8).
 *
 * .mo layout (GNU gettext manual, "The Format of GNU MO Files"): magic
 * 0x950412de, revision, N, offset of the originals table, offset of the
 * translations table; each table N (length, offset) pairs; the originals
 * sorted by strcmp ("context\004msgid"; a plural's msgid "one\0many"), so
 * a binary search finds one. */
#include "svcov/sv_lang.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

extern const unsigned char sv_mo_zh_CN[];
extern const size_t sv_mo_zh_CN_len;

typedef struct {
    const unsigned char *mo;
    size_t len;
} catalogue;

static uint32_t u32(const catalogue *c, size_t off, int swap)
{
    uint32_t v = 0;
    if (off + 4 <= c->len)
        memcpy(&v, c->mo + off, 4);
    return swap ? __builtin_bswap32(v) : v;
}

/* The translation of key in the catalogue of lang, or NULL. */
static const char *lookup(sv_lang lang, const char *key)
{
    if (lang != SV_LANG_ZH || !key)
        return NULL;
    const catalogue c = {sv_mo_zh_CN, sv_mo_zh_CN_len};
    uint32_t magic = u32(&c, 0, 0);
    int swap = magic == 0xde120495u;
    if (!swap && magic != 0x950412deu)
        return NULL;
    uint32_t n = u32(&c, 8, swap), oo = u32(&c, 12, swap), to = u32(&c, 16, swap);
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint32_t len = u32(&c, oo + 8 * mid, swap), off = u32(&c, oo + 8 * mid + 4, swap);
        if ((size_t)off + len >= c.len)
            return NULL;
        int cmp = strcmp(key, (const char *)c.mo + off);
        if (cmp == 0) {
            uint32_t tlen = u32(&c, to + 8 * mid, swap), toff = u32(&c, to + 8 * mid + 4, swap);
            if ((size_t)toff + tlen >= c.len || tlen == 0)
                return NULL;
            return (const char *)c.mo + toff; /* a plural's first form: Chinese has one */
        }
        if (cmp < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

const char *sv_tr(sv_lang lang, const char *msgid)
{
    const char *t = lookup(lang, msgid);
    return t ? t : msgid;
}

const char *sv_trn(sv_lang lang, const char *one, const char *many, unsigned long n)
{
    const char *t = lookup(lang, one);
    return t ? t : n == 1 ? one : many;
}

const char *sv_trp(sv_lang lang, const char *context, const char *msgid)
{
    char key[512];
    size_t lc = strlen(context), lm = strlen(msgid);
    if (lc + 1 + lm + 1 > sizeof key)
        return msgid;
    memcpy(key, context, lc);
    key[lc] = '\004';
    memcpy(key + lc + 1, msgid, lm + 1);
    const char *t = lookup(lang, key);
    return t ? t : msgid;
}

/* Append fmt filled in from ap to buf (of SV_MSG_SIZE); text that does not fit is cut before the character
 * it would split. */
static void msg_append(char *buf, const char *fmt, va_list ap)
{
    size_t len = strlen(buf);
    if (len + 1 >= SV_MSG_SIZE)
        return;
    int n = vsnprintf(buf + len, SV_MSG_SIZE - len, fmt, ap);
    if (n < 0) {
        buf[len] = '\0';
        return;
    }
    if ((size_t)n < SV_MSG_SIZE - len)
        return;
    size_t last = SV_MSG_SIZE - 2; /* the last byte kept: is its character whole? */
    while (last > len && ((unsigned char)buf[last] & 0xC0) == 0x80)
        last--;
    unsigned char c = (unsigned char)buf[last];
    size_t k = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    if (last + k > SV_MSG_SIZE - 1)
        buf[last] = '\0';
}

void sv_msg_init(sv_msg *m, sv_lang lang)
{
    m->lang = lang;
    m->en[0] = m->tr[0] = '\0';
}

void sv_msg_vadd(sv_msg *m, const char *fmt, va_list ap)
{
    va_list aq;
    va_copy(aq, ap);
    msg_append(m->en, fmt, ap);
    /* the catalogue's translation has the same conversions in the same order (msgfmt --check) */
    msg_append(m->tr, sv_tr(m->lang, fmt), aq);
    va_end(aq);
}

void sv_msg_add(sv_msg *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sv_msg_vadd(m, fmt, ap);
    va_end(ap);
}

void sv_msg_addn(sv_msg *m, const char *one, const char *many, unsigned long n, ...)
{
    va_list ap, aq;
    va_start(ap, n);
    va_copy(aq, ap);
    msg_append(m->en, n == 1 ? one : many, ap);
    msg_append(m->tr, sv_trn(m->lang, one, many, n), aq);
    va_end(aq);
    va_end(ap);
}

static void msg_appendf(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void msg_appendf(char *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    msg_append(buf, fmt, ap);
    va_end(ap);
}

void sv_msg_put(sv_msg *m, const char *msgid)
{
    msg_appendf(m->en, "%s", msgid);
    msg_appendf(m->tr, "%s", sv_tr(m->lang, msgid));
}

void sv_msg_cat(sv_msg *m, const sv_msg *part)
{
    msg_appendf(m->en, "%s", part->en);
    msg_appendf(m->tr, "%s", part->tr);
}

static int starts_with_lang(const char *s, const char *code)
{
    size_t n = strlen(code);
    return strncasecmp(s, code, n) == 0 && (s[n] == '\0' || s[n] == '_' || s[n] == '-' || s[n] == '.' ||
                                            s[n] == '@');
}

sv_status sv_lang_parse(sv_ctx *ctx, const char *name, sv_lang *out)
{
    if (name && starts_with_lang(name, "en")) {
        *out = SV_LANG_EN;
        return SV_OK;
    }
    if (name && starts_with_lang(name, "zh")) {
        *out = SV_LANG_ZH;
        return SV_OK;
    }
    return sv_error(ctx, SV_ERR_USAGE, "--lang: unknown language '%s'; svcov speaks en (English) and zh "
                    "(简体中文, Simplified Chinese)", name ? name : "");
}

sv_lang sv_lang_from_locale(const char *lc_all, const char *lc_messages, const char *lang)
{
    const char *v = lc_all && *lc_all ? lc_all : lc_messages && *lc_messages ? lc_messages : lang;
    return v && starts_with_lang(v, "zh") ? SV_LANG_ZH : SV_LANG_EN;
}

const char *sv_lang_tag(sv_lang lang)
{
    return lang == SV_LANG_ZH ? "zh-CN" : "en";
}

void sv_lang_date(sv_lang lang, const char *iso_utc, char *buf, size_t size)
{
    struct tm tm = {0};
    if (!iso_utc)
        iso_utc = "";
    if (lang == SV_LANG_ZH && sscanf(iso_utc, "%4d-%2d-%2dT%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                                     &tm.tm_hour, &tm.tm_min) == 5) {
        /* Beijing time (UTC+8, no daylight saving), as a Chinese office reads a date */
        tm.tm_year -= 1900;
        tm.tm_mon -= 1;
        time_t t = timegm(&tm) + 8 * 3600;
        struct tm bj;
        gmtime_r(&t, &bj);
        snprintf(buf, size, "%d年%d月%d日 %02d:%02d（北京时间）", bj.tm_year + 1900, bj.tm_mon + 1, bj.tm_mday,
                 bj.tm_hour, bj.tm_min);
    } else
        snprintf(buf, size, "%s", iso_utc);
}
