"""Prefect task: append the run to the ledger (`tasks/ops/ledger.py`) at the end of every run, failed or not."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from tasks.errors import failure_reason
from tasks.ops.ledger import RunRecord, write_record
from tasks.retry import TASK_RETRY_OPTIONS
from tasks.settings import get_settings
from tasks.spark_session import get_spark, job_group
from tasks.storage import resolve


@task(name="ledger", cache_policy=NO_CACHE, **TASK_RETRY_OPTIONS)
def write_ledger(record: RunRecord) -> None:
    settings = get_settings()
    spark = get_spark(settings)
    job_group(spark, "ledger")
    output = resolve(settings.output_dir)
    write_record(spark, output, record)
    get_run_logger().info(
        "ledger: run %s %s (batch %s) recorded under %s",
        record.flow_run_name,
        record.status,
        record.batch_id,
        output.join("ops").uri,
    )


def record_run(record: RunRecord) -> None:
    """Never changes how the run ends: a ledger that cannot be written is a warning, not the run's failure."""
    try:
        write_ledger(record)
    except Exception as error:  # the run's own outcome (success or its real error) must stand
        get_run_logger().warning("the run ledger could not be written: %s", failure_reason(error))
