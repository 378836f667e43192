/* Pieces shared by the runtime's sources; not part of the public ABI. */
#ifndef KILN_RUNTIME_INTERNAL_H
#define KILN_RUNTIME_INTERNAL_H
#include <stdint.h>

/* How many parts a parallel region asked for `requested` threads (0: all
 * online cores) runs in: at least 1, at most the online cores. */
int64_t kiln_pool_threads(int64_t requested);

/* Runs fn(ctx, i) for every i < parts, on the calling thread and the
 * pool's workers; returns when all are done. When the pool is busy with
 * another caller's region, runs every part on the calling thread. */
void kiln_pool_run(int64_t parts, void (*fn)(void *ctx, int64_t part),
                   void *ctx);
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
/* r[i] becomes column i of the 16x16 matrix whose rows r held (four
 * rounds of unpacks and 128-bit shuffles). */
__attribute__((target("avx512f"), always_inline)) static inline void
kiln_transpose16_avx512(__m512 r[16]) {
  __m512 t[16];
  for (int i = 0; i < 8; ++i) {
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  /* r[4i + k], 128-bit lane L: rows 4i..4i+3 of column 4L + k. */
  for (int i = 0; i < 4; ++i) {
    __m512d a = _mm512_castps_pd(t[4 * i]), b = _mm512_castps_pd(t[4 * i + 2]);
    __m512d c = _mm512_castps_pd(t[4 * i + 1]),
            d = _mm512_castps_pd(t[4 * i + 3]);
    r[4 * i] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, b));
    r[4 * i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, b));
    r[4 * i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(c, d));
    r[4 * i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(c, d));
  }
  for (int k = 0; k < 4; ++k) {
    __m512 a = _mm512_shuffle_f32x4(r[k], r[4 + k], 0x44),
           b = _mm512_shuffle_f32x4(r[k], r[4 + k], 0xee),
           c = _mm512_shuffle_f32x4(r[8 + k], r[12 + k], 0x44),
           d = _mm512_shuffle_f32x4(r[8 + k], r[12 + k], 0xee);
    t[k] = _mm512_shuffle_f32x4(a, c, 0x88);
    t[4 + k] = _mm512_shuffle_f32x4(a, c, 0xdd);
    t[8 + k] = _mm512_shuffle_f32x4(b, d, 0x88);
    t[12 + k] = _mm512_shuffle_f32x4(b, d, 0xdd);
  }
  for (int i = 0; i < 16; ++i)
    r[i] = t[i];
}
#endif
#endif
