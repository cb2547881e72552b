/* core.h - the core's helpers private to the library (src/): the allocation-failure test's hook
 * and the strict/issue rule for feature problems. */
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
 * PROBLEM; ADVICE" (ADVICE says what to do); else an issue (PROBLEM, ACTION) on the context and
 * SV_OK (or SV_ERR_NOMEM). */
sv_status sv_feature_problem(sv_ctx *ctx, int strict, const char *file, const char *layer, const char *id,
                             const char *problem, sv_issue_action action, const char *advice);

#endif
