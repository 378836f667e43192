// --kiln-fuse-elementwise: which elementwise ops are grouped into kiln.fused.
// RUN: kiln-opt %s --kiln-fuse-elementwise | FileCheck %s
// RUN: kiln-opt %s --kiln-fuse-elementwise=min-group-size=3 | FileCheck %s --check-prefix=MIN3

// CHECK-LABEL: func.func @chain
// CHECK-SAME: (%[[A:.*]]: tensor<3x4xf32>, %[[B:.*]]: tensor<3x4xf32>)
// CHECK-NEXT: %[[F:.*]] = kiln.fused(%[[A]], %[[B]]) : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32> {
// CHECK-NEXT: ^bb0(%[[X:.*]]: tensor<3x4xf32>, %[[Y:.*]]: tensor<3x4xf32>):
// CHECK-NEXT: %[[S:.*]] = kiln.add %[[X]], %[[Y]] : tensor<3x4xf32>, tensor<3x4xf32>
// CHECK-NEXT: %[[T:.*]] = kiln.tanh %[[S]] : tensor<3x4xf32>
// CHECK-NEXT: kiln.yield %[[T]] : tensor<3x4xf32>
// CHECK-NEXT: }
// CHECK-NEXT: return %[[F]] : tensor<3x4xf32>
// A 2-op chain is below min-group-size=3.
// MIN3-LABEL: func.func @chain
// MIN3-NOT: kiln.fused
// MIN3: %[[S:.*]] = kiln.add
// MIN3-NEXT: %[[T:.*]] = kiln.tanh %[[S]]
// MIN3-NEXT: return %[[T]]
func.func @chain(%a: tensor<3x4xf32>, %b: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %0 = kiln.add %a, %b : tensor<3x4xf32>, tensor<3x4xf32>
  %1 = kiln.tanh %0 : tensor<3x4xf32>
  return %1 : tensor<3x4xf32>
}

// CHECK-LABEL: func.func @chain_of_three
// CHECK-NEXT: kiln.fused
// CHECK-NEXT: ^bb0
// CHECK-NEXT: kiln.add
// CHECK-NEXT: kiln.tanh
// CHECK-NEXT: kiln.relu
// CHECK-NEXT: kiln.yield
// MIN3-LABEL: func.func @chain_of_three
// MIN3-NEXT: kiln.fused
// MIN3-NEXT: ^bb0
// MIN3-NEXT: kiln.add
// MIN3-NEXT: kiln.tanh
// MIN3-NEXT: kiln.relu
// MIN3-NEXT: kiln.yield
func.func @chain_of_three(%a: tensor<3x4xf32>, %b: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %0 = kiln.add %a, %b : tensor<3x4xf32>, tensor<3x4xf32>
  %1 = kiln.tanh %0 : tensor<3x4xf32>
  %2 = kiln.relu %1 : tensor<3x4xf32>
  return %2 : tensor<3x4xf32>
}

// Two branches joining in a mul become one group.
// CHECK-LABEL: func.func @tree
// CHECK-SAME: (%[[A:.*]]: tensor<3x4xf32>, %[[B:.*]]: tensor<3x4xf32>)
// CHECK-NEXT: %[[F:.*]] = kiln.fused(%[[A]], %[[B]])
// CHECK-NEXT: ^bb0(%[[X:.*]]: tensor<3x4xf32>, %[[Y:.*]]: tensor<3x4xf32>):
// CHECK-NEXT: %[[L:.*]] = kiln.sigmoid %[[X]]
// CHECK-NEXT: %[[R:.*]] = kiln.tanh %[[Y]]
// CHECK-NEXT: %[[M:.*]] = kiln.mul %[[L]], %[[R]]
// CHECK-NEXT: kiln.yield %[[M]]
// CHECK-NEXT: }
// CHECK-NEXT: return %[[F]]
// MIN3-LABEL: func.func @tree
// MIN3: kiln.fused
func.func @tree(%a: tensor<3x4xf32>, %b: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %0 = kiln.sigmoid %a : tensor<3x4xf32>
  %1 = kiln.tanh %b : tensor<3x4xf32>
  %2 = kiln.mul %0, %1 : tensor<3x4xf32>, tensor<3x4xf32>
  return %2 : tensor<3x4xf32>
}

