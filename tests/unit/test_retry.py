from pathlib import Path
from typing import Any

import psycopg2
import pymongo.errors
import pytest
from prefect import task
from prefect.states import Failed

from tasks.errors import SourceError, SourceUnavailable
from tasks.gate.checkpoint import GateFailed, GateReport
from tasks.landing.verification import BatchRejected
from tasks.retry import TASK_RETRY_OPTIONS, is_transient, is_transient_sqlstate, retry_on_transient


def wrapped(cause: BaseException) -> RuntimeError:
    try:
        raise RuntimeError("task failed") from cause
    except RuntimeError as error:
        return error


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError("refused"),
        TimeoutError(),
        psycopg2.OperationalError("could not connect to server"),
        pymongo.errors.ServerSelectionTimeoutError("no server"),
        Exception("py4j.protocol.Py4JJavaError: ... java.net.ConnectException: Connection refused"),
        wrapped(pymongo.errors.AutoReconnect("reset")),
        # Driver errors arrive scrubbed (no message, no chain): classified transient before scrubbing.
        SourceUnavailable(stage="load", source="postgres", error=["OperationalError"]),
        wrapped(SourceUnavailable(stage="extract", source="mongodb", error=["ServerSelectionTimeoutError"])),
    ],
)
def test_infrastructure_failures_are_retried(error: BaseException) -> None:
    assert is_transient(error)
    assert retry_on_transient(None, None, Failed(data=error))


@pytest.mark.parametrize(
    "error",
    [
        BatchRejected(Path("/l/b"), "conta.csv", "1 duplicate ids"),
        GateFailed(GateReport(suite="s", outcomes=[], data_docs=Path("x"))),
        ValueError("seed must be within 0..999"),
        psycopg2.IntegrityError("duplicate key"),
        SourceError(stage="load", source="postgres", error=["UniqueViolation"], codes=["SQLSTATE 23505"]),
        SourceError(
            stage="extract",
            source="postgres",
            error=["org.apache.spark.SparkException", "org.postgresql.util.PSQLException"],
            codes=["SQLSTATE 22P02 InvalidTextRepresentation"],
        ),
    ],
)
def test_data_errors_are_never_retried(error: BaseException) -> None:
    assert not is_transient(error)
    assert not retry_on_transient(None, None, Failed(data=error))


def _flaky_task(failures: list[BaseException]) -> tuple[Any, list[int]]:
    """A Prefect task with the shared retry options (no waiting) that raises `failures` in turn, then returns."""
    calls: list[int] = []

    @task(**{**TASK_RETRY_OPTIONS, "retry_delay_seconds": 0, "retry_jitter_factor": None})
    def flaky() -> str:
        calls.append(len(calls) + 1)
        if len(calls) <= len(failures):
            raise failures[len(calls) - 1]
        return "done"

    return flaky, calls


def test_a_task_retries_transient_errors_until_it_succeeds() -> None:
    flaky, calls = _flaky_task([ConnectionRefusedError("refused"), TimeoutError()])
    assert flaky() == "done"
    assert calls == [1, 2, 3]


def test_a_task_gives_up_after_its_retries() -> None:
    flaky, calls = _flaky_task([ConnectionRefusedError("refused")] * 10)
    with pytest.raises(ConnectionRefusedError):
        flaky()
    assert len(calls) == 1 + TASK_RETRY_OPTIONS["retries"]


def test_a_task_never_retries_a_data_error() -> None:
    flaky, calls = _flaky_task([BatchRejected(Path("/l/b"), "conta.csv", "1 duplicate ids")])
    with pytest.raises(BatchRejected):
        flaky()
    assert calls == [1]


@pytest.mark.parametrize(
    ("sqlstate", "transient"),
    [("08001", True), ("08006", True), ("57P01", True), ("23505", False), ("22P02", False), (None, False)],
)
def test_sqlstates_of_an_unreachable_server_are_transient(sqlstate: str | None, transient: bool) -> None:
    assert is_transient_sqlstate(sqlstate) is transient
