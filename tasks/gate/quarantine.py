"""Split `movimento_flat` into the rows to export and the rows to quarantine."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pyspark import StorageLevel
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from tasks.gate.policy import VIOLATED_RULES, violated_rules


@dataclass(frozen=True)
class QuarantineSplit:
    passed: DataFrame  # rows to export (without the rules column)
    quarantined: DataFrame  # rows that broke a quarantine rule, with VIOLATED_RULES
    rows: int  # quarantined rows
    vlr_total: Decimal  # their sum of the amount column (nulls ignored)
    by_rule: dict[str, int]
    _persisted: DataFrame | None = None

    def release(self) -> None:
        if self._persisted is not None:
            self._persisted.unpersist()


def split_quarantine(
    frame: DataFrame, expectations: list[dict[str, Any]], parameters: dict[str, Any], amount_column: str
) -> QuarantineSplit:
    """Flag each row with the quarantine rules it breaks; count quarantined rows, their amount and rules.

    The usual case, nothing to quarantine, costs one scan of the (persisted) frame and no copy: the frame
    itself is what passes. Only when rows are quarantined is the flagged frame persisted and split.
    """
    flagged = frame.withColumn(VIOLATED_RULES, violated_rules(expectations, parameters))
    breaking = flagged.where(F.size(VIOLATED_RULES) > 0)
    rule_counts = breaking.select(F.explode(VIOLATED_RULES).alias("rule")).groupBy("rule").count().collect()
    by_rule = {row["rule"]: int(row["count"]) for row in rule_counts}
    if not by_rule:
        return QuarantineSplit(passed=frame, quarantined=breaking, rows=0, vlr_total=Decimal(0), by_rule={})
    flagged = flagged.persist(StorageLevel.MEMORY_AND_DISK)
    breaking = flagged.where(F.size(VIOLATED_RULES) > 0)
    totals = breaking.agg(F.count(F.lit(1)).alias("rows"), F.sum(amount_column).alias("total")).first()
    rows = int(totals["rows"]) if totals else 0
    total = Decimal(totals["total"]) if totals and totals["total"] is not None else Decimal(0)
    return QuarantineSplit(
        passed=flagged.where(F.size(VIOLATED_RULES) == 0).drop(VIOLATED_RULES),
        quarantined=breaking,
        rows=rows,
        vlr_total=total,
        by_rule=by_rule,
        _persisted=flagged,
    )
