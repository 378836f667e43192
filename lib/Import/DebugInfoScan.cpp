//===- DebugInfoScan.cpp - Checking a .debug_pkl before libtorch reads it -===//
//
// A TorchScript archive's `code/*.py.debug_pkl` maps byte offsets of the
// serialized source to the Python source ranges that generated them; Kiln's
// locations (file:line of the traced model) come from it. libtorch 1.13
// reads it without bounds checks: a string-table index past the table or a
// record tuple shorter than it expects reads outside a vector (found by the archive fuzzer: a SEGV in
// Source::findSourceRangeThatGenerated). This file unpickles the records
// with a small reader of its own, into shared values, and checks the
// structure libtorch relies on:
//
//   ("FORMAT_WITH_STRING_TABLE", (text...),
//    ((offset, ((piece index...), filename index, line), start, end)
//     [, debug handle])...)
//
// or the older form without a string table, a tuple of
// (offset, ((text, filename or None, line), start, end) [, handle]).
// libtorch takes every index on trust; offsets past a text it clamps.
//
//===----------------------------------------------------------------------===//
#include "ArchiveGuard.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringExtras.h"

#include <memory>
#include <string>
#include <vector>

using namespace mlir;
using namespace mlir::kiln::detail;

namespace {

struct DValue;
using DRef = std::shared_ptr<const DValue>;

struct DValue {
  enum Kind { Int, Str, None, Bool, List, Tuple, Global, Mark } kind;
  int64_t num = 0;
  std::string str;
  std::vector<DRef> items;
};

uint64_t readLE(const uint8_t *p, unsigned bytes) {
  uint64_t v = 0;
  for (unsigned i = 0; i < bytes; ++i)
    v |= uint64_t(p[i]) << (8 * i);
  return v;
}

/// The pickle's value, built from the opcodes torch's pickler writes for
/// debug records, or an error.
std::optional<std::string> unpickle(llvm::StringRef data, DRef &out) {
  const auto *begin = reinterpret_cast<const uint8_t *>(data.data());
  const uint8_t *p = begin, *end = begin + data.size();
  std::vector<DRef> stack;
  std::vector<size_t> marks;
  llvm::DenseMap<uint64_t, DRef> memo;
  auto make = [](DValue::Kind kind) {
    auto v = std::make_shared<DValue>();
    v->kind = kind;
    return v;
  };
  auto need = [&](uint64_t n) { return uint64_t(end - p) >= n; };
  auto popMark = [&](std::vector<DRef> &items) {
    if (marks.empty())
      return false;
    items.assign(stack.begin() + marks.back(), stack.end());
    stack.resize(marks.back());
    marks.pop_back();
    return true;
  };
  auto line = [&](std::string &text) {
    const uint8_t *start = p;
    while (p < end && *p != '\n')
      ++p;
    if (p == end)
      return false;
    text.assign(reinterpret_cast<const char *>(start), p - start);
    ++p;
    return true;
  };
  while (p < end) {
    uint8_t op = *p++;
    bool ok = true;
    switch (op) {
    case '.': // STOP
      if (stack.size() != 1 || !marks.empty())
        return std::string("the pickle does not end with one value");
      out = stack.back();
      return std::nullopt;
    case 0x80: // PROTO
      ok = need(1), p += 1;
      break;
    case 0x95: // FRAME
      ok = need(8), p += 8;
      break;
    case '(': // MARK
      marks.push_back(stack.size());
      break;
    case 'K': case 'M': case 'J': { // BININT1, BININT2, BININT
      unsigned n = op == 'K' ? 1 : op == 'M' ? 2 : 4;
      ok = need(n);
      if (!ok)
        break;
      auto v = make(DValue::Int);
      v->num = n == 4 ? int64_t(int32_t(readLE(p, 4))) : int64_t(readLE(p, n));
      p += n;
      stack.push_back(v);
      break;
    }
    case 0x8a: { // LONG1
      ok = need(1) && need(1 + p[0]) && p[0] <= 8;
      if (!ok)
        break;
      unsigned n = *p++;
      uint64_t raw = n ? readLE(p, n) : 0;
      if (n && n < 8 && (p[n - 1] & 0x80))
        raw |= ~uint64_t(0) << (8 * n);
      auto v = make(DValue::Int);
      v->num = int64_t(raw);
      p += n;
      stack.push_back(v);
      break;
    }
    case 'X': case 0x8c: { // BINUNICODE, SHORT_BINUNICODE
      unsigned n = op == 'X' ? 4 : 1;
      ok = need(n) && need(n + readLE(p, n));
      if (!ok)
        break;
      uint64_t len = readLE(p, n);
      p += n;
      auto v = make(DValue::Str);
      v->str.assign(reinterpret_cast<const char *>(p), len);
      p += len;
      stack.push_back(v);
      break;
    }
    case 'N': stack.push_back(make(DValue::None)); break;
    case 0x88: case 0x89: { // NEWTRUE, NEWFALSE
      auto v = make(DValue::Bool);
      v->num = op == 0x88;
      stack.push_back(v);
      break;
    }
    case ']': stack.push_back(make(DValue::List)); break;  // EMPTY_LIST
    case ')': stack.push_back(make(DValue::Tuple)); break; // EMPTY_TUPLE
    case 'c': { // GLOBAL module\nname\n
      std::string module, name;
      ok = line(module) && line(name);
      auto v = make(DValue::Global);
      v->str = module + "." + name;
      stack.push_back(v);
      break;
    }
    case 'q': case 'r': case 0x94: { // BINPUT, LONG_BINPUT, MEMOIZE
      uint64_t index = memo.size();
      if (op != 0x94) {
        unsigned n = op == 'q' ? 1 : 4;
        ok = need(n);
        if (!ok)
          break;
        index = readLE(p, n);
        p += n;
      }
      ok = !stack.empty();
      if (ok)
        memo[index] = stack.back();
      break;
    }
    case 'h': case 'j': { // BINGET, LONG_BINGET
      unsigned n = op == 'h' ? 1 : 4;
      ok = need(n);
      if (!ok)
        break;
      auto it = memo.find(readLE(p, n));
      p += n;
      ok = it != memo.end();
      if (ok)
        stack.push_back(it->second);
      break;
    }
    case 't': { // TUPLE
      auto v = make(DValue::Tuple);
      ok = popMark(v->items);
      stack.push_back(v);
      break;
    }
    case 0x85: case 0x86: case 0x87: { // TUPLE1..3
      size_t n = op - 0x84;
      size_t floor = marks.empty() ? 0 : marks.back();
      ok = stack.size() >= floor + n;
      if (!ok)
        break;
      auto v = make(DValue::Tuple);
      v->items.assign(stack.end() - n, stack.end());
      stack.resize(stack.size() - n);
      stack.push_back(v);
      break;
    }
    case 'a': case 'e': { // APPEND, APPENDS: onto the list below
      std::vector<DRef> items;
      if (op == 'e') {
        ok = popMark(items);
      } else {
        ok = !stack.empty();
        if (ok) {
          items.push_back(stack.back());
          stack.pop_back();
        }
      }
      ok = ok && !stack.empty() && stack.back()->kind == DValue::List &&
           (marks.empty() || stack.size() > marks.back());
      if (!ok)
        break;
      // Lists are built before anything shares them: copy on append.
      auto list = std::make_shared<DValue>(*stack.back());
      llvm::append_range(list->items, items);
      stack.back() = list;
      break;
    }
    case 'R': { // REDUCE: only torch's build_intlist((list,))
      ok = stack.size() >= 2 && stack[stack.size() - 2]->kind == DValue::Global;
      if (!ok)
        break;
      DRef args = stack.back(), fn = stack[stack.size() - 2];
      stack.resize(stack.size() - 2);
      if (fn->str != "torch.jit._pickle.build_intlist" ||
          args->kind != DValue::Tuple || args->items.size() != 1 ||
          args->items[0]->kind != DValue::List)
        return "it calls '" + fn->str + "', which debug info does not";
      stack.push_back(args->items[0]);
      break;
    }
    default:
      return "opcode 0x" + llvm::utohexstr(op, /*LowerCase=*/true) +
             " is not one torch writes in debug info";
    }
    if (!ok)
      return "malformed pickle (opcode 0x" +
             llvm::utohexstr(op, /*LowerCase=*/true) + ")";
  }
  return std::string("the pickle ends without STOP");
}

bool isTuple(const DRef &v, size_t size) {
  return v->kind == DValue::Tuple && v->items.size() == size;
}

/// Checks one source range ((source...), start, end) against the text
/// table (empty for the old format). The offsets are not checked: libtorch
/// clamps them (and real archives hold ranges past an empty text).
std::optional<std::string> checkRange(const DRef &range,
                                      const std::vector<DRef> &table) {
  if (!isTuple(range, 3) || range->items[1]->kind != DValue::Int ||
      range->items[2]->kind != DValue::Int)
    return std::string("a source range is not (source, start, end)");
  const DRef &source = range->items[0];
  if (!isTuple(source, 3) || source->items[2]->kind != DValue::Int)
    return std::string("a source is not a triple ending in its line");
  if (!table.empty()) {
    const DRef &pieces = source->items[0], &file = source->items[1];
    auto inTable = [&](const DRef &v) {
      return v->kind == DValue::Int && v->num >= 0 &&
             uint64_t(v->num) < table.size();
    };
    if (pieces->kind != DValue::List || !inTable(file))
      return std::string("a source's text or file index is not in its table "
                         "of ") + std::to_string(table.size()) + " strings";
    for (const DRef &piece : pieces->items) {
      if (!inTable(piece))
        return "a source refers to string " +
               (piece->kind == DValue::Int ? std::to_string(piece->num)
                                           : std::string("(not an int)")) +
               " of a table of " + std::to_string(table.size());
    }
  } else {
    const DRef &text = source->items[0], &file = source->items[1];
    if (text->kind != DValue::Str ||
        (file->kind != DValue::Str && file->kind != DValue::None))
      return std::string("a source is not (text, filename, line)");
  }
  return std::nullopt;
}

} // namespace

