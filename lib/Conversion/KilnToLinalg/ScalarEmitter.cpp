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

/// f16 and bf16 compute these in f32, as PyTorch's CPU kernels do (and
/// libm has no half-precision entry points).
template <typename F> Value viaF32(ScalarBuilder &s, Value x, F compute) {
  Type type = x.getType();
  if (cast<FloatType>(type).getWidth() >= 32)
    return compute(s, x);
  Type f32 = s.b.getF32Type();
  ScalarBuilder wide{s.b, s.loc, f32};
  Value r = compute(wide, emitCast(s.b, s.loc, x, f32));
  return emitCast(s.b, s.loc, r, type);
}

Value cmpF(ScalarBuilder &s, arith::CmpFPredicate p, Value x, Value y) {
  return arith::CmpFOp::create(s.b, s.loc, p, x, y);
}

Value isInf(ScalarBuilder &s, Value x) {
  return cmpF(s, arith::CmpFPredicate::OEQ, math::AbsFOp::create(s.b, s.loc, x),
              s.c(INFINITY));
}

/// Python's %: fmod, then moved into rhs's sign (PyTorch's remainder).
Value emitFloatRemainder(ScalarBuilder &s, Value a, Value b) {
  Value mod = arith::RemFOp::create(s.b, s.loc, a, b);
  Value zero = s.c(0);
  Value nonzero = cmpF(s, arith::CmpFPredicate::UNE, mod, zero);
  Value signsDiffer =
      arith::XOrIOp::create(s.b, s.loc, cmpF(s, arith::CmpFPredicate::OLT, b, zero),
                            cmpF(s, arith::CmpFPredicate::OLT, mod, zero));
  Value fix = arith::AndIOp::create(s.b, s.loc, nonzero, signsDiffer);
  return s.select(fix, s.add(mod, b), mod);
}

/// PyTorch's div_floor for floats: (a - fmod(a, b)) / b, corrected to the
/// floor and rounded to the nearest integer; a / b when b is 0.
Value emitFloatFloorDivide(ScalarBuilder &s, Value a, Value b) {
  OpBuilder &ob = s.b;
  Location loc = s.loc;
  Value zero = s.c(0);
  Value mod = arith::RemFOp::create(ob, loc, a, b);
  Value div = s.div(s.sub(a, mod), b);
  Value signsDiffer =
      arith::XOrIOp::create(ob, loc, cmpF(s, arith::CmpFPredicate::OLT, b, zero),
                            cmpF(s, arith::CmpFPredicate::OLT, mod, zero));
  Value fix = arith::AndIOp::create(
      ob, loc, cmpF(s, arith::CmpFPredicate::UNE, mod, zero), signsDiffer);
  div = s.select(fix, s.sub(div, s.c(1)), div);
  Value floorDiv = math::FloorOp::create(ob, loc, div);
  floorDiv = s.select(cmpF(s, arith::CmpFPredicate::OGT, s.sub(div, floorDiv),
                           s.c(0.5)),
                      s.add(floorDiv, s.c(1)), floorDiv);
  Value quotient = s.div(a, b);
  // A zero quotient keeps the sign a / b has.
  floorDiv = s.select(cmpF(s, arith::CmpFPredicate::UNE, div, zero), floorDiv,
                      math::CopySignOp::create(ob, loc, zero, quotient));
  return s.select(cmpF(s, arith::CmpFPredicate::OEQ, b, zero), quotient,
                  floorDiv);
}

/// sqrt(a^2 + b^2) scaled by max(|a|, |b|), infinite if either is.
Value emitHypot(ScalarBuilder &s, Value a, Value b) {
  Value x = math::AbsFOp::create(s.b, s.loc, a);
  Value y = math::AbsFOp::create(s.b, s.loc, b);
  Value big = s.max(x, y), small = s.min(x, y);
  Value r = s.div(small, big);
  Value h = s.mul(big, math::SqrtOp::create(s.b, s.loc, s.add(s.c(1), s.mul(r, r))));
  h = s.select(cmpF(s, arith::CmpFPredicate::OEQ, big, s.c(0)), s.c(0), h);
  Value anyInf = arith::OrIOp::create(s.b, s.loc, isInf(s, a), isInf(s, b));
  return s.select(anyInf, s.c(INFINITY), h);
}

