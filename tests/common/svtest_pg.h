/* svtest_pg.h - a private PostgreSQL + PostGIS server for one test program.
 *
 * svt_pg_start() runs Debian's postgresql-15 (initdb, pg_ctl) in a new
 * mkdtemp folder, listening only on a Unix socket in that folder (no TCP), as
 * an unprivileged user: the caller itself, or the `postgres` user (else
 * `nobody`) when the tests run as root, since PostgreSQL refuses to run as
 * root. It creates the database "svcov" with the postgis extension.
 *
 * The server is stopped and the folder removed by svt_pg_stop(), and also when
 * the test program dies in any way (an assertion, a crash, SIGKILL by ctest's
 * timeout): a guard process, in its own session, waits on a pipe whose only
 * writer is the test program, and stops the server when the pipe closes.
 *
 * Returns 0, or 77 (print the notice, skip) when the server is not installed
 * (scripts/install-deps.sh installs it), or -1 when it is installed and does
 * not start (a failure, with the log printed). Include after svtest.h. */
#ifndef SVTEST_PG_H
#define SVTEST_PG_H

#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/types.h>

#ifndef SVT_PG_BIN
#define SVT_PG_BIN "/usr/lib/postgresql/15/bin"
#endif
#define SVT_PG_POSTGIS "/usr/share/postgresql/15/extension/postgis.control"

typedef struct {
    char dir[512];      /* the mkdtemp folder: data/, the socket, logs */
    char conninfo[700]; /* libpq connection string of the database "svcov" */
    char pg[720];       /* the same with GDAL's "PG:" prefix */
    uid_t uid;          /* the server's user */
    gid_t gid;
    pid_t guard;        /* the guard process (0: none) */
    int guard_fd;       /* its pipe's write end */
    int running;
} svt_pg;

/* Run argv (an absolute path) as the server's user, output to log; its exit status, -1 when it did not run. */
SVT_FN int svt_pg_exec(const svt_pg *pg, const char *const *argv, const char *log)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        if (getuid() == 0 && (setgroups(0, NULL) != 0 || setgid(pg->gid) != 0 || setuid(pg->uid) != 0))
            _exit(126);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    int ws = 0;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
}

SVT_FN int svt_pg_rm(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* Stop the server (immediate: the tests keep nothing) and remove the folder. */
SVT_FN void svt_pg_shutdown(const svt_pg *pg)
{
    char data[600], log[600];
    snprintf(data, sizeof data, "%s/data", pg->dir);
    snprintf(log, sizeof log, "%s/stop.log", pg->dir);
    const char *argv[] = {SVT_PG_BIN "/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop", NULL};
    svt_pg_exec(pg, argv, log);
    if (!getenv("SVCOV_KEEP_TMP"))
        nftw(pg->dir, svt_pg_rm, 16, FTW_DEPTH | FTW_PHYS);
}

/* The guard: waits until every writer of the pipe is gone, then stops the server. */
SVT_FN pid_t svt_pg_guard(svt_pg *pg)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        setsid(); /* out of the test's process group: survives a kill of the group */
        signal(SIGINT, SIG_IGN);
        signal(SIGTERM, SIG_IGN);
        close(fds[1]);
        for (int fd = 3; fd < 1024; fd++)
            if (fd != fds[0])
                close(fd);
        char c;
        while (read(fds[0], &c, 1) < 0 && errno == EINTR)
            ;
        svt_pg_shutdown(pg);
        _exit(0);
    }
    close(fds[0]);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC); /* svcov and the server must not keep it open */
    pg->guard_fd = fds[1];
    return pid;
}

SVT_FN int svt_pg_fail(svt_pg *pg, const char *what, const char *log)
{
    char *t = svt_read(log, NULL);
    fprintf(stderr, "svtest_pg: %s (log %s):\n%s\n", what, log, t ? t : "(empty)");
    free(t);
    return -1;
}

/* psql as the superuser on database db (NULL: "svcov"): one command, unaligned tuples only, into out (may
 * be NULL; at most size bytes). Returns psql's exit status. */
