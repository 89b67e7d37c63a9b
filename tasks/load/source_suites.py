"""Suites of the source tables (`expectations/<table>.json`), checked at load time, before anything is written.

A `fail` rule rejects the batch (it is moved aside, nothing of it is loaded); a `warn` rule is reported, and the
rows breaking it are dealt with by the `movimento_flat` gate's own policy later (usually quarantine). These run
on the batch as verified in memory, with GX's pandas engine and an ephemeral context: fast, and writing nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import great_expectations as gx
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from great_expectations.data_context.types.base import ProgressBarsConfig

from tasks.domain.contract import Policy
from tasks.quality.outcomes import (
    SAFE_RESULT_FORMAT,
    ExpectationOutcome,
    SuiteReport,
    load_suite,
    outcomes_of,
)


@dataclass(frozen=True)
class SourceCheck:
    reports: dict[str, SuiteReport]  # per source table, in load order

    @property
    def blocking(self) -> list[tuple[str, ExpectationOutcome]]:
        return [(table, outcome) for table, report in self.reports.items() for outcome in report.blocking]

    @property
    def warnings(self) -> list[tuple[str, ExpectationOutcome]]:
        return [
            (table, outcome)
            for table, report in self.reports.items()
            for outcome in report.failures
            if outcome.policy is Policy.WARN
        ]

    def markdown(self) -> str:
        return "\n\n".join(report.markdown("Source suite") for report in self.reports.values())


def _as_pandas(table: pa.Table) -> pd.DataFrame:
    """Decimals as floats (GX's pandas range checks compare numbers), everything else as is."""
    columns = {
        name: pc.cast(column, pa.float64()) if pa.types.is_decimal(column.type) else column
        for name, column in zip(table.column_names, table.columns, strict=True)
    }
    return pa.table(columns).to_pandas()


def check_sources(tables: dict[str, pa.Table], now: datetime) -> SourceCheck:
    """Validate each source table of a verified batch against its suite; never raises on failures."""
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas(name="sources")
    parameters: dict[str, Any] = {"now": now}
    reports = {}
    for name, table in tables.items():
        batch = (
            source.add_dataframe_asset(name=name)
            .add_batch_definition_whole_dataframe("whole_table")
            .get_batch(batch_parameters={"dataframe": _as_pandas(table)})
        )
        result = batch.validate(
            load_suite(name), result_format=SAFE_RESULT_FORMAT, expectation_parameters=parameters
        )
        reports[name] = SuiteReport(suite=name, outcomes=outcomes_of(result))
    return SourceCheck(reports)
