"""Prefect task: the upkeep of one Delta table (retried like the pipeline's tasks: storage can blink)."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from tasks.maintenance.delta_upkeep import Upkeep, upkeep
from tasks.retry import TASK_RETRY_OPTIONS
from tasks.spark_session import get_spark, job_group
from tasks.storage import Location


@task(name="delta_upkeep", cache_policy=NO_CACHE, task_run_name="upkeep {table.name}", **TASK_RETRY_OPTIONS)
def upkeep_table(table: Location, retention_hours: int) -> Upkeep:
    spark = get_spark()
    job_group(spark, "delta_upkeep")
    done = upkeep(spark, table, retention_hours)
    get_run_logger().info(
        "%s: OPTIMIZE compacted %d files into %d; VACUUM (retention %d h) deleted %d files; now v%d",
        table.uri,
        done.files_compacted,
        done.files_written,
        retention_hours,
        done.files_deleted,
        done.version,
    )
    return done
