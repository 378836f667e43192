//===- InitAll.h - Register every dialect and pass Kiln uses --------------===//
#ifndef KILN_INITALL_H
#define KILN_INITALL_H

#include "mlir/IR/DialectRegistry.h"

namespace mlir::kiln {

/// The kiln dialect, the upstream dialects the pipelines produce, and their
/// bufferization / LLVM-translation interfaces.
void registerAllKilnDialects(DialectRegistry &registry);

/// Every kiln pass and pipeline, plus the upstream passes the pipelines use.
void registerAllKilnPasses();

} // namespace mlir::kiln

#endif // KILN_INITALL_H
