"""Prefect task: mask the sources and join them into `movimento_flat`, computed once and persisted.

The join, the masks and the row hash are this stage's work, done here in one pass (its count materialises the
frame); the quality gate then only adds its verdict columns to the persisted rows, so each stage's time is
its own.
"""

from __future__ import annotations

import time

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from pyspark import StorageLevel

from tasks.handoff import FlatTable, Sources
from tasks.retry import TASK_RETRY_OPTIONS
from tasks.spark_session import get_spark, job_group
from tasks.transform.flatten import flatten
from tasks.transform.masking import mask_sources


@task(name="mask_and_join", cache_policy=NO_CACHE, **TASK_RETRY_OPTIONS)
def build_movimento_flat(sources: Sources) -> FlatTable:
    job_group(get_spark(), "mask_and_join")
    started = time.perf_counter()
    masked = mask_sources(sources.frames)
    frame = flatten(masked["movimento"], masked["cartao"], masked["conta"], masked["associado"])
    frame = frame.persist(StorageLevel.MEMORY_AND_DISK)
    rows = frame.count()
    get_run_logger().info(
        "movimento_flat: %s rows, %d columns, in %.2fs",
        f"{rows:,}",
        len(frame.columns),
        time.perf_counter() - started,
    )
    return FlatTable(frame=frame, rows=rows)
