//===- FoldConstants.cpp - Evaluate weight-only subgraphs at compile time -===//
//
// An op whose operands are all kiln.constant is computed here and replaced
// by a constant: weight transposes, reshapes, casts, slices, concatenations
// and elementwise arithmetic on weights. A fold that would grow the model
// (a broadcast of a non-splat weight, say) is skipped: the object would
// carry the larger tensor.
//
//===----------------------------------------------------------------------===//
#include "kiln/Transforms/ConstantData.h"
#include "kiln/Transforms/Passes.h"

#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNFOLDCONSTANTS
#include "kiln/Transforms/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

/// Calls `f(linear index, multi-index)` for every element of `shape`.
template <typename F> void forEachIndex(ArrayRef<int64_t> shape, F f) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  SmallVector<int64_t> idx(shape.size(), 0);
  for (int64_t i = 0; i < n; ++i) {
    f(i, ArrayRef<int64_t>(idx));
    for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
      if (++idx[d] < shape[d])
        break;
      idx[d] = 0;
    }
  }
}

/// Element of `data` read at the result index `idx` with broadcasting.
double broadcastAt(const ConstantData &data, ArrayRef<int64_t> strides,
                   ArrayRef<int64_t> idx) {
  ArrayRef<int64_t> shape = data.type.getShape();
  size_t offset = idx.size() - shape.size();
  int64_t linear = 0;
  for (size_t d = 0; d < shape.size(); ++d)
    if (shape[d] != 1)
      linear += idx[offset + d] * strides[d];
  return data.values[linear];
}

/// Rounds as the result element type would (integer ops truncate toward
/// zero, as the lowering does); floats are rounded by ConstantData::toAttr.
double roundTo(Type element, double v) {
  if (element.isInteger(1))
    return v != 0.0;
  if (isa<IntegerType>(element))
    return std::trunc(v);
  return v;
}

std::optional<double> scalarOp(Operation *op, ArrayRef<double> a) {
  auto sigmoid = [](double x) { return 1.0 / (1.0 + std::exp(-x)); };
  return llvm::TypeSwitch<Operation *, std::optional<double>>(op)
      .Case([&](AddOp o) { return a[0] + o.getAlpha().convertToDouble() * a[1]; })
      .Case([&](SubOp o) { return a[0] - o.getAlpha().convertToDouble() * a[1]; })
      .Case([&](MulOp) { return a[0] * a[1]; })
      .Case([&](DivOp) { return a[0] / a[1]; })
      // NaN propagates, as in the lowering.
      .Case([&](MaximumOp) {
        return std::isnan(a[0]) || std::isnan(a[1]) ? NAN : std::fmax(a[0], a[1]);
      })
      .Case([&](MinimumOp) {
        return std::isnan(a[0]) || std::isnan(a[1]) ? NAN : std::fmin(a[0], a[1]);
      })
      .Case([&](PowScalarOp o) {
        return std::pow(a[0], o.getExponent().convertToDouble());
      })
      .Case([&](CompareOp o) -> std::optional<double> {
        switch (o.getPredicate()) {
        case ComparePredicate::eq: return a[0] == a[1];
        case ComparePredicate::ne: return a[0] != a[1];
        case ComparePredicate::lt: return a[0] < a[1];
        case ComparePredicate::le: return a[0] <= a[1];
        case ComparePredicate::gt: return a[0] > a[1];
        case ComparePredicate::ge: return a[0] >= a[1];
        }
        return std::nullopt;
      })
      .Case([&](WhereOp) { return a[0] != 0.0 ? a[1] : a[2]; })
      .Case([&](NegOp) { return -a[0]; })
      .Case([&](AbsOp) { return std::fabs(a[0]); })
      .Case([&](SqrtOp) { return std::sqrt(a[0]); })
      .Case([&](RsqrtOp) { return 1.0 / std::sqrt(a[0]); })
      .Case([&](ExpOp) { return std::exp(a[0]); })
      .Case([&](LogOp) { return std::log(a[0]); })
      .Case([&](TanhOp) { return std::tanh(a[0]); })
      .Case([&](SigmoidOp) { return sigmoid(a[0]); })
      // max(x, 0) as lowered: NaN stays NaN.
      .Case([&](ReluOp) { return std::isnan(a[0]) || a[0] > 0 ? a[0] : 0.0; })
      .Case([&](CastOp) { return a[0]; })
      .Case([&](BroadcastOp) { return a[0]; })
      .Default([](Operation *) { return std::nullopt; });
}

