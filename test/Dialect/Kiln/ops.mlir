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

// The parameterless unary ops.
// CHECK-LABEL: func.func @unary_math
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
func.func @unary_math(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // CHECK: %[[NEG:.*]] = kiln.neg %[[X]] : tensor<2x3xf32>
  %0 = kiln.neg %x : tensor<2x3xf32>
  // CHECK: %[[ABS:.*]] = kiln.abs %[[NEG]] : tensor<2x3xf32>
  %1 = kiln.abs %0 : tensor<2x3xf32>
  // CHECK: %[[EXP:.*]] = kiln.exp %[[ABS]] : tensor<2x3xf32>
  %2 = kiln.exp %1 : tensor<2x3xf32>
  // CHECK: %[[LOG:.*]] = kiln.log %[[EXP]] : tensor<2x3xf32>
  %3 = kiln.log %2 : tensor<2x3xf32>
  // CHECK: %[[SQRT:.*]] = kiln.sqrt %[[LOG]] : tensor<2x3xf32>
  %4 = kiln.sqrt %3 : tensor<2x3xf32>
  // CHECK: %[[RSQRT:.*]] = kiln.rsqrt %[[SQRT]] : tensor<2x3xf32>
  %5 = kiln.rsqrt %4 : tensor<2x3xf32>
  // CHECK: %[[ERF:.*]] = kiln.erf %[[RSQRT]] : tensor<2x3xf32>
  %6 = kiln.erf %5 : tensor<2x3xf32>
  // CHECK: %[[SILU:.*]] = kiln.silu %[[ERF]] : tensor<2x3xf32>
  %7 = kiln.silu %6 : tensor<2x3xf32>
  // CHECK: %[[HSW:.*]] = kiln.hardswish %[[SILU]] : tensor<2x3xf32>
  %8 = kiln.hardswish %7 : tensor<2x3xf32>
  // CHECK: %[[HSG:.*]] = kiln.hardsigmoid %[[HSW]] : tensor<2x3xf32>
  %9 = kiln.hardsigmoid %8 : tensor<2x3xf32>
  // CHECK: return %[[HSG]]
  return %9 : tensor<2x3xf32>
}
// GENERIC-LABEL: sym_name = "unary_math"
// GENERIC: "kiln.neg"(%{{.*}}) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// GENERIC: "kiln.hardsigmoid"(%{{.*}}) : (tensor<2x3xf32>) -> tensor<2x3xf32>

// The math ops of MathLogic.cpp, each on the previous result.
// CHECK-LABEL: func.func @math_ops
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>, %[[I:.*]]: tensor<2x3xi32>)
func.func @math_ops(%x: tensor<2x3xf32>, %i: tensor<2x3xi32>)
    -> (tensor<2x3xf32>, tensor<2x3xi1>, tensor<2x3xi32>) {
  // CHECK: %[[V0:.*]] = kiln.tan %[[X]] : tensor<2x3xf32>
  %v0 = kiln.tan %x : tensor<2x3xf32>
  // CHECK: %[[V1:.*]] = kiln.asin %[[V0]] : tensor<2x3xf32>
  %v1 = kiln.asin %v0 : tensor<2x3xf32>
  // CHECK: %[[V2:.*]] = kiln.acos %[[V1]] : tensor<2x3xf32>
  %v2 = kiln.acos %v1 : tensor<2x3xf32>
  // CHECK: %[[V3:.*]] = kiln.atan %[[V2]] : tensor<2x3xf32>
  %v3 = kiln.atan %v2 : tensor<2x3xf32>
  // CHECK: %[[V4:.*]] = kiln.sinh %[[V3]] : tensor<2x3xf32>
  %v4 = kiln.sinh %v3 : tensor<2x3xf32>
  // CHECK: %[[V5:.*]] = kiln.cosh %[[V4]] : tensor<2x3xf32>
  %v5 = kiln.cosh %v4 : tensor<2x3xf32>
  // CHECK: %[[V6:.*]] = kiln.asinh %[[V5]] : tensor<2x3xf32>
  %v6 = kiln.asinh %v5 : tensor<2x3xf32>
  // CHECK: %[[V7:.*]] = kiln.acosh %[[V6]] : tensor<2x3xf32>
  %v7 = kiln.acosh %v6 : tensor<2x3xf32>
  // CHECK: %[[V8:.*]] = kiln.atanh %[[V7]] : tensor<2x3xf32>
  %v8 = kiln.atanh %v7 : tensor<2x3xf32>
  // CHECK: %[[V9:.*]] = kiln.log2 %[[V8]] : tensor<2x3xf32>
  %v9 = kiln.log2 %v8 : tensor<2x3xf32>
  // CHECK: %[[V10:.*]] = kiln.log10 %[[V9]] : tensor<2x3xf32>
  %v10 = kiln.log10 %v9 : tensor<2x3xf32>
  // CHECK: %[[V11:.*]] = kiln.exp2 %[[V10]] : tensor<2x3xf32>
  %v11 = kiln.exp2 %v10 : tensor<2x3xf32>
  // CHECK: %[[V12:.*]] = kiln.erfc %[[V11]] : tensor<2x3xf32>
  %v12 = kiln.erfc %v11 : tensor<2x3xf32>
  // CHECK: %[[V13:.*]] = kiln.floor %[[V12]] : tensor<2x3xf32>
  %v13 = kiln.floor %v12 : tensor<2x3xf32>
  // CHECK: %[[V14:.*]] = kiln.ceil %[[V13]] : tensor<2x3xf32>
  %v14 = kiln.ceil %v13 : tensor<2x3xf32>
  // CHECK: %[[V15:.*]] = kiln.round %[[V14]] : tensor<2x3xf32>
  %v15 = kiln.round %v14 : tensor<2x3xf32>
  // CHECK: %[[V16:.*]] = kiln.trunc %[[V15]] : tensor<2x3xf32>
  %v16 = kiln.trunc %v15 : tensor<2x3xf32>
  // CHECK: %[[V17:.*]] = kiln.frac %[[V16]] : tensor<2x3xf32>
  %v17 = kiln.frac %v16 : tensor<2x3xf32>
  // CHECK: %[[V18:.*]] = kiln.sign %[[V17]] : tensor<2x3xf32>
  %v18 = kiln.sign %v17 : tensor<2x3xf32>
  // CHECK: %[[V19:.*]] = kiln.mish %[[V18]] : tensor<2x3xf32>
  %v19 = kiln.mish %v18 : tensor<2x3xf32>
  // CHECK: %[[V20:.*]] = kiln.log_sigmoid %[[V19]] : tensor<2x3xf32>
  %v20 = kiln.log_sigmoid %v19 : tensor<2x3xf32>
  // CHECK: %[[V21:.*]] = kiln.atan2 %[[V20]], %[[X]] : tensor<2x3xf32>, tensor<2x3xf32>
  %v21 = kiln.atan2 %v20, %x : tensor<2x3xf32>, tensor<2x3xf32>
  // CHECK: %[[V22:.*]] = kiln.remainder %[[V21]], %[[X]] : tensor<2x3xf32>, tensor<2x3xf32>
  %v22 = kiln.remainder %v21, %x : tensor<2x3xf32>, tensor<2x3xf32>
  // CHECK: %[[V23:.*]] = kiln.fmod %[[V22]], %[[X]] : tensor<2x3xf32>, tensor<2x3xf32>
  %v23 = kiln.fmod %v22, %x : tensor<2x3xf32>, tensor<2x3xf32>
  // CHECK: %[[V24:.*]] = kiln.floor_divide %[[V23]], %[[X]] : tensor<2x3xf32>, tensor<2x3xf32>
  %v24 = kiln.floor_divide %v23, %x : tensor<2x3xf32>, tensor<2x3xf32>
  // CHECK: %[[V25:.*]] = kiln.trunc_divide %[[V24]], %[[X]] : tensor<2x3xf32>, tensor<2x3xf32>
  %v25 = kiln.trunc_divide %v24, %x : tensor<2x3xf32>, tensor<2x3xf32>
  // CHECK: %[[V26:.*]] = kiln.copysign %[[V25]], %[[X]] : tensor<2x3xf32>, tensor<2x3xf32>
  %v26 = kiln.copysign %v25, %x : tensor<2x3xf32>, tensor<2x3xf32>
  // CHECK: %[[V27:.*]] = kiln.hypot %[[V26]], %[[X]] : tensor<2x3xf32>, tensor<2x3xf32>
  %v27 = kiln.hypot %v26, %x : tensor<2x3xf32>, tensor<2x3xf32>
  // CHECK: %[[V28:.*]] = kiln.logaddexp %[[V27]], %[[X]] : tensor<2x3xf32>, tensor<2x3xf32>
  %v28 = kiln.logaddexp %v27, %x : tensor<2x3xf32>, tensor<2x3xf32>
  // CHECK: %[[V29:.*]] = kiln.logaddexp2 %[[V28]], %[[X]] : tensor<2x3xf32>, tensor<2x3xf32>
  %v29 = kiln.logaddexp2 %v28, %x : tensor<2x3xf32>, tensor<2x3xf32>
  // CHECK: %[[V30:.*]] = kiln.xlogy %[[V29]], %[[X]] : tensor<2x3xf32>, tensor<2x3xf32>
  %v30 = kiln.xlogy %v29, %x : tensor<2x3xf32>, tensor<2x3xf32>
  // CHECK: %[[NAN:.*]] = kiln.isnan %[[V30]] : tensor<2x3xf32> to tensor<2x3xi1>
  %nan = kiln.isnan %v30 : tensor<2x3xf32> to tensor<2x3xi1>
  // CHECK: %[[AND:.*]] = kiln.bitwise_and %[[I]], %[[I]] : tensor<2x3xi32>, tensor<2x3xi32>
  %and = kiln.bitwise_and %i, %i : tensor<2x3xi32>, tensor<2x3xi32>
  // CHECK: %[[OR:.*]] = kiln.bitwise_or %[[AND]], %[[I]]
  %or = kiln.bitwise_or %and, %i : tensor<2x3xi32>, tensor<2x3xi32>
  // CHECK: %[[XOR:.*]] = kiln.bitwise_xor %[[OR]], %[[I]]
  %xor = kiln.bitwise_xor %or, %i : tensor<2x3xi32>, tensor<2x3xi32>
  // CHECK: %[[SIGN:.*]] = kiln.sign %[[XOR]] : tensor<2x3xi32>
  %sign = kiln.sign %xor : tensor<2x3xi32>
  // CHECK: return %[[V30]], %[[NAN]], %[[SIGN]]
  return %v30, %nan, %sign : tensor<2x3xf32>, tensor<2x3xi1>, tensor<2x3xi32>
}
// GENERIC-LABEL: sym_name = "math_ops"
// GENERIC: "kiln.hypot"(%{{.*}}, %{{.*}}) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>

