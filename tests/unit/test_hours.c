/* test_hours.c - opening hours in the OpenStreetMap syntax and moments of the
 * week (engine/hours.h): the three stations of issue 16 at many moments, every
 * supported syntax element at its boundary minutes, later rules replacing
 * earlier ones, spans past midnight and days wrapping the week, malformed
 * values refused with the column, and moments.
 *
 * Expected values are those of the reference implementation opening_hours.js
 * 3.15.0 (npm), read from its evaluation (getStatePair in
 * build/opening_hours.js: a rule with days, or without days after a rule
 * without days, resets the day; "off" rules and additional rules never do; the
 * part of a span after midnight is a separate rule for the next day) and
 * checked by running it on each value of this file (TZ=UTC, the week of
 * Monday 2026-12-07). tests/hours-ref/compare.js repeats that check minute by
 * minute on every value of tests/hours-ref/cases.txt and 600 generated ones
 * whenever node can run it (ctest hours_reference).
 *
 * `test_hours grid` reads one value a line on stdin and prints "OK <flags>
 * <10080 digits>" (Mo 00:00 .. Su 23:59, 1 = open) or "ERR <message>", for
 * compare.js. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "engine/hours.h"
#include "svcov/sv_lang.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const DAY[7] = {"Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"};

static sv_hours *parse_ok(const char *text)
{
    sv_msg err;
    sv_msg_init(&err, SV_LANG_EN);
    sv_hours *h = (sv_hours *)0x1;
    if (sv_hours_parse(text, &h, &err) != 0)
        fail_msg("'%s' refused: %s", text, err.en);
    assert_non_null(h);
    return h;
}

/* "Mo 12:00" -> weekday and minute, for the tables below. */
static void at(const char *moment, int *wd, int *minute)
{
    sv_moment m;
    sv_msg err;
    sv_msg_init(&err, SV_LANG_EN);
    if (sv_moment_parse(moment, &m, &err) != 0)
        fail_msg("moment '%s' refused: %s", moment, err.en);
    *wd = m.weekday;
    *minute = m.minute;
}

typedef struct {
    const char *hours;
    const char *moment;
    int open;
} expect;

static void check_table(const expect *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        sv_hours *h = parse_ok(t[i].hours);
        int wd, m;
        at(t[i].moment, &wd, &m);
        int got = sv_hours_is_open(h, wd, m);
        if (got != t[i].open)
            fail_msg("'%s' at %s: %s, expected %s", t[i].hours, t[i].moment, got ? "open" : "closed",
                     t[i].open ? "open" : "closed");
        sv_hours_free(h);
    }
}

/* ---- the three stations of the issue ---- */

static void test_three_stations(void **state)
{
    (void)state;
    const char *hours[3] = {"24/7", "Mo-Fr 08:00-18:00", "Mo-Su 10:00-22:00; Tu off"};
    sv_hours *h[3];
    for (int s = 0; s < 3; s++)
        h[s] = parse_ok(hours[s]);

    /* Every minute of the week against the plain reading of the three values. */
    for (int wd = 0; wd < 7; wd++)
        for (int m = 0; m < 1440; m++) {
            int want[3] = {1, wd <= 4 && m >= 8 * 60 && m < 18 * 60, wd != 1 && m >= 10 * 60 && m < 22 * 60};
            for (int s = 0; s < 3; s++)
                if (sv_hours_is_open(h[s], wd, m) != want[s])
                    fail_msg("'%s' at %s %02d:%02d: expected %s", hours[s], DAY[wd], m / 60, m % 60,
                             want[s] ? "open" : "closed");
        }
    assert_int_equal(sv_hours_minutes_open(h[0]), 7 * 1440);
    assert_int_equal(sv_hours_minutes_open(h[1]), 5 * 600);
    assert_int_equal(sv_hours_minutes_open(h[2]), 6 * 720);

    /* The moments of the issue and the boundaries around them: which of the
     * three are open (bit s for station s). */
    const struct {
        const char *moment;
        unsigned open;
    } t[] = {
        {"Mo 12:00", 7}, {"Mo 22:00", 1}, {"Sa 03:00", 1}, {"Mo 07:59", 1}, {"Mo 08:00", 3},
        {"Mo 09:59", 3}, {"Mo 10:00", 7}, {"Mo 17:59", 7}, {"Mo 18:00", 5}, {"Mo 21:59", 5},
        {"Tu 00:00", 1}, {"Tu 12:00", 3}, {"Tu 21:59", 1}, {"We 10:00", 7}, {"Th 09:00", 3},
        {"Fr 18:00", 5}, {"Fr 23:59", 1}, {"Sa 10:00", 5}, {"Sa 12:00", 5}, {"Su 21:59", 5},
        {"Su 22:00", 1}, {"Su 23:59", 1}, {"Mo 00:00", 1},
        {"2026-12-07T12:00", 7}, /* a Monday */
        {"2026-12-08 12:00", 3}, /* a Tuesday */
        {"2026-12-12T03:00:59", 1}, /* a Saturday; seconds dropped */
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        int wd, m;
        at(t[i].moment, &wd, &m);
        unsigned got = 0;
        for (int s = 0; s < 3; s++)
            got |= (unsigned)sv_hours_is_open(h[s], wd, m) << s;
        if (got != t[i].open)
            fail_msg("at %s the stations open are %u, expected %u", t[i].moment, got, t[i].open);
    }

    /* The --at list of the issue, parsed as a list. */
    sv_moment *ms;
    size_t n;
    sv_msg err;
    sv_msg_init(&err, SV_LANG_EN);
    assert_int_equal(sv_moments_parse("Mo 12:00,Mo 22:00,Sa 03:00", &ms, &n, &err), 0);
    assert_int_equal(n, 3);
    const unsigned open_at[3] = {7, 1, 1};
    for (size_t i = 0; i < n; i++) {
        unsigned got = 0;
        for (int s = 0; s < 3; s++)
            got |= (unsigned)sv_hours_is_open(h[s], ms[i].weekday, ms[i].minute) << s;
        assert_int_equal(got, open_at[i]);
    }
    assert_string_equal(ms[0].label, "Mo 12:00");
    assert_string_equal(ms[2].label, "Sa 03:00");
    free(ms);
    for (int s = 0; s < 3; s++)
        sv_hours_free(h[s]);
}

