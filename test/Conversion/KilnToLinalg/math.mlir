// Scalar bodies of the math ops (ScalarEmitter.cpp) that are more than one
// upstream op: integer division that cannot trap, Python's remainder,
// half precision through f32, NaN tests.
// RUN: kiln-opt %s --split-input-file --convert-kiln-to-linalg | FileCheck %s

// A zero divisor divides by 1 and -1 negates: no idiv can trap (the
// importer admits only nonzero constant integer divisors).
// CHECK-LABEL: func.func @floor_divide_int
// CHECK: ^bb0(%[[X:.*]]: i64, %[[Y:.*]]: i64, %{{.*}}: i64):
// CHECK: %[[M1:.*]] = arith.constant -1 : i64
// CHECK: %[[ISM1:.*]] = arith.cmpi eq, %[[Y]], %[[M1]] : i64
// CHECK: %[[Z:.*]] = arith.cmpi eq, %[[Y]], %{{.*}} : i64
// CHECK: %[[UNSAFE:.*]] = arith.ori %[[Z]], %[[ISM1]] : i1
// CHECK: %[[ONE:.*]] = arith.constant 1 : i64
// CHECK: %[[D:.*]] = arith.select %[[UNSAFE]], %[[ONE]], %[[Y]] : i64
// CHECK: %[[Q:.*]] = arith.floordivsi %[[X]], %[[D]] : i64
// CHECK: %[[NEG:.*]] = arith.subi %{{.*}}, %[[X]] : i64
// CHECK: arith.select %[[ISM1]], %[[NEG]], %[[Q]] : i64
func.func @floor_divide_int(%a: tensor<4xi64>, %b: tensor<i64>) -> tensor<4xi64> {
  %0 = kiln.floor_divide %a, %b : tensor<4xi64>, tensor<i64>
  return %0 : tensor<4xi64>
}

// -----

// fmod, then moved into the divisor's sign when nonzero.
// CHECK-LABEL: func.func @remainder_float
// CHECK: ^bb0(%[[X:.*]]: f32, %[[Y:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[MOD:.*]] = arith.remf %[[X]], %[[Y]] : f32
// CHECK: %[[NZ:.*]] = arith.cmpf une, %[[MOD]]
// CHECK: %[[FIX:.*]] = arith.andi %[[NZ]]
// CHECK: %[[SUM:.*]] = arith.addf %[[MOD]], %[[Y]] : f32
// CHECK: arith.select %[[FIX]], %[[SUM]], %[[MOD]] : f32
func.func @remainder_float(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %0 = kiln.remainder %a, %b : tensor<4xf32>, tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @tan_f16
// CHECK: ^bb0(%[[X:.*]]: f16, %{{.*}}: f16):
// CHECK: %[[W:.*]] = arith.extf %[[X]] : f16 to f32
// CHECK: %[[T:.*]] = math.tan %[[W]] : f32
// CHECK: %[[N:.*]] = arith.truncf %[[T]] : f32 to f16
// CHECK: linalg.yield %[[N]] : f16
func.func @tan_f16(%a: tensor<4xf16>) -> tensor<4xf16> {
  %0 = kiln.tan %a : tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

// CHECK-LABEL: func.func @isnan
// CHECK: ^bb0(%[[X:.*]]: f32, %{{.*}}: i1):
// CHECK: %[[R:.*]] = arith.cmpf uno, %[[X]], %[[X]] : f32
// CHECK: linalg.yield %[[R]] : i1
func.func @isnan(%a: tensor<4xf32>) -> tensor<4xi1> {
  %0 = kiln.isnan %a : tensor<4xf32> to tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

// CHECK-LABEL: func.func @sign_int
// CHECK: %[[NEG:.*]] = arith.cmpi slt
// CHECK: %[[N:.*]] = arith.extui %[[NEG]]
// CHECK: %[[POS:.*]] = arith.cmpi sgt
// CHECK: %[[P:.*]] = arith.extui %[[POS]]
// CHECK: arith.subi %[[P]], %[[N]]
func.func @sign_int(%a: tensor<4xi32>) -> tensor<4xi32> {
  %0 = kiln.sign %a : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// CHECK-LABEL: func.func @bitwise
// CHECK: arith.andi
// CHECK: arith.ori
// CHECK: arith.xori
func.func @bitwise(%a: tensor<4xi8>, %b: tensor<4xi8>) -> (tensor<4xi8>, tensor<4xi8>, tensor<4xi8>) {
  %0 = kiln.bitwise_and %a, %b : tensor<4xi8>, tensor<4xi8>
  %1 = kiln.bitwise_or %a, %b : tensor<4xi8>, tensor<4xi8>
  %2 = kiln.bitwise_xor %a, %b : tensor<4xi8>, tensor<4xi8>
  return %0, %1, %2 : tensor<4xi8>, tensor<4xi8>, tensor<4xi8>
}
