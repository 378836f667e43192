/* Kiln runtime: depthwise 2-D convolution for generated code.
 *
 * One filter per channel (mobilenet's 3x3 layers). Zero padding is read in
 * place, so no padded copy of the input is ever written. With AVX-512:
 *   - 16-channel blocks (gapless planes up to 32 columns, at stride 2 up to
 *     64, any kernel but 3x3 with padding 1): channels in the lanes, the
 *     input transposed in bands with its padding as zeros;
 *   - 3x3 rows with padding 1 (wider planes): one load per input row and
 *     16-column chunk, the side taps shifted in from the neighbouring
 *     registers (stride 2: even and odd lanes of 32 loaded columns);
 *   - masked rows for the rest (strided views): up to eight chunks of an
 *     output row in registers, each tap's weight broadcast once.
 * Otherwise portable loops (built for AVX2 too). The bias and a relu or
 * clamp are applied before each store. Planes (or blocks) are split
 * across the runtime's thread pool. */
#include "kiln/runtime.h"
#include "cpu.h"
#include "runtime_internal.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

struct dw_job {
  int64_t planes, channels; /* planes = batch * channels */
  int64_t h, w, in_bs, in_cs, in_hs;
  const float *in, *wt, *bias;
  int64_t kh, kw, oh, ow, sh, sw, dh, dw, ph, pw;
  float *out;
  int64_t out_bs, out_cs, out_hs;
  int act;
  float lo, hi;
  int wide; /* AVX-512: 1 masked rows, 2 the 3x3 shifted-register rows,
               4 channel blocks; -1 the portable loops built for AVX2 */
  int64_t band; /* channel blocks: output rows per band */
  char *scratch; /* their buffers, 64-byte aligned, per part */
  int64_t tout_at; /* the output buffer's offset (floats) after the input's */
  int64_t cb_wp; /* positions a row of the blocks' padded input */
};

/* The taps of kernel row ky that fall inside the input for output row y:
 * [*ky0, *ky1). */
static void dw_rows(const struct dw_job *j, int64_t y, int64_t *ky0,
                    int64_t *ky1) {
  int64_t iy = y * j->sh - j->ph; /* row of tap 0 */
  int64_t lo = 0, hi = j->kh;
  while (lo < hi && iy + lo * j->dh < 0)
    ++lo;
  while (hi > lo && iy + (hi - 1) * j->dh >= j->h)
    --hi;
  *ky0 = lo;
  *ky1 = hi;
}

/* One channel plane, portable: every output sums its in-bounds taps; the
 * columns whose taps are all inside need no checks (and vectorize; built
 * twice, for the baseline ISA and for AVX2/FMA). */
