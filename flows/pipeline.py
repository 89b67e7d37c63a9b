"""The SiCooperative pipeline flow: generate -> load -> extract -> mask/join -> gate -> export."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, TypeVar

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact

from tasks.export.task import ExportReport, export_movimento_flat
from tasks.extract.task import extract_sources
from tasks.gate.task import quality_gate
from tasks.generate.task import generate_batch
from tasks.landing.staging import locate_batch
from tasks.load.task import load_batch
from tasks.settings import Settings, get_settings
from tasks.storage import Location, resolve
from tasks.transform.task import build_movimento_flat

T = TypeVar("T")


@dataclass
class StageTimes:
    seconds: dict[str, float] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)

    def run(self, stage: str, call: Callable[[], T], rows: Callable[[T], int] | None = None) -> T:
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
    orphans: int
    quarantined: int
    expectations_passed: int
    expectations_total: int
    data_docs: str  # this run's page of the quality gate's data docs
    delta_path: str
    parquet_path: str
    csv_path: str
    delta_rows: int
    delta_inserted: int

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
            f"- quality gate: {self.expectations_passed}/{self.expectations_total} expectations passed; "
            f"data docs `{self.data_docs}`",
            f"- Delta: `{self.delta_path}` ({self.delta_rows:,} rows, +{self.delta_inserted:,} this run)",
            f"- Parquet: `{self.parquet_path}`",
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
    associados: int = 5_000,
    movimentos: int = 100_000,
    seed: int = 42,
    landing: str | None = None,
    output: str | None = None,
    batch: str | None = None,
) -> dict[str, Any]:
    """Generate (or take an existing landed `batch`), load, extract, mask, join, gate and export one batch.

    `batch` is a landed batch's folder or s3:// location, or its folder name under `landing` (what the
    file-arrival triggers pass). `landing` and `output` are folders or s3://bucket/prefix.
    """
    logger = get_run_logger()
    settings = get_settings()
    landing_uri = landing or settings.landing_dir
    output_location = resolve(output or settings.output_dir)
    times = StageTimes()

    if batch:
        batch_location = locate_batch(batch, landing_uri)
    else:
        batch_location = times.run(
            "generate",
            lambda: generate_batch(resolve(landing_uri), associados, movimentos, seed),
            lambda _: movimentos,
        )
    loaded = times.run("load", lambda: load_batch(batch_location), lambda r: sum(r.rows.values()))
    sources = times.run("extract", lambda: extract_sources(loaded.batch_id), lambda s: sum(s.rows.values()))
    flat = times.run("mask_and_join", lambda: build_movimento_flat(sources), lambda f: f.rows)
    sources.release()
    try:
        gate = times.run(
            "quality_gate",
            lambda: quality_gate(
                flat,
                loaded.rows["movimento"],
                loaded.vlr_total,
                quality_dir(settings, output_location),
                loaded.batch_id,
            ),
            lambda _: flat.rows,
        )
        exported: ExportReport = times.run(
            "export",
            lambda: export_movimento_flat(gate, output_location),
            lambda r: flat.rows - r.quarantined,
        )
    finally:
        flat.frame.unpersist()

    summary = RunSummary(
        batch_id=loaded.batch_id,
        batch_path=batch_location.uri,
        stage_seconds=times.seconds,
        stage_rows=times.rows,
        loaded=loaded.rows,
        orphans=flat.orphans,
        quarantined=exported.quarantined,
        expectations_passed=sum(o.success for o in gate.report.outcomes),
        expectations_total=len(gate.report.outcomes),
        data_docs=str(gate.report.data_docs),
        delta_path=exported.delta_path,
        parquet_path=exported.parquet_path,
        csv_path=exported.csv_path,
        delta_rows=exported.delta_rows,
        delta_inserted=exported.merge.inserted,
    )
    create_markdown_artifact(
        key="sicooperative-run-summary", markdown=summary.markdown(), description="Pipeline run summary"
    )
    logger.info("run summary:\n%s", summary.markdown())
    return asdict(summary)
