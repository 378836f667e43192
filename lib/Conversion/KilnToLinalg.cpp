//===- KilnToLinalg.cpp - Lower kiln ops to linalg on tensors -------------===//
//
// Each kiln op becomes linalg/tensor/arith/math ops on tensors. Elementwise
// ops and whole kiln.fused groups become one linalg.generic each; the scalar
// body of every elementwise op comes from one place (emitScalar), so a fused
// group computes exactly what the unfused ops would.
//
//===----------------------------------------------------------------------===//
#include "kiln/Conversion/Passes.h"
#include "kiln/Conversion/Tags.h"

#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/IRMapping.h"

#include <cmath>

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

/// Scalar helpers for the bodies below.
struct ScalarBuilder {
  OpBuilder &b;
  Location loc;
  Type type;
  Value c(double v) { return floatConst(b, loc, type, v); }
  Value add(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubFOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return arith::DivFOp::create(b, loc, x, y); }
  Value max(Value x, Value y) { return arith::MaximumFOp::create(b, loc, x, y); }
  Value min(Value x, Value y) { return arith::MinimumFOp::create(b, loc, x, y); }
  Value exp(Value x) { return math::ExpOp::create(b, loc, x); }
  Value gt(Value x, Value y) {
    return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, y);
  }
  Value select(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, loc, c, x, y);
  }
  /// min(max(x + 3, 0), 6) / 6
  Value hardsigmoid(Value x) {
    return div(min(max(add(x, c(3)), c(0)), c(6)), c(6));
  }
};

Value emitCast(OpBuilder &b, Location loc, Value v, Type to) {
  Type from = v.getType();
  if (from == to)
    return v;
  auto fromF = dyn_cast<FloatType>(from), toF = dyn_cast<FloatType>(to);
  if (fromF && toF)
    return fromF.getWidth() < toF.getWidth()
               ? Value(arith::ExtFOp::create(b, loc, to, v))
               : Value(arith::TruncFOp::create(b, loc, to, v));
  if (to.isInteger(1)) { // x != 0
    if (fromF)
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, v,
                                   floatConst(b, loc, from, 0));
    Value zero = arith::ConstantOp::create(b, loc, from, b.getIntegerAttr(from, 0));
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, v, zero);
  }
  if (toF)
    return from.isInteger(1) ? Value(arith::UIToFPOp::create(b, loc, to, v))
                             : Value(arith::SIToFPOp::create(b, loc, to, v));
  if (fromF)
    return arith::FPToSIOp::create(b, loc, to, v);
  unsigned fw = from.getIntOrFloatBitWidth(), tw = to.getIntOrFloatBitWidth();
  if (fw < tw)
    return from.isInteger(1) ? Value(arith::ExtUIOp::create(b, loc, to, v))
                             : Value(arith::ExtSIOp::create(b, loc, to, v));
  return arith::TruncIOp::create(b, loc, to, v);
}

/// Emits the scalar computation of one elementwise kiln op on the scalar
/// values of its operands. Fails (with a diagnostic on the op) for element
/// types the op does not support.
FailureOr<Value> emitScalar(OpBuilder &b, Operation *op, ValueRange args) {
  Location loc = op->getLoc();
  Type resultType = getElementTypeOrSelf(op->getResult(0).getType());
  if (auto cast = dyn_cast<CastOp>(op))
    return emitCast(b, loc, args[0], resultType);
  if (isa<WhereOp>(op))
    return Value(arith::SelectOp::create(b, loc, args[0], args[1], args[2]));
  if (isa<BroadcastOp>(op))
    return args[0];
  Type type = args[0].getType();
  bool isFloat = isa<FloatType>(type);
  ScalarBuilder s{b, loc, type};
  auto unsupported = [&]() -> FailureOr<Value> {
    return op->emitOpError() << "has no lowering for element type " << type;
  };
  if (auto cmp = dyn_cast<CompareOp>(op)) {
    using P = ComparePredicate;
    P p = cmp.getPredicate();
    if (isFloat) {
      // Ordered except !=, as in PyTorch: NaN compares unequal to everything.
      arith::CmpFPredicate fp = p == P::eq   ? arith::CmpFPredicate::OEQ
                                : p == P::ne ? arith::CmpFPredicate::UNE
                                : p == P::lt ? arith::CmpFPredicate::OLT
                                : p == P::le ? arith::CmpFPredicate::OLE
                                : p == P::gt ? arith::CmpFPredicate::OGT
                                             : arith::CmpFPredicate::OGE;
      return Value(arith::CmpFOp::create(b, loc, fp, args[0], args[1]));
    }
    arith::CmpIPredicate ip = p == P::eq   ? arith::CmpIPredicate::eq
                              : p == P::ne ? arith::CmpIPredicate::ne
                              : p == P::lt ? arith::CmpIPredicate::slt
                              : p == P::le ? arith::CmpIPredicate::sle
                              : p == P::gt ? arith::CmpIPredicate::sgt
                                           : arith::CmpIPredicate::sge;
    return Value(arith::CmpIOp::create(b, loc, ip, args[0], args[1]));
  }
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
  if (isa<MaximumOp>(op))
    return isFloat ? s.max(args[0], args[1])
                   : Value(arith::MaxSIOp::create(b, loc, args[0], args[1]));
  if (isa<MinimumOp>(op))
    return isFloat ? s.min(args[0], args[1])
                   : Value(arith::MinSIOp::create(b, loc, args[0], args[1]));
  if (isa<NegOp>(op) && !isFloat)
    return Value(arith::SubIOp::create(
        b, loc, arith::ConstantOp::create(b, loc, type, b.getIntegerAttr(type, 0)),
        args[0]));
  if (isa<AbsOp>(op) && !isFloat)
    return Value(math::AbsIOp::create(b, loc, args[0]));
  if (!isFloat)
    return unsupported();
  Value x = args[0];
  if (isa<DivOp>(op))
    return s.div(x, args[1]);
  if (isa<TanhOp>(op))
    return Value(math::TanhOp::create(b, loc, x));
  if (isa<ReluOp>(op))
    return s.max(x, s.c(0));
  if (isa<SigmoidOp>(op)) {
    Value one = s.c(1);
    return s.div(one, s.add(one, s.exp(arith::NegFOp::create(b, loc, x))));
  }
  if (isa<NegOp>(op))
    return Value(arith::NegFOp::create(b, loc, x));
  if (isa<AbsOp>(op))
    return Value(math::AbsFOp::create(b, loc, x));
  if (isa<ExpOp>(op))
    return s.exp(x);
  if (isa<LogOp>(op))
    return Value(math::LogOp::create(b, loc, x));
  if (isa<SqrtOp>(op))
    return Value(math::SqrtOp::create(b, loc, x));
  if (isa<RsqrtOp>(op))
    return Value(math::RsqrtOp::create(b, loc, x));
  if (isa<ErfOp>(op))
    return Value(math::ErfOp::create(b, loc, x));
  if (isa<SiluOp>(op))
    return s.div(x, s.add(s.c(1), s.exp(arith::NegFOp::create(b, loc, x))));
  if (isa<HardsigmoidOp>(op))
    return s.hardsigmoid(x);
  if (isa<HardswishOp>(op))
    return s.mul(x, s.hardsigmoid(x));
  if (auto gelu = dyn_cast<GeluOp>(op)) {
    Value half = s.mul(s.c(0.5), x);
    if (!gelu.getTanhApproximation()) // 0.5 x (1 + erf(x / sqrt 2))
      return s.mul(half, s.add(s.c(1), Value(math::ErfOp::create(
                                           b, loc, s.mul(x, s.c(M_SQRT1_2))))));
    // 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))
    Value inner = s.add(x, s.mul(s.c(0.044715), s.mul(x, s.mul(x, x))));
    Value t = math::TanhOp::create(b, loc, s.mul(s.c(M_2_SQRTPI * M_SQRT1_2), inner));
    return s.mul(half, s.add(s.c(1), t));
  }
  if (auto leaky = dyn_cast<LeakyReluOp>(op))
    return s.select(s.gt(x, s.c(0)), x,
                    s.mul(x, s.c(leaky.getNegativeSlope().convertToDouble())));
  if (auto elu = dyn_cast<EluOp>(op))
    return s.select(s.gt(x, s.c(0)), x,
                    s.mul(s.c(elu.getAlpha().convertToDouble()),
                          Value(math::ExpM1Op::create(b, loc, x))));
  if (auto sp = dyn_cast<SoftplusOp>(op)) {
    double beta = sp.getBeta().convertToDouble();
    Value bx = s.mul(x, s.c(beta));
    Value soft = s.div(Value(math::Log1pOp::create(b, loc, s.exp(bx))), s.c(beta));
    return s.select(s.gt(bx, s.c(sp.getThreshold().convertToDouble())), x, soft);
  }
  if (auto clamp = dyn_cast<ClampOp>(op)) {
    Value v = x;
    if (auto lo = clamp.getMin())
      v = s.max(v, s.c(lo->convertToDouble()));
    if (auto hi = clamp.getMax())
      v = s.min(v, s.c(hi->convertToDouble()));
    return v;
  }
  if (auto pw = dyn_cast<PowScalarOp>(op)) {
    double e = pw.getExponent().convertToDouble();
    if (e == 1.0)
      return x;
    if (e == 2.0)
      return s.mul(x, x);
    if (e == 3.0)
      return s.mul(x, s.mul(x, x));
    if (e == 0.5)
      return Value(math::SqrtOp::create(b, loc, x));
    if (e == -1.0)
      return s.div(s.c(1), x);
    return Value(math::PowFOp::create(b, loc, x, s.c(e)));
  }
  return op->emitOpError() << "is not an elementwise op Kiln can lower";
}