// Unary ops with attribute parameters, at their defaults (elided from the
// custom form) and set.
// CHECK-LABEL: func.func @unary_params
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
func.func @unary_params(%x: tensor<2x3xf32>)
    -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>,
        tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>,
        tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>,
        tensor<2x3xf32>, tensor<2x3xf32>) {
  // CHECK: %[[G0:.*]] = kiln.gelu %[[X]] : tensor<2x3xf32>
  %0 = kiln.gelu %x : tensor<2x3xf32>
  // CHECK: %[[G1:.*]] = kiln.gelu %[[X]] {tanh_approximation = true} : tensor<2x3xf32>
  %1 = kiln.gelu %x {tanh_approximation = true} : tensor<2x3xf32>
  // CHECK: %[[LR0:.*]] = kiln.leaky_relu %[[X]] : tensor<2x3xf32>
  %2 = kiln.leaky_relu %x : tensor<2x3xf32>
  // CHECK: %[[LR1:.*]] = kiln.leaky_relu %[[X]] {negative_slope = 2.000000e-01 : f64} : tensor<2x3xf32>
  %3 = kiln.leaky_relu %x {negative_slope = 0.2 : f64} : tensor<2x3xf32>
  // CHECK: %[[ELU0:.*]] = kiln.elu %[[X]] : tensor<2x3xf32>
  %4 = kiln.elu %x : tensor<2x3xf32>
  // CHECK: %[[ELU1:.*]] = kiln.elu %[[X]] {alpha = 5.000000e-01 : f64} : tensor<2x3xf32>
  %5 = kiln.elu %x {alpha = 0.5 : f64} : tensor<2x3xf32>
  // CHECK: %[[SP0:.*]] = kiln.softplus %[[X]] : tensor<2x3xf32>
  %6 = kiln.softplus %x : tensor<2x3xf32>
  // CHECK: %[[SP1:.*]] = kiln.softplus %[[X]] {beta = 2.000000e+00 : f64, threshold = 1.000000e+01 : f64} : tensor<2x3xf32>
  %7 = kiln.softplus %x {beta = 2.0 : f64, threshold = 10.0 : f64} : tensor<2x3xf32>
  // CHECK: %[[CL0:.*]] = kiln.clamp %[[X]] : tensor<2x3xf32>
  %8 = kiln.clamp %x : tensor<2x3xf32>
  // CHECK: %[[CL1:.*]] = kiln.clamp %[[X]] {min = 0.000000e+00 : f64} : tensor<2x3xf32>
  %9 = kiln.clamp %x {min = 0.0 : f64} : tensor<2x3xf32>
  // CHECK: %[[CL2:.*]] = kiln.clamp %[[X]] {max = 6.000000e+00 : f64} : tensor<2x3xf32>
  %10 = kiln.clamp %x {max = 6.0 : f64} : tensor<2x3xf32>
  // CHECK: %[[CL3:.*]] = kiln.clamp %[[X]] {max = 1.000000e+00 : f64, min = -1.000000e+00 : f64} : tensor<2x3xf32>
  %11 = kiln.clamp %x {min = -1.0 : f64, max = 1.0 : f64} : tensor<2x3xf32>
  // CHECK: %[[POW:.*]] = kiln.pow_scalar %[[X]] {exponent = 2.000000e+00 : f64} : tensor<2x3xf32>
  %12 = kiln.pow_scalar %x {exponent = 2.0 : f64} : tensor<2x3xf32>
  // CHECK: %[[POWH:.*]] = kiln.pow_scalar %[[X]] {exponent = -5.000000e-01 : f64} : tensor<2x3xf32>
  %13 = kiln.pow_scalar %x {exponent = -0.5 : f64} : tensor<2x3xf32>
  // CHECK: return %[[G0]], %[[G1]], %[[LR0]], %[[LR1]], %[[ELU0]], %[[ELU1]], %[[SP0]], %[[SP1]], %[[CL0]], %[[CL1]], %[[CL2]], %[[CL3]], %[[POW]], %[[POWH]]
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13
      : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>,
        tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>,
        tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>,
        tensor<2x3xf32>, tensor<2x3xf32>
}
// Defaults are explicit in the generic form; clamp's bounds are optional.
// GENERIC-LABEL: sym_name = "unary_params"
// GENERIC: "kiln.gelu"(%{{.*}}) <{tanh_approximation = false}> : (tensor<2x3xf32>) -> tensor<2x3xf32>
// GENERIC: "kiln.gelu"(%{{.*}}) <{tanh_approximation = true}> : (tensor<2x3xf32>) -> tensor<2x3xf32>
// GENERIC: "kiln.leaky_relu"(%{{.*}}) <{negative_slope = 1.000000e-02 : f64}> : (tensor<2x3xf32>) -> tensor<2x3xf32>
// GENERIC: "kiln.leaky_relu"(%{{.*}}) <{negative_slope = 2.000000e-01 : f64}> : (tensor<2x3xf32>) -> tensor<2x3xf32>
// GENERIC: "kiln.elu"(%{{.*}}) <{alpha = 1.000000e+00 : f64}> : (tensor<2x3xf32>) -> tensor<2x3xf32>
// GENERIC: "kiln.elu"(%{{.*}}) <{alpha = 5.000000e-01 : f64}> : (tensor<2x3xf32>) -> tensor<2x3xf32>
// GENERIC: "kiln.softplus"(%{{.*}}) <{beta = 1.000000e+00 : f64, threshold = 2.000000e+01 : f64}> : (tensor<2x3xf32>) -> tensor<2x3xf32>
// GENERIC: "kiln.softplus"(%{{.*}}) <{beta = 2.000000e+00 : f64, threshold = 1.000000e+01 : f64}> : (tensor<2x3xf32>) -> tensor<2x3xf32>
// GENERIC: "kiln.clamp"(%{{.*}}) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// GENERIC: "kiln.clamp"(%{{.*}}) <{min = 0.000000e+00 : f64}> : (tensor<2x3xf32>) -> tensor<2x3xf32>
// GENERIC: "kiln.clamp"(%{{.*}}) <{max = 6.000000e+00 : f64}> : (tensor<2x3xf32>) -> tensor<2x3xf32>
// GENERIC: "kiln.clamp"(%{{.*}}) <{max = 1.000000e+00 : f64, min = -1.000000e+00 : f64}> : (tensor<2x3xf32>) -> tensor<2x3xf32>
// GENERIC: "kiln.pow_scalar"(%{{.*}}) <{exponent = 2.000000e+00 : f64}> : (tensor<2x3xf32>) -> tensor<2x3xf32>

