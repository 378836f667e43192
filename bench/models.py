"""The benchmark's models: traced to TorchScript for Kiln and libtorch,
exported to ONNX for ONNX Runtime, with one input set each.

    models.py WORK [--only NAME,...]

For each model writes WORK/NAME/model.pt, model.onnx, in<i>.bin (raw,
C order) and spec.json: {"inputs": [{"shape": [...], "dtype": "f32"}],
"outputs": N}. Seeds are fixed, so every run measures the same weights.
"""
import argparse
import json
import os
import sys
import warnings

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "examples", "mycell"))
sys.path.insert(0, os.path.join(HERE, "..", "test", "lib"))
from mycell import MyCell  # noqa: E402
import op_cases  # noqa: E402

DTYPES = {torch.float32: "f32", torch.int64: "i64", torch.int32: "i32"}


class LSTM(torch.nn.Module):
    """nn.LSTM over a sequence: seq 32, batch 1, input and hidden 256."""

    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(256, 256, batch_first=True)

    def forward(self, x):
        return self.lstm(x)[0]


def mlp():
    m = torch.nn.Sequential(torch.nn.Linear(784, 1024), torch.nn.ReLU(),
                            torch.nn.Linear(1024, 1024), torch.nn.ReLU(),
                            torch.nn.Linear(1024, 10))
    return m, (torch.rand(64, 784),)


def torchvision(name):
    import torchvision
    m = getattr(torchvision.models, name)()
    return op_cases.randomize_batch_norm(m), (torch.randn(1, 3, 224, 224),)


MODELS = {
    "mycell": lambda: (MyCell(), (torch.rand(3, 4), torch.rand(3, 4))),
    "mlp": mlp,
    "resnet18": lambda: torchvision("resnet18"),
    "mobilenet_v2": lambda: torchvision("mobilenet_v2"),
    "lstm": lambda: (LSTM(), (torch.randn(1, 32, 256),)),
    "gpt_block": lambda: (op_cases.GPTBlock(vocab=512, seq=128, width=256,
                                            heads=8),
                          (torch.randint(0, 512, (1, 128)),)),
}


def write(name, work):
    torch.manual_seed(0)
    model, inputs = MODELS[name]()
    model = model.eval()
    out = os.path.join(work, name)
    os.makedirs(out, exist_ok=True)
    with torch.no_grad():
        traced = torch.jit.trace(model, inputs)
        traced.save(os.path.join(out, "model.pt"))
        outputs = traced(*inputs)
        n_out = len(outputs) if isinstance(outputs, (tuple, list)) else 1
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(model, inputs, os.path.join(out, "model.onnx"),
                              opset_version=13,
                              input_names=["in%d" % i for i in range(len(inputs))])
    spec = {"inputs": [], "outputs": n_out}
    for i, t in enumerate(inputs):
        t.contiguous().numpy().tofile(os.path.join(out, "in%d.bin" % i))
        spec["inputs"].append({"shape": list(t.shape), "dtype": DTYPES[t.dtype]})
    with open(os.path.join(out, "spec.json"), "w") as f:
        json.dump(spec, f)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("work")
    p.add_argument("--only", default=",".join(MODELS))
    args = p.parse_args()
    for name in args.only.split(","):
        write(name, args.work)
        print("bench models: wrote", name)


if __name__ == "__main__":
    main()
