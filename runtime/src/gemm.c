/* Kiln runtime: single-precision matrix multiply for generated code.
 *
 * C[b] += A[b] * B[b] for b < batch, with every operand addressed through
 * explicit strides (elements), so row-major, transposed and strided views
 * all come in without copies:
 *   A(i, p) = a[b * a_bs + i * a_rs + p * a_cs]    i < m, p < k
 *   B(p, j) = b[b * b_bs + p * b_rs + j * b_cs]    p < k, j < n
 *   C(i, j) = c[b * c_bs + i * c_rs + j]            (rows contiguous)
 *
 * The algorithm is the BLIS one: B is packed into KC x NR panels and A into
 * MR x KC panels (zero-padded at the edges), and a register-blocked
 * micro-kernel runs over the packed panels: MR x 32 with AVX-512 (12 rows,
 * or 8 where 12 would pad more), 6 x 16 with AVX2/FMA, a portable C one
 * otherwise. Convolutions pack their windows straight from the input
 * (kiln_sgemm_conv), and epilogues (bias, residual, relu/clamp) are applied
 * per tile (kiln_sgemm_epi). Packing space comes from the caller (`pack`,
 * kiln_sgemm_pack_bytes() per thread), so nothing is allocated here;
 * generated code takes it from the model's workspace. Threads split the
 * larger of the M and N dimensions through the runtime's pool. */
#include "kiln/runtime.h"
#include "cpu.h"
#include "runtime_internal.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Kernel shapes: MR x NR is the register tile; packing follows the kernel
 * picked for the CPU. KILN_SGEMM_MR/NR (the header) are their maxima. */
#define MR6 6
#define NR16 16
#define MR12 12
#define MR8 8
#define NR32 32
#define KC KILN_SGEMM_KC
#define MC KILN_SGEMM_MC /* multiple of MR */
#define NC KILN_SGEMM_NC /* multiple of NR */
/* K blocks at least this long take the far-prefetching kernels. */
#define KILN_FAR_KC 128
/* Products of at most this many rows read B's full panels in place. */
#ifndef KILN_SGEMM_DIRECT_B_M
#define KILN_SGEMM_DIRECT_B_M 32
#endif

#ifdef KILN_X86_KERNELS
#include <immintrin.h>
#define KILN_HAVE_PACK8 1
/* Eight full rows contiguous along p into pa[p * ostride + i]: 8x8 blocks
 * transposed in registers (a scalar loop stores with a stride). A's 8-row
 * panels (ostride 8), and B's 32-wide panels of columns contiguous along p
 * (a transposed operand: attention's K^T), 8 columns at a time. */
