"""Spark jobs and bytes read per pipeline stage, from Spark's own event log (EventLoggingListener's JSON lines).

Each Spark-using task names its jobs with a job group (its stage name, `tasks.spark_session.job_group`); the
event log records every job with its group and every task with its metrics, so the count of jobs and the bytes
and records read are Spark's own figures, not estimates.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path


@dataclass
class StageWork:
    jobs: int = 0
    tasks: int = 0
    input_bytes: int = 0
    input_records: int = 0
    shuffle_read_bytes: int = 0


def work_by_group(event_log: Path) -> dict[str, StageWork]:
    """Jobs, tasks and bytes read per job group of one application's event log."""
    stage_group: dict[int, str] = {}
    work: dict[str, StageWork] = defaultdict(StageWork)
    with event_log.open(encoding="utf-8") as lines:
        for line in lines:
            event = json.loads(line)
            kind = event.get("Event")
            if kind == "SparkListenerJobStart":
                group = (event.get("Properties") or {}).get("spark.jobGroup.id") or "(no group)"
                work[group].jobs += 1
                for stage in event.get("Stage IDs", []):
                    stage_group[int(stage)] = group
            elif kind == "SparkListenerTaskEnd":
                group = stage_group.get(int(event.get("Stage ID", -1)), "(no group)")
                metrics = event.get("Task Metrics") or {}
                read = metrics.get("Input Metrics") or {}
                shuffle = metrics.get("Shuffle Read Metrics") or {}
                work[group].tasks += 1
                work[group].input_bytes += int(read.get("Bytes Read", 0))
                work[group].input_records += int(read.get("Records Read", 0))
                work[group].shuffle_read_bytes += int(shuffle.get("Remote Bytes Read", 0)) + int(
                    shuffle.get("Local Bytes Read", 0)
                )
    return dict(work)


def latest_event_log(folder: Path) -> Path | None:
    """The newest application's log (finished, or still `.inprogress`)."""
    logs = [path for path in folder.iterdir() if path.is_file() and not path.name.startswith(".")]
    return max(logs, key=lambda path: path.stat().st_mtime) if logs else None
