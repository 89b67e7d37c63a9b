"""The drift checks' policy, kept as data beside the suites (expectations/drift.json): which figure, how far
from the usual before it fires, and whether that warns or stops the run."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from tasks.domain.contract import Policy

POLICY_FILE = Path(__file__).resolve().parents[2] / "expectations" / "drift.json"
# Families of figures: a check on one applies to each of its members (one per tipo, one per rule).
FAMILIES = ("tipo_transacao_share", "quarantine_rate")
METRICS = ("row_count", "vlr_transacao_sum", "distinct_cards", *FAMILIES)


@dataclass(frozen=True)
class DriftCheck:
    metric: str  # a metric name, or a family (every `family:member` figure)
    z_limit: float
    min_relative_change: float
    min_absolute_change: float
    policy: Policy  # WARN or FAIL
    rule: str

    def covers(self, figure: str) -> bool:
        return figure == self.metric or figure.startswith(f"{self.metric}:")


@dataclass(frozen=True)
class DriftPolicy:
    window_runs: int  # trailing completed runs compared with
    min_history: int  # fewer runs than this: no verdict yet
    checks: tuple[DriftCheck, ...]

    def check_for(self, figure: str) -> DriftCheck | None:
        return next((check for check in self.checks if check.covers(figure)), None)


def parse_policy(document: dict[str, Any]) -> DriftPolicy:
    checks = []
    for entry in document["checagens"]:
        metric, policy = entry["metrica"], Policy(entry["politica"])
        if metric not in METRICS:
            raise ValueError(f"drift policy: unknown metric {metric!r} (known: {', '.join(METRICS)})")
        if policy not in {Policy.WARN, Policy.FAIL}:
            raise ValueError(f"drift policy: {metric} must warn or fail, not {policy.value}")
        checks.append(
            DriftCheck(
                metric=metric,
                z_limit=float(entry["limite_z"]),
                min_relative_change=float(entry.get("variacao_relativa_minima", 0.0)),
                min_absolute_change=float(entry.get("variacao_absoluta_minima", 0.0)),
                policy=policy,
                rule=str(entry["regra"]),
            )
        )
    window, minimum = int(document["janela_execucoes"]), int(document["historico_minimo"])
    if not 1 <= minimum <= window:
        raise ValueError("drift policy: historico_minimo must be between 1 and janela_execucoes")
    return DriftPolicy(window_runs=window, min_history=minimum, checks=tuple(checks))


@cache
def load_policy(path: Path = POLICY_FILE) -> DriftPolicy:
    return parse_policy(json.loads(path.read_text(encoding="utf-8")))
