// --kiln-plan-memory: placement of the model function's allocations in one workspace argument (sharing, alignment, in-place reuse, errors).
// RUN: kiln-opt %s --split-input-file --kiln-plan-memory -verify-diagnostics | FileCheck %s --check-prefixes=CHECK,INPLACE
// RUN: kiln-opt %s --split-input-file --kiln-plan-memory=in-place=false -verify-diagnostics | FileCheck %s --check-prefixes=CHECK,NOINPLACE

// Two 64-byte buffers whose live ranges do not overlap (a dies before b is
// first used) share offset 0. The workspace is a new last argument named
// "workspace"; the function and the module record its size and the lower
// bound (the most bytes live at once). The dealloc is dropped. Only the
// function with kiln.abi is planned: @helper keeps its alloc and signature.
// CHECK: module attributes {kiln.workspace_lower_bound = 64 : i64, kiln.workspace_size = 64 : i64}
// CHECK-LABEL: func.func @disjoint
// CHECK-SAME: (%[[IN:[^:]*]]: memref<16xf32>, %[[OUT:[^:]*]]: memref<16xf32>, %[[WS:[^:]*]]: memref<64xi8> {kiln.name = "workspace"})
// CHECK-SAME: kiln.workspace_lower_bound = 64 : i64, kiln.workspace_size = 64 : i64
// CHECK-NOT: memref.alloc
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK-NEXT: %[[A:.*]] = memref.view %[[WS]][%[[C0]]][] : memref<64xi8> to memref<16xf32>
// CHECK-NEXT: linalg.generic {{.*}} ins(%[[IN]] : memref<16xf32>) outs(%[[A]] : memref<16xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[A]] : memref<16xf32>) outs(%[[OUT]] : memref<16xf32>)
// CHECK-NOT: memref.dealloc
// CHECK: %[[C0B:.*]] = arith.constant 0 : index
// CHECK-NEXT: %[[B:.*]] = memref.view %[[WS]][%[[C0B]]][] : memref<64xi8> to memref<16xf32>
// CHECK-NEXT: linalg.generic {{.*}} ins(%[[IN]] : memref<16xf32>) outs(%[[B]] : memref<16xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[B]] : memref<16xf32>) outs(%[[OUT]] : memref<16xf32>)
// CHECK-LABEL: func.func @helper
// CHECK-SAME: (%{{[^:]*}}: memref<16xf32>)
// CHECK-NOT: workspace
// CHECK-NEXT: memref.alloc() : memref<16xf32>
#id = affine_map<(d0) -> (d0)>
module {
  func.func @disjoint(%in: memref<16xf32>, %out: memref<16xf32>) attributes {kiln.abi = {inputs = [{name = "x", type = tensor<16xf32>}], model = "m", outputs = [{name = "out0", type = tensor<16xf32>}]}} {
    %a = memref.alloc() : memref<16xf32>
    linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%in : memref<16xf32>) outs(%a : memref<16xf32>) {
    ^bb0(%x: f32, %y: f32):
      %e = math.exp %x : f32
      linalg.yield %e : f32
    }
    linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%a : memref<16xf32>) outs(%out : memref<16xf32>) {
    ^bb0(%x: f32, %y: f32):
      %e = math.tanh %x : f32
      linalg.yield %e : f32
    }
    memref.dealloc %a : memref<16xf32>
    %b = memref.alloc() : memref<16xf32>
    linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%in : memref<16xf32>) outs(%b : memref<16xf32>) {
    ^bb0(%x: f32, %y: f32):
      %e = math.exp %x : f32
      linalg.yield %e : f32
    }
    linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%b : memref<16xf32>) outs(%out : memref<16xf32>) {
    ^bb0(%x: f32, %y: f32):
      %e = math.tanh %x : f32
      linalg.yield %e : f32
    }
    return
  }
  func.func @helper(%in: memref<16xf32>) {
    %a = memref.alloc() : memref<16xf32>
    memref.copy %in, %a : memref<16xf32> to memref<16xf32>
    return
  }
}

