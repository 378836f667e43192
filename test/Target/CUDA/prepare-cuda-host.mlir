// --kiln-prepare-cuda-host: the model function takes (model, stream, in...,
// out..., weight...) and returns a status; globals it reads become weights.
// RUN: kiln-opt %s -split-input-file --kiln-prepare-cuda-host -verify-diagnostics --allow-unregistered-dialect | FileCheck %s

// Two reads of one global share one weight argument; a second global gets
// the next; the bytes round bool-sized elements up to a byte each.
// CHECK-LABEL: module attributes {kiln.abi = {{.*}}, kiln.cuda_weights = [{bytes = 24 : i64, name = @w}, {bytes = 4 : i64, name = @m}]
// CHECK: func.func private @_kiln_m_forward_impl(
// CHECK-SAME: %[[MODEL:[^:]*]]: !llvm.ptr, %[[STREAM:[^:]*]]: !llvm.ptr,
// CHECK-SAME: %[[X:[^:]*]]: memref<2x3xf32>, %[[OUT:[^:]*]]: memref<2x3xf32>,
// CHECK-SAME: %[[W:[^:]*]]: memref<2x3xf32>, %[[M:[^:]*]]: memref<4xi1>) -> i32
// CHECK-NOT: memref.get_global
// CHECK: memref.copy %[[W]], %[[OUT]]
// CHECK: memref.copy %[[W]], %[[OUT]]
// CHECK: "test.use"(%[[M]])
// CHECK: %[[OK:.*]] = arith.constant 0 : i32
// CHECK-NEXT: return %[[OK]] : i32
module attributes {kiln.abi = {inputs = [{name = "x", type = tensor<2x3xf32>}], model = "m", outputs = [{name = "out", type = tensor<2x3xf32>}]}, kiln.model_name = "m"} {
  memref.global "private" constant @w : memref<2x3xf32> = dense<1.0>
  memref.global "private" constant @m : memref<4xi1> = dense<true>
  func.func private @_kiln_m_forward_impl(%x: memref<2x3xf32>, %out: memref<2x3xf32>) attributes {kiln.abi = {inputs = [{name = "x", type = tensor<2x3xf32>}], model = "m", outputs = [{name = "out", type = tensor<2x3xf32>}]}} {
    %0 = memref.get_global @w : memref<2x3xf32>
    memref.copy %0, %out : memref<2x3xf32> to memref<2x3xf32>
    %1 = memref.get_global @w : memref<2x3xf32>
    memref.copy %1, %out : memref<2x3xf32> to memref<2x3xf32>
    %2 = memref.get_global @m : memref<4xi1>
    "test.use"(%2) : (memref<4xi1>) -> ()
    return
  }
}

// -----

// No globals: no weight arguments, an empty table.
// CHECK-LABEL: module attributes {kiln.abi = {{.*}}, kiln.cuda_weights = []}
// CHECK: func.func private @impl(%{{[^:]*}}: !llvm.ptr, %{{[^:]*}}: !llvm.ptr, %{{[^:]*}}: memref<2xf32>) -> i32
module attributes {kiln.abi = {inputs = [], model = "m", outputs = [{name = "out", type = tensor<2xf32>}]}} {
  func.func private @impl(%out: memref<2xf32>) attributes {kiln.abi = {}} {
    return
  }
}

// -----

// expected-error @+1 {{no model function with 'kiln.abi' found; run --kiln-prepare-abi first}}
module {
  func.func @f(%out: memref<2xf32>) {
    return
  }
}

// -----

module {
  // expected-error @+1 {{expected results as out-parameters (run buffer-results-to-out-params first)}}
  func.func @f() -> memref<2xf32> attributes {kiln.abi = {}} {
    %0 = memref.alloc() : memref<2xf32>
    return %0 : memref<2xf32>
  }
}
