//===- Target.h - The code-generation targets Kiln compiles for -----------===//
//
// `--target` is parsed once, at the tool boundary (kiln-compile's flag, the
// pipelines' `target` option for kiln-opt), into a TargetKind; everything
// below the tools switches on the enum.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_TARGET_TARGET_H
#define KILN_TARGET_TARGET_H

#include "llvm/ADT/StringRef.h"

#include <optional>

namespace mlir::kiln {

enum class TargetKind {
  CPU,  ///< a native object for the host (or --mcpu) CPU
  CUDA, ///< NVIDIA GPU kernels embedded in a host object
};

/// The target named `name` ("cpu", "cuda"), or nullopt.
std::optional<TargetKind> parseTargetKind(llvm::StringRef name);

/// The name `parseTargetKind` takes for `kind`.
llvm::StringRef getTargetKindName(TargetKind kind);

} // namespace mlir::kiln

#endif // KILN_TARGET_TARGET_H
