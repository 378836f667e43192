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

#include "kiln/Conversion/Tags.h"

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

  /// Clones the body of `op` at `b` with its block arguments bound to
  /// `args` (inputs, then outputs) and linalg.index to `ivs`; returns the
  /// yielded values.
  static SmallVector<Value> cloneBody(OpBuilder &b, linalg::GenericOp op,
                                      ValueRange args, ArrayRef<Value> ivs) {
    IRMapping mapping;
    Block *body = op.getBlock();
    for (auto [arg, value] : llvm::zip(body->getArguments(), args))
      if (value)
        mapping.map(arg, value);
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

  /// The body of `op` at `b` with its inputs loaded at `ivs` and its
  /// outputs bound to `outValues`.
  static SmallVector<Value> emitBody(OpBuilder &b, linalg::GenericOp op,
                                     ArrayRef<Value> ivs,
                                     ValueRange outValues) {
    Location loc = op.getLoc();
    SmallVector<Value> args;
    for (OpOperand *in : op.getDpsInputOperands()) {
      BlockArgument arg = op.getMatchingBlockArgument(in);
      Value source = in->get();
      if (arg.use_empty())
        args.push_back(Value());
      else if (!isa<MemRefType>(source.getType()))
        args.push_back(source); // a scalar operand
      else
        args.push_back(memref::LoadOp::create(
            b, loc, source,
            applyIndexingMap(b, loc, op.getMatchingIndexingMap(in), ivs)));
    }
    args.append(outValues.begin(), outValues.end());
    return cloneBody(b, op, args, ivs);
  }

  // ---- Shared-memory tiled contractions ----------------------------------
  // A `kiln.gemm` generic C[batch, m, n] = body(A[batch, m, k], B[batch, k,
  // n], C) with large enough m and n runs as 64 x 64 tiles of C per block
  // (128 x 128 for large products): 256 threads, each 4 x 4 (8 x 8)
  // accumulators, A and B staged through workgroup memory 16 (8) k-steps at
  // a time. It is built in "phase form": the block's
  // body is sequential code around thread-parallel `scf.parallel` phases
  // (kiln.phase) with an implicit barrier after each; per-thread state is a
  // [threads x N] buffer indexed by the thread. On the CPU the phases run
  // one after the other, which is exactly barrier semantics, so the
  // emulation checks the tiling; kiln-lower-thread-phases turns the form
  // into a gpu.launch with workgroup memory and gpu.barrier.
  /// One block computes tile x tile elements of C with (tile / micro)^2
  /// threads of micro x micro accumulators, tileK k-steps per stage.
  struct Tiling {
    int64_t tile, tileK, micro;
    int64_t threads() const { return (tile / micro) * (tile / micro); }
  };
  /// 128 x 128 (8 x 8 per thread) where both sides are large enough to
  /// fill the GPU with such tiles; else 64 x 64 (4 x 4).
  static constexpr Tiling kLargeTiles{128, 8, 8}, kSmallTiles{64, 16, 4};

  struct GemmDims {
    SmallVector<unsigned> batch, m, n;
    unsigned k = 0;
    int64_t B = 1, M = 1, N = 1, K = 1;
    Tiling tiling = kSmallTiles;
  };

  /// Classifies the loops of a tagged contraction, or nullopt when it is not
  /// one this kernel handles.
  static std::optional<GemmDims> classifyGemm(linalg::GenericOp op) {
    if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
        !op.hasPureBufferSemantics())
      return std::nullopt;
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    if (llvm::any_of(ranges, ShapedType::isDynamic))
      return std::nullopt;
    AffineMap a = op.getMatchingIndexingMap(op.getDpsInputOperand(0));
    AffineMap b = op.getMatchingIndexingMap(op.getDpsInputOperand(1));
    AffineMap c = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
    auto uses = [](AffineMap map, unsigned d) {
      return llvm::any_of(map.getResults(), [&](AffineExpr e) {
        return e.isFunctionOfDim(d);
      });
    };
    GemmDims g;
    bool haveK = false;
    auto iterators = op.getIteratorTypesArray();
    for (unsigned d = 0; d < ranges.size(); ++d) {
      if (ranges[d] == 1)
        continue; // any role; its index is 0
      bool inA = uses(a, d), inB = uses(b, d), inC = uses(c, d);
      if (linalg::isReductionIterator(iterators[d])) {
        if (haveK || !inA || !inB || inC)
          return std::nullopt;
        haveK = true;
        g.k = d;
        g.K = ranges[d];
      } else if (inA && inB && inC) {
        g.batch.push_back(d);
        g.B *= ranges[d];
      } else if (inA && inC) {
        g.m.push_back(d);
        g.M *= ranges[d];
      } else if (inB && inC) {
        g.n.push_back(d);
        g.N *= ranges[d];
      } else {
        return std::nullopt;
      }
    }
    // Small products keep one thread per element (no tile worth staging).
    if (g.M >= 128 && g.N >= 128 && g.B * g.M * g.N >= (1 << 20))
      g.tiling = kLargeTiles;
    if (!haveK || g.M < 32 || g.N < 32 || g.K < g.tiling.tileK ||
        g.B > 65535 || llvm::divideCeil(g.M, g.tiling.tile) > 65535)
      return std::nullopt;
    return g;
  }

  /// Sets ivs[d] for `dims` from the flat index `flat` (last dim fastest).
  static void delinearize(OpBuilder &b, Location loc, Value flat,
                          ArrayRef<unsigned> dims, ArrayRef<int64_t> ranges,
                          SmallVectorImpl<Value> &ivs) {
    for (unsigned d : llvm::reverse(dims)) {
      if (d == dims.front()) {
        ivs[d] = flat;
        break;
      }
      Value size = arith::ConstantIndexOp::create(b, loc, ranges[d]);
      ivs[d] = arith::RemUIOp::create(b, loc, flat, size);
      flat = arith::DivUIOp::create(b, loc, flat, size);
    }
  }

  LogicalResult mapGemm(linalg::GenericOp op, const GemmDims &g) {
    Location loc = op.getLoc();
    const Tiling &tl = g.tiling;
    MLIRContext *ctx = op.getContext();
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    Value A = op.getDpsInputOperand(0)->get();
    Value B = op.getDpsInputOperand(1)->get();
    Value C = op.getDpsInitOperand(0)->get();
    AffineMap mapA = op.getMatchingIndexingMap(op.getDpsInputOperand(0));
    AffineMap mapB = op.getMatchingIndexingMap(op.getDpsInputOperand(1));
    AffineMap mapC = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
    Type ta = cast<MemRefType>(A.getType()).getElementType();
    Type tb = cast<MemRefType>(B.getType()).getElementType();
    Type tc = cast<MemRefType>(C.getType()).getElementType();

    OpBuilder b(op);
    auto cst = [&](OpBuilder &ob, int64_t v) -> Value {
      return arith::ConstantIndexOp::create(ob, loc, v);
    };
    auto identity = AffineMap::getMultiDimIdentityMap(1, ctx);
    auto dimMapping = [&](gpu::Processor p) {
      return gpu::ParallelLoopDimMappingAttr::get(ctx, p, identity, identity);
    };
    Value zero = cst(b, 0), one = cst(b, 1);
    int64_t tilesM = llvm::divideCeil(g.M, tl.tile);
    int64_t tilesN = llvm::divideCeil(g.N, tl.tile);
    auto grid = scf::ParallelOp::create(
        b, loc, ValueRange{zero, zero, zero},
        ValueRange{cst(b, g.B), cst(b, tilesM), cst(b, tilesN)},
        ValueRange{one, one, one});
    (void)gpu::setMappingAttr(grid, {dimMapping(gpu::Processor::BlockZ),
                                     dimMapping(gpu::Processor::BlockY),
                                     dimMapping(gpu::Processor::BlockX)});
    grid->setAttr("kiln.phased", UnitAttr::get(ctx));
    // The block's buffers: at the function's entry, so that on the CPU
    // (blocks one after the other) they are allocated once.
    OpBuilder entry = OpBuilder::atBlockBegin(
        &op->getParentOfType<func::FuncOp>().getBody().front());
    b.setInsertionPointToStart(grid.getBody());
    Value batchIndex = grid.getInductionVars()[0];
    Value m0 = arith::MulIOp::create(b, loc, grid.getInductionVars()[1],
                                     cst(b, tl.tile));
    Value n0 = arith::MulIOp::create(b, loc, grid.getInductionVars()[2],
                                     cst(b, tl.tile));
    auto workgroup = [&](Type element) {
      auto alloc = memref::AllocaOp::create(
          entry, loc, MemRefType::get({tl.tileK, tl.tile}, element));
      alloc->setAttr("kiln.workgroup", UnitAttr::get(ctx));
      return alloc;
    };
    Value tileA = workgroup(ta), tileB = workgroup(tb);
    auto accAlloc = memref::AllocaOp::create(
        entry, loc, MemRefType::get({tl.threads(), tl.micro * tl.micro}, tc));
    accAlloc->setAttr("kiln.per_thread", UnitAttr::get(ctx));
    Value acc = accAlloc;

    // The loop ivs of the op for C's element (m, n) and reduction index k.
    auto loopIvs = [&](OpBuilder &ob, Value m, Value n, Value k) {
      SmallVector<Value> ivs(ranges.size());
      Value z = cst(ob, 0);
      for (Value &iv : ivs)
        iv = z;
      delinearize(ob, loc, batchIndex, g.batch, ranges, ivs);
      if (m)
        delinearize(ob, loc, m, g.m, ranges, ivs);
      if (n)
        delinearize(ob, loc, n, g.n, ranges, ivs);
      if (k)
        ivs[g.k] = k;
      return ivs;
    };
    auto lessThan = [&](OpBuilder &ob, Value v, int64_t bound) -> Value {
      return arith::CmpIOp::create(ob, loc, arith::CmpIPredicate::ult, v,
                                   cst(ob, bound));
    };
    // `value` when `cond`, else zero, loaded only when in range.
    auto loadOrZero = [&](OpBuilder &ob, Value cond, Value memref,
                          AffineMap map, ArrayRef<Value> ivs, Type type) {
      auto ifOp = scf::IfOp::create(
          ob, loc, cond,
          [&](OpBuilder &tb, Location) {
            Value v = memref::LoadOp::create(
                tb, loc, memref, applyIndexingMap(tb, loc, map, ivs));
            scf::YieldOp::create(tb, loc, v);
          },
          [&](OpBuilder &eb, Location) {
            Value z = arith::ConstantOp::create(eb, loc, eb.getZeroAttr(type));
            scf::YieldOp::create(eb, loc, z);
          });
      return ifOp.getResult(0);
    };
    // One thread-parallel phase; `body(builder, thread)`.
    auto phase = [&](OpBuilder &ob,
                     function_ref<void(OpBuilder &, Value)> body) {
      auto p = scf::ParallelOp::create(ob, loc, ValueRange{cst(ob, 0)},
                                       ValueRange{cst(ob, tl.threads())},
                                       ValueRange{cst(ob, 1)});
      p->setAttr("kiln.phase", UnitAttr::get(ctx));
      OpBuilder::InsertionGuard guard(ob);
      ob.setInsertionPointToStart(p.getBody());
      body(ob, p.getInductionVars()[0]);
    };
    // for i, j < 4 with the thread's row and column of C.
    auto forMicro = [&](OpBuilder &ob, Value t,
                        function_ref<void(OpBuilder &, Value, Value, Value)>
                            body) {
      Value tx = arith::RemUIOp::create(ob, loc, t, cst(ob, tl.tile / tl.micro));
      Value ty = arith::DivUIOp::create(ob, loc, t, cst(ob, tl.tile / tl.micro));
      Value row = arith::MulIOp::create(ob, loc, ty, cst(ob, tl.micro));
      Value col = arith::MulIOp::create(ob, loc, tx, cst(ob, tl.micro));
      scf::ForOp::create(
          ob, loc, cst(ob, 0), cst(ob, tl.micro), cst(ob, 1), ValueRange{},
          [&](OpBuilder &ib, Location, Value i, ValueRange) {
            scf::ForOp::create(
                ib, loc, cst(ib, 0), cst(ib, tl.micro), cst(ib, 1),
                ValueRange{},
                [&](OpBuilder &jb, Location, Value j, ValueRange) {
                  Value r = arith::AddIOp::create(jb, loc, row, i);
                  Value c = arith::AddIOp::create(jb, loc, col, j);
                  Value slot = arith::AddIOp::create(
                      jb, loc, arith::MulIOp::create(jb, loc, i,
                                                     cst(jb, tl.micro)),
                      j);
                  body(jb, r, c, slot);
                  scf::YieldOp::create(jb, loc);
                });
            scf::YieldOp::create(ib, loc);
          });
    };

    // C's element (m0 + r, n0 + c) and whether it exists.
    auto element = [&](OpBuilder &ob, Value r, Value c) {
      Value m = arith::AddIOp::create(ob, loc, m0, r);
      Value n = arith::AddIOp::create(ob, loc, n0, c);
      Value in = arith::AndIOp::create(ob, loc, lessThan(ob, m, g.M),
                                       lessThan(ob, n, g.N));
      return std::make_tuple(m, n, in);
    };

    // Accumulators start from C (bias, or zero after a fill).
    phase(b, [&](OpBuilder &pb, Value t) {
      forMicro(pb, t, [&](OpBuilder &ob, Value r, Value c, Value slot) {
        auto [m, n, in] = element(ob, r, c);
        Value v = loadOrZero(ob, in, C, mapC, loopIvs(ob, m, n, nullptr), tc);
        memref::StoreOp::create(ob, loc, v, acc, ValueRange{t, slot});
      });
    });
    scf::ForOp::create(
        b, loc, cst(b, 0), cst(b, g.K), cst(b, tl.tileK), ValueRange{},
        [&](OpBuilder &kb, Location, Value k0, ValueRange) {
          // Stage A[m0.., k0..] (as [k][m]) and B[k0.., n0..] ([k][n]):
          // 1024 elements each, 4 per thread, consecutive threads on
          // consecutive k (A) and n (B).
          phase(kb, [&](OpBuilder &pb, Value t) {
            for (int64_t r = 0; r < tl.tile * tl.tileK / tl.threads(); ++r) {
              Value e = arith::AddIOp::create(pb, loc, t,
                                              cst(pb, r * tl.threads()));
              Value ak = arith::RemUIOp::create(pb, loc, e, cst(pb, tl.tileK));
              Value am = arith::DivUIOp::create(pb, loc, e, cst(pb, tl.tileK));
              Value m = arith::AddIOp::create(pb, loc, m0, am);
              Value ka = arith::AddIOp::create(pb, loc, k0, ak);
              Value inA = arith::AndIOp::create(pb, loc, lessThan(pb, m, g.M),
                                                lessThan(pb, ka, g.K));
              Value va = loadOrZero(pb, inA, A, mapA,
                                    loopIvs(pb, m, nullptr, ka), ta);
              memref::StoreOp::create(pb, loc, va, tileA, ValueRange{ak, am});
              Value bn = arith::RemUIOp::create(pb, loc, e, cst(pb, tl.tile));
              Value bk = arith::DivUIOp::create(pb, loc, e, cst(pb, tl.tile));
              Value n = arith::AddIOp::create(pb, loc, n0, bn);
              Value kbi = arith::AddIOp::create(pb, loc, k0, bk);
              Value inB = arith::AndIOp::create(pb, loc, lessThan(pb, n, g.N),
                                                lessThan(pb, kbi, g.K));
              Value vb = loadOrZero(pb, inB, B, mapB,
                                    loopIvs(pb, nullptr, n, kbi), tb);
              memref::StoreOp::create(pb, loc, vb, tileB, ValueRange{bk, bn});
            }
          });
          // acc = body(A, B, acc) over the staged k-steps (fewer in the
          // last tile: padding never enters the body).
          Value left = arith::SubIOp::create(kb, loc, cst(kb, g.K), k0);
          Value steps = arith::MinUIOp::create(kb, loc, left, cst(kb, tl.tileK));
          phase(kb, [&](OpBuilder &pb, Value t) {
            scf::ForOp::create(
                pb, loc, cst(pb, 0), steps, cst(pb, 1), ValueRange{},
                [&](OpBuilder &sb, Location, Value kk, ValueRange) {
                  forMicro(sb, t, [&](OpBuilder &ob, Value r, Value c,
                                      Value slot) {
                    Value av = memref::LoadOp::create(ob, loc, tileA,
                                                      ValueRange{kk, r});
                    Value bv = memref::LoadOp::create(ob, loc, tileB,
                                                      ValueRange{kk, c});
                    Value old = memref::LoadOp::create(ob, loc, acc,
                                                       ValueRange{t, slot});
                    Value k = arith::AddIOp::create(ob, loc, k0, kk);
                    SmallVector<Value> ivs = loopIvs(
                        ob, arith::AddIOp::create(ob, loc, m0, r),
                        arith::AddIOp::create(ob, loc, n0, c), k);
                    Value next =
                        cloneBody(ob, op, ValueRange{av, bv, old}, ivs)[0];
                    memref::StoreOp::create(ob, loc, next, acc,
                                            ValueRange{t, slot});
                  });
                  scf::YieldOp::create(sb, loc);
                });
          });
          scf::YieldOp::create(kb, loc);
        });
    phase(b, [&](OpBuilder &pb, Value t) {
      forMicro(pb, t, [&](OpBuilder &ob, Value r, Value c, Value slot) {
        auto [m, n, in] = element(ob, r, c);
        auto guard = scf::IfOp::create(ob, loc, in, /*withElse=*/false);
        OpBuilder tb = OpBuilder::atBlockBegin(&guard.getThenRegion().front());
        Value v = memref::LoadOp::create(tb, loc, acc, ValueRange{t, slot});
        memref::StoreOp::create(
            tb, loc, v, C,
            applyIndexingMap(tb, loc, mapC, loopIvs(tb, m, n, nullptr)));
      });
    });
    op.erase();
    ++numKernels;
    ++numTiled;
    return success();
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
      if (tileGemm && generic->hasAttr(kiln::kGemmTag)) {
        if (std::optional<GemmDims> dims = classifyGemm(generic)) {
          if (failed(mapGemm(generic, *dims)))
            return signalPassFailure();
          continue;
        }
      }
      if (failed(mapGeneric(generic)))
        return signalPassFailure();
    }
    // What is left on the host must not touch tensor memory: every buffer
    // the host sees is a device pointer.
    WalkResult result = func.walk([&](Operation *op) {
      if (!isTopLevel(op) || isa<scf::ParallelOp>(op) ||
          op->hasAttr("kiln.workgroup") || op->hasAttr("kiln.per_thread"))
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
