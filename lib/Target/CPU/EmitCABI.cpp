//===- EmitCABI.cpp - The public C entry points of a CPU object -----------===//
//
// Runs on the LLVM dialect, after the model function was lowered with the
// bare-pointer memref convention to `void impl(ptr in..., ptr out..., ptr
// workspace)` (the workspace argument exists once --kiln-plan-memory ran).
// Emits, for model NAME:
//   i32 NAME_forward(ptr in..., ptr out...)      NULL checks, the thread's
//                                                 workspace, then impl, then
//                                                 kiln_take_status (errors
//                                                 impl's checks recorded)
//   i32 NAME_forward_with_workspace(ptr ws, i64 ws_size, ptr in..., ptr out...)
//                                                 NULL/size/alignment checks
//   i32 NAME_forward_tensors(ptr, i64, ptr, i64)  kiln_check_tensors, impl
//   i64 NAME_workspace_size()                     planned workspace bytes
//   ptr NAME_signature()                          constant kiln_signature
// The shared pieces are in kiln/Conversion/ABIBuilder.h.
//
//===----------------------------------------------------------------------===//
#include "kiln/Target/CPU/Passes.h"

#include "kiln/Conversion/ABIBuilder.h"
#include "kiln/Support/RuntimeCalls.h"
#include "kiln/runtime.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNEMITCABI
#include "kiln/Target/CPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// The CPU entry points around `void impl(ptr in..., ptr out..., [ptr ws])`.
struct CPUEntryPoints : ABIBuilder {
  using ABIBuilder::ABIBuilder;

  /// Calls impl with `args` and the calling thread's workspace (from the
  /// runtime, allocated once per thread and size); returns OUT_OF_MEMORY
  /// when the runtime cannot provide it.
  void callWithThreadWorkspace(LLVM::LLVMFuncOp f, LLVM::LLVMFuncOp impl,
                               SmallVector<Value> args) {
    if (hasWorkspace) {
      Value ws;
      if (workspaceSize > 0) {
        auto get = runtimeFunction(
            getRuntimeFnInfo(RuntimeFn::kiln_thread_workspace).name, ptr,
            {i64});
        ws = LLVM::CallOp::create(b, loc, get,
                                  ValueRange{constant(b, i64, workspaceSize)})
                 .getResult();
        Value null = LLVM::ZeroOp::create(b, loc, ptr);
        Value isNull =
            LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::eq, ws, null);
        returnIf(f, isNull, constant(b, i32, KILN_STATUS_OUT_OF_MEMORY));
      } else {
        ws = LLVM::ZeroOp::create(b, loc, ptr);
      }
      args.push_back(ws);
    }
    callImplAndReturn(impl, args);
  }
  /// Calls impl and returns the status of the errors its checks recorded
  /// on this thread (kiln_take_status: OK when none).
  void callImplAndReturn(LLVM::LLVMFuncOp impl, ValueRange args) {
    LLVM::CallOp::create(b, loc, impl, args);
    auto take = runtimeFunction(
        getRuntimeFnInfo(RuntimeFn::kiln_take_status).name, i32, {});
    Value status = LLVM::CallOp::create(b, loc, take, ValueRange{}).getResult();
    LLVM::ReturnOp::create(b, loc, status);
  }
  void emitForwardWithWorkspace(LLVM::LLVMFuncOp impl, unsigned numArgs) {
    SmallVector<Type> args = {ptr, i64};
    args.append(numArgs, ptr);
    auto f = function(prefix + "_forward_with_workspace", i32, args);
    OpBuilder::InsertionGuard guard(b);
    Block *entry = b.createBlock(&f.getBody(), {}, args,
                                 SmallVector<Location>(args.size(), loc));
    Value ws = entry->getArgument(0), wsSize = entry->getArgument(1);
    auto tensors = entry->getArguments().drop_front(2);
    checkNotNull(f, ValueRange(tensors));
    checkWorkspace(f, ws, wsSize);
    SmallVector<Value> callArgs(tensors.begin(), tensors.end());
    callArgs.push_back(ws);
    callImplAndReturn(impl, callArgs);
  }
  void emitForward(LLVM::LLVMFuncOp impl, unsigned numArgs) {
    SmallVector<Type> args(numArgs, ptr);
    auto f = function(prefix + "_forward", i32, args);
    OpBuilder::InsertionGuard guard(b);
    Block *entry = b.createBlock(&f.getBody(), {}, args,
                                 SmallVector<Location>(numArgs, loc));
    checkNotNull(f, entry->getArguments());
    callWithThreadWorkspace(f, impl, SmallVector<Value>(entry->getArguments()));
  }
  void emitForwardTensors(LLVM::LLVMFuncOp impl, LLVM::GlobalOp sig,
                          const ModelSignature &signature) {
    // int kiln_check_tensors(sig, in, nin, out, nout, message, message_size)
    auto check =
        runtimeFunction(getRuntimeFnInfo(RuntimeFn::kiln_check_tensors).name,
                        i32, {ptr, ptr, i64, ptr, i64, ptr, i64});
    SmallVector<Type> args = {ptr, i64, ptr, i64};
    auto f = function(prefix + "_forward_tensors", i32, args);
    OpBuilder::InsertionGuard guard(b);
    Block *entry =
        b.createBlock(&f.getBody(), {}, args, SmallVector<Location>(4, loc));
    Value in = entry->getArgument(0), out = entry->getArgument(2);
    Value null = LLVM::ZeroOp::create(b, loc, ptr);
    Value status =
        LLVM::CallOp::create(
            b, loc, check,
            ValueRange{Value(LLVM::AddressOfOp::create(b, loc, sig)), in,
                       entry->getArgument(1), out, entry->getArgument(3), null,
                       constant(b, i64, 0)})
            .getResult();
    Value bad = LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::ne, status,
                                     constant(b, i32, KILN_STATUS_OK));
    returnIf(f, bad, status);
    SmallVector<Value> data;
    auto loadData = [&](Value base, size_t count) {
      for (size_t i = 0; i < count; ++i) {
        Value field = LLVM::GEPOp::create(
            b, loc, ptr, tensorType(), base,
            ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(i), 5});
        data.push_back(LLVM::LoadOp::create(b, loc, ptr, field));
      }
    };
    loadData(in, signature.inputs.size());
    loadData(out, signature.outputs.size());
    callWithThreadWorkspace(f, impl, data);
  }
};

