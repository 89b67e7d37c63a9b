"""Prefect task: mask the sources and join them into `movimento_flat`.

The result is a plan, not data: the quality gate computes it once, in the same pass that judges every row, and
keeps that one persisted frame for the export (no separate scan here).
"""

from __future__ import annotations

from dataclasses import dataclass

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from pyspark.sql import DataFrame

from tasks.extract.task import Sources
from tasks.retry import TASK_RETRY_OPTIONS
from tasks.transform.flatten import flatten
from tasks.transform.masking import mask_sources


@dataclass(frozen=True)
class FlatTable:
    frame: DataFrame  # movimento_flat plus the internal columns the gate checks; not yet computed


@task(name="mask_and_join", cache_policy=NO_CACHE, **TASK_RETRY_OPTIONS)
def build_movimento_flat(sources: Sources) -> FlatTable:
    masked = mask_sources(sources.frames)
    frame = flatten(masked["movimento"], masked["cartao"], masked["conta"], masked["associado"])
    get_run_logger().info("movimento_flat planned: %d columns", len(frame.columns))
    return FlatTable(frame=frame)
