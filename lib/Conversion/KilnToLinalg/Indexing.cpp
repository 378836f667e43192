//===- Indexing.cpp - gather to linalg --------------------------------------===//
//
// Indexed reads: a linalg.generic whose body extracts at the index. Where
// the target has an error path (CPU code: --index-checks), a reduction over
// the indices finds the first one out of range first and reports it through
// the runtime (kiln_index_error), which the entry point returns as
// KILN_STATUS_INDEX_OUT_OF_RANGE.
//
//===----------------------------------------------------------------------===//
#include "Patterns.h"

#include "kiln/Support/Diagnostics.h"
#include "kiln/Support/RuntimeCalls.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Matchers.h"

#include <memory>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::detail;

namespace {

/// Whether `index` (as i64) is in range for a table of `rows`.
Value inRange(OpBuilder &b, Location loc, Value index, int64_t rows,
              bool wrapNegative) {
  Value low = arith::ConstantIntOp::create(b, loc, wrapNegative ? -rows : 0, 64);
  Value high = arith::ConstantIntOp::create(b, loc, rows, 64);
  Value aboveLow =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, index, low);
  Value belowHigh =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, index, high);
  return arith::AndIOp::create(b, loc, aboveLow, belowHigh);
}

Value toI64(OpBuilder &b, Location loc, Value v) {
  if (v.getType().isInteger(64))
    return v;
  return arith::ExtSIOp::create(b, loc, b.getI64Type(), v);
}

/// A private function of the module reporting an out-of-range index of
/// `op` to the runtime:
///   func.func private @_kiln_index_errorN(%index: i64) {
///     kiln_index_error(&"file.py:7:0: aten::embedding", %index, dim, rows)
///   }
/// The site's text is a NUL-terminated global; the gather's lowering calls
/// the function (the LLVM ops stay out of the converted function).
func::FuncOp indexErrorReporter(OpBuilder &b, ModuleOp module, GatherOp op,
                                func::FuncOp runtime, unsigned &next) {
  Location loc = op.getLoc();
  std::string text = formatLocation(loc);
  text += (text.empty() ? "" : ": ") + op.getTorchOp().str();
  text.push_back('\0');
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(module.getBody());
  std::string name;
  do
    name = "_kiln_index_error" + std::to_string(next++);
  while (module.lookupSymbol(name) || module.lookupSymbol(name + "_site"));
  auto type = LLVM::LLVMArrayType::get(b.getI8Type(), text.size());
  auto site = LLVM::GlobalOp::create(b, loc, type, /*isConstant=*/true,
                                     LLVM::Linkage::Private, name + "_site",
                                     b.getStringAttr(text), /*alignment=*/1);
  auto f = func::FuncOp::create(
      b, loc, name, b.getFunctionType({b.getI64Type()}, {}));
  f.setPrivate();
  Block *body = f.addEntryBlock();
  b.setInsertionPointToStart(body);
  Value address = LLVM::AddressOfOp::create(b, loc, site);
  Value siteInt = LLVM::PtrToIntOp::create(b, loc, b.getI64Type(), address);
  int64_t rows = cast<RankedTensorType>(op.getTable().getType()).getDimSize(0);
  func::CallOp::create(
      b, loc, runtime,
      ValueRange{siteInt, body->getArgument(0),
                 arith::ConstantIntOp::create(b, loc, op.getTorchDim(), 64),
                 arith::ConstantIntOp::create(b, loc, rows, 64)});
  func::ReturnOp::create(b, loc);
  return f;
}

/// Checks the indices at compile time when they are constants: success
/// when the check is done (and passed), failure with a diagnostic when one
/// is out of range, nullopt when they are not constants.
std::optional<LogicalResult> checkConstantIndices(GatherOp op, int64_t rows) {
  DenseIntElementsAttr values;
  if (!matchPattern(op.getIndices(), m_Constant(&values)))
    return std::nullopt;
  for (const APInt &v : values) {
    int64_t index = v.getSExtValue();
    if (index < (op.getWrapNegative() ? -rows : 0) || index >= rows)
      return op.emitError() << op.getTorchOp() << ": index " << index
                            << " is out of bounds for dimension "
                            << op.getTorchDim() << " with size " << rows;
  }
  return success();
}

