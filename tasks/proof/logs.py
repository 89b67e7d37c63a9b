"""The run's own log records, kept in memory while it runs, so the leak proof can search them."""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

# Prefect's run loggers do not all propagate to the root logger: listen on each.
LOGGERS = ("", "prefect", "prefect.flow_runs", "prefect.task_runs", "py4j")
_FORMAT = logging.Formatter("%(name)s %(levelname)s %(message)s")


class LogCapture(logging.Handler):
    """Every record emitted while installed, formatted with its exception text, each once.

    A record reaching several of the listened loggers (one propagating to another) is kept once: the records
    seen are held by weak reference, so a record that is gone can never be mistaken for a new one (an `id()`
    is reused by CPython as soon as its object is freed).
    """

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []
        self._seen: weakref.WeakSet[logging.LogRecord] = weakref.WeakSet()
        self._guard = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        with self._guard:
            if record in self._seen:
                return
            self._seen.add(record)
        try:
            line = _FORMAT.format(record)
        except Exception:  # a record that cannot be formatted is searched by its raw parts
            line = f"{record.name} {record.msg!r} {record.args!r}"
        with self._guard:
            self.lines.append(line)

    def text(self) -> str:
        with self._guard:
            return "\n".join(self.lines)


@contextmanager
def capture_logs() -> Iterator[LogCapture]:
    capture = LogCapture()
    loggers = [logging.getLogger(name) for name in LOGGERS]
    for logger in loggers:
        logger.addHandler(capture)
    try:
        yield capture
    finally:
        for logger in loggers:
            logger.removeHandler(capture)
