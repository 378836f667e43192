/* Test driver: what the generated entry points check (NULL pointers,
 * descriptor counts, dtypes, shapes, struct sizes) and what the signature
 * says. Prints one line per check for FileCheck. */
#include "mycell.h"

#include <stdio.h>
#include <string.h>

static void dims(const int64_t *s, int r) {
  for (int i = 0; i < r; ++i)
    printf("%s%lld", i ? "x" : "", (long long)s[i]);
}

int main(void) {
  float x[12] = {0}, h[12] = {0}, o0[12], o1[12];
  printf("null x: %d\n", mycell_forward(NULL, h, o0, o1));
  printf("null out1: %d\n", mycell_forward(x, h, o0, NULL));
  printf("valid: %d\n", mycell_forward(x, h, o0, o1));

  const kiln_signature *sig = mycell_signature();
  printf("signature: %s abi=%u size_ok=%d inputs=%lld outputs=%lld\n",
         sig->model_name, sig->abi_version,
         sig->struct_size == sizeof(kiln_signature), (long long)sig->num_inputs,
         (long long)sig->num_outputs);
  for (int i = 0; i < sig->num_inputs; ++i) {
    printf("input %d: %s %s ", i, sig->inputs[i].name,
           kiln_dtype_name(sig->inputs[i].dtype));
    dims(sig->inputs[i].shape, sig->inputs[i].rank);
    printf("\n");
  }
  for (int i = 0; i < sig->num_outputs; ++i) {
    printf("output %d: %s %s ", i, sig->outputs[i].name,
           kiln_dtype_name(sig->outputs[i].dtype));
    dims(sig->outputs[i].shape, sig->outputs[i].rank);
    printf("\n");
  }

  int64_t s34[] = {3, 4}, s43[] = {4, 3};
  kiln_tensor in[2], out[2];
  kiln_tensor_init(&in[0], KILN_DTYPE_F32, 2, s34, x);
  kiln_tensor_init(&in[1], KILN_DTYPE_F32, 2, s34, h);
  kiln_tensor_init(&out[0], KILN_DTYPE_F32, 2, s34, o0);
  kiln_tensor_init(&out[1], KILN_DTYPE_F32, 2, s34, o1);
  printf("tensors valid: %d\n", mycell_forward_tensors(in, 2, out, 2));
  printf("tensors count: %d\n", mycell_forward_tensors(in, 1, out, 2));
  printf("tensors null array: %d\n", mycell_forward_tensors(NULL, 2, out, 2));
  in[1].dtype = KILN_DTYPE_I32;
  printf("tensors dtype: %d\n", mycell_forward_tensors(in, 2, out, 2));
  in[1].dtype = KILN_DTYPE_F32;
  kiln_tensor_init(&out[1], KILN_DTYPE_F32, 2, s43, o1);
  printf("tensors shape: %d\n", mycell_forward_tensors(in, 2, out, 2));
  char msg[256];
  kiln_check_tensors(sig, in, 2, out, 2, msg, sizeof msg);
  printf("message: %s\n", msg);
  kiln_tensor_init(&out[1], KILN_DTYPE_F32, 2, s34, o1);
  out[1].struct_size = 4;
  printf("tensors struct_size: %d\n", mycell_forward_tensors(in, 2, out, 2));
  kiln_tensor_init(&out[1], KILN_DTYPE_F32, 2, s34, NULL);
  printf("tensors null data: %d\n", mycell_forward_tensors(in, 2, out, 2));
  printf("status 4: %s\n", kiln_status_string(4));
  return 0;
}
