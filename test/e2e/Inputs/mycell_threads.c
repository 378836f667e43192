/* Test driver: 8 threads call one compiled MyCell at once, each on its own
 * inputs, and check every result against PyTorch's (max abs error 1e-5).
 * Usage: threads DIR CALLS   (DIR holds in{t}_{0,1}.bin and ref{t}_{0,1}.bin) */
#define _POSIX_C_SOURCE 200809L
#include "mycell.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define THREADS 8

struct job {
  float x[MYCELL_INPUT0_NUMEL], h[MYCELL_INPUT1_NUMEL];
  float r0[MYCELL_OUTPUT0_NUMEL], r1[MYCELL_OUTPUT1_NUMEL];
  int calls, bad, errors;
};

static pthread_barrier_t start;

static int load(const char *dir, const char *stem, int t, int i, float *v,
                size_t n) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s%d_%d.bin", dir, stem, t, i);
  FILE *f = fopen(path, "rb");
  if (!f)
    return fprintf(stderr, "cannot open %s\n", path), -1;
  size_t got = fread(v, sizeof *v, n, f);
  fclose(f);
  return got == n ? 0 : -1;
}

static void *run(void *arg) {
  struct job *j = arg;
  float o0[MYCELL_OUTPUT0_NUMEL], o1[MYCELL_OUTPUT1_NUMEL];
  pthread_barrier_wait(&start);
  for (int c = 0; c < j->calls; ++c) {
    if (mycell_forward(j->x, j->h, o0, o1) != KILN_STATUS_OK) {
      j->errors++;
      continue;
    }
    for (int k = 0; k < MYCELL_OUTPUT0_NUMEL; ++k)
      if (fabsf(o0[k] - j->r0[k]) > 1e-5f || fabsf(o1[k] - j->r1[k]) > 1e-5f) {
        j->bad++;
        break;
      }
  }
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 3)
    return fprintf(stderr, "usage: %s DIR CALLS\n", argv[0]), 2;
  static struct job jobs[THREADS];
  pthread_t tid[THREADS];
  for (int t = 0; t < THREADS; ++t) {
    jobs[t].calls = atoi(argv[2]);
    if (load(argv[1], "in", t, 0, jobs[t].x, MYCELL_INPUT0_NUMEL) ||
        load(argv[1], "in", t, 1, jobs[t].h, MYCELL_INPUT1_NUMEL) ||
        load(argv[1], "ref", t, 0, jobs[t].r0, MYCELL_OUTPUT0_NUMEL) ||
        load(argv[1], "ref", t, 1, jobs[t].r1, MYCELL_OUTPUT1_NUMEL))
      return 1;
  }
  pthread_barrier_init(&start, NULL, THREADS);
  for (int t = 0; t < THREADS; ++t)
    pthread_create(&tid[t], NULL, run, &jobs[t]);
  int bad = 0, errors = 0, calls = 0;
  for (int t = 0; t < THREADS; ++t) {
    pthread_join(tid[t], NULL);
    bad += jobs[t].bad;
    errors += jobs[t].errors;
    calls += jobs[t].calls;
  }
  printf("threads: %d, calls: %d, wrong results: %d, errors: %d\n", THREADS,
         calls, bad, errors);
  return bad || errors ? 1 : 0;
}
