// --kiln-decompose: softmax, layer_norm and group_norm into primitives the
// fusion passes group (the numerically stable softmax; layer norm with the
// biased variance, as PyTorch computes it). The layers are in
// decompose-layers.mlir.
// RUN: kiln-opt %s --kiln-decompose | FileCheck %s

// softmax = exp(x - max) / sum(exp(x - max)) over dim, reductions kept.
// CHECK-LABEL: func.func @softmax
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[MAX:.*]] = kiln.reduce max, %[[X]], [1] {keepdim = true} : tensor<2x3xf32>
// CHECK-NEXT: %[[S:.*]] = kiln.sub %[[X]], %[[MAX]] : tensor<2x3xf32>, tensor<2x1xf32>
// CHECK-NEXT: %[[E:.*]] = kiln.exp %[[S]] : tensor<2x3xf32>
// CHECK-NEXT: %[[SUM:.*]] = kiln.reduce sum, %[[E]], [1] {keepdim = true} : tensor<2x3xf32>
// CHECK-NEXT: %[[R:.*]] = kiln.div %[[E]], %[[SUM]] : tensor<2x3xf32>, tensor<2x1xf32>
// CHECK-NEXT: return %[[R]]
// CHECK-NOT: kiln.softmax
func.func @softmax(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.softmax %x {dim = 1 : i64} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// log_softmax = (x - max) - log(sum(exp(x - max))).
// CHECK-LABEL: func.func @log_softmax
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[MAX:.*]] = kiln.reduce max, %[[X]], [0] {keepdim = true}
// CHECK-NEXT: %[[S:.*]] = kiln.sub %[[X]], %[[MAX]] : tensor<2x3xf32>, tensor<1x3xf32>
// CHECK-NEXT: %[[E:.*]] = kiln.exp %[[S]]
// CHECK-NEXT: %[[SUM:.*]] = kiln.reduce sum, %[[E]], [0] {keepdim = true}
// CHECK-NEXT: %[[L:.*]] = kiln.log %[[SUM]] : tensor<1x3xf32>
// CHECK-NEXT: %[[R:.*]] = kiln.sub %[[S]], %[[L]] : tensor<2x3xf32>, tensor<1x3xf32>
// CHECK-NEXT: return %[[R]]
func.func @log_softmax(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.softmax %x {dim = 0 : i64, log = true} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// Over a 0-dim tensor softmax is 1 and log_softmax 0, whatever x is.
// CHECK-LABEL: func.func @softmax_scalar
// CHECK-DAG: %[[ONE:.*]] = kiln.constant dense<1.000000e+00> : tensor<f32>
// CHECK-DAG: %[[ZERO:.*]] = kiln.constant dense<0.000000e+00> : tensor<f32>
// CHECK: return %[[ONE]], %[[ZERO]]
func.func @softmax_scalar(%x: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
  %0 = kiln.softmax %x {dim = 0 : i64} : tensor<f32>
  %1 = kiln.softmax %x {dim = 0 : i64, log = true} : tensor<f32>
  return %0, %1 : tensor<f32>, tensor<f32>
}

// layer_norm over the last normalized_rank dims: the centred input times
// rsqrt(mean of squares + eps), then the weight and the bias.
// CHECK-LABEL: func.func @layer_norm_affine
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>, %[[W:.*]]: tensor<3x4xf32>, %[[B:.*]]: tensor<3x4xf32>)
// CHECK-DAG: %[[EPS:.*]] = kiln.constant dense<9.99999974E-6> : tensor<f32>
// CHECK-DAG: %[[MEAN:.*]] = kiln.reduce mean, %[[X]], [1, 2] {keepdim = true} : tensor<2x3x4xf32>
// CHECK: %[[C:.*]] = kiln.sub %[[X]], %[[MEAN]] : tensor<2x3x4xf32>, tensor<2x1x1xf32>
// CHECK-NEXT: %[[SQ:.*]] = kiln.mul %[[C]], %[[C]]
// CHECK-NEXT: %[[VAR:.*]] = kiln.reduce mean, %[[SQ]], [1, 2] {keepdim = true}
// CHECK-NEXT: %[[VE:.*]] = kiln.add %[[VAR]], %[[EPS]] : tensor<2x1x1xf32>, tensor<f32>
// CHECK-NEXT: %[[INV:.*]] = kiln.rsqrt %[[VE]]
// CHECK-NEXT: %[[N:.*]] = kiln.mul %[[C]], %[[INV]]
// CHECK-NEXT: %[[NW:.*]] = kiln.mul %[[N]], %[[W]] : tensor<2x3x4xf32>, tensor<3x4xf32>
// CHECK-NEXT: %[[R:.*]] = kiln.add %[[NW]], %[[B]] : tensor<2x3x4xf32>, tensor<3x4xf32>
// CHECK-NEXT: return %[[R]]
func.func @layer_norm_affine(%x: tensor<2x3x4xf32>, %w: tensor<3x4xf32>, %b: tensor<3x4xf32>) -> tensor<2x3x4xf32> {
  %0 = kiln.layer_norm %x weight %w : tensor<3x4xf32> bias %b : tensor<3x4xf32> {eps = 1.0e-5 : f64, normalized_rank = 2 : i64} : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// Without weight and bias the normalized value is the result.
// CHECK-LABEL: func.func @layer_norm_plain
// CHECK: %[[N:.*]] = kiln.mul %{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<2x1xf32>
// CHECK-NEXT: return %[[N]]
func.func @layer_norm_plain(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.layer_norm %x {eps = 1.0e-5 : f64, normalized_rank = 1 : i64} : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// group_norm: each sample's groups flattened to rows, layer-normed without
// affine, back to [N, C, ...], then the [C] weight and bias shaped [C, 1].
// CHECK-LABEL: func.func @group_norm
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x3xf32>, %[[W:.*]]: tensor<4xf32>, %[[B:.*]]: tensor<4xf32>)
// CHECK: %[[G:.*]] = kiln.reshape %[[X]] : tensor<2x4x3xf32> to tensor<2x2x6xf32>
// CHECK-NEXT: %[[MEAN:.*]] = kiln.reduce mean, %[[G]], [2] {keepdim = true} : tensor<2x2x6xf32>
// CHECK: %[[N:.*]] = kiln.mul %{{.*}}, %{{.*}} : tensor<2x2x6xf32>, tensor<2x2x1xf32>
// CHECK-NEXT: %[[Y:.*]] = kiln.reshape %[[N]] : tensor<2x2x6xf32> to tensor<2x4x3xf32>
// CHECK-NEXT: %[[WC:.*]] = kiln.reshape %[[W]] : tensor<4xf32> to tensor<4x1xf32>
// CHECK-NEXT: %[[YW:.*]] = kiln.mul %[[Y]], %[[WC]] : tensor<2x4x3xf32>, tensor<4x1xf32>
// CHECK-NEXT: %[[BC:.*]] = kiln.reshape %[[B]] : tensor<4xf32> to tensor<4x1xf32>
// CHECK-NEXT: %[[R:.*]] = kiln.add %[[YW]], %[[BC]] : tensor<2x4x3xf32>, tensor<4x1xf32>
// CHECK-NEXT: return %[[R]]
// CHECK-NOT: kiln.group_norm
func.func @group_norm(%x: tensor<2x4x3xf32>, %w: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<2x4x3xf32> {
  %0 = kiln.group_norm %x weight %w : tensor<4xf32> bias %b : tensor<4xf32> {eps = 1.0e-5 : f64, groups = 2 : i64} : tensor<2x4x3xf32> -> tensor<2x4x3xf32>
  return %0 : tensor<2x4x3xf32>
}

// Without affine parameters the reshaped normalized value is the result.
// CHECK-LABEL: func.func @group_norm_plain
// CHECK: %[[Y:.*]] = kiln.reshape %{{.*}} : tensor<1x1x12xf32> to tensor<1x3x2x2xf32>
// CHECK-NEXT: return %[[Y]]
func.func @group_norm_plain(%x: tensor<1x3x2x2xf32>) -> tensor<1x3x2x2xf32> {
  %0 = kiln.group_norm %x {eps = 1.0e-5 : f64, groups = 1 : i64} : tensor<1x3x2x2xf32> -> tensor<1x3x2x2xf32>
  return %0 : tensor<1x3x2x2xf32>
}
