//===- TorchScript.h - Import TorchScript archives into the kiln dialect --===//
//
// The only interface to lib/Import, the one library that sees libtorch. Its
// callers never include a libtorch header.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_IMPORT_TORCHSCRIPT_H
#define KILN_IMPORT_TORCHSCRIPT_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Support/LLVM.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>
#include <vector>

namespace mlir::kiln {

/// One `--input-shape`: `[NAME=]DIMSxDTYPE`, e.g. `x=3x4xf32`, `3x4xf32`,
/// `x=f32` (a scalar tensor) or `3x4` (f32).
struct InputSpec {
  std::string name; ///< empty for a positional spec
  SmallVector<int64_t> shape;
  std::string dtype = "f32";
};

/// Parses an --input-shape value; on failure returns a message saying what
/// is wrong and what the form is.
FailureOr<InputSpec> parseInputSpec(StringRef text, std::string &error);

struct ImportOptions {
  /// Types of forward's tensor parameters. Named specs match parameters by
  /// name; positional ones fill the remaining parameters in order.
  std::vector<InputSpec> inputs;
  /// C prefix of the generated API; default: the archive's file stem.
  std::string modelName;
  /// How the tool's user gives input types, for messages ("--input" for
  /// kiln-run's .npy files).
  std::string inputFlag = "--input-shape";
};

/// What an import produced besides the module: the TorchScript graphs, for
/// tools that show them.
struct ImportReport {
  std::string loadedGraph; ///< forward's graph as loaded (traced.graph)
  std::string frozenGraph; ///< after freeze + inline, what is imported
  /// Parameter names of forward (without self), in order.
  std::vector<std::string> parameterNames;
  /// Every op kind in the frozen graph (nested blocks included) with its
  /// number of occurrences, in order of first appearance.
  std::vector<std::pair<std::string, unsigned>> opCounts;
};

/// Loads `path` with libtorch, freezes and inlines forward, and emits it as
/// a `func.func @forward` of kiln ops. Every problem is reported through the
/// context's diagnostic handler (unsupported ops all in one error, with
/// counts and Python locations); returns null then.
OwningOpRef<ModuleOp> importTorchScript(MLIRContext *ctx, StringRef path,
                                        const ImportOptions &options,
                                        ImportReport *report = nullptr);

/// Loads the archive only far enough to return forward's parameter names and
/// graphs (for `kiln-import` without shapes). Reports errors like
/// importTorchScript.
std::optional<ImportReport> inspectTorchScript(MLIRContext *ctx,
                                               StringRef path);

/// Loads a model for the tools: a TorchScript archive (imported with
/// `options`), or kiln/MLIR text or bytecode when `path` ends in .mlir or
/// .mlirbc. Errors are reported through the context; returns null then.
OwningOpRef<ModuleOp> loadModel(MLIRContext *ctx, StringRef path,
                                const ImportOptions &options,
                                ImportReport *report = nullptr);

/// The TorchScript op kinds the importer maps to kiln ops (each also in its
/// in-place form, `aten::relu_`, where one exists).
ArrayRef<StringRef> getSupportedTorchOps();

/// Writes docs/supported-ops.md: the supported op kinds by group.
void printSupportedOpsMarkdown(llvm::raw_ostream &os);

/// True when the importer handles `kind` (e.g. "aten::linear", "aten::add_").
bool isSupportedTorchOp(StringRef kind);

/// A default model name from a path: "dir/my-cell.pt" -> "my_cell".
std::string defaultModelName(StringRef path);

} // namespace mlir::kiln

#endif // KILN_IMPORT_TORCHSCRIPT_H