__attribute__((always_inline)) static inline void
dw_plane_loops(const struct dw_job *j, const float *in, const float *wt,
               float bias, float *out) {
  /* Output columns [x0, x1) read only columns inside [0, w). */
  int64_t x0 = 0, x1 = j->ow;
  while (x0 < x1 && x0 * j->sw - j->pw < 0)
    ++x0;
  while (x1 > x0 && (x1 - 1) * j->sw + (j->kw - 1) * j->dw - j->pw >= j->w)
    --x1;
  /* 3x3 filters at dilation 1, stride 1 or 2: rows whose three input rows
   * exist sum all nine taps per output in one pass over the interior
   * columns (a pass per tap costs more than the taps at these widths). */
  int fast3 = j->kh == 3 && j->kw == 3 && j->dh == 1 && j->dw == 1 &&
              (j->sw == 1 || j->sw == 2);
  float w9[9] = {0};
  if (fast3)
    for (int t = 0; t < 9; ++t)
      w9[t] = wt[t];
  for (int64_t y = 0; y < j->oh; ++y) {
    int64_t ky0, ky1;
    dw_rows(j, y, &ky0, &ky1);
    float *orow = out + y * j->out_hs;
    if (fast3 && ky0 == 0 && ky1 == 3 && x1 > x0) {
      const float *r = in + (y * j->sh - j->ph) * j->in_hs - j->pw;
      const float *restrict r0 = r, *restrict r1 = r + j->in_hs,
                            *restrict r2 = r + 2 * j->in_hs;
      float *restrict o = orow;
      if (j->sw == 1)
        for (int64_t x = x0; x < x1; ++x)
          o[x] = bias + w9[0] * r0[x] + w9[1] * r0[x + 1] + w9[2] * r0[x + 2] +
                 w9[3] * r1[x] + w9[4] * r1[x + 1] + w9[5] * r1[x + 2] +
                 w9[6] * r2[x] + w9[7] * r2[x + 1] + w9[8] * r2[x + 2];
      else
        for (int64_t x = x0; x < x1; ++x)
          o[x] = bias + w9[0] * r0[2 * x] + w9[1] * r0[2 * x + 1] +
                 w9[2] * r0[2 * x + 2] + w9[3] * r1[2 * x] +
                 w9[4] * r1[2 * x + 1] + w9[5] * r1[2 * x + 2] +
                 w9[6] * r2[2 * x] + w9[7] * r2[2 * x + 1] +
                 w9[8] * r2[2 * x + 2];
      /* The border columns [0, x0) and [x1, ow), tap by tap. */
      for (int side = 0; side < 2; ++side)
        for (int64_t x = side ? x1 : 0; x < (side ? j->ow : x0); ++x) {
          float acc = bias;
          for (int64_t ky = 0; ky < 3; ++ky)
            for (int64_t kx = 0; kx < 3; ++kx) {
              int64_t ix = x * j->sw + kx - j->pw;
              if (ix >= 0 && ix < j->w)
                acc += w9[3 * ky + kx] * r[ky * j->in_hs + j->pw + ix];
            }
          o[x] = acc;
        }
    } else {
    for (int64_t x = 0; x < j->ow; ++x)
      orow[x] = bias;
    for (int64_t ky = ky0; ky < ky1; ++ky) {
      const float *irow = in + (y * j->sh - j->ph + ky * j->dh) * j->in_hs;
      for (int64_t kx = 0; kx < j->kw; ++kx) {
        float wv = wt[ky * j->kw + kx];
        int64_t off = kx * j->dw - j->pw;
        for (int64_t x = 0; x < x0; ++x) {
          int64_t ix = x * j->sw + off;
          if (ix >= 0 && ix < j->w)
            orow[x] += wv * irow[ix];
        }
        /* (restrict and a constant stride: the loop vectorizes) */
        float *restrict o = orow + x0;
        const float *restrict ip = irow + x0 * j->sw + off;
        int64_t nx = x1 - x0;
        if (j->sw == 1)
          for (int64_t x = 0; x < nx; ++x)
            o[x] += wv * ip[x];
        else if (j->sw == 2)
          for (int64_t x = 0; x < nx; ++x)
            o[x] += wv * ip[2 * x];
        else
          for (int64_t x = 0; x < nx; ++x)
            o[x] += wv * ip[x * j->sw];
        for (int64_t x = x1; x < j->ow; ++x) {
          int64_t ix = x * j->sw + off;
          if (ix >= 0 && ix < j->w)
            orow[x] += wv * irow[ix];
        }
      }
    }
    }
    if (j->act) {
      const float lo = j->lo, hi = j->act == 2 ? j->hi : INFINITY;
      for (int64_t x = 0; x < j->ow; ++x) {
        float v = orow[x], t = v > lo ? v : lo;
        t = t < hi ? t : hi;
        orow[x] = v != v ? v : t; /* NaN propagates */
      }
    }
  }
}

static void dw_plane_generic(const struct dw_job *j, const float *in,
                             const float *wt, float bias, float *out) {
  dw_plane_loops(j, in, wt, bias, out);
}

#ifdef KILN_X86_KERNELS
#include <immintrin.h>

__attribute__((target("avx2,fma"))) static void
dw_plane_avx2(const struct dw_job *j, const float *in, const float *wt,
              float bias, float *out) {
  dw_plane_loops(j, in, wt, bias, out);
}

/* Output chunks of 16 columns a row keeps in registers at once. */
#define DW_CHUNKS 8
/* Widest rows and kernels the AVX-512 path takes (its mask table). */
#define DW_MAX_CHUNKS 64
#define DW_MAX_KW 16


/* Where tap column kx of output chunk q reads: columns x0 + i * sw for
 * lane i, loaded as one (stride 1) or two (stride 2) masked vectors. */
struct dw_tap {
  int64_t x0;
  __mmask16 m0, m1;
};

/* Lanes i of a 16-wide load at column x0 that fall inside [0, w). */
static __mmask16 dw_inside(int64_t x0, int64_t w) {
  int64_t lo = x0 < 0 ? -x0 : 0, hi = w - x0;
  if (hi > 16)
    hi = 16;
  if (hi <= lo)
    return 0;
  uint32_t bits = ((1u << hi) - 1) & ~((1u << lo) - 1);
  return (__mmask16)bits;
}

