// --kiln-remove-noops: which ops are replaced by their operand or merged, and which must stay.
// RUN: kiln-opt %s --kiln-remove-noops | FileCheck %s

// Identity reshape, cast, broadcast and transpose, a full slice (zero
// offsets, unit strides, same type), a zero pad and a single-input concat
// all forward their operand; the whole chain disappears.
// CHECK-LABEL: func.func @identities
// CHECK-SAME: (%[[X:.*]]: tensor<3x4xf32>)
// CHECK-NEXT: return %[[X]] : tensor<3x4xf32>
func.func @identities(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %0 = kiln.reshape %x : tensor<3x4xf32> to tensor<3x4xf32>
  %1 = kiln.cast %0 : tensor<3x4xf32> to tensor<3x4xf32>
  %2 = kiln.broadcast %1 : tensor<3x4xf32> to tensor<3x4xf32>
  %3 = kiln.transpose %2, [0, 1] : tensor<3x4xf32>
  %4 = kiln.slice %3 {offsets = array<i64: 0, 0>, sizes = array<i64: 3, 4>, strides = array<i64: 1, 1>} : tensor<3x4xf32> to tensor<3x4xf32>
  %5 = kiln.pad %4 {low = array<i64: 0, 0>, high = array<i64: 0, 0>, value = 0.0 : f64} : tensor<3x4xf32> to tensor<3x4xf32>
  %6 = "kiln.concat"(%5) <{dim = 0 : i64}> : (tensor<3x4xf32>) -> tensor<3x4xf32>
  return %6 : tensor<3x4xf32>
}

// x + (-0.0), x * 1 and x / 1 are IEEE identities (the constants may
// broadcast as long as the result keeps x's type), and relu(relu(x)) is
// relu(x). The constants, left unused, are erased.
// CHECK-LABEL: func.func @arith_identities
// CHECK-SAME: (%[[X:.*]]: tensor<3x4xf32>)
// CHECK-NEXT: %[[R:.*]] = kiln.relu %[[X]] : tensor<3x4xf32>
// CHECK-NEXT: return %[[R]]
func.func @arith_identities(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %nz = kiln.constant dense<-0.0> : tensor<4xf32>
  %one = kiln.constant dense<1.0> : tensor<f32>
  %0 = kiln.add %x, %nz : tensor<3x4xf32>, tensor<4xf32>
  %1 = kiln.mul %0, %one : tensor<3x4xf32>, tensor<f32>
  %2 = kiln.div %1, %one : tensor<3x4xf32>, tensor<f32>
  %3 = kiln.relu %2 : tensor<3x4xf32>
  %4 = kiln.relu %3 : tensor<3x4xf32>
  return %4 : tensor<3x4xf32>
}

// x - (+0.0) is an identity too; for integers any alpha times 0 is 0.
// CHECK-LABEL: func.func @sub_zero_and_int
// CHECK-SAME: (%[[X:.*]]: tensor<3x4xf32>, %[[I:.*]]: tensor<3x4xi32>)
// CHECK-NEXT: return %[[X]], %[[I]]
func.func @sub_zero_and_int(%x: tensor<3x4xf32>, %i: tensor<3x4xi32>) -> (tensor<3x4xf32>, tensor<3x4xi32>) {
  %pz = kiln.constant dense<0.0> : tensor<4xf32>
  %z = kiln.constant dense<0> : tensor<i32>
  %one = kiln.constant dense<1> : tensor<i32>
  %0 = kiln.sub %x, %pz : tensor<3x4xf32>, tensor<4xf32>
  %1 = kiln.add %i, %z {alpha = 3.0 : f64} : tensor<3x4xi32>, tensor<i32>
  %2 = kiln.mul %1, %one : tensor<3x4xi32>, tensor<i32>
  return %0, %2 : tensor<3x4xf32>, tensor<3x4xi32>
}

// reshape(reshape(x)) becomes one reshape of x (three in a row as well).
// CHECK-LABEL: func.func @reshape_chain
// CHECK-SAME: (%[[X:.*]]: tensor<2x6xf32>)
// CHECK-NEXT: %[[R:.*]] = kiln.reshape %[[X]] : tensor<2x6xf32> to tensor<3x4xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_chain(%x: tensor<2x6xf32>) -> tensor<3x4xf32> {
  %0 = kiln.reshape %x : tensor<2x6xf32> to tensor<12xf32>
  %1 = kiln.reshape %0 : tensor<12xf32> to tensor<6x2xf32>
  %2 = kiln.reshape %1 : tensor<6x2xf32> to tensor<3x4xf32>
  return %2 : tensor<3x4xf32>
}

