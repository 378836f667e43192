//===- Passes.td - The CUDA backend's passes -----------------*- tablegen -*-===//
#ifndef KILN_TARGET_CUDA_PASSES_TD
#define KILN_TARGET_CUDA_PASSES_TD

include "mlir/Pass/PassBase.td"

def KilnMapToGPU : Pass<"kiln-map-to-gpu", "func::FuncOp"> {
  let summary = "Map each top-level linalg op and copy to one GPU kernel";
  let description = [{
    Runs on bufferized code. Every `linalg` op (and `memref.copy`) at the top
    level of a function becomes a two-level `scf.parallel` nest mapped to GPU
    blocks and threads (`#gpu.loop_dim_map`): one thread per point of the
    op's parallel iteration space, flattened with the innermost dimension
    fastest so neighbouring threads touch neighbouring elements. A thread
    runs the op's reduction dimensions as `scf.for` loops with the
    accumulators in registers. `convert-parallel-loops-to-gpu` then makes
    each nest one `gpu.launch`. Because the nests are plain loops, the same
    IR also runs on the CPU (`kiln-compile --emulate-gpu-mapping`), which is
    how the index arithmetic is tested on machines without a GPU.

    Tagged contractions (`kiln.gemm`: linear, matmul, im2col convolution)
    large enough become 64 x 64 output tiles per block of 256 threads (4 x 4
    accumulators each), A and B staged through workgroup memory 16 k-steps
    at a time, written in "phase form" (thread-parallel `scf.parallel`
    phases with a barrier after each) that `kiln-lower-thread-phases`
    turns into a `gpu.launch`.
  }];
  let dependentDialects = ["::mlir::affine::AffineDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
  let options = [
    Option<"threadsPerBlock", "threads-per-block", "int64_t", /*default=*/"256",
           "Threads of one block (a multiple of 32, at most 1024)">,
    Option<"tileGemm", "tile-gemm", "bool", /*default=*/"true",
           "Tagged contractions (kiln.gemm) with m, n >= 32 and k >= 16 as "
           "64x64 tiles per block staged through workgroup memory">
  ];
  let statistics = [
    Statistic<"numKernels", "num-kernels", "Ops mapped to GPU kernels">,
    Statistic<"numTiled", "num-tiled", "Contractions mapped to tiled kernels">
  ];
}

def KilnLowerThreadPhases : Pass<"kiln-lower-thread-phases", "func::FuncOp"> {
  let summary = "Turn phase-form kernels into gpu.launch with barriers";
  let description = [{
    A block-level `scf.parallel` marked `kiln.phased` (from
    `kiln-map-to-gpu`) becomes one `gpu.launch`: its `kiln.workgroup`
    allocas become workgroup memory attributions, its `kiln.per_thread`
    buffers (indexed by the thread first) private allocas of one thread's
    slice, and each thread-parallel phase (`kiln.phase`) the code of one
    thread followed by a `gpu.barrier`.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::memref::MemRefDialect"];
}

def KilnPrepareCUDAHost : Pass<"kiln-prepare-cuda-host", "ModuleOp"> {
  let summary = "Give the model function its CUDA calling convention";
  let description = [{
    On the bufferized model function (`kiln.abi`): weights read through
    `memref.get_global` become trailing arguments (the runtime uploads them
    once per model and passes device pointers; the symbols are recorded in
    `kiln.cuda_weights`), two leading `!llvm.ptr` arguments carry the
    runtime's model state and the CUDA stream, and the function returns an
    i32 status (0 here; `kiln-lower-gpu-launch` returns early on a failed
    launch).
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect",
                           "::mlir::arith::ArithDialect"];
}

def KilnMergeGPUModules : Pass<"kiln-merge-gpu-modules", "ModuleOp"> {
  let summary = "Put every outlined kernel into one gpu.module";
  let description = [{
    `gpu-kernel-outlining` makes one `gpu.module` per kernel; Kiln ships
    one PTX/cubin image per model, so the kernels move into the first
    module (named `<model>_kernels`) and every `gpu.launch_func` follows.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

def KilnResolveLibdevice : Pass<"kiln-resolve-libdevice", "gpu::GPUModuleOp"> {
  let summary = "Replace libdevice calls by LLVM intrinsics";
  let description = [{
    After `convert-gpu-to-nvvm`, math ops that NVPTX implements natively
    (sqrt, fabs, floor, ceil, trunc, round, rint, fma, copysign, fmin,
    fmax, rsqrt) are calls of libdevice's `__nv_*` functions. They become
    LLVM intrinsics, so no CUDA toolkit (libdevice.bc) is needed.
    Transcendental functions are expanded to polynomials before; any other
    `__nv_*` call left is an error naming the op.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def KilnExpandGPUMath : Pass<"kiln-expand-gpu-math", "gpu::GPUModuleOp"> {
  let summary = "Expand transcendental math ops of GPU kernels to arith";
  let description = [{
    MLIR's polynomial approximations of tanh, exp, log, log1p, log2, erf,
    sin, cos, atan, atan2, expm1, cbrt and the expansions of pow, sinh,
    cosh, asinh, acosh, atanh, ceil and round, in f32 and wider through
    f32, so kernels need no libdevice. Multiplies and adds get the
    `contract` flag: they may fuse into FMAs, as with nvcc's default.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}

def KilnLowerGPULaunch : Pass<"kiln-lower-gpu-launch", "ModuleOp"> {
  let summary = "Lower gpu.launch_func and gpu.binary to Kiln runtime calls";
  let description = [{
    Runs on the host after `gpu-to-llvm`. The PTX of every `gpu.binary`
    (and a cubin, when `ptxas` is given and assembles it) becomes constant
    data; each `gpu.launch_func` becomes a call of the runtime's
    `kiln_cuda_launch(model, kernel, grid, block, stream, params)` and
    returns its status from the model function when it fails. Records the
    kernel table, images and weights for `kiln-emit-cuda-abi`.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
  let options = [
    Option<"ptxas", "ptxas", "std::string", /*default=*/"\"\"",
           "ptxas executable to assemble the PTX into a cubin (empty: PTX "
           "only, JIT-compiled by the driver)">,
    Option<"arch", "arch", "std::string", /*default=*/"\"sm_90\"",
           "GPU architecture of the cubin">
  ];
}

def KilnEmitCUDAABI : Pass<"kiln-emit-cuda-abi", "ModuleOp"> {
  let summary = "Emit the public C entry points of a CUDA model";
  let description = [{
    After `kiln-lower-gpu-launch`: `<model>_cuda_init`, `_cuda_release`,
    `_cuda_forward` (device pointers and a stream),
    `_cuda_forward_with_workspace` and `_cuda_forward_host` (host buffers),
    plus `_signature` and `_workspace_size`.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // KILN_TARGET_CUDA_PASSES_TD
