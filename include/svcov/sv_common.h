/*
 * sv_common.h - status codes, the per-run context, data-quality issues and
 * progress reporting shared by every svcov module.
 *
 * The library never prints and never exits: functions return an sv_status,
 * the detail goes into the context's message buffer (sv_ctx_errmsg), and
 * problems with single features are recorded as sv_issue entries that the
 * caller reports and the store writes to the result database.
 *
 * Ownership: a context is the caller's (sv_ctx_create / sv_ctx_destroy, NULL ok) and is used by one
 * run; the strings it returns (sv_ctx_errmsg, sv_ctx_issue) are borrowed and live until the next
 * call that changes them. sv_issue_add copies its strings. Memory from sv_malloc, sv_calloc,
 * sv_realloc and sv_strdup is the caller's, freed with sv_free (NULL ok). Callbacks' userdata is
 * never freed by svcov.
 */
#ifndef SV_COMMON_H
#define SV_COMMON_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SV_VERSION "0.1.0"

typedef enum {
    SV_OK = 0,
    SV_ERR_USAGE,       /* a bad option value (radius <= 0, unknown mode) */
    SV_ERR_INPUT,       /* a missing file, layer or field; unusable input */
    SV_ERR_DATA,        /* a feature problem under --strict, or no usable feature */
    SV_ERR_OUTPUT,      /* output path unusable, foreign file in the way */
    SV_ERR_DB,          /* SQLite/SpatiaLite failure */
    SV_ERR_GEOM,        /* a geometry operation failed */
    SV_ERR_NOMEM,
    SV_ERR_INTERRUPTED, /* SIGINT/SIGTERM arrived; nothing was replaced */
    SV_ERR_INTERNAL
} sv_status;

/* Static text for a status code. */
const char *sv_status_str(sv_status st);

/* What happened to a feature with a problem. */
typedef enum {
    SV_ISSUE_SKIPPED = 0, /* left out of the analysis */
    SV_ISSUE_REPAIRED     /* kept after repair (e.g. MakeValid) */
} sv_issue_action;

typedef struct {
    char *file;       /* input file */
    char *layer;      /* layer name */
    char *feature_id; /* id field value, or "fid N" */
    char *problem;    /* e.g. "has no geometry", in English: the issues table's problem (data) */
    char *message;    /* the same in the context's language when it was added: the warning people read */
    sv_issue_action action;
} sv_issue;

/* Progress: fraction in [0,1] of the named stage. */
typedef void (*sv_progress_fn)(const char *stage, double fraction, void *userdata);

typedef struct sv_ctx sv_ctx;

/* A context per run (or per thread). Free with sv_ctx_destroy (NULL is ok). */
sv_ctx *sv_ctx_create(void);
void sv_ctx_destroy(sv_ctx *ctx);

/* Record an error and return st. The message should name the file, layer,
 * feature and what to do. */
