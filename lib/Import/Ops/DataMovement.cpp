//===- DataMovement.cpp - Shapes and data movement ------------------------===//
#include "../OpRegistry.h"

#include <ATen/ATen.h>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::detail;

namespace {

LogicalResult reshapeTo(NodeContext &c, Value x, ArrayRef<int64_t> shape) {
  auto t = tensorType(x);
  auto type = RankedTensorType::get(shape, t.getElementType());
  if (type.getNumElements() != t.getNumElements())
    return c.error() << "cannot reshape " << formatType(t) << " to "
                     << formatType(type);
  return c.bind(type == t ? x : Value(c.create<ReshapeOp>(type, x)));
}

LogicalResult importView(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  FailureOr<SmallVector<int64_t>> shape = c.require(c.intList(1), 1, "shape");
  if (failed(x) || failed(shape))
    return failure();
  int64_t numel = tensorType(*x).getNumElements(), known = 1, inferred = -1;
  for (auto [i, d] : llvm::enumerate(*shape)) {
    if (d == -1) {
      if (inferred >= 0)
        return c.error() << "has more than one -1 in its shape";
      inferred = i;
    } else {
      known *= d;
    }
  }
  if (inferred >= 0) {
    if (known == 0 || numel % known)
      return c.error() << "cannot infer the -1 in the shape for "
                       << formatType(tensorType(*x));
    (*shape)[inferred] = numel / known;
  }
  return reshapeTo(c, *x, *shape);
}

LogicalResult importFlatten(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> in = tensorType(*x).getShape();
  int64_t rank = in.size();
  FailureOr<int64_t> start = c.dim(c.integer(1).value_or(0), rank);
  FailureOr<int64_t> end = c.dim(c.integer(2).value_or(-1), rank);
  if (failed(start) || failed(end))
    return failure();
  if (rank == 0)
    return reshapeTo(c, *x, {1});
  SmallVector<int64_t> shape(in.begin(), in.begin() + *start);
  int64_t merged = 1;
  for (int64_t i = *start; i <= *end; ++i)
    merged *= in[i];
  shape.push_back(merged);
  shape.append(in.begin() + *end + 1, in.end());
  return reshapeTo(c, *x, shape);
}

LogicalResult importSqueeze(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> in = tensorType(*x).getShape();
  SmallVector<int64_t> shape;
  if (c.numInputs() < 2) {
    for (int64_t d : in)
      if (d != 1)
        shape.push_back(d);
    return reshapeTo(c, *x, shape);
  }
  FailureOr<int64_t> raw = c.require(c.integer(1), 1, "dim");
  if (failed(raw))
    return failure();
  FailureOr<int64_t> d = c.dim(*raw, in.size());
  if (failed(d))
    return failure();
  for (auto [i, s] : llvm::enumerate(in))
    if (static_cast<int64_t>(i) != *d || s != 1)
      shape.push_back(s);
  return reshapeTo(c, *x, shape);
}

LogicalResult importUnsqueeze(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  FailureOr<int64_t> raw = c.require(c.integer(1), 1, "dim");
  if (failed(x) || failed(raw))
    return failure();
  ArrayRef<int64_t> in = tensorType(*x).getShape();
  FailureOr<int64_t> d = c.dim(*raw, in.size() + 1);
  if (failed(d))
    return failure();
  SmallVector<int64_t> shape(in.begin(), in.end());
  shape.insert(shape.begin() + *d, 1);
  return reshapeTo(c, *x, shape);
}

LogicalResult transposeWith(NodeContext &c, Value x, ArrayRef<int64_t> perm) {
  SmallVector<Type> types;
  if (failed(inferTransposeType(c.loc, x.getType(), perm, types)))
    return failure();
  return c.bind(c.create<TransposeOp>(types[0], x, perm));
}

LogicalResult importPermute(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  FailureOr<SmallVector<int64_t>> dims = c.require(c.intList(1), 1, "dims");
  if (failed(x) || failed(dims))
    return failure();
  int64_t rank = tensorType(*x).getRank();
  for (int64_t &d : *dims) {
    FailureOr<int64_t> n = c.dim(d, rank);
    if (failed(n))
      return failure();
    d = *n;
  }
  return transposeWith(c, *x, *dims);
}

LogicalResult importTranspose(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  int64_t rank = tensorType(*x).getRank();
  SmallVector<int64_t> perm;
  for (int64_t i = 0; i < rank; ++i)
    perm.push_back(i);
  FailureOr<int64_t> a = c.require(c.integer(1), 1, "dim0");
  FailureOr<int64_t> b = c.require(c.integer(2), 2, "dim1");
  if (failed(a) || failed(b))
    return failure();
  FailureOr<int64_t> da = c.dim(*a, rank), db = c.dim(*b, rank);
  if (failed(da) || failed(db))
    return failure();
  if (rank > 0)
    std::swap(perm[*da], perm[*db]);
  return transposeWith(c, *x, perm);
}

/// t(self): the transpose of a tensor of rank <= 2.
LogicalResult importT(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  int64_t rank = tensorType(*x).getRank();
  if (rank > 2)
    return c.error() << "needs a tensor of rank <= 2, got "
                     << formatType(tensorType(*x));
  SmallVector<int64_t> perm;
  for (int64_t i = rank - 1; i >= 0; --i)
    perm.push_back(i);
  return transposeWith(c, *x, perm);
}

LogicalResult emitConcat(NodeContext &c, SmallVector<Value> parts, int64_t rawDim,
                         bool stack) {
  if (parts.empty())
    return c.error() << "needs at least one tensor";
  Type element = elementOf(parts[0]);
  for (Value p : parts)
    element = promoteTypes(element, elementOf(p));
  if (!element)
    return c.error() << "cannot promote the dtypes of its tensors";
  int64_t rank = tensorType(parts[0]).getRank() + (stack ? 1 : 0);
  FailureOr<int64_t> dim = c.dim(rawDim, rank);
  if (failed(dim))
    return failure();
  for (Value &p : parts) {
    p = c.castTo(p, element);
    if (stack) {
      auto t = tensorType(p);
      SmallVector<int64_t> shape(t.getShape());
      shape.insert(shape.begin() + *dim, 1);
      p = c.create<ReshapeOp>(t.clone(shape), p);
    }
  }
  if (parts.size() == 1)
    return c.bind(parts[0]);
  SmallVector<Type> types;
  if (failed(inferConcatType(c.loc, ValueRange(parts).getTypes(), *dim, types)))
    return failure();
  return c.bind(c.create<ConcatOp>(types[0], parts, *dim));
}

/// cat(tensors, dim), or stack(tensors, dim) when `Stack`.
template <bool Stack> LogicalResult importCat(NodeContext &c) {
  FailureOr<SmallVector<Value>> parts = tensorList(c, 0);
  if (failed(parts))
    return failure();
  return emitConcat(c, *parts, c.integer(1).value_or(0), Stack);
}

/// A slice of `x` along `dim`: elements start, start+step, ... below end.
FailureOr<Value> sliceAlong(NodeContext &c, Value x, int64_t dim, int64_t start,
                            int64_t end, int64_t step) {
  auto t = tensorType(x);
  int64_t size = t.getDimSize(dim);
  if (step < 1)
    return c.error() << "step must be positive, got " << step;
  auto clampIndex = [&](int64_t i) {
    if (i < 0)
      i += size;
    return std::min(std::max<int64_t>(i, 0), size);
  };
  start = clampIndex(start);
  end = clampIndex(end);
  int64_t count = end > start ? (end - start + step - 1) / step : 0;
  SmallVector<int64_t> offsets(t.getRank(), 0), sizes(t.getShape()),
      strides(t.getRank(), 1);
  offsets[dim] = count ? start : 0;
  sizes[dim] = count;
  strides[dim] = step;
  if (count == size && step == 1)
    return x;
  return Value(c.create<SliceOp>(t.clone(sizes), x, offsets, sizes, strides));
}

/// slice(self, dim, start, end, step); None means the whole range.
LogicalResult importSlice(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  FailureOr<int64_t> dim = c.dim(c.integer(1).value_or(0), tensorType(*x).getRank());
  if (failed(dim))
    return failure();
  int64_t start = c.isNone(2) ? 0 : c.integer(2).value_or(INT64_MIN);
  int64_t end = c.isNone(3) ? INT64_MAX : c.integer(3).value_or(INT64_MIN);
  if (start == INT64_MIN || end == INT64_MIN)
    return c.error() << "needs constant bounds";
  FailureOr<Value> r = sliceAlong(c, *x, *dim, start, end, c.integer(4).value_or(1));
  return failed(r) ? failure() : c.bind(*r);
}

/// narrow(self, dim, start, length) and select(self, dim, index).
template <bool Select> LogicalResult importNarrow(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  auto t = tensorType(*x);
  FailureOr<int64_t> dim = c.dim(c.integer(1).value_or(0), t.getRank());
  std::optional<int64_t> start = c.integer(2);
  if (failed(dim) || !start)
    return c.error() << "needs a constant dim and index";
  int64_t size = t.getDimSize(*dim);
  int64_t s0 = *start < 0 ? *start + size : *start;
  int64_t length = Select ? 1 : c.integer(3).value_or(-1);
  if (s0 < 0 || length < 0 || s0 + length > size)
    return c.error() << "index " << *start << " (length " << length
                     << ") is out of range for dim " << *dim << " of "
                     << formatType(t);
  FailureOr<Value> r = sliceAlong(c, *x, *dim, s0, s0 + length, 1);
  if (failed(r))
    return failure();
  if (!Select)
    return c.bind(*r);
  SmallVector<int64_t> shape(t.getShape());
  shape.erase(shape.begin() + *dim);
  return c.bind(c.create<ReshapeOp>(t.clone(shape), *r));
}

/// chunk(self, chunks, dim), split(self, split_size, dim),
/// split_with_sizes(self, sizes, dim), unbind(self, dim): a list of slices.
enum class SplitKind { chunk, split, splitWithSizes, unbind };

template <SplitKind Kind> LogicalResult importSplit(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  auto t = tensorType(*x);
  size_t dimIdx = Kind == SplitKind::unbind ? 1 : 2;
  FailureOr<int64_t> dim = c.dim(c.integer(dimIdx).value_or(0), t.getRank());
  if (failed(dim))
    return failure();
  int64_t size = t.getDimSize(*dim);
  SmallVector<int64_t> sizes;
  if (Kind == SplitKind::unbind) {
    sizes.assign(size, 1);
  } else if (Kind == SplitKind::splitWithSizes ||
             (Kind == SplitKind::split && c.intList(1) && !c.integer(1))) {
    sizes = *c.intList(1);
  } else {
    std::optional<int64_t> n = c.integer(1);
    if (!n || *n < 1)
      return c.error() << "needs a positive constant size";
    int64_t piece = Kind == SplitKind::chunk ? (size + *n - 1) / *n : *n;
    for (int64_t off = 0; off < size; off += piece)
      sizes.push_back(std::min(piece, size - off));
  }
  SmallVector<Value> parts;
  int64_t offset = 0;
  for (int64_t s : sizes) {
    FailureOr<Value> p = sliceAlong(c, *x, *dim, offset, offset + s, 1);
    if (failed(p))
      return failure();
    Value v = *p;
    if (Kind == SplitKind::unbind) {
      SmallVector<int64_t> shape(t.getShape());
      shape.erase(shape.begin() + *dim);
      v = c.create<ReshapeOp>(t.clone(shape), v);
    }
    parts.push_back(v);
    offset += s;
  }
  if (offset != size)
    return c.error() << "sizes add up to " << offset << ", not " << size;
  c.im.valueLists[c.node->output()] = parts;
  return success();
}

/// expand(self, size) (-1 keeps a dim) and expand_as(self, other).
template <bool As> LogicalResult importExpand(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  SmallVector<int64_t> shape;
  if constexpr (As) {
    FailureOr<Value> other = c.tensor(1);
    if (failed(other))
      return failure();
    shape.assign(tensorType(*other).getShape().begin(),
                 tensorType(*other).getShape().end());
  } else {
    std::optional<SmallVector<int64_t>> size = c.intList(1);
    if (!size)
      return c.error() << "needs a constant size";
    shape = *size;
  }
  auto in = tensorType(*x).getShape();
  if (shape.size() < in.size())
    return c.error() << "cannot expand " << formatType(tensorType(*x))
                     << " to fewer dims";
  size_t offset = shape.size() - in.size();
  for (size_t i = 0; i < shape.size(); ++i)
    if (shape[i] == -1)
      shape[i] = i >= offset ? in[i - offset] : 1;
  FailureOr<SmallVector<int64_t>> b = broadcastShapes(in, shape);
  if (failed(b) || ArrayRef<int64_t>(*b) != ArrayRef<int64_t>(shape))
    return c.error() << "cannot expand " << formatType(tensorType(*x))
                     << " to the requested shape";
  return c.bind(broadcastTo(c, *x, shape));
}

LogicalResult repeatBy(NodeContext &c, Value x, ArrayRef<int64_t> repeats);

/// repeat(self, repeats).
LogicalResult importRepeat(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  std::optional<SmallVector<int64_t>> reps = c.intList(1);
  if (failed(x) || !reps)
    return c.error() << "needs constant repeats";
  if (reps->size() < static_cast<size_t>(tensorType(*x).getRank()))
    return c.error() << "needs at least one repeat per dim";
  return repeatBy(c, *x, *reps);
}

/// tile(self, dims): repeat, with missing leading repeats 1.
LogicalResult importTile(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  std::optional<SmallVector<int64_t>> dims = c.intList(1);
  if (failed(x) || !dims)
    return c.error() << "needs constant repeats";
  size_t rank = tensorType(*x).getRank();
  SmallVector<int64_t> reps(rank > dims->size() ? rank - dims->size() : 0, 1);
  reps.append(dims->begin(), dims->end());
  return repeatBy(c, *x, reps);
}

/// Tiles by broadcasting a [1, d0, 1, d1, ...] view to [r0, d0, r1, d1,
/// ...] and merging each pair.
LogicalResult repeatBy(NodeContext &c, Value x, ArrayRef<int64_t> repeats) {
  for (int64_t r : repeats)
    if (r < 0)
      return c.error() << "has a negative repeat " << r;
  auto t = tensorType(x);
  SmallVector<int64_t> in(repeats.size() - t.getRank(), 1);
  in.append(t.getShape().begin(), t.getShape().end());
  SmallVector<int64_t> interleaved, tiled, result;
  for (size_t i = 0; i < in.size(); ++i) {
    interleaved.append({1, in[i]});
    tiled.append({repeats[i], in[i]});
    result.push_back(repeats[i] * in[i]);
  }
  Value v = c.create<ReshapeOp>(t.clone(interleaved), x);
  v = broadcastTo(c, v, tiled);
  return c.bind(c.create<ReshapeOp>(t.clone(result), v));
}

/// constant_pad_nd(self, pad, value) and pad(self, pad, mode, value): pad
/// lists [last_low, last_high, second_last_low, ...]; `Functional` for pad.
template <bool Functional> LogicalResult importPad(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  std::optional<SmallVector<int64_t>> pad = c.intList(1);
  if (failed(x) || !pad || pad->size() % 2)
    return c.error() << "needs a constant pad list of even length";
  double value = 0;
  if constexpr (Functional) {
    std::string mode = c.string(2).value_or("constant");
    if (mode != "constant")
      return c.error() << "mode '" << mode << "' is not supported yet";
    value = c.number(3).value_or(0.0);
  } else {
    value = c.number(2).value_or(0.0);
  }
  auto t = tensorType(*x);
  int64_t rank = t.getRank();
  if (static_cast<int64_t>(pad->size()) / 2 > rank)
    return c.error() << "pads more dims than " << formatType(t) << " has";
  SmallVector<int64_t> low(rank, 0), high(rank, 0), shape(t.getShape());
  for (size_t i = 0; i < pad->size() / 2; ++i) {
    int64_t d = rank - 1 - i;
    low[d] = (*pad)[2 * i];
    high[d] = (*pad)[2 * i + 1];
    if (low[d] < 0 || high[d] < 0)
      return c.error() << "with negative padding is not supported yet";
    shape[d] += low[d] + high[d];
  }
  return c.bind(c.create<PadOp>(t.clone(shape), *x, ArrayRef<int64_t>(low),
                                ArrayRef<int64_t>(high), llvm::APFloat(value),
                                DenseI64ArrayAttr()));
}

/// A 1-D i64 constant.
Value indexConstant(NodeContext &c, ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get({static_cast<int64_t>(values.size())},
                                    c.b().getI64Type());
  return c.create<ConstantOp>(DenseElementsAttr::get(type, values));
}

/// The dims of input `i` (an int or a list) made non-negative.
FailureOr<SmallVector<int64_t>> dimList(NodeContext &c, size_t i, int64_t rank) {
  std::optional<SmallVector<int64_t>> dims = c.intList(i);
  if (!dims)
    return c.error() << "needs constant dims", failure();
  for (int64_t &d : *dims) {
    FailureOr<int64_t> n = c.dim(d, rank);
    if (failed(n))
      return failure();
    d = *n;
  }
  return *dims;
}

/// flip(self, dims): a gather of each dim in reverse.
LogicalResult importFlip(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  int64_t rank = tensorType(*x).getRank();
  FailureOr<SmallVector<int64_t>> dims = dimList(c, 1, rank);
  if (failed(dims))
    return failure();
  Value v = *x;
  for (int64_t d : *dims) {
    int64_t n = tensorType(v).getDimSize(d);
    if (rank == 0 || n <= 1)
      continue;
    SmallVector<int64_t> idx;
    for (int64_t i = n - 1; i >= 0; --i)
      idx.push_back(i);
    v = selectAlong(c, v, d, indexConstant(c, idx));
  }
  return c.bind(v);
}

/// roll(self, shifts, dims): element i comes from (i - shift) mod n; with
/// no dims, of the flattened tensor.
LogicalResult importRoll(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  std::optional<SmallVector<int64_t>> shifts = c.intList(1);
  if (failed(x) || !shifts)
    return c.error() << "needs constant shifts";
  auto t = tensorType(*x);
  std::optional<SmallVector<int64_t>> rawDims = c.intList(2);
  Value v = *x;
  SmallVector<int64_t> dims;
  bool flat = !rawDims || rawDims->empty();
  if (flat) {
    if (shifts->size() != 1)
      return c.error() << "without dims takes one shift";
    v = c.create<ReshapeOp>(t.clone({t.getNumElements()}), v);
    dims = {0};
  } else {
    FailureOr<SmallVector<int64_t>> d = dimList(c, 2, t.getRank());
    if (failed(d))
      return failure();
    dims = *d;
    if (dims.size() != shifts->size())
      return c.error() << "has " << shifts->size() << " shifts for "
                       << dims.size() << " dims";
  }
  for (auto [shift, d] : llvm::zip(*shifts, dims)) {
    int64_t n = tensorType(v).getRank() ? tensorType(v).getDimSize(d) : 1;
    if (n <= 1 || shift % n == 0)
      continue;
    SmallVector<int64_t> idx;
    for (int64_t i = 0; i < n; ++i)
      idx.push_back((((i - shift) % n) + n) % n);
    v = selectAlong(c, v, d, indexConstant(c, idx));
  }
  if (flat)
    v = c.create<ReshapeOp>(t, v);
  return c.bind(v);
}

/// repeat_interleave(self, repeats, dim, output_size) with constant
/// repeats (a number, or a constant tensor of one count per element): a
/// gather repeating each index; with no dim, of the flattened tensor.
LogicalResult importRepeatInterleave(NodeContext &c) {
  const auto &args = c.node->schema().arguments();
  if (c.numInputs() < 2 || args.empty() || args[0].name() != "self" ||
      args.size() < 2 || args[1].name() != "repeats")
    return c.error() << "of a repeats tensor alone is not supported";
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  auto t = tensorType(*x);
  Value v = *x;
  int64_t d = 0;
  bool flat = c.numInputs() < 3 || c.isNone(2);
  if (flat) {
    v = c.create<ReshapeOp>(t.clone({t.getNumElements()}), v);
  } else {
    FailureOr<int64_t> n = c.dim(c.integer(2).value_or(0), t.getRank());
    if (failed(n))
      return failure();
    d = *n;
  }
  int64_t n = tensorType(v).getRank() ? tensorType(v).getDimSize(d) : 1;
  SmallVector<int64_t> counts;
  if (std::optional<int64_t> r = c.integer(1)) {
    counts.assign(n, *r);
  } else if (std::optional<c10::IValue> k = c.constant(1); k && k->isTensor()) {
    at::Tensor r = k->toTensor().to(at::kLong).contiguous().view({-1});
    for (int64_t i = 0; i < r.numel(); ++i)
      counts.push_back(r.data_ptr<int64_t>()[i]);
    if (counts.size() == 1)
      counts.assign(n, counts[0]);
  } else {
    return c.error() << "needs constant repeats";
  }
  if (static_cast<int64_t>(counts.size()) != n)
    return c.error() << "has " << counts.size() << " repeats for a dim of "
                     << n;
  SmallVector<int64_t> idx;
  for (int64_t i = 0; i < n; ++i) {
    if (counts[i] < 0)
      return c.error() << "has a negative repeat " << counts[i];
    if (idx.size() + counts[i] > (size_t(1) << 26))
      return c.error() << "repeats to more than 2^26 elements";
    idx.append(counts[i], i);
  }
  if (idx.empty())
    return c.error() << "repeats every element 0 times (an empty result is "
                        "not supported)";
  return c.bind(selectAlong(c, v, d, indexConstant(c, idx)));
}

/// movedim(self, source, destination), ints or lists: a permutation.
LogicalResult importMovedim(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  int64_t rank = tensorType(*x).getRank();
  FailureOr<SmallVector<int64_t>> src = dimList(c, 1, rank),
                                  dst = dimList(c, 2, rank);
  if (failed(src) || failed(dst))
    return failure();
  if (src->size() != dst->size())
    return c.error() << "moves " << src->size() << " dims to "
                     << dst->size() << " places";
  SmallVector<int64_t> perm(rank, -1);
  SmallVector<bool> used(rank, false);
  for (auto [s, d] : llvm::zip(*src, *dst)) {
    if (perm[d] != -1 || used[s])
      return c.error() << "repeats a dim";
    perm[d] = s;
    used[s] = true;
  }
  int64_t next = 0;
  for (int64_t &p : perm) {
    if (p != -1)
      continue;
    while (used[next])
      ++next;
    p = next;
    used[next] = true;
  }
  return transposeWith(c, *x, perm);
}

/// numpy_T: every dim reversed.
LogicalResult importNumpyT(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  if (failed(x))
    return failure();
  SmallVector<int64_t> perm;
  for (int64_t i = tensorType(*x).getRank() - 1; i >= 0; --i)
    perm.push_back(i);
  return transposeWith(c, *x, perm);
}

/// unflatten(self, dim, sizes): dim split into sizes (one may be -1).
LogicalResult importUnflatten(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  std::optional<SmallVector<int64_t>> sizes = c.intList(2);
  if (failed(x) || !sizes)
    return c.error() << "needs constant sizes";
  auto t = tensorType(*x);
  FailureOr<int64_t> d = c.dim(c.integer(1).value_or(0), t.getRank());
  if (failed(d))
    return failure();
  int64_t known = 1, unknown = -1;
  for (auto [i, s] : llvm::enumerate(*sizes)) {
    if (s == -1 && unknown < 0)
      unknown = i;
    else if (s < 0)
      return c.error() << "has an invalid size " << s;
    else
      known *= s;
  }
  if (unknown >= 0)
    (*sizes)[unknown] = known ? t.getDimSize(*d) / known : 0;
  SmallVector<int64_t> shape(t.getShape().take_front(*d));
  shape.append(sizes->begin(), sizes->end());
  shape.append(t.getShape().begin() + *d + 1, t.getShape().end());
  return reshapeTo(c, *x, shape);
}

/// pixel_shuffle(self, r) [.., C*r*r, H, W] -> [.., C, H*r, W*r], and
/// pixel_unshuffle back: a reshape, a permutation, a reshape.
template <bool Unshuffle> LogicalResult importPixelShuffle(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  FailureOr<int64_t> r = c.require(c.integer(1), 1, "factor");
  if (failed(x) || failed(r))
    return failure();
  auto t = tensorType(*x);
  int64_t rank = t.getRank(), f = *r;
  if (rank < 3 || f < 1)
    return c.error() << "needs a tensor of rank 3 or more and a positive "
                        "factor, got "
                     << formatType(t) << " and " << f;
  SmallVector<int64_t> batch(t.getShape().take_front(rank - 3));
  int64_t ch = t.getDimSize(rank - 3), h = t.getDimSize(rank - 2),
          w = t.getDimSize(rank - 1);
  int64_t b = batch.size();
  SmallVector<int64_t> split(batch), perm, out(batch);
  for (int64_t i = 0; i < b; ++i)
    perm.push_back(i);
  if (!Unshuffle) {
    if (ch % (f * f))
      return c.error() << "needs channels divisible by " << f * f << ", got "
                       << ch;
    // [C, r, r, H, W] -> [C, H, r, W, r]
    split.append({ch / (f * f), f, f, h, w});
    for (int64_t p : {0, 3, 1, 4, 2})
      perm.push_back(b + p);
    out.append({ch / (f * f), h * f, w * f});
  } else {
    if (h % f || w % f)
      return c.error() << "needs height and width divisible by " << f;
    // [C, H/r, r, W/r, r] -> [C, r, r, H/r, W/r]
    split.append({ch, h / f, f, w / f, f});
    for (int64_t p : {0, 2, 4, 1, 3})
      perm.push_back(b + p);
    out.append({ch * f * f, h / f, w / f});
  }
  Value v = c.create<ReshapeOp>(t.clone(split), *x);
  SmallVector<Type> types;
  if (failed(inferTransposeType(c.loc, v.getType(), perm, types)))
    return failure();
  v = c.create<TransposeOp>(types[0], v, perm);
  return reshapeTo(c, v, out);
}

/// channel_shuffle(self, groups): [N, g, C/g, ...] with the two swapped.
LogicalResult importChannelShuffle(NodeContext &c) {
  FailureOr<Value> x = c.tensor(0);
  FailureOr<int64_t> g = c.require(c.integer(1), 1, "groups");
  if (failed(x) || failed(g))
    return failure();
  auto t = tensorType(*x);
  if (t.getRank() < 2 || *g < 1 || t.getDimSize(1) % *g)
    return c.error() << "needs channels divisible by groups " << *g
                     << ", got " << formatType(t);
  SmallVector<int64_t> split = {t.getDimSize(0), *g, t.getDimSize(1) / *g};
  split.append(t.getShape().begin() + 2, t.getShape().end());
  SmallVector<int64_t> perm = {0, 2, 1};
  for (int64_t i = 3; i < static_cast<int64_t>(split.size()); ++i)
    perm.push_back(i);
  Value v = c.create<ReshapeOp>(t.clone(split), *x);
  SmallVector<Type> types;
  if (failed(inferTransposeType(c.loc, v.getType(), perm, types)))
    return failure();
  v = c.create<TransposeOp>(types[0], v, perm);
  return reshapeTo(c, v, t.getShape());
}

/// broadcast_tensors(tensors): each broadcast to the common shape.
LogicalResult importBroadcastTensors(NodeContext &c) {
  FailureOr<SmallVector<Value>> xs = tensorList(c, 0);
  if (failed(xs))
    return failure();
  SmallVector<int64_t> shape;
  for (Value x : *xs) {
    FailureOr<SmallVector<int64_t>> b =
        broadcastShapes(shape, tensorType(x).getShape());
    if (failed(b))
      return c.error() << "cannot broadcast " << formatType(tensorType(x))
                       << " with the others";
    shape = *b;
  }
  SmallVector<Value> parts;
  for (Value x : *xs)
    parts.push_back(broadcastTo(c, x, shape));
  c.im.valueLists[c.node->output()] = parts;
  return success();
}

} // namespace

