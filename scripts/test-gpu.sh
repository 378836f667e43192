#!/usr/bin/env bash
# The one prepared command for a machine with an NVIDIA GPU: the CUDA lit
# tests (test/cuda, which need the cuda-device feature), then the CUDA
# benchmark (bench/cuda_bench.py). Logs and JSON go to ${OUT:-/tmp/kiln-gpu-out}.
#
#   scripts/test-gpu.sh            on the GPU machine
#   scripts/test-gpu.sh --prepare  here: compile into $build/gpu-bundle for a
#                                  GPU machine that cannot run kiln-compile
#
# Uses the build tree as it is ($KILN_BUILD_DIR or build/; never rebuilds),
# with paths relative to the repository root, wherever that lies. When
# kiln-compile runs on this machine, lit runs test/cuda (every test must run:
# UNSUPPORTED is a failure here) and the benchmark compiles, then measures.
# When it cannot (its LLVM/MLIR and libtorch libraries are missing), the
# prepared bundle runs instead: the same checks (cuda_model_check.py --phase
# run) and the benchmark's run phase. Exits 0 only if everything passed.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${KILN_BUILD_DIR:-$root/build}"
out="${OUT:-/tmp/kiln-gpu-out}"
bundle="$build/gpu-bundle"
work="${KILN_GPU_WORK:-/tmp/kiln-gpu-work}"  # big files: not under $OUT
# The bundle travels (64 MiB at most, with the tree): resnet18's weights are
# 47 MB per compiled copy, so it holds the tests' resnet18 (1x3x64x64) but
# not the benchmark's (batch 32, whose archive and input would travel too).
bundle_cases="mycell mlp resnet18 gpt_block"
bundle_rows="add_tanh,sgemm_1024,sgemm_2048,sgemm_4096,mycell,mlp,gpt_block"
mkdir -p "$out" "$work"
cd "$root" || exit 1

python=
for p in python3 /usr/bin/python3; do
  if "$p" -c 'import torch, numpy' >/dev/null 2>&1; then python="$p"; break; fi
done
[ -n "$python" ] || { echo "test-gpu: no python3 with torch and numpy"; exit 1; }
export PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
runtime_lib="$build/runtime/libkiln_runtime.a"
runtime_include="$root/runtime/include"
cc="${CC:-cc}"

if [ "${1:-}" = "--prepare" ]; then
  rm -rf "$bundle" && mkdir -p "$bundle/tests"
  status=0
  for c in $bundle_cases; do
    PATH="$build/bin:$PATH" "$python" test/lib/cuda_model_check.py "$c" "$bundle/tests/$c" \
      --phase prepare --cc "$cc" --runtime-lib "$runtime_lib" \
      --runtime-include "$runtime_include" || status=1
  done
  "$python" bench/cuda_bench.py --phase prepare --only "$bundle_rows" \
    --work "$bundle/bench" || status=1
  # What the run phases do not read: objects (linked in), the tests'
  # archives and .npy inputs (the drivers read in<i>.bin), kernel archives.
  find "$bundle" \( -name '*.o' -o -name 'cuda_driver.c' \) -delete
  rm -f "$bundle"/tests/*/model.pt "$bundle"/tests/*/input*.npy
  for r in add_tanh sgemm_1024 sgemm_2048 sgemm_4096; do rm -f "$bundle/bench/$r/model.pt"; done
  du -sh "$bundle"
  echo "carry ${bundle#$root/} (and build/runtime is not needed there)"
  exit $status
fi

{
  echo "== $(date -u '+%Y-%m-%d %H:%M:%S UTC') $(git rev-parse --short HEAD 2>/dev/null)"
  command -v nvidia-smi >/dev/null && nvidia-smi -L
  echo "python: $python ($("$python" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available())'))"
} 2>&1 | tee "$out/env.log"

