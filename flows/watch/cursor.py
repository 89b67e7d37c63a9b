"""The watcher's persisted cursor: which landings of which batches it has already announced.

Kept as a small JSON file written atomically (temp file + rename), keyed by batch location with the manifest's
sha256, so a restarted watcher announces exactly the batches that arrived (or changed) while it was down. The
file and the folders created for it are readable by their owner only.

A cursor that cannot be read back (invalid JSON, wrong shape, unreadable) is moved aside and the watcher starts
from an empty one: re-announcing every batch is safe, as event ids are deterministic and the server creates one
run per id, whereas refusing to start would stop every landing's announcements.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path

logger = logging.getLogger("sicooperative.watch")

FILE_MODE = 0o600
FOLDER_MODE = 0o700


class CorruptCursor(ValueError):
    """The cursor file holds something other than a cursor."""


def _parse(text: str) -> dict[str, str]:
    data = json.loads(text)
    announced = data.get("announced") if isinstance(data, dict) else None
    if not isinstance(announced, dict) or not all(
        isinstance(uri, str) and isinstance(sha, str) for uri, sha in announced.items()
    ):
        raise CorruptCursor('expected {"announced": {batch URI: manifest sha256}}')
    return dict(announced)


def _make_private_folders(folder: Path) -> None:
    """Create `folder` and any missing parents, owner-only. Folders that already exist are left as they are
    (a cursor in /tmp must not change /tmp)."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for created in reversed(missing):
        created.mkdir(mode=FOLDER_MODE, exist_ok=True)
        created.chmod(FOLDER_MODE)  # mkdir's mode is reduced by the umask


class Cursor:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._announced: dict[str, str] = {}
        if path.is_file():
            try:
                self._announced = _parse(path.read_text(encoding="utf-8"))
            # Unreadable, not UTF-8, not JSON (or nested too deep), or not a cursor's shape.
            except (OSError, ValueError, RecursionError) as error:
                self._set_aside(error)

    def _set_aside(self, error: BaseException) -> None:
        """Keep the bad file for inspection under another name and start from an empty cursor."""
        aside = self.path.with_name(f"{self.path.name}.corrupt-{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}")
        try:
            os.replace(self.path, aside)
            kept = f"moved aside to {aside}"
        except OSError as rename_error:
            kept = f"could not be moved aside ({type(rename_error).__name__}); it will be overwritten"
        logger.warning(
            "cursor %s is unreadable or corrupt (%s); %s. Starting from an empty cursor: batches already "
            "announced are announced again with the same event ids, which the server runs once.",
            self.path,
            type(error).__name__,
            kept,
        )

    def is_announced(self, batch_uri: str, manifest_sha256: str) -> bool:
        return self._announced.get(batch_uri) == manifest_sha256

    def mark_announced(self, batch_uri: str, manifest_sha256: str) -> None:
        """Record and persist at once: the event is already confirmed by the server when this is called."""
        self._announced[batch_uri] = manifest_sha256
        _make_private_folders(self.path.parent)
        temporary = self.path.with_name(f".{self.path.name}.tmp")
        data = json.dumps({"announced": self._announced}, indent=1).encode("utf-8")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        try:
            os.fchmod(descriptor, FILE_MODE)  # also when a stale temporary file had other permissions
            with os.fdopen(descriptor, "wb", closefd=False) as out:
                out.write(data)
        finally:
            os.close(descriptor)
        os.replace(temporary, self.path)

    def __len__(self) -> int:
        return len(self._announced)
