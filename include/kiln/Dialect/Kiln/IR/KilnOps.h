//===- KilnOps.h - Ops of the kiln dialect -------------------------------===//
#ifndef KILN_DIALECT_KILN_IR_KILNOPS_H
#define KILN_DIALECT_KILN_IR_KILNOPS_H

#include "kiln/Dialect/Kiln/IR/KilnDialect.h"
#include "kiln/Dialect/Kiln/IR/ShapeRules.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "kiln/Dialect/Kiln/IR/KilnEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "kiln/Dialect/Kiln/IR/KilnAttributes.h.inc"

namespace mlir::kiln {

/// Marks ops whose output element at index i depends only on the operand
/// elements at the broadcast of i: the ops --kiln-fuse-elementwise groups.
template <typename ConcreteType>
class KilnElementwise
    : public OpTrait::TraitBase<ConcreteType, KilnElementwise> {};

/// Returns true for ops with the KilnElementwise trait.
bool isElementwise(Operation *op);

/// Returns true for the ops an epilogue can be fused into: conv2d, linear
/// and matmul (the anchors of kiln.fused).
bool isContraction(Operation *op);

} // namespace mlir::kiln

#define GET_OP_CLASSES
#include "kiln/Dialect/Kiln/IR/KilnOps.h.inc"

#endif // KILN_DIALECT_KILN_IR_KILNOPS_H
