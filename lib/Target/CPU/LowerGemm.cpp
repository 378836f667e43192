//===- LowerGemm.cpp - Tagged contractions to kiln_sgemm calls ------------===//
//
// Runs on bufferized code. A linalg.generic tagged `kiln.gemm` by the
// lowering (C += A * B over one reduction dim) becomes a call of the
// runtime's packed, register-blocked, multi-threaded kiln_sgemm. The loop
// dims are classified by the operands they index:
//   k: reduction, in A and B      m: in A and C       n: in B and C
//   batch: in A, B and C
// (dims of extent 1 do not matter). Several dims of a class merge into one
// when the strides allow (a [B, T, K] linear input is a [B*T, K] matrix);
// the others become loops around the call. C's rows must be contiguous
// along n; when they are contiguous along m instead, A and B swap roles
// (C^T = B^T A^T). Anything else (f64, a non-contiguous C) keeps its loops.
//
// Each call with m > 1 gets packing space as a memref.alloc, which
// --kiln-plan-memory then places in the workspace. When B is a constant
// (a linear's weight), it is packed here, once, into the panels kiln_sgemm
// reads (NR columns wide, K rows, zero-padded), stored as a new global:
// the packing then costs nothing per call. Otherwise a constant A (a
// convolution's weight, multiplying its im2col matrix) is packed the same
// way into panels MR rows high.
//
//===----------------------------------------------------------------------===//
#include "RuntimeCalls.h"
#include "kiln/Target/CPU/Passes.h"
#include "kiln/Conversion/Tags.h"
#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "kiln/Transforms/ConstantData.h"
#include "kiln/runtime.h"

#include <array>

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/SymbolTable.h"

#include "llvm/ADT/SetVector.h"


