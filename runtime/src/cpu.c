/* The CPU feature query of runtime/src/cpu.h. */
#include "cpu.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static enum kiln_isa detected = KILN_ISA_GENERIC;
static pthread_once_t detect_once = PTHREAD_ONCE_INIT;

static void detect(void) {
  enum kiln_isa isa = KILN_ISA_GENERIC;
#ifdef KILN_X86_KERNELS
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    isa = KILN_ISA_AVX2;
  if (__builtin_cpu_supports("avx512f"))
    isa = KILN_ISA_AVX512;
#endif
  const char *force = getenv("KILN_SGEMM_KERNEL");
  if (force && !strcmp(force, "generic"))
    isa = KILN_ISA_GENERIC;
  if (force && !strcmp(force, "avx2") && isa > KILN_ISA_AVX2)
    isa = KILN_ISA_AVX2;
  detected = isa;
}

enum kiln_isa kiln_cpu_isa(void) {
  pthread_once(&detect_once, detect);
  return detected;
}

const char *kiln_isa_name(enum kiln_isa isa) {
  switch (isa) {
  case KILN_ISA_AVX512:
    return "avx512";
  case KILN_ISA_AVX2:
    return "avx2";
  case KILN_ISA_GENERIC:
    break;
  }
  return "generic";
}
