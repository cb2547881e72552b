/* test_sanitizer_check.c - issue 18 item 17: the harness fails a test on any sanitizer report of a child it
 * starts, whatever the child's exit status. The child here is a shell standing in for a sanitized svcov: it
 * writes its report where the runtime would (the log_path the harness put into ASAN_OPTIONS / UBSAN_OPTIONS,
 * plus .PID) and exits 0 (as UBSan goes on) or 1 (as an ASan abort can pass for an expected exit 1).
 * The tests that must fail run in a child copy of this program ("inner GROUP"); the outer tests check that
 * it failed, and with the report in its output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <sys/wait.h>
#include "svtest.h"

static int setup(void **state)
{
    (void)state;
    return svt_make_dir("sancheck");
}

static int teardown(void **state)
{
    (void)state;
    svt_remove_dir();
    return 0;
}

/* The shell script: the log_path of VAR, a report there, then exit with status. */
static void child_reports(const char *var, const char *report, const char *status)
{
    char script[2048];
    snprintf(script, sizeof script,
             "p=$(printf '%%s' \"$%s\" | tr ':' '\\n' | sed -n 's/^log_path=//p' | tail -n 1); "
             "[ -n \"$p\" ] || exit 3; printf '%%s\\n' '%s' > \"$p.$$\"; exit %s",
             var, report, status);
    SVT_RUN("-c", script);
}

static void inner_asan_leak_exit_1(void **state)
{
    (void)state;
    child_reports("ASAN_OPTIONS", "ERROR: LeakSanitizer: detected memory leaks; Direct leak of 45 byte(s)", "1");
}

static void inner_ubsan_exit_0(void **state)
{
    (void)state;
    child_reports("UBSAN_OPTIONS", "runtime error: signed integer overflow in svcov", "0");
}

static void inner_clean(void **state)
{
    (void)state;
    SVT_RUN("-c", "exit 0");
    assert_int_equal(svt_last.status, 0);
}

/* This program again with "inner GROUP": its exit status, its output in out. */
static int run_inner(const char *self, const char *group, char **out)
{
    char outp[4200], errp[4200];
    snprintf(outp, sizeof outp, "%s", svt_path("inner.out"));
    snprintf(errp, sizeof errp, "%s", svt_path("inner.err"));
    const char *argv[] = {self, "inner", group, NULL};
    pid_t pid = svt_spawn(argv, outp, errp, 0);
    int ws = 0;
    while (waitpid(pid, &ws, 0) < 0)
        ;
    char *o = svt_read(outp, NULL), *e = svt_read(errp, NULL);
    size_t n = (o ? strlen(o) : 0) + (e ? strlen(e) : 0) + 1;
    *out = calloc(1, n);
    snprintf(*out, n, "%s%s", o ? o : "", e ? e : "");
    free(o);
    free(e);
    return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128;
}

static const char *self_path;

static void child_leak_report_fails_the_test(void **state)
{
    (void)state;
    char *out = NULL;
    int st = run_inner(self_path, "asan_leak_exit_1", &out);
    if (st == 0 || !strstr(out, "sanitizer report of svcov -c") || !strstr(out, "Direct leak of 45 byte(s)") ||
        !strstr(out, "(exit 1)"))
        fail_msg("a child's LeakSanitizer report with exit 1 did not fail the test (status %d):\n%s", st, out);
    free(out);
}

static void child_ubsan_report_with_exit_0_fails_the_test(void **state)
{
    (void)state;
    char *out = NULL;
    int st = run_inner(self_path, "ubsan_exit_0", &out);
    if (st == 0 || !strstr(out, "signed integer overflow") || !strstr(out, "(exit 0)"))
        fail_msg("a child's UBSan report with exit 0 did not fail the test (status %d):\n%s", st, out);
    free(out);
}

static void clean_child_passes(void **state)
{
    (void)state;
    char *out = NULL;
    int st = run_inner(self_path, "clean", &out);
    if (st != 0)
        fail_msg("a child without a report failed the test (status %d):\n%s", st, out);
    free(out);
}

int main(int argc, char **argv)
{
    self_path = argv[0];
    if (argc == 3 && strcmp(argv[1], "inner") == 0) {
        const svt_group inner[] = {
            {"asan_leak_exit_1", cmocka_unit_test(inner_asan_leak_exit_1)},
            {"ubsan_exit_0", cmocka_unit_test(inner_ubsan_exit_0)},
            {"clean", cmocka_unit_test(inner_clean)},
        };
        return svt_run_groups(argc - 1, argv + 1, "inner", inner, 3, setup, teardown);
    }
    const svt_group groups[] = {
        {"sanitizer_check", cmocka_unit_test(child_leak_report_fails_the_test)},
        {"sanitizer_check", cmocka_unit_test(child_ubsan_report_with_exit_0_fails_the_test)},
        {"sanitizer_check", cmocka_unit_test(clean_child_passes)},
    };
    return svt_run_groups(argc, argv, "sanitizer_check", groups, 3, setup, teardown);
}
