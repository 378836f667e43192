"""Kiln's benchmark harness: Kiln against libtorch and ONNX Runtime on the
same machine, in one run, with the same thread counts.

    bench/run.py [--threads 1,2] [--only mycell,mlp,...] [--iters N]
                 [--rounds R] [--kernels/--no-kernels] [--json FILE]
                 [--work DIR]

Models (bench/models.py) are traced and exported once; each is compiled by
kiln-compile and linked into a generated C driver, run from C++ through
libtorch (torch::jit::load + forward under NoGradGuard) and through
onnxruntime-node. Every peer warms up, then times single calls; the peers
take turns for R rounds (Kiln, libtorch, ONNX Runtime, Kiln, ...), and
each keeps its round with the lowest median, so a burst of load on a
shared machine does not decide a ratio. The table shows those median
latencies and the ratios peer / Kiln (above 1: Kiln is faster), plus the
kernel rows (sgemm against OpenBLAS and the core's
peak, fused add+tanh against memcpy bandwidth). Needs bench/setup.sh once.
"""
import argparse
import json
import os
import platform
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# The issue's figure for its machine (Zen 3: two 256-bit FMA pipes = 32 FLOP
# per cycle); the harness also measures the peak of the machine it runs on.
ISSUE_FLOP_PER_CYCLE = 32

TARGETS = {  # model: (vs libtorch, vs ORT) at every thread count
    "mycell": (50.0, None),
    "mlp": (1.3, 1.1), "resnet18": (1.3, 1.1), "mobilenet_v2": (1.3, 1.1),
    "lstm": (1.3, 1.1), "gpt_block": (1.3, 1.1),
}


