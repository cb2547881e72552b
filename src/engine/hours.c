/*
 * hours.c - OpenStreetMap opening_hours (a documented subset, see
 * engine/hours.h) parsed into one week of minutes, and moments of the week.
 *
 * The week is a ring of 7 x 1440 bits; each rule is applied to it as soon as
 * it is parsed, in the order of the text, which is how opening_hours.js
 * resolves rules (a later normal rule replaces its days, an additional rule
 * adds, an "off" rule closes only its spans). A span past midnight sets bits
 * of the next day, so a later rule for that day replaces them too.
 */
#include "engine/hours.h"
#include "svcov/sv_common.h"
#include "svcov/sv_lang.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MIN 1440
#define WEEK_MIN (7 * DAY_MIN)
#define WEEK_WORDS ((WEEK_MIN + 63) / 64)
/* A span takes at least 10 characters ("0:00-1:00,"), so SV_HOURS_MAX_TEXT
 * allows no more than this many in a rule. */
#define MAX_SPANS (SV_HOURS_MAX_TEXT / 8)

struct sv_hours {
    uint64_t bits[WEEK_WORDS]; /* bit m: minute m of the week from Monday 00:00 */
    unsigned flags;
};

static const char *const WEEKDAYS[7] = {"Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"};

/* ---- the week ring ---- */

static void ring_set(uint64_t *bits, int from, int to, int open)
{
    /* [from, to) in minutes of the week, from in [0, WEEK_MIN), to - from
     * at most 2 days: wraps Sunday into Monday. */
    for (int m = from; m < to; m++) {
        int w = m % WEEK_MIN;
        uint64_t bit = (uint64_t)1 << (w % 64);
        if (open)
            bits[w / 64] |= bit;
        else
            bits[w / 64] &= ~bit;
    }
}

static int ring_get(const uint64_t *bits, int m)
{
    return (int)((bits[m / 64] >> (m % 64)) & 1u);
}

/* ---- lexing helpers shared by hours and moments ---- */

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}
static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Column (1-based, in characters: UTF-8 continuation bytes do not count)
 * of byte pos of text. */
static int column_of(const char *text, size_t pos)
{
    int col = 1;
    for (size_t i = 0; i < pos; i++)
        if (((unsigned char)text[i] & 0xC0) != 0x80)
            col++;
    return col;
}

/* What stands at s[pos..end): the next token, quoted and escaped, or ""
 * at the end of the text. */
static void describe_found(const char *s, size_t pos, size_t end, char *buf, size_t buflen)
{
    if (pos >= end) {
        if (buflen)
            buf[0] = '\0';
        return;
    }
    char tok[64];
    size_t n = 0, i = pos;
    /* a word, a number, or one symbol */
    int kind = is_alpha(s[i]) ? 1 : is_digit(s[i]) ? 2 : 0;
    while (i < end && n + 5 < sizeof tok && i - pos < 16) {
        char c = s[i];
        if (kind == 1 && !is_alpha(c))
            break;
        if (kind == 2 && !is_digit(c) && c != ':')
            break;
        unsigned char u = (unsigned char)c;
        /* a whole UTF-8 character (周) as it is; control and stray bytes escaped */
        size_t len = u >= 0xC2 && u <= 0xDF ? 2 : u >= 0xE0 && u <= 0xEF ? 3 : u >= 0xF0 && u <= 0xF4 ? 4 : 1;
        int whole = kind == 0 && len > 1 && i + len <= end && n + len < sizeof tok;
        for (size_t k = 1; whole && k < len; k++)
            whole = ((unsigned char)s[i + k] & 0xC0) == 0x80;
        if (whole) {
            memcpy(tok + n, s + i, len);
            n += len;
            i += len;
            break;
        }
        if (u < 0x20 || u >= 0x7f)
            n += (size_t)snprintf(tok + n, sizeof tok - n, "\\x%02X", u);
        else
            tok[n++] = c;
        i++;
        if (kind == 0 && u < 0x80)
            break;
        if (kind == 0 && i < end && ((unsigned char)s[i] & 0xC0) != 0x80)
            break;
    }
    tok[n] = '\0';
    snprintf(buf, buflen, "'%s'", tok);
}

/* Case-insensitive: does s[pos..end) start with word w, not followed by a
 * letter? */