__attribute__((target("avx2"))) static void
transpose8_avx2(int64_t kc, const float *a, int64_t rs, float *pa,
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
#endif

static void pack_a(int64_t mc, int64_t kc, const float *a, int64_t rs,
                   int64_t cs, float *pa, int MR) {
  for (int64_t ir = 0; ir < mc; ir += MR) {
    int64_t rows = mc - ir < MR ? mc - ir : MR;
#ifdef KILN_HAVE_PACK8
    /* 8-row panels come with the AVX-512 kernel only (pick_mr). */
    if (cs == 1 && MR == 8 && rows == 8) {
      transpose8_avx2(kc, a + ir * rs, rs, pa, 8);
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

#ifdef KILN_HAVE_PACK8
/* Row-major B (columns contiguous) into 32-wide panels with AVX-512: each
 * row of the block is read once, in order (one stream; a panel-by-panel
 * copy reads kc rows at once, 128 bytes each), and its 32-column pieces
 * go to their panels; the last panel's missing columns are zeros. A
 * memcpy per piece cost mobilenet_v2's 12544-column products 30%. */
__attribute__((target("avx512f"))) static void
pack_b_rows32_avx512(int64_t kc, int64_t nc, const float *b, int64_t rs,
                     float *pb) {
  int64_t full = nc / 32 * 32, rest = nc - full;
  __mmask16 lo = (__mmask16)(rest >= 16 ? 0xffffu : (1u << rest) - 1u);
  __mmask16 hi = (__mmask16)(rest <= 16 ? 0u : (1u << (rest - 16)) - 1u);
  for (int64_t p = 0; p < kc; ++p) {
    const float *row = b + p * rs;
    float *o = pb + p * 32;
    int64_t j = 0;
    for (; j < full; j += 32, o += kc * 32) {
      _mm512_storeu_ps(o, _mm512_loadu_ps(row + j));
      _mm512_storeu_ps(o + 16, _mm512_loadu_ps(row + j + 16));
    }
    if (rest) {
      _mm512_storeu_ps(o, _mm512_maskz_loadu_ps(lo, row + j));
      _mm512_storeu_ps(o + 16, _mm512_maskz_loadu_ps(hi, row + j + 16));
    }
  }
}
#endif

static void pack_b(int64_t kc, int64_t nc, const float *b, int64_t rs,
                   int64_t cs, float *pb, int NR) {
#ifdef KILN_HAVE_PACK8
  /* 32-wide panels come with the AVX-512 kernel only. */
  if (cs == 1 && NR == 32) {
    pack_b_rows32_avx512(kc, nc, b, rs, pb);
    return;
  }
#endif
  if (rs == 1 && cs != 1) {
    /* B(p, j) contiguous along p (a linear's [N, K] weight): read each
     * column as the contiguous row it is, write it down the panel. */
    for (int64_t jr = 0; jr < nc; jr += NR) {
      int64_t cols = nc - jr < NR ? nc - jr : NR;
#ifdef KILN_HAVE_PACK8
      /* 32-wide panels come with the AVX-512 kernel only. */
      if (NR == 32 && cols == 32) {
        for (int64_t j = 0; j < 32; j += 8)
          transpose8_avx2(kc, b + (jr + j) * cs, cs, pb + j, 32);
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

/* B as the windows of a convolution's input (implicit im2col): row
 * p = (c * kh + y) * kw + x and column j = oy * ow + ox of B are
 *   in[c * cs + (oy * sh + y * dh) * hs + (ox * sw + x * dw) * ws],
 * so packing reads the input in place and no im2col matrix is written. */
struct conv_src {
  const float *in; /* this batch's input, element (0, 0, 0) */
  int64_t cs, hs, ws;
  int64_t kh, kw, ow;
  int64_t sh, sw, dh, dw;
};

static const float *conv_row(const struct conv_src *cv, int64_t p) {
  int64_t x = p % cv->kw, y = (p / cv->kw) % cv->kh, c = p / (cv->kw * cv->kh);
  return cv->in + c * cv->cs + y * cv->dh * cv->hs + x * cv->dw * cv->ws;
}

static int64_t conv_col(const struct conv_src *cv, int64_t j) {
  return (j / cv->ow) * cv->sh * cv->hs + (j % cv->ow) * cv->sw * cv->ws;
}

/* Runs (start, length) of a panel's columns whose input offsets step by
 * the same amount (one output row's stretch each). */
struct conv_runs {
  int n;
  int start[KILN_SGEMM_NR], len[KILN_SGEMM_NR];
};

static void conv_panel_runs(const int64_t *off, int cols, int64_t step,
                            struct conv_runs *r) {
  r->n = 0;
  for (int j = 0; j < cols;) {
    int e = j + 1;
    while (e < cols && off[e] == off[e - 1] + step)
      ++e;
    r->start[r->n] = j;
    r->len[r->n] = e - j;
    r->n++;
    j = e;
  }
}

/* Walks the rows p, p + 1, ... of a convolution's B (input channel c,
 * tap y, x): the first element's address, stepped without multiplies. */
struct row_iter {
  const float *row;
  int64_t x, y, kw, kh;
  int64_t dx, dy, dc; /* x + 1; y + 1 with x back to 0; c + 1, y and x 0 */
};

static struct row_iter row_iter_at(const struct conv_src *cv, int64_t p) {
  struct row_iter it;
  it.row = conv_row(cv, p);
  it.x = p % cv->kw;
  it.y = (p / cv->kw) % cv->kh;
  it.kw = cv->kw;
  it.kh = cv->kh;
  it.dx = cv->dw * cv->ws;
  it.dy = cv->dh * cv->hs - cv->kw * it.dx;
  it.dc = cv->cs - cv->kh * cv->dh * cv->hs;
  return it;
}

static inline void row_next(struct row_iter *it) {
  it->row += it->dx;
  if (++it->x == it->kw) {
    it->x = 0;
    it->row += it->dy;
    if (++it->y == it->kh) {
      it->y = 0;
      it->row += it->dc;
    }
  }
}

#ifdef KILN_X86_KERNELS
#include <immintrin.h>
/* The pieces of a panel row: lanes dst.., read from src.. under `mask`
 * (unit steps), or, for stride 2, the 32 inputs from src.. under lo, hi,
 * of which the even ones are the lanes. */
struct conv_pieces {
  int n;
  int dst[8];
  int64_t src[8];
  __mmask16 mask[8], lo[8], hi[8];
};

/* kc panel rows of P pieces (a constant where the caller can make it
 * one, so they stay in registers), the tail zeroed first. */
__attribute__((target("avx512f"), always_inline)) static inline void
conv_rows(int64_t kc, struct row_iter it, float *pb, int NR, int zero,
          __mmask16 lo_w, __mmask16 hi_w, const struct conv_pieces *pcs,
          const int P, const int strided) {
  int64_t s[8];
  int d[8];
  __mmask16 m[8], l[8], h[8];
  for (int q = 0; q < P; ++q) {
    s[q] = pcs->src[q];
    d[q] = pcs->dst[q];
    m[q] = pcs->mask[q];
    l[q] = pcs->lo[q];
    h[q] = pcs->hi[q];
  }
  const __m512i evens = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14,
                                         12, 10, 8, 6, 4, 2, 0);
  for (int64_t p = 0; p < kc; ++p, pb += NR, row_next(&it)) {
    if (zero) {
      _mm512_mask_storeu_ps(pb, lo_w, _mm512_setzero_ps());
      if (hi_w)
        _mm512_mask_storeu_ps(pb + 16, hi_w, _mm512_setzero_ps());
    }
#pragma GCC unroll 8
    for (int q = 0; q < P; ++q) {
      __m512 v;
      if (strided)
        v = _mm512_permutex2var_ps(_mm512_maskz_loadu_ps(l[q], it.row + s[q]),
                                   evens,
                                   _mm512_maskz_loadu_ps(h[q], it.row + s[q] + 16));
      else
        v = _mm512_maskz_loadu_ps(m[q], it.row + s[q]);
      _mm512_mask_storeu_ps(pb + d[q], m[q], v);
    }
  }
}
#endif

static void pack_conv_generic(int64_t kc, int64_t nc, int64_t p0, int64_t j0,
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

/* Adds the mr x nr corner of a tile with rows of `nr_full` to C. */
static void add_tile(const float *tile, int nr_full, float *c, int64_t ldc,
                     int64_t mr, int64_t nr) {
  for (int64_t i = 0; i < mr; ++i)
    for (int64_t j = 0; j < nr; ++j)
      c[i * ldc + j] += tile[i * nr_full + j];
}


/* Any tile shape up to 12 x 32: the kernel for B panels prepacked at
 * compile time with a width the CPU's fast kernel does not use. */
static void kernel_any(int64_t kc, const float *pa, const float *pb, float *c,
                       int64_t ldc, int64_t mr, int64_t nr, int MR, int NR) {
  float acc[12 * 32] = {0};
  for (int64_t p = 0; p < kc; ++p) {
    for (int i = 0; i < MR; ++i)
      for (int j = 0; j < NR; ++j)
        acc[i * NR + j] += pa[i] * pb[j];
    pa += MR;
    pb += NR;
  }
  add_tile(acc, NR, c, ldc, mr, nr);
}

/* The portable kernel: the 6 x 16 tile of the AVX2 one, in plain C. */
static void kernel_generic(int64_t kc, const float *pa, const float *pb,
                           float *c, int64_t ldc, int64_t mr, int64_t nr) {
  kernel_any(kc, pa, pb, c, ldc, mr, nr, MR6, NR16);
}

/* A full micro-tile's epilogue applied from the registers: C starts at its
 * value (load_c), else at the bias (per row: brow[i * brs]; per column:
 * bcol[j]; or zero); then, in the last K block, + resid, act. */
struct tile_epi {
  int load_c;
  const float *brow;
  int64_t brs;
  const float *bcol;
  const float *resid;
  int64_t rrs;
  int act;
  float lo, hi;
};

#ifdef KILN_X86_KERNELS
#include <immintrin.h>

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
  add_tile(tile, NR16, c, ldc, mr, nr);
}

/* MR x 32 with AVX-512 (MR <= 14): 2 * MR zmm accumulators, two B vectors,
 * a broadcast. Instantiated for 12 rows (24 accumulators) and 8 rows, the
 * tile for products of 8, 16, 64 or 128 rows that 12 would pad. */
__attribute__((target("avx512f"), always_inline)) static inline void
kernel_avx512_mr(int64_t kc, const float *pa, const float *pb, int64_t ldb,
                 float *c, int64_t ldc, int64_t mr, int64_t nr, const int MR,
                 const int PF, const int PFA, const struct tile_epi *te) {
  __m512 acc[14][2];
  for (int i = 0; i < MR; ++i)
    acc[i][0] = acc[i][1] = _mm512_setzero_ps();
  /* Unrolled four k steps (so the broadcasts of one step overlap the FMAs
   * of the last). B's panel is prefetched PF steps ahead, A's PFA. */
#pragma GCC unroll 4
  for (int64_t p = 0; p < kc; ++p) {
    __m512 b0 = _mm512_loadu_ps(pb), b1 = _mm512_loadu_ps(pb + 16);
    _mm_prefetch((const char *)(pb + PF * ldb), _MM_HINT_T0);
    _mm_prefetch((const char *)(pb + PF * ldb + 16), _MM_HINT_T0);
    _mm_prefetch((const char *)(pa + PFA * MR), _MM_HINT_T0);
#pragma GCC unroll 14
    for (int i = 0; i < MR; ++i) {
      __m512 a = _mm512_set1_ps(pa[i]);
      acc[i][0] = _mm512_fmadd_ps(a, b0, acc[i][0]);
      acc[i][1] = _mm512_fmadd_ps(a, b1, acc[i][1]);
    }
    pa += MR;
    pb += ldb;
  }
  if (te) { /* a full tile with its epilogue, from the registers */
    __m512 lo = _mm512_set1_ps(te->act == 1 ? 0.0f : te->lo);
    __m512 hi = _mm512_set1_ps(te->hi);
#pragma GCC unroll 14
    for (int i = 0; i < MR; ++i) {
      float *row = c + i * ldc;
#pragma GCC unroll 2
      for (int h = 0; h < 2; ++h) {
        __m512 v = acc[i][h];
        if (te->load_c)
          v = _mm512_add_ps(_mm512_loadu_ps(row + 16 * h), v);
        else if (te->brow)
          v = _mm512_add_ps(v, _mm512_set1_ps(te->brow[i * te->brs]));
        else if (te->bcol)
          v = _mm512_add_ps(v, _mm512_loadu_ps(te->bcol + 16 * h));
        if (te->resid)
          v = _mm512_add_ps(v, _mm512_loadu_ps(te->resid + i * te->rrs + 16 * h));
        if (te->act) /* max(lo, v) returns v when v is NaN */
          v = _mm512_max_ps(lo, v);
        if (te->act == 2)
          v = _mm512_min_ps(hi, v);
        _mm512_storeu_ps(row + 16 * h, v);
      }
    }
    return;
  }
  if (mr == MR && nr == NR32) {
#pragma GCC unroll 14
    for (int i = 0; i < MR; ++i) {
      float *row = c + i * ldc;
      _mm512_storeu_ps(row, _mm512_add_ps(_mm512_loadu_ps(row), acc[i][0]));
      _mm512_storeu_ps(row + 16,
                       _mm512_add_ps(_mm512_loadu_ps(row + 16), acc[i][1]));
    }
    return;
  }
  float tile[14 * NR32] __attribute__((aligned(64)));
  for (int i = 0; i < MR; ++i) {
    _mm512_store_ps(tile + i * NR32, acc[i][0]);
    _mm512_store_ps(tile + i * NR32 + 16, acc[i][1]);
  }
  add_tile(tile, NR32, c, ldc, mr, nr);
}

/* The kernels prefetch B 8 steps ahead, or 64 (8 KB) for long blocks of
 * B panels that come from L3 or DRAM: prepacked weights (resnet18's 45 MB
 * do not stay in L3) and convolution windows. That took resnet18 from
 * 19.0 to 18.2 ms; on panels packed from activations (mobilenet_v2's
 * pointwise products) it cost 5%. Prepacked A panels (weights times
 * activations) are prefetched 128 steps ahead on their first pass, which
 * reads them from DRAM (the `fara` kernels): mobilenet_v2's 7x7 layers
 * stream 1.6 MB of weights per product. */
#define KILN_KERNEL_AVX512(name, MR, PF, PFA)                                  \
  __attribute__((target("avx512f"))) static void name(                         \
      int64_t kc, const float *pa, const float *pb, float *c, int64_t ldc,     \
      int64_t mr, int64_t nr) {                                                \
    kernel_avx512_mr(kc, pa, pb, NR32, c, ldc, mr, nr, MR, PF, PFA, NULL);     \
  }                                                                            \
  __attribute__((target("avx512f"))) static void name##_epi(                   \
      int64_t kc, const float *pa, const float *pb, float *c, int64_t ldc,     \
      const struct tile_epi *te) {                                             \
    kernel_avx512_mr(kc, pa, pb, NR32, c, ldc, MR, NR32, MR, PF, PFA, te);     \
  }
KILN_KERNEL_AVX512(kernel_avx512, MR12, 8, 8)
KILN_KERNEL_AVX512(kernel_avx512_far, MR12, 64, 64)
KILN_KERNEL_AVX512(kernel_avx512_fara, MR12, 8, 128)
KILN_KERNEL_AVX512(kernel_avx512_8, MR8, 8, 8)
KILN_KERNEL_AVX512(kernel_avx512_8_far, MR8, 64, 64)
KILN_KERNEL_AVX512(kernel_avx512_8_fara, MR8, 8, 128)
#undef KILN_KERNEL_AVX512

/* B read in place, ldb floats between its rows (row-major activations),
 * instead of from a packed panel: products with few rows (m <= 32) reuse a
 * B panel for at most 4 tiles, so packing it cost as much as the FMAs
 * (16x12544x32: 42% of the call). */
#define KILN_KERNEL_AVX512_LDB(name, MR)                                       \
  __attribute__((target("avx512f"))) static void name(                         \
      int64_t kc, const float *pa, const float *pb, int64_t ldb, float *c,     \
      int64_t ldc, int64_t mr, int64_t nr) {                                   \
    kernel_avx512_mr(kc, pa, pb, ldb, c, ldc, mr, nr, MR, 8, 8, NULL);         \
  }                                                                            \
  __attribute__((target("avx512f"))) static void name##_epi(                   \
      int64_t kc, const float *pa, const float *pb, int64_t ldb, float *c,     \
      int64_t ldc, const struct tile_epi *te) {                                \
    kernel_avx512_mr(kc, pa, pb, ldb, c, ldc, MR, NR32, MR, 8, 8, te);         \
  }
KILN_KERNEL_AVX512_LDB(kernel_avx512_ldb, MR12)
KILN_KERNEL_AVX512_LDB(kernel_avx512_8_ldb, MR8)
#undef KILN_KERNEL_AVX512_LDB

/* The last panel of B when at most 16 of its 32 columns exist (n = 196 =
 * 6 x 32 + 4): one B vector per step, MR accumulators, added to C with
 * masked loads and stores. It costs about half the full kernel (the
 * broadcasts, not the FMAs, bound it), instead of all of it. */
__attribute__((target("avx512f"), always_inline)) static inline void
kernel_avx512_half(int64_t kc, const float *pa, const float *pb, float *c,
                   int64_t ldc, int64_t mr, int64_t nr, const int MR) {
  __m512 acc[12];
  for (int i = 0; i < MR; ++i)
    acc[i] = _mm512_setzero_ps();
#pragma GCC unroll 4
  for (int64_t p = 0; p < kc; ++p) {
    __m512 b0 = _mm512_loadu_ps(pb);
    _mm_prefetch((const char *)(pa + 8 * MR), _MM_HINT_T0);
#pragma GCC unroll 12
    for (int i = 0; i < MR; ++i)
      acc[i] = _mm512_fmadd_ps(_mm512_set1_ps(pa[i]), b0, acc[i]);
    pa += MR;
    pb += NR32;
  }
  __mmask16 mk = (__mmask16)((1u << nr) - 1u);
#pragma GCC unroll 12
  for (int i = 0; i < MR; ++i)
    if (i < mr) {
      float *row = c + i * ldc;
      _mm512_mask_storeu_ps(
          row, mk, _mm512_add_ps(_mm512_maskz_loadu_ps(mk, row), acc[i]));
    }
}
__attribute__((target("avx512f"))) static void
kernel_avx512_half12(int64_t kc, const float *pa, const float *pb, float *c,
                     int64_t ldc, int64_t mr, int64_t nr) {
  kernel_avx512_half(kc, pa, pb, c, ldc, mr, nr, MR12);
}
__attribute__((target("avx512f"))) static void
kernel_avx512_half8(int64_t kc, const float *pa, const float *pb, float *c,
                    int64_t ldc, int64_t mr, int64_t nr) {
  kernel_avx512_half(kc, pa, pb, c, ldc, mr, nr, MR8);
}

/* pack_conv_generic for panels of NR <= 32 (B's 32 columns, or A's 8 or
 * 12 rows of positions): a panel row is a few runs of input elements one
 * output row long (at unit stride, or every other one for stride 2),
 * moved with masked loads and stores (and a permute that takes the even
 * elements); other rows are gathered. */
__attribute__((target("avx512f"))) static void
pack_conv_avx512(int64_t kc, int64_t nc, int64_t p0, int64_t j0,
                 const struct conv_src *cv, float *pb, int NR) {
  enum { MAX_PIECES = 8 };
  const __mmask16 lo_w = (__mmask16)(NR >= 16 ? 0xffffu : (1u << NR) - 1u);
  const __mmask16 hi_w =
      (__mmask16)(NR <= 16 ? 0u : NR >= 32 ? 0xffffu : (1u << (NR - 16)) - 1u);
  int64_t off[32];
  struct conv_runs runs;
  int strided = cv->sw * cv->ws == 2; /* else unit steps, or a gather */
  for (int64_t jr = 0; jr < nc; jr += NR, pb += kc * NR) {
    int cols = nc - jr < NR ? (int)(nc - jr) : NR;
    for (int j = 0; j < cols; ++j)
      off[j] = conv_col(cv, j0 + jr + j);
    conv_panel_runs(off, cols, strided ? 2 : 1, &runs);
    /* Runs split into pieces of at most 16 lanes. */
    struct conv_pieces pcs;
    pcs.n = 0;
    int gather = 0;
    for (int r = 0; r < runs.n && !gather; ++r)
      for (int q = 0; q < runs.len[r]; q += 16) {
        if (pcs.n == MAX_PIECES) {
          gather = 1;
          break;
        }
        int l = runs.len[r] - q < 16 ? runs.len[r] - q : 16;
        int span = strided ? 2 * l - 1 : l; /* inputs read */
        pcs.dst[pcs.n] = runs.start[r] + q;
        pcs.src[pcs.n] = off[runs.start[r] + q];
        pcs.mask[pcs.n] = (__mmask16)((1u << l) - 1u);
        pcs.lo[pcs.n] = (__mmask16)(span >= 16 ? 0xffffu : (1u << span) - 1u);
        pcs.hi[pcs.n] = (__mmask16)(span <= 16 ? 0u : (1u << (span - 16)) - 1u);
        pcs.n++;
      }
    struct row_iter it = row_iter_at(cv, p0);
    if (gather) {
      int32_t o[32] = {0};
      for (int j = 0; j < cols; ++j)
        o[j] = (int32_t)off[j];
      __m512i idx0 = _mm512_loadu_si512(o), idx1 = _mm512_loadu_si512(o + 16);
      __mmask16 m0 = (__mmask16)(cols >= 16 ? 0xffffu : (1u << cols) - 1u);
      __mmask16 m1 = (__mmask16)(cols <= 16 ? 0u
                                 : cols >= 32 ? 0xffffu
                                              : (1u << (cols - 16)) - 1u);
      float *row_pb = pb;
      for (int64_t p = 0; p < kc; ++p, row_pb += NR, row_next(&it)) {
        __m512 z = _mm512_setzero_ps();
        _mm512_mask_storeu_ps(
            row_pb, lo_w, _mm512_mask_i32gather_ps(z, m0, idx0, it.row, 4));
        if (hi_w)
          _mm512_mask_storeu_ps(
              row_pb + 16, hi_w,
              _mm512_mask_i32gather_ps(z, m1, idx1, it.row, 4));
      }
      continue;
    }
    /* A loop per piece count and kind, so the pieces stay in registers. */
    int zero = cols < NR;
#define KILN_CONV_ROWS(P)                                                      \
  (strided ? conv_rows(kc, it, pb, NR, zero, lo_w, hi_w, &pcs, P, 1)           \
           : conv_rows(kc, it, pb, NR, zero, lo_w, hi_w, &pcs, P, 0))
    switch (pcs.n) {
    case 1: KILN_CONV_ROWS(1); break;
    case 2: KILN_CONV_ROWS(2); break;
    case 3: KILN_CONV_ROWS(3); break;
    case 4: KILN_CONV_ROWS(4); break;
    default: KILN_CONV_ROWS(pcs.n);
    }
#undef KILN_CONV_ROWS
  }
}
#endif

typedef void (*kernel_fn)(int64_t, const float *, const float *, float *,
                          int64_t, int64_t, int64_t);
typedef void (*kernel_epi_fn)(int64_t, const float *, const float *, float *,
                              int64_t, const struct tile_epi *);
typedef void (*kernel_ldb_fn)(int64_t, const float *, const float *, int64_t,
                              float *, int64_t, int64_t, int64_t);
typedef void (*kernel_ldb_epi_fn)(int64_t, const float *, const float *,
                                  int64_t, float *, int64_t,
                                  const struct tile_epi *);

struct kernel {
  kernel_fn fn;
  int mr, nr;
  const char *name;
  kernel_fn fn8; /* the 8 x nr tile, or NULL */
  kernel_fn far, far8; /* for blocks of at least KILN_FAR_KC, or NULL */
  kernel_epi_fn epi, epi8, epi_far, epi_far8; /* full tiles with an
                                                 epilogue, or NULL */
  kernel_fn fara, fara8; /* A prefetched far ahead, or NULL */
  kernel_epi_fn epi_fara, epi_fara8;
  kernel_fn half, half8; /* panels with at most 16 columns, or NULL */
  kernel_ldb_fn ldb, ldb8; /* B read in place, or NULL */
  kernel_ldb_epi_fn epi_ldb, epi_ldb8;
};

/* The widest kernel the CPU runs (kiln_cpu_isa, which honours
 * KILN_SGEMM_KERNEL=avx2|generic). */
static struct kernel pick_kernel(void) {
  enum kiln_isa isa = kiln_cpu_isa();
#ifdef KILN_X86_KERNELS
  int avx512 = isa == KILN_ISA_AVX512, avx2 = isa >= KILN_ISA_AVX2;
  if (avx512)
    return (struct kernel){.fn = kernel_avx512,
                           .mr = MR12,
                           .nr = NR32,
                           .name = "avx512",
                           .fn8 = kernel_avx512_8,
                           .far = kernel_avx512_far,
                           .far8 = kernel_avx512_8_far,
                           .epi = kernel_avx512_epi,
                           .epi8 = kernel_avx512_8_epi,
                           .epi_far = kernel_avx512_far_epi,
                           .epi_far8 = kernel_avx512_8_far_epi,
                           .fara = kernel_avx512_fara,
                           .fara8 = kernel_avx512_8_fara,
                           .epi_fara = kernel_avx512_fara_epi,
                           .epi_fara8 = kernel_avx512_8_fara_epi,
                           .half = kernel_avx512_half12,
                           .half8 = kernel_avx512_half8,
                           .ldb = kernel_avx512_ldb,
                           .ldb8 = kernel_avx512_8_ldb,
                           .epi_ldb = kernel_avx512_ldb_epi,
                           .epi_ldb8 = kernel_avx512_8_ldb_epi};
  if (avx2)
    return (struct kernel){.fn = kernel_avx2, .mr = MR6, .nr = NR16,
                           .name = "avx2"};
#endif
  (void)isa;
  return (struct kernel){.fn = kernel_generic, .mr = MR6, .nr = NR16,
                         .name = "generic"};
}

static struct kernel chosen_kernel;
static pthread_once_t kernel_once = PTHREAD_ONCE_INIT;
static void choose_kernel(void) { chosen_kernel = pick_kernel(); }

static struct kernel the_kernel(void) {
  pthread_once(&kernel_once, choose_kernel);
  return chosen_kernel;
}

static void pack_conv(int64_t kc, int64_t nc, int64_t p0, int64_t j0,
                        const struct conv_src *cv, float *pb, int NR,
                        int fast) {
#ifdef KILN_X86_KERNELS
  /* Only with the AVX-512 kernel's panels (32 wide, 8 or 12 high). */
  if ((NR == 32 || NR == 8 || NR == 12) && fast &&
      the_kernel().nr == NR32) {
    pack_conv_avx512(kc, nc, p0, j0, cv, pb, NR);
    return;
  }
#endif
  (void)fast;
  pack_conv_generic(kc, nc, p0, j0, cv, pb, NR);
}

const char *kiln_sgemm_kernel_name(void) { return the_kernel().name; }

/* The tile height for A packed at run time: 8 rows where 12 would pad
 * more (m = 8, 16, 64, 128, ...), else the kernel's. */
static int pick_mr(int64_t m, struct kernel kern) {
  if (kern.fn8 && kiln_sgemm_avx512_mr(m) == MR8)
    return MR8;
  return kern.mr;
}

/* What kiln_sgemm_epi does around the product (all in C's (i, j)):
 * C starts at bias(i, j) = bias[i * brs + j * bcs] instead of its own
 * value, and once complete becomes act(C + resid(i, j)), resid(i, j) =
 * resid[i * rrs + j]; act 0: none, 1: max(x, 0), 2: min(max(x, lo), hi)
 * (NaN propagates, as in the generated code). Pointers are those of the
 * part at hand. */
struct epilogue {
  const float *bias;
  int64_t bias_bs, brs, bcs;
  const float *resid;
  int64_t resid_bs, rrs;
  int act;
  float lo, hi;
  int wide; /* the AVX-512 kernel runs: its tile loops too */
};

static int epi_after(const struct epilogue *e) {
  return e && (e->resid || e->act);
}

static float epi_act(const struct epilogue *e, float v) {
  if (e->act == 1)
    return v != v ? v : v > 0.0f ? v : 0.0f;
  if (e->act == 2) {
    if (v != v)
      return v;
    v = v > e->lo ? v : e->lo;
    return v < e->hi ? v : e->hi;
  }
  return v;
}

/* The mr x nr tile at (i0, j0) of C: set to the bias. */
static void epi_bias_tile(const struct epilogue *e, float *ct, int64_t c_rs,
                          int64_t i0, int64_t j0, int64_t mr, int64_t nr) {
  const float *b = e->bias + i0 * e->brs + j0 * e->bcs;
  for (int64_t i = 0; i < mr; ++i) {
    float *row = ct + i * c_rs;
    const float *br = b + i * e->brs;
    if (e->bcs == 0) {
      float v = br[0];
      for (int64_t j = 0; j < nr; ++j)
        row[j] = v;
    } else {
      for (int64_t j = 0; j < nr; ++j)
        row[j] = br[j * e->bcs];
    }
  }
}

/* The finished tile: C = act(C + resid). */
static void epi_after_tile(const struct epilogue *e, float *ct, int64_t c_rs,
                           int64_t i0, int64_t j0, int64_t mr, int64_t nr) {
  for (int64_t i = 0; i < mr; ++i) {
    float *row = ct + i * c_rs;
    const float *r = e->resid ? e->resid + (i0 + i) * e->rrs + j0 : NULL;
    for (int64_t j = 0; j < nr; ++j)
      row[j] = epi_act(e, r ? row[j] + r[j] : row[j]);
  }
}

#ifdef KILN_X86_KERNELS
__attribute__((target("avx512f"))) static void
epi_after_tile_avx512(const struct epilogue *e, float *ct, int64_t c_rs,
                      int64_t i0, int64_t j0, int64_t mr, int64_t nr) {
  __m512 lo = _mm512_set1_ps(e->act == 1 ? 0.0f : e->lo);
  __m512 hi = _mm512_set1_ps(e->hi);
  for (int64_t i = 0; i < mr; ++i) {
    float *row = ct + i * c_rs;
    const float *r = e->resid ? e->resid + (i0 + i) * e->rrs + j0 : NULL;
    for (int64_t j = 0; j < nr; j += 16) {
      __mmask16 m = (__mmask16)(nr - j >= 16 ? 0xffffu
                                             : (1u << (nr - j)) - 1u);
      __m512 v = _mm512_maskz_loadu_ps(m, row + j);
      if (r)
        v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, r + j));
      /* max(lo, v) returns v when v is NaN: NaN propagates. */
      if (e->act)
        v = _mm512_max_ps(lo, v);
      if (e->act == 2)
        v = _mm512_min_ps(hi, v);
      _mm512_mask_storeu_ps(row + j, m, v);
    }
  }
}

__attribute__((target("avx512f"))) static void
epi_bias_tile_avx512(const struct epilogue *e, float *ct, int64_t c_rs,
                     int64_t i0, int64_t j0, int64_t mr, int64_t nr) {
  const float *b = e->bias + i0 * e->brs + j0 * e->bcs;
  for (int64_t i = 0; i < mr; ++i) {
    float *row = ct + i * c_rs;
    const float *br = b + i * e->brs;
    for (int64_t j = 0; j < nr; j += 16) {
      __mmask16 m = (__mmask16)(nr - j >= 16 ? 0xffffu
                                             : (1u << (nr - j)) - 1u);
      __m512 v = e->bcs == 0 ? _mm512_set1_ps(br[0])
                             : _mm512_maskz_loadu_ps(m, br + j);
      _mm512_mask_storeu_ps(row + j, m, v);
    }
  }
}
#endif

static void epi_start_tile(const struct epilogue *e, float *ct, int64_t c_rs,
                           int64_t i0, int64_t j0, int64_t mr, int64_t nr) {
#ifdef KILN_X86_KERNELS
  if (e->wide && (e->bcs == 0 || e->bcs == 1)) {
    epi_bias_tile_avx512(e, ct, c_rs, i0, j0, mr, nr);
    return;
  }
#endif
  epi_bias_tile(e, ct, c_rs, i0, j0, mr, nr);
}

static void epi_finish_tile(const struct epilogue *e, float *ct, int64_t c_rs,
                            int64_t i0, int64_t j0, int64_t mr, int64_t nr) {
#ifdef KILN_X86_KERNELS
  if (e->wide) {
    epi_after_tile_avx512(e, ct, c_rs, i0, j0, mr, nr);
    return;
  }
#endif
  epi_after_tile(e, ct, c_rs, i0, j0, mr, nr);
}

/* One thread's part: C[0:m, 0:n] += A[0:m, :] B[:, 0:n] (pointers already
 * offset to the part). With `b_packed` B is in compile-time panels: for
 * each NR-column panel, K rows of NR values (zero-padded). With `a_packed`
 * A is too: for each MR-row panel, K columns of MR values (zero-padded).
 * Panels of a width the CPU's kernel does not use run on kernel_any. */
static void gemm_serial(int64_t m, int64_t n, int64_t k, const float *a,
                        int64_t a_rs, int64_t a_cs, const float *b,
                        int64_t b_rs, int64_t b_cs, float *c, int64_t c_rs,
                        float *pack, int b_packed, int a_packed,
                        const struct conv_src *conv, int64_t conv_j0,
                        int conv_fast, int run_mr, int conv_a,
                        const struct epilogue *epi) {
  struct kernel kern = the_kernel();
  int bias = epi && epi->bias, after = epi_after(epi);
  int MR = run_mr, NR = kern.nr;
  if (b_packed && b_packed != NR) {
    MR = 6;
    NR = b_packed;
  }
  if (a_packed)
    MR = a_packed;
  kernel_fn fast = NR != kern.nr ? NULL
                   : MR == kern.mr ? kern.fn
                   : MR == MR8 ? kern.fn8
                               : NULL;
  int far_ok = fast && (conv || b_packed);
  kernel_fn far = !far_ok ? NULL : MR == kern.mr ? kern.far : kern.far8;
  kernel_fn half = !fast ? NULL : MR == kern.mr ? kern.half : kern.half8;
  /* Few rows: B's full panels are read in place (row-major, columns
   * contiguous); only a last partial panel is packed. */
  kernel_ldb_fn kldb = NULL;
  kernel_ldb_epi_fn kepi_ldb = NULL;
  if (fast && !b_packed && !conv && b_cs == 1 && m <= KILN_SGEMM_DIRECT_B_M) {
    kldb = MR == kern.mr ? kern.ldb : kern.ldb8;
    kepi_ldb = MR == kern.mr ? kern.epi_ldb : kern.epi_ldb8;
  }
  /* Prepacked A's first pass (jr = 0) reads it from DRAM. */
  int fara_ok = fast && a_packed && !far_ok;
  kernel_fn fara = !fara_ok ? NULL : MR == kern.mr ? kern.fara : kern.fara8;
  /* Full tiles apply the epilogue from the registers (a bias per row or
   * per column). */
  kernel_epi_fn kepi = NULL, kepi_far = NULL, kepi_fara = NULL;
  if (fast && epi && epi->wide && (epi->bcs == 0 || (epi->bcs == 1 && epi->brs == 0))) {
    kepi = MR == kern.mr ? kern.epi : kern.epi8;
    kepi_far = !far_ok ? NULL : MR == kern.mr ? kern.epi_far : kern.epi_far8;
    kepi_fara = !fara_ok ? NULL : MR == kern.mr ? kern.epi_fara : kern.epi_fara8;
  }
  float *pa = (float *)(((uintptr_t)pack + 63) & ~(uintptr_t)63);
  int64_t mr_up = (m + MR - 1) / MR * MR;
  float *pb = pa + (mr_up < MC ? mr_up : MC) * (k < KC ? k : KC);
  pb = (float *)(((uintptr_t)pb + 63) & ~(uintptr_t)63); /* aligned loads */
  /* K blocks of even length (576 = 288 + 288, not 512 + 64: a short
   * block pays a whole C update for few FMAs). */
  int64_t kblocks = (k + KC - 1) / KC, kcb = (k + kblocks - 1) / kblocks;
  for (int64_t jc = 0; jc < n; jc += NC) {
    int64_t nc = n - jc < NC ? n - jc : NC;
    for (int64_t pc = 0; pc < k; pc += kcb) {
      int64_t kc = k - pc < kcb ? k - pc : kcb;
      int64_t direct = kldb ? nc / NR * NR : 0; /* columns read in place */
      if (conv && !conv_a)
        pack_conv(kc, nc, pc, conv_j0 + jc, conv, pb, NR, conv_fast);
      else if (!b_packed && direct < nc)
        pack_b(kc, nc - direct, b + pc * b_rs + (jc + direct) * b_cs, b_rs,
               b_cs, pb + direct * kc, NR);
      for (int64_t ic = 0; ic < m; ic += MC) {
        int64_t mc = m - ic < MC ? m - ic : MC;
        if (conv && conv_a)
          pack_conv(kc, mc, pc, conv_j0 + ic, conv, pa, MR, conv_fast);
        else if (!a_packed)
          pack_a(mc, kc, a + ic * a_rs + pc * a_cs, a_rs, a_cs, pa, MR);
        for (int64_t jr = 0; jr < nc; jr += NR) {
          int64_t nr = nc - jr < NR ? nc - jr : NR;
          const float *panel = b_packed ? b + ((jc + jr) / NR) * k * NR + pc * NR
                                        : pb + jr * kc;
          int in_place = jr < direct;
          if (in_place)
            panel = b + pc * b_rs + jc + jr;
          for (int64_t ir = 0; ir < mc; ir += MR) {
            int64_t mr = mc - ir < MR ? mc - ir : MR;
            float *ct = c + (ic + ir) * c_rs + jc + jr;
            const float *apanel =
                a_packed ? a + ((ic + ir) / MR) * k * MR + pc * MR
                         : pa + ir * kc;
            int first = bias && pc == 0, last = after && pc + kc == k;
            if (kepi && mr == MR && nr == NR && (first || last)) {
              int64_t i0 = ic + ir, j0 = jc + jr;
              struct tile_epi te = {
                  !first, NULL, 0, NULL, NULL, 0, last ? epi->act : 0,
                  epi->lo, epi->hi};
              if (first && epi->bcs == 0)
                te.brow = epi->bias + i0 * epi->brs, te.brs = epi->brs;
              else if (first)
                te.bcol = epi->bias + j0;
              if (last && epi->resid)
                te.resid = epi->resid + i0 * epi->rrs + j0, te.rrs = epi->rrs;
              if (in_place)
                kepi_ldb(kc, apanel, panel, b_rs, ct, c_rs, &te);
              else if (kepi_far && kc >= KILN_FAR_KC)
                kepi_far(kc, apanel, panel, ct, c_rs, &te);
              else if (kepi_fara && jr == 0 && kc >= KILN_FAR_KC)
                kepi_fara(kc, apanel, panel, ct, c_rs, &te);
              else
                kepi(kc, apanel, panel, ct, c_rs, &te);
              continue;
            }
            /* Other tiles: the bias before the first block and the rest
             * after the last, on the tile while it is in L1. */
            if (bias && pc == 0)
              epi_start_tile(epi, ct, c_rs, ic + ir, jc + jr, mr, nr);
            if (in_place)
              kldb(kc, apanel, panel, b_rs, ct, c_rs, mr, nr);
            else if (half && nr <= 16)
              half(kc, apanel, panel, ct, c_rs, mr, nr);
            else if (far && kc >= KILN_FAR_KC)
              far(kc, apanel, panel, ct, c_rs, mr, nr);
            else if (fara && jr == 0 && kc >= KILN_FAR_KC)
              fara(kc, apanel, panel, ct, c_rs, mr, nr);
            else if (fast)
              fast(kc, apanel, panel, ct, c_rs, mr, nr);
            else
              kernel_any(kc, apanel, panel, ct, c_rs, mr, nr, MR, NR);
            if (after && pc + kc == k)
              epi_finish_tile(epi, ct, c_rs, ic + ir, jc + jr, mr, nr);
          }
        }
      }
    }
  }
}

#ifdef KILN_X86_KERNELS
/* gemv over 32-wide packed panels with AVX-512: four k steps in flight. */
__attribute__((target("avx512f"))) static void
gemv_packed32_avx512(int64_t n, int64_t k, const float *a, int64_t a_cs,
                     const float *b, float *c) {
  for (int64_t j0 = 0; j0 < n; j0 += 32) {
    const float *panel = b + (j0 / 32) * k * 32;
    __m512 acc[8];
    for (int i = 0; i < 8; ++i)
      acc[i] = _mm512_setzero_ps();
    int64_t p = 0;
    for (; p + 4 <= k; p += 4) {
#pragma GCC unroll 4
      for (int u = 0; u < 4; ++u) {
        __m512 s = _mm512_set1_ps(a[(p + u) * a_cs]);
        const float *row = panel + (p + u) * 32;
        acc[2 * u] = _mm512_fmadd_ps(s, _mm512_loadu_ps(row), acc[2 * u]);
        acc[2 * u + 1] =
            _mm512_fmadd_ps(s, _mm512_loadu_ps(row + 16), acc[2 * u + 1]);
      }
    }
    for (; p < k; ++p) {
      __m512 s = _mm512_set1_ps(a[p * a_cs]);
      acc[0] = _mm512_fmadd_ps(s, _mm512_loadu_ps(panel + p * 32), acc[0]);
      acc[1] = _mm512_fmadd_ps(s, _mm512_loadu_ps(panel + p * 32 + 16), acc[1]);
    }
    __m512 lo = _mm512_add_ps(_mm512_add_ps(acc[0], acc[2]),
                              _mm512_add_ps(acc[4], acc[6]));
    __m512 hi = _mm512_add_ps(_mm512_add_ps(acc[1], acc[3]),
                              _mm512_add_ps(acc[5], acc[7]));
    float out[32];
    _mm512_storeu_ps(out, lo);
    _mm512_storeu_ps(out + 16, hi);
    int64_t cols = n - j0 < 32 ? n - j0 : 32;
    for (int64_t j = 0; j < cols; ++j)
      c[j0 + j] += out[j];
  }
}
#endif

/* c[0:n] += a[0:k] B with B in compile-time panels of width nr_panel. */
static void gemv_packed(int64_t n, int64_t k, const float *a, int64_t a_cs,
                        const float *b, int nr_panel, float *c) {
#ifdef KILN_X86_KERNELS
  if (nr_panel == 32 && the_kernel().nr == 32) {
    gemv_packed32_avx512(n, k, a, a_cs, b, c);
    return;
  }
#endif
  for (int64_t j0 = 0; j0 < n; j0 += nr_panel) {
    const float *panel = b + (j0 / nr_panel) * k * nr_panel;
    int64_t cols = n - j0 < nr_panel ? n - j0 : nr_panel;
    float acc[32] = {0};
    for (int64_t p = 0; p < k; ++p) {
      float s = a[p * a_cs];
      for (int j = 0; j < nr_panel; ++j)
        acc[j] += s * panel[p * nr_panel + j];
    }
    for (int64_t j = 0; j < cols; ++j)
      c[j0 + j] += acc[j];
  }
}

/* Matrix-vector products (m == 1): each output is a dot product, or an
 * axpy over contiguous rows of B; packing would waste 5/6 of the kernel. */
static void gemv(int64_t n, int64_t k, const float *a, int64_t a_cs,
                 const float *b, int64_t b_rs, int64_t b_cs, float *c) {
  if (b_rs == 1) { /* B(p, j) contiguous in p: dot products */
    for (int64_t j = 0; j < n; ++j) {
      const float *col = b + j * b_cs;
      float acc0 = 0, acc1 = 0, acc2 = 0, acc3 = 0, acc4 = 0, acc5 = 0,
            acc6 = 0, acc7 = 0;
      int64_t p = 0;
      if (a_cs == 1)
        for (; p + 8 <= k; p += 8) {
          acc0 += a[p] * col[p];         acc1 += a[p + 1] * col[p + 1];
          acc2 += a[p + 2] * col[p + 2]; acc3 += a[p + 3] * col[p + 3];
          acc4 += a[p + 4] * col[p + 4]; acc5 += a[p + 5] * col[p + 5];
          acc6 += a[p + 6] * col[p + 6]; acc7 += a[p + 7] * col[p + 7];
        }
      for (; p < k; ++p)
        acc0 += a[p * a_cs] * col[p];
      c[j] += ((acc0 + acc1) + (acc2 + acc3)) + ((acc4 + acc5) + (acc6 + acc7));
    }
    return;
  }
  for (int64_t p = 0; p < k; ++p) { /* rows of B: c += a[p] * B(p, :) */
    float s = a[p * a_cs];
    const float *row = b + p * b_rs;
    if (b_cs == 1)
      for (int64_t j = 0; j < n; ++j)
        c[j] += s * row[j];
    else
      for (int64_t j = 0; j < n; ++j)
        c[j] += s * row[j * b_cs];
  }
}

struct gemv_job {
  int64_t n, k;
  const float *a;
  int64_t a_cs;
  const float *b;
  int64_t b_rs, b_cs;
  float *c;
  int b_packed;
  int64_t step; /* columns per part */
};

static void gemv_part(void *ctx, int64_t part) {
  struct gemv_job *g = ctx;
  int64_t lo = part * g->step;
  if (lo >= g->n)
    return;
  int64_t len = g->n - lo < g->step ? g->n - lo : g->step;
  if (g->b_packed)
    gemv_packed(len, g->k, g->a, g->a_cs, g->b + (lo / g->b_packed) * g->k * g->b_packed,
                g->b_packed, g->c + lo);
  else
    gemv(len, g->k, g->a, g->a_cs, g->b + lo * g->b_cs, g->b_rs, g->b_cs,
         g->c + lo);
}

struct gemm_job {
  int64_t m, n, k;
  const float *a;
  int64_t a_rs, a_cs;
  const float *b;
  int64_t b_rs, b_cs;
  float *c;
  int64_t c_rs;
  char *pack; /* pack_bytes per part */
  int64_t pack_bytes;
  int b_packed; /* panel width of compile-time packed B, or 0 */
  int a_packed; /* panel height of compile-time packed A, or 0 */
  int split_n; /* parts split N (else M) */
  int64_t step; /* rows or columns per part */
  const struct conv_src *conv; /* B as convolution windows, or NULL */
  int conv_fast;
  int run_mr; /* tile height for A packed at run time */
  int conv_a;  /* the convolution's windows are A (else B) */
  const struct epilogue *epi; /* or NULL */
};

static void gemm_part(void *ctx, int64_t part) {
  struct gemm_job *j = ctx;
  int64_t lo = part * j->step;
  int64_t extent = j->split_n ? j->n : j->m;
  if (lo >= extent)
    return;
  int64_t len = extent - lo < j->step ? extent - lo : j->step;
  float *pack = (float *)(j->pack + part * j->pack_bytes);
  /* A packed part starts at its first panel (lo is a multiple of the
   * panel width). */
  const float *bpart = !j->b ? NULL
                      : j->b_packed ? j->b + (lo / j->b_packed) * j->k * j->b_packed
                                    : j->b + lo * j->b_cs;
  const float *apart = !j->a ? NULL
                      : j->a_packed ? j->a + (lo / j->a_packed) * j->k * j->a_packed
                                    : j->a + lo * j->a_rs;
  /* The part's epilogue operands start at its first row or column. */
  struct epilogue e;
  if (j->epi) {
    e = *j->epi;
    if (e.bias)
      e.bias += lo * (j->split_n ? e.bcs : e.brs);
    if (e.resid)
      e.resid += j->split_n ? lo : lo * e.rrs;
  }
  const struct epilogue *epi = j->epi ? &e : NULL;
  if (j->split_n)
    gemm_serial(j->m, len, j->k, j->a, j->a_rs, j->a_cs, bpart, j->b_rs,
                j->b_cs, j->c + lo, j->c_rs, pack, j->b_packed, j->a_packed,
                j->conv, j->conv_a ? 0 : lo, j->conv_fast, j->run_mr,
                j->conv_a, epi);
  else
    gemm_serial(len, j->n, j->k, apart, j->a_rs, j->a_cs, j->b, j->b_rs,
                j->b_cs, j->c + lo * j->c_rs, j->c_rs, pack, j->b_packed,
                j->a_packed, j->conv, j->conv_a ? lo : 0, j->conv_fast,
                j->run_mr, j->conv_a, epi);
}

static void run_job(struct gemm_job *j, int64_t parts);
static void conv_transposed(int64_t m, int64_t n, int64_t k, const float *w,
                            int64_t w_rs, int64_t w_cs, int w_packed,
                            const struct conv_src *cv, int conv_fast,
                            float *c, int64_t c_rs, char *pack,
                            int64_t parts, const struct epilogue *epi,
                            int64_t pack_bytes);
static void sgemm_small(int64_t m, int64_t n, int64_t k, const float *ab,
                        int64_t a_rs, int64_t a_cs, const float *bb,
                        int64_t b_rs, int64_t b_cs, float *cb, int64_t c_rs,
                        int a_packed, int b_packed,
                        const struct conv_src *conv, int64_t parts);

/* kiln_sgemm and kiln_sgemm_conv: B is a strided (or compile-time packed)
 * matrix, or with `conv` the windows of batch bi's input at
 * conv->in + bi * in_bs. */
static void sgemm(int64_t batch, int64_t m, int64_t n, int64_t k,
                  const float *a, int64_t a_bs, int64_t a_rs, int64_t a_cs,
                  const float *b, int64_t b_bs, int64_t b_rs, int64_t b_cs,
                  float *c, int64_t c_bs, int64_t c_rs, char *pack,
                  int64_t threads, int b_packed, int a_packed,
                  const struct conv_src *conv, int64_t in_bs, int conv_fast,
                  int conv_t, const struct epilogue *epi) {
  if (m == 0 || n == 0)
    return;
  int64_t parts = kiln_pool_threads(threads);
  /* Small transposed products run unpacked (below), which reads either
   * weight layout (prepacked A and B^T panels are laid out alike). */
  int asked_t = conv_t;
  conv_t = kiln_sgemm_conv_applies_transposed(m, n, k, conv_t);
  /* Panels packed for the transposed product are too high for the
   * kernels when it does not apply (one position): unpacked loops then. */
  int small_only = asked_t && !conv_t && a_packed > KILN_SGEMM_MR;
  for (int64_t bi = 0; bi < batch; ++bi) {
    const float *ab = a + bi * a_bs, *bb = conv ? NULL : b + bi * b_bs;
    float *cb = c + bi * c_bs;
    struct conv_src cv;
    if (conv) {
      cv = *conv;
      cv.in += bi * in_bs;
    }
    struct epilogue e;
    const struct epilogue *eb = NULL;
    if (epi) {
      e = *epi;
      if (e.bias)
        e.bias += bi * e.bias_bs;
      if (e.resid)
        e.resid += bi * e.resid_bs;
      eb = &e;
    }
    if (k == 0 || m == 1 || m * n * k <= KILN_SGEMM_TINY || small_only) {
      /* The unpacked paths: the epilogue in whole-matrix passes. */
      if (eb && eb->bias)
        epi_bias_tile(eb, cb, c_rs, 0, 0, m, n);
      if (k > 0)
        sgemm_small(m, n, k, ab, a_rs, a_cs, bb, b_rs, b_cs, cb, c_rs,
                    a_packed, b_packed, conv ? &cv : NULL, parts);
      if (epi_after(eb))
        epi_after_tile(eb, cb, c_rs, 0, 0, m, n);
      continue;
    }
    if (conv_t) {
      conv_transposed(m, n, k, ab, a_rs, a_cs, a_packed, &cv, conv_fast, cb,
                      c_rs, pack, parts, eb, kiln_sgemm_conv_pack_bytes(m, n, k, 1, 1));
      continue;
    }
    struct gemm_job job = {m, n, k, ab, a_rs, a_cs, bb, b_rs, b_cs, cb, c_rs,
                           pack, kiln_sgemm_pack_bytes(m, n, k), b_packed,
                           a_packed, n >= m, 0, conv ? &cv : NULL, conv_fast,
                           0, 0, eb};
    run_job(&job, parts);
  }
}

/* Matrix-vector products and products too small to pack. */
static void sgemm_small(int64_t m, int64_t n, int64_t k, const float *ab,
                        int64_t a_rs, int64_t a_cs, const float *bb,
                        int64_t b_rs, int64_t b_cs, float *cb, int64_t c_rs,
                        int a_packed, int b_packed,
                        const struct conv_src *conv, int64_t parts) {
  if (m == 1 && !conv) {
    /* Matrix-vector products read all of B once: large ones split the
     * columns, so each core streams its share (from its own cache). A
     * packed A row is one panel: element p at p * a_packed. */
    struct gemv_job g = {n, k, ab, a_packed ? a_packed : a_cs, bb, b_rs,
                         b_cs, cb, b_packed, 0};
    int64_t unit = b_packed ? b_packed : 64;
    int64_t use = n * k >= 131072 ? parts : 1;
    int64_t units = (n + unit - 1) / unit;
    g.step = (units + use - 1) / use * unit;
    kiln_pool_run((n + g.step - 1) / g.step, gemv_part, &g);
    return;
  }
  /* Packing would cost more than it saves (and these products get no
   * packing space); operands packed at compile time are read in place. */
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      const float *arow =
          a_packed ? ab + (i / a_packed) * k * a_packed + i % a_packed
                   : ab + i * a_rs;
      int64_t as = a_packed ? a_packed : a_cs;
      float acc = 0;
      if (conv) {
        int64_t col = conv_col(conv, j);
        for (int64_t p = 0; p < k; ++p)
          acc += arow[p * as] * conv_row(conv, p)[col];
      } else {
        const float *bcol =
            b_packed ? bb + (j / b_packed) * k * b_packed + j % b_packed
                     : bb + j * b_cs;
        int64_t bs = b_packed ? b_packed : b_rs;
        for (int64_t p = 0; p < k; ++p)
          acc += arow[p * as] * bcol[p * bs];
      }
      cb[i * c_rs + j] += acc;
    }
}

/* Splits a product in parts of whole micro-tiles along its larger
 * dimension and runs them on the pool; small products stay on one thread. */
static void run_job(struct gemm_job *job, int64_t parts) {
  int64_t m = job->m, n = job->n, k = job->k;
  int b_packed = job->b_packed, a_packed = job->a_packed;
  struct kernel kern = the_kernel();
  int kmr = pick_mr(m, kern), knr = kern.nr;
  job->run_mr = kmr;
  if (b_packed && b_packed != knr) {
    kmr = 6;
    knr = b_packed;
  }
  if (a_packed)
    kmr = a_packed;
  /* The larger dimension is split, unless the other divides into the
   * parts more evenly: 96 x 196 is 8 tiles of 12 rows (4 + 4) but 7
   * panels of 32 columns (4 + 3); at 2 threads 37.5 -> 34.9 us. Each part
   * then packs all of B, which costs more than the imbalance below 48
   * rows a part (64 x 196: 25.7 -> 26.6 us, 32 x 784: 25.6 -> 32.0). */
  if (parts > 1 && job->split_n) {
    int64_t um = (m + kmr - 1) / kmr, un = (n + knr - 1) / knr;
    int64_t per_m = (um + parts - 1) / parts, per_n = (un + parts - 1) / parts;
    /* The longest part's share of the work, times the parts. */
    double slow_m = (double)per_m * parts / um;
    double slow_n = (double)per_n * parts / un;
    if (per_m * kmr >= 48 && slow_m < slow_n)
      job->split_n = 0;
  }
  int64_t extent = job->split_n ? n : m, unit = job->split_n ? knr : kmr;
  int64_t use = parts;
  /* Handing parts to the pool costs about a microsecond (its workers spin
   * between regions): only tiny products stay on the caller. */
  if (2.0 * m * n * k < 4e6 || extent < 2 * unit)
    use = 1;
  int64_t units = (extent + unit - 1) / unit;
  job->step = (units + use - 1) / use * unit;
  use = (extent + job->step - 1) / job->step;
  kiln_pool_run(use, gemm_part, job);
}

#ifdef KILN_X86_KERNELS
/* One row of C from a transposed product: row = c + ch * c_rs + i0 gets
 * act((bias[ch] or row) + v + resid row) in the lanes of mk; act is the
 * clamp to [lo, hi] (epi_clamp_bounds). */
__attribute__((target("avx512f"), always_inline)) static inline void
epi_store_row_avx512(const struct epilogue *epi, float *row, int64_t ch,
                     int64_t i0, __mmask16 mk, __m512 v, __m512 lo,
                     __m512 hi) {
  if (epi && epi->bias)
    v = _mm512_add_ps(v, _mm512_set1_ps(epi->bias[ch * epi->brs]));
  else
    v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(mk, row));
  if (epi && epi->resid)
    v = _mm512_add_ps(
        v, _mm512_maskz_loadu_ps(mk, epi->resid + ch * epi->rrs + i0));
  /* max(lo, v) returns v when v is NaN, as does min(hi, v) */
  _mm512_mask_storeu_ps(row, mk, _mm512_min_ps(hi, _mm512_max_ps(lo, v)));
}

/* The activation as a clamp: [0, inf] for relu, [lo, hi], or none. */
static void epi_clamp_bounds(const struct epilogue *epi, float *lo,
                             float *hi) {
  int act = epi ? epi->act : 0;
  *lo = act == 1 ? 0.0f : act == 2 ? epi->lo : -INFINITY;
  *hi = act == 2 ? epi->hi : INFINITY;
}

/* C[j][i] = act((bias[j] or C[j][i]) + S[i][j] + resid[j][i]) for the
 * transposed product S [n][m]: 16 positions of a channel row at a time,
 * gathered from S (stride m) with the whole epilogue applied before the
 * one store; a scalar pass over S, then one over C for the epilogue, cost
 * more than the product's padding saved. */
__attribute__((target("avx512f"))) static void
transposed_add_avx512(int64_t m, int64_t n, const float *S, float *c,
                      int64_t c_rs, const struct epilogue *epi) {
  const __m512i lanes = _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6,
                                         5, 4, 3, 2, 1, 0);
  const __m512i idx = _mm512_mullo_epi32(lanes, _mm512_set1_epi32((int)m));
  float lo_f, hi_f;
  epi_clamp_bounds(epi, &lo_f, &hi_f);
  __m512 lo = _mm512_set1_ps(lo_f), hi = _mm512_set1_ps(hi_f);
  for (int64_t i0 = 0; i0 < n; i0 += 16) {
    __mmask16 mk = n - i0 >= 16 ? (__mmask16)0xffff
                                : (__mmask16)((1u << (n - i0)) - 1);
    const float *s0 = S + i0 * m;
    for (int64_t j = 0; j < m; ++j) {
      __m512 v = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), mk, idx,
                                          s0 + j, 4);
      epi_store_row_avx512(epi, c + j * c_rs + i0, j, i0, mk, v, lo, hi);
    }
  }
}
#endif

