"""Judging one batch's figures against the trailing runs: a robust z-score with a floor on the change.

For each figure, over the last `window_runs` completed runs of other batches that have it: the median m and the
median absolute deviation MAD; sigma = 1.4826 x MAD (the standard deviation, for normal data, that outliers in
the history cannot inflate). The figure is usual when it lies within m ± d, where
d = max(z_limit x sigma, min_relative_change x |m|, min_absolute_change): the floor keeps a very steady history
(sigma ~ 0) from flagging changes nobody would care about. With fewer than `min_history` runs there is no
verdict (`insufficient_history`), never a guess.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from tasks.drift.policy import DriftCheck, DriftPolicy

MAD_TO_SIGMA = 1.4826


class DriftStatus(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"
    INSUFFICIENT_HISTORY = "insufficient_history"


@dataclass(frozen=True)
class DriftOutcome:
    metric: str
    value: float
    baseline: float | None  # the history's median
    lower: float | None
    upper: float | None
    score: float | None  # robust z: (value - median) / sigma; None when sigma is 0
    history_runs: int
    check: DriftCheck
    status: DriftStatus

    @property
    def fired(self) -> bool:
        return self.status in {DriftStatus.WARN, DriftStatus.FAIL}

    def describe(self) -> str:
        """Names and figures of the batch as a whole, never a row's value."""
        if self.status is DriftStatus.INSUFFICIENT_HISTORY:
            return f"{self.metric}: {self.history_runs} earlier runs, no verdict yet"
        return (
            f"{self.metric} = {self.value:,.4g} outside the usual [{self.lower:,.4g}, {self.upper:,.4g}] "
            f"(median {self.baseline:,.4g} of {self.history_runs} runs) -> {self.status.value}"
            if self.fired
            else f"{self.metric} = {self.value:,.4g} within [{self.lower:,.4g}, {self.upper:,.4g}]"
        )


def judge_figure(
    metric: str, value: float, history: Sequence[float], check: DriftCheck, minimum: int
) -> DriftOutcome:
    if len(history) < minimum:
        return DriftOutcome(
            metric, value, None, None, None, None, len(history), check, DriftStatus.INSUFFICIENT_HISTORY
        )
    median = statistics.median(history)
    sigma = MAD_TO_SIGMA * statistics.median(abs(past - median) for past in history)
    allowed = max(check.z_limit * sigma, check.min_relative_change * abs(median), check.min_absolute_change)
    lower, upper = median - allowed, median + allowed
    score = (value - median) / sigma if sigma > 0 else None
    usual = lower <= value <= upper
    status = DriftStatus.OK if usual else DriftStatus(check.policy.value)
    return DriftOutcome(metric, value, median, lower, upper, score, len(history), check, status)


def judge(
    current: Mapping[str, float], history: Sequence[Mapping[str, float]], policy: DriftPolicy
) -> list[DriftOutcome]:
    """Every figure of this batch a check covers, against the trailing runs (newest first) that have it.

    A family member missing from an older run counts as 0 there when that run measured the family (a tipo that
    did not occur has share 0); a figure no earlier run measured has no history yet.
    """
    recent = list(history)[: policy.window_runs]
    outcomes = []
    for metric, value in sorted(current.items()):
        check = policy.check_for(metric)
        if check is None:
            continue
        family = metric.split(":", 1)[0]
        past = [
            run.get(metric, 0.0)
            for run in recent
            if metric in run or (":" in metric and any(name.startswith(f"{family}:") for name in run))
        ]
        outcomes.append(judge_figure(metric, value, past, check, policy.min_history))
    return outcomes
