//===- Creation.cpp - Tensor creation: constants computed at import -------===//
#include "../OpRegistry.h"

#include <ATen/ATen.h>

#include <cmath>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::detail;

namespace {

/// arange(end), arange(start, end), arange(start, end, step), each followed
/// by dtype/layout/device/pin_memory: a constant computed here.
LogicalResult importArange(NodeContext &c) {
  size_t numbers = c.numInputs() - 4; // the trailing four are options
  if (numbers < 1 || numbers > 3)
    return c.error() << "with " << c.numInputs() << " operands is not supported";
  SmallVector<double> v;
  bool ints = true;
  for (size_t i = 0; i < numbers; ++i) {
    std::optional<double> n = c.number(i);
    if (!n)
      return c.error() << "needs constant bounds";
    ints &= c.integer(i).has_value();
    v.push_back(*n);
  }
  double start = numbers > 1 ? v[0] : 0, end = numbers > 1 ? v[1] : v[0];
  double step = numbers > 2 ? v[2] : 1;
  at::ScalarType dtype = ints ? at::kLong : at::kFloat;
  if (auto dt = c.integer(numbers))
    dtype = static_cast<at::ScalarType>(*dt);
  at::Tensor t = at::arange(start, end, step, at::TensorOptions().dtype(dtype));
  FailureOr<Value> r = c.im.emitTensorConstant(t, "arange", c.loc);
  return failed(r) ? failure() : c.bind(*r);
}

/// zeros/ones/full(size, [fill,] dtype, ...) and the *_like forms: constants.
enum class FillKind { zeros, ones, full };

template <FillKind Kind, bool Like> LogicalResult importFill(NodeContext &c) {
  constexpr bool like = Like, full = Kind == FillKind::full;
  SmallVector<int64_t> shape;
  at::ScalarType dtype = at::kFloat;
  size_t dtypeIdx = full ? 2 : 1;
  if (like) {
    FailureOr<Value> x = c.tensor(0);
    if (failed(x))
      return failure();
    shape.assign(tensorType(*x).getShape().begin(), tensorType(*x).getShape().end());
    Type e = elementOf(*x);
    for (at::ScalarType st : {at::kFloat, at::kDouble, at::kHalf, at::kLong,
                              at::kInt, at::kBool, at::kBFloat16})
      if (elementTypeOf(st, c.b().getContext()) == e)
        dtype = st;
  } else {
    std::optional<SmallVector<int64_t>> size = c.intList(0);
    if (!size)
      return c.error() << "needs a constant size";
    shape = *size;
  }
  if (auto dt = c.integer(dtypeIdx))
    dtype = static_cast<at::ScalarType>(*dt);
  double value = full ? c.number(1).value_or(NAN) : Kind == FillKind::ones ? 1 : 0;
  if (std::isnan(value) && full && !c.number(1))
    return c.error() << "needs a constant fill value";
  at::Tensor t = at::full(std::vector<int64_t>(shape.begin(), shape.end()),
                          value, at::TensorOptions().dtype(dtype));
  FailureOr<Value> r = c.im.emitTensorConstant(t, "", c.loc);
  return failed(r) ? failure() : c.bind(*r);
}

} // namespace

void mlir::kiln::detail::registerCreationOps(OpRegistry &registry) {
  registry.family("Tensor creation")
      .add("aten::arange", importArange)
      .add("aten::zeros", importFill<FillKind::zeros, false>)
      .add("aten::ones", importFill<FillKind::ones, false>)
      .add("aten::full", importFill<FillKind::full, false>)
      .add("aten::zeros_like", importFill<FillKind::zeros, true>)
      .add("aten::ones_like", importFill<FillKind::ones, true>)
      .add("aten::full_like", importFill<FillKind::full, true>);
}