#ifdef KILN_X86_KERNELS
/* A 1x1, stride-1 convolution with few positions (7x7), computed with
 * positions as the tile's rows and the result transposed into C tile by
 * tile: A'(pos, p) = in[p * cs + pos], packed once into panels of MR
 * positions (MR = 7 for 49: no padding), B'(p, ch) = W(ch, p) the weight
 * in compile-time panels of 32 channels. Each MR x 32 tile is transposed
 * in registers and gets bias, residual and activation before its store
 * (MR positions into each of 32 rows of C). */
__attribute__((target("avx512f"), always_inline)) static inline void
pointwise_tile(int64_t k, const float *pa, const float *pb, float *c,
               int64_t c_rs, int64_t i0, int64_t j0, int64_t m, int64_t n,
               const struct epilogue *epi, const int MR) {
  float tile[14 * NR32] __attribute__((aligned(64)));
  /* K in blocks of even length, as gemm_serial's (the sums round alike). */
  int64_t kblocks = (k + KC - 1) / KC, kcb = (k + kblocks - 1) / kblocks;
  for (int64_t pc = 0; pc < k; pc += kcb) {
    int64_t kc = k - pc < kcb ? k - pc : kcb;
    struct tile_epi te = {pc > 0, NULL, 0, NULL, NULL, 0, 0, 0.0f, 0.0f};
    kernel_avx512_mr(kc, pa + pc * MR, pb + pc * NR32, NR32, tile, NR32, MR,
                     NR32, MR, 64, 8, &te);
  }
  int rows = n - i0 < MR ? (int)(n - i0) : MR;
  __mmask16 pm = (__mmask16)((1u << rows) - 1u);
  float lo_f, hi_f;
  epi_clamp_bounds(epi, &lo_f, &hi_f);
  __m512 lo = _mm512_set1_ps(lo_f), hi = _mm512_set1_ps(hi_f);
  for (int h = 0; h < 2; ++h) {
    __m512 v[16];
    for (int r = 0; r < 16; ++r)
      v[r] = r < MR ? _mm512_load_ps(tile + r * NR32 + 16 * h)
                    : _mm512_setzero_ps();
    kiln_transpose16_avx512(v);
    for (int q = 0; q < 16; ++q) {
      int64_t ch = j0 + 16 * h + q;
      if (ch >= m)
        break;
      epi_store_row_avx512(epi, c + ch * c_rs + i0, ch, i0, pm, v[q], lo, hi);
    }
  }
}

