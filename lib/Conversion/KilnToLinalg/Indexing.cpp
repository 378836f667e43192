//===- Indexing.cpp - gather to linalg --------------------------------------===//
//
// Indexed reads: a linalg.generic whose body extracts at the index.
//
//===----------------------------------------------------------------------===//
#include "Patterns.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::detail;

namespace {

/// out[i..., j...] = table[row(indices[i...]), j...]: a negative index
/// counts from the end (x[-1] is the last row, as aten::index reads it), and
/// the result is clamped into the table, so that no index, whatever the
/// caller passes, reads outside it. PyTorch raises on an index outside
/// [-rows, rows) (on any negative one for index_select and embedding); the
/// compiled code has no error path from inside a kernel yet, so such an
/// index reads the nearest row instead (docs/security.md).
Value lowerGather(OpBuilder &b, GatherOp op) {
  Location loc = op.getLoc();
  auto outType = cast<RankedTensorType>(op.getType());
  auto idxType = cast<RankedTensorType>(op.getIndices().getType());
  auto tableType = cast<RankedTensorType>(op.getTable().getType());
  int64_t rank = outType.getRank(), idxRank = idxType.getRank();
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineExpr> idxExprs;
  for (int64_t i = 0; i < idxRank; ++i)
    idxExprs.push_back(getAffineDimExpr(i, ctx));
  AffineMap idxMap = AffineMap::get(rank, 0, idxExprs, ctx);
  Value init = tensor::EmptyOp::create(b, loc, outType.getShape(),
                                       outType.getElementType());
  Value table = op.getTable();
  return linalg::GenericOp::create(
             b, loc, outType, ValueRange{op.getIndices()}, ValueRange{init},
             ArrayRef<AffineMap>{idxMap, b.getMultiDimIdentityMap(rank)},
             SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               Value row = arith::IndexCastOp::create(nb, nloc, nb.getIndexType(),
                                                      args[0]);
               Value zero = arith::ConstantIndexOp::create(nb, nloc, 0);
               Value rows = arith::ConstantIndexOp::create(
                   nb, nloc, tableType.getDimSize(0));
               Value last = arith::ConstantIndexOp::create(
                   nb, nloc, tableType.getDimSize(0) - 1);
               Value negative = arith::CmpIOp::create(
                   nb, nloc, arith::CmpIPredicate::slt, row, zero);
               row = arith::SelectOp::create(
                   nb, nloc, negative,
                   arith::AddIOp::create(nb, nloc, row, rows), row);
               row = arith::MaxSIOp::create(nb, nloc, row, zero);
               row = arith::MinSIOp::create(nb, nloc, row, last);
               SmallVector<Value> indices = {row};
               for (int64_t d = idxRank; d < rank; ++d)
                 indices.push_back(linalg::IndexOp::create(nb, nloc, d));
               Value v = tensor::ExtractOp::create(nb, nloc, table, indices);
               linalg::YieldOp::create(nb, nloc, v);
             })
      .getResult(0);
}

} // namespace

void mlir::kiln::detail::populateIndexingPatternsAndLegality(
    RewritePatternSet &patterns, ConversionTarget &target) {
  addLowering<GatherOp, lowerGather>(patterns, target);
}
