/* parallel.c - the parallel-for of parallel.h: pthreads taking items from an atomic counter. */
#include "core/parallel.h"
#include "svcov/sv_common.h"

#include <pthread.h>
#include <stdatomic.h>

typedef struct {
    const sv_parallel_spec *spec;
    void *job;
    size_t n;
    size_t nw, started; /* striped: the workers planned, and how many of them beside the caller started */
    atomic_size_t next, done;
    atomic_int rc; /* the first nonzero return */
} par;

typedef struct {
    par *p;
    size_t index;
    void *state;
} par_worker_arg;

static void par_stop(par *p, int rc)
{
    int zero = 0;
    if (rc != 0)
        atomic_compare_exchange_strong(&p->rc, &zero, rc);
}

static void *par_worker(void *arg)
{
    par_worker_arg *a = arg;
    par *p = a->p;
    const sv_parallel_spec *s = p->spec;
    int own = !(a->index == 0 && s->caller_h);
    sv_geos *h = own ? sv_geos_create() : s->caller_h;
    if (!h) {
        par_stop(p, -1);
        return NULL;
    }
    int rc = s->init ? s->init(p->job, h, a->state, a->index) : 0;
    int init_ok = rc == 0;
    par_stop(p, rc);
    /* striped: this worker's own stripe; the caller's worker (index 0) then takes the stripes of the
     * workers that did not start, 1 + started .. nw - 1 */
    size_t stripe = a->index, k = 0;
    while (rc == 0 && atomic_load(&p->rc) == 0) {
        size_t item;
        if (s->striped) {
            item = stripe + k * p->nw;
            if (item >= p->n) {
                size_t next = stripe == 0 ? 1 + p->started : stripe + 1;
                if (a->index != 0 || next >= p->nw)
                    break;
                stripe = next;
                k = 0;
                continue;
            }
            k++;
        } else if ((item = atomic_fetch_add(&p->next, 1)) >= p->n) {
            break;
        }
        if ((rc = s->item(p->job, h, a->state, item)) != 0) {
            par_stop(p, rc);
            break;
        }
        size_t done = atomic_fetch_add(&p->done, 1) + 1;
        if (a->index == 0 && s->progress)
            s->progress(p->job, done, p->n);
    }
    if (init_ok && s->finish)
        par_stop(p, s->finish(p->job, h, a->state));
    if (s->fini)
        s->fini(p->job, h, a->state);
    if (own)
        sv_geos_destroy(h);
    return NULL;
}

size_t sv_parallel_workers(int threads, size_t n)
{
    size_t nt = threads < 1 ? 1 : (size_t)threads;
    return nt > n ? (n > 0 ? n : 1) : nt;
}

int sv_parallel_run(int threads, size_t n, const sv_parallel_spec *spec, void *job)
{
    if (n == 0)
        return 0;
    par p = {.spec = spec, .job = job, .n = n};
    atomic_init(&p.next, 0);
    atomic_init(&p.done, 0);
    atomic_init(&p.rc, 0);
    size_t nt = sv_parallel_workers(threads, n), ws = spec->worker_size ? spec->worker_size : 1;
    pthread_t *tid = nt > 1 ? sv_calloc(nt - 1, sizeof *tid) : NULL;
    par_worker_arg *args = sv_calloc(nt, sizeof *args);
    unsigned char *state = sv_calloc(nt, ws);
    if (!args || !state || (nt > 1 && !tid)) {
        sv_free(tid);
        sv_free(args);
        sv_free(state);
        return -1;
    }
    for (size_t t = 0; t < nt; t++)
        args[t] = (par_worker_arg){&p, t, state + t * ws};
    size_t started = 0;
    p.nw = nt;
    while (started < nt - 1 && pthread_create(&tid[started], NULL, par_worker, &args[started + 1]) == 0)
        started++;
    p.started = started; /* read by the caller's worker only, after every start */
    par_worker(&args[0]); /* the calling thread works too (alone when no thread could start) */
    for (size_t t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    sv_free(tid);
    sv_free(args);
    sv_free(state);
    return atomic_load(&p.rc);
}

typedef struct {
    sv_parallel_fn fn;
    void *job;
} plain_job;

static int plain_item(void *job, sv_geos *h, void *worker, size_t item)
{
    (void)worker;
    plain_job *pj = job;
    return pj->fn(pj->job, h, item);
}

int sv_parallel_for(int threads, size_t n, sv_parallel_fn fn, void *job)
{
    plain_job pj = {fn, job};
    sv_parallel_spec spec = {.item = plain_item};
    return sv_parallel_run(threads, n, &spec, &pj);
}