void mlir::kiln::detail::registerDataMovementOps(OpRegistry &registry) {
  registry.family("Shapes and data movement")
      .add("aten::view", importView)
      .add("aten::reshape", importView)
      .add("aten::flatten", importFlatten)
      .add("aten::squeeze", importSqueeze)
      .add("aten::unsqueeze", importUnsqueeze)
      .add("aten::permute", importPermute)
      .add("aten::transpose", importTranspose)
      .add("aten::t", importT)
      .add("aten::cat", importCat<false>)
      .add("aten::stack", importCat<true>)
      .add("aten::expand", importExpand<false>)
      .add("aten::expand_as", importExpand<true>)
      .add("aten::repeat", importRepeat)
      .add("aten::tile", importTile)
      .add("aten::constant_pad_nd", importPad<false>)
      .add("aten::pad", importPad<true>)
      .add("aten::slice", importSlice)
      .add("aten::narrow", importNarrow<false>)
      .add("aten::select", importNarrow<true>)
      .add("aten::chunk", importSplit<SplitKind::chunk>)
      .add("aten::unsafe_chunk", importSplit<SplitKind::chunk>)
      .add("aten::split", importSplit<SplitKind::split>)
      .add("aten::split_with_sizes", importSplit<SplitKind::splitWithSizes>)
      .add("aten::unbind", importSplit<SplitKind::unbind>)
      .add("aten::broadcast_to", importExpand<false>)
      .add("aten::broadcast_tensors", importBroadcastTensors)
      .add("aten::flip", importFlip)
      .add("aten::roll", importRoll)
      .add("aten::repeat_interleave", importRepeatInterleave)
      .add("aten::movedim", importMovedim)
      .add("aten::numpy_T", importNumpyT)
      .add("aten::unflatten", importUnflatten)
      .add("aten::pixel_shuffle", importPixelShuffle<false>)
      .add("aten::pixel_unshuffle", importPixelShuffle<true>)
      .add("aten::channel_shuffle", importChannelShuffle);
}
