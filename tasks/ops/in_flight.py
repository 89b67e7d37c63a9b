"""Runs that die without recording themselves (SIGKILL, out of memory, a lost machine) still get their ledger row.

A run keeps a small marker, `<output>/ops/in_flight/<flow run id>.json`: written when it starts, rewritten when a
stage starts and when the run ends (its ledger fields so far, the stage it is in, and which process it is), and
deleted once its ledger row is written. A marker left behind is a run whose row was never written. The next run
of the same output, just before writing its own row, writes one for each such run it can tell is over: the
marker's fields, and for a run that was still in a stage, status `CRASHED` with that stage and a `RunLost` reason.

A marker's run is over when
- its process is gone: the marker was written in this process namespace (same host name and PID namespace) and
  no process with its PID and start time is running; or
- the Prefect server has its flow run in a final state (a worker reports its run's process killed as Crashed).
Otherwise (a live run, or another machine's run the server cannot tell about) the marker is left alone, and the
run's log says so. A run found dead by its process that the server still sees going (a run started by hand has no
worker to report it) is set to Crashed there too, so the failed-run automation alerts on it. Markers hold names,
counts and value-free reasons only, like the ledger itself.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import psutil
from prefect.client.orchestration import SyncPrefectClient, get_client
from prefect.client.schemas.objects import FlowRun
from prefect.exceptions import ObjectNotFound
from prefect.states import Crashed

from tasks.ops.ledger import RunRecord
from tasks.storage import Location

IN_FLIGHT = ("ops", "in_flight")
RUN_LOST = (
    "RunLost: the run's process ended before the run recorded itself (killed, out of memory or its machine "
    "lost); recorded by a later run of the same output"
)
CRASHED_MESSAGE = "The run's process ended without reporting; found by a later run of the same output."
# The RunRecord fields a marker carries: the scalars (the gate's outcomes and drift rows are not kept).
_RECORD_FIELDS = (
    "flow_run_id",
    "flow_run_name",
    "deployment",
    "trigger_event_id",
    "batch_id",
    "manifest_sha256",
    "status",
    "failed_stage",
    "failure",
    "started_at",
    "stage_seconds",
    "rows_in",
    "rows_exported",
    "rows_quarantined",
    "delta_version",
    "leak_proof",
)


def process_scope() -> str:
    """Where a PID means this process: the host name and, on Linux, the PID namespace (a container's own)."""
    try:
        namespace = str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:
        namespace = "-"
    return f"{socket.gethostname()}/{namespace}"


@dataclass(frozen=True)
class Marker:
    record: dict[str, Any]  # the RunRecord's scalar fields, JSON-ready
    stage: str | None  # the stage the run is in (None between stages and once ended)
    updated_at: str
    scope: str
    pid: int
    process_started: float

    @property
    def flow_run_id(self) -> str:
        return str(self.record["flow_run_id"])

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), sort_keys=True).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Marker:
        given = json.loads(data)
        return cls(**{f.name: given[f.name] for f in fields(cls) if f.name in given})


def _snapshot(record: RunRecord, stage_seconds: Mapping[str, float]) -> dict[str, Any]:
    values = {name: getattr(record, name) for name in _RECORD_FIELDS}
    values["started_at"] = record.started_at.astimezone(UTC).isoformat()
    values["stage_seconds"] = dict(stage_seconds)
    return values


def marker_of(
    record: RunRecord, stage: str | None, stage_seconds: Mapping[str, float] | None = None
) -> Marker:
    """The run as it stands, in `stage`, with these stages done (default: the record's own)."""
    me = psutil.Process()
    return Marker(
        record=_snapshot(record, record.stage_seconds if stage_seconds is None else stage_seconds),
        stage=stage,
        updated_at=datetime.now(UTC).isoformat(),
        scope=process_scope(),
        pid=me.pid,
        process_started=me.create_time(),
    )


def marker_location(output: Location, flow_run_id: str) -> Location:
    return output.join(*IN_FLIGHT, f"{flow_run_id}.json")


def write_marker(output: Location, marker: Marker) -> None:
    marker_location(output, marker.flow_run_id).write_bytes(marker.to_json())


def delete_marker(output: Location, flow_run_id: str) -> None:
    location = marker_location(output, flow_run_id)
    if location.exists():
        location.filesystem.delete_file(location.path)


def read_markers(output: Location) -> tuple[list[Marker], list[str]]:
    """Every marker of the output, and the names of files that are not markers (left alone, reported)."""
    markers, unreadable = [], []
    for file in output.join(*IN_FLIGHT).list_files():
        if not file.name.endswith(".json"):
            continue
        try:
            markers.append(Marker.from_json(file.read_bytes()))
        except (ValueError, TypeError, KeyError):
            unreadable.append(file.name)
    return markers, unreadable


def process_gone(marker: Marker) -> bool | None:
    """True or False when the marker's process can be looked up from here; None when it cannot."""
    if marker.scope != process_scope():
        return None
    try:
        started = psutil.Process(marker.pid).create_time()
    except psutil.NoSuchProcess:
        return True
    except psutil.Error:  # exists but cannot be inspected: taken as alive
        return False
    return bool(abs(started - marker.process_started) > 1.0)  # True: the PID was reused by another process


def _known_run(client: SyncPrefectClient, flow_run_id: str) -> FlowRun | None:
    """The flow run as the server has it; None for an id it does not know (or that is no flow run id)."""
    try:
        return client.read_flow_run(UUID(flow_run_id))
    except (ValueError, ObjectNotFound):
        return None


def flow_run_ended(flow_run_id: str) -> bool | None:
    """Whether the Prefect server has the flow run in a final state; None when it does not know the run."""
    with get_client(sync_client=True) as client:
        flow_run = _known_run(client, flow_run_id)
    if flow_run is None:
        return None
    return bool(flow_run.state and flow_run.state.is_final())


def mark_crashed(flow_run_id: str) -> bool:
    """Tell the Prefect server a run it still sees going is dead (its process is gone): its state becomes
    Crashed, which the failed-run automation alerts on. True when the state was changed."""
    with get_client(sync_client=True) as client:
        flow_run = _known_run(client, flow_run_id)
        if flow_run is None or (flow_run.state is not None and flow_run.state.is_final()):
            return False
        client.set_flow_run_state(flow_run.id, Crashed(message=CRASHED_MESSAGE), force=True)
    return True


def is_over(marker: Marker) -> bool | None:
    """Whether the marker's run is over (True), still running (False), or cannot be told from here (None)."""
    gone = process_gone(marker)
    if gone is not None:
        return gone
    return flow_run_ended(marker.flow_run_id)


def lost_record(marker: Marker) -> RunRecord:
    """The ledger row of a run over without its row: as far as it got, CRASHED if it was still in a stage."""
    given = dict(marker.record)
    record = RunRecord(
        flow_run_id=given.pop("flow_run_id"),
        flow_run_name=given.pop("flow_run_name"),
        deployment=given.pop("deployment"),
    )
    for name, value in given.items():
        setattr(record, name, value)
    record.started_at = datetime.fromisoformat(str(given["started_at"]))
    record.finished_at = datetime.fromisoformat(marker.updated_at)
    if record.status == "RUNNING":
        record.status, record.failed_stage, record.failure = "CRASHED", marker.stage, RUN_LOST
    return record
