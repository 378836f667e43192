//===- KilnLayerOps.cpp - Verifiers of the composite layer ops ------------===//
//
// The shapes of kiln.group_norm, kiln.lstm, kiln.gru and
// kiln.transformer_encoder_layer, checked here once so that the
// decompositions may assume them.
//
//===----------------------------------------------------------------------===//
#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// Checks that `v` has `shape` and element type `element`; `what` names it.
LogicalResult expectShape(Operation *op, Value v, ArrayRef<int64_t> shape,
                          Type element, StringRef what) {
  auto expected = RankedTensorType::get(shape, element);
  if (v.getType() != expected)
    return op->emitOpError() << what << " must be " << formatType(expected)
                             << ", got " << formatType(v.getType());
  return success();
}

template <typename OpTy> LogicalResult verifyRecurrent(OpTy op) {
  Operation *o = op.getOperation();
  auto in = cast<RankedTensorType>(op.getInput().getType());
  auto h0 = cast<RankedTensorType>(op.getH0().getType());
  Type e = in.getElementType();
  if (in.getRank() != 3)
    return op.emitOpError() << "input must be rank 3, got " << formatType(in);
  int64_t layers = op.getNumLayers(), dirs = op.getNumDirections();
  if (layers < 1)
    return op.emitOpError() << "needs at least one layer, got " << layers;
  int64_t batch = in.getDimSize(op.getBatchFirst() ? 0 : 1);
  int64_t steps = in.getDimSize(op.getBatchFirst() ? 1 : 0);
  if (h0.getRank() != 3)
    return op.emitOpError() << "h0 must be rank 3, got " << formatType(h0);
  int64_t hidden = h0.getDimSize(2);
  if (failed(expectShape(o, op.getH0(), {layers * dirs, batch, hidden}, e,
                         "h0")))
    return failure();
  int64_t perDir = op.getWeightsPerDirection();
  if (static_cast<int64_t>(op.getParams().size()) != layers * dirs * perDir)
    return op.emitOpError() << "has " << op.getParams().size()
                            << " weights, expected " << layers * dirs * perDir
                            << " (projections are not supported)";
  int64_t gates = OpTy::kGates * hidden;
  for (int64_t layer = 0; layer < layers; ++layer) {
    int64_t features = layer == 0 ? in.getDimSize(2) : dirs * hidden;
    for (int64_t d = 0; d < dirs; ++d) {
      auto w = op.getParams().slice((layer * dirs + d) * perDir, perDir);
      std::string at = " of layer " + std::to_string(layer) +
                       (d ? " (reverse)" : "");
      if (failed(expectShape(o, w[0], {gates, features}, e, "w_ih" + at)) ||
          failed(expectShape(o, w[1], {gates, hidden}, e, "w_hh" + at)))
        return failure();
      if (perDir == 4 &&
          (failed(expectShape(o, w[2], {gates}, e, "b_ih" + at)) ||
           failed(expectShape(o, w[3], {gates}, e, "b_hh" + at))))
        return failure();
    }
  }
  SmallVector<int64_t> out = {steps, batch, dirs * hidden};
  if (op.getBatchFirst())
    std::swap(out[0], out[1]);
  if (failed(expectShape(o, op.getOutput(), out, e, "output")) ||
      failed(expectShape(o, op.getHN(), h0.getShape(), e, "h_n")))
    return failure();
  return success();
}

} // namespace

LogicalResult GroupNormOp::verify() {
  auto in = getInput().getType();
  if (in.getRank() < 2)
    return emitOpError() << "input must be [N, C, ...], got "
                         << formatType(in);
  int64_t channels = in.getDimSize(1), groups = getGroups();
  if (groups < 1 || channels % groups)
    return emitOpError() << formatType(in) << " does not split into "
                         << groups << " groups";
  if (getType() != in)
    return emitOpError() << "result must have the input's type "
                         << formatType(in);
  for (auto [v, what] : {std::pair(getWeight(), "weight"),
                         std::pair(getBias(), "bias")})
    if (v && failed(expectShape(*this, v, {channels}, in.getElementType(),
                                what)))
      return failure();
  return success();
}

LogicalResult LSTMOp::verify() {
  if (failed(verifyRecurrent(*this)))
    return failure();
  Type e = getInput().getType().getElementType();
  ArrayRef<int64_t> h0 = getH0().getType().getShape();
  if (failed(expectShape(*this, getC0(), h0, e, "c0")) ||
      failed(expectShape(*this, getCN(), h0, e, "c_n")))
    return failure();
  return success();
}

LogicalResult GRUOp::verify() { return verifyRecurrent(*this); }

LogicalResult TransformerEncoderLayerOp::verify() {
  auto src = getSrc().getType();
  Type e = src.getElementType();
  int64_t heads = getNumHeads();
  if (src.getRank() != 3)
    return emitOpError() << "src must be [batch, seq, embed], got "
                         << formatType(src);
  int64_t embed = src.getDimSize(2);
  if (heads < 1 || embed % heads)
    return emitOpError() << "embedding size " << embed
                         << " does not split into " << heads << " heads";
  if (getType() != src)
    return emitOpError() << "result must have the source's type "
                         << formatType(src);
  if (getFfn1Weight().getType().getRank() != 2)
    return emitOpError() << "ffn1_weight must be rank 2, got "
                         << formatType(getFfn1Weight().getType());
  int64_t ffn = getFfn1Weight().getType().getDimSize(0);
  struct Expected {
    Value v;
    SmallVector<int64_t> shape;
    StringRef what;
  };
  Expected expected[] = {
      {getQkvWeight(), {3 * embed, embed}, "qkv_weight"},
      {getQkvBias(), {3 * embed}, "qkv_bias"},
      {getProjWeight(), {embed, embed}, "proj_weight"},
      {getProjBias(), {embed}, "proj_bias"},
      {getNorm1Weight(), {embed}, "norm1_weight"},
      {getNorm1Bias(), {embed}, "norm1_bias"},
      {getNorm2Weight(), {embed}, "norm2_weight"},
      {getNorm2Bias(), {embed}, "norm2_bias"},
      {getFfn1Weight(), {ffn, embed}, "ffn1_weight"},
      {getFfn1Bias(), {ffn}, "ffn1_bias"},
      {getFfn2Weight(), {embed, ffn}, "ffn2_weight"},
      {getFfn2Bias(), {embed}, "ffn2_bias"},
  };
  for (const Expected &x : expected)
    if (failed(expectShape(*this, x.v, x.shape, e, x.what)))
      return failure();
  return success();
}
