//===- NodeContext.cpp - What every op handler of the importer shares -----===//
#include "NodeContext.h"

#include "kiln/Support/ABI.h"

#include <cmath>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::detail;

FailureOr<Value> NodeContext::tensor(size_t i) {
  if (i >= numInputs())
    return error() << "expects operand #" << i;
  return im.lookupTensor(inputs()[i], node);
}

Value NodeContext::withDTypeOperand(size_t i, Value v) {
  if (auto dt = integer(i))
    if (Type e = elementTypeOf(static_cast<at::ScalarType>(*dt),
                               b().getContext()))
      return castTo(v, e);
  return v;
}

LogicalResult NodeContext::optionalTensor(size_t i, Value &out) {
  if (isNone(i))
    return success();
  FailureOr<Value> t = tensor(i);
  if (failed(t))
    return failure();
  out = *t;
  return success();
}

std::optional<c10::IValue> NodeContext::constant(size_t i) {
  if (i >= numInputs())
    return std::nullopt;
  return im.constantOf(inputs()[i]);
}

bool NodeContext::isNone(size_t i) {
  if (i >= numInputs())
    return true;
  auto c = constant(i);
  return inputs()[i]->type()->kind() == c10::TypeKind::NoneType ||
         (c && c->isNone());
}

std::optional<double> NodeContext::number(size_t i) {
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

std::optional<int64_t> NodeContext::integer(size_t i) {
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

std::optional<SmallVector<int64_t>> NodeContext::intList(size_t i) {
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

std::optional<std::string> NodeContext::string(size_t i) {
  auto c = constant(i);
  if (c && c->isString())
    return c->toStringRef();
  return std::nullopt;
}

FailureOr<int64_t> NodeContext::dim(int64_t d, int64_t rank) {
  int64_t r = std::max<int64_t>(rank, 1);
  if (d < -r || d >= r)
    return error() << "dim " << d << " is out of range for rank " << rank;
  return d < 0 ? d + r : d;
}

Value NodeContext::scalarConstant(Type element, double v) {
  auto type = RankedTensorType::get({}, element);
  Attribute a = isa<FloatType>(element)
                    ? Attribute(b().getFloatAttr(element, v))
                    : Attribute(b().getIntegerAttr(element, int64_t(v)));
  return create<ConstantOp>(DenseElementsAttr::get(type, a));
}

Value NodeContext::castTo(Value v, Type element) {
  auto t = cast<RankedTensorType>(v.getType());
  if (t.getElementType() == element)
    return v;
  return create<CastOp>(t.clone(element), v);
}

/// Integer and float arithmetic on compile-time numbers (sizes mostly).
std::optional<LogicalResult>
mlir::kiln::detail::tryScalarArithmetic(NodeContext &c, ScalarArith arith) {
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
  switch (arith) {
  case ScalarArith::add: r = *a + *b; break;
  case ScalarArith::sub: r = *a - *b; break;
  case ScalarArith::mul: r = *a * *b; break;
  case ScalarArith::div: {
    // div(a, b, rounding_mode) keeps integers when it rounds.
    std::optional<std::string> mode =
        c.numInputs() > 2 ? c.string(2) : std::nullopt;
    if (mode && *mode != "floor" && *mode != "trunc")
      return c.error() << "with rounding_mode '" << *mode
                       << "' is not supported (expected None, 'trunc' or "
                          "'floor')";
    if (mode && ints && *b == 0)
      return c.error() << "divides " << int64_t(*a) << " by zero";
    r = *a / *b;
    if (!mode)
      ints = false;
    else
      r = *mode == "floor" ? std::floor(r) : std::trunc(r);
    break;
  }
  case ScalarArith::floordiv:
    if (ints && *b == 0)
      return c.error() << "divides " << int64_t(*a) << " by zero";
    r = std::floor(*a / *b);
    break;
  case ScalarArith::neg: r = -*a; break;
  case ScalarArith::eq: return c.bindScalar(c10::IValue(*a == *b));
  case ScalarArith::ne: return c.bindScalar(c10::IValue(*a != *b));
  case ScalarArith::lt: return c.bindScalar(c10::IValue(*a < *b));
  case ScalarArith::gt: return c.bindScalar(c10::IValue(*a > *b));
  case ScalarArith::le: return c.bindScalar(c10::IValue(*a <= *b));
  case ScalarArith::ge: return c.bindScalar(c10::IValue(*a >= *b));
  case ScalarArith::none: return c.error() << "on numbers is not supported";
  }
  return c.bindScalar(ints ? c10::IValue(int64_t(r)) : c10::IValue(r));
}

Type mlir::kiln::detail::numberDType(NodeContext &c, size_t i) {
  std::optional<c10::IValue> k = c.constant(i);
  if (!k)
    return Type();
  Builder b(c.b().getContext());
  if (k->isBool())
    return b.getI1Type();
  if (k->isInt())
    return b.getIntegerType(64);
  if (k->isDouble())
    return b.getF64Type();
  // Traces record a Python number as a 0-dim tensor constant, which
  // TorchScript still promotes as a number (int32 * 0.5 is float32). So
  // does torch.jit.freeze with a 0-dim parameter (the frozen module gives
  // int32 * f64-parameter float32, the unfrozen one float64): Kiln follows
  // the frozen graph it imports.
  if (k->isTensor() && k->toTensor().dim() == 0)
    return elementTypeOf(k->toTensor().scalar_type(), b.getContext());
  return Type();
}

FailureOr<Type> mlir::kiln::detail::resultTypeOf(NodeContext &c,
                                                 ArrayRef<size_t> indices) {
  SmallVector<PromotionOperand> operands;
  for (size_t i : indices) {
    if (Type n = numberDType(c, i)) {
      operands.push_back({n, PromotionOperandKind::Number});
      continue;
    }
    FailureOr<Value> t = c.tensor(i);
    if (failed(t))
      return failure();
    operands.push_back(tensorOperand(t->getType()));
  }
  Type r = resultType(operands);
  if (!r) {
    InFlightDiagnostic d = c.error() << "cannot promote the dtypes";
    for (const PromotionOperand &o : operands)
      d << " " << getDTypeName(o.element);
    return d << " (no PyTorch promotion rule in Kiln for one of them)";
  }
  return r;
}

/// The two operands of a binary op in the dtype PyTorch computes it in
/// (torch.result_type): a Python number becomes a 0-d constant of that
/// dtype, tensors are cast to it.
LogicalResult mlir::kiln::detail::binaryOperands(NodeContext &c, size_t li, size_t ri, Value &lhs,
                             Value &rhs) {
  FailureOr<Type> t = resultTypeOf(c, {li, ri});
  if (failed(t))
    return failure();
  auto operand = [&](size_t i) -> FailureOr<Value> {
    if (numberDType(c, i))
      return c.scalarConstant(*t, *c.number(i));
    FailureOr<Value> v = c.tensor(i);
    if (failed(v))
      return failure();
    return c.castTo(*v, *t);
  };
  FailureOr<Value> l = operand(li), r = operand(ri);
  if (failed(l) || failed(r))
    return failure();
  lhs = *l;
  rhs = *r;
  SmallVector<Type> ignored;
  return inferBroadcastType(c.loc, "kiln." + c.kind.substr(6), lhs.getType(),
                            rhs.getType(), ignored);
}

LogicalResult mlir::kiln::detail::checkBroadcast(NodeContext &c, Value a,
                                                 Value b) {
  SmallVector<Type> ignored;
  return inferBroadcastType(c.loc, c.kind, a.getType(), b.getType(), ignored);
}

FailureOr<Value> mlir::kiln::detail::floatOperand(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  if (!isa<FloatType>(elementOf(*x)))
    return c.castTo(*x, Float32Type::get(c.b().getContext()));
  return *x;
}

FailureOr<SmallVector<Value>>
mlir::kiln::detail::tensorList(NodeContext &c, size_t i) {
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

Value mlir::kiln::detail::broadcastTo(NodeContext &c, Value x, ArrayRef<int64_t> shape) {
  auto t = tensorType(x);
  if (t.getShape() == shape)
    return x;
  return c.create<BroadcastOp>(t.clone(shape), x);
}

/// Entries `idx` (1-D integer) of `x` along dim `d`.
Value mlir::kiln::detail::selectAlong(NodeContext &c, Value x, int64_t d, Value idx) {
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
  // index_select and its kin raise on a negative index.
  Value g = c.create<GatherOp>(tt.clone(shape), table, idx,
                               /*wrap_negative=*/false, c.kind, d);
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

FailureOr<Value> mlir::kiln::detail::matmul(NodeContext &c, Value a, Value b) {
  SmallVector<Type> ignored;
  if (failed(inferMatmulType(c.loc, a.getType(), b.getType(), ignored)))
    return failure();
  return Value(c.create<MatmulOp>(a, b));
}
