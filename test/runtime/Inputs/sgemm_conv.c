/* kiln_sgemm_conv (B read as the im2col matrix of a padded input, in
 * place) against a double-precision reference: kernels 1x1 to 7x7,
 * strides 1 and 2, dilation, output widths below, at and above a panel,
 * a strided input view, batches, 1 and 2 threads, A unpacked and prepacked
 * in 6- and 12-high panels, and transposed (C^T = B^T A^T into scratch,
 * weights unpacked or in 32-wide panels). Run once per micro-kernel (KILN_SGEMM_KERNEL).
 * Prints the largest relative error. */
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

struct shape {
  int64_t batch, f, ci, h, w, kh, kw, sh, sw, dh, dw;
};

/* Input [batch, ci, h, w] stored with a row pitch of w + pad_w (a view). */
static double run(struct shape s, int threads, int packed_mr, int transposed) {
  int64_t oh = (s.h - (s.kh - 1) * s.dh - 1) / s.sh + 1;
  int64_t ow = (s.w - (s.kw - 1) * s.dw - 1) / s.sw + 1;
  int64_t pitch = s.w + 3, hs = pitch, cs = s.h * pitch, bs = s.ci * cs + 5;
  int64_t m = s.f, n = oh * ow, k = s.ci * s.kh * s.kw;
  size_t insz = s.batch * bs, asz = m * k, csz = s.batch * m * n;
  float *in = malloc(insz * 4), *a = malloc(asz * 4), *c = malloc(csz * 4);
  unsigned st = 11;
  for (size_t i = 0; i < insz; ++i) in[i] = value(&st);
  for (size_t i = 0; i < asz; ++i) a[i] = value(&st);
  for (size_t i = 0; i < csz; ++i) c[i] = value(&st);
  double *ref = malloc(csz * sizeof(double));
  for (int64_t b = 0; b < s.batch; ++b)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t oy = 0; oy < oh; ++oy)
        for (int64_t ox = 0; ox < ow; ++ox) {
          double acc = c[b * m * n + i * n + oy * ow + ox];
          for (int64_t q = 0; q < s.ci; ++q)
            for (int64_t y = 0; y < s.kh; ++y)
              for (int64_t x = 0; x < s.kw; ++x)
                acc += (double)a[i * k + (q * s.kh + y) * s.kw + x] *
                       in[b * bs + q * cs + (oy * s.sh + y * s.dh) * hs +
                          ox * s.sw + x * s.dw];
          ref[b * m * n + i * n + oy * ow + ox] = acc;
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
                  cs, hs, 1, s.kh, s.kw, ow, s.sh, s.sw, s.dh, s.dw,
                  (intptr_t)c, m * n, n, (intptr_t)space, threads, packed_mr,
                  transposed, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  double worst = 0;
  for (size_t i = 0; i < csz; ++i) {
    double err = fabs(c[i] - ref[i]) / sqrt((double)k);
    if (!(err <= worst))
      worst = isnan(err) ? INFINITY : err;
  }
  if (ap != a) free(ap);
  free(in); free(a); free(c); free(ref); free(space);
  return worst;
}

/* A 1x1, stride-1 convolution as the compiler passes one (positions in one
 * row of n, no gaps), transposed with the weight in 32-wide panels, with
 * bias, residual and relu6: the positions-as-rows path (7- to 14-row
 * tiles transposed into C). */
