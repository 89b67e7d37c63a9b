"""End to end, containerized: the image built by `make image` (podman, from the locally made Debian base) runs
the pipeline against the host's services with the same outputs as a local run, and a Prefect Docker worker
(prefect-docker, talking to podman's Docker API) runs a file-arrival-triggered deployment inside it.

Needs `make image docker-api` (CI's `.ci/run` does both). Elsewhere, without a Docker API, these tests skip;
under CI=true they fail instead, so the container path can never silently go untested there."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from deltalake import DeltaTable

from tests.utils.batches import land_batch
from tests.utils.prefect_stack import (
    REPO,
    PrefectServer,
    apply_concurrency_limits,
    prefect_server,
    report_delay,
    watcher,
    worker,
)

IMAGE = "localhost/sicooperative-pipeline:latest"
BASE_IMAGE = "localhost/sicooperative-base:bookworm"
DOCKER_HOST = os.environ.get("DOCKER_HOST", "unix:///run/podman/podman.sock")
MOVIMENTOS = 1_000
RUN_TIMEOUT = 900
DASHBOARD_TOTALS = (
    "from dashboard import queries, sources; "
    "source = sources.movimento_source(sources.output_location()); "
    "totals = queries.totals(queries.movement_cube(sources.open_dataset(source)), queries.Filters()); "
    "print(totals.movimentos, totals.valor)"
)


@pytest.fixture(scope="module")
def docker() -> Iterator[Any]:
    import docker as docker_sdk

    try:
        client = docker_sdk.DockerClient(base_url=DOCKER_HOST, timeout=600)
        client.ping()
        client.images.get(IMAGE)
    except Exception as error:  # no API, or no image: set up by `make image docker-api`
        if os.environ.get("CI"):
            raise AssertionError(f"CI must run the container tests: {error}") from error
        pytest.skip(f"no Docker API with {IMAGE} at {DOCKER_HOST} ({error}); run `make image docker-api`")
    yield client
    client.close()


def shared_folder(path: Path) -> Path:
    """A host folder the container's non-root user (uid 10001) may write, as a mounted volume must be."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o777)
    return path


def service_env(services: dict[str, str]) -> dict[str, str]:
    return {
        "SICOOP_POSTGRES_DSN": services["dsn"],
        "SICOOP_MONGO_URI": services["uri"],
        "SICOOP_MONGO_DATABASE": services["database"],
    }


