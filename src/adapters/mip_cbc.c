/* mip_cbc.c - the only file that includes COIN-OR CBC and Clp (--solver
 * cbc): the model handed to their C interfaces in memory (no MPS file,
 * full double precision).
 *
 * First Clp solves the LP relaxation (its primal simplex, as the cbc
 * program starts with). When its optimum is integral (every integer
 * column within 1e-7 of an integer, the rows still met with those values
 * rounded, the objective unchanged), that is the answer and it is proven
 * optimal: nothing can beat the relaxation. That is the common case for
 * coverage models, and it skips what CBC would do next (its preprocessing,
 * a second LP on the preprocessed model, the feasibility pump's mini
 * branch-and-bound: about 60% of CBC's time on the model). Else
 * CBC's C interface solves the model from the start.
 *
 * CBC 2.10's C interface offers no way to stop Cbc_solve from outside (its
 * callback only sees log messages, and CbcMain1 installs its own SIGINT
 * handler), so the solve runs in a child process made by fork(): the
 * parent waits on a pipe, checks the context's interrupt every 20 ms and
 * kills the child at ^C/SIGTERM, and the child loads the model (from the
 * parent's arrays, which fork shares), solves it and writes its status,
 * objective, bound and every column's value back as raw doubles. Built
 * without CBC (no coinor-libcbc-dev), sv_cbc_available() is 0 and
 * --solver cbc is a usage error. */
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
#include <Clp_C_Interface.h>

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
    int32_t lp_done, lp_integral;
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

static double model_objective(const sv_cbc_model *mod, const double *x)
{
    double obj = mod->obj_constant;
    for (int j = 0; j < mod->ncols; j++)
        obj += mod->obj[j] * x[j];
    return obj;
}

/* x (the LP optimum, of objective lp) with its integer columns rounded,
 * when that is a solution of the model as good as lp: 1, else 0. */
static int lp_optimum_integral(const sv_cbc_model *mod, double *x, double lp)
{
    for (int j = 0; j < mod->ncols; j++)
        if (mod->integer[j]) {
            double r = round(x[j]);
            if (fabs(x[j] - r) > 1e-7)
                return 0;
            x[j] = r;
        }
    double *act = calloc((size_t)mod->nrows + 1, sizeof *act);
    if (!act)
        return 0;
    for (int j = 0; j < mod->ncols; j++)
        if (x[j] != 0.0)
            for (int t = mod->start[j]; t < mod->start[j + 1]; t++)
                act[mod->index[t]] += mod->value[t] * x[j];
    int ok = 1;
    for (int r = 0; r < mod->nrows && ok; r++) {
        double lo = mod->rowlb[r], hi = mod->rowub[r];
        ok = (!isfinite(lo) || act[r] >= lo - 1e-6 * fmax(1.0, fabs(lo))) &&
             (!isfinite(hi) || act[r] <= hi + 1e-6 * fmax(1.0, fabs(hi)));
    }
    free(act);
    for (int j = 0; j < mod->ncols && ok; j++)
        ok = x[j] >= mod->collb[j] - 1e-9 && x[j] <= mod->colub[j] + 1e-9;
    double obj = model_objective(mod, x), tol = 1e-9 * fmax(1.0, fabs(lp));
    return ok && (mod->maximise ? obj >= lp - tol : obj <= lp + tol);
}

/* The child: the LP relaxation by Clp, CBC when its optimum is not
 * integral; send the answer, _exit (no atexit handlers, no stdio flushing
 * of the parent's buffers). */
