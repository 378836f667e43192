// Each stage of the CPU pipeline (optimize, linalg, bufferize, LLVM) on a small cell.
// RUN: kiln-opt %s --kiln-optimize | FileCheck %s --check-prefix=OPT
// RUN: kiln-opt %s --kiln-lower-to-linalg | FileCheck %s --check-prefix=LINALG
// RUN: kiln-opt %s --kiln-bufferize | FileCheck %s --check-prefix=BUF
// RUN: kiln-opt %s --kiln-bufferize=fuse=false | FileCheck %s --check-prefix=NOFUSE
// RUN: kiln-opt %s --kiln-cpu-pipeline | kiln-opt --mlir-print-op-generic | FileCheck %s --check-prefix=LLVM

// Canonicalization drops the add of -0.0 (an IEEE identity); the add and tanh become one group
// and the linear stays outside.
// OPT-LABEL: func.func @forward
// OPT-SAME: (%[[X:.*]]: tensor<3x4xf32> {kiln.name = "x"}, %[[H:.*]]: tensor<3x4xf32> {kiln.name = "h"}, %[[W:.*]]: tensor<4x4xf32>, %[[B:.*]]: tensor<4xf32>)
// OPT-SAME: attributes {kiln.entry}
// OPT-NEXT: %[[L:.*]] = kiln.linear %[[X]], %[[W]], %[[B]]
// OPT-NEXT: %[[F:.*]] = kiln.fused(%[[L]], %[[H]]) : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32> {
// OPT-NEXT: ^bb0(%[[P:.*]]: tensor<3x4xf32>, %[[Q:.*]]: tensor<3x4xf32>):
// OPT-NEXT: %[[S:.*]] = kiln.add %[[P]], %[[Q]]
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
// LINALG: linalg.generic
// LINALG: iterator_types = ["parallel", "parallel", "reduction"]
// LINALG: math.tanh
// LINALG: return %[[R:.*]], %[[R]] : tensor<3x4xf32>, tensor<3x4xf32>

// Results are out-parameters. The fused generic writes straight into the
// first one, and the second gets a copy of it; the only allocation is the
// linear's result, which is freed.
// BUF-LABEL: func.func private @_kiln_cell_forward_impl(
// BUF-SAME: %[[X:[^:]*]]: memref<3x4xf32> {kiln.name = "x"}, %[[H:[^:]*]]: memref<3x4xf32> {kiln.name = "h"}, %[[W:[^:]*]]: memref<4x4xf32>, %[[B:[^:]*]]: memref<4xf32>,
// BUF-SAME: %[[OUT0:[^:]*]]: memref<3x4xf32>, %[[OUT1:[^:]*]]: memref<3x4xf32>)
// BUF-NOT: ->
// BUF-SAME: attributes
// BUF-NEXT: %[[ALLOC:.*]] = memref.alloc() {{.*}} : memref<3x4xf32>
// BUF-NOT: memref.alloc
// BUF: linalg.generic {{.*}} ins(%[[B]] : memref<4xf32>) outs(%[[ALLOC]] : memref<3x4xf32>)
// BUF: linalg.generic {{.*}} ins(%[[X]], %[[W]] : memref<3x4xf32>, memref<4x4xf32>) outs(%[[ALLOC]] : memref<3x4xf32>)
// BUF: linalg.generic {{.*}} ins(%[[ALLOC]], %[[H]] : memref<3x4xf32>, memref<3x4xf32>) outs(%[[OUT0]] : memref<3x4xf32>)
// BUF: arith.addf
// BUF-NEXT: math.tanh
// BUF-NOT: memref.alloc
// BUF: memref.copy %[[OUT0]], %[[OUT1]] : memref<3x4xf32> to memref<3x4xf32>
// BUF-NEXT: memref.dealloc %[[ALLOC]]
// BUF-NEXT: return{{$}}

// Negative: without fusion the add's result is a second allocation that
// the tanh reads.
// NOFUSE-LABEL: func.func private @_kiln_cell_forward_impl(
// NOFUSE: %[[ALLOC:.*]] = memref.alloc()
// NOFUSE: %[[TMP:.*]] = memref.alloc()
// NOFUSE: linalg.generic {{.*}} ins(%[[ALLOC]], %{{.*}} : memref<3x4xf32>, memref<3x4xf32>) outs(%[[TMP]] : memref<3x4xf32>)
// NOFUSE-NEXT: ^bb0
// NOFUSE-NEXT: arith.addf
// NOFUSE-NOT: math.tanh
// NOFUSE: linalg.generic {{.*}} ins(%[[TMP]] : memref<3x4xf32>) outs(%{{.*}} : memref<3x4xf32>)
// NOFUSE-NEXT: ^bb0
// NOFUSE-NEXT: math.tanh

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