std::optional<std::vector<double>>
evaluate(Operation *op, ArrayRef<ConstantData> in, RankedTensorType type) {
  ArrayRef<int64_t> shape = type.getShape();
  std::vector<double> out(type.getNumElements());
  if (isa<ReshapeOp>(op))
    return in[0].values;
  if (auto t = dyn_cast<TransposeOp>(op)) {
    SmallVector<int64_t> inStrides = stridesOf(in[0].type.getShape());
    ArrayRef<int64_t> perm = t.getPermutation();
    forEachIndex(shape, [&](int64_t i, ArrayRef<int64_t> idx) {
      int64_t src = 0;
      for (size_t d = 0; d < idx.size(); ++d)
        src += idx[d] * inStrides[perm[d]];
      out[i] = in[0].values[src];
    });
    return out;
  }
  if (auto s = dyn_cast<SliceOp>(op)) {
    SmallVector<int64_t> inStrides = stridesOf(in[0].type.getShape());
    ArrayRef<int64_t> offsets = s.getOffsets(), strides = s.getStrides();
    forEachIndex(shape, [&](int64_t i, ArrayRef<int64_t> idx) {
      int64_t src = 0;
      for (size_t d = 0; d < idx.size(); ++d)
        src += (offsets[d] + idx[d] * strides[d]) * inStrides[d];
      out[i] = in[0].values[src];
    });
    return out;
  }
  if (auto c = dyn_cast<ConcatOp>(op)) {
    int64_t dim = c.getDim();
    forEachIndex(shape, [&](int64_t i, ArrayRef<int64_t> idx) {
      int64_t pos = idx[dim];
      for (const ConstantData &part : in) {
        int64_t extent = part.type.getDimSize(dim);
        if (pos < extent) {
          SmallVector<int64_t> src(idx.begin(), idx.end());
          src[dim] = pos;
          SmallVector<int64_t> st = stridesOf(part.type.getShape());
          int64_t linear = 0;
          for (size_t d = 0; d < src.size(); ++d)
            linear += src[d] * st[d];
          out[i] = part.values[linear];
          return;
        }
        pos -= extent;
      }
    });
    return out;
  }
  if (!isElementwise(op))
    return std::nullopt;
  // Float ops on integer operands follow the result type; only ops whose
  // double arithmetic matches the lowering's are evaluated.
  bool intResult = isa<IntegerType>(type.getElementType());
  if (intResult && !isa<AddOp, SubOp, MulOp, NegOp, AbsOp, MaximumOp,
                        MinimumOp, CastOp, BroadcastOp, ReluOp, CompareOp,
                        WhereOp>(op))
    return std::nullopt;
  SmallVector<SmallVector<int64_t>> strides;
  for (const ConstantData &d : in)
    strides.push_back(stridesOf(d.type.getShape()));
  SmallVector<double> args(in.size());
  bool ok = true;
  Type element = type.getElementType();
  forEachIndex(shape, [&](int64_t i, ArrayRef<int64_t> idx) {
    if (!ok)
      return;
    for (size_t k = 0; k < in.size(); ++k)
      args[k] = broadcastAt(in[k], strides[k], idx);
    std::optional<double> v = scalarOp(op, args);
    if (!v) {
      ok = false;
      return;
    }
    // Integer results truncate (float -> int casts), bool ones are != 0.
    out[i] = roundTo(element, *v);
  });
  if (!ok)
    return std::nullopt;
  return out;
}

struct KilnFoldConstants
    : public kiln::impl::KilnFoldConstantsBase<KilnFoldConstants> {
  using kiln::impl::KilnFoldConstantsBase<
      KilnFoldConstants>::KilnFoldConstantsBase;

  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (!isa<ConstantOp, FusedOp, YieldOp>(op) &&
          isa_and_nonnull<KilnDialect>(op->getDialect()) &&
          !op->getParentOfType<FusedOp>() && op->getNumResults() == 1)
        ops.push_back(op);
    });
    // Program order: a folded producer makes its users foldable.
    for (Operation *op : ops) {
      if (!llvm::all_of(op->getOperands(), [](Value v) {
            return v.getDefiningOp<ConstantOp>();
          }))
        continue;
      auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
      if (!type || !type.hasStaticShape() ||
          type.getNumElements() > maxElements)
        continue;
      SmallVector<ConstantData> inputs;
      int64_t inputElements = 0;
      bool readable = true;
      for (Value v : op->getOperands()) {
        std::optional<ConstantData> d = ConstantData::readValue(v);
        if (!d) {
          readable = false;
          break;
        }
        inputElements += d->size();
        inputs.push_back(std::move(*d));
      }
      if (!readable)
        continue;
      std::optional<std::vector<double>> values = evaluate(op, inputs, type);
      if (!values)
        continue;
      ConstantData result{type, std::move(*values)};
      std::string name = constantName(op->getOperand(0));
      ElementsAttr attr = result.toAttr(name.empty() ? "folded" : name + ".folded");
      // Never grow the object: a large non-splat result must not be bigger
      // than what it replaces.
      if (!isa<SplatElementsAttr>(attr) && result.size() > 16 &&
          result.size() > inputElements)
        continue;
      OpBuilder b(op);
      Value folded = ConstantOp::create(b, op->getLoc(), attr);
      op->getResult(0).replaceAllUsesWith(folded);
      op->erase();
      numFolded++;
    }
    // Constants left without users (the folded operands) go away.
    getOperation().walk([](ConstantOp c) {
      if (c->use_empty())
        c->erase();
    });
  }
};

} // namespace
