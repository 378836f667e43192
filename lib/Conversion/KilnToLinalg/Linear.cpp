//===- Linear.cpp - linear and matmul to linalg -----------------------------===//
//
// A fill (the bias, or zero) plus one reduction linalg.generic tagged for
// --kiln-lower-gemm; batch dims broadcast as PyTorch does.
//
//===----------------------------------------------------------------------===//
#include "Patterns.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::detail;

namespace {

/// Dims [offset, offset + operandBatch.size()) of an (outRank+1)-dim
/// iteration space that an operand's batch dims read, with broadcasting.
void appendBatchExprs(ArrayRef<int64_t> operandBatch,
                      ArrayRef<int64_t> resultBatch, MLIRContext *ctx,
                      SmallVectorImpl<AffineExpr> &exprs) {
  AffineMap m = broadcastMap(operandBatch, resultBatch, ctx);
  llvm::append_range(exprs, m.getResults());
}

Value lowerLinear(OpBuilder &b, LinearOp op) {
  Location loc = op.getLoc();
  MLIRContext *ctx = b.getContext();
  auto type = cast<RankedTensorType>(op.getType());
  unsigned rank = type.getRank();
  Value init;
  if (Value bias = op.getBias()) {
    init = *buildElementwiseGeneric(
        b, loc, type, ValueRange{bias},
        [](OpBuilder &, ValueRange args) -> FailureOr<Value> {
          return args[0];
        });
    init.getDefiningOp()->setAttr(kBiasInitTag, b.getUnitAttr());
  } else {
    init = zeroFilled(b, loc, type);
  }
  // Iteration space (batch..., n, k): input reads (batch..., k), weight (n, k).
  SmallVector<AffineExpr> inExprs;
  for (unsigned i = 0; i + 1 < rank; ++i)
    inExprs.push_back(getAffineDimExpr(i, ctx));
  inExprs.push_back(getAffineDimExpr(rank, ctx));
  AffineMap inMap = AffineMap::get(rank + 1, 0, inExprs, ctx);
  AffineMap wMap = AffineMap::get(
      rank + 1, 0, {getAffineDimExpr(rank - 1, ctx), getAffineDimExpr(rank, ctx)},
      ctx);
  return buildContraction(b, loc, op.getInput(), op.getWeight(), init, inMap,
                          wMap);
}

Value lowerMatmul(OpBuilder &b, MatmulOp op) {
  Location loc = op.getLoc();
  MLIRContext *ctx = b.getContext();
  auto type = cast<RankedTensorType>(op.getType());
  auto lhsType = cast<RankedTensorType>(op.getLhs().getType());
  auto rhsType = cast<RankedTensorType>(op.getRhs().getType());
  unsigned rank = type.getRank();
  bool lhsMatrix = lhsType.getRank() >= 2, rhsMatrix = rhsType.getRank() >= 2;
  unsigned batchRank = rank - lhsMatrix - rhsMatrix;
  ArrayRef<int64_t> resultBatch = type.getShape().take_front(batchRank);
  AffineExpr k = getAffineDimExpr(rank, ctx);

  SmallVector<AffineExpr> lhsExprs, rhsExprs;
  if (lhsMatrix) {
    appendBatchExprs(lhsType.getShape().drop_back(2), resultBatch, ctx,
                     lhsExprs);
    lhsExprs.push_back(getAffineDimExpr(batchRank, ctx)); // m
  }
  lhsExprs.push_back(k);
  if (rhsMatrix) {
    appendBatchExprs(rhsType.getShape().drop_back(2), resultBatch, ctx,
                     rhsExprs);
    rhsExprs.push_back(k);
    rhsExprs.push_back(getAffineDimExpr(rank - 1, ctx)); // n
  } else {
    rhsExprs.push_back(k);
  }
  // Batch exprs were built over `batchRank` dims; they index the same leading
  // dims of the (rank + 1)-dim space.
  AffineMap lhsMap = AffineMap::get(rank + 1, 0, lhsExprs, ctx);
  AffineMap rhsMap = AffineMap::get(rank + 1, 0, rhsExprs, ctx);
  return buildContraction(b, loc, op.getLhs(), op.getRhs(),
                          zeroFilled(b, loc, type), lhsMap, rhsMap);
}

} // namespace

namespace mlir::kiln::detail {

Value zeroFilled(OpBuilder &b, Location loc, RankedTensorType type) {
  Value empty =
      tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
  Value zero = floatConst(b, loc, type.getElementType(), 0.0);
  return linalg::FillOp::create(b, loc, zero, empty).getResult(0);
}

Value buildContraction(OpBuilder &b, Location loc, Value lhs, Value rhs,
                       Value init, AffineMap lhsMap, AffineMap rhsMap) {
  auto type = cast<RankedTensorType>(init.getType());
  unsigned rank = type.getRank();
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  iterators.push_back(utils::IteratorType::reduction);
  SmallVector<AffineExpr> outExprs;
  for (unsigned i = 0; i < rank; ++i)
    outExprs.push_back(getAffineDimExpr(i, b.getContext()));
  AffineMap outMap = AffineMap::get(rank + 1, 0, outExprs, b.getContext());
  auto generic = linalg::GenericOp::create(
      b, loc, type, ValueRange{lhs, rhs}, ValueRange{init},
      ArrayRef<AffineMap>{lhsMap, rhsMap, outMap}, iterators,
      [](OpBuilder &nb, Location nloc, ValueRange args) {
        Value mul = arith::MulFOp::create(nb, nloc, args[0], args[1]);
        Value acc = arith::AddFOp::create(nb, nloc, args[2], mul);
        linalg::YieldOp::create(nb, nloc, acc);
      });
  // --kiln-lower-gemm turns tagged contractions into kiln_sgemm calls once
  // they are on buffers.
  generic->setAttr(kGemmTag, b.getUnitAttr());
  return generic.getResult(0);
}

FailureOr<Value> lowerContraction(OpBuilder &b, Operation *op) {
  if (auto conv = dyn_cast<Conv2dOp>(op))
    return lowerConv2d(b, conv);
  if (auto linear = dyn_cast<LinearOp>(op))
    return lowerLinear(b, linear);
  if (auto matmul = dyn_cast<MatmulOp>(op))
    return lowerMatmul(b, matmul);
  return op->emitOpError() << "is not a contraction";
}

} // namespace mlir::kiln::detail

void mlir::kiln::detail::populateLinearPatternsAndLegality(
    RewritePatternSet &patterns, ConversionTarget &target) {
  addLowering<LinearOp, lowerLinear>(patterns, target);
  addLowering<MatmulOp, lowerMatmul>(patterns, target);
}