// transpose(transpose(x)) becomes one transpose with the composed
// permutation: [1, 2, 0] then [0, 2, 1] is x's dims [1, 0, 2].
// CHECK-LABEL: func.func @transpose_chain
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK-NEXT: %[[T:.*]] = kiln.transpose %[[X]], [1, 0, 2] : tensor<2x3x4xf32>
// CHECK-NEXT: return %[[T]] : tensor<3x2x4xf32>
func.func @transpose_chain(%x: tensor<2x3x4xf32>) -> tensor<3x2x4xf32> {
  %0 = kiln.transpose %x, [1, 2, 0] : tensor<2x3x4xf32>
  %1 = kiln.transpose %0, [0, 2, 1] : tensor<3x4x2xf32>
  return %1 : tensor<3x2x4xf32>
}

// When the chain composes to the identity, the merged op is an identity
// too, and goes: x itself is returned.
// CHECK-LABEL: func.func @transpose_chain_to_identity
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK-NEXT: return %[[X]] : tensor<2x3x4xf32>
func.func @transpose_chain_to_identity(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %0 = kiln.transpose %x, [1, 2, 0] : tensor<2x3x4xf32>
  %1 = kiln.transpose %0, [2, 0, 1] : tensor<3x4x2xf32>
  return %1 : tensor<2x3x4xf32>
}
// CHECK-LABEL: func.func @reshape_chain_to_identity
// CHECK-SAME: (%[[X:.*]]: tensor<2x6xf32>)
// CHECK-NEXT: return %[[X]]
func.func @reshape_chain_to_identity(%x: tensor<2x6xf32>) -> tensor<2x6xf32> {
  %0 = kiln.reshape %x : tensor<2x6xf32> to tensor<12xf32>
  %1 = kiln.reshape %0 : tensor<12xf32> to tensor<2x6xf32>
  return %1 : tensor<2x6xf32>
}

// The inner transpose of a merged chain stays when it has another use.
// CHECK-LABEL: func.func @inner_has_other_use
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[A:.*]] = kiln.transpose %[[X]], [1, 0] : tensor<2x3xf32>
// CHECK-NEXT: %[[T:.*]] = kiln.tanh %[[X]]
// CHECK-NEXT: return %[[A]], %[[T]]
func.func @inner_has_other_use(%x: tensor<2x3xf32>) -> (tensor<3x2xf32>, tensor<2x3xf32>) {
  %0 = kiln.transpose %x, [1, 0] : tensor<2x3xf32>
  %1 = kiln.transpose %0, [1, 0] : tensor<3x2xf32>
  %2 = kiln.tanh %1 : tensor<2x3xf32>
  return %0, %2 : tensor<3x2xf32>, tensor<2x3xf32>
}

// Ops inside a kiln.fused body are cleaned up too.
// CHECK-LABEL: func.func @inside_fused
// CHECK: ^bb0(%[[Y:.*]]: tensor<3x4xf32>):
// CHECK-NEXT: %[[T:.*]] = kiln.tanh %[[Y]]
// CHECK-NEXT: kiln.yield %[[T]]
func.func @inside_fused(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %f = kiln.fused(%x) : (tensor<3x4xf32>) -> tensor<3x4xf32> {
  ^bb0(%y: tensor<3x4xf32>):
    %one = kiln.constant dense<1.0> : tensor<f32>
    %m = kiln.mul %y, %one : tensor<3x4xf32>, tensor<f32>
    %t = kiln.tanh %m : tensor<3x4xf32>
    kiln.yield %t : tensor<3x4xf32>
  }
  return %f : tensor<3x4xf32>
}

