//===- GPUModules.cpp - Kernel modules: math without libdevice, one image --===//
#include "kiln/Target/CUDA/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include "llvm/ADT/StringSwitch.h"

#include <cmath>

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNEXPANDGPUMATH
#define GEN_PASS_DEF_KILNRESOLVELIBDEVICE
#define GEN_PASS_DEF_KILNMERGEGPUMODULES
#include "kiln/Target/CUDA/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

std::string mlir::kiln::getPTXFeaturesForArch(StringRef arch) {
  StringRef rest = arch;
  if (!rest.consume_front("sm_"))
    return "";
  rest.consume_back("a") || rest.consume_back("f");
  unsigned sm;
  if (rest.getAsInteger(10, sm) || sm < 50)
    return "";
  // PTX 8.0 covers sm_50 .. sm_90a; Blackwell needs 8.6 (sm_100/101/103)
  // and 8.7 (sm_120/121).
  if (sm >= 120)
    return "+ptx87";
  if (sm >= 100)
    return "+ptx86";
  return "+ptx80";
}

namespace {

/// log10(x) = log(x) / ln 10 (libdevice's __nv_log10f is not available).
struct ExpandLog10 : OpRewritePattern<math::Log10Op> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(math::Log10Op op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Type type = op.getType();
    Value log = math::LogOp::create(rewriter, loc, op.getOperand());
    Value scale = arith::ConstantOp::create(
        rewriter, loc, type, rewriter.getFloatAttr(type, 1.0 / M_LN10));
    rewriter.replaceOpWithNewOp<arith::MulFOp>(op, log, scale);
    return success();
  }
};

/// trunc(x) = copysign(floor(|x|), x), exact for every float.
struct ExpandTrunc : OpRewritePattern<math::TruncOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(math::TruncOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getOperand();
    Value floor = math::FloorOp::create(
        rewriter, loc, math::AbsFOp::create(rewriter, loc, x));
    rewriter.replaceOpWithNewOp<math::CopySignOp>(op, floor, x);
    return success();
  }
};

struct KilnExpandGPUMath
    : public kiln::impl::KilnExpandGPUMathBase<KilnExpandGPUMath> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    // Hyperbolic functions, pow, ceil, round, ... in terms of exp/log/arith.
    patterns.add<ExpandLog10, ExpandTrunc>(&getContext());
    math::populateExpansionPatterns(patterns);
    auto all = [](StringRef) { return true; };
    populateMathF32ExpansionPatterns(patterns, all);
    populateMathPolynomialApproximationPatterns(patterns, all);
    populatePolynomialApproximateTanhPattern(patterns);
    populatePolynomialApproximateErfPattern(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    // Multiply-adds may fuse into FMAs (as nvcc's default --fmad=true, and
    // as kiln_sgemm and the CPU's polynomials do).
    auto contract = arith::FastMathFlagsAttr::get(
        &getContext(), arith::FastMathFlags::contract);
    getOperation().walk([&](Operation *op) {
      if (isa<arith::MulFOp, arith::AddFOp, arith::SubFOp>(op))
        if (auto fm = dyn_cast<arith::ArithFastMathInterface>(op))
          op->setAttr(fm.getFastMathAttrName(),
                      arith::FastMathFlagsAttr::get(
                          &getContext(),
                          fm.getFastMathFlagsAttr().getValue() |
                              contract.getValue()));
    });
  }
};

/// The LLVM intrinsic that implements libdevice function `name` (with one
/// to three operands), or "" when there is none.
StringRef intrinsicFor(StringRef name) {
  name.consume_front("__nv_");
  name.consume_back("f"); // the f32 variant
  return llvm::StringSwitch<StringRef>(name)
      .Case("sqrt", "llvm.sqrt")
      .Case("fabs", "llvm.fabs")
      .Case("floor", "llvm.floor")
      .Case("ceil", "llvm.ceil")
      .Case("trunc", "llvm.trunc")
      .Case("round", "llvm.round")
      .Case("rint", "llvm.rint")
      .Case("nearbyint", "llvm.nearbyint")
      .Case("fma", "llvm.fma")
      .Case("copysign", "llvm.copysign")
      .Case("fmin", "llvm.minnum")
      .Case("fmax", "llvm.maxnum")
      .Default("");
}

