//===- KilnOps.cpp - Verifiers, shape rules and folders of kiln ops -------===//
#include "dialects/Kiln/KilnOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/OpImplementation.h"

#include "llvm/ADT/STLExtras.h"

#include <cmath>
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::kiln;

bool mlir::kiln::isElementwise(Operation *op) {
  return op->hasTrait<KilnElementwise>();
}

bool mlir::kiln::isContraction(Operation *op) {
  return isa<Conv2dOp, LinearOp, MatmulOp>(op);
}

std::string mlir::kiln::formatType(Type type) {
  std::string s;
  llvm::raw_string_ostream os(s);
  if (auto shaped = dyn_cast<ShapedType>(type)) {
    if (!shaped.hasRank()) {
      os << "*x" << shaped.getElementType();
      return s;
    }
    if (shaped.getRank() == 0)
      os << "0-d ";
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


LogicalResult mlir::kiln::inferWhereType(std::optional<Location> loc,
                                         Type condition, Type lhs, Type rhs,
                                         SmallVectorImpl<Type> &results) {
  SmallVector<Type> values;
  if (failed(inferBroadcastType(loc, "kiln.where", lhs, rhs, values)))
    return failure();
  auto c = dyn_cast<RankedTensorType>(condition);
  auto v = cast<RankedTensorType>(values[0]);
  if (!c || !c.getElementType().isInteger(1))
    return emitShapeError(loc, "'kiln.where' condition must be an i1 tensor, "
                               "got " + formatType(condition));
  FailureOr<SmallVector<int64_t>> shape =
      broadcastShapes(c.getShape(), v.getShape());
  if (failed(shape))
    return emitShapeError(loc, "'kiln.where' condition " + formatType(c) +
                                   " does not broadcast with " + formatType(v));
  results.push_back(RankedTensorType::get(*shape, v.getElementType()));
  return success();
}

LogicalResult mlir::kiln::inferTransposeType(std::optional<Location> loc,
                                             Type inputType,
                                             ArrayRef<int64_t> permutation,
                                             SmallVectorImpl<Type> &results) {
  auto input = cast<RankedTensorType>(inputType);
  SmallVector<bool> seen(input.getRank(), false);
  bool ok = static_cast<int64_t>(permutation.size()) == input.getRank();
  for (int64_t p : permutation) {
    ok = ok && p >= 0 && p < input.getRank() && !seen[p];
    if (ok)
      seen[p] = true;
  }
  if (!ok) {
    std::string perm;
    for (auto [i, p] : llvm::enumerate(permutation))
      perm += (i ? ", " : "") + std::to_string(p);
    return emitShapeError(loc, "'kiln.transpose' permutation [" + perm +
                                   "] is not a permutation of the dims of " +
                                   formatType(input));
  }
  SmallVector<int64_t> shape;
  for (int64_t p : permutation)
    shape.push_back(input.getDimSize(p));
  results.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult mlir::kiln::inferReduceType(std::optional<Location> loc,
                                          Type inputType,
                                          ArrayRef<int64_t> dims, bool keepdim,
                                          SmallVectorImpl<Type> &results) {
  auto input = cast<RankedTensorType>(inputType);
  for (auto [i, d] : llvm::enumerate(dims))
    if (d < 0 || d >= input.getRank() || (i > 0 && dims[i - 1] >= d))
      return emitShapeError(loc, "'kiln.reduce' dims must be sorted, unique "
                                 "and within the rank of " +
                                     formatType(input));
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < input.getRank(); ++i) {
    if (!llvm::is_contained(dims, i))
      shape.push_back(input.getDimSize(i));
    else if (keepdim)
      shape.push_back(1);
  }
  results.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}


FailureOr<int64_t> mlir::kiln::windowOutputSize(int64_t in, int64_t kernel,
                                                int64_t stride, int64_t padding,
                                                int64_t dilation) {
  if (kernel < 1 || stride < 1 || dilation < 1 || padding < 0)
    return failure();
  int64_t span = dilation * (kernel - 1) + 1;
  if (in + 2 * padding < span)
    return failure();
  return (in + 2 * padding - span) / stride + 1;
}

static std::string pairStr(ArrayRef<int64_t> v) {
  std::string s = "[";
  for (auto [i, x] : llvm::enumerate(v))
    s += (i ? ", " : "") + std::to_string(x);
  return s + "]";
}

/// Spatial output sizes for NCHW `input`; fails with a message.
static FailureOr<SmallVector<int64_t>>
windowShape(std::optional<Location> loc, StringRef op, RankedTensorType input,
            ArrayRef<int64_t> kernel, ArrayRef<int64_t> stride,
            ArrayRef<int64_t> padding, ArrayRef<int64_t> dilation) {
  if (stride.size() != 2 || padding.size() != 2 || dilation.size() != 2 ||
      kernel.size() != 2) {
    (void)emitOptionalError(loc, "'" + op + "' stride, padding, dilation and "
                                 "kernel must be [H, W] pairs");
    return failure();
  }
  SmallVector<int64_t> out;
  for (int i = 0; i < 2; ++i) {
    FailureOr<int64_t> o = windowOutputSize(input.getDimSize(2 + i), kernel[i],
                                            stride[i], padding[i], dilation[i]);
    if (failed(o)) {
      (void)emitOptionalError(
          loc, "'" + op + "' window " + pairStr(kernel) + " (stride " +
                   pairStr(stride) + ", padding " + pairStr(padding) +
                   ", dilation " + pairStr(dilation) + ") does not fit input " +
                   formatType(input));
      return failure();
    }
    out.push_back(*o);
  }
  return out;
}

LogicalResult mlir::kiln::inferConv2dType(
    std::optional<Location> loc, Type inputType, Type weightType, Type biasType,
    ArrayRef<int64_t> stride, ArrayRef<int64_t> padding,
    ArrayRef<int64_t> dilation, int64_t groups,
    SmallVectorImpl<Type> &results) {
  auto input = dyn_cast<RankedTensorType>(inputType);
  auto weight = dyn_cast<RankedTensorType>(weightType);
  if (!input || !weight || input.getRank() != 4 || weight.getRank() != 4)
    return emitShapeError(loc, "'kiln.conv2d' needs a 4-D NCHW input and a "
                               "4-D weight, got " +
                                   formatType(inputType) + " and " +
                                   formatType(weightType));
  int64_t c = input.getDimSize(1), f = weight.getDimSize(0);
  if (groups < 1 || c % groups || f % groups ||
      weight.getDimSize(1) * groups != c)
    return emitShapeError(
        loc, "'kiln.conv2d' input has " + Twine(c) + " channels but weight " +
                 formatType(weight) + " with groups=" + Twine(groups) +
                 " expects " + Twine(weight.getDimSize(1) * groups));
  if (input.getElementType() != weight.getElementType())
    return emitShapeError(loc, "'kiln.conv2d' input and weight element types "
                               "differ");
  if (biasType) {
    auto bias = dyn_cast<RankedTensorType>(biasType);
    if (!bias || bias.getRank() != 1 || bias.getDimSize(0) != f)
      return emitShapeError(loc, "'kiln.conv2d' bias must be [" + Twine(f) +
                                     "], got " + formatType(biasType));
  }
  FailureOr<SmallVector<int64_t>> spatial =
      windowShape(loc, "kiln.conv2d", input, weight.getShape().take_back(2),
                  stride, padding, dilation);
  if (failed(spatial))
    return failure();
  results.push_back(RankedTensorType::get(
      {input.getDimSize(0), f, (*spatial)[0], (*spatial)[1]},
      input.getElementType()));
  return success();
}

LogicalResult mlir::kiln::inferPool2dType(
    std::optional<Location> loc, Type inputType, ArrayRef<int64_t> kernel,
    ArrayRef<int64_t> stride, ArrayRef<int64_t> padding,
    ArrayRef<int64_t> dilation, SmallVectorImpl<Type> &results) {
  auto input = dyn_cast<RankedTensorType>(inputType);
  if (!input || input.getRank() != 4)
    return emitShapeError(loc, "'kiln.pool2d' needs a 4-D NCHW input, got " +
                                   formatType(inputType));
  FailureOr<SmallVector<int64_t>> spatial = windowShape(
      loc, "kiln.pool2d", input, kernel, stride, padding, dilation);
  if (failed(spatial))
    return failure();
  results.push_back(RankedTensorType::get(
      {input.getDimSize(0), input.getDimSize(1), (*spatial)[0], (*spatial)[1]},
      input.getElementType()));
  return success();
}


LogicalResult mlir::kiln::inferConcatType(std::optional<Location> loc,
                                          TypeRange inputs, int64_t dim,
                                          SmallVectorImpl<Type> &results) {
  if (inputs.empty())
    return emitShapeError(loc, "'kiln.concat' needs at least one input");
  // The custom parser infers before it checks operand types.
  for (Type t : inputs)
    if (!isa<RankedTensorType>(t))
      return emitShapeError(loc, "'kiln.concat' inputs must be ranked "
                                 "tensors, got " + formatType(t));
  auto first = cast<RankedTensorType>(inputs[0]);
  if (dim < 0 || dim >= first.getRank())
    return emitShapeError(loc, "'kiln.concat' dim " + Twine(dim) +
                                   " is out of range for " + formatType(first));
  SmallVector<int64_t> shape(first.getShape());
  shape[dim] = 0;
  for (Type t : inputs) {
    auto r = cast<RankedTensorType>(t);
    bool ok = r.getRank() == first.getRank() &&
              r.getElementType() == first.getElementType();
    for (int64_t i = 0; ok && i < r.getRank(); ++i)
      ok = i == dim || r.getDimSize(i) == first.getDimSize(i);
    if (!ok)
      return emitShapeError(loc, "'kiln.concat' inputs " + formatType(first) +
                                     " and " + formatType(r) +
                                     " differ outside dim " + Twine(dim));
    shape[dim] += r.getDimSize(dim);
  }
  results.push_back(RankedTensorType::get(shape, first.getElementType()));
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
KILN_BROADCAST_INFER(MaximumOp, "kiln.maximum")
KILN_BROADCAST_INFER(MinimumOp, "kiln.minimum")
#undef KILN_BROADCAST_INFER

/// The splat constant `rhs`, when `x op rhs` may fold to `x`: the result has
/// x's type (no broadcast is lost) and rhs is a splat.
static SplatElementsAttr foldableSplat(Value lhs, Attribute rhs, Type result) {
  auto splat = dyn_cast_or_null<SplatElementsAttr>(rhs);
  if (!splat || lhs.getType() != result)
    return {};
  return splat;
}

static bool isIntSplat(SplatElementsAttr splat, int64_t v) {
  return isa<IntegerType>(splat.getElementType()) &&
         splat.getSplatValue<APInt>().getSExtValue() == v;
}

/// True when the float splat is exactly `v`, sign of zero included.
static bool isFloatSplat(SplatElementsAttr splat, double v) {
  if (!isa<FloatType>(splat.getElementType()))
    return false;
  APFloat f = splat.getSplatValue<APFloat>();
  return f.convertToDouble() == v && f.isNegative() == std::signbit(v);
}

// IEEE identities only: x + (-0.0) == x and x - (+0.0) == x for every x
// (x + +0.0 turns -0.0 into +0.0), x * 1 == x and x / 1 == x. With an alpha
// other than 1 only integer zeros fold.
OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  auto splat = foldableSplat(getLhs(), adaptor.getRhs(), getType());
  if (splat && (isIntSplat(splat, 0) ||
                (getAlpha().convertToDouble() == 1.0 && isFloatSplat(splat, -0.0))))
    return getLhs();
  return {};
}
OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  auto splat = foldableSplat(getLhs(), adaptor.getRhs(), getType());
  if (splat && (isIntSplat(splat, 0) ||
                (getAlpha().convertToDouble() == 1.0 && isFloatSplat(splat, 0.0))))
    return getLhs();
  return {};
}
OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  auto splat = foldableSplat(getLhs(), adaptor.getRhs(), getType());
  if (splat && (isIntSplat(splat, 1) || isFloatSplat(splat, 1.0)))
    return getLhs();
  return {};
}
OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  auto splat = foldableSplat(getLhs(), adaptor.getRhs(), getType());
  if (splat && isFloatSplat(splat, 1.0))
    return getLhs();
  return {};
}

