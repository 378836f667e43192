// --kiln-parallelize-loops outlines big top-level scf.parallel loops into
// functions that kiln_parallel_for runs on chunks of their leading
// (flattened) dims; small loops, loops that need a value computed with side
// effects, loops with non-constant bounds and loops nested in other ops stay.
// RUN: kiln-opt %s --kiln-parallelize-loops="threads=2" | FileCheck %s
// RUN: kiln-opt %s --kiln-parallelize-loops="threads=1" | FileCheck %s --check-prefix=ONE
// RUN: kiln-opt %s --kiln-parallelize-loops="threads=0 min-work=1000000" | FileCheck %s --check-prefix=BIG
// Through the rest of the CPU pipeline: the descriptors rebuilt in the body
// leave no casts behind.
// RUN: kiln-opt %s --kiln-parallelize-loops="threads=2" --convert-scf-to-cf --expand-strided-metadata --finalize-memref-to-llvm --convert-arith-to-llvm --convert-index-to-llvm --convert-cf-to-llvm --convert-func-to-llvm="use-bare-ptr-memref-call-conv" --reconcile-unrealized-casts | FileCheck %s --check-prefix=LLVM

// ONE-NOT: kiln_parallel_for
// BIG-NOT: kiln_parallel_for

memref.global "private" constant @bias : memref<64xf32> = dense<1.0>

// 1x64x56x56: dims 0 and 1 flatten into 64 iterations of 56x56 each; a
// chunk has at least 16384 / 3136 -> 6 of them. The input and output travel
// in a two-pointer array; the unused workspace does not; the global is read
// in the body.
// CHECK-LABEL: func.func @bias_add(
// CHECK-SAME: %[[IN:[^:]*]]: memref<1x64x56x56xf32>, %[[OUT:[^:]*]]: memref<1x64x56x56xf32>
// CHECK: %[[TWO:.*]] = llvm.mlir.constant(2 : i64) : i64
// CHECK: %[[CTX:.*]] = llvm.alloca %[[TWO]] x !llvm.ptr
// CHECK: memref.extract_aligned_pointer_as_index %[[IN]]
// CHECK: llvm.getelementptr %[[CTX]][0]
// CHECK: llvm.store
// CHECK: memref.extract_aligned_pointer_as_index %[[OUT]]
// CHECK: llvm.getelementptr %[[CTX]][1]
// CHECK: llvm.store
// CHECK: %[[FN:.*]] = constant @bias_add_parallel0 : (!llvm.ptr, index, index) -> ()
// CHECK-DAG: %[[N:.*]] = arith.constant 64 : i64
// CHECK-DAG: %[[GRAIN:.*]] = arith.constant 6 : i64
// CHECK-DAG: %[[THREADS:.*]] = arith.constant 2 : i64
// CHECK: call @kiln_parallel_for(%[[N]], %[[GRAIN]], %[[FN]], %[[CTX]], %[[THREADS]])
// CHECK-NOT: scf.parallel
// CHECK: return
// CHECK: func.func private @bias_add_parallel0(%[[C:.*]]: !llvm.ptr, %[[BEGIN:.*]]: index, %[[END:.*]]: index) attributes {llvm.linkage = #llvm.linkage<internal>}
// CHECK: llvm.getelementptr %[[C]][0]
// CHECK: unrealized_conversion_cast {{.*}} to memref<1x64x56x56xf32>
// CHECK: llvm.getelementptr %[[C]][1]
// CHECK: unrealized_conversion_cast {{.*}} to memref<1x64x56x56xf32>
// CHECK: memref.get_global @bias
// CHECK: scf.for %[[F:.*]] = %[[BEGIN]] to %[[END]]
// CHECK: scf.parallel (%[[H:.*]], %[[W:.*]]) =
// CHECK: memref.load {{.*}}[%{{.*}}, %[[F]], %[[H]], %[[W]]]
// CHECK: memref.load {{.*}}[%[[F]]]
// CHECK: memref.store
func.func @bias_add(%in: memref<1x64x56x56xf32>, %out: memref<1x64x56x56xf32>, %ws: memref<1024xi8>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c56 = arith.constant 56 : index
  %c64 = arith.constant 64 : index
  %b = memref.get_global @bias : memref<64xf32>
  scf.parallel (%n, %c, %h, %w) = (%c0, %c0, %c0, %c0) to (%c1, %c64, %c56, %c56) step (%c1, %c1, %c1, %c1) {
    %x = memref.load %in[%n, %c, %h, %w] : memref<1x64x56x56xf32>
    %y = memref.load %b[%c] : memref<64xf32>
    %z = arith.addf %x, %y : f32
    memref.store %z, %out[%n, %c, %h, %w] : memref<1x64x56x56xf32>
    scf.reduce
  }
  return
}

