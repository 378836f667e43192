//===- ArchiveScan.cpp - A bounded reader of untrusted TorchScript zips ---===//
//
// Reads the zip's central directory and every entry's local header, checks
// that each lies inside the file, inflates compressed entries with bounds on
// the output, and walks the pickles and the TorchScript source for nesting
// that libtorch's recursive readers would follow until the stack ends. It
// decodes nothing else: what passes goes to libtorch, which reports what
// remains wrong in its own words.
//
//===----------------------------------------------------------------------===//
#include "ArchiveGuard.h"

#include "mlir/IR/Diagnostics.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MemoryBuffer.h"

#include <zlib.h>

#include <string>
#include <vector>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::detail;

namespace {

uint64_t readLE(const uint8_t *p, unsigned bytes) {
  uint64_t v = 0;
  for (unsigned i = 0; i < bytes; ++i)
    v |= uint64_t(p[i]) << (8 * i);
  return v;
}

/// A failure with its reason; the entry it concerns is added by the caller.
struct Problem {
  std::string what;
};

//===----------------------------------------------------------------------===//
// Pickles
//===----------------------------------------------------------------------===//

/// A value on the simulated pickle stack: how deeply containers nest in it
/// (0 for a number or string) and, for the small values a tensor's
/// persistent id is made of, the value itself.
struct PickleValue {
  enum Kind { Other, Str, Int, Global, Tuple } kind = Other;
  unsigned depth = 0;
  std::string str; ///< Str: the text; Global: the name
  int64_t num = 0;
  std::vector<PickleValue> items; ///< Tuple: up to 5 leaves
};

/// A storage that a pickle's persistent ids refer to: the record named
/// `key` must hold `bytes`.
struct StorageRef {
  std::string key;
  uint64_t bytes;
};

/// Bytes per element of the storage classes torch's pickles name.
uint64_t storageElementSize(llvm::StringRef cls) {
  return llvm::StringSwitch<uint64_t>(cls)
      .Cases({"DoubleStorage", "LongStorage", "ComplexFloatStorage"}, 8)
      .Cases({"FloatStorage", "IntStorage", "QInt32Storage"}, 4)
      .Cases({"HalfStorage", "BFloat16Storage", "ShortStorage"}, 2)
      .Cases({"CharStorage", "ByteStorage", "BoolStorage", "QInt8Storage",
              "QUInt8Storage"},
             1)
      .Case("ComplexDoubleStorage", 16)
      .Default(0);
}

/// Simulates the pickle machine's stack and fails when containers nest, or
/// MARKs stay open, more than `maxDepth` deep; collects the storages its
/// persistent ids name. Unknown opcodes end the walk: libtorch's unpickler
/// rejects them itself.
std::optional<Problem> scanPickle(llvm::StringRef data, unsigned maxDepth,
                                  std::vector<StorageRef> &storages) {
  const auto *begin = reinterpret_cast<const uint8_t *>(data.data());
  const uint8_t *p = begin, *end = begin + data.size();
  constexpr size_t kMaxStack = size_t(1) << 20;
  std::vector<PickleValue> stack;
  std::vector<size_t> marks;
  llvm::DenseMap<uint64_t, PickleValue> memo;
  uint64_t nextMemo = 0;
  auto problem = [&](const std::string &what) {
    return Problem{what + " at byte " + std::to_string(p - begin)};
  };
  auto need = [&](uint64_t n) { return uint64_t(end - p) >= n; };
  auto leaf = [&](PickleValue::Kind kind = PickleValue::Other) {
    PickleValue v;
    v.kind = kind;
    stack.push_back(std::move(v));
  };
  auto integer = [&](int64_t n) {
    leaf(PickleValue::Int);
    stack.back().num = n;
  };
  // Pops the values above the last MARK (or the last `n`) into `out`.
  auto popMark = [&](std::vector<PickleValue> &out) -> bool {
    if (marks.empty() || marks.back() > stack.size())
      return false;
    out.assign(std::make_move_iterator(stack.begin() + marks.back()),
               std::make_move_iterator(stack.end()));
    stack.resize(marks.back());
    marks.pop_back();
    return true;
  };
  auto pop = [&](size_t n, std::vector<PickleValue> &out) -> bool {
    size_t floor = marks.empty() ? 0 : marks.back();
    if (stack.size() < floor + n)
      return false;
    out.assign(std::make_move_iterator(stack.end() - n),
               std::make_move_iterator(stack.end()));
    stack.resize(stack.size() - n);
    return true;
  };
  auto deepest = [](const std::vector<PickleValue> &values) {
    unsigned d = 0;
    for (const PickleValue &v : values)
      d = std::max(d, v.depth);
    return d;
  };
  // A container of `items`: a tuple keeps small leaves for persistent ids.
  auto container = [&](std::vector<PickleValue> items, bool tuple) {
    PickleValue v;
    v.depth = deepest(items) + 1;
    if (tuple && items.size() <= 5 &&
        llvm::all_of(items, [](const PickleValue &i) { return i.depth == 0; })) {
      v.kind = PickleValue::Tuple;
      v.items = std::move(items);
    }
    stack.push_back(std::move(v));
  };
  // The container below takes `items`: it grows as deep as they are.
  auto extend = [&](const std::vector<PickleValue> &items) -> bool {
    if (stack.empty() || (!marks.empty() && stack.size() == marks.back()))
      return false;
    PickleValue &target = stack.back();
    target.depth = std::max(target.depth, deepest(items) + 1);
    target.kind = PickleValue::Other;
    target.items.clear();
    return true;
  };
  auto line = [&](std::string *text) -> bool {
    const uint8_t *start = p;
    while (p < end && *p != '\n')
      ++p;
    if (p == end)
      return false;
    if (text)
      text->assign(reinterpret_cast<const char *>(start), p - start);
    ++p;
    return true;
  };
  // A length-prefixed string or bytes; `text` keeps short ones.
  auto counted = [&](unsigned lengthBytes, PickleValue::Kind kind) -> bool {
    if (!need(lengthBytes))
      return false;
    uint64_t n = readLE(p, lengthBytes);
    p += lengthBytes;
    if (!need(n))
      return false;
    leaf(n <= 256 ? kind : PickleValue::Other);
    if (n <= 256)
      stack.back().str.assign(reinterpret_cast<const char *>(p), n);
    p += n;
    return true;
  };
  auto memoIndex = [&](uint8_t op, uint64_t &index) -> bool {
    if (op == 'p' || op == 'g') {
      std::string text;
      if (!line(&text))
        return false;
      return !llvm::StringRef(text).getAsInteger(10, index);
    }
    unsigned bytes = (op == 'q' || op == 'h') ? 1 : 4;
    if (!need(bytes))
      return false;
    index = readLE(p, bytes);
    p += bytes;
    return true;
  };

  std::vector<PickleValue> args;
  while (p < end) {
    uint8_t op = *p++;
    bool ok = true;
    switch (op) {
    case '.': // STOP
      return std::nullopt;
    case 0x80: // PROTO
      ok = need(1), p += 1;
      break;
    case 0x95: // FRAME
      ok = need(8), p += 8;
      break;
    case '(': // MARK
      marks.push_back(stack.size());
      if (marks.size() > maxDepth)
        return problem("containers nest more than " +
                       std::to_string(maxDepth) + " deep");
      break;
    case 'J': // BININT
      ok = need(4);
      if (ok)
        integer(int32_t(readLE(p, 4))), p += 4;
      break;
    case 'K': // BININT1
      ok = need(1);
      if (ok)
        integer(*p), p += 1;
      break;
    case 'M': // BININT2
      ok = need(2);
      if (ok)
        integer(readLE(p, 2)), p += 2;
      break;
    case 0x8a: { // LONG1: a little-endian two's complement of n bytes
      ok = need(1) && need(1 + p[0]);
      if (!ok)
        break;
      unsigned n = *p++;
      uint64_t v = n ? readLE(p, std::min(n, 8u)) : 0;
      if (n && n < 8 && (p[n - 1] & 0x80))
        v |= ~uint64_t(0) << (8 * n);
      integer(int64_t(v));
      if (n > 8)
        stack.back().kind = PickleValue::Other;
      p += n;
      break;
    }
    case 'G': ok = need(8), p += 8, leaf(); break;  // BINFLOAT
    case 0x82: ok = need(1), p += 1, leaf(); break; // EXT1
    case 0x83: ok = need(2), p += 2, leaf(); break; // EXT2
    case 0x84: ok = need(4), p += 4, leaf(); break; // EXT4
    case 'U': case 0x8c: // SHORT_BINSTRING, SHORT_BINUNICODE
      ok = counted(1, PickleValue::Str);
      break;
    case 'C': // SHORT_BINBYTES
      ok = counted(1, PickleValue::Other);
      break;
    case 'T': case 'X': // BINSTRING, BINUNICODE
      ok = counted(4, PickleValue::Str);
      break;
    case 0x8b: case 'B': // LONG4, BINBYTES
      ok = counted(4, PickleValue::Other);
      break;
    case 0x8d: // BINUNICODE8
      ok = counted(8, PickleValue::Str);
      break;
    case 0x8e: case 0x96: // BINBYTES8, BYTEARRAY8
      ok = counted(8, PickleValue::Other);
      break;
    case 'I': case 'L': case 'S': case 'V': case 'F': case 'P':
      ok = line(nullptr), leaf(); // protocol 0 values, PERSID
      break;
    case 'c': { // GLOBAL module\nname\n
      std::string name;
      ok = line(nullptr) && line(&name);
      leaf(PickleValue::Global);
      stack.back().str = name;
      break;
    }
    case 'N': case 0x88: case 0x89: case ')': case ']': case '}': case 0x8f:
    case 0x97: // NONE, NEWTRUE, NEWFALSE, empty containers, NEXT_BUFFER
      leaf();
      break;
    case 0x98: // READONLY_BUFFER
      ok = !stack.empty();
      break;
    case '0': // POP
      ok = pop(1, args);
      break;
    case '1': // POP_MARK
      ok = popMark(args);
      break;
    case '2': // DUP
      ok = !stack.empty();
      if (ok)
        stack.push_back(stack.back());
      break;
    case 'p': case 'q': case 'r': case 0x94: { // PUT, BINPUT, LONG_BINPUT,
      uint64_t index = nextMemo;                // MEMOIZE
      ok = (op == 0x94 || memoIndex(op, index)) && !stack.empty();
      // libtorch reserves room for twice the index: a pickler numbers its
      // memo from 0, one per PUT, so an index past the pickle's length is
      // no pickler's and would cost up to 128 GB.
      if (ok && index >= data.size())
        return problem("memo index " + std::to_string(index) +
                       " is larger than the pickle");
      if (ok)
        memo[index] = stack.back();
      if (op == 0x94)
        ++nextMemo;
      break;
    }
    case 'g': case 'h': case 'j': { // GET, BINGET, LONG_BINGET
      uint64_t index;
      ok = memoIndex(op, index);
      if (ok)
        stack.push_back(memo.lookup(index));
      break;
    }
    case 't': case 'l': case 'd': case 0x91: case 'o': // TUPLE, LIST, DICT,
      ok = popMark(args);                              // FROZENSET, OBJ
      if (ok)
        container(std::move(args), op == 't');
      break;
    case 'i': // INST module\nname\n
      ok = line(nullptr) && line(nullptr) && popMark(args);
      if (ok)
        container(std::move(args), false);
      break;
    case 0x85: case 0x86: case 0x87: // TUPLE1..3
      ok = pop(op - 0x84, args);
      if (ok)
        container(std::move(args), true);
      break;
    case 0x93: { // STACK_GLOBAL module name
      ok = pop(2, args);
      if (ok) {
        leaf(PickleValue::Global);
        stack.back().str = args[1].str;
      }
      break;
    }
    case 'R': case 0x81: // REDUCE, NEWOBJ
      ok = pop(2, args);
      if (ok)
        container(std::move(args), false);
      break;
    case 0x92: // NEWOBJ_EX
      ok = pop(3, args);
      if (ok)
        container(std::move(args), false);
      break;
    case 'Q': { // BINPERSID: torch's ('storage', cls, key, location, numel)
      ok = pop(1, args);
      if (!ok)
        break;
      const PickleValue &id = args[0];
      if (id.kind == PickleValue::Tuple && id.items.size() == 5 &&
          id.items[0].str == "storage" &&
          id.items[1].kind == PickleValue::Global &&
          id.items[2].kind == PickleValue::Str &&
          id.items[4].kind == PickleValue::Int) {
        uint64_t size = storageElementSize(id.items[1].str), bytes;
        int64_t numel = id.items[4].num;
        if (numel < 0 || __builtin_mul_overflow(uint64_t(numel), size, &bytes))
          return problem("storage '" + id.items[2].str + "' claims " +
                         std::to_string(numel) + " elements");
        storages.push_back({id.items[2].str, bytes});
      }
      container(std::move(args), false);
      break;
    }
    case 'a': case 'b': // APPEND, BUILD
      ok = pop(1, args) && extend(args);
      break;
    case 's': // SETITEM
      ok = pop(2, args) && extend(args);
      break;
    case 'e': case 'u': case 0x90: // APPENDS, SETITEMS, ADDITEMS
      ok = popMark(args) && extend(args);
      break;
    default:
      return std::nullopt; // not ours to judge
    }
    if (!ok)
      return problem("malformed pickle (opcode 0x" +
                     llvm::utohexstr(op, /*LowerCase=*/true) + ")");
    if (stack.size() > kMaxStack)
      return problem("the pickle holds more than " +
                     std::to_string(kMaxStack) + " values at once");
    if (!stack.empty() && stack.back().depth > maxDepth)
      return problem("containers nest more than " + std::to_string(maxDepth) +
                     " deep");
  }
  return problem("the pickle ends without STOP");
}

//===----------------------------------------------------------------------===//
// TorchScript source
//===----------------------------------------------------------------------===//

/// Tracks class bodies to find the one class statement libtorch 1.13
/// crashes on: `NAME = value` without a type annotation (other than its own
/// __parameters__, __buffers__ and hook lists) is taken as a constant, and
/// ScriptTypeParser::parseClassConstant dereferences the missing annotation.
struct ClassBodies {
  int classIndent = -1, bodyIndent = -1;

