"""The batch-ready event: its name, its resource labels (what deployment triggers match and template on) and
its deterministic id.

The id is a UUID5 of the landing, the batch's location and its manifest's sha256: re-emitting the same landing
of a batch (a watcher restart, a crash between emit and cursor save) sends the same id, and the Prefect server
creates a run for an event id only once. A batch rewritten with new content has a new manifest, hence a new id.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from prefect.events import Event

from tasks.landing.discovery import CompleteBatch

EVENT_NAME = "sicooperative.batch.ready"
RESOURCE_PREFIX = "sicooperative.batch."
# Labels every batch-ready event carries. Triggers match on LANDING_LABEL and URI_LABEL and template only on
# labels they match on, so an event lacking one never matches (instead of failing the trigger's template).
BATCH_ID_LABEL = "sicooperative.batch.id"
URI_LABEL = "sicooperative.batch.uri"
LANDING_LABEL = "sicooperative.landing"
EVENT_LABELS = (BATCH_ID_LABEL, URI_LABEL, LANDING_LABEL)

_NAMESPACE = uuid.UUID("6f1c2a4e-3b7d-5e8f-9a0b-1c2d3e4f5a6b")


def event_id(landing: str, batch_uri: str, manifest_sha256: str) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, f"{landing}\n{batch_uri}\n{manifest_sha256}")


def batch_ready_event(
    batch: CompleteBatch, batch_uri: str, landing: str, occurred: datetime | None = None
) -> Event:
    """The event for one complete batch found at `batch_uri` by the watcher of `landing`."""
    return Event.model_validate(
        {
            "id": event_id(landing, batch_uri, batch.manifest_sha256),
            "occurred": occurred or datetime.now(UTC),
            "event": EVENT_NAME,
            "resource": {
                "prefect.resource.id": f"{RESOURCE_PREFIX}{batch.name}",
                "prefect.resource.name": batch.name,
                # The folder's name: where the batch is under any mount of the landing.
                BATCH_ID_LABEL: batch.name,
                URI_LABEL: batch_uri,
                LANDING_LABEL: landing,
            },
            "payload": {"manifest_sha256": batch.manifest_sha256},
        }
    )
