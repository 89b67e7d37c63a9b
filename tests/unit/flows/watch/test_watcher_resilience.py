"""The watcher keeps announcing: a bad folder never hides the good batches, a corrupt cursor is set aside, and
its cursor is private to its owner."""

from __future__ import annotations

import asyncio
import logging
import shutil
import stat
from pathlib import Path

import pytest
from prefect.events import Event
from prefect.events.clients import AssertingEventsClient

from flows.watch.cursor import Cursor
from flows.watch.event import BATCH_ID_LABEL
from flows.watch.watcher import LandingWatcher
from tasks.landing.manifest import MANIFEST_MAX_BYTES, MANIFEST_NAME
from tasks.storage import resolve
from tests.utils.batches import land_batch


def watcher_for(landing: Path, cursor: Path) -> LandingWatcher:
    return LandingWatcher(root=resolve(landing), landing="local", cursor=Cursor(cursor))


def scan(watcher: LandingWatcher) -> list[Event]:
    """One scan against a fake events client (it stands for the server, not for the code under test)."""
    return asyncio.run(watcher.scan_once(AssertingEventsClient))


def folder_with_manifest(landing: Path, name: str, manifest: bytes) -> None:
    batch = land_batch(landing / ".build", seed=3, movimentos=20, associados=5)
    shutil.copytree(batch, landing / name)
    (landing / name / MANIFEST_NAME).write_bytes(manifest)


def test_a_malformed_or_huge_manifest_never_stops_the_good_batch(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    folder_with_manifest(landing, "a-malformed", b'{"batch_id": "a-malformed", "files": [')
    folder_with_manifest(landing, "b-huge", b"[" + b" " * MANIFEST_MAX_BYTES + b"]")
    good = land_batch(landing, seed=4, movimentos=20, associados=5)
    watcher = watcher_for(landing, tmp_path / "cursor.json")

    assert [event.resource[BATCH_ID_LABEL] for event in scan(watcher)] == [good.name]
    assert scan(watcher) == []


@pytest.mark.parametrize(
    "content",
    [b"{not json", b'{"announced": ["a", "b"]}', b"[]", b'{"announced": {"uri": 1}}', b"\xff\xfe\x00garbage"],
    ids=["invalid-json", "wrong-shape", "not-an-object", "wrong-value", "not-utf8"],
)
def test_a_corrupt_cursor_is_set_aside_and_the_watcher_proceeds(
    tmp_path: Path, content: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    landing, cursor = tmp_path / "landing", tmp_path / "cursor.json"
    batch = land_batch(landing, seed=1, movimentos=20, associados=5)
    cursor.write_bytes(content)

    with caplog.at_level(logging.WARNING, logger="sicooperative.watch"):
        watcher = watcher_for(landing, cursor)
    assert len(watcher.cursor) == 0
    [aside] = tmp_path.glob("cursor.json.corrupt-*")
    assert aside.read_bytes() == content  # kept for inspection
    assert any(
        "corrupt" in record.getMessage() and record.levelno == logging.WARNING for record in caplog.records
    )

    [event] = scan(watcher)  # re-announced: same deterministic id, which the server runs once
    assert event.resource[BATCH_ID_LABEL] == batch.name
    assert len(Cursor(cursor)) == 1  # a good cursor again
    assert scan(watcher_for(landing, cursor)) == []


def test_the_cursor_and_its_new_folders_are_private(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    land_batch(landing, seed=1, movimentos=20, associados=5)
    tmp_path.chmod(0o755)
    cursor = tmp_path / "state" / "watch" / "cursor.json"

    scan(watcher_for(landing, cursor))

    assert stat.S_IMODE(cursor.stat().st_mode) == 0o600
    assert stat.S_IMODE(cursor.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "state").stat().st_mode) == 0o700
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o755  # a folder that already existed is left alone
    assert not list(cursor.parent.glob(".*.tmp"))


def test_a_stale_temporary_cursor_with_wide_permissions_is_not_reused_as_is(tmp_path: Path) -> None:
    landing, cursor = tmp_path / "landing", tmp_path / "cursor.json"
    land_batch(landing, seed=1, movimentos=20, associados=5)
    stale = tmp_path / ".cursor.json.tmp"
    stale.write_text("left by a crash", encoding="utf-8")
    stale.chmod(0o644)
    scan(watcher_for(landing, cursor))
    assert stat.S_IMODE(cursor.stat().st_mode) == 0o600