def sh(cmd, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        raise RuntimeError("%s failed (%d):\n%s%s" % (
            " ".join(cmd), p.returncode, p.stdout[-2000:], p.stderr[-4000:]))
    return p.stdout


def last_json(text):
    return json.loads(text.strip().splitlines()[-1])


def specs(model_dir, spec):
    out = []
    for i, s in enumerate(spec["inputs"]):
        dims = "x".join(str(d) for d in s["shape"]) or "1"
        out.append("%s:%s:%s" % (os.path.join(model_dir, "in%d.bin" % i), dims,
                                 s["dtype"]))
    return out


DRIVER = r"""#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include "model.h"
#include "timing.h"

static void *ws;
static void *in[%(nin)d];
static void *out[%(nout)d];

static void body(void *ctx) {
  (void)ctx;
  int s = model_forward_with_workspace(ws, model_workspace_size()%(args)s);
  if (s) { fprintf(stderr, "status %%d\n", s); exit(1); }
}

int main(int argc, char **argv) {
  const kiln_signature *sig = model_signature();
  int warmup = atoi(argv[1]), iters = atoi(argv[2]);
  for (int i = 0; i < %(nin)d; ++i) {
    size_t bytes = kiln_tensor_info_num_elements(&sig->inputs[i]) *
                   kiln_dtype_size(sig->inputs[i].dtype);
    in[i] = aligned_alloc(64, (bytes + 63) / 64 * 64);
    FILE *f = fopen(argv[3 + i], "rb");
    if (!f || fread(in[i], 1, bytes, f) != bytes) { fprintf(stderr, "bad input\n"); return 1; }
    fclose(f);
  }
  for (int i = 0; i < %(nout)d; ++i) {
    size_t bytes = kiln_tensor_info_num_elements(&sig->outputs[i]) *
                   kiln_dtype_size(sig->outputs[i].dtype);
    out[i] = aligned_alloc(64, (bytes + 63) / 64 * 64);
  }
  size_t size = model_workspace_size();
  ws = aligned_alloc(64, size ? (size + 63) / 64 * 64 : 64);
  double min_us, median_us;
  bench_time(body, 0, warmup, iters, &min_us, &median_us);
  printf("{\"min_us\": %%.3f, \"median_us\": %%.3f}\n", min_us, median_us);
  return 0;
}
"""


def build_kiln(model, src, work, input_shapes, threads, build_dir):
    """Compiles `src` (.pt or .mlir) and links the timing driver; returns
    the executable."""
    d = os.path.join(work, "kiln-%s-t%d" % (model, threads))
    os.makedirs(d, exist_ok=True)
    cmd = [os.path.join(build_dir, "bin", "kiln-compile"), src, "--name",
           "model", "-o", os.path.join(d, "model.o"), "--header",
           os.path.join(d, "model.h"), "--threads", str(threads)]
    for s in input_shapes:
        cmd += ["--input-shape", s]
    sh(cmd)
    header = open(os.path.join(d, "model.h")).read()
    nin = int(header.split("MODEL_NUM_INPUTS ")[1].split()[0])
    nout = int(header.split("MODEL_NUM_OUTPUTS ")[1].split()[0])
    args = "".join(", in[%d]" % i for i in range(nin)) + \
        "".join(", out[%d]" % i for i in range(nout))
    with open(os.path.join(d, "driver.c"), "w") as f:
        f.write(DRIVER % {"nin": nin, "nout": nout, "args": args})
    exe = os.path.join(d, "driver")
    sh(["cc", "-O2", "-std=c11", "-I", d, "-I", os.path.join(HERE, "peers"),
        "-I", os.path.join(ROOT, "runtime", "include"),
        os.path.join(d, "driver.c"), os.path.join(d, "model.o"),
        os.path.join(build_dir, "runtime", "libkiln_runtime.a"), "-lm",
        "-lpthread", "-o", exe])
    return exe


def run_kiln(exe, inputs, warmup, iters):
    return last_json(sh([exe, str(warmup), str(iters)] + inputs))


def kernel_mlir(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", default="1,2")
    p.add_argument("--only", default="mycell,mlp,resnet18,mobilenet_v2,lstm,gpt_block")
    p.add_argument("--iters", type=int, default=0,
                   help="timed calls per measurement (default: by model)")
    p.add_argument("--rounds", type=int, default=3,
                   help="turns each peer takes per model and thread count; "
                        "each keeps its lowest median (default 3)")
    p.add_argument("--kernels", action=argparse.BooleanOptionalAction, default=True)
    p.add_argument("--json", default=os.path.join(HERE, "results", "latest.json"))
    p.add_argument("--work", default=os.path.join(HERE, "work"))
    p.add_argument("--build", default=os.environ.get("KILN_BUILD_DIR",
                                                     os.path.join(ROOT, "build")))
    args = p.parse_args()
    threads = [int(t) for t in args.threads.split(",")]
    models = args.only.split(",") if args.only else []
    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    if not os.path.isdir(os.path.join(HERE, "node_modules", "onnxruntime-node")):
        sys.exit("bench: run bench/setup.sh first (OpenBLAS, onnxruntime-node)")
    sh(["cmake", "--build", args.build, "--target", "kiln-bench-libtorch",
        "kiln-bench-kernels", "kiln-compile", "kiln_runtime"])
    libtorch = os.path.join(args.build, "bench", "kiln-bench-libtorch")
    kernels = os.path.join(args.build, "bench", "kiln-bench-kernels")

    if models:
        sh([sys.executable, os.path.join(HERE, "models.py"), work, "--only",
            ",".join(models)])
    iters_for = {"mycell": 2000, "mlp": 100, "resnet18": 20, "mobilenet_v2": 50,
                 "lstm": 50, "gpt_block": 50}
    results = {"machine": {"cpu": cpu_name(), "cores": os.cpu_count(),
                           "python": platform.python_version()},
               "rounds": max(1, args.rounds),
               "models": [], "kernels": {}}
    for model in models:
        d = os.path.join(work, model)
        spec = json.load(open(os.path.join(d, "spec.json")))
        ins = specs(d, spec)
        shapes = ["x".join(str(x) for x in s["shape"]) + "x" + s["dtype"]
                  for s in spec["inputs"]]
        iters = args.iters or iters_for.get(model, 50)
        warmup = max(3, iters // 10)
        for t in threads:
            exe = build_kiln(model, os.path.join(d, "model.pt"), work, shapes, t,
                             args.build)
            row = {"model": model, "threads": t}
            # libtorch's BLAS (OpenBLAS) and OpenMP have their own thread
            # counts: hold them to the same number.
            env = dict(os.environ, OPENBLAS_NUM_THREADS=str(t),
                       OMP_NUM_THREADS=str(t), MKL_NUM_THREADS=str(t))
            runs = {
                "kiln": lambda: run_kiln(exe, [s.split(":")[0] for s in ins],
                                         warmup, iters),
                "libtorch": lambda: last_json(sh(
                    [libtorch, os.path.join(d, "model.pt"), str(t),
                     str(warmup), str(iters)] + ins, env=env)),
                "ort": lambda: last_json(sh(
                    ["node", os.path.join(HERE, "peers", "ort_bench.js"),
                     os.path.join(d, "model.onnx"), str(t), str(warmup),
                     str(iters)] + ins)),
            }
            for _ in range(max(1, args.rounds)):
                for peer, run in runs.items():
                    r = run()
                    best = row.get(peer)
                    medians = (best or {}).get("round_medians_us", [])
                    if best is None or r["median_us"] < best["median_us"]:
                        best = r
                    best["round_medians_us"] = medians + [r["median_us"]]
                    row[peer] = best
            results["models"].append(row)
            print_row(row, flush=True)

    if args.kernels:
        results["kernels"] = run_kernels(work, threads, kernels, args.build)
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w") as f:
        json.dump(results, f, indent=2)
    print()
    print(table(results))
    print("\nJSON: %s" % args.json)


def run_kernels(work, threads, kernels, build):
    out = {}
    ghz = last_json(sh([kernels, "clock"]))["ghz"]
    out["clock_ghz"] = ghz
    peak = last_json(sh([kernels, "peak"]))
    out["peak_gflops_per_core"] = peak["gflops"]
    out["peak_vector_bits"] = peak["vector_bits"]
    out["flop_per_cycle"] = peak["gflops"] / ghz
    out["issue_peak_gflops_per_core"] = ghz * ISSUE_FLOP_PER_CYCLE
    copy = last_json(sh([kernels, "copy", "64", "20"]))
    out["copy_gbps"] = copy["gbps"]
    kd = os.path.join(work, "kernels")
    os.makedirs(kd, exist_ok=True)
    out["sgemm"] = []
    for n in (256, 512, 1024):
        src = kernel_mlir(os.path.join(kd, "sgemm%d.mlir" % n), """
module attributes {kiln.model_name = "model"} {
  func.func @forward(%%a: tensor<%(n)dx%(n)dxf32> {kiln.name = "a"}, %%b: tensor<%(n)dx%(n)dxf32> {kiln.name = "b"}) -> tensor<%(n)dx%(n)dxf32> attributes {kiln.entry} {
    %%0 = kiln.matmul %%a, %%b : tensor<%(n)dx%(n)dxf32>, tensor<%(n)dx%(n)dxf32>
    return %%0 : tensor<%(n)dx%(n)dxf32>
  }
}
""" % {"n": n})
        data = os.path.join(kd, "m%d.bin" % n)
        with open(data, "wb") as f:
            f.write(bytes(4 * n * n))
        iters = {256: 50, 512: 20, 1024: 8}[n]
        for t in threads:
            exe = build_kiln("sgemm%d" % n, src, work, [], t, build)
            k = run_kiln(exe, [data, data], 2, iters)
            blas = last_json(sh([kernels, "sgemm", str(n), str(t), str(iters)],
                                env=dict(os.environ, OPENBLAS_NUM_THREADS=str(t))))
            flops = 2.0 * n ** 3
            out["sgemm"].append({
                "n": n, "threads": t,
                "kiln_gflops": flops / (k["min_us"] * 1e3),
                "openblas_gflops": blas["gflops"],
                "peak_gflops": t * out["peak_gflops_per_core"]})
    n = 16 * 1024 * 1024
    src = kernel_mlir(os.path.join(kd, "addtanh.mlir"), """
module attributes {kiln.model_name = "model"} {
  func.func @forward(%%a: tensor<%(n)dxf32> {kiln.name = "a"}, %%b: tensor<%(n)dxf32> {kiln.name = "b"}) -> tensor<%(n)dxf32> attributes {kiln.entry} {
    %%0 = kiln.add %%a, %%b : tensor<%(n)dxf32>, tensor<%(n)dxf32>
    %%1 = kiln.tanh %%0 : tensor<%(n)dxf32>
    return %%1 : tensor<%(n)dxf32>
  }
}
""" % {"n": n})
    data = os.path.join(kd, "v16m.bin")
    with open(data, "wb") as f:
        f.write(bytes(4 * n))
    out["add_tanh"] = []
    for t in threads:
        exe = build_kiln("addtanh", src, work, [], t, build)
        k = run_kiln(exe, [data, data], 2, 10)
        gbps = 3.0 * 4 * n / (k["min_us"] * 1e3)  # two reads, one write
        out["add_tanh"].append({"threads": t, "kiln_gbps": gbps,
                                "copy_gbps": out["copy_gbps"]})
    return out


def cpu_name():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def ratio(row, peer):
    return row[peer]["median_us"] / row["kiln"]["median_us"]


def print_row(row, flush=False):
    print("%-13s t=%d  kiln %10.4g us  libtorch %10.4g us (%.2fx)  ort %10.4g us (%.2fx)"
          % (row["model"], row["threads"], row["kiln"]["median_us"],
             row["libtorch"]["median_us"], ratio(row, "libtorch"),
             row["ort"]["median_us"], ratio(row, "ort")), flush=flush)


def mark(value, target):
    if target is None:
        return ""
    return " ok" if value >= target else " MISS"


def table(results):
    lines = ["machine: %s, %d cores" % (results["machine"]["cpu"],
                                        results["machine"]["cores"]), ""]
    lines.append("| model | threads | Kiln median (us) | libtorch (us) | ORT (us) | libtorch / Kiln | ORT / Kiln |")
    lines.append("|---|---|---|---|---|---|---|")
    for row in results["models"]:
        lt, ot = TARGETS.get(row["model"], (None, None))
        lines.append("| %s | %d | %.4g | %.4g | %.4g | %.2fx%s | %.2fx%s |" % (
            row["model"], row["threads"], row["kiln"]["median_us"],
            row["libtorch"]["median_us"], row["ort"]["median_us"],
            ratio(row, "libtorch"), mark(ratio(row, "libtorch"), lt),
            ratio(row, "ort"), mark(ratio(row, "ort"), ot)))
    k = results.get("kernels") or {}
    if k:
        lines += ["", "clock %.2f GHz; measured fp32 peak %.1f GFLOP/s per core "
                  "(%d-bit FMAs, %.0f FLOP/cycle); memcpy %.1f GB/s"
                  % (k["clock_ghz"], k["peak_gflops_per_core"],
                     k["peak_vector_bits"], k["flop_per_cycle"], k["copy_gbps"]), ""]
        lines.append("| kernel | threads | Kiln | peer | Kiln / peer | Kiln / peak |")
        lines.append("|---|---|---|---|---|---|")
        gflops = {(s["n"], s["threads"]): s["kiln_gflops"] for s in k["sgemm"]}
        for s in k["sgemm"]:
            r = s["kiln_gflops"] / s["openblas_gflops"]
            target = " (target 0.90)" if s["n"] == 1024 and s["threads"] == 1 else ""
            lines.append("| sgemm %d | %d | %.1f GFLOP/s | OpenBLAS %.1f GFLOP/s | %.2f%s | %.2f |" % (
                s["n"], s["threads"], s["kiln_gflops"], s["openblas_gflops"], r,
                target, s["kiln_gflops"] / s["peak_gflops"]))
        if (1024, 1) in gflops and (1024, 2) in gflops:
            lines.append("| sgemm 1024 scaling | 2 | %.2fx (target 1.8x) | | | |"
                         % (gflops[(1024, 2)] / gflops[(1024, 1)]))
        for a in k["add_tanh"]:
            lines.append("| add+tanh 16M | %d | %.1f GB/s | memcpy %.1f GB/s | %.2f (target 0.80) | |"
                         % (a["threads"], a["kiln_gbps"], a["copy_gbps"],
                            a["kiln_gbps"] / a["copy_gbps"]))
    return "\n".join(lines)


if __name__ == "__main__":
    main()