// maximum/minimum broadcast like the other binary ops; compare (every
// predicate) infers an i1 result, where broadcasts all three operands.
// CHECK-LABEL: func.func @select
// CHECK-SAME: (%[[A:.*]]: tensor<3x4xf32>, %[[B:.*]]: tensor<4xf32>, %[[C:.*]]: tensor<3x1xi1>, %[[I:.*]]: tensor<3x4xi64>)
func.func @select(%a: tensor<3x4xf32>, %b: tensor<4xf32>, %c: tensor<3x1xi1>,
                  %i: tensor<3x4xi64>)
    -> (tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xi1>, tensor<3x4xi1>,
        tensor<3x4xi1>, tensor<3x4xi1>, tensor<3x4xi1>, tensor<3x4xi1>,
        tensor<3x4xf32>, tensor<3x4xi64>) {
  // CHECK: %[[MAX:.*]] = kiln.maximum %[[A]], %[[B]] : tensor<3x4xf32>, tensor<4xf32>
  %0 = kiln.maximum %a, %b : tensor<3x4xf32>, tensor<4xf32>
  // CHECK: %[[MIN:.*]] = kiln.minimum %[[B]], %[[A]] : tensor<4xf32>, tensor<3x4xf32>
  %1 = kiln.minimum %b, %a : tensor<4xf32>, tensor<3x4xf32>
  // CHECK: %[[EQ:.*]] = kiln.compare eq, %[[A]], %[[B]] : tensor<3x4xf32>, tensor<4xf32>
  %2 = kiln.compare eq, %a, %b : tensor<3x4xf32>, tensor<4xf32>
  // CHECK: %[[NE:.*]] = kiln.compare ne, %[[A]], %[[A]] : tensor<3x4xf32>, tensor<3x4xf32>
  %3 = kiln.compare ne, %a, %a : tensor<3x4xf32>, tensor<3x4xf32>
  // CHECK: %[[LT:.*]] = kiln.compare lt, %[[B]], %[[A]] : tensor<4xf32>, tensor<3x4xf32>
  %4 = kiln.compare lt, %b, %a : tensor<4xf32>, tensor<3x4xf32>
  // CHECK: %[[LE:.*]] = kiln.compare le, %[[A]], %[[A]] : tensor<3x4xf32>, tensor<3x4xf32>
  %5 = kiln.compare le, %a, %a : tensor<3x4xf32>, tensor<3x4xf32>
  // CHECK: %[[GT:.*]] = kiln.compare gt, %[[I]], %[[I]] : tensor<3x4xi64>, tensor<3x4xi64>
  %6 = kiln.compare gt, %i, %i : tensor<3x4xi64>, tensor<3x4xi64>
  // CHECK: %[[GE:.*]] = kiln.compare ge, %[[I]], %[[I]] : tensor<3x4xi64>, tensor<3x4xi64>
  %7 = kiln.compare ge, %i, %i : tensor<3x4xi64>, tensor<3x4xi64>
  // CHECK: %[[W:.*]] = kiln.where %[[C]], %[[A]], %[[B]] : tensor<3x1xi1>, tensor<3x4xf32>, tensor<4xf32>
  %8 = kiln.where %c, %a, %b : tensor<3x1xi1>, tensor<3x4xf32>, tensor<4xf32>
  // CHECK: %[[WI:.*]] = kiln.where %[[EQ]], %[[I]], %[[I]] : tensor<3x4xi1>, tensor<3x4xi64>, tensor<3x4xi64>
  %9 = kiln.where %2, %i, %i : tensor<3x4xi1>, tensor<3x4xi64>, tensor<3x4xi64>
  // CHECK: return %[[MAX]], %[[MIN]], %[[EQ]], %[[NE]], %[[LT]], %[[LE]], %[[GT]], %[[GE]], %[[W]], %[[WI]]
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9
      : tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xi1>, tensor<3x4xi1>,
        tensor<3x4xi1>, tensor<3x4xi1>, tensor<3x4xi1>, tensor<3x4xi1>,
        tensor<3x4xf32>, tensor<3x4xi64>
}
// GENERIC-LABEL: sym_name = "select"
// GENERIC: "kiln.maximum"(%{{.*}}, %{{.*}}) : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
// GENERIC: "kiln.minimum"(%{{.*}}, %{{.*}}) : (tensor<4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
// GENERIC: "kiln.compare"(%{{.*}}, %{{.*}}) <{predicate = 0 : i64}> : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xi1>
// GENERIC: "kiln.compare"(%{{.*}}, %{{.*}}) <{predicate = 1 : i64}>
// GENERIC: "kiln.compare"(%{{.*}}, %{{.*}}) <{predicate = 2 : i64}> : (tensor<4xf32>, tensor<3x4xf32>) -> tensor<3x4xi1>
// GENERIC: "kiln.compare"(%{{.*}}, %{{.*}}) <{predicate = 3 : i64}>
// GENERIC: "kiln.compare"(%{{.*}}, %{{.*}}) <{predicate = 4 : i64}> : (tensor<3x4xi64>, tensor<3x4xi64>) -> tensor<3x4xi1>
// GENERIC: "kiln.compare"(%{{.*}}, %{{.*}}) <{predicate = 5 : i64}>
// GENERIC: "kiln.where"(%{{.*}}, %{{.*}}, %{{.*}}) : (tensor<3x1xi1>, tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xf32>

// CHECK-LABEL: func.func @cast
// CHECK-SAME: (%[[F:.*]]: tensor<3x4xf32>, %[[I:.*]]: tensor<3x4xi64>, %[[C:.*]]: tensor<3x1xi1>)
func.func @cast(%f: tensor<3x4xf32>, %i: tensor<3x4xi64>, %c: tensor<3x1xi1>)
    -> (tensor<3x4xi64>, tensor<3x4xf32>, tensor<3x1xf32>, tensor<3x4xi1>,
        tensor<3x4xf16>) {
  // CHECK: %[[F2I:.*]] = kiln.cast %[[F]] : tensor<3x4xf32> to tensor<3x4xi64>
  %0 = kiln.cast %f : tensor<3x4xf32> to tensor<3x4xi64>
  // CHECK: %[[I2F:.*]] = kiln.cast %[[I]] : tensor<3x4xi64> to tensor<3x4xf32>
  %1 = kiln.cast %i : tensor<3x4xi64> to tensor<3x4xf32>
  // CHECK: %[[B2F:.*]] = kiln.cast %[[C]] : tensor<3x1xi1> to tensor<3x1xf32>
  %2 = kiln.cast %c : tensor<3x1xi1> to tensor<3x1xf32>
  // CHECK: %[[I2B:.*]] = kiln.cast %[[I]] : tensor<3x4xi64> to tensor<3x4xi1>
  %3 = kiln.cast %i : tensor<3x4xi64> to tensor<3x4xi1>
  // CHECK: %[[F2H:.*]] = kiln.cast %[[F]] : tensor<3x4xf32> to tensor<3x4xf16>
  %4 = kiln.cast %f : tensor<3x4xf32> to tensor<3x4xf16>
  // CHECK: return %[[F2I]], %[[I2F]], %[[B2F]], %[[I2B]], %[[F2H]]
  return %0, %1, %2, %3, %4 : tensor<3x4xi64>, tensor<3x4xf32>, tensor<3x1xf32>,
                              tensor<3x4xi1>, tensor<3x4xf16>
}
// GENERIC-LABEL: sym_name = "cast"
// GENERIC: "kiln.cast"(%{{.*}}) : (tensor<3x4xf32>) -> tensor<3x4xi64>
// GENERIC: "kiln.cast"(%{{.*}}) : (tensor<3x1xi1>) -> tensor<3x1xf32>

// Convolution with and without bias, strided, padded, dilated, grouped and
// depthwise.
// CHECK-LABEL: func.func @conv2d
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x8x8xf32>, %[[W:.*]]: tensor<6x4x3x3xf32>, %[[B:.*]]: tensor<6xf32>, %[[DW:.*]]: tensor<4x1x3x3xf32>, %[[GW:.*]]: tensor<6x2x1x1xf32>)
func.func @conv2d(%x: tensor<1x4x8x8xf32>, %w: tensor<6x4x3x3xf32>,
                  %b: tensor<6xf32>, %dw: tensor<4x1x3x3xf32>,
                  %gw: tensor<6x2x1x1xf32>)
    -> (tensor<1x6x8x8xf32>, tensor<1x6x3x3xf32>, tensor<1x4x4x4xf32>,
        tensor<1x6x8x8xf32>) {
  // CHECK: %[[C0:.*]] = kiln.conv2d %[[X]], %[[W]], %[[B]] {dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 1, 1>, stride = array<i64: 1, 1>} : tensor<1x4x8x8xf32>, tensor<6x4x3x3xf32>, tensor<6xf32> -> tensor<1x6x8x8xf32>
  %0 = kiln.conv2d %x, %w, %b {stride = array<i64: 1, 1>, padding = array<i64: 1, 1>, dilation = array<i64: 1, 1>, groups = 1 : i64}
      : tensor<1x4x8x8xf32>, tensor<6x4x3x3xf32>, tensor<6xf32> -> tensor<1x6x8x8xf32>
  // CHECK: %[[C1:.*]] = kiln.conv2d %[[X]], %[[W]] {dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0>, stride = array<i64: 2, 2>} : tensor<1x4x8x8xf32>, tensor<6x4x3x3xf32> -> tensor<1x6x3x3xf32>
  %1 = kiln.conv2d %x, %w {stride = array<i64: 2, 2>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>, groups = 1 : i64}
      : tensor<1x4x8x8xf32>, tensor<6x4x3x3xf32> -> tensor<1x6x3x3xf32>
  // CHECK: %[[C2:.*]] = kiln.conv2d %[[X]], %[[DW]] {dilation = array<i64: 2, 2>, groups = 4 : i64, padding = array<i64: 2, 2>, stride = array<i64: 2, 2>} : tensor<1x4x8x8xf32>, tensor<4x1x3x3xf32> -> tensor<1x4x4x4xf32>
  %2 = kiln.conv2d %x, %dw {stride = array<i64: 2, 2>, padding = array<i64: 2, 2>, dilation = array<i64: 2, 2>, groups = 4 : i64}
      : tensor<1x4x8x8xf32>, tensor<4x1x3x3xf32> -> tensor<1x4x4x4xf32>
  // CHECK: %[[C3:.*]] = kiln.conv2d %[[X]], %[[GW]], %[[B]] {dilation = array<i64: 1, 1>, groups = 2 : i64, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : tensor<1x4x8x8xf32>, tensor<6x2x1x1xf32>, tensor<6xf32> -> tensor<1x6x8x8xf32>
  %3 = kiln.conv2d %x, %gw, %b {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>, groups = 2 : i64}
      : tensor<1x4x8x8xf32>, tensor<6x2x1x1xf32>, tensor<6xf32> -> tensor<1x6x8x8xf32>
  // CHECK: return %[[C0]], %[[C1]], %[[C2]], %[[C3]]
  return %0, %1, %2, %3 : tensor<1x6x8x8xf32>, tensor<1x6x3x3xf32>,
                          tensor<1x4x4x4xf32>, tensor<1x6x8x8xf32>
}
// GENERIC-LABEL: sym_name = "conv2d"
// GENERIC: "kiln.conv2d"(%{{.*}}, %{{.*}}, %{{.*}}) <{dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 1, 1>, stride = array<i64: 1, 1>}> : (tensor<1x4x8x8xf32>, tensor<6x4x3x3xf32>, tensor<6xf32>) -> tensor<1x6x8x8xf32>
// GENERIC: "kiln.conv2d"(%{{.*}}, %{{.*}}) <{dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0>, stride = array<i64: 2, 2>}> : (tensor<1x4x8x8xf32>, tensor<6x4x3x3xf32>) -> tensor<1x6x3x3xf32>