  std::optional<Problem> statement(llvm::StringRef rest, int indent,
                                   unsigned line) {
    if (classIndent >= 0 && indent <= classIndent)
      classIndent = -1;
    if (rest.starts_with("class ")) {
      classIndent = indent;
      bodyIndent = -1;
      return std::nullopt;
    }
    if (classIndent < 0)
      return std::nullopt;
    if (bodyIndent < 0)
      bodyIndent = indent;
    if (indent != bodyIndent)
      return std::nullopt;
    size_t n = 0;
    while (n < rest.size() && (llvm::isAlnum(rest[n]) || rest[n] == '_'))
      ++n;
    StringRef name = rest.take_front(n), after = rest.drop_front(n).ltrim(" ");
    if (name.empty() || llvm::isDigit(name[0]) || !after.starts_with("=") ||
        after.starts_with("=="))
      return std::nullopt;
    if (name == "__parameters__" || name == "__buffers__" ||
        name == "__forward_pre_hooks__" || name == "__forward_hooks__")
      return std::nullopt;
    return Problem{"line " + std::to_string(line) + " assigns class attribute '" +
                   name.str() + "' without a type annotation (libtorch "
                   "cannot read such a constant)"};
  }
};

/// Bracket nesting (outside string literals), indentation and the number of
/// `def`s, which bound the recursion of libtorch's parser and inliner; and
/// class statements libtorch cannot read (ClassBodies).
std::optional<Problem> scanSource(llvm::StringRef text,
                                  const ArchiveLimits &limits,
                                  unsigned &functions) {
  unsigned depth = 0, line = 1;
  bool lineStart = true;
  unsigned column = 0;
  ClassBodies classes;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\n') {
      ++line;
      lineStart = true;
      column = 0;
      continue;
    }
    if (lineStart && (c == ' ' || c == '\t')) {
      if (++column > 4 * limits.maxCodeNesting)
        return Problem{"line " + std::to_string(line) +
                       " is indented more than " +
                       std::to_string(4 * limits.maxCodeNesting) + " columns"};
      continue;
    }
    if (lineStart && text.substr(i).starts_with("def ")) {
      if (++functions > limits.maxFunctions)
        return Problem{"the code defines more than " +
                       std::to_string(limits.maxFunctions) + " functions"};
    }
    if (lineStart && depth == 0 && c != '#') {
      StringRef rest = text.substr(i, text.find('\n', i) - i);
      if (auto bad = classes.statement(rest, static_cast<int>(column), line))
        return bad;
    }
    lineStart = false;
    if (c == '\'' || c == '"') {
      // A string literal: skip to its closing quote (escapes included).
      bool triple = text.substr(i, 3) == std::string(3, c);
      size_t j = i + (triple ? 3 : 1);
      while (j < text.size()) {
        if (text[j] == '\\') {
          j += 2;
          continue;
        }
        if (triple ? text.substr(j, 3) == std::string(3, c) : text[j] == c)
          break;
        if (text[j] == '\n')
          ++line;
        ++j;
      }
      i = std::min(text.size(), j + (triple ? 2 : 0));
      continue;
    }
    if (c == '(' || c == '[' || c == '{') {
      if (++depth > limits.maxCodeNesting)
        return Problem{"line " + std::to_string(line) +
                       " nests brackets more than " +
                       std::to_string(limits.maxCodeNesting) + " deep"};
    } else if ((c == ')' || c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// The zip
//===----------------------------------------------------------------------===//

struct Entry {
  std::string name;
  uint64_t method, compressedSize, size, headerOffset;
};

/// The central directory's entries, each checked to lie inside `file`.
std::optional<Problem> readDirectory(llvm::StringRef file,
                                     const ArchiveLimits &limits,
                                     std::vector<Entry> &entries,
                                     bool &isZip) {
  const auto *base = reinterpret_cast<const uint8_t *>(file.data());
  uint64_t size = file.size();
  // The end-of-central-directory record: 22 bytes and a comment (< 64 KiB).
  isZip = false;
  if (size < 22)
    return std::nullopt;
  uint64_t eocd = size - 22, lowest = size > 65557 ? size - 65557 : 0;
  while (readLE(base + eocd, 4) != 0x06054b50) {
    if (eocd == lowest)
      return std::nullopt; // not a zip: libtorch will say so
    --eocd;
  }
  isZip = true;
  uint64_t count = readLE(base + eocd + 10, 2);
  uint64_t dirSize = readLE(base + eocd + 12, 4);
  uint64_t dirOffset = readLE(base + eocd + 16, 4);
  // ZIP64: the locator just before the record points at a larger one.
  if (eocd >= 20 && readLE(base + eocd - 20, 4) == 0x07064b50) {
    uint64_t record = readLE(base + eocd - 12, 8);
    if (record > size || size - record < 56 ||
        readLE(base + record, 4) != 0x06064b50)
      return Problem{"its ZIP64 end record is out of place"};
    count = readLE(base + record + 32, 8);
    dirSize = readLE(base + record + 40, 8);
    dirOffset = readLE(base + record + 48, 8);
  }
  if (count > limits.maxEntries)
    return Problem{"it has " + std::to_string(count) + " entries (limit " +
                   std::to_string(limits.maxEntries) + ")"};
  if (dirOffset > size || dirSize > size - dirOffset)
    return Problem{"its central directory lies outside the file"};
  const uint8_t *p = base + dirOffset, *end = p + dirSize;
  uint64_t inflatedTotal = 0;
  for (uint64_t i = 0; i < count; ++i) {
    if (end - p < 46 || readLE(p, 4) != 0x02014b50)
      return Problem{"its central directory is truncated at entry " +
                     std::to_string(i)};
    Entry e;
    e.method = readLE(p + 10, 2);
    e.compressedSize = readLE(p + 20, 4);
    e.size = readLE(p + 24, 4);
    uint64_t nameLen = readLE(p + 28, 2), extraLen = readLE(p + 30, 2),
             commentLen = readLE(p + 32, 2);
    e.headerOffset = readLE(p + 42, 4);
    if (uint64_t(end - p) < 46 + nameLen + extraLen + commentLen)
      return Problem{"its central directory is truncated at entry " +
                     std::to_string(i)};
    e.name.assign(reinterpret_cast<const char *>(p + 46), nameLen);
    // ZIP64 sizes and offset, for the fields that say 0xFFFFFFFF.
    const uint8_t *x = p + 46 + nameLen, *xend = x + extraLen;
    while (xend - x >= 4) {
      uint64_t id = readLE(x, 2), len = readLE(x + 2, 2);
      const uint8_t *field = x + 4;
      if (uint64_t(xend - field) < len)
        break;
      if (id == 1) {
        const uint8_t *f = field, *fend = field + len;
        for (uint64_t *v : {&e.size, &e.compressedSize, &e.headerOffset})
          if (*v == 0xFFFFFFFF && fend - f >= 8) {
            *v = readLE(f, 8);
            f += 8;
          }
      }
      x = field + len;
    }
    p += 46 + nameLen + extraLen + commentLen;
    // The local header and the data must lie inside the file.
    if (e.headerOffset > size || size - e.headerOffset < 30 ||
        readLE(base + e.headerOffset, 4) != 0x04034b50)
      return Problem{"entry '" + e.name + "' has no local header"};
    uint64_t dataStart = e.headerOffset + 30 +
                         readLE(base + e.headerOffset + 26, 2) +
                         readLE(base + e.headerOffset + 28, 2);
    if (dataStart > size || e.compressedSize > size - dataStart)
      return Problem{"entry '" + e.name + "' extends past the end of the file"};
    if (e.method == 0 && e.size != e.compressedSize)
      return Problem{"stored entry '" + e.name + "' claims " +
                     std::to_string(e.size) + " bytes but holds " +
                     std::to_string(e.compressedSize)};
    // libtorch allocates a deflated entry at the size it claims before it
    // inflates anything: bound the claim by what deflate can produce from
    // the bytes there are (at most 1032 bytes per byte) and by the limits.
    if (e.method != 0) {
      if (e.method != 8)
        return Problem{"entry '" + e.name + "' uses compression method " +
                       std::to_string(e.method)};
      if (e.size / 1032 > e.compressedSize)
        return Problem{"entry '" + e.name + "' claims to inflate to " +
                       std::to_string(e.size) + " bytes from " +
                       std::to_string(e.compressedSize) +
                       ", more than deflate can produce"};
      if (e.size > limits.maxInflatedEntry)
        return Problem{"entry '" + e.name + "' inflates to " +
                       std::to_string(e.size) + " bytes (limit " +
                       std::to_string(limits.maxInflatedEntry) + ")"};
      inflatedTotal += e.size; // no overflow: each is under the limit
      if (inflatedTotal > limits.maxInflatedTotal)
        return Problem{"its compressed entries inflate to more than " +
                       std::to_string(limits.maxInflatedTotal) + " bytes"};
    }
    e.headerOffset = dataStart; // from here on: where the data starts
    entries.push_back(std::move(e));
  }
  return std::nullopt;
}

/// The entry's bytes: the file's for a stored one, inflated (to its declared
/// size, which readDirectory bounded) for a deflated one.
std::optional<Problem> entryData(llvm::StringRef file, const Entry &e,
                                 std::string &inflated, llvm::StringRef &out) {
  llvm::StringRef raw = file.substr(e.headerOffset, e.compressedSize);
  if (e.method == 0) {
    out = raw;
    return std::nullopt;
  }
  inflated.assign(e.size, '\0');
  z_stream z{};
  if (inflateInit2(&z, -MAX_WBITS) != Z_OK)
    return Problem{"zlib could not start"};
  z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(raw.data()));
  z.avail_in = static_cast<uInt>(std::min<uint64_t>(raw.size(), UINT32_MAX));
  z.next_out = reinterpret_cast<Bytef *>(inflated.data());
  z.avail_out = static_cast<uInt>(std::min<uint64_t>(e.size, UINT32_MAX));
  int rc = inflate(&z, Z_FINISH);
  uint64_t produced = z.total_out;
  inflateEnd(&z);
  if (rc != Z_STREAM_END || produced != e.size)
    return Problem{"entry '" + e.name + "' does not inflate to its declared " +
                   std::to_string(e.size) + " bytes"};
  out = inflated;
  return std::nullopt;
}

} // namespace

LogicalResult mlir::kiln::detail::scanArchive(StringRef path, Location loc,
                                              const ArchiveLimits &limits) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return success(); // the loader reports unreadable files
  llvm::StringRef file = (*buffer)->getBuffer();
  auto refuse = [&](const std::string &what) {
    return emitError(loc) << "refusing to load '" << path
                          << "': " << what;
  };
  std::vector<Entry> entries;
  bool isZip = false;
  if (auto bad = readDirectory(file, limits, entries, isZip))
    return refuse(bad->what);
  unsigned functions = 0;
  // Storages the pickles name, by the record that holds them.
  std::vector<std::pair<std::string, StorageRef>> storages;
  for (const Entry &e : entries) {
    StringRef name = e.name;
    bool pickle = name.ends_with(".pkl") || name.ends_with(".debug_pkl");
    bool source = name.contains("/code/") && name.ends_with(".py");
    if (!pickle && !source)
      continue;
    std::string inflated;
    StringRef data;
    if (auto bad = entryData(file, e, inflated, data))
      return refuse(bad->what);
    std::vector<StorageRef> named;
    std::optional<Problem> bad =
        pickle ? scanPickle(data, limits.maxPickleDepth, named)
               : scanSource(data, limits, functions);
    if (bad)
      return refuse("'" + e.name + "': " + bad->what);
    if (name.ends_with(".debug_pkl"))
      if (std::optional<std::string> why = checkDebugInfo(data))
        return refuse("'" + e.name + "': its debug info is malformed: " +
                      *why);
    // data.pkl's storages are records data/KEY beside it, constants.pkl's
    // constants/KEY.
    StringRef dir = name.rsplit('/').first;
    StringRef folder = name.ends_with("/constants.pkl") ? "/constants/"
                                                        : "/data/";
    for (StorageRef &ref : named)
      storages.push_back({(dir + folder + ref.key).str(), std::move(ref)});
  }
  // libtorch allocates each storage at the size the pickle claims and copies
  // in what the record holds: a short record would leave garbage weights.
  llvm::StringMap<const Entry *> byName;
  for (const Entry &e : entries)
    byName[e.name] = &e;
  for (const auto &[record, ref] : storages) {
    const Entry *entry = byName.lookup(record);
    if (!entry)
      return refuse("storage '" + ref.key + "' has no record '" + record +
                    "'");
    if (entry->size < ref.bytes)
      return refuse("record '" + record + "' holds " +
                    std::to_string(entry->size) + " bytes, but its storage "
                    "claims " + std::to_string(ref.bytes));
  }
  return success();
}
