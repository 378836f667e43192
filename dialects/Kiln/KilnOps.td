//===- KilnOps.td - Ops of the kiln dialect ---------------------*- tablegen -*-===//

#ifndef KILN_OPS_TD
#define KILN_OPS_TD

include "dialects/Kiln/KilnDialect.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/RegionKindInterface.td"
include "mlir/IR/EnumAttr.td"
include "mlir/IR/CommonAttrConstraints.td"

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
def Kiln_NegOp : Kiln_UnaryElementwiseOp<"neg"> { let summary = "-x"; }
def Kiln_AbsOp : Kiln_UnaryElementwiseOp<"abs"> { let summary = "|x|"; }
def Kiln_ExpOp : Kiln_UnaryElementwiseOp<"exp"> { let summary = "e^x"; }
def Kiln_LogOp : Kiln_UnaryElementwiseOp<"log"> { let summary = "ln x"; }
def Kiln_SqrtOp : Kiln_UnaryElementwiseOp<"sqrt"> { let summary = "sqrt(x)"; }
def Kiln_RsqrtOp : Kiln_UnaryElementwiseOp<"rsqrt"> {
  let summary = "1 / sqrt(x)";
}
def Kiln_ErfOp : Kiln_UnaryElementwiseOp<"erf"> { let summary = "erf(x)"; }
def Kiln_SiluOp : Kiln_UnaryElementwiseOp<"silu"> {
  let summary = "x * sigmoid(x)";
}
def Kiln_HardswishOp : Kiln_UnaryElementwiseOp<"hardswish"> {
  let summary = "x * relu6(x + 3) / 6";
}
def Kiln_HardsigmoidOp : Kiln_UnaryElementwiseOp<"hardsigmoid"> {
  let summary = "relu6(x + 3) / 6";
}

// Unary ops with parameters; the parameters are attributes.
class Kiln_ParamUnaryOp<string mnemonic, dag params>
    : Kiln_UnaryElementwiseOp<mnemonic> {
  let arguments = !con((ins Kiln_FloatTensor:$input), params);
}
def Kiln_GeluOp : Kiln_ParamUnaryOp<"gelu",
    (ins DefaultValuedAttr<BoolAttr, "false">:$tanh_approximation)> {
  let summary = "x * Phi(x), exactly (erf) or with the tanh approximation";
}
def Kiln_LeakyReluOp : Kiln_ParamUnaryOp<"leaky_relu",
    (ins DefaultValuedAttr<F64Attr, "0.01">:$negative_slope)> {
  let summary = "x if x > 0 else negative_slope * x";
}
def Kiln_EluOp : Kiln_ParamUnaryOp<"elu",
    (ins DefaultValuedAttr<F64Attr, "1.0">:$alpha)> {
  let summary = "x if x > 0 else alpha * (e^x - 1)";
}
def Kiln_SoftplusOp : Kiln_ParamUnaryOp<"softplus",
    (ins DefaultValuedAttr<F64Attr, "1.0">:$beta,
         DefaultValuedAttr<F64Attr, "20.0">:$threshold)> {
  let summary = "log(1 + e^(beta x)) / beta, linear above threshold";
}
def Kiln_ClampOp : Kiln_ParamUnaryOp<"clamp",
    (ins OptionalAttr<F64Attr>:$min, OptionalAttr<F64Attr>:$max)> {
  let summary = "min(max(x, min), max); hardtanh and relu6 are clamps";
}
def Kiln_PowScalarOp : Kiln_ParamUnaryOp<"pow_scalar", (ins F64Attr:$exponent)> {
  let summary = "x ^ exponent for a constant exponent";
}

def Kiln_MaximumOp : Kiln_BinaryElementwiseOp<"maximum", [Commutative]> {
  let summary = "Elementwise max (NaN propagates)";
}
def Kiln_MinimumOp : Kiln_BinaryElementwiseOp<"minimum", [Commutative]> {
  let summary = "Elementwise min (NaN propagates)";
}

def Kiln_ComparePredicate : I64EnumAttr<"ComparePredicate", "",
    [I64EnumAttrCase<"eq", 0>, I64EnumAttrCase<"ne", 1>,
     I64EnumAttrCase<"lt", 2>, I64EnumAttrCase<"le", 3>,
     I64EnumAttrCase<"gt", 4>, I64EnumAttrCase<"ge", 5>]> {
  let cppNamespace = "::mlir::kiln";
}

def Kiln_CompareOp : Kiln_Op<"compare",
    [Pure, Kiln_ElementwiseTrait,
     DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "Elementwise comparison with broadcasting; an i1 tensor";
  let arguments = (ins Kiln_ComparePredicate:$predicate, Kiln_Tensor:$lhs,
                       Kiln_Tensor:$rhs);
  let results = (outs RankedTensorOf<[I1]>:$output);
  let assemblyFormat = [{
    $predicate `,` $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs)
  }];
}

