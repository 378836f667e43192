//===- ArchiveGuard.cpp - Checking what libtorch loaded; a large stack ----===//
#include "ArchiveGuard.h"

#include <torch/script.h>

#include "mlir/IR/Diagnostics.h"

#include <pthread.h>

#include <exception>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::detail;

namespace {

/// a * b + c without overflow, or false.
bool mulAdd(uint64_t a, uint64_t b, uint64_t c, uint64_t &out) {
  uint64_t product;
  if (__builtin_mul_overflow(a, b, &product) ||
      __builtin_add_overflow(product, c, &out))
    return false;
  return true;
}

/// Why `t` cannot be read safely, or empty.
std::string tensorProblem(const at::Tensor &t) {
  if (!t.defined())
    return "";
  if (t.is_sparse() || t.layout() != c10::kStrided)
    return "has a non-strided layout";
  if (t.is_quantized())
    return "is quantized, which Kiln does not read yet";
  const uint64_t item = t.element_size();
  if (item == 0)
    return "has an element type of no size";
  int64_t offset = t.storage_offset();
  if (offset < 0)
    return "has a negative storage offset";
  // The last byte any element occupies: (offset + sum (size-1)*stride + 1)
  // elements, in 64-bit arithmetic with every step checked.
  uint64_t extent = uint64_t(offset), numel = 1;
  for (int64_t d = 0; d < t.dim(); ++d) {
    int64_t size = t.sizes()[d], stride = t.strides()[d];
    if (size < 0)
      return "has a negative size in dim " + std::to_string(d);
    if (stride < 0)
      return "has a negative stride in dim " + std::to_string(d);
    if (!mulAdd(numel, uint64_t(size), 0, numel))
      return "has more elements than 64 bits count";
    if (size > 0 && !mulAdd(uint64_t(size - 1), uint64_t(stride), extent,
                            extent))
      return "spans more memory than 64 bits address";
  }
  if (numel == 0)
    return "";
  uint64_t bytes;
  if (!mulAdd(extent + 1, item, 0, bytes) || extent == UINT64_MAX)
    return "spans more memory than 64 bits address";
  if (!t.storage() || (bytes > 0 && !t.storage().data()))
    return "has no storage for its " + std::to_string(numel) + " elements";
  uint64_t have = t.storage().nbytes();
  if (bytes > have)
    return "needs " + std::to_string(bytes) + " bytes of storage but its " +
           "storage holds " + std::to_string(have);
  return "";
}

struct Checker {
  Location loc;
  unsigned depth = 0;

  LogicalResult check(const c10::IValue &v, const std::string &path) {
    // Deep values were refused by the archive scan; this bounds our own
    // recursion all the same.
    if (depth > 1000)
      return emitError(loc) << "attribute '" << path << "' nests too deep";
    ++depth;
    LogicalResult result = checkValue(v, path);
    --depth;
    return result;
  }

  LogicalResult checkValue(const c10::IValue &v, const std::string &path) {
    if (v.isTensor()) {
      std::string problem = tensorProblem(v.toTensor());
      if (!problem.empty())
        return emitError(loc) << "tensor '" << path << "' " << problem
                              << " (the archive is corrupt or was edited)";
      return success();
    }
    if (v.isList()) {
      size_t i = 0;
      for (const c10::IValue &element : v.toListRef())
        if (failed(check(element, path + "[" + std::to_string(i++) + "]")))
          return failure();
      return success();
    }
    if (v.isTuple()) {
      const auto &elements = v.toTupleRef().elements();
      for (size_t i = 0; i < elements.size(); ++i)
        if (failed(check(elements[i], path + "[" + std::to_string(i) + "]")))
          return failure();
      return success();
    }
    if (v.isGenericDict()) {
      for (const auto &entry : v.toGenericDict())
        if (failed(check(entry.value(), path + "[...]")))
          return failure();
      return success();
    }
    if (v.isObject()) {
      c10::intrusive_ptr<c10::ivalue::Object> object = v.toObject();
      for (size_t i = 0; i < object->slots().size(); ++i)
        if (failed(check(object->getSlot(i),
                         (path.empty() ? "" : path + ".") +
                             object->type()->getAttributeName(i))))
          return failure();
      return success();
    }
    return success();
  }
};

struct Task {
  const std::function<void()> *fn;
  std::exception_ptr error;
};

void *runTask(void *arg) {
  auto *task = static_cast<Task *>(arg);
  try {
    (*task->fn)();
  } catch (...) {
    task->error = std::current_exception(); // rethrown by the caller
  }
  return nullptr;
}

} // namespace

LogicalResult mlir::kiln::detail::validateTensors(
    const torch::jit::Module &module, Location loc) {
  Checker checker{loc};
  return checker.check(module._ivalue(), "");
}

void mlir::kiln::detail::runOnLargeStack(const std::function<void()> &fn) {
  // Address space only: the pages a shallow model never touches are never
  // committed.
  constexpr size_t kStackBytes = size_t(1) << 30;
  pthread_attr_t attr;
  pthread_t thread;
  Task task{&fn};
  if (pthread_attr_init(&attr) == 0) {
    bool started = pthread_attr_setstacksize(&attr, kStackBytes) == 0 &&
                   pthread_create(&thread, &attr, runTask, &task) == 0;
    pthread_attr_destroy(&attr);
    if (started) {
      pthread_join(thread, nullptr);
      if (task.error)
        std::rethrow_exception(task.error);
      return;
    }
  }
  fn();
}
