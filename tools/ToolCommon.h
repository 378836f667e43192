//===- ToolCommon.h - Pieces shared by the kiln-* command-line tools ------===//
#ifndef KILN_TOOLS_TOOLCOMMON_H
#define KILN_TOOLS_TOOLCOMMON_H

#include "kiln/Import/TorchScript.h"
#include "kiln/Pipelines/Pipelines.h"
#include "kiln/InitAll.h"
#include "kiln/Support/Diagnostics.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/raw_ostream.h"

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace kiln_tools {

inline constexpr const char *kVersion = "0.1.0";

/// Exit codes of every kiln tool.
enum ExitCode {
  kExitOk = 0,
  kExitCompileError = 1, ///< bad model or input: the diagnostics say why
  kExitUsage = 2,        ///< bad command line
  kExitIOError = 3,      ///< cannot read or write a file
};

/// Parses every --input-shape; prints the first error and returns false.
inline bool parseInputSpecs(const std::vector<std::string> &texts,
                            mlir::kiln::ImportOptions &options,
                            const char *tool) {
  for (const std::string &text : texts) {
    std::string error;
    auto spec = mlir::kiln::parseInputSpec(text, error);
    if (mlir::failed(spec)) {
      llvm::errs() << tool << ": error: --input-shape: " << error << "\n";
      return false;
    }
    options.inputs.push_back(*spec);
  }
  return true;
}

/// A context with every dialect and interface the pipelines need.
/// Also registers the passes the pipelines are built from.
inline std::unique_ptr<mlir::MLIRContext> makeContext() {
  static bool registered = (mlir::kiln::registerAllKilnPasses(), true);
  (void)registered;
  mlir::DialectRegistry registry;
  mlir::kiln::registerAllKilnDialects(registry);
  auto ctx = std::make_unique<mlir::MLIRContext>(registry);
  // Diagnostics name the Python line; an IR dump of the op helps nobody
  // who compiles a model (kiln-opt keeps MLIR's default).
  ctx->printOpOnDiagnostic(false);
  ctx->loadAllAvailableDialects();
  return ctx;
}

/// The optimization switches kiln-compile and kiln-run share.
struct OptimizationFlags {
  bool noFuse = false, noEpilogue = false, noFold = false, preciseMath = false;
  int64_t threads = 0;

  /// Adds --no-fuse, --no-fuse-epilogue, --no-fold-constants,
  /// --precise-math and --threads to `app`.
  void add(CLI::App &app) {
    app.add_flag("--no-fuse", noFuse,
                 "Do not fuse elementwise chains (nor epilogues)");
    app.add_flag("--no-fuse-epilogue", noEpilogue,
                 "Do not fuse bias/activation/residual into conv, linear, "
                 "matmul");
    app.add_flag("--no-fold-constants", noFold,
                 "Do not evaluate weight-only subgraphs or fold batch norm");
    app.add_flag("--precise-math", preciseMath,
                 "Call libm for tanh/exp/log/erf instead of inline "
                 "(vectorizable) polynomial approximations");
    app.add_option("--threads", threads,
                   "Most threads one matrix product or loop nest may use at "
                   "run time (default 0: this machine's cores; 1: all on the "
                   "calling thread); the workspace holds packing space for "
                   "that many")
        ->check(CLI::Range(int64_t(0), int64_t(1024)))
        ->type_name("N");
  }

  void apply(mlir::kiln::KilnPipelineOptions &options) const {
    options.fuse = !noFuse;
    options.fuseEpilogue = !noEpilogue;
    options.foldConstants = !noFold;
    options.threads = threads;
    options.approximateMath = !preciseMath;
  }
};

} // namespace kiln_tools

#endif // KILN_TOOLS_TOOLCOMMON_H