/* ---- every syntax element at its boundaries ---- */

static void test_syntax_elements(void **state)
{
    (void)state;
    static const expect t[] = {
        /* 24/7 and its spellings */
        {"24/7", "Mo 00:00", 1}, {"24/7", "Su 23:59", 1}, {"open", "We 03:00", 1},
        {"00:00-24:00", "Th 23:59", 1}, {"Mo-Fr 24/7", "Fr 23:59", 1}, {"Mo-Fr 24/7", "Sa 00:00", 0},
        /* a day range includes both ends */
        {"Mo-Fr 08:00-18:00", "Fr 08:00", 1}, {"Mo-Fr 08:00-18:00", "Sa 08:00", 0},
        {"Tu-Th 08:00-18:00", "Mo 12:00", 0}, {"Tu-Th 08:00-18:00", "Th 12:00", 1},
        /* lists and lists of ranges */
        {"Mo,We,Fr 09:00-10:00", "We 09:00", 1}, {"Mo,We,Fr 09:00-10:00", "Tu 09:00", 0},
        {"Mo,We,Fr 09:00-10:00", "Fr 09:59", 1}, {"Mo,We,Fr 09:00-10:00", "Fr 10:00", 0},
        {"Mo,Tu-Th 08:00-09:00", "We 08:30", 1}, {"Mo,Tu-Th 08:00-09:00", "Fr 08:30", 0},
        {"Mo, We 08:00-09:00", "We 08:00", 1},
        /* a range that wraps the week */
        {"Sa-Mo 10:00-12:00", "Sa 10:00", 1}, {"Sa-Mo 10:00-12:00", "Su 11:00", 1},
        {"Sa-Mo 10:00-12:00", "Mo 11:59", 1}, {"Sa-Mo 10:00-12:00", "Tu 11:00", 0},
        {"Sa-Mo 10:00-12:00", "Fr 11:00", 0}, {"Su-Mo 10:00-12:00", "Mo 10:00", 1},
        /* start included, end excluded */
        {"Mo 10:00-22:00", "Mo 09:59", 0}, {"Mo 10:00-22:00", "Mo 10:00", 1},
        {"Mo 10:00-22:00", "Mo 21:59", 1}, {"Mo 10:00-22:00", "Mo 22:00", 0},
        /* several spans */
        {"Mo 08:00-12:00,14:00-18:00", "Mo 11:59", 1}, {"Mo 08:00-12:00,14:00-18:00", "Mo 12:00", 0},
        {"Mo 08:00-12:00,14:00-18:00", "Mo 13:59", 0}, {"Mo 08:00-12:00,14:00-18:00", "Mo 14:00", 1},
        {"Mo-Fr 10:00-12:00, 14:00-16:00", "Tu 15:00", 1},
        /* 24:00 as an end, a single-digit hour */
        {"Mo 20:00-24:00", "Mo 23:59", 1}, {"Mo 20:00-24:00", "Tu 00:00", 0},
        {"Mo 00:00-24:00", "Mo 00:00", 1}, {"Mo 00:00-24:00", "Tu 00:00", 0},
        {"Mo-Fr 8:00-18:00", "Mo 08:00", 1}, {"Mo-Fr 8:00-18:00", "Mo 07:59", 0},
        /* a rule with only times applies to every day */
        {"10:00-12:00", "Mo 10:00", 1}, {"10:00-12:00", "Su 11:59", 1}, {"10:00-12:00", "Sa 12:00", 0},
        /* only days: the whole day */
        {"Mo-Fr", "Fr 23:59", 1}, {"Mo-Fr", "Sa 00:00", 0}, {"Sa", "Sa 00:00", 1},
        /* states */
        {"off", "Mo 12:00", 0}, {"closed", "Su 12:00", 0}, {"Mo-Fr 08:00-18:00 open", "Mo 08:00", 1},
        {"Mo-Fr open", "Th 03:00", 1}, {"Mo-Fr open", "Sa 03:00", 0}, {"Mo 08:00-12:00 off", "Mo 09:00", 0},
        /* case and spaces */
        {"mo-fr 08:00-18:00", "Tu 08:00", 1}, {"MO 08:00-09:00", "Mo 08:30", 1},
        {"  Mo - Fr  08:00 - 18:00 ", "We 17:59", 1}, {"Mo 08:00-09:00 ; Tu 08:00-09:00", "Tu 08:00", 1},
        /* PH/SH never match (no holiday calendar), as in opening_hours.js without a country */
        {"Mo-Fr 08:00-18:00; PH off", "Mo 12:00", 1}, {"Su,PH off", "Su 12:00", 0},
        {"PH,Su 10:00-12:00", "Su 10:00", 1}, {"PH,Su 10:00-12:00", "Mo 10:00", 0},
        {"PH 10:00-12:00", "Mo 11:00", 0}, {"Mo-Fr 08:00-18:00; SH off", "Fr 17:00", 1},
        /* empty rules between ';' are skipped */
        {"Mo 08:00-18:00;", "Mo 08:00", 1}, {"; Mo 08:00-18:00", "Mo 08:00", 1},
        {"Mo 08:00-18:00;; Tu 08:00-09:00", "Tu 08:00", 1}, {"Mo 08:00-10:00,", "Mo 09:00", 1},
    };
    check_table(t, sizeof t / sizeof t[0]);

    /* The holiday flag says the value named PH or SH. */
    sv_hours *h = parse_ok("Mo-Fr 08:00-18:00; PH off");
    assert_int_equal(sv_hours_flags(h), SV_HOURS_HOLIDAYS_IGNORED);
    sv_hours_free(h);
    h = parse_ok("SH off; 24/7");
    assert_int_equal(sv_hours_flags(h), SV_HOURS_HOLIDAYS_IGNORED);
    sv_hours_free(h);
    h = parse_ok("Mo-Fr 08:00-18:00");
    assert_int_equal(sv_hours_flags(h), 0);
    assert_int_equal(sv_hours_minutes_open(h), 3000);
    sv_hours_free(h);
    h = parse_ok("PH 10:00-12:00");
    assert_int_equal(sv_hours_minutes_open(h), 0);
    sv_hours_free(h);
}

