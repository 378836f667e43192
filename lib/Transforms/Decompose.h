//===- Decompose.h - Shared by the decomposition patterns -------*- C++ -*-===//
//
// `--kiln-decompose` gathers its patterns from Decompose*.cpp, one file per
// family of composite ops; this header is what they share: a builder of
// primitive kiln ops at one location (the composite's, so diagnostics and
// debug info still name the Python line) and the populate entry points.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_TRANSFORMS_DECOMPOSE_H
#define KILN_LIB_TRANSFORMS_DECOMPOSE_H

#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/IR/PatternMatch.h"

namespace mlir::kiln::detail {

/// Builds primitive kiln ops at `loc`; results are typed by the ops' own
/// shape rules unless a method takes a type.
struct PrimitiveBuilder {
  PatternRewriter &rewriter;
  Location loc;

  template <typename OpTy, typename... Args> Value create(Args &&...args) {
    return OpTy::create(rewriter, loc, std::forward<Args>(args)...);
  }
  /// A 0-d constant of `element` holding `v`.
  Value scalar(Type element, double v);
  /// add/sub with alpha = 1.
  Value add(Value a, Value b);
  Value sub(Value a, Value b);
  Value mul(Value a, Value b) { return create<MulOp>(a, b); }
  Value linear(Value x, Value w, Value b) { return create<LinearOp>(x, w, b); }
  /// `kind` over `dims`, kept as size-1 dims.
  Value reduce(ReduceKind kind, Value x, ArrayRef<int64_t> dims);
  Value reshape(Value x, ArrayRef<int64_t> shape);
  Value transpose(Value x, ArrayRef<int64_t> perm);
  /// Columns [i * n, (i + 1) * n) of the last dim.
  Value part(Value x, int64_t i, int64_t n);
  /// Index `i` of dim `dim`, that dim removed.
  Value at(Value x, int64_t dim, int64_t i);
  Value unsqueeze(Value x, int64_t dim);
  Value concat(ArrayRef<Value> parts, int64_t dim);
  /// 1 - x.
  Value oneMinus(Value x) { return sub(scalar(elementOf(x), 1.0), x); }
  /// layer_norm over the last `rank` dims.
  Value layerNorm(Value x, Value weight, Value bias, int64_t rank, double eps);

  static RankedTensorType typeOf(Value v) {
    return cast<RankedTensorType>(v.getType());
  }
  static Type elementOf(Value v) { return typeOf(v).getElementType(); }
};

/// softmax, layer_norm, group_norm (Decompose.cpp).
void populateDecomposeNormalizationPatterns(RewritePatternSet &patterns);
/// lstm, gru, transformer_encoder_layer (DecomposeLayers.cpp).
void populateDecomposeLayerPatterns(RewritePatternSet &patterns);

} // namespace mlir::kiln::detail

#endif // KILN_LIB_TRANSFORMS_DECOMPOSE_H
