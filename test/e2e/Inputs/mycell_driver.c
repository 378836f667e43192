/* Test driver: runs a compiled MyCell on raw float32 files and writes its
 * outputs as raw float32 files. Usage: driver x.bin h.bin out0.bin out1.bin */
#include "mycell.h"

#include <stdio.h>

static int io(const char *path, float *v, size_t n, int write) {
  FILE *f = fopen(path, write ? "wb" : "rb");
  if (!f)
    return fprintf(stderr, "cannot open %s\n", path), -1;
  size_t done = write ? fwrite(v, sizeof *v, n, f) : fread(v, sizeof *v, n, f);
  fclose(f);
  return done == n ? 0 : (fprintf(stderr, "short file %s\n", path), -1);
}

int main(int argc, char **argv) {
  if (argc != 5)
    return fprintf(stderr, "usage: %s x h out0 out1\n", argv[0]), 2;
  float x[MYCELL_INPUT0_NUMEL], h[MYCELL_INPUT1_NUMEL];
  float o0[MYCELL_OUTPUT0_NUMEL], o1[MYCELL_OUTPUT1_NUMEL];
  if (io(argv[1], x, MYCELL_INPUT0_NUMEL, 0) ||
      io(argv[2], h, MYCELL_INPUT1_NUMEL, 0))
    return 1;
  int status = mycell_forward(x, h, o0, o1);
  if (status != KILN_STATUS_OK)
    return fprintf(stderr, "mycell_forward: %s\n", kiln_status_string(status)), 1;
  if (io(argv[3], o0, MYCELL_OUTPUT0_NUMEL, 1) ||
      io(argv[4], o1, MYCELL_OUTPUT1_NUMEL, 1))
    return 1;
  printf("mycell_forward: ok\n");
  return 0;
}
