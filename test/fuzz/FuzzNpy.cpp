//===- FuzzNpy.cpp - libFuzzer target: the .npy reader --------------------===//
//
// Any bytes given to kiln-run --input either parse into an array whose data
// size matches its shape and dtype, or fail with an error; never a crash,
// an out-of-bounds read or an allocation the file does not justify.
//
//===----------------------------------------------------------------------===//
#include "kiln/Support/Npy.h"

#include "kiln/runtime.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  llvm::Expected<mlir::kiln::NpyArray> array =
      mlir::kiln::parseNpy(bytes, "fuzz.npy");
  if (!array) {
    llvm::consumeError(array.takeError());
    return 0;
  }
  // What parsed must be self-consistent.
  uint64_t expected = kiln_dtype_size(array->dtype);
  for (int64_t d : array->shape) {
    if (d < 0)
      abort();
    expected *= uint64_t(d);
  }
  if (array->data.size() != expected || array->data.size() > size)
    abort();
  return 0;
}
