"""The run's seconds per stage as a bar chart the Prefect UI draws by itself, with no internet.

A table artifact is rendered by the UI's own code (an image artifact is an <img> of a URL that a closed
network may not reach); the bars are Unicode block characters, scaled to the slowest stage, in eighths.
Only stage names and durations: nothing of the data.
"""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from prefect.artifacts import create_table_artifact

ARTIFACT_KEY = "sicooperative-stage-seconds"
BAR_WIDTH = 32  # characters of the slowest stage's bar
_PARTIAL = ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")  # 1/8 .. 7/8 of a full block "█"


def bar(value: float, largest: float, width: int = BAR_WIDTH) -> str:
    """A bar of `value` where `largest` fills `width` characters; never empty for a stage that took time."""
    if largest <= 0 or value <= 0:
        return ""
    eighths = max(1, round(width * 8 * value / largest))
    full, rest = divmod(eighths, 8)
    return "█" * full + _PARTIAL[rest]


def stage_rows(seconds: Mapping[str, float]) -> list[dict[str, str]]:
    """One row per stage, in run order: seconds, share of the run, and its bar."""
    total = sum(seconds.values())
    largest = max(seconds.values(), default=0.0)
    return [
        {
            "stage": stage,
            "seconds": f"{value:.2f}",
            "share": f"{100 * value / total:.0f}%" if total > 0 else "",
            "chart": bar(value, largest),
        }
        for stage, value in seconds.items()
    ]


def publish_stage_chart(seconds: Mapping[str, float]) -> UUID:
    """The table artifact of this run's stages (next to its run summary)."""
    artifact_id = create_table_artifact(
        key=ARTIFACT_KEY,
        table=stage_rows(seconds),
        description="Seconds per stage of this run; bars scaled to the slowest stage",
    )
    assert isinstance(artifact_id, UUID)  # called from sync code: the UUID, not a coroutine
    return artifact_id
