//===- Passes.td - Graph-level passes on the kiln dialect ---*- tablegen -*-===//
#ifndef KILN_TRANSFORMS_PASSES_TD
#define KILN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def KilnFuseElementwise : Pass<"kiln-fuse-elementwise", "func::FuncOp"> {
  let summary = "Group chains and trees of elementwise ops into kiln.fused";
  let description = [{
    Starting from each elementwise op that is not yet grouped, pulls in every
    elementwise producer whose uses all lie inside the group, and replaces the
    group with one `kiln.fused` op. Lowering turns each `kiln.fused` into a
    single loop nest, so intermediates of the group are never stored. A
    producer with a use outside the group stays outside (it would otherwise
    have to be computed twice or stored anyway).
  }];
  let dependentDialects = ["::mlir::kiln::KilnDialect"];
  let options = [
    Option<"minGroupSize", "min-group-size", "unsigned", /*default=*/"2",
           "Smallest number of ops worth a kiln.fused group">
  ];
  let statistics = [
    Statistic<"numGroups", "num-groups", "Number of kiln.fused ops created">,
    Statistic<"numFusedOps", "num-fused-ops", "Number of ops moved into groups">
  ];
}

def KilnDecompose : Pass<"kiln-decompose", "func::FuncOp"> {
  let summary = "Rewrite composite ops (softmax, layer_norm) into primitives";
  let description = [{
    `kiln.softmax` becomes the numerically stable max / subtract / exp / sum /
    divide sequence (log-softmax subtracts the log of the sum instead), and
    `kiln.layer_norm` becomes mean, variance, rsqrt and the affine scale and
    shift. Runs before fusion, so the elementwise parts of the result fuse.
  }];
  let dependentDialects = ["::mlir::kiln::KilnDialect"];
}

#endif // KILN_TRANSFORMS_PASSES_TD