static void child_solve(const sv_cbc_model *mod, int fd)
{
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    double t0 = sv_clock_s();
    cbc_reply r = {SV_CBC_NONE, mod->ncols, 0, 0, NAN, NAN};
    double *x = malloc(((size_t)mod->ncols + 1) * sizeof *x);
    if (!x)
        _exit(4);
    int have_x = 0;

    Clp_Simplex *lp = Clp_newModel();
    if (!lp)
        _exit(4);
    Clp_setLogLevel(lp, 0);
    Clp_loadProblem(lp, mod->ncols, mod->nrows, mod->start, mod->index, mod->value, mod->collb, mod->colub,
                    mod->obj, mod->rowlb, mod->rowub);
    Clp_setOptimizationDirection(lp, mod->maximise ? -1.0 : 1.0);
    if (mod->time_limit_s > 0)
        Clp_setMaximumSeconds(lp, mod->time_limit_s);
    /* The primal simplex after presolve, then again from its basis without
     * the perturbation it solves with, which can leave values 1e-5 off a
     * vertex: 4x faster than Clp_initialSolve's automatic choice (the dual
     * simplex) on bench_site.sh's default model, 1.5x on the issue's. */
    Clp_initialPrimalSolve(lp);
    if (Clp_isProvenOptimal(lp)) {
        Clp_setPerturbation(lp, 100);
        Clp_primal(lp, 0);
    }
    int solve_mip = 0;
    if (Clp_isProvenOptimal(lp)) {
        r.lp_done = 1;
        memcpy(x, Clp_getColSolution(lp), (size_t)mod->ncols * sizeof *x);
        double bound = model_objective(mod, x);
        if (lp_optimum_integral(mod, x, bound)) {
            r.status = SV_CBC_OPTIMAL;
            r.lp_integral = 1;
            r.objective = model_objective(mod, x);
            r.bound = bound;
            have_x = 1;
        } else {
            solve_mip = 1;
        }
    } else if (Clp_isProvenPrimalInfeasible(lp)) {
        r.status = SV_CBC_INFEASIBLE; /* no LP solution, no MIP solution */
    } else if (!(mod->time_limit_s > 0 && sv_clock_s() - t0 >= mod->time_limit_s)) {
        solve_mip = 1; /* not stopped by the time: let CBC try */
    }
    Clp_deleteModel(lp);

    if (solve_mip) {
        Cbc_Model *m = Cbc_newModel();
        if (!m)
            _exit(4);
        Cbc_loadProblem(m, mod->ncols, mod->nrows, mod->start, mod->index, mod->value, mod->collb, mod->colub,
                        mod->obj, mod->rowlb, mod->rowub);
        for (int j = 0; j < mod->ncols; j++)
            if (mod->integer[j])
                Cbc_setInteger(m, j);
        Cbc_setObjSense(m, mod->maximise ? -1.0 : 1.0);
        char sec[32];
        double left = mod->time_limit_s > 0 ? fmax(0.001, mod->time_limit_s - (sv_clock_s() - t0)) : 1e9;
        snprintf(sec, sizeof sec, "%.3f", left);
        Cbc_setParameter(m, "sec", sec); /* as the cbc program's "sec T" */
        Cbc_setParameter(m, "timeMode", "elapsed"); /* --time-limit is wall time (CBC counts CPU by default) */
        Cbc_setParameter(m, "log", "0"); /* the child prints nothing */
        Cbc_solve(m);
        const double *sol = NULL;
        if (Cbc_isProvenOptimal(m)) {
            r.status = SV_CBC_OPTIMAL;
            sol = Cbc_getColSolution(m);
        } else if (Cbc_isProvenInfeasible(m)) {
            r.status = SV_CBC_INFEASIBLE;
        } else if (Cbc_bestSolution(m)) {
            r.status = SV_CBC_STOPPED;
            sol = Cbc_bestSolution(m);
        }
        if (sol) { /* the objective of these values, in the model's own sense */
            memcpy(x, sol, (size_t)mod->ncols * sizeof *x);
            have_x = 1;
            r.objective = model_objective(mod, x);
            double b = Cbc_getBestPossibleObjValue(m);
            r.bound = isfinite(b) && fabs(b) < 1e30 ? b : NAN;
        }
        /* not deleted: the process ends here */
    }
    int ok = write_all(fd, &r, sizeof r) == 0;
    if (ok && have_x)
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

sv_status sv_cbc_solve(sv_ctx *ctx, const sv_cbc_model *mod, double *x, sv_cbc_result *res)
{
    memset(res, 0, sizeof *res);
    res->status = SV_CBC_NONE;
    res->objective = res->bound = NAN;
    int fds[2];
    if (pipe(fds) != 0)
        return sv_error(ctx, SV_ERR_INTERNAL, "cannot start CBC: pipe: %s", strerror(errno));
    fflush(NULL); /* nothing buffered is written twice */
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(fds[0]);
        close(fds[1]);
        return sv_error(ctx, SV_ERR_NOMEM, "cannot start CBC: fork: %s", strerror(e));
    }
    if (pid == 0) {
        close(fds[0]);
        child_solve(mod, fds[1]);
    }
    close(fds[1]);

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
    if (interrupted || sv_ctx_interrupted(ctx)) /* (also a signal while the answer came back) */
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
    res->status = (sv_cbc_status)r.status;
    res->objective = r.objective;
    res->bound = r.bound;
    res->lp_done = r.lp_done;
    res->lp_integral = r.lp_integral;
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

sv_status sv_cbc_solve(sv_ctx *ctx, const sv_cbc_model *mod, double *x, sv_cbc_result *res)
{
    (void)mod;
    (void)x;
    memset(res, 0, sizeof *res);
    res->status = SV_CBC_NONE;
    res->objective = res->bound = NAN;
    return sv_error(ctx, SV_ERR_USAGE, "--solver cbc: this svcov was built without COIN-OR CBC; install Debian's "
                    "coinor-libcbc-dev (scripts/install-deps.sh) and rebuild, or use --solver glpk");
}
#endif
