//===- RuntimeCalls.cpp - Helpers for passes that call the runtime -------===//
#include "RuntimeCalls.h"

#include "llvm/Support/ErrorHandling.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

#include <algorithm>
#include <cstring>
#include <thread>

using namespace mlir;

Value kiln::indexConst(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

Value kiln::i64Const(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIntOp::create(b, loc, v, 64);
}

Value kiln::elementAddress(OpBuilder &b, Location loc, Value v, Value extra) {
  auto meta = memref::ExtractStridedMetadataOp::create(b, loc, v);
  Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, v);
  Value elems = arith::AddIOp::create(b, loc, meta.getOffset(), extra);
  Value bytes = arith::MulIOp::create(b, loc, elems, indexConst(b, loc, 4));
  Value addr = arith::AddIOp::create(b, loc, base, bytes);
  return arith::IndexCastOp::create(b, loc, b.getI64Type(), addr);
}

func::FuncOp kiln::declareRuntime(ModuleOp module, RuntimeFn fn) {
  const RuntimeFnInfo &info = getRuntimeFnInfo(fn);
  if (!info.int64Params)
    llvm::report_fatal_error(llvm::Twine("kiln: internal error: ") +
                             info.name +
                             " takes parameters other than 64-bit integers");
  StringRef name = info.name;
  if (auto f = module.lookupSymbol<func::FuncOp>(name))
    return f;
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  SmallVector<Type> args(info.numParams, b.getI64Type());
  auto f = func::FuncOp::create(b, module.getLoc(), name,
                                b.getFunctionType(args, {}));
  f.setPrivate();
  return f;
}

func::CallOp kiln::callRuntime(OpBuilder &b, Location loc, ModuleOp module,
                               RuntimeFn fn, ValueRange args) {
  const RuntimeFnInfo &info = getRuntimeFnInfo(fn);
  if (args.size() != info.numParams)
    llvm::report_fatal_error(llvm::Twine("kiln: internal error: ") +
                             info.name + " takes " +
                             llvm::Twine(info.numParams) +
                             " arguments (kiln/runtime.h), the call has " +
                             llvm::Twine(args.size()));
  return func::CallOp::create(b, loc, declareRuntime(module, fn), args);
}

std::optional<SmallVector<int64_t>> kiln::staticStrides(Value v) {
  auto type = dyn_cast<MemRefType>(v.getType());
  if (!type || !type.getElementType().isF32())
    return std::nullopt;
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(type.getStridesAndOffset(strides, offset)) ||
      llvm::any_of(strides, ShapedType::isDynamic))
    return std::nullopt;
  return strides;
}

Value kiln::viewRoot(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    if (!isa<memref::ExpandShapeOp, memref::CollapseShapeOp,
             memref::SubViewOp>(def))
      break;
    v = def->getOperand(0);
  }
  return v;
}

bool kiln::touches(Operation *op, Value root) {
  return llvm::any_of(op->getOperands(), [&](Value v) {
    return isa<MemRefType>(v.getType()) && viewRoot(v) == root;
  });
}

int64_t kiln::floatBits(float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return bits;
}

int64_t kiln::resolveThreads(int64_t threads) {
  return threads > 0 ? threads
                     : std::max<int64_t>(1, std::thread::hardware_concurrency());
}
