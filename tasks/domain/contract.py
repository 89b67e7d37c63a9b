"""The vocabulary of the table contract: what can be said about a table and its columns.

The declaration itself is `tasks/domain/tables.py`; everything else about a table (the PostgreSQL DDL, the Spark
schemas of extraction, the MongoDB indexes and validator, the flatten mapping, the structural expectations, the
Delta comments, the CSV headers) is generated from it (`tasks/domain/render/`), so one edit changes them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Policy(StrEnum):
    """What a broken rule does (as in Databricks' expectations): block the batch, set its rows aside, or report."""

    FAIL = "fail"
    QUARANTINE = "quarantine"
    WARN = "warn"


class PersonalData(StrEnum):
    """Kinds of personal data a column holds raw in the sources: each is masked by its own rule before anything
    leaves, and searched for by the leak proof after every export."""

    DOCUMENT = "document"  # CPF or CNPJ
    EMAIL = "email"
    CARD = "card"  # payment card number (PAN)


# The format each kind of personal data has once masked (`tasks/transform/masking.py` applies the rules).
MASKED_FORMATS: dict[PersonalData, str] = {
    PersonalData.DOCUMENT: "^[0-9]{3}(X{6}|X{9})[0-9]{2}$",  # 3 first and 2 last digits
    PersonalData.CARD: "^[0-9]{6}X{3,9}[0-9]{4}$",  # 6 first and 4 last digits (PCI DSS)
    # Up to 2 first characters of the user, a fixed filler, the domain's top level.
    PersonalData.EMAIL: r"^[^@*\s]{0,2}\*{3}@\*{3}(\.[^@*\s.]{1,63})?$",
}


class Kind(StrEnum):
    """Logical column types; each maps to one type per engine (`tasks/domain/render/`)."""

    ID = "id"  # bigint key
    INT = "int"
    TEXT = "text"
    DECIMAL = "decimal"  # decimal(10,2)
    TIMESTAMP = "timestamp"  # naive UTC, "YYYY-MM-DD HH:MM:SS"
    BOOLEAN = "boolean"


class Store(StrEnum):
    """Where a source table lives."""

    POSTGRES = "postgres"
    MONGODB = "mongodb"


@dataclass(frozen=True)
class Column:
    """One column. `policy` is the policy of its value rules (not null, domain, format); type and key rules of
    the output always `fail`."""

    name: str
    kind: Kind
    comment: str  # Portuguese, published with the table
    max_length: int | None = None
    nullable: bool = False
    personal: PersonalData | None = None  # raw personal data in the sources: masked by this kind's rule
    values: tuple[str, ...] = ()  # a closed domain
    pattern: str | None = None  # the format every value has (a regular expression)
    unique: bool = False  # no two rows share a value (besides the key)
    references: str | None = None  # the parent table whose `id` this column holds
    bounds: tuple[int, int] | None = None  # what the database refuses outside (not a business range)
    policy: Policy = Policy.FAIL
    source: str | None = None  # output tables: `table.column` it comes from; None when derived
    domain_type: str | None = None  # PostgreSQL: the enum type of `values`
    default_sql: str | None = None  # PostgreSQL: the column's default (working tables)


# Stored with every row of a loaded source table (not a column of the landed files).
BATCH_ID = Column("batch_id", Kind.TEXT, "Lote de carga que gravou a versão atual da linha.")


@dataclass(frozen=True)
class CompositeReference:
    """A foreign key over several columns: (columns) -> parent (parent_columns)."""

    name: str
    columns: tuple[str, ...]
    parent: str
    parent_columns: tuple[str, ...]
    comment: str


@dataclass(frozen=True)
class Table:
    name: str
    comment: str
    columns: tuple[Column, ...]
    store: Store | None = None  # sources and working tables
    primary_key: tuple[str, ...] = ("id",)
    unique_together: tuple[tuple[str, ...], ...] = ()  # targets of composite references
    composite_references: tuple[CompositeReference, ...] = ()
    indexes: tuple[tuple[str, ...], ...] = ()  # besides the key, uniques and foreign keys
    loaded: bool = True  # a source table the load writes: it also stores the batch id of each row's version

    @property
    def key(self) -> str:
        """The single-column key of a source or output table."""
        (key,) = self.primary_key
        return key

    @property
    def column_names(self) -> list[str]:
        """The columns of the table's landed file, or of the output, in order."""
        return [column.name for column in self.columns]

    @property
    def stored_columns(self) -> tuple[Column, ...]:
        """The columns as stored in its database: a loaded table also keeps each row's batch id."""
        return (*self.columns, BATCH_ID) if self.loaded else self.columns

    def column(self, name: str) -> Column:
        for column in self.stored_columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.name} has no column {name}")

    @property
    def file_name(self) -> str:
        """The table's file in a landed batch."""
        return f"{self.name}.csv"

    @property
    def references(self) -> tuple[tuple[str, str], ...]:
        """Foreign keys as (column, parent table)."""
        return tuple((column.name, column.references) for column in self.columns if column.references)

    @property
    def comments(self) -> dict[str, str]:
        """Column -> its Portuguese comment (what Delta and PostgreSQL publish)."""
        return {column.name: column.comment for column in self.stored_columns}

    @property
    def personal_columns(self) -> dict[str, PersonalData]:
        return {column.name: column.personal for column in self.columns if column.personal is not None}
