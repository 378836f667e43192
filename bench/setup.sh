#!/usr/bin/env bash
# Installs the benchmark's peers: Debian's OpenBLAS (libtorch's BLAS then
# is OpenBLAS instead of the reference BLAS, and cblas_sgemm is the sgemm
# peer) and ONNX Runtime's CPU build from npm (onnxruntime-node; its install
# script would download more and fails offline, so it is skipped:
# the package already bundles the Linux x64 library). Idempotent.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

packages=(libopenblas-dev nodejs npm)
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    # Node may come from elsewhere than Debian; only its absence matters.
    if [ "$p" = nodejs ] && command -v node >/dev/null; then continue; fi
    if [ "$p" = npm ] && command -v npm >/dev/null; then continue; fi
    missing+=("$p")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "bench setup: installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ ! -d "$here/node_modules/onnxruntime-node" ]; then
  echo "bench setup: npm install --ignore-scripts onnxruntime-node"
  (cd "$here" && npm install --ignore-scripts --no-audit --no-fund)
fi
echo "bench setup: peers ready"
