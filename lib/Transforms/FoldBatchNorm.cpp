//===- FoldBatchNorm.cpp - Fold per-channel affine ops into conv/linear ---===//
//
// Eval-mode batch norm arrives as `x * scale + shift` with constant
// per-channel scale and shift. When x is a conv2d or linear whose weight and
// bias are constants and whose only user is that mul/add, the scale goes
// into the weight (row c of W times scale[c]) and the shift into the bias:
//
//   mul(conv(x, W, b), s)  ->  conv(x, W * s[c], b * s[c])
//   add(conv(x, W, b), t)  ->  conv(x, W, b + t[c])      (also sub, div)
//
// The same holds for any constant that varies only along the output-channel
// axis (dim 1 of a conv result, the last dim of a linear result) or is a
// scalar, so `conv * 2` or `linear - 1` fold as well.
//
//===----------------------------------------------------------------------===//
#include "kiln/Transforms/ConstantData.h"
#include "kiln/Transforms/Passes.h"

#include "kiln/Dialect/Kiln/IR/KilnOps.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNFOLDBATCHNORM
#include "kiln/Transforms/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// A conv2d or linear with constant weight and (optional) bias.
struct Producer {
  Operation *op;
  Value weight, bias;
  int64_t channels;
  int64_t channelAxis; // in the result
};

std::optional<Producer> matchProducer(Value v) {
  Operation *op = v.getDefiningOp();
  if (!op || !v.hasOneUse())
    return std::nullopt;
  Producer p{op, {}, {}, 0, 0};
  auto type = cast<RankedTensorType>(v.getType());
  if (auto conv = dyn_cast<Conv2dOp>(op)) {
    p.weight = conv.getWeight();
    p.bias = conv.getBias();
    p.channelAxis = 1;
  } else if (auto linear = dyn_cast<LinearOp>(op)) {
    p.weight = linear.getWeight();
    p.bias = linear.getBias();
    p.channelAxis = type.getRank() - 1;
  } else {
    return std::nullopt;
  }
  if (!p.weight.getDefiningOp<ConstantOp>() ||
      (p.bias && !p.bias.getDefiningOp<ConstantOp>()))
    return std::nullopt;
  p.channels = type.getDimSize(p.channelAxis);
  return p;
}

/// The per-channel values of constant `k` applied to a result of `type`
/// whose channel axis is `axis`, when k varies along no other axis and does
/// not broadcast the result to a larger shape.
std::optional<std::vector<double>> perChannel(Value k, RankedTensorType type,
                                              int64_t axis) {
  std::optional<ConstantData> data = ConstantData::readValue(k);
  if (!data || !isa<FloatType>(data->type.getElementType()))
    return std::nullopt;
  ArrayRef<int64_t> shape = data->type.getShape();
  if (shape.size() > static_cast<size_t>(type.getRank()))
    return std::nullopt;
  int64_t offset = type.getRank() - shape.size();
  int64_t channels = type.getDimSize(axis);
  for (size_t d = 0; d < shape.size(); ++d) {
    int64_t resultDim = offset + d;
    if (shape[d] == 1)
      continue;
    if (resultDim != axis || shape[d] != channels)
      return std::nullopt;
  }
  std::vector<double> values(channels);
  for (int64_t c = 0; c < channels; ++c)
    values[c] = data->values[data->size() == 1 ? 0 : c];
  return values;
}

