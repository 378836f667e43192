// Folders of the kiln ops under --canonicalize: identities and relu(relu(x)).
// RUN: kiln-opt %s --canonicalize | FileCheck %s

// x + (-0.0) == x for every x, -0.0 included.
// CHECK-LABEL: func.func @add_neg_zero
// CHECK-SAME: (%[[A:.*]]: tensor<3x4xf32>)
// CHECK-NOT: kiln.
// CHECK: return %[[A]] : tensor<3x4xf32>
func.func @add_neg_zero(%a: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %zero = kiln.constant dense<-0.0> : tensor<4xf32>
  %0 = kiln.add %a, %zero : tensor<3x4xf32>, tensor<4xf32>
  return %0 : tensor<3x4xf32>
}

// Negative: x + (+0.0) turns -0.0 into +0.0, so it is not an identity.
// CHECK-LABEL: func.func @add_pos_zero
// CHECK: %[[Z:.*]] = kiln.constant dense<0.000000e+00>
// CHECK: %[[S:.*]] = kiln.add %{{.*}}, %[[Z]]
// CHECK: return %[[S]]
func.func @add_pos_zero(%a: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %zero = kiln.constant dense<0.0> : tensor<4xf32>
  %0 = kiln.add %a, %zero : tensor<3x4xf32>, tensor<4xf32>
  return %0 : tensor<3x4xf32>
}

// x - (+0.0) == x for every x.
// CHECK-LABEL: func.func @sub_pos_zero
// CHECK-SAME: (%[[A:.*]]: tensor<3x4xf32>)
// CHECK-NOT: kiln.
// CHECK: return %[[A]] : tensor<3x4xf32>
func.func @sub_pos_zero(%a: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %zero = kiln.constant dense<0.0> : tensor<f32>
  %0 = kiln.sub %a, %zero : tensor<3x4xf32>, tensor<f32>
  return %0 : tensor<3x4xf32>
}

