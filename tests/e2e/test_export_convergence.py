"""A run killed between any two export steps, then run again, ends with Delta, Parquet and CSV holding the same
rows: Delta is the source of truth, and the batch's Parquet and CSV are rebuilt from the version that run
committed.

Each kill is real: the flow runs in its own process, which SIGKILLs itself right after the named step (the only
way to land a kill exactly between two steps; nothing else about the run is changed). Then the flow runs again
in this process, untouched, on the same batch and output.
"""

from __future__ import annotations

import csv
import io
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds
import pytest
from deltalake import DeltaTable
from pyspark.sql import SparkSession

from tests.utils.batches import land_batch, rewrite_file, run_pipeline
from tests.utils.prefect_stack import prefect_env

MOVIMENTOS = 200
REPO = Path(__file__).resolve().parents[2]

# After which step the first run dies: (module, function, when the call is the one to die after).
KILL_POINTS = {
    "after the Delta MERGE": ("tasks.export.task", "merge_into_delta", "/delta/movimento_flat"),
    "after the quarantine MERGE": ("tasks.export.task", "merge_into_delta", "/quarantine/movimento_flat"),
    "after the Parquet is staged": ("tasks.export.files", "stage_parquet", ""),
    "after the CSV is staged": ("tasks.export.files", "write_csv", ""),
    "after the leak proof": ("tasks.export.task", "publish", "before"),
    "after the Parquet is published": (
        "tasks.storage.location",
        "Location.move_folder_to",
        "parquet/movimento_flat",
    ),
}

# The stage each kill lands in: what the ledger's row for the killed run says (tasks/ops/in_flight.py).
KILLED_IN = {
    "after the Delta MERGE": "export",
    "after the quarantine MERGE": "export",
    "after the Parquet is staged": "export",
    "after the CSV is staged": "export",
    "after the leak proof": "publish",
    "after the Parquet is published": "publish",
}

DRIVER = """
import importlib, os, signal, sys
module_name, function, marker = sys.argv[1:4]
owner = importlib.import_module(module_name)
*classes, function = function.split(".")  # a module's function, or a class's method ("Class.method")
for name in classes:
    owner = getattr(owner, name)
original = getattr(owner, function)

def dying(*args, **kwargs):
    text = " ".join(str(getattr(a, "uri", getattr(a, "path", a))) for a in args)
    if marker == "before":
        os.kill(os.getpid(), signal.SIGKILL)
    result = original(*args, **kwargs)
    if marker in text or not marker:
        os.kill(os.getpid(), signal.SIGKILL)
    return result

setattr(owner, function, dying)
from flows.pipeline import sicooperative_pipeline
sicooperative_pipeline(batch=sys.argv[4], return_state=True)
sys.exit(3)  # never reached when the kill point is
"""


def killed_run(batch: Path, output: Path, point: str) -> None:
    module, function, marker = KILL_POINTS[point]
    env = prefect_env() | {"SICOOP_LANDING_DIR": str(batch.parent), "SICOOP_OUTPUT_DIR": str(output)}
    # A script file, not `python -c`: pyspark takes a main module without a file for its own doctests.
    driver = batch.parent.parent / "killed_run.py"
    driver.write_text(DRIVER, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(driver), module, function, marker, batch.name],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr[-3000:]


def rows_everywhere(output: Path, batch_id: str) -> dict[str, list[tuple[Any, ...]]]:
    """(id, row_hash) of the batch's rows in Delta, Parquet and CSV."""
    delta = DeltaTable(str(output / "delta" / "movimento_flat")).to_pyarrow_table(
        columns=["id_movimento", "row_hash", "batch_id"]
    )
    in_delta = sorted(
        (row["id_movimento"], row["row_hash"]) for row in delta.to_pylist() if row["batch_id"] == batch_id
    )
    partition = output / "parquet" / "movimento_flat" / f"batch_id={batch_id}"
    parquet = ds.dataset(partition, format="parquet").to_table(columns=["id_movimento", "row_hash"])
    in_parquet = sorted(
        zip(*(parquet.column(c).to_pylist() for c in ("id_movimento", "row_hash")), strict=True)
    )
    text = (output / "csv" / "movimento_flat" / f"{batch_id}.csv").read_bytes().decode("utf-8")
    in_csv = sorted(
        (int(row["id_movimento"]), row["row_hash"]) for row in csv.DictReader(io.StringIO(text, newline=""))
    )
    return {"delta": in_delta, "parquet": in_parquet, "csv": in_csv}


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_a_run_killed_between_export_steps_converges_when_run_again(
    point: str, prefect_server: None, services: dict[str, str], spark: SparkSession, tmp_path: Path
) -> None:
    batch = land_batch(
        tmp_path / "landing", seed=120 + list(KILL_POINTS).index(point), associados=40, movimentos=MOVIMENTOS
    )

    def negative_first_amount(
        lines: list[str],
    ) -> list[str]:  # one quarantined row: the quarantine MERGE runs
        fields = lines[1].split(";")
        fields[1] = "-1.00"
        return [lines[0], ";".join(fields), *lines[2:]]

    rewrite_file(batch, "movimento.csv", negative_first_amount)
    output = tmp_path / "output"

    killed_run(batch, output, point)
    state = run_pipeline(batch, output)

    assert state.is_completed(), state.message
    rows = rows_everywhere(output, batch.name)
    assert len(rows["delta"]) == MOVIMENTOS - 1
    assert rows["delta"] == rows["parquet"] == rows["csv"]
    assert not list((output / "_staging").glob("*/*")), "a staging folder was left behind"
    quarantine = DeltaTable(str(output / "quarantine" / "movimento_flat")).to_pyarrow_table(
        columns=["batch_id"]
    )
    assert quarantine.column("batch_id").to_pylist() == [batch.name]

    # The killed run never wrote its ledger row; the re-run wrote it for it, from the marker it left.
    runs = DeltaTable(str(output / "ops" / "pipeline_runs")).to_pyarrow_table().to_pylist()
    assert sorted((row["status"], row["failed_stage"]) for row in runs) == [
        ("COMPLETED", None),
        ("CRASHED", KILLED_IN[point]),
    ]
    (crashed,) = (row for row in runs if row["status"] == "CRASHED")
    assert crashed["batch_id"] == batch.name and crashed["failure_reason"].startswith("RunLost:")
    assert not list((output / "ops" / "in_flight").iterdir()), "a marker was left behind"
