"""Prefect task: read the batch's sources with Spark (distributed; nothing is collected to the driver)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from pyspark import StorageLevel
from pyspark.sql import DataFrame

from tasks.domain.tables import POSTGRES_TABLES
from tasks.errors import call_scrubbed
from tasks.extract.mongo import read_movimento
from tasks.extract.postgres import read_postgres_table
from tasks.retry import TASK_RETRY_OPTIONS
from tasks.secrets import mongo_uri, postgres_dsn
from tasks.settings import get_settings
from tasks.spark_session import get_spark


@dataclass(frozen=True)
class Sources:
    frames: dict[str, DataFrame]
    rows: dict[str, int]

    def release(self) -> None:
        for frame in self.frames.values():
            frame.unpersist()


@task(name="extract", cache_policy=NO_CACHE, **TASK_RETRY_OPTIONS)
def extract_sources(batch_id: str) -> Sources:
    """Persist each source once (executors keep it; the driver only sees counts), so later stages and the
    gate read a consistent snapshot even if the operational databases change meanwhile."""
    logger = get_run_logger()
    settings = get_settings()
    spark = get_spark(settings)
    started = time.perf_counter()
    dsn = postgres_dsn(settings)
    frames = {
        table.name: read_postgres_table(spark, dsn, table.name, settings.jdbc_partitions)
        for table in POSTGRES_TABLES
    }
    frames["movimento"] = read_movimento(
        spark, mongo_uri(settings), settings.mongo_database, batch_id, settings.mongo_partitions
    )
    rows = {}
    for name, frame in frames.items():
        frames[name] = frame.persist(StorageLevel.MEMORY_AND_DISK)
        # The action that reads the sources: JDBC and connector errors quote values, so they leave scrubbed.
        rows[name] = call_scrubbed(
            frames[name].count,
            stage="extract",
            source="mongodb" if name == "movimento" else "postgres",
            table=name,
        )
    logger.info(
        "extracted %s in %.2fs (partitions: %s)",
        rows,
        time.perf_counter() - started,
        {name: frame.rdd.getNumPartitions() for name, frame in frames.items()},
    )
    return Sources(frames=frames, rows=rows)
