//===- MapToGPU.cpp - One GPU kernel per top-level linalg op --------------===//
//
// Each linalg op (and memref.copy) at the top level of the bufferized model
// function becomes
//
//   scf.parallel (%block) = (0) to (B)          {block_x}
//     scf.parallel (%thread) = (0) to (T)       {thread_x}
//       %id = %block * T + %thread
//       scf.if %id < N {                        N: the parallel points (no
//                                               test when B * T == N)
//         %i, %j, ... = delinearize %id         innermost dim fastest
//         %acc = load outs[...]                 only when the body reads it
//         scf.for %r ... iter_args(%acc)        the reduction dims
//           load ins[...], the op's body
//         store outs[...]
//
// Outputs must be indexed by exactly the parallel dims (one thread per
// output element: no races); reductions accumulate in registers.
//
//===----------------------------------------------------------------------===//
#include "kiln/Target/CUDA/Passes.h"

#include "mlir/Dialect/GPU/Transforms/ParallelLoopMapper.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNMAPTOGPU
#include "kiln/Target/CUDA/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {

/// The indices `map` selects from the loop induction variables `ivs`.
SmallVector<Value> applyIndexingMap(OpBuilder &b, Location loc, AffineMap map,
                                    ArrayRef<Value> ivs) {
  SmallVector<Value> indices;
  for (AffineExpr expr : map.getResults()) {
    if (auto dim = dyn_cast<AffineDimExpr>(expr)) {
      indices.push_back(ivs[dim.getPosition()]);
    } else if (auto cst = dyn_cast<AffineConstantExpr>(expr)) {
      indices.push_back(arith::ConstantIndexOp::create(b, loc, cst.getValue()));
    } else {
      AffineMap single = AffineMap::get(map.getNumDims(), 0, expr);
      indices.push_back(affine::AffineApplyOp::create(b, loc, single, ivs));
    }
  }
  return indices;
}

struct KilnMapToGPU : public kiln::impl::KilnMapToGPUBase<KilnMapToGPU> {
  using kiln::impl::KilnMapToGPUBase<KilnMapToGPU>::KilnMapToGPUBase;

  /// Clones the body of `op` at `b` with its inputs loaded at `ivs` and its
  /// outputs bound to `outValues`; returns the yielded values.
  SmallVector<Value> emitBody(OpBuilder &b, linalg::GenericOp op,
                              ArrayRef<Value> ivs, ValueRange outValues) {
    Location loc = op.getLoc();
    IRMapping mapping;
    for (OpOperand *in : op.getDpsInputOperands()) {
      BlockArgument arg = op.getMatchingBlockArgument(in);
      if (arg.use_empty())
        continue;
      Value source = in->get();
      if (!isa<MemRefType>(source.getType())) {
        mapping.map(arg, source); // a scalar operand
        continue;
      }
      mapping.map(arg, memref::LoadOp::create(
                           b, loc, source,
                           applyIndexingMap(b, loc,
                                            op.getMatchingIndexingMap(in), ivs)));
    }
    for (auto [i, out] : llvm::enumerate(op.getDpsInitsMutable()))
      mapping.map(op.getMatchingBlockArgument(&out), outValues[i]);
    Block *body = op.getBlock();
    for (Operation &inner : body->without_terminator()) {
      if (auto index = dyn_cast<linalg::IndexOp>(inner)) {
        mapping.map(index.getResult(), ivs[index.getDim()]);
        continue;
      }
      Operation *clone = b.clone(inner, mapping);
      // linalg.index inside nested regions (loops of a direct convolution).
      clone->walk([&](linalg::IndexOp index) {
        index.getResult().replaceAllUsesWith(ivs[index.getDim()]);
        index.erase();
      });
    }
    SmallVector<Value> results;
    for (Value v : body->getTerminator()->getOperands())
      results.push_back(mapping.lookupOrDefault(v));
    return results;
  }

