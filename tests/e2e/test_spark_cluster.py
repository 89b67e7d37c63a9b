"""The same flow on a Spark standalone cluster (a master and two workers started with pyspark's own daemon script,
executors in their own JVMs) gives exactly the outputs of a `local[2]` run of the same batch."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds
import pytest
from deltalake import DeltaTable
from pyspark.sql import SparkSession

from tests.utils.batches import land_batch, run_pipeline
from tests.utils.prefect_stack import prefect_env

REPO = Path(__file__).resolve().parents[2]
MOVIMENTOS = 1_000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    state = tmp_path_factory.mktemp("spark-cluster")
    env = os.environ | {"SPARK_CLUSTER_DIR": str(state), "SPARK_MASTER_PORT": str(free_port())}
    started = subprocess.run(
        ["bash", str(REPO / "scripts" / "spark" / "start_cluster.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert started.returncode == 0, started.stderr
    yield {"master": f"spark://127.0.0.1:{env['SPARK_MASTER_PORT']}", "state": str(state)}
    subprocess.run(
        ["bash", str(REPO / "scripts" / "spark" / "stop_cluster.sh")],
        env=env,
        capture_output=True,
        timeout=120,
    )


def all_rows(output: Path) -> dict[str, Any]:
    delta = DeltaTable(str(output / "delta" / "movimento_flat")).to_pyarrow_table().sort_by("id_movimento")
    parquet = ds.dataset(output / "parquet" / "movimento_flat", format="parquet", partitioning="hive")
    csv = {path.name: path.read_bytes() for path in (output / "csv" / "movimento_flat").iterdir()}
    return {
        "delta": delta.to_pylist(),
        "parquet": parquet.to_table().sort_by("id_movimento").to_pylist(),
        "csv": csv,
    }


def test_a_cluster_run_gives_the_outputs_of_a_local_run(
    cluster: dict[str, str],
    prefect_server: None,
    services: dict[str, str],
    spark: SparkSession,
    tmp_path: Path,
) -> None:
    batch = land_batch(tmp_path / "landing", seed=150, associados=80, movimentos=MOVIMENTOS)
    local = tmp_path / "local-output"
    state = run_pipeline(batch, local)
    assert state.is_completed(), state.message

    on_cluster = tmp_path / "cluster-output"
    env = prefect_env() | {
        "SICOOP_LANDING_DIR": str(batch.parent),
        "SICOOP_OUTPUT_DIR": str(on_cluster),
        "SICOOP_SPARK_MASTER": cluster["master"],
        "SICOOP_SPARK_DRIVER_MEMORY": "2g",
    }
    done = subprocess.run(
        [sys.executable, "-m", "flows.main", "--batch", batch.name],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]

    # The executors ran in the workers' own JVMs: each worker made a work folder for the application.
    executors = list(Path(cluster["state"], "work").glob("app-*/*/stderr"))
    assert len(executors) >= 2, executors
    local_rows, cluster_rows = all_rows(local), all_rows(on_cluster)
    assert len(cluster_rows["delta"]) == MOVIMENTOS
    assert cluster_rows["delta"] == local_rows["delta"]
    assert cluster_rows["parquet"] == local_rows["parquet"]
    assert cluster_rows["csv"] == local_rows["csv"]  # byte for byte
