//===- Npy.h - Reading and writing NumPy .npy files -----------------------===//
#ifndef KILN_SUPPORT_NPY_H
#define KILN_SUPPORT_NPY_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace mlir::kiln {

/// A dense, C-ordered array read from a .npy file.
struct NpyArray {
  int dtype = 0; ///< kiln_dtype code
  llvm::SmallVector<int64_t> shape;
  std::vector<char> data;
};

/// Reads a .npy file (format 1.0-3.0, little-endian, C order). Errors name
/// the file and what is wrong with it.
llvm::Expected<NpyArray> readNpy(llvm::StringRef path);

/// Parses the bytes of a .npy file; errors start with `name`.
llvm::Expected<NpyArray> parseNpy(llvm::StringRef bytes, llvm::StringRef name);

/// Writes a C-ordered array as a .npy 1.0 file.
llvm::Error writeNpy(llvm::StringRef path, int dtype,
                     llvm::ArrayRef<int64_t> shape, const void *data,
                     size_t numBytes);

} // namespace mlir::kiln

#endif // KILN_SUPPORT_NPY_H
