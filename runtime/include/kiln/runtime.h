/* Kiln runtime: the stable C ABI shared by every model Kiln compiles.
 *
 * A compiled model (an object file from `kiln-compile`) exports, for a model
 * named NAME:
 *
 *   int NAME_forward(const T *in0, ..., T *out0, ...);
 *       Dense row-major buffers with the shapes and dtypes of the signature.
 *       Returns KILN_STATUS_OK, or KILN_STATUS_INVALID_ARGUMENT if a pointer
 *       is NULL. Intermediates live in the calling thread's workspace
 *       (kiln_thread_workspace below): the first call on a thread allocates
 *       it once, later calls allocate nothing. Re-entrant: any number of
 *       threads may call one model at once.
 *
 *   size_t NAME_workspace_size(void);            (also NAME_WORKSPACE_SIZE)
 *   int NAME_forward_with_workspace(void *workspace, size_t workspace_size,
 *                                   const T *in0, ..., T *out0, ...);
 *       The same computation in caller-owned scratch memory of at least
 *       NAME_workspace_size() bytes, aligned to KILN_WORKSPACE_ALIGNMENT.
 *       Never allocates. Returns KILN_STATUS_WORKSPACE_TOO_SMALL or
 *       KILN_STATUS_MISALIGNED when the workspace does not fit. One
 *       workspace serves one call at a time: give each thread its own.
 *
 *   int NAME_forward_tensors(const kiln_tensor *inputs, int64_t num_inputs,
 *                            kiln_tensor *outputs, int64_t num_outputs);
 *       The same computation through self-describing tensors; counts, struct
 *       sizes, dtypes, ranks and shapes are checked against the signature
 *       before anything runs (one of the KILN_STATUS_* codes on mismatch).
 *       Uses the thread's workspace as NAME_forward does.
 *
 *   Every forward entry returns KILN_STATUS_INDEX_OUT_OF_RANGE when an
 *   index tensor entry (an input of aten::index, index_select, embedding,
 *   ...) is out of range, with the message in kiln_last_error().
 *
 *   const kiln_signature *NAME_signature(void);
 *       Names, dtypes and shapes of every input and output (read-only data).
 *
 * The model's own header (`kiln-compile --header`) declares these for NAME.
 * Every function here returns a status or a plain value and never allocates,
 * except kiln_thread_workspace.
 */
#ifndef KILN_RUNTIME_H
#define KILN_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Version of the structs and calling conventions below. Generated code
 * records the version it was compiled for in kiln_signature.abi_version. */
#define KILN_ABI_VERSION 1

/* Status codes returned by generated entry points and runtime functions. */
typedef enum kiln_status {
  KILN_STATUS_OK = 0,
  KILN_STATUS_INVALID_ARGUMENT = 1, /* NULL pointer or bad struct_size */
  KILN_STATUS_COUNT_MISMATCH = 2,   /* wrong number of inputs/outputs */
  KILN_STATUS_DTYPE_MISMATCH = 3,   /* a tensor's dtype differs */
  KILN_STATUS_SHAPE_MISMATCH = 4,   /* a tensor's rank or shape differs */
  KILN_STATUS_VERSION_MISMATCH = 5, /* ABI version of model vs runtime */
  KILN_STATUS_OUT_OF_MEMORY = 6,
  KILN_STATUS_INTERNAL = 7,
  KILN_STATUS_WORKSPACE_TOO_SMALL = 8, /* below NAME_workspace_size() */
  KILN_STATUS_MISALIGNED = 9, /* workspace not KILN_WORKSPACE_ALIGNMENT-aligned */
  KILN_STATUS_NO_CUDA_DRIVER = 10, /* libcuda.so.1 not found or unusable */
  KILN_STATUS_NO_CUDA_DEVICE = 11, /* the driver sees no such device */
  KILN_STATUS_CUDA_ERROR = 12, /* a driver call failed: kiln_cuda_last_error() */
  KILN_STATUS_INDEX_OUT_OF_RANGE = 13 /* an index tensor entry: kiln_last_error() */
} kiln_status;

/* Alignment in bytes that NAME_forward_with_workspace requires of its
 * workspace, e.g. aligned_alloc(KILN_WORKSPACE_ALIGNMENT, size rounded up to
 * a multiple of it). Every buffer inside is placed at a multiple of it. */
#define KILN_WORKSPACE_ALIGNMENT 64

