"""Runs as in-flight markers see them: a run's record part-way through, and a marker whose process is dead."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

import psutil

from tasks.ops.in_flight import Marker, marker_of
from tasks.ops.ledger import RunRecord


def running_record(flow_run_id: str) -> RunRecord:
    record = RunRecord(flow_run_id=flow_run_id, flow_run_name=f"run-{flow_run_id}", deployment="d")
    record.batch_id, record.rows_in = "b-1", 200
    record.stage_seconds = {"generate": 1.5, "load": 2.0}
    return record


def dead_process_marker(record: RunRecord, stage: str) -> Marker:
    """A marker written by a process that has since been killed (its PID and start time, as a run's)."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    started = psutil.Process(child.pid).create_time()
    child.kill()
    child.wait()
    return replace(marker_of(record, stage), pid=child.pid, process_started=started)
