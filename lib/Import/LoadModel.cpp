//===- LoadModel.cpp - Load a .pt archive or a .mlir file for the tools ---===//
#include "kiln/Import/TorchScript.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;
using namespace mlir::kiln;

OwningOpRef<ModuleOp> mlir::kiln::loadModel(MLIRContext *ctx, StringRef path,
                                            const ImportOptions &options,
                                            ImportReport *report) {
  if (!path.ends_with(".mlir") && !path.ends_with(".mlirbc"))
    return importTorchScript(ctx, path, options, report);
  if (!options.inputs.empty()) {
    emitError(FileLineColLoc::get(ctx, path, 0, 0))
        << "--input-shape applies to TorchScript archives; '" << path
        << "' already has typed inputs";
    return nullptr;
  }
  if (!llvm::sys::fs::exists(path)) {
    emitError(FileLineColLoc::get(ctx, path, 0, 0))
        << "no such file: '" << path << "'";
    return nullptr;
  }
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler(sourceMgr, ctx);
  std::string error;
  auto file = openInputFile(path, &error);
  if (!file) {
    emitError(FileLineColLoc::get(ctx, path, 0, 0)) << error;
    return nullptr;
  }
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, ctx);
  // As for archives: --name, else the module's own, else the file stem.
  if (module && (!options.modelName.empty() ||
                 !(*module)->hasAttr("kiln.model_name")))
    (*module)->setAttr("kiln.model_name",
                       StringAttr::get(ctx, options.modelName.empty()
                                                ? defaultModelName(path)
                                                : options.modelName));
  return module;
}
