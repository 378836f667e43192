// --kiln-fuse-epilogue: which conv2d / linear / matmul ops become the anchor of a kiln.fused with their elementwise consumers.
// RUN: kiln-opt %s --kiln-fuse-elementwise --kiln-fuse-epilogue | FileCheck %s
// RUN: kiln-opt %s --kiln-fuse-epilogue | FileCheck %s --check-prefix=EPI

// conv + relu: the conv's operands become inputs and block arguments, the
// conv is the first op of the body and the relu applies to its result.
// CHECK-LABEL: func.func @conv_relu
// CHECK-SAME: (%[[X:.*]]: tensor<1x1x3x3xf32>, %[[W:.*]]: tensor<2x1x1x1xf32>, %[[B:.*]]: tensor<2xf32>)
// CHECK-NEXT: %[[F:.*]] = kiln.fused(%[[X]], %[[W]], %[[B]]) : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32> {
// CHECK-NEXT: ^bb0(%[[PX:.*]]: tensor<1x1x3x3xf32>, %[[PW:.*]]: tensor<2x1x1x1xf32>, %[[PB:.*]]: tensor<2xf32>):
// CHECK-NEXT: %[[C:.*]] = kiln.conv2d %[[PX]], %[[PW]], %[[PB]] {{.*}} -> tensor<1x2x3x3xf32>
// CHECK-NEXT: %[[R:.*]] = kiln.relu %[[C]] : tensor<1x2x3x3xf32>
// CHECK-NEXT: kiln.yield %[[R]] : tensor<1x2x3x3xf32>
// CHECK-NEXT: }
// CHECK-NEXT: return %[[F]]
// EPI-LABEL: func.func @conv_relu
// EPI-NEXT: kiln.fused
// EPI-NEXT: ^bb0
// EPI-NEXT: kiln.conv2d
// EPI-NEXT: kiln.relu
// EPI-NEXT: kiln.yield
func.func @conv_relu(%x: tensor<1x1x3x3xf32>, %w: tensor<2x1x1x1xf32>, %b: tensor<2xf32>) -> tensor<1x2x3x3xf32> {
  %0 = kiln.conv2d %x, %w, %b {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>, groups = 1 : i64} : tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>, tensor<2xf32> -> tensor<1x2x3x3xf32>
  %1 = kiln.relu %0 : tensor<1x2x3x3xf32>
  return %1 : tensor<1x2x3x3xf32>
}

// linear + residual add + tanh: after elementwise fusion the add and tanh
// are one group, and the linear joins it as its anchor. The group's other
// input (the residual) follows the anchor's operands.
// CHECK-LABEL: func.func @linear_residual_tanh
// CHECK-SAME: (%[[X:.*]]: tensor<3x4xf32>, %[[W:.*]]: tensor<4x4xf32>, %[[B:.*]]: tensor<4xf32>, %[[R:.*]]: tensor<3x4xf32>)
// CHECK-NEXT: %[[F:.*]] = kiln.fused(%[[X]], %[[W]], %[[B]], %[[R]]) : (tensor<3x4xf32>, tensor<4x4xf32>, tensor<4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32> {
// CHECK-NEXT: ^bb0(%[[PX:.*]]: tensor<3x4xf32>, %[[PW:.*]]: tensor<4x4xf32>, %[[PB:.*]]: tensor<4xf32>, %[[PR:.*]]: tensor<3x4xf32>):
// CHECK-NEXT: %[[L:.*]] = kiln.linear %[[PX]], %[[PW]], %[[PB]]
// CHECK-NEXT: %[[S:.*]] = kiln.add %[[L]], %[[PR]] : tensor<3x4xf32>, tensor<3x4xf32>
// CHECK-NEXT: %[[T:.*]] = kiln.tanh %[[S]]
// CHECK-NEXT: kiln.yield %[[T]]
// CHECK-NEXT: }
// CHECK-NEXT: return %[[F]]
// Without elementwise fusion first, only the linear's own consumer (the
// add) joins it; the tanh stays outside.
// EPI-LABEL: func.func @linear_residual_tanh
// EPI-SAME: (%[[X:.*]]: tensor<3x4xf32>, %[[W:.*]]: tensor<4x4xf32>, %[[B:.*]]: tensor<4xf32>, %[[R:.*]]: tensor<3x4xf32>)
// EPI-NEXT: %[[F:.*]] = kiln.fused(%[[X]], %[[W]], %[[B]], %[[R]])
// EPI-NEXT: ^bb0(%[[PX:.*]]: tensor<3x4xf32>, %[[PW:.*]]: tensor<4x4xf32>, %[[PB:.*]]: tensor<4xf32>, %[[PR:.*]]: tensor<3x4xf32>):
// EPI-NEXT: %[[L:.*]] = kiln.linear %[[PX]], %[[PW]], %[[PB]]
// EPI-NEXT: %[[S:.*]] = kiln.add %[[L]], %[[PR]]
// EPI-NEXT: kiln.yield %[[S]]
// EPI-NEXT: }
// EPI-NEXT: %[[T:.*]] = kiln.tanh %[[F]]
// EPI-NEXT: return %[[T]]
func.func @linear_residual_tanh(%x: tensor<3x4xf32>, %w: tensor<4x4xf32>, %b: tensor<4xf32>, %r: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %0 = kiln.linear %x, %w, %b : tensor<3x4xf32>, tensor<4x4xf32>, tensor<4xf32>
  %1 = kiln.add %0, %r : tensor<3x4xf32>, tensor<3x4xf32>
  %2 = kiln.tanh %1 : tensor<3x4xf32>
  return %2 : tensor<3x4xf32>
}

