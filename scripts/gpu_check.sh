#!/usr/bin/env bash
# One run on a lent GPU machine, most important first: the cuda-marked tests (the app's Train
# screen on CUDA among them), the app's epoch against headless on CUDA at 120x40 and 80x24 (with
# a screenshot of each), then the benchmark with and without the captured CUDA graph; with
# SWEEP=1 (or ONLY=sweep) also the batched sweep's members-per-second curve. Everything printed
# goes to $OUT/gpu-check.log (default runs/gpu); the benchmark's JSON and screenshots beside it.
# ONLY="tests app" runs only those groups (tests, app, bench, sweep) for a short rerun.
#
# The data travels inside the repo: .gpu/mnist holds the four MNIST IDX .gz files. The GPU box
# has torch, torchvision, Pillow, rich, pytest and numpy but no textual: the app's packages go as
# wheels in .whl (README, "On a GPU machine"). Both folders are git-ignored, so the run carries
# them: run(command="bash scripts/gpu_check.sh", carry=[".gpu", ".whl"]).
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-runs/gpu}
mkdir -p "$OUT"
LOG="$OUT/gpu-check.log"
PY=${PYTHON:-$(command -v python || command -v python3)}
export MNIST_TUI_DATA="$PWD/.gpu/mnist" PYTHONUNBUFFERED=1
status=0

ONLY=${ONLY:-tests app bench}
[ "${SWEEP:-0}" = 1 ] && ONLY="$ONLY sweep"
wanted() { [[ " $ONLY " == *" $1 "* ]]; }

step() {  # step NAME SECONDS COMMAND...: run it with a time limit, its output into the log
  local name=$1 limit=$2
  shift 2
  echo "=== $name: $*" | tee -a "$LOG"
  local start=$SECONDS
  timeout "$limit" "$@" 2>&1 | tee -a "$LOG"
  local rc=${PIPESTATUS[0]}
  echo "=== $name: exit $rc after $((SECONDS - start)) s" | tee -a "$LOG"
  [ "$rc" -eq 0 ] || status=1
}

if [ -d .whl ] && ! "$PY" -c "import textual" 2>/dev/null; then
  "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/site .whl/*.whl || exit 1
  export PYTHONPATH=/tmp/site${PYTHONPATH:+:$PYTHONPATH}
fi

{
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
  nproc
  "$PY" -c "import sys, torch; print(sys.version); print('torch', torch.__version__)"
  "$PY" -c "import textual, pytest; print('textual', textual.__version__, 'pytest', pytest.__version__)"
} 2>&1 | tee -a "$LOG"

wanted tests && step tests 240 "$PY" -m pytest -m cuda -q -rs -p no:cacheprovider tests/test_cuda.py \
  tests/test_sweep_batched.py tests/test_train_cuda_app.py
wanted tests && step system-tests 60 "$PY" -m pytest -q -rs -p no:cacheprovider tests/test_system.py
for size in 120x40 80x24; do
  wanted app || break
  step "app-epoch-$size" 150 "$PY" -m scripts.app_epoch --device cuda --epochs 10 --rounds 3 \
    --size "$size" --data-dir "$MNIST_TUI_DATA" --screenshot "$OUT/train-cuda-$size.svg"
done
for graph in "" "--no-cuda-graph"; do
  wanted bench || break
  name=bench-cuda${graph:+-eager}
  step "$name" 180 "$PY" -m tui bench --device cuda --data-dir "$MNIST_TUI_DATA" $graph \
    --json "$OUT/$name.json"
done
if wanted sweep; then
  # Members per second for 1, 4, 16 and 64 members batched against one run after another.
  step bench-sweep 240 "$PY" -m scripts.bench_sweep --device cuda --counts 1,4,16,64 \
    --epochs 5 --repeats 1 --data-dir "$MNIST_TUI_DATA"
fi
exit $status
