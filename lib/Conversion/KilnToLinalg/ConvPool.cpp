//===- ConvPool.cpp - conv2d, pool2d and resize_bilinear to linalg ----------===//
//
// Convolutions are direct loop nests (depthwise, short reductions, tagged
// kiln.depthwise when the runtime can compute them) or im2col plus a
// matrix product; pooling reduces a window over a shape-only operand.
//
//===----------------------------------------------------------------------===//
#include "Patterns.h"

#include <cmath>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::detail;

namespace {

/// Convolutions whose reduction (C/G x KH x KW) is at least this long go
/// through im2col and kiln_sgemm; shorter ones (depthwise) stay direct.
constexpr int64_t kIm2colMinReduction = 16;
/// A 1x1, stride-1 convolution needs no im2col (kiln_sgemm reads its input
/// as it is), so it is a matrix product from this reduction length on.
constexpr int64_t kPointwiseMinReduction = 8;

/// Pads dims 2 and 3 of an NCHW tensor by `padding` on both sides.
Value padSpatial(OpBuilder &b, Location loc, Value input,
                 ArrayRef<int64_t> padding, Value padValue) {
  if (padding[0] == 0 && padding[1] == 0)
    return input;
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape(type.getShape());
  shape[2] += 2 * padding[0];
  shape[3] += 2 * padding[1];
  SmallVector<OpFoldResult> lo = {b.getIndexAttr(0), b.getIndexAttr(0),
                                  b.getIndexAttr(padding[0]),
                                  b.getIndexAttr(padding[1])};
  return tensor::PadOp::create(
      b, loc, RankedTensorType::get(shape, type.getElementType()), input, lo, lo,
      padValue);
}

/// The input index of a window: out * stride + k * dilation.
AffineExpr windowExpr(AffineExpr out, AffineExpr k, int64_t stride,
                      int64_t dilation) {
  return out * stride + k * dilation;
}

/// Loop nests that reduce a window in the body of an all-parallel generic
/// (direct convolution, pooling): index constants, the input index of a
/// tap (out * stride + k * dilation), and an scf.for over n taps carrying
/// the accumulator.
struct WindowLoops {
  Location loc;
  Value cst(OpBuilder &b, int64_t v) const {
    return arith::ConstantIndexOp::create(b, loc, v);
  }
  Value window(OpBuilder &b, Value out, Value k, int64_t stride,
               int64_t dilation) const {
    Value a = arith::MulIOp::create(b, loc, out, cst(b, stride));
    Value c = arith::MulIOp::create(b, loc, k, cst(b, dilation));
    return arith::AddIOp::create(b, loc, a, c);
  }
  Value loop(OpBuilder &b, int64_t n, Value acc,
             function_ref<Value(OpBuilder &, Value, Value)> body) const {
    return scf::ForOp::create(
               b, loc, cst(b, 0), cst(b, n), cst(b, 1), ValueRange{acc},
               [&](OpBuilder &lb, Location, Value iv, ValueRange it) {
                 scf::YieldOp::create(lb, loc, body(lb, iv, it[0]));
               })
        .getResult(0);
  }
};

/// Whether a convolution is a direct loop nest (else im2col and kiln_sgemm):
/// f32 convolutions whose reduction (C/G x KH x KW) is long enough, or, for
/// a 1x1 stride-1 one (`pointwise`: its input is the matrix), from
/// kPointwiseMinReduction on, are matrix products, unless depthwise.
bool classifyConv2d(Conv2dOp op, bool *pointwiseOut) {
  auto outType = cast<RankedTensorType>(op.getType());
  auto wType = cast<RankedTensorType>(op.getWeight().getType());
  auto inType = cast<RankedTensorType>(op.getInput().getType());
  ArrayRef<int64_t> stride = op.getStride(), padding = op.getPadding();
  int64_t kh = wType.getDimSize(2), kw = wType.getDimSize(3);
  int64_t r = wType.getDimSize(1) * kh * kw;
  bool pointwise =
      kh == 1 && kw == 1 && stride[0] == 1 && stride[1] == 1 &&
      inType.getDimSize(2) + 2 * padding[0] == outType.getDimSize(2) &&
      inType.getDimSize(3) + 2 * padding[1] == outType.getDimSize(3);
  if (pointwiseOut)
    *pointwiseOut = pointwise;
  // Depthwise ones (one filter per channel) always: a product per channel
  // would be a single row (5x5 taps: r = 25).
  bool depthwise = wType.getDimSize(1) == 1 && op.getGroups() == wType.getDimSize(0) &&
                   op.getGroups() == inType.getDimSize(1);
  return !outType.getElementType().isF32() || depthwise ||
         r < (pointwise ? kPointwiseMinReduction : kIm2colMinReduction);
}


} // namespace

