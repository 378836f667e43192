// --convert-kiln-to-linalg: which convolutions become kiln_sgemm products.
// RUN: kiln-opt %s --convert-kiln-to-linalg | FileCheck %s

// A 1x1, stride-1 convolution with a short reduction (C = 16) is a matrix
// product over its input as it is: no im2col, no direct loop nest.
// CHECK-LABEL: func.func @pointwise_short
// CHECK-NOT: scf.for
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]
// CHECK-SAME: kiln.gemm
// CHECK-NOT: scf.for
// CHECK: return
func.func @pointwise_short(%x: tensor<1x16x8x8xf32>, %w: tensor<24x16x1x1xf32>) -> tensor<1x24x8x8xf32> {
  %0 = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>, groups = 1 : i64} : tensor<1x16x8x8xf32>, tensor<24x16x1x1xf32> -> tensor<1x24x8x8xf32>
  return %0 : tensor<1x24x8x8xf32>
}

// Below 8 input channels a pointwise convolution stays a direct loop nest.
// CHECK-LABEL: func.func @pointwise_tiny
// CHECK-NOT: kiln.gemm
// CHECK: scf.for
// CHECK-NOT: kiln.gemm
// CHECK: return
func.func @pointwise_tiny(%x: tensor<1x4x8x8xf32>, %w: tensor<24x4x1x1xf32>) -> tensor<1x24x8x8xf32> {
  %0 = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>, groups = 1 : i64} : tensor<1x4x8x8xf32>, tensor<24x4x1x1xf32> -> tensor<1x24x8x8xf32>
  return %0 : tensor<1x24x8x8xf32>
}

// A 3x3 convolution over 1 channel (reduction 9) stays direct; over 2
// channels (reduction 18) it goes through im2col.
// CHECK-LABEL: func.func @window_short
// CHECK-NOT: kiln.gemm
// CHECK: return
func.func @window_short(%x: tensor<1x1x8x8xf32>, %w: tensor<8x1x3x3xf32>) -> tensor<1x8x6x6xf32> {
  %0 = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>, groups = 1 : i64} : tensor<1x1x8x8xf32>, tensor<8x1x3x3xf32> -> tensor<1x8x6x6xf32>
  return %0 : tensor<1x8x6x6xf32>
}
// CHECK-LABEL: func.func @window_long
// CHECK: kiln.gemm
func.func @window_long(%x: tensor<1x2x8x8xf32>, %w: tensor<8x2x3x3xf32>) -> tensor<1x8x6x6xf32> {
  %0 = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>, groups = 1 : i64} : tensor<1x2x8x8xf32>, tensor<8x2x3x3xf32> -> tensor<1x8x6x6xf32>
  return %0 : tensor<1x8x6x6xf32>
}
