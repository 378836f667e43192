// Elementwise ops and kiln.fused groups (lib/Conversion/KilnToLinalg/
// Elementwise.cpp, ScalarEmitter.cpp): one linalg.generic each, broadcasting
// in the indexing maps.
// RUN: kiln-opt %s --convert-kiln-to-linalg | FileCheck %s

// CHECK-DAG: #[[$ID2:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$LAST2:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[$COL2:.+]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-DAG: #[[$ID1:.+]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[$SCALAR1:.+]] = affine_map<(d0) -> ()>

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

// A splat constant inside a group becomes a scalar constant in the body.
// CHECK-LABEL: func.func @fused_splat_constant
// CHECK: linalg.generic
// CHECK: %[[TWO:.*]] = arith.constant 2.000000e+00 : f32
// CHECK: arith.mulf %{{.*}}, %[[TWO]] : f32
func.func @fused_splat_constant(%a: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %0 = kiln.fused (%a) : (tensor<3x4xf32>) -> tensor<3x4xf32> {
  ^bb0(%x: tensor<3x4xf32>):
    %c = kiln.constant dense<2.0> : tensor<f32>
    %1 = kiln.mul %x, %c : tensor<3x4xf32>, tensor<f32>
    kiln.yield %1 : tensor<3x4xf32>
  }
  return %0 : tensor<3x4xf32>
}

// A constant bool tensor read by an elementwise loop (a causal mask in
// where) becomes a constant of bytes compared to zero in the body: LLVM
// vectorizes byte loads, while i1 elements in memory were turned into
// masks one bit at a time.
// CHECK-LABEL: func.func @causal_mask
// CHECK: %[[BYTES:.*]] = arith.constant dense<{{\[}}[1, 0], [1, 1]]> : tensor<2x2xi8>
// CHECK: linalg.generic {{.*}} ins(%[[BYTES]], %{{.*}}, %{{.*}} : tensor<2x2xi8>, tensor<3x2x2xf32>, tensor<f32>)
// CHECK: ^bb0(%[[M:.*]]: i8,
// CHECK: %[[C:.*]] = arith.cmpi ne, %[[M]], %{{.*}} : i8
// CHECK: arith.select %[[C]]
func.func @causal_mask(%x: tensor<3x2x2xf32>) -> tensor<3x2x2xf32> {
  %m = kiln.constant dense<[[true, false], [true, true]]> : tensor<2x2xi1>
  %ninf = kiln.constant dense<0xFF800000> : tensor<f32>
  %0 = kiln.where %m, %x, %ninf : tensor<2x2xi1>, tensor<3x2x2xf32>, tensor<f32>
  return %0 : tensor<3x2x2xf32>
}

// Comparisons are ordered (NaN compares false) and yield i1; casts follow
// .to(dtype) (float to int truncates); where selects.
// CHECK-LABEL: func.func @compare_cast_where
// CHECK-SAME: (%[[X:.*]]: tensor<3x4xf32>, %[[Y:.*]]: tensor<4xf32>)
// CHECK: %[[GT:.*]] = linalg.generic {{.*}} ins(%[[X]], %[[Y]] : tensor<3x4xf32>, tensor<4xf32>) outs(%{{.*}} : tensor<3x4xi1>)
// CHECK: arith.cmpf ogt
// CHECK: %[[I:.*]] = linalg.generic {{.*}} ins(%[[Y]] : tensor<4xf32>) outs(%{{.*}} : tensor<4xi32>)
// CHECK: arith.fptosi %{{.*}} : f32 to i32
// CHECK: %[[F:.*]] = linalg.generic {{.*}} ins(%[[I]] : tensor<4xi32>) outs(%{{.*}} : tensor<4xf32>)
// CHECK: arith.sitofp %{{.*}} : i32 to f32
// CHECK: linalg.generic {{.*}} ins(%[[GT]], %[[X]], %[[F]] : tensor<3x4xi1>, tensor<3x4xf32>, tensor<4xf32>)
// CHECK-NEXT: ^bb0(%[[C:.*]]: i1, %[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: arith.select %[[C]], %[[A]], %[[B]] : f32
func.func @compare_cast_where(%x: tensor<3x4xf32>, %y: tensor<4xf32>) -> tensor<3x4xf32> {
  %0 = kiln.compare gt, %x, %y : tensor<3x4xf32>, tensor<4xf32>
  %1 = kiln.cast %y : tensor<4xf32> to tensor<4xi32>
  %2 = kiln.cast %1 : tensor<4xi32> to tensor<4xf32>
  %3 = kiln.where %0, %x, %2 : tensor<3x4xi1>, tensor<3x4xf32>, tensor<4xf32>
  return %3 : tensor<3x4xf32>
}
