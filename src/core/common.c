/* common.c - status text, the run context, issue list and progress. */
#include "svcov/sv_common.h"
#include "svcov/sv_lang.h"
#include "core/core.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

struct sv_ctx {
    char errmsg[2048];
    sv_issue *issues;
    size_t n_issues, cap_issues;
    sv_progress_fn progress;
    void *progress_ud;
    sv_work_fn work;
    void *work_ud;
    sv_warning_fn warning;
    void *warning_ud;
    atomic_int interrupted; /* set by a signal handler or another thread (lock-free: signal-safe) */
    int threads;
    int allow_network;
    sv_lang lang; /* of the messages: sv_error and sv_warning look their format up in it */
    /* Stage times (sv_timing): the open stages, and one line per stage path in order of first appearance.
     * Fixed arrays: accounting never allocates, so it cannot fail. */
    struct {
        double t0, last, cpu0, cpu_last, other, other_cpu, peak_mib;
        long long rows, other_rows; /* rows counted since the last event; outside every stage */
        char stack[SV_TIMING_DEPTH][32];
        int depth, n;
        char name[SV_TIMING_LINES][SV_TIMING_NAME];
        int parent[SV_TIMING_LINES];
        sv_timing line[SV_TIMING_LINES];
    } tm;
};

static double cpu_clock_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

const char *sv_status_str(sv_status st)
{
    switch (st) {
    case SV_OK: return SV_N_("ok");
    case SV_ERR_USAGE: return SV_N_("usage error");
    case SV_ERR_INPUT: return SV_N_("input error");
    case SV_ERR_DATA: return SV_N_("data error");
    case SV_ERR_OUTPUT: return SV_N_("output error");
    case SV_ERR_DB: return SV_N_("database error");
    case SV_ERR_GEOM: return SV_N_("geometry error");
    case SV_ERR_NOMEM: return SV_N_("out of memory");
    case SV_ERR_INTERRUPTED: return SV_N_("interrupted");
    case SV_ERR_INTERNAL: return SV_N_("internal error");
    }
    return SV_N_("unknown status");
}

sv_ctx *sv_ctx_create(void)
{
    sv_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return NULL;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    ctx->threads = n > 0 ? (int)n : 1;
    ctx->tm.t0 = ctx->tm.last = sv_clock_s();
    ctx->tm.cpu0 = ctx->tm.cpu_last = cpu_clock_s();
    return ctx;
}

static void issue_free(sv_issue *is)
{
    free(is->file);
    free(is->layer);
    free(is->feature_id);
    free(is->problem);
    free(is->message);
}

void sv_ctx_destroy(sv_ctx *ctx)
{
    if (!ctx)
        return;
    for (size_t i = 0; i < ctx->n_issues; i++)
        issue_free(&ctx->issues[i]);
    free(ctx->issues);
    free(ctx);
}

sv_status sv_error(sv_ctx *ctx, sv_status st, const char *fmt, ...)
{
    if (ctx) {
        va_list ap;
        va_start(ap, fmt);
        /* the catalogue's translation has the same conversions in the same order (msgfmt --check) */
        vsnprintf(ctx->errmsg, sizeof ctx->errmsg, sv_tr(ctx->lang, fmt), ap);
        va_end(ap);
    }
    return st;
}

void sv_ctx_set_lang(sv_ctx *ctx, sv_lang lang)
{
    if (ctx)
        ctx->lang = lang;
}

sv_lang sv_ctx_lang(const sv_ctx *ctx)
{
    return ctx ? ctx->lang : SV_LANG_EN;
}

const char *sv_ctx_errmsg(const sv_ctx *ctx)
{
    return ctx ? ctx->errmsg : "";
}

