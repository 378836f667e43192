// Each stage of the CPU pipeline (optimize, linalg, bufferize, LLVM) on a small cell.
// RUN: kiln-opt %s --kiln-optimize | FileCheck %s --check-prefix=OPT
// RUN: kiln-opt %s --kiln-lower-to-linalg | FileCheck %s --check-prefix=LINALG
// RUN: kiln-opt %s --kiln-bufferize | FileCheck %s --check-prefix=BUF
// RUN: kiln-opt %s --kiln-bufferize=fuse=false | FileCheck %s --check-prefix=NOFUSE
// RUN: kiln-opt %s --kiln-cpu-pipeline | kiln-opt --mlir-print-op-generic | FileCheck %s --check-prefix=LLVM

// Canonicalization drops the add of -0.0 (an IEEE identity); the add and
// tanh become one group, and the linear becomes its anchor (epilogue
// fusion): one kernel.
// OPT-LABEL: func.func @forward
// OPT-SAME: (%[[X:.*]]: tensor<3x4xf32> {kiln.name = "x"}, %[[H:.*]]: tensor<3x4xf32> {kiln.name = "h"}, %[[W:.*]]: tensor<4x4xf32>, %[[B:.*]]: tensor<4xf32>)
// OPT-SAME: attributes {kiln.entry}
// OPT-NEXT: %[[F:.*]] = kiln.fused(%[[X]], %[[W]], %[[B]], %[[H]]) : (tensor<3x4xf32>, tensor<4x4xf32>, tensor<4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32> {
// OPT-NEXT: ^bb0(%[[PX:.*]]: tensor<3x4xf32>, %[[PW:.*]]: tensor<4x4xf32>, %[[PB:.*]]: tensor<4xf32>, %[[PH:.*]]: tensor<3x4xf32>):
// OPT-NEXT: %[[L:.*]] = kiln.linear %[[PX]], %[[PW]], %[[PB]]
// OPT-NEXT: %[[S:.*]] = kiln.add %[[L]], %[[PH]]
// OPT-NEXT: %[[T:.*]] = kiln.tanh %[[S]]
// OPT-NEXT: kiln.yield %[[T]]
// OPT-NEXT: }
// OPT-NEXT: return %[[F]], %[[F]]
// OPT-NOT: kiln.constant

// On tensors, with the signature recorded and no kiln op left.
// LINALG-LABEL: func.func private @_kiln_cell_forward_impl(
// LINALG-SAME: kiln.abi = {inputs = [{name = "x", type = tensor<3x4xf32>}, {name = "h", type = tensor<3x4xf32>}, {name = "in2", type = tensor<4x4xf32>}, {name = "in3", type = tensor<4xf32>}], model = "cell", outputs = [{name = "out0", type = tensor<3x4xf32>}, {name = "out1", type = tensor<3x4xf32>}]}
// LINALG-NOT: kiln.fused
// LINALG-NOT: kiln.linear
// The contraction is tagged for --kiln-lower-gemm; tanh is an inline
// polynomial (--kiln-approximate-math), so the loop can vectorize.
// LINALG: linalg.generic
// LINALG: iterator_types = ["parallel", "parallel", "reduction"]
// LINALG-SAME: attrs = {kiln.gemm}
// LINALG-NOT: math.tanh
// LINALG: arith.mulf {{.*}} fastmath<contract>
// LINALG-NOT: math.tanh
// LINALG: return %[[R:.*]], %[[R]] : tensor<3x4xf32>, tensor<3x4xf32>

