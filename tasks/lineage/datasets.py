"""The datasets of a run, named (`naming.py`) and described (`facets.py`) from the settings and the contract:
inputs are the PostgreSQL tables and the MongoDB collection of the contract and the landed batch; outputs the
Delta table, its quarantine, the Parquet dataset and the CSV folder of `movimento_flat`."""

from __future__ import annotations

from dataclasses import dataclass

from openlineage.client.event_v2 import InputDataset, OutputDataset
from openlineage.client.facet_v2 import DatasetFacet, output_statistics_output_dataset

from tasks.domain.contract import Store
from tasks.domain.movimento_flat import TABLE_NAME
from tasks.domain.render.postgres import POSTGRES_SCHEMA
from tasks.domain.tables import MOVIMENTO_FLAT, QUARANTINE, TABLES
from tasks.export.files import BatchFiles
from tasks.extract.postgres import current_schema
from tasks.lineage.facets import column_lineage, schema
from tasks.lineage.naming import DatasetName, location, mongo_collection, postgres_table
from tasks.secrets import mongo_uri, postgres_dsn
from tasks.settings import Settings
from tasks.storage import Location, resolve


def _schema_of(dsn: str) -> str:
    """The schema the extract reads (tasks/extract/postgres.py); the default one when the server cannot say."""
    try:
        return current_schema(dsn)
    except Exception:  # lineage never fails a run: the database's own error is the extract's to report
        return POSTGRES_SCHEMA


def source_names(settings: Settings) -> dict[str, DatasetName]:
    """Each source table of the contract -> its dataset, in the store the contract puts it."""
    dsn, uri = postgres_dsn(settings), mongo_uri(settings)
    schema = _schema_of(dsn)
    return {
        table.name: postgres_table(dsn, table.name, schema)
        if table.store is Store.POSTGRES
        else mongo_collection(uri, settings.mongo_database, table.name)
        for table in TABLES
    }


def inputs(settings: Settings, batch_id: str | None) -> list[InputDataset]:
    """The sources, with their schemas; and the landed batch's folder once the run knows it."""
    datasets = [
        InputDataset(
            namespace=name.namespace,
            name=name.name,
            facets={"schema": schema(table.stored_columns)},
        )
        for table, name in zip(TABLES, source_names(settings).values(), strict=True)
    ]
    if batch_id:
        batch = location(resolve(settings.landing_dir, settings).join(batch_id))
        datasets.append(InputDataset(namespace=batch.namespace, name=batch.name))
    return datasets


@dataclass(frozen=True)
class OutputRows:
    exported: int | None
    quarantined: int | None


def output_locations(output: Location, batch_id: str) -> dict[str, Location]:
    """Where the export writes (`tasks/export/`): each table's folder, not one batch's files."""
    published = BatchFiles.published(output, TABLE_NAME, batch_id)
    return {
        "delta": output.join("delta", TABLE_NAME),
        "quarantine": output.join("quarantine", TABLE_NAME),
        "parquet": published.parquet.parent,
        "csv": published.csv.parent,
    }


def outputs(settings: Settings, batch_id: str, rows: OutputRows) -> list[OutputDataset]:
    """The four outputs, each with its schema and the column lineage of movimento_flat's columns."""
    lineage = column_lineage(source_names(settings))
    flat_schema = schema(MOVIMENTO_FLAT.columns)
    datasets = []
    for kind, where in output_locations(resolve(settings.output_dir, settings), batch_id).items():
        quarantine = kind == "quarantine"
        count = rows.quarantined if quarantine else rows.exported
        facets: dict[str, DatasetFacet] = {
            "schema": schema((*MOVIMENTO_FLAT.columns, *QUARANTINE.columns)) if quarantine else flat_schema,
            "columnLineage": lineage,
        }
        name = location(where)
        datasets.append(
            OutputDataset(
                namespace=name.namespace,
                name=name.name,
                facets=facets,
                outputFacets={}
                if count is None
                else {
                    "outputStatistics": output_statistics_output_dataset.OutputStatisticsOutputDatasetFacet(
                        rowCount=count
                    )
                },
            )
        )
    return datasets
