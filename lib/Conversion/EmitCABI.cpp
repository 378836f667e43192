//===- EmitCABI.cpp - Public C entry points and signature data ------------===//
//
// Runs on the LLVM dialect, after the model function was lowered with the
// bare-pointer memref convention to `void impl(ptr in..., ptr out..., ptr
// workspace)` (the workspace argument exists once --kiln-plan-memory ran).
// Emits, for model NAME:
//   i32 NAME_forward(ptr in..., ptr out...)      NULL checks, the thread's
//                                                 workspace, then impl
//   i32 NAME_forward_with_workspace(ptr ws, i64 ws_size, ptr in..., ptr out...)
//                                                 NULL/size/alignment checks
//   i32 NAME_forward_tensors(ptr, i64, ptr, i64)  kiln_check_tensors, impl
//   i64 NAME_workspace_size()                     planned workspace bytes
//   ptr NAME_signature()                          constant kiln_signature
// The struct layouts mirror runtime/include/kiln/runtime.h (LP64).
//
//===----------------------------------------------------------------------===//
#include "kiln/Conversion/Passes.h"

#include "kiln/Dialect/Kiln/IR/KilnDialect.h"
#include "kiln/Support/ABI.h"
#include "kiln/runtime.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNEMITCABI
#include "kiln/Conversion/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

struct ABIBuilder {
  ModuleOp module;
  OpBuilder b;
  Location loc;
  std::string prefix;
  Type ptr, i32, i64;

  ABIBuilder(ModuleOp module, StringRef model)
      : module(module), b(module.getContext()), loc(module.getLoc()),
        prefix(model.str()) {
    MLIRContext *ctx = module.getContext();
    ptr = LLVM::LLVMPointerType::get(ctx);
    i32 = IntegerType::get(ctx, 32);
    i64 = IntegerType::get(ctx, 64);
    b.setInsertionPointToEnd(module.getBody());
  }

  /// struct kiln_tensor_info { const char *name; i32 dtype; i32 rank;
  ///                           const int64_t *shape; }
  Type tensorInfoType() {
    return LLVM::LLVMStructType::getLiteral(b.getContext(),
                                            {ptr, i32, i32, ptr});
  }
  /// struct kiln_signature { u32 struct_size; u32 abi_version;
  ///   const char *model_name; i64 num_inputs; i64 num_outputs;
  ///   const kiln_tensor_info *inputs, *outputs; }
  Type signatureType() {
    return LLVM::LLVMStructType::getLiteral(
        b.getContext(), {i32, i32, ptr, i64, i64, ptr, ptr});
  }
  /// struct kiln_tensor { u32 struct_size; i32 dtype; i32 rank; i32 reserved;
  ///                      i64 shape[KILN_MAX_RANK]; void *data; }
  Type tensorType() {
    return LLVM::LLVMStructType::getLiteral(
        b.getContext(),
        {i32, i32, i32, i32, LLVM::LLVMArrayType::get(i64, KILN_MAX_RANK), ptr});
  }

  LLVM::GlobalOp stringGlobal(StringRef name, StringRef value) {
    std::string data = value.str();
    data.push_back('\0');
    auto type = LLVM::LLVMArrayType::get(IntegerType::get(b.getContext(), 8),
                                         data.size());
    return LLVM::GlobalOp::create(b, loc, type, /*isConstant=*/true,
                                  LLVM::Linkage::Private, name,
                                  b.getStringAttr(data));
  }

  LLVM::GlobalOp shapeGlobal(StringRef name, RankedTensorType type) {
    auto arrayType = LLVM::LLVMArrayType::get(i64, type.getRank());
    auto value = DenseElementsAttr::get(
        RankedTensorType::get({type.getRank()}, i64), type.getShape());
    return LLVM::GlobalOp::create(b, loc, arrayType, /*isConstant=*/true,
                                  LLVM::Linkage::Private, name, value);
  }