bool mlir::kiln::detail::isDirectConv2d(Conv2dOp op) {
  return classifyConv2d(op, nullptr);
}

namespace mlir::kiln::detail {

/// Direct convolution (depthwise and other short reductions): one
/// all-parallel generic over the [N, F, OH, OW] output whose body sums the
/// taps in a register (scf.for iter_args over c, kh, kw), starting at the
/// bias, so nothing is re-read or re-stored per tap and the output row loop
/// vectorizes once LLVM unrolls the constant-trip tap loops. With an
/// epilogue (a fused group's bias, activation, residual) the same body
/// applies it to the sum, whose pre-activation value is never stored.
/// A depthwise one whose epilogue (`epilogueKind`, classifyEpilogue's) is
/// at most an activation is tagged for --kiln-lower-depthwise.
FailureOr<Value> lowerDirectConv2d(OpBuilder &b, Conv2dOp op,
                                   const Epilogue *epilogue,
                                   EpilogueAttr epilogueKind) {
  Location loc = op.getLoc();
  MLIRContext *ctx = b.getContext();
  auto outType = cast<RankedTensorType>(op.getType());
  auto wType = cast<RankedTensorType>(op.getWeight().getType());
  Type element = outType.getElementType();
  int64_t g = op.getGroups(), f = wType.getDimSize(0), cg = wType.getDimSize(1);
  int64_t kh = wType.getDimSize(2), kw = wType.getDimSize(3);
  ArrayRef<int64_t> stride = op.getStride(), dilation = op.getDilation();
  Value input = padSpatial(b, loc, op.getInput(), op.getPadding(),
                           floatConst(b, loc, element, 0));
  Value weight = op.getWeight();
  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  Value bias = op.getBias();
  if (bias) {
    inputs.push_back(bias);
    maps.push_back(AffineMap::get(4, 0, {getAffineDimExpr(1, ctx)}, ctx));
  }
  if (epilogue)
    for (Value v : epilogue->inputs) {
      inputs.push_back(v);
      maps.push_back(broadcastMap(cast<RankedTensorType>(v.getType()).getShape(),
                                  outType.getShape(), ctx));
    }
  maps.push_back(b.getMultiDimIdentityMap(4));
  Value empty = tensor::EmptyOp::create(b, loc, outType.getShape(), element);
  bool ok = true;
  auto generic = linalg::GenericOp::create(
      b, loc, outType, inputs, ValueRange{empty}, maps,
      SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value idx[4];
        for (int i = 0; i < 4; ++i)
          idx[i] = linalg::IndexOp::create(nb, nloc, i);
        WindowLoops w{nloc};
        // Output channel f reads input channels group * C/G + c.
        Value firstChannel = w.cst(nb, 0);
        if (g > 1)
          firstChannel = arith::MulIOp::create(
              nb, nloc, arith::DivUIOp::create(nb, nloc, idx[1], w.cst(nb, f / g)),
              w.cst(nb, cg));
        Value init = bias ? args[0] : floatConst(nb, nloc, element, 0);
        Value sum = w.loop(nb, cg, init, [&](OpBuilder &b1, Value c,
                                               Value acc1) {
          Value channel = arith::AddIOp::create(b1, nloc, firstChannel, c);
          return w.loop(b1, kh, acc1, [&](OpBuilder &b2, Value y,
                                            Value acc2) {
            Value ih = w.window(b2, idx[2], y, stride[0], dilation[0]);
            return w.loop(b2, kw, acc2, [&](OpBuilder &b3, Value x,
                                              Value acc3) {
              Value iw = w.window(b3, idx[3], x, stride[1], dilation[1]);
              Value in = tensor::ExtractOp::create(
                  b3, nloc, input, ValueRange{idx[0], channel, ih, iw});
              Value w = tensor::ExtractOp::create(
                  b3, nloc, weight, ValueRange{idx[1], c, y, x});
              Value mul = arith::MulFOp::create(b3, nloc, in, w);
              return Value(arith::AddFOp::create(b3, nloc, acc3, mul));
            });
          });
        });
        Value result = sum;
        if (epilogue) {
          FailureOr<Value> v = epilogue->body(
              nb, args.slice(bias ? 1 : 0, epilogue->inputs.size()), sum);
          if (failed(v))
            ok = false;
          else
            result = *v;
        }
        linalg::YieldOp::create(nb, nloc, result);
      });
  if (!ok)
    return failure();
  auto inType = cast<RankedTensorType>(op.getInput().getType());
  bool depthwise = element.isF32() && cg == 1 && g == f &&
                   g == inType.getDimSize(1);
  // The call applies no epilogue, or an activation alone (classifyEpilogue
  // found no residual).
  bool callable =
      !epilogue || (epilogueKind && epilogueKind.getResidual() < 0);
  if (depthwise && callable) {
    EpilogueAttr kind =
        epilogue ? epilogueKind
                 : EpilogueAttr::get(b.getContext(), Activation::none,
                                     b.getF32FloatAttr(0), b.getF32FloatAttr(0),
                                     /*residual=*/-1);
    generic->setAttr(kDepthwiseTag,
                     DepthwiseAttr::get(b.getContext(), stride, dilation,
                                        op.getPadding(), {kh, kw}, kind,
                                        b.getBoolAttr(bias != nullptr)));
  }
  return generic.getResult(0);
}

} // namespace mlir::kiln::detail

