/* The CUDA layer of Kiln's runtime: the driver API, loaded at run time.
 *
 * Nothing here links against CUDA: libcuda.so.1 (or $KILN_CUDA_DRIVER) is
 * opened with dlopen on first use and the few driver entry points Kiln
 * needs are looked up by name, with their prototypes written out below
 * (they are part of the driver's stable C ABI). Without a driver every
 * entry returns KILN_STATUS_NO_CUDA_DRIVER. */
#define _GNU_SOURCE
#include "kiln/runtime.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int CUresult; /* CUDA_SUCCESS is 0 */
typedef int CUdevice;
typedef void *CUcontext;
typedef void *CUmodule;
typedef void *CUfunction;
typedef void *CUstream;
typedef unsigned long long CUdeviceptr;

static struct {
  CUresult (*cuInit)(unsigned);
  CUresult (*cuDeviceGetCount)(int *);
  CUresult (*cuDeviceGet)(CUdevice *, int);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*cuDevicePrimaryCtxRelease)(CUdevice);
  CUresult (*cuCtxGetCurrent)(CUcontext *);
  CUresult (*cuCtxSetCurrent)(CUcontext);
  CUresult (*cuModuleLoadData)(CUmodule *, const void *);
  CUresult (*cuModuleUnload)(CUmodule);
  CUresult (*cuModuleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*cuLaunchKernel)(CUfunction, unsigned, unsigned, unsigned,
                             unsigned, unsigned, unsigned, unsigned, CUstream,
                             void **, void **);
  CUresult (*cuMemAlloc)(CUdeviceptr *, size_t);
  CUresult (*cuMemFree)(CUdeviceptr);
  CUresult (*cuMemcpyHtoD)(CUdeviceptr, const void *, size_t);
  CUresult (*cuMemcpyHtoDAsync)(CUdeviceptr, const void *, size_t, CUstream);
  CUresult (*cuMemcpyDtoHAsync)(void *, CUdeviceptr, size_t, CUstream);
  CUresult (*cuStreamCreate)(CUstream *, unsigned);
  CUresult (*cuStreamDestroy)(CUstream);
  CUresult (*cuStreamSynchronize)(CUstream);
  CUresult (*cuGetErrorName)(CUresult, const char **);
  CUresult (*cuGetErrorString)(CUresult, const char **);
} cu;

static pthread_once_t driver_once = PTHREAD_ONCE_INIT;
static int driver_status = KILN_STATUS_NO_CUDA_DRIVER;
static char driver_message[512];

static _Thread_local char last_error[512];

static void set_error(const char *fmt, ...) {
  va_list args;
  va_start(args, fmt);
  vsnprintf(last_error, sizeof last_error, fmt, args);
  va_end(args);
}

const char *kiln_cuda_last_error(void) { return last_error; }

/* Records a failed driver call; returns KILN_STATUS_CUDA_ERROR. */
static int cuda_failed(const char *call, CUresult r) {
  const char *name = "?", *text = "";
  if (cu.cuGetErrorName)
    cu.cuGetErrorName(r, &name);
  if (cu.cuGetErrorString)
    cu.cuGetErrorString(r, &text);
  set_error("%s failed: %s (%d): %s", call, name ? name : "?", r,
            text ? text : "");
  return KILN_STATUS_CUDA_ERROR;
}

