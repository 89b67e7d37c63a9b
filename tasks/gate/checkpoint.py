"""The quality gate: a Great Expectations checkpoint over the `movimento_flat` Spark DataFrame.

The suite is data (`expectations/movimento_flat.json`); run-time values (expected row count and amount total,
"now") are passed as suite parameters. Results are summarised WITHOUT unexpected values: GX's default copies raw offending values
into its results and data docs, which would leak the very personal data the gate protects.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import great_expectations as gx
from great_expectations.checkpoint.actions import UpdateDataDocsAction
from great_expectations.core import ExpectationSuiteValidationResult
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context.types.base import ProgressBarsConfig
from pyspark.sql import DataFrame

from tasks.gate.policy import Policy, policy_of, rule_name

SUITES_DIR = Path(__file__).resolve().parents[2] / "expectations"
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
class GateReport:
    suite: str
    outcomes: list[ExpectationOutcome]
    data_docs: Path | None  # None for suites validated without data docs (the source tables)
    quarantined_rows: int = 0
    quarantine_by_rule: dict[str, int] = field(default_factory=dict)

    @property
    def failures(self) -> list[ExpectationOutcome]:
        """Every expectation that did not pass, whatever its policy."""
        return [outcome for outcome in self.outcomes if not outcome.success]

    @property
    def blocking(self) -> list[ExpectationOutcome]:
        """What blocks the export: a broken `fail` rule, or a quarantine rule whose GX count and Spark
        predicate disagree. Quarantine rules otherwise set their rows aside; warnings only report."""
        return [outcome for outcome in self.outcomes if outcome.blocks]

    @property
    def success(self) -> bool:
        return not self.blocking

    def markdown(self, title: str = "Quality gate") -> str:
        """Every expectation with its result: counts and percentages only, never a value."""
        verdict = "PASSED" if self.success else "FAILED"
        held = len(self.outcomes) - len(self.blocking)
        lines = [
            f"# {title} `{self.suite}`: {verdict} ({held}/{len(self.outcomes)} rules held)",
            "",
            f"Data docs: `{self.data_docs or 'none'}`",
            "",
            f"Quarantined rows: {self.quarantined_rows:,}"
            + "".join(f"; {rule}: {count:,}" for rule, count in sorted(self.quarantine_by_rule.items())),
            "",
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
        return "\n".join(lines)


class GateFailed(RuntimeError):
    """The data did not pass the gate. A data error: never retried; nothing is exported."""

    def __init__(self, report: GateReport, personal_data: dict[str, int] | None = None) -> None:
        self.report = report
        lines = "\n".join(f"  - {failure.describe()}" for failure in report.blocking)
        found = "".join(
            f"\n  - raw personal data in {where}: {rows} rows"
            for where, rows in sorted((personal_data or {}).items())
        )
        super().__init__(
            f"quality gate '{report.suite}' failed {len(report.blocking)} of {len(report.outcomes)} "
            f"rules; nothing was exported (data docs: {report.data_docs}):\n{lines}{found}"
        )


def load_suite_json(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SUITES_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return data


def load_suite(name: str) -> gx.ExpectationSuite:
    return gx.ExpectationSuite(**load_suite_json(name))


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


def run_gate(
    frame: DataFrame,
    suite_name: str,
    parameters: dict[str, Any],
    quality_dir: Path,
    run_name: str | None = None,
    quarantined: dict[str, int] | None = None,
) -> GateReport:
    """Validate the frame against the suite; write data docs under quality_dir; never raise on failure.

    Every run (named `run_name`, e.g. the batch id) keeps its own page in the data docs site, next to the
    earlier runs'; the report points at this run's page.
    """
    quality_dir.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="file", project_root_dir=str(quality_dir))
    context.variables.progress_bars = ProgressBarsConfig(globally=False)  # logs, not terminal animations
    batch_definition = (
        context.data_sources.add_or_update_spark(name="spark")
        .add_dataframe_asset(name=suite_name)
        .add_batch_definition_whole_dataframe("whole_dataframe")
    )
    suite = context.suites.add_or_update(load_suite(suite_name))
    validation = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=f"{suite_name}_validation", data=batch_definition, suite=suite)
    )
    checkpoint = context.checkpoints.add_or_update(
        gx.Checkpoint(
            name=f"{suite_name}_gate",
            validation_definitions=[validation],
            actions=[UpdateDataDocsAction(name="update_data_docs")],
            result_format=SAFE_RESULT_FORMAT,
        )
    )
    result = checkpoint.run(
        batch_parameters={"dataframe": frame},
        expectation_parameters=parameters,
        run_id=RunIdentifier(run_name=run_name),
    )
    outcomes = []
    run_page: Path | None = None
    for identifier, validation_result in result.run_results.items():
        for site in context.get_docs_sites_urls(resource_identifier=identifier):
            url = site.get("site_url") or ""
            if url.startswith("file://"):
                run_page = Path(unquote(url.removeprefix("file://")))
        outcomes += outcomes_of(validation_result, quarantined)
    docs_index = quality_dir / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
    return GateReport(suite=suite_name, outcomes=outcomes, data_docs=run_page or docs_index)


def gate_parameters(expected_rows: int, expected_vlr_total: Decimal, now: datetime) -> dict[str, Any]:
    """Run-time values of the suite: reconciliation with the batch (rows, sum to the cent) and "now"."""
    half_cent = Decimal("0.005")
    return {
        "expected_rows": expected_rows,
        "expected_vlr_total_min": float(expected_vlr_total - half_cent),
        "expected_vlr_total_max": float(expected_vlr_total + half_cent),
        "now": now,
    }
