/* Machine and OpenBLAS measurements for the kernel rows of the benchmark.
 *
 *   kernels_bench clock                  core clock in GHz (dependent adds)
 *   kernels_bench peak                   fp32 FMA peak of one core, GFLOP/s
 *   kernels_bench copy MB ITERS          memcpy bandwidth, GB/s (read+write)
 *   kernels_bench sgemm N THREADS ITERS  OpenBLAS cblas_sgemm, min/median us
 *
 * Each prints one JSON object. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <cblas.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timing.h"

void openblas_set_num_threads(int);

static void adds(void *p) {
  uint64_t n = *(uint64_t *)p, x = 0;
  /* Each add depends on the previous one: one per cycle. */
  for (uint64_t i = 0; i < n; ++i)
    __asm__ volatile("add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
                     "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0"
                     : "+r"(x));
}

/* Peak fp32 FLOP/s of one core: 12 independent FMA chains on the widest
 * vectors the CPU has (two FMA pipes with 4-cycle latency need 8 or more). */
#include <immintrin.h>
__attribute__((target("avx512f"))) static double fma512(long n) {
  __m512 a[12], m = _mm512_set1_ps(0.999999f), x = _mm512_set1_ps(1e-7f);
  for (int i = 0; i < 12; ++i) a[i] = _mm512_set1_ps((float)i);
  for (long r = 0; r < n; ++r)
#pragma GCC unroll 12
    for (int i = 0; i < 12; ++i) a[i] = _mm512_fmadd_ps(a[i], m, x);
  float out[16];
  __m512 s = a[0];
  for (int i = 1; i < 12; ++i) s = _mm512_add_ps(s, a[i]);
  _mm512_storeu_ps(out, s);
  return out[0] + n * 12.0 * 16 * 2;
}
__attribute__((target("avx2,fma"))) static double fma256(long n) {
  __m256 a[12], m = _mm256_set1_ps(0.999999f), x = _mm256_set1_ps(1e-7f);
  for (int i = 0; i < 12; ++i) a[i] = _mm256_set1_ps((float)i);
  for (long r = 0; r < n; ++r)
#pragma GCC unroll 12
    for (int i = 0; i < 12; ++i) a[i] = _mm256_fmadd_ps(a[i], m, x);
  float out[8];
  __m256 s = a[0];
  for (int i = 1; i < 12; ++i) s = _mm256_add_ps(s, a[i]);
  _mm256_storeu_ps(out, s);
  return out[0] + n * 12.0 * 8 * 2;
}
struct peak_ctx { long n; int wide; double sink; };
static void peak(void *p) {
  struct peak_ctx *c = p;
  c->sink += c->wide ? fma512(c->n) : fma256(c->n);
}

struct copy_ctx {
  char *dst, *src;
  size_t bytes;
};
static void copy(void *p) {
  struct copy_ctx *c = p;
  memcpy(c->dst, c->src, c->bytes);
  __asm__ volatile("" ::: "memory");
}

struct gemm_ctx {
  int n;
  float *a, *b, *c;
};
static void gemm(void *p) {
  struct gemm_ctx *g = p;
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, g->n, g->n, g->n,
              1.0f, g->a, g->n, g->b, g->n, 0.0f, g->c, g->n);
}

int main(int argc, char **argv) {
  if (argc >= 2 && !strcmp(argv[1], "clock")) {
    uint64_t n = 50000000; /* 8 adds each: 4e8 cycles */
    double min_us, med_us;
    bench_time(adds, &n, 1, 5, &min_us, &med_us);
    printf("{\"ghz\": %.3f}\n", n * 8.0 / (min_us * 1e3));
    return 0;
  }
  if (argc >= 2 && !strcmp(argv[1], "peak")) {
    __builtin_cpu_init();
    struct peak_ctx c = {20000000, __builtin_cpu_supports("avx512f"), 0};
    double min_us, med_us;
    bench_time(peak, &c, 1, 5, &min_us, &med_us);
    double flops = c.n * 12.0 * (c.wide ? 16 : 8) * 2;
    printf("{\"gflops\": %.3f, \"vector_bits\": %d}\n", flops / (min_us * 1e3),
           c.wide ? 512 : 256);
    return 0;
  }
  if (argc == 4 && !strcmp(argv[1], "copy")) {
    struct copy_ctx c;
    c.bytes = (size_t)atoi(argv[2]) << 20;
    c.src = aligned_alloc(64, c.bytes);
    c.dst = aligned_alloc(64, c.bytes);
    memset(c.src, 1, c.bytes);
    memset(c.dst, 2, c.bytes);
    double min_us, med_us;
    bench_time(copy, &c, 2, atoi(argv[3]), &min_us, &med_us);
    printf("{\"gbps\": %.3f, \"min_us\": %.3f, \"median_us\": %.3f}\n",
           2.0 * c.bytes / (min_us * 1e3), min_us, med_us);
    return 0;
  }
  if (argc == 5 && !strcmp(argv[1], "sgemm")) {
    struct gemm_ctx g;
    g.n = atoi(argv[2]);
    openblas_set_num_threads(atoi(argv[3]));
    size_t n2 = (size_t)g.n * g.n;
    g.a = aligned_alloc(64, n2 * 4);
    g.b = aligned_alloc(64, n2 * 4);
    g.c = aligned_alloc(64, n2 * 4);
    for (size_t i = 0; i < n2; ++i) {
      g.a[i] = (float)(i % 7) * 0.25f;
      g.b[i] = (float)(i % 5) * 0.5f;
    }
    double min_us, med_us;
    bench_time(gemm, &g, 3, atoi(argv[4]), &min_us, &med_us);
    printf("{\"min_us\": %.3f, \"median_us\": %.3f, \"gflops\": %.3f}\n",
           min_us, med_us, 2.0 * g.n * g.n * g.n / (min_us * 1e3));
    return 0;
  }
  fprintf(stderr, "usage: %s clock | peak | copy MB ITERS | sgemm N THREADS ITERS\n",
          argv[0]);
  return 2;
}
