// Data movement (lib/Conversion/KilnToLinalg/DataMovement.cpp): transpose,
// reshape, concat, slice, pad; broadcast is elementwise (a copy generic).
// RUN: kiln-opt %s --convert-kiln-to-linalg | FileCheck %s

// A transpose is a permutation copy, tagged for --kiln-fold-transposes:
// result (i, j, k) reads input (j, k, i).
// CHECK-DAG: #[[STRETCH:.*]] = affine_map<(d0, d1) -> (0, d1)>
// CHECK-DAG: #[[PERM:.*]] = affine_map<(d0, d1, d2) -> (d1, d2, d0)>
// CHECK-DAG: #[[ID3:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @transpose
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<4x2x3xf32>
// CHECK: linalg.generic {indexing_maps = [#[[PERM]], #[[ID3]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[X]] : tensor<2x3x4xf32>) outs(%[[E]] : tensor<4x2x3xf32>) attrs =  {kiln.transpose}
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: linalg.yield %[[IN]]
func.func @transpose(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = kiln.transpose %x, [2, 0, 1] : tensor<2x3x4xf32>
  return %0 : tensor<4x2x3xf32>
}

// CHECK-LABEL: func.func @reshape
// CHECK: %[[SHAPE:.*]] = arith.constant dense<[4, 6]> : tensor<2xi64>
// CHECK: tensor.reshape %{{.*}}(%[[SHAPE]]) : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<4x6xf32>
func.func @reshape(%x: tensor<2x3x4xf32>) -> tensor<4x6xf32> {
  %0 = kiln.reshape %x : tensor<2x3x4xf32> to tensor<4x6xf32>
  return %0 : tensor<4x6xf32>
}

// Each part is inserted at its offset along the dim.
// CHECK-LABEL: func.func @concat
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<2x5xf32>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x8xf32>
// CHECK: %[[S0:.*]] = tensor.insert_slice %[[A]] into %[[E]][0, 0] [2, 3] [1, 1]
// CHECK: %[[S1:.*]] = tensor.insert_slice %[[B]] into %[[S0]][0, 3] [2, 5] [1, 1]
// CHECK: return %[[S1]]
func.func @concat(%a: tensor<2x3xf32>, %b: tensor<2x5xf32>) -> tensor<2x8xf32> {
  %0 = kiln.concat %a, %b {dim = 1 : i64} : tensor<2x3xf32>, tensor<2x5xf32>
  return %0 : tensor<2x8xf32>
}

// CHECK-LABEL: func.func @slice_strided
// CHECK: tensor.extract_slice %{{.*}}[0, 1] [2, 3] [1, 2] : tensor<2x8xf32> to tensor<2x3xf32>
func.func @slice_strided(%x: tensor<2x8xf32>) -> tensor<2x3xf32> {
  %0 = kiln.slice %x {offsets = array<i64: 0, 1>, sizes = array<i64: 2, 3>, strides = array<i64: 1, 2>} : tensor<2x8xf32> to tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @pad
// CHECK: %[[V:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: tensor.pad %{{.*}} low[0, 1] high[0, 2]
// CHECK: tensor.yield %[[V]] : f32
// CHECK: } : tensor<2x3xf32> to tensor<2x6xf32>
func.func @pad(%x: tensor<2x3xf32>) -> tensor<2x6xf32> {
  %0 = kiln.pad %x {high = array<i64: 0, 2>, low = array<i64: 0, 1>, value = 0.000000e+00 : f64} : tensor<2x3xf32> to tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// A broadcast copies with the stretched dim pinned at 0.
// CHECK-LABEL: func.func @broadcast
// CHECK: linalg.generic {indexing_maps = [#[[STRETCH]], #{{.*}}], iterator_types = ["parallel", "parallel"]} ins(%{{.*}} : tensor<1x4xf32>) outs(%{{.*}} : tensor<3x4xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: linalg.yield %[[IN]]
func.func @broadcast(%x: tensor<1x4xf32>) -> tensor<3x4xf32> {
  %0 = kiln.broadcast %x : tensor<1x4xf32> to tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}