namespace mlir::kiln {
#define GEN_PASS_DEF_KILNLOWERGEMM
#include "kiln/Target/CPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {


/// One loop dim: its extent and its stride (elements) in A, B and C, or
/// nullopt where the operand does not read it.
struct Dim {
  int64_t extent;
  std::optional<int64_t> a, b, c;
};

/// A merged dim class: extent and strides.
struct Axis {
  int64_t extent = 1;
  int64_t a = 0, b = 0, c = 0;
};

/// Strides (per loop dim) of an operand indexed by `map`, a projected
/// permutation; nullopt entries for dims it does not read.
std::optional<SmallVector<std::optional<int64_t>>>
loopStrides(AffineMap map, ArrayRef<int64_t> strides, unsigned numLoops) {
  SmallVector<std::optional<int64_t>> out(numLoops);
  for (auto [i, e] : llvm::enumerate(map.getResults())) {
    auto d = dyn_cast<AffineDimExpr>(e);
    if (!d)
      return std::nullopt;
    out[d.getPosition()] = strides[i];
  }
  return out;
}

/// Merges `dims` (one class) into as few axes as the strides allow: sorted
/// by `key` stride, outer into inner when outer = extent(inner) * inner for
/// every operand that reads them.
SmallVector<Axis> mergeClass(SmallVector<Dim> dims,
                             function_ref<int64_t(const Dim &)> key) {
  llvm::sort(dims, [&](const Dim &x, const Dim &y) { return key(x) > key(y); });
  SmallVector<Axis> axes;
  for (const Dim &d : dims) {
    Axis a{d.extent, d.a.value_or(0), d.b.value_or(0), d.c.value_or(0)};
    if (!axes.empty()) {
      Axis &outer = axes.back();
      auto fits = [&](int64_t o, int64_t i) { return o == a.extent * i; };
      if (fits(outer.a, a.a) && fits(outer.b, a.b) && fits(outer.c, a.c)) {
        outer = Axis{outer.extent * a.extent, a.a, a.b, a.c};
        continue;
      }
    }
    axes.push_back(a);
  }
  return axes;
}

struct Plan {
  Axis m, n, k;
  SmallVector<Axis> batch; // loops (all but the last) + runtime batch (last)
  bool swapped = false;    // A and B exchanged (C^T = B^T A^T)
};

std::optional<Plan> plan(linalg::GenericOp g) {
  if (g.getNumDpsInputs() != 2 || g.getNumDpsInits() != 1)
    return std::nullopt;
  Value a = g.getDpsInputOperand(0)->get(), b = g.getDpsInputOperand(1)->get(),
        c = g.getDpsInitOperand(0)->get();
  auto sa = staticStrides(a), sb = staticStrides(b), sc = staticStrides(c);
  if (!sa || !sb || !sc)
    return std::nullopt;
  unsigned numLoops = g.getNumLoops();
  SmallVector<AffineMap> maps = g.getIndexingMapsArray();
  auto la = loopStrides(maps[0], *sa, numLoops),
       lb = loopStrides(maps[1], *sb, numLoops),
       lc = loopStrides(maps[2], *sc, numLoops);
  if (!la || !lb || !lc)
    return std::nullopt;
  SmallVector<int64_t> ranges = g.getStaticLoopRanges();
  auto iterators = g.getIteratorTypesArray();
  SmallVector<Dim> ms, ns, ks, bs;
  for (unsigned d = 0; d < numLoops; ++d) {
    if (ShapedType::isDynamic(ranges[d]))
      return std::nullopt;
    if (ranges[d] == 1)
      continue;
    Dim dim{ranges[d], (*la)[d], (*lb)[d], (*lc)[d]};
    bool inA = dim.a.has_value(), inB = dim.b.has_value(),
         inC = dim.c.has_value();
    bool reduction = iterators[d] == utils::IteratorType::reduction;
    if (reduction && inA && inB && !inC)
      ks.push_back(dim);
    else if (!reduction && inA && inC && !inB)
      ms.push_back(dim);
    else if (!reduction && inB && inC && !inA)
      ns.push_back(dim);
    else if (!reduction && inA && inB && inC)
      bs.push_back(dim);
    else
      return std::nullopt;
  }
  Plan p;
  SmallVector<Axis> mAxes = mergeClass(ms, [](const Dim &d) { return *d.c; });
  SmallVector<Axis> nAxes = mergeClass(ns, [](const Dim &d) { return *d.c; });
  SmallVector<Axis> kAxes = mergeClass(ks, [](const Dim &d) { return *d.a; });
  if (kAxes.size() > 1)
    return std::nullopt;
  if (!kAxes.empty())
    p.k = kAxes.front();
  // The innermost (smallest C stride) axis of m and n is the matrix dim;
  // outer ones become loops.
  auto take = [](SmallVector<Axis> &axes) {
    if (axes.empty())
      return Axis{};
    Axis inner = axes.back();
    axes.pop_back();
    return inner;
  };
  p.m = take(mAxes);
  p.n = take(nAxes);
  p.batch = mergeClass(bs, [](const Dim &d) { return *d.c; });
  // Outer m/n axes iterate like batch dims (with a zero stride in the
  // operand that does not read them).
  llvm::append_range(p.batch, mAxes);
  llvm::append_range(p.batch, nAxes);
  // C(i, j) must be contiguous along j.
  if (p.n.extent > 1 && p.n.c != 1) {
    if (p.m.extent > 1 && p.m.c == 1) {
      std::swap(p.m, p.n);
      for (Axis *x : {&p.m, &p.n, &p.k})
        std::swap(x->a, x->b);
      for (Axis &x : p.batch)
        std::swap(x.a, x.b);
      p.swapped = true;
    } else {
      return std::nullopt;
    }
  }
  return p;
}

/// The constant global `v` reads, through reshaping views that keep the
/// data in place, or null.
memref::GlobalOp constantGlobal(Value v, ModuleOp module) {
  while (Operation *def = v.getDefiningOp()) {
    if (auto get = dyn_cast<memref::GetGlobalOp>(def)) {
      auto global = module.lookupSymbol<memref::GlobalOp>(get.getName());
      if (global && global.getConstant() && global.getInitialValue())
        return global;
      return nullptr;
    }
    if (isa<memref::ExpandShapeOp, memref::CollapseShapeOp>(def)) {
      v = def->getOperand(0);
      continue;
    }
    return nullptr;
  }
  return nullptr;
}


/// Whether `v` views all of its root, contiguous, from element 0.
bool wholeContiguous(Value v) {
  auto type = dyn_cast<MemRefType>(v.getType());
  auto root = dyn_cast<MemRefType>(viewRoot(v).getType());
  if (!type || !root || !type.getElementType().isF32() ||
      !memref::isStaticShapeAndContiguousRowMajor(type) ||
      !memref::isStaticShapeAndContiguousRowMajor(root) ||
      type.getNumElements() != root.getNumElements())
    return false;
  SmallVector<int64_t> strides;
  int64_t offset;
  return succeeded(type.getStridesAndOffset(strides, offset)) && offset == 0;
}

/// Ops that can sit between a product and its bias or epilogue: views,
/// allocations, constants and loop nests or copies of other buffers.
bool neutral(Operation *op, Value root) {
  if (isa<memref::ExpandShapeOp, memref::CollapseShapeOp, memref::SubViewOp,
          memref::AllocOp, arith::ConstantOp>(op))
    return true;
  return isa<linalg::GenericOp, linalg::FillOp, memref::CopyOp>(op) &&
         !touches(op, root);
}

/// The tagged generic that writes the whole of C (root `root`) first
/// before `g` (searching backwards) or consumes it next after `g`.
linalg::GenericOp taggedNeighbour(linalg::GenericOp g, Value root,
                                  StringRef tag, bool before) {
  Operation *op = before ? g->getPrevNode() : g->getNextNode();
  while (op && neutral(op, root))
    op = before ? op->getPrevNode() : op->getNextNode();
  auto gen = dyn_cast_or_null<linalg::GenericOp>(op);
  if (!gen || !gen->hasAttr(tag) || gen.getNumDpsInits() != 1 ||
      !gen.hasPureBufferSemantics())
    return nullptr;
  Value out = gen.getDpsInitOperand(0)->get();
  if (viewRoot(out) != root || !wholeContiguous(out))
    return nullptr;
  return gen;
}

/// The strides of a bias-init generic's input along C's axes, each given
/// as (C stride, extent): bias(C at sum idx * stride) = bias[sum idx * k].
std::optional<SmallVector<int64_t>>
biasStrides(linalg::GenericOp init, ArrayRef<std::pair<int64_t, int64_t>> axes) {
  if (init.getNumDpsInputs() != 1)
    return std::nullopt;
  Value bias = init.getDpsInputOperand(0)->get();
  Value out = init.getDpsInitOperand(0)->get();
  auto bs = staticStrides(bias), os = staticStrides(out);
  if (!bs || !os)
    return std::nullopt;
  AffineMap map = init.getIndexingMapsArray()[0];
  ArrayRef<int64_t> shape = cast<MemRefType>(out.getType()).getShape();
  SmallVector<int64_t> perDim(shape.size(), 0);
  for (auto [r, e] : llvm::enumerate(map.getResults())) {
    if (auto d = dyn_cast<AffineDimExpr>(e))
      perDim[d.getPosition()] += (*bs)[r];
    else if (!isa<AffineConstantExpr>(e))
      return std::nullopt;
  }
  SmallVector<int64_t> k(axes.size(), 0);
  SmallVector<bool> seen(axes.size(), false);
  for (auto [d, extent] : llvm::enumerate(shape)) {
    if (extent == 1)
      continue;
    int64_t sd = (*os)[d];
    std::optional<unsigned> axis;
    for (auto [ai, ax] : llvm::enumerate(axes))
      if (ax.first > 0 && sd % ax.first == 0 && sd / ax.first < ax.second) {
        if (axis)
          return std::nullopt; // in two axes
        axis = ai;
      }
    if (!axis)
      return std::nullopt;
    int64_t q = sd / axes[*axis].first;
    if (perDim[d] % q != 0)
      return std::nullopt;
    int64_t ka = perDim[d] / q;
    if (seen[*axis] && k[*axis] != ka)
      return std::nullopt;
    seen[*axis] = true;
    k[*axis] = ka;
  }
  return k;
}

/// A tagged epilogue kiln_sgemm applies: act, lo, hi, and the residual
/// (a whole contiguous buffer of C's size) or null.
struct EpilogueMatch {
  linalg::GenericOp op;
  int64_t act = 0;
  float lo = 0, hi = 0;
  Value residual;
};

std::optional<EpilogueMatch> matchEpilogue(linalg::GenericOp epi) {
  auto kind = epi->getAttrOfType<EpilogueAttr>(kEpilogueTag);
  if (!kind || !llvm::all_of(epi.getIndexingMapsArray(),
                             [](AffineMap m) { return m.isIdentity(); }))
    return std::nullopt;
  EpilogueMatch m{epi, static_cast<int64_t>(kind.getAct()),
                  static_cast<float>(kind.getLo().getValueAsDouble()),
                  static_cast<float>(kind.getHi().getValueAsDouble()), nullptr};
  int64_t r = kind.getResidual();
  if (r >= 0) {
    if (r >= epi.getNumDpsInputs() || epi.getNumDpsInputs() != 1)
      return std::nullopt;
    m.residual = epi.getDpsInputOperand(r)->get();
    if (!wholeContiguous(m.residual))
      return std::nullopt;
  } else if (epi.getNumDpsInputs() != 0) {
    return std::nullopt;
  }
  return m;
}

/// A convolution's im2col copy that only the product reads: the product
/// can read the windows of the copy's input in place (kiln_sgemm_conv).
struct Im2col {
  linalg::GenericOp copy;
  Value input; // [N, C, H, W], padded
  SmallVector<int64_t> in; // its strides
  int64_t g, cg, kh, kw, oh, ow;
  std::array<int64_t, 4> geometry; // stride h, w, dilation h, w
};

/// The im2col copy B (a collapse_shape of the copy's [N, G, C/G, KH, KW,
/// OH, OW] buffer) comes from, when nothing else reads that buffer.
std::optional<Im2col> findIm2col(Value bm) {
  auto collapse = bm.getDefiningOp<memref::CollapseShapeOp>();
  if (!collapse || !collapse->hasOneUse())
    return std::nullopt;
  Value buf = collapse.getSrc();
  linalg::GenericOp copy;
  for (Operation *user : buf.getUsers()) {
    if (user == collapse)
      continue;
    auto gen = dyn_cast<linalg::GenericOp>(user);
    if (!gen || copy || !gen->hasAttr(kIm2colTag) ||
        gen.getNumDpsInits() != 1 || gen.getDpsInitOperand(0)->get() != buf)
      return std::nullopt;
    copy = gen;
  }
  auto type = dyn_cast<MemRefType>(buf.getType());
  if (!copy || !type || type.getRank() != 7 ||
      copy->getBlock() != collapse->getBlock())
    return std::nullopt;
  auto geometry = copy->getAttrOfType<Im2colAttr>(kIm2colTag);
  Value input = copy.getDpsInputOperand(0)->get();
  std::optional<SmallVector<int64_t>> strides = staticStrides(input);
  if (!geometry || !strides || strides->size() != 4)
    return std::nullopt;
  ArrayRef<int64_t> shape = type.getShape();
  ArrayRef<int64_t> stride = geometry.getStride(),
                    dilation = geometry.getDilation();
  return Im2col{copy,     input,    *strides, shape[1], shape[2],
                shape[3], shape[4], shape[5], shape[6],
                {stride[0], stride[1], dilation[0], dilation[1]}};
}

/// The input stride of a batch axis of B in a convolution's product: B's
/// batch dims are N (stride G*R*P) and G (R*P), the input's N (in[0]) and
/// channel groups (C/G * in[1]); nullopt if the axis is neither (or a
/// merged N x G the input's layout does not merge).
std::optional<int64_t> im2colBatchStride(const Im2col &c, const Axis &axis) {
  int64_t rp = c.cg * c.kh * c.kw * c.oh * c.ow;
  if (axis.b == 0)
    return 0;
  if (c.g == 1)
    return axis.b == rp ? std::optional<int64_t>(c.in[0]) : std::nullopt;
  if (axis.b == c.g * rp)
    return c.in[0];
  if (axis.b != rp)
    return std::nullopt;
  if (axis.extent > c.g && c.in[0] != c.g * c.cg * c.in[1])
    return std::nullopt;
  return c.cg * c.in[1];
}

struct KilnLowerGemm : public kiln::impl::KilnLowerGemmBase<KilnLowerGemm> {
  using kiln::impl::KilnLowerGemmBase<KilnLowerGemm>::KilnLowerGemmBase;

