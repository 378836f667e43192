// --kiln-distinct-result-buffers: every returned static memref is its own allocation.
// RUN: kiln-opt %s -split-input-file --kiln-distinct-result-buffers | FileCheck %s

// A buffer returned twice: the first use keeps it, the second gets a copy.
// CHECK-LABEL: func.func @shared(
// CHECK: %[[A:[^ ]*]] = memref.alloc() {alignment = 64 : i64} : memref<3x4xf32>
// CHECK: %[[C:[^ ]*]] = memref.alloc() : memref<3x4xf32>
// CHECK-NEXT: memref.copy %[[A]], %[[C]] : memref<3x4xf32> to memref<3x4xf32>
// CHECK-NEXT: return %[[A]], %[[C]] : memref<3x4xf32>, memref<3x4xf32>
func.func @shared(%x: memref<3x4xf32>) -> (memref<3x4xf32>, memref<3x4xf32>) {
  %a = memref.alloc() {alignment = 64 : i64} : memref<3x4xf32>
  memref.copy %x, %a : memref<3x4xf32> to memref<3x4xf32>
  return %a, %a : memref<3x4xf32>, memref<3x4xf32>
}

// -----

// A returned argument (borrowed) and a global (constant) are copied out.
// CHECK-LABEL: func.func @borrowed(
// CHECK-SAME: %[[X:[^ ]*]]: memref<2xf32>
// CHECK: %[[G:[^ ]*]] = memref.get_global @w : memref<2xf32>
// CHECK: %[[C0:[^ ]*]] = memref.alloc() : memref<2xf32>
// CHECK-NEXT: memref.copy %[[X]], %[[C0]]
// CHECK-NEXT: %[[C1:[^ ]*]] = memref.alloc() : memref<2xf32>
// CHECK-NEXT: memref.copy %[[G]], %[[C1]]
// CHECK-NEXT: return %[[C0]], %[[C1]] : memref<2xf32>, memref<2xf32>
memref.global "private" constant @w : memref<2xf32> = dense<[1.0, 2.0]>
func.func @borrowed(%x: memref<2xf32>) -> (memref<2xf32>, memref<2xf32>) {
  %g = memref.get_global @w : memref<2xf32>
  return %x, %g : memref<2xf32>, memref<2xf32>
}

// -----

// Left alone: distinct allocations, a dynamic shape, and a non-memref result.
// CHECK-LABEL: func.func @untouched(
// CHECK-SAME: %[[D:[^:]*]]: memref<?xf32>
// CHECK: %[[A:[^ ]*]] = memref.alloc() : memref<4xf32>
// CHECK: %[[B:[^ ]*]] = memref.alloc() : memref<4xf32>
// CHECK-NOT: memref.copy
// CHECK-NOT: memref.alloc
// CHECK: return %[[A]], %[[B]], %[[D]], %{{.*}} : memref<4xf32>, memref<4xf32>, memref<?xf32>, i32
func.func @untouched(%d: memref<?xf32>, %i: i32) -> (memref<4xf32>, memref<4xf32>, memref<?xf32>, i32) {
  %a = memref.alloc() : memref<4xf32>
  %b = memref.alloc() : memref<4xf32>
  return %a, %b, %d, %i : memref<4xf32>, memref<4xf32>, memref<?xf32>, i32
}
