//===- Normalization.cpp - batch_norm, layer_norm, group_norm -------------===//
#include "../OpRegistry.h"

#include <ATen/ATen.h>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::detail;

namespace {

/// batch_norm in eval mode: x * scale + shift per channel, with scale and
/// shift computed here from the constant statistics.
LogicalResult importBatchNorm(NodeContext &c) {
  FailureOr<Value> x = floatOperand(c);
  if (failed(x))
    return failure();
  if (c.integer(5).value_or(1))
    return c.error() << "in training mode; call model.eval() before tracing";
  auto constantTensor = [&](size_t i) -> std::optional<at::Tensor> {
    auto k = c.constant(i);
    if (k && k->isTensor())
      return k->toTensor().to(at::kDouble);
    return std::nullopt;
  };
  std::optional<at::Tensor> mean = constantTensor(3), var = constantTensor(4);
  if (!mean || !var)
    return c.error() << "needs constant running statistics";
  double eps = c.number(7).value_or(1e-5);
  int64_t channels = mean->numel();
  auto t = tensorType(*x);
  if (t.getRank() < 2 || t.getDimSize(1) != channels)
    return c.error() << "has " << channels << " channels of statistics but "
                     << "the input is " << formatType(t);
  at::Tensor scale = at::rsqrt(*var + eps);
  if (!c.isNone(1)) {
    std::optional<at::Tensor> w = constantTensor(1);
    if (!w)
      return c.error() << "needs a constant weight";
    scale = scale * *w;
  }
  at::Tensor shift = -*mean * scale;
  if (!c.isNone(2)) {
    std::optional<at::Tensor> b = constantTensor(2);
    if (!b)
      return c.error() << "needs a constant bias";
    shift = shift + *b;
  }
  // [C] -> [C, 1, ...] so it broadcasts over the spatial dims.
  std::vector<int64_t> shape = {channels};
  for (int64_t i = 2; i < t.getRank(); ++i)
    shape.push_back(1);
  at::ScalarType dtype = t.getElementType().isF64() ? at::kDouble : at::kFloat;
  std::string base = c.inputs()[3]->debugName();
  FailureOr<Value> s = c.im.emitTensorConstant(
      scale.to(dtype).reshape(shape), base + ".bn_scale", c.loc);
  FailureOr<Value> h = c.im.emitTensorConstant(
      shift.to(dtype).reshape(shape), base + ".bn_shift", c.loc);
  if (failed(s) || failed(h))
    return failure();
  Value scaled = c.create<MulOp>(*x, *s);
  return c.bind(c.create<AddOp>(scaled, *h, c.b().getF64FloatAttr(1.0)));
}

LogicalResult importLayerNorm(NodeContext &c) {
  FailureOr<Value> x = floatOperand(c);
  FailureOr<SmallVector<int64_t>> shape =
      c.require(c.intList(1), 1, "normalized_shape");
  if (failed(x) || failed(shape))
    return failure();
  auto t = tensorType(*x);
  int64_t n = shape->size();
  if (n > t.getRank() ||
      ArrayRef<int64_t>(*shape) != t.getShape().take_back(n))
    return c.error() << "normalized_shape does not match the last dims of "
                     << formatType(t);
  Value weight, bias;
  if (failed(c.optionalTensor(2, weight)))
    return failure();
  if (failed(c.optionalTensor(3, bias)))
    return failure();
  double eps = c.number(4).value_or(1e-5);
  return c.bind(c.create<LayerNormOp>(t, *x, weight, bias,
                                      c.b().getI64IntegerAttr(n),
                                      c.b().getF64FloatAttr(eps)));
}

/// group_norm(input, groups, weight, bias, eps, cudnn_enabled): one
/// kiln.group_norm, decomposed by --kiln-decompose.
LogicalResult importGroupNorm(NodeContext &c) {
  FailureOr<Value> x = floatOperand(c);
  std::optional<int64_t> groups = c.integer(1);
  if (failed(x) || !groups)
    return c.error() << "needs a constant number of groups";
  Value weight, bias;
  if (failed(c.optionalTensor(2, weight)) || failed(c.optionalTensor(3, bias)))
    return failure();
  return c.bind(c.create<GroupNormOp>(
      x->getType(), *x, weight, bias, c.b().getI64IntegerAttr(*groups),
      c.b().getF64FloatAttr(c.number(4).value_or(1e-5))));
}

} // namespace

void mlir::kiln::detail::registerNormalizationOps(OpRegistry &registry) {
  registry.family("Normalization")
      .add("aten::batch_norm", importBatchNorm)
      .add("aten::layer_norm", importLayerNorm)
      .add("aten::group_norm", importGroupNorm);
}