// CHECK-LABEL: func.func @pool2d
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x8x8xf32>)
func.func @pool2d(%x: tensor<1x4x8x8xf32>)
    -> (tensor<1x4x4x4xf32>, tensor<1x4x8x8xf32>, tensor<1x4x2x4xf32>) {
  // CHECK: %[[MAX:.*]] = kiln.pool2d max, %[[X]] {dilation = array<i64: 1, 1>, kernel = array<i64: 2, 2>, padding = array<i64: 0, 0>, stride = array<i64: 2, 2>} : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
  %0 = kiln.pool2d max, %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>}
      : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
  // CHECK: %[[AVG:.*]] = kiln.pool2d avg, %[[X]] {dilation = array<i64: 1, 1>, kernel = array<i64: 3, 3>, padding = array<i64: 1, 1>, stride = array<i64: 1, 1>} : tensor<1x4x8x8xf32> -> tensor<1x4x8x8xf32>
  %1 = kiln.pool2d avg, %x {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, padding = array<i64: 1, 1>, dilation = array<i64: 1, 1>}
      : tensor<1x4x8x8xf32> -> tensor<1x4x8x8xf32>
  // CHECK: %[[SUM:.*]] = kiln.pool2d sum, %[[X]] {dilation = array<i64: 2, 1>, kernel = array<i64: 2, 3>, padding = array<i64: 0, 1>, stride = array<i64: 3, 2>} : tensor<1x4x8x8xf32> -> tensor<1x4x2x4xf32>
  %2 = kiln.pool2d sum, %x {kernel = array<i64: 2, 3>, stride = array<i64: 3, 2>, padding = array<i64: 0, 1>, dilation = array<i64: 2, 1>}
      : tensor<1x4x8x8xf32> -> tensor<1x4x2x4xf32>
  // CHECK: return %[[MAX]], %[[AVG]], %[[SUM]]
  return %0, %1, %2 : tensor<1x4x4x4xf32>, tensor<1x4x8x8xf32>, tensor<1x4x2x4xf32>
}
// GENERIC-LABEL: sym_name = "pool2d"
// GENERIC: "kiln.pool2d"(%{{.*}}) <{dilation = array<i64: 1, 1>, kernel = array<i64: 2, 2>, kind = 0 : i64, padding = array<i64: 0, 0>, stride = array<i64: 2, 2>}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32>
// GENERIC: "kiln.pool2d"(%{{.*}}) <{{{.*}}kind = 1 : i64{{.*}}}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
// GENERIC: "kiln.pool2d"(%{{.*}}) <{{{.*}}kind = 2 : i64{{.*}}}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x2x4xf32>

// CHECK-LABEL: func.func @reshape_broadcast
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>, %[[V:.*]]: tensor<4xf32>, %[[S:.*]]: tensor<i64>)
func.func @reshape_broadcast(%x: tensor<2x3x4xf32>, %v: tensor<4xf32>,
                             %s: tensor<i64>)
    -> (tensor<6x4xf32>, tensor<24xf32>, tensor<2x3x4xf32>, tensor<2x1x4xf32>,
        tensor<1xi64>, tensor<5x2xi64>) {
  // CHECK: %[[R0:.*]] = kiln.reshape %[[X]] : tensor<2x3x4xf32> to tensor<6x4xf32>
  %0 = kiln.reshape %x : tensor<2x3x4xf32> to tensor<6x4xf32>
  // CHECK: %[[R1:.*]] = kiln.reshape %[[X]] : tensor<2x3x4xf32> to tensor<24xf32>
  %1 = kiln.reshape %x : tensor<2x3x4xf32> to tensor<24xf32>
  // CHECK: %[[B0:.*]] = kiln.broadcast %[[V]] : tensor<4xf32> to tensor<2x3x4xf32>
  %2 = kiln.broadcast %v : tensor<4xf32> to tensor<2x3x4xf32>
  // CHECK: %[[B1:.*]] = kiln.broadcast %[[V]] : tensor<4xf32> to tensor<2x1x4xf32>
  %3 = kiln.broadcast %v : tensor<4xf32> to tensor<2x1x4xf32>
  // CHECK: %[[R2:.*]] = kiln.reshape %[[S]] : tensor<i64> to tensor<1xi64>
  %4 = kiln.reshape %s : tensor<i64> to tensor<1xi64>
  // CHECK: %[[B2:.*]] = kiln.broadcast %[[S]] : tensor<i64> to tensor<5x2xi64>
  %5 = kiln.broadcast %s : tensor<i64> to tensor<5x2xi64>
  // CHECK: return %[[R0]], %[[R1]], %[[B0]], %[[B1]], %[[R2]], %[[B2]]
  return %0, %1, %2, %3, %4, %5 : tensor<6x4xf32>, tensor<24xf32>,
      tensor<2x3x4xf32>, tensor<2x1x4xf32>, tensor<1xi64>, tensor<5x2xi64>
}
// GENERIC-LABEL: sym_name = "reshape_broadcast"
// GENERIC: "kiln.reshape"(%{{.*}}) : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
// GENERIC: "kiln.broadcast"(%{{.*}}) : (tensor<4xf32>) -> tensor<2x3x4xf32>

// Padding without and with interior padding.
// CHECK-LABEL: func.func @pad
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>, %[[I:.*]]: tensor<3xi64>)
func.func @pad(%x: tensor<2x3x4xf32>, %i: tensor<3xi64>)
    -> (tensor<3x4x8xf32>, tensor<2x5x12xf32>, tensor<8xi64>) {
  // CHECK: %[[P0:.*]] = kiln.pad %[[X]] {high = array<i64: 1, 0, 2>, low = array<i64: 0, 1, 2>, value = 0.000000e+00 : f64} : tensor<2x3x4xf32> to tensor<3x4x8xf32>
  %0 = kiln.pad %x {low = array<i64: 0, 1, 2>, high = array<i64: 1, 0, 2>, value = 0.0 : f64}
      : tensor<2x3x4xf32> to tensor<3x4x8xf32>
  // CHECK: %[[P1:.*]] = kiln.pad %[[X]] {high = array<i64: 0, 0, 1>, interior = array<i64: 0, 1, 2>, low = array<i64: 0, 0, 1>, value = -1.500000e+00 : f64} : tensor<2x3x4xf32> to tensor<2x5x12xf32>
  %1 = kiln.pad %x {low = array<i64: 0, 0, 1>, high = array<i64: 0, 0, 1>, value = -1.5 : f64, interior = array<i64: 0, 1, 2>}
      : tensor<2x3x4xf32> to tensor<2x5x12xf32>
  // CHECK: %[[P2:.*]] = kiln.pad %[[I]] {high = array<i64: 0>, interior = array<i64: 2>, low = array<i64: 1>, value = 7.000000e+00 : f64} : tensor<3xi64> to tensor<8xi64>
  %2 = kiln.pad %i {low = array<i64: 1>, high = array<i64: 0>, interior = array<i64: 2>, value = 7.0 : f64}
      : tensor<3xi64> to tensor<8xi64>
  // CHECK: return %[[P0]], %[[P1]], %[[P2]]
  return %0, %1, %2 : tensor<3x4x8xf32>, tensor<2x5x12xf32>, tensor<8xi64>
}
// GENERIC-LABEL: sym_name = "pad"
// GENERIC: "kiln.pad"(%{{.*}}) <{high = array<i64: 1, 0, 2>, low = array<i64: 0, 1, 2>, value = 0.000000e+00 : f64}> : (tensor<2x3x4xf32>) -> tensor<3x4x8xf32>
// GENERIC: "kiln.pad"(%{{.*}}) <{high = array<i64: 0, 0, 1>, interior = array<i64: 0, 1, 2>, low = array<i64: 0, 0, 1>, value = -1.500000e+00 : f64}> : (tensor<2x3x4xf32>) -> tensor<2x5x12xf32>

