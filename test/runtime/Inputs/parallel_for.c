/* kiln_parallel_for covers [0, n) exactly once, in contiguous chunks of at
 * least `grain` iterations, at most one per thread; with one thread, or
 * too little work, it runs fn(ctx, 0, n) on the calling thread. */
#define _GNU_SOURCE
#include "kiln/runtime.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MAX_N 5000

struct state {
  atomic_int hits[MAX_N];
  atomic_int chunks;
  atomic_int shortest;
  atomic_int off_thread; /* chunks not on the calling thread */
  pthread_t caller;
};

static void body(void *ctx, int64_t begin, int64_t end) {
  struct state *s = ctx;
  for (int64_t i = begin; i < end; ++i)
    atomic_fetch_add(&s->hits[i], 1);
  atomic_fetch_add(&s->chunks, 1);
  int len = (int)(end - begin);
  int cur = atomic_load(&s->shortest);
  while (len < cur && !atomic_compare_exchange_weak(&s->shortest, &cur, len))
    ;
  if (!pthread_equal(pthread_self(), s->caller))
    atomic_fetch_add(&s->off_thread, 1);
}

static struct state s;

/* Runs one case; returns 0 when it behaved as documented. */
static int run(int64_t n, int64_t grain, int64_t threads, int64_t want_most,
               int quiet) {
  memset(&s, 0, sizeof s);
  atomic_store(&s.shortest, 1 << 30);
  s.caller = pthread_self();
  kiln_parallel_for(n, grain, body, &s, threads);
  int bad = 0;
  for (int64_t i = 0; i < n; ++i)
    bad += atomic_load(&s.hits[i]) != 1;
  int chunks = atomic_load(&s.chunks);
  int g = grain < 1 ? 1 : (int)grain;
  if (n > 0 && atomic_load(&s.shortest) < g && chunks > 1)
    bad++;
  if (chunks > want_most)
    bad++;
  if (!quiet)
    printf("n=%lld grain=%lld threads=%lld: chunks %d, %s\n", (long long)n,
           (long long)grain, (long long)threads, chunks,
           bad ? "WRONG" : "each index once");
  return bad;
}

int main(void) {
  int64_t cores = sysconf(_SC_NPROCESSORS_ONLN);
  if (cores < 1)
    cores = 1;
  int bad = 0;
  bad += run(0, 1, 2, 0, 0);
  bad += run(1, 1, 2, 1, 0);
  bad += run(100, 1, 1, 1, 0);  /* one thread: one chunk */
  bad += run(100, 60, 2, 1, 0); /* under 2 x grain: one chunk */
  bad += run(100, 0, 2, 2, 0);  /* grain below 1 counts as 1 */
  int quiet_bad = 0;
  for (int64_t n = 1; n <= MAX_N; n = n * 3 + 1)
    for (int64_t grain = 1; grain <= 64; grain *= 4)
      for (int64_t t = 0; t <= 4; ++t)
        quiet_bad += run(n, grain, t, t == 0 ? cores : t, 1);
  printf("sweep: %s\n", quiet_bad ? "WRONG" : "ok");
  /* With two threads and enough work the pool runs a chunk elsewhere. */
  if (cores >= 2) {
    int elsewhere = 0;
    for (int i = 0; i < 50 && !elsewhere; ++i) {
      run(MAX_N, 1, 2, 2, 1);
      elsewhere = atomic_load(&s.off_thread) > 0;
    }
    printf("a chunk ran on a pool worker: %s\n", elsewhere ? "yes" : "no");
  } else {
    printf("a chunk ran on a pool worker: yes\n");
  }
  return bad + quiet_bad ? 1 : 0;
}
