"""The batch manifest: the last file written into a landed batch, marking it complete.

It lists every data file with its row count and sha256, so the loader can prove the batch arrived whole and
unaltered before anything of it reaches a database.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

MANIFEST_NAME = "_manifest.json"
MANIFEST_FORMAT = 1
_CHUNK = 1 << 20


class ManifestFile(BaseModel):
    name: str
    rows: int = Field(ge=0)
    bytes: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class Manifest(BaseModel):
    format: int = MANIFEST_FORMAT
    batch_id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    created_at: datetime
    generator: dict[str, str | int] = Field(default_factory=dict)
    files: list[ManifestFile]

    def file(self, name: str) -> ManifestFile | None:
        return next((entry for entry in self.files if entry.name == name), None)


class ManifestError(ValueError):
    """The manifest is missing or unreadable: the batch is not (yet) a complete batch."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def write_manifest(batch_dir: Path, manifest: Manifest) -> Path:
    """Write atomically (temp file + rename) so a watcher never sees half a manifest."""
    target = batch_dir / MANIFEST_NAME
    temporary = batch_dir / f".{MANIFEST_NAME}.tmp"
    temporary.write_text(manifest.model_dump_json(indent=2), encoding="utf-8")
    os.replace(temporary, target)
    return target


def read_manifest(batch_dir: Path) -> Manifest:
    path = batch_dir / MANIFEST_NAME
    if not path.is_file():
        raise ManifestError(f"{path}: manifest not found; the batch is incomplete or not a batch")
    try:
        return Manifest.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ManifestError(f"{path}: not valid JSON ({error})") from error
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise ManifestError(f"{path}: invalid manifest ({problems})") from error