__attribute__((target("avx512f"), always_inline)) static inline void
dw_chunks_avx512(const struct dw_job *j, const struct dw_tap *taps,
                 const float *in, const float *wt, float bias, float *orow,
                 int64_t y, int64_t q0, const int nb) {
  __m512 acc[DW_CHUNKS];
  for (int b = 0; b < nb; ++b)
    acc[b] = _mm512_set1_ps(bias);
  int64_t ky0, ky1;
  dw_rows(j, y, &ky0, &ky1);
  const __m512i even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14,
                                        12, 10, 8, 6, 4, 2, 0);
  for (int64_t ky = ky0; ky < ky1; ++ky) {
    const float *irow = in + (y * j->sh - j->ph + ky * j->dh) * j->in_hs;
    for (int64_t kx = 0; kx < j->kw; ++kx) {
      __m512 wv = _mm512_set1_ps(wt[ky * j->kw + kx]);
      const struct dw_tap *t = taps + q0 * j->kw + kx;
      for (int b = 0; b < nb; ++b, t += j->kw) {
        __m512 v = _mm512_maskz_loadu_ps(t->m0, irow + t->x0);
        if (j->sw == 2)
          v = _mm512_permutex2var_ps(
              v, even, _mm512_maskz_loadu_ps(t->m1, irow + t->x0 + 16));
        acc[b] = _mm512_fmadd_ps(v, wv, acc[b]);
      }
    }
  }
  __m512 lo = _mm512_set1_ps(j->lo), hi = _mm512_set1_ps(j->hi);
  for (int b = 0; b < nb; ++b) {
    __m512 v = acc[b];
    if (j->act) /* max(lo, v) returns v when v is NaN */
      v = _mm512_max_ps(lo, v);
    if (j->act == 2)
      v = _mm512_min_ps(hi, v);
    int64_t x = (q0 + b) * 16;
    __mmask16 m = j->ow - x >= 16 ? (__mmask16)0xffff
                                  : (__mmask16)((1u << (j->ow - x)) - 1);
    _mm512_mask_storeu_ps(orow + x, m, v);
  }
}

__attribute__((target("avx512f"))) static void
dw_plane_avx512(const struct dw_job *j, const struct dw_tap *taps,
                const float *in, const float *wt, float bias, float *out) {
  int64_t nq = (j->ow + 15) / 16;
  for (int64_t y = 0; y < j->oh; ++y) {
    float *orow = out + y * j->out_hs;
    for (int64_t q0 = 0; q0 < nq; q0 += DW_CHUNKS) {
      switch (nq - q0 < DW_CHUNKS ? nq - q0 : DW_CHUNKS) {
#define DW_CASE(n)                                                             \
  case n:                                                                      \
    dw_chunks_avx512(j, taps, in, wt, bias, orow, y, q0, n);                   \
    break;
        DW_CASE(1)
        DW_CASE(2)
        DW_CASE(3)
        DW_CASE(4)
        DW_CASE(5)
        DW_CASE(6)
        DW_CASE(7)
        DW_CASE(8)
#undef DW_CASE
      }
    }
  }
}
/* Columns [x, x + 16) of an output row of `width`: the sum of the three
 * input rows' accumulators, the activation (max(lo, v) returns v when v
 * is NaN), then the store (masked past the row's end). */
__attribute__((target("avx512f"), always_inline)) static inline void
dw_store_sum3(float *orow, int64_t x, int64_t width, const __m512 acc[3],
              int act, __m512 lo, __m512 hi) {
  __m512 v = _mm512_add_ps(_mm512_add_ps(acc[0], acc[1]), acc[2]);
  if (act)
    v = _mm512_max_ps(lo, v);
  if (act == 2)
    v = _mm512_min_ps(hi, v);
  if (x + 16 <= width)
    _mm512_storeu_ps(orow + x, v);
  else
    _mm512_mask_storeu_ps(orow + x, dw_inside(x, width), v);
}

/* Stride 1 with one column of padding each side (ow = w): each input row
 * is loaded once per chunk, 16 columns aligned with the output's, and
 * the taps left and right of it are shifted in from the neighbouring
 * chunks' registers (valignd), so three loads feed nine FMAs. */
