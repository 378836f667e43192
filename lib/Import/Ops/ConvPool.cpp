//===- ConvPool.cpp - Convolution, pooling and resampling -----------------===//
#include "../OpRegistry.h"

#include <ATen/ATen.h>

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::detail;

namespace {

/// An [H, W] pair from an int list of 1 or 2 entries (PyTorch repeats one).
std::optional<SmallVector<int64_t>> pair(NodeContext &c, size_t i,
                                         ArrayRef<int64_t> fallback = {}) {
  std::optional<SmallVector<int64_t>> v = c.intList(i);
  if (!v || v->empty())
    return fallback.empty() ? std::nullopt
                            : std::optional<SmallVector<int64_t>>(
                                  SmallVector<int64_t>(fallback));
  if (v->size() == 1)
    v->push_back((*v)[0]);
  if (v->size() != 2)
    return std::nullopt;
  return v;
}

/// conv1d runs as conv2d on [N, C, 1, L].
LogicalResult emitConv(NodeContext &c, Value input, Value weight, Value bias,
                       SmallVector<int64_t> stride, SmallVector<int64_t> padding,
                       SmallVector<int64_t> dilation, int64_t groups) {
  auto inType = tensorType(input);
  bool is1d = inType.getRank() == 3;
  if (is1d) {
    auto expand = [&](Value v) {
      auto t = tensorType(v);
      SmallVector<int64_t> shape(t.getShape());
      shape.insert(shape.begin() + 2, 1);
      return Value(c.create<ReshapeOp>(t.clone(shape), v));
    };
    input = expand(input);
    weight = expand(weight);
    stride.insert(stride.begin(), 1);
    padding.insert(padding.begin(), 0);
    dilation.insert(dilation.begin(), 1);
  }
  SmallVector<Type> types;
  if (failed(inferConv2dType(c.loc, input.getType(), weight.getType(),
                             bias ? bias.getType() : Type(), stride, padding,
                             dilation, groups, types)))
    return failure();
  Value out = c.create<Conv2dOp>(types[0], input, weight, bias, stride,
                                 padding, dilation, groups);
  if (is1d) {
    auto t = tensorType(out);
    out = c.create<ReshapeOp>(
        t.clone({t.getDimSize(0), t.getDimSize(1), t.getDimSize(3)}), out);
  }
  return c.bind(out);
}

/// aten::_convolution (`Underscore`: what traces of nn.Conv1d/2d record, with
/// transposed and output_padding), aten::conv2d, aten::conv1d.
template <bool Underscore> LogicalResult importConvolution(NodeContext &c) {
  FailureOr<Value> x = floatOperand(c), w = c.tensor(1);
  if (failed(x) || failed(w))
    return failure();
  Value bias;
  if (failed(c.optionalTensor(2, bias)))
    return failure();
  int64_t rank = tensorType(*x).getRank();
  if (rank != 3 && rank != 4)
    return c.error() << "supports 1-D and 2-D convolutions (NCL, NCHW); got "
                     << formatType(tensorType(*x));
  size_t spatial = rank - 2;
  auto list = [&](size_t i, int64_t dflt) -> std::optional<SmallVector<int64_t>> {
    std::optional<SmallVector<int64_t>> v = c.intList(i);
    if (!v || v->empty())
      return SmallVector<int64_t>(spatial, dflt);
    if (v->size() == 1 && spatial == 2)
      v->push_back((*v)[0]);
    if (v->size() != spatial)
      return std::nullopt;
    return v;
  };
  size_t groupsIdx = 6;
  bool transposed = false;
  if constexpr (Underscore) {
    transposed = c.integer(6).value_or(0);
    groupsIdx = 8;
  }
  if (c.string(4))
    return c.error() << "with padding='" << *c.string(4)
                     << "' is not supported yet; give the padding in numbers";
  auto stride = list(3, 1), padding = list(4, 0), dilation = list(5, 1);
  std::optional<int64_t> groups = c.integer(groupsIdx);
  if (!stride || !padding || !dilation || !groups)
    return c.error() << "needs constant stride, padding, dilation and groups";
  if (!transposed)
    return emitConv(c, *x, *w, bias, *stride, *padding, *dilation, *groups);

  // A transposed convolution is a stride-1 convolution of the input spread
  // out by the stride (stride - 1 interior zeros) and padded by
  // dilation * (k - 1) - padding, with the weight flipped and its in/out
  // channels swapped per group (done here on the constant weight).
  auto outputPadding = list(7, 0);
  std::optional<c10::IValue> wk = c.constant(1);
  if (!outputPadding || !wk || !wk->isTensor())
    return c.error() << "transposed needs a constant weight and output_padding";
  at::Tensor wt = wk->toTensor();
  int64_t g = *groups, cin = wt.size(0), coutG = wt.size(1);
  std::vector<int64_t> spatialDims;
  for (size_t i = 0; i < spatial; ++i)
    spatialDims.push_back(2 + i);
  std::vector<int64_t> w5 = {g, cin / g, coutG};
  for (size_t i = 0; i < spatial; ++i)
    w5.push_back(wt.size(2 + i));
  std::vector<int64_t> wNew = {g * coutG, cin / g};
  for (size_t i = 0; i < spatial; ++i)
    wNew.push_back(wt.size(2 + i));
  at::Tensor flipped = wt.reshape(w5).transpose(1, 2).reshape(wNew).flip(spatialDims)
                           .contiguous();
  FailureOr<Value> newW = c.im.emitTensorConstant(
      flipped, c.inputs()[1]->debugName() + ".transposed", c.loc);
  if (failed(newW))
    return failure();
  auto t = tensorType(*x);
  SmallVector<int64_t> low(rank, 0), high(rank, 0), interior(rank, 0);
  SmallVector<int64_t> shape(t.getShape());
  for (size_t i = 0; i < spatial; ++i) {
    int64_t k = wt.size(2 + i), d = (*dilation)[i];
    int64_t edge = d * (k - 1) - (*padding)[i];
    if (edge < 0)
      return c.error() << "transposed with padding larger than "
                          "dilation * (kernel - 1) is not supported yet";
    low[2 + i] = edge;
    high[2 + i] = edge + (*outputPadding)[i];
    interior[2 + i] = (*stride)[i] - 1;
    int64_t n = shape[2 + i];
    shape[2 + i] = n + (n - 1) * interior[2 + i] + low[2 + i] + high[2 + i];
  }
  Value spread = c.create<PadOp>(t.clone(shape), *x, ArrayRef<int64_t>(low),
                                 ArrayRef<int64_t>(high), llvm::APFloat(0.0),
                                 c.b().getDenseI64ArrayAttr(interior));
  return emitConv(c, spread, *newW, bias, SmallVector<int64_t>(spatial, 1),
                  SmallVector<int64_t>(spatial, 0), *dilation, g);
}

LogicalResult emitPool(NodeContext &c, PoolKind kind, Value x,
                       SmallVector<int64_t> kernel, SmallVector<int64_t> stride,
                       SmallVector<int64_t> padding,
                       SmallVector<int64_t> dilation) {
  SmallVector<Type> types;
  if (failed(inferPool2dType(c.loc, x.getType(), kernel, stride, padding,
                             dilation, types)))
    return failure();
  return c.bind(c.create<Pool2dOp>(types[0], kind, x, kernel, stride, padding,
                                   dilation));
}

/// Average pooling whose divisor varies by window (count_include_pad=False,
/// partial ceil_mode windows) or is overridden: a sum pool over the padded
/// input divided by a constant [OH, OW] tensor of PyTorch's divisors.
LogicalResult emitAvgPoolWithDivisors(NodeContext &c, Value x,
                                      ArrayRef<int64_t> kernel,
                                      ArrayRef<int64_t> stride,
                                      ArrayRef<int64_t> padding,
                                      ArrayRef<int64_t> extra,
                                      bool countIncludePad,
                                      std::optional<double> divisorOverride) {
  auto t = tensorType(x);
  SmallVector<int64_t> low = {0, 0, padding[0], padding[1]};
  SmallVector<int64_t> high = {0, 0, padding[0] + extra[0], padding[1] + extra[1]};
  SmallVector<int64_t> shape(t.getShape());
  for (int i = 2; i < 4; ++i)
    shape[i] += low[i] + high[i];
  Value padded = c.create<PadOp>(t.clone(shape), x, ArrayRef<int64_t>(low),
                                 ArrayRef<int64_t>(high), llvm::APFloat(0.0),
                                 DenseI64ArrayAttr());
  SmallVector<Type> types;
  if (failed(inferPool2dType(c.loc, padded.getType(), kernel, stride, {0, 0},
                             {1, 1}, types)))
    return failure();
  Value sum = c.create<Pool2dOp>(types[0], PoolKind::sum, padded, kernel,
                                 stride, ArrayRef<int64_t>{0, 0},
                                 ArrayRef<int64_t>{1, 1});
  auto out = cast<RankedTensorType>(types[0]);
  int64_t oh = out.getDimSize(2), ow = out.getDimSize(3);
  int64_t in[2] = {t.getDimSize(2), t.getDimSize(3)};
  at::ScalarType dtype = t.getElementType().isF64() ? at::kDouble : at::kFloat;
  at::Tensor div = at::empty({1, 1, oh, ow}, at::TensorOptions().dtype(at::kDouble));
  auto acc = div.accessor<double, 4>();
  for (int64_t y = 0; y < oh; ++y)
    for (int64_t z = 0; z < ow; ++z) {
      int64_t o[2] = {y, z}, size = 1, clipped = 1;
      for (int i = 0; i < 2; ++i) {
        int64_t start = o[i] * stride[i] - padding[i];
        int64_t end = std::min(start + kernel[i], in[i] + padding[i]);
        size *= end - start;
        clipped *= std::min(end, in[i]) - std::max<int64_t>(start, 0);
      }
      acc[0][0][y][z] = divisorOverride ? *divisorOverride
                        : countIncludePad ? double(size)
                                          : double(clipped);
    }
  FailureOr<Value> d = c.im.emitTensorConstant(div.to(dtype), "avg_pool_divisor", c.loc);
  if (failed(d))
    return failure();
  return c.bind(c.create<DivOp>(sum, *d));
}

/// max_pool2d(self, kernel, stride, padding, dilation, ceil_mode) and
/// avg_pool2d(self, kernel, stride, padding, ceil_mode, count_include_pad,
/// divisor_override).
template <bool isMax> LogicalResult importPool(NodeContext &c) {
  FailureOr<Value> x = floatOperand(c);
  if (failed(x))
    return failure();
  if (tensorType(*x).getRank() != 4)
    return c.error() << "needs a 4-D NCHW input, got " << formatType(tensorType(*x));
  auto kernel = pair(c, 1);
  if (!kernel)
    return c.error() << "needs a constant kernel size";
  auto stride = pair(c, 2, *kernel), padding = pair(c, 3, {0, 0});
  auto dilation = isMax ? pair(c, 4, {1, 1}) : SmallVector<int64_t>{1, 1};
  bool ceil = c.integer(isMax ? 5 : 4).value_or(0);
  if (!stride || !padding || !dilation)
    return c.error() << "needs constant stride, padding and dilation";
  bool countIncludePad = isMax || c.integer(5).value_or(1);
  std::optional<double> divisorOverride =
      isMax || c.isNone(6) ? std::nullopt : c.number(6);
  if (!isMax && !c.isNone(6) && !divisorOverride)
    return c.error() << "needs a constant divisor_override";
  // ceil_mode keeps a last, partial window when it starts inside the input
  // or the left padding: extra -inf padding on the high side gives it room.
  SmallVector<int64_t> extra = {0, 0};
  if (ceil) {
    for (int i = 0; i < 2; ++i) {
      int64_t in = tensorType(*x).getDimSize(2 + i), p = (*padding)[i],
              s = (*stride)[i];
      int64_t span = (*dilation)[i] * ((*kernel)[i] - 1) + 1;
      if (in + 2 * p < span)
        break; // let the shape rule report it
      int64_t out = (in + 2 * p - span + s - 1) / s + 1;
      if ((out - 1) * s >= in + p)
        --out;
      extra[i] = std::max<int64_t>(0, (out - 1) * s + span - (in + 2 * p));
    }
  }
  if (!isMax && (extra[0] || extra[1] || !countIncludePad || divisorOverride))
    return emitAvgPoolWithDivisors(c, *x, *kernel, *stride, *padding, extra,
                                   countIncludePad, divisorOverride);
  if (extra[0] || extra[1]) {
    auto t = tensorType(*x);
    SmallVector<int64_t> low = {0, 0, (*padding)[0], (*padding)[1]};
    SmallVector<int64_t> high = {0, 0, (*padding)[0] + extra[0],
                                 (*padding)[1] + extra[1]};
    SmallVector<int64_t> shape(t.getShape());
    for (int i = 2; i < 4; ++i)
      shape[i] += low[i] + high[i];
    Value padded = c.create<PadOp>(
        t.clone(shape), *x, ArrayRef<int64_t>(low), ArrayRef<int64_t>(high),
        llvm::APFloat(-std::numeric_limits<double>::infinity()),
        DenseI64ArrayAttr());
    return emitPool(c, PoolKind::max, padded, *kernel, *stride, {0, 0},
                    *dilation);
  }
  return emitPool(c, isMax ? PoolKind::max : PoolKind::avg, *x, *kernel,
                  *stride, *padding, *dilation);
}

/// adaptive_avg_pool2d when the input divides evenly into the output: an
/// average pool with kernel = stride = in / out.
LogicalResult importAdaptiveAvgPool(NodeContext &c) {
  FailureOr<Value> x = floatOperand(c);
  auto out = pair(c, 1);
  if (failed(x))
    return failure();
  if (!out || tensorType(*x).getRank() != 4)
    return c.error() << "needs a 4-D NCHW input and a constant output size";
  SmallVector<int64_t> kernel;
  bool even = true;
  for (int i = 0; i < 2; ++i) {
    int64_t in = tensorType(*x).getDimSize(2 + i);
    if ((*out)[i] <= 0)
      return c.error() << "output size must be positive";
    even &= in % (*out)[i] == 0;
    kernel.push_back(even ? in / (*out)[i] : 0);
  }
  if (even)
    return emitPool(c, PoolKind::avg, *x, kernel, kernel, {0, 0}, {1, 1});
  // Uneven bins [floor(i in / out), ceil((i + 1) in / out)): average with
  // constant matrices, A_h x A_w^T.
  auto t = tensorType(*x);
  at::ScalarType dtype = t.getElementType().isF64() ? at::kDouble : at::kFloat;
  auto averaging = [&](int64_t in, int64_t o) {
    at::Tensor a = at::zeros({o, in}, at::TensorOptions().dtype(dtype));
    for (int64_t i = 0; i < o; ++i) {
      int64_t start = (i * in) / o, end = ((i + 1) * in + o - 1) / o;
      a.index_put_({i, at::indexing::Slice(start, end)}, 1.0 / double(end - start));
    }
    return a;
  };
  FailureOr<Value> ah = c.im.emitTensorConstant(
      averaging(t.getDimSize(2), (*out)[0]), "adaptive_pool_h", c.loc);
  FailureOr<Value> aw = c.im.emitTensorConstant(
      averaging(t.getDimSize(3), (*out)[1]).t().contiguous(), "adaptive_pool_w", c.loc);
  if (failed(ah) || failed(aw))
    return failure();
  FailureOr<Value> rows = matmul(c, *ah, *x);
  if (failed(rows))
    return failure();
  FailureOr<Value> r = matmul(c, *rows, *aw);
  return failed(r) ? failure() : c.bind(*r);
}

/// Output size and scale of each of H, W from an upsample op's operands:
/// (output_size, scale_factors) in the .vec form or (output_size, [align,]
/// scales_h, scales_w) in the other.
LogicalResult upsampleSizes(NodeContext &c, RankedTensorType t, size_t sizeIdx,
                            size_t scaleIdx, int64_t out[2], double scale[2]) {
  int64_t in[2] = {t.getDimSize(2), t.getDimSize(3)};
  std::optional<SmallVector<int64_t>> size = c.intList(sizeIdx);
  std::optional<c10::IValue> k = c.constant(scaleIdx);
  std::vector<double> factors;
  if (k && k->isDoubleList())
    factors = k->toDoubleVector();
  else if (auto sh = c.number(scaleIdx), sw = c.number(scaleIdx + 1); sh && sw)
    factors = {*sh, *sw};
  for (int i = 0; i < 2; ++i) {
    if (size && size->size() == 2)
      out[i] = (*size)[i];
    else if (factors.size() == 2)
      out[i] = int64_t(std::floor(in[i] * factors[i]));
    else
      return c.error() << "needs a constant output size or scale";
    // PyTorch scales source positions by 1 / the given factor, else in / out.
    scale[i] = factors.size() == 2 && factors[i] > 0 ? 1.0 / factors[i]
                                                       : double(in[i]) / out[i];
    if (out[i] <= 0)
      return c.error() << "output size must be positive";
  }
  return success();
}

/// upsample_nearest2d: with an integer scale each pixel is broadcast to an
/// s x s block; otherwise rows and columns are selected by index.
LogicalResult importUpsampleNearest(NodeContext &c) {
  FailureOr<Value> x = floatOperand(c);
  if (failed(x))
    return failure();
  auto t = tensorType(*x);
  if (t.getRank() != 4)
    return c.error() << "needs a 4-D NCHW input";
  int64_t out[2];
  double scale[2];
  if (failed(upsampleSizes(c, t, 1, 2, out, scale)))
    return failure();
  int64_t h = t.getDimSize(2), w = t.getDimSize(3), oh = out[0], ow = out[1];
  if (oh % h || ow % w) {
    // Source index min(floor(o * scale), in - 1) per output row and column.
    auto indices = [&](int64_t in, int64_t n, double sc) {
      at::Tensor i = at::arange(n, at::TensorOptions().dtype(at::kDouble));
      return at::clamp_max(at::floor(i * sc), double(in - 1)).to(at::kLong);
    };
    FailureOr<Value> ih =
        c.im.emitTensorConstant(indices(h, oh, scale[0]), "nearest_h", c.loc);
    FailureOr<Value> iw =
        c.im.emitTensorConstant(indices(w, ow, scale[1]), "nearest_w", c.loc);
    if (failed(ih) || failed(iw))
      return failure();
    return c.bind(selectAlong(c, selectAlong(c, *x, 2, *ih), 3, *iw));
  }
  int64_t n = t.getDimSize(0), ch = t.getDimSize(1), sh = oh / h, sw = ow / w;
  Value v = c.create<ReshapeOp>(t.clone({n, ch, h, 1, w, 1}), *x);
  v = broadcastTo(c, v, {n, ch, h, sh, w, sw});
  return c.bind(c.create<ReshapeOp>(t.clone({n, ch, oh, ow}), v));
}

/// upsample_bilinear2d(input, output_size, align_corners, scale_factors).
LogicalResult importUpsampleBilinear(NodeContext &c) {
  FailureOr<Value> x = floatOperand(c);
  if (failed(x))
    return failure();
  auto t = tensorType(*x);
  if (t.getRank() != 4)
    return c.error() << "needs a 4-D NCHW input";
  int64_t out[2];
  double scale[2];
  if (failed(upsampleSizes(c, t, 1, 3, out, scale)))
    return failure();
  bool align = c.integer(2).value_or(0);
  auto type = t.clone({t.getDimSize(0), t.getDimSize(1), out[0], out[1]});
  return c.bind(c.create<ResizeBilinearOp>(type, *x, align, llvm::APFloat(scale[0]),
                                           llvm::APFloat(scale[1])));
}

} // namespace

void mlir::kiln::detail::registerConvPoolOps(OpRegistry &registry) {
  registry.family("Convolution, pooling and resampling")
      .add("aten::_convolution", importConvolution<true>)
      .add("aten::conv2d", importConvolution<false>)
      .add("aten::conv1d", importConvolution<false>)
      .add("aten::max_pool2d", importPool<true>)
      .add("aten::avg_pool2d", importPool<false>)
      .add("aten::adaptive_avg_pool2d", importAdaptiveAvgPool)
      .add("aten::upsample_nearest2d", importUpsampleNearest)
      .add("aten::upsample_bilinear2d", importUpsampleBilinear);
}
