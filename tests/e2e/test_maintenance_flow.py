"""The upkeep flow compacts every Delta table of the output and vacuums with its retention; rows never change."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import DeltaTable
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from flows.maintenance import sicooperative_maintenance
from tasks.domain.movimento_flat import OUTPUT_COLUMNS
from tasks.export.delta import FLAT_CONSTRAINTS, FLAT_PROPERTIES, merge_into_delta
from tasks.ops.ledger import RunRecord, write_record
from tasks.settings import get_settings
from tasks.storage import resolve
from tests.utils.frames import clean_flat


def rows_of(path: Path) -> list[dict[str, object]]:
    return sorted(pa.table(DeltaTable(str(path)).to_pyarrow_dataset().to_table()).to_pylist(), key=str)


def data_files(path: Path) -> set[str]:
    return {str(file) for file in path.rglob("*.parquet") if "_delta_log" not in file.parts}


@pytest.fixture
def output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("SICOOP_OUTPUT_DIR", str(tmp_path / "output"))
    get_settings.cache_clear()
    yield tmp_path / "output"
    get_settings.cache_clear()


def test_upkeep_compacts_then_vacuums_only_beyond_the_retention(
    prefect_server: None, spark: SparkSession, output: Path
) -> None:
    flat = output / "delta" / "movimento_flat"
    frame = clean_flat(spark, rows=30).select(*OUTPUT_COLUMNS)
    versions = []
    for day in range(3):  # three daily batches: three appends of small files
        batch = frame.where(F.col("id_movimento").between(1000 + 10 * day, 1009 + 10 * day))
        merge = merge_into_delta(
            spark, str(flat), batch, properties=FLAT_PROPERTIES, constraints=FLAT_CONSTRAINTS
        )
        versions.append(merge.version)
    for run in range(3):
        record = RunRecord(flow_run_id=f"r{run}", flow_run_name=None, deployment=None, batch_id=f"b{run}")
        record.complete()
        write_record(spark, resolve(str(output)), record)
    runs = output / "ops" / "pipeline_runs"
    before = {path: rows_of(path) for path in (flat, runs)}
    files_before = data_files(flat)

    kept = {
        item.table.rsplit("/", 2)[-2] + "/" + item.table.rsplit("/", 1)[-1]: item
        for item in sicooperative_maintenance()
    }

    assert set(kept) == {"delta/movimento_flat", "ops/pipeline_runs"}  # the tables that exist, no others
    assert (
        kept["delta/movimento_flat"].files_compacted >= 3 and kept["delta/movimento_flat"].files_written == 1
    )
    assert kept["ops/pipeline_runs"].files_compacted == 3
    assert all(item.files_deleted == 0 for item in kept.values())  # everything is younger than 168 h
    assert data_files(flat) >= files_before  # the compacted files stay for time travel
    assert {path: rows_of(path) for path in before} == before
    assert DeltaTable(str(flat), version=versions[0]).to_pyarrow_table().num_rows == 10  # time travel works

    vacuumed = sicooperative_maintenance(retention_hours=0)  # on purpose: no history kept

    flat_upkeep = next(item for item in vacuumed if item.table.endswith("delta/movimento_flat"))
    assert flat_upkeep.files_deleted == len(files_before)
    assert len(data_files(flat)) == 1
    assert {path: rows_of(path) for path in before} == before  # delta-rs reads the compacted tables
    with pytest.raises(Exception, match=r"(?i)not found|no such file|object at location"):
        DeltaTable(str(flat), version=versions[0]).to_pyarrow_table()
