//===- kiln-compile.cpp - Compile a TorchScript model to a native object --===//
#include "../ToolCommon.h"

#include "kiln/Pipelines/Pipelines.h"
#include "kiln/Pipelines/Report.h"
#include "kiln/Support/ABI.h"
#include "kiln/Target/CHeader.h"
#include "kiln/Target/CPU/ObjectEmitter.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"

#include <CLI/CLI.hpp>

#include <chrono>

using namespace mlir;
using namespace mlir::kiln;
using namespace kiln_tools;

static const char *kDescription = R"(kiln-compile: compile a traced PyTorch model to native code.

Reads a TorchScript archive (torch.jit.trace(model, inputs).save("m.pt")) or a
.mlir file of kiln IR, optimizes it (fusion, constant folding) and writes an
object file that exports, for a model NAME:
  int NAME_forward(const float *in0, ..., float *out0, ...);
  int NAME_forward_with_workspace(void *ws, size_t ws_size, in..., out...);
  size_t NAME_workspace_size(void);
  int NAME_forward_tensors(const kiln_tensor *in, int64_t n_in,
                           kiln_tensor *out, int64_t n_out);
  const kiln_signature *NAME_signature(void);
Link it with Kiln's runtime (libkiln_runtime.a), libm and pthreads.

With --target=cuda the kernels are compiled for an NVIDIA GPU (PTX from
LLVM's NVPTX backend, plus a cubin when ptxas is found) and embedded in a
host object that exports NAME_cuda_init, NAME_cuda_forward (device pointers
and a stream), NAME_cuda_forward_with_workspace, NAME_cuda_forward_host
(host buffers) and NAME_cuda_release. The runtime loads the CUDA driver at
run time: neither Kiln nor the application needs the CUDA toolkit.)";

/// The ptxas to assemble cubins with for --ptxas=`choice`: "" for none;
/// nullopt (and `error`) when an explicit path does not exist.
static std::optional<std::string> findPtxas(const std::string &choice,
                                            std::string &error) {
  if (choice == "none")
    return std::string();
  if (choice != "auto") {
    if (!llvm::sys::fs::can_execute(choice)) {
      error = "--ptxas: '" + choice + "' is not an executable";
      return std::nullopt;
    }
    return choice;
  }
  if (auto found = llvm::sys::findProgramByName("ptxas"))
    return *found;
  if (llvm::sys::fs::can_execute("/usr/local/cuda/bin/ptxas"))
    return std::string("/usr/local/cuda/bin/ptxas");
  return std::string();
}

/// The PTX that kiln-lower-gpu-launch embedded for `model`.
static LogicalResult getEmbeddedPTX(ModuleOp module, StringRef model,
                                    std::string &ptx) {
  auto global = dyn_cast_or_null<LLVM::GlobalOp>(SymbolTable::lookupSymbolIn(
      module, ("__kiln_" + model + "_cuda_ptx").str()));
  auto value = global ? dyn_cast_or_null<StringAttr>(global.getValueOrNull())
                      : nullptr;
  if (!value)
    return emitError(module.getLoc(), "no embedded PTX found");
  ptx = value.getValue().str();
  while (!ptx.empty() && ptx.back() == '\0')
    ptx.pop_back();
  return success();
}

static const char *kFooter = R"(
STAGES (--emit):
  kiln          optimized kiln dialect IR (after fusion)
  linalg        linalg/tensor/arith/math on tensors
  bufferized    memref code with results written into out-parameters
  llvm-dialect  MLIR LLVM dialect with the C entry points
  llvm          LLVM IR (optimized at -O)
  asm           native assembly
  obj           native object file (default)
  header        the C header only

REPORT (--report, --report=json):
  ops imported, kernels after fusion (what went into each, with the Python
  line), weight bytes, the planned workspace and its lower bound (the most
  bytes live at once), for --target=cuda the device image (kernels, tiled
  kernels, PTX and cubin bytes), and the seconds spent in each phase. Printed to
  stdout, or to stderr when the compiled output itself goes to stdout.

EXAMPLES:
  kiln-compile mycell.pt --input-shape x=3x4xf32 --input-shape h=3x4xf32 \
      -o mycell.o --header mycell.h
  kiln-compile mycell.pt --input-shape 3x4xf32 --input-shape 3x4xf32 --emit=kiln
  kiln-compile model.mlir --emit=llvm -o model.ll
  kiln-compile resnet18.pt --input-shape 1x3x224x224xf32 --report=json
  cc app.c mycell.o -lkiln_runtime -lm -lpthread -o app
  kiln-compile mlp.pt --input-shape 64x784xf32 --target=cuda -o mlp.o \
      --header mlp.h
  kiln-compile mlp.pt --input-shape 64x784xf32 --target=cuda --emit=ptx

