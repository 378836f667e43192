// --convert-kiln-to-linalg: kiln ops to linalg on tensors, broadcasting in the maps.
// RUN: kiln-opt %s --convert-kiln-to-linalg | FileCheck %s

// CHECK-DAG: #[[$ID2:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$LAST2:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[$COL2:.+]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-DAG: #[[$ID1:.+]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[$SCALAR1:.+]] = affine_map<(d0) -> ()>
// CHECK-DAG: #[[$BIAS3:.+]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-DAG: #[[$ID3:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[$LIN_X:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[$LIN_W:.+]] = affine_map<(d0, d1, d2, d3) -> (d2, d3)>
// CHECK-DAG: #[[$LIN_OUT:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-DAG: #[[$MM_A:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[$MM_B:.+]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[$MM_OUT:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[$LINW2:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[$BMM_A:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, 0, d2, d4)>
// CHECK-DAG: #[[$BMM_B:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d4, d3)>
// CHECK-DAG: #[[$BMM_OUT:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[$MV_OUT:.+]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[$VM_B:.+]] = affine_map<(d0, d1) -> (d1, d0)>

// A rank-1 operand reads the last dim; alpha scales the right operand.
// CHECK-LABEL: func.func @add_bias_alpha
// CHECK-SAME: (%[[A:.*]]: tensor<3x4xf32>, %[[B:.*]]: tensor<4xf32>)
// CHECK: %[[INIT:.*]] = tensor.empty() : tensor<3x4xf32>
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[$ID2]], #[[$LAST2]], #[[$ID2]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[A]], %[[B]] : tensor<3x4xf32>, tensor<4xf32>) outs(%[[INIT]] : tensor<3x4xf32>)
// CHECK-NEXT: ^bb0(%[[X:.*]]: f32, %[[Y:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[ALPHA:.*]] = arith.constant 2.000000e+00 : f32
// CHECK-NEXT: %[[SCALED:.*]] = arith.mulf %[[Y]], %[[ALPHA]] : f32
// CHECK-NEXT: %[[SUM:.*]] = arith.addf %[[X]], %[[SCALED]] : f32
// CHECK-NEXT: linalg.yield %[[SUM]] : f32
// CHECK: return %[[R]]
func.func @add_bias_alpha(%a: tensor<3x4xf32>, %b: tensor<4xf32>) -> tensor<3x4xf32> {
  %0 = kiln.add %a, %b {alpha = 2.0 : f64} : tensor<3x4xf32>, tensor<4xf32>
  return %0 : tensor<3x4xf32>
}

