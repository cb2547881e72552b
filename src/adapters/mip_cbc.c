/* mip_cbc.c - the only file that runs COIN-OR CBC: Debian's cbc program on
 * an MPS file, its solution file read back (--solver cbc). */
#include "adapters/mip.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

int sv_cbc_available(void)
{
    /* PATH as posix_spawnp reads it: unset means the system default; an empty entry is "." */
    const char *path = getenv("PATH");
    if (!path)
        path = "/bin:/usr/bin";
    for (const char *p = path;; p++) {
        const char *end = strchr(p, ':');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char file[4096];
        if (len + 5 < sizeof file) {
            snprintf(file, sizeof file, "%.*s/cbc", (int)(len ? len : 1), len ? p : ".");
            struct stat sb;
            if (stat(file, &sb) == 0 && S_ISREG(sb.st_mode) && access(file, X_OK) == 0)
                return 1;
        }
        if (!end)
            return 0;
        p = end;
    }
}

sv_status sv_cbc_solve_mps(sv_ctx *ctx, const char *mps, const char *sol, double time_limit_s, size_t ncols,
                           double *x, sv_cbc_status *status, double *objective)
{
    *status = SV_CBC_NONE;
    *objective = NAN;
    char sec[32];
    snprintf(sec, sizeof sec, "%.3f", time_limit_s > 0 ? time_limit_s : 1e9);
    char *argv[] = {"cbc", (char *)mps, "sec", sec, "solve", "solu", (char *)sol, NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    int rc = posix_spawnp(&pid, "cbc", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        return sv_error(ctx, SV_ERR_USAGE, "--solver cbc: cannot run cbc (%s); install COIN-OR CBC (Debian's "
                        "coinor-cbc, scripts/install-deps.sh) or use --solver glpk", strerror(rc));
    int ws = 0;
    for (;;) { /* wait, and stop cbc at ^C */
        pid_t w = waitpid(pid, &ws, WNOHANG);
        if (w == pid)
            break;
        if (w < 0 && errno != EINTR)
            return sv_error(ctx, SV_ERR_INTERNAL, "waiting for cbc: %s", strerror(errno));
        if (sv_ctx_interrupted(ctx)) {
            kill(pid, SIGKILL);
            while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
                ;
            return sv_error(ctx, SV_ERR_INTERRUPTED, "interrupted while cbc searched");
        }
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    if (!WIFEXITED(ws) || WEXITSTATUS(ws) == 127)
        return sv_error(ctx, SV_ERR_USAGE, "--solver cbc: cbc did not run (%s); install COIN-OR CBC (Debian's "
                        "coinor-cbc, scripts/install-deps.sh) or use --solver glpk",
                        WIFEXITED(ws) ? "not found" : "killed");
    FILE *f = fopen(sol, "r");
    if (!f)
        return sv_error(ctx, SV_ERR_INTERNAL, "cbc wrote no solution file (exit status %d)", WEXITSTATUS(ws));
    char line[512];
    sv_status st = SV_OK;
    if (!fgets(line, sizeof line, f)) {
        st = sv_error(ctx, SV_ERR_INTERNAL, "cbc's solution file is empty");
    } else {
        const char *ov = strstr(line, "objective value");
        if (ov)
            *objective = strtod(ov + strlen("objective value"), NULL);
        if (strncmp(line, "Optimal", 7) == 0)
            *status = SV_CBC_OPTIMAL;
        else if (strstr(line, "nfeasible"))
            *status = SV_CBC_INFEASIBLE;
        else if (strncmp(line, "Stopped", 7) == 0 && ov && !strstr(line, "no integer"))
            *status = SV_CBC_STOPPED;
        else
            *status = SV_CBC_NONE; /* stopped before a solution */
        for (size_t j = 0; j < ncols; j++)
            x[j] = 0;
        while (fgets(line, sizeof line, f)) {
            const char *p = line;
            while (*p == ' ' || *p == '*')
                p++;
            long idx;
            char name[128];
            double v;
            if (sscanf(p, "%ld %127s %lf", &idx, name, &v) == 3 && idx >= 0 && (size_t)idx < ncols)
                x[idx] = v;
        }
    }
    fclose(f);
    return st;
}
