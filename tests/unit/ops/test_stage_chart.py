"""The stage chart's rows: run order, seconds, shares, and bars scaled to the slowest stage."""

from __future__ import annotations

from tasks.ops.stage_chart import BAR_WIDTH, bar, stage_rows


def test_bars_scale_to_the_slowest_stage_in_eighths() -> None:
    assert bar(10.0, 10.0) == "█" * BAR_WIDTH
    assert bar(5.0, 10.0) == "█" * (BAR_WIDTH // 2)
    assert bar(10.0 * 9 / (8 * BAR_WIDTH), 10.0) == "█▏"  # nine eighths of a character
    assert bar(0.0001, 10.0) == "▏", "a stage that took time never shows an empty bar"
    assert bar(0.0, 10.0) == bar(1.0, 0.0) == ""


def test_rows_keep_run_order_with_seconds_and_shares() -> None:
    rows = stage_rows({"load": 3.0, "gate": 6.0, "publish": 1.0})
    assert [row["stage"] for row in rows] == ["load", "gate", "publish"]
    assert [row["seconds"] for row in rows] == ["3.00", "6.00", "1.00"]
    assert [row["share"] for row in rows] == ["30%", "60%", "10%"]
    assert rows[1]["chart"] == "█" * BAR_WIDTH
    assert stage_rows({}) == []
