//===- KilnDataMovementOps.td - Data movement ops ----------*- tablegen -*-===//
//
// Ops that move elements without computing on them; the positions they read
// depend only on shapes and attributes.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DATAMOVEMENT_OPS_TD
#define KILN_DATAMOVEMENT_OPS_TD

include "kiln/Dialect/Kiln/IR/KilnDialect.td"

def Kiln_ReshapeOp : Kiln_Op<"reshape", [Pure]> {
  let summary = "Same elements in row-major order, another shape (view/reshape)";
  let arguments = (ins Kiln_Tensor:$input);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_BroadcastOp : Kiln_Op<"broadcast", [Pure, Kiln_ElementwiseTrait]> {
  let summary = "Broadcasts to a larger shape as PyTorch does (expand)";
  let arguments = (ins Kiln_Tensor:$input);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_PadOp : Kiln_Op<"pad", [Pure]> {
  let summary = "Constant padding: `low`, `high` and `interior` per dim";
  let description = [{
    `interior[i]` elements of `value` go between neighbours along dim i (a
    transposed convolution's input is its input with stride - 1 interior
    zeros).
  }];
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$low,
                       DenseI64ArrayAttr:$high, F64Attr:$value,
                       OptionalAttr<DenseI64ArrayAttr>:$interior);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($output)";
  let hasVerifier = 1;
}

def Kiln_ConcatOp : Kiln_Op<"concat",
    [Pure, DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "Concatenates along `dim` (torch.cat)";
  let arguments = (ins Variadic<Kiln_Tensor>:$inputs, I64Attr:$dim);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "$inputs attr-dict `:` type($inputs)";
}

def Kiln_SliceOp : Kiln_Op<"slice", [Pure]> {
  let summary = "A strided box of the input: offsets, sizes, strides per dim";
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$offsets,
                       DenseI64ArrayAttr:$sizes, DenseI64ArrayAttr:$strides);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($output)";
  let hasVerifier = 1;
}

def Kiln_TransposeOp : Kiln_Op<"transpose",
    [Pure, DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "Permutes dimensions: result dim i is input dim permutation[i]";
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "$input `,` $permutation attr-dict `:` type($input)";
  let hasFolder = 1;
}

#endif // KILN_DATAMOVEMENT_OPS_TD
