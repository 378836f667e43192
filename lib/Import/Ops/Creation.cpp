//===- Creation.cpp - Tensor creation: constants computed at import -------===//
#include "../OpRegistry.h"

#include <ATen/ATen.h>
#include <torch/csrc/jit/ir/ir.h>

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
  int64_t count = 1;
  for (int64_t d : shape) {
    if (d < 0)
      return c.error() << "has a negative size " << d;
    if (d && count > (int64_t(1) << 28) / d)
      return c.error() << "would create more than " << (int64_t(1) << 28)
                       << " elements at compile time";
    count *= d;
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

/// At most this many elements are created at compile time.
constexpr int64_t kMaxCreatedElements = int64_t(1) << 28;

/// The torch dtype of a Kiln element type.
std::optional<at::ScalarType> scalarTypeFor(Type e, MLIRContext *ctx) {
  for (at::ScalarType st :
       {at::kFloat, at::kDouble, at::kHalf, at::kBFloat16, at::kLong, at::kInt,
        at::kShort, at::kChar, at::kByte, at::kBool})
    if (elementTypeOf(st, ctx) == e)
      return st;
  return std::nullopt;
}

/// An upper bound of what the node creates, from its size-like arguments.
int64_t sizeEstimate(NodeContext &c) {
  const auto &args = c.node->schema().arguments();
  int64_t n = 1;
  bool square = false; // eye(n) is n x n
  for (size_t i = 0; i < args.size() && i < c.numInputs(); ++i) {
    StringRef name = args[i].name();
    if (name == "n")
      square = true;
    if (name == "m" && !c.isNone(i))
      square = false;
    if (name != "size" && name != "n" && name != "m" && name != "steps" &&
        name != "row" && name != "col")
      continue;
    std::optional<SmallVector<int64_t>> dims = c.intList(i);
    for (int64_t d : dims.value_or(SmallVector<int64_t>{}))
      n = d > 0 ? (n > kMaxCreatedElements / d ? kMaxCreatedElements + 1 : n * d)
                : n;
  }
  if (square)
    n = n > kMaxCreatedElements / std::max<int64_t>(n, 1) ? kMaxCreatedElements + 1
                                                          : n * n;
  return n;
}

/// Creation ops libtorch evaluates at import: every operand a constant,
/// or, with `Placeholder`, operand 0 a tensor whose values the op does not
/// read (the self of *_like and new_*: zeros of its shape and dtype stand
/// in). `Uninitialized` ops (empty*) give zeros, so that constants are
/// deterministic.
template <bool Placeholder, bool Uninitialized = false>
LogicalResult importEvaluated(NodeContext &c) {
  if (sizeEstimate(c) > kMaxCreatedElements)
    return c.error() << "would create more than " << kMaxCreatedElements
                     << " elements at compile time";
  torch::jit::Stack stack;
  for (size_t i = 0; i < c.numInputs(); ++i) {
    if (std::optional<c10::IValue> k = c.constant(i)) {
      stack.push_back(*k);
      continue;
    }
    if (!Placeholder || i != 0)
      return c.error() << "needs constant operands (operand " << i
                       << " is computed at run time)";
    FailureOr<Value> x = c.tensor(0);
    if (failed(x))
      return failure();
    std::optional<at::ScalarType> st =
        scalarTypeFor(elementOf(*x), c.b().getContext());
    if (!st)
      return c.error() << "of a " << formatType(tensorType(*x))
                       << " tensor is not supported";
    ArrayRef<int64_t> shape = tensorType(*x).getShape();
    stack.push_back(at::zeros(std::vector<int64_t>(shape.begin(), shape.end()),
                              at::TensorOptions().dtype(*st)));
  }
  try {
    c.node->getOperation()(stack);
  } catch (const std::exception &e) {
    std::string what = e.what();
    return c.error() << "cannot be evaluated at compile time: "
                     << what.substr(0, what.find('\n'));
  }
  if (stack.size() != 1 || !stack.back().isTensor())
    return c.error() << "did not give one tensor";
  at::Tensor t = stack.back().toTensor().contiguous();
  if (t.numel() > kMaxCreatedElements)
    return c.error() << "would create more than " << kMaxCreatedElements
                     << " elements at compile time";
  if (Uninitialized)
    t.zero_();
  FailureOr<Value> r = c.im.emitTensorConstant(t, "", c.loc);
  return failed(r) ? failure() : c.bind(*r);
}

/// tril/triu(self, diagonal): self where the constant mask (computed by
/// libtorch over the last two dims) holds, else 0.
template <bool Upper> LogicalResult importTriangle(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  auto t = tensorType(*x);
  if (t.getRank() < 2)
    return c.error() << "needs a tensor of rank 2 or more, got "
                     << formatType(t);
  int64_t k = c.numInputs() > 1 ? c.integer(1).value_or(0) : 0;
  int64_t rows = t.getDimSize(t.getRank() - 2), cols = t.getDimSize(t.getRank() - 1);
  at::Tensor ones = at::ones({rows, cols}, at::TensorOptions().dtype(at::kBool));
  at::Tensor mask = Upper ? ones.triu(k) : ones.tril(k);
  FailureOr<Value> m = c.im.emitTensorConstant(mask.contiguous(), "", c.loc);
  if (failed(m))
    return failure();
  return c.bind(c.create<WhereOp>(*m, *x, c.scalarConstant(t.getElementType(), 0)));
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
      .add("aten::full_like", importFill<FillKind::full, true>)
      .add("aten::empty", importEvaluated<false, true>)
      .add("aten::empty_like", importEvaluated<true, true>)
      .add("aten::new_empty", importEvaluated<true, true>)
      .add("aten::new_zeros", importEvaluated<true>)
      .add("aten::new_ones", importEvaluated<true>)
      .add("aten::new_full", importEvaluated<true>)
      .add("aten::eye", importEvaluated<false>)
      .add("aten::linspace", importEvaluated<false>)
      .add("aten::logspace", importEvaluated<false>)
      .add("aten::tril_indices", importEvaluated<false>)
      .add("aten::triu_indices", importEvaluated<false>)
      .add("aten::scalar_tensor", importEvaluated<false>)
      .add("aten::fill", importEvaluated<true>)
      .add("aten::zero", importEvaluated<true>)
      .add("aten::tril", importTriangle<false>)
      .add("aten::triu", importTriangle<true>);
}
