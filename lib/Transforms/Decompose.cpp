//===- Decompose.cpp - Composite kiln ops into primitive ones -------------===//
#include "kiln/Transforms/Passes.h"

#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNDECOMPOSE
#include "kiln/Transforms/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

Value scalarConstant(PatternRewriter &rewriter, Location loc, Type element,
                     double v) {
  auto type = RankedTensorType::get({}, element);
  return ConstantOp::create(
      rewriter, loc,
      DenseElementsAttr::get(type, rewriter.getFloatAttr(element, v)));
}

/// add/sub with alpha = 1.
template <typename OpTy>
Value binary(PatternRewriter &rewriter, Location loc, Value a, Value b) {
  return OpTy::create(rewriter, loc, a, b, rewriter.getF64FloatAttr(1.0));
}

Value reduce(PatternRewriter &rewriter, Location loc, ReduceKind kind, Value x,
             ArrayRef<int64_t> dims) {
  return ReduceOp::create(rewriter, loc, kind, x, dims, /*keepdim=*/true);
}

/// softmax(x) = exp(x - max) / sum(exp(x - max));
/// log_softmax(x) = (x - max) - log(sum(exp(x - max))).
struct DecomposeSoftmax : OpRewritePattern<SoftmaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SoftmaxOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getInput();
    if (op.getType().getRank() == 0) {
      // Over a scalar: softmax is 1, log_softmax is 0.
      Type e = op.getType().getElementType();
      Value c = scalarConstant(rewriter, loc, e, op.getLog() ? 0.0 : 1.0);
      rewriter.replaceOp(op, c);
      return success();
    }
    SmallVector<int64_t> dims = {static_cast<int64_t>(op.getDim())};
    Value max = reduce(rewriter, loc, ReduceKind::max, x, dims);
    Value shifted = binary<SubOp>(rewriter, loc, x, max);
    Value exp = ExpOp::create(rewriter, loc, shifted);
    Value sum = reduce(rewriter, loc, ReduceKind::sum, exp, dims);
    Value result =
        op.getLog()
            ? binary<SubOp>(rewriter, loc, shifted,
                            LogOp::create(rewriter, loc, sum))
            : Value(DivOp::create(rewriter, loc, exp, sum));
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// (x - mean) * rsqrt(var + eps) * weight + bias over the last dims, with
/// the biased variance as PyTorch computes it.
struct DecomposeLayerNorm : OpRewritePattern<LayerNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LayerNormOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getInput();
    int64_t rank = op.getType().getRank();
    SmallVector<int64_t> dims;
    for (int64_t i = rank - op.getNormalizedRank(); i < rank; ++i)
      dims.push_back(i);
    Type element = op.getType().getElementType();
    Value mean = reduce(rewriter, loc, ReduceKind::mean, x, dims);
    Value centered = binary<SubOp>(rewriter, loc, x, mean);
    Value squared = MulOp::create(rewriter, loc, centered, centered);
    Value var = reduce(rewriter, loc, ReduceKind::mean, squared, dims);
    Value eps = scalarConstant(rewriter, loc, element,
                               op.getEps().convertToDouble());
    Value inv = RsqrtOp::create(rewriter, loc,
                                binary<AddOp>(rewriter, loc, var, eps));
    Value y = MulOp::create(rewriter, loc, centered, inv);
    if (Value w = op.getWeight())
      y = MulOp::create(rewriter, loc, y, w);
    if (Value bias = op.getBias())
      y = binary<AddOp>(rewriter, loc, y, bias);
    rewriter.replaceOp(op, y);
    return success();
  }
};

struct KilnDecompose : public kiln::impl::KilnDecomposeBase<KilnDecompose> {
  using kiln::impl::KilnDecomposeBase<KilnDecompose>::KilnDecomposeBase;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<DecomposeSoftmax, DecomposeLayerNorm>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
