//===- PrepareABI.cpp - Check the model function, record its C signature --===//
#include "kiln/Conversion/Passes.h"

#include "kiln/Dialect/Kiln/IR/KilnDialect.h"
#include "kiln/Dialect/Kiln/IR/ShapeRules.h"
#include "kiln/Support/ABI.h"
#include "kiln/runtime.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringSet.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNPREPAREABI
#include "kiln/Conversion/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// The model's entry: the function marked kiln.entry, else the only public
/// function.
FailureOr<func::FuncOp> findEntry(ModuleOp module) {
  func::FuncOp marked, onlyPublic;
  unsigned numPublic = 0;
  for (auto f : module.getOps<func::FuncOp>()) {
    if (f->hasAttr(kEntryAttrName)) {
      if (marked)
        return f.emitError() << "two functions are marked '" << kEntryAttrName
                             << "': @" << marked.getSymName() << " and @"
                             << f.getSymName();
      marked = f;
    }
    if (f.isPublic() && !f.isDeclaration()) {
      onlyPublic = f;
      ++numPublic;
    }
  }
  if (marked)
    return marked;
  if (numPublic == 1)
    return onlyPublic;
  return module.emitError()
         << "cannot tell the model's entry function: mark one with '"
         << kEntryAttrName << "' (found " << numPublic
         << " public functions)";
}

struct KilnPrepareABI : public kiln::impl::KilnPrepareABIBase<KilnPrepareABI> {
  using kiln::impl::KilnPrepareABIBase<KilnPrepareABI>::KilnPrepareABIBase;

  LogicalResult collect(func::FuncOp f, bool isInput, unsigned index,
                        Type type, DictionaryAttr attrs,
                        llvm::StringSet<> &used,
                        SmallVectorImpl<TensorSignature> &out) {
    StringRef kind = isInput ? "input" : "output";
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor || !tensor.hasStaticShape())
      return f.emitError() << kind << " #" << index
                           << " must be a statically shaped tensor, got "
                           << type;
    if (tensor.getRank() > KILN_MAX_RANK)
      return f.emitError() << kind << " #" << index << " has rank "
                           << tensor.getRank() << "; the C ABI (kiln_tensor) "
                           << "allows at most " << KILN_MAX_RANK;
    std::optional<uint64_t> bytes = getTensorBytes(tensor);
    if (!bytes || *bytes > kMaxTensorBytes)
      return f.emitError() << kind << " #" << index << " ("
                           << formatType(tensor) << ") would take "
                           << describeTooLarge(bytes);
    if (getKilnDType(tensor.getElementType()) == 0)
      return f.emitError() << kind << " #" << index << " has element type "
                           << tensor.getElementType()
                           << ", which the C ABI cannot pass";
    std::string name;
    if (auto n = attrs ? attrs.getAs<StringAttr>(kArgNameAttrName) : nullptr)
      name = sanitizeCIdentifier(n.getValue());
    else
      name = (isInput ? "in" : "out") + std::to_string(index);
    // Names become C parameter names: keep them unique.
    std::string unique = name;
    for (unsigned i = 1; used.contains(unique); ++i)
      unique = name + "_" + std::to_string(i);
    used.insert(unique);
    out.push_back({unique, tensor});
    return success();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<func::FuncOp> entry = findEntry(module);
    if (failed(entry))
      return signalPassFailure();
    func::FuncOp f = *entry;

    ModelSignature signature;
    signature.modelName = modelName;
    if (signature.modelName.empty())
      if (auto n = module->getAttrOfType<StringAttr>(kModelNameAttrName))
        signature.modelName = n.str();
    if (signature.modelName.empty())
      signature.modelName = f.getSymName().str();
    if (!isValidCIdentifier(signature.modelName)) {
      module.emitError() << "model name '" << signature.modelName
                         << "' is not a valid C identifier (set another with "
                         << "kiln-compile --name or the model-name option)";
      return signalPassFailure();
    }

    llvm::StringSet<> used;
    FunctionType type = f.getFunctionType();
    for (unsigned i = 0; i < type.getNumInputs(); ++i)
      if (failed(collect(f, true, i, type.getInput(i), f.getArgAttrDict(i),
                         used, signature.inputs)))
        return signalPassFailure();
    for (unsigned i = 0; i < type.getNumResults(); ++i)
      if (failed(collect(f, false, i, type.getResult(i),
                         f.getResultAttrDict(i), used, signature.outputs)))
        return signalPassFailure();

    // Inputs are the caller's const buffers: never bufferize in place there.
    OpBuilder b(module.getContext());
    for (unsigned i = 0; i < type.getNumInputs(); ++i)
      f.setArgAttr(i, bufferization::BufferizationDialect::kWritableAttrName,
                   b.getBoolAttr(false));

    std::string implName = "_kiln_" + signature.modelName + "_forward_impl";
    if (SymbolTable::lookupSymbolIn(module, implName) &&
        SymbolTable::lookupSymbolIn(module, implName) != f) {
      module.emitError() << "symbol '" << implName << "' already exists";
      return signalPassFailure();
    }
    if (failed(SymbolTable::replaceAllSymbolUses(f, b.getStringAttr(implName),
                                                 module)))
      return signalPassFailure();
    f.setSymName(implName);
    f.setPrivate();
    f->removeAttr(kEntryAttrName);
    DictionaryAttr abi = encodeModelSignature(module.getContext(), signature);
    f->setAttr(kABIAttrName, abi);
    // The module keeps a copy through the whole pipeline: the tools read the
    // signature once the model is compiled, when the function's is gone.
    module->setAttr(kABIAttrName, abi);
  }
};

} // namespace
