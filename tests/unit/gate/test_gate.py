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

from tasks.gate.checkpoint import GateFailed, GateReport, gate_parameters, load_suite, run_gate
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


def failures(report: GateReport) -> dict[tuple[str, str | None], int | None]:
    return {(o.expectation, o.column): o.unexpected_count for o in report.failures}


@pytest.fixture(scope="module")
def quality_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("quality")


def test_clean_data_passes_every_expectation(spark: SparkSession, quality_dir: Path) -> None:
    report = run_gate(clean_flat(spark), "movimento_flat", gate_parameters(12, NOW), quality_dir)
    assert report.success, [o.describe() for o in report.failures]
    assert len(report.outcomes) == len(load_suite("movimento_flat").expectations)
    assert report.data_docs.is_file()


def test_each_defect_fails_the_expectation_meant_for_it(spark: SparkSession, quality_dir: Path) -> None:
    flat = clean_flat(spark).withColumn("_row", F.col("id_movimento") - 1000)
    at = lambda row, value, column: F.when(F.col("_row") == row, value).otherwise(F.col(column))  # noqa: E731
    broken = flat.withColumns(
        {
            "id_movimento": at(0, F.lit(None), "id_movimento"),
            "vlr_transacao_movimento": at(1, F.lit(Decimal("-1.00")), "vlr_transacao_movimento"),
            "data_movimento": at(2, F.lit(NOW + timedelta(days=3)), "data_movimento"),
            "tipo_transacao": at(3, F.lit("PIX"), "tipo_transacao"),
            "email_associado": at(4, F.lit("sem-arroba"), "email_associado"),
            "documento_associado": at(5, F.lit(RAW_CPF), "documento_associado"),
            "numero_cartao": at(6, F.lit("4111 1111 1111 1111"), "numero_cartao"),
            "des_transacao_movimento": at(7, F.lit(f"pago por {RAW_CPF}"), "des_transacao_movimento"),
            "_integridade": at(8, F.lit("CARTAO_AUSENTE"), "_integridade"),
            "tipo_conta": at(9, F.lit("CRIPTO"), "tipo_conta"),
            "row_hash": at(10, F.lit("not-a-hash"), "row_hash"),
        }
    )
    # An extra column breaks the column list; a wrong expected count breaks reconciliation.
    report = run_gate(broken, "movimento_flat", gate_parameters(13, NOW), quality_dir)
    failed = failures(report)
    assert not report.success
    expected = {
        ("expect_table_row_count_to_equal", None): None,
        ("expect_table_columns_to_match_ordered_list", None): None,
        ("expect_column_values_to_not_be_null", "id_movimento"): 1,
        ("expect_column_values_to_be_between", "vlr_transacao_movimento"): 1,
        ("expect_column_values_to_be_between", "data_movimento"): 1,
        ("expect_column_values_to_be_in_set", "tipo_transacao"): 1,
        ("expect_column_values_to_match_regex", "email_associado"): 1,
        ("expect_column_values_to_match_regex", "documento_associado"): 1,
        ("expect_column_values_to_not_match_regex", "documento_associado"): 1,
        ("expect_column_values_to_match_regex", "numero_cartao"): 1,
        ("expect_column_values_to_not_match_regex", "numero_cartao"): 1,
        ("expect_column_values_to_not_match_regex", "des_transacao_movimento"): 1,
        ("expect_column_values_to_be_in_set", "_integridade"): 1,
        ("expect_column_values_to_be_in_set", "tipo_conta"): 1,
        ("expect_column_values_to_match_regex", "row_hash"): 1,
    }
    for key, count in expected.items():
        assert key in failed, f"{key} did not fail"
        if count is not None:
            assert failed[key] == count, key
    assert set(failed) == set(expected), set(failed) ^ set(expected)

    error = str(GateFailed(report))
    assert "expect_column_values_to_not_match_regex(des_transacao_movimento): 1 unexpected" in error
    # Neither the error nor anything GX wrote holds the raw values planted above.
    assert RAW_CPF not in error and "4111 1111 1111 1111" not in error
    for path in quality_dir.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="ignore")
            assert RAW_CPF not in text and "4111 1111 1111 1111" not in text, path
