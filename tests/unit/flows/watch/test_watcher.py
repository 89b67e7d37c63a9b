"""The watcher announces each complete batch exactly once, across restarts, and never a half-written one."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from prefect.events import Event
from prefect.events.clients import AssertingEventsClient, EventsClient

from flows.watch.cursor import Cursor
from flows.watch.event import BATCH_ID_LABEL, EVENT_NAME, LANDING_LABEL, URI_LABEL
from flows.watch.watcher import LandingWatcher
from tasks.landing.manifest import MANIFEST_NAME
from tasks.storage import resolve
from tests.utils.batches import land_batch


def watcher_for(landing: Path, cursor: Path) -> LandingWatcher:
    return LandingWatcher(
        root=resolve(landing),
        landing="local",
        cursor=Cursor(cursor),
    )


def scan(watcher: LandingWatcher) -> list[Event]:
    return asyncio.run(watcher.scan_once(AssertingEventsClient))


class RefusingEventsClient(EventsClient):
    """Stands in for an unreachable server, which cannot be produced on demand mid-scan."""

    async def _emit(self, event: Event) -> None:
        raise ConnectionRefusedError("server down")


def test_each_batch_is_announced_once(tmp_path: Path) -> None:
    landing, cursor = tmp_path / "landing", tmp_path / "cursor.json"
    first = land_batch(landing, seed=1, movimentos=20, associados=5)
    watcher = watcher_for(landing, cursor)

    [event] = scan(watcher)
    assert event.event == EVENT_NAME
    assert event.resource[BATCH_ID_LABEL] == first.name
    assert event.resource[URI_LABEL] == str(first)
    assert event.resource[LANDING_LABEL] == "local"
    assert scan(watcher) == []

    second = land_batch(landing, seed=2, movimentos=20, associados=5)
    assert [e.resource[BATCH_ID_LABEL] for e in scan(watcher)] == [second.name]


def test_restart_catches_up_and_does_not_repeat(tmp_path: Path) -> None:
    landing, cursor = tmp_path / "landing", tmp_path / "cursor.json"
    land_batch(landing, seed=1, movimentos=20, associados=5)
    assert len(scan(watcher_for(landing, cursor))) == 1
    arrived_while_down = land_batch(landing, seed=2, movimentos=20, associados=5)

    restarted = watcher_for(landing, cursor)
    assert [e.resource[BATCH_ID_LABEL] for e in scan(restarted)] == [arrived_while_down.name]


def test_half_written_batch_waits_for_its_manifest(tmp_path: Path) -> None:
    landing, cursor = tmp_path / "landing", tmp_path / "cursor.json"
    batch = land_batch(landing, seed=1, movimentos=20, associados=5)
    manifest = (batch / MANIFEST_NAME).read_bytes()
    (batch / MANIFEST_NAME).unlink()
    watcher = watcher_for(landing, cursor)
    assert scan(watcher) == []
    (batch / MANIFEST_NAME).write_bytes(manifest)
    assert len(scan(watcher)) == 1


def test_event_ids_are_deterministic_and_change_with_the_content(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    land_batch(landing, seed=1, movimentos=20, associados=5)
    [once] = scan(watcher_for(landing, tmp_path / "a.json"))
    [again] = scan(watcher_for(landing, tmp_path / "b.json"))  # a watcher that lost its cursor
    assert once.id == again.id

    land_batch(landing, seed=1, movimentos=20, associados=5)  # re-landed: a new manifest
    [relanded] = scan(watcher_for(landing, tmp_path / "b.json"))
    assert relanded.id != once.id


def test_unconfirmed_event_is_not_recorded(tmp_path: Path) -> None:
    landing, cursor = tmp_path / "landing", tmp_path / "cursor.json"
    land_batch(landing, seed=1, movimentos=20, associados=5)
    watcher = watcher_for(landing, cursor)
    with pytest.raises(ConnectionRefusedError):
        asyncio.run(watcher.scan_once(RefusingEventsClient))
    assert not cursor.exists()
    assert len(scan(watcher)) == 1  # announced once the server is back
