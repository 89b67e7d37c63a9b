"""Keep a rejected batch aside for inspection, with the reason next to it, where it landed (folder or S3).

A rejected batch may hold the very personal data it was rejected for, so on a local landing it is made readable
by its owner only, and it is kept `SICOOP_REJECTED_RETENTION_DAYS` days (`python -m tasks.landing.purge`).
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime

from tasks.storage import Location, resolve

REJECTED_DIR = "_rejected"
REASON_FILE = "_rejection.json"
PRIVATE_FOLDER_MODE = 0o700
PRIVATE_FILE_MODE = 0o600

logger = logging.getLogger(__name__)


def move_aside(batch: Location | str, reason: str) -> Location:
    """Move `<landing>/<batch>` to `<landing>/_rejected/<batch>` (suffixed if that exists) and record why.

    The landing's watcher ignores `_rejected`, so a rejected batch never triggers a run again.
    """
    batch = resolve(batch)
    target = batch.parent.join(REJECTED_DIR, batch.name)
    if target.exists():
        target = resolve(f"{target.uri}-{datetime.now(UTC):%Y%m%dT%H%M%S%f}")
    moved = batch.move_folder_to(target)
    record = {"rejected_at": datetime.now(UTC).isoformat(), "batch": batch.uri, "reason": reason}
    moved.join(REASON_FILE).write_bytes(json.dumps(record, indent=2).encode("utf-8"))
    make_private(moved)
    return moved


def make_private(rejected: Location) -> None:
    """Owner-only access to a rejected batch on a local landing: 0700 folders (`_rejected/` too), 0600 files.

    Best effort: a landing shared with another account (a container's uid writing into a host folder) may hold
    files this process may move but not chmod; that is logged, and the batch stays as readable as it landed.
    On S3 objects have no POSIX modes: a rejected batch inherits the bucket's policy (and default encryption),
    which is where access to `_rejected/` is restricted.
    """
    if rejected.is_s3 or os.path.islink(rejected.path):
        return
    failed = 0
    # Symbolic links are neither followed (os.walk's default) nor changed: only the batch's own files change.
    changes = [(rejected.parent.path, PRIVATE_FOLDER_MODE)]
    for folder, _, files in os.walk(rejected.path):
        changes.append((folder, PRIVATE_FOLDER_MODE))
        paths = (os.path.join(folder, name) for name in files)
        changes.extend((path, PRIVATE_FILE_MODE) for path in paths if not os.path.islink(path))
    for path, mode in changes:
        try:
            os.chmod(path, mode)
        except OSError:
            failed += 1
    if failed:
        logger.warning(
            "rejected batch %s: %d of its paths could not be made owner-only", rejected.uri, failed
        )
