"""A run emits OpenLineage events: the flow's (START, COMPLETE) with its sources, the landed batch and its four
outputs, each output with the contract's column lineage (masked columns marked as masking), and the Spark
listener's, its application a child of the flow's run, with the Delta output. No credential and no raw personal
value in any of the files.

The flow runs in its own process, as a deployment's run does: the Spark listener is configured when the
SparkSession starts, and this test process's shared session (started by other tests) has none.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from deltalake import DeltaTable

from tasks.domain.movimento_flat import OUTPUT_COLUMNS
from tasks.domain.tables import MOVIMENTO_FLAT
from tests.utils.batches import land_batch, rewrite_file, run_pipeline
from tests.utils.prefect_stack import prefect_env

MOVIMENTOS = 300
REPO = Path(__file__).resolve().parents[2]
DRIVER = """
import sys
from flows.pipeline import sicooperative_pipeline
state = sicooperative_pipeline(batch=sys.argv[1], return_state=True)
sys.exit(0 if state.is_completed() else 1)
"""


def events(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def raw_values(batch: Path) -> list[str]:
    """Every raw CPF/CNPJ, e-mail and card number of the landed batch."""
    values = []
    for file_name, columns in (("associado.csv", ("cpf_cnpj", "email")), ("cartao.csv", ("num_cartao",))):
        with (batch / file_name).open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter=";"):
                values += [row[column] for column in columns if row[column]]
    return values


def test_a_run_emits_flow_and_spark_lineage_with_the_masked_columns_lineage(
    prefect_server: None, services: dict[str, str], tmp_path: Path
) -> None:
    batch = land_batch(tmp_path / "landing", seed=181, associados=40, movimentos=MOVIMENTOS)
    output = tmp_path / "output"
    driver = tmp_path / "run_flow.py"  # a script file: pyspark code never runs from `python -c`
    driver.write_text(DRIVER, encoding="utf-8")
    env = prefect_env() | {"SICOOP_LANDING_DIR": str(batch.parent), "SICOOP_OUTPUT_DIR": str(output)}
    done = subprocess.run(
        [sys.executable, str(driver), batch.name],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]

    lineage = output / "ops" / "lineage"
    (flow_file,) = (lineage / "flow").glob("*.jsonl")
    run_id = flow_file.stem
    (ledger_run,) = DeltaTable(str(output / "ops" / "pipeline_runs")).to_pyarrow_table().to_pylist()
    assert ledger_run["flow_run_id"] == run_id  # the lineage run is the Prefect flow run
    start, complete = events(flow_file)
    assert (start["eventType"], complete["eventType"]) == ("START", "COMPLETE")
    assert start["run"]["runId"] == complete["run"]["runId"] == run_id
    assert complete["job"]["name"] == "sicooperative-pipeline"

    dsn, uri = urlsplit(services["dsn"]), urlsplit(services["uri"])
    postgres = f"postgres://{dsn.hostname}:{dsn.port}"
    mongodb = f"mongodb://{uri.hostname}:{uri.port}"
    database = dsn.path.lstrip("/")
    inputs = {(d["namespace"], d["name"]) for d in complete["inputs"]}
    assert inputs == {
        (postgres, f"{database}.public.associado"),
        (postgres, f"{database}.public.conta"),
        (postgres, f"{database}.public.cartao"),
        (mongodb, f"{services['database']}.movimento"),
        ("file", str(batch.resolve())),
    }
    outputs = {d["name"]: d for d in complete["outputs"]}
    delta = str(output.resolve() / "delta" / "movimento_flat")
    assert set(outputs) == {
        delta,
        str(output.resolve() / "quarantine" / "movimento_flat"),
        str(output.resolve() / "parquet" / "movimento_flat"),
        str(output.resolve() / "csv" / "movimento_flat"),
    }
    assert {d["namespace"] for d in complete["outputs"]} == {"file"}
    flat = outputs[delta]
    assert [f["name"] for f in flat["facets"]["schema"]["fields"]] == list(OUTPUT_COLUMNS)
    assert flat["outputFacets"]["outputStatistics"]["rowCount"] == MOVIMENTOS

    fields = flat["facets"]["columnLineage"]["fields"]
    (card,) = fields["numero_cartao"]["inputFields"]
    assert (card["namespace"], card["name"], card["field"]) == (
        postgres,
        f"{database}.public.cartao",
        "num_cartao",
    )
    (masked,) = card["transformations"]
    assert (masked["type"], masked["subtype"], masked["masking"]) == ("DIRECT", "TRANSFORMATION", True)
    masked_columns = {column.name: column.source for column in MOVIMENTO_FLAT.columns if column.personal}
    assert set(masked_columns) == {"numero_cartao", "email_associado", "documento_associado"}
    for name, source in masked_columns.items():
        (origin,) = fields[name]["inputFields"]
        assert f"{origin['name'].rsplit('.', 1)[-1]}.{origin['field']}" == source
        assert [t["masking"] for t in origin["transformations"]] == [True], name
    (nome,) = fields["nome_associado"]["inputFields"]
    assert nome["transformations"] == [{"type": "DIRECT", "subtype": "IDENTITY", "masking": False}]

    (spark_file,) = (lineage / "spark").glob("*.jsonl")
    assert spark_file.stem == run_id
    spark_events = events(spark_file)
    application = [
        e for e in spark_events if e["run"]["facets"]["parent"]["job"]["name"] == complete["job"]["name"]
    ]
    assert [e["eventType"] for e in application] == ["START", "COMPLETE"]
    assert {e["run"]["facets"]["parent"]["run"]["runId"] for e in application} == {run_id}
    spark_run = application[0]["run"]["runId"]
    jobs = [e for e in spark_events if e not in application]
    assert jobs and {e["run"]["facets"]["parent"]["run"]["runId"] for e in jobs} == {spark_run}
    spark_outputs = {(o["namespace"], o["name"]) for e in spark_events for o in e.get("outputs", [])}
    assert ("file", delta) in spark_outputs
    spark_tables = {
        (i["namespace"], i["name"])
        for e in spark_events
        for i in e.get("inputs", [])
        if i["namespace"] == postgres
    }
    # Spark and the flow name a PostgreSQL table alike: one node per table in a lineage graph, not two.
    assert {name for name in inputs if name[0] == postgres} <= spark_tables

    secrets = [value for value in (dsn.password, uri.password) if value]
    assert secrets, "the test services' DSN has a password: the check below must be able to fail"
    raw = raw_values(batch)
    assert len(raw) >= 2 * 40
    for path in lineage.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert not any(secret in text for secret in secrets), path
            assert not any(value in text for value in raw), path


def test_a_failed_run_emits_fail_with_its_value_free_reason(
    prefect_server: None, services: dict[str, str], tmp_path: Path
) -> None:
    batch = land_batch(tmp_path / "landing", seed=182, associados=40, movimentos=MOVIMENTOS)
    rewrite_file(batch, "movimento.csv", lambda lines: [*lines, lines[1]])  # a duplicate id: rejected at load
    raw = raw_values(batch)  # read before the run moves the rejected batch aside
    output = tmp_path / "output"
    assert run_pipeline(batch, output).is_failed()

    (flow_file,) = (output / "ops" / "lineage" / "flow").glob("*.jsonl")
    start, fail = events(flow_file)
    assert (start["eventType"], fail["eventType"]) == ("START", "FAIL")
    message = fail["run"]["facets"]["errorMessage"]["message"]
    assert message.startswith("BatchRejected: ") and "duplicated values" in message
    assert fail["outputs"] == []  # nothing was written
    assert ("file", str(batch.resolve())) in {(d["namespace"], d["name"]) for d in fail["inputs"]}
    assert raw
    text = flow_file.read_text(encoding="utf-8")
    assert not any(value in text for value in raw)


def test_lineage_that_cannot_be_written_never_fails_the_run(
    prefect_server: None, services: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = land_batch(tmp_path / "landing", seed=183, associados=40, movimentos=MOVIMENTOS)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the lineage folder should be", encoding="utf-8")
    monkeypatch.setenv("SICOOP_LINEAGE_DIR", str(blocked))
    output = tmp_path / "output"

    assert run_pipeline(batch, output).is_completed()
    (ledger_run,) = DeltaTable(str(output / "ops" / "pipeline_runs")).to_pyarrow_table().to_pylist()
    assert ledger_run["status"] == "COMPLETED" and ledger_run["rows_exported"] == MOVIMENTOS
    assert blocked.read_text(encoding="utf-8").startswith("a file")
    assert not (output / "ops" / "lineage").exists()
