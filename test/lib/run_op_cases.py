"""Runs the op cases of op_cases.py through kiln-run and compares with PyTorch.

    run_op_cases.py --group NAME [--case SUBSTR] --work DIR [--jobs N]
                    [--kiln-flag FLAG ...] [--cuda-compile]

For each case of the group (whose name contains SUBSTR): seeds torch from the
case's name, traces the module (in eval mode) into DIR/<case>/model.pt,
writes the inputs as DIR/<case>/input<i>.npy and PyTorch's outputs as
DIR/<case>/expected<j>.npy, runs `kiln-run` (from PATH) with --output-dir
DIR/<case>/out, and checks every output's shape, dtype and values
(|actual - expected| <= 1e-4 + 1e-4 * |expected|; bool and integer outputs
exactly). Prints one line per case, `PASS <group>/<case>` or
`FAIL <group>/<case>: <reason>`, then `<group>: N passed, M failed`; exits
1 if any case failed, 2 on a bad command line. A case whose reason starts
with "harness:" failed before kiln-run ran (in PyTorch or tracing).
With --cuda-compile each case is compiled with `kiln-compile --target=cuda`
instead (plus the --kiln-flag flags, e.g. --ptxas=...) and passes when it
compiles.
"""
import argparse
import concurrent.futures
import os
import re
import shutil
import signal
import subprocess
import sys
import traceback
import warnings
import zlib

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import op_cases  # noqa: E402

ATOL = 1e-4
RTOL = 1e-4
TIMEOUT_S = 120


class CaseFailure(Exception):
    pass


def flatten(outputs):
    """forward's outputs flattened depth-first, as kiln-run writes them."""
    flat = []

    def visit(o):
        if isinstance(o, (tuple, list)):
            for e in o:
                visit(e)
        elif isinstance(o, torch.Tensor):
            flat.append(o)
        else:
            raise CaseFailure("harness: output of type %s is not a tensor"
                              % type(o).__name__)

    visit(outputs)
    return flat


def dense(tensor):
    """A C-ordered copy; unlike np.ascontiguousarray it keeps 0-d arrays 0-d."""
    return np.array(tensor.detach().numpy(), order="C")


def seed_for(qualified_name):
    return zlib.crc32(qualified_name.encode("utf-8"))


def prepare(group, name, func, case_dir):
    """Traces the case and writes model.pt, input*.npy, expected*.npy.
    Returns (input paths, expected arrays)."""
    torch.manual_seed(seed_for(group + "/" + name))
    module, inputs = func()
    if not isinstance(inputs, tuple):
        inputs = (inputs,)
    module = module.eval()
    with torch.no_grad(), warnings.catch_warnings():
        # Tracer warnings about constants are expected for ops like
        # x.view(x.size(0), -1); the archive is what Kiln compiles.
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        traced = torch.jit.trace(module, inputs)
        traced.save(os.path.join(case_dir, "model.pt"))
        expected = flatten(traced(*inputs))
    if func.kind:
        check_kind(func.kind, os.path.join(case_dir, "model.pt"))
    input_paths = []
    for i, t in enumerate(inputs):
        path = os.path.join(case_dir, "input%d.npy" % i)
        np.save(path, dense(t))
        input_paths.append(path)
    expected = [dense(t) for t in expected]
    for j, e in enumerate(expected):
        np.save(os.path.join(case_dir, "expected%d.npy" % j), e)
    return input_paths, expected


def check_kind(kind, path):
    """Fails unless `kind` is in the archive's graph as the importer sees it
    (frozen and inlined: freezing drops some kinds, eval-mode dropout for
    one)."""
    frozen = torch.jit.freeze(torch.jit.load(path).eval(), optimize_numerics=False)
    graph = frozen.graph
    torch._C._jit_pass_inline(graph)
    kinds = sorted({node.kind() for node in graph.nodes()})
    if kind not in kinds:
        raise CaseFailure("harness: the case declares kind %s but its graph has %s"
                          % (kind, ", ".join(kinds)))


def first_error_line(text, model_path):
    lines = [l.rstrip() for l in text.splitlines() if l.strip()]
    if not lines:
        return ""
    line = lines[0]
    # "...: the model uses N TorchScript op kinds Kiln does not support:"
    # is followed by one indented line per op ("  aten::exp x2 at LOC, ..."):
    # keep the first in full and name the others.
    if line.endswith(":"):
        details = []
        for l in lines[1:]:
            if not l[:1].isspace():
                break
            details.append(l.strip())
        if details:
            line += " " + details[0]
            others = [" ".join(d.split()[:2]) for d in details[1:]]
            if others:
                line += "; also " + ", ".join(others)
    return line.replace(model_path, "model.pt")


# Extra kiln-run flags for every case (--kiln-flag, e.g. --emulate-gpu-mapping).
KILN_FLAGS = []


