"""One writer at a time, end to end: a real Prefect server, the global concurrency limits applied by the module
`make pools` runs, the process deployment, and a worker whose pool sets no limit of its own. Two runs against
one output, started together, both run at once, yet write one after the other (the writing spans of their task
runs and their ledger rows do not overlap), and both complete. A deployed run's check for the limit fails
loudly when the limit it names does not exist."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from deltalake import DeltaTable
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from prefect.client.schemas.objects import FlowRun
from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, temporary_settings

from tasks.ops.writer import WriterLimitMissing, require_limit
from tasks.settings import Settings
from tests.utils.batches import land_batch
from tests.utils.prefect_stack import REPO, PrefectServer, apply_concurrency_limits, prefect_server, worker

DEPLOYMENT = "pipeline-process"
MOVIMENTOS = 300
RUN_TIMEOUT = 900


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, services: dict[str, str]) -> Iterator[PrefectServer]:
    with prefect_server(tmp_path_factory.mktemp("prefect-writer")) as server:
        server.cli("work-pool", "create", "sicooperative-process", "--type", "process")  # no pool limit
        limit = Settings.model_fields["writer_limit"].default
        assert f"global concurrency limit {limit}: created" in apply_concurrency_limits(server)
        assert f"global concurrency limit {limit}: unchanged" in apply_concurrency_limits(server)
        out = server.cli("deploy", "--name", DEPLOYMENT, env=server.env(SICOOP_PROJECT_DIR=str(REPO)))
        assert f"sicooperative-pipeline/{DEPLOYMENT}" in out
        yield server


def test_a_deployed_run_refuses_a_limit_the_server_lacks(stack: PrefectServer) -> None:
    with temporary_settings(
        updates={PREFECT_API_URL: stack.api_url, PREFECT_API_AUTH_STRING: stack.auth_string}
    ):
        require_limit(Settings.model_fields["writer_limit"].default)
        with pytest.raises(WriterLimitMissing, match=r"sicooperative-writer-elsewhere.*make pools"):
            require_limit("sicooperative-writer-elsewhere")


def writing_span(server: PrefectServer, run: FlowRun) -> tuple[datetime, datetime]:
    """From the start of the run's first task (load) to the end of its last (ledger)."""
    with server.client() as client:
        tasks = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run.id])))
    names = {task.name.rsplit("-", 1)[0] for task in tasks}
    assert {"load", "export", "publish", "ledger"} <= names, names
    starts = [task.start_time for task in tasks if task.start_time]
    ends = [task.end_time for task in tasks if task.end_time]
    return min(starts), max(ends)


def test_two_runs_against_one_output_write_one_at_a_time(
    stack: PrefectServer, services: dict[str, str], tmp_path: Path
) -> None:
    landing, output = tmp_path / "landing", tmp_path / "output"
    batches = [land_batch(landing, seed=seed, associados=40, movimentos=MOVIMENTOS) for seed in (201, 202)]
    env = stack.env(
        SICOOP_POSTGRES_DSN=services["dsn"],
        SICOOP_MONGO_URI=services["uri"],
        SICOOP_MONGO_DATABASE=services["database"],
        SICOOP_LANDING_DIR=str(landing),
        SICOOP_OUTPUT_DIR=str(output),
    )
    with stack.client() as client:
        deployment = client.read_deployment_by_name(f"sicooperative-pipeline/{DEPLOYMENT}")
        for batch in batches:
            client.create_flow_run_from_deployment(deployment.id, parameters={"batch": str(batch)})
    with worker("sicooperative-process", env, tmp_path / "worker.log"):
        runs = [stack.wait_for_completed_run(DEPLOYMENT, str(batch), RUN_TIMEOUT) for batch in batches]

    first, second = sorted(runs, key=lambda run: writing_span(stack, run))
    assert first.start_time and first.end_time and second.start_time
    assert second.start_time < first.end_time, "the two runs were never running at the same time"
    first_span, second_span = writing_span(stack, first), writing_span(stack, second)
    print(
        f"\n[writer] first writes {first_span[0]:%T}-{first_span[1]:%T}, second {second_span[0]:%T}-{second_span[1]:%T}"
    )
    assert first_span[1] <= second_span[0], "the two runs wrote at the same time"

    ledger = sorted(
        DeltaTable(str(output / "ops" / "pipeline_runs")).to_pyarrow_table().to_pylist(),
        key=lambda row: row["started_at"],
    )
    assert [row["status"] for row in ledger] == ["COMPLETED", "COMPLETED"]
    assert {row["batch_id"] for row in ledger} == {batch.name for batch in batches}
    assert ledger[0]["finished_at"] <= ledger[1]["started_at"]
    table = DeltaTable(str(output / "delta" / "movimento_flat")).to_pyarrow_table(columns=["batch_id"])
    assert table.num_rows == 2 * MOVIMENTOS
