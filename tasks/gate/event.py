"""The gate-failed event: a failed gate is told apart from any other failed run, so an automation can say so.

Names and counts only (the batch id, the suite, each blocking rule's id, column and unexpected count), never a value:
the event is stored by the Prefect server and copied into notifications.
"""

from __future__ import annotations

from typing import Any

from prefect.events import Event, emit_event

from tasks.gate.checkpoint import GateReport

EVENT_NAME = "sicooperative.gate.failed"
RESOURCE_PREFIX = "sicooperative.batch."  # the batch, as the batch-ready event names it
BATCH_ID_LABEL = "sicooperative.batch.id"
SUITE_LABEL = "sicooperative.gate.suite"


def gate_failed_payload(report: GateReport) -> dict[str, Any]:
    return {
        "suite": report.suite,
        "rules": len(report.outcomes),
        "rules_failed": len(report.blocking),
        "failed": [
            {
                "rule": failure.rule_id or failure.expectation,
                "column": failure.column,
                "unexpected_count": failure.unexpected_count,
            }
            for failure in report.blocking
        ],
        "quarantined_rows": report.quarantined_rows,
    }


def emit_gate_failed(batch_id: str | None, report: GateReport) -> Event | None:
    """Emitted from the flow run, which Prefect adds as a related resource (so a notification can name it)."""
    batch = batch_id or "unknown"
    return emit_event(
        EVENT_NAME,
        resource={
            "prefect.resource.id": f"{RESOURCE_PREFIX}{batch}",
            "prefect.resource.name": batch,
            BATCH_ID_LABEL: batch,
            SUITE_LABEL: report.suite,
        },
        payload=gate_failed_payload(report),
    )