/* Element types. Values are part of the ABI and never renumbered. */
typedef enum kiln_dtype {
  KILN_DTYPE_INVALID = 0,
  KILN_DTYPE_F32 = 1,
  KILN_DTYPE_F64 = 2,
  KILN_DTYPE_F16 = 3,
  KILN_DTYPE_BF16 = 4,
  KILN_DTYPE_I8 = 5,
  KILN_DTYPE_I16 = 6,
  KILN_DTYPE_I32 = 7,
  KILN_DTYPE_I64 = 8,
  KILN_DTYPE_U8 = 9,
  KILN_DTYPE_BOOL = 10
} kiln_dtype;

#define KILN_MAX_RANK 8

/* A dense, row-major tensor owned by the caller. Set struct_size to
 * sizeof(kiln_tensor); kiln_tensor_init does that for you. */
typedef struct kiln_tensor {
  uint32_t struct_size;
  int32_t dtype; /* kiln_dtype */
  int32_t rank;
  int32_t reserved; /* must be 0 */
  int64_t shape[KILN_MAX_RANK];
  void *data;
} kiln_tensor;

/* Static description of one input or output of a compiled model. */
typedef struct kiln_tensor_info {
  const char *name;
  int32_t dtype; /* kiln_dtype */
  int32_t rank;
  const int64_t *shape; /* rank entries */
} kiln_tensor_info;

/* Static description of a compiled model, returned by NAME_signature(). */
typedef struct kiln_signature {
  uint32_t struct_size; /* sizeof(kiln_signature) of the compiler */
  uint32_t abi_version; /* KILN_ABI_VERSION the model was compiled for */
  const char *model_name;
  int64_t num_inputs;
  int64_t num_outputs;
  const kiln_tensor_info *inputs;
  const kiln_tensor_info *outputs;
} kiln_signature;

/* A short English description of a status code ("shape mismatch"). */
const char *kiln_status_string(int status);

/* The dtype's name as Kiln spells it ("f32", "i64", ...), or "invalid". */
const char *kiln_dtype_name(int dtype);

/* Size of one element in bytes, or 0 for an unknown dtype. */
size_t kiln_dtype_size(int dtype);

/* Number of elements of a described tensor (1 for rank 0); -1 for a NULL
 * info, a rank outside [0, KILN_MAX_RANK], a NULL shape with rank > 0, a
 * negative dim, or a count that overflows int64_t. */
int64_t kiln_tensor_info_num_elements(const kiln_tensor_info *info);

/* Fills *t: struct_size, dtype, rank, shape and data. Returns
 * KILN_STATUS_INVALID_ARGUMENT for a NULL t, a rank outside
 * [0, KILN_MAX_RANK], a NULL shape with rank > 0, or a negative dim. */
int kiln_tensor_init(kiln_tensor *t, int dtype, int rank, const int64_t *shape,
                     void *data);

/* Checks caller tensors against a signature: counts, struct sizes, dtypes,
 * ranks, shapes, reserved == 0 and non-NULL data. Returns the first mismatch's status. When
 * message is not NULL, a NUL-terminated explanation naming the tensor and
 * the expected and actual values is written into it (truncated to
 * message_size bytes). Generated NAME_forward_tensors entries call this. */
int kiln_check_tensors(const kiln_signature *sig, const kiln_tensor *inputs,
                       int64_t num_inputs, const kiln_tensor *outputs,
                       int64_t num_outputs, char *message,
                       size_t message_size);

/* The calling thread's scratch memory of at least `size` bytes, aligned to
 * KILN_WORKSPACE_ALIGNMENT, or NULL when it cannot be allocated. Allocated
 * on the first request of a thread and grown only when a larger size is
 * asked for, so after the first call of each model no call allocates;
 * freed when the thread exits (or by kiln_thread_workspace_release). The
 * plain NAME_forward entries use it; all models on a thread share it. */
void *kiln_thread_workspace(size_t size);
/* Frees the calling thread's workspace now (the next request allocates). */
void kiln_thread_workspace_release(void);

/* Errors found while a model runs (data-dependent: an index tensor entry
 * out of range). The call computes on (every index clamped into range, so
 * nothing is read outside a tensor) and its entry point returns the first
 * error's status; its outputs are then unspecified.
 *
 * The message of the last error a model call on this thread returned, as
 * "model.py:12:0: aten::embedding: index 7 is out of bounds for dimension
 * 0 with size 5"; "" before any. Valid until the thread's next failing
 * call. */
