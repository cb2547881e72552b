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

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_hours: %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The parsers take C strings: the input up to its first NUL. */
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';

    char err[256];
    sv_hours *h = (sv_hours *)0x1;
    int rc = sv_hours_parse(text, &h, err, sizeof err);
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
        CHECK(strlen(err) > 0 && strlen(err) < sizeof err);
    }

    sv_moment *ms = (sv_moment *)0x1;
    size_t n = 99;
    rc = sv_moments_parse(text, &ms, &n, err, sizeof err);
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
        CHECK(strlen(err) > 0);
    }
    free(text);
    return 0;
}

#ifndef SVCOV_FUZZING
#include <dirent.h>
#include <sys/stat.h>

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "fuzz_hours: cannot open %s\n", path);
        return 1;
    }
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            uint8_t *more = realloc(buf, cap * 2);
            if (!more) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = more;
            cap *= 2;
        }
    }
    fclose(f);
    if (!buf) {
        fprintf(stderr, "fuzz_hours: out of memory reading %s\n", path);
        return 1;
    }
    LLVMFuzzerTestOneInput(buf, len);
    free(buf);
    return 0;
}

/* Replay: each argument is a file, or a folder whose files are replayed. */
int main(int argc, char **argv)
{
    int failures = 0, runs = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "fuzz_hours: no such file or folder: %s\n", argv[i]);
            failures++;
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            failures += replay_file(argv[i]);
            runs++;
            continue;
        }
        DIR *d = opendir(argv[i]);
        if (!d) {
            fprintf(stderr, "fuzz_hours: cannot read folder %s\n", argv[i]);
            failures++;
            continue;
        }
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.')
                continue;
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
            failures += replay_file(path);
            runs++;
        }
        closedir(d);
    }
    if (runs == 0 && failures == 0) {
        fprintf(stderr, "usage: fuzz_hours FILE_OR_FOLDER...\n");
        return 2;
    }
    printf("fuzz_hours: %d inputs replayed, %d unreadable\n", runs, failures);
    return failures ? 1 : 0;
}
#endif