// A producer used by two members joins once both are in the group.
// CHECK-LABEL: func.func @diamond
// CHECK-SAME: (%[[A:.*]]: tensor<3x4xf32>)
// CHECK-NEXT: %[[F:.*]] = kiln.fused(%[[A]]) : (tensor<3x4xf32>) -> tensor<3x4xf32>
// CHECK-NEXT: ^bb0(%[[X:.*]]: tensor<3x4xf32>):
// CHECK-NEXT: %[[T:.*]] = kiln.tanh %[[X]]
// CHECK-NEXT: %[[S:.*]] = kiln.sigmoid %[[T]]
// CHECK-NEXT: %[[R:.*]] = kiln.relu %[[T]]
// CHECK-NEXT: %[[M:.*]] = kiln.mul %[[S]], %[[R]]
// CHECK-NEXT: kiln.yield %[[M]]
// CHECK-NEXT: }
// CHECK-NEXT: return %[[F]]
func.func @diamond(%a: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %0 = kiln.tanh %a : tensor<3x4xf32>
  %1 = kiln.sigmoid %0 : tensor<3x4xf32>
  %2 = kiln.relu %0 : tensor<3x4xf32>
  %3 = kiln.mul %1, %2 : tensor<3x4xf32>, tensor<3x4xf32>
  return %3 : tensor<3x4xf32>
}

// A broadcast operand becomes an input of its own shape.
// CHECK-LABEL: func.func @broadcast_bias
// CHECK-SAME: (%[[A:.*]]: tensor<3x4xf32>, %[[B:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[F:.*]] = kiln.fused(%[[A]], %[[B]]) : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xf32> {
// CHECK-NEXT: ^bb0(%[[X:.*]]: tensor<3x4xf32>, %[[Y:.*]]: tensor<4xf32>):
// CHECK-NEXT: %[[S:.*]] = kiln.add %[[X]], %[[Y]] : tensor<3x4xf32>, tensor<4xf32>
// CHECK-NEXT: %[[R:.*]] = kiln.relu %[[S]] : tensor<3x4xf32>
// CHECK-NEXT: kiln.yield %[[R]] : tensor<3x4xf32>
func.func @broadcast_bias(%a: tensor<3x4xf32>, %b: tensor<4xf32>) -> tensor<3x4xf32> {
  %0 = kiln.add %a, %b : tensor<3x4xf32>, tensor<4xf32>
  %1 = kiln.relu %0 : tensor<3x4xf32>
  return %1 : tensor<3x4xf32>
}

