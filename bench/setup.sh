#!/usr/bin/env bash
# Installs the benchmark's peers: Debian's OpenBLAS (libtorch's BLAS then
# is OpenBLAS instead of the reference BLAS, and cblas_sgemm is the sgemm
# peer) and ONNX Runtime's CPU build from npm (onnxruntime-node; its install
# script would download more and fails offline, so it is skipped:
# the package already bundles the Linux x64 library). Idempotent.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

packages=(libopenblas-dev)
# Node.js and npm may come from elsewhere than Debian; only their absence
# makes us install Debian's.
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)
"$here/../scripts/apt-install.sh" "bench setup" "${packages[@]}"

if [ ! -d "$here/node_modules/onnxruntime-node" ]; then
  echo "bench setup: npm install --ignore-scripts onnxruntime-node"
  (cd "$here" && npm install --ignore-scripts --no-audit --no-fund)
fi
echo "bench setup: peers ready"
