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

// A depthwise convolution anchoring a group (bias, residual add, relu) is
// one all-parallel loop nest over the output: the sum starts at the bias,
// the taps accumulate in a register and the epilogue applies to it before
// the one store; no bias fill, no second sweep. The residual is an operand.
// CHECK-LABEL: func.func @depthwise_epilogue
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x8x8xf32>, %[[W:.*]]: tensor<4x1x3x3xf32>, %[[B:.*]]: tensor<4xf32>, %[[R:.*]]: tensor<1x4x6x6xf32>)
// CHECK-NOT: linalg.generic
// CHECK: %[[OUT:.*]] = linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "parallel"]
// CHECK-SAME: ins(%[[B]], %[[R]] : tensor<4xf32>, tensor<1x4x6x6xf32>)
// CHECK-NEXT: ^bb0(%[[BIAS:.*]]: f32, %[[RES:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[SUM:.*]] = scf.for {{.*}} iter_args(%{{.*}} = %[[BIAS]])
// CHECK: %[[ADD:.*]] = arith.addf %[[SUM]], %[[RES]]
// CHECK: %[[RELU:.*]] = arith.maximumf %[[ADD]]
// CHECK: linalg.yield %[[RELU]]
// CHECK-NOT: linalg.generic
// CHECK: return %[[OUT]]
func.func @depthwise_epilogue(%x: tensor<1x4x8x8xf32>, %w: tensor<4x1x3x3xf32>, %b: tensor<4xf32>, %r: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  %0 = kiln.fused(%x, %w, %b, %r) : (tensor<1x4x8x8xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>, tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  ^bb0(%px: tensor<1x4x8x8xf32>, %pw: tensor<4x1x3x3xf32>, %pb: tensor<4xf32>, %pr: tensor<1x4x6x6xf32>):
    %c = kiln.conv2d %px, %pw, %pb {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>, groups = 4 : i64} : tensor<1x4x8x8xf32>, tensor<4x1x3x3xf32>, tensor<4xf32> -> tensor<1x4x6x6xf32>
    %s = kiln.add %c, %pr : tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>
    %y = kiln.relu %s : tensor<1x4x6x6xf32>
    kiln.yield %y : tensor<1x4x6x6xf32>
  }
  return %0 : tensor<1x4x6x6xf32>
}
