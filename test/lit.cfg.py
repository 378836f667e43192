# lit configuration for Kiln's tests.
import os
import lit.formats

config.name = "Kiln"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".mlir", ".test", ".py", ".c"]
config.excludes = ["lit.cfg.py", "lit.site.cfg.py", "Inputs", "lib", "sanitizers", "unit",
                   "make_seeds.py", "include", "regressions"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.kiln_obj_root, "test")

config.environment["PATH"] = os.pathsep.join(
    [config.kiln_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", os.environ["PATH"])])
# Tests trace models with PyTorch at test time; keep it deterministic and
# quiet, and keep the user's site packages out.
config.environment["PYTHONDONTWRITEBYTECODE"] = "1"
config.environment["OMP_NUM_THREADS"] = "1"
config.environment["PYTHONPATH"] = os.path.join(config.test_source_root, "lib")

config.substitutions.append(("%python", config.python_executable))
# A KILN_SANITIZE build instruments the runtime, so the C programs the
# tests link against it need the sanitizer's flags too: %cc is then a
# wrapper that adds them. Reports abort (-fno-sanitize-recover), failing
# the test; leaks inside libtorch are suppressed (test/sanitizers/).
cc = config.c_compiler
if config.sanitize:
    os.makedirs(config.test_exec_root, exist_ok=True)
    cc = os.path.join(config.test_exec_root, "kiln-cc")
    with open(cc, "w") as f:
        f.write('#!/bin/sh\nexec %s %s "$@"\n' % (config.c_compiler, config.sanitize_cflags))
    os.chmod(cc, 0o755)
    config.available_features.add("sanitize")
    supp = os.path.join(config.test_source_root, "sanitizers")
    config.environment["ASAN_OPTIONS"] = "detect_leaks=1:abort_on_error=0:exitcode=86"
    config.environment["LSAN_OPTIONS"] = "suppressions=%s/lsan.supp:print_suppressions=0" % supp
    config.environment["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1:suppressions=%s/ubsan.supp" % supp
    config.environment["TSAN_OPTIONS"] = "halt_on_error=1:exitcode=86:suppressions=%s/tsan.supp" % supp
config.substitutions.append(("%cc", cc))
config.substitutions.append(("%kiln_runtime_lib", config.runtime_lib))
config.substitutions.append(("%kiln_runtime_include", config.runtime_include))
config.substitutions.append(("%kiln_src", config.kiln_src_root))
config.substitutions.append(("%kiln_obj", config.kiln_obj_root))
config.substitutions.append(("%test_lib", os.path.join(config.test_source_root, "lib")))

# ptxas (CUDA toolkit) validates the PTX of the CUDA backend where it is
# installed; nothing requires it.
import shutil
ptxas = shutil.which("ptxas") or (
    "/usr/local/cuda/bin/ptxas" if os.access("/usr/local/cuda/bin/ptxas", os.X_OK) else None)
if ptxas:
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", ptxas))
else:
    config.substitutions.append(("%ptxas", "none"))


# The libFuzzer targets (test/fuzz, scripts/fuzz.sh) need clang-22 and its
# fuzzer runtime (libclang-rt-22-dev); scripts/setup.sh installs both.
import glob
if shutil.which("clang++-22") and glob.glob(
        "/usr/lib/llvm-22/lib/clang/*/lib/*/libclang_rt.fuzzer*.a"):
    config.available_features.add("libfuzzer")

# valgrind memchecks compiled models (test/e2e/valgrind-models.test).
if shutil.which("valgrind"):
    config.available_features.add("valgrind")

# The CUDA driver's environment reaches the tests (lit passes only what
# config.environment holds).
for var in ("KILN_CUDA_DRIVER", "CUDA_VISIBLE_DEVICES"):
    if var in os.environ:
        config.environment[var] = os.environ[var]

# `cuda-device`: the CUDA driver loads (libcuda.so.1, or $KILN_CUDA_DRIVER
# as the runtime looks it up), cuInit(0) succeeds and it sees a device.
# Probed in a child process, so a missing or broken driver only leaves the
# feature out.
_CUDA_PROBE = r"""
import ctypes, os, sys
try:
    cuda = ctypes.CDLL(os.environ.get("KILN_CUDA_DRIVER") or "libcuda.so.1")
    count = ctypes.c_int(0)
    ok = (cuda.cuInit(0) == 0 and cuda.cuDeviceGetCount(ctypes.byref(count)) == 0
          and count.value > 0)
except (OSError, AttributeError):
    ok = False
sys.exit(0 if ok else 1)
"""


def _cuda_device_present():
    import subprocess
    import sys
    try:
        return subprocess.run([sys.executable, "-c", _CUDA_PROBE],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              timeout=60).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


if _cuda_device_present():
    config.available_features.add("cuda-device")
