//===- ParallelizeLoops.cpp - Top-level parallel loops on the thread pool -===//
//
// Runs on loop code (after convert-linalg-to-parallel-loops). Each
// scf.parallel directly in a function body with constant bounds, enough
// work and at least two chunks' worth of leading iterations is outlined
// into a function
//
//   func.func private @F_parallelN(%ctx: !llvm.ptr, %begin: index,
//                                  %end: index)
//
// and replaced by a call of the runtime's
//
//   kiln_parallel_for(n, grain, @F_parallelN, ctx, threads)
//
// The leading dims are flattened into one range [0, n) until it has at
// least kMinFlatIterations iterations (or all dims are in it); the body
// runs an scf.for over its chunk [begin, end) of that range, recovers the
// leading indices from the flat one and runs the remaining dims as the
// original scf.parallel did. Each iteration of the original loop runs
// exactly once, in one thread, with the same arithmetic: results are the
// same bits whatever the thread count.
//
// Values the loop uses from outside are recomputed in the body when their
// defining ops are side-effect free and region-free (constants, views,
// subviews, reshapes, get_global), down to the function's memref arguments
// (the inputs, outputs and workspace: static shapes, identity layouts).
// Those arguments travel as pointers in `ctx`, a stack array of the caller
// (no allocation per call); the body rebuilds their memref descriptors.
// Loops that use anything else stay as they are.
//
//===----------------------------------------------------------------------===//
#include "kiln/Target/CPU/Passes.h"

#include "kiln/Support/RuntimeCalls.h"

#include "mlir/Conversion/LLVMCommon/MemRefBuilder.h"
#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"

#include "llvm/ADT/SetVector.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNPARALLELIZELOOPS
#include "kiln/Target/CPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {

/// Leading dims are flattened until the range has this many iterations:
/// enough that chunks for a few threads are close to even.
constexpr int64_t kMinFlatIterations = 64;

std::optional<int64_t> constantIndex(Value v) {
  if (auto c = v.getDefiningOp<arith::ConstantIndexOp>())
    return c.value();
  return std::nullopt;
}

/// Iterations of the innermost body of the loops nested in `region` (the
/// deepest constant-bound nest counts; loops with other bounds count once).
int64_t nestedWork(Region &region) {
  int64_t most = 1;
  region.walk<WalkOrder::PreOrder>([&](Operation *op) {
    int64_t trips = 1;
    if (auto f = dyn_cast<scf::ForOp>(op)) {
      auto lb = constantIndex(f.getLowerBound());
      auto ub = constantIndex(f.getUpperBound());
      auto st = constantIndex(f.getStep());
      if (lb && ub && st && *st > 0 && *ub > *lb)
        trips = (*ub - *lb + *st - 1) / *st;
    } else if (auto p = dyn_cast<scf::ParallelOp>(op)) {
      for (auto [l, u, s] : llvm::zip(p.getLowerBound(), p.getUpperBound(),
                                      p.getStep())) {
        auto lb = constantIndex(l), ub = constantIndex(u), st = constantIndex(s);
        if (lb && ub && st && *st > 0 && *ub > *lb)
          trips *= (*ub - *lb + *st - 1) / *st;
      }
    } else {
      return WalkResult::advance();
    }
    most = std::max(most, trips * nestedWork(op->getRegion(0)));
    return WalkResult::skip();
  });
  return most;
}

/// kiln_parallel_for(n, grain, fn, ctx, threads), fn taking `bodyType`.
func::FuncOp declareParallelFor(ModuleOp module, FunctionType bodyType) {
  const kiln::RuntimeFnInfo &info =
      kiln::getRuntimeFnInfo(kiln::RuntimeFn::kiln_parallel_for);
  if (auto f = module.lookupSymbol<func::FuncOp>(info.name))
    return f;
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  Type i64 = b.getI64Type();
  Type ptr = LLVM::LLVMPointerType::get(b.getContext());
  SmallVector<Type> params = {i64, i64, bodyType, ptr, i64};
  if (params.size() != info.numParams)
    llvm::report_fatal_error("kiln: internal error: kiln_parallel_for's "
                             "prototype changed (kiln/runtime.h)");
  auto f = func::FuncOp::create(b, module.getLoc(), info.name,
                                b.getFunctionType(params, {}));
  f.setPrivate();
  return f;
}

