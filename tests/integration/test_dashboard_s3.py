"""The dashboard over an S3 output (`SICOOP_OUTPUT_DIR=s3://...`) against a real S3 API (the local S3Proxy of
`make services`): delta-rs and pyarrow reach the same endpoint and keys as the pipeline, and the figures equal
those of the rows written."""

from __future__ import annotations

from decimal import Decimal

import pyarrow.parquet as pq
from deltalake import write_deltalake

from dashboard import queries
from dashboard.sources import RUNS_TABLE, ledger_source, movimento_source, open_dataset, storage_options
from tasks.domain.movimento_flat import TABLE_NAME
from tasks.settings import Settings
from tasks.storage import Location
from tests.utils.flat_rows import ROWS, movimento_table

ALL_ROWS = queries.Totals(5, Decimal("135.76"), Decimal("27.15"))  # ROWS' count, sum and average ticket


def test_the_delta_export_on_s3_is_read_at_its_latest_version(
    s3_prefix: Location, s3_settings: Settings
) -> None:
    options = storage_options(s3_settings)
    table = s3_prefix.join("delta", TABLE_NAME).uri
    write_deltalake(table, movimento_table(ROWS[:3]), storage_options=options)
    write_deltalake(table, movimento_table(ROWS[3:]), mode="append", storage_options=options)

    source = movimento_source(s3_prefix)
    assert source is not None and (source.kind, source.version) == ("delta", "1")
    cube = queries.movement_cube(open_dataset(source))
    assert queries.totals(cube, queries.Filters()) == ALL_ROWS
    assert queries.scope(cube).batches == ("b1", "b2")
    assert ledger_source(s3_prefix, RUNS_TABLE) is None  # no ledger yet: the page says so, nothing raises


def test_the_parquet_export_on_s3_is_read_when_there_is_no_delta(s3_prefix: Location) -> None:
    parquet = s3_prefix.join("parquet", TABLE_NAME)
    for batch in ("b1", "b2"):
        part = parquet.join(f"batch_id={batch}", "part-0.parquet")
        rows = movimento_table([row for row in ROWS if row[1] == batch]).drop_columns(["batch_id"])
        pq.write_table(rows, part.path, filesystem=part.filesystem)

    source = movimento_source(s3_prefix)
    assert source is not None and source.kind == "parquet"
    cube = queries.movement_cube(open_dataset(source))
    assert queries.totals(cube, queries.Filters()) == ALL_ROWS
    assert queries.totals(cube, queries.Filters(batches=("b2",))).movimentos == 2
