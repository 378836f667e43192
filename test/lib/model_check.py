"""Compiles one model of op_cases.py to an object and checks what issue 4
promises of it: the compile report (fused kernels, batch norm folded, the
planned workspace within 1.25x of its lower bound) and, through a C driver
linked with the object, that calls allocate nothing, that the workspace ABI
refuses bad workspaces, and that threads with their own workspaces all get
PyTorch's outputs.

    model_check.py CASE WORK --cc CC --runtime-lib LIB --runtime-include DIR
                   [--size N] [--report-size N] [--threads T] [--calls C]

CASE is a model case of op_cases.py (resnet18, mobilenet_v2, mlp, gpt_block).
--size is the image size of torchvision models for the linked program,
--report-size the one whose report is checked (default: --size). Prints one
line per check and exits 1 if any failed.
"""
import argparse
import json
import os
import subprocess
import sys
import zlib

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import op_cases  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DRIVER = os.path.join(HERE, "..", "e2e", "Inputs", "model_driver.c")

# What each model's report must show: kernels that must exist (ops joined by
# '+', anchor first) and kiln ops that must not survive as kernels of their
# own (a surviving 'mul' after a conv means batch norm was not folded).
EXPECT = {
    "resnet18": {"fused": ["conv2d+relu", "conv2d+add+relu"],
                 "absent": ["mul"], "all_convs_fused": True},
    "mobilenet_v2": {"fused": ["conv2d+clamp"], "absent": ["mul"],
                     "all_convs_fused": True},
    "mlp": {"fused": ["linear+relu"], "absent": [], "all_convs_fused": False},
    "gpt_block": {"fused": ["linear+gelu", "linear+add"], "absent": [],
                  "all_convs_fused": False},
}

DTYPES = {torch.float32: "f32", torch.int64: "i64", torch.int32: "i32"}


def make(case, size):
    torch.manual_seed(zlib.crc32(case.encode()))
    if case in ("resnet18", "mobilenet_v2"):
        model, inputs = op_cases.torchvision_model(case, size)
    else:
        model, inputs = getattr(op_cases, case)()
    return model.eval(), inputs


def shape_flag(t):
    return "x".join(str(d) for d in t.shape) + "x" + DTYPES[t.dtype]


def trace(case, size, work, stem):
    model, inputs = make(case, size)
    (x,) = inputs
    traced = torch.jit.trace(model, inputs)
    path = os.path.join(work, stem + ".pt")
    traced.save(path)
    with torch.no_grad():
        ref = traced(x)
    return path, x, ref


def compile_model(path, x, work, extra):
    cmd = ["kiln-compile", path, "--input-shape", shape_flag(x), "--name",
           "model", "--report=json"] + extra
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.stderr.write(p.stderr)
        raise SystemExit("FAIL kiln-compile exited with %d" % p.returncode)
    return json.loads(p.stdout)


def check_report(case, report):
    ok = True
    expect = EXPECT[case]
    kernels = ["+".join(k["ops"]) for k in report["kernels"]]
    fused = sum("+" in k for k in kernels)
    print("report: %d kiln ops imported, %d kernels (%d fused)"
          % (report["num_kiln_ops_imported"], len(kernels), fused))
    for pattern in expect["fused"]:
        n = kernels.count(pattern)
        print("  kernel %s: %d" % (pattern, n))
        ok &= n > 0
    for op in expect["absent"]:
        n = sum(op in k.split("+") for k in kernels)
        print("  kernels containing %s: %d (batch norm folded)" % (op, n))
        ok &= n == 0
    if expect["all_convs_fused"]:
        convs = report["kiln_ops_imported"].get("conv2d", 0)
        anchored = sum(k.startswith("conv2d") for k in kernels)
        print("  conv2d imported: %d, conv2d kernels: %d" % (convs, anchored))
        ok &= convs == anchored and convs > 0
    ws, bound = report["workspace_bytes"], report["workspace_lower_bound_bytes"]
    ratio = ws / bound if bound else 1.0
    print("  workspace: %d bytes, lower bound %d bytes, ratio %.3f"
          % (ws, bound, ratio))
    ok &= ratio <= 1.25
    return ok


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("case", choices=sorted(EXPECT))
    p.add_argument("work")
    p.add_argument("--cc", required=True)
    p.add_argument("--runtime-lib", required=True)
    p.add_argument("--runtime-include", required=True)
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--report-size", type=int)
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--calls", type=int, default=100)
    args = p.parse_args()
    os.makedirs(args.work, exist_ok=True)
    ok = True

    report_size = args.report_size or args.size
    if report_size != args.size:
        path, x, _ = trace(args.case, report_size, args.work, "report")
        print("report at size %d:" % report_size)
        ok &= check_report(args.case, compile_model(
            path, x, args.work, ["--emit=bufferized", "-o", os.devnull]))

    path, x, ref = trace(args.case, args.size, args.work, "model")
    x.numpy().tofile(os.path.join(args.work, "in0_0.bin"))
    np.ascontiguousarray(ref.numpy(), dtype=np.float32).tofile(
        os.path.join(args.work, "ref0_0.bin"))
    obj = os.path.join(args.work, "model.o")
    report = compile_model(path, x, args.work,
                           ["-o", obj, "--header",
                            os.path.join(args.work, "model.h")])
    ok &= check_report(args.case, report)

    exe = os.path.join(args.work, "driver")
    subprocess.run([args.cc, "-std=c11", "-O1", "-Wall", "-Werror", "-pthread",
                    "-DMODEL=model", "-I", args.work, "-I",
                    args.runtime_include, DRIVER, obj, args.runtime_lib, "-lm",
                    "-o", exe], check=True)
    run = subprocess.run([exe, args.work, str(args.threads), str(args.calls)],
                         capture_output=True, text=True)
    sys.stdout.write(run.stdout)
    sys.stderr.write(run.stderr)
    ok &= run.returncode == 0
    print("%s %s" % ("PASS" if ok else "FAIL", args.case))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
