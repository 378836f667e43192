//===- KilnOps.cpp - Verifiers and folders of kiln ops --------------------===//
#include "kiln/Dialect/Kiln/IR/KilnOps.h"

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
#include "kiln/Dialect/Kiln/IR/KilnOps.cpp.inc"
