"""Compiles one model with `kiln-compile --target=cuda` and checks, on CUDA
device 0 through a generated C driver, that NAME_cuda_forward_host gives
PyTorch's outputs, and the same outputs bit for bit on a second call.

    cuda_model_check.py CASE WORK --cc CC --runtime-lib LIB --runtime-include DIR
                        [--phase all|prepare|run] [--allow-skip]
                        [--no-cpu-check] [--cuda-flag FLAG ...]

CASE is a model case of op_cases.py (CASES["models"]: mlp, resnet18,
gpt_block, ...) or `mycell` (examples/mycell/mycell.py). The case is traced
as run_op_cases.py does (same seed, same files: WORK/model.pt,
input<i>.npy, expected<j>.npy), compiled to WORK/model.o + model.h, and
linked with a generated driver (WORK/cuda_driver.c) that reads the inputs
as raw files, calls model_cuda_init(0, ...) and model_cuda_forward_host
twice and writes the outputs raw. Each output must match PyTorch's within
run_op_cases.py's tolerance (|got - ref| <= 1e-4 + 1e-4 |ref|, the one of
model_check.py's driver). The CPU backend's outputs (kiln-run, from PATH)
are compared too and their largest difference from the GPU's printed, for
diagnosis only: both sides are already held to PyTorch.

--phase prepare does everything that needs kiln-compile and PyTorch
(tracing, compiling, linking, the CPU run) and --phase run what needs the
GPU (the driver and the comparisons), so a machine without Kiln's build
dependencies can run a WORK prepared elsewhere; `all` (default) does both.

Prints `PASS CASE`, or `FAIL CASE: reason`. When no CUDA driver or device
is found it prints `SKIP CASE: <status>` and exits 0 with --allow-skip,
else 1.
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

# Exit status of the generated driver when init finds no driver or device.
DRIVER_SKIP = 3
NAME = "model"  # --name of every compiled model: model.h, model_cuda_*
GROUP = "models"  # run_op_cases.py's seed is crc32(GROUP/CASE)

# kiln_dtype (runtime.h) -> numpy dtype.
KILN_DTYPE_NUMPY = {1: "float32", 2: "float64", 3: "float16", 5: "int8",
                    6: "int16", 7: "int32", 8: "int64", 9: "uint8", 10: "bool"}


class Failure(Exception):
    pass


def case_names():
    import op_cases
    return sorted(list(op_cases.CASES["models"]) + ["mycell"])


def model_func(case, size=None, batch=None):
    """A function returning (module, inputs) for CASE, as op_cases' are.
    size: the image size of torchvision models; batch: replaces the first
    dimension of every input (fresh values of the same kind: uniform [0, 1)
    or normal floats like the case's, integers in the case's range), for
    benchmarks. The weights do not depend on either."""
    import op_cases
    import torch
    if case == "mycell":
        import kiln_testing
        base = kiln_testing.MODELS["mycell"]

        def func():
            return base[0](), base[1]()
    elif size is not None and case in op_cases.CASES["models"]:
        import torchvision
        if not hasattr(torchvision.models, case):
            raise Failure("--size is for torchvision models; %s is not one" % case)

        def func():
            return op_cases.torchvision_model(case, size)
    elif case in op_cases.CASES["models"]:
        func = op_cases.CASES["models"][case]
    else:
        raise Failure("unknown case %r (cases: %s)" % (case, ", ".join(case_names())))
    if batch is None:
        return func

    def batched():
        module, inputs = func()
        if not isinstance(inputs, tuple):
            inputs = (inputs,)
        out = []
        for t in inputs:
            shape = (batch,) + tuple(t.shape[1:])
            if t.dtype.is_floating_point:
                fresh = torch.rand(shape) if float(t.min()) >= 0 else torch.randn(shape)
                out.append(fresh.to(t.dtype))
            else:
                out.append(torch.randint(int(t.min()), int(t.max()) + 1, shape,
                                         dtype=t.dtype))
        return module, tuple(out)
    return batched


def trace_case(case, work, size=None, batch=None):
    """Traces CASE into WORK as run_op_cases.prepare does; also writes the
    inputs raw (in<i>.bin). Returns (input arrays, expected arrays)."""
    import run_op_cases
    try:
        paths, expected = run_op_cases.prepare(GROUP, case, model_func(case, size, batch), work)
    except run_op_cases.CaseFailure as e:
        raise Failure(str(e))
    inputs = [np.load(p) for p in paths]
    for i, a in enumerate(inputs):
        np.ascontiguousarray(a).tofile(os.path.join(work, "in%d.bin" % i))
    return inputs, expected


def input_shape_flags(inputs):
    import run_op_cases
    flags = []
    for a in inputs:
        dims = "x".join(str(d) for d in a.shape)
        dtype = run_op_cases.KILN_DTYPES.get(a.dtype.name)
        if dtype is None:
            raise Failure("no Kiln dtype for input of dtype %s" % a.dtype.name)
        flags += ["--input-shape", (dims + "x" if dims else "") + dtype]
    return flags


def compile_cuda(pt, inputs, work, name=NAME, extra=(), kiln_compile="kiln-compile"):
    """kiln-compile --target=cuda: WORK/NAME.o and WORK/NAME.h; returns the
    compile report (--report=json)."""
    obj = os.path.join(work, name + ".o")
    cmd = [kiln_compile, pt, "--target=cuda", "--name", name, "-o", obj,
           "--header", os.path.join(work, name + ".h"), "--report=json"]
    cmd += input_shape_flags(inputs) + list(extra)
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise Failure("cannot run kiln-compile: %s" % e)
    if p.returncode != 0:
        lines = [l for l in p.stderr.splitlines() if l.strip()]
        raise Failure("kiln-compile --target=cuda exited with %d: %s"
                      % (p.returncode, lines[0] if lines else "no message"))
    try:
        return json.loads(p.stdout)
    except ValueError:
        return {}


DRIVER = r"""/* Generated by cuda_model_check.py: runs %(name)s on CUDA device 0
 * through %(name)s_cuda_forward_host twice.
 *   driver DIR   reads DIR/in<i>.bin, writes DIR/cuda_out<j>.bin (first
 *   call) and DIR/cuda_out<j>_call2.bin (second call); prints the output
 *   signature. Exit: 0 ok, 1 failure, %(skip)d no CUDA driver or device. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "%(name)s.h"

#define NUM_IN %(nin)d
#define NUM_OUT %(nout)d

static void *load(const char *dir, const char *file, size_t bytes) {
  char path[4096];
  snprintf(path, sizeof path, "%%s/%%s", dir, file);
  FILE *f = fopen(path, "rb");
  if (!f)
    return fprintf(stderr, "cannot open %%s\n", path), NULL;
  void *data = malloc(bytes ? bytes : 1);
  size_t got = fread(data, 1, bytes, f);
  int extra = fgetc(f) != EOF;
  fclose(f);
  if (got != bytes || extra)
    return fprintf(stderr, "%%s: not %%zu bytes as the signature says\n", path,
                   bytes), NULL;
  return data;
}

static int save(const char *dir, const char *file, const void *data,
                size_t bytes) {
  char path[4096];
  snprintf(path, sizeof path, "%%s/%%s", dir, file);
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(data, 1, bytes, f) != bytes)
    return fprintf(stderr, "cannot write %%s\n", path), 0;
  return fclose(f) == 0;
}

static size_t bytes_of(const kiln_tensor_info *t) {
  return (size_t)kiln_tensor_info_num_elements(t) * kiln_dtype_size(t->dtype);
}

int main(int argc, char **argv) {
  if (argc != 2)
    return fprintf(stderr, "usage: %%s DIR\n", argv[0]), 1;
  const char *dir = argv[1];
  const kiln_signature *sig = %(name)s_signature();
  if (sig->num_inputs != NUM_IN || sig->num_outputs != NUM_OUT)
    return fprintf(stderr, "signature: %%lld inputs, %%lld outputs; expected "
                   "%%d, %%d\n", (long long)sig->num_inputs,
                   (long long)sig->num_outputs, NUM_IN, NUM_OUT), 1;
  void *in[NUM_IN], *out[NUM_OUT], *out2[NUM_OUT];
  char file[64];
  for (int i = 0; i < NUM_IN; ++i) {
    snprintf(file, sizeof file, "in%%d.bin", i);
    if (!(in[i] = load(dir, file, bytes_of(&sig->inputs[i]))))
      return 1;
  }
  for (int j = 0; j < NUM_OUT; ++j) {
    const kiln_tensor_info *t = &sig->outputs[j];
    size_t bytes = bytes_of(t);
    printf("output %%d dtype %%d shape", j, t->dtype);
    for (int d = 0; d < t->rank; ++d)
      printf(" %%lld", (long long)t->shape[d]);
    printf("\n");
    /* 0xff bytes (NaN for floats): every element must be written. */
    memset(out[j] = malloc(bytes ? bytes : 1), 0xff, bytes);
    memset(out2[j] = malloc(bytes ? bytes : 1), 0xff, bytes);
  }
  kiln_cuda_model *m = NULL;
  int status = %(name)s_cuda_init(0, &m);
  if (status == KILN_STATUS_NO_CUDA_DRIVER ||
      status == KILN_STATUS_NO_CUDA_DEVICE) {
    printf("init: %%s\n", kiln_status_string(status));
    return %(skip)d;
  }
  if (status != KILN_STATUS_OK || !m)
    return printf("init failed: %%s: %%s\n", kiln_status_string(status),
                  kiln_cuda_last_error()), 1;
  for (int call = 1; call <= 2; ++call) {
    void **o = call == 1 ? out : out2;
    status = %(name)s_cuda_forward_host(m%(args)s);
    if (status != KILN_STATUS_OK) {
      printf("forward_host call %%d failed: %%s: %%s\n", call,
             kiln_status_string(status), kiln_cuda_last_error());
      %(name)s_cuda_release(m);
      return 1;
    }
  }
  %(name)s_cuda_release(m);
  for (int j = 0; j < NUM_OUT; ++j) {
    size_t bytes = bytes_of(&sig->outputs[j]);
    snprintf(file, sizeof file, "cuda_out%%d.bin", j);
    if (!save(dir, file, out[j], bytes))
      return 1;
    snprintf(file, sizeof file, "cuda_out%%d_call2.bin", j);
    if (!save(dir, file, out2[j], bytes))
      return 1;
  }
  printf("forward_host: 2 calls ok\n");
  return 0;
}
"""


def write_driver(work, nin, nout, name=NAME):
    args = "".join(", in[%d]" % i for i in range(nin))
    args += "".join(", o[%d]" % j for j in range(nout))
    path = os.path.join(work, "cuda_driver.c")
    with open(path, "w") as f:
        f.write(DRIVER % {"name": name, "nin": nin, "nout": nout, "args": args,
                          "skip": DRIVER_SKIP})
    return path


def link(cc, sources, out, runtime_lib, runtime_include, include_dir, shared=False):
    cmd = [cc, "-std=c11", "-O1", "-Wall", "-Werror", "-I", include_dir, "-I",
           runtime_include] + sources
    if shared:
        # Every runtime entry point, not only those the objects use, so
        # callers (ctypes) find kiln_status_string and friends.
        cmd += ["-shared", "-Wl,--whole-archive", runtime_lib, "-Wl,--no-whole-archive"]
    else:
        cmd += [runtime_lib]
    cmd += ["-lm", "-lpthread", "-ldl", "-o", out]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise Failure("linking %s failed (%s exited with %d): %s"
                      % (os.path.basename(out), cc, p.returncode, p.stderr.strip()[-2000:]))


def prepare(args):
    import run_op_cases
    work = args.work
    inputs, expected = trace_case(args.case, work)
    report = compile_cuda(os.path.join(work, "model.pt"), inputs, work,
                          extra=args.cuda_flag)
    print("compiled for CUDA: %d kernels" % report.get("num_kernels", -1))
    driver = write_driver(work, len(inputs), len(expected))
    link(args.cc, [driver, os.path.join(work, NAME + ".o")],
         os.path.join(work, "cuda_driver"), args.runtime_lib,
         args.runtime_include, work)
    cpu = False
    if args.cpu_check:
        try:
            run_op_cases.run_kiln(work, [os.path.join(work, "input%d.npy" % i)
                                         for i in range(len(inputs))])
            cpu = True
        except run_op_cases.CaseFailure as e:
            # Not a CUDA failure: the CPU backend is checked by its own tests.
            print("cpu backend: kiln-run failed (%s); not compared" % e)
    with open(os.path.join(work, "cuda_case.json"), "w") as f:
        json.dump({"case": args.case, "num_inputs": len(inputs),
                   "num_outputs": len(expected), "cpu_outputs": cpu}, f)


def load_output(work, stem, signature, j):
    """A raw output the driver wrote, typed and shaped by the signature."""
    dtype_code, shape = signature[j]
    if dtype_code not in KILN_DTYPE_NUMPY:
        raise Failure("output%d: unknown kiln dtype %d" % (j, dtype_code))
    return np.fromfile(os.path.join(work, stem),
                       dtype=KILN_DTYPE_NUMPY[dtype_code]).reshape(shape)


def run(args):
    """Runs the prepared driver and compares; False when it skipped."""
    import run_op_cases
    work = args.work
    manifest_path = os.path.join(work, "cuda_case.json")
    if not os.path.exists(manifest_path):
        raise Failure("%s missing: run --phase prepare first" % manifest_path)
    with open(manifest_path) as f:
        manifest = json.load(f)
    if manifest["case"] != args.case:
        raise Failure("%s was prepared for %s" % (work, manifest["case"]))
    try:
        p = subprocess.run([os.path.join(work, "cuda_driver"), work],
                           capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise Failure("cannot run the driver: %s" % e)
    sys.stdout.write(p.stdout)
    sys.stderr.write(p.stderr)
    if p.returncode == DRIVER_SKIP:
        status = p.stdout.strip().splitlines()[-1].split("init: ", 1)[-1]
        print("SKIP %s: %s" % (args.case, status))
        return False
    if p.returncode != 0:
        lines = (p.stdout + p.stderr).strip().splitlines()
        raise Failure("driver exited with %d%s" % (
            p.returncode, ": " + lines[-1] if lines else ""))
    signature = []
    for line in p.stdout.splitlines():
        if line.startswith("output "):
            words = line.split()
            signature.append((int(words[3]), tuple(int(d) for d in words[5:])))
    nout = manifest["num_outputs"]
    if len(signature) != nout:
        raise Failure("driver printed %d output signatures, expected %d"
                      % (len(signature), nout))
    for j in range(nout):
        expected = np.load(os.path.join(work, "expected%d.npy" % j))
        first = load_output(work, "cuda_out%d.bin" % j, signature, j)
        second = load_output(work, "cuda_out%d_call2.bin" % j, signature, j)
        try:
            run_op_cases.compare(j, first, expected)
        except run_op_cases.CaseFailure as e:
            raise Failure("vs PyTorch: %s" % e)
        err = float(np.max(np.abs(first.astype(np.float64) - expected))) if expected.size else 0.0
        print("output%d: %s %s, max abs error vs PyTorch %.3g (tolerance %g + %g * |expected|)"
              % (j, first.dtype, "x".join(map(str, first.shape)), err,
                 run_op_cases.ATOL, run_op_cases.RTOL))
        if first.tobytes() != second.tobytes():
            bits = [a.reshape(-1, 1).view(np.uint8) for a in (first, second)]
            differ = int(np.sum(np.any(bits[0] != bits[1], axis=1)))
            raise Failure("output%d: the second forward_host call differs from the first "
                          "in %d of %d elements" % (j, differ, first.size))
        print("output%d: second call identical" % j)
        cpu_path = os.path.join(work, "out", "output%d.npy" % j)
        if manifest.get("cpu_outputs") and os.path.exists(cpu_path):
            cpu = np.load(cpu_path)
            if cpu.shape == first.shape:
                diff = float(np.max(np.abs(first.astype(np.float64) - cpu))) if cpu.size else 0.0
                print("output%d: max abs difference from the CPU backend %.3g" % (j, diff))
            else:
                print("output%d: CPU backend shape %s differs" % (j, cpu.shape))
    return True


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("case")
    p.add_argument("work")
    p.add_argument("--cc", default="cc")
    p.add_argument("--runtime-lib")
    p.add_argument("--runtime-include")
    p.add_argument("--phase", choices=["all", "prepare", "run"], default="all")
    p.add_argument("--allow-skip", action="store_true",
                   help="exit 0 when there is no CUDA driver or device")
    p.add_argument("--no-cpu-check", dest="cpu_check", action="store_false",
                   help="do not run the CPU backend (kiln-run) for comparison")
    p.add_argument("--cuda-flag", action="append", default=[], metavar="FLAG",
                   help="extra kiln-compile flag, e.g. --cuda-flag=--ptxas=none")
    args = p.parse_args()
    if args.case not in case_names():
        p.error("unknown case %r (cases: %s)" % (args.case, ", ".join(case_names())))
    if args.phase != "run" and not (args.runtime_lib and args.runtime_include):
        p.error("--runtime-lib and --runtime-include are needed to prepare")
    os.makedirs(args.work, exist_ok=True)
    try:
        if args.phase in ("all", "prepare"):
            prepare(args)
        if args.phase == "prepare":
            print("PREPARED %s" % args.case)
            return 0
        if not run(args):
            return 0 if args.allow_skip else 1
        print("PASS %s" % args.case)
        return 0
    except Failure as e:
        print("FAIL %s: %s" % (args.case, e))
        return 1


if __name__ == "__main__":
    sys.exit(main())
