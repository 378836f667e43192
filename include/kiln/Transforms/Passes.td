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
  let summary = "Rewrite composite ops (softmax, norms, layers) into primitives";
  let description = [{
    The one home of Kiln's decompositions (lib/Transforms/Decompose*.cpp),
    run first in the kiln stage: no later pass or lowering knows a
    composite op.

    - `kiln.softmax` becomes the numerically stable max / subtract / exp /
      sum / divide sequence (log-softmax subtracts the log of the sum).
    - `kiln.layer_norm` becomes mean, variance, rsqrt and the affine scale
      and shift; `kiln.group_norm` is a layer norm over each group's rows
      and the per-channel affine.
    - `kiln.lstm` and `kiln.gru` unroll over time: one linear of all steps'
      inputs per layer and direction, one recurrent linear per step, and
      the gate arithmetic.
    - `kiln.transformer_encoder_layer` becomes multi-head attention and the
      feed-forward block with their residual adds and layer norms.

    Runs before fusion, so the elementwise parts of the result fuse.
  }];
  let dependentDialects = ["::mlir::kiln::KilnDialect"];
}

def KilnFuseEpilogue : Pass<"kiln-fuse-epilogue", "func::FuncOp"> {
  let summary = "Fold elementwise consumers into the conv/linear/matmul producing them";
  let description = [{
    A `kiln.conv2d`, `kiln.linear` or `kiln.matmul` whose only user is an
    elementwise op or a `kiln.fused` group with the same result type moves
    into that group as its anchor: `conv + bias + relu`, `linear + add +
    tanh` and residual adds become one kernel. Lowering computes the
    contraction into the result buffer and applies the epilogue in place, so
    the unactivated result is never stored separately. Runs after
    `--kiln-fuse-elementwise`.
  }];
  let dependentDialects = ["::mlir::kiln::KilnDialect"];
  let statistics = [
    Statistic<"numFused", "num-fused", "Number of contractions given an epilogue">
  ];
}

def KilnFoldConstants : Pass<"kiln-fold-constants", "func::FuncOp"> {
  let summary = "Evaluate ops whose operands are all constants";
  let description = [{
    Weight-only subgraphs (transposes, reshapes, casts, slices, concats and
    elementwise arithmetic of constants) are computed at compile time and
    replaced by one constant. A fold that would make the model larger (a
    broadcast of a non-splat weight) is skipped.
  }];
  let dependentDialects = ["::mlir::kiln::KilnDialect"];
  let options = [
    Option<"maxElements", "max-elements", "int64_t", /*default=*/"67108864",
           "Largest result (in elements) evaluated at compile time">
  ];
  let statistics = [
    Statistic<"numFolded", "num-folded", "Number of ops replaced by constants">
  ];
}

def KilnFoldBatchNorm : Pass<"kiln-fold-batch-norm", "func::FuncOp"> {
  let summary = "Fold per-channel scale and shift (eval batch norm) into conv/linear";
  let description = [{
    `mul`, `div`, `add` or `sub` of a `kiln.conv2d` / `kiln.linear` result
    (its only use) with a constant that varies only along the output-channel
    axis is folded into the producer's constant weight and bias. Eval-mode
    batch norm is imported as exactly such a scale and shift, so conv + bn
    becomes one conv.
  }];
  let dependentDialects = ["::mlir::kiln::KilnDialect"];
  let statistics = [
    Statistic<"numFolded", "num-folded", "Number of ops folded into a producer">
  ];
}

def KilnRemoveNoOps : Pass<"kiln-remove-noops", "func::FuncOp"> {
  let summary = "Remove ops that do not change their operand";
  let description = [{
    Identity reshapes, casts, broadcasts, transposes, full slices, zero pads,
    single-input concats, `x + (-0.0)`, `x * 1`, `x / 1` and repeated relus
    are replaced by their operand; chains of reshapes and of transposes
    become one op. (Dropout in eval mode, `contiguous`, `clone` and `detach`
    never reach the dialect: the importer maps them to their input.)
  }];
  let dependentDialects = ["::mlir::kiln::KilnDialect"];
  let statistics = [
    Statistic<"numRemoved", "num-removed", "Number of ops removed or merged">
  ];
}

def KilnPlanMemory : Pass<"kiln-plan-memory", "ModuleOp"> {
  let summary = "Place every intermediate buffer in one caller-provided workspace";
  let description = [{
    Runs on bufferized code with results as out-parameters. Each
    `memref.alloc` in the model function (the one carrying `kiln.abi`) gets a
    live range over the function's top-level ops, including every view of
    it. An elementwise `linalg.generic` writes its result over an input that
    dies there when both are indexed by the identity (in place). Buffers are
    then placed largest first at the lowest 64-byte-aligned offset free over
    their range, and become `memref.view`s of a new trailing `memref<Nxi8>`
    argument. The function and module get `kiln.workspace_size` (N) and
    `kiln.workspace_lower_bound` (the most bytes live at one point).
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect",
                           "::mlir::arith::ArithDialect"];
  let options = [
    Option<"inPlace", "in-place", "bool", /*default=*/"true",
           "Let elementwise ops overwrite an input that dies there">
  ];
  let statistics = [
    Statistic<"numBuffers", "num-buffers", "Number of allocations placed">,
    Statistic<"numInPlace", "num-in-place", "Number of results written over an input">
  ];
}

#endif // KILN_TRANSFORMS_PASSES_TD