__attribute__((target("avx512f"))) static void
dw3x3s1p1_plane_avx512(const struct dw_job *j, const float *in,
                       const float *wt, float bias, float *out) {
  __m512 wv[9];
  for (int t = 0; t < 9; ++t)
    wv[t] = _mm512_set1_ps(wt[t]);
  const __m512 b0 = _mm512_set1_ps(bias), lo = _mm512_set1_ps(j->lo),
               hi = _mm512_set1_ps(j->hi);
  const int act = j->act;
  const int64_t h = j->h, w = j->w, in_hs = j->in_hs;
  const __mmask16 first = dw_inside(0, w);
  for (int64_t y = 0; y < j->oh; ++y) {
    int64_t iy = y - j->ph;
    float *orow = out + y * j->out_hs;
    const float *rows[3];
    int valid[3];
    __m512i prev[3], cur[3];
    for (int ky = 0; ky < 3; ++ky) {
      valid[ky] = iy + ky >= 0 && iy + ky < h;
      rows[ky] = in + (iy + ky) * in_hs;
      prev[ky] = _mm512_setzero_si512();
      cur[ky] = valid[ky] ? _mm512_castps_si512(
                                _mm512_maskz_loadu_ps(first, rows[ky]))
                          : _mm512_setzero_si512();
    }
    for (int64_t x = 0; x < w; x += 16) {
      int whole = x + 32 <= w; /* the next chunk's columns all exist */
      __mmask16 mn = whole ? (__mmask16)0xffff : dw_inside(x + 16, w);
      __m512 acc[3] = {b0, _mm512_setzero_ps(), _mm512_setzero_ps()};
      for (int ky = 0; ky < 3; ++ky) {
        if (!valid[ky])
          continue;
        const float *p = rows[ky] + x + 16;
        __m512i next = _mm512_castps_si512(
            whole ? _mm512_loadu_ps(p) : _mm512_maskz_loadu_ps(mn, p));
        __m512 t0 = _mm512_castsi512_ps(
            _mm512_alignr_epi32(cur[ky], prev[ky], 15));
        __m512 t2 =
            _mm512_castsi512_ps(_mm512_alignr_epi32(next, cur[ky], 1));
        acc[ky] = _mm512_fmadd_ps(t0, wv[3 * ky], acc[ky]);
        acc[ky] = _mm512_fmadd_ps(_mm512_castsi512_ps(cur[ky]),
                                  wv[3 * ky + 1], acc[ky]);
        acc[ky] = _mm512_fmadd_ps(t2, wv[3 * ky + 2], acc[ky]);
        prev[ky] = cur[ky];
        cur[ky] = next;
      }
      dw_store_sum3(orow, x, w, acc, act, lo, hi);
    }
  }
}

/* Stride 2 with one column of padding each side: output column x reads
 * input columns 2x - 1, 2x, 2x + 1. Each chunk loads 32 input columns
 * from 2x - 1 once and splits them into even lanes (tap 0) and odd lanes
 * (tap 1); tap 2 is the even lanes shifted by one, the next chunk's first
 * shifted in (valignd). Two loads and two permutes feed nine FMAs. */
