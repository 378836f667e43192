// Roundtrip of every kiln op through the custom and the generic syntax.
// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// RUN: kiln-opt %s --mlir-print-op-generic | kiln-opt | FileCheck %s
// RUN: kiln-opt %s --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC

// CHECK-LABEL: func.func @constants
func.func @constants() -> (tensor<2x2xf32>, tensor<4xf32>, tensor<i64>, tensor<2xf32>) {
  // CHECK-DAG: %[[DENSE:.*]] = kiln.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
  %0 = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  // CHECK-DAG: %[[SPLAT:.*]] = kiln.constant dense<5.000000e-01> : tensor<4xf32>
  %1 = kiln.constant dense<0.5> : tensor<4xf32>
  // CHECK-DAG: %[[SCALAR:.*]] = kiln.constant dense<7> : tensor<i64>
  %2 = kiln.constant dense<7> : tensor<i64>
  // CHECK-DAG: %[[BLOB:.*]] = kiln.constant dense_resource<weight> : tensor<2xf32>
  %3 = kiln.constant dense_resource<weight> : tensor<2xf32>
  // CHECK: return %[[DENSE]], %[[SPLAT]], %[[SCALAR]], %[[BLOB]]
  return %0, %1, %2, %3 : tensor<2x2xf32>, tensor<4xf32>, tensor<i64>, tensor<2xf32>
}
// GENERIC-LABEL: sym_name = "constants"
// GENERIC: "kiln.constant"() <{value = dense_resource<weight> : tensor<2xf32>}> : () -> tensor<2xf32>

// CHECK-LABEL: func.func @binary
// CHECK-SAME: (%[[A:.*]]: tensor<3x4xf32>, %[[B:.*]]: tensor<4xf32>)
func.func @binary(%a: tensor<3x4xf32>, %b: tensor<4xf32>)
    -> (tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>,
        tensor<3x4xf32>, tensor<3x4xf32>) {
  // CHECK: %[[ADD:.*]] = kiln.add %[[A]], %[[B]] : tensor<3x4xf32>, tensor<4xf32>
  // CHECK-NOT: alpha
  %0 = kiln.add %a, %b : tensor<3x4xf32>, tensor<4xf32>
  // CHECK: %[[ADD2:.*]] = kiln.add %[[A]], %[[B]] {alpha = 2.500000e+00 : f64} : tensor<3x4xf32>, tensor<4xf32>
  %1 = kiln.add %a, %b {alpha = 2.5 : f64} : tensor<3x4xf32>, tensor<4xf32>
  // CHECK: %[[SUB:.*]] = kiln.sub %[[B]], %[[A]] : tensor<4xf32>, tensor<3x4xf32>
  %2 = kiln.sub %b, %a : tensor<4xf32>, tensor<3x4xf32>
  // CHECK: %[[SUB2:.*]] = kiln.sub %[[A]], %[[A]] {alpha = -1.000000e+00 : f64} : tensor<3x4xf32>, tensor<3x4xf32>
  %3 = kiln.sub %a, %a {alpha = -1.0 : f64} : tensor<3x4xf32>, tensor<3x4xf32>
  // CHECK: %[[MUL:.*]] = kiln.mul %[[A]], %[[B]] : tensor<3x4xf32>, tensor<4xf32>
  %4 = kiln.mul %a, %b : tensor<3x4xf32>, tensor<4xf32>
  // CHECK: %[[DIV:.*]] = kiln.div %[[A]], %[[B]] : tensor<3x4xf32>, tensor<4xf32>
  %5 = kiln.div %a, %b : tensor<3x4xf32>, tensor<4xf32>
  // CHECK: return %[[ADD]], %[[ADD2]], %[[SUB]], %[[SUB2]], %[[MUL]], %[[DIV]]
  return %0, %1, %2, %3, %4, %5 : tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>,
                                  tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>
}
// The default alpha is explicit in the generic form.
// GENERIC-LABEL: sym_name = "binary"
// GENERIC: "kiln.add"(%{{.*}}, %{{.*}}) <{alpha = 1.000000e+00 : f64}> : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
// GENERIC: "kiln.add"(%{{.*}}, %{{.*}}) <{alpha = 2.500000e+00 : f64}> : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
// GENERIC: "kiln.sub"(%{{.*}}, %{{.*}}) <{alpha = 1.000000e+00 : f64}> : (tensor<4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>

