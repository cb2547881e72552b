/* svtest.h - helpers for the end-to-end tests: a temporary folder, running
 * the svcov binary with its output captured, files, and reading numbers
 * back from a result database. Header-only; include after <cmocka.h>. */
#ifndef SVTEST_H
#define SVTEST_H

#include <sqlite3.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Not every test uses every helper. */
#define SVT_FN static __attribute__((unused))

#ifndef SVCOV_BIN
#error "SVCOV_BIN must name the svcov binary"
#endif

/* ---- the temporary folder ---- */

static char svt_dir[4096];
/* Paths handed out by svt_path, freed with the folder. */
static char **svt_paths;
static size_t svt_n_paths;


SVT_FN int svt_make_dir(const char *tag)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(svt_dir, sizeof svt_dir, "%s/svcov-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", tag);
    return mkdtemp(svt_dir) ? 0 : -1;
}

SVT_FN int svt_rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* Remove the folder, unless SVCOV_KEEP_TMP is set (to look at it). */
SVT_FN void svt_remove_dir(void)
{
    if (!svt_dir[0])
        return;
    if (getenv("SVCOV_KEEP_TMP"))
        fprintf(stderr, "kept %s\n", svt_dir);
    else
        nftw(svt_dir, svt_rm_one, 16, FTW_DEPTH | FTW_PHYS);
    svt_dir[0] = '\0';
    for (size_t i = 0; i < svt_n_paths; i++)
        free(svt_paths[i]);
    free(svt_paths);
    svt_paths = NULL;
    svt_n_paths = 0;
}

/* A path in the temporary folder; valid until svt_remove_dir. */
SVT_FN const char *svt_path(const char *name)
{
    char **p = realloc(svt_paths, (svt_n_paths + 1) * sizeof *p);
    assert_non_null(p);
    svt_paths = p;
    size_t n = strlen(svt_dir) + strlen(name) + 2;
    char *b = malloc(n);
    assert_non_null(b);
    snprintf(b, n, "%s/%s", svt_dir, name);
    svt_paths[svt_n_paths++] = b;
    return b;
}

SVT_FN const char *svt_write(const char *name, const char *text)
{
    const char *p = svt_path(name);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
    return p;
}