// A 0-d constant stays outside and is passed in.
// CHECK-LABEL: func.func @scalar_constant
// CHECK-SAME: (%[[A:.*]]: tensor<3x4xf32>)
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<2.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[F:.*]] = kiln.fused(%[[A]], %[[C]]) : (tensor<3x4xf32>, tensor<f32>) -> tensor<3x4xf32> {
// CHECK-NEXT: ^bb0(%[[X:.*]]: tensor<3x4xf32>, %[[Y:.*]]: tensor<f32>):
// CHECK-NEXT: %[[M:.*]] = kiln.mul %[[X]], %[[Y]] : tensor<3x4xf32>, tensor<f32>
// CHECK-NEXT: %[[T:.*]] = kiln.tanh %[[M]]
// CHECK-NEXT: kiln.yield %[[T]]
// CHECK-NEXT: }
// CHECK-NEXT: return %[[F]]
func.func @scalar_constant(%a: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %c = kiln.constant dense<2.0> : tensor<f32>
  %0 = kiln.mul %a, %c : tensor<3x4xf32>, tensor<f32>
  %1 = kiln.tanh %0 : tensor<3x4xf32>
  return %1 : tensor<3x4xf32>
}

// A value used twice by one member is one input and one block argument.
// CHECK-LABEL: func.func @repeated_operand
// CHECK-SAME: (%[[A:.*]]: tensor<3x4xf32>)
// CHECK-NEXT: kiln.fused(%[[A]]) : (tensor<3x4xf32>) -> tensor<3x4xf32>
// CHECK-NEXT: ^bb0(%[[X:.*]]: tensor<3x4xf32>):
// CHECK-NEXT: %[[T:.*]] = kiln.tanh %[[X]]
// CHECK-NEXT: kiln.mul %[[T]], %[[T]]
func.func @repeated_operand(%a: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %0 = kiln.tanh %a : tensor<3x4xf32>
  %1 = kiln.mul %0, %0 : tensor<3x4xf32>, tensor<3x4xf32>
  return %1 : tensor<3x4xf32>
}

// Negative: not fused when the intermediate has a second use (here: it is
// returned too).
// CHECK-LABEL: func.func @second_use
// CHECK-SAME: (%[[A:.*]]: tensor<3x4xf32>, %[[B:.*]]: tensor<3x4xf32>)
// CHECK-NOT: kiln.fused
// CHECK: %[[S:.*]] = kiln.add %[[A]], %[[B]]
// CHECK-NEXT: %[[T:.*]] = kiln.tanh %[[S]]
// CHECK-NEXT: return %[[S]], %[[T]]
func.func @second_use(%a: tensor<3x4xf32>, %b: tensor<3x4xf32>)
    -> (tensor<3x4xf32>, tensor<3x4xf32>) {
  %0 = kiln.add %a, %b : tensor<3x4xf32>, tensor<3x4xf32>
  %1 = kiln.tanh %0 : tensor<3x4xf32>
  return %0, %1 : tensor<3x4xf32>, tensor<3x4xf32>
}

// Negative: the relu does not pull in the tanh, which is also returned; the
// tanh roots its own group with the add, and the relu stays outside.
// CHECK-LABEL: func.func @second_use_in_chain
// CHECK-SAME: (%[[A:.*]]: tensor<3x4xf32>, %[[B:.*]]: tensor<3x4xf32>)
// CHECK-NEXT: %[[F:.*]] = kiln.fused(%[[A]], %[[B]])
// CHECK-NEXT: ^bb0(%[[X:.*]]: tensor<3x4xf32>, %[[Y:.*]]: tensor<3x4xf32>):
// CHECK-NEXT: %[[S:.*]] = kiln.add %[[X]], %[[Y]]
// CHECK-NEXT: %[[T:.*]] = kiln.tanh %[[S]]
// CHECK-NEXT: kiln.yield %[[T]]
// CHECK-NEXT: }
// CHECK-NEXT: %[[R:.*]] = kiln.relu %[[F]]
// CHECK-NEXT: return %[[F]], %[[R]]
func.func @second_use_in_chain(%a: tensor<3x4xf32>, %b: tensor<3x4xf32>)
    -> (tensor<3x4xf32>, tensor<3x4xf32>) {
  %0 = kiln.add %a, %b : tensor<3x4xf32>, tensor<3x4xf32>
  %1 = kiln.tanh %0 : tensor<3x4xf32>
  %2 = kiln.relu %1 : tensor<3x4xf32>
  return %1, %2 : tensor<3x4xf32>, tensor<3x4xf32>
}

// Negative: a lone elementwise op is not wrapped.
// CHECK-LABEL: func.func @lone
// CHECK-SAME: (%[[A:.*]]: tensor<3x4xf32>)
// CHECK-NEXT: %[[T:.*]] = kiln.tanh %[[A]]
// CHECK-NEXT: return %[[T]]
func.func @lone(%a: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %0 = kiln.tanh %a : tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// Negative: linear is never inside a group, and it separates the tanh
// before it from the one after it (neither is fused alone).
// CHECK-LABEL: func.func @linear_between
// CHECK-NOT: kiln.fused
// CHECK: kiln.tanh
// CHECK-NEXT: kiln.linear
// CHECK-NEXT: kiln.tanh
// CHECK-NEXT: return
func.func @linear_between(%x: tensor<3x4xf32>, %w: tensor<4x4xf32>, %b: tensor<4xf32>) -> tensor<3x4xf32> {
  %0 = kiln.tanh %x : tensor<3x4xf32>
  %1 = kiln.linear %0, %w, %b : tensor<3x4xf32>, tensor<4x4xf32>, tensor<4xf32>
  %2 = kiln.tanh %1 : tensor<3x4xf32>
  return %2 : tensor<3x4xf32>
}

// The linear's result feeds the group as an input; the linear stays outside.
// CHECK-LABEL: func.func @linear_feeds_group
// CHECK-SAME: (%[[X:.*]]: tensor<3x4xf32>, %[[W:.*]]: tensor<4x4xf32>, %[[B:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[L:.*]] = kiln.linear %[[X]], %[[W]], %[[B]]
// CHECK-NEXT: %[[F:.*]] = kiln.fused(%[[L]], %[[X]])
// CHECK-NOT: kiln.linear
// CHECK: kiln.yield
// CHECK-NEXT: }
// CHECK-NEXT: return %[[F]]
func.func @linear_feeds_group(%x: tensor<3x4xf32>, %w: tensor<4x4xf32>, %b: tensor<4xf32>) -> tensor<3x4xf32> {
  %0 = kiln.linear %x, %w, %b : tensor<3x4xf32>, tensor<4x4xf32>, tensor<4xf32>
  %1 = kiln.add %0, %x : tensor<3x4xf32>, tensor<3x4xf32>
  %2 = kiln.tanh %1 : tensor<3x4xf32>
  return %2 : tensor<3x4xf32>
}
