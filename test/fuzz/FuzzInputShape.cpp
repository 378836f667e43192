//===- FuzzInputShape.cpp - libFuzzer target: --input-shape ---------------===//
//
// parseInputSpec, which every tool runs on each --input-shape, either
// returns a spec with non-negative dims and a known dtype or an error
// message; never a crash.
//
//===----------------------------------------------------------------------===//
#include "kiln/Import/TorchScript.h"

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string text(reinterpret_cast<const char *>(data), size);
  std::string error;
  mlir::FailureOr<mlir::kiln::InputSpec> spec =
      mlir::kiln::parseInputSpec(text, error);
  if (mlir::failed(spec)) {
    if (error.empty())
      abort(); // a refusal always says why
    return 0;
  }
  for (int64_t d : spec->shape)
    if (d < 0)
      abort();
  return 0;
}