/* ---- later rules ---- */

static void test_later_rules(void **state)
{
    (void)state;
    static const expect t[] = {
        /* a normal rule replaces the hours of the days it names */
        {"Mo-Su 10:00-22:00; Tu off", "Tu 10:00", 0}, {"Mo-Su 10:00-22:00; Tu off", "We 10:00", 1},
        {"Mo-Fr 08:00-18:00; We 10:00-12:00", "We 08:00", 0}, {"Mo-Fr 08:00-18:00; We 10:00-12:00", "We 10:00", 1},
        {"Mo-Fr 08:00-18:00; We 10:00-12:00", "We 12:00", 0}, {"Mo-Fr 08:00-18:00; We 10:00-12:00", "Th 08:00", 1},
        {"Mo 10:00-12:00; Mo 14:00-16:00", "Mo 11:00", 0}, {"Mo 10:00-12:00; Mo 14:00-16:00", "Mo 15:00", 1},
        {"08:00-12:00; Mo 14:00-16:00", "Mo 09:00", 0}, {"08:00-12:00; Mo 14:00-16:00", "Tu 09:00", 1},
        {"24/7; Mo off", "Mo 12:00", 0}, {"24/7; Mo off", "Su 23:59", 1}, {"24/7; Mo off", "Tu 00:00", 1},
        /* the order matters: an earlier "off" is replaced */
        {"Tu off; Mo-Su 10:00-22:00", "Tu 10:00", 1}, {"We 23:00-01:00 off; 24/7", "We 23:30", 1},
        /* a rule without days replaces only after a rule without days
         * (opening_hours.js; the wiki's Time domains proposal disagrees) */
        {"08:00-12:00; 14:00-16:00", "Mo 09:00", 0}, {"08:00-12:00; 14:00-16:00", "Mo 15:00", 1},
        {"Mo-Fr 08:00-12:00; 14:00-20:00", "Mo 09:00", 1}, {"Mo-Fr 08:00-12:00; 14:00-20:00", "Mo 15:00", 1},
        {"Mo-Fr 08:00-12:00; 14:00-20:00", "Sa 09:00", 0}, {"We 08:15-17:00; 09:59-12:00", "We 08:15", 1},
        {"PH 10:00-11:00; 12:00-13:00", "Mo 12:00", 1},
        /* "off" with times closes only those times */
        {"Mo-Fr 08:00-18:00; We 12:00-14:00 off", "We 11:59", 1},
        {"Mo-Fr 08:00-18:00; We 12:00-14:00 off", "We 12:00", 0},
        {"Mo-Fr 08:00-18:00; We 12:00-14:00 off", "We 14:00", 1},
        {"24/7; We 23:00-01:00 off", "We 22:59", 1}, {"24/7; We 23:00-01:00 off", "Th 00:59", 0},
        {"24/7; We 23:00-01:00 off", "Th 01:00", 1},
        /* additional rules (",") add to the days, "off" there still closes */
        {"Mo-Fr 08:00-12:00, We 14:00-18:00", "We 09:00", 1}, {"Mo-Fr 08:00-12:00, We 14:00-18:00", "We 15:00", 1},
        {"Mo-Fr 08:00-12:00, We 14:00-18:00", "Tu 15:00", 0}, {"Mo 08:00-12:00, Mo off", "Mo 09:00", 0},
        {"Mo off, Tu 10:00-12:00", "Tu 10:00", 1}, {"Mo-Fr 08:00-18:00, Sa 09:00-12:00; Sa off", "Sa 10:00", 0},
        {"Mo 10:00-11:00, 24/7", "Th 03:00", 1}, {"Mo 10:00-11:00, 24/7 off", "Mo 10:00", 0},
    };
    check_table(t, sizeof t / sizeof t[0]);
}

