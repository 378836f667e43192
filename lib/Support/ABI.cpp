//===- ABI.cpp - The C ABI of compiled models, seen from the compiler -----===//
#include "kiln/Support/ABI.h"

#include "kiln/Dialect/Kiln/IR/KilnDialect.h"
#include "kiln/runtime.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/Format.h"

using namespace mlir;
using namespace mlir::kiln;

int mlir::kiln::getKilnDType(Type t) {
  if (t.isF32())
    return KILN_DTYPE_F32;
  if (t.isF64())
    return KILN_DTYPE_F64;
  if (t.isF16())
    return KILN_DTYPE_F16;
  if (t.isBF16())
    return KILN_DTYPE_BF16;
  if (t.isSignlessInteger(1))
    return KILN_DTYPE_BOOL;
  if (t.isSignlessInteger(8))
    return KILN_DTYPE_I8;
  if (t.isSignlessInteger(16))
    return KILN_DTYPE_I16;
  if (t.isSignlessInteger(32))
    return KILN_DTYPE_I32;
  if (t.isSignlessInteger(64))
    return KILN_DTYPE_I64;
  if (t.isUnsignedInteger(8))
    return KILN_DTYPE_U8;
  return KILN_DTYPE_INVALID;
}

std::string mlir::kiln::getDTypeName(Type t) {
  int code = getKilnDType(t);
  if (code == KILN_DTYPE_INVALID) {
    std::string s;
    llvm::raw_string_ostream(s) << t;
    return s;
  }
  return kiln_dtype_name(code);
}

Type mlir::kiln::parseDType(StringRef name, MLIRContext *ctx) {
  Builder b(ctx);
  return llvm::StringSwitch<Type>(name)
      .Cases({"f32", "float32", "float"}, b.getF32Type())
      .Cases({"f64", "float64", "double"}, b.getF64Type())
      .Cases({"f16", "float16", "half"}, b.getF16Type())
      .Cases({"bf16", "bfloat16"}, b.getBF16Type())
      .Cases({"i8", "int8"}, b.getIntegerType(8))
      .Cases({"i16", "int16"}, b.getIntegerType(16))
      .Cases({"i32", "int32"}, b.getIntegerType(32))
      .Cases({"i64", "int64", "long"}, b.getIntegerType(64))
      .Cases({"u8", "uint8"}, b.getIntegerType(8, /*isSigned=*/false))
      .Cases({"bool", "i1"}, b.getI1Type())
      .Default(Type());
}

std::string mlir::kiln::getCElementType(Type t) {
  switch (getKilnDType(t)) {
  case KILN_DTYPE_F32: return "float";
  case KILN_DTYPE_F64: return "double";
  case KILN_DTYPE_F16:
  case KILN_DTYPE_BF16:
  case KILN_DTYPE_I16: return t.isInteger() ? "int16_t" : "uint16_t";
  case KILN_DTYPE_I8: return "int8_t";
  case KILN_DTYPE_I32: return "int32_t";
  case KILN_DTYPE_I64: return "int64_t";
  case KILN_DTYPE_U8: return "uint8_t";
  case KILN_DTYPE_BOOL: return "bool";
  default: return "";
  }
}

static bool isCKeyword(StringRef s) {
  static const char *const keywords[] = {
      "auto", "break", "case", "char", "const", "continue", "default", "do",
      "double", "else", "enum", "extern", "float", "for", "goto", "if",
      "inline", "int", "long", "register", "restrict", "return", "short",
      "signed", "sizeof", "static", "struct", "switch", "typedef", "union",
      "unsigned", "void", "volatile", "while", "bool", "true", "false",
      "_Bool", "class", "new", "delete", "this", "template", "namespace"};
  return llvm::is_contained(keywords, s);
}

bool mlir::kiln::isValidCIdentifier(StringRef name) {
  if (name.empty() || isdigit(static_cast<unsigned char>(name[0])))
    return false;
  for (char c : name)
    if (!isalnum(static_cast<unsigned char>(c)) && c != '_')
      return false;
  return !isCKeyword(name);
}