// max(x, x) == min(x, x) == x.
OpFoldResult MaximumOp::fold(FoldAdaptor) {
  return getLhs() == getRhs() ? OpFoldResult(getLhs()) : OpFoldResult();
}
OpFoldResult MinimumOp::fold(FoldAdaptor) {
  return getLhs() == getRhs() ? OpFoldResult(getLhs()) : OpFoldResult();
}

OpFoldResult ReluOp::fold(FoldAdaptor) {
  // relu is idempotent.
  if (getInput().getDefiningOp<ReluOp>())
    return getInput();
  return {};
}

/// PyTorch rejects a non-integral alpha for integer tensors.
static LogicalResult verifyAlpha(Operation *op, llvm::APFloat alpha) {
  Type element = cast<RankedTensorType>(op->getResult(0).getType())
                     .getElementType();
  double a = alpha.convertToDouble();
  if (isa<IntegerType>(element) && a != std::trunc(a))
    return op->emitOpError() << "alpha " << a
                             << " is not an integer, but the operands are "
                             << element;
  return success();
}
LogicalResult AddOp::verify() { return verifyAlpha(*this, getAlpha()); }
LogicalResult SubOp::verify() { return verifyAlpha(*this, getAlpha()); }

LogicalResult DivOp::verify() {
  if (!isa<FloatType>(getType().getElementType()))
    return emitOpError() << "true division of integer tensors (which PyTorch "
                            "computes in floating point) is not supported; "
                            "got "
                         << formatType(getType());
  return success();
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
// Comparison, selection and casts
//===----------------------------------------------------------------------===//

LogicalResult CompareOp::inferReturnTypes(
    MLIRContext *ctx, std::optional<Location> loc, ValueRange operands,
    DictionaryAttr, OpaqueProperties, RegionRange,
    SmallVectorImpl<Type> &results) {
  SmallVector<Type> values;
  if (failed(inferBroadcastType(loc, "kiln.compare", operands[0].getType(),
                                operands[1].getType(), values)))
    return failure();
  results.push_back(cast<RankedTensorType>(values[0]).clone(
      IntegerType::get(ctx, 1)));
  return success();
}

LogicalResult WhereOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, ValueRange operands,
    DictionaryAttr, OpaqueProperties, RegionRange,
    SmallVectorImpl<Type> &results) {
  return inferWhereType(loc, operands[0].getType(), operands[1].getType(),
                        operands[2].getType(), results);
}

