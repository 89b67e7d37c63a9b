"""A marker from another machine (or container) is judged by the Prefect server: a run the server has ended (a
worker reports its killed process as Crashed) is recorded, a run it still sees running is left alone, and a run
it does not know is left alone too. A run of this machine whose process is gone is recorded, and set to Crashed on
the server, which still saw it running (nothing else would ever tell it)."""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
from deltalake import DeltaTable
from prefect import flow
from prefect.client.orchestration import get_client
from prefect.states import Crashed, Running
from pyspark.sql import SparkSession

from tasks.landing.verification import verify_batch
from tasks.ops.in_flight import CRASHED_MESSAGE, is_over, marker_of, read_markers, write_marker
from tasks.ops.ledger import RUNS_TABLE, RunRecord
from tasks.ops.task import record_lost_runs, write_ledger
from tasks.settings import get_settings
from tasks.storage import resolve
from tests.utils.batches import land_batch
from tests.utils.in_flight import dead_process_marker, running_record

ELSEWHERE = "worker-container-7f3a/4026532999"  # a scope whose PIDs mean nothing here


@flow(name="sicooperative-pipeline")
def stand_in() -> None:
    """Only its name: the flow runs below are created on the server, never executed."""


def test_another_machines_marker_is_judged_by_the_servers_state(
    prefect_server: None, spark: SparkSession, tmp_path: Path
) -> None:
    with get_client(sync_client=True) as client:
        crashed = client.create_flow_run(stand_in, state=Crashed(message="exit code -9"))
        running = client.create_flow_run(stand_in, state=Running())
    output = resolve(str(tmp_path / "output"))
    markers = {}
    for name, flow_run_id in (("crashed", crashed.id), ("running", running.id), ("unknown", uuid.uuid4())):
        record = RunRecord(flow_run_id=str(flow_run_id), flow_run_name=name, deployment="docker")
        markers[name] = replace(marker_of(record, "extract"), scope=ELSEWHERE)
        write_marker(output, markers[name])

    assert [is_over(markers[name]) for name in ("crashed", "running", "unknown")] == [True, False, None]
    recorded = record_lost_runs(spark, output, None, logging.getLogger(__name__))

    assert [(r.flow_run_name, r.status, r.failed_stage) for r in recorded] == [
        ("crashed", "CRASHED", "extract")
    ]
    (row,) = DeltaTable(output.join("ops", RUNS_TABLE).path).to_pyarrow_table().to_pylist()
    assert (row["flow_run_id"], row["deployment"]) == (str(crashed.id), "docker")
    left, _ = read_markers(output)
    assert sorted(marker.record["flow_run_name"] for marker in left) == ["running", "unknown"]


def test_a_dead_run_the_server_still_sees_running_is_set_to_crashed(
    prefect_server: None, spark: SparkSession, tmp_path: Path
) -> None:
    with get_client(sync_client=True) as client:
        killed = client.create_flow_run(stand_in, state=Running())
    output = resolve(str(tmp_path / "output"))
    record = RunRecord(flow_run_id=str(killed.id), flow_run_name="killed", deployment=None)
    write_marker(output, dead_process_marker(record, "quality_gate"))

    (recorded,) = record_lost_runs(spark, output, None, logging.getLogger(__name__))

    assert (recorded.status, recorded.failed_stage) == ("CRASHED", "quality_gate")
    with get_client(sync_client=True) as client:
        state = client.read_flow_run(killed.id).state
    assert state is not None and state.is_crashed() and state.message == CRASHED_MESSAGE


def test_a_marker_that_cannot_be_recorded_never_costs_the_runs_own_row(
    prefect_server: None, spark: SparkSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = resolve(str(tmp_path / "output"))
    monkeypatch.setenv("SICOOP_OUTPUT_DIR", output.uri)
    get_settings.cache_clear()
    # Over (its process is dead) but not a record a row can be made of.
    broken = replace(
        dead_process_marker(running_record("broken-run"), "load"), record={"flow_run_id": "broken-run"}
    )
    write_marker(output, broken)

    @flow(name="ledger-only")
    def ends() -> None:
        own = RunRecord(flow_run_id="own-run", flow_run_name="own", deployment=None)
        own.complete()
        write_ledger(own)

    try:
        ends()
    finally:
        get_settings.cache_clear()

    rows = DeltaTable(output.join("ops", RUNS_TABLE).path).to_pyarrow_table().to_pylist()
    assert [(row["flow_run_id"], row["status"]) for row in rows] == [("own-run", "COMPLETED")]
    assert read_markers(output) == ([broken], [])  # kept for inspection, and for a later run


def test_a_lost_run_gets_its_own_leak_proof_which_finds_a_planted_value(
    prefect_server: None, spark: SparkSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run that died before its proof is proved by the run that records it: its batch is read again and its
    marker, lineage and server view searched. One lost run is clean; the other's marker carries a raw e-mail of
    its batch (planted on purpose), which the proof finds; both rows say so, never the value."""
    landing, output = tmp_path / "landing", resolve(str(tmp_path / "output"))
    batch = land_batch(landing, seed=265, associados=20, movimentos=50)
    email = verify_batch(batch).tables["associado"]["email"][0].as_py()
    monkeypatch.setenv("SICOOP_LANDING_DIR", str(landing))
    get_settings.cache_clear()
    with get_client(sync_client=True) as client:
        clean_run = client.create_flow_run(stand_in, state=Running())
        leaky_run = client.create_flow_run(stand_in, state=Running())
    clean = RunRecord(flow_run_id=str(clean_run.id), flow_run_name="clean", deployment=None)
    leaky = RunRecord(flow_run_id=str(leaky_run.id), flow_run_name=f"leaky {email}", deployment=None)
    for record in (clean, leaky):
        record.batch_id = batch.name
        write_marker(output, dead_process_marker(record, "export"))
    marker_text = (output.join("ops", "in_flight", f"{leaky_run.id}.json")).read_bytes().decode()
    assert email in marker_text  # the planted fault is real

    try:
        recorded = record_lost_runs(spark, output, None, logging.getLogger(__name__))
    finally:
        get_settings.cache_clear()

    proofs = {record.flow_run_id: record.leak_proof or "" for record in recorded}
    assert proofs[str(clean_run.id)].endswith(": 0 found")
    assert proofs[str(leaky_run.id)].endswith(": 2 found")  # in its marker and in the row it would get
    assert all(email not in proof for proof in proofs.values())
