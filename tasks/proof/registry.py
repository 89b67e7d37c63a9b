"""The raw values of the batch a run is processing, as fingerprints, kept in this process for the run's leak proof.

The load puts them here as soon as it has read the batch (from the verified tables; from the raw bytes when the
batch is refused, since a refused batch's values may still reach an error, a log or a file), and the leak proof
that ends every run, however it ends, takes them back. Never persisted: `Fingerprints` cannot be pickled, and
this is a plain dictionary of the process.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping

import pyarrow as pa

from tasks.domain.contract import Table
from tasks.privacy.fingerprints import Fingerprints
from tasks.privacy.raw_values import raw_values_in_bytes

_BY_RUN: dict[str, Fingerprints] = {}
_LOCK = threading.Lock()
_CHUNK = 1 << 22


def remember(run: str | None, fingerprints: Fingerprints) -> None:
    if run:
        with _LOCK:
            _BY_RUN[run] = fingerprints


def recall(run: str | None) -> Fingerprints | None:
    with _LOCK:
        return _BY_RUN.get(run) if run else None


def forget(run: str | None) -> None:
    with _LOCK:
        _BY_RUN.pop(run or "", None)


def of_tables(tables: Mapping[str, pa.Table], declarations: Iterable[Table]) -> Fingerprints:
    """A verified batch's values of the columns the contract marks personal."""
    return Fingerprints.of_batch(tables, tuple(declarations))


def of_raw_files(files: Iterable[bytes]) -> Fingerprints:
    """A refused batch's raw values, wherever they stand in its files: every document or card number (check
    digits verified) and e-mail address written anywhere in their bytes."""

    def chunks(data: bytes) -> Iterable[bytes]:
        for start in range(0, len(data), _CHUNK):
            yield data[start : start + _CHUNK]

    return Fingerprints(value for data in files for value in raw_values_in_bytes(chunks(data)))
