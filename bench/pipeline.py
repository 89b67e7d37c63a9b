"""Benchmarks: print throughput figures of the pipeline's stages on this machine.

    uv run python -m bench.pipeline                       # generator, landing, verification (no services)
    uv run python -m bench.pipeline --load                # + PostgreSQL and MongoDB loads (make services)
    uv run python -m bench.pipeline --flow                # + one whole flow run, per-stage seconds

Speed is measured here, never asserted in tests: figures vary with the machine and its load.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def timed(repeat: int, call: Callable[[], T]) -> tuple[float, T]:
    """Median seconds over `repeat` calls, and the last result."""
    seconds, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), result  # type: ignore[return-value]


def report(name: str, seconds: float, rows: int) -> None:
    print(f"{name:<28} {seconds:8.2f} s  {rows:>11,} rows  {rows / seconds:>12,.0f} rows/s")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--movimentos", type=int, default=1_000_000)
    parser.add_argument("--associados", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--load", action="store_true", help="also load into the configured services")
    parser.add_argument("--flow", action="store_true", help="also run the whole flow once")
    args = parser.parse_args()

    from tasks.generate.generator import GenerationConfig, generate
    from tasks.landing.verification import verify_batch
    from tasks.landing.writer import write_batch

    config = GenerationConfig(associados=args.associados, movimentos=args.movimentos, seed=900)
    seconds, tables = timed(args.repeat, lambda: generate(config))
    total = sum(table.num_rows for table in tables.values())
    report("generate (all tables)", seconds, total)
    print(f"{'  movimento rate':<28} {args.movimentos / seconds:>43,.0f} movimento rows/s")

    with tempfile.TemporaryDirectory() as scratch:
        landing = Path(scratch)
        seconds, batch_dir = timed(args.repeat, lambda: write_batch(landing, "bench", tables, {"seed": 900}))
        report("land CSV + manifest", seconds, total)
        seconds, batch = timed(args.repeat, lambda: verify_batch(batch_dir))
        report("verify batch", seconds, total)

        if args.load:
            from tasks.load.mongo import load_mongo
            from tasks.load.postgres import load_postgres
            from tasks.secrets import mongo_uri, postgres_dsn
            from tasks.settings import get_settings

            settings = get_settings()
            master = total - args.movimentos
            for attempt in ("first", "repeat"):
                seconds, _ = timed(1, lambda: load_postgres(postgres_dsn(settings), batch))
                report(f"load postgres ({attempt})", seconds, master)
                seconds, _ = timed(
                    1,
                    lambda: load_mongo(
                        mongo_uri(settings), "sicooperative_bench", batch, settings.load_chunk_rows
                    ),
                )
                report(f"load mongo ({attempt})", seconds, args.movimentos)

    if args.flow:
        from flows.main import configure_locations
        from flows.pipeline import sicooperative_pipeline

        with tempfile.TemporaryDirectory() as scratch:
            configure_locations(f"{scratch}/landing", f"{scratch}/output")
            summary = sicooperative_pipeline(associados=args.associados, movimentos=args.movimentos, seed=901)
        for stage, seconds in summary["stage_seconds"].items():
            report(f"flow: {stage}", seconds, summary["stage_rows"].get(stage, 0) or 1)


if __name__ == "__main__":
    main()
