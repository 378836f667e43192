//===- GPUHost.cpp - Host side of a CUDA model: weights, images, launches -===//
//
// kiln-prepare-cuda-host gives the model function the calling convention
//   i32 impl(ptr model, ptr stream, ptr in..., ptr out..., ptr ws,
//            ptr weight...)
// kiln-lower-gpu-launch (after gpu-to-llvm) replaces every gpu.launch_func
// by a call of the runtime's kiln_cuda_launch and embeds the device image,
// the kernel table and the weight table in one kiln_cuda_model_desc:
//   struct { u32 struct_size, abi_version; const char *model_name;
//            const char *ptx; const void *cubin; u64 cubin_size;
//            const char *cubin_arch; i64 num_kernels;
//            const char *const *kernel_names; i64 num_weights;
//            const void *const *weights; const u64 *weight_bytes;
//            u64 workspace_size; }
// (runtime/include/kiln/runtime.h, LP64).
//
//===----------------------------------------------------------------------===//
#include "kiln/Target/CUDA/Passes.h"

#include "kiln/Dialect/Kiln/IR/KilnDialect.h"
#include "kiln/Support/ABI.h"
#include "kiln/runtime.h"

#include "mlir/IR/Builders.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNPREPARECUDAHOST
#define GEN_PASS_DEF_KILNLOWERGPULAUNCH
#include "kiln/Target/CUDA/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// The model function (`kiln.abi`) of `module`, or null after an error.
template <typename FuncT> FuncT findModelFunction(ModuleOp module) {
  for (auto f : module.getOps<FuncT>())
    if (f->hasAttr(kABIAttrName))
      return f;
  module.emitError() << "no model function with '" << kABIAttrName
                     << "' found; run --kiln-prepare-abi first";
  return nullptr;
}

struct KilnPrepareCUDAHost
    : public kiln::impl::KilnPrepareCUDAHostBase<KilnPrepareCUDAHost> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto func = findModelFunction<func::FuncOp>(module);
    if (!func)
      return signalPassFailure();
    if (func.getNumResults() != 0) {
      func.emitError("expected results as out-parameters (run "
                     "buffer-results-to-out-params first)");
      return signalPassFailure();
    }
    MLIRContext *ctx = module.getContext();
    OpBuilder b(ctx);
    // Weights: one trailing argument per global the function reads.
    llvm::MapVector<StringAttr, BlockArgument> weightArgs;
    SmallVector<Attribute> weights;
    SmallVector<memref::GetGlobalOp> reads;
    func.walk([&](memref::GetGlobalOp get) { reads.push_back(get); });
    for (memref::GetGlobalOp get : reads) {
      StringAttr name = get.getNameAttr().getAttr();
      auto it = weightArgs.find(name);
      if (it == weightArgs.end()) {
        auto global = SymbolTable::lookupNearestSymbolFrom<memref::GlobalOp>(
            get, get.getNameAttr());
        auto type = cast<MemRefType>(get.getType());
        if (!global || !type.hasStaticShape() ||
            !type.getLayout().isIdentity()) {
          get.emitOpError("CUDA backend: expected a static, dense global");
          return signalPassFailure();
        }
        unsigned index = func.getNumArguments();
        if (failed(func.insertArgument(index, type, {}, get.getLoc())))
          return signalPassFailure();
        it = weightArgs.insert({name, func.getArgument(index)}).first;
        int64_t bits = type.getNumElements() *
                       std::max<int64_t>(8, type.getElementTypeBitWidth());
        weights.push_back(DictionaryAttr::get(
            ctx, {b.getNamedAttr("name", FlatSymbolRefAttr::get(name)),
                  b.getNamedAttr("bytes", b.getI64IntegerAttr(
                                              llvm::divideCeil(bits, 8)))}));
      }
      get.getResult().replaceAllUsesWith(it->second);
      get.erase();
    }
    module->setAttr(kCUDAWeightsAttrName, b.getArrayAttr(weights));
    // Model state and stream first.
    Type ptr = LLVM::LLVMPointerType::get(ctx);
    for (unsigned i = 0; i < 2; ++i)
      if (failed(func.insertArgument(i, ptr, {}, func.getLoc())))
        return signalPassFailure();
    // A status result.
    Type i32 = b.getI32Type();
    func.setType(
        FunctionType::get(ctx, func.getArgumentTypes(), TypeRange{i32}));
    func.walk([&](func::ReturnOp ret) {
      b.setInsertionPoint(ret);
      Value ok = arith::ConstantIntOp::create(b, ret.getLoc(), i32,
                                              KILN_STATUS_OK);
      func::ReturnOp::create(b, ret.getLoc(), ValueRange{ok});
      ret.erase();
    });
  }
};

