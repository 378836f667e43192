//===- ABIBuilder.cpp - The entry-point pieces every target shares --------===//
#include "kiln/Conversion/ABIBuilder.h"

#include "kiln/Dialect/Kiln/IR/KilnDialect.h"
#include "kiln/runtime.h"

using namespace mlir;
using namespace mlir::kiln;

FailureOr<ModelFunction> mlir::kiln::findModelFunction(ModuleOp module) {
  ModelFunction model;
  for (auto f : module.getOps<LLVM::LLVMFuncOp>())
    if (f->hasAttr(kABIAttrName))
      model.impl = f;
  if (!model.impl)
    return module.emitError()
           << "no lowered model function with '" << kABIAttrName
           << "' found; run --kiln-prepare-abi before lowering to LLVM";
  FailureOr<ModelSignature> signature = readModelSignature(module);
  if (failed(signature))
    return failure();
  model.signature = std::move(*signature);
  model.workspaceSize =
      model.impl->getAttrOfType<IntegerAttr>(kWorkspaceSizeAttrName);
  return model;
}

bool ModelFunction::takesOnlyPointers() const {
  return llvm::all_of(LLVM::LLVMFuncOp(impl).getFunctionType().getParams(),
                      [](Type t) { return isa<LLVM::LLVMPointerType>(t); });
}

void mlir::kiln::internalizeModelFunction(LLVM::LLVMFuncOp impl) {
  impl.setLinkage(LLVM::Linkage::Internal);
  // The names served the signature; LLVM IR has no use for them.
  impl.removeArgAttrsAttr();
  impl.removeResAttrsAttr();
  impl->removeAttr(kABIAttrName);
}

LogicalResult mlir::kiln::checkEntryPointsFree(ModuleOp module,
                                               StringRef prefix,
                                               ArrayRef<StringRef> suffixes) {
  for (StringRef suffix : suffixes)
    if (SymbolTable::lookupSymbolIn(module, (prefix + suffix).str()))
      return module.emitError()
             << "symbol '" << prefix << suffix << "' already exists";
  return success();
}

ABIBuilder::ABIBuilder(ModuleOp module, StringRef model, IntegerAttr workspace)
    : module(module), b(module.getContext()), loc(module.getLoc()),
      prefix(model.str()) {
  MLIRContext *ctx = module.getContext();
  ptr = LLVM::LLVMPointerType::get(ctx);
  i32 = IntegerType::get(ctx, 32);
  i64 = IntegerType::get(ctx, 64);
  hasWorkspace = static_cast<bool>(workspace);
  workspaceSize = workspace ? workspace.getInt() : 0;
  b.setInsertionPointToEnd(module.getBody());
}

Type ABIBuilder::tensorInfoType() {
  return LLVM::LLVMStructType::getLiteral(b.getContext(), {ptr, i32, i32, ptr});
}

Type ABIBuilder::signatureType() {
  return LLVM::LLVMStructType::getLiteral(b.getContext(),
                                          {i32, i32, ptr, i64, i64, ptr, ptr});
}

Type ABIBuilder::tensorType() {
  return LLVM::LLVMStructType::getLiteral(
      b.getContext(),
      {i32, i32, i32, i32, LLVM::LLVMArrayType::get(i64, KILN_MAX_RANK), ptr});
}

LLVM::GlobalOp ABIBuilder::stringGlobal(StringRef name, StringRef value) {
  std::string data = value.str();
  data.push_back('\0');
  auto type = LLVM::LLVMArrayType::get(IntegerType::get(b.getContext(), 8),
                                       data.size());
  return LLVM::GlobalOp::create(b, loc, type, /*isConstant=*/true,
                                LLVM::Linkage::Private, name,
                                b.getStringAttr(data));
}

LLVM::GlobalOp ABIBuilder::shapeGlobal(StringRef name, RankedTensorType type) {
  auto arrayType = LLVM::LLVMArrayType::get(i64, type.getRank());
  auto value = DenseElementsAttr::get(
      RankedTensorType::get({type.getRank()}, i64), type.getShape());
  return LLVM::GlobalOp::create(b, loc, arrayType, /*isConstant=*/true,
                                LLVM::Linkage::Private, name, value);
}