/// Builds the linalg.generic computing `resultType` from `inputs` with
/// broadcasting; `bodyBuilder` receives the scalar inputs and returns the
/// scalar result. With `init`, the generic updates `init` in place and the
/// body also receives its current element, last.
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

FailureOr<Value> buildElementwiseGeneric(
    OpBuilder &b, Location loc, RankedTensorType resultType,
    ValueRange inputsIn,
    function_ref<FailureOr<Value>(OpBuilder &, ValueRange)> bodyBuilder,
    Value init = {}) {
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

FailureOr<Value> lowerElementwise(OpBuilder &b, Operation *op) {
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  return buildElementwiseGeneric(
      b, op->getLoc(), resultType, op->getOperands(),
      [&](OpBuilder &nb, ValueRange args) { return emitScalar(nb, op, args); });
}

FailureOr<Value> lowerContraction(OpBuilder &b, Operation *op);

/// Elementwise ops applied to a contraction's result: the values they read
/// and a builder of their scalar body (from those values' scalars and the
/// contraction's).
struct Epilogue {
  SmallVector<Value> inputs;
  std::function<FailureOr<Value>(OpBuilder &, ValueRange, Value)> body;
};
bool isDirectConv2d(Conv2dOp op);
FailureOr<Value> lowerDirectConv2d(OpBuilder &b, Conv2dOp op,
                                   const Epilogue *epilogue,
                                   DictionaryAttr epilogueKind);

/// The epilogue of a fused group, if it is act(acc [+ residual]) with act
/// none, relu or a clamp and the residual an input of the result's type:
/// the attribute kiln-lower-gemm reads to apply it inside kiln_sgemm.
DictionaryAttr classifyEpilogue(Block &body, Operation *anchor,
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
  return b.getDictionaryAttr(
      {b.getNamedAttr("act", b.getI64IntegerAttr(act)),
       b.getNamedAttr("lo", b.getF32FloatAttr(static_cast<float>(lo))),
       b.getNamedAttr("hi", b.getF32FloatAttr(static_cast<float>(hi))),
       b.getNamedAttr("residual", b.getI64IntegerAttr(residual))});
}

/// Convolutions whose reduction (C/G x KH x KW) is at least this long go
/// through im2col and kiln_sgemm; shorter ones (depthwise) stay direct.
constexpr int64_t kIm2colMinReduction = 16;
/// A 1x1, stride-1 convolution needs no im2col (kiln_sgemm reads its input
/// as it is), so it is a matrix product from this reduction length on.
constexpr int64_t kPointwiseMinReduction = 8;

/// One linalg.generic for the whole group: the body replays the group's ops
/// on scalars, so no intermediate tensor exists. A group with an anchor
/// computes the contraction first and applies the rest to its result in
/// place.
FailureOr<Value> lowerFused(OpBuilder &b, FusedOp fused) {
  auto resultType = cast<RankedTensorType>(fused.getType());
  Block &body = fused.getBody().front();
  Operation *anchor = fused.getAnchor();
  SmallVector<BlockArgument> inputArgs;
  Epilogue epilogue;
  // Inputs the anchor alone reads (weights) are not operands of the
  // epilogue loop.
  for (auto [arg, input] : llvm::zip(body.getArguments(), fused.getInputs()))
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
    for (auto [arg, input] : llvm::zip(body.getArguments(), fused.getInputs()))
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
    clone->erase();
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
    if (DictionaryAttr kind =
            classifyEpilogue(body, anchor, inputArgs, resultType))
      if (Operation *def = result->getDefiningOp())
        def->setAttr(kEpilogueTag, kind);
  return result;
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
  // --kiln-lower-gemm turns tagged contractions into kiln_sgemm calls once
  // they are on buffers.
  generic->setAttr(kGemmTag, b.getUnitAttr());
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

/// The neutral element of a reduction.
Value reductionInit(OpBuilder &b, Location loc, ReduceKind kind, Type type) {
  if (auto f = dyn_cast<FloatType>(type)) {
    if (kind == ReduceKind::max || kind == ReduceKind::min)
      return arith::ConstantOp::create(
          b, loc, type,
          b.getFloatAttr(type, APFloat::getInf(f.getFloatSemantics(),
                                               kind == ReduceKind::max)));
    return floatConst(b, loc, type, 0);
  }
  unsigned w = type.getIntOrFloatBitWidth();
  APInt v = kind == ReduceKind::max   ? APInt::getSignedMinValue(w)
            : kind == ReduceKind::min ? APInt::getSignedMaxValue(w)
                                      : APInt(w, 0);
  return arith::ConstantOp::create(b, loc, type, b.getIntegerAttr(type, v));
}

/// acc (+, max, min) x for reduction `kind`; `flags` on a float sum.
Value combineReduction(OpBuilder &b, Location loc, ReduceKind kind, Value acc,
                       Value x, arith::FastMathFlagsAttr flags) {
  bool isFloat = isa<FloatType>(x.getType());
  switch (kind) {
  case ReduceKind::sum:
  case ReduceKind::mean:
    if (isFloat)
      return flags ? arith::AddFOp::create(b, loc, acc, x, flags)
                   : arith::AddFOp::create(b, loc, acc, x);
    return arith::AddIOp::create(b, loc, acc, x);
  case ReduceKind::max:
    return isFloat ? Value(arith::MaximumFOp::create(b, loc, acc, x))
                   : Value(arith::MaxSIOp::create(b, loc, acc, x));
  case ReduceKind::min:
    return isFloat ? Value(arith::MinimumFOp::create(b, loc, acc, x))
                   : Value(arith::MinSIOp::create(b, loc, acc, x));
  }
  llvm_unreachable("unknown reduction");
}

FailureOr<Value> lowerReduce(OpBuilder &b, ReduceOp op) {
  Location loc = op.getLoc();
  MLIRContext *ctx = b.getContext();
  auto inType = cast<RankedTensorType>(op.getInput().getType());
  auto outType = cast<RankedTensorType>(op.getType());
  Type element = inType.getElementType();
  bool isFloat = isa<FloatType>(element);
  ReduceKind kind = op.getKind();
  if (kind == ReduceKind::mean && !isFloat)
    return op.emitOpError() << "mean needs a floating-point tensor, got "
                            << formatType(inType);
  ArrayRef<int64_t> dims = op.getDims();
  int64_t rank = inType.getRank();
  // Reductions over the innermost dims (softmax, layer norm, global
  // pooling): one loop per output element with the accumulator in a
  // register (scf.for iter_args), instead of a read-modify-write of the
  // output per input element. A float sum may reassociate so LLVM
  // vectorizes it.
  bool suffix = !dims.empty() && dims.back() == rank - 1;
  for (size_t i = 0; suffix && i < dims.size(); ++i)
    suffix = dims[i] == rank - static_cast<int64_t>(dims.size() - i);
  if (suffix) {
    int64_t outer = rank - dims.size(), r = 1;
    for (int64_t d : dims)
      r *= inType.getDimSize(d);
    Value input = op.getInput();
    if (dims.size() > 1) {
      SmallVector<ReassociationIndices> groups;
      for (int64_t i = 0; i < outer; ++i)
        groups.push_back({i});
      ReassociationIndices last;
      for (int64_t d : dims)
        last.push_back(d);
      groups.push_back(last);
      SmallVector<int64_t> shape(inType.getShape().take_front(outer));
      shape.push_back(r);
      input = tensor::CollapseShapeOp::create(
          b, loc, RankedTensorType::get(shape, element), input, groups);
    }
    Value empty = tensor::EmptyOp::create(b, loc, outType.getShape(), element);
    auto generic = linalg::GenericOp::create(
        b, loc, outType, ValueRange{}, ValueRange{empty},
        ArrayRef<AffineMap>{b.getMultiDimIdentityMap(outType.getRank())},
        SmallVector<utils::IteratorType>(outType.getRank(),
                                         utils::IteratorType::parallel),
        [&](OpBuilder &nb, Location nloc, ValueRange) {
          SmallVector<Value> idx;
          for (int64_t i = 0; i < outer; ++i)
            idx.push_back(linalg::IndexOp::create(nb, nloc, i));
          Value zero = arith::ConstantIndexOp::create(nb, nloc, 0);
          Value end = arith::ConstantIndexOp::create(nb, nloc, r);
          Value one = arith::ConstantIndexOp::create(nb, nloc, 1);
          auto reassoc = arith::FastMathFlagsAttr::get(
              nb.getContext(), arith::FastMathFlags::reassoc);
          auto loop = scf::ForOp::create(
              nb, nloc, zero, end, one,
              ValueRange{reductionInit(nb, nloc, kind, element)},
              [&](OpBuilder &lb, Location lloc, Value iv, ValueRange iter) {
                SmallVector<Value> at(idx);
                at.push_back(iv);
                Value x = tensor::ExtractOp::create(lb, lloc, input, at);
                scf::YieldOp::create(
                    lb, lloc,
                    combineReduction(lb, lloc, kind, iter[0], x, reassoc));
              });
          Value result = loop.getResult(0);
          if (kind == ReduceKind::mean)
            result = arith::DivFOp::create(
                nb, nloc, result, floatConst(nb, nloc, element, double(r)));
          linalg::YieldOp::create(nb, nloc, result);
        });
    return generic.getResult(0);
  }
  SmallVector<utils::IteratorType> iterators;
  SmallVector<AffineExpr> outExprs;
  int64_t count = 1;
  for (int64_t i = 0; i < inType.getRank(); ++i) {
    bool reduced = llvm::is_contained(dims, i);
    iterators.push_back(reduced ? utils::IteratorType::reduction
                                : utils::IteratorType::parallel);
    if (!reduced)
      outExprs.push_back(getAffineDimExpr(i, ctx));
    else if (op.getKeepdim())
      outExprs.push_back(getAffineConstantExpr(0, ctx));
    if (reduced)
      count *= inType.getDimSize(i);
  }
  AffineMap inMap = b.getMultiDimIdentityMap(inType.getRank());
  AffineMap outMap = AffineMap::get(inType.getRank(), 0, outExprs, ctx);
  Value empty = tensor::EmptyOp::create(b, loc, outType.getShape(), element);
  Value init = linalg::FillOp::create(b, loc, reductionInit(b, loc, kind, element),
                                      empty)
                   .getResult(0);
  auto generic = linalg::GenericOp::create(
      b, loc, outType, ValueRange{op.getInput()}, ValueRange{init},
      ArrayRef<AffineMap>{inMap, outMap}, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        linalg::YieldOp::create(
            nb, nloc, combineReduction(nb, nloc, kind, args[1], args[0], {}));
      });
  Value result = generic.getResult(0);
  if (kind != ReduceKind::mean)
    return result;
  return buildElementwiseGeneric(
      b, loc, outType, ValueRange{result},
      [&](OpBuilder &nb, ValueRange args) -> FailureOr<Value> {
        return Value(arith::DivFOp::create(
            nb, loc, args[0], floatConst(nb, loc, element, double(count))));
      });
}

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

/// Pads dims 2 and 3 of an NCHW tensor by `padding` on both sides.
Value padSpatial(OpBuilder &b, Location loc, Value input,
                 ArrayRef<int64_t> padding, Value padValue) {
  if (padding[0] == 0 && padding[1] == 0)
    return input;
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape(type.getShape());
  shape[2] += 2 * padding[0];
  shape[3] += 2 * padding[1];
  SmallVector<OpFoldResult> lo = {b.getIndexAttr(0), b.getIndexAttr(0),
                                  b.getIndexAttr(padding[0]),
                                  b.getIndexAttr(padding[1])};
  return tensor::PadOp::create(
      b, loc, RankedTensorType::get(shape, type.getElementType()), input, lo, lo,
      padValue);
}

/// The input index of a window: out * stride + k * dilation.
AffineExpr windowExpr(AffineExpr out, AffineExpr k, int64_t stride,
                      int64_t dilation) {
  return out * stride + k * dilation;
}

/// Loop nests that reduce a window in the body of an all-parallel generic
/// (direct convolution, pooling): index constants, the input index of a
/// tap (out * stride + k * dilation), and an scf.for over n taps carrying
/// the accumulator.
struct WindowLoops {
  Location loc;
  Value cst(OpBuilder &b, int64_t v) const {
    return arith::ConstantIndexOp::create(b, loc, v);
  }
  Value window(OpBuilder &b, Value out, Value k, int64_t stride,
               int64_t dilation) const {
    Value a = arith::MulIOp::create(b, loc, out, cst(b, stride));
    Value c = arith::MulIOp::create(b, loc, k, cst(b, dilation));
    return arith::AddIOp::create(b, loc, a, c);
  }
  Value loop(OpBuilder &b, int64_t n, Value acc,
             function_ref<Value(OpBuilder &, Value, Value)> body) const {
    return scf::ForOp::create(
               b, loc, cst(b, 0), cst(b, n), cst(b, 1), ValueRange{acc},
               [&](OpBuilder &lb, Location, Value iv, ValueRange it) {
                 scf::YieldOp::create(lb, loc, body(lb, iv, it[0]));
               })
        .getResult(0);
  }
};

/// Whether a convolution is a direct loop nest (else im2col and kiln_sgemm):
/// f32 convolutions whose reduction (C/G x KH x KW) is long enough, or, for
/// a 1x1 stride-1 one (`pointwise`: its input is the matrix), from
/// kPointwiseMinReduction on, are matrix products, unless depthwise.
bool isDirectConv2d(Conv2dOp op, bool *pointwiseOut = nullptr) {
  auto outType = cast<RankedTensorType>(op.getType());
  auto wType = cast<RankedTensorType>(op.getWeight().getType());
  auto inType = cast<RankedTensorType>(op.getInput().getType());
  ArrayRef<int64_t> stride = op.getStride(), padding = op.getPadding();
  int64_t kh = wType.getDimSize(2), kw = wType.getDimSize(3);
  int64_t r = wType.getDimSize(1) * kh * kw;
  bool pointwise =
      kh == 1 && kw == 1 && stride[0] == 1 && stride[1] == 1 &&
      inType.getDimSize(2) + 2 * padding[0] == outType.getDimSize(2) &&
      inType.getDimSize(3) + 2 * padding[1] == outType.getDimSize(3);
  if (pointwiseOut)
    *pointwiseOut = pointwise;
  // Depthwise ones (one filter per channel) always: a product per channel
  // would be a single row (5x5 taps: r = 25).
  bool depthwise = wType.getDimSize(1) == 1 && op.getGroups() == wType.getDimSize(0) &&
                   op.getGroups() == inType.getDimSize(1);
  return !outType.getElementType().isF32() || depthwise ||
         r < (pointwise ? kPointwiseMinReduction : kIm2colMinReduction);
}
bool isDirectConv2d(Conv2dOp op) { return isDirectConv2d(op, nullptr); }

/// Direct convolution (depthwise and other short reductions): one
/// all-parallel generic over the [N, F, OH, OW] output whose body sums the
/// taps in a register (scf.for iter_args over c, kh, kw), starting at the
/// bias, so nothing is re-read or re-stored per tap and the output row loop
/// vectorizes once LLVM unrolls the constant-trip tap loops. With an
/// epilogue (a fused group's bias, activation, residual) the same body
/// applies it to the sum, whose pre-activation value is never stored.
/// A depthwise one whose epilogue (`epilogueKind`, classifyEpilogue's) is
/// at most an activation is tagged for --kiln-lower-depthwise.
FailureOr<Value> lowerDirectConv2d(OpBuilder &b, Conv2dOp op,
                                   const Epilogue *epilogue,
                                   DictionaryAttr epilogueKind) {
  Location loc = op.getLoc();
  MLIRContext *ctx = b.getContext();
  auto outType = cast<RankedTensorType>(op.getType());
  auto wType = cast<RankedTensorType>(op.getWeight().getType());
  Type element = outType.getElementType();
  int64_t g = op.getGroups(), f = wType.getDimSize(0), cg = wType.getDimSize(1);
  int64_t kh = wType.getDimSize(2), kw = wType.getDimSize(3);
  ArrayRef<int64_t> stride = op.getStride(), dilation = op.getDilation();
  Value input = padSpatial(b, loc, op.getInput(), op.getPadding(),
                           floatConst(b, loc, element, 0));
  Value weight = op.getWeight();
  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  Value bias = op.getBias();
  if (bias) {
    inputs.push_back(bias);
    maps.push_back(AffineMap::get(4, 0, {getAffineDimExpr(1, ctx)}, ctx));
  }
  if (epilogue)
    for (Value v : epilogue->inputs) {
      inputs.push_back(v);
      maps.push_back(broadcastMap(cast<RankedTensorType>(v.getType()).getShape(),
                                  outType.getShape(), ctx));
    }
  maps.push_back(b.getMultiDimIdentityMap(4));
  Value empty = tensor::EmptyOp::create(b, loc, outType.getShape(), element);
  bool ok = true;
  auto generic = linalg::GenericOp::create(
      b, loc, outType, inputs, ValueRange{empty}, maps,
      SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value idx[4];
        for (int i = 0; i < 4; ++i)
          idx[i] = linalg::IndexOp::create(nb, nloc, i);
        WindowLoops w{nloc};
        // Output channel f reads input channels group * C/G + c.
        Value firstChannel = w.cst(nb, 0);
        if (g > 1)
          firstChannel = arith::MulIOp::create(
              nb, nloc, arith::DivUIOp::create(nb, nloc, idx[1], w.cst(nb, f / g)),
              w.cst(nb, cg));
        Value init = bias ? args[0] : floatConst(nb, nloc, element, 0);
        Value sum = w.loop(nb, cg, init, [&](OpBuilder &b1, Value c,
                                               Value acc1) {
          Value channel = arith::AddIOp::create(b1, nloc, firstChannel, c);
          return w.loop(b1, kh, acc1, [&](OpBuilder &b2, Value y,
                                            Value acc2) {
            Value ih = w.window(b2, idx[2], y, stride[0], dilation[0]);
            return w.loop(b2, kw, acc2, [&](OpBuilder &b3, Value x,
                                              Value acc3) {
              Value iw = w.window(b3, idx[3], x, stride[1], dilation[1]);
              Value in = tensor::ExtractOp::create(
                  b3, nloc, input, ValueRange{idx[0], channel, ih, iw});
              Value w = tensor::ExtractOp::create(
                  b3, nloc, weight, ValueRange{idx[1], c, y, x});
              Value mul = arith::MulFOp::create(b3, nloc, in, w);
              return Value(arith::AddFOp::create(b3, nloc, acc3, mul));
            });
          });
        });
        Value result = sum;
        if (epilogue) {
          FailureOr<Value> v = epilogue->body(
              nb, args.slice(bias ? 1 : 0, epilogue->inputs.size()), sum);
          if (failed(v))
            ok = false;
          else
            result = *v;
        }
        linalg::YieldOp::create(nb, nloc, result);
      });
  if (!ok)
    return failure();
  auto inType = cast<RankedTensorType>(op.getInput().getType());
  bool depthwise = element.isF32() && cg == 1 && g == f &&
                   g == inType.getDimSize(1);
  // The call applies no epilogue, or an activation alone (classifyEpilogue
  // found no residual).
  bool callable =
      !epilogue || (epilogueKind &&
                    epilogueKind.getAs<IntegerAttr>("residual").getInt() < 0);
  if (depthwise && callable) {
    Attribute act = epilogue ? epilogueKind.get("act") : b.getI64IntegerAttr(0);
    Attribute lo = epilogue ? epilogueKind.get("lo") : b.getF32FloatAttr(0);
    Attribute hi = epilogue ? epilogueKind.get("hi") : b.getF32FloatAttr(0);
    generic->setAttr(
        kDepthwiseTag,
        b.getDictionaryAttr(
            {b.getNamedAttr("stride", b.getDenseI64ArrayAttr(stride)),
             b.getNamedAttr("dilation", b.getDenseI64ArrayAttr(dilation)),
             b.getNamedAttr("padding",
                            b.getDenseI64ArrayAttr(op.getPadding())),
             b.getNamedAttr("kernel", b.getDenseI64ArrayAttr({kh, kw})),
             b.getNamedAttr("act", act), b.getNamedAttr("lo", lo),
             b.getNamedAttr("hi", hi),
             b.getNamedAttr("bias", b.getBoolAttr(bias != nullptr))}));
  }
  return generic.getResult(0);
}

