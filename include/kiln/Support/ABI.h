//===- ABI.h - The C ABI of compiled models, seen from the compiler -------===//
//
// One description of a model's C signature (names, dtypes, shapes) shared by
// the ABI passes, the header generator, kiln-run and the importer.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_SUPPORT_ABI_H
#define KILN_SUPPORT_ABI_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Support/LLVM.h"

#include <optional>
#include <string>

namespace mlir::kiln {

/// One input or output of a compiled model.
struct TensorSignature {
  std::string name;
  RankedTensorType type;
};

/// The C-visible signature of a compiled model.
struct ModelSignature {
  std::string modelName;
  SmallVector<TensorSignature> inputs;
  SmallVector<TensorSignature> outputs;
};

/// The kiln_dtype code (runtime/include/kiln/runtime.h) of an element type,
/// or 0 when the C ABI has no such dtype.
int getKilnDType(Type elementType);

/// Kiln's spelling of an element type: "f32", "i64", "bool", ...
std::string getDTypeName(Type elementType);

/// Parses Kiln's dtype spelling ("f32", "float32", "i64", "int64", "bool",
/// ...). Returns null for an unknown name.
Type parseDType(StringRef name, MLIRContext *ctx);

/// The C type of one element ("float", "int64_t", "bool"), or "" if none.
std::string getCElementType(Type elementType);

/// True when `name` is a valid C identifier and not a C keyword.
bool isValidCIdentifier(StringRef name);

/// Turns any string into a valid C identifier ("my-cell" -> "my_cell").
std::string sanitizeCIdentifier(StringRef name);

/// The most bytes one tensor, or the workspace, may take: 2^47 (128 TiB),
/// the user address space of x86-64 and AArch64 Linux. A shape past it is a
/// compile-time error, never an object whose size computations wrap.
constexpr uint64_t kMaxTensorBytes = uint64_t(1) << 47;

/// Bytes of a statically shaped tensor or memref (elements of less than a
/// byte take one), or nullopt when that overflows 64 bits.
std::optional<uint64_t> getTensorBytes(ShapedType type);

/// "1.6e+16 bytes; a process can address at most ..." for diagnostics.
std::string describeTooLarge(std::optional<uint64_t> bytes);

/// Reads the signature that kiln-prepare-abi recorded on the module.
FailureOr<ModelSignature> readModelSignature(ModuleOp module);

/// Encodes `signature` as the kiln.abi dictionary attribute.
DictionaryAttr encodeModelSignature(MLIRContext *ctx,
                                    const ModelSignature &signature);

} // namespace mlir::kiln

#endif // KILN_SUPPORT_ABI_H