/* ---- past midnight, and days wrapping the week ---- */

static void test_past_midnight(void **state)
{
    (void)state;
    static const expect t[] = {
        /* the part after midnight belongs to the next day */
        {"Mo 22:00-02:00", "Mo 21:59", 0}, {"Mo 22:00-02:00", "Mo 22:00", 1}, {"Mo 22:00-02:00", "Mo 23:59", 1},
        {"Mo 22:00-02:00", "Tu 00:00", 1}, {"Mo 22:00-02:00", "Tu 01:59", 1}, {"Mo 22:00-02:00", "Tu 02:00", 0},
        {"Mo 22:00-02:00", "Mo 01:00", 0},
        /* extended hours */
        {"Mo 18:00-26:00", "Tu 01:59", 1}, {"Mo 18:00-26:00", "Tu 02:00", 0},
        {"Mo 18:00-48:00", "Tu 23:59", 1}, {"Mo 18:00-48:00", "We 00:00", 0},
        {"Mo 10:00-34:00", "Tu 09:59", 1}, {"Mo 10:00-34:00", "Tu 10:00", 0},
        /* an end at or before the start is the next day; equal is 24 hours */
        {"Mo 10:00-10:00", "Tu 09:59", 1}, {"Mo 10:00-10:00", "Tu 10:00", 0}, {"Mo 10:00-10:00", "Mo 09:59", 0},
        {"Mo 12:00-11:00", "Tu 10:59", 1}, {"Mo 12:00-11:00", "Tu 11:00", 0},
        {"Mo 00:00-00:00", "Mo 23:59", 1}, {"Mo 00:00-00:00", "Tu 00:00", 0},
        /* Sunday spills into Monday */
        {"Su 22:00-02:00", "Mo 01:59", 1}, {"Su 22:00-02:00", "Mo 02:00", 0}, {"Su 22:00-02:00", "Su 01:00", 0},
        {"Su 00:00-48:00", "Mo 23:59", 1}, {"Su 00:00-48:00", "Tu 00:00", 0},
        /* "Sa off" closes Saturday, with what Friday spilled into it, but not
         * what Saturday's span spills into Sunday (opening_hours.js: the
         * spill is a rule of its own for the next day) */
        {"Fr-Mo 20:00-04:00; Sa off", "Sa 03:59", 0}, {"Fr-Mo 20:00-04:00; Sa off", "Sa 20:00", 0},
        {"Fr-Mo 20:00-04:00; Sa off", "Su 03:00", 1},
        {"Fr-Mo 20:00-04:00; Sa off", "Su 20:00", 1}, {"Fr-Mo 20:00-04:00; Sa off", "Mo 03:59", 1},
        {"Fr-Mo 20:00-04:00; Sa off", "Tu 03:59", 1}, {"Fr-Mo 20:00-04:00; Sa off", "We 03:59", 0},
        /* a later rule for the next day replaces what spilled into it ... */
        {"Mo 22:00-02:00; Tu 10:00-12:00", "Tu 01:00", 0}, {"Mo 22:00-02:00; Tu off", "Tu 01:00", 0},
        {"Mo 22:00-02:00; Tu off", "Mo 23:00", 1},
        /* ... a rule for the same day keeps it, and so does an earlier rule */
        {"Mo 22:00-02:00; Mo 10:00-12:00", "Tu 01:00", 1}, {"Mo 22:00-02:00; Mo 10:00-12:00", "Mo 23:00", 0},
        {"Tu 10:00-12:00; Mo 22:00-02:00", "Tu 01:00", 1}, {"Tu 10:00-12:00; Mo 22:00-02:00", "Tu 11:00", 1},
        /* a day replaced loses what the day before spilled into it ... */
        {"Mo-Fr 22:00-02:00; Tu 10:00-12:00", "Tu 01:00", 0},
        /* ... but what it spilled into the next day stays */
        {"Mo-Fr 22:00-02:00; Tu 10:00-12:00", "We 01:00", 1}, {"Mo-Fr 22:00-02:00; Tu 10:00-12:00", "Tu 23:00", 0},
        /* a spill within one rule is not replaced by the same rule */
        {"Mo-Tu 22:00-02:00", "Tu 01:00", 1}, {"Mo-Su 22:00-02:00", "Mo 01:00", 1},
        {"Mo 08:00-24:00; Tu 00:00-02:00", "Tu 01:59", 1},
        /* an "off" past midnight closes the next day too */
        {"Mo 22:00-02:00; Tu 01:00-03:00 off", "Tu 00:59", 1}, {"Mo 22:00-02:00; Tu 01:00-03:00 off", "Tu 01:00", 0},
        {"Mo-Su 00:00-24:00; Su 23:00-01:00 off", "Mo 00:30", 0},
        {"Mo-Su 00:00-24:00; Su 23:00-01:00 off", "Mo 01:00", 1},
    };
    check_table(t, sizeof t / sizeof t[0]);
}

/* msg (in Chinese) holds no English word of svcov's own: no run of three or more ASCII letters outside quotes,
 * the syntax's words (open, off, closed, sunrise...) and the README excepted. */
