//===- Npy.cpp - Reading and writing NumPy .npy files ---------------------===//
#include "kiln/Support/Npy.h"

#include "kiln/runtime.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace llvm;
using namespace mlir::kiln;

namespace {
struct DescrEntry {
  const char *descr;
  int dtype;
};
// Byte-order markers '<' (little) and '|' (not applicable) only.
const DescrEntry kDescrs[] = {
    {"<f4", KILN_DTYPE_F32}, {"<f8", KILN_DTYPE_F64}, {"<f2", KILN_DTYPE_F16},
    {"|i1", KILN_DTYPE_I8},  {"<i2", KILN_DTYPE_I16}, {"<i4", KILN_DTYPE_I32},
    {"<i8", KILN_DTYPE_I64}, {"|u1", KILN_DTYPE_U8},  {"|b1", KILN_DTYPE_BOOL}};

Error npyError(StringRef path, const Twine &msg) {
  return createStringError(inconvertibleErrorCode(),
                           path + ": " + msg);
}

/// Finds `'key':` in the header dict and returns what follows it.
std::optional<StringRef> valueOf(StringRef header, StringRef key) {
  size_t pos = header.find(("'" + key + "'").str());
  if (pos == StringRef::npos)
    return std::nullopt;
  StringRef rest = header.drop_front(pos + key.size() + 2).ltrim();
  if (!rest.consume_front(":"))
    return std::nullopt;
  return rest.ltrim();
}
} // namespace

Expected<NpyArray> mlir::kiln::readNpy(StringRef path) {
  auto bufOrErr = MemoryBuffer::getFile(path, /*IsText=*/false,
                                        /*RequiresNullTerminator=*/false);
  if (!bufOrErr)
    return npyError(path, "cannot open: " + bufOrErr.getError().message());
  return parseNpy((*bufOrErr)->getBuffer(), path);
}

Expected<NpyArray> mlir::kiln::parseNpy(StringRef bytes, StringRef path) {
  if (bytes.size() < 10 || !bytes.starts_with("\x93NUMPY"))
    return npyError(path, "not a .npy file (bad magic)");
  unsigned major = static_cast<unsigned char>(bytes[6]);
  size_t headerLen, offset;
  if (major == 1) {
    headerLen = static_cast<unsigned char>(bytes[8]) |
                (static_cast<unsigned char>(bytes[9]) << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return npyError(path, "truncated header");
    headerLen = 0;
    for (int i = 0; i < 4; ++i)
      headerLen |= size_t(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
    offset = 12;
  } else {
    return npyError(path, "unsupported .npy version " + Twine(major));
  }
  if (offset + headerLen > bytes.size())
    return npyError(path, "truncated header");
  StringRef header = bytes.substr(offset, headerLen);

  NpyArray array;
  auto descr = valueOf(header, "descr");
  if (!descr || !descr->consume_front("'"))
    return npyError(path, "header has no 'descr'");
  StringRef d = descr->take_until([](char c) { return c == '\''; });
  if (d == "=f4" || d == "=f8" || d == "=i4" || d == "=i8") // native = little
    d = StringSwitch<StringRef>(d)
            .Case("=f4", "<f4").Case("=f8", "<f8")
            .Case("=i4", "<i4").Default("<i8");
  for (const DescrEntry &e : kDescrs)
    if (d == e.descr)
      array.dtype = e.dtype;
  if (!array.dtype)
    return npyError(path, "unsupported dtype '" + d +
                              "' (supported: f32, f64, f16, i8, i16, i32, "
                              "i64, u8, bool; little-endian)");
  auto fortran = valueOf(header, "fortran_order");
  if (!fortran)
    return npyError(path, "header has no 'fortran_order'");
  if (fortran->starts_with("True"))
    return npyError(path, "Fortran-ordered arrays are not supported; save "
                          "np.ascontiguousarray(a) instead");
  auto shape = valueOf(header, "shape");
  if (!shape || !shape->consume_front("("))
    return npyError(path, "header has no 'shape'");
  StringRef dims = shape->take_until([](char c) { return c == ')'; });
  SmallVector<StringRef> parts;
  dims.split(parts, ',', -1, /*KeepEmpty=*/false);
  for (StringRef p : parts) {
    p = p.trim();
    if (p.empty())
      continue;
    int64_t v;
    if (p.getAsInteger(10, v) || v < 0)
      return npyError(path, "bad dimension '" + p + "' in shape");
    array.shape.push_back(v);
  }
  if (array.shape.size() > KILN_MAX_RANK)
    return npyError(path, "has rank " + Twine(array.shape.size()) +
                              "; Kiln's tensors have at most " +
                              Twine(KILN_MAX_RANK) + " dims");
  // The bytes the shape claims, counted without overflow: the file must
  // hold exactly that many.
  uint64_t numBytes = kiln_dtype_size(array.dtype);
  for (int64_t v : array.shape)
    if (__builtin_mul_overflow(numBytes, uint64_t(v), &numBytes))
      return npyError(path, "its shape has more elements than 64 bits count");
  size_t dataOffset = offset + headerLen;
  if (bytes.size() - dataOffset != numBytes)
    return npyError(path, "holds " + Twine(bytes.size() - dataOffset) +
                              " data bytes but its shape and dtype need " +
                              Twine(numBytes));
  array.data.assign(bytes.begin() + dataOffset, bytes.end());
  return array;
}

Error mlir::kiln::writeNpy(StringRef path, int dtype, ArrayRef<int64_t> shape,
                           const void *data, size_t numBytes) {
  const char *descr = nullptr;
  for (const DescrEntry &e : kDescrs)
    if (e.dtype == dtype)
      descr = e.descr;
  if (!descr)
    return npyError(path, "cannot write dtype " + Twine(kiln_dtype_name(dtype)));
  std::string header = "{'descr': '" + std::string(descr) +
                       "', 'fortran_order': False, 'shape': (";
  for (int64_t d : shape)
    header += std::to_string(d) + ", ";
  if (shape.size() > 1)
    header.erase(header.size() - 2); // (3, 4) but (3,) for rank 1
  else if (shape.size() == 1)
    header.pop_back();
  header += "), }";
  // Pad with spaces so the data starts on a 64-byte boundary.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::error_code ec;
  raw_fd_ostream os(path, ec, sys::fs::OF_None);
  if (ec)
    return npyError(path, "cannot write: " + ec.message());
  os << "\x93NUMPY" << '\x01' << '\x00';
  os << static_cast<char>(header.size() & 0xff)
     << static_cast<char>((header.size() >> 8) & 0xff);
  os << header;
  os.write(static_cast<const char *>(data), numBytes);
  os.close();
  if (os.has_error())
    return npyError(path, "write failed");
  return Error::success();
}
