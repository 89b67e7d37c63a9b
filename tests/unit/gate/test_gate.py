"""Every gate expectation fails on data made to break it, and passes on clean data.

One GX run over a clean frame and one over a frame where each row carries one defect keep this fast: each
defect must show up as its own failed expectation with the expected unexpected count.
"""

from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from tasks.domain.movimento_flat import OUTPUT_COLUMNS
from tasks.gate.checkpoint import (
    GateFailed,
    GateReport,
    gate_parameters,
    load_suite,
    load_suite_json,
    run_gate,
)
from tasks.transform.flatten import flatten
from tasks.transform.masking import mask_sources
from tests.unit.transform.test_flatten import T0

NOW = datetime(2026, 6, 30, 12, 0, 0)
RAW_CPF = "52998224725"


def clean_flat(spark: SparkSession, rows: int = 12) -> DataFrame:
    associado = spark.createDataFrame(
        [
            (1, "Ana", "Souza", 30, "ana.souza@gmail.com", RAW_CPF),
            (2, "Loja", "Boa", 45, "contato@lojaboa.com.br", "11222333000181"),
        ],
        "id long, nome string, sobrenome string, idade int, email string, cpf_cnpj string",
    )
    conta = spark.createDataFrame(
        [(10, "CORRENTE", T0, 1), (20, "POUPANCA", T0, 2)],
        "id long, tipo string, data_criacao timestamp, id_associado long",
    )
    cartao = spark.createDataFrame(
        [(100, "4111111111111111", "ANA SOUZA", T0, 10, 1), (200, "5500000000000004", "LOJA BOA", T0, 20, 2)],
        "id long, num_cartao string, nom_impresso string, data_criacao timestamp, id_conta long, id_associado long",
    )
    movimento = spark.createDataFrame(
        [
            (
                1000 + i,
                Decimal("10.50") + i,
                "Compra online",
                "DEBITO" if i % 3 else "CREDITO",
                T0,
                100 if i % 2 else 200,
                "b1",
            )
            for i in range(rows)
        ],
        "id long, vlr_transacao decimal(10,2), des_transacao string, tipo_transacao string, data_movimento timestamp, id_cartao long, batch_id string",
    )
    masked = mask_sources({"associado": associado, "conta": conta, "cartao": cartao, "movimento": movimento})
    return flatten(masked["movimento"], masked["cartao"], masked["conta"], masked["associado"])


def clean_total(rows: int) -> Decimal:
    """Sum of vlr_transacao in clean_flat(rows): 10.50, 11.50, 12.50, ..."""
    return sum((Decimal("10.50") + i for i in range(rows)), Decimal(0))


def failures(report: GateReport) -> dict[tuple[str, str | None], int | None]:
    return {(o.expectation, o.column): o.unexpected_count for o in report.failures}


@pytest.fixture(scope="module")
def quality_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("quality")


def test_clean_data_passes_every_expectation(spark: SparkSession, quality_dir: Path) -> None:
    report = run_gate(
        clean_flat(spark), "movimento_flat", gate_parameters(12, clean_total(12), NOW), quality_dir
    )
    assert report.success, [o.describe() for o in report.failures]
    assert len(report.outcomes) == len(load_suite("movimento_flat").expectations)
    assert report.data_docs.is_file()


RAW_CARD = "4111 1111 1111 1111"
RAW_VALUES = (
    RAW_CPF,
    RAW_CARD,
    "ana.souza@gmail.com",
    "11.222.333/0001-81",
    "529.982.247-25",
    "4111111111111111",
)