sv_status sv_error(sv_ctx *ctx, sv_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The last error message ("" when none). Owned by ctx. */
const char *sv_ctx_errmsg(const sv_ctx *ctx);

/* Record a feature issue (copies every string). Returns SV_OK or SV_ERR_NOMEM. Its message is the
 * catalogue's translation of problem in the context's language (problem itself when there is none). */
sv_status sv_issue_add(sv_ctx *ctx, const char *file, const char *layer,
                       const char *feature_id, const char *problem,
                       sv_issue_action action);
/* The same with a problem made with numbers or names (sv_lang.h): its English is the issue's problem, its
 * other language the message. */
typedef struct sv_msg sv_msg;
sv_status sv_issue_add_msg(sv_ctx *ctx, const char *file, const char *layer, const char *feature_id,
                           const sv_msg *problem, sv_issue_action action);
size_t sv_ctx_issue_count(const sv_ctx *ctx);
/* Borrowed; valid until the next sv_issue_add or sv_ctx_destroy. */
const sv_issue *sv_ctx_issue(const sv_ctx *ctx, size_t i);

void sv_ctx_set_progress(sv_ctx *ctx, sv_progress_fn fn, void *userdata);
/* Report progress (to the callback, if any) and keep the stage times: a stage opens with its first event
 * (inside the one open, so stages nest: "people > redundancy") and closes at fraction 1 (with any still open
 * inside it). Call it from the thread that created ctx only. */
void sv_progress(sv_ctx *ctx, const char *stage, double fraction);

/* The progress of one long step a user waits for, shown even off a terminal (a GDAL read of a large layer,
 * the repair and the union of large districts): what is a message id with %s for item (the file, the
 * district) and %d for the percent, e.g. SV_N_("reading %s: %d%%"), translated by the front end; fraction in
 * [0,1], 0 when the step starts and 1 when it ends. Only the thread that created ctx reports. Steps are
 * reported as long from SV_WORK_FEATURES features or SV_WORK_BYTES bytes of geometry (about 250,000
 * vertices) on: below that a run prints nothing more than before. */
typedef void (*sv_work_fn)(const char *what, const char *item, double fraction, void *userdata);
#define SV_WORK_FEATURES 50000
#define SV_WORK_BYTES (4u << 20)
void sv_ctx_set_work(sv_ctx *ctx, sv_work_fn fn, void *userdata);
void sv_work(sv_ctx *ctx, const char *what, const char *item, double fraction);

/* Stage times (issue 19). From sv_ctx_create on, every moment belongs to exactly one line: the stage on top
 * when it passed, or "other" outside every stage; so the lines, "other" included, add up to "total". A
 * line's seconds are its own, without its sub-stages'. CPU is the whole process's (every thread) while the
 * line was on top; rows are those written (sv_ctx_add_rows, by the store) on this context meanwhile. A line
 * "beside" is another thread's time, running alongside the others (not in the sum). */
#define SV_TIMING_DEPTH 8
#define SV_TIMING_LINES 64
#define SV_TIMING_NAME (SV_TIMING_DEPTH * 34)
typedef struct {
    const char *stage;  /* the path as printed: "people > redundancy"; owned by ctx */
    const char *parent; /* the enclosing stage's line ("people"); NULL at the top */
    double seconds, cpu_seconds;
    long long rows;
    int beside;
    double peak_mib; /* the process's peak resident memory so far when the line was last on top (getrusage) */
} sv_timing;
/* Charge the time up to now to the line on top (the lines and totals are as of the last update or event). */
void sv_ctx_timings_update(sv_ctx *ctx);
size_t sv_ctx_timing_count(const sv_ctx *ctx);
/* Line i in order of first appearance (its stage and parent filled in); NULL past the end. Owned by ctx. */
const sv_timing *sv_ctx_timing(sv_ctx *ctx, size_t i);
/* "other" and "total" (from sv_ctx_create to the last update); either may be NULL. */
void sv_ctx_timing_totals(const sv_ctx *ctx, sv_timing *other, sv_timing *total);
/* A line beside the others: another thread's wall and CPU time and the rows it wrote. */
void sv_ctx_timing_beside(sv_ctx *ctx, const char *stage, double seconds, double cpu_seconds, long long rows);
/* Count n rows written to the result (the stores call it once a row is in). */
void sv_ctx_add_rows(sv_ctx *ctx, long long n);
/* The calling thread's CPU time, seconds. */
double sv_ctx_thread_cpu_s(void);

/* Warnings about the run as a whole (not one feature: those are issues),
 * e.g. a repeated break merged or a filter that matched nothing. The text
 * is handed to the callback (the CLI prints it on stderr); without one it
 * is dropped. */
typedef void (*sv_warning_fn)(const char *text, void *userdata);
void sv_ctx_set_warning(sv_ctx *ctx, sv_warning_fn fn, void *userdata);
void sv_warning(sv_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Async-signal-safe: ask long work to stop at the next check. */
void sv_ctx_interrupt(sv_ctx *ctx);
int sv_ctx_interrupted(const sv_ctx *ctx);

/* Worker threads for parallel steps (default: online CPUs). */
void sv_ctx_set_threads(sv_ctx *ctx, int threads);
int sv_ctx_threads(const sv_ctx *ctx);

/* Inputs GDAL would fetch over the network (/vsicurl/, /vsis3/, http://, ...)
 * are refused unless allowed (svcov works offline; --allow-network). */
void sv_ctx_set_allow_network(sv_ctx *ctx, int allow);
int sv_ctx_allow_network(const sv_ctx *ctx);

/* A monotonic clock in seconds, for durations. */
double sv_clock_s(void);

/* svcov's own memory. Every allocation of the library goes through these (the allocation-failure
 * test fails the Nth of them); what they return is freed with sv_free (or free: they are malloc's).
 * sv_strdup returns NULL on NULL; the caller frees the copy with sv_free. */
void *sv_malloc(size_t n);
void *sv_calloc(size_t count, size_t size);
void *sv_realloc(void *p, size_t n);
char *sv_strdup(const char *s);
void sv_free(void *p);
/* Grow-by-doubling: make room for at least need elements of elem bytes in *arr (capacity *cap,
 * starting at first when 0). 0 ok (the new room is not cleared), -1 out of memory (*arr and *cap
 * unchanged, still owned by the caller). */
int sv_grow(void *arr, size_t *cap, size_t need, size_t elem, size_t first);

/* Bytes of memory available now: SVCOV_MEM_LIMIT when set (bytes, or with a k/M/G/T suffix, e.g. 512M), else
 * /proc/meminfo's MemAvailable, or the room below the cgroup's memory.max when that is less; -1 unknown. */
double sv_mem_available(void);

#ifdef __cplusplus
}
#endif
#endif
