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
  let arguments = (ins Kiln_Tensor:$table, RankedTensorOf<[I32, I64]>:$indices);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = [{
    $table `,` $indices attr-dict `:` type($table) `,` type($indices) `->`
    type($output)
  }];
  let hasVerifier = 1;
}

#endif // KILN_INDEXING_OPS_TD
