//===- KilnElementwiseOps.td - Elementwise ops -------------*- tablegen -*-===//
//
// Ops whose output element at index i reads only the operands' elements at
// (the broadcast of) i; --kiln-fuse-elementwise groups chains of them.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_ELEMENTWISE_OPS_TD
#define KILN_ELEMENTWISE_OPS_TD

include "kiln/Dialect/Kiln/IR/KilnDialect.td"
include "kiln/Dialect/Kiln/IR/KilnAttributes.td"

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

def Kiln_Expm1Op : Kiln_UnaryElementwiseOp<"expm1"> {
  let summary = "e^x - 1, exact near 0";
}

def Kiln_Log1pOp : Kiln_UnaryElementwiseOp<"log1p"> {
  let summary = "ln(1 + x), exact near 0";
}

def Kiln_SinOp : Kiln_UnaryElementwiseOp<"sin"> { let summary = "sin(x)"; }

def Kiln_CosOp : Kiln_UnaryElementwiseOp<"cos"> { let summary = "cos(x)"; }

def Kiln_TanOp : Kiln_UnaryElementwiseOp<"tan"> { let summary = "tan(x)"; }

def Kiln_AsinOp : Kiln_UnaryElementwiseOp<"asin"> { let summary = "asin(x)"; }

def Kiln_AcosOp : Kiln_UnaryElementwiseOp<"acos"> { let summary = "acos(x)"; }

def Kiln_AtanOp : Kiln_UnaryElementwiseOp<"atan"> { let summary = "atan(x)"; }

def Kiln_SinhOp : Kiln_UnaryElementwiseOp<"sinh"> { let summary = "sinh(x)"; }

def Kiln_CoshOp : Kiln_UnaryElementwiseOp<"cosh"> { let summary = "cosh(x)"; }

def Kiln_AsinhOp : Kiln_UnaryElementwiseOp<"asinh"> { let summary = "asinh(x)"; }

def Kiln_AcoshOp : Kiln_UnaryElementwiseOp<"acosh"> { let summary = "acosh(x)"; }

def Kiln_AtanhOp : Kiln_UnaryElementwiseOp<"atanh"> { let summary = "atanh(x)"; }

def Kiln_Log2Op : Kiln_UnaryElementwiseOp<"log2"> { let summary = "log2(x)"; }

def Kiln_Log10Op : Kiln_UnaryElementwiseOp<"log10"> { let summary = "log10(x)"; }

def Kiln_Exp2Op : Kiln_UnaryElementwiseOp<"exp2"> { let summary = "2^x"; }

def Kiln_ErfcOp : Kiln_UnaryElementwiseOp<"erfc"> { let summary = "1 - erf(x)"; }

def Kiln_FloorOp : Kiln_UnaryElementwiseOp<"floor"> { let summary = "floor(x)"; }

def Kiln_CeilOp : Kiln_UnaryElementwiseOp<"ceil"> { let summary = "ceil(x)"; }

def Kiln_RoundOp : Kiln_UnaryElementwiseOp<"round"> {
  let summary = "x rounded to the nearest integer, half to even";
}

def Kiln_TruncOp : Kiln_UnaryElementwiseOp<"trunc"> {
  let summary = "x rounded toward zero";
}

def Kiln_FracOp : Kiln_UnaryElementwiseOp<"frac"> {
  let summary = "x - trunc(x)";
}

def Kiln_SignOp : Kiln_UnaryElementwiseOp<"sign"> {
  let summary = "-1, 0 or 1 by the sign of x; 0 for NaN and both zeros";
  let arguments = (ins Kiln_Tensor:$input);
  let results = (outs Kiln_Tensor:$output);
}

def Kiln_MishOp : Kiln_UnaryElementwiseOp<"mish"> {
  let summary = "x * tanh(softplus(x))";
}

def Kiln_LogSigmoidOp : Kiln_UnaryElementwiseOp<"log_sigmoid"> {
  let summary = "log(sigmoid(x)), computed as min(x, 0) - log1p(e^-|x|)";
}