// -----

// Overlapping buffers get disjoint 64-byte-aligned offsets. Placement is
// largest first: a (20 x f32 = 80 bytes, a 128-byte slot) goes to 0 although
// b (10 x f32 = 40 bytes) is allocated first; b goes to 128, not 80.
// CHECK: module attributes {kiln.workspace_lower_bound = 192 : i64, kiln.workspace_size = 192 : i64}
// CHECK-LABEL: func.func @overlapping
// CHECK-SAME: %[[WS:[^:]*]]: memref<192xi8> {kiln.name = "workspace"})
// CHECK: %[[C128:.*]] = arith.constant 128 : index
// CHECK-NEXT: %[[B:.*]] = memref.view %[[WS]][%[[C128]]][] : memref<192xi8> to memref<10xf32>
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK-NEXT: %[[A:.*]] = memref.view %[[WS]][%[[C0]]][] : memref<192xi8> to memref<20xf32>
// CHECK: memref.copy %{{.*}}, %[[B]]
// CHECK-NEXT: memref.copy %{{.*}}, %[[A]]
// CHECK-NEXT: memref.copy %[[B]], %{{.*}}
// CHECK-NEXT: memref.copy %[[A]], %{{.*}}
module {
  func.func @overlapping(%x: memref<10xf32>, %y: memref<20xf32>, %ox: memref<10xf32>, %oy: memref<20xf32>) attributes {kiln.abi = {inputs = [], model = "m", outputs = []}} {
    %b = memref.alloc() : memref<10xf32>
    %a = memref.alloc() : memref<20xf32>
    memref.copy %x, %b : memref<10xf32> to memref<10xf32>
    memref.copy %y, %a : memref<20xf32> to memref<20xf32>
    memref.copy %b, %ox : memref<10xf32> to memref<10xf32>
    memref.copy %a, %oy : memref<20xf32> to memref<20xf32>
    return
  }
}

// -----

// In place: the tanh generic reads a, which dies there, and writes b, which
// is first used there, both with identity maps: b shares a's slot. With
// in-place=false the two overlap at the tanh and get separate slots.
// INPLACE: module attributes {kiln.workspace_lower_bound = 64 : i64, kiln.workspace_size = 64 : i64}
// NOINPLACE: module attributes {kiln.workspace_lower_bound = 128 : i64, kiln.workspace_size = 128 : i64}
// CHECK-LABEL: func.func @in_place
// INPLACE-SAME: %[[WS:[^:]*]]: memref<64xi8> {kiln.name = "workspace"})
// NOINPLACE-SAME: %[[WS:[^:]*]]: memref<128xi8> {kiln.name = "workspace"})
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK-NEXT: %[[A:.*]] = memref.view %[[WS]][%[[C0]]][]
// INPLACE: %[[C0B:.*]] = arith.constant 0 : index
// INPLACE-NEXT: %[[B:.*]] = memref.view %[[WS]][%[[C0B]]][]
// NOINPLACE: %[[C64:.*]] = arith.constant 64 : index
// NOINPLACE-NEXT: %[[B:.*]] = memref.view %[[WS]][%[[C64]]][]
// CHECK-NEXT: linalg.generic {{.*}} ins(%[[A]] : memref<4x4xf32>) outs(%[[B]] : memref<4x4xf32>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: math.tanh
#id2 = affine_map<(d0, d1) -> (d0, d1)>
module {
  func.func @in_place(%in: memref<4x4xf32>, %out: memref<4x4xf32>) attributes {kiln.abi = {inputs = [], model = "m", outputs = []}} {
    %a = memref.alloc() : memref<4x4xf32>
    linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%in : memref<4x4xf32>) outs(%a : memref<4x4xf32>) {
    ^bb0(%x: f32, %y: f32):
      %e = math.exp %x : f32
      linalg.yield %e : f32
    }
    %b = memref.alloc() : memref<4x4xf32>
    linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%a : memref<4x4xf32>) outs(%b : memref<4x4xf32>) {
    ^bb0(%x: f32, %y: f32):
      %e = math.tanh %x : f32
      linalg.yield %e : f32
    }
    linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%b : memref<4x4xf32>) outs(%out : memref<4x4xf32>) {
    ^bb0(%x: f32, %y: f32):
      %e = math.exp %x : f32
      linalg.yield %e : f32
    }
    return
  }
}

