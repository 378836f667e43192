/* Kiln runtime: the thread pool behind parallel kernels.
 *
 * Workers are started on the first region that needs them (one allocation
 * per worker, once per process) and then wait on a condition variable. A
 * region hands out part indices through an atomic counter; the calling
 * thread works too. One region runs at a time: a caller that finds the pool
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
static pthread_cond_t done = PTHREAD_COND_INITIALIZER;
static int workers;
static uint64_t generation;
static int busy; /* workers still in the current region */
static void (*job_fn)(void *, int64_t);
static void *job_ctx;
static int64_t job_parts;
static atomic_llong next_part;

static void run_parts(void (*fn)(void *, int64_t), void *ctx, int64_t parts) {
  for (;;) {
    int64_t part = atomic_fetch_add(&next_part, 1);
    if (part >= parts)
      return;
    fn(ctx, part);
  }
}

static void *worker(void *arg) {
  (void)arg;
  uint64_t seen = 0;
  pthread_mutex_lock(&lock);
  for (;;) {
    while (generation == seen)
      pthread_cond_wait(&wake, &lock);
    seen = generation;
    void (*fn)(void *, int64_t) = job_fn;
    void *ctx = job_ctx;
    int64_t parts = job_parts;
    pthread_mutex_unlock(&lock);
    run_parts(fn, ctx, parts);
    pthread_mutex_lock(&lock);
    if (--busy == 0)
      pthread_cond_signal(&done);
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
  pthread_mutex_lock(&lock);
  int want = parts - 1 > MAX_WORKERS ? MAX_WORKERS : (int)(parts - 1);
  while (workers < want) {
    pthread_t t;
    if (pthread_create(&t, NULL, worker, NULL) != 0)
      break;
    pthread_detach(t);
    workers++;
  }
  job_fn = fn;
  job_ctx = ctx;
  job_parts = parts;
  atomic_store(&next_part, 0);
  busy = workers;
  generation++;
  pthread_cond_broadcast(&wake);
  pthread_mutex_unlock(&lock);
  run_parts(fn, ctx, parts);
  pthread_mutex_lock(&lock);
  while (busy > 0)
    pthread_cond_wait(&done, &lock);
  pthread_mutex_unlock(&lock);
  pthread_mutex_unlock(&region_lock);
}