def test_each_defect_fails_the_expectation_meant_for_it(spark: SparkSession, quality_dir: Path) -> None:
    flat = clean_flat(spark, rows=24).withColumn("_row", F.col("id_movimento") - 1000)

    defects = {  # column -> (row, value): one defect per row
        "id_movimento": [(0, None), (11, 1010)],  # null; duplicate of row 10
        "vlr_transacao_movimento": [(1, Decimal("-1.00")), (12, None)],
        "data_movimento": [(2, NOW + timedelta(days=3)), (13, None), (23, T0 - timedelta(days=1))],
        "idade_associado": [(22, 150)],
        "tipo_transacao": [(3, "PIX")],
        "email_associado": [(4, "sem-arroba"), (14, "ana.souza@gmail.com")],
        "documento_associado": [(5, RAW_CPF)],
        "numero_cartao": [(6, RAW_CARD)],
        "des_transacao_movimento": [(7, f"pago por {RAW_CPF}")],
        "_integridade": [(8, "CARTAO_AUSENTE")],
        "tipo_conta": [(9, "CRIPTO"), (20, "4111111111111111")],
        "row_hash": [(10, "not-a-hash")],
        "tipo_pessoa": [(15, "529.982.247-25")],
        "nome_associado": [(16, "ana.souza@gmail.com")],
        "sobrenome_associado": [(17, "4111111111111111")],
        "nome_impresso_cartao": [(18, "11.222.333/0001-81")],
        "batch_id": [(19, f"lote {RAW_CPF}")],
    }
    broken = flat
    for column, changes in defects.items():
        expression = F.col(column)
        for row, value in changes:
            expression = F.when(F.col("_row") == row, F.lit(value)).otherwise(expression)
        broken = broken.withColumn(column, expression)
    # row 21 repeats row 9's hash (rows 9 and 21 both break row-hash uniqueness)
    broken = broken.withColumn(
        "row_hash",
        F.when(F.col("_row") == 21, broken.where("_row = 9").select("row_hash").first()[0]).otherwise(
            F.col("row_hash")
        ),
    )
    # The extra `_row` column breaks the column list; a wrong expected count breaks reconciliation.
    report = run_gate(broken, "movimento_flat", gate_parameters(25, clean_total(24), NOW), quality_dir)
    failed = failures(report)
    expected = {
        ("expect_table_row_count_to_equal", None): None,
        ("expect_table_columns_to_match_ordered_list", None): None,
        ("expect_column_sum_to_be_between", "vlr_transacao_movimento"): None,
        ("expect_column_pair_values_a_to_be_greater_than_b", None): 1,
        ("expect_column_values_to_be_between", "idade_associado"): 1,
        ("expect_column_values_to_not_be_null", "id_movimento"): 1,
        ("expect_column_values_to_be_unique", "id_movimento"): 2,
        ("expect_column_values_to_be_unique", "row_hash"): 2,
        ("expect_column_values_to_match_regex", "row_hash"): 1,
        ("expect_column_values_to_not_be_null", "vlr_transacao_movimento"): 1,
        ("expect_column_values_to_be_between", "vlr_transacao_movimento"): 1,
        ("expect_column_values_to_not_be_null", "data_movimento"): 1,
        ("expect_column_values_to_be_between", "data_movimento"): 1,
        ("expect_column_values_to_be_in_set", "tipo_transacao"): 1,
        ("expect_column_values_to_be_in_set", "tipo_conta"): 2,
        ("expect_column_values_to_be_in_set", "tipo_pessoa"): 1,
        ("expect_column_values_to_be_in_set", "_integridade"): 1,
        ("expect_column_values_to_match_regex", "email_associado"): 2,
        ("expect_column_values_to_match_regex", "documento_associado"): 1,
        ("expect_column_values_to_match_regex", "numero_cartao"): 1,
        **{
            ("expect_column_values_to_not_match_regex", column): 1
            for column in (
                "documento_associado",
                "numero_cartao",
                "des_transacao_movimento",
                "email_associado",
                "tipo_conta",
                "tipo_pessoa",
                "nome_associado",
                "sobrenome_associado",
                "nome_impresso_cartao",
                "batch_id",
            )
        },
    }
    assert not report.success
    for key, count in expected.items():
        assert key in failed, f"{key} did not fail"
        if count is not None:
            assert failed[key] == count, key
    assert set(failed) == set(expected), set(failed) ^ set(expected)

    error = str(GateFailed(report))
    assert "expect_column_values_to_not_match_regex(des_transacao_movimento): 1 unexpected" in error
    table = report.markdown()
    assert table.count("| **no** |") == len(expected) and table.count("\n| expect_") == len(report.outcomes)
    assert_no_raw_values(error + table, quality_dir)


def test_table_level_defects(spark: SparkSession, quality_dir: Path) -> None:
    empty = run_gate(
        clean_flat(spark).limit(0), "movimento_flat", gate_parameters(0, Decimal(0), NOW), quality_dir
    )
    assert ("expect_table_row_count_to_be_between", None) in failures(empty)

    as_double = clean_flat(spark).withColumn(
        "vlr_transacao_movimento", F.col("vlr_transacao_movimento").cast("double")
    )
    typed = run_gate(as_double, "movimento_flat", gate_parameters(12, clean_total(12), NOW), quality_dir)
    assert set(failures(typed)) == {("expect_column_values_to_be_of_type", "vlr_transacao_movimento")}

    # Every column under another type than its declared one: each type rule must catch its column.
    wrong_types = {
        "nome_associado": "binary",
        "sobrenome_associado": "binary",
        "idade_associado": "long",
        "vlr_transacao_movimento": "double",
        "des_transacao_movimento": "binary",
        "data_movimento": "date",
        "numero_cartao": "binary",
        "nome_impresso_cartao": "binary",
        "data_criacao_cartao": "date",
        "tipo_conta": "binary",
        "data_criacao_conta": "date",
        "id_movimento": "string",
        "tipo_transacao": "binary",
        "email_associado": "binary",
        "documento_associado": "binary",
        "tipo_pessoa": "binary",
        "batch_id": "binary",
        "row_hash": "binary",
    }
    retyped = clean_flat(spark)
    for column, spark_type in wrong_types.items():
        retyped = retyped.withColumn(column, F.col(column).cast(spark_type))
    wrong = run_gate(retyped, "movimento_flat", gate_parameters(12, clean_total(12), NOW), quality_dir)
    type_failures = {
        column for kind, column in failures(wrong) if kind == "expect_column_values_to_be_of_type"
    }
    assert type_failures == set(OUTPUT_COLUMNS) == set(wrong_types)


def test_every_output_column_has_a_declared_type() -> None:
    typed = {
        e["kwargs"]["column"]
        for e in load_suite_json("movimento_flat")["expectations"]
        if e["type"] == "expect_column_values_to_be_of_type"
    }
    assert typed == set(OUTPUT_COLUMNS)


def test_every_expectation_of_the_suite_is_exercised() -> None:
    """Keeps the defect test honest when the suite grows: each expectation must appear above."""
    suite = load_suite("movimento_flat")
    keys = {(e.expectation_type, getattr(e, "column", None)) for e in suite.expectations}
    source = Path(__file__).read_text(encoding="utf-8")
    for expectation_type, column in keys:
        assert expectation_type in source, expectation_type
        if column is not None:
            assert f'"{column}"' in source, column


def assert_no_raw_values(error: str, quality_dir: Path) -> None:
    """Neither the error nor anything GX wrote (results, data docs) holds a raw value planted above."""
    for value in RAW_VALUES:
        assert value not in error
    for path in quality_dir.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="ignore")
            for value in RAW_VALUES:
                assert value not in text, (path, value)
