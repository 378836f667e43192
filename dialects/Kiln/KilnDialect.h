//===- KilnDialect.h - The kiln dialect -----------------------------------===//
#ifndef KILN_DIALECTS_KILN_KILNDIALECT_H
#define KILN_DIALECTS_KILN_KILNDIALECT_H

#include "mlir/IR/Dialect.h"

#include "dialects/Kiln/KilnDialect.h.inc"

namespace mlir::kiln {
/// Attribute names of the conventions between the importer and the ABI
/// passes: the model function is marked `kiln.entry`, the module carries
/// `kiln.model_name`, and arguments and results carry their `kiln.name`.
constexpr llvm::StringLiteral kEntryAttrName = "kiln.entry";
constexpr llvm::StringLiteral kModelNameAttrName = "kiln.model_name";
constexpr llvm::StringLiteral kArgNameAttrName = "kiln.name";
constexpr llvm::StringLiteral kABIAttrName = "kiln.abi";
} // namespace mlir::kiln

#endif // KILN_DIALECTS_KILN_KILNDIALECT_H
