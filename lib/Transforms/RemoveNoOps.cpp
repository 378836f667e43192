//===- RemoveNoOps.cpp - Drop ops that do not change their operand --------===//
#include "kiln/Transforms/Passes.h"

#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/IR/PatternMatch.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNREMOVENOOPS
#include "kiln/Transforms/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

bool allZero(ArrayRef<int64_t> v) {
  return llvm::all_of(v, [](int64_t x) { return x == 0; });
}

/// The operand `op` forwards unchanged, or null.
Value identityOperand(Operation *op) {
  // Ops whose folder returns an operand: identity casts, broadcasts,
  // reshapes and transposes, x + (-0.0), x * 1, x / 1, relu(relu(x)).
  SmallVector<Attribute> constants;
  for (Value v : op->getOperands()) {
    Attribute a;
    if (auto c = v.getDefiningOp<ConstantOp>())
      a = c.getValue();
    constants.push_back(a);
  }
  SmallVector<OpFoldResult> folded;
  if (!isa<ConstantOp>(op) && succeeded(op->fold(constants, folded)) &&
      folded.size() == 1)
    if (auto v = dyn_cast<Value>(folded.front()))
      if (v.getType() == op->getResult(0).getType())
        return v;
  if (auto slice = dyn_cast<SliceOp>(op))
    if (slice.getInput().getType() == slice.getType() &&
        allZero(slice.getOffsets()) &&
        llvm::all_of(slice.getStrides(), [](int64_t s) { return s == 1; }))
      return slice.getInput();
  if (auto pad = dyn_cast<PadOp>(op))
    if (allZero(pad.getLow()) && allZero(pad.getHigh()) &&
        (!pad.getInterior() || allZero(*pad.getInterior())))
      return pad.getInput();
  if (auto concat = dyn_cast<ConcatOp>(op))
    if (concat.getInputs().size() == 1)
      return concat.getInputs().front();
  return {};
}

/// reshape(reshape(x)) -> reshape(x); transpose(transpose(x)) -> one
/// transpose. Returns the new op or null.
Operation *mergeChain(Operation *op, OpBuilder &b) {
  if (auto outer = dyn_cast<ReshapeOp>(op))
    if (auto inner = outer.getInput().getDefiningOp<ReshapeOp>()) {
      b.setInsertionPoint(op);
      return ReshapeOp::create(b, op->getLoc(), outer.getType(),
                               inner.getInput());
    }
  if (auto outer = dyn_cast<TransposeOp>(op))
    if (auto inner = outer.getInput().getDefiningOp<TransposeOp>()) {
      // result[i] = outer_in[po[i]] = x[pi[po[i]]]
      SmallVector<int64_t> perm;
      for (int64_t p : outer.getPermutation())
        perm.push_back(inner.getPermutation()[p]);
      b.setInsertionPoint(op);
      return TransposeOp::create(b, op->getLoc(), outer.getType(),
                                 inner.getInput(),
                                 b.getDenseI64ArrayAttr(perm));
    }
  return nullptr;
}

struct KilnRemoveNoOps
    : public kiln::impl::KilnRemoveNoOpsBase<KilnRemoveNoOps> {
  using kiln::impl::KilnRemoveNoOpsBase<KilnRemoveNoOps>::KilnRemoveNoOpsBase;

  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isa_and_nonnull<KilnDialect>(op->getDialect()) &&
          op->getNumResults() == 1 && !isa<FusedOp>(op))
        ops.push_back(op);
    });
    OpBuilder b(&getContext());
    for (Operation *op : ops) {
      Value replacement = identityOperand(op);
      if (!replacement)
        if (Operation *merged = mergeChain(op, b)) {
          // A chain may compose to the identity (reshape there and back).
          replacement = merged->getResult(0);
          if (Value same = identityOperand(merged)) {
            replacement = same;
            merged->erase();
          }
        }
      if (!replacement)
        continue;
      op->getResult(0).replaceAllUsesWith(replacement);
      op->erase();
      numRemoved++;
    }
    // Producers left without users (the inner op of a merged chain).
    SmallVector<Operation *> dead;
    getOperation().walk([&](Operation *op) {
      if (isa_and_nonnull<KilnDialect>(op->getDialect()) &&
          !isa<YieldOp>(op) && op->use_empty() && isPure(op))
        dead.push_back(op);
    });
    for (Operation *op : llvm::reverse(dead))
      if (op->use_empty())
        op->erase();
  }
};

} // namespace
