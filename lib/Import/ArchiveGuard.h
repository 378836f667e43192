//===- ArchiveGuard.h - Defenses against hostile TorchScript archives -----===//
//
// Archives are untrusted input (docs/security.md), and libtorch's readers
// trust them: its zip reader, unpickler and TorchScript parser recurse as
// deep as the file nests, and a tensor's storage is not checked against its
// sizes. Before libtorch sees an archive, Kiln reads it with a bounded
// reader of its own (scanArchive); after libtorch has loaded it, every
// tensor is checked before anything reads its data (validateTensors); and
// the whole import runs on a thread with a large stack (runOnLargeStack), so
// what the limits let through cannot overflow the stack either.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_IMPORT_ARCHIVEGUARD_H
#define KILN_LIB_IMPORT_ARCHIVEGUARD_H

#include "mlir/IR/Location.h"
#include "mlir/Support/LLVM.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace torch::jit {
struct Module;
} // namespace torch::jit

namespace mlir::kiln::detail {

/// What scanArchive accepts; real models stay far below each.
struct ArchiveLimits {
  uint64_t maxEntries = 1u << 20;
  /// Bytes one compressed entry may inflate to.
  uint64_t maxInflatedEntry = 1ull << 30;
  /// Bytes all compressed entries together may inflate to.
  uint64_t maxInflatedTotal = 4ull << 30;
  /// Containers nested in one another in a pickle (data.pkl, ...).
  unsigned maxPickleDepth = 1000;
  /// Brackets nested in one another in TorchScript source (code/).
  unsigned maxCodeNesting = 200;
  /// Functions defined in the archive's TorchScript source.
  unsigned maxFunctions = 20000;
};

/// Reads the zip at `path` (central directory, every entry's bounds, the
/// pickles' nesting, the source's nesting and size) without trusting it;
/// diagnoses at `loc` and fails on the first limit crossed or structure
/// broken. A file that is not a zip passes: libtorch says what it is.
LogicalResult scanArchive(StringRef path, Location loc,
                          const ArchiveLimits &limits = {});

/// Why the debug records of a `code/*.py.debug_pkl` (already scanned for
/// nesting) would make libtorch read out of bounds: a string-table index
/// past the table, a record or range of the wrong shape; nullopt when they
/// are sound (DebugInfoScan.cpp).
std::optional<std::string> checkDebugInfo(StringRef data);

/// Checks every tensor the loaded module holds (parameters, buffers and
/// other attributes, recursively, including tensors in lists and tuples):
/// a known dtype, non-negative sizes and strides, a byte extent computed
/// without overflow and inside its storage. Diagnoses the first bad one at
/// `loc`, naming its attribute path.
LogicalResult validateTensors(const torch::jit::Module &module, Location loc);

/// Runs `fn` on a thread with a large stack and waits for it (on the
/// calling thread when no such thread can be made).
void runOnLargeStack(const std::function<void()> &fn);

} // namespace mlir::kiln::detail

#endif // KILN_LIB_IMPORT_ARCHIVEGUARD_H
