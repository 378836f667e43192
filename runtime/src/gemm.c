/* Kiln runtime: single-precision matrix multiply for generated code; this
 * file is its driver (kernel choice, blocking, threading, the entry points).
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
 * larger of the M and N dimensions through the runtime's pool.
 *
 * The rest lives beside it: gemm_pack.c (panels), gemm_epilogue.c (tile
 * epilogues), and one file of micro-kernels per ISA, gemm_generic.c,
 * gemm_avx2.c and gemm_avx512.c, each giving its table (struct kernel,
 * gemm_internal.h); pick_kernel takes the table kiln_cpu_isa() allows. */
#include "gemm_internal.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The widest kernel table the CPU runs (kiln_cpu_isa, which honours
 * KILN_SGEMM_KERNEL=avx2|generic). */
static struct kernel pick_kernel(void) {
  switch (kiln_cpu_isa()) {
#ifdef KILN_X86_KERNELS
  case KILN_ISA_AVX512:
    return kiln_gemm_avx512_kernel();
  case KILN_ISA_AVX2:
    return kiln_gemm_avx2_kernel();
#endif
  default:
    return kiln_gemm_generic_kernel();
  }
}

static struct kernel chosen_kernel;
static pthread_once_t kernel_once = PTHREAD_ONCE_INIT;
static void choose_kernel(void) { chosen_kernel = pick_kernel(); }

struct kernel kiln_gemm_the_kernel(void) {
  pthread_once(&kernel_once, choose_kernel);
  return chosen_kernel;
}

const char *kiln_sgemm_kernel_name(void) { return kiln_gemm_the_kernel().name; }

/* The tile height for A packed at run time: 8 rows where 12 would pad
 * more (m = 8, 16, 64, 128, ...), else the kernel's. */
static int pick_mr(int64_t m, struct kernel kern) {
  if (kern.fn8 && kiln_sgemm_avx512_mr(m) == MR8)
    return MR8;
  return kern.mr;
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
  struct kernel kern = kiln_gemm_the_kernel();
  int bias = epi && epi->bias, after = kiln_gemm_epi_after(epi);
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
        kiln_gemm_pack_conv(kc, nc, pc, conv_j0 + jc, conv, pb, NR, conv_fast);
      else if (!b_packed && direct < nc)
        kiln_gemm_pack_b(kc, nc - direct, b + pc * b_rs + (jc + direct) * b_cs, b_rs,
               b_cs, pb + direct * kc, NR);
      for (int64_t ic = 0; ic < m; ic += MC) {
        int64_t mc = m - ic < MC ? m - ic : MC;
        if (conv && conv_a)
          kiln_gemm_pack_conv(kc, mc, pc, conv_j0 + ic, conv, pa, MR, conv_fast);
        else if (!a_packed)
          kiln_gemm_pack_a(mc, kc, a + ic * a_rs + pc * a_cs, a_rs, a_cs, pa, MR);
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
              kiln_gemm_epi_start_tile(epi, ct, c_rs, ic + ir, jc + jr, mr, nr);
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
              kiln_gemm_kernel_any(kc, apanel, panel, ct, c_rs, mr, nr, MR, NR);
            if (after && pc + kc == k)
              kiln_gemm_epi_finish_tile(epi, ct, c_rs, ic + ir, jc + jr, mr, nr);
          }
        }
      }
    }
  }
}

/* c[0:n] += a[0:k] B with B in compile-time panels of width nr_panel. */
static void gemv_packed(int64_t n, int64_t k, const float *a, int64_t a_cs,
                        const float *b, int nr_panel, float *c) {
#ifdef KILN_X86_KERNELS
  if (nr_panel == 32 && kiln_gemm_the_kernel().nr == 32) {
    kiln_gemm_gemv_packed32_avx512(n, k, a, a_cs, b, c);
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
        kiln_gemm_epi_bias_tile(eb, cb, c_rs, 0, 0, m, n);
      if (k > 0)
        sgemm_small(m, n, k, ab, a_rs, a_cs, bb, b_rs, b_cs, cb, c_rs,
                    a_packed, b_packed, conv ? &cv : NULL, parts);
      if (kiln_gemm_epi_after(eb))
        kiln_gemm_epi_after_tile(eb, cb, c_rs, 0, 0, m, n);
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
  struct kernel kern = kiln_gemm_the_kernel();
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

/* Whether pointwise_rows applies, and its tile height. */
static int pointwise_rows_mr(int64_t n, int64_t k, const struct conv_src *cv,
                             int w_packed, const struct epilogue *epi,
                             int64_t pack_bytes) {
  if (kiln_gemm_the_kernel().nr != NR32 || w_packed != NR32 || cv->kh != 1 ||
      cv->kw != 1 || cv->sw != 1 || cv->ws != 1 ||
      (n > cv->ow && cv->sh * cv->hs != cv->ow) || (epi && epi->bias && epi->bcs))
    return 0;
  int mr = kiln_sgemm_pointwise_mr(n);
  int64_t up = (n + mr - 1) / mr * mr;
  if ((up * k + 16) * 4 > pack_bytes)
    return 0;
  return mr;
}

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
    kiln_gemm_pointwise_rows(m, n, k, w, cv, c, c_rs, pack, parts, epi, pmr);
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
  if (kiln_gemm_the_kernel().nr == NR32 && (!epi || !epi->bias || epi->bcs == 0) &&
      n * m < (int64_t)1 << 31) {
    kiln_gemm_transposed_add_avx512(m, n, S, c, c_rs, epi);
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
  if (kiln_gemm_epi_after(epi))
    kiln_gemm_epi_after_tile(epi, c, c_rs, 0, 0, m, n);
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
  e->wide = kiln_gemm_the_kernel().nr == NR32;
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
