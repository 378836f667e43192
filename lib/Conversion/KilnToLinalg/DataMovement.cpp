//===- DataMovement.cpp - Transposes, reshapes, concat, slice, pad ----------===//
//
// Permutation copies (tagged kiln.transpose for --kiln-fold-transposes),
// tensor.reshape, insert/extract_slice and tensor.pad.
//
//===----------------------------------------------------------------------===//
#include "Patterns.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::detail;

namespace {

Value lowerTranspose(OpBuilder &b, TransposeOp op) {
  Location loc = op.getLoc();
  MLIRContext *ctx = b.getContext();
  auto outType = cast<RankedTensorType>(op.getType());
  ArrayRef<int64_t> perm = op.getPermutation();
  // Result dim i reads input dim perm[i]: the input's index k is result
  // index i where perm[i] == k.
  SmallVector<AffineExpr> inExprs(perm.size());
  for (auto [i, p] : llvm::enumerate(perm))
    inExprs[p] = getAffineDimExpr(i, ctx);
  AffineMap inMap = AffineMap::get(perm.size(), 0, inExprs, ctx);
  Value init = tensor::EmptyOp::create(b, loc, outType.getShape(),
                                       outType.getElementType());
  SmallVector<utils::IteratorType> iterators(perm.size(),
                                             utils::IteratorType::parallel);
  auto copy = linalg::GenericOp::create(
      b, loc, outType, ValueRange{op.getInput()}, ValueRange{init},
      ArrayRef<AffineMap>{inMap, b.getMultiDimIdentityMap(perm.size())},
      iterators, [](OpBuilder &nb, Location nloc, ValueRange args) {
        linalg::YieldOp::create(nb, nloc, args[0]);
      });
  // foldTransposesIntoProducts reads through it.
  copy->setAttr(kTransposeTag, b.getUnitAttr());
  return copy.getResult(0);
}

Value lowerReshape(OpBuilder &b, ReshapeOp op) {
  Location loc = op.getLoc();
  auto outType = cast<RankedTensorType>(op.getType());
  auto shapeType = RankedTensorType::get({outType.getRank()}, b.getI64Type());
  Value shape = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(shapeType, outType.getShape()));
  return tensor::ReshapeOp::create(b, loc, outType, op.getInput(), shape);
}

Value lowerConcat(OpBuilder &b, ConcatOp op) {
  Location loc = op.getLoc();
  auto outType = cast<RankedTensorType>(op.getType());
  Value result = tensor::EmptyOp::create(b, loc, outType.getShape(),
                                         outType.getElementType());
  int64_t offset = 0, dim = op.getDim();
  for (Value in : op.getInputs()) {
    auto t = cast<RankedTensorType>(in.getType());
    SmallVector<OpFoldResult> offsets(t.getRank(), b.getIndexAttr(0));
    offsets[dim] = b.getIndexAttr(offset);
    SmallVector<OpFoldResult> sizes, strides(t.getRank(), b.getIndexAttr(1));
    for (int64_t d : t.getShape())
      sizes.push_back(b.getIndexAttr(d));
    result = tensor::InsertSliceOp::create(b, loc, in, result, offsets, sizes,
                                           strides);
    offset += t.getDimSize(dim);
  }
  return result;
}

Value lowerSlice(OpBuilder &b, SliceOp op) {
  auto attrs = [&](ArrayRef<int64_t> v) {
    SmallVector<OpFoldResult> r;
    for (int64_t x : v)
      r.push_back(b.getIndexAttr(x));
    return r;
  };
  return tensor::ExtractSliceOp::create(
      b, op.getLoc(), cast<RankedTensorType>(op.getType()), op.getInput(),
      attrs(op.getOffsets()), attrs(op.getSizes()), attrs(op.getStrides()));
}

Value lowerPad(OpBuilder &b, PadOp op) {
  Location loc = op.getLoc();
  auto outType = cast<RankedTensorType>(op.getType());
  Type element = outType.getElementType();
  Value value = isa<FloatType>(element)
                    ? floatConst(b, loc, element, op.getValue().convertToDouble())
                    : Value(arith::ConstantOp::create(
                          b, loc, element,
                          b.getIntegerAttr(element, int64_t(op.getValue().convertToDouble()))));
  auto attrs = [&](ArrayRef<int64_t> v) {
    SmallVector<OpFoldResult> r;
    for (int64_t x : v)
      r.push_back(b.getIndexAttr(x));
    return r;
  };
  std::optional<ArrayRef<int64_t>> interior = op.getInterior();
  if (!interior || llvm::all_of(*interior, [](int64_t i) { return i == 0; }))
    return tensor::PadOp::create(b, loc, outType, op.getInput(),
                                 attrs(op.getLow()), attrs(op.getHigh()), value);
  // Interior padding: fill, then insert the input with stride interior + 1.
  Value filled = linalg::FillOp::create(
                     b, loc, value,
                     Value(tensor::EmptyOp::create(b, loc, outType.getShape(), element)))
                     .getResult(0);
  auto inType = cast<RankedTensorType>(op.getInput().getType());
  SmallVector<int64_t> strides;
  for (int64_t i : *interior)
    strides.push_back(i + 1);
  return tensor::InsertSliceOp::create(b, loc, op.getInput(), filled,
                                       attrs(op.getLow()),
                                       attrs(inType.getShape()), attrs(strides));
}

} // namespace

void mlir::kiln::detail::populateDataMovementPatternsAndLegality(
    RewritePatternSet &patterns, ConversionTarget &target) {
  addLowering<TransposeOp, lowerTranspose>(patterns, target);
  addLowering<ReshapeOp, lowerReshape>(patterns, target);
  addLowering<ConcatOp, lowerConcat>(patterns, target);
  addLowering<SliceOp, lowerSlice>(patterns, target);
  addLowering<PadOp, lowerPad>(patterns, target);
}
