"""Prefect task: run the quality gate; a failure stops the flow before anything is exported."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from tasks.gate.checkpoint import GateFailed, GateReport, gate_parameters, run_gate
from tasks.retry import TASK_RETRY_OPTIONS
from tasks.transform.task import FlatTable

SUITE = "movimento_flat"


@task(name="quality_gate", cache_policy=NO_CACHE, **TASK_RETRY_OPTIONS)
def quality_gate(
    flat: FlatTable, expected_rows: int, expected_vlr_total: Decimal, quality_dir: Path
) -> GateReport:
    logger = get_run_logger()
    started = time.perf_counter()
    now = datetime.now(UTC).replace(tzinfo=None)
    report = run_gate(flat.frame, SUITE, gate_parameters(expected_rows, expected_vlr_total, now), quality_dir)
    passed = sum(outcome.success for outcome in report.outcomes)
    logger.info(
        "gate %s: %d/%d expectations passed in %.2fs; data docs %s",
        "PASSED" if report.success else "FAILED",
        passed,
        len(report.outcomes),
        time.perf_counter() - started,
        report.data_docs,
    )
    create_markdown_artifact(
        key="sicooperative-quality-gate",
        markdown=report.markdown(),
        description="Every expectation of the gate",
    )
    if not report.success:
        raise GateFailed(report)
    return report
