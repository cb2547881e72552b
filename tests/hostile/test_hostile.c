/* test_hostile.c - the hostile-input corpus (issue 18): every case of
 * tests/hostile/cases.txt is a small bad input, one svcov command, the exit
 * status and message fragments it must give, and the earlier results that
 * must come out byte-identical. One cmocka test per case.
 *
 * A case (blocks separated by blank lines; see cases.txt for the keys):
 *   name:    a unique name (ctest -R hostile, or test_hostile NAME to run one)
 *   about:   what it checks (the issue and item)
 *   setup:   a /bin/sh command run in the case's folder before the command (any number)
 *   earlier: a file (relative to the case's folder) that holds an earlier result: made by
 *            setup, else created (a copy of the demo result for *.sqlite, else a few bytes),
 *            then checked byte for byte after the command
 *   full:    yes: a tmpfs of 8 MiB is mounted at full/ and filled up after setup and earlier
 *            (in a private mount namespace; without one the command runs under RLIMIT_FSIZE
 *            at the size of the earlier files instead, and says so)
 *   readonly: yes: ro/ is a tmpfs made read-only after setup and earlier (without a namespace: the
 *            folder is made mode 0555, which binds only when not run as root)
 *   run:     the svcov arguments (words split on blanks, 'single' and "double" quotes group;
 *            $W, $IN, $GEO, $DEMO expanded; \xNN is the byte NN)
 *   exit:    the expected exit status
 *   stderr:  a fragment stderr must contain (any number); stdout: the same for stdout
 *   stderr-not: a fragment stderr must not contain (any number; e.g. a password)
 *   sql:     FILE | SQL | VALUE: after the command, the first column of SQL's first row on the
 *            database FILE (in the case folder) reads VALUE as text (any number)
 *
 * Setup commands see W (the case folder), IN (tests/hostile/inputs), GEO (geodata/),
 * DEMO ($W/demo.sqlite: a copy of the demo city's result, made once per run) and SVCOV. After
 * every case no temporary folder or lock file of svcov may be left in $W or $W/full, and no
 * sanitizer report may have been written (svtest.h). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <dirent.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "svtest.h"

#define MAX_LINES 16

typedef struct {
    char name[128];
    char about[512];
    char *setup[MAX_LINES];
    size_t n_setup;
    char *earlier[MAX_LINES];
    size_t n_earlier;
    char *err[MAX_LINES];
    size_t n_err;
    char *noterr[MAX_LINES];
    size_t n_noterr;
    char *out[MAX_LINES];
    size_t n_out;
    char *sql[MAX_LINES]; /* FILE | SQL | EXPECTED: the first value of SQL on FILE, as text */
    size_t n_sql;
    char *run;
    int exit_status, has_exit, full, readonly;
    int line; /* in cases.txt */
} hcase;

static hcase *cases;
static size_t n_cases;
static char demo_db[4200];    /* the demo city's result, made once */
static int have_namespace;    /* mounts are ours (a private mount namespace) */
static char inputs_dir[4200], geo_dir[4200];

static char *dup_s(const char *s)
{
    char *d = strdup(s);
    assert_non_null(d);
    return d;
}

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
}