struct pointwise_job {
  int64_t m, n, k;
  const float *w; /* 32-channel panels */
  const float *pa; /* packed positions */
  float *c;
  int64_t c_rs;
  const struct epilogue *epi;
  int mr;
  int64_t panels, parts;
};

__attribute__((target("avx512f"))) static void pointwise_part(void *ctx,
                                                              int64_t part) {
  const struct pointwise_job *j = ctx;
  /* Parts take runs of (channel panel, position tile) pairs, panel by
   * panel: 160 channels are 5 panels, 3 + 2 at 2 threads, but 35 pairs. */
  int64_t tiles = (j->n + j->mr - 1) / j->mr, items = j->panels * tiles;
  int64_t begin = items * part / j->parts, end = items * (part + 1) / j->parts;
  for (int64_t it = begin; it < end; ++it) {
    int64_t jp = it / tiles, i0 = it % tiles * j->mr;
    const float *pb = j->w + jp * j->k * NR32;
    {
      const float *pa = j->pa + (i0 / j->mr) * j->k * j->mr;
      switch (j->mr) {
      case 7:
        pointwise_tile(j->k, pa, pb, j->c, j->c_rs, i0, jp * NR32, j->m, j->n,
                       j->epi, 7);
        break;
      case 8:
        pointwise_tile(j->k, pa, pb, j->c, j->c_rs, i0, jp * NR32, j->m, j->n,
                       j->epi, 8);
        break;
      case 12:
        pointwise_tile(j->k, pa, pb, j->c, j->c_rs, i0, jp * NR32, j->m, j->n,
                       j->epi, 12);
        break;
      default:
        pointwise_tile(j->k, pa, pb, j->c, j->c_rs, i0, jp * NR32, j->m, j->n,
                       j->epi, 14);
        break;
      }
    }
  }
}

