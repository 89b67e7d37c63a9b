"""Find the complete batches under a landing root, on a local folder or an S3 prefix alike.

A batch is complete when its `_manifest.json` is there (writers put it last) AND every file it lists is there
with the listed size: an uploader that sends the manifest early, or a copy still in flight, leaves the batch
incomplete, so it is never reported half-written. Folders starting with `_` or `.` (`_rejected`, temporaries)
are not batches. Whatever one folder holds (a malformed, huge or unreadable manifest, an unreadable listing), it
is reported as that folder's problem and never stops the others from being found.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pyarrow.fs as pafs

from tasks.landing.manifest import MANIFEST_MAX_BYTES, MANIFEST_NAME, ManifestError, parse_manifest


@dataclass(frozen=True)
class CompleteBatch:
    batch_id: str
    path: str  # the batch folder's path within its filesystem
    manifest_sha256: str  # identifies this landing of the batch: a rewritten batch gets a new one

    @property
    def name(self) -> str:
        return self.path.rstrip("/").rsplit("/", 1)[-1]


@dataclass(frozen=True)
class IncompleteBatch:
    path: str
    reason: str


def _file_sizes(filesystem: pafs.FileSystem, batch_path: str) -> dict[str, int]:
    infos = filesystem.get_file_info(pafs.FileSelector(batch_path, recursive=False))
    return {info.base_name: int(info.size) for info in infos if info.type == pafs.FileType.File}


def _describe(error: BaseException) -> str:
    """The error's class and the first line of its message, bounded: enough to act on in a log line."""
    lines = str(error).strip().splitlines()
    first = lines[0][:200] if lines else ""
    return f"{type(error).__name__}: {first}" if first else type(error).__name__


def _inspect(filesystem: pafs.FileSystem, batch_path: str) -> CompleteBatch | IncompleteBatch:
    sizes = _file_sizes(filesystem, batch_path)
    if MANIFEST_NAME not in sizes:
        return IncompleteBatch(batch_path, "no manifest yet")
    if sizes[MANIFEST_NAME] > MANIFEST_MAX_BYTES:
        return IncompleteBatch(batch_path, f"manifest larger than the {MANIFEST_MAX_BYTES:,}-byte cap")
    with filesystem.open_input_stream(f"{batch_path}/{MANIFEST_NAME}") as stream:
        raw = bytes(stream.read(MANIFEST_MAX_BYTES + 1))  # never more than the cap, even if it grew
    if len(raw) > MANIFEST_MAX_BYTES:
        return IncompleteBatch(batch_path, f"manifest larger than the {MANIFEST_MAX_BYTES:,}-byte cap")
    try:
        manifest = parse_manifest(raw, f"{batch_path}/{MANIFEST_NAME}")
    except ManifestError:
        return IncompleteBatch(batch_path, "manifest is not a valid manifest (yet)")
    for entry in manifest.files:
        if sizes.get(entry.name) != entry.bytes:
            return IncompleteBatch(batch_path, f"{entry.name} missing or not yet {entry.bytes} bytes")
    return CompleteBatch(
        batch_id=manifest.batch_id, path=batch_path, manifest_sha256=hashlib.sha256(raw).hexdigest()
    )


def inspect_batch(filesystem: pafs.FileSystem, batch_path: str) -> CompleteBatch | IncompleteBatch:
    """Whether the folder holds a whole batch now. Never raises: a half-written, foreign or unreadable folder
    is an IncompleteBatch with the reason."""
    try:
        return _inspect(filesystem, batch_path)
    except Exception as error:  # one bad folder must never hide the other batches
        return IncompleteBatch(batch_path, f"unreadable ({_describe(error)})")


def find_batches(filesystem: pafs.FileSystem, root: str) -> list[CompleteBatch | IncompleteBatch]:
    """Every candidate batch folder directly under `root`, in name order (a missing root has none)."""
    root = root.rstrip("/")
    if filesystem.get_file_info(root).type == pafs.FileType.NotFound:
        return []
    children = filesystem.get_file_info(pafs.FileSelector(root, recursive=False))
    folders = sorted(
        info.path
        for info in children
        if info.type == pafs.FileType.Directory and not info.base_name.startswith(("_", "."))
    )
    return [inspect_batch(filesystem, folder) for folder in folders]