/* The whole file (NUL-terminated, *len bytes), NULL when unreadable. */
SVT_FN char *svt_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 8192, n = 0;
    char *buf = malloc(cap);
    size_t k;
    while (buf && (k = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += k;
        if (cap - n - 1 == 0) {
            char *p = realloc(buf, cap * 2);
            if (!p) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = p;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf)
        buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

SVT_FN int svt_exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* 1 when both files exist and have the same bytes. */
SVT_FN int svt_same_bytes(const char *a, const char *b)
{
    size_t la = 0, lb = 0;
    char *x = svt_read(a, &la), *y = svt_read(b, &lb);
    int same = x && y && la == lb && memcmp(x, y, la) == 0;
    free(x);
    free(y);
    return same;
}

SVT_FN void svt_copy(const char *from, const char *to)
{
    size_t n = 0;
    char *b = svt_read(from, &n);
    assert_non_null(b);
    FILE *f = fopen(to, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
    free(b);
}

/* ---- running svcov ---- */

/* The factor on a test's time bounds (e.g. "exit 130 within a second of SIGTERM"): SVCOV_TEST_SLACK, a number
 * from 1 to 100, set by `make sanitize` and `make valgrind`, whose instrumented svcov runs several times slower;
 * 1 when unset, so the normal suite keeps its bounds. A value outside 1..100 is an error of the caller. */
SVT_FN double svt_slack(void)
{
    const char *e = getenv("SVCOV_TEST_SLACK");
    if (!e || !*e)
        return 1.0;
    char *end = NULL;
    double f = strtod(e, &end);
    if (end == e || *end || !(f >= 1.0 && f <= 100.0)) {
        fprintf(stderr, "SVCOV_TEST_SLACK=%s: give a factor from 1 to 100 (e.g. 3)\n", e);
        abort();
    }
    return f;
}


/* Sanitizer reports of the svcov processes a test starts. Under `make sanitize` svcov is built with
 * ASan/UBSan, but a child's report would only land in its captured stderr (which no test reads), UBSan
 * goes on with exit 0, and an ASan abort can even pass for an expected exit 1. So each child writes its
 * reports to files (log_path=DIR/.sanitizer/asan, .../ubsan: the runtime adds .PID) and svt_runv fails
 * the test when any such file appears. In a build without sanitizers the variables are ignored. */
SVT_FN void svt_sanitizer_dir(char *out, size_t size)
{
    snprintf(out, size, "%s/.sanitizer", svt_dir);
}

/* In the child, before exec: the options it inherited plus a log path. */
SVT_FN void svt_sanitizer_env(void)
{
    /* LSan's table of suppressions used (tests/lsan.supp) would be a file too: not printed */
    static const char *const vars[][2] = {{"ASAN_OPTIONS", "log_path=%s/asan"},
                                          {"UBSAN_OPTIONS", "log_path=%s/ubsan:print_stacktrace=1"},
                                          {"LSAN_OPTIONS", "print_suppressions=0"}};
    char dir[4200], add[4400], v[8800];
    svt_sanitizer_dir(dir, sizeof dir);
    for (size_t i = 0; i < 3; i++) {
        const char *old = getenv(vars[i][0]);
        snprintf(add, sizeof add, vars[i][1], dir);
        snprintf(v, sizeof v, "%s%s%s", old && *old ? old : "", old && *old ? ":" : "", add);
        setenv(vars[i][0], v, 1);
    }
}

/* A report of nothing but LeakSanitizer's "==PID==Unable to get registers from thread TID." lines: what its
 * tracer writes when the process is killed (SIGKILL by a test of kills) while the leak check at its exit has
 * stopped its threads; no leak or error is reported then. */
SVT_FN int svt_only_stop_the_world(const char *report)
{
    int lines = 0;
    for (const char *p = report; *p;) {
        const char *end = strchr(p, '\n');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n > 0) {
            const char *q = p + 2;
            if (n < 4 || p[0] != '=' || p[1] != '=')
                return 0;
            while (q < p + n && *q >= '0' && *q <= '9')
                q++;
            if (q + 2 > p + n || q[0] != '=' || q[1] != '=' ||
                strncmp(q + 2, "Unable to get registers from thread ", 36) != 0)
                return 0;
            lines++;
        }
        p += n + (end ? 1 : 0);
    }
    return lines > 0;
}

/* After the child: fail on any report it wrote (shown in the failure), removing the files. */
SVT_FN void svt_sanitizer_check(const char *const *argv, int status)
{
    char dir[4200];
    svt_sanitizer_dir(dir, sizeof dir);
    DIR *d = opendir(dir);
    if (!d)
        return;
    char *report = NULL;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[4500];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        char *t = svt_read(path, NULL);
        unlink(path);
        if (!report && t && *t) /* the first report; the others are removed */
            report = t;
        else
            free(t);
    }
    closedir(d);
    if (report && status >= 128 && svt_only_stop_the_world(report)) {
        free(report); /* killed by the test while its leak check at exit stopped the threads: not a finding */
        report = NULL;
    }
    if (report) {
        static char msg[16384]; /* fail_msg does not return: nothing left to free */
        char cmd[1024] = "";
        for (size_t i = 1; argv[i] && strlen(cmd) + strlen(argv[i]) + 2 < sizeof cmd; i++)
            snprintf(cmd + strlen(cmd), sizeof cmd - strlen(cmd), " %s", argv[i]);
        snprintf(msg, sizeof msg, "sanitizer report of svcov%s (exit %d):\n%s", cmd, status, report);
        free(report);
        fail_msg("%s", msg);
    }
}

typedef struct {
    int status; /* exit status; 128 + signal when killed */
    char *out, *err;
} svt_run_result;

static svt_run_result svt_last;

SVT_FN void svt_run_free(void)
{
    free(svt_last.out);
    free(svt_last.err);
    memset(&svt_last, 0, sizeof svt_last);
}

/* argv for svcov: the program, then the NULL-terminated arguments args. */
SVT_FN void svt_argv(const char *const *args, const char **argv, size_t cap)
{
    size_t n = 0;
    argv[n++] = SVCOV_BIN;
    for (size_t i = 0; args[i]; i++) {
        assert_true(n < cap - 1);
        argv[n++] = args[i];
    }
    argv[n] = NULL;
}

/* Start svcov (argv from svt_argv) with stdout and stderr in the files
 * outp and errp; with sanitizer_reports, a sanitizer build's reports go to
 * the folder svt_sanitizer_check reads. Returns the child's pid. */
SVT_FN pid_t svt_spawn(const char *const *argv, const char *outp, const char *errp, int sanitizer_reports)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int o = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (o < 0 || e < 0)
            _exit(126);
        dup2(o, 1);
        dup2(e, 2);
        close(o);
        close(e);
        if (sanitizer_reports)
            svt_sanitizer_env();
        /* SVCOV_TEST_WRAPPER (`make valgrind`: "valgrind -q OPTIONS"): svcov runs under it, its report in
         * the folder svt_sanitizer_check reads (-q: the file stays empty when there is nothing to say) */
        const char *wrap = getenv("SVCOV_TEST_WRAPPER");
        if (wrap && *wrap) {
            static char words[4096], logopt[4400];
            const char *wargv[96];
            size_t n = 0;
            snprintf(words, sizeof words, "%s", wrap);
            for (char *w = strtok(words, " "); w && n < 40; w = strtok(NULL, " "))
                wargv[n++] = w;
            if (sanitizer_reports) {
                char sdir[4200];
                svt_sanitizer_dir(sdir, sizeof sdir);
                snprintf(logopt, sizeof logopt, "--log-file=%s/valgrind.%%p", sdir);
                wargv[n++] = logopt;
            }
            for (size_t i = 0; argv[i] && n < 95; i++)
                wargv[n++] = argv[i];
            wargv[n] = NULL;
            execvp(wargv[0], (char *const *)wargv);
            _exit(127);
        }
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    return pid;
}

