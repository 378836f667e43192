//===- OpRegistry.cpp - The importer's op families and its node dispatch --===//
#include "OpRegistry.h"

#include "kiln/Support/ABI.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::detail;

/// In-place variants (`aten::relu_`) of these compute the same value; the
/// importer rebinds the mutated operand to the result.
static bool hasInplaceVariant(StringRef kind) {
  return kind.starts_with("aten::") && kind != "aten::size" &&
         kind != "aten::dim" && kind != "aten::numel" &&
         !kind.starts_with("aten::__");
}

OpRegistry::Family &OpRegistry::Family::add(StringRef kind,
                                            OpHandler handler) {
  kinds.push_back(kind);
  registry.allKinds.push_back(kind);
  registry.handlers[kind] = handler;
  if (hasInplaceVariant(kind))
    registry.handlers[(kind + "_").str()] = handler;
  return *this;
}

OpRegistry::Family &OpRegistry::family(StringRef heading) {
  return families.emplace_back(*this, heading);
}

const OpRegistry &OpRegistry::get() {
  static const OpRegistry registry = [] {
    OpRegistry r;
    registerPlumbingOps(r);
    registerElementwiseOps(r);
    registerMathLogicOps(r);
    registerDataMovementOps(r);
    registerIndexingOps(r);
    registerCreationOps(r);
    registerReductionOps(r);
    registerNormalizationOps(r);
    registerConvPoolOps(r);
    registerLinearOps(r);
    registerLayersOps(r);
    registerLossesOps(r);
    return r;
  }();
  return registry;
}

ArrayRef<StringRef> mlir::kiln::getSupportedTorchOps() {
  return OpRegistry::get().getKinds();
}

void mlir::kiln::printSupportedOpsMarkdown(llvm::raw_ostream &os) {
  os << "# Supported TorchScript ops\n\n"
     << "Generated from the importer's registry (lib/Import/Ops, one file per\n"
     << "family) by `kiln-import --supported-ops`, which the build runs to\n"
     << "write build/docs/supported-ops.md. Every\n"
     << "`aten::` op listed is also accepted in its in-place form\n"
     << "(`aten::relu_`). `kiln-import --op-stats m.pt` shows which ops a\n"
     << "model uses and whether Kiln supports each.\n";
  for (const OpRegistry::Family &f : OpRegistry::get().getFamilies()) {
    os << "\n## " << f.getHeading() << "\n\n";
    for (StringRef kind : f.getKinds())
      os << "- `" << kind << "`\n";
  }
}

bool mlir::kiln::isSupportedTorchOp(StringRef kind) {
  return OpRegistry::get().lookup(kind) != nullptr;
}

LogicalResult Importer::emitNode(const tj::Node *node) {
  std::string kind = node->kind().toQualString();
  OpHandler handler = OpRegistry::get().lookup(kind);
  Location loc = locationOf(node);
  if (!handler)
    return emitError(loc) << "unsupported TorchScript op '" << kind << "'";
  NodeContext context{*this, node, loc, kind};
  // Handlers see the functional kind; an in-place op's result also replaces
  // its mutated first operand for later uses.
  bool inplace = StringRef(kind).ends_with("_") && !StringRef(kind).ends_with("__");
  if (inplace)
    context.kind.pop_back();
  if (failed(handler(context)))
    return failure();
  if (inplace && node->inputs().size() > 0 && node->outputs().size() == 1) {
    auto result = values.find(node->output());
    auto dest = values.find(node->inputs()[0]);
    if (result != values.end() && dest != values.end()) {
      // The destination keeps its dtype (int32 x.mul_(y_int64) is int32);
      // a result it cannot hold is PyTorch's error too.
      Type want = cast<RankedTensorType>(dest->second.getType()).getElementType();
      auto got = cast<RankedTensorType>(result->second.getType());
      if (got.getElementType() != want) {
        if (!canCast(got.getElementType(), want))
          return emitError(loc)
                 << "'" << kind << "': result type "
                 << getDTypeName(got.getElementType())
                 << " can't be cast to the destination's type "
                 << getDTypeName(want);
        Value casted = create<CastOp>(loc, got.clone(want), result->second);
        values[node->output()] = casted;
      }
    }
    if (auto r = values.find(node->output()); r != values.end())
      values[node->inputs()[0]] = r->second;
  }
  return success();
}