// argmax (keepdim elided at its default) and cumsum.
// CHECK-LABEL: func.func @argmax_cumsum
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>, %[[I:.*]]: tensor<5xi64>)
func.func @argmax_cumsum(%x: tensor<2x3x4xf32>, %i: tensor<5xi64>)
    -> (tensor<2x4xi64>, tensor<2x3x1xi64>, tensor<3x4xi64>, tensor<2x3x4xf32>,
        tensor<5xi64>) {
  // CHECK: %[[A0:.*]] = kiln.argmax %[[X]] {dim = 1 : i64} : tensor<2x3x4xf32> -> tensor<2x4xi64>
  %0 = kiln.argmax %x {dim = 1 : i64} : tensor<2x3x4xf32> -> tensor<2x4xi64>
  // CHECK: %[[A1:.*]] = kiln.argmax %[[X]] {dim = 2 : i64, keepdim = true} : tensor<2x3x4xf32> -> tensor<2x3x1xi64>
  %1 = kiln.argmax %x {dim = 2 : i64, keepdim = true} : tensor<2x3x4xf32> -> tensor<2x3x1xi64>
  // CHECK: %[[A2:.*]] = kiln.argmax %[[X]] {dim = 0 : i64} : tensor<2x3x4xf32> -> tensor<3x4xi64>
  %2 = kiln.argmax %x {dim = 0 : i64, keepdim = false} : tensor<2x3x4xf32> -> tensor<3x4xi64>
  // CHECK: %[[CS0:.*]] = kiln.cumsum %[[X]] {dim = 2 : i64} : tensor<2x3x4xf32>
  %3 = kiln.cumsum %x {dim = 2 : i64} : tensor<2x3x4xf32>
  // CHECK: %[[CS1:.*]] = kiln.cumsum %[[I]] {dim = 0 : i64} : tensor<5xi64>
  %4 = kiln.cumsum %i {dim = 0 : i64} : tensor<5xi64>
  // CHECK: return %[[A0]], %[[A1]], %[[A2]], %[[CS0]], %[[CS1]]
  return %0, %1, %2, %3, %4 : tensor<2x4xi64>, tensor<2x3x1xi64>,
      tensor<3x4xi64>, tensor<2x3x4xf32>, tensor<5xi64>
}
// GENERIC-LABEL: sym_name = "argmax_cumsum"
// GENERIC: "kiln.argmax"(%{{.*}}) <{dim = 1 : i64, keepdim = false}> : (tensor<2x3x4xf32>) -> tensor<2x4xi64>
// GENERIC: "kiln.argmax"(%{{.*}}) <{dim = 2 : i64, keepdim = true}> : (tensor<2x3x4xf32>) -> tensor<2x3x1xi64>
// GENERIC: "kiln.cumsum"(%{{.*}}) <{dim = 2 : i64}> : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>

// CHECK-LABEL: func.func @resize_bilinear
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x4x4xf32>)
func.func @resize_bilinear(%x: tensor<1x3x4x4xf32>)
    -> (tensor<1x3x8x8xf32>, tensor<1x3x7x2xf32>) {
  // CHECK: %[[UP:.*]] = kiln.resize_bilinear %[[X]] {align_corners = false, scale_h = 5.000000e-01 : f64, scale_w = 5.000000e-01 : f64} : tensor<1x3x4x4xf32> -> tensor<1x3x8x8xf32>
  %0 = kiln.resize_bilinear %x {align_corners = false, scale_h = 0.5 : f64, scale_w = 0.5 : f64}
      : tensor<1x3x4x4xf32> -> tensor<1x3x8x8xf32>
  // CHECK: %[[AC:.*]] = kiln.resize_bilinear %[[X]] {align_corners = true, scale_h = 5.000000e-01 : f64, scale_w = 2.000000e+00 : f64} : tensor<1x3x4x4xf32> -> tensor<1x3x7x2xf32>
  %1 = kiln.resize_bilinear %x {align_corners = true, scale_h = 0.5 : f64, scale_w = 2.0 : f64}
      : tensor<1x3x4x4xf32> -> tensor<1x3x7x2xf32>
  // CHECK: return %[[UP]], %[[AC]]
  return %0, %1 : tensor<1x3x8x8xf32>, tensor<1x3x7x2xf32>
}
// GENERIC-LABEL: sym_name = "resize_bilinear"
// GENERIC: "kiln.resize_bilinear"(%{{.*}}) <{align_corners = false, scale_h = 5.000000e-01 : f64, scale_w = 5.000000e-01 : f64}> : (tensor<1x3x4x4xf32>) -> tensor<1x3x8x8xf32>
// GENERIC: "kiln.resize_bilinear"(%{{.*}}) <{align_corners = true, scale_h = 5.000000e-01 : f64, scale_w = 2.000000e+00 : f64}> : (tensor<1x3x4x4xf32>) -> tensor<1x3x7x2xf32>

// concat infers its result type from `dim`, which is in the attr-dict.
// CHECK-LABEL: func.func @concat
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>, %[[Y:.*]]: tensor<2x5x4xf32>, %[[V:.*]]: tensor<4xi64>)
func.func @concat(%x: tensor<2x3x4xf32>, %y: tensor<2x5x4xf32>, %v: tensor<4xi64>)
    -> (tensor<2x8x4xf32>, tensor<4x3x4xf32>, tensor<2x3x12xf32>, tensor<4xi64>) {
  // CHECK: %[[C0:.*]] = kiln.concat %[[X]], %[[Y]] {dim = 1 : i64} : tensor<2x3x4xf32>, tensor<2x5x4xf32>
  %0 = kiln.concat %x, %y {dim = 1 : i64} : tensor<2x3x4xf32>, tensor<2x5x4xf32>
  // CHECK: %[[C1:.*]] = kiln.concat %[[X]], %[[X]] {dim = 0 : i64} : tensor<2x3x4xf32>, tensor<2x3x4xf32>
  %1 = kiln.concat %x, %x {dim = 0 : i64} : tensor<2x3x4xf32>, tensor<2x3x4xf32>
  // CHECK: %[[C2:.*]] = kiln.concat %[[X]], %[[X]], %[[X]] {dim = 2 : i64} : tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>
  %2 = kiln.concat %x, %x, %x {dim = 2 : i64} : tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>
  // CHECK: %[[C3:.*]] = kiln.concat %[[V]] {dim = 0 : i64} : tensor<4xi64>
  %3 = kiln.concat %v {dim = 0 : i64} : tensor<4xi64>
  // CHECK: return %[[C0]], %[[C1]], %[[C2]], %[[C3]]
  return %0, %1, %2, %3 : tensor<2x8x4xf32>, tensor<4x3x4xf32>, tensor<2x3x12xf32>, tensor<4xi64>
}
// GENERIC-LABEL: sym_name = "concat"
// GENERIC: "kiln.concat"(%{{.*}}, %{{.*}}) <{dim = 1 : i64}> : (tensor<2x3x4xf32>, tensor<2x5x4xf32>) -> tensor<2x8x4xf32>
// GENERIC: "kiln.concat"(%{{.*}}, %{{.*}}) <{dim = 0 : i64}> : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<4x3x4xf32>
// GENERIC: "kiln.concat"(%{{.*}}, %{{.*}}, %{{.*}}) <{dim = 2 : i64}> : (tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x12xf32>
// GENERIC: "kiln.concat"(%{{.*}}) <{dim = 0 : i64}> : (tensor<4xi64>) -> tensor<4xi64>

// CHECK-LABEL: func.func @slice
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
func.func @slice(%x: tensor<2x3x4xf32>) -> (tensor<2x2x2xf32>, tensor<1x3x0xf32>) {
  // CHECK: %[[S0:.*]] = kiln.slice %[[X]] {offsets = array<i64: 0, 1, 0>, sizes = array<i64: 2, 2, 2>, strides = array<i64: 1, 1, 2>} : tensor<2x3x4xf32> to tensor<2x2x2xf32>
  %0 = kiln.slice %x {offsets = array<i64: 0, 1, 0>, sizes = array<i64: 2, 2, 2>, strides = array<i64: 1, 1, 2>}
      : tensor<2x3x4xf32> to tensor<2x2x2xf32>
  // CHECK: %[[S1:.*]] = kiln.slice %[[X]] {offsets = array<i64: 1, 0, 3>, sizes = array<i64: 1, 3, 0>, strides = array<i64: 1, 1, 1>} : tensor<2x3x4xf32> to tensor<1x3x0xf32>
  %1 = kiln.slice %x {offsets = array<i64: 1, 0, 3>, sizes = array<i64: 1, 3, 0>, strides = array<i64: 1, 1, 1>}
      : tensor<2x3x4xf32> to tensor<1x3x0xf32>
  // CHECK: return %[[S0]], %[[S1]]
  return %0, %1 : tensor<2x2x2xf32>, tensor<1x3x0xf32>
}
// GENERIC-LABEL: sym_name = "slice"
// GENERIC: "kiln.slice"(%{{.*}}) <{offsets = array<i64: 0, 1, 0>, sizes = array<i64: 2, 2, 2>, strides = array<i64: 1, 1, 2>}> : (tensor<2x3x4xf32>) -> tensor<2x2x2xf32>

// Embedding lookups with i64 and i32 indices of any rank.
// CHECK-LABEL: func.func @gather
// CHECK-SAME: (%[[T:.*]]: tensor<10x8xf32>, %[[I:.*]]: tensor<2x3xi64>, %[[J:.*]]: tensor<5xi32>, %[[K:.*]]: tensor<i64>)
func.func @gather(%t: tensor<10x8xf32>, %i: tensor<2x3xi64>, %j: tensor<5xi32>,
                  %k: tensor<i64>)
    -> (tensor<2x3x8xf32>, tensor<5x8xf32>, tensor<8xf32>) {
  // CHECK: %[[G0:.*]] = kiln.gather %[[T]], %[[I]] : tensor<10x8xf32>, tensor<2x3xi64> -> tensor<2x3x8xf32>
  %0 = kiln.gather %t, %i : tensor<10x8xf32>, tensor<2x3xi64> -> tensor<2x3x8xf32>
  // The torch op, its dim and whether negative indices count from the end
  // (for the out-of-range error) round-trip; the defaults print as nothing.
  // CHECK: %[[G1:.*]] = kiln.gather %[[T]], %[[J]] {torch_dim = 1 : i64, torch_op = "aten::index", wrap_negative} : tensor<10x8xf32>, tensor<5xi32> -> tensor<5x8xf32>
  %1 = kiln.gather %t, %j {wrap_negative, torch_op = "aten::index", torch_dim = 1} : tensor<10x8xf32>, tensor<5xi32> -> tensor<5x8xf32>
  // CHECK: %[[G2:.*]] = kiln.gather %[[T]], %[[K]] : tensor<10x8xf32>, tensor<i64> -> tensor<8xf32>
  %2 = kiln.gather %t, %k : tensor<10x8xf32>, tensor<i64> -> tensor<8xf32>
  // CHECK: return %[[G0]], %[[G1]], %[[G2]]
  return %0, %1, %2 : tensor<2x3x8xf32>, tensor<5x8xf32>, tensor<8xf32>
}
// GENERIC-LABEL: sym_name = "gather"
// GENERIC: "kiln.gather"(%{{.*}}, %{{.*}}) <{torch_dim = 0 : i64, torch_op = "kiln.gather"}> : (tensor<10x8xf32>, tensor<2x3xi64>) -> tensor<2x3x8xf32>
// GENERIC: "kiln.gather"(%{{.*}}, %{{.*}}) <{torch_dim = 1 : i64, torch_op = "aten::index", wrap_negative}> : (tensor<10x8xf32>, tensor<5xi32>) -> tensor<5x8xf32>

