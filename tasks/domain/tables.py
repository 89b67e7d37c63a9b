"""The source tables of SiCooperative as landed in a batch: names, columns and their types.

One declaration shared by the generator (what it writes), the loader (what it verifies and casts) and the
extractor (the Spark schema of the MongoDB collection), so the three cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class PersonalData(StrEnum):
    """Kinds of personal data a column holds raw in the sources: each is masked by its own rule before anything
    leaves, and searched for by the leak proof after every export."""

    DOCUMENT = "document"  # CPF or CNPJ
    EMAIL = "email"
    CARD = "card"  # payment card number (PAN)


class Kind(StrEnum):
    """Logical column types of the landing CSVs."""

    ID = "id"  # bigint key
    INT = "int"
    TEXT = "text"
    DECIMAL = "decimal"  # decimal(10,2)
    TIMESTAMP = "timestamp"  # naive UTC, "YYYY-MM-DD HH:MM:SS"


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    max_length: int | None = None
    personal: PersonalData | None = None


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    # Foreign keys as (column, parent table). Composite agreement rules are checked separately.
    references: tuple[tuple[str, str], ...] = ()

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"

    @property
    def personal_columns(self) -> dict[str, PersonalData]:
        return {column.name: column.personal for column in self.columns if column.personal is not None}


TIPOS_CONTA = ("CORRENTE", "POUPANCA", "SALARIO", "INVESTIMENTO", "PAGAMENTO")
TIPOS_TRANSACAO = ("DEBITO", "CREDITO")
DECIMAL_PRECISION, DECIMAL_SCALE = 10, 2
MAX_VLR_TRANSACAO_CENTS = 10**DECIMAL_PRECISION - 1  # 99,999,999.99

ASSOCIADO = Table(
    "associado",
    (
        Column("id", Kind.ID),
        Column("nome", Kind.TEXT, 100),
        Column("sobrenome", Kind.TEXT, 100),
        Column("idade", Kind.INT),
        Column("email", Kind.TEXT, 254, PersonalData.EMAIL),
        Column("cpf_cnpj", Kind.TEXT, 14, PersonalData.DOCUMENT),
    ),
)
CONTA = Table(
    "conta",
    (
        Column("id", Kind.ID),
        Column("tipo", Kind.TEXT, 20),
        Column("data_criacao", Kind.TIMESTAMP),
        Column("id_associado", Kind.ID),
    ),
    references=(("id_associado", "associado"),),
)
CARTAO = Table(
    "cartao",
    (
        Column("id", Kind.ID),
        Column("num_cartao", Kind.TEXT, 19, PersonalData.CARD),
        Column("nom_impresso", Kind.TEXT, 100),
        Column("data_criacao", Kind.TIMESTAMP),
        Column("id_conta", Kind.ID),
        Column("id_associado", Kind.ID),
    ),
    references=(("id_conta", "conta"), ("id_associado", "associado")),
)
MOVIMENTO = Table(
    "movimento",
    (
        Column("id", Kind.ID),
        Column("vlr_transacao", Kind.DECIMAL),
        Column("des_transacao", Kind.TEXT, 200),
        Column("tipo_transacao", Kind.TEXT, 10),
        Column("data_movimento", Kind.TIMESTAMP),
        Column("id_cartao", Kind.ID),
    ),
    references=(("id_cartao", "cartao"),),
)

# Parents before children: the order of loading and of referential checks.
TABLES: tuple[Table, ...] = (ASSOCIADO, CONTA, CARTAO, MOVIMENTO)
POSTGRES_TABLES: tuple[Table, ...] = (ASSOCIADO, CONTA, CARTAO)
TABLES_BY_NAME = {table.name: table for table in TABLES}