std::string mlir::kiln::sanitizeCIdentifier(StringRef name) {
  std::string out;
  for (char c : name)
    out += isalnum(static_cast<unsigned char>(c)) ? c : '_';
  if (out.empty() || isdigit(static_cast<unsigned char>(out[0])))
    out = "_" + out;
  if (isCKeyword(out))
    out += "_";
  return out;
}

DictionaryAttr
mlir::kiln::encodeModelSignature(MLIRContext *ctx,
                                 const ModelSignature &signature) {
  Builder b(ctx);
  auto encode = [&](ArrayRef<TensorSignature> tensors) {
    SmallVector<Attribute> entries;
    for (const TensorSignature &t : tensors)
      entries.push_back(b.getDictionaryAttr(
          {b.getNamedAttr("name", b.getStringAttr(t.name)),
           b.getNamedAttr("type", TypeAttr::get(t.type))}));
    return b.getArrayAttr(entries);
  };
  return b.getDictionaryAttr(
      {b.getNamedAttr("model", b.getStringAttr(signature.modelName)),
       b.getNamedAttr("inputs", encode(signature.inputs)),
       b.getNamedAttr("outputs", encode(signature.outputs))});
}

FailureOr<ModelSignature> mlir::kiln::readModelSignature(ModuleOp module) {
  // The module's copy, else the model function's (IR written by hand).
  DictionaryAttr abi = module->getAttrOfType<DictionaryAttr>(kABIAttrName);
  if (!abi)
    module.walk([&](Operation *op) {
      if (auto a = op->getAttrOfType<DictionaryAttr>(kABIAttrName))
        abi = a;
    });
  if (!abi)
    return module.emitError()
           << "no '" << kABIAttrName
           << "' signature found; run --kiln-prepare-abi first";
  ModelSignature signature;
  auto model = abi.getAs<StringAttr>("model");
  auto inputs = abi.getAs<ArrayAttr>("inputs");
  auto outputs = abi.getAs<ArrayAttr>("outputs");
  if (!model || !inputs || !outputs)
    return module.emitError() << "malformed '" << kABIAttrName << "' attribute";
  signature.modelName = model.str();
  auto decode = [&](ArrayAttr list,
                    SmallVectorImpl<TensorSignature> &out) -> LogicalResult {
    for (Attribute a : list) {
      auto dict = dyn_cast<DictionaryAttr>(a);
      auto name = dict ? dict.getAs<StringAttr>("name") : StringAttr();
      auto type = dict ? dict.getAs<TypeAttr>("type") : TypeAttr();
      auto tensor = type ? dyn_cast<RankedTensorType>(type.getValue())
                         : RankedTensorType();
      if (!name || !tensor)
        return module.emitError()
               << "malformed entry in '" << kABIAttrName << "': " << a;
      out.push_back({name.str(), tensor});
    }
    return success();
  };
  if (failed(decode(inputs, signature.inputs)) ||
      failed(decode(outputs, signature.outputs)))
    return failure();
  return signature;
}

std::optional<uint64_t> mlir::kiln::getTensorBytes(ShapedType type) {
  Type element = type.getElementType();
  uint64_t bytes =
      element.isIndex()
          ? 8
          : std::max<uint64_t>(1, element.getIntOrFloatBitWidth() / 8);
  for (int64_t d : type.getShape())
    if (d < 0 || __builtin_mul_overflow(bytes, uint64_t(d), &bytes))
      return std::nullopt;
  return bytes;
}

std::string mlir::kiln::describeTooLarge(std::optional<uint64_t> bytes) {
  std::string out;
  llvm::raw_string_ostream os(out);
  if (bytes)
    os << llvm::format("%.3g", double(*bytes)) << " bytes";
  else
    os << "more than 2^64 bytes";
  os << "; a process can address at most 2^47 bytes (128 TiB)";
  return out;
}
