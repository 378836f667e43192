// linear and matmul (lib/Conversion/KilnToLinalg/Linear.cpp): a fill (bias
// or zero) plus a reduction linalg.generic tagged kiln.gemm.
// RUN: kiln-opt %s --convert-kiln-to-linalg | FileCheck %s

// CHECK-DAG: #[[$ID2:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$LAST2:.+]] = affine_map<(d0, d1) -> (d1)>
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

// A dot product (1-D x 1-D) is a rank-0 reduction.
// CHECK-LABEL: func.func @dot
// CHECK: linalg.fill
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #{{.*}}], iterator_types = ["reduction"]}
// CHECK: } -> tensor<f32>
func.func @dot(%v: tensor<4xf32>) -> tensor<f32> {
  %0 = kiln.matmul %v, %v : tensor<4xf32>, tensor<4xf32>
  return %0 : tensor<f32>
}