// matmul + relu.
// CHECK-LABEL: func.func @matmul_relu
// CHECK-SAME: (%[[A:.*]]: tensor<3x4xf32>, %[[B:.*]]: tensor<4x5xf32>)
// CHECK-NEXT: %[[F:.*]] = kiln.fused(%[[A]], %[[B]]) : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32> {
// CHECK-NEXT: ^bb0(%[[PA:.*]]: tensor<3x4xf32>, %[[PB:.*]]: tensor<4x5xf32>):
// CHECK-NEXT: %[[M:.*]] = kiln.matmul %[[PA]], %[[PB]]
// CHECK-NEXT: %[[R:.*]] = kiln.relu %[[M]] : tensor<3x5xf32>
// CHECK-NEXT: kiln.yield %[[R]]
// CHECK-NEXT: }
// CHECK-NEXT: return %[[F]]
// EPI-LABEL: func.func @matmul_relu
// EPI-NEXT: kiln.fused
// EPI-NEXT: ^bb0
// EPI-NEXT: kiln.matmul
// EPI-NEXT: kiln.relu
// EPI-NEXT: kiln.yield
func.func @matmul_relu(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>) -> tensor<3x5xf32> {
  %0 = kiln.matmul %a, %b : tensor<3x4xf32>, tensor<4x5xf32>
  %1 = kiln.relu %0 : tensor<3x5xf32>
  return %1 : tensor<3x5xf32>
}

// A value both the anchor and the epilogue read is one input and one block
// argument.
// CHECK-LABEL: func.func @shared_input
// CHECK-SAME: (%[[X:.*]]: tensor<3x4xf32>, %[[W:.*]]: tensor<4x4xf32>)
// CHECK-NEXT: kiln.fused(%[[X]], %[[W]]) : (tensor<3x4xf32>, tensor<4x4xf32>) -> tensor<3x4xf32>
// CHECK-NEXT: ^bb0(%[[PX:.*]]: tensor<3x4xf32>, %[[PW:.*]]: tensor<4x4xf32>):
// CHECK-NEXT: %[[L:.*]] = kiln.linear %[[PX]], %[[PW]]
// CHECK-NEXT: kiln.add %[[L]], %[[PX]]
func.func @shared_input(%x: tensor<3x4xf32>, %w: tensor<4x4xf32>) -> tensor<3x4xf32> {
  %0 = kiln.linear %x, %w : tensor<3x4xf32>, tensor<4x4xf32>
  %1 = kiln.add %0, %x : tensor<3x4xf32>, tensor<3x4xf32>
  return %1 : tensor<3x4xf32>
}

// Negative: the linear's result is also returned, so it must be stored; it
// stays a separate op.
// CHECK-LABEL: func.func @two_users
// CHECK-SAME: (%[[X:.*]]: tensor<3x4xf32>, %[[W:.*]]: tensor<4x4xf32>)
// CHECK-NOT: kiln.fused
// CHECK: %[[L:.*]] = kiln.linear %[[X]], %[[W]]
// CHECK-NEXT: %[[R:.*]] = kiln.relu %[[L]]
// CHECK-NEXT: return %[[L]], %[[R]]
// EPI-LABEL: func.func @two_users
// EPI-NOT: kiln.fused
// EPI: return
func.func @two_users(%x: tensor<3x4xf32>, %w: tensor<4x4xf32>) -> (tensor<3x4xf32>, tensor<3x4xf32>) {
  %0 = kiln.linear %x, %w : tensor<3x4xf32>, tensor<4x4xf32>
  %1 = kiln.relu %0 : tensor<3x4xf32>
  return %0, %1 : tensor<3x4xf32>, tensor<3x4xf32>
}