/* Whether pointwise_rows applies, and its tile height. */
static int pointwise_rows_mr(int64_t n, int64_t k, const struct conv_src *cv,
                             int w_packed, const struct epilogue *epi,
                             int64_t pack_bytes) {
  if (the_kernel().nr != NR32 || w_packed != NR32 || cv->kh != 1 ||
      cv->kw != 1 || cv->sw != 1 || cv->ws != 1 ||
      (n > cv->ow && cv->sh * cv->hs != cv->ow) || (epi && epi->bias && epi->bcs))
    return 0;
  int mr = kiln_sgemm_pointwise_mr(n);
  int64_t up = (n + mr - 1) / mr * mr;
  if ((up * k + 16) * 4 > pack_bytes)
    return 0;
  return mr;
}

__attribute__((target("avx512f"))) static void
pointwise_rows(int64_t m, int64_t n, int64_t k, const float *w,
               const struct conv_src *cv, float *c, int64_t c_rs, char *pack,
               int64_t parts, const struct epilogue *epi, int mr) {
  float *pa = (float *)(((uintptr_t)pack + 63) & ~(uintptr_t)63);
  /* Panels of mr positions: pa[t][p * mr + r] = in[p * cs + t * mr + r]. */
  for (int64_t i0 = 0; i0 < n; i0 += mr) {
    int rows = n - i0 < mr ? (int)(n - i0) : mr;
    __mmask16 rm = (__mmask16)((1u << rows) - 1u);
    float *dst = pa + (i0 / mr) * k * mr;
    for (int64_t p = 0; p < k; ++p)
      _mm512_mask_storeu_ps(dst + p * mr, (__mmask16)((1u << mr) - 1u),
                            _mm512_maskz_loadu_ps(rm, cv->in + p * cv->cs + i0));
  }
  int64_t panels = (m + NR32 - 1) / NR32;
  int64_t items = panels * ((n + mr - 1) / mr);
  int64_t use = parts < items ? parts : items;
  if (2.0 * m * n * k < 4e6)
    use = 1;
  struct pointwise_job job = {m, n, k, w, pa, c, c_rs, epi, mr, panels, use};
  kiln_pool_run(use, pointwise_part, &job);
}
#endif