// 3x3x8x512 in a workspace view: dims 0..2 flatten into 72 iterations
// (the view and its offset are recomputed in the body from the workspace
// pointer); inner 3x3 reduction loops count as work: 72 x 512 x 9.
// The index of a flattened dim is recovered innermost first.
// CHECK-LABEL: func.func @view_and_reduction(
// CHECK: llvm.alloca
// CHECK-DAG: arith.constant 72 : i64
// CHECK-DAG: arith.constant 4 : i64
// CHECK: call @kiln_parallel_for
// CHECK: func.func private @view_and_reduction_parallel1(
// CHECK: memref.view
// CHECK: scf.for %[[F:.*]] = %{{.*}} to %{{.*}} step
// CHECK: %[[R0:.*]] = arith.remui %[[F]], %[[C8:.*]] : index
// CHECK: %[[Q0:.*]] = arith.divui %[[F]], %[[C8]] : index
// CHECK: %[[R1:.*]] = arith.remui %[[Q0]], %[[C3:.*]] : index
// CHECK: %[[Q1:.*]] = arith.divui %[[Q0]], %[[C3]] : index
// CHECK: scf.parallel (%[[X:.*]]) =
// CHECK: scf.for
// CHECK: memref.load {{.*}}[%[[Q1]], %[[R1]], %[[R0]], %[[X]]]
func.func @view_and_reduction(%in: memref<3x3x8x512xf32>, %ws: memref<147456xi8>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c8 = arith.constant 8 : index
  %c512 = arith.constant 512 : index
  %c64 = arith.constant 64 : index
  %v = memref.view %ws[%c64][] : memref<147456xi8> to memref<3x3x8x512xf32>
  scf.parallel (%a, %b, %c, %d) = (%c0, %c0, %c0, %c0) to (%c3, %c3, %c8, %c512) step (%c1, %c1, %c1, %c1) {
    %s = scf.for %k = %c0 to %c3 step %c1 iter_args(%acc = %c0) -> (index) {
      %t = scf.for %l = %c0 to %c3 step %c1 iter_args(%acc2 = %acc) -> (index) {
        %u = arith.addi %acc2, %l : index
        scf.yield %u : index
      }
      scf.yield %t : index
    }
    %x = memref.load %in[%a, %b, %c, %d] : memref<3x3x8x512xf32>
    %i = arith.index_cast %s : index to i32
    %f = arith.sitofp %i : i32 to f32
    %y = arith.addf %x, %f : f32
    memref.store %y, %v[%a, %b, %c, %d] : memref<3x3x8x512xf32>
    scf.reduce
  }
  return
}

// One dim of 40000: the flat range is the dim itself, in chunks of 16384.
// CHECK-LABEL: func.func @one_dim(
// CHECK-DAG: arith.constant 40000 : i64
// CHECK-DAG: arith.constant 16384 : i64
// CHECK: call @kiln_parallel_for
// CHECK: func.func private @one_dim_parallel2(
// CHECK: scf.for %[[F:.*]] = %{{.*}} to %{{.*}} step
// CHECK-NOT: scf.parallel
// CHECK: memref.store %{{.*}}, %{{.*}}[%[[F]]]
func.func @one_dim(%out: memref<40000xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = arith.constant 40000 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    memref.store %zero, %out[%i] : memref<40000xf32>
    scf.reduce
  }
  return
}

