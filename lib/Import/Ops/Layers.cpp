//===- Layers.cpp - Recurrent and transformer layers ----------------------===//
//
// Each layer is one composite kiln op (KilnLayerOps.td); `--kiln-decompose`
// (lib/Transforms/DecomposeLayers.cpp) unrolls it. The handlers only read
// the node's operands and flags, and the ops' verifiers check the shapes.
//
//===----------------------------------------------------------------------===//
#include "../OpRegistry.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::detail;

namespace {

/// Builds composite op `name` (its verifier checks the shapes) and binds
/// its results to the node's outputs in order.
LogicalResult emitComposite(NodeContext &c, StringRef name,
                            ValueRange operands, TypeRange types,
                            ArrayRef<NamedAttribute> attributes) {
  OperationState state(c.loc, name);
  state.addOperands(operands);
  state.addTypes(types);
  state.addAttributes(attributes);
  Operation *op = c.b().create(state);
  for (unsigned i = 0; i < op->getNumResults(); ++i)
    (void)c.bind(op->getResult(i), i);
  return success();
}

/// aten::lstm(input, hx, params, has_biases, num_layers, dropout, train,
/// bidirectional, batch_first) and aten::gru(input, hx, params, ...).
template <typename OpTy> LogicalResult importRecurrent(NodeContext &c) {
  constexpr bool isLSTM = std::is_same_v<OpTy, LSTMOp>;
  FailureOr<Value> input = floatOperand(c);
  if (failed(input))
    return failure();
  FailureOr<SmallVector<Value>> hx;
  if (isLSTM) {
    hx = tensorList(c, 1);
    if (succeeded(hx) && hx->size() != 2)
      return c.error() << "needs (h0, c0), got " << hx->size() << " states";
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
  auto in = tensorType(*input), h0 = tensorType((*hx)[0]);
  if (in.getRank() != 3 || h0.getRank() != 3)
    return c.error() << "needs a rank-3 input and state, got "
                     << formatType(in) << " and " << formatType(h0);
  // Output [T, B, directions * H] (batch first like the input); the final
  // states have the initial ones' type. The verifier checks the rest.
  SmallVector<int64_t> out(in.getShape());
  out[2] = (*bidir ? 2 : 1) * h0.getDimSize(2);
  SmallVector<Type> types = {in.clone(out), h0};
  if (isLSTM)
    types.push_back((*hx)[1].getType());
  SmallVector<Value> operands = {*input};
  operands.append(*hx);
  operands.append(*params);
  Builder &b = c.b();
  return emitComposite(
      c, OpTy::getOperationName(), operands, types,
      {b.getNamedAttr("num_layers", b.getI64IntegerAttr(*layers)),
       b.getNamedAttr("has_biases", b.getBoolAttr(*hasBiases)),
       b.getNamedAttr("bidirectional", b.getBoolAttr(*bidir)),
       b.getNamedAttr("batch_first", b.getBoolAttr(*batchFirst))});
}

/// aten::_transformer_encoder_layer_fwd: the fused nn.TransformerEncoderLayer
/// of eval mode (batch_first).
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
  auto t = tensorType(*src);
  if (t.getRank() != 3 || t.getDimSize(2) != *embed)
    return c.error() << "needs a [batch, seq, " << *embed << "] input, got "
                     << formatType(t);
  SmallVector<Value> operands = {*src};
  for (size_t i : {3, 4, 5, 6, 10, 11, 12, 13, 14, 15, 16, 17}) {
    FailureOr<Value> w = c.tensor(i);
    if (failed(w))
      return failure();
    operands.push_back(*w);
  }
  Builder &b = c.b();
  return emitComposite(
      c, TransformerEncoderLayerOp::getOperationName(), operands, t,
      {b.getNamedAttr("num_heads", b.getI64IntegerAttr(*heads)),
       b.getNamedAttr("use_gelu", b.getBoolAttr(*useGelu)),
       b.getNamedAttr("norm_first", b.getBoolAttr(*normFirst)),
       b.getNamedAttr("eps", b.getF64FloatAttr(*eps))});
}

} // namespace

void mlir::kiln::detail::registerLayersOps(OpRegistry &registry) {
  registry.family("Recurrent and transformer layers")
      .add("aten::lstm", importRecurrent<LSTMOp>)
      .add("aten::gru", importRecurrent<GRUOp>)
      .add("aten::_transformer_encoder_layer_fwd",
           importTransformerEncoderLayer);
}