/// A convolution as a matrix product: the weight [G, F/G, C/G*KH*KW] times
/// the [N, G, C/G*KH*KW, OH*OW] im2col matrix (a 1x1 stride-1
/// convolution's input as it is) on a [N, G, F/G, OH*OW] view of the
/// output, accumulating onto the bias; or a direct loop nest.
Value lowerConv2d(OpBuilder &b, Conv2dOp op) {
  bool pointwise;
  if (isDirectConv2d(op, &pointwise))
    return *lowerDirectConv2d(b, op, nullptr, nullptr);
  Location loc = op.getLoc();
  MLIRContext *ctx = b.getContext();
  auto outType = cast<RankedTensorType>(op.getType());
  auto wType = cast<RankedTensorType>(op.getWeight().getType());
  Type element = outType.getElementType();
  int64_t g = op.getGroups(), f = wType.getDimSize(0), cg = wType.getDimSize(1);
  int64_t kh = wType.getDimSize(2), kw = wType.getDimSize(3);
  int64_t n = outType.getDimSize(0), oh = outType.getDimSize(2),
          ow = outType.getDimSize(3);
  ArrayRef<int64_t> stride = op.getStride(), dilation = op.getDilation();

  Value input = padSpatial(b, loc, op.getInput(), op.getPadding(),
                           floatConst(b, loc, element, 0));
  auto w5Type = RankedTensorType::get({g, f / g, cg, kh, kw}, element);
  Value weight = tensor::ExpandShapeOp::create(
      b, loc, w5Type, op.getWeight(),
      SmallVector<ReassociationIndices>{{0, 1}, {2}, {3}, {4}});
  auto o5Type = RankedTensorType::get({n, g, f / g, oh, ow}, element);
  // The accumulator starts at the bias (or zero), so no separate pass adds
  // it.
  Value init;
  if (Value bias = op.getBias()) {
    Value bias2 = tensor::ExpandShapeOp::create(
        b, loc, RankedTensorType::get({g, f / g}, element), bias,
        SmallVector<ReassociationIndices>{{0, 1}});
    Value empty = tensor::EmptyOp::create(b, loc, o5Type.getShape(), element);
    AffineMap biasMap = AffineMap::get(
        5, 0, {getAffineDimExpr(1, ctx), getAffineDimExpr(2, ctx)}, ctx);
    init = linalg::GenericOp::create(
               b, loc, o5Type, ValueRange{bias2}, ValueRange{empty},
               ArrayRef<AffineMap>{biasMap, b.getMultiDimIdentityMap(5)},
               SmallVector<utils::IteratorType>(5, utils::IteratorType::parallel),
               [](OpBuilder &nb, Location nloc, ValueRange args) {
                 linalg::YieldOp::create(nb, nloc, args[0]);
               })
               .getResult(0);
    init.getDefiningOp()->setAttr(kBiasInitTag, b.getUnitAttr());
  } else {
    init = zeroFilled(b, loc, o5Type);
  }

  // Convolutions with enough work per output (C/G x KH x KW) are a matrix
  // product: the input windows are copied into a [N, G, C/G*KH*KW, OH*OW]
  // matrix (im2col; a 1x1, stride-1 convolution reads its input as it is),
  // and kiln_sgemm multiplies the [G, F/G, C/G*KH*KW] weight by it.
  int64_t r = cg * kh * kw, p = oh * ow;
  Value col;
  if (pointwise) {
    col = tensor::ExpandShapeOp::create(
        b, loc, RankedTensorType::get({n, g, cg, oh, ow}, element), input,
        SmallVector<ReassociationIndices>{{0}, {1, 2}, {3}, {4}});
    col = tensor::CollapseShapeOp::create(
        b, loc, RankedTensorType::get({n, g, r, p}, element), col,
        SmallVector<ReassociationIndices>{{0}, {1}, {2}, {3, 4}});
  } else {
    // (n, g, c, kh, kw, oh, ow) -> input[n, g*cg + c, window_h, window_w]
    AffineExpr e[7];
    for (int i = 0; i < 7; ++i)
      e[i] = getAffineDimExpr(i, ctx);
    AffineMap readMap = AffineMap::get(
        7, 0,
        {e[0], e[1] * cg + e[2], windowExpr(e[5], e[3], stride[0], dilation[0]),
         windowExpr(e[6], e[4], stride[1], dilation[1])},
        ctx);
    auto col7Type = RankedTensorType::get({n, g, cg, kh, kw, oh, ow}, element);
    Value empty = tensor::EmptyOp::create(b, loc, col7Type.getShape(), element);
    auto im2col = linalg::GenericOp::create(
        b, loc, col7Type, ValueRange{input}, ValueRange{empty},
        ArrayRef<AffineMap>{readMap, b.getMultiDimIdentityMap(7)},
        SmallVector<utils::IteratorType>(7, utils::IteratorType::parallel),
        [](OpBuilder &nb, Location nloc, ValueRange args) {
          linalg::YieldOp::create(nb, nloc, args[0]);
        });
    // --kiln-lower-gemm reads the windows in place when the product this
    // matrix feeds becomes a kiln_sgemm_conv call (then this copy goes).
    im2col->setAttr(kIm2colTag,
                    b.getDenseI64ArrayAttr({stride[0], stride[1], dilation[0],
                                            dilation[1]}));
    Value col7 = im2col.getResult(0);
    col = tensor::CollapseShapeOp::create(
        b, loc, RankedTensorType::get({n, g, r, p}, element), col7,
        SmallVector<ReassociationIndices>{{0}, {1}, {2, 3, 4}, {5, 6}});
  }
  Value w3 = tensor::CollapseShapeOp::create(
      b, loc, RankedTensorType::get({g, f / g, r}, element), weight,
      SmallVector<ReassociationIndices>{{0}, {1}, {2, 3, 4}});
  auto o4Type = RankedTensorType::get({n, g, f / g, p}, element);
  Value init4 = tensor::CollapseShapeOp::create(
      b, loc, o4Type, init,
      SmallVector<ReassociationIndices>{{0}, {1}, {2}, {3, 4}});
  // (n, g, f, p, r): out[n, g, f, p] += w[g, f, r] * col[n, g, r, p]
  AffineExpr dn = getAffineDimExpr(0, ctx), dg = getAffineDimExpr(1, ctx),
             df = getAffineDimExpr(2, ctx), dp = getAffineDimExpr(3, ctx),
             dr = getAffineDimExpr(4, ctx);
  AffineMap wMap = AffineMap::get(5, 0, {dg, df, dr}, ctx);
  AffineMap colMap = AffineMap::get(5, 0, {dn, dg, dr, dp}, ctx);
  Value prod = buildContraction(b, loc, w3, col, init4, wMap, colMap);
  Value o5 = tensor::ExpandShapeOp::create(
      b, loc, o5Type, prod,
      SmallVector<ReassociationIndices>{{0}, {1}, {2}, {3, 4}});
  return tensor::CollapseShapeOp::create(
      b, loc, outType, o5,
      SmallVector<ReassociationIndices>{{0}, {1, 2}, {3}, {4}});
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

/// A reduction over (n, c, oh, ow, kh, kw); a shape-only [KH, KW] operand
/// gives the window loops their bounds, as linalg's pooling ops do.
Value lowerPool2d(OpBuilder &b, Pool2dOp op) {
  Location loc = op.getLoc();
  auto outType = cast<RankedTensorType>(op.getType());
  auto floatType = cast<FloatType>(outType.getElementType());
  bool isMax = op.getKind() == PoolKind::max;
  bool isAvg = !isMax && op.getKind() != PoolKind::sum;
  ArrayRef<int64_t> kernel = op.getKernel(), stride = op.getStride(),
                    dilation = op.getDilation();
  Value padValue = arith::ConstantOp::create(
      b, loc, floatType,
      b.getFloatAttr(floatType,
                     isMax ? APFloat::getInf(floatType.getFloatSemantics(), true)
                           : APFloat::getZero(floatType.getFloatSemantics())));
  Value input = padSpatial(b, loc, op.getInput(), op.getPadding(), padValue);
  // One all-parallel loop nest over the output whose body reduces the
  // window in a register (scf.for over kh, kw), as the direct convolution
  // does: LLVM unrolls the taps, and a stride-2 window's loads become one
  // interleaved group it vectorizes (a tap per sweep was a strided load it
  // left scalar: resnet18's max pool).
  Value empty = tensor::EmptyOp::create(b, loc, outType.getShape(), floatType);
  auto generic = linalg::GenericOp::create(
      b, loc, outType, ValueRange{}, ValueRange{empty},
      ArrayRef<AffineMap>{b.getMultiDimIdentityMap(4)},
      SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location nloc, ValueRange) {
        Value idx[4];
        for (int i = 0; i < 4; ++i)
          idx[i] = linalg::IndexOp::create(nb, nloc, i);
        WindowLoops w{nloc};
        Value r = w.loop(nb, kernel[0], padValue, [&](OpBuilder &b1, Value y,
                                                        Value acc1) {
          Value ih = w.window(b1, idx[2], y, stride[0], dilation[0]);
          return w.loop(b1, kernel[1], acc1, [&](OpBuilder &b2, Value x,
                                                   Value acc2) {
            Value iw = w.window(b2, idx[3], x, stride[1], dilation[1]);
            Value v = tensor::ExtractOp::create(
                b2, nloc, input, ValueRange{idx[0], idx[1], ih, iw});
            return isMax ? Value(arith::MaximumFOp::create(b2, nloc, acc2, v))
                         : Value(arith::AddFOp::create(b2, nloc, acc2, v));
          });
        });
        if (isAvg)
          r = arith::DivFOp::create(
              nb, nloc, r,
              floatConst(nb, nloc, floatType, double(kernel[0] * kernel[1])));
        linalg::YieldOp::create(nb, nloc, r);
      });
  return generic.getResult(0);
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

/// out[i..., j...] = table[clamp(indices[i...]), j...].
Value lowerGather(OpBuilder &b, GatherOp op) {
  Location loc = op.getLoc();
  auto outType = cast<RankedTensorType>(op.getType());
  auto idxType = cast<RankedTensorType>(op.getIndices().getType());
  auto tableType = cast<RankedTensorType>(op.getTable().getType());
  int64_t rank = outType.getRank(), idxRank = idxType.getRank();
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineExpr> idxExprs;
  for (int64_t i = 0; i < idxRank; ++i)
    idxExprs.push_back(getAffineDimExpr(i, ctx));
  AffineMap idxMap = AffineMap::get(rank, 0, idxExprs, ctx);
  Value init = tensor::EmptyOp::create(b, loc, outType.getShape(),
                                       outType.getElementType());
  Value table = op.getTable();
  return linalg::GenericOp::create(
             b, loc, outType, ValueRange{op.getIndices()}, ValueRange{init},
             ArrayRef<AffineMap>{idxMap, b.getMultiDimIdentityMap(rank)},
             SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               // Out-of-range indices are clamped: never read past the table.
               Value row = arith::IndexCastOp::create(nb, nloc, nb.getIndexType(),
                                                      args[0]);
               Value zero = arith::ConstantIndexOp::create(nb, nloc, 0);
               Value last = arith::ConstantIndexOp::create(
                   nb, nloc, tableType.getDimSize(0) - 1);
               row = arith::MaxSIOp::create(nb, nloc, row, zero);
               row = arith::MinSIOp::create(nb, nloc, row, last);
               SmallVector<Value> indices = {row};
               for (int64_t d = idxRank; d < rank; ++d)
                 indices.push_back(linalg::IndexOp::create(nb, nloc, d));
               Value v = tensor::ExtractOp::create(nb, nloc, table, indices);
               linalg::YieldOp::create(nb, nloc, v);
             })
      .getResult(0);
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

/// First maximum along dim: a two-output reduction carrying (value, index);
/// a strictly greater value replaces the carried one, so ties keep the first.
Value lowerArgmax(OpBuilder &b, ArgmaxOp op) {
  Location loc = op.getLoc();
  MLIRContext *ctx = b.getContext();
  auto inType = cast<RankedTensorType>(op.getInput().getType());
  auto outType = cast<RankedTensorType>(op.getType());
  Type element = inType.getElementType();
  int64_t dim = op.getDim(), rank = inType.getRank();
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iterators;
  for (int64_t i = 0; i < rank; ++i) {
    iterators.push_back(i == dim ? utils::IteratorType::reduction
                                 : utils::IteratorType::parallel);
    if (i != dim)
      outExprs.push_back(getAffineDimExpr(i, ctx));
    else if (op.getKeepdim())
      outExprs.push_back(getAffineConstantExpr(0, ctx));
  }
  AffineMap outMap = AffineMap::get(rank, 0, outExprs, ctx);
  auto valType = outType.clone(element);
  Value vals = linalg::FillOp::create(
                   b, loc, reductionInit(b, loc, ReduceKind::max, element),
                   Value(tensor::EmptyOp::create(b, loc, valType.getShape(), element)))
                   .getResult(0);
  Value idxs = linalg::FillOp::create(
                   b, loc,
                   Value(arith::ConstantOp::create(b, loc, b.getI64Type(),
                                                   b.getI64IntegerAttr(0))),
                   Value(tensor::EmptyOp::create(b, loc, outType.getShape(),
                                                 b.getI64Type())))
                   .getResult(0);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{valType, outType}, ValueRange{op.getInput()},
      ValueRange{vals, idxs},
      ArrayRef<AffineMap>{b.getMultiDimIdentityMap(rank), outMap, outMap},
      iterators, [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value x = args[0], best = args[1], bestIdx = args[2];
        Value i = arith::IndexCastOp::create(
            nb, nloc, nb.getI64Type(), linalg::IndexOp::create(nb, nloc, dim));
        Value better = isa<FloatType>(element)
                           ? Value(arith::CmpFOp::create(
                                 nb, nloc, arith::CmpFPredicate::OGT, x, best))
                           : Value(arith::CmpIOp::create(
                                 nb, nloc, arith::CmpIPredicate::sgt, x, best));
        linalg::YieldOp::create(
            nb, nloc,
            ValueRange{arith::SelectOp::create(nb, nloc, better, x, best),
                       arith::SelectOp::create(nb, nloc, better, i, bestIdx)});
      });
  return generic.getResult(1);
}

