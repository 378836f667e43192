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

void mlir::kiln::emitCHeader(const ModelSignature &sig, StringRef source,
                             llvm::raw_ostream &os) {
  std::string name = sig.modelName;
  std::string upper = StringRef(name).upper();
  std::string guard = "KILN_MODEL_" + upper + "_H";
  os << "/* " << name << ".h: C API of the model compiled by kiln-compile from "
     << source << ".\n"
     << " * Generated code; do not edit. Link the object file with Kiln's\n"
     << " * runtime library (libkiln_runtime.a) and libm.\n"
     << " *\n"
     << " * All entry points return KILN_STATUS_OK (0) on success or another\n"
     << " * kiln_status code (see kiln/runtime.h; kiln_status_string() names\n"
     << " * it). They keep no state between calls: any number of threads may\n"
     << " * call them at once. Buffers are dense, row-major (C order).\n"
     << " * Outputs are written in place; intermediate tensors are allocated\n"
     << " * with malloc during a call and freed before it returns.\n"
     << " */\n"
     << "#ifndef " << guard << "\n#define " << guard << "\n\n"
     << "#include <stdbool.h>\n#include <stdint.h>\n\n"
     << "#include \"kiln/runtime.h\"\n\n"
     << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";

  os << "#define " << upper << "_NUM_INPUTS " << sig.inputs.size() << "\n";
  os << "#define " << upper << "_NUM_OUTPUTS " << sig.outputs.size() << "\n\n";
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
  os << "\n * Returns KILN_STATUS_INVALID_ARGUMENT if any pointer is NULL. */\n";
  os << "int " << name << "_forward(";
  bool first = true;
  for (const TensorSignature &t : sig.inputs) {
    os << (first ? "" : ", ") << "const " << getCElementType(t.type.getElementType())
       << " *" << t.name;
    first = false;
  }
  for (const TensorSignature &t : sig.outputs) {
    os << (first ? "" : ", ") << getCElementType(t.type.getElementType()) << " *"
       << t.name;
    first = false;
  }
  if (first)
    os << "void";
  os << ");\n\n";

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