// A size-1 dim that stretches reads index 0.
// CHECK-LABEL: func.func @mul_size_one
// CHECK-SAME: (%[[C:.*]]: tensor<3x1xf32>, %[[A:.*]]: tensor<3x4xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[$COL2]], #[[$ID2]], #[[$ID2]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[C]], %[[A]] : tensor<3x1xf32>, tensor<3x4xf32>)
// CHECK-NEXT: ^bb0(%[[X:.*]]: f32, %[[Y:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[P:.*]] = arith.mulf %[[X]], %[[Y]] : f32
// CHECK-NEXT: linalg.yield %[[P]] : f32
func.func @mul_size_one(%c: tensor<3x1xf32>, %a: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %0 = kiln.mul %c, %a : tensor<3x1xf32>, tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// A 0-d operand maps to no dims; integers use the integer ops.
// CHECK-LABEL: func.func @sub_scalar_and_int
// CHECK: linalg.generic {indexing_maps = [#[[$ID1]], #[[$SCALAR1]], #[[$ID1]]], iterator_types = ["parallel"]}
// CHECK-SAME: ins(%{{.*}}, %{{.*}} : tensor<4xf32>, tensor<f32>)
// CHECK: arith.subf
// CHECK: linalg.generic {indexing_maps = [#[[$ID1]], #[[$ID1]], #[[$ID1]]], iterator_types = ["parallel"]}
// CHECK-SAME: ins(%{{.*}}, %{{.*}} : tensor<4xi32>, tensor<4xi32>)
// CHECK-NEXT: ^bb0(%[[X:.*]]: i32, %[[Y:.*]]: i32, %{{.*}}: i32):
// CHECK-NEXT: %[[THREE:.*]] = arith.constant 3 : i32
// CHECK-NEXT: %[[S:.*]] = arith.muli %[[Y]], %[[THREE]] : i32
// CHECK-NEXT: %[[D:.*]] = arith.subi %[[X]], %[[S]] : i32
// CHECK-NEXT: linalg.yield %[[D]] : i32
func.func @sub_scalar_and_int(%a: tensor<4xf32>, %s: tensor<f32>, %i: tensor<4xi32>)
    -> (tensor<4xf32>, tensor<4xi32>) {
  %0 = kiln.sub %a, %s : tensor<4xf32>, tensor<f32>
  %1 = kiln.sub %i, %i {alpha = 3.0 : f64} : tensor<4xi32>, tensor<4xi32>
  return %0, %1 : tensor<4xf32>, tensor<4xi32>
}

// CHECK-LABEL: func.func @unary
// CHECK: linalg.generic {indexing_maps = [#[[$ID1]], #[[$ID1]]], iterator_types = ["parallel"]}
// CHECK-NEXT: ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-DAG: %[[NEG:.*]] = arith.negf %[[X]] : f32
// CHECK: %[[EXP:.*]] = math.exp %[[NEG]] : f32
// CHECK-NEXT: %[[DEN:.*]] = arith.addf %[[ONE]], %[[EXP]] : f32
// CHECK-NEXT: %[[SIG:.*]] = arith.divf %[[ONE]], %[[DEN]] : f32
// CHECK-NEXT: linalg.yield %[[SIG]] : f32
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[RELU:.*]] = arith.maximumf %[[X]], %[[ZERO]] : f32
// CHECK-NEXT: linalg.yield %[[RELU]] : f32
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[TANH:.*]] = math.tanh %[[X]] : f32
// CHECK-NEXT: linalg.yield %[[TANH]] : f32
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:.*]]: f32, %[[Y:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[Q:.*]] = arith.divf %[[X]], %[[Y]] : f32
// CHECK-NEXT: linalg.yield %[[Q]] : f32
func.func @unary(%a: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %0 = kiln.sigmoid %a : tensor<4xf32>
  %1 = kiln.relu %a : tensor<4xf32>
  %2 = kiln.tanh %a : tensor<4xf32>
  %3 = kiln.div %a, %a : tensor<4xf32>, tensor<4xf32>
  return %0, %1, %2, %3 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// The whole group is one generic: the body replays add and tanh on scalars.
// CHECK-LABEL: func.func @fused
// CHECK-SAME: (%[[A:.*]]: tensor<3x4xf32>, %[[B:.*]]: tensor<4xf32>)
// CHECK-NOT: kiln.
// CHECK-NOT: linalg.generic
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[$ID2]], #[[$LAST2]], #[[$ID2]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[A]], %[[B]] : tensor<3x4xf32>, tensor<4xf32>)
// CHECK-NEXT: ^bb0(%[[X:.*]]: f32, %[[Y:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[X]], %[[Y]] : f32
// CHECK-NEXT: %[[T:.*]] = math.tanh %[[S]] : f32
// CHECK-NEXT: linalg.yield %[[T]] : f32
// CHECK-NEXT: } -> tensor<3x4xf32>
// CHECK-NOT: linalg.generic
// CHECK: return %[[R]]
func.func @fused(%a: tensor<3x4xf32>, %b: tensor<4xf32>) -> tensor<3x4xf32> {
  %0 = kiln.fused (%a, %b) : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xf32> {
  ^bb0(%x: tensor<3x4xf32>, %y: tensor<4xf32>):
    %1 = kiln.add %x, %y : tensor<3x4xf32>, tensor<4xf32>
    %2 = kiln.tanh %1 : tensor<3x4xf32>
    kiln.yield %2 : tensor<3x4xf32>
  }
  return %0 : tensor<3x4xf32>
}

// Bias broadcast into the result, then a reduction over the features.
// CHECK-LABEL: func.func @linear_bias_batched
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>, %[[W:.*]]: tensor<5x4xf32>, %[[B:.*]]: tensor<5xf32>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x3x5xf32>
// CHECK: %[[BIAS:.*]] = linalg.generic {indexing_maps = [#[[$BIAS3]], #[[$ID3]]], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK-SAME: ins(%[[B]] : tensor<5xf32>) outs(%[[E]] : tensor<2x3x5xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: linalg.yield %[[IN]] : f32
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[$LIN_X]], #[[$LIN_W]], #[[$LIN_OUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[X]], %[[W]] : tensor<2x3x4xf32>, tensor<5x4xf32>) outs(%[[BIAS]] : tensor<2x3x5xf32>)
// CHECK-NEXT: ^bb0(%[[P:.*]]: f32, %[[Q:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK-NEXT: %[[M:.*]] = arith.mulf %[[P]], %[[Q]] : f32
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[ACC]], %[[M]] : f32
// CHECK-NEXT: linalg.yield %[[S]] : f32
// CHECK: return %[[R]]
func.func @linear_bias_batched(%x: tensor<2x3x4xf32>, %w: tensor<5x4xf32>, %b: tensor<5xf32>) -> tensor<2x3x5xf32> {
  %0 = kiln.linear %x, %w, %b : tensor<2x3x4xf32>, tensor<5x4xf32>, tensor<5xf32>
  return %0 : tensor<2x3x5xf32>
}

