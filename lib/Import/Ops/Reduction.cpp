//===- Reduction.cpp - Reductions, scans and softmax ----------------------===//
#include "../OpRegistry.h"

#include <cmath>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::detail;

namespace {

/// The index of the schema argument `name`, if the node's overload has it.
std::optional<size_t> argument(NodeContext &c, StringRef name) {
  const auto &args = c.node->schema().arguments();
  for (size_t i = 0; i < args.size() && i < c.numInputs(); ++i)
    if (args[i].name() == name)
      return i;
  return std::nullopt;
}

/// The reduction's dims, keepdim and dtype from the schema's `dim`,
/// `keepdim` and `dtype` arguments (each optional): no `dim`, None or []
/// reduce every dim.
struct ReduceArgs {
  SmallVector<int64_t> dims;
  bool keepdim = false;
  Type dtype; // null: none given
};

FailureOr<ReduceArgs> reduceArgs(NodeContext &c, int64_t rank,
                                 StringRef dimName = "dim") {
  ReduceArgs r;
  std::optional<size_t> dim = argument(c, dimName);
  bool all = !dim || c.isNone(*dim);
  if (!all) {
    std::optional<SmallVector<int64_t>> list = c.intList(*dim);
    if (!list)
      return c.error() << "needs constant dims", failure();
    all = list->empty();
    for (int64_t d : *list) {
      FailureOr<int64_t> n = c.dim(d, rank);
      if (failed(n))
        return failure();
      if (rank > 0 && !llvm::is_contained(r.dims, *n))
        r.dims.push_back(*n);
    }
  }
  if (all)
    for (int64_t i = 0; i < rank; ++i)
      r.dims.push_back(i);
  llvm::sort(r.dims);
  if (std::optional<size_t> k = argument(c, "keepdim"))
    r.keepdim = c.integer(*k).value_or(0);
  if (std::optional<size_t> d = argument(c, "dtype"); d && !c.isNone(*d)) {
    std::optional<int64_t> code = c.integer(*d);
    r.dtype = code ? elementTypeOf(static_cast<at::ScalarType>(*code),
                                   c.b().getContext())
                   : Type();
    if (!r.dtype)
      return c.error() << "with this dtype is not supported", failure();
  }
  return r;
}

/// Operand 0, which must be floating point, and the reduction's arguments.
FailureOr<ReduceArgs> floatReduction(NodeContext &c, Value &x) {
  FailureOr<Value> t = c.tensor(0);
  if (failed(t))
    return failure();
  if (!isa<FloatType>(elementOf(*t)))
    return c.error() << "needs a floating-point tensor, got "
                     << formatType(tensorType(*t)),
           failure();
  x = *t;
  return reduceArgs(c, tensorType(x).getRank());
}

Value reduce(NodeContext &c, ReduceKind kind, Value v, const ReduceArgs &r,
             bool keepdim) {
  SmallVector<Type> types;
  if (failed(inferReduceType(c.loc, v.getType(), r.dims, keepdim, types)))
    return nullptr;
  return c.create<ReduceOp>(types[0], kind, v, r.dims, keepdim);
}

/// The number of elements a reduction over `dims` combines.
int64_t reducedCount(Value v, ArrayRef<int64_t> dims) {
  int64_t n = 1;
  for (int64_t d : dims)
    n *= tensorType(v).getDimSize(d);
  return n;
}

/// sum, mean, prod, amax, amin, all, any over `dim` (None, an int or a
/// list), keepdim and dtype; nansum and nanmean skip NaN.
template <ReduceKind kind, bool SkipNan = false>
LogicalResult importReduce(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  FailureOr<ReduceArgs> r = reduceArgs(c, tensorType(*x).getRank());
  if (failed(r))
    return failure();
  Value v = *x;
  if (r->dtype)
    v = c.castTo(v, r->dtype);
  // Without dtype=, sums and products of bools and integers are int64.
  else if (kind == ReduceKind::sum || kind == ReduceKind::prod)
    v = c.castTo(v, integralAccumulationType(elementOf(v)));
  if (kind == ReduceKind::all || kind == ReduceKind::any)
    v = c.castTo(v, c.b().getI1Type());
  if (kind == ReduceKind::mean && !isa<FloatType>(elementOf(v)))
    return c.error() << "needs a floating-point tensor, got "
                     << formatType(tensorType(v));
  if (SkipNan) {
    if (!isa<FloatType>(elementOf(v)) && kind == ReduceKind::mean)
      return c.error() << "needs a floating-point tensor";
    if (isa<FloatType>(elementOf(v))) {
      Value nan = c.create<IsNanOp>(tensorType(v).clone(c.b().getI1Type()), v);
      Value zero = c.scalarConstant(elementOf(v), 0);
      Value kept = c.create<WhereOp>(nan, zero, v);
      if (kind == ReduceKind::mean) { // sum of the rest / their count
        Value count = c.create<CastOp>(
            tensorType(v), c.create<CompareOp>(ComparePredicate::eq, nan,
                                               c.scalarConstant(c.b().getI1Type(), 0)));
        Value sum = reduce(c, ReduceKind::sum, kept, *r, r->keepdim);
        Value n = reduce(c, ReduceKind::sum, count, *r, r->keepdim);
        if (!sum || !n)
          return failure();
        return c.bind(c.create<DivOp>(sum, n));
      }
      v = kept;
    }
  }
  Value out = reduce(c, kind, v, *r, r->keepdim);
  return out ? c.bind(out) : failure();
}

/// var, std, var_mean, std_mean: sum((x - mean)^2) / (N - correction),
/// correction from `unbiased` (1 or 0) or `correction`.
template <bool Std, bool WithMean> LogicalResult importVariance(NodeContext &c) {
  Value x;
  FailureOr<ReduceArgs> r = floatReduction(c, x);
  if (failed(r))
    return failure();
  double correction = 1;
  if (std::optional<size_t> u = argument(c, "unbiased"); u && !c.isNone(*u))
    correction = c.integer(*u).value_or(1) ? 1 : 0;
  if (std::optional<size_t> k = argument(c, "correction"); k && !c.isNone(*k)) {
    FailureOr<double> n = c.require(c.number(*k), *k, "correction");
    if (failed(n))
      return failure();
    correction = *n;
  }
  Value v = x;
  Type e = elementOf(v);
  Value mean = reduce(c, ReduceKind::mean, v, *r, /*keepdim=*/true);
  if (!mean)
    return failure();
  auto one = c.b().getF64FloatAttr(1.0);
  Value centered = c.create<SubOp>(v, mean, one);
  Value sq = c.create<MulOp>(centered, centered);
  Value sum = reduce(c, ReduceKind::sum, sq, *r, r->keepdim);
  // max(N - correction, 0), as PyTorch: 0 gives inf or NaN.
  double denom = std::max(0.0, double(reducedCount(v, r->dims)) - correction);
  Value var = c.create<DivOp>(sum, c.scalarConstant(e, denom));
  Value result = Std ? c.create<SqrtOp>(var) : var;
  if (failed(c.bind(result)))
    return failure();
  if (!WithMean)
    return success();
  Value m = r->keepdim ? mean : reduce(c, ReduceKind::mean, v, *r, false);
  return m ? c.bind(m, 1) : failure();
}

/// logsumexp(self, dim, keepdim): max + log(sum(exp(x - max))), with
/// infinite maxima shifted by 0 (as PyTorch's).
LogicalResult importLogsumexp(NodeContext &c) {
  FailureOr<Value> x = floatOperand(c);
  if (failed(x))
    return failure();
  FailureOr<ReduceArgs> r = reduceArgs(c, tensorType(*x).getRank());
  if (failed(r))
    return failure();
  Type e = elementOf(*x);
  Value m = reduce(c, ReduceKind::max, *x, *r, true);
  if (!m)
    return failure();
  Value inf = c.create<CompareOp>(ComparePredicate::eq, c.create<AbsOp>(m),
                                  c.scalarConstant(e, INFINITY));
  m = c.create<WhereOp>(inf, c.scalarConstant(e, 0), m);
  auto one = c.b().getF64FloatAttr(1.0);
  Value sum = reduce(c, ReduceKind::sum,
                     c.create<ExpOp>(c.create<SubOp>(*x, m, one)), *r, r->keepdim);
  if (!sum)
    return failure();
  Value shift = m;
  if (!r->keepdim) {
    shift = reduce(c, ReduceKind::max, m, *r, false); // drops the kept dims
    if (!shift)
      return failure();
  }
  return c.bind(c.create<AddOp>(c.create<LogOp>(sum), shift, one));
}

/// count_nonzero(self, dim): an int64 sum of x != 0.
LogicalResult importCountNonzero(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  FailureOr<ReduceArgs> r = reduceArgs(c, tensorType(*x).getRank());
  if (failed(r))
    return failure();
  Value nz = c.create<CompareOp>(ComparePredicate::ne, *x,
                                 c.scalarConstant(elementOf(*x), 0));
  Value out = reduce(c, ReduceKind::sum, c.castTo(nz, c.b().getI64Type()), *r,
                     false);
  return out ? c.bind(out) : failure();
}

/// The p-norm over dims: norm(self, p, dim, keepdim), linalg_vector_norm
/// (self, ord, dim, keepdim, dtype), frobenius_norm (p = 2), linalg_norm of
/// vectors (ord None or a number with one dim).
LogicalResult importNorm(NodeContext &c) {
  Value x;
  FailureOr<ReduceArgs> r = floatReduction(c, x);
  if (failed(r))
    return failure();
  double p = 2;
  std::optional<size_t> ord = argument(c, "p");
  if (!ord)
    ord = argument(c, "ord");
  if (ord && !c.isNone(*ord)) {
    FailureOr<double> n = c.require(c.number(*ord), *ord, "p");
    if (failed(n))
      return failure();
    p = *n;
  }
  if (c.kind == "aten::linalg_norm" && ord && !c.isNone(*ord) &&
      r->dims.size() != 1)
    return c.error() << "of a matrix (two dims) with ord " << p
                     << " is not supported (only vector norms)";
  Value v = r->dtype ? c.castTo(x, r->dtype) : x;
  Type e = elementOf(v);
  Value a = c.create<AbsOp>(v);
  Value out;
  if (std::isinf(p)) {
    out = reduce(c, p > 0 ? ReduceKind::max : ReduceKind::min, a, *r, r->keepdim);
  } else if (p == 0) {
    Value nz = c.create<CompareOp>(ComparePredicate::ne, v, c.scalarConstant(e, 0));
    out = reduce(c, ReduceKind::sum, c.create<CastOp>(tensorType(v), nz), *r,
                 r->keepdim);
  } else if (p == 1) {
    out = reduce(c, ReduceKind::sum, a, *r, r->keepdim);
  } else if (p == 2) {
    Value s = reduce(c, ReduceKind::sum, c.create<MulOp>(v, v), *r, r->keepdim);
    out = s ? c.create<SqrtOp>(s) : Value();
  } else {
    Value s = reduce(c, ReduceKind::sum,
                     c.create<PowScalarOp>(a, c.b().getF64FloatAttr(p)), *r,
                     r->keepdim);
    out = s ? c.create<PowScalarOp>(s, c.b().getF64FloatAttr(1.0 / p)) : Value();
  }
  return out ? c.bind(out) : failure();
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

/// v with its order reversed, so that argmax finds argmin: -x for floats
/// (NaN stays the pick), ~x for integers and bool (no overflow).
Value orderReversed(NodeContext &c, Value v) {
  if (isa<FloatType>(elementOf(v)))
    return c.create<NegOp>(v);
  return c.create<BitwiseXorOp>(v, c.scalarConstant(elementOf(v), -1));
}

/// The index (int64) of the first maximum (minimum with `Min`) along dim.
template <bool Min>
Value argExtreme(NodeContext &c, Value v, int64_t dim, bool keepdim) {
  if (Min)
    v = orderReversed(c, v);
  auto vt = tensorType(v);
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < vt.getRank(); ++i)
    if (i != dim)
      shape.push_back(vt.getDimSize(i));
    else if (keepdim)
      shape.push_back(1);
  auto outType = RankedTensorType::get(shape, c.b().getI64Type());
  return c.create<ArgmaxOp>(outType, v, dim, keepdim);
}

/// argmax/argmin(self, dim=None, keepdim).
template <bool Min> LogicalResult importArgExtreme(NodeContext &c) {
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
  if (tensorType(v).getRank() == 0)
    return c.bind(c.scalarConstant(c.b().getI64Type(), 0));
  if (tensorType(v).getDimSize(dim) == 0)
    return c.error() << "of an empty dim is not defined (PyTorch raises)";
  Value r = argExtreme<Min>(c, v, dim, keepdim);
  // dim=None with keepdim: every dim of the input kept as 1.
  if (c.isNone(1) && c.integer(2).value_or(0) && t.getRank() > 0)
    r = c.create<ReshapeOp>(
        RankedTensorType::get(SmallVector<int64_t>(t.getRank(), 1),
                              c.b().getI64Type()),
        r);
  return c.bind(r);
}

/// max/min: of everything (self), elementwise (self, other), or along a dim
/// with indices (self, dim, keepdim) -> (values, indices).
template <bool Min> LogicalResult importMaxMin(NodeContext &c) {
  constexpr ReduceKind kind = Min ? ReduceKind::min : ReduceKind::max;
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  int64_t rank = tensorType(*x).getRank();
  if (c.numInputs() == 1) {
    if (tensorType(*x).getNumElements() == 0)
      return c.error() << "of an empty tensor is not defined (PyTorch raises)";
    FailureOr<ReduceArgs> r = reduceArgs(c, rank);
    if (failed(r))
      return failure();
    Value out = reduce(c, kind, *x, *r, false);
    return out ? c.bind(out) : failure();
  }
  if (!argument(c, "dim")) { // max.other
    Value a, b;
    if (failed(binaryOperands(c, 0, 1, a, b)))
      return failure();
    if (Min)
      return c.bind(c.create<MinimumOp>(a, b));
    return c.bind(c.create<MaximumOp>(a, b));
  }
  FailureOr<ReduceArgs> r = reduceArgs(c, rank);
  if (failed(r))
    return failure();
  if (rank == 0) // values and index of a 0-d tensor: itself and 0
    return failed(c.bind(*x)) ? failure()
                              : c.bind(c.scalarConstant(c.b().getI64Type(), 0), 1);
  if (tensorType(*x).getDimSize(r->dims[0]) == 0)
    return c.error() << "of an empty dim is not defined (PyTorch raises)";
  Value values = reduce(c, kind, *x, *r, r->keepdim);
  if (!values || failed(c.bind(values)))
    return failure();
  return c.bind(argExtreme<Min>(c, *x, r->dims[0], r->keepdim), 1);
}

/// aminmax(self, dim=None, keepdim) -> (min, max).
LogicalResult importAminmax(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  FailureOr<ReduceArgs> r = reduceArgs(c, tensorType(*x).getRank());
  if (failed(r))
    return failure();
  Value lo = reduce(c, ReduceKind::min, *x, *r, r->keepdim);
  Value hi = reduce(c, ReduceKind::max, *x, *r, r->keepdim);
  if (!lo || !hi || failed(c.bind(lo)))
    return failure();
  return c.bind(hi, 1);
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
      .add("aten::nansum", importReduce<ReduceKind::sum, true>)
      .add("aten::nanmean", importReduce<ReduceKind::mean, true>)
      .add("aten::prod", importReduce<ReduceKind::prod>)
      .add("aten::amax", importReduce<ReduceKind::max>)
      .add("aten::amin", importReduce<ReduceKind::min>)
      .add("aten::all", importReduce<ReduceKind::all>)
      .add("aten::any", importReduce<ReduceKind::any>)
      .add("aten::max", importMaxMin<false>)
      .add("aten::min", importMaxMin<true>)
      .add("aten::aminmax", importAminmax)
      .add("aten::argmax", importArgExtreme<false>)
      .add("aten::argmin", importArgExtreme<true>)
      .add("aten::var", importVariance<false, false>)
      .add("aten::std", importVariance<true, false>)
      .add("aten::var_mean", importVariance<false, true>)
      .add("aten::std_mean", importVariance<true, true>)
      .add("aten::logsumexp", importLogsumexp)
      .add("aten::count_nonzero", importCountNonzero)
      .add("aten::norm", importNorm)
      .add("aten::linalg_vector_norm", importNorm)
      .add("aten::linalg_norm", importNorm)
      .add("aten::frobenius_norm", importNorm)
      .add("aten::cumsum", importCumsum)
      .add("aten::softmax", importSoftmax<false>)
      .add("aten::log_softmax", importSoftmax<true>);
}
