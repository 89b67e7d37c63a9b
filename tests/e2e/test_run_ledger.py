"""The run ledger records every run, failed ones too, readable without Spark (delta-rs, then DuckDB over Arrow)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from deltalake import DeltaTable
from pyspark.sql import SparkSession

from tasks.landing.manifest import MANIFEST_NAME, sha256_of
from tasks.landing.verification import verify_batch
from tests.utils.batches import land_batch, rewrite_file, run_pipeline

MOVIMENTOS = 400


def duplicate_first_movimento(lines: list[str]) -> list[str]:
    return [*lines, lines[1]]


def test_three_runs_one_failed_are_in_the_ledger_without_values(
    prefect_server: None, services: dict[str, str], spark: SparkSession, tmp_path: Path
) -> None:
    landing, output = tmp_path / "landing", tmp_path / "output"
    good = land_batch(landing, seed=171, associados=40, movimentos=MOVIMENTOS)
    manifest = sha256_of(good / MANIFEST_NAME)
    assert run_pipeline(good, output).is_completed()
    assert run_pipeline(good, output).is_completed()  # the same batch again
    bad = land_batch(landing, seed=172, associados=40, movimentos=MOVIMENTOS)
    raw_cpfs = verify_batch(bad).tables["associado"]["cpf_cnpj"].to_pylist()  # before its movimento breaks
    rewrite_file(bad, "movimento.csv", duplicate_first_movimento)
    assert run_pipeline(bad, output).is_failed()

    runs = DeltaTable(str(output / "ops" / "pipeline_runs")).to_pyarrow_table()
    rows = sorted(runs.to_pylist(), key=lambda row: row["started_at"])
    assert [row["status"] for row in rows] == ["COMPLETED", "COMPLETED", "FAILED"]
    first, again, failed = rows
    assert first["batch_id"] == again["batch_id"] == good.name
    assert first["manifest_sha256"] == manifest and first["flow_run_id"] != again["flow_run_id"]
    assert first["rows_in"] == first["rows_exported"] == MOVIMENTOS and first["rows_quarantined"] == 0
    assert again["delta_version"] >= first["delta_version"] and again["rows_exported"] == MOVIMENTOS
    assert first["leak_proof"].endswith("0 found")
    assert {"load", "extract", "mask_and_join", "quality_gate", "export", "leak_proof", "publish"} <= set(
        dict(first["stage_seconds"])
    )
    assert failed["batch_id"] == bad.name and failed["failed_stage"] == "load"
    assert (
        failed["failure_reason"].startswith("BatchRejected: ")
        and "duplicated values" in failed["failure_reason"]
    )
    assert failed["rows_exported"] is None and failed["delta_version"] is None

    connection = duckdb.connect()
    connection.register("quality", DeltaTable(str(output / "ops" / "quality_results")).to_pyarrow_table())
    per_run = connection.execute(
        "SELECT flow_run_id, count(*) AS rules, count(*) FILTER (WHERE success) AS held FROM quality GROUP BY 1"
    ).fetchall()
    assert len(per_run) == 2 and all(rules == held > 20 for _, rules, held in per_run)

    # Read back as values (not compressed bytes, where no value could ever be seen): no raw document anywhere.
    assert all(len(cpf) in (11, 14) and cpf.isdigit() for cpf in raw_cpfs)
    for name in ("pipeline_runs", "quality_results"):
        text = json.dumps(DeltaTable(str(output / "ops" / name)).to_pyarrow_table().to_pylist(), default=str)
        assert bad.name in text or name == "quality_results"
        assert not [cpf for cpf in raw_cpfs if cpf in text], name
