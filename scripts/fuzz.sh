#!/usr/bin/env bash
# Builds Kiln's libFuzzer targets (clang-22, ASan + UBSan, in build/fuzz or
# $KILN_FUZZ_BUILD_DIR) and runs each on its corpus (docs/testing.md,
# "Fuzzing"). Exits 1 on the first target that finds a crash, a leak, a
# timeout or an out-of-memory; the input is left in WORK/artifacts. The
# reproducers of what earlier runs found (test/fuzz/regressions/TARGET) run
# first, every time.
#
#   scripts/fuzz.sh [--seconds N | --replay] [--work DIR] [--build-only] [TARGET...]
#
# TARGET: npy, input-shape, parse-ir, archive (default: all). --seconds is
# each target's time (default 15); --work keeps the corpora (default
# build/fuzz/work), so a long run grows them for the next. --replay only
# runs the seeds and the reproducers, without mutating.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${KILN_FUZZ_BUILD_DIR:-$root/build/fuzz}"
seconds=15
work=""
build_only=0
limit=()
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --build-only) build_only=1; shift ;;
    --replay) limit=(-runs=0); shift ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    npy|input-shape|parse-ir|archive) targets+=("$1"); shift ;;
    *) echo "fuzz.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=(npy input-shape parse-ir archive)
work="${work:-$build/work}"

if ! command -v clang++-22 >/dev/null; then
  echo "fuzz.sh: clang++-22 not found (apt install clang-22 libclang-rt-22-dev)" >&2
  exit 2
fi
if [ ! -f "$build/build.ninja" ]; then
  launcher=()
  if command -v ccache >/dev/null; then
    launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  fi
  cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    "${launcher[@]}" -DKILN_FUZZ=ON >/dev/null
fi
cmake --build "$build" --target kiln-fuzzers -j "$(nproc)"
[ "$build_only" -eq 0 ] || exit 0

mkdir -p "$work/artifacts"
if [ ! -d "$work/seeds" ]; then
  /usr/bin/python3 "$root/test/fuzz/make_seeds.py" "$root" "$work/seeds.tmp"
  mv "$work/seeds.tmp" "$work/seeds"
fi
# Leaks whose every frame is in libtorch are not Kiln's (lsan.supp says
# which); any report is fatal.
export LSAN_OPTIONS="suppressions=$root/test/sanitizers/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
for t in "${targets[@]}"; do
  corpus="$work/corpus/$t"
  mkdir -p "$corpus"
  log="$work/$t.log"
  what="for ${seconds}s"
  [ ${#limit[@]} -eq 0 ] || what="replaying seeds and reproducers"
  echo "fuzz.sh: $t $what (corpus $corpus, log $log)"
  # The target's CPU time (user + system seconds) goes to $work/$t.cpu.
  status=0
  TIMEFORMAT='%U %S'
  { time "$build/bin/kiln-fuzz-$t" "$corpus" "$work/seeds/$t" \
      "$root/test/fuzz/regressions/$t" \
      "${limit[@]:--max_total_time=$seconds}" -timeout=20 -rss_limit_mb=4096 \
      -max_len=65536 -print_final_stats=1 \
      -artifact_prefix="$work/artifacts/$t-" >"$log" 2>&1 || status=$?; } \
      2>"$work/$t.cpu"
  if [ "$status" -ne 0 ]; then
    grep -E "ERROR|SUMMARY|runtime error|Test unit written" "$log" | head -5 >&2
    echo "fuzz.sh: $t FAILED (log $log)" >&2
    exit 1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
  cpu=$(awk '{ printf "%.0f", $1 + $2 }' "$work/$t.cpu")
  echo "fuzz.sh: $t ok: ${runs:-?} runs, ${cov:-cov: ?}, ${cpu}s CPU, corpus $(ls "$corpus" | wc -l) inputs"
done