  /// An operand packed at compile time in panels of `width` rows (A) or
  /// columns (B): for each panel, k steps of `width` values, zero-padded;
  /// a new constant global (shared by products that pack the same way).
  /// `outer` is the m (A) or n (B) axis; the strides used are the operand's.
  memref::GlobalOp packed(memref::GlobalOp source, const Plan &p,
                          const Axis &batch, bool isA, int64_t width) {
    const Axis &outerAxis = isA ? p.m : p.n;
    auto stride = [&](const Axis &x) { return isA ? x.a : x.b; };
    int64_t ks = stride(p.k), os = stride(outerAxis), bs = stride(batch);
    std::string key = (source.getSymName() + "|" + (isA ? "A" : "B") + "|" +
                       Twine(p.k.extent) + "x" + Twine(outerAxis.extent) + "x" +
                       Twine(batch.extent) + "|" + Twine(ks) + "," + Twine(os) +
                       "," + Twine(bs) + "|" + Twine(width))
                          .str();
    auto it = packedGlobals.find(key);
    if (it != packedGlobals.end())
      return it->second;
    std::optional<ConstantData> data = ConstantData::read(
        cast<ElementsAttr>(*source.getInitialValue()));
    if (!data)
      return nullptr;
    int64_t k = p.k.extent, n = outerAxis.extent, nr = width;
    int64_t panels = (n + nr - 1) / nr, perBatch = panels * k * nr;
    std::vector<float> packed(batch.extent * perBatch, 0.0f);
    for (int64_t bi = 0; bi < batch.extent; ++bi)
      for (int64_t j = 0; j < n; ++j)
        for (int64_t q = 0; q < k; ++q)
          packed[bi * perBatch + (j / nr) * k * nr + q * nr + j % nr] =
              static_cast<float>(data->values[bi * bs + q * ks + j * os]);
    ModuleOp module = getOperation();
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    MLIRContext *ctx = module.getContext();
    auto tensorType = RankedTensorType::get(
        {static_cast<int64_t>(packed.size())}, Float32Type::get(ctx));
    std::string name =
        (source.getSymName() + "_packed" + (isA ? "A" : "") + Twine(nr)).str();
    ArrayRef<char> raw(reinterpret_cast<const char *>(packed.data()),
                       packed.size() * sizeof(float));
    auto value = DenseResourceElementsAttr::get(
        tensorType, name,
        HeapAsmResourceBlob::allocateAndCopyWithAlign(raw, /*align=*/64,
                                                      /*dataIsMutable=*/false));
    auto global = memref::GlobalOp::create(
        b, module.getLoc(), name, b.getStringAttr("private"),
        MemRefType::get(tensorType.getShape(), tensorType.getElementType()),
        value, /*constant=*/true, b.getI64IntegerAttr(64));
    SymbolTable(module).insert(global); // unique name
    packedGlobals[key] = global;
    packedSources.insert(source);
    numPrepacked++;
    return global;
  }