def test_the_image_runs_the_pipeline_like_a_local_run(
    docker: Any, services: dict[str, str], tmp_path: Path
) -> None:
    landing = shared_folder(tmp_path / "landing")
    batch = land_batch(landing, seed=71, associados=100, movimentos=MOVIMENTOS)
    for path in [batch, *batch.iterdir()]:
        path.chmod(0o777 if path.is_dir() else 0o666)
    local_out, container_out = tmp_path / "local", shared_folder(tmp_path / "container")

    command = [sys.executable, "-m", "flows.main", "--batch", str(batch), "--landing", str(landing)]
    local = subprocess.run(
        [*command, "--output", str(local_out)],
        cwd=REPO,
        env={k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")} | service_env(services),
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    assert local.returncode == 0, local.stdout[-3000:] + local.stderr[-3000:]

    container = docker.containers.run(
        IMAGE,
        ["python", "-m", "flows.main", "--batch", f"/data/landing/{batch.name}", "--output", "/data/output"],
        environment=service_env(services),
        network_mode="host",
        volumes={str(landing): {"bind": "/data/landing"}, str(container_out): {"bind": "/data/output"}},
        detach=True,
    )
    try:
        logs = b"".join(container.logs(stream=True, follow=True)).decode("utf-8", errors="replace")
        status = container.wait(timeout=60)
    finally:
        container.remove(force=True)
    assert status["StatusCode"] == 0, logs[-4000:]

    for relative in (f"csv/movimento_flat/{batch.name}.csv",):
        assert (container_out / relative).read_bytes() == (local_out / relative).read_bytes(), relative
    columns = ["id_movimento", "row_hash", "batch_id"]
    in_container = DeltaTable(str(container_out / "delta" / "movimento_flat")).to_pyarrow_table(
        columns=columns
    )
    in_local = DeltaTable(str(local_out / "delta" / "movimento_flat")).to_pyarrow_table(columns=columns)
    assert in_container.num_rows == MOVIMENTOS
    assert in_container.sort_by("id_movimento").equals(in_local.sort_by("id_movimento"))

    # The image's dashboard reads that output as `python -m dashboard` would: the same figures as the Delta table.
    shown = docker.containers.run(
        IMAGE,
        ["python", "-c", DASHBOARD_TOTALS],
        volumes={str(container_out): {"bind": "/data/output", "mode": "ro"}},
        network_mode="none",  # it needs no network at all
        remove=True,
    )
    amounts = DeltaTable(str(container_out / "delta" / "movimento_flat")).to_pyarrow_table(
        columns=["vlr_transacao_movimento"]
    )
    total = sum(amounts.column(0).to_pylist(), Decimal(0))
    assert shown.decode().split() == [str(MOVIMENTOS), str(total)]


def save_secret(server: PrefectServer, name: str, value: str) -> None:
    """A Prefect Secret block on the server, as an operator would create it (the value never on a command
    line)."""
    code = "import os; from prefect.blocks.system import Secret; Secret(value=os.environ['SECRET_VALUE']).save(os.environ['SECRET_NAME'], overwrite=True)"
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=server.env(SECRET_VALUE=value, SECRET_NAME=name),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]


def test_a_docker_worker_runs_the_triggered_deployment_in_the_image(
    docker: Any, services: dict[str, str], tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    landing, output = shared_folder(tmp_path / "landing"), shared_folder(tmp_path / "output")
    batch = land_batch(tmp_path / "staging", seed=72, associados=100, movimentos=MOVIMENTOS)
    with prefect_server(tmp_path_factory.mktemp("prefect-docker")) as server:
        save_secret(server, "sicoop-postgres-dsn", services["dsn"])
        save_secret(server, "sicoop-mongo-uri", services["uri"])
        server.cli("work-pool", "create", "sicooperative-docker", "--type", "docker")
        apply_concurrency_limits(server)
        deploy_env = server.env(
            DOCKER_HOST=DOCKER_HOST,
            SICOOP_BASE_IMAGE=BASE_IMAGE,
            SICOOP_LANDING_VOLUME=str(landing),
            SICOOP_OUTPUT_VOLUME=str(output),
        )
        out = server.cli("deploy", "--name", "pipeline-docker", env=deploy_env, timeout=1200)
        assert "sicooperative-pipeline/pipeline-docker" in out

        # Runs get their credentials from the Secret blocks the deployment names, not from the worker.
        worker_env = server.env(DOCKER_HOST=DOCKER_HOST)
        with (
            worker("sicooperative-docker", worker_env, tmp_path / "worker.log"),
            watcher(server, str(landing), "volume", tmp_path),
        ):
            (landing / batch.name).mkdir(mode=0o777)
            for path in sorted(batch.iterdir(), key=lambda p: p.name.startswith("_")):  # manifest last
                (landing / batch.name / path.name).write_bytes(path.read_bytes())
            arrived = datetime.now(UTC).timestamp()
            run = server.wait_for_completed_run("pipeline-docker", batch.name, RUN_TIMEOUT)
            report_delay("docker", arrived, run)

    assert run.parameters == {"batch": batch.name}
    table = DeltaTable(str(output / "delta" / "movimento_flat")).to_pyarrow_table(columns=["batch_id"])
    assert table.num_rows == MOVIMENTOS
    assert set(table.column("batch_id").to_pylist()) == {batch.name}
