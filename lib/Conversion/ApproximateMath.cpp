//===- ApproximateMath.cpp - Inline polynomial math for vectorization -----===//
//
// math.tanh/exp/log/erf (f32) become MLIR's polynomial approximations: plain
// arith ops that LLVM's loop vectorizer turns into vector code, where a
// libm call would keep the loop scalar. Error bounds against libm are
// tested by test/e2e/math-accuracy.test.
//
//===----------------------------------------------------------------------===//
#include "kiln/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNAPPROXIMATEMATH
#include "kiln/Conversion/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {

struct KilnApproximateMath
    : public kiln::impl::KilnApproximateMathBase<KilnApproximateMath> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns, [](StringRef name) {
      // Names as MLIR passes them: the ops' full names.
      name.consume_front("math.");
      return llvm::is_contained({"exp", "expm1", "log", "log1p", "log2"},
                                name);
    });
    populatePolynomialApproximateTanhPattern(patterns);
    populatePolynomialApproximateErfPattern(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    // The approximations use math.fma, which becomes a libm fmaf call on
    // targets without FMA. A contractable multiply-add is one FMA where the
    // target has them and two instructions where it has not.
    getOperation().walk([](math::FmaOp fma) {
      OpBuilder b(fma);
      auto contract = arith::FastMathFlagsAttr::get(
          b.getContext(), arith::FastMathFlags::contract);
      Value mul = arith::MulFOp::create(b, fma.getLoc(), fma.getA(), fma.getB(),
                                        contract);
      Value add =
          arith::AddFOp::create(b, fma.getLoc(), mul, fma.getC(), contract);
      fma.replaceAllUsesWith(add);
      fma.erase();
    });
  }
};

} // namespace
