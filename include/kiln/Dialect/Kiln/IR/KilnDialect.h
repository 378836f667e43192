//===- KilnDialect.h - The kiln dialect -----------------------------------===//
#ifndef KILN_DIALECT_KILN_IR_KILNDIALECT_H
#define KILN_DIALECT_KILN_IR_KILNDIALECT_H

#include "mlir/IR/Dialect.h"

#include "kiln/Dialect/Kiln/IR/KilnDialect.h.inc"

namespace mlir::kiln {
/// Attribute names of the conventions between the importer and the ABI
/// passes: the model function is marked `kiln.entry`, the module carries
/// `kiln.model_name`, and arguments and results carry their `kiln.name`.
constexpr llvm::StringLiteral kEntryAttrName = "kiln.entry";
constexpr llvm::StringLiteral kModelNameAttrName = "kiln.model_name";
constexpr llvm::StringLiteral kArgNameAttrName = "kiln.name";
constexpr llvm::StringLiteral kABIAttrName = "kiln.abi";
/// Set by --kiln-plan-memory on the model function and the module: the
/// workspace's size in bytes and the lower bound no placement can beat.
constexpr llvm::StringLiteral kWorkspaceSizeAttrName = "kiln.workspace_size";
constexpr llvm::StringLiteral kWorkspaceLowerBoundAttrName =
    "kiln.workspace_lower_bound";
} // namespace mlir::kiln

#endif // KILN_DIALECT_KILN_IR_KILNDIALECT_H
