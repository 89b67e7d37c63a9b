"""The table contract drives every artefact: the snapshots are current, and one added column changes them all."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import cast

from tasks.domain.contract import Column, Kind, Table
from tasks.domain.generate import snapshots, stale
from tasks.domain.render.expectations import output_expectations, source_expectations
from tasks.domain.render.mongodb import collection_spec
from tasks.domain.render.postgres import schema_sql
from tasks.domain.render.spark import extract_schema, jdbc_select_list
from tasks.domain.tables import (
    ASSOCIADO,
    EXTRACT_CARTAO,
    GATE_COLUMNS,
    MOVIMENTO,
    MOVIMENTO_FLAT,
    TABLES,
)
from tasks.transform.flatten import output_mapping


def test_the_generated_snapshots_are_current() -> None:
    """sql/postgres/001_schema.sql and sql/mongodb/movimento.json are what the contract generates: after a
    change to tasks/domain/tables.py, run `python -m tasks.domain.generate` and commit both."""
    assert stale() == [], "stale snapshots: run `uv run python -m tasks.domain.generate`"
    assert set(snapshots()) and all(text.strip() for text in snapshots().values())


def _with_column(table: Table, column: Column) -> Table:
    return replace(table, columns=(*table.columns, column))


def artefacts(associado: Table, movimento: Table, flat: Table) -> dict[str, object]:
    """Every artefact generated from the contract, for these versions of three of its tables."""
    tables = [
        associado if t.name == "associado" else movimento if t.name == "movimento" else t for t in TABLES
    ]
    return {
        "postgres ddl": schema_sql((*tables, EXTRACT_CARTAO)),
        "jdbc select": jdbc_select_list(associado),
        "spark schema (postgres)": extract_schema(associado).simpleString(),
        "spark schema (mongodb)": extract_schema(movimento).simpleString(),
        "mongodb validator": collection_spec(movimento)["validator"],
        "source expectations": source_expectations(associado),
        "output expectations": output_expectations(flat, GATE_COLUMNS),
        "flatten mapping": output_mapping("associado", flat),
        "delta comments": flat.comments,
        "csv header": flat.column_names,
        "landed file header": associado.column_names,
    }


def test_adding_a_column_is_one_edit_that_changes_every_generated_artefact() -> None:
    telefone = Column(
        "telefone_teste", Kind.TEXT, "Telefone de contato.", max_length=20, pattern="^[0-9]{10,11}$"
    )
    canal = Column("canal_teste", Kind.TEXT, "Canal da transação.", max_length=20, values=("LOJA", "ONLINE"))
    associado = _with_column(ASSOCIADO, telefone)
    movimento = _with_column(MOVIMENTO, canal)
    flat = _with_column(
        MOVIMENTO_FLAT,
        Column(
            "telefone_teste_associado",
            Kind.TEXT,
            "Telefone do associado.",
            nullable=True,
            source="associado.telefone_teste",
        ),
    )
    before = artefacts(ASSOCIADO, MOVIMENTO, MOVIMENTO_FLAT)
    after = artefacts(associado, movimento, flat)
    unchanged = [name for name in before if before[name] == after[name]]
    assert unchanged == [], f"not driven by the contract: {unchanged}"
    # And each changed the way the column says.
    assert re.search(
        r"telefone_teste\s+varchar\(20\)\s+NOT NULL CONSTRAINT associado_telefone_teste_ck",
        str(after["postgres ddl"]),
    )
    assert "COMMENT ON COLUMN associado.telefone_teste IS 'Telefone de contato.';" in str(
        after["postgres ddl"]
    )
    assert "canal_teste:string" in str(after["spark schema (mongodb)"])
    assert after["flatten mapping"] == {
        **output_mapping("associado"),
        "telefone_teste": "telefone_teste_associado",
    }
    assert list(cast(list[str], after["csv header"]))[-1] == "telefone_teste_associado"


def test_every_output_column_comes_from_a_source_column_or_is_derived_on_purpose() -> None:
    derived = {column.name for column in MOVIMENTO_FLAT.columns if column.source is None}
    assert derived == {"tipo_pessoa", "row_hash"}
    for column in MOVIMENTO_FLAT.columns:
        if column.source:
            table, name = column.source.split(".")
            origin = {t.name: t for t in TABLES}[table].column(name)
            assert (origin.kind, origin.max_length) == (column.kind, column.max_length), column.name
