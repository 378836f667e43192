//===- PromotionTable.cpp - Print kiln's promotion table for the tests ----===//
//
// Prints `torch.result_type` as kiln computes it for every pair of operands
// (each a dimensioned tensor, a 0-dim tensor or a Python number of every
// dtype) and c10::canCast between dtypes; test/lib/promotion_table.py compares each line with PyTorch.
//
//===----------------------------------------------------------------------===//
#include "kiln/Dialect/Kiln/IR/TypePromotion.h"
#include "kiln/Support/ABI.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

using namespace mlir;
using namespace mlir::kiln;

namespace {

struct Operand {
  std::string name; // t:float32, z:int8, n:int
  PromotionOperand operand;
};

} // namespace

int main() {
  MLIRContext ctx;
  Builder b(&ctx);
  std::vector<Operand> operands;
  for (const char *dtype : {"bool", "uint8", "int8", "int16", "int32", "int64",
                            "float16", "bfloat16", "float32", "float64"}) {
    Type t = parseDType(dtype, &ctx);
    operands.push_back(
        {std::string("t:") + dtype, {t, PromotionOperandKind::Tensor}});
    operands.push_back(
        {std::string("z:") + dtype, {t, PromotionOperandKind::ZeroDimTensor}});
  }
  operands.push_back({"n:bool", {b.getI1Type(), PromotionOperandKind::Number}});
  operands.push_back(
      {"n:int", {b.getIntegerType(64), PromotionOperandKind::Number}});
  operands.push_back(
      {"n:float", {b.getF64Type(), PromotionOperandKind::Number}});

  for (const Operand &x : operands)
    for (const Operand &y : operands) {
      if (x.operand.kind == PromotionOperandKind::Number &&
          y.operand.kind == PromotionOperandKind::Number)
        continue; // numbers alone are folded at import, never promoted
      Type r = resultType({x.operand, y.operand});
      llvm::outs() << x.name << ' ' << y.name << ' '
                   << (r ? getDTypeName(r) : std::string("none")) << '\n';
    }
  // c10::canCast between the tensor dtypes.
  for (const Operand &x : operands)
    for (const Operand &y : operands)
      if (x.operand.kind == PromotionOperandKind::Tensor &&
          y.operand.kind == PromotionOperandKind::Tensor)
        llvm::outs() << "cast " << x.name << ' ' << y.name << ' '
                     << (canCast(x.operand.element, y.operand.element) ? "yes"
                                                                       : "no")
                     << '\n';
  return 0;
}
