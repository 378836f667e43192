//===- FoldTransposes.cpp - Products read transposes through their maps ---===//
#include "kiln/Conversion/Passes.h"
#include "kiln/Conversion/Tags.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNFOLDTRANSPOSES
#include "kiln/Conversion/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

struct KilnFoldTransposes
    : public kiln::impl::KilnFoldTransposesBase<KilnFoldTransposes> {
  void runOnOperation() override {
    SmallVector<linalg::GenericOp> products;
    getOperation().walk([&](linalg::GenericOp g) {
      if (g->hasAttr(kGemmTag))
        products.push_back(g);
    });
    for (linalg::GenericOp g : products) {
      SmallVector<AffineMap> maps = g.getIndexingMapsArray();
      bool changed = false;
      for (OpOperand *in : g.getDpsInputOperands()) {
        auto copy = in->get().getDefiningOp<linalg::GenericOp>();
        if (!copy || !copy->hasAttr(kTransposeTag))
          continue;
        // The product's map for this operand, then the copy's map from
        // copy indices to its input's.
        AffineMap copyMap = copy.getIndexingMapsArray()[0];
        unsigned i = in->getOperandNumber();
        maps[i] = copyMap.compose(maps[i]);
        in->set(copy.getDpsInputOperand(0)->get());
        changed = true;
        if (copy->use_empty())
          copy->erase();
      }
      if (changed)
        g.setIndexingMapsAttr(
            Builder(g.getContext()).getAffineMapArrayAttr(maps));
    }
  }
};

} // namespace
