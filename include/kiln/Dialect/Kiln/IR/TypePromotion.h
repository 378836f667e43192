//===- TypePromotion.h - PyTorch's dtype promotion rules, in one place ----===//
//
// Every op that combines operands of different dtypes asks here, so kiln
// computes in the dtype PyTorch computes in. The rules are c10's:
// `promoteTypes` is its table over the ten dtypes Kiln knows (bool, uint8,
// int8, int16, int32, int64, float16, bfloat16, float32, float64), and
// `resultType` is `torch.result_type`: categories bool < integer < floating,
// dimensioned tensors decide over 0-dim tensors, which decide over Python
// numbers, unless a lower-priority operand is of a higher category.
//
// Dtypes are MLIR element types: i1 is bool, ui8 is uint8, signless iN the
// signed integers, and f16/bf16/f32/f64 the floats.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_DIALECT_KILN_IR_TYPEPROMOTION_H
#define KILN_DIALECT_KILN_IR_TYPEPROMOTION_H

#include "mlir/IR/Types.h"
#include "llvm/ADT/ArrayRef.h"

namespace mlir::kiln {

/// The order of c10's categories: a higher category wins whatever the
/// priority of the operand carrying it.
enum class DTypeCategory { Bool, Integer, Floating };

/// How an operand takes part in promotion. A Python number is what
/// TorchScript passes as `Scalar` (an int, float or bool constant).
enum class PromotionOperandKind { Tensor, ZeroDimTensor, Number };

struct PromotionOperand {
  /// The tensor's dtype; for a Number, i1 (bool), i64 (int) or f64 (float).
  Type element;
  PromotionOperandKind kind;
};

/// Whether `t` is one of the ten dtypes the rules cover.
bool isPromotableDType(Type t);

/// The category of a promotable dtype.
DTypeCategory getCategory(Type t);

/// c10::promoteTypes: the dtype both operands convert to. Null when either
/// is not promotable.
Type promoteTypes(Type a, Type b);

/// torch.result_type over `operands` (at least one). A float Number counts
/// as the default dtype (float32), an int Number as int64. Null when an
/// operand is not promotable.
Type resultType(ArrayRef<PromotionOperand> operands);

/// The kind of a tensor operand of type `t`: 0-dim or dimensioned.
PromotionOperand tensorOperand(Type tensorType);

/// c10::canCast: whether an op may write a `from` result into a `to`
/// tensor (in-place ops, out=): no floating into integers or bool, no
/// integers into bool.
bool canCast(Type from, Type to);

/// True division (`aten::div` without rounding mode, `aten::true_divide`):
/// integers and bool compute in the default float dtype.
Type trueDivisionType(Type promoted);

/// The dtype `sum`, `prod`, `cumsum` and `cumprod` accumulate in without a
/// `dtype=` argument: bool and every integer become int64.
Type integralAccumulationType(Type element);

} // namespace mlir::kiln

#endif // KILN_DIALECT_KILN_IR_TYPEPROMOTION_H