# The driver probe of test/lit.cfg.py, with its reasons, for the log.
"$python" - <<'EOF' 2>&1 | tee -a "$out/env.log"
import ctypes, os
try:
    cuda = ctypes.CDLL(os.environ.get("KILN_CUDA_DRIVER") or "libcuda.so.1")
    n = ctypes.c_int(0)
    print("cuda probe: cuInit", cuda.cuInit(0), "cuDeviceGetCount",
          cuda.cuDeviceGetCount(ctypes.byref(n)), "devices", n.value)
except OSError as e:
    print("cuda probe: cannot load the driver:", e)
EOF

status=0
if "$build/bin/kiln-compile" --version >"$out/kiln-compile.log" 2>&1; then
  mode=full
else
  mode=bundle
  echo "test-gpu: kiln-compile cannot run here ($(head -n 1 "$out/kiln-compile.log")); using $bundle"
  [ -d "$bundle" ] || { echo "test-gpu: FAIL: no $bundle (make it with scripts/test-gpu.sh --prepare where kiln-compile runs, and carry it)"; exit 1; }
fi

if [ "$mode" = full ]; then
  lit=
  for l in /usr/lib/llvm-22/bin/lit "$(command -v lit || true)"; do
    [ -n "$l" ] && [ -x "$l" ] && { lit="$l"; break; }
  done
  filecheck="$(dirname "${lit:-/usr/lib/llvm-22/bin/lit}")"
  [ -n "$lit" ] || { echo "test-gpu: FAIL: lit not found"; exit 1; }
  # A site config for wherever the tree lies now (the build's own names the
  # paths it was configured at).
  site="$work/lit-site/test"
  mkdir -p "$site"
  cat >"$site/lit.site.cfg.py" <<EOF
import os
config.kiln_src_root = "$root"
config.kiln_obj_root = "$build"
config.kiln_tools_dir = "$build/bin"
config.llvm_tools_dir = "$filecheck"
config.python_executable = "$(command -v "$python")"
config.c_compiler = "$(command -v "$cc")"
config.runtime_lib = "$runtime_lib"
config.runtime_include = "$runtime_include"
lit_config.load_config(config, os.path.join(config.kiln_src_root, "test", "lit.cfg.py"))
EOF
  echo "== lit test/cuda"
  "$lit" -v "$site/cuda" 2>&1 | tee "$out/lit-cuda.log"
  lit_status=${PIPESTATUS[0]}
  if grep -q "^UNSUPPORTED:" "$out/lit-cuda.log"; then
    echo "test-gpu: FAIL: test/cuda was UNSUPPORTED: lit did not find the cuda-device feature (see the cuda probe above)"
    status=1
  elif ! grep -q "^PASS: Kiln :: cuda/" "$out/lit-cuda.log" || [ "$lit_status" -ne 0 ]; then
    echo "test-gpu: FAIL: lit test/cuda exited with $lit_status"
    status=1
  fi
  echo "== bench/cuda_bench.py"
  "$python" bench/cuda_bench.py --work "$work/bench" --json "$out/cuda-latest.json" \
    2>&1 | tee "$out/bench.log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || { echo "test-gpu: FAIL: cuda_bench.py"; status=1; }
else
  echo "== cuda_model_check.py --phase run (prepared: $bundle_cases)"
  for c in $bundle_cases; do
    "$python" test/lib/cuda_model_check.py "$c" "$bundle/tests/$c" --phase run \
      2>&1 | tee -a "$out/model-checks.log"
    [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  done
  echo "== bench/cuda_bench.py --phase run (prepared rows: $bundle_rows)"
  "$python" bench/cuda_bench.py --phase run --only "$bundle_rows" --work "$bundle/bench" \
    --json "$out/cuda-latest.json" 2>&1 | tee "$out/bench.log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || { echo "test-gpu: FAIL: cuda_bench.py"; status=1; }
fi
cp "$out/cuda-latest.json" "$root/bench/results/cuda-latest.json" 2>/dev/null
echo "test-gpu: $([ $status -eq 0 ] && echo PASS || echo FAIL) ($mode mode; logs in $out)"
exit $status