namespace mlir::kiln::detail {

/// A convolution as a matrix product: the weight [G, F/G, C/G*KH*KW] times
/// the [N, G, C/G*KH*KW, OH*OW] im2col matrix (a 1x1 stride-1
/// convolution's input as it is) on a [N, G, F/G, OH*OW] view of the
/// output, accumulating onto the bias; or a direct loop nest.
Value lowerConv2d(OpBuilder &b, Conv2dOp op) {
  bool pointwise;
  if (classifyConv2d(op, &pointwise))
    return *lowerDirectConv2d(b, op, nullptr, nullptr);
  Location loc = op.getLoc();
  MLIRContext *ctx = b.getContext();
  auto outType = cast<RankedTensorType>(op.getType());
  auto wType = cast<RankedTensorType>(op.getWeight().getType());
  Type element = outType.getElementType();
  int64_t g = op.getGroups(), f = wType.getDimSize(0), cg = wType.getDimSize(1);
  int64_t kh = wType.getDimSize(2), kw = wType.getDimSize(3);
  int64_t n = outType.getDimSize(0), oh = outType.getDimSize(2),
          ow = outType.getDimSize(3);
  ArrayRef<int64_t> stride = op.getStride(), dilation = op.getDilation();

  Value input = padSpatial(b, loc, op.getInput(), op.getPadding(),
                           floatConst(b, loc, element, 0));
  auto w5Type = RankedTensorType::get({g, f / g, cg, kh, kw}, element);
  Value weight = tensor::ExpandShapeOp::create(
      b, loc, w5Type, op.getWeight(),
      SmallVector<ReassociationIndices>{{0, 1}, {2}, {3}, {4}});
  auto o5Type = RankedTensorType::get({n, g, f / g, oh, ow}, element);
  // The accumulator starts at the bias (or zero), so no separate pass adds
  // it.
  Value init;
  if (Value bias = op.getBias()) {
    Value bias2 = tensor::ExpandShapeOp::create(
        b, loc, RankedTensorType::get({g, f / g}, element), bias,
        SmallVector<ReassociationIndices>{{0, 1}});
    Value empty = tensor::EmptyOp::create(b, loc, o5Type.getShape(), element);
    AffineMap biasMap = AffineMap::get(
        5, 0, {getAffineDimExpr(1, ctx), getAffineDimExpr(2, ctx)}, ctx);
    init = linalg::GenericOp::create(
               b, loc, o5Type, ValueRange{bias2}, ValueRange{empty},
               ArrayRef<AffineMap>{biasMap, b.getMultiDimIdentityMap(5)},
               SmallVector<utils::IteratorType>(5, utils::IteratorType::parallel),
               [](OpBuilder &nb, Location nloc, ValueRange args) {
                 linalg::YieldOp::create(nb, nloc, args[0]);
               })
               .getResult(0);
    init.getDefiningOp()->setAttr(kBiasInitTag, b.getUnitAttr());
  } else {
    init = zeroFilled(b, loc, o5Type);
  }

  // Convolutions with enough work per output (C/G x KH x KW) are a matrix
  // product: the input windows are copied into a [N, G, C/G*KH*KW, OH*OW]
  // matrix (im2col; a 1x1, stride-1 convolution reads its input as it is),
  // and kiln_sgemm multiplies the [G, F/G, C/G*KH*KW] weight by it.
  int64_t r = cg * kh * kw, p = oh * ow;
  Value col;
  if (pointwise) {
    col = tensor::ExpandShapeOp::create(
        b, loc, RankedTensorType::get({n, g, cg, oh, ow}, element), input,
        SmallVector<ReassociationIndices>{{0}, {1, 2}, {3}, {4}});
    col = tensor::CollapseShapeOp::create(
        b, loc, RankedTensorType::get({n, g, r, p}, element), col,
        SmallVector<ReassociationIndices>{{0}, {1}, {2}, {3, 4}});
  } else {
    // (n, g, c, kh, kw, oh, ow) -> input[n, g*cg + c, window_h, window_w]
    AffineExpr e[7];
    for (int i = 0; i < 7; ++i)
      e[i] = getAffineDimExpr(i, ctx);
    AffineMap readMap = AffineMap::get(
        7, 0,
        {e[0], e[1] * cg + e[2], windowExpr(e[5], e[3], stride[0], dilation[0]),
         windowExpr(e[6], e[4], stride[1], dilation[1])},
        ctx);
    auto col7Type = RankedTensorType::get({n, g, cg, kh, kw, oh, ow}, element);
    Value empty = tensor::EmptyOp::create(b, loc, col7Type.getShape(), element);
    auto im2col = linalg::GenericOp::create(
        b, loc, col7Type, ValueRange{input}, ValueRange{empty},
        ArrayRef<AffineMap>{readMap, b.getMultiDimIdentityMap(7)},
        SmallVector<utils::IteratorType>(7, utils::IteratorType::parallel),
        [](OpBuilder &nb, Location nloc, ValueRange args) {
          linalg::YieldOp::create(nb, nloc, args[0]);
        });
    // --kiln-lower-gemm reads the windows in place when the product this
    // matrix feeds becomes a kiln_sgemm_conv call (then this copy goes).
    im2col->setAttr(kIm2colTag,
                    Im2colAttr::get(b.getContext(), stride, dilation));
    Value col7 = im2col.getResult(0);
    col = tensor::CollapseShapeOp::create(
        b, loc, RankedTensorType::get({n, g, r, p}, element), col7,
        SmallVector<ReassociationIndices>{{0}, {1}, {2, 3, 4}, {5, 6}});
  }
  Value w3 = tensor::CollapseShapeOp::create(
      b, loc, RankedTensorType::get({g, f / g, r}, element), weight,
      SmallVector<ReassociationIndices>{{0}, {1}, {2, 3, 4}});
  auto o4Type = RankedTensorType::get({n, g, f / g, p}, element);
  Value init4 = tensor::CollapseShapeOp::create(
      b, loc, o4Type, init,
      SmallVector<ReassociationIndices>{{0}, {1}, {2}, {3, 4}});
  // (n, g, f, p, r): out[n, g, f, p] += w[g, f, r] * col[n, g, r, p]
  AffineExpr dn = getAffineDimExpr(0, ctx), dg = getAffineDimExpr(1, ctx),
             df = getAffineDimExpr(2, ctx), dp = getAffineDimExpr(3, ctx),
             dr = getAffineDimExpr(4, ctx);
  AffineMap wMap = AffineMap::get(5, 0, {dg, df, dr}, ctx);
  AffineMap colMap = AffineMap::get(5, 0, {dn, dg, dr, dp}, ctx);
  Value prod = buildContraction(b, loc, w3, col, init4, wMap, colMap);
  Value o5 = tensor::ExpandShapeOp::create(
      b, loc, o5Type, prod,
      SmallVector<ReassociationIndices>{{0}, {1}, {2}, {3, 4}});
  return tensor::CollapseShapeOp::create(
      b, loc, outType, o5,
      SmallVector<ReassociationIndices>{{0}, {1, 2}, {3}, {4}});
}

} // namespace mlir::kiln::detail

