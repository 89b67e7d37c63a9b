"""The dataset facets of the flow's events, derived from the table contract (`tasks/domain/tables.py`), never
listed by hand: each table's schema, and `movimento_flat`'s column lineage.

Column lineage: every output column with a `source` ("table.column") comes from that source column, DIRECT;
a personal column (its `personal` class) is masked on the way, so its transformation is a TRANSFORMATION with
`masking: true` and the masked format it wears; any other is an IDENTITY copy. The two columns the contract
derives (`source` None) are explained in `DERIVED`: `tipo_pessoa` from the raw document (before masking hides
its length), `row_hash` from every column it hashes. The joins and the integrity verdict read the foreign keys
the contract declares: those are the dataset-wide INDIRECT inputs (JOIN).
"""

from __future__ import annotations

from collections.abc import Mapping

from openlineage.client.facet_v2 import column_lineage_dataset, schema_dataset

from tasks.domain.contract import MASKED_FORMATS, Column, PersonalData, Table
from tasks.domain.movimento_flat import HASHED_COLUMNS, ROW_HASH
from tasks.domain.render.spark import spark_type
from tasks.domain.tables import MOVIMENTO_FLAT, TABLES_BY_NAME
from tasks.lineage.naming import DatasetName

DIRECT, INDIRECT = "DIRECT", "INDIRECT"
TIPO_PESSOA = "tipo_pessoa"


def schema(columns: tuple[Column, ...]) -> schema_dataset.SchemaDatasetFacet:
    """Names, Spark SQL types and the Portuguese comments, in order."""
    return schema_dataset.SchemaDatasetFacet(
        fields=[
            schema_dataset.SchemaDatasetFacetFields(
                name=column.name,
                type=spark_type(column.kind).simpleString(),
                description=column.comment,
                ordinal_position=position,
            )
            for position, column in enumerate(columns, start=1)
        ]
    )


def masking(kind: PersonalData) -> column_lineage_dataset.Transformation:
    return column_lineage_dataset.Transformation(
        type=DIRECT,
        subtype="TRANSFORMATION",
        description=f"masked ({kind.value}): values match {MASKED_FORMATS[kind]}",
        masking=True,
    )


IDENTITY = column_lineage_dataset.Transformation(type=DIRECT, subtype="IDENTITY", masking=False)


def _source_of(column: Column) -> tuple[str, str]:
    assert column.source is not None
    table, name = column.source.split(".")
    return table, name


def _transformation(column: Column) -> column_lineage_dataset.Transformation:
    return masking(column.personal) if column.personal is not None else IDENTITY


def _document_column(table: str) -> Column:
    """The raw document (CPF/CNPJ) tipo_pessoa is judged on: the table's DOCUMENT-class column."""
    (document,) = [c for c in TABLES_BY_NAME[table].columns if c.personal is PersonalData.DOCUMENT]
    return document


# Output columns the contract derives rather than copies: how each is derived, as (table, column, transformation)
# inputs. Keys must equal the output's columns without a source (tests/unit/lineage/test_facets.py holds that).
def _derived(output: Table) -> dict[str, list[tuple[str, str, column_lineage_dataset.Transformation]]]:
    by_name = {column.name: column for column in output.columns}
    hashed = [by_name[name] for name in HASHED_COLUMNS if by_name[name].source is not None]
    return {
        TIPO_PESSOA: [
            (
                "associado",
                _document_column("associado").name,
                column_lineage_dataset.Transformation(
                    type=DIRECT,
                    subtype="TRANSFORMATION",
                    description="PF or PJ from the raw document's digit count, judged before masking",
                    masking=False,
                ),
            )
        ],
        ROW_HASH: [
            (
                *_source_of(column),
                column_lineage_dataset.Transformation(
                    type=DIRECT,
                    subtype="TRANSFORMATION",
                    description="sha256 of the row's (masked) fields",
                    masking=column.personal is not None,
                ),
            )
            for column in hashed
        ],
    }


def join_inputs() -> list[tuple[str, str]]:
    """(table, column) of every foreign key the join follows and of the key it references, from the contract."""
    pairs: list[tuple[str, str]] = []
    for table in TABLES_BY_NAME.values():
        for column, parent in table.references:
            pairs += [(table.name, column), (parent, TABLES_BY_NAME[parent].key)]
        for reference in table.composite_references:
            pairs += [(table.name, column) for column in reference.columns]
            pairs += [(reference.parent, column) for column in reference.parent_columns]
    return list(dict.fromkeys(pairs))


def column_lineage(
    sources: Mapping[str, DatasetName], output: Table = MOVIMENTO_FLAT
) -> column_lineage_dataset.ColumnLineageDatasetFacet:
    """Each output column from its source columns; `sources` names the dataset of each source table."""

    def field(
        table: str, column: str, transformation: column_lineage_dataset.Transformation
    ) -> column_lineage_dataset.InputField:
        dataset = sources[table]
        return column_lineage_dataset.InputField(
            namespace=dataset.namespace, name=dataset.name, field=column, transformations=[transformation]
        )

    derived = _derived(output)
    fields: dict[str, column_lineage_dataset.Fields] = {}
    for column in output.columns:
        if column.source is not None:
            inputs = [field(*_source_of(column), _transformation(column))]
        else:
            inputs = [field(*entry) for entry in derived[column.name]]
        fields[column.name] = column_lineage_dataset.Fields(inputFields=inputs)
    join = column_lineage_dataset.Transformation(type=INDIRECT, subtype="JOIN", masking=False)
    return column_lineage_dataset.ColumnLineageDatasetFacet(
        fields=fields, dataset=[field(table, column, join) for table, column in join_inputs()]
    )