// -----

// Negative: a transposing generic (input map (d1, d0)) would read elements
// it already overwrote, so it does not write over its dying input even with
// in-place on.
// CHECK: module attributes {kiln.workspace_lower_bound = 128 : i64, kiln.workspace_size = 128 : i64}
// CHECK-LABEL: func.func @transpose_not_in_place
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK-NEXT: %[[A:.*]] = memref.view %[[WS:.*]][%[[C0]]][]
// CHECK: %[[C64:.*]] = arith.constant 64 : index
// CHECK-NEXT: %[[B:.*]] = memref.view %[[WS]][%[[C64]]][]
// CHECK-NEXT: linalg.generic {{.*}} ins(%[[A]] : memref<4x4xf32>) outs(%[[B]] : memref<4x4xf32>)
#id3 = affine_map<(d0, d1) -> (d0, d1)>
#tr3 = affine_map<(d0, d1) -> (d1, d0)>
module {
  func.func @transpose_not_in_place(%in: memref<4x4xf32>, %out: memref<4x4xf32>) attributes {kiln.abi = {inputs = [], model = "m", outputs = []}} {
    %a = memref.alloc() : memref<4x4xf32>
    memref.copy %in, %a : memref<4x4xf32> to memref<4x4xf32>
    %b = memref.alloc() : memref<4x4xf32>
    linalg.generic {indexing_maps = [#tr3, #id3], iterator_types = ["parallel", "parallel"]} ins(%a : memref<4x4xf32>) outs(%b : memref<4x4xf32>) {
    ^bb0(%x: f32, %y: f32):
      linalg.yield %x : f32
    }
    memref.copy %b, %out : memref<4x4xf32> to memref<4x4xf32>
    return
  }
}

// -----

// Negative: the input is read again after the elementwise op, so it does not
// die there and cannot be overwritten.
// CHECK: module attributes {kiln.workspace_lower_bound = 128 : i64, kiln.workspace_size = 128 : i64}
// CHECK-LABEL: func.func @input_still_live
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK-NEXT: %[[A:.*]] = memref.view %[[WS:.*]][%[[C0]]][]
// CHECK: %[[C64:.*]] = arith.constant 64 : index
// CHECK-NEXT: %[[B:.*]] = memref.view %[[WS]][%[[C64]]][]
// CHECK-NEXT: linalg.generic {{.*}} ins(%[[A]] : memref<16xf32>) outs(%[[B]] : memref<16xf32>)
#id4 = affine_map<(d0) -> (d0)>
module {
  func.func @input_still_live(%in: memref<16xf32>, %o1: memref<16xf32>, %o2: memref<16xf32>) attributes {kiln.abi = {inputs = [], model = "m", outputs = []}} {
    %a = memref.alloc() : memref<16xf32>
    memref.copy %in, %a : memref<16xf32> to memref<16xf32>
    %b = memref.alloc() : memref<16xf32>
    linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel"]} ins(%a : memref<16xf32>) outs(%b : memref<16xf32>) {
    ^bb0(%x: f32, %y: f32):
      %e = math.tanh %x : f32
      linalg.yield %e : f32
    }
    memref.copy %a, %o1 : memref<16xf32> to memref<16xf32>
    memref.copy %b, %o2 : memref<16xf32> to memref<16xf32>
    return
  }
}

// -----

