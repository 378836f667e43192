//===- DistinctResultBuffers.cpp - One allocation per returned memref -----===//
#include "kiln/Conversion/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNDISTINCTRESULTBUFFERS
#include "kiln/Conversion/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {
struct KilnDistinctResultBuffers
    : public kiln::impl::KilnDistinctResultBuffersBase<
          KilnDistinctResultBuffers> {
  using kiln::impl::KilnDistinctResultBuffersBase<
      KilnDistinctResultBuffers>::KilnDistinctResultBuffersBase;

  void runOnOperation() override {
    getOperation().walk([](func::ReturnOp ret) {
      llvm::SmallPtrSet<Value, 4> seen;
      OpBuilder b(ret);
      for (OpOperand &operand : ret->getOpOperands()) {
        Value v = operand.get();
        auto type = dyn_cast<MemRefType>(v.getType());
        if (!type || !type.hasStaticShape())
          continue;
        bool ownAlloc = v.getDefiningOp<memref::AllocOp>() != nullptr;
        if (ownAlloc && seen.insert(v).second)
          continue;
        // A shared, borrowed (argument) or constant buffer: copy it.
        auto alloc = memref::AllocOp::create(b, ret.getLoc(), type);
        memref::CopyOp::create(b, ret.getLoc(), v, alloc);
        operand.set(alloc);
        seen.insert(alloc);
      }
    });
  }
};
} // namespace
