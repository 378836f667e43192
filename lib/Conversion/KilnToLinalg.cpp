//===- KilnToLinalg.cpp - Lower kiln ops to linalg on tensors -------------===//
//
// Each kiln op becomes linalg/tensor/arith/math ops on tensors. Elementwise
// ops and whole kiln.fused groups become one linalg.generic each; the scalar
// body of every elementwise op comes from one place (emitScalar), so a fused
// group computes exactly what the unfused ops would.
//
//===----------------------------------------------------------------------===//
#include "kiln/Conversion/Passes.h"

#include "dialects/Kiln/KilnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/IRMapping.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_CONVERTKILNTOLINALG
#include "kiln/Conversion/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// The map from the iteration space of a result of shape `resultShape` to an
/// operand of shape `operandShape` under PyTorch broadcasting: right-aligned,
/// with size-1 dims that stretch pinned to index 0.
AffineMap broadcastMap(ArrayRef<int64_t> operandShape,
                       ArrayRef<int64_t> resultShape, MLIRContext *ctx) {
  unsigned rank = resultShape.size();
  unsigned offset = rank - operandShape.size();
  SmallVector<AffineExpr> exprs;
  for (auto [i, size] : llvm::enumerate(operandShape)) {
    unsigned dim = offset + i;
    if (size == 1 && resultShape[dim] != 1)
      exprs.push_back(getAffineConstantExpr(0, ctx));
    else
      exprs.push_back(getAffineDimExpr(dim, ctx));
  }
  return AffineMap::get(rank, 0, exprs, ctx);
}

Value floatConst(OpBuilder &b, Location loc, Type type, double value) {
  return arith::ConstantOp::create(b, loc, type, b.getFloatAttr(type, value));
}

/// Scales `rhs` by an add/sub's alpha (skipped when alpha is 1).
Value scaleByAlpha(OpBuilder &b, Location loc, Value rhs, double alpha) {
  if (alpha == 1.0)
    return rhs;
  Type type = rhs.getType();
  if (isa<FloatType>(type))
    return arith::MulFOp::create(b, loc, rhs, floatConst(b, loc, type, alpha));
  auto c = arith::ConstantOp::create(
      b, loc, type, b.getIntegerAttr(type, static_cast<int64_t>(alpha)));
  return arith::MulIOp::create(b, loc, rhs, c);
}

/// Emits the scalar computation of one elementwise kiln op on the scalar
/// values of its operands. Fails (with a diagnostic on the op) for element
/// types the op does not support.
FailureOr<Value> emitScalar(OpBuilder &b, Operation *op, ValueRange args) {
  Location loc = op->getLoc();
  Type type = args[0].getType();
  bool isFloat = isa<FloatType>(type);
  auto unsupported = [&]() -> FailureOr<Value> {
    return op->emitOpError() << "has no lowering for element type " << type;
  };
  if (auto add = dyn_cast<AddOp>(op)) {
    Value rhs = scaleByAlpha(b, loc, args[1], add.getAlpha().convertToDouble());
    return isFloat ? Value(arith::AddFOp::create(b, loc, args[0], rhs))
                   : Value(arith::AddIOp::create(b, loc, args[0], rhs));
  }
  if (auto sub = dyn_cast<SubOp>(op)) {
    Value rhs = scaleByAlpha(b, loc, args[1], sub.getAlpha().convertToDouble());
    return isFloat ? Value(arith::SubFOp::create(b, loc, args[0], rhs))
                   : Value(arith::SubIOp::create(b, loc, args[0], rhs));
  }
  if (isa<MulOp>(op))
    return isFloat ? Value(arith::MulFOp::create(b, loc, args[0], args[1]))
                   : Value(arith::MulIOp::create(b, loc, args[0], args[1]));
  if (isa<DivOp>(op)) {
    if (!isFloat)
      return unsupported();
    return Value(arith::DivFOp::create(b, loc, args[0], args[1]));
  }
  if (!isFloat)
    return unsupported();
  if (isa<TanhOp>(op))
    return Value(math::TanhOp::create(b, loc, args[0]));
  if (isa<ReluOp>(op))
    return Value(
        arith::MaximumFOp::create(b, loc, args[0], floatConst(b, loc, type, 0)));
  if (isa<SigmoidOp>(op)) {
    Value neg = arith::NegFOp::create(b, loc, args[0]);
    Value exp = math::ExpOp::create(b, loc, neg);
    Value one = floatConst(b, loc, type, 1.0);
    Value den = arith::AddFOp::create(b, loc, one, exp);
    return Value(arith::DivFOp::create(b, loc, one, den));
  }
  return op->emitOpError() << "is not an elementwise op Kiln can lower";
}

