// --convert-kiln-to-linalg on the edge cases: rank-0 reductions, constants in groups.
// RUN: kiln-opt %s --convert-kiln-to-linalg | FileCheck %s

// A dot product (1-D x 1-D) is a rank-0 reduction.
// CHECK-LABEL: func.func @dot
// CHECK: linalg.fill
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #{{.*}}], iterator_types = ["reduction"]}
// CHECK: } -> tensor<f32>
func.func @dot(%v: tensor<4xf32>) -> tensor<f32> {
  %0 = kiln.matmul %v, %v : tensor<4xf32>, tensor<4xf32>
  return %0 : tensor<f32>
}

// A splat constant inside a group becomes a scalar constant in the body.
// CHECK-LABEL: func.func @fused_splat_constant
// CHECK: linalg.generic
// CHECK: %[[TWO:.*]] = arith.constant 2.000000e+00 : f32
// CHECK: arith.mulf %{{.*}}, %[[TWO]] : f32
func.func @fused_splat_constant(%a: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %0 = kiln.fused (%a) : (tensor<3x4xf32>) -> tensor<3x4xf32> {
  ^bb0(%x: tensor<3x4xf32>):
    %c = kiln.constant dense<2.0> : tensor<f32>
    %1 = kiln.mul %x, %c : tensor<3x4xf32>, tensor<f32>
    kiln.yield %1 : tensor<3x4xf32>
  }
  return %0 : tensor<3x4xf32>
}
