"""deploy/automations.yaml as `make automations` reads it: apply-time values filled in, every automation valid,
every notification sent through the configured block, and no template reaching for a run's state message."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from prefect.events.actions import SendNotification
from prefect.events.schemas.automations import EventTrigger, Posture

from flows.ops.automations import DEFAULT_FILE, fill, read_automations, webhook_block


def test_fill_replaces_whole_placeholders_only() -> None:
    values = {"alert_block": "b-1", "freshness_window_seconds": 60}
    data = {
        "a": "$alert_block",
        "b": ["$freshness_window_seconds", "costs $alert_block"],
        "c": "{{ event.id }}",
    }
    assert fill(data, values) == {"a": "b-1", "b": [60, "costs $alert_block"], "c": "{{ event.id }}"}
    with pytest.raises(KeyError, match=r"\$webhook_url"):
        fill({"x": "$webhook_url"}, values)


def test_the_repository_automations_use_the_block_and_the_window_given() -> None:
    block = uuid4()
    automations = read_automations(
        DEFAULT_FILE, {"alert_block": str(block), "freshness_window_seconds": 3600}
    )
    assert {a.name for a in automations} == {
        "sicooperative-run-failed",
        "sicooperative-gate-failed",
        "sicooperative-batch-freshness",
        "sicooperative-landing-freshness",
    }
    for automation in automations:
        assert automation.actions, automation.name
        for action in automation.actions:
            assert isinstance(action, SendNotification)
            assert action.block_document_id == block
            assert "state-message" not in action.body and "state.message" not in action.body
    by_name = {a.name: a.trigger for a in automations}
    freshness = by_name["sicooperative-batch-freshness"]
    assert isinstance(freshness, EventTrigger) and freshness.posture == Posture.Proactive
    assert freshness.within == timedelta(hours=1) and freshness.expect == {"sicooperative.batch.ready"}
    per_landing = by_name["sicooperative-landing-freshness"]
    assert isinstance(per_landing, EventTrigger) and per_landing.posture == Posture.Proactive
    assert per_landing.for_each == {"sicooperative.landing"} and per_landing.within == timedelta(hours=1)
    assert per_landing.after == per_landing.expect == {"sicooperative.batch.ready"}
    assert isinstance(by_name["sicooperative-gate-failed"], EventTrigger)
    assert by_name["sicooperative-gate-failed"].expect == {"sicooperative.gate.failed"}


def test_the_repository_holds_no_webhook_url() -> None:
    text = DEFAULT_FILE.read_text(encoding="utf-8") + Path("Makefile").read_text(encoding="utf-8")
    assert "https://" not in text and "hooks.slack.com" not in text


def test_the_webhook_block_keeps_its_url_among_its_secrets() -> None:
    block = webhook_block("https://hooks.example.test/services/T0/B0/s3cr3t")
    assert "s3cr3t" not in block.url and "s3cr3t" not in str(block.model_dump())
    request = block._build_request_args(body="body", subject="subject")
    assert request["url"] == "https://hooks.example.test/services/T0/B0/s3cr3t"
    assert request["json"] == {"text": "subject\nbody"}
