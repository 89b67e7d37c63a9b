"""Row verdicts: quarantine rules set rows aside, raw personal data flags its row, counted in one pass."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from tasks.domain.contract import Policy
from tasks.domain.suites import suite_json
from tasks.domain.tables import PERSONAL_DATA, VIOLATED_RULES
from tasks.gate.policy import violation
from tasks.quality.outcomes import policy_of
from tests.utils.frames import NOW, RAW_CPF, T0, clean_flat, judge


def test_every_quarantine_rule_has_a_row_predicate_that_a_clean_row_keeps(spark: SparkSession) -> None:
    """Each quarantine rule of the suite becomes a Spark predicate (an unsupported one raises), and none of them
    sets a clean row aside: the rules are real row predicates, not constants."""
    rules = [
        e for e in suite_json("movimento_flat")["expectations"] if policy_of(e["meta"]) is Policy.QUARANTINE
    ]
    assert len(rules) >= 10
    frame = clean_flat(spark, rows=12)
    counts = frame.select(
        *[
            F.sum(violation(rule["type"], rule["kwargs"], {"now": NOW}).cast("int")).alias(f"r{index}")
            for index, rule in enumerate(rules)
        ]
    ).first()
    assert counts is not None and list(counts) == [0] * len(rules)


def test_a_table_level_expectation_cannot_quarantine(spark: SparkSession) -> None:
    with pytest.raises(ValueError, match="not a per-row rule"):
        violation("expect_table_row_count_to_equal", {"value": 1}, {})


def test_rows_breaking_quarantine_rules_are_set_aside_with_their_rules(spark: SparkSession) -> None:
    frame = clean_flat(spark, rows=12).withColumn("_row", F.col("id_movimento") - 1000)
    defects = {  # one quarantine defect in each of rows 0-5
        "vlr_transacao_movimento": (0, Decimal("-3.00")),
        "data_movimento": (1, T0 - timedelta(days=2)),
        "_integridade": (2, "CARTAO_AUSENTE"),
        "email_associado": (3, "sem-arroba"),
        "tipo_conta": (4, "CRIPTO"),
        "idade_associado": (5, 150),
    }
    for column, (row, value) in defects.items():
        frame = frame.withColumn(column, F.when(F.col("_row") == row, F.lit(value)).otherwise(F.col(column)))

    split = judge(frame.drop("_row"))
    verdicts = split.verdicts
    assert (verdicts.rows, verdicts.quarantined_rows) == (12, 6)
    assert verdicts.quarantined_total == Decimal("-3.00") + sum(Decimal("10.50") + i for i in (1, 2, 3, 4, 5))
    assert verdicts.by_rule == {
        "column_values_to_be_between(vlr_transacao_movimento)": 1,
        "column_pair_values_a_to_be_greater_than_b(data_movimento,data_criacao_conta)": 1,
        "column_values_to_be_in_set(_integridade)": 1,
        "column_values_to_match_regex(email_associado)": 1,
        "column_values_to_be_in_set(tipo_conta)": 1,
        "column_values_to_be_between(idade_associado)": 1,
    }
    assert verdicts.integrity == {"OK": 11, "CARTAO_AUSENTE": 1}
    assert verdicts.personal_data == {}
    assert sorted(r["id_movimento"] for r in split.quarantined.collect()) == [
        1000,
        1001,
        1002,
        1003,
        1004,
        1005,
    ]
    assert split.passed.count() == 6
    assert VIOLATED_RULES not in split.passed.columns and PERSONAL_DATA not in split.passed.columns
    split.release()


def test_a_quarantined_row_carrying_a_raw_document_is_flagged_too(spark: SparkSession) -> None:
    """The detector judges every row before the split: being quarantined never hides a leak."""
    frame = clean_flat(spark, rows=3)
    frame = frame.withColumns(
        {
            "vlr_transacao_movimento": F.when(
                F.col("id_movimento") == 1000, F.lit(Decimal("-1.00"))
            ).otherwise(F.col("vlr_transacao_movimento")),
            "des_transacao_movimento": F.when(
                F.col("id_movimento") == 1000, F.lit(f"estorno CPF {RAW_CPF[:9]}-{RAW_CPF[9:]}")
            ).otherwise(F.col("des_transacao_movimento")),
        }
    )
    split = judge(frame)
    assert split.verdicts.quarantined_rows == 1
    assert split.verdicts.personal_data == {"des_transacao_movimento:cpf": 1}
    flagged = (
        split.flagged.where(F.col(PERSONAL_DATA).isNotNull()).select("id_movimento", PERSONAL_DATA).collect()
    )
    assert [(r[0], r[1]) for r in flagged] == [(1000, "cpf")]
    split.release()
