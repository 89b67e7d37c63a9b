"""What a suite's validation says, read the same way wherever a suite runs (the load's source suites, the gate):
each expectation's verdict with its business rule and policy, as counts and percentages, never a value.

GX's default result format copies raw offending values into its results and data docs, which would leak the
very personal data the suites protect: every validation here asks for SAFE_RESULT_FORMAT.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import great_expectations as gx
from great_expectations.core import ExpectationSuiteValidationResult

from tasks.domain.contract import Policy
from tasks.domain.suites import suite_json


def policy_of(meta: Mapping[str, Any] | None) -> Policy:
    """An expectation's policy from its meta; fail when unstated (the safe default)."""
    return Policy((meta or {}).get("politica", Policy.FAIL))


def rule_name(expectation_type: str, kwargs: Mapping[str, Any]) -> str:
    """A stable, readable rule name: expectation type without its prefix, and its column(s)."""
    columns = [str(kwargs[key]) for key in ("column", "column_A", "column_B") if kwargs.get(key)]
    return f"{expectation_type.removeprefix('expect_')}({','.join(columns)})"


# Counts and percentages only: never a raw value, in results, validation stores or data docs.
SAFE_RESULT_FORMAT: dict[str, Any] = {
    "result_format": "SUMMARY",
    "partial_unexpected_count": 0,
    "exclude_unexpected_values": True,
    "include_unexpected_rows": False,
}


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation: str
    column: str | None
    rule: str  # the business rule, in Portuguese (meta.regra)
    policy: Policy
    success: bool  # GX's verdict over every row of the batch
    unexpected_count: int | None
    unexpected_percent: float | None
    observed: str | None = None
    rule_id: str = ""  # stable name, as the quarantine table records it (policy.rule_name)
    quarantined: int | None = None  # quarantine rules: rows the Spark predicate set aside

    def describe(self) -> str:
        target = f"{self.expectation}({self.column})" if self.column else self.expectation
        if self.unexpected_count is not None:
            text = f"{target}: {self.unexpected_count} unexpected ({self.unexpected_percent or 0:.4f}%)"
            if self.disagrees:
                text += f" but {self.quarantined} quarantined"
            return f"{text} - {self.rule}"
        return f"{target}: observed {self.observed} - {self.rule}"

    @property
    def disagrees(self) -> bool:
        """A quarantine rule whose GX count differs from the rows its Spark predicate set aside: the two
        translations of the rule disagree, so neither can be trusted."""
        return self.policy is Policy.QUARANTINE and (self.unexpected_count or 0) != (self.quarantined or 0)

    @property
    def blocks(self) -> bool:
        if self.policy is Policy.QUARANTINE:
            return self.disagrees
        return self.policy is Policy.FAIL and not self.success

    @property
    def verdict(self) -> str:
        if self.blocks:
            return "**no**"
        if self.success:
            return "yes"
        return "quarantined" if self.policy is Policy.QUARANTINE else "warned"


@dataclass(frozen=True)
class SuiteReport:
    """Every expectation of one suite's run, with its verdict."""

    suite: str
    outcomes: list[ExpectationOutcome]

    @property
    def failures(self) -> list[ExpectationOutcome]:
        """Every expectation that did not pass, whatever its policy."""
        return [outcome for outcome in self.outcomes if not outcome.success]

    @property
    def blocking(self) -> list[ExpectationOutcome]:
        """What blocks: a broken `fail` rule, or a quarantine rule whose GX count and Spark predicate disagree.
        Quarantine rules otherwise set their rows aside; warnings only report."""
        return [outcome for outcome in self.outcomes if outcome.blocks]

    @property
    def success(self) -> bool:
        return not self.blocking

    def table(self) -> list[str]:
        """The markdown table of every expectation: counts and percentages only, never a value."""
        lines = [
            "| expectation | column | policy | held | unexpected | % | rule |",
            "|---|---|---|:-:|---:|---:|---|",
        ]
        for o in self.outcomes:
            count = "" if o.unexpected_count is None else f"{o.unexpected_count:,}"
            percent = "" if o.unexpected_percent is None else f"{o.unexpected_percent:.4f}"
            lines.append(
                f"| {o.expectation} | {o.column or ''} | {o.policy} | {o.verdict} "
                f"| {count} | {percent} | {o.rule} |"
            )
        return lines

    def heading(self, title: str) -> str:
        verdict = "PASSED" if self.success else "FAILED"
        held = len(self.outcomes) - len(self.blocking)
        return f"# {title} `{self.suite}`: {verdict} ({held}/{len(self.outcomes)} rules held)"

    def markdown(self, title: str = "Suite") -> str:
        return "\n".join([self.heading(title), "", *self.table()])


def load_suite(name: str) -> gx.ExpectationSuite:
    """The suite as GX takes it: the contract's structural rules, then the hand-written ones."""
    return gx.ExpectationSuite(**suite_json(name))


def _observed(result: dict[str, Any]) -> str | None:
    value = result.get("observed_value")
    # Observed values of table-level expectations are counts or column lists, never row values.
    return None if value is None else str(value)


def outcomes_of(
    validation_result: ExpectationSuiteValidationResult, quarantined: dict[str, int] | None = None
) -> list[ExpectationOutcome]:
    """Each expectation's result with its rule and policy: counts only (SAFE_RESULT_FORMAT), never values.
    `quarantined` gives, per rule id, the rows the quarantine split set aside."""
    outcomes = []
    for expectation_result in validation_result.results:
        config = expectation_result.expectation_config
        if config is None:  # GX sets it for every result of a suite run
            continue
        details = expectation_result.result or {}
        policy = policy_of(config.meta)
        rule_id = rule_name(config.type, config.kwargs)
        outcomes.append(
            ExpectationOutcome(
                expectation=config.type,
                column=config.kwargs.get("column"),
                rule=str((config.meta or {}).get("regra", "")),
                policy=policy,
                success=bool(expectation_result.success),
                unexpected_count=details.get("unexpected_count"),
                unexpected_percent=details.get("unexpected_percent"),
                observed=_observed(details),
                rule_id=rule_id,
                quarantined=(quarantined or {}).get(rule_id, 0) if policy is Policy.QUARANTINE else None,
            )
        )
    return outcomes
