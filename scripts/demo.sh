#!/usr/bin/env bash
# The main job on the built-in example: sets up and builds Kiln, traces the
# tutorial's MyCell with PyTorch, compiles it with kiln-compile to an object
# file, links it into a small C program with Kiln's runtime, runs it and
# prints its outputs beside PyTorch's.
#
#   scripts/demo.sh [--seed N]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${KILN_BUILD_DIR:-$root/build}"
seed=0
if [ "${1:-}" = "--seed" ]; then seed="${2:?--seed needs a value}"; fi

"$root/scripts/setup.sh"

work="$build/demo"
rm -rf "$work" && mkdir -p "$work"
python=/usr/bin/python3

echo
echo "== 1. trace MyCell with PyTorch (seed $seed)"
"$python" "$root/examples/mycell/mycell.py" "$work" --seed "$seed"
echo "   $work/mycell.pt"

echo "== 2. kiln-compile mycell.pt -> mycell.o + mycell.h"
"$build/bin/kiln-compile" "$work/mycell.pt" \
  --input-shape x=3x4xf32 --input-shape h=3x4xf32 \
  -o "$work/mycell.o" --header "$work/mycell.h"

echo "== 3. link a C program with the object and libkiln_runtime.a"
cc -std=c11 -O2 -I"$work" -I"$root/runtime/include" \
  "$root/examples/mycell/main.c" "$work/mycell.o" \
  "$build/runtime/libkiln_runtime.a" -lm -o "$work/mycell_demo"

echo "== 4. run it (no Python, no libtorch) and compare with PyTorch"
"$work/mycell_demo" "$work/x.bin" "$work/h.bin" "$work"
"$python" "$root/examples/mycell/compare.py" "$work"