__attribute__((target("avx512f"))) static void
dw3x3s2p1_plane_avx512(const struct dw_job *j, const float *in,
                       const float *wt, float bias, float *out) {
  __m512 wv[9];
  for (int t = 0; t < 9; ++t)
    wv[t] = _mm512_set1_ps(wt[t]);
  const __m512 b0 = _mm512_set1_ps(bias), lo = _mm512_set1_ps(j->lo),
               hi = _mm512_set1_ps(j->hi);
  const __m512i even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14,
                                        12, 10, 8, 6, 4, 2, 0);
  const __m512i odd = _mm512_set_epi32(31, 29, 27, 25, 23, 21, 19, 17, 15,
                                       13, 11, 9, 7, 5, 3, 1);
  const int act = j->act;
  const int64_t h = j->h, w = j->w, in_hs = j->in_hs, ow = j->ow;
  for (int64_t y = 0; y < j->oh; ++y) {
    int64_t iy = 2 * y - j->ph;
    float *orow = out + y * j->out_hs;
    const float *rows[3];
    int valid[3];
    __m512 ev[3], od[3];
    for (int ky = 0; ky < 3; ++ky) {
      valid[ky] = iy + ky >= 0 && iy + ky < h;
      rows[ky] = in + (iy + ky) * in_hs - 1;
      ev[ky] = od[ky] = _mm512_setzero_ps();
      if (valid[ky]) {
        __m512 a = _mm512_maskz_loadu_ps(dw_inside(-1, w), rows[ky]),
               b = w > 15 ? _mm512_maskz_loadu_ps(dw_inside(15, w),
                                                  rows[ky] + 16)
                          : _mm512_setzero_ps();
        ev[ky] = _mm512_permutex2var_ps(a, even, b);
        od[ky] = _mm512_permutex2var_ps(a, odd, b);
      }
    }
    for (int64_t x = 0; x < ow; x += 16) {
      int64_t c = 2 * (x + 16) - 1; /* the next chunk's first column */
      int whole = c + 32 <= w, none = c >= w; /* its columns all exist, none */
      __mmask16 ma = whole ? (__mmask16)0xffff : dw_inside(c, w),
                mb = whole ? (__mmask16)0xffff : dw_inside(c + 16, w);
      __m512 acc[3] = {b0, _mm512_setzero_ps(), _mm512_setzero_ps()};
      for (int ky = 0; ky < 3; ++ky) {
        if (!valid[ky])
          continue;
        if (none) { /* the last chunk: its right neighbours are padding */
          __m512 t2 = _mm512_castsi512_ps(_mm512_alignr_epi32(
              _mm512_setzero_si512(), _mm512_castps_si512(ev[ky]), 1));
          acc[ky] = _mm512_fmadd_ps(ev[ky], wv[3 * ky], acc[ky]);
          acc[ky] = _mm512_fmadd_ps(od[ky], wv[3 * ky + 1], acc[ky]);
          acc[ky] = _mm512_fmadd_ps(t2, wv[3 * ky + 2], acc[ky]);
          continue;
        }
        const float *p = rows[ky] + 2 * (x + 16);
        __m512 a = whole ? _mm512_loadu_ps(p) : _mm512_maskz_loadu_ps(ma, p),
               b = whole ? _mm512_loadu_ps(p + 16)
                         : _mm512_maskz_loadu_ps(mb, p + 16);
        __m512 en = _mm512_permutex2var_ps(a, even, b);
        __m512 t2 = _mm512_castsi512_ps(_mm512_alignr_epi32(
            _mm512_castps_si512(en), _mm512_castps_si512(ev[ky]), 1));
        acc[ky] = _mm512_fmadd_ps(ev[ky], wv[3 * ky], acc[ky]);
        acc[ky] = _mm512_fmadd_ps(od[ky], wv[3 * ky + 1], acc[ky]);
        acc[ky] = _mm512_fmadd_ps(t2, wv[3 * ky + 2], acc[ky]);
        ev[ky] = en;
        od[ky] = _mm512_permutex2var_ps(a, odd, b);
      }
      dw_store_sum3(orow, x, ow, acc, act, lo, hi);
    }
  }
}

/* Gapless planes, 16 channels at a time with the channels in the lanes, as
 * a channel-blocked layout would hold them. A band of the block's input
 * rows is transposed into [position][16 channels] (16x16 register
 * transposes) with its padding as zeros, each output position sums its
 * taps with one broadcast-free FMA each, unchecked, and the band's outputs
 * are transposed back. A 7x7 plane then costs 49 vectors for 16 channels
 * instead of 4 per channel. */
#define DW_CB_MAX KILN_DWCONV_BLOCK_POSITIONS
#define DW_CB_TAPS 25

/* K: the filter's size when it is K x K at dilation 1 (its taps unrolled,
 * the weights in registers), else 0. */
