//===- Importer.h - The TorchScript importer's internals (private) --------===//
//
// Shared by TorchScript.cpp (loading, locations, constants, the driver) and
// the op handlers (NodeContext.h, OpRegistry.cpp, Ops/<Family>.cpp).
// Includes libtorch, so only lib/Import may include it.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_IMPORT_IMPORTER_H
#define KILN_LIB_IMPORT_IMPORTER_H

#include "kiln/Import/TorchScript.h"

#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

#include "llvm/ADT/DenseMap.h"

#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/ir/ir.h>

#include <map>

namespace mlir::kiln::detail {
namespace tj = torch::jit;

/// libtorch reports errors as exceptions with long backtraces; keep the
/// message users can act on.
std::string shortTorchMessage(const std::exception &e);

/// The MLIR element type of a libtorch dtype, or null if Kiln has none.
Type elementTypeOf(at::ScalarType t, MLIRContext *ctx);

class Importer {
public:
  Importer(MLIRContext *ctx, StringRef path)
      : ctx(ctx), builder(ctx), path(path.str()),
        fileLoc(FileLineColLoc::get(ctx, path, 0, 0)) {}

  /// Loads, freezes and inlines; fills `report`.
  LogicalResult load(ImportReport &report);

  OwningOpRef<ModuleOp> emit(const ImportOptions &options);

  // Helpers shared with the op handlers (lib/Import/Ops).
  Location locationOf(const tj::SourceRange &range);
  Location locationOf(const tj::Node *node);
  LogicalResult checkSupported();
  LogicalResult bindInputs(func::FuncOp func, const ImportOptions &options,
                           SmallVectorImpl<Type> &types,
                           SmallVectorImpl<std::string> &names);
  LogicalResult emitNode(const tj::Node *node);
  FailureOr<Value> lookupTensor(const tj::Value *v, const tj::Node *user);
  std::optional<c10::IValue> constantOf(const tj::Value *v);
  FailureOr<Value> emitTensorConstant(const at::Tensor &t, StringRef name,
                                      Location loc);
  LogicalResult flattenOutput(const tj::Value *v,
                              SmallVectorImpl<const tj::Value *> &out);

  template <typename OpTy, typename... Args>
  Value create(Location loc, Args &&...args) {
    return OpTy::create(builder, loc, std::forward<Args>(args)...);
  }

  MLIRContext *ctx;
  OpBuilder builder;
  std::string path;
  Location fileLoc;
  tj::Module module{c10::QualifiedName("__kiln_placeholder")};
  std::shared_ptr<tj::Graph> graph;
  std::vector<std::string> paramNames;
  llvm::DenseMap<const tj::Value *, Value> values;
  llvm::DenseMap<const tj::Value *, SmallVector<const tj::Value *>> tuples;
  /// Compile-time values: sizes, numbers and lists the trace computes from
  /// static shapes (aten::size, prim::ListConstruct, aten::Int, ...).
  std::map<const tj::Value *, c10::IValue> scalars;
  /// Lists of tensors (for cat, stack).
  llvm::DenseMap<const tj::Value *, SmallVector<const tj::Value *>> tensorLists;
  /// Lists of tensors the importer made itself (chunk, split, unbind).
  llvm::DenseMap<const tj::Value *, SmallVector<Value>> valueLists;
};

} // namespace mlir::kiln::detail

#endif // KILN_LIB_IMPORT_IMPORTER_H