// Negative: a float zero scaled by alpha is left alone (alpha = inf gives NaN).
// CHECK-LABEL: func.func @add_zero_alpha
// CHECK: kiln.add %{{.*}}, %{{.*}} {alpha = 2.000000e+00 : f64}
func.func @add_zero_alpha(%a: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %zero = kiln.constant dense<-0.0> : tensor<3x4xf32>
  %0 = kiln.add %a, %zero {alpha = 2.0 : f64} : tensor<3x4xf32>, tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// Integer zeros fold whatever alpha is.
// CHECK-LABEL: func.func @add_zero_int_alpha
// CHECK-SAME: (%[[A:.*]]: tensor<4xi32>)
// CHECK-NOT: kiln.
// CHECK: return %[[A]]
func.func @add_zero_int_alpha(%a: tensor<4xi32>) -> tensor<4xi32> {
  %zero = kiln.constant dense<0> : tensor<4xi32>
  %0 = kiln.add %a, %zero {alpha = 3.0 : f64} : tensor<4xi32>, tensor<4xi32>
  return %0 : tensor<4xi32>
}

// CHECK-LABEL: func.func @sub_zero_int
// CHECK-SAME: (%[[A:.*]]: tensor<4xi32>)
// CHECK-NOT: kiln.
// CHECK: return %[[A]] : tensor<4xi32>
func.func @sub_zero_int(%a: tensor<4xi32>) -> tensor<4xi32> {
  %zero = kiln.constant dense<0> : tensor<i32>
  %0 = kiln.sub %a, %zero : tensor<4xi32>, tensor<i32>
  return %0 : tensor<4xi32>
}

// CHECK-LABEL: func.func @mul_one
// CHECK-SAME: (%[[A:.*]]: tensor<3x4xf32>)
// CHECK-NOT: kiln.
// CHECK: return %[[A]] : tensor<3x4xf32>
func.func @mul_one(%a: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %one = kiln.constant dense<1.0> : tensor<4xf32>
  %0 = kiln.mul %a, %one : tensor<3x4xf32>, tensor<4xf32>
  return %0 : tensor<3x4xf32>
}

// mul is commutative: the constant moves to the right, then folds.
// CHECK-LABEL: func.func @one_mul
// CHECK-SAME: (%[[A:.*]]: tensor<3x4xf32>)
// CHECK-NOT: kiln.
// CHECK: return %[[A]] : tensor<3x4xf32>
func.func @one_mul(%a: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %one = kiln.constant dense<1.0> : tensor<3x4xf32>
  %0 = kiln.mul %one, %a : tensor<3x4xf32>, tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// CHECK-LABEL: func.func @div_one
// CHECK-SAME: (%[[A:.*]]: tensor<3x4xf32>)
// CHECK-NOT: kiln.
// CHECK: return %[[A]] : tensor<3x4xf32>
func.func @div_one(%a: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %one = kiln.constant dense<1.0> : tensor<f32>
  %0 = kiln.div %a, %one : tensor<3x4xf32>, tensor<f32>
  return %0 : tensor<3x4xf32>
}

// CHECK-LABEL: func.func @relu_relu
// CHECK-SAME: (%[[A:.*]]: tensor<3x4xf32>)
// CHECK-NEXT: %[[R:.*]] = kiln.relu %[[A]] : tensor<3x4xf32>
// CHECK-NEXT: return %[[R]] : tensor<3x4xf32>
func.func @relu_relu(%a: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %0 = kiln.relu %a : tensor<3x4xf32>
  %1 = kiln.relu %0 : tensor<3x4xf32>
  %2 = kiln.relu %1 : tensor<3x4xf32>
  return %2 : tensor<3x4xf32>
}

// Negative: relu of something else stays.
// CHECK-LABEL: func.func @relu_tanh
// CHECK-SAME: (%[[A:.*]]: tensor<3x4xf32>)
// CHECK-NEXT: %[[T:.*]] = kiln.tanh %[[A]]
// CHECK-NEXT: %[[R:.*]] = kiln.relu %[[T]]
// CHECK-NEXT: return %[[R]]
func.func @relu_tanh(%a: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %0 = kiln.tanh %a : tensor<3x4xf32>
  %1 = kiln.relu %0 : tensor<3x4xf32>
  return %1 : tensor<3x4xf32>
}

// Negative: adding a non-zero splat is not an identity.
// CHECK-LABEL: func.func @add_nonzero
// CHECK-SAME: (%[[A:.*]]: tensor<3x4xf32>)
// CHECK: %[[C:.*]] = kiln.constant dense<1.000000e+00> : tensor<4xf32>
// CHECK: %[[S:.*]] = kiln.add %[[A]], %[[C]] : tensor<3x4xf32>, tensor<4xf32>
// CHECK: return %[[S]]
func.func @add_nonzero(%a: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %one = kiln.constant dense<1.0> : tensor<4xf32>
  %0 = kiln.add %a, %one : tensor<3x4xf32>, tensor<4xf32>
  return %0 : tensor<3x4xf32>
}

// Negative: multiplying by a non-one splat stays.
// CHECK-LABEL: func.func @mul_two
// CHECK: %[[C:.*]] = kiln.constant dense<2.000000e+00>
// CHECK: %[[M:.*]] = kiln.mul %{{.*}}, %[[C]]
// CHECK: return %[[M]]
func.func @mul_two(%a: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %two = kiln.constant dense<2.0> : tensor<3x4xf32>
  %0 = kiln.mul %a, %two : tensor<3x4xf32>, tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// Negative: the zero broadcasts %a to 3x4, so %a alone has the wrong type.
// CHECK-LABEL: func.func @add_zero_broadcasts
// CHECK-SAME: (%[[A:.*]]: tensor<4xf32>)
// CHECK: %[[Z:.*]] = kiln.constant dense<-0.000000e+00> : tensor<3x4xf32>
// CHECK: %[[S:.*]] = kiln.add %[[A]], %[[Z]] : tensor<4xf32>, tensor<3x4xf32>
// CHECK: return %[[S]] : tensor<3x4xf32>
func.func @add_zero_broadcasts(%a: tensor<4xf32>) -> tensor<3x4xf32> {
  %zero = kiln.constant dense<-0.0> : tensor<3x4xf32>
  %0 = kiln.add %a, %zero : tensor<4xf32>, tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// Negative: a non-splat constant is not folded even if one element is zero.
// CHECK-LABEL: func.func @add_non_splat
// CHECK: %[[C:.*]] = kiln.constant dense<[0.000000e+00, 1.000000e+00]>
// CHECK: %[[S:.*]] = kiln.add %{{.*}}, %[[C]]
// CHECK: return %[[S]]
func.func @add_non_splat(%a: tensor<2xf32>) -> tensor<2xf32> {
  %c = kiln.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %0 = kiln.add %a, %c : tensor<2xf32>, tensor<2xf32>
  return %0 : tensor<2xf32>
}
