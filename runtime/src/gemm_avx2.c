/* Kiln runtime: sgemm's AVX2/FMA micro-kernel and 8x8 transposes, reached
 * only when kiln_cpu_isa() >= KILN_ISA_AVX2. */
#include "gemm_internal.h"

#ifdef KILN_X86_KERNELS
#include <immintrin.h>

/* Eight full rows contiguous along p into pa[p * ostride + i]: 8x8 blocks
 * transposed in registers (a scalar loop stores with a stride). A's 8-row
 * panels (ostride 8), and B's 32-wide panels of columns contiguous along p
 * (a transposed operand: attention's K^T), 8 columns at a time. */
__attribute__((target("avx2"))) void
kiln_gemm_transpose8_avx2(int64_t kc, const float *a, int64_t rs, float *pa,
                int64_t ostride) {
  int64_t p = 0;
  for (; p + 8 <= kc; p += 8) {
    __m256 r0 = _mm256_loadu_ps(a + 0 * rs + p), r1 = _mm256_loadu_ps(a + 1 * rs + p);
    __m256 r2 = _mm256_loadu_ps(a + 2 * rs + p), r3 = _mm256_loadu_ps(a + 3 * rs + p);
    __m256 r4 = _mm256_loadu_ps(a + 4 * rs + p), r5 = _mm256_loadu_ps(a + 5 * rs + p);
    __m256 r6 = _mm256_loadu_ps(a + 6 * rs + p), r7 = _mm256_loadu_ps(a + 7 * rs + p);
    __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
    __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
    __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
    __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
    __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xee);
    __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xee);
    __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xee);
    __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xee);
    float *o = pa + p * ostride;
    _mm256_storeu_ps(o + 0 * ostride, _mm256_permute2f128_ps(u0, u4, 0x20));
    _mm256_storeu_ps(o + 1 * ostride, _mm256_permute2f128_ps(u1, u5, 0x20));
    _mm256_storeu_ps(o + 2 * ostride, _mm256_permute2f128_ps(u2, u6, 0x20));
    _mm256_storeu_ps(o + 3 * ostride, _mm256_permute2f128_ps(u3, u7, 0x20));
    _mm256_storeu_ps(o + 4 * ostride, _mm256_permute2f128_ps(u0, u4, 0x31));
    _mm256_storeu_ps(o + 5 * ostride, _mm256_permute2f128_ps(u1, u5, 0x31));
    _mm256_storeu_ps(o + 6 * ostride, _mm256_permute2f128_ps(u2, u6, 0x31));
    _mm256_storeu_ps(o + 7 * ostride, _mm256_permute2f128_ps(u3, u7, 0x31));
  }
  for (; p < kc; ++p)
    for (int i = 0; i < 8; ++i)
      pa[p * ostride + i] = a[i * rs + p];
}

__attribute__((target("avx2,fma"))) static void
kernel_avx2(int64_t kc, const float *pa, const float *pb, float *c,
            int64_t ldc, int64_t mr, int64_t nr) {
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
  __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
  __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
  __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
  for (int64_t p = 0; p < kc; ++p) {
    __m256 b0 = _mm256_loadu_ps(pb), b1 = _mm256_loadu_ps(pb + 8);
    __m256 a;
    a = _mm256_broadcast_ss(pa + 0);
    c00 = _mm256_fmadd_ps(a, b0, c00);
    c01 = _mm256_fmadd_ps(a, b1, c01);
    a = _mm256_broadcast_ss(pa + 1);
    c10 = _mm256_fmadd_ps(a, b0, c10);
    c11 = _mm256_fmadd_ps(a, b1, c11);
    a = _mm256_broadcast_ss(pa + 2);
    c20 = _mm256_fmadd_ps(a, b0, c20);
    c21 = _mm256_fmadd_ps(a, b1, c21);
    a = _mm256_broadcast_ss(pa + 3);
    c30 = _mm256_fmadd_ps(a, b0, c30);
    c31 = _mm256_fmadd_ps(a, b1, c31);
    a = _mm256_broadcast_ss(pa + 4);
    c40 = _mm256_fmadd_ps(a, b0, c40);
    c41 = _mm256_fmadd_ps(a, b1, c41);
    a = _mm256_broadcast_ss(pa + 5);
    c50 = _mm256_fmadd_ps(a, b0, c50);
    c51 = _mm256_fmadd_ps(a, b1, c51);
    pa += MR6;
    pb += NR16;
  }
  if (mr == MR6 && nr == NR16) {
#define ACC_ROW(i, lo, hi)                                                     \
  _mm256_storeu_ps(c + i * ldc, _mm256_add_ps(_mm256_loadu_ps(c + i * ldc), lo)); \
  _mm256_storeu_ps(c + i * ldc + 8,                                            \
                   _mm256_add_ps(_mm256_loadu_ps(c + i * ldc + 8), hi));
    ACC_ROW(0, c00, c01) ACC_ROW(1, c10, c11) ACC_ROW(2, c20, c21)
    ACC_ROW(3, c30, c31) ACC_ROW(4, c40, c41) ACC_ROW(5, c50, c51)
#undef ACC_ROW
    return;
  }
  float tile[MR6 * NR16] __attribute__((aligned(32)));
  _mm256_store_ps(tile + 0, c00);  _mm256_store_ps(tile + 8, c01);
  _mm256_store_ps(tile + 16, c10); _mm256_store_ps(tile + 24, c11);
  _mm256_store_ps(tile + 32, c20); _mm256_store_ps(tile + 40, c21);
  _mm256_store_ps(tile + 48, c30); _mm256_store_ps(tile + 56, c31);
  _mm256_store_ps(tile + 64, c40); _mm256_store_ps(tile + 72, c41);
  _mm256_store_ps(tile + 80, c50); _mm256_store_ps(tile + 88, c51);
  kiln_gemm_add_tile(tile, NR16, c, ldc, mr, nr);
}

struct kernel kiln_gemm_avx2_kernel(void) {
  return (struct kernel){.fn = kernel_avx2, .mr = MR6, .nr = NR16,
                           .name = "avx2"};
}
#endif
