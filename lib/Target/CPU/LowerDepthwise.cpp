//===- LowerDepthwise.cpp - Tagged depthwise convolutions to runtime calls -===//
//
// Runs on bufferized code. --convert-kiln-to-linalg tags the direct loop
// nest of a depthwise convolution (one filter per channel; at most a bias
// and a relu or clamp after it) `kiln.depthwise`. Its body reads two
// buffers it does not take as operands: the padded input, then the
// [C, 1, KH, KW] weight. Here it becomes a call of kiln_dwconv2d, which
// vectorizes along output rows and skips the taps that fall into the
// padding. When the padded input is what tensor.pad bufferizes to (a
// buffer filled with zeros, the unpadded input copied into its interior,
// read by nothing else), the call reads the unpadded input instead and
// the buffer, its fill and its copy go: mobilenet_v2 wrote 5 MB of padded
// copies per call.
//
//===----------------------------------------------------------------------===//
#include "RuntimeCalls.h"
#include "kiln/Target/CPU/Passes.h"
#include "kiln/Conversion/Tags.h"
#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/IR/Matchers.h"

#include "kiln/runtime.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNLOWERDEPTHWISE
#include "kiln/Target/CPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// The tag's geometry and epilogue.
struct Depthwise {
  ArrayRef<int64_t> stride, dilation, padding, kernel;
  int64_t act;
  float lo, hi;
  bool bias;
};

std::optional<Depthwise> readTag(linalg::GenericOp g) {
  auto d = g->getAttrOfType<DepthwiseAttr>(kDepthwiseTag);
  if (!d)
    return std::nullopt;
  EpilogueAttr e = d.getEpilogue();
  return Depthwise{d.getStride(),
                   d.getDilation(),
                   d.getPadding(),
                   d.getKernel(),
                   static_cast<int64_t>(e.getAct()),
                   static_cast<float>(e.getLo().getValueAsDouble()),
                   static_cast<float>(e.getHi().getValueAsDouble()),
                   d.getBias().getValue()};
}

/// The buffers the body loads from without taking them as operands, in
/// order (the padded input, then the weight).
SmallVector<Value> capturedLoads(linalg::GenericOp g) {
  SmallVector<Value> out;
  g.getRegion().walk([&](memref::LoadOp load) {
    Value m = load.getMemRef();
    if (!g.getRegion().isAncestor(m.getParentRegion()))
      out.push_back(m);
  });
  return out;
}

/// Rank-4 f32 strides with contiguous columns.
std::optional<SmallVector<int64_t>> planeStrides(Value v) {
  std::optional<SmallVector<int64_t>> s = staticStrides(v);
  if (!s || s->size() != 4 || (*s)[3] != 1)
    return std::nullopt;
  return s;
}

/// The pieces of a bufferized tensor.pad: `padded` zero-filled by `fill`,
/// `source` copied into its interior at [0, 0, ph, pw] by `copy`.
struct Pad {
  Operation *fill;
  memref::SubViewOp interior;
  memref::CopyOp copy;
  Value source;
};

/// Whether `op` (a linalg.fill or linalg.map that writes `buf`) sets every
/// element to +0.0.
bool fillsZero(Operation *op, Value buf) {
  Value value;
  if (auto fill = dyn_cast<linalg::FillOp>(op)) {
    if (fill.getDpsInitOperand(0)->get() != buf)
      return false;
    value = fill.getDpsInputOperand(0)->get();
  } else if (auto map = dyn_cast<linalg::MapOp>(op)) {
    if (map.getInit() != buf || map.getNumDpsInputs() != 0)
      return false;
    value = map.getMapper().front().getTerminator()->getOperand(0);
  } else {
    return false;
  }
  return matchPattern(value, m_PosZeroFloat());
}

std::optional<Pad> matchPad(Value padded, linalg::GenericOp user,
                            ArrayRef<int64_t> padding) {
  auto alloc = padded.getDefiningOp<memref::AllocOp>();
  if (!alloc || alloc->getBlock() != user->getBlock())
    return std::nullopt;
  Pad pad{nullptr, nullptr, nullptr, nullptr};
  for (Operation *u : padded.getUsers()) {
    if (user->isAncestor(u))
      continue; // the loop nest's own load
    if (auto sub = dyn_cast<memref::SubViewOp>(u)) {
      if (pad.interior || !sub->hasOneUse())
        return std::nullopt;
      pad.interior = sub;
      continue;
    }
    if (pad.fill || !fillsZero(u, padded))
      return std::nullopt;
    pad.fill = u;
  }
  if (!pad.fill || !pad.interior)
    return std::nullopt;
  pad.copy = dyn_cast<memref::CopyOp>(*pad.interior->getUsers().begin());
  if (!pad.copy || pad.copy.getTarget() != pad.interior.getResult() ||
      pad.copy->getBlock() != user->getBlock())
    return std::nullopt;
  // The interior starts at [0, 0, ph, pw], unit strides, the source's size.
  auto type = cast<MemRefType>(padded.getType());
  SmallVector<int64_t> offsets = {0, 0, padding[0], padding[1]};
  SmallVector<int64_t> sizes(type.getShape());
  sizes[2] -= 2 * padding[0];
  sizes[3] -= 2 * padding[1];
  if (pad.interior.getStaticOffsets() != ArrayRef<int64_t>(offsets) ||
      pad.interior.getStaticSizes() != ArrayRef<int64_t>(sizes) ||
      !llvm::all_of(pad.interior.getStaticStrides(),
                    [](int64_t s) { return s == 1; }))
    return std::nullopt;
  pad.source = pad.copy.getSource();
  // The fill, then the copy, then the loop nest; nothing in between may
  // write the source, which the call now reads later than the copy did.
  if (!pad.fill->isBeforeInBlock(pad.copy) ||
      !pad.copy->isBeforeInBlock(user))
    return std::nullopt;
  Value root = viewRoot(pad.source);
  for (Operation *op = pad.copy->getNextNode(); op != user;
       op = op->getNextNode())
    if (!isa<memref::SubViewOp, memref::ExpandShapeOp,
             memref::CollapseShapeOp>(op) &&
        touches(op, root))
      return std::nullopt;
  return pad;
}

