// --kiln-lower-strided-copies: a memref.copy with a strided side becomes linalg.copy.
// RUN: kiln-opt %s -split-input-file --kiln-lower-strided-copies | FileCheck %s

// A strided source (a transposed view) and a strided target (a subview) are
// rewritten; the contiguous copy between them is left alone.
// CHECK-LABEL: func.func @copies(
// CHECK-SAME: %[[X:[^:]*]]: memref<4x3xf32>, %[[Y:[^:]*]]: memref<3x4xf32>, %[[Z:[^:]*]]: memref<8x8xf32>
// CHECK: %[[T:[^ ]*]] = memref.transpose %[[X]]
// CHECK: linalg.copy ins(%[[T]] : memref<3x4xf32, strided<[1, 3]>>) outs(%[[Y]] : memref<3x4xf32>)
// CHECK: %[[S:[^ ]*]] = memref.subview %[[Z]][0, 0] [3, 4] [1, 1]
// CHECK: linalg.copy ins(%[[Y]] : memref<3x4xf32>) outs(%[[S]] : memref<3x4xf32, strided<[8, 1]>>)
// CHECK: memref.copy %[[Y]], %{{.*}} : memref<3x4xf32> to memref<3x4xf32>
// CHECK-NOT: memref.copy
// CHECK: return
func.func @copies(%x: memref<4x3xf32>, %y: memref<3x4xf32>, %z: memref<8x8xf32>) -> memref<3x4xf32> {
  %t = memref.transpose %x (i, j) -> (j, i) : memref<4x3xf32> to memref<3x4xf32, strided<[1, 3]>>
  memref.copy %t, %y : memref<3x4xf32, strided<[1, 3]>> to memref<3x4xf32>
  %s = memref.subview %z[0, 0] [3, 4] [1, 1] : memref<8x8xf32> to memref<3x4xf32, strided<[8, 1]>>
  memref.copy %y, %s : memref<3x4xf32> to memref<3x4xf32, strided<[8, 1]>>
  %a = memref.alloc() : memref<3x4xf32>
  memref.copy %y, %a : memref<3x4xf32> to memref<3x4xf32>
  return %a : memref<3x4xf32>
}

// -----

// Left alone: contiguous copies, dynamic shapes included.
// CHECK-LABEL: func.func @contiguous(
// CHECK: memref.copy %{{.*}}, %{{.*}} : memref<?x4xf32> to memref<?x4xf32>
// CHECK-NOT: linalg.copy
func.func @contiguous(%x: memref<?x4xf32>, %y: memref<?x4xf32>) {
  memref.copy %x, %y : memref<?x4xf32> to memref<?x4xf32>
  return
}