// Without a bias the accumulator starts from a zero fill.
// CHECK-LABEL: func.func @linear_no_bias
// CHECK-SAME: (%[[X:.*]]: tensor<3x4xf32>, %[[W:.*]]: tensor<5x4xf32>)
// CHECK-DAG: %[[E:.*]] = tensor.empty() : tensor<3x5xf32>
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[FILL:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<3x5xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[$MM_A]], #[[$LINW2]], #[[$MM_OUT]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[X]], %[[W]] : tensor<3x4xf32>, tensor<5x4xf32>) outs(%[[FILL]] : tensor<3x5xf32>)
func.func @linear_no_bias(%x: tensor<3x4xf32>, %w: tensor<5x4xf32>) -> tensor<3x5xf32> {
  %0 = kiln.linear %x, %w : tensor<3x4xf32>, tensor<5x4xf32>
  return %0 : tensor<3x5xf32>
}

// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[A:.*]]: tensor<3x4xf32>, %[[B:.*]]: tensor<4x5xf32>)
// CHECK-DAG: %[[E:.*]] = tensor.empty() : tensor<3x5xf32>
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[FILL:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<3x5xf32>)
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[$MM_A]], #[[$MM_B]], #[[$MM_OUT]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[A]], %[[B]] : tensor<3x4xf32>, tensor<4x5xf32>) outs(%[[FILL]] : tensor<3x5xf32>)
// CHECK: return %[[R]]
func.func @matmul(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>) -> tensor<3x5xf32> {
  %0 = kiln.matmul %a, %b : tensor<3x4xf32>, tensor<4x5xf32>
  return %0 : tensor<3x5xf32>
}

// Batch dims broadcast: lhs's size-1 batch dim reads 0, rhs's missing one
// is skipped.
// CHECK-LABEL: func.func @matmul_batched
// CHECK: linalg.fill
// CHECK-SAME: -> tensor<2x6x3x5xf32>
// CHECK: linalg.generic {indexing_maps = [#[[$BMM_A]], #[[$BMM_B]], #[[$BMM_OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%{{.*}}, %{{.*}} : tensor<2x1x3x4xf32>, tensor<6x4x5xf32>)
func.func @matmul_batched(%a: tensor<2x1x3x4xf32>, %b: tensor<6x4x5xf32>) -> tensor<2x6x3x5xf32> {
  %0 = kiln.matmul %a, %b : tensor<2x1x3x4xf32>, tensor<6x4x5xf32>
  return %0 : tensor<2x6x3x5xf32>
}

// Matrix-vector and vector-matrix products drop the vector's unit dim.
// CHECK-LABEL: func.func @matmul_vectors
// CHECK: linalg.fill
// CHECK-SAME: -> tensor<3xf32>
// CHECK: linalg.generic {indexing_maps = [#[[$ID2]], #[[$LAST2]], #[[$MV_OUT]]], iterator_types = ["parallel", "reduction"]}
// CHECK-SAME: ins(%{{.*}}, %{{.*}} : tensor<3x4xf32>, tensor<4xf32>)
// CHECK: linalg.fill
// CHECK-SAME: -> tensor<5xf32>
// CHECK: linalg.generic {indexing_maps = [#[[$LAST2]], #[[$VM_B]], #[[$MV_OUT]]], iterator_types = ["parallel", "reduction"]}
// CHECK-SAME: ins(%{{.*}}, %{{.*}} : tensor<4xf32>, tensor<4x5xf32>)
func.func @matmul_vectors(%a: tensor<3x4xf32>, %v: tensor<4xf32>, %b: tensor<4x5xf32>)
    -> (tensor<3xf32>, tensor<5xf32>) {
  %0 = kiln.matmul %a, %v : tensor<3x4xf32>, tensor<4xf32>
  %1 = kiln.matmul %v, %b : tensor<4xf32>, tensor<4x5xf32>
  return %0, %1 : tensor<3xf32>, tensor<5xf32>
}

// Constants become arith.constant; weights stay dense_resource.
// CHECK-LABEL: func.func @constants
// CHECK-DAG: %[[D:.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[W:.*]] = arith.constant dense_resource<weight> : tensor<2xf32>
// CHECK-NOT: kiln.constant
// CHECK: return %[[D]], %[[W]]
func.func @constants() -> (tensor<2xf32>, tensor<2xf32>) {
  %0 = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %1 = kiln.constant dense_resource<weight> : tensor<2xf32>
  return %0, %1 : tensor<2xf32>, tensor<2xf32>
}

// CHECK: weight: "0x040000000000803F00000040"
{-#
  dialect_resources: {
    builtin: {
      weight: "0x040000000000803F00000040"
    }
  }
#-}
