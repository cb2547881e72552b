/* fuzz_hours.c - libFuzzer target for the opening_hours and moment parsers
 * (src/hours.c): arbitrary bytes are parsed as opening hours, evaluated at a
 * few moments of the week, and freed; the same bytes are parsed as a list of
 * moments. Beyond the sanitizers it checks the promises of engine/hours.h: a
 * result or a message, never both; minutes open within the week; is_open 0 or
 * 1 in range and -1 outside; moment labels within their buffer.
 *
 * With -DSVCOV_FUZZ=ON (clang, -fsanitize=fuzzer,address) this is the fuzzer:
 *   build-fuzz/tests/fuzz_hours -max_total_time=300 tests/fuzz/corpus/hours
 * Otherwise a replay main() runs every file (or every file of every folder)
 * given on the command line once, so the seed corpus runs in the normal suite
 * (ctest fuzz_hours_corpus). */
#include "engine/hours.h"
#include "svcov/sv_lang.h"

#define FUZZ_NAME "fuzz_hours"
#include "replay.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The parsers take C strings: the input up to its first NUL. */
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';

    sv_msg err; /* in Chinese: every message has both languages */
    sv_msg_init(&err, SV_LANG_ZH);
    sv_hours *h = (sv_hours *)0x1;
    int rc = sv_hours_parse(text, &h, &err);
    CHECK(rc == 0 || rc == -1);
    if (rc == 0) {
        CHECK(h != NULL);
        int total = sv_hours_minutes_open(h);
        CHECK(total >= 0 && total <= 7 * 1440);
        static const int moments[][2] = {{0, 0}, {0, 720}, {0, 1320}, {1, 1439}, {5, 180}, {6, 1439}};
        for (size_t i = 0; i < sizeof moments / sizeof moments[0]; i++) {
            int open = sv_hours_is_open(h, moments[i][0], moments[i][1]);
            CHECK(open == 0 || open == 1);
        }
        CHECK(sv_hours_is_open(h, 7, 0) == -1 && sv_hours_is_open(h, 0, 1440) == -1);
        CHECK((sv_hours_flags(h) & ~SV_HOURS_HOLIDAYS_IGNORED) == 0);
        sv_hours_free(h);
    } else {
        CHECK(h == NULL);
        CHECK(strlen(err.en) > 0 && strlen(err.tr) > 0);
    }

    sv_moment *ms = (sv_moment *)0x1;
    size_t n = 99;
    rc = sv_moments_parse(text, &ms, &n, &err);
    if (rc == 0) {
        CHECK(ms != NULL && n >= 1);
        for (size_t i = 0; i < n; i++) {
            CHECK(ms[i].weekday >= 0 && ms[i].weekday <= 6);
            CHECK(ms[i].minute >= 0 && ms[i].minute < 1440);
            CHECK(strlen(ms[i].label) < SV_MOMENT_LABEL_MAX && ms[i].label[0] != '\0');
        }
        free(ms);
    } else {
        CHECK(rc == -1 && ms == NULL && n == 0);
        CHECK(strlen(err.en) > 0);
    }
    free(text);
    return 0;
}