/// Builds the linalg.generic computing `resultType` from `inputs` with
/// broadcasting; `bodyBuilder` receives the scalar inputs and returns the
/// scalar result.
FailureOr<Value> buildElementwiseGeneric(
    OpBuilder &b, Location loc, RankedTensorType resultType, ValueRange inputs,
    function_ref<FailureOr<Value>(OpBuilder &, ValueRange)> bodyBuilder) {
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps;
  for (Value input : inputs)
    maps.push_back(broadcastMap(cast<RankedTensorType>(input.getType()).getShape(),
                                resultType.getShape(), ctx));
  maps.push_back(b.getMultiDimIdentityMap(resultType.getRank()));
  SmallVector<utils::IteratorType> iterators(resultType.getRank(),
                                             utils::IteratorType::parallel);
  Value init = tensor::EmptyOp::create(b, loc, resultType.getShape(),
                                       resultType.getElementType());
  bool ok = true;
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        FailureOr<Value> v = bodyBuilder(nb, args.drop_back());
        if (failed(v)) {
          ok = false;
          linalg::YieldOp::create(nb, nloc, args.back());
          return;
        }
        linalg::YieldOp::create(nb, nloc, *v);
      });
  if (!ok)
    return failure();
  return generic.getResult(0);
}

FailureOr<Value> lowerElementwise(OpBuilder &b, Operation *op) {
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  return buildElementwiseGeneric(
      b, op->getLoc(), resultType, op->getOperands(),
      [&](OpBuilder &nb, ValueRange args) { return emitScalar(nb, op, args); });
}

/// One linalg.generic for the whole group: the body replays the group's ops
/// on scalars, so no intermediate tensor exists.
FailureOr<Value> lowerFused(OpBuilder &b, FusedOp fused) {
  auto resultType = cast<RankedTensorType>(fused.getType());
  Block &body = fused.getBody().front();
  return buildElementwiseGeneric(
      b, fused.getLoc(), resultType, fused.getInputs(),
      [&](OpBuilder &nb, ValueRange args) -> FailureOr<Value> {
        IRMapping scalars;
        for (auto [arg, scalar] : llvm::zip(body.getArguments(), args))
          scalars.map(arg, scalar);
        for (Operation &op : body.without_terminator()) {
          if (auto c = dyn_cast<ConstantOp>(op)) {
            // The verifier admits splat constants only.
            auto splat = cast<SplatElementsAttr>(c.getValue());
            scalars.map(c.getResult(),
                        arith::ConstantOp::create(
                            nb, c.getLoc(),
                            cast<TypedAttr>(splat.getSplatValue<Attribute>())));
            continue;
          }
          SmallVector<Value> operands;
          for (Value v : op.getOperands())
            operands.push_back(scalars.lookup(v));
          FailureOr<Value> v = emitScalar(nb, &op, operands);
          if (failed(v))
            return failure();
          scalars.map(op.getResult(0), *v);
        }
        return scalars.lookup(cast<YieldOp>(body.getTerminator()).getValue());
      });
}

Value zeroFilled(OpBuilder &b, Location loc, RankedTensorType type) {
  Value empty =
      tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
  Value zero = floatConst(b, loc, type.getElementType(), 0.0);
  return linalg::FillOp::create(b, loc, zero, empty).getResult(0);
}

/// out[d0..dR-1] += lhs[lhsMap] * rhs[rhsMap], reducing over dim R.
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
  return generic.getResult(0);
}

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

struct ConvertKilnToLinalg
    : public kiln::impl::ConvertKilnToLinalgBase<ConvertKilnToLinalg> {
  using kiln::impl::ConvertKilnToLinalgBase<
      ConvertKilnToLinalg>::ConvertKilnToLinalgBase;

  LogicalResult lowerOp(Operation *op) {
    OpBuilder b(op);
    FailureOr<Value> replacement = failure();
    if (auto c = dyn_cast<ConstantOp>(op))
      replacement = Value(
          arith::ConstantOp::create(b, op->getLoc(), cast<TypedAttr>(c.getValue())));
    else if (auto fused = dyn_cast<FusedOp>(op))
      replacement = lowerFused(b, fused);
    else if (isElementwise(op))
      replacement = lowerElementwise(b, op);
    else if (auto linear = dyn_cast<LinearOp>(op))
      replacement = lowerLinear(b, linear);
    else if (auto matmul = dyn_cast<MatmulOp>(op))
      replacement = lowerMatmul(b, matmul);
    else
      return op->emitOpError() << "has no lowering to linalg";
    if (failed(replacement))
      return failure();
    op->getResult(0).replaceAllUsesWith(*replacement);
    op->erase();
    return success();
  }

  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation().walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (isa<KilnDialect>(op->getDialect())) {
        ops.push_back(op);
        // A kiln.fused body is lowered with its op, not on its own.
        return WalkResult::skip();
      }
      return WalkResult::advance();
    });
    bool failedAny = false;
    for (Operation *op : ops)
      failedAny |= failed(lowerOp(op));
    if (failedAny)
      signalPassFailure();
  }
};

} // namespace
