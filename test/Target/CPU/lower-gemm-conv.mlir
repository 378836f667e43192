// --kiln-lower-gemm reads a convolution's windows in place: the product of
// the weight and the im2col copy (tagged kiln.im2col) becomes one
// kiln_sgemm_conv call on the padded input, and the copy is gone. With
// im2col-in-place=false the copy stays and kiln_sgemm reads it.
// RUN: kiln-opt %s --convert-kiln-to-linalg --one-shot-bufferize="bufferize-function-boundaries" --kiln-lower-gemm="threads=1 pack-nr=32" | FileCheck %s
// RUN: kiln-opt %s --convert-kiln-to-linalg --one-shot-bufferize="bufferize-function-boundaries" --kiln-lower-gemm="threads=1 pack-nr=32 im2col-in-place=false" | FileCheck %s --check-prefix=COPY

// The im2col copy is tagged with [stride_h, stride_w, dilation_h, dilation_w].
// RUN: kiln-opt %s --convert-kiln-to-linalg | FileCheck %s --check-prefix=TAG
// TAG-LABEL: func.func @strided_dilated
// TAG: linalg.generic {{.*}} attrs = {kiln.im2col = #kiln.im2col<stride = [2, 1], dilation = [1, 2]>}

// A 3x3, stride-2 (rows), dilation-2 (columns) convolution of a padded
// [1, 4, 12, 14] input: m = 16 output channels, n = 5 x 10 positions,
// k = 4 x 3 x 3; the input's strides are 168 (channel), 14 (row), 1; the
// geometry is kh, kw, ow, stride h, w, dilation h, w. (The weight is an
// argument here: nothing is packed at compile time.)
// CHECK-LABEL: func.func @strided_dilated
// CHECK-NOT: kiln.im2col
// CHECK: call @kiln_sgemm_conv(%c1_i64{{[_0-9]*}}, %c16_i64{{[_0-9]*}}, %c50_i64{{[_0-9]*}}, %c36_i64{{[_0-9]*}}, %{{[0-9]+}}, %c0_i64{{[_0-9]*}}, %c36_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %{{[0-9]+}}, %c0_i64{{[_0-9]*}}, %c168_i64{{[_0-9]*}}, %c14_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c3_i64{{[_0-9]*}}, %c3_i64{{[_0-9]*}}, %c10_i64{{[_0-9]*}}, %c2_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c2_i64{{[_0-9]*}}, %{{[0-9]+}}, %c0_i64{{[_0-9]*}}, %c50_i64{{[_0-9]*}}, %{{[0-9]+}}, %c1_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, {{.*}})
// CHECK-NOT: call @kiln_sgemm(
// CHECK: return
// COPY-LABEL: func.func @strided_dilated
// COPY: linalg.generic {{.*}}kiln.im2col
// COPY-NOT: kiln_sgemm_conv
// COPY: call @kiln_sgemm(
func.func @strided_dilated(%x: tensor<1x4x10x10xf32>, %w: tensor<16x4x3x3xf32>) -> tensor<1x16x5x10xf32> {
  %0 = kiln.conv2d %x, %w {stride = array<i64: 2, 1>, padding = array<i64: 1, 2>, dilation = array<i64: 1, 2>, groups = 1 : i64} : tensor<1x4x10x10xf32>, tensor<16x4x3x3xf32> -> tensor<1x16x5x10xf32>
  return %0 : tensor<1x16x5x10xf32>
}

// A 7x7 output (49 positions) pads 32-wide panels to 64 columns: the
// product runs transposed (the argument after the panel height, 0 here:
// the weight is an argument, nothing is packed), positions as the tile's rows.
// Its packing space holds the 49 x 64 scratch product too: 12544 bytes
// (+ 64 to align it) before the 142976 of a 49 x 64 x 288 product.
// CHECK-LABEL: func.func @few_positions
// CHECK: memref.alloc(){{.*}}: memref<155584xi8>
// CHECK: call @kiln_sgemm_conv(%c1_i64{{[_0-9]*}}, %c64_i64{{[_0-9]*}}, %c49_i64{{[_0-9]*}}, %c288_i64{{[_0-9]*}}, {{.*}}, %c49_i64{{[_0-9]*}}, %{{[0-9]+}}, %c1_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, 
// A 16x16 output (256 positions) fills its 32-wide panels: it stays.
// CHECK-LABEL: func.func @more_positions
// CHECK: call @kiln_sgemm_conv({{.*}}, %c256_i64{{[_0-9]*}}, %{{[0-9]+}}, %c1_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, 
func.func @few_positions(%x: tensor<1x32x7x7xf32>, %w: tensor<64x32x3x3xf32>) -> tensor<1x64x7x7xf32> {
  %0 = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 1, 1>, dilation = array<i64: 1, 1>, groups = 1 : i64} : tensor<1x32x7x7xf32>, tensor<64x32x3x3xf32> -> tensor<1x64x7x7xf32>
  return %0 : tensor<1x64x7x7xf32>
}
func.func @more_positions(%x: tensor<1x32x16x16xf32>, %w: tensor<64x32x3x3xf32>) -> tensor<1x64x16x16xf32> {
  %0 = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 1, 1>, dilation = array<i64: 1, 1>, groups = 1 : i64} : tensor<1x32x16x16xf32>, tensor<64x32x3x3xf32> -> tensor<1x64x16x16xf32>
  return %0 : tensor<1x64x16x16xf32>
}
