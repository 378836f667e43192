//===- Diagnostics.h - Compiler-style diagnostics for the Kiln tools ------===//
#ifndef KILN_SUPPORT_DIAGNOSTICS_H
#define KILN_SUPPORT_DIAGNOSTICS_H

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"

#include <string>

namespace mlir::kiln {

/// Formats a location the way compilers print them: "file.py:7:0", with
/// "(in module 'linear')" for module names and " <- caller" for inlined
/// call sites; "file" alone when there is no line.
std::string formatLocation(Location loc);

/// Prints every diagnostic as "LOCATION: error: message" (notes likewise)
/// on stderr while it is alive.
class ToolDiagnosticHandler : public ScopedDiagnosticHandler {
public:
  explicit ToolDiagnosticHandler(MLIRContext *ctx);
};

} // namespace mlir::kiln

#endif // KILN_SUPPORT_DIAGNOSTICS_H
