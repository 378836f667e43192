// Indexing (lib/Conversion/KilnToLinalg/Indexing.cpp): gather, and the
// check of its indices.
// RUN: kiln-opt %s --split-input-file --convert-kiln-to-linalg | FileCheck %s
// RUN: kiln-opt %s --split-input-file '--convert-kiln-to-linalg=index-checks=false' | FileCheck %s --check-prefix=NOCHECK

// out[i, j] = x[idx[i], j] with wrap_negative (aten::index): a negative
// index counts from the end (+5), then the index is clamped into [0, 4] so
// no read leaves the tensor.
// First the check, on the calling thread: a reduction over the indices
// keeps the first one outside [-5, 5) and, when there is one, calls the
// op's reporter, which hands the site, the index, the dim and the size to
// the runtime.
// CHECK-LABEL: func.func @gather_rows
// CHECK-SAME: (%[[X:.*]]: tensor<5x3xf32>, %[[IDX:.*]]: tensor<3xi64>)
// CHECK: %[[CHECK:.*]]:2 = linalg.generic {{.*}} iterator_types = ["reduction"]} ins(%[[IDX]] : tensor<3xi64>) outs(%{{.*}}, %{{.*}} : tensor<i1>, tensor<i64>)
// CHECK-DAG: arith.constant -5 : i64
// CHECK-DAG: arith.constant 5 : i64
// CHECK: linalg.yield
// CHECK: %[[FOUND:.*]] = tensor.extract %[[CHECK]]#0[] : tensor<i1>
// CHECK: %[[FIRST:.*]] = tensor.extract %[[CHECK]]#1[] : tensor<i64>
// CHECK: scf.if %[[FOUND]] {
// CHECK-NEXT: func.call @[[REPORT:_kiln_index_error[0-9]+]](%[[FIRST]]) : (i64) -> ()
// CHECK: linalg.generic {{.*}} ins(%[[IDX]] : tensor<3xi64>) outs(%{{.*}} : tensor<3x3xf32>)
// CHECK-NEXT: ^bb0(%[[I:.*]]: i64, %{{.*}}: f32):
// CHECK: %[[II:.*]] = arith.index_cast %[[I]] : i64 to index
// CHECK: %[[ZERO:.*]] = arith.constant 0 : index
// CHECK: %[[NEG:.*]] = arith.cmpi slt, %[[II]], %[[ZERO]] : index
// CHECK: %[[ROWS:.*]] = arith.constant 5 : index
// CHECK: %[[WRAP:.*]] = arith.addi %[[II]], %[[ROWS]] : index
// CHECK: %[[R:.*]] = arith.select %[[NEG]], %[[WRAP]], %[[II]] : index
// CHECK: %[[LAST:.*]] = arith.constant 4 : index
// CHECK: %[[LO:.*]] = arith.maxsi %[[R]], %[[ZERO]] : index
// CHECK: %[[HI:.*]] = arith.minsi %[[LO]], %[[LAST]] : index
// CHECK: %[[J:.*]] = linalg.index 1
// CHECK: %[[V:.*]] = tensor.extract %[[X]][%[[HI]], %[[J]]] : tensor<5x3xf32>
// CHECK: linalg.yield %[[V]]
// CHECK: func.func private @kiln_index_error(i64, i64, i64, i64)
// CHECK: llvm.mlir.global private constant @[[REPORT]]_site("{{.*}}indexing.mlir:{{[0-9]+}}:{{[0-9]+}}: aten::index\00")
// CHECK: func.func private @[[REPORT]](%[[ARG:.*]]: i64)
// CHECK: %[[SITE:.*]] = llvm.mlir.addressof @[[REPORT]]_site
// CHECK: %[[ADDR:.*]] = llvm.ptrtoint %[[SITE]] : !llvm.ptr to i64
// CHECK-DAG: %[[DIM:.*]] = arith.constant 1 : i64
// CHECK-DAG: %[[SIZE:.*]] = arith.constant 5 : i64
// CHECK: call @kiln_index_error(%[[ADDR]], %[[ARG]], %[[DIM]], %[[SIZE]])

// Without the checks (GPU code), only the clamped read.
// NOCHECK-LABEL: func.func @gather_rows
// NOCHECK-NOT: scf.if
// NOCHECK-NOT: kiln_index_error
// NOCHECK: arith.minsi
// NOCHECK-NOT: kiln_index_error
func.func @gather_rows(%x: tensor<5x3xf32>, %i: tensor<3xi64>) -> tensor<3x3xf32> {
  %0 = kiln.gather %x, %i {wrap_negative, torch_op = "aten::index", torch_dim = 1} : tensor<5x3xf32>, tensor<3xi64> -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

// Without wrap_negative (embedding, index_select) a negative index is out
// of range: the check accepts [0, 5) and the read only clamps.
// CHECK-LABEL: func.func @embedding_rows
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]
// CHECK: arith.extsi %{{.*}} : i32 to i64
// CHECK-DAG: arith.constant 0 : i64
// CHECK-DAG: arith.constant 5 : i64
// CHECK: scf.if
// CHECK: linalg.generic
// CHECK-NOT: arith.addi
// CHECK: arith.maxsi
// CHECK: arith.minsi
func.func @embedding_rows(%x: tensor<5x3xf32>, %i: tensor<2x2xi32>) -> tensor<2x2x3xf32> {
  %0 = kiln.gather %x, %i {torch_op = "aten::embedding"} : tensor<5x3xf32>, tensor<2x2xi32> -> tensor<2x2x3xf32>
  return %0 : tensor<2x2x3xf32>
}

// -----

// Constant indices are checked at compile time: in range, no run-time check.
// CHECK-LABEL: func.func @constant_rows
// CHECK-NOT: scf.if
// CHECK: return
func.func @constant_rows(%x: tensor<5x3xf32>) -> tensor<2x3xf32> {
  %i = kiln.constant dense<[4, -5]> : tensor<2xi64>
  %0 = kiln.gather %x, %i {wrap_negative} : tensor<5x3xf32>, tensor<2xi64> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