// transpose infers its result from the permutation.
// CHECK-LABEL: func.func @transpose
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>, %[[M:.*]]: tensor<3x5xi64>)
func.func @transpose(%x: tensor<2x3x4xf32>, %m: tensor<3x5xi64>)
    -> (tensor<4x2x3xf32>, tensor<5x3xi64>, tensor<2x3x4xf32>) {
  // CHECK: %[[T0:.*]] = kiln.transpose %[[X]], [2, 0, 1] : tensor<2x3x4xf32>
  %0 = kiln.transpose %x, [2, 0, 1] : tensor<2x3x4xf32>
  // CHECK: %[[T1:.*]] = kiln.transpose %[[M]], [1, 0] : tensor<3x5xi64>
  %1 = kiln.transpose %m, [1, 0] : tensor<3x5xi64>
  // CHECK: %[[T2:.*]] = kiln.transpose %[[X]], [0, 1, 2] : tensor<2x3x4xf32>
  %2 = kiln.transpose %x, [0, 1, 2] : tensor<2x3x4xf32>
  // CHECK: return %[[T0]], %[[T1]], %[[T2]]
  return %0, %1, %2 : tensor<4x2x3xf32>, tensor<5x3xi64>, tensor<2x3x4xf32>
}
// GENERIC-LABEL: sym_name = "transpose"
// GENERIC: "kiln.transpose"(%{{.*}}) <{permutation = array<i64: 2, 0, 1>}> : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
// GENERIC: "kiln.transpose"(%{{.*}}) <{permutation = array<i64: 1, 0>}> : (tensor<3x5xi64>) -> tensor<5x3xi64>

// Every reduce kind; keepdim comes from the attr-dict and changes the
// inferred result type (an explicit keepdim = false is elided).
// CHECK-LABEL: func.func @reduce
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>, %[[I:.*]]: tensor<2x3xi64>)
func.func @reduce(%x: tensor<2x3x4xf32>, %i: tensor<2x3xi64>)
    -> (tensor<2x4xf32>, tensor<2x1x1xf32>, tensor<3x4xf32>, tensor<f32>,
        tensor<2x3x1xf32>, tensor<1x3xi64>) {
  // CHECK: %[[SUM:.*]] = kiln.reduce sum, %[[X]], [1] : tensor<2x3x4xf32>
  %0 = kiln.reduce sum, %x, [1] : tensor<2x3x4xf32>
  // CHECK: %[[MEAN:.*]] = kiln.reduce mean, %[[X]], [1, 2] {keepdim = true} : tensor<2x3x4xf32>
  %1 = kiln.reduce mean, %x, [1, 2] {keepdim = true} : tensor<2x3x4xf32>
  // CHECK: %[[MAX:.*]] = kiln.reduce max, %[[X]], [0] : tensor<2x3x4xf32>
  %2 = kiln.reduce max, %x, [0] {keepdim = false} : tensor<2x3x4xf32>
  // CHECK: %[[MIN:.*]] = kiln.reduce min, %[[X]], [0, 1, 2] : tensor<2x3x4xf32>
  %3 = kiln.reduce min, %x, [0, 1, 2] : tensor<2x3x4xf32>
  // CHECK: %[[SUMK:.*]] = kiln.reduce sum, %[[X]], [2] {keepdim = true} : tensor<2x3x4xf32>
  %4 = kiln.reduce sum, %x, [2] {keepdim = true} : tensor<2x3x4xf32>
  // CHECK: %[[IMAX:.*]] = kiln.reduce max, %[[I]], [0] {keepdim = true} : tensor<2x3xi64>
  %5 = kiln.reduce max, %i, [0] {keepdim = true} : tensor<2x3xi64>
  // CHECK: return %[[SUM]], %[[MEAN]], %[[MAX]], %[[MIN]], %[[SUMK]], %[[IMAX]]
  return %0, %1, %2, %3, %4, %5 : tensor<2x4xf32>, tensor<2x1x1xf32>,
      tensor<3x4xf32>, tensor<f32>, tensor<2x3x1xf32>, tensor<1x3xi64>
}
// GENERIC-LABEL: sym_name = "reduce"
// GENERIC: "kiln.reduce"(%{{.*}}) <{dims = array<i64: 1>, keepdim = false, kind = 0 : i64}> : (tensor<2x3x4xf32>) -> tensor<2x4xf32>
// GENERIC: "kiln.reduce"(%{{.*}}) <{dims = array<i64: 1, 2>, keepdim = true, kind = 1 : i64}> : (tensor<2x3x4xf32>) -> tensor<2x1x1xf32>
// GENERIC: "kiln.reduce"(%{{.*}}) <{dims = array<i64: 0>, keepdim = false, kind = 2 : i64}> : (tensor<2x3x4xf32>) -> tensor<3x4xf32>
// GENERIC: "kiln.reduce"(%{{.*}}) <{dims = array<i64: 0, 1, 2>, keepdim = false, kind = 3 : i64}> : (tensor<2x3x4xf32>) -> tensor<f32>
// GENERIC: "kiln.reduce"(%{{.*}}) <{dims = array<i64: 2>, keepdim = true, kind = 0 : i64}> : (tensor<2x3x4xf32>) -> tensor<2x3x1xf32>
// GENERIC: "kiln.reduce"(%{{.*}}) <{dims = array<i64: 0>, keepdim = true, kind = 2 : i64}> : (tensor<2x3xi64>) -> tensor<1x3xi64>

// prod, all and any (all/any on i1).
// CHECK-LABEL: func.func @reduce_prod_all_any
func.func @reduce_prod_all_any(%x: tensor<2x3xf32>, %b: tensor<2x3xi1>)
    -> (tensor<2xf32>, tensor<i1>, tensor<1x3xi1>) {
  // CHECK: kiln.reduce prod, %{{.*}}, [1] : tensor<2x3xf32>
  %0 = kiln.reduce prod, %x, [1] : tensor<2x3xf32>
  // CHECK: kiln.reduce all, %{{.*}}, [0, 1] : tensor<2x3xi1>
  %1 = kiln.reduce all, %b, [0, 1] : tensor<2x3xi1>
  // CHECK: kiln.reduce any, %{{.*}}, [0] {keepdim = true} : tensor<2x3xi1>
  %2 = kiln.reduce any, %b, [0] {keepdim = true} : tensor<2x3xi1>
  return %0, %1, %2 : tensor<2xf32>, tensor<i1>, tensor<1x3xi1>
}

// softmax and log_softmax.
// CHECK-LABEL: func.func @softmax
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
func.func @softmax(%x: tensor<2x3x4xf32>)
    -> (tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>) {
  // CHECK: %[[SM:.*]] = kiln.softmax %[[X]] {dim = 2 : i64} : tensor<2x3x4xf32>
  %0 = kiln.softmax %x {dim = 2 : i64} : tensor<2x3x4xf32>
  // CHECK: %[[LSM:.*]] = kiln.softmax %[[X]] {dim = 1 : i64, log = true} : tensor<2x3x4xf32>
  %1 = kiln.softmax %x {dim = 1 : i64, log = true} : tensor<2x3x4xf32>
  // CHECK: %[[SM0:.*]] = kiln.softmax %[[X]] {dim = 0 : i64} : tensor<2x3x4xf32>
  %2 = kiln.softmax %x {dim = 0 : i64, log = false} : tensor<2x3x4xf32>
  // CHECK: return %[[SM]], %[[LSM]], %[[SM0]]
  return %0, %1, %2 : tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>
}
// GENERIC-LABEL: sym_name = "softmax"
// GENERIC: "kiln.softmax"(%{{.*}}) <{dim = 2 : i64, log = false}> : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
// GENERIC: "kiln.softmax"(%{{.*}}) <{dim = 1 : i64, log = true}> : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>

