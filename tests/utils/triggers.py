"""prefect.yaml's deployments and triggers, and the batch-ready events the watcher emits, as the tests read them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from prefect.server.events.actions import RunDeployment
from prefect.server.events.schemas.events import Event as ServerEvent
from prefect.utilities.schema_tools.hydration import HydrationContext, hydrate

from flows.watch.event import batch_ready_event
from tasks.landing.discovery import CompleteBatch

PREFECT_YAML = Path(__file__).parents[2] / "prefect.yaml"
TEMPLATED_LABEL = re.compile(r"event\.resource\[['\"]([^'\"]+)['\"]\]")


def deployments() -> dict[str, dict[str, Any]]:
    return {d["name"]: d for d in yaml.safe_load(PREFECT_YAML.read_text(encoding="utf-8"))["deployments"]}


def all_triggers() -> list[tuple[str, dict[str, Any]]]:
    return [(name, t) for name, d in deployments().items() for t in d.get("triggers", [])]


def server_event(landing: str, uri: str, batch_id: str = "20260630-seed042-m100000") -> ServerEvent:
    batch = CompleteBatch(batch_id=batch_id, path=f"/x/{batch_id}", manifest_sha256="ab" * 32)
    client_event = batch_ready_event(batch, uri, landing)
    return ServerEvent.model_validate(client_event.model_dump(mode="json"))


def render(parameters: dict[str, Any], event: ServerEvent) -> dict[str, Any]:
    """What RunDeployment.render_parameters does with the triggering event (its upgrade, then hydration)."""
    upgraded = dict(parameters)
    RunDeployment._upgrade_v1_templates(upgraded)
    return dict(
        hydrate(
            upgraded,
            HydrationContext(
                raise_on_error=True, render_jinja=True, jinja_context={"event": event.receive()}
            ),
        )
    )


def landings_of(trigger: dict[str, Any]) -> list[str]:
    value = trigger["match"]["sicooperative.landing"]
    return [value] if isinstance(value, str) else list(value)


def uri_for(landing: str, batch_id: str) -> str:
    return f"s3://landing-bucket/in/{batch_id}" if "s3" in landing else f"/srv/landing/{batch_id}"
