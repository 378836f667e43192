/* A CUDA model's host object without a usable driver: every entry returns
 * a status (never crashes) and init names the problem. */
#include "mycell.h"

#include <stdio.h>
#include <string.h>

int main(void) {
  float x[12] = {0}, h[12] = {0}, y0[12], y1[12];
  kiln_cuda_model *model = (kiln_cuda_model *)&x; /* must be reset */
  int status = mycell_cuda_init(0, &model);
  printf("init: %s (%d); model %s\n", kiln_status_string(status), status,
         model ? "set" : "NULL");
  printf("last error: %s\n", kiln_cuda_last_error());
  printf("available: %s; devices: %d\n",
         kiln_status_string(kiln_cuda_available()), kiln_cuda_device_count());
  status = mycell_cuda_forward_host(NULL, x, h, y0, y1);
  printf("forward_host(NULL model): %s\n", kiln_status_string(status));
  status = mycell_cuda_forward(NULL, NULL, x, h, y0, y1);
  printf("forward(NULL model): %s\n", kiln_status_string(status));
  status = mycell_cuda_forward_with_workspace(NULL, NULL, NULL, 0, x, h, y0,
                                              y1);
  printf("forward_with_workspace(NULL model): %s\n",
         kiln_status_string(status));
  printf("init(NULL out): %s\n",
         kiln_status_string(mycell_cuda_init(0, NULL)));
  mycell_cuda_release(NULL);
  printf("workspace: %zu bytes; inputs: %d\n", mycell_workspace_size(),
         (int)mycell_signature()->num_inputs);
  return 0;
}
