"""Kiln's CUDA benchmark: kernels and models compiled with
`kiln-compile --target=cuda`, timed on one GPU beside PyTorch on the same GPU.

    bench/cuda_bench.py [--phase all|prepare|run] [--only NAME,...]
                        [--work DIR] [--json FILE] [--budget-s S]

Rows: fused add+tanh over 16M floats (GB/s of 2 reads + 1 write against the
H200's 4.8 TB/s), sgemm at 1024/2048/4096 (GFLOP/s against torch.matmul,
cuBLAS fp32 with TF32 off), and the latency of MyCell, MLP (batch 64),
resnet18 (batch 32, 3x224x224) and the GPT block against PyTorch eager.
Every Kiln output is checked against PyTorch (|got - ref| <= 1e-4 +
1e-4 |ref|, the tests' tolerance) and its max abs error printed.

--phase prepare traces and compiles everything (kiln-compile, PyTorch) into
WORK (default bench/work/cuda) and links WORK/libkilnbench.so (the objects
and the whole runtime); --phase run needs only that WORK, PyTorch with CUDA
and a GPU; `all` does both. Kiln's entry points are called through ctypes
on device buffers that PyTorch allocates, on one stream, timed with CUDA
events: warm-up, then the median of up to --reps samples (each sample
averages enough calls to last about a millisecond) within --budget-s per
row. Prints a markdown table and writes --json (default
bench/results/cuda-latest.json). Exits 2 when there is no GPU (after
preparing, so the compile and link steps are checked anywhere), 1 when a
Kiln output does not match PyTorch or a call fails.
"""
import argparse
import concurrent.futures
import ctypes
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "test", "lib"))
import cuda_model_check as cmc  # noqa: E402

PEAK_GBPS = 4800.0  # H200 HBM3e, the vendor's datasheet
ATOL = RTOL = 1e-4  # run_op_cases.py's (and model_check.py's driver's)
ELEMENTWISE_N = 16 * 1024 * 1024
SGEMM_SIZES = (1024, 2048, 4096)

# name -> (case of cuda_model_check, image size, batch); None: the case's own.
MODELS = {
    "mycell": ("mycell", None, None),
    "mlp": ("mlp", None, 64),
    "resnet18": ("resnet18", 224, 32),
    "gpt_block": ("gpt_block", None, None),
}


def all_names():
    return (["add_tanh"] + ["sgemm_%d" % n for n in SGEMM_SIZES] + list(MODELS))


class AddTanh(torch.nn.Module):
    def forward(self, x, y):
        return torch.tanh(x + y)


class MatMul(torch.nn.Module):
    def forward(self, a, b):
        return torch.matmul(a, b)