/* A convolution as C^T = A' B': A'(pos, p) its windows (packed at run
 * time in 8- or 12-row panels), B'(p, ch) = W(ch, p) the weight (in
 * compile-time panels of w_packed columns, else W(i, p) = w[i * w_rs +
 * p * w_cs]), into scratch S [n positions][m channels] at the start of
 * `pack`, then added to C [m][n]. For few positions (7x7, 14x14) this pads
 * them to 8 rows instead of 32 columns. */
static void conv_transposed(int64_t m, int64_t n, int64_t k, const float *w,
                            int64_t w_rs, int64_t w_cs, int w_packed,
                            const struct conv_src *cv, int conv_fast,
                            float *c, int64_t c_rs, char *pack,
                            int64_t parts, const struct epilogue *epi,
                            int64_t pack_bytes) {
#ifdef KILN_X86_KERNELS
  int pmr = pointwise_rows_mr(n, k, cv, w_packed, epi, pack_bytes);
  if (pmr) {
    pointwise_rows(m, n, k, w, cv, c, c_rs, pack, parts, epi, pmr);
    return;
  }
#endif
  float *S = (float *)(((uintptr_t)pack + 63) & ~(uintptr_t)63);
  char *tpack = (char *)(S + (n * m + 15) / 16 * 16);
  memset(S, 0, (size_t)(n * m) * sizeof(float));
  struct gemm_job job = {n, m, k, NULL, 0, 0, w, w_cs, w_rs, S, m, tpack,
                         kiln_sgemm_pack_bytes(n, m, k), w_packed, 0, 0, 0,
                         cv, conv_fast, 0, 1, NULL};
  job.split_n = m >= n;
  run_job(&job, parts);
#ifdef KILN_X86_KERNELS
  if (the_kernel().nr == NR32 && (!epi || !epi->bias || epi->bcs == 0) &&
      n * m < (int64_t)1 << 31) {
    transposed_add_avx512(m, n, S, c, c_rs, epi);
    return;
  }
#endif
  /* C[j][i] = (bias or C[j][i]) + S[i][j], then the rest of the
   * epilogue, row by row of C. */
  for (int64_t i0 = 0; i0 < n; i0 += 16) {
    int64_t i1 = n - i0 < 16 ? n : i0 + 16;
    for (int64_t j = 0; j < m; ++j) {
      float *row = c + j * c_rs;
      if (epi && epi->bias) {
        const float *b = epi->bias + j * epi->brs;
        for (int64_t i = i0; i < i1; ++i)
          row[i] = b[i * epi->bcs] + S[i * m + j];
      } else {
        for (int64_t i = i0; i < i1; ++i)
          row[i] += S[i * m + j];
      }
    }
  }
  if (epi_after(epi))
    epi_after_tile(epi, c, c_rs, 0, 0, m, n);
}