/// out[..., i, ...] = sum over j <= i of in[..., j, ...]: a reduction over a
/// second copy of dim whose terms beyond i are zero.
Value lowerCumsum(OpBuilder &b, CumsumOp op) {
  Location loc = op.getLoc();
  MLIRContext *ctx = b.getContext();
  auto type = cast<RankedTensorType>(op.getType());
  Type element = type.getElementType();
  int64_t dim = op.getDim(), rank = type.getRank();
  SmallVector<AffineExpr> inExprs, outExprs;
  for (int64_t i = 0; i < rank; ++i) {
    inExprs.push_back(getAffineDimExpr(i == dim ? rank : i, ctx));
    outExprs.push_back(getAffineDimExpr(i, ctx));
  }
  SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
  iterators.push_back(utils::IteratorType::reduction);
  Value init = linalg::FillOp::create(
                   b, loc, reductionInit(b, loc, ReduceKind::sum, element),
                   Value(tensor::EmptyOp::create(b, loc, type.getShape(), element)))
                   .getResult(0);
  bool isFloat = isa<FloatType>(element);
  return linalg::GenericOp::create(
             b, loc, type, ValueRange{op.getInput()}, ValueRange{init},
             ArrayRef<AffineMap>{AffineMap::get(rank + 1, 0, inExprs, ctx),
                                 AffineMap::get(rank + 1, 0, outExprs, ctx)},
             iterators,
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               Value i = linalg::IndexOp::create(nb, nloc, dim);
               Value j = linalg::IndexOp::create(nb, nloc, rank);
               Value take = arith::CmpIOp::create(
                   nb, nloc, arith::CmpIPredicate::ule, j, i);
               Value zero = reductionInit(nb, nloc, ReduceKind::sum, element);
               Value term = arith::SelectOp::create(nb, nloc, take, args[0], zero);
               Value sum = isFloat
                               ? Value(arith::AddFOp::create(nb, nloc, args[1], term))
                               : Value(arith::AddIOp::create(nb, nloc, args[1], term));
               linalg::YieldOp::create(nb, nloc, sum);
             })
      .getResult(0);
}

