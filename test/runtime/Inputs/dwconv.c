/* kiln_dwconv2d (depthwise convolution, zero padding read in place)
 * against a double-precision reference: 3x3 and other kernels, strides 1
 * to 3, dilation, padding wider than a tap reaches, outputs narrower and
 * wider than a 16-lane chunk and than the 8 chunks a row keeps in
 * registers, strided and gapless views of input and output (the flat and
 * 16-channel-block loops), batches, bias or none,
 * relu and clamp (NaN propagates), 1 and 2 threads. Run once per kernel
 * (KILN_SGEMM_KERNEL). Prints the largest error and how many outputs
 * outside the views changed (must be 0). */
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
  int64_t batch, c, h, w, kh, kw, sh, sw, dh, dw, ph, pw;
  int act, bias;
};

static int64_t bits(float v) {
  uint32_t b;
  memcpy(&b, &v, 4);
  return b;
}

static long clobbered;

static double run(struct shape s, int threads, int gapless, int blocks) {
  int64_t oh = (s.h + 2 * s.ph - (s.kh - 1) * s.dh - 1) / s.sh + 1;
  int64_t ow = (s.w + 2 * s.pw - (s.kw - 1) * s.dw - 1) / s.sw + 1;
  /* Views: rows and planes with a pitch wider than the data, or none
   * (the flat and channel-block loops need gapless planes). */
  int g = !gapless;
  int64_t in_hs = s.w + 5 * g, in_cs = s.h * in_hs + 3 * g,
          in_bs = s.c * in_cs + 7 * g;
  int64_t out_hs = ow + 2 * g, out_cs = oh * out_hs + g,
          out_bs = s.c * out_cs + 9 * g;
  size_t insz = s.batch * in_bs, osz = s.batch * out_bs + 16;
  float *in = malloc(insz * 4), *wt = malloc(s.c * s.kh * s.kw * 4),
        *bias = malloc(s.c * 4), *out = malloc(osz * 4);
  unsigned st = 7;
  for (size_t i = 0; i < insz; ++i) in[i] = value(&st);
  for (int64_t i = 0; i < s.c * s.kh * s.kw; ++i) wt[i] = value(&st);
  for (int64_t i = 0; i < s.c; ++i) bias[i] = value(&st);
  for (size_t i = 0; i < osz; ++i) out[i] = 1234.5f;
  if (s.act) /* a NaN input must come out NaN through the activation */
    in[s.ph * in_hs + s.pw] = NAN;
  /* relu ignores lo and hi: pass garbage */
  float lo = s.act == 2 ? -0.25f : s.act == 1 ? 7.0f : 0.0f,
        hi = s.act == 2 ? 0.5f : s.act == 1 ? -3.0f : 0.0f;
  /* Scratch for the channel-block loops (none: the other loops). */
  char *scratch = blocks ? malloc(kiln_dwconv2d_scratch_bytes(threads)) : NULL;
  kiln_dwconv2d(s.batch, s.c, s.h, s.w, (intptr_t)in, in_bs, in_cs, in_hs,
                (intptr_t)wt, s.kh, s.kw, s.bias ? (intptr_t)bias : 0, oh, ow,
                s.sh, s.sw, s.dh, s.dw, s.ph, s.pw, (intptr_t)out, out_bs,
                out_cs, out_hs, s.act, bits(lo), bits(hi), threads,
                (intptr_t)scratch);
  free(scratch);
  double worst = 0;
  char *inside = calloc(osz, 1);
  for (int64_t b = 0; b < s.batch; ++b)
    for (int64_t c = 0; c < s.c; ++c)
      for (int64_t y = 0; y < oh; ++y)
        for (int64_t x = 0; x < ow; ++x) {
          double acc = s.bias ? bias[c] : 0;
          for (int64_t i = 0; i < s.kh; ++i)
            for (int64_t j = 0; j < s.kw; ++j) {
              int64_t r = y * s.sh + i * s.dh - s.ph,
                      q = x * s.sw + j * s.dw - s.pw;
              if (r >= 0 && r < s.h && q >= 0 && q < s.w)
                acc += (double)wt[(c * s.kh + i) * s.kw + j] *
                       in[b * in_bs + c * in_cs + r * in_hs + q];
            }
          if (s.act && acc == acc) {
            double l = s.act == 2 ? lo : 0.0;
            acc = acc > l ? acc : l;
            if (s.act == 2)
              acc = acc < hi ? acc : hi;
          }
          size_t at = b * out_bs + c * out_cs + y * out_hs + x;
          inside[at] = 1;
          double got = out[at];
          double err = isnan(acc) ? (isnan(got) ? 0 : INFINITY)
                                  : fabs(got - acc);
          if (!(err <= worst))
            worst = isnan(err) ? INFINITY : err;
        }
  for (size_t i = 0; i < osz; ++i)
    if (!inside[i] && out[i] != 1234.5f)
      ++clobbered;
  free(inside); free(in); free(wt); free(bias); free(out);
  return worst;
}

