"""Every setting of the pipeline, read from the environment (prefix SICOOP_) or a `.env` file.

Credentials are `SecretStr` so they never print; each may instead name a Prefect Secret block, which wins.
`.local/services.env` is written by `scripts/services/up.sh` when it starts the local PostgreSQL and MongoDB-wire
server; real environment variables always override it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SICOOP_", env_file=(".local/services.env", ".env"), extra="ignore"
    )

    postgres_dsn: SecretStr | None = Field(
        default=None, description="postgresql://user:password@host:port/database"
    )
    postgres_dsn_block: str | None = Field(default=None, description="Prefect Secret block holding the DSN")
    mongo_uri: SecretStr | None = Field(default=None, description="mongodb://user:password@host:port/")
    mongo_uri_block: str | None = Field(default=None, description="Prefect Secret block holding the URI")
    mongo_database: str = "sicooperative"

    landing_dir: str = Field(default="data/landing", description="landing folder or s3://bucket/prefix")
    output_dir: str = Field(default="data/output", description="output folder or s3://bucket/prefix")
    quality_dir: str | None = Field(
        default=None,
        description="Great Expectations project (local); default <output>/quality, or "
        "data/quality when the output is on S3",
    )
    rejected_retention_days: int = Field(
        default=30,
        ge=0,
        description="days a rejected batch is kept under <landing>/_rejected/ before "
        "`python -m tasks.landing.purge` deletes it",
    )

    spark_master: str = "local[2]"
    spark_event_log_dir: Path | None = Field(
        default=None, description="write Spark's event log (jobs, stages, bytes read) to this folder"
    )
    spark_log4j2_config: Path | None = Field(
        default=None,
        description="log4j2 properties for Spark's own log; default tasks/spark_log4j2.properties (no values)",
    )
    spark_driver_memory: str = "4g"
    spark_shuffle_partitions: int = 8
    mongo_reply_bytes: int = Field(
        default=8 << 20,
        description="bytes of movimentos per extract part: one part's reply stays far below MongoDB's 48 MB",
    )
    jars_dir: Path = Field(default=Path(".cache/jars"), description="Spark/Delta/JDBC jars, resolved once")
    docs_assets_dir: Path = Field(
        default=Path(".cache/docs-assets"),
        description="the data docs' web assets, from npm at install time (make docs-assets)",
    )

    load_chunk_rows: int = 5_000
    max_batch_file_bytes: int = Field(
        default=4 * 1024**3,
        gt=0,
        description="largest data file of an S3 batch that a run downloads (bytes); the manifest says each "
        "file's size, so a batch cannot make a run fill its disk",
    )

    drift_mode: Literal["enforce", "warn", "off"] = Field(
        default="enforce",
        description="drift checks (expectations/drift.json): enforce their policies, report every fired check "
        "as a warning only, or skip them",
    )
    trigger_event_id: str | None = Field(
        default=None,
        description="id of the event that triggered the run; unset: asked from the Prefect server (tasks/ops/trigger.py)",
    )

    # S3 (s3://bucket/prefix locations, read by Spark through S3A and by pyarrow). With no endpoint the AWS
    # defaults apply (regional AWS endpoint, and the default credential chain when no keys are given).
    s3_endpoint: str | None = Field(
        default=None, description="S3-compatible endpoint URL (http://127.0.0.1:9000); unset: AWS S3"
    )
    s3_access_key_id: SecretStr | None = Field(default=None, description="unset: AWS default credentials")
    s3_secret_access_key: SecretStr | None = None
    s3_secret_access_key_block: str | None = Field(
        default=None, description="Prefect Secret block holding it"
    )
    s3_region: str | None = Field(default=None, description="e.g. us-east-1; unset: the AWS default chain")

    # One writer at a time (docs/operations.md): every run holds a slot of this Prefect global concurrency limit
    # while it writes; deployments writing the same output must name the same limit.
    writer_limit: str = Field(
        default="sicooperative-writer",
        min_length=1,
        description="Prefect global concurrency limit held by a run while it writes its output",
    )
    # Alerts and freshness, read when `make automations` applies deploy/automations.yaml (not by runs).
    alert_block: str = Field(
        default="sicoop-alerts", min_length=1, description="Prefect notification block the automations use"
    )
    alert_webhook_url: SecretStr | None = Field(
        default=None,
        description="webhook URL (with its token) that `make automations` stores in the notification block; "
        "unset: the block must already exist",
    )
    freshness_window_seconds: int = Field(
        default=26 * 3600,
        ge=10,
        description="alert when no batch-ready event arrived for this long (a daily batch plus 2 h of slack); "
        "Prefect's minimum is 10 s",
    )
    # OpenLineage events of every run (the flow's and Spark's; tasks/lineage/).
    lineage_transport: Literal["file", "http", "off"] = Field(
        default="file", description="file: JSON under the lineage folder; http: an OpenLineage endpoint"
    )
    lineage_dir: str | None = Field(
        default=None,
        description="local folder of the file transport; default <output>/ops/lineage, or data/lineage "
        "when the output is on S3",
    )
    lineage_namespace: str = Field(default="sicooperative", description="OpenLineage namespace of the jobs")
    openlineage_url: str | None = Field(
        default=None, description="http transport: the consumer's base URL (Marquez: http://host:5000)"
    )
    openlineage_endpoint: str = Field(default="api/v1/lineage", description="http transport: the path")
    openlineage_api_key: SecretStr | None = Field(default=None, description="http transport: bearer key")
    openlineage_api_key_block: str | None = Field(
        default=None, description="Prefect Secret block holding the API key"
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def jdbc_url_and_properties(dsn: str) -> tuple[str, dict[str, str]]:
    """Split a libpq URL into the JDBC URL and the user/password properties Spark expects."""
    parts = urlsplit(dsn)
    if parts.scheme not in {"postgresql", "postgres"} or not parts.hostname:
        raise ValueError("the PostgreSQL DSN must be a URL: postgresql://user:password@host:port/database")
    port = f":{parts.port}" if parts.port else ""
    url = f"jdbc:postgresql://{parts.hostname}{port}{parts.path or '/'}"
    if parts.query:
        url += f"?{parts.query}"
    properties = {"driver": "org.postgresql.Driver"}
    if parts.username:
        properties["user"] = unquote(parts.username)
    if parts.password:
        properties["password"] = unquote(parts.password)
    return url, properties
