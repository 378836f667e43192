//===- Linear.cpp - Linear algebra: linear, matmul and friends ------------===//
#include "../OpRegistry.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::detail;

namespace {

LogicalResult importLinear(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0), w = c.tensor(1);
  if (failed(x) || failed(w))
    return failure();
  Value bias;
  if (failed(c.optionalTensor(2, bias)))
    return failure();
  SmallVector<Type> ignored;
  if (failed(inferLinearType(c.loc, x->getType(), w->getType(),
                             bias ? bias.getType() : Type(), ignored)))
    return failure();
  return c.bind(c.create<LinearOp>(*x, *w, bias));
}

/// matmul, or mm / bmm when `Rank` (2 or 3) is the rank both must have.
template <int64_t Rank> LogicalResult importMatmul(NodeContext &c) {
  FailureOr<Value> a = c.tensor(0), b = c.tensor(1);
  if (failed(a) || failed(b))
    return failure();
  constexpr int64_t want = Rank;
  if (want && (tensorType(*a).getRank() != want || tensorType(*b).getRank() != want))
    return c.error() << "needs " << want << "-D tensors, got "
                     << formatType(a->getType()) << " and "
                     << formatType(b->getType());
  FailureOr<Value> r = matmul(c, *a, *b);
  return failed(r) ? failure() : c.bind(*r);
}

/// addmm/baddbmm(self, a, b, beta, alpha) = beta * self + alpha * (a @ b).
LogicalResult importAddmm(NodeContext &c) {
  FailureOr<Value> self = c.tensor(0), a = c.tensor(1), b = c.tensor(2);
  if (failed(self) || failed(a) || failed(b))
    return failure();
  FailureOr<Value> prod = matmul(c, *a, *b);
  if (failed(prod))
    return failure();
  double beta = c.number(3).value_or(1.0), alpha = c.number(4).value_or(1.0);
  Value acc = *self;
  Type e = elementOf(*prod);
  if (beta != 1.0)
    acc = c.create<MulOp>(acc, c.scalarConstant(e, beta));
  SmallVector<Type> ignored;
  if (failed(inferBroadcastType(c.loc, "kiln.add", acc.getType(),
                                prod->getType(), ignored)))
    return failure();
  if (beta == 0.0) // PyTorch ignores self (even NaN) when beta is 0
    return c.bind(alpha == 1.0 ? *prod
                               : Value(c.create<MulOp>(
                                     *prod, c.scalarConstant(e, alpha))));
  return c.bind(c.create<AddOp>(acc, *prod, c.b().getF64FloatAttr(alpha)));
}

} // namespace

void mlir::kiln::detail::registerLinearOps(OpRegistry &registry) {
  registry.family("Linear algebra")
      .add("aten::linear", importLinear)
      .add("aten::matmul", importMatmul<0>)
      .add("aten::mm", importMatmul<2>)
      .add("aten::bmm", importMatmul<3>)
      .add("aten::addmm", importAddmm)
      .add("aten::baddbmm", importAddmm);
}
