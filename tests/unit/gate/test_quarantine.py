"""Row-level policies: the Spark predicates agree with GX, and only quarantine rules quarantine rows."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from tasks.gate.checkpoint import gate_parameters, load_suite_json, run_gate
from tasks.gate.policy import Policy, policy_of, rule_name, violation
from tasks.gate.quarantine import split_quarantine
from tests.unit.gate.test_gate import NOW, RAW_CPF, clean_flat, clean_total
from tests.unit.transform.test_flatten import T0


def test_every_quarantine_rule_has_a_row_predicate() -> None:
    for expectation in load_suite_json("movimento_flat")["expectations"]:
        if policy_of(expectation["meta"]) is Policy.QUARANTINE:
            violation(expectation["type"], expectation["kwargs"], {"now": NOW})  # raises when unsupported


def test_a_table_level_expectation_cannot_quarantine() -> None:
    with pytest.raises(ValueError, match="not a per-row rule"):
        violation("expect_table_row_count_to_equal", {"value": 1}, {})


def test_policies_split_rows_and_gx_agrees(spark: SparkSession, tmp_path: Path) -> None:
    frame = clean_flat(spark, rows=12).withColumn("_row", F.col("id_movimento") - 1000)
    defects = {  # quarantine defects in rows 0-4, a warning in row 5
        "vlr_transacao_movimento": (0, Decimal("-3.00")),
        "data_movimento": (1, T0 - timedelta(days=2)),
        "_integridade": (2, "CARTAO_AUSENTE"),
        "email_associado": (3, "sem-arroba"),
        "tipo_conta": (4, "CRIPTO"),
        "idade_associado": (5, 130),
    }
    for column, (row, value) in defects.items():
        frame = frame.withColumn(column, F.when(F.col("_row") == row, F.lit(value)).otherwise(F.col(column)))
    frame = frame.drop("_row")
    expectations = load_suite_json("movimento_flat")["expectations"]

    split = split_quarantine(frame, expectations, {"now": NOW}, "vlr_transacao_movimento")
    assert split.rows == 5
    assert split.vlr_total == Decimal("-3.00") + sum(Decimal("10.50") + i for i in (1, 2, 3, 4))
    assert split.by_rule == {
        "column_values_to_be_between(vlr_transacao_movimento)": 1,
        "column_pair_values_a_to_be_greater_than_b(data_movimento,data_criacao_conta)": 1,
        "column_values_to_be_in_set(_integridade)": 1,
        "column_values_to_match_regex(email_associado)": 1,
        "column_values_to_be_in_set(tipo_conta)": 1,
    }
    assert sorted(r["id_movimento"] for r in split.quarantined.collect()) == [1000, 1001, 1002, 1003, 1004]

    # GX on the rows left to export: every quarantine rule passes (predicates and GX agree), the warning on
    # row 5's age stays a warning, and reconciliation holds for exported = batch - quarantined.
    batch_total = clean_total(12) - Decimal("10.50") + Decimal("-3.00")  # row 0's amount was replaced
    parameters = gate_parameters(12 - split.rows, batch_total - split.vlr_total, NOW)
    report = run_gate(split.passed, "movimento_flat", parameters, tmp_path)
    assert report.success, [o.describe() for o in report.blocking]
    assert [(o.expectation, o.column, o.policy) for o in report.failures] == [
        ("expect_column_values_to_be_between", "idade_associado", Policy.WARN)
    ]
    split.release()


def test_a_raw_document_is_never_quarantined_it_fails(spark: SparkSession) -> None:
    frame = clean_flat(spark, rows=3).withColumn(
        "des_transacao_movimento",
        F.when(F.col("id_movimento") == 1000, F.lit(RAW_CPF)).otherwise(F.col("des_transacao_movimento")),
    )
    split = split_quarantine(
        frame, load_suite_json("movimento_flat")["expectations"], {"now": NOW}, "vlr_transacao_movimento"
    )
    assert split.rows == 0  # a leak blocks the whole batch (policy fail), it is not set aside
    assert (
        rule_name("expect_column_values_to_not_match_regex", {"column": "x"})
        == "column_values_to_not_match_regex(x)"
    )
    split.release()
