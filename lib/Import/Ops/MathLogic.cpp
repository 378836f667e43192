//===- MathLogic.cpp - Transcendentals, rounding, division, logic, tests --===//
//
// Elementwise math beyond arithmetic: inverse and hyperbolic functions,
// rounding, Python's division and remainder, bitwise and logical ops, the
// NaN/inf tests and the activations that are compositions of them. Float
// functions of integer tensors compute in float32, as PyTorch's do.
//
//===----------------------------------------------------------------------===//
#include "../OpRegistry.h"

#include "kiln/Support/ABI.h"

#include "llvm/ADT/APFloat.h"

#include <cmath>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::detail;

namespace {

Type f32(NodeContext &c) { return Float32Type::get(c.b().getContext()); }
Type i1(NodeContext &c) { return c.b().getI1Type(); }

bool isFloat(Value v) { return isa<FloatType>(elementOf(v)); }

/// A 0-d constant of v's dtype.
Value like(NodeContext &c, Value v, double x) {
  return c.scalarConstant(elementOf(v), x);
}

Value compare(NodeContext &c, ComparePredicate p, Value a, Value b) {
  return c.create<CompareOp>(p, a, b);
}

Value select(NodeContext &c, Value cond, Value a, Value b) {
  return c.create<WhereOp>(cond, a, b);
}

/// Operand #i as a tensor in a floating dtype (f32 for integers and bool).
FailureOr<Value> floatTensor(NodeContext &c, size_t i) {
  FailureOr<Value> x = c.tensor(i);
  if (failed(x))
    return failure();
  return isFloat(*x) ? *x : c.castTo(*x, f32(c));
}

/// The error for a float-only op given an integer or bool tensor, as
/// PyTorch raises it ("not implemented for 'Long'").
LogicalResult floatOnlyError(NodeContext &c, Value x) {
  return c.error() << "is only defined for floating-point tensors; got "
                   << formatType(x.getType());
}

/// tan, asin, ..., erfc: float results, integers computed in f32.
template <typename OpTy> LogicalResult importFloatUnary(NodeContext &c) {
  FailureOr<Value> x = floatTensor(c, 0);
  return failed(x) ? failure() : c.bind(c.create<OpTy>(*x));
}

/// frac, mish, log_sigmoid: PyTorch refuses integer tensors.
template <typename OpTy> LogicalResult importStrictFloatUnary(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  if (!isFloat(*x))
    return floatOnlyError(c, *x);
  return c.bind(c.create<OpTy>(*x));
}

/// floor, ceil, trunc: integers are already integral.
template <typename OpTy> LogicalResult importRounding(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  return c.bind(isFloat(*x) ? c.create<OpTy>(*x) : *x);
}

/// round(x) half to even; round(x, decimals=d) as PyTorch: x * 10^d rounded
/// and divided back (d < 0: divided, rounded, multiplied back).
LogicalResult importRound(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  if (!isFloat(*x))
    return c.bind(*x);
  int64_t decimals = 0;
  if (c.numInputs() > 1) {
    FailureOr<int64_t> d = c.require(c.integer(1), 1, "decimals");
    if (failed(d))
      return failure();
    decimals = *d;
  }
  if (decimals == 0)
    return c.bind(c.create<RoundOp>(*x));
  Value scale = like(c, *x, std::pow(10.0, double(std::abs(decimals))));
  if (decimals > 0)
    return c.bind(c.create<DivOp>(
        c.create<RoundOp>(c.create<MulOp>(*x, scale)), scale));
  return c.bind(
      c.create<MulOp>(c.create<RoundOp>(c.create<DivOp>(*x, scale)), scale));
}

/// sign and sgn: bool is its own sign.
LogicalResult importSign(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  if (elementOf(*x).isInteger(1))
    return c.bind(*x);
  return c.bind(c.create<SignOp>(*x));
}

/// square(x) = x * x; bool squares to int64, as pow(x, 2) promotes it.
LogicalResult importSquare(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  Value v = *x;
  if (elementOf(v).isInteger(1))
    v = c.castTo(v, c.b().getIntegerType(64));
  return c.bind(c.create<MulOp>(v, v));
}

/// positive(x) is x.
LogicalResult importPositive(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  return failed(x) ? failure() : c.bind(*x);
}

enum class FloatTest { isnan, isinf, isposinf, isneginf, isfinite };

/// The NaN and infinity tests: bool tensors; integers are always finite.
template <FloatTest Test> LogicalResult importFloatTest(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  if (!isFloat(*x)) {
    Value allTrue = c.scalarConstant(i1(c), Test == FloatTest::isfinite);
    return c.bind(broadcastTo(c, allTrue, tensorType(*x).getShape()));
  }
  Value inf = like(c, *x, INFINITY);
  switch (Test) {
  case FloatTest::isnan:
    return c.bind(c.create<IsNanOp>(tensorType(*x).clone(i1(c)), *x));
  case FloatTest::isinf:
    return c.bind(compare(c, ComparePredicate::eq, c.create<AbsOp>(*x), inf));
  case FloatTest::isposinf:
    return c.bind(compare(c, ComparePredicate::eq, *x, inf));
  case FloatTest::isneginf:
    return c.bind(compare(c, ComparePredicate::eq, *x, like(c, *x, -INFINITY)));
  case FloatTest::isfinite: // NaN compares false
    return c.bind(compare(c, ComparePredicate::lt, c.create<AbsOp>(*x), inf));
  }
  return failure();
}

/// signbit(x): whether the sign bit is set (-0.0 and -NaN included).
LogicalResult importSignbit(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  if (!isFloat(*x))
    return c.bind(compare(c, ComparePredicate::lt, *x, like(c, *x, 0)));
  Value one = c.create<CopysignOp>(like(c, *x, 1), *x);
  return c.bind(compare(c, ComparePredicate::lt, one, like(c, *x, 0)));
}

/// logical_not: x == 0.
LogicalResult importLogicalNot(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  return c.bind(compare(c, ComparePredicate::eq, *x, like(c, *x, 0)));
}

/// logical_and/or/xor: both operands as bool (!= 0), the result bool.
template <typename OpTy> LogicalResult importLogical(NodeContext &c) {
  FailureOr<Value> a = c.tensor(0), b = c.tensor(1);
  if (failed(a) || failed(b))
    return failure();
  Value x = c.castTo(*a, i1(c)), y = c.castTo(*b, i1(c));
  if (failed(checkBroadcast(c, x, y)))
    return failure();
  return c.bind(c.create<OpTy>(x, y));
}

/// bitwise_and/or/xor and &, |, ^: integer and bool tensors only.
template <typename OpTy> LogicalResult importBitwise(NodeContext &c) {
  Value a, b;
  if (failed(binaryOperands(c, 0, 1, a, b)))
    return failure();
  if (isFloat(a))
    return c.error() << "is only defined for integer and bool tensors; got "
                     << formatType(a.getType());
  return c.bind(c.create<OpTy>(a, b));
}

/// bitwise_not(x) = x ^ ~0 (for bool, not x).
LogicalResult importBitwiseNot(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  if (isFloat(*x))
    return c.error() << "is only defined for integer and bool tensors; got "
                     << formatType(x->getType());
  return c.bind(c.create<BitwiseXorOp>(*x, like(c, *x, -1)));
}

/// atan2, copysign, hypot, logaddexp(2), xlogy: promoted, then computed in
/// float (integers in the default float dtype).
template <typename OpTy> LogicalResult importFloatBinary(NodeContext &c) {
  Value a, b;
  if (failed(binaryOperands(c, 0, 1, a, b)))
    return failure();
  Type t = trueDivisionType(elementOf(a));
  return c.bind(c.create<OpTy>(c.castTo(a, t), c.castTo(b, t)));
}

/// Whether the divisor (input `i`) is a constant nonzero number.
bool isNonzeroConstant(NodeContext &c, size_t i) {
  if (!numberDType(c, i))
    return false;
  std::optional<double> v = c.number(i);
  return v && *v != 0;
}

LogicalResult checkIntegerDivisor(NodeContext &c, Value lhs, size_t divisor) {
  if (isFloat(lhs))
    return success();
  if (elementOf(lhs).isInteger(1))
    return c.error() << "of bool tensors is not supported";
  if (numberDType(c, divisor) && c.number(divisor) == 0.0)
    return c.error() << "divides integers by zero (PyTorch raises "
                        "ZeroDivisionError)";
  if (!isNonzeroConstant(c, divisor))
    return c.error() << "of integer tensors by a tensor is not supported "
                        "(a zero divisor, which PyTorch raises on, has no "
                        "error path in compiled code); divide by a nonzero "
                        "constant or convert to float first";
  return success();
}

/// remainder (Python's %) and fmod (C's).
template <typename OpTy> LogicalResult importRemainder(NodeContext &c) {
  Value a, b;
  if (failed(binaryOperands(c, 0, 1, a, b)) ||
      failed(checkIntegerDivisor(c, a, 1)))
    return failure();
  return c.bind(c.create<OpTy>(a, b));
}

/// threshold(x, threshold, value): x where x > threshold, else value.
LogicalResult importThreshold(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  FailureOr<double> th = c.require(c.number(1), 1, "threshold");
  FailureOr<double> value = c.require(c.number(2), 2, "value");
  if (failed(th) || failed(value))
    return failure();
  // For integers, x > t is x > floor(t).
  double t = isFloat(*x) ? *th : std::floor(*th);
  Value keep = compare(c, ComparePredicate::gt, *x, like(c, *x, t));
  return c.bind(select(c, keep, *x, like(c, *x, *value)));
}

enum class Shrink { hard, soft };

/// hardshrink: 0 inside [-l, l], NaN stays NaN; softshrink: also moved l
/// toward 0, NaN becomes 0 (as PyTorch's kernels compute them).
template <Shrink Kind> LogicalResult importShrink(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  if (!isFloat(*x))
    return floatOnlyError(c, *x);
  double l = c.numInputs() > 1 ? c.number(1).value_or(0.5) : 0.5;
  Value lo = like(c, *x, -l), hi = like(c, *x, l);
  if constexpr (Kind == Shrink::hard) {
    Value inside = c.create<BitwiseAndOp>(
        compare(c, ComparePredicate::ge, *x, lo),
        compare(c, ComparePredicate::le, *x, hi));
    return c.bind(select(c, inside, like(c, *x, 0), *x));
  }
  auto one = c.b().getF64FloatAttr(1.0);
  Value below = select(c, compare(c, ComparePredicate::lt, *x, lo),
                       c.create<AddOp>(*x, hi, one), like(c, *x, 0));
  return c.bind(select(c, compare(c, ComparePredicate::gt, *x, hi),
                       c.create<SubOp>(*x, hi, one), below));
}

/// selu(x) = scale * elu(x, alpha) with the paper's constants;
/// celu(x, alpha) = alpha * elu(x / alpha, 1).
template <bool Selu> LogicalResult importScaledElu(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  if (!isFloat(*x))
    return floatOnlyError(c, *x);
  if constexpr (Selu) {
    Value elu = c.create<EluOp>(*x, c.b().getF64FloatAttr(1.6732632423543772));
    return c.bind(c.create<MulOp>(elu, like(c, *x, 1.0507009873554805)));
  }
  double alpha = c.numInputs() > 1 ? c.number(1).value_or(1.0) : 1.0;
  if (alpha == 0)
    return c.error() << "with alpha 0 is not defined";
  Value scaled = c.create<DivOp>(*x, like(c, *x, alpha));
  Value elu = c.create<EluOp>(scaled, c.b().getF64FloatAttr(1.0));
  return c.bind(c.create<MulOp>(elu, like(c, *x, alpha)));
}

/// deg2rad and rad2deg: a product in float.
template <bool ToRadians> LogicalResult importAngle(NodeContext &c) {
  FailureOr<Value> x = floatTensor(c, 0);
  if (failed(x))
    return failure();
  double k = ToRadians ? M_PI / 180.0 : 180.0 / M_PI;
  return c.bind(c.create<MulOp>(*x, like(c, *x, k)));
}

/// nan_to_num(x, nan=0, posinf=max, neginf=lowest); integers unchanged.
LogicalResult importNanToNum(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  if (!isFloat(*x))
    return c.bind(*x);
  const llvm::fltSemantics &sem = cast<FloatType>(elementOf(*x)).getFloatSemantics();
  double largest = llvm::APFloat::getLargest(sem).convertToDouble();
  auto arg = [&](size_t i, double dflt) {
    return i < c.numInputs() && !c.isNone(i) ? c.number(i).value_or(dflt) : dflt;
  };
  Value v = *x;
  Value inf = like(c, v, INFINITY), negInf = like(c, v, -INFINITY);
  v = select(c, compare(c, ComparePredicate::eq, *x, inf),
             like(c, v, arg(2, largest)), v);
  v = select(c, compare(c, ComparePredicate::eq, *x, negInf),
             like(c, v, arg(3, -largest)), v);
  Value nan = c.create<IsNanOp>(tensorType(*x).clone(i1(c)), *x);
  return c.bind(select(c, nan, like(c, v, arg(1, 0.0)), v));
}

/// lerp(start, end, weight) as PyTorch computes it: from start below a
/// weight of 0.5, from end above, so both ends are exact.
LogicalResult importLerp(NodeContext &c) {
  FailureOr<Type> t = resultTypeOf(c, {0, 1, 2});
  if (failed(t))
    return failure();
  if (!isa<FloatType>(*t))
    return c.error() << "is only defined for floating-point tensors; got "
                     << getDTypeName(*t);
  FailureOr<Value> start = c.tensor(0), end = c.tensor(1);
  if (failed(start) || failed(end) || failed(checkBroadcast(c, *start, *end)))
    return failure();
  Value s = c.castTo(*start, *t), e = c.castTo(*end, *t);
  Value w;
  if (numberDType(c, 2)) {
    w = c.scalarConstant(*t, *c.number(2));
  } else {
    FailureOr<Value> wt = c.tensor(2);
    if (failed(wt))
      return failure();
    w = c.castTo(*wt, *t);
  }
  auto one = c.b().getF64FloatAttr(1.0);
  Value diff = c.create<SubOp>(e, s, one);
  Value fromStart = c.create<AddOp>(s, c.create<MulOp>(w, diff), one);
  Value rest = c.create<SubOp>(c.scalarConstant(*t, 1), w, one);
  Value fromEnd = c.create<SubOp>(e, c.create<MulOp>(diff, rest), one);
  Value low = compare(c, ComparePredicate::lt, c.create<AbsOp>(w),
                      c.scalarConstant(*t, 0.5));
  return c.bind(select(c, low, fromStart, fromEnd));
}

/// addcmul / addcdiv(self, t1, t2, value): self + value * (t1 op t2).
template <typename OpTy> LogicalResult importAddc(NodeContext &c) {
  FailureOr<Type> t = resultTypeOf(c, {0, 1, 2});
  if (failed(t))
    return failure();
  FailureOr<Value> self = c.tensor(0), t1 = c.tensor(1), t2 = c.tensor(2);
  if (failed(self) || failed(t1) || failed(t2) ||
      failed(checkBroadcast(c, *t1, *t2)))
    return failure();
  if (std::is_same_v<OpTy, DivOp> && !isa<FloatType>(*t)) // NOLINT
    return c.error() << "of integer tensors is not supported (PyTorch "
                        "refuses integer division here)";
  double value = c.numInputs() > 3 ? c.number(3).value_or(1.0) : 1.0;
  Value product =
      c.create<OpTy>(c.castTo(*t1, *t), c.castTo(*t2, *t));
  if (failed(checkBroadcast(c, *self, product)))
    return failure();
  return c.bind(c.create<AddOp>(c.castTo(*self, *t), product,
                                c.b().getF64FloatAttr(value)));
}

} // namespace

