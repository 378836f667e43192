//===- KilnOps.td - Ops of the kiln dialect ---------------------*- tablegen -*-===//

#ifndef KILN_OPS_TD
#define KILN_OPS_TD

include "dialects/Kiln/KilnDialect.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/RegionKindInterface.td"

def Kiln_Tensor : RankedTensorOf<[AnyFloat, AnySignlessInteger]>;
def Kiln_FloatTensor : RankedTensorOf<[AnyFloat]>;

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

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

//===----------------------------------------------------------------------===//
// Elementwise ops
//===----------------------------------------------------------------------===//

// Marks ops that compute each output element from the operand elements at the
// same (broadcast) index; fusion groups chains of them.
def Kiln_ElementwiseTrait : NativeOpTrait<"KilnElementwise"> {
  let cppNamespace = "::mlir::kiln";
}

class Kiln_UnaryElementwiseOp<string mnemonic, list<Trait> traits = []>
    : Kiln_Op<mnemonic, !listconcat(traits, [Pure, Kiln_ElementwiseTrait,
                                             SameOperandsAndResultType])> {
  let arguments = (ins Kiln_FloatTensor:$input);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

// Binary ops broadcast their operands as PyTorch does; the result type is
// inferred from the operand types.
class Kiln_BinaryElementwiseOp<string mnemonic, list<Trait> traits = []>
    : Kiln_Op<mnemonic, !listconcat(traits, [Pure, Kiln_ElementwiseTrait,
        DeclareOpInterfaceMethods<InferTypeOpInterface>])> {
  let arguments = (ins Kiln_Tensor:$lhs, Kiln_Tensor:$rhs);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs)
  }];
  let hasFolder = 1;
}

// add/sub scale the right operand by `alpha` first (torch.add(a, b, alpha)).
class Kiln_AlphaBinaryOp<string mnemonic>
    : Kiln_BinaryElementwiseOp<mnemonic> {
  let arguments = (ins Kiln_Tensor:$lhs, Kiln_Tensor:$rhs,
                       DefaultValuedAttr<F64Attr, "1.0">:$alpha);
  let hasVerifier = 1;
}

def Kiln_AddOp : Kiln_AlphaBinaryOp<"add"> {
  let summary = "lhs + alpha * rhs, with broadcasting";
}
def Kiln_SubOp : Kiln_AlphaBinaryOp<"sub"> {
  let summary = "lhs - alpha * rhs, with broadcasting";
}
def Kiln_MulOp : Kiln_BinaryElementwiseOp<"mul", [Commutative]> {
  let summary = "lhs * rhs, with broadcasting";
}
def Kiln_DivOp : Kiln_BinaryElementwiseOp<"div"> {
  let summary = "lhs / rhs (true division), with broadcasting";
  let hasVerifier = 1;
}

def Kiln_TanhOp : Kiln_UnaryElementwiseOp<"tanh"> {
  let summary = "Hyperbolic tangent";
}
def Kiln_SigmoidOp : Kiln_UnaryElementwiseOp<"sigmoid"> {
  let summary = "1 / (1 + exp(-x))";
}
def Kiln_ReluOp : Kiln_UnaryElementwiseOp<"relu"> {
  let summary = "max(x, 0)";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

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

//===----------------------------------------------------------------------===//
// Fusion
//===----------------------------------------------------------------------===//

def Kiln_FusedOp : Kiln_Op<"fused",
    [IsolatedFromAbove, SingleBlock, RecursiveMemoryEffects]> {
  let summary = "A group of elementwise ops computed in one loop nest";
  let description = [{
    Created by `--kiln-fuse-elementwise`. The body computes the result from
    the block arguments (one per input) with elementwise kiln ops and ends in
    `kiln.yield`. Lowering turns the whole body into one `linalg.generic`, so
    no intermediate tensor of the group is ever materialized.

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
}

def Kiln_YieldOp : Kiln_Op<"yield",
    [Pure, Terminator, HasParent<"FusedOp">]> {
  let summary = "Terminates a kiln.fused body with its result";
  let arguments = (ins Kiln_Tensor:$value);
  let assemblyFormat = "$value attr-dict `:` type($value)";
}

#endif // KILN_OPS_TD