/// max + log1p(e^-|a - b|) (base 2 with `base2`); equal infinities give
/// themselves.
Value emitLogAddExp(ScalarBuilder &s, Value a, Value b, bool base2) {
  Value m = s.max(a, b);
  Value d = math::AbsFOp::create(s.b, s.loc, s.sub(a, b));
  Value negD = arith::NegFOp::create(s.b, s.loc, d);
  Value r;
  if (base2)
    r = s.add(m, s.mul(Value(math::Log1pOp::create(
                           s.b, s.loc, math::Exp2Op::create(s.b, s.loc, negD))),
                       s.c(1.0 / M_LN2)));
  else
    r = s.add(m, math::Log1pOp::create(s.b, s.loc, s.exp(negD)));
  Value same = arith::AndIOp::create(
      s.b, s.loc, isInf(s, a), cmpF(s, arith::CmpFPredicate::OEQ, a, b));
  return s.select(same, a, r);
}

/// x log y, 0 where x is 0, NaN where y is.
Value emitXLogY(ScalarBuilder &s, Value x, Value y) {
  Value r = s.mul(x, math::LogOp::create(s.b, s.loc, y));
  r = s.select(cmpF(s, arith::CmpFPredicate::OEQ, x, s.c(0)), s.c(0), r);
  return s.select(cmpF(s, arith::CmpFPredicate::UNO, y, y), y, r);
}

/// -1, 0 or 1; 0 for NaN.
Value emitFloatSign(ScalarBuilder &s, Value x) {
  return s.select(s.gt(x, s.c(0)), s.c(1),
                  s.select(cmpF(s, arith::CmpFPredicate::OLT, x, s.c(0)),
                           s.c(-1), s.c(0)));
}

/// x * tanh(softplus(x)), softplus linear above 20 as PyTorch's.
Value emitMish(ScalarBuilder &s, Value x) {
  Value soft = math::Log1pOp::create(s.b, s.loc, s.exp(x));
  soft = s.select(s.gt(x, s.c(20)), x, soft);
  return s.mul(x, math::TanhOp::create(s.b, s.loc, soft));
}

/// log(sigmoid(x)) = min(x, 0) - log1p(e^-|x|).
Value emitLogSigmoid(ScalarBuilder &s, Value x) {
  Value negAbs =
      arith::NegFOp::create(s.b, s.loc, math::AbsFOp::create(s.b, s.loc, x));
  return s.sub(s.min(x, s.c(0)),
               math::Log1pOp::create(s.b, s.loc, s.exp(negAbs)));
}

/// Integer division that cannot trap: a zero divisor (which the importer
/// refuses unless it is a nonzero constant) divides by 1, and a divisor of
/// -1 negates (INT_MIN / -1 wraps, as PyTorch's does).
Value emitIntDivide(OpBuilder &b, Location loc, Operation *op, Value x,
                    Value y) {
  Type type = x.getType();
  auto cst = [&](int64_t v) {
    return Value(arith::ConstantOp::create(b, loc, type, b.getIntegerAttr(type, v)));
  };
  auto eq = [&](Value v, int64_t k) {
    return Value(arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, v, cst(k)));
  };
  Value minusOne = eq(y, -1);
  Value unsafe = arith::OrIOp::create(b, loc, eq(y, 0), minusOne);
  Value d = arith::SelectOp::create(b, loc, unsafe, cst(1), y);
  Value q;
  if (isa<FloorDivideOp>(op))
    q = arith::FloorDivSIOp::create(b, loc, x, d);
  else if (isa<TruncDivideOp>(op))
    q = arith::DivSIOp::create(b, loc, x, d);
  else {
    // remainder takes rhs's sign, fmod lhs's.
    Value r = arith::RemSIOp::create(b, loc, x, d);
    if (isa<RemainderOp>(op)) {
      Value zero = cst(0);
      Value nonzero = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, r, zero);
      Value differ = arith::XOrIOp::create(
          b, loc, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, r, zero),
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, d, zero));
      r = arith::SelectOp::create(b, loc,
                                  arith::AndIOp::create(b, loc, nonzero, differ),
                                  arith::AddIOp::create(b, loc, r, d), r);
    }
    return arith::SelectOp::create(b, loc, minusOne, cst(0), r);
  }
  Value negated = arith::SubIOp::create(b, loc, cst(0), x);
  return arith::SelectOp::create(b, loc, minusOne, negated, q);
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
#define KILN_VIA_F32(KILN_OP, MATH_OP)                                         \
  .Case([&](KILN_OP) {                                                         \
    return viaF32(s, x, [](ScalarBuilder &w, Value v) {                        \
      return Value(math::MATH_OP::create(w.b, w.loc, v));                      \
    });                                                                        \
  })
      KILN_VIA_F32(TanOp, TanOp)
      KILN_VIA_F32(AsinOp, AsinOp)
      KILN_VIA_F32(AcosOp, AcosOp)
      KILN_VIA_F32(AtanOp, AtanOp)
      KILN_VIA_F32(SinhOp, SinhOp)
      KILN_VIA_F32(CoshOp, CoshOp)
      KILN_VIA_F32(AsinhOp, AsinhOp)
      KILN_VIA_F32(AcoshOp, AcoshOp)
      KILN_VIA_F32(AtanhOp, AtanhOp)
      KILN_VIA_F32(Log2Op, Log2Op)
      KILN_VIA_F32(Log10Op, Log10Op)
      KILN_VIA_F32(Exp2Op, Exp2Op)
      KILN_VIA_F32(ErfcOp, ErfcOp)
