"""The Delta upkeep flow: OPTIMIZE and VACUUM every Delta table the pipeline writes under its output.

Deployed on a daily schedule (prefect.yaml: `maintenance-process`, `maintenance-docker`); also
`python -m flows.maintenance [--output X] [--retention-hours N]`. The output is the process's configuration
(SICOOP_OUTPUT_DIR), like the pipeline's, never a parameter.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Annotated

from prefect import flow, get_run_logger, runtime
from prefect.artifacts import create_table_artifact
from pydantic import Field

from tasks.maintenance.delta_upkeep import SAFE_RETENTION_HOURS, Upkeep, pipeline_tables
from tasks.maintenance.task import upkeep_table
from tasks.ops.writer import writer_slot
from tasks.settings import get_settings
from tasks.storage import resolve

RetentionHours = Annotated[
    int,
    Field(
        ge=0,
        le=24 * 365,
        description="Hours of history VACUUM keeps (time travel and RESTORE reach that far back). Below 168 "
        "(Delta's safe minimum) a long-running reader or writer can lose files: only on purpose.",
    ),
]


@flow(name="sicooperative-maintenance", log_prints=True)
def sicooperative_maintenance(retention_hours: RetentionHours = SAFE_RETENTION_HOURS) -> list[Upkeep]:
    """OPTIMIZE then VACUUM each Delta table of the output: movimento_flat, its quarantine and the run ledger.

    Args:
        retention_hours: Hours of history VACUUM keeps (time travel and RESTORE reach that far back). Below 168
            (Delta's safe minimum) a long-running reader or writer can lose files: only on purpose.
    """
    logger = get_run_logger()
    settings = get_settings()
    output = resolve(settings.output_dir)
    if retention_hours < SAFE_RETENTION_HOURS:
        logger.warning(
            "VACUUM retention %d h is under Delta's safe %d h: versions older than that can no longer be "
            "read or restored",
            retention_hours,
            SAFE_RETENTION_HOURS,
        )
    # OPTIMIZE rewrites the files a pipeline run's MERGE may be reading: never both at once on one output.
    with writer_slot(settings.writer_limit, runtime.flow_run.id or None, bool(runtime.deployment.id)):
        done = [upkeep_table(table, retention_hours) for table in pipeline_tables(output)]
    create_table_artifact(
        key="sicooperative-delta-upkeep",
        table=[
            {
                "table": item.table,
                "version": item.version,
                "files compacted": item.files_compacted,
                "files written": item.files_written,
                "files deleted": item.files_deleted,
            }
            for item in done
        ],
        description=f"OPTIMIZE and VACUUM (retention {retention_hours} h) of every Delta table",
    )
    return done


def main(argv: Sequence[str] | None = None) -> int:
    from flows.main import configure_locations

    parser = argparse.ArgumentParser(
        prog="python -m flows.maintenance", description=sicooperative_maintenance.description
    )
    parser.add_argument("--output", help="output folder or s3://bucket/prefix (sets SICOOP_OUTPUT_DIR)")
    parser.add_argument("--retention-hours", type=int, default=SAFE_RETENTION_HOURS)
    args = parser.parse_args(argv)
    configure_locations(None, args.output)
    state = sicooperative_maintenance(retention_hours=args.retention_hours, return_state=True)
    return 0 if state.is_completed() else 1


if __name__ == "__main__":
    sys.exit(main())
