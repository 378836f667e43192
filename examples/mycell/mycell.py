"""Traces the tutorial's MyCell and saves it with example inputs.

Usage: python3 mycell.py OUT_DIR [--seed N]
Writes OUT_DIR/mycell.pt (the TorchScript archive), x.npy and h.npy (inputs),
x.bin and h.bin (the same as raw little-endian float32, for the C example)
and torch_out0.npy / torch_out1.npy (PyTorch's outputs for those inputs).
"""
import argparse
import os

import numpy as np
import torch


class MyCell(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(4, 4)

    def forward(self, x, h):
        new_h = torch.tanh(self.linear(x) + h)
        return new_h, new_h


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    torch.manual_seed(args.seed)
    x, h = torch.rand(3, 4), torch.rand(3, 4)
    traced = torch.jit.trace(MyCell(), (x, h))
    traced.save(os.path.join(args.out_dir, "mycell.pt"))
    with torch.no_grad():
        outs = traced(x, h)
    for name, t in (("x", x), ("h", h)):
        np.save(os.path.join(args.out_dir, name + ".npy"), t.numpy())
        t.numpy().astype("<f4").tofile(os.path.join(args.out_dir, name + ".bin"))
    for i, t in enumerate(outs):
        np.save(os.path.join(args.out_dir, "torch_out%d.npy" % i), t.numpy())


if __name__ == "__main__":
    main()
