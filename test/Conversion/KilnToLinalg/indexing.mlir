// Indexing (lib/Conversion/KilnToLinalg/Indexing.cpp): gather.
// RUN: kiln-opt %s --convert-kiln-to-linalg | FileCheck %s

// out[i, j] = x[idx[i], j]: a negative index counts from the end (+5),
// then the index is clamped into [0, 4] so no read leaves the tensor.
// CHECK-LABEL: func.func @gather_rows
// CHECK-SAME: (%[[X:.*]]: tensor<5x3xf32>, %[[IDX:.*]]: tensor<3xi64>)
// CHECK: linalg.generic {{.*}} ins(%[[IDX]] : tensor<3xi64>) outs(%{{.*}} : tensor<3x3xf32>)
// CHECK-NEXT: ^bb0(%[[I:.*]]: i64, %{{.*}}: f32):
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[ROWS:.*]] = arith.constant 5 : index
// CHECK-DAG: %[[LAST:.*]] = arith.constant 4 : index
// CHECK-DAG: %[[II:.*]] = arith.index_cast %[[I]] : i64 to index
// CHECK: %[[NEG:.*]] = arith.cmpi slt, %[[II]], %[[ZERO]] : index
// CHECK: %[[WRAP:.*]] = arith.addi %[[II]], %[[ROWS]] : index
// CHECK: %[[R:.*]] = arith.select %[[NEG]], %[[WRAP]], %[[II]] : index
// CHECK: %[[LO:.*]] = arith.maxsi %[[R]], %[[ZERO]] : index
// CHECK: %[[HI:.*]] = arith.minsi %[[LO]], %[[LAST]] : index
// CHECK: %[[J:.*]] = linalg.index 1
// CHECK: %[[V:.*]] = tensor.extract %[[X]][%[[HI]], %[[J]]] : tensor<5x3xf32>
// CHECK: linalg.yield %[[V]]
func.func @gather_rows(%x: tensor<5x3xf32>, %i: tensor<3xi64>) -> tensor<3x3xf32> {
  %0 = kiln.gather %x, %i : tensor<5x3xf32>, tensor<3xi64> -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}
