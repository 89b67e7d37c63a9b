"""Any batch size that fits the machine runs: 300,000 movimentos, which the earlier extraction read as ranges of
75,000 to 250,000 documents per reply (a single range of that batch overflowed the 48 MB reply limit), now read
in parts sized to the reply limit."""

from __future__ import annotations

from pathlib import Path

from deltalake import DeltaTable
from pyspark.sql import SparkSession

from tasks.settings import get_settings
from tests.utils.batches import land_batch, run_pipeline

MOVIMENTOS = 300_000


def test_a_batch_of_300000_movimentos_runs_end_to_end(
    prefect_server: None, services: dict[str, str], spark: SparkSession, tmp_path: Path
) -> None:
    batch = land_batch(tmp_path / "landing", seed=160, associados=10_000, movimentos=MOVIMENTOS)
    state = run_pipeline(batch, tmp_path / "output")
    assert state.is_completed(), state.message
    summary = state.result()
    assert summary.batch_rows == summary.delta_inserted == MOVIMENTOS
    table = DeltaTable(str(tmp_path / "output" / "delta" / "movimento_flat"))
    assert table.to_pyarrow_dataset().count_rows() == MOVIMENTOS
    # Read in several parts, each a reply of at most SICOOP_MONGO_REPLY_BYTES (8 MiB), far below 48 MB.
    parts = summary.extract_parts["movimento"]
    assert parts >= MOVIMENTOS * 200 // get_settings().mongo_reply_bytes
