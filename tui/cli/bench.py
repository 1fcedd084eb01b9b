"""`mnist-tui bench`: the notebook's pipeline against the fast path, its figures kept as JSON."""

from __future__ import annotations

import argparse

from tui.cli.common import fail, import_torch, is_output_error
from tui.cli.config_flags import checked_config


def run_bench(args: argparse.Namespace) -> int:
    """Run the benchmark, print the figures and write them as JSON."""
    config = checked_config(args)
    if config is None:
        return 2
    from core.printer import EventPrinter

    bars = EventPrinter(lines=False)  # the report's own lines say what is timed
    try:
        bars.starting("importing torch ...")
        import_torch()
        from core.bench import run_benchmark, write_json
        from core.runs.paths import runs_dir

        bars.starting(f"loading {config.dataset} ...")
        result = run_benchmark(
            config, notebook_epochs=args.notebook_epochs, say=bars.line, on_event=bars
        )
    except KeyboardInterrupt:
        bars.close()
        raise
    except Exception as err:  # DataError, ConfigError, a failed run: one line each
        bars.close()
        if isinstance(err, OSError) and is_output_error(err):
            raise  # main() names standard output
        return fail(str(err) or type(err).__name__)
    device = "cuda" if result.device.startswith("cuda") else "cpu"
    try:
        # Unless asked, beside the runs: not ./runs in whatever folder the user stands in.
        path = write_json(result, args.json or runs_dir() / f"bench-{device}.json")
    except OSError as err:  # the figures are already on screen above
        return fail(f"cannot write the figures to {err.filename}: {err.strerror}")
    print(f"figures written to {path}")
    return 0
