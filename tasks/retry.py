"""Retry policy shared by every task: retry transient infrastructure errors, never data errors.

A refused connection or a network timeout may heal in seconds; a malformed batch or a failed quality gate will
fail the same way every time, so retrying it only delays the alert. Driver errors reach this policy already
reduced by `tasks.errors` (no message, no cause chain): they were classified before their details were dropped,
and a transient one is a `TransientError`.
"""

from __future__ import annotations

from typing import Any

import psycopg2
import pymongo.errors


class TransientError(Exception):
    """An error classified as transient where it was raised (e.g. a scrubbed driver error): always retried."""


TRANSIENT_TYPES: tuple[type[BaseException], ...] = (
    TransientError,
    ConnectionError,
    TimeoutError,
    psycopg2.OperationalError,
    psycopg2.InterfaceError,
    pymongo.errors.ConnectionFailure,  # AutoReconnect, NetworkTimeout, ServerSelectionTimeoutError
)
# JVM-side network failures (Spark's JDBC driver, the MongoDB connector), matched as classes or superclasses.
TRANSIENT_JAVA_CLASSES = (
    "java.net.ConnectException",
    "java.net.SocketTimeoutException",
    "java.net.NoRouteToHostException",
    "com.mongodb.MongoTimeoutException",
    "com.mongodb.MongoSocketException",
)
# Spark surfaces them as Py4J/Spark exceptions whose text names the Java cause.
TRANSIENT_JVM_MARKERS = (*TRANSIENT_JAVA_CLASSES, "Connection refused", "Py4JNetworkError")
# SQLSTATE class 08 (connection exception) and 57P01-57P03 (server shut down or starting): what a JDBC driver
# reports when it cannot reach PostgreSQL (psycopg2 raises OperationalError for the same codes).
TRANSIENT_SQLSTATE_PREFIXES = ("08", "57P0")

RETRIES = 3
RETRY_DELAYS_SECONDS = [2, 10, 30]
RETRY_JITTER = 0.5


def is_transient_sqlstate(sqlstate: str | None) -> bool:
    """True for the SQLSTATEs of an unreachable or restarting server."""
    return bool(sqlstate) and str(sqlstate).startswith(TRANSIENT_SQLSTATE_PREFIXES)


def is_transient(error: BaseException | None) -> bool:
    """True when the error, or anything in its cause chain, is a transient infrastructure failure."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, TRANSIENT_TYPES):
            return True
        text = f"{type(error).__name__}: {error}"
        if any(marker in text for marker in TRANSIENT_JVM_MARKERS):
            return True
        error = error.__cause__ or error.__context__
    return False


def retry_on_transient(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect `retry_condition_fn`: continue to the retry policy only for transient errors."""
    error = state.data if isinstance(state.data, BaseException) else None
    if error is None:
        try:
            result = state.result(raise_on_failure=False)
        except Exception as unreadable:  # the result itself may be unreadable
            result = unreadable
        error = result if isinstance(result, BaseException) else None
    return is_transient(error)


TASK_RETRY_OPTIONS: dict[str, Any] = {
    "retries": RETRIES,
    "retry_delay_seconds": RETRY_DELAYS_SECONDS,
    "retry_jitter_factor": RETRY_JITTER,
    "retry_condition_fn": retry_on_transient,
}