/* Run another program of the build (argv[0] its path, e.g. svcov-gencity),
 * its output in files of the test folder: 0 when it exits 0, else -1 (said
 * on stderr). For group set-ups, where no assertion may fail. */
SVT_FN int svt_run_tool(const char *const *argv)
{
    char outp[4200], errp[4200];
    snprintf(outp, sizeof outp, "%s/.tool.out", svt_dir);
    snprintf(errp, sizeof errp, "%s/.tool.err", svt_dir);
    pid_t pid = svt_spawn(argv, outp, errp, 0);
    int ws = 0;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0) {
        fprintf(stderr, "%s failed (see %s)\n", argv[0], errp);
        return -1;
    }
    return 0;
}

/* Run svcov with the NULL-terminated arguments (after the program name);
 * stdout and stderr land in svt_last. Returns the exit status. */
SVT_FN int svt_runv(const char *const *args)
{
    svt_run_free();
    char outp[4200], errp[4200];
    snprintf(outp, sizeof outp, "%s/.stdout", svt_dir);
    snprintf(errp, sizeof errp, "%s/.stderr", svt_dir);
    const char *argv[64];
    svt_argv(args, argv, 64);
    char sdir[4200];
    svt_sanitizer_dir(sdir, sizeof sdir);
    mkdir(sdir, 0755);
    pid_t pid = svt_spawn(argv, outp, errp, 1);
    int ws = 0;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
        ;
    svt_last.status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + (WIFSIGNALED(ws) ? WTERMSIG(ws) : 0);
    svt_last.out = svt_read(outp, NULL);
    svt_last.err = svt_read(errp, NULL);
    if (!svt_last.out)
        svt_last.out = calloc(1, 1);
    if (!svt_last.err)
        svt_last.err = calloc(1, 1);
    unlink(outp);
    unlink(errp);
    svt_sanitizer_check(argv, svt_last.status);
    return svt_last.status;
}

#define SVT_RUN(...) svt_runv((const char *const[]){__VA_ARGS__, NULL})

/* Run and insist on an exit status; show what svcov said when it differs. */
#define SVT_EXPECT(status, ...)                                                                          \
    do {                                                                                                 \
        int svt_st_ = SVT_RUN(__VA_ARGS__);                                                              \
        if (svt_st_ != (status))                                                                         \
            fail_msg("svcov exited %d, expected %d\n--- stderr:\n%s--- stdout:\n%s", svt_st_, (status), \
                     svt_last.err, svt_last.out);                                                        \
    } while (0)

/* The stderr of the last run contains s. */
#define SVT_ERR_HAS(s)                                                                  \
    do {                                                                                \
        if (!strstr(svt_last.err, (s)))                                                 \
            fail_msg("stderr does not contain \"%s\":\n%s", (s), svt_last.err);         \
    } while (0)
