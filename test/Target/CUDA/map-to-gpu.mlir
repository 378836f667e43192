// kiln-map-to-gpu: each top-level linalg op / memref.copy becomes one
// block x thread scf.parallel nest (one thread per output element),
// reductions run in registers; unsupported forms are diagnosed.
// RUN: kiln-opt %s --kiln-map-to-gpu --split-input-file --verify-diagnostics | FileCheck %s

#id = affine_map<(d0, d1) -> (d0, d1)>
#bc = affine_map<(d0, d1) -> (d1)>

// 1000 x 300 points: 1172 blocks of 256 threads, the last partly idle.
// The innermost dim is the fastest (remui first), the broadcast operand is
// read at the column index only.
// CHECK-LABEL: func.func @add_tanh
// CHECK: scf.parallel (%[[B:.*]]) = (%{{.*}}) to (%c1172)
// CHECK: scf.parallel (%[[T:.*]]) = (%{{.*}}) to (%c256)
// CHECK: %[[MUL:.*]] = arith.muli %[[B]], %{{.*}} : index
// CHECK: %[[ID:.*]] = arith.addi %[[MUL]], %[[T]] : index
// CHECK: %[[IN:.*]] = arith.cmpi ult, %[[ID]], %{{.*}} : index
// CHECK: scf.if %[[IN]] {
// CHECK: %[[J:.*]] = arith.remui %[[ID]], %{{.*}} : index
// CHECK: %[[I:.*]] = arith.divui %[[ID]], %{{.*}} : index
// CHECK: %[[X:.*]] = memref.load %arg0[%[[I]], %[[J]]] : memref<1000x300xf32>
// CHECK: %[[Y:.*]] = memref.load %arg1[%[[J]]] : memref<300xf32>
// CHECK: %[[S:.*]] = arith.addf %[[X]], %[[Y]] : f32
// CHECK: %[[R:.*]] = math.tanh %[[S]] : f32
// CHECK: memref.store %[[R]], %arg2[%[[I]], %[[J]]] : memref<1000x300xf32>
// CHECK: } {mapping = [#gpu.loop_dim_map<processor = thread_x, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
// CHECK: } {mapping = [#gpu.loop_dim_map<processor = block_x, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
// CHECK-NOT: linalg.generic
func.func @add_tanh(%a: memref<1000x300xf32>, %b: memref<300xf32>,
                    %c: memref<1000x300xf32>) {
  linalg.generic {indexing_maps = [#id, #bc, #id],
                  iterator_types = ["parallel", "parallel"]}
      ins(%a, %b : memref<1000x300xf32>, memref<300xf32>)
      outs(%c : memref<1000x300xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    %t = math.tanh %s : f32
    linalg.yield %t : f32
  }
  return
}

// -----

// A row reduction: one thread per row (4 rows: one block of 32 threads),
// the accumulator starts from the output and lives in iter_args.
// CHECK-LABEL: func.func @row_sum
// CHECK: scf.parallel
// CHECK: scf.parallel (%{{.*}}) = (%{{.*}}) to (%c32)
// CHECK: scf.if
// CHECK: %[[INIT:.*]] = memref.load %arg1[%[[ROW:.*]]] : memref<4xf32>
// CHECK: %[[SUM:.*]] = scf.for %[[K:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC:.*]] = %[[INIT]]) -> (f32)
// CHECK: %[[X:.*]] = memref.load %arg0[%[[ROW]], %[[K]]]
// CHECK: %[[NEXT:.*]] = arith.addf %[[X]], %[[ACC]] : f32
// CHECK: scf.yield %[[NEXT]] : f32
// CHECK: memref.store %[[SUM]], %arg1[%[[ROW]]] : memref<4xf32>
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
func.func @row_sum(%a: memref<4x8xf32>, %c: memref<4xf32>) {
  linalg.generic {indexing_maps = [#id, #row],
                  iterator_types = ["parallel", "reduction"]}
      ins(%a : memref<4x8xf32>) outs(%c : memref<4xf32>) {
  ^bb0(%x: f32, %o: f32):
    %s = arith.addf %x, %o : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A matmul (named op, generalized first): one thread per C element, the k
// loop inside; 64 x 64 = 16 full blocks, so no bounds test.
// CHECK-LABEL: func.func @matmul
// CHECK-NOT: scf.if
// CHECK: scf.for
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK-NOT: linalg.matmul
func.func @matmul(%a: memref<64x32xf32>, %b: memref<32x64xf32>,
                  %c: memref<64x64xf32>) {
  linalg.matmul ins(%a, %b : memref<64x32xf32>, memref<32x64xf32>)
                outs(%c : memref<64x64xf32>)
  return
}

// -----

// Copies (here between strided views) are kernels too; a keepdim output
// indexed by a constant is fine; linalg.index becomes the thread's index.
// CHECK-LABEL: func.func @copy_and_index
// CHECK: memref.load %arg0[%{{.*}}, %{{.*}}] : memref<4x8xf32, strided<[16, 1]>>
// CHECK: memref.store %{{.*}}, %arg1[%{{.*}}, %{{.*}}] : memref<4x8xf32>
// CHECK: %[[IDX:.*]] = arith.index_cast %{{.*}} : index to i64
// CHECK: memref.store %[[IDX]], %arg2[%{{.*}}, %{{.*}}] : memref<1x8xi64>
// CHECK-NOT: memref.copy
// CHECK-NOT: linalg.index
#keep = affine_map<(d0) -> (0, d0)>
func.func @copy_and_index(%a: memref<4x8xf32, strided<[16, 1]>>,
                          %c: memref<4x8xf32>, %d: memref<1x8xi64>) {
  memref.copy %a, %c : memref<4x8xf32, strided<[16, 1]>> to memref<4x8xf32>
  linalg.generic {indexing_maps = [#keep], iterator_types = ["parallel"]}
      outs(%d : memref<1x8xi64>) {
  ^bb0(%o: i64):
    %i = linalg.index 0 : index
    %v = arith.index_cast %i : index to i64
    linalg.yield %v : i64
  }
  return
}

// -----

// Two threads would write one element: not a kernel of this form.
#red = affine_map<(d0, d1) -> (d0 + d1)>
#in = affine_map<(d0, d1) -> (d0, d1)>
func.func @racy(%a: memref<4x4xf32>, %c: memref<7xf32>) {
  // expected-error @+1 {{CUDA backend: an output is not indexed by exactly the parallel loop dims}}
  linalg.generic {indexing_maps = [#in, #red],
                  iterator_types = ["parallel", "parallel"]}
      ins(%a : memref<4x4xf32>) outs(%c : memref<7xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  }
  return
}

// -----

func.func @dynamic(%a: memref<?xf32>, %c: memref<?xf32>) {
  // expected-error @+1 {{CUDA backend: dynamic loop bounds are not supported}}
  linalg.copy ins(%a : memref<?xf32>) outs(%c : memref<?xf32>)
  return
}

// -----

// Host code must not touch buffers: they are device memory.
func.func @host_load(%a: memref<4xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  // expected-error @+1 {{CUDA backend: cannot run on the host side of a GPU model}}
  %x = memref.load %a[%c0] : memref<4xf32>
  return %x : f32
}
