"""Where the dashboard's data lives, and how to open it without Spark: Delta with delta-rs, Parquet with pyarrow.

Every table is addressed by a `Source` (its URI and version): a Delta table's version, or a fingerprint of the
Parquet files, changes exactly when the data does, so aggregates cached under it stay valid until then.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal

import pyarrow.dataset as ds
from deltalake import DeltaTable

from tasks.domain.movimento_flat import TABLE_NAME
from tasks.secrets import s3_keys
from tasks.settings import Settings, get_settings
from tasks.storage import Location, resolve

# The ledger's tables (`tasks/ops/`). Named here, not imported: the ledger's module imports Spark and Great
# Expectations, seconds of start-up the dashboard does not need (tests/unit/dashboard checks the names agree).
RUNS_TABLE = "pipeline_runs"
QUALITY_TABLE = "quality_results"
DRIFT_TABLE = "drift_results"  # written by the drift checks (issue 11), when they have run


@dataclass(frozen=True)
class Source:
    """A table as read at one version: `kind` says which reader, `version` keys the caches."""

    uri: str
    kind: Literal["delta", "parquet"]
    version: str


def storage_options(settings: Settings) -> dict[str, str]:
    """delta-rs's options for an S3 output: the same endpoint, region and keys Spark's S3A uses."""
    options = {"AWS_REGION": settings.s3_region or "us-east-1"}
    if settings.s3_endpoint:
        options |= {"AWS_ENDPOINT_URL": settings.s3_endpoint, "AWS_ALLOW_HTTP": "true"}
    keys = s3_keys(settings)
    if keys:
        options |= {"AWS_ACCESS_KEY_ID": keys[0], "AWS_SECRET_ACCESS_KEY": keys[1]}
    return options


def _options(uri: str) -> dict[str, str] | None:
    return storage_options(get_settings()) if uri.startswith("s3://") else None


def output_location(output: str | None = None) -> Location:
    return resolve(output or get_settings().output_dir)


def delta_source(location: Location) -> Source | None:
    """The Delta table at `location` at its latest version, or None when there is no table there."""
    options = _options(location.uri)
    if not DeltaTable.is_deltatable(location.uri, storage_options=options):
        return None
    return Source(location.uri, "delta", str(DeltaTable(location.uri, storage_options=options).version()))


def parquet_source(location: Location) -> Source | None:
    """The hive-partitioned Parquet export (`batch_id=<id>/` folders), fingerprinted by its files' sizes."""
    if not location.exists():
        return None
    files = [part for part in location.list_files(recursive=True) if part.name.endswith(".parquet")]
    if not files:
        return None
    sizes = location.filesystem.get_file_info([part.path for part in files])
    fingerprint = sorted((info.path, info.size, info.mtime_ns) for info in sizes)
    return Source(location.uri, "parquet", hashlib.sha256(repr(fingerprint).encode()).hexdigest()[:16])


def movimento_source(output: Location) -> Source | None:
    """The exported table: Delta when it exists (every batch, the latest version), else the Parquet export."""
    return delta_source(output.join("delta", TABLE_NAME)) or parquet_source(
        output.join("parquet", TABLE_NAME)
    )


def ledger_source(output: Location, table: str) -> Source | None:
    """A table of the run ledger (`pipeline_runs`, `quality_results`, `drift_results`), if written yet."""
    return delta_source(output.join("ops", table))


def open_dataset(source: Source) -> ds.Dataset:
    """A pyarrow dataset over the source at its version: DuckDB scans it, pushing projections and filters."""
    if source.kind == "parquet":
        location = resolve(source.uri)
        return ds.dataset(
            location.path, filesystem=location.filesystem, format="parquet", partitioning="hive"
        )
    table = DeltaTable(source.uri, version=int(source.version), storage_options=_options(source.uri))
    return table.to_pyarrow_dataset()
