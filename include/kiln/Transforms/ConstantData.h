//===- ConstantData.h - Compile-time tensor values for folding -*- C++ -*-===//
//
// The values of a kiln.constant (dense or dense_resource) as doubles, in
// row-major order, and the way back to an attribute. Folding passes compute
// on these; every element type Kiln supports round-trips exactly except i64
// values beyond 2^53, which `read` refuses.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_TRANSFORMS_CONSTANTDATA_H
#define KILN_TRANSFORMS_CONSTANTDATA_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"

#include <optional>
#include <vector>

namespace mlir::kiln {

struct ConstantData {
  RankedTensorType type;
  std::vector<double> values; // one per element, row-major

  /// The value of `attr`, or nullopt for an unsupported element type.
  static std::optional<ConstantData> read(ElementsAttr attr);
  /// The constant `v` is defined by, if any.
  static std::optional<ConstantData> readValue(Value v);

  /// An attribute of `type` holding `values` rounded to its element type:
  /// a splat when all are equal, a dense_resource blob named `blobName` for
  /// large tensors, a dense attribute otherwise.
  ElementsAttr toAttr(StringRef blobName) const;

  int64_t size() const { return static_cast<int64_t>(values.size()); }
};

/// The name of the resource behind a constant, or "" for inline values.
std::string constantName(Value v);

} // namespace mlir::kiln

#endif // KILN_TRANSFORMS_CONSTANTDATA_H
