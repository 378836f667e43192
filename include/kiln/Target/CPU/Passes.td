//===- Passes.td - CPU code generation --------------------*- tablegen -*-===//
//
// Passes only the CPU target runs: the runtime kernel calls (kiln_sgemm*,
// kiln_dwconv2d), loop parallelization on the runtime's thread pool, load
// hoisting, strided copies, and the C entry points of a CPU object.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_TARGET_CPU_PASSES_TD
#define KILN_TARGET_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def KilnLowerStridedCopies
    : Pass<"kiln-lower-strided-copies", "func::FuncOp"> {
  let summary = "Turn memref.copy between strided buffers into loops";
  let description = [{
    Copies between contiguous buffers stay `memref.copy` (an LLVM memcpy);
    others (padding, slices) become `linalg.copy`, lowered to loops with the
    rest of linalg, so generated code needs no `memrefCopy` from MLIR's
    runner library.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def KilnLowerGemm : Pass<"kiln-lower-gemm", "ModuleOp"> {
  let summary = "Call the runtime's kiln_sgemm for tagged contractions";
  let description = [{
    Runs on bufferized code. Each `linalg.generic` tagged `kiln.gemm`
    (linear, matmul, im2col convolution) whose f32 operands have static
    strides becomes a call of `kiln_sgemm` (packed, 6x16 register blocks,
    AVX2/FMA, the runtime's thread pool): loop dims are classified as m, n,
    k and batch by the operands that read them, merged where the strides
    allow, and the rest become `scf.for` loops around the call. Packing
    space is a `memref.alloc` that `--kiln-plan-memory` places in the
    workspace. A constant B (else a constant A) is packed here into the
    panels the micro-kernel reads, as a new global. When B is a
    convolution's im2col matrix (a copy tagged `kiln.im2col` that nothing
    else reads), the call is `kiln_sgemm_conv`, which packs the windows
    straight from the padded input, and the copy is erased. A 1x1,
    stride-1 convolution with at most 256 positions that tiles of 7 to 14
    rows pad less than 32-wide panels (7x7) is a kiln_sgemm_conv call too,
    transposed (positions as the tile's rows). A generic
    tagged `kiln.bias_init` that fills C just before the product, and one
    tagged `kiln.epilogue` (act(C + residual), act none, relu or a clamp)
    just after, are applied by the runtime to each micro-tile
    (`kiln_sgemm_epi`, or kiln_sgemm_conv's epilogue arguments) and
    erased. Other contractions keep their loops.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
  let options = [
    Option<"threads", "threads", "int64_t", /*default=*/"0",
           "Most threads a matrix product uses (0: the compiling machine's "
           "cores); packing space is sized for this many">,
    Option<"prepackWeights", "prepack-weights", "bool", /*default=*/"true",
           "Pack constant operands (weights) at compile time: B, else A">,
    Option<"packNR", "pack-nr", "int64_t", /*default=*/"0",
           "Panel width of prepacked weights: 32 (AVX-512 kernel), 16 (AVX2), "
           "0: the compiling machine's kernel; A panels are 12 rows high "
           "with 32, else 6">,
    Option<"im2colInPlace", "im2col-in-place", "bool", /*default=*/"true",
           "Convolutions read their input windows in place "
           "(kiln_sgemm_conv) instead of an im2col copy">,
    Option<"fuseEpilogues", "fuse-epilogues", "bool", /*default=*/"true",
           "Apply a product's bias init and tagged epilogue (activation, "
           "residual) inside the call, per micro-tile (kiln_sgemm_epi)">
  ];
  let statistics = [
    Statistic<"numPrepacked", "num-prepacked", "Weights packed at compile time">,
    Statistic<"numFusedBias", "num-fused-bias",
              "Bias inits applied inside the call">,
    Statistic<"numFusedEpilogues", "num-fused-epilogues",
              "Epilogues applied inside the call">,
    Statistic<"numIm2colInPlace", "num-im2col-in-place",
              "Convolutions whose windows are packed from the input in place">,
    Statistic<"numPointwiseRows", "num-pointwise-rows",
              "1x1 convolutions with positions as tile rows (kiln_sgemm_conv)">,
    Statistic<"numCalls", "num-calls", "Contractions turned into kiln_sgemm calls">,
    Statistic<"numKept", "num-kept", "Tagged contractions left as loops">
  ];
}

def KilnLowerDepthwise : Pass<"kiln-lower-depthwise", "ModuleOp"> {
  let summary = "Call the runtime's kiln_dwconv2d for tagged depthwise "
                "convolutions";
  let description = [{
    Runs on bufferized code. Each `linalg.generic` tagged `kiln.depthwise`
    (a depthwise convolution's direct loop nest, with at most a bias and a
    relu or clamp) whose f32 buffers have static strides, contiguous
    columns and a contiguous weight becomes a call of `kiln_dwconv2d`.
    When the padded input it reads is a zero-filled buffer that only a
    copy of the unpadded input writes and only this loop nest reads (what
    `tensor.pad` bufferizes to), the call reads the unpadded input and
    skips the taps that fall outside it: the fill, the copy and the buffer
    go. The call's scratch space is a `memref.alloc` that
    `--kiln-plan-memory` places in the workspace.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
  let options = [
    Option<"threads", "threads", "int64_t", /*default=*/"0",
           "Most threads a convolution uses (0: the compiling machine's "
           "cores); its scratch space is sized for this many">,
    Option<"padInPlace", "pad-in-place", "bool", /*default=*/"true",
           "Read the unpadded input (padding as skipped taps) instead of "
           "the padded copy">
  ];
  let statistics = [
    Statistic<"numCalls", "num-calls",
              "Depthwise convolutions turned into kiln_dwconv2d calls">,
    Statistic<"numPadsRemoved", "num-pads-removed",
              "Padded copies the calls no longer need">,
    Statistic<"numKept", "num-kept", "Tagged convolutions left as loops">
  ];
}

def KilnParallelizeLoops : Pass<"kiln-parallelize-loops", "ModuleOp"> {
  let summary = "Run big top-level scf.parallel loops on the runtime's thread pool";
  let description = [{
    Runs on loop code (after `convert-linalg-to-parallel-loops`, CPU
    target). Each `scf.parallel` directly in a function body with constant
    bounds (0 to n, step 1) and at least `min-work` iterations of its
    innermost body becomes a call of the runtime's `kiln_parallel_for` with
    an outlined function `void(void *ctx, int64_t begin, int64_t end)`: the
    leading dims are flattened into one range of at least 64 iterations
    (or all of them), split into contiguous chunks of at least `min-work`/2
    iterations of work, one per thread; the remaining dims stay an
    `scf.parallel` inside. Every iteration runs once, in one thread, so
    results do not depend on the thread count. The loop's operands are
    recomputed in the body from the function's memref arguments, passed as
    pointers in a stack array; a loop that needs any other value from
    outside (a result of an op with effects) is left alone. Nothing happens
    with `threads` = 1.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::LLVM::LLVMDialect"];
  let options = [
    Option<"threads", "threads", "int64_t", /*default=*/"0",
           "Most threads a loop uses at run time (0: all online cores); "
           "1 disables the pass">,
    Option<"minWork", "min-work", "int64_t", /*default=*/"32768",
           "Fewest innermost-body iterations a loop needs to be split">
  ];
  let statistics = [
    Statistic<"numOutlined", "num-outlined",
              "Loops run through kiln_parallel_for">
  ];
}

def KilnHoistInvariantLoads : Pass<"kiln-hoist-invariant-loads"> {
  let summary = "Move loads of loop-invariant addresses in front of their loops";
  let description = [{
    On loop code from linalg: a load whose indices do not depend on the
    loop (a broadcast operand) moves out of it when no store in the loop
    can write the bytes it reads. Buffers are disjoint when they come from
    different function arguments or globals (the C API requires inputs,
    outputs and the workspace not to overlap) or from workspace views at
    non-overlapping constant offsets; LLVM sees all intermediates as one
    object and would reload (and not vectorize) instead.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
  let statistics = [
    Statistic<"numHoisted", "num-hoisted", "Loads moved out of loops">
  ];
}

def KilnEmitCABI : Pass<"kiln-emit-c-abi", "ModuleOp"> {
  let summary = "Emit the public C entry points and signature data of a CPU object";
  let description = [{
    After lowering to the LLVM dialect (bare-pointer memref convention),
    creates `<model>_forward` (checks pointers, returns a status),
    `<model>_forward_with_workspace`, `<model>_forward_tensors` (checks
    kiln_tensor descriptors through the runtime's `kiln_check_tensors`),
    `<model>_workspace_size` and `<model>_signature` (constant data). The
    CUDA target's entry points come from `kiln-emit-cuda-abi`.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // KILN_TARGET_CPU_PASSES_TD
