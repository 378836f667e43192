//===- PlanMemory.cpp - One workspace arena for every intermediate buffer -===//
//
// Runs on bufferized code, after results became out-parameters. Every
// `memref.alloc` of the model function is an intermediate: this pass gives
// each one a live range (first to last use of the buffer or any view of it,
// in the order of the function's top-level ops), lets an elementwise op
// write its result over an operand that dies there (in place), and assigns
// byte offsets in one arena with greedy-by-size placement so buffers whose
// ranges do not overlap share memory. The allocs become `memref.view`s of a
// new trailing `memref<Nxi8>` argument, the workspace the caller provides.
//
// The function gets `kiln.workspace_size` (N, bytes) and
// `kiln.workspace_lower_bound` (the largest total size of buffers live at
// one time, which no placement can beat); the module gets both as well, for
// the compile report.
//
//===----------------------------------------------------------------------===//
#include "kiln/Transforms/Passes.h"

#include "kiln/Dialect/Kiln/IR/KilnDialect.h"
#include "kiln/Dialect/Kiln/IR/ShapeRules.h"
#include "kiln/Support/ABI.h"

#include "mlir/Analysis/SliceAnalysis.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/EquivalenceClasses.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNPLANMEMORY
#include "kiln/Transforms/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

constexpr int64_t kAlignment = 64;

int64_t alignUp(int64_t v) { return (v + kAlignment - 1) / kAlignment * kAlignment; }

struct Buffer {
  memref::AllocOp alloc;
  int64_t bytes = 0;
  int64_t first = -1, last = -1; // top-level op positions
};

/// The alloc a memref value is a view of, or -1.
struct AliasMap {
  DenseMap<Value, int> root;
  int lookup(Value v) const {
    auto it = root.find(v);
    return it == root.end() ? -1 : it->second;
  }
};

/// True when `generic` may write output `out` over input `in` element by
/// element: all loops parallel and both operands indexed identically by the
/// identity, so iteration i reads in[i] before it writes out[i] and no other
/// iteration touches either.
bool canWriteInPlace(linalg::GenericOp generic, OpOperand *in, OpOperand *out) {
  if (generic.getNumReductionLoops() != 0)
    return false;
  AffineMap inMap = generic.getMatchingIndexingMap(in);
  AffineMap outMap = generic.getMatchingIndexingMap(out);
  if (!inMap.isIdentity() || !outMap.isIdentity())
    return false;
  auto inType = dyn_cast<MemRefType>(in->get().getType());
  auto outType = dyn_cast<MemRefType>(out->get().getType());
  return inType && outType && inType.getShape() == outType.getShape() &&
         inType.getElementType() == outType.getElementType() &&
         inType.getLayout().isIdentity() && outType.getLayout().isIdentity();
}

struct KilnPlanMemory : public kiln::impl::KilnPlanMemoryBase<KilnPlanMemory> {
  using kiln::impl::KilnPlanMemoryBase<KilnPlanMemory>::KilnPlanMemoryBase;

