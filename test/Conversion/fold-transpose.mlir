// --kiln-fold-transposes (after --convert-kiln-to-linalg) folds a transpose into the matrix product that
// reads it: the product's indexing map composes the permutation and reads
// the transpose's input, and the copy goes when nothing else reads it
// (attention's K^T was a strided gather of every element per call).
// RUN: kiln-opt %s --convert-kiln-to-linalg --kiln-fold-transposes | FileCheck %s
// Without the pass the permutation copy stays.
// RUN: kiln-opt %s --convert-kiln-to-linalg | FileCheck %s --check-prefix=UNFOLDED
// UNFOLDED: kiln.transpose

// q [1, 8, 128, 32] times k^T, k a [1, 128, 8, 32] projection: the product
// (b, h, i, j, d) reads k at (b, j, h, d).
// CHECK-DAG: #[[KMAP:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d1, d4)>
// CHECK-LABEL: func.func @attention_scores
// CHECK-SAME: (%[[Q:.*]]: tensor<1x8x128x32xf32>, %[[K:.*]]: tensor<1x128x8x32xf32>)
// CHECK-NOT: kiln.transpose
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[KMAP]], #{{.*}}]{{.*}} ins(%[[Q]], %[[K]] : tensor<1x8x128x32xf32>, tensor<1x128x8x32xf32>)
// CHECK-SAME: kiln.gemm
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @attention_scores(%q: tensor<1x8x128x32xf32>, %k: tensor<1x128x8x32xf32>) -> tensor<1x8x128x128xf32> {
  %kt = kiln.transpose %k, [0, 2, 3, 1] : tensor<1x128x8x32xf32>
  %s = kiln.matmul %q, %kt : tensor<1x8x128x32xf32>, tensor<1x8x32x128xf32>
  return %s : tensor<1x8x128x128xf32>
}

// A transpose that something else reads too stays, for that reader.
// CHECK-LABEL: func.func @shared
// CHECK: linalg.generic {{.*}}kiln.transpose
// CHECK: kiln.gemm
// CHECK: return
func.func @shared(%a: tensor<16x8xf32>, %b: tensor<16x4xf32>) -> (tensor<8x4xf32>, tensor<8x16xf32>) {
  %at = kiln.transpose %a, [1, 0] : tensor<16x8xf32>
  %p = kiln.matmul %at, %b : tensor<8x16xf32>, tensor<16x4xf32>
  return %p, %at : tensor<8x4xf32>, tensor<8x16xf32>
}
