"""Find the complete batches under a landing root, on a local folder or an S3 prefix alike.

A batch is complete when its `_manifest.json` is there (writers put it last) AND every file it lists is there
with the listed size: an uploader that sends the manifest early, or a copy still in flight, leaves the batch
incomplete, so it is never reported half-written. Folders starting with `_` or `.` (`_rejected`, temporaries)
are not batches.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import pyarrow.fs as pafs
from pydantic import ValidationError

from tasks.landing.manifest import MANIFEST_NAME, Manifest


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


def inspect_batch(filesystem: pafs.FileSystem, batch_path: str) -> CompleteBatch | IncompleteBatch:
    """Whether the folder holds a whole batch now. Never raises for a half-written or foreign folder."""
    sizes = _file_sizes(filesystem, batch_path)
    if MANIFEST_NAME not in sizes:
        return IncompleteBatch(batch_path, "no manifest yet")
    with filesystem.open_input_stream(f"{batch_path}/{MANIFEST_NAME}") as stream:
        raw = stream.read()
    try:
        manifest = Manifest.model_validate(json.loads(raw))
    except (ValueError, ValidationError):
        return IncompleteBatch(batch_path, "manifest is not a valid manifest (yet)")
    for entry in manifest.files:
        if sizes.get(entry.name) != entry.bytes:
            return IncompleteBatch(batch_path, f"{entry.name} missing or not yet {entry.bytes} bytes")
    return CompleteBatch(
        batch_id=manifest.batch_id, path=batch_path, manifest_sha256=hashlib.sha256(raw).hexdigest()
    )


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
