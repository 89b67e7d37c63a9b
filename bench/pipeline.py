"""The pipeline's benchmarks, printed side by side (never asserted in tests: figures vary with the machine).

    uv run python -m bench.pipeline                    # everything below (make bench)
    uv run python -m bench.pipeline --only flow        # one part: flow, naive, floor, series
    uv run python -m bench.pipeline --movimentos 200000 --series 4 --series-movimentos 50000

1. flow: one batch (default 1,000,000 movimentos) end to end through the real flow, seconds per stage, and the
   Spark jobs and bytes read per stage (Spark's event log).
2. naive: the same batch through a baseline following the earlier implementation's steps (bench/naive.py).
3. floor: the same batch's transform in DuckDB, one process (bench/floor.py).
   Printed as ratios: naive / flow (goal >= 2, issue 19), flow's transform span / floor (goal <= 10).
4. series: ten batches of 100,000 into one output, seconds per run: the tenth against the first (goal <= 1.1).

Run with the local services (`make bench` starts them, including a Prefect server, so no run pays a start-up).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flows.pipeline import RunSummary

BENCH_MONGO_DATABASE = "sicooperative_bench"
TRANSFORM_SPAN = (
    "extract",
    "mask_and_join",
    "quality_gate",
    "drift_check",
    "export",
    "leak_proof",
    "publish",
)


def seed_for(movimentos: int, associados: int) -> int:
    """A seed per batch shape: the same seed with other sizes would give the same master ids other owners,
    which the sources' foreign keys rightly refuse."""
    return 800 + (movimentos * 7 + associados) % 97


def land(landing: Path, movimentos: int, associados: int, seed: int) -> Path:
    from tasks.generate.generator import GenerationConfig, generate
    from tasks.generate.task import batch_id_for
    from tasks.landing.writer import write_batch

    config = GenerationConfig(associados=associados, movimentos=movimentos, seed=seed)
    return write_batch(landing, batch_id_for(config), generate(config), {"seed": seed})


def run_flow(batch: Path, output: Path) -> RunSummary:
    from flows.main import configure_locations
    from flows.pipeline import sicooperative_pipeline

    configure_locations(str(batch.parent), str(output))
    state = sicooperative_pipeline(batch=batch.name, return_state=True)
    if not state.is_completed():
        raise SystemExit(f"the flow failed: {state.message}")
    result: RunSummary = state.result()
    return result


def fresh_sources() -> None:
    """The benchmarks load their own PostgreSQL and MongoDB databases, emptied first: a run's figures should not
    depend on what other runs left (a stand-in's store keeps every earlier batch in memory; master ids of the
    same seed with another batch shape would have other owners, which the foreign keys rightly refuse)."""
    import psycopg2
    from dotenv import dotenv_values

    from tasks.clients.mongo import mongo_client
    from tasks.secrets import mongo_uri
    from tasks.settings import get_settings

    local = {key: value for key, value in dotenv_values(".local/services.env").items() if value}
    dsn = os.environ.get("SICOOP_BENCH_POSTGRES_DSN") or local.get("SICOOP_BENCH_POSTGRES_DSN")
    if not dsn:
        raise SystemExit("no benchmark database: run `make services` (it creates sicoop_bench)")
    connection = psycopg2.connect(dsn)
    with connection, connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS extract_cartao, cartao, conta, associado CASCADE")
        cursor.execute("DROP TYPE IF EXISTS tipo_conta")
    connection.close()
    os.environ["SICOOP_POSTGRES_DSN"] = dsn
    os.environ["SICOOP_MONGO_DATABASE"] = BENCH_MONGO_DATABASE
    get_settings.cache_clear()
    with mongo_client(mongo_uri(get_settings())) as client:
        client.drop_database(BENCH_MONGO_DATABASE)


def print_stages(title: str, seconds: dict[str, float], rows: int) -> None:
    print(f"\n{title}")
    for stage, value in seconds.items():
        print(f"  {stage:<26} {value:8.2f} s")
    total = sum(seconds.values())
    print(f"  {'total':<26} {total:8.2f} s  ({rows / total:,.0f} rows/s)")