static int word_at(const char *s, size_t pos, size_t end, const char *w)
{
    size_t n = strlen(w);
    if (end - pos < n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (lower(s[pos + i]) != lower(w[i]))
            return 0;
    return pos + n >= end || !is_alpha(s[pos + n]);
}

/* The weekday (0..6) whose two-letter name stands at pos as a whole word, or -1. */
static int weekday_at(const char *s, size_t pos, size_t end)
{
    for (int d = 0; d < 7; d++)
        if (word_at(s, pos, end, WEEKDAYS[d]))
            return d;
    return -1;
}

/* The length of the run of letters at pos. */
static size_t word_len(const char *s, size_t pos, size_t end)
{
    size_t n = 0;
    while (pos + n < end && is_alpha(s[pos + n]))
        n++;
    return n;
}

/* Why a construct of the full specification is refused, when the text at
 * pos looks like one; NULL otherwise. */
static const char *unsupported_hint(const char *s, size_t pos, size_t end)
{
    static const char *const months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                         "jul", "aug", "sep", "oct", "nov", "dec"};
    static const char *const variable[] = {"sunrise", "sunset", "dawn", "dusk"};
    if (pos >= end)
        return NULL;
    char c = s[pos];
    if (c == '|' && pos + 1 < end && s[pos + 1] == '|')
        return SV_N_("fallback rules ('||') are not supported");
    if (c == '"')
        return SV_N_("comments are not supported");
    if (c == '[')
        return SV_N_("nth weekdays such as Mo[1] are not supported");
    if (c == '+')
        return SV_N_("open ends such as 18:00+ and holiday offsets are not supported");
    if (c == '/')
        return SV_N_("repeating times such as 10:00-16:00/90 are not supported");
    if ((unsigned char)c == 0xE2 && pos + 2 < end && (unsigned char)s[pos + 1] == 0x80 &&
        ((unsigned char)s[pos + 2] == 0x93 || (unsigned char)s[pos + 2] == 0x94))
        return SV_N_("write ranges with '-', not a dash");
    /* 周一 ... 周日, 星期一 ... 星期日 (Chinese weekday names) */
    if ((pos + 3 <= end && memcmp(s + pos, "\xE5\x91\xA8", 3) == 0) ||
        (pos + 6 <= end && memcmp(s + pos, "\xE6\x98\x9F\xE6\x9C\x9F", 6) == 0))
        return SV_N_("write weekdays with their two-letter names: Mo Tu We Th Fr Sa Su for 周一 to 周日");
    if (is_digit(c)) {
        size_t n = 0;
        while (pos + n < end && is_digit(s[pos + n]))
            n++;
        if (n == 4)
            return SV_N_("year selectors are not supported");
        return NULL;
    }
    if (!is_alpha(c))
        return NULL;
    size_t n = word_len(s, pos, end);
    for (size_t i = 0; i < sizeof months / sizeof months[0]; i++)
        if (n >= 3 && lower(s[pos]) == months[i][0] && lower(s[pos + 1]) == months[i][1] &&
            lower(s[pos + 2]) == months[i][2])
            return SV_N_("month and date selectors are not supported");
    for (size_t i = 0; i < sizeof variable / sizeof variable[0]; i++)
        if (word_at(s, pos, end, variable[i]))
            return SV_N_("variable times (sunrise, sunset, dawn, dusk) are not supported");
    if (word_at(s, pos, end, "week"))
        return SV_N_("week selectors are not supported");
    if (word_at(s, pos, end, "easter"))
        return SV_N_("easter is not supported");
    if (word_at(s, pos, end, "unknown"))
        return SV_N_("the 'unknown' state is not supported");
    if (n > 2)
        for (int d = 0; d < 7; d++)
            if (lower(s[pos]) == lower(WEEKDAYS[d][0]) && lower(s[pos + 1]) == lower(WEEKDAYS[d][1]))
                return SV_N_("write weekdays with their two-letter names Mo Tu We Th Fr Sa Su");
    return NULL;
}

/* ---- the opening_hours parser ---- */

typedef struct {
    const char *s;
    size_t pos, end;
    sv_msg *why; /* may be NULL */
    sv_hours *h;
} parser;

typedef struct {
    int start, end; /* minutes from the day's 00:00; start < end <= 2880 */
} span;

static void skip_ws(parser *p)
{
    while (p->pos < p->end && is_space(p->s[p->pos]))
        p->pos++;
}

