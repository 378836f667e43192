//===- Pipelines.cpp - The pass pipelines every Kiln tool shares ----------===//
#include "kiln/Pipelines/Pipelines.h"

#include "kiln/Conversion/Passes.h"
#include "kiln/InitAll.h"
#include "kiln/Target/CPU/Passes.h"
#include "kiln/Target/CUDA/Passes.h"
#include "kiln/Transforms/Passes.h"

#include "kiln/Dialect/Kiln/IR/KilnDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassInstrumentation.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
using namespace mlir::kiln;

/// Upstream passes are added from their textual form: the same text a user
/// passes to kiln-opt, and a bug here is ours, not the user's.
static void addUpstream(OpPassManager &pm, StringRef text) {
  std::string error;
  llvm::raw_string_ostream os(error);
  if (failed(parsePassPipeline(text, pm, os)))
    llvm::report_fatal_error(llvm::Twine("kiln: bad built-in pipeline '") +
                             text + "': " + error);
}

extern "C" {
void LLVMInitializeNVPTXTargetInfo();
void LLVMInitializeNVPTXTarget();
void LLVMInitializeNVPTXTargetMC();
void LLVMInitializeNVPTXAsmPrinter();
}

/// gpu-module-to-binary needs LLVM's NVPTX backend registered.
static void initializeNVPTX() {
  static bool done = [] {
    LLVMInitializeNVPTXTargetInfo();
    LLVMInitializeNVPTXTarget();
    LLVMInitializeNVPTXTargetMC();
    LLVMInitializeNVPTXAsmPrinter();
    return true;
  }();
  (void)done;
}

bool mlir::kiln::validateTargetOptions(const KilnPipelineOptions &options,
                                       std::string &error) {
  if (options.target == TargetKind::CUDA &&
      getPTXFeaturesForArch(options.cudaArch).empty()) {
    error = "bad CUDA architecture '" + options.cudaArch +
            "' (expected sm_NN, e.g. sm_90, sm_80, sm_100a)";
    return false;
  }
  if (options.target == TargetKind::CUDA && options.emulateGPUMapping) {
    error = "the GPU mapping emulation runs on the CPU target";
    return false;
  }
  return true;
}

/// Kernels: one per top-level op, outlined into one gpu.module, lowered to
/// NVVM without libdevice, compiled to PTX by LLVM's NVPTX backend. Host:
/// the LLVM dialect with runtime calls for the launches.
static void addCUDAPasses(OpPassManager &pm,
                          const KilnPipelineOptions &options) {
  initializeNVPTX();
  pm.addNestedPass<func::FuncOp>(createKilnMapToGPU());
  pm.addNestedPass<func::FuncOp>(createKilnLowerThreadPhases());
  pm.addPass(createKilnPrepareCUDAHost());
  addUpstream(pm, "func.func(convert-parallel-loops-to-gpu),lower-affine,"
                  "canonicalize,gpu-launch-sink-index-computations,"
                  "gpu-kernel-outlining");
  pm.addPass(createKilnMergeGPUModules());
  std::string attach = "nvvm-attach-target{chip=" + options.cudaArch +
                       " features=" + getPTXFeaturesForArch(options.cudaArch) +
                       " O=3}";
  addUpstream(pm, attach);
  {
    OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
    kernels.addPass(createKilnExpandGPUMath());
    addUpstream(kernels, "expand-strided-metadata,lower-affine,"
                         "convert-scf-to-cf,convert-gpu-to-nvvm");
    kernels.addPass(createKilnResolveLibdevice());
    addUpstream(kernels, "reconcile-unrealized-casts,canonicalize");
  }
  addUpstream(pm, "gpu-module-to-binary{format=isa}");
  addUpstream(pm, "expand-strided-metadata,lower-affine,convert-scf-to-cf,"
                  "finalize-memref-to-llvm,convert-arith-to-llvm,"
                  "convert-index-to-llvm,convert-cf-to-llvm,"
                  "convert-func-to-llvm{use-bare-ptr-memref-call-conv},"
                  "gpu-to-llvm,reconcile-unrealized-casts");
  KilnLowerGPULaunchOptions launch;
  launch.ptxas = options.ptxas;
  launch.arch = options.cudaArch;
  pm.addPass(createKilnLowerGPULaunch(launch));
  pm.addPass(createKilnEmitCUDAABI());
  pm.addPass(createCanonicalizerPass());
}

