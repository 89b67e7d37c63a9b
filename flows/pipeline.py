"""The SiCooperative pipeline flow: generate -> load -> extract -> mask/join -> gate -> drift check -> export ->
leak proof -> publish, and the run ledger however it ends."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TypeVar
from uuid import UUID

from prefect import flow, get_run_logger, runtime
from prefect.artifacts import create_markdown_artifact
from prefect.states import format_exception

from flows.parameters import Associados, Batch, Movimentos, Seed
from tasks.domain.tables import INTEGRITY_OK
from tasks.drift.task import DriftFailed, check_drift
from tasks.errors import failure_reason
from tasks.export.task import ExportReport, export_batch, publish_batch, rollback_export
from tasks.extract.task import extract_sources
from tasks.gate.checkpoint import GateFailed
from tasks.gate.event import emit_gate_failed, gate_failed_payload
from tasks.gate.task import quality_gate
from tasks.generate.task import generate_batch
from tasks.landing.rejection import REASON_FILE, REJECTED_DIR
from tasks.landing.staging import locate_batch
from tasks.lineage.flow_run import finish_lineage, start_lineage
from tasks.lineage.transport import lineage_folder
from tasks.load.task import load_batch
from tasks.ops.ledger import RunRecord
from tasks.ops.stage_chart import publish_stage_chart
from tasks.ops.task import InFlightMarker, record_run
from tasks.ops.trigger import trigger_event_id
from tasks.ops.writer import writer_slot
from tasks.proof.logs import LogCapture, capture_logs
from tasks.proof.registry import forget, recall
from tasks.proof.run_end import RunEnd, files_written_since, prove_run_end
from tasks.proof.task import LeakFound, prove_no_leak
from tasks.settings import Settings, get_settings
from tasks.spark_session import start_in_background
from tasks.storage import Location, resolve
from tasks.transform.task import build_movimento_flat

T = TypeVar("T")


@dataclass
class StageTimes:
    seconds: dict[str, float] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    current: str | None = None  # the stage running, or the last one started
    on_start: Callable[[str, dict[str, float]], None] | None = None  # told each stage and the seconds so far

    def run(self, stage: str, call: Callable[[], T], rows: Callable[[T], int] | None = None) -> T:
        self.current = stage
        if self.on_start is not None:
            self.on_start(stage, self.seconds)
        started = time.perf_counter()
        result = call()
        self.seconds[stage] = time.perf_counter() - started
        if rows is not None:
            self.rows[stage] = rows(result)
        return result


@dataclass(frozen=True)
class RunSummary:
    batch_id: str
    batch_path: str
    stage_seconds: dict[str, float]
    stage_rows: dict[str, int]
    loaded: dict[str, int]
    extract_parts: dict[str, int]  # Spark partitions read per source
    orphans: int
    quarantined: int
    expectations_passed: int
    expectations_total: int
    data_docs: str  # this run's page of the quality gate's data docs
    delta_path: str
    delta_version: int
    delta_inserted: int
    delta_updated: int
    parquet_path: str
    csv_path: str
    batch_rows: int  # the batch's rows in Delta, Parquet and CSV
    leak_proof: str  # "N raw values searched in M files: 0 found"

    def markdown(self) -> str:
        lines = [
            f"# SiCooperative pipeline: batch `{self.batch_id}`",
            "",
            "| stage | seconds | rows |",
            "|---|---:|---:|",
        ]
        for stage, seconds in self.stage_seconds.items():
            rows = self.stage_rows.get(stage)
            lines.append(f"| {stage} | {seconds:.2f} | {'' if rows is None else f'{rows:,}'} |")
        lines += [
            "",
            f"- loaded rows: {', '.join(f'{k}={v:,}' for k, v in self.loaded.items())}",
            f"- orphans: {self.orphans}; quarantined rows: {self.quarantined}",
            f"- quality gate: {self.expectations_passed}/{self.expectations_total} rules held; "
            f"data docs `{self.data_docs}`",
            f"- leak proof: {self.leak_proof}",
            f"- Delta: `{self.delta_path}` v{self.delta_version} (+{self.delta_inserted:,} inserted, "
            f"{self.delta_updated:,} updated this run)",
            f"- Parquet: `{self.parquet_path}` ({self.batch_rows:,} rows of this batch)",
            f"- CSV: `{self.csv_path}`",
        ]
        return "\n".join(lines)


def quality_dir(settings: Settings, output: Location) -> str:
    """Great Expectations keeps its project (suites, results, data docs) on a local file system."""
    if settings.quality_dir:
        return settings.quality_dir
    return output.join("quality").path if not output.is_s3 else "data/quality"


@flow(name="sicooperative-pipeline", log_prints=True)
def sicooperative_pipeline(
    associados: Associados = 5_000,
    movimentos: Movimentos = 100_000,
    seed: Seed = 42,
    batch: Batch = None,
) -> RunSummary:
    """Generate (or take an existing landed `batch`), load, extract, mask, join, gate and export one batch.

    The landing and the output (folders or s3://bucket/prefix) are the configuration of the process running
    the flow (SICOOP_LANDING_DIR, SICOOP_OUTPUT_DIR), never run parameters, so no run can be steered to read or
    write elsewhere; `batch` must lie directly inside that landing. Parameter types, bounds and descriptions
    are declared in flows/parameters.py; Prefect takes the UI's descriptions from the docstring below, which
    tests/unit/test_definitions.py holds equal to them.

    Args:
        associados: Associados to generate (not used with batch).
        movimentos: Movimentos to generate (not used with batch).
        seed: Random seed; it also selects the generated batch's id block (not used with batch).
        batch: An already-landed batch to process instead of generating one: its folder name in the
            landing, or its path or s3:// URI directly inside the landing. Empty: generate a batch.
    """
    # One writer at a time (tasks/ops/writer.py): the slot covers everything the run writes, ledger included.
    with writer_slot(get_settings().writer_limit, runtime.flow_run.id or None, bool(runtime.deployment.id)):
        record = RunRecord(
            flow_run_id=runtime.flow_run.id or None,
            flow_run_name=runtime.flow_run.name or None,
            deployment=runtime.deployment.name or None,
        )
        # Left behind only if the process dies before the ledger has the run: the next run records it then.
        in_flight = InFlightMarker(resolve(get_settings().output_dir), record)
        in_flight.enter(None, {})
        times = StageTimes(on_start=in_flight.enter)
        lineage = start_lineage(record)  # OpenLineage START; never raises
        started = datetime.now(UTC) - timedelta(seconds=1)  # file times are compared with this: a margin
        outcome: BaseException | None = None
        with capture_logs() as logs:
            try:
                summary = _run(associados, movimentos, seed, batch, logs, times, record)
                record.complete()
                return summary
            except BaseException as error:
                outcome = error
                record.fail(times.current, error)
                if isinstance(error, GateFailed):
                    record.suite, record.outcomes = error.report.suite, error.report.outcomes
                    # The automation `sicooperative-gate-failed` listens for it.
                    emit_gate_failed(record.batch_id, error.report)
                if isinstance(error, DriftFailed):
                    record.metrics, record.drift = error.report.metrics, error.report.outcomes
                raise
            finally:
                record.stage_seconds = dict(times.seconds)
                # Asked at the end: by then the server has long recorded the trigger that created the run.
                record.trigger_event_id = trigger_event_id(record.flow_run_id)
                record_run(record, in_flight)
                finish_lineage(lineage, record)  # OpenLineage COMPLETE or FAIL; never raises
                prove_what_the_run_left(record, outcome, started, logs)


def prove_what_the_run_left(
    record: RunRecord, outcome: BaseException | None, started: datetime, logs: LogCapture
) -> None:
    """The leak proof of every outcome (`tasks/proof/run_end.py`), over what the run left once it is written: a
    hit fails the run, named by place and kind (raised in place of the run's own error, which is logged)."""
    fingerprints = recall(record.flow_run_id)
    forget(record.flow_run_id)
    if fingerprints is None or not len(fingerprints):
        return  # the batch was never read: it cannot have leaked what no one saw
    settings = get_settings()
    output = resolve(settings.output_dir)
    landing = resolve(settings.landing_dir)
    # The gate's results and data docs too: a failed gate writes them, and its run never reaches the first proof.
    folders = [
        output.join("ops"),
        resolve(str(lineage_folder(settings))),
        resolve(quality_dir(settings, output)),
    ]
    # A rejected batch is kept aside as it landed (raw, by design); what the run wrote there is its reason.
    rejections = [
        file for file in files_written_since(landing.join(REJECTED_DIR), started) if file.name == REASON_FILE
    ]
    if settings.spark_event_log_dir is not None:
        folders.append(resolve(str(settings.spark_event_log_dir)))
    texts = [("captured logs", logs.text())]
    if outcome is not None:
        texts.append(("final state message", format_exception(outcome)))
    if isinstance(outcome, GateFailed):
        texts.append(("gate-failed event", json.dumps(gate_failed_payload(outcome.report), default=str)))
    run_id = UUID(record.flow_run_id) if record.flow_run_id else None
    proof = prove_run_end(fingerprints, RunEnd(started, folders, run_id, texts, rejections))
    logger = get_run_logger()
    if proof.clean:
        logger.info("leak proof of what the run left: %s, in %.2fs", proof.summary(), proof.seconds)
        return
    if outcome is not None:
        logger.error("the run failed (%s), then its leak proof found raw values", failure_reason(outcome))
    raise LeakFound(proof, "found in what the run left") from None


def _run(
    associados: int,
    movimentos: int,
    seed: int,
    batch: str | None,
    logs: LogCapture,
    times: StageTimes,
    record: RunRecord,
) -> RunSummary:
    logger = get_run_logger()
    started = datetime.now(UTC) - timedelta(seconds=1)  # file times are compared with this: a margin
    settings = get_settings()
    # The SparkSession takes 10-20 s to start; generate and load do not need it, so it starts meanwhile (unless
    # `python -m flows.main` started it before its imports, or an earlier run of this process did).
    start_in_background()
    landing_uri = settings.landing_dir
    output_location = resolve(settings.output_dir)
    quality = quality_dir(settings, output_location)

    if batch:
        batch_location = locate_batch(batch, landing_uri)
        record.batch_id = batch_location.name
    else:
        batch_location = times.run(
            "generate",
            lambda: generate_batch(resolve(landing_uri), associados, movimentos, seed),
            lambda _: movimentos,
        )
        record.batch_id = batch_location.name
    loaded = times.run("load", lambda: load_batch(batch_location), lambda r: sum(r.rows.values()))
    record.batch_id, record.manifest_sha256 = loaded.batch_id, loaded.manifest_sha256
    record.rows_in = loaded.totals.movimentos
    sources = times.run("extract", lambda: extract_sources(loaded.batch_id), lambda s: sum(s.rows.values()))
    try:
        flat = times.run("mask_and_join", lambda: build_movimento_flat(sources), lambda f: f.rows)
    finally:
        sources.release()  # the persisted flat frame holds everything later stages need
    try:
        gate = times.run(
            "quality_gate",
            lambda: quality_gate(flat, loaded.totals, quality, loaded.batch_id),
            lambda g: g.verdicts.rows,
        )
    finally:
        flat.release()  # the gate's persisted frame (the same rows with its verdicts) replaces it
    record.suite, record.outcomes = gate.report.suite, gate.report.outcomes
    try:
        if settings.drift_mode != "off":
            drift = times.run(
                "drift_check",
                lambda: check_drift(
                    gate.batch.persisted, gate.verdicts.by_rule, gate.report.outcomes, loaded.batch_id
                ),
            )
            record.metrics, record.drift = drift.metrics, drift.outcomes
        staged = times.run(
            "export",
            lambda: export_batch(gate.batch, output_location, loaded.batch_id),
            lambda e: e.rows,
        )
    finally:
        gate.split.release()

    verdicts = gate.verdicts
    record.rows_exported, record.rows_quarantined = staged.rows, staged.quarantined
    record.delta_version = staged.merge.version

    def summary_of(proof: str, published: ExportReport | None) -> RunSummary:
        return RunSummary(
            batch_id=loaded.batch_id,
            batch_path=batch_location.uri,
            stage_seconds=times.seconds,
            stage_rows=times.rows,
            loaded=loaded.rows,
            extract_parts=sources.partitions,
            orphans=verdicts.rows - verdicts.integrity.get(INTEGRITY_OK, 0),
            quarantined=staged.quarantined,
            expectations_passed=len(gate.report.outcomes) - len(gate.report.blocking),
            expectations_total=len(gate.report.outcomes),
            data_docs=str(gate.report.data_docs),
            delta_path=staged.delta.uri,
            delta_version=staged.merge.version,
            delta_inserted=staged.merge.inserted,
            delta_updated=staged.merge.updated,
            parquet_path=published.parquet_path if published else staged.published.parquet.uri,
            csv_path=published.csv_path if published else staged.published.csv.uri,
            batch_rows=staged.rows,
            leak_proof=proof,
        )

    # The summary itself is searched too, before anyone can see it.
    pending = summary_of("pending", None).markdown()
    proof = times.run(
        "leak_proof",
        lambda: prove_no_leak(
            loaded.fingerprints,
            staged.written,
            quality,
            started,
            runtime.flow_run.id and UUID(runtime.flow_run.id),
            [("run summary", pending), ("logs", logs.text())],
        ),
    )
    record.leak_proof = proof.summary()
    if not proof.clean:
        rollback_export(staged)
        raise LeakFound(proof)
    published = times.run("publish", lambda: publish_batch(staged))

    summary = summary_of(proof.summary(), published)
    create_markdown_artifact(
        key="sicooperative-run-summary", markdown=summary.markdown(), description="Pipeline run summary"
    )
    publish_stage_chart(summary.stage_seconds)  # the same seconds as bars, drawn by the Prefect UI itself
    logger.info("run summary:\n%s", summary.markdown())
    return summary