struct KilnFoldBatchNorm
    : public kiln::impl::KilnFoldBatchNormBase<KilnFoldBatchNorm> {
  using kiln::impl::KilnFoldBatchNormBase<
      KilnFoldBatchNorm>::KilnFoldBatchNormBase;

  /// Folds `op` (a mul/div/add/sub of a producer and a constant) into the
  /// producer; returns true when it did.
  bool fold(Operation *op) {
    if (op->getNumOperands() != 2)
      return false;
    Value lhs = op->getOperand(0), rhs = op->getOperand(1);
    auto type = cast<RankedTensorType>(op->getResult(0).getType());
    // The producer may be on either side of commutative ops.
    bool commutative = isa<MulOp>(op) ||
                       (isa<AddOp>(op) &&
                        cast<AddOp>(op).getAlpha().convertToDouble() == 1.0);
    std::optional<Producer> p = matchProducer(lhs);
    Value k = rhs;
    if (!p && commutative) {
      p = matchProducer(rhs);
      k = lhs;
    }
    if (!p || p->op->getResult(0).getType() != type)
      return false;
    std::optional<std::vector<double>> factor =
        perChannel(k, type, p->channelAxis);
    if (!factor)
      return false;

    std::optional<ConstantData> w = ConstantData::readValue(p->weight);
    std::optional<ConstantData> bias =
        p->bias ? ConstantData::readValue(p->bias) : std::nullopt;
    if (!w || (p->bias && !bias))
      return false;
    int64_t channels = p->channels;
    if (w->type.getDimSize(0) != channels)
      return false;
    std::vector<double> b =
        bias ? bias->values : std::vector<double>(channels, 0.0);
    int64_t rowSize = w->size() / channels;
    std::string wName = constantName(p->weight);
    if (wName.empty())
      wName = "weight";
    std::string bName = p->bias ? constantName(p->bias) : "";
    if (bName.empty())
      bName = wName + ".bias";

    bool scales = isa<MulOp, DivOp>(op);
    if (scales) {
      for (int64_t c = 0; c < channels; ++c) {
        double s = isa<DivOp>(op) ? 1.0 / (*factor)[c] : (*factor)[c];
        for (int64_t i = 0; i < rowSize; ++i)
          w->values[c * rowSize + i] *= s;
        b[c] *= s;
      }
    } else {
      double alpha = 1.0;
      if (auto add = dyn_cast<AddOp>(op))
        alpha = add.getAlpha().convertToDouble();
      else if (auto sub = dyn_cast<SubOp>(op))
        alpha = -sub.getAlpha().convertToDouble();
      else
        return false;
      for (int64_t c = 0; c < channels; ++c)
        b[c] += alpha * (*factor)[c];
    }

    OpBuilder builder(p->op);
    Location loc = op->getLoc();
    if (scales) {
      Value newWeight =
          ConstantOp::create(builder, loc, w->toAttr(wName + ".folded"));
      p->op->setOperand(1, newWeight);
    }
    // Scaling a bias-less producer leaves it without one.
    if (scales && !p->bias) {
      finish(op, *p, loc);
      return true;
    }
    auto biasType = RankedTensorType::get({channels}, w->type.getElementType());
    ConstantData newBias{biasType, std::move(b)};
    Value biasValue =
        ConstantOp::create(builder, loc, newBias.toAttr(bName + ".folded"));
    if (p->bias) {
      p->op->setOperand(2, biasValue);
    } else if (auto conv = dyn_cast<Conv2dOp>(p->op)) {
      conv.getBiasMutable().assign(biasValue);
    } else {
      cast<LinearOp>(p->op).getBiasMutable().assign(biasValue);
    }
    finish(op, *p, loc);
    return true;
  }

  /// The producer now computes the op's value; its location keeps the op's.
  static void finish(Operation *op, const Producer &p, Location loc) {
    p.op->setLoc(FusedLoc::get(op->getContext(), {p.op->getLoc(), loc}));
    op->getResult(0).replaceAllUsesWith(p.op->getResult(0));
    op->erase();
  }

  void runOnOperation() override {
    // Repeat until nothing folds: conv -> mul -> add folds twice.
    bool changed = true;
    while (changed) {
      changed = false;
      SmallVector<Operation *> candidates;
      getOperation().walk([&](Operation *op) {
        if (isa<MulOp, DivOp, AddOp, SubOp>(op) &&
            !op->getParentOfType<FusedOp>())
          candidates.push_back(op);
      });
      for (Operation *op : candidates)
        if (fold(op)) {
          numFolded++;
          changed = true;
        }
    }
    getOperation().walk([](ConstantOp c) {
      if (c->use_empty())
        c->erase();
    });
  }
};

} // namespace
