//===- ShapeRules.cpp - Result shapes of kiln ops, shared with the importer ===//
//
// The ops' InferTypeOpInterface methods and verifiers call these, and so does
// the importer before it builds an op, so both report the same error.
//
//===----------------------------------------------------------------------===//
#include "kiln/Dialect/Kiln/IR/ShapeRules.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::kiln;

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