#define SVT_OUT_HAS(s)                                                                  \
    do {                                                                                \
        if (!strstr(svt_last.out, (s)))                                                 \
            fail_msg("stdout does not contain \"%s\":\n%s", (s), svt_last.out);         \
    } while (0)

/* ---- reading a result database ---- */

SVT_FN sqlite3 *svt_db_open(const char *path)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        fail_msg("cannot open %s: %s", path, db ? sqlite3_errmsg(db) : "?");
    return db;
}

/* The first column of the first row of sql, printf-style. Fails the test
 * when there is no row. */
SVT_FN sqlite3_stmt *svt_db_row(sqlite3 *db, const char *fmt, va_list ap)
{
    char sql[2048];
    vsnprintf(sql, sizeof sql, fmt, ap);
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
        fail_msg("SQL error in \"%s\": %s", sql, sqlite3_errmsg(db));
    if (sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_finalize(s);
        fail_msg("no row for \"%s\"", sql);
    }
    return s;
}

SVT_FN double svt_db_double(sqlite3 *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
SVT_FN double svt_db_double(sqlite3 *db, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sqlite3_stmt *s = svt_db_row(db, fmt, ap);
    va_end(ap);
    double v = sqlite3_column_type(s, 0) == SQLITE_NULL ? NAN : sqlite3_column_double(s, 0);
    sqlite3_finalize(s);
    return v;
}

SVT_FN long long svt_db_int(sqlite3 *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
SVT_FN long long svt_db_int(sqlite3 *db, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sqlite3_stmt *s = svt_db_row(db, fmt, ap);
    va_end(ap);
    long long v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

/* Text of the first column (static buffer; "(null)" for NULL). */
SVT_FN const char *svt_db_text(sqlite3 *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
SVT_FN const char *svt_db_text(sqlite3 *db, const char *fmt, ...)
{
    static char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    sqlite3_stmt *s = svt_db_row(db, fmt, ap);
    va_end(ap);
    const unsigned char *t = sqlite3_column_text(s, 0);
    snprintf(buf, sizeof buf, "%s", t ? (const char *)t : "(null)");
    sqlite3_finalize(s);
    return buf;
}

/* No NaN or NULL among the stored shares and areas. */
SVT_FN void svt_db_no_nan(sqlite3 *db)
{
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM district_coverage WHERE covered_pct != covered_pct"
                                    " OR covered_pct IS NULL OR covered_m2 IS NULL OR gap_m2 IS NULL"
                                    " OR area_m2 IS NULL OR covered_m2 != covered_m2"),
                     0);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM city_coverage WHERE covered_pct != covered_pct"
                                    " OR covered_pct IS NULL OR covered_m2 IS NULL"
                                    " OR covered_pct < 0 OR covered_pct > 100"),
                     0);
    assert_int_equal(svt_db_int(db, "SELECT count(*) FROM district_coverage WHERE covered_pct < 0"
                                    " OR covered_pct > 100 OR covered_m2 > area_m2 * (1 + 1e-12)"
                                    " OR abs(covered_m2 + gap_m2 - area_m2) > 1e-6 * area_m2"),
                     0);
}


/* ---- groups: "test_x GROUP" runs the tests of one group (ctest runs each
 * group as its own test); without an argument, all of them ---- */

typedef struct {
    const char *name;
    struct CMUnitTest test;
} svt_group;

SVT_FN int svt_run_groups(int argc, char **argv, const char *program, const svt_group *groups, size_t ng,
                          CMFixtureFunction setup, CMFixtureFunction teardown)
{
    /* svcov prints Chinese when the locale is Chinese: the tests expect English unless they ask otherwise */
    static const char *const locale_vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
    for (size_t i = 0; i < 3; i++)
        if (getenv(locale_vars[i]) && strncmp(getenv(locale_vars[i]), "zh", 2) == 0)
            unsetenv(locale_vars[i]);
    struct CMUnitTest *tests = calloc(ng + 1, sizeof *tests);
    size_t n = 0;
    for (size_t i = 0; tests && i < ng; i++)
        if (argc < 2 || strcmp(argv[1], groups[i].name) == 0)
            tests[n++] = groups[i].test;
    if (n == 0) {
        fprintf(stderr, "%s: no group '%s'\n", program, argc < 2 ? "" : argv[1]);
        free(tests);
        return 2;
    }
    int rc = _cmocka_run_group_tests(argc < 2 ? program : argv[1], tests, n, setup, teardown);
    free(tests);
    return rc;
}

#endif
