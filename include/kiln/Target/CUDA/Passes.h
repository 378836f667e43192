//===- Passes.h - The CUDA backend's passes -------------------------------===//
#ifndef KILN_TARGET_CUDA_PASSES_H
#define KILN_TARGET_CUDA_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::kiln {

#define GEN_PASS_DECL
#include "kiln/Target/CUDA/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "kiln/Target/CUDA/Passes.h.inc"

/// Module attribute names shared by the CUDA passes and the C ABI emitter.
inline constexpr llvm::StringLiteral kCUDAWeightsAttrName = "kiln.cuda_weights";
inline constexpr llvm::StringLiteral kCUDAKernelsAttrName = "kiln.cuda_kernels";
inline constexpr llvm::StringLiteral kCUDAImageAttrName = "kiln.cuda_images";

/// The PTX ISA version ("+ptx80") the NVPTX backend targets for `arch`
/// ("sm_90"): the oldest that supports the architecture and every feature
/// Kiln's kernels use. Empty when `arch` is not of the form sm_NN[a|f].
std::string getPTXFeaturesForArch(llvm::StringRef arch);

} // namespace mlir::kiln

#endif // KILN_TARGET_CUDA_PASSES_H