SVT_FN int svt_pg_psql(const svt_pg *pg, const char *db, const char *sql, char *out, size_t size)
{
    char sqlp[600], outp[600];
    /* per process: a test may run psql from a child at the same time */
    snprintf(sqlp, sizeof sqlp, "%s/psql-%d.sql", pg->dir, (int)getpid());
    snprintf(outp, sizeof outp, "%s/psql-%d.out", pg->dir, (int)getpid());
    FILE *f = fopen(sqlp, "w");
    if (!f)
        return -1;
    fputs(sql, f);
    fclose(f);
    char conn[800];
    snprintf(conn, sizeof conn, "host=%s port=5432 user=postgres dbname=%s", pg->dir, db ? db : "svcov");
    const char *argv[] = {SVT_PG_BIN "/psql", "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-d", conn,
                          "-f", sqlp, NULL};
    unlink(outp);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    int ws = 0;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
        ;
    if (out && size) {
        char *t = svt_read(outp, NULL);
        snprintf(out, size, "%s", t ? t : "");
        size_t n = strlen(out);
        while (n && (out[n - 1] == '\n' || out[n - 1] == '\r'))
            out[--n] = '\0';
        free(t);
    }
    unlink(sqlp);
    unlink(outp);
    return WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
}

SVT_FN int svt_pg_start(svt_pg *pg)
{
    memset(pg, 0, sizeof *pg);
    pg->guard_fd = -1;
    struct stat sb;
    if (stat(SVT_PG_BIN "/initdb", &sb) != 0 || stat(SVT_PG_BIN "/pg_ctl", &sb) != 0 ||
        stat(SVT_PG_POSTGIS, &sb) != 0) {
        fprintf(stderr, "NOTICE: skipped: PostgreSQL 15 with PostGIS 3 is not installed (%s/initdb, %s); "
                        "run scripts/install-deps.sh as root\n",
                SVT_PG_BIN, SVT_PG_POSTGIS);
        return 77;
    }
    pg->uid = getuid();
    pg->gid = getgid();
    if (pg->uid == 0) {
        struct passwd *pw = getpwnam("postgres");
        if (!pw)
            pw = getpwnam("nobody");
        if (!pw) {
            fprintf(stderr, "svtest_pg: running as root and there is neither a 'postgres' nor a 'nobody' user\n");
            return -1;
        }
        pg->uid = pw->pw_uid;
        pg->gid = pw->pw_gid;
    }
    const char *tmp = getenv("TMPDIR");
    /* a Unix socket path is at most 107 bytes: keep the folder short */
    snprintf(pg->dir, sizeof pg->dir, "%s/svpg-XXXXXX", tmp && *tmp && strlen(tmp) < 60 ? tmp : "/tmp");
    if (!mkdtemp(pg->dir)) {
        perror("svtest_pg: mkdtemp");
        return -1;
    }
    if (chown(pg->dir, pg->uid, pg->gid) != 0) {
        perror("svtest_pg: chown");
        nftw(pg->dir, svt_pg_rm, 16, FTW_DEPTH | FTW_PHYS);
        return -1;
    }
    /* from here on the guard removes the folder and stops the server whatever happens */
    if ((pg->guard = svt_pg_guard(pg)) < 0) {
        nftw(pg->dir, svt_pg_rm, 16, FTW_DEPTH | FTW_PHYS);
        return -1;
    }
    char data[600], log[600], opts[800];
    snprintf(data, sizeof data, "%s/data", pg->dir);
    snprintf(log, sizeof log, "%s/initdb.log", pg->dir);
    const char *initdb[] = {SVT_PG_BIN "/initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                            "--locale=C", NULL};
    if (svt_pg_exec(pg, initdb, log) != 0)
        return svt_pg_fail(pg, "initdb failed", log);
    char slog[600];
    snprintf(slog, sizeof slog, "%s/server.log", pg->dir); /* written by the server's user */
    snprintf(log, sizeof log, "%s/pg_ctl.log", pg->dir);
    snprintf(opts, sizeof opts,
             "-k %s -c listen_addresses='' -p 5432 -c fsync=off -c synchronous_commit=off "
             "-c full_page_writes=off -c max_connections=40 -c shared_buffers=32MB",
             pg->dir);
    const char *start[] = {SVT_PG_BIN "/pg_ctl", "-D", data, "-l", slog, "-w", "-t", "60", "-o", opts, "start",
                           NULL};
    if (svt_pg_exec(pg, start, log) != 0)
        return svt_pg_fail(pg, "the PostgreSQL server did not start", svt_exists(slog) ? slog : log);
    pg->running = 1;
    char out[4096];
    if (svt_pg_psql(pg, "postgres", "CREATE DATABASE svcov", out, sizeof out) != 0 ||
        svt_pg_psql(pg, "svcov", "CREATE EXTENSION postgis", out, sizeof out) != 0) {
        fprintf(stderr, "svtest_pg: cannot create the database with PostGIS: %s\n", out);
        return -1;
    }
    snprintf(pg->conninfo, sizeof pg->conninfo, "host=%s port=5432 user=postgres dbname=svcov", pg->dir);
    snprintf(pg->pg, sizeof pg->pg, "PG:%s", pg->conninfo);
    return 0;
}

/* The server's postmaster pid (0 when not running). */
SVT_FN long svt_pg_postmaster(const svt_pg *pg)
{
    char p[600];
    snprintf(p, sizeof p, "%s/data/postmaster.pid", pg->dir);
    char *t = svt_read(p, NULL);
    long pid = t ? atol(t) : 0;
    free(t);
    return pid;
}

/* Stop the server, remove the folder, and wait until both are done. */
SVT_FN void svt_pg_stop(svt_pg *pg)
{
    if (pg->guard_fd >= 0)
        close(pg->guard_fd); /* the guard sees the end of its pipe */
    pg->guard_fd = -1;
    if (pg->guard > 0)
        while (waitpid(pg->guard, NULL, 0) < 0 && errno == EINTR)
            ;
    pg->guard = 0;
    pg->running = 0;
}

/* The set-up and tear-down of a pg test program's groups: its own folder (tag), the server, svcov's temporary
 * copies of PG runs in the test's folder (tmp/, to be checked); *skip = 1 when the server is not installed
 * (the group then skips, the program exits 77). */
SVT_FN int svt_pg_setup(svt_pg *pg, const char *tag, int *skip)
{
    if (svt_make_dir(tag) != 0)
        return -1;
    int rc = svt_pg_start(pg);
    if (rc == 77) {
        *skip = 1;
        return 0;
    }
    mkdir(svt_path("tmp"), 0700);
    setenv("TMPDIR", svt_path("tmp"), 1);
    return rc;
}

/* Is process pid there and not a zombie its parent has not reaped yet? */
SVT_FN int svt_pg_alive(long pid)
{
    if (pid <= 0 || kill((pid_t)pid, 0) != 0)
        return 0;
    char p[64];
    snprintf(p, sizeof p, "/proc/%ld/stat", pid);
    char *t = svt_read(p, NULL);
    char *close_paren = t ? strrchr(t, ')') : NULL;
    int zombie = close_paren && close_paren[1] == ' ' && close_paren[2] == 'Z';
    free(t);
    return close_paren && !zombie;
}

/* Stop the server and check that it is gone (after up to 5 s) and so is its folder; remove the test's
 * folder. 0, or -1 with the reason on stderr (prog names the test program). */
SVT_FN int svt_pg_teardown(svt_pg *pg, const char *prog)
{
    long pm = svt_pg_postmaster(pg);
    svt_pg_stop(pg);
    for (int i = 0; i < 50 && svt_pg_alive(pm); i++)
        usleep(100000);
    if (svt_pg_alive(pm)) {
        fprintf(stderr, "%s: the PostgreSQL server (pid %ld) still runs after svt_pg_stop\n", prog, pm);
        return -1;
    }
    if (pg->dir[0] && svt_exists(pg->dir) && !getenv("SVCOV_KEEP_TMP")) {
        fprintf(stderr, "%s: %s is still there after svt_pg_stop\n", prog, pg->dir);
        return -1;
    }
    svt_run_free();
    svt_remove_dir();
    return 0;
}

/* In a test: skip when the server is not installed. */
#define SVT_NEED_SERVER(skip_flag)                                                                           \
    do {                                                                                                     \
        if (skip_flag)                                                                                       \
            skip();                                                                                          \
    } while (0)

#endif
