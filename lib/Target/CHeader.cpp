//===- CHeader.cpp - The C header of a compiled model ---------------------===//
#include "kiln/Target/CHeader.h"

#include "kiln/runtime.h"

#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace mlir::kiln;

// "3x4", or "scalar" for rank 0.
static std::string dims(RankedTensorType t) {
  std::string s;
  for (auto [i, d] : llvm::enumerate(t.getShape()))
    s += (i ? "x" : "") + std::to_string(d);
  return s.empty() ? "scalar" : s;
}

namespace {
std::string shapeList(RankedTensorType t) {
  std::string s = "{";
  for (auto [i, d] : llvm::enumerate(t.getShape()))
    s += (i ? ", " : "") + std::to_string(d);
  return s + (t.getRank() ? "}" : "0}"); // C has no empty initializers
}

std::string dtypeMacro(Type t) {
  return "KILN_DTYPE_" + llvm::StringRef(getDTypeName(t)).upper();
}

void emitTensorMacros(llvm::raw_ostream &os, StringRef upper, StringRef kind,
                      size_t i, const TensorSignature &t) {
  std::string p = (upper + "_" + kind + std::to_string(i)).str();
  os << "/* " << StringRef(kind).lower() << " " << i << ": " << t.name << ", "
     << getDTypeName(t.type.getElementType()) << "[" << dims(t.type) << "] */\n";
  os << "#define " << p << "_NAME \"" << t.name << "\"\n";
  os << "#define " << p << "_DTYPE " << dtypeMacro(t.type.getElementType())
     << "\n";
  os << "#define " << p << "_RANK " << t.type.getRank() << "\n";
  os << "#define " << p << "_SHAPE " << shapeList(t.type) << "\n";
  os << "#define " << p << "_NUMEL " << t.type.getNumElements() << "\n";
}
} // namespace

/// The CUDA entry points (see runtime.h).
static void emitCUDAFunctions(const ModelSignature &sig,
                              llvm::raw_ostream &os,
                              llvm::function_ref<bool(bool)> emitParams) {
  std::string name = sig.modelName;
  std::string upper = StringRef(name).upper();
  os << "/* Loads the CUDA driver, retains device `device`'s primary context,\n"
     << " * loads the kernels, uploads the weights once and allocates the\n"
     << " * device workspace and a stream. On failure *model is NULL and the\n"
     << " * status says why: KILN_STATUS_NO_CUDA_DRIVER (\"no CUDA driver\n"
     << " * found\"), KILN_STATUS_NO_CUDA_DEVICE, KILN_STATUS_CUDA_ERROR\n"
     << " * (kiln_cuda_last_error() names the driver call). */\n"
     << "int " << name << "_cuda_init(int device, kiln_cuda_model **model);\n\n"
     << "/* Frees everything " << name << "_cuda_init made. */\n"
     << "void " << name << "_cuda_release(kiln_cuda_model *model);\n\n";
  os << "/* Enqueues the model on `stream` (a CUstream; NULL: the legacy\n"
     << " * default stream). Pointers are device memory. Uses the model's\n"
     << " * own device workspace: one call in flight per model. */\n"
     << "int " << name << "_cuda_forward(kiln_cuda_model *model, void *stream";
  emitParams(true);
  os << ");\n\n";
  os << "/* The same with a device workspace of at least " << upper
     << "_WORKSPACE_SIZE\n"
     << " * bytes (KILN_WORKSPACE_ALIGNMENT-aligned): concurrent calls on\n"
     << " * different streams, one workspace each. */\n"
     << "int " << name << "_cuda_forward_with_workspace(kiln_cuda_model *model,\n"
     << "    void *stream, void *workspace, size_t workspace_size";
  emitParams(true);
  os << ");\n\n";
  os << "/* Host buffers in and out: copies the inputs to the device, runs,\n"
     << " * copies the outputs back and waits. Calls on one model are\n"
     << " * serialized. */\n"
     << "int " << name << "_cuda_forward_host(kiln_cuda_model *model";
  emitParams(true);
  os << ");\n\n";
  os << "/* Bytes of device scratch memory one call needs. */\n"
     << "size_t " << name << "_workspace_size(void);\n\n";
  os << "/* Names, dtypes and shapes of the inputs and outputs. */\n"
     << "const kiln_signature *" << name << "_signature(void);\n\n";
}

