// A depthwise convolution (one filter per channel) is a direct loop nest
// tagged kiln.depthwise, with its geometry and epilogue (at most a relu or
// a clamp); --kiln-lower-depthwise makes it a kiln_dwconv2d call that reads
// the unpadded input (the zero fill and the padded copy go). With
// pad-in-place=false the padded copy stays and the call reads it with no
// padding. Other epilogues (sigmoid), a residual, and two filters per
// channel keep the loop nest.
// RUN: kiln-opt %s --kiln-fuse-elementwise --kiln-fuse-epilogue --convert-kiln-to-linalg | FileCheck %s --check-prefix=TAG
// RUN: kiln-opt %s --kiln-fuse-elementwise --kiln-fuse-epilogue --convert-kiln-to-linalg --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" --kiln-lower-depthwise="threads=1" | FileCheck %s
// RUN: kiln-opt %s --kiln-fuse-elementwise --kiln-fuse-epilogue --convert-kiln-to-linalg --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" --kiln-lower-depthwise="threads=1 pad-in-place=false" | FileCheck %s --check-prefix=PADDED

// TAG-LABEL: func.func @relu6_stride2
// TAG: kiln.depthwise = #kiln.depthwise<stride = [2, 2], dilation = [1, 1], padding = [1, 1], kernel = [3, 3], epilogue = <act = clamp, lo = 0.000000e+00 : f32, hi = 6.000000e+00 : f32, residual = -1>, bias = true>
// Arguments: batch 2, 8 channels, the unpadded 15 x 17 input (strides 2040,
// 255, 17), the 3x3 weight, the bias, the 8 x 9 output, strides 2, 2,
// dilation 1, 1, padding 1, 1, the output (strides 576, 72, 9), clamp to
// [0, 6] (0x40C00000 = 1086324736), 1 thread, the scratch space (131136
// bytes: kiln_dwconv2d_scratch_bytes(1)).
// CHECK-LABEL: func.func @relu6_stride2
// CHECK-NOT: memref.copy
// CHECK-NOT: linalg.
// CHECK: memref.alloc() {{.*}}: memref<131136xi8>
// CHECK: call @kiln_dwconv2d(%c2_i64{{[_0-9]*}}, %c8_i64{{[_0-9]*}}, %c15_i64{{[_0-9]*}}, %c17_i64{{[_0-9]*}}, %{{[0-9]+}}, %c2040_i64{{[_0-9]*}}, %c255_i64{{[_0-9]*}}, %c17_i64{{[_0-9]*}}, %{{[0-9]+}}, %c3_i64{{[_0-9]*}}, %c3_i64{{[_0-9]*}}, %{{[0-9]+}}, %c8_i64{{[_0-9]*}}, %c9_i64{{[_0-9]*}}, %c2_i64{{[_0-9]*}}, %c2_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %{{[0-9]+}}, %c576_i64{{[_0-9]*}}, %c72_i64{{[_0-9]*}}, %c9_i64{{[_0-9]*}}, %c2_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, %c1086324736_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %{{[0-9]+}})
// CHECK-NOT: linalg.
// CHECK: return
// The padded 17 x 19 copy, read with no padding.
// PADDED-LABEL: func.func @relu6_stride2
// PADDED: linalg.map
// PADDED: memref.copy
// PADDED: call @kiln_dwconv2d(%c2_i64{{[_0-9]*}}, %c8_i64{{[_0-9]*}}, %c17_i64{{[_0-9]*}}, %c19_i64{{[_0-9]*}}, %{{[0-9]+}}, %c2584_i64{{[_0-9]*}}, %c323_i64{{[_0-9]*}}, %c19_i64{{[_0-9]*}}, {{.*}}, %c0_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, %{{[0-9]+}}, %c576_i64{{[_0-9]*}},
func.func @relu6_stride2(%x: tensor<2x8x15x17xf32>, %w: tensor<8x1x3x3xf32>, %b: tensor<8xf32>) -> tensor<2x8x8x9xf32> {
  %0 = kiln.conv2d %x, %w, %b {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>, dilation = array<i64: 1, 1>, groups = 8 : i64} : tensor<2x8x15x17xf32>, tensor<8x1x3x3xf32>, tensor<8xf32> -> tensor<2x8x8x9xf32>
  %1 = kiln.clamp %0 {min = 0.0 : f64, max = 6.0 : f64} : tensor<2x8x8x9xf32>
  return %1 : tensor<2x8x8x9xf32>
}

// No bias, no padding, no epilogue: nothing to remove; bias address 0,
// act 0.
// TAG-LABEL: func.func @plain
// TAG: kiln.depthwise = #kiln.depthwise<stride = [1, 1], dilation = [2, 2], padding = [0, 0], kernel = [5, 5], epilogue = <act = none, {{.*}}>, bias = false>
// CHECK-LABEL: func.func @plain
// CHECK: call @kiln_dwconv2d(%c1_i64{{[_0-9]*}}, %c4_i64{{[_0-9]*}}, %c12_i64{{[_0-9]*}}, %c12_i64{{[_0-9]*}}, {{.*}}, %c5_i64{{[_0-9]*}}, %c5_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, %c4_i64{{[_0-9]*}}, %c4_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c2_i64{{[_0-9]*}}, %c2_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, {{.*}}, %c0_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %{{[0-9]+}})
func.func @plain(%x: tensor<1x4x12x12xf32>, %w: tensor<4x1x5x5xf32>) -> tensor<1x4x4x4xf32> {
  %0 = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>, dilation = array<i64: 2, 2>, groups = 4 : i64} : tensor<1x4x12x12xf32>, tensor<4x1x5x5xf32> -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// A sigmoid after the convolution is no epilogue the call applies; a
// residual add neither; two filters per channel are no depthwise
// convolution: all three keep their loop nests (and padded copies).
// TAG-LABEL: func.func @kept
// TAG-NOT: kiln.depthwise
// TAG: return
// CHECK-LABEL: func.func @kept
// CHECK-NOT: kiln_dwconv2d
// CHECK: return
func.func @kept(%x: tensor<1x4x6x6xf32>, %w: tensor<4x1x3x3xf32>, %w2: tensor<8x1x3x3xf32>) -> (tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>, tensor<1x8x6x6xf32>) {
  %0 = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 1, 1>, dilation = array<i64: 1, 1>, groups = 4 : i64} : tensor<1x4x6x6xf32>, tensor<4x1x3x3xf32> -> tensor<1x4x6x6xf32>
  %1 = kiln.sigmoid %0 : tensor<1x4x6x6xf32>
  %2 = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 1, 1>, dilation = array<i64: 1, 1>, groups = 4 : i64} : tensor<1x4x6x6xf32>, tensor<4x1x3x3xf32> -> tensor<1x4x6x6xf32>
  %3 = kiln.add %2, %x : tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>
  %4 = kiln.conv2d %x, %w2 {stride = array<i64: 1, 1>, padding = array<i64: 1, 1>, dilation = array<i64: 1, 1>, groups = 4 : i64} : tensor<1x4x6x6xf32>, tensor<8x1x3x3xf32> -> tensor<1x8x6x6xf32>
  return %1, %3, %4 : tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>, tensor<1x8x6x6xf32>
}