static int load_cases(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "cannot read %s: %s\n", path, strerror(errno));
        return -1;
    }
    char line[8192];
    hcase *c = NULL;
    int ln = 0;
    while (fgets(line, sizeof line, f)) {
        ln++;
        trim(line);
        if (line[0] == '#')
            continue;
        if (!line[0]) {
            c = NULL;
            continue;
        }
        char *colon = strchr(line, ':');
        if (!colon) {
            fprintf(stderr, "%s:%d: expected KEY: VALUE\n", path, ln);
            fclose(f);
            return -1;
        }
        *colon = '\0';
        const char *key = line, *v = colon + 1;
        while (*v == ' ')
            v++;
        if (!c) {
            hcase *p = realloc(cases, (n_cases + 1) * sizeof *p);
            assert_non_null(p);
            cases = p;
            c = &cases[n_cases++];
            memset(c, 0, sizeof *c);
            c->line = ln;
        }
#define ADD(arr, n)                                                                    \
    do {                                                                               \
        if (c->n >= MAX_LINES) {                                                       \
            fprintf(stderr, "%s:%d: too many '%s' lines\n", path, ln, key);            \
            fclose(f);                                                                 \
            return -1;                                                                 \
        }                                                                              \
        c->arr[c->n++] = dup_s(v);                                                     \
    } while (0)
        if (strcmp(key, "name") == 0)
            snprintf(c->name, sizeof c->name, "%s", v);
        else if (strcmp(key, "about") == 0)
            snprintf(c->about, sizeof c->about, "%s", v);
        else if (strcmp(key, "setup") == 0)
            ADD(setup, n_setup);
        else if (strcmp(key, "earlier") == 0)
            ADD(earlier, n_earlier);
        else if (strcmp(key, "stderr") == 0)
            ADD(err, n_err);
        else if (strcmp(key, "stderr-not") == 0)
            ADD(noterr, n_noterr);
        else if (strcmp(key, "stdout") == 0)
            ADD(out, n_out);
        else if (strcmp(key, "sql") == 0)
            ADD(sql, n_sql);
        else if (strcmp(key, "run") == 0)
            c->run = dup_s(v);
        else if (strcmp(key, "exit") == 0) {
            c->exit_status = atoi(v);
            c->has_exit = 1;
        } else if (strcmp(key, "full") == 0)
            c->full = strcmp(v, "yes") == 0;
        else if (strcmp(key, "readonly") == 0)
            c->readonly = strcmp(v, "yes") == 0;
        else {
            fprintf(stderr, "%s:%d: unknown key '%s'\n", path, ln, key);
            fclose(f);
            return -1;
        }
#undef ADD
    }
    fclose(f);
    for (size_t i = 0; i < n_cases; i++) {
        if (!cases[i].name[0] || !cases[i].run || !cases[i].has_exit) {
            fprintf(stderr, "%s:%d: a case needs name, run and exit\n", path, cases[i].line);
            return -1;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(cases[i].name, cases[j].name) == 0) {
                fprintf(stderr, "%s:%d: case name '%s' used twice\n", path, cases[i].line, cases[i].name);
                return -1;
            }
    }
    return 0;
}

/* $W, $IN, $GEO, $DEMO in s, into out. */
static void expand(const char *s, const char *w, char *out, size_t size)
{
    static const char *const names[] = {"$W", "$IN", "$GEO", "$DEMO"};
    char demo[4300];
    snprintf(demo, sizeof demo, "%s/demo.sqlite", w);
    const char *values[] = {w, inputs_dir, geo_dir, demo};
    size_t o = 0;
    while (*s && o + 1 < size) {
        int hit = -1;
        size_t best = 0;
        for (int k = 0; k < 4; k++) {
            size_t n = strlen(names[k]);
            if (strncmp(s, names[k], n) == 0 && n > best) {
                hit = k;
                best = n;
            }
        }
        if (hit >= 0 && (s[best] < 'A' || s[best] > 'Z')) {
            o += (size_t)snprintf(out + o, size - o, "%s", values[hit]);
            if (o >= size)
                o = size - 1;
            s += best;
        } else {
            out[o++] = *s++;
        }
    }
    out[o] = '\0';
}

/* Words of s (quotes group, are removed); returns how many, pointers into buf. */
static size_t split_words(const char *s, char *buf, size_t size, const char **words, size_t cap)
{
    size_t n = 0, o = 0;
    while (*s) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s)
            break;
        assert_true(n < cap - 1);
        words[n++] = buf + o;
        char q = 0;
        while (*s && (q || (*s != ' ' && *s != '\t'))) {
            if (s[0] == '\\' && s[1] == 'x' && isxdigit((unsigned char)s[2]) && isxdigit((unsigned char)s[3])) {
                char hex[3] = {s[2], s[3], 0}; /* \xNN: a byte, for names in other encodings */
                assert_true(o + 2 < size);
                buf[o++] = (char)strtol(hex, NULL, 16);
                s += 4;
            } else if (!q && (*s == '\'' || *s == '"'))
                q = *s++;
            else if (q && *s == q) {
                q = 0;
                s++;
            } else {
                assert_true(o + 2 < size);
                buf[o++] = *s++;
            }
        }
        buf[o++] = '\0';
    }
    words[n] = NULL;
    return n;
}

static void set_case_env(const char *w)
{
    char demo[4300];
    snprintf(demo, sizeof demo, "%s/demo.sqlite", w);
    setenv("W", w, 1);
    setenv("IN", inputs_dir, 1);
    setenv("GEO", geo_dir, 1);
    setenv("DEMO", demo, 1);
    setenv("SVCOV", SVCOV_BIN, 1);
}

