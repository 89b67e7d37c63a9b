"""Split `movimento_flat` into the rows to export and the rows to quarantine, in one pass over the data."""

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
    flagged: DataFrame  # every row with its violated rules; persisted (unpersist when done)
    rows: int  # quarantined rows
    vlr_total: Decimal  # their sum of vlr_transacao_movimento (nulls ignored)
    by_rule: dict[str, int]

    @property
    def passed(self) -> DataFrame:
        return self.flagged.where(F.size(VIOLATED_RULES) == 0).drop(VIOLATED_RULES)

    @property
    def quarantined(self) -> DataFrame:
        return self.flagged.where(F.size(VIOLATED_RULES) > 0)


def split_quarantine(
    frame: DataFrame, expectations: list[dict[str, Any]], parameters: dict[str, Any], amount_column: str
) -> QuarantineSplit:
    """Flag each row with the quarantine rules it breaks; count quarantined rows, their amount and rules."""
    flagged = frame.withColumn(VIOLATED_RULES, violated_rules(expectations, parameters)).persist(
        StorageLevel.MEMORY_AND_DISK
    )
    rules = flagged.select(F.explode(VIOLATED_RULES).alias("rule"))
    by_rule = {row["rule"]: int(row["count"]) for row in rules.groupBy("rule").count().collect()}
    totals = (
        flagged.where(F.size(VIOLATED_RULES) > 0)
        .agg(F.count(F.lit(1)).alias("rows"), F.sum(amount_column).alias("total"))
        .first()
    )
    rows = int(totals["rows"]) if totals else 0
    total = Decimal(totals["total"]) if totals and totals["total"] is not None else Decimal(0)
    return QuarantineSplit(flagged=flagged, rows=rows, vlr_total=total, by_rule=by_rule)
