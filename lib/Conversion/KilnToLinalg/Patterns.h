//===- Patterns.h - The kiln-to-linalg conversion's families --------------===//
//
// Private to lib/Conversion/KilnToLinalg. Each family file adds its
// patterns and declares its ops illegal through one
// populate<Family>PatternsAndLegality; the pass (KilnToLinalg.cpp) only
// builds the target and calls them. The helpers below are shared between
// families (broadcast maps, the elementwise generic, the scalar emitter,
// contractions).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_CONVERSION_KILNTOLINALG_PATTERNS_H
#define KILN_LIB_CONVERSION_KILNTOLINALG_PATTERNS_H

#include "kiln/Conversion/Tags.h"
#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/Transforms/DialectConversion.h"

#include <functional>

namespace mlir::kiln::detail {

//===----------------------------------------------------------------------===//
// One populate function per family file
//===----------------------------------------------------------------------===//

/// Elementwise ops (every op with the KilnElementwise trait) and kiln.fused.
void populateElementwisePatternsAndLegality(RewritePatternSet &patterns,
                                            ConversionTarget &target);
/// linear, matmul.
void populateLinearPatternsAndLegality(RewritePatternSet &patterns,
                                       ConversionTarget &target);
/// conv2d, pool2d, resize_bilinear.
void populateConvPoolPatternsAndLegality(RewritePatternSet &patterns,
                                         ConversionTarget &target);
/// reduce, argmax, cumsum.
void populateReductionPatternsAndLegality(RewritePatternSet &patterns,
                                          ConversionTarget &target);
/// transpose, reshape, concat, slice, pad.
void populateDataMovementPatternsAndLegality(RewritePatternSet &patterns,
                                             ConversionTarget &target);
/// gather; with a `checkedModule` (CPU code), indices out of range are
/// reported to the runtime, through symbols this adds to the module.
void populateIndexingPatternsAndLegality(RewritePatternSet &patterns,
                                         ConversionTarget &target,
                                         ModuleOp checkedModule);
/// constant.
void populateTensorConstructorsPatternsAndLegality(RewritePatternSet &patterns,
                                                   ConversionTarget &target);

/// A pattern whose rewrite is one function building the op's replacement
/// (`Value Lower(OpBuilder &, OpTy)` or `FailureOr<Value>`, failing with a
/// diagnostic on the op). kiln -> linalg changes no types, so the op's own
/// operands are the values the function reads.
template <typename OpTy, auto Lower>
struct LowerOpPattern : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<Value> replacement = Lower(rewriter, op);
    if (failed(replacement))
      return failure();
    rewriter.replaceOp(op, *replacement);
    return success();
  }
};

/// Adds LowerOpPattern<OpTy, Lower> and marks OpTy illegal.
template <typename OpTy, auto Lower>
void addLowering(RewritePatternSet &patterns, ConversionTarget &target) {
  target.addIllegalOp<OpTy>();
  patterns.add<LowerOpPattern<OpTy, Lower>>(patterns.getContext());
}

//===----------------------------------------------------------------------===//
// Scalars (ScalarEmitter.cpp)
//===----------------------------------------------------------------------===//

Value floatConst(OpBuilder &b, Location loc, Type type, double value);

/// Float scalar helpers for generic bodies.
struct ScalarBuilder {
  OpBuilder &b;
  Location loc;
  Type type;
  Value c(double v) { return floatConst(b, loc, type, v); }
  Value add(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubFOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return arith::DivFOp::create(b, loc, x, y); }
  Value max(Value x, Value y) { return arith::MaximumFOp::create(b, loc, x, y); }
  Value min(Value x, Value y) { return arith::MinimumFOp::create(b, loc, x, y); }
  Value exp(Value x) { return math::ExpOp::create(b, loc, x); }
  Value gt(Value x, Value y) {
    return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, y);
  }
  Value select(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, loc, c, x, y);
  }
  /// min(max(x + 3, 0), 6) / 6
  Value hardsigmoid(Value x) {
    return div(min(max(add(x, c(3)), c(0)), c(6)), c(6));
  }
};

/// `v` converted to element type `to` as PyTorch's `.to(dtype)` does.
Value emitCast(OpBuilder &b, Location loc, Value v, Type to);

/// The scalar computation of one elementwise kiln op on the scalar values
/// of its operands. Fails (with a diagnostic on the op) for element types
/// the op does not support.
FailureOr<Value> emitScalar(OpBuilder &b, Operation *op, ValueRange args);

//===----------------------------------------------------------------------===//
// Elementwise generics and epilogues (Elementwise.cpp)
//===----------------------------------------------------------------------===//

/// The map from the iteration space of a result of shape `resultShape` to an
/// operand of shape `operandShape` under PyTorch broadcasting: right-aligned,
/// with size-1 dims that stretch pinned to index 0.
AffineMap broadcastMap(ArrayRef<int64_t> operandShape,
                       ArrayRef<int64_t> resultShape, MLIRContext *ctx);

/// Builds the linalg.generic computing `resultType` from `inputs` with
/// broadcasting; `bodyBuilder` receives the scalar inputs and returns the
/// scalar result. With `init`, the generic updates `init` in place and the
/// body also receives its current element, last.
FailureOr<Value> buildElementwiseGeneric(
    OpBuilder &b, Location loc, RankedTensorType resultType, ValueRange inputs,
    function_ref<FailureOr<Value>(OpBuilder &, ValueRange)> bodyBuilder,
    Value init = {});

/// Elementwise ops applied to a contraction's result: the values they read
/// and a builder of their scalar body (from those values' scalars and the
/// contraction's).
struct Epilogue {
  SmallVector<Value> inputs;
  std::function<FailureOr<Value>(OpBuilder &, ValueRange, Value)> body;
};

/// The epilogue of a fused group, if it is act(acc [+ residual]) with act
/// none, relu or a clamp and the residual an input of the result's type:
/// the attribute kiln-lower-gemm reads to apply it inside kiln_sgemm.
EpilogueAttr classifyEpilogue(Block &body, Operation *anchor,
                                ArrayRef<BlockArgument> inputArgs,
                                RankedTensorType resultType);

//===----------------------------------------------------------------------===//
// Contractions (Linear.cpp, ConvPool.cpp)
//===----------------------------------------------------------------------===//

Value zeroFilled(OpBuilder &b, Location loc, RankedTensorType type);

/// out[d0..dR-1] += lhs[lhsMap] * rhs[rhsMap], reducing over dim R, tagged
/// for --kiln-lower-gemm.
Value buildContraction(OpBuilder &b, Location loc, Value lhs, Value rhs,
                       Value init, AffineMap lhsMap, AffineMap rhsMap);

/// A conv2d, linear or matmul (a kiln.fused anchor) on its own.
FailureOr<Value> lowerContraction(OpBuilder &b, Operation *op);

/// Whether a convolution is a direct loop nest rather than a product.
bool isDirectConv2d(Conv2dOp op);
/// The direct loop nest, applying `epilogue` (when given) to the sum.
FailureOr<Value> lowerDirectConv2d(OpBuilder &b, Conv2dOp op,
                                   const Epilogue *epilogue,
                                   EpilogueAttr epilogueKind);
Value lowerConv2d(OpBuilder &b, Conv2dOp op);

} // namespace mlir::kiln::detail

#endif // KILN_LIB_CONVERSION_KILNTOLINALG_PATTERNS_H
