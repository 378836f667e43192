//===- Report.cpp - What kiln-compile did to a model (--report) -----------===//
#include "kiln/Pipelines/Report.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

#include "kiln/Dialect/Kiln/IR/KilnDialect.h"
#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// The Python file:line of `loc`: the first frame outside the torch package
/// (the model's own code, not torch/nn/functional.py), else the first.
std::string sourceOf(Location loc) {
  std::string first, user;
  loc->walk([&](Location l) {
    auto file = dyn_cast<FileLineColLoc>(l);
    if (!file)
      return WalkResult::advance();
    std::string text =
        file.getFilename().str() + ":" + std::to_string(file.getLine());
    if (first.empty())
      first = text;
    if (!StringRef(text).contains("/torch/")) {
      user = text;
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return user.empty() ? first : user;
}

std::string shortName(Operation *op) {
  return op->getName().stripDialect().str();
}

func::FuncOp entryFunction(ModuleOp module) {
  func::FuncOp only;
  for (auto f : module.getOps<func::FuncOp>()) {
    if (f->hasAttr(kEntryAttrName))
      return f;
    if (!f.isDeclaration())
      only = f;
  }
  return only;
}

std::string formatRatio(int64_t a, int64_t b) {
  if (b <= 0)
    return "n/a";
  std::string s;
  llvm::raw_string_ostream os(s);
  os << llvm::format("%.3f", static_cast<double>(a) / b);
  return s;
}

} // namespace

void mlir::kiln::collectImportedOps(ModuleOp module, CompileReport &report) {
  llvm::StringMap<unsigned> index;
  module.walk([&](Operation *op) {
    if (!isa_and_nonnull<KilnDialect>(op->getDialect()) || isa<ConstantOp>(op))
      return;
    std::string name = shortName(op);
    auto [it, inserted] = index.try_emplace(name, report.importedOps.size());
    if (inserted)
      report.importedOps.push_back({name, 0});
    report.importedOps[it->second].second++;
    report.numImportedOps++;
  });
}

void mlir::kiln::collectKernels(ModuleOp module, CompileReport &report) {
  report.kernels.clear();
  report.numViews = 0;
  report.numWeights = report.weightBytes = 0;
  func::FuncOp f = entryFunction(module);
  if (!f)
    return;
  for (Operation &op : f.getBody().front()) {
    if (auto c = dyn_cast<ConstantOp>(op)) {
      auto type = cast<RankedTensorType>(c.getType());
      if (isa<SplatElementsAttr>(c.getValue()))
        continue;
      report.numWeights++;
      report.weightBytes += type.getNumElements() *
                            std::max<int64_t>(1, type.getElementTypeBitWidth() / 8);
      continue;
    }
    if (!isa_and_nonnull<KilnDialect>(op.getDialect()))
      continue;
    if (isa<ReshapeOp>(op)) {
      report.numViews++;
      continue;
    }
    CompileReport::Kernel k;
    if (auto fused = dyn_cast<FusedOp>(op)) {
      for (Operation &inner : fused.getBody().front().without_terminator()) {
        if (isa<ConstantOp>(inner))
          continue;
        k.ops += (k.ops.empty() ? "" : "+") + shortName(&inner);
      }
    } else {
      k.ops = shortName(&op);
    }
    k.type = formatType(op.getResult(0).getType());
    k.source = sourceOf(op.getLoc());
    report.kernels.push_back(std::move(k));
  }
}

void mlir::kiln::collectWorkspace(ModuleOp module, CompileReport &report) {
  if (auto a = module->getAttrOfType<IntegerAttr>(kWorkspaceSizeAttrName))
    report.workspaceBytes = a.getInt();
  if (auto a = module->getAttrOfType<IntegerAttr>(kWorkspaceLowerBoundAttrName))
    report.workspaceLowerBound = a.getInt();
}

void mlir::kiln::collectCUDAImage(ModuleOp module, CompileReport &report) {
  auto bytes = [](LLVM::GlobalOp g) -> int64_t {
    auto array = dyn_cast<LLVM::LLVMArrayType>(g.getGlobalType());
    return array ? array.getNumElements() : 0;
  };
  for (auto g : module.getOps<LLVM::GlobalOp>()) {
    StringRef name = g.getSymName();
    if (!name.starts_with("__kiln_"))
      continue;
    CompileReport::CUDAImage &image =
        report.cuda ? *report.cuda : report.cuda.emplace();
    if (name.ends_with("_cuda_ptx"))
      image.ptxBytes = bytes(g) - 1; // the terminating NUL
    else if (name.ends_with("_cuda_cubin"))
      image.cubinBytes = bytes(g);
    else if (name.ends_with("_cuda_kernels"))
      image.kernels = bytes(g);
    else if (name.ends_with("_cuda_arch"))
      if (auto value = dyn_cast_or_null<StringAttr>(g.getValueOrNull()))
        image.arch = value.getValue().rtrim('\0').str();
  }
  if (report.cuda)
    if (auto tiled = module->getAttrOfType<IntegerAttr>(
            "kiln.cuda_tiled_kernels"))
      report.cuda->tiled = tiled.getInt();
}

void mlir::kiln::printReport(const CompileReport &r, llvm::raw_ostream &os) {
  os << "kiln-compile report: " << r.model << " (" << r.source << ")\n";
  if (!r.torchOps.empty()) {
    unsigned total = 0;
    for (auto &[kind, n] : r.torchOps)
      total += n;
    os << "  TorchScript ops (frozen graph): " << total << "\n";
  }
  os << "  kiln ops imported: " << r.numImportedOps << "\n   ";
  for (auto &[name, n] : r.importedOps)
    os << " " << name << " x" << n;
  os << "\n";
  unsigned fusedKernels = 0;
  for (const auto &k : r.kernels)
    fusedKernels += k.ops.find('+') != std::string::npos;
  os << "  kernels after fusion: " << r.kernels.size() << " (" << fusedKernels
     << " fused), plus " << r.numViews << " reshape views\n";
  for (auto [i, k] : llvm::enumerate(r.kernels)) {
    os << llvm::format("    %3zu  ", i) << k.ops << " -> " << k.type;
    if (!k.source.empty())
      os << "  [" << k.source << "]";
    os << "\n";
  }
  os << "  weights: " << r.numWeights << " tensors, " << r.weightBytes
     << " bytes\n";
  if (r.workspaceBytes >= 0)
    os << "  workspace: " << r.workspaceBytes << " bytes planned, lower bound "
       << r.workspaceLowerBound << " bytes (ratio "
       << formatRatio(r.workspaceBytes, r.workspaceLowerBound) << ")\n";
  if (r.cuda) {
    os << "  cuda: " << r.cuda->kernels << " kernels (" << r.cuda->tiled
       << " tiled through workgroup memory) for " << r.cuda->arch << ", PTX "
       << r.cuda->ptxBytes << " bytes, ";
    if (r.cuda->cubinBytes)
      os << "cubin " << r.cuda->cubinBytes << " bytes\n";
    else
      os << "no cubin (no ptxas: the driver compiles the PTX)\n";
  }
  if (!r.phases.empty()) {
    os << "  time:\n";
    double total = 0;
    for (auto &[phase, s] : r.phases) {
      os << llvm::format("    %-22s %8.3f s\n", phase.c_str(), s);
      total += s;
    }
    os << llvm::format("    %-22s %8.3f s\n", "total", total);
  }
}

void mlir::kiln::printReportJSON(const CompileReport &r,
                                 llvm::raw_ostream &os) {
  llvm::json::Object root;
  root["model"] = r.model;
  root["source"] = r.source;
  llvm::json::Object torch;
  for (auto &[kind, n] : r.torchOps)
    torch[kind] = n;
  root["torchscript_ops"] = std::move(torch);
  llvm::json::Object imported;
  for (auto &[name, n] : r.importedOps)
    imported[name] = n;
  root["kiln_ops_imported"] = std::move(imported);
  root["num_kiln_ops_imported"] = r.numImportedOps;
  llvm::json::Array kernels;
  for (const auto &k : r.kernels) {
    llvm::json::Array ops;
    llvm::StringRef rest = k.ops;
    while (!rest.empty()) {
      auto [head, tail] = rest.split('+');
      ops.push_back(head.str());
      rest = tail;
    }
    kernels.push_back(llvm::json::Object{
        {"ops", std::move(ops)}, {"type", k.type}, {"source", k.source}});
  }
  root["num_kernels"] = static_cast<int64_t>(r.kernels.size());
  root["kernels"] = std::move(kernels);
  root["num_views"] = r.numViews;
  root["num_weights"] = r.numWeights;
  root["weight_bytes"] = r.weightBytes;
  if (r.workspaceBytes >= 0) {
    root["workspace_bytes"] = r.workspaceBytes;
    root["workspace_lower_bound_bytes"] = r.workspaceLowerBound;
  }
  if (r.cuda)
    root["cuda"] = llvm::json::Object{{"arch", r.cuda->arch},
                                      {"kernels", r.cuda->kernels},
                                      {"tiled_kernels", r.cuda->tiled},
                                      {"ptx_bytes", r.cuda->ptxBytes},
                                      {"cubin_bytes", r.cuda->cubinBytes}};
  llvm::json::Object phases;
  for (auto &[phase, s] : r.phases)
    phases[phase] = s;
  root["phase_seconds"] = std::move(phases);
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(root))) << "\n";
}
