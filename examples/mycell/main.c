/* A C program that runs MyCell compiled by kiln-compile: no Python, no
 * libtorch. Reads x and h as raw float32 files, runs the model through both
 * entry points and prints the outputs.
 *
 *   kiln-compile mycell.pt --input-shape x=3x4xf32 --input-shape h=3x4xf32 \
 *       -o mycell.o --header mycell.h
 *   cc -I. -I<prefix>/include main.c mycell.o -L<prefix>/lib -lkiln_runtime \
 *       -lm -o mycell_demo
 *   ./mycell_demo x.bin h.bin [OUT_DIR]
 * With OUT_DIR it also writes OUT_DIR/kiln_out0.bin and kiln_out1.bin.
 */
#include "mycell.h"

#include <stdio.h>
#include <string.h>

static int read_floats(const char *path, float *dst, size_t n) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "mycell_demo: cannot open %s\n", path);
    return -1;
  }
  size_t got = fread(dst, sizeof(float), n, f);
  fclose(f);
  if (got != n) {
    fprintf(stderr, "mycell_demo: %s holds %zu floats, expected %zu\n", path,
            got, n);
    return -1;
  }
  return 0;
}

static void print_matrix(const char *name, const float *v, int rows,
                         int cols) {
  printf("%s =\n", name);
  for (int r = 0; r < rows; ++r) {
    printf("  [");
    for (int c = 0; c < cols; ++c)
      printf("%s% .7f", c ? ", " : "", v[r * cols + c]);
    printf("]\n");
  }
}

int main(int argc, char **argv) {
  if (argc != 3 && argc != 4) {
    fprintf(stderr, "usage: %s x.bin h.bin [OUT_DIR]\n", argv[0]);
    return 2;
  }
  float x[MYCELL_INPUT0_NUMEL], h[MYCELL_INPUT1_NUMEL];
  float out0[MYCELL_OUTPUT0_NUMEL], out1[MYCELL_OUTPUT1_NUMEL];
  if (read_floats(argv[1], x, MYCELL_INPUT0_NUMEL) ||
      read_floats(argv[2], h, MYCELL_INPUT1_NUMEL))
    return 1;

  /* The plain entry point: dense row-major buffers. */
  int status = mycell_forward(x, h, out0, out1);
  if (status != KILN_STATUS_OK) {
    fprintf(stderr, "mycell_forward: %s\n", kiln_status_string(status));
    return 1;
  }
  const int64_t shape[] = MYCELL_OUTPUT0_SHAPE;
  print_matrix("kiln out0", out0, (int)shape[0], (int)shape[1]);
  print_matrix("kiln out1", out1, (int)shape[0], (int)shape[1]);

  /* The checked entry point: self-describing tensors. */
  const kiln_signature *sig = mycell_signature();
  kiln_tensor in[MYCELL_NUM_INPUTS], out[MYCELL_NUM_OUTPUTS];
  float t0[MYCELL_OUTPUT0_NUMEL], t1[MYCELL_OUTPUT1_NUMEL];
  kiln_tensor_init(&in[0], sig->inputs[0].dtype, sig->inputs[0].rank,
                   sig->inputs[0].shape, x);
  kiln_tensor_init(&in[1], sig->inputs[1].dtype, sig->inputs[1].rank,
                   sig->inputs[1].shape, h);
  kiln_tensor_init(&out[0], sig->outputs[0].dtype, sig->outputs[0].rank,
                   sig->outputs[0].shape, t0);
  kiln_tensor_init(&out[1], sig->outputs[1].dtype, sig->outputs[1].rank,
                   sig->outputs[1].shape, t1);
  status = mycell_forward_tensors(in, MYCELL_NUM_INPUTS, out,
                                  MYCELL_NUM_OUTPUTS);
  if (status != KILN_STATUS_OK) {
    fprintf(stderr, "mycell_forward_tensors: %s\n", kiln_status_string(status));
    return 1;
  }
  if (memcmp(t0, out0, sizeof t0) || memcmp(t1, out1, sizeof t1)) {
    fprintf(stderr, "the two entry points disagree\n");
    return 1;
  }
  printf("model '%s': %lld inputs, %lld outputs; both entry points agree\n",
         sig->model_name, (long long)sig->num_inputs,
         (long long)sig->num_outputs);
  if (argc == 4) {
    char path[4096];
    const float *outs[2] = {out0, out1};
    for (int i = 0; i < 2; ++i) {
      snprintf(path, sizeof path, "%s/kiln_out%d.bin", argv[3], i);
      FILE *f = fopen(path, "wb");
      if (!f || fwrite(outs[i], sizeof(float), MYCELL_OUTPUT0_NUMEL, f) !=
                    MYCELL_OUTPUT0_NUMEL) {
        fprintf(stderr, "mycell_demo: cannot write %s\n", path);
        return 1;
      }
      fclose(f);
    }
  }
  return 0;
}