static void assert_no_english(const char *text, const char *msg)
{
    static const char *const allowed[] = {"open", "off", "closed", "sunrise", "sunset", "dawn", "dusk", "easter",
                                          "unknown", "README", "svcov"};
    int quoted = 0;
    for (const char *p = msg; *p;) {
        if (*p == '\'') {
            quoted = !quoted;
            p++;
            continue;
        }
        size_t n = 0;
        while ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z'))
            n++;
        if (n >= 3 && !quoted) {
            int ok = 0;
            for (size_t k = 0; k < sizeof allowed / sizeof allowed[0]; k++)
                ok |= strlen(allowed[k]) == n && strncmp(allowed[k], p, n) == 0;
            if (!ok)
                fail_msg("'%s': the Chinese message '%s' has the English word '%.*s'", text, msg, (int)n, p);
        }
        p += n ? n : 1;
    }
    if (!strstr(msg, "列") && !strstr(msg, "时刻"))
        fail_msg("'%s': the Chinese message '%s' names no column", text, msg);
}

/* ---- malformed values ---- */

static void test_malformed(void **state)
{
    (void)state;
    /* Each value with the start of its message (column and what was
     * expected) or a part of it. */
    static const struct {
        const char *text, *msg;
    } bad[] = {
        {"", "column 1: expected a rule"},
        {"   ", "column 4: expected a rule"},
        {";", "column 2: expected a rule"},
        {"Mo 12:00", "column 9: expected '-' and the time the span ends"},
        {"Mo-", "column 4: expected a weekday (Mo Tu We Th Fr Sa Su) ending the range, found end of text"},
        {"Mo-Fr 08:00-", "column 13: expected a time like 08:00, found end of text"},
        {"Mo 8-12", "column 5: expected ':' and two digits of minutes, found '-'"},
        {"Mo 08:0-09:00", "column 7: expected two digits of minutes"},
        {"Mo 08.00-09.00", "column 6: expected ':' and two digits of minutes, found '.'"},
        {"Mo 008:00-09:00", "column 4: expected a time like 08:00 (hours with one or two digits), found '008:00'"},
        {"Mo 24:00-02:00", "column 4: a span starts before 24:00, found 24:00"},
        {"Mo 25:00-26:00", "column 4: a span starts before 24:00, found 25:00"},
        {"Mo 07:60-09:00", "column 7: minutes are 00 to 59, found 60"},
        {"Mo 10:00-49:00", "column 10: a span ends at 48:00 at the latest, found 49:00"},
        {"Mo 10:00-48:01", "column 10: a span ends at 48:00 at the latest, found 48:01"},
        {"Xy 10:00-12:00", "column 1: expected a rule such as Mo-Fr 08:00-18:00, 24/7 or off, found 'Xy'"},
        {"Mon 08:00-09:00", "found 'Mon' (write weekdays with their two-letter names"},
        {"Monday 08:00-09:00", "column 1: expected a rule"},
        {"Mo 08:00-12:00 14:00-18:00", "column 16: expected a state (open, off, closed), ';' or ',', found '14:00'"},
        {"Mo 08:00-09:00 Tu 10:00-11:00", "column 16: expected a state (open, off, closed), ';' or ','"},
        {"Mo-Fr: 08:00-18:00", "column 6: expected a time like 08:00, 24/7, a state"},
        {"Mo 08:00-18:00 off open", "column 20: expected ';' or ',' between rules, found 'open'"},
        {"Mo, 08:00-10:00", "column 5: expected a weekday (Mo Tu We Th Fr Sa Su), PH or SH after ','"},
        {"Mo 08:00-18:00,,09:00", "column 16: expected a rule after ','"},
        {"24/7, Mo", "column 5: expected ';' after 24/7"},
        {"10:00-11:00, 24/7, 12:00-13:00", "column 18: expected ';' after 24/7"},
        {"Mo 08:00\xE2\x80\x93" "09:00", "column 9: expected '-' and the time the span ends"},
        {"Mo-Fr 08:00-18:00 || Sa 10:00-12:00", "column 19: expected a state (open, off, closed), ';' or ',', found '|' (fallback rules ('||') are not supported)"},
        {"Mo-Fr 08:00-18:00 unknown", "column 19: expected a state (open, off, closed), ';' or ',', found 'unknown' (the 'unknown' state is not supported)"},
        {"Jan-Mar Mo-Fr 08:00-12:00", "column 1: expected a rule such as Mo-Fr 08:00-18:00, 24/7 or off, found 'Jan' (month and date selectors are not supported)"},
        {"Dec 25 off; 24/7", "found 'Dec' (month and date selectors are not supported)"},
        {"Mo-Fr 10:00-18:00+", "column 18: expected ',', ';' or a state after the span, found '+' (open ends"},
        {"Mo-Fr 10:00-16:00/90", "column 18: expected ',', ';' or a state after the span, found '/' (repeating times"},
        {"Mo[1] 10:00-12:00", "column 3: expected ',', a time or a state, found '[' (nth weekdays"},
        {"Mo-Fr sunrise-sunset", "column 7: expected a time like 08:00, 24/7, a state (open, off, closed), ';' or ',', found 'sunrise' (variable times"},
        {"2026 Mo 10:00-12:00", "column 1: expected a time like 08:00 (hours with one or two digits), found '2026' (year selectors are not supported)"},
        {"week 01-10 Mo 10:00-12:00", "found 'week' (week selectors are not supported)"},
        {"Mo 10:00-12:00 \"by appointment\"", "column 16: expected a state (open, off, closed), ';' or ',', found '\"' (comments are not supported)"},
        {"PH +1 day off", "column 4: expected a time like 08:00, 24/7, a state (open, off, closed), ';' or ',', found '+'"},
        {"easter off", "found 'easter' (easter is not supported)"},
        /* columns count characters, not bytes */
        {"\xC3\xA9t\xC3\xA9 Mo", "column 1: expected a rule"},
        {"Mo 08:00-09:00 \xC3\xA9", "column 16: expected a state"},
        /* control bytes are shown escaped */
        {"Mo\x01 08:00", "found '\\x01'"},
        /* a whole UTF-8 character is shown as it is; Chinese weekday names get the two-letter ones (issue 18) */
        {"\xE5\x91\xA8\xE4\xB8\x80 08:00-12:00", "column 1: expected a rule"},
        {"\xE5\x91\xA8\xE4\xB8\x80 08:00-12:00", "found '\xE5\x91\xA8' (write weekdays with their two-letter names: Mo Tu"},
        {"Mo 08:00-12:00 \xE2\x82\xAC", "found '\xE2\x82\xAC'"},
        {"Mo 08:00-12:00 \xE5\x91", "found '\\xE5\\x91'"}, /* cut short: escaped */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sv_msg err;
    sv_msg_init(&err, SV_LANG_EN);
        sv_hours *h = (sv_hours *)0x1;
        if (sv_hours_parse(bad[i].text, &h, &err) != -1)
            fail_msg("'%s' was accepted", bad[i].text);
        assert_null(h);
        if (!strstr(err.en, bad[i].msg))
            fail_msg("'%s': message '%s' does not say '%s'", bad[i].text, err.en, bad[i].msg);
    }

    /* No message wanted is fine; a message used again starts empty. */
    sv_hours *h = NULL;
    assert_int_equal(sv_hours_parse("Mo 25:00-26:00", &h, NULL), -1);
    assert_int_equal(sv_hours_parse("24/7", NULL, NULL), -1);
    sv_msg again;
    sv_msg_init(&again, SV_LANG_EN);
    assert_int_equal(sv_hours_parse("Mo 25:00-26:00", &h, &again), -1);
    assert_int_equal(sv_hours_parse(NULL, &h, &again), -1);
    assert_string_equal(again.en, "no opening hours given");
}

