// --kiln-fold-constants: which ops of constants are evaluated at compile time, and the values they fold to.
// RUN: kiln-opt %s --kiln-fold-constants | FileCheck %s
// RUN: kiln-opt %s --kiln-fold-constants=max-elements=4 | FileCheck %s --check-prefix=LIMIT

// A transpose of a constant is one constant with the permuted values; the
// operand constant, left without users, is erased.
// CHECK-LABEL: func.func @transpose
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<{{\[}}[1.000000e+00, 4.000000e+00], [2.000000e+00, 5.000000e+00], [3.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
// CHECK-NEXT: return %[[C]] : tensor<3x2xf32>
func.func @transpose() -> tensor<3x2xf32> {
  %c = kiln.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %t = kiln.transpose %c, [1, 0] : tensor<2x3xf32>
  return %t : tensor<3x2xf32>
}

// A reshape keeps the row-major order of the elements.
// CHECK-LABEL: func.func @reshape
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<{{\[}}[1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00], [5.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
// CHECK-NEXT: return %[[C]]
func.func @reshape() -> tensor<3x2xf32> {
  %c = kiln.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %t = kiln.reshape %c : tensor<2x3xf32> to tensor<3x2xf32>
  return %t : tensor<3x2xf32>
}

// Float to integer casts truncate toward zero (1.7 -> 1, -1.7 -> -1,
// -0.5 -> 0), as PyTorch does; they do not round.
// CHECK-LABEL: func.func @cast_truncates
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<[1, -1, 2, 0]> : tensor<4xi32>
// CHECK-NEXT: return %[[C]]
func.func @cast_truncates() -> tensor<4xi32> {
  %c = kiln.constant dense<[1.7, -1.7, 2.5, -0.5]> : tensor<4xf32>
  %t = kiln.cast %c : tensor<4xf32> to tensor<4xi32>
  return %t : tensor<4xi32>
}

// add computes lhs + alpha * rhs: [1, 2, 3] + 0.5 * [10, 20, 30].
// CHECK-LABEL: func.func @add_alpha
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<[6.000000e+00, 1.200000e+01, 1.800000e+01]> : tensor<3xf32>
// CHECK-NEXT: return %[[C]]
func.func @add_alpha() -> tensor<3xf32> {
  %a = kiln.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %b = kiln.constant dense<[10.0, 20.0, 30.0]> : tensor<3xf32>
  %t = kiln.add %a, %b {alpha = 0.5 : f64} : tensor<3xf32>, tensor<3xf32>
  return %t : tensor<3xf32>
}

// Integer sub with alpha: [1, 2, 3] - 2 * [10, 20, 30].
// CHECK-LABEL: func.func @int_sub_alpha
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<[-19, -38, -57]> : tensor<3xi32>
// CHECK-NEXT: return %[[C]]
func.func @int_sub_alpha() -> tensor<3xi32> {
  %a = kiln.constant dense<[1, 2, 3]> : tensor<3xi32>
  %b = kiln.constant dense<[10, 20, 30]> : tensor<3xi32>
  %t = kiln.sub %a, %b {alpha = 2.0 : f64} : tensor<3xi32>, tensor<3xi32>
  return %t : tensor<3xi32>
}

// Ops are visited in program order, so a folded producer makes its user
// foldable: transpose then mul by a 0-d constant becomes one constant.
// CHECK-LABEL: func.func @chain
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<{{\[}}[2.000000e+00, 8.000000e+00], [4.000000e+00, 1.000000e+01], [6.000000e+00, 1.200000e+01]]> : tensor<3x2xf32>
// CHECK-NEXT: return %[[C]]
func.func @chain() -> tensor<3x2xf32> {
  %c = kiln.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %s = kiln.constant dense<2.0> : tensor<f32>
  %t = kiln.transpose %c, [1, 0] : tensor<2x3xf32>
  %m = kiln.mul %t, %s : tensor<3x2xf32>, tensor<f32>
  return %m : tensor<3x2xf32>
}

// Unary ops chain too: rsqrt([4, 16, 0.25, 1]) = [0.5, 0.25, 2, 1], then
// neg, then abs.
// CHECK-LABEL: func.func @unary_chain
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<[5.000000e-01, 2.500000e-01, 2.000000e+00, 1.000000e+00]> : tensor<4xf32>
// CHECK-NEXT: return %[[C]]
func.func @unary_chain() -> tensor<4xf32> {
  %a = kiln.constant dense<[4.0, 16.0, 0.25, 1.0]> : tensor<4xf32>
  %r = kiln.rsqrt %a : tensor<4xf32>
  %n = kiln.neg %r : tensor<4xf32>
  %b = kiln.abs %n : tensor<4xf32>
  return %b : tensor<4xf32>
}

// Binary ops broadcast their operands: a / b, max with b, minus min(a, b).
// d = [[0.5, 2], [-1.5, 1]], max(d, b) = [[2, 4], [2, 4]],
// min(a, b) = [[1, 4], [-3, 4]].
// CHECK-LABEL: func.func @broadcasting_binary
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<{{\[}}[1.000000e+00, 0.000000e+00], [5.000000e+00, 0.000000e+00]]> : tensor<2x2xf32>
// CHECK-NEXT: return %[[C]]
func.func @broadcasting_binary() -> tensor<2x2xf32> {
  %a = kiln.constant dense<[[1.0, 8.0], [-3.0, 4.0]]> : tensor<2x2xf32>
  %b = kiln.constant dense<[2.0, 4.0]> : tensor<2xf32>
  %d = kiln.div %a, %b : tensor<2x2xf32>, tensor<2xf32>
  %m = kiln.maximum %d, %b : tensor<2x2xf32>, tensor<2xf32>
  %n = kiln.minimum %a, %b : tensor<2x2xf32>, tensor<2xf32>
  %s = kiln.sub %m, %n : tensor<2x2xf32>, tensor<2x2xf32>
  return %s : tensor<2x2xf32>
}

// A strided slice: rows 1..2, every other column.
// CHECK-LABEL: func.func @slice
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<{{\[}}[4.000000e+00, 6.000000e+00], [8.000000e+00, 1.000000e+01]]> : tensor<2x2xf32>
// CHECK-NEXT: return %[[C]]
func.func @slice() -> tensor<2x2xf32> {
  %c = kiln.constant dense<[[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 10.0, 11.0]]> : tensor<3x4xf32>
  %t = kiln.slice %c {offsets = array<i64: 1, 0>, sizes = array<i64: 2, 2>, strides = array<i64: 1, 2>} : tensor<3x4xf32> to tensor<2x2xf32>
  return %t : tensor<2x2xf32>
}

// Concatenation along dim 1. (Written in generic form: the custom form with
// `{dim = 1 : i64}` in the attr-dict crashes the parser.)
// CHECK-LABEL: func.func @concat
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<{{\[}}[1.000000e+00, 3.000000e+00, 4.000000e+00], [2.000000e+00, 5.000000e+00, 6.000000e+00]]> : tensor<2x3xf32>
// CHECK-NEXT: return %[[C]]
func.func @concat() -> tensor<2x3xf32> {
  %a = kiln.constant dense<[[1.0], [2.0]]> : tensor<2x1xf32>
  %b = kiln.constant dense<[[3.0, 4.0], [5.0, 6.0]]> : tensor<2x2xf32>
  %t = "kiln.concat"(%a, %b) <{dim = 1 : i64}> : (tensor<2x1xf32>, tensor<2x2xf32>) -> tensor<2x3xf32>
  return %t : tensor<2x3xf32>
}

// An operand constant with another use stays; the folded value is a new
// constant.
// CHECK-LABEL: func.func @operand_kept
// CHECK-DAG: %[[A:.*]] = kiln.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[N:.*]] = kiln.constant dense<[-1.000000e+00, -2.000000e+00]> : tensor<2xf32>
// CHECK-NOT: kiln.neg
// CHECK: return %[[A]], %[[N]]
func.func @operand_kept() -> (tensor<2xf32>, tensor<2xf32>) {
  %a = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %n = kiln.neg %a : tensor<2xf32>
  return %a, %n : tensor<2xf32>, tensor<2xf32>
}

// A result with more than 16 elements becomes a dense_resource blob (named
// "folded" for inline operands); its bytes are the transposed values
// 0, 5, 10, 15, 1, ... after the 64-byte alignment word.
// CHECK-LABEL: func.func @large_result_is_blob
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense_resource<folded> : tensor<5x4xf32>
// CHECK-NEXT: return %[[C]]
func.func @large_result_is_blob() -> tensor<5x4xf32> {
  %c = kiln.constant dense<[[0.0, 1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0, 9.0], [10.0, 11.0, 12.0, 13.0, 14.0], [15.0, 16.0, 17.0, 18.0, 19.0]]> : tensor<4x5xf32>
  %t = kiln.transpose %c, [1, 0] : tensor<4x5xf32>
  return %t : tensor<5x4xf32>
}

// A fold of a named weight blob gets the weight's name plus ".folded".
// CHECK-LABEL: func.func @named_blob
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense_resource<fc.weight.folded> : tensor<5x4xf32>
// CHECK-NEXT: return %[[C]]
func.func @named_blob() -> tensor<5x4xf32> {
  %c = kiln.constant dense_resource<fc.weight> : tensor<20xf32>
  %t = kiln.reshape %c : tensor<20xf32> to tensor<5x4xf32>
  return %t : tensor<5x4xf32>
}

// A non-splat result of at most 16 elements stays inline even when it is a
// broadcast (1x4 to 4x4).
// CHECK-LABEL: func.func @small_broadcast
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<{{\[}}[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00], [1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00], [1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00], [1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]]> : tensor<4x4xf32>
// CHECK-NEXT: return %[[C]]
func.func @small_broadcast() -> tensor<4x4xf32> {
  %a = kiln.constant dense<[[1.0, 2.0, 3.0, 4.0]]> : tensor<1x4xf32>
  %t = kiln.broadcast %a : tensor<1x4xf32> to tensor<4x4xf32>
  return %t : tensor<4x4xf32>
}

// A broadcast of a splat folds to a splat of the result type (no size cost).
// CHECK-LABEL: func.func @splat_broadcast
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<3.000000e+00> : tensor<8x20xf32>
// CHECK-NEXT: return %[[C]]
func.func @splat_broadcast() -> tensor<8x20xf32> {
  %a = kiln.constant dense<3.0> : tensor<1x20xf32>
  %t = kiln.broadcast %a : tensor<1x20xf32> to tensor<8x20xf32>
  return %t : tensor<8x20xf32>
}

// Negative: an op with a non-constant operand is not folded.
// CHECK-LABEL: func.func @non_constant_operand
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>)
// CHECK-NEXT: %[[A:.*]] = kiln.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00]> : tensor<3xf32>
// CHECK-NEXT: %[[S:.*]] = kiln.add %[[X]], %[[A]]
// CHECK-NEXT: return %[[S]]
func.func @non_constant_operand(%x: tensor<3xf32>) -> tensor<3xf32> {
  %a = kiln.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %t = kiln.add %x, %a : tensor<3xf32>, tensor<3xf32>
  return %t : tensor<3xf32>
}

// Negative: broadcasting a non-splat 1x20 constant to 8x20 would put 160
// values in the object instead of 20, so it is not folded.
// CHECK-LABEL: func.func @nonsplat_broadcast_not_folded
// CHECK-NEXT: %[[A:.*]] = kiln.constant dense<{{\[}}[0.000000e+00, 1.000000e+00, {{.*}}, 1.900000e+01]]> : tensor<1x20xf32>
// CHECK-NEXT: %[[B:.*]] = kiln.broadcast %[[A]] : tensor<1x20xf32> to tensor<8x20xf32>
// CHECK-NEXT: return %[[B]]
func.func @nonsplat_broadcast_not_folded() -> tensor<8x20xf32> {
  %a = kiln.constant dense<[[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0]]> : tensor<1x20xf32>
  %t = kiln.broadcast %a : tensor<1x20xf32> to tensor<8x20xf32>
  return %t : tensor<8x20xf32>
}

// Negative: ops inside a kiln.fused body are left alone (the body may only
// hold splat constants and elementwise ops; it is lowered as one kernel).
// CHECK-LABEL: func.func @inside_fused
// CHECK: kiln.fused
// CHECK: %[[C:.*]] = kiln.constant dense<2.000000e+00> : tensor<2xf32>
// CHECK-NEXT: %[[N:.*]] = kiln.neg %[[C]]
// CHECK-NEXT: kiln.mul %{{.*}}, %[[N]]
func.func @inside_fused(%x: tensor<2xf32>) -> tensor<2xf32> {
  %f = kiln.fused(%x) : (tensor<2xf32>) -> tensor<2xf32> {
  ^bb0(%y: tensor<2xf32>):
    %c = kiln.constant dense<2.0> : tensor<2xf32>
    %n = kiln.neg %c : tensor<2xf32>
    %m = kiln.mul %y, %n : tensor<2xf32>, tensor<2xf32>
    kiln.yield %m : tensor<2xf32>
  }
  return %f : tensor<2xf32>
}

// With max-elements=4, a 4-element result still folds but a 6-element one
// does not.
// LIMIT-LABEL: func.func @transpose
// LIMIT-NEXT: kiln.constant dense<{{\[}}[1.000000e+00, 2.000000e+00, 3.000000e+00], [4.000000e+00, 5.000000e+00, 6.000000e+00]]> : tensor<2x3xf32>
// LIMIT-NEXT: kiln.transpose
// LIMIT-LABEL: func.func @unary_chain
// LIMIT-NEXT: %[[C:.*]] = kiln.constant dense<[5.000000e-01, 2.500000e-01, 2.000000e+00, 1.000000e+00]> : tensor<4xf32>
// LIMIT-NEXT: return %[[C]]

// relu folds as it is lowered (max(x, 0)): NaN stays NaN, as in PyTorch.
// CHECK-LABEL: func.func @relu_nan
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<[0x7FC00000, 0.000000e+00, 2.000000e+00]> : tensor<3xf32>
// CHECK-NEXT: return %[[C]]
func.func @relu_nan() -> tensor<3xf32> {
  %c = kiln.constant dense<[0x7FC00000, -1.0, 2.0]> : tensor<3xf32>
  %0 = kiln.relu %c : tensor<3xf32>
  return %0 : tensor<3xf32>
}

// The blob of @large_result_is_blob starts with the alignment (64) and the
// values 0, 5, 10, 15, 1.
// CHECK: folded: "0x40000000000000000000A04000002041000070410000803F

{-#
  dialect_resources: {
    builtin: {
      fc.weight: "0x04000000000000000000803F0000004000004040000080400000A0400000C0400000E040000000410000104100002041000030410000404100005041000060410000704100008041000088410000904100009841"
    }
  }
#-}

