// kiln.constant (lib/Conversion/KilnToLinalg/TensorConstructors.cpp).
// RUN: kiln-opt %s --convert-kiln-to-linalg | FileCheck %s

// Constants become arith.constant; weights stay dense_resource.
// CHECK-LABEL: func.func @constants
// CHECK-DAG: %[[D:.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[W:.*]] = arith.constant dense_resource<weight> : tensor<2xf32>
// CHECK-NOT: kiln.constant
// CHECK: return %[[D]], %[[W]]
func.func @constants() -> (tensor<2xf32>, tensor<2xf32>) {
  %0 = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %1 = kiln.constant dense_resource<weight> : tensor<2xf32>
  return %0, %1 : tensor<2xf32>, tensor<2xf32>
}

// CHECK: weight: "0x040000000000803F00000040"
{-#
  dialect_resources: {
    builtin: {
      weight: "0x040000000000803F00000040"
    }
  }
#-}
