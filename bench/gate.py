"""Benchmark of the quality gate alone on a large `movimento_flat` (default 1,000,000 rows).

    uv run python -m bench.gate [--movimentos N]

The flat table is built in Spark from a generated batch (no databases involved); the figures are the gate's
own: the one pass that computes the join, judges every row (quarantine rules, personal-data detector) and
persists the frame, then the GX checkpoint over every row.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--movimentos", type=int, default=1_000_000)
    parser.add_argument("--associados", type=int, default=20_000)
    args = parser.parse_args()

    from bench.frames import generated_flat
    from tasks.gate.checkpoint import gate_parameters, run_gate
    from tasks.gate.task import judge_rows
    from tasks.spark_session import get_spark

    spark = get_spark(app_name="bench-gate")
    flat = generated_flat(spark, args.movimentos, args.associados)
    now = datetime.now(UTC).replace(tzinfo=None)
    started = time.perf_counter()
    split = judge_rows(flat.frame, now)
    split_seconds = time.perf_counter() - started
    print(
        f"judge every row (one pass)   {split_seconds:8.2f} s  {split.verdicts.rows:>11,} rows, "
        f"{split.verdicts.quarantined_rows:,} quarantined, {split.verdicts.personal_data_rows:,} with personal data"
    )
    with tempfile.TemporaryDirectory() as scratch:
        started = time.perf_counter()
        report = run_gate(
            split.flagged,
            "movimento_flat",
            gate_parameters(flat.rows, flat.total, now),
            Path(scratch),
            quarantined=split.verdicts.by_rule,
        )
        gx_seconds = time.perf_counter() - started
    print(
        f"GX checkpoint                {gx_seconds:8.2f} s  {len(report.outcomes)} rules, passed={report.success}"
    )
    for failure in report.blocking:
        print(f"  blocking: {failure.describe()}")
    total = split_seconds + gx_seconds
    print(f"gate total                   {total:8.2f} s  {split.verdicts.rows / total:>11,.0f} rows/s")
    split.release()
    spark.stop()


if __name__ == "__main__":
    main()
