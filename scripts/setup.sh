#!/usr/bin/env bash
# Installs what Kiln needs on Debian 12 (idempotent: only missing packages),
# then configures and builds Kiln in build/ (or $KILN_BUILD_DIR).
#
#   scripts/setup.sh            install + configure + build
#   KILN_BUILD_TYPE=Debug scripts/setup.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${KILN_BUILD_DIR:-$root/build}"
build_type="${KILN_BUILD_TYPE:-Release}"

packages=(
  build-essential cmake ninja-build pkg-config
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools
  libtorch-dev python3-torch python3-torchvision python3-numpy
  libcli11-dev zlib1g-dev libzstd-dev
  clang-22 libclang-rt-22-dev
)

"$root/scripts/apt-install.sh" "kiln setup" "${packages[@]}"

cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE="$build_type" \
  -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++ >/dev/null
cmake --build "$build" -j "$(nproc)"
# The libFuzzer targets (clang, ASan + UBSan) that test/fuzz/fuzz.test runs.
KILN_FUZZ_BUILD_DIR="$build/fuzz" "$root/scripts/fuzz.sh" --build-only >/dev/null
echo "kiln setup: built in $build (tools in $build/bin, fuzzers in $build/fuzz/bin)"
