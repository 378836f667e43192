//===- KilnOps.cpp - Verifiers, shape rules and folders of kiln ops -------===//
#include "dialects/Kiln/KilnOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/OpImplementation.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::kiln;

bool mlir::kiln::isElementwise(Operation *op) {
  return op->hasTrait<KilnElementwise>();
}

std::string mlir::kiln::formatType(Type type) {
  std::string s;
  llvm::raw_string_ostream os(s);
  if (auto shaped = dyn_cast<ShapedType>(type)) {
    for (int64_t d : shaped.getShape())
      os << d << "x";
    os << shaped.getElementType();
  } else {
    os << type;
  }
  return s;
}

FailureOr<SmallVector<int64_t>>
mlir::kiln::broadcastShapes(ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs) {
  size_t rank = std::max(lhs.size(), rhs.size());
  SmallVector<int64_t> result(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t a = i < lhs.size() ? lhs[lhs.size() - 1 - i] : 1;
    int64_t b = i < rhs.size() ? rhs[rhs.size() - 1 - i] : 1;
    if (a != b && a != 1 && b != 1)
      return failure();
    result[rank - 1 - i] = a == 1 ? b : a;
  }
  return result;
}

static LogicalResult emitShapeError(std::optional<Location> loc,
                                    const Twine &message) {
  return emitOptionalError(loc, message);
}

LogicalResult mlir::kiln::inferBroadcastType(std::optional<Location> loc,
                                             StringRef opName, Type lhs,
                                             Type rhs,
                                             SmallVectorImpl<Type> &results) {
  auto l = dyn_cast<RankedTensorType>(lhs);
  auto r = dyn_cast<RankedTensorType>(rhs);
  if (!l || !r)
    return emitShapeError(loc, "'" + opName + "' expects ranked tensors");
  if (l.getElementType() != r.getElementType())
    return emitShapeError(loc, "'" + opName + "' operands have different " +
                                   "element types: " + formatType(l) +
                                   " and " + formatType(r));
  FailureOr<SmallVector<int64_t>> shape =
      broadcastShapes(l.getShape(), r.getShape());
  if (failed(shape))
    return emitShapeError(loc, "'" + opName +
                                   "' operand shapes do not broadcast: " +
                                   formatType(l) + " and " + formatType(r));
  results.push_back(RankedTensorType::get(*shape, l.getElementType()));
  return success();
}