// A use through a view (collapse_shape) keeps the viewed buffer live: a is
// last read through %v after b's first use, so they must not share memory.
// CHECK: module attributes {kiln.workspace_lower_bound = 128 : i64, kiln.workspace_size = 128 : i64}
// CHECK-LABEL: func.func @view_extends_range
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK-NEXT: %[[A:.*]] = memref.view %[[WS:.*]][%[[C0]]][] : memref<128xi8> to memref<4x4xf32>
// CHECK: %[[C64:.*]] = arith.constant 64 : index
// CHECK-NEXT: %[[B:.*]] = memref.view %[[WS]][%[[C64]]][] : memref<128xi8> to memref<16xf32>
// CHECK: %[[V:.*]] = memref.collapse_shape %[[A]]
// CHECK: memref.copy %[[V]], %{{.*}}
module {
  func.func @view_extends_range(%in: memref<4x4xf32>, %x: memref<16xf32>, %o1: memref<16xf32>, %o2: memref<16xf32>) attributes {kiln.abi = {inputs = [], model = "m", outputs = []}} {
    %a = memref.alloc() : memref<4x4xf32>
    memref.copy %in, %a : memref<4x4xf32> to memref<4x4xf32>
    %b = memref.alloc() : memref<16xf32>
    memref.copy %x, %b : memref<16xf32> to memref<16xf32>
    memref.copy %b, %o2 : memref<16xf32> to memref<16xf32>
    %v = memref.collapse_shape %a [[0, 1]] : memref<4x4xf32> into memref<16xf32>
    memref.copy %v, %o1 : memref<16xf32> to memref<16xf32>
    return
  }
}

// -----

// Nothing to place: the workspace is a 1-byte placeholder and the size 0.
// CHECK: module attributes {kiln.workspace_lower_bound = 0 : i64, kiln.workspace_size = 0 : i64}
// CHECK-LABEL: func.func @no_allocs
// CHECK-SAME: %{{[^:]*}}: memref<1xi8> {kiln.name = "workspace"})
// CHECK-SAME: kiln.workspace_lower_bound = 0 : i64, kiln.workspace_size = 0 : i64
module {
  func.func @no_allocs(%in: memref<16xf32>, %out: memref<16xf32>) attributes {kiln.abi = {inputs = [], model = "m", outputs = []}} {
    memref.copy %in, %out : memref<16xf32> to memref<16xf32>
    return
  }
}

// -----

// Error: an allocation inside a loop body has no single live range over the
// function's top-level ops.
module {
  func.func @alloc_in_loop(%in: memref<16xf32>, %out: memref<16xf32>) attributes {kiln.abi = {inputs = [], model = "m", outputs = []}} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c4 = arith.constant 4 : index
    scf.for %i = %c0 to %c4 step %c1 {
      // expected-error @+1 {{cannot place an allocation inside a loop or region in the workspace}}
      %a = memref.alloc() : memref<16xf32>
      memref.copy %in, %a : memref<16xf32> to memref<16xf32>
      memref.copy %a, %out : memref<16xf32> to memref<16xf32>
    }
    return
  }
}

// -----

// Error: a buffer past what a process can address (2^47 bytes).
module {
  func.func @huge(%in: memref<16xf32>, %out: memref<16xf32>) attributes {kiln.abi = {inputs = [], model = "m", outputs = []}} {
    // expected-error @+1 {{an intermediate 100000000000000x4xf32 would take 1.6e+15 bytes; a process can address at most 2^47 bytes (128 TiB)}}
    %a = memref.alloc() : memref<100000000000000x4xf32>
    return
  }
}

// -----

// Error: two buffers live at once whose sum passes 2^47 bytes.
module {
  // expected-error @+1 {{the workspace would take 1.6e+14 bytes; a process can address at most 2^47 bytes (128 TiB)}}
  func.func @sum(%in: memref<16xf32>, %out: memref<16xf32>) attributes {kiln.abi = {inputs = [], model = "m", outputs = []}} {
    %c0 = arith.constant 0 : index
    %v = memref.load %in[%c0] : memref<16xf32>
    %a = memref.alloc() : memref<5000000000000x4xf32>
    %b = memref.alloc() : memref<5000000000000x4xf32>
    memref.store %v, %a[%c0, %c0] : memref<5000000000000x4xf32>
    memref.store %v, %b[%c0, %c0] : memref<5000000000000x4xf32>
    %x = memref.load %a[%c0, %c0] : memref<5000000000000x4xf32>
    %y = memref.load %b[%c0, %c0] : memref<5000000000000x4xf32>
    memref.store %x, %out[%c0] : memref<16xf32>
    memref.store %y, %out[%c0] : memref<16xf32>
    return
  }
}