  LogicalResult mapGeneric(linalg::GenericOp op) {
    Location loc = op.getLoc();
    if (!op.hasPureBufferSemantics())
      return op.emitOpError("CUDA backend: expected a bufferized op");
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    if (llvm::any_of(ranges, ShapedType::isDynamic))
      return op.emitOpError("CUDA backend: dynamic loop bounds are not "
                            "supported");
    SmallVector<unsigned> parallel, reduction;
    for (auto [d, type] : llvm::enumerate(op.getIteratorTypesArray()))
      (linalg::isParallelIterator(type) ? parallel : reduction).push_back(d);
    // Each output element belongs to exactly one thread.
    for (OpOperand &out : op.getDpsInitsMutable()) {
      AffineMap map = op.getMatchingIndexingMap(&out);
      // Each parallel dim once, the other indices constant (keepdim).
      llvm::SmallDenseSet<unsigned> dims;
      unsigned numDims = 0;
      bool simple = true;
      for (AffineExpr e : map.getResults()) {
        if (auto dim = dyn_cast<AffineDimExpr>(e)) {
          ++numDims;
          if (linalg::isParallelIterator(
                  op.getIteratorTypesArray()[dim.getPosition()]))
            dims.insert(dim.getPosition());
        } else if (!isa<AffineConstantExpr>(e)) {
          simple = false;
        }
      }
      if (!simple || dims.size() != parallel.size() ||
          numDims != parallel.size())
        return op.emitOpError("CUDA backend: an output is not indexed by "
                              "exactly the parallel loop dims (")
               << AffineMapAttr::get(map) << ")";
    }
    int64_t total = 1;
    for (unsigned d : parallel)
      total *= ranges[d];
    // No points, or a zero-trip reduction (the outputs keep their values).
    if (llvm::is_contained(ranges, 0)) {
      op.erase();
      return success();
    }
    int64_t tpb = threadsPerBlock;
    int64_t threads = total >= tpb ? tpb : llvm::alignTo(total, 32);
    int64_t blocks = llvm::divideCeil(total, threads);
    if (blocks > std::numeric_limits<int32_t>::max())
      return op.emitOpError("CUDA backend: ")
             << total << " parallel points need more than 2^31 blocks";

    OpBuilder b(op);
    auto cst = [&](OpBuilder &ob, int64_t v) -> Value {
      return arith::ConstantIndexOp::create(ob, loc, v);
    };
    MLIRContext *ctx = op.getContext();
    auto identity = AffineMap::getMultiDimIdentityMap(1, ctx);
    auto mappingFor = [&](gpu::Processor p) {
      return gpu::ParallelLoopDimMappingAttr::get(ctx, p, identity, identity);
    };
    Value zero = cst(b, 0), one = cst(b, 1);
    auto grid = scf::ParallelOp::create(b, loc, ValueRange{zero},
                                        ValueRange{cst(b, blocks)},
                                        ValueRange{one});
    (void)gpu::setMappingAttr(grid, {mappingFor(gpu::Processor::BlockX)});
    b.setInsertionPointToStart(grid.getBody());
    auto block = scf::ParallelOp::create(b, loc, ValueRange{zero},
                                         ValueRange{cst(b, threads)},
                                         ValueRange{one});
    (void)gpu::setMappingAttr(block, {mappingFor(gpu::Processor::ThreadX)});
    b.setInsertionPointToStart(block.getBody());
    Value id = arith::AddIOp::create(
        b, loc,
        arith::MulIOp::create(b, loc, grid.getInductionVars()[0],
                              cst(b, threads)),
        block.getInductionVars()[0]);
    // The last block's surplus threads do nothing.
    if (blocks * threads != total) {
      Value inRange = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                            id, cst(b, total));
      auto guard = scf::IfOp::create(b, loc, inRange, /*withElse=*/false);
      b.setInsertionPointToStart(&guard.getThenRegion().front());
    }

    // Delinearize, innermost parallel dim fastest (coalesced accesses).
    SmallVector<Value> ivs(ranges.size());
    Value rest = id;
    for (unsigned d : llvm::reverse(parallel)) {
      if (d == parallel.front()) {
        ivs[d] = rest;
        break;
      }
      Value size = cst(b, ranges[d]);
      ivs[d] = arith::RemUIOp::create(b, loc, rest, size);
      rest = arith::DivUIOp::create(b, loc, rest, size);
    }