__attribute__((target("avx512f"), always_inline)) static inline void
dw_cblock_body(const struct dw_job *j, int64_t b, int64_t c0, float *tin,
               const int K) {
  float *tout = tin + j->tout_at;
  /* (The job's fields in locals: the loops store floats through pointers
   * the compiler cannot tell from the job's.) */
  const int64_t h = j->h, w = j->w, ow = j->ow, oh = j->oh, kh = j->kh,
                kw = j->kw, sh = j->sh, sw = j->sw, dh = j->dh, dw = j->dw,
                ph = j->ph, pw = j->pw, band = j->band, in_cs = j->in_cs,
                out_cs = j->out_cs, taps = K ? K * K : kh * kw;
  const int act = j->act;
  int nc = j->channels - c0 < 16 ? (int)(j->channels - c0) : 16;
  __mmask16 cm = (__mmask16)((1u << nc) - 1u);
  const float *in = j->in + b * j->in_bs + c0 * in_cs;
  float *out = j->out + b * j->out_bs + c0 * out_cs;
  const __m512i lanes = _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6,
                                         5, 4, 3, 2, 1, 0);
  const __m512i widx = _mm512_mullo_epi32(lanes, _mm512_set1_epi32((int)taps));
  __m512 wv[DW_CB_TAPS];
  int64_t off[DW_CB_TAPS];
  for (int64_t t = 0; t < taps; ++t) {
    wv[t] = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), cm, widx,
                                     j->wt + c0 * taps + t, 4);
    off[t] = ((t / kw) * dh * j->cb_wp + (t % kw) * dw) * 16;
  }
  __m512 b0 = j->bias ? _mm512_maskz_loadu_ps(cm, j->bias + c0)
                      : _mm512_setzero_ps();
  /* The activation as a clamp to [lo, hi], +-inf where it has no bound,
   * so the loops have no branch on it (max(lo, v) returns v when v is
   * NaN, as does min(hi, v)). */
  __m512 lo = _mm512_set1_ps(act ? j->lo : -INFINITY),
         hi = _mm512_set1_ps(act == 2 ? j->hi : INFINITY);
  __m512 v[16];
  /* tin holds the band's input rows with their padding as zeros: rows
   * above and below the plane, padL columns left and padR right, wp
   * positions a row, so every output position reads its taps unchecked. */
  const int64_t padL = pw, wp = j->cb_wp, padR = wp - w - pw;
  (void)padR;
  for (int64_t y0 = 0; y0 < oh; y0 += band) {
    int64_t y1 = y0 + band < oh ? y0 + band : oh;
    int64_t ra = y0 * sh - ph, rb = (y1 - 1) * sh - ph + (kh - 1) * dh + 1;
    const __m512 zero = _mm512_setzero_ps();
    for (int64_t ir = ra; ir < rb; ++ir) {
      float *trow = tin + (ir - ra) * wp * 16;
      if (ir < 0 || ir >= h) {
        for (int64_t x = 0; x < wp; ++x)
          _mm512_store_ps(trow + x * 16, zero);
        continue;
      }
      for (int64_t x = 0; x < padL; ++x)
        _mm512_store_ps(trow + x * 16, zero);
      for (int64_t x = padL + w; x < wp; ++x)
        _mm512_store_ps(trow + x * 16, zero);
      /* The row's positions, 16 at a time (transposes a row: stores in
       * place beat fewer transposes across rows with scattered stores). */
      const float *src = in + ir * w;
      for (int64_t x0 = 0; x0 < w; x0 += 16) {
        __mmask16 xm = dw_inside(x0, w);
        for (int r = 0; r < 16; ++r)
          v[r] = r < nc ? _mm512_maskz_loadu_ps(xm, src + r * in_cs + x0)
                        : zero;
        kiln_transpose16_avx512(v);
        for (int q = 0; q < 16 && x0 + q < w; ++q)
          _mm512_store_ps(trow + (padL + x0 + q) * 16, v[q]);
      }
    }
    for (int64_t oy = y0; oy < y1; ++oy) {
      const float *trow = tin + (oy - y0) * sh * wp * 16;
      float *orow = tout + (oy - y0) * ow * 16;
      for (int64_t ox = 0; ox < ow; ++ox) {
        const float *base = trow + ox * sw * 16;
        __m512 acc = b0;
        if (K) {
#pragma GCC unroll 5
          for (int ky = 0; ky < K; ++ky)
#pragma GCC unroll 5
            for (int kx = 0; kx < K; ++kx)
              acc = _mm512_fmadd_ps(_mm512_load_ps(base + (ky * wp + kx) * 16),
                                    wv[ky * K + kx], acc);
        } else {
          for (int64_t t = 0; t < taps; ++t)
            acc = _mm512_fmadd_ps(_mm512_load_ps(base + off[t]), wv[t], acc);
        }
        acc = _mm512_min_ps(hi, _mm512_max_ps(lo, acc));
        _mm512_store_ps(orow + ox * 16, acc);
      }
    }
    /* The band's output rows back to the channel planes. */
    float *dst = out + y0 * ow;
    int64_t no = (y1 - y0) * ow;
    for (int64_t p0 = 0; p0 < no; p0 += 16) {
      __mmask16 pm = dw_inside(p0, no);
      for (int q = 0; q < 16; ++q)
        v[q] = p0 + q < no ? _mm512_load_ps(tout + (p0 + q) * 16)
                           : _mm512_setzero_ps();
      kiln_transpose16_avx512(v);
      for (int r = 0; r < nc; ++r)
        _mm512_mask_storeu_ps(dst + r * out_cs + p0, pm, v[r]);
    }
  }
}

