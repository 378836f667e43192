/* Kiln runtime: status strings, dtype helpers, signature checks and the
 * per-thread workspace. */
#include "kiln/runtime.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

const char *kiln_runtime_version(void) { return "0.1.0"; }

const char *kiln_status_string(int status) {
  switch (status) {
  case KILN_STATUS_OK:
    return "ok";
  case KILN_STATUS_INVALID_ARGUMENT:
    return "invalid argument (NULL pointer or bad struct_size)";
  case KILN_STATUS_COUNT_MISMATCH:
    return "wrong number of inputs or outputs";
  case KILN_STATUS_DTYPE_MISMATCH:
    return "dtype mismatch";
  case KILN_STATUS_SHAPE_MISMATCH:
    return "shape mismatch";
  case KILN_STATUS_VERSION_MISMATCH:
    return "ABI version mismatch between model and runtime";
  case KILN_STATUS_OUT_OF_MEMORY:
    return "out of memory";
  case KILN_STATUS_INTERNAL:
    return "internal error";
  case KILN_STATUS_WORKSPACE_TOO_SMALL:
    return "workspace smaller than NAME_workspace_size()";
  case KILN_STATUS_MISALIGNED:
    return "workspace not aligned to KILN_WORKSPACE_ALIGNMENT bytes";
  case KILN_STATUS_NO_CUDA_DRIVER:
    return "no CUDA driver found (libcuda.so.1)";
  case KILN_STATUS_NO_CUDA_DEVICE:
    return "no such CUDA device";
  case KILN_STATUS_CUDA_ERROR:
    return "a CUDA driver call failed (see kiln_cuda_last_error())";
  case KILN_STATUS_INDEX_OUT_OF_RANGE:
    return "index out of range (see kiln_last_error())";
  default:
    return "unknown status";
  }
}

/* Per thread: generated code runs its checks on the calling thread. */
static _Thread_local int pending_status;
static _Thread_local char last_error[512];

const char *kiln_last_error(void) { return last_error; }

void kiln_index_error(int64_t site, int64_t index, int64_t dim,
                      int64_t size) {
  if (pending_status != KILN_STATUS_OK)
    return;
  pending_status = KILN_STATUS_INDEX_OUT_OF_RANGE;
  snprintf(last_error, sizeof last_error,
           "%s: index %lld is out of bounds for dimension %lld with size %lld",
           site ? (const char *)(intptr_t)site : "?", (long long)index,
           (long long)dim, (long long)size);
}

int kiln_take_status(void) {
  int status = pending_status;
  pending_status = KILN_STATUS_OK;
  return status;
}

const char *kiln_dtype_name(int dtype) {
  switch (dtype) {
  case KILN_DTYPE_F32: return "f32";
  case KILN_DTYPE_F64: return "f64";
  case KILN_DTYPE_F16: return "f16";
  case KILN_DTYPE_BF16: return "bf16";
  case KILN_DTYPE_I8: return "i8";
  case KILN_DTYPE_I16: return "i16";
  case KILN_DTYPE_I32: return "i32";
  case KILN_DTYPE_I64: return "i64";
  case KILN_DTYPE_U8: return "u8";
  case KILN_DTYPE_BOOL: return "bool";
  default: return "invalid";
  }
}

size_t kiln_dtype_size(int dtype) {
  switch (dtype) {
  case KILN_DTYPE_F64:
  case KILN_DTYPE_I64:
    return 8;
  case KILN_DTYPE_F32:
  case KILN_DTYPE_I32:
    return 4;
  case KILN_DTYPE_F16:
  case KILN_DTYPE_BF16:
  case KILN_DTYPE_I16:
    return 2;
  case KILN_DTYPE_I8:
  case KILN_DTYPE_U8:
  case KILN_DTYPE_BOOL:
    return 1;
  default:
    return 0;
  }
}