// layer_norm with neither, both, or one of weight and bias.
// CHECK-LABEL: func.func @layer_norm
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>, %[[W2:.*]]: tensor<3x4xf32>, %[[B2:.*]]: tensor<3x4xf32>, %[[W1:.*]]: tensor<4xf32>)
func.func @layer_norm(%x: tensor<2x3x4xf32>, %w2: tensor<3x4xf32>,
                      %b2: tensor<3x4xf32>, %w1: tensor<4xf32>)
    -> (tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>,
        tensor<2x3x4xf32>) {
  // CHECK: %[[LN0:.*]] = kiln.layer_norm %[[X]] {eps = 1.000000e-05 : f64, normalized_rank = 1 : i64} : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  %0 = kiln.layer_norm %x {normalized_rank = 1 : i64, eps = 1.0e-5 : f64}
      : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  // CHECK: %[[LN1:.*]] = kiln.layer_norm %[[X]] weight %[[W2]] : tensor<3x4xf32> bias %[[B2]] : tensor<3x4xf32> {eps = 1.000000e-05 : f64, normalized_rank = 2 : i64} : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  %1 = kiln.layer_norm %x weight %w2 : tensor<3x4xf32> bias %b2 : tensor<3x4xf32>
      {normalized_rank = 2 : i64, eps = 1.0e-5 : f64} : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  // CHECK: %[[LN2:.*]] = kiln.layer_norm %[[X]] weight %[[W1]] : tensor<4xf32> {eps = 1.000000e-01 : f64, normalized_rank = 1 : i64} : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  %2 = kiln.layer_norm %x weight %w1 : tensor<4xf32>
      {normalized_rank = 1 : i64, eps = 0.1 : f64} : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  // CHECK: %[[LN3:.*]] = kiln.layer_norm %[[X]] bias %[[W1]] : tensor<4xf32> {eps = 1.000000e-01 : f64, normalized_rank = 1 : i64} : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  %3 = kiln.layer_norm %x bias %w1 : tensor<4xf32>
      {normalized_rank = 1 : i64, eps = 0.1 : f64} : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  // CHECK: return %[[LN0]], %[[LN1]], %[[LN2]], %[[LN3]]
  return %0, %1, %2, %3 : tensor<2x3x4xf32>, tensor<2x3x4xf32>,
                          tensor<2x3x4xf32>, tensor<2x3x4xf32>
}
// The optional operands are told apart by operandSegmentSizes.
// GENERIC-LABEL: sym_name = "layer_norm"
// GENERIC: "kiln.layer_norm"(%{{.*}}) <{eps = 1.000000e-05 : f64, normalized_rank = 1 : i64, operandSegmentSizes = array<i32: 1, 0, 0>}> : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
// GENERIC: "kiln.layer_norm"(%{{.*}}, %{{.*}}, %{{.*}}) <{eps = 1.000000e-05 : f64, normalized_rank = 2 : i64, operandSegmentSizes = array<i32: 1, 1, 1>}> : (tensor<2x3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<2x3x4xf32>
// GENERIC: "kiln.layer_norm"(%{{.*}}, %{{.*}}) <{eps = 1.000000e-01 : f64, normalized_rank = 1 : i64, operandSegmentSizes = array<i32: 1, 1, 0>}> : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
// GENERIC: "kiln.layer_norm"(%{{.*}}, %{{.*}}) <{eps = 1.000000e-01 : f64, normalized_rank = 1 : i64, operandSegmentSizes = array<i32: 1, 0, 1>}> : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>

// A kiln.fused whose anchor is a kiln.conv2d: its operands are block
// arguments (the weight need not broadcast to the result), then a residual
// add and a relu as the epilogue.
// CHECK-LABEL: func.func @fused_conv2d
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x8x8xf32>, %[[W:.*]]: tensor<6x4x3x3xf32>, %[[B:.*]]: tensor<6xf32>, %[[R:.*]]: tensor<1x6x8x8xf32>)
func.func @fused_conv2d(%x: tensor<1x4x8x8xf32>, %w: tensor<6x4x3x3xf32>,
                        %b: tensor<6xf32>, %r: tensor<1x6x8x8xf32>)
    -> tensor<1x6x8x8xf32> {
  // CHECK: %[[F:.*]] = kiln.fused(%[[X]], %[[W]], %[[B]], %[[R]]) : (tensor<1x4x8x8xf32>, tensor<6x4x3x3xf32>, tensor<6xf32>, tensor<1x6x8x8xf32>) -> tensor<1x6x8x8xf32> {
  // CHECK-NEXT: ^bb0(%[[PX:.*]]: tensor<1x4x8x8xf32>, %[[PW:.*]]: tensor<6x4x3x3xf32>, %[[PB:.*]]: tensor<6xf32>, %[[PR:.*]]: tensor<1x6x8x8xf32>):
  // CHECK-NEXT: %[[C:.*]] = kiln.conv2d %[[PX]], %[[PW]], %[[PB]] {dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 1, 1>, stride = array<i64: 1, 1>} : tensor<1x4x8x8xf32>, tensor<6x4x3x3xf32>, tensor<6xf32> -> tensor<1x6x8x8xf32>
  // CHECK-NEXT: %[[S:.*]] = kiln.add %[[C]], %[[PR]] : tensor<1x6x8x8xf32>, tensor<1x6x8x8xf32>
  // CHECK-NEXT: %[[T:.*]] = kiln.relu %[[S]] : tensor<1x6x8x8xf32>
  // CHECK-NEXT: kiln.yield %[[T]] : tensor<1x6x8x8xf32>
  // CHECK-NEXT: }
  %0 = kiln.fused (%x, %w, %b, %r) : (tensor<1x4x8x8xf32>, tensor<6x4x3x3xf32>, tensor<6xf32>, tensor<1x6x8x8xf32>) -> tensor<1x6x8x8xf32> {
  ^bb0(%i: tensor<1x4x8x8xf32>, %k: tensor<6x4x3x3xf32>, %c: tensor<6xf32>, %res: tensor<1x6x8x8xf32>):
    %1 = kiln.conv2d %i, %k, %c {stride = array<i64: 1, 1>, padding = array<i64: 1, 1>, dilation = array<i64: 1, 1>, groups = 1 : i64}
        : tensor<1x4x8x8xf32>, tensor<6x4x3x3xf32>, tensor<6xf32> -> tensor<1x6x8x8xf32>
    %2 = kiln.add %1, %res : tensor<1x6x8x8xf32>, tensor<1x6x8x8xf32>
    %3 = kiln.relu %2 : tensor<1x6x8x8xf32>
    kiln.yield %3 : tensor<1x6x8x8xf32>
  }
  // CHECK: return %[[F]]
  return %0 : tensor<1x6x8x8xf32>
}
// GENERIC-LABEL: sym_name = "fused_conv2d"
// GENERIC: "kiln.fused"(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) ({
// GENERIC-NEXT: ^bb0(
// GENERIC-NEXT: "kiln.conv2d"(%{{.*}}, %{{.*}}, %{{.*}}) <{dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 1, 1>, stride = array<i64: 1, 1>}> : (tensor<1x4x8x8xf32>, tensor<6x4x3x3xf32>, tensor<6xf32>) -> tensor<1x6x8x8xf32>
// GENERIC-NEXT: "kiln.add"
// GENERIC-NEXT: "kiln.relu"
// GENERIC-NEXT: "kiln.yield"(%{{.*}}) : (tensor<1x6x8x8xf32>) -> ()
// GENERIC-NEXT: }) : (tensor<1x4x8x8xf32>, tensor<6x4x3x3xf32>, tensor<6xf32>, tensor<1x6x8x8xf32>) -> tensor<1x6x8x8xf32>

// A kiln.linear anchor without bias; the epilogue adds the bias, scales by
// a splat constant and applies gelu.
// CHECK-LABEL: func.func @fused_linear
// CHECK-SAME: (%[[X:.*]]: tensor<3x4xf32>, %[[W:.*]]: tensor<5x4xf32>, %[[B:.*]]: tensor<5xf32>)
func.func @fused_linear(%x: tensor<3x4xf32>, %w: tensor<5x4xf32>, %b: tensor<5xf32>)
    -> tensor<3x5xf32> {
  // CHECK: %[[F:.*]] = kiln.fused(%[[X]], %[[W]], %[[B]]) : (tensor<3x4xf32>, tensor<5x4xf32>, tensor<5xf32>) -> tensor<3x5xf32> {
  // CHECK-NEXT: ^bb0(%[[PX:.*]]: tensor<3x4xf32>, %[[PW:.*]]: tensor<5x4xf32>, %[[PB:.*]]: tensor<5xf32>):
  // CHECK-NEXT: %[[L:.*]] = kiln.linear %[[PX]], %[[PW]] : tensor<3x4xf32>, tensor<5x4xf32>{{$}}
  // CHECK-NEXT: %[[S:.*]] = kiln.add %[[L]], %[[PB]] {alpha = 5.000000e-01 : f64} : tensor<3x5xf32>, tensor<5xf32>
  // CHECK-NEXT: %[[K:.*]] = kiln.constant dense<2.000000e+00> : tensor<f32>
  // CHECK-NEXT: %[[M:.*]] = kiln.mul %[[S]], %[[K]] : tensor<3x5xf32>, tensor<f32>
  // CHECK-NEXT: %[[G:.*]] = kiln.gelu %[[M]] {tanh_approximation = true} : tensor<3x5xf32>
  // CHECK-NEXT: kiln.yield %[[G]] : tensor<3x5xf32>
  // CHECK-NEXT: }
  %0 = kiln.fused (%x, %w, %b) : (tensor<3x4xf32>, tensor<5x4xf32>, tensor<5xf32>) -> tensor<3x5xf32> {
  ^bb0(%p: tensor<3x4xf32>, %q: tensor<5x4xf32>, %s: tensor<5xf32>):
    %1 = kiln.linear %p, %q : tensor<3x4xf32>, tensor<5x4xf32>
    %2 = kiln.add %1, %s {alpha = 0.5 : f64} : tensor<3x5xf32>, tensor<5xf32>
    %k = kiln.constant dense<2.0> : tensor<f32>
    %3 = kiln.mul %2, %k : tensor<3x5xf32>, tensor<f32>
    %4 = kiln.gelu %3 {tanh_approximation = true} : tensor<3x5xf32>
    kiln.yield %4 : tensor<3x5xf32>
  }
  // CHECK: return %[[F]]
  return %0 : tensor<3x5xf32>
}
// GENERIC-LABEL: sym_name = "fused_linear"
// GENERIC: "kiln.fused"(%{{.*}}, %{{.*}}, %{{.*}}) ({
// GENERIC-NEXT: ^bb0(
// GENERIC-NEXT: "kiln.linear"(%{{.*}}, %{{.*}}) : (tensor<3x4xf32>, tensor<5x4xf32>) -> tensor<3x5xf32>
// GENERIC-NEXT: "kiln.add"(%{{.*}}, %{{.*}}) <{alpha = 5.000000e-01 : f64}> : (tensor<3x5xf32>, tensor<5xf32>) -> tensor<3x5xf32>
// GENERIC-NEXT: "kiln.constant"() <{value = dense<2.000000e+00> : tensor<f32>}> : () -> tensor<f32>
// GENERIC: }) : (tensor<3x4xf32>, tensor<5x4xf32>, tensor<5xf32>) -> tensor<3x5xf32>