/* tin: the part's scratch (two buffers of DW_CB_MAX x 16 floats). */
__attribute__((target("avx512f"))) static void
dw_cblock_avx512(const struct dw_job *j, int64_t b, int64_t c0, float *tin) {
  int square = j->kh == j->kw && j->dh == 1 && j->dw == 1;
  if (square && j->kh == 3)
    dw_cblock_body(j, b, c0, tin, 3);
  else if (square && j->kh == 5)
    dw_cblock_body(j, b, c0, tin, 5);
  else
    dw_cblock_body(j, b, c0, tin, 0);
}
#endif

struct dw_part {
  const struct dw_job *job;
  const void *taps;
  int64_t parts;
};

static void dw_run_part(void *ctx, int64_t part) {
  const struct dw_part *p = ctx;
  const struct dw_job *j = p->job;
  int64_t begin = j->planes * part / p->parts;
  int64_t end = j->planes * (part + 1) / p->parts;
#ifdef KILN_X86_KERNELS
  if (j->wide == 4) { /* parts of 16-channel blocks */
    int64_t blocks = (j->channels + 15) / 16;
    float *tin = (float *)(j->scratch + part * 2 * DW_CB_MAX * 16 * 4);
    for (int64_t bl = begin; bl < end; ++bl)
      dw_cblock_avx512(j, bl / blocks, bl % blocks * 16, tin);
    return;
  }
#endif
  for (int64_t pl = begin; pl < end; ++pl) {
    int64_t b = pl / j->channels, c = pl % j->channels;
    const float *in = j->in + b * j->in_bs + c * j->in_cs;
    const float *wt = j->wt + c * j->kh * j->kw;
    float bias = j->bias ? j->bias[c] : 0.0f;
    float *out = j->out + b * j->out_bs + c * j->out_cs;
#ifdef KILN_X86_KERNELS
    if (j->wide == 2) {
      if (j->sw == 1)
        dw3x3s1p1_plane_avx512(j, in, wt, bias, out);
      else
        dw3x3s2p1_plane_avx512(j, in, wt, bias, out);
      continue;
    }
    if (j->wide == 1) {
      dw_plane_avx512(j, p->taps, in, wt, bias, out);
      continue;
    }
    if (j->wide == -1) {
      dw_plane_avx2(j, in, wt, bias, out);
      continue;
    }
#endif
    dw_plane_generic(j, in, wt, bias, out);
  }
}