// Too little work (64 x 64 = 4096 < 32768): the loop stays.
// CHECK-LABEL: func.func @small(
// CHECK-NOT: kiln_parallel_for
// CHECK: scf.parallel
func.func @small(%out: memref<64x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i, %j) = (%c0, %c0) to (%c64, %c64) step (%c1, %c1) {
    memref.store %zero, %out[%i, %j] : memref<64x64xf32>
    scf.reduce
  }
  return
}

// The loop reads a value loaded outside it (an op with effects), a
// dynamic-shape argument, or has a non-constant bound: it stays.
// CHECK-LABEL: func.func @stays(
// CHECK-NOT: kiln_parallel_for
// CHECK: scf.parallel
// CHECK: scf.parallel
// CHECK: scf.parallel
// CHECK: return
func.func @stays(%out: memref<256x256xf32>, %s: memref<1xf32>, %d: memref<?x256xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c256 = arith.constant 256 : index
  %v = memref.load %s[%c0] : memref<1xf32>
  scf.parallel (%i, %j) = (%c0, %c0) to (%c256, %c256) step (%c1, %c1) {
    memref.store %v, %out[%i, %j] : memref<256x256xf32>
    scf.reduce
  }
  scf.parallel (%i, %j) = (%c0, %c0) to (%c256, %c256) step (%c1, %c1) {
    %x = memref.load %d[%i, %j] : memref<?x256xf32>
    memref.store %x, %out[%i, %j] : memref<256x256xf32>
    scf.reduce
  }
  scf.parallel (%i, %j) = (%c0, %c0) to (%n, %c256) step (%c1, %c1) {
    memref.store %v, %out[%i, %j] : memref<256x256xf32>
    scf.reduce
  }
  return
}

// A loop with a reduction (results) stays.
// CHECK-LABEL: func.func @reduction(
// CHECK-NOT: kiln_parallel_for
// CHECK: scf.parallel
// CHECK: scf.reduce
func.func @reduction(%in: memref<256x256xf32>, %out: memref<1xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c256 = arith.constant 256 : index
  %zero = arith.constant 0.0 : f32
  %sum = scf.parallel (%i, %j) = (%c0, %c0) to (%c256, %c256) step (%c1, %c1) init (%zero) -> f32 {
    %x = memref.load %in[%i, %j] : memref<256x256xf32>
    scf.reduce(%x : f32) {
    ^bb0(%a: f32, %b: f32):
      %s = arith.addf %a, %b : f32
      scf.reduce.return %s : f32
    }
  }
  memref.store %sum, %out[%c0] : memref<1xf32>
  return
}

// A loop inside another op is not top-level: it stays.
// CHECK-LABEL: func.func @nested(
// CHECK-NOT: kiln_parallel_for
// CHECK: scf.for
// CHECK: scf.parallel
func.func @nested(%out: memref<4x256x256xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c256 = arith.constant 256 : index
  %zero = arith.constant 0.0 : f32
  scf.for %b = %c0 to %c4 step %c1 {
    scf.parallel (%i, %j) = (%c0, %c0) to (%c256, %c256) step (%c1, %c1) {
      memref.store %zero, %out[%b, %i, %j] : memref<4x256x256xf32>
      scf.reduce
    }
  }
  return
}

// CHECK: func.func private @kiln_parallel_for(i64, i64, (!llvm.ptr, index, index) -> (), !llvm.ptr, i64)

// LLVM-NOT: unrealized_conversion_cast
// LLVM: llvm.mlir.addressof @bias_add_parallel0
// LLVM: llvm.call @kiln_parallel_for
// LLVM-NOT: unrealized_conversion_cast
// LLVM: llvm.func internal @bias_add_parallel0(%{{.*}}: !llvm.ptr, %{{.*}}: i64, %{{.*}}: i64)
// LLVM-NOT: unrealized_conversion_cast
// LLVM: llvm.func @view_and_reduction(
// LLVM: llvm.func @kiln_parallel_for(i64, i64, !llvm.ptr, !llvm.ptr, i64)
