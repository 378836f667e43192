//===- NodeContext.h - What every op handler of the importer shares -------===//
//
// A handler (lib/Import/Ops/<Family>.cpp) receives a NodeContext with the
// node's operands as tensors, numbers or lists and binds the node's outputs.
// The helpers below are the ones more than one family uses. Includes
// libtorch, so only lib/Import may include it.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_IMPORT_NODECONTEXT_H
#define KILN_LIB_IMPORT_NODECONTEXT_H

#include "Importer.h"

#include "kiln/Dialect/Kiln/IR/TypePromotion.h"

#include <optional>
#include <string>

namespace mlir::kiln::detail {

/// One node being imported: typed access to its operands, and output binding.
struct NodeContext {
  Importer &im;
  const tj::Node *node;
  Location loc;
  /// The functional kind (an in-place `aten::relu_` reads `aten::relu`), for
  /// diagnostics only: handlers never branch on it.
  std::string kind;

  at::ArrayRef<const tj::Value *> inputs() const { return node->inputs(); }
  size_t numInputs() const { return node->inputs().size(); }
  OpBuilder &b() { return im.builder; }

  InFlightDiagnostic error() { return emitError(loc) << "'" << kind << "' "; }

  FailureOr<Value> tensor(size_t i);
  /// `v` cast to the dtype operand #i when that is a constant dtype.
  Value withDTypeOperand(size_t i, Value v);
  /// An optional tensor operand: `out` stays null for None.
  LogicalResult optionalTensor(size_t i, Value &out);
  std::optional<c10::IValue> constant(size_t i);
  bool isNone(size_t i);
  /// A compile-time number (int, float or bool, or a 0-d constant tensor).
  std::optional<double> number(size_t i);
  std::optional<int64_t> integer(size_t i);
  std::optional<SmallVector<int64_t>> intList(size_t i);
  std::optional<std::string> string(size_t i);

  /// Requires a compile-time operand; diagnoses otherwise.
  template <typename T>
  FailureOr<T> require(std::optional<T> v, size_t i, StringRef what) {
    if (v)
      return *v;
    return error() << "needs a constant " << what << " for operand #" << i
                   << " ('%" << (i < numInputs() ? inputs()[i]->debugName() : "")
                   << "')";
  }

  /// Normalizes a possibly negative dim for a tensor of `rank`.
  FailureOr<int64_t> dim(int64_t d, int64_t rank);

  LogicalResult bind(Value v, size_t output = 0) {
    im.values[node->outputs()[output]] = v;
    return success();
  }
  LogicalResult bindScalar(c10::IValue v, size_t output = 0) {
    im.scalars[node->outputs()[output]] = std::move(v);
    return success();
  }

  template <typename OpTy, typename... Args> Value create(Args &&...args) {
    return OpTy::create(im.builder, loc, std::forward<Args>(args)...);
  }

  /// A 0-d constant of `element` holding `v`.
  Value scalarConstant(Type element, double v);
  Value castTo(Value v, Type element);
};

inline RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}
inline Type elementOf(Value v) { return tensorType(v).getElementType(); }

/// Arithmetic a node may compute on compile-time numbers (sizes mostly)
/// rather than on tensors; `none` for kinds with no such meaning.
enum class ScalarArith { none, add, sub, mul, div, floordiv, neg, eq, ne, lt,
                         gt, le, ge };

/// `arith` on the node's compile-time operands when its output is a number
/// (or its operands are sizes wrapped as tensors); nullopt when the node
/// computes on tensors.
std::optional<LogicalResult> tryScalarArithmetic(NodeContext &c,
                                                 ScalarArith arith);

/// The dtype of operand `i` when it is a Python number, as promotion sees
/// it (i1, i64 or f64), or a wrapped number (a 0-dim constant TorchScript
/// made of one; it keeps its dtype); null for anything else.
Type numberDType(NodeContext &c, size_t i);

/// The promotion operands of inputs `indices` (numbers, 0-dim or
/// dimensioned tensors) and their torch.result_type; fails with a
/// diagnostic when a dtype has no promotion rule.
FailureOr<Type> resultTypeOf(NodeContext &c, ArrayRef<size_t> indices);

/// Inputs `li` and `ri` of a binary op in the dtype PyTorch computes it in
/// (torch.result_type): a Python number becomes a 0-d constant of that
/// dtype, tensors are cast to it; fails when they do not broadcast.
LogicalResult binaryOperands(NodeContext &c, size_t li, size_t ri, Value &lhs,
                             Value &rhs);

/// Fails with a diagnostic naming the op when `a` and `b` do not broadcast.
LogicalResult checkBroadcast(NodeContext &c, Value a, Value b);

/// div(rounding_mode='floor' or 'trunc') and floor_divide on the promoted
/// operands (`divisor` is the divisor's input index): integer division
/// needs a nonzero constant divisor, since compiled code has no error path
/// for a zero one.
LogicalResult importRoundedDivision(NodeContext &c, Value lhs, Value rhs,
                                    size_t divisor, bool floor);

/// Operand #0 cast to f32 unless it is already floating point (operands of
/// parameterized activations, convolutions, norms).
FailureOr<Value> floatOperand(NodeContext &c);

/// The tensors of a Tensor[] operand (prim::ListConstruct, one Kiln made,
/// or a constant list such as a frozen nn.LSTM's weights).
FailureOr<SmallVector<Value>> tensorList(NodeContext &c, size_t i);

/// `x` broadcast to `shape` (nothing when it has that shape).
Value broadcastTo(NodeContext &c, Value x, ArrayRef<int64_t> shape);

/// Entries `idx` (1-D integer) of `x` along dim `d`.
Value selectAlong(NodeContext &c, Value x, int64_t d, Value idx);

/// a @ b, diagnosed by the matmul shape rule.
FailureOr<Value> matmul(NodeContext &c, Value a, Value b);

} // namespace mlir::kiln::detail

#endif // KILN_LIB_IMPORT_NODECONTEXT_H
