"""Writes edited copies of a traced archive, each the way an attacker would
edit it, for the tools' bounded-reading tests (test/tools/hostile-archives.test).

Usage: python3 hostile_archives.py ARCHIVE OUT_DIR

ARCHIVE is a traced MyCell (kiln_testing.py trace mycell); each OUT_DIR/NAME.pt
differs from it in one way:
  short_storage  the weight's record holds half the bytes its storage claims
  empty_storage  the weight's record is empty
  bad_sizes      the weight's sizes and strides in data.pkl span twice its storage
  deep_list      data.pkl: 10^6 lists nested in one another
  deep_tuple     data.pkl: 10^6 tuples nested in one another
  deep_parens    forward's source: 10^5 nested parentheses
  many_calls     forward calls a chain of 20,001 methods
  calls_19k      forward calls a chain of 19,000 methods (within the limits:
                 compiles, on the importer's large stack)
  truncated_dir  the zip's central directory cut short
  huge_memo      data.pkl memoizes its first value at index 0x65726564
                 (libtorch reserved 27 GB for it; found by the archive fuzzer)
  inflate_claim  a deflated source entry's directory record claims it
                 inflates to 2 GiB
  debug_index    forward's debug info names string 103 of a table of 11
                 (libtorch read past its table: SEGV; found by the fuzzer)
"""
import os
import struct
import sys
import zipfile


def main(archive, out_dir):
    src = zipfile.ZipFile(archive)
    names = src.namelist()
    root = names[0].split("/")[0]

    def rewrite(name, change):
        with zipfile.ZipFile(os.path.join(out_dir, name + ".pt"), "w") as z:
            for info in src.infolist():
                data = change(info.filename, src.read(info.filename))
                entry = zipfile.ZipInfo(info.filename)
                entry.compress_type = info.compress_type
                z.writestr(entry, data)

    def only(suffix, new):
        return lambda n, d: new(d) if n.endswith(suffix) else d

    weight = root + "/data/0"
    rewrite("short_storage", only(weight, lambda d: d[:len(d) // 2]))
    rewrite("empty_storage", only(weight, lambda d: b""))
    pickle = src.read(root + "/data.pkl")
    # linear.weight: sizes (4, 4), strides (4, 1) -> sizes (4, 8), strides (8, 1)
    sizes = b"K\x04K\x04t(K\x04K\x01t"
    assert sizes in pickle
    rewrite("bad_sizes", only("/data.pkl", lambda d: d.replace(
        sizes, b"K\x04K\x08t(K\x08K\x01t")))
    n = 10 ** 6
    first_put = b"MyCell\nq\x00"
    assert first_put in pickle
    rewrite("huge_memo", only("/data.pkl", lambda d: d.replace(
        first_put, b"MyCell\nr" + struct.pack("<I", 0x65726564), 1)))
    rewrite("deep_list", only("/data.pkl",
                              lambda d: b"\x80\x02" + b"](" * n + b"e" * n + b"."))
    rewrite("deep_tuple", only("/data.pkl",
                               lambda d: b"\x80\x02)" + b"\x85" * n + b"."))
    # The source file of the traced class, and the class's qualified name.
    source = next(n for n in names if n.endswith(".py") and
                  "linear = self.linear" in src.read(n).decode())
    code = src.read(source).decode()
    cls = code.split("def forward(self: ")[1].split(",")[0]
    call = "torch.add((linear).forward(x, ), h)"
    assert call in code
    rewrite("deep_parens", only(source, lambda d: code.replace(
        call, "(" * 10 ** 5 + call + ")" * 10 ** 5).encode()))

    # A class attribute assigned without a type annotation: libtorch 1.13
    # takes it for a constant and dereferences the missing annotation (found
    # by the archive fuzzer).
    assert "  __buffers__ = []\n" in code
    rewrite("unannotated_constant", only(source, lambda d: code.replace(
        "  __buffers__ = []\n", "  __duffers__ = []\n").encode()))

    debug = src.read(source + ".debug_pkl")
    pieces = b"h\x0c(](K\x01K\x02"
    assert pieces in debug
    rewrite("debug_index", only(".debug_pkl", lambda d: d.replace(
        pieces, b"h\x0c(](KgK\x02", 1) if d == debug else d))

    def chain(count):
        methods = "".join(
            "  def f%d(self: %s, x: Tensor) -> Tensor:\n"
            "    return self.f%d(x)\n" % (i, cls, i + 1) for i in range(count))
        methods += ("  def f%d(self: %s, x: Tensor) -> Tensor:\n"
                    "    return x\n" % (count, cls))
        return (code.replace("    linear = self.linear\n",
                             "    linear = self.linear\n    x = self.f0(x)\n")
                + methods).encode()
    rewrite("many_calls", only(source, lambda d: chain(20001)))
    rewrite("calls_19k", only(source, lambda d: chain(19000)))
    with open(archive, "rb") as f:
        data = f.read()
    # Drop the last 40 bytes of the central directory; the end record still
    # claims them.
    end = data.rindex(b"PK\x05\x06")
    size, offset = struct.unpack("<II", data[end + 12:end + 20])
    cut = offset + size
    with open(os.path.join(out_dir, "truncated_dir.pt"), "wb") as f:
        f.write(data[:cut - 40] + data[cut:])
    # The first deflated entry's uncompressed size, in its central
    # directory record (the one libtorch's reader allocates by).
    record = offset
    while struct.unpack("<H", data[record + 10:record + 12])[0] != 8:
        lengths = struct.unpack("<HHH", data[record + 28:record + 34])
        record += 46 + sum(lengths)
    claim = data[:record + 24] + struct.pack("<I", 2 ** 31) + data[record + 28:]
    with open(os.path.join(out_dir, "inflate_claim.pt"), "wb") as f:
        f.write(claim)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
