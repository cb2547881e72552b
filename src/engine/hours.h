/*
 * engine/hours.h (private to src/) - opening hours of stations in the OpenStreetMap
 * `opening_hours` syntax (https://wiki.openstreetmap.org/wiki/Key:opening_hours),
 * reduced to one week, and the moments ("Mo 12:00") at which coverage is
 * computed with the stations open then.
 *
 * The supported subset, evaluated as the reference implementation
 * opening_hours.js (3.15) does (tests/hours-ref compares every minute of a
 * week with it):
 *
 *   hours    = rule { (";" | ",") rule }
 *   rule     = [ days ] [ times ] [ state ]          (at least one of the three)
 *   days     = day { "," day }
 *   day      = WD [ "-" WD ] | "PH" | "SH"           WD: Mo Tu We Th Fr Sa Su
 *   times    = "24/7" | span { "," span }
 *   span     = TIME "-" TIME                         TIME: H:MM or HH:MM
 *   state    = "open" | "off" | "closed"
 *
 * - A day range may wrap the week (Sa-Mo is Sa, Su, Mo). A rule without days
 *   applies to every day; a rule without times is 00:00-24:00.
 * - A span includes its start minute and excludes its end: 10:00-22:00 is open
 *   at 10:00 and at 21:59, closed at 22:00. The start is before 24:00; the
 *   end may be up to 48:00 (24:00 is the end of the day). An end at or
 *   before the start means the next day (22:00-02:00, 10:00-10:00 = 24 h).
 *   The part after midnight belongs to the next day (Su spills into Mo).
 * - Rules apply in order. A rule after ";" (or the first one) that opens
 *   replaces all earlier hours of the days it names, including what an
 *   earlier rule spilled into them past midnight, and then opens its spans
 *   (its own spill into the following day is added to that day). A rule after
 *   "," (an additional rule) opens its spans without replacing anything. A
 *   rule with "off"/"closed" closes its spans (the whole day without times)
 *   and leaves the rest of the day as it was: "Mo-Su 10:00-22:00; Tu off" is
 *   closed all Tuesday, "Mo-Fr 08:00-18:00; We 12:00-14:00 off" only at
 *   lunch on Wednesday.
 * - A rule after ";" that names no days replaces earlier hours only when the
 *   rule before it names no days either: "08:00-12:00; 14:00-16:00" is open
 *   14:00-16:00, but "Mo-Fr 08:00-12:00; 14:00-16:00" is open 08:00-12:00 and
 *   14:00-16:00 on weekdays. This is what opening_hours.js does
 *   (getStatePair); the older Time domains proposal on the wiki reads the
 *   second example as 14:00-16:00 only. svcov follows opening_hours.js.
 * - PH (public holidays) and SH (school holidays) are accepted and never
 *   match, as opening_hours.js does without a holiday calendar: "PH off" and
 *   "PH 10:00-12:00" change nothing, "Su,PH off" closes Sundays. A parsed
 *   value that named them has SV_HOURS_HOLIDAYS_IGNORED in sv_hours_flags.
 * - Weekday names are accepted in any case (mo, MO); spaces are free around
 *   every token; empty rules between ";" are skipped.
 * - Everything else of the specification is refused with the column where
 *   it starts: months, weeks, years, dates, nth weekdays (Mo[1]), holiday
 *   offsets, sunrise/sunset, open ends (18:00+), repeating times (/90),
 *   the "unknown" state, comments ("..."), fallback rules ("||"), three-letter
 *   or full day names. (opening_hours.js accepts some of these with a
 *   warning; a station whose hours are refused is the caller's issue.)
 *
 * Pure C, no foreign API, no global state: safe from any thread.
 */
#ifndef SV_ENGINE_HOURS_H
#define SV_ENGINE_HOURS_H

#include "svcov/sv_common.h"
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Longest opening_hours text parsed (OpenStreetMap values have at most 255
 * characters). */
#define SV_HOURS_MAX_TEXT 4096

/* sv_hours_flags: the value named PH or SH, which never match here. */
#define SV_HOURS_HOLIDAYS_IGNORED 1u

/* One station's week: for each weekday and minute, open or closed. */
typedef struct sv_hours sv_hours;

/* Parse an opening_hours value. On success returns 0 and sets *out, which the
 * caller frees with sv_hours_free. On failure returns -1, sets *out to NULL
 * and sets why (may be NULL; sv_msg_init'ed once by the caller with the
 * language, emptied by each call) to a message in English and in that
 * language, such as "column 9: expected a time like 08:00, found 'Jan'
 * (month selectors are not supported)". Columns count characters from 1. */
int sv_hours_parse(const char *text, sv_hours **out, sv_msg *why);

/* 1 when open at minute_of_day (0..1439) of weekday (0 = Mo .. 6 = Su), 0
 * when closed, -1 for an argument out of range. A NULL h (a station without
 * hours) is always open. */
int sv_hours_is_open(const sv_hours *h, int weekday, int minute_of_day);

/* Minutes open in the week, 0..10080 (10080 for NULL). */
int sv_hours_minutes_open(const sv_hours *h);

/* SV_HOURS_* bits about the parsed value (0 for NULL). */
unsigned sv_hours_flags(const sv_hours *h);

/* Free a parsed value; NULL is a no-op. */
void sv_hours_free(sv_hours *h);

/* A moment of the week at which coverage is computed. */
#define SV_MOMENT_LABEL_MAX 32
typedef struct {
    int weekday;                     /* 0 = Mo .. 6 = Su */
    int minute;                      /* minute of the day, 0..1439 */
    char label[SV_MOMENT_LABEL_MAX]; /* the text as given, without outer spaces */
} sv_moment;

/* Parse one moment: a weekday and a time, "Mo 12:00" (two-letter name in any
 * case, a space or none, H:MM or HH:MM before 24:00), or a local ISO date and
 * time "2026-12-07T12:00" (a space may replace the T; seconds are allowed
 * and dropped, which is exact since hours change on whole minutes; a time
 * zone suffix is refused: give the stations' local time). Holidays are not
 * known, so a date counts only through its weekday. Returns 0, or -1 with a
 * message in why (as sv_hours_parse) naming the column and what was
 * expected (*out then left alone). A moment longer than SV_MOMENT_LABEL_MAX - 1
 * characters is refused. */
int sv_moment_parse(const char *text, sv_moment *out, sv_msg *why);

/* Parse a comma-separated list of moments, "Mo 12:00,Mo 22:00,Sa 03:00".
 * On success returns 0, sets *out to an array of *n moments in the order
 * given (the caller frees it with free()); at least one. On failure returns
 * -1 with *out NULL, *n 0 and a message naming the moment, its column in
 * the whole text and what was expected. An empty moment or a label given
 * twice is refused. */
int sv_moments_parse(const char *text, sv_moment **out, size_t *n, sv_msg *why);

#ifdef __cplusplus
}
#endif
#endif
