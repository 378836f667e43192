//===- KilnCreationOps.td - Tensor creation ops ------------*- tablegen -*-===//
//
// Ops that make tensors from nothing but attributes: constants and weights.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CREATION_OPS_TD
#define KILN_CREATION_OPS_TD

include "kiln/Dialect/Kiln/IR/KilnDialect.td"

def Kiln_ConstantOp : Kiln_Op<"constant",
    [ConstantLike, Pure, DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "A constant tensor (weights are dense_resource blobs)";
  let description = [{
    Weights imported from an archive are `dense_resource` attributes, so the
    bytes live once in the module's resource section and once in the object
    file, whatever the number of uses.

    ```mlir
    %w = kiln.constant dense_resource<linear.weight> : tensor<4x4xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "$value attr-dict";
  let hasFolder = 1;
  let hasVerifier = 1;
}

#endif // KILN_CREATION_OPS_TD
