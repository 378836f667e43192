//===- Losses.cpp - Loss functions: elementwise terms and a reduction -----===//
//
// Each loss is its elementwise term, as PyTorch's kernels compute it,
// followed by the `reduction` argument: 0 none, 1 mean, 2 sum.
//
//===----------------------------------------------------------------------===//
#include "../OpRegistry.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::detail;

namespace {

/// The elementwise helpers a loss term is written with.
struct Terms {
  NodeContext &c;
  Type e;
  FloatAttr one;

  Value k(double v) { return c.scalarConstant(e, v); }
  Value add(Value a, Value b) { return c.create<AddOp>(a, b, one); }
  Value sub(Value a, Value b) { return c.create<SubOp>(a, b, one); }
  Value mul(Value a, Value b) { return c.create<MulOp>(a, b); }
  Value div(Value a, Value b) { return c.create<DivOp>(a, b); }
  Value max(Value a, Value b) { return c.create<MaximumOp>(a, b); }
  Value abs(Value a) { return c.create<AbsOp>(a); }
  Value log(Value a) { return c.create<LogOp>(a); }
  Value lt(Value a, Value b) {
    return c.create<CompareOp>(ComparePredicate::lt, a, b);
  }
  Value where(Value cond, Value a, Value b) {
    return c.create<WhereOp>(cond, a, b);
  }
  /// log1p(e^-|x|) + max(-x, 0) = log(1 + e^-x) without overflow.
  Value softplusNeg(Value x) {
    Value negAbs = c.create<NegOp>(abs(x));
    return add(c.create<Log1pOp>(c.create<ExpOp>(negAbs)),
               max(c.create<NegOp>(x), k(0)));
  }
};

/// Operands `indices` as float tensors of one shape (the traced graph
/// broadcast them already; anything else is refused).
FailureOr<SmallVector<Value>> sameShapeFloats(NodeContext &c,
                                              ArrayRef<size_t> indices) {
  SmallVector<Value> out;
  for (size_t i : indices) {
    FailureOr<Value> v = c.tensor(i);
    if (failed(v))
      return failure();
    if (!isa<FloatType>(elementOf(*v)))
      return c.error() << "needs floating-point tensors, got "
                       << formatType(tensorType(*v)),
             failure();
    if (!out.empty() && v->getType() != out[0].getType())
      return c.error() << "needs operands of one shape and dtype, got "
                       << formatType(tensorType(out[0])) << " and "
                       << formatType(tensorType(*v)),
             failure();
    out.push_back(*v);
  }
  return out;
}

/// Applies the loss's `reduction` (input `i`) to the elementwise term.
LogicalResult bindReduced(NodeContext &c, Value term, size_t i) {
  FailureOr<int64_t> reduction = c.require(c.integer(i), i, "reduction");
  if (failed(reduction))
    return failure();
  if (*reduction == 0)
    return c.bind(term);
  if (*reduction != 1 && *reduction != 2)
    return c.error() << "reduction " << *reduction
                     << " is not supported (expected 0, 1 or 2)";
  auto t = tensorType(term);
  SmallVector<int64_t> dims;
  for (int64_t d = 0; d < t.getRank(); ++d)
    dims.push_back(d);
  ReduceKind kind = *reduction == 1 ? ReduceKind::mean : ReduceKind::sum;
  return c.bind(c.create<ReduceOp>(RankedTensorType::get({}, t.getElementType()),
                                   kind, term, dims, false));
}

/// The optional `weight` (input `i`), broadcast against the term.
FailureOr<Value> weighted(NodeContext &c, Value term, size_t i) {
  Value w;
  if (failed(c.optionalTensor(i, w)))
    return failure();
  if (!w)
    return term;
  SmallVector<Type> ignored;
  if (failed(inferBroadcastType(c.loc, c.kind, w.getType(), term.getType(),
                                ignored)) ||
      ignored[0] != term.getType())
    return c.error() << "weight " << formatType(tensorType(w))
                     << " does not broadcast to "
                     << formatType(tensorType(term)),
           failure();
  return Value(c.create<MulOp>(c.castTo(w, elementOf(term)), term));
}

enum class Loss { mse, l1, smoothL1, huber, softMargin };

/// mse, l1, smooth_l1(beta), huber(delta), soft_margin of (self, target).
template <Loss Kind> LogicalResult importPointwiseLoss(NodeContext &c) {
  FailureOr<SmallVector<Value>> xs = sameShapeFloats(c, {0, 1});
  if (failed(xs))
    return failure();
  Value x = (*xs)[0], y = (*xs)[1];
  Terms t{c, elementOf(x), c.b().getF64FloatAttr(1.0)};
  Value d = t.sub(x, y), term;
  switch (Kind) {
  case Loss::mse:
    term = t.mul(d, d);
    break;
  case Loss::l1:
    term = t.abs(d);
    break;
  case Loss::smoothL1:
  case Loss::huber: {
    double p = c.numInputs() > 3 ? c.number(3).value_or(1.0) : 1.0;
    if (p < 0)
      return c.error() << "needs a non-negative beta or delta, got " << p;
    Value a = t.abs(d);
    if (Kind == Loss::smoothL1 && p == 0) {
      term = a;
      break;
    }
    Value quad = t.mul(t.k(0.5), t.mul(d, d));
    if (Kind == Loss::smoothL1)
      term = t.where(t.lt(a, t.k(p)), t.div(quad, t.k(p)),
                     t.sub(a, t.k(0.5 * p)));
    else
      term = t.where(t.lt(a, t.k(p)), quad,
                     t.mul(t.k(p), t.sub(a, t.k(0.5 * p))));
    break;
  }
  case Loss::softMargin: // log(1 + e^(-y x))
    term = t.softplusNeg(t.mul(y, x));
    break;
  }
  return bindReduced(c, term, 2);
}

/// binary_cross_entropy(self, target, weight, reduction): the logs clamped
/// at -100, as PyTorch's.
LogicalResult importBCE(NodeContext &c) {
  FailureOr<SmallVector<Value>> xs = sameShapeFloats(c, {0, 1});
  if (failed(xs))
    return failure();
  Value p = (*xs)[0], y = (*xs)[1];
  Terms t{c, elementOf(p), c.b().getF64FloatAttr(1.0)};
  Value logP = t.max(t.log(p), t.k(-100));
  Value log1mP = t.max(t.log(t.sub(t.k(1), p)), t.k(-100));
  Value term = c.create<NegOp>(
      t.add(t.mul(y, logP), t.mul(t.sub(t.k(1), y), log1mP)));
  FailureOr<Value> w = weighted(c, term, 2);
  return failed(w) ? failure() : bindReduced(c, *w, 3);
}

/// binary_cross_entropy_with_logits(self, target, weight, pos_weight,
/// reduction): (1 - y) x + (1 + (pw - 1) y) log(1 + e^-x).
LogicalResult importBCEWithLogits(NodeContext &c) {
  FailureOr<SmallVector<Value>> xs = sameShapeFloats(c, {0, 1});
  if (failed(xs))
    return failure();
  Value x = (*xs)[0], y = (*xs)[1];
  Terms t{c, elementOf(x), c.b().getF64FloatAttr(1.0)};
  Value soft = t.softplusNeg(x);
  Value pw;
  if (failed(c.optionalTensor(3, pw)))
    return failure();
  if (pw) {
    if (failed(checkBroadcast(c, pw, y)))
      return failure();
    Value logWeight =
        t.add(t.mul(t.sub(c.castTo(pw, t.e), t.k(1)), y), t.k(1));
    soft = t.mul(logWeight, soft);
    if (soft.getType() != x.getType())
      return c.error() << "pos_weight " << formatType(tensorType(pw))
                       << " does not broadcast to " << formatType(tensorType(x));
  }
  Value term = t.add(t.mul(t.sub(t.k(1), y), x), soft);
  FailureOr<Value> w = weighted(c, term, 2);
  return failed(w) ? failure() : bindReduced(c, *w, 4);
}

/// kl_div(self, target, reduction, log_target): target (log target - self),
/// 0 where target is 0; with log_target, e^target (target - self).
LogicalResult importKLDiv(NodeContext &c) {
  FailureOr<SmallVector<Value>> xs = sameShapeFloats(c, {0, 1});
  if (failed(xs))
    return failure();
  Value x = (*xs)[0], y = (*xs)[1];
  Terms t{c, elementOf(x), c.b().getF64FloatAttr(1.0)};
  bool logTarget = c.numInputs() > 3 && c.integer(3).value_or(0);
  Value term;
  if (logTarget)
    term = t.mul(c.create<ExpOp>(y), t.sub(y, x));
  else
    term = t.sub(c.create<XLogYOp>(y, y), t.mul(y, x));
  return bindReduced(c, term, 2);
}

} // namespace

void mlir::kiln::detail::registerLossesOps(OpRegistry &registry) {
  registry.family("Losses")
      .add("aten::mse_loss", importPointwiseLoss<Loss::mse>)
      .add("aten::l1_loss", importPointwiseLoss<Loss::l1>)
      .add("aten::smooth_l1_loss", importPointwiseLoss<Loss::smoothL1>)
      .add("aten::huber_loss", importPointwiseLoss<Loss::huber>)
      .add("aten::soft_margin_loss", importPointwiseLoss<Loss::softMargin>)
      .add("aten::binary_cross_entropy", importBCE)
      .add("aten::binary_cross_entropy_with_logits", importBCEWithLogits)
      .add("aten::kl_div", importKLDiv);
}