struct KilnParallelizeLoops
    : public kiln::impl::KilnParallelizeLoopsBase<KilnParallelizeLoops> {
  using kiln::impl::KilnParallelizeLoopsBase<
      KilnParallelizeLoops>::KilnParallelizeLoopsBase;

  /// Collects what recomputes `v` in the body: side-effect-free defining
  /// ops (operands first) and the function arguments it comes from.
  static bool collect(Value v, Block &entry,
                      llvm::SetVector<Operation *> &clones,
                      llvm::SetVector<Value> &roots) {
    if (auto arg = dyn_cast<BlockArgument>(v)) {
      auto type = dyn_cast<MemRefType>(arg.getType());
      if (arg.getOwner() != &entry || !type || !type.hasStaticShape() ||
          !type.getLayout().isIdentity() || type.getMemorySpace())
        return false;
      roots.insert(v);
      return true;
    }
    Operation *def = v.getDefiningOp();
    if (clones.contains(def))
      return true;
    if (def->getNumRegions() != 0 || !isMemoryEffectFree(def))
      return false;
    for (Value operand : def->getOperands())
      if (!collect(operand, entry, clones, roots))
        return false;
    clones.insert(def);
    return true;
  }

  void outline(scf::ParallelOp loop, func::FuncOp parent, unsigned &index,
               const LLVMTypeConverter &converter) {
    // No reductions (loops on buffers have none); constant bounds from 0 in
    // steps of 1 (what linalg's lowering makes).
    if (loop.getNumResults() != 0)
      return;
    SmallVector<int64_t> trips;
    for (auto [l, u, s] : llvm::zip(loop.getLowerBound(),
                                    loop.getUpperBound(), loop.getStep())) {
      auto lb = constantIndex(l), ub = constantIndex(u), st = constantIndex(s);
      if (!lb || !ub || !st || *lb != 0 || *st != 1 || *ub < 1)
        return;
      trips.push_back(*ub);
    }
    int64_t inner = nestedWork(loop.getRegion());
    unsigned flat = 0;
    int64_t n = 1;
    while (flat < trips.size() && n < kMinFlatIterations)
      n *= trips[flat++];
    int64_t perFlat = inner;
    for (unsigned d = flat; d < trips.size(); ++d)
      perFlat *= trips[d];
    if (n < 2 || n * perFlat < minWork)
      return;
    // A chunk has at least half of minWork iterations: two threads split
    // the smallest nest that qualifies.
    int64_t grain = std::max<int64_t>(1, (minWork / 2 + perFlat - 1) / perFlat);

    Block &entry = parent.front();
    llvm::SetVector<Value> used;
    getUsedValuesDefinedAbove(loop.getRegion(), used);
    llvm::SetVector<Operation *> clones;
    llvm::SetVector<Value> roots;
    for (Value v : used)
      if (!collect(v, entry, clones, roots))
        return;

    MLIRContext *ctx = &getContext();
    Location loc = loop.getLoc();
    Type ptr = LLVM::LLVMPointerType::get(ctx);
    Type i64 = IntegerType::get(ctx, 64);
    Type indexType = IndexType::get(ctx);
    ModuleOp module = getOperation();
    FunctionType bodyType =
        FunctionType::get(ctx, {ptr, indexType, indexType}, {});

    // The body function, after the parent.
    OpBuilder b(parent);
    b.setInsertionPointAfter(parent);
    std::string name =
        (parent.getSymName() + "_parallel" + Twine(index++)).str();
    auto body = func::FuncOp::create(b, loc, name, bodyType);
    body.setPrivate();
    body->setAttr("llvm.linkage",
                  LLVM::LinkageAttr::get(ctx, LLVM::Linkage::Internal));
    SymbolTable(module).insert(body); // uniques the name
    Block *bodyBlock = body.addEntryBlock();
    b.setInsertionPointToStart(bodyBlock);
    Value ctxArg = bodyBlock->getArgument(0);
    IRMapping map;
    for (auto [i, root] : llvm::enumerate(roots)) {
      Value slot = LLVM::GEPOp::create(b, loc, ptr, ptr, ctxArg,
                                       ArrayRef<LLVM::GEPArg>{int32_t(i)});
      Value address = LLVM::LoadOp::create(b, loc, ptr, slot);
      auto type = cast<MemRefType>(root.getType());
      Value desc = MemRefDescriptor::fromStaticShape(b, loc, converter, type,
                                                     address);
      map.map(root, UnrealizedConversionCastOp::create(b, loc, type, desc)
                        .getResult(0));
    }
    for (Operation *op : clones)
      b.clone(*op, map);

    // for %f in [begin, end): the leading indices from %f, innermost first.
    Value c0 = arith::ConstantIndexOp::create(b, loc, 0);
    Value c1 = arith::ConstantIndexOp::create(b, loc, 1);
    auto chunk = scf::ForOp::create(b, loc, bodyBlock->getArgument(1),
                                    bodyBlock->getArgument(2), c1);
    b.setInsertionPoint(chunk.getBody()->getTerminator());
    Block *old = loop.getBody();
    {
      Value rest = chunk.getInductionVar();
      int outermost = -1;
      for (unsigned d = 0; d < flat; ++d)
        if (trips[d] > 1 && outermost < 0)
          outermost = d;
      for (int d = flat - 1; d >= 0; --d) {
        Value iv;
        if (trips[d] == 1) {
          iv = c0;
        } else if (d == outermost) {
          iv = rest;
        } else {
          Value extent = arith::ConstantIndexOp::create(b, loc, trips[d]);
          iv = arith::RemUIOp::create(b, loc, rest, extent);
          rest = arith::DivUIOp::create(b, loc, rest, extent);
        }
        map.map(old->getArgument(d), iv);
      }
    }
    auto cloneBody = [&](OpBuilder &nb) {
      for (Operation &op : old->without_terminator())
        nb.clone(op, map);
    };
    if (flat == trips.size()) {
      cloneBody(b);
    } else {
      SmallVector<Value> lbs, ubs, steps;
      for (unsigned d = flat; d < trips.size(); ++d) {
        lbs.push_back(c0);
        ubs.push_back(arith::ConstantIndexOp::create(b, loc, trips[d]));
        steps.push_back(c1);
      }
      scf::ParallelOp::create(
          b, loc, lbs, ubs, steps,
          [&](OpBuilder &nb, Location, ValueRange ivs) {
            for (auto [d, iv] : llvm::enumerate(ivs))
              map.map(old->getArgument(flat + d), iv);
            cloneBody(nb);
          });
    }
    b.setInsertionPointToEnd(bodyBlock);
    func::ReturnOp::create(b, loc);

    // The call: root pointers into a stack array at the function's entry.
    func::FuncOp parallelFor = declareParallelFor(module, bodyType);
    b.setInsertionPointToStart(&entry);
    Value ctxValue;
    if (roots.empty()) {
      ctxValue = LLVM::ZeroOp::create(b, loc, ptr);
    } else {
      Value count = LLVM::ConstantOp::create(
          b, loc, i64, b.getI64IntegerAttr(roots.size()));
      ctxValue = LLVM::AllocaOp::create(b, loc, ptr, ptr, count);
    }
    b.setInsertionPoint(loop);
    for (auto [i, root] : llvm::enumerate(roots)) {
      Value address =
          memref::ExtractAlignedPointerAsIndexOp::create(b, loc, root);
      Value asInt = arith::IndexCastOp::create(b, loc, i64, address);
      Value asPtr = LLVM::IntToPtrOp::create(b, loc, ptr, asInt);
      Value slot = LLVM::GEPOp::create(b, loc, ptr, ptr, ctxValue,
                                       ArrayRef<LLVM::GEPArg>{int32_t(i)});
      LLVM::StoreOp::create(b, loc, asPtr, slot);
    }
    Value fn = func::ConstantOp::create(b, loc, bodyType,
                                        FlatSymbolRefAttr::get(body));
    auto i64Const = [&](int64_t v) {
      return arith::ConstantIntOp::create(b, loc, i64, v).getResult();
    };
    func::CallOp::create(b, loc, parallelFor,
                         ValueRange{i64Const(n), i64Const(grain), fn, ctxValue,
                                    i64Const(threads)});
    loop.erase();
    numOutlined++;
  }

  void runOnOperation() override {
    if (threads == 1)
      return;
    ModuleOp module = getOperation();
    LLVMTypeConverter converter(&getContext());
    SmallVector<std::pair<scf::ParallelOp, func::FuncOp>> work;
    for (auto f : module.getOps<func::FuncOp>())
      for (Block &block : f.getBody())
        for (auto loop : block.getOps<scf::ParallelOp>())
          work.push_back({loop, f});
    unsigned index = 0;
    for (auto [loop, f] : work)
      outline(loop, f, index, converter);
  }
};

} // namespace