// Negative: a reshape that changes the shape is real.
// CHECK-LABEL: func.func @real_reshape
// CHECK-SAME: (%[[X:.*]]: tensor<3x4xf32>)
// CHECK-NEXT: %[[R:.*]] = kiln.reshape %[[X]] : tensor<3x4xf32> to tensor<4x3xf32>
// CHECK-NEXT: return %[[R]]
func.func @real_reshape(%x: tensor<3x4xf32>) -> tensor<4x3xf32> {
  %0 = kiln.reshape %x : tensor<3x4xf32> to tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// Negative: x + (+0.0) is not x: for x = -0.0 it is +0.0 (IEEE), so the add
// of a positive zero stays.
// CHECK-LABEL: func.func @add_positive_zero
// CHECK-SAME: (%[[X:.*]]: tensor<3x4xf32>)
// CHECK-NEXT: %[[Z:.*]] = kiln.constant dense<0.000000e+00> : tensor<4xf32>
// CHECK-NEXT: %[[S:.*]] = kiln.add %[[X]], %[[Z]]
// CHECK-NEXT: return %[[S]]
func.func @add_positive_zero(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %pz = kiln.constant dense<0.0> : tensor<4xf32>
  %0 = kiln.add %x, %pz : tensor<3x4xf32>, tensor<4xf32>
  return %0 : tensor<3x4xf32>
}

// Negative: slices with stride 2 or a non-zero offset drop elements.
// CHECK-LABEL: func.func @real_slices
// CHECK: kiln.slice %{{.*}} {offsets = array<i64: 0, 0>, sizes = array<i64: 3, 2>, strides = array<i64: 1, 2>} : tensor<3x4xf32> to tensor<3x2xf32>
// CHECK-NEXT: kiln.slice %{{.*}} {offsets = array<i64: 0, 1>, sizes = array<i64: 3, 3>, strides = array<i64: 1, 1>} : tensor<3x4xf32> to tensor<3x3xf32>
// CHECK-NEXT: return
func.func @real_slices(%x: tensor<3x4xf32>) -> (tensor<3x2xf32>, tensor<3x3xf32>) {
  %0 = kiln.slice %x {offsets = array<i64: 0, 0>, sizes = array<i64: 3, 2>, strides = array<i64: 1, 2>} : tensor<3x4xf32> to tensor<3x2xf32>
  %1 = kiln.slice %x {offsets = array<i64: 0, 1>, sizes = array<i64: 3, 3>, strides = array<i64: 1, 1>} : tensor<3x4xf32> to tensor<3x3xf32>
  return %0, %1 : tensor<3x2xf32>, tensor<3x3xf32>
}

// Negative: pads that add elements (at the edges or between them) stay.
// CHECK-LABEL: func.func @real_pads
// CHECK: kiln.pad %{{.*}} {high = array<i64: 0, 1>, low = array<i64: 0, 1>, value = 0.000000e+00 : f64} : tensor<2x3xf32> to tensor<2x5xf32>
// CHECK-NEXT: kiln.pad %{{.*}} {high = array<i64: 0, 0>, interior = array<i64: 0, 1>, low = array<i64: 0, 0>, value = 0.000000e+00 : f64} : tensor<2x3xf32> to tensor<2x5xf32>
// CHECK-NEXT: return
func.func @real_pads(%x: tensor<2x3xf32>) -> (tensor<2x5xf32>, tensor<2x5xf32>) {
  %0 = kiln.pad %x {low = array<i64: 0, 1>, high = array<i64: 0, 1>, value = 0.0 : f64} : tensor<2x3xf32> to tensor<2x5xf32>
  %1 = kiln.pad %x {low = array<i64: 0, 0>, high = array<i64: 0, 0>, interior = array<i64: 0, 1>, value = 0.0 : f64} : tensor<2x3xf32> to tensor<2x5xf32>
  return %0, %1 : tensor<2x5xf32>, tensor<2x5xf32>
}

// Negative: x * 1 where the 1 broadcasts x to a larger shape is a
// broadcast, not a no-op.
// CHECK-LABEL: func.func @mul_one_broadcasts
// CHECK: %[[M:.*]] = kiln.mul %{{.*}}, %{{.*}} : tensor<4xf32>, tensor<3x4xf32>
// CHECK-NEXT: return %[[M]]
func.func @mul_one_broadcasts(%x: tensor<4xf32>) -> tensor<3x4xf32> {
  %one = kiln.constant dense<1.0> : tensor<3x4xf32>
  %0 = kiln.mul %x, %one : tensor<4xf32>, tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// Negative (missed case): 1 * x with the constant on the left is not removed
// in one run; the commutative-trait fold only moves the constant to the
// right (so a second run would remove it).
// CHECK-LABEL: func.func @one_times_x
// CHECK-SAME: (%[[X:.*]]: tensor<3x4xf32>)
// CHECK-NEXT: %[[ONE:.*]] = kiln.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[M:.*]] = kiln.mul %[[X]], %[[ONE]] : tensor<3x4xf32>, tensor<f32>
// CHECK-NEXT: return %[[M]]
func.func @one_times_x(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %one = kiln.constant dense<1.0> : tensor<f32>
  %0 = kiln.mul %one, %x : tensor<f32>, tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}