void kiln_sgemm(int64_t batch, int64_t m, int64_t n, int64_t k,
                intptr_t a_addr, int64_t a_bs, int64_t a_rs, int64_t a_cs,
                intptr_t b_addr, int64_t b_bs, int64_t b_rs, int64_t b_cs,
                intptr_t c_addr, int64_t c_bs, int64_t c_rs,
                intptr_t pack_addr, int64_t threads, int64_t b_packed_nr,
                int64_t a_packed_mr) {
  sgemm(batch, m, n, k, (const float *)a_addr, a_bs, a_rs, a_cs,
        (const float *)b_addr, b_bs, b_rs, b_cs, (float *)c_addr, c_bs, c_rs,
        (char *)pack_addr, threads, (int)b_packed_nr, (int)a_packed_mr, NULL,
        0, 0, 0, NULL);
}

/* The epilogue arguments of kiln_sgemm_epi and kiln_sgemm_conv, or NULL
 * when there is nothing to do. */
static const struct epilogue *make_epilogue(struct epilogue *e, intptr_t bias,
                                            int64_t bias_bs, int64_t bias_rs,
                                            int64_t bias_cs, intptr_t resid,
                                            int64_t resid_bs, int64_t resid_rs,
                                            int64_t act, int64_t lo_bits,
                                            int64_t hi_bits) {
  uint32_t lo = (uint32_t)lo_bits, hi = (uint32_t)hi_bits;
  e->bias = (const float *)bias;
  e->bias_bs = bias_bs;
  e->brs = bias_rs;
  e->bcs = bias_cs;
  e->resid = (const float *)resid;
  e->resid_bs = resid_bs;
  e->rrs = resid_rs;
  e->act = act == 1 || act == 2 ? (int)act : 0;
  memcpy(&e->lo, &lo, sizeof lo);
  memcpy(&e->hi, &hi, sizeof hi);
  e->wide = the_kernel().nr == NR32;
  return e->bias || e->resid || e->act ? e : NULL;
}

