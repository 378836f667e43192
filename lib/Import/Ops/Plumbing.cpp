//===- Plumbing.cpp - Graph plumbing and compile-time values --------------===//
//
// Scalars and lists the trace computes from static shapes (aten::size,
// prim::ListConstruct, aten::Int, int arithmetic, ...) are evaluated here at
// compile time and never reach the IR.
//
//===----------------------------------------------------------------------===//
#include "../OpRegistry.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::detail;

namespace {

LogicalResult importConstant(NodeContext &) { return success(); }
LogicalResult importTupleConstruct(NodeContext &c) {
  c.im.tuples[c.node->output()] =
      SmallVector<const tj::Value *>(c.inputs().begin(), c.inputs().end());
  return success();
}

LogicalResult importSize(NodeContext &c) {
  FailureOr<Value> t = c.tensor(0);
  if (failed(t))
    return failure();
  ArrayRef<int64_t> shape = tensorType(*t).getShape();
  if (c.numInputs() == 1)
    return c.bindScalar(c10::IValue(std::vector<int64_t>(shape.begin(), shape.end())));
  FailureOr<int64_t> d = c.require(c.integer(1), 1, "dim");
  if (failed(d))
    return failure();
  FailureOr<int64_t> n = c.dim(*d, shape.size());
  if (failed(n))
    return failure();
  return c.bindScalar(c10::IValue(shape[*n]));
}

/// aten::dim, or aten::numel when `Numel`.
template <bool Numel> LogicalResult importDim(NodeContext &c) {
  FailureOr<Value> t = c.tensor(0);
  if (failed(t))
    return failure();
  if constexpr (Numel)
    return c.bindScalar(c10::IValue(tensorType(*t).getNumElements()));
  return c.bindScalar(c10::IValue(tensorType(*t).getRank()));
}

/// prim::NumToTensor, aten::Int, aten::Float, aten::ScalarImplicit, ...: a
/// compile-time number stays a compile-time number.
enum class NumberKind { any, integer, floating };

template <NumberKind Kind> LogicalResult importNumber(NodeContext &c) {
  std::optional<double> v = c.number(0);
  if (!v)
    return c.error() << "needs a value known at compile time (Kiln compiles "
                        "static shapes; this value depends on tensor data)";
  bool wantsInt =
      Kind == NumberKind::integer ||
      (Kind == NumberKind::any && c.integer(0).has_value());
  return c.bindScalar(wantsInt ? c10::IValue(int64_t(*v)) : c10::IValue(*v));
}

LogicalResult importListConstruct(NodeContext &c) {
  const tj::Value *out = c.node->output();
  auto listType = out->type()->cast<c10::ListType>();
  c10::TypePtr elementType = listType ? listType->getElementType() : nullptr;
  if (elementType && elementType->kind() == c10::TypeKind::OptionalType)
    elementType = elementType->castRaw<c10::OptionalType>()->getElementType();
  if (elementType && elementType->kind() == c10::TypeKind::TensorType) {
    c.im.tensorLists[out] =
        SmallVector<const tj::Value *>(c.inputs().begin(), c.inputs().end());
    return success();
  }
  std::vector<int64_t> ints;
  std::vector<double> doubles;
  bool allInts = true;
  for (size_t i = 0; i < c.numInputs(); ++i) {
    auto k = c.constant(i);
    if (!k || !(k->isInt() || k->isDouble() || k->isBool()))
      return c.error() << "element #" << i
                       << " is not known at compile time (Kiln compiles "
                          "static shapes)";
    allInts &= k->isInt() || k->isBool();
    doubles.push_back(k->isDouble() ? k->toDouble()
                                    : double(k->isInt() ? k->toInt() : k->toBool()));
    ints.push_back(k->isInt() ? k->toInt() : int64_t(doubles.back()));
  }
  return c.bindScalar(allInts ? c10::IValue(ints) : c10::IValue(doubles));
}

LogicalResult importUnpack(NodeContext &c) {
  const tj::Value *in = c.inputs()[0];
  if (auto made = c.im.valueLists.find(in); made != c.im.valueLists.end()) {
    if (made->second.size() != c.node->outputs().size())
      return c.error() << "unpacks " << c.node->outputs().size()
                       << " values from " << made->second.size();
    for (auto [i, v] : llvm::enumerate(made->second))
      (void)c.bind(v, i); // binding cannot fail
    return success();
  }
  auto tuple = c.im.tuples.find(in);
  SmallVector<const tj::Value *> elements;
  if (tuple != c.im.tuples.end())
    elements = tuple->second;
  else if (auto list = c.im.tensorLists.find(in); list != c.im.tensorLists.end())
    elements = list->second;
  if (!elements.empty()) {
    if (elements.size() != c.node->outputs().size())
      return c.error() << "unpacks " << c.node->outputs().size()
                       << " values from " << elements.size();
    for (auto [i, e] : llvm::enumerate(elements)) {
      const tj::Value *out = c.node->outputs()[i];
      if (auto v = c.im.values.find(e); v != c.im.values.end())
        c.im.values[out] = v->second;
      else if (auto k = c.im.constantOf(e))
        c.im.scalars[out] = *k;
      else
        c.im.tuples[out] = c.im.tuples.lookup(e);
    }
    return success();
  }
  std::optional<SmallVector<int64_t>> ints = c.intList(0);
  if (ints && ints->size() == c.node->outputs().size()) {
    for (auto [i, v] : llvm::enumerate(*ints))
      (void)c.bindScalar(c10::IValue(v), i);
    return success();
  }
  return c.error() << "unpacks a value Kiln cannot see through";
}

LogicalResult importGetItem(NodeContext &c) {
  std::optional<int64_t> index = c.integer(1);
  if (!index)
    return c.error() << "needs a constant index";
  if (auto made = c.im.valueLists.find(c.inputs()[0]);
      made != c.im.valueLists.end()) {
    int64_t n = made->second.size(), i = *index < 0 ? *index + n : *index;
    if (i < 0 || i >= n)
      return c.error() << "index " << *index << " is out of range";
    return c.bind(made->second[i]);
  }
  if (auto list = c.im.tensorLists.find(c.inputs()[0]);
      list != c.im.tensorLists.end()) {
    int64_t n = list->second.size(), i = *index < 0 ? *index + n : *index;
    if (i < 0 || i >= n)
      return c.error() << "index " << *index << " is out of range";
    FailureOr<Value> v = c.im.lookupTensor(list->second[i], c.node);
    return failed(v) ? failure() : c.bind(*v);
  }
  std::optional<SmallVector<int64_t>> ints = c.intList(0);
  if (!ints)
    return c.error() << "indexes a list Kiln cannot see through";
  int64_t n = ints->size(), i = *index < 0 ? *index + n : *index;
  if (i < 0 || i >= n)
    return c.error() << "index " << *index << " is out of range";
  return c.bindScalar(c10::IValue((*ints)[i]));
}

LogicalResult importFloorDiv(NodeContext &c) {
  if (auto r = tryScalarArithmetic(c, ScalarArith::floordiv))
    return *r;
  Value lhs, rhs;
  if (failed(binaryOperands(c, 0, 1, lhs, rhs)))
    return failure();
  return importRoundedDivision(c, lhs, rhs, 1, /*floor=*/true);
}

} // namespace

void mlir::kiln::detail::registerPlumbingOps(OpRegistry &registry) {
  registry.family("Graph plumbing and compile-time values")
      .add("prim::Constant", importConstant)
      .add("prim::TupleConstruct", importTupleConstruct)
      .add("prim::ListConstruct", importListConstruct)
      .add("prim::ListUnpack", importUnpack)
      .add("prim::TupleUnpack", importUnpack)
      .add("aten::__getitem__", importGetItem)
      .add("aten::size", importSize)
      .add("aten::dim", importDim<false>)
      .add("aten::numel", importDim<true>)
      .add("prim::NumToTensor", importNumber<NumberKind::any>)
      .add("aten::Int", importNumber<NumberKind::integer>)
      .add("aten::Float", importNumber<NumberKind::floating>)
      .add("aten::ScalarImplicit", importNumber<NumberKind::any>)
      .add("aten::IntImplicit", importNumber<NumberKind::integer>)
      .add("aten::FloatImplicit", importNumber<NumberKind::floating>)
      .add("aten::floordiv", importFloorDiv)
      .add("aten::floor_divide", importFloorDiv);
}
