//===- EmitCUDAABI.cpp - The public C entry points of a CUDA model --------===//
//
// Runs on the host's LLVM dialect after --kiln-lower-gpu-launch, whose model
// function is `i32 impl(ptr model, ptr stream, ptr tensor..., [ptr ws],
// ptr weight...)`. Emits, for model NAME: NAME_cuda_init/_cuda_release (the
// device-side model), NAME_cuda_forward (device buffers and a stream),
// NAME_cuda_forward_with_workspace, NAME_cuda_forward_host (host buffers,
// copied in and out), NAME_signature and NAME_workspace_size. The shared
// pieces are in kiln/Conversion/ABIBuilder.h.
//
//===----------------------------------------------------------------------===//
#include "kiln/Target/CUDA/Passes.h"

#include "kiln/Conversion/ABIBuilder.h"
#include "kiln/runtime.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNEMITCUDAABI
#include "kiln/Target/CUDA/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

struct CUDAEntryPoints : ABIBuilder {
  using ABIBuilder::ABIBuilder;
  /// Device weights the impl takes after the tensors and the workspace.
  int64_t numWeights = 0;

  /// Calls the CUDA impl with the model's device weights; returns its status.
  void callCUDAImpl(LLVM::LLVMFuncOp impl, Value model, Value stream,
                    ValueRange tensors, Value ws) {
    Value status = LLVM::CallOp::create(
                       b, loc, impl, cudaImplArgs(model, stream, tensors, ws))
                       .getResult();
    LLVM::ReturnOp::create(b, loc, status);
  }
  /// The arguments of the CUDA impl: model, stream, tensors, workspace and
  /// the model's device weights.
  SmallVector<Value> cudaImplArgs(Value model, Value stream, ValueRange tensors,
                                  Value ws) {
    SmallVector<Value> args = {model, stream};
    args.append(tensors.begin(), tensors.end());
    if (hasWorkspace)
      args.push_back(ws);
    if (numWeights) {
      auto get = runtimeFunction("kiln_cuda_model_weights", ptr, {ptr});
      Value table =
          LLVM::CallOp::create(b, loc, get, ValueRange{model}).getResult();
      for (int64_t i = 0; i < numWeights; ++i) {
        Value slot = LLVM::GEPOp::create(
            b, loc, ptr, ptr, table,
            ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(i)});
        args.push_back(LLVM::LoadOp::create(b, loc, ptr, slot));
      }
    }
    return args;
  }
  Value modelWorkspace(Value model) {
    auto get = runtimeFunction("kiln_cuda_model_workspace", ptr, {ptr});
    return LLVM::CallOp::create(b, loc, get, ValueRange{model}).getResult();
  }
  void emitCUDAInit(LLVM::GlobalOp desc) {
    auto create =
        runtimeFunction("kiln_cuda_model_create", i32, {ptr, i32, ptr});
    auto f = function(prefix + "_cuda_init", i32, {i32, ptr});
    {
      OpBuilder::InsertionGuard guard(b);
      Block *entry = b.createBlock(&f.getBody(), {}, {i32, ptr}, {loc, loc});
      Value status =
          LLVM::CallOp::create(
              b, loc, create,
              ValueRange{Value(LLVM::AddressOfOp::create(b, loc, desc)),
                         entry->getArgument(0), entry->getArgument(1)})
              .getResult();
      LLVM::ReturnOp::create(b, loc, status);
    }

    auto destroy =
        runtimeFunction("kiln_cuda_model_destroy",
                        LLVM::LLVMVoidType::get(b.getContext()), {ptr});
    auto release = function(prefix + "_cuda_release",
                            LLVM::LLVMVoidType::get(b.getContext()), {ptr});
    OpBuilder::InsertionGuard guard(b);
    Block *body = b.createBlock(&release.getBody(), {}, {ptr}, {loc});
    LLVM::CallOp::create(b, loc, destroy, ValueRange{body->getArgument(0)});
    LLVM::ReturnOp::create(b, loc, ValueRange{});
  }
  void emitCUDAForward(LLVM::LLVMFuncOp impl, unsigned numArgs) {
    SmallVector<Type> args = {ptr, ptr};
    args.append(numArgs, ptr);
    auto f = function(prefix + "_cuda_forward", i32, args);
    OpBuilder::InsertionGuard guard(b);
    Block *entry = b.createBlock(&f.getBody(), {}, args,
                                 SmallVector<Location>(args.size(), loc));
    Value model = entry->getArgument(0);
    auto tensors = entry->getArguments().drop_front(2);
    SmallVector<Value> checked = {model};
    checked.append(tensors.begin(), tensors.end());
    checkNotNull(f, checked);
    callCUDAImpl(impl, model, entry->getArgument(1), ValueRange(tensors),
                 hasWorkspace ? modelWorkspace(model) : Value());
  }
  void emitCUDAForwardWithWorkspace(LLVM::LLVMFuncOp impl, unsigned numArgs) {
    SmallVector<Type> args = {ptr, ptr, ptr, i64};
    args.append(numArgs, ptr);
    auto f = function(prefix + "_cuda_forward_with_workspace", i32, args);
    OpBuilder::InsertionGuard guard(b);
    Block *entry = b.createBlock(&f.getBody(), {}, args,
                                 SmallVector<Location>(args.size(), loc));
    Value model = entry->getArgument(0), ws = entry->getArgument(2);
    auto tensors = entry->getArguments().drop_front(4);
    SmallVector<Value> checked = {model};
    checked.append(tensors.begin(), tensors.end());
    checkNotNull(f, checked);
    checkWorkspace(f, ws, entry->getArgument(3));
    callCUDAImpl(impl, model, entry->getArgument(1), ValueRange(tensors), ws);
  }
  void emitCUDAForwardHost(LLVM::LLVMFuncOp impl,
                           const ModelSignature &signature) {
    int64_t numIn = signature.inputs.size(), numOut = signature.outputs.size();
    unsigned n = numIn + numOut;
    SmallVector<Type> args(n, ptr);
    args.insert(args.begin(), ptr);
    // Bytes of every buffer, inputs first.
    SmallVector<int64_t> bytes;
    for (const auto *list : {&signature.inputs, &signature.outputs})
      for (const TensorSignature &t : *list) {
        int64_t bits = std::max<int64_t>(
            8, t.type.getElementType().getIntOrFloatBitWidth());
        bytes.push_back(t.type.getNumElements() * (bits / 8));
      }
    LLVM::GlobalOp bytesGlobal;
    if (n) {
      bytesGlobal = LLVM::GlobalOp::create(
          b, loc, LLVM::LLVMArrayType::get(i64, n), /*isConstant=*/true,
          LLVM::Linkage::Private, "__kiln_" + prefix + "_cuda_host_bytes",
          DenseElementsAttr::get(
              RankedTensorType::get({static_cast<int64_t>(n)}, i64),
              ArrayRef<int64_t>(bytes)));
    }
    auto begin = runtimeFunction("kiln_cuda_host_begin", i32,
                                 {ptr, i64, i64, ptr, ptr, ptr, ptr});
    auto end = runtimeFunction("kiln_cuda_host_end", i32,
                               {ptr, i64, i64, ptr, ptr, ptr, i32});
    auto f = function(prefix + "_cuda_forward_host", i32, args);
    OpBuilder::InsertionGuard guard(b);
    Block *entry = b.createBlock(&f.getBody(), {}, args,
                                 SmallVector<Location>(args.size(), loc));
    Value model = entry->getArgument(0);
    checkNotNull(f, entry->getArguments());
    Value one = constant(b, i64, 1);
    auto arrayType = LLVM::LLVMArrayType::get(ptr, std::max(n, 1u));
    Value host = LLVM::AllocaOp::create(b, loc, ptr, arrayType, one);
    Value dev = LLVM::AllocaOp::create(b, loc, ptr, arrayType, one);
    Value streamSlot = LLVM::AllocaOp::create(b, loc, ptr, ptr, one);
    auto slot = [&](Value array, unsigned i) -> Value {
      return LLVM::GEPOp::create(
          b, loc, ptr, arrayType, array,
          ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(i)});
    };
    for (unsigned i = 0; i < n; ++i)
      LLVM::StoreOp::create(b, loc, entry->getArgument(1 + i), slot(host, i));
    Value sizes = bytesGlobal
                      ? Value(LLVM::AddressOfOp::create(b, loc, bytesGlobal))
                      : Value(LLVM::ZeroOp::create(b, loc, ptr));
    Value nIn = constant(b, i64, numIn), nOut = constant(b, i64, numOut);
    Value status = LLVM::CallOp::create(b, loc, begin,
                                        ValueRange{model, nIn, nOut, host,
                                                   sizes, dev, streamSlot})
                       .getResult();
    Value bad = LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::ne, status,
                                     constant(b, i32, KILN_STATUS_OK));
    returnIf(f, bad, status);
    SmallVector<Value> tensors;
    for (unsigned i = 0; i < n; ++i)
      tensors.push_back(LLVM::LoadOp::create(b, loc, ptr, slot(dev, i)));
    Value stream = LLVM::LoadOp::create(b, loc, ptr, streamSlot);
    Value run =
        LLVM::CallOp::create(
            b, loc, impl,
            cudaImplArgs(model, stream, tensors,
                         hasWorkspace ? modelWorkspace(model) : Value()))
            .getResult();
    Value done =
        LLVM::CallOp::create(
            b, loc, end, ValueRange{model, nIn, nOut, host, sizes, dev, run})
            .getResult();
    LLVM::ReturnOp::create(b, loc, done);
  }
};

