"""The upkeep's own deployment, registered from prefect.yaml: daily schedule on the server, and a run of it on a
process worker compacts the worker's output."""

from __future__ import annotations

import re
import time
from pathlib import Path
from uuid import UUID

from deltalake import DeltaTable
from prefect.client.schemas.schedules import CronSchedule

from tests.utils.prefect_stack import apply_concurrency_limits, prefect_server, worker

DEPLOYMENT = "maintenance-process"
FLOW = "sicooperative-maintenance"


def write_small_files(table: Path, appends: int) -> None:
    """A ledger-like table of `appends` one-row commits (delta-rs writer: no Spark in the test process)."""
    import pyarrow as pa
    from deltalake import write_deltalake

    for day in range(appends):
        write_deltalake(str(table), pa.table({"batch_id": [f"b{day}"], "rows": [day]}), mode="append")


def test_the_upkeep_deployment_is_scheduled_and_runs_on_a_worker(tmp_path: Path) -> None:
    output = tmp_path / "output"
    runs_table = output / "ops" / "pipeline_runs"
    write_small_files(runs_table, 4)
    with prefect_server(tmp_path / "prefect") as server:
        server.cli("work-pool", "create", "sicooperative-process", "--type", "process")
        apply_concurrency_limits(
            server
        )  # as `make pools`: the upkeep holds the writer slot like the pipeline
        out = server.cli("deploy", "--name", DEPLOYMENT, env=server.env(SICOOP_PROJECT_DIR=str(Path.cwd())))
        assert f"{FLOW}/{DEPLOYMENT}" in out
        with server.client() as client:
            deployment = client.read_deployment_by_name(f"{FLOW}/{DEPLOYMENT}")
            [schedule] = deployment.schedules
            assert isinstance(schedule.schedule, CronSchedule) and schedule.active
            assert (schedule.schedule.cron, schedule.schedule.timezone) == ("30 3 * * *", "America/Sao_Paulo")
            assert deployment.parameters == {"retention_hours": 168}

        started = server.cli("deployment", "run", f"{FLOW}/{DEPLOYMENT}")
        run_id = UUID(re.search(r"UUID: *([0-9a-f-]{36})", started).group(1))  # type: ignore[union-attr]
        with worker(
            "sicooperative-process", server.env(SICOOP_OUTPUT_DIR=str(output)), tmp_path / "worker.log"
        ):
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                with server.client() as client:
                    run = client.read_flow_run(run_id)
                if run.state and run.state.is_final():
                    break
                time.sleep(2)
        assert run.state and run.state.is_completed(), (tmp_path / "worker.log").read_text()[-3000:]

    table = DeltaTable(str(runs_table))
    assert table.to_pyarrow_table().num_rows == 4
    assert len(table.file_uris()) == 1  # four one-row files compacted into one
    assert table.history(1)[0]["operation"] in {"VACUUM END", "OPTIMIZE"}
