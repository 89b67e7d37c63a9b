"""Keep a rejected batch aside for inspection, with the reason next to it, where it landed (folder or S3)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from tasks.storage import Location, exists, move_folder, resolve, write_bytes

REJECTED_DIR = "_rejected"
REASON_FILE = "_rejection.json"


def move_aside(batch: Location | str, reason: str) -> Location:
    """Move `<landing>/<batch>` to `<landing>/_rejected/<batch>` (suffixed if that exists) and record why.

    The landing's watcher ignores `_rejected`, so a rejected batch never triggers a run again.
    """
    batch = resolve(batch)
    target = batch.parent.join(REJECTED_DIR, batch.name)
    if exists(target):
        target = resolve(f"{target.uri}-{datetime.now(UTC):%Y%m%dT%H%M%S%f}")
    moved = move_folder(batch, target)
    record = {"rejected_at": datetime.now(UTC).isoformat(), "batch": batch.uri, "reason": reason}
    write_bytes(moved.join(REASON_FILE), json.dumps(record, indent=2).encode("utf-8"))
    return moved
