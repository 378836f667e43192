/* Kiln runtime: sgemm's AVX-512 micro-kernels, panel packing, epilogue
 * tiles, gemv and 7x7 pointwise products, reached only when
 * kiln_cpu_isa() == KILN_ISA_AVX512. */
#include "gemm_internal.h"

#include <math.h>
#include <string.h>

#ifdef KILN_X86_KERNELS
#include <immintrin.h>

/* Row-major B (columns contiguous) into 32-wide panels with AVX-512: each
 * row of the block is read once, in order (one stream; a panel-by-panel
 * copy reads kc rows at once, 128 bytes each), and its 32-column pieces
 * go to their panels; the last panel's missing columns are zeros. A
 * memcpy per piece cost mobilenet_v2's 12544-column products 30%. */
__attribute__((target("avx512f"))) void
kiln_gemm_pack_b_rows32_avx512(int64_t kc, int64_t nc, const float *b, int64_t rs,
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
  kiln_gemm_add_tile(tile, NR32, c, ldc, mr, nr);
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
__attribute__((target("avx512f"))) void
kiln_gemm_pack_conv_avx512(int64_t kc, int64_t nc, int64_t p0, int64_t j0,
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

__attribute__((target("avx512f"))) void
kiln_gemm_epi_after_tile_avx512(const struct epilogue *e, float *ct, int64_t c_rs,
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

__attribute__((target("avx512f"))) void
kiln_gemm_epi_bias_tile_avx512(const struct epilogue *e, float *ct, int64_t c_rs,
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

/* gemv over 32-wide packed panels with AVX-512: four k steps in flight. */
__attribute__((target("avx512f"))) void
kiln_gemm_gemv_packed32_avx512(int64_t n, int64_t k, const float *a, int64_t a_cs,
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
__attribute__((target("avx512f"))) void
kiln_gemm_transposed_add_avx512(int64_t m, int64_t n, const float *S, float *c,
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


__attribute__((target("avx512f"))) void
kiln_gemm_pointwise_rows(int64_t m, int64_t n, int64_t k, const float *w,
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

struct kernel kiln_gemm_avx512_kernel(void) {
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
}
#endif
