/* replay.h - the replay main() of the fuzz targets (see fuzz_hours.c): without
 * SVCOV_FUZZING each argument is a file, or a folder whose files are run once
 * through LLVMFuzzerTestOneInput, so the seed corpus runs in the normal suite.
 * Define FUZZ_NAME (the program's name, for messages) before including; CHECK(cond) aborts with
 * the condition when a promise of the code under test does not hold. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A promise of the code under test that the input broke: abort, so libFuzzer keeps the input. */
#define CHECK(cond)                                                                                 \
    do {                                                                                            \
        if (!(cond)) {                                                                              \
            fprintf(stderr, FUZZ_NAME ": %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                                \
        }                                                                                           \
    } while (0)

#ifndef SVCOV_FUZZING
#include <dirent.h>
#include <sys/stat.h>

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, FUZZ_NAME ": cannot open %s\n", path);
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
        fprintf(stderr, FUZZ_NAME ": out of memory reading %s\n", path);
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
            fprintf(stderr, FUZZ_NAME ": no such file or folder: %s\n", argv[i]);
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
            fprintf(stderr, FUZZ_NAME ": cannot read folder %s\n", argv[i]);
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
        fprintf(stderr, "usage: " FUZZ_NAME " FILE_OR_FOLDER...\n");
        return 2;
    }
    printf(FUZZ_NAME ": %d inputs replayed, %d unreadable\n", runs, failures);
    return failures ? 1 : 0;
}
#endif