// Broadcasting both ways, and integer operands.
// CHECK-LABEL: func.func @broadcast
// CHECK-SAME: (%[[A:.*]]: tensor<3x1xi64>, %[[B:.*]]: tensor<1x5xi64>, %[[S:.*]]: tensor<i64>)
func.func @broadcast(%a: tensor<3x1xi64>, %b: tensor<1x5xi64>, %s: tensor<i64>)
    -> (tensor<3x5xi64>, tensor<3x1xi64>) {
  // CHECK: %[[M:.*]] = kiln.mul %[[A]], %[[B]] : tensor<3x1xi64>, tensor<1x5xi64>
  %0 = kiln.mul %a, %b : tensor<3x1xi64>, tensor<1x5xi64>
  // CHECK: %[[D:.*]] = kiln.add %[[S]], %[[A]] : tensor<i64>, tensor<3x1xi64>
  %1 = kiln.add %s, %a : tensor<i64>, tensor<3x1xi64>
  // CHECK: return %[[M]], %[[D]]
  return %0, %1 : tensor<3x5xi64>, tensor<3x1xi64>
}
// GENERIC-LABEL: sym_name = "broadcast"
// GENERIC: "kiln.mul"(%{{.*}}, %{{.*}}) : (tensor<3x1xi64>, tensor<1x5xi64>) -> tensor<3x5xi64>
// GENERIC: "kiln.add"(%{{.*}}, %{{.*}}) <{alpha = 1.000000e+00 : f64}> : (tensor<i64>, tensor<3x1xi64>) -> tensor<3x1xi64>

