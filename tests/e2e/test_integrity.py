"""End to end: what is checked is what is loaded, and nothing raw escapes on any path (the real flow, on the real
services). A reordered header exports every value under its own name; an impossible date is refused naming the
file, row and column; a file without its header row leaks its first row nowhere (output files, `_rejection.json`,
the Prefect API's view of the run, the captured logs); a raw value planted in the ledger and in a lineage file is
found by the leak proof that ends every run."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pyarrow as pa
import pytest
from deltalake import DeltaTable
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    FlowRunFilter,
    FlowRunFilterId,
    LogFilter,
    LogFilterFlowRunId,
)
from pyspark.sql import SparkSession

from tasks.domain.tables import TABLES
from tasks.landing.rejection import REASON_FILE, REJECTED_DIR
from tasks.landing.verification import BatchRejected, verify_batch
from tasks.proof.logs import capture_logs
from tasks.proof.task import LeakFound
from tests.utils.batches import land_batch, rewrite_file, rewrite_table, run_pipeline


def _files_under(root: Path) -> Iterator[Path]:
    return (path for path in root.rglob("*") if path.is_file())


def _server_view(flow_run_id: UUID) -> str:
    """Everything the Prefect API returns about a run: states, task states, logs, artifacts."""
    from prefect.logging.handlers import APILogHandler

    APILogHandler().flush()  # logs reach the server in batches
    with get_client(sync_client=True) as client:
        flow_run = client.read_flow_run(flow_run_id)
        runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
        logs = client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])))
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
    parts: list[Any] = [flow_run.model_dump_json()]
    parts += [run.model_dump_json() for run in runs]
    parts += [log.message for log in logs]
    parts += [str(artifact.data) for artifact in artifacts]
    return "\n".join(parts)


def test_a_reordered_header_exports_every_value_under_its_own_name(
    prefect_server: None, services: dict[str, str], spark: SparkSession, tmp_path: Path
) -> None:
    batch = land_batch(tmp_path / "landing", seed=261, associados=40, movimentos=300)
    expected = verify_batch(batch).tables
    for table in TABLES:  # every file's columns reversed: a legitimate CSV, mapped by name
        rewrite_table(batch, table.file_name, lambda text: text.select(list(reversed(text.column_names))))
    state = run_pipeline(batch, tmp_path / "output")
    assert state.is_completed(), state.message

    exported = DeltaTable(str(tmp_path / "output" / "delta" / "movimento_flat")).to_pyarrow_table()
    rows = {row["id_movimento"]: row for row in exported.to_pylist()}
    movimento = expected["movimento"].to_pylist()
    cartao = {row["id"]: row for row in expected["cartao"].to_pylist()}
    conta = {row["id"]: row for row in expected["conta"].to_pylist()}
    associado = {row["id"]: row for row in expected["associado"].to_pylist()}
    assert len(rows) == len(movimento) == 300
    for landed in movimento:
        row = rows[landed["id"]]
        card = cartao[landed["id_cartao"]]
        account, holder = conta[card["id_conta"]], associado[card["id_associado"]]
        assert row["vlr_transacao_movimento"] == landed["vlr_transacao"]
        assert row["des_transacao_movimento"] == landed["des_transacao"]
        assert row["tipo_transacao"] == landed["tipo_transacao"]
        assert row["data_movimento"].replace(tzinfo=None) == landed["data_movimento"]
        assert row["nome_impresso_cartao"] == card["nom_impresso"]
        assert row["tipo_conta"] == account["tipo"]
        assert (row["nome_associado"], row["sobrenome_associado"]) == (holder["nome"], holder["sobrenome"])
        assert row["idade_associado"] == holder["idade"]
        assert row["numero_cartao"][:6] == card["num_cartao"][:6]


def test_an_impossible_date_is_refused_naming_file_row_and_column(
    prefect_server: None, services: dict[str, str], tmp_path: Path
) -> None:
    """February 30 was once read as March 2 and exported as that: now the batch is refused."""
    batch = land_batch(tmp_path / "landing", seed=262, associados=40, movimentos=300)

    def february_30(text: pa.Table) -> pa.Table:
        values = text["data_movimento"].to_pylist()
        values[6] = "2025-02-30 10:15:00"
        index = text.column_names.index("data_movimento")
        return text.set_column(index, "data_movimento", pa.array(values))

    rewrite_table(batch, "movimento.csv", february_30)
    state = run_pipeline(batch, tmp_path / "output")
    assert state.is_failed()
    error = state.result(raise_on_failure=False)
    assert isinstance(error, BatchRejected), repr(error)
    assert (error.file_name, error.row, error.column) == ("movimento.csv", 7, "data_movimento")
    assert "row 7: column data_movimento is not a real date and time" in str(error)
    reason = json.loads((tmp_path / "landing" / REJECTED_DIR / batch.name / REASON_FILE).read_text())
    assert "row 7: column data_movimento" in reason["reason"] and "2025-02-30" not in reason["reason"]


def test_a_file_without_its_header_row_leaks_its_first_row_nowhere(
    prefect_server: None, services: dict[str, str], tmp_path: Path
) -> None:
    """The first data row stands where the header was: its CPF and e-mail used to reach the error, the ledger, the
    lineage FAIL event, the logs, the run's state and the operations page."""
    landing, output = tmp_path / "landing", tmp_path / "output"
    batch = land_batch(landing, seed=263, associados=40, movimentos=300)
    holder = verify_batch(batch).tables["associado"].slice(0, 1).to_pylist()[0]
    cpf, email = holder["cpf_cnpj"], holder["email"]
    rewrite_file(batch, "associado.csv", lambda lines: lines[1:])
    first_line = (batch / "associado.csv").read_text(encoding="utf-8").splitlines()[0]
    assert cpf in first_line and email in first_line  # the planted fault is real: the first line is data

    with capture_logs() as logs:
        state = run_pipeline(batch, output)
    assert state.is_failed()
    error = state.result(raise_on_failure=False)
    assert isinstance(error, BatchRejected) and "a file without its header row?" in str(error)
    flow_run_id = state.state_details.flow_run_id
    assert flow_run_id is not None

    rejected = landing / REJECTED_DIR / batch.name
    assert (rejected / REASON_FILE).is_file()
    places: dict[str, str] = {
        "rejection reason": (rejected / REASON_FILE).read_text(),
        "captured logs": logs.text(),
        "Prefect API": _server_view(flow_run_id),
        "state": f"{state.message}",
    }
    for path in _files_under(output):
        places[str(path)] = path.read_bytes().decode("utf-8", errors="replace")
    assert any("ops" in place for place in places), "the ledger row of the rejected run was written"
    for place, text in places.items():
        assert cpf not in text, place
        assert email.lower() not in text.lower(), place
    assert "leak proof of what the run left: " in places["captured logs"]  # the proof ran on this path
    assert "raw values searched in" in places["captured logs"]


