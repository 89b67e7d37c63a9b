"""Per-row verdicts of the gate, computed once: which quarantine rules a row breaks, and whether it carries raw
personal data. Both are columns of the one persisted frame the gate validates and the export writes from.

One scan of the data counts every verdict, and materialises the persisted frame as it goes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pyspark import StorageLevel
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from tasks.domain.tables import PERSONAL_DATA, VIOLATED_RULES
from tasks.gate.policy import violated_rules
from tasks.privacy.detector import personal_data_by_column, with_personal_data_flag


@dataclass(frozen=True)
class RowVerdicts:
    """Counts of one gate pass over the batch (no values: integrity reasons, rule names, column:kind)."""

    rows: int
    integrity: dict[str, int]
    quarantined_rows: int
    quarantined_total: Decimal  # sum of the amount column over quarantined rows (nulls ignored)
    by_rule: dict[str, int]
    personal_data: dict[str, int]  # `column:kind,...` where raw personal data was found -> rows
    key_range: tuple[int, int] | None = None  # lowest and highest key of the batch (None: no rows)

    @property
    def personal_data_rows(self) -> int:
        return sum(self.personal_data.values())


@dataclass(frozen=True)
class QuarantineSplit:
    """The flagged frame (persisted) and its two halves; `release` frees the persisted data."""

    flagged: DataFrame
    verdicts: RowVerdicts

    @property
    def passed(self) -> DataFrame:
        """Rows to export, without the verdict columns."""
        return self.flagged.where(F.size(VIOLATED_RULES) == 0).drop(VIOLATED_RULES, PERSONAL_DATA)

    @property
    def quarantined(self) -> DataFrame:
        """Rows that broke a quarantine rule, with VIOLATED_RULES."""
        return self.flagged.where(F.size(VIOLATED_RULES) > 0).drop(PERSONAL_DATA)

    @property
    def rows(self) -> int:
        return self.verdicts.quarantined_rows

    def release(self) -> None:
        self.flagged.unpersist()


def flag_rows(
    frame: DataFrame,
    expectations: Sequence[Mapping[str, Any]],
    parameters: Mapping[str, Any],
    text_columns: Sequence[str],
) -> DataFrame:
    """The frame with VIOLATED_RULES (quarantine rules broken) and PERSONAL_DATA (the detector's flag over
    `text_columns`), for every row, quarantined or not."""
    rules = frame.withColumn(VIOLATED_RULES, violated_rules([dict(e) for e in expectations], parameters))
    return with_personal_data_flag(rules, text_columns, PERSONAL_DATA)


def _where_personal_data(flagged: DataFrame, text_columns: Sequence[str]) -> dict[str, int]:
    """Only when the flag fired: which columns hold which kinds, for the operator (rows counted, no values)."""
    where = personal_data_by_column(text_columns).alias("where")
    rows = flagged.where(F.col(PERSONAL_DATA).isNotNull()).groupBy(where).count().collect()
    return {str(row["where"]): int(row["count"]) for row in rows}


def split_quarantine(
    frame: DataFrame,
    expectations: Sequence[Mapping[str, Any]],
    parameters: Mapping[str, Any],
    text_columns: Sequence[str],
    amount_column: str,
    integrity_column: str,
    key_column: str,
) -> QuarantineSplit:
    """Flag and persist the frame, then count every verdict in one job: rows grouped by (integrity, personal
    data flag, rules broken) are a handful of groups, summed up on the driver."""
    flagged = flag_rows(frame, expectations, parameters, text_columns).persist(StorageLevel.MEMORY_AND_DISK)
    groups = (
        flagged.groupBy(integrity_column, PERSONAL_DATA, VIOLATED_RULES)
        .agg(
            F.count(F.lit(1)).alias("rows"),
            F.sum(amount_column).alias("total"),
            F.min(key_column).alias("low"),
            F.max(key_column).alias("high"),
        )
        .collect()
    )
    integrity: Counter[str] = Counter()
    by_rule: Counter[str] = Counter()
    quarantined_rows, quarantined_total, personal_data_rows = 0, Decimal(0), 0
    lows = [int(group["low"]) for group in groups if group["low"] is not None]
    highs = [int(group["high"]) for group in groups if group["high"] is not None]
    for group in groups:
        rows = int(group["rows"])
        integrity[str(group[integrity_column])] += rows
        if group[PERSONAL_DATA] is not None:
            personal_data_rows += rows
        if group[VIOLATED_RULES]:
            quarantined_rows += rows
            quarantined_total += Decimal(group["total"] or 0)
            by_rule.update(dict.fromkeys(group[VIOLATED_RULES], rows))
    verdicts = RowVerdicts(
        rows=sum(integrity.values()),
        integrity=dict(integrity),
        quarantined_rows=quarantined_rows,
        quarantined_total=quarantined_total,
        by_rule=dict(by_rule),
        personal_data=_where_personal_data(flagged, text_columns) if personal_data_rows else {},
        key_range=(min(lows), max(highs)) if lows else None,
    )
    return QuarantineSplit(flagged=flagged, verdicts=verdicts)