std::optional<std::string>
mlir::kiln::detail::checkDebugInfo(llvm::StringRef data) {
  DRef top;
  if (auto bad = unpickle(data, top))
    return bad;
  if (top->kind != DValue::Tuple || top->items.empty())
    return std::string("it is not a tuple of records");
  std::vector<DRef> table;
  DRef records = top;
  if (top->items[0]->kind == DValue::Str &&
      top->items[0]->str == "FORMAT_WITH_STRING_TABLE") {
    if (!isTuple(top, 3) || top->items[1]->kind != DValue::Tuple ||
        top->items[2]->kind != DValue::Tuple)
      return std::string("its string-table form is not (format, table, "
                         "records)");
    table = top->items[1]->items;
    for (const DRef &s : table)
      if (s->kind != DValue::Str)
        return std::string("its string table holds a value that is not a "
                           "string");
    if (table.empty())
      return std::string("its string table is empty");
    records = top->items[2];
  }
  for (const DRef &record : records->items) {
    if (record->kind != DValue::Tuple || record->items.size() < 2 ||
        record->items.size() > 3 || record->items[0]->kind != DValue::Int)
      return std::string("a record is not (offset, range[, handle])");
    if (auto bad = checkRange(record->items[1], table))
      return bad;
  }
  return std::nullopt;
}
