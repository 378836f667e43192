//===- kiln-import.cpp - Show a TorchScript graph and its kiln IR ---------===//
#include "../ToolCommon.h"

#include "llvm/Support/Format.h"

#include <CLI/CLI.hpp>

using namespace mlir;
using namespace mlir::kiln;
using namespace kiln_tools;

static const char *kDescription = R"(kiln-import: show what Kiln sees in a TorchScript archive.

Prints forward's TorchScript graph as loaded (what traced.graph shows) and,
given the input types, the kiln IR it imports to (before any optimization).)";

static const char *kFooter = R"(
EXAMPLES:
  kiln-import mycell.pt
  kiln-import --op-stats resnet18.pt
  kiln-import mycell.pt --input-shape x=3x4xf32 --input-shape h=3x4xf32
  kiln-import mycell.pt --input-shape 3x4xf32 --input-shape 3x4xf32 --ir-only \
      | kiln-opt --kiln-optimize

EXIT STATUS:
  0 success; 1 the archive cannot be imported; 2 bad command line.)";

int main(int argc, char **argv) {
  CLI::App app{kDescription, "kiln-import"};
  app.footer(kFooter);
  app.set_version_flag("--version", std::string("kiln-import ") + kVersion);
  app.get_formatter()->column_width(34);
  std::string input, name;
  std::vector<std::string> inputShapes;
  bool irOnly = false, graphOnly = false, frozen = false, debugInfo = false;
  bool opStats = false, supportedOps = false;
  auto *modelOpt = app.add_option("model", input, "TorchScript archive (.pt)")
                       ->type_name("MODEL");
  app.add_option("--input-shape", inputShapes,
                 "Type of one of forward's tensor parameters: x=3x4xf32 or "
                 "3x4xf32 (in order); repeat per input")
      ->type_name("[NAME=]DIMSxDTYPE");
  app.add_option("--name", name, "Model name recorded in the IR")
      ->type_name("NAME");
  app.add_flag("--ir-only", irOnly, "Print only the kiln IR (for piping)");
  app.add_flag("--graph-only", graphOnly, "Print only the TorchScript graph");
  app.add_flag("--frozen-graph", frozen,
               "Show the graph after freezing and inlining (what is imported)");
  app.add_flag("--op-stats", opStats,
               "List every op kind the model uses, how often, and whether "
               "Kiln supports it; exit 1 if any is unsupported");
  app.add_flag("--supported-ops", supportedOps,
               "Print the supported op kinds as Markdown, one heading per "
               "family (the build writes it to build/docs/supported-ops.md) "
               "and exit");
  app.add_flag("--debug-info", debugInfo,
               "Print the Python source locations in the kiln IR");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  if (supportedOps) {
    printSupportedOpsMarkdown(llvm::outs());
    return kExitOk;
  }
  if (input.empty()) {
    llvm::errs() << "kiln-import: error: model is required (see --help)\n";
    return kExitUsage;
  }
  (void)modelOpt;
  ImportOptions options;
  options.modelName = name;
  if (!parseInputSpecs(inputShapes, options, "kiln-import"))
    return kExitUsage;

  std::unique_ptr<MLIRContext> ctx = makeContext();
  ToolDiagnosticHandler diagnostics(ctx.get());
  ImportReport report;
  bool wantIR = !graphOnly && !options.inputs.empty();
  OwningOpRef<ModuleOp> module;
  if (wantIR) {
    module = importTorchScript(ctx.get(), input, options, &report);
    if (!module && report.loadedGraph.empty())
      return kExitCompileError;
  } else {
    std::optional<ImportReport> r = inspectTorchScript(ctx.get(), input);
    if (!r)
      return kExitCompileError;
    report = *r;
  }
  if (opStats) {
    unsigned unsupported = 0;
    size_t width = 4;
    for (const auto &[kind, n] : report.opCounts)
      width = std::max(width, kind.size());
    llvm::outs() << llvm::left_justify("op", width) << "  count  supported\n";
    for (const auto &[kind, n] : report.opCounts) {
      bool ok = isSupportedTorchOp(kind);
      unsupported += !ok;
      llvm::outs() << llvm::left_justify(kind, width) << "  "
                   << llvm::right_justify(std::to_string(n), 5) << "  "
                   << (ok ? "yes" : "NO") << "\n";
    }
    llvm::outs() << report.opCounts.size() << " op kinds, " << unsupported
                 << " unsupported\n";
    return unsupported ? kExitCompileError : kExitOk;
  }
  if (!irOnly) {
    llvm::outs() << "// TorchScript graph of forward"
                 << (frozen ? " (frozen, inlined)" : "") << ":\n"
                 << (frozen ? report.frozenGraph : report.loadedGraph) << "\n";
  }
  if (graphOnly)
    return kExitOk;
  if (!wantIR) {
    llvm::outs() << "// kiln IR: give the input types to import, e.g.\n//   "
                 << "kiln-import " << input;
    for (const std::string &p : report.parameterNames)
      llvm::outs() << " --input-shape " << p << "=3x4xf32";
    llvm::outs() << "\n";
    return kExitOk;
  }
  if (!module)
    return kExitCompileError;
  if (!irOnly)
    llvm::outs() << "// kiln IR:\n";
  OpPrintingFlags flags;
  if (debugInfo)
    flags.enableDebugInfo(/*enable=*/true, /*prettyForm=*/false);
  module->print(llvm::outs(), flags);
  return kExitOk;
}
