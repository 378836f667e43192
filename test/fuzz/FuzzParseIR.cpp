//===- FuzzParseIR.cpp - libFuzzer target: kiln-opt's input ---------------===//
//
// Text given to kiln-opt is parsed with the kiln dialect loaded and
// verified: malformed IR, bad attributes and ops that break their
// verifiers or shape rules must all be diagnosed, never crash (or trip an
// assertion in a kiln verifier, parser or attribute).
//
//===----------------------------------------------------------------------===//
#include "kiln/Dialect/Kiln/IR/KilnDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"

#include <cstdint>
#include <string>

using namespace mlir;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static MLIRContext *ctx = [] {
    auto *c = new MLIRContext(MLIRContext::Threading::DISABLED);
    c->loadDialect<kiln::KilnDialect, func::FuncDialect>();
    c->allowUnregisteredDialects(false);
    // Diagnostics are the expected outcome; keep them off stderr.
    c->getDiagEngine().registerHandler([](Diagnostic &) { return success(); });
    return c;
  }();
  // MLIR's lexer reads one byte past the end of its buffer, where files and
  // strings have their NUL; libFuzzer's bytes have none, so copy them.
  std::string text(reinterpret_cast<const char *>(data), size);
  ParserConfig config(ctx);
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(text, config);
  if (module)
    (void)verify(*module);
  return 0;
}
