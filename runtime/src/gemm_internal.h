/* Kiln runtime: the pieces of kiln_sgemm its files share (the driver in
 * gemm.c, packing in gemm_pack.c, epilogues in gemm_epilogue.c, and one
 * file of micro-kernels per ISA: gemm_generic.c, gemm_avx2.c,
 * gemm_avx512.c). Not part of the public ABI. */
#ifndef KILN_RUNTIME_GEMM_INTERNAL_H
#define KILN_RUNTIME_GEMM_INTERNAL_H

#include "kiln/runtime.h"
#include "cpu.h"
#include "runtime_internal.h"

#include <stdint.h>

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

static inline const float *conv_row(const struct conv_src *cv, int64_t p) {
  int64_t x = p % cv->kw, y = (p / cv->kw) % cv->kh, c = p / (cv->kw * cv->kh);
  return cv->in + c * cv->cs + y * cv->dh * cv->hs + x * cv->dw * cv->ws;
}

static inline int64_t conv_col(const struct conv_src *cv, int64_t j) {
  return (j / cv->ow) * cv->sh * cv->hs + (j % cv->ow) * cv->sw * cv->ws;
}

/* Runs (start, length) of a panel's columns whose input offsets step by
 * the same amount (one output row's stretch each). */
struct conv_runs {
  int n;
  int start[KILN_SGEMM_NR], len[KILN_SGEMM_NR];
};

static inline void conv_panel_runs(const int64_t *off, int cols, int64_t step,
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

static inline struct row_iter row_iter_at(const struct conv_src *cv, int64_t p) {
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

/* The kernel table of each ISA (a file each); NULL entries fall back to
 * the plain kernel. */
struct kernel kiln_gemm_generic_kernel(void);
struct kernel kiln_gemm_avx2_kernel(void);
struct kernel kiln_gemm_avx512_kernel(void);
/* The table picked for this CPU (kiln_cpu_isa), once. */
struct kernel kiln_gemm_the_kernel(void);

/* gemm_generic.c */
void kiln_gemm_add_tile(const float *tile, int nr_full, float *c, int64_t ldc,
                        int64_t mr, int64_t nr);
void kiln_gemm_kernel_any(int64_t kc, const float *pa, const float *pb,
                          float *c, int64_t ldc, int64_t mr, int64_t nr,
                          int MR, int NR);

/* gemm_pack.c */
void kiln_gemm_pack_a(int64_t mc, int64_t kc, const float *a, int64_t rs,
                      int64_t cs, float *pa, int MR);
void kiln_gemm_pack_b(int64_t kc, int64_t nc, const float *b, int64_t rs,
                      int64_t cs, float *pb, int NR);
void kiln_gemm_pack_conv_generic(int64_t kc, int64_t nc, int64_t p0,
                                 int64_t j0, const struct conv_src *cv,
                                 float *pb, int NR);
void kiln_gemm_pack_conv(int64_t kc, int64_t nc, int64_t p0, int64_t j0,
                         const struct conv_src *cv, float *pb, int NR,
                         int fast);

/* gemm_epilogue.c */
int kiln_gemm_epi_after(const struct epilogue *e);
float kiln_gemm_epi_act(const struct epilogue *e, float v);
void kiln_gemm_epi_bias_tile(const struct epilogue *e, float *ct,
                             int64_t c_rs, int64_t i0, int64_t j0, int64_t mr,
                             int64_t nr);
void kiln_gemm_epi_after_tile(const struct epilogue *e, float *ct,
                              int64_t c_rs, int64_t i0, int64_t j0, int64_t mr,
                              int64_t nr);
void kiln_gemm_epi_start_tile(const struct epilogue *e, float *ct,
                              int64_t c_rs, int64_t i0, int64_t j0, int64_t mr,
                              int64_t nr);
void kiln_gemm_epi_finish_tile(const struct epilogue *e, float *ct,
                               int64_t c_rs, int64_t i0, int64_t j0,
                               int64_t mr, int64_t nr);

#ifdef KILN_X86_KERNELS
/* gemm_avx2.c: reached only when kiln_cpu_isa() >= KILN_ISA_AVX2. */
void kiln_gemm_transpose8_avx2(int64_t kc, const float *a, int64_t rs,
                               float *pa, int64_t ostride);

/* gemm_avx512.c: reached only when kiln_cpu_isa() == KILN_ISA_AVX512 (the
 * AVX-512 kernel table, whose 32-wide panels these take). */
void kiln_gemm_pack_b_rows32_avx512(int64_t kc, int64_t nc, const float *b,
                                    int64_t rs, float *pb);
void kiln_gemm_pack_conv_avx512(int64_t kc, int64_t nc, int64_t p0,
                                int64_t j0, const struct conv_src *cv,
                                float *pb, int NR);
void kiln_gemm_epi_after_tile_avx512(const struct epilogue *e, float *ct,
                                     int64_t c_rs, int64_t i0, int64_t j0,
                                     int64_t mr, int64_t nr);
void kiln_gemm_epi_bias_tile_avx512(const struct epilogue *e, float *ct,
                                    int64_t c_rs, int64_t i0, int64_t j0,
                                    int64_t mr, int64_t nr);
void kiln_gemm_gemv_packed32_avx512(int64_t n, int64_t k, const float *a,
                                    int64_t a_cs, const float *b, float *c);
void kiln_gemm_transposed_add_avx512(int64_t m, int64_t n, const float *S,
                                     float *c, int64_t c_rs,
                                     const struct epilogue *epi);
void kiln_gemm_pointwise_rows(int64_t m, int64_t n, int64_t k, const float *w,
                              const struct conv_src *cv, float *c,
                              int64_t c_rs, char *pack, int64_t parts,
                              const struct epilogue *epi, int mr);
#endif

#endif
