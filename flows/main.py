"""Command line: `python -m flows.main [--movimentos N] [--seed S] [--batch PATH] [--landing X] [--output Y]`.

`--landing` and `--output` configure this process (as SICOOP_LANDING_DIR and SICOOP_OUTPUT_DIR would): the flow
itself takes neither as a parameter, so deployed runs always use their worker's configuration.
With no PREFECT_API_URL configured, Prefect starts a temporary local server for the run.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from flows.parameters import PipelineParameters
from tasks.settings import get_settings

LANDING_VARIABLE = "SICOOP_LANDING_DIR"
OUTPUT_VARIABLE = "SICOOP_OUTPUT_DIR"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    defaults = PipelineParameters()
    parser = argparse.ArgumentParser(
        prog="python -m flows.main",
        description="Run the SiCooperative pipeline end to end: generate (or take) a batch, load it into "
        "PostgreSQL and MongoDB, extract with Spark, mask, join, gate with Great Expectations, export "
        "Delta/Parquet/CSV.",
    )
    parser.add_argument(
        "--associados",
        type=int,
        default=defaults.associados,
        help=f"associados to generate (default {defaults.associados})",
    )
    parser.add_argument(
        "--movimentos",
        type=int,
        default=defaults.movimentos,
        help=f"movimentos to generate (default {defaults.movimentos})",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=defaults.seed,
        help=f"random seed 0-999; also selects the batch's id block (default {defaults.seed})",
    )
    parser.add_argument(
        "--landing",
        help=f"landing folder or s3://bucket/prefix for this run (sets {LANDING_VARIABLE}; default "
        "its value, or data/landing)",
    )
    parser.add_argument(
        "--output",
        help=f"output folder or s3://bucket/prefix for this run (sets {OUTPUT_VARIABLE}; default its "
        "value, or data/output)",
    )
    parser.add_argument(
        "--batch",
        metavar="PATH",
        help="process this already-landed batch instead of generating one: its folder name in the landing, "
        "or its path or s3:// URI directly inside the landing",
    )
    return parser.parse_args(argv)


def configure_locations(landing: str | None, output: str | None) -> None:
    """Point this process's settings at `landing` and `output` (those given), as their environment variables
    would, and drop the cached settings so the flow reads them."""
    for variable, value in ((LANDING_VARIABLE, landing), (OUTPUT_VARIABLE, output)):
        if value is not None:
            os.environ[variable] = value
    get_settings.cache_clear()


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        parameters = PipelineParameters(
            associados=args.associados, movimentos=args.movimentos, seed=args.seed, batch=args.batch
        )
    except ValidationError as error:
        problems = "; ".join(f"--{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        print(f"python -m flows.main: {problems}", file=sys.stderr)
        return 2
    configure_locations(args.landing, args.output)
    # Spark's start (10-20 s) overlaps the imports below and the run's start; the run attaches its lineage later.
    from tasks.spark_session import start_in_background

    start_in_background()
    from flows.pipeline import sicooperative_pipeline

    state = sicooperative_pipeline(**parameters.model_dump(), return_state=True)
    return 0 if state.is_completed() else 1


if __name__ == "__main__":
    sys.exit(main())
