/* test_parallel.c - core/parallel.c, the library's one way of starting worker threads:
 * every item runs exactly once, each worker's init/finish/fini run once in its own
 * thread with its own GEOS handle (worker 0: the caller's when given), progress comes
 * from the calling thread only, and the first nonzero return stops the run and is
 * returned. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "core/parallel.h"
#include "svcov/sv_geom.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#define N_ITEMS 1000
#define MAX_WORKERS 8

typedef struct {
    atomic_int runs[N_ITEMS];
    atomic_int owner[N_ITEMS]; /* the worker index that ran the item, + 1 */
    atomic_int out_of_order;   /* a worker took an item below one it had done */
    atomic_int inits, finishes, finis, items_done;
    atomic_int progress_calls, progress_off_thread;
    atomic_int index_seen[MAX_WORKERS];
    atomic_int handle_mismatch, caller_h_used, caller_h_elsewhere;
    size_t last_progress, progress_n;
    pthread_t caller;
    sv_geos *caller_h;
    size_t fail_at; /* item whose call returns 7 (N_ITEMS: none) */
    int fail_init;  /* worker index whose init returns 5 (-1: none) */
} job;

typedef struct {
    sv_geos *h;
    size_t index;
    size_t sum; /* items this worker did */
    size_t last; /* its last item + 1 (0: none yet) */
} worker;

static int w_init(void *arg, sv_geos *h, void *state, size_t index)
{
    job *j = arg;
    worker *w = state;
    atomic_fetch_add(&j->inits, 1);
    if (index < MAX_WORKERS)
        atomic_fetch_add(&j->index_seen[index], 1);
    if (h == j->caller_h && j->caller_h) {
        if (index == 0 && pthread_equal(pthread_self(), j->caller))
            atomic_fetch_add(&j->caller_h_used, 1);
        else
            atomic_fetch_add(&j->caller_h_elsewhere, 1);
    }
    w->h = h;
    w->index = index;
    return (int)index == j->fail_init ? 5 : 0;
}

static int w_item(void *arg, sv_geos *h, void *state, size_t item)
{
    job *j = arg;
    worker *w = state;
    if (h != w->h)
        atomic_fetch_add(&j->handle_mismatch, 1);
    atomic_fetch_add(&j->runs[item], 1);
    atomic_store(&j->owner[item], (int)w->index + 1);
    if (w->last > item + 1)
        atomic_fetch_add(&j->out_of_order, 1);
    w->last = item + 1;
    w->sum++;
    if (item == j->fail_at)
        return 7;
    atomic_fetch_add(&j->items_done, 1);
    return 0;
}

static int w_finish(void *arg, sv_geos *h, void *state)
{
    (void)h;
    (void)state;
    atomic_fetch_add(&((job *)arg)->finishes, 1);
    return 0;
}

static void w_fini(void *arg, sv_geos *h, void *state)
{
    (void)h;
    (void)state;
    atomic_fetch_add(&((job *)arg)->finis, 1);
}

static void w_progress(void *arg, size_t done, size_t n)
{
    job *j = arg;
    atomic_fetch_add(&j->progress_calls, 1);
    if (!pthread_equal(pthread_self(), j->caller))
        atomic_fetch_add(&j->progress_off_thread, 1);
    j->last_progress = done;
    j->progress_n = n;
}

static const sv_parallel_spec SPEC = {.worker_size = sizeof(worker),
                                      .init = w_init,
                                      .item = w_item,
                                      .finish = w_finish,
                                      .fini = w_fini,
                                      .progress = w_progress};

static void job_init(job *j)
{
    memset(j, 0, sizeof *j);
    j->caller = pthread_self();
    j->fail_at = N_ITEMS;
    j->fail_init = -1;
}

static void test_every_item_once(void **state)
{
    (void)state;
    for (int threads = 1; threads <= 4; threads++) {
        job j;
        job_init(&j);
        assert_int_equal(sv_parallel_run(threads, N_ITEMS, &SPEC, &j), 0);
        for (size_t i = 0; i < N_ITEMS; i++)
            assert_int_equal(atomic_load(&j.runs[i]), 1);
        assert_int_equal(atomic_load(&j.items_done), N_ITEMS);
        /* one init, finish and fini per worker; the workers are 0 .. threads-1 */
        assert_int_equal(atomic_load(&j.inits), threads);
        assert_int_equal(atomic_load(&j.finishes), threads);
        assert_int_equal(atomic_load(&j.finis), threads);
        for (int t = 0; t < MAX_WORKERS; t++)
            assert_int_equal(atomic_load(&j.index_seen[t]), t < threads ? 1 : 0);
        assert_int_equal(atomic_load(&j.handle_mismatch), 0);
        /* progress only from the calling thread (which may find every item taken), with the total */
        assert_int_equal(atomic_load(&j.progress_off_thread), 0);
        if (atomic_load(&j.progress_calls) > 0) {
            assert_int_equal(j.progress_n, N_ITEMS);
            assert_true(j.last_progress >= 1 && j.last_progress <= N_ITEMS);
        }
        if (threads == 1) {
            assert_int_equal(atomic_load(&j.progress_calls), N_ITEMS);
            assert_int_equal(j.last_progress, N_ITEMS);
        }
    }
}

