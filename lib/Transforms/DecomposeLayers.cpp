//===- DecomposeLayers.cpp - LSTM, GRU and transformer encoder layers -----===//
//
// Recurrent layers unroll over time into linear and elementwise ops; the
// transformer encoder layer becomes its attention and feed-forward blocks.
// The op verifiers (lib/Dialect/Kiln/IR/KilnLayerOps.cpp) have checked every
// shape these rely on.
//
//===----------------------------------------------------------------------===//
#include "Decompose.h"

#include <cmath>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::detail;

namespace {

/// One step of an LSTM cell (gates i, f, g, o as PyTorch stores them):
/// updates `h` and `cell` from the step's input projection `gi` and the
/// recurrent projection `gh`.
void lstmStep(PrimitiveBuilder &b, Value gi, Value gh, int64_t hidden,
              Value &h, Value &cell) {
  Value g = b.add(gi, gh);
  Value i = b.create<SigmoidOp>(b.part(g, 0, hidden));
  Value f = b.create<SigmoidOp>(b.part(g, 1, hidden));
  Value gg = b.create<TanhOp>(b.part(g, 2, hidden));
  Value o = b.create<SigmoidOp>(b.part(g, 3, hidden));
  cell = b.add(b.mul(f, cell), b.mul(i, gg));
  h = b.mul(o, b.create<TanhOp>(cell));
}

/// One step of a GRU cell (gates r, z, n); b_hn stays inside r * (...).
void gruStep(PrimitiveBuilder &b, Value gi, Value gh, int64_t hidden,
             Value &h) {
  Value r = b.create<SigmoidOp>(
      b.add(b.part(gi, 0, hidden), b.part(gh, 0, hidden)));
  Value z = b.create<SigmoidOp>(
      b.add(b.part(gi, 1, hidden), b.part(gh, 1, hidden)));
  Value n = b.create<TanhOp>(
      b.add(b.part(gi, 2, hidden), b.mul(r, b.part(gh, 2, hidden))));
  h = b.add(b.mul(b.oneMinus(z), n), b.mul(z, h));
}

/// kiln.lstm and kiln.gru unrolled over time, layer by layer, each
/// direction on its own; the results are the last layer's outputs and the
/// final states stacked over layers and directions.
template <typename OpTy> struct DecomposeRecurrent : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  static constexpr bool isLSTM = std::is_same_v<OpTy, LSTMOp>;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    PrimitiveBuilder b{rewriter, op.getLoc()};
    int64_t dirs = op.getNumDirections(), perDir = op.getWeightsPerDirection();
    auto params = op.getParams();
    Value x = op.getInput();
    if (op.getBatchFirst()) // work time-major: [T, B, F]
      x = b.transpose(x, {1, 0, 2});
    int64_t steps = b.typeOf(x).getDimSize(0);
    SmallVector<Value> finalH, finalC;
    for (int64_t layer = 0; layer < op.getNumLayers(); ++layer) {
      SmallVector<Value> dirOutputs;
      for (int64_t d = 0; d < dirs; ++d) {
        int64_t base = (layer * dirs + d) * perDir;
        Value wih = params[base], whh = params[base + 1];
        Value bih = perDir == 4 ? params[base + 2] : Value();
        Value bhh = perDir == 4 ? params[base + 3] : Value();
        int64_t hidden = b.typeOf(whh).getDimSize(1);
        Value h = b.at(op.getH0(), 0, layer * dirs + d);
        Value cell;
        if constexpr (isLSTM)
          cell = b.at(op.getC0(), 0, layer * dirs + d);
        SmallVector<Value> outs(steps);
        // The input projections of all steps are one matrix product (the
        // weight is read once, not once per step); only h @ W_hh recurs.
        Value giAll = b.linear(x, wih, bih);
        for (int64_t s = 0; s < steps; ++s) {
          int64_t t = d == 0 ? s : steps - 1 - s;
          Value gi = b.at(giAll, 0, t), gh = b.linear(h, whh, bhh);
          if constexpr (isLSTM)
            lstmStep(b, gi, gh, hidden, h, cell);
          else
            gruStep(b, gi, gh, hidden, h);
          outs[t] = b.unsqueeze(h, 0);
        }
        finalH.push_back(b.unsqueeze(h, 0));
        if constexpr (isLSTM)
          finalC.push_back(b.unsqueeze(cell, 0));
        dirOutputs.push_back(b.concat(outs, 0));
      }
      x = b.concat(dirOutputs, 2);
    }
    if (op.getBatchFirst())
      x = b.transpose(x, {1, 0, 2});
    SmallVector<Value> results = {x, b.concat(finalH, 0)};
    if constexpr (isLSTM)
      results.push_back(b.concat(finalC, 0));
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// Self-attention (packed q, k, v projection; softmax(q k^T / sqrt(D)) v per
/// head) and the feed-forward block, each with its residual add, the layer
/// norms before (norm_first) or after the blocks.
struct DecomposeTransformerEncoderLayer
    : OpRewritePattern<TransformerEncoderLayerOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransformerEncoderLayerOp op,
                                PatternRewriter &rewriter) const override {
    PrimitiveBuilder b{rewriter, op.getLoc()};
    auto t = op.getType();
    int64_t B = t.getDimSize(0), T = t.getDimSize(1), E = t.getDimSize(2),
            H = op.getNumHeads(), D = E / H;
    Type e = t.getElementType();
    double eps = op.getEps().convertToDouble();
    auto attention = [&](Value x) -> Value {
      Value qkv = b.linear(x, op.getQkvWeight(), op.getQkvBias());
      auto heads = [&](Value v) {
        return b.transpose(b.reshape(v, {B, T, H, D}), {0, 2, 1, 3});
      };
      Value q = heads(b.part(qkv, 0, E)), k = heads(b.part(qkv, 1, E)),
            v = heads(b.part(qkv, 2, E));
      Value kt = b.transpose(k, {0, 1, 3, 2});
      Value scores = b.mul(b.create<MatmulOp>(q, kt),
                           b.scalar(e, 1.0 / std::sqrt(double(D))));
      Value probs = b.create<SoftmaxOp>(scores, 3, false);
      Value y = b.transpose(b.create<MatmulOp>(probs, v), {0, 2, 1, 3});
      return b.linear(b.reshape(y, {B, T, E}), op.getProjWeight(),
                      op.getProjBias());
    };
    auto feedForward = [&](Value x) -> Value {
      Value hdn = b.linear(x, op.getFfn1Weight(), op.getFfn1Bias());
      hdn = op.getUseGelu() ? b.create<GeluOp>(hdn, false)
                            : b.create<ReluOp>(hdn);
      return b.linear(hdn, op.getFfn2Weight(), op.getFfn2Bias());
    };
    auto norm1 = [&](Value x) {
      return b.layerNorm(x, op.getNorm1Weight(), op.getNorm1Bias(), 1, eps);
    };
    auto norm2 = [&](Value x) {
      return b.layerNorm(x, op.getNorm2Weight(), op.getNorm2Bias(), 1, eps);
    };
    Value x = op.getSrc();
    if (op.getNormFirst()) {
      x = b.add(x, attention(norm1(x)));
      x = b.add(x, feedForward(norm2(x)));
    } else {
      x = norm1(b.add(x, attention(x)));
      x = norm2(b.add(x, feedForward(x)));
    }
    rewriter.replaceOp(op, x);
    return success();
  }
};

} // namespace

void mlir::kiln::detail::populateDecomposeLayerPatterns(
    RewritePatternSet &patterns) {
  patterns.add<DecomposeRecurrent<LSTMOp>, DecomposeRecurrent<GRUOp>,
               DecomposeTransformerEncoderLayer>(patterns.getContext());
}