  Value constant(OpBuilder &ib, Type type, int64_t v) {
    return LLVM::ConstantOp::create(ib, loc, type, ib.getIntegerAttr(type, v));
  }

  /// A global array of kiln_tensor_info for `tensors`; null for none.
  LLVM::GlobalOp infoArray(StringRef kind,
                           ArrayRef<TensorSignature> tensors) {
    if (tensors.empty())
      return nullptr;
    SmallVector<LLVM::GlobalOp> names, shapes;
    for (auto [i, t] : llvm::enumerate(tensors)) {
      std::string base = "__kiln_" + prefix + "_" + kind.str() +
                         std::to_string(i);
      names.push_back(stringGlobal(base + "_name", t.name));
      shapes.push_back(t.type.getRank() ? shapeGlobal(base + "_shape", t.type)
                                        : nullptr);
    }
    auto arrayType = LLVM::LLVMArrayType::get(tensorInfoType(), tensors.size());
    auto global = LLVM::GlobalOp::create(
        b, loc, arrayType, /*isConstant=*/true, LLVM::Linkage::Private,
        "__kiln_" + prefix + "_" + kind.str() + "s", Attribute());
    OpBuilder::InsertionGuard guard(b);
    b.createBlock(&global.getInitializerRegion());
    Value array = LLVM::UndefOp::create(b, loc, arrayType);
    for (auto [i, t] : llvm::enumerate(tensors)) {
      int64_t idx = static_cast<int64_t>(i);
      Value name = LLVM::AddressOfOp::create(b, loc, names[i]);
      Value shape = shapes[i] ? Value(LLVM::AddressOfOp::create(b, loc, shapes[i]))
                              : Value(LLVM::ZeroOp::create(b, loc, ptr));
      array = LLVM::InsertValueOp::create(b, loc, array, name, {idx, 0});
      array = LLVM::InsertValueOp::create(
          b, loc, array, constant(b, i32, getKilnDType(t.type.getElementType())),
          {idx, 1});
      array = LLVM::InsertValueOp::create(
          b, loc, array, constant(b, i32, t.type.getRank()), {idx, 2});
      array = LLVM::InsertValueOp::create(b, loc, array, shape, {idx, 3});
    }
    LLVM::ReturnOp::create(b, loc, array);
    return global;
  }

  LLVM::GlobalOp signatureGlobal(const ModelSignature &sig) {
    LLVM::GlobalOp modelName = stringGlobal("__kiln_" + prefix + "_model_name",
                                            sig.modelName);
    LLVM::GlobalOp inputs = infoArray("input", sig.inputs);
    LLVM::GlobalOp outputs = infoArray("output", sig.outputs);
    auto global = LLVM::GlobalOp::create(
        b, loc, signatureType(), /*isConstant=*/true, LLVM::Linkage::Private,
        "__kiln_" + prefix + "_signature", Attribute());
    OpBuilder::InsertionGuard guard(b);
    b.createBlock(&global.getInitializerRegion());
    auto addressOrNull = [&](LLVM::GlobalOp g) -> Value {
      return g ? Value(LLVM::AddressOfOp::create(b, loc, g))
               : Value(LLVM::ZeroOp::create(b, loc, ptr));
    };
    Value s = LLVM::UndefOp::create(b, loc, signatureType());
    SmallVector<Value> fields = {
        constant(b, i32, sizeof(kiln_signature)),
        constant(b, i32, KILN_ABI_VERSION),
        addressOrNull(modelName),
        constant(b, i64, sig.inputs.size()),
        constant(b, i64, sig.outputs.size()),
        addressOrNull(inputs),
        addressOrNull(outputs)};
    for (auto [i, v] : llvm::enumerate(fields))
      s = LLVM::InsertValueOp::create(b, loc, s, v, {static_cast<int64_t>(i)});
    LLVM::ReturnOp::create(b, loc, s);
    return global;
  }

  LLVM::LLVMFuncOp function(StringRef name, Type result, ArrayRef<Type> args) {
    auto f = LLVM::LLVMFuncOp::create(
        b, loc, name, LLVM::LLVMFunctionType::get(result, args));
    return f;
  }

