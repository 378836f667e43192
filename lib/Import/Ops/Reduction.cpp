//===- Reduction.cpp - Reductions, scans and softmax ----------------------===//
#include "../OpRegistry.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::detail;

namespace {

/// sum/mean(self, dim=None|list, keepdim, dtype) and amax/amin(self, dim, keepdim).
template <ReduceKind kind> LogicalResult importReduce(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  int64_t rank = tensorType(*x).getRank();
  SmallVector<int64_t> dims;
  bool keepdim = false;
  // sum(self, dtype) / mean(self, dtype): all dims.
  bool allDims = c.numInputs() <= 2 && !c.intList(1);
  if (!allDims) {
    std::optional<SmallVector<int64_t>> list = c.intList(1);
    if (!list && !c.isNone(1))
      return c.error() << "needs constant dims";
    if (list && !list->empty()) {
      for (int64_t d : *list) {
        FailureOr<int64_t> n = c.dim(d, rank);
        if (failed(n))
          return failure();
        if (rank > 0 && !llvm::is_contained(dims, *n))
          dims.push_back(*n);
      }
    } else {
      allDims = true;
    }
    keepdim = c.integer(2).value_or(0);
  }
  if (allDims)
    for (int64_t i = 0; i < rank; ++i)
      dims.push_back(i);
  llvm::sort(dims);
  Value v = *x;
  // dtype argument (sum/mean): the last input when it is an int.
  bool hasDType = false;
  if ((kind == ReduceKind::sum || kind == ReduceKind::mean) && c.numInputs() > 1) {
    size_t last = c.numInputs() - 1;
    if (auto dt = c.integer(last);
        dt && c.node->schema().arguments()[last].name() == "dtype") {
      Type e = elementTypeOf(static_cast<at::ScalarType>(*dt), c.b().getContext());
      if (!e)
        return c.error() << "with this dtype is not supported";
      v = c.castTo(v, e);
      hasDType = true;
    }
  }
  // Without dtype=, sums of bools and integers accumulate in int64.
  if (kind == ReduceKind::sum && !hasDType)
    v = c.castTo(v, integralAccumulationType(elementOf(v)));
  if (kind == ReduceKind::mean && !isa<FloatType>(elementOf(v)))
    return c.error() << "needs a floating-point tensor, got "
                     << formatType(tensorType(v));
  SmallVector<Type> types;
  if (failed(inferReduceType(c.loc, v.getType(), dims, keepdim, types)))
    return failure();
  return c.bind(c.create<ReduceOp>(types[0], kind, v, dims, keepdim));
}

/// softmax(self, dim, dtype), or log_softmax when `Log`.
template <bool Log> LogicalResult importSoftmax(NodeContext &c) {
  FailureOr<Value> x = floatOperand(c);
  FailureOr<int64_t> raw = c.require(c.integer(1), 1, "dim");
  if (failed(x) || failed(raw))
    return failure();
  FailureOr<int64_t> d = c.dim(*raw, tensorType(*x).getRank());
  if (failed(d))
    return failure();
  Value v = c.withDTypeOperand(2, *x);
  return c.bind(c.create<SoftmaxOp>(v, *d, Log));
}

/// argmax(self, dim=None, keepdim).
LogicalResult importArgmax(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  Value v = *x;
  auto t = tensorType(v);
  bool keepdim = c.integer(2).value_or(0);
  int64_t dim;
  if (c.isNone(1)) { // over the flattened tensor
    v = c.create<ReshapeOp>(t.clone({t.getNumElements()}), v);
    dim = 0;
    keepdim = false;
  } else {
    FailureOr<int64_t> d = c.dim(c.integer(1).value_or(0), t.getRank());
    if (failed(d))
      return failure();
    dim = *d;
  }
  auto vt = tensorType(v);
  if (vt.getRank() == 0)
    return c.bind(c.scalarConstant(c.b().getI64Type(), 0));
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < vt.getRank(); ++i)
    if (i != dim)
      shape.push_back(vt.getDimSize(i));
    else if (keepdim)
      shape.push_back(1);
  auto outType = RankedTensorType::get(shape, c.b().getI64Type());
  return c.bind(c.create<ArgmaxOp>(outType, v, dim, keepdim));
}

/// cumsum(self, dim, dtype).
LogicalResult importCumsum(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  Value v = *x;
  if (c.integer(2))
    v = c.withDTypeOperand(2, v);
  else
    v = c.castTo(v, integralAccumulationType(elementOf(v)));
  auto t = tensorType(v);
  if (t.getRank() == 0)
    return c.bind(v);
  FailureOr<int64_t> d = c.dim(c.integer(1).value_or(0), t.getRank());
  if (failed(d))
    return failure();
  return c.bind(c.create<CumsumOp>(v, *d));
}

} // namespace

void mlir::kiln::detail::registerReductionOps(OpRegistry &registry) {
  registry.family("Reductions")
      .add("aten::sum", importReduce<ReduceKind::sum>)
      .add("aten::mean", importReduce<ReduceKind::mean>)
      .add("aten::amax", importReduce<ReduceKind::max>)
      .add("aten::amin", importReduce<ReduceKind::min>)
      .add("aten::argmax", importArgmax)
      .add("aten::cumsum", importCumsum)
      .add("aten::softmax", importSoftmax<false>)
      .add("aten::log_softmax", importSoftmax<true>);
}
