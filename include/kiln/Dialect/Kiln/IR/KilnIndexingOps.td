//===- KilnIndexingOps.td - Indexing ops -------------------*- tablegen -*-===//
//
// Ops whose read positions come from an index tensor (indirect data movement).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_INDEXING_OPS_TD
#define KILN_INDEXING_OPS_TD

include "kiln/Dialect/Kiln/IR/KilnDialect.td"

def Kiln_GatherOp : Kiln_Op<"gather", [Pure]> {
  let summary = "Rows of a table by index (embedding): result [idx..., row...]";
  let description = [{
    An index is in range when it lies in [0, rows), or, with
    `wrap_negative` (aten::index's semantics), in [-rows, rows), a
    negative one counting from the end. What an out-of-range index does is
    the target's: CPU code returns KILN_STATUS_INDEX_OUT_OF_RANGE with a
    message naming `torch_op`, its dimension `torch_dim` and the op's
    source line; no index reads outside the table on any target.
  }];
  let arguments = (ins Kiln_Tensor:$table, RankedTensorOf<[I32, I64]>:$indices,
                   UnitAttr:$wrap_negative,
                   DefaultValuedAttr<StrAttr, "\"kiln.gather\"">:$torch_op,
                   DefaultValuedAttr<I64Attr, "0">:$torch_dim);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = [{
    $table `,` $indices attr-dict `:` type($table) `,` type($indices) `->`
    type($output)
  }];
  let hasVerifier = 1;
}

#endif // KILN_INDEXING_OPS_TD
