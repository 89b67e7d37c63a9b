"""End to end: real Prefect server, PostgreSQL, MongoDB-wire server, Spark and Delta."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import psycopg2
import pyarrow.csv as pacsv
import pyarrow.dataset as ds
import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, ArtifactFilterKey
from pyspark.sql import SparkSession

from flows.pipeline import RunSummary
from tasks.gate.checkpoint import GateFailed
from tasks.landing.rejection import REASON_FILE
from tasks.landing.verification import BatchRejected
from tasks.landing.writer import CSV_DELIMITER
from tasks.storage import Location
from tests.utils.batches import land_batch, rewrite_file, run_pipeline

MOVIMENTOS = 4_000


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("e2e")
    return {"landing": root / "landing", "output": root / "output"}


@pytest.fixture(scope="module")
def first_run(
    prefect_server: None, services: dict[str, str], spark: SparkSession, workspace: dict[str, Path]
) -> RunSummary:
    state = run_pipeline(
        None,
        workspace["output"],
        landing=workspace["landing"],
        associados=300,
        movimentos=MOVIMENTOS,
        seed=31,
    )
    assert state.is_completed(), state.message
    return state.result()


def raw_personal_values(batch_dir: Path) -> set[str]:
    read = pacsv.ParseOptions(delimiter=CSV_DELIMITER)
    associado = pacsv.read_csv(batch_dir / "associado.csv", parse_options=read).to_pydict()
    cartao = pacsv.read_csv(batch_dir / "cartao.csv", parse_options=read).to_pydict()
    values = {str(v) for v in associado["cpf_cnpj"]} | set(associado["email"])
    return values | {str(v) for v in cartao["num_cartao"]}


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def batch_csv(output: Path, batch_id: str) -> Path:
    return output / "csv" / "movimento_flat" / f"{batch_id}.csv"


def test_outputs_exist_and_counts_match_the_batch(
    first_run: RunSummary, workspace: dict[str, Path], spark: SparkSession
) -> None:
    assert first_run.loaded["movimento"] == MOVIMENTOS
    assert first_run.orphans == 0
    assert first_run.expectations_passed == first_run.expectations_total > 20
    assert first_run.batch_rows == MOVIMENTOS and first_run.delta_inserted == MOVIMENTOS
    output = workspace["output"]
    assert spark.read.format("delta").load(str(output / "delta" / "movimento_flat")).count() == MOVIMENTOS
    assert spark.read.parquet(str(output / "parquet" / "movimento_flat")).count() == MOVIMENTOS
    csv_lines = batch_csv(output, first_run.batch_id).read_bytes().split(b"\r\n")
    assert len(csv_lines) == MOVIMENTOS + 2 and csv_lines[-1] == b""  # header, rows, CRLF-terminated
    assert set(first_run.stage_seconds) == {
        "generate",
        "load",
        "extract",
        "mask_and_join",
        "quality_gate",
        "drift_check",
        "export",
        "leak_proof",
        "publish",
    }
    assert re.fullmatch(r"\d[\d,]* raw values searched in \d+ files: 0 found", first_run.leak_proof)
    site = output / "quality" / "gx" / "uncommitted" / "data_docs" / "local_site"
    assert (site / "index.html").is_file()
    # This run's own page of the data docs, named after its batch.
    page = Path(first_run.data_docs)
    assert page.is_file() and page.is_relative_to(site / "validations")
    assert Path(first_run.batch_path).name in str(page)


def test_no_raw_personal_data_in_any_output_file(first_run: RunSummary, workspace: dict[str, Path]) -> None:
    raw = raw_personal_values(Path(first_run.batch_path))
    assert len(raw) > 600
    pattern = re.compile("|".join(re.escape(value) for value in sorted(raw, key=len, reverse=True)))
    files = [path for path in workspace["output"].rglob("*") if path.is_file()]
    assert len(files) > 10
    for path in files:
        assert not pattern.search(path.read_bytes().decode("utf-8", errors="ignore")), path
    # Parquet pages are compressed: also decode every Parquet file of Delta and the Parquet export.
    for root in ("delta", "parquet"):
        dataset = ds.dataset(
            workspace["output"] / root / "movimento_flat", format="parquet", exclude_invalid_files=True
        )
        for row in dataset.to_table().to_pylist():
            text = "|".join(str(value) for value in row.values())
            assert not pattern.search(text), (root, row["id_movimento"])


def test_second_run_of_the_same_batch_adds_nothing(first_run: RunSummary, workspace: dict[str, Path]) -> None:
    state = run_pipeline(Path(first_run.batch_path), workspace["output"])
    assert state.is_completed(), state.message
    again = state.result()
    assert again.batch_rows == first_run.batch_rows
    assert again.delta_inserted == again.delta_updated == 0
    assert again.loaded == first_run.loaded
    # Each run keeps its data docs page: the first run's is still there.
    assert again.data_docs != first_run.data_docs
    assert Path(first_run.data_docs).is_file() and Path(again.data_docs).is_file()


def outputs_fingerprint(output: Path) -> dict[str, str]:
    return {
        str(path.relative_to(output)): file_sha256(path)
        for part in ("delta", "parquet", "csv", "quarantine")
        for path in sorted((output / part).rglob("*"))
        if path.is_file()
    }


def test_failed_gate_exports_nothing_and_keeps_the_previous_export(
    first_run: RunSummary, workspace: dict[str, Path], tmp_path: Path
) -> None:
    output = workspace["output"]
    before = outputs_fingerprint(output)

    batch_dir = land_batch(tmp_path, seed=32, associados=40, movimentos=200)
    raw_cpf = sorted(v for v in raw_personal_values(batch_dir) if len(v) == 11)[0]

    # A customer's CPF typed into a description: a leak, whose policy (fail) blocks the whole batch.
    def leak(lines: list[str]) -> list[str]:
        fields = lines[1].split(";")
        fields[2] = f'"Pagamento CPF {raw_cpf}"'
        return [lines[0], ";".join(fields), *lines[2:]]

    rewrite_file(batch_dir, "movimento.csv", leak)
    state = run_pipeline(batch_dir, output)
    assert state.is_failed()
    error = state.result(raise_on_failure=False)
    assert isinstance(error, GateFailed)
    assert "expect_column_values_to_be_null(_dados_pessoais): 1 unexpected" in str(error)
    assert "raw personal data in des_transacao_movimento:cpf: 1 rows" in str(error)
    assert raw_cpf not in str(error)
    # The failed run still publishes the gate table, as a Prefect artifact of that flow run.
    flow_run_id = state.state_details.flow_run_id
    assert flow_run_id is not None
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=["sicooperative-quality-gate"]),
                flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]),
            )
        )
    assert len(artifacts) == 1
    assert "| expect_column_values_to_be_null | _dados_pessoais | fail | **no** | 1 |" in str(
        artifacts[0].data
    )
    assert outputs_fingerprint(output) == before


def test_orphan_is_quarantined_and_the_rest_exported(
    first_run: RunSummary, workspace: dict[str, Path], tmp_path: Path, spark: SparkSession
) -> None:
    output = workspace["output"]
    delta_before = spark.read.format("delta").load(str(output / "delta" / "movimento_flat")).count()
    batch_dir = land_batch(tmp_path, seed=34, associados=40, movimentos=200)

    def orphan(lines: list[str]) -> list[str]:  # a movimento of a cartao that does not exist
        fields = lines[1].split(";")
        fields[-1] = "999"
        return [lines[0], ";".join(fields), *lines[2:]]

    rewrite_file(batch_dir, "movimento.csv", orphan)
    state = run_pipeline(batch_dir, output)
    assert state.is_completed(), state.message
    summary = state.result()
    assert (summary.orphans, summary.quarantined, summary.delta_inserted) == (1, 1, 199)
    assert (
        spark.read.format("delta").load(str(output / "delta" / "movimento_flat")).count()
        == delta_before + 199
    )
    quarantine = spark.read.format("delta").load(str(output / "quarantine" / "movimento_flat")).collect()
    assert len(quarantine) == 1
    assert quarantine[0]["integridade"] == "CARTAO_AUSENTE"
    assert quarantine[0]["regras_violadas"] == ["column_values_to_be_in_set(_integridade)"]
    assert quarantine[0]["batch_id"] == batch_dir.name


def test_rejected_batch_is_moved_aside_and_nothing_of_it_is_loaded(
    first_run: RunSummary, services: dict[str, str], workspace: dict[str, Path], tmp_path: Path
) -> None:
    batch_dir = land_batch(tmp_path / "landing", seed=33, associados=40, movimentos=200)

    def duplicate_id(lines: list[str]) -> list[str]:
        return [*lines, lines[-1]]

    rewrite_file(batch_dir, "conta.csv", duplicate_id)
    state = run_pipeline(batch_dir, workspace["output"])
    assert state.is_failed()
    error = state.result(raise_on_failure=False)
    assert isinstance(error, BatchRejected) and "conta.csv: column id has 1 duplicated values" in str(error)
    moved = tmp_path / "landing" / "_rejected" / batch_dir.name
    assert (moved / REASON_FILE).is_file() and not batch_dir.exists()
    with psycopg2.connect(services["dsn"]) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM associado WHERE batch_id = %s", (batch_dir.name,))
        assert cursor.fetchone()[0] == 0


def test_the_leak_proof_fails_the_run_on_a_value_planted_in_an_output(
    first_run: RunSummary,
    workspace: dict[str, Path],
    tmp_path: Path,
    spark: SparkSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The proof shown able to fail: a raw CPF of the batch written into the staged CSV (a fault injected on
    purpose; the detector upstream makes it impossible otherwise). The run fails naming the file, Delta goes
    back to its version before the run, and nothing is published."""
    import tasks.export.files as files
    from tasks.proof.task import LeakFound

    output = workspace["output"]
    delta_log = output / "delta" / "movimento_flat" / "_delta_log"
    versions_before = sorted(p.name for p in delta_log.glob("*.json"))
    published_before = outputs_fingerprint(output)
    batch_dir = land_batch(tmp_path, seed=35, associados=40, movimentos=200)
    raw_cpf = sorted(v for v in raw_personal_values(batch_dir) if len(v) == 11)[0]
    write_csv = files.write_csv

    def planting(parquet: Location, target: Location, batch_id: str, *args: Any) -> int:
        written = write_csv(parquet, target, batch_id, *args)
        with target.filesystem.open_append_stream(target.path) as stream:
            stream.write(f"{raw_cpf[:3]}.{raw_cpf[3:6]}.{raw_cpf[6:9]}-{raw_cpf[9:]}\r\n".encode())
        return written

    monkeypatch.setattr(files, "write_csv", planting)
    state = run_pipeline(batch_dir, output)

    assert state.is_failed()
    error = state.result(raise_on_failure=False)
    assert isinstance(error, LeakFound), repr(error)
    assert f"movimento_flat-{batch_dir.name}.csv: 1 document" in str(error) and raw_cpf not in str(error)
    assert not batch_csv(output, batch_dir.name).exists()
    assert not (output / "parquet" / "movimento_flat" / f"batch_id={batch_dir.name}").exists()
    table = spark.read.format("delta").load(str(output / "delta" / "movimento_flat"))
    assert table.where(table.batch_id == batch_dir.name).count() == 0  # restored to the version before
    assert sorted(p.name for p in delta_log.glob("*.json"))[: len(versions_before)] == versions_before
    unchanged = {k: v for k, v in outputs_fingerprint(output).items() if k in published_before}
    assert {k: v for k, v in unchanged.items() if not k.startswith("delta/")} == {
        k: v for k, v in published_before.items() if not k.startswith("delta/")
    }