const char *kiln_last_error(void);

/* For generated code, on the calling thread of a model call: records an
 * index out of range (the first of a call is kept); `site` is the address
 * of the NUL-terminated "file:line: op" of the indexing op. */
void kiln_index_error(int64_t site, int64_t index, int64_t dim, int64_t size);
/* For generated entry points: the status of the errors recorded on this
 * thread since the last take (KILN_STATUS_OK for none), and clears it. */
int kiln_take_status(void);

/* Matrix multiply for generated code: for b < batch,
 *   C[b](i, j) += sum_p A[b](i, p) * B[b](p, j)
 * with A(i, p) at a[b*a_bs + i*a_rs + p*a_cs], B(p, j) at
 * b[b*b_bs + p*b_rs + j*b_cs] and C(i, j) at c[b*c_bs + i*c_rs + j]
 * (strides in elements; addresses as integers). With b_packed_nr > 0, B
 * was packed at compile time: for each panel of b_packed_nr columns, k rows
 * of b_packed_nr values (zero-padded), panels in order, batches b_bs apart
 * (b_rs and b_cs unused). With a_packed_mr > 0 (at most KILN_SGEMM_MR), A
 * was packed likewise: for each panel of a_packed_mr rows, k columns of
 * a_packed_mr values (zero-padded), batches a_bs apart (a_rs and a_cs
 * unused). `pack` is scratch memory of
 * `threads` x kiln_sgemm_pack_bytes(m, n, k) bytes (none when m is 1 or the
 * product is tiny);
 * `threads` is the most threads to use (0: all online cores). Packed,
 * register-blocked (12x32 or 8x32 with AVX-512, 6x16 with AVX2/FMA, a
 * portable kernel otherwise), parallel over the runtime's thread pool,
 * whose workers start on first use. */
/* The micro-kernel kiln_sgemm uses on this CPU: "avx512", "avx2" or
 * "generic" (KILN_SGEMM_KERNEL=avx2|generic selects a narrower one). */
const char *kiln_sgemm_kernel_name(void);
void kiln_sgemm(int64_t batch, int64_t m, int64_t n, int64_t k,
                intptr_t a, int64_t a_bs, int64_t a_rs, int64_t a_cs,
                intptr_t b, int64_t b_bs, int64_t b_rs, int64_t b_cs,
                intptr_t c, int64_t c_bs, int64_t c_rs, intptr_t pack,
                int64_t threads, int64_t b_packed_nr, int64_t a_packed_mr);
/* kiln_sgemm with B the im2col matrix of a convolution, read from the
 * (padded) input in place instead of being written out: B's row
 * p = (ci * kh + y) * kw + x and column j = oy * ow + ox hold
 *   in[b*in_bs + ci*in_cs + (oy*sh + y*dh)*in_hs + (ox*sw + x*dw)*in_ws]
 * (k = C * kh * kw rows, n = OH * ow columns). A is the weight, prepacked
 * (a_packed_mr > 0) in panels of a_packed_mr rows as for kiln_sgemm. With
 * `transposed` the product is computed as C^T = B^T A^T, positions as the
 * micro-tile's rows and channels as its panels (a_packed_mr is then 32 on
 * AVX-512: the panels of B^T's columns have A's panel layout), into
 * scratch space, then added to C: few positions (7x7) pad to 8 rows
 * instead of 32 columns. `pack` holds kiln_sgemm_conv_pack_bytes(). The
 * last ten arguments are kiln_sgemm_epi's epilogue (zeros: none). */
void kiln_sgemm_conv(int64_t batch, int64_t m, int64_t n, int64_t k,
                     intptr_t a, int64_t a_bs, int64_t a_rs, int64_t a_cs,
                     intptr_t in, int64_t in_bs, int64_t in_cs, int64_t in_hs,
                     int64_t in_ws, int64_t kh, int64_t kw, int64_t ow,
                     int64_t sh, int64_t sw, int64_t dh, int64_t dw,
                     intptr_t c, int64_t c_bs, int64_t c_rs, intptr_t pack,
                     int64_t threads, int64_t a_packed_mr, int64_t transposed,
                     intptr_t bias, int64_t bias_bs, int64_t bias_rs,
                     int64_t bias_cs, intptr_t resid, int64_t resid_bs,
                     int64_t resid_rs, int64_t act, int64_t lo_bits,
                     int64_t hi_bits);