/* "column C: expected WHAT, found TOKEN (hint)", in English and in the
 * message's language (WHAT and the hint are msgids); always returns -1. */
static int fail_expected(parser *p, const char *what)
{
    if (p->why) {
        char found[96];
        describe_found(p->s, p->pos, p->end, found, sizeof found);
        const char *hint = unsupported_hint(p->s, p->pos, p->end);
        sv_msg_add(p->why, "column %d: expected ", column_of(p->s, p->pos));
        sv_msg_put(p->why, what);
        if (found[0])
            sv_msg_add(p->why, ", found %s", found);
        else
            sv_msg_put(p->why, ", found end of text");
        if (hint) {
            sv_msg_put(p->why, " (");
            sv_msg_put(p->why, hint);
            sv_msg_put(p->why, ")");
        }
    }
    return -1;
}

/* "column C: message" at byte pos (fmt a msgid); always returns -1. */
static int fail_at(parser *p, size_t pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail_at(parser *p, size_t pos, const char *fmt, ...)
{
    if (p->why) {
        sv_msg_add(p->why, "column %d: ", column_of(p->s, pos));
        va_list ap;
        va_start(ap, fmt);
        sv_msg_vadd(p->why, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static int at_day(parser *p)
{
    return weekday_at(p->s, p->pos, p->end) >= 0 || word_at(p->s, p->pos, p->end, "PH") ||
           word_at(p->s, p->pos, p->end, "SH");
}

/* After skipping spaces from pos: is there a day selector? (looks ahead only) */
static int day_follows(parser *p, size_t pos)
{
    while (pos < p->end && is_space(p->s[pos]))
        pos++;
    parser q = *p;
    q.pos = pos;
    return at_day(&q);
}

static int digit_follows(parser *p, size_t pos)
{
    while (pos < p->end && is_space(p->s[pos]))
        pos++;
    return pos < p->end && is_digit(p->s[pos]);
}

/* ", 24/7" after spans is an additional rule, not one more span. */
static int twentyfour_seven_follows(parser *p, size_t pos)
{
    while (pos < p->end && is_space(p->s[pos]))
        pos++;
    return p->end - pos >= 4 && memcmp(p->s + pos, "24/7", 4) == 0;
}

/* H:MM or HH:MM; hours up to max_hour (with :00 only at max_hour when
 * max_hour is 24 or 48). Sets *minutes from 00:00. */
static int parse_time(parser *p, int max_hour, int *minutes)
{
    size_t start = p->pos;
    size_t n = 0;
    while (p->pos + n < p->end && is_digit(p->s[p->pos + n]))
        n++;
    if (n == 0)
        return fail_expected(p, "a time like 08:00");
    if (n > 2)
        return fail_expected(p, "a time like 08:00 (hours with one or two digits)");
    int hour = 0;
    for (size_t i = 0; i < n; i++)
        hour = hour * 10 + (p->s[p->pos + i] - '0');
    p->pos += n;
    if (p->pos >= p->end || p->s[p->pos] != ':')
        return fail_expected(p, "':' and two digits of minutes");
    p->pos++;
    if (p->pos + 2 > p->end || !is_digit(p->s[p->pos]) || !is_digit(p->s[p->pos + 1]) ||
        (p->pos + 2 < p->end && is_digit(p->s[p->pos + 2])))
        return fail_expected(p, "two digits of minutes");
    int minute = (p->s[p->pos] - '0') * 10 + (p->s[p->pos + 1] - '0');
    if (minute > 59)
        return fail_at(p, p->pos, "minutes are 00 to 59, found %02d", minute);
    p->pos += 2;
    int m = hour * 60 + minute;
    if (max_hour == 24 && m >= 24 * 60)
        return fail_at(p, start, "a span starts before 24:00, found %02d:%02d", hour, minute);
    if (max_hour == 48 && m > 48 * 60)
        return fail_at(p, start, "a span ends at 48:00 at the latest, found %02d:%02d", hour, minute);
    *minutes = m;
    return 0;
}

static int parse_span(parser *p, span *out)
{
    int a, b;
    if (parse_time(p, 24, &a) != 0)
        return -1;
    skip_ws(p);
    if (p->pos >= p->end || p->s[p->pos] != '-') {
        if (p->pos < p->end && p->s[p->pos] == '+')
            return fail_expected(p, "'-' and the time the span ends");
        return fail_expected(p, "'-' and the time the span ends (a span is like 08:00-18:00)");
    }
    p->pos++;
    skip_ws(p);
    if (parse_time(p, 48, &b) != 0)
        return -1;
    if (b <= a) /* ends the next day: 22:00-02:00, 10:00-10:00 is 24 hours */
        b += DAY_MIN;
    out->start = a;
    out->end = b;
    return 0;
}

typedef struct {
    unsigned days;    /* bit d: weekday d named */
    int holidays;     /* PH or SH named */
    int nspans;
    int open;         /* 1 open, 0 off/closed */
    int has_state;    /* open, off or closed was written */
    int is_247;       /* the times were 24/7 */
    int has_anything; /* days, times or a state */
} rule;

/* The day part of a rule: weekdays and ranges ("Mo-Fr,Su") into r->days, PH/SH into r->holidays. */
static int parse_days(parser *p, rule *r)
{
    for (;;) {
        int d = weekday_at(p->s, p->pos, p->end);
        if (d >= 0) {
            p->pos += 2;
            skip_ws(p);
            int last = d;
            if (p->pos < p->end && p->s[p->pos] == '-') {
                p->pos++;
                skip_ws(p);
                last = weekday_at(p->s, p->pos, p->end);
                if (last < 0)
                    return fail_expected(p, "a weekday (Mo Tu We Th Fr Sa Su) ending the range");
                p->pos += 2;
            }
            for (int k = d;; k = (k + 1) % 7) { /* Sa-Mo wraps the week */
                r->days |= 1u << k;
                if (k == last)
                    break;
            }
        } else if (word_at(p->s, p->pos, p->end, "PH") || word_at(p->s, p->pos, p->end, "SH")) {
            p->pos += 2;
            r->holidays = 1;
        } else {
            return fail_expected(p, "a weekday (Mo Tu We Th Fr Sa Su), PH or SH");
        }
        skip_ws(p);
        if (p->pos < p->end && p->s[p->pos] == '[')
            return fail_expected(p, "',', a time or a state");
        if (p->pos < p->end && p->s[p->pos] == ',') {
            size_t after = p->pos + 1;
            while (after < p->end && is_space(p->s[after]))
                after++;
            if (after >= p->end)
                return 0; /* a trailing ',': the empty additional rule */
            p->pos = after;
            if (!day_follows(p, after)) /* opening_hours.js: "Mo, 08:00-10:00" makes no sense */
                return fail_expected(p, "a weekday (Mo Tu We Th Fr Sa Su), PH or SH after ','");
            continue;
        }
        return 0;
    }
}

/* Apply one rule to the week (see engine/hours.h for the semantics). */
static void apply_rule(sv_hours *h, const rule *r, const span *spans, int additional, int replaces)
{
    if (r->holidays)
        h->flags |= SV_HOURS_HOLIDAYS_IGNORED;
    if (r->holidays && r->days == 0)
        return; /* only holidays: never matches without a calendar */
    unsigned days = r->days ? r->days : 0x7Fu;
    span whole = {0, DAY_MIN};
    int n = r->nspans ? r->nspans : 1;
    const span *sp = r->nspans ? spans : &whole;
    if (r->open && !additional && replaces)
        for (int d = 0; d < 7; d++)
            if (days & (1u << d))
                ring_set(h->bits, d * DAY_MIN, (d + 1) * DAY_MIN, 0);
    for (int d = 0; d < 7; d++)
        if (days & (1u << d))
            for (int i = 0; i < n; i++)
                ring_set(h->bits, d * DAY_MIN + sp[i].start, d * DAY_MIN + sp[i].end, r->open);
}

/* One rule: its days, "24/7" or time spans (into spans), and a state ("open", "off", "closed"). */
static int parse_rule(parser *p, rule *r, span *spans)
{
    memset(r, 0, sizeof *r);
    r->open = 1;
    skip_ws(p);
    if (at_day(p)) {
        if (parse_days(p, r) != 0)
            return -1;
        r->has_anything = 1;
    }
    skip_ws(p);
    if (p->pos + 4 <= p->end && memcmp(p->s + p->pos, "24/7", 4) == 0) {
        p->pos += 4;
        spans[0].start = 0;
        spans[0].end = DAY_MIN;
        r->nspans = 1;
        r->has_anything = r->is_247 = 1;
    } else if (p->pos < p->end && is_digit(p->s[p->pos])) {
        for (;;) {
            if (r->nspans == MAX_SPANS)
                return fail_at(p, p->pos, "more than %d time spans in one rule", MAX_SPANS);
            if (parse_span(p, &spans[r->nspans]) != 0)
                return -1;
            r->nspans++;
            skip_ws(p);
            if (p->pos < p->end && (p->s[p->pos] == '+' || p->s[p->pos] == '/'))
                return fail_expected(p, "',', ';' or a state after the span");
            if (p->pos < p->end && p->s[p->pos] == ',' && digit_follows(p, p->pos + 1) &&
                !twentyfour_seven_follows(p, p->pos + 1)) {
                p->pos++;
                skip_ws(p);
                continue;
            }
            break;
        }
        r->has_anything = 1;
    }
    skip_ws(p);
    if (word_at(p->s, p->pos, p->end, "open")) {
        p->pos += 4;
        r->has_anything = r->has_state = 1;
    } else if (word_at(p->s, p->pos, p->end, "off")) {
        p->pos += 3;
        r->open = 0;
        r->has_anything = r->has_state = 1;
    } else if (word_at(p->s, p->pos, p->end, "closed")) {
        p->pos += 6;
        r->open = 0;
        r->has_anything = r->has_state = 1;
    }
    skip_ws(p);
    return 0;
}

int sv_hours_parse(const char *text, sv_hours **out, sv_msg *why)
{
    if (why) /* what an earlier call left */
        sv_msg_init(why, why->lang);
    if (out)
        *out = NULL;
    if (!text || !out) {
        if (why)
            sv_msg_put(why, "no opening hours given");
        return -1;
    }
    size_t len = 0; /* strnlen is POSIX, not C11 */
    while (len <= SV_HOURS_MAX_TEXT && text[len])
        len++;
    if (len > SV_HOURS_MAX_TEXT) {
        if (why)
            sv_msg_add(why, "longer than %d characters", SV_HOURS_MAX_TEXT);
        return -1;
    }
    sv_hours *h = sv_calloc(1, sizeof *h);
    span *spans = sv_malloc(MAX_SPANS * sizeof *spans);
    if (!h || !spans) {
        free(h);
        free(spans);
        if (why)
            sv_msg_put(why, "out of memory");
        return -1;
    }
    parser p = {text, 0, len, why, h};
    int nrules = 0, additional = 0, prev_has_days = 0, rc = -1;
    static const char rule_example[] = SV_N_("a rule such as Mo-Fr 08:00-18:00, 24/7 or off");
    for (;;) {
        skip_ws(&p);
        if (!additional) { /* empty rules between ';' are skipped, as opening_hours.js does */
            while (p.pos < p.end && p.s[p.pos] == ';') {
                p.pos++;
                skip_ws(&p);
            }
            if (p.pos >= p.end) {
                if (nrules == 0) {
                    fail_expected(&p, rule_example);
                    goto done;
                }
                break;
            }
        }
        if (additional && p.pos >= p.end)
            break; /* a ',' at the end adds an empty rule, as opening_hours.js reads it */
        size_t rule_start = p.pos;
        rule r;
        if (parse_rule(&p, &r, spans) != 0)
            goto done;
        if (!r.has_anything) {
            p.pos = rule_start;
            fail_expected(&p, additional ? SV_N_("a rule after ','") : rule_example);
            goto done;
        }
        /* opening_hours.js (getStatePair): an open normal rule replaces the
         * earlier hours of its days when it names days, or when the rule
         * before it names none either; "We 08:15-17:00; 09:59-12:00" keeps
         * Wednesday's hours and adds to them. */
        int has_days = r.days || r.holidays;
        apply_rule(h, &r, spans, additional, has_days || (nrules > 0 && !prev_has_days));
        prev_has_days = has_days;
        nrules++;
        if (p.pos >= p.end)
            break;
        if (p.s[p.pos] == ';') {
            additional = 0;
            p.pos++;
        } else if (p.s[p.pos] == ',') {
            if (r.is_247 && !r.has_state) { /* opening_hours.js refuses "24/7, Mo 10:00-12:00" */
                fail_expected(&p, "';' after 24/7");
                goto done;
            }
            additional = 1;
            p.pos++;
        } else {
            /* say what could still come at this point of the rule */
            const char *what = SV_N_("';' or ',' between rules");
            if (!r.has_state && r.nspans)
                what = SV_N_("a state (open, off, closed), ';' or ','");
            else if (!r.has_state)
                what = SV_N_("a time like 08:00, 24/7, a state (open, off, closed), ';' or ','");
            fail_expected(&p, what);
            goto done;
        }
    }
    rc = 0;
done:
    free(spans);
    if (rc != 0) {
        free(h);
        return -1;
    }
    *out = h;
    return 0;
}

int sv_hours_is_open(const sv_hours *h, int weekday, int minute_of_day)
{
    if (weekday < 0 || weekday > 6 || minute_of_day < 0 || minute_of_day >= DAY_MIN)
        return -1;
    if (!h)
        return 1;
    return ring_get(h->bits, weekday * DAY_MIN + minute_of_day);
}

int sv_hours_minutes_open(const sv_hours *h)
{
    if (!h)
        return WEEK_MIN;
    int n = 0;
    for (int m = 0; m < WEEK_MIN; m++)
        n += ring_get(h->bits, m);
    return n;
}

unsigned sv_hours_flags(const sv_hours *h)
{
    return h ? h->flags : 0u;
}

void sv_hours_free(sv_hours *h)
{
    free(h);
}

/* ---- moments ---- */

/* Days from 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
static long days_from_civil(long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long)doe - 719468;
}

static int days_in_month(int y, int m)
{
    static const int n[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : n[m - 1];
}

/* Exactly n digits at p->pos (and no more); -1 when not. */
static int fixed_digits(parser *p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (p->pos + (size_t)i >= p->end || !is_digit(p->s[p->pos + (size_t)i]))
            return -1;
        v = v * 10 + (p->s[p->pos + (size_t)i] - '0');
    }
    if (p->pos + (size_t)n < p->end && is_digit(p->s[p->pos + (size_t)n]))
        return -1;
    p->pos += (size_t)n;
    return v;
}

static int expect_char(parser *p, char c, const char *what)
{
    if (p->pos >= p->end || p->s[p->pos] != c)
        return fail_expected(p, what);
    p->pos++;
    return 0;
}

/* H:MM or HH:MM before 24:00. */
static int moment_time(parser *p, int *minute)
{
    size_t start = p->pos;
    size_t n = 0;
    while (p->pos + n < p->end && is_digit(p->s[p->pos + n]))
        n++;
    if (n < 1 || n > 2)
        return fail_expected(p, "a time like 12:00");
    int hour = fixed_digits(p, (int)n);
    if (expect_char(p, ':', "':' and two digits of minutes") != 0)
        return -1;
    int mm = fixed_digits(p, 2);
    if (mm < 0)
        return fail_expected(p, "two digits of minutes");
    if (mm > 59)
        return fail_at(p, p->pos - 2, "minutes are 00 to 59, found %02d", mm);
    if (hour > 23)
        return fail_at(p, start, "a moment is before 24:00, found %02d:%02d", hour, mm);
    *minute = hour * 60 + mm;
    return 0;
}

/* One moment in s[p->pos..p->end), spaces around it already trimmed. */
static int parse_moment(parser *p, sv_moment *m)
{
    if (p->pos >= p->end)
        return fail_expected(p, "a moment such as Mo 12:00 or 2026-12-07T12:00");
    if (p->end - p->pos >= SV_MOMENT_LABEL_MAX)
        return fail_at(p, p->pos, "a moment has at most %d characters", SV_MOMENT_LABEL_MAX - 1);
    int weekday, minute;
    if (is_digit(p->s[p->pos])) {
        int y = fixed_digits(p, 4);
        if (y < 0)
            return fail_expected(p, "a date like 2026-12-07 (four digits of year)");
        if (expect_char(p, '-', "'-' and two digits of month") != 0)
            return -1;
        size_t mpos = p->pos;
        int mo = fixed_digits(p, 2);
        if (mo < 0)
            return fail_expected(p, "two digits of month");
        if (mo < 1 || mo > 12)
            return fail_at(p, mpos, "months are 01 to 12, found %02d", mo);
        if (expect_char(p, '-', "'-' and two digits of day") != 0)
            return -1;
        size_t dpos = p->pos;
        int d = fixed_digits(p, 2);
        if (d < 0)
            return fail_expected(p, "two digits of day");
        if (d < 1 || d > days_in_month(y, mo))
            return fail_at(p, dpos, "%04d-%02d has no day %02d", y, mo, d);
        if (p->pos < p->end && (p->s[p->pos] == 'T' || p->s[p->pos] == 't'))
            p->pos++;
        else if (p->pos < p->end && is_space(p->s[p->pos]))
            skip_ws(p);
        else
            return fail_expected(p, "'T' and a time like 12:00 after the date");
        if (moment_time(p, &minute) != 0)
            return -1;
        if (p->pos < p->end && p->s[p->pos] == ':') { /* seconds: exact to drop, see engine/hours.h */
            p->pos++;
            size_t spos = p->pos;
            int sec = fixed_digits(p, 2);
            if (sec < 0)
                return fail_expected(p, "two digits of seconds");
            if (sec > 59)
                return fail_at(p, spos, "seconds are 00 to 59, found %02d", sec);
        }
        if (p->pos < p->end && (p->s[p->pos] == 'Z' || p->s[p->pos] == 'z' || p->s[p->pos] == '+' ||
                                p->s[p->pos] == '-'))
            return fail_at(p, p->pos, "time zones are not supported: give the stations' local time");
        long days = days_from_civil(y, (unsigned)mo, (unsigned)d);
        /* 1970-01-01 was a Thursday (3 with Monday = 0) */
        weekday = (int)(((days % 7) + 7 + 3) % 7);
    } else {
        weekday = weekday_at(p->s, p->pos, p->end);
        if (weekday < 0)
            return fail_expected(p, "a weekday (Mo Tu We Th Fr Sa Su) or a date like 2026-12-07");
        p->pos += 2;
        skip_ws(p);
        if (moment_time(p, &minute) != 0)
            return -1;
    }
    skip_ws(p);
    if (p->pos < p->end)
        return fail_expected(p, "the end of the moment");
    m->weekday = weekday;
    m->minute = minute;
    return 0;
}

/* Parse s[a..b) of text (columns counted from text) into *m, with the label. */
static int moment_range(const char *text, size_t a, size_t b, sv_moment *m, sv_msg *why)
{
    while (a < b && is_space(text[a]))
        a++;
    while (b > a && is_space(text[b - 1]))
        b--;
    parser p = {text, a, b, why, NULL};
    sv_moment tmp;
    if (parse_moment(&p, &tmp) != 0)
        return -1;
    memcpy(tmp.label, text + a, b - a);
    tmp.label[b - a] = '\0';
    *m = tmp;
    return 0;
}

int sv_moment_parse(const char *text, sv_moment *out, sv_msg *why)
{
    if (why) /* what an earlier call left */
        sv_msg_init(why, why->lang);
    if (!text || !out) {
        if (why)
            sv_msg_put(why, "no moment given");
        return -1;
    }
    return moment_range(text, 0, strlen(text), out, why);
}

int sv_moments_parse(const char *text, sv_moment **out, size_t *n, sv_msg *why)
{
    if (why) /* what an earlier call left */
        sv_msg_init(why, why->lang);
    if (out)
        *out = NULL;
    if (n)
        *n = 0;
    if (!text || !out || !n) {
        if (why)
            sv_msg_put(why, "no moments given");
        return -1;
    }
    size_t len = strlen(text), count = 1;
    for (size_t i = 0; i < len; i++)
        count += text[i] == ',';
    sv_moment *ms = sv_malloc(count * sizeof *ms);
    if (!ms) {
        if (why)
            sv_msg_put(why, "out of memory");
        return -1;
    }
    size_t k = 0, a = 0;
    for (;;) {
        size_t b = a;
        while (b < len && text[b] != ',')
            b++;
        sv_msg detail;
        sv_msg_init(&detail, why ? why->lang : SV_LANG_EN);
        if (moment_range(text, a, b, &ms[k], why ? &detail : NULL) != 0) {
            if (why) {
                sv_msg_add(why, "moment %zu: ", k + 1);
                sv_msg_cat(why, &detail);
            }
            free(ms);
            return -1;
        }
        for (size_t j = 0; j < k; j++)
            if (strcmp(ms[j].label, ms[k].label) == 0) {
                if (why)
                    sv_msg_add(why, "moment %zu: column %d: '%s' is already moment %zu", k + 1,
                               column_of(text, a + strspn(text + a, " \t\n\r\f\v")), ms[k].label, j + 1);
                free(ms);
                return -1;
            }
        k++;
        if (b >= len)
            break;
        a = b + 1;
    }
    *out = ms;
    *n = k;
    return 0;
}
