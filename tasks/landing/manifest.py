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

from pydantic import BaseModel, Field, ValidationError, field_validator

MANIFEST_NAME = "_manifest.json"
MANIFEST_FORMAT = 1
# A manifest lists a handful of files: anything near this size is not one, and is never read whole.
MANIFEST_MAX_BYTES = 1 << 20
# A file of the batch folder itself: no path separators, no `.`/`..`, nothing hidden or reserved (`_`).
FILE_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$"
_CHUNK = 1 << 20


class ManifestFile(BaseModel):
    name: str = Field(pattern=FILE_NAME_PATTERN)
    rows: int = Field(ge=0)
    bytes: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class Manifest(BaseModel):
    format: int = MANIFEST_FORMAT
    batch_id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    created_at: datetime
    generator: dict[str, str | int] = Field(default_factory=dict)
    files: list[ManifestFile]

    @field_validator("files")
    @classmethod
    def _names_are_unique(cls, files: list[ManifestFile]) -> list[ManifestFile]:
        """One entry per file: a second entry could claim another size for the same object."""
        names = [entry.name for entry in files]
        if len(names) != len(set(names)):
            raise ValueError("lists a file more than once")
        return files

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


def parse_manifest(raw: bytes, where: str) -> Manifest:
    """The manifest in `raw` (UTF-8, with or without a BOM, as Windows tools write it); `where` names it in
    errors. Raises ManifestError, never a parser's own exception."""
    if len(raw) > MANIFEST_MAX_BYTES:
        raise ManifestError(f"{where}: larger than the {MANIFEST_MAX_BYTES:,}-byte cap of a manifest")
    try:
        return Manifest.model_validate(json.loads(raw.decode("utf-8-sig")))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ManifestError(f"{where}: not valid JSON ({error})") from error
    except RecursionError as error:  # `[[[[...` nested deeper than the parser's stack
        raise ManifestError(f"{where}: not valid JSON (nested too deeply)") from error
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise ManifestError(f"{where}: invalid manifest ({problems})") from error


def read_manifest(batch_dir: Path) -> Manifest:
    """The batch's manifest, read only up to its cap."""
    path = batch_dir / MANIFEST_NAME
    if not path.is_file():
        raise ManifestError(f"{path}: manifest not found; the batch is incomplete or not a batch")
    with path.open("rb") as handle:
        raw = handle.read(MANIFEST_MAX_BYTES + 1)
    return parse_manifest(raw, str(path))
