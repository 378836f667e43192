//===- Elementwise.cpp - Elementwise ops and kiln.fused to linalg ---------===//
//
// Every elementwise op, and every kiln.fused group, becomes one
// linalg.generic whose indexing maps broadcast; the bodies come from
// emitScalar (ScalarEmitter.cpp). A group with an anchor computes the
// contraction first and applies the rest to its result in place.
//
//===----------------------------------------------------------------------===//
#include "Patterns.h"

#include "mlir/IR/IRMapping.h"

#include <cmath>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::detail;

namespace {

/// A constant bool tensor as bytes (0 or 1): i1 elements in memory are
/// bytes that LLVM turns into vector masks one bit at a time (the GPT
/// block's causal mask took a tenth of the model); bytes load as vectors
/// and compare to zero. Null for anything else.
Value boolConstantAsBytes(OpBuilder &b, Location loc, Value v) {
  auto cst = v.getDefiningOp<arith::ConstantOp>();
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!cst || !type || !type.getElementType().isInteger(1))
    return nullptr;
  auto dense = dyn_cast<DenseIntElementsAttr>(cst.getValue());
  if (!dense)
    return nullptr;
  IntegerType i8 = b.getI8Type();
  DenseElementsAttr bytes =
      dense.mapValues(i8, [](const APInt &x) { return x.zext(8); });
  return arith::ConstantOp::create(b, loc, bytes);
}

} // namespace

