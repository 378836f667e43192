/* kiln_sgemm_epi and the epilogue of kiln_sgemm_conv against a
 * double-precision reference:
 *   C = (bias ? bias(i, j) : C(i, j)) + A B,  then  C = act(C + resid(i, j))
 * with the bias per row, per column or none, a residual with its own row
 * stride (or none; it may not overlap C), act none, relu and clamp (lo >= 0 and
 * lo < 0). Products tiny (unpacked), m == 1 (gemv), mid-sized and with
 * several K blocks, k == 0, split over M and over N by 2 threads, batches, A
 * prepacked in 8- and 12-row panels and B in 32-wide ones; convolutions
 * (3x3 stride 1 and 2, batches, a tiny one) plain and transposed, weights
 * unpacked and prepacked. C's padding between rows must stay untouched.
 * Run once per micro-kernel (KILN_SGEMM_KERNEL). Prints the kernel and the
 * largest error / sqrt(k); the first wrong element of a failing case. */
#include "kiln/runtime.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static float value(unsigned *state) {
  *state = *state * 1103515245u + 12345u;
  return (float)((*state >> 8) % 2001) / 1000.0f - 1.0f;
}

static int64_t bits(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  return (int64_t)u;
}

/* An epilogue: bias 0 none, 1 per row, 2 per column; resid 0 none, 1 a
 * buffer of its own (2, C itself, breaks the contract: unused); act 0
 * none, 1 relu, 2 clamp [lo, hi]. */
struct epi {
  int bias, resid, act;
  float lo, hi;
};

static const char *bias_name[] = {"none", "row", "col"};
static const char *resid_name[] = {"none", "buffer", "C"};

static double act_ref(const struct epi *e, double v) {
  if (e->act == 1)
    return v > 0 ? v : 0;
  if (e->act == 2) {
    v = v > e->lo ? v : e->lo;
    return v < e->hi ? v : e->hi;
  }
  return v;
}

/* Compares C (rows c_rs apart, `pad` sentinel elements after each row's n)
 * against ref; prints the first wrong element. Returns the worst error. */
static double compare(const char *what, int64_t batch, int64_t m, int64_t n,
                      int64_t k, const float *c, int64_t c_rs, int64_t c_bs,
                      const float *c0, const double *ref) {
  double worst = 0, kk = sqrt((double)(k > 0 ? k : 1));
  int reported = 0;
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < c_rs; ++j) {
        int64_t at = b * c_bs + i * c_rs + j;
        double want = j < n ? ref[(b * m + i) * n + j] : c0[at];
        double err = fabs(c[at] - want) / kk;
        if (j >= n && c[at] != c0[at])
          err = INFINITY; /* padding written */
        if (!(err <= worst))
          worst = isnan(err) ? INFINITY : err;
        if (!(err < 1e-6) && !reported) {
          printf("FAIL %s: batch %lld i %lld j %lld: got %.9g, expected "
                 "%.9g%s\n",
                 what, (long long)b, (long long)i, (long long)j, c[at], want,
                 j >= n ? " (padding)" : "");
          reported = 1;
        }
      }
  return worst;
}

struct gshape {
  int64_t batch, m, n, k;
};

/* One kiln_sgemm_epi case. A [m][k], B [k][n] row-major, C rows n + 2
 * apart, the residual's rows n + 3 apart, batches apart by more than a
 * matrix (the bias and residual ones too). */
