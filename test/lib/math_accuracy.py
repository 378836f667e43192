"""Writes the inputs of test/e2e/Inputs/math.mlir, or checks kiln-run's
outputs against float64 references (numpy/libm), printing the largest
absolute and relative errors per function and whether each is within its
bound.

    math_accuracy.py inputs DIR
    math_accuracy.py check DIR OUTDIR
"""
import math
import os
import sys

import numpy as np

N = 65536
# Bounds, per function: absolute error allowed, plus relative error
# allowed (err <= abs + rel * |ref|). They are the tested contract of
# --kiln-approximate-math; libm itself is within 1 ulp (~6e-8 relative).
BOUNDS = {
    "tanh": (3e-7, 3e-7), "exp": (0.0, 3e-7), "sigmoid": (2e-7, 3e-7),
    # gelu_tanh computes 0.5 x (1 + tanh(z)): for large negative x the sum
    # cancels, and tanh's absolute error (~2e-7) is scaled by |x| / 2 (to
    # 80 here).
    "gelu": (5e-7, 3e-7), "gelu_tanh": (1e-5, 3e-7), "erf": (3e-7, 3e-7),
    "log": (1e-7, 3e-7),
}


def inputs():
    # Dense near 0, out to where the functions saturate (exp to 80: no
    # overflow in f32).
    x = np.concatenate([np.linspace(-10, 10, N // 2), np.linspace(-80, 80, N // 2)])
    p = np.concatenate([np.geomspace(1e-30, 1.0, N // 2), np.geomspace(1.0, 1e30, N // 2)])
    return x.astype(np.float32), p.astype(np.float32)


def references(x, p):
    x = x.astype(np.float64)
    erf = np.vectorize(math.erf)(x)
    return {
        "tanh": np.tanh(x), "exp": np.exp(x), "sigmoid": 1 / (1 + np.exp(-x)),
        "gelu": 0.5 * x * (1 + np.vectorize(math.erf)(x / math.sqrt(2))),
        "gelu_tanh": 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3))),
        "erf": erf, "log": np.log(p.astype(np.float64)),
    }


def main():
    if sys.argv[1] == "inputs":
        x, p = inputs()
        np.save(os.path.join(sys.argv[2], "x.npy"), x)
        np.save(os.path.join(sys.argv[2], "p.npy"), p)
        return 0
    x, p = inputs()
    refs = references(x, p)
    ok = True
    for i, name in enumerate(["tanh", "exp", "sigmoid", "gelu", "gelu_tanh", "erf", "log"]):
        got = np.load(os.path.join(sys.argv[3], "output%d.npy" % i)).astype(np.float64)
        ref = refs[name]
        err = np.abs(got - ref)
        a, r = BOUNDS[name]
        within = bool(np.all(err <= a + r * np.abs(ref)))
        rel = float(np.max(err / np.maximum(np.abs(ref), 1e-30)))
        print("%-9s max abs error %.2e, max rel error %.2e: %s"
              % (name, float(np.max(err)), rel, "within bound" if within else "OUT OF BOUND"))
        ok &= within
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
