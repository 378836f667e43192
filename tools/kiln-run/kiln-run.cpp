//===- kiln-run.cpp - Compile a model in process and run it on .npy files -===//
#include "../ToolCommon.h"

#include "kiln/Pipelines/Pipelines.h"
#include "kiln/Dialect/Kiln/IR/KilnOps.h"
#include "kiln/Support/ABI.h"
#include "kiln/Support/Npy.h"
#include "kiln/Target/CPU/ObjectEmitter.h"
#include "kiln/runtime.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Pass/PassManager.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>

using namespace mlir;
using namespace mlir::kiln;
using namespace kiln_tools;

static const char *kDescription = R"(kiln-run: compile a model in process and run it on .npy inputs.

Compiles MODEL with the same pipeline as kiln-compile (JIT instead of an
object file), takes the input types from the .npy files (so no --input-shape
is needed), runs forward once and writes DIR/output0.npy, output1.npy, ...
(forward's outputs, tuples flattened depth-first).)";

static const char *kFooter = R"(
EXAMPLES:
  kiln-run mycell.pt --input x.npy --input h.npy --output-dir out/
  kiln-run mycell.pt --input x.npy --input h.npy --benchmark 1000

EXIT STATUS:
  0 success; 1 the model cannot be compiled or the inputs do not fit it;
  2 bad command line; 3 a file cannot be read or written.)";

