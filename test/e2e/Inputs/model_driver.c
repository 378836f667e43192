/* Test driver for one compiled model with one input and one f32 output,
 * built with -DMODEL=<name> against the model's header (<name>.h).
 *
 *   driver DIR THREADS CALLS
 *
 * DIR holds in0_0.bin (the input, raw) and ref0_0.bin (PyTorch's output,
 * raw f32). The driver
 *   1. checks the workspace ABI: NULL, too small and misaligned workspaces
 *      are refused with their status codes;
 *   2. interposes malloc and friends (under ASan/TSan: the sanitizer's
 *      allocation hook) and counts allocations while it calls
 *      the model: with a caller workspace (never allocates), then through
 *      the plain entry points after one warm-up call per thread;
 *   3. runs THREADS threads x CALLS calls at once, each thread with its own
 *      workspace, and checks every output against PyTorch's
 *      (|got - ref| <= 1e-4 + 1e-4 |ref|).
 * It prints one line per part and exits 1 if any check failed. */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STR2(x) #x
#define STR(x) STR2(x)
#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#include STR(MODEL.h)

#define FORWARD CAT(MODEL, _forward)
#define FORWARD_WS CAT(MODEL, _forward_with_workspace)
#define FORWARD_TENSORS CAT(MODEL, _forward_tensors)
#define WORKSPACE_SIZE CAT(MODEL, _workspace_size)
#define SIGNATURE CAT(MODEL, _signature)

/* ---- count every allocation while armed ---- */
static atomic_int armed;
static atomic_long allocations;

static void count(void) {
  if (atomic_load(&armed))
    atomic_fetch_add(&allocations, 1);
}

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
/* Under ASan or TSan the sanitizer owns malloc (interposing it here would
 * hand its chunks to glibc's free): its allocation hook counts instead. */
#define DRIVER_SANITIZED 1
/* From sanitizer/allocator_interface.h, which gcc does not install. */
int __sanitizer_install_malloc_and_free_hooks(
    void (*malloc_hook)(const volatile void *, size_t),
    void (*free_hook)(const volatile void *));
static void on_malloc(const volatile void *p, size_t n) {
  (void)p, (void)n;
  count();
}
static void on_free(const volatile void *p) { (void)p; }
#else
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

void *malloc(size_t n) { count(); return __libc_malloc(n); }
void *calloc(size_t n, size_t m) { count(); return __libc_calloc(n, m); }
void *realloc(void *p, size_t n) { count(); return __libc_realloc(p, n); }
void *aligned_alloc(size_t a, size_t n) { count(); return __libc_memalign(a, n); }
void *memalign(size_t a, size_t n) { count(); return __libc_memalign(a, n); }
int posix_memalign(void **p, size_t a, size_t n) {
  count();
  *p = __libc_memalign(a, n);
  return *p ? 0 : ENOMEM;
}
void free(void *p) { __libc_free(p); }
#endif

/* ---- data ---- */
static size_t in_bytes, out_numel;
static unsigned char *input;
static float *ref;

static void *load(const char *dir, const char *name, size_t bytes) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(1);
  }
  void *data = malloc(bytes);
  size_t got = fread(data, 1, bytes, f);
  fclose(f);
  if (got != bytes) {
    fprintf(stderr, "%s: %zu bytes, expected %zu\n", path, got, bytes);
    exit(1);
  }
  return data;
}

static int matches(const float *out) {
  for (size_t i = 0; i < out_numel; ++i)
    if (!(fabsf(out[i] - ref[i]) <= 1e-4f + 1e-4f * fabsf(ref[i])))
      return 0;
  return 1;
}

static void *new_workspace(void) {
  size_t size = WORKSPACE_SIZE();
  size_t rounded = (size + KILN_WORKSPACE_ALIGNMENT - 1) /
                   KILN_WORKSPACE_ALIGNMENT * KILN_WORKSPACE_ALIGNMENT;
  return aligned_alloc(KILN_WORKSPACE_ALIGNMENT,
                       rounded ? rounded : KILN_WORKSPACE_ALIGNMENT);
}

/* The first plain call on a new thread allocates that thread's workspace:
 * the positive control that the counter sees the runtime's allocation. */
static void *first_plain_call(void *arg) {
  float *out = arg;
  atomic_store(&allocations, 0);
  atomic_store(&armed, 1);
  int status = FORWARD((const void *)input, out);
  atomic_store(&armed, 0);
  return (void *)(intptr_t)(status == KILN_STATUS_OK);
}

/* ---- threads ---- */
struct job {
  int calls, bad, errors, allocations_seen;
};
static pthread_barrier_t start;

static void *run(void *arg) {
  struct job *j = arg;
  void *ws = new_workspace();
  float *out = malloc(out_numel * sizeof(float));
  pthread_barrier_wait(&start);
  for (int c = 0; c < j->calls; ++c) {
    memset(out, 0xff, out_numel * sizeof(float)); /* NaN: must be overwritten */
    if (FORWARD_WS(ws, WORKSPACE_SIZE(), (const void *)input, out) !=
        KILN_STATUS_OK) {
      j->errors++;
      continue;
    }
    if (!matches(out))
      j->bad++;
  }
  free(out);
  free(ws);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 4)
    return fprintf(stderr, "usage: %s DIR THREADS CALLS\n", argv[0]), 2;
  int threads = atoi(argv[2]), calls = atoi(argv[3]);
