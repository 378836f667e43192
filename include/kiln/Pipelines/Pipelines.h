//===- Pipelines.h - The pass pipelines every Kiln tool shares ------------===//
//
// kiln-compile, kiln-run and kiln-opt build their pass managers only through
// these functions, so `kiln-opt --kiln-cpu-pipeline` replays exactly what
// kiln-compile runs.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_PIPELINES_PIPELINES_H
#define KILN_PIPELINES_PIPELINES_H

#include "kiln/Target/Target.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

#include <functional>
#include <string>

namespace mlir::kiln {

struct KilnPipelineOptions
    : public PassPipelineOptions<KilnPipelineOptions> {
  PassOptions::Option<bool> fuse{*this, "fuse",
                                 llvm::cl::desc("Fuse elementwise chains"),
                                 llvm::cl::init(true)};
  PassOptions::Option<bool> fuseEpilogue{
      *this, "fuse-epilogue",
      llvm::cl::desc("Fuse bias/activation/residual into conv, linear and "
                     "matmul"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> foldConstants{
      *this, "fold-constants",
      llvm::cl::desc("Evaluate weight-only subgraphs and fold batch norm "
                     "into conv/linear"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> approximateMath{
      *this, "approximate-math",
      llvm::cl::desc("Inline polynomial tanh/exp/log/erf (vectorizable) "
                     "instead of libm calls"),
      llvm::cl::init(true)};
  PassOptions::Option<int64_t> threads{
      *this, "threads",
      llvm::cl::desc("Most threads a matrix product or loop nest uses (0: "
                     "the compiling machine's cores)"),
      llvm::cl::init(0)};
  PassOptions::Option<TargetKind> target{
      *this, "target",
      llvm::cl::desc("cpu (native object) or cuda (GPU kernels, host "
                     "object calling the runtime's CUDA layer)"),
      llvm::cl::init(TargetKind::CPU),
      llvm::cl::values(clEnumValN(TargetKind::CPU, "cpu", "native CPU code"),
                       clEnumValN(TargetKind::CUDA, "cuda",
                                  "NVIDIA GPU kernels"))};
  PassOptions::Option<std::string> cudaArch{
      *this, "cuda-arch",
      llvm::cl::desc("GPU architecture of the CUDA target (sm_NN)"),
      llvm::cl::init("sm_90")};
  PassOptions::Option<std::string> ptxas{
      *this, "ptxas",
      llvm::cl::desc("ptxas to assemble a cubin with (empty: embed PTX "
                     "only)"),
      llvm::cl::init("")};
  PassOptions::Option<bool> emulateGPUMapping{
      *this, "emulate-gpu-mapping",
      llvm::cl::desc("CPU target, but map every op as for the GPU (one "
                     "loop nest per kernel, no kiln_sgemm): tests the CUDA "
                     "backend's index arithmetic on the CPU"),
      llvm::cl::init(false)};
  PassOptions::Option<std::string> modelName{
      *this, "model-name",
      llvm::cl::desc("C prefix of the generated API (default: the module's "
                     "kiln.model_name)"),
      llvm::cl::init("")};
};

/// The stages a pipeline can stop after (kiln-compile --emit).
enum class Stage {
  Kiln,       ///< optimized kiln dialect (canonicalize, fusion, CSE)
  Linalg,     ///< linalg/tensor/arith/math on tensors, signature recorded
  Bufferized, ///< memrefs, results written into out-parameters
  LLVM,       ///< LLVM dialect with the public C entry points
};

/// Graph-level optimization on the kiln dialect.
void buildKilnOptimizationPipeline(OpPassManager &pm,
                                   const KilnPipelineOptions &options);

/// Adds the passes that take IR from the stage before `stage` to `stage`
/// (for Stage::Kiln: from imported kiln IR to optimized kiln IR).
void addKilnStagePasses(OpPassManager &pm, const KilnPipelineOptions &options,
                        Stage stage);

/// Where each stage of a pass manager built by buildKilnPipeline ends: its
/// last top-level pass (null for a stage that added none).
struct PipelineStages {
  SmallVector<std::pair<Stage, const Pass *>> ends;
};

/// The stages `first` through `last`, in order: by default everything from
/// imported kiln IR to the LLVM dialect (for target=cuda: the host code in
/// the LLVM dialect, with the kernels embedded as PTX/cubin).
PipelineStages buildKilnPipeline(OpPassManager &pm,
                                 const KilnPipelineOptions &options,
                                 Stage last = Stage::LLVM,
                                 Stage first = Stage::Kiln);

/// Calls `onStageEnd(stage)` each time a stage of `stages` (built into `pm`
/// by buildKilnPipeline) has run: the tools time the stages and look at the
/// IR between them while running one pipeline.
void observeStages(PassManager &pm, const PipelineStages &stages,
                   std::function<void(Stage)> onStageEnd);

/// True when `options` fit their target; `error` says why not (malformed
/// --cuda-arch, the GPU-mapping emulation asked of the CUDA target).
bool validateTargetOptions(const KilnPipelineOptions &options,
                           std::string &error);

/// Registers kiln-optimize, kiln-lower-to-linalg, kiln-bufferize,
/// kiln-cpu-pipeline and kiln-cuda-pipeline for kiln-opt.
void registerKilnPipelines();

/// Runs `pm` on `module`. On failure, writes the IR as it was before the
/// pipeline to a temporary file and prints a kiln-opt command that
/// reproduces the failure.
LogicalResult runPipeline(ModuleOp module, PassManager &pm);

} // namespace mlir::kiln

#endif // KILN_PIPELINES_PIPELINES_H
