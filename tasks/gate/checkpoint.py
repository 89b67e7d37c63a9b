"""The quality gate: a Great Expectations checkpoint over the `movimento_flat` Spark DataFrame.

The suite is data (`expectations/movimento_flat.json`); run-time values (expected row count and amount total,
"now") are passed as suite parameters. Results are summarised WITHOUT unexpected values: GX's default copies raw offending values
into its results and data docs, which would leak the very personal data the gate protects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import great_expectations as gx
from great_expectations.checkpoint.actions import UpdateDataDocsAction
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context.data_context.abstract_data_context import AbstractDataContext
from great_expectations.data_context.types.base import ProgressBarsConfig
from pyspark.sql import DataFrame

from tasks.errors import ValueFree
from tasks.quality.offline_docs import make_offline
from tasks.quality.outcomes import SAFE_RESULT_FORMAT, SuiteReport, load_suite, outcomes_of

# The data docs index lists the latest runs only: GX reads every listed run's stored result to build it, so an
# unbounded index would make each daily run cost more than the one before. Every run keeps its own page (the run
# ledger links it) and its stored result.
INDEX_RUNS = 100


@dataclass(frozen=True)
class GateReport(SuiteReport):
    """The gate's run: its suite report, its data docs page, and what the quarantine set aside."""

    data_docs: Path | None = None
    quarantined_rows: int = 0
    quarantine_by_rule: dict[str, int] = field(default_factory=dict)

    def markdown(self, title: str = "Quality gate") -> str:
        return "\n".join(
            [
                self.heading(title),
                "",
                f"Data docs: `{self.data_docs or 'none'}`",
                "",
                f"Quarantined rows: {self.quarantined_rows:,}"
                + "".join(f"; {rule}: {count:,}" for rule, count in sorted(self.quarantine_by_rule.items())),
                "",
                *self.table(),
            ]
        )


class GateFailed(ValueFree, RuntimeError):
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
    bound_index(context, INDEX_RUNS)
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
    docs_site = quality_dir / "gx" / "uncommitted" / "data_docs" / "local_site"
    make_offline(docs_site)  # GX links its pages' CSS/JS on CDNs: served from the site instead
    outcomes = []
    run_page: Path | None = None
    for identifier, validation_result in result.run_results.items():
        for site in context.get_docs_sites_urls(resource_identifier=identifier):
            url = site.get("site_url") or ""
            if url.startswith("file://"):
                run_page = Path(unquote(url.removeprefix("file://")))
        outcomes += outcomes_of(validation_result, quarantined)
    return GateReport(suite=suite_name, outcomes=outcomes, data_docs=run_page or docs_site / "index.html")


def bound_index(context: AbstractDataContext, runs: int) -> None:
    """Every data docs site of the context lists at most `runs` validation runs in its index (saved once)."""
    for name, site in context.list_data_docs_sites().items():
        index = dict(site.get("site_index_builder") or {"class_name": "DefaultSiteIndexBuilder"})
        if index.get("validation_results_limit") != runs:
            context.update_data_docs_site(
                name, {**site, "site_index_builder": index | {"validation_results_limit": runs}}
            )


def gate_parameters(expected_rows: int, expected_vlr_total: Decimal, now: datetime) -> dict[str, Any]:
    """Run-time values of the suite: reconciliation with the batch (rows, sum to the cent) and "now"."""
    half_cent = Decimal("0.005")
    return {
        "expected_rows": expected_rows,
        "expected_vlr_total_min": float(expected_vlr_total - half_cent),
        "expected_vlr_total_max": float(expected_vlr_total + half_cent),
        "now": now,
    }
