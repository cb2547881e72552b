/* fuzz_options.c - libFuzzer target for the option parser of every command
 * (src/cli/args.c): the input, split at blanks into words, is read by a table
 * with one option of each kind the commands use (a number with a range, a
 * whole number, a list such as --minutes 10,15, a choice, a string, a flag),
 * then each word alone by the value readers cli_number, cli_whole and
 * cli_parse_list. What is accepted keeps its promise (finite, within range, a
 * non-empty list of finite numbers); what is refused is EXIT_USAGE with one
 * message. The CLI's printing is stubbed. Build and replay as fuzz_hours.c
 * says. */
#include "args.h"
#include "cli.h"

#include <math.h>
#include <stdarg.h>

#define FUZZ_NAME "fuzz_options"
#include "replay.h"

static int n_messages;

int cli_usage(const char *cmd, const char *fmt, ...)
{
    (void)cmd;
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    CHECK(vsnprintf(buf, sizeof buf, fmt, ap) >= 0);
    va_end(ap);
    n_messages++;
    return EXIT_USAGE;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *text = malloc(size + 1);
    char *argv[130];
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    int argc = 0;
    argv[argc++] = "svcov-fuzz";
    for (char *w = strtok(text, " \t\n"); w && argc < 128; w = strtok(NULL, " \t\n"))
        argv[argc++] = w;
    argv[argc] = NULL;

    /* each word through the value readers */
    for (int i = 1; i < argc; i++) {
        double v = NAN;
        if (cli_number(argv[i], &v) == 0)
            CHECK(isfinite(v));
        long w = 0;
        if (cli_whole(argv[i], 1, 1000, &w) == 0)
            CHECK(w >= 1 && w <= 1000);
        double *list = (double *)0x1;
        size_t n = 99;
        if (cli_parse_list(argv[i], &list, &n) == 0) {
            CHECK(list && n >= 1 && n <= strlen(argv[i]));
            for (size_t k = 0; k < n; k++)
                CHECK(isfinite(list[k]));
            free(list);
        } else {
            CHECK(list == NULL && n == 0);
        }
    }

    /* the whole line through a table of every kind */
    double radius = -1, speed = -1;
    int threads = -1, strict = 0, mode = -1;
    const char *out = NULL;
    cli_list minutes = {NULL, 0};
    static const cli_choice modes[] = {{"walk", 1}, {"bike", 2}, {"ebike", 3}, {NULL, 0}};
    const cli_arg args[] = {
        CLI_NUM("radius", &radius, 0, 1, 1e6, "give metres above 0", "at most 1000 km"),
        CLI_NUM("speed", &speed, 0, 1, 300, "give km/h", NULL),
        CLI_WHOLE("threads", &threads, 1, 1024, "give 1 to 1024"),
        CLI_LIST("minutes", &minutes, "give minutes, e.g. 10,15"),
        CLI_CHOICE("mode", &mode, modes, "use walk, bike or ebike"),
        CLI_STR("out", &out),
        CLI_SET("strict", 0, &strict, 1),
        CLI_END,
    };
    n_messages = 0;
    int rest = 0;
    int rc = cli_args_parse("fuzz", argc, argv, args, &rest);
    CHECK(rc == 0 || rc == EXIT_USAGE);
    if (rc == 0) {
        CHECK(n_messages == 0 && rest >= 1 && rest <= argc);
        CHECK(radius == -1 || (radius > 0 && radius <= 1e6));
        CHECK(speed == -1 || (speed > 0 && speed <= 300));
        CHECK(threads == -1 || (threads >= 1 && threads <= 1024));
        CHECK(mode == -1 || (mode >= 1 && mode <= 3));
        CHECK(strict == 0 || strict == 1);
        for (size_t k = 0; k < minutes.n; k++)
            CHECK(isfinite(minutes.v[k]));
    } else {
        CHECK(n_messages == 1);
    }
    free(minutes.v);
    free(text);
    return 0;
}