void kiln_sgemm_epi(int64_t batch, int64_t m, int64_t n, int64_t k,
                    intptr_t a_addr, int64_t a_bs, int64_t a_rs, int64_t a_cs,
                    intptr_t b_addr, int64_t b_bs, int64_t b_rs, int64_t b_cs,
                    intptr_t c_addr, int64_t c_bs, int64_t c_rs,
                    intptr_t pack_addr, int64_t threads, int64_t b_packed_nr,
                    int64_t a_packed_mr, intptr_t bias, int64_t bias_bs,
                    int64_t bias_rs, int64_t bias_cs, intptr_t resid,
                    int64_t resid_bs, int64_t resid_rs, int64_t act,
                    int64_t lo_bits, int64_t hi_bits) {
  struct epilogue e;
  const struct epilogue *epi =
      make_epilogue(&e, bias, bias_bs, bias_rs, bias_cs, resid, resid_bs,
                    resid_rs, act, lo_bits, hi_bits);
  sgemm(batch, m, n, k, (const float *)a_addr, a_bs, a_rs, a_cs,
        (const float *)b_addr, b_bs, b_rs, b_cs, (float *)c_addr, c_bs, c_rs,
        (char *)pack_addr, threads, (int)b_packed_nr, (int)a_packed_mr, NULL,
        0, 0, 0, epi);
}

void kiln_sgemm_conv(int64_t batch, int64_t m, int64_t n, int64_t k,
                     intptr_t a_addr, int64_t a_bs, int64_t a_rs,
                     int64_t a_cs, intptr_t in_addr, int64_t in_bs,
                     int64_t in_cs, int64_t in_hs, int64_t in_ws, int64_t kh,
                     int64_t kw, int64_t ow, int64_t sh, int64_t sw,
                     int64_t dh, int64_t dw, intptr_t c_addr, int64_t c_bs,
                     int64_t c_rs, intptr_t pack_addr, int64_t threads,
                     int64_t a_packed_mr, int64_t transposed, intptr_t bias,
                     int64_t bias_bs, int64_t bias_rs, int64_t bias_cs,
                     intptr_t resid, int64_t resid_bs, int64_t resid_rs,
                     int64_t act, int64_t lo_bits, int64_t hi_bits) {
  struct epilogue e;
  const struct epilogue *epi =
      make_epilogue(&e, bias, bias_bs, bias_rs, bias_cs, resid, resid_bs,
                    resid_rs, act, lo_bits, hi_bits);
  struct conv_src cv = {(const float *)in_addr, in_cs, in_hs, in_ws, kh,
                        kw, ow, sh, sw, dh, dw};
  /* The 32-wide packing gathers with 32-bit offsets within a channel. */
  int64_t oh = n > 0 ? (n + ow - 1) / ow : 0;
  int64_t span = (oh - 1) * sh * in_hs + (ow - 1) * sw * in_ws;
  int fast = span >= 0 && span < INT32_MAX;
  sgemm(batch, m, n, k, (const float *)a_addr, a_bs, a_rs, a_cs, NULL, 0, 0,
        0, (float *)c_addr, c_bs, c_rs, (char *)pack_addr, threads, 0,
        (int)a_packed_mr, &cv, in_bs, fast, (int)transposed, epi);
}