/* The same messages in Chinese (--lang zh): every part translated, the English kept beside for the issues
 * table. */
static void test_messages_zh(void **state)
{
    (void)state;
    static const struct {
        const char *text, *en, *zh;
    } cases[] = {
        {"Mo 25:00-26:00", "column 4: a span starts before 24:00, found 25:00",
         "第 4 列：时段须在 24:00 之前开始，实为 25:00"},
        {"Mo-Fr 08:00-", "column 13: expected a time like 08:00, found end of text",
         "第 13 列：应为形如 08:00 的时间，但文本已结束"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sv_msg why;
        sv_msg_init(&why, SV_LANG_ZH);
        sv_hours *h = NULL;
        assert_int_equal(sv_hours_parse(cases[i].text, &h, &why), -1);
        assert_string_equal(why.en, cases[i].en);
        assert_string_equal(why.tr, cases[i].zh);
    }
    /* every refusal of test_malformed and the moments', in Chinese: no English word of the messages left
     * (the syntax's own words, quoted tokens and the two-letter weekday names excepted) */
    static const char *const bad[] = {
        "Mo 08:00-12:00 || Tu 10:00-11:00", "Mo 08:00-12:00 \"x\"", "Mo[1] 08:00-12:00", "Mo 18:00+",
        "Mo 10:00-16:00/90", "Mo 08:00\xE2\x80\x93" "12:00", "\xE5\x91\xA8\xE4\xB8\x80 08:00-12:00", "2026 Mo 08:00-12:00",
        "Jan Mo 08:00-12:00", "Mo sunrise-sunset", "week 1 Mo 08:00-12:00", "easter", "Mo unknown",
        "Monday 08:00-12:00", "Mo 8-12", "Mo 08", "Mo 08:5", "Mo 08:60-12:00", "Mo 24:00-25:00",
        "Mo 08:00-49:00", "Mo 08:00", "Mo-", "Mo, x", "24/7, Mo 10:00-12:00", "Mo 08:00-12:00 Tu", "",
        "Mo 08:00-12:00 open x",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sv_msg why;
        sv_msg_init(&why, SV_LANG_ZH);
        sv_hours *h = NULL;
        if (sv_hours_parse(bad[i], &h, &why) != -1)
            fail_msg("'%s' was accepted", bad[i]);
        assert_true(why.en[0] != '\0');
        assert_no_english(bad[i], why.tr);
    }
    static const char *const bad_moments[] = {
        "", "Mo", "Mo 12", "Mo 12:6", "Mo 12:60", "Mo 24:00", "Xx 12:00", "Mo 12:00 x", "2026-13-01T12:00",
        "2026-02-30T12:00", "2026-12-07", "2026-12-07T12:00Z", "2026-12-07T12:00:61", "26-12-07T12:00",
        "Mo 12:00,Mo 12:00", "Mo 12:00,,Tu 12:00", "Mo 12:00 and much too long for a moment",
    };
    for (size_t i = 0; i < sizeof bad_moments / sizeof bad_moments[0]; i++) {
        sv_msg why;
        sv_msg_init(&why, SV_LANG_ZH);
        sv_moment *ms = NULL;
        size_t n = 0;
        if (sv_moments_parse(bad_moments[i], &ms, &n, &why) != -1)
            fail_msg("moments '%s' were accepted", bad_moments[i]);
        assert_true(why.en[0] != '\0');
        assert_no_english(bad_moments[i], why.tr);
    }
}

/* ---- limits and the API's edges ---- */

static void test_limits(void **state)
{
    (void)state;
    /* The longest text accepted: 4096 characters of rules. */
    char *text = malloc(SV_HOURS_MAX_TEXT + 2);
    assert_non_null(text);
    size_t n = 0;
    while (n + 16 <= SV_HOURS_MAX_TEXT) {
        memcpy(text + n, "Mo 10:00-11:00; ", 16);
        n += 16;
    }
    memset(text + n, ' ', SV_HOURS_MAX_TEXT - n);
    text[SV_HOURS_MAX_TEXT] = '\0';
    sv_hours *h = parse_ok(text);
    assert_int_equal(sv_hours_minutes_open(h), 60);
    sv_hours_free(h);
    text[SV_HOURS_MAX_TEXT] = ' ';
    text[SV_HOURS_MAX_TEXT + 1] = '\0';
    sv_msg err;
    sv_msg_init(&err, SV_LANG_EN);
    assert_int_equal(sv_hours_parse(text, &h, &err), -1);
    assert_string_equal(err.en, "longer than 4096 characters");
    /* The most spans one rule can hold at that length. */
    n = 0;
    memcpy(text, "Mo ", 3);
    n = 3;
    while (n + 10 <= SV_HOURS_MAX_TEXT) {
        memcpy(text + n, "0:00-0:01,", 10);
        n += 10;
    }
    text[n - 1] = '\0';
    h = parse_ok(text);
    assert_int_equal(sv_hours_minutes_open(h), 1);
    sv_hours_free(h);
    free(text);

    /* A station without hours is always open; out-of-range arguments are -1. */
    assert_int_equal(sv_hours_is_open(NULL, 0, 0), 1);
    assert_int_equal(sv_hours_is_open(NULL, 6, 1439), 1);
    assert_int_equal(sv_hours_minutes_open(NULL), 10080);
    assert_int_equal(sv_hours_flags(NULL), 0);
    h = parse_ok("24/7");
    assert_int_equal(sv_hours_is_open(h, -1, 0), -1);
    assert_int_equal(sv_hours_is_open(h, 7, 0), -1);
    assert_int_equal(sv_hours_is_open(h, 0, -1), -1);
    assert_int_equal(sv_hours_is_open(h, 0, 1440), -1);
    assert_int_equal(sv_hours_is_open(NULL, 0, 1440), -1);
    sv_hours_free(h);
    sv_hours_free(NULL);
}

/* ---- moments ---- */

static void test_moments(void **state)
{
    (void)state;
    const struct {
        const char *text;
        int wd, minute;
        const char *label;
    } ok[] = {
        {"Mo 12:00", 0, 720, "Mo 12:00"},
        {"Mo 22:00", 0, 1320, "Mo 22:00"},
        {"Sa 03:00", 5, 180, "Sa 03:00"},
        {"su 23:59", 6, 1439, "su 23:59"},
        {"TU 0:00", 1, 0, "TU 0:00"},
        {"  We   7:05 ", 2, 425, "We   7:05"},
        {"Th12:30", 3, 750, "Th12:30"},
        {"2026-12-07T12:00", 0, 720, "2026-12-07T12:00"},    /* Monday */
        {"2026-12-13 23:59", 6, 1439, "2026-12-13 23:59"},   /* Sunday */
        {"2024-02-29T08:15:30", 3, 495, "2024-02-29T08:15:30"}, /* Thursday, leap day */
        {"2000-01-01t00:00", 5, 0, "2000-01-01t00:00"},      /* Saturday */
        {"1970-01-01T00:00", 3, 0, "1970-01-01T00:00"},      /* Thursday */
        {"1969-12-31T23:59", 2, 1439, "1969-12-31T23:59"},   /* Wednesday */
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        sv_moment m;
        sv_msg err;
    sv_msg_init(&err, SV_LANG_EN);
        if (sv_moment_parse(ok[i].text, &m, &err) != 0)
            fail_msg("'%s' refused: %s", ok[i].text, err.en);
        if (m.weekday != ok[i].wd || m.minute != ok[i].minute)
            fail_msg("'%s' read as weekday %d minute %d, expected %d %d", ok[i].text, m.weekday, m.minute,
                     ok[i].wd, ok[i].minute);
        assert_string_equal(m.label, ok[i].label);
    }

    const struct {
        const char *text, *msg;
    } bad[] = {
        {"", "column 1: expected a moment such as Mo 12:00 or 2026-12-07T12:00, found end of text"},
        {"12:00", "column 1: expected a date like 2026-12-07 (four digits of year)"},
        {"Mo", "column 3: expected a time like 12:00, found end of text"},
        {"Mo 24:00", "column 4: a moment is before 24:00, found 24:00"},
        {"Mo 12:60", "column 7: minutes are 00 to 59, found 60"},
        {"Mo 12", "column 6: expected ':' and two digits of minutes, found end of text"},
        {"Mo 12:0", "column 7: expected two digits of minutes"},
        {"Mo 123:00", "column 4: expected a time like 12:00"},
        {"Xx 12:00", "column 1: expected a weekday (Mo Tu We Th Fr Sa Su) or a date like 2026-12-07, found 'Xx'"},
        {"Monday 12:00", "column 1: expected a weekday"},
        {"Mo 12:00 pm", "column 10: expected the end of the moment, found 'pm'"},
        {"Mo 12:00-13:00", "column 9: expected the end of the moment, found '-'"},
        {"2026-13-01T12:00", "column 6: months are 01 to 12, found 13"},
        {"2026-02-29T12:00", "column 9: 2026-02 has no day 29"},
        {"2026-12-00T12:00", "column 9: 2026-12 has no day 00"},
        {"2026-12-07", "column 11: expected 'T' and a time like 12:00 after the date, found end of text"},
        {"2026-12-07T12:00Z", "column 17: time zones are not supported"},
        {"2026-12-07T12:00+01:00", "column 17: time zones are not supported"},
        {"2026-12-07T12:00:61", "column 18: seconds are 00 to 59, found 61"},
        {"2026-12-7T12:00", "column 9: expected two digits of day"},
        {"26-12-07T12:00", "column 1: expected a date like 2026-12-07"},
        {"Mo 12:00 and a very long tail of text", "column 1: a moment has at most 31 characters"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sv_moment m = {9, 9, "untouched"};
        sv_msg err;
    sv_msg_init(&err, SV_LANG_EN);
        if (sv_moment_parse(bad[i].text, &m, &err) != -1)
            fail_msg("moment '%s' was accepted", bad[i].text);
        if (!strstr(err.en, bad[i].msg))
            fail_msg("moment '%s': message '%s' does not say '%s'", bad[i].text, err.en, bad[i].msg);
        assert_int_equal(m.weekday, 9); /* left alone */
        assert_string_equal(m.label, "untouched");
    }
    sv_moment m;
    assert_int_equal(sv_moment_parse(NULL, &m, NULL), -1);
    assert_int_equal(sv_moment_parse("Mo 12:00", NULL, NULL), -1);
}

static void test_moment_lists(void **state)
{
    (void)state;
    sv_moment *ms = (sv_moment *)0x1;
    size_t n = 99;
    sv_msg err;
    sv_msg_init(&err, SV_LANG_EN);
    assert_int_equal(sv_moments_parse(" Mo 12:00 , 2026-12-12T03:00,Su 23:59 ", &ms, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_string_equal(ms[0].label, "Mo 12:00");
    assert_string_equal(ms[1].label, "2026-12-12T03:00");
    assert_int_equal(ms[1].weekday, 5);
    assert_int_equal(ms[1].minute, 180);
    assert_string_equal(ms[2].label, "Su 23:59");
    free(ms);
    assert_int_equal(sv_moments_parse("We 08:00", &ms, &n, &err), 0);
    assert_int_equal(n, 1);
    free(ms);

    const struct {
        const char *text, *msg;
    } bad[] = {
        {"", "moment 1: column 1: expected a moment"},
        {"Mo 12:00,", "moment 2: column 10: expected a moment"},
        {"Mo 12:00,,Sa 03:00", "moment 2: column 10: expected a moment"},
        {"Mo 12:00,Mo 25:00", "moment 2: column 13: a moment is before 24:00, found 25:00"},
        {"Mo 12:00,Xx 12:00", "moment 2: column 10: expected a weekday"},
        {"Mo 12:00, Mo 22:00,Sa 3", "moment 3: column 24: expected ':'"},
        {"Mo 12:00,Sa 03:00, Mo 12:00", "moment 3: column 20: 'Mo 12:00' is already moment 1"},
        {"Mo 12:00;Mo 22:00", "moment 1: column 9: expected the end of the moment, found ';'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ms = (sv_moment *)0x1;
        n = 99;
        if (sv_moments_parse(bad[i].text, &ms, &n, &err) != -1)
            fail_msg("moments '%s' were accepted", bad[i].text);
        assert_null(ms);
        assert_int_equal(n, 0);
        if (!strstr(err.en, bad[i].msg))
            fail_msg("moments '%s': message '%s' does not say '%s'", bad[i].text, err.en, bad[i].msg);
    }
    assert_int_equal(sv_moments_parse(NULL, &ms, &n, &err), -1);
    assert_int_equal(sv_moments_parse("Mo 12:00", NULL, &n, &err), -1);
}

/* compare.js's side: one value a line, the week as digits. */
static int print_grid(void)
{
    char line[SV_HOURS_MAX_TEXT + 64];
    sv_msg err;
    sv_msg_init(&err, SV_LANG_EN);
    while (fgets(line, sizeof line, stdin)) {
        size_t len = strlen(line);
        if (len && line[len - 1] == '\n')
            line[--len] = '\0';
        sv_hours *h;
        if (sv_hours_parse(line, &h, &err) != 0) {
            printf("ERR %s\n", err.en);
            continue;
        }
        printf("OK %u ", sv_hours_flags(h));
        for (int wd = 0; wd < 7; wd++)
            for (int m = 0; m < 1440; m++)
                putchar('0' + sv_hours_is_open(h, wd, m));
        putchar('\n');
        sv_hours_free(h);
    }
    return fflush(stdout) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "grid") == 0)
        return print_grid();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_three_stations), cmocka_unit_test(test_syntax_elements),
        cmocka_unit_test(test_later_rules),    cmocka_unit_test(test_past_midnight),
        cmocka_unit_test(test_malformed),      cmocka_unit_test(test_messages_zh),      cmocka_unit_test(test_limits),
        cmocka_unit_test(test_moments),        cmocka_unit_test(test_moment_lists),
    };
    return cmocka_run_group_tests_name("hours", tests, NULL, NULL);
}