static double run_epi(struct gshape s, int packed_mr, int packed_nr,
                      int threads, struct epi e) {
  int64_t batch = s.batch, m = s.m, n = s.n, k = s.k;
  int64_t c_rs = n + 2, c_bs = m * c_rs + 5;
  int64_t r_rs = n + 3, r_bs = m * r_rs + 7;
  int64_t bias_rs = e.bias == 1 ? 1 : 0, bias_cs = e.bias == 2 ? 1 : 0;
  int64_t bias_bs = e.bias == 1 ? m + 1 : n + 1;
  size_t asz = batch * m * k, bsz = batch * k * n, csz = batch * c_bs;
  size_t rsz = batch * r_bs, biassz = batch * bias_bs;
  float *a = malloc(asz * 4 + 4), *b = malloc(bsz * 4 + 4);
  float *c = malloc(csz * 4), *c0 = malloc(csz * 4);
  float *resid = malloc(rsz * 4), *bias = malloc(biassz * 4);
  unsigned st = 7 + (unsigned)(m * 31 + n * 7 + k);
  for (size_t i = 0; i < asz; ++i) a[i] = value(&st);
  for (size_t i = 0; i < bsz; ++i) b[i] = value(&st);
  for (size_t i = 0; i < csz; ++i) c[i] = c0[i] = value(&st);
  for (size_t i = 0; i < rsz; ++i) resid[i] = value(&st);
  for (size_t i = 0; i < biassz; ++i) bias[i] = value(&st);
  double *ref = malloc(batch * m * n * sizeof(double));
  for (int64_t bi = 0; bi < batch; ++bi)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double acc = e.bias ? bias[bi * bias_bs + i * bias_rs + j * bias_cs]
                            : c[bi * c_bs + i * c_rs + j];
        for (int64_t p = 0; p < k; ++p)
          acc += (double)a[bi * m * k + i * k + p] * b[bi * k * n + p * n + j];
        if (e.resid == 1)
          acc += resid[bi * r_bs + i * r_rs + j];
        if (e.resid == 2)
          acc += acc; /* C(i, j) once final */
        ref[(bi * m + i) * n + j] = act_ref(&e, acc);
      }
  /* A in panels of packed_mr rows, B in panels of packed_nr columns. */
  int64_t pas = m * k, pbs = k * n;
  float *ap = a, *bp = b;
  if (packed_mr) {
    pas = (m + packed_mr - 1) / packed_mr * k * packed_mr + 3;
    ap = calloc(batch * pas + 1, 4);
    for (int64_t bi = 0; bi < batch; ++bi)
      for (int64_t i = 0; i < m; ++i)
        for (int64_t p = 0; p < k; ++p)
          ap[bi * pas + (i / packed_mr) * k * packed_mr + p * packed_mr +
             i % packed_mr] = a[bi * m * k + i * k + p];
  }
  if (packed_nr) {
    pbs = (n + packed_nr - 1) / packed_nr * k * packed_nr + 3;
    bp = calloc(batch * pbs + 1, 4);
    for (int64_t bi = 0; bi < batch; ++bi)
      for (int64_t j = 0; j < n; ++j)
        for (int64_t p = 0; p < k; ++p)
          bp[bi * pbs + (j / packed_nr) * k * packed_nr + p * packed_nr +
             j % packed_nr] = b[bi * k * n + p * n + j];
  }
  int64_t pack = threads * kiln_sgemm_pack_bytes(m, n, k);
  char *space = malloc(pack + 1);
  intptr_t rp = e.resid == 1 ? (intptr_t)resid : e.resid == 2 ? (intptr_t)c : 0;
  int64_t rrs = e.resid == 1 ? r_rs : e.resid == 2 ? c_rs : 0;
  int64_t rbs = e.resid == 1 ? r_bs : e.resid == 2 ? c_bs : 0;
  kiln_sgemm_epi(batch, m, n, k, (intptr_t)ap, pas, k, 1, (intptr_t)bp, pbs,
                 n, 1, (intptr_t)c, c_bs, c_rs, (intptr_t)space, threads,
                 packed_nr, packed_mr, e.bias ? (intptr_t)bias : 0,
                 e.bias ? bias_bs : 0, bias_rs, bias_cs, rp, rbs, rrs, e.act,
                 bits(e.lo), bits(e.hi));
  char what[256];
  snprintf(what, sizeof what,
           "sgemm_epi batch %lld m %lld n %lld k %lld a_packed_mr %d "
           "b_packed_nr %d threads %d bias %s resid %s act %d lo %g hi %g",
           (long long)batch, (long long)m, (long long)n, (long long)k,
           packed_mr, packed_nr, threads, bias_name[e.bias],
           resid_name[e.resid], e.act, e.lo, e.hi);
  double worst = compare(what, batch, m, n, k, c, c_rs, c_bs, c0, ref);
  if (ap != a) free(ap);
  if (bp != b) free(bp);
  free(a); free(b); free(c); free(c0); free(resid); free(bias); free(ref);
  free(space);
  return worst;
}

