//===- KilnStructureOps.td - Fusion regions ----------------*- tablegen -*-===//
//
// Region-holding ops: kiln.fused groups and their terminator.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_STRUCTURE_OPS_TD
#define KILN_STRUCTURE_OPS_TD

include "kiln/Dialect/Kiln/IR/KilnDialect.td"

def Kiln_FusedOp : Kiln_Op<"fused",
    [IsolatedFromAbove, SingleBlock, RecursiveMemoryEffects]> {
  let summary = "One kernel: elementwise ops, optionally after a contraction";
  let description = [{
    Created by `--kiln-fuse-elementwise`. The body computes the result from
    the block arguments (one per input) with elementwise kiln ops and ends in
    `kiln.yield`. Lowering turns the whole body into one `linalg.generic`, so
    no intermediate tensor of the group is ever materialized.

    `--kiln-fuse-epilogue` may put one `kiln.conv2d`, `kiln.linear` or
    `kiln.matmul` first in the body (the anchor) with the group's result
    type; its operands are block arguments and the elementwise ops after it
    are the epilogue (bias, activation, residual add), applied in place to
    the contraction's result buffer.

    ```mlir
    %r = kiln.fused (%a, %b) : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32> {
    ^bb0(%x: tensor<3x4xf32>, %y: tensor<3x4xf32>):
      %0 = kiln.add %x, %y : tensor<3x4xf32>, tensor<3x4xf32>
      %1 = kiln.tanh %0 : tensor<3x4xf32>
      kiln.yield %1 : tensor<3x4xf32>
    }
    ```
  }];
  let arguments = (ins Variadic<Kiln_Tensor>:$inputs);
  let results = (outs Kiln_Tensor:$output);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    `(` $inputs `)` attr-dict `:` functional-type($inputs, results) $body
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The contraction computed first, or null for a purely elementwise
    /// group.
    ::mlir::Operation *getAnchor();
  }];
}

def Kiln_YieldOp : Kiln_Op<"yield",
    [Pure, Terminator, HasParent<"FusedOp">]> {
  let summary = "Terminates a kiln.fused body with its result";
  let arguments = (ins Kiln_Tensor:$value);
  let assemblyFormat = "$value attr-dict `:` type($value)";
}

#endif // KILN_STRUCTURE_OPS_TD