#ifdef DRIVER_SANITIZED
  __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free);
#endif
  const kiln_signature *sig = SIGNATURE();
  if (sig->num_inputs != 1 || sig->num_outputs != 1 ||
      sig->outputs[0].dtype != KILN_DTYPE_F32)
    return fprintf(stderr, "the driver needs one input and one f32 output\n"), 1;
  in_bytes = kiln_tensor_info_num_elements(&sig->inputs[0]) *
             kiln_dtype_size(sig->inputs[0].dtype);
  out_numel = kiln_tensor_info_num_elements(&sig->outputs[0]);
  input = load(argv[1], "in0_0.bin", in_bytes);
  ref = load(argv[1], "ref0_0.bin", out_numel * sizeof(float));
  float *out = malloc(out_numel * sizeof(float));
  int failed = 0;

  /* 1. The workspace ABI. */
  size_t size = WORKSPACE_SIZE();
  unsigned char *ws = new_workspace();
  printf("workspace: %zu bytes\n", size);
  if (size > 0) {
    int null = FORWARD_WS(NULL, size, (const void *)input, out);
    int small = FORWARD_WS(ws, size - 1, (const void *)input, out);
    unsigned char *big = aligned_alloc(KILN_WORKSPACE_ALIGNMENT,
                                       size + 2 * KILN_WORKSPACE_ALIGNMENT);
    int misaligned = FORWARD_WS(big + 8, size, (const void *)input, out);
    free(big);
    printf("abi: null %s, too small %s, misaligned %s\n",
           kiln_status_string(null), kiln_status_string(small),
           kiln_status_string(misaligned));
    failed |= null != KILN_STATUS_INVALID_ARGUMENT ||
              small != KILN_STATUS_WORKSPACE_TOO_SMALL ||
              misaligned != KILN_STATUS_MISALIGNED;
  }

  /* 2. No allocation per call. The interposer must see our own malloc. */
  atomic_store(&allocations, 0);
  atomic_store(&armed, 1);
  void *volatile probe = malloc(16);
  atomic_store(&armed, 0);
  free(probe);
  long seen = atomic_load(&allocations);
  printf("interposer: %ld allocation seen for one malloc\n", seen);
  failed |= seen != 1;

  if (size > 0) {
    pthread_t fresh;
    void *called;
    pthread_create(&fresh, NULL, first_plain_call, out);
    pthread_join(fresh, &called);
    long first = atomic_load(&allocations);
    printf("first plain call on a new thread: %s, allocations: %s\n",
           called ? "ok" : "FAILED", first > 0 ? "some" : "none");
    failed |= !called || first == 0;
  }

  int ok = 1;
  atomic_store(&allocations, 0);
  atomic_store(&armed, 1);
  for (int c = 0; c < 20; ++c)
    ok &= FORWARD_WS(ws, size, (const void *)input, out) == KILN_STATUS_OK &&
          matches(out);
  atomic_store(&armed, 0);
  long withWorkspace = atomic_load(&allocations);

  ok &= FORWARD((const void *)input, out) == KILN_STATUS_OK; /* warm-up */
  kiln_tensor in_t, out_t;
  kiln_tensor_init(&in_t, sig->inputs[0].dtype, sig->inputs[0].rank,
                   sig->inputs[0].shape, input);
  kiln_tensor_init(&out_t, KILN_DTYPE_F32, sig->outputs[0].rank,
                   sig->outputs[0].shape, out);
  atomic_store(&allocations, 0);
  atomic_store(&armed, 1);
  for (int c = 0; c < 20; ++c) {
    ok &= FORWARD((const void *)input, out) == KILN_STATUS_OK && matches(out);
    ok &= FORWARD_TENSORS(&in_t, 1, &out_t, 1) == KILN_STATUS_OK &&
          matches(out);
  }
  atomic_store(&armed, 0);
  long plain = atomic_load(&allocations);
  printf("allocations: %ld in 20 calls with a caller workspace, %ld in 40 "
         "plain calls after warm-up, outputs %s\n",
         withWorkspace, plain, ok ? "match" : "DIFFER");
  failed |= withWorkspace != 0 || plain != 0 || !ok;
  free(ws);

  /* 3. Threads, each with its own workspace. */
  struct job *jobs = calloc(threads, sizeof *jobs);
  pthread_t *tid = calloc(threads, sizeof *tid);
  pthread_barrier_init(&start, NULL, threads);
  for (int t = 0; t < threads; ++t) {
    jobs[t].calls = calls;
    pthread_create(&tid[t], NULL, run, &jobs[t]);
  }
  int bad = 0, errors = 0;
  for (int t = 0; t < threads; ++t) {
    pthread_join(tid[t], NULL);
    bad += jobs[t].bad;
    errors += jobs[t].errors;
  }
  printf("threads: %d, calls: %d, wrong results: %d, errors: %d\n", threads,
         threads * calls, bad, errors);
  failed |= bad || errors;
  pthread_barrier_destroy(&start);
  free(tid);
  free(jobs);
  free(out);
  free(ref);
  free(input);
  return failed ? 1 : 0;
}
