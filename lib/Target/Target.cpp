//===- Target.cpp - Target names, parsed in one place ---------------------===//
#include "kiln/Target/Target.h"

#include "llvm/ADT/StringSwitch.h"

using namespace mlir::kiln;

std::optional<TargetKind> mlir::kiln::parseTargetKind(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<TargetKind>>(name)
      .Case("cpu", TargetKind::CPU)
      .Case("cuda", TargetKind::CUDA)
      .Default(std::nullopt);
}

llvm::StringRef mlir::kiln::getTargetKindName(TargetKind kind) {
  switch (kind) {
  case TargetKind::CPU:
    return "cpu";
  case TargetKind::CUDA:
    return "cuda";
  }
  return "";
}