#undef KILN_VIA_F32
      .Case([&](FloorOp) { return Value(math::FloorOp::create(b, loc, x)); })
      .Case([&](CeilOp) { return Value(math::CeilOp::create(b, loc, x)); })
      .Case([&](RoundOp) { return Value(math::RoundEvenOp::create(b, loc, x)); })
      .Case([&](TruncOp) { return Value(math::TruncOp::create(b, loc, x)); })
      .Case([&](FracOp) {
        return s.sub(x, Value(math::TruncOp::create(b, loc, x)));
      })
      .Case([&](SignOp) { return emitFloatSign(s, x); })
      .Case([&](MishOp) { return emitMish(s, x); })
      .Case([&](LogSigmoidOp) { return emitLogSigmoid(s, x); })
      .Case([&](Atan2Op) {
        return viaF32(s, x, [&](ScalarBuilder &w, Value v) {
          Value y = emitCast(w.b, w.loc, args[1], w.type);
          return Value(math::Atan2Op::create(w.b, w.loc, v, y));
        });
      })
      .Case([&](CopysignOp) {
        return Value(math::CopySignOp::create(b, loc, x, args[1]));
      })
      .Case([&](RemainderOp) { return emitFloatRemainder(s, x, args[1]); })
      .Case([&](FmodOp) { return Value(arith::RemFOp::create(b, loc, x, args[1])); })
      .Case([&](FloorDivideOp) { return emitFloatFloorDivide(s, x, args[1]); })
      .Case([&](TruncDivideOp) {
        return Value(math::TruncOp::create(b, loc, s.div(x, args[1])));
      })
      .Case([&](HypotOp) { return emitHypot(s, x, args[1]); })
      .Case([&](LogAddExpOp) { return emitLogAddExp(s, x, args[1], false); })
      .Case([&](LogAddExp2Op) { return emitLogAddExp(s, x, args[1], true); })
      .Case([&](XLogYOp) { return emitXLogY(s, x, args[1]); })
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
          .Case([&](IsNanOp) {
            return Value(arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO,
                                               args[0], args[0]));
          })
          .Case<BitwiseAndOp, BitwiseOrOp, BitwiseXorOp>(
              [&](auto) -> std::optional<Value> {
                if (isFloat)
                  return std::nullopt;
                if (isa<BitwiseAndOp>(op))
                  return Value(arith::AndIOp::create(b, loc, args[0], args[1]));
                if (isa<BitwiseOrOp>(op))
                  return Value(arith::OrIOp::create(b, loc, args[0], args[1]));
                return Value(arith::XOrIOp::create(b, loc, args[0], args[1]));
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
    if (isa<FloorDivideOp, TruncDivideOp, RemainderOp, FmodOp>(op))
      return emitIntDivide(b, loc, op, args[0], args[1]);
    if (isa<SignOp>(op)) { // (x > 0) - (x < 0)
      Value zero =
          arith::ConstantOp::create(b, loc, type, b.getIntegerAttr(type, 0));
      auto test = [&](arith::CmpIPredicate p) {
        return Value(arith::ExtUIOp::create(
            b, loc, type, arith::CmpIOp::create(b, loc, p, args[0], zero)));
      };
      return Value(arith::SubIOp::create(b, loc, test(arith::CmpIPredicate::sgt),
                                         test(arith::CmpIPredicate::slt)));
    }
    return op->emitOpError() << "has no lowering for element type " << type;
  }
  if (std::optional<Value> f = emitFloatOnly(s, op, args))
    return *f;
  return op->emitOpError() << "is not an elementwise op Kiln can lower";
}

} // namespace mlir::kiln::detail
