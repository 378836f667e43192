/* Kiln runtime: the thread pool behind parallel kernels.
 *
 * Workers are started on the first region that needs them (once per
 * process), spin briefly for the next region and then sleep on a condition
 * variable. A region hands out part indices through an atomic counter; the
 * calling thread works too. One region runs at a time: a caller that finds the pool
 * busy (another application thread's model is inside a region) runs its
 * parts itself, so concurrent calls never wait on each other. */
#define _GNU_SOURCE
#include "runtime_internal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#define MAX_WORKERS 63

static pthread_mutex_t region_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static int workers;
/* A region is published by bumping `generation` (release) after the job
 * fields are written; workers spin on it for a while (regions often come
 * back to back: one per matrix product) and then sleep on `wake`. */
static atomic_ullong generation;
static atomic_int sleeping;
static atomic_int busy; /* workers still in the current region */
static void (*job_fn)(void *, int64_t);
static void *job_ctx;
static int64_t job_parts;
static atomic_llong next_part;

#define SPIN_ROUNDS 20000 /* ~50-100 us of pause instructions */

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

static void run_parts(void (*fn)(void *, int64_t), void *ctx, int64_t parts) {
  for (;;) {
    int64_t part = atomic_fetch_add(&next_part, 1);
    if (part >= parts)
      return;
    fn(ctx, part);
  }
}

static void *worker(void *arg) {
  /* The generation before the region that started this worker: the worker
   * may begin running after that region was published. */
  unsigned long long seen = (unsigned long long)(uintptr_t)arg;
  for (;;) {
    unsigned long long g;
    int spins = 0;
    while ((g = atomic_load_explicit(&generation, memory_order_acquire)) ==
           seen) {
      if (++spins < SPIN_ROUNDS) {
        cpu_relax();
        continue;
      }
      pthread_mutex_lock(&lock);
      atomic_fetch_add(&sleeping, 1);
      while (atomic_load(&generation) == seen)
        pthread_cond_wait(&wake, &lock);
      atomic_fetch_sub(&sleeping, 1);
      pthread_mutex_unlock(&lock);
      spins = 0;
    }
    seen = g;
    run_parts(job_fn, job_ctx, job_parts);
    atomic_fetch_sub_explicit(&busy, 1, memory_order_release);
  }
  return NULL;
}

int64_t kiln_pool_threads(int64_t requested) {
  static int64_t cores;
  if (!cores) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    cores = n > 0 ? n : 1;
  }
  int64_t t = requested > 0 ? requested : cores;
  if (t > cores)
    t = cores;
  if (t > MAX_WORKERS + 1)
    t = MAX_WORKERS + 1;
  return t < 1 ? 1 : t;
}

void kiln_pool_run(int64_t parts, void (*fn)(void *ctx, int64_t part),
                   void *ctx) {
  if (parts <= 1) {
    if (parts == 1)
      fn(ctx, 0);
    return;
  }
  if (pthread_mutex_trylock(&region_lock) != 0) {
    for (int64_t i = 0; i < parts; ++i)
      fn(ctx, i);
    return;
  }
  int want = parts - 1 > MAX_WORKERS ? MAX_WORKERS : (int)(parts - 1);
  while (workers < want) {
    pthread_t t;
    if (pthread_create(&t, NULL, worker,
                       (void *)(uintptr_t)atomic_load(&generation)) != 0)
      break;
    pthread_detach(t);
    workers++;
  }
  job_fn = fn;
  job_ctx = ctx;
  job_parts = parts;
  atomic_store(&next_part, 0);
  atomic_store(&busy, workers);
  atomic_fetch_add_explicit(&generation, 1, memory_order_release);
  if (atomic_load(&sleeping) > 0) {
    pthread_mutex_lock(&lock);
    pthread_cond_broadcast(&wake);
    pthread_mutex_unlock(&lock);
  }
  run_parts(fn, ctx, parts);
  while (atomic_load_explicit(&busy, memory_order_acquire) > 0)
    cpu_relax();
  pthread_mutex_unlock(&region_lock);
}

/* kiln_parallel_for: `parts` contiguous chunks of [0, n), as even as the
 * division allows; chunk p is [n*p/parts, n*(p+1)/parts). */
struct parallel_for_job {
  void (*fn)(void *, int64_t, int64_t);
  void *ctx;
  int64_t n;
  int64_t parts;
};

static void parallel_for_part(void *arg, int64_t part) {
  const struct parallel_for_job *job = arg;
  int64_t begin = job->n * part / job->parts;
  int64_t end = job->n * (part + 1) / job->parts;
  if (begin < end)
    job->fn(job->ctx, begin, end);
}

void kiln_parallel_for(int64_t n, int64_t grain,
                       void (*fn)(void *ctx, int64_t begin, int64_t end),
                       void *ctx, int64_t threads) {
  if (n <= 0)
    return;
  if (grain < 1)
    grain = 1;
  int64_t parts = kiln_pool_threads(threads);
  int64_t most = n / grain; /* chunks of at least `grain` */
  if (parts > most)
    parts = most;
  if (parts <= 1) {
    fn(ctx, 0, n);
    return;
  }
  struct parallel_for_job job = {fn, ctx, n, parts};
  kiln_pool_run(parts, parallel_for_part, &job);
}
