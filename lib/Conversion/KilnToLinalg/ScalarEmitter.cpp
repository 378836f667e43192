//===- ScalarEmitter.cpp - The scalar body of every elementwise op --------===//
//
// The one place that says what an elementwise kiln op computes on scalars:
// single ops and kiln.fused groups both build their linalg.generic bodies
// from emitScalar, so fused and unfused code compute the same thing.
//
//===----------------------------------------------------------------------===//
#include "Patterns.h"

#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace mlir::kiln;

namespace mlir::kiln::detail {

Value floatConst(OpBuilder &b, Location loc, Type type, double value) {
  return arith::ConstantOp::create(b, loc, type, b.getFloatAttr(type, value));
}

namespace {

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

/// Comparisons: ordered except !=, as in PyTorch (NaN compares unequal to
/// everything); signed for integers.
Value emitCompare(OpBuilder &b, Location loc, CompareOp cmp, Value x, Value y) {
  using P = ComparePredicate;
  P p = cmp.getPredicate();
  if (isa<FloatType>(x.getType())) {
    arith::CmpFPredicate fp = p == P::eq   ? arith::CmpFPredicate::OEQ
                              : p == P::ne ? arith::CmpFPredicate::UNE
                              : p == P::lt ? arith::CmpFPredicate::OLT
                              : p == P::le ? arith::CmpFPredicate::OLE
                              : p == P::gt ? arith::CmpFPredicate::OGT
                                           : arith::CmpFPredicate::OGE;
    return arith::CmpFOp::create(b, loc, fp, x, y);
  }
  arith::CmpIPredicate ip = p == P::eq   ? arith::CmpIPredicate::eq
                            : p == P::ne ? arith::CmpIPredicate::ne
                            : p == P::lt ? arith::CmpIPredicate::slt
                            : p == P::le ? arith::CmpIPredicate::sle
                            : p == P::gt ? arith::CmpIPredicate::sgt
                                         : arith::CmpIPredicate::sge;
  return arith::CmpIOp::create(b, loc, ip, x, y);
}

/// gelu: 0.5 x (1 + erf(x / sqrt 2)), or with the tanh approximation
/// 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))).
Value emitGelu(ScalarBuilder &s, GeluOp gelu, Value x) {
  Value half = s.mul(s.c(0.5), x);
  if (!gelu.getTanhApproximation())
    return s.mul(half, s.add(s.c(1), Value(math::ErfOp::create(
                                         s.b, s.loc, s.mul(x, s.c(M_SQRT1_2))))));
  Value inner = s.add(x, s.mul(s.c(0.044715), s.mul(x, s.mul(x, x))));
  Value t =
      math::TanhOp::create(s.b, s.loc, s.mul(s.c(M_2_SQRTPI * M_SQRT1_2), inner));
  return s.mul(half, s.add(s.c(1), t));
}

Value emitSoftplus(ScalarBuilder &s, SoftplusOp sp, Value x) {
  double beta = sp.getBeta().convertToDouble();
  Value bx = s.mul(x, s.c(beta));
  Value soft =
      s.div(Value(math::Log1pOp::create(s.b, s.loc, s.exp(bx))), s.c(beta));
  return s.select(s.gt(bx, s.c(sp.getThreshold().convertToDouble())), x, soft);
}

Value emitClamp(ScalarBuilder &s, ClampOp clamp, Value x) {
  if (auto lo = clamp.getMin())
    x = s.max(x, s.c(lo->convertToDouble()));
  if (auto hi = clamp.getMax())
    x = s.min(x, s.c(hi->convertToDouble()));
  return x;
}

/// Small constant exponents as products, 0.5 as sqrt, -1 as a reciprocal.
Value emitPowScalar(ScalarBuilder &s, PowScalarOp pw, Value x) {
  double e = pw.getExponent().convertToDouble();
  if (e == 1.0)
    return x;
  if (e == 2.0)
    return s.mul(x, x);
  if (e == 3.0)
    return s.mul(x, s.mul(x, x));
  if (e == 0.5)
    return math::SqrtOp::create(s.b, s.loc, x);
  if (e == -1.0)
    return s.div(s.c(1), x);
  return math::PowFOp::create(s.b, s.loc, x, s.c(e));
}

/// The ops defined for floating-point element types only.
std::optional<Value> emitFloatOnly(ScalarBuilder &s, Operation *op,
                                   ValueRange args) {
  OpBuilder &b = s.b;
  Location loc = s.loc;
  Value x = args[0];
  return TypeSwitch<Operation *, std::optional<Value>>(op)
      .Case([&](DivOp) { return s.div(x, args[1]); })
      .Case([&](TanhOp) { return Value(math::TanhOp::create(b, loc, x)); })
      .Case([&](ReluOp) { return s.max(x, s.c(0)); })
      .Case([&](SigmoidOp) {
        Value one = s.c(1);
        return s.div(one, s.add(one, s.exp(arith::NegFOp::create(b, loc, x))));
      })
      .Case([&](NegOp) { return Value(arith::NegFOp::create(b, loc, x)); })
      .Case([&](AbsOp) { return Value(math::AbsFOp::create(b, loc, x)); })
      .Case([&](ExpOp) { return s.exp(x); })
      .Case([&](LogOp) { return Value(math::LogOp::create(b, loc, x)); })
      .Case([&](Expm1Op) { return Value(math::ExpM1Op::create(b, loc, x)); })
      .Case([&](Log1pOp) { return Value(math::Log1pOp::create(b, loc, x)); })
      .Case([&](SinOp) { return Value(math::SinOp::create(b, loc, x)); })
      .Case([&](CosOp) { return Value(math::CosOp::create(b, loc, x)); })
      .Case([&](SqrtOp) { return Value(math::SqrtOp::create(b, loc, x)); })
      .Case([&](RsqrtOp) { return Value(math::RsqrtOp::create(b, loc, x)); })
      .Case([&](ErfOp) { return Value(math::ErfOp::create(b, loc, x)); })
      .Case([&](SiluOp) {
        return s.div(x, s.add(s.c(1), s.exp(arith::NegFOp::create(b, loc, x))));
      })
      .Case([&](HardsigmoidOp) { return s.hardsigmoid(x); })
      .Case([&](HardswishOp) { return s.mul(x, s.hardsigmoid(x)); })
      .Case([&](GeluOp gelu) { return emitGelu(s, gelu, x); })
      .Case([&](LeakyReluOp leaky) {
        return s.select(s.gt(x, s.c(0)), x,
                        s.mul(x, s.c(leaky.getNegativeSlope().convertToDouble())));
      })
      .Case([&](EluOp elu) {
        return s.select(s.gt(x, s.c(0)), x,
                        s.mul(s.c(elu.getAlpha().convertToDouble()),
                              Value(math::ExpM1Op::create(b, loc, x))));
      })
      .Case([&](SoftplusOp sp) { return emitSoftplus(s, sp, x); })
      .Case([&](ClampOp clamp) { return emitClamp(s, clamp, x); })
      .Case([&](PowScalarOp pw) { return emitPowScalar(s, pw, x); })
      .Default([](Operation *) { return std::nullopt; });
}

} // namespace

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

FailureOr<Value> emitScalar(OpBuilder &b, Operation *op, ValueRange args) {
  Location loc = op->getLoc();
  Type resultType = getElementTypeOrSelf(op->getResult(0).getType());
  Type type = args[0].getType();
  bool isFloat = isa<FloatType>(type);
  ScalarBuilder s{b, loc, type};
  // Ops defined for every element type.
  std::optional<Value> v =
      TypeSwitch<Operation *, std::optional<Value>>(op)
          .Case([&](CastOp) { return emitCast(b, loc, args[0], resultType); })
          .Case([&](WhereOp) {
            return Value(
                arith::SelectOp::create(b, loc, args[0], args[1], args[2]));
          })
          .Case([&](BroadcastOp) { return args[0]; })
          .Case([&](CompareOp cmp) {
            return emitCompare(b, loc, cmp, args[0], args[1]);
          })
          .Case<AddOp, SubOp>([&](auto addOrSub) {
            Value rhs = scaleByAlpha(b, loc, args[1],
                                     addOrSub.getAlpha().convertToDouble());
            bool isAdd = isa<AddOp>(op);
            if (isFloat)
              return isAdd ? Value(arith::AddFOp::create(b, loc, args[0], rhs))
                           : Value(arith::SubFOp::create(b, loc, args[0], rhs));
            return isAdd ? Value(arith::AddIOp::create(b, loc, args[0], rhs))
                         : Value(arith::SubIOp::create(b, loc, args[0], rhs));
          })
          .Case([&](MulOp) {
            return isFloat
                       ? Value(arith::MulFOp::create(b, loc, args[0], args[1]))
                       : Value(arith::MulIOp::create(b, loc, args[0], args[1]));
          })
          .Case([&](MaximumOp) {
            return isFloat
                       ? s.max(args[0], args[1])
                       : Value(arith::MaxSIOp::create(b, loc, args[0], args[1]));
          })
          .Case([&](MinimumOp) {
            return isFloat
                       ? s.min(args[0], args[1])
                       : Value(arith::MinSIOp::create(b, loc, args[0], args[1]));
          })
          .Default([](Operation *) { return std::nullopt; });
  if (v)
    return *v;
  // Integer forms of the float ops that have one.
  if (!isFloat) {
    if (isa<NegOp>(op))
      return Value(arith::SubIOp::create(
          b, loc,
          arith::ConstantOp::create(b, loc, type, b.getIntegerAttr(type, 0)),
          args[0]));
    if (isa<AbsOp>(op))
      return Value(math::AbsIOp::create(b, loc, args[0]));
    return op->emitOpError() << "has no lowering for element type " << type;
  }
  if (std::optional<Value> f = emitFloatOnly(s, op, args))
    return *f;
  return op->emitOpError() << "is not an elementwise op Kiln can lower";
}

} // namespace mlir::kiln::detail