static sv_status issue_add(sv_ctx *ctx, const char *file, const char *layer, const char *feature_id,
                           const char *problem, const char *message, sv_issue_action action)
{
    if (ctx->interrupted)
        return SV_OK; /* a feature that failed because ^C stopped GEOS */
    if (sv_grow(&ctx->issues, &ctx->cap_issues, ctx->n_issues + 1, sizeof *ctx->issues, 16) != 0)
        return SV_ERR_NOMEM;
    sv_issue *is = &ctx->issues[ctx->n_issues];
    is->file = sv_strdup(file ? file : "");
    is->layer = sv_strdup(layer ? layer : "");
    is->feature_id = sv_strdup(feature_id ? feature_id : "");
    is->problem = sv_strdup(problem ? problem : "");
    is->message = sv_strdup(message ? message : "");
    is->action = action;
    if (!is->file || !is->layer || !is->feature_id || !is->problem || !is->message) {
        issue_free(is);
        return SV_ERR_NOMEM;
    }
    ctx->n_issues++;
    return SV_OK;
}

sv_status sv_issue_add(sv_ctx *ctx, const char *file, const char *layer,
                       const char *feature_id, const char *problem,
                       sv_issue_action action)
{
    return issue_add(ctx, file, layer, feature_id, problem, problem ? sv_tr(ctx->lang, problem) : NULL, action);
}

sv_status sv_issue_add_msg(sv_ctx *ctx, const char *file, const char *layer, const char *feature_id,
                           const sv_msg *problem, sv_issue_action action)
{
    return issue_add(ctx, file, layer, feature_id, problem->en, problem->tr, action);
}

sv_status sv_feature_problem(sv_ctx *ctx, int strict, const char *file, const char *layer, const char *id,
                             const sv_msg *problem, sv_issue_action action, const char *advice)
{
    if (strict) /* problem and advice in the message's language; the issue (data) keeps the English problem */
        return sv_error(ctx, SV_ERR_DATA, "%s: layer '%s', feature %s: %s; %s", file, layer, id, problem->tr,
                        sv_tr(sv_ctx_lang(ctx), advice));
    return sv_issue_add_msg(ctx, file, layer, id, problem, action);
}

size_t sv_ctx_issue_count(const sv_ctx *ctx)
{
    return ctx->n_issues;
}

const sv_issue *sv_ctx_issue(const sv_ctx *ctx, size_t i)
{
    return i < ctx->n_issues ? &ctx->issues[i] : NULL;
}

void sv_ctx_set_progress(sv_ctx *ctx, sv_progress_fn fn, void *userdata)
{
    ctx->progress = fn;
    ctx->progress_ud = userdata;
}

/* The line of the stage path stack[0] > ... > stack[depth-1] (created, with its parents, on first use); -1 when
 * the table is full. */
static int timing_line(sv_ctx *ctx, int depth)
{
    char path[SV_TIMING_NAME] = "";
    int parent = -1;
    for (int k = 0; k < depth; k++) {
        size_t used = strlen(path);
        snprintf(path + used, sizeof path - used, "%s%s", k ? " > " : "", ctx->tm.stack[k]);
        int i = 0;
        while (i < ctx->tm.n && strcmp(ctx->tm.name[i], path) != 0)
            i++;
        if (i == ctx->tm.n) {
            if (ctx->tm.n == SV_TIMING_LINES)
                return -1;
            ctx->tm.n++;
            snprintf(ctx->tm.name[i], sizeof ctx->tm.name[i], "%s", path);
            ctx->tm.parent[i] = parent;
            memset(&ctx->tm.line[i], 0, sizeof ctx->tm.line[i]);
        }
        parent = i;
    }
    return parent;
}

