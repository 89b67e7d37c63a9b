"""Prefect task: quarantine the rows breaking quarantine rules, then gate the rest with GX.

A blocking failure stops the flow before anything is exported; the gate's table is published either way.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from tasks.gate.checkpoint import GateFailed, GateReport, gate_parameters, load_suite_json, run_gate
from tasks.gate.quarantine import QuarantineSplit, split_quarantine
from tasks.retry import TASK_RETRY_OPTIONS
from tasks.transform.task import FlatTable

SUITE = "movimento_flat"


@dataclass(frozen=True)
class GateResult:
    report: GateReport
    split: QuarantineSplit  # `passed` is what may be exported, `quarantined` goes to quarantine


@task(name="quality_gate", cache_policy=NO_CACHE, **TASK_RETRY_OPTIONS)
def quality_gate(
    flat: FlatTable,
    expected_rows: int,
    expected_vlr_total: Decimal,
    quality_dir: Path | str,
    batch_id: str | None = None,
) -> GateResult:
    """Quarantine, then validate the rest; the data docs keep a page per run, named after the batch."""
    logger = get_run_logger()
    started = time.perf_counter()
    now = datetime.now(UTC).replace(tzinfo=None)
    split = split_quarantine(
        flat.frame, load_suite_json(SUITE)["expectations"], {"now": now}, "vlr_transacao_movimento"
    )
    # Reconciliation on what is left: exported + quarantined = the batch.
    parameters = gate_parameters(expected_rows - split.rows, expected_vlr_total - split.vlr_total, now)
    report = replace(
        run_gate(split.passed, SUITE, parameters, Path(quality_dir), run_name=batch_id),
        quarantined_rows=split.rows,
        quarantine_by_rule=split.by_rule,
    )
    logger.info(
        "gate %s: %d/%d expectations passed, %d warnings, %s rows quarantined%s, in %.2fs; data docs %s",
        "PASSED" if report.success else "FAILED",
        len(report.outcomes) - len(report.failures),
        len(report.outcomes),
        len(report.failures) - len(report.blocking),
        f"{split.rows:,}",
        f" {split.by_rule}" if split.by_rule else "",
        time.perf_counter() - started,
        report.data_docs,
    )
    create_markdown_artifact(
        key="sicooperative-quality-gate",
        markdown=report.markdown(),
        description="Every expectation of the gate",
    )
    if not report.success:
        split.release()
        raise GateFailed(report)
    return GateResult(report=report, split=split)
