"""Write tests/data/synthetic.pt, the model the Evaluate snapshots and screenshots show.

`python -m scripts.snapshot_model`. A committed file, not one trained per test run: training
rounds differently on CPUs with and without AVX-512 (94.60% against 94.70% here), and a
picture must not depend on the machine that takes it. Retrain only on purpose, then look at
every Evaluate snapshot and screenshot it changes.
"""

from __future__ import annotations

from pathlib import Path

MODEL = Path(__file__).resolve().parents[1] / "tests" / "data" / "synthetic.pt"


def main() -> None:
    from core.config import TrainConfig
    from core.data import load_splits
    from core.train import fit

    # 3 epochs, seed 0, the plain torch step (so no C build is needed to reproduce it).
    config = TrainConfig(
        dataset="synthetic", epochs=3, device="cpu", threads=1, seed=0, cpu_kernels=False
    )
    result = fit(config, data=load_splits("synthetic"), save=MODEL)
    print(f"{MODEL}: {result.outcome}")


if __name__ == "__main__":
    main()
