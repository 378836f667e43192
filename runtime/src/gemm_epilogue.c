/* Kiln runtime: kiln_sgemm_epi's epilogue on C's tiles (bias first,
 * residual and activation once a tile is complete). */
#include "gemm_internal.h"

int kiln_gemm_epi_after(const struct epilogue *e) {
  return e && (e->resid || e->act);
}

float kiln_gemm_epi_act(const struct epilogue *e, float v) {
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
void kiln_gemm_epi_bias_tile(const struct epilogue *e, float *ct, int64_t c_rs,
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
void kiln_gemm_epi_after_tile(const struct epilogue *e, float *ct, int64_t c_rs,
                           int64_t i0, int64_t j0, int64_t mr, int64_t nr) {
  for (int64_t i = 0; i < mr; ++i) {
    float *row = ct + i * c_rs;
    const float *r = e->resid ? e->resid + (i0 + i) * e->rrs + j0 : NULL;
    for (int64_t j = 0; j < nr; ++j)
      row[j] = kiln_gemm_epi_act(e, r ? row[j] + r[j] : row[j]);
  }
}

void kiln_gemm_epi_start_tile(const struct epilogue *e, float *ct, int64_t c_rs,
                           int64_t i0, int64_t j0, int64_t mr, int64_t nr) {
#ifdef KILN_X86_KERNELS
  if (e->wide && (e->bcs == 0 || e->bcs == 1)) {
    kiln_gemm_epi_bias_tile_avx512(e, ct, c_rs, i0, j0, mr, nr);
    return;
  }
#endif
  kiln_gemm_epi_bias_tile(e, ct, c_rs, i0, j0, mr, nr);
}

void kiln_gemm_epi_finish_tile(const struct epilogue *e, float *ct, int64_t c_rs,
                            int64_t i0, int64_t j0, int64_t mr, int64_t nr) {
#ifdef KILN_X86_KERNELS
  if (e->wide) {
    kiln_gemm_epi_after_tile_avx512(e, ct, c_rs, i0, j0, mr, nr);
    return;
  }
#endif
  kiln_gemm_epi_after_tile(e, ct, c_rs, i0, j0, mr, nr);
}
