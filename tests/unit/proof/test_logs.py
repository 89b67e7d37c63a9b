"""The leak proof's log capture keeps every record of the run, each once."""

from __future__ import annotations

import gc
import logging

from tasks.proof.logs import capture_logs


def test_ten_thousand_records_with_distinct_markers_are_all_captured() -> None:
    """Records are freed as soon as they are handled: a capture keyed on id() (reused by CPython) kept only a
    fraction of them."""
    logger = logging.getLogger("py4j")
    root = logging.getLogger()
    others = list(root.handlers)  # pytest's own capture keeps every record alive, which hid the defect
    for handler in others:
        root.removeHandler(handler)
    try:
        with capture_logs() as capture:
            for number in range(10_000):
                logger.warning("marker-%05d", number)
                if number % 1000 == 0:
                    gc.collect()
    finally:
        for handler in others:
            root.addHandler(handler)
    lines = capture.text().splitlines()
    markers = {line.rsplit(" ", 1)[1] for line in lines}
    assert len(lines) == 10_000
    assert markers == {f"marker-{number:05d}" for number in range(10_000)}


def test_a_record_reaching_several_listened_loggers_is_kept_once() -> None:
    """`py4j` propagates to the root logger, both listened."""
    with capture_logs() as capture:
        logging.getLogger("py4j").error("once only")
    assert capture.text().count("once only") == 1


def test_the_exception_text_is_captured_with_the_record() -> None:
    with capture_logs() as capture:
        try:
            raise ValueError("inner detail")
        except ValueError:
            logging.getLogger("py4j").exception("failed")
    assert "inner detail" in capture.text()