// CHECK-LABEL: func.func @unary
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
func.func @unary(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // CHECK: %[[T:.*]] = kiln.tanh %[[X]] : tensor<2x3xf32>
  %0 = kiln.tanh %x : tensor<2x3xf32>
  // CHECK: %[[R:.*]] = kiln.relu %[[T]] : tensor<2x3xf32>
  %1 = kiln.relu %0 : tensor<2x3xf32>
  // CHECK: %[[S:.*]] = kiln.sigmoid %[[R]] : tensor<2x3xf32>
  %2 = kiln.sigmoid %1 : tensor<2x3xf32>
  // CHECK: return %[[S]]
  return %2 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @linear
// CHECK-SAME: (%[[X:.*]]: tensor<3x4xf32>, %[[W:.*]]: tensor<5x4xf32>, %[[B:.*]]: tensor<5xf32>, %[[X3:.*]]: tensor<2x3x4xf32>, %[[V:.*]]: tensor<4xf32>)
func.func @linear(%x: tensor<3x4xf32>, %w: tensor<5x4xf32>, %b: tensor<5xf32>,
                  %x3: tensor<2x3x4xf32>, %v: tensor<4xf32>)
    -> (tensor<3x5xf32>, tensor<3x5xf32>, tensor<2x3x5xf32>, tensor<5xf32>) {
  // CHECK: %[[L0:.*]] = kiln.linear %[[X]], %[[W]], %[[B]] : tensor<3x4xf32>, tensor<5x4xf32>, tensor<5xf32>
  %0 = kiln.linear %x, %w, %b : tensor<3x4xf32>, tensor<5x4xf32>, tensor<5xf32>
  // CHECK: %[[L1:.*]] = kiln.linear %[[X]], %[[W]] : tensor<3x4xf32>, tensor<5x4xf32>{{$}}
  %1 = kiln.linear %x, %w : tensor<3x4xf32>, tensor<5x4xf32>
  // CHECK: %[[L2:.*]] = kiln.linear %[[X3]], %[[W]], %[[B]] : tensor<2x3x4xf32>, tensor<5x4xf32>, tensor<5xf32>
  %2 = kiln.linear %x3, %w, %b : tensor<2x3x4xf32>, tensor<5x4xf32>, tensor<5xf32>
  // CHECK: %[[L3:.*]] = kiln.linear %[[V]], %[[W]] : tensor<4xf32>, tensor<5x4xf32>{{$}}
  %3 = kiln.linear %v, %w : tensor<4xf32>, tensor<5x4xf32>
  // CHECK: return %[[L0]], %[[L1]], %[[L2]], %[[L3]]
  return %0, %1, %2, %3 : tensor<3x5xf32>, tensor<3x5xf32>, tensor<2x3x5xf32>, tensor<5xf32>
}
// GENERIC-LABEL: sym_name = "linear"
// GENERIC: "kiln.linear"(%{{.*}}, %{{.*}}, %{{.*}}) : (tensor<3x4xf32>, tensor<5x4xf32>, tensor<5xf32>) -> tensor<3x5xf32>
// GENERIC: "kiln.linear"(%{{.*}}, %{{.*}}) : (tensor<3x4xf32>, tensor<5x4xf32>) -> tensor<3x5xf32>
// GENERIC: "kiln.linear"(%{{.*}}, %{{.*}}, %{{.*}}) : (tensor<2x3x4xf32>, tensor<5x4xf32>, tensor<5xf32>) -> tensor<2x3x5xf32>
// GENERIC: "kiln.linear"(%{{.*}}, %{{.*}}) : (tensor<4xf32>, tensor<5x4xf32>) -> tensor<5xf32>

// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[A:.*]]: tensor<3x4xf32>, %[[B:.*]]: tensor<4x5xf32>, %[[V:.*]]: tensor<4xf32>, %[[U:.*]]: tensor<5xf32>, %[[BA:.*]]: tensor<2x1x3x4xf32>, %[[BB:.*]]: tensor<6x4x5xf32>)
func.func @matmul(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>, %v: tensor<4xf32>,
                  %u: tensor<5xf32>, %ba: tensor<2x1x3x4xf32>,
                  %bb: tensor<6x4x5xf32>)
    -> (tensor<3x5xf32>, tensor<5xf32>, tensor<3xf32>, tensor<2x6x3x5xf32>,
        tensor<f32>, tensor<6x5xf32>) {
  // CHECK: %[[MM:.*]] = kiln.matmul %[[A]], %[[B]] : tensor<3x4xf32>, tensor<4x5xf32>
  %0 = kiln.matmul %a, %b : tensor<3x4xf32>, tensor<4x5xf32>
  // CHECK: %[[VM:.*]] = kiln.matmul %[[V]], %[[B]] : tensor<4xf32>, tensor<4x5xf32>
  %1 = kiln.matmul %v, %b : tensor<4xf32>, tensor<4x5xf32>
  // CHECK: %[[MV:.*]] = kiln.matmul %[[A]], %[[V]] : tensor<3x4xf32>, tensor<4xf32>
  %2 = kiln.matmul %a, %v : tensor<3x4xf32>, tensor<4xf32>
  // CHECK: %[[BMM:.*]] = kiln.matmul %[[BA]], %[[BB]] : tensor<2x1x3x4xf32>, tensor<6x4x5xf32>
  %3 = kiln.matmul %ba, %bb : tensor<2x1x3x4xf32>, tensor<6x4x5xf32>
  // CHECK: %[[DOT:.*]] = kiln.matmul %[[V]], %[[V]] : tensor<4xf32>, tensor<4xf32>
  %4 = kiln.matmul %v, %v : tensor<4xf32>, tensor<4xf32>
  // CHECK: %[[VB:.*]] = kiln.matmul %[[V]], %[[BB]] : tensor<4xf32>, tensor<6x4x5xf32>
  %5 = kiln.matmul %v, %bb : tensor<4xf32>, tensor<6x4x5xf32>
  // CHECK: return %[[MM]], %[[VM]], %[[MV]], %[[BMM]], %[[DOT]], %[[VB]]
  return %0, %1, %2, %3, %4, %5 : tensor<3x5xf32>, tensor<5xf32>, tensor<3xf32>,
                                  tensor<2x6x3x5xf32>, tensor<f32>, tensor<6x5xf32>
}
// GENERIC-LABEL: sym_name = "matmul"
// GENERIC: "kiln.matmul"(%{{.*}}, %{{.*}}) : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
// GENERIC: "kiln.matmul"(%{{.*}}, %{{.*}}) : (tensor<4xf32>, tensor<4x5xf32>) -> tensor<5xf32>
// GENERIC: "kiln.matmul"(%{{.*}}, %{{.*}}) : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3xf32>
// GENERIC: "kiln.matmul"(%{{.*}}, %{{.*}}) : (tensor<2x1x3x4xf32>, tensor<6x4x5xf32>) -> tensor<2x6x3x5xf32>
// GENERIC: "kiln.matmul"(%{{.*}}, %{{.*}}) : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
// GENERIC: "kiln.matmul"(%{{.*}}, %{{.*}}) : (tensor<4xf32>, tensor<6x4x5xf32>) -> tensor<6x5xf32>

// CHECK-LABEL: func.func @fused
// CHECK-SAME: (%[[A:.*]]: tensor<3x4xf32>, %[[B:.*]]: tensor<4xf32>)
func.func @fused(%a: tensor<3x4xf32>, %b: tensor<4xf32>) -> tensor<3x4xf32> {
  // CHECK: %[[F:.*]] = kiln.fused(%[[A]], %[[B]]) : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xf32> {
  // CHECK-NEXT: ^bb0(%[[X:.*]]: tensor<3x4xf32>, %[[Y:.*]]: tensor<4xf32>):
  // CHECK-NEXT: %[[S:.*]] = kiln.add %[[X]], %[[Y]] : tensor<3x4xf32>, tensor<4xf32>
  // CHECK-NEXT: %[[T:.*]] = kiln.tanh %[[S]] : tensor<3x4xf32>
  // CHECK-NEXT: kiln.yield %[[T]] : tensor<3x4xf32>
  // CHECK-NEXT: }
  %0 = kiln.fused (%a, %b) : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xf32> {
  ^bb0(%x: tensor<3x4xf32>, %y: tensor<4xf32>):
    %1 = kiln.add %x, %y : tensor<3x4xf32>, tensor<4xf32>
    %2 = kiln.tanh %1 : tensor<3x4xf32>
    kiln.yield %2 : tensor<3x4xf32>
  }
  // CHECK: return %[[F]]
  return %0 : tensor<3x4xf32>
}
// GENERIC-LABEL: sym_name = "fused"
// GENERIC: "kiln.fused"(%{{.*}}, %{{.*}}) ({
// GENERIC: "kiln.yield"(%{{.*}}) : (tensor<3x4xf32>) -> ()
// GENERIC: }) : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xf32>

// The blob of @constants: alignment 4 (little-endian u32), then 1.0f, 2.0f.
// CHECK: dialect_resources
// CHECK: weight: "0x040000000000803F00000040"
{-#
  dialect_resources: {
    builtin: {
      weight: "0x040000000000803F00000040"
    }
  }
#-}
