from pathlib import Path

import psycopg2
import pymongo.errors
import pytest
from prefect.states import Failed

from tasks.gate.checkpoint import GateFailed, GateReport
from tasks.landing.verification import BatchRejected
from tasks.retry import TASK_RETRY_OPTIONS, is_transient, retry_on_transient


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
    ],
)
def test_data_errors_are_never_retried(error: BaseException) -> None:
    assert not is_transient(error)
    assert not retry_on_transient(None, None, Failed(data=error))


def test_policy_has_retries_with_a_backoff_list() -> None:
    assert TASK_RETRY_OPTIONS["retries"] == 3
    assert TASK_RETRY_OPTIONS["retry_delay_seconds"] == sorted(TASK_RETRY_OPTIONS["retry_delay_seconds"])
