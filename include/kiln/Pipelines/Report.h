//===- Report.h - What kiln-compile did to a model (--report) -*- C++ -*-===//
//
// Collected from the module at three points (as imported, after the kiln
// optimization stage, after memory planning) plus the tool's phase timers,
// and printed as text or JSON.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_PIPELINES_REPORT_H
#define KILN_PIPELINES_REPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mlir::kiln {

struct CompileReport {
  std::string model, source;
  /// TorchScript op kinds of the frozen graph and their counts (archives).
  std::vector<std::pair<std::string, unsigned>> torchOps;
  /// kiln ops as imported (constants excluded), by name.
  std::vector<std::pair<std::string, unsigned>> importedOps;
  unsigned numImportedOps = 0;

  /// One loop nest after fusion: `ops` lists what went into it, the anchor
  /// (conv/linear/matmul) first.
  struct Kernel {
    std::string ops;    ///< e.g. "conv2d+add+relu"
    std::string type;   ///< result type, e.g. "1x64x56x56xf32"
    std::string source; ///< Python file:line, when known
  };
  std::vector<Kernel> kernels;
  unsigned numViews = 0; ///< reshapes, which lower to no loop

  int64_t numWeights = 0, weightBytes = 0;
  int64_t workspaceBytes = -1, workspaceLowerBound = -1;

  /// --target=cuda: the embedded device image.
  struct CUDAImage {
    std::string arch;       ///< e.g. "sm_90"
    int64_t kernels = 0;    ///< kernels in the image
    int64_t tiled = 0;      ///< of which staged through workgroup memory
    int64_t ptxBytes = 0;
    int64_t cubinBytes = 0; ///< 0: PTX only (no ptxas)
  };
  std::optional<CUDAImage> cuda;

  /// (phase, seconds) in the order they ran.
  std::vector<std::pair<std::string, double>> phases;
};

/// Counts the kiln ops of the imported module.
void collectImportedOps(ModuleOp module, CompileReport &report);
/// Kernels, views and weights of the optimized kiln module.
void collectKernels(ModuleOp module, CompileReport &report);
/// Workspace figures recorded by --kiln-plan-memory (left at -1 if absent).
void collectWorkspace(ModuleOp module, CompileReport &report);
/// The device image kiln-lower-gpu-launch embedded (CUDA target only).
void collectCUDAImage(ModuleOp module, CompileReport &report);

void printReport(const CompileReport &report, llvm::raw_ostream &os);
void printReportJSON(const CompileReport &report, llvm::raw_ostream &os);

} // namespace mlir::kiln

#endif // KILN_PIPELINES_REPORT_H