// Negative: the consumer's result is larger than the linear's (a broadcast
// to 2x3x4, and an add that broadcasts); the epilogue could not be applied
// in place to the contraction's result buffer.
// CHECK-LABEL: func.func @consumer_broadcasts
// CHECK-NOT: kiln.fused
// CHECK: %[[L:.*]] = kiln.linear
// CHECK-NEXT: %[[B:.*]] = kiln.broadcast %[[L]] : tensor<3x4xf32> to tensor<2x3x4xf32>
// CHECK-NEXT: return %[[B]]
// EPI-LABEL: func.func @consumer_broadcasts
// EPI-NOT: kiln.fused
// EPI: return
func.func @consumer_broadcasts(%x: tensor<3x4xf32>, %w: tensor<4x4xf32>) -> tensor<2x3x4xf32> {
  %0 = kiln.linear %x, %w : tensor<3x4xf32>, tensor<4x4xf32>
  %1 = kiln.broadcast %0 : tensor<3x4xf32> to tensor<2x3x4xf32>
  return %1 : tensor<2x3x4xf32>
}
// CHECK-LABEL: func.func @add_broadcasts
// CHECK-NOT: kiln.fused
// CHECK: %[[L:.*]] = kiln.linear
// CHECK-NEXT: %[[S:.*]] = kiln.add %[[L]], %{{.*}} : tensor<3x4xf32>, tensor<2x3x4xf32>
// CHECK-NEXT: return %[[S]]
func.func @add_broadcasts(%x: tensor<3x4xf32>, %w: tensor<4x4xf32>, %y: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %0 = kiln.linear %x, %w : tensor<3x4xf32>, tensor<4x4xf32>
  %1 = kiln.add %0, %y : tensor<3x4xf32>, tensor<2x3x4xf32>
  return %1 : tensor<2x3x4xf32>
}

// Negative: a reduction is not elementwise; the linear stays separate.
// CHECK-LABEL: func.func @reduce_consumer
// CHECK-NOT: kiln.fused
// CHECK: %[[L:.*]] = kiln.linear
// CHECK-NEXT: %[[S:.*]] = kiln.reduce sum, %[[L]], [1] : tensor<3x4xf32>
// CHECK-NEXT: return %[[S]]
// EPI-LABEL: func.func @reduce_consumer
// EPI-NOT: kiln.fused
// EPI: return
func.func @reduce_consumer(%x: tensor<3x4xf32>, %w: tensor<4x4xf32>) -> tensor<3xf32> {
  %0 = kiln.linear %x, %w : tensor<3x4xf32>, tensor<4x4xf32>
  %1 = kiln.reduce sum, %0, [1] : tensor<3x4xf32>
  return %1 : tensor<3xf32>
}

// Negative: a group that already has an anchor does not take a second one
// (one contraction per kernel); the first linear stays outside and feeds it.
// CHECK-LABEL: func.func @group_has_anchor
// CHECK-SAME: (%[[X:.*]]: tensor<3x4xf32>, %[[W:.*]]: tensor<4x4xf32>)
// CHECK-NEXT: %[[L:.*]] = kiln.linear %[[X]], %[[W]]
// CHECK-NEXT: kiln.fused(%[[L]], %[[W]])
// CHECK-NEXT: ^bb0(%[[PA:.*]]: tensor<3x4xf32>, %[[PW:.*]]: tensor<4x4xf32>):
// CHECK-NEXT: kiln.linear %[[PA]], %[[PW]]
// CHECK-NEXT: kiln.relu
// CHECK-NEXT: kiln.yield
func.func @group_has_anchor(%x: tensor<3x4xf32>, %w: tensor<4x4xf32>) -> tensor<3x4xf32> {
  %0 = kiln.linear %x, %w : tensor<3x4xf32>, tensor<4x4xf32>
  %1 = kiln.fused(%0, %w) : (tensor<3x4xf32>, tensor<4x4xf32>) -> tensor<3x4xf32> {
  ^bb0(%a: tensor<3x4xf32>, %b: tensor<4x4xf32>):
    %2 = kiln.linear %a, %b : tensor<3x4xf32>, tensor<4x4xf32>
    %3 = kiln.relu %2 : tensor<3x4xf32>
    kiln.yield %3 : tensor<3x4xf32>
  }
  return %1 : tensor<3x4xf32>
}

// Negative: a contraction feeding another contraction is not an epilogue;
// only the second linear (whose consumer is the relu) becomes an anchor.
// CHECK-LABEL: func.func @linear_into_linear
// CHECK-SAME: (%[[X:.*]]: tensor<3x4xf32>, %[[W:.*]]: tensor<4x4xf32>)
// CHECK-NEXT: %[[L:.*]] = kiln.linear %[[X]], %[[W]]
// CHECK-NEXT: kiln.fused(%[[L]], %[[W]])
// CHECK-NEXT: ^bb0
// CHECK-NEXT: kiln.linear
// CHECK-NEXT: kiln.relu
func.func @linear_into_linear(%x: tensor<3x4xf32>, %w: tensor<4x4xf32>) -> tensor<3x4xf32> {
  %0 = kiln.linear %x, %w : tensor<3x4xf32>, tensor<4x4xf32>
  %1 = kiln.linear %0, %w : tensor<3x4xf32>, tensor<4x4xf32>
  %2 = kiln.relu %1 : tensor<3x4xf32>
  return %2 : tensor<3x4xf32>
}
