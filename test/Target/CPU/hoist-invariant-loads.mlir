// kiln-hoist-invariant-loads: a loop-invariant load moves in front of its
// loop only when no store in the loop can write what it reads.
// RUN: kiln-opt %s --split-input-file --kiln-hoist-invariant-loads | FileCheck %s

// Softmax's exp(x - max[row]) in place: the row maximum (another workspace
// view, at a disjoint offset) is loaded once per row.
// CHECK-LABEL: func.func @disjoint_views
// CHECK: scf.for %[[I:.*]] =
// CHECK-NEXT: %[[M:.*]] = memref.load %{{.*}}[%[[I]]] : memref<8xf32>
// CHECK-NEXT: scf.for
// CHECK-NEXT: memref.load %{{.*}} : memref<8x128xf32>
// CHECK-NEXT: arith.subf %{{.*}}, %[[M]]
func.func @disjoint_views(%ws: memref<8192xi8>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c128 = arith.constant 128 : index
  %c4096 = arith.constant 4096 : index
  %a = memref.view %ws[%c0][] : memref<8192xi8> to memref<8x128xf32>
  %m = memref.view %ws[%c4096][] : memref<8192xi8> to memref<8xf32>
  scf.for %i = %c0 to %c8 step %c1 {
    scf.for %j = %c0 to %c128 step %c1 {
      %x = memref.load %m[%i] : memref<8xf32>
      %y = memref.load %a[%i, %j] : memref<8x128xf32>
      %d = arith.subf %y, %x : f32
      memref.store %d, %a[%i, %j] : memref<8x128xf32>
    }
  }
  return
}

// -----

// Overlapping views (bytes 0..4095 and 4092..4123): stays.
// CHECK-LABEL: func.func @overlapping_views
// CHECK: scf.for
// CHECK: scf.for
// CHECK-NEXT: memref.load %{{.*}} : memref<8xf32>
func.func @overlapping_views(%ws: memref<8192xi8>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c128 = arith.constant 128 : index
  %c4092 = arith.constant 4092 : index
  %a = memref.view %ws[%c0][] : memref<8192xi8> to memref<8x128xf32>
  %m = memref.view %ws[%c4092][] : memref<8192xi8> to memref<8xf32>
  scf.for %i = %c0 to %c8 step %c1 {
    scf.for %j = %c0 to %c128 step %c1 {
      %x = memref.load %m[%i] : memref<8xf32>
      memref.store %x, %a[%i, %j] : memref<8x128xf32>
    }
  }
  return
}

// -----

// Arguments and globals are separate buffers; a load of the buffer the loop
// stores to, a load that depends on the loop, and loops with a call or an
// empty trip count stay.
// CHECK-LABEL: func.func @roots
// CHECK: %[[G:.*]] = memref.get_global @bias
// CHECK-NEXT: %[[B:.*]] = memref.load %[[G]]
// CHECK-NEXT: %[[X:.*]] = memref.load %arg0[%{{.*}}] : memref<4xf32>
// CHECK-NEXT: scf.for
// CHECK-NEXT: memref.load %arg1[%{{.*}}] : memref<16xf32>
// CHECK-NEXT: memref.load %arg1[%{{.*}}] : memref<16xf32>
// CHECK: scf.for
// CHECK-NEXT: memref.load %arg0
// CHECK-NEXT: func.call @opaque
// CHECK: scf.for %{{.*}} = %c4 to %c4
// CHECK-NEXT: memref.load %arg0
memref.global "private" constant @bias : memref<4xf32> = dense<1.0>
func.func private @opaque()
func.func @roots(%in: memref<4xf32>, %out: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c16 = arith.constant 16 : index
  %g = memref.get_global @bias : memref<4xf32>
  scf.for %j = %c0 to %c16 step %c1 {
    %b = memref.load %g[%c2] : memref<4xf32>
    %x = memref.load %in[%c1] : memref<4xf32>
    %o = memref.load %out[%c0] : memref<16xf32>
    %y = memref.load %out[%j] : memref<16xf32>
    %s = arith.addf %b, %x : f32
    %t = arith.addf %s, %o : f32
    %u = arith.addf %t, %y : f32
    memref.store %u, %out[%j] : memref<16xf32>
  }
  scf.for %j = %c0 to %c16 step %c1 {
    %x = memref.load %in[%c1] : memref<4xf32>
    func.call @opaque() : () -> ()
    memref.store %x, %out[%j] : memref<16xf32>
  }
  scf.for %j = %c4 to %c4 step %c1 {
    %x = memref.load %in[%c1] : memref<4xf32>
    memref.store %x, %out[%j] : memref<16xf32>
  }
  return
}

// -----

// Buffers of unknown origin (an allocation) are not assumed disjoint.
// CHECK-LABEL: func.func @unknown
// CHECK: scf.for
// CHECK-NEXT: memref.load %[[A:.*]][%{{.*}}] : memref<4xf32>
func.func @unknown(%out: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %a = memref.alloc() : memref<4xf32>
  %o = memref.subview %out[0] [4] [1] : memref<16xf32> to memref<4xf32, strided<[1]>>
  scf.for %j = %c0 to %c16 step %c1 {
    %x = memref.load %a[%c1] : memref<4xf32>
    memref.store %x, %out[%j] : memref<16xf32>
  }
  return
}

// -----

// A reinterpret_cast may reach any byte of its root: a store through one
// keeps loads of a disjoint-looking view in the loop.
// CHECK-LABEL: func.func @reinterpreted
// CHECK: scf.for
// CHECK-NEXT: memref.load %{{.*}} : memref<8xf32>
func.func @reinterpreted(%ws: memref<8192xi8>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c4096 = arith.constant 4096 : index
  %a = memref.view %ws[%c0][] : memref<8192xi8> to memref<16xf32>
  %m = memref.view %ws[%c4096][] : memref<8192xi8> to memref<8xf32>
  %r = memref.reinterpret_cast %a to offset: [1024], sizes: [16], strides: [1] : memref<16xf32> to memref<16xf32, strided<[1], offset: 1024>>
  scf.for %j = %c0 to %c16 step %c1 {
    %x = memref.load %m[%c1] : memref<8xf32>
    memref.store %x, %r[%j] : memref<16xf32, strided<[1], offset: 1024>>
  }
  return
}
