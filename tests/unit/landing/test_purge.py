"""Rejected batches: owner-only on a local landing, and purged once older than the retention."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from tasks.landing.purge import main, purge_rejected, rejected_batches
from tasks.landing.rejection import REASON_FILE, REJECTED_DIR, move_aside
from tests.utils.batches import land_batch

NOW = datetime(2026, 7, 31, 12, 0, tzinfo=UTC)


def reject(landing: Path, name: str, rejected_at: datetime | str | None) -> Path:
    """A rejected batch as move_aside leaves it, rejected at the given time (None: no _rejection.json)."""
    batch = landing / REJECTED_DIR / name
    batch.mkdir(parents=True)
    (batch / "movimento.csv").write_text("id;vlr_transacao\n1;10.00\n", encoding="utf-8")
    if rejected_at is not None:
        when = rejected_at.isoformat() if isinstance(rejected_at, datetime) else rejected_at
        record = {"rejected_at": when, "batch": str(landing / name), "reason": "test"}
        (batch / REASON_FILE).write_text(json.dumps(record), encoding="utf-8")
    return batch


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_rejected_batch_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    batch = land_batch(tmp_path, movimentos=50, associados=10)
    for path in [tmp_path, batch, *batch.iterdir()]:
        path.chmod(0o755 if path.is_dir() else 0o644)

    moved = Path(move_aside(str(batch), "test: bad header").path)

    assert moved == tmp_path / REJECTED_DIR / batch.name and not batch.exists()
    assert mode(moved.parent) == 0o700
    assert mode(moved) == 0o700
    files = list(moved.iterdir())
    assert {path.name for path in files} >= {REASON_FILE, "movimento.csv"}
    assert {path.name: mode(path) for path in files} == {path.name: 0o600 for path in files}
    assert mode(tmp_path) == 0o755  # the landing itself is left as it is


def test_only_batches_older_than_the_retention_are_deleted(tmp_path: Path) -> None:
    old = reject(tmp_path, "old", NOW - timedelta(days=31))
    recent = reject(tmp_path, "recent", NOW - timedelta(days=29))
    naive = reject(tmp_path, "naive-utc", (NOW - timedelta(days=40)).replace(tzinfo=None))
    offset = reject(
        tmp_path, "offset", (NOW - timedelta(days=30, hours=1)).astimezone(timezone(timedelta(hours=-3)))
    )

    report = purge_rejected(str(tmp_path), 30, now=NOW)

    assert sorted(batch.location.name for batch in report.deleted) == ["naive-utc", "offset", "old"]
    assert [batch.location.name for batch in report.kept] == ["recent"]
    assert report.undated == []
    assert not old.exists() and not naive.exists() and not offset.exists()
    assert recent.exists()


def test_a_dry_run_deletes_nothing(tmp_path: Path) -> None:
    old = reject(tmp_path, "old", NOW - timedelta(days=90))
    report = purge_rejected(str(tmp_path), 30, dry_run=True, now=NOW)
    assert [batch.location.name for batch in report.deleted] == ["old"]
    assert old.exists()


def test_a_batch_of_unknown_age_is_kept_and_reported(tmp_path: Path) -> None:
    missing = reject(tmp_path, "no-record", None)
    garbled = reject(tmp_path, "garbled", "not a date")
    (reject(tmp_path, "not-json", None) / REASON_FILE).write_text("{", encoding="utf-8")

    report = purge_rejected(str(tmp_path), 0, now=NOW)

    assert report.deleted == [] and report.kept == []
    problems = {batch.location.name: batch.problem for batch in report.undated}
    assert problems == {
        "garbled": f"unreadable {REASON_FILE} (ValueError)",
        "no-record": f"no {REASON_FILE}",
        "not-json": f"unreadable {REASON_FILE} (JSONDecodeError)",
    }
    assert missing.exists() and garbled.exists()


def test_no_rejected_folder_means_nothing_to_do(tmp_path: Path) -> None:
    assert rejected_batches(str(tmp_path)) == []
    assert purge_rejected(str(tmp_path), 30).deleted == []


def test_batches_of_the_landing_itself_are_never_touched(tmp_path: Path) -> None:
    landed = land_batch(tmp_path, movimentos=50, associados=10)
    reject(tmp_path, "old", NOW - timedelta(days=400))
    purge_rejected(str(tmp_path), 0, now=NOW)
    assert landed.exists() and (tmp_path / REJECTED_DIR).is_dir()


def test_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = reject(tmp_path, "old", datetime.now(UTC) - timedelta(days=10))
    recent = reject(tmp_path, "recent", datetime.now(UTC) - timedelta(days=1))

    assert main(["--older-than-days", "5", "--landing", str(tmp_path), "--dry-run"]) == 0
    assert old.exists()
    assert f"would delete {old}" in capsys.readouterr().out

    assert main(["--older-than-days", "5", "--landing", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"deleted {old}" in out and "1 deleted, 1 kept" in out
    assert not old.exists() and recent.exists()


def test_the_default_retention_comes_from_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tasks.settings import get_settings

    old = reject(tmp_path, "old", datetime.now(UTC) - timedelta(days=3))
    monkeypatch.setenv("SICOOP_REJECTED_RETENTION_DAYS", "2")
    monkeypatch.setenv("SICOOP_LANDING_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        assert main([]) == 0
    finally:
        get_settings.cache_clear()
    assert not old.exists()
    assert "1 deleted" in capsys.readouterr().out


def test_a_negative_retention_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        main(["--older-than-days", "-1", "--landing", str(tmp_path)])
    with pytest.raises(ValueError, match="0 or more"):
        purge_rejected(str(tmp_path), -1)
