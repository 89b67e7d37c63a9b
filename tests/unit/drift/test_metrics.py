"""The batch's figures, measured on the gate's frame."""

from __future__ import annotations

import pytest
from pyspark.sql import SparkSession

from tasks.drift.metrics import measure
from tests.utils.frames import clean_flat, clean_total

RULE = "expect_column_values_to_not_be_null:numero_cartao"
OTHER = "expect_column_values_to_be_in_set:tipo_conta"


def test_counts_amount_cards_mix_and_quarantine_rates(spark: SparkSession) -> None:
    frame = clean_flat(spark, rows=12)  # tipos: CREDITO for i % 3 == 0 (4 rows), DEBITO otherwise; 2 cards
    metrics = measure(frame, {RULE: 3}, [RULE, OTHER])
    assert metrics.row_count == 12
    assert metrics.vlr_transacao_sum == pytest.approx(float(clean_total(12)))
    assert metrics.distinct_cards == 2
    assert metrics.tipo_transacao_share == pytest.approx({"DEBITO": 8 / 12, "CREDITO": 4 / 12})
    assert metrics.quarantine_rate == {RULE: 25.0, OTHER: 0.0}
    series = metrics.series()
    assert series["row_count"] == 12.0 and series[f"quarantine_rate:{OTHER}"] == 0.0
    assert set(series) == {
        "row_count",
        "vlr_transacao_sum",
        "distinct_cards",
        "tipo_transacao_share:DEBITO",
        "tipo_transacao_share:CREDITO",
        f"quarantine_rate:{RULE}",
        f"quarantine_rate:{OTHER}",
    }