LogicalResult CastOp::verify() {
  if (getInput().getType().getShape() != getType().getShape())
    return emitOpError() << "changes the shape from "
                         << formatType(getInput().getType()) << " to "
                         << formatType(getType());
  return success();
}

OpFoldResult CastOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return {};
}


//===----------------------------------------------------------------------===//
// Convolution and pooling
//===----------------------------------------------------------------------===//

LogicalResult Conv2dOp::verify() {
  SmallVector<Type> inferred;
  Type bias = getBias() ? getBias().getType() : Type();
  if (failed(inferConv2dType(getLoc(), getInput().getType(),
                             getWeight().getType(), bias, getStride(),
                             getPadding(), getDilation(), getGroups(),
                             inferred)))
    return failure();
  if (inferred[0] != getType())
    return emitOpError() << "result must be " << formatType(inferred[0])
                         << ", got " << formatType(getType());
  return success();
}

LogicalResult Pool2dOp::verify() {
  SmallVector<Type> inferred;
  if (failed(inferPool2dType(getLoc(), getInput().getType(), getKernel(),
                             getStride(), getPadding(), getDilation(),
                             inferred)))
    return failure();
  if (inferred[0] != getType())
    return emitOpError() << "result must be " << formatType(inferred[0])
                         << ", got " << formatType(getType());
  return success();
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::verify() {
  auto in = getInput().getType(), out = getType();
  if (in.getNumElements() != out.getNumElements() ||
      in.getElementType() != out.getElementType())
    return emitOpError() << "cannot reshape " << formatType(in) << " to "
                         << formatType(out);
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  // Reshaping a constant is free at compile time for dense values.
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput()))
    return dense.reshape(getType());
  return {};
}


