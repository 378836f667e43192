/* kiln_sgemm against a double-precision reference: shapes with edges in
 * every blocking dimension, both operand layouts, transposed and strided
 * views, batches, m == 1, 1 and 2 threads, B unpacked and prepacked in
 * panels of 16 and 32 columns, A unpacked and prepacked in panels of 6 and
 * 12 rows. Run once per micro-kernel
 * (KILN_SGEMM_KERNEL). Prints the kernel and the largest relative error. */
#include "kiln/runtime.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static float value(unsigned *state) {
  *state = *state * 1103515245u + 12345u;
  return (float)((*state >> 8) % 2001) / 1000.0f - 1.0f;
}

/* C[b] += A[b] B[b] with A(i,p) = a[b*abs + i*ars + p*acs], likewise B. */
static double run(int64_t batch, int64_t m, int64_t n, int64_t k, int transA,
                  int transB, int threads, int packed_nr, int packed_mr) {
  int64_t ars = transA ? 1 : k, acs = transA ? m : 1;
  int64_t brs = transB ? 1 : n, bcs = transB ? k : 1;
  size_t asz = batch * m * k, bsz = batch * k * n, csz = batch * m * n;
  float *a = malloc(asz * 4), *b = malloc(bsz * 4), *c = malloc(csz * 4);
  unsigned s = 7;
  for (size_t i = 0; i < asz; ++i) a[i] = value(&s);
  for (size_t i = 0; i < bsz; ++i) b[i] = value(&s);
  for (size_t i = 0; i < csz; ++i) c[i] = value(&s); /* accumulated into */
  double *ref = malloc(csz * sizeof(double));
  for (int64_t bi = 0; bi < batch; ++bi)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double acc = c[bi * m * n + i * n + j];
        for (int64_t p = 0; p < k; ++p)
          acc += (double)a[bi * m * k + i * ars + p * acs] *
                 b[bi * k * n + p * brs + j * bcs];
        ref[bi * m * n + i * n + j] = acc;
      }
  int64_t pack = threads * kiln_sgemm_pack_bytes(m, n, k);
  char *space = malloc(pack + 1);
  /* B packed as the compiler packs weights: panels of packed_nr columns. */
  int64_t panels = (n + packed_nr - 1) / (packed_nr ? packed_nr : 1);
  int64_t pbs = packed_nr ? panels * k * packed_nr : k * n;
  float *bp = b;
  if (packed_nr) {
    bp = calloc(batch * pbs + 1, 4);
    for (int64_t bi = 0; bi < batch; ++bi)
      for (int64_t j = 0; j < n; ++j)
        for (int64_t p = 0; p < k; ++p)
          bp[bi * pbs + (j / packed_nr) * k * packed_nr + p * packed_nr +
             j % packed_nr] = b[bi * k * n + p * brs + j * bcs];
  }
  /* A packed likewise: panels of packed_mr rows. */
  int64_t apanels = (m + packed_mr - 1) / (packed_mr ? packed_mr : 1);
  int64_t pas = packed_mr ? apanels * k * packed_mr : m * k;
  float *ap = a;
  if (packed_mr) {
    ap = calloc(batch * pas + 1, 4);
    for (int64_t bi = 0; bi < batch; ++bi)
      for (int64_t i = 0; i < m; ++i)
        for (int64_t p = 0; p < k; ++p)
          ap[bi * pas + (i / packed_mr) * k * packed_mr + p * packed_mr +
             i % packed_mr] = a[bi * m * k + i * ars + p * acs];
  }
  kiln_sgemm(batch, m, n, k, (intptr_t)ap, pas, ars, acs, (intptr_t)bp, pbs,
             brs, bcs, (intptr_t)c, m * n, n, (intptr_t)space, threads,
             packed_nr, packed_mr);
  if (packed_nr)
    free(bp);
  if (packed_mr)
    free(ap);
  double worst = 0;
  for (size_t i = 0; i < csz; ++i) {
    double e = fabs(c[i] - ref[i]) / (1.0 + fabs(ref[i]));
    if (!(e <= worst))
      worst = isnan(e) ? INFINITY : e;
  }
  free(a), free(b), free(c), free(ref), free(space);
  return worst / sqrt((double)k + 1);
}

int main(void) {
  static const int64_t shapes[][4] = {
      {1, 1, 10, 7},   {1, 2, 3, 4},      {1, 7, 17, 5},    {1, 12, 32, 256},
      {1, 13, 33, 257}, {1, 64, 1024, 784}, {1, 97, 1030, 300},
      {1, 512, 49, 600}, {3, 5, 40, 70},   {2, 1, 100, 9},   {1, 200, 3, 1},
      {1, 20, 70, 1100}, {1, 50, 100, 96}};
  double worst = 0;
  int cases = 0;
  for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; ++s)
    for (int ta = 0; ta < 2; ++ta)
      for (int tb = 0; tb < 2; ++tb)
        for (int t = 1; t <= 2; ++t)
          for (int packed = 0; packed <= 32; packed += 16)
            for (int packed_a = 0; packed_a <= 12; packed_a += 6) {
              double e = run(shapes[s][0], shapes[s][1], shapes[s][2],
                             shapes[s][3], ta, tb, t, packed, packed_a);
              if (!(e <= worst))
                worst = e;
              cases++;
            }
  printf("kernel: %s\n", kiln_sgemm_kernel_name());
  printf("cases: %d, worst error / sqrt(k): %s\n", cases,
         worst < 1e-6 ? "below 1e-6" : "TOO LARGE");
  return worst < 1e-6 ? 0 : 1;
}
