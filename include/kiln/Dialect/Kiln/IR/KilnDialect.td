//===- KilnDialect.td - The kiln dialect and its base op class -*- tablegen -*-===//
//
// The dialect, the base class of its ops and the type constraints and trait
// every op family shares; the ops live in Kiln<Family>Ops.td, gathered by
// KilnOps.td.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_TD
#define KILN_DIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

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
  let useDefaultAttributePrinterParser = 1;
}

class Kiln_Op<string mnemonic, list<Trait> traits = []>
    : Op<Kiln_Dialect, mnemonic, traits>;

def Kiln_Tensor : RankedTensorOf<[AnyFloat, AnySignlessInteger]>;

def Kiln_FloatTensor : RankedTensorOf<[AnyFloat]>;

// Marks ops that compute each output element from the operand elements at the
// same (broadcast) index; fusion groups chains of them.
def Kiln_ElementwiseTrait : NativeOpTrait<"KilnElementwise"> {
  let cppNamespace = "::mlir::kiln";
}

#endif // KILN_DIALECT_TD
