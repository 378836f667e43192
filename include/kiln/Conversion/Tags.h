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
/// An im2col copy: [stride_h, stride_w, dilation_h, dilation_w].
constexpr llvm::StringLiteral kIm2colTag = "kiln.im2col";
/// A transpose's permutation copy.
constexpr llvm::StringLiteral kTransposeTag = "kiln.transpose";
/// The generic that starts a product's accumulator at its bias.
constexpr llvm::StringLiteral kBiasInitTag = "kiln.bias_init";
/// A product's epilogue that kiln_sgemm can apply to its tiles:
/// {act = 0 none | 1 relu | 2 clamp, lo, hi : f32, residual = index of the
/// input added before the activation, or -1}.
constexpr llvm::StringLiteral kEpilogueTag = "kiln.epilogue";
/// A depthwise convolution's direct loop nest (one filter per channel)
/// that kiln_dwconv2d can compute: {stride, dilation, padding, kernel :
/// [h, w], act, lo, hi as for kEpilogueTag, bias : whether input 0 is the
/// bias}. Its body reads the padded input, then the [C, 1, KH, KW] weight.
constexpr llvm::StringLiteral kDepthwiseTag = "kiln.depthwise";

} // namespace mlir::kiln

#endif // KILN_CONVERSION_TAGS_H
