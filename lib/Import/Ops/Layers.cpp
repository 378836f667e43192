//===- Layers.cpp - Recurrent and transformer layers ----------------------===//
#include "../OpRegistry.h"

#include <cmath>
#include <tuple>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::detail;

namespace {

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
template <bool isLSTM> LogicalResult importRecurrent(NodeContext &c) {
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
  (void)c.bind(x, 0);
  (void)c.bind(lb.concat(finalH, 0), 1);
  if (isLSTM)
    (void)c.bind(lb.concat(finalC, 0), 2);
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

} // namespace

void mlir::kiln::detail::registerLayersOps(OpRegistry &registry) {
  registry.family("Recurrent and transformer layers")
      .add("aten::lstm", importRecurrent<true>)
      .add("aten::gru", importRecurrent<false>)
      .add("aten::_transformer_encoder_layer_fwd",
           importTransformerEncoderLayer);
}