struct KilnEmitCUDAABI
    : public kiln::impl::KilnEmitCUDAABIBase<KilnEmitCUDAABI> {
  using kiln::impl::KilnEmitCUDAABIBase<KilnEmitCUDAABI>::KilnEmitCUDAABIBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<ModelFunction> model = findModelFunction(module);
    if (failed(model))
      return signalPassFailure();
    LLVM::LLVMFuncOp impl = model->impl;
    const ModelSignature &signature = model->signature;
    unsigned numArgs = model->numTensors();
    CUDAEntryPoints abi(module, signature.modelName, model->workspaceSize);
    // i32 (model, stream, tensors..., [workspace], weights...)
    LLVM::LLVMFunctionType implType = impl.getFunctionType();
    unsigned fixed = 2 + numArgs + (abi.hasWorkspace ? 1 : 0);
    if (implType.getNumParams() < fixed ||
        implType.getReturnType() != abi.i32 || !model->takesOnlyPointers()) {
      impl.emitError() << "expected the CUDA model function lowered to 'i32("
                       << fixed << "+ x ptr)' (run kiln-prepare-cuda-host), "
                       << "got " << implType;
      return signalPassFailure();
    }
    abi.numWeights = implType.getNumParams() - fixed;
    auto desc = dyn_cast_or_null<LLVM::GlobalOp>(SymbolTable::lookupSymbolIn(
        module, "__kiln_" + signature.modelName + "_cuda_desc"));
    if (!desc) {
      module.emitError("no CUDA model descriptor (run kiln-lower-gpu-launch)");
      return signalPassFailure();
    }
    internalizeModelFunction(impl);
    if (failed(checkEntryPointsFree(
            module, abi.prefix,
            {"_cuda_init", "_cuda_release", "_cuda_forward",
             "_cuda_forward_with_workspace", "_cuda_forward_host", "_signature",
             "_workspace_size"})))
      return signalPassFailure();
    abi.emitSignatureFunction(abi.signatureGlobal(signature));
    abi.emitWorkspaceSizeFunction();
    abi.emitCUDAInit(desc);
    abi.emitCUDAForward(impl, numArgs);
    abi.emitCUDAForwardWithWorkspace(impl, numArgs);
    abi.emitCUDAForwardHost(impl, signature);
  }
};

} // namespace
