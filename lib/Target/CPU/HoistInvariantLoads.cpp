//===- HoistInvariantLoads.cpp - Loads of broadcast operands out of loops -===//
//
// Runs on loop code from linalg. A load inside a loop whose address does not
// depend on the loop (a broadcast operand: softmax's row maximum, a bias,
// a per-channel scale) moves in front of the loop when no store in the loop
// can write what it reads. LLVM cannot prove that itself: every
// intermediate is a view of one workspace argument, so all of them look
// like one object to its alias analysis, and a reload per element also
// keeps it from vectorizing the loop.
//
// Two buffers are disjoint when they come from different roots (function
// arguments: inputs, outputs and workspace, which the C API requires not
// to overlap; constant globals) or from one root through memref.view at
// constant byte offsets whose ranges do not overlap. Other view-like ops
// (subview, reshapes, casts) stay within their source's range, except
// memref.reinterpret_cast, which may reach any byte of its root.
//
//===----------------------------------------------------------------------===//
#include "kiln/Target/CPU/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNHOISTINVARIANTLOADS
#include "kiln/Target/CPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {

/// The bytes of root `root` a memref may touch: [begin, end).
struct Range {
  Value root;
  int64_t begin = 0, end = std::numeric_limits<int64_t>::max();
};

std::optional<Range> rangeOf(Value memref) {
  if (auto view = memref.getDefiningOp<memref::ViewOp>()) {
    std::optional<Range> source = rangeOf(view.getSource());
    std::optional<int64_t> offset =
        getConstantIntValue(view.getByteShift());
    auto type = view.getType();
    if (!source || !offset || !type.hasStaticShape() ||
        !type.getElementType().isIntOrFloat())
      return source;
    int64_t bytes =
        type.getNumElements() *
        llvm::divideCeil(type.getElementTypeBitWidth(), 8);
    Range r = *source;
    if (r.begin + *offset + bytes <= r.end) {
      r.begin += *offset;
      r.end = r.begin + bytes;
    }
    return r;
  }
  if (Operation *def = memref.getDefiningOp()) {
    // May address any byte of its root (its offset and strides are free).
    if (auto cast = dyn_cast<memref::ReinterpretCastOp>(def)) {
      std::optional<Range> source = rangeOf(cast.getSource());
      return source ? std::optional<Range>(Range{source->root}) : std::nullopt;
    }
    if (auto viewLike = dyn_cast<ViewLikeOpInterface>(def))
      return rangeOf(viewLike.getViewSource());
    if (isa<memref::GetGlobalOp, UnrealizedConversionCastOp>(def))
      return Range{memref};
    return std::nullopt; // allocations and anything else: unknown
  }
  return Range{memref}; // a function (or outlined body's) argument
}

/// True when `a` and `b` provably share no byte.
bool disjoint(Value a, Value b) {
  std::optional<Range> ra = rangeOf(a), rb = rangeOf(b);
  if (!ra || !rb)
    return false;
  // Roots: block arguments and get_global/cast results are distinct
  // buffers unless they are the same value (two get_global of one symbol
  // are two values of one buffer).
  if (ra->root != rb->root) {
    auto ga = ra->root.getDefiningOp<memref::GetGlobalOp>();
    auto gb = rb->root.getDefiningOp<memref::GetGlobalOp>();
    return !(ga && gb && ga.getName() == gb.getName());
  }
  return ra->end <= rb->begin || rb->end <= ra->begin;
}

struct KilnHoistInvariantLoads
    : public kiln::impl::KilnHoistInvariantLoadsBase<KilnHoistInvariantLoads> {
  void runOnOperation() override {
    SmallVector<Operation *> loops;
    getOperation()->walk([&](Operation *op) {
      if (isa<scf::ForOp, scf::ParallelOp>(op))
        loops.push_back(op); // innermost first (post-order)
    });
    for (Operation *loop : loops)
      hoist(loop);
  }

  void hoist(Operation *loop) {
    // Only loops that run: static shapes give constant, non-empty bounds.
    if (auto f = dyn_cast<scf::ForOp>(loop)) {
      auto lb = getConstantIntValue(f.getLowerBound());
      auto ub = getConstantIntValue(f.getUpperBound());
      if (!lb || !ub || *ub <= *lb)
        return;
    } else {
      auto p = cast<scf::ParallelOp>(loop);
      for (auto [lo, hi] : llvm::zip(p.getLowerBound(), p.getUpperBound())) {
        auto l = getConstantIntValue(lo), h = getConstantIntValue(hi);
        if (!l || !h || *h <= *l)
          return;
      }
    }
    SmallVector<Value> written;
    bool opaque = false;
    loop->walk([&](Operation *op) {
      if (auto store = dyn_cast<memref::StoreOp>(op))
        written.push_back(store.getMemRef());
      else if (!isa<memref::LoadOp>(op) && !isMemoryEffectFree(op) &&
               !isa<scf::ForOp, scf::ParallelOp, scf::IfOp, scf::YieldOp,
                    scf::ReduceOp, scf::ReduceReturnOp>(op))
        opaque = true; // calls, copies, ...: anything could be written
      // (loops and ifs are walked into: their stores count above)
    });
    if (opaque)
      return;
    Block *body = &loop->getRegion(0).front();
    for (Operation &op : llvm::make_early_inc_range(body->getOperations())) {
      auto load = dyn_cast<memref::LoadOp>(op);
      if (!load || llvm::any_of(load->getOperands(), [&](Value v) {
            return loop->isAncestor(v.getParentRegion()->getParentOp()) ||
                   v.getParentRegion() == &loop->getRegion(0);
          }))
        continue;
      if (llvm::all_of(written,
                       [&](Value w) { return disjoint(w, load.getMemRef()); })) {
        load->moveBefore(loop);
        ++numHoisted;
      }
    }
  }
};

} // namespace
