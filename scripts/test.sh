#!/usr/bin/env bash
# Sets up and builds Kiln, then runs the whole test suite (lit + FileCheck:
# dialect, import, passes, lowering, end-to-end against PyTorch) and ends
# with a line "N passed, N failed".
#
#   scripts/test.sh [lit args...]     e.g. scripts/test.sh --filter e2e
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${KILN_BUILD_DIR:-$root/build}"

"$root/scripts/setup.sh" || { echo "0 passed, 1 failed"; exit 1; }

lit=/usr/lib/llvm-22/bin/lit
log="$build/test-results.log"
"$lit" -sv --time-tests "$build/test" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

count() { sed -n "s/^ *$1 *: *\([0-9]*\).*/\1/p" "$log" | tail -n 1; }
passed=$(count Passed)
failed=$(( $(count Failed || true) + 0 ))
for kind in Unresolved "Unexpectedly Passed" Timed\ Out; do
  n=$(count "$kind")
  failed=$(( failed + ${n:-0} ))
done
passed=${passed:-0}
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
