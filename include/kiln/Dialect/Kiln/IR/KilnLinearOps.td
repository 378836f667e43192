//===- KilnLinearOps.td - Matrix products ------------------*- tablegen -*-===//
//
// linear and matmul: contractions that can anchor a fused epilogue.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_LINEAR_OPS_TD
#define KILN_LINEAR_OPS_TD

include "kiln/Dialect/Kiln/IR/KilnDialect.td"

def Kiln_LinearOp : Kiln_Op<"linear",
    [Pure,
     DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "input @ weight^T + bias (torch.nn.functional.linear)";
  let description = [{
    `input` is `[..., in]`, `weight` is `[out, in]` and the optional `bias`
    is `[out]`; the result is `[..., out]`.
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$weight,
                       Optional<Kiln_FloatTensor>:$bias);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:`
    type($input) `,` type($weight) (`,` type($bias)^)?
  }];
}

def Kiln_MatmulOp : Kiln_Op<"matmul",
    [Pure, DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "torch.matmul: 1-D, 2-D and batched products with broadcasting";
  let arguments = (ins Kiln_FloatTensor:$lhs, Kiln_FloatTensor:$rhs);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs)";
}

#endif // KILN_LINEAR_OPS_TD