/// out[n, c, y, x] interpolates the four input pixels around the source
/// position of (y, x), read with tensor.extract.
Value lowerResizeBilinear(OpBuilder &b, ResizeBilinearOp op) {
  Location loc = op.getLoc();
  auto outType = cast<RankedTensorType>(op.getType());
  auto inType = cast<RankedTensorType>(op.getInput().getType());
  Type element = outType.getElementType();
  Value input = op.getInput();
  bool align = op.getAlignCorners();
  double scales[2] = {op.getScaleH().convertToDouble(),
                      op.getScaleW().convertToDouble()};
  Value init = tensor::EmptyOp::create(b, loc, outType.getShape(), element);
  return linalg::GenericOp::create(
             b, loc, outType, ValueRange{}, ValueRange{init},
             ArrayRef<AffineMap>{b.getMultiDimIdentityMap(4)},
             SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel),
             [&](OpBuilder &nb, Location nloc, ValueRange) {
               ScalarBuilder s{nb, nloc, element};
               Value lo[2], hi[2], frac[2];
               for (int i = 0; i < 2; ++i) {
                 int64_t in = inType.getDimSize(2 + i), out = outType.getDimSize(2 + i);
                 Value o = arith::IndexCastOp::create(
                     nb, nloc, nb.getI64Type(), linalg::IndexOp::create(nb, nloc, 2 + i));
                 Value of = arith::SIToFPOp::create(nb, nloc, element, o);
                 Value src;
                 if (align) {
                   double r = out > 1 ? double(in - 1) / double(out - 1) : 0.0;
                   src = s.mul(of, s.c(r));
                 } else {
                   src = s.sub(s.mul(s.add(of, s.c(0.5)), s.c(scales[i])), s.c(0.5));
                   src = s.max(src, s.c(0));
                 }
                 Value floor = math::FloorOp::create(nb, nloc, src);
                 frac[i] = s.sub(src, floor);
                 Value l = arith::FPToSIOp::create(nb, nloc, nb.getI64Type(), floor);
                 Value last = arith::ConstantOp::create(nb, nloc, nb.getI64Type(),
                                                        nb.getI64IntegerAttr(in - 1));
                 Value one = arith::ConstantOp::create(nb, nloc, nb.getI64Type(),
                                                       nb.getI64IntegerAttr(1));
                 l = arith::MinSIOp::create(nb, nloc, l, last);
                 Value h = arith::MinSIOp::create(
                     nb, nloc, arith::AddIOp::create(nb, nloc, l, one), last);
                 lo[i] = arith::IndexCastOp::create(nb, nloc, nb.getIndexType(), l);
                 hi[i] = arith::IndexCastOp::create(nb, nloc, nb.getIndexType(), h);
               }
               Value n = linalg::IndexOp::create(nb, nloc, 0);
               Value ch = linalg::IndexOp::create(nb, nloc, 1);
               auto at = [&](Value y, Value x) -> Value {
                 return tensor::ExtractOp::create(nb, nloc, input,
                                                  ValueRange{n, ch, y, x});
               };
               auto lerp = [&](Value a, Value c, Value t) {
                 return s.add(a, s.mul(t, s.sub(c, a)));
               };
               Value top = lerp(at(lo[0], lo[1]), at(lo[0], hi[1]), frac[1]);
               Value bottom = lerp(at(hi[0], lo[1]), at(hi[0], hi[1]), frac[1]);
               linalg::YieldOp::create(nb, nloc, lerp(top, bottom, frac[0]));
             })
      .getResult(0);
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
    else if (isContraction(op))
      replacement = lowerContraction(b, op);
    else if (auto reduce = dyn_cast<ReduceOp>(op))
      replacement = lowerReduce(b, reduce);
    else if (auto transpose = dyn_cast<TransposeOp>(op))
      replacement = lowerTranspose(b, transpose);
    else if (auto reshape = dyn_cast<ReshapeOp>(op))
      replacement = lowerReshape(b, reshape);
    else if (auto resize = dyn_cast<ResizeBilinearOp>(op))
      replacement = lowerResizeBilinear(b, resize);
    else if (auto pad = dyn_cast<PadOp>(op))
      replacement = lowerPad(b, pad);
    else if (auto argmax = dyn_cast<ArgmaxOp>(op))
      replacement = lowerArgmax(b, argmax);
    else if (auto cumsum = dyn_cast<CumsumOp>(op))
      replacement = lowerCumsum(b, cumsum);
    else if (auto concat = dyn_cast<ConcatOp>(op))
      replacement = lowerConcat(b, concat);
    else if (auto slice = dyn_cast<SliceOp>(op))
      replacement = lowerSlice(b, slice);
    else if (auto gather = dyn_cast<GatherOp>(op))
      replacement = lowerGather(b, gather);
    else if (auto pool = dyn_cast<Pool2dOp>(op))
      replacement = lowerPool2d(b, pool);
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
    foldTransposesIntoProducts();
  }

  /// A product reading a transpose (attention's K^T, the heads split off a
  /// [T, H, D] projection) reads the transpose's input through the
  /// composed indexing map instead: kiln_sgemm takes any strides, so the
  /// permutation copy (a strided gather for K^T) goes once nothing else
  /// reads it.
  void foldTransposesIntoProducts() {
    SmallVector<linalg::GenericOp> products;
    getOperation().walk([&](linalg::GenericOp g) {
      if (g->hasAttr(kGemmTag))
        products.push_back(g);
    });
    for (linalg::GenericOp g : products) {
      SmallVector<AffineMap> maps = g.getIndexingMapsArray();
      bool changed = false;
      for (OpOperand *in : g.getDpsInputOperands()) {
        auto copy = in->get().getDefiningOp<linalg::GenericOp>();
        if (!copy || !copy->hasAttr(kTransposeTag))
          continue;
        AffineMap copyMap = copy.getIndexingMapsArray()[0];
        unsigned i = in->getOperandNumber();
        maps[i] = copyMap.compose(maps[i]);
        in->set(copy.getDpsInputOperand(0)->get());
        changed = true;
        if (copy->use_empty())
          copy->erase();
      }
      if (changed)
        g.setIndexingMapsAttr(Builder(g.getContext()).getAffineMapArrayAttr(maps));
    }
  }
};

} // namespace
