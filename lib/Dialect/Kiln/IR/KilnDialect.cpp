//===- KilnDialect.cpp - The kiln dialect ---------------------------------===//
#include "kiln/Dialect/Kiln/IR/KilnDialect.h"
#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::kiln;

#include "kiln/Dialect/Kiln/IR/KilnDialect.cpp.inc"
#include "kiln/Dialect/Kiln/IR/KilnEnums.cpp.inc"
#define GET_ATTRDEF_CLASSES
#include "kiln/Dialect/Kiln/IR/KilnAttributes.cpp.inc"

void KilnDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "kiln/Dialect/Kiln/IR/KilnOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "kiln/Dialect/Kiln/IR/KilnAttributes.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// The lowering's contracts
//===----------------------------------------------------------------------===//

LogicalResult
EpilogueAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                     Activation act, FloatAttr lo, FloatAttr hi,
                     int64_t residual) {
  if (!lo || !hi || !lo.getType().isF32() || !hi.getType().isF32())
    return emitError() << "epilogue bounds must be f32";
  if (residual < -1)
    return emitError() << "epilogue residual must be an input index or -1, got "
                       << residual;
  double l = lo.getValueAsDouble(), h = hi.getValueAsDouble();
  if (act == Activation::relu && l != 0)
    return emitError() << "a relu epilogue has lo = 0, got " << l;
  if (!(l <= h))
    return emitError() << "epilogue bounds must satisfy lo <= hi, got [" << l
                       << ", " << h << "]";
  return success();
}

/// [h, w] pairs of positive values (`zero`: of non-negative ones).
static LogicalResult verifyPair(function_ref<InFlightDiagnostic()> emitError,
                                StringRef name, ArrayRef<int64_t> v,
                                bool zero = false) {
  if (v.size() != 2)
    return emitError() << name << " must have 2 entries [h, w], got "
                       << v.size();
  for (int64_t x : v)
    if (x < (zero ? 0 : 1))
      return emitError() << name << " entries must be "
                         << (zero ? "non-negative" : "positive") << ", got "
                         << x;
  return success();
}

LogicalResult Im2colAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 ArrayRef<int64_t> stride,
                                 ArrayRef<int64_t> dilation) {
  if (failed(verifyPair(emitError, "stride", stride)) ||
      failed(verifyPair(emitError, "dilation", dilation)))
    return failure();
  return success();
}

LogicalResult
DepthwiseAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                      ArrayRef<int64_t> stride, ArrayRef<int64_t> dilation,
                      ArrayRef<int64_t> padding, ArrayRef<int64_t> kernel,
                      EpilogueAttr epilogue, BoolAttr bias) {
  if (failed(verifyPair(emitError, "stride", stride)) ||
      failed(verifyPair(emitError, "dilation", dilation)) ||
      failed(verifyPair(emitError, "padding", padding, /*zero=*/true)) ||
      failed(verifyPair(emitError, "kernel", kernel)))
    return failure();
  if (!epilogue || !bias)
    return emitError() << "depthwise needs an epilogue and a bias flag";
  if (epilogue.getResidual() != -1)
    return emitError() << "kiln_dwconv2d applies no residual; the epilogue's "
                          "residual must be -1, got "
                       << epilogue.getResidual();
  return success();
}

Operation *KilnDialect::materializeConstant(OpBuilder &builder,
                                            Attribute value, Type type,
                                            Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, elements);
}
