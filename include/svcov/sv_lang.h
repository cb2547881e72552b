/*
 * sv_lang.h - the language of what svcov prints for people: maps, reports
 * and the command line's summaries. English is the source text; every other
 * language comes from one message catalogue, po/LANG.po (GNU gettext
 * format), which the build checks and compiles with msgfmt into a .mo file
 * embedded in the library. Lookups read that constant data: no process
 * locale, no global state, safe from any thread, a language per call.
 *
 * Mark text with sv_tr/sv_trn/sv_trp (or SV_N_ where the text is only
 * named and translated later): xgettext extracts exactly these into
 * po/svcov.pot.
 */
#ifndef SV_LANG_H
#define SV_LANG_H

#include "svcov/sv_common.h"

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Ownership: nothing here allocates. sv_tr, sv_trn, sv_trp and sv_lang_tag
 * return static strings (the catalogue's or the msgid given, which must
 * outlive its use); sv_lang_date writes into the caller's buf. */

typedef enum { SV_LANG_EN = 0, SV_LANG_ZH } sv_lang;

/* The language of a context's messages (sv_error, sv_warning: their format is looked up in the catalogue
 * before it is filled in, the values go in unchanged); English until set. A context the library makes for a
 * worker takes its parent's. */
void sv_ctx_set_lang(sv_ctx *ctx, sv_lang lang);
sv_lang sv_ctx_lang(const sv_ctx *ctx);

/* "en" or "zh" (also "zh_CN", "zh-CN", "zh_CN.UTF-8", "en_GB"...). An
 * unknown name is SV_ERR_USAGE naming the languages there are. */
sv_status sv_lang_parse(sv_ctx *ctx, const char *name, sv_lang *out);
/* The language the locale variables ask for (the first set and non-empty
 * of LC_ALL, LC_MESSAGES, LANG, as POSIX orders them): zh when it starts
 * with "zh", else English. Pass getenv's values (NULL for unset). */
sv_lang sv_lang_from_locale(const char *lc_all, const char *lc_messages, const char *lang);
/* The BCP 47 tag for HTML lang attributes: "en" or "zh-CN" (static). */
const char *sv_lang_tag(sv_lang lang);

/* The translation of msgid (a static string), msgid itself in English or
 * when the catalogue has none. */
const char *sv_tr(sv_lang lang, const char *msgid) __attribute__((format_arg(2)));
/* With a plural: English one or many by n, the catalogue's form otherwise
 * (Chinese has one form). */
const char *sv_trn(sv_lang lang, const char *one, const char *many, unsigned long n)
    __attribute__((format_arg(2))) __attribute__((format_arg(3)));
/* With a context, for words that are translated differently by use. */
const char *sv_trp(sv_lang lang, const char *context, const char *msgid) __attribute__((format_arg(3)));
/* A message made twice from one msgid: in English (data, e.g. the issues table's problem) and in lang (what
 * people read, e.g. the warning on stderr). sv_msg_add appends fmt filled in (the catalogue's translation for
 * tr, the values unchanged), sv_msg_addn the same with a plural (English one or many by n, the catalogue's
 * form for n), sv_msg_put a msgid without conversions. Text past SV_MSG_SIZE is cut (at a character). */
#define SV_MSG_SIZE 1024
struct sv_msg { /* the typedef sv_msg is sv_common.h's */
    sv_lang lang;
    char en[SV_MSG_SIZE];
    char tr[SV_MSG_SIZE];
};
void sv_msg_init(sv_msg *m, sv_lang lang);
void sv_msg_add(sv_msg *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sv_msg_addn(sv_msg *m, const char *one, const char *many, unsigned long n, ...)
    __attribute__((format(printf, 3, 5)));
void sv_msg_put(sv_msg *m, const char *msgid);
/* sv_msg_add with a va_list; sv_msg_cat appends part (its English to m's English, its translation to m's). */
void sv_msg_vadd(sv_msg *m, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void sv_msg_cat(sv_msg *m, const sv_msg *part);

/* Marks text for the catalogue where it is only stored (translated later with sv_tr). */
#define SV_N_(s) (s)
/* The same with a context (for po/db_values.c: words stored in the database, looked up with sv_trp). */
#define SV_NP_(context, s) (s)
/* The same for the HTML map's script: {} stands for a value (not a printf format). */
#define SV_NJ_(s) (s)

/* A timestamp of the database ("2026-12-01T09:30:00Z", UTC) for people to
 * read: unchanged in English; in Chinese in Beijing time, as offices there
 * read dates: "2026年12月1日 17:30（北京时间）". */
void sv_lang_date(sv_lang lang, const char *iso_utc, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