Value ABIBuilder::constant(OpBuilder &ib, Type type, int64_t v) {
  return LLVM::ConstantOp::create(ib, loc, type, ib.getIntegerAttr(type, v));
}

LLVM::GlobalOp ABIBuilder::infoArray(StringRef kind,
                                     ArrayRef<TensorSignature> tensors) {
  if (tensors.empty())
    return nullptr;
  SmallVector<LLVM::GlobalOp> names, shapes;
  for (auto [i, t] : llvm::enumerate(tensors)) {
    std::string base =
        "__kiln_" + prefix + "_" + kind.str() + std::to_string(i);
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
    Value shape = shapes[i]
                      ? Value(LLVM::AddressOfOp::create(b, loc, shapes[i]))
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

LLVM::GlobalOp ABIBuilder::signatureGlobal(const ModelSignature &sig) {
  LLVM::GlobalOp modelName =
      stringGlobal("__kiln_" + prefix + "_model_name", sig.modelName);
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
  SmallVector<Value> fields = {constant(b, i32, sizeof(kiln_signature)),
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

LLVM::LLVMFuncOp ABIBuilder::function(StringRef name, Type result,
                                      ArrayRef<Type> args) {
  auto f = LLVM::LLVMFuncOp::create(b, loc, name,
                                    LLVM::LLVMFunctionType::get(result, args));
  return f;
}

LLVM::LLVMFuncOp ABIBuilder::runtimeFunction(StringRef name, Type result,
                                             ArrayRef<Type> args) {
  if (auto f = dyn_cast_or_null<LLVM::LLVMFuncOp>(
          SymbolTable::lookupSymbolIn(module, name)))
    return f;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(module.getBody());
  return function(name, result, args);
}

void ABIBuilder::emitWorkspaceSizeFunction() {
  auto f = function(prefix + "_workspace_size", i64, {});
  OpBuilder::InsertionGuard guard(b);
  b.createBlock(&f.getBody());
  LLVM::ReturnOp::create(b, loc, constant(b, i64, workspaceSize));
}

void ABIBuilder::checkNotNull(LLVM::LLVMFuncOp f, ValueRange values) {
  if (values.empty())
    return;
  Value null = LLVM::ZeroOp::create(b, loc, ptr);
  Value anyNull;
  for (Value arg : values) {
    Value isNull =
        LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::eq, arg, null);
    anyNull =
        anyNull ? Value(LLVM::OrOp::create(b, loc, anyNull, isNull)) : isNull;
  }
  returnIf(f, anyNull, constant(b, i32, KILN_STATUS_INVALID_ARGUMENT));
}

void ABIBuilder::checkWorkspace(LLVM::LLVMFuncOp f, Value ws, Value wsSize) {
  if (workspaceSize <= 0)
    return;
  checkNotNull(f, ValueRange{ws});
  Value small = LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::ult, wsSize,
                                     constant(b, i64, workspaceSize));
  returnIf(f, small, constant(b, i32, KILN_STATUS_WORKSPACE_TOO_SMALL));
  Value address = LLVM::PtrToIntOp::create(b, loc, i64, ws);
  Value low = LLVM::AndOp::create(
      b, loc, address, constant(b, i64, KILN_WORKSPACE_ALIGNMENT - 1));
  Value misaligned = LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::ne, low,
                                          constant(b, i64, 0));
  returnIf(f, misaligned, constant(b, i32, KILN_STATUS_MISALIGNED));
}

void ABIBuilder::emitSignatureFunction(LLVM::GlobalOp sig) {
  auto f = function(prefix + "_signature", ptr, {});
  OpBuilder::InsertionGuard guard(b);
  b.createBlock(&f.getBody());
  LLVM::ReturnOp::create(b, loc, Value(LLVM::AddressOfOp::create(b, loc, sig)));
}

void ABIBuilder::returnIf(LLVM::LLVMFuncOp f, Value failedCond, Value status) {
  Block *current = b.getInsertionBlock();
  Block *fail = b.createBlock(&f.getBody());
  LLVM::ReturnOp::create(b, loc, status);
  Block *cont = b.createBlock(&f.getBody());
  b.setInsertionPointToEnd(current);
  LLVM::CondBrOp::create(b, loc, failedCond, fail, cont);
  b.setInsertionPointToEnd(cont);
}
