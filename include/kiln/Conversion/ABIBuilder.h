//===- ABIBuilder.h - Building a compiled model's public C entry points ---===//
//
// The pieces every target's entry points share: the kiln_signature data and
// its accessor, NAME_workspace_size, argument checks that return a status,
// and finding the lowered model function. The CPU entry points
// (--kiln-emit-c-abi, lib/Target/CPU) and the CUDA ones
// (--kiln-emit-cuda-abi, lib/Target/CUDA) build on it. The struct layouts
// mirror runtime/include/kiln/runtime.h (LP64).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_CONVERSION_ABIBUILDER_H
#define KILN_CONVERSION_ABIBUILDER_H

#include "kiln/Support/ABI.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#include <string>

namespace mlir::kiln {

/// The model function a target's ABI pass wraps, and its C signature.
struct ModelFunction {
  LLVM::LLVMFuncOp impl;
  ModelSignature signature;
  /// The planned workspace (kiln.workspace_size), or null without one.
  IntegerAttr workspaceSize;

  /// Inputs plus outputs: the buffers every entry point passes on.
  unsigned numTensors() const {
    return signature.inputs.size() + signature.outputs.size();
  }
  /// Whether every parameter of the lowered function is a pointer (the
  /// bare-pointer convention both targets lower to).
  bool takesOnlyPointers() const;
};

/// The lowered model function of `module` (the one carrying kiln.abi) and
/// its signature; diagnoses and fails when there is none.
FailureOr<ModelFunction> findModelFunction(ModuleOp module);

/// Makes the model function internal and drops the attributes that only
/// served the signature.
void internalizeModelFunction(LLVM::LLVMFuncOp impl);

/// Fails with a diagnostic when one of `prefix` + `suffixes` already names
/// a symbol in `module`.
LogicalResult checkEntryPointsFree(ModuleOp module, StringRef prefix,
                                   ArrayRef<StringRef> suffixes);

/// Builds LLVM-dialect globals and functions at the end of a module.
struct ABIBuilder {
  ModuleOp module;
  OpBuilder b;
  Location loc;
  std::string prefix;
  Type ptr, i32, i64;
  /// Workspace bytes the model needs (0 without a planned workspace).
  int64_t workspaceSize = 0;
  bool hasWorkspace = false;

  ABIBuilder(ModuleOp module, StringRef model, IntegerAttr workspace);

  /// struct kiln_tensor_info { const char *name; i32 dtype; i32 rank;
  ///                           const int64_t *shape; }
  Type tensorInfoType();
  /// struct kiln_signature { u32 struct_size; u32 abi_version;
  ///   const char *model_name; i64 num_inputs; i64 num_outputs;
  ///   const kiln_tensor_info *inputs, *outputs; }
  Type signatureType();
  /// struct kiln_tensor { u32 struct_size; i32 dtype; i32 rank; i32 reserved;
  ///                      i64 shape[KILN_MAX_RANK]; void *data; }
  Type tensorType();

  LLVM::GlobalOp stringGlobal(StringRef name, StringRef value);
  LLVM::GlobalOp shapeGlobal(StringRef name, RankedTensorType type);
  Value constant(OpBuilder &ib, Type type, int64_t v);
  /// A global array of kiln_tensor_info for `tensors`; null for none.
  LLVM::GlobalOp infoArray(StringRef kind, ArrayRef<TensorSignature> tensors);
  /// The constant kiln_signature of `sig`.
  LLVM::GlobalOp signatureGlobal(const ModelSignature &sig);

  LLVM::LLVMFuncOp function(StringRef name, Type result, ArrayRef<Type> args);
  /// The runtime function `name`, declared on first use.
  LLVM::LLVMFuncOp runtimeFunction(StringRef name, Type result,
                                   ArrayRef<Type> args);

  /// NAME_workspace_size(): the planned bytes.
  void emitWorkspaceSizeFunction();
  /// NAME_signature(): the address of `sig`.
  void emitSignatureFunction(LLVM::GlobalOp sig);

  /// Returns INVALID_ARGUMENT when any of `values` is NULL.
  void checkNotNull(LLVM::LLVMFuncOp f, ValueRange values);
  /// Returns INVALID_ARGUMENT, WORKSPACE_TOO_SMALL or MISALIGNED when the
  /// caller's workspace `ws` of `wsSize` bytes does not fit (never when the
  /// model needs none).
  void checkWorkspace(LLVM::LLVMFuncOp f, Value ws, Value wsSize);
  /// Returns `status` from `f` when `failed` holds, else continues in a new
  /// block where `b` is left.
  void returnIf(LLVM::LLVMFuncOp f, Value failedCond, Value status);
};

} // namespace mlir::kiln

#endif // KILN_CONVERSION_ABIBUILDER_H