struct cshape {
  int64_t batch, f, ci, h, w, kh, kw, sh, sw;
};

/* One kiln_sgemm_conv case: input [batch][ci][h][w] (already padded),
 * weight [f][ci*kh*kw], C [batch][f][oh*ow]; the bias per output channel,
 * the residual in C's layout (resid_rs = n). */
static double run_conv(struct cshape s, int threads, int packed_mr,
                       int transposed, struct epi e) {
  int64_t oh = (s.h - s.kh) / s.sh + 1, ow = (s.w - s.kw) / s.sw + 1;
  int64_t m = s.f, n = oh * ow, k = s.ci * s.kh * s.kw;
  int64_t hs = s.w, cs = s.h * s.w, bs = s.ci * cs;
  size_t insz = s.batch * bs, asz = m * k, csz = s.batch * m * n;
  float *in = malloc(insz * 4), *a = malloc(asz * 4);
  float *c = malloc(csz * 4), *c0 = malloc(csz * 4);
  float *resid = malloc(csz * 4), *bias = malloc(s.batch * m * 4);
  unsigned st = 11 + (unsigned)(m * 5 + n);
  for (size_t i = 0; i < insz; ++i) in[i] = value(&st);
  for (size_t i = 0; i < asz; ++i) a[i] = value(&st);
  for (size_t i = 0; i < csz; ++i) c[i] = c0[i] = value(&st);
  for (size_t i = 0; i < csz; ++i) resid[i] = value(&st);
  for (int64_t i = 0; i < s.batch * m; ++i) bias[i] = value(&st);
  double *ref = malloc(csz * sizeof(double));
  for (int64_t b = 0; b < s.batch; ++b)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t oy = 0; oy < oh; ++oy)
        for (int64_t ox = 0; ox < ow; ++ox) {
          int64_t at = b * m * n + i * n + oy * ow + ox;
          double acc = e.bias ? bias[b * m + i] : c[at];
          for (int64_t q = 0; q < s.ci; ++q)
            for (int64_t y = 0; y < s.kh; ++y)
              for (int64_t x = 0; x < s.kw; ++x)
                acc += (double)a[i * k + (q * s.kh + y) * s.kw + x] *
                       in[b * bs + q * cs + (oy * s.sh + y) * hs +
                          ox * s.sw + x];
          if (e.resid)
            acc += resid[at];
          ref[at] = act_ref(&e, acc);
        }
  float *ap = a;
  if (packed_mr) {
    int64_t panels = (m + packed_mr - 1) / packed_mr;
    ap = calloc(panels * k * packed_mr + 1, 4);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t p = 0; p < k; ++p)
        ap[(i / packed_mr) * k * packed_mr + p * packed_mr + i % packed_mr] =
            a[i * k + p];
  }
  int64_t pack = kiln_sgemm_conv_pack_bytes(m, n, k, threads, transposed);
  char *space = malloc(pack + 1);
  kiln_sgemm_conv(s.batch, m, n, k, (intptr_t)ap, 0, k, 1, (intptr_t)in, bs,
                  cs, hs, 1, s.kh, s.kw, ow, s.sh, s.sw, 1, 1, (intptr_t)c,
                  m * n, n, (intptr_t)space, threads, packed_mr, transposed,
                  e.bias ? (intptr_t)bias : 0, e.bias ? m : 0, 1, 0,
                  e.resid ? (intptr_t)resid : 0, e.resid ? m * n : 0,
                  e.resid ? n : 0, e.act, bits(e.lo), bits(e.hi));
  char what[256];
  snprintf(what, sizeof what,
           "sgemm_conv batch %lld f %lld ci %lld %lldx%lld kernel %lldx%lld "
           "stride %lld (m %lld n %lld k %lld) threads %d a_packed_mr %d "
           "transposed %d bias %s resid %s act %d lo %g hi %g",
           (long long)s.batch, (long long)s.f, (long long)s.ci,
           (long long)s.h, (long long)s.w, (long long)s.kh, (long long)s.kw,
           (long long)s.sh, (long long)m, (long long)n, (long long)k, threads,
           packed_mr, transposed, bias_name[e.bias], resid_name[e.resid],
           e.act, e.lo, e.hi);
  double worst = compare(what, s.batch, m, n, k, c, n, m * n, c0, ref);
  if (ap != a) free(ap);
  free(in); free(a); free(c); free(c0); free(resid); free(bias); free(ref);
  free(space);
  return worst;
}