#define CU_CHECK(call)                                                         \
  do {                                                                         \
    CUresult r_ = (call);                                                      \
    if (r_ != 0)                                                               \
      return cuda_failed(#call, r_);                                           \
  } while (0)

static void load_driver(void) {
  const char *path = getenv("KILN_CUDA_DRIVER");
  if (!path || !*path)
    path = "libcuda.so.1";
  void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    snprintf(driver_message, sizeof driver_message,
             "no CUDA driver: cannot load %s (%s)", path, dlerror());
    return;
  }
  /* The _v2 entry points are the ones cuda.h maps the plain names to. */
  struct {
    void **slot;
    const char *name;
  } symbols[] = {
      {(void **)&cu.cuInit, "cuInit"},
      {(void **)&cu.cuDeviceGetCount, "cuDeviceGetCount"},
      {(void **)&cu.cuDeviceGet, "cuDeviceGet"},
      {(void **)&cu.cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain"},
      {(void **)&cu.cuDevicePrimaryCtxRelease, "cuDevicePrimaryCtxRelease_v2"},
      {(void **)&cu.cuCtxGetCurrent, "cuCtxGetCurrent"},
      {(void **)&cu.cuCtxSetCurrent, "cuCtxSetCurrent"},
      {(void **)&cu.cuModuleLoadData, "cuModuleLoadData"},
      {(void **)&cu.cuModuleUnload, "cuModuleUnload"},
      {(void **)&cu.cuModuleGetFunction, "cuModuleGetFunction"},
      {(void **)&cu.cuLaunchKernel, "cuLaunchKernel"},
      {(void **)&cu.cuMemAlloc, "cuMemAlloc_v2"},
      {(void **)&cu.cuMemFree, "cuMemFree_v2"},
      {(void **)&cu.cuMemcpyHtoD, "cuMemcpyHtoD_v2"},
      {(void **)&cu.cuMemcpyHtoDAsync, "cuMemcpyHtoDAsync_v2"},
      {(void **)&cu.cuMemcpyDtoHAsync, "cuMemcpyDtoHAsync_v2"},
      {(void **)&cu.cuStreamCreate, "cuStreamCreate"},
      {(void **)&cu.cuStreamDestroy, "cuStreamDestroy_v2"},
      {(void **)&cu.cuStreamSynchronize, "cuStreamSynchronize"},
      {(void **)&cu.cuGetErrorName, "cuGetErrorName"},
      {(void **)&cu.cuGetErrorString, "cuGetErrorString"},
  };
  for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; ++i) {
    *symbols[i].slot = dlsym(lib, symbols[i].name);
    if (!*symbols[i].slot) {
      snprintf(driver_message, sizeof driver_message,
               "no CUDA driver: %s lacks %s", path, symbols[i].name);
      memset(&cu, 0, sizeof cu);
      return;
    }
  }
  CUresult r = cu.cuInit(0);
  if (r != 0) {
    const char *name = "?";
    cu.cuGetErrorName(r, &name);
    snprintf(driver_message, sizeof driver_message,
             "no CUDA driver: cuInit failed: %s (%d)", name ? name : "?", r);
    return;
  }
  driver_status = KILN_STATUS_OK;
}

/* KILN_STATUS_OK once the driver is loaded and initialized. */
static int driver(void) {
  pthread_once(&driver_once, load_driver);
  if (driver_status != KILN_STATUS_OK)
    set_error("%s", driver_message);
  return driver_status;
}

int kiln_cuda_device_count(void) {
  int n = 0;
  if (driver() != KILN_STATUS_OK || cu.cuDeviceGetCount(&n) != 0)
    return 0;
  return n;
}

int kiln_cuda_available(void) {
  int status = driver();
  if (status != KILN_STATUS_OK)
    return status;
  if (kiln_cuda_device_count() == 0) {
    set_error("the CUDA driver sees no device");
    return KILN_STATUS_NO_CUDA_DEVICE;
  }
  return KILN_STATUS_OK;
}

struct kiln_cuda_model {
  const kiln_cuda_model_desc *desc;
  CUdevice device;
  CUcontext context;
  CUmodule module;
  CUfunction *kernels;
  void **weights; /* device pointers */
  CUdeviceptr workspace;
  CUstream stream;
  pthread_mutex_t lock; /* NAME_cuda_forward_host */
  int64_t host_buffers;
  CUdeviceptr *host_dev;
  uint64_t *host_bytes;
};

/* Makes the model's context current on this thread. */
static int enter(kiln_cuda_model *m) {
  CUcontext current = NULL;
  CU_CHECK(cu.cuCtxGetCurrent(&current));
  if (current != m->context)
    CU_CHECK(cu.cuCtxSetCurrent(m->context));
  return KILN_STATUS_OK;
}

void kiln_cuda_model_destroy(kiln_cuda_model *m) {
  if (!m)
    return;
  if (m->context && enter(m) == KILN_STATUS_OK) {
    if (m->stream)
      cu.cuStreamDestroy(m->stream);
    for (int64_t i = 0; i < m->host_buffers; ++i)
      if (m->host_dev[i])
        cu.cuMemFree(m->host_dev[i]);
    if (m->weights)
      for (int64_t i = 0; i < m->desc->num_weights; ++i)
        if (m->weights[i])
          cu.cuMemFree((CUdeviceptr)(uintptr_t)m->weights[i]);
    if (m->workspace)
      cu.cuMemFree(m->workspace);
    if (m->module)
      cu.cuModuleUnload(m->module);
    cu.cuDevicePrimaryCtxRelease(m->device);
  }
  pthread_mutex_destroy(&m->lock);
  free(m->host_dev);
  free(m->host_bytes);
  free(m->kernels);
  free(m->weights);
  free(m);
}