def test_the_proof_that_ends_a_run_finds_a_value_planted_in_the_ledger_and_in_lineage(
    prefect_server: None, services: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The proof shown able to fail where it now looks: a raw e-mail of the batch put into the run's ledger row
    and a raw CPF appended to its lineage file (faults injected on purpose: nothing in the pipeline writes them)."""
    import flows.pipeline as pipeline
    import tasks.ops.task as ops_task

    landing, output = tmp_path / "landing", tmp_path / "output"
    batch = land_batch(landing, seed=264, associados=40, movimentos=300)
    associado = verify_batch(batch).tables["associado"]
    email, cpf = (
        associado["email"][0].as_py(),
        next(value for value in associado["cpf_cnpj"].to_pylist() if len(value) == 11),
    )
    from tasks.lineage.flow_run import finish_lineage
    from tasks.ops.ledger import write_record

    def planting_in_the_ledger(spark: Any, where: Any, record: Any) -> None:
        if record.batch_id == batch.name:
            record.flow_run_name = f"{record.flow_run_name} {email}"
        write_record(spark, where, record)

    def planting_in_lineage(lineage: Any, record: Any) -> None:
        finish_lineage(lineage, record)
        for path in (output / "ops" / "lineage" / "flow").glob(f"{record.flow_run_id}.jsonl"):
            with path.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps({"planted": f"{cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}"}) + "\n")

    monkeypatch.setattr(ops_task, "write_record", planting_in_the_ledger)
    monkeypatch.setattr(pipeline, "finish_lineage", planting_in_lineage)
    state = run_pipeline(batch, output)

    runs = DeltaTable(str(output / "ops" / "pipeline_runs")).to_pyarrow_table().to_pylist()
    assert any(email in (row["flow_run_name"] or "") for row in runs)  # the planted faults really happened
    lineage_files = list((output / "ops" / "lineage" / "flow").glob("*.jsonl"))
    assert any(cpf[:3] + "." in path.read_text() for path in lineage_files)
    assert state.is_failed()
    error = state.result(raise_on_failure=False)
    assert isinstance(error, LeakFound), repr(error)
    message = str(error)
    assert "ops/pipeline_runs/" in message and "1 email" in message
    assert "ops/lineage/flow/" in message and "1 document" in message
    assert email not in message and cpf not in message
