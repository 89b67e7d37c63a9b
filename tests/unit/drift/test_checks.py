"""The drift checks on synthetic histories: a halved batch is flagged, normal variation is not."""

from __future__ import annotations

import random

import pytest

from tasks.domain.contract import Policy
from tasks.drift.checks import DriftStatus, judge
from tasks.drift.metrics import BatchMetrics
from tasks.drift.policy import DriftCheck, DriftPolicy, load_policy

RULE = "expect_column_values_to_be_between:vlr_transacao_movimento"


def usual_batch(rng: random.Random, rows: int = 100_000) -> BatchMetrics:
    """A day like the others: +-3% volume, the same mix of tipos, a small and steady quarantine rate."""
    count = round(rows * rng.uniform(0.97, 1.03))
    debito = rng.uniform(0.58, 0.62)
    return BatchMetrics(
        row_count=count,
        vlr_transacao_sum=count * rng.uniform(245.0, 255.0),
        distinct_cards=round(count / 20 * rng.uniform(0.98, 1.02)),
        tipo_transacao_share={"DEBITO": debito, "CREDITO": 1 - debito},
        quarantine_rate={RULE: rng.uniform(0.05, 0.15)},
    )


def history(runs: int, seed: int = 7) -> list[dict[str, float]]:
    rng = random.Random(seed)
    return [usual_batch(rng).series() for _ in range(runs)]


def statuses(current: BatchMetrics, past: list[dict[str, float]]) -> dict[str, DriftStatus]:
    return {outcome.metric: outcome.status for outcome in judge(current.series(), past, load_policy())}


@pytest.mark.parametrize("seed", range(20))
def test_normal_variation_is_not_flagged(seed: int) -> None:
    rng = random.Random(1000 + seed)
    verdicts = statuses(usual_batch(rng), history(30, seed))
    assert verdicts and set(verdicts.values()) == {DriftStatus.OK}


def test_a_halved_batch_is_flagged_and_fails_the_run() -> None:
    rng = random.Random(3)
    usual = usual_batch(rng)
    halved = BatchMetrics(
        row_count=usual.row_count // 2,
        vlr_transacao_sum=usual.vlr_transacao_sum / 2,
        distinct_cards=usual.distinct_cards // 2,
        tipo_transacao_share=usual.tipo_transacao_share,
        quarantine_rate=usual.quarantine_rate,
    )
    verdicts = statuses(halved, history(30))
    assert verdicts["row_count"] is DriftStatus.FAIL  # its policy in expectations/drift.json
    assert verdicts["vlr_transacao_sum"] is DriftStatus.WARN
    assert verdicts["distinct_cards"] is DriftStatus.WARN
    assert verdicts["tipo_transacao_share:DEBITO"] is DriftStatus.OK  # the mix did not change


def test_a_shifted_mix_and_a_jump_in_quarantine_are_flagged() -> None:
    rng = random.Random(4)
    usual = usual_batch(rng)
    shifted = BatchMetrics(
        usual.row_count,
        usual.vlr_transacao_sum,
        usual.distinct_cards,
        {"DEBITO": 0.30, "CREDITO": 0.70},
        {RULE: 5.0},
    )
    verdicts = statuses(shifted, history(30))
    assert verdicts["tipo_transacao_share:DEBITO"] is DriftStatus.WARN
    assert verdicts["tipo_transacao_share:CREDITO"] is DriftStatus.WARN
    assert verdicts[f"quarantine_rate:{RULE}"] is DriftStatus.WARN
    assert verdicts["row_count"] is DriftStatus.OK


def test_no_verdict_before_the_minimum_history() -> None:
    minimum = load_policy().min_history
    rng = random.Random(5)
    halved = BatchMetrics(50_000, 12_500_000.0, 2_500, {"DEBITO": 0.6, "CREDITO": 0.4}, {RULE: 0.1})
    few = statuses(halved, history(minimum - 1))
    assert set(few.values()) == {DriftStatus.INSUFFICIENT_HISTORY}
    enough = statuses(halved, history(minimum))
    assert enough["row_count"] is DriftStatus.FAIL
    assert usual_batch(rng).row_count > 90_000  # the synthetic days really are twice the halved batch


def test_only_the_trailing_window_counts() -> None:
    """Old history (a year of batches ten times smaller) no longer speaks once the window has moved on."""
    window = load_policy().window_runs
    rng = random.Random(6)
    old = [BatchMetrics(10_000, 2.5e6, 500, {"DEBITO": 0.6, "CREDITO": 0.4}).series() for _ in range(300)]
    recent = history(window)
    verdicts = statuses(usual_batch(rng), recent + old)  # newest first
    assert verdicts["row_count"] is DriftStatus.OK


def test_a_new_tipo_counts_as_zero_share_in_earlier_runs() -> None:
    rng = random.Random(8)
    usual = usual_batch(rng)
    mixed = BatchMetrics(
        usual.row_count,
        usual.vlr_transacao_sum,
        usual.distinct_cards,
        {"DEBITO": 0.5, "CREDITO": 0.3, "PIX": 0.2},
        usual.quarantine_rate,
    )
    outcome = next(o for o in judge(mixed.series(), history(30), load_policy()) if o.metric.endswith("PIX"))
    assert outcome.baseline == 0.0 and outcome.status is DriftStatus.WARN


def test_a_steady_history_needs_a_real_change_to_fire() -> None:
    """sigma = 0 (identical runs): the floor on the change decides, not an infinite z-score."""
    check = DriftCheck("row_count", 4.0, 0.25, 0.0, Policy.FAIL, "volume")
    policy = DriftPolicy(window_runs=30, min_history=3, checks=(check,))
    steady = [{"row_count": 1000.0}] * 10
    assert judge({"row_count": 1010.0}, steady, policy)[0].status is DriftStatus.OK
    flagged = judge({"row_count": 740.0}, steady, policy)[0]
    assert flagged.status is DriftStatus.FAIL and flagged.score is None
    assert flagged.lower == 750.0 and flagged.upper == 1250.0
