/* Shared timing loop of the C/C++ benchmark drivers: warm up, then time
 * single calls and report min and median in microseconds. */
#ifndef KILN_BENCH_TIMING_H
#define KILN_BENCH_TIMING_H
#include <stdlib.h>
#include <time.h>

static double bench_now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec * 1e-3;
}

static int bench_cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Calls `body(ctx)` `warmup` times, then times `iters` calls, each timed
 * individually when one call takes long enough, else in batches so the
 * clock's resolution does not matter. Writes min and median per call. */
static void bench_time(void (*body)(void *), void *ctx, int warmup, int iters,
                       double *min_us, double *median_us) {
  for (int i = 0; i < warmup; ++i)
    body(ctx);
  double t0 = bench_now_us();
  body(ctx);
  double one = bench_now_us() - t0;
  int batch = one < 20.0 ? (int)(20.0 / (one > 0.01 ? one : 0.01)) + 1 : 1;
  double *samples = (double *)malloc(sizeof(double) * iters);
  for (int i = 0; i < iters; ++i) {
    double s = bench_now_us();
    for (int b = 0; b < batch; ++b)
      body(ctx);
    samples[i] = (bench_now_us() - s) / batch;
  }
  qsort(samples, iters, sizeof(double), bench_cmp);
  *min_us = samples[0];
  *median_us = samples[iters / 2];
  free(samples);
}
#endif
