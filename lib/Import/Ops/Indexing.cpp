//===- Indexing.cpp - Gathers: index, index_select, embedding -------------===//
#include "../OpRegistry.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::detail;

namespace {

/// index(self, [None, ..., idx, None...]): one integer index tensor, at any
/// position; the result's indexed dims sit where the indexed dim was.
LogicalResult importIndex(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  auto list = c.im.tensorLists.find(c.inputs()[1]);
  if (list == c.im.tensorLists.end())
    return c.error() << "needs a list of indices built in the graph";
  int64_t position = -1;
  const tj::Value *index = nullptr;
  for (auto [i, v] : llvm::enumerate(list->second)) {
    auto k = c.im.constantOf(v);
    if (k && k->isNone())
      continue;
    if (index)
      return c.error() << "with more than one index tensor is not supported yet";
    index = v;
    position = i;
  }
  if (!index)
    return c.bind(*x);
  FailureOr<Value> idx = c.im.lookupTensor(index, c.node);
  if (failed(idx))
    return failure();
  if (elementOf(*idx).isInteger(1))
    return c.error() << "with a boolean mask has a data-dependent shape, which "
                        "Kiln cannot compile (use torch.where instead)";
  if (!isa<IntegerType>(elementOf(*idx)))
    return c.error() << "needs integer indices";
  auto t = tensorType(*x);
  int64_t rank = t.getRank(), ir = tensorType(*idx).getRank();
  if (position >= rank)
    return c.error() << "indexes dim " << position << " of " << formatType(t);
  // Move the indexed dim to the front, gather, move the index dims back.
  Value table = *x;
  if (position > 0) {
    SmallVector<int64_t> perm = {position};
    for (int64_t i = 0; i < rank; ++i)
      if (i != position)
        perm.push_back(i);
    SmallVector<Type> types;
    (void)inferTransposeType(c.loc, table.getType(), perm, types);
    table = c.create<TransposeOp>(types[0], table, perm);
  }
  auto tt = tensorType(table);
  SmallVector<int64_t> shape(tensorType(*idx).getShape());
  shape.append(tt.getShape().begin() + 1, tt.getShape().end());
  // x[idx] counts a negative index from the end, as Python does.
  Value g = c.create<GatherOp>(tt.clone(shape), table, *idx,
                               /*wrap_negative=*/true, c.kind, position);
  if (position == 0)
    return c.bind(g);
  SmallVector<int64_t> perm;
  for (int64_t i = 0; i < position; ++i)
    perm.push_back(ir + i);
  for (int64_t i = 0; i < ir; ++i)
    perm.push_back(i);
  for (int64_t i = ir + position; i < ir + rank - 1; ++i)
    perm.push_back(i);
  SmallVector<Type> types;
  (void)inferTransposeType(c.loc, g.getType(), perm, types);
  return c.bind(c.create<TransposeOp>(types[0], g, perm));
}

/// index_select(self, dim, index): index with a 1-D tensor along dim.
LogicalResult importIndexSelect(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0), idx = c.tensor(2);
  if (failed(x) || failed(idx))
    return failure();
  FailureOr<int64_t> d = c.dim(c.integer(1).value_or(0), tensorType(*x).getRank());
  if (failed(d))
    return failure();
  if (!isa<IntegerType>(elementOf(*idx)) || tensorType(*idx).getRank() > 1)
    return c.error() << "needs a 1-D integer index";
  return c.bind(selectAlong(c, *x, *d, *idx));
}

/// embedding(weight, indices, ...): rows of the table.
LogicalResult importEmbedding(NodeContext &c) {
  FailureOr<Value> table = c.tensor(0), idx = c.tensor(1);
  if (failed(table) || failed(idx))
    return failure();
  Type e = elementOf(*idx);
  if (!e.isInteger(64) && !e.isInteger(32))
    return c.error() << "needs integer indices, got "
                     << formatType(tensorType(*idx));
  auto t = tensorType(*table);
  if (t.getRank() != 2)
    return c.error() << "needs a 2-D table, got " << formatType(t);
  SmallVector<int64_t> shape(tensorType(*idx).getShape());
  shape.push_back(t.getDimSize(1));
  return c.bind(c.create<GatherOp>(t.clone(shape), *table, *idx,
                                   /*wrap_negative=*/false, c.kind, 0));
}

} // namespace

void mlir::kiln::detail::registerIndexingOps(OpRegistry &registry) {
  registry.family("Indexing")
      .add("aten::index", importIndex)
      .add("aten::index_select", importIndexSelect)
      .add("aten::embedding", importEmbedding);
}
