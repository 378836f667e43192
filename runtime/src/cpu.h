/* The one CPU feature query every kernel family (sgemm, depthwise
 * convolution, pooling) dispatches on; not part of the public ABI. */
#ifndef KILN_RUNTIME_CPU_H
#define KILN_RUNTIME_CPU_H

/* The x86 kernels (AVX2 and AVX-512, selected at run time) are compiled
 * with GCC or Clang on x86-64; elsewhere only the generic C ones. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define KILN_X86_KERNELS 1
#endif

/* Ordered: a level runs every kernel of the levels below it. */
enum kiln_isa {
  KILN_ISA_GENERIC = 0, /* portable C */
  KILN_ISA_AVX2 = 1,    /* AVX2 and FMA */
  KILN_ISA_AVX512 = 2,  /* AVX-512F */
};

/* The widest level this CPU runs, lowered by KILN_SGEMM_KERNEL=avx2 or
 * =generic (to test every path on one machine). Computed once; safe to
 * call from any thread. */
enum kiln_isa kiln_cpu_isa(void);

/* "generic", "avx2" or "avx512". */
const char *kiln_isa_name(enum kiln_isa isa);

#endif
