//===- kiln-opt.cpp - mlir-opt with every kiln dialect, pass and pipeline -===//
#include "kiln/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::kiln::registerAllKilnDialects(registry);
  mlir::kiln::registerAllKilnPasses();
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "Kiln optimizer driver: runs kiln and MLIR passes\n",
      registry));
}
