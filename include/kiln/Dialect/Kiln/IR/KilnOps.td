//===- KilnOps.td - All ops of the kiln dialect, by family ---*- tablegen -*-===//
//
// One file per op family; a new op goes into its family's file. This file
// only gathers them for mlir-tblgen.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_OPS_TD
#define KILN_OPS_TD

include "kiln/Dialect/Kiln/IR/KilnCreationOps.td"
include "kiln/Dialect/Kiln/IR/KilnElementwiseOps.td"
include "kiln/Dialect/Kiln/IR/KilnLinearOps.td"
include "kiln/Dialect/Kiln/IR/KilnConvPoolOps.td"
include "kiln/Dialect/Kiln/IR/KilnDataMovementOps.td"
include "kiln/Dialect/Kiln/IR/KilnIndexingOps.td"
include "kiln/Dialect/Kiln/IR/KilnReductionOps.td"
include "kiln/Dialect/Kiln/IR/KilnLayerOps.td"
include "kiln/Dialect/Kiln/IR/KilnStructureOps.td"

#endif // KILN_OPS_TD