void mlir::kiln::buildKilnOptimizationPipeline(
    OpPassManager &pm, const KilnPipelineOptions &options) {
  OpPassManager &fpm = pm.nest<func::FuncOp>();
  fpm.addPass(createKilnDecompose());
  fpm.addPass(createKilnRemoveNoOps());
  fpm.addPass(createCanonicalizerPass());
  if (options.foldConstants) {
    fpm.addPass(createKilnFoldConstants());
    fpm.addPass(createKilnFoldBatchNorm());
  }
  fpm.addPass(createCSEPass());
  if (options.fuse)
    fpm.addPass(createKilnFuseElementwise());
  if (options.fuse && options.fuseEpilogue)
    fpm.addPass(createKilnFuseEpilogue());
  fpm.addPass(createCSEPass());
}

void mlir::kiln::addKilnStagePasses(OpPassManager &pm,
                                    const KilnPipelineOptions &options,
                                    Stage stage) {
  switch (stage) {
  case Stage::Kiln:
    buildKilnOptimizationPipeline(pm, options);
    return;
  case Stage::Linalg: {
    KilnPrepareABIOptions abiOptions;
    abiOptions.modelName = options.modelName;
    pm.addPass(createKilnPrepareABI(abiOptions));
    // CPU code reports out-of-range indices through the runtime; GPU
    // kernels (and their emulation) have no error path yet and clamp.
    ConvertKilnToLinalgOptions linalgOptions;
    linalgOptions.indexChecks =
        options.target == TargetKind::CPU && !options.emulateGPUMapping;
    pm.addPass(createConvertKilnToLinalg(linalgOptions));
    pm.addNestedPass<func::FuncOp>(createKilnFoldTransposes());
    if (options.approximateMath)
      pm.addNestedPass<func::FuncOp>(createKilnApproximateMath());
    pm.addPass(createCanonicalizerPass());
    return;
  }
  case Stage::Bufferized:
    // Bufferize the whole module; results become out-parameters and the
    // static allocations of returned buffers are replaced by the caller's
    // buffers, so outputs are written in place.
    addUpstream(pm, "one-shot-bufferize{bufferize-function-boundaries "
                    "function-boundary-type-conversion=identity-layout-map}");
    pm.addNestedPass<func::FuncOp>(createKilnDistinctResultBuffers());
    addUpstream(pm, "buffer-results-to-out-params{hoist-static-allocs},"
                    "canonicalize");
    // kiln_sgemm and kiln_dwconv2d are CPU code: GPU kernels (and their
    // CPU emulation) compute contractions in their own loops.
    if (options.target == TargetKind::CPU && !options.emulateGPUMapping) {
      KilnLowerGemmOptions gemmOptions;
      gemmOptions.threads = options.threads;
      pm.addPass(createKilnLowerGemm(gemmOptions));
      KilnLowerDepthwiseOptions depthwiseOptions;
      depthwiseOptions.threads = options.threads;
      pm.addPass(createKilnLowerDepthwise(depthwiseOptions));
    }
    // Every intermediate lives in the planned workspace: no malloc per call.
    pm.addPass(createKilnPlanMemory());
    pm.addPass(createCanonicalizerPass());
    return;
  case Stage::LLVM:
    if (options.target == TargetKind::CUDA)
      return addCUDAPasses(pm, options);
    if (options.emulateGPUMapping)
      pm.addNestedPass<func::FuncOp>(createKilnMapToGPU());
    pm.addNestedPass<func::FuncOp>(createKilnLowerStridedCopies());
    // Big top-level loop nests run on the runtime's thread pool, like the
    // matrix products (CPU code only; the emulation keeps its own mapping).
    if (!options.emulateGPUMapping && options.threads != 1) {
      addUpstream(pm, "convert-linalg-to-parallel-loops");
      KilnParallelizeLoopsOptions parallelOptions;
      parallelOptions.threads = options.threads;
      pm.addPass(createKilnParallelizeLoops(parallelOptions));
    }
    addUpstream(pm, "convert-linalg-to-loops,lower-affine");
    pm.addNestedPass<func::FuncOp>(createKilnHoistInvariantLoads());
    addUpstream(pm, "convert-scf-to-cf,expand-strided-metadata,lower-affine,"
                    "convert-math-to-llvm,convert-math-to-libm,"
                    "finalize-memref-to-llvm,convert-arith-to-llvm,"
                    "convert-index-to-llvm,convert-cf-to-llvm,"
                    "convert-func-to-llvm{use-bare-ptr-memref-call-conv},"
                    "reconcile-unrealized-casts");
    pm.addPass(createKilnEmitCABI());
    pm.addPass(createCanonicalizerPass());
    return;
  }
}

