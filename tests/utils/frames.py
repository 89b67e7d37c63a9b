"""Small Spark frames shared by the tests: source tables with every kind of broken link, and a clean
`movimento_flat` with the gate's verdict columns."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pyspark.sql import DataFrame, SparkSession

from tasks.gate.quarantine import QuarantineSplit
from tasks.gate.task import judge_rows
from tasks.transform.flatten import flatten
from tasks.transform.masking import mask_sources

T0 = datetime(2024, 1, 1, 12, 0, 0)
NOW = datetime(2026, 6, 30, 12, 0, 0)
RAW_CPF = "52998224725"
RAW_CNPJ = "11222333000181"
RAW_CARD = "4111111111111111"
RAW_EMAIL = "ana.souza@gmail.com"

ASSOCIADO_SCHEMA = "id long, nome string, sobrenome string, idade int, email string, cpf_cnpj string"
CONTA_SCHEMA = "id long, tipo string, data_criacao timestamp, id_associado long"
CARTAO_SCHEMA = "id long, num_cartao string, nom_impresso string, data_criacao timestamp, id_conta long, id_associado long"
MOVIMENTO_SCHEMA = (
    "id long, vlr_transacao decimal(10,2), des_transacao string, tipo_transacao string, "
    "data_movimento timestamp, id_cartao long, batch_id string"
)


def broken_link_sources(spark: SparkSession) -> dict[str, DataFrame]:
    """Two good movimentos and one for each kind of broken link (missing cartao, conta, associado; a card
    whose holder is not its account's)."""
    associado = spark.createDataFrame(
        [
            (1, "Ana", "Souza", 30, RAW_EMAIL, RAW_CPF),
            (2, "Loja", "Boa", 45, "contato@lojaboa.com.br", RAW_CNPJ),
        ],
        ASSOCIADO_SCHEMA,
    )
    conta = spark.createDataFrame(
        [(10, "CORRENTE", T0, 1), (20, "POUPANCA", T0, 2), (30, "SALARIO", T0, 99)], CONTA_SCHEMA
    )
    cartao = spark.createDataFrame(
        [
            (100, RAW_CARD, "ANA SOUZA", T0, 10, 1),
            (200, "5500000000000004", "LOJA BOA", T0, 20, 2),
            (300, "4012888888881881", "ORFAO", T0, 30, 99),  # conta 30 points to a missing associado
            (400, "4222222222222", "INTRUSO", T0, 10, 2),  # owner 2 but conta 10 belongs to 1
            (500, "6011000990139424", "SEM CONTA", T0, 77, 1),  # conta 77 does not exist
        ],
        CARTAO_SCHEMA,
    )
    movimento = spark.createDataFrame(
        [
            (1000, Decimal("10.50"), "Compra em padaria", "DEBITO", T0, 100, "b1"),
            (1001, Decimal("99.99"), "Compra online", "CREDITO", T0, 200, "b1"),
            (1002, Decimal("5.00"), "Compra online", "DEBITO", T0, 999, "b1"),  # no such cartao
            (1003, Decimal("7.00"), "Compra online", "DEBITO", T0, 300, "b1"),
            (1004, Decimal("8.00"), "Compra online", "DEBITO", T0, 400, "b1"),
            (1005, Decimal("9.00"), "Compra online", "DEBITO", T0, 500, "b1"),
        ],
        MOVIMENTO_SCHEMA,
    )
    return {"associado": associado, "conta": conta, "cartao": cartao, "movimento": movimento}


def clean_flat(spark: SparkSession, rows: int = 12) -> DataFrame:
    """`rows` good movimentos of two associados (a PF and a PJ), masked and joined."""
    associado = spark.createDataFrame(
        [
            (1, "Ana", "Souza", 30, RAW_EMAIL, RAW_CPF),
            (2, "Loja", "Boa", 45, "contato@lojaboa.com.br", RAW_CNPJ),
        ],
        ASSOCIADO_SCHEMA,
    )
    conta = spark.createDataFrame([(10, "CORRENTE", T0, 1), (20, "POUPANCA", T0, 2)], CONTA_SCHEMA)
    cartao = spark.createDataFrame(
        [(100, RAW_CARD, "ANA SOUZA", T0, 10, 1), (200, "5500000000000004", "LOJA BOA", T0, 20, 2)],
        CARTAO_SCHEMA,
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
        MOVIMENTO_SCHEMA,
    )
    masked = mask_sources({"associado": associado, "conta": conta, "cartao": cartao, "movimento": movimento})
    return flatten(masked["movimento"], masked["cartao"], masked["conta"], masked["associado"])


def clean_total(rows: int) -> Decimal:
    """Sum of vlr_transacao in clean_flat(rows): 10.50, 11.50, 12.50, ..."""
    return sum((Decimal("10.50") + i for i in range(rows)), Decimal(0))


def judge(flat: DataFrame, now: datetime = NOW) -> QuarantineSplit:
    """The gate's one pass over a flat frame: quarantine rules and the personal-data flag on every row."""
    return judge_rows(flat, now)
