"""prefect.yaml's triggers against the events the watcher really emits, through the Prefect server's own
matching and template rendering.

On the server, a trigger whose parameter template names a key the event lacks creates no run; its only trace is
an `InvalidJinja` log line. So every trigger must (a) match the events meant for it, (b) render its parameters
from them, and (c) template only on labels it matches on, so an event without them is not matched at all.
"""

from __future__ import annotations

from typing import Any

import pytest
from prefect.server.events.schemas.events import ResourceSpecification

from flows.watch.event import EVENT_LABELS, EVENT_NAME
from tests.utils.triggers import (
    TEMPLATED_LABEL,
    all_triggers,
    landings_of,
    render,
    server_event,
    uri_for,
)


def test_every_deployment_is_triggered_by_batch_ready_events() -> None:
    triggers = all_triggers()
    assert {name for name, _ in triggers} == {"pipeline-docker", "pipeline-docker-s3", "pipeline-process"}
    for _, trigger in triggers:
        assert trigger["expect"] == [EVENT_NAME]
        assert trigger["enabled"] is True


@pytest.mark.parametrize(
    ("deployment", "trigger"), all_triggers(), ids=lambda v: v if isinstance(v, str) else v["name"]
)
def test_trigger_matches_and_renders_the_watchers_event(deployment: str, trigger: dict[str, Any]) -> None:
    match = ResourceSpecification(trigger["match"])
    for landing in landings_of(trigger):
        batch_id = "20260630-seed042-m100000"
        event = server_event(landing, uri_for(landing, batch_id), batch_id)
        assert match.matches(event.resource), f"{deployment}/{trigger['name']} misses landing {landing!r}"
        parameters = render(trigger["parameters"], event)
        assert parameters["batch"] in {batch_id, uri_for(landing, batch_id)}


@pytest.mark.parametrize(
    ("deployment", "trigger"), all_triggers(), ids=lambda v: v if isinstance(v, str) else v["name"]
)
def test_trigger_templates_only_on_labels_it_requires(deployment: str, trigger: dict[str, Any]) -> None:
    templated = {
        label for value in trigger["parameters"].values() for label in TEMPLATED_LABEL.findall(value)
    }
    assert templated, "a batch-ready trigger must pass the batch to the run"
    assert templated <= set(trigger["match"]), f"{deployment}: templates on labels it does not match on"
    assert templated <= set(EVENT_LABELS)

    landing = landings_of(trigger)[0]
    event = server_event(landing, uri_for(landing, "b1"))
    for label in templated:
        stripped = event.resource.model_copy(
            update={"root": {k: v for k, v in event.resource.root.items() if k != label}}
        )
        assert not ResourceSpecification(trigger["match"]).matches(stripped)


def test_a_template_naming_a_missing_key_fails_to_render() -> None:
    """The failure the guard prevents, reproduced: rendering raises instead of producing a parameter."""
    event = server_event("local", "/srv/landing/b1")
    with pytest.raises(Exception, match=r"undefined|Invalid"):
        render({"batch": "{{ event.payload.batch_location }}"}, event)


def test_each_landing_reaches_one_deployment() -> None:
    """One event, one run: no landing name is served by two triggers."""
    served = [landing for _, trigger in all_triggers() for landing in landings_of(trigger)]
    assert len(served) == len(set(served))