def run_tool(cmd, model):
    """Runs a kiln tool on a case; raises CaseFailure with its first error."""
    tool = cmd[0]
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise CaseFailure("%s timed out after %d s" % (tool, TIMEOUT_S))
    except OSError as e:
        raise CaseFailure("harness: cannot run %s: %s" % (tool, e))
    stderr = proc.stderr.decode("utf-8", "replace")
    stdout = proc.stdout.decode("utf-8", "replace")
    message = first_error_line(stderr, model) or first_error_line(stdout, model)
    if proc.returncode < 0:
        # A crash's first line is often LLVM's "PLEASE submit a bug report";
        # an assertion or error line says more.
        for line in stderr.splitlines():
            if re.search(r"Assertion|error", line):
                message = line.strip().replace(model, "model.pt")
                break
        try:
            sig = signal.Signals(-proc.returncode).name
        except ValueError:
            sig = "signal %d" % -proc.returncode
        raise CaseFailure("%s crashed (%s)%s" % (tool, sig, ": " + message if message else ""))
    if proc.returncode != 0:
        raise CaseFailure(message or "%s exited with status %d and no message"
                          % (tool, proc.returncode))
    return stdout


def run_kiln(case_dir, input_paths):
    model = os.path.join(case_dir, "model.pt")
    out_dir = os.path.join(case_dir, "out")
    cmd = ["kiln-run", model] + KILN_FLAGS
    for p in input_paths:
        cmd += ["--input", p]
    cmd += ["--output-dir", out_dir, "-q"]
    run_tool(cmd, model)
    return out_dir


# numpy dtype -> Kiln's spelling in --input-shape.
KILN_DTYPES = {"float32": "f32", "float64": "f64", "float16": "f16", "int64": "i64",
               "int32": "i32", "int16": "i16", "int8": "i8", "bool": "bool"}


def input_shape_flags(input_paths):
    """--input-shape flags describing the case's inputs."""
    flags = []
    for p in input_paths:
        a = np.load(p)
        dims = "x".join(str(d) for d in a.shape)
        dtype = KILN_DTYPES.get(a.dtype.name)
        if dtype is None:
            raise CaseFailure("harness: no Kiln dtype for %s" % a.dtype.name)
        flags += ["--input-shape", (dims + "x" if dims else "") + dtype]
    return flags


def check_imports(case_dir, input_paths, imports):
    """The case's `imports` lines appear, in order, in its kiln IR."""
    model = os.path.join(case_dir, "model.pt")
    ir = run_tool(["kiln-import", model, "--ir-only"] + input_shape_flags(input_paths),
                  model)
    with open(os.path.join(case_dir, "model.mlir"), "w") as f:
        f.write(ir)
    at = 0
    for line in imports:
        found = ir.find(line, at)
        if found < 0:
            raise CaseFailure("kiln-import: the IR has no %r%s (see %s)"
                              % (line, " after the lines before it" if at else "",
                                 os.path.join(case_dir, "model.mlir")))
        at = found + len(line)


def compile_cuda_case(case_dir, input_paths, expected, imports=(),
                      cuda_error=None):
    """CUDA mode: the case compiles with kiln-compile --target=cuda to an
    object (and, with ptxas, a cubin); a case declaring cuda_error= must
    instead fail with an error containing it."""
    model = os.path.join(case_dir, "model.pt")
    obj = os.path.join(case_dir, "model.cuda.o")
    cmd = ["kiln-compile", model, "--target=cuda", "-o", obj] + KILN_FLAGS
    if cuda_error:
        try:
            run_tool(cmd + input_shape_flags(input_paths), model)
        except CaseFailure as e:
            if cuda_error in str(e):
                return
            raise CaseFailure("expected an error with %r, got: %s" % (cuda_error, e))
        raise CaseFailure("compiled for CUDA, but the case declares the error %r"
                          % cuda_error)
    run_tool(cmd + input_shape_flags(input_paths), model)
    if not os.path.getsize(obj):
        raise CaseFailure("kiln-compile wrote an empty object")


def index_str(a, flat_index):
    if a.ndim == 0:
        return "()"
    return str(tuple(int(i) for i in np.unravel_index(flat_index, a.shape)))


def compare(j, actual, expected):
    what = "output%d" % j
    if actual.shape != expected.shape:
        raise CaseFailure("%s: shape %s, expected %s" % (what, actual.shape, expected.shape))
    if actual.dtype != expected.dtype:
        raise CaseFailure("%s: dtype %s, expected %s" % (what, actual.dtype, expected.dtype))
    if expected.size == 0:
        return
    a = actual.reshape(-1)
    e = expected.reshape(-1)
    if expected.dtype.kind in "biu":
        bad = np.nonzero(a != e)[0]
        if bad.size:
            k = bad[0]
            raise CaseFailure("%s: %d of %d elements differ, first at %s (got %s, expected %s)"
                              % (what, bad.size, e.size, index_str(expected, k), a[k], e[k]))
        return
    a64 = a.astype(np.float64)
    e64 = e.astype(np.float64)
    with np.errstate(invalid="ignore"):
        err = np.abs(a64 - e64)
        tol = ATOL + RTOL * np.abs(e64)
        both_nan = np.isnan(a64) & np.isnan(e64)
        same_inf = np.isinf(e64) & (a64 == e64)
        ok = (err <= tol) | both_nan | same_inf
    if ok.all():
        return
    # The worst element: NaN or infinite error first, then the largest
    # excess over the tolerance.
    excess = np.where(ok, -np.inf, np.nan_to_num(err - tol, nan=np.inf, posinf=np.inf))
    k = int(np.argmax(excess))
    raise CaseFailure("%s: %d of %d elements off, max error %.3g at %s (got %.7g, expected %.7g; "
                      "tolerance %g + %g * |expected|)"
                      % (what, int((~ok).sum()), e.size, err[k], index_str(expected, k),
                         a64[k], e64[k], ATOL, RTOL))