int main(void) {
  static const struct shape shapes[] = {
      /* batch c h w kh kw sh sw dh dw ph pw act bias */
      {1, 32, 112, 112, 3, 3, 1, 1, 1, 1, 1, 1, 2, 1}, /* mobilenet's first */
      {1, 24, 112, 112, 3, 3, 2, 2, 1, 1, 1, 1, 2, 1}, /* stride 2, 7 chunks */
      {1, 16, 28, 28, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1},
      {1, 40, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1, 2, 1},
      {1, 40, 14, 14, 3, 3, 2, 2, 1, 1, 1, 1, 0, 1},   /* 7x7 out */
      {1, 96, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 2, 1},
      {2, 5, 9, 33, 3, 3, 1, 1, 1, 1, 1, 1, 0, 0},     /* 3 chunks, batch */
      {1, 3, 20, 150, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},   /* 10 chunks: 8 + 2 */
      {1, 3, 10, 300, 3, 3, 2, 2, 1, 1, 1, 1, 0, 1},   /* 150 wide, stride 2 */
      {1, 4, 17, 19, 5, 5, 1, 1, 1, 1, 2, 2, 2, 1},    /* 5x5 */
      {1, 4, 17, 19, 5, 5, 2, 2, 1, 1, 2, 2, 0, 1},
      {1, 4, 16, 16, 3, 3, 1, 1, 2, 2, 2, 2, 0, 1},    /* dilation 2 */
      {1, 4, 16, 16, 3, 3, 2, 2, 2, 2, 2, 2, 1, 1},
      {1, 4, 12, 12, 3, 3, 1, 1, 1, 1, 0, 0, 0, 1},    /* no padding */
      {1, 4, 12, 12, 3, 3, 1, 1, 1, 1, 3, 3, 0, 1},    /* pad beyond taps */
      {1, 4, 12, 13, 3, 5, 1, 2, 1, 1, 1, 2, 0, 1},    /* mixed strides */
      {1, 4, 13, 22, 1, 7, 1, 1, 1, 1, 0, 3, 2, 1},    /* 1x7 */
      {1, 4, 22, 13, 7, 1, 1, 1, 1, 1, 3, 0, 0, 1},    /* 7x1 */
      {1, 6, 15, 15, 3, 3, 3, 3, 1, 1, 1, 1, 0, 1},    /* stride 3: C */
      {1, 2, 3, 1200, 3, 3, 1, 1, 1, 1, 1, 1, 0, 1},   /* 75 chunks: C */
      {1, 7, 1, 1, 3, 3, 1, 1, 1, 1, 1, 1, 2, 1},      /* 1x1 plane */
      {3, 1, 5, 5, 2, 2, 1, 1, 1, 1, 0, 0, 1, 0},
      {2, 37, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 2, 1},     /* 16-channel blocks */
      {1, 48, 14, 14, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1},   /* + a partial one */
      {1, 20, 16, 16, 5, 5, 1, 1, 1, 1, 2, 2, 0, 1},   /* 256 positions */
      {1, 17, 9, 13, 3, 3, 1, 2, 2, 1, 2, 1, 2, 0},
      {1, 18, 40, 70, 5, 5, 1, 1, 1, 1, 2, 2, 1, 1},   /* blocks in bands */
      {1, 16, 45, 31, 3, 3, 2, 2, 1, 1, 1, 1, 2, 1},   /* stride 2, bands */
      {1, 16, 9, 600, 3, 3, 1, 1, 2, 2, 2, 2, 0, 1},   /* 600 wide: 1 row */
  };
  int n = sizeof shapes / sizeof shapes[0], cases = 0;
  double worst = 0;
  for (int i = 0; i < n; ++i)
    for (int v = 0; v < 6; ++v) {
      /* strided views; gapless; gapless without scratch */
      int t = 1 + (v & 1), gapless = v >= 2, blocks = v < 4;
      double e = run(shapes[i], t, gapless, blocks);
      ++cases;
      if (!(e <= 1e-5)) {
        struct shape s = shapes[i];
        printf("FAIL shape %d (c%ld %ldx%ld k%ldx%ld s%ld,%ld) threads %d%s%s: "
               "error %g\n",
               i, (long)s.c, (long)s.h, (long)s.w, (long)s.kh, (long)s.kw,
               (long)s.sh, (long)s.sw, t, gapless ? " gapless" : "",
               blocks ? "" : " no scratch", e);
      }
      if (!(e <= worst))
        worst = e;
    }
  printf("kernel: %s\n", kiln_sgemm_kernel_name());
  printf("cases: %d, worst error: %s, outside the views: %ld\n", cases,
         worst <= 1e-5 ? "below 1e-5" : "ABOVE 1e-5", clobbered);
  return 0;
}
