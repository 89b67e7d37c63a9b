"""End to end, by file arrival: a real self-hosted Prefect server, the deployments registered by `prefect deploy`
from prefect.yaml, a process worker and the landing watchers, each its own process. A batch landing (in a
folder or an S3 bucket) leads, with no other action, to one completed pipeline run whose outputs hold it."""

from __future__ import annotations

import hashlib
import shutil
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from deltalake import DeltaTable
from pyspark.sql import SparkSession

from flows.watch.event import event_id
from tasks.landing.manifest import MANIFEST_NAME
from tasks.landing.writer import upload_batch
from tasks.ops.trigger import triggering_event_id
from tasks.storage import Location, resolve
from tests.utils.batches import land_batch
from tests.utils.prefect_stack import (
    PrefectServer,
    apply_concurrency_limits,
    prefect_server,
    report_delay,
    watcher,
    worker,
)

DEPLOYMENT = "pipeline-process"
MOVIMENTOS = 1_000
RUN_TIMEOUT = 900
QUIET_SECONDS = 8  # several scans of the watcher and polls of the worker


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, services: dict[str, str]) -> Iterator[PrefectServer]:
    """Server, process pool (one run at a time) and the deployments, as README "Deploy" does it."""
    with prefect_server(tmp_path_factory.mktemp("prefect")) as server:
        server.cli("work-pool", "create", "sicooperative-process", "--type", "process")
        server.cli("work-pool", "set-concurrency-limit", "sicooperative-process", "1")
        apply_concurrency_limits(server)
        deploy_env = server.env(SICOOP_PROJECT_DIR=str(Path.cwd()))
        out = server.cli("deploy", "--name", DEPLOYMENT, env=deploy_env)
        assert "sicooperative-pipeline/pipeline-process" in out
        yield server


def run_env(server: PrefectServer, services: dict[str, str], landing: str, output: str) -> dict[str, str]:
    """What a worker's machine provides: the service credentials (here the test databases), the landing its
    runs may read batches from, and the output (runs take neither as a parameter)."""
    return server.env(
        SICOOP_POSTGRES_DSN=services["dsn"],
        SICOOP_MONGO_URI=services["uri"],
        SICOOP_MONGO_DATABASE=services["database"],
        SICOOP_LANDING_DIR=landing,
        SICOOP_OUTPUT_DIR=output,
    )


def test_batches_landing_in_a_folder_start_one_run_each(
    stack: PrefectServer, services: dict[str, str], tmp_path: Path
) -> None:
    landing, output, staging = tmp_path / "landing", tmp_path / "output", tmp_path / "staging"
    first = land_batch(staging, seed=61, associados=100, movimentos=MOVIMENTOS)
    second = land_batch(staging, seed=62, associados=100, movimentos=MOVIMENTOS)
    env = run_env(stack, services, str(landing), str(output))
    with (
        worker("sicooperative-process", env, tmp_path / "worker.log"),
        watcher(stack, str(landing), "local", tmp_path),
    ):
        # Half-written: every data file, no manifest yet. Nothing may start.
        shutil.copytree(first, landing / first.name, ignore=shutil.ignore_patterns(MANIFEST_NAME))
        time.sleep(QUIET_SECONDS)
        assert stack.runs_for_batch(DEPLOYMENT, str(landing / first.name)) == []

        shutil.copy(first / MANIFEST_NAME, landing / first.name / MANIFEST_NAME)
        arrived = datetime.now(UTC).timestamp()
        shutil.copytree(second, landing / second.name)
        run = stack.wait_for_completed_run(DEPLOYMENT, str(landing / first.name), RUN_TIMEOUT)
        report_delay("folder", arrived, run)
        # The run can name the event that started it (the run ledger's trigger event id): the watcher's.
        manifest_sha256 = hashlib.sha256((landing / first.name / MANIFEST_NAME).read_bytes()).hexdigest()
        with stack.client() as client:
            found = triggering_event_id(client, run.id)
        watcher_event = str(event_id("local", str(landing / first.name), manifest_sha256))
        assert found == watcher_event
        stack.wait_for_completed_run(DEPLOYMENT, str(landing / second.name), RUN_TIMEOUT)

    ledger = DeltaTable(str(output / "ops" / "pipeline_runs")).to_pyarrow_table().to_pylist()
    recorded = {row["flow_run_id"]: row["trigger_event_id"] for row in ledger}
    assert recorded[str(run.id)] == watcher_event  # the ledger row names the event that started the run

    table = DeltaTable(str(output / "delta" / "movimento_flat")).to_pyarrow_table(columns=["batch_id"])
    assert table.num_rows == 2 * MOVIMENTOS
    assert set(table.column("batch_id").to_pylist()) == {first.name, second.name}
    for batch in (first, second):  # one CSV per batch
        csv_lines = (
            (output / "csv" / "movimento_flat" / f"{batch.name}.csv").read_text(encoding="utf-8").splitlines()
        )
        assert len(csv_lines) == MOVIMENTOS + 1


def test_a_batch_landing_in_s3_starts_one_run(
    stack: PrefectServer, services: dict[str, str], s3_prefix: Location, tmp_path: Path, spark: SparkSession
) -> None:
    landing, output = s3_prefix.join("landing"), s3_prefix.join("output")
    batch = land_batch(tmp_path / "staging", seed=63, associados=100, movimentos=MOVIMENTOS)
    uri = landing.join(batch.name).uri
    env = run_env(stack, services, landing.uri, output.uri)
    with (
        worker("sicooperative-process", env, tmp_path / "worker.log"),
        watcher(stack, landing.uri, "local-s3", tmp_path),
    ):
        # Half-written: the data objects without the manifest.
        manifest = (batch / MANIFEST_NAME).read_bytes()
        (batch / MANIFEST_NAME).unlink()
        upload_batch(batch, landing)
        time.sleep(QUIET_SECONDS)
        assert stack.runs_for_batch(DEPLOYMENT, uri) == []

        (batch / MANIFEST_NAME).write_bytes(manifest)
        upload_batch(batch, landing)
        arrived = datetime.now(UTC).timestamp()
        run = stack.wait_for_completed_run(DEPLOYMENT, uri, RUN_TIMEOUT)
        report_delay("s3", arrived, run)

    csv = output.join("csv", "movimento_flat", f"{batch.name}.csv").read_bytes().decode("utf-8").splitlines()
    assert len(csv) == MOVIMENTOS + 1
    delta = spark.read.format("delta").load(resolve(output.join("delta", "movimento_flat").uri).spark_path)
    assert delta.count() == MOVIMENTOS
    assert {row["batch_id"] for row in delta.select("batch_id").distinct().collect()} == {batch.name}
    runs = spark.read.format("delta").load(output.join("ops", "pipeline_runs").spark_path).collect()
    assert [(row["batch_id"], row["status"]) for row in runs] == [(batch.name, "COMPLETED")]
    assert output.join("ops", "in_flight").list_files() == []  # the run's marker: deleted after its row