static int shell(const char *cmd, const char *w, char *err, size_t esize)
{
    char errp[4400];
    snprintf(errp, sizeof errp, "%s/.setup-stderr", svt_dir);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (chdir(w) != 0)
            _exit(126);
        int e = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (e >= 0) {
            dup2(e, 2);
            dup2(e, 1);
            close(e);
        }
        set_case_env(w);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    int ws = 0;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
        ;
    char *t = svt_read(errp, NULL);
    snprintf(err, esize, "%s", t ? t : "");
    free(t);
    unlink(errp);
    return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128;
}

/* Fill the file system of dir up to the last byte. */
static void fill_up(const char *dir)
{
    char p[4400];
    snprintf(p, sizeof p, "%s/.filler", dir);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    static char zeros[4096];
    for (size_t chunk = sizeof zeros; chunk >= 1; chunk /= 2)
        while (write(fd, zeros, chunk) == (ssize_t)chunk)
            ;
    close(fd);
}

/* Names of svcov's temporary folders or lock files in dir, "" when none. */
static void strays(const char *dir, char *out, size_t size)
{
    out[0] = '\0';
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strstr(e->d_name, ".svcov-tmp-") || strstr(e->d_name, ".svcov-lock") || strstr(e->d_name, ".tmp-"))
            snprintf(out + strlen(out), size - strlen(out), "%s ", e->d_name);
    closedir(d);
}

