//===- AtenOps.cpp - One handler per TorchScript op kind ------------------===//
//
// The registry below is the single list of what the importer supports: the
// unsupported-op check, `kiln-import --op-stats` and docs/supported-ops.md
// all read it. A handler receives a NodeContext with the node's operands as
// tensors, numbers or lists and binds the node's outputs.
//
// Scalars and lists the trace computes from static shapes (aten::size,
// prim::ListConstruct, aten::Int, int arithmetic, ...) are evaluated here at
// compile time and never reach the IR.
//
//===----------------------------------------------------------------------===//
#include "Importer.h"

#include <ATen/ATen.h>

#include "kiln/Support/ABI.h"

#include "llvm/ADT/StringMap.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::detail;

namespace {

/// One node being imported: typed access to its operands, and output binding.
struct NodeContext {
  Importer &im;
  const tj::Node *node;
  Location loc;
  std::string kind;

  at::ArrayRef<const tj::Value *> inputs() const { return node->inputs(); }
  size_t numInputs() const { return node->inputs().size(); }
  OpBuilder &b() { return im.builder; }

  InFlightDiagnostic error() { return emitError(loc) << "'" << kind << "' "; }

  FailureOr<Value> tensor(size_t i) {
    if (i >= numInputs())
      return error() << "expects operand #" << i;
    return im.lookupTensor(inputs()[i], node);
  }
  /// `v` cast to the dtype operand #i when that is a constant dtype.
  Value withDTypeOperand(size_t i, Value v) {
    if (auto dt = integer(i))
      if (Type e = elementTypeOf(static_cast<at::ScalarType>(*dt),
                                 b().getContext()))
        return castTo(v, e);
    return v;
  }

  /// An optional tensor operand: `out` stays null for None.
  LogicalResult optionalTensor(size_t i, Value &out) {
    if (isNone(i))
      return success();
    FailureOr<Value> t = tensor(i);
    if (failed(t))
      return failure();
    out = *t;
    return success();
  }
  std::optional<c10::IValue> constant(size_t i) {
    if (i >= numInputs())
      return std::nullopt;
    return im.constantOf(inputs()[i]);
  }
  bool isNone(size_t i) {
    if (i >= numInputs())
      return true;
    auto c = constant(i);
    return inputs()[i]->type()->kind() == c10::TypeKind::NoneType ||
           (c && c->isNone());
  }
  /// A compile-time number (int, float or bool, or a 0-d constant tensor).
  std::optional<double> number(size_t i) {
    auto c = constant(i);
    if (!c)
      return std::nullopt;
    if (c->isDouble())
      return c->toDouble();
    if (c->isInt())
      return double(c->toInt());
    if (c->isBool())
      return c->toBool() ? 1.0 : 0.0;
    if (c->isTensor() && c->toTensor().dim() == 0)
      return c->toTensor().item<double>();
    return std::nullopt;
  }
  std::optional<int64_t> integer(size_t i) {
    auto c = constant(i);
    if (c && c->isInt())
      return c->toInt();
    if (c && c->isBool())
      return c->toBool();
    if (c && c->isTensor() && c->toTensor().dim() == 0 &&
        !c->toTensor().is_floating_point())
      return c->toTensor().item<int64_t>();
    return std::nullopt;
  }
  std::optional<SmallVector<int64_t>> intList(size_t i) {
    auto c = constant(i);
    if (!c)
      return std::nullopt;
    if (c->isInt())
      return SmallVector<int64_t>{c->toInt()};
    if (!c->isIntList())
      return std::nullopt;
    auto list = c->toIntVector();
    return SmallVector<int64_t>(list.begin(), list.end());
  }
  std::optional<std::string> string(size_t i) {
    auto c = constant(i);
    if (c && c->isString())
      return c->toStringRef();
    return std::nullopt;
  }

  /// Requires a compile-time operand; diagnoses otherwise.
  template <typename T>
  FailureOr<T> require(std::optional<T> v, size_t i, StringRef what) {
    if (v)
      return *v;
    return error() << "needs a constant " << what << " for operand #" << i
                   << " ('%" << (i < numInputs() ? inputs()[i]->debugName() : "")
                   << "')";
  }

  /// Normalizes a possibly negative dim for a tensor of `rank`.
  FailureOr<int64_t> dim(int64_t d, int64_t rank) {
    int64_t r = std::max<int64_t>(rank, 1);
    if (d < -r || d >= r)
      return error() << "dim " << d << " is out of range for rank " << rank;
    return d < 0 ? d + r : d;
  }

  LogicalResult bind(Value v, size_t output = 0) {
    im.values[node->outputs()[output]] = v;
    return success();
  }
  LogicalResult bindScalar(c10::IValue v, size_t output = 0) {
    im.scalars[node->outputs()[output]] = std::move(v);
    return success();
  }

  template <typename OpTy, typename... Args> Value create(Args &&...args) {
    return OpTy::create(im.builder, loc, std::forward<Args>(args)...);
  }

  /// A 0-d constant of `element` holding `v`.
  Value scalarConstant(Type element, double v) {
    auto type = RankedTensorType::get({}, element);
    Attribute a = isa<FloatType>(element)
                      ? Attribute(b().getFloatAttr(element, v))
                      : Attribute(b().getIntegerAttr(element, int64_t(v)));
    return create<ConstantOp>(DenseElementsAttr::get(type, a));
  }