def prepare_case(group, name, func, work):
    """Traces the case into work/name; returns (case dir, inputs, expected,
    import lines)."""
    case_dir = os.path.join(work, name)
    try:
        shutil.rmtree(case_dir, ignore_errors=True)
        os.makedirs(case_dir)
        input_paths, expected = prepare(group, name, func, case_dir)
    except CaseFailure:
        raise
    except Exception as e:
        # The case itself (PyTorch, tracing, writing files) failed: the
        # suite's fault, not Kiln's.
        traceback.print_exc(file=sys.stderr)
        message = str(e).splitlines()[0] if str(e) else ""
        raise CaseFailure("harness: %s: %s" % (type(e).__name__, message))
    return case_dir, input_paths, expected, func.imports, func.cuda_error


def check_case(case_dir, input_paths, expected, imports=(), cuda_error=None):
    """Checks a prepared case's import lines, runs kiln-run on it and
    compares its outputs."""
    if imports:
        check_imports(case_dir, input_paths, imports)
    out_dir = run_kiln(case_dir, input_paths)
    for j, e in enumerate(expected):
        path = os.path.join(out_dir, "output%d.npy" % j)
        if not os.path.exists(path):
            raise CaseFailure("output%d.npy missing (%d outputs expected)" % (j, len(expected)))
        try:
            actual = np.load(path)
        except Exception as ex:
            raise CaseFailure("output%d.npy unreadable: %s" % (j, ex))
        compare(j, actual, e)
    extra = os.path.join(out_dir, "output%d.npy" % len(expected))
    if os.path.exists(extra):
        raise CaseFailure("more outputs than PyTorch's %d" % len(expected))


def outcome(step, *args):
    """None when step(*args) passes, else the reason it failed."""
    try:
        step(*args)
    except CaseFailure as e:
        return str(e)
    except Exception as e:
        traceback.print_exc(file=sys.stderr)
        return "harness: %s: %s" % (type(e).__name__, e)
    return None


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--group", required=True, help="one of: " + ", ".join(op_cases.CASES))
    p.add_argument("--case", default="", metavar="SUBSTR",
                   help="only the cases whose name contains SUBSTR")
    p.add_argument("--work", required=True, metavar="DIR",
                   help="where each case's archive, inputs and outputs go")
    p.add_argument("--jobs", type=int, default=2, metavar="N",
                   help="kiln-run processes at once (default: 2)")
    p.add_argument("--kiln-flag", action="append", default=[], metavar="FLAG",
                   help="pass FLAG to every kiln-run (kiln-compile with "
                        "--cuda-compile; repeatable), e.g. "
                        "--kiln-flag=--emulate-gpu-mapping")
    p.add_argument("--cuda-compile", action="store_true",
                   help="instead of running each case, check that it compiles "
                        "with kiln-compile --target=cuda")
    args = p.parse_args()
    KILN_FLAGS.extend(args.kiln_flag)
    step = compile_cuda_case if args.cuda_compile else check_case
    if args.group not in op_cases.CASES:
        p.error("unknown group %r (groups: %s)" % (args.group, ", ".join(op_cases.CASES)))
    cases = [(n, f) for n, f in op_cases.CASES[args.group].items() if args.case in n]
    if not cases:
        p.error("no case of group %r matches %r" % (args.group, args.case))
    if args.jobs < 1:
        p.error("--jobs must be at least 1")
    os.makedirs(args.work, exist_ok=True)
    torch.set_num_threads(1)
    # Tracing stays on this thread; kiln-run (most of the time) runs in a
    # pool. Results are printed in case order.
    pending = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for name, func in cases:
            try:
                prepared = prepare_case(args.group, name, func, args.work)
            except CaseFailure as e:
                pending.append((name, str(e)))
            else:
                pending.append((name, pool.submit(outcome, step, *prepared)))
        passed = failed = 0
        for name, result in pending:
            reason = result.result() if isinstance(result, concurrent.futures.Future) else result
            qualified = "%s/%s" % (args.group, name)
            if reason is None:
                passed += 1
                print("PASS %s" % qualified, flush=True)
            else:
                failed += 1
                print("FAIL %s: %s" % (qualified, reason), flush=True)
    print("%s: %d passed, %d failed" % (args.group, passed, failed), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