  /// The runtime function `name`, declared on first use.
  LLVM::LLVMFuncOp runtimeFunction(StringRef name, Type result,
                                   ArrayRef<Type> args) {
    if (auto f = dyn_cast_or_null<LLVM::LLVMFuncOp>(
            SymbolTable::lookupSymbolIn(module, name)))
      return f;
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToEnd(module.getBody());
    return function(name, result, args);
  }

  /// Workspace bytes the model needs (0 without a planned workspace).
  int64_t workspaceSize = 0;
  bool hasWorkspace = false;

  void emitWorkspaceSizeFunction() {
    auto f = function(prefix + "_workspace_size", i64, {});
    OpBuilder::InsertionGuard guard(b);
    b.createBlock(&f.getBody());
    LLVM::ReturnOp::create(b, loc, constant(b, i64, workspaceSize));
  }

  /// Calls impl with `args` and the calling thread's workspace (from the
  /// runtime, allocated once per thread and size); returns OUT_OF_MEMORY
  /// when the runtime cannot provide it.
  void callWithThreadWorkspace(LLVM::LLVMFuncOp f, LLVM::LLVMFuncOp impl,
                               SmallVector<Value> args) {
    if (hasWorkspace) {
      Value ws;
      if (workspaceSize > 0) {
        auto get = runtimeFunction("kiln_thread_workspace", ptr, {i64});
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
    LLVM::CallOp::create(b, loc, impl, args);
    LLVM::ReturnOp::create(b, loc, constant(b, i32, KILN_STATUS_OK));
  }

  /// Returns INVALID_ARGUMENT when any of `values` is NULL.
  void checkNotNull(LLVM::LLVMFuncOp f, ValueRange values) {
    if (values.empty())
      return;
    Value null = LLVM::ZeroOp::create(b, loc, ptr);
    Value anyNull;
    for (Value arg : values) {
      Value isNull =
          LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::eq, arg, null);
      anyNull = anyNull ? Value(LLVM::OrOp::create(b, loc, anyNull, isNull))
                        : isNull;
    }
    returnIf(f, anyNull, constant(b, i32, KILN_STATUS_INVALID_ARGUMENT));
  }

  /// Returns INVALID_ARGUMENT, WORKSPACE_TOO_SMALL or MISALIGNED when the
  /// caller's workspace `ws` of `wsSize` bytes does not fit (never when the
  /// model needs none).
  void checkWorkspace(LLVM::LLVMFuncOp f, Value ws, Value wsSize) {
    if (workspaceSize <= 0)
      return;
    checkNotNull(f, ValueRange{ws});
    Value small = LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::ult,
                                       wsSize, constant(b, i64, workspaceSize));
    returnIf(f, small, constant(b, i32, KILN_STATUS_WORKSPACE_TOO_SMALL));
    Value address = LLVM::PtrToIntOp::create(b, loc, i64, ws);
    Value low = LLVM::AndOp::create(
        b, loc, address, constant(b, i64, KILN_WORKSPACE_ALIGNMENT - 1));
    Value misaligned = LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::ne,
                                            low, constant(b, i64, 0));
    returnIf(f, misaligned, constant(b, i32, KILN_STATUS_MISALIGNED));
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
    LLVM::CallOp::create(b, loc, impl, callArgs);
    LLVM::ReturnOp::create(b, loc, constant(b, i32, KILN_STATUS_OK));
  }

  void emitSignatureFunction(LLVM::GlobalOp sig) {
    auto f = function(prefix + "_signature", ptr, {});
    OpBuilder::InsertionGuard guard(b);
    b.createBlock(&f.getBody());
    LLVM::ReturnOp::create(b, loc,
                           Value(LLVM::AddressOfOp::create(b, loc, sig)));
  }

  /// Returns `status` from `f` when `failed` holds, else continues in a new
  /// block where `b` is left.
  void returnIf(LLVM::LLVMFuncOp f, Value failedCond, Value status) {
    Block *current = b.getInsertionBlock();
    Block *fail = b.createBlock(&f.getBody());
    LLVM::ReturnOp::create(b, loc, status);
    Block *cont = b.createBlock(&f.getBody());
    b.setInsertionPointToEnd(current);
    LLVM::CondBrOp::create(b, loc, failedCond, fail, cont);
    b.setInsertionPointToEnd(cont);
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
    auto check = dyn_cast_or_null<LLVM::LLVMFuncOp>(
        SymbolTable::lookupSymbolIn(module, "kiln_check_tensors"));
    if (!check)
      check = function("kiln_check_tensors", i32,
                       {ptr, ptr, i64, ptr, i64, ptr, i64});
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
                       entry->getArgument(1), out, entry->getArgument(3),
                       null, constant(b, i64, 0)})
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

  // ---- CUDA entry points -------------------------------------------------
  // impl: i32 (ptr model, ptr stream, ptr tensor..., [ptr ws], ptr weight...)
  int64_t numWeights = 0;

  /// Calls the CUDA impl with the model's device weights; returns its status.
  void callCUDAImpl(LLVM::LLVMFuncOp impl, Value model, Value stream,
                    ValueRange tensors, Value ws) {
    Value status =
        LLVM::CallOp::create(b, loc, impl,
                             cudaImplArgs(model, stream, tensors, ws))
            .getResult();
    LLVM::ReturnOp::create(b, loc, status);
  }

  /// The arguments of the CUDA impl: model, stream, tensors, workspace and
  /// the model's device weights.
  SmallVector<Value> cudaImplArgs(Value model, Value stream,
                                  ValueRange tensors, Value ws) {
    SmallVector<Value> args = {model, stream};
    args.append(tensors.begin(), tensors.end());
    if (hasWorkspace)
      args.push_back(ws);
    if (numWeights) {
      auto get = runtimeFunction("kiln_cuda_model_weights", ptr, {ptr});
      Value table =
          LLVM::CallOp::create(b, loc, get, ValueRange{model}).getResult();
      for (int64_t i = 0; i < numWeights; ++i) {
        Value slot = LLVM::GEPOp::create(b, loc, ptr, ptr, table,
                                         ArrayRef<LLVM::GEPArg>{
                                             static_cast<int32_t>(i)});
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

    auto destroy = runtimeFunction("kiln_cuda_model_destroy",
                                   LLVM::LLVMVoidType::get(b.getContext()),
                                   {ptr});
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
    Value status =
        LLVM::CallOp::create(b, loc, begin,
                             ValueRange{model, nIn, nOut, host, sizes, dev,
                                        streamSlot})
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
        LLVM::CallOp::create(b, loc, end,
                             ValueRange{model, nIn, nOut, host, sizes, dev,
                                        run})
            .getResult();
    LLVM::ReturnOp::create(b, loc, done);
  }
};

struct KilnEmitCABI : public kiln::impl::KilnEmitCABIBase<KilnEmitCABI> {
  using kiln::impl::KilnEmitCABIBase<KilnEmitCABI>::KilnEmitCABIBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    LLVM::LLVMFuncOp impl;
    for (auto f : module.getOps<LLVM::LLVMFuncOp>())
      if (f->hasAttr(kABIAttrName))
        impl = f;
    if (!impl) {
      module.emitError() << "no lowered model function with '" << kABIAttrName
                         << "' found; run --kiln-prepare-abi before lowering "
                            "to LLVM";
      return signalPassFailure();
    }
    FailureOr<ModelSignature> signature = readModelSignature(module);
    if (failed(signature))
      return signalPassFailure();
    unsigned numArgs = signature->inputs.size() + signature->outputs.size();
    auto wsAttr = impl->getAttrOfType<IntegerAttr>(kWorkspaceSizeAttrName);
    if (target == "cuda")
      return emitCUDA(module, impl, *signature, numArgs, wsAttr);
    if (target != "cpu") {
      module.emitError() << "unknown target '" << target
                         << "' (expected cpu or cuda)";
      return signalPassFailure();
    }
    unsigned implArgs = numArgs + (wsAttr ? 1 : 0);
    LLVM::LLVMFunctionType implType = impl.getFunctionType();
    if (implType.getNumParams() != implArgs ||
        !isa<LLVM::LLVMVoidType>(implType.getReturnType()) ||
        !llvm::all_of(implType.getParams(),
                      [](Type t) { return isa<LLVM::LLVMPointerType>(t); })) {
      impl.emitError() << "expected the model function lowered to 'void("
                       << implArgs << " x ptr)' (bare-pointer convention, "
                       << "results as out-parameters"
                       << (wsAttr ? ", workspace last" : "") << "), got "
                       << implType;
      return signalPassFailure();
    }
    impl.setLinkage(LLVM::Linkage::Internal);
    // The names served the signature; LLVM IR has no use for them.
    impl.removeArgAttrsAttr();
    impl.removeResAttrsAttr();
    impl->removeAttr(kABIAttrName);

    ABIBuilder abi(module, signature->modelName);
    abi.hasWorkspace = static_cast<bool>(wsAttr);
    abi.workspaceSize = wsAttr ? wsAttr.getInt() : 0;
    for (StringRef suffix : {"_forward", "_forward_tensors", "_signature",
                             "_forward_with_workspace", "_workspace_size"})
      if (SymbolTable::lookupSymbolIn(module, abi.prefix + suffix.str())) {
        module.emitError() << "symbol '" << abi.prefix << suffix
                           << "' already exists";
        return signalPassFailure();
      }
    LLVM::GlobalOp sig = abi.signatureGlobal(*signature);
    abi.emitSignatureFunction(sig);
    abi.emitForward(impl, numArgs);
    abi.emitForwardTensors(impl, sig, *signature);
    abi.emitWorkspaceSizeFunction();
    if (abi.hasWorkspace)
      abi.emitForwardWithWorkspace(impl, numArgs);
  }

  void emitCUDA(ModuleOp module, LLVM::LLVMFuncOp impl,
                const ModelSignature &signature, unsigned numArgs,
                IntegerAttr wsAttr) {
    ABIBuilder abi(module, signature.modelName);
    abi.hasWorkspace = static_cast<bool>(wsAttr);
    abi.workspaceSize = wsAttr ? wsAttr.getInt() : 0;
    // i32 (model, stream, tensors..., [workspace], weights...)
    LLVM::LLVMFunctionType implType = impl.getFunctionType();
    unsigned fixed = 2 + numArgs + (wsAttr ? 1 : 0);
    if (implType.getNumParams() < fixed ||
        implType.getReturnType() != abi.i32 ||
        !llvm::all_of(implType.getParams(),
                      [](Type t) { return isa<LLVM::LLVMPointerType>(t); })) {
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
    impl.setLinkage(LLVM::Linkage::Internal);
    impl.removeArgAttrsAttr();
    impl.removeResAttrsAttr();
    impl->removeAttr(kABIAttrName);
    for (StringRef suffix :
         {"_cuda_init", "_cuda_release", "_cuda_forward",
          "_cuda_forward_with_workspace", "_cuda_forward_host", "_signature",
          "_workspace_size"})
      if (SymbolTable::lookupSymbolIn(module, abi.prefix + suffix.str())) {
        module.emitError() << "symbol '" << abi.prefix << suffix
                           << "' already exists";
        return signalPassFailure();
      }
    abi.emitSignatureFunction(abi.signatureGlobal(signature));
    abi.emitWorkspaceSizeFunction();
    abi.emitCUDAInit(desc);
    abi.emitCUDAForward(impl, numArgs);
    abi.emitCUDAForwardWithWorkspace(impl, numArgs);
    abi.emitCUDAForwardHost(impl, signature);
  }
};

} // namespace
