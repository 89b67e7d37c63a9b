"""Benchmark of the quality gate alone on a large `movimento_flat` (default 1,000,000 rows).

    uv run python -m bench.gate [--movimentos N]

The flat table is built in Spark from a generated batch (no databases involved), persisted and counted first,
so the figures are the gate's own: the one-pass quarantine split and the GX checkpoint.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from pyspark import StorageLevel
from pyspark.sql import functions as F


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--movimentos", type=int, default=1_000_000)
    parser.add_argument("--associados", type=int, default=20_000)
    args = parser.parse_args()

    from tasks.gate.checkpoint import gate_parameters, load_suite_json, run_gate
    from tasks.gate.quarantine import split_quarantine
    from tasks.generate.generator import GenerationConfig, generate
    from tasks.spark_session import get_spark
    from tasks.transform.flatten import flatten
    from tasks.transform.masking import mask_sources

    spark = get_spark(app_name="bench-gate")
    tables = generate(GenerationConfig(associados=args.associados, movimentos=args.movimentos, seed=902))
    frames = {name: spark.createDataFrame(table) for name, table in tables.items()}
    # The types extraction gives them (tasks/extract): idade int, vlr_transacao decimal(10,2).
    frames["associado"] = frames["associado"].withColumn("idade", F.col("idade").cast("int"))
    frames["movimento"] = frames["movimento"].withColumns(
        {"vlr_transacao": F.col("vlr_transacao").cast("decimal(10,2)"), "batch_id": F.lit("bench")}
    )
    masked = mask_sources(frames)
    flat = flatten(masked["movimento"], masked["cartao"], masked["conta"], masked["associado"])
    flat = flat.persist(StorageLevel.MEMORY_AND_DISK)
    started = time.perf_counter()
    rows = flat.count()
    print(f"build movimento_flat         {time.perf_counter() - started:8.2f} s  {rows:>11,} rows")

    total = Decimal(str(pc.sum(pc.cast(tables["movimento"]["vlr_transacao"], pa.decimal128(12, 2))).as_py()))
    now = datetime.now(UTC).replace(tzinfo=None)
    started = time.perf_counter()
    split = split_quarantine(
        flat, load_suite_json("movimento_flat")["expectations"], {"now": now}, "vlr_transacao_movimento"
    )
    split_seconds = time.perf_counter() - started
    print(f"quarantine split (one pass)  {split_seconds:8.2f} s  {split.rows:>11,} quarantined")
    with tempfile.TemporaryDirectory() as scratch:
        started = time.perf_counter()
        report = run_gate(
            split.passed,
            "movimento_flat",
            gate_parameters(rows - split.rows, total - split.vlr_total, now),
            Path(scratch),
        )
        gx_seconds = time.perf_counter() - started
    print(
        f"GX checkpoint                {gx_seconds:8.2f} s  {len(report.outcomes)} expectations, passed={report.success}"
    )
    for failure in report.failures:
        print(f"  not passed: {failure.describe()}")
    print(
        f"gate total                   {split_seconds + gx_seconds:8.2f} s  {rows / (split_seconds + gx_seconds):>11,.0f} rows/s"
    )
    spark.stop()


if __name__ == "__main__":
    main()
