//===- ConstantData.cpp - Compile-time tensor values for folding ----------===//
#include "kiln/Transforms/ConstantData.h"

#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/APFloat.h"

#include <cmath>
#include <cstring>

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// Element width in bytes as stored in a raw buffer (i1 is one byte in
/// resource blobs, as the importer writes them).
unsigned storageBytes(Type t) {
  return std::max<unsigned>(1, (t.getIntOrFloatBitWidth() + 7) / 8);
}

double decode(Type t, const char *p) {
  unsigned bytes = storageBytes(t);
  uint64_t bits = 0;
  std::memcpy(&bits, p, bytes); // little-endian hosts only, as the ABI
  if (auto f = dyn_cast<FloatType>(t)) {
    APFloat v(f.getFloatSemantics(), APInt(f.getWidth(), bits));
    return v.convertToDouble();
  }
  unsigned width = t.getIntOrFloatBitWidth();
  APInt v(width, bits);
  if (width == 1)
    return (bits & 1) ? 1.0 : 0.0;
  return t.isUnsignedInteger() ? static_cast<double>(v.getZExtValue())
                               : static_cast<double>(v.getSExtValue());
}

void encode(Type t, double value, char *p) {
  APInt bits;
  if (auto f = dyn_cast<FloatType>(t)) {
    APFloat v(value);
    bool lost;
    v.convert(f.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
    bits = v.bitcastToAPInt();
  } else if (t.getIntOrFloatBitWidth() == 1) {
    bits = APInt(8, value != 0.0);
  } else {
    bits = APInt(t.getIntOrFloatBitWidth(), static_cast<int64_t>(value),
                 /*isSigned=*/true, /*implicitTrunc=*/true);
  }
  uint64_t raw = bits.getZExtValue();
  std::memcpy(p, &raw, storageBytes(t));
}

} // namespace

std::optional<ConstantData> ConstantData::read(ElementsAttr attr) {
  auto type = dyn_cast<RankedTensorType>(attr.getType());
  if (!type || !type.hasStaticShape())
    return std::nullopt;
  Type element = type.getElementType();
  if (!element.isIntOrFloat())
    return std::nullopt;
  ConstantData data{type, {}};
  int64_t n = type.getNumElements();
  data.values.reserve(n);
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    if (auto f = dyn_cast<FloatType>(element)) {
      for (const APFloat &v : dense.getValues<APFloat>())
        data.values.push_back(v.convertToDouble());
    } else {
      for (const APInt &v : dense.getValues<APInt>()) {
        if (element.getIntOrFloatBitWidth() == 1)
          data.values.push_back(v.getBoolValue() ? 1.0 : 0.0);
        else
          data.values.push_back(element.isUnsignedInteger()
                                    ? static_cast<double>(v.getZExtValue())
                                    : static_cast<double>(v.getSExtValue()));
      }
    }
  } else if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return std::nullopt;
    ArrayRef<char> raw = blob->getData();
    unsigned bytes = storageBytes(element);
    if (static_cast<int64_t>(raw.size()) != n * bytes)
      return std::nullopt;
    for (int64_t i = 0; i < n; ++i)
      data.values.push_back(decode(element, raw.data() + i * bytes));
  } else {
    return std::nullopt;
  }
  // Integers beyond 2^53 do not survive the trip through double.
  if (element.isInteger(64))
    for (double v : data.values)
      if (std::fabs(v) > 9007199254740992.0)
        return std::nullopt;
  return data;
}

std::optional<ConstantData> ConstantData::readValue(Value v) {
  auto c = v.getDefiningOp<ConstantOp>();
  if (!c)
    return std::nullopt;
  return read(c.getValue());
}

ElementsAttr ConstantData::toAttr(StringRef blobName) const {
  Type element = type.getElementType();
  unsigned bytes = storageBytes(element);
  bool splat = !values.empty() &&
               llvm::all_of(values, [&](double v) {
                 return v == values.front() &&
                        std::signbit(v) == std::signbit(values.front());
               });
  if (element.isInteger(1)) {
    SmallVector<bool> bits;
    for (double v : values)
      bits.push_back(v != 0.0);
    return DenseElementsAttr::get(type, ArrayRef<bool>(bits));
  }
  int64_t count = splat ? 1 : size();
  std::vector<char> raw(count * bytes);
  for (int64_t i = 0; i < count; ++i)
    encode(element, values[i], raw.data() + i * bytes);
  // Small tensors stay inline (readable in IR and tests); weights are blobs.
  if (splat || size() <= 16)
    return DenseElementsAttr::getFromRawBuffer(type, raw);
  return DenseResourceElementsAttr::get(
      type, blobName,
      HeapAsmResourceBlob::allocateAndCopyWithAlign(raw, /*align=*/64,
                                                    /*dataIsMutable=*/false));
}

std::string mlir::kiln::constantName(Value v) {
  if (auto c = v.getDefiningOp<ConstantOp>())
    if (auto r = dyn_cast<DenseResourceElementsAttr>(c.getValue()))
      return r.getRawHandle().getKey().str();
  return "";
}
