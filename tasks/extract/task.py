"""Prefect task: read the batch's sources with Spark (distributed; nothing is collected to the driver).

Each source is read once, and only what the batch touches: its movimentos (MongoDB, by its extract plan) and
the master rows they reference (PostgreSQL, through `extract_cartao`). Both working lists are deleted once the
sources are persisted."""

from __future__ import annotations

import time
from collections.abc import Callable

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from pyspark import StorageLevel

from tasks.domain.tables import POSTGRES_TABLES
from tasks.errors import SourceError, call_scrubbed
from tasks.extract.mongo import forget_plan, read_movimento
from tasks.extract.postgres import current_schema, forget_referenced_cartoes, read_referenced_rows
from tasks.handoff import Sources
from tasks.retry import TASK_RETRY_OPTIONS
from tasks.secrets import mongo_uri, postgres_dsn
from tasks.settings import get_settings
from tasks.spark_session import get_spark, job_group


@task(name="extract", cache_policy=NO_CACHE, **TASK_RETRY_OPTIONS)
def extract_sources(batch_id: str) -> Sources:
    """Persist each source once (executors keep it; the driver only sees counts), so later stages and the
    gate read a consistent snapshot even if the operational databases change meanwhile."""
    logger = get_run_logger()
    settings = get_settings()
    spark = get_spark(settings)
    job_group(spark, "extract")
    started = time.perf_counter()
    dsn, uri = postgres_dsn(settings), mongo_uri(settings)
    schema = current_schema(dsn)
    frames = {
        table.name: read_referenced_rows(spark, dsn, table.name, batch_id, schema)
        for table in POSTGRES_TABLES
    }
    frames["movimento"] = read_movimento(spark, uri, settings.mongo_database, batch_id)
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
    # The working lists are done with. Best effort: a retry of this task must never find them gone (it would
    # read no masters), so a failure to delete only leaves them to the next load of the batch or to upkeep.
    forgets: list[Callable[[], None]] = [
        lambda: forget_referenced_cartoes(dsn, batch_id),
        lambda: forget_plan(uri, settings.mongo_database, batch_id),
    ]
    for forget in forgets:
        try:
            forget()
        except SourceError as error:
            logger.warning("extract working list kept: %s", error)
    partitions = {name: frame.rdd.getNumPartitions() for name, frame in frames.items()}
    logger.info("extracted %s in %.2fs (partitions: %s)", rows, time.perf_counter() - started, partitions)
    return Sources(frames=frames, rows=rows, partitions=partitions)