static int create(const kiln_cuda_model_desc *desc, int device,
                  kiln_cuda_model *m) {
  int count = 0;
  CU_CHECK(cu.cuDeviceGetCount(&count));
  if (device < 0 || device >= count) {
    set_error("CUDA device %d requested, the driver sees %d", device, count);
    return KILN_STATUS_NO_CUDA_DEVICE;
  }
  CU_CHECK(cu.cuDeviceGet(&m->device, device));
  CU_CHECK(cu.cuDevicePrimaryCtxRetain(&m->context, m->device));
  int status = enter(m);
  if (status != KILN_STATUS_OK)
    return status;
  /* The cubin when it was built for this device; else the driver JIT
   * compiles the PTX (any newer architecture). */
  CUresult r = -1;
  if (desc->num_kernels > 0) {
    if (desc->cubin)
      r = cu.cuModuleLoadData(&m->module, desc->cubin);
    if (r != 0)
      CU_CHECK(cu.cuModuleLoadData(&m->module, desc->ptx));
  }
  m->kernels = calloc((size_t)desc->num_kernels + 1, sizeof(CUfunction));
  m->weights = calloc((size_t)desc->num_weights + 1, sizeof(void *));
  if (!m->kernels || !m->weights)
    return KILN_STATUS_OUT_OF_MEMORY;
  for (int64_t i = 0; i < desc->num_kernels; ++i) {
    r = cu.cuModuleGetFunction(&m->kernels[i], m->module,
                               desc->kernel_names[i]);
    if (r != 0)
      return cuda_failed("cuModuleGetFunction", r);
  }
  for (int64_t i = 0; i < desc->num_weights; ++i) {
    CUdeviceptr p = 0;
    size_t bytes = desc->weight_bytes[i] ? desc->weight_bytes[i] : 1;
    CU_CHECK(cu.cuMemAlloc(&p, bytes));
    m->weights[i] = (void *)(uintptr_t)p;
    CU_CHECK(cu.cuMemcpyHtoD(p, desc->weights[i], desc->weight_bytes[i]));
  }
  if (desc->workspace_size)
    CU_CHECK(cu.cuMemAlloc(&m->workspace, desc->workspace_size));
  /* CU_STREAM_NON_BLOCKING = 1 */
  CU_CHECK(cu.cuStreamCreate(&m->stream, 1));
  return KILN_STATUS_OK;
}

int kiln_cuda_model_create(const kiln_cuda_model_desc *desc, int device,
                           kiln_cuda_model **out) {
  if (!out)
    return KILN_STATUS_INVALID_ARGUMENT;
  *out = NULL;
  if (!desc || desc->struct_size != sizeof(kiln_cuda_model_desc))
    return KILN_STATUS_INVALID_ARGUMENT;
  if (desc->abi_version != KILN_ABI_VERSION)
    return KILN_STATUS_VERSION_MISMATCH;
  int status = driver();
  if (status != KILN_STATUS_OK)
    return status;
  kiln_cuda_model *m = calloc(1, sizeof *m);
  if (!m)
    return KILN_STATUS_OUT_OF_MEMORY;
  m->desc = desc;
  pthread_mutex_init(&m->lock, NULL);
  status = create(desc, device, m);
  if (status != KILN_STATUS_OK) {
    /* Keep the first error's message. */
    char message[sizeof last_error];
    memcpy(message, last_error, sizeof message);
    kiln_cuda_model_destroy(m);
    memcpy(last_error, message, sizeof message);
    return status;
  }
  *out = m;
  return KILN_STATUS_OK;
}

void *const *kiln_cuda_model_weights(const kiln_cuda_model *m) {
  return m ? m->weights : NULL;
}

void *kiln_cuda_model_workspace(const kiln_cuda_model *m) {
  return m ? (void *)(uintptr_t)m->workspace : NULL;
}