static void run_case(void **state)
{
    const hcase *c = *state;
    char w[4300];
    snprintf(w, sizeof w, "%s/%s", svt_dir, c->name);
    assert_int_equal(mkdir(w, 0755), 0);
    char demo[4400];
    snprintf(demo, sizeof demo, "%s/demo.sqlite", w);
    svt_copy(demo_db, demo);
    char full[4400];
    snprintf(full, sizeof full, "%s/full", w);
    int mounted = 0, ro_mounted = 0;
    if (c->full) {
        assert_int_equal(mkdir(full, 0755), 0);
        if (have_namespace && mount("tmpfs", full, "tmpfs", 0, "size=8m") == 0)
            mounted = 1;
    }
    char ro[4400];
    snprintf(ro, sizeof ro, "%s/ro", w);
    if (c->readonly) {
        assert_int_equal(mkdir(ro, 0755), 0);
        if (have_namespace && mount("tmpfs", ro, "tmpfs", 0, "size=8m") == 0)
            ro_mounted = 1;
    }
    char err[8192];
    for (size_t i = 0; i < c->n_setup; i++)
        if (shell(c->setup[i], w, err, sizeof err) != 0)
            fail_msg("case %s (cases.txt line %d): setup failed: %s\n%s", c->name, c->line, c->setup[i], err);
    /* the earlier results, kept to compare */
    char *before[MAX_LINES] = {0};
    size_t before_len[MAX_LINES] = {0};
    off_t fsize_limit = 0;
    for (size_t i = 0; i < c->n_earlier; i++) {
        char p[4400];
        snprintf(p, sizeof p, "%s/%s", w, c->earlier[i]);
        if (!svt_exists(p)) {
            size_t n = strlen(c->earlier[i]);
            if (n > 7 && strcmp(c->earlier[i] + n - 7, ".sqlite") == 0)
                svt_copy(demo_db, p);
            else {
                FILE *f = fopen(p, "wb");
                assert_non_null(f);
                fprintf(f, "an earlier result of the hostile case %s\n", c->name);
                fclose(f);
            }
        }
        before[i] = svt_read(p, &before_len[i]);
        assert_non_null(before[i]);
        if ((off_t)before_len[i] > fsize_limit)
            fsize_limit = (off_t)before_len[i];
    }
    if (mounted)
        fill_up(full);
    if (c->readonly) {
        if (ro_mounted)
            assert_int_equal(mount("tmpfs", ro, "tmpfs", MS_REMOUNT | MS_RDONLY, "size=8m"), 0);
        else
            chmod(ro, 0555);
    }
    /* the command */
    char expanded[16384], buf[16384];
    expand(c->run, w, expanded, sizeof expanded);
    const char *words[64];
    split_words(expanded, buf, sizeof buf, words, 64);
    const char *argv[66];
    svt_argv(words, argv, 66);
    char outp[4400], errp[4400], sdir[4400];
    snprintf(outp, sizeof outp, "%s/.stdout", svt_dir);
    snprintf(errp, sizeof errp, "%s/.stderr", svt_dir);
    svt_sanitizer_dir(sdir, sizeof sdir);
    mkdir(sdir, 0755);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int o = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0644), e = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (o < 0 || e < 0 || chdir(w) != 0)
            _exit(126);
        dup2(o, 1);
        dup2(e, 2);
        close(o);
        close(e);
        svt_sanitizer_env();
        if (c->full && !mounted) {
            /* no namespace: the file size limit stands in for the full disk */
            signal(SIGXFSZ, SIG_IGN);
            struct rlimit rl = {(rlim_t)fsize_limit + 1024, (rlim_t)fsize_limit + 1024};
            setrlimit(RLIMIT_FSIZE, &rl);
        }
        alarm(300);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    int ws = 0;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
        ;
    int status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + (WIFSIGNALED(ws) ? WTERMSIG(ws) : 0);
    char *out = svt_read(outp, NULL), *errt = svt_read(errp, NULL);
    if (!out)
        out = calloc(1, 1);
    if (!errt)
        errt = calloc(1, 1);
    svt_sanitizer_check(argv, status);
    char problem[2048] = "";
    if (status != c->exit_status)
        snprintf(problem, sizeof problem, "exit %d, expected %d", status, c->exit_status);
    for (size_t i = 0; i < c->n_err && !problem[0]; i++)
        if (!strstr(errt, c->err[i]))
            snprintf(problem, sizeof problem, "stderr does not contain \"%s\"", c->err[i]);
    for (size_t i = 0; i < c->n_noterr && !problem[0]; i++)
        if (strstr(errt, c->noterr[i]))
            snprintf(problem, sizeof problem, "stderr contains \"%s\"", c->noterr[i]);
    for (size_t i = 0; i < c->n_out && !problem[0]; i++)
        if (!strstr(out, c->out[i]))
            snprintf(problem, sizeof problem, "stdout does not contain \"%s\"", c->out[i]);
    for (size_t i = 0; i < c->n_earlier && !problem[0]; i++) {
        char p[4400];
        snprintf(p, sizeof p, "%s/%s", w, c->earlier[i]);
        size_t n = 0;
        char *now = svt_read(p, &n);
        if (!now || n != before_len[i] || memcmp(now, before[i], n) != 0)
            snprintf(problem, sizeof problem, "the earlier %s is %s", c->earlier[i],
                     now ? "not byte-identical" : "gone");
        free(now);
    }
    for (size_t i = 0; i < c->n_sql && !problem[0]; i++) {
        char spec[4096], *a = spec, *b, *v;
        snprintf(spec, sizeof spec, "%s", c->sql[i]);
        if (!(b = strstr(a, " | ")) || !(v = strstr(b + 3, " | "))) {
            snprintf(problem, sizeof problem, "sql: give FILE | SQL | VALUE");
            break;
        }
        *b = '\0';
        *v = '\0';
        b += 3;
        v += 3;
        char p[4400];
        snprintf(p, sizeof p, "%s/%s", w, a);
        sqlite3 *db = NULL;
        sqlite3_stmt *q = NULL;
        const char *got = NULL;
        if (sqlite3_open_v2(p, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
            sqlite3_prepare_v2(db, b, -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
            got = (const char *)sqlite3_column_text(q, 0);
        if (!got || strcmp(got, v) != 0)
            snprintf(problem, sizeof problem, "sql on %s: %s gave '%s', expected '%s'%s%s", a, b, got ? got : "(no row)",
                     v, got ? "" : ": ", got ? "" : sqlite3_errmsg(db));
        sqlite3_finalize(q);
        sqlite3_close(db);
    }
    char st[2048];
    strays(w, st, sizeof st);
    if (!problem[0] && st[0])
        snprintf(problem, sizeof problem, "svcov left temporary files in the case folder: %s", st);
    if (c->full) {
        strays(full, st, sizeof st);
        if (!problem[0] && st[0])
            snprintf(problem, sizeof problem, "svcov left temporary files on the full disk: %s", st);
    }
    if (c->readonly) {
        strays(ro, st, sizeof st);
        if (!problem[0] && st[0])
            snprintf(problem, sizeof problem, "svcov left temporary files in the read-only folder: %s", st);
    }
    if (mounted)
        umount2(full, MNT_DETACH);
    if (ro_mounted)
        umount2(ro, MNT_DETACH);
    else if (c->readonly)
        chmod(ro, 0755);
    for (size_t i = 0; i < c->n_earlier; i++)
        free(before[i]);
    if (problem[0]) {
        static char msg[40000];
        snprintf(msg, sizeof msg, "case %s (cases.txt line %d: %s)\n  svcov %s\n  %s\n--- stderr:\n%.16000s--- stdout:\n%.4000s",
                 c->name, c->line, c->about, expanded, problem, errt, out);
        free(out);
        free(errt);
        fail_msg("%s", msg);
    }
    free(out);
    free(errt);
}

/* A private mount namespace for the tmpfs of the full-disk cases: as root
 * directly, otherwise inside a user namespace of our own. */
static int private_mounts(void)
{
    uid_t uid = getuid();
    gid_t gid = getgid();
    if (unshare(uid == 0 ? CLONE_NEWNS : CLONE_NEWUSER | CLONE_NEWNS) != 0)
        return 0;
    if (uid != 0) {
        char m[64];
        int fd = open("/proc/self/setgroups", O_WRONLY);
        if (fd >= 0) {
            ssize_t r = write(fd, "deny", 4);
            (void)r;
            close(fd);
        }
        snprintf(m, sizeof m, "0 %d 1", (int)uid);
        fd = open("/proc/self/uid_map", O_WRONLY);
        if (fd < 0 || write(fd, m, strlen(m)) < 0)
            return 0;
        close(fd);
        snprintf(m, sizeof m, "0 %d 1", (int)gid);
        fd = open("/proc/self/gid_map", O_WRONLY);
        if (fd < 0 || write(fd, m, strlen(m)) < 0)
            return 0;
        close(fd);
    }
    return mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0;
}

int main(int argc, char **argv)
{
    snprintf(inputs_dir, sizeof inputs_dir, "%s/tests/hostile/inputs", SVCOV_SOURCE_DIR);
    snprintf(geo_dir, sizeof geo_dir, "%s/geodata", SVCOV_SOURCE_DIR);
    char cases_path[4400];
    snprintf(cases_path, sizeof cases_path, "%s/tests/hostile/cases.txt", SVCOV_SOURCE_DIR);
    if (load_cases(cases_path) != 0)
        return 1;
    have_namespace = private_mounts();
    if (!have_namespace)
        fprintf(stderr, "notice: no private mount namespace here (unshare refused): the full-disk cases run "
                        "under a file size limit (RLIMIT_FSIZE) instead of a full tmpfs\n");
    if (svt_make_dir("hostile") != 0)
        return 1;
    /* the demo city's result, the earlier result of most cases */
    snprintf(demo_db, sizeof demo_db, "%s/demo-result.sqlite", svt_dir);
    char st[4400], di[4400];
    snprintf(st, sizeof st, "%s/stations.geojson", geo_dir);
    snprintf(di, sizeof di, "%s/districts.geojson", geo_dir);
    {
        const char *args[] = {SVCOV_BIN, "analyze", "--stations", st, "--districts", di, "--minutes", "10,15",
                              "--population-field", "population", "--out", demo_db, "-q", NULL};
        pid_t pid = fork();
        if (pid == 0) {
            int nul = open("/dev/null", O_WRONLY);
            dup2(nul, 1);
            execv(args[0], (char *const *)args);
            _exit(127);
        }
        int ws = 0;
        waitpid(pid, &ws, 0);
        if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0) {
            fprintf(stderr, "the demo analysis failed (exit %d)\n", WEXITSTATUS(ws));
            return 1;
        }
    }
    struct CMUnitTest *tests = calloc(n_cases, sizeof *tests);
    size_t nt = 0;
    for (size_t i = 0; i < n_cases; i++) {
        if (argc > 1 && !strstr(cases[i].name, argv[1]))
            continue;
        tests[nt].name = cases[i].name;
        tests[nt].test_func = run_case;
        tests[nt].initial_state = &cases[i];
        nt++;
    }
    printf("%zu hostile cases in %s, %zu run here\n", n_cases, cases_path, nt);
    int failed = _cmocka_run_group_tests("hostile", tests, nt, NULL, NULL);
    free(tests);
    svt_remove_dir();
    return failed ? 1 : 0;
}
