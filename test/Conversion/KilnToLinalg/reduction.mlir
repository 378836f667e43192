// Reductions (lib/Conversion/KilnToLinalg/Reduction.cpp): reduce, argmax,
// cumsum.
// RUN: kiln-opt %s --convert-kiln-to-linalg | FileCheck %s

// Over the innermost dims: one parallel loop per output element with the
// sum in a register (scf.for iter_args), reassociable so it vectorizes.
// CHECK-LABEL: func.func @sum_innermost
// CHECK-SAME: (%[[X:.*]]: tensor<3x4xf32>)
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel"]
// CHECK: %[[I:.*]] = linalg.index 0
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: scf.for %[[K:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC:.*]] = %[[ZERO]]) -> (f32)
// CHECK: %[[E:.*]] = tensor.extract %[[X]][%[[I]], %[[K]]]
// CHECK: arith.addf %[[ACC]], %[[E]] fastmath<reassoc>
// CHECK-NOT: kiln.
func.func @sum_innermost(%x: tensor<3x4xf32>) -> tensor<3xf32> {
  %0 = kiln.reduce sum, %x, [1] : tensor<3x4xf32>
  return %0 : tensor<3xf32>
}

// Over several innermost dims: collapsed into one first.
// CHECK-LABEL: func.func @mean_innermost_two
// CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0], [1, 2]] : tensor<2x3x4xf32> into tensor<2x12xf32>
// CHECK: scf.for
// CHECK: arith.divf %{{.*}}, %{{.*}} : f32
func.func @mean_innermost_two(%x: tensor<2x3x4xf32>) -> tensor<2xf32> {
  %0 = kiln.reduce mean, %x, [1, 2] : tensor<2x3x4xf32>
  return %0 : tensor<2xf32>
}

// Over an outer dim: a reduction generic into a filled accumulator; max
// starts at -inf, keepdim pins the reduced dim at 0.
// CHECK-LABEL: func.func @max_outer_keepdim
// CHECK: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[NEGINF]] : f32) outs(%{{.*}} : tensor<1x4xf32>)
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[KEEP:.*]]], iterator_types = ["reduction", "parallel"]} ins(%{{.*}} : tensor<3x4xf32>) outs(%[[INIT]] : tensor<1x4xf32>)
// CHECK: arith.maximumf
func.func @max_outer_keepdim(%x: tensor<3x4xf32>) -> tensor<1x4xf32> {
  %0 = kiln.reduce max, %x, [0] {keepdim = true} : tensor<3x4xf32>
  return %0 : tensor<1x4xf32>
}

// A mean over an outer dim divides the sum by the count afterwards.
// CHECK-LABEL: func.func @mean_outer
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}}iterator_types = ["reduction", "parallel"]
// CHECK: arith.addf
// CHECK: linalg.generic {{.*}} ins(%[[SUM]] : tensor<4xf32>)
// CHECK: %[[COUNT:.*]] = arith.constant 3.000000e+00 : f32
// CHECK: arith.divf %{{.*}}, %[[COUNT]]
func.func @mean_outer(%x: tensor<3x4xf32>) -> tensor<4xf32> {
  %0 = kiln.reduce mean, %x, [0] : tensor<3x4xf32>
  return %0 : tensor<4xf32>
}

// Integer min starts at the largest i32 and uses the signed minimum.
// CHECK-LABEL: func.func @min_int
// CHECK: arith.constant 2147483647 : i32
// CHECK: arith.minsi
func.func @min_int(%x: tensor<3x4xi32>) -> tensor<4xi32> {
  %0 = kiln.reduce min, %x, [0] : tensor<3x4xi32>
  return %0 : tensor<4xi32>
}

