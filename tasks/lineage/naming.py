"""Dataset names as the OpenLineage naming convention spells them, so the flow's events and the Spark listener's
name the same table the same way: `postgres://host:port` + `db.schema.table`, `mongodb://host:port` +
`db.collection`, `file` + absolute path, `s3://bucket` + key. Never a user or password: only host and port."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from tasks.domain.render.postgres import POSTGRES_SCHEMA
from tasks.storage import Location


@dataclass(frozen=True)
class DatasetName:
    namespace: str
    name: str


def _host_port(url: str, default_port: int) -> str:
    """host:port of a URL's first host (a MongoDB URI may list several), whatever credentials it carries."""
    first = urlsplit(url).netloc.rsplit("@", 1)[-1].split(",")[0]
    host, colon, port = first.rpartition(":")
    if not colon or host.endswith("["):  # no port given
        host, port = first, str(default_port)
    return f"{host.lower()}:{port}"


def postgres_table(dsn: str, table: str, schema: str = POSTGRES_SCHEMA) -> DatasetName:
    """A table of the database a libpq URL (postgresql://user:password@host:port/db) points at."""
    parts = urlsplit(dsn)
    database = parts.path.lstrip("/") or (parts.username or "postgres")
    return DatasetName(f"postgres://{_host_port(dsn, 5432)}", f"{database}.{schema}.{table}")


def mongo_collection(uri: str, database: str, collection: str) -> DatasetName:
    return DatasetName(f"mongodb://{_host_port(uri, 27017)}", f"{database}.{collection}")


def location(where: Location) -> DatasetName:
    """A folder or file: `file` + its absolute path, or `s3://bucket` + its key (as the Spark listener names
    them; it reports s3a:// paths as s3://)."""
    if where.is_s3:
        bucket, _, key = where.path.partition("/")
        return DatasetName(f"s3://{bucket}", key)
    return DatasetName("file", where.path)
