"""What the proof that ends a run searches: files written since the run started, under folders that exist."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tasks.proof.run_end import files_written_since
from tasks.storage import resolve


def test_only_files_written_since_the_start_are_searched(tmp_path: Path) -> None:
    old, new = tmp_path / "a" / "old.json", tmp_path / "a" / "b" / "new.json"
    for path in (old, new):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}")
    long_ago = time.time() - 3600
    os.utime(old, (long_ago, long_ago))
    (tmp_path / "a" / "b" / ".new.json.crc").write_bytes(b"\x00")
    found = files_written_since(resolve(str(tmp_path)), datetime.now(UTC) - timedelta(minutes=5))
    assert [Path(location.path).name for location in found] == ["new.json"]


def test_a_folder_that_is_a_file_or_missing_holds_nothing(tmp_path: Path) -> None:
    """Lineage pointed at a file (SICOOP_LINEAGE_DIR) never wrote there: the proof must not fail on it."""
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file")
    started = datetime.now(UTC) - timedelta(minutes=5)
    assert files_written_since(resolve(str(blocked)), started) == []
    assert files_written_since(resolve(str(tmp_path / "missing")), started) == []
