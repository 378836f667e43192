//===- FuzzArchive.cpp - libFuzzer target: the TorchScript archive loader -===//
//
// The bytes are written to a file and loaded as kiln-import and
// kiln-compile load a model: the archive checks (ArchiveScan, ArchiveGuard),
// libtorch's reader, freezing; when that succeeds, the import itself, with
// every parameter typed 2x3xf32. Every outcome must be a result or a
// diagnostic; never a crash, a hang or unbounded memory.
//
//===----------------------------------------------------------------------===//
#include "kiln/Dialect/Kiln/IR/KilnDialect.h"
#include "kiln/Import/TorchScript.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <unistd.h>

using namespace mlir;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static std::string path =
      "/tmp/kiln-fuzz-archive-" + std::to_string(getpid()) + ".pt";
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
    if (ec)
      abort();
    os.write(reinterpret_cast<const char *>(data), size);
  }
  MLIRContext ctx(MLIRContext::Threading::DISABLED);
  ctx.getDiagEngine().registerHandler([](Diagnostic &) { return success(); });
  std::optional<kiln::ImportReport> report =
      kiln::inspectTorchScript(&ctx, path);
  if (!report)
    return 0;
  kiln::ImportOptions options;
  for (const std::string &name : report->parameterNames) {
    kiln::InputSpec spec;
    spec.name = name;
    spec.shape = {2, 3};
    spec.dtype = "f32";
    options.inputs.push_back(spec);
  }
  (void)kiln::importTorchScript(&ctx, path, options);
  return 0;
}
