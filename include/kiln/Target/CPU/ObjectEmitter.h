//===- CPU.h - Native code generation for the host CPU --------------------===//
#ifndef KILN_TARGET_CPU_H
#define KILN_TARGET_CPU_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>
#include <string>

namespace mlir::kiln {

struct CPUTargetOptions {
  std::string triple; ///< empty: the host's
  std::string cpu = "host";
  std::string features; ///< extra "+avx2,-fma" style features
  unsigned optLevel = 3;
};

/// Creates the TargetMachine for `options`; on failure `error` says why.
std::unique_ptr<llvm::TargetMachine>
createCPUTargetMachine(const CPUTargetOptions &options, std::string &error);

/// Translates an LLVM-dialect module to LLVM IR for `tm` and optimizes it at
/// `optLevel`. Reports errors on the module's location.
std::unique_ptr<llvm::Module> translateToLLVMIR(ModuleOp module,
                                                llvm::LLVMContext &llvmContext,
                                                llvm::TargetMachine &tm,
                                                unsigned optLevel);

/// Emits an object file (or assembly when `assembly`) in process.
LogicalResult emitMachineCode(llvm::Module &module, llvm::TargetMachine &tm,
                              llvm::raw_pwrite_stream &os, bool assembly,
                              std::string &error);

/// Registers the LLVM targets and MLIR-to-LLVM-IR translations Kiln uses.
void initializeCPUTarget(DialectRegistry &registry);

} // namespace mlir::kiln

#endif // KILN_TARGET_CPU_H