struct KilnLowerDepthwise
    : public kiln::impl::KilnLowerDepthwiseBase<KilnLowerDepthwise> {
  using kiln::impl::KilnLowerDepthwiseBase<
      KilnLowerDepthwise>::KilnLowerDepthwiseBase;

  /// Replaces `g` by a kiln_dwconv2d call; false (nothing changed) when
  /// its buffers do not fit the call.
  bool lower(linalg::GenericOp g, const Depthwise &d, int64_t numThreads) {
    if (!g.hasPureBufferSemantics() || g.getNumDpsInits() != 1 ||
        g.getNumDpsInputs() != (d.bias ? 1u : 0u))
      return false;
    SmallVector<Value> loads = capturedLoads(g);
    if (loads.size() != 2)
      return false;
    Value input = loads[0], weight = loads[1];
    // (Told apart by their order in the body; the same type would leave
    // only the order to go by, so such nests keep their loops.)
    if (input.getType() == weight.getType())
      return false;
    Value out = g.getDpsInitOperand(0)->get();
    auto outType = dyn_cast<MemRefType>(out.getType());
    auto inType = dyn_cast<MemRefType>(input.getType());
    auto wType = dyn_cast<MemRefType>(weight.getType());
    std::optional<SmallVector<int64_t>> os = planeStrides(out),
                                        is = planeStrides(input);
    if (!outType || !inType || !wType || !os || !is ||
        !outType.hasStaticShape() || !inType.hasStaticShape() ||
        !memref::isStaticShapeAndContiguousRowMajor(wType))
      return false;
    int64_t n = outType.getDimSize(0), c = outType.getDimSize(1);
    if (wType.getShape() != ArrayRef<int64_t>({c, 1, d.kernel[0], d.kernel[1]}) ||
        inType.getDimSize(0) != n || inType.getDimSize(1) != c)
      return false;
    Value bias = d.bias ? g.getDpsInputOperand(0)->get() : Value();
    if (bias) {
      auto bs = staticStrides(bias);
      if (!bs || bs->size() != 1 || (*bs)[0] != 1)
        return false;
    }
    // Read the unpadded input when the padded one is only its copy.
    int64_t ph = 0, pw = 0;
    std::optional<Pad> pad;
    if (padInPlace && (d.padding[0] || d.padding[1]))
      pad = matchPad(input, g, d.padding);
    std::optional<SmallVector<int64_t>> ss =
        pad ? planeStrides(pad->source) : std::nullopt;
    if (pad && ss) {
      input = pad->source;
      is = ss;
      ph = d.padding[0];
      pw = d.padding[1];
    } else {
      pad.reset();
    }
    auto srcType = cast<MemRefType>(input.getType());

    OpBuilder b(g);
    Location loc = g.getLoc();
    auto i64 = [&](int64_t v) { return i64Const(b, loc, v); };
    Value zero = indexConst(b, loc, 0);
    // The channel-block loops' buffers, placed in the workspace by
    // --kiln-plan-memory.
    Value scratch = memref::AllocOp::create(
        b, loc,
        MemRefType::get({kiln_dwconv2d_scratch_bytes(numThreads)},
                        b.getI8Type()));
    SmallVector<Value> args = {
        i64(n),
        i64(c),
        i64(srcType.getDimSize(2)),
        i64(srcType.getDimSize(3)),
        elementAddress(b, loc, input, zero),
        i64((*is)[0]),
        i64((*is)[1]),
        i64((*is)[2]),
        elementAddress(b, loc, weight, zero),
        i64(d.kernel[0]),
        i64(d.kernel[1]),
        bias ? elementAddress(b, loc, bias, zero) : i64(0),
        i64(outType.getDimSize(2)),
        i64(outType.getDimSize(3)),
        i64(d.stride[0]),
        i64(d.stride[1]),
        i64(d.dilation[0]),
        i64(d.dilation[1]),
        i64(ph),
        i64(pw),
        elementAddress(b, loc, out, zero),
        i64((*os)[0]),
        i64((*os)[1]),
        i64((*os)[2]),
        i64(d.act),
        i64(d.act ? floatBits(d.lo) : 0),
        i64(d.act ? floatBits(d.hi) : 0),
        i64(numThreads),
        elementAddress(b, loc, scratch, zero)};
    callRuntime(b, loc, getOperation(), RuntimeFn::kiln_dwconv2d, args);
    Value padded = loads[0];
    g.erase();
    if (pad) {
      pad->copy.erase();
      pad->interior.erase();
      pad->fill->erase();
      if (padded.use_empty())
        padded.getDefiningOp()->erase();
      numPadsRemoved++;
    }
    return true;
  }

  void runOnOperation() override {
    SmallVector<std::pair<linalg::GenericOp, Depthwise>> work;
    getOperation().walk([&](linalg::GenericOp g) {
      if (std::optional<Depthwise> d = readTag(g))
        work.push_back({g, *d});
    });
    // Scratch is sized for this many threads (the call uses at most that).
    int64_t numThreads = resolveThreads(threads);
    for (auto &[g, d] : work) {
      if (lower(g, d, numThreads))
        numCalls++;
      else
        numKept++;
    }
  }
};

} // namespace
