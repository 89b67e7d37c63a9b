"""How the dashboard writes numbers, and how it starts: offline, headless, on loopback unless told otherwise."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dashboard import formatting
from dashboard.__main__ import streamlit_command
from dashboard.settings import DashboardSettings


def test_numbers_are_written_the_brazilian_way() -> None:
    assert formatting.count(1234567) == "1.234.567"
    assert formatting.brl(Decimal("1234567.891")) == "R$ 1.234.567,89"
    assert formatting.brl(Decimal("0.5")) == "R$ 0,50"
    assert formatting.brl(None) == "-"
    assert formatting.percent(0.0215) == "2,15%"


def test_streamlit_runs_headless_without_usage_stats_on_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SICOOP_DASHBOARD_PORT", raising=False)
    monkeypatch.delenv("SICOOP_DASHBOARD_ADDRESS", raising=False)
    command = streamlit_command(DashboardSettings(_env_file=None))  # type: ignore[call-arg]
    assert command[1:4] == ["-m", "streamlit", "run"] and command[4].endswith("dashboard/app.py")
    assert {
        "--server.headless=true",
        "--browser.gatherUsageStats=false",
        "--server.address=127.0.0.1",
        "--server.port=8501",
    } <= set(command)
    monkeypatch.setenv("SICOOP_DASHBOARD_PORT", "8601")
    assert "--server.port=8601" in streamlit_command(DashboardSettings(_env_file=None))  # type: ignore[call-arg]
    monkeypatch.setenv("SICOOP_DASHBOARD_PORT", "0")
    with pytest.raises(ValueError, match="greater than or equal to 1"):
        DashboardSettings(_env_file=None)  # type: ignore[call-arg]
