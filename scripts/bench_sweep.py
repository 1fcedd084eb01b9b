"""Batched sweep against sequential runs: `python -m scripts.bench_sweep [options]`.

For each member count, `repeats` rounds alternate the batched group (core.sweep.batched)
and the same members trained one after another with fit(), all in this one process on the
same device and data; it prints every round's ratio (their spread shows how noisy the machine
is) and the best times' ratio, then members a second for each count (batched, best round).

    python -m scripts.bench_sweep --device cpu --threads 2 --counts 1,2,4,8 --repeats 3
    python -m scripts.bench_sweep --device cuda --counts 1,4,16,64 --epochs 5
"""

from __future__ import annotations

import argparse
import statistics

from core.config import TrainConfig
from core.data import load_splits
from core.sweep.bench import bench_sweep, spread_lrs


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--counts", default="1,2,4,8")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--sequential-threads", type=int, default=None, help="threads of the sequential runs"
    )
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--dataset", default="mnist")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--train-images", type=int, default=None, help="first N only")
    args = parser.parse_args(argv)

    base = TrainConfig(
        device=args.device, threads=args.threads, dataset=args.dataset, data_dir=args.data_dir
    )
    train, test = load_splits(args.dataset, args.data_dir)
    if args.train_images:
        from dataclasses import replace

        train = replace(train, images=train.images[: args.train_images],
                        labels=train.labels[: args.train_images])  # fmt: skip
    alone = args.sequential_threads or args.threads
    print(f"{base.device}, {args.threads} thread(s) batched, {alone} a sequential run, "
          f"{len(train.labels)} training images, "
          f"{args.epochs} epoch(s), best of {args.repeats}")  # fmt: skip
    curve = []
    for count in (int(c) for c in args.counts.split(",")):
        configs = spread_lrs(base, count)
        rounds = [
            bench_sweep(
                configs,
                (train, test),
                epochs=args.epochs,
                sequential_threads=args.sequential_threads,
            )
            for _ in range(args.repeats)
        ]
        batched = min(r.batched_s for r in rounds)
        sequential = min(r.sequential_s for r in rounds)
        ratios = [r.ratio for r in rounds]
        print(
            f"{count:3d} member(s): batched {batched:7.2f} s, sequential {sequential:7.2f} s, "
            f"best/best {sequential / batched:4.2f}x; rounds "
            + " ".join(f"{x:.2f}x" for x in ratios)
            + f" (median {statistics.median(ratios):.2f}x)",
            flush=True,
        )
        curve.append((count, count * args.epochs / batched))
    print("member-epochs a second (batched): "
          + ", ".join(f"{count}: {rate:.2f}" for count, rate in curve))  # fmt: skip


if __name__ == "__main__":
    main()
