// A product's bias and epilogue go into the runtime call: the lowering tags
// the generic that starts the accumulator at the bias (kiln.bias_init) and
// an epilogue of the form act(acc [+ residual]) with act none, relu or a
// clamp (kiln.epilogue); --kiln-lower-gemm passes both to kiln_sgemm_epi
// (or kiln_sgemm_conv) and erases the generics. Other epilogues (gelu)
// stay loops after the call; fuse-epilogues=false keeps everything.
// RUN: kiln-opt %s --kiln-fuse-elementwise --kiln-fuse-epilogue --convert-kiln-to-linalg | FileCheck %s --check-prefix=TAG
// RUN: kiln-opt %s --kiln-fuse-elementwise --kiln-fuse-epilogue --convert-kiln-to-linalg --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" --kiln-lower-gemm="threads=1 pack-nr=32" | FileCheck %s
// RUN: kiln-opt %s --kiln-fuse-elementwise --kiln-fuse-epilogue --convert-kiln-to-linalg --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" --kiln-lower-gemm="threads=1 pack-nr=32 fuse-epilogues=false" | FileCheck %s --check-prefix=KEEP

// TAG-LABEL: func.func @linear_relu
// TAG: linalg.generic {{.*}}kiln.bias_init
// TAG: kiln.gemm
// TAG: linalg.generic {{.*}}kiln.epilogue = #kiln.epilogue<act = relu, lo = 0.000000e+00 : f32, hi = 0x7F800000 : f32, residual = -1>
// A linear's bias varies along C's columns (bias_rs 0, bias_cs 1); relu is
// act 1 with lo = 0 and hi = +inf (0x7F800000).
// CHECK-LABEL: func.func @linear_relu
// CHECK-NOT: linalg.generic
// CHECK: call @kiln_sgemm_epi({{.*}}, %{{[0-9]+}}, %c0_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, %c64_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, %c2139095040_i64)
// CHECK-NOT: linalg.generic
// CHECK: return
// KEEP-LABEL: func.func @linear_relu
// KEEP: linalg.generic
// KEEP: call @kiln_sgemm(
// KEEP: linalg.generic
func.func @linear_relu(%x: tensor<32x128xf32>, %w: tensor<64x128xf32>, %b: tensor<64xf32>) -> tensor<32x64xf32> {
  %0 = kiln.linear %x, %w, %b : tensor<32x128xf32>, tensor<64x128xf32>, tensor<64xf32>
  %1 = kiln.relu %0 : tensor<32x64xf32>
  return %1 : tensor<32x64xf32>
}

// conv + bias + residual + relu6 (a clamp to [0, 6]): the bias varies
// along C's rows (the output channels: bias_rs 1, bias_cs 0), the residual
// is read at C's own layout (row stride 64 positions), act 2 with lo = 0
// and hi = 6 (0x40C00000 = 1086324736).
// TAG-LABEL: func.func @conv_residual_relu6
// TAG: kiln.epilogue = #kiln.epilogue<act = clamp, lo = 0.000000e+00 : f32, hi = 6.000000e+00 : f32, residual = 0>
// CHECK-LABEL: func.func @conv_residual_relu6
// CHECK-NOT: linalg.generic {{.*}}kiln.bias_init
// CHECK: call @kiln_sgemm_conv({{.*}}, %{{[0-9]+}}, %c0_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, %{{[0-9]+}}, %c0_i64{{[_0-9]*}}, %c64_i64{{[_0-9]*}}, %c2_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, %c1086324736_i64)
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @conv_residual_relu6(%x: tensor<1x16x8x8xf32>, %w: tensor<32x16x3x3xf32>, %b: tensor<32xf32>, %r: tensor<1x32x8x8xf32>) -> tensor<1x32x8x8xf32> {
  %0 = kiln.conv2d %x, %w, %b {stride = array<i64: 1, 1>, padding = array<i64: 1, 1>, dilation = array<i64: 1, 1>, groups = 1 : i64} : tensor<1x16x8x8xf32>, tensor<32x16x3x3xf32>, tensor<32xf32> -> tensor<1x32x8x8xf32>
  %1 = kiln.add %0, %r : tensor<1x32x8x8xf32>, tensor<1x32x8x8xf32>
  %2 = kiln.clamp %1 {min = 0.0 : f64, max = 6.0 : f64} : tensor<1x32x8x8xf32>
  return %2 : tensor<1x32x8x8xf32>
}

// gelu is not an activation kiln_sgemm applies: the bias still starts the
// accumulator inside the call, and the gelu loop follows it.
// TAG-LABEL: func.func @linear_gelu
// TAG-NOT: kiln.epilogue
// TAG: return
// CHECK-LABEL: func.func @linear_gelu
// CHECK: call @kiln_sgemm_epi({{.*}}, %{{[0-9]+}}, %c0_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, %c64_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}})
// CHECK: linalg.generic
// CHECK: math.erf
func.func @linear_gelu(%x: tensor<32x128xf32>, %w: tensor<64x128xf32>, %b: tensor<64xf32>) -> tensor<32x64xf32> {
  %0 = kiln.linear %x, %w, %b : tensor<32x128xf32>, tensor<64x128xf32>, tensor<64xf32>
  %1 = kiln.gelu %0 : tensor<32x64xf32>
  return %1 : tensor<32x64xf32>
}
