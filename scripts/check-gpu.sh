#!/usr/bin/env bash
# Device check of the gpu family on a machine with an NVIDIA GPU, in one command, within
# 5 minutes: the family's devices against nvidia-smi (tolerances only where the values
# move: utilisation, power, temperature, clocks, fan, memory used), and its CUDA uprobe
# counts against a workload with known launches, allocations and copies (exact).
# Needs root (uprobes), the built packages (npm run build), and nvcc or gcc.
# Exit: 0 all passed, 1 a comparison failed, 2 no NVIDIA GPU here.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi -L >/dev/null 2>&1; then
  echo "check-gpu: no NVIDIA GPU here (nvidia-smi is missing or lists no GPU); run this on a machine with one" >&2
  exit 2
fi
if [ "$(id -u)" != 0 ]; then
  echo "check-gpu: needs root (the CUDA runtime uprobes); run: sudo $0" >&2
  exit 1
fi
exec timeout --kill-after=10 300 node scripts/gpu-check/check-gpu.mjs