void kiln_dwconv2d(int64_t batch, int64_t channels, int64_t h, int64_t w,
                   intptr_t in, int64_t in_bs, int64_t in_cs, int64_t in_hs,
                   intptr_t weight, int64_t kh, int64_t kw, intptr_t bias,
                   int64_t oh, int64_t ow, int64_t sh, int64_t sw, int64_t dh,
                   int64_t dw, int64_t ph, int64_t pw, intptr_t out,
                   int64_t out_bs, int64_t out_cs, int64_t out_hs, int64_t act,
                   int64_t lo_bits, int64_t hi_bits, int64_t threads,
                   intptr_t scratch) {
  if (batch <= 0 || channels <= 0 || oh <= 0 || ow <= 0)
    return;
  struct dw_job j = {batch * channels,
                     channels,
                     h,
                     w,
                     in_bs,
                     in_cs,
                     in_hs,
                     (const float *)in,
                     (const float *)weight,
                     (const float *)bias,
                     kh,
                     kw,
                     oh,
                     ow,
                     sh,
                     sw,
                     dh,
                     dw,
                     ph,
                     pw,
                     (float *)out,
                     out_bs,
                     out_cs,
                     out_hs,
                     act == 1 || act == 2 ? (int)act : 0,
                     0.0f,
                     0.0f,
                     0,
                     0,
                     (char *)((scratch + 63) & ~(intptr_t)63),
                     0,
                     0};
  uint32_t lo = (uint32_t)lo_bits, hi = (uint32_t)hi_bits;
  memcpy(&j.lo, &lo, sizeof lo);
  memcpy(&j.hi, &hi, sizeof hi);
  if (j.act == 1) /* relu: lo and hi are not arguments */
    j.lo = 0.0f;
  struct dw_part part = {&j, NULL, 1};
#ifdef KILN_X86_KERNELS
  struct dw_tap taps[DW_MAX_CHUNKS * DW_MAX_KW];
  enum kiln_isa isa = kiln_cpu_isa();
  int avx512 = isa == KILN_ISA_AVX512;
  if (isa >= KILN_ISA_AVX2)
    j.wide = -1;
  /* 3x3, dilation 1, padding 1, stride 1 or 2 both ways: the rows' loops
   * with shifted registers. */
  int rows3 = avx512 && kh == 3 && kw == 3 && dh == 1 && dw == 1 && sh == sw &&
              (sw == 1 || sw == 2) && pw == 1;
  /* Gapless planes can go in 16-channel blocks, in bands of output rows
   * whose input rows (with their padding: pw columns left, as many right
   * as the last output's taps reach past the plane) and outputs fit the
   * scratch buffers, in the smallest buffers that hold a band (then in
   * L1), up to all of them for wide rows. */
  int64_t pad_r = (ow - 1) * sw + (kw - 1) * dw - pw - (w - 1);
  j.cb_wp = pw + w + (pad_r > 0 ? pad_r : 0);
  int64_t band = 0, cap = DW_CB_MAX / 4;
  if (avx512 && scratch && threads > 0 && kh * kw <= DW_CB_TAPS &&
      in_hs == w && out_hs == ow)
    for (; cap <= DW_CB_MAX && band == 0; cap *= 2) {
      band = ow <= cap ? cap / ow : 0;
      if (band > oh)
        band = oh;
      while (band > 0 && ((band - 1) * sh + (kh - 1) * dh + 1) * j.cb_wp > cap)
        --band;
    }
  /* Blocks beat the rows' loops up to 32 columns, at stride 2 up to 64,
   * and for anything the shifted-register loops do not take (measured, 1
   * thread: 960 channels at 7x7 24.4 -> 18.6 us; 192 at 28x28 41.5 ->
   * 33.5, at stride 2 19.2 -> 12.4; 5x5 taps at 56x56 520 -> 262). 3x3 at
   * 56 and 112 columns, stride 1, they lose (90 vs 110 us at 56x56). */
  if (band >= 1 && (!rows3 || w <= 32 || (sw == 2 && w <= 64))) {
    j.wide = 4;
    j.band = band;
    j.planes = batch * ((channels + 15) / 16);
    /* The output buffer right after the input's positions, one cache
     * line off, not DW_CB_MAX positions on: buffers a multiple of 4 KB
     * apart evict each other's lines from L1 (5x5 taps at 56x56: 313 ->
     * 250 us). */
    j.tout_at = cap / 2 * 16 + 16;
  } else if (rows3) {
    j.wide = 2;
  } else if (avx512 && (sw == 1 || sw == 2) &&
             (ow + 15) / 16 <= DW_MAX_CHUNKS && kw <= DW_MAX_KW) {
    /* The masked rows' table: built once, read by every plane. */
    j.wide = 1;
    int64_t nq = (ow + 15) / 16;
    for (int64_t q = 0; q < nq; ++q)
      for (int64_t kx = 0; kx < kw; ++kx) {
        struct dw_tap *t = &taps[q * kw + kx];
        t->x0 = q * 16 * sw + kx * dw - pw;
        /* Stride 2: lane i keeps column x0 + 2i, the even lanes of 32. */
        t->m0 = dw_inside(t->x0, w);
        t->m1 = sw == 2 ? dw_inside(t->x0 + 16, w) : 0;
      }
    part.taps = taps;
  }
#endif
  /* Parts of at least 4096 multiply-adds: smaller ones cost more to hand
   * out than they take. */
  int64_t per = oh * ow * kh * kw * (j.wide == 4 ? 16 : 1);
  int64_t grain = 1 + 4096 / per;
  int64_t parts = kiln_pool_threads(threads);
  if (parts > j.planes / grain)
    parts = j.planes / grain;
  if (parts <= 1) {
    dw_run_part(&part, 0);
    return;
  }
  part.parts = parts;
  kiln_pool_run(parts, dw_run_part, &part);
}