def Kiln_IsNanOp : Kiln_Op<"isnan", [Pure, Kiln_ElementwiseTrait]> {
  let summary = "Whether x is NaN, as an i1 tensor of x's shape";
  let arguments = (ins Kiln_FloatTensor:$input);
  let results = (outs RankedTensorOf<[I1]>:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($output)";
}

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

// Binary ops with no folder: the result type is the broadcast of the
// operands' (which the importer has already promoted to one dtype).
class Kiln_PlainBinaryOp<string mnemonic, list<Trait> traits = []>
    : Kiln_Op<mnemonic, !listconcat(traits, [Pure, Kiln_ElementwiseTrait,
        InferTypeOpInterface])> {
  let arguments = (ins Kiln_Tensor:$lhs, Kiln_Tensor:$rhs);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs)
  }];
  let extraClassDeclaration = [{
    static ::llvm::LogicalResult inferReturnTypes(::mlir::MLIRContext *,
        std::optional<::mlir::Location> loc, ::mlir::ValueRange operands,
        ::mlir::DictionaryAttr, ::mlir::OpaqueProperties, ::mlir::RegionRange,
        ::llvm::SmallVectorImpl<::mlir::Type> &results) {
      return ::mlir::kiln::inferBroadcastType(loc, getOperationName(),
          operands[0].getType(), operands[1].getType(), results);
    }
  }];
}

def Kiln_Atan2Op : Kiln_PlainBinaryOp<"atan2"> {
  let summary = "atan2(lhs, rhs): the angle of the point (rhs, lhs)";
}

def Kiln_RemainderOp : Kiln_PlainBinaryOp<"remainder"> {
  let summary = "lhs mod rhs with the sign of rhs (Python's %)";
}

def Kiln_FmodOp : Kiln_PlainBinaryOp<"fmod"> {
  let summary = "lhs mod rhs with the sign of lhs (C's fmod)";
}

def Kiln_FloorDivideOp : Kiln_PlainBinaryOp<"floor_divide"> {
  let summary = "lhs / rhs rounded down (div with rounding_mode='floor')";
}

def Kiln_TruncDivideOp : Kiln_PlainBinaryOp<"trunc_divide"> {
  let summary = "lhs / rhs rounded toward zero (rounding_mode='trunc')";
}

def Kiln_CopysignOp : Kiln_PlainBinaryOp<"copysign"> {
  let summary = "|lhs| with the sign of rhs";
}

def Kiln_HypotOp : Kiln_PlainBinaryOp<"hypot", [Commutative]> {
  let summary = "sqrt(lhs^2 + rhs^2) without overflow";
}

def Kiln_LogAddExpOp : Kiln_PlainBinaryOp<"logaddexp", [Commutative]> {
  let summary = "log(e^lhs + e^rhs) without overflow";
}

def Kiln_LogAddExp2Op : Kiln_PlainBinaryOp<"logaddexp2", [Commutative]> {
  let summary = "log2(2^lhs + 2^rhs) without overflow";
}

def Kiln_XLogYOp : Kiln_PlainBinaryOp<"xlogy"> {
  let summary = "lhs * log(rhs), 0 where lhs is 0 (unless rhs is NaN)";
}

def Kiln_BitwiseAndOp : Kiln_PlainBinaryOp<"bitwise_and", [Commutative]> {
  let summary = "lhs & rhs on integers and bool";
}

def Kiln_BitwiseOrOp : Kiln_PlainBinaryOp<"bitwise_or", [Commutative]> {
  let summary = "lhs | rhs on integers and bool";
}

def Kiln_BitwiseXorOp : Kiln_PlainBinaryOp<"bitwise_xor", [Commutative]> {
  let summary = "lhs ^ rhs on integers and bool";
}

def Kiln_MaximumOp : Kiln_BinaryElementwiseOp<"maximum", [Commutative]> {
  let summary = "Elementwise max (NaN propagates)";
}

def Kiln_MinimumOp : Kiln_BinaryElementwiseOp<"minimum", [Commutative]> {
  let summary = "Elementwise min (NaN propagates)";
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

#endif // KILN_ELEMENTWISE_OPS_TD
