//===- TensorConstructors.cpp - kiln.constant to arith.constant -------------===//
//
// Constants keep their attribute (dense or a resource blob), so weights
// are never copied.
//
//===----------------------------------------------------------------------===//
#include "Patterns.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::detail;

namespace {

Value lowerConstant(OpBuilder &b, ConstantOp op) {
  return arith::ConstantOp::create(b, op.getLoc(),
                                   cast<TypedAttr>(op.getValue()));
}

} // namespace

void mlir::kiln::detail::populateTensorConstructorsPatternsAndLegality(
    RewritePatternSet &patterns, ConversionTarget &target) {
  addLowering<ConstantOp, lowerConstant>(patterns, target);
}