void sv_ctx_timings_update(sv_ctx *ctx)
{
    if (!ctx)
        return;
    double now = sv_clock_s(), cpu = cpu_clock_s();
    double dt = now - ctx->tm.last, dc = cpu - ctx->tm.cpu_last;
    struct rusage ru;
    double peak = getrusage(RUSAGE_SELF, &ru) == 0 ? (double)ru.ru_maxrss / 1024.0 : 0; /* KiB on Linux */
    ctx->tm.peak_mib = peak;
    ctx->tm.last = now;
    ctx->tm.cpu_last = cpu;
    int i = ctx->tm.depth > 0 ? timing_line(ctx, ctx->tm.depth) : -1;
    if (i < 0) {
        ctx->tm.other += dt;
        ctx->tm.other_cpu += dc;
        ctx->tm.other_rows += ctx->tm.rows;
    } else {
        ctx->tm.line[i].peak_mib = peak;
        ctx->tm.line[i].seconds += dt;
        ctx->tm.line[i].cpu_seconds += dc;
        ctx->tm.line[i].rows += ctx->tm.rows;
    }
    ctx->tm.rows = 0;
}

void sv_ctx_set_work(sv_ctx *ctx, sv_work_fn fn, void *userdata)
{
    ctx->work = fn;
    ctx->work_ud = userdata;
}

void sv_work(sv_ctx *ctx, const char *what, const char *item, double fraction)
{
    if (ctx && ctx->work)
        ctx->work(what, item ? item : "", fraction < 0 ? 0 : fraction > 1 ? 1 : fraction, ctx->work_ud);
}

void sv_progress(sv_ctx *ctx, const char *stage, double fraction)
{
    if (!ctx)
        return;
    /* The time since the last event belongs to the stage on top of the stack; a stage not open opens (inside
     * the one on top), and a finished stage closes with any left open inside it. */
    int at = -1;
    for (int k = 0; k < ctx->tm.depth; k++)
        if (strcmp(ctx->tm.stack[k], stage) == 0)
            at = k;
    if (fraction >= 1.0 || at < 0)
        sv_ctx_timings_update(ctx);
    if (fraction >= 1.0) {
        if (at >= 0)
            ctx->tm.depth = at;
    } else if (at < 0 && ctx->tm.depth < SV_TIMING_DEPTH) {
        snprintf(ctx->tm.stack[ctx->tm.depth++], sizeof ctx->tm.stack[0], "%s", stage);
    }
    if (ctx->progress)
        ctx->progress(stage, fraction, ctx->progress_ud);
}

void sv_ctx_timing_set_aside(sv_ctx *ctx, sv_timing_stack *saved)
{
    memset(saved, 0, sizeof *saved);
    if (!ctx)
        return;
    sv_ctx_timings_update(ctx); /* the time so far belongs to the stages open */
    saved->depth = ctx->tm.depth;
    memcpy(saved->stack, ctx->tm.stack, sizeof saved->stack);
    ctx->tm.depth = 0;
}

void sv_ctx_timing_put_back(sv_ctx *ctx, const sv_timing_stack *saved)
{
    if (!ctx)
        return;
    sv_ctx_timings_update(ctx); /* the time aside belongs to the stages opened meanwhile (or "other") */
    ctx->tm.depth = saved->depth;
    memcpy(ctx->tm.stack, saved->stack, sizeof saved->stack);
}

void sv_ctx_add_rows(sv_ctx *ctx, long long n)
{
    if (ctx)
        ctx->tm.rows += n;
}

size_t sv_ctx_timing_count(const sv_ctx *ctx)
{
    return ctx ? (size_t)ctx->tm.n : 0;
}

const sv_timing *sv_ctx_timing(sv_ctx *ctx, size_t i)
{
    if (!ctx || i >= (size_t)ctx->tm.n)
        return NULL;
    sv_timing *t = &ctx->tm.line[i];
    t->stage = ctx->tm.name[i];
    t->parent = ctx->tm.parent[i] >= 0 ? ctx->tm.name[ctx->tm.parent[i]] : NULL;
    return t;
}