static double run_pointwise(int64_t m, int64_t n, int64_t k, int threads,
                            int with_bias, int with_resid, int act) {
  size_t csz = m * n;
  float *in = malloc(k * n * 4), *a = malloc(m * k * 4), *c = malloc(csz * 4);
  float *bias = malloc(m * 4), *resid = malloc(csz * 4);
  unsigned st = 5;
  for (int64_t i = 0; i < k * n; ++i) in[i] = value(&st);
  for (int64_t i = 0; i < m * k; ++i) a[i] = value(&st);
  for (size_t i = 0; i < csz; ++i) { c[i] = value(&st); resid[i] = value(&st); }
  for (int64_t i = 0; i < m; ++i) bias[i] = value(&st);
  double *ref = malloc(csz * sizeof(double));
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double acc = with_bias ? bias[i] : c[i * n + j];
      for (int64_t p = 0; p < k; ++p)
        acc += (double)a[i * k + p] * in[p * n + j];
      if (with_resid)
        acc += resid[i * n + j];
      if (act)
        acc = acc > 0 ? acc : 0;
      if (act == 2)
        acc = acc < 6 ? acc : 6;
      ref[i * n + j] = acc;
    }
  int64_t panels = (m + 31) / 32;
  float *ap = calloc(panels * k * 32 + 1, 4);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t p = 0; p < k; ++p)
      ap[(i / 32) * k * 32 + p * 32 + i % 32] = a[i * k + p];
  int64_t pack = kiln_sgemm_conv_pack_bytes(m, n, k, threads, 1);
  char *space = malloc(pack + 1);
  float six = 6.0f;
  uint32_t six_bits;
  memcpy(&six_bits, &six, 4);
  kiln_sgemm_conv(1, m, n, k, (intptr_t)ap, 0, k, 1, (intptr_t)in, 0, n, n,
                  1, 1, 1, n, 1, 1, 1, 1, (intptr_t)c, m * n, n,
                  (intptr_t)space, threads, 32, 1,
                  with_bias ? (intptr_t)bias : 0, 0, 1, 0,
                  with_resid ? (intptr_t)resid : 0, 0, n, act, 0,
                  act == 2 ? six_bits : 0);
  double worst = 0;
  for (size_t i = 0; i < csz; ++i) {
    double err = fabs(c[i] - ref[i]) / sqrt((double)k);
    if (!(err <= worst))
      worst = isnan(err) ? INFINITY : err;
  }
  free(in); free(a); free(c); free(bias); free(resid); free(ref); free(ap);
  free(space);
  return worst;
}

int main(void) {
  static const struct shape shapes[] = {
      /* batch f ci h w kh kw sh sw dh dw */
      {1, 64, 3, 29, 29, 7, 7, 2, 2, 1, 1},   /* resnet's stem, smaller */
      {1, 64, 16, 18, 18, 3, 3, 1, 1, 1, 1},  /* 16x16 output: 8 panels */
      {1, 20, 8, 9, 9, 3, 3, 1, 1, 1, 1},     /* 7x7 output: runs of 7 */
      {2, 13, 5, 12, 40, 3, 3, 2, 2, 1, 1},   /* strided, batches */
      {1, 30, 4, 20, 20, 3, 3, 1, 1, 2, 2},   /* dilated */
      {1, 24, 32, 15, 15, 1, 1, 2, 2, 1, 1},  /* 1x1 stride 2 */
      {1, 7, 6, 6, 70, 3, 1, 1, 1, 1, 1},     /* rows wider than a panel */
      {1, 2, 2, 4, 4, 3, 3, 1, 1, 1, 1},      /* tiny: unpacked path */
      {1, 1, 9, 12, 12, 3, 3, 1, 1, 1, 1},    /* one output channel */
      {1, 24, 64, 10, 10, 3, 3, 1, 1, 1, 1},  /* k = 576: two K blocks */
  };
  int cases = 0;
  double worst = 0;
  for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; ++i)
    for (int t = 1; t <= 2; ++t)
      for (int v = 0; v < 5; ++v) {
        /* A in 0/6/12-row panels; transposed, weights in 0/32-wide ones. */
        int transposed = v >= 3, packed = transposed ? (v - 3) * 32 : v * 6;
        double e = run(shapes[i], t, packed, transposed);
        ++cases;
        if (!(e <= worst)) {
          worst = e;
          if (!(e < 1e-6))
            printf("shape %zu threads %d packed %d transposed %d: error %g\n",
                   i, t, packed, transposed, e);
        }
      }
  static const int64_t pw[][3] = {
      /* m n k */
      {64, 49, 40}, {40, 49, 33}, {96, 196, 24}, {33, 50, 70},
      {160, 49, 576}, {16, 36, 9}, {70, 13, 100}, {32, 7, 64},
  };
  for (size_t i = 0; i < sizeof pw / sizeof pw[0]; ++i)
    for (int t = 1; t <= 2; ++t)
      for (int v = 0; v < 4; ++v) {
        /* none; bias; bias + residual + relu; C + relu6 */
        int b = v == 1 || v == 2, r = v == 2, act = v == 2 ? 1 : v == 3 ? 2 : 0;
        double e = run_pointwise(pw[i][0], pw[i][1], pw[i][2], t, b, r, act);
        ++cases;
        if (!(e <= worst)) {
          worst = e;
          if (!(e < 1e-6))
            printf("pointwise %ldx%ldx%ld threads %d variant %d: error %g\n",
                   (long)pw[i][0], (long)pw[i][1], (long)pw[i][2], t, v, e);
        }
      }
  printf("kernel: %s\n", kiln_sgemm_kernel_name());
  printf("cases: %d, worst error / sqrt(k): %s\n", cases,
         worst < 1e-6 ? "below 1e-6" : "ABOVE 1e-6");
  return worst < 1e-6 ? 0 : 1;
}
