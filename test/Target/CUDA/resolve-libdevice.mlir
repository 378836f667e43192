// kiln-resolve-libdevice: the libdevice calls convert-gpu-to-nvvm makes for
// math ops NVPTX implements become LLVM intrinsics; others are errors.
// RUN: kiln-opt %s --split-input-file --pass-pipeline='builtin.module(gpu.module(kiln-resolve-libdevice))' --verify-diagnostics | FileCheck %s

// CHECK-LABEL: gpu.module @k
// CHECK-NOT: llvm.func @__nv_
// CHECK: llvm.func @f(%[[X:.*]]: f32, %[[D:.*]]: f64)
// CHECK: %[[S:.*]] = llvm.call_intrinsic "llvm.sqrt"(%[[X]]) : (f32) -> f32
// CHECK: %[[F:.*]] = llvm.call_intrinsic "llvm.floor"(%[[S]]) : (f32) -> f32
// CHECK: %[[R:.*]] = llvm.call_intrinsic "llvm.sqrt"(%[[F]]) : (f32) -> f32
// CHECK: %[[ONE:.*]] = llvm.mlir.constant(1.000000e+00 : f32) : f32
// CHECK: %[[RS:.*]] = llvm.fdiv %[[ONE]], %[[R]] : f32
// CHECK: %[[M:.*]] = llvm.call_intrinsic "llvm.maxnum"(%[[RS]], %[[X]]) : (f32, f32) -> f32
// CHECK: %[[A:.*]] = llvm.call_intrinsic "llvm.fabs"(%[[D]]) : (f64) -> f64
// CHECK: llvm.return %[[M]]
gpu.module @k {
  llvm.func @__nv_sqrtf(f32) -> f32
  llvm.func @__nv_floorf(f32) -> f32
  llvm.func @__nv_rsqrtf(f32) -> f32
  llvm.func @__nv_fmaxf(f32, f32) -> f32
  llvm.func @__nv_fabs(f64) -> f64
  llvm.func @f(%x: f32, %d: f64) -> f32 {
    %0 = llvm.call @__nv_sqrtf(%x) : (f32) -> f32
    %1 = llvm.call @__nv_floorf(%0) : (f32) -> f32
    %2 = llvm.call @__nv_rsqrtf(%1) : (f32) -> f32
    %3 = llvm.call @__nv_fmaxf(%2, %x) : (f32, f32) -> f32
    %4 = llvm.call @__nv_fabs(%d) : (f64) -> f64
    llvm.return %3 : f32
  }
}

// -----

gpu.module @k {
  llvm.func @__nv_lgammaf(f32) -> f32
  llvm.func @f(%x: f32) -> f32 {
    // expected-error @+1 {{'__nv_lgammaf' (libdevice) has no lowering without the CUDA toolkit}}
    %0 = llvm.call @__nv_lgammaf(%x) : (f32) -> f32
    llvm.return %0 : f32
  }
}
