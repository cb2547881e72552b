/* parallel.c - the parallel-for of parallel.h: pthreads taking items from an atomic counter. */
#include "core/parallel.h"
#include "svcov/sv_common.h"

#include <pthread.h>
#include <stdatomic.h>

typedef struct {
    sv_parallel_fn fn;
    void *job;
    size_t n;
    atomic_size_t next;
    atomic_int rc; /* the first nonzero return */
} par;

static void *par_worker(void *arg)
{
    par *p = arg;
    sv_geos *h = sv_geos_create();
    if (!h) {
        int zero = 0;
        atomic_compare_exchange_strong(&p->rc, &zero, -1);
        return NULL;
    }
    while (atomic_load(&p->rc) == 0) {
        size_t item = atomic_fetch_add(&p->next, 1);
        if (item >= p->n)
            break;
        int rc = p->fn(p->job, h, item);
        if (rc != 0) {
            int zero = 0;
            atomic_compare_exchange_strong(&p->rc, &zero, rc);
        }
    }
    sv_geos_destroy(h);
    return NULL;
}

int sv_parallel_for(int threads, size_t n, sv_parallel_fn fn, void *job)
{
    par p = {.fn = fn, .job = job, .n = n};
    atomic_init(&p.next, 0);
    atomic_init(&p.rc, 0);
    if (n == 0)
        return 0;
    size_t nt = threads < 1 ? 1 : (size_t)threads;
    if (nt > n)
        nt = n;
    pthread_t *tid = nt > 1 ? sv_calloc(nt - 1, sizeof *tid) : NULL;
    size_t started = 0;
    if (tid)
        while (started < nt - 1 && pthread_create(&tid[started], NULL, par_worker, &p) == 0)
            started++;
    par_worker(&p); /* the calling thread works too (alone when no thread could start) */
    for (size_t t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    sv_free(tid);
    return atomic_load(&p.rc);
}
