//===- KilnAttributes.td - Attributes of the kiln dialect --*- tablegen -*-===//
//
// Enums the ops take as attributes.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_ATTRIBUTES_TD
#define KILN_ATTRIBUTES_TD

include "mlir/IR/EnumAttr.td"

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
     I64EnumAttrCase<"max", 2>, I64EnumAttrCase<"min", 3>]> {
  let cppNamespace = "::mlir::kiln";
}

#endif // KILN_ATTRIBUTES_TD
