/* Exercises the runtime's C API directly: dtype helpers, kiln_tensor_init,
 * and kiln_check_tensors against a hand-written signature. */
#include "kiln/runtime.h"

#include <stdint.h>
#include <stdio.h>

int main(void) {
  printf("version: %s\n", kiln_runtime_version());
  printf("f32: %zu i64: %zu bool: %zu bad: %zu name: %s %s %s\n",
         kiln_dtype_size(KILN_DTYPE_F32), kiln_dtype_size(KILN_DTYPE_I64),
         kiln_dtype_size(KILN_DTYPE_BOOL), kiln_dtype_size(99),
         kiln_dtype_name(KILN_DTYPE_F32), kiln_dtype_name(KILN_DTYPE_I64),
         kiln_dtype_name(42));
  kiln_tensor t;
  int64_t shape[] = {2, 3}, neg[] = {2, -1};
  printf("init ok: %d rank too big: %d negative dim: %d null shape: %d\n",
         kiln_tensor_init(&t, KILN_DTYPE_F32, 2, shape, NULL),
         kiln_tensor_init(&t, KILN_DTYPE_F32, KILN_MAX_RANK + 1, shape, NULL),
         kiln_tensor_init(&t, KILN_DTYPE_F32, 2, neg, NULL),
         kiln_tensor_init(&t, KILN_DTYPE_F32, 2, NULL, NULL));
  int64_t s234[] = {2, 3, 4};
  kiln_tensor_info a = {"a", KILN_DTYPE_F32, 3, s234}, s = {"s", 1, 0, NULL};
  printf("numel 2x3x4: %lld scalar: %lld\n",
         (long long)kiln_tensor_info_num_elements(&a),
         (long long)kiln_tensor_info_num_elements(&s));
  int64_t huge[] = {INT64_C(1) << 32, INT64_C(1) << 32}, negs[] = {3, -2};
  kiln_tensor_info o = {"o", KILN_DTYPE_F32, 2, huge},
                   n = {"n", KILN_DTYPE_F32, 2, negs},
                   r = {"r", KILN_DTYPE_F32, KILN_MAX_RANK + 1, s234};
  printf("numel overflow: %lld negative: %lld bad rank: %lld null: %lld\n",
         (long long)kiln_tensor_info_num_elements(&o),
         (long long)kiln_tensor_info_num_elements(&n),
         (long long)kiln_tensor_info_num_elements(&r),
         (long long)kiln_tensor_info_num_elements(NULL));

  char msg[128];
  printf("null sig: %d\n", kiln_check_tensors(NULL, NULL, 0, NULL, 0, msg, sizeof msg));
  kiln_tensor_info in = {"a", KILN_DTYPE_F32, 2, shape};
  kiln_signature sig = {sizeof(kiln_signature), 99, "t", 1, 0, &in, NULL};
  int st = kiln_check_tensors(&sig, NULL, 0, NULL, 0, msg, sizeof msg);
  printf("abi: %d %s\n", st, msg);
  sig.abi_version = KILN_ABI_VERSION;
  kiln_tensor ts[2];
  st = kiln_check_tensors(&sig, ts, 2, NULL, 0, msg, sizeof msg);
  printf("count: %d %s\n", st, msg);
  float data[6];
  kiln_tensor_init(&ts[0], KILN_DTYPE_F32, 1, shape, data);
  st = kiln_check_tensors(&sig, ts, 1, NULL, 0, msg, sizeof msg);
  printf("rank: %d %s\n", st, msg);
  kiln_tensor_init(&ts[0], KILN_DTYPE_F32, 2, shape, data);
  ts[0].reserved = 7;
  st = kiln_check_tensors(&sig, ts, 1, NULL, 0, msg, sizeof msg);
  printf("reserved: %d %s\n", st, msg);
  ts[0].reserved = 0;
  ts[0].data = NULL;
  st = kiln_check_tensors(&sig, ts, 1, NULL, 0, msg, sizeof msg);
  printf("null data: %d %s\n", st, msg);
  ts[0].data = data;
  printf("ok: %d\n", kiln_check_tensors(&sig, ts, 1, NULL, 0, NULL, 0));
  return 0;
}
