//===- RuntimeCalls.h - The runtime functions generated code calls --------===//
//
// One entry per line of runtime/include/kiln/runtime_calls.def, with what
// the compiler needs of its prototype in kiln/runtime.h: the passes that
// emit calls take the argument count from here instead of spelling it.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_SUPPORT_RUNTIMECALLS_H
#define KILN_SUPPORT_RUNTIMECALLS_H

#include "llvm/ADT/StringRef.h"

namespace mlir::kiln {

enum class RuntimeFn {
#define KILN_RUNTIME_CALL(name) name,
#include "kiln/runtime_calls.def"
#undef KILN_RUNTIME_CALL
};

struct RuntimeFnInfo {
  llvm::StringRef name;
  /// Parameters of the prototype.
  unsigned numParams;
  /// Whether every parameter is a 64-bit integer (int64_t, or intptr_t for
  /// an address): the kernels' convention, which lets a call pass i64s.
  bool int64Params;
};

/// What kiln/runtime.h declares for `fn`.
const RuntimeFnInfo &getRuntimeFnInfo(RuntimeFn fn);

} // namespace mlir::kiln

#endif // KILN_SUPPORT_RUNTIMECALLS_H
