/* Kiln runtime: sgemm's panel packing (A's MR-row and B's NR-column
 * panels, and convolution windows read in place). */
#include "gemm_internal.h"

#include <string.h>


void kiln_gemm_pack_a(int64_t mc, int64_t kc, const float *a, int64_t rs,
                   int64_t cs, float *pa, int MR) {
  for (int64_t ir = 0; ir < mc; ir += MR) {
    int64_t rows = mc - ir < MR ? mc - ir : MR;
#ifdef KILN_X86_KERNELS
    /* 8-row panels come with the AVX-512 kernel only (pick_mr). */
    if (cs == 1 && MR == 8 && rows == 8) {
      kiln_gemm_transpose8_avx2(kc, a + ir * rs, rs, pa, 8);
      pa += kc * MR;
      continue;
    }
#endif
    if (cs == 1) { /* rows contiguous along p: one stream per row */
      for (int64_t i = 0; i < MR; ++i) {
        const float *row = a + (ir + i) * rs;
        if (i < rows)
          for (int64_t p = 0; p < kc; ++p)
            pa[p * MR + i] = row[p];
        else
          for (int64_t p = 0; p < kc; ++p)
            pa[p * MR + i] = 0.0f;
      }
      pa += kc * MR;
      continue;
    }
    for (int64_t p = 0; p < kc; ++p) {
      int64_t i = 0;
      for (; i < rows; ++i)
        pa[i] = a[(ir + i) * rs + p * cs];
      for (; i < MR; ++i)
        pa[i] = 0.0f;
      pa += MR;
    }
  }
}


void kiln_gemm_pack_b(int64_t kc, int64_t nc, const float *b, int64_t rs,
                   int64_t cs, float *pb, int NR) {
#ifdef KILN_X86_KERNELS
  /* 32-wide panels come with the AVX-512 kernel only. */
  if (cs == 1 && NR == 32) {
    kiln_gemm_pack_b_rows32_avx512(kc, nc, b, rs, pb);
    return;
  }
#endif
  if (rs == 1 && cs != 1) {
    /* B(p, j) contiguous along p (a linear's [N, K] weight): read each
     * column as the contiguous row it is, write it down the panel. */
    for (int64_t jr = 0; jr < nc; jr += NR) {
      int64_t cols = nc - jr < NR ? nc - jr : NR;
#ifdef KILN_X86_KERNELS
      /* 32-wide panels come with the AVX-512 kernel only. */
      if (NR == 32 && cols == 32) {
        for (int64_t j = 0; j < 32; j += 8)
          kiln_gemm_transpose8_avx2(kc, b + (jr + j) * cs, cs, pb + j, 32);
        pb += kc * NR;
        continue;
      }
#endif
      for (int64_t j = 0; j < NR; ++j) {
        if (j < cols) {
          const float *col = b + (jr + j) * cs;
          for (int64_t p = 0; p < kc; ++p)
            pb[p * NR + j] = col[p];
        } else {
          for (int64_t p = 0; p < kc; ++p)
            pb[p * NR + j] = 0.0f;
        }
      }
      pb += kc * NR;
    }
    return;
  }
  for (int64_t jr = 0; jr < nc; jr += NR) {
    int64_t cols = nc - jr < NR ? nc - jr : NR;
    for (int64_t p = 0; p < kc; ++p) {
      const float *row = b + p * rs + jr * cs;
      if (cs == 1 && cols == NR) {
        memcpy(pb, row, NR * sizeof(float));
      } else {
        int64_t j = 0;
        for (; j < cols; ++j)
          pb[j] = row[j * cs];
        for (; j < NR; ++j)
          pb[j] = 0.0f;
      }
      pb += NR;
    }
  }
}


void kiln_gemm_pack_conv_generic(int64_t kc, int64_t nc, int64_t p0, int64_t j0,
                                const struct conv_src *cv, float *pb, int NR) {
  int64_t off[KILN_SGEMM_NR];
  for (int64_t jr = 0; jr < nc; jr += NR) {
    int cols = nc - jr < NR ? (int)(nc - jr) : NR;
    for (int j = 0; j < cols; ++j)
      off[j] = conv_col(cv, j0 + jr + j);
    for (int64_t p = 0; p < kc; ++p) {
      const float *row = conv_row(cv, p0 + p);
      int j = 0;
      for (; j < cols; ++j)
        pb[j] = row[off[j]];
      for (; j < NR; ++j)
        pb[j] = 0.0f;
      pb += NR;
    }
  }
}

void kiln_gemm_pack_conv(int64_t kc, int64_t nc, int64_t p0, int64_t j0,
                        const struct conv_src *cv, float *pb, int NR,
                        int fast) {
#ifdef KILN_X86_KERNELS
  /* Only with the AVX-512 kernel's panels (32 wide, 8 or 12 high). */
  if ((NR == 32 || NR == 8 || NR == 12) && fast &&
      kiln_gemm_the_kernel().nr == NR32) {
    kiln_gemm_pack_conv_avx512(kc, nc, p0, j0, cv, pb, NR);
    return;
  }
#endif
  (void)fast;
  kiln_gemm_pack_conv_generic(kc, nc, p0, j0, cv, pb, NR);
}
