"""The gate-failed event's payload: the suite, rule ids, columns and counts of the blocking rules, no value."""

from __future__ import annotations

import json

from tasks.domain.contract import Policy
from tasks.gate.checkpoint import GateReport
from tasks.gate.event import gate_failed_payload
from tasks.quality.outcomes import ExpectationOutcome


def outcome(
    expectation: str, column: str, success: bool, unexpected: int, observed: str | None = None
) -> ExpectationOutcome:
    return ExpectationOutcome(
        expectation=expectation,
        column=column,
        rule="Regra de negócio.",
        policy=Policy.FAIL,
        success=success,
        unexpected_count=unexpected,
        unexpected_percent=unexpected / 10,
        observed=observed,
        rule_id=f"{expectation.removeprefix('expect_')}({column})",
    )


def test_the_payload_counts_the_blocking_rules_and_carries_no_observed_value() -> None:
    report = GateReport(
        suite="movimento_flat",
        outcomes=[
            outcome("expect_column_values_to_be_null", "_dados_pessoais", False, 1, observed="52998224725"),
            outcome("expect_column_values_to_be_unique", "id_movimento", True, 0),
        ],
        quarantined_rows=3,
    )
    payload = gate_failed_payload(report)
    assert payload == {
        "suite": "movimento_flat",
        "rules": 2,
        "rules_failed": 1,
        "failed": [
            {
                "rule": "column_values_to_be_null(_dados_pessoais)",
                "column": "_dados_pessoais",
                "unexpected_count": 1,
            }
        ],
        "quarantined_rows": 3,
    }
    assert "52998224725" not in json.dumps(payload)