int64_t kiln_tensor_info_num_elements(const kiln_tensor_info *info) {
  if (!info || info->rank < 0 || info->rank > KILN_MAX_RANK ||
      (info->rank > 0 && !info->shape))
    return -1;
  int64_t n = 1;
  for (int32_t i = 0; i < info->rank; ++i)
    if (info->shape[i] < 0 || __builtin_mul_overflow(n, info->shape[i], &n))
      return -1;
  return n;
}

int kiln_tensor_init(kiln_tensor *t, int dtype, int rank, const int64_t *shape,
                     void *data) {
  if (!t || rank < 0 || rank > KILN_MAX_RANK || (rank > 0 && !shape))
    return KILN_STATUS_INVALID_ARGUMENT;
  t->struct_size = (uint32_t)sizeof(kiln_tensor);
  t->dtype = dtype;
  t->rank = rank;
  t->reserved = 0;
  for (int i = 0; i < KILN_MAX_RANK; ++i)
    t->shape[i] = 0;
  for (int i = 0; i < rank; ++i) {
    if (shape[i] < 0)
      return KILN_STATUS_INVALID_ARGUMENT;
    t->shape[i] = shape[i];
  }
  t->data = data;
  return KILN_STATUS_OK;
}

/* Writes a formatted message when the caller asked for one; returns status. */
static int fail(int status, char *message, size_t size, const char *fmt, ...) {
  if (message && size > 0) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, size, fmt, ap);
    va_end(ap);
  }
  return status;
}

static void format_shape(char *buf, size_t size, int rank,
                         const int64_t *shape) {
  size_t used = 0;
  buf[0] = '\0';
  for (int i = 0; i < rank && used < size; ++i)
    used += (size_t)snprintf(buf + used, size - used, i ? "x%lld" : "%lld",
                             (long long)shape[i]);
  if (rank == 0)
    snprintf(buf, size, "scalar");
}

static int check_one(const kiln_tensor_info *info, const kiln_tensor *t,
                     const char *kind, int64_t index, char *message,
                     size_t size) {
  if (t->struct_size != sizeof(kiln_tensor))
    return fail(KILN_STATUS_INVALID_ARGUMENT, message, size,
                "%s %lld ('%s'): struct_size is %u, expected %u (use "
                "kiln_tensor_init)",
                kind, (long long)index, info->name, t->struct_size,
                (unsigned)sizeof(kiln_tensor));
  if (t->reserved != 0)
    return fail(KILN_STATUS_INVALID_ARGUMENT, message, size,
                "%s %lld ('%s'): reserved is %d, must be 0 (use "
                "kiln_tensor_init)",
                kind, (long long)index, info->name, t->reserved);
  if (t->dtype != info->dtype)
    return fail(KILN_STATUS_DTYPE_MISMATCH, message, size,
                "%s %lld ('%s'): expected dtype %s, got %s", kind,
                (long long)index, info->name, kiln_dtype_name(info->dtype),
                kiln_dtype_name(t->dtype));
  /* t->rank is the caller's: never index shape[] beyond KILN_MAX_RANK. */
  int same = t->rank == info->rank && t->rank >= 0 && t->rank <= KILN_MAX_RANK;
  for (int32_t d = 0; same && d < info->rank; ++d)
    same = t->shape[d] == info->shape[d];
  if (!same) {
    char want[160], got[160];
    format_shape(want, sizeof want, info->rank, info->shape);
    if (t->rank < 0 || t->rank > KILN_MAX_RANK)
      snprintf(got, sizeof got, "rank %d", t->rank);
    else
      format_shape(got, sizeof got, t->rank, t->shape);
    return fail(KILN_STATUS_SHAPE_MISMATCH, message, size,
                "%s %lld ('%s'): expected shape %s, got %s", kind,
                (long long)index, info->name, want, got);
  }
  if (!t->data && kiln_tensor_info_num_elements(info) != 0)
    return fail(KILN_STATUS_INVALID_ARGUMENT, message, size,
                "%s %lld ('%s'): data is NULL", kind, (long long)index,
                info->name);
  return KILN_STATUS_OK;
}

