"""Command line: `python -m flows.main [--movimentos N] [--seed S] [--batch PATH] ...`.

With no PREFECT_API_URL configured, Prefect starts a temporary local server for the run.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m flows.main",
        description="Run the SiCooperative pipeline end to end: generate (or take) a batch, load it into "
        "PostgreSQL and MongoDB, extract with Spark, mask, join, gate with Great Expectations, export "
        "Delta/Parquet/CSV.",
    )
    parser.add_argument("--associados", type=int, default=5_000, help="associados to generate (default 5000)")
    parser.add_argument(
        "--movimentos", type=int, default=100_000, help="movimentos to generate (default 100000)"
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=42,
        help="random seed 0-999; also selects the batch's id block (default 42)",
    )
    parser.add_argument(
        "--landing", help="landing folder for batches (default SICOOP_LANDING_DIR or data/landing)"
    )
    parser.add_argument("--output", help="output folder (default SICOOP_OUTPUT_DIR or data/output)")
    parser.add_argument(
        "--batch", metavar="PATH", help="process this already-landed batch folder instead of generating one"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    from flows.pipeline import sicooperative_pipeline

    state = sicooperative_pipeline(
        associados=args.associados,
        movimentos=args.movimentos,
        seed=args.seed,
        landing=args.landing,
        output=args.output,
        batch=args.batch,
        return_state=True,
    )
    return 0 if state.is_completed() else 1


if __name__ == "__main__":
    sys.exit(main())
