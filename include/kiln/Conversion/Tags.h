//===- Tags.h - Attributes the linalg lowering leaves for later passes ----===//
//
// --convert-kiln-to-linalg marks the loop nests that later passes treat
// specially; --kiln-lower-gemm (and the CUDA mapping) read the marks.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_CONVERSION_TAGS_H
#define KILN_CONVERSION_TAGS_H

#include "llvm/ADT/StringRef.h"

namespace mlir::kiln {

/// A contraction C += A * B that --kiln-lower-gemm may turn into a call.
constexpr llvm::StringLiteral kGemmTag = "kiln.gemm";
/// An im2col copy: an Im2colAttr (#kiln.im2col<stride = [h, w],
/// dilation = [h, w]>).
constexpr llvm::StringLiteral kIm2colTag = "kiln.im2col";
/// A transpose's permutation copy.
constexpr llvm::StringLiteral kTransposeTag = "kiln.transpose";
/// The generic that starts a product's accumulator at its bias.
constexpr llvm::StringLiteral kBiasInitTag = "kiln.bias_init";
/// A product's epilogue that kiln_sgemm can apply to its tiles: an
/// EpilogueAttr (#kiln.epilogue<act = relu, lo = .., hi = .., residual = -1>).
constexpr llvm::StringLiteral kEpilogueTag = "kiln.epilogue";
/// A depthwise convolution's direct loop nest that kiln_dwconv2d can
/// compute: a DepthwiseAttr (geometry, epilogue, bias). The schemas and
/// their verifiers are in kiln/Dialect/Kiln/IR/KilnAttributes.td.
constexpr llvm::StringLiteral kDepthwiseTag = "kiln.depthwise";

} // namespace mlir::kiln

#endif // KILN_CONVERSION_TAGS_H