LogicalResult ConcatOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, ValueRange operands,
    DictionaryAttr attributes, OpaqueProperties properties, RegionRange regions,
    SmallVectorImpl<Type> &results) {
  Adaptor adaptor(operands, attributes, properties, regions);
  // While parsing, `dim` (from the attr-dict) is not in the properties yet.
  IntegerAttr dim = adaptor.getDimAttr();
  if (!dim && attributes)
    dim = dyn_cast_or_null<IntegerAttr>(attributes.get("dim"));
  if (!dim) {
    if (loc)
      return mlir::emitError(*loc) << "'kiln.concat' needs a 'dim' attribute";
    return failure();
  }
  return inferConcatType(loc, operands.getTypes(), dim.getInt(), results);
}

LogicalResult SliceOp::verify() {
  auto in = getInput().getType();
  ArrayRef<int64_t> offsets = getOffsets(), sizes = getSizes(),
                    strides = getStrides();
  int64_t rank = in.getRank();
  if (static_cast<int64_t>(offsets.size()) != rank ||
      static_cast<int64_t>(sizes.size()) != rank ||
      static_cast<int64_t>(strides.size()) != rank)
    return emitOpError() << "needs offsets, sizes and strides for each of the "
                         << rank << " dims";
  for (int64_t i = 0; i < rank; ++i)
    if (offsets[i] < 0 || sizes[i] < 0 || strides[i] < 1 ||
        (sizes[i] > 0 &&
         offsets[i] + (sizes[i] - 1) * strides[i] >= in.getDimSize(i)))
      return emitOpError() << "dim " << i << " reads outside "
                           << formatType(in);
  if (getType().getShape() != sizes ||
      getType().getElementType() != in.getElementType())
    return emitOpError() << "result must be " << formatType(RankedTensorType::get(sizes, in.getElementType()));
  return success();
}

