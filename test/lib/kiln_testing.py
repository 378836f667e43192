"""Helpers for Kiln's lit tests: trace models with PyTorch at test time.

Each model is one small function returning (module, example_inputs); tests
trace it, save the archive and inputs, and later compare Kiln's outputs with
PyTorch's, computed here at test time (never pasted into a test).
"""
import argparse
import os
import sys

import numpy as np
import torch


# The demo's model, so the example in examples/ is the one under test.
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "examples", "mycell"))
from mycell import MyCell  # noqa: E402


class Unsupported(torch.nn.Module):
    """Uses ops Kiln does not support: sort twice, nonzero (whose output
    shape depends on the data) once."""

    def forward(self, x):
        y = torch.sort(x, 1)[0] + torch.sort(x * 2.0, 1)[0]
        return torch.nonzero(y > 0.5)


class Arith(torch.nn.Module):
    """Scalar operands, alpha, sub/mul/div, relu and sigmoid, matmul."""

    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.randn(4, 5))

    def forward(self, a, b):
        y = torch.add(a, b, alpha=2.0) - 0.5
        y = torch.sub(y, b, alpha=3) * 1.5
        y = torch.relu(y) / (torch.sigmoid(b) + 1.0)
        return torch.matmul(y, self.w), (y * b,)


class ResBlock(torch.nn.Module):
    """conv-bn-relu, a residual block, global average pool and a linear with
    a tanh: exercises batch-norm folding, epilogue fusion and the workspace."""

    def __init__(self):
        super().__init__()
        self.c1 = torch.nn.Conv2d(3, 8, 3, padding=1)
        self.b1 = torch.nn.BatchNorm2d(8)
        self.c2 = torch.nn.Conv2d(8, 8, 3, padding=1)
        self.b2 = torch.nn.BatchNorm2d(8)
        self.fc = torch.nn.Linear(8, 5)
        for bn in (self.b1, self.b2):  # statistics other than 0 and 1
            bn.running_mean.uniform_(-0.5, 0.5)
            bn.running_var.uniform_(0.5, 2.0)

    def forward(self, x):
        y = torch.relu(self.b1(self.c1(x)))
        z = torch.relu(self.b2(self.c2(y)) + y)
        return torch.tanh(self.fc(z.mean([2, 3])) + 1.0)


class DepthwiseNet(torch.nn.Module):
    """A conv-relu, a stride-2 depthwise conv-relu6 and a max pool at
    128x128: loop nests big enough for --kiln-parallelize-loops (the
    convolution's padding copy, the pool; on the CPU the depthwise
    convolution is a kiln_dwconv2d call, which splits its planes itself)."""

    def __init__(self):
        super().__init__()
        self.c1 = torch.nn.Conv2d(3, 16, 3, padding=1)
        self.dw = torch.nn.Conv2d(16, 16, 3, stride=2, padding=1, groups=16)
        self.fc = torch.nn.Linear(16, 5)

    def forward(self, x):
        y = torch.relu(self.c1(x))
        z = torch.clamp(self.dw(y), 0.0, 6.0)
        p = torch.nn.functional.max_pool2d(z, 2)
        return self.fc(p.mean([2, 3])), p


MODELS = {
    "resblock": (ResBlock, lambda: (torch.randn(1, 3, 8, 8),)),
    "dwnet": (DepthwiseNet, lambda: (torch.randn(1, 3, 128, 128),)),
    "mycell": (MyCell, lambda: (torch.rand(3, 4), torch.rand(3, 4))),
    "unsupported": (Unsupported, lambda: (torch.rand(2, 3),)),
    "arith": (Arith, lambda: (torch.rand(3, 4), torch.rand(3, 4))),
}


