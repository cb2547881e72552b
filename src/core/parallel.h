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

/* A parallel-for whose workers keep state between their items (trees, parsed geometries, sums).
 * Each worker's state is worker_size zeroed bytes owned by sv_parallel_run; every callback runs in
 * the worker's own thread with its GEOS handle, except progress, which only the calling thread calls
 * (after each of its items, with the count of items done so far by all workers), so it may report
 * through the context. A nonzero return of init, item or finish stops every worker from taking more
 * items and is what sv_parallel_run returns (the first one). */
typedef struct {
    size_t worker_size;
    /* before the worker's first item; index 0 is the calling thread's worker, the others 1, 2, ... */
    int (*init)(void *job, sv_geos *h, void *worker, size_t index);
    int (*item)(void *job, sv_geos *h, void *worker, size_t item);
    /* after the worker's last item when init succeeded (NULL: none) */
    int (*finish)(void *job, sv_geos *h, void *worker);
    /* always, also after a failed init (frees what init made; NULL: none) */
    void (*fini)(void *job, sv_geos *h, void *worker);
    void (*progress)(void *job, size_t done, size_t n); /* NULL: none */
    /* the calling thread's handle (borrowed: for state tied to the caller's geometries); NULL: its own */
    sv_geos *caller_h;
    /* 1: worker k takes the items k, k + W, k + 2W ... of W workers, in order, instead of the next free
     * one, so that what each worker sums or unites (and so the result, to the last bit) is the same in
     * every run with the same thread count; a worker that cannot be started has its share done by the
     * calling thread's worker after its own */
    int striped;
} sv_parallel_spec;

/* The number of workers sv_parallel_run starts for n items: min(threads, n), at least 1. */
size_t sv_parallel_workers(int threads, size_t n);

/* Runs spec over the items [0, n) on sv_parallel_workers(threads, n) workers (fewer when a thread
 * cannot be started). Returns 0, the first nonzero return of a callback, or -1 when memory or a GEOS
 * handle could not be had (the job records nothing then: the caller says so). spec and job are
 * borrowed. n == 0 runs nothing and returns 0. */
int sv_parallel_run(int threads, size_t n, const sv_parallel_spec *spec, void *job);

#endif