struct KilnLowerGPULaunch
    : public kiln::impl::KilnLowerGPULaunchBase<KilnLowerGPULaunch> {
  using kiln::impl::KilnLowerGPULaunchBase<
      KilnLowerGPULaunch>::KilnLowerGPULaunchBase;

  Type ptr, i32, i64;

  LLVM::GlobalOp bytesGlobal(OpBuilder &b, Location loc, StringRef name,
                             StringRef data) {
    auto type = LLVM::LLVMArrayType::get(IntegerType::get(b.getContext(), 8),
                                         data.size());
    return LLVM::GlobalOp::create(b, loc, type, /*isConstant=*/true,
                                  LLVM::Linkage::Private, name,
                                  b.getStringAttr(data), /*alignment=*/16);
  }

  /// A private constant array of pointers to `targets` (null when empty).
  LLVM::GlobalOp pointerArray(OpBuilder &b, Location loc, StringRef name,
                              ArrayRef<StringRef> targets) {
    if (targets.empty())
      return nullptr;
    auto type = LLVM::LLVMArrayType::get(ptr, targets.size());
    auto global = LLVM::GlobalOp::create(b, loc, type, /*isConstant=*/true,
                                         LLVM::Linkage::Private, name,
                                         Attribute());
    OpBuilder::InsertionGuard guard(b);
    b.createBlock(&global.getInitializerRegion());
    Value array = LLVM::UndefOp::create(b, loc, type);
    for (auto [i, target] : llvm::enumerate(targets))
      array = LLVM::InsertValueOp::create(
          b, loc, array, LLVM::AddressOfOp::create(b, loc, ptr, target),
          {static_cast<int64_t>(i)});
    LLVM::ReturnOp::create(b, loc, array);
    return global;
  }

  /// Runs ptxas on `ptx`; returns the cubin, or "" after reporting an error.
  FailureOr<std::string> assemble(Location loc, StringRef ptx) {
    SmallString<128> ptxPath, cubinPath, logPath;
    int fd;
    if (llvm::sys::fs::createTemporaryFile("kiln", "ptx", fd, ptxPath) ||
        llvm::sys::fs::createTemporaryFile("kiln", "cubin", cubinPath) ||
        llvm::sys::fs::createTemporaryFile("kiln-ptxas", "log", logPath))
      return emitError(loc, "cannot create temporary files for ptxas");
    {
      llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
      os << ptx;
    }
    llvm::scope_exit cleanup([&] {
      llvm::sys::fs::remove(ptxPath);
      llvm::sys::fs::remove(cubinPath);
      llvm::sys::fs::remove(logPath);
    });
    std::string archFlag = "-arch=" + arch;
    SmallVector<StringRef> argv = {ptxas, archFlag, "-O3", "-o", cubinPath,
                                   ptxPath};
    std::optional<StringRef> redirects[] = {std::nullopt, logPath.str(),
                                            logPath.str()};
    std::string error;
    int rc = llvm::sys::ExecuteAndWait(ptxas, argv, std::nullopt, redirects,
                                       /*SecondsToWait=*/0, /*Memory=*/0,
                                       &error);
    if (rc != 0) {
      std::string log;
      if (auto buffer = llvm::MemoryBuffer::getFile(logPath))
        log = (*buffer)->getBuffer().str();
      return emitError(loc) << "ptxas (" << ptxas << " " << archFlag
                            << ") failed"
                            << (error.empty() ? "" : ": " + error) << "\n"
                            << log;
    }
    auto cubin = llvm::MemoryBuffer::getFile(cubinPath, /*IsText=*/false);
    if (!cubin)
      return emitError(loc, "ptxas wrote no cubin");
    return (*cubin)->getBuffer().str();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = module.getContext();
    ptr = LLVM::LLVMPointerType::get(ctx);
    i32 = IntegerType::get(ctx, 32);
    i64 = IntegerType::get(ctx, 64);
    auto impl = findModelFunction<LLVM::LLVMFuncOp>(module);
    if (!impl)
      return signalPassFailure();
    FailureOr<ModelSignature> signature = readModelSignature(module);
    if (failed(signature))
      return signalPassFailure();
    std::string prefix = "__kiln_" + signature->modelName + "_cuda";
    Location loc = module.getLoc();
    OpBuilder b(ctx);
    b.setInsertionPointToEnd(module.getBody());

    // The device image: PTX text, and a cubin when ptxas is given.
    SmallVector<gpu::BinaryOp> binaries(module.getOps<gpu::BinaryOp>());
    if (binaries.size() > 1) {
      binaries[1].emitError("expected one gpu.binary (run "
                            "kiln-merge-gpu-modules)");
      return signalPassFailure();
    }
    std::string ptx;
    if (!binaries.empty()) {
      auto objects = binaries.front().getObjects();
      auto object = objects.empty()
                        ? nullptr
                        : dyn_cast<gpu::ObjectAttr>(objects[0]);
      if (!object || object.getFormat() != gpu::CompilationTarget::Assembly) {
        binaries.front().emitError("expected PTX (gpu-module-to-binary "
                                   "format=isa)");
        return signalPassFailure();
      }
      ptx = object.getObject().str();
    }
    std::string cubin;
    if (!ptxas.empty() && !ptx.empty()) {
      FailureOr<std::string> assembled = assemble(loc, ptx);
      if (failed(assembled))
        return signalPassFailure();
      cubin = std::move(*assembled);
    }
    LLVM::GlobalOp ptxGlobal =
        bytesGlobal(b, loc, prefix + "_ptx", ptx + std::string(1, '\0'));
    LLVM::GlobalOp cubinGlobal =
        cubin.empty() ? nullptr : bytesGlobal(b, loc, prefix + "_cubin", cubin);
    LLVM::GlobalOp archGlobal =
        bytesGlobal(b, loc, prefix + "_arch", arch + std::string(1, '\0'));
    for (gpu::BinaryOp binary : binaries)
      binary.erase();

    // Kernels, in order of first launch.
    SmallVector<gpu::LaunchFuncOp> launches;
    impl.walk([&](gpu::LaunchFuncOp l) { launches.push_back(l); });
    llvm::MapVector<StringAttr, int64_t> kernelIndex;
    for (gpu::LaunchFuncOp l : launches)
      kernelIndex.insert({l.getKernelName(), kernelIndex.size()});
    SmallVector<std::string> kernelNameSyms;
    for (auto [name, index] : kernelIndex) {
      kernelNameSyms.push_back(prefix + "_kernel" + std::to_string(index));
      bytesGlobal(b, loc, kernelNameSyms.back(),
                  name.str() + std::string(1, '\0'));
    }
    SmallVector<StringRef> kernelNameRefs(kernelNameSyms.begin(),
                                          kernelNameSyms.end());
    LLVM::GlobalOp kernelTable =
        pointerArray(b, loc, prefix + "_kernels", kernelNameRefs);

    // Weights, in the order of the model function's trailing arguments.
    SmallVector<StringRef> weightNames;
    SmallVector<int64_t> weightBytes;
    if (auto weights = module->getAttrOfType<ArrayAttr>(kCUDAWeightsAttrName)) {
      for (auto w : weights.getAsRange<DictionaryAttr>()) {
        weightNames.push_back(
            cast<FlatSymbolRefAttr>(w.get("name")).getValue());
        weightBytes.push_back(cast<IntegerAttr>(w.get("bytes")).getInt());
      }
    }
    for (StringRef name : weightNames)
      if (!SymbolTable::lookupSymbolIn(module, name)) {
        module.emitError() << "weight '" << name << "' is not a global";
        return signalPassFailure();
      }
    LLVM::GlobalOp weightTable =
        pointerArray(b, loc, prefix + "_weights", weightNames);
    LLVM::GlobalOp weightSizes;
    if (!weightBytes.empty()) {
      weightSizes = LLVM::GlobalOp::create(
          b, loc, LLVM::LLVMArrayType::get(i64, weightBytes.size()),
          /*isConstant=*/true, LLVM::Linkage::Private,
          prefix + "_weight_bytes",
          DenseElementsAttr::get(
              RankedTensorType::get({(int64_t)weightBytes.size()}, i64),
              ArrayRef<int64_t>(weightBytes)));
    }
    int64_t workspace = 0;
    if (auto ws = impl->getAttrOfType<IntegerAttr>(kWorkspaceSizeAttrName))
      workspace = ws.getInt();
    LLVM::GlobalOp nameGlobal =
        bytesGlobal(b, loc, prefix + "_model_name",
                    signature->modelName + std::string(1, '\0'));

    // The descriptor.
    auto descType = LLVM::LLVMStructType::getLiteral(
        ctx, {i32, i32, ptr, ptr, ptr, i64, ptr, i64, ptr, i64, ptr, ptr, i64});
    auto desc = LLVM::GlobalOp::create(b, loc, descType, /*isConstant=*/true,
                                       LLVM::Linkage::Private,
                                       prefix + "_desc", Attribute());
    {
      OpBuilder::InsertionGuard guard(b);
      b.createBlock(&desc.getInitializerRegion());
      auto address = [&](LLVM::GlobalOp g) -> Value {
        return g ? Value(LLVM::AddressOfOp::create(b, loc, g))
                 : Value(LLVM::ZeroOp::create(b, loc, ptr));
      };
      auto constant = [&](Type t, int64_t v) -> Value {
        return LLVM::ConstantOp::create(b, loc, t, b.getIntegerAttr(t, v));
      };
      SmallVector<Value> fields = {
          constant(i32, sizeof(kiln_cuda_model_desc)),
          constant(i32, KILN_ABI_VERSION),
          address(nameGlobal),
          address(ptxGlobal),
          address(cubinGlobal),
          constant(i64, cubin.size()),
          address(archGlobal),
          constant(i64, kernelIndex.size()),
          address(kernelTable),
          constant(i64, weightNames.size()),
          address(weightTable),
          address(weightSizes),
          constant(i64, workspace)};
      Value s = LLVM::UndefOp::create(b, loc, descType);
      for (auto [i, v] : llvm::enumerate(fields))
        s = LLVM::InsertValueOp::create(b, loc, s, v,
                                        {static_cast<int64_t>(i)});
      LLVM::ReturnOp::create(b, loc, s);
    }

    // Launches: the arguments go into one stack struct per launch, their
    // addresses into an array (cuLaunchKernel's kernelParams).
    if (launches.empty())
      return;
    auto launchFn = LLVM::LLVMFuncOp::create(
        b, loc, "kiln_cuda_launch",
        LLVM::LLVMFunctionType::get(
            i32, {ptr, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr}));
    if (impl.getNumArguments() < 2 ||
        !isa<LLVM::LLVMPointerType>(impl.getArgument(0).getType())) {
      impl.emitError("expected the model state and stream as the first "
                     "arguments (run kiln-prepare-cuda-host)");
      return signalPassFailure();
    }
    Value model = impl.getArgument(0), stream = impl.getArgument(1);
    Block *entry = &impl.getBody().front();
    Block *fail = b.createBlock(&impl.getBody(), impl.getBody().end(), {i32},
                                {loc});
    LLVM::ReturnOp::create(b, loc, fail->getArgument(0));
    for (gpu::LaunchFuncOp launch : launches) {
      Location l = launch.getLoc();
      SmallVector<Type> argTypes;
      for (Value v : launch.getKernelOperands())
        argTypes.push_back(v.getType());
      b.setInsertionPointToStart(entry);
      Value one = LLVM::ConstantOp::create(b, l, i64, b.getI64IntegerAttr(1));
      auto structType = LLVM::LLVMStructType::getLiteral(ctx, argTypes);
      Value storage = LLVM::AllocaOp::create(b, l, ptr, structType, one);
      auto arrayType = LLVM::LLVMArrayType::get(ptr, argTypes.size());
      Value params = LLVM::AllocaOp::create(b, l, ptr, arrayType, one);

      b.setInsertionPoint(launch);
      for (auto [i, v] : llvm::enumerate(launch.getKernelOperands())) {
        Value field = LLVM::GEPOp::create(
            b, l, ptr, structType, storage,
            ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(i)});
        LLVM::StoreOp::create(b, l, v, field);
        Value slot = LLVM::GEPOp::create(
            b, l, ptr, arrayType, params,
            ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(i)});
        LLVM::StoreOp::create(b, l, field, slot);
      }
      auto toI64 = [&](Value v) -> Value {
        if (v.getType() == i64)
          return v;
        if (v.getType().getIntOrFloatBitWidth() < 64)
          return LLVM::ZExtOp::create(b, l, i64, v);
        return LLVM::TruncOp::create(b, l, i64, v);
      };
      Value smem = launch.getDynamicSharedMemorySize()
                       ? toI64(launch.getDynamicSharedMemorySize())
                       : Value(LLVM::ConstantOp::create(
                             b, l, i64, b.getI64IntegerAttr(0)));
      Value kernel = LLVM::ConstantOp::create(
          b, l, i64,
          b.getI64IntegerAttr(kernelIndex.lookup(launch.getKernelName())));
      SmallVector<Value> args = {model,
                                 kernel,
                                 toI64(launch.getGridSizeX()),
                                 toI64(launch.getGridSizeY()),
                                 toI64(launch.getGridSizeZ()),
                                 toI64(launch.getBlockSizeX()),
                                 toI64(launch.getBlockSizeY()),
                                 toI64(launch.getBlockSizeZ()),
                                 smem,
                                 stream,
                                 params};
      Value status = LLVM::CallOp::create(b, l, launchFn, args).getResult();
      Value zero = LLVM::ConstantOp::create(b, l, i32, b.getI32IntegerAttr(0));
      Value failed =
          LLVM::ICmpOp::create(b, l, LLVM::ICmpPredicate::ne, status, zero);
      Block *before = launch->getBlock();
      Block *after = before->splitBlock(launch->getNextNode());
      launch.erase();
      b.setInsertionPointToEnd(before);
      LLVM::CondBrOp::create(b, l, failed, fail, ValueRange{status}, after,
                             ValueRange{});
    }
  }
};

} // namespace