int main(int argc, char **argv) {
  CLI::App app{kDescription, "kiln-run"};
  app.footer(kFooter);
  app.set_version_flag("--version", std::string("kiln-run ") + kVersion);
  app.get_formatter()->column_width(30);

  std::string model, outputDir = ".", name;
  std::vector<std::string> inputs;
  unsigned benchmark = 0, optLevel = 3;
  bool quiet = false;
  OptimizationFlags optimization;
  app.add_option("model", model,
                 "TorchScript archive (.pt) or kiln IR (.mlir)")
      ->required()
      ->type_name("MODEL");
  app.add_option("-i,--input", inputs,
                 "One .npy file per forward parameter, in order")
      ->type_name("FILE.npy");
  app.add_option("-d,--output-dir", outputDir,
                 "Where output0.npy, output1.npy, ... go (default: .)")
      ->type_name("DIR");
  app.add_option("--benchmark", benchmark,
                 "Also time N calls and print min/median latency")
      ->type_name("N");
  app.add_option("--name", name, "Model name (default: MODEL's file stem)")
      ->type_name("NAME");
  app.add_option("-O,--opt-level", optLevel, "LLVM optimization level 0-3")
      ->check(CLI::Range(0u, 3u))
      ->type_name("N");
  optimization.add(app);
  bool emulateGPU = false;
  app.add_flag("--emulate-gpu-mapping", emulateGPU,
               "Testing: run the loops of the CUDA kernels' thread mapping "
               "on the CPU (checks the GPU index arithmetic without a GPU)");
  app.add_flag("-q,--quiet", quiet, "Print nothing but errors");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }

  std::vector<NpyArray> arrays;
  for (const std::string &path : inputs) {
    llvm::Expected<NpyArray> a = readNpy(path);
    if (!a) {
      llvm::errs() << "kiln-run: error: " << llvm::toString(a.takeError())
                   << "\n";
      return kExitIOError;
    }
    arrays.push_back(std::move(*a));
  }

  ImportOptions importOptions;
  importOptions.modelName = name;
  importOptions.inputFlag = "--input";
  bool isMLIR = StringRef(model).ends_with(".mlir") ||
                StringRef(model).ends_with(".mlirbc");
  if (!isMLIR)
    for (const NpyArray &a : arrays)
      importOptions.inputs.push_back(
          {"", a.shape, kiln_dtype_name(a.dtype)});

  std::unique_ptr<MLIRContext> ctx = makeContext();
  ToolDiagnosticHandler diagnostics(ctx.get());
  DialectRegistry llvmRegistry;
  initializeCPUTarget(llvmRegistry);
  ctx->appendDialectRegistry(llvmRegistry);
  OwningOpRef<ModuleOp> module = loadModel(ctx.get(), model, importOptions);
  if (!module)
    return kExitCompileError;

  KilnPipelineOptions pipelineOptions;
  optimization.apply(pipelineOptions);
  pipelineOptions.modelName = name;
  pipelineOptions.emulateGPUMapping = emulateGPU;
  PassManager pm(ctx.get(), ModuleOp::getOperationName());
  buildKilnPipeline(pm, pipelineOptions);
  if (failed(runPipeline(*module, pm)))
    return kExitCompileError;
  FailureOr<ModelSignature> sig = readModelSignature(*module);
  if (failed(sig))
    return kExitCompileError;

  // The .npy files against the model (for .mlir models the types come from
  // the IR, so this is where a wrong shape shows).
  if (arrays.size() != sig->inputs.size()) {
    llvm::errs() << "kiln-run: error: the model takes " << sig->inputs.size()
                 << " input(s) (";
    llvm::interleaveComma(sig->inputs, llvm::errs(),
                          [](const TensorSignature &t) { llvm::errs() << t.name; });
    llvm::errs() << ") but " << arrays.size() << " --input file(s) were given\n";
    return kExitCompileError;
  }
  for (auto [i, t] : llvm::enumerate(sig->inputs)) {
    const NpyArray &a = arrays[i];
    int want = getKilnDType(t.type.getElementType());
    if (a.dtype != want || ArrayRef<int64_t>(a.shape) != t.type.getShape()) {
      std::string got;
      for (int64_t d : a.shape)
        got += std::to_string(d) + "x";
      llvm::errs() << "kiln-run: error: input " << i << " ('" << t.name
                   << "'): " << inputs[i] << " is " << got
                   << kiln_dtype_name(a.dtype) << " but the model expects "
                   << formatType(t.type) << "\n";
      return kExitCompileError;
    }
  }

  ExecutionEngineOptions engineOptions;
  auto optimize = makeOptimizingTransformer(optLevel, /*sizeLevel=*/0, nullptr);
  engineOptions.transformer = optimize;
  engineOptions.jitCodeGenOptLevel = static_cast<llvm::CodeGenOptLevel>(optLevel);
  auto engine = ExecutionEngine::create(*module, engineOptions);
  if (!engine) {
    llvm::errs() << "kiln-run: error: JIT compilation failed: "
                 << llvm::toString(engine.takeError()) << "\n";
    return kExitCompileError;
  }
  // The generated code calls into the runtime, linked into this tool.
  (*engine)->registerSymbols([](llvm::orc::MangleAndInterner interner) {
    llvm::orc::SymbolMap map;
    auto add = [&](const char *name, auto *fn) {
      map[interner(name)] = {llvm::orc::ExecutorAddr::fromPtr(fn),
                             llvm::JITSymbolFlags::Exported};
    };
    // Exactly the functions generated code calls.
#define KILN_RUNTIME_CALL(name) add(#name, &name);
#include "kiln/runtime_calls.def"
#undef KILN_RUNTIME_CALL
    return map;
  });
  std::string entryName = sig->modelName + "_forward_tensors";
  auto symbol = (*engine)->lookup(entryName);
  if (!symbol) {
    llvm::errs() << "kiln-run: error: " << llvm::toString(symbol.takeError())
                 << "\n";
    return kExitCompileError;
  }
  using Entry = int (*)(const kiln_tensor *, int64_t, kiln_tensor *, int64_t);
  auto entry = reinterpret_cast<Entry>(*symbol);

  std::vector<kiln_tensor> in(arrays.size()), out(sig->outputs.size());
  std::vector<std::vector<char>> outData(sig->outputs.size());
  for (auto [i, a] : llvm::enumerate(arrays))
    kiln_tensor_init(&in[i], a.dtype, a.shape.size(), a.shape.data(),
                     a.data.data());
  for (auto [i, t] : llvm::enumerate(sig->outputs)) {
    int dtype = getKilnDType(t.type.getElementType());
    outData[i].resize(t.type.getNumElements() * kiln_dtype_size(dtype));
    kiln_tensor_init(&out[i], dtype, t.type.getRank(), t.type.getShape().data(),
                     outData[i].data());
  }
  int status = entry(in.data(), in.size(), out.data(), out.size());
  if (status == KILN_STATUS_INDEX_OUT_OF_RANGE) {
    // What PyTorch raises as an IndexError; no outputs are written.
    llvm::errs() << "kiln-run: error: " << kiln_last_error() << "\n";
    return kExitCompileError;
  }
  if (status != KILN_STATUS_OK) {
    llvm::errs() << "kiln-run: error: " << entryName << " returned " << status
                 << " (" << kiln_status_string(status) << ")\n";
    return kExitCompileError;
  }

  if (std::error_code ec = llvm::sys::fs::create_directories(outputDir)) {
    llvm::errs() << "kiln-run: error: cannot create '" << outputDir
                 << "': " << ec.message() << "\n";
    return kExitIOError;
  }
  for (auto [i, t] : llvm::enumerate(sig->outputs)) {
    SmallString<256> path(outputDir);
    llvm::sys::path::append(path, "output" + std::to_string(i) + ".npy");
    if (llvm::Error err = writeNpy(path, out[i].dtype, t.type.getShape(),
                                   outData[i].data(), outData[i].size())) {
      llvm::errs() << "kiln-run: error: " << llvm::toString(std::move(err))
                   << "\n";
      return kExitIOError;
    }
    if (!quiet)
      llvm::outs() << "output" << i << " (" << t.name << "): "
                   << formatType(t.type) << " -> " << path << "\n";
  }

  if (benchmark > 0) {
    for (unsigned i = 0; i < std::min(benchmark, 10u); ++i) // warm-up
      entry(in.data(), in.size(), out.data(), out.size());
    std::vector<double> us(benchmark);
    for (unsigned i = 0; i < benchmark; ++i) {
      auto t0 = std::chrono::steady_clock::now();
      entry(in.data(), in.size(), out.data(), out.size());
      auto t1 = std::chrono::steady_clock::now();
      us[i] = std::chrono::duration<double, std::micro>(t1 - t0).count();
    }
    std::sort(us.begin(), us.end());
    llvm::outs() << llvm::format("benchmark: %u calls, min %.3f us, median "
                                 "%.3f us\n",
                                 benchmark, us.front(), us[benchmark / 2]);
  }
  return kExitOk;
}
