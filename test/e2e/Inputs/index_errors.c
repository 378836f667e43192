/* Drives test/e2e/index-out-of-range.test: an embedding model (embed.h)
 * through every entry point with indices in and out of range, on this
 * thread and on a second one. Prints one line per call: the status and
 * kiln_last_error() when it failed. */
#include "embed.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const int64_t good[4] = {4, 0, 2, 1};
static const int64_t bad[4] = {4, 7, 2, 9};
static float out[4 * 3];

static void report(const char *what, int status) {
  if (status == KILN_STATUS_OK)
    printf("%s: ok\n", what);
  else
    printf("%s: %d (%s): %s\n", what, status, kiln_status_string(status),
           kiln_last_error());
}

static int tensors(const int64_t *indices) {
  kiln_tensor in, o;
  int64_t ishape[1] = {4}, oshape[2] = {4, 3};
  kiln_tensor_init(&in, KILN_DTYPE_I64, 1, ishape, (void *)indices);
  kiln_tensor_init(&o, KILN_DTYPE_F32, 2, oshape, out);
  return embed_forward_tensors(&in, 1, &o, 1);
}

static void *other_thread(void *arg) {
  (void)arg;
  /* A good call here while the main thread's last call failed: this
   * thread has no error of its own. */
  report("thread good", embed_forward(good, out));
  report("thread bad", embed_forward(bad, out));
  return NULL;
}

int main(void) {
  report("forward good", embed_forward(good, out));
  report("forward bad", embed_forward(bad, out));
  /* The error does not stick: the next call with good indices is ok. */
  report("forward good again", embed_forward(good, out));
  report("tensors bad", tensors(bad));
  report("tensors good", tensors(good));
  size_t size = embed_workspace_size();
  void *ws = size ? aligned_alloc(KILN_WORKSPACE_ALIGNMENT,
                                  (size + KILN_WORKSPACE_ALIGNMENT - 1) /
                                      KILN_WORKSPACE_ALIGNMENT *
                                      KILN_WORKSPACE_ALIGNMENT)
                  : NULL;
  report("workspace bad", embed_forward_with_workspace(ws, size, bad, out));
  report("workspace good", embed_forward_with_workspace(ws, size, good, out));
  free(ws);
  report("forward bad", embed_forward(bad, out));
  pthread_t t;
  if (pthread_create(&t, NULL, other_thread, NULL) != 0)
    return 1;
  pthread_join(t, NULL);
  printf("main still has: %s\n", kiln_last_error());
  return 0;
}
