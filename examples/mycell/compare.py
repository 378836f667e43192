"""Prints Kiln's MyCell outputs beside PyTorch's and the largest difference.

Usage: python3 compare.py DIR   (DIR from mycell.py and the C demo: torch_out*.npy
and kiln_out*.bin). Exits 1 if any element differs by more than 1e-5.
"""
import os
import sys

import numpy as np

TOLERANCE = 1e-5


def main():
    d = sys.argv[1]
    worst = 0.0
    for i in range(2):
        ref = np.load(os.path.join(d, "torch_out%d.npy" % i))
        got = np.fromfile(os.path.join(d, "kiln_out%d.bin" % i), dtype="<f4").reshape(ref.shape)
        print("output %d:" % i)
        print("  %-44s %s" % ("Kiln (C program)", "PyTorch"))
        for r in range(ref.shape[0]):
            k = " ".join("% .6f" % v for v in got[r])
            t = " ".join("% .6f" % v for v in ref[r])
            print("  %-44s %s" % (k, t))
        worst = max(worst, float(np.max(np.abs(got - ref))))
    ok = worst <= TOLERANCE
    print("max abs difference: %.3g (%s, tolerance %g)" % (worst, "OK" if ok else "MISMATCH", TOLERANCE))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