// A kiln.linear anchor with its bias operand, and a kiln.matmul anchor.
// CHECK-LABEL: func.func @fused_linear_bias_matmul
// CHECK-SAME: (%[[X:.*]]: tensor<3x4xf32>, %[[W:.*]]: tensor<5x4xf32>, %[[B:.*]]: tensor<5xf32>, %[[M:.*]]: tensor<4x5xf32>)
func.func @fused_linear_bias_matmul(%x: tensor<3x4xf32>, %w: tensor<5x4xf32>,
                                    %b: tensor<5xf32>, %m: tensor<4x5xf32>)
    -> (tensor<3x5xf32>, tensor<3x5xf32>) {
  // CHECK: %[[F0:.*]] = kiln.fused(%[[X]], %[[W]], %[[B]]) : (tensor<3x4xf32>, tensor<5x4xf32>, tensor<5xf32>) -> tensor<3x5xf32> {
  // CHECK-NEXT: ^bb0(%[[PX:.*]]: tensor<3x4xf32>, %[[PW:.*]]: tensor<5x4xf32>, %[[PB:.*]]: tensor<5xf32>):
  // CHECK-NEXT: %[[L:.*]] = kiln.linear %[[PX]], %[[PW]], %[[PB]] : tensor<3x4xf32>, tensor<5x4xf32>, tensor<5xf32>
  // CHECK-NEXT: %[[LR:.*]] = kiln.leaky_relu %[[L]] {negative_slope = 1.000000e-01 : f64} : tensor<3x5xf32>
  // CHECK-NEXT: kiln.yield %[[LR]] : tensor<3x5xf32>
  // CHECK-NEXT: }
  %0 = kiln.fused (%x, %w, %b) : (tensor<3x4xf32>, tensor<5x4xf32>, tensor<5xf32>) -> tensor<3x5xf32> {
  ^bb0(%p: tensor<3x4xf32>, %q: tensor<5x4xf32>, %s: tensor<5xf32>):
    %1 = kiln.linear %p, %q, %s : tensor<3x4xf32>, tensor<5x4xf32>, tensor<5xf32>
    %2 = kiln.leaky_relu %1 {negative_slope = 0.1 : f64} : tensor<3x5xf32>
    kiln.yield %2 : tensor<3x5xf32>
  }
  // CHECK: %[[F1:.*]] = kiln.fused(%[[X]], %[[M]]) : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32> {
  // CHECK-NEXT: ^bb0(%[[PA:.*]]: tensor<3x4xf32>, %[[PM:.*]]: tensor<4x5xf32>):
  // CHECK-NEXT: %[[MM:.*]] = kiln.matmul %[[PA]], %[[PM]] : tensor<3x4xf32>, tensor<4x5xf32>
  // CHECK-NEXT: %[[SG:.*]] = kiln.sigmoid %[[MM]] : tensor<3x5xf32>
  // CHECK-NEXT: kiln.yield %[[SG]] : tensor<3x5xf32>
  // CHECK-NEXT: }
  %3 = kiln.fused (%x, %m) : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32> {
  ^bb0(%p: tensor<3x4xf32>, %q: tensor<4x5xf32>):
    %4 = kiln.matmul %p, %q : tensor<3x4xf32>, tensor<4x5xf32>
    %5 = kiln.sigmoid %4 : tensor<3x5xf32>
    kiln.yield %5 : tensor<3x5xf32>
  }
  // CHECK: return %[[F0]], %[[F1]]
  return %0, %3 : tensor<3x5xf32>, tensor<3x5xf32>
}
// GENERIC-LABEL: sym_name = "fused_linear_bias_matmul"
// GENERIC: "kiln.linear"(%{{.*}}, %{{.*}}, %{{.*}}) : (tensor<3x4xf32>, tensor<5x4xf32>, tensor<5xf32>) -> tensor<3x5xf32>
// GENERIC: "kiln.matmul"(%{{.*}}, %{{.*}}) : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>

// The other elementwise ops inside a fused body: attributes, compare,
// broadcast, where, cast, maximum. A group with no inputs has no block
// arguments.
// CHECK-LABEL: func.func @fused_elementwise
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>, %[[R:.*]]: tensor<3xf32>, %[[N:.*]]: tensor<2x3xi64>)
func.func @fused_elementwise(%x: tensor<2x3xf32>, %r: tensor<3xf32>,
                             %n: tensor<2x3xi64>)
    -> (tensor<2x3xf32>, tensor<3xf32>) {
  // CHECK: %[[F:.*]] = kiln.fused(%[[X]], %[[R]], %[[N]]) : (tensor<2x3xf32>, tensor<3xf32>, tensor<2x3xi64>) -> tensor<2x3xf32> {
  // CHECK-NEXT: ^bb0(%[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<3xf32>, %[[I:.*]]: tensor<2x3xi64>):
  // CHECK-NEXT: %[[S:.*]] = kiln.sub %[[A]], %[[B]] {alpha = 2.000000e+00 : f64} : tensor<2x3xf32>, tensor<3xf32>
  // CHECK-NEXT: %[[CL:.*]] = kiln.clamp %[[S]] {max = 6.000000e+00 : f64, min = 0.000000e+00 : f64} : tensor<2x3xf32>
  // CHECK-NEXT: %[[GT:.*]] = kiln.compare gt, %[[CL]], %[[B]] : tensor<2x3xf32>, tensor<3xf32>
  // CHECK-NEXT: %[[BC:.*]] = kiln.broadcast %[[B]] : tensor<3xf32> to tensor<2x3xf32>
  // CHECK-NEXT: %[[W:.*]] = kiln.where %[[GT]], %[[CL]], %[[BC]] : tensor<2x3xi1>, tensor<2x3xf32>, tensor<2x3xf32>
  // CHECK-NEXT: %[[CV:.*]] = kiln.cast %[[I]] : tensor<2x3xi64> to tensor<2x3xf32>
  // CHECK-NEXT: %[[MX:.*]] = kiln.maximum %[[W]], %[[CV]] : tensor<2x3xf32>, tensor<2x3xf32>
  // CHECK-NEXT: kiln.yield %[[MX]] : tensor<2x3xf32>
  // CHECK-NEXT: }
  %0 = kiln.fused (%x, %r, %n) : (tensor<2x3xf32>, tensor<3xf32>, tensor<2x3xi64>) -> tensor<2x3xf32> {
  ^bb0(%a: tensor<2x3xf32>, %b: tensor<3xf32>, %i: tensor<2x3xi64>):
    %1 = kiln.sub %a, %b {alpha = 2.0 : f64} : tensor<2x3xf32>, tensor<3xf32>
    %2 = kiln.clamp %1 {min = 0.0 : f64, max = 6.0 : f64} : tensor<2x3xf32>
    %3 = kiln.compare gt, %2, %b : tensor<2x3xf32>, tensor<3xf32>
    %4 = kiln.broadcast %b : tensor<3xf32> to tensor<2x3xf32>
    %5 = kiln.where %3, %2, %4 : tensor<2x3xi1>, tensor<2x3xf32>, tensor<2x3xf32>
    %6 = kiln.cast %i : tensor<2x3xi64> to tensor<2x3xf32>
    %7 = kiln.maximum %5, %6 : tensor<2x3xf32>, tensor<2x3xf32>
    kiln.yield %7 : tensor<2x3xf32>
  }
  // CHECK: %[[E:.*]] = kiln.fused() : () -> tensor<3xf32> {
  // CHECK-NEXT: %[[K:.*]] = kiln.constant dense<1.000000e+00> : tensor<3xf32>
  // CHECK-NEXT: kiln.yield %[[K]] : tensor<3xf32>
  // CHECK-NEXT: }
  %8 = kiln.fused () : () -> tensor<3xf32> {
    %9 = kiln.constant dense<1.0> : tensor<3xf32>
    kiln.yield %9 : tensor<3xf32>
  }
  // CHECK: return %[[F]], %[[E]]
  return %0, %8 : tensor<2x3xf32>, tensor<3xf32>
}
// GENERIC-LABEL: sym_name = "fused_elementwise"
// GENERIC: "kiln.compare"(%{{.*}}, %{{.*}}) <{predicate = 4 : i64}> : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
// GENERIC: "kiln.fused"() ({
// GENERIC-NEXT: "kiln.constant"() <{value = dense<1.000000e+00> : tensor<3xf32>}> : () -> tensor<3xf32>
// GENERIC-NEXT: "kiln.yield"(%{{.*}}) : (tensor<3xf32>) -> ()
// GENERIC-NEXT: }) : () -> tensor<3xf32>

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
