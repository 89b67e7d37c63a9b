"""Prefect task: measure the gated batch and compare it with the trailing runs before anything is exported.

A `fail` check that fires stops the run here, so an unusual batch is never published; a `warn` check is logged
and recorded. Every outcome goes to the run ledger (`<output>/ops/drift_results`), whatever the verdict.
"""

from __future__ import annotations

from dataclasses import dataclass

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from pyspark.sql import DataFrame

from tasks.domain.contract import Policy
from tasks.drift.checks import DriftOutcome, DriftStatus, judge
from tasks.drift.history import trailing_metrics
from tasks.drift.metrics import BatchMetrics, measure
from tasks.drift.policy import load_policy
from tasks.errors import ValueFree
from tasks.quality.outcomes import ExpectationOutcome
from tasks.retry import TASK_RETRY_OPTIONS
from tasks.settings import get_settings
from tasks.spark_session import get_spark, job_group
from tasks.storage import resolve


@dataclass(frozen=True)
class DriftReport:
    metrics: BatchMetrics
    outcomes: list[DriftOutcome]

    @property
    def fired(self) -> list[DriftOutcome]:
        return [outcome for outcome in self.outcomes if outcome.fired]

    @property
    def blocking(self) -> list[DriftOutcome]:
        return [outcome for outcome in self.outcomes if outcome.status is DriftStatus.FAIL]


class DriftFailed(ValueFree, RuntimeError):
    """The batch is far from the usual on a `fail` check: a data error, never retried; nothing is exported."""

    def __init__(self, report: DriftReport) -> None:
        self.report = report
        lines = "\n".join(f"  - {outcome.describe()}" for outcome in report.blocking)
        super().__init__(
            f"drift check failed {len(report.blocking)} of {len(report.outcomes)} figures; "
            f"nothing was exported:\n{lines}"
        )


@task(name="drift_check", cache_policy=NO_CACHE, **TASK_RETRY_OPTIONS)
def check_drift(
    judged: DataFrame,
    quarantined_by_rule: dict[str, int],
    gate_outcomes: list[ExpectationOutcome],
    batch_id: str,
) -> DriftReport:
    settings = get_settings()
    logger = get_run_logger()
    spark = get_spark(settings)
    job_group(spark, "drift_check")
    rules = sorted({o.rule_id for o in gate_outcomes if o.policy is Policy.QUARANTINE})
    metrics = measure(judged, quarantined_by_rule, rules)
    policy = load_policy()
    history = trailing_metrics(spark, resolve(settings.output_dir), batch_id, policy.window_runs)
    report = DriftReport(metrics, judge(metrics.series(), history, policy))
    for outcome in report.outcomes:
        if outcome.fired:
            logger.warning("drift: %s", outcome.describe())
    logger.info(
        "drift: %d figures against %d earlier runs: %d usual, %d fired, %d without enough history (mode %s)",
        len(report.outcomes),
        len(history),
        sum(o.status is DriftStatus.OK for o in report.outcomes),
        len(report.fired),
        sum(o.status is DriftStatus.INSUFFICIENT_HISTORY for o in report.outcomes),
        settings.drift_mode,
    )
    if report.blocking and settings.drift_mode == "enforce":
        raise DriftFailed(report)
    return report
