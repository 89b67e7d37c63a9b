"""Services that blink: PostgreSQL or MongoDB stopped for ~10 s in the middle of a stage, then started again.
The stage's task retries (transient errors only, with backoff) and the run completes with the same outputs as a
run that saw no outage.

The outages are real: the test stops the real server process and starts it again 10 s later. Only their moment
is arranged, by wrapping the stage's own call so the stop happens as the stage begins.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any, TypedDict

import pytest
from deltalake import DeltaTable
from pyspark.sql import SparkSession

from tests.utils.batches import land_batch, run_pipeline

REPO = Path(__file__).resolve().parents[2]
SERVICES = REPO / "scripts" / "services"
OUTAGE_SECONDS = 10


class Reference(TypedDict):
    batch: Path
    rows: list[tuple[int, str]]
    csv: bytes


def outage(stop: Callable[[], object], start: Callable[[], object]) -> Callable[[], None]:
    """Stop the server now and start it again OUTAGE_SECONDS later (in the background); runs once."""
    fired = threading.Event()

    def blink() -> None:
        if fired.is_set():
            return
        fired.set()
        stop()
        timer = threading.Timer(OUTAGE_SECONDS, start)
        timer.daemon = True
        timer.start()

    return blink


def wrap_once(
    monkeypatch: pytest.MonkeyPatch, module: ModuleType, name: str, before: Callable[[], None]
) -> None:
    original = getattr(module, name)

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        before()
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapped)


def batch_rows(output: Path, batch_id: str) -> list[tuple[int, str]]:
    table = DeltaTable(str(output / "delta" / "movimento_flat")).to_pyarrow_table(
        columns=["id_movimento", "row_hash", "batch_id"]
    )
    return sorted((r["id_movimento"], r["row_hash"]) for r in table.to_pylist() if r["batch_id"] == batch_id)


@pytest.fixture(scope="module")
def reference(
    prefect_server: None,
    services: dict[str, str],
    spark: SparkSession,
    tmp_path_factory: pytest.TempPathFactory,
) -> Reference:
    """The batch's outputs from a run that saw no outage."""
    landing = tmp_path_factory.mktemp("blink-landing")
    batch = land_batch(landing, seed=140, associados=60, movimentos=600)
    output = tmp_path_factory.mktemp("blink-reference")
    state = run_pipeline(batch, output)
    assert state.is_completed(), state.message
    return {
        "batch": batch,
        "rows": batch_rows(output, batch.name),
        "csv": (output / "csv" / "movimento_flat" / f"{batch.name}.csv").read_bytes(),
    }


def assert_same_outputs(reference: Reference, output: Path) -> None:
    batch = reference["batch"]
    assert batch_rows(output, batch.name) == reference["rows"]
    assert (output / "csv" / "movimento_flat" / f"{batch.name}.csv").read_bytes() == reference["csv"]


def pg(action: str) -> Callable[[], object]:
    script = SERVICES / ("stop_postgres.sh" if action == "stop" else "start_postgres.sh")
    return lambda: subprocess.run(["bash", str(script)], check=True, capture_output=True, timeout=120)


def test_postgres_down_for_ten_seconds_during_load(
    reference: Reference, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import tasks.load.task as load_task

    wrap_once(monkeypatch, load_task, "load_postgres", outage(pg("stop"), pg("start")))
    started = time.perf_counter()
    state = run_pipeline(reference["batch"], tmp_path / "output")
    assert state.is_completed(), state.message
    assert time.perf_counter() - started > OUTAGE_SECONDS  # it did wait the outage out
    assert_same_outputs(reference, tmp_path / "output")


def test_postgres_down_for_ten_seconds_during_extract(
    reference: Reference, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import tasks.extract.task as extract_task

    wrap_once(monkeypatch, extract_task, "read_referenced_rows", outage(pg("stop"), pg("start")))
    started = time.perf_counter()
    state = run_pipeline(reference["batch"], tmp_path / "output")
    assert state.is_completed(), state.message
    assert time.perf_counter() - started > OUTAGE_SECONDS
    assert_same_outputs(reference, tmp_path / "output")


@pytest.fixture
def file_backed_mongo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, Callable[[], None]]]:
    """A MongoDB-wire server of its own, on its H2 file store (the data survives its restart), for this test."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = os.environ | {
        "MONGO_JAVA_SERVER_PORT": str(port),
        "MONGO_JAVA_SERVER_STORE": "file",
        "MONGO_JAVA_SERVER_DATA_DIR": str(tmp_path / "mongo-data"),
        "MONGO_JAVA_SERVER_PID_FILE": str(tmp_path / "mongo.pid"),
        "MONGO_JAVA_SERVER_LOG_FILE": str(tmp_path / "mongo.log"),
    }

    def start() -> None:
        subprocess.run(
            ["bash", str(SERVICES / "start_mongo_java_server.sh")],
            env=env,
            check=True,
            capture_output=True,
            timeout=120,
        )

    def stop() -> None:
        subprocess.run(
            ["bash", str(SERVICES / "stop_mongo_java_server.sh")],
            env=env,
            check=True,
            capture_output=True,
            timeout=120,
        )

    start()
    monkeypatch.setenv("SICOOP_MONGO_URI", f"mongodb://127.0.0.1:{port}/")
    from tasks.settings import get_settings

    get_settings.cache_clear()
    yield {"start": start, "stop": stop}
    stop()
    get_settings.cache_clear()


def test_mongodb_down_for_ten_seconds_during_extract(
    reference: Reference,
    file_backed_mongo: dict[str, Callable[[], None]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    import tasks.extract.task as extract_task

    wrap_once(
        monkeypatch,
        extract_task,
        "read_movimento",
        outage(file_backed_mongo["stop"], file_backed_mongo["start"]),
    )
    state = run_pipeline(reference["batch"], tmp_path / "output")
    assert state.is_completed(), state.message
    assert_same_outputs(reference, tmp_path / "output")