LogicalResult mlir::kiln::detail::importRoundedDivision(NodeContext &c,
                                                        Value lhs, Value rhs,
                                                        size_t divisor,
                                                        bool floor) {
  if (failed(checkIntegerDivisor(c, lhs, divisor)))
    return failure();
  if (floor)
    return c.bind(c.create<FloorDivideOp>(lhs, rhs));
  return c.bind(c.create<TruncDivideOp>(lhs, rhs));
}

void mlir::kiln::detail::registerMathLogicOps(OpRegistry &registry) {
  registry.family("Math, rounding and logic")
      .add("aten::tan", importFloatUnary<TanOp>)
      .add("aten::asin", importFloatUnary<AsinOp>)
      .add("aten::acos", importFloatUnary<AcosOp>)
      .add("aten::atan", importFloatUnary<AtanOp>)
      .add("aten::sinh", importFloatUnary<SinhOp>)
      .add("aten::cosh", importFloatUnary<CoshOp>)
      .add("aten::asinh", importFloatUnary<AsinhOp>)
      .add("aten::acosh", importFloatUnary<AcoshOp>)
      .add("aten::atanh", importFloatUnary<AtanhOp>)
      .add("aten::log2", importFloatUnary<Log2Op>)
      .add("aten::log10", importFloatUnary<Log10Op>)
      .add("aten::exp2", importFloatUnary<Exp2Op>)
      .add("aten::erfc", importFloatUnary<ErfcOp>)
      .add("aten::floor", importRounding<FloorOp>)
      .add("aten::ceil", importRounding<CeilOp>)
      .add("aten::trunc", importRounding<TruncOp>)
      .add("aten::round", importRound)
      .add("aten::frac", importStrictFloatUnary<FracOp>)
      .add("aten::sign", importSign)
      .add("aten::sgn", importSign)
      .add("aten::square", importSquare)
      .add("aten::positive", importPositive)
      .add("aten::mish", importStrictFloatUnary<MishOp>)
      .add("aten::log_sigmoid", importStrictFloatUnary<LogSigmoidOp>)
      .add("aten::isnan", importFloatTest<FloatTest::isnan>)
      .add("aten::isinf", importFloatTest<FloatTest::isinf>)
      .add("aten::isposinf", importFloatTest<FloatTest::isposinf>)
      .add("aten::isneginf", importFloatTest<FloatTest::isneginf>)
      .add("aten::isfinite", importFloatTest<FloatTest::isfinite>)
      .add("aten::signbit", importSignbit)
      .add("aten::logical_not", importLogicalNot)
      .add("aten::logical_and", importLogical<BitwiseAndOp>)
      .add("aten::logical_or", importLogical<BitwiseOrOp>)
      .add("aten::logical_xor", importLogical<BitwiseXorOp>)
      .add("aten::bitwise_and", importBitwise<BitwiseAndOp>)
      .add("aten::bitwise_or", importBitwise<BitwiseOrOp>)
      .add("aten::bitwise_xor", importBitwise<BitwiseXorOp>)
      .add("aten::__and__", importBitwise<BitwiseAndOp>)
      .add("aten::__or__", importBitwise<BitwiseOrOp>)
      .add("aten::__xor__", importBitwise<BitwiseXorOp>)
      .add("aten::bitwise_not", importBitwiseNot)
      .add("aten::atan2", importFloatBinary<Atan2Op>)
      .add("aten::copysign", importFloatBinary<CopysignOp>)
      .add("aten::hypot", importFloatBinary<HypotOp>)
      .add("aten::logaddexp", importFloatBinary<LogAddExpOp>)
      .add("aten::logaddexp2", importFloatBinary<LogAddExp2Op>)
      .add("aten::xlogy", importFloatBinary<XLogYOp>)
      .add("aten::remainder", importRemainder<RemainderOp>)
      .add("aten::fmod", importRemainder<FmodOp>)
      .add("aten::threshold", importThreshold)
      .add("aten::hardshrink", importShrink<Shrink::hard>)
      .add("aten::softshrink", importShrink<Shrink::soft>)
      .add("aten::selu", importScaledElu<true>)
      .add("aten::celu", importScaledElu<false>)
      .add("aten::deg2rad", importAngle<true>)
      .add("aten::rad2deg", importAngle<false>)
      .add("aten::nan_to_num", importNanToNum)
      .add("aten::lerp", importLerp)
      .add("aten::addcmul", importAddc<MulOp>)
      .add("aten::addcdiv", importAddc<DivOp>);
}
