"""Prefect task: judge every row of the batch once (quarantine rules, raw personal data), then gate the whole
batch with GX.

GX validates every row, quarantined or not: `fail` rules (keys, schema, reconciliation with the batch, raw
personal data anywhere) must hold for all of them, and each quarantine rule's unexpected count must equal the
rows its Spark predicate set aside. A blocking failure stops the flow before anything is written; the gate's
table is published either way.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from pyspark.sql import DataFrame
from pyspark.sql.types import StringType

from tasks.domain.movimento_flat import KEY, ROW_HASH
from tasks.domain.suites import suite_json
from tasks.domain.tables import INTEGRITY, JOIN_VERDICTS
from tasks.gate.checkpoint import GateFailed, GateReport, gate_parameters, run_gate
from tasks.gate.quarantine import QuarantineSplit, RowVerdicts, split_quarantine
from tasks.handoff import BatchTotals, FlatTable, GatedBatch
from tasks.retry import TASK_RETRY_OPTIONS
from tasks.spark_session import get_spark, job_group

SUITE = "movimento_flat"
AMOUNT = "vlr_transacao_movimento"
# Not searched for personal data: a hex digest of the row, which holds long digit runs by chance.
NOT_SCANNED = (ROW_HASH, *JOIN_VERDICTS)


@dataclass(frozen=True)
class GateResult:
    report: GateReport
    split: QuarantineSplit  # `passed` is what may be exported, `quarantined` goes to quarantine

    @property
    def verdicts(self) -> RowVerdicts:
        return self.split.verdicts

    @property
    def batch(self) -> GatedBatch:
        """What the export takes: the rows to export and the rows set aside."""
        return GatedBatch(
            passed=self.split.passed,
            quarantined=self.split.quarantined,
            quarantined_rows=self.split.rows,
            key_range=self.verdicts.key_range,
            persisted=self.split.flagged,
        )


def text_columns(frame: DataFrame) -> list[str]:
    """Every string column of the output: where raw personal data could hide."""
    return [
        field.name
        for field in frame.schema.fields
        if isinstance(field.dataType, StringType) and field.name not in NOT_SCANNED
    ]


def judge_rows(frame: DataFrame, now: datetime) -> QuarantineSplit:
    """The gate's one pass: every row's quarantine rules and personal-data flag, persisted and counted."""
    return split_quarantine(
        frame,
        suite_json(SUITE)["expectations"],
        {"now": now},
        text_columns(frame),
        AMOUNT,
        INTEGRITY,
        KEY,
    )


@task(name="quality_gate", cache_policy=NO_CACHE, **TASK_RETRY_OPTIONS)
def quality_gate(
    flat: FlatTable,
    totals: BatchTotals,
    quality_dir: Path | str,
    batch_id: str | None = None,
) -> GateResult:
    """Flag, persist and count every row once, then validate the batch; the data docs keep a page per run,
    named after the batch."""
    logger = get_run_logger()
    started = time.perf_counter()
    now = datetime.now(UTC).replace(tzinfo=None)
    job_group(get_spark(), "quality_gate")
    split = judge_rows(flat.frame, now)
    judged = time.perf_counter() - started
    verdicts = split.verdicts
    parameters = gate_parameters(totals.movimentos, totals.vlr_total, now)
    report = replace(
        run_gate(
            split.flagged,
            SUITE,
            parameters,
            Path(quality_dir),
            run_name=batch_id,
            quarantined=verdicts.by_rule,
        ),
        quarantined_rows=verdicts.quarantined_rows,
        quarantine_by_rule=verdicts.by_rule,
    )
    logger.info(
        "gate %s: %d/%d rules held, %s rows quarantined%s, %s rows with raw personal data%s, in %.2fs "
        "(one pass judging every row %.2fs, GX checkpoint %.2fs); data docs %s",
        "PASSED" if report.success else "FAILED",
        len(report.outcomes) - len(report.blocking),
        len(report.outcomes),
        f"{verdicts.quarantined_rows:,}",
        f" {verdicts.by_rule}" if verdicts.by_rule else "",
        f"{verdicts.personal_data_rows:,}",
        f" {verdicts.personal_data}" if verdicts.personal_data else "",
        time.perf_counter() - started,
        judged,
        time.perf_counter() - started - judged,
        report.data_docs,
    )
    create_markdown_artifact(
        key="sicooperative-quality-gate",
        markdown=report.markdown(),
        description="Every expectation of the gate",
    )
    if not report.success:
        split.release()
        raise GateFailed(report, verdicts.personal_data)
    return GateResult(report=report, split=split)