/* kiln_sgemm with an epilogue, applied to each micro-tile while it is in
 * L1 (the generated code's bias and activation passes over C go):
 *   C[b](i, j) = bias[b*bias_bs + i*bias_rs + j*bias_cs]
 *                  + sum_p A[b](i, p) B[b](p, j)       (bias = 0: C's value)
 *   C[b](i, j) = act(C[b](i, j) + resid[b*resid_bs + i*resid_rs + j])
 *                                                      (resid = 0: none)
 * act: 0 none, 1 max(x, 0), 2 min(max(x, lo), hi), lo and hi the bit
 * patterns of floats (NaN propagates, as through arith.maximumf). The
 * bias and residual must not overlap C. */
void kiln_sgemm_epi(int64_t batch, int64_t m, int64_t n, int64_t k,
                    intptr_t a, int64_t a_bs, int64_t a_rs, int64_t a_cs,
                    intptr_t b, int64_t b_bs, int64_t b_rs, int64_t b_cs,
                    intptr_t c, int64_t c_bs, int64_t c_rs, intptr_t pack,
                    int64_t threads, int64_t b_packed_nr, int64_t a_packed_mr,
                    intptr_t bias, int64_t bias_bs, int64_t bias_rs,
                    int64_t bias_cs, intptr_t resid, int64_t resid_bs,
                    int64_t resid_rs, int64_t act, int64_t lo_bits,
                    int64_t hi_bits);

/* Depthwise 2-D convolution (one kh x kw filter per channel), zero
 * padding read in place (no padded copy), for b < batch, c < channels:
 *   out[b][c](y, x) = act(bias[c] + sum over i < kh, j < kw of
 *       weight[(c * kh + i) * kw + j] * in[b][c](y*sh + i*dh - ph,
 *                                               x*sw + j*dw - pw))
 * where in[b][c](r, s) = in[b*in_bs + c*in_cs + r*in_hs + s] inside
 * [0, h) x [0, w) and 0 outside, and out[b][c](y, x) =
 * out[b*out_bs + c*out_cs + y*out_hs + x] for y < oh, x < ow (strides in
 * elements, columns contiguous). bias = 0: none. act and lo/hi as for
 * kiln_sgemm_epi. `threads` as for kiln_sgemm; `scratch` holds
 * kiln_dwconv2d_scratch_bytes(threads) bytes (threads >= 1), or is 0.
 * With AVX-512: gapless planes in 16-channel blocks (channels in the
 * lanes; up to 32 columns, at stride 2 up to 64, any kernel but 3x3 with
 * padding 1), else rows of 16-column chunks for strides 1 and 2 (up to
 * 1024 columns, kw <= 16); portable C (built for AVX2 too) otherwise.
 * Planes (or blocks) are split over the thread pool. */
void kiln_dwconv2d(int64_t batch, int64_t channels, int64_t h, int64_t w,
                   intptr_t in, int64_t in_bs, int64_t in_cs, int64_t in_hs,
                   intptr_t weight, int64_t kh, int64_t kw, intptr_t bias,
                   int64_t oh, int64_t ow, int64_t sh, int64_t sw, int64_t dh,
                   int64_t dw, int64_t ph, int64_t pw, intptr_t out,
                   int64_t out_bs, int64_t out_cs, int64_t out_hs, int64_t act,
                   int64_t lo_bits, int64_t hi_bits, int64_t threads,
                   intptr_t scratch);
/* Scratch kiln_dwconv2d needs for `threads` threads (at least 1) to take
 * its 16-channel-block loops (small planes, and kernels other than 3x3):
 * per thread two buffers of KILN_DWCONV_BLOCK_POSITIONS positions x 16
 * channels. With scratch = 0 it uses its other loops. */
#define KILN_DWCONV_BLOCK_POSITIONS 1024
static inline int64_t kiln_dwconv2d_scratch_bytes(int64_t threads) {
  return threads * 2 * KILN_DWCONV_BLOCK_POSITIONS * 16 * 4 + 64;
}

/* Blocking of kiln_sgemm: micro-tiles of at most MR x NR (12 x 32 or 8 x 32
 * with AVX-512, 6 x 16 with AVX2), cache blocks MC x KC of A and KC x NC of
 * B (K in blocks of even length, at most KC). */
