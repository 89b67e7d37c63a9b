"""Small Spark frames shared by the tests: source tables with every kind of broken link, and a clean
`movimento_flat` with the gate's verdict columns."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pyspark.sql import DataFrame, SparkSession

from tasks.domain.contract import Kind, Table
from tasks.domain.render.spark import extract_schema
from tasks.domain.tables import ASSOCIADO, CARTAO, CONTA, MOVIMENTO
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

# The columns the rows below give, in order; any other column of the contract gets a plain value of its kind.
ASSOCIADO_COLUMNS = ("id", "nome", "sobrenome", "idade", "email", "cpf_cnpj")
CONTA_COLUMNS = ("id", "tipo", "data_criacao", "id_associado")
CARTAO_COLUMNS = ("id", "num_cartao", "nom_impresso", "data_criacao", "id_conta", "id_associado")
MOVIMENTO_COLUMNS = (
    "id",
    "vlr_transacao",
    "des_transacao",
    "tipo_transacao",
    "data_movimento",
    "id_cartao",
    "batch_id",
)
# A PF and a PJ, with raw documents and e-mails (masked on the way).
ASSOCIADOS: list[tuple[object, ...]] = [
    (1, "Ana", "Souza", 30, RAW_EMAIL, RAW_CPF),
    (2, "Loja", "Boa", 45, "contato@lojaboa.com.br", RAW_CNPJ),
]
PLAIN_VALUES: dict[Kind, object] = {
    Kind.ID: 0,
    Kind.INT: 0,
    Kind.TEXT: "x",
    Kind.DECIMAL: Decimal("0.00"),
    Kind.TIMESTAMP: T0,
    Kind.BOOLEAN: True,
}


def source_frame(
    spark: SparkSession, table: Table, columns: tuple[str, ...], rows: list[tuple[object, ...]]
) -> DataFrame:
    """A source table as the extract gives it (the contract's schema), from rows of `columns`: a column added
    to the contract needs no edit here."""
    schema = extract_schema(table)
    kinds = {column.name: column.kind for column in table.stored_columns}
    full = [
        tuple(
            row[columns.index(name)] if name in columns else PLAIN_VALUES[kinds[name]]
            for name in schema.fieldNames()
        )
        for row in rows
    ]
    return spark.createDataFrame(full, schema)


def broken_link_sources(spark: SparkSession) -> dict[str, DataFrame]:
    """Two good movimentos and one for each kind of broken link (missing cartao, conta, associado; a card
    whose holder is not its account's)."""
    associado = source_frame(
        spark,
        ASSOCIADO,
        ASSOCIADO_COLUMNS,
        ASSOCIADOS,
    )
    conta = source_frame(
        spark,
        CONTA,
        CONTA_COLUMNS,
        [(10, "CORRENTE", T0, 1), (20, "POUPANCA", T0, 2), (30, "SALARIO", T0, 99)],
    )
    cartao = source_frame(
        spark,
        CARTAO,
        CARTAO_COLUMNS,
        [
            (100, RAW_CARD, "ANA SOUZA", T0, 10, 1),
            (200, "5500000000000004", "LOJA BOA", T0, 20, 2),
            (300, "4012888888881881", "ORFAO", T0, 30, 99),  # conta 30 points to a missing associado
            (400, "4222222222222", "INTRUSO", T0, 10, 2),  # owner 2 but conta 10 belongs to 1
            (500, "6011000990139424", "SEM CONTA", T0, 77, 1),  # conta 77 does not exist
        ],
    )
    movimento = source_frame(
        spark,
        MOVIMENTO,
        MOVIMENTO_COLUMNS,
        [
            (1000, Decimal("10.50"), "Compra em padaria", "DEBITO", T0, 100, "b1"),
            (1001, Decimal("99.99"), "Compra online", "CREDITO", T0, 200, "b1"),
            (1002, Decimal("5.00"), "Compra online", "DEBITO", T0, 999, "b1"),  # no such cartao
            (1003, Decimal("7.00"), "Compra online", "DEBITO", T0, 300, "b1"),
            (1004, Decimal("8.00"), "Compra online", "DEBITO", T0, 400, "b1"),
            (1005, Decimal("9.00"), "Compra online", "DEBITO", T0, 500, "b1"),
        ],
    )
    return {"associado": associado, "conta": conta, "cartao": cartao, "movimento": movimento}


def clean_flat(spark: SparkSession, rows: int = 12) -> DataFrame:
    """`rows` good movimentos of two associados (a PF and a PJ), masked and joined."""
    associado = source_frame(
        spark,
        ASSOCIADO,
        ASSOCIADO_COLUMNS,
        ASSOCIADOS,
    )
    conta = source_frame(spark, CONTA, CONTA_COLUMNS, [(10, "CORRENTE", T0, 1), (20, "POUPANCA", T0, 2)])
    cartao = source_frame(
        spark,
        CARTAO,
        CARTAO_COLUMNS,
        [(100, RAW_CARD, "ANA SOUZA", T0, 10, 1), (200, "5500000000000004", "LOJA BOA", T0, 20, 2)],
    )
    movimento = source_frame(
        spark,
        MOVIMENTO,
        MOVIMENTO_COLUMNS,
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
    )
    masked = mask_sources({"associado": associado, "conta": conta, "cartao": cartao, "movimento": movimento})
    return flatten(masked["movimento"], masked["cartao"], masked["conta"], masked["associado"])


def clean_total(rows: int) -> Decimal:
    """Sum of vlr_transacao in clean_flat(rows): 10.50, 11.50, 12.50, ..."""
    return sum((Decimal("10.50") + i for i in range(rows)), Decimal(0))


def judge(flat: DataFrame, now: datetime = NOW) -> QuarantineSplit:
    """The gate's one pass over a flat frame: quarantine rules and the personal-data flag on every row."""
    return judge_rows(flat, now)
