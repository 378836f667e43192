/* Stress driver: THREADS threads x CALLS calls of one compiled model, each
 * call through one of the three CPU entry points in turn (NAME_forward,
 * NAME_forward_with_workspace with the thread's own workspace,
 * NAME_forward_tensors), each thread on its own inputs. Every output must
 * be bit-identical to a single-threaded run on the same inputs.
 *
 * Compiled per model: cc -DMODEL=resblock -DMODEL_UPPER=RESBLOCK
 * -DHEADER='"resblock.h"' ... (f32 inputs and outputs: 1 -> 1, 1 -> 2 or
 * 2 -> 2).
 * Usage: stress THREADS CALLS */
#define _POSIX_C_SOURCE 200809L
#include HEADER

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define NUM_IN CAT(MODEL_UPPER, _NUM_INPUTS)
#define NUM_OUT CAT(MODEL_UPPER, _NUM_OUTPUTS)
#define MAX_THREADS 64

#if NUM_IN == 1 && NUM_OUT == 1
#define FORWARD(in, out) CAT(MODEL, _forward)(in[0], out[0])
#define FORWARD_WS(ws, n, in, out)                                             \
  CAT(MODEL, _forward_with_workspace)(ws, n, in[0], out[0])
#elif NUM_IN == 1 && NUM_OUT == 2
#define FORWARD(in, out) CAT(MODEL, _forward)(in[0], out[0], out[1])
#define FORWARD_WS(ws, n, in, out)                                             \
  CAT(MODEL, _forward_with_workspace)(ws, n, in[0], out[0], out[1])
#elif NUM_IN == 2 && NUM_OUT == 2
#define FORWARD(in, out) CAT(MODEL, _forward)(in[0], in[1], out[0], out[1])
#define FORWARD_WS(ws, n, in, out)                                             \
  CAT(MODEL, _forward_with_workspace)(ws, n, in[0], in[1], out[0], out[1])
#else
#error "stress_threads.c handles models of 1 input and 1 or 2 outputs, or 2 and 2"
#endif

static const kiln_signature *sig;
static int64_t numel[2][2]; /* [0: inputs, 1: outputs][index] */

struct job {
  float *in[NUM_IN], *ref[NUM_OUT], *out[NUM_OUT];
  int calls, seed, errors, mismatches;
};

static int64_t count(const kiln_tensor_info *t) {
  return kiln_tensor_info_num_elements(t);
}

static float *alloc_floats(int64_t n) {
  float *p = malloc((size_t)(n ? n : 1) * sizeof(float));
  if (!p)
    exit(3);
  return p;
}

/* One call through entry point `which` (0, 1, 2) into outs. */
static int call(int which, float **in, float **outs, void *ws, size_t wsize) {
  if (which == 0)
    return FORWARD(in, outs);
  if (which == 1)
    return FORWARD_WS(ws, wsize, in, outs);
  kiln_tensor ti[NUM_IN], to[NUM_OUT];
  for (int i = 0; i < NUM_IN; ++i)
    kiln_tensor_init(&ti[i], sig->inputs[i].dtype, sig->inputs[i].rank,
                     sig->inputs[i].shape, in[i]);
  for (int i = 0; i < NUM_OUT; ++i)
    kiln_tensor_init(&to[i], sig->outputs[i].dtype, sig->outputs[i].rank,
                     sig->outputs[i].shape, outs[i]);
  return CAT(MODEL, _forward_tensors)(ti, NUM_IN, to, NUM_OUT);
}

static size_t workspace_bytes(void) {
  size_t n = CAT(MODEL, _workspace_size)();
  return (n + KILN_WORKSPACE_ALIGNMENT - 1) / KILN_WORKSPACE_ALIGNMENT *
         KILN_WORKSPACE_ALIGNMENT;
}

static void *run(void *arg) {
  struct job *j = arg;
  size_t wsize = workspace_bytes();
  void *ws = wsize ? aligned_alloc(KILN_WORKSPACE_ALIGNMENT, wsize) : NULL;
  for (int c = 0; c < j->calls; ++c) {
    int which = (c + j->seed) % 3;
    for (int i = 0; i < NUM_OUT; ++i)
      memset(j->out[i], 0xff, (size_t)numel[1][i] * sizeof(float)); /* NaNs */
    if (call(which, j->in, j->out, ws, wsize) != KILN_STATUS_OK) {
      j->errors++;
      continue;
    }
    for (int i = 0; i < NUM_OUT; ++i)
      if (memcmp(j->out[i], j->ref[i], (size_t)numel[1][i] * sizeof(float))) {
        j->mismatches++;
        break;
      }
  }
  free(ws);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 3)
    return fprintf(stderr, "usage: %s THREADS CALLS\n", argv[0]), 2;
  int threads = atoi(argv[1]), calls = atoi(argv[2]);
  if (threads < 1 || threads > MAX_THREADS || calls < 1)
    return fprintf(stderr, "bad THREADS or CALLS\n"), 2;
  sig = CAT(MODEL, _signature)();
  for (int i = 0; i < NUM_IN; ++i) {
    if (sig->inputs[i].dtype != KILN_DTYPE_F32)
      return fprintf(stderr, "input %d is not f32\n", i), 2;
    numel[0][i] = count(&sig->inputs[i]);
  }
  for (int i = 0; i < NUM_OUT; ++i) {
    if (sig->outputs[i].dtype != KILN_DTYPE_F32)
      return fprintf(stderr, "output %d is not f32\n", i), 2;
    numel[1][i] = count(&sig->outputs[i]);
  }
  static struct job jobs[MAX_THREADS];
  /* The reference: every thread's inputs, run on this thread alone. */
  for (int t = 0; t < threads; ++t) {
    struct job *j = &jobs[t];
    j->calls = calls;
    j->seed = t;
    uint32_t state = 12345u + 7919u * (uint32_t)t;
    for (int i = 0; i < NUM_IN; ++i) {
      j->in[i] = alloc_floats(numel[0][i]);
      for (int64_t k = 0; k < numel[0][i]; ++k) {
        state = state * 1664525u + 1013904223u;
        j->in[i][k] = (float)(state >> 8) / 16777216.0f * 2.0f - 1.0f;
      }
    }
    for (int i = 0; i < NUM_OUT; ++i) {
      j->ref[i] = alloc_floats(numel[1][i]);
      j->out[i] = alloc_floats(numel[1][i]);
    }
    if (FORWARD(j->in, j->ref) != KILN_STATUS_OK)
      return fprintf(stderr, "reference call failed\n"), 1;
  }
  pthread_t tid[MAX_THREADS];
  for (int t = 0; t < threads; ++t)
    if (pthread_create(&tid[t], NULL, run, &jobs[t]))
      return fprintf(stderr, "pthread_create failed\n"), 1;
  int errors = 0, mismatches = 0;
  for (int t = 0; t < threads; ++t) {
    pthread_join(tid[t], NULL);
    errors += jobs[t].errors;
    mismatches += jobs[t].mismatches;
  }
  printf("%s: threads: %d, calls: %d, entry points: 3, not bit-identical: %d, "
         "errors: %d\n", sig->model_name, threads, threads * calls, mismatches,
         errors);
  return mismatches || errors ? 1 : 0;
}
