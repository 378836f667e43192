//===- Elementwise.cpp - Elementwise arithmetic, comparisons, activations -===//
#include "../OpRegistry.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::detail;

namespace {

/// What an elementwise op means on compile-time numbers, if anything.
template <typename OpTy> constexpr ScalarArith scalarArithOf() {
  if constexpr (std::is_same_v<OpTy, AddOp>)
    return ScalarArith::add;
  else if constexpr (std::is_same_v<OpTy, SubOp>)
    return ScalarArith::sub;
  else if constexpr (std::is_same_v<OpTy, MulOp>)
    return ScalarArith::mul;
  else if constexpr (std::is_same_v<OpTy, DivOp>)
    return ScalarArith::div;
  else if constexpr (std::is_same_v<OpTy, NegOp>)
    return ScalarArith::neg;
  else
    return ScalarArith::none;
}

constexpr ScalarArith scalarArithOf(ComparePredicate p) {
  switch (p) {
  case ComparePredicate::eq:
    return ScalarArith::eq;
  case ComparePredicate::ne:
    return ScalarArith::ne;
  case ComparePredicate::lt:
    return ScalarArith::lt;
  case ComparePredicate::le:
    return ScalarArith::le;
  case ComparePredicate::gt:
    return ScalarArith::gt;
  case ComparePredicate::ge:
    return ScalarArith::ge;
  }
  return ScalarArith::none;
}

/// add/sub(self, other, alpha), mul, div(self, other, rounding_mode),
/// maximum, minimum; rsub(self, other, alpha) is SubOp on swapped operands.
template <typename OpTy, bool Reversed = false>
LogicalResult importBinary(NodeContext &c) {
  // rsub has no meaning on numbers here.
  constexpr ScalarArith arith =
      Reversed ? ScalarArith::none : scalarArithOf<OpTy>();
  if (auto r = tryScalarArithmetic(c, arith))
    return *r;
  Value lhs, rhs;
  if (failed(binaryOperands(c, Reversed ? 1 : 0, Reversed ? 0 : 1, lhs, rhs)))
    return failure();
  if constexpr (std::is_same_v<OpTy, AddOp> || std::is_same_v<OpTy, SubOp>) {
    double alpha = 1.0;
    if (c.numInputs() > 2) {
      FailureOr<double> a = c.require(c.number(2), 2, "alpha");
      if (failed(a))
        return failure();
      alpha = *a;
    }
    // rsub(self, other, alpha) = other - alpha * self; `lhs` is other.
    return c.bind(c.create<OpTy>(lhs, rhs, c.b().getF64FloatAttr(alpha)));
  } else if constexpr (std::is_same_v<OpTy, DivOp>) {
    // True division (rounding_mode None) computes in float.
    if (c.numInputs() > 2 && !c.isNone(2)) {
      std::optional<std::string> mode = c.string(2);
      if (mode && (*mode == "floor" || *mode == "trunc"))
        return importRoundedDivision(c, lhs, rhs, 1, *mode == "floor");
      return c.error() << "with rounding_mode '" << (mode ? *mode : "?")
                       << "' is not supported (expected None, 'trunc' or "
                          "'floor')";
    }
    Type quotient = trueDivisionType(elementOf(lhs));
    lhs = c.castTo(lhs, quotient);
    rhs = c.castTo(rhs, quotient);
    return c.bind(c.create<DivOp>(lhs, rhs));
  } else {
    return c.bind(c.create<OpTy>(lhs, rhs));
  }
}

template <ComparePredicate P> LogicalResult importCompare(NodeContext &c) {
  if (auto r = tryScalarArithmetic(c, scalarArithOf(P)))
    return *r;
  Value lhs, rhs;
  if (failed(binaryOperands(c, 0, 1, lhs, rhs)))
    return failure();
  return c.bind(c.create<CompareOp>(P, lhs, rhs));
}

/// where(cond, a, b) and masked_fill(self, mask, value) = where(mask, value, self).
template <bool MaskedFill> LogicalResult importWhere(NodeContext &c) {
  size_t condIdx = MaskedFill ? 1 : 0;
  size_t aIdx = MaskedFill ? 2 : 1, bIdx = MaskedFill ? 0 : 2;
  FailureOr<Value> cond = c.tensor(condIdx);
  if (failed(cond))
    return failure();
  Value a, b;
  if (failed(binaryOperands(c, aIdx, bIdx, a, b)))
    return failure();
  // masked_fill keeps self's dtype (an int64 tensor filled with 1.5 holds 1).
  if (MaskedFill) {
    FailureOr<Value> self = c.tensor(0);
    if (failed(self))
      return failure();
    a = c.castTo(a, elementOf(*self));
    b = c.castTo(b, elementOf(*self));
  }
  Value condition = c.castTo(*cond, c.b().getI1Type());
  SmallVector<Type> ignored;
  if (failed(inferWhereType(c.loc, condition.getType(), a.getType(),
                            b.getType(), ignored)))
    return failure();
  return c.bind(c.create<WhereOp>(condition, a, b));
}

template <typename OpTy> LogicalResult importUnary(NodeContext &c) {
  if (auto r = tryScalarArithmetic(c, scalarArithOf<OpTy>()))
    return *r;
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  Value v = *x;
  if (!isa<FloatType>(elementOf(v))) {
    // neg/abs/relu keep integer tensors; the rest compute in float.
    if constexpr (std::is_same_v<OpTy, NegOp> || std::is_same_v<OpTy, AbsOp>)
      return c.bind(c.create<OpTy>(v));
    v = c.castTo(v, Float32Type::get(c.b().getContext()));
  }
  return c.bind(c.create<OpTy>(v));
}

LogicalResult importRelu(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  if (!isa<FloatType>(elementOf(*x))) {
    Value zero = c.scalarConstant(elementOf(*x), 0);
    return c.bind(c.create<MaximumOp>(*x, zero));
  }
  return c.bind(c.create<ReluOp>(*x));
}

LogicalResult importGelu(NodeContext &c) {
  FailureOr<Value> x = floatOperand(c);
  if (failed(x))
    return failure();
  std::string approx = c.string(1).value_or("none");
  if (approx != "none" && approx != "tanh")
    return c.error() << "approximate='" << approx << "' is not supported";
  return c.bind(c.create<GeluOp>(*x, approx == "tanh"));
}

LogicalResult importLeakyRelu(NodeContext &c) {
  FailureOr<Value> x = floatOperand(c);
  if (failed(x))
    return failure();
  double slope = c.numInputs() > 1 ? c.number(1).value_or(0.01) : 0.01;
  return c.bind(c.create<LeakyReluOp>(*x, c.b().getF64FloatAttr(slope)));
}

LogicalResult importElu(NodeContext &c) {
  FailureOr<Value> x = floatOperand(c);
  if (failed(x))
    return failure();
  double alpha = c.number(1).value_or(1.0);
  if (c.number(2).value_or(1.0) != 1.0 || c.number(3).value_or(1.0) != 1.0)
    return c.error() << "with scale or input_scale other than 1 (selu, celu) "
                        "is not supported yet";
  return c.bind(c.create<EluOp>(*x, c.b().getF64FloatAttr(alpha)));
}

LogicalResult importSoftplus(NodeContext &c) {
  FailureOr<Value> x = floatOperand(c);
  if (failed(x))
    return failure();
  return c.bind(c.create<SoftplusOp>(
      *x, c.b().getF64FloatAttr(c.number(1).value_or(1.0)),
      c.b().getF64FloatAttr(c.number(2).value_or(20.0))));
}

enum class ClampKind { clamp, clampMin, clampMax, hardtanh, relu6 };

template <ClampKind Kind> LogicalResult importClamp(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  Value v = *x;
  if (!isa<FloatType>(elementOf(v)))
    v = c.castTo(v, Float32Type::get(c.b().getContext()));
  std::optional<double> lo, hi;
  if constexpr (Kind == ClampKind::relu6) {
    lo = 0.0;
    hi = 6.0;
  } else if constexpr (Kind == ClampKind::hardtanh) {
    lo = c.number(1).value_or(-1.0);
    hi = c.number(2).value_or(1.0);
  } else if constexpr (Kind == ClampKind::clampMin) {
    lo = c.number(1);
  } else if constexpr (Kind == ClampKind::clampMax) {
    hi = c.number(1);
  } else {
    if (!c.isNone(1))
      lo = c.number(1);
    if (!c.isNone(2))
      hi = c.number(2);
    if ((!c.isNone(1) && !lo) || (!c.isNone(2) && !hi))
      return c.error() << "with tensor bounds is not supported yet";
  }
  auto attr = [&](std::optional<double> d) {
    return d ? c.b().getF64FloatAttr(*d) : FloatAttr();
  };
  return c.bind(c.create<ClampOp>(v, attr(lo), attr(hi)));
}

LogicalResult importPow(NodeContext &c) {
  std::optional<double> e = c.number(1);
  if (!e)
    return c.error() << "with a tensor exponent is not supported yet";
  FailureOr<Value> x = floatOperand(c);
  if (failed(x))
    return failure();
  return c.bind(c.create<PowScalarOp>(*x, c.b().getF64FloatAttr(*e)));
}

LogicalResult importReciprocal(NodeContext &c) {
  FailureOr<Value> x = floatOperand(c);
  if (failed(x))
    return failure();
  return c.bind(c.create<PowScalarOp>(*x, c.b().getF64FloatAttr(-1.0)));
}

/// to(dtype), float(), long(), ...: a cast, or nothing.
LogicalResult importTo(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  std::optional<int64_t> dtype;
  for (size_t i = 1; i < c.numInputs() && !dtype; ++i)
    if (c.inputs()[i]->type()->kind() == c10::TypeKind::IntType &&
        c.node->schema().arguments().size() > i &&
        c.node->schema().arguments()[i].name() == "dtype")
      dtype = c.integer(i);
  if (!dtype) // to(device), to(memory_format), contiguous copies: no-ops
    return c.bind(*x);
  Type element = elementTypeOf(static_cast<at::ScalarType>(*dtype),
                               c.b().getContext());
  if (!element)
    return c.error() << "to dtype "
                     << c10::toString(static_cast<at::ScalarType>(*dtype))
                     << " is not supported";
  return c.bind(c.castTo(*x, element));
}

/// type_as(self, other): self cast to other's dtype.
LogicalResult importTypeAs(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  FailureOr<Value> other = c.tensor(1);
  if (failed(other))
    return failure();
  return c.bind(c.castTo(*x, elementOf(*other)));
}

/// contiguous, clone, detach, and the dropouts (`Dropout`) of eval mode.
template <bool Dropout> LogicalResult importIdentity(NodeContext &c) {
  if (Dropout && c.numInputs() > 2 && c.integer(2).value_or(0))
    return c.error() << "in training mode; call model.eval() before tracing";
  FailureOr<Value> x = c.tensor(0);
  return failed(x) ? failure() : c.bind(*x);
}

} // namespace