// Results are out-parameters, plus the workspace. The linear (a kiln_sgemm
// call, too small to need packing space) accumulates straight into the
// first output and the epilogue (add h, tanh) updates it in place; the
// second output gets a copy. Nothing is allocated, so the planned workspace
// is empty.
// BUF-LABEL: module attributes
// BUF-SAME: kiln.workspace_lower_bound = 0 : i64, kiln.workspace_size = 0 : i64
// BUF-LABEL: func.func private @_kiln_cell_forward_impl(
// BUF-SAME: %[[X:[^:]*]]: memref<3x4xf32> {kiln.name = "x"}, %[[H:[^:]*]]: memref<3x4xf32> {kiln.name = "h"}, %[[W:[^:]*]]: memref<4x4xf32>, %[[B:[^:]*]]: memref<4xf32>,
// BUF-SAME: %[[OUT0:[^:]*]]: memref<3x4xf32>, %[[OUT1:[^:]*]]: memref<3x4xf32>, %{{.*}}: memref<1xi8> {kiln.name = "workspace"})
// BUF-NOT: ->
// BUF-SAME: attributes
// BUF-NOT: memref.alloc
// BUF-NOT: memref.view
// BUF: linalg.generic {{.*}} ins(%[[B]] : memref<4xf32>) outs(%[[OUT0]] : memref<3x4xf32>)
// BUF: %[[PX:.*]] = memref.extract_aligned_pointer_as_index %[[X]]
// BUF: %[[PW:.*]] = memref.extract_aligned_pointer_as_index %[[W]]
// BUF: %[[PO:.*]] = memref.extract_aligned_pointer_as_index %[[OUT0]]
// BUF: call @kiln_sgemm(
// BUF: linalg.generic {{.*}} ins(%[[H]] : memref<3x4xf32>) outs(%[[OUT0]] : memref<3x4xf32>)
// BUF-NEXT: ^bb0(%[[IN:.*]]: f32, %[[ACC:.*]]: f32):
// BUF-NEXT: arith.addf %[[ACC]], %[[IN]]
// BUF-NOT: memref.alloc
// BUF: memref.copy %[[OUT0]], %[[OUT1]] : memref<3x4xf32> to memref<3x4xf32>
// BUF-NOT: memref.dealloc
// BUF-NEXT: return{{$}}

// Negative: without fusion the linear's and the add's results are
// intermediates. They live in the workspace, and the add writes over the
// linear's result, which dies there (in place): one 64-byte slot.
// NOFUSE-LABEL: func.func private @_kiln_cell_forward_impl(
// NOFUSE-SAME: %[[WS:[^:]*]]: memref<64xi8> {kiln.name = "workspace"})
// NOFUSE-SAME: kiln.workspace_lower_bound = 64 : i64, kiln.workspace_size = 64 : i64
// NOFUSE-NOT: memref.alloc
// NOFUSE: %[[LIN:.*]] = memref.view %[[WS]][%[[C0:.*]]][] : memref<64xi8> to memref<3x4xf32>
// NOFUSE: %[[TMP:.*]] = memref.view %[[WS]][%[[C0]]][] : memref<64xi8> to memref<3x4xf32>
// NOFUSE: linalg.generic {{.*}} ins(%[[LIN]], %{{.*}} : memref<3x4xf32>, memref<3x4xf32>) outs(%[[TMP]] : memref<3x4xf32>)
// NOFUSE-NEXT: ^bb0
// NOFUSE-NEXT: arith.addf
// NOFUSE-NOT: math.tanh
// NOFUSE: linalg.generic {{.*}} ins(%[[TMP]] : memref<3x4xf32>) outs(%{{.*}} : memref<3x4xf32>)
// NOFUSE-NEXT: ^bb0
// NOFUSE-NEXT: arith.cmpf

// Only LLVM dialect ops are left (generic form: every op name is quoted).
// LLVM: "builtin.module"
// LLVM-NOT: "{{(func|memref|linalg|arith|math|scf|cf|kiln|tensor|bufferization|affine)\.}}
// LLVM-NOT: unrealized_conversion_cast
// LLVM: "llvm.func"() <{{{.*}}linkage = #llvm.linkage<internal>{{.*}}sym_name = "_kiln_cell_forward_impl"
// LLVM-NOT: "{{(func|memref|linalg|arith|math|scf|cf|kiln|tensor|bufferization|affine)\.}}
// LLVM-NOT: unrealized_conversion_cast
// LLVM: sym_name = "cell_forward"
// LLVM-NOT: "{{(func|memref|linalg|arith|math|scf|cf|kiln|tensor|bufferization|affine)\.}}
// LLVM-NOT: unrealized_conversion_cast

module attributes {kiln.model_name = "cell"} {
  func.func @forward(%x: tensor<3x4xf32> {kiln.name = "x"}, %h: tensor<3x4xf32> {kiln.name = "h"},
                     %w: tensor<4x4xf32>, %b: tensor<4xf32>)
      -> (tensor<3x4xf32>, tensor<3x4xf32>) attributes {kiln.entry} {
    %zero = kiln.constant dense<-0.0> : tensor<4xf32>
    %0 = kiln.linear %x, %w, %b : tensor<3x4xf32>, tensor<4x4xf32>, tensor<4xf32>
    %1 = kiln.add %0, %h : tensor<3x4xf32>, tensor<3x4xf32>
    %2 = kiln.add %1, %zero : tensor<3x4xf32>, tensor<4xf32>
    %3 = kiln.tanh %2 : tensor<3x4xf32>
    return %3, %3 : tensor<3x4xf32>, tensor<3x4xf32>
  }
}
