//===- KilnToLinalg.cpp - The kiln-to-linalg dialect conversion -----------===//
//
// Only the pass: linalg, tensor, arith, math and scf are legal, the whole
// kiln dialect illegal, and each op family adds its patterns (Patterns.h).
//
//===----------------------------------------------------------------------===//
#include "Patterns.h"

#include "kiln/Conversion/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_CONVERTKILNTOLINALG
#include "kiln/Conversion/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::detail;

namespace {

struct ConvertKilnToLinalg
    : public kiln::impl::ConvertKilnToLinalgBase<ConvertKilnToLinalg> {
  using kiln::impl::ConvertKilnToLinalgBase<
      ConvertKilnToLinalg>::ConvertKilnToLinalgBase;

  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           math::MathDialect, scf::SCFDialect,
                           tensor::TensorDialect>();
    target.addIllegalDialect<KilnDialect>();
    RewritePatternSet patterns(ctx);
    populateTensorConstructorsPatternsAndLegality(patterns, target);
    populateElementwisePatternsAndLegality(patterns, target);
    populateLinearPatternsAndLegality(patterns, target);
    populateConvPoolPatternsAndLegality(patterns, target);
    populateReductionPatternsAndLegality(patterns, target);
    populateDataMovementPatternsAndLegality(patterns, target);
    populateIndexingPatternsAndLegality(
        patterns, target, indexChecks ? getOperation() : ModuleOp());

    // A pattern that fails says why on the op ("has no lowering for element
    // type i1"); the driver's own "failed to legalize" for the same op
    // would only repeat it. An op no pattern matches keeps the driver's.
    bool explained = false;
    ScopedDiagnosticHandler handler(ctx, [&](Diagnostic &d) {
      if (d.getSeverity() != DiagnosticSeverity::Error)
        return failure();
      if (explained && StringRef(d.str()).starts_with("failed to legalize"))
        return success(); // dropped
      explained = true;
      return failure(); // reported as usual
    });
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