LogicalResult mlir::kiln::inferLinearType(std::optional<Location> loc,
                                          Type inputType, Type weightType,
                                          Type biasType,
                                          SmallVectorImpl<Type> &results) {
  auto input = dyn_cast<RankedTensorType>(inputType);
  auto weight = dyn_cast<RankedTensorType>(weightType);
  if (!input || !weight)
    return emitShapeError(loc, "'kiln.linear' expects ranked tensors");
  if (input.getRank() < 1)
    return emitShapeError(loc, "'kiln.linear' input must have rank >= 1, got " +
                                   formatType(input));
  if (weight.getRank() != 2)
    return emitShapeError(loc, "'kiln.linear' weight must be [out, in], got " +
                                   formatType(weight));
  int64_t in = input.getShape().back();
  if (weight.getDimSize(1) != in)
    return emitShapeError(
        loc, "'kiln.linear' input has " + Twine(in) +
                 " features but weight expects " +
                 Twine(weight.getDimSize(1)) + " (input " + formatType(input) +
                 ", weight " + formatType(weight) + ")");
  if (input.getElementType() != weight.getElementType())
    return emitShapeError(loc, "'kiln.linear' input and weight element types "
                               "differ: " +
                                   formatType(input) + " and " +
                                   formatType(weight));
  int64_t out = weight.getDimSize(0);
  if (biasType) {
    auto bias = dyn_cast<RankedTensorType>(biasType);
    if (!bias || bias.getRank() != 1 || bias.getDimSize(0) != out ||
        bias.getElementType() != input.getElementType())
      return emitShapeError(loc, "'kiln.linear' bias must be " + Twine(out) +
                                     "x" +
                                     formatType(input.getElementType()) +
                                     ", got " + formatType(biasType));
  }
  SmallVector<int64_t> shape(input.getShape().drop_back());
  shape.push_back(out);
  results.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult mlir::kiln::inferMatmulType(std::optional<Location> loc,
                                          Type lhsType, Type rhsType,
                                          SmallVectorImpl<Type> &results) {
  auto lhs = dyn_cast<RankedTensorType>(lhsType);
  auto rhs = dyn_cast<RankedTensorType>(rhsType);
  if (!lhs || !rhs || lhs.getRank() < 1 || rhs.getRank() < 1)
    return emitShapeError(loc, "'kiln.matmul' expects tensors of rank >= 1");
  if (lhs.getElementType() != rhs.getElementType())
    return emitShapeError(loc, "'kiln.matmul' element types differ: " +
                                   formatType(lhs) + " and " +
                                   formatType(rhs));
  ArrayRef<int64_t> a = lhs.getShape(), b = rhs.getShape();
  // A 1-D lhs is a row vector and a 1-D rhs a column vector; their unit dims
  // are dropped from the result, as torch.matmul does.
  int64_t k = a.back();
  int64_t kb = b.size() >= 2 ? b[b.size() - 2] : b[0];
  if (k != kb)
    return emitShapeError(loc, "'kiln.matmul' contraction dims differ: " +
                                   formatType(lhs) + " @ " + formatType(rhs));
  ArrayRef<int64_t> batchA = a.size() >= 2 ? a.drop_back(2) : ArrayRef<int64_t>();
  ArrayRef<int64_t> batchB = b.size() >= 2 ? b.drop_back(2) : ArrayRef<int64_t>();
  FailureOr<SmallVector<int64_t>> shape = broadcastShapes(batchA, batchB);
  if (failed(shape))
    return emitShapeError(loc, "'kiln.matmul' batch dims do not broadcast: " +
                                   formatType(lhs) + " @ " + formatType(rhs));
  if (a.size() >= 2)
    shape->push_back(a[a.size() - 2]);
  if (b.size() >= 2)
    shape->push_back(b.back());
  results.push_back(RankedTensorType::get(*shape, lhs.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

LogicalResult ConstantOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, ValueRange,
    DictionaryAttr attributes, OpaqueProperties properties, RegionRange,
    SmallVectorImpl<Type> &results) {
  Adaptor adaptor(ValueRange(), attributes, properties);
  auto value = dyn_cast_or_null<ElementsAttr>(adaptor.getValueAttr());
  if (!value)
    return emitOptionalError(loc, "'kiln.constant' needs an elements value");
  results.push_back(value.getType());
  return success();
}

LogicalResult ConstantOp::verify() {
  if (!isa<RankedTensorType>(getValue().getType()))
    return emitOpError() << "value must be a ranked tensor, got "
                         << getValue().getType();
  return success();
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValueAttr(); }

//===----------------------------------------------------------------------===//
// Elementwise ops
//===----------------------------------------------------------------------===//

#define KILN_BROADCAST_INFER(OP, NAME)                                         \
  LogicalResult OP::inferReturnTypes(                                          \
      MLIRContext *, std::optional<Location> loc, ValueRange operands,         \
      DictionaryAttr, OpaqueProperties, RegionRange,                           \
      SmallVectorImpl<Type> &results) {                                        \
    return inferBroadcastType(loc, NAME, operands[0].getType(),                \
                              operands[1].getType(), results);                 \
  }
KILN_BROADCAST_INFER(AddOp, "kiln.add")
KILN_BROADCAST_INFER(SubOp, "kiln.sub")
KILN_BROADCAST_INFER(MulOp, "kiln.mul")
KILN_BROADCAST_INFER(DivOp, "kiln.div")
#undef KILN_BROADCAST_INFER

/// Folds `x op c` to `x` when c is a splat equal to `identity` and x already
/// has the result type (so no broadcast is lost).
static OpFoldResult foldRightIdentity(Value lhs, Attribute rhs, Type result,
                                      double identity) {
  auto splat = dyn_cast_or_null<SplatElementsAttr>(rhs);
  if (!splat || lhs.getType() != result)
    return {};
  if (auto f = dyn_cast<FloatType>(splat.getElementType()))
    return splat.getSplatValue<APFloat>().convertToDouble() == identity
               ? OpFoldResult(lhs)
               : OpFoldResult();
  if (isa<IntegerType>(splat.getElementType()))
    return splat.getSplatValue<APInt>().getSExtValue() ==
                   static_cast<int64_t>(identity)
               ? OpFoldResult(lhs)
               : OpFoldResult();
  return {};
}

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  return foldRightIdentity(getLhs(), adaptor.getRhs(), getType(), 0.0);
}
OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  return foldRightIdentity(getLhs(), adaptor.getRhs(), getType(), 0.0);
}
OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  return foldRightIdentity(getLhs(), adaptor.getRhs(), getType(), 1.0);
}
OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  return foldRightIdentity(getLhs(), adaptor.getRhs(), getType(), 1.0);
}

OpFoldResult ReluOp::fold(FoldAdaptor) {
  // relu is idempotent.
  if (getInput().getDefiningOp<ReluOp>())
    return getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

LogicalResult LinearOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, ValueRange operands,
    DictionaryAttr, OpaqueProperties, RegionRange,
    SmallVectorImpl<Type> &results) {
  Type bias = operands.size() > 2 ? operands[2].getType() : Type();
  return inferLinearType(loc, operands[0].getType(), operands[1].getType(),
                         bias, results);
}

LogicalResult MatmulOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, ValueRange operands,
    DictionaryAttr, OpaqueProperties, RegionRange,
    SmallVectorImpl<Type> &results) {
  return inferMatmulType(loc, operands[0].getType(), operands[1].getType(),
                         results);
}

//===----------------------------------------------------------------------===//
// FusedOp
//===----------------------------------------------------------------------===//

LogicalResult FusedOp::verify() {
  Block &body = getBody().front();
  if (body.getNumArguments() != getInputs().size())
    return emitOpError() << "body has " << body.getNumArguments()
                         << " arguments but the op has " << getInputs().size()
                         << " inputs";
  for (auto [i, pair] :
       llvm::enumerate(llvm::zip(body.getArgumentTypes(), getInputs()))) {
    auto [argType, input] = pair;
    if (argType != input.getType())
      return emitOpError() << "body argument #" << i << " has type " << argType
                           << " but input #" << i << " is "
                           << input.getType();
  }
  auto yield = dyn_cast<YieldOp>(body.getTerminator());
  if (!yield)
    return emitOpError() << "body must end in kiln.yield";
  if (yield.getValue().getType() != getType())
    return emitOpError() << "yields " << yield.getValue().getType()
                         << " but the result is " << getType();
  for (Operation &op : body.without_terminator())
    if (!isElementwise(&op) && !isa<ConstantOp>(op))
      return emitOpError() << "may only contain elementwise ops, found '"
                           << op.getName() << "'";
  return success();
}

#define GET_OP_CLASSES
#include "dialects/Kiln/KilnOps.cpp.inc"