PipelineStages mlir::kiln::buildKilnPipeline(OpPassManager &pm,
                                             const KilnPipelineOptions &options,
                                             Stage last, Stage first) {
  PipelineStages stages;
  for (int s = static_cast<int>(first); s <= static_cast<int>(last); ++s) {
    addKilnStagePasses(pm, options, static_cast<Stage>(s));
    const Pass *end = nullptr;
    for (const Pass &pass : pm.getPasses())
      end = &pass;
    stages.ends.push_back({static_cast<Stage>(s), end});
  }
  return stages;
}

namespace {
/// Reports the end of each stage: after the stage's last top-level pass.
/// Adjacent nested pass managers of two stages would merge into one when the
/// pass manager is finalized (the earlier survives), so a stage ends no later
/// than recorded; no two stages meet that way today.
struct StageObserver : public PassInstrumentation {
  PipelineStages stages;
  std::function<void(Stage)> onStageEnd;
  StageObserver(PipelineStages stages, std::function<void(Stage)> onStageEnd)
      : stages(std::move(stages)), onStageEnd(std::move(onStageEnd)) {}
  void runAfterPass(Pass *pass, Operation *op) override {
    if (op->getParentOp())
      return;
    for (auto [stage, end] : stages.ends)
      if (end == pass)
        onStageEnd(stage);
  }
};
} // namespace

void mlir::kiln::observeStages(PassManager &pm, const PipelineStages &stages,
                               std::function<void(Stage)> onStageEnd) {
  pm.addInstrumentation(
      std::make_unique<StageObserver>(stages, std::move(onStageEnd)));
}

void mlir::kiln::registerKilnPipelines() {
  PassPipelineRegistration<KilnPipelineOptions>(
      "kiln-optimize", "Graph-level optimization of kiln IR (fusion, CSE)",
      buildKilnOptimizationPipeline);
  PassPipelineRegistration<KilnPipelineOptions>(
      "kiln-lower-to-linalg",
      "kiln IR to linalg on tensors, as kiln-compile --emit=linalg",
      [](OpPassManager &pm, const KilnPipelineOptions &o) {
        buildKilnPipeline(pm, o, Stage::Linalg);
      });
  PassPipelineRegistration<KilnPipelineOptions>(
      "kiln-bufferize", "kiln IR to bufferized memref code",
      [](OpPassManager &pm, const KilnPipelineOptions &o) {
        buildKilnPipeline(pm, o, Stage::Bufferized);
      });
  PassPipelineRegistration<KilnPipelineOptions>(
      "kiln-cpu-pipeline",
      "kiln IR to the LLVM dialect with C entry points, as kiln-compile "
      "--emit=llvm-dialect",
      [](OpPassManager &pm, const KilnPipelineOptions &o) {
        buildKilnPipeline(pm, o, Stage::LLVM);
      });
  PassPipelineRegistration<KilnPipelineOptions>(
      "kiln-cuda-pipeline",
      "kiln IR to host LLVM dialect with embedded CUDA kernels, as "
      "kiln-compile --target=cuda --emit=llvm-dialect",
      [](OpPassManager &pm, const KilnPipelineOptions &o) {
        KilnPipelineOptions cuda;
        cuda.copyOptionValuesFrom(o);
        cuda.target = TargetKind::CUDA;
        buildKilnPipeline(pm, cuda, Stage::LLVM);
      });
}

void mlir::kiln::registerAllKilnDialects(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registry.insert<KilnDialect>();
}

void mlir::kiln::registerAllKilnPasses() {
  registerAllPasses();
  registerKilnTransformsPasses();
  registerKilnConversionPasses();
  registerKilnCPUPasses();
  registerKilnCUDAPasses();
  registerKilnPipelines();
}

LogicalResult mlir::kiln::runPipeline(ModuleOp module, PassManager &pm) {
  OwningOpRef<ModuleOp> before = module.clone();
  if (succeeded(pm.run(module)))
    return success();
  SmallString<128> path;
  int fd;
  if (llvm::sys::fs::createTemporaryFile("kiln-repro", "mlir", fd, path)) {
    llvm::errs() << "note: could not write a reproducer file\n";
    return failure();
  }
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    before->print(os, OpPrintingFlags().enableDebugInfo(true, false));
  }
  std::string pipeline;
  llvm::raw_string_ostream ps(pipeline);
  pm.printAsTextualPipeline(ps);
  llvm::errs() << "note: the pipeline failed; reproduce with:\n  kiln-opt '"
               << path << "' --pass-pipeline='" << pipeline << "'\n";
  return failure();
}
