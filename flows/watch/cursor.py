"""The watcher's persisted cursor: which landings of which batches it has already announced.

Kept as a small JSON file written atomically (temp file + rename), keyed by batch location with the manifest's
sha256, so a restarted watcher announces exactly the batches that arrived (or changed) while it was down.
"""

from __future__ import annotations

import json
import os
from pathlib import Path


class Cursor:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._announced: dict[str, str] = {}
        if path.is_file():
            data = json.loads(path.read_text(encoding="utf-8"))
            self._announced = {str(uri): str(sha) for uri, sha in data.get("announced", {}).items()}

    def is_announced(self, batch_uri: str, manifest_sha256: str) -> bool:
        return self._announced.get(batch_uri) == manifest_sha256

    def mark_announced(self, batch_uri: str, manifest_sha256: str) -> None:
        """Record and persist at once: the event is already confirmed by the server when this is called."""
        self._announced[batch_uri] = manifest_sha256
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{self.path.name}.tmp")
        temporary.write_text(json.dumps({"announced": self._announced}, indent=1), encoding="utf-8")
        os.replace(temporary, self.path)

    def __len__(self) -> int:
        return len(self._announced)
