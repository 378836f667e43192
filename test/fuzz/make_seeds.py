"""Writes the seed corpora of the fuzz targets (scripts/fuzz.sh).

    make_seeds.py KILN_SOURCE_DIR OUT_DIR

OUT_DIR/<target>/ gets a few valid inputs for each target: .npy files of
every dtype and header version kiln-run reads, --input-shape texts, the kiln
IR of the dialect and pass tests split at '// -----', and small TorchScript
archives (traced and scripted) with the op families the importer knows.
libFuzzer mutates from there.
"""
import glob
import os
import sys

import numpy as np
import torch


def npy_seeds(out):
    arrays = {
        "f32": np.arange(12, dtype=np.float32).reshape(3, 4),
        "f64_scalar": np.float64(2.5),
        "f16": np.ones((2, 2), np.float16),
        "i64": np.arange(5, dtype=np.int64),
        "i32": np.arange(6, dtype=np.int32).reshape(1, 2, 3),
        "i8": np.arange(4, dtype=np.int8),
        "u8": np.arange(4, dtype=np.uint8),
        "bool": np.array([True, False]),
        "empty": np.zeros((0, 3), np.float32),
    }
    for name, a in arrays.items():
        np.save(os.path.join(out, name + ".npy"), a)
    with open(os.path.join(out, "v2.npy"), "wb") as f:
        np.lib.format.write_array(f, np.ones((2, 3), np.float32), version=(2, 0))


def shape_seeds(out):
    for i, text in enumerate(["x=3x4xf32", "3x4xi64", "bool", "h=1xbf16",
                              "2x0x3xi8", "x=xf32", "1x2x3x4x5x6x7x8xf16"]):
        with open(os.path.join(out, "%d.txt" % i), "w") as f:
            f.write(text)


def ir_seeds(src, out):
    n = 0
    for pattern in ("test/Dialect/Kiln/*.mlir", "test/Transforms/*.mlir",
                    "test/Conversion/KilnToLinalg/*.mlir"):
        for path in sorted(glob.glob(os.path.join(src, pattern))):
            for part in open(path).read().split("// -----"):
                lines = [l for l in part.splitlines()
                         if not l.lstrip().startswith("//")]
                text = "\n".join(lines).strip()
                if text:
                    with open(os.path.join(out, "%03d.mlir" % n), "w") as f:
                        f.write(text + "\n")
                    n += 1


class Cell(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(3, 3)

    def forward(self, x, h):
        return torch.tanh(self.linear(x) + h)


class Scripted(torch.nn.Module):
    def forward(self, x):
        return x.view(x.size(0), -1).softmax(1)


def archive_seeds(out):
    torch.manual_seed(0)
    with torch.no_grad():
        torch.jit.trace(Cell(), (torch.rand(2, 3), torch.rand(2, 3))).save(
            os.path.join(out, "cell.pt"))
        conv = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2),
                                   torch.nn.ReLU(), torch.nn.MaxPool2d(2)).eval()
        torch.jit.trace(conv, torch.rand(1, 1, 6, 6)).save(os.path.join(out, "conv.pt"))
        torch.jit.trace(torch.nn.GRU(3, 2).eval(), torch.rand(2, 1, 3)).save(
            os.path.join(out, "gru.pt"))
    torch.jit.script(Scripted()).save(os.path.join(out, "scripted.pt"))


def main():
    src, out = sys.argv[1], sys.argv[2]
    for target, make in (("npy", npy_seeds), ("input-shape", shape_seeds),
                         ("parse-ir", lambda o: ir_seeds(src, o)),
                         ("archive", archive_seeds)):
        d = os.path.join(out, target)
        os.makedirs(d, exist_ok=True)
        make(d)


if __name__ == "__main__":
    main()