EXIT STATUS:
  0 success; 1 the model cannot be compiled (diagnostics say why, with the
  Python source line); 2 bad command line; 3 a file cannot be written.)";

int main(int argc, char **argv) {
  CLI::App app{kDescription, "kiln-compile"};
  app.footer(kFooter);
  app.set_version_flag("--version", std::string("kiln-compile ") + kVersion);
  app.get_formatter()->column_width(34);

  std::string input, output, headerPath, name, emit = "obj";
  std::string mcpu = "host", mtriple, mattr;
  std::string targetName = "cpu", cudaArch = "sm_90", ptxas = "auto";
  bool emulateGPU = false;
  std::vector<std::string> inputShapes;
  unsigned optLevel = 3;
  bool timing = false;
  uint64_t maxWeightBytes = 0; // 0: no bound
  OptimizationFlags optimization;
  std::string report;

  app.add_option("model", input,
                 "TorchScript archive (.pt) or kiln IR (.mlir, .mlirbc)")
      ->required()
      ->type_name("MODEL");
  app.add_option("-o,--output", output,
                 "Output file (default: MODEL's stem + .o for obj, stdout "
                 "for text stages; '-' is stdout)")
      ->type_name("FILE");
  app.add_option("--header", headerPath,
                 "Also write the model's C header here (e.g. mycell.h)")
      ->type_name("FILE");
  app.add_option("--name", name,
                 "C prefix of the generated API (default: MODEL's file stem, "
                 "e.g. mycell -> mycell_forward)")
      ->type_name("NAME");
  app.add_option("--input-shape", inputShapes,
                 "Type of one of forward's tensor parameters, by name "
                 "(x=3x4xf32) or in order (3x4xf32); repeat per input. "
                 "dtypes: f32 f64 f16 bf16 i8 i16 i32 i64 bool")
      ->type_name("[NAME=]DIMSxDTYPE");
  app.add_option("--emit", emit, "Stop after this stage (see STAGES)")
      ->check(CLI::IsMember({"kiln", "linalg", "bufferized", "llvm-dialect",
                             "llvm", "asm", "obj", "header", "ptx"}))
      ->type_name("STAGE");
  app.add_option("--target", targetName,
                 "cpu (default): native code for this machine (or --mcpu); "
                 "cuda: NVIDIA GPU kernels in a host object")
      ->check(CLI::Validator(
          [](std::string &name) -> std::string {
            return parseTargetKind(name) ? "" : "expected cpu or cuda";
          },
          "TARGET"))
      ->type_name("TARGET");
  app.add_option("--cuda-arch", cudaArch,
                 "GPU architecture for --target=cuda (default sm_90, the "
                 "H100/H200; any sm_NN)")
      ->type_name("SM");
  app.add_option("--ptxas", ptxas,
                 "ptxas for the cubin: auto (default: PATH, then "
                 "/usr/local/cuda/bin), none (PTX only, compiled by the "
                 "driver when loaded), or a path")
      ->type_name("PATH");
  app.add_flag("--emulate-gpu-mapping", emulateGPU,
               "Testing: CPU code whose loops are the CUDA kernels' thread "
               "mapping (checks the GPU index arithmetic without a GPU)");
  app.add_option("--mcpu", mcpu,
                 "Target CPU: host (default), or e.g. x86-64-v3, znver3")
      ->type_name("CPU");
  app.add_option("--mtriple", mtriple, "Target triple (default: the host's)")
      ->type_name("TRIPLE");
  app.add_option("--mattr", mattr, "Extra target features, e.g. +avx2,-fma")
      ->type_name("FEATURES");
  app.add_option("-O,--opt-level", optLevel, "LLVM optimization level 0-3 "
                 "(default 3)")
      ->check(CLI::Range(0u, 3u))
      ->type_name("N");
  optimization.add(app);
  app.add_option("--report", report,
                     "Print a compile report (see REPORT): --report for "
                     "text, --report=json")
      ->check(CLI::IsMember({"text", "json"}))
      ->type_name("[=FORMAT]");
  app.add_option("--max-weight-bytes", maxWeightBytes,
                 "Refuse a model whose weights (the constants the object "
                 "embeds) exceed this size, e.g. 512MiB or 2GB (default: "
                 "no bound)")
      ->transform(CLI::AsSizeValue(false))
      ->type_name("SIZE");
  app.add_flag("--timing", timing,
               "Print the time spent in each pass (MLIR pass timing)");

  // A bare --report means text; spell it out so the option does not take
  // the next argument (often the model) as its format.
  std::vector<std::string> args;
  for (int i = argc - 1; i >= 1; --i)
    args.push_back(std::string(argv[i]) == "--report" ? "--report=text"
                                                      : argv[i]);
  try {
    app.parse(args);
  } catch (const CLI::ParseError &e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }

  ImportOptions importOptions;
  importOptions.modelName = name;
  if (!parseInputSpecs(inputShapes, importOptions, "kiln-compile"))
    return kExitUsage;
  if (!name.empty() && !isValidCIdentifier(name)) {
    llvm::errs() << "kiln-compile: error: --name '" << name
                 << "' is not a valid C identifier\n";
    return kExitUsage;
  }

  std::unique_ptr<MLIRContext> ctx = makeContext();
  ToolDiagnosticHandler diagnostics(ctx.get());
  DialectRegistry llvmRegistry;
  initializeCPUTarget(llvmRegistry);
  ctx->appendDialectRegistry(llvmRegistry);

  CompileReport compileReport;
  compileReport.source = input;
  using Clock = std::chrono::steady_clock;
  auto phaseStart = Clock::now();
  auto endPhase = [&](StringRef phase) {
    auto now = Clock::now();
    compileReport.phases.push_back(
        {phase.str(), std::chrono::duration<double>(now - phaseStart).count()});
    phaseStart = now;
  };

  ImportReport importReport;
  OwningOpRef<ModuleOp> module =
      loadModel(ctx.get(), input, importOptions, &importReport);
  if (!module)
    return kExitCompileError;
  endPhase("import");
  if (maxWeightBytes) {
    // Folding never enlarges the weights (a fold that would is skipped),
    // so the imported constants bound what the object embeds.
    CompileReport weights;
    collectKernels(*module, weights);
    if (static_cast<uint64_t>(weights.weightBytes) > maxWeightBytes) {
      llvm::errs() << "kiln-compile: error: '" << input << "' has "
                   << weights.numWeights << " weight tensors of "
                   << weights.weightBytes << " bytes, more than "
                   << "--max-weight-bytes=" << maxWeightBytes << "\n";
      return kExitCompileError;
    }
  }
  compileReport.torchOps = importReport.opCounts;
  if (auto n = (*module)->getAttrOfType<StringAttr>("kiln.model_name"))
    compileReport.model = n.str();
  if (!report.empty())
    collectImportedOps(*module, compileReport);

  Stage stage = emit == "kiln"                             ? Stage::Kiln
                : emit == "linalg"                         ? Stage::Linalg
                : emit == "bufferized" || emit == "header" ? Stage::Bufferized
                                                           : Stage::LLVM;
  // A header needs the signature (linalg stage) and the workspace size
  // (bufferized stage).
  if (!headerPath.empty() && static_cast<int>(stage) <
                                 static_cast<int>(Stage::Bufferized)) {
    llvm::errs() << "kiln-compile: error: --header needs --emit=bufferized or "
                    "a later stage (the workspace is planned there)\n";
    return kExitUsage;
  }

  // The one place the target's name is read.
  TargetKind target = *parseTargetKind(targetName);
  KilnPipelineOptions pipelineOptions;
  optimization.apply(pipelineOptions);
  pipelineOptions.modelName = name;
  pipelineOptions.target = target;
  pipelineOptions.cudaArch = cudaArch;
  pipelineOptions.emulateGPUMapping = emulateGPU;
  {
    std::string error;
    if (!validateTargetOptions(pipelineOptions, error)) {
      llvm::errs() << "kiln-compile: error: " << error << "\n";
      return kExitUsage;
    }
  }
  if (target != TargetKind::CUDA &&
      (app.count("--cuda-arch") || app.count("--ptxas"))) {
    llvm::errs() << "kiln-compile: error: --cuda-arch and --ptxas need "
                    "--target=cuda\n";
    return kExitUsage;
  }
  if (emit == "ptx" && target != TargetKind::CUDA) {
    llvm::errs() << "kiln-compile: error: --emit=ptx needs --target=cuda\n";
    return kExitUsage;
  }
  if (target == TargetKind::CUDA) {
    std::string error;
    std::optional<std::string> tool = findPtxas(ptxas, error);
    if (!tool) {
      llvm::errs() << "kiln-compile: error: " << error << "\n";
      return kExitUsage;
    }
    // --emit=ptx needs no cubin.
    pipelineOptions.ptxas = emit == "ptx" ? "" : *tool;
  }
  // One pipeline; the report times each stage and lists the kernels the
  // kiln stage left, as the stages end.
  static const char *kStageNames[] = {"optimize (kiln)", "lower to linalg",
                                      "bufferize + plan memory",
                                      "lower to LLVM dialect"};
  PassManager pm(ctx.get(), ModuleOp::getOperationName());
  if (timing)
    pm.enableTiming();
  PipelineStages stages = buildKilnPipeline(pm, pipelineOptions, stage);
  observeStages(pm, stages, [&](Stage s) {
    endPhase(kStageNames[static_cast<int>(s)]);
    if (s == Stage::Kiln && !report.empty())
      collectKernels(*module, compileReport);
  });
  if (failed(runPipeline(*module, pm)))
    return kExitCompileError;
  // Recorded in the linalg stage; the module keeps it to the end.
  std::optional<ModelSignature> signature;
  if (stage != Stage::Kiln) {
    FailureOr<ModelSignature> sig = readModelSignature(*module);
    if (failed(sig))
      return kExitCompileError;
    signature = *sig;
  }
  collectWorkspace(*module, compileReport);
  if (target == TargetKind::CUDA && stage == Stage::LLVM)
    collectCUDAImage(*module, compileReport);
  // Where the report goes: stdout unless the compiled output does.
  auto printCompileReport = [&] {
    if (report.empty())
      return;
    bool outputIsStdout =
        output == "-" ||
        (output.empty() && emit != "obj") || emit == "header";
    llvm::raw_ostream &os = outputIsStdout ? llvm::errs() : llvm::outs();
    if (report == "json")
      printReportJSON(compileReport, os);
    else
      printReport(compileReport, os);
    os.flush();
  };

  auto writeText = [&](StringRef path, auto &&writer) -> int {
    std::string error;
    auto file = openOutputFile(path, &error);
    if (!file) {
      llvm::errs() << "kiln-compile: error: " << error << "\n";
      return kExitIOError;
    }
    writer(file->os());
    file->keep();
    return kExitOk;
  };

  if (!headerPath.empty() || emit == "header") {
    std::string path = emit == "header" && headerPath.empty()
                           ? (output.empty() ? "-" : output)
                           : headerPath;
    int rc = writeText(path, [&](llvm::raw_ostream &os) {
      emitCHeader(*signature, compileReport.workspaceBytes,
                  llvm::sys::path::filename(input), os,
                  target);
    });
    if (rc != kExitOk)
      return rc;
    if (emit == "header") {
      printCompileReport();
      return rc;
    }
  }

  if (emit == "ptx") {
    std::string ptx;
    if (failed(getEmbeddedPTX(*module, signature->modelName, ptx)))
      return kExitCompileError;
    int rc = writeText(output.empty() ? "-" : output,
                       [&](llvm::raw_ostream &os) { os << ptx; });
    printCompileReport();
    return rc;
  }

  if (stage != Stage::LLVM || emit == "llvm-dialect") {
    int rc = writeText(output.empty() ? "-" : output,
                       [&](llvm::raw_ostream &os) { module->print(os); });
    printCompileReport();
    return rc;
  }

  CPUTargetOptions targetOptions;
  targetOptions.cpu = mcpu;
  targetOptions.triple = mtriple;
  targetOptions.features = mattr;
  targetOptions.optLevel = optLevel;
  std::string error;
  auto tm = createCPUTargetMachine(targetOptions, error);
  if (!tm) {
    llvm::errs() << "kiln-compile: error: " << error << "\n";
    return kExitUsage;
  }
  llvm::LLVMContext llvmContext;
  auto llvmModule = translateToLLVMIR(*module, llvmContext, *tm, optLevel);
  if (!llvmModule)
    return kExitCompileError;
  endPhase("LLVM IR + optimize");
  if (emit == "llvm") {
    int rc = writeText(output.empty() ? "-" : output, [&](llvm::raw_ostream &os) {
      llvmModule->print(os, nullptr);
    });
    printCompileReport();
    return rc;
  }

  if (output.empty())
    output = emit == "obj"
                 ? (llvm::sys::path::stem(input) + ".o").str()
                 : std::string("-");
  auto file = openOutputFile(output, &error);
  if (!file) {
    llvm::errs() << "kiln-compile: error: " << error << "\n";
    return kExitIOError;
  }
  if (failed(emitMachineCode(*llvmModule, *tm, file->os(), emit == "asm",
                             error))) {
    llvm::errs() << "kiln-compile: error: " << error << "\n";
    return kExitCompileError;
  }
  file->keep();
  endPhase("machine code");
  printCompileReport();
  return kExitOk;
}
