//===- KilnReductionOps.td - Reductions and normalization --*- tablegen -*-===//
//
// Ops that combine elements along dims. softmax and layer_norm are composites
// that --kiln-decompose rewrites into reductions and elementwise ops.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_REDUCTION_OPS_TD
#define KILN_REDUCTION_OPS_TD

include "kiln/Dialect/Kiln/IR/KilnDialect.td"
include "kiln/Dialect/Kiln/IR/KilnAttributes.td"

def Kiln_ReduceOp : Kiln_Op<"reduce",
    [Pure, DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "sum/mean/max/min/prod/all/any over `dims` (sorted, "
                "non-negative)";
  let description = [{
    max and min propagate NaN; all and any reduce i1 tensors (and, or); a
    reduction over no elements gives the kind's neutral element (0, 1,
    -inf/+inf, true, false; mean gives NaN).
  }];
  let arguments = (ins Kiln_ReduceKind:$kind, Kiln_Tensor:$input,
                       DenseI64ArrayAttr:$dims,
                       DefaultValuedAttr<BoolAttr, "false">:$keepdim);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "$kind `,` $input `,` $dims attr-dict `:` type($input)";
}

def Kiln_ArgmaxOp : Kiln_Op<"argmax", [Pure]> {
  let summary = "Index (i64) of the first maximum along `dim`; NaN is the "
                "maximum, as in PyTorch";
  let arguments = (ins Kiln_Tensor:$input, I64Attr:$dim,
                       DefaultValuedAttr<BoolAttr, "false">:$keepdim);
  let results = (outs RankedTensorOf<[I64]>:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Kiln_CumsumOp : Kiln_Op<"cumsum", [Pure, SameOperandsAndResultType]> {
  let summary = "Running sum along `dim`";
  let arguments = (ins Kiln_Tensor:$input, I64Attr:$dim);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Kiln_SoftmaxOp : Kiln_Op<"softmax", [Pure, SameOperandsAndResultType]> {
  let summary = "softmax (or log_softmax) along `dim`";
  let arguments = (ins Kiln_FloatTensor:$input, I64Attr:$dim,
                       DefaultValuedAttr<BoolAttr, "false">:$log);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Kiln_LayerNormOp : Kiln_Op<"layer_norm", [Pure, AttrSizedOperandSegments]> {
  let summary = "Normalizes over the last `normalized_rank` dims";
  let arguments = (ins Kiln_FloatTensor:$input,
                       Optional<Kiln_FloatTensor>:$weight,
                       Optional<Kiln_FloatTensor>:$bias,
                       I64Attr:$normalized_rank, F64Attr:$eps);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = [{
    $input (`weight` $weight^ `:` type($weight))? (`bias` $bias^ `:` type($bias))?
    attr-dict `:` type($input) `->` type($output)
  }];
  let hasVerifier = 1;
}

#endif // KILN_REDUCTION_OPS_TD