#define KILN_SGEMM_MR 12
#define KILN_SGEMM_NR 32
#define KILN_SGEMM_MC 96
#define KILN_SGEMM_KC 512
#define KILN_SGEMM_NC 512
/* Rows of the AVX-512 micro-tile for an m-row operand: 8 where 12 would
 * pad more (m = 8, 16, 64, 128, ...), else 12. kiln_sgemm picks it for A
 * packed at run time, the compiler for weights packed ahead. */
static inline int64_t kiln_sgemm_avx512_mr(int64_t m) {
  return (m + 7) / 8 * 8 < (m + 11) / 12 * 12 ? 8 : KILN_SGEMM_MR;
}
/* Packing bytes one thread of kiln_sgemm needs for an m x n x k product
 * (the compiler sizes the workspace with the same formula). */
/* Products of at most this many multiply-adds run unpacked (MyCell). */
#define KILN_SGEMM_TINY 4096
static inline int64_t kiln_sgemm_pack_bytes(int64_t m, int64_t n, int64_t k) {
  if (m <= 1 || m * n * k <= KILN_SGEMM_TINY)
    return 0;
  int64_t mr = (m + KILN_SGEMM_MR - 1) / KILN_SGEMM_MR * KILN_SGEMM_MR;
  int64_t nr = (n + KILN_SGEMM_NR - 1) / KILN_SGEMM_NR * KILN_SGEMM_NR;
  int64_t mc = mr < KILN_SGEMM_MC ? mr : KILN_SGEMM_MC;
  int64_t nc = nr < KILN_SGEMM_NC ? nr : KILN_SGEMM_NC;
  int64_t kc = k < KILN_SGEMM_KC ? k : KILN_SGEMM_KC;
  return (mc * kc + kc * nc) * 4 + 128; /* + alignment of both panels */
}

/* Tile height kiln_sgemm_conv uses for a transposed 1x1, stride-1
 * convolution (positions as rows) of n positions: the one of 14, 12, 8
 * and 7 rows that pads n least (49 positions: 7). */
static inline int kiln_sgemm_pointwise_mr(int64_t n) {
  static const int heights[4] = {14, 12, 8, 7};
  int best = 14;
  int64_t best_up = (n + 13) / 14 * 14;
  for (int i = 1; i < 4; ++i) {
    int64_t up = (n + heights[i] - 1) / heights[i] * heights[i];
    if (up < best_up) {
      best = heights[i];
      best_up = up;
    }
  }
  return best;
}

/* Packing bytes kiln_sgemm_conv needs for `threads` threads: as
 * kiln_sgemm's, or transposed the n x m scratch product plus the packing
 * of the transposed product. */
/* (Products too small to pack, or with one row or column, run as they
 * are: `transposed` only applies to the others.) */
static inline int kiln_sgemm_conv_applies_transposed(int64_t m, int64_t n,
                                                     int64_t k,
                                                     int64_t transposed) {
  return transposed && m > 1 && n > 1 && m * n * k > KILN_SGEMM_TINY;
}
static inline int64_t kiln_sgemm_conv_pack_bytes(int64_t m, int64_t n,
                                                 int64_t k, int64_t threads,
                                                 int64_t transposed) {
  if (!kiln_sgemm_conv_applies_transposed(m, n, k, transposed))
    return threads * kiln_sgemm_pack_bytes(m, n, k);
  return (n * m + 15) / 16 * 16 * 4 + 64 +
         threads * kiln_sgemm_pack_bytes(n, m, k);
}

/* Parallel loop for generated code: calls fn(ctx, begin, end) on
 * contiguous chunks that cover [0, n) exactly once, at most one chunk per
 * thread and none shorter than `grain` iterations, on the calling thread
 * and the runtime's thread pool (the one kiln_sgemm uses); returns when
 * all are done. `threads` is the most threads to use
 * (0: all online cores). With one thread, or n < 2 * grain, it is
 * fn(ctx, 0, n) on the calling thread. When the pool is busy with another
 * application thread's region, every chunk runs on the calling thread. */
void kiln_parallel_for(int64_t n, int64_t grain,
                       void (*fn)(void *ctx, int64_t begin, int64_t end),
                       void *ctx, int64_t threads);

