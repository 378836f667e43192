//===- TorchScript.cpp - Import TorchScript archives into kiln ------------===//
//
// load -> eval -> freeze (weights become constants, calls are inlined) ->
// walk forward's graph and emit one kiln op per aten op. Locations are the
// Python file:line:col that TorchScript recorded, with the inlined call
// stack as MLIR call-site locations.
//
//===----------------------------------------------------------------------===//
#include "kiln/Import/TorchScript.h"

#include "ArchiveGuard.h"
#include "Importer.h"

#include "kiln/Dialect/Kiln/IR/KilnOps.h"
#include "kiln/Support/ABI.h"
#include "kiln/Support/Diagnostics.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <ATen/ATen.h>
#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/ir/ir.h>
#include <torch/csrc/jit/passes/dead_code_elimination.h>
#include <torch/csrc/jit/passes/inliner.h>
#include <torch/csrc/jit/serialization/import.h>

using namespace mlir;
using namespace mlir::kiln;
namespace tj = torch::jit;

//===----------------------------------------------------------------------===//
// Input specs and names
//===----------------------------------------------------------------------===//

FailureOr<InputSpec> mlir::kiln::parseInputSpec(StringRef text,
                                                std::string &error) {
  InputSpec spec;
  StringRef rest = text.trim();
  auto [lhs, rhs] = rest.split('=');
  if (!rhs.empty() || rest.contains('=')) {
    spec.name = lhs.trim().str();
    rest = rhs.trim();
    if (spec.name.empty()) {
      error = "missing input name before '=' in '" + text.str() + "'";
      return failure();
    }
  }
  if (rest.empty()) {
    error = "missing shape in '" + text.str() + "'";
    return failure();
  }
  SmallVector<StringRef> parts;
  rest.split(parts, 'x');
  // The last part is a dtype when it starts with a letter.
  if (!parts.empty() && !parts.back().empty() &&
      llvm::isAlpha(parts.back().front())) {
    spec.dtype = parts.back().str();
    parts.pop_back();
  }
  for (StringRef p : parts) {
    int64_t d;
    if (p.getAsInteger(10, d) || d < 0) {
      error = "bad dimension '" + p.str() + "' in '" + text.str() +
              "' (expected [NAME=]DIMSxDTYPE, e.g. x=3x4xf32)";
      return failure();
    }
    spec.shape.push_back(d);
  }
  MLIRContext ctx;
  if (!parseDType(spec.dtype, &ctx)) {
    error = "unknown dtype '" + spec.dtype + "' in '" + text.str() +
            "' (known: f32, f64, f16, bf16, i8, i16, i32, i64, bool)";
    return failure();
  }
  return spec;
}

std::string mlir::kiln::defaultModelName(StringRef path) {
  return sanitizeCIdentifier(llvm::sys::path::stem(path));
}


//===----------------------------------------------------------------------===//
// The importer
//===----------------------------------------------------------------------===//

