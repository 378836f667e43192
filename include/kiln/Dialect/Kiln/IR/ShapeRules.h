//===- ShapeRules.h - Result shapes of kiln ops ---------------------------===//
//
// Shape rules shared by the ops' InferTypeOpInterface and verifiers and by the
// importer, which checks before it builds. Errors go to `loc` when it is given.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_DIALECT_KILN_IR_SHAPERULES_H
#define KILN_DIALECT_KILN_IR_SHAPERULES_H

#include "mlir/IR/Location.h"
#include "mlir/IR/Types.h"
#include "mlir/IR/TypeRange.h"
#include "mlir/Support/LLVM.h"

#include <optional>
#include <string>

namespace mlir::kiln {

/// Formats a tensor type's shape and element type as "3x4xf32".
std::string formatType(Type type);

/// PyTorch broadcasting of two static shapes (right-aligned; a dim of 1
/// stretches). Fails when two dims differ and neither is 1.
FailureOr<SmallVector<int64_t>> broadcastShapes(ArrayRef<int64_t> lhs,
                                                ArrayRef<int64_t> rhs);

LogicalResult inferBroadcastType(std::optional<Location> loc, StringRef opName,
                                 Type lhs, Type rhs,
                                 SmallVectorImpl<Type> &results);
LogicalResult inferLinearType(std::optional<Location> loc, Type input,
                              Type weight, Type bias,
                              SmallVectorImpl<Type> &results);
LogicalResult inferMatmulType(std::optional<Location> loc, Type lhs, Type rhs,
                              SmallVectorImpl<Type> &results);
LogicalResult inferWhereType(std::optional<Location> loc, Type condition,
                             Type lhs, Type rhs, SmallVectorImpl<Type> &results);
LogicalResult inferTransposeType(std::optional<Location> loc, Type input,
                                 ArrayRef<int64_t> permutation,
                                 SmallVectorImpl<Type> &results);
/// Output size of one spatial dim of a convolution or pooling window, or
/// failure when the window does not fit.
FailureOr<int64_t> windowOutputSize(int64_t in, int64_t kernel, int64_t stride,
                                    int64_t padding, int64_t dilation);
LogicalResult inferConv2dType(std::optional<Location> loc, Type input,
                              Type weight, Type bias, ArrayRef<int64_t> stride,
                              ArrayRef<int64_t> padding,
                              ArrayRef<int64_t> dilation, int64_t groups,
                              SmallVectorImpl<Type> &results);
LogicalResult inferPool2dType(std::optional<Location> loc, Type input,
                              ArrayRef<int64_t> kernel, ArrayRef<int64_t> stride,
                              ArrayRef<int64_t> padding,
                              ArrayRef<int64_t> dilation,
                              SmallVectorImpl<Type> &results);
LogicalResult inferConcatType(std::optional<Location> loc, TypeRange inputs,
                              int64_t dim, SmallVectorImpl<Type> &results);
LogicalResult inferReduceType(std::optional<Location> loc, Type input,
                              ArrayRef<int64_t> dims, bool keepdim,
                              SmallVectorImpl<Type> &results);

} // namespace mlir::kiln

#endif // KILN_DIALECT_KILN_IR_SHAPERULES_H
