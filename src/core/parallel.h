/* parallel.h (private to src/) - the one parallel-for of the library: fn(job, h, item) for every item
 * in [0, n) on up to `threads` threads, the calling thread one of them, each worker with its own GEOS
 * handle (GEOS handles are per thread). */
#ifndef SVCOV_CORE_PARALLEL_H
#define SVCOV_CORE_PARALLEL_H

#include "svcov/sv_geom.h"

#include <stddef.h>

/* 0 to go on; anything else stops the workers from taking more items (the job records why). */
typedef int (*sv_parallel_fn)(void *job, sv_geos *h, size_t item);

/* Items are handed out in order from a shared counter, so each runs once. When a thread cannot be
 * started the others (at least the calling one) do its share. Returns 0, the first nonzero return
 * of fn, or -1 when no GEOS handle could be made. The job is borrowed. */
int sv_parallel_for(int threads, size_t n, sv_parallel_fn fn, void *job);

#endif
