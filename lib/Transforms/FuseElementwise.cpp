//===- FuseElementwise.cpp - Group elementwise chains into kiln.fused -----===//
#include "kiln/Transforms/Passes.h"

#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNFUSEELEMENTWISE
#include "kiln/Transforms/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// Collects the group rooted at `root`: every elementwise producer (in the
/// same block) whose uses are all inside the group. Returns the ops in
/// program order.
SmallVector<Operation *> collectGroup(Operation *root) {
  llvm::SmallSetVector<Operation *, 8> group;
  group.insert(root);
  // Iterate to a fixpoint: a producer shared by two members joins only once
  // both of them are in.
  bool changed = true;
  while (changed) {
    changed = false;
    for (size_t i = 0; i < group.size(); ++i) {
      for (Value operand : group[i]->getOperands()) {
        Operation *producer = operand.getDefiningOp();
        if (!producer || group.contains(producer) ||
            producer->getBlock() != root->getBlock() ||
            !isElementwise(producer))
          continue;
        if (!llvm::all_of(producer->getUsers(),
                          [&](Operation *u) { return group.contains(u); }))
          continue;
        group.insert(producer);
        changed = true;
      }
    }
  }
  SmallVector<Operation *> ordered(group.begin(), group.end());
  llvm::sort(ordered, [](Operation *a, Operation *b) {
    return a->isBeforeInBlock(b);
  });
  return ordered;
}

/// Replaces the ops of `group` (in program order, last one the root) by one
/// kiln.fused op placed at the root.
void outlineGroup(ArrayRef<Operation *> group) {
  Operation *root = group.back();
  llvm::SmallPtrSet<Operation *, 8> members(group.begin(), group.end());
  llvm::SetVector<Value> inputs;
  for (Operation *op : group)
    for (Value operand : op->getOperands())
      if (!members.contains(operand.getDefiningOp()))
        inputs.insert(operand);

  OpBuilder builder(root);
  auto fused = FusedOp::create(builder, root->getLoc(),
                               root->getResult(0).getType(),
                               inputs.getArrayRef());
  Block *body = builder.createBlock(&fused.getBody());
  IRMapping mapping;
  for (Value input : inputs)
    mapping.map(input, body->addArgument(input.getType(), input.getLoc()));
  for (Operation *op : group)
    builder.clone(*op, mapping);
  YieldOp::create(builder, root->getLoc(),
                  mapping.lookup(root->getResult(0)));

  root->getResult(0).replaceAllUsesWith(fused.getResult());
  for (Operation *op : llvm::reverse(group))
    op->erase();
}

struct KilnFuseElementwise
    : public kiln::impl::KilnFuseElementwiseBase<KilnFuseElementwise> {
  using kiln::impl::KilnFuseElementwiseBase<
      KilnFuseElementwise>::KilnFuseElementwiseBase;

  void runOnOperation() override {
    // Visit consumers before producers so each group grows from its root.
    SmallVector<Operation *> roots;
    getOperation().walk([&](Operation *op) {
      if (isElementwise(op) && !op->getParentOfType<FusedOp>())
        roots.push_back(op);
    });
    llvm::SmallPtrSet<Operation *, 16> grouped;
    for (Operation *root : llvm::reverse(roots)) {
      if (grouped.contains(root))
        continue;
      SmallVector<Operation *> group = collectGroup(root);
      grouped.insert(group.begin(), group.end());
      if (group.size() < minGroupSize)
        continue;
      numGroups++;
      numFusedOps += group.size();
      outlineGroup(group);
    }
  }
};

} // namespace

//===----------------------------------------------------------------------===//
// Epilogue fusion
//===----------------------------------------------------------------------===//

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNFUSEEPILOGUE
#include "kiln/Transforms/Passes.h.inc"
} // namespace mlir::kiln

namespace {

/// Moves `anchor` (a contraction whose only user is `consumer`) into a
/// kiln.fused op with the consumer: the consumer's own group when it is
/// one, else a group of the single elementwise consumer.
void fuseEpilogue(Operation *anchor, Operation *consumer) {
  Value anchorResult = anchor->getResult(0);
  auto group = dyn_cast<FusedOp>(consumer);
  llvm::SetVector<Value> inputs;
  for (Value v : anchor->getOperands())
    inputs.insert(v);
  for (Value v : consumer->getOperands())
    if (v != anchorResult)
      inputs.insert(v);

  OpBuilder builder(consumer);
  auto fused = FusedOp::create(builder, consumer->getLoc(),
                               consumer->getResult(0).getType(),
                               inputs.getArrayRef());
  Block *body = builder.createBlock(&fused.getBody());
  IRMapping mapping;
  for (Value input : inputs)
    mapping.map(input, body->addArgument(input.getType(), input.getLoc()));
  Operation *newAnchor = builder.clone(*anchor, mapping);
  Value yielded;
  if (group) {
    Block &old = group.getBody().front();
    IRMapping inner;
    for (auto [arg, input] : llvm::zip(old.getArguments(), group.getInputs()))
      inner.map(arg, input == anchorResult ? newAnchor->getResult(0)
                                           : mapping.lookup(input));
    for (Operation &op : old.without_terminator())
      builder.clone(op, inner);
    yielded = inner.lookup(cast<YieldOp>(old.getTerminator()).getValue());
  } else {
    mapping.map(anchorResult, newAnchor->getResult(0));
    yielded = builder.clone(*consumer, mapping)->getResult(0);
  }
  YieldOp::create(builder, consumer->getLoc(), yielded);
  consumer->getResult(0).replaceAllUsesWith(fused.getResult());
  consumer->erase();
  anchor->erase();
}

struct KilnFuseEpilogue
    : public kiln::impl::KilnFuseEpilogueBase<KilnFuseEpilogue> {
  using kiln::impl::KilnFuseEpilogueBase<
      KilnFuseEpilogue>::KilnFuseEpilogueBase;

  void runOnOperation() override {
    SmallVector<Operation *> anchors;
    getOperation().walk([&](Operation *op) {
      if (isContraction(op) && !op->getParentOfType<FusedOp>())
        anchors.push_back(op);
    });
    for (Operation *anchor : anchors) {
      Value result = anchor->getResult(0);
      if (!result.hasOneUse())
        continue;
      Operation *consumer = *result.getUsers().begin();
      // The user may have no result (func.return).
      if (consumer->getBlock() != anchor->getBlock() ||
          consumer->getNumResults() != 1 ||
          consumer->getResult(0).getType() != result.getType())
        continue;
      auto group = dyn_cast<FusedOp>(consumer);
      if (group ? group.getAnchor() != nullptr : !isElementwise(consumer))
        continue;
      fuseEpilogue(anchor, consumer);
      numFused++;
    }
  }
};

} // namespace
