// --convert-kiln-to-linalg: a constant bool tensor read by an elementwise
// loop (a causal mask in where) becomes a constant of bytes compared to
// zero in the body: LLVM vectorizes byte loads, while i1 elements in memory
// were turned into masks one bit at a time.
// RUN: kiln-opt %s --convert-kiln-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @causal_mask
// CHECK: %[[BYTES:.*]] = arith.constant dense<{{\[}}[1, 0], [1, 1]]> : tensor<2x2xi8>
// CHECK: linalg.generic {{.*}} ins(%[[BYTES]], %{{.*}}, %{{.*}} : tensor<2x2xi8>, tensor<3x2x2xf32>, tensor<f32>)
// CHECK: ^bb0(%[[M:.*]]: i8,
// CHECK: %[[C:.*]] = arith.cmpi ne, %[[M]], %{{.*}} : i8
// CHECK: arith.select %[[C]]
func.func @causal_mask(%x: tensor<3x2x2xf32>) -> tensor<3x2x2xf32> {
  %m = kiln.constant dense<[[true, false], [true, true]]> : tensor<2x2xi1>
  %ninf = kiln.constant dense<0xFF800000> : tensor<f32>
  %0 = kiln.where %m, %x, %ninf : tensor<2x2xi1>, tensor<3x2x2xf32>, tensor<f32>
  return %0 : tensor<3x2x2xf32>
}
