#!/usr/bin/env bash
# One run on a lent GPU machine: the cuda-marked tests, then the benchmark on the GPU, with and
# without the captured CUDA graph, then the batched sweep's members-per-second curve. Logs and JSON land in $OUT (default runs/gpu).
# The data travels inside the repo: .gpu/mnist holds the four MNIST IDX .gz files. .gpu/ is
# git-ignored, so the run must carry it: run(command="bash scripts/gpu_check.sh", carry=[".gpu"]).
# The GPU box has torch, torchvision, Pillow, rich, pytest and numpy (no textual, no torchinfo).
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-runs/gpu}
mkdir -p "$OUT"
PY=${PYTHON:-$(command -v python || command -v python3)}
export MNIST_TUI_DATA="$PWD/.gpu/mnist"

{
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
  "$PY" -c "import sys, torch; print(sys.version); print('torch', torch.__version__)"
  "$PY" -c "import PIL; print('Pillow', PIL.__version__)" 2>&1 | tail -1
} > "$OUT/env.txt" 2>&1
cat "$OUT/env.txt"

status=0
timeout 300 "$PY" -m pytest -m cuda tests/test_cuda.py tests/test_sweep_batched.py -q -rs \
  -p no:cacheprovider \
  2>&1 | tee "$OUT/pytest-cuda.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

for graph in "" "--no-cuda-graph"; do
  name=bench-cuda${graph:+-eager}
  timeout 180 "$PY" -m tui bench --device cuda --data-dir "$MNIST_TUI_DATA" $graph \
    --json "$OUT/$name.json" 2>&1 | tee "$OUT/$name.log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
done
# Sweeps: members per second for 1, 4, 16 and 64 members batched against one run after another
# (the issue's target: 16 members of the recipe in at most 2x the time of one run).
timeout 240 "$PY" -m scripts.bench_sweep --device cuda --counts 1,4,16,64 --epochs 5 --repeats 1 \
  --data-dir "$MNIST_TUI_DATA" 2>&1 | tee "$OUT/bench-sweep-cuda.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
exit $status