int kiln_cuda_launch(kiln_cuda_model *m, int64_t kernel, int64_t gx,
                     int64_t gy, int64_t gz, int64_t bx, int64_t by,
                     int64_t bz, int64_t shared, void *stream, void **params) {
  if (!m || kernel < 0 || kernel >= m->desc->num_kernels)
    return KILN_STATUS_INVALID_ARGUMENT;
  int status = enter(m);
  if (status != KILN_STATUS_OK)
    return status;
  CUresult r = cu.cuLaunchKernel(m->kernels[kernel], (unsigned)gx,
                                 (unsigned)gy, (unsigned)gz, (unsigned)bx,
                                 (unsigned)by, (unsigned)bz, (unsigned)shared,
                                 (CUstream)stream, params, NULL);
  if (r != 0) {
    cuda_failed("cuLaunchKernel", r);
    size_t n = strlen(last_error);
    snprintf(last_error + n, sizeof last_error - n, " (kernel %s)",
             m->desc->kernel_names[kernel]);
    return KILN_STATUS_CUDA_ERROR;
  }
  return KILN_STATUS_OK;
}

static int host_begin(kiln_cuda_model *m, int64_t num_in, int64_t num_out,
                      const void *const *host, const uint64_t *bytes,
                      void **dev) {
  int64_t n = num_in + num_out;
  int status = enter(m);
  if (status != KILN_STATUS_OK)
    return status;
  /* A model's entry always passes the same buffers: allocated on the first
   * call, reused after. */
  if (!m->host_dev) {
    CUdeviceptr *buffers = calloc((size_t)n + 1, sizeof(CUdeviceptr));
    uint64_t *sizes = calloc((size_t)n + 1, sizeof(uint64_t));
    if (!buffers || !sizes) {
      free(buffers);
      free(sizes);
      return KILN_STATUS_OUT_OF_MEMORY;
    }
    m->host_dev = buffers;
    m->host_bytes = sizes;
    m->host_buffers = n;
  } else if (m->host_buffers != n) {
    return KILN_STATUS_COUNT_MISMATCH;
  }
  for (int64_t i = 0; i < n; ++i) {
    if (!m->host_dev[i] || m->host_bytes[i] != bytes[i]) {
      if (m->host_dev[i])
        cu.cuMemFree(m->host_dev[i]);
      m->host_dev[i] = 0;
      CU_CHECK(cu.cuMemAlloc(&m->host_dev[i], bytes[i] ? bytes[i] : 1));
      m->host_bytes[i] = bytes[i];
    }
    dev[i] = (void *)(uintptr_t)m->host_dev[i];
  }
  for (int64_t i = 0; i < num_in; ++i)
    CU_CHECK(cu.cuMemcpyHtoDAsync(m->host_dev[i], host[i], bytes[i],
                                  m->stream));
  return KILN_STATUS_OK;
}

int kiln_cuda_host_begin(kiln_cuda_model *m, int64_t num_in, int64_t num_out,
                         const void *const *host, const uint64_t *bytes,
                         void **dev, void **stream) {
  if (!m || !host || !bytes || !dev || !stream)
    return KILN_STATUS_INVALID_ARGUMENT;
  pthread_mutex_lock(&m->lock);
  int status = host_begin(m, num_in, num_out, host, bytes, dev);
  if (status != KILN_STATUS_OK) {
    pthread_mutex_unlock(&m->lock);
    return status;
  }
  *stream = m->stream;
  return KILN_STATUS_OK;
}

static int host_end(kiln_cuda_model *m, int64_t num_in, int64_t num_out,
                    void *const *host, const uint64_t *bytes,
                    void *const *dev) {
  for (int64_t i = num_in; i < num_in + num_out; ++i)
    CU_CHECK(cu.cuMemcpyDtoHAsync(host[i], (CUdeviceptr)(uintptr_t)dev[i],
                                  bytes[i], m->stream));
  CU_CHECK(cu.cuStreamSynchronize(m->stream));
  return KILN_STATUS_OK;
}

int kiln_cuda_host_end(kiln_cuda_model *m, int64_t num_in, int64_t num_out,
                       void *const *host, const uint64_t *bytes,
                       void *const *dev, int status) {
  if (!m)
    return KILN_STATUS_INVALID_ARGUMENT;
  if (status == KILN_STATUS_OK)
    status = host_end(m, num_in, num_out, host, bytes, dev);
  else
    cu.cuStreamSynchronize(m->stream); /* nothing may still use the inputs */
  pthread_mutex_unlock(&m->lock);
  return status;
}
