"""The landing watcher: scan, announce each newly complete batch once, remember it, repeat.

An event is recorded in the cursor only after the Prefect server confirmed receiving it, so a crash can at
worst re-send an event, and a re-sent event carries the same id, which the server runs only once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from prefect.events import Event
from prefect.events.clients import EventsClient, get_events_client

from flows.watch.cursor import Cursor
from flows.watch.event import batch_ready_event
from tasks.landing.discovery import CompleteBatch, IncompleteBatch, find_batches
from tasks.storage import Location

logger = logging.getLogger("sicooperative.watch")


def confirming_events_client() -> EventsClient:
    """Prefect's events client (self-hosted server or Cloud, per PREFECT_API_URL) made to wait for the
    server's acknowledgement of every event (`checkpoint_every=1`) before `emit` returns."""
    return get_events_client(checkpoint_every=1)


@dataclass
class LandingWatcher:
    root: Location  # the landing: a folder or s3://bucket/prefix
    landing: str  # routing name: deployment triggers match it (prefect.yaml)
    cursor: Cursor
    publish_as: str | None = None  # how pipeline runs address the root, if not as `root.uri`
    _waiting: dict[str, str] = field(default_factory=dict)

    def batch_uri(self, batch: CompleteBatch) -> str:
        """The batch's address as the runs see the landing (a container may mount it elsewhere)."""
        return f"{(self.publish_as or self.root.uri).rstrip('/')}/{batch.name}"

    def pending(self) -> list[tuple[CompleteBatch, str]]:
        """Complete batches not yet announced, with their URI; logs each incomplete batch once per reason."""
        ready = []
        for found in find_batches(self.root.filesystem, self.root.path):
            if isinstance(found, IncompleteBatch):
                if self._waiting.get(found.path) != found.reason:
                    logger.info("waiting for %s: %s", found.path, found.reason)
                    self._waiting[found.path] = found.reason
                continue
            self._waiting.pop(found.path, None)
            uri = self.batch_uri(found)
            if not self.cursor.is_announced(uri, found.manifest_sha256):
                ready.append((found, uri))
        return ready

    async def scan_once(
        self, events_client: Callable[[], EventsClient] = confirming_events_client
    ) -> list[Event]:
        """Announce every pending batch; returns the events sent (and confirmed) in this scan. Connects to
        the server only when there is something to announce."""
        pending = self.pending()
        if not pending:
            return []
        sent = []
        async with events_client() as client:
            for batch, uri in pending:
                event = batch_ready_event(batch, uri, self.landing)
                await client.emit(event)
                self.cursor.mark_announced(uri, batch.manifest_sha256)
                logger.info("announced %s (%s) as event %s", batch.name, uri, event.id)
                sent.append(event)
        return sent

    async def run(
        self,
        interval_seconds: float,
        stop: asyncio.Event | None = None,
        events_client: Callable[[], EventsClient] = confirming_events_client,
    ) -> None:
        """Scan every `interval_seconds` until `stop` is set; the first scan catches up on missed batches."""
        stop = stop or asyncio.Event()
        while not stop.is_set():
            try:
                await self.scan_once(events_client)
            except Exception:  # a long-running watcher outlives an unreachable server or bucket
                logger.exception("scan failed; retrying in %.0f s", interval_seconds)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval_seconds)