    // Output indices depend on the parallel dims only.
    SmallVector<SmallVector<Value>> outIndices;
    SmallVector<Value> outValues;
    for (OpOperand &out : op.getDpsInitsMutable()) {
      outIndices.push_back(applyIndexingMap(
          b, loc, op.getMatchingIndexingMap(&out), ivs));
      BlockArgument arg = op.getMatchingBlockArgument(&out);
      // The accumulator of a reduction, or an output the body reads.
      if (!reduction.empty() || !arg.use_empty())
        outValues.push_back(memref::LoadOp::create(b, loc, out.get(),
                                                   outIndices.back()));
      else
        outValues.push_back(Value());
    }

    SmallVector<Value> results;
    if (reduction.empty()) {
      results = emitBody(b, op, ivs, outValues);
    } else {
      // One scf.for per reduction dim, accumulators as iter_args.
      std::function<SmallVector<Value>(OpBuilder &, unsigned, ValueRange)>
          loopNest = [&](OpBuilder &lb, unsigned level,
                         ValueRange accs) -> SmallVector<Value> {
        if (level == reduction.size())
          return emitBody(lb, op, ivs, accs);
        unsigned d = reduction[level];
        auto loop = scf::ForOp::create(
            lb, loc, cst(lb, 0), cst(lb, ranges[d]), cst(lb, 1), accs,
            [&](OpBuilder &fb, Location, Value iv, ValueRange iterArgs) {
              ivs[d] = iv;
              SmallVector<Value> next = loopNest(fb, level + 1, iterArgs);
              scf::YieldOp::create(fb, loc, next);
            });
        return SmallVector<Value>(loop.getResults());
      };
      results = loopNest(b, 0, outValues);
    }
    for (auto [i, out] : llvm::enumerate(op.getDpsInitsMutable()))
      memref::StoreOp::create(b, loc, results[i], out.get(), outIndices[i]);
    op.erase();
    ++numKernels;
    return success();
  }

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (threadsPerBlock < 32 || threadsPerBlock > 1024 ||
        threadsPerBlock % 32 != 0) {
      func.emitError() << "threads-per-block must be a multiple of 32 in "
                          "[32, 1024], got "
                       << threadsPerBlock;
      return signalPassFailure();
    }
    // Ops already inside a mapped nest (or another linalg op) stay.
    auto isTopLevel = [](Operation *op) {
      return !op->getParentOfType<scf::ParallelOp>() &&
             !op->getParentOfType<linalg::LinalgOp>() &&
             !op->getParentOfType<gpu::LaunchOp>();
    };
    SmallVector<memref::CopyOp> copies;
    func.walk([&](memref::CopyOp copy) {
      if (isTopLevel(copy))
        copies.push_back(copy);
    });
    for (memref::CopyOp copy : copies) {
      OpBuilder b(copy);
      linalg::CopyOp::create(b, copy.getLoc(), copy.getSource(),
                             copy.getTarget());
      copy.erase();
    }
    SmallVector<linalg::LinalgOp> ops;
    func.walk([&](linalg::LinalgOp op) {
      if (isTopLevel(op))
        ops.push_back(op);
    });
    IRRewriter rewriter(func.getContext());
    for (linalg::LinalgOp op : ops) {
      linalg::GenericOp generic = dyn_cast<linalg::GenericOp>(*op);
      if (!generic) {
        rewriter.setInsertionPoint(op);
        FailureOr<linalg::GenericOp> g = linalg::generalizeNamedOp(rewriter, op);
        if (failed(g)) {
          op.emitOpError("CUDA backend: cannot express as a linalg.generic");
          return signalPassFailure();
        }
        generic = *g;
      }
      if (failed(mapGeneric(generic)))
        return signalPassFailure();
    }
    // What is left on the host must not touch tensor memory: every buffer
    // the host sees is a device pointer.
    WalkResult result = func.walk([&](Operation *op) {
      if (!isTopLevel(op) || isa<scf::ParallelOp>(op))
        return WalkResult::advance();
      if (isa<memref::LoadOp, memref::StoreOp, memref::AllocOp,
              memref::AllocaOp, memref::CopyOp>(op) ||
          isa<func::CallOp>(op)) {
        op->emitOpError("CUDA backend: cannot run on the host side of a GPU "
                        "model (it would touch device memory)");
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
