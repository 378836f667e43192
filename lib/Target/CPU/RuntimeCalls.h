//===- RuntimeCalls.h - Helpers for passes that call the runtime ---------===//
//
// --kiln-lower-gemm and --kiln-lower-depthwise replace loop nests on
// buffers by calls of the runtime's kernels (kiln_sgemm*, kiln_dwconv2d):
// they pass memrefs as addresses (i64) and strides, and declare the
// functions they call.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_TARGET_CPU_RUNTIMECALLS_H
#define KILN_LIB_TARGET_CPU_RUNTIMECALLS_H

#include "kiln/Support/RuntimeCalls.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#include <optional>

namespace mlir::kiln {

/// An index constant.
Value indexConst(OpBuilder &b, Location loc, int64_t v);
/// An i64 constant.
Value i64Const(OpBuilder &b, Location loc, int64_t v);
/// The address (as i64) of element 0 of f32 memref `v`, plus `extra`
/// elements.
Value elementAddress(OpBuilder &b, Location loc, Value v, Value extra);
/// The private declaration of runtime kernel `fn`, created on first use:
/// its prototype's parameters (kiln/runtime.h) are all 64-bit integers, so
/// it takes i64s (addresses and integers).
func::FuncOp declareRuntime(ModuleOp module, RuntimeFn fn);
/// A call of runtime kernel `fn` with `args`, one per parameter of its
/// prototype (a count that differs is a bug in the caller: fatal).
func::CallOp callRuntime(OpBuilder &b, Location loc, ModuleOp module,
                         RuntimeFn fn, ValueRange args);
/// The static strides (elements) of an f32 memref, or nullopt.
std::optional<SmallVector<int64_t>> staticStrides(Value v);
/// The buffer a chain of views (reshapes, subviews) starts from.
Value viewRoot(Value v);
/// Whether `op` may touch the buffer `root` (through any of its operands).
bool touches(Operation *op, Value root);
/// The bit pattern of a float, as the runtime's lo/hi arguments take it.
int64_t floatBits(float v);
/// The threads a call's scratch space is sized for: `threads`, or the
/// compiling machine's cores for 0 (at least 1).
int64_t resolveThreads(int64_t threads);

} // namespace mlir::kiln

#endif // KILN_LIB_TARGET_CPU_RUNTIMECALLS_H
