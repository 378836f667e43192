//===- Decompose.cpp - Composite kiln ops into primitive ones -------------===//
//
// The pass, the shared builder, and the normalization decompositions
// (softmax, layer_norm, group_norm). The layers (LSTM, GRU, transformer
// encoder) are in DecomposeLayers.cpp.
//
//===----------------------------------------------------------------------===//
#include "Decompose.h"

#include "kiln/Transforms/Passes.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNDECOMPOSE
#include "kiln/Transforms/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::detail;

//===----------------------------------------------------------------------===//
// PrimitiveBuilder
//===----------------------------------------------------------------------===//

Value PrimitiveBuilder::scalar(Type element, double v) {
  auto type = RankedTensorType::get({}, element);
  return create<ConstantOp>(
      DenseElementsAttr::get(type, rewriter.getFloatAttr(element, v)));
}

Value PrimitiveBuilder::add(Value a, Value b) {
  return create<AddOp>(a, b, rewriter.getF64FloatAttr(1.0));
}

Value PrimitiveBuilder::sub(Value a, Value b) {
  return create<SubOp>(a, b, rewriter.getF64FloatAttr(1.0));
}

Value PrimitiveBuilder::reduce(ReduceKind kind, Value x,
                               ArrayRef<int64_t> dims) {
  return create<ReduceOp>(kind, x, dims, /*keepdim=*/true);
}

Value PrimitiveBuilder::reshape(Value x, ArrayRef<int64_t> shape) {
  return create<ReshapeOp>(typeOf(x).clone(shape), x);
}

Value PrimitiveBuilder::transpose(Value x, ArrayRef<int64_t> perm) {
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(typeOf(x).getDimSize(p));
  return create<TransposeOp>(typeOf(x).clone(shape), x, perm);
}

Value PrimitiveBuilder::part(Value x, int64_t i, int64_t n) {
  auto t = typeOf(x);
  int64_t rank = t.getRank();
  SmallVector<int64_t> offsets(rank, 0), sizes(t.getShape()), strides(rank, 1);
  offsets[rank - 1] = i * n;
  sizes[rank - 1] = n;
  return create<SliceOp>(t.clone(sizes), x, offsets, sizes, strides);
}

Value PrimitiveBuilder::at(Value x, int64_t dim, int64_t i) {
  auto t = typeOf(x);
  SmallVector<int64_t> offsets(t.getRank(), 0), sizes(t.getShape()),
      strides(t.getRank(), 1);
  offsets[dim] = i;
  sizes[dim] = 1;
  Value s = create<SliceOp>(t.clone(sizes), x, offsets, sizes, strides);
  sizes.erase(sizes.begin() + dim);
  return reshape(s, sizes);
}

Value PrimitiveBuilder::unsqueeze(Value x, int64_t dim) {
  SmallVector<int64_t> shape(typeOf(x).getShape());
  shape.insert(shape.begin() + dim, 1);
  return reshape(x, shape);
}

Value PrimitiveBuilder::concat(ArrayRef<Value> parts, int64_t dim) {
  if (parts.size() == 1)
    return parts[0];
  SmallVector<Type> types;
  (void)inferConcatType(loc, ValueRange(parts).getTypes(), dim, types);
  return create<ConcatOp>(types[0], parts, dim);
}

Value PrimitiveBuilder::layerNorm(Value x, Value weight, Value bias,
                                  int64_t rank, double eps) {
  return create<LayerNormOp>(typeOf(x), x, weight, bias,
                             rewriter.getI64IntegerAttr(rank),
                             rewriter.getF64FloatAttr(eps));
}

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

namespace {

/// softmax(x) = exp(x - max) / sum(exp(x - max));
/// log_softmax(x) = (x - max) - log(sum(exp(x - max))).
struct DecomposeSoftmax : OpRewritePattern<SoftmaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SoftmaxOp op,
                                PatternRewriter &rewriter) const override {
    PrimitiveBuilder b{rewriter, op.getLoc()};
    Value x = op.getInput();
    if (op.getType().getRank() == 0) {
      // Over a scalar: softmax is 1, log_softmax is 0.
      Type e = op.getType().getElementType();
      rewriter.replaceOp(op, b.scalar(e, op.getLog() ? 0.0 : 1.0));
      return success();
    }
    SmallVector<int64_t> dims = {static_cast<int64_t>(op.getDim())};
    Value shifted = b.sub(x, b.reduce(ReduceKind::max, x, dims));
    Value exp = b.create<ExpOp>(shifted);
    Value sum = b.reduce(ReduceKind::sum, exp, dims);
    Value result = op.getLog() ? b.sub(shifted, b.create<LogOp>(sum))
                               : b.create<DivOp>(exp, sum);
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
    PrimitiveBuilder b{rewriter, op.getLoc()};
    Value x = op.getInput();
    int64_t rank = op.getType().getRank();
    SmallVector<int64_t> dims;
    for (int64_t i = rank - op.getNormalizedRank(); i < rank; ++i)
      dims.push_back(i);
    Type element = op.getType().getElementType();
    Value centered = b.sub(x, b.reduce(ReduceKind::mean, x, dims));
    Value var = b.reduce(ReduceKind::mean, b.mul(centered, centered), dims);
    Value eps = b.scalar(element, op.getEps().convertToDouble());
    Value y = b.mul(centered, b.create<RsqrtOp>(b.add(var, eps)));
    if (Value w = op.getWeight())
      y = b.mul(y, w);
    if (Value bias = op.getBias())
      y = b.add(y, bias);
    rewriter.replaceOp(op, y);
    return success();
  }
};

/// group_norm: layer norm over [N, groups, C / groups * positions], back to
/// the input's shape, then the per-channel affine shaped [C, 1, ...].
struct DecomposeGroupNorm : OpRewritePattern<GroupNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GroupNormOp op,
                                PatternRewriter &rewriter) const override {
    PrimitiveBuilder b{rewriter, op.getLoc()};
    auto t = op.getType();
    int64_t n = t.getDimSize(0), ch = t.getDimSize(1), groups = op.getGroups();
    Value g = b.reshape(op.getInput(),
                        {n, groups, t.getNumElements() / (n * groups)});
    g = b.layerNorm(g, Value(), Value(), 1, op.getEps().convertToDouble());
    Value y = b.reshape(g, t.getShape());
    SmallVector<int64_t> affine = {ch};
    affine.append(t.getRank() - 2, 1);
    if (Value w = op.getWeight())
      y = b.mul(y, b.reshape(w, affine));
    if (Value bias = op.getBias())
      y = b.add(y, b.reshape(bias, affine));
    rewriter.replaceOp(op, y);
    return success();
  }
};

struct KilnDecompose : public kiln::impl::KilnDecomposeBase<KilnDecompose> {
  using kiln::impl::KilnDecomposeBase<KilnDecompose>::KilnDecomposeBase;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateDecomposeNormalizationPatterns(patterns);
    populateDecomposeLayerPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void mlir::kiln::detail::populateDecomposeNormalizationPatterns(
    RewritePatternSet &patterns) {
  patterns.add<DecomposeSoftmax, DecomposeLayerNorm, DecomposeGroupNorm>(
      patterns.getContext());
}
