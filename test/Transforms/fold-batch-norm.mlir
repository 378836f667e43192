// --kiln-fold-batch-norm: per-channel scales and shifts of a conv2d / linear result folded into its constant weight and bias.
// RUN: kiln-opt %s --kiln-fold-batch-norm | FileCheck %s

// Eval-mode batch norm after a conv: x * s + t with s, t varying along the
// channel axis (dim 1). Both fold: W' = W * s = [2 * 0.5, 3 * 4] = [1, 12],
// b' = b * s + t = [1 * 0.5 + 1, -1 * 4 + 2] = [1.5, -2]; one conv is left.
// CHECK-LABEL: func.func @conv_scale_shift
// CHECK-SAME: (%[[X:.*]]: tensor<1x1x3x3xf32>)
// CHECK-DAG: %[[W:.*]] = kiln.constant dense<{{\[\[\[\[}}1.000000e+00]]], {{\[\[\[}}1.200000e+01]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[B:.*]] = kiln.constant dense<[1.500000e+00, -2.000000e+00]> : tensor<2xf32>
// CHECK-NOT: kiln.constant
// CHECK: %[[C:.*]] = kiln.conv2d %[[X]], %[[W]], %[[B]] {{.*}} -> tensor<1x2x3x3xf32>
// CHECK-NOT: kiln.mul
// CHECK-NOT: kiln.add
// CHECK: return %[[C]]
func.func @conv_scale_shift(%x: tensor<1x1x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = kiln.constant dense<[[[[2.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>
  %b = kiln.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %s = kiln.constant dense<[[[0.5]], [[4.0]]]> : tensor<2x1x1xf32>
  %t = kiln.constant dense<[[[1.0]], [[2.0]]]> : tensor<2x1x1xf32>
  %0 = kiln.conv2d %x, %w, %b {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>, groups = 1 : i64} : tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>, tensor<2xf32> -> tensor<1x2x3x3xf32>
  %1 = kiln.mul %0, %s : tensor<1x2x3x3xf32>, tensor<2x1x1xf32>
  %2 = kiln.add %1, %t : tensor<1x2x3x3xf32>, tensor<2x1x1xf32>
  return %2 : tensor<1x2x3x3xf32>
}

// A linear's channel axis is its last dim; row c of W and b[c] are scaled
// by s[c]. mul is commutative, so the constant may be on the left.
// CHECK-LABEL: func.func @linear_scale
// CHECK-SAME: (%[[X:.*]]: tensor<3x2xf32>)
// CHECK-DAG: %[[W:.*]] = kiln.constant dense<{{\[}}[2.000000e+00, 4.000000e+00], [1.500000e+00, 2.000000e+00]]> : tensor<2x2xf32>
// CHECK-DAG: %[[B:.*]] = kiln.constant dense<[2.000000e+00, -5.000000e-01]> : tensor<2xf32>
// CHECK: %[[L:.*]] = kiln.linear %[[X]], %[[W]], %[[B]]
// CHECK-NOT: kiln.mul
// CHECK: return %[[L]]
func.func @linear_scale(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %w = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %b = kiln.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %s = kiln.constant dense<[2.0, 0.5]> : tensor<2xf32>
  %0 = kiln.linear %x, %w, %b : tensor<3x2xf32>, tensor<2x2xf32>, tensor<2xf32>
  %1 = kiln.mul %s, %0 : tensor<2xf32>, tensor<3x2xf32>
  return %1 : tensor<3x2xf32>
}

// A linear without bias gains one from an add; the weight is unchanged.
// CHECK-LABEL: func.func @linear_gains_bias
// CHECK-SAME: (%[[X:.*]]: tensor<3x2xf32>)
// CHECK-DAG: %[[W:.*]] = kiln.constant dense<{{\[}}[1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK-DAG: %[[B:.*]] = kiln.constant dense<[5.000000e+00, 6.000000e+00]> : tensor<2xf32>
// CHECK: %[[L:.*]] = kiln.linear %[[X]], %[[W]], %[[B]] : tensor<3x2xf32>, tensor<2x2xf32>, tensor<2xf32>
// CHECK-NOT: kiln.add
// CHECK: return %[[L]]
func.func @linear_gains_bias(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %w = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %t = kiln.constant dense<[5.0, 6.0]> : tensor<2xf32>
  %0 = kiln.linear %x, %w : tensor<3x2xf32>, tensor<2x2xf32>
  %1 = kiln.add %0, %t : tensor<3x2xf32>, tensor<2xf32>
  return %1 : tensor<3x2xf32>
}

// div by a 0-d scalar scales every channel by 1/2; sub with alpha 2 of a
// 1x2 constant shifts the bias by -2 * [1, 3]:
// b' = [1, -1] / 2 - 2 * [1, 3] = [-1.5, -6.5].
// CHECK-LABEL: func.func @linear_div_sub_alpha
// CHECK-DAG: %[[W:.*]] = kiln.constant dense<{{\[}}[5.000000e-01, 1.000000e+00], [1.500000e+00, 2.000000e+00]]> : tensor<2x2xf32>
// CHECK-DAG: %[[B:.*]] = kiln.constant dense<[-1.500000e+00, -6.500000e+00]> : tensor<2xf32>
// CHECK: %[[L:.*]] = kiln.linear %{{.*}}, %[[W]], %[[B]]
// CHECK-NOT: kiln.div
// CHECK-NOT: kiln.sub
// CHECK: return %[[L]]
func.func @linear_div_sub_alpha(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %w = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %b = kiln.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %d = kiln.constant dense<2.0> : tensor<f32>
  %t = kiln.constant dense<[[1.0, 3.0]]> : tensor<1x2xf32>
  %0 = kiln.linear %x, %w, %b : tensor<3x2xf32>, tensor<2x2xf32>, tensor<2xf32>
  %1 = kiln.div %0, %d : tensor<3x2xf32>, tensor<f32>
  %2 = kiln.sub %1, %t {alpha = 2.0 : f64} : tensor<3x2xf32>, tensor<1x2xf32>
  return %2 : tensor<3x2xf32>
}

// A weight shared with another linear is not changed in place: the folded
// linear gets a new weight constant, the other keeps the original. Scaling
// a bias-less linear leaves it without a bias.
// CHECK-LABEL: func.func @shared_weight
// CHECK-SAME: (%[[X:.*]]: tensor<3x2xf32>)
// CHECK-DAG: %[[W:.*]] = kiln.constant dense<{{\[}}[1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK-DAG: %[[W2:.*]] = kiln.constant dense<{{\[}}[2.000000e+00, 4.000000e+00], [6.000000e+00, 8.000000e+00]]> : tensor<2x2xf32>
// CHECK-NOT: dense<0.000000e+00>
// CHECK: %[[L0:.*]] = kiln.linear %[[X]], %[[W2]] :
// CHECK-NEXT: %[[L1:.*]] = kiln.linear %[[X]], %[[W]] :
// CHECK-NEXT: return %[[L0]], %[[L1]]
func.func @shared_weight(%x: tensor<3x2xf32>) -> (tensor<3x2xf32>, tensor<3x2xf32>) {
  %w = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %s = kiln.constant dense<2.0> : tensor<f32>
  %0 = kiln.linear %x, %w : tensor<3x2xf32>, tensor<2x2xf32>
  %1 = kiln.linear %x, %w : tensor<3x2xf32>, tensor<2x2xf32>
  %2 = kiln.mul %0, %s : tensor<3x2xf32>, tensor<f32>
  return %2, %1 : tensor<3x2xf32>, tensor<3x2xf32>
}

// Negative: the conv result is also returned, so the unscaled value is still
// needed; the conv and the mul stay as they are.
// CHECK-LABEL: func.func @second_use
// CHECK-DAG: %[[W:.*]] = kiln.constant dense<{{\[\[\[\[}}2.000000e+00]]], {{\[\[\[}}3.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[B:.*]] = kiln.constant dense<[1.000000e+00, -1.000000e+00]> : tensor<2xf32>
// CHECK: %[[C:.*]] = kiln.conv2d %{{.*}}, %[[W]], %[[B]]
// CHECK-NEXT: %[[M:.*]] = kiln.mul %[[C]], %{{.*}} : tensor<1x2x3x3xf32>, tensor<2x1x1xf32>
// CHECK-NEXT: return %[[C]], %[[M]]
func.func @second_use(%x: tensor<1x1x3x3xf32>) -> (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) {
  %w = kiln.constant dense<[[[[2.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>
  %b = kiln.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %s = kiln.constant dense<[[[0.5]], [[4.0]]]> : tensor<2x1x1xf32>
  %0 = kiln.conv2d %x, %w, %b {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>, groups = 1 : i64} : tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>, tensor<2xf32> -> tensor<1x2x3x3xf32>
  %1 = kiln.mul %0, %s : tensor<1x2x3x3xf32>, tensor<2x1x1xf32>
  return %0, %1 : tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>
}

// Negative: the scale varies along the width (a spatial axis), not per
// channel; it cannot be moved into the weight.
// CHECK-LABEL: func.func @spatial_scale
// CHECK-DAG: %[[W:.*]] = kiln.constant dense<{{\[\[\[\[}}2.000000e+00]]], {{\[\[\[}}3.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[S:.*]] = kiln.constant dense<{{\[\[\[}}1.000000e+00, 2.000000e+00, 3.000000e+00]]]> : tensor<1x1x3xf32>
// CHECK: %[[C:.*]] = kiln.conv2d %{{.*}}, %[[W]], %{{.*}}
// CHECK-NEXT: %[[M:.*]] = kiln.mul %[[C]], %[[S]]
// CHECK-NEXT: return %[[M]]
func.func @spatial_scale(%x: tensor<1x1x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = kiln.constant dense<[[[[2.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>
  %b = kiln.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %s = kiln.constant dense<[[[1.0, 2.0, 3.0]]]> : tensor<1x1x3xf32>
  %0 = kiln.conv2d %x, %w, %b {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>, groups = 1 : i64} : tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>, tensor<2xf32> -> tensor<1x2x3x3xf32>
  %1 = kiln.mul %0, %s : tensor<1x2x3x3xf32>, tensor<1x1x3xf32>
  return %1 : tensor<1x2x3x3xf32>
}

// Negative: a constant of the channel count's size along the wrong axis
// (the batch rows of a linear result, 2x1 against a 2x2 result).
// CHECK-LABEL: func.func @linear_batch_axis
// CHECK: %[[L:.*]] = kiln.linear
// CHECK-NEXT: %[[M:.*]] = kiln.mul %[[L]], %{{.*}} : tensor<2x2xf32>, tensor<2x1xf32>
// CHECK-NEXT: return %[[M]]
func.func @linear_batch_axis(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %w = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %s = kiln.constant dense<[[2.0], [3.0]]> : tensor<2x1xf32>
  %0 = kiln.linear %x, %w : tensor<2x2xf32>, tensor<2x2xf32>
  %1 = kiln.mul %0, %s : tensor<2x2xf32>, tensor<2x1xf32>
  return %1 : tensor<2x2xf32>
}

// Negative: the weight is a function argument, not a constant, so there is
// nothing to fold the scale into.
// CHECK-LABEL: func.func @weight_is_argument
// CHECK-SAME: (%[[X:.*]]: tensor<1x1x3x3xf32>, %[[W:.*]]: tensor<2x1x1x1xf32>)
// CHECK: %[[C:.*]] = kiln.conv2d %[[X]], %[[W]], %{{.*}}
// CHECK-NEXT: %[[M:.*]] = kiln.mul %[[C]], %{{.*}} : tensor<1x2x3x3xf32>, tensor<2x1x1xf32>
// CHECK-NEXT: return %[[M]]
func.func @weight_is_argument(%x: tensor<1x1x3x3xf32>, %w: tensor<2x1x1x1xf32>) -> tensor<1x2x3x3xf32> {
  %b = kiln.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %s = kiln.constant dense<[[[0.5]], [[4.0]]]> : tensor<2x1x1xf32>
  %0 = kiln.conv2d %x, %w, %b {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>, groups = 1 : i64} : tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>, tensor<2xf32> -> tensor<1x2x3x3xf32>
  %1 = kiln.mul %0, %s : tensor<1x2x3x3xf32>, tensor<2x1x1xf32>
  return %1 : tensor<1x2x3x3xf32>
}

// Negative: t - linear is not linear + something (sub is not commutative),
// and neither is t + 2 * linear (add with alpha != 1).
// CHECK-LABEL: func.func @producer_on_the_right
// CHECK: %[[L0:.*]] = kiln.linear
// CHECK-NEXT: %[[L1:.*]] = kiln.linear
// CHECK-NEXT: %[[S:.*]] = kiln.sub %{{.*}}, %[[L0]] : tensor<2xf32>, tensor<3x2xf32>
// CHECK-NEXT: %[[A:.*]] = kiln.add %{{.*}}, %[[L1]] {alpha = 2.000000e+00 : f64} : tensor<2xf32>, tensor<3x2xf32>
// CHECK-NEXT: return %[[S]], %[[A]]
func.func @producer_on_the_right(%x: tensor<3x2xf32>) -> (tensor<3x2xf32>, tensor<3x2xf32>) {
  %w = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %t = kiln.constant dense<[5.0, 6.0]> : tensor<2xf32>
  %0 = kiln.linear %x, %w : tensor<3x2xf32>, tensor<2x2xf32>
  %1 = kiln.linear %x, %w : tensor<3x2xf32>, tensor<2x2xf32>
  %2 = kiln.sub %t, %0 : tensor<2xf32>, tensor<3x2xf32>
  %3 = kiln.add %t, %1 {alpha = 2.0 : f64} : tensor<2xf32>, tensor<3x2xf32>
  return %2, %3 : tensor<3x2xf32>, tensor<3x2xf32>
}

// Negative: a constant that broadcasts the result to a larger shape (4x3x2)
// does not fold; the linear would have to compute a different type.
// CHECK-LABEL: func.func @broadcasts_result
// CHECK: %[[L:.*]] = kiln.linear
// CHECK-NEXT: %[[M:.*]] = kiln.mul %[[L]], %{{.*}} : tensor<3x2xf32>, tensor<4x1x1xf32>
// CHECK-NEXT: return %[[M]]
func.func @broadcasts_result(%x: tensor<3x2xf32>) -> tensor<4x3x2xf32> {
  %w = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %t = kiln.constant dense<5.0> : tensor<4x1x1xf32>
  %0 = kiln.linear %x, %w : tensor<3x2xf32>, tensor<2x2xf32>
  %1 = kiln.mul %0, %t : tensor<3x2xf32>, tensor<4x1x1xf32>
  return %1 : tensor<4x3x2xf32>
}