def trace(name, out_dir, seed=0, sets=1):
    """Traces MODELS[name] into out_dir/NAME.pt and writes `sets` input
    sets (in{set}_{i}.npy/.bin) with PyTorch's outputs (ref{set}_{j}.npy/.bin)."""
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(seed)
    cls, make_inputs = MODELS[name]
    model = cls().eval()
    example = make_inputs()
    traced = torch.jit.trace(model, example)
    traced.save(os.path.join(out_dir, name + ".pt"))
    for s in range(sets):
        inputs = example if s == 0 else make_inputs()
        with torch.no_grad():
            outs = traced(*inputs)
        flat = []

        def flatten(o):
            if isinstance(o, (tuple, list)):
                for e in o:
                    flatten(e)
            else:
                flat.append(o)

        flatten(outs)
        for i, t in enumerate(inputs):
            save(os.path.join(out_dir, "in%d_%d" % (s, i)), t)
        for j, t in enumerate(flat):
            save(os.path.join(out_dir, "ref%d_%d" % (s, j)), t)


def save(stem, tensor):
    a = tensor.detach().numpy()
    np.save(stem + ".npy", a)
    np.ascontiguousarray(a).tofile(stem + ".bin")


def compare(actual, expected, atol):
    """Compares two .npy or raw float32 .bin files; exits 1 on mismatch."""
    def load(path, like=None):
        if path.endswith(".npy"):
            return np.load(path)
        return np.fromfile(path, dtype=np.float32)

    e = load(expected)
    a = load(actual)
    if a.size != e.size:
        print("FAIL %s: %d elements, expected %d" % (actual, a.size, e.size))
        sys.exit(1)
    if actual.endswith(".npy") and expected.endswith(".npy") and a.shape != e.shape:
        print("FAIL %s: shape %s, expected %s" % (actual, a.shape, e.shape))
        sys.exit(1)
    err = float(np.max(np.abs(a.reshape(-1) - e.reshape(-1)))) if e.size else 0.0
    status = "OK" if err <= atol else "FAIL"
    print("%s %s: max abs error %.3g (tolerance %g)" % (status, actual, err, atol))
    if err > atol:
        sys.exit(1)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("trace", help="trace a model and write inputs/refs")
    t.add_argument("model", choices=sorted(MODELS))
    t.add_argument("out_dir")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--sets", type=int, default=1)
    c = sub.add_parser("compare", help="compare outputs with a reference")
    c.add_argument("actual")
    c.add_argument("expected")
    c.add_argument("--atol", type=float, default=1e-5)
    w = sub.add_parser("write", help="write a file for bad-input tests")
    w.add_argument("kind", choices=["corrupt-zip", "state-dict", "text",
                                    "npy-3x5", "npy-bad-magic", "npy-f64",
                                    "npy-overflow", "npy-rank9"])
    w.add_argument("path")
    args = p.parse_args()
    if args.cmd == "trace":
        trace(args.model, args.out_dir, args.seed, args.sets)
    elif args.cmd == "compare":
        compare(args.actual, args.expected, args.atol)
    else:
        write_bad(args.kind, args.path)


def write_bad(kind, path):
    if kind == "corrupt-zip":
        # The first bytes of a real zip, then garbage: zip readers fail.
        with open(path, "wb") as f:
            f.write(b"PK\x03\x04" + os.urandom(256))
    elif kind == "state-dict":
        # A real PyTorch file, but torch.save of weights, not TorchScript.
        torch.save(MyCell().state_dict(), path)
    elif kind == "text":
        with open(path, "w") as f:
            f.write("def forward(x): return x\n")
    elif kind == "npy-3x5":
        with open(path, "wb") as f:
            np.save(f, np.zeros((3, 5), dtype=np.float32))
    elif kind == "npy-f64":
        with open(path, "wb") as f:
            np.save(f, np.zeros((3, 4), dtype=np.float64))
    elif kind == "npy-bad-magic":
        with open(path, "wb") as f:
            f.write(b"NOTNUMPY" + b"\0" * 64)
    elif kind in ("npy-overflow", "npy-rank9"):
        # A well-formed header whose shape wraps 64 bits, or has 9 dims.
        shape = [2 ** 62, 4, 3] if kind == "npy-overflow" else [1] * 9
        header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }" % (
            ", ".join(str(d) for d in shape))
        header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
        with open(path, "wb") as f:
            f.write(b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little")
                    + header.encode() + b"\0" * 48)


if __name__ == "__main__":
    main()
