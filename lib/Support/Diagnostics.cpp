//===- Diagnostics.cpp - Compiler-style diagnostics for the Kiln tools ----===//
#include "kiln/Support/Diagnostics.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::kiln;

std::string mlir::kiln::formatLocation(Location loc) {
  if (auto file = dyn_cast<FileLineColLoc>(loc)) {
    std::string s = file.getFilename().str();
    if (file.getLine() != 0)
      s += ":" + std::to_string(file.getLine()) + ":" +
           std::to_string(file.getColumn());
    return s;
  }
  if (auto name = dyn_cast<NameLoc>(loc)) {
    std::string inner = formatLocation(name.getChildLoc());
    return (inner.empty() ? "" : inner + " ") + "(in module '" +
           name.getName().str() + "')";
  }
  if (auto site = dyn_cast<CallSiteLoc>(loc)) {
    std::string callee = formatLocation(site.getCallee());
    std::string caller = formatLocation(site.getCaller());
    if (callee.empty())
      return caller;
    return caller.empty() ? callee : callee + " <- " + caller;
  }
  if (auto fused = dyn_cast<FusedLoc>(loc)) {
    std::string s;
    for (Location l : fused.getLocations()) {
      std::string part = formatLocation(l);
      if (!part.empty())
        s += (s.empty() ? "" : ", ") + part;
    }
    return s;
  }
  return "";
}

static const char *severityName(DiagnosticSeverity s) {
  switch (s) {
  case DiagnosticSeverity::Error: return "error";
  case DiagnosticSeverity::Warning: return "warning";
  case DiagnosticSeverity::Note: return "note";
  case DiagnosticSeverity::Remark: return "remark";
  }
  return "error";
}

static void printDiagnostic(llvm::raw_ostream &os, Diagnostic &diag) {
  std::string where = formatLocation(diag.getLocation());
  if (!where.empty())
    os << where << ": ";
  os << severityName(diag.getSeverity()) << ": " << diag.str() << "\n";
  for (Diagnostic &note : diag.getNotes())
    printDiagnostic(os, note);
}

ToolDiagnosticHandler::ToolDiagnosticHandler(MLIRContext *ctx)
    : ScopedDiagnosticHandler(ctx, [](Diagnostic &diag) {
        printDiagnostic(llvm::errs(), diag);
        llvm::errs().flush();
        return success();
      }) {}
