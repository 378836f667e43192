//===- ThreadPhases.cpp - Phase-form kernels to gpu.launch ----------------===//
//
// kiln-map-to-gpu writes kernels that share workgroup memory in "phase
// form", which also runs on the CPU:
//
//   %tile = memref.alloca() {kiln.workgroup}           shared by a block
//   %acc = memref.alloca() {kiln.per_thread} : [T x N]   thread t: acc[t]
//   scf.parallel (%bz, %by, %bx) ... {kiln.phased}     blocks
//     scf.parallel (%t) = (0) to (T) {kiln.phase} ...  every thread, then
//     scf.for ... { phases }                           a barrier
//
// Here that becomes gpu.launch with T threads: workgroup and private
// memory attributions, each phase the code of one thread (%t = thread_id
// x) followed by gpu.barrier.
//
//===----------------------------------------------------------------------===//
#include "kiln/Target/CUDA/Passes.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNLOWERTHREADPHASES
#include "kiln/Target/CUDA/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {

/// Moves the ops of `block` (but its terminator) before `before`.
void inlineBefore(Block *block, Operation *before) {
  for (Operation &op : llvm::make_early_inc_range(block->without_terminator()))
    op.moveBefore(before);
}

struct KilnLowerThreadPhases
    : public kiln::impl::KilnLowerThreadPhasesBase<KilnLowerThreadPhases> {

  LogicalResult lower(scf::ParallelOp grid) {
    Location loc = grid.getLoc();
    MLIRContext *ctx = grid.getContext();
    if (grid.getNumLoops() != 3)
      return grid.emitOpError("expected a 3-d grid of blocks (z, y, x)");
    SmallVector<scf::ParallelOp> phases;
    grid.walk([&](scf::ParallelOp p) {
      if (p->hasAttr("kiln.phase"))
        phases.push_back(p);
    });
    std::optional<int64_t> threads;
    for (scf::ParallelOp p : phases) {
      std::optional<int64_t> n = getConstantIntValue(p.getUpperBound()[0]);
      if (!n || p.getNumLoops() != 1 || (threads && *n != *threads))
        return p.emitOpError("expected phases over the same constant "
                             "thread count");
      threads = n;
    }
    if (!threads)
      return grid.emitOpError("a phased kernel without phases");

    // The block's buffers (allocated at the function's entry, so that the
    // CPU allocates them once).
    llvm::SetVector<memref::AllocaOp> allocas;
    grid.walk([&](Operation *op) {
      for (Value v : op->getOperands())
        if (auto alloca = v.getDefiningOp<memref::AllocaOp>())
          if (alloca->hasAttr("kiln.workgroup") ||
              alloca->hasAttr("kiln.per_thread"))
            allocas.insert(alloca);
    });
    for (memref::AllocaOp alloca : allocas)
      if (llvm::any_of(alloca->getUsers(), [&](Operation *user) {
            return !grid->isAncestor(user);
          }))
        return alloca.emitOpError("block memory used outside its kernel");

    OpBuilder b(grid);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    Value numThreads = arith::ConstantIndexOp::create(b, loc, *threads);
    auto launch = gpu::LaunchOp::create(
        b, loc, grid.getUpperBound()[2], grid.getUpperBound()[1],
        grid.getUpperBound()[0], numThreads, one, one);
    Block &body = launch.getBody().front();
    b.setInsertionPointToEnd(&body);
    auto end = gpu::TerminatorOp::create(b, loc);
    gpu::KernelDim3 blockIds = launch.getBlockIds();
    grid.getInductionVars()[0].replaceAllUsesWith(blockIds.z);
    grid.getInductionVars()[1].replaceAllUsesWith(blockIds.y);
    grid.getInductionVars()[2].replaceAllUsesWith(blockIds.x);
    inlineBefore(grid.getBody(), end);
    grid.erase();
    for (memref::AllocaOp alloca : allocas) {
      MemRefType type = alloca.getType();
      if (alloca->hasAttr("kiln.workgroup")) {
        auto shared = MemRefType::get(
            type.getShape(), type.getElementType(), MemRefLayoutAttrInterface{},
            gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup));
        alloca.getResult().replaceAllUsesWith(
            launch.addWorkgroupAttribution(shared, alloca.getLoc()));
        alloca.erase();
      } else if (alloca->hasAttr("kiln.per_thread")) {
        auto priv = MemRefType::get(
            type.getShape().drop_front(), type.getElementType(),
            MemRefLayoutAttrInterface{},
            gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Private));
        Value slice = launch.addPrivateAttribution(priv, alloca.getLoc());
        // acc[t, i...] -> slice[i...], t being the phase's thread.
        for (Operation *user :
             llvm::make_early_inc_range(alloca.getResult().getUsers())) {
          auto phase = user->getParentOfType<scf::ParallelOp>();
          auto indices = isa<memref::LoadOp>(user)
                             ? cast<memref::LoadOp>(user).getIndices()
                             : cast<memref::StoreOp>(user).getIndices();
          if (!phase || !phase->hasAttr("kiln.phase") || indices.empty() ||
              indices.front() != phase.getInductionVars()[0])
            return user->emitOpError("per-thread memory used outside its "
                                     "thread's phase");
          OpBuilder ub(user);
          SmallVector<Value> rest(indices.drop_front());
          if (auto load = dyn_cast<memref::LoadOp>(user)) {
            load.replaceAllUsesWith(
                memref::LoadOp::create(ub, load.getLoc(), slice, rest)
                    .getResult());
          } else {
            auto store = cast<memref::StoreOp>(user);
            memref::StoreOp::create(ub, store.getLoc(), store.getValue(),
                                    slice, rest);
          }
          user->erase();
        }
        alloca.erase();
      }
    }

    // Each phase: one thread's code, then a barrier.
    Value thread = launch.getThreadIds().x;
    for (scf::ParallelOp phase : phases) {
      phase.getInductionVars()[0].replaceAllUsesWith(thread);
      inlineBefore(phase.getBody(), phase);
      OpBuilder pb(phase);
      gpu::BarrierOp::create(pb, phase.getLoc());
      phase.erase();
    }
    return success();
  }

  void runOnOperation() override {
    SmallVector<scf::ParallelOp> grids;
    getOperation().walk([&](scf::ParallelOp p) {
      if (p->hasAttr("kiln.phased"))
        grids.push_back(p);
    });
    for (scf::ParallelOp grid : grids)
      if (failed(lower(grid)))
        return signalPassFailure();
  }
};

} // namespace