void mlir::kiln::detail::registerElementwiseOps(OpRegistry &registry) {
  registry.family("Elementwise")
      .add("aten::add", importBinary<AddOp>)
      .add("aten::sub", importBinary<SubOp>)
      .add("aten::rsub", importBinary<SubOp, /*Reversed=*/true>)
      .add("aten::mul", importBinary<MulOp>)
      .add("aten::div", importBinary<DivOp>)
      .add("aten::maximum", importBinary<MaximumOp>)
      .add("aten::minimum", importBinary<MinimumOp>)
      .add("aten::eq", importCompare<ComparePredicate::eq>)
      .add("aten::ne", importCompare<ComparePredicate::ne>)
      .add("aten::lt", importCompare<ComparePredicate::lt>)
      .add("aten::le", importCompare<ComparePredicate::le>)
      .add("aten::gt", importCompare<ComparePredicate::gt>)
      .add("aten::ge", importCompare<ComparePredicate::ge>)
      .add("aten::where", importWhere<false>)
      .add("aten::masked_fill", importWhere<true>)
      .add("aten::neg", importUnary<NegOp>)
      .add("aten::abs", importUnary<AbsOp>)
      .add("aten::exp", importUnary<ExpOp>)
      .add("aten::log", importUnary<LogOp>)
      .add("aten::expm1", importUnary<Expm1Op>)
      .add("aten::log1p", importUnary<Log1pOp>)
      .add("aten::sin", importUnary<SinOp>)
      .add("aten::cos", importUnary<CosOp>)
      .add("aten::sqrt", importUnary<SqrtOp>)
      .add("aten::rsqrt", importUnary<RsqrtOp>)
      .add("aten::erf", importUnary<ErfOp>)
      .add("aten::tanh", importUnary<TanhOp>)
      .add("aten::sigmoid", importUnary<SigmoidOp>)
      .add("aten::silu", importUnary<SiluOp>)
      .add("aten::hardswish", importUnary<HardswishOp>)
      .add("aten::hardsigmoid", importUnary<HardsigmoidOp>)
      .add("aten::relu", importRelu)
      .add("aten::gelu", importGelu)
      .add("aten::leaky_relu", importLeakyRelu)
      .add("aten::elu", importElu)
      .add("aten::softplus", importSoftplus)
      .add("aten::clamp", importClamp<ClampKind::clamp>)
      .add("aten::clamp_min", importClamp<ClampKind::clampMin>)
      .add("aten::clamp_max", importClamp<ClampKind::clampMax>)
      .add("aten::hardtanh", importClamp<ClampKind::hardtanh>)
      .add("aten::relu6", importClamp<ClampKind::relu6>)
      .add("aten::pow", importPow)
      .add("aten::reciprocal", importReciprocal)
      .add("aten::to", importTo)
      .add("aten::type_as", importTypeAs)
      .add("aten::contiguous", importIdentity<false>)
      .add("aten::clone", importIdentity<false>)
      .add("aten::detach", importIdentity<false>)
      .add("aten::dropout", importIdentity<true>)
      .add("aten::feature_dropout", importIdentity<true>)
      .add("aten::alpha_dropout", importIdentity<true>);
}