namespace mlir::kiln::detail {

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

FailureOr<Value> buildElementwiseGeneric(
    OpBuilder &b, Location loc, RankedTensorType resultType,
    ValueRange inputsIn,
    function_ref<FailureOr<Value>(OpBuilder &, ValueRange)> bodyBuilder,
    Value init) {
  MLIRContext *ctx = b.getContext();
  SmallVector<Value> inputs(inputsIn.begin(), inputsIn.end());
  SmallVector<bool> asBytes(inputs.size(), false);
  for (auto [i, v] : llvm::enumerate(inputs))
    if (Value bytes = boolConstantAsBytes(b, loc, v)) {
      v = bytes;
      asBytes[i] = true;
    }
  SmallVector<AffineMap> maps;
  for (Value input : inputs)
    maps.push_back(broadcastMap(cast<RankedTensorType>(input.getType()).getShape(),
                                resultType.getShape(), ctx));
  maps.push_back(b.getMultiDimIdentityMap(resultType.getRank()));
  SmallVector<utils::IteratorType> iterators(resultType.getRank(),
                                             utils::IteratorType::parallel);
  bool inPlace = static_cast<bool>(init);
  if (!inPlace)
    init = tensor::EmptyOp::create(b, loc, resultType.getShape(),
                                   resultType.getElementType());
  bool ok = true;
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange blockArgs) {
        SmallVector<Value> args(blockArgs.begin(), blockArgs.end());
        for (auto [i, bytes] : llvm::enumerate(asBytes))
          if (bytes)
            args[i] = arith::CmpIOp::create(
                nb, nloc, arith::CmpIPredicate::ne, args[i],
                arith::ConstantIntOp::create(nb, nloc, 0, 8));
        FailureOr<Value> v = bodyBuilder(
            nb, inPlace ? ValueRange(args) : ValueRange(args).drop_back());
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

EpilogueAttr classifyEpilogue(Block &body, Operation *anchor,
                                ArrayRef<BlockArgument> inputArgs,
                                RankedTensorType resultType) {
  Value cur = anchor->getResult(0);
  int64_t residual = -1, act = 0;
  double lo = -INFINITY, hi = INFINITY;
  for (Operation &op : llvm::make_range(std::next(Block::iterator(anchor)),
                                        Block::iterator(body.getTerminator()))) {
    if (auto add = dyn_cast<AddOp>(op); add && residual < 0 && act == 0) {
      Value other = add.getLhs() == cur ? add.getRhs() : add.getLhs();
      if ((add.getLhs() != cur && add.getRhs() != cur) ||
          other.getType() != resultType)
        return nullptr;
      auto it = llvm::find(inputArgs, other);
      if (it == inputArgs.end())
        return nullptr;
      residual = it - inputArgs.begin();
    } else if (isa<ReluOp>(op) && act == 0 && op.getOperand(0) == cur) {
      act = 1;
      lo = 0;
    } else if (auto clamp = dyn_cast<ClampOp>(op);
               clamp && act == 0 && op.getOperand(0) == cur) {
      act = 2;
      if (auto v = clamp.getMin())
        lo = v->convertToDouble();
      if (auto v = clamp.getMax())
        hi = v->convertToDouble();
    } else {
      return nullptr;
    }
    if (op.getNumResults() != 1 || op.getResult(0).getType() != resultType)
      return nullptr;
    cur = op.getResult(0);
  }
  if (cast<YieldOp>(body.getTerminator()).getValue() != cur)
    return nullptr;
  MLIRContext *ctx = anchor->getContext();
  Builder b(ctx);
  return EpilogueAttr::get(ctx, static_cast<Activation>(act),
                           b.getF32FloatAttr(static_cast<float>(lo)),
                           b.getF32FloatAttr(static_cast<float>(hi)), residual);
}

} // namespace mlir::kiln::detail

namespace {

FailureOr<Value> lowerElementwise(OpBuilder &b, Operation *op,
                                  ValueRange operands) {
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  return buildElementwiseGeneric(
      b, op->getLoc(), resultType, operands,
      [&](OpBuilder &nb, ValueRange args) { return emitScalar(nb, op, args); });
}

/// One linalg.generic for the whole group: the body replays the group's ops
/// on scalars, so no intermediate tensor exists. A group with an anchor
/// computes the contraction first and applies the rest to its result in
/// place.
FailureOr<Value> lowerFused(RewriterBase &b, FusedOp fused, ValueRange inputs) {
  auto resultType = cast<RankedTensorType>(fused.getType());
  Block &body = fused.getBody().front();
  Operation *anchor = fused.getAnchor();
  SmallVector<BlockArgument> inputArgs;
  Epilogue epilogue;
  // Inputs the anchor alone reads (weights) are not operands of the
  // epilogue loop.
  for (auto [arg, input] : llvm::zip(body.getArguments(), inputs))
    if (llvm::any_of(arg.getUsers(), [&](Operation *u) { return u != anchor; })) {
      epilogue.inputs.push_back(input);
      inputArgs.push_back(arg);
    }
  bool hasEpilogue = !anchor || std::next(Block::iterator(anchor)) !=
                                    Block::iterator(body.getTerminator());
  epilogue.body = [&](OpBuilder &nb, ValueRange args,
                      Value acc) -> FailureOr<Value> {
        IRMapping scalars;
        for (auto [arg, scalar] : llvm::zip(inputArgs, args))
          scalars.map(arg, scalar);
        if (anchor)
          scalars.map(anchor->getResult(0), acc);
        for (Operation &op : body.without_terminator()) {
          if (&op == anchor)
            continue;
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
  };
  Value accumulator;
  if (anchor) {
    IRMapping outer;
    for (auto [arg, input] : llvm::zip(body.getArguments(), inputs))
      outer.map(arg, input);
    Operation *clone = b.clone(*anchor, outer);
    FailureOr<Value> acc;
    // A direct convolution applies the epilogue in its own loop nest, to
    // the sum still in a register.
    auto conv = dyn_cast<Conv2dOp>(clone);
    bool direct = conv && isDirectConv2d(conv);
    if (direct)
      acc = lowerDirectConv2d(
          b, conv, hasEpilogue ? &epilogue : nullptr,
          hasEpilogue && resultType.getElementType().isF32()
              ? classifyEpilogue(body, anchor, inputArgs, resultType)
              : nullptr);
    else
      acc = lowerContraction(b, clone);
    b.eraseOp(clone);
    if (failed(acc) || direct || !hasEpilogue)
      return acc;
    accumulator = *acc;
  }
  FailureOr<Value> result = buildElementwiseGeneric(
      b, fused.getLoc(), resultType, epilogue.inputs,
      [&](OpBuilder &nb, ValueRange args) -> FailureOr<Value> {
        return epilogue.body(nb, anchor ? args.drop_back() : args,
                             anchor ? args.back() : Value());
      },
      accumulator);
  // An epilogue of a matrix product kiln_sgemm can apply itself.
  if (succeeded(result) && anchor && resultType.getElementType().isF32())
    if (EpilogueAttr kind =
            classifyEpilogue(body, anchor, inputArgs, resultType))
      if (Operation *def = result->getDefiningOp())
        def->setAttr(kEpilogueTag, kind);
  return result;
}

/// Any op with the KilnElementwise trait, on its own.
struct LowerElementwise : OpTraitConversionPattern<KilnElementwise> {
  using Base::Base;
  LogicalResult
  matchAndRewrite(Operation *op, ArrayRef<Value> operands,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<Value> v = lowerElementwise(rewriter, op, operands);
    if (failed(v))
      return failure();
    rewriter.replaceOp(op, *v);
    return success();
  }
};

/// A whole kiln.fused group; the ops of its body are lowered with it (they
/// are erased with the group, never converted on their own).
struct LowerFused : OpConversionPattern<FusedOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(FusedOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<Value> v = lowerFused(rewriter, op, adaptor.getInputs());
    if (failed(v))
      return failure();
    rewriter.replaceOp(op, *v);
    return success();
  }
};

} // namespace

void mlir::kiln::detail::populateElementwisePatternsAndLegality(
    RewritePatternSet &patterns, ConversionTarget &target) {
  // Elementwise ops are matched by trait; the pass makes them illegal with
  // the whole kiln dialect.
  target.addIllegalOp<FusedOp>();
  patterns.add<LowerElementwise, LowerFused>(patterns.getContext());
}
