"""Every rule of the `movimento_flat` suite is broken by data made to break it, and holds on clean data.

One GX run over a clean frame and one over a frame where each row carries one defect keep this fast: each
defect must show up as its own rule with the expected unexpected count, handled by the rule's policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from tasks.domain.contract import Kind, Policy
from tasks.domain.movimento_flat import OUTPUT_COLUMNS
from tasks.domain.suites import suite_json
from tasks.domain.tables import MOVIMENTO_FLAT
from tasks.gate.checkpoint import GateFailed, GateReport, gate_parameters, run_gate
from tasks.quality.outcomes import policy_of
from tests.utils.frames import (
    NOW,
    RAW_CARD,
    RAW_CPF,
    RAW_EMAIL,
    T0,
    clean_flat,
    clean_total,
    judge,
)

Key = tuple[str, str | None]


@dataclass(frozen=True)
class Defect:
    column: str
    changes: list[tuple[int, Any]]  # (row, value)
    breaks: dict[Key, int]  # rule -> unexpected rows it must report


RAW_VALUES = (RAW_CPF, RAW_CARD, RAW_EMAIL, "11.222.333/0001-81", "529.982.247-25", "4111 1111 1111 1111")
PERSONAL = ("expect_column_values_to_be_null", "_dados_pessoais")
# One defect per row; a raw value anywhere sets the personal-data flag of its row.
DEFECTS = [
    Defect(
        "id_movimento",
        [(0, None), (11, 1010)],  # null; duplicate of row 10
        {
            ("expect_column_values_to_not_be_null", "id_movimento"): 1,
            ("expect_column_values_to_be_unique", "id_movimento"): 2,
        },
    ),
    Defect(
        "vlr_transacao_movimento",
        [(1, Decimal("-1.00")), (12, None)],
        {
            ("expect_column_values_to_be_between", "vlr_transacao_movimento"): 1,
            ("expect_column_values_to_not_be_null", "vlr_transacao_movimento"): 1,
        },
    ),
    Defect(
        "data_movimento",
        [(2, NOW + timedelta(days=3)), (13, None), (23, T0 - timedelta(days=1))],
        {
            ("expect_column_values_to_be_between", "data_movimento"): 1,
            ("expect_column_values_to_not_be_null", "data_movimento"): 1,
            ("expect_column_pair_values_a_to_be_greater_than_b", None): 1,
        },
    ),
    Defect("idade_associado", [(22, 150)], {("expect_column_values_to_be_between", "idade_associado"): 1}),
    Defect("tipo_transacao", [(3, "PIX")], {("expect_column_values_to_be_in_set", "tipo_transacao"): 1}),
    Defect(
        "email_associado",
        [(4, "sem-arroba"), (14, RAW_EMAIL)],
        {("expect_column_values_to_match_regex", "email_associado"): 2, PERSONAL: 1},
    ),
    Defect(
        "documento_associado",
        [(5, RAW_CPF)],
        {("expect_column_values_to_match_regex", "documento_associado"): 1, PERSONAL: 1},
    ),
    Defect(
        "numero_cartao",
        [(6, "4111 1111 1111 1111")],
        {("expect_column_values_to_match_regex", "numero_cartao"): 1, PERSONAL: 1},
    ),
    Defect("des_transacao_movimento", [(7, "pago por 529.982.247-25")], {PERSONAL: 1}),
    Defect(
        "_integridade", [(8, "CARTAO_AUSENTE")], {("expect_column_values_to_be_in_set", "_integridade"): 1}
    ),
    Defect(
        "tipo_conta",
        [(9, "CRIPTO"), (20, RAW_CARD)],
        {("expect_column_values_to_be_in_set", "tipo_conta"): 2, PERSONAL: 1},
    ),
    Defect(
        "row_hash",
        [(10, "not-a-hash")],
        {("expect_column_values_to_match_regex", "row_hash"): 1},
    ),
    Defect(
        "tipo_pessoa",
        [(15, "529.982.247-25")],
        {("expect_column_values_to_be_in_set", "tipo_pessoa"): 1, PERSONAL: 1},
    ),
    Defect("nome_associado", [(16, RAW_EMAIL)], {PERSONAL: 1}),
    Defect("sobrenome_associado", [(17, RAW_CARD)], {PERSONAL: 1}),
    Defect("nome_impresso_cartao", [(18, "11.222.333/0001-81")], {PERSONAL: 1}),
    Defect("batch_id", [(19, f"lote {RAW_CPF}")], {PERSONAL: 1}),
    Defect(
        "_documento_valido", [(24, False)], {("expect_column_values_to_be_in_set", "_documento_valido"): 1}
    ),
    Defect("_cartao_valido", [(25, False)], {("expect_column_values_to_be_in_set", "_cartao_valido"): 1}),
]
ROWS = 28
# Table-level rules broken by the whole frame below: an extra column, a wrong row count and sum.
TABLE_DEFECTS: dict[Key, None] = {
    ("expect_table_row_count_to_equal", None): None,
    ("expect_table_columns_to_match_ordered_list", None): None,
    ("expect_column_sum_to_be_between", "vlr_transacao_movimento"): None,
}


def expected_breaks() -> dict[Key, int]:
    counts: dict[Key, int] = {}
    for defect in DEFECTS:
        for key, count in defect.breaks.items():
            counts[key] = counts.get(key, 0) + count
    return counts


def validate(frame: DataFrame, rows: int, total: Decimal, quality_dir: Path) -> GateReport:
    """The gate as the task runs it: judge every row, then GX over all of them."""
    split = judge(frame)
    try:
        return run_gate(
            split.flagged,
            "movimento_flat",
            gate_parameters(rows, total, NOW),
            quality_dir,
            quarantined=split.verdicts.by_rule,
        )
    finally:
        split.release()


def failures(report: GateReport) -> dict[Key, int | None]:
    return {(o.expectation, o.column): o.unexpected_count for o in report.failures}


@pytest.fixture(scope="module")
def quality_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("quality")


def test_clean_data_holds_every_rule(spark: SparkSession, quality_dir: Path) -> None:
    report = validate(clean_flat(spark), 12, clean_total(12), quality_dir)
    assert report.success and not report.failures, [o.describe() for o in report.failures]
    assert len(report.outcomes) == len(suite_json("movimento_flat")["expectations"])
    assert report.data_docs is not None and report.data_docs.is_file()


def test_each_defect_breaks_the_rule_meant_for_it_and_only_fail_rules_block(
    spark: SparkSession, quality_dir: Path
) -> None:
    broken = clean_flat(spark, rows=ROWS).withColumn("_row", F.col("id_movimento") - 1000)
    for defect in DEFECTS:
        expression = F.col(defect.column)
        for row, value in defect.changes:
            expression = F.when(F.col("_row") == row, F.lit(value)).otherwise(expression)
        broken = broken.withColumn(defect.column, expression)

    report = validate(broken, ROWS + 1, clean_total(ROWS), quality_dir)

    failed = failures(report)
    expected = {**expected_breaks(), **TABLE_DEFECTS}
    assert set(failed) == set(expected), set(failed) ^ set(expected)
    for key, count in expected.items():
        if count is not None:
            assert failed[key] == count, key
    # Quarantine rules set their rows aside (the Spark predicate agrees with GX); only `fail` rules block.
    assert {(o.expectation, o.column) for o in report.blocking} == {
        (o.expectation, o.column) for o in report.failures if o.policy is Policy.FAIL
    }
    assert all(o.quarantined == o.unexpected_count for o in report.outcomes if o.policy is Policy.QUARANTINE)

    error = str(GateFailed(report, {"des_transacao_movimento:cpf": 1}))
    assert "expect_column_values_to_be_null(_dados_pessoais): 10 unexpected" in error
    assert "raw personal data in des_transacao_movimento:cpf: 1 rows" in error
    table = report.markdown()
    assert table.count("| **no** |") == len(report.blocking)
    assert table.count("| quarantined |") == sum(o.policy is Policy.QUARANTINE for o in report.failures)
    assert_no_raw_values(error + table, quality_dir)


def test_a_quarantine_rule_whose_predicate_disagrees_with_gx_blocks(
    spark: SparkSession, tmp_path: Path
) -> None:
    """The safety net between the two translations of a rule: plant a disagreement and it must block."""
    frame = clean_flat(spark).withColumn(
        "tipo_transacao",
        F.when(F.col("id_movimento") == 1000, F.lit("PIX")).otherwise(F.col("tipo_transacao")),
    )
    split = judge(frame)
    parameters = gate_parameters(12, clean_total(12), NOW)
    agreed = run_gate(
        split.flagged, "movimento_flat", parameters, tmp_path, quarantined=split.verdicts.by_rule
    )
    planted = run_gate(split.flagged, "movimento_flat", parameters, tmp_path, quarantined={})
    split.release()
    assert agreed.success
    assert [(o.expectation, o.column) for o in planted.blocking] == [
        ("expect_column_values_to_be_in_set", "tipo_transacao")
    ]
    assert "but 0 quarantined" in planted.blocking[0].describe()


def test_table_level_defects(spark: SparkSession, quality_dir: Path) -> None:
    empty = validate(clean_flat(spark).limit(0), 0, Decimal(0), quality_dir)
    assert ("expect_table_row_count_to_be_between", None) in failures(empty)

    as_double = clean_flat(spark).withColumn(
        "vlr_transacao_movimento", F.col("vlr_transacao_movimento").cast("double")
    )
    typed = validate(as_double, 12, clean_total(12), quality_dir)
    assert set(failures(typed)) == {("expect_column_values_to_be_of_type", "vlr_transacao_movimento")}

    # Every column under another type than its declared one: each type rule must catch its column.
    another_type = {
        Kind.TEXT: "binary",
        Kind.INT: "long",
        Kind.DECIMAL: "double",
        Kind.TIMESTAMP: "date",
        Kind.ID: "string",
    }
    wrong_types = {column.name: another_type[column.kind] for column in MOVIMENTO_FLAT.columns}
    retyped = clean_flat(spark)
    for column, spark_type in wrong_types.items():
        retyped = retyped.withColumn(column, F.col(column).cast(spark_type))
    wrong = validate(retyped, 12, clean_total(12), quality_dir)
    type_failures = {
        column for kind, column in failures(wrong) if kind == "expect_column_values_to_be_of_type"
    }
    assert type_failures == set(OUTPUT_COLUMNS) == set(wrong_types)


def test_the_defects_above_reach_every_rule_of_the_suite() -> None:
    """Keeps the defect tests honest when the suite grows: each rule must be broken by some defect."""
    reached = {*expected_breaks(), *TABLE_DEFECTS, ("expect_table_row_count_to_be_between", None)}
    reached |= {("expect_column_values_to_be_of_type", column) for column in OUTPUT_COLUMNS}
    for expectation in suite_json("movimento_flat")["expectations"]:
        kwargs = expectation["kwargs"]
        key = (expectation["type"], kwargs.get("column"))
        assert key in reached, f"no defect breaks {key}"
        assert policy_of(expectation["meta"]) in Policy
        assert expectation["meta"].get("regra"), f"{key} states no rule"


def assert_no_raw_values(error: str, quality_dir: Path) -> None:
    """Neither the error nor anything GX wrote (results, data docs) holds a raw value planted above."""
    for value in RAW_VALUES:
        assert value not in error
    for path in quality_dir.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="ignore")
            for value in RAW_VALUES:
                assert value not in text, (path, value)
