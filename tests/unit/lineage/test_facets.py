"""The column lineage of movimento_flat is derived from the contract: a new column needs no edit here."""

from __future__ import annotations

from tasks.domain.contract import MASKED_FORMATS
from tasks.domain.movimento_flat import HASHED_COLUMNS, ROW_HASH
from tasks.domain.tables import MOVIMENTO_FLAT, TABLES, TABLES_BY_NAME
from tasks.lineage.facets import TIPO_PESSOA, column_lineage, schema
from tasks.lineage.naming import DatasetName

SOURCES = {table.name: DatasetName(f"ns-{table.store}", f"db.{table.name}") for table in TABLES}


def test_every_output_column_has_lineage_from_its_contract_source() -> None:
    fields = column_lineage(SOURCES).fields
    assert list(fields) == MOVIMENTO_FLAT.column_names
    for column in MOVIMENTO_FLAT.columns:
        if column.source is None:
            continue
        table, name = column.source.split(".")
        (origin,) = fields[column.name].inputFields
        assert (origin.namespace, origin.name, origin.field) == (
            SOURCES[table].namespace,
            f"db.{table}",
            name,
        )
        (transformation,) = origin.transformations or []
        assert transformation.type == "DIRECT"
        if column.personal is None:
            assert (transformation.subtype, transformation.masking) == ("IDENTITY", False), column.name
        else:
            assert (transformation.subtype, transformation.masking) == ("TRANSFORMATION", True), column.name
            assert (
                transformation.description and MASKED_FORMATS[column.personal] in transformation.description
            )


def test_numero_cartao_is_the_masked_card_number_of_cartao() -> None:
    (origin,) = column_lineage(SOURCES).fields["numero_cartao"].inputFields
    assert (origin.name, origin.field) == ("db.cartao", "num_cartao")
    assert [t.masking for t in origin.transformations or []] == [True]


def test_derived_columns_name_what_they_are_derived_from() -> None:
    fields = column_lineage(SOURCES).fields
    (document,) = fields[TIPO_PESSOA].inputFields
    assert (document.name, document.field) == ("db.associado", "cpf_cnpj")
    hashed = {(f.name, f.field) for f in fields[ROW_HASH].inputFields}
    by_name = {column.name: column for column in MOVIMENTO_FLAT.columns}
    expected = {
        (f"db.{source.split('.')[0]}", source.split(".")[1])
        for name in HASHED_COLUMNS
        if (source := by_name[name].source) is not None
    }
    assert hashed == expected and len(expected) > 10


def test_the_joins_foreign_keys_are_dataset_wide_indirect_inputs() -> None:
    dataset = column_lineage(SOURCES).dataset or []
    joined = {(f.name, f.field) for f in dataset}
    for table in TABLES:
        for column, parent in table.references:
            assert (f"db.{table.name}", column) in joined
            assert (f"db.{parent}", TABLES_BY_NAME[parent].key) in joined
    assert {t.type for f in dataset for t in f.transformations or []} == {"INDIRECT"}


def test_the_schema_keeps_the_contract_order_types_and_comments() -> None:
    fields = schema(MOVIMENTO_FLAT.columns).fields or []
    assert [f.name for f in fields] == MOVIMENTO_FLAT.column_names
    amount = next(f for f in fields if f.name == "vlr_transacao_movimento")
    assert amount.type == "decimal(10,2)" and amount.description
