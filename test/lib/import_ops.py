"""Saves the tiny modules of test/Import/ops as TorchScript archives.

Each family test is a Python script that traces or scripts a few modules,
each using several op kinds, into one folder, then checks the kiln IR that
kiln-import makes of each archive. `finish` also writes kinds.txt: every
op kind of the archives' graphs after the importer's own freezing and
inlining (lib/Import/TorchScript.cpp), one per line, so a test can check
that the kinds it is about really reach the importer (freezing drops some,
aten::detach and eval-mode aten::dropout for instance).
"""
import os

import torch


class Archives:
    def __init__(self, out_dir):
        self.out_dir = out_dir
        self.paths = []

    def _save(self, name, scripted):
        path = os.path.join(self.out_dir, name + ".pt")
        scripted.save(path)
        self.paths.append(path)

    def trace(self, name, module, *example):
        """Saves torch.jit.trace of `module` (in eval mode) as NAME.pt."""
        self._save(name, torch.jit.trace(module.eval(), example))

    def script(self, name, module):
        """Saves torch.jit.script of `module`: for the kinds only scripted
        code records (aten::dim, aten::floordiv, aten::IntImplicit, ...)."""
        self._save(name, torch.jit.script(module.eval()))

    def finish(self):
        kinds = set()
        for path in self.paths:
            frozen = torch.jit.freeze(torch.jit.load(path).eval(),
                                      optimize_numerics=False)
            graph = frozen.graph
            torch._C._jit_pass_inline(graph)
            kinds.update(node.kind() for node in graph.nodes())
        with open(os.path.join(self.out_dir, "kinds.txt"), "w") as f:
            f.write("".join(k + "\n" for k in sorted(kinds)))
