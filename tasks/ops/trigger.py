"""The event that started a run (the watcher's `sicooperative.batch.ready`): its id, for the run ledger.

Prefect 3.9.1 cannot pass it as a job variable: a deployment trigger renders only the run's `parameters` from
the event. `prefect deploy` drops a templated job variable such as `env: {SICOOP_TRIGGER_EVENT_ID:
"{{ event.id }}"}` (its deploy-time templating keeps templates in `parameters` only), and the server's
RunDeployment action hands a trigger's `job_variables` to the run unrendered. What the server does record is
the action that created the run: the event `prefect.automation.action.executed`, whose related resources are
the created flow run and the triggering event (role `triggering-event`). So a run reads the id from there;
SICOOP_TRIGGER_EVENT_ID, when set (by hand, or by a worker that can), wins.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from uuid import UUID

from prefect.client.orchestration import SyncPrefectClient, get_client
from prefect.events.filters import EventFilter, EventNameFilter, EventOccurredFilter, EventRelatedFilter

from tasks.settings import get_settings

ACTION_EXECUTED = "prefect.automation.action.executed"
TRIGGERING_ROLE = "triggering-event"
EVENT_PREFIX = "prefect.event."
# The action's event is emitted right after the run is created and stored within seconds; a run starts later.
WAIT_SECONDS = 30.0


def triggering_event_id(
    client: SyncPrefectClient, flow_run_id: UUID, wait_seconds: float = WAIT_SECONDS
) -> str | None:
    """The id of the event whose automation created the flow run; None for a run no automation created."""
    run = client.read_flow_run(flow_run_id)
    if run.created_by is None or run.created_by.type != "AUTOMATION":
        return None
    since = (run.created or datetime.now(UTC)) - timedelta(minutes=5)
    deadline = time.monotonic() + wait_seconds
    while True:
        query = EventFilter(  # built anew each time: its window ends when it is built
            occurred=EventOccurredFilter.model_validate(
                {"since": since, "until": datetime.now(UTC) + timedelta(minutes=1)}
            ),
            event=EventNameFilter(name=[ACTION_EXECUTED]),
            related=EventRelatedFilter(id=[f"prefect.flow-run.{flow_run_id}"]),
        )
        for event in client.read_events(filter=query, limit=10).events:
            for resource in event.related:
                if resource.role == TRIGGERING_ROLE and resource.id.startswith(EVENT_PREFIX):
                    return resource.id.removeprefix(EVENT_PREFIX)
        if time.monotonic() >= deadline:
            return None
        time.sleep(1)


def trigger_event_id(flow_run_id: str | None) -> str | None:
    """SICOOP_TRIGGER_EVENT_ID if set, else what the server recorded for this run (None when not triggered, or
    when the server cannot say: the ledger row matters more than this one column)."""
    if value := get_settings().trigger_event_id:
        return value
    if not flow_run_id:
        return None
    try:
        with get_client(sync_client=True) as client:
            return triggering_event_id(client, UUID(flow_run_id))
    except Exception as error:  # the run's outcome and its ledger row must stand
        logging.getLogger(__name__).warning("trigger event id unknown: %s", type(error).__name__)
        return None
