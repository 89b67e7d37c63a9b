"""Prefect task: append the run to the ledger (`tasks/ops/ledger.py`) at the end of every run, failed or not, and
the rows of earlier runs of the output that died without theirs (`tasks/ops/in_flight.py`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from logging import Logger, LoggerAdapter

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from pyspark.sql import SparkSession

from tasks.errors import failure_reason
from tasks.lineage.transport import lineage_folder
from tasks.ops.in_flight import (
    Marker,
    delete_marker,
    is_over,
    lost_record,
    mark_crashed,
    marker_of,
    read_markers,
    write_marker,
)
from tasks.ops.ledger import RunRecord, recorded_runs, write_record
from tasks.proof.lost_run import prove_lost_run
from tasks.retry import TASK_RETRY_OPTIONS
from tasks.settings import get_settings
from tasks.spark_session import get_spark, job_group
from tasks.storage import Location, resolve


@dataclass
class InFlightMarker:
    """This run's in-flight marker. Writing it never changes how the run ends: a failure is a warning."""

    output: Location
    record: RunRecord

    def enter(self, stage: str | None, stage_seconds: Mapping[str, float]) -> None:
        """The run is entering `stage` (None: starting, or ending) with these stages done."""
        if not self.record.flow_run_id:
            return
        try:
            write_marker(self.output, marker_of(self.record, stage, stage_seconds))
        except Exception as error:
            get_run_logger().warning(
                "the run's in-flight marker could not be written: %s", failure_reason(error)
            )


def record_lost_runs(
    spark: SparkSession, output: Location, own_run: str | None, logger: Logger | LoggerAdapter[Logger]
) -> list[RunRecord]:
    """Ledger rows for the output's runs that ended without writing theirs; their markers are then deleted."""
    markers, unreadable = read_markers(output)
    if unreadable:
        logger.warning("in-flight markers that cannot be read, left in place: %s", ", ".join(unreadable))
    over = []
    for marker in markers:
        if marker.flow_run_id == own_run:
            continue
        try:
            verdict = is_over(marker)
        except Exception as error:  # the server unreachable: judged by the next run
            logger.warning("run %s could not be judged: %s", marker.flow_run_id, failure_reason(error))
            continue
        if verdict:
            over.append(marker)
        else:
            still = "still running" if verdict is False else "not known to this machine or server"
            logger.info("run %s has an in-flight marker and is %s: left alone", marker.flow_run_id, still)
    # A run whose row was written but whose marker was not deleted is not recorded twice.
    already = recorded_runs(spark, output, [marker.flow_run_id for marker in over])
    recorded = []
    for marker in over:
        if marker.flow_run_id in already:
            delete_marker(output, marker.flow_run_id)
            continue
        record = lost_record(marker)
        prove_lost(record, marker, logger)
        write_record(spark, output, record)
        delete_marker(output, marker.flow_run_id)
        recorded.append(record)
        logger.warning(
            "ledger: run %s (batch %s) ended without recording itself; recorded %s, stage %s",
            record.flow_run_name,
            record.batch_id,
            record.status,
            record.failed_stage,
        )
        try:
            if record.status == "CRASHED" and mark_crashed(marker.flow_run_id):
                logger.info("run %s set to Crashed on the Prefect server", marker.flow_run_id)
        except Exception as error:  # the row is written; the server's view is a courtesy
            logger.warning(
                "run %s could not be set to Crashed: %s", marker.flow_run_id, failure_reason(error)
            )
    return recorded


def prove_lost(record: RunRecord, marker: Marker, logger: Logger | LoggerAdapter[Logger]) -> None:
    """The lost run's own leak proof (`tasks/proof/lost_run.py`); its line goes into the row about to be written."""
    settings = get_settings()
    folder = lineage_folder(settings)
    lineage_files = [
        resolve(str(folder / kind / f"{marker.flow_run_id}.jsonl")) for kind in ("flow", "spark")
    ]
    texts = [
        ("in-flight marker", marker.to_json().decode("utf-8")),
        ("ledger row", json.dumps(vars(record), default=str)),
    ]
    proof = prove_lost_run(
        resolve(settings.landing_dir), record.batch_id, marker.flow_run_id, texts, lineage_files
    )
    if proof is None:
        record.leak_proof = "not run: the run's batch can no longer be read"
        return
    record.leak_proof = proof.summary()
    if not proof.clean:
        places = "".join(f"\n  - {hit.describe()}" for hit in proof.hits)
        logger.error("lost run %s: its leak proof found raw values:%s", marker.flow_run_id, places)


@task(name="ledger", cache_policy=NO_CACHE, **TASK_RETRY_OPTIONS)
def write_ledger(record: RunRecord) -> None:
    settings = get_settings()
    spark = get_spark(settings)
    job_group(spark, "ledger")
    output = resolve(settings.output_dir)
    try:
        record_lost_runs(spark, output, record.flow_run_id, get_run_logger())
    except Exception as error:  # never at the cost of this run's own row; the markers stay for the next run
        get_run_logger().warning("earlier runs' lost rows not written this time: %s", failure_reason(error))
    write_record(spark, output, record)
    if record.flow_run_id:
        try:
            delete_marker(output, record.flow_run_id)
        except Exception as error:  # not a reason to retry (and write the row twice): the next run deletes it
            get_run_logger().warning("the run's in-flight marker was not deleted: %s", failure_reason(error))
    get_run_logger().info(
        "ledger: run %s %s (batch %s) recorded under %s",
        record.flow_run_name,
        record.status,
        record.batch_id,
        output.join("ops").uri,
    )


def record_run(record: RunRecord, in_flight: InFlightMarker | None = None) -> None:
    """Never changes how the run ends: a ledger that cannot be written is a warning, not the run's failure (its
    marker, holding the run's end, then lets a later run write the row)."""
    if in_flight is not None:
        in_flight.enter(None, record.stage_seconds)
    try:
        write_ledger(record)
    except Exception as error:  # the run's own outcome (success or its real error) must stand
        get_run_logger().warning("the run ledger could not be written: %s", failure_reason(error))
