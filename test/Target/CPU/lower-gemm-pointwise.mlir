// A 1x1, stride-1 convolution with few positions (7x7: 49) runs with the
// positions as the tile's rows: --kiln-lower-gemm calls kiln_sgemm_conv,
// transposed, with a 1x1 window over rows of 49 positions (in_cs 49,
// in_hs 49, in_ws 1, kh = kw = 1, ow = 49, unit strides and dilations),
// the weight prepacked in 32-wide panels (the argument after the packing
// space's thread count), and the bias (per row, bias_rs 1) and relu6 in the
// call. At 14x14 (196 positions) 14-row tiles pad 196 like B's panels pad
// 208: less than 10% better, so the product stays a plain call.
// RUN: kiln-opt %s --kiln-fuse-elementwise --kiln-fuse-epilogue --convert-kiln-to-linalg --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" --kiln-lower-gemm="threads=1 pack-nr=32" | FileCheck %s
// RUN: kiln-opt %s --kiln-fuse-elementwise --kiln-fuse-epilogue --convert-kiln-to-linalg --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" --kiln-lower-gemm="threads=1 pack-nr=16" | FileCheck %s --check-prefix=AVX2

// CHECK-LABEL: func.func @pointwise_7x7
// CHECK: memref.get_global @{{.*}}_packedA32
// CHECK: call @kiln_sgemm_conv(%c1_i64{{[_0-9]*}}, %c64_i64{{[_0-9]*}}, %c49_i64{{[_0-9]*}}, %c96_i64{{[_0-9]*}}, %{{[0-9]+}}, %c{{[0-9]+}}_i64{{[_0-9]*}}, %c96_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %{{[0-9]+}}, %c{{[0-9]+}}_i64{{[_0-9]*}}, %c49_i64{{[_0-9]*}}, %c49_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c49_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %{{[0-9]+}}, %c{{[0-9]+}}_i64{{[_0-9]*}}, %c49_i64{{[_0-9]*}}, %{{[0-9]+}}, %c1_i64{{[_0-9]*}}, %c32_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %{{[0-9]+}}, %c0_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, {{.*}}, %c2_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, %c1086324736_i64{{[_0-9]*}})
// CHECK-NOT: kiln_sgemm_epi
// CHECK-LABEL: func.func @pointwise_14x14
// CHECK-NOT: kiln_sgemm_conv
// CHECK: call @kiln_sgemm(
// Without the AVX-512 kernel (16-wide panels) nothing is transposed.
// AVX2-LABEL: func.func @pointwise_7x7
// AVX2-NOT: kiln_sgemm_conv
// AVX2: call @kiln_sgemm_epi(
func.func @pointwise_7x7(%x: tensor<1x96x7x7xf32>) -> tensor<1x64x7x7xf32> {
  %w = kiln.constant dense<0.5> : tensor<64x96x1x1xf32>
  %b = kiln.constant dense<0.25> : tensor<64xf32>
  %0 = kiln.conv2d %x, %w, %b {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>, groups = 1 : i64} : tensor<1x96x7x7xf32>, tensor<64x96x1x1xf32>, tensor<64xf32> -> tensor<1x64x7x7xf32>
  %1 = kiln.clamp %0 {min = 0.0 : f64, max = 6.0 : f64} : tensor<1x64x7x7xf32>
  return %1 : tensor<1x64x7x7xf32>
}
func.func @pointwise_14x14(%x: tensor<1x96x14x14xf32>) -> tensor<1x64x14x14xf32> {
  %w = kiln.constant dense<0.5> : tensor<64x96x1x1xf32>
  %0 = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>, groups = 1 : i64} : tensor<1x96x14x14xf32>, tensor<64x96x1x1xf32> -> tensor<1x64x14x14xf32>
  return %0 : tensor<1x64x14x14xf32>
}
