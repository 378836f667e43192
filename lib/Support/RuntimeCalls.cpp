//===- RuntimeCalls.cpp - Prototypes of the runtime's entry points --------===//
#include "kiln/Support/RuntimeCalls.h"

#include "kiln/runtime.h"

#include <cstdint>
#include <type_traits>

using namespace mlir::kiln;

/// The facts of a prototype, read by the C++ compiler from kiln/runtime.h.
template <typename R, typename... Args>
static RuntimeFnInfo describe(llvm::StringRef name, R (*)(Args...)) {
  return {name, sizeof...(Args),
          ((std::is_integral_v<Args> && sizeof(Args) == sizeof(int64_t)) &&
           ...)};
}

const RuntimeFnInfo &mlir::kiln::getRuntimeFnInfo(RuntimeFn fn) {
  static const RuntimeFnInfo infos[] = {
#define KILN_RUNTIME_CALL(name) describe(#name, &name),
#include "kiln/runtime_calls.def"
#undef KILN_RUNTIME_CALL
  };
  return infos[static_cast<unsigned>(fn)];
}