  LogicalResult plan(func::FuncOp f) {
    // The workspace becomes a new argument; a caller inside the module
    // would not pass it.
    if (!SymbolTable::symbolKnownUseEmpty(f, f->getParentOp()))
      return f.emitError() << "the model function is called inside the "
                              "module; the workspace planner needs it to be "
                              "called only through the C ABI";
    Block &entry = f.getBody().front();
    DenseMap<Operation *, int64_t> position;
    int64_t pos = 0;
    for (Operation &op : entry)
      position[&op] = pos++;

    SmallVector<Buffer> buffers;
    AliasMap aliases;
    WalkResult walk = f.walk([&](memref::AllocOp alloc) {
      MemRefType type = alloc.getType();
      if (alloc->getBlock() != &entry)
        return WalkResult(alloc.emitError()
                          << "cannot place an allocation inside a loop or "
                             "region in the workspace");
      if (!type.hasStaticShape() || !type.getLayout().isIdentity())
        return WalkResult(alloc.emitError()
                          << "cannot place a dynamically shaped or strided "
                             "allocation in the workspace: " << type);
      Type element = type.getElementType();
      int64_t elementBytes;
      if (element.isIndex())
        elementBytes = 8; // 64-bit targets only, as the ABI
      else if (element.isIntOrFloat())
        elementBytes = std::max<int64_t>(1, element.getIntOrFloatBitWidth() / 8);
      else
        return WalkResult(alloc.emitError()
                          << "cannot place a buffer of " << element
                          << " in the workspace");
      std::optional<uint64_t> bytes = getTensorBytes(type);
      if (!bytes || *bytes > kMaxTensorBytes)
        return WalkResult(alloc.emitError()
                          << "an intermediate " << formatType(type)
                          << " would take " << describeTooLarge(bytes));
      Buffer b;
      b.alloc = alloc;
      b.bytes = type.getNumElements() * elementBytes;
      aliases.root[alloc.getResult()] = buffers.size();
      buffers.push_back(b);
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return failure();

    // Views (subview, expand/collapse_shape, casts) alias their source.
    // Walking in order sees each source before its views.
    SmallVector<Operation *> deallocs;
    WalkResult aliasWalk = f.walk([&](Operation *op) -> WalkResult {
      if (isa<memref::DeallocOp>(op)) {
        deallocs.push_back(op);
        return WalkResult::advance();
      }
      if (auto view = dyn_cast<ViewLikeOpInterface>(op)) {
        int r = aliases.lookup(view.getViewSource());
        if (r >= 0)
          for (Value result : op->getResults())
            aliases.root[result] = r;
      }
      if (isa<func::ReturnOp, func::CallOp>(op))
        for (Value v : op->getOperands())
          if (aliases.lookup(v) >= 0)
            return op->emitError()
                   << "an intermediate buffer escapes the function; it "
                      "cannot live in the workspace";
      return WalkResult::advance();
    });
    if (aliasWalk.wasInterrupted())
      return failure();
    for (Operation *op : deallocs)
      op->erase();

    // Live ranges: uses anywhere count at their top-level ancestor.
    f.walk([&](Operation *op) {
      if (isa<memref::AllocOp>(op))
        return;
      Operation *top = entry.findAncestorOpInBlock(*op);
      if (!top)
        return;
      int64_t p = position.lookup(top);
      // A buffer whose address is taken as an integer (the runtime calls'
      // operands) lives until the last op that uses a value computed
      // from that address.
      int64_t last = p;
      if (isa<memref::ExtractAlignedPointerAsIndexOp>(op)) {
        SetVector<Operation *> slice;
        getForwardSlice(op, &slice);
        for (Operation *user : slice)
          if (Operation *t = entry.findAncestorOpInBlock(*user))
            last = std::max(last, position.lookup(t));
      }
      for (Value v : op->getOperands()) {
        int r = aliases.lookup(v);
        if (r < 0)
          continue;
        Buffer &b = buffers[r];
        b.first = b.first < 0 ? p : std::min(b.first, p);
        b.last = std::max(b.last, last);
      }
    });

    // In place: an elementwise generic whose output buffer starts at this op
    // writes over an input buffer that ends here (same size).
    llvm::EquivalenceClasses<int> classes;
    for (size_t i = 0; i < buffers.size(); ++i)
      classes.insert(i);
    DenseMap<int, std::pair<int64_t, int64_t>> classRange; // leader -> range
    auto rangeOf = [&](int i) {
      int leader = classes.getLeaderValue(i);
      auto it = classRange.find(leader);
      if (it != classRange.end())
        return it->second;
      return std::make_pair(buffers[i].first, buffers[i].last);
    };
    if (inPlace) {
      for (Operation &op : entry) {
        auto generic = dyn_cast<linalg::GenericOp>(&op);
        if (!generic || generic.getNumDpsInits() != 1)
          continue;
        OpOperand *out = generic.getDpsInitOperand(0);
        int o = aliases.lookup(out->get());
        if (o < 0 || buffers[o].first != position[&op])
          continue;
        for (OpOperand *in : generic.getDpsInputOperands()) {
          int i = aliases.lookup(in->get());
          if (i < 0 || i == o || classes.isEquivalent(i, o))
            continue;
          auto [iFirst, iLast] = rangeOf(i);
          if (iLast != position[&op] || alignUp(buffers[i].bytes) <
                                            alignUp(buffers[o].bytes))
            continue;
          // Another input reading the same buffer elsewhere would see the
          // overwritten values.
          bool readTwice = llvm::any_of(
              generic.getDpsInputOperands(), [&](OpOperand *other) {
                return other != in && aliases.lookup(other->get()) == i;
              });
          if (readTwice || !canWriteInPlace(generic, in, out))
            continue;
          auto [oFirst, oLast] = rangeOf(o);
          classes.unionSets(i, o);
          int leader = classes.getLeaderValue(i);
          classRange[leader] = {std::min(iFirst, oFirst),
                                std::max(iLast, oLast)};
          numInPlace++;
          break;
        }
      }
    }

    // One placement per class: the largest member's size, the union range.
    struct Slot {
      int64_t bytes = 0, first = 0, last = 0, offset = 0;
      SmallVector<int> members;
    };
    SmallVector<Slot> slots;
    DenseMap<int, int> slotOf;
    for (size_t i = 0; i < buffers.size(); ++i) {
      int leader = classes.getLeaderValue(i);
      auto [it, inserted] = slotOf.try_emplace(leader, slots.size());
      if (inserted) {
        Slot s;
        std::tie(s.first, s.last) = rangeOf(i);
        slots.push_back(s);
      }
      Slot &s = slots[it->second];
      s.bytes = std::max(s.bytes, alignUp(buffers[i].bytes));
      s.members.push_back(i);
    }
    for (Slot &s : slots)
      if (s.first < 0) // never used: give it a point range
        s.first = s.last = 0;

    // Lower bound: the most bytes live at one position.
    int64_t lowerBound = 0;
    {
      std::vector<int64_t> live(pos + 1, 0);
      for (const Slot &s : slots)
        for (int64_t p = s.first; p <= s.last; ++p)
          live[p] += s.bytes;
      for (int64_t v : live)
        lowerBound = std::max(lowerBound, v);
    }

    // Greedy by size: largest first, lowest offset that fits beside every
    // placed slot whose range overlaps.
    SmallVector<int> order(slots.size());
    for (size_t i = 0; i < order.size(); ++i)
      order[i] = i;
    llvm::stable_sort(order, [&](int a, int b) {
      if (slots[a].bytes != slots[b].bytes)
        return slots[a].bytes > slots[b].bytes;
      return slots[a].first < slots[b].first;
    });
    SmallVector<int> placed;
    int64_t total = 0;
    for (int idx : order) {
      Slot &s = slots[idx];
      SmallVector<std::pair<int64_t, int64_t>> busy;
      for (int other : placed) {
        const Slot &o = slots[other];
        if (o.first <= s.last && s.first <= o.last)
          busy.push_back({o.offset, o.offset + o.bytes});
      }
      llvm::sort(busy);
      int64_t offset = 0;
      for (auto [lo, hi] : busy) {
        if (offset + s.bytes <= lo)
          break;
        offset = std::max(offset, hi);
      }
      s.offset = offset;
      total = std::max(total, offset + s.bytes);
      placed.push_back(idx);
    }

    if (uint64_t(total) > kMaxTensorBytes)
      return f.emitError() << "the workspace would take "
                           << describeTooLarge(uint64_t(total));

    // Rewrite: the workspace is a new last argument.
    MLIRContext *ctx = f.getContext();
    auto wsType = MemRefType::get({std::max<int64_t>(total, 1)},
                                  IntegerType::get(ctx, 8));
    unsigned wsIndex = f.getNumArguments();
    if (failed(f.insertArgument(wsIndex, wsType,
                                DictionaryAttr::get(ctx, {NamedAttribute(
                                    StringAttr::get(ctx, "kiln.name"),
                                    StringAttr::get(ctx, "workspace"))}),
                                f.getLoc())))
      return failure();
    Value ws = f.getArgument(wsIndex);
    for (const Slot &s : slots)
      for (int i : s.members) {
        memref::AllocOp alloc = buffers[i].alloc;
        OpBuilder b(alloc);
        Value offset = arith::ConstantIndexOp::create(b, alloc.getLoc(), s.offset);
        Value view = memref::ViewOp::create(b, alloc.getLoc(), alloc.getType(),
                                            ws, offset, ValueRange{});
        alloc.getResult().replaceAllUsesWith(view);
        alloc.erase();
      }
    Builder b(ctx);
    f->setAttr(kWorkspaceSizeAttrName, b.getI64IntegerAttr(total));
    f->setAttr(kWorkspaceLowerBoundAttrName, b.getI64IntegerAttr(lowerBound));
    numBuffers += buffers.size();
    return success();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    func::FuncOp model;
    for (auto f : module.getOps<func::FuncOp>())
      if (f->hasAttr(kABIAttrName))
        model = f;
    if (!model) {
      module.emitError() << "no model function with '" << kABIAttrName
                         << "'; run --kiln-prepare-abi first";
      return signalPassFailure();
    }
    if (failed(plan(model)))
      return signalPassFailure();
    module->setAttr(kWorkspaceSizeAttrName,
                    model->getAttr(kWorkspaceSizeAttrName));
    module->setAttr(kWorkspaceLowerBoundAttrName,
                    model->getAttr(kWorkspaceLowerBoundAttrName));
  }
};

} // namespace
