"""Prefect task: mask the sources and join them into `movimento_flat`."""

from __future__ import annotations

import time
from dataclasses import dataclass

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from pyspark import StorageLevel
from pyspark.sql import DataFrame

from tasks.extract.task import Sources
from tasks.retry import TASK_RETRY_OPTIONS
from tasks.transform.flatten import INTEGRITY_OK, flatten, integrity_counts
from tasks.transform.masking import mask_sources


@dataclass(frozen=True)
class FlatTable:
    frame: DataFrame  # includes the internal integrity column; persisted
    rows: int
    integrity: dict[str, int]

    @property
    def orphans(self) -> int:
        return sum(count for reason, count in self.integrity.items() if reason != INTEGRITY_OK)


@task(name="mask_and_join", cache_policy=NO_CACHE, **TASK_RETRY_OPTIONS)
def build_movimento_flat(sources: Sources) -> FlatTable:
    logger = get_run_logger()
    started = time.perf_counter()
    masked = mask_sources(sources.frames)
    frame = flatten(masked["movimento"], masked["cartao"], masked["conta"], masked["associado"])
    frame = frame.persist(StorageLevel.MEMORY_AND_DISK)
    integrity = integrity_counts(frame)  # one aggregate over the persisted frame
    rows = sum(integrity.values())
    flat = FlatTable(frame=frame, rows=rows, integrity=integrity)
    log = logger.warning if flat.orphans else logger.info
    log(
        "movimento_flat: %s rows, integrity %s, in %.2fs",
        f"{rows:,}",
        integrity,
        time.perf_counter() - started,
    )
    return flat