void mlir::kiln::emitCHeader(const ModelSignature &sig, int64_t workspaceBytes,
                             StringRef source, llvm::raw_ostream &os,
                             TargetKind target) {
  std::string name = sig.modelName;
  std::string upper = StringRef(name).upper();
  std::string guard = "KILN_MODEL_" + upper + "_H";
  if (target == TargetKind::CUDA) {
    os << "/* " << name << ".h: CUDA API of the model compiled by kiln-compile "
       << "--target=cuda from " << source << ".\n"
       << " * Generated code; do not edit. Link the object file with Kiln's\n"
       << " * runtime library (libkiln_runtime.a), libm, pthreads and libdl;\n"
       << " * the runtime loads the CUDA driver (libcuda.so.1) at run time.\n"
       << " * All entry points return KILN_STATUS_OK (0) or another kiln_status\n"
       << " * code (kiln_status_string() names it). Buffers are dense,\n"
       << " * row-major (C order).\n */\n"
       << "#ifndef " << guard << "\n#define " << guard << "\n\n"
       << "#include <stdbool.h>\n#include <stddef.h>\n#include <stdint.h>\n\n"
       << "#include \"kiln/runtime.h\"\n\n"
       << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  } else {
  os << "/* " << name << ".h: C API of the model compiled by kiln-compile from "
     << source << ".\n"
     << " * Generated code; do not edit. Link the object file with Kiln's\n"
     << " * runtime library (libkiln_runtime.a), libm and pthreads.\n"
     << " *\n"
     << " * All entry points return KILN_STATUS_OK (0) on success or another\n"
     << " * kiln_status code (see kiln/runtime.h; kiln_status_string() names\n"
     << " * it). They keep no state between calls: any number of threads may\n"
     << " * call them at once. Buffers are dense, row-major (C order).\n"
     << " * Outputs are written in place. Intermediate tensors live in one\n"
     << " * workspace of " << upper << "_WORKSPACE_SIZE bytes: the caller's\n"
     << " * (" << name << "_forward_with_workspace, never allocates) or the\n"
     << " * calling thread's (" << name << "_forward, allocated by the first\n"
     << " * call on each thread, reused after).\n"
     << " */\n"
     << "#ifndef " << guard << "\n#define " << guard << "\n\n"
     << "#include <stdbool.h>\n#include <stddef.h>\n#include <stdint.h>\n\n"
     << "#include \"kiln/runtime.h\"\n\n"
     << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  }

  os << "#define " << upper << "_NUM_INPUTS " << sig.inputs.size() << "\n";
  os << "#define " << upper << "_NUM_OUTPUTS " << sig.outputs.size() << "\n";
  if (workspaceBytes >= 0)
    os << "/* Bytes of scratch memory one call needs (see "
       << name << "_forward_with_workspace). */\n"
       << "#define " << upper << "_WORKSPACE_SIZE " << workspaceBytes << "\n";
  os << "\n";
  for (auto [i, t] : llvm::enumerate(sig.inputs))
    emitTensorMacros(os, upper, "INPUT", i, t);
  for (auto [i, t] : llvm::enumerate(sig.outputs))
    emitTensorMacros(os, upper, "OUTPUT", i, t);

  os << "\n/* Runs the model. Inputs:";
  for (const TensorSignature &t : sig.inputs)
    os << "\n *   " << t.name << ": " << getDTypeName(t.type.getElementType())
       << "[" << dims(t.type) << "]";
  os << "\n * Outputs (written in full by the call):";
  for (const TensorSignature &t : sig.outputs)
    os << "\n *   " << t.name << ": " << getDTypeName(t.type.getElementType())
       << "[" << dims(t.type) << "]";
  if (target == TargetKind::CUDA)
    os << "\n * Returns KILN_STATUS_INVALID_ARGUMENT if any pointer is NULL. */\n";
  else
    os << "\n * Returns KILN_STATUS_INVALID_ARGUMENT if any pointer is NULL, and\n"
       << " * KILN_STATUS_INDEX_OUT_OF_RANGE (message: kiln_last_error()) for an\n"
       << " * index tensor entry out of range. */\n";
  auto emitParams = [&](bool afterOthers) {
    bool first = !afterOthers;
    for (const TensorSignature &t : sig.inputs) {
      os << (first ? "" : ", ") << "const "
         << getCElementType(t.type.getElementType()) << " *" << t.name;
      first = false;
    }
    for (const TensorSignature &t : sig.outputs) {
      os << (first ? "" : ", ") << getCElementType(t.type.getElementType())
         << " *" << t.name;
      first = false;
    }
    return first;
  };
  if (target == TargetKind::CUDA) {
    emitCUDAFunctions(sig, os, emitParams);
    os << "#ifdef __cplusplus\n} /* extern \"C\" */\n#endif\n\n#endif /* "
       << guard << " */\n";
    return;
  }
  os << "int " << name << "_forward(";
  if (emitParams(false))
    os << "void";
  os << ");\n\n";

  if (workspaceBytes >= 0) {
    os << "/* Bytes of scratch memory " << name
       << "_forward_with_workspace needs. */\n"
       << "size_t " << name << "_workspace_size(void);\n\n";
    os << "/* " << name << "_forward in caller-owned scratch memory: at least\n"
       << " * " << upper << "_WORKSPACE_SIZE bytes aligned to\n"
       << " * KILN_WORKSPACE_ALIGNMENT (NULL is fine when the size is 0).\n"
       << " * Never allocates. One workspace per concurrent call. Returns\n"
       << " * KILN_STATUS_WORKSPACE_TOO_SMALL or KILN_STATUS_MISALIGNED when\n"
       << " * the workspace does not fit. */\n"
       << "int " << name << "_forward_with_workspace(void *workspace, "
       << "size_t workspace_size";
    if (!sig.inputs.empty() || !sig.outputs.empty())
      os << ",\n    ";
    emitParams(false);
    os << ");\n\n";
  }

  os << "/* The same through kiln_tensor descriptors, checked against the\n"
     << " * signature first (counts, dtypes, shapes, struct sizes). */\n"
     << "int " << name << "_forward_tensors(const kiln_tensor *inputs, "
     << "int64_t num_inputs,\n"
     << "    kiln_tensor *outputs, int64_t num_outputs);\n\n";
  os << "/* Names, dtypes and shapes of the inputs and outputs. */\n"
     << "const kiln_signature *" << name << "_signature(void);\n\n";
  os << "#ifdef __cplusplus\n} /* extern \"C\" */\n#endif\n\n#endif /* "
     << guard << " */\n";
}
