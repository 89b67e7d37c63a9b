"""Where a run finds its batch, and a local copy of it to load from.

A batch is named by its location (a folder, s3://bucket/prefix/<batch>) or by its folder name under the
landing, and must be a folder directly inside the configured landing: a run parameter never steers a run to
read elsewhere. A batch on S3 is downloaded into a temporary folder for the run (the loaders stream local files
into PostgreSQL's COPY): only its manifest and the files the manifest lists, each within a size cap, so a batch
cannot make a run fetch arbitrary or unbounded data. The landed objects themselves are never modified, only
moved aside if rejected.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

import pyarrow.fs as pafs

from tasks.landing.manifest import MANIFEST_MAX_BYTES, MANIFEST_NAME, ManifestError, parse_manifest
from tasks.landing.verification import BatchRejected
from tasks.settings import get_settings
from tasks.storage import Location, resolve
from tasks.storage.location import FILE_SCHEME

BATCH_MAX_LENGTH = 1024  # an S3 key's own limit
CONTROL_CHARACTERS = r"\x00-\x1f\x7f-\x9f"  # C0, DEL and C1, as a regex character range
RESERVED_PREFIXES = ("_", ".")  # `_rejected`, temporaries: never batches (the watcher skips them too)
_CONTROL = re.compile(f"[{CONTROL_CHARACTERS}]")
_COPY_CHUNK = 8 * 1024 * 1024


class BatchLocationError(ValueError):
    """The `batch` parameter does not name a batch folder inside the configured landing. Raised before anything
    of the batch is read. A data error: never retried (the same value fails the same way)."""

    def __init__(self, batch: str, problem: str) -> None:
        self.batch = batch
        self.problem = problem
        shown = batch if len(batch) <= 160 else batch[:160] + "..."
        super().__init__(f"parameter `batch` {shown!r}: {problem}")


def _check_text(batch: str) -> None:
    if not batch.strip():
        raise BatchLocationError(batch, "is empty")
    if len(batch) > BATCH_MAX_LENGTH:
        raise BatchLocationError(batch, f"is longer than {BATCH_MAX_LENGTH} characters")
    if _CONTROL.search(batch):
        raise BatchLocationError(batch, "contains control characters")


def _check_name(batch: str, name: str) -> None:
    if name in {".", ".."}:
        raise BatchLocationError(batch, f"`{name}` is not a batch folder")
    if name.startswith(RESERVED_PREFIXES):
        raise BatchLocationError(
            batch, f"names the reserved folder {name!r} (names starting with `_` or `.` are not batches)"
        )


def _check_segments(batch: str) -> None:
    """`..`, `.` and empty segments would make the address mean something other than it reads."""
    text = batch.split("://", 1)[1] if "://" in batch else batch
    segments = text.strip("/").split("/")
    if ".." in segments:
        raise BatchLocationError(batch, "`..` segments are not allowed")
    if "." in segments or "" in segments:
        raise BatchLocationError(batch, "empty or `.` path segments are not allowed")


def _nested(batch: str, parts: Sequence[str], where: str) -> BatchLocationError:
    if not parts:
        return BatchLocationError(batch, f"is {where} itself, not a batch folder inside it")
    reserved = next((part for part in parts if part.startswith(RESERVED_PREFIXES)), None)
    if reserved is not None:
        return BatchLocationError(batch, f"is inside the reserved folder {reserved!r} of {where}")
    return BatchLocationError(batch, f"is nested in {parts[0]!r}, not directly inside {where}")


def _outside(batch: str, candidate: Location, landing: Location, landing_text: str) -> BatchLocationError:
    """The clearest reason `candidate` is not directly inside `landing`."""
    where = f"the landing {landing.uri}"
    if candidate.is_s3 != landing.is_s3:
        kind = "an S3 location" if candidate.is_s3 else "a local path"
        return BatchLocationError(batch, f"is {kind}, but {where} is not")
    if candidate.is_s3:
        bucket, landing_bucket = candidate.path.split("/", 1)[0], landing.path.split("/", 1)[0]
        if bucket != landing_bucket:
            return BatchLocationError(batch, f"is in bucket {bucket!r}, outside {where}")
        prefix = landing.path.rstrip("/")
        if candidate.path == prefix:
            return _nested(batch, [], where)
        if candidate.path.startswith(prefix + "/"):
            return _nested(batch, candidate.path[len(prefix) + 1 :].split("/"), where)
        return BatchLocationError(batch, f"is not a folder directly inside {where}")
    as_written = batch if "/" in batch else f"{landing_text.rstrip('/')}/{batch}"
    lexical = PurePosixPath(os.path.abspath(os.path.expanduser(as_written.removeprefix(FILE_SCHEME))))
    landing_lexical = os.path.abspath(os.path.expanduser(landing_text.removeprefix(FILE_SCHEME)))
    bases = (landing.path, landing_lexical)
    # A path that reads as a child of the landing but resolves elsewhere went through a symbolic link.
    if str(lexical.parent) in bases:
        return BatchLocationError(batch, f"is a symbolic link to a folder not directly inside {where}")
    for base in bases:
        if lexical.is_relative_to(base):
            return _nested(batch, lexical.relative_to(base).parts, where)
    return BatchLocationError(batch, f"is not a folder directly inside {where}")


def locate_batch(batch: str, landing: str) -> Location:
    """The batch folder `batch` names, refused unless it lies directly inside `landing`.

    Accepted: a folder name under the landing (what the folder triggers pass), or a path or URI whose parent
    is the landing itself (what the other triggers pass). Refused with BatchLocationError, before any of the
    batch is read: `..`, `.` or empty segments, an absolute path elsewhere, a symbolic link leading out of the
    landing, another bucket or a key outside the landing's prefix, a nested folder, and names starting with `_`
    or `.` (`_rejected`, temporaries). Only names are compared: nothing is listed or opened.
    """
    _check_text(batch)
    landing_location = resolve(landing)
    if "/" not in batch and "://" not in batch:
        _check_name(batch, batch)
        candidate = resolve(landing_location.join(batch).uri)  # locally: follows symbolic links
    else:
        _check_segments(batch)
        try:
            candidate = resolve(batch)
        except ValueError as error:
            raise BatchLocationError(batch, "is neither a local path nor an s3:// URI") from error
        _check_name(batch, PurePosixPath(batch.rstrip("/")).name)
    if candidate.child_name_in(landing_location) is None:
        raise _outside(batch, candidate, landing_location, landing)
    _check_name(batch, candidate.name)  # a link may lead to `_rejected` itself
    return candidate


class _SizeChanged(Exception):
    """A file holds more or fewer bytes than it did when measured."""


def _read_capped(filesystem: pafs.FileSystem, path: str, size: int) -> Iterator[bytes]:
    """The file's bytes in chunks, failing if it holds more or fewer than `size` (it changed after it was
    measured): never more than `size` + 1 bytes are read."""
    remaining = size
    with filesystem.open_input_stream(path) as reader:
        while chunk := bytes(reader.read(min(_COPY_CHUNK, remaining + 1))):
            remaining -= len(chunk)
            if remaining < 0:
                raise _SizeChanged("grew while it was being downloaded")
            yield chunk
    if remaining:
        raise _SizeChanged("shrank while it was being downloaded")


def download_batch(batch: Location, target: Path, max_file_bytes: int) -> list[Path]:
    """Download the manifest of `batch`, then only the files it lists, each at most `max_file_bytes` and of
    exactly the size the manifest gives, into the local folder `target`; returns the local files. Anything else
    in the batch folder is ignored. A listed file that is absent is left for verification to reject."""
    filesystem = batch.filesystem
    manifest_path = batch.join(MANIFEST_NAME)
    info = filesystem.get_file_info(manifest_path.path)
    if info.type != pafs.FileType.File:
        raise ManifestError(
            f"{manifest_path.uri}: manifest not found; the batch is incomplete or not a batch"
        )
    if info.size > MANIFEST_MAX_BYTES:
        raise ManifestError(
            f"{manifest_path.uri}: larger than the {MANIFEST_MAX_BYTES:,}-byte cap of a manifest"
        )
    with filesystem.open_input_stream(manifest_path.path) as reader:
        raw = bytes(reader.read(MANIFEST_MAX_BYTES + 1))
    manifest = parse_manifest(raw, manifest_path.uri)

    for entry in manifest.files:  # every claim first: refuse before downloading anything
        if entry.bytes > max_file_bytes:
            raise BatchRejected(
                batch.uri,
                entry.name,
                f"the manifest says {entry.bytes:,} bytes, above the {max_file_bytes:,}-byte cap of a batch "
                "file (SICOOP_MAX_BATCH_FILE_BYTES)",
            )
    target.mkdir(parents=True, exist_ok=True)
    copies = []
    for entry in manifest.files:
        source = batch.join(entry.name)
        info = filesystem.get_file_info(source.path)
        if info.type != pafs.FileType.File:
            continue
        if info.size != entry.bytes:
            raise BatchRejected(
                batch.uri, entry.name, f"size {info.size:,} bytes, the manifest says {entry.bytes:,}"
            )
        copy = target / entry.name
        try:
            with copy.open("wb") as writer:
                for chunk in _read_capped(filesystem, source.path, entry.bytes):
                    writer.write(chunk)
        except _SizeChanged as changed:
            problem = f"{changed} (the manifest says {entry.bytes:,} bytes)"
            raise BatchRejected(batch.uri, entry.name, problem) from None
        copies.append(copy)
    (target / MANIFEST_NAME).write_bytes(raw)
    return copies


def _refuse_links_out(batch_dir: Path) -> None:
    """A local batch's files are read where they are: none may be a link to a file outside its folder."""
    if not batch_dir.is_dir():
        return  # verification reports the missing batch
    folder = batch_dir.resolve()
    with os.scandir(batch_dir) as entries:
        for entry in entries:
            if entry.is_symlink() and Path(entry.path).resolve().parent != folder:
                raise BatchRejected(
                    batch_dir, entry.name, "is a symbolic link leading out of the batch folder"
                )


@contextmanager
def local_copy(batch: Location, max_file_bytes: int | None = None) -> Iterator[Path]:
    """The batch as a local folder: itself when local, a temporary download (removed afterwards) on S3 of
    its manifest and listed files only, each within `max_file_bytes` (default: the setting)."""
    if not batch.is_s3:
        _refuse_links_out(Path(batch.path))
        yield Path(batch.path)
        return
    cap = max_file_bytes if max_file_bytes is not None else get_settings().max_batch_file_bytes
    with tempfile.TemporaryDirectory(prefix="sicoop-batch-") as work:
        target = Path(work) / batch.name
        download_batch(batch, target, cap)
        yield target