namespace mlir::kiln::detail {

/// libtorch reports errors as exceptions with long backtraces; keep the
/// message users can act on.
std::string shortTorchMessage(const std::exception &e) {
  std::string msg;
  if (auto *c10err = dynamic_cast<const c10::Error *>(&e))
    msg = c10err->what_without_backtrace();
  else
    msg = e.what();
  StringRef s(msg);
  s = s.trim();
  // Keep the first paragraph only.
  size_t cut = s.find("\n\n");
  if (cut != StringRef::npos)
    s = s.take_front(cut);
  return s.str();
}

Type elementTypeOf(at::ScalarType t, MLIRContext *ctx) {
  Builder b(ctx);
  switch (t) {
  case at::kFloat: return b.getF32Type();
  case at::kDouble: return b.getF64Type();
  case at::kHalf: return b.getF16Type();
  case at::kBFloat16: return b.getBF16Type();
  case at::kLong: return b.getIntegerType(64);
  case at::kInt: return b.getIntegerType(32);
  case at::kShort: return b.getIntegerType(16);
  case at::kChar: return b.getIntegerType(8);
  case at::kBool: return b.getI1Type();
  default: return Type();
  }
}

Location Importer::locationOf(const tj::SourceRange &range) {
  c10::optional<tj::SourceRange> original = range.findSourceRangeThatGenerated();
  const tj::SourceRange &r = original ? *original : range;
  if (auto flc = r.file_line_col()) {
    const auto &[file, line, col] = *flc;
    if (!file.empty())
      return FileLineColLoc::get(ctx, file, line, col);
  }
  return UnknownLoc::get(ctx);
}

Location Importer::locationOf(const tj::Node *node) {
  Location loc = locationOf(node->sourceRange());
  std::string modulePath;
  if (auto callstack = node->callstack()) {
    // Entries run from the outermost call site inwards.
    std::optional<Location> callers;
    for (const auto &entry : (*callstack)->vec()) {
      if (const auto &info = std::get<tj::kModuleInstanceInfo>(entry))
        if (!info->instance_name().empty())
          modulePath += (modulePath.empty() ? "" : ".") + info->instance_name();
      Location site = locationOf(std::get<1>(entry));
      if (isa<UnknownLoc>(site))
        continue;
      callers = callers ? Location(CallSiteLoc::get(site, *callers)) : site;
    }
    if (callers)
      loc = isa<UnknownLoc>(loc) ? *callers : CallSiteLoc::get(loc, *callers);
  }
  if (isa<UnknownLoc>(loc))
    loc = fileLoc;
  // Traces record no call site for submodules; their names say where an op
  // of the user's model came from (e.g. 'linear' for self.linear).
  if (!modulePath.empty())
    loc = NameLoc::get(StringAttr::get(ctx, modulePath), loc);
  return loc;
}

LogicalResult Importer::load(ImportReport &report) {
  if (!llvm::sys::fs::exists(path))
    return emitError(fileLoc) << "no such file: '" << path << "'";
  if (llvm::sys::fs::is_directory(path))
    return emitError(fileLoc) << "'" << path << "' is a directory, not a "
                              << "TorchScript archive";
  if (failed(detail::scanArchive(path, fileLoc)))
    return failure();
  try {
    module = tj::load(path);
  } catch (const std::exception &e) {
    return emitError(fileLoc)
           << "cannot load '" << path << "' as a TorchScript archive "
           << "(expected a file written by torch.jit.trace(...).save()): "
           << shortTorchMessage(e)
           << (StringRef(shortTorchMessage(e)).contains("constants.pkl")
                   ? " (this looks like a torch.save() checkpoint, which holds "
                     "weights but no TorchScript code)"
                   : "");
  }
  // Nothing reads a weight before it is known to lie inside its storage.
  if (failed(detail::validateTensors(module, fileLoc)))
    return failure();
  try {
    auto forward = module.find_method("forward");
    if (!forward)
      return emitError(fileLoc) << "the archive's module has no 'forward' "
                                   "method";
    report.loadedGraph = forward->graph()->toString();
    const auto &args = forward->function().getSchema().arguments();
    for (size_t i = 1; i < args.size(); ++i)
      paramNames.push_back(args[i].name());
    report.parameterNames = paramNames;

    module.eval();
    // optimize_numerics=false: batch-norm and add/mul folding into
    // convolutions are Kiln's own passes (--kiln-fold-batch-norm), so the
    // imported graph is the model as written and the report counts them.
    tj::Module frozen = tj::freeze(module, c10::nullopt,
                                   /*optimize_numerics=*/false);
    graph = frozen.get_method("forward").graph();
    tj::Inline(*graph);
    tj::EliminateDeadCode(graph);
    report.frozenGraph = graph->toString();
    llvm::StringMap<size_t> index;
    std::function<void(const tj::Block *)> count = [&](const tj::Block *block) {
      for (const tj::Node *node : block->nodes()) {
        std::string kind = node->kind().toQualString();
        auto [it, inserted] = index.try_emplace(kind, report.opCounts.size());
        if (inserted)
          report.opCounts.push_back({kind, 0});
        report.opCounts[it->second].second++;
        for (const tj::Block *sub : node->blocks())
          count(sub);
      }
    };
    count(graph->block());
    module = frozen;
  } catch (const std::exception &e) {
    return emitError(fileLoc) << "cannot freeze the archive's module: "
                              << shortTorchMessage(e);
  }
  return success();
}

LogicalResult Importer::checkSupported() {
  // kind -> (count, locations); one error lists them all.
  std::vector<std::pair<std::string, std::pair<unsigned, SmallVector<Location>>>>
      missing;
  llvm::StringMap<size_t> index;
  std::function<void(const tj::Block *)> visit = [&](const tj::Block *block) {
    for (const tj::Node *node : block->nodes()) {
      std::string kind = node->kind().toQualString();
      if (!isSupportedTorchOp(kind)) {
        auto [it, inserted] = index.try_emplace(kind, missing.size());
        if (inserted)
          missing.push_back({kind, {0, {}}});
        auto &entry = missing[it->second].second;
        entry.first++;
        entry.second.push_back(locationOf(node));
      }
      for (const tj::Block *sub : node->blocks())
        visit(sub);
    }
  };
  visit(graph->block());
  if (missing.empty())
    return success();
  unsigned total = 0;
  for (auto &kv : missing)
    total += kv.second.first;
  InFlightDiagnostic diag = emitError(fileLoc);
  diag << "the model uses " << missing.size() << " TorchScript op kind"
       << (missing.size() == 1 ? "" : "s") << " Kiln does not support ("
       << total << " occurrence" << (total == 1 ? "" : "s") << "):";
  for (auto &[kind, info] : missing) {
    diag << "\n  " << kind << " x" << info.first << " at ";
    llvm::interleaveComma(info.second, diag,
                          [&](Location l) { diag << formatLocation(l); });
  }
  return failure();
}

std::optional<c10::IValue> Importer::constantOf(const tj::Value *v) {
  auto known = scalars.find(v);
  if (known != scalars.end())
    return known->second;
  c10::optional<c10::IValue> iv = tj::toIValue(v);
  if (!iv)
    return std::nullopt;
  return *iv;
}

FailureOr<Value> Importer::emitTensorConstant(const at::Tensor &tensor,
                                              StringRef name, Location loc) {
  at::Tensor t = tensor.contiguous();
  Type elementType = elementTypeOf(t.scalar_type(), ctx);
  if (!elementType)
    return emitError(loc) << "constant tensor '" << name << "' has dtype "
                          << c10::toString(t.scalar_type())
                          << ", which Kiln does not support";
  SmallVector<int64_t> shape(t.sizes().begin(), t.sizes().end());
  auto type = RankedTensorType::get(shape, elementType);
  ArrayRef<char> raw(static_cast<const char *>(t.data_ptr()), t.nbytes());
  ElementsAttr value;
  if (elementType.isInteger(1)) {
    SmallVector<bool> bits;
    for (char c : raw)
      bits.push_back(c != 0);
    value = DenseElementsAttr::get(type, ArrayRef<bool>(bits));
  } else if (t.dim() == 0) {
    value = DenseElementsAttr::getFromRawBuffer(type, raw);
  } else {
    // Weights: stored once as a resource blob, whatever the number of uses.
    std::string blobName = name.empty() ? "weight" : name.str();
    value = DenseResourceElementsAttr::get(
        type, blobName,
        HeapAsmResourceBlob::allocateAndCopyWithAlign(raw, /*align=*/64,
                                                      /*dataIsMutable=*/false));
  }
  return create<ConstantOp>(loc, value);
}

FailureOr<Value> Importer::lookupTensor(const tj::Value *v,
                                        const tj::Node *user) {
  auto it = values.find(v);
  if (it != values.end())
    return it->second;
  Location loc = locationOf(user);
  if (std::optional<c10::IValue> iv = constantOf(v)) {
    // A number where a tensor is expected is a 0-d tensor, as
    // prim::NumToTensor makes it (int64 or float64).
    if (iv->isInt() || iv->isDouble() || iv->isBool()) {
      at::Tensor t = iv->isInt()      ? at::scalar_tensor(iv->toInt(), at::kLong)
                     : iv->isDouble() ? at::scalar_tensor(iv->toDouble(), at::kDouble)
                                      : at::scalar_tensor(iv->toBool(), at::kBool);
      iv = c10::IValue(t);
    }
    if (iv->isTensor()) {
      FailureOr<Value> c = emitTensorConstant(iv->toTensor(), v->debugName(),
                                              locationOf(v->node()));
      if (succeeded(c))
        values[v] = *c;
      return c;
    }
  }
  return emitError(loc) << "'" << user->kind().toQualString()
                        << "' expects a tensor for operand '%"
                        << v->debugName() << "' of type "
                        << v->type()->str();
}

LogicalResult
Importer::flattenOutput(const tj::Value *v,
                        SmallVectorImpl<const tj::Value *> &out) {
  auto it = tuples.find(v);
  if (it != tuples.end()) {
    for (const tj::Value *element : it->second)
      if (failed(flattenOutput(element, out)))
        return failure();
    return success();
  }
  if (!v->type()->isSubtypeOf(*c10::TensorType::get()))
    return emitError(locationOf(v->node()))
           << "forward returns a value of type " << v->type()->str()
           << "; only tensors and (nested) tuples of tensors are supported";
  out.push_back(v);
  return success();
}

LogicalResult Importer::bindInputs(func::FuncOp func,
                                   const ImportOptions &options,
                                   SmallVectorImpl<Type> &types,
                                   SmallVectorImpl<std::string> &names) {
  // Graph inputs: self (a module object, unused after freezing) and then
  // forward's parameters.
  std::vector<const tj::Value *> params;
  for (const tj::Value *in : graph->inputs())
    if (in->type()->kind() != c10::TypeKind::ClassType)
      params.push_back(in);
  const std::string &flag = options.inputFlag;
  std::string expected;
  for (size_t i = 0; i < params.size(); ++i) {
    std::string n = i < paramNames.size() ? paramNames[i] : params[i]->debugName();
    names.push_back(n);
    expected += (i ? ", " : "") + n;
  }
  for (size_t i = 0; i < params.size(); ++i)
    if (!params[i]->type()->isSubtypeOf(*c10::TensorType::get()))
      return emitError(fileLoc)
             << "forward's parameter '" << names[i] << "' has type "
             << params[i]->type()->str()
             << "; only tensor parameters are supported";

  std::vector<const InputSpec *> bound(params.size(), nullptr);
  std::vector<const InputSpec *> positional;
  for (const InputSpec &spec : options.inputs) {
    if (spec.name.empty()) {
      positional.push_back(&spec);
      continue;
    }
    auto it = llvm::find(names, spec.name);
    if (it == names.end())
      return emitError(fileLoc) << flag << " names '" << spec.name
                                << "', but forward's parameters are: "
                                << (expected.empty() ? "(none)" : expected);
    size_t idx = it - names.begin();
    if (bound[idx])
      return emitError(fileLoc)
             << flag << " for '" << spec.name << "' is given twice";
    bound[idx] = &spec;
  }
  size_t next = 0;
  for (size_t i = 0; i < params.size() && next < positional.size(); ++i)
    if (!bound[i])
      bound[i] = positional[next++];
  if (next < positional.size())
    return emitError(fileLoc) << "too many " << flag
                              << " values: forward takes "
                              << params.size() << " tensor parameter(s) ("
                              << expected << ")";
  std::string missing;
  for (size_t i = 0; i < params.size(); ++i)
    if (!bound[i])
      missing += (missing.empty() ? "" : ", ") + names[i];
  if (!missing.empty())
    return emitError(fileLoc)
           << "missing " << flag << " for forward's parameter(s): " << missing
           << " (forward takes " << expected
           << (flag == "--input-shape" ? "; e.g. --input-shape " + names[0] +
                                             "=3x4xf32)"
                                       : ")");

  for (size_t i = 0; i < params.size(); ++i) {
    Type elementType = parseDType(bound[i]->dtype, ctx);
    if (!elementType)
      return emitError(fileLoc) << "unknown dtype '" << bound[i]->dtype
                                << "' for input '" << names[i] << "'";
    auto type = RankedTensorType::get(bound[i]->shape, elementType);
    std::optional<uint64_t> bytes = getTensorBytes(type);
    if (!bytes || *bytes > kMaxTensorBytes)
      return emitError(fileLoc) << "input '" << names[i] << "' of "
                                << formatType(type) << " would take "
                                << describeTooLarge(bytes);
    types.push_back(type);
  }
  (void)func;
  return success();
}

OwningOpRef<ModuleOp> Importer::emit(const ImportOptions &options) {
  if (failed(checkSupported()))
    return nullptr;
  OwningOpRef<ModuleOp> mlirModule = ModuleOp::create(fileLoc);
  std::string modelName =
      options.modelName.empty() ? defaultModelName(path) : options.modelName;
  (*mlirModule)->setAttr(kModelNameAttrName, builder.getStringAttr(modelName));
  (*mlirModule)->setAttr("kiln.source", builder.getStringAttr(path));

  SmallVector<Type> inputTypes;
  SmallVector<std::string> inputNames;
  if (failed(bindInputs(nullptr, options, inputTypes, inputNames)))
    return nullptr;

  builder.setInsertionPointToEnd(mlirModule->getBody());
  auto func = func::FuncOp::create(builder, fileLoc, "forward",
                                   builder.getFunctionType(inputTypes, {}));
  func->setAttr(kEntryAttrName, builder.getUnitAttr());
  Block *entry = func.addEntryBlock();
  size_t argIndex = 0;
  for (const tj::Value *in : graph->inputs()) {
    if (in->type()->kind() == c10::TypeKind::ClassType)
      continue;
    func.setArgAttr(argIndex, kArgNameAttrName,
                    builder.getStringAttr(inputNames[argIndex]));
    values[in] = entry->getArgument(argIndex++);
  }

  builder.setInsertionPointToEnd(entry);
  try {
    for (const tj::Node *node : graph->nodes())
      if (failed(emitNode(node)))
        return nullptr;
  } catch (const std::exception &e) {
    emitError(fileLoc) << "libtorch failed while importing: "
                       << shortTorchMessage(e);
    return nullptr;
  }

  SmallVector<const tj::Value *> outputs;
  for (const tj::Value *out : graph->outputs())
    if (failed(flattenOutput(out, outputs)))
      return nullptr;
  SmallVector<Value> results;
  for (const tj::Value *out : outputs) {
    FailureOr<Value> v = lookupTensor(out, graph->return_node());
    if (failed(v))
      return nullptr;
    results.push_back(*v);
  }
  func::ReturnOp::create(builder, fileLoc, results);
  func.setType(builder.getFunctionType(inputTypes, ValueRange(results).getTypes()));
  for (size_t i = 0; i < results.size(); ++i)
    func.setResultAttr(i, kArgNameAttrName,
                       builder.getStringAttr("out" + std::to_string(i)));
  // Every op's verifier runs here, so a shape the handlers let through is
  // reported at its Python line, not by a later pass.
  if (failed(mlir::verify(*mlirModule)))
    return nullptr;
  return mlirModule;
}

} // namespace mlir::kiln::detail

OwningOpRef<ModuleOp> mlir::kiln::importTorchScript(MLIRContext *ctx,
                                                    StringRef path,
                                                    const ImportOptions &options,
                                                    ImportReport *report) {
  ctx->loadDialect<KilnDialect, func::FuncDialect>();
  // libtorch's readers recurse as deep as an archive nests; the scan bounds
  // that, and the large stack holds what the bounds let through.
  OwningOpRef<ModuleOp> result;
  detail::runOnLargeStack([&] {
    detail::Importer importer(ctx, path);
    ImportReport local;
    if (succeeded(importer.load(report ? *report : local)))
      result = importer.emit(options);
  });
  return result;
}

std::optional<ImportReport> mlir::kiln::inspectTorchScript(MLIRContext *ctx,
                                                           StringRef path) {
  detail::Importer importer(ctx, path);
  ImportReport report;
  if (failed(importer.load(report)))
    return std::nullopt;
  return report;
}