// -----

// Error: a returned buffer cannot live in the caller-provided workspace.
module {
  func.func @escapes(%in: memref<16xf32>) -> memref<16xf32> attributes {kiln.abi = {inputs = [], model = "m", outputs = []}} {
    %a = memref.alloc() : memref<16xf32>
    memref.copy %in, %a : memref<16xf32> to memref<16xf32>
    // expected-error @+1 {{an intermediate buffer escapes the function; it cannot live in the workspace}}
    return %a : memref<16xf32>
  }
}

// -----

// Error: the pass needs the model function (run --kiln-prepare-abi first).
// expected-error @+1 {{no model function with 'kiln.abi'; run --kiln-prepare-abi first}}
module {
  func.func @no_abi(%in: memref<16xf32>) {
    return
  }
}

// -----

// Error: the workspace becomes a new argument, so a call to the model
// function inside the module would miss it.
module {
  // expected-error @+1 {{the model function is called inside the module; the workspace planner needs it to be called only through the C ABI}}
  func.func @called(%in: memref<16xf32>, %out: memref<16xf32>) attributes {kiln.abi = {inputs = [], model = "m", outputs = []}} {
    memref.copy %in, %out : memref<16xf32> to memref<16xf32>
    return
  }
  func.func @caller(%in: memref<16xf32>, %out: memref<16xf32>) {
    func.call @called(%in, %out) : (memref<16xf32>, memref<16xf32>) -> ()
    return
  }
}

// -----

// index buffers are 8 bytes an element (64-bit targets, as the ABI).
// CHECK-LABEL: func.func @index_buffer
// CHECK-SAME: memref<64xi8> {kiln.name = "workspace"}
// CHECK-SAME: kiln.workspace_lower_bound = 64 : i64, kiln.workspace_size = 64 : i64
module {
  func.func @index_buffer(%out: memref<4xindex>) attributes {kiln.abi = {inputs = [], model = "m", outputs = []}} {
    %a = memref.alloc() : memref<4xindex>
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    memref.store %c1, %a[%c0] : memref<4xindex>
    memref.copy %a, %out : memref<4xindex> to memref<4xindex>
    return
  }
}

// -----

// Buffers whose addresses a runtime call takes as integers are live until
// that call: the pack space's and C's extractions come one after the other
// before the call, so their ranges overlap and they get distinct offsets
// (C is first used at its extraction; nothing writes it before).
// CHECK-LABEL: func.func @address_taken
// CHECK-DAG: memref.view %{{.*}}[%c0{{[_0-9]*}}][] : memref<{{[0-9]+}}xi8> to memref<64xi8>
// CHECK-DAG: memref.view %{{.*}}[%c64{{[_0-9]*}}][] : memref<{{[0-9]+}}xi8> to memref<16xf32>
// CHECK: call @consume
func.func private @consume(i64, i64)
func.func @address_taken(%in: memref<16xf32>, %out: memref<16xf32>) attributes {kiln.abi = {inputs = [{name = "x", type = tensor<16xf32>}], model = "m", outputs = [{name = "out0", type = tensor<16xf32>}]}} {
  %pack = memref.alloc() : memref<64xi8>
  %c = memref.alloc() : memref<16xf32>
  %p0 = memref.extract_aligned_pointer_as_index %pack : memref<64xi8> -> index
  %p1 = memref.extract_aligned_pointer_as_index %c : memref<16xf32> -> index
  %i0 = arith.index_cast %p0 : index to i64
  %i1 = arith.index_cast %p1 : index to i64
  func.call @consume(%i0, %i1) : (i64, i64) -> ()
  memref.copy %c, %out : memref<16xf32> to memref<16xf32>
  return
}