void sv_ctx_timing_totals(const sv_ctx *ctx, sv_timing *other, sv_timing *total)
{
    sv_timing o = {.stage = "other", .seconds = ctx->tm.other, .cpu_seconds = ctx->tm.other_cpu,
                   .rows = ctx->tm.other_rows, .peak_mib = ctx->tm.peak_mib};
    sv_timing t = {.stage = "total", .seconds = ctx->tm.last - ctx->tm.t0, .cpu_seconds = ctx->tm.cpu_last -
                   ctx->tm.cpu0, .peak_mib = ctx->tm.peak_mib};
    for (int i = 0; i < ctx->tm.n; i++)
        if (!ctx->tm.line[i].beside)
            t.rows += ctx->tm.line[i].rows;
    t.rows += o.rows;
    if (other)
        *other = o;
    if (total)
        *total = t;
}

void sv_ctx_timing_beside(sv_ctx *ctx, const char *stage, double seconds, double cpu_seconds, long long rows)
{
    if (!ctx || ctx->tm.n == SV_TIMING_LINES)
        return;
    int i = ctx->tm.n++;
    snprintf(ctx->tm.name[i], sizeof ctx->tm.name[i], "%s", stage);
    ctx->tm.parent[i] = -1;
    ctx->tm.line[i] = (sv_timing){.seconds = seconds, .cpu_seconds = cpu_seconds, .rows = rows, .beside = 1};
}

double sv_ctx_thread_cpu_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

void sv_ctx_set_warning(sv_ctx *ctx, sv_warning_fn fn, void *userdata)
{
    ctx->warning = fn;
    ctx->warning_ud = userdata;
}

void sv_warning(sv_ctx *ctx, const char *fmt, ...)
{
    if (!ctx || !ctx->warning || ctx->interrupted)
        return; /* after ^C, failures are its consequence, not the data's */
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, sv_tr(ctx->lang, fmt), ap);
    va_end(ap);
    ctx->warning(buf, ctx->warning_ud);
}

void sv_ctx_interrupt(sv_ctx *ctx)
{
    ctx->interrupted = 1;
}

int sv_ctx_interrupted(const sv_ctx *ctx)
{
    return ctx && ctx->interrupted;
}

void sv_ctx_set_threads(sv_ctx *ctx, int threads)
{
    ctx->threads = threads > 0 ? threads : 1;
}

int sv_ctx_threads(const sv_ctx *ctx)
{
    return ctx->threads;
}

double sv_clock_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The allocation-failure test's hook (core/core.h): count the allocations, fail the Nth. */
static atomic_long alloc_count, alloc_fail_at;

void sv_alloc_fail_at(long n)
{
    atomic_store(&alloc_count, 0);
    atomic_store(&alloc_fail_at, n);
}

long sv_alloc_count(void)
{
    return atomic_load(&alloc_count);
}

static int alloc_fails(void)
{
    long at = atomic_load_explicit(&alloc_fail_at, memory_order_relaxed);
    if (at <= 0)
        return 0;
    return atomic_fetch_add(&alloc_count, 1) + 1 == at;
}

void *sv_malloc(size_t n)
{
    return alloc_fails() ? NULL : malloc(n);
}

void *sv_calloc(size_t count, size_t size)
{
    return alloc_fails() ? NULL : calloc(count, size);
}

void *sv_realloc(void *p, size_t n)
{
    return alloc_fails() ? NULL : realloc(p, n);
}

int sv_grow(void *arr, size_t *cap, size_t need, size_t elem, size_t first)
{
    if (need <= *cap)
        return 0;
    size_t nc = *cap ? *cap : (first ? first : 1);
    while (nc < need) {
        if (nc > SIZE_MAX / 2)
            return -1;
        nc *= 2;
    }
    if (elem && nc > SIZE_MAX / elem)
        return -1;
    void **p = arr;
    void *np = sv_realloc(*p, nc * elem);
    if (!np)
        return -1;
    *p = np;
    *cap = nc;
    return 0;
}

char *sv_strdup(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = sv_malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

void sv_free(void *p)
{
    free(p);
}

void sv_ctx_set_allow_network(sv_ctx *ctx, int allow)
{
    ctx->allow_network = allow;
}

int sv_ctx_allow_network(const sv_ctx *ctx)
{
    return ctx && ctx->allow_network;
}
