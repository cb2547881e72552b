/* core.h - the core's helpers private to the library (src/): the allocation-failure test's hook
 * the strict/issue rule for feature problems and the stage times set aside while results are written. */
#ifndef SVCOV_CORE_CORE_H
#define SVCOV_CORE_CORE_H

#include "svcov/sv_common.h"

/* The allocation-failure test's hook (tests/unit/test_alloc.c, as h3's testH3Memory):
 * sv_malloc/sv_calloc/sv_realloc/sv_strdup count their calls and return NULL at the Nth.
 * From now on fail the nth allocation (n >= 1; 0: never) and count from 0. */
void sv_alloc_fail_at(long n);
/* Allocations since the last sv_alloc_fail_at (counted only while a failure is set). */
long sv_alloc_count(void);

/* A problem with one feature: with strict, the error SV_ERR_DATA "FILE: layer 'LAYER', feature ID:
 * PROBLEM; ADVICE" (ADVICE says what to do) in the context's language; else an issue (PROBLEM, ACTION) on
 * the context and SV_OK (or SV_ERR_NOMEM): its problem the English of PROBLEM, its message the other. */
sv_status sv_feature_problem(sv_ctx *ctx, int strict, const char *file, const char *layer, const char *id,
                             const sv_msg *problem, sv_issue_action action, const char *advice);

/* Stage times: the stages open now, set aside; until sv_ctx_timing_put_back the time counts at the top
 * level (a stage that writes its results as it makes them counts that under "writing > ..."), then they are
 * open again. Neither is a progress event. */
typedef struct {
    int depth;
    char stack[SV_TIMING_DEPTH][32];
} sv_timing_stack;
void sv_ctx_timing_set_aside(sv_ctx *ctx, sv_timing_stack *saved);
void sv_ctx_timing_put_back(sv_ctx *ctx, const sv_timing_stack *saved);

#endif
