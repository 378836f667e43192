/* Kiln runtime: sgemm's portable micro-kernels (any CPU). */
#include "gemm_internal.h"

/* Adds the mr x nr corner of a tile with rows of `nr_full` to C. */
void kiln_gemm_add_tile(const float *tile, int nr_full, float *c, int64_t ldc,
                     int64_t mr, int64_t nr) {
  for (int64_t i = 0; i < mr; ++i)
    for (int64_t j = 0; j < nr; ++j)
      c[i * ldc + j] += tile[i * nr_full + j];
}


/* Any tile shape up to 12 x 32: the kernel for B panels prepacked at
 * compile time with a width the CPU's fast kernel does not use. */
void kiln_gemm_kernel_any(int64_t kc, const float *pa, const float *pb, float *c,
                       int64_t ldc, int64_t mr, int64_t nr, int MR, int NR) {
  float acc[12 * 32] = {0};
  for (int64_t p = 0; p < kc; ++p) {
    for (int i = 0; i < MR; ++i)
      for (int j = 0; j < NR; ++j)
        acc[i * NR + j] += pa[i] * pb[j];
    pa += MR;
    pb += NR;
  }
  kiln_gemm_add_tile(acc, NR, c, ldc, mr, nr);
}

/* The portable kernel: the 6 x 16 tile of the AVX2 one, in plain C. */
static void kernel_generic(int64_t kc, const float *pa, const float *pb,
                           float *c, int64_t ldc, int64_t mr, int64_t nr) {
  kiln_gemm_kernel_any(kc, pa, pb, c, ldc, mr, nr, MR6, NR16);
}

struct kernel kiln_gemm_generic_kernel(void) {
  return (struct kernel){.fn = kernel_generic, .mr = MR6, .nr = NR16,
                         .name = "generic"};
}