int main(void) {
  static const struct gshape gshapes[] = {
      /* batch m n k */
      {1, 5, 7, 9},      /* tiny: unpacked, whole-matrix epilogue */
      {1, 16, 16, 16},   /* exactly KILN_SGEMM_TINY */
      {1, 1, 100, 50},   /* m == 1: gemv on one thread */
      {1, 1, 300, 500},  /* gemv split over the threads */
      {1, 13, 33, 257},  /* two K blocks, edges everywhere */
      {1, 64, 100, 600}, /* three K blocks, split over N */
      {1, 97, 130, 300}, /* split over N, edge tiles */
      {1, 150, 40, 400}, /* split over M */
      {2, 20, 40, 70},   /* batches */
      {2, 1, 40, 30},    /* batches of gemv */
      {1, 6, 10, 0},     /* k == 0: the epilogue alone */
  };
  static const struct epi gepis[] = {
      /* bias resid act lo hi */
      {0, 0, 0, 0, 0},       /* no epilogue: C += A B */
      {1, 0, 1, 0, 0},       /* row bias, relu */
      {2, 1, 2, 0.0f, 6.0f}, /* column bias, residual, relu6 */
      {0, 1, 2, -0.5f, 0.25f},
      {1, 1, 0, 0, 0},
      {2, 0, 1, 0, 0},
      {0, 0, 1, 0, 0},       /* relu of C + A B */
      {1, 1, 2, -0.5f, 0.25f}, /* row bias, residual, clamp */
  };
  /* a_packed_mr, b_packed_nr */
  static const int packs[][2] = {{0, 0}, {8, 0}, {12, 32}, {0, 32}};
  static const struct cshape cshapes[] = {
      /* batch f ci h w kh kw sh sw */
      {1, 64, 16, 9, 9, 3, 3, 1, 1},   /* 7x7 output */
      {2, 32, 8, 17, 17, 3, 3, 2, 2},  /* stride 2: 8x8, batches */
      {1, 64, 16, 18, 18, 3, 3, 1, 1}, /* 16x16 output: 2 threads split */
      {1, 2, 2, 4, 4, 3, 3, 1, 1},     /* tiny: unpacked */
  };
  static const struct epi cepis[] = {
      {1, 1, 1, 0, 0},
      {1, 0, 2, 0.0f, 6.0f},
      {1, 1, 2, -0.5f, 0.25f},
      {0, 1, 1, 0, 0},
  };
  /* a_packed_mr, transposed */
  static const int cvariants[][2] = {{0, 0}, {12, 0}, {0, 1}, {32, 1}};
  int cases = 0;
  double worst = 0;
  for (size_t si = 0; si < sizeof gshapes / sizeof gshapes[0]; ++si)
    for (size_t pi = 0; pi < sizeof packs / sizeof packs[0]; ++pi)
      for (int t = 1; t <= 2; ++t)
        for (size_t ei = 0; ei < sizeof gepis / sizeof gepis[0]; ++ei) {
          double e = run_epi(gshapes[si], packs[pi][0], packs[pi][1], t,
                             gepis[ei]);
          ++cases;
          if (!(e <= worst))
            worst = e;
        }
  for (size_t si = 0; si < sizeof cshapes / sizeof cshapes[0]; ++si)
    for (size_t vi = 0; vi < sizeof cvariants / sizeof cvariants[0]; ++vi)
      for (int t = 1; t <= 2; ++t)
        for (size_t ei = 0; ei < sizeof cepis / sizeof cepis[0]; ++ei) {
          double e = run_conv(cshapes[si], t, cvariants[vi][0],
                              cvariants[vi][1], cepis[ei]);
          ++cases;
          if (!(e <= worst))
            worst = e;
        }
  printf("kernel: %s\n", kiln_sgemm_kernel_name());
  printf("cases: %d, worst error / sqrt(k): %s\n", cases,
         worst < 1e-6 ? "below 1e-6" : "ABOVE 1e-6");
  return worst < 1e-6 ? 0 : 1;
}
