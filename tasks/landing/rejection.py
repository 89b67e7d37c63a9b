"""Keep a rejected batch aside for inspection, with the reason next to it."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

REJECTED_DIR = "_rejected"
REASON_FILE = "_rejection.json"


def move_aside(batch_dir: Path, reason: str) -> Path:
    """Move `<landing>/<batch>` to `<landing>/_rejected/<batch>` (suffixed if that exists) and record why."""
    rejected_root = batch_dir.parent / REJECTED_DIR
    rejected_root.mkdir(parents=True, exist_ok=True)
    target = rejected_root / batch_dir.name
    if target.exists():
        target = rejected_root / f"{batch_dir.name}-{datetime.now(UTC):%Y%m%dT%H%M%S%f}"
    shutil.move(str(batch_dir), target)
    (target / REASON_FILE).write_text(
        json.dumps({"rejected_at": datetime.now(UTC).isoformat(), "reason": reason}, indent=2),
        encoding="utf-8",
    )
    return target