struct KilnEmitCABI : public kiln::impl::KilnEmitCABIBase<KilnEmitCABI> {
  using kiln::impl::KilnEmitCABIBase<KilnEmitCABI>::KilnEmitCABIBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<ModelFunction> model = findModelFunction(module);
    if (failed(model))
      return signalPassFailure();
    LLVM::LLVMFuncOp impl = model->impl;
    const ModelSignature &signature = model->signature;
    unsigned numArgs = model->numTensors();
    unsigned implArgs = numArgs + (model->workspaceSize ? 1 : 0);
    LLVM::LLVMFunctionType implType = impl.getFunctionType();
    if (implType.getNumParams() != implArgs ||
        !isa<LLVM::LLVMVoidType>(implType.getReturnType()) ||
        !model->takesOnlyPointers()) {
      impl.emitError() << "expected the model function lowered to 'void("
                       << implArgs << " x ptr)' (bare-pointer convention, "
                       << "results as out-parameters"
                       << (model->workspaceSize ? ", workspace last" : "")
                       << "), got " << implType;
      return signalPassFailure();
    }
    internalizeModelFunction(impl);

    CPUEntryPoints abi(module, signature.modelName, model->workspaceSize);
    if (failed(checkEntryPointsFree(module, abi.prefix,
                                    {"_forward", "_forward_tensors",
                                     "_signature", "_forward_with_workspace",
                                     "_workspace_size"})))
      return signalPassFailure();
    LLVM::GlobalOp sig = abi.signatureGlobal(signature);
    abi.emitSignatureFunction(sig);
    abi.emitForward(impl, numArgs);
    abi.emitForwardTensors(impl, sig, signature);
    abi.emitWorkspaceSizeFunction();
    if (abi.hasWorkspace)
      abi.emitForwardWithWorkspace(impl, numArgs);
  }
};

} // namespace