def kernel_spec(name):
    """(module, trace inputs, compile-time input shapes) of a kernel row.
    Traced small: the graph has no shapes; kiln-compile gets the real ones."""
    if name == "add_tanh":
        shape = (4096, ELEMENTWISE_N // 4096)
        return AddTanh(), (torch.rand(2, 2), torch.rand(2, 2)), [shape, shape]
    n = int(name.split("_")[1])
    return MatMul(), (torch.rand(2, 2), torch.rand(2, 2)), [(n, n), (n, n)]


# ---------------------------------------------------------------- prepare

def prepare(names, work, kiln_compile, cc, runtime_lib, runtime_include, jobs):
    os.makedirs(work, exist_ok=True)
    manifest = {}
    compiles = []
    for name in names:
        d = os.path.join(work, name)
        os.makedirs(d, exist_ok=True)
        if name in MODELS:
            case, size, batch = MODELS[name]
            inputs, expected = cmc.trace_case(case, d, size, batch)
            manifest[name] = {
                "kind": "model", "case": case, "size": size, "batch": batch,
                "inputs": [[list(a.shape), a.dtype.name] for a in inputs],
                "outputs": [[list(e.shape), e.dtype.name] for e in expected]}
            shapes = inputs
        else:
            module, example, dims = kernel_spec(name)
            traced = torch.jit.trace(module, example)
            traced.save(os.path.join(d, "model.pt"))
            shapes = [_Shape(s) for s in dims]
            out = dims[0] if name == "add_tanh" else (dims[0][0], dims[1][1])
            manifest[name] = {"kind": "kernel", "inputs": [[list(s), "float32"] for s in dims],
                              "outputs": [[list(out), "float32"]]}
        compiles.append((name, d, shapes))
    print("compiling %d models for CUDA..." % len(compiles), flush=True)
    t0 = time.time()

    def one(item):
        name, d, shapes = item
        report = cmc.compile_cuda(os.path.join(d, "model.pt"), shapes, d, name=name,
                                  kiln_compile=kiln_compile)
        return name, report

    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        for name, report in pool.map(one, compiles):
            manifest[name]["num_kernels"] = report.get("num_kernels")
            manifest[name]["kernels"] = ["+".join(k["ops"]) for k in report.get("kernels", [])]
    print("compiled in %.1f s" % (time.time() - t0), flush=True)
    so = os.path.join(work, "libkilnbench.so")
    cmc.link(cc, [os.path.join(work, n, n + ".o") for n in names], so, runtime_lib,
             runtime_include, work, shared=True)
    with open(os.path.join(work, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    return manifest


class _Shape:
    """What cmc.input_shape_flags needs of an array: shape and dtype name."""

    class dtype:
        name = "float32"

    def __init__(self, shape):
        self.shape = tuple(shape)


# ---------------------------------------------------------------- run

class Kiln:
    """libkilnbench.so through ctypes."""

    def __init__(self, so):
        self.lib = ctypes.CDLL(so)
        self.lib.kiln_status_string.restype = ctypes.c_char_p
        self.lib.kiln_status_string.argtypes = [ctypes.c_int]
        self.lib.kiln_cuda_last_error.restype = ctypes.c_char_p
        self.lib.kiln_cuda_available.restype = ctypes.c_int

    def entry(self, name, num_buffers):
        init = getattr(self.lib, name + "_cuda_init")
        init.argtypes = [ctypes.c_int, ctypes.POINTER(ctypes.c_void_p)]
        init.restype = ctypes.c_int
        forward = getattr(self.lib, name + "_cuda_forward")
        forward.argtypes = [ctypes.c_void_p] * (2 + num_buffers)
        forward.restype = ctypes.c_int
        release = getattr(self.lib, name + "_cuda_release")
        release.argtypes = [ctypes.c_void_p]
        release.restype = None
        return init, forward, release

    def why(self, status):
        text = self.lib.kiln_status_string(status).decode()
        last = self.lib.kiln_cuda_last_error().decode()
        return text + (": " + last if last else "")


def no_gpu_reason(kiln):
    status = kiln.lib.kiln_cuda_available()
    if status != 0:
        return "Kiln's runtime: %s" % kiln.why(status)
    if not torch.cuda.is_available():
        return "torch.cuda.is_available() is False (torch %s)" % torch.__version__
    return None


def time_ms(fn, stream, budget_s, reps, warmup=3):
    """Median milliseconds per call of fn on stream, by CUDA events."""
    start = torch.cuda.Event(enable_timing=True)
    end = torch.cuda.Event(enable_timing=True)
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    start.record(stream)
    fn()
    end.record(stream)
    end.synchronize()
    estimate = max(start.elapsed_time(end), 1e-3)
    inner = max(1, min(100, int(1.0 / estimate)))
    samples = int(min(reps, max(3, budget_s * 1e3 / (estimate * inner))))
    times = []
    for _ in range(samples):
        start.record(stream)
        for _ in range(inner):
            fn()
        end.record(stream)
        end.synchronize()
        times.append(start.elapsed_time(end) / inner)
    return statistics.median(times)


def max_error(got, ref):
    """(max abs error, within |got - ref| <= ATOL + RTOL |ref|)."""
    g = got.detach().double().cpu()
    r = ref.detach().double().cpu()
    if g.shape != r.shape:
        return float("inf"), False
    if g.dtype.is_floating_point or r.dtype.is_floating_point:
        err = (g - r).abs()
        ok = bool(((err <= ATOL + RTOL * r.abs()) | (torch.isnan(g) & torch.isnan(r))).all())
        return float(err.max()) if err.numel() else 0.0, ok
    return float((g - r).abs().max()), bool((g == r).all())


def eager_model(name, entry, d):
    """PyTorch eager on the GPU with the compiled model's weights (read
    from its archive), or None without the archive."""
    pt = os.path.join(d, "model.pt")
    if not os.path.exists(pt):
        return None
    module, _ = cmc.model_func(entry["case"], entry["size"], entry["batch"])()
    module.load_state_dict(torch.jit.load(pt, map_location="cpu").state_dict())
    return module.eval().cuda()


def run_row(name, entry, d, kiln, stream, args):
    dev = torch.device("cuda")
    if entry["kind"] == "model":
        inputs = [torch.from_numpy(np.load(os.path.join(d, "input%d.npy" % i))).to(dev)
                  for i in range(len(entry["inputs"]))]
        refs = [torch.from_numpy(np.load(os.path.join(d, "expected%d.npy" % j)))
                for j in range(len(entry["outputs"]))]
        eager = eager_model(name, entry, d)
        if eager is None:
            raise RuntimeError("%s/model.pt missing: no PyTorch model to compare" % d)

        def torch_fn():
            with torch.no_grad():
                return eager(*inputs)
    else:
        gen = torch.Generator(device=dev)
        gen.manual_seed(0)
        inputs = [torch.randn(*s, device=dev, generator=gen) for s, _ in entry["inputs"]]
        if name == "add_tanh":
            def torch_fn():
                return torch.tanh(inputs[0] + inputs[1])
        else:
            def torch_fn():
                return torch.matmul(inputs[0], inputs[1])
        refs = None
    torch.cuda.synchronize()  # inputs and weights were made on the default stream
    with torch.cuda.stream(stream):
        torch_out = torch_fn()
        stream.synchronize()
        flat = [torch_out] if isinstance(torch_out, torch.Tensor) else \
            [t for t in torch_out]
        if refs is None:
            refs = [t.cpu() for t in flat]
        outs = [torch.empty(s, dtype=getattr(torch, dt), device=dev)
                for s, dt in entry["outputs"]]
        init, forward, release = kiln.entry(name, len(inputs) + len(outs))
        model = ctypes.c_void_p()
        status = init(0, ctypes.byref(model))
        if status != 0:
            raise RuntimeError("%s_cuda_init: %s" % (name, kiln.why(status)))
        ptrs = [ctypes.c_void_p(t.data_ptr()) for t in inputs + outs]
        handle = ctypes.c_void_p(stream.cuda_stream)

        def kiln_fn():
            s = forward(model, handle, *ptrs)
            if s != 0:
                raise RuntimeError("%s_cuda_forward: %s" % (name, kiln.why(s)))
        try:
            kiln_fn()
            stream.synchronize()
            errors = [max_error(o, r) for o, r in zip(outs, refs)]
            if entry["kind"] == "model":  # eager on this GPU vs the archive's outputs
                eager_err = [max_error(t, r)[0] for t, r in zip(flat, refs)]
            else:
                eager_err = None
            kiln_ms = time_ms(kiln_fn, stream, args.budget_s, args.reps)
            torch_ms = time_ms(torch_fn, stream, args.budget_s, args.reps)
        finally:
            stream.synchronize()
            release(model)
    row = {"name": name, "kiln_ms": kiln_ms, "torch_ms": torch_ms,
           "inputs": entry["inputs"], "num_kernels": entry.get("num_kernels"),
           "max_abs_error": max(e for e, _ in errors),
           "matches": all(ok for _, ok in errors)}
    if eager_err is not None:
        row["torch_gpu_vs_cpu_max_abs_error"] = max(eager_err)
    if name == "add_tanh":
        moved = 3 * ELEMENTWISE_N * 4
        row.update(metric="GB/s", kiln=moved / kiln_ms / 1e6, torch=moved / torch_ms / 1e6,
                   kiln_pct_of_peak=100.0 * moved / kiln_ms / 1e6 / PEAK_GBPS)
    elif name.startswith("sgemm"):
        n = entry["inputs"][0][0][0]
        flops = 2.0 * n ** 3
        row.update(metric="GFLOP/s", kiln=flops / kiln_ms / 1e6, torch=flops / torch_ms / 1e6)
    else:
        row.update(metric="ms", kiln=kiln_ms, torch=torch_ms)
    return row


def table(rows):
    lines = ["| row | Kiln | PyTorch | unit | Kiln / PyTorch speed | Kiln ms | PyTorch ms "
             "| max abs err | matches |", "|" + "---|" * 9]
    for r in rows:
        speed = r["torch_ms"] / r["kiln_ms"]
        extra = " (%.0f%% of 4.8 TB/s)" % r["kiln_pct_of_peak"] if "kiln_pct_of_peak" in r else ""
        lines.append("| %s | %.4g%s | %.4g | %s | %.2fx | %.4f | %.4f | %.3g | %s |" % (
            r["name"], r["kiln"], extra, r["torch"], r["metric"], speed, r["kiln_ms"],
            r["torch_ms"], r["max_abs_error"], "yes" if r["matches"] else "NO"))
    return "\n".join(lines)


def run(names, work, args):
    with open(os.path.join(work, "manifest.json")) as f:
        manifest = json.load(f)
    missing = [n for n in names if n not in manifest]
    if missing:
        raise SystemExit("not prepared in %s: %s (run --phase prepare)" % (work, ", ".join(missing)))
    kiln = Kiln(os.path.join(work, "libkilnbench.so"))
    for name in names:  # every entry point resolves before any GPU work
        kiln.entry(name, len(manifest[name]["inputs"]) + len(manifest[name]["outputs"]))
    print("loaded %s: entry points of %d models resolved"
          % (os.path.join(work, "libkilnbench.so"), len(names)), flush=True)
    reason = no_gpu_reason(kiln)
    if reason:
        print("cuda_bench: no GPU: %s; nothing timed." % reason)
        return 2
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    stream = torch.cuda.Stream()
    rows, failed = [], []
    for name in names:
        print("running %s..." % name, flush=True)
        try:
            rows.append(run_row(name, manifest[name], os.path.join(work, name), kiln, stream, args))
        except Exception as e:  # one broken row must not hide the others
            print("FAIL %s: %s: %s" % (name, type(e).__name__, e), flush=True)
            failed.append({"name": name, "error": "%s: %s" % (type(e).__name__, e)})
    print(table(rows))
    bad = [r["name"] for r in rows if not r["matches"]]
    result = {
        "device": torch.cuda.get_device_name(0), "torch": torch.__version__,
        "torch_cuda": torch.version.cuda, "host": platform.node(),
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "commit": git_commit(),
        "tf32": False, "peak_gbps": PEAK_GBPS, "rows": rows, "failed": failed,
        "mismatched": bad}
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, "w") as f:
        json.dump(result, f, indent=1)
    print("wrote %s" % args.json)
    for name in bad:
        print("MISMATCH %s: Kiln's output differs from PyTorch's beyond %g + %g |ref|"
              % (name, ATOL, RTOL))
    return 1 if bad or failed else 0


def git_commit():
    try:
        return subprocess.run(["git", "-C", ROOT, "rev-parse", "HEAD"], capture_output=True,
                              text=True).stdout.strip() or None
    except OSError:
        return None


def main():
    build = os.environ.get("KILN_BUILD_DIR", os.path.join(ROOT, "build"))
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--phase", choices=["all", "prepare", "run"], default="all")
    p.add_argument("--only", default="", help="comma-separated rows of: " + ", ".join(all_names()))
    p.add_argument("--work", default=os.path.join(HERE, "work", "cuda"))
    p.add_argument("--json", default=os.path.join(HERE, "results", "cuda-latest.json"))
    p.add_argument("--budget-s", type=float, default=2.0,
                   help="timing seconds per row and side (default 2)")
    p.add_argument("--reps", type=int, default=50, help="most samples per timing")
    p.add_argument("--kiln-compile", default=os.path.join(build, "bin", "kiln-compile"))
    p.add_argument("--runtime-lib", default=os.path.join(build, "runtime", "libkiln_runtime.a"))
    p.add_argument("--runtime-include", default=os.path.join(ROOT, "runtime", "include"))
    p.add_argument("--cc", default=os.environ.get("CC", "cc"))
    p.add_argument("--jobs", type=int, default=min(8, os.cpu_count() or 1))
    args = p.parse_args()
    names = [n for n in args.only.split(",") if n] or all_names()
    unknown = [n for n in names if n not in all_names()]
    if unknown:
        p.error("unknown rows %s (rows: %s)" % (", ".join(unknown), ", ".join(all_names())))
    if args.phase in ("all", "prepare"):
        try:
            prepare(names, args.work, args.kiln_compile, args.cc, args.runtime_lib,
                    args.runtime_include, args.jobs)
        except cmc.Failure as e:
            print("cuda_bench: prepare failed: %s" % e)
            return 1
        if args.phase == "prepare":
            print("prepared %s" % args.work)
            return 0
    return run(names, args.work, args)


if __name__ == "__main__":
    sys.exit(main())
