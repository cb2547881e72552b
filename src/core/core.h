/* alloc.h - the allocation-failure test's hook (tests/unit/test_alloc.c), as h3's testH3Memory:
 * sv_malloc/sv_calloc/sv_realloc count their calls and return NULL at the Nth. */
#ifndef SVCOV_CORE_ALLOC_H
#define SVCOV_CORE_ALLOC_H

/* From now on fail the nth allocation (n >= 1; 0: never) and count from 0. */
void sv_alloc_fail_at(long n);
/* Allocations since the last sv_alloc_fail_at. */
long sv_alloc_count(void);

#endif
