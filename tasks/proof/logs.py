"""The run's own log records, kept in memory while it runs, so the leak proof can search them."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

# Prefect's run loggers do not all propagate to the root logger: listen on each.
LOGGERS = ("", "prefect", "prefect.flow_runs", "prefect.task_runs", "py4j")


class LogCapture(logging.Handler):
    """Every record emitted while installed, formatted with its exception text, each once."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []
        self._seen: set[int] = set()

    def emit(self, record: logging.LogRecord) -> None:
        if id(record) in self._seen:
            return
        self._seen.add(id(record))
        try:
            self.lines.append(logging.Formatter("%(name)s %(levelname)s %(message)s").format(record))
        except Exception:  # a record that cannot be formatted is searched by its raw parts
            self.lines.append(f"{record.name} {record.msg!r} {record.args!r}")

    def text(self) -> str:
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