struct KilnResolveLibdevice
    : public kiln::impl::KilnResolveLibdeviceBase<KilnResolveLibdevice> {
  void runOnOperation() override {
    gpu::GPUModuleOp module = getOperation();
    SmallVector<LLVM::CallOp> calls;
    module.walk([&](LLVM::CallOp call) {
      if (auto callee = call.getCallee(); callee && callee->starts_with("__nv_"))
        calls.push_back(call);
    });
    for (LLVM::CallOp call : calls) {
      StringRef name = *call.getCallee();
      OpBuilder b(call);
      Location loc = call.getLoc();
      Value result;
      if (name == "__nv_rsqrtf" || name == "__nv_rsqrt") {
        Type t = call.getResult().getType();
        Value root = LLVM::CallIntrinsicOp::create(
                         b, loc, t, b.getStringAttr("llvm.sqrt"), call.getArgOperands())
                         .getResult(0);
        Value one = LLVM::ConstantOp::create(b, loc, t, b.getFloatAttr(t, 1.0));
        result = LLVM::FDivOp::create(b, loc, one, root);
      } else if (StringRef intrinsic = intrinsicFor(name); !intrinsic.empty()) {
        result = LLVM::CallIntrinsicOp::create(b, loc,
                                               call.getResult().getType(),
                                               b.getStringAttr(intrinsic),
                                               call.getArgOperands())
                     .getResult(0);
      } else {
        call.emitError() << "CUDA backend: '" << name
                         << "' (libdevice) has no lowering without the CUDA "
                            "toolkit; this math function is not supported "
                            "on the GPU";
        return signalPassFailure();
      }
      call.getResult().replaceAllUsesWith(result);
      call.erase();
    }
    // The declarations are unused now.
    for (auto f : llvm::make_early_inc_range(module.getOps<LLVM::LLVMFuncOp>()))
      if (f.getName().starts_with("__nv_") && f.isExternal() &&
          SymbolTable::symbolKnownUseEmpty(f, module))
        f.erase();
  }
};

struct KilnMergeGPUModules
    : public kiln::impl::KilnMergeGPUModulesBase<KilnMergeGPUModules> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::GPUModuleOp> kernels(module.getOps<gpu::GPUModuleOp>());
    if (kernels.empty())
      return;
    gpu::GPUModuleOp target = kernels.front();
    std::string name = "kiln_kernels";
    if (auto model = module->getAttrOfType<StringAttr>("kiln.model_name"))
      name = model.str() + "_kernels";
    // Outlining names every kernel after the function it came from; in one
    // module each takes its module's (unique) name instead.
    MLIRContext *ctx = module.getContext();
    DenseMap<std::pair<StringAttr, StringAttr>, StringAttr> renamed;
    for (gpu::GPUModuleOp kernelModule : kernels) {
      for (Operation &op : llvm::make_early_inc_range(
               kernelModule.getBody()->getOperations())) {
        auto symbol = dyn_cast<SymbolOpInterface>(op);
        if (!symbol)
          continue;
        StringAttr newName =
            StringAttr::get(ctx, kernelModule.getName() +
                                     (isa<gpu::GPUFuncOp>(op)
                                          ? ""
                                          : "_" + symbol.getName()));
        renamed[{kernelModule.getNameAttr(), symbol.getNameAttr()}] = newName;
        symbol.setName(newName);
        if (kernelModule != target)
          op.moveBefore(target.getBody(), target.getBody()->end());
      }
    }
    module.walk([&](gpu::LaunchFuncOp launch) {
      StringAttr kernel = renamed.lookup(
          {launch.getKernelModuleName(), launch.getKernelName()});
      launch.setKernelAttr(
          SymbolRefAttr::get(ctx, name, {FlatSymbolRefAttr::get(kernel)}));
    });
    for (gpu::GPUModuleOp other : llvm::drop_begin(kernels))
      other.erase();
    target.setName(name);
    // For kiln-compile --report: the kernels that stage through workgroup
    // memory (tiled contractions).
    int64_t tiled = llvm::count_if(
        target.getOps<gpu::GPUFuncOp>(),
        [](gpu::GPUFuncOp f) { return f.getNumWorkgroupAttributions() > 0; });
    module->setAttr("kiln.cuda_tiled_kernels",
                    IntegerAttr::get(IntegerType::get(ctx, 64), tiled));
  }
};

} // namespace