LogicalResult GatherOp::verify() {
  auto table = getTable().getType();
  auto indices = getIndices().getType();
  if (table.getRank() < 1)
    return emitOpError() << "table must have rank >= 1";
  SmallVector<int64_t> shape(indices.getShape());
  llvm::append_range(shape, table.getShape().drop_front());
  if (getType().getShape() != ArrayRef<int64_t>(shape) ||
      getType().getElementType() != table.getElementType())
    return emitOpError() << "result must be "
                         << formatType(RankedTensorType::get(shape, table.getElementType()));
  return success();
}


LogicalResult BroadcastOp::verify() {
  auto in = getInput().getType(), out = getType();
  FailureOr<SmallVector<int64_t>> b = broadcastShapes(in.getShape(), out.getShape());
  if (failed(b) || ArrayRef<int64_t>(*b) != out.getShape() ||
      in.getElementType() != out.getElementType())
    return emitOpError() << "cannot broadcast " << formatType(in) << " to "
                         << formatType(out);
  return success();
}

OpFoldResult BroadcastOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (auto splat = dyn_cast_or_null<SplatElementsAttr>(adaptor.getInput()))
    return SplatElementsAttr::get(getType(), splat.getSplatValue<Attribute>());
  return {};
}

LogicalResult PadOp::verify() {
  auto in = getInput().getType();
  ArrayRef<int64_t> low = getLow(), high = getHigh();
  if (static_cast<int64_t>(low.size()) != in.getRank() ||
      static_cast<int64_t>(high.size()) != in.getRank())
    return emitOpError() << "needs low and high padding for each dim";
  SmallVector<int64_t> interior(in.getRank(), 0);
  if (auto attr = getInterior()) {
    if (static_cast<int64_t>(attr->size()) != in.getRank())
      return emitOpError() << "needs interior padding for each dim";
    interior.assign(attr->begin(), attr->end());
  }
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < in.getRank(); ++i) {
    if (low[i] < 0 || high[i] < 0 || interior[i] < 0)
      return emitOpError() << "padding must be non-negative";
    int64_t d = in.getDimSize(i);
    shape.push_back(d + (d > 0 ? (d - 1) * interior[i] : 0) + low[i] + high[i]);
  }
  if (getType().getShape() != ArrayRef<int64_t>(shape))
    return emitOpError() << "result must be "
                         << formatType(RankedTensorType::get(shape, in.getElementType()));
  return success();
}

