//===- KilnDialect.td - The kiln dialect and its base op class -*- tablegen -*-===//
//
// The dialect only; ops live in KilnOps.td.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_TD
#define KILN_DIALECT_TD

include "mlir/IR/OpBase.td"

def Kiln_Dialect : Dialect {
  let name = "kiln";
  let summary = "Tensor-level ops imported from TorchScript";
  let description = [{
    The `kiln` dialect models a traced PyTorch program with value semantics on
    ranked, statically shaped tensors. Ops follow PyTorch's semantics
    (broadcasting, `alpha` scaling, `linear`'s transposed weight) so the
    importer maps `aten::` ops one to one; shape rules live on the ops.
    Weights are `kiln.constant` ops holding `dense_resource` blobs, stored once.
  }];
  let cppNamespace = "::mlir::kiln";
  let hasConstantMaterializer = 1;
}

class Kiln_Op<string mnemonic, list<Trait> traits = []>
    : Op<Kiln_Dialect, mnemonic, traits>;

#endif // KILN_DIALECT_TD