int kiln_check_tensors(const kiln_signature *sig, const kiln_tensor *inputs,
                       int64_t num_inputs, const kiln_tensor *outputs,
                       int64_t num_outputs, char *message,
                       size_t message_size) {
  if (message && message_size > 0)
    message[0] = '\0';
  if (!sig)
    return fail(KILN_STATUS_INVALID_ARGUMENT, message, message_size,
                "signature is NULL");
  if (sig->abi_version != KILN_ABI_VERSION)
    return fail(KILN_STATUS_VERSION_MISMATCH, message, message_size,
                "model compiled for ABI %u, runtime has ABI %u",
                sig->abi_version, (unsigned)KILN_ABI_VERSION);
  if (num_inputs != sig->num_inputs || num_outputs != sig->num_outputs)
    return fail(KILN_STATUS_COUNT_MISMATCH, message, message_size,
                "model '%s' takes %lld inputs and %lld outputs, got %lld "
                "and %lld",
                sig->model_name, (long long)sig->num_inputs,
                (long long)sig->num_outputs, (long long)num_inputs,
                (long long)num_outputs);
  if ((num_inputs > 0 && !inputs) || (num_outputs > 0 && !outputs))
    return fail(KILN_STATUS_INVALID_ARGUMENT, message, message_size,
                "inputs or outputs array is NULL");
  for (int64_t i = 0; i < num_inputs; ++i) {
    int st = check_one(&sig->inputs[i], &inputs[i], "input", i, message,
                       message_size);
    if (st != KILN_STATUS_OK)
      return st;
  }
  for (int64_t i = 0; i < num_outputs; ++i) {
    int st = check_one(&sig->outputs[i], &outputs[i], "output", i, message,
                       message_size);
    if (st != KILN_STATUS_OK)
      return st;
  }
  return KILN_STATUS_OK;
}

/* The per-thread workspace: a pthread key whose destructor frees the
 * thread's block at exit. */
typedef struct kiln_workspace_block {
  void *data;
  size_t size;
} kiln_workspace_block;

static pthread_key_t workspace_key;
static pthread_once_t workspace_once = PTHREAD_ONCE_INIT;
static int workspace_key_ok;

static void workspace_free(void *p) {
  kiln_workspace_block *block = (kiln_workspace_block *)p;
  if (!block)
    return;
  free(block->data);
  free(block);
}

static void workspace_key_init(void) {
  workspace_key_ok = pthread_key_create(&workspace_key, workspace_free) == 0;
}

void *kiln_thread_workspace(size_t size) {
  pthread_once(&workspace_once, workspace_key_init);
  if (!workspace_key_ok)
    return NULL;
  kiln_workspace_block *block =
      (kiln_workspace_block *)pthread_getspecific(workspace_key);
  if (block && block->size >= size && block->data)
    return block->data;
  if (!block) {
    block = (kiln_workspace_block *)calloc(1, sizeof *block);
    if (!block)
      return NULL;
    if (pthread_setspecific(workspace_key, block) != 0) {
      free(block);
      return NULL;
    }
  }
  /* aligned_alloc wants a multiple of the alignment. */
  size_t rounded = (size + KILN_WORKSPACE_ALIGNMENT - 1) /
                   KILN_WORKSPACE_ALIGNMENT * KILN_WORKSPACE_ALIGNMENT;
  if (rounded == 0)
    rounded = KILN_WORKSPACE_ALIGNMENT;
  void *data = aligned_alloc(KILN_WORKSPACE_ALIGNMENT, rounded);
  if (!data)
    return NULL;
  free(block->data);
  block->data = data;
  block->size = rounded;
  return data;
}

void kiln_thread_workspace_release(void) {
  pthread_once(&workspace_once, workspace_key_init);
  if (!workspace_key_ok)
    return;
  kiln_workspace_block *block =
      (kiln_workspace_block *)pthread_getspecific(workspace_key);
  if (!block)
    return;
  pthread_setspecific(workspace_key, NULL);
  workspace_free(block);
}