/* striped: worker k runs exactly the items k, k + W, ..., in order, in every run */
static void test_striped(void **state)
{
    (void)state;
    sv_parallel_spec spec = SPEC;
    spec.striped = 1;
    for (int threads = 1; threads <= 4; threads++) {
        job j;
        job_init(&j);
        assert_int_equal(sv_parallel_run(threads, N_ITEMS, &spec, &j), 0);
        for (size_t i = 0; i < N_ITEMS; i++) {
            assert_int_equal(atomic_load(&j.runs[i]), 1);
            assert_int_equal(atomic_load(&j.owner[i]), (int)(i % (size_t)threads) + 1);
        }
        assert_int_equal(atomic_load(&j.out_of_order), 0);
        assert_int_equal(atomic_load(&j.finishes), threads);
        assert_int_equal(atomic_load(&j.progress_off_thread), 0);
    }
    /* fewer items than threads: one worker per item */
    job j;
    job_init(&j);
    assert_int_equal(sv_parallel_run(8, 3, &spec, &j), 0);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(atomic_load(&j.owner[i]), (int)i + 1);
}

static void test_workers_count(void **state)
{
    (void)state;
    assert_int_equal(sv_parallel_workers(4, 2), 2);
    assert_int_equal(sv_parallel_workers(0, 10), 1);
    assert_int_equal(sv_parallel_workers(3, 0), 1);
    assert_int_equal(sv_parallel_workers(3, 10), 3);
    /* fewer items than threads: one worker per item */
    job j;
    job_init(&j);
    assert_int_equal(sv_parallel_run(8, 3, &SPEC, &j), 0);
    assert_int_equal(atomic_load(&j.inits), 3);
    /* no items: nothing runs */
    job_init(&j);
    assert_int_equal(sv_parallel_run(4, 0, &SPEC, &j), 0);
    assert_int_equal(atomic_load(&j.inits), 0);
}

static void test_caller_handle(void **state)
{
    (void)state;
    sv_geos *h = sv_geos_create();
    assert_non_null(h);
    job j;
    job_init(&j);
    j.caller_h = h;
    sv_parallel_spec spec = SPEC;
    spec.caller_h = h;
    assert_int_equal(sv_parallel_run(3, N_ITEMS, &spec, &j), 0);
    assert_int_equal(atomic_load(&j.caller_h_used), 1);      /* worker 0, on the calling thread */
    assert_int_equal(atomic_load(&j.caller_h_elsewhere), 0); /* the others have their own */
    /* the caller's handle is borrowed: still usable */
    sv_geom *g = sv_geom_point(h, 1, 2);
    assert_non_null(g);
    sv_geom_destroy(h, g);
    sv_geos_destroy(h);
}

static void test_stops_on_failure(void **state)
{
    (void)state;
    for (int threads = 1; threads <= 3; threads++) {
        job j;
        job_init(&j);
        j.fail_at = 10;
        assert_int_equal(sv_parallel_run(threads, N_ITEMS, &SPEC, &j), 7);
        assert_int_equal(atomic_load(&j.runs[10]), 1);
        /* the others stop taking items: far fewer than all ran */
        int ran = 0;
        for (size_t i = 0; i < N_ITEMS; i++)
            ran += atomic_load(&j.runs[i]);
        assert_true(ran < N_ITEMS / 2);
        assert_int_equal(atomic_load(&j.finis), atomic_load(&j.inits));
    }
    /* a failed init: its code is returned, fini still frees, finish is skipped for it */
    job j;
    job_init(&j);
    j.fail_init = 0;
    assert_int_equal(sv_parallel_run(1, N_ITEMS, &SPEC, &j), 5);
    assert_int_equal(atomic_load(&j.items_done), 0);
    assert_int_equal(atomic_load(&j.finishes), 0);
    assert_int_equal(atomic_load(&j.finis), 1);
}

/* The stateless form over the same machinery. */
static int plain(void *arg, sv_geos *h, size_t item)
{
    atomic_int *runs = arg;
    if (!h)
        return 3;
    atomic_fetch_add(&runs[item], 1);
    return 0;
}

static void test_parallel_for(void **state)
{
    (void)state;
    static atomic_int runs[N_ITEMS];
    for (size_t i = 0; i < N_ITEMS; i++)
        atomic_init(&runs[i], 0);
    assert_int_equal(sv_parallel_for(2, N_ITEMS, plain, runs), 0);
    for (size_t i = 0; i < N_ITEMS; i++)
        assert_int_equal(atomic_load(&runs[i]), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_item_once), cmocka_unit_test(test_striped), cmocka_unit_test(test_workers_count),
        cmocka_unit_test(test_caller_handle),   cmocka_unit_test(test_stops_on_failure),
        cmocka_unit_test(test_parallel_for),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
