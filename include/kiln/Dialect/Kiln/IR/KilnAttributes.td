//===- KilnAttributes.td - Attributes of the kiln dialect --*- tablegen -*-===//
//
// Enums the ops take as attributes, and the typed contracts the linalg
// lowering leaves for the CPU code generation passes (the epilogue
// kiln_sgemm applies, an im2col copy's geometry, a depthwise loop nest
// kiln_dwconv2d computes): one schema, verified, with typed accessors for
// the writer (lib/Conversion/KilnToLinalg) and the readers
// (lib/Target/CPU/LowerGemm.cpp, LowerDepthwise.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_ATTRIBUTES_TD
#define KILN_ATTRIBUTES_TD

include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"
include "kiln/Dialect/Kiln/IR/KilnDialect.td"

def Kiln_ComparePredicate : I64EnumAttr<"ComparePredicate", "",
    [I64EnumAttrCase<"eq", 0>, I64EnumAttrCase<"ne", 1>,
     I64EnumAttrCase<"lt", 2>, I64EnumAttrCase<"le", 3>,
     I64EnumAttrCase<"gt", 4>, I64EnumAttrCase<"ge", 5>]> {
  let cppNamespace = "::mlir::kiln";
}

def Kiln_PoolKind : I64EnumAttr<"PoolKind", "",
    [I64EnumAttrCase<"max", 0>, I64EnumAttrCase<"avg", 1>,
     I64EnumAttrCase<"sum", 2>]> {
  let cppNamespace = "::mlir::kiln";
}

def Kiln_ReduceKind : I64EnumAttr<"ReduceKind", "",
    [I64EnumAttrCase<"sum", 0>, I64EnumAttrCase<"mean", 1>,
     I64EnumAttrCase<"max", 2>, I64EnumAttrCase<"min", 3>,
     I64EnumAttrCase<"prod", 4>, I64EnumAttrCase<"all", 5>,
     I64EnumAttrCase<"any", 6>]> {
  let cppNamespace = "::mlir::kiln";
}

// The activation a runtime kernel applies to its results.
def Kiln_Activation : I64EnumAttr<"Activation", "",
    [I64EnumAttrCase<"none", 0>, I64EnumAttrCase<"relu", 1>,
     I64EnumAttrCase<"clamp", 2>]> {
  let cppNamespace = "::mlir::kiln";
}

class Kiln_Attr<string name, string attrMnemonic>
    : AttrDef<Kiln_Dialect, name> {
  let mnemonic = attrMnemonic;
}

def Kiln_EpilogueAttr : Kiln_Attr<"Epilogue", "epilogue"> {
  let summary = "An epilogue kiln_sgemm can apply to its tiles";
  let description = [{
    On the elementwise generic after a product: `act(C + residual)`, with
    `act` none, relu or a clamp to [lo, hi] (relu: lo = 0), and `residual`
    the index of the generic's input added before the activation, or -1.
  }];
  let parameters = (ins EnumParameter<Kiln_Activation>:$act,
                        "::mlir::FloatAttr":$lo, "::mlir::FloatAttr":$hi,
                        "int64_t":$residual);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def Kiln_Im2colAttr : Kiln_Attr<"Im2col", "im2col"> {
  let summary = "The window geometry of an im2col copy";
  let description = [{
    On the copy that gathers a convolution's windows into a matrix: the
    convolution's [h, w] stride and dilation, with which --kiln-lower-gemm
    reads the windows in place.
  }];
  let parameters = (ins ArrayRefParameter<"int64_t">:$stride,
                        ArrayRefParameter<"int64_t">:$dilation);
  let assemblyFormat =
      "`<` `stride` `=` `[` $stride `]` `,` `dilation` `=` `[` $dilation `]` `>`";
  let genVerifyDecl = 1;
}

def Kiln_DepthwiseAttr : Kiln_Attr<"Depthwise", "depthwise"> {
  let summary = "A depthwise convolution kiln_dwconv2d can compute";
  let description = [{
    On a depthwise convolution's direct loop nest: the [h, w] stride,
    dilation, padding and kernel, the epilogue (an activation alone: no
    residual), and whether input 0 is the bias. The body reads the padded
    input, then the [C, 1, KH, KW] weight.
  }];
  let parameters = (ins ArrayRefParameter<"int64_t">:$stride,
                        ArrayRefParameter<"int64_t">:$dilation,
                        ArrayRefParameter<"int64_t">:$padding,
                        ArrayRefParameter<"int64_t">:$kernel,
                        "EpilogueAttr":$epilogue, "::mlir::BoolAttr":$bias);
  let assemblyFormat = [{
    `<` `stride` `=` `[` $stride `]` `,` `dilation` `=` `[` $dilation `]` `,`
    `padding` `=` `[` $padding `]` `,` `kernel` `=` `[` $kernel `]` `,`
    `epilogue` `=` $epilogue `,` `bias` `=` $bias `>`
  }];
  let genVerifyDecl = 1;
}

#endif // KILN_ATTRIBUTES_TD