def flow_part(scratch: Path, movimentos: int, associados: int) -> tuple[Path, RunSummary]:
    from bench.spark_events import latest_event_log, work_by_group
    from tasks.settings import get_settings
    from tasks.spark_session import get_spark

    events = scratch / "spark-events"
    os.environ["SICOOP_SPARK_EVENT_LOG_DIR"] = str(events)
    get_settings.cache_clear()
    fresh_sources()
    batch = land(scratch / "landing", movimentos, associados, seed_for(movimentos, associados))
    summary = run_flow(batch, scratch / "output")
    get_spark().stop()  # closes the event log
    os.environ.pop("SICOOP_SPARK_EVENT_LOG_DIR")
    get_settings.cache_clear()
    print_stages(f"flow: {movimentos:,} movimentos end to end", summary.stage_seconds, movimentos)
    log = latest_event_log(events)
    if log is not None:
        print(
            f"  {'Spark work per stage':<26} {'jobs':>6} {'tasks':>7} {'MB read':>9} {'rows read':>12} {'shuffle MB':>11}"
        )
        for group, work in sorted(work_by_group(log).items()):
            print(
                f"  {group:<26} {work.jobs:>6} {work.tasks:>7} {work.input_bytes / 1e6:>9.1f} "
                f"{work.input_records:>12,} {work.shuffle_read_bytes / 1e6:>11.1f}"
            )
    return batch, summary


def naive_part(batch: Path, scratch: Path, movimentos: int) -> float:
    from bench.naive import run_naive
    from tasks.secrets import mongo_uri, postgres_dsn
    from tasks.settings import get_settings

    settings = get_settings()
    result = run_naive(batch, scratch / "naive-output", postgres_dsn(settings), mongo_uri(settings))
    print_stages(
        "naive baseline (the earlier implementation's steps), same batch", result.seconds, movimentos
    )
    return result.total


def floor_part(batch: Path, scratch: Path) -> float:
    from bench.floor import run_floor

    result = run_floor(batch, scratch / "floor-output")
    print(f"\nDuckDB floor of the transform, same batch: {result.seconds:.2f} s ({result.rows:,} rows)")
    return result.seconds


def series_part(scratch: Path, runs: int, movimentos: int, associados: int) -> None:
    print(f"\nseries: {runs} batches of {movimentos:,} movimentos into one output")
    fresh_sources()
    output = scratch / "series-output"
    seconds = []
    for number in range(runs):
        batch = land(scratch / "series-landing", movimentos, associados, seed=700 + number % 90)
        started = time.perf_counter()
        summary = run_flow(batch, output)
        seconds.append(time.perf_counter() - started)
        stages = ", ".join(f"{stage} {value:.1f}" for stage, value in summary.stage_seconds.items())
        print(f"  run {number + 1:>2}: {seconds[-1]:7.2f} s  ({stages})")
    print(f"  last / first: {seconds[-1] / seconds[0]:.2f} (goal <= 1.1)")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--movimentos", type=int, default=1_000_000)
    parser.add_argument("--associados", type=int, default=20_000)
    parser.add_argument("--series", type=int, default=10)
    parser.add_argument("--series-movimentos", type=int, default=100_000)
    parser.add_argument("--only", choices=("flow", "naive", "floor", "series"), action="append")
    args = parser.parse_args(argv)
    parts = set(args.only or ("flow", "naive", "floor", "series"))
    if not os.environ.get("PREFECT_API_URL"):
        print("note: no PREFECT_API_URL: the first flow run pays a temporary Prefect server's start-up")

    with tempfile.TemporaryDirectory(prefix="sicoop-bench-") as work:
        scratch = Path(work)
        summary: RunSummary | None = None
        batch = None
        if "flow" in parts:
            batch, summary = flow_part(scratch, args.movimentos, args.associados)
        if parts & {"naive", "floor"} and batch is None:
            batch = land(
                scratch / "landing",
                args.movimentos,
                args.associados,
                seed_for(args.movimentos, args.associados),
            )
        naive = naive_part(batch, scratch, args.movimentos) if "naive" in parts and batch else None
        floor = floor_part(batch, scratch) if "floor" in parts and batch else None
        if summary is not None:
            total = sum(summary.stage_seconds.values())
            span = sum(summary.stage_seconds.get(stage, 0.0) for stage in TRANSFORM_SPAN)
            print("\nratios")
            if naive is not None:
                print(f"  naive / flow                {naive / total:8.2f}  (goal >= 2)")
            if floor is not None:
                print(
                    f"  flow transform span / floor {span / floor:8.2f}  ({span:.1f} s / {floor:.1f} s; goal <= 10)"
                )
        if "series" in parts:
            series_part(scratch, args.series, args.series_movimentos, max(1, args.series_movimentos // 20))


if __name__ == "__main__":
    main()
