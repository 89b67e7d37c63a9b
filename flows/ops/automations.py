"""`make automations` applies deploy/automations.yaml: each automation is created, or replaced by its definition,
by name (idempotent; automations not declared are left alone), after the notification block they use.

The definitions are data; the only values filled in here are those that must not live in the repository or
that vary by installation: `$alert_block` (the id of the notification block named SICOOP_ALERT_BLOCK) and
`$freshness_window_seconds` (SICOOP_FRESHNESS_WINDOW_SECONDS). With SICOOP_ALERT_WEBHOOK_URL set, the block is
created or updated first as a Custom Webhook block that keeps the URL (and its token) in its secret values;
without it, a notification block of that name must already exist (Slack, Teams, e-mail: any Prefect
notification block).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from uuid import UUID

import yaml
from prefect.blocks.notifications import CustomWebhookNotificationBlock
from prefect.client.orchestration import SyncPrefectClient, get_client
from prefect.events.schemas.automations import AutomationCore

from tasks.settings import Settings, get_settings

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "deploy" / "automations.yaml"
PLACEHOLDER = re.compile(r"\$([a-z_]+)")
# The block's URL is itself a placeholder of the block, resolved from its secret values when it sends.
URL_KEY = "webhook_url"
PAGE = 200


class BlockNotFound(LookupError):
    pass


def fill(value: Any, values: Mapping[str, Any]) -> Any:
    """Replace every string that is exactly `$name` by values[name]; an unknown name is an error."""
    if isinstance(value, str):
        match = PLACEHOLDER.fullmatch(value)
        if match is None:
            return value
        if match.group(1) not in values:
            raise KeyError(f"unknown placeholder {value} (known: {', '.join(sorted(values))})")
        return values[match.group(1)]
    if isinstance(value, dict):
        return {key: fill(item, values) for key, item in value.items()}
    if isinstance(value, list):
        return [fill(item, values) for item in value]
    return value


def read_automations(path: Path, values: Mapping[str, Any]) -> list[AutomationCore]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    automations = [AutomationCore.model_validate(fill(entry, values)) for entry in data["automations"]]
    names = [automation.name for automation in automations]
    if len(names) != len(set(names)):
        raise ValueError(f"{path}: an automation is declared twice")
    return automations


def webhook_block(url: str) -> CustomWebhookNotificationBlock:
    """A JSON POST of {"text": subject and body} (what Slack's and many chat webhooks take)."""
    return CustomWebhookNotificationBlock(
        name="SiCooperative pipeline",
        url=f"{{{{{URL_KEY}}}}}",
        json_data={"text": "{{subject}}\n{{body}}"},
        headers=None,
        cookies=None,
        secrets={URL_KEY: url},  # type: ignore[arg-type]  # a SecretDict, validated from the dict
    )


def find_notification_block(client: SyncPrefectClient, name: str) -> UUID:
    found: list[UUID] = []
    offset = 0
    while page := client.read_block_documents(offset=offset, limit=PAGE, include_secrets=False):
        for document in page:
            schema = document.block_schema
            if document.name == name and schema is not None and "notify" in schema.capabilities:
                found.append(document.id)
        offset += PAGE
    if len(found) != 1:
        raise BlockNotFound(
            f"{len(found)} notification blocks named '{name}' (SICOOP_ALERT_BLOCK): create one, or set "
            "SICOOP_ALERT_WEBHOOK_URL and apply again"
        )
    return found[0]


def notification_block_id(settings: Settings, client: SyncPrefectClient) -> UUID:
    if settings.alert_webhook_url is not None:
        block = webhook_block(settings.alert_webhook_url.get_secret_value())
        saved = block.save(settings.alert_block, overwrite=True)
        assert isinstance(saved, UUID)  # called outside an event loop, save runs synchronously
        return saved
    return find_notification_block(client, settings.alert_block)


def apply_automation(client: SyncPrefectClient, automation: AutomationCore) -> str:
    """Create, or replace by name (deleting duplicates an earlier `prefect automation create` left)."""
    existing = client.read_automations_by_name(automation.name)
    if not existing:
        client.create_automation(automation)
        return "created"
    first, *duplicates = existing
    client.update_automation(first.id, automation)
    for duplicate in duplicates:
        client.delete_automation(duplicate.id)
    return "updated"


def apply_automations(path: Path = DEFAULT_FILE, settings: Settings | None = None) -> dict[str, str]:
    settings = settings or get_settings()
    with get_client(sync_client=True) as client:
        values = {
            "alert_block": str(notification_block_id(settings, client)),
            "freshness_window_seconds": settings.freshness_window_seconds,
        }
        return {
            automation.name: apply_automation(client, automation)
            for automation in read_automations(path, values)
        }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m flows.ops.automations", description=__doc__)
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT_FILE, help="the automations (YAML)")
    args = parser.parse_args(argv)
    try:
        applied = apply_automations(args.file)
    except BlockNotFound as error:
        print(f"python -m flows.ops.automations: {error}", file=sys.stderr)
        return 1
    for name, outcome in applied.items():
        print(f"automation {name}: {outcome}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