def Kiln_WhereOp : Kiln_Op<"where",
    [Pure, Kiln_ElementwiseTrait,
     DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "cond ? lhs : rhs, broadcasting all three (torch.where)";
  let arguments = (ins RankedTensorOf<[I1]>:$condition, Kiln_Tensor:$lhs,
                       Kiln_Tensor:$rhs);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = [{
    $condition `,` $lhs `,` $rhs attr-dict `:` type($condition) `,`
    type($lhs) `,` type($rhs)
  }];
}

def Kiln_CastOp : Kiln_Op<"cast", [Pure, Kiln_ElementwiseTrait]> {
  let summary = "Element type conversion with PyTorch's rules";
  let description = [{
    Float to integer truncates toward zero, integer to bool is `!= 0`, bool
    to number is 0 or 1. The shape is unchanged.
  }];
  let arguments = (ins Kiln_Tensor:$input);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($output)";
  let hasVerifier = 1;
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
// Convolution and pooling (NCHW)
//===----------------------------------------------------------------------===//

def Kiln_Conv2dOp : Kiln_Op<"conv2d", [Pure]> {
  let summary = "2-D convolution, NCHW input, [F, C/groups, KH, KW] weight";
  let description = [{
    `stride`, `padding` (zeros, both sides) and `dilation` are [H, W] pairs;
    `groups` splits channels (groups == C is depthwise). The optional bias is
    [F]. Output spatial size: (in + 2 pad - dilation (k - 1) - 1) / stride + 1.
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$weight,
                       Optional<Kiln_FloatTensor>:$bias,
                       DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$padding,
                       DenseI64ArrayAttr:$dilation, I64Attr:$groups);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` type($input) `,`
    type($weight) (`,` type($bias)^)? `->` type($output)
  }];
  let hasVerifier = 1;
}

def Kiln_PoolKind : I64EnumAttr<"PoolKind", "",
    [I64EnumAttrCase<"max", 0>, I64EnumAttrCase<"avg", 1>,
     I64EnumAttrCase<"sum", 2>]> {
  let cppNamespace = "::mlir::kiln";
}

def Kiln_Pool2dOp : Kiln_Op<"pool2d", [Pure]> {
  let summary = "2-D max, average or sum pooling over NCHW windows";
  let description = [{
    Max pooling pads with -inf; average pooling pads with zeros and divides
    by the window size (PyTorch's count_include_pad=True); sum pooling pads
    with zeros and does not divide (the importer divides by per-window
    counts for the other average-pooling variants).
  }];
  let arguments = (ins Kiln_PoolKind:$kind, Kiln_FloatTensor:$input,
                       DenseI64ArrayAttr:$kernel, DenseI64ArrayAttr:$stride,
                       DenseI64ArrayAttr:$padding, DenseI64ArrayAttr:$dilation);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = [{
    $kind `,` $input attr-dict `:` type($input) `->` type($output)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

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

def Kiln_ArgmaxOp : Kiln_Op<"argmax", [Pure]> {
  let summary = "Index (i64) of the first maximum along `dim`";
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

def Kiln_ResizeBilinearOp : Kiln_Op<"resize_bilinear", [Pure]> {
  let summary = "Bilinear resize of the H, W dims of an NCHW tensor";
  let description = [{
    With `align_corners` the corner pixels of input and output coincide;
    without it, pixel centres are scaled by `scale_h`/`scale_w` (input size /
    output size, or 1 / the user's scale factor), as F.interpolate does.
  }];
  let arguments = (ins Kiln_FloatTensor:$input, BoolAttr:$align_corners,
                       F64Attr:$scale_h, F64Attr:$scale_w);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
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

def Kiln_TransposeOp : Kiln_Op<"transpose",
    [Pure, DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "Permutes dimensions: result dim i is input dim permutation[i]";
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "$input `,` $permutation attr-dict `:` type($input)";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Reductions and composite ops (decomposed by --kiln-decompose)
//===----------------------------------------------------------------------===//

def Kiln_ReduceKind : I64EnumAttr<"ReduceKind", "",
    [I64EnumAttrCase<"sum", 0>, I64EnumAttrCase<"mean", 1>,
     I64EnumAttrCase<"max", 2>, I64EnumAttrCase<"min", 3>]> {
  let cppNamespace = "::mlir::kiln";
}

def Kiln_ReduceOp : Kiln_Op<"reduce",
    [Pure, DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "sum/mean/max/min over `dims` (sorted, non-negative)";
  let arguments = (ins Kiln_ReduceKind:$kind, Kiln_Tensor:$input,
                       DenseI64ArrayAttr:$dims,
                       DefaultValuedAttr<BoolAttr, "false">:$keepdim);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "$kind `,` $input `,` $dims attr-dict `:` type($input)";
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

//===----------------------------------------------------------------------===//
// Fusion
//===----------------------------------------------------------------------===//

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

#endif // KILN_OPS_TD