  void lower(linalg::GenericOp g, const Plan &p, int64_t numThreads,
             int64_t packNR, int64_t packMR) {
    OpBuilder b(g);
    Location loc = g.getLoc();
    Value a = g.getDpsInputOperand(0)->get(), bm = g.getDpsInputOperand(1)->get(),
          c = g.getDpsInitOperand(0)->get();
    if (p.swapped)
      std::swap(a, bm);

    // Loops over all batch axes but the last, which the runtime iterates.
    SmallVector<Axis> loops(p.batch.begin(), p.batch.end());
    Axis inner;
    if (!loops.empty()) {
      inner = loops.back();
      loops.pop_back();
    }
    // The bias C starts at (a tagged generic just before) and the epilogue
    // (just after) go into the call when C is a whole contiguous buffer:
    // kiln_sgemm applies them to each micro-tile while it is in L1, instead
    // of passes over all of C.
    linalg::GenericOp biasInit;
    SmallVector<int64_t> biasK;
    std::optional<EpilogueMatch> epi;
    Value cRoot = viewRoot(c);
    // (Tiny products keep their loops: inline, they cost less than the
    // call's setup; MyCell's 3x4 linear went 0.052 -> 0.063 us.)
    int64_t macs = p.m.extent * p.n.extent * p.k.extent;
    if (fuseEpilogues && wholeContiguous(c) &&
        macs * inner.extent > KILN_SGEMM_TINY) {
      SmallVector<std::pair<int64_t, int64_t>> axes = {
          {p.m.c, p.m.extent}, {1, p.n.extent}, {inner.c, inner.extent}};
      for (const Axis &l : loops)
        axes.push_back({l.c, l.extent});
      if ((biasInit = taggedNeighbour(g, cRoot, kBiasInitTag, true))) {
        if (auto k = biasStrides(biasInit, axes))
          biasK = *k;
        else
          biasInit = nullptr;
      }
      if (auto next = taggedNeighbour(g, cRoot, kEpilogueTag, false))
        epi = matchEpilogue(next);
      // Nothing between the product and the epilogue may write the
      // residual the call now reads earlier.
      if (epi && epi->residual) {
        Value rRoot = viewRoot(epi->residual);
        for (Operation *op = g->getNextNode(); op && op != epi->op;
             op = op->getNextNode())
          if (!isa<memref::ExpandShapeOp, memref::CollapseShapeOp,
                   memref::SubViewOp>(op) &&
              touches(op, rRoot))
            epi.reset();
      }
    }
    int64_t bPackedNR = 0, bBatchStride = inner.b;
    int64_t aPackedMR = 0, aBatchStride = inner.a;
    // B as a convolution's windows, read from its input in place: B's
    // batch strides become the input's.
    std::optional<Im2col> conv;
    SmallVector<int64_t> loopB;
    for (const Axis &l : loops)
      loopB.push_back(l.b);
    if (im2colInPlace && !p.swapped && p.m.extent > 1 &&
        macs > KILN_SGEMM_TINY)
      conv = findIm2col(bm);
    if (conv) {
      int64_t r = conv->cg * conv->kh * conv->kw, q = conv->oh * conv->ow;
      std::optional<int64_t> innerStride = im2colBatchStride(*conv, inner);
      bool ok = p.k.extent == r && p.k.b == q && p.n.extent == q &&
                p.n.b == 1 && innerStride;
      for (auto [i, l] : llvm::enumerate(loops)) {
        std::optional<int64_t> st = ok ? im2colBatchStride(*conv, l)
                                       : std::nullopt;
        ok = ok && st;
        if (st)
          loopB[i] = *st;
      }
      if (ok) {
        bBatchStride = *innerStride;
        bm = conv->input;
      } else {
        conv.reset();
      }
    }
    // Few positions (7x7, 14x14 outputs) pad 32-wide panels badly: the
    // product is then computed transposed, positions as 8- or 12-row tiles
    // and the weight in 32-wide panels (with A's layout), when that pads at
    // least 10% less. Measured on resnet18's 7x7 layers alone: 192 -> 218
    // GFLOP/s; its 14x14 ones gained nothing alone but 2% of the whole
    // model in place (18.2 -> 17.7 ms). Beyond 256 positions the scratch
    // product grows and nothing was measured.
    bool transposed = false;
    // A 1x1, stride-1 convolution (B: its input, rows of n positions) with
    // few positions runs the same way, positions as 7- to 14-row tiles
    // (kiln_sgemm_pointwise_mr) that the runtime transposes into C, when
    // that pads at least 10% less than B's panels (49 positions: none
    // instead of 15; mobilenet_v2's 1280x49x320 204 -> 160 us).
    bool pointwiseRows = false;
    if (!conv && im2colInPlace && packNR == KILN_SGEMM_NR && prepackWeights &&
        !p.swapped && loops.empty() && p.m.extent > 1 &&
        macs > KILN_SGEMM_TINY && p.n.b == 1 && p.n.extent <= 256 &&
        (!biasInit || biasK[1] == 0) && constantGlobal(a, getOperation())) {
      int64_t n = p.n.extent, mr = kiln_sgemm_pointwise_mr(n);
      int64_t rows = (n + mr - 1) / mr * mr;
      int64_t cols = n / 32 * 32 + (n % 32 == 0 ? 0 : n % 32 <= 16 ? 16 : 32);
      if (10 * rows <= 9 * cols) {
        conv = Im2col{nullptr, bm, {bBatchStride, p.k.b, n, 1},
                      1, p.k.extent, 1, 1, 1, n, {1, 1, 1, 1}};
        pointwiseRows = transposed = true;
        packMR = KILN_SGEMM_NR;
      }
    }
    if (conv && !pointwiseRows && packNR == KILN_SGEMM_NR) {
      auto up = [](int64_t v, int64_t t) { return (v + t - 1) / t * t; };
      auto rows = [&](int64_t v) { return up(v, kiln_sgemm_avx512_mr(v)); };
      int64_t m = p.m.extent, n = p.n.extent;
      transposed = kiln_sgemm_conv_applies_transposed(m, n, p.k.extent, 1) &&
                   n <= 256 &&
                   10 * rows(n) * up(m, KILN_SGEMM_NR) <=
                       9 * rows(m) * up(n, KILN_SGEMM_NR);
      if (transposed)
        packMR = KILN_SGEMM_NR;
    }
    // Packing space, placed in the workspace by --kiln-plan-memory.
    int64_t packBytes =
        conv ? kiln_sgemm_conv_pack_bytes(p.m.extent, p.n.extent, p.k.extent,
                                          numThreads, transposed)
             : numThreads * kiln_sgemm_pack_bytes(p.m.extent, p.n.extent,
                                                  p.k.extent);
    Value pack;
    if (packBytes > 0)
      pack = memref::AllocOp::create(
          b, loc, MemRefType::get({packBytes}, b.getI8Type()));
    // A constant B (weights) is packed now rather than on every call; else
    // a constant A (m > 1: a matrix-vector product packs nothing).
    if (prepackWeights && loops.empty() && macs > KILN_SGEMM_TINY) {
      if (memref::GlobalOp source =
              conv ? nullptr : constantGlobal(bm, getOperation())) {
        if (memref::GlobalOp global = packed(source, p, inner, false, packNR)) {
          bPackedNR = packNR;
          bBatchStride =
              ((p.n.extent + packNR - 1) / packNR) * p.k.extent * packNR;
          bm = memref::GetGlobalOp::create(b, loc, global.getType(),
                                           global.getSymName());
        }
      } else if (p.m.extent > 1) {
        if (memref::GlobalOp source = constantGlobal(a, getOperation()))
          if (memref::GlobalOp global = packed(source, p, inner, true, packMR)) {
            aPackedMR = packMR;
            aBatchStride =
                ((p.m.extent + packMR - 1) / packMR) * p.k.extent * packMR;
            a = memref::GetGlobalOp::create(b, loc, global.getType(),
                                            global.getSymName());
          }
      }
    }
    Value offA = indexConst(b, loc, 0), offB = offA, offC = offA, offBias = offA;
    for (auto [li, l] : llvm::enumerate(loops)) {
      auto loop = scf::ForOp::create(b, loc, indexConst(b, loc, 0),
                                     indexConst(b, loc, l.extent), indexConst(b, loc, 1));
      b.setInsertionPointToStart(loop.getBody());
      Value iv = loop.getInductionVar();
      auto step = [&](Value off, int64_t stride) -> Value {
        if (stride == 0)
          return off;
        return arith::AddIOp::create(
            b, loc, off,
            arith::MulIOp::create(b, loc, iv, indexConst(b, loc, stride)));
      };
      offA = step(offA, l.a);
      offB = step(offB, loopB[li]);
      offC = step(offC, l.c);
      if (biasInit)
        offBias = step(offBias, biasK[3 + li]);
    }
    auto i64 = [&](int64_t v) {
      return arith::ConstantIntOp::create(b, loc, v, 64).getResult();
    };
    Value packAddr =
        pack ? elementAddress(b, loc, pack, indexConst(b, loc, 0)) : i64(0);
    ModuleOp module = getOperation();
    // kiln_sgemm_epi's epilogue arguments (zeros: none).
    SmallVector<Value> epiArgs = {
        biasInit ? elementAddress(b, loc, biasInit.getDpsInputOperand(0)->get(),
                           offBias)
                 : i64(0),
        i64(biasInit ? biasK[2] : 0), i64(biasInit ? biasK[0] : 0),
        i64(biasInit ? biasK[1] : 0),
        epi && epi->residual ? elementAddress(b, loc, epi->residual, offC) : i64(0),
        i64(inner.c), i64(p.m.c), i64(epi ? epi->act : 0),
        i64(epi ? floatBits(epi->lo) : 0), i64(epi ? floatBits(epi->hi) : 0)};
    auto eraseFused = [&] {
      if (biasInit) {
        biasInit.erase();
        numFusedBias++;
      }
      if (epi) {
        epi->op.erase();
        numFusedEpilogues++;
      }
    };
    if (conv) {
      ArrayRef<int64_t> geo = conv->geometry;
      SmallVector<Value> args = {
          i64(inner.extent), i64(p.m.extent), i64(p.n.extent),
          i64(p.k.extent), elementAddress(b, loc, a, offA), i64(aBatchStride),
          i64(p.m.a), i64(p.k.a), elementAddress(b, loc, bm, offB),
          i64(bBatchStride), i64(conv->in[1]), i64(conv->in[2]),
          i64(conv->in[3]), i64(conv->kh), i64(conv->kw), i64(conv->ow),
          i64(geo[0]), i64(geo[1]), i64(geo[2]), i64(geo[3]),
          elementAddress(b, loc, c, offC), i64(inner.c), i64(p.m.c), packAddr,
          i64(numThreads), i64(aPackedMR), i64(transposed ? 1 : 0)};
      llvm::append_range(args, epiArgs);
      callRuntime(b, loc, module, RuntimeFn::kiln_sgemm_conv, args);
      g.erase();
      if (conv->copy)
        conv->copy.erase();
      eraseFused();
      if (pointwiseRows)
        numPointwiseRows++;
      else
        numIm2colInPlace++;
      return;
    }
    SmallVector<Value> args = {
        i64(inner.extent), i64(p.m.extent), i64(p.n.extent), i64(p.k.extent),
        elementAddress(b, loc, a, offA), i64(aBatchStride), i64(p.m.a), i64(p.k.a),
        elementAddress(b, loc, bm, offB), i64(bBatchStride), i64(p.k.b), i64(p.n.b),
        elementAddress(b, loc, c, offC), i64(inner.c), i64(p.m.c),
        packAddr, i64(numThreads), i64(bPackedNR), i64(aPackedMR)};
    if (biasInit || epi) {
      llvm::append_range(args, epiArgs);
      callRuntime(b, loc, module, RuntimeFn::kiln_sgemm_epi, args);
    } else {
      callRuntime(b, loc, module, RuntimeFn::kiln_sgemm, args);
    }
    g.erase();
    eraseFused();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    int64_t numThreads = resolveThreads(threads);
    SmallVector<std::pair<linalg::GenericOp, Plan>> work;
    module.walk([&](linalg::GenericOp g) {
      if (!g->hasAttr(kGemmTag) || !g.hasPureBufferSemantics())
        return;
      if (std::optional<Plan> p = plan(g))
        work.push_back({g, *p});
      else
        numKept++;
    });
    if (work.empty())
      return;
    int64_t nr = packNR;
    if (nr == 0) { // the compiling machine's kernel
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
      __builtin_cpu_init();
      nr = __builtin_cpu_supports("avx512f") ? 32 : 16;
#else
      nr = 16;
#endif
    }
    // The kernel that reads NR-wide panels is MR rows high (12 x 32 with
    // AVX-512, 6 x 16 with AVX2); other widths run on the portable kernel.
    int64_t mr = nr == KILN_SGEMM_NR ? KILN_SGEMM_MR : 6;
    for (auto &[g, p] : work) {
      // The AVX-512 kernel also has an 8-row tile (kiln_sgemm_avx512_mr).
      int64_t rows =
          nr == KILN_SGEMM_NR ? kiln_sgemm_avx512_mr(p.m.extent) : mr;
      lower(g, p, numThreads, nr, rows);
      numCalls++;
    }
    // Weights only the packed products read are dropped: first the views
    // left without users, then the packed sources nothing reads any more.
    bool erased = true;
    while (erased) {
      erased = false;
      SmallVector<Operation *> dead;
      module.walk([&](Operation *op) {
        if (isa<memref::GetGlobalOp, memref::ExpandShapeOp,
                memref::CollapseShapeOp, memref::AllocOp>(op) &&
            op->use_empty())
          dead.push_back(op);
      });
      for (Operation *op : dead)
        op->erase();
      erased = !dead.empty();
    }
    for (memref::GlobalOp global : packedSources)
      if (SymbolTable::symbolKnownUseEmpty(global, module))
        global.erase();
  }

  llvm::StringMap<memref::GlobalOp> packedGlobals;
  llvm::SetVector<memref::GlobalOp> packedSources;
};

} // namespace
