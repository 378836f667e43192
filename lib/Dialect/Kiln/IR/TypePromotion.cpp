//===- TypePromotion.cpp - PyTorch's dtype promotion rules ----------------===//
#include "kiln/Dialect/Kiln/IR/TypePromotion.h"

#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;
using namespace mlir::kiln;

bool mlir::kiln::isPromotableDType(Type t) {
  if (!t)
    return false;
  if (auto i = dyn_cast<IntegerType>(t)) {
    unsigned w = i.getWidth();
    if (i.isUnsigned())
      return w == 8;
    return i.isSignless() && (w == 1 || w == 8 || w == 16 || w == 32 || w == 64);
  }
  return t.isF16() || t.isBF16() || t.isF32() || t.isF64();
}

DTypeCategory mlir::kiln::getCategory(Type t) {
  if (isa<FloatType>(t))
    return DTypeCategory::Floating;
  return t.isInteger(1) ? DTypeCategory::Bool : DTypeCategory::Integer;
}

Type mlir::kiln::promoteTypes(Type a, Type b) {
  if (!isPromotableDType(a) || !isPromotableDType(b))
    return Type();
  if (a == b)
    return a;
  DTypeCategory ca = getCategory(a), cb = getCategory(b);
  if (ca != cb) // bool < integer < floating, whatever the widths
    return ca > cb ? a : b;
  if (ca == DTypeCategory::Floating) {
    // float16 and bfloat16 have no common 16-bit type.
    if (a.getIntOrFloatBitWidth() == 16 && b.getIntOrFloatBitWidth() == 16)
      return Float32Type::get(a.getContext());
    return a.getIntOrFloatBitWidth() > b.getIntOrFloatBitWidth() ? a : b;
  }
  // Integers: uint8 and int8 meet in int16; otherwise the wider one (uint8
  // is narrower than every other signed integer).
  unsigned wa = a.getIntOrFloatBitWidth(), wb = b.getIntOrFloatBitWidth();
  if (wa == 8 && wb == 8)
    return IntegerType::get(a.getContext(), 16);
  return wa > wb ? a : b;
}

namespace {

/// c10's promote_skip_undefined: a null state takes the other side.
Type promoteSkipNull(Type a, Type b) {
  if (!a)
    return b;
  if (!b)
    return a;
  return promoteTypes(a, b);
}

/// c10's combine_categories: the higher-priority state decides unless the
/// lower one is of a higher category (bool below integer below floating).
Type combineCategories(Type higher, Type lower) {
  if (!higher)
    return lower;
  if (!lower)
    return higher;
  if (isa<FloatType>(higher))
    return higher;
  if (higher.isInteger(1) || isa<FloatType>(lower))
    return promoteTypes(higher, lower);
  return higher;
}

} // namespace

Type mlir::kiln::resultType(ArrayRef<PromotionOperand> operands) {
  Type dimResult, zeroResult, numberResult;
  for (const PromotionOperand &o : operands) {
    Type t = o.element;
    if (!isPromotableDType(t))
      return Type();
    switch (o.kind) {
    case PromotionOperandKind::Tensor:
      dimResult = promoteSkipNull(dimResult, t);
      break;
    case PromotionOperandKind::ZeroDimTensor:
      zeroResult = promoteSkipNull(zeroResult, t);
      break;
    case PromotionOperandKind::Number:
      // A Python float is a double, but computes in the default dtype.
      if (isa<FloatType>(t))
        t = Float32Type::get(t.getContext());
      numberResult = promoteSkipNull(numberResult, t);
      break;
    }
  }
  return combineCategories(dimResult,
                           combineCategories(zeroResult, numberResult));
}

PromotionOperand mlir::kiln::tensorOperand(Type tensorType) {
  auto t = cast<ShapedType>(tensorType);
  return {t.getElementType(), t.getRank() == 0
                                  ? PromotionOperandKind::ZeroDimTensor
                                  : PromotionOperandKind::Tensor};
}

bool mlir::kiln::canCast(Type from, Type to) {
  return getCategory(from) <= getCategory(to);
}

Type mlir::kiln::trueDivisionType(Type promoted) {
  if (isa<FloatType>(promoted))
    return promoted;
  return Float32Type::get(promoted.getContext());
}

Type mlir::kiln::integralAccumulationType(Type element) {
  if (isa<IntegerType>(element))
    return IntegerType::get(element.getContext(), 64);
  return element;
}
