// conv2d, pool2d and resize_bilinear (lib/Conversion/KilnToLinalg/
// ConvPool.cpp): which convolutions become kiln_sgemm products, and the
// window loops of pooling.
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

// Pooling: an all-parallel generic over the output whose body reduces the
// window (scf.for over kh, kw) from the neutral element; input index
// oh * stride + kh * dilation.
// CHECK-LABEL: func.func @max_pool
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x4x4xf32>)
// CHECK: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%{{.*}} : tensor<1x2x2x2xf32>)
// CHECK: %[[OH:.*]] = linalg.index 2
// CHECK: scf.for %[[KH:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%{{.*}} = %[[NEGINF]])
// CHECK: arith.muli %[[OH]], %{{.*}} : index
// CHECK: scf.for
// CHECK: tensor.extract %[[X]]
// CHECK: arith.maximumf
func.func @max_pool(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32> {
  %0 = kiln.pool2d max, %x {dilation = array<i64: 1, 1>, kernel = array<i64: 2, 2>, padding = array<i64: 0, 0>, stride = array<i64: 2, 2>} : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  return %0 : tensor<1x2x2x2xf32>
}

// Average pooling pads with zeros first and divides by the window size
// (padding counted, as count_include_pad=True).
// CHECK-LABEL: func.func @avg_pool_padded
// CHECK: %[[P:.*]] = tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: } : tensor<1x2x4x4xf32> to tensor<1x2x6x6xf32>
// CHECK: linalg.generic
// CHECK: tensor.extract %[[P]]
// CHECK: arith.addf
// CHECK: %[[NINE:.*]] = arith.constant 9.000000e+00 : f32
// CHECK: arith.divf %{{.*}}, %[[NINE]]
func.func @avg_pool_padded(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %0 = kiln.pool2d avg, %x {dilation = array<i64: 1, 1>, kernel = array<i64: 3, 3>, padding = array<i64: 1, 1>, stride = array<i64: 1, 1>} : tensor<1x2x4x4xf32> -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// Bilinear resize (align_corners=False): source (o + 0.5) * scale - 0.5,
// clamped at 0, its floor and floor + 1 clamped to the last row; four
// reads blended by the fractions.
// CHECK-LABEL: func.func @resize_bilinear
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x1x4x4xf32>)
// CHECK: %[[OH:.*]] = linalg.index 2
// CHECK: %[[HALF:.*]] = arith.constant 5.000000e-01 : f32
// CHECK: arith.maximumf
// CHECK: math.floor
// CHECK: arith.minsi
// CHECK-COUNT-4: tensor.extract
// CHECK: linalg.yield
func.func @resize_bilinear(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32> {
  %0 = kiln.resize_bilinear %x {align_corners = false, scale_h = 5.000000e-01 : f64, scale_w = 5.000000e-01 : f64} : tensor<1x1x2x2xf32> -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}