LogicalResult ArgmaxOp::verify() {
  auto in = getInput().getType();
  if (getDim() < 0 || getDim() >= std::max<int64_t>(in.getRank(), 1))
    return emitOpError() << "dim " << getDim() << " is out of range";
  SmallVector<int64_t> shape(in.getShape());
  if (in.getRank() > 0) {
    if (getKeepdim())
      shape[getDim()] = 1;
    else
      shape.erase(shape.begin() + getDim());
  }
  if (getType().getShape() != ArrayRef<int64_t>(shape))
    return emitOpError() << "result must be "
                         << formatType(RankedTensorType::get(
                                shape, getType().getElementType()))
                         << " for input " << formatType(in) << ", got "
                         << formatType(getType());
  return success();
}

LogicalResult ResizeBilinearOp::verify() {
  auto in = cast<RankedTensorType>(getInput().getType());
  auto out = cast<RankedTensorType>(getType());
  if (in.getRank() != 4 || out.getRank() != 4)
    return emitOpError() << "input and result must be NCHW (rank 4), got "
                         << formatType(in) << " -> " << formatType(out);
  if (in.getElementType() != out.getElementType() ||
      in.getDimSize(0) != out.getDimSize(0) ||
      in.getDimSize(1) != out.getDimSize(1))
    return emitOpError() << "keeps N, C and the element type: "
                         << formatType(in) << " -> " << formatType(out);
  return success();
}

LogicalResult CumsumOp::verify() {
  if (getDim() < 0 || getDim() >= std::max<int64_t>(getType().getRank(), 1))
    return emitOpError() << "dim " << getDim() << " is out of range";
  return success();
}

LogicalResult TransposeOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, ValueRange operands,
    DictionaryAttr attributes, OpaqueProperties properties, RegionRange regions,
    SmallVectorImpl<Type> &results) {
  Adaptor adaptor(operands, attributes, properties, regions);
  return inferTransposeType(loc, operands[0].getType(),
                            adaptor.getPermutation(), results);
}

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  ArrayRef<int64_t> perm = getPermutation();
  for (auto [i, p] : llvm::enumerate(perm))
    if (static_cast<int64_t>(i) != p)
      return {};
  return getInput();
}

//===----------------------------------------------------------------------===//
// Reductions and composite ops
//===----------------------------------------------------------------------===//

LogicalResult ReduceOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, ValueRange operands,
    DictionaryAttr attributes, OpaqueProperties properties, RegionRange regions,
    SmallVectorImpl<Type> &results) {
  Adaptor adaptor(operands, attributes, properties, regions);
  // While parsing, attributes from the attr-dict are not in the properties
  // yet (and one left out is not materialized at all): look in the
  // dictionary, else use the default.
  BoolAttr keepdim = adaptor.getKeepdimAttr();
  if (!keepdim && attributes)
    keepdim = dyn_cast_or_null<BoolAttr>(attributes.get("keepdim"));
  return inferReduceType(loc, operands[0].getType(), adaptor.getDims(),
                         keepdim && keepdim.getValue(), results);
}

