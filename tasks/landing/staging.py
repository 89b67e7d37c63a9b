"""Where a run finds its batch, and a local copy of it to load from.

A batch is named by its location (a folder, s3://bucket/prefix/<batch>) or by its folder name under the
landing. A batch on S3 is downloaded into a temporary folder for the run (the loaders stream local files into
PostgreSQL's COPY); the landed objects themselves are never modified, only moved aside if rejected.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tasks.storage import Location, download_folder, join, resolve


def locate_batch(batch: str, landing: str) -> Location:
    """`batch` as a location if it has a path separator or scheme, else as a folder name under `landing`."""
    if "/" in batch or "://" in batch:
        return resolve(batch)
    return resolve(join(landing, batch))


@contextmanager
def local_copy(batch: Location) -> Iterator[Path]:
    """The batch as a local folder: itself when local, a temporary download (removed afterwards) on S3."""
    if not batch.is_s3:
        yield Path(batch.path)
        return
    with tempfile.TemporaryDirectory(prefix="sicoop-batch-") as work:
        target = Path(work) / batch.name
        download_folder(batch, target)
        yield target
