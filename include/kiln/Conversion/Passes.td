//===- Passes.td - Lowerings out of the kiln dialect --------*- tablegen -*-===//
//
// The target-independent lowering: kiln to linalg on tensors, the C
// signature, bufferization helpers. CPU code generation passes live in
// kiln/Target/CPU/Passes.td, the CUDA ones in kiln/Target/CUDA/Passes.td.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_CONVERSION_PASSES_TD
#define KILN_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertKilnToLinalg : Pass<"convert-kiln-to-linalg", "ModuleOp"> {
  let summary = "Lower kiln ops to linalg, tensor, arith and math on tensors";
  let description = [{
    Every elementwise op and every `kiln.fused` group becomes one
    `linalg.generic` whose indexing maps implement broadcasting; `linear` and
    `matmul` become a fill (bias or zero) plus a reduction `linalg.generic`;
    constants become `arith.constant` (weights stay `dense_resource`).
    A dialect conversion: every kiln op is illegal, each op family
    (lib/Conversion/KilnToLinalg/<Family>.cpp) adds its patterns; an op
    left over is an error naming it. With `index-checks` (the CPU
    pipeline's), each `kiln.gather` first finds its first index out of
    range and calls `kiln_index_error`; constant indices are checked at
    compile time.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::func::FuncDialect",
    "::mlir::linalg::LinalgDialect", "::mlir::LLVM::LLVMDialect",
    "::mlir::math::MathDialect", "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect"
  ];
  let options = [
    Option<"indexChecks", "index-checks", "bool", /*default=*/"true",
           "Report index tensor entries out of range through the runtime "
           "(kiln_index_error; CPU code). Off, they are clamped into range.">
  ];
}

def KilnFoldTransposes : Pass<"kiln-fold-transposes", "func::FuncOp"> {
  let summary = "Read transposes through the indexing maps of matrix products";
  let description = [{
    A product (a `linalg.generic` tagged `kiln.gemm`) reading a transpose's
    permutation copy (tagged `kiln.transpose`: attention's K^T, heads split
    off a [T, H, D] projection) reads the copy's input through the composed
    indexing map instead; `kiln_sgemm` takes any strides, so the copy goes
    once nothing else reads it. Runs right after
    `--convert-kiln-to-linalg`.
  }];
}

def KilnPrepareABI : Pass<"kiln-prepare-abi", "ModuleOp"> {
  let summary = "Check the model function and record its C signature";
  let description = [{
    Finds the model's entry function (`kiln.entry`), checks that every input
    and output is a statically shaped tensor of a dtype the C ABI has, marks
    inputs read-only for bufferization, makes the function private under the
    name `_kiln_<model>_forward_impl` and records names and types in a
    `kiln.abi` attribute that `kiln-emit-c-abi` turns into the public entry
    points once the function has been lowered to LLVM.
  }];
  let options = [
    Option<"modelName", "model-name", "std::string", /*default=*/"\"\"",
           "C prefix of the generated symbols (default: the module's kiln.model_name)">
  ];
}

def KilnDistinctResultBuffers
    : Pass<"kiln-distinct-result-buffers", "func::FuncOp"> {
  let summary = "Give each returned memref its own allocation";
  let description = [{
    Runs after bufferization, before `buffer-results-to-out-params`. A
    function that returns the same buffer twice (MyCell returns `new_h`
    twice), an argument or a constant global would otherwise share a buffer
    between out-parameters. Each such result gets a fresh `memref.alloc` and
    a `memref.copy`; the out-parameter promotion then turns every returned
    allocation into the caller's buffer, so the first use of a value writes
    straight into its output and the others are copied from it.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def KilnApproximateMath : Pass<"kiln-approximate-math", "func::FuncOp"> {
  let summary = "Replace f32 tanh/exp/log/erf by inline polynomial approximations";
  let description = [{
    MLIR's polynomial approximations (plain arith ops, a few ulp from libm)
    instead of libm calls, so LLVM vectorizes the loops they are in.
    `kiln-compile --precise-math` keeps libm.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}

#endif // KILN_CONVERSION_PASSES_TD