namespace {

/// A reduction over (n, c, oh, ow, kh, kw); a shape-only [KH, KW] operand
/// gives the window loops their bounds, as linalg's pooling ops do.
Value lowerPool2d(OpBuilder &b, Pool2dOp op) {
  Location loc = op.getLoc();
  auto outType = cast<RankedTensorType>(op.getType());
  auto floatType = cast<FloatType>(outType.getElementType());
  bool isMax = op.getKind() == PoolKind::max;
  bool isAvg = !isMax && op.getKind() != PoolKind::sum;
  ArrayRef<int64_t> kernel = op.getKernel(), stride = op.getStride(),
                    dilation = op.getDilation();
  Value padValue = arith::ConstantOp::create(
      b, loc, floatType,
      b.getFloatAttr(floatType,
                     isMax ? APFloat::getInf(floatType.getFloatSemantics(), true)
                           : APFloat::getZero(floatType.getFloatSemantics())));
  Value input = padSpatial(b, loc, op.getInput(), op.getPadding(), padValue);
  // One all-parallel loop nest over the output whose body reduces the
  // window in a register (scf.for over kh, kw), as the direct convolution
  // does: LLVM unrolls the taps, and a stride-2 window's loads become one
  // interleaved group it vectorizes (a tap per sweep was a strided load it
  // left scalar: resnet18's max pool).
  Value empty = tensor::EmptyOp::create(b, loc, outType.getShape(), floatType);
  auto generic = linalg::GenericOp::create(
      b, loc, outType, ValueRange{}, ValueRange{empty},
      ArrayRef<AffineMap>{b.getMultiDimIdentityMap(4)},
      SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location nloc, ValueRange) {
        Value idx[4];
        for (int i = 0; i < 4; ++i)
          idx[i] = linalg::IndexOp::create(nb, nloc, i);
        WindowLoops w{nloc};
        Value r = w.loop(nb, kernel[0], padValue, [&](OpBuilder &b1, Value y,
                                                        Value acc1) {
          Value ih = w.window(b1, idx[2], y, stride[0], dilation[0]);
          return w.loop(b1, kernel[1], acc1, [&](OpBuilder &b2, Value x,
                                                   Value acc2) {
            Value iw = w.window(b2, idx[3], x, stride[1], dilation[1]);
            Value v = tensor::ExtractOp::create(
                b2, nloc, input, ValueRange{idx[0], idx[1], ih, iw});
            return isMax ? Value(arith::MaximumFOp::create(b2, nloc, acc2, v))
                         : Value(arith::AddFOp::create(b2, nloc, acc2, v));
          });
        });
        if (isAvg)
          r = arith::DivFOp::create(
              nb, nloc, r,
              floatConst(nb, nloc, floatType, double(kernel[0] * kernel[1])));
        linalg::YieldOp::create(nb, nloc, r);
      });
  return generic.getResult(0);
}