/* ---- CUDA -----------------------------------------------------------------
 * Objects compiled with `kiln-compile --target=cuda` export, for model NAME:
 *
 *   int NAME_cuda_init(int device, kiln_cuda_model **model);
 *       Loads the CUDA driver (libcuda.so.1, at run time: nothing links
 *       against CUDA), retains the device's primary context, loads the
 *       model's kernels (cubin, or PTX compiled by the driver), uploads the
 *       weights once and allocates a device workspace and a stream.
 *       Returns KILN_STATUS_NO_CUDA_DRIVER / NO_CUDA_DEVICE / CUDA_ERROR
 *       (and *model = NULL) when that is not possible.
 *   void NAME_cuda_release(kiln_cuda_model *model);
 *   int NAME_cuda_forward(kiln_cuda_model *model, void *stream,
 *                         const T *in0_dev, ..., T *out0_dev, ...);
 *       Enqueues the model on `stream` (a CUstream; NULL: the legacy
 *       default stream) with device pointers; returns once enqueued. Uses
 *       the model's device workspace: one call in flight per model.
 *   int NAME_cuda_forward_with_workspace(kiln_cuda_model *model,
 *       void *stream, void *workspace_dev, size_t workspace_size,
 *       const T *in0_dev, ..., T *out0_dev, ...);
 *       The same with a caller-owned device workspace of at least
 *       NAME_workspace_size() bytes: concurrent calls on different streams.
 *   int NAME_cuda_forward_host(kiln_cuda_model *model,
 *                              const T *in0, ..., T *out0, ...);
 *       Host buffers in and out: copies, runs on the model's stream, waits.
 *       Calls on one model are serialized.
 */
typedef struct kiln_cuda_model kiln_cuda_model;

/* What the compiler embeds in a CUDA object (one per model). */
typedef struct kiln_cuda_model_desc {
  uint32_t struct_size;
  uint32_t abi_version;
  const char *model_name;
  const char *ptx;        /* NUL-terminated PTX of every kernel */
  const void *cubin;      /* the same assembled by ptxas, or NULL */
  uint64_t cubin_size;
  const char *cubin_arch; /* e.g. "sm_90" */
  int64_t num_kernels;
  const char *const *kernel_names;
  int64_t num_weights;
  const void *const *weights; /* host copies, uploaded by create */
  const uint64_t *weight_bytes;
  uint64_t workspace_size;
} kiln_cuda_model_desc;

/* KILN_STATUS_OK when the driver loads and sees at least one device;
 * KILN_STATUS_NO_CUDA_DRIVER or NO_CUDA_DEVICE otherwise. The driver is
 * looked up as $KILN_CUDA_DRIVER, else libcuda.so.1. */
int kiln_cuda_available(void);
/* Number of CUDA devices (0 without a driver). */
int kiln_cuda_device_count(void);
/* A description of the last CUDA failure on this thread (driver error
 * name and message, the call that failed), or "" if none. */
const char *kiln_cuda_last_error(void);

/* Used by generated code (NAME_cuda_* wrap them). */
int kiln_cuda_model_create(const kiln_cuda_model_desc *desc, int device,
                           kiln_cuda_model **model);
void kiln_cuda_model_destroy(kiln_cuda_model *model);
void *const *kiln_cuda_model_weights(const kiln_cuda_model *model);
void *kiln_cuda_model_workspace(const kiln_cuda_model *model);
int kiln_cuda_launch(kiln_cuda_model *model, int64_t kernel, int64_t grid_x,
                     int64_t grid_y, int64_t grid_z, int64_t block_x,
                     int64_t block_y, int64_t block_z, int64_t shared_bytes,
                     void *stream, void **params);
/* NAME_cuda_forward_host: begin locks the model, makes device copies of
 * the `num_in` inputs (buffers cached in the model) and returns device
 * pointers for all buffers in `dev` and the model's stream; end copies the
 * outputs back when `status` is OK, waits, unlocks and returns the status. */
int kiln_cuda_host_begin(kiln_cuda_model *model, int64_t num_in,
                         int64_t num_out, const void *const *host,
                         const uint64_t *bytes, void **dev, void **stream);
int kiln_cuda_host_end(kiln_cuda_model *model, int64_t num_in,
                       int64_t num_out, void *const *host,
                       const uint64_t *bytes, void *const *dev, int status);

/* Version string of this runtime library, e.g. "0.1.0". */
const char *kiln_runtime_version(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* KILN_RUNTIME_H */
