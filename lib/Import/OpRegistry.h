//===- OpRegistry.h - The importer's op kinds, grouped by family ----------===//
//
// The one list of what the importer supports: the unsupported-op check,
// `kiln-import --op-stats` and docs/supported-ops.md all read it. Each
// lib/Import/Ops/<Family>.cpp has one entry, register<Family>Ops, which opens
// its family (the heading in docs/supported-ops.md) and adds its kinds, so a
// kind's family is the file that handles it.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_IMPORT_OPREGISTRY_H
#define KILN_LIB_IMPORT_OPREGISTRY_H

#include "NodeContext.h"

#include "llvm/ADT/StringMap.h"

#include <deque>
#include <vector>

namespace mlir::kiln::detail {

using OpHandler = LogicalResult (*)(NodeContext &);

class OpRegistry {
public:
  /// The kinds of one family, in the order its file adds them.
  class Family {
  public:
    explicit Family(OpRegistry &registry, StringRef heading)
        : registry(registry), heading(heading.str()) {}
    /// Adds `kind` (and its in-place form, where there is one).
    Family &add(StringRef kind, OpHandler handler);

    StringRef getHeading() const { return heading; }
    ArrayRef<StringRef> getKinds() const { return kinds; }

  private:
    OpRegistry &registry;
    std::string heading;
    std::vector<StringRef> kinds;
  };

  /// Opens a family; its kinds follow the families opened before it.
  Family &family(StringRef heading);

  /// The handler of `kind` (functional or in-place), or null.
  OpHandler lookup(StringRef kind) const { return handlers.lookup(kind); }
  const std::deque<Family> &getFamilies() const { return families; }
  ArrayRef<StringRef> getKinds() const { return allKinds; }

  /// Every family, registered once, in docs/supported-ops.md's order.
  static const OpRegistry &get();

private:
  std::deque<Family> families; // stable addresses for family()'s result
  std::vector<StringRef> allKinds;
  llvm::StringMap<OpHandler> handlers;
};

// One per file in lib/Import/Ops.
void registerPlumbingOps(OpRegistry &registry);
void registerElementwiseOps(OpRegistry &registry);
void registerMathLogicOps(OpRegistry &registry);
void registerDataMovementOps(OpRegistry &registry);
void registerIndexingOps(OpRegistry &registry);
void registerCreationOps(OpRegistry &registry);
void registerReductionOps(OpRegistry &registry);
void registerNormalizationOps(OpRegistry &registry);
void registerConvPoolOps(OpRegistry &registry);
void registerLinearOps(OpRegistry &registry);
void registerLayersOps(OpRegistry &registry);
void registerLossesOps(OpRegistry &registry);

} // namespace mlir::kiln::detail

#endif // KILN_LIB_IMPORT_OPREGISTRY_H
