"""In-flight markers: what a run leaves while it runs, how a later run tells it is over, and the row it writes."""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from deltalake import DeltaTable
from pyspark.sql import SparkSession

from tasks.ops.in_flight import (
    RUN_LOST,
    Marker,
    is_over,
    lost_record,
    marker_location,
    marker_of,
    process_gone,
    read_markers,
    write_marker,
)
from tasks.ops.ledger import RUNS_TABLE, write_record
from tasks.ops.task import record_lost_runs
from tasks.storage import Location, resolve
from tests.utils.in_flight import dead_process_marker, running_record

LOG = logging.getLogger(__name__)


@pytest.fixture
def output(tmp_path: Path) -> Location:
    return resolve(str(tmp_path / "output"))


def test_a_marker_round_trips_and_a_run_lost_mid_stage_is_recorded_crashed_in_that_stage() -> None:
    marker = marker_of(running_record("r-1"), "export")
    again = Marker.from_json(marker.to_json())
    assert again == marker
    record = lost_record(again)
    assert (record.flow_run_id, record.batch_id, record.rows_in) == ("r-1", "b-1", 200)
    assert (record.status, record.failed_stage, record.failure) == ("CRASHED", "export", RUN_LOST)
    assert record.stage_seconds == {"generate": 1.5, "load": 2.0}
    assert record.finished_at == datetime.fromisoformat(marker.updated_at)
    assert record.started_at.tzinfo is not None and record.started_at <= record.finished_at


def test_a_run_that_ended_but_could_not_write_its_row_keeps_its_own_end() -> None:
    ended = running_record("r-2")
    ended.fail("quality_gate", TimeoutError("x"))
    record = lost_record(marker_of(ended, None))
    assert (record.status, record.failed_stage, record.failure) == ("FAILED", "quality_gate", "TimeoutError")


def test_a_live_process_is_not_over_a_dead_one_is_and_another_machines_cannot_be_told() -> None:
    mine = marker_of(running_record("r-3"), "load")
    assert process_gone(mine) is False and is_over(mine) is False
    assert process_gone(dead_process_marker(running_record("r-4"), "load")) is True
    reused = replace(mine, process_started=mine.process_started - 3600)  # same PID, another process's start
    assert process_gone(reused) is True
    elsewhere = replace(mine, scope="another-host/4026531836")
    assert process_gone(elsewhere) is None


def test_the_next_run_records_a_dead_run_once_and_leaves_a_live_one(
    spark: SparkSession, output: Location
) -> None:
    dead = dead_process_marker(running_record("dead-run"), "export")
    live = marker_of(running_record("live-run"), "extract")
    own = marker_of(running_record("own-run"), None)
    for marker in (dead, live, own):
        write_marker(output, marker)
    (output.join("ops", "in_flight", "torn.json")).write_bytes(b'{"record": ')

    recorded = record_lost_runs(spark, output, "own-run", LOG)

    assert [(r.flow_run_id, r.status, r.failed_stage) for r in recorded] == [
        ("dead-run", "CRASHED", "export")
    ]
    ledger = DeltaTable(output.join("ops", RUNS_TABLE).path).to_pyarrow_table().to_pylist()
    assert [(row["flow_run_id"], row["status"], row["failure_reason"]) for row in ledger] == [
        ("dead-run", "CRASHED", RUN_LOST)
    ]
    assert dict(ledger[0]["stage_seconds"]) == {"generate": 1.5, "load": 2.0}
    assert not marker_location(output, "dead-run").exists()
    markers, unreadable = read_markers(output)
    assert sorted(m.flow_run_id for m in markers) == ["live-run", "own-run"] and unreadable == ["torn.json"]

    # A marker whose row was written after all (its deletion failed) is deleted, not recorded twice.
    write_marker(output, dead)
    assert record_lost_runs(spark, output, "own-run", LOG) == []
    assert not marker_location(output, "dead-run").exists()
    assert DeltaTable(output.join("ops", RUNS_TABLE).path).to_pyarrow_table().num_rows == 1


def test_a_row_keeps_the_time_the_lost_run_was_last_seen(spark: SparkSession, output: Location) -> None:
    record = lost_record(dead_process_marker(running_record("old-run"), "load"))
    time.sleep(1.1)
    write_record(spark, output, record)
    (row,) = DeltaTable(output.join("ops", RUNS_TABLE).path).to_pyarrow_table().to_pylist()
    assert record.finished_at is not None
    written = row["finished_at"].replace(tzinfo=row["finished_at"].tzinfo or UTC)
    assert abs((written - record.finished_at).total_seconds()) < 0.001  # not the time it was written
