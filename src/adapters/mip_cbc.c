/* mip_cbc.c - the only file that includes COIN-OR CBC (--solver cbc): the
 * model GLPK built, handed to CBC's C interface in memory (Cbc_loadProblem,
 * no MPS file, full double precision).
 *
 * CBC 2.10's C interface offers no way to stop Cbc_solve from outside (its
 * callback only sees log messages, and CbcMain1 installs its own SIGINT
 * handler), so the solve runs in a child process made by fork() after the
 * model is loaded: the parent waits on a pipe, checks the context's
 * interrupt every 20 ms and kills the child at ^C/SIGTERM, and the child
 * writes its status, objective, bound and every column's value back as raw
 * doubles. Built without CBC (no coinor-libcbc-dev), sv_cbc_available() is 0
 * and --solver cbc is a usage error. */
#include "adapters/mip.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef SVCOV_HAVE_CBC
#include <Cbc_C_Interface.h>

int sv_cbc_available(void)
{
    return 1;
}

const char *sv_cbc_version(void)
{
    return Cbc_getVersion();
}

/* What the child sends back before the column values. */
typedef struct {
    int32_t status; /* sv_cbc_status */
    int32_t ncols;
    double objective, bound;
} cbc_reply;

static int write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* The child: solve, send the answer, _exit (no atexit handlers, no stdio
 * flushing of the parent's buffers). */
static void child_solve(Cbc_Model *m, const sv_cbc_model *mod, int fd)
{
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    Cbc_solve(m);
    cbc_reply r = {SV_CBC_NONE, mod->ncols, NAN, NAN};
    const double *x = NULL;
    if (Cbc_isProvenOptimal(m)) {
        r.status = SV_CBC_OPTIMAL;
        x = Cbc_getColSolution(m);
    } else if (Cbc_isProvenInfeasible(m)) {
        r.status = SV_CBC_INFEASIBLE;
    } else if (Cbc_bestSolution(m)) {
        r.status = SV_CBC_STOPPED;
        x = Cbc_bestSolution(m);
    }
    if (x) { /* the objective of these values, in the model's own sense */
        double obj = mod->obj_constant;
        for (int j = 0; j < mod->ncols; j++)
            obj += mod->obj[j] * x[j];
        r.objective = obj;
        double b = Cbc_getBestPossibleObjValue(m);
        r.bound = isfinite(b) && fabs(b) < 1e30 ? b : NAN;
    }
    int ok = write_all(fd, &r, sizeof r) == 0;
    if (ok && x)
        ok = write_all(fd, x, (size_t)mod->ncols * sizeof *x) == 0;
    _exit(ok ? 0 : 3);
}

static int read_some(int fd, void *buf, size_t n, size_t *got)
{
    ssize_t r = read(fd, (char *)buf + *got, n - *got);
    if (r < 0)
        return errno == EINTR || errno == EAGAIN ? 0 : -1;
    if (r == 0)
        return 1; /* end of file */
    *got += (size_t)r;
    return 0;
}

sv_status sv_cbc_solve(sv_ctx *ctx, const sv_cbc_model *mod, double *x, sv_cbc_status *status, double *objective,
                       double *bound)
{
    *status = SV_CBC_NONE;
    *objective = NAN;
    *bound = NAN;
    Cbc_Model *m = Cbc_newModel();
    if (!m)
        return sv_error(ctx, SV_ERR_NOMEM, "out of memory for the CBC model");
    Cbc_loadProblem(m, mod->ncols, mod->nrows, mod->start, mod->index, mod->value, mod->collb, mod->colub, mod->obj,
                    mod->rowlb, mod->rowub);
    for (int j = 0; j < mod->ncols; j++)
        if (mod->integer[j])
            Cbc_setInteger(m, j);
    Cbc_setObjSense(m, mod->maximise ? -1.0 : 1.0);
    char sec[32];
    snprintf(sec, sizeof sec, "%.3f", mod->time_limit_s > 0 ? mod->time_limit_s : 1e9);
    Cbc_setParameter(m, "sec", sec); /* as the cbc program's "sec T" */
    Cbc_setParameter(m, "timeMode", "elapsed"); /* --time-limit is wall time (CBC counts CPU by default) */
    Cbc_setParameter(m, "log", "0"); /* the child prints nothing */

    int fds[2];
    if (pipe(fds) != 0) {
        Cbc_deleteModel(m);
        return sv_error(ctx, SV_ERR_INTERNAL, "cannot start CBC: pipe: %s", strerror(errno));
    }
    fflush(NULL); /* nothing buffered is written twice */
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(fds[0]);
        close(fds[1]);
        Cbc_deleteModel(m);
        return sv_error(ctx, SV_ERR_NOMEM, "cannot start CBC: fork: %s", strerror(e));
    }
    if (pid == 0) {
        close(fds[0]);
        child_solve(m, mod, fds[1]);
    }
    close(fds[1]);
    Cbc_deleteModel(m);

    cbc_reply r;
    size_t got = 0, want = sizeof r, xgot = 0;
    size_t xwant = (size_t)mod->ncols * sizeof *x;
    int eof = 0, interrupted = 0, failed = 0, overdue = 0;
    /* CBC looks at its clock only now and then (once the LP relaxation is
     * done, between nodes): past the limit and a grace it is stopped here,
     * and the caller keeps its own answer */
    double t0 = sv_clock_s(), grace = mod->time_limit_s > 0 ? fmax(5.0, 0.1 * mod->time_limit_s) : 0;
    while (!eof && !failed) {
        if (sv_ctx_interrupted(ctx)) {
            interrupted = 1;
            break;
        }
        if (mod->time_limit_s > 0 && sv_clock_s() - t0 > mod->time_limit_s + grace) {
            overdue = 1;
            break;
        }
        struct pollfd pf = {fds[0], POLLIN, 0};
        int pr = poll(&pf, 1, 20);
        if (pr < 0 && errno != EINTR) {
            failed = 1;
            break;
        }
        if (pr <= 0)
            continue;
        int rr;
        if (got < want)
            rr = read_some(fds[0], &r, want, &got);
        else if (r.status == SV_CBC_OPTIMAL || r.status == SV_CBC_STOPPED)
            rr = xgot < xwant ? read_some(fds[0], x, xwant, &xgot) : 1;
        else
            rr = 1;
        if (rr < 0)
            failed = 1;
        else if (rr > 0)
            eof = 1;
    }
    close(fds[0]);
    if (interrupted || overdue)
        kill(pid, SIGKILL);
    int ws = 0;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
        ;
    if (interrupted)
        return sv_error(ctx, SV_ERR_INTERRUPTED, "interrupted while CBC searched");
    if (overdue)
        return SV_OK; /* SV_CBC_NONE: stopped at the time limit before an answer came back */
    int answered = got == want && r.ncols == mod->ncols &&
                   ((r.status != SV_CBC_OPTIMAL && r.status != SV_CBC_STOPPED) || xgot == xwant);
    if (failed || !answered || !WIFEXITED(ws) || WEXITSTATUS(ws) != 0) {
        if (WIFSIGNALED(ws))
            return sv_error(ctx, SV_ERR_INTERNAL, "CBC stopped without an answer (signal %d); use --solver glpk",
                            WTERMSIG(ws));
        return sv_error(ctx, SV_ERR_INTERNAL, "CBC gave no answer (exit status %d); use --solver glpk",
                        WIFEXITED(ws) ? WEXITSTATUS(ws) : -1);
    }
    *status = (sv_cbc_status)r.status;
    *objective = r.objective;
    *bound = r.bound;
    return SV_OK;
}

#else /* built without COIN-OR CBC */

int sv_cbc_available(void)
{
    return 0;
}

const char *sv_cbc_version(void)
{
    return NULL;
}

sv_status sv_cbc_solve(sv_ctx *ctx, const sv_cbc_model *mod, double *x, sv_cbc_status *status, double *objective,
                       double *bound)
{
    (void)mod;
    (void)x;
    *status = SV_CBC_NONE;
    *objective = *bound = NAN;
    return sv_error(ctx, SV_ERR_USAGE, "--solver cbc: this svcov was built without COIN-OR CBC; install Debian's "
                    "coinor-libcbc-dev (scripts/install-deps.sh) and rebuild, or use --solver glpk");
}
#endif