  Value castTo(Value v, Type element) {
    auto t = cast<RankedTensorType>(v.getType());
    if (t.getElementType() == element)
      return v;
    return create<CastOp>(t.clone(element), v);
  }
};

RankedTensorType tensorType(Value v) { return cast<RankedTensorType>(v.getType()); }
Type elementOf(Value v) { return tensorType(v).getElementType(); }

/// PyTorch's promotion between two tensor dtypes (category first, then
/// width): bool < integers < floats.
Type promote(Type a, Type b) {
  if (a == b)
    return a;
  bool af = isa<FloatType>(a), bf = isa<FloatType>(b);
  if (af != bf)
    return af ? a : b;
  if (a.isInteger(1))
    return b;
  if (b.isInteger(1))
    return a;
  return a.getIntOrFloatBitWidth() >= b.getIntOrFloatBitWidth() ? a : b;
}

/// The two operands of a binary op with PyTorch's promotion: a Python number
/// (or 0-d constant, what a trace makes of one) takes the tensor's dtype when
/// of the same category; otherwise both are cast to the promoted type.
LogicalResult binaryOperands(NodeContext &c, size_t li, size_t ri, Value &lhs,
                             Value &rhs) {
  auto isNumber = [&](size_t i) {
    auto k = c.constant(i);
    if (!k)
      return false;
    return k->isInt() || k->isDouble() || k->isBool() ||
           (k->isTensor() && k->toTensor().dim() == 0);
  };
  bool lNum = isNumber(li), rNum = isNumber(ri);
  auto numberLike = [&](size_t i, Value like) -> FailureOr<Value> {
    Type e = elementOf(like);
    auto k = c.constant(i);
    bool isFloatNumber =
        k->isDouble() || (k->isTensor() && k->toTensor().is_floating_point());
    if (isFloatNumber && !isa<FloatType>(e))
      e = Float32Type::get(c.b().getContext()); // int tensor + 0.5 -> f32
    return c.scalarConstant(e, *c.number(i));
  };
  if (rNum && !lNum) {
    FailureOr<Value> l = c.tensor(li);
    if (failed(l))
      return failure();
    FailureOr<Value> r = numberLike(ri, *l);
    lhs = *l;
    rhs = *r;
  } else if (lNum && !rNum) {
    FailureOr<Value> r = c.tensor(ri);
    if (failed(r))
      return failure();
    FailureOr<Value> l = numberLike(li, *r);
    lhs = *l;
    rhs = *r;
  } else {
    FailureOr<Value> l = c.tensor(li), r = c.tensor(ri);
    if (failed(l) || failed(r))
      return failure();
    lhs = *l;
    rhs = *r;
  }
  Type t = promote(elementOf(lhs), elementOf(rhs));
  lhs = c.castTo(lhs, t);
  rhs = c.castTo(rhs, t);
  SmallVector<Type> ignored;
  return inferBroadcastType(c.loc, "kiln." + c.kind.substr(6), lhs.getType(),
                            rhs.getType(), ignored);
}

using Handler = LogicalResult (*)(NodeContext &);

//===----------------------------------------------------------------------===//
// Compile-time scalars and lists
//===----------------------------------------------------------------------===//

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

LogicalResult importDim(NodeContext &c) {
  FailureOr<Value> t = c.tensor(0);
  if (failed(t))
    return failure();
  if (c.kind == "aten::numel")
    return c.bindScalar(c10::IValue(tensorType(*t).getNumElements()));
  return c.bindScalar(c10::IValue(tensorType(*t).getRank()));
}

/// prim::NumToTensor, aten::Int, aten::Float, aten::ScalarImplicit, ...: a
/// compile-time number stays a compile-time number.
LogicalResult importNumber(NodeContext &c) {
  std::optional<double> v = c.number(0);
  if (!v)
    return c.error() << "needs a value known at compile time (Kiln compiles "
                        "static shapes; this value depends on tensor data)";
  bool wantsInt = c.kind == "aten::Int" || c.kind == "aten::IntImplicit" ||
                  (c.kind != "aten::Float" && c.kind != "aten::FloatImplicit" &&
                   c.integer(0).has_value());
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
      c.bind(v, i);
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
      c.bindScalar(c10::IValue(v), i);
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

/// Integer and float arithmetic on compile-time numbers (sizes mostly).
std::optional<LogicalResult> tryScalarArithmetic(NodeContext &c) {
  c10::TypeKind out = c.node->output()->type()->kind();
  // Sizes wrapped as tensors (prim::NumToTensor) are compile-time values too.
  auto plumbed = [&](size_t i) {
    return i < c.numInputs() && c.im.scalars.count(c.inputs()[i]);
  };
  bool allPlumbed =
      (plumbed(0) || (c.numInputs() > 1 && plumbed(1))) &&
      c.number(0).has_value() && (c.numInputs() < 2 || c.number(1).has_value());
  if (out != c10::TypeKind::IntType && out != c10::TypeKind::FloatType &&
      out != c10::TypeKind::NumberType && out != c10::TypeKind::BoolType &&
      !allPlumbed)
    return std::nullopt;
  std::optional<double> a = c.number(0), b = c.number(1);
  if (!a || (c.numInputs() > 1 && !b))
    return c.error() << "computes a number from values unknown at compile time";
  bool ints = c.integer(0) && (c.numInputs() < 2 || c.integer(1));
  double r;
  StringRef k = c.kind;
  if (k == "aten::add") r = *a + *b;
  else if (k == "aten::sub") r = *a - *b;
  else if (k == "aten::mul") r = *a * *b;
  else if (k == "aten::div") { r = *a / *b; ints = false; }
  else if (k == "aten::floordiv" || k == "aten::floor_divide")
    r = std::floor(*a / *b);
  else if (k == "aten::neg") r = -*a;
  else if (k == "aten::eq") return c.bindScalar(c10::IValue(*a == *b));
  else if (k == "aten::ne") return c.bindScalar(c10::IValue(*a != *b));
  else if (k == "aten::lt") return c.bindScalar(c10::IValue(*a < *b));
  else if (k == "aten::gt") return c.bindScalar(c10::IValue(*a > *b));
  else if (k == "aten::le") return c.bindScalar(c10::IValue(*a <= *b));
  else if (k == "aten::ge") return c.bindScalar(c10::IValue(*a >= *b));
  else return c.error() << "on numbers is not supported";
  return c.bindScalar(ints ? c10::IValue(int64_t(r)) : c10::IValue(r));
}

LogicalResult importFloorDiv(NodeContext &c) {
  if (auto r = tryScalarArithmetic(c))
    return *r;
  return c.error() << "on tensors is not supported yet";
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

LogicalResult importBinary(NodeContext &c) {
  if (auto r = tryScalarArithmetic(c))
    return *r;
  Value lhs, rhs;
  bool reversed = c.kind == "aten::rsub";
  if (failed(binaryOperands(c, reversed ? 1 : 0, reversed ? 0 : 1, lhs, rhs)))
    return failure();
  StringRef k = c.kind;
  double alpha = 1.0;
  if ((k == "aten::add" || k == "aten::sub" || k == "aten::rsub") &&
      c.numInputs() > 2) {
    FailureOr<double> a = c.require(c.number(2), 2, "alpha");
    if (failed(a))
      return failure();
    alpha = *a;
  }
  if (reversed) {
    // rsub(self, other, alpha) = other - alpha * self; `lhs` is other.
    return c.bind(c.create<SubOp>(lhs, rhs, c.b().getF64FloatAttr(alpha)));
  }
  auto alphaAttr = c.b().getF64FloatAttr(alpha);
  if (k == "aten::add")
    return c.bind(c.create<AddOp>(lhs, rhs, alphaAttr));
  if (k == "aten::sub")
    return c.bind(c.create<SubOp>(lhs, rhs, alphaAttr));
  if (k == "aten::mul")
    return c.bind(c.create<MulOp>(lhs, rhs));
  if (k == "aten::maximum" || k == "aten::max")
    return c.bind(c.create<MaximumOp>(lhs, rhs));
  if (k == "aten::minimum" || k == "aten::min")
    return c.bind(c.create<MinimumOp>(lhs, rhs));
  // aten::div: true division (rounding_mode None) computes in float.
  if (!c.isNone(2)) {
    auto mode = c.string(2);
    return c.error() << "with rounding_mode '" << (mode ? *mode : "?")
                     << "' is not supported yet";
  }
  if (!isa<FloatType>(elementOf(lhs))) {
    Type f32 = Float32Type::get(c.b().getContext());
    lhs = c.castTo(lhs, f32);
    rhs = c.castTo(rhs, f32);
  }
  return c.bind(c.create<DivOp>(lhs, rhs));
}

LogicalResult importCompare(NodeContext &c) {
  if (auto r = tryScalarArithmetic(c))
    return *r;
  Value lhs, rhs;
  if (failed(binaryOperands(c, 0, 1, lhs, rhs)))
    return failure();
  StringRef k = StringRef(c.kind).drop_front(6);
  ComparePredicate p = k == "eq"   ? ComparePredicate::eq
                       : k == "ne" ? ComparePredicate::ne
                       : k == "lt" ? ComparePredicate::lt
                       : k == "le" ? ComparePredicate::le
                       : k == "gt" ? ComparePredicate::gt
                                   : ComparePredicate::ge;
  return c.bind(c.create<CompareOp>(p, lhs, rhs));
}

/// where(cond, a, b) and masked_fill(self, mask, value) = where(mask, value, self).
LogicalResult importWhere(NodeContext &c) {
  bool maskedFill = StringRef(c.kind).starts_with("aten::masked_fill");
  size_t condIdx = maskedFill ? 1 : 0;
  size_t aIdx = maskedFill ? 2 : 1, bIdx = maskedFill ? 0 : 2;
  FailureOr<Value> cond = c.tensor(condIdx);
  if (failed(cond))
    return failure();
  Value a, b;
  if (failed(binaryOperands(c, aIdx, bIdx, a, b)))
    return failure();
  Value condition = c.castTo(*cond, c.b().getI1Type());
  SmallVector<Type> ignored;
  if (failed(inferWhereType(c.loc, condition.getType(), a.getType(),
                            b.getType(), ignored)))
    return failure();
  return c.bind(c.create<WhereOp>(condition, a, b));
}

template <typename OpTy> LogicalResult importUnary(NodeContext &c) {
  if (auto r = tryScalarArithmetic(c))
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

/// Float operand of a parameterized activation.
FailureOr<Value> floatOperand(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  if (!isa<FloatType>(elementOf(*x)))
    return c.castTo(*x, Float32Type::get(c.b().getContext()));
  return *x;
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

LogicalResult importClamp(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  Value v = *x;
  if (!isa<FloatType>(elementOf(v)))
    v = c.castTo(v, Float32Type::get(c.b().getContext()));
  std::optional<double> lo, hi;
  StringRef k = c.kind;
  if (k.starts_with("aten::relu6")) {
    lo = 0.0;
    hi = 6.0;
  } else if (k.starts_with("aten::hardtanh")) {
    lo = c.number(1).value_or(-1.0);
    hi = c.number(2).value_or(1.0);
  } else if (k.starts_with("aten::clamp_min")) {
    lo = c.number(1);
  } else if (k.starts_with("aten::clamp_max")) {
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

LogicalResult importReciprocal(NodeContext &c) {
  FailureOr<Value> x = floatOperand(c);
  if (failed(x))
    return failure();
  return c.bind(c.create<PowScalarOp>(*x, c.b().getF64FloatAttr(-1.0)));
}

/// to(dtype), type_as, float(), long(), ...: a cast, or nothing.
LogicalResult importTo(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  std::optional<int64_t> dtype;
  if (c.kind == "aten::type_as") {
    FailureOr<Value> other = c.tensor(1);
    if (failed(other))
      return failure();
    return c.bind(c.castTo(*x, elementOf(*other)));
  }
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

LogicalResult importIdentity(NodeContext &c) {
  StringRef k = c.kind;
  if (k.contains("dropout") && c.numInputs() > 2 && c.integer(2).value_or(0))
    return c.error() << "in training mode; call model.eval() before tracing";
  FailureOr<Value> x = c.tensor(0);
  return failed(x) ? failure() : c.bind(*x);
}

//===----------------------------------------------------------------------===//
// Shapes
//===----------------------------------------------------------------------===//

LogicalResult reshapeTo(NodeContext &c, Value x, ArrayRef<int64_t> shape) {
  auto t = tensorType(x);
  auto type = RankedTensorType::get(shape, t.getElementType());
  if (type.getNumElements() != t.getNumElements())
    return c.error() << "cannot reshape " << formatType(t) << " to "
                     << formatType(type);
  return c.bind(type == t ? x : Value(c.create<ReshapeOp>(type, x)));
}

LogicalResult importView(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  FailureOr<SmallVector<int64_t>> shape = c.require(c.intList(1), 1, "shape");
  if (failed(x) || failed(shape))
    return failure();
  int64_t numel = tensorType(*x).getNumElements(), known = 1, inferred = -1;
  for (auto [i, d] : llvm::enumerate(*shape)) {
    if (d == -1) {
      if (inferred >= 0)
        return c.error() << "has more than one -1 in its shape";
      inferred = i;
    } else {
      known *= d;
    }
  }
  if (inferred >= 0) {
    if (known == 0 || numel % known)
      return c.error() << "cannot infer the -1 in the shape for "
                       << formatType(tensorType(*x));
    (*shape)[inferred] = numel / known;
  }
  return reshapeTo(c, *x, *shape);
}

LogicalResult importFlatten(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> in = tensorType(*x).getShape();
  int64_t rank = in.size();
  FailureOr<int64_t> start = c.dim(c.integer(1).value_or(0), rank);
  FailureOr<int64_t> end = c.dim(c.integer(2).value_or(-1), rank);
  if (failed(start) || failed(end))
    return failure();
  if (rank == 0)
    return reshapeTo(c, *x, {1});
  SmallVector<int64_t> shape(in.begin(), in.begin() + *start);
  int64_t merged = 1;
  for (int64_t i = *start; i <= *end; ++i)
    merged *= in[i];
  shape.push_back(merged);
  shape.append(in.begin() + *end + 1, in.end());
  return reshapeTo(c, *x, shape);
}

LogicalResult importSqueeze(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> in = tensorType(*x).getShape();
  SmallVector<int64_t> shape;
  if (c.numInputs() < 2) {
    for (int64_t d : in)
      if (d != 1)
        shape.push_back(d);
    return reshapeTo(c, *x, shape);
  }
  FailureOr<int64_t> raw = c.require(c.integer(1), 1, "dim");
  if (failed(raw))
    return failure();
  FailureOr<int64_t> d = c.dim(*raw, in.size());
  if (failed(d))
    return failure();
  for (auto [i, s] : llvm::enumerate(in))
    if (static_cast<int64_t>(i) != *d || s != 1)
      shape.push_back(s);
  return reshapeTo(c, *x, shape);
}

LogicalResult importUnsqueeze(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  FailureOr<int64_t> raw = c.require(c.integer(1), 1, "dim");
  if (failed(x) || failed(raw))
    return failure();
  ArrayRef<int64_t> in = tensorType(*x).getShape();
  FailureOr<int64_t> d = c.dim(*raw, in.size() + 1);
  if (failed(d))
    return failure();
  SmallVector<int64_t> shape(in.begin(), in.end());
  shape.insert(shape.begin() + *d, 1);
  return reshapeTo(c, *x, shape);
}

LogicalResult transposeWith(NodeContext &c, Value x, ArrayRef<int64_t> perm) {
  SmallVector<Type> types;
  if (failed(inferTransposeType(c.loc, x.getType(), perm, types)))
    return failure();
  return c.bind(c.create<TransposeOp>(types[0], x, perm));
}

LogicalResult importPermute(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  FailureOr<SmallVector<int64_t>> dims = c.require(c.intList(1), 1, "dims");
  if (failed(x) || failed(dims))
    return failure();
  int64_t rank = tensorType(*x).getRank();
  for (int64_t &d : *dims) {
    FailureOr<int64_t> n = c.dim(d, rank);
    if (failed(n))
      return failure();
    d = *n;
  }
  return transposeWith(c, *x, *dims);
}

LogicalResult importTranspose(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  int64_t rank = tensorType(*x).getRank();
  SmallVector<int64_t> perm;
  for (int64_t i = 0; i < rank; ++i)
    perm.push_back(i);
  if (c.kind == "aten::t") {
    if (rank > 2)
      return c.error() << "needs a tensor of rank <= 2, got "
                       << formatType(tensorType(*x));
    std::reverse(perm.begin(), perm.end());
    return transposeWith(c, *x, perm);
  }
  FailureOr<int64_t> a = c.require(c.integer(1), 1, "dim0");
  FailureOr<int64_t> b = c.require(c.integer(2), 2, "dim1");
  if (failed(a) || failed(b))
    return failure();
  FailureOr<int64_t> da = c.dim(*a, rank), db = c.dim(*b, rank);
  if (failed(da) || failed(db))
    return failure();
  if (rank > 0)
    std::swap(perm[*da], perm[*db]);
  return transposeWith(c, *x, perm);
}

/// The tensors of a Tensor[] operand (prim::ListConstruct or one Kiln made).
FailureOr<SmallVector<Value>> tensorList(NodeContext &c, size_t i) {
  const tj::Value *v = c.inputs()[i];
  if (auto made = c.im.valueLists.find(v); made != c.im.valueLists.end())
    return made->second;
  auto list = c.im.tensorLists.find(v);
  if (list == c.im.tensorLists.end()) {
    // A constant list (weights of a frozen nn.LSTM, say).
    std::optional<c10::IValue> k = c.im.constantOf(v);
    if (!k || !k->isTensorList())
      return c.error() << "needs a list of tensors";
    SmallVector<Value> out;
    for (const at::Tensor &t : k->toTensorVector()) {
      FailureOr<Value> e = c.im.emitTensorConstant(
          t, v->debugName() + "." + std::to_string(out.size()), c.loc);
      if (failed(e))
        return failure();
      out.push_back(*e);
    }
    c.im.valueLists[v] = out; // emit each weight once
    return out;
  }
  SmallVector<Value> out;
  for (const tj::Value *e : list->second) {
    FailureOr<Value> t = c.im.lookupTensor(e, c.node);
    if (failed(t))
      return failure();
    out.push_back(*t);
  }
  return out;
}

LogicalResult emitConcat(NodeContext &c, SmallVector<Value> parts, int64_t rawDim,
                         bool stack) {
  if (parts.empty())
    return c.error() << "needs at least one tensor";
  Type element = elementOf(parts[0]);
  for (Value p : parts)
    element = promote(element, elementOf(p));
  int64_t rank = tensorType(parts[0]).getRank() + (stack ? 1 : 0);
  FailureOr<int64_t> dim = c.dim(rawDim, rank);
  if (failed(dim))
    return failure();
  for (Value &p : parts) {
    p = c.castTo(p, element);
    if (stack) {
      auto t = tensorType(p);
      SmallVector<int64_t> shape(t.getShape());
      shape.insert(shape.begin() + *dim, 1);
      p = c.create<ReshapeOp>(t.clone(shape), p);
    }
  }
  if (parts.size() == 1)
    return c.bind(parts[0]);
  SmallVector<Type> types;
  if (failed(inferConcatType(c.loc, ValueRange(parts).getTypes(), *dim, types)))
    return failure();
  return c.bind(c.create<ConcatOp>(types[0], parts, *dim));
}

LogicalResult importCat(NodeContext &c) {
  FailureOr<SmallVector<Value>> parts = tensorList(c, 0);
  if (failed(parts))
    return failure();
  return emitConcat(c, *parts, c.integer(1).value_or(0), c.kind == "aten::stack");
}

/// A slice of `x` along `dim`: elements start, start+step, ... below end.
FailureOr<Value> sliceAlong(NodeContext &c, Value x, int64_t dim, int64_t start,
                            int64_t end, int64_t step) {
  auto t = tensorType(x);
  int64_t size = t.getDimSize(dim);
  if (step < 1)
    return c.error() << "step must be positive, got " << step;
  auto clampIndex = [&](int64_t i) {
    if (i < 0)
      i += size;
    return std::min(std::max<int64_t>(i, 0), size);
  };
  start = clampIndex(start);
  end = clampIndex(end);
  int64_t count = end > start ? (end - start + step - 1) / step : 0;
  SmallVector<int64_t> offsets(t.getRank(), 0), sizes(t.getShape()),
      strides(t.getRank(), 1);
  offsets[dim] = count ? start : 0;
  sizes[dim] = count;
  strides[dim] = step;
  if (count == size && step == 1)
    return x;
  return Value(c.create<SliceOp>(t.clone(sizes), x, offsets, sizes, strides));
}

/// slice(self, dim, start, end, step); None means the whole range.
LogicalResult importSlice(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  FailureOr<int64_t> dim = c.dim(c.integer(1).value_or(0), tensorType(*x).getRank());
  if (failed(dim))
    return failure();
  int64_t start = c.isNone(2) ? 0 : c.integer(2).value_or(INT64_MIN);
  int64_t end = c.isNone(3) ? INT64_MAX : c.integer(3).value_or(INT64_MIN);
  if (start == INT64_MIN || end == INT64_MIN)
    return c.error() << "needs constant bounds";
  FailureOr<Value> r = sliceAlong(c, *x, *dim, start, end, c.integer(4).value_or(1));
  return failed(r) ? failure() : c.bind(*r);
}

/// narrow(self, dim, start, length) and select(self, dim, index).
LogicalResult importNarrow(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  auto t = tensorType(*x);
  FailureOr<int64_t> dim = c.dim(c.integer(1).value_or(0), t.getRank());
  std::optional<int64_t> start = c.integer(2);
  if (failed(dim) || !start)
    return c.error() << "needs a constant dim and index";
  int64_t size = t.getDimSize(*dim);
  int64_t s0 = *start < 0 ? *start + size : *start;
  bool select = c.kind == "aten::select";
  int64_t length = select ? 1 : c.integer(3).value_or(-1);
  if (s0 < 0 || length < 0 || s0 + length > size)
    return c.error() << "index " << *start << " (length " << length
                     << ") is out of range for dim " << *dim << " of "
                     << formatType(t);
  FailureOr<Value> r = sliceAlong(c, *x, *dim, s0, s0 + length, 1);
  if (failed(r))
    return failure();
  if (!select)
    return c.bind(*r);
  SmallVector<int64_t> shape(t.getShape());
  shape.erase(shape.begin() + *dim);
  return c.bind(c.create<ReshapeOp>(t.clone(shape), *r));
}

/// chunk(self, chunks, dim), split(self, split_size, dim),
/// split_with_sizes(self, sizes, dim), unbind(self, dim): a list of slices.
LogicalResult importSplit(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  auto t = tensorType(*x);
  StringRef k = c.kind;
  if (k == "aten::unsafe_chunk")
    k = "aten::chunk";
  size_t dimIdx = k == "aten::unbind" ? 1 : 2;
  FailureOr<int64_t> dim = c.dim(c.integer(dimIdx).value_or(0), t.getRank());
  if (failed(dim))
    return failure();
  int64_t size = t.getDimSize(*dim);
  SmallVector<int64_t> sizes;
  if (k == "aten::unbind") {
    sizes.assign(size, 1);
  } else if (k == "aten::split_with_sizes" ||
             (k == "aten::split" && c.intList(1) && !c.integer(1))) {
    sizes = *c.intList(1);
  } else {
    std::optional<int64_t> n = c.integer(1);
    if (!n || *n < 1)
      return c.error() << "needs a positive constant size";
    int64_t piece = k == "aten::chunk" ? (size + *n - 1) / *n : *n;
    for (int64_t off = 0; off < size; off += piece)
      sizes.push_back(std::min(piece, size - off));
  }
  SmallVector<Value> parts;
  int64_t offset = 0;
  for (int64_t s : sizes) {
    FailureOr<Value> p = sliceAlong(c, *x, *dim, offset, offset + s, 1);
    if (failed(p))
      return failure();
    Value v = *p;
    if (k == "aten::unbind") {
      SmallVector<int64_t> shape(t.getShape());
      shape.erase(shape.begin() + *dim);
      v = c.create<ReshapeOp>(t.clone(shape), v);
    }
    parts.push_back(v);
    offset += s;
  }
  if (offset != size)
    return c.error() << "sizes add up to " << offset << ", not " << size;
  c.im.valueLists[c.node->output()] = parts;
  return success();
}

/// index(self, [None, ..., idx, None...]): one integer index tensor, at any
/// position; the result's indexed dims sit where the indexed dim was.
LogicalResult importIndex(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  auto list = c.im.tensorLists.find(c.inputs()[1]);
  if (list == c.im.tensorLists.end())
    return c.error() << "needs a list of indices built in the graph";
  int64_t position = -1;
  const tj::Value *index = nullptr;
  for (auto [i, v] : llvm::enumerate(list->second)) {
    auto k = c.im.constantOf(v);
    if (k && k->isNone())
      continue;
    if (index)
      return c.error() << "with more than one index tensor is not supported yet";
    index = v;
    position = i;
  }
  if (!index)
    return c.bind(*x);
  FailureOr<Value> idx = c.im.lookupTensor(index, c.node);
  if (failed(idx))
    return failure();
  if (elementOf(*idx).isInteger(1))
    return c.error() << "with a boolean mask has a data-dependent shape, which "
                        "Kiln cannot compile (use torch.where instead)";
  if (!isa<IntegerType>(elementOf(*idx)))
    return c.error() << "needs integer indices";
  auto t = tensorType(*x);
  int64_t rank = t.getRank(), ir = tensorType(*idx).getRank();
  if (position >= rank)
    return c.error() << "indexes dim " << position << " of " << formatType(t);
  // Move the indexed dim to the front, gather, move the index dims back.
  Value table = *x;
  if (position > 0) {
    SmallVector<int64_t> perm = {position};
    for (int64_t i = 0; i < rank; ++i)
      if (i != position)
        perm.push_back(i);
    SmallVector<Type> types;
    (void)inferTransposeType(c.loc, table.getType(), perm, types);
    table = c.create<TransposeOp>(types[0], table, perm);
  }
  auto tt = tensorType(table);
  SmallVector<int64_t> shape(tensorType(*idx).getShape());
  shape.append(tt.getShape().begin() + 1, tt.getShape().end());
  Value g = c.create<GatherOp>(tt.clone(shape), table, *idx);
  if (position == 0)
    return c.bind(g);
  SmallVector<int64_t> perm;
  for (int64_t i = 0; i < position; ++i)
    perm.push_back(ir + i);
  for (int64_t i = 0; i < ir; ++i)
    perm.push_back(i);
  for (int64_t i = ir + position; i < ir + rank - 1; ++i)
    perm.push_back(i);
  SmallVector<Type> types;
  (void)inferTransposeType(c.loc, g.getType(), perm, types);
  return c.bind(c.create<TransposeOp>(types[0], g, perm));
}

/// Entries `idx` (1-D integer) of `x` along dim `d`.
Value selectAlong(NodeContext &c, Value x, int64_t d, Value idx) {
  auto t = tensorType(x);
  int64_t rank = t.getRank();
  Value table = x;
  SmallVector<int64_t> toFront = {d};
  for (int64_t i = 0; i < rank; ++i)
    if (i != d)
      toFront.push_back(i);
  SmallVector<Type> types;
  (void)inferTransposeType(c.loc, table.getType(), toFront, types);
  if (d != 0)
    table = c.create<TransposeOp>(types[0], table, toFront);
  auto tt = tensorType(table);
  SmallVector<int64_t> shape = {tensorType(idx).getNumElements()};
  shape.append(tt.getShape().begin() + 1, tt.getShape().end());
  if (tensorType(idx).getRank() == 0)
    idx = c.create<ReshapeOp>(tensorType(idx).clone({1}), idx);
  Value g = c.create<GatherOp>(tt.clone(shape), table, idx);
  if (d == 0)
    return g;
  SmallVector<int64_t> back;
  for (int64_t i = 1; i <= d; ++i)
    back.push_back(i);
  back.push_back(0);
  for (int64_t i = d + 1; i < rank; ++i)
    back.push_back(i);
  types.clear();
  (void)inferTransposeType(c.loc, g.getType(), back, types);
  return c.create<TransposeOp>(types[0], g, back);
}

/// index_select(self, dim, index): index with a 1-D tensor along dim.
LogicalResult importIndexSelect(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0), idx = c.tensor(2);
  if (failed(x) || failed(idx))
    return failure();
  FailureOr<int64_t> d = c.dim(c.integer(1).value_or(0), tensorType(*x).getRank());
  if (failed(d))
    return failure();
  if (!isa<IntegerType>(elementOf(*idx)) || tensorType(*idx).getRank() > 1)
    return c.error() << "needs a 1-D integer index";
  return c.bind(selectAlong(c, *x, *d, *idx));
}

/// embedding(weight, indices, ...): rows of the table.
LogicalResult importEmbedding(NodeContext &c) {
  FailureOr<Value> table = c.tensor(0), idx = c.tensor(1);
  if (failed(table) || failed(idx))
    return failure();
  Type e = elementOf(*idx);
  if (!e.isInteger(64) && !e.isInteger(32))
    return c.error() << "needs integer indices, got "
                     << formatType(tensorType(*idx));
  auto t = tensorType(*table);
  if (t.getRank() != 2)
    return c.error() << "needs a 2-D table, got " << formatType(t);
  SmallVector<int64_t> shape(tensorType(*idx).getShape());
  shape.push_back(t.getDimSize(1));
  return c.bind(c.create<GatherOp>(t.clone(shape), *table, *idx));
}

Value broadcastTo(NodeContext &c, Value x, ArrayRef<int64_t> shape) {
  auto t = tensorType(x);
  if (t.getShape() == shape)
    return x;
  return c.create<BroadcastOp>(t.clone(shape), x);
}

/// expand(self, size) (-1 keeps a dim) and expand_as(self, other).
LogicalResult importExpand(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  SmallVector<int64_t> shape;
  if (c.kind == "aten::expand_as") {
    FailureOr<Value> other = c.tensor(1);
    if (failed(other))
      return failure();
    shape.assign(tensorType(*other).getShape().begin(),
                 tensorType(*other).getShape().end());
  } else {
    std::optional<SmallVector<int64_t>> size = c.intList(1);
    if (!size)
      return c.error() << "needs a constant size";
    shape = *size;
  }
  auto in = tensorType(*x).getShape();
  if (shape.size() < in.size())
    return c.error() << "cannot expand " << formatType(tensorType(*x))
                     << " to fewer dims";
  size_t offset = shape.size() - in.size();
  for (size_t i = 0; i < shape.size(); ++i)
    if (shape[i] == -1)
      shape[i] = i >= offset ? in[i - offset] : 1;
  FailureOr<SmallVector<int64_t>> b = broadcastShapes(in, shape);
  if (failed(b) || ArrayRef<int64_t>(*b) != ArrayRef<int64_t>(shape))
    return c.error() << "cannot expand " << formatType(tensorType(*x))
                     << " to the requested shape";
  return c.bind(broadcastTo(c, *x, shape));
}

/// repeat(self, repeats): tile by broadcasting a [1, d0, 1, d1, ...] view to
/// [r0, d0, r1, d1, ...] and merging each pair.
LogicalResult importRepeat(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  std::optional<SmallVector<int64_t>> reps = c.intList(1);
  if (failed(x) || !reps)
    return c.error() << "needs constant repeats";
  auto t = tensorType(*x);
  if (reps->size() < static_cast<size_t>(t.getRank()))
    return c.error() << "needs at least one repeat per dim";
  SmallVector<int64_t> in(reps->size() - t.getRank(), 1);
  in.append(t.getShape().begin(), t.getShape().end());
  SmallVector<int64_t> interleaved, tiled, result;
  for (size_t i = 0; i < in.size(); ++i) {
    interleaved.append({1, in[i]});
    tiled.append({(*reps)[i], in[i]});
    result.push_back((*reps)[i] * in[i]);
  }
  Value v = c.create<ReshapeOp>(t.clone(interleaved), *x);
  v = broadcastTo(c, v, tiled);
  return c.bind(c.create<ReshapeOp>(t.clone(result), v));
}

/// constant_pad_nd(self, pad, value) and pad(self, pad, mode, value): pad
/// lists [last_low, last_high, second_last_low, ...].
LogicalResult importPad(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  std::optional<SmallVector<int64_t>> pad = c.intList(1);
  if (failed(x) || !pad || pad->size() % 2)
    return c.error() << "needs a constant pad list of even length";
  double value = 0;
  if (c.kind == "aten::pad") {
    std::string mode = c.string(2).value_or("constant");
    if (mode != "constant")
      return c.error() << "mode '" << mode << "' is not supported yet";
    value = c.number(3).value_or(0.0);
  } else {
    value = c.number(2).value_or(0.0);
  }
  auto t = tensorType(*x);
  int64_t rank = t.getRank();
  if (static_cast<int64_t>(pad->size()) / 2 > rank)
    return c.error() << "pads more dims than " << formatType(t) << " has";
  SmallVector<int64_t> low(rank, 0), high(rank, 0), shape(t.getShape());
  for (size_t i = 0; i < pad->size() / 2; ++i) {
    int64_t d = rank - 1 - i;
    low[d] = (*pad)[2 * i];
    high[d] = (*pad)[2 * i + 1];
    if (low[d] < 0 || high[d] < 0)
      return c.error() << "with negative padding is not supported yet";
    shape[d] += low[d] + high[d];
  }
  return c.bind(c.create<PadOp>(t.clone(shape), *x, ArrayRef<int64_t>(low),
                                ArrayRef<int64_t>(high), llvm::APFloat(value),
                                DenseI64ArrayAttr()));
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
  else if (isa<IntegerType>(elementOf(v))) // PyTorch sums integers in int64
    v = c.castTo(v, c.b().getI64Type());
  auto t = tensorType(v);
  if (t.getRank() == 0)
    return c.bind(v);
  FailureOr<int64_t> d = c.dim(c.integer(1).value_or(0), t.getRank());
  if (failed(d))
    return failure();
  return c.bind(c.create<CumsumOp>(v, *d));
}

/// Output size and scale of each of H, W from an upsample op's operands:
/// (output_size, scale_factors) in the .vec form or (output_size, [align,]
/// scales_h, scales_w) in the other.
LogicalResult upsampleSizes(NodeContext &c, RankedTensorType t, size_t sizeIdx,
                            size_t scaleIdx, int64_t out[2], double scale[2]) {
  int64_t in[2] = {t.getDimSize(2), t.getDimSize(3)};
  std::optional<SmallVector<int64_t>> size = c.intList(sizeIdx);
  std::optional<c10::IValue> k = c.constant(scaleIdx);
  std::vector<double> factors;
  if (k && k->isDoubleList())
    factors = k->toDoubleVector();
  else if (auto sh = c.number(scaleIdx), sw = c.number(scaleIdx + 1); sh && sw)
    factors = {*sh, *sw};
  for (int i = 0; i < 2; ++i) {
    if (size && size->size() == 2)
      out[i] = (*size)[i];
    else if (factors.size() == 2)
      out[i] = int64_t(std::floor(in[i] * factors[i]));
    else
      return c.error() << "needs a constant output size or scale";
    // PyTorch scales source positions by 1 / the given factor, else in / out.
    scale[i] = factors.size() == 2 && factors[i] > 0 ? 1.0 / factors[i]
                                                       : double(in[i]) / out[i];
    if (out[i] <= 0)
      return c.error() << "output size must be positive";
  }
  return success();
}

/// upsample_bilinear2d(input, output_size, align_corners, scale_factors).
LogicalResult importUpsampleBilinear(NodeContext &c) {
  FailureOr<Value> x = floatOperand(c);
  if (failed(x))
    return failure();
  auto t = tensorType(*x);
  if (t.getRank() != 4)
    return c.error() << "needs a 4-D NCHW input";
  int64_t out[2];
  double scale[2];
  if (failed(upsampleSizes(c, t, 1, 3, out, scale)))
    return failure();
  bool align = c.integer(2).value_or(0);
  auto type = t.clone({t.getDimSize(0), t.getDimSize(1), out[0], out[1]});
  return c.bind(c.create<ResizeBilinearOp>(type, *x, align, llvm::APFloat(scale[0]),
                                           llvm::APFloat(scale[1])));
}

/// upsample_nearest2d: with an integer scale each pixel is broadcast to an
/// s x s block; otherwise rows and columns are selected by index.
LogicalResult importUpsampleNearest(NodeContext &c) {
  FailureOr<Value> x = floatOperand(c);
  if (failed(x))
    return failure();
  auto t = tensorType(*x);
  if (t.getRank() != 4)
    return c.error() << "needs a 4-D NCHW input";
  int64_t out[2];
  double scale[2];
  if (failed(upsampleSizes(c, t, 1, 2, out, scale)))
    return failure();
  int64_t h = t.getDimSize(2), w = t.getDimSize(3), oh = out[0], ow = out[1];
  if (oh % h || ow % w) {
    // Source index min(floor(o * scale), in - 1) per output row and column.
    auto indices = [&](int64_t in, int64_t n, double sc) {
      at::Tensor i = at::arange(n, at::TensorOptions().dtype(at::kDouble));
      return at::clamp_max(at::floor(i * sc), double(in - 1)).to(at::kLong);
    };
    FailureOr<Value> ih =
        c.im.emitTensorConstant(indices(h, oh, scale[0]), "nearest_h", c.loc);
    FailureOr<Value> iw =
        c.im.emitTensorConstant(indices(w, ow, scale[1]), "nearest_w", c.loc);
    if (failed(ih) || failed(iw))
      return failure();
    return c.bind(selectAlong(c, selectAlong(c, *x, 2, *ih), 3, *iw));
  }
  int64_t n = t.getDimSize(0), ch = t.getDimSize(1), sh = oh / h, sw = ow / w;
  Value v = c.create<ReshapeOp>(t.clone({n, ch, h, 1, w, 1}), *x);
  v = broadcastTo(c, v, {n, ch, h, sh, w, sw});
  return c.bind(c.create<ReshapeOp>(t.clone({n, ch, oh, ow}), v));
}

//===----------------------------------------------------------------------===//
// Reductions, softmax, normalization
//===----------------------------------------------------------------------===//

/// sum/mean(self, dim=None|list, keepdim, dtype) and amax/amin(self, dim, keepdim).
LogicalResult importReduce(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  StringRef k = c.kind;
  ReduceKind kind = k == "aten::sum"    ? ReduceKind::sum
                    : k == "aten::mean" ? ReduceKind::mean
                    : k == "aten::amax" ? ReduceKind::max
                                        : ReduceKind::min;
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
  if ((kind == ReduceKind::sum || kind == ReduceKind::mean) && c.numInputs() > 1) {
    size_t last = c.numInputs() - 1;
    if (auto dt = c.integer(last);
        dt && c.node->schema().arguments()[last].name() == "dtype") {
      Type e = elementTypeOf(static_cast<at::ScalarType>(*dt), c.b().getContext());
      if (!e)
        return c.error() << "with this dtype is not supported";
      v = c.castTo(v, e);
    }
  }
  if (kind == ReduceKind::sum && elementOf(v).isInteger(1))
    v = c.castTo(v, c.b().getI64Type()); // sum of bools counts them
  if (kind == ReduceKind::mean && !isa<FloatType>(elementOf(v)))
    return c.error() << "needs a floating-point tensor, got "
                     << formatType(tensorType(v));
  SmallVector<Type> types;
  if (failed(inferReduceType(c.loc, v.getType(), dims, keepdim, types)))
    return failure();
  return c.bind(c.create<ReduceOp>(types[0], kind, v, dims, keepdim));
}

LogicalResult importSoftmax(NodeContext &c) {
  FailureOr<Value> x = floatOperand(c);
  FailureOr<int64_t> raw = c.require(c.integer(1), 1, "dim");
  if (failed(x) || failed(raw))
    return failure();
  FailureOr<int64_t> d = c.dim(*raw, tensorType(*x).getRank());
  if (failed(d))
    return failure();
  Value v = c.withDTypeOperand(2, *x);
  return c.bind(c.create<SoftmaxOp>(v, *d, c.kind == "aten::log_softmax"));
}

/// group_norm(input, groups, weight, bias, eps): layer norm over each group's
/// channels and spatial positions, then the per-channel affine.
LogicalResult importGroupNorm(NodeContext &c) {
  FailureOr<Value> x = floatOperand(c);
  std::optional<int64_t> groups = c.integer(1);
  if (failed(x) || !groups)
    return c.error() << "needs a constant number of groups";
  auto t = tensorType(*x);
  if (t.getRank() < 2 || *groups < 1 || t.getDimSize(1) % *groups)
    return c.error() << formatType(t) << " does not split into " << *groups
                     << " groups";
  int64_t n = t.getDimSize(0), ch = t.getDimSize(1);
  Value g = c.create<ReshapeOp>(
      t.clone({n, *groups, t.getNumElements() / (n * *groups)}), *x);
  g = c.create<LayerNormOp>(tensorType(g), g, Value(), Value(),
                            c.b().getI64IntegerAttr(1),
                            c.b().getF64FloatAttr(c.number(4).value_or(1e-5)));
  Value y = c.create<ReshapeOp>(t, g);
  SmallVector<int64_t> affine = {ch};
  for (int64_t i = 2; i < t.getRank(); ++i)
    affine.push_back(1);
  for (size_t i : {2, 3}) {
    if (c.isNone(i))
      continue;
    FailureOr<Value> p = c.tensor(i);
    if (failed(p))
      return failure();
    Value shaped = c.create<ReshapeOp>(tensorType(*p).clone(affine), *p);
    y = i == 2 ? Value(c.create<MulOp>(y, shaped))
               : Value(c.create<AddOp>(y, shaped, c.b().getF64FloatAttr(1.0)));
  }
  return c.bind(y);
}

LogicalResult importLayerNorm(NodeContext &c) {
  FailureOr<Value> x = floatOperand(c);
  FailureOr<SmallVector<int64_t>> shape =
      c.require(c.intList(1), 1, "normalized_shape");
  if (failed(x) || failed(shape))
    return failure();
  auto t = tensorType(*x);
  int64_t n = shape->size();
  if (n > t.getRank() ||
      ArrayRef<int64_t>(*shape) != t.getShape().take_back(n))
    return c.error() << "normalized_shape does not match the last dims of "
                     << formatType(t);
  Value weight, bias;
  if (failed(c.optionalTensor(2, weight)))
    return failure();
  if (failed(c.optionalTensor(3, bias)))
    return failure();
  double eps = c.number(4).value_or(1e-5);
  return c.bind(c.create<LayerNormOp>(t, *x, weight, bias,
                                      c.b().getI64IntegerAttr(n),
                                      c.b().getF64FloatAttr(eps)));
}

//===----------------------------------------------------------------------===//
// Convolution, pooling, batch norm
//===----------------------------------------------------------------------===//

FailureOr<Value> matmul(NodeContext &c, Value a, Value b);

/// An [H, W] pair from an int list of 1 or 2 entries (PyTorch repeats one).
std::optional<SmallVector<int64_t>> pair(NodeContext &c, size_t i,
                                         ArrayRef<int64_t> fallback = {}) {
  std::optional<SmallVector<int64_t>> v = c.intList(i);
  if (!v || v->empty())
    return fallback.empty() ? std::nullopt
                            : std::optional<SmallVector<int64_t>>(
                                  SmallVector<int64_t>(fallback));
  if (v->size() == 1)
    v->push_back((*v)[0]);
  if (v->size() != 2)
    return std::nullopt;
  return v;
}

/// conv1d runs as conv2d on [N, C, 1, L].
LogicalResult emitConv(NodeContext &c, Value input, Value weight, Value bias,
                       SmallVector<int64_t> stride, SmallVector<int64_t> padding,
                       SmallVector<int64_t> dilation, int64_t groups) {
  auto inType = tensorType(input);
  bool is1d = inType.getRank() == 3;
  if (is1d) {
    auto expand = [&](Value v) {
      auto t = tensorType(v);
      SmallVector<int64_t> shape(t.getShape());
      shape.insert(shape.begin() + 2, 1);
      return Value(c.create<ReshapeOp>(t.clone(shape), v));
    };
    input = expand(input);
    weight = expand(weight);
    stride.insert(stride.begin(), 1);
    padding.insert(padding.begin(), 0);
    dilation.insert(dilation.begin(), 1);
  }
  SmallVector<Type> types;
  if (failed(inferConv2dType(c.loc, input.getType(), weight.getType(),
                             bias ? bias.getType() : Type(), stride, padding,
                             dilation, groups, types)))
    return failure();
  Value out = c.create<Conv2dOp>(types[0], input, weight, bias, stride,
                                 padding, dilation, groups);
  if (is1d) {
    auto t = tensorType(out);
    out = c.create<ReshapeOp>(
        t.clone({t.getDimSize(0), t.getDimSize(1), t.getDimSize(3)}), out);
  }
  return c.bind(out);
}

/// aten::_convolution (what traces of nn.Conv1d/2d record), aten::conv2d,
/// aten::conv1d.
LogicalResult importConvolution(NodeContext &c) {
  FailureOr<Value> x = floatOperand(c), w = c.tensor(1);
  if (failed(x) || failed(w))
    return failure();
  Value bias;
  if (failed(c.optionalTensor(2, bias)))
    return failure();
  int64_t rank = tensorType(*x).getRank();
  if (rank != 3 && rank != 4)
    return c.error() << "supports 1-D and 2-D convolutions (NCL, NCHW); got "
                     << formatType(tensorType(*x));
  size_t spatial = rank - 2;
  auto list = [&](size_t i, int64_t dflt) -> std::optional<SmallVector<int64_t>> {
    std::optional<SmallVector<int64_t>> v = c.intList(i);
    if (!v || v->empty())
      return SmallVector<int64_t>(spatial, dflt);
    if (v->size() == 1 && spatial == 2)
      v->push_back((*v)[0]);
    if (v->size() != spatial)
      return std::nullopt;
    return v;
  };
  size_t groupsIdx = 6;
  bool transposed = false;
  if (c.kind == "aten::_convolution") {
    transposed = c.integer(6).value_or(0);
    groupsIdx = 8;
  }
  if (c.string(4))
    return c.error() << "with padding='" << *c.string(4)
                     << "' is not supported yet; give the padding in numbers";
  auto stride = list(3, 1), padding = list(4, 0), dilation = list(5, 1);
  std::optional<int64_t> groups = c.integer(groupsIdx);
  if (!stride || !padding || !dilation || !groups)
    return c.error() << "needs constant stride, padding, dilation and groups";
  if (!transposed)
    return emitConv(c, *x, *w, bias, *stride, *padding, *dilation, *groups);

  // A transposed convolution is a stride-1 convolution of the input spread
  // out by the stride (stride - 1 interior zeros) and padded by
  // dilation * (k - 1) - padding, with the weight flipped and its in/out
  // channels swapped per group (done here on the constant weight).
  auto outputPadding = list(7, 0);
  std::optional<c10::IValue> wk = c.constant(1);
  if (!outputPadding || !wk || !wk->isTensor())
    return c.error() << "transposed needs a constant weight and output_padding";
  at::Tensor wt = wk->toTensor();
  int64_t g = *groups, cin = wt.size(0), coutG = wt.size(1);
  std::vector<int64_t> spatialDims;
  for (size_t i = 0; i < spatial; ++i)
    spatialDims.push_back(2 + i);
  std::vector<int64_t> w5 = {g, cin / g, coutG};
  for (size_t i = 0; i < spatial; ++i)
    w5.push_back(wt.size(2 + i));
  std::vector<int64_t> wNew = {g * coutG, cin / g};
  for (size_t i = 0; i < spatial; ++i)
    wNew.push_back(wt.size(2 + i));
  at::Tensor flipped = wt.reshape(w5).transpose(1, 2).reshape(wNew).flip(spatialDims)
                           .contiguous();
  FailureOr<Value> newW = c.im.emitTensorConstant(
      flipped, c.inputs()[1]->debugName() + ".transposed", c.loc);
  if (failed(newW))
    return failure();
  auto t = tensorType(*x);
  SmallVector<int64_t> low(rank, 0), high(rank, 0), interior(rank, 0);
  SmallVector<int64_t> shape(t.getShape());
  for (size_t i = 0; i < spatial; ++i) {
    int64_t k = wt.size(2 + i), d = (*dilation)[i];
    int64_t edge = d * (k - 1) - (*padding)[i];
    if (edge < 0)
      return c.error() << "transposed with padding larger than "
                          "dilation * (kernel - 1) is not supported yet";
    low[2 + i] = edge;
    high[2 + i] = edge + (*outputPadding)[i];
    interior[2 + i] = (*stride)[i] - 1;
    int64_t n = shape[2 + i];
    shape[2 + i] = n + (n - 1) * interior[2 + i] + low[2 + i] + high[2 + i];
  }
  Value spread = c.create<PadOp>(t.clone(shape), *x, ArrayRef<int64_t>(low),
                                 ArrayRef<int64_t>(high), llvm::APFloat(0.0),
                                 c.b().getDenseI64ArrayAttr(interior));
  return emitConv(c, spread, *newW, bias, SmallVector<int64_t>(spatial, 1),
                  SmallVector<int64_t>(spatial, 0), *dilation, g);
}

LogicalResult emitPool(NodeContext &c, PoolKind kind, Value x,
                       SmallVector<int64_t> kernel, SmallVector<int64_t> stride,
                       SmallVector<int64_t> padding,
                       SmallVector<int64_t> dilation) {
  SmallVector<Type> types;
  if (failed(inferPool2dType(c.loc, x.getType(), kernel, stride, padding,
                             dilation, types)))
    return failure();
  return c.bind(c.create<Pool2dOp>(types[0], kind, x, kernel, stride, padding,
                                   dilation));
}

/// Average pooling whose divisor varies by window (count_include_pad=False,
/// partial ceil_mode windows) or is overridden: a sum pool over the padded
/// input divided by a constant [OH, OW] tensor of PyTorch's divisors.
LogicalResult emitAvgPoolWithDivisors(NodeContext &c, Value x,
                                      ArrayRef<int64_t> kernel,
                                      ArrayRef<int64_t> stride,
                                      ArrayRef<int64_t> padding,
                                      ArrayRef<int64_t> extra,
                                      bool countIncludePad,
                                      std::optional<double> divisorOverride) {
  auto t = tensorType(x);
  SmallVector<int64_t> low = {0, 0, padding[0], padding[1]};
  SmallVector<int64_t> high = {0, 0, padding[0] + extra[0], padding[1] + extra[1]};
  SmallVector<int64_t> shape(t.getShape());
  for (int i = 2; i < 4; ++i)
    shape[i] += low[i] + high[i];
  Value padded = c.create<PadOp>(t.clone(shape), x, ArrayRef<int64_t>(low),
                                 ArrayRef<int64_t>(high), llvm::APFloat(0.0),
                                 DenseI64ArrayAttr());
  SmallVector<Type> types;
  if (failed(inferPool2dType(c.loc, padded.getType(), kernel, stride, {0, 0},
                             {1, 1}, types)))
    return failure();
  Value sum = c.create<Pool2dOp>(types[0], PoolKind::sum, padded, kernel,
                                 stride, ArrayRef<int64_t>{0, 0},
                                 ArrayRef<int64_t>{1, 1});
  auto out = cast<RankedTensorType>(types[0]);
  int64_t oh = out.getDimSize(2), ow = out.getDimSize(3);
  int64_t in[2] = {t.getDimSize(2), t.getDimSize(3)};
  at::ScalarType dtype = t.getElementType().isF64() ? at::kDouble : at::kFloat;
  at::Tensor div = at::empty({1, 1, oh, ow}, at::TensorOptions().dtype(at::kDouble));
  auto acc = div.accessor<double, 4>();
  for (int64_t y = 0; y < oh; ++y)
    for (int64_t z = 0; z < ow; ++z) {
      int64_t o[2] = {y, z}, size = 1, clipped = 1;
      for (int i = 0; i < 2; ++i) {
        int64_t start = o[i] * stride[i] - padding[i];
        int64_t end = std::min(start + kernel[i], in[i] + padding[i]);
        size *= end - start;
        clipped *= std::min(end, in[i]) - std::max<int64_t>(start, 0);
      }
      acc[0][0][y][z] = divisorOverride ? *divisorOverride
                        : countIncludePad ? double(size)
                                          : double(clipped);
    }
  FailureOr<Value> d = c.im.emitTensorConstant(div.to(dtype), "avg_pool_divisor", c.loc);
  if (failed(d))
    return failure();
  return c.bind(c.create<DivOp>(sum, *d));
}

/// max_pool2d(self, kernel, stride, padding, dilation, ceil_mode) and
/// avg_pool2d(self, kernel, stride, padding, ceil_mode, count_include_pad,
/// divisor_override).
LogicalResult importPool(NodeContext &c) {
  FailureOr<Value> x = floatOperand(c);
  if (failed(x))
    return failure();
  if (tensorType(*x).getRank() != 4)
    return c.error() << "needs a 4-D NCHW input, got " << formatType(tensorType(*x));
  bool isMax = c.kind == "aten::max_pool2d";
  auto kernel = pair(c, 1);
  if (!kernel)
    return c.error() << "needs a constant kernel size";
  auto stride = pair(c, 2, *kernel), padding = pair(c, 3, {0, 0});
  auto dilation = isMax ? pair(c, 4, {1, 1}) : SmallVector<int64_t>{1, 1};
  bool ceil = c.integer(isMax ? 5 : 4).value_or(0);
  if (!stride || !padding || !dilation)
    return c.error() << "needs constant stride, padding and dilation";
  bool countIncludePad = isMax || c.integer(5).value_or(1);
  std::optional<double> divisorOverride =
      isMax || c.isNone(6) ? std::nullopt : c.number(6);
  if (!isMax && !c.isNone(6) && !divisorOverride)
    return c.error() << "needs a constant divisor_override";
  // ceil_mode keeps a last, partial window when it starts inside the input
  // or the left padding: extra -inf padding on the high side gives it room.
  SmallVector<int64_t> extra = {0, 0};
  if (ceil) {
    for (int i = 0; i < 2; ++i) {
      int64_t in = tensorType(*x).getDimSize(2 + i), p = (*padding)[i],
              s = (*stride)[i];
      int64_t span = (*dilation)[i] * ((*kernel)[i] - 1) + 1;
      if (in + 2 * p < span)
        break; // let the shape rule report it
      int64_t out = (in + 2 * p - span + s - 1) / s + 1;
      if ((out - 1) * s >= in + p)
        --out;
      extra[i] = std::max<int64_t>(0, (out - 1) * s + span - (in + 2 * p));
    }
  }
  if (!isMax && (extra[0] || extra[1] || !countIncludePad || divisorOverride))
    return emitAvgPoolWithDivisors(c, *x, *kernel, *stride, *padding, extra,
                                   countIncludePad, divisorOverride);
  if (extra[0] || extra[1]) {
    auto t = tensorType(*x);
    SmallVector<int64_t> low = {0, 0, (*padding)[0], (*padding)[1]};
    SmallVector<int64_t> high = {0, 0, (*padding)[0] + extra[0],
                                 (*padding)[1] + extra[1]};
    SmallVector<int64_t> shape(t.getShape());
    for (int i = 2; i < 4; ++i)
      shape[i] += low[i] + high[i];
    Value padded = c.create<PadOp>(
        t.clone(shape), *x, ArrayRef<int64_t>(low), ArrayRef<int64_t>(high),
        llvm::APFloat(-std::numeric_limits<double>::infinity()),
        DenseI64ArrayAttr());
    return emitPool(c, PoolKind::max, padded, *kernel, *stride, {0, 0},
                    *dilation);
  }
  return emitPool(c, isMax ? PoolKind::max : PoolKind::avg, *x, *kernel,
                  *stride, *padding, *dilation);
}

/// adaptive_avg_pool2d when the input divides evenly into the output: an
/// average pool with kernel = stride = in / out.
LogicalResult importAdaptiveAvgPool(NodeContext &c) {
  FailureOr<Value> x = floatOperand(c);
  auto out = pair(c, 1);
  if (failed(x))
    return failure();
  if (!out || tensorType(*x).getRank() != 4)
    return c.error() << "needs a 4-D NCHW input and a constant output size";
  SmallVector<int64_t> kernel;
  bool even = true;
  for (int i = 0; i < 2; ++i) {
    int64_t in = tensorType(*x).getDimSize(2 + i);
    if ((*out)[i] <= 0)
      return c.error() << "output size must be positive";
    even &= in % (*out)[i] == 0;
    kernel.push_back(even ? in / (*out)[i] : 0);
  }
  if (even)
    return emitPool(c, PoolKind::avg, *x, kernel, kernel, {0, 0}, {1, 1});
  // Uneven bins [floor(i in / out), ceil((i + 1) in / out)): average with
  // constant matrices, A_h x A_w^T.
  auto t = tensorType(*x);
  at::ScalarType dtype = t.getElementType().isF64() ? at::kDouble : at::kFloat;
  auto averaging = [&](int64_t in, int64_t o) {
    at::Tensor a = at::zeros({o, in}, at::TensorOptions().dtype(dtype));
    for (int64_t i = 0; i < o; ++i) {
      int64_t start = (i * in) / o, end = ((i + 1) * in + o - 1) / o;
      a.index_put_({i, at::indexing::Slice(start, end)}, 1.0 / double(end - start));
    }
    return a;
  };
  FailureOr<Value> ah = c.im.emitTensorConstant(
      averaging(t.getDimSize(2), (*out)[0]), "adaptive_pool_h", c.loc);
  FailureOr<Value> aw = c.im.emitTensorConstant(
      averaging(t.getDimSize(3), (*out)[1]).t().contiguous(), "adaptive_pool_w", c.loc);
  if (failed(ah) || failed(aw))
    return failure();
  FailureOr<Value> rows = matmul(c, *ah, *x);
  if (failed(rows))
    return failure();
  FailureOr<Value> r = matmul(c, *rows, *aw);
  return failed(r) ? failure() : c.bind(*r);
}

/// batch_norm in eval mode: x * scale + shift per channel, with scale and
/// shift computed here from the constant statistics.
LogicalResult importBatchNorm(NodeContext &c) {
  FailureOr<Value> x = floatOperand(c);
  if (failed(x))
    return failure();
  if (c.integer(5).value_or(1))
    return c.error() << "in training mode; call model.eval() before tracing";
  auto constantTensor = [&](size_t i) -> std::optional<at::Tensor> {
    auto k = c.constant(i);
    if (k && k->isTensor())
      return k->toTensor().to(at::kDouble);
    return std::nullopt;
  };
  std::optional<at::Tensor> mean = constantTensor(3), var = constantTensor(4);
  if (!mean || !var)
    return c.error() << "needs constant running statistics";
  double eps = c.number(7).value_or(1e-5);
  int64_t channels = mean->numel();
  auto t = tensorType(*x);
  if (t.getRank() < 2 || t.getDimSize(1) != channels)
    return c.error() << "has " << channels << " channels of statistics but "
                     << "the input is " << formatType(t);
  at::Tensor scale = at::rsqrt(*var + eps);
  if (!c.isNone(1)) {
    std::optional<at::Tensor> w = constantTensor(1);
    if (!w)
      return c.error() << "needs a constant weight";
    scale = scale * *w;
  }
  at::Tensor shift = -*mean * scale;
  if (!c.isNone(2)) {
    std::optional<at::Tensor> b = constantTensor(2);
    if (!b)
      return c.error() << "needs a constant bias";
    shift = shift + *b;
  }
  // [C] -> [C, 1, ...] so it broadcasts over the spatial dims.
  std::vector<int64_t> shape = {channels};
  for (int64_t i = 2; i < t.getRank(); ++i)
    shape.push_back(1);
  at::ScalarType dtype = t.getElementType().isF64() ? at::kDouble : at::kFloat;
  std::string base = c.inputs()[3]->debugName();
  FailureOr<Value> s = c.im.emitTensorConstant(
      scale.to(dtype).reshape(shape), base + ".bn_scale", c.loc);
  FailureOr<Value> h = c.im.emitTensorConstant(
      shift.to(dtype).reshape(shape), base + ".bn_shift", c.loc);
  if (failed(s) || failed(h))
    return failure();
  Value scaled = c.create<MulOp>(*x, *s);
  return c.bind(c.create<AddOp>(scaled, *h, c.b().getF64FloatAttr(1.0)));
}

//===----------------------------------------------------------------------===//
// Constants from shapes, recurrent layers, fused transformer layers
//===----------------------------------------------------------------------===//

/// zeros/ones/full(size, [fill,] dtype, ...) and the *_like forms: constants.
LogicalResult importFill(NodeContext &c) {
  StringRef k = c.kind;
  bool like = k.ends_with("_like");
  bool full = k.starts_with("aten::full");
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
  double value = full ? c.number(1).value_or(NAN) : k.contains("ones") ? 1 : 0;
  if (std::isnan(value) && full && !c.number(1))
    return c.error() << "needs a constant fill value";
  at::Tensor t = at::full(std::vector<int64_t>(shape.begin(), shape.end()),
                          value, at::TensorOptions().dtype(dtype));
  FailureOr<Value> r = c.im.emitTensorConstant(t, "", c.loc);
  return failed(r) ? failure() : c.bind(*r);
}

/// Small builders for the unrolled recurrent and attention layers.
struct LayerBuilder {
  NodeContext &c;
  Value add(Value a, Value b) {
    return c.create<AddOp>(a, b, c.b().getF64FloatAttr(1.0));
  }
  Value mul(Value a, Value b) { return c.create<MulOp>(a, b); }
  Value linear(Value x, Value w, Value b) { return c.create<LinearOp>(x, w, b); }
  /// Columns [i * n, (i + 1) * n) of the last dim.
  Value part(Value x, int64_t i, int64_t n) {
    auto t = tensorType(x);
    int64_t rank = t.getRank();
    SmallVector<int64_t> offsets(rank, 0), sizes(t.getShape()), strides(rank, 1);
    offsets[rank - 1] = i * n;
    sizes[rank - 1] = n;
    return c.create<SliceOp>(t.clone(sizes), x, offsets, sizes, strides);
  }
  /// Index `i` of dim `dim`, that dim removed.
  Value at(Value x, int64_t dim, int64_t i) {
    auto t = tensorType(x);
    SmallVector<int64_t> offsets(t.getRank(), 0), sizes(t.getShape()),
        strides(t.getRank(), 1);
    offsets[dim] = i;
    sizes[dim] = 1;
    Value s = c.create<SliceOp>(t.clone(sizes), x, offsets, sizes, strides);
    sizes.erase(sizes.begin() + dim);
    return c.create<ReshapeOp>(t.clone(sizes), s);
  }
  Value unsqueeze(Value x, int64_t dim) {
    auto t = tensorType(x);
    SmallVector<int64_t> shape(t.getShape());
    shape.insert(shape.begin() + dim, 1);
    return c.create<ReshapeOp>(t.clone(shape), x);
  }
  Value concat(ArrayRef<Value> parts, int64_t dim) {
    if (parts.size() == 1)
      return parts[0];
    SmallVector<Type> types;
    (void)inferConcatType(c.loc, ValueRange(parts).getTypes(), dim, types);
    return c.create<ConcatOp>(types[0], parts, dim);
  }
  Value oneMinus(Value x) {
    return c.create<SubOp>(c.scalarConstant(elementOf(x), 1.0), x,
                           c.b().getF64FloatAttr(1.0));
  }
};

/// aten::lstm(input, hx, params, has_biases, num_layers, dropout, train,
/// bidirectional, batch_first) and aten::gru(input, hx, params, ...): unrolled
/// over time into linear and elementwise ops (gate order i, f, g, o for LSTM
/// and r, z, n for GRU, as PyTorch stores the weights).
LogicalResult importRecurrent(NodeContext &c) {
  bool isLSTM = c.kind == "aten::lstm";
  FailureOr<Value> input = floatOperand(c);
  if (failed(input))
    return failure();
  FailureOr<SmallVector<Value>> hx;
  if (isLSTM) {
    hx = tensorList(c, 1);
  } else {
    FailureOr<Value> h = c.tensor(1);
    if (succeeded(h))
      hx = SmallVector<Value>{*h};
  }
  FailureOr<SmallVector<Value>> params = tensorList(c, 2);
  if (failed(hx) || failed(params))
    return failure();
  std::optional<int64_t> hasBiases = c.integer(3), layers = c.integer(4),
                         train = c.integer(6), bidir = c.integer(7),
                         batchFirst = c.integer(8);
  if (!hasBiases || !layers || !train || !bidir || !batchFirst)
    return c.error() << "needs constant flags";
  if (*train)
    return c.error() << "in training mode; call model.eval() before tracing";
  LayerBuilder lb{c};
  int64_t dirs = *bidir ? 2 : 1, perLayer = *hasBiases ? 4 : 2;
  if (static_cast<int64_t>(params->size()) != *layers * dirs * perLayer)
    return c.error() << "has " << params->size() << " weights, expected "
                     << *layers * dirs * perLayer
                     << " (projections are not supported)";
  Value x = *input;
  if (*batchFirst) // work time-major: [T, B, F]
    x = c.create<TransposeOp>(
        tensorType(x).clone({tensorType(x).getDimSize(1), tensorType(x).getDimSize(0),
                             tensorType(x).getDimSize(2)}),
        x, ArrayRef<int64_t>{1, 0, 2});
  int64_t steps = tensorType(x).getDimSize(0);
  SmallVector<Value> finalH, finalC;
  for (int64_t layer = 0; layer < *layers; ++layer) {
    SmallVector<Value> dirOutputs;
    for (int64_t d = 0; d < dirs; ++d) {
      int64_t base = (layer * dirs + d) * perLayer;
      Value wih = (*params)[base], whh = (*params)[base + 1];
      Value bih = *hasBiases ? (*params)[base + 2] : Value();
      Value bhh = *hasBiases ? (*params)[base + 3] : Value();
      int64_t hidden = tensorType(whh).getDimSize(1);
      Value h = lb.at((*hx)[0], 0, layer * dirs + d);
      Value cell = isLSTM ? lb.at((*hx)[1], 0, layer * dirs + d) : Value();
      SmallVector<Value> outs(steps);
      // The input projections of all steps are one matrix product (the
      // weight is read once, not once per step); only h @ W_hh recurs.
      Value giAll = lb.linear(x, wih, bih);
      for (int64_t s = 0; s < steps; ++s) {
        int64_t t = d == 0 ? s : steps - 1 - s;
        Value gi = lb.at(giAll, 0, t), gh = lb.linear(h, whh, bhh);
        if (isLSTM) {
          Value g = lb.add(gi, gh);
          Value i = c.create<SigmoidOp>(lb.part(g, 0, hidden));
          Value f = c.create<SigmoidOp>(lb.part(g, 1, hidden));
          Value gg = c.create<TanhOp>(lb.part(g, 2, hidden));
          Value o = c.create<SigmoidOp>(lb.part(g, 3, hidden));
          cell = lb.add(lb.mul(f, cell), lb.mul(i, gg));
          h = lb.mul(o, c.create<TanhOp>(cell));
        } else {
          Value r = c.create<SigmoidOp>(
              lb.add(lb.part(gi, 0, hidden), lb.part(gh, 0, hidden)));
          Value z = c.create<SigmoidOp>(
              lb.add(lb.part(gi, 1, hidden), lb.part(gh, 1, hidden)));
          Value n = c.create<TanhOp>(
              lb.add(lb.part(gi, 2, hidden), lb.mul(r, lb.part(gh, 2, hidden))));
          h = lb.add(lb.mul(lb.oneMinus(z), n), lb.mul(z, h));
        }
        outs[t] = lb.unsqueeze(h, 0);
      }
      finalH.push_back(lb.unsqueeze(h, 0));
      if (isLSTM)
        finalC.push_back(lb.unsqueeze(cell, 0));
      dirOutputs.push_back(lb.concat(outs, 0));
    }
    x = lb.concat(dirOutputs, 2);
  }
  if (*batchFirst)
    x = c.create<TransposeOp>(
        tensorType(x).clone({tensorType(x).getDimSize(1), tensorType(x).getDimSize(0),
                             tensorType(x).getDimSize(2)}),
        x, ArrayRef<int64_t>{1, 0, 2});
  c.bind(x, 0);
  c.bind(lb.concat(finalH, 0), 1);
  if (isLSTM)
    c.bind(lb.concat(finalC, 0), 2);
  return success();
}

/// The fused nn.TransformerEncoderLayer of eval mode (batch_first):
/// self-attention and the feed-forward block, pre- or post-norm.
LogicalResult importTransformerEncoderLayer(NodeContext &c) {
  FailureOr<Value> src = floatOperand(c);
  if (failed(src))
    return failure();
  std::optional<int64_t> embed = c.integer(1), heads = c.integer(2);
  std::optional<int64_t> useGelu = c.integer(7), normFirst = c.integer(8);
  std::optional<double> eps = c.number(9);
  if (!embed || !heads || !useGelu || !normFirst || !eps)
    return c.error() << "needs constant sizes and flags";
  if (!c.isNone(18))
    return c.error() << "with an attention mask is not supported yet";
  SmallVector<Value> w;
  for (size_t i : {3, 4, 5, 6, 10, 11, 12, 13, 14, 15, 16, 17}) {
    FailureOr<Value> t = c.tensor(i);
    if (failed(t))
      return failure();
    w.push_back(*t);
  }
  auto [qkvW, qkvB, projW, projB, n1w, n1b, n2w, n2b, f1w, f1b, f2w, f2b] =
      std::tuple(w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9],
                 w[10], w[11]);
  LayerBuilder lb{c};
  auto t = tensorType(*src);
  if (t.getRank() != 3 || t.getDimSize(2) != *embed || *embed % *heads)
    return c.error() << "needs a [batch, seq, " << *embed << "] input, got "
                     << formatType(t);
  int64_t B = t.getDimSize(0), T = t.getDimSize(1), E = *embed, H = *heads,
          D = E / H;
  Type e = t.getElementType();
  auto norm = [&](Value x, Value wt, Value b) -> Value {
    return c.create<LayerNormOp>(tensorType(x), x, wt, b,
                                 c.b().getI64IntegerAttr(1),
                                 c.b().getF64FloatAttr(*eps));
  };
  auto attention = [&](Value x) -> Value {
    Value qkv = lb.linear(x, qkvW, qkvB);
    auto heads4 = [&](Value v) -> Value {
      Value r = c.create<ReshapeOp>(RankedTensorType::get({B, T, H, D}, e), v);
      return c.create<TransposeOp>(RankedTensorType::get({B, H, T, D}, e), r,
                                   ArrayRef<int64_t>{0, 2, 1, 3});
    };
    Value q = heads4(lb.part(qkv, 0, E)), k = heads4(lb.part(qkv, 1, E)),
          v = heads4(lb.part(qkv, 2, E));
    Value kt = c.create<TransposeOp>(RankedTensorType::get({B, H, D, T}, e), k,
                                     ArrayRef<int64_t>{0, 1, 3, 2});
    Value scores = lb.mul(c.create<MatmulOp>(q, kt),
                          c.scalarConstant(e, 1.0 / std::sqrt(double(D))));
    Value probs = c.create<SoftmaxOp>(scores, 3, false);
    Value y = c.create<MatmulOp>(probs, v);
    y = c.create<TransposeOp>(RankedTensorType::get({B, T, H, D}, e), y,
                              ArrayRef<int64_t>{0, 2, 1, 3});
    y = c.create<ReshapeOp>(RankedTensorType::get({B, T, E}, e), y);
    return lb.linear(y, projW, projB);
  };
  auto feedForward = [&](Value x) -> Value {
    Value hdn = lb.linear(x, f1w, f1b);
    hdn = *useGelu ? Value(c.create<GeluOp>(hdn, false))
                   : Value(c.create<ReluOp>(hdn));
    return lb.linear(hdn, f2w, f2b);
  };
  Value x = *src;
  if (*normFirst) {
    x = lb.add(x, attention(norm(x, n1w, n1b)));
    x = lb.add(x, feedForward(norm(x, n2w, n2b)));
  } else {
    x = norm(lb.add(x, attention(x)), n1w, n1b);
    x = norm(lb.add(x, feedForward(x)), n2w, n2b);
  }
  return c.bind(x);
}

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

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

FailureOr<Value> matmul(NodeContext &c, Value a, Value b) {
  SmallVector<Type> ignored;
  if (failed(inferMatmulType(c.loc, a.getType(), b.getType(), ignored)))
    return failure();
  return Value(c.create<MatmulOp>(a, b));
}

LogicalResult importMatmul(NodeContext &c) {
  FailureOr<Value> a = c.tensor(0), b = c.tensor(1);
  if (failed(a) || failed(b))
    return failure();
  int64_t want = c.kind == "aten::mm" ? 2 : c.kind == "aten::bmm" ? 3 : 0;
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

//===----------------------------------------------------------------------===//
// The registry
//===----------------------------------------------------------------------===//

struct OpEntry {
  StringRef kind;
  Handler handler;
  StringRef group; ///< section of docs/supported-ops.md
};

LogicalResult importConstant(NodeContext &) { return success(); }
LogicalResult importTupleConstruct(NodeContext &c) {
  c.im.tuples[c.node->output()] =
      SmallVector<const tj::Value *>(c.inputs().begin(), c.inputs().end());
  return success();
}

const OpEntry kOps[] = {
    // Graph plumbing and compile-time values.
    {"prim::Constant", importConstant, "Graph plumbing and compile-time values"},
    {"prim::TupleConstruct", importTupleConstruct, "Graph plumbing and compile-time values"},
    {"prim::ListConstruct", importListConstruct, "Graph plumbing and compile-time values"},
    {"prim::ListUnpack", importUnpack, "Graph plumbing and compile-time values"},
    {"prim::TupleUnpack", importUnpack, "Graph plumbing and compile-time values"},
    {"aten::__getitem__", importGetItem, "Graph plumbing and compile-time values"},
    {"aten::size", importSize, "Graph plumbing and compile-time values"},
    {"aten::dim", importDim, "Graph plumbing and compile-time values"},
    {"aten::numel", importDim, "Graph plumbing and compile-time values"},
    {"prim::NumToTensor", importNumber, "Graph plumbing and compile-time values"},
    {"aten::Int", importNumber, "Graph plumbing and compile-time values"},
    {"aten::Float", importNumber, "Graph plumbing and compile-time values"},
    {"aten::ScalarImplicit", importNumber, "Graph plumbing and compile-time values"},
    {"aten::IntImplicit", importNumber, "Graph plumbing and compile-time values"},
    {"aten::FloatImplicit", importNumber, "Graph plumbing and compile-time values"},
    {"aten::floordiv", importFloorDiv, "Graph plumbing and compile-time values"},
    {"aten::floor_divide", importFloorDiv, "Graph plumbing and compile-time values"},
    // Elementwise.
    {"aten::add", importBinary, "Elementwise"},
    {"aten::sub", importBinary, "Elementwise"},
    {"aten::rsub", importBinary, "Elementwise"},
    {"aten::mul", importBinary, "Elementwise"},
    {"aten::div", importBinary, "Elementwise"},
    {"aten::maximum", importBinary, "Elementwise"},
    {"aten::minimum", importBinary, "Elementwise"},
    {"aten::eq", importCompare, "Elementwise"},
    {"aten::ne", importCompare, "Elementwise"},
    {"aten::lt", importCompare, "Elementwise"},
    {"aten::le", importCompare, "Elementwise"},
    {"aten::gt", importCompare, "Elementwise"},
    {"aten::ge", importCompare, "Elementwise"},
    {"aten::where", importWhere, "Elementwise"},
    {"aten::masked_fill", importWhere, "Elementwise"},
    {"aten::neg", importUnary<NegOp>, "Elementwise"},
    {"aten::abs", importUnary<AbsOp>, "Elementwise"},
    {"aten::exp", importUnary<ExpOp>, "Elementwise"},
    {"aten::log", importUnary<LogOp>, "Elementwise"},
    {"aten::sqrt", importUnary<SqrtOp>, "Elementwise"},
    {"aten::rsqrt", importUnary<RsqrtOp>, "Elementwise"},
    {"aten::erf", importUnary<ErfOp>, "Elementwise"},
    {"aten::tanh", importUnary<TanhOp>, "Elementwise"},
    {"aten::sigmoid", importUnary<SigmoidOp>, "Elementwise"},
    {"aten::silu", importUnary<SiluOp>, "Elementwise"},
    {"aten::hardswish", importUnary<HardswishOp>, "Elementwise"},
    {"aten::hardsigmoid", importUnary<HardsigmoidOp>, "Elementwise"},
    {"aten::relu", importRelu, "Elementwise"},
    {"aten::gelu", importGelu, "Elementwise"},
    {"aten::leaky_relu", importLeakyRelu, "Elementwise"},
    {"aten::elu", importElu, "Elementwise"},
    {"aten::softplus", importSoftplus, "Elementwise"},
    {"aten::clamp", importClamp, "Elementwise"},
    {"aten::clamp_min", importClamp, "Elementwise"},
    {"aten::clamp_max", importClamp, "Elementwise"},
    {"aten::hardtanh", importClamp, "Elementwise"},
    {"aten::relu6", importClamp, "Elementwise"},
    {"aten::pow", importPow, "Elementwise"},
    {"aten::arange", importArange, "Shapes and data movement"},
    {"aten::reciprocal", importReciprocal, "Elementwise"},
    {"aten::to", importTo, "Elementwise"},
    {"aten::type_as", importTo, "Elementwise"},
    {"aten::contiguous", importIdentity, "Elementwise"},
    {"aten::clone", importIdentity, "Elementwise"},
    {"aten::detach", importIdentity, "Elementwise"},
    {"aten::dropout", importIdentity, "Elementwise"},
    {"aten::feature_dropout", importIdentity, "Elementwise"},
    {"aten::alpha_dropout", importIdentity, "Elementwise"},
    // Shapes.
    {"aten::view", importView, "Shapes and data movement"},
    {"aten::reshape", importView, "Shapes and data movement"},
    {"aten::flatten", importFlatten, "Shapes and data movement"},
    {"aten::squeeze", importSqueeze, "Shapes and data movement"},
    {"aten::unsqueeze", importUnsqueeze, "Shapes and data movement"},
    {"aten::permute", importPermute, "Shapes and data movement"},
    {"aten::transpose", importTranspose, "Shapes and data movement"},
    {"aten::t", importTranspose, "Shapes and data movement"},
    {"aten::cat", importCat, "Shapes and data movement"},
    {"aten::expand", importExpand, "Shapes and data movement"},
    {"aten::expand_as", importExpand, "Shapes and data movement"},
    {"aten::repeat", importRepeat, "Shapes and data movement"},
    {"aten::constant_pad_nd", importPad, "Shapes and data movement"},
    {"aten::pad", importPad, "Shapes and data movement"},
    {"aten::upsample_nearest2d", importUpsampleNearest, "Shapes and data movement"},
    {"aten::upsample_bilinear2d", importUpsampleBilinear, "Shapes and data movement"},
    {"aten::stack", importCat, "Shapes and data movement"},
    {"aten::slice", importSlice, "Shapes and data movement"},
    {"aten::narrow", importNarrow, "Shapes and data movement"},
    {"aten::select", importNarrow, "Shapes and data movement"},
    {"aten::chunk", importSplit, "Shapes and data movement"},
    {"aten::unsafe_chunk", importSplit, "Shapes and data movement"},
    {"aten::zeros", importFill, "Shapes and data movement"},
    {"aten::ones", importFill, "Shapes and data movement"},
    {"aten::full", importFill, "Shapes and data movement"},
    {"aten::zeros_like", importFill, "Shapes and data movement"},
    {"aten::ones_like", importFill, "Shapes and data movement"},
    {"aten::full_like", importFill, "Shapes and data movement"},
    {"aten::split", importSplit, "Shapes and data movement"},
    {"aten::split_with_sizes", importSplit, "Shapes and data movement"},
    {"aten::unbind", importSplit, "Shapes and data movement"},
    {"aten::embedding", importEmbedding, "Shapes and data movement"},
    {"aten::index", importIndex, "Shapes and data movement"},
    {"aten::index_select", importIndexSelect, "Shapes and data movement"},
    // Reductions and normalization.
    {"aten::sum", importReduce, "Reductions and normalization"},
    {"aten::mean", importReduce, "Reductions and normalization"},
    {"aten::amax", importReduce, "Reductions and normalization"},
    {"aten::amin", importReduce, "Reductions and normalization"},
    {"aten::softmax", importSoftmax, "Reductions and normalization"},
    {"aten::log_softmax", importSoftmax, "Reductions and normalization"},
    {"aten::argmax", importArgmax, "Reductions and normalization"},
    {"aten::cumsum", importCumsum, "Reductions and normalization"},
    {"aten::group_norm", importGroupNorm, "Reductions and normalization"},
    {"aten::layer_norm", importLayerNorm, "Reductions and normalization"},
    // Convolution and pooling.
    {"aten::_convolution", importConvolution, "Convolution and pooling"},
    {"aten::conv2d", importConvolution, "Convolution and pooling"},
    {"aten::conv1d", importConvolution, "Convolution and pooling"},
    {"aten::max_pool2d", importPool, "Convolution and pooling"},
    {"aten::avg_pool2d", importPool, "Convolution and pooling"},
    {"aten::adaptive_avg_pool2d", importAdaptiveAvgPool, "Convolution and pooling"},
    {"aten::batch_norm", importBatchNorm, "Reductions and normalization"},
    // Recurrent and transformer layers.
    {"aten::lstm", importRecurrent, "Recurrent and transformer layers"},
    {"aten::gru", importRecurrent, "Recurrent and transformer layers"},
    {"aten::_transformer_encoder_layer_fwd", importTransformerEncoderLayer,
     "Recurrent and transformer layers"},
    // Linear algebra.
    {"aten::linear", importLinear, "Linear algebra"},
    {"aten::matmul", importMatmul, "Linear algebra"},
    {"aten::mm", importMatmul, "Linear algebra"},
    {"aten::bmm", importMatmul, "Linear algebra"},
    {"aten::addmm", importAddmm, "Linear algebra"},
    {"aten::baddbmm", importAddmm, "Linear algebra"},
};

/// In-place variants (`aten::relu_`) of these compute the same value; the
/// importer rebinds the mutated operand to the result.
bool hasInplaceVariant(StringRef kind) {
  return kind.starts_with("aten::") && kind != "aten::size" &&
         kind != "aten::dim" && kind != "aten::numel" &&
         !kind.starts_with("aten::__");
}

const llvm::StringMap<Handler> &registry() {
  static const llvm::StringMap<Handler> map = [] {
    llvm::StringMap<Handler> m;
    for (const OpEntry &e : kOps) {
      m[e.kind] = e.handler;
      if (hasInplaceVariant(e.kind))
        m[(e.kind + "_").str()] = e.handler;
    }
    return m;
  }();
  return map;
}

} // namespace

ArrayRef<StringRef> mlir::kiln::getSupportedTorchOps() {
  static const std::vector<StringRef> kinds = [] {
    std::vector<StringRef> v;
    for (const OpEntry &e : kOps)
      v.push_back(e.kind);
    return v;
  }();
  return kinds;
}

void mlir::kiln::printSupportedOpsMarkdown(llvm::raw_ostream &os) {
  os << "# Supported TorchScript ops\n\n"
     << "Generated from the importer's registry (lib/Import/AtenOps.cpp) by\n"
     << "`kiln-import --supported-ops`; test/Import/supported-ops.test fails\n"
     << "when this file is stale. Every `aten::` op listed is also accepted in\n"
     << "its in-place form (`aten::relu_`). `kiln-import --op-stats m.pt` shows\n"
     << "which ops a model uses and whether Kiln supports each.\n";
  StringRef current;
  for (const OpEntry &e : kOps) {
    if (e.group != current) {
      current = e.group;
      os << "\n## " << current << "\n\n";
    }
    os << "- `" << e.kind << "`\n";
  }
}

bool mlir::kiln::isSupportedTorchOp(StringRef kind) {
  return registry().count(kind) != 0;
}

LogicalResult Importer::emitNode(const tj::Node *node) {
  std::string kind = node->kind().toQualString();
  auto it = registry().find(kind);
  Location loc = locationOf(node);
  if (it == registry().end())
    return emitError(loc) << "unsupported TorchScript op '" << kind << "'";
  NodeContext context{*this, node, loc, kind};
  // Handlers see the functional kind; an in-place op's result also replaces
  // its mutated first operand for later uses.
  bool inplace = StringRef(kind).ends_with("_") && !StringRef(kind).ends_with("__");
  if (inplace)
    context.kind.pop_back();
  if (failed(it->second(context)))
    return failure();
  if (inplace && node->inputs().size() > 0 && node->outputs().size() == 1) {
    auto result = values.find(node->output());
    if (result != values.end())
      values[node->inputs()[0]] = result->second;
  }
  return success();
}