// argmax: value and index carried together; the first maximum wins (a
// strict greater-than).
// CHECK-LABEL: func.func @argmax
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<3xf32>)
// CHECK: linalg.fill ins(%{{.*}} : i64) outs(%{{.*}} : tensor<3xi64>)
// CHECK: %[[R:.*]]:2 = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK: %[[K:.*]] = linalg.index 1
// CHECK: %[[KI:.*]] = arith.index_cast %[[K]] : index to i64
// CHECK: %[[GT:.*]] = arith.cmpf ogt
// CHECK: %[[BETTER:.*]] = arith.ori %[[GT]]
// CHECK: arith.select %[[BETTER]]
// CHECK: arith.select %[[BETTER]], %[[KI]]
// CHECK: return %[[R]]#1
func.func @argmax(%x: tensor<3x4xf32>) -> tensor<3xi64> {
  %0 = kiln.argmax %x {dim = 1 : i64} : tensor<3x4xf32> -> tensor<3xi64>
  return %0 : tensor<3xi64>
}

// cumsum: out[i, j] sums in[i, k] over k <= j.
// CHECK-LABEL: func.func @cumsum
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: %[[J:.*]] = linalg.index 1
// CHECK: %[[K:.*]] = linalg.index 2
// CHECK: %[[IN:.*]] = arith.cmpi ule, %[[K]], %[[J]]
// CHECK: arith.select %[[IN]]
// CHECK: arith.addf
func.func @cumsum(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %0 = kiln.cumsum %x {dim = 1 : i64} : tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// prod starts from 1; all/any combine i1 with and/or from true/false.
// CHECK-LABEL: func.func @prod_all_any
// CHECK: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[ONE]])
// CHECK: arith.mulf
// CHECK: %[[TRUE:.*]] = arith.constant true
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[TRUE]])
// CHECK: arith.andi
// CHECK: %[[FALSE:.*]] = arith.constant false
// CHECK: linalg.fill ins(%[[FALSE]] : i1)
// CHECK: arith.ori
func.func @prod_all_any(%x: tensor<2x3xf32>, %b: tensor<2x3xi1>)
    -> (tensor<2xf32>, tensor<2xi1>, tensor<3xi1>) {
  %0 = kiln.reduce prod, %x, [1] : tensor<2x3xf32>
  %1 = kiln.reduce all, %b, [1] : tensor<2x3xi1>
  %2 = kiln.reduce any, %b, [0] : tensor<2x3xi1>
  return %0, %1, %2 : tensor<2xf32>, tensor<2xi1>, tensor<3xi1>
}

// argmax takes the first NaN: NaN beats an ordered best, nothing beats NaN.
// CHECK-LABEL: func.func @argmax_nan
// CHECK: %[[GT:.*]] = arith.cmpf ogt, %[[X:[^,]+]], %[[BEST:[^ ]+]] : f32
// CHECK-DAG: %[[XNAN:.*]] = arith.cmpf uno, %[[X]], %[[X]] : f32
// CHECK-DAG: %[[BORD:.*]] = arith.cmpf ord, %[[BEST]], %[[BEST]] : f32
// CHECK: %[[FIRST:.*]] = arith.andi %[[XNAN]], %[[BORD]] : i1
// CHECK: arith.ori %[[GT]], %[[FIRST]] : i1
func.func @argmax_nan(%x: tensor<2x3xf32>) -> tensor<2xi64> {
  %0 = kiln.argmax %x {dim = 1 : i64} : tensor<2x3xf32> -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// On bool, max is any (or from false) and argmax compares unsigned.
// CHECK-LABEL: func.func @bool_max
// CHECK: arith.constant false
// CHECK: arith.ori
// CHECK: arith.cmpi ugt
func.func @bool_max(%b: tensor<2x3xi1>) -> (tensor<3xi1>, tensor<2xi64>) {
  %0 = kiln.reduce max, %b, [0] : tensor<2x3xi1>
  %1 = kiln.argmax %b {dim = 1 : i64} : tensor<2x3xi1> -> tensor<2xi64>
  return %0, %1 : tensor<3xi1>, tensor<2xi64>
}
