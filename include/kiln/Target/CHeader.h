//===- CHeader.h - The C header of a compiled model -----------------------===//
#ifndef KILN_TARGET_CHEADER_H
#define KILN_TARGET_CHEADER_H

#include "kiln/Support/ABI.h"
#include "kiln/Target/Target.h"

#include "llvm/Support/raw_ostream.h"

namespace mlir::kiln {

/// Writes the header declaring NAME_forward, NAME_forward_with_workspace,
/// NAME_workspace_size, NAME_forward_tensors, NAME_signature and the
/// signature constants. `workspaceBytes` is the planned workspace (-1 when
/// not planned: no workspace entry is declared). `source` names the input
/// the model came from, for the banner. For TargetKind::CUDA: the
/// NAME_cuda_* entry points instead of the CPU ones.
void emitCHeader(const ModelSignature &signature, int64_t workspaceBytes,
                 StringRef source, llvm::raw_ostream &os,
                 TargetKind target = TargetKind::CPU);

} // namespace mlir::kiln

#endif // KILN_TARGET_CHEADER_H