LogicalResult SoftmaxOp::verify() {
  int64_t rank = getType().getRank();
  if (getDim() < 0 || getDim() >= std::max<int64_t>(rank, 1))
    return emitOpError() << "dim " << getDim() << " is out of range for "
                         << formatType(getType());
  return success();
}

LogicalResult LayerNormOp::verify() {
  auto in = getInput().getType();
  int64_t n = getNormalizedRank();
  if (n < 1 || n > in.getRank())
    return emitOpError() << "normalized_rank " << n << " is out of range for "
                         << formatType(in);
  if (getType() != in)
    return emitOpError() << "result must have the input's type "
                         << formatType(in);
  ArrayRef<int64_t> normalized = in.getShape().take_back(n);
  for (Value v : {getWeight(), getBias()}) {
    if (!v)
      continue;
    auto t = cast<RankedTensorType>(v.getType());
    if (t.getShape() != normalized || t.getElementType() != in.getElementType())
      return emitOpError() << "weight and bias must be "
                           << formatType(RankedTensorType::get(
                                  normalized, in.getElementType()))
                           << ", got " << formatType(t);
  }
  return success();
}

//===----------------------------------------------------------------------===//
// FusedOp
//===----------------------------------------------------------------------===//

LogicalResult FusedOp::verify() {
  Block &body = getBody().front();
  if (!body.mightHaveTerminator())
    return emitOpError() << "body must end in kiln.yield";
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
  // The lowering evaluates every body value at the broadcast of each result
  // index, so each must broadcast to the result shape.
  auto resultShape = cast<RankedTensorType>(getType()).getShape();
  auto fitsResult = [&](Type t) {
    auto shape = cast<RankedTensorType>(t).getShape();
    FailureOr<SmallVector<int64_t>> b = broadcastShapes(shape, resultShape);
    return succeeded(b) && ArrayRef<int64_t>(*b) == resultShape;
  };
  Operation *anchor = getAnchor();
  if (anchor) {
    if (anchor->getResult(0).getType() != getType())
      return emitOpError() << "anchor '" << anchor->getName() << "' computes "
                           << formatType(anchor->getResult(0).getType())
                           << " but the result is " << formatType(getType());
    for (Value v : anchor->getOperands())
      if (!isa<BlockArgument>(v))
        return emitOpError() << "anchor operands must be block arguments";
  }
  // Block arguments read by the anchor only (weights) need not broadcast.
  for (BlockArgument arg : body.getArguments()) {
    bool elementwiseUse = llvm::any_of(
        arg.getUsers(), [&](Operation *u) { return u != anchor; });
    if (elementwiseUse && !fitsResult(arg.getType()))
      return emitOpError() << "input " << formatType(arg.getType())
                           << " does not broadcast to the result "
                           << formatType(getType());
  }
  for (Operation &op : body.without_terminator()) {
    if (&op == anchor)
      continue;
    if (isContraction(&op))
      return emitOpError() << "may contain one '" << op.getName()
                           << "', as its first op";
    auto constant = dyn_cast<ConstantOp>(op);
    if (constant && !isa<SplatElementsAttr>(constant.getValue()))
      return emitOpError() << "may only contain splat constants; pass other "
                              "constants as inputs";
    if (!isElementwise(&op) && !constant)
      return emitOpError() << "may only contain elementwise ops, found '"
                           << op.getName() << "'";
    if (!fitsResult(op.getResult(0).getType()))
      return emitOpError() << "body value " << formatType(op.getResult(0).getType())
                           << " does not broadcast to the result "
                           << formatType(getType());
  }
  return success();
}

Operation *FusedOp::getAnchor() {
  Block &body = getBody().front();
  if (body.empty() || !isContraction(&body.front()))
    return nullptr;
  return &body.front();
}

#define GET_OP_CLASSES
#include "dialects/Kiln/KilnOps.cpp.inc"