/// At the start of the gather: the first index out of range, found by a
/// sequential reduction on the calling thread, reported to the runtime.
void emitIndexCheck(OpBuilder &b, GatherOp op, int64_t rows,
                    func::FuncOp reporter) {
  Location loc = op.getLoc();
  Value indices = op.getIndices();
  auto idxType = cast<RankedTensorType>(indices.getType());
  int64_t rank = idxType.getRank();
  MLIRContext *ctx = b.getContext();
  // (found, value): found stays 0 until the first bad index, whose value
  // is kept.
  auto scalar = [&](Type t, int64_t v) {
    Value init = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{}, t);
    Value c = arith::ConstantIntOp::create(b, loc, t, v);
    return linalg::FillOp::create(b, loc, c, init).getResult(0);
  };
  Value found = scalar(b.getI1Type(), 0), first = scalar(b.getI64Type(), 0);
  AffineMap all = b.getMultiDimIdentityMap(rank);
  AffineMap none = AffineMap::get(rank, 0, {}, ctx);
  bool wrap = op.getWrapNegative();
  auto check = linalg::GenericOp::create(
      b, loc, TypeRange{found.getType(), first.getType()}, ValueRange{indices},
      ValueRange{found, first}, ArrayRef<AffineMap>{all, none, none},
      SmallVector<utils::IteratorType>(rank, utils::IteratorType::reduction),
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value index = toI64(nb, nloc, args[0]);
        Value bad = arith::XOrIOp::create(
            nb, nloc, inRange(nb, nloc, index, rows, wrap),
            arith::ConstantIntOp::create(nb, nloc, 1, 1));
        Value take = arith::AndIOp::create(
            nb, nloc, bad,
            arith::XOrIOp::create(nb, nloc, args[1],
                                  arith::ConstantIntOp::create(nb, nloc, 1, 1)));
        Value isFound = arith::OrIOp::create(nb, nloc, args[1], bad);
        Value value = arith::SelectOp::create(nb, nloc, take, index, args[2]);
        linalg::YieldOp::create(nb, nloc, ValueRange{isFound, value});
      });
  Value isFound = tensor::ExtractOp::create(b, loc, check.getResult(0));
  Value index = tensor::ExtractOp::create(b, loc, check.getResult(1));
  auto ifOp = scf::IfOp::create(b, loc, isFound, /*withElseRegion=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(ifOp.thenBlock());
  func::CallOp::create(b, loc, reporter, ValueRange{index});
}


/// What the index checks call, made before the conversion runs (ops
/// outside the op being converted are not the pattern's to create).
struct IndexCheckSymbols {
  llvm::DenseMap<Operation *, func::FuncOp> reporters;
};

/// out[i..., j...] = table[row(indices[i...]), j...]: a negative index
/// counts from the end with wrap_negative (x[-1] is the last row, as
/// aten::index reads it), and the row is clamped into the table, so that no
/// index, whatever the caller passes, reads outside it; the index check
/// (when on) reports the first one out of range.
struct LowerGather : OpConversionPattern<GatherOp> {
  LowerGather(MLIRContext *ctx, std::shared_ptr<IndexCheckSymbols> symbols)
      : OpConversionPattern<GatherOp>(ctx), symbols(std::move(symbols)) {}
  std::shared_ptr<IndexCheckSymbols> symbols;

  LogicalResult
  matchAndRewrite(GatherOp op, OpAdaptor,
                  ConversionPatternRewriter &b) const override {
    Location loc = op.getLoc();
    auto outType = cast<RankedTensorType>(op.getType());
    auto idxType = cast<RankedTensorType>(op.getIndices().getType());
    auto tableType = cast<RankedTensorType>(op.getTable().getType());
    int64_t rank = outType.getRank(), idxRank = idxType.getRank();
    int64_t rows = tableType.getDimSize(0);
    std::optional<LogicalResult> constant = checkConstantIndices(op, rows);
    if (constant && failed(*constant))
      return failure();
    if (!constant && symbols && idxType.getNumElements() > 0)
      emitIndexCheck(b, op, rows, symbols->reporters.lookup(op));
    MLIRContext *ctx = b.getContext();
    SmallVector<AffineExpr> idxExprs;
    for (int64_t i = 0; i < idxRank; ++i)
      idxExprs.push_back(getAffineDimExpr(i, ctx));
    AffineMap idxMap = AffineMap::get(rank, 0, idxExprs, ctx);
    Value init = tensor::EmptyOp::create(b, loc, outType.getShape(),
                                         outType.getElementType());
    Value table = op.getTable();
    bool wrap = op.getWrapNegative();
    Value result =
        linalg::GenericOp::create(
            b, loc, outType, ValueRange{op.getIndices()}, ValueRange{init},
            ArrayRef<AffineMap>{idxMap, b.getMultiDimIdentityMap(rank)},
            SmallVector<utils::IteratorType>(rank,
                                             utils::IteratorType::parallel),
            [&](OpBuilder &nb, Location nloc, ValueRange args) {
              Value row = arith::IndexCastOp::create(
                  nb, nloc, nb.getIndexType(), args[0]);
              Value zero = arith::ConstantIndexOp::create(nb, nloc, 0);
              if (wrap) {
                Value negative = arith::CmpIOp::create(
                    nb, nloc, arith::CmpIPredicate::slt, row, zero);
                Value n = arith::ConstantIndexOp::create(nb, nloc, rows);
                row = arith::SelectOp::create(
                    nb, nloc, negative, arith::AddIOp::create(nb, nloc, row, n),
                    row);
              }
              Value last = arith::ConstantIndexOp::create(nb, nloc, rows - 1);
              row = arith::MaxSIOp::create(nb, nloc, row, zero);
              row = arith::MinSIOp::create(nb, nloc, row, last);
              SmallVector<Value> indices = {row};
              for (int64_t d = idxRank; d < rank; ++d)
                indices.push_back(linalg::IndexOp::create(nb, nloc, d));
              Value v = tensor::ExtractOp::create(nb, nloc, table, indices);
              linalg::YieldOp::create(nb, nloc, v);
            })
            .getResult(0);
    b.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::kiln::detail::populateIndexingPatternsAndLegality(
    RewritePatternSet &patterns, ConversionTarget &target,
    ModuleOp checkedModule) {
  std::shared_ptr<IndexCheckSymbols> symbols;
  if (checkedModule) {
    symbols = std::make_shared<IndexCheckSymbols>();
    OpBuilder b(checkedModule.getContext());
    const RuntimeFnInfo &info = getRuntimeFnInfo(RuntimeFn::kiln_index_error);
    func::FuncOp runtime;
    unsigned next = 0;
    checkedModule.walk([&](GatherOp op) {
      if (!runtime)
        runtime = checkedModule.lookupSymbol<func::FuncOp>(info.name);
      if (!runtime) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToEnd(checkedModule.getBody());
        SmallVector<Type> params(info.numParams, b.getI64Type());
        runtime = func::FuncOp::create(b, checkedModule.getLoc(), info.name,
                                       b.getFunctionType(params, {}));
        runtime.setPrivate();
      }
      symbols->reporters[op] =
          indexErrorReporter(b, checkedModule, op, runtime, next);
    });
  }
  target.addIllegalOp<GatherOp>();
  // The check's call of its reporter: ops a pattern creates must be legal.
  target.addLegalOp<func::CallOp>();
  patterns.add<LowerGather>(patterns.getContext(), std::move(symbols));
}
