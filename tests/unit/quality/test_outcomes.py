"""How a suite's results are judged and reported: policies decide what blocks; reports show counts, never values."""

from __future__ import annotations

from tasks.domain.contract import Policy
from tasks.quality.outcomes import ExpectationOutcome, SuiteReport, policy_of, rule_name


def outcome(
    policy: Policy, success: bool, unexpected: int = 0, quarantined: int | None = None
) -> ExpectationOutcome:
    return ExpectationOutcome(
        expectation="expect_column_values_to_be_between",
        column="vlr",
        rule="Valor positivo.",
        policy=policy,
        success=success,
        unexpected_count=unexpected,
        unexpected_percent=unexpected / 10,
        quarantined=quarantined,
    )


def test_only_a_broken_fail_rule_or_a_disagreeing_quarantine_blocks() -> None:
    assert outcome(Policy.FAIL, False, 1).blocks
    assert not outcome(Policy.FAIL, True).blocks
    assert not outcome(Policy.WARN, False, 3).blocks
    assert not outcome(Policy.QUARANTINE, False, 2, quarantined=2).blocks  # its rows were set aside
    assert outcome(Policy.QUARANTINE, False, 2, quarantined=1).blocks  # the two translations disagree
    report = SuiteReport("s", [outcome(Policy.WARN, False, 3), outcome(Policy.FAIL, False, 1)])
    assert not report.success and len(report.blocking) == 1 and len(report.failures) == 2


def test_the_report_is_a_table_of_counts() -> None:
    text = SuiteReport("associado", [outcome(Policy.WARN, False, 3)]).markdown("Source suite")
    assert text.splitlines()[0] == "# Source suite `associado`: PASSED (1/1 rules held)"
    assert (
        "| expect_column_values_to_be_between | vlr | warn | warned | 3 | 0.3000 | Valor positivo. |" in text
    )


def test_policies_and_rule_names() -> None:
    assert policy_of(None) is Policy.FAIL  # unstated: the safe default
    assert policy_of({"politica": "quarantine"}) is Policy.QUARANTINE
    assert rule_name(
        "expect_column_pair_values_a_to_be_greater_than_b", {"column_A": "a", "column_B": "b"}
    ) == ("column_pair_values_a_to_be_greater_than_b(a,b)")