/// out[n, c, y, x] interpolates the four input pixels around the source
/// position of (y, x), read with tensor.extract.
Value lowerResizeBilinear(OpBuilder &b, ResizeBilinearOp op) {
  Location loc = op.getLoc();
  auto outType = cast<RankedTensorType>(op.getType());
  auto inType = cast<RankedTensorType>(op.getInput().getType());
  Type element = outType.getElementType();
  Value input = op.getInput();
  bool align = op.getAlignCorners();
  double scales[2] = {op.getScaleH().convertToDouble(),
                      op.getScaleW().convertToDouble()};
  Value init = tensor::EmptyOp::create(b, loc, outType.getShape(), element);
  return linalg::GenericOp::create(
             b, loc, outType, ValueRange{}, ValueRange{init},
             ArrayRef<AffineMap>{b.getMultiDimIdentityMap(4)},
             SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel),
             [&](OpBuilder &nb, Location nloc, ValueRange) {
               ScalarBuilder s{nb, nloc, element};
               Value lo[2], hi[2], frac[2];
               for (int i = 0; i < 2; ++i) {
                 int64_t in = inType.getDimSize(2 + i), out = outType.getDimSize(2 + i);
                 Value o = arith::IndexCastOp::create(
                     nb, nloc, nb.getI64Type(), linalg::IndexOp::create(nb, nloc, 2 + i));
                 Value of = arith::SIToFPOp::create(nb, nloc, element, o);
                 Value src;
                 if (align) {
                   double r = out > 1 ? double(in - 1) / double(out - 1) : 0.0;
                   src = s.mul(of, s.c(r));
                 } else {
                   src = s.sub(s.mul(s.add(of, s.c(0.5)), s.c(scales[i])), s.c(0.5));
                   src = s.max(src, s.c(0));
                 }
                 Value floor = math::FloorOp::create(nb, nloc, src);
                 frac[i] = s.sub(src, floor);
                 Value l = arith::FPToSIOp::create(nb, nloc, nb.getI64Type(), floor);
                 Value last = arith::ConstantOp::create(nb, nloc, nb.getI64Type(),
                                                        nb.getI64IntegerAttr(in - 1));
                 Value one = arith::ConstantOp::create(nb, nloc, nb.getI64Type(),
                                                       nb.getI64IntegerAttr(1));
                 l = arith::MinSIOp::create(nb, nloc, l, last);
                 Value h = arith::MinSIOp::create(
                     nb, nloc, arith::AddIOp::create(nb, nloc, l, one), last);
                 lo[i] = arith::IndexCastOp::create(nb, nloc, nb.getIndexType(), l);
                 hi[i] = arith::IndexCastOp::create(nb, nloc, nb.getIndexType(), h);
               }
               Value n = linalg::IndexOp::create(nb, nloc, 0);
               Value ch = linalg::IndexOp::create(nb, nloc, 1);
               auto at = [&](Value y, Value x) -> Value {
                 return tensor::ExtractOp::create(nb, nloc, input,
                                                  ValueRange{n, ch, y, x});
               };
               auto lerp = [&](Value a, Value c, Value t) {
                 return s.add(a, s.mul(t, s.sub(c, a)));
               };
               Value top = lerp(at(lo[0], lo[1]), at(lo[0], hi[1]), frac[1]);
               Value bottom = lerp(at(hi[0], lo[1]), at(hi[0], hi[1]), frac[1]);
               linalg::YieldOp::create(nb, nloc, lerp(top, bottom, frac[0]));
             })
      .getResult(0);
}

} // namespace

void mlir::kiln::detail::populateConvPoolPatternsAndLegality(
    RewritePatternSet &patterns, ConversionTarget &target) {
  addLowering<Conv2dOp, lowerConv2d>(patterns, target);
  addLowering<Pool2dOp, lowerPool2d>(patterns, target);
  addLowering<ResizeBilinearOp, lowerResizeBilinear>(patterns, target);
}
