"""Traces the models of test/e2e/index-out-of-range.test into OUT_DIR:
embed.pt (an embedding of a 5x3 table, indices i64[4]), columns.pt
(x[:, i] of x f32[3x5], i i64[2]) and select.pt (index_select(x, 1, i)),
with in-range and out-of-range index arrays and PyTorch's results for the
in-range ones.

Usage: python3 index_models.py OUT_DIR
"""
import os
import sys

import numpy as np
import torch


class Embed(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.table = torch.nn.Embedding(5, 3)

    def forward(self, i):
        return self.table(i) * 2.0


class Columns(torch.nn.Module):
    def forward(self, x, i):
        return x[:, i] + 1.0


class Select(torch.nn.Module):
    def forward(self, x, i):
        return torch.index_select(x, 1, i)


def main(out):
    torch.manual_seed(0)
    x = torch.randn(3, 5)
    good = torch.tensor([4, 0, 2, 1])
    embed = Embed().eval()
    torch.jit.trace(embed, (good,)).save(os.path.join(out, "embed.pt"))
    cols = torch.tensor([-1, 3])  # x[:, -1] is the last column
    torch.jit.trace(Columns(), (x, cols)).save(os.path.join(out, "columns.pt"))
    torch.jit.trace(Select(), (x, torch.tensor([0, 4]))).save(
        os.path.join(out, "select.pt"))
    save = lambda name, a: np.save(os.path.join(out, name), a)
    save("x.npy", x.numpy())
    save("good.npy", good.numpy())
    save("bad.npy", np.array([4, 7, 2, 9], dtype=np.int64))  # 7 comes first
    save("negative.npy", np.array([0, -1, 1, 2], dtype=np.int64))
    save("cols.npy", cols.numpy())
    save("cols_bad.npy", np.array([2, -6], dtype=np.int64))
    with torch.no_grad():
        save("embed_ref.npy", embed(good).numpy())
        save("columns_ref.npy", Columns()(x, cols).numpy())


if __name__ == "__main__":
    main(sys.argv[1])
